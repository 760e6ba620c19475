"""The coding app in a real browser: JupyterLab + Debian's Chromium driven by Playwright.

Starts JupyterLab on 127.0.0.1 (random free port, token, settings in a temporary folder),
opens the fixture notebook (tests/fixtures/app/coding_app_test.ipynb), runs all cells from the
Run menu, codes two FICTIONAL posts by clicking, and checks that the coder's file holds exactly
those codings. Chromium must be at /usr/bin/chromium (``apt-get install -y chromium``):
without it this test fails, it does not skip.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path

import pytest

try:  # tests/ is a package (tests/__init__.py)
    from tests.browser_helpers import jupyter_lab, make_post_units, write_app_notebook
except ImportError:  # tests/ run as plain folder
    from browser_helpers import jupyter_lab, make_post_units, write_app_notebook

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CODER = "browser_coder"

EXPECTED = [
    ("FICT001", "post_type", ["complaint"]),
    ("FICT001", "topic", ["roads"]),
    ("FICT001", "topic", ["roads", "waste"]),
    ("FICT002", "post_type", ["news"]),
    ("FICT002", "gov_response", ["none"]),
]


def _coded(store: Path) -> list[tuple]:
    path = store / f"{CODER}.jsonl"
    if not path.exists():
        return []
    recs = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [(r["unit_id"], r["variable"], r["codes"]) for r in recs]


def _wait_for_file(store: Path, n: int, timeout: float = 15.0) -> list[tuple]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = _coded(store)
        if len(got) >= n:
            return got
        time.sleep(0.1)
    return _coded(store)


@pytest.mark.browser
def test_code_two_posts_by_clicking_in_jupyterlab(tmp_path):
    assert CHROMIUM.exists(), ("Debian's Chromium is missing at /usr/bin/chromium: install it with "
                               "`apt-get install -y chromium` (Playwright's own download cannot work here)")
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect, sync_playwright

    root = tmp_path / "lab"
    root.mkdir()
    units = make_post_units(root)
    units_json = root / "units_FICTIONAL.json"
    units_json.write_text(units.to_json(orient="records", date_format="iso"), encoding="utf-8")
    store = tmp_path / "coding"
    write_app_notebook(root, coder=CODER, store=store, media_root=root, units_json=units_json)
    token = secrets.token_hex(16)

    with jupyter_lab(root, token=token) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        t0 = time.monotonic()
        phases: list[str] = []

        def mark(what: str) -> None:
            phases.append(f"{what} {time.monotonic() - t0:.1f}s")

        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(45_000)
            page.goto(f"{base}/lab/tree/coding_app_test.ipynb?token={token}")
            page.locator(".jp-Notebook .jp-Cell").first.wait_for()
            mark("notebook shown")
            # JupyterLab may ask for a kernel while its kernel list is still loading: accept the default.
            connected = page.locator(".jp-StatusBar-Widget").get_by_text(re.compile(r"\| Idle\s*$"))
            accept = page.locator(".jp-Dialog .jp-mod-accept")
            connected.or_(accept).first.wait_for()
            if accept.is_visible():
                accept.click()
            connected.wait_for()
            mark("kernel connected")
            executed = page.locator(".jp-InputPrompt").get_by_text(re.compile(r"\[[0-9*]+\]"))
            for attempt in range(3):
                page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
                page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
                try:  # a run requested while the kernel's websocket reconnects can be lost: ask again
                    executed.first.wait_for(timeout=10_000)
                    break
                except PlaywrightTimeout:
                    mark(f"run all cells attempt {attempt + 1} did not start")
            mark("cells running")

            app = page.locator(".civicposts-coding-app")
            expect(app).to_be_visible(timeout=45_000)
            mark("app shown")
            expect(app).to_contain_text("FICT001")
            expect(app).to_contain_text("1 of 6")
            # the unit's image was read and shown
            expect(app.locator("img")).to_have_count(1)

            post_type = app.locator(".cp-post_type button")
            post_type.filter(has_text="Citizen complaint").click()
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
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"))
            print("phases:", "; ".join(phases), "; screenshot:", tmp_path / "failure.png")
            raise
        finally:
            browser.close()

    print("phases:", "; ".join(phases))
    assert got == EXPECTED
