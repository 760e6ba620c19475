"""Tests for the FICTIONAL demo corpus generator (civicposts_demo) and its committed output."""

from __future__ import annotations

import json
import lzma
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from PIL import Image

import civicposts_demo as demo
from civicposts_demo.__main__ import main as demo_main
from civicposts.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "data" / "raw" / "demo"
ACCOUNT_DIR = Path("instaloader") / "demo.kota.update"
SHORTCODE_RE = re.compile(r"^[A-Za-z0-9_-]{11}$")
PHONE_RE = re.compile(r"(?:\+62|\b0)8\d{1,2}[- ]?\d{3,4}[- ]?\d{3,5}")
FICTIONAL_PHONE_RE = re.compile(r"\b08\d\d-0000-\d{4}\b")
MENTION_RE = re.compile(r"@([A-Za-z0-9._]+[A-Za-z0-9_])")


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def rebuilt() -> Path:
    """The committed demo folder; test_regeneration_is_byte_identical_to_committed_files proves it is
    exactly what the generator makes, so the other tests check the generator's output."""
    return COMMITTED


@pytest.fixture(scope="module")
def key(rebuilt: Path) -> pd.DataFrame:
    return pd.read_csv(rebuilt / demo.ANSWER_KEY_NAME, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def nodes(rebuilt: Path) -> dict[str, dict]:
    """file stem -> Post structure, for every post file."""
    out = {}
    for f in sorted((rebuilt / ACCOUNT_DIR).glob("*_UTC.json.xz")):
        with lzma.open(f, "rt") as fh:
            out[f.name[: -len(".json.xz")]] = json.load(fh)
    return out


@pytest.fixture(scope="module")
def by_id(nodes: dict[str, dict]) -> dict[str, dict]:
    return {s["node"]["shortcode"]: s["node"] for s in nodes.values()}


# -- reproducibility ---------------------------------------------------------------------------

def test_regeneration_is_byte_identical_to_committed_files() -> None:
    committed, fresh = _files(COMMITTED), demo.render()
    assert sorted(committed) == sorted(fresh), "file lists differ: " + ", ".join(
        sorted(set(committed) ^ set(fresh))[:5])
    differing = [name for name in committed if committed[name] != fresh[name]]
    assert not differing, f"{len(differing)} files differ, e.g. {differing[:3]}"


def test_build_writes_exactly_the_rendered_files(tmp_path: Path) -> None:
    written = demo.build(tmp_path, n_posts=150, sample_size=40)
    assert _files(tmp_path) == written == demo.render(n_posts=150, sample_size=40)
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(".")], "staging folders left behind"


def test_same_seed_same_bytes_other_seed_other_corpus(tmp_path: Path) -> None:
    k1 = demo.generate(tmp_path / "a", n_posts=120, seed=7)
    k2 = demo.generate(tmp_path / "b", n_posts=120, seed=7)
    k3 = demo.generate(tmp_path / "c", n_posts=120, seed=8)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    pd.testing.assert_frame_equal(k1, k2)
    assert set(k1["post_id"]).isdisjoint(set(k3["post_id"]))


def test_regenerating_into_a_used_folder_removes_stale_files(tmp_path: Path) -> None:
    demo.generate(tmp_path, n_posts=120, seed=7)
    stale = tmp_path / ACCOUNT_DIR / "2019-01-01_00-00-00_UTC.json.xz"
    stale.write_bytes(b"old")
    demo.generate(tmp_path, n_posts=120, seed=7)
    assert not stale.exists()
    assert len(list((tmp_path / ACCOUNT_DIR).glob("*_UTC.json.xz"))) == 120


# -- the instaloader layout --------------------------------------------------------------------

def test_every_file_name_has_the_instaloader_pattern(rebuilt: Path) -> None:
    names = [p.name for p in (rebuilt / ACCOUNT_DIR).iterdir()]
    profile = [n for n in names if n.startswith("demo.kota.update_")]
    assert profile == ["demo.kota.update_31415926535.json.xz"]
    bad = [n for n in names if n not in profile and not demo.FILENAME_RE.match(n)]
    assert not bad, bad[:5]
    posts = [n for n in names if n.endswith("_UTC.json.xz")]
    assert len(posts) == 5000 == len(set(posts))  # no two posts in the same second


