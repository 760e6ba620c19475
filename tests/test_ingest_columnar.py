"""The columnar reader of large plain CSVs (civicposts.ingest.columnar) gives what the row route gives.

Every test reads the same FICTIONAL file twice: row by row (the block threshold out of reach) and as one
Arrow block (threshold 0), and the two results must be identical; where the file holds something only the
row route can judge, the block reader must step aside so that the error or the counts are the row route's.
"""

from __future__ import annotations

import csv
import random

import pandas as pd
import pytest

from civicposts import ingest
from civicposts.errors import InputError
from civicposts.ingest import table

HEADER = ["post_id", "account", "posted_at", "caption", "likes", "comments", "media_type", "location_name", "url"]


def _rows(n: int, seed: int = 7) -> list[list[str]]:
    r = random.Random(seed)
    words = "jalan rusak banjir sampah macet lampu mati warga pasar mohon 😡 🙏 ditindaklanjuti".split()
    out = []
    for i in range(n):
        caption = " ".join(r.choice(words) for _ in range(r.randint(0, 12)))
        if i % 9 == 0:
            caption += '\nbaris kedua, dengan "kutipan"'
        out.append([f"FICT{i:05d}", ("@" if i % 7 == 0 else "") + ("Demo.Kota" if i % 5 == 0 else "demo.kota"),
                    f"2020-0{1 + i % 9}-{1 + i % 28:02d}{'T' if i % 2 else ' '}{i % 24:02d}:{i % 60:02d}"
                    + (f":{i % 60:02d}" if i % 3 else "") + (".123456" if i % 13 == 0 else "")
                    + ("Z" if i % 4 else "+07:00"),
                    caption, "" if i % 3 == 0 else str(r.randint(0, 9000)), f" {r.randint(0, 99)} ",
                    r.choice(["image", "video", "carousel", "", "Image", " VIDEO "]),
                    r.choice(["", "Palembang", "  Pasar 16 Ilir "]), r.choice(["", "https://example.org/x"])])
    return out


def _write(path, rows, header=HEADER):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def _both(monkeypatch, *paths, **options):
    """(row route, block route) results of ``ingest(*paths)``."""
    monkeypatch.setattr(table, "BLOCK_MIN_BYTES", 10**15)
    rows = ingest.ingest(*paths, **options)
    monkeypatch.setattr(table, "BLOCK_MIN_BYTES", 0)
    blocks = ingest.ingest(*paths, **options)
    return rows, blocks


def _same(a, b):
    for name in ("posts", "report", "quarantine"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)


def test_a_large_file_read_as_a_block_equals_the_row_route(tmp_path, monkeypatch):
    path = _write(tmp_path / "posts.csv", _rows(600))
    rows, blocks = _both(monkeypatch, path)
    _same(rows, blocks)
    assert len(blocks.posts) == 600 and blocks.posts["n_media"].isna().any()


def test_a_table_without_optional_columns_gets_the_same_missing_fields(tmp_path, monkeypatch):
    rows = [r[:3] for r in _rows(50)]
    path = _write(tmp_path / "bare.csv", rows, HEADER[:3])
    a, b = _both(monkeypatch, path)
    _same(a, b)
    assert b.posts["missing_fields"].iloc[0] == ["owner_id", *table.OPTIONAL, "n_media"]


def test_blank_records_are_skipped_alike(tmp_path, monkeypatch):
    rows = _rows(40)
    rows.insert(10, [""] * len(HEADER))
    rows.insert(20, [" "] * len(HEADER))
    a, b = _both(monkeypatch, _write(tmp_path / "blank.csv", rows))
    _same(a, b)
    assert len(b.posts) == 40


@pytest.mark.parametrize("column, value, message", [
    ("post_id", " ", "post_id"),
    ("posted_at", "2020-06-01T08:30:00", "no UTC offset"),
    ("posted_at", "2021-02-30T08:30:00Z", "ISO-8601"),
    ("media_type", "reel", "media_type"),
    ("likes", "banyak", "likes"),
])
def test_a_bad_value_is_named_by_the_row_route(tmp_path, monkeypatch, column, value, message):
    rows = _rows(30)
    rows[17][HEADER.index(column)] = value
    path = _write(tmp_path / "bad.csv", rows)
    errors = []
    for threshold in (10**15, 0):  # the row route, then the block reader
        monkeypatch.setattr(table, "BLOCK_MIN_BYTES", threshold)
        with pytest.raises(InputError, match=message) as err:
            ingest.ingest(path)
        errors.append(str(err.value))
    assert errors[0] == errors[1] and "record line 21" in errors[1]  # two captions above span two lines
    a, b = _both(monkeypatch, path, quarantine=True)  # and the quarantine is the row route's
    _same(a, b)
    assert len(b.quarantine) == 1


@pytest.mark.parametrize("change", ["signed count", "comma count", "unicode space", "non-ascii account"])
def test_values_only_the_row_route_reads_exactly_give_its_result(tmp_path, monkeypatch, change):
    rows = _rows(30)
    if change == "signed count":
        rows[3][HEADER.index("likes")] = "-1"  # a hidden count: None
    elif change == "comma count":
        rows[3][HEADER.index("likes")] = "1,250"
    elif change == "unicode space":
        rows[3][HEADER.index("location_name")] = "\u00a0Palembang\u3000"
    else:
        rows[3][HEADER.index("account")] = "DEMO.KOTA.İ"
    a, b = _both(monkeypatch, _write(tmp_path / "odd.csv", rows))
    _same(a, b)


def test_repeated_posts_are_counted_as_the_row_route_counts_them(tmp_path, monkeypatch):
    rows = _rows(40)
    first = _write(tmp_path / "a.csv", rows + [rows[5]])  # a repeat inside the block
    later = rows[10:12]
    later[0] = list(later[0])
    later[0][HEADER.index("likes")] = "77"  # another capture of the same post
    second = _write(tmp_path / "b.csv", later)  # repeats of the block's posts in a later file
    a, b = _both(monkeypatch, first, second)
    _same(a, b)
    assert b.report["duplicates"].sum() == 3
