"""Print views: each table-making function declares, beside itself, how its table reads; save_table carries the
view into the sidecar, where the PDF and the HTML read it."""

import json

import pandas as pd
import pytest

from civicposts import artefacts
from civicposts.tables import views


def test_a_view_declared_beside_a_function_reaches_the_sidecar(tmp_path):
    @views.view(formats={"alpha": "coef"}, columns=("code", "alpha"), names={"alpha": "α"}, landscape=True)
    def wide_table() -> pd.DataFrame:
        return pd.DataFrame({"code": ["roads"], "alpha": [0.65]})

    meta = artefacts.save_table(wide_table(), "tab99_wide", caption="c", function=wide_table, inputs=[],
                                label="Table 99", order=99, fictional=False, reports_dir=tmp_path)
    saved = json.loads((tmp_path / "tables" / "tab99_wide.meta.json").read_text(encoding="utf-8"))
    for m in (meta, saved):
        assert m["formats"] == {"alpha": "coef"} and m["pdf_columns"] == ["code", "alpha"]
        assert m["names"] == {"alpha": "α"} and m["landscape"] is True
    # one call may still override a part of it
    meta = artefacts.save_table(wide_table(), "tab99_wide", caption="c", function=wide_table, inputs=[],
                                label="Table 99", order=99, fictional=False, reports_dir=tmp_path,
                                extra={"landscape": False})
    assert meta["landscape"] is False and meta["formats"] == {"alpha": "coef"}


def test_a_function_without_a_view_gets_none():
    def plain_table() -> pd.DataFrame:
        return pd.DataFrame()

    assert views.for_function(plain_table).sidecar() == {}


def test_an_unknown_kind_or_a_broken_interval_is_refused_where_it_is_declared():
    with pytest.raises(ValueError, match="unknown format 'money'"):
        views.view(formats={"price": "money"})
    with pytest.raises(ValueError, match="needs \\(low, high\\)"):
        views.View(intervals={"ci": ("low",)})


def test_headers_read_as_words_unless_named():
    assert views.header("percent_agreement", None) == "percent agreement"
    assert views.header("cohen_kappa", {"cohen_kappa": "Cohen's κ"}) == "Cohen's κ"


def test_every_table_of_the_shipped_build_has_a_view_for_its_numbers(root):
    """Each table the demo build saves is made by a function with a declared view, or is a table of text (its
    numbers already written as words): no table reaches the reports with raw floats."""
    import civicposts.claims  # noqa: F401  (registers the views of the modules the notebooks use)
    import civicposts.reliability  # noqa: F401
    import civicposts.tables.coding  # noqa: F401
    import civicposts.tables.corpus  # noqa: F401
    import civicposts.tables.findings  # noqa: F401
    import civicposts.tables.ingest  # noqa: F401
    import civicposts.tables.paper  # noqa: F401

    registered = views.registered()
    for meta_path in sorted((root / "published" / "reports" / "tables").glob("*.csv")):
        df = pd.read_csv(meta_path)
        floats = [c for c in df.columns if pd.api.types.is_float_dtype(df[c]) and df[c].notna().any()
                  and (df[c].dropna() % 1 != 0).any()]
        if not floats:
            continue
        declared = [v for v in registered.values() if set(floats) <= set(v.formats) | {e for p in v.intervals.values()
                                                                                      for e in p}]
        assert declared, f"{meta_path.name}: float columns {floats} have no declared format"
