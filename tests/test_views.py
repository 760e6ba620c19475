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


def test_every_table_of_the_build_declares_how_its_numbers_read(built_tree):
    """Each table the demo build saves carries, in its own sidecar, a kind for every column of fractional
    numbers (from the view beside its function), so no table reaches the reports as raw floats."""
    from civicposts.artefacts import load_sidecars

    tables = [m for m in load_sidecars(built_tree / "reports") if m["kind"] == "table"]
    assert len(tables) > 10
    for meta in tables:
        df = pd.read_csv(built_tree / "reports" / "tables" / meta["files"][0])
        fractional = [c for c in df.columns if pd.api.types.is_float_dtype(df[c]) and (df[c].dropna() % 1 != 0).any()]
        covered = set(meta.get("formats") or {}) | {e for pair in (meta.get("intervals") or {}).values() for e in pair}
        missing = [c for c in fractional if c not in covered and not meta.get("default_format")]
        assert not missing, f"{meta['name']} (made by {meta['function']}): no format for {missing}"
