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
        {"alpha": "coef", "n_units": "int"}, {"alpha 95% CI": ("alpha_ci_low", "alpha_ci_high")})
    assert cols == ["code", "alpha", "alpha 95% CI", "n_units"]
    assert rows == [["roads", ".887", "[.80,\u00a0.96]", "200"], ["none", ".687", "–", "200"]]


def test_a_bound_that_rounds_to_zero_has_no_sign():
    assert formats.format_interval(-0.002, 0.5) == "[.00,\u00a0.50]"
    assert formats.format_value(-0.0004, "coef") == ".000"


def test_no_formats_changes_nothing():
    assert formats.apply(["a"], [["0.123456"]], None) == (["a"], [["0.123456"]])
