"""The coding app in a real browser: JupyterLab + Debian's Chromium driven by Playwright.

Each test starts JupyterLab on 127.0.0.1 (random free port, token, settings in a temporary folder) and
drives it as a person would. Chromium must be at /usr/bin/chromium (``apt-get install -y chromium``):
without it these tests fail, they do not skip.

- coding by clicking: the fixture notebook (tests/fixtures/app/coding_app_test.ipynb) with FICTIONAL posts,
  two posts coded with the mouse, the coder's file holds exactly those codings;
- coding passages: the passage editor opened, a passage selected with the keyboard (Shift+arrows) and one
  with the mouse (a double click), each coded with a code button, one removed; the coder's file holds those
  spans at the right character offsets, highlighted in the text;
- the layout on a 1366x768 laptop: every FICTIONAL post's caption, codes and navigation on one screen;
- the student journey: ``notebooks/06_start_here.ipynb`` in a built copy of the repository, the name typed
  at the prompt, ten posts coded with the keyboard only, JupyterLab's own keys ("b", "d d") doing nothing to
  the notebook, feedback on all ten posts, and the study unchanged (its files, and a rebuild that
  reproduces the published manifest).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

try:  # tests/ is a package (tests/__init__.py)
    from tests.browser_helpers import (in_viewport, jupyter_lab, launch_chromium, make_post_units, open_notebook,
                                       run_all_cells, wait_idle, write_app_notebook)
    from tests.conftest import make
except ImportError:  # tests/ run as plain folder
    from browser_helpers import (in_viewport, jupyter_lab, launch_chromium, make_post_units, open_notebook,
                                 run_all_cells, wait_idle, write_app_notebook)
    from conftest import make

CODER = "browser_coder"

EXPECTED = [
    ("FICT001", "post_type", ["complaint"]),
    ("FICT001", "topic", ["roads"]),
    ("FICT001", "topic", ["roads", "waste"]),
    ("FICT002", "post_type", ["news"]),
    ("FICT002", "gov_response", ["none"]),
]


def _coded(store: Path, coder: str = CODER) -> list[tuple]:
    path = store / f"{coder}.jsonl"
    if not path.exists():
        return []
    recs = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [(r["unit_id"], r["variable"], r["codes"]) for r in recs]


def _wait_for_file(store: Path, n: int, timeout: float = 15.0, coder: str = CODER) -> list[tuple]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = _coded(store, coder)
        if len(got) >= n:
            return got
        time.sleep(0.1)
    return _coded(store, coder)


class Phases:
    """Timestamps of a browser test's steps, printed when it fails (and at the end)."""

    def __init__(self) -> None:
        self.t0, self.items = time.monotonic(), []

    def __call__(self, what: str) -> None:
        self.items.append(f"{what} {time.monotonic() - self.t0:.1f}s")

    def __str__(self) -> str:
        return "; ".join(self.items)


def _report_failure(page, tmp_path: Path, mark: Phases) -> None:
    """Keep a screenshot of the page and print the steps reached, for the failing test's log."""
    page.screenshot(path=str(tmp_path / "failure.png"))
    print("phases:", mark, "; screenshot:", tmp_path / "failure.png")


@contextlib.contextmanager
def _app_page(tmp_path: Path, mark: Phases, viewport: tuple[int, int]) -> Iterator[tuple[Any, Path]]:
    """The fixture notebook opened and run in JupyterLab in Chromium at ``viewport`` (width, height): the page
    and the coder files' folder. A failure inside keeps a screenshot; the browser is always closed."""
    from playwright.sync_api import sync_playwright

    root, store = _fixture_lab(tmp_path)
    token = secrets.token_hex(16)
    with jupyter_lab(root, token=token) as base, sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        page.set_default_timeout(45_000)
        try:
            open_notebook(page, base, token, "coding_app_test.ipynb", mark)
            run_all_cells(page, mark)
            yield page, store
        except Exception:
            _report_failure(page, tmp_path, mark)
            raise
        finally:
            browser.close()


