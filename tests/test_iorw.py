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
