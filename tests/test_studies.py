"""Every study builds: whole builds of studies that are not the demo, in one temporary copy.

Each study is scaffolded the way a researcher would (``python -m civicposts new-study`` on a
collection in a real tool's format), then built with ``make all STUDY=...``; its reports must exist
and say honestly what the study has (no coders yet, one coder, no interview, real data).
(a) the demo itself is built by ``built_tree`` in conftest and checked at the end.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from .conftest import copy_sources, make
from .studies_helpers import captions_and_comments, code_sample, instaloader_413, zeeschuimer

pytestmark = pytest.mark.slow


def _new_study(tree, name, *inputs):
    config = f"config/{name}.yaml"
    proc = subprocess.run([sys.executable, "-m", "civicposts", "new-study", "--posts", *map(str, inputs),
                           "--out", config], cwd=tree, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"make all STUDY={config}" in proc.stdout
    return config


def _build(tree, config):
    proc = make(tree, "all", f"STUDY={config}", check=False)
    assert proc.returncode == 0, f"make all STUDY={config} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    study = yaml.safe_load((tree / config).read_text())
    return study, tree / study["reports_dir"]


def _sidecars(reports):
    return [json.loads(p.read_text()) for sub in ("tables", "figures") for p in (reports / sub).glob("*.meta.json")]


def _assert_real_study(reports):
    for product in ("index.html", "civicposts-report.pdf", "manifest.json"):
        assert (reports / product).is_file(), product
    metas = _sidecars(reports)
    assert metas and not any(m["fictional"] for m in metas)
    assert not any(p.name.startswith("fictional_") for p in reports.rglob("*"))
    for m in metas:
        assert "[Fictional" not in m["caption"] and "[Simulated" not in m["caption"], m["name"]
    index = (reports / "index.html").read_text()
    assert "None of the" in index and "fictional data or simulated coders" in index
    assert "palembang" not in index.lower()  # the paper's facts belong to the shipped study only
    assert not (reports / "tables" / "tab01_background_statistics.csv").exists()


@pytest.fixture(scope="module")
def studies_tree(tmp_path_factory):
    tree = copy_sources(tmp_path_factory.mktemp("studies"))
    raw = tree / "data/raw/private"
    instaloader_413(raw / "il413", "kota.lain", 36)
    zeeschuimer(raw / "zs" / "export.ndjson", "berita.kota", 30)
    captions_and_comments(raw / "txt", "warga.kota", 30)
    return tree


def test_b_instaloader_413_with_no_coders_and_no_interview(studies_tree):
    config = _new_study(studies_tree, "il413", "data/raw/private/il413")
    study, reports = _build(studies_tree, config)
    assert study["sample_n"] == 36 and study["corpus_account"] == "kota.lain"
    _assert_real_study(reports)
    status = pd.read_csv(reports / "tables/tab06b_coding_status.csv")
    assert status["status"].iloc[0].startswith("not coded yet")
    assert (reports / "figures/fig02_complaint_posts.png").stat().st_size > 5000  # a "no data yet" panel, drawn
    assert pd.read_csv(reports / "figures/fig02_complaint_posts.csv").empty
    assert pd.read_csv(reports / "tables/tab07_agreement.csv")["status"].iloc[0].startswith("not measured: 0 coder")
    themes = pd.read_csv(reports / "tables/tab11_interview_themes.csv")
    assert themes["segments"].sum() == 0  # no interview: nothing credited to anybody's coding


def test_c_zeeschuimer_with_one_coder(studies_tree):
    config = _new_study(studies_tree, "zs", "data/raw/private/zs")
    study, reports = _build(studies_tree, config)
    sample = pd.read_parquet(studies_tree / study["processed_dir"] / "coding_sample.parquet")
    code_sample(studies_tree / study["coder_dir"], studies_tree / study["codebook_path"], "ana",
                list(sample["unit_id"]))
    study, reports = _build(studies_tree, config)
    _assert_real_study(reports)
    status = pd.read_csv(reports / "tables/tab06b_coding_status.csv")
    assert status.loc[status["coder"] == "ana", "units_coded"].item() == len(sample)
    assert "agreement not measurable yet" in status["status"].iloc[-1]
    agreement = pd.read_csv(reports / "tables/tab07_agreement.csv")
    assert "1 coder" in agreement["status"].iloc[0]
    final = pd.read_parquet(studies_tree / study["processed_dir"] / "final_codings.parquet")
    assert set(final.loc[final["unit_type"] == "post", "status"]) == {"single_coder"}


def test_d_captions_and_comments_with_two_coders_and_an_empty_adjudication(studies_tree):
    config = _new_study(studies_tree, "txt", "data/raw/private/txt")
    study, reports = _build(studies_tree, config)
    sample = pd.read_parquet(studies_tree / study["processed_dir"] / "coding_sample.parquet")
    ids = list(sample["unit_id"])
    coder_dir = studies_tree / study["coder_dir"]
    code_sample(coder_dir, studies_tree / study["codebook_path"], "ana", ids)
    code_sample(coder_dir, studies_tree / study["codebook_path"], "budi", ids, flip=3)
    (coder_dir / "adjudication.csv").write_text("")  # a reconciler's sheet, not filled in yet
    study, reports = _build(studies_tree, config)
    _assert_real_study(reports)
    agreement = pd.read_csv(reports / "tables/tab07_agreement.csv")
    post_type = agreement[(agreement["variable"] == "post_type")].iloc[0]
    assert post_type["n_units"] == len(ids) and post_type["percent_agreement"] < 1
    sheet = pd.read_csv(studies_tree / study["processed_dir"] / "disagreements.csv")
    assert len(sheet) >= 3
    flow = pd.read_csv(reports / "tables/tab03_ingest_summary.csv")
    assert flow["kept"].sum() >= 30  # the caption files and their comments were read


def test_a_the_demo_stays_labelled_fictional_everywhere(built_tree):
    reports = built_tree / "reports"
    metas = _sidecars(reports)
    made_up = {m["name"] for m in metas if m["fictional"]}
    real = {m["name"] for m in metas if not m["fictional"]}
    assert real == {"fig01_profile_card", "tab01_background_statistics", "tab02_interview_record",
                    "tab11_interview_themes"}  # the paper's facts, and its interview as the maintainers coded it
    assert all(name.startswith("fictional_") for name in made_up)
    assert "fictional" in (reports / "index.html").read_text().lower()
