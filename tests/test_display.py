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