def test_post_json_has_envelope_raw_fields_and_legacy_aliases(nodes: dict[str, dict]) -> None:
    typenames = {1: "GraphImage", 2: "GraphVideo", 8: "GraphSidecar"}
    for stem, s in nodes.items():
        assert s["instaloader"] == {"version": "4.16", "node_type": "Post"}, stem
        n = s["node"]
        assert n["shortcode"] == n["code"] and SHORTCODE_RE.match(n["code"]), stem
        assert n["id"] == n["pk"] and demo.shortcode_to_mediaid(n["code"]) == int(n["pk"]), stem
        assert n["taken_at_timestamp"] == n["taken_at"]
        assert stem == pd.Timestamp(n["taken_at"], unit="s").strftime("%Y-%m-%d_%H-%M-%S") + "_UTC"
        assert n["owner"] == {"id": n["user"]["pk"], "username": "demo.kota.update",
                              "full_name": n["user"]["full_name"]}
        assert n["edge_media_to_caption"]["edges"][0]["node"]["text"] == n["caption"]["text"] != ""
        assert n["edge_media_preview_like"]["count"] == n["like_count"] >= 0
        assert n["edge_media_to_parent_comment"]["count"] == n["comment_count"] >= 0
        assert n["__typename"] == typenames[n["media_type"]]
        assert n["is_video"] is (n["media_type"] == 2)
        if n["media_type"] == 8:
            assert len(n["carousel_media"]) == n["carousel_media_count"] >= 2
            assert len(n["edge_sidecar_to_children"]["edges"]) == n["carousel_media_count"]
        if n["media_type"] == 2:
            assert n["video_view_count"] == n["play_count"] > 0
        if "location" in n:
            assert n["location"]["name"].endswith(", Palembang")


def test_json_is_compact_ascii_like_instaloader(rebuilt: Path) -> None:
    f = next((rebuilt / ACCOUNT_DIR).glob("*_UTC.json.xz"))
    text = lzma.decompress(f.read_bytes()).decode("ascii")
    assert text.startswith('{"node":{"code":') and ", " not in text.split('"text"')[0]
    assert lzma.LZMADecompressor().decompress(f.read_bytes()) == text.encode()
    # xz stream flags: integrity check type 0 (CHECK_NONE), as instaloader writes
    assert f.read_bytes()[6:8] == b"\x00\x00"


def test_shortcodes_are_derived_from_pk_as_instaloader_does() -> None:
    # pairs computed with instaloader 4.16's Post.mediaid_to_shortcode
    known = {2349302106432840327: "CCaZdGUAaKH", 1: "B", 63: "_", 64: "BA",
             2**63 - 1: "H__________", 3141592653589793238: "CuZLd-iMknW"}
    for mediaid, code in known.items():
        assert demo.mediaid_to_shortcode(mediaid) == code
        assert demo.shortcode_to_mediaid(code) == mediaid
    with pytest.raises(ValueError):
        demo.mediaid_to_shortcode(2**64)


def test_shortcodes_unique_and_answer_key_matches_files(key: pd.DataFrame, by_id: dict[str, dict]) -> None:
    assert key["post_id"].is_unique and len(key) == 5000
    assert set(key["post_id"]) == set(by_id)


def test_comments_files_have_instaloader_shape(rebuilt: Path, nodes: dict[str, dict]) -> None:
    files = sorted((rebuilt / ACCOUNT_DIR).glob("*_comments.json"))
    assert len(files) > 300
    for f in files:
        raw = f.read_text()
        assert not raw.endswith("\n") and raw.startswith("[\n    {")
        threads = json.loads(raw)
        post = nodes[f.name[: -len("_comments.json")]]["node"]
        total = 0
        for c in threads:
            assert list(c) == ["id", "created_at", "text", "owner", "likes_count", "answers"]
            assert c["created_at"] > post["taken_at"] and c["owner"]["username"]
            ids = [int(a["id"]) for a in c["answers"]]
            assert ids == sorted(ids, reverse=True)
            for a in c["answers"]:
                assert list(a) == ["id", "created_at", "text", "owner", "likes_count"]
                assert a["created_at"] > c["created_at"]
            total += 1 + len(c["answers"])
        assert [c["created_at"] for c in threads] == sorted((c["created_at"] for c in threads), reverse=True)
        assert 1 <= total <= post["comment_count"]


