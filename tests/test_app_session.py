"""The coding session on its own: state and rules with no widget anywhere."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

try:
    from tests.browser_helpers import CODEBOOK, make_post_units
except ImportError:  # pragma: no cover - run from inside tests/
    from browser_helpers import CODEBOOK, make_post_units
from civicposts.app import CodingSession
from civicposts.codebook import load_codebook
from civicposts.coding import CodingStore


@pytest.fixture(scope="module")
def book():
    return load_codebook(CODEBOOK)


@pytest.fixture
def session(tmp_path, book):
    return CodingSession(make_post_units(tmp_path, with_images=False), book, tmp_path / "coding", "ana")


def lines(tmp_path):
    path = tmp_path / "coding" / "ana.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def test_no_widget_library_is_needed(tmp_path):
    """A session is plain state: building and using one never imports the widget library."""
    import subprocess

    code = ("import sys; from pathlib import Path; from tests.browser_helpers import CODEBOOK, make_post_units; "
            "from civicposts.app.session import CodingSession; "
            f"s = CodingSession(make_post_units(Path({str(tmp_path)!r}), with_images=False), CODEBOOK, "
            f"Path({str(tmp_path)!r}) / 'coding', 'ana'); s.choose('post_type', 'news'); s.next(); "
            "assert s.progress() == (0, 6) and s.index == 1; assert 'ipywidgets' not in sys.modules, 'imported'")
    run = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]


def test_exclusive_code_and_the_other_codes_rule_each_other_out(session, tmp_path):
    assert session.toggle("official_mentioned", "public_works", True).codes == ("public_works",)
    assert session.toggle("official_mentioned", "regional_secretary", True).codes == (
        "public_works", "regional_secretary")
    assert session.toggle("official_mentioned", "none", True).codes == ("none",)  # exclusive: clears the others
    assert session.toggle("official_mentioned", "public_works", True).codes == ("public_works",)
    assert [tuple(r["codes"]) for r in lines(tmp_path)] == [
        ("public_works",), ("public_works", "regional_secretary"), ("none",), ("public_works",)]


def test_the_last_code_cannot_be_unticked(session, tmp_path):
    session.toggle("topic", "roads", True)
    out = session.toggle("topic", "roads", False)
    assert not out.saved and "needs at least one code" in out.message and out.codes == ("roads",)
    assert len(lines(tmp_path)) == 1


def test_a_memo_waits_for_the_first_code_then_goes_with_every_coded_variable(session, tmp_path):
    assert not session.set_memo("kept (fictional)").saved and lines(tmp_path) == []
    session.next()
    session.previous()
    assert session.memo_of() == "kept (fictional)"
    session.choose("post_type", "complaint")
    session.toggle("topic", "roads", True)
    session.set_memo("changed (fictional)")
    assert [(r["variable"], r["memo"]) for r in lines(tmp_path)][-2:] == [
        ("post_type", "changed (fictional)"), ("topic", "changed (fictional)")]


def test_progress_navigation_and_next_uncoded(session):
    for variable, code in (("post_type", "news"), ("gov_response", "none")):
        session.choose(variable, code)
    session.toggle("topic", "roads", True)
    session.toggle("official_mentioned", "none", True)
    assert session.progress() == (1, 6) and session.is_coded(0)
    assert session.next_uncoded() and session.index == 1
    session.go_to("FICT006")
    assert session.next() == 5 and session.previous() == 4
    with pytest.raises(KeyError):
        session.go_to("nope")


def test_another_session_of_the_same_coder_is_taken_in(tmp_path, book):
    units = make_post_units(tmp_path, with_images=False)
    a = CodingSession(units, book, tmp_path / "coding", "ana")
    b = CodingSession(units, book, tmp_path / "coding", "ana")
    a.choose("post_type", "complaint")
    assert b.codes("post_type") == () and b.sync() == 1 and b.codes("post_type") == ("complaint",)
    assert b.sync() == 0


def test_a_follow_up_links_the_complaint_it_answers(tmp_path, book):
    units = make_post_units(tmp_path, with_images=False)
    s = CodingSession(units, book, tmp_path / "coding", "ana")
    s.choose("post_type", "complaint")
    s.go_to(len(units) - 1)
    s.choose("post_type", "official_followup")
    assert s.is_followup()
    candidates = s.relation_candidates()
    assert candidates == [units["unit_id"].iloc[0]]
    assert s.set_relation(candidates[0]).saved and s.relation_target() == candidates[0]
    dec = CodingStore(tmp_path / "coding", book).decisions("ana")
    row = dec[(dec.unit_id == units["unit_id"].iloc[-1]) & (dec.variable == "post_type")].iloc[0]
    assert row.relation_target == candidates[0] and row.relation_type == "follows_up"


def test_read_since_gives_only_new_complete_lines(tmp_path, book):
    store = CodingStore(tmp_path / "coding", book)
    store.append("ana", "P1", "post", "post_type", ["news"])
    recs, offset = store.read_since("ana", 0)
    assert [r["unit_id"] for r in recs] == ["P1"]
    with open(store.path_for("ana"), "ab") as fh:
        fh.write(b'{"unit_id": "P2"')  # a line still being written
    assert store.read_since("ana", offset) == ([], offset)
