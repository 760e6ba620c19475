"""new-study: a study file written from what a collection holds, valid as it is."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from civicposts import config, scaffold

from .studies_helpers import instaloader_413

ROOT = Path(__file__).resolve().parents[1]


def test_the_study_file_follows_the_data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    instaloader_413(tmp_path / "raw", "kota.lain", 12)
    found = scaffold.survey(["raw"])
    assert (found.n_posts, found.accounts, found.formats) == (12, {"kota.lain": 12}, {"instaloader-json": 12})
    assert found.first_day == "2021-03-01" and found.last_day > found.first_day
    values = scaffold.proposal(found, "config/My Study.yaml")
    assert values["sample_n"] == 12 and values["overlap_n"] == 4  # fits the corpus
    assert values["reports_dir"] == "reports/my_study" and values["coder_dir"] == "coding/my_study"
    assert values["pseudonym_key_file"] == ".secrets/my_study.key" and values["pseudonym_demo_key"] is False
    out = tmp_path / "study.yaml"
    out.write_text(scaffold.study_yaml(values, found))
    study = config.load_study(out)
    assert study.allowlist == ("kota.lain",) and study.paper_dir == "" and study.interview_inputs == ()
    assert "# the collected account (12 posts)" in out.read_text()


def test_new_study_on_a_table_with_a_column_mapping(tmp_path):
    table = tmp_path / "mine.csv"
    table.write_text("Akun,Waktu,Teks\nwarga.a,2021-03-01T08:00:00+07:00,Jalan rusak\n"
                     "warga.a,2021-03-05T08:00:00+07:00,Banjir\n", encoding="utf-8")
    out = tmp_path / "cfg" / "mine.yaml"
    run = subprocess.run([sys.executable, "-m", "civicposts", "new-study", "--posts", str(table), "--out", str(out),
                          "--columns", "caption=Teks,account=Akun,posted_at=Waktu"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    data = yaml.safe_load(out.read_text())
    assert data["table_columns"] == {"caption": "Teks", "account": "Akun", "posted_at": "Waktu"}
    assert data["period_start"] == "2021-03-01" and data["period_end"] == "2021-03-05"
    assert (tmp_path / ".secrets" / "mine.key").stat().st_size >= 64  # a fresh key, never the demo's


def test_a_folder_of_nothing_readable_is_refused_naming_each_file(tmp_path):
    (tmp_path / "a.xlsx").write_bytes(b"not a workbook")
    (tmp_path / "b.csv").write_text("x,y\n1,2\n")
    run = subprocess.run([sys.executable, "-m", "civicposts", "new-study", "--posts", str(tmp_path),
                          "--out", str(tmp_path / "s.yaml")], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 2 and not (tmp_path / "s.yaml").exists()
    assert "b.csv: unrecognised CSV layout" in run.stderr and "a.xlsx" in run.stderr
