"""Coding units (posts, interview segments) and the seeded stratified sampler."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicposts.errors import ConfigError, InputError
from civicposts import sampling
from civicposts.sampling import allocation, draw_sample, largest_remainder
from civicposts.units import interview_units, post_units

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests/fixtures/coding"

CAPTIONS = {  # keyed by the pre-classification type (civicposts.preclassify.TYPES)
    "complaint": "FICTIONAL kiriman warga: jalan berlubang di lorong, mohon diperbaiki",
    "official_activity": "FICTIONAL: menindaklanjuti laporan warga, petugas sudah membersihkan saluran",
    "promotion": "FICTIONAL promo pempek, diskon 20% hari ini",
    "news": "FICTIONAL info: festival perahu dimulai Sabtu",
    "other": "FICTIONAL selamat pagi semua",
}


def fake_posts(n=1200, seed=1):
    """A FICTIONAL post table shaped like civicposts.ingest.read_posts output."""
    rng = np.random.default_rng(seed)
    kinds = rng.choice(list(CAPTIONS), size=n, p=[0.45, 0.1, 0.1, 0.25, 0.1])
    start = pd.Timestamp("2020-01-01", tz="UTC").value
    end = pd.Timestamp("2021-02-28", tz="UTC").value
    ts = pd.to_datetime(rng.integers(start, end, size=n), utc=True)
    ids = [f"FAKE{i:05d}" for i in range(n)]
    return pd.DataFrame({
        "post_id": ids, "account": "demo.kota.update", "owner_id": "1", "posted_at": ts,
        "caption": [CAPTIONS[k] for k in kinds], "likes": pd.array(rng.integers(0, 900, n), dtype="Int64"),
        "comments": pd.array(rng.integers(0, 90, n), dtype="Int64"), "media_type": "image",
        "n_media": pd.array([1] * n, dtype="Int64"), "location_name": None,
        "url": [f"https://www.instagram.com/p/{i}/" for i in ids], "media_files": [[] for _ in ids],
        "missing_fields": [[] for _ in ids], "source_format": "instaloader-json",
        "source_file": [f"demo/{i}.json.xz" for i in ids],
        "pretype": pd.Categorical(kinds, categories=list(CAPTIONS)),
    })


@pytest.fixture(scope="module")
def units():
    return post_units(fake_posts())


# -- units ----------------------------------------------------------------------------------------

def test_pre_type_comes_from_the_clean_tables_pretype():
    posts = fake_posts(50)
    u = post_units(posts).set_index("unit_id")
    assert (u.loc[posts["post_id"], "pre_type"].to_numpy() == posts["pretype"].astype(str).to_numpy()).all()
    assert not isinstance(u["pre_type"].dtype, pd.CategoricalDtype)


def test_pre_type_falls_back_to_preclassify_on_text_clean():
    from civicposts.preclassify import preclassify

    posts = fake_posts(40).drop(columns="pretype")
    posts["text_clean"] = posts["caption"].str.lower()
    u = post_units(posts).set_index("unit_id")
    expected = preclassify(posts).astype(str).to_numpy()
    assert (u.loc[posts["post_id"], "pre_type"].to_numpy() == expected).all()
    assert u["pre_type"].nunique() > 1
    with pytest.raises(InputError, match="neither a pre_type/pretype column nor text_clean"):
        post_units(posts.drop(columns="text_clean"))


def test_post_units_columns_local_time_and_month(units):
    assert list(units.columns) == ["unit_id", "unit_type", "account", "posted_at", "local_date", "local_time",
                                   "month", "caption", "likes", "comments", "url", "media_files", "pre_type"]
    assert (units["unit_type"] == "post").all()
    assert units["posted_at"].is_monotonic_increasing
    posts = fake_posts().set_index("post_id")
    # 2020-01-31 20:00 UTC is 2020-02-01 03:00 in Jakarta: the local month decides the stratum
    one = post_units(fake_posts(3).assign(posted_at=pd.to_datetime(["2020-01-31T20:00:00Z"] * 3, utc=True)))
    assert set(one["month"]) == {"2020-02"} and set(one["local_time"]) == {"03:00"}
    assert set(one["local_date"]) == {"2020-02-01"}
    row = units.iloc[0]
    assert row["caption"] == posts.loc[row["unit_id"], "caption"] and row["likes"] == posts.loc[row["unit_id"], "likes"]
    assert units["likes"].dtype == "Int64"


def test_post_units_prefers_pre_type_and_rejects_empty():
    posts = fake_posts(10).assign(pre_type="news")
    assert set(post_units(posts)["pre_type"]) == {"news"}
    posts.loc[4, "pre_type"] = None
    with pytest.raises(InputError, match=r"demo/FAKE00004.json.xz, record 4 \(post 'FAKE00004'\): empty pre_type"):
        post_units(posts)


def test_post_units_errors_name_file_and_record():
    posts = fake_posts(5)
    posts.loc[3, "post_id"] = "FAKE00001"
    with pytest.raises(InputError, match=r"demo/FAKE00003.json.xz, record 3 \(post 'FAKE00001'\): duplicate post_id"):
        post_units(posts)
    with pytest.raises(InputError, match="lacks column"):
        post_units(fake_posts(5).drop(columns="url"))


def test_interview_units_keep_verbatim_and_paraphrase_visible():
    df = pd.read_csv(FIX / "interview_FICTIONAL.csv")
    u = interview_units(df)
    assert list(u["unit_id"]) == ["INT-01", "INT-02"]
    assert (u["unit_type"] == "interview").all()
    assert list(u["kind"]) == ["paraphrase", "verbatim"]
    assert u["display_text"].iloc[0].startswith("[paraphrase] ") and u["display_text"].iloc[1].startswith("[verbatim] ")
    with pytest.raises(InputError, match=r"interview_duplicate_FICTIONAL.csv, record 2 \(segment 'INT-01'\)"):
        interview_units(pd.read_csv(FIX / "interview_duplicate_FICTIONAL.csv"),
                        path=str(FIX / "interview_duplicate_FICTIONAL.csv"))
    with pytest.raises(InputError, match="kind must be"):
        interview_units(df.assign(kind="summary"))


# -- allocation -----------------------------------------------------------------------------------

def test_largest_remainder_worked_example():
    sizes = pd.Series({"a": 5, "b": 3, "c": 2})
    # exact quotas for n=7: 3.5, 2.1, 1.4 -> floors 3,2,1 (6), one more to the largest remainder (a)
    assert largest_remainder(sizes, 7).to_dict() == {"a": 4, "b": 2, "c": 1}
    # tie (remainders .5 and .5): the stratum whose key sorts first wins
    assert largest_remainder(pd.Series({"y": 1, "x": 1}), 1).to_dict() == {"x": 1, "y": 0}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=30), st.data())
def test_largest_remainder_properties(sizes, data):
    s = pd.Series(sizes, index=[f"s{i:02d}" for i in range(len(sizes))])
    n = data.draw(st.integers(min_value=0, max_value=int(s.sum())))
    q = largest_remainder(s, n)
    assert q.sum() == n
    assert (q <= s).all()
    if s.sum():
        exact = s * n / s.sum()
        assert ((q - exact).abs() < 1).all()


def test_allocation_table(units):
    a = allocation(units, 200)
    assert a["allocated"].sum() == 200 and a["population"].sum() == len(units)
    assert {"stratum", "month", "pre_type", "exact_quota", "remainder"} <= set(a.columns)
    assert ((a["allocated"] - a["exact_quota"]).abs() < 1).all()


# -- draw_sample ----------------------------------------------------------------------------------

def test_same_seed_same_sample_regardless_of_row_order(units):
    a = draw_sample(units, 150, overlap_n=30, seed=20210227)
    b = draw_sample(units.sample(frac=1, random_state=3), 150, overlap_n=30, seed=20210227)
    pd.testing.assert_frame_equal(a, b)


def test_different_seed_different_sample(units):
    a = draw_sample(units, 150, overlap_n=30, seed=1)
    b = draw_sample(units, 150, overlap_n=30, seed=2)
    assert set(a["unit_id"]) != set(b["unit_id"])
    # ... but the same allocation, which depends only on the strata
    assert a["stratum"].value_counts().sort_index().equals(b["stratum"].value_counts().sort_index())


def test_sample_is_stratified_proportionally(units):
    n = 240
    s = draw_sample(units, n, overlap_n=40, seed=7)
    assert len(s) == n and s["unit_id"].is_unique and set(s["unit_id"]) <= set(units["unit_id"])
    pop = units.groupby(["month", "pre_type"]).size()
    got = s.groupby(["month", "pre_type"]).size().reindex(pop.index, fill_value=0)
    exact = pop * n / len(units)
    assert ((got - exact).abs() < 1).all()
    assert got.to_numpy().tolist() == allocation(units, n)["allocated"].tolist()
    # the marginals follow the population too
    share = s["pre_type"].value_counts(normalize=True)
    pshare = units["pre_type"].value_counts(normalize=True)
    assert ((share - pshare).abs() < 0.03).all()


def test_overlap_and_order_columns(units):
    s = draw_sample(units, 100, overlap_n=25, seed=11)
    assert s["overlap"].dtype == bool and s["overlap"].sum() == 25
    assert s["order"].tolist() == list(range(1, 101))
    over = s[s["overlap"]].groupby("stratum").size()
    exact = s.groupby("stratum").size() * 25 / 100
    assert ((over.reindex(exact.index, fill_value=0) - exact).abs() < 1).all()
    # coding order is shuffled, not chronological
    assert not s["posted_at"].is_monotonic_increasing
    all_over = draw_sample(units, 50, overlap_n=50, seed=11)
    assert all_over["overlap"].all()
    assert not draw_sample(units, 50, overlap_n=0, seed=11)["overlap"].any()


def test_single_stratum_and_custom_strata(units):
    s = draw_sample(units, 60, overlap_n=10, seed=5, strata=("pre_type",))
    exact = units["pre_type"].value_counts() * 60 / len(units)
    got = s["pre_type"].value_counts().reindex(exact.index, fill_value=0)
    assert ((got - exact).abs() < 1).all()
    assert len(draw_sample(units, 10, overlap_n=2, seed=5, strata=())) == 10
    whole = draw_sample(units, len(units), overlap_n=0, seed=5)
    assert set(whole["unit_id"]) == set(units["unit_id"])


@pytest.mark.parametrize("kwargs, needle", [
    ({"n": 5000, "overlap_n": 0}, "exceeds the 1200 units"),
    ({"n": 10, "overlap_n": 11}, "overlap_n=11 exceeds"),
    ({"n": -1, "overlap_n": 0}, "non-negative integer"),
    ({"n": 10.5, "overlap_n": 0}, "non-negative integer"),
    ({"n": 10, "overlap_n": 1, "strata": ("district",)}, "lacks column(s) district"),
])
def test_bad_parameters(units, kwargs, needle):
    with pytest.raises(ConfigError) as err:
        draw_sample(units, seed=1, **kwargs)
    assert needle in str(err.value)


def test_interview_units_from_the_shipped_interview_record():
    df = pd.read_csv(ROOT / "data/raw/paper/interview.csv")
    u = interview_units(df)
    assert list(u["unit_id"]) == list(df["segment_id"])
    assert set(u["kind"]) <= {"verbatim", "paraphrase"} and "verbatim" in set(u["kind"])
    verb = u[u["kind"] == "verbatim"].iloc[0]
    assert verb["display_text"] == "[verbatim] " + verb["text"]


@pytest.mark.parametrize("request_, available, overlap, expected, n_notes", [
    (200, 165, 60, (165, 60), 1),
    (50, 165, 60, (50, 50), 1),
    ("all", 40, 10, (40, 10), 0),
    (0.1, 165, 5, (16, 5), 1),
    (0, 0, 0, (0, 0), 0),
])
def test_the_sample_size_fits_the_corpus(request_, available, overlap, expected, n_notes):
    size = sampling.sample_size(request_, available, overlap)
    assert (size.n, size.overlap_n) == expected and len(size.notes) == n_notes


def test_an_impossible_sample_request_is_named():
    for bad in ("most", 1.5, -3, True):
        with pytest.raises(ConfigError):
            sampling.sample_size(bad, 10, 0)
