"""The passage editor's state (no browser): spans added, merged per code, removed as new lines, refused when
invalid, offsets in characters of the unconverted text; the browser side is in test_browser.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicposts.app.passages import PassagePanel, PassageSession
from civicposts.codebook import load_codebook
from civicposts.coding import CodingStore

ROOT = Path(__file__).resolve().parents[1]
TEXT = "  Akun itu 🙏 menjangkau warga yang tidak bisa saya jangkau."


@pytest.fixture()
def session(tmp_path):
    book = load_codebook(ROOT / "data/raw/coding/codebook.yaml")
    s = PassageSession(CodingStore(tmp_path / "coding", book), book, "ana")
    s.show("INT-1", "interview", TEXT)
    return s


def test_codes_are_the_unit_types_own(session):
    codes = session.codes()
    assert {c["variable"] for c in codes} == {"interview_theme"}
    assert all(c["color"].startswith("#") and c["group"] == "Interview theme" for c in codes)


def test_add_merges_codes_of_a_choose_any_variable_and_remove_appends(session):
    start = TEXT.index("menjangkau")  # after an emoji: Python counts it as one character
    session.add("interview_theme", "limited_reach", start, start + 10)
    session.add("interview_theme", "real_time_communication", start, start + 10)
    [span] = session.spans()
    assert span["codes"] == ["limited_reach", "real_time_communication"] and span["passage"] == "menjangkau"
    session.remove("interview_theme", start, start + 10, "limited_reach")
    assert session.spans()[0]["codes"] == ["real_time_communication"]
    session.remove("interview_theme", start, start + 10)
    assert session.spans() == []
    lines = session.store.path_for("ana").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4  # every change one more line


def test_a_changed_text_marks_the_span_stale(session):
    session.add("interview_theme", "limited_reach", 2, 6)
    session.show("INT-1", "interview", "X" + TEXT)
    assert session.spans()[0]["stale"] is True


def test_the_panel_reports_what_it_could_not_save(session):
    panel = PassagePanel(session.store, session.codebook, "ana")
    panel.show({"unit_id": "INT-1", "unit_type": "interview", "raw_text": TEXT, "text": TEXT.strip()})
    assert panel.widget.text == TEXT  # the text as the pipeline keeps it, not the stripped display text
    panel.handle({"action": "add", "variable": "interview_theme", "code": "roads", "start": 2, "end": 6})
    assert panel.widget.status.startswith("not saved") and panel.widget.spans == []
    panel.handle({"action": "add", "variable": "interview_theme", "code": "limited_reach", "start": 2, "end": 999})
    assert "not a passage" in panel.widget.status
    panel.handle({"action": "add", "variable": "interview_theme", "code": "limited_reach", "start": 2, "end": 6})
    assert panel.widget.status.startswith("saved") and len(panel.widget.spans) == 1
