"""The `python -m civicposts ingest` command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from civicposts.__main__ import main as cli

FIX = Path(__file__).parent / "fixtures" / "ingest"


def test_cli_writes_parquet_and_csv(tmp_path):
    out = tmp_path / "posts.parquet"
    assert cli(["ingest", str(FIX / "instaloader_416"), str(FIX / "plain"), "--out", str(out), "--no-progress",
                "--comments-out", str(tmp_path / "comments.csv"), "--report-out", str(tmp_path / "r.csv")]) == 0
    posts = pd.read_parquet(out)
    assert len(posts) == 6 and str(posts["posted_at"].dtype).startswith("datetime64")
    assert list(posts.columns)[:2] == ["post_id", "account"]
    assert len(pd.read_csv(tmp_path / "comments.csv")) == 3
    report = pd.read_csv(tmp_path / "r.csv")
    assert (report["read"] == report["kept"] + report["duplicates"] + report["quarantined"]).all()
    csv_out = tmp_path / "posts.csv"
    assert cli(["ingest", str(FIX / "instaloader_txt"), "--out", str(csv_out), "--no-progress"]) == 0
    flat = pd.read_csv(csv_out)
    assert flat["missing_fields"].iloc[0] == "owner_id|likes|comments|media_type|n_media|url"


def test_cli_same_bytes_twice(tmp_path):
    for name in ("a.parquet", "b.parquet"):
        assert cli(["ingest", str(FIX / "zeeschuimer"), str(FIX / "apify"), "--out", str(tmp_path / name),
                    "--no-progress"]) == 0
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()


def test_cli_bad_input_exit_code_and_quarantine(tmp_path, caplog):
    out = tmp_path / "p.csv"
    assert cli(["ingest", str(FIX / "bad"), "--out", str(out), "--no-progress"]) == 2
    assert not out.exists()
    assert any("bad_lines.ndjson, record line 2" in r.message for r in caplog.records)
    assert cli(["ingest", str(FIX / "bad"), "--out", str(out), "--quarantine", "--no-progress"]) == 0
    q = pd.read_csv(tmp_path / "p.quarantine.csv")
    assert len(q) == 8 and set(q.columns) == {"source_file", "record", "problem"}


def test_unknown_subcommand_and_module_entry():
    assert cli(["nope"]) == 2
    run = subprocess.run([sys.executable, "-m", "civicposts", "--help"], capture_output=True, text=True)
    assert run.returncode == 0 and "ingest" in run.stdout
