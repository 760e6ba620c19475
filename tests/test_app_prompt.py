"""The coding app asks for a name when none is set, checks it, remembers it, and resumes where one left off."""

from __future__ import annotations

import pytest

try:
    from tests.browser_helpers import CODEBOOK, make_post_units
except ImportError:
    from browser_helpers import CODEBOOK, make_post_units
from civicposts.app import prompt
from civicposts.codebook import load_codebook
from civicposts.coding import CodingStore


@pytest.fixture()
def parts(tmp_path):
    prompt._REMEMBERED.clear()
    book = load_codebook(CODEBOOK)
    return make_post_units(tmp_path), book, CodingStore(tmp_path / "practice", book)


def test_without_a_name_the_app_asks_and_refuses_a_bad_one(parts):
    units, book, store = parts
    p = prompt.open_app(units, book, store, None, batch=False)
    assert isinstance(p, prompt.NamePrompt) and p.coder is None
    with pytest.raises(ValueError, match="letters, digits"):
        p.submit("ana lee/../x")
    p.widget  # shown: the name box takes the keyboard (the key bridge focuses it in the browser)
    assert p.keys.focus_selector == "input" and p.keys.root == ".civicposts-name-prompt"
    assert p.keys.coding_keys == []  # every key typed goes into the box
    p.name.value = "bad name!"  # typed in the box, Enter
    assert "must be" in p.message.value and p.app is None
    p.name.value = "ana"
    assert p.coder == "ana" and p.out.children == (p.app.widget,)
    # the app sits beside the prompt, not inside it: its keys are its own
    assert p.app.widget not in p._root.children and p.widget.children == (p._root, p.out)


def test_the_name_is_remembered_and_the_app_resumes_at_the_first_unfinished_unit(parts):
    units, book, store = parts
    app = prompt.open_app(units, book, store, "ana", batch=False)
    assert app.index == 0
    for uid in units["unit_id"][:2]:  # ana finishes the first two posts
        for vid in book.variables_for("post"):
            store.append("ana", uid, "post", vid, [book.variables[vid].code_ids()[0]])
    again = prompt.open_app(units, book, store, None, batch=False)  # re-run of the cell: no prompt
    assert not isinstance(again, prompt.NamePrompt)
    assert again.coder == "ana" and again.index == 2  # the first post ana has not finished


def test_a_batch_run_without_a_name_shows_no_prompt(parts, capsys):
    units, book, store = parts
    p = prompt.open_app(units, book, store, None, batch=True)
    p.show()
    assert not p._built
