"""The HTML reports read offline, as a reviewer without a network reads them: every page under reports/ opened
in Debian's Chromium with the network blocked; no page may ask for anything off the machine or raise a
script error. Chromium must be at /usr/bin/chromium (``apt-get install -y chromium``)."""

from __future__ import annotations

from pathlib import Path

import pytest

try:  # tests/ is a package (tests/__init__.py)
    from tests.browser_helpers import launch_chromium
except ImportError:  # tests/ run as plain folder
    from browser_helpers import launch_chromium


def offline_problems(reports: Path) -> dict[str, list[str]]:
    """Per HTML page under ``reports``: the requests that would leave the machine, and console or page errors."""
    from playwright.sync_api import sync_playwright

    reports = reports.resolve()
    pages = sorted(reports.rglob("*.html"))
    assert pages, f"no HTML page under {reports}"
    problems: dict[str, list[str]] = {}
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            context = browser.new_context(offline=True)  # no request can leave; each one tried is listed
            for html in pages:
                found: list[str] = []
                page = context.new_page()
                page.on("request", lambda r, found=found: found.append(f"request {r.url}")
                        if r.url.startswith(("http:", "https:", "ws:", "wss:")) else None)
                page.on("console", lambda m, found=found: found.append(f"console {m.type}: {m.text}")
                        if m.type == "error" else None)
                page.on("pageerror", lambda e, found=found: found.append(f"page error: {e}"))
                page.goto(html.as_uri(), wait_until="load")
                page.wait_for_timeout(500)  # scripts that run after load (the tables') have run
                page.close()
                if found:
                    problems[html.relative_to(reports).as_posix()] = found
        finally:
            browser.close()
    return problems


def test_the_checker_sees_an_external_script(tmp_path):
    (tmp_path / "bad.html").write_text("<html><head><script src='https://cdn.example.org/x.js'></script></head>"
                                       "<body><script>undefinedFunction()</script></body></html>", encoding="utf-8")
    (tmp_path / "good.html").write_text("<html><body><p>fine</p></body></html>", encoding="utf-8")
    problems = offline_problems(tmp_path)
    assert list(problems) == ["bad.html"]
    assert any("cdn.example.org" in x for x in problems["bad.html"])
    assert any("undefinedFunction" in x for x in problems["bad.html"])


@pytest.mark.browser
def test_every_report_page_works_offline(built_tree):
    problems = offline_problems(built_tree / "reports")
    assert problems == {}, f"pages that need the network or raise errors: {problems}"
