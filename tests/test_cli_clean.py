"""`python -m civicposts clean`: the notebooks' cleaning from the command line, on any scheduler."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from civicposts.cli import main


def posts_table() -> pd.DataFrame:
    base = "jalan di depan pasar rusak parah dan berlubang sudah berbulan bulan belum diperbaiki"
    rows = []
    for i in range(40):
        cap = base + f" nomor {i % 13} @warga.{i % 5} hubungi 0812-3456-78{i % 10}0"
        rows.append((f"P{i:03d}", "demo.kota.update" if i % 2 else f"warga.{i}", f"2021-01-{1 + i % 28:02d}T03:00:00Z",
                     cap))
    return pd.DataFrame(rows, columns=["post_id", "account", "posted_at", "caption"])


def comments_table() -> pd.DataFrame:
    return pd.DataFrame({"comment_id": ["C1", "C2"], "post_id": ["P001", "P002"], "author": ["budi.w", "demo.kota.update"],
                         "text": ["wa saya 081234567890 ya", "sudah diteruskan"],
                         "posted_at": ["2021-01-02T05:00:00Z", "2021-01-03T05:00:00Z"]})


@pytest.fixture()
def tables(tmp_path):
    posts_table().to_parquet(tmp_path / "posts.parquet")
    comments_table().to_parquet(tmp_path / "comments.parquet")
    return tmp_path


def test_clean_writes_masked_tables_and_the_flow(tables):
    key = tables / "k.key"
    rc = main(["clean", str(tables / "posts.parquet"), "--out", str(tables / "clean.parquet"), "--no-progress",
               "--comments", str(tables / "comments.parquet"), "--comments-out", str(tables / "cc.parquet"),
               "--set", f"pseudonym_key_file={key} allowlist=[demo.kota.update]"])
    assert rc == 0
    posts = pd.read_parquet(tables / "clean.parquet")
    assert len(posts) == 40 and {"text_clean", "dup_kind", "analysed"} <= set(posts.columns)
    assert not posts["caption"].str.contains("0812").any() and not posts["caption"].str.contains("warga.1").any()
    assert set(posts["account"]) - {"demo.kota.update"} <= set(posts["account"][posts["account"].str.startswith("user_")])
    flow = pd.read_csv(tables / "clean.flow.csv")
    assert flow["step"].iloc[-1] == "analysed" and flow["posts"].iloc[0] == 40
    comments = pd.read_parquet(tables / "cc.parquet")
    assert "081234567890" not in " ".join(comments["text"]) and comments["author"].iloc[1] == "demo.kota.update"
    assert (tables / "cc.flow.csv").exists()


def test_clean_on_worker_processes_gives_the_same_tables(tables):
    key = tables / "k.key"
    args = ["--set", f"pseudonym_key_file={key}", "--no-progress"]
    assert main(["clean", str(tables / "posts.parquet"), "--out", str(tables / "a.parquet"), *args,
                 "--scheduler", "synchronous"]) == 0
    assert main(["clean", str(tables / "posts.parquet"), "--out", str(tables / "b.parquet"), *args,
                 "--scheduler", "processes", "--partitions", "3"]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(tables / "a.parquet"), pd.read_parquet(tables / "b.parquet"))


def test_clean_errors_name_the_problem(tables, caplog):
    caplog.set_level(logging.ERROR)
    missing = tables / "nope.parquet"
    assert main(["clean", str(missing), "--out", str(tables / "x.parquet"),
                 "--set", f"pseudonym_key_file={tables / 'k.key'}"]) == 2
    assert str(missing) in caplog.text and not (tables / "x.parquet").exists()
    assert main(["clean", str(tables / "posts.parquet"), "--out", str(tables / "x.parquet"), "--scheduler", "gpu",
                 "--set", f"pseudonym_key_file={tables / 'k.key'}"]) == 2
    assert "scheduler 'gpu'" in caplog.text and not (tables / "x.parquet").exists()
