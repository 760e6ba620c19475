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


# --------------------------------------------------------------------------- spreadsheets

# What a person's JupyterLab session adds to a notebook it saves: outputs, run counters, widget state
# and view settings. None of it is the notebook's content, so none of it may change a build.
_SESSION_CELL_METADATA = ("execution", "collapsed", "scrolled", "jupyter")


def stored_notebook(nb: dict[str, Any]) -> dict[str, Any]:
    """A copy of notebook ``nb`` as the kit stores it: no outputs, no run counts, no widget state or view
    settings; cell ids, sources and tags are kept."""
    import copy

    nb = copy.deepcopy(nb)
    nb.get("metadata", {}).pop("widgets", None)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        for key in _SESSION_CELL_METADATA:
            cell.get("metadata", {}).pop(key, None)
    return nb


def notebook_sha256(path: str | Path) -> str:
    """sha256 of a notebook's stored form (:func:`stored_notebook`): a copy saved with outputs by a
    JupyterLab session hashes as the committed notebook does."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    text = json.dumps(stored_notebook(nb), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _fixed_zip(data: bytes, when: Any) -> bytes:
    """Rewrite a zip so that member timestamps and attributes are fixed."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 0
            dst.writestr(zi, src.read(info.filename), compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return out.getvalue()


def table_workbook(df: Any, sheet: str = "Sheet1") -> Any:
    """An openpyxl workbook of one sheet holding ``df`` (header row frozen; NaN and None as empty cells)."""
    import math

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([str(c) for c in df.columns])
    for rec in df.itertuples(index=False):
        ws.append([None if (v is None or (isinstance(v, float) and math.isnan(v))) else
                   (v if isinstance(v, (int, float, str)) else str(v)) for v in rec])
    ws.freeze_panes = "A2"
    return wb


def xlsx_bytes(data: Any, sheet: str = "Sheet1") -> bytes:
    """The bytes of an xlsx file of ``data`` (a workbook, or a DataFrame for one sheet), depending
    only on the data: fixed document times (SOURCE_DATE_EPOCH) and fixed zip member timestamps."""
    import datetime as dt
    import zipfile

    from openpyxl.writer.excel import ExcelWriter

    wb = table_workbook(data, sheet) if hasattr(data, "itertuples") else data
    when = dt.datetime.fromtimestamp(source_date_epoch(), tz=dt.timezone.utc).replace(tzinfo=None)
    wb.properties.creator = "civicposts"
    wb.properties.lastModifiedBy = "civicposts"
    wb.properties.created = when
    wb.properties.modified = when
    buf = io.BytesIO()
    # openpyxl's save_workbook stamps "modified" with the clock; its ExcelWriter does not.
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    return _fixed_zip(buf.getvalue(), when)


def write_xlsx(path: str | Path, data: Any, sheet: str = "Sheet1") -> Path:
    """Write ``data`` (a workbook, or a DataFrame for one sheet) as a deterministic xlsx, atomically."""
    return write_bytes(path, xlsx_bytes(data, sheet))
