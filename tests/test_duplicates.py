"""Tests of civicposts.duplicates' template rule on fixtures of templated-but-distinct posts and of true
reposts with added words (measured precision and recall are in docs/benchmarks.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from civicposts import clean as C
from civicposts import duplicates as D

FIX = pd.read_csv(Path(__file__).parent / "fixtures" / "clean" / "near_duplicates.csv")
EARLIER = C.clean_text(FIX["earlier"]).tolist()
LATER = C.clean_text(FIX["later"]).tolist()


def _decisions() -> list[bool]:
    return [D.near_duplicate(b, a)[0] for a, b in zip(EARLIER, LATER)]


def test_templated_posts_are_not_reposts_and_reposts_are():
    got = _decisions()
    wrong = [(k, e) for k, e, g in zip(FIX["kind"], FIX["earlier"], got) if g != (k == "repost")]
    assert not wrong


def test_similarity_alone_would_merge_some_templates():
    # without the content rule, templates over the thresholds are merged: the rule is what separates them
    sims = [D.near_duplicate(b, a)[1:] for a, b in zip(EARLIER, LATER)]
    over = [(j >= D.NEAR_DUP_THRESHOLD or c >= D.CONTAINMENT_THRESHOLD) for j, c in sims]
    assert sum(o for o, k in zip(over, FIX["kind"]) if k == "template") >= 3


def test_content_changes_name_what_differs():
    a = C.clean_text(pd.Series(['Dengarkan lagu "Senja di Musi" dari Band Sriwijaya di Radio Kota FM']))[0]
    b = C.clean_text(pd.Series(['Dengarkan lagu "Kopi Pagi" dari Dimas Arya di Radio Kota FM']))[0]
    assert D.content_changes(b, a) == [("senja di musi", "kopi pagi"), ("band sriwijaya", "dimas arya")]
    assert D.content_changes(a + " repost ya", a) == []
    assert D.content_changes("anak anak sekolah", "anak-anak sekolah") == []


def test_emoji_words_are_not_content():
    a, b = "jalan rusak parah di depan pasar wajah sangat marah", "jalan rusak parah di depan pasar wajah menangis"
    assert D.content_changes(b, a)
    assert not D.content_changes(b, a, ignore=frozenset({"wajah", "sangat", "marah", "menangis"}))


def test_a_replaced_number_is_content():
    # the numbers rule is a subset test: "1 1" is inside "29 1"; the replaced day is still another date
    a, b = "jumat 1 1 bmkg memprakirakan hujan lebat sore ini", "jumat 29 1 bmkg memprakirakan hujan lebat sore ini"
    assert D.content_changes(b, a) == [("1", "29")]
    assert not D.near_duplicate(b, a)[0]


def _reference_verify(a, r, texts, emojis):
    """verify_pairs written pair by pair with near_duplicate, as it was before the sparse k-gram sets."""
    ok, jac, cont = np.zeros(len(a), bool), np.zeros(len(a)), np.zeros(len(a))
    words = D._emoji_words(emojis)
    matched = -1
    for k, (ai, ri) in enumerate(zip(a.tolist(), r.tolist())):
        if ai == matched:
            continue
        ok[k], jac[k], cont[k] = D.near_duplicate(texts[ai], texts[ri], ignore=words[ai] | words[ri])
        if ok[k]:
            matched = ai
    return ok, jac, cont


def test_verify_pairs_decides_as_near_duplicate_pair_by_pair():
    # reposts, templates, numbers that differ, emoji words, and random pairs, checked in blocks of 7 pairs
    rng = np.random.default_rng(8)
    base = EARLIER + LATER
    texts = base + [t + " kami posting ulang ya" for t in base] + [t.replace("1", "2") for t in base]
    texts += [" ".join(rng.permutation(t.split())) for t in base] + ["wajah menangis " + t for t in base]
    emojis = [["😭"] if t.startswith("wajah menangis") else None for t in texts]
    n = len(texts)
    a = rng.integers(0, n, 400)
    r = rng.integers(0, n, 400)
    a = np.r_[a, np.arange(len(base), n)]
    r = np.r_[r, np.arange(n - len(base)) % len(base)]
    order = np.lexsort((r, a))
    a, r = a[order], r[order]
    want = _reference_verify(a, r, texts, emojis)
    got = D.verify_pairs(a, r, texts, emojis, block=7)
    assert want[0].sum() >= 20  # the fixture has near duplicates to find
    for w, g in zip(want, got):
        assert np.array_equal(w, g)


def test_chronological_is_numpy_s_stable_order_of_time_then_id():
    rng = np.random.default_rng(4)
    n = 500
    posts = pd.DataFrame({"post_id": [f"p{int(i)}" for i in rng.integers(0, 60, n)],  # repeated ids: ties
                          "posted_at": pd.Timestamp("2021-01-01", tz="Asia/Jakarta")
                          + pd.to_timedelta(rng.integers(0, 5, n), unit="h")})
    posts.loc[3, "post_id"], posts.loc[4, "post_id"] = "é-ünïcode", "\U0001f600-ö"  # UTF-8 order = code points
    want = np.lexsort((posts["post_id"].to_numpy(dtype=object), pd.to_datetime(posts["posted_at"], utc=True).to_numpy()))
    assert np.array_equal(D.chronological(posts), want)