def _fixture_lab(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "lab"
    root.mkdir()
    units = make_post_units(root)
    units_json = root / "units_FICTIONAL.json"
    units_json.write_text(units.to_json(orient="records", date_format="iso"), encoding="utf-8")
    store = tmp_path / "coding"
    write_app_notebook(root, coder=CODER, store=store, media_root=root, units_json=units_json)
    return root, store


@pytest.mark.browser
def test_code_two_posts_by_clicking_in_jupyterlab(tmp_path):
    from playwright.sync_api import expect

    mark = Phases()
    with _app_page(tmp_path, mark, (1400, 1000)) as (page, store):
        mark("cells running")

        app = page.locator(".civicposts-coding-app")
        expect(app).to_be_visible(timeout=45_000)
        mark("app shown")
        expect(app).to_contain_text("FICT001")
        expect(app).to_contain_text("1 of 6")
        # the unit's image was read and shown
        expect(app.locator("img")).to_have_count(1)

        post_type = app.locator(".cp-post_type button")
        post_type.filter(has_text="Citizen complaint").click()  # "1 · Citizen complaint"
        expect(app).to_contain_text("saved")
        app.locator(".cp-topic-roads input[type=checkbox]").click()
        expect(app.locator(".cp-topic-roads input[type=checkbox]")).to_be_checked()
        app.locator(".cp-topic-waste input[type=checkbox]").click()
        expect(app.locator(".cp-topic-waste input[type=checkbox]")).to_be_checked()
        assert len(_wait_for_file(store, 3)) == 3

        app.locator("button", has_text="next ▶").click()
        expect(app).to_contain_text("FICT002")
        expect(app).to_contain_text("2 of 6")
        expect(app.locator("img")).to_have_count(3)  # a carousel of three images
        expect(app.locator(".cp-topic-roads input[type=checkbox]")).not_to_be_checked()
        post_type.filter(has_text="News").click()
        app.locator(".cp-gov_response button").filter(has_text="No response").click()
        got = _wait_for_file(store, len(EXPECTED))
        mark("two posts coded")

    print("phases:", mark)
    assert got == EXPECTED


def _spans(store: Path, coder: str = CODER) -> list[tuple]:
    path = store / f"{coder}.jsonl"
    recs = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()] if path.exists() else []
    return [(r["unit_id"], r["variable"], r["codes"], r["span"]["start"], r["span"]["end"]) for r in recs if "span" in r]


def _wait_for_spans(store: Path, n: int, timeout: float = 15.0) -> list[tuple]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(_spans(store)) < n:
        time.sleep(0.1)
    return _spans(store)


@pytest.mark.browser
def test_code_passages_by_keyboard_and_mouse(tmp_path):
    from playwright.sync_api import expect

    try:
        from tests.browser_helpers import FICTIONAL_POSTS
    except ImportError:
        from browser_helpers import FICTIONAL_POSTS

    caption = FICTIONAL_POSTS[0][2]
    mark = Phases()
    with _app_page(tmp_path, mark, (1366, 768)) as (page, store):
        app = page.locator(".civicposts-coding-app")
        expect(app).to_contain_text("FICT001", timeout=45_000)
        editor = app.locator(".cp-passage-editor")
        expect(editor).to_be_hidden()  # hidden until asked: one post still fits the screen
        app.locator(".cp-passages-toggle").click()
        expect(editor).to_be_visible()
        text = editor.locator(".cp-passage-text")
        expect(text).to_have_text(caption)
        mark("editor shown")
        # keyboard: into the text, caret to "jalan", Shift+arrows over "jalan berlubang", a code by Enter
        start = caption.index("jalan berlubang")
        text.focus()
        page.keyboard.press("Control+Home")
        for _ in range(start):
            page.keyboard.press("ArrowRight")
        for _ in range(len("jalan berlubang")):
            page.keyboard.press("Shift+ArrowRight")
        expect(editor.locator(".cp-passage-selection")).to_contain_text("jalan berlubang")
        editor.locator(".cp-passage-topic-roads").focus()
        page.keyboard.press("Enter")
        assert _wait_for_spans(store, 1) == [("FICT001", "topic", ["roads"], start, start + 15)]
        expect(text.locator("mark")).to_have_count(1)
        expect(text.locator("mark")).to_have_text("jalan berlubang")
        mark("keyboard passage saved")
        # mouse: a double click selects the word "pasar", a click codes it
        page.evaluate("""(word) => {
            const el = document.querySelector('.cp-passage-text');
            const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            let node; while ((node = walker.nextNode())) { const i = node.data.indexOf(word);
              if (i >= 0) { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
                const b = r.getBoundingClientRect(); window.__cpWord = [b.x + 1, b.y + b.height / 2]; return; } }
        }""", "pasar")
        x, y = page.evaluate("window.__cpWord")
        page.mouse.dblclick(x, y)
        expect(editor.locator(".cp-passage-selection")).to_contain_text("pasar")
        editor.locator(".cp-passage-post_type-complaint").click()
        p0 = caption.index("pasar")
        got = _wait_for_spans(store, 2)
        assert got[1] == ("FICT001", "post_type", ["complaint"], p0, p0 + 5)
        expect(text.locator("mark")).to_have_count(2)
        # removing a passage is one more line; the highlight goes
        editor.locator(".cp-passage-remove").first.click()
        got = _wait_for_spans(store, 3)
        assert got[2] == ("FICT001", "topic", [], start, start + 15)
        expect(text.locator("mark")).to_have_count(1)
        mark("mouse passage saved, one removed")
    print("phases:", mark)


