"""The Make DAG end to end, in temporary copies of the repository.

A clean copy is built once (``built_tree``); tests then check that a second
``make all`` does nothing, that touching one input reruns only what depends on
it, that two independent builds give identical artefacts, and that
verification catches a tampered artefact and a changed input.
"""

import json
import subprocess
import sys

import pandas as pd

from civicposts import manifest

from .conftest import copy_sources, make


WORK = ("civicposts execute", "civicposts html", "civicposts pdf", "civicposts manifest", "setup-env")


def _work_done(make_output: str) -> list[str]:
    """The recipe lines that did real work (the parameters check always runs, and is cheap)."""
    return [line for line in make_output.splitlines() if any(w in line for w in WORK)]


def test_second_make_all_does_nothing(mutable_tree):
    proc = make(mutable_tree, "all")
    assert _work_done(proc.stdout) == [], proc.stdout


def test_touching_one_input_reruns_only_its_dependents(mutable_tree):
    (mutable_tree / "data/raw/paper/background_stats.csv").touch()
    plan = make(mutable_tree, "-n", "all").stdout
    assert "execute notebooks/00_paper_facts.ipynb" in plan
    for other in ("01_clean_corpus", "02_code_posts", "03_code_interview", "04_reliability"):
        assert f"execute notebooks/{other}.ipynb" not in plan, f"{other} reran for a paper-facts change"
    assert "civicposts pdf" in plan and "civicposts manifest" in plan


def test_touching_the_study_config_without_change_reruns_nothing(mutable_tree):
    (mutable_tree / "config/study.yaml").touch()
    assert _work_done(make(mutable_tree, "all").stdout) == []


def test_a_parameter_override_reruns_the_notebooks(mutable_tree):
    proc = make(mutable_tree, "all", "SET=bootstrap_seed=7")
    params = json.loads((mutable_tree / "build/study.json").read_text())
    assert params["bootstrap_seed"] == 7
    assert "execute notebooks/00_paper_facts.ipynb" in proc.stdout


def test_two_builds_give_identical_artefacts(built_tree, tmp_path):
    other = copy_sources(tmp_path / "build-b")
    make(other, "all")
    ref = json.loads((built_tree / "reports/manifest.json").read_text())
    new = json.loads((other / "reports/manifest.json").read_text())
    rows = manifest.compare(ref, new, reference_dir=built_tree, rebuilt_root=other)
    bad = [r for r in rows if r.status != "reproduced"]
    assert not bad, manifest.format_rows(bad)


def _verify(reference_root, rebuilt_root):
    return subprocess.run([sys.executable, "-m", "civicposts", "verify",
                           "--reference", str(reference_root / "reports/manifest.json"),
                           "--rebuilt", str(rebuilt_root)], capture_output=True, text=True)


def test_verify_passes_on_an_untouched_rebuild(built_tree):
    proc = _verify(built_tree, built_tree)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 not reproduced" in proc.stdout


def test_verify_catches_a_tampered_artefact(built_tree, mutable_tree):
    table = mutable_tree / "reports/tables/tab01_background_statistics.csv"
    df = pd.read_csv(table, dtype=str, keep_default_na=False)
    df.loc[1, "Value"] = "999"
    df.to_csv(table, index=False, lineterminator="\n")
    params = json.loads((mutable_tree / "build/study.json").read_text())
    manifest.write_manifest(params, root=mutable_tree)
    proc = _verify(built_tree, mutable_tree)
    assert proc.returncode == 1
    assert "tab01_background_statistics.csv" in proc.stdout and "row 2 'Value': '132.7' -> '999'" in proc.stdout


def test_verify_catches_a_changed_input(built_tree, mutable_tree):
    raw = mutable_tree / "data/raw/paper/account_snapshot.csv"
    raw.write_text(raw.read_text().replace("308000", "309000"))
    make(mutable_tree, "all")
    proc = _verify(built_tree, mutable_tree)
    assert proc.returncode == 1
    assert "input changed" in proc.stdout and "account_snapshot.csv" in proc.stdout
    assert "fig01_profile_card.csv" in proc.stdout and "differs" in proc.stdout


def test_failed_notebook_leaves_no_finished_output(mutable_tree):
    raw = mutable_tree / "data/raw/paper/background_stats.csv"
    raw.write_text(raw.read_text().replace("stat_id,", "oops,"))
    proc = make(mutable_tree, "all", check=False)
    assert proc.returncode != 0
    assert not (mutable_tree / "reports/notebooks/00_paper_facts.ipynb").exists()
    assert (mutable_tree / "reports/notebooks/00_paper_facts.failed.ipynb").exists()
    assert "background_stats.csv" in proc.stdout + proc.stderr


def test_reports_show_no_info_log_boxes_and_every_step_is_in_the_build_log(built_tree):
    """INFO lines go to build/logs/<notebook>.log; an executed notebook shows at most warnings (as stderr)."""
    for nb in sorted((built_tree / "reports" / "notebooks").glob("*.ipynb")):
        data = json.loads(nb.read_text(encoding="utf-8"))
        shown = ["".join(o.get("text", "")) for c in data["cells"] for o in c.get("outputs", [])
                 if o.get("name") == "stderr"]
        assert not [t for t in shown if "INFO" in t], f"{nb.name} shows INFO log lines: {shown}"
        log = built_tree / "build" / "logs" / f"{nb.stem}.log"
        assert " INFO civicposts" in log.read_text(encoding="utf-8"), f"{log} has no INFO line of the run"


def test_a_leak_in_the_reports_stops_the_build_before_the_manifest(mutable_tree):
    """The manifest is computed beside the final leak scan but put in place only when the scan finds nothing:
    with a phone number in a report the build fails and has no manifest; once it is gone, the build ends with
    one that describes the reports as they are."""
    page = mutable_tree / "reports/notebooks/03_code_interview.html"
    clean = page.read_text(encoding="utf-8")
    page.write_text(clean + "<p>hubungi 0812-3456-7890</p>\n", encoding="utf-8")
    proc = make(mutable_tree, "all", check=False)
    assert proc.returncode != 0
    assert "0812-3456-7890" in proc.stdout + proc.stderr
    assert not (mutable_tree / "reports/manifest.json").exists()
    page.write_text(clean, encoding="utf-8")
    proc = make(mutable_tree, "all", check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    written = json.loads((mutable_tree / "reports/manifest.json").read_text())
    entry = next(a for a in written["artefacts"] if a["path"] == "reports/notebooks/03_code_interview.html")
    assert entry["sha256"] == manifest.sha256_file(page)
