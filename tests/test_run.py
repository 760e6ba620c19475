"""Executing one parameterized notebook: injected parameters, byte-identical reruns, failures kept aside."""

import json
from pathlib import Path

import nbformat
import pytest

from civicposts.errors import CivicpostsError
from civicposts.run import NO_ALT, cell_seconds, declared_parameters, execute


def _notebook(path, body: str) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("seed = 1\nlabel = 'x'")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# A question"), params, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.write_text(nbformat.writes(nb), encoding="utf-8")


def test_declared_parameters_reads_the_tagged_cell(tmp_path):
    _notebook(tmp_path / "nb.ipynb", "print(seed)")
    assert declared_parameters(tmp_path / "nb.ipynb") == ["seed", "label"]


def test_a_rerun_is_byte_identical_and_keeps_its_times_aside(tmp_path):
    src = tmp_path / "nb.ipynb"
    _notebook(src, "print(seed * 2, label)")
    outs = []
    for run in ("a", "b"):
        out = execute(src, {"seed": 21, "label": "y", "unused": 0}, tmp_path / "out", cwd=tmp_path,
                      timings_dir=tmp_path / f"t{run}")
        outs.append(out.read_bytes())
        out.unlink()
    assert outs[0] == outs[1]
    nb = json.loads(outs[0])
    text = json.dumps(nb)
    assert "42 y" in text, "the injected parameters were not used"
    assert "unused" not in text, "a parameter the notebook does not declare was injected"
    for word in ("start_time", "end_time", "iopub", "duration"):
        assert word not in text
    assert cell_seconds(tmp_path / "ta" / "nb.json") >= 0
    assert len(json.loads((tmp_path / "ta" / "nb.json").read_text())["cell_seconds"]) == len(nb["cells"])


def test_a_failed_run_leaves_no_product_and_keeps_the_failed_copy(tmp_path):
    src = tmp_path / "nb.ipynb"
    _notebook(src, "raise ValueError('bad record 7')")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "nb.ipynb").write_text("stale")
    with pytest.raises(CivicpostsError, match="bad record 7"):
        execute(src, {"seed": 1}, out_dir, cwd=tmp_path, timings_dir=tmp_path / "t")
    assert not (out_dir / "nb.ipynb").exists()
    assert (out_dir / "nb.failed.ipynb").exists()


def test_a_notebook_without_parameters_cell_is_refused(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("1")]
    (tmp_path / "p.ipynb").write_text(nbformat.writes(nb))
    with pytest.raises(CivicpostsError, match="parameters"):
        execute(tmp_path / "p.ipynb", {}, tmp_path / "o", cwd=tmp_path)


def test_an_artefact_the_notebook_no_longer_makes_is_removed(tmp_path):
    """Renaming a table in a notebook must not leave the old one in the report."""
    reports = tmp_path / "reports"
    src = tmp_path / "nb.ipynb"
    _notebook(src, "import pandas as pd\nfrom civicposts import artefacts\n"
                   f"artefacts.save_table(pd.DataFrame({{'a': [seed]}}), label, caption='c', function='f', "
                   f"inputs=[], label='T', order=1.0, fictional=False, reports_dir={str(reports)!r})")
    other = reports / "tables" / "other.meta.json"  # made by another notebook: never touched
    other.parent.mkdir(parents=True)
    other.write_text(json.dumps({"notebook": "notebooks/other.ipynb", "files": ["other.csv"]}))
    (reports / "tables" / "other.csv").write_text("x\n")
    execute(src, {"seed": 1, "label": "tab_old", "reports_dir": str(reports)}, tmp_path / "out", cwd=tmp_path,
            timings_dir=tmp_path / "t")
    assert (reports / "tables" / "tab_old.csv").exists()
    execute(src, {"seed": 1, "label": "tab_new", "reports_dir": str(reports)}, tmp_path / "out", cwd=tmp_path,
            timings_dir=tmp_path / "t")
    names = sorted(p.name for p in (reports / "tables").iterdir())
    assert names == ["other.csv", "other.meta.json", "tab_new.csv", "tab_new.meta.json"]


def test_html_reports_fetch_nothing_from_the_network(tmp_path):
    """A reviewer reads the HTML offline: no script or style is loaded from a CDN."""
    import re

    import nbformat

    from civicposts import run

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A question"),
                                         nbformat.v4.new_code_cell("1 + 1")])
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    [html] = run.to_html([path])
    text = html.read_text(encoding="utf-8")
    assert "A question" in text
    assert re.findall(r"""<(?:script|link)[^>]+(?:src|href)=["']https?://""", text) == []


def _output(mime: str, data: str):
    return nbformat.v4.new_output("display_data", data={mime: data})


