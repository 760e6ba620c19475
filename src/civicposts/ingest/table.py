"""Tables of posts: the plain CSV layout, and any CSV or XLSX table through a column mapping.

``plain-csv``
    A CSV with a header row and these columns:

    ============== ========================================================
    post_id        required; the shortcode (from ``instagram.com/p/<id>/``)
    account        required; the owner's handle (``@`` optional)
    posted_at      required; ISO-8601 with a UTC offset, e.g.
                   ``2020-06-01T08:30:00+07:00`` or ``...Z``
    caption        text, may be empty
    likes          integer, may be empty
    comments       integer, may be empty
    media_type     image, video or carousel, may be empty
    location_name  may be empty
    url            may be empty (then built from post_id)
    n_media        optional column
    ============== ========================================================

CSV files may be UTF-8 (with or without BOM) or cp1252/latin-1, with LF or
CRLF line ends; the encoding is detected (UTF-8 first) and logged.

``mapped-table``
    Any CSV or XLSX (first sheet) with other column names, read through a
    mapping from post fields to its columns (``table_columns:`` in the study
    file, or ``--columns caption=Caption,account=Username,posted_at=Date``).
    Only ``caption`` is required. Without a post id column, each row's id is
    derived from its content (``row:`` + 12 hex digits of a SHA-1 of account,
    time and text), the same in every run; without a time, the post is kept
    with ``posted_at`` empty and ``posted_at`` listed in ``missing_fields``
    (the period filter then sets it aside, and the flow table counts it).
    ``account`` defaults to the ``account`` option (e.g. the collected
    account). Errors name the row (CSV: its first line).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import InputError
from .base import Bad, Block, Event, Folder, Format, Head, Row, csv_records
from .files import Problem
from .values import ns_from_iso, opt_int, post_url, record_label

REQUIRED = ("post_id", "account", "posted_at")
OPTIONAL = ("caption", "likes", "comments", "media_type", "location_name", "url")
_MEDIA = {"image", "video", "carousel"}
# Files at least this large are read column by column (civicposts.ingest.columnar), with the same rows and
# counts; smaller ones, and any file with a value the columnar reader does not vouch for, row by row.
BLOCK_MIN_BYTES = 4 << 20


def plain_post(item: dict[str, str], header: list[str]) -> dict[str, Any]:
    """Map one row of the plain layout to a post row."""
    missing = [c for c in OPTIONAL if c not in header]
    post_id = item["post_id"].strip()
    if not post_id:
        raise Problem("missing value for 'post_id'")
    account = item["account"].strip().lstrip("@").lower()
    if not account:
        raise Problem("missing value for 'account'", post_id)
    posted = ns_from_iso(item["posted_at"], "posted_at", assume_utc=False)
    media = (item.get("media_type") or "").strip().lower() or None
    if media is not None and media not in _MEDIA:
        raise Problem(f"media_type {item['media_type']!r} is not one of image, video, carousel")
    n_media = opt_int(item.get("n_media"), "n_media")
    if n_media is None and media in ("image", "video"):
        n_media = 1
    if n_media is None:
        missing.append("n_media")
    url = (item.get("url") or "").strip() or post_url(post_id)
    return {
        "post_id": post_id, "account": account, "owner_id": None, "posted_at": posted,
        "caption": item.get("caption") or "",
        "likes": opt_int(item.get("likes"), "likes"),
        "comments": opt_int(item.get("comments"), "comments"),
        "media_type": media, "n_media": n_media,
        "location_name": (item.get("location_name") or "").strip() or None,
        "url": url, "media_files": [], "missing_fields": ["owner_id"] + missing,
    }


def _records(path: str, head: Head, folder: Folder) -> Iterator[Event]:
    header = head.csv_header()
    raw = head.raw
    if isinstance(raw, bytes) and len(raw) >= BLOCK_MIN_BYTES:
        from .columnar import plain_block

        frame = plain_block(head, header)
        if frame is not None:  # None: something only the row route can judge, and name
            if len(frame):
                yield Block("posts", "post_id", frame)
            return
    for rec in csv_records(head):
        if isinstance(rec, Bad):
            yield rec
            continue
        record, _, item = rec
        try:
            row = plain_post(item, header)
        except Problem as bad:
            yield Bad(record_label(record, item.get("post_id")), bad.problem)
            continue
        yield Row("posts", row["post_id"], row)


FORMATS = (
    Format("plain-csv", ("posts",), (".csv",), lambda path, head: all(c in head.csv_header() for c in REQUIRED),
           _records, "the plain layout (" + ", ".join(REQUIRED + OPTIONAL) + ")"),
)


# --------------------------------------------------------------------------- any table, with a column mapping

# Fields a mapping may name (the post table's columns a researcher's table can fill).
MAPPABLE = ("post_id", "account", "posted_at", "caption", "likes", "comments", "media_type", "location_name", "url")
TABLE_SUFFIXES = (".csv", ".xlsx")


def parse_columns(spec: str | Mapping[str, str] | None) -> dict[str, str]:
    """A column mapping from ``"caption=Caption,account=Username"`` (or a mapping), checked:
    each key must be a post field and ``caption`` must be mapped."""
    if not spec:
        return {}
    if isinstance(spec, str):
        pairs = [item.split("=", 1) for item in spec.split(",") if item.strip()]
        if any(len(p) != 2 or not p[0].strip() or not p[1].strip() for p in pairs):
            raise ValueError(f"column mapping {spec!r}: write field=Column pairs joined by commas, "
                             "e.g. caption=Caption,account=Username")
        mapping = {k.strip(): v.strip() for k, v in pairs}
    else:
        mapping = {str(k): str(v) for k, v in spec.items()}
    unknown = sorted(set(mapping) - set(MAPPABLE))
    if unknown:
        raise ValueError(f"column mapping names {', '.join(unknown)}: not post fields (known: {', '.join(MAPPABLE)})")
    if "caption" not in mapping:
        raise ValueError("column mapping: 'caption' must name the column holding the post text")
    return mapping


def _workbook(head: Head) -> Any:
    """The workbook from the file's bytes (read from disk once per file, as every format reads them)."""
    import io

    from openpyxl import load_workbook

    raw = head.raw
    if not isinstance(raw, bytes):
        raise raw
    return load_workbook(io.BytesIO(raw), read_only=True, data_only=True)


