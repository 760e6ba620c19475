"""The manifest's schema, and verification that catches tampered artefacts and changed inputs."""

import copy
import json

import jsonschema
import pandas as pd

from civicposts import manifest, verification


def _m(artefacts, inputs=None):
    return {"schema": manifest.SCHEMA, "git": {"commit": "x", "dirty": False},
            "environment": {"python": "3.11", "packages": {}}, "parameters": {"reports_dir": "reports"},
            "inputs": inputs or {"data/raw/a.csv": "a" * 64},
            "artefacts": [{"path": p, "sha256": h, "kind": "csv",
                           "made_by": {"notebook": "n", "function": "f"}, "inputs": {}} for p, h in artefacts]}


def test_compare_reports_reproduced_differs_missing_new():
    ref = _m([("reports/a.csv", "1" * 64), ("reports/b.csv", "2" * 64), ("reports/c.csv", "3" * 64)])
    new = _m([("reports/a.csv", "1" * 64), ("reports/b.csv", "9" * 64), ("reports/d.csv", "4" * 64)])
    rows = {r.path: r.status for r in manifest.compare(ref, new)}
    assert rows == {"reports/a.csv": "reproduced", "reports/b.csv": "differs", "reports/c.csv": "missing",
                    "reports/d.csv": "new"}


def test_compare_reports_changed_input():
    ref = _m([("reports/a.csv", "1" * 64)])
    new = copy.deepcopy(ref)
    new["inputs"]["data/raw/a.csv"] = "b" * 64
    rows = manifest.compare(ref, new)
    assert [(r.path, r.status) for r in rows if r.status != "reproduced"] == [("data/raw/a.csv", "input changed")]
    assert "not reproduced" in manifest.format_rows(rows)


def test_csv_diff_names_rows_and_cells(tmp_path):
    pd.DataFrame({"k": ["a", "b"], "v": ["1", "2"]}).to_csv(tmp_path / "ref.csv", index=False)
    pd.DataFrame({"k": ["a", "b"], "v": ["1", "3"]}).to_csv(tmp_path / "new.csv", index=False)
    assert manifest._csv_diff(tmp_path / "ref.csv", tmp_path / "new.csv") == "row 2 'v': '2' -> '3'"


def test_built_manifest_matches_schema_and_lists_every_artefact(built_tree):
    m = json.loads((built_tree / "reports/manifest.json").read_text())
    jsonschema.validate(m, manifest.MANIFEST_SCHEMA)
    listed = {a["path"] for a in m["artefacts"]}
    # every file of the reports is listed, except the manifest itself and the last verification's record,
    # which sits beside the reports because it is about them (civicposts.verification)
    on_disk = {p.relative_to(built_tree).as_posix() for p in (built_tree / "reports").rglob("*")
               if p.is_file() and p.name not in ("manifest.json", ".gitkeep")}
    record = {f"reports/{n}" for n in (verification.RECORD_NAME, verification.SCRIPT_NAME)}
    assert "reports/verification.js" in on_disk  # the placeholder the index reads
    assert on_disk - record <= listed and not record & listed
    assert "reports/civicposts-report.pdf" in listed and "reports/index.html" in listed
    fig1 = next(a for a in m["artefacts"] if a["path"].endswith("fig01_profile_card.png"))
    assert fig1["made_by"] == {"notebook": "notebooks/00_paper_facts.ipynb",
                               "function": "civicposts.figures.profile.profile_card"}
    assert list(fig1["inputs"]) == ["data/raw/paper/account_snapshot.csv"]
    text = json.dumps(m)
    for word in ("start_time", "end_time", '"duration'):
        i = text.find(word)
        assert i < 0, f"run times leaked into the manifest: {text[max(0, i - 120):i + 40]}"


def test_the_rebuild_uses_this_environment():
    """verify's rebuild runs `make all VENV=<this env>`: that env's python must have the pipeline's packages."""
    import subprocess
    from pathlib import Path

    python = Path(manifest.current_venv()) / "bin" / "python"
    proc = subprocess.run([str(python), "-c", "import papermill, nbconvert, typst"], capture_output=True, text=True)
    assert proc.returncode == 0, f"{python} cannot run the pipeline: {proc.stderr[-500:]}"


def test_the_published_reference_is_current(root):
    """published/ must be rebuilt (`make all && make publish`) whenever an input changes, or
    `make verify` fails in CI; this names the stale inputs early."""
    from civicposts import config

    ref = json.loads((root / "published/reports/manifest.json").read_text())
    now = manifest.input_files(root, config.load_study(root / "config/study.yaml"))
    stale = sorted(k for k in set(ref["inputs"]) | set(now) if ref["inputs"].get(k) != now.get(k))
    assert not stale, ("published/ is older than these inputs; run `make all && make publish`: "
                       + ", ".join(stale[:10]))


def test_packages_are_the_environment_s_without_its_installers():
    from importlib import metadata

    found = manifest._packages()
    assert not manifest.INSTALLERS & set(found)
    assert found["pandas"] == metadata.version("pandas") and found["pyyaml"] == metadata.version("pyyaml")
    every = {d.metadata["Name"].lower(): d.version for d in metadata.distributions() if d.metadata["Name"]}
    assert found == {k: v for k, v in every.items() if k not in manifest.INSTALLERS}


def test_inputs_are_named_by_where_they_really_are(tmp_path):
    """A linked file is named by its target, a file in a linked folder by the folder's real path."""
    import os

    root = tmp_path / "tree"
    (root / "data/raw/x").mkdir(parents=True)
    (root / "elsewhere").mkdir()
    (root / "elsewhere/a.json").write_text("{}")
    (root / "data/raw/x/b.json").write_text("[]")
    os.symlink(root / "elsewhere/a.json", root / "data/raw/x/link.json")
    os.symlink(root / "elsewhere", root / "data/raw/folder")
    (root / "config").mkdir()
    (root / "config/study.yaml").write_text("x: 1")
    (root / "requirements.lock").write_text("")
    got = manifest.input_files(root, {"corpus_inputs": ["data/raw/x", "data/raw/folder/a.json"],
                                      "study_config": "config/study.yaml"})
    assert sorted(got) == ["config/study.yaml", "data/raw/x/b.json", "elsewhere/a.json", "requirements.lock"]
