"""The exchange commands end to end: export-qdpx / import-qdpx on a small study, import-codebook and export-codebook."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

from civicposts import cli
from civicposts.codebook import load_codebook
from civicposts.coding import CodingStore
from civicposts.refi import xmltext

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "data/raw/coding/codebook.yaml"
FIX = ROOT / "tests/fixtures/refi"
TEXT = "Jalan rusak di depan pasar, mohon diperbaiki."


@pytest.fixture()
def study(tmp_path):
    proc = tmp_path / "processed"
    proc.mkdir()
    pd.DataFrame([{"unit_id": "P1", "unit_type": "post", "caption": TEXT, "likes": 1, "overlap": True},
                  {"unit_id": "P2", "unit_type": "post", "caption": "Banjir lagi.", "likes": 0, "overlap": False}]
                 ).to_parquet(proc / "coding_sample.parquet")
    store = CodingStore(tmp_path / "coding", load_codebook(CODEBOOK))
    store.append("ana", "P1", "post", "post_type", ["complaint"], memo="call 0812 3456 7890",
                 timestamp="2021-03-01T00:00:00Z")
    store.append_span("ana", "P1", "post", "topic", ["roads"], TEXT, 0, 11, timestamp="2021-03-01T00:00:01Z")
    config = tmp_path / "study.yaml"
    config.write_text(yaml.safe_dump({"study_title": "a small study", "codebook_path": str(CODEBOOK),
                                      "coding_dirs": [str(tmp_path / "coding")], "processed_dir": str(proc),
                                      "reports_dir": str(tmp_path / "reports"), "interview_inputs": [],
                                      "pseudonym_key_file": str(tmp_path / "key")}))
    return config


def test_export_then_import_gives_the_same_coding(tmp_path, study, caplog):
    caplog.set_level(logging.INFO)
    out = tmp_path / "s.qdpx"
    assert cli.main(["export-qdpx", "--study", str(study), "--out", str(out)]) == 0
    assert "1 whole-unit decisions, 1 spans" in caplog.text
    with zipfile.ZipFile(out) as zf:
        qde = zf.read("project.qde")
    assert xmltext.problems(qde, "project") == []
    assert b"0812 3456 7890" not in qde  # the memo is masked as the reports mask it
    assert cli.main(["import-qdpx", str(out), "--study", str(study), "--out", str(tmp_path / "back")]) == 0
    back = CodingStore(tmp_path / "back", load_codebook(CODEBOOK))
    assert back.decisions("ana")["codes"].tolist() == [("complaint",)]
    assert back.spans("ana")[["start", "end"]].values.tolist() == [[0, 11]]
    assert (tmp_path / "back/import-report.csv").exists()
    again = tmp_path / "again.qdpx"
    assert cli.main(["export-qdpx", "--study", str(study), "--out", str(again), "--coding", str(tmp_path / "back")]) == 0
    with zipfile.ZipFile(again) as zf:
        strip = lambda b: b.split(b"<Description>a small study")[0]  # noqa: E731  (names its coder folder)
        assert strip(zf.read("project.qde")) == strip(qde)


def test_export_without_processed_units_fails_clearly(tmp_path, study, caplog):
    (tmp_path / "processed/coding_sample.parquet").unlink()
    assert cli.main(["export-qdpx", "--study", str(study), "--out", str(tmp_path / "x.qdpx")]) == 2
    assert "run `make all` first" in caplog.text
    assert not (tmp_path / "x.qdpx").exists()


def test_import_codebook_writes_a_valid_codebook_and_never_overwrites(tmp_path, capsys):
    out = tmp_path / "codebook.yaml"
    assert cli.main(["import-codebook", str(FIX / "maxqda_codebook.qdc"), "--out", str(out)]) == 0
    assert len(load_codebook(out).variables) == 3
    before = out.read_bytes()
    assert cli.main(["import-codebook", str(FIX / "maxqda_codebook.qdc"), "--out", str(out)]) == 2
    assert "never overwritten" in capsys.readouterr().err and out.read_bytes() == before
    qdc = tmp_path / "back.qdc"
    assert cli.main(["export-codebook", str(out), "--out", str(qdc)]) == 0
    assert xmltext.problems(qdc.read_bytes(), "codebook") == []


def test_import_codebook_of_a_bad_file_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.qdc"
    bad.write_bytes(b"<CodeBook")
    assert cli.main(["import-codebook", str(bad), "--out", str(tmp_path / "c.yaml")]) == 2
    assert "not well-formed" in capsys.readouterr().err and not (tmp_path / "c.yaml").exists()