def _xlsx_rows(head: Head) -> Iterator[tuple[str, list[str], dict[str, str]] | Bad]:
    """(``row N``, values, {column: value}) of the first sheet of a workbook, like :func:`csv_records`."""
    try:
        wb = _workbook(head)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise InputError(head.path, f"cannot open as a workbook ({exc})") from None
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = [("" if h is None else str(h).strip()) for h in next(rows, ())]
        for n, rec in enumerate(rows, start=2):
            values = ["" if v is None else (v.isoformat() if hasattr(v, "isoformat") else str(v)) for v in rec]
            values = (values + [""] * len(header))[: len(header)]
            if any(v.strip() for v in values):
                yield f"row {n}", values, dict(zip(header, values))
    finally:
        wb.close()


def _header(head: Head) -> list[str]:
    """The column names of a CSV or of a workbook's first sheet (read once per file)."""
    if not head.name.endswith(".xlsx"):
        return head.csv_header()
    return head.memo("xlsx_header", lambda: _xlsx_header(head))


def _xlsx_header(head: Head) -> list[str]:
    try:
        wb = _workbook(head)
    except Exception:  # not a workbook: no format claims it, and the driver says so
        return []
    try:
        first = next(wb.worksheets[0].iter_rows(values_only=True), ())
    finally:
        wb.close()
    return [("" if h is None else str(h).strip()) for h in first]


def _can_read_mapped(path: str, head: Head) -> bool:
    mapping = head.options.get("columns") or {}
    return bool(mapping) and all(col in _header(head) for col in mapping.values())


def _stable_id(account: str, posted: str, caption: str) -> str:
    """An id derived from a row's content, the same in every run: for tables with no post id."""
    import hashlib

    return "row:" + hashlib.sha1(f"{account}\x1f{posted}\x1f{caption}".encode("utf-8")).hexdigest()[:12]


def _mapped_records(path: str, head: Head, folder: Folder) -> Iterator[Event]:
    mapping = head.options["columns"]
    default_account = str(head.options.get("account") or "").lstrip("@").lower()
    rows = _xlsx_rows(head) if head.name.endswith(".xlsx") else csv_records(head)
    for rec in rows:
        if isinstance(rec, Bad):
            yield rec
            continue
        record, _, item = rec
        get = {field: (item.get(col) or "").strip() for field, col in mapping.items()}
        account = get.get("account", "").lstrip("@").lower() or default_account or None
        missing = [f for f in OPTIONAL if f not in mapping] + (["owner_id"])
        try:
            posted: int | None = None
            if get.get("posted_at"):
                posted = ns_from_iso(get["posted_at"], f"{mapping['posted_at']}", assume_utc=False)
            else:
                missing.append("posted_at")
            media = (get.get("media_type") or "").lower() or None
            if media is not None and media not in _MEDIA:
                raise Problem(f"{mapping['media_type']} {media!r} is not one of image, video, carousel")
            caption = item.get(mapping["caption"]) or ""
            post_id = get.get("post_id") or _stable_id(account or "", get.get("posted_at", ""), caption)
            row = {
                "post_id": post_id, "account": account, "owner_id": None, "posted_at": posted,
                "caption": caption, "likes": opt_int(get.get("likes"), mapping.get("likes", "likes")),
                "comments": opt_int(get.get("comments"), mapping.get("comments", "comments")),
                "media_type": media, "n_media": 1 if media in ("image", "video") else None,
                "location_name": get.get("location_name") or None,
                "url": get.get("url") or (post_url(post_id) if "post_id" in mapping else None),
                "media_files": [], "missing_fields": sorted(set(missing) | ({"account"} if account is None else set())),
            }
        except Problem as bad:
            yield Bad(record_label(record, get.get("post_id")), bad.problem)
            continue
        yield Row("posts", post_id, row)


# Registered first (see registry): a mapping the researcher gives wins over any layout guessed from the file.
MAPPED = Format("mapped-table", ("posts",), TABLE_SUFFIXES, _can_read_mapped, _mapped_records,
                "a table whose columns the study maps (table_columns in the study file, or --columns)")
