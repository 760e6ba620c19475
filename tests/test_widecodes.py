"""The wide table for statistics packages: one row per unit, 0/1 per code, missing where undecided, span counts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from civicposts import widecodes
from civicposts.codebook import load_codebook

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def book():
    return load_codebook(ROOT / "data/raw/coding/codebook.yaml")


def _final(rows):
    return pd.DataFrame([{"unit_id": u, "unit_type": t, "variable": v, "codes": c, "status": s}
                         for u, t, v, c, s in rows])


def test_one_row_per_unit_with_zero_one_and_missing(book):
    final = _final([("P1", "post", "topic", ["roads", "waste"], "agreed"),
                    ("P1", "post", "post_type", ["complaint"], "adjudicated"),
                    ("P2", "post", "topic", None, "unresolved"),
                    ("INT-01", "interview", "interview_theme", ["limited_reach"], "single_coder")])
    spans = pd.DataFrame([
        {"unit_id": "P1", "unit_type": "post", "variable": "topic", "codes": ["roads"], "removed": False, "problem": None},
        {"unit_id": "P1", "unit_type": "post", "variable": "topic", "codes": ["roads"], "removed": False, "problem": None},
        {"unit_id": "P1", "unit_type": "post", "variable": "topic", "codes": ["waste"], "removed": True, "problem": None},
        {"unit_id": "P2", "unit_type": "post", "variable": "topic", "codes": ["waste"], "removed": False,
         "problem": "text changed"},
    ])
    wide = widecodes.codes_wide(final, book, spans).set_index("unit_id")
    assert list(wide.index) == ["INT-01", "P1", "P2"]
    assert (wide.loc["P1", "topic_roads"], wide.loc["P1", "topic_waste"], wide.loc["P1", "topic_other"]) == (1, 1, 0)
    assert wide.loc["P1", "post_type_complaint"] == 1 and wide.loc["P1", "post_type_status"] == "adjudicated"
    assert pd.isna(wide.loc["P2", "topic_roads"]) and wide.loc["P2", "topic_status"] == "unresolved"
    assert pd.isna(wide.loc["P1", "interview_theme_limited_reach"])  # a variable of another unit type
    assert wide.loc["INT-01", "interview_theme_limited_reach"] == 1
    assert wide.loc["P1", "n_spans_topic_roads"] == 2  # removed and orphaned spans are not counted
    assert wide.loc["P1", "n_spans_topic_waste"] == 0 and wide.loc["P2", "n_spans_topic_waste"] == 0
    assert pd.isna(wide.loc["INT-01", "n_spans_topic_roads"])


def test_column_names_suit_stata_and_spss_and_the_dictionary_names_them(book):
    wide = widecodes.codes_wide(_final([("P1", "post", "topic", ["roads"], "agreed")]), book, None)
    names = list(wide.columns)
    assert all(len(n) <= 32 and n[0].isalpha() and n.replace("_", "").isalnum() for n in names)
    assert len({n.lower() for n in names}) == len(names)
    d = widecodes.dictionary(book, with_spans=False)
    assert list(d["column"]) == names
    long = d.loc[d["column"].str.startswith("official_mentioned_enviro")].iloc[0]
    assert (long.variable, long.code) == ("official_mentioned", "environment_sanitation")
