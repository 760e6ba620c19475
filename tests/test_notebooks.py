"""Notebooks are stored without outputs, have a parameters cell, and declare only study parameters."""

import json
from pathlib import Path

import pytest

from civicposts import config
from civicposts.run import declared_parameters

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def stored_problems(nb: dict) -> list[str]:
    """Why a notebook is not fit to commit (outputs, execution counts, no parameters cell)."""
    problems = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            if cell.get("outputs"):
                problems.append(f"cell {i} has outputs: strip it (nbstripout)")
            if cell.get("execution_count") is not None:
                problems.append(f"cell {i} has an execution count")
    if not any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb["cells"]):
        problems.append("no cell tagged 'parameters'")
    if nb["cells"][0]["cell_type"] != "markdown":
        problems.append("does not open with its question in markdown")
    return problems


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_stripped_and_parameterized(root, path):
    assert stored_problems(json.loads(path.read_text(encoding="utf-8"))) == []
    study = config.load_study(root / "config/study.yaml")
    unknown = [p for p in declared_parameters(path) if p not in study]
    assert not unknown, f"{path.name} declares parameters the study config lacks: {unknown}"


def test_a_committed_output_is_caught():
    nb = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["x"]}]
    code["execution_count"] = 3
    assert len(stored_problems(nb)) == 2
    for c in nb["cells"]:
        c.get("metadata", {}).pop("tags", None)
    assert "no cell tagged 'parameters'" in stored_problems(nb)


def test_notebooks_round_trip_through_plain_text(root):
    """tools/nbtext.py and tools/nbnew.py are inverses, so notebooks can be edited as text."""
    import importlib.util
    import json

    def load(name):
        spec = importlib.util.spec_from_file_location(name, root / "tools" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    nbtext, nbnew = load("nbtext"), load("nbnew")
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        again = nbnew.build(nbtext.to_text(nb), path.stem)
        assert json.dumps(again, indent=1, ensure_ascii=False) + "\n" == path.read_text(encoding="utf-8"), path.name
