"""Figures shown in notebooks carry their caption as alternative text into the HTML export."""

import base64

import nbformat
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter

from civicposts.display import figure_bundle

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


def test_the_html_export_keeps_the_alternative_text():
    bundle = figure_bundle(PNG, 'Figure 2. Posts per month "FICTIONAL" <demo>')
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show")
    cell.outputs = [nbformat.v4.new_output("display_data", data=bundle)]
    nb.cells = [cell]
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    imgs = BeautifulSoup(body, "html.parser").select("img")
    assert [i["alt"] for i in imgs] == ['Figure 2. Posts per month "FICTIONAL" <demo>']
    assert "No description has been provided" not in body
    assert bundle["image/png"] == base64.b64encode(PNG).decode()


def test_html_tables_escape_text_keep_line_breaks_and_show_missing_as_a_dash():
    import pandas as pd

    from civicposts.display import readable

    df = pd.DataFrame({"text": ["<b>jalan</b>\nrusak", None], "n": [1, 2]})
    out = readable(df)
    assert out["text"].tolist() == ["&lt;b&gt;jalan&lt;/b&gt;<br>rusak", "–"]
    assert out["n"].tolist() == [1, 2] and df["text"].iloc[0] == "<b>jalan</b>\nrusak"  # the input is kept


def test_declared_formats_make_the_html_table_readable_and_keep_it_sortable():
    import pandas as pd

    from civicposts.display import for_reading

    df = pd.DataFrame({"code": ["roads"], "alpha": [0.6502938544], "alpha_ci_low": [0.5711], "alpha_ci_high": [0.79],
                       "percent_agreement": [0.963], "n_units": [200.0], "undeclared": [0.123456789]})
    meta = {"formats": {"alpha": "coef", "percent_agreement": "share", "n_units": "int"},
            "intervals": {"alpha 95% CI": ["alpha_ci_low", "alpha_ci_high"]},
            "names": {"alpha": "α", "percent_agreement": "agreement", "n_units": "units"}}
    out, rendered = for_reading(df, meta)
    assert list(out.columns) == ["code", "α", "alpha 95% CI", "agreement", "units", "undeclared"]
    assert out["α"].iloc[0] == 0.65 and out["alpha 95% CI"].iloc[0] == "[.57,\u00a0.79]"
    assert out["agreement"].iloc[0] == 96.3 and out["units"].iloc[0] == 200
    assert pd.api.types.is_numeric_dtype(out["α"])  # still sorts as a number; the browser draws ".650"
    assert rendered == {"α": "coef", "agreement": "share", "units": "int", "undeclared": "num"}
    assert out["undeclared"].iloc[0] == 0.123  # an undeclared float never shows ten decimals


def test_a_column_mixing_numbers_and_text_is_text_throughout():
    import pandas as pd

    from civicposts.display import for_reading

    df = pd.DataFrame({"alpha": [0.5, "not measured"]})
    out, rendered = for_reading(df, {"formats": {"alpha": "coef"}})
    assert out["alpha"].tolist() == [".500", "not measured"] and rendered == {}