def test_profile_file_says_it_is_fictional(rebuilt: Path) -> None:
    with lzma.open(rebuilt / ACCOUNT_DIR / "demo.kota.update_31415926535.json.xz", "rt") as fh:
        s = json.load(fh)
    assert s["instaloader"] == {"version": "4.16", "node_type": "Profile"}
    n = s["node"]
    assert n["username"] == "demo.kota.update" and "FIKTIF" in n["biography"]
    assert n["edge_followed_by"]["count"] > 0 and n["edge_follow"]["count"] > 0
    assert n["is_private"] is False and n["is_verified"] is False and n["media_count"] == 5000


def test_images_are_small_valid_jpegs_for_sample_and_followup_pairs(rebuilt: Path, key: pd.DataFrame,
                                                                  by_id: dict[str, dict]) -> None:
    folder = rebuilt / ACCOUNT_DIR
    jpgs = sorted(folder.glob("*.jpg"))
    assert sum(p.stat().st_size for p in jpgs) <= 1_500_000
    with Image.open(jpgs[0]) as im:
        assert im.format == "JPEG" and im.size == (demo.IMAGE_SIZE, demo.IMAGE_SIZE)
    sample = pd.read_csv(rebuilt / "coding" / demo.SAMPLE_NAME, dtype=str)
    fu = key[key["post_type"] == "official_followup"]
    needed = set(sample["post_id"]) | set(fu["post_id"]) | set(fu["follows_up"])
    for pid in needed:
        n = by_id[pid]
        stem = pd.Timestamp(n["taken_at"], unit="s").strftime("%Y-%m-%d_%H-%M-%S") + "_UTC"
        first = f"{stem}_1.jpg" if n["media_type"] == 8 else f"{stem}.jpg"
        assert (folder / first).exists(), pid


# -- the latent structure ----------------------------------------------------------------------

def test_counts_by_type_near_targets(key: pd.DataFrame) -> None:
    kind = np.where(key["repost_of"] != "", "repost", key["post_type"])
    shares = pd.Series(kind).value_counts(normalize=True)
    for t, target in demo.TYPE_SHARES.items():
        assert abs(shares.get(t, 0) - target) < 0.025, (t, shares.get(t, 0), target)
    assert (key["is_promo"] == "True").sum() == (key["post_type"] == "promotion").sum()


def test_every_followup_points_to_an_earlier_complaint(key: pd.DataFrame, by_id: dict[str, dict]) -> None:
    fu = key[key["post_type"] == "official_followup"]
    assert len(fu) > 400
    types = key.set_index("post_id")["post_type"]
    lags = []
    for pid, target, repost in zip(fu["post_id"], fu["follows_up"], fu["repost_of"]):
        assert types[target] == "complaint", pid
        lag = (by_id[pid]["taken_at"] - by_id[target]["taken_at"]) / 86400
        assert lag >= 1, pid
        if not repost:  # a repost of a follow-up comes later still
            lags.append(lag)
    lags = np.array(lags)
    assert lags.min() >= 1 and lags.max() <= 61
    assert 3 <= np.median(lags) <= 8  # lognormal median 5 days
    assert (key.loc[key["post_type"] != "official_followup", "follows_up"] == "").all()


def test_reposts_copy_an_earlier_post_and_its_labels(key: pd.DataFrame, by_id: dict[str, dict]) -> None:
    k = key.set_index("post_id")
    reposts = k[k["repost_of"] != ""]
    assert len(reposts) > 150
    for pid, row in reposts.iterrows():
        orig = k.loc[row["repost_of"]]
        assert by_id[row["repost_of"]]["taken_at"] < by_id[pid]["taken_at"]
        assert (row[["post_type", "topics", "gov_response", "officials"]] ==
                orig[["post_type", "topics", "gov_response", "officials"]]).all()


def test_labels_use_codebook_ids_and_rainy_season_has_more_floods(key: pd.DataFrame, by_id: dict[str, dict]) -> None:
    book = yaml.safe_load((ROOT / "data/raw/coding/codebook.yaml").read_text())
    codes = {v["id"]: {c["id"] for c in v["codes"]} for v in book["variables"]}
    assert set(key["post_type"]) <= codes["post_type"]
    assert set(key["gov_response"]) <= codes["gov_response"]
    assert {t for ts in key["topics"] for t in ts.split("|")} <= codes["topic"]
    assert {t for ts in key["officials"] for t in ts.split("|")} <= codes["official_mentioned"]
    assert set(key["district"]) - {""} <= set(demo.T.DISTRICTS)
    c = key[key["post_type"] == "complaint"].copy()
    month = pd.to_datetime([by_id[p]["taken_at"] for p in c["post_id"]], unit="s").month
    flood = c["topics"].str.contains("flooding_drainage")
    rainy = np.isin(month, demo.RAINY_MONTHS)
    assert flood[rainy].mean() > 1.5 * flood[~rainy].mean()