def test_html_is_what_nbconvert_makes_with_the_same_accessibility(tmp_path):
    """The kit's exporter skips nbconvert's BeautifulSoup pass and does its accessibility edits on the text: read
    by the same parser, the page is nbconvert's own, and inputs and outputs are focusable, images described;
    a script's text that looks like markup is left alone."""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    from civicposts import run

    code = nbformat.v4.new_code_cell("x = 1")
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1 & 2 < 3\n"),
                    _output("text/html", '<div class="jp-OutputArea-output own">made</div><img src="a.png">'
                                         '<img src="b.png" alt="a chart">'),
                    _output("image/png", "iVBORw0KGgo="),
                    _output("text/html", '<script>var s = \'<img src="x"><div class="jp-Cell-inputWrapper">\';</script>'),
                    _output("text/plain", "plain")]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A question <br> here"), code])
    kit, _ = run._html_exporter().from_notebook_node(nb, resources={"metadata": {"name": "n"}})
    ours = HTMLExporter(template_name="lab", template_file=str(Path(run.__file__).with_name("data") / "offline.html.j2"))
    ours.exclude_input_prompt = ours.exclude_output_prompt = True
    theirs, _ = ours.from_notebook_node(nb, resources={"metadata": {"name": "n"}})
    assert str(BeautifulSoup(kit, "html.parser")) == theirs
    soup = BeautifulSoup(kit, "html.parser")
    assert len(soup.select("div.jp-Cell-inputWrapper[tabindex='0']")) == 2  # the markdown cell's and the code's
    assert len(soup.select("div.jp-OutputArea-output[tabindex='0']")) == 6  # five outputs and the HTML's own div
    assert [i.get("alt") for i in soup.select("img")] == [run.NO_ALT, "a chart", run.NO_ALT]
    assert 'var s = \'<img src="x"><div class="jp-Cell-inputWrapper">\';' in kit


@pytest.mark.parametrize("html, want", [
    ('<div class="jp-Cell-inputWrapper">', '<div class="jp-Cell-inputWrapper" tabindex="0">'),
    ('<div id="d" class="a jp-OutputArea-output b" data-x="1">', '<div id="d" class="a jp-OutputArea-output b" data-x="1" tabindex="0">'),
    ('<div class="jp-OutputArea-outputs">', '<div class="jp-OutputArea-outputs">'),  # another class
    ('<div class="jp-OutputArea-output" tabindex="-1">', '<div class="jp-OutputArea-output" tabindex="-1">'),
    ('<img src="a.png"/>', f'<img src="a.png" alt="{NO_ALT}"/>'),
    ('<img src="a.png" alt="">', '<img src="a.png" alt="">'),
    ('<style>div.jp-OutputArea-output{}</style><!-- <img src=x> -->', '<style>div.jp-OutputArea-output{}</style><!-- <img src=x> -->'),
])
def test_accessibility_edits_only_the_tags_nbconvert_edits(html, want):
    from civicposts.run import accessible

    assert accessible(html)[0] == want


def test_the_notebook_is_written_once_not_at_every_cell(tmp_path, monkeypatch):
    """papermill's engine saved the whole notebook at every cell's start and end; the kit's engine leaves only
    papermill's own final write (and the failed copy, tested above)."""
    import papermill.engines
    import papermill.execute

    writes = {"between cells": 0, "final": 0}

    def counting(kind, real):
        def write(*args, **kwargs):
            writes[kind] += 1
            return real(*args, **kwargs)
        return write

    monkeypatch.setattr(papermill.engines, "write_ipynb", counting("between cells", papermill.engines.write_ipynb))
    monkeypatch.setattr(papermill.execute, "write_ipynb", counting("final", papermill.execute.write_ipynb))
    src = tmp_path / "nb.ipynb"
    _notebook(src, "print(seed * 2, label)")
    out = execute(src, {"seed": 21, "label": "y"}, tmp_path / "out", cwd=tmp_path, timings_dir=tmp_path / "t")
    assert "42 y" in out.read_text()
    assert writes == {"between cells": 0, "final": 1}


def _dying_first(monkeypatch, times: int, message: str = "Kernel died before replying to kernel_info"):
    """papermill's execute_notebook whose first ``times`` calls fail as a kernel that died while starting."""
    import papermill

    real, calls = papermill.execute_notebook, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) <= times:
            raise RuntimeError(message)
        return real(*args, **kwargs)

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    return calls


def test_a_kernel_that_dies_while_starting_is_replaced_once(tmp_path, monkeypatch):
    calls = _dying_first(monkeypatch, 1)
    src = tmp_path / "nb.ipynb"
    _notebook(src, "print(seed * 2, label)")
    out = execute(src, {"seed": 21, "label": "y"}, tmp_path / "out", cwd=tmp_path, timings_dir=tmp_path / "t")
    assert "42 y" in out.read_text() and len(calls) == 2


@pytest.mark.parametrize("times, message", [(2, "Kernel died before replying to kernel_info"),
                                            (1, "something else went wrong")])
def test_a_kernel_that_keeps_dying_or_another_error_is_not_retried_for_ever(tmp_path, monkeypatch, times, message):
    calls = _dying_first(monkeypatch, times, message)
    src = tmp_path / "nb.ipynb"
    _notebook(src, "print(seed)")
    with pytest.raises(RuntimeError, match=message):
        execute(src, {"seed": 1}, tmp_path / "out", cwd=tmp_path, timings_dir=tmp_path / "t")
    assert len(calls) == times
    assert not (tmp_path / "out" / "nb.ipynb").exists()
