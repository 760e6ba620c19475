"""Per-column formats: coefficients, shares, counts and intervals read as a reader expects; the data stay exact."""

import pytest

from civicposts.tables import formats


def test_each_kind_reads_as_declared():
    assert formats.format_value("0.6502938544", "coef") == ".650"
    assert formats.format_value(-0.0021, "coef") == "−.002" and formats.format_value(1, "coef") == "1.000"
    assert formats.format_value("0.963", "share") == "96.3%" and formats.format_value(16.1, "pct") == "16.1%"
    assert formats.format_value("1200", "int") == "1,200" and formats.format_value(2.5, "num") == "2.5"
    assert formats.format_value("", "coef") == "–" and formats.format_value(float("nan"), "coef") == "–"
    assert formats.format_value("unreliable", "coef") == "unreliable"  # text is left alone
    with pytest.raises(ValueError, match="unknown format"):
        formats.format_value(1, "money")


def test_an_interval_replaces_its_two_columns():
    cols, rows = formats.apply(
        ["code", "alpha", "alpha_ci_low", "alpha_ci_high", "n_units"],
        [["roads", "0.887", "0.797", "0.957", "200"], ["none", "0.687", "", "0.767", "200"]],
        {"formats": {"alpha": "coef", "n_units": "int"}, "intervals": {"alpha 95% CI": ("alpha_ci_low", "alpha_ci_high")}})
    assert cols == ["code", "alpha", "alpha 95% CI", "n_units"]
    assert rows == [["roads", ".887", "[.80,\u00a0.96]", "200"], ["none", ".687", "–", "200"]]


def test_a_bound_that_rounds_to_zero_has_no_sign():
    assert formats.format_interval(-0.002, 0.5) == "[.00,\u00a0.50]"
    assert formats.format_value(-0.0004, "coef") == ".000"


def test_undeclared_cells_lose_only_their_long_decimals():
    assert formats.apply(["a", "b", "c"], [["0.123456", "roads", None]], None) == (["a", "b", "c"],
                                                                                   [["0.123", "roads", "–"]])


def test_a_share_interval_reads_in_percent_and_a_default_kind_covers_unnamed_columns():
    cols, rows = formats.apply(["who", "roads", "news", "lo", "hi"], [["sim_a", "64", "9.0", "0.701", "0.792"]],
                               {"default_format": "int", "formats": {"agreement 95% CI": "share", "who": "int"},
                                "intervals": {"agreement 95% CI": ["lo", "hi"]}})
    assert cols == ["who", "roads", "news", "agreement 95% CI"]
    assert rows == [["sim_a", "64", "9", "[70.1%,\u00a079.2%]"]]


def test_dates_read_as_dates():
    assert formats.format_value("2021-02-27T10:00:00+07:00", "date") == "2021-02-27"
    assert formats.format_value("n.d.", "date") == "n.d."


@pytest.mark.browser
def test_the_browser_renderer_writes_what_the_pdf_prints():
    """JS_RENDER (the HTML tables) and format_value (the PDF) give the same text for every kind and value,
    halfway cases included, where JavaScript's toFixed and Python's rounding differ: sort_value rounds once,
    in Python. Run in the Chromium the reports are read in (tests/browser_helpers)."""
    import json

    from playwright.sync_api import sync_playwright

    try:
        from tests.browser_helpers import launch_chromium
    except ImportError:
        from browser_helpers import launch_chromium

    values = [0.0625, -0.0004, 0.9996, 1, 0, 0.125, 0.6502938544, -0.25, 1234.5678, 1234567.5, 0.5, 2.5, 0.0005, None]
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page()
            for kind, js in formats.JS_RENDER.items():
                shown = [formats.sort_value(v, kind) for v in values]
                assert all(x is None or isinstance(x, (int, float)) for x in shown), kind  # numbers, for sorting
                out = page.evaluate(f"() => {{ var r = {js}; return {json.dumps(shown)}.map(x => r(x, 'display')); }}")
                assert out == [formats.format_value(v, kind) for v in values], kind
                # sorting and type detection see the number, not the text
                assert page.evaluate(f"() => ({js})(0.25, 'sort')") == 0.25
        finally:
            browser.close()