def test_captions_look_like_indonesian_social_media(by_id: dict[str, dict]) -> None:
    text = "\n".join(n["caption"]["text"] for n in by_id.values())
    for marker in ("bgt", "gk", "yg", "sdh", "jalan2", "#palembang", "#keluhanwarga", "#banjirpalembang",
                   "Kiriman dari @", "paid promote", "@demo.sekda.kota", "😡"):
        assert marker.lower() in text.lower(), marker
    assert re.search(r"\b\w+(h{3,}|r{3,}|t{3,})\b", text), "no elongated word"


def test_no_real_looking_handles_or_phone_numbers(rebuilt: Path, by_id: dict[str, dict]) -> None:
    allow = set(yaml.safe_load((ROOT / "config/study.yaml").read_text())["allowlist"])
    texts = [n["caption"]["text"] for n in by_id.values()]
    for f in (rebuilt / ACCOUNT_DIR).glob("*_comments.json"):
        for c in json.loads(f.read_text()):
            texts += [c["text"], "@" + c["owner"]["username"]]
            texts += [a["text"] for a in c["answers"]] + ["@" + a["owner"]["username"] for a in c["answers"]]
    phones = [m for t in texts for m in PHONE_RE.findall(t)]
    assert phones, "the demo should contain (fictional) phone numbers to exercise masking"
    assert all(FICTIONAL_PHONE_RE.fullmatch(p) for p in phones), [p for p in phones if not FICTIONAL_PHONE_RE.fullmatch(p)][:3]
    handles = {h.lower() for t in texts for h in MENTION_RE.findall(t)}
    unmarked = {h for h in handles if h not in allow and "warga" not in h and "demo" not in h}
    assert not unmarked, sorted(unmarked)[:5]


# -- sample and simulated coders ---------------------------------------------------------------

def test_overlap_sample_is_stratified_and_seeded(rebuilt: Path, key: pd.DataFrame, by_id: dict[str, dict]) -> None:
    sample = pd.read_csv(rebuilt / "coding" / demo.SAMPLE_NAME, dtype=str)
    assert len(sample) == 200 and sample["post_id"].is_unique
    assert set(sample["post_id"]) <= set(key["post_id"])
    # proportional allocation: each type within one post (per month stratum) of its share
    share = key["post_type"].value_counts(normalize=True)
    got = sample["post_type"].value_counts()
    for t in share.index:
        assert abs(got.get(t, 0) - 200 * share[t]) <= 14, (t, got.get(t, 0))
    assert sample["month"].nunique() == 14
    assert sorted(sample["order"].astype(int)) == list(range(1, 201))
    posted = pd.to_datetime([by_id[p]["taken_at"] for p in key["post_id"]], unit="s", utc=True)
    again = demo.draw_overlap_sample(key, pd.Series(posted), n=200, seed=demo.SIM_SEED)
    assert again["post_id"].tolist() == sample["post_id"].tolist()
    other = demo.draw_overlap_sample(key, pd.Series(posted), n=200, seed=1)
    assert other["post_id"].tolist() != sample["post_id"].tolist()


