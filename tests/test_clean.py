"""Tests of civicposts.clean and civicposts.text: text rules as examples, properties, corpus flow."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicposts import clean as C
from civicposts import text as T
from civicposts.errors import InputError
from civicposts.privacy import DEMO_KEY

FIX = Path(__file__).parent / "fixtures" / "clean"
ALLOW = ["demo.kota.update", "demo.sekda.kota", "demo.dinas.pupr"]


def ct(s: str, **kw) -> str:
    return C.clean_text(pd.Series([s]), **kw).iloc[0]


# --- rules as examples ---------------------------------------------------------------------------

CASES = pd.read_csv(FIX / "text_cases.csv", dtype=str, keep_default_na=False)


@pytest.mark.parametrize("case,caption,expected", list(CASES.itertuples(index=False, name=None)),
                         ids=CASES["case"].tolist())
def test_text_cases(case, caption, expected):
    assert ct(caption) == expected


def test_mojibake_repaired_before_anything():
    assert C.repair_text(pd.Series(["jalan rusakâ€¦"])).iloc[0] == "jalan rusak..."


def test_idempotent_where_ftfy_alone_is_not():
    # found by hypothesis: the first pass leaves "áœ", which looks like mojibake again
    once = C.clean_text(pd.Series(["á\x8c:0"]))
    assert C.clean_text(once).tolist() == once.tolist()


def test_zero_width_characters_removed():
    assert ct("jal\u200ban ru\u200csak\ufeff") == "jalan rusak"


def test_negations_kept_when_stopwords_removed():
    out = ct("jalan ini tidak dan belum juga bukan jangan gak enggak nggak diperbaiki", stopwords=True)
    for neg in ("tidak", "belum", "bukan", "jangan"):
        assert neg in out.split()
    assert "ini" not in out.split() and "dan" not in out.split() and "juga" not in out.split()
    # gak / enggak / nggak are colloquial for tidak: one standard target
    assert out.split().count("tidak") == 4 and "enggak" not in out.split()


def test_pemerintah_never_becomes_perintah():
    out = ct("pemerintah pemerintahan memerintah kota memperbaiki diperbaiki", stem=True)
    assert "perintah" not in out.split()
    assert out.split()[:2] == ["pemerintah", "pemerintah"]
    assert "baik" in out.split()  # memperbaiki / diperbaiki stem to an attested root


def test_stemming_is_off_by_default():
    assert ct("memperbaiki perbaikan") == "memperbaiki perbaikan"


def test_emoji_to_indonesian_words_and_list():
    ent = C.extract_entities(pd.Series(["awas 😡😡 ❤️ 1️⃣"]))
    assert ent["emojis"].iloc[0] == ["😡", "😡", "❤️", "1️⃣"]
    assert "wajah sangat marah wajah sangat marah" in " ".join(ent["text"].iloc[0].split())
    assert "hati merah" in ent["text"].iloc[0]


def test_emoji_run_split_longest_match():
    assert T.split_emoji_run("👍🏽👍") == ("👍🏽", "👍")
    assert T.split_emoji_run("\ufe0f") == ()


def test_hashtags_keep_unicode_letters_and_skip_digits_only():
    ent = C.extract_entities(pd.Series(["#JalanRusak #café #Палембанг #2021 #hut75ri a#b &#39; #jalan_rusak"]))
    assert ent["hashtags"].iloc[0] == ["jalanrusak", "café", "палембанг", "hut75ri", "jalan_rusak"]


def test_hashtag_rules_differ_as_documented():
    caps = pd.Series(["#café #2021", "#jalanrusak"])
    civ = [T.HASHTAG_RE.findall(c) for c in caps]
    il = [T.INSTALOADER_HASHTAG_RE.findall(c) for c in caps]
    fc = [T.FOURCAT_HASHTAG_RE.findall(c) for c in caps]
    assert civ[0] == ["café"] and il[0] == ["café", "2021"] and fc[0] == ["caf", "2021"]


def test_mentions_not_emails_and_no_trailing_dot():
    ent = C.extract_entities(pd.Series(["tolong @Demo.Sekda.Kota. cek, email a@b.com"]))
    assert ent["mentions"].iloc[0] == ["demo.sekda.kota"]


def test_urls_to_list():
    ent = C.extract_entities(pd.Series(["lihat https://example.com/a?b=1, dan www.kota.go.id/x dan wa.me/62812"]))
    assert ent["urls"].iloc[0] == ["https://example.com/a?b=1", "www.kota.go.id/x", "wa.me/62812"]
    assert "http" not in ent["text"].iloc[0] and "wa.me" not in ent["text"].iloc[0]


def test_slang_exceptions_keep_dates_and_addresses():
    assert ct("1 Jan 2021 di Gg. Mawar, 2 km dari SMP 9") == "1 jan 2021 di gg mawar 2 km dari smp 9"


def test_slang_lexicon_merges_sources_and_chains_resolved():
    lex = T.slang_lexicon()
    assert lex["bgt"] == "sekali" and lex["gk"] == "tidak"  # Kamus Alay's colloquial targets followed to the end
    for v in lex.values():
        for w in v.split():
            assert T.normalise_token(w) == w


@pytest.mark.parametrize("caption,promo", [
    ("PAID PROMOTE!! info lebih lanjut hubungi admin", True),
    ("Donasi untuk korban gempa, info lebih lanjut hubungi 0812 5555 6666", False),  # an appeal, not a sale
    ("Open order kue lebaran, WA 0812 3456 7890", True),
    ("diskon 50% hari ini, order via WA 081234567890", True),
    ("Ready stock masker #promo", True),
    ("jalan rusak parah, mohon diperbaiki", False),
    ("harga cabai naik di pasar 16 ilir", False),  # a price in news, no contact: not a promotion
])
def test_promotion_rule(caption, promo):
    assert bool(C.flag_promotions(pd.Series([caption])).iloc[0]) is promo


# --- properties ----------------------------------------------------------------------------------

@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(max_size=80), min_size=1, max_size=5))
def test_clean_text_never_crashes_and_is_idempotent(texts):
    once = C.clean_text(pd.Series(texts))
    assert len(once) == len(texts)
    assert all(isinstance(t, str) for t in once)
    twice = C.clean_text(once)
    assert twice.tolist() == once.tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=6))
def test_fast_tokeniser_matches_token_pattern(texts):
    expected = [T.TOKEN_RE.findall(unicodedata.normalize("NFKC", t.lower())) if not t.isascii() or "\x00" in t
                else T.TOKEN_RE.findall(t.lower()) for t in texts]
    assert C._tokenise(texts) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["bgt", "jalan2", "bangeeet", "😡", "#Banjir", "@Warga_1", "tidak", "yg",
                                 "pemerintah", "https://x.id/a", "2021", "kata2nya", "maaaaf", "ini", " "]),
                max_size=12))
def test_idempotent_on_caption_like_text(words):
    for kw in ({}, {"stopwords": True}):
        once = C.clean_text(pd.Series([" ".join(words)]), **kw)
        assert C.clean_text(once, **kw).tolist() == once.tolist()


# --- corpus --------------------------------------------------------------------------------------

def make_posts() -> pd.DataFrame:
    base = "jalan di depan pasar rusak parah dan berlubang sudah berbulan bulan belum diperbaiki min"
    rows = [
        ("P1", "demo.kota.update", "2020-01-05T03:00:00Z", base + " @warga.satu 😡"),
        ("P2", "demo.kota.update", "2020-01-06T03:00:00Z", base.upper() + "!! @warga.dua 😡"),  # exact dup of P1
        ("P3", "demo.kota.update", "2020-01-07T03:00:00Z", base.replace("parah", "parah sekali") + " 😡"),  # near
        ("P4", "demo.kota.update", "2020-02-01T03:00:00Z", "PAID PROMOTE ready stock hubungi WA 0812-3456-7890"),
        ("P5", "demo.kota.update", "2020-02-02T03:00:00Z", "Banjir di simpang lima, warga diminta waspada #banjir"),
        ("P6", "demo.kota.update", "2019-12-31T16:30:00Z", "post at 23:30 WIB on 31 Dec 2019: outside"),
        ("P7", "demo.kota.update", "2019-12-31T17:30:00Z", "00:30 WIB on 1 Jan 2020: inside the period"),
        ("P8", "demo.kota.update", None, "no time"),
        ("P5", "demo.kota.update", "2020-02-02T03:00:00Z", "repeated post id"),
        ("P9", "demo.kota.update", "2020-02-03T03:00:00Z", ""),
        ("P10", "demo.kota.update", "2020-02-04T03:00:00Z", ""),  # empty captions are no duplicates
    ]
    df = pd.DataFrame(rows, columns=["post_id", "account", "posted_at", "caption"])
    df["posted_at"] = pd.to_datetime(df["posted_at"], utc=True)
    df["source_file"] = "test"
    return df


def run(df=None, **kw):
    return C.clean_corpus(make_posts() if df is None else df, period_start="2020-01-01", period_end="2021-02-28",
                          tz="Asia/Jakarta", allowlist=ALLOW, key=DEMO_KEY, **kw)


def test_clean_corpus_flow_reconciles_and_flags():
    posts, flow = run()
    assert flow["step"].tolist() == ["read", "parsed", "in period", "de-duplicated", "promotions flagged",
                                     "analysed"]
    n = dict(zip(flow["step"], flow["posts"]))
    assert n["read"] == 11 and n["parsed"] == 9 and n["in period"] == 8
    assert len(posts) == n["in period"]
    assert n["de-duplicated"] == int(posts["dup_kind"].isna().sum()) == 6
    assert n["analysed"] == int(posts["analysed"].sum()) == 5
    by = posts.set_index("post_id")
    assert by.loc["P2", "dup_kind"] == "exact" and by.loc["P2", "dup_of"] == "P1"
    assert by.loc["P3", "dup_kind"] == "near" and by.loc["P3", "dup_of"] == "P1"
    assert by.loc["P3", "near_jaccard"] >= C.NEAR_DUP_THRESHOLD
    assert pd.isna(by.loc["P10", "dup_kind"])
    assert bool(by.loc["P4", "is_promo"]) and not bool(by.loc["P4", "analysed"])
    assert "P6" not in by.index and "P7" in by.index
    assert by.loc["P7", "month"] == "2020-01"
    assert str(by.loc["P7", "posted_local"].tz) == "Asia/Jakarta"
    assert by.loc["P5", "hashtags"] == ["banjir"]
    assert by.loc["P4", "pretype"] == "promotion"



def test_every_set_aside_post_says_why():
    from civicposts.tables.corpus import set_aside_posts

    posts, flow = run()
    by = posts.set_index("post_id")
    assert by.loc["P2", "set_aside_reason"] == "exact repeat of post P1 (same clean text)"
    assert by.loc["P3", "set_aside_reason"].startswith("near repeat of post P1: character 5-gram Jaccard 0.")
    assert by.loc["P4", "set_aside_reason"] == "promotion (strong: paid promote, ready stock)"
    assert by.loc["P4", "promo_cues"] == "strong: paid promote, ready stock"
    assert posts.loc[posts["analysed"], "set_aside_reason"].isna().all()
    assert posts.loc[~posts["analysed"], "set_aside_reason"].notna().all()
    table = set_aside_posts(posts)
    assert table["post_id"].tolist() == ["P2", "P3", "P4"]
    assert table["step"].tolist() == ["de-duplicated", "de-duplicated", "promotions flagged"]
    # the drill-down accounts for every post the flow table removes at those steps
    n = dict(zip(flow["step"], flow["posts"]))
    assert len(table) == n["in period"] - n["analysed"]
    assert "0812" not in " ".join(table["caption"])  # captions as processed: contacts masked


def test_clean_corpus_pseudonymizes_and_masks():
    posts, _ = run()
    by = posts.set_index("post_id")
    assert "warga.satu" not in by.loc["P1", "caption"]
    assert by.loc["P1", "mentions"][0].startswith("user_")
    assert "0812" not in by.loc["P4", "caption"] and "[telepon]" in by.loc["P4", "caption"]


def test_clean_corpus_deterministic():
    a, fa = run()
    b, fb = run()
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(fa, fb)


def _many_posts() -> pd.DataFrame:
    return pd.concat([make_posts().assign(post_id=lambda d, i=i: d["post_id"] + f"_{i}") for i in range(5)],
                     ignore_index=True)


@pytest.mark.parametrize("scheduler,partitions", [("processes", 2), ("processes", 7), ("threads", 3),
                                                  ("synchronous", 4)])
def test_every_scheduler_and_partitioning_gives_the_same_result(scheduler, partitions):
    """The per-post steps and the duplicate search run as Dask partitions; the result is the one-call result."""
    df = _many_posts()
    one, f1 = run(df, scheduler="synchronous")
    other, f2 = run(df, scheduler=scheduler, partitions=partitions)
    pd.testing.assert_frame_equal(one, other)
    pd.testing.assert_frame_equal(f1, f2)
    assert (one["dup_kind"] == "near").any() and (one["dup_kind"] == "exact").any()  # both searches ran


def test_processes_scheduler_runs_partitions_in_other_processes(monkeypatch):
    real = C._clean_posts
    monkeypatch.setattr(C, "_clean_posts", lambda d, *a: real(d, *a).assign(pid=os.getpid()))
    spied, _ = run(_many_posts(), scheduler="processes", partitions=4)
    assert os.getpid() not in set(spied["pid"]), "the partitions ran in this process, not in workers"


def test_an_unknown_scheduler_is_a_clear_error():
    from civicposts.errors import ConfigError

    with pytest.raises(ConfigError, match="scheduler 'gpu'"):
        run(scheduler="gpu")


def test_clean_is_pure():
    df = make_posts()
    before = df.copy()
    run(df)
    pd.testing.assert_frame_equal(df, before)


def test_missing_column_names_the_problem():
    with pytest.raises(InputError, match="caption"):
        run(make_posts().drop(columns=["caption"]))


def test_bad_period_is_reported():
    with pytest.raises(InputError, match="period"):
        C.clean_corpus(make_posts(), period_start="not a date", period_end="2021-02-28", allowlist=ALLOW,
                       key=DEMO_KEY)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C", "D", "E", "F"]),
                          st.integers(min_value=1_560_000_000, max_value=1_640_000_000),
                          st.sampled_from(["jalan rusak parah belum diperbaiki juga sampai sekarang min",
                                           "jalan rusak parah belum diperbaiki juga sampai sekarang min!!",
                                           "banjir lagi di simpang lima warga minta solusi dari pemkot",
                                           "PAID PROMOTE hubungi WA 081234567890", "", "😡"])),
                max_size=25))
def test_flow_counts_reconcile_property(rows):
    df = pd.DataFrame(rows, columns=["post_id", "ts", "caption"])
    df["posted_at"] = pd.to_datetime(df["ts"], unit="s", utc=True)
    df["account"] = "demo.kota.update"
    posts, flow = run(df.drop(columns=["ts"]))
    p = flow["posts"].to_numpy()
    assert (np.diff(p) <= 0).all()
    assert p[0] == len(df)
    assert p[2] == len(posts)
    assert p[3] == int(posts["dup_kind"].isna().sum())
    assert p[5] == int(posts["analysed"].sum())
    assert p[4] == p[5]
    kept = set(posts.loc[posts["dup_kind"].isna(), "post_id"])
    assert set(posts["dup_of"].dropna()) <= kept


@pytest.mark.parametrize("later,earlier,expected", [
    ("kami posting ulang ya jalan di depan pasar rusak parah dan berlubang sudah lama belum diperbaiki",
     "jalan di depan pasar rusak parah dan berlubang sudah lama belum diperbaiki", True),  # repost with a prefix
    ("info kamis 23 1 cuaca cerah berawan hari ini di kota demo sumber warga sekitar",
     "info kamis 2 1 cuaca cerah berawan hari ini di kota demo sumber warga sekitar", False),  # another date
    ("banjir lagi di simpang lima warga minta solusi", "jalan rusak parah di depan pasar belum diperbaiki", False),
])
def test_near_duplicate_rule(later, earlier, expected):
    assert C.near_duplicate(later, earlier)[0] is expected


def test_minhash_is_seeded():
    texts = ["jalan rusak parah sekali di depan pasar", "banjir lagi di simpang lima"]
    a = C.minhash_signatures(texts, seed=1)
    assert np.array_equal(a, C.minhash_signatures(texts, seed=1))
    assert not np.array_equal(a, C.minhash_signatures(texts, seed=2))


# --- corpus tables and figures (notebook 01) ------------------------------------------------------

def test_corpus_flow_table_reconciles():
    from civicposts.tables.corpus import corpus_flow

    _, flow = run()
    t = corpus_flow(flow)
    assert t.columns.tolist() == ["step", "posts", "removed", "share_of_read_pct", "note"]
    assert t["removed"].iloc[0] == 0
    assert (t["posts"].iloc[0] - t["removed"].cumsum() == t["posts"]).all()
    assert t["share_of_read_pct"].iloc[0] == 100.0
    bad = flow.copy()
    bad.loc[3, "posts"] = bad.loc[2, "posts"] + 1
    with pytest.raises(ValueError, match="de-duplicated"):
        corpus_flow(bad)


def test_top_terms_counts_posts_and_ties_by_term():
    from civicposts.tables.corpus import top_terms

    df = pd.DataFrame({"hashtags": [["banjir", "banjir", "plg"], ["plg"], ["jalan"], []],
                       "analysed": [True, True, True, False]})
    t = top_terms(df, "hashtags", n=2)
    assert t["term"].tolist() == ["plg", "banjir"]
    assert t["posts"].tolist() == [2, 1] and t["occurrences"].tolist() == [2, 2]
    assert t["share_of_posts_pct"].tolist() == [66.7, 33.3]
    with pytest.raises(ValueError, match="nope"):
        top_terms(df, "nope")


def test_hashtag_rule_comparison():
    from civicposts.tables.corpus import hashtag_rule_comparison

    t = hashtag_rule_comparison(pd.Series(["#café #2021", "#jalanrusak", None])).set_index("rule")
    assert t.loc["civicposts", "hashtags"] == 2
    assert t.loc["instaloader", "hashtags"] == 3 and t.loc["4cat", "posts_differing_from_civicposts"] == 1


def test_posts_per_month_figure_data():
    from civicposts.figures.corpus import posts_per_month, top_hashtags
    from civicposts.preclassify import TYPES

    posts, _ = run()
    fig, data = posts_per_month(posts)
    assert data["month"].tolist() == ["2020-01", "2020-02"]
    assert data["total"].sum() == len(posts)
    assert (data[list(TYPES)].sum(axis=1) == data["total"]).all()
    ax = fig.axes[0]
    assert "count" in ax.get_ylabel() and "WIB" in ax.get_xlabel()
    fig2, data2 = top_hashtags(posts, n=5)
    assert data2["term"].tolist() == ["banjir"]
    import matplotlib.pyplot as plt
    plt.close(fig)
    plt.close(fig2)


def test_emoji_names_are_indonesian_in_a_fresh_process_too():
    """Figures and the PDF write emoji as their Indonesian names even when nothing loaded the language first
    (figures used the English name when run in a process that had not cleaned text)."""
    import subprocess
    import sys

    code = ("from civicposts.text import emoji_as_names; "
            "print(emoji_as_names('Tolong \\U0001F926\\u200d\\u2642\\ufe0f jalan'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "Tolong [pria_tepuk_jidat] jalan"
    from civicposts.text import emoji_as_names

    assert emoji_as_names("tanpa emoji – biasa") == "tanpa emoji – biasa"


@pytest.mark.parametrize("location", ["mask", "keep", "drop"])
def test_workers_send_back_only_what_they_changed_and_the_merge_is_the_whole_frame(location):
    from civicposts import policy

    posts = _many_posts()
    df = posts.assign(location_name="dekat rumah @warga.satu, hub 0812-3456-7890", media_files=[["a.jpg"]] * len(posts))
    rules = policy.parse({"location_name": location, "post_account": "drop"})
    args = (tuple(ALLOW), DEMO_KEY, frozenset(), rules, "Asia/Jakarta", (), False, False)
    whole = C._clean_posts(df, *args)
    changed = C._clean_posts(df, *args, C.MINHASH_SEED, True)
    assert "media_files" not in changed.columns and "post_id" not in changed.columns  # unchanged: not sent
    assert "caption" in changed.columns and "text_clean" in changed.columns
    pd.testing.assert_frame_equal(C._merge_changed(df, changed), whole)


@settings(max_examples=500, deadline=None)
@given(t=st.lists(st.sampled_from(list("ab #@/._-:wW1é") + ["http://", "www.", "bit.ly/", "@@", "&#", "com/x"]),
                  max_size=25).map("".join))
def test_one_pass_cut_is_sub_and_findall(t):
    from civicposts import text as T

    for pattern, group in ((T.URL_RE, 0), (T.HASHTAG_RE, 1), (T.MENTION_RE, 1)):
        assert C._cut(pattern.finditer(t), t, group) == (pattern.sub(" ", t), pattern.findall(t))
