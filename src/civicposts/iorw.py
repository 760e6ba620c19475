"""Atomic and deterministic writing of files.

Every product is written to a temporary file in the target folder and then
renamed over the target, so a crash never leaves a partial file that looks
finished. Tables are written with fixed formatting so that the same data gives
the same bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import logging

log = logging.getLogger(__name__)

# A fixed timestamp for formats that embed one (PDF, zip members): 2021-02-27,
# the date of the paper's interview. SOURCE_DATE_EPOCH overrides it.
DEFAULT_SOURCE_DATE_EPOCH = 1614384000


def source_date_epoch() -> int:
    """The timestamp to embed in generated files, from SOURCE_DATE_EPOCH or a fixed default."""
    return int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_SOURCE_DATE_EPOCH))


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success.

    On any exception the temporary file is removed and ``target`` is untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def write_bytes(target: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically."""
    with atomic_path(target) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    return Path(target)


def write_text(target: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` with LF line ends to ``target`` atomically."""
    return write_bytes(target, text.encode("utf-8"))


def write_text_if_changed(target: str | Path, text: str) -> bool:
    """Write ``text`` only when it differs from the file's content; return whether it wrote.

    Keeps the file's modification time when nothing changed, so Make does not
    rebuild its dependents.
    """
    target = Path(target)
    if target.exists() and target.read_text(encoding="utf-8") == text:
        return False
    write_text(target, text)
    return True


def dumps_json(obj: Any) -> str:
    """Serialise ``obj`` as sorted, indented JSON with a final newline."""
    return json.dumps(obj, sort_keys=True, indent=2, ensure_ascii=False, default=str) + "\n"


def write_json(target: str | Path, obj: Any) -> Path:
    """Write ``obj`` as sorted JSON, atomically."""
    return write_text(target, dumps_json(obj))


def write_csv(target: str | Path, df: "pandas.DataFrame", *, bom: bool = False) -> Path:  # noqa: F821
    """Write a DataFrame as CSV with fixed formatting (UTF-8, LF, no index), atomically.

    ``bom=True`` prepends a UTF-8 byte-order mark, which spreadsheet programs
    need to recognise UTF-8.
    """
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n", float_format="%.10g")
    text = buf.getvalue()
    return write_bytes(target, (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))


def write_parquet(target: str | Path, df: "pandas.DataFrame") -> Path:  # noqa: F821
    """Write a DataFrame as Parquet with settings that give the same bytes for the same data."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    # pandas metadata embeds the pandas version and column index details; keep
    # it (it round-trips dtypes) but drop nothing else that varies between runs.
    with atomic_path(target) as tmp:
        pq.write_table(table, tmp, compression="zstd", write_statistics=True,
                       use_dictionary=True, store_schema=True)
    return Path(target)


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """The hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()
