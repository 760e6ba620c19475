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


@pytest.mark.browser
def test_html_tables_read_as_the_pdf_prints_them_and_sort_as_numbers(built_tree):
    """Table 7 in its notebook page: every cell of the first row is the text the PDF prints for it
    (civicposts.tables.formats.apply), headers are the reader's names, and the α column sorts as numbers."""
    import json

    from playwright.sync_api import sync_playwright

    from civicposts import report
    from civicposts.tables import formats
    from civicposts.tables.views import header

    tables = built_tree / "reports" / "tables"
    meta_path = next(tables.glob("*tab07_agreement.meta.json"))
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    columns, rows = report.read_table_csv(tables / meta["files"][0])
    want_cols, want_rows = formats.apply(columns, rows, meta)
    want_heads = [header(c, meta.get("names")) for c in want_cols]
    page_path = built_tree / "reports" / "notebooks" / "04_reliability.html"
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_context(offline=True).new_page()
            page.goto(page_path.as_uri(), wait_until="load")
            table = page.locator(f"table#tbl_{meta['name']}")
            table.locator("tbody tr").first.wait_for()
            assert table.locator("thead th").all_inner_texts() == want_heads
            first = table.locator("tbody tr").first.locator("td").all_inner_texts()
            assert [c.strip() for c in first] == want_rows[0]
            alpha = want_heads.index(header("alpha", meta.get("names")))
            table.locator("thead th").nth(alpha).click()  # a reviewer clicks the column's name
            page.wait_for_timeout(300)
            shown = [float(v.replace("−", "-")) for v in
                     table.locator(f"tbody tr td:nth-child({alpha + 1})").all_inner_texts() if v.strip() != "–"]
            assert len(shown) > 3 and shown == sorted(shown)
        finally:
            browser.close()