@pytest.mark.browser
def test_one_post_fits_a_1366x768_laptop(tmp_path):
    """Every FICTIONAL post (a carousel of three images among them) shows its caption, its codes and the
    navigation together on a 1366x768 screen with JupyterLab's file browser open, definitions hidden."""
    from playwright.sync_api import expect

    mark = Phases()
    heights = []
    with _app_page(tmp_path, mark, (1366, 768)) as (page, _store):
        app = page.locator(".civicposts-coding-app")
        expect(app).to_be_visible(timeout=45_000)
        expect(app).to_be_focused()  # the app takes the keys (and scrolls into view) when it appears
        mark("app shown")
        status = page.locator(".jp-StatusBar-Widget").first.bounding_box()
        for n in range(1, 7):
            expect(app).to_contain_text(f"{n} of 6")
            if n == 2:
                expect(app.locator("img")).to_have_count(3)
            page.wait_for_timeout(300)  # let the page lay the new post out
            box = app.bounding_box()
            heights.append(round(box["height"]))
            for part in (app.locator(".cp-header"), app.locator(".cp-text"),
                         app.locator("button", has_text="next ▶"), app.locator("button", has_text="previous"),
                         app.locator(".cp-var-post_type"), app.locator(".cp-var-official_mentioned")):
                assert in_viewport(page, part), f"post {n}: {part} is not on the screen"
            last = app.locator(".cp-var-official_mentioned").bounding_box()
            assert last["y"] + last["height"] <= status["y"], f"post {n}: the last codes are under the status bar"
            page.keyboard.press("n")
        mark(f"six posts laid out, app heights (px): {heights}")
    print("phases:", mark, "; app heights (px):", heights)


STUDENT = "kb_student"
_SKIP_IN_COPY = ("reports", "data/processed", "build", ".jupyter-test")


def _digests(tree: Path) -> dict[str, str]:
    """sha256 of the study's coder files, processed data and reports."""
    files = [*tree.glob("coding/*.jsonl"), *(tree / "data" / "processed").rglob("*"), *(tree / "reports").rglob("*")]
    return {p.relative_to(tree).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(files) if p.is_file()}