def _coder_lines(rebuilt: Path, coder: str) -> list[dict]:
    path = rebuilt / "coding" / f"simulated_{coder}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_simulated_coder_files_follow_the_contract_and_codebook(rebuilt: Path, key: pd.DataFrame) -> None:
    from civicposts.codebook import load_codebook
    book = load_codebook(ROOT / "data/raw/coding/codebook.yaml")
    sample = set(pd.read_csv(rebuilt / "coding" / demo.SAMPLE_NAME, dtype=str)["post_id"])
    for coder in ("sim_a", "sim_b", "sim_c"):
        lines = _coder_lines(rebuilt, coder)
        assert {r["unit_id"] for r in lines} == sample
        stamps = [r["timestamp"] for r in lines]
        assert stamps == sorted(stamps), "append-only file must be in time order"
        for i, r in enumerate(lines):
            assert set(r) == {"unit_id", "unit_type", "variable", "codes", "coder", "timestamp", "memo",
                              "relation", "codebook_version"}
            assert r["coder"] == coder and r["unit_type"] == "post" and "SIMULATED coder" in r["memo"]
            assert r["codebook_version"] == book.version
            assert re.fullmatch(r"2021-03-0\dT\d\d:\d\d:\d\d\.000000Z", r["timestamp"])
            book.check(r["variable"], r["codes"], unit_type="post", relation=r["relation"],
                       where=f"simulated_{coder}.jsonl", record=i + 1)
            if r["variable"] == "post_type" and r["codes"] == ["official_followup"]:
                assert r["relation"]["type"] == "follows_up"


def test_simulated_error_rates_are_ordered_and_near_nominal(rebuilt: Path, key: pd.DataFrame) -> None:
    from civicposts.coding import latest, load_history
    history = load_history(rebuilt / "coding")  # the coding store's own reader
    decisions = latest(history)
    assert len(history) > len(decisions), "some decisions should be revised"
    assert set(decisions["coder"]) == set(demo.DEFAULT_ERROR_RATES)
    assert decisions["memo"].str.contains("SIMULATED coder").all()
    k = key.set_index("post_id")
    observed = {}
    for coder, rate in demo.DEFAULT_ERROR_RATES.items():
        d = decisions[decisions["coder"] == coder]
        assert len(d) == 200 * 4
        wrong = sum(tuple(codes) != tuple(sorted(demo._true_codes(k.loc[u].to_dict())[v]))
                    for u, v, codes in zip(d["unit_id"], d["variable"], d["codes"]))
        observed[coder] = wrong / len(d)
        assert abs(observed[coder] - rate) < 0.04, (coder, observed[coder])
        fu = d[(d["variable"] == "post_type") & (d["codes"] == ("official_followup",))]
        right = [t == k.loc[u, "follows_up"] for u, t in zip(fu["unit_id"], fu["relation_target"])]
        assert len(fu) > 10 and sum(right) / len(right) >= 1 - rate - 0.15
    assert observed["sim_a"] < observed["sim_b"] < observed["sim_c"]


def test_simulate_coders_rejects_unknown_units_and_coders(key: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="NOPE.*not in the answer key"):
        demo.simulate_coders(key, ["NOPE"])
    with pytest.raises(ValueError, match="no error rate"):
        demo.simulate_coders(key, key["post_id"][:3], coders=("sim_x",))
    recs = demo.simulate_coders(key, key["post_id"][:20], coders=("sim_x",), error_rates={"sim_x": 0.0})
    assert all(r["codes"] == sorted(demo._true_codes(key.set_index("post_id").loc[r["unit_id"]].to_dict())[r["variable"]])
               for r in recs["sim_x"] if "revision" in r["memo"] or "first attempt" not in r["memo"])


def test_generate_rejects_tiny_corpora(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="n_posts=10"):
        demo.generate(tmp_path, n_posts=10)


def test_readme_says_fictional_and_how_it_was_made(rebuilt: Path) -> None:
    text = (rebuilt / "README.md").read_text()
    assert "FICTIONAL" in text and "python -m civicposts_demo --out data/raw/demo" in text
    assert "--seed 20210202" in text and "SIMULATED" in text


def test_cli_reports_bad_parameters_clearly(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert demo_main(["--out", str(tmp_path), "--start", "2021-13-01"]) == 2
    assert "dates must be YYYY-MM-DD" in caplog.text
    assert demo_main(["--out", str(tmp_path), "--start", "2021-02-01", "--end", "2021-02-05"]) == 2
    assert "at least 30" in caplog.text
    assert demo_main(["--out", str(tmp_path), "--n-posts", "100", "--sample-size", "500"]) == 2
    assert not any(tmp_path.iterdir()), "nothing is written when parameters are bad"


def test_captions_of_distinct_posts_are_distinct(by_id: dict[str, dict], key: pd.DataFrame) -> None:
    originals = key.loc[key["repost_of"] == "", "post_id"]
    captions = pd.Series([by_id[p]["caption"]["text"] for p in originals])
    assert captions.duplicated().mean() < 0.005
