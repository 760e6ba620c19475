"""Keyboard coding, headless: the key map, and keys pressed into the app save what clicks would.

Units are FICTIONAL (tests/browser_helpers.py); the codebook is the study's codebook. The browser side
(keys kept from JupyterLab) is tested in tests/test_browser.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

try:  # tests/ is a package (tests/__init__.py)
    from tests.browser_helpers import CODEBOOK, make_post_units
except ImportError:  # tests/ run as plain folder
    from browser_helpers import CODEBOOK, make_post_units
from civicposts.app import CodingApp, keys
from civicposts.codebook import load_codebook


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(CODEBOOK)


@pytest.fixture
def app(tmp_path, codebook):
    a = CodingApp(make_post_units(tmp_path), codebook, tmp_path / "coding", "ana", media_root=tmp_path, batch=False)
    a.widget
    return a


def saved(tmp_path: Path) -> list[tuple]:
    path = tmp_path / "coding" / "ana.jsonl"
    recs = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    return [(r["unit_id"], r["variable"], tuple(r["codes"])) for r in recs]


def test_key_map():
    assert keys.command_for("1") == keys.Command("pick", 0)
    assert keys.command_for("0") == keys.Command("pick", 9)
    assert keys.command_for("Tab") == keys.Command("variable", 1)
    assert keys.command_for("Tab", shift=True) == keys.Command("variable", -1)
    assert keys.command_for("ArrowUp") == keys.Command("variable", -1)
    assert keys.command_for("n") == keys.command_for("ArrowRight") == keys.Command("next")
    assert keys.command_for("u") == keys.Command("uncoded")
    # JupyterLab's dangerous command-mode keys are not coding keys: the browser side swallows them
    for k in ("b", "a", "x", "z", "Enter", "m", "Escape"):
        assert keys.command_for(k) is None
    assert set(keys.KEYS).isdisjoint(keys.BROWSER_KEYS)
    assert keys.key_label(0) == "1" and keys.key_label(9) == "0" and keys.key_label(10) == ""


def test_every_key_of_the_map_is_in_the_legend():
    legend = keys.legend_html()
    for shown in ("1–9, 0", "Tab", "n", "p", "u", "d", "m", "/", "Esc"):
        assert f"<kbd>{shown}" in legend


def test_buttons_show_the_key_that_picks_them(app):
    labels = [label for label, _v in app.controls["post_type"].options]
    assert labels[0].startswith("1 · ") and labels[4].startswith("5 · ")
    assert app.controls["topic"]["other"].description.startswith("0 · ")  # the tenth topic code


def test_number_keys_code_the_highlighted_variable_and_single_choice_moves_on(app, tmp_path):
    assert app.focused_variable.id == "post_type"
    assert "cp-focus" in app._rows["post_type"]._dom_classes
    assert app.press("1")  # complaint
    assert app.focused_variable.id == "topic" and "cp-focus" not in app._rows["post_type"]._dom_classes
    app.press("1")  # roads
    app.press("3")  # waste
    app.press("3")  # waste again: unticked
    app.press("Tab")
    assert app.focused_variable.id == "gov_response"
    app.press("1")  # none
    assert app.focused_variable.id == "official_mentioned"
    app.press("9")  # none (exclusive)
    assert saved(tmp_path) == [
        ("FICT001", "post_type", ("complaint",)), ("FICT001", "topic", ("roads",)),
        ("FICT001", "topic", ("roads", "waste")), ("FICT001", "topic", ("roads",)),
        ("FICT001", "gov_response", ("none",)), ("FICT001", "official_mentioned", ("none",))]
    assert app.is_coded(0)
    assert app.controls["topic"]["roads"].value and not app.controls["topic"]["waste"].value


def test_a_key_past_the_last_code_saves_nothing_and_says_so(app, tmp_path):
    app.press("Tab", shift=True)  # wraps to the last variable
    assert app.focused_variable.id == "official_mentioned"
    app.press("Tab")
    app.press("Tab")
    assert app.focused_variable.id == "topic"
    app.press("ArrowUp")
    assert app.press("9")  # post_type has five codes
    assert saved(tmp_path) == []
    assert "has 5 codes" in app.saved.value


def test_navigation_keys_and_focus_resets_on_a_new_post(app, tmp_path):
    app.press("Tab")
    app.press("n")
    assert app.index == 1 and app.focused_variable.id == "post_type"
    app.press("ArrowLeft")
    assert app.index == 0
    for k in "1121":  # complaint; then topic: roads, flooding, roads again (unticked)
        app.press(k)
    app.press("Tab")
    app.press("1")
    app.press("9")
    assert app.is_coded(0)
    app.press("u")
    assert app.index == 1
    app.press("p")
    app.press("u")
    assert app.index == 1  # the next not fully coded post


def test_definitions_are_on_demand(app):
    assert all(d.layout.display == "none" for d in app._defs.values())
    app.press("d")
    assert app.definitions.value and all(d.layout.display is None for d in app._defs.values())
    app.definitions.value = False  # the toggle button does the same
    assert all(d.layout.display == "none" for d in app._defs.values())


def test_other_keys_are_not_coding_keys(app, tmp_path):
    assert not app.press("b") and not app.press("Enter")
    assert saved(tmp_path) == []


def test_the_bridge_is_inside_the_app_and_forwards_messages(app, tmp_path):
    assert app.keys in app.widget.children
    assert app.keys.root == ".civicposts-coding-app" and "civicposts-coding-app" in app.widget._dom_classes
    assert set(app.keys.coding_keys) == set(keys.KEYS)
    # a message from the browser, as keyboard.js sends it
    app.keys._handle_custom_msg({"key": "2", "shift": False}, [])
    assert saved(tmp_path) == [("FICT001", "post_type", ("news",))]
    js = Path(keys.__file__).with_name("keyboard.js").read_text(encoding="utf-8")
    assert "stopPropagation" in js and "data-lm-suppress-shortcuts" in js


def test_markup_escapes_the_units_text_and_keys_the_labels():
    from civicposts.app import markup

    assert markup.keyed(0, "Roads") == "1 · Roads" and markup.keyed(9, "Other") == "0 · Other"
    assert markup.keyed(10, "Eleventh") == "Eleventh"  # past the tenth code: mouse only
    assert markup.one_line(" a\n b\t c ") == "a b c"
    body = markup.text_html("<b>jalan</b>\nrusak", "(no caption)")
    assert "&lt;b&gt;jalan&lt;/b&gt;" in body and "pre-wrap" in body
    assert markup.text_html("", "(no caption)") == "<i>(no caption)</i>"
    assert "cp-focus" in markup.STYLE and "max-height:200px" in markup.view_html("h", "", body, "")