@pytest.mark.slow
@pytest.mark.browser
def test_student_journey_by_keyboard_leaves_the_study_as_it_was(mutable_tree, tmp_path):
    """06_start_here as a student meets it: the name typed at the prompt, ten posts coded with the keyboard
    only (JupyterLab's own keys pressed in the app do nothing to the notebook), the tab reloaded half way
    and the app resumed at the first post left, feedback on all ten; afterwards the study's files are unchanged and a rebuild from the tree,
    practice file included, reproduces the published manifest."""
    from playwright.sync_api import expect, sync_playwright

    from civicposts import manifest

    tree = mutable_tree
    before = _digests(tree)
    token = secrets.token_hex(16)
    mark = Phases()
    with jupyter_lab(tree, token=token) as base, sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.set_default_timeout(60_000)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            open_notebook(page, base, token, "notebooks/06_start_here.ipynb", mark)
            cells = page.locator(".jp-Notebook .jp-Cell")
            n_cells = cells.count()
            run_all_cells(page, mark)
            name = page.locator(".civicposts-name-prompt input")
            expect(name).to_be_focused()  # the prompt takes the keyboard at once
            mark("name prompt")
            page.keyboard.type(STUDENT)
            page.keyboard.press("Enter")
            app = page.locator(".civicposts-coding-app")
            expect(app).to_be_focused()
            expect(app).to_contain_text("0 of 10 coded")
            expect(app).to_contain_text(f"coder {STUDENT}")
            for key in ("b", "a", "x", "z", "d", "d", "Enter", "Escape"):  # JupyterLab's command-mode keys
                page.keyboard.press(key)
                if key == "Escape":  # Esc leaves the app; back with a click on it
                    expect(app).not_to_be_focused()
                    app.locator(".cp-header").click()
                    expect(app).to_be_focused()
            mark("JupyterLab's keys pressed in the app")
            for i in range(10):
                if i == 5:  # the tab is reloaded half way: a re-run resumes where the student left off
                    page.reload()
                    open_notebook(page, base, token, "notebooks/06_start_here.ipynb", mark)
                    run_all_cells(page, mark)
                    expect(app).to_be_focused()
                    expect(app).to_contain_text("6 of 10")
                    expect(app).to_contain_text("5 of 10 coded")
                    expect(page.locator(".civicposts-name-prompt")).to_have_count(0)  # the name is remembered
                    mark("reloaded, resumed at post 6")
                for key in (str(1 + i % 2), "1", "Tab", "1", "9"):  # complaint/news, roads, none, none
                    page.keyboard.press(key)
                expect(app).to_contain_text(f"{i + 1} of 10 coded")
                page.keyboard.press("u")
            expect(app).to_contain_text("every unit is coded")
            mark("ten posts coded by keyboard")
            assert cells.count() == n_cells, "a key reached JupyterLab: the notebook's cells changed"
            wait_idle(page)
            run_all_cells(page, mark)  # the feedback cells below the app, and the app again
            wait_idle(page)
            mark("feedback run")
            expect(page.locator(".civicposts-name-prompt")).to_have_count(0)  # the name is remembered
            expect(app).to_contain_text("10 of 10 coded")
            notebook = page.locator(".jp-Notebook")
            expect(notebook).to_contain_text(f"how '{STUDENT}' compares")
            row = notebook.locator("tr", has_text="posts compared").first
            expect(row.locator("td").nth(1)).to_have_text("10")
            expect(notebook).to_contain_text("(10 coded by you)")
            assert cells.count() == n_cells
            # the tables' JavaScript (itables) and the app's run without an error in the page
            assert [e for e in errors if re.search(r"itables|DataTable|anywidget|civicposts", e, re.I)] == []
        except Exception:
            _report_failure(page, tmp_path, mark)
            raise
        finally:
            browser.close()
    print("phases:", mark)

    practice = tree / "coding" / "practice" / f"{STUDENT}.jsonl"
    recs = [json.loads(x) for x in practice.read_text(encoding="utf-8").splitlines()]
    assert len({r["unit_id"] for r in recs}) == 10 and len(recs) == 40
    assert _digests(tree) == before, "practice changed the study's coder files, processed data or reports"
    # `make verify` on the tree as the student leaves it: a rebuild from its sources, the practice file and
    # the notebooks JupyterLab saved included, reproduces the published reference.
    rebuilt = tmp_path / "rebuilt"
    shutil.copytree(tree, rebuilt, symlinks=True,
                    ignore=lambda folder, names: [n for n in names if (Path(folder) / n).relative_to(tree).as_posix()
                                                  in _SKIP_IN_COPY])
    proc = make(rebuilt, "all", check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rows = manifest.verify(tree, rebuilt_root=rebuilt)
    assert [r for r in rows if r.status != "reproduced"] == []
