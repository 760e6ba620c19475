"""Spans: coded passages appended, kept apart from whole-unit decisions, removable, checked, and orphaned (never
shifted) when their text changes."""

from __future__ import annotations

from pathlib import Path

import orjson
import pandas as pd
import pytest

from civicposts.codebook import load_codebook
from civicposts.coding import CodingStore, read_coder_file
from civicposts.errors import InputError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def book():
    return load_codebook(ROOT / "data/raw/coding/codebook.yaml")


@pytest.fixture()
def store(tmp_path, book):
    return CodingStore(tmp_path / "coding", book)


# -- spans: passages of a unit's text --------------------------------------------------------------------

SEGMENT = "Kami pantau akun itu setiap hari dan langsung turun ke lapangan."


def test_span_lines_are_appended_kept_apart_from_decisions_and_removable(store):
    from civicposts.coding import span_hash

    store.append_span("ana", "INT-01", "interview", "interview_theme", ["info_source_for_officials"], SEGMENT, 0, 20,
                      memo="monitoring", timestamp="2021-03-01T00:00:00Z")
    store.append_span("ana", "INT-01", "interview", "interview_theme", ["real_time_communication"], SEGMENT, 37, 63,
                      timestamp="2021-03-01T00:00:01Z")
    store.append("ana", "INT-01", "interview", "interview_theme", ["limited_reach"], timestamp="2021-03-01T00:00:02Z")
    first = orjson.loads(store.path_for("ana").read_bytes().splitlines()[0])
    assert list(first)[-1] == "span" and first["span"] == {"start": 0, "end": 20,
                                                           "text_sha256": span_hash(SEGMENT[0:20])}
    spans = store.spans("ana")
    assert spans[["start", "end"]].values.tolist() == [[0, 20], [37, 63]]
    assert spans["memo"].tolist() == ["monitoring", ""]
    dec = store.decisions("ana")  # the whole-unit decision only
    assert dec["codes"].tolist() == [("limited_reach",)]
    # removing a span is one more line; the earlier ones stay
    before = store.path_for("ana").read_bytes()
    store.append_span("ana", "INT-01", "interview", "interview_theme", [], SEGMENT, 37, 63,
                      timestamp="2021-03-01T00:00:03Z")
    assert store.path_for("ana").read_bytes().startswith(before)
    assert store.spans("ana")[["start", "end"]].values.tolist() == [[0, 20]]
    assert len(store.spans("ana", keep_removed=True)) == 2


def test_span_offsets_and_codes_are_checked_before_writing(store):
    with pytest.raises(InputError, match="not a passage"):
        store.append_span("ana", "INT-01", "interview", "interview_theme", ["limited_reach"], SEGMENT, 10, 999)
    with pytest.raises(InputError, match="not a code"):
        store.append_span("ana", "INT-01", "interview", "interview_theme", ["roads"], SEGMENT, 0, 5)
    with pytest.raises(InputError, match="applies to"):
        store.append_span("ana", "P1", "post", "interview_theme", [], SEGMENT, 0, 5)
    assert not store.path_for("ana").exists()


def test_span_whose_text_changed_is_an_orphan_never_shifted(store):
    from civicposts.coding import span_orphans

    store.append_span("ana", "INT-01", "interview", "interview_theme", ["limited_reach"], SEGMENT, 5, 11)
    spans = store.spans("ana")
    assert span_orphans(spans, {"INT-01": SEGMENT}).empty
    # the same passage after text elsewhere changed is still the coded passage
    assert span_orphans(spans, {"INT-01": SEGMENT[:40] + "!!"}).empty
    moved = span_orphans(spans, {"INT-01": "Dan " + SEGMENT})
    assert len(moved) == 1 and "not the coded passage" in moved["problem"].iat[0]
    gone = span_orphans(spans, {})
    assert "no longer in the unit table" in gone["problem"].iat[0]
    assert len(store.spans("ana")) == 1  # nothing was dropped from the coder file


@pytest.mark.parametrize("span, needle", [
    ({"start": 5, "end": 5, "text_sha256": "0" * 64}, "0 <= start < end"),
    ({"start": -1, "end": 5, "text_sha256": "0" * 64}, "0 <= start < end"),
    ({"start": 0, "end": 5, "text_sha256": "xyz"}, "64 lower-case hex"),
    ({"start": 0, "end": 5}, "'span' must be null"),
])
def test_bad_span_lines_are_named(tmp_path, span, needle):
    good = {"unit_id": "INT-01", "unit_type": "interview", "variable": "interview_theme", "codes": ["limited_reach"],
            "coder": "ana", "timestamp": "2021-03-01T00:00:00.000000Z", "memo": "", "relation": None,
            "codebook_version": "1.0.0"}
    path = tmp_path / "ana.jsonl"
    path.write_bytes(orjson.dumps(good) + b"\n" + orjson.dumps({**good, "span": span}) + b"\n")
    with pytest.raises(InputError, match=needle) as err:
        read_coder_file(path)
    assert "line 2" in str(err.value)


def test_fast_and_checked_readers_agree_on_span_files(store):
    from civicposts import coding

    store.append_span("ana", "INT-01", "interview", "interview_theme", ["limited_reach"], SEGMENT, 0, 4)
    store.append("ana", "P1", "post", "topic", ["roads"])
    data = store.path_for("ana").read_bytes()
    fast = coding._read_fast(str(store.path_for("ana")), data)
    checked = coding._read_checked(str(store.path_for("ana")), data)
    assert fast is not None
    pd.testing.assert_frame_equal(fast, checked)
    assert fast["span_start"].tolist() == [0, None]


def test_app_feed_ignores_span_lines(store, book):
    from civicposts.app.session import open_store

    adapter = open_store(store, book, "ana")
    adapter.changes()
    store.append_span("ana", "INT-01", "interview", "interview_theme", ["limited_reach"], SEGMENT, 0, 4)
    store.append("ana", "P1", "post", "topic", ["roads"])
    assert list(adapter.changes()) == [("P1", "topic")]


def test_span_table_keeps_removed_and_orphaned_spans_flagged(store):
    from civicposts.spans import span_table

    store.append_span("ana", "INT-01", "interview", "interview_theme", ["limited_reach"], SEGMENT, 0, 4,
                      timestamp="2021-03-01T00:00:00Z")
    store.append_span("ana", "INT-01", "interview", "interview_theme", ["limited_reach"], SEGMENT, 5, 11,
                      timestamp="2021-03-01T00:00:01Z")
    store.append_span("ana", "INT-01", "interview", "interview_theme", [], SEGMENT, 5, 11,
                      timestamp="2021-03-01T00:00:02Z")
    table = span_table(store.history("ana"), {"INT-01": SEGMENT})
    assert table[["start", "removed", "passage"]].values.tolist() == [[0, False, "Kami"], [5, True, "pantau"]]
    assert table["problem"].isna().all() and table["unit_text"].tolist() == [SEGMENT, SEGMENT]
    moved = span_table(store.history("ana"), {"INT-01": "X" + SEGMENT})
    assert moved["problem"].notna().all() and moved["passage"].isna().all()
