"""The last verification's result: kept beside the reports, outside the files it checks, shown on the index."""

import json
from dataclasses import dataclass

import pytest

from civicposts import report, verification
from civicposts.manifest import SKIP_NAMES


@dataclass
class Row:
    path: str
    status: str


def test_a_verification_leaves_a_record_and_a_script_for_the_index(tmp_path):
    rows = [Row("reports/a.csv", "reproduced"), Row("reports/b.png", "differs"), Row("data/raw/x", "input changed")]
    path = verification.record(rows, tmp_path, "reports", "published/reports/manifest.json")
    rec = json.loads(path.read_text(encoding="utf-8"))
    assert rec["checked"] == 3 and rec["reproduced"] == 1
    assert rec["not_reproduced"] == [["reports/b.png", "differs"], ["data/raw/x", "input changed"]]
    text = verification.summary(verification.load(tmp_path / "reports"))
    assert "2 of 3 artefacts and inputs did not reproduce" in text and "reports/b.png (differs)" in text
    script = (tmp_path / "reports" / verification.SCRIPT_NAME).read_text(encoding="utf-8")
    assert '"ok": false' in script and '"ran": true' in script
    # a later build's placeholder never hides a result that exists
    verification.ensure_placeholder(tmp_path / "reports")
    assert (tmp_path / "reports" / verification.SCRIPT_NAME).read_text(encoding="utf-8") == script


def test_an_unverified_copy_says_so():
    assert verification.summary(None) == verification.NOT_RUN and "make verify" in verification.NOT_RUN


def test_the_record_is_never_an_artefact_of_the_manifest():
    assert {verification.RECORD_NAME, verification.SCRIPT_NAME} <= SKIP_NAMES


@pytest.mark.browser
def test_the_index_shows_the_last_verification_offline(tmp_path):
    try:
        from tests.browser_helpers import launch_chromium
    except ImportError:
        from browser_helpers import launch_chromium
    from playwright.sync_api import sync_playwright

    params = {"reports_dir": "reports", "study_title": "t"}
    index = report.write_index(params, root=tmp_path)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_context(offline=True).new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(index.as_uri())
            assert page.inner_text("#verification") == verification.NOT_RUN
            verification.record([Row("reports/a.csv", "reproduced")], tmp_path, "reports", "ref.json")
            page.reload()
            shown = page.inner_text("#verification")
            assert shown.startswith("Last `make verify` on this copy:") and "all 1 artefacts" in shown
            assert "ok" in page.get_attribute("#verification", "class") and errors == []
        finally:
            browser.close()
