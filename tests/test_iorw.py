import json

import pandas as pd
import pytest

from civicposts import iorw


def test_atomic_write_leaves_target_untouched_on_error(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with iorw.atomic_path(target) as tmp:
            tmp.write_text("partial")
            raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_csv_and_json_are_deterministic(tmp_path):
    df = pd.DataFrame({"b": [1.5, 2.0], "a": ["x", "é"]})
    iorw.write_csv(tmp_path / "1.csv", df)
    iorw.write_csv(tmp_path / "2.csv", df.copy())
    assert (tmp_path / "1.csv").read_bytes() == (tmp_path / "2.csv").read_bytes()
    assert b"\r\n" not in (tmp_path / "1.csv").read_bytes()
    iorw.write_csv(tmp_path / "bom.csv", df, bom=True)
    assert (tmp_path / "bom.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert iorw.dumps_json({"b": 1, "a": 2}).index('"a"') < iorw.dumps_json({"b": 1, "a": 2}).index('"b"')


def test_parquet_is_deterministic(tmp_path):
    df = pd.DataFrame({"id": ["a", "b"], "n": pd.array([1, None], dtype="Int64")})
    iorw.write_parquet(tmp_path / "1.parquet", df)
    iorw.write_parquet(tmp_path / "2.parquet", df)
    assert (tmp_path / "1.parquet").read_bytes() == (tmp_path / "2.parquet").read_bytes()
    assert pd.read_parquet(tmp_path / "1.parquet")["n"].isna().sum() == 1


def test_write_text_if_changed(tmp_path):
    p = tmp_path / "x"
    assert iorw.write_text_if_changed(p, "a") is True
    assert iorw.write_text_if_changed(p, "a") is False
    assert iorw.write_text_if_changed(p, "b") is True and p.read_text() == "b"


def test_a_notebook_saved_with_outputs_hashes_as_its_stored_form(tmp_path):
    """A student's JupyterLab session saves outputs, counts and widget state into a notebook: its content,
    and so the build's inputs, are unchanged; a changed source is a change."""
    import copy

    from civicposts.iorw import notebook_sha256, stored_notebook

    nb = {"cells": [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": "# Q"},
                    {"cell_type": "code", "id": "b", "metadata": {"tags": ["parameters"]}, "source": "x = 1",
                     "outputs": [], "execution_count": None}],
          "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
    session = copy.deepcopy(nb)
    session["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    session["cells"][1].update(execution_count=7, outputs=[{"output_type": "stream", "name": "stdout", "text": "1"}])
    session["cells"][1]["metadata"]["execution"] = {"iopub.status.idle": "2026-12-02T05:00:00Z"}
    (tmp_path / "a.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    (tmp_path / "b.ipynb").write_text(json.dumps(session, indent=2), encoding="utf-8")
    assert notebook_sha256(tmp_path / "a.ipynb") == notebook_sha256(tmp_path / "b.ipynb")
    assert stored_notebook(session)["cells"][1]["metadata"] == {"tags": ["parameters"]}
    session["cells"][1]["source"] = "x = 2"
    (tmp_path / "b.ipynb").write_text(json.dumps(session), encoding="utf-8")
    assert notebook_sha256(tmp_path / "a.ipynb") != notebook_sha256(tmp_path / "b.ipynb")
