"""Reading Instagram collections into one post table (plus comments and profiles).

``read_posts(*paths)`` / ``ingest(*paths)`` accept files and folders (folders are
searched recursively in sorted order, so the output order never depends on the
file system). Every record becomes one row of the post table
(:data:`civicposts.schema.POSTS`); rows are sorted by ``posted_at`` then
``post_id``.

The formats read, each documented in its module and registered in
:mod:`civicposts.ingest.registry`:

* :mod:`~civicposts.ingest.instaloader` -- ``instaloader-json``,
  ``instaloader-profile``, ``instaloader-comments``, ``instaloader-txt``
  (every version's metadata shapes, compressed or not, comment files,
  caption-only folders);
* :mod:`~civicposts.ingest.zeeschuimer` -- ``zeeschuimer-ndjson``
  (Zeeschuimer and 4CAT exports);
* :mod:`~civicposts.ingest.apify` -- ``apify-json``, ``apify-csv``;
* :mod:`~civicposts.ingest.table` -- ``plain-csv`` (a documented layout for
  hand-made tables).

Bad input (malformed JSON or NDJSON lines, truncated ``.xz``, missing required
fields, bad values) raises :class:`~civicposts.errors.InputError` naming the
file, the record (line number, index or shortcode) and the problem; with
``quarantine=True`` bad records are set aside in ``IngestResult.quarantine``
and reading continues. The same post in several files is kept once: the
first copy by sorted path, unless a later copy has more fields (then that
copy replaces it, and the accounting moves with it), which is logged. For
every source file ``read == kept + duplicates + quarantined``, and ``kept``
equals the number of rows whose ``source_file`` is that file.

Adding a format: write a module with a ``FORMATS`` tuple of
:class:`~civicposts.ingest.base.Format` (name, tables, suffixes,
``can_read(path, head)``, ``records(path, head, folder)``) and add it to
``registry._FORMATS`` (or call :func:`~civicposts.ingest.registry.register`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .. import schema
from ..errors import InputError
from . import registry
from .base import Bad, Extra, Folder, Format, Head, Row, Skip
from .driver import IngestResult, collect, result_of
from .files import PREFETCH_WORKERS, decode_csv_bytes
from .nodes import post_from_node, profile_from_node

log = logging.getLogger(__name__)

POST_COLUMNS = schema.POSTS.columns
COMMENT_COLUMNS = schema.COMMENTS.columns
PROFILE_COLUMNS = schema.PROFILES.columns
REPORT_COLUMNS = schema.INGEST_REPORT.columns
QUARANTINE_COLUMNS = schema.QUARANTINE.columns

__all__ = [
    "IngestResult", "ingest", "read_posts", "read_comments", "read_profiles", "to_flat", "registry",
    "Format", "Head", "Folder", "Row", "Bad", "Extra", "Skip", "post_from_node", "profile_from_node",
    "decode_csv_bytes", "POST_COLUMNS", "COMMENT_COLUMNS", "PROFILE_COLUMNS", "REPORT_COLUMNS",
    "QUARANTINE_COLUMNS", "PREFETCH_WORKERS",
]


def ingest(*paths: str | Path, quarantine: bool = False, progress: bool = False,
           columns: str | Mapping[str, str] | None = None, account: str | None = None,
           allow_empty: bool = False) -> IngestResult:
    """Read every supported file under ``paths`` into posts, comments, profiles and a per-source report.

    Raises InputError on the first bad record unless ``quarantine`` is true,
    in which case bad records are listed in ``.quarantine`` instead.
    ``progress`` shows a tqdm bar over files. ``columns`` maps post fields to
    the columns of a researcher's own table (see :mod:`civicposts.ingest.table`),
    ``account`` is the account of tables that have no account column. Reading
    nothing at all is an error naming every file skipped and why (an empty
    result from unreadable input is not a success), unless ``allow_empty``.
    """
    from .table import parse_columns

    try:
        mapping = parse_columns(columns)
    except ValueError as exc:
        raise InputError("(column mapping)", str(exc)) from None
    state = collect(paths, quarantine, progress, {"columns": mapping, "account": account})
    if not allow_empty and not state.sources:
        skipped = "; ".join(f"{p}: {why}" for p, why in state.skipped) or "no files in them"
        raise InputError(", ".join(map(str, paths)), f"nothing could be read ({skipped})")
    for src in state.sources:
        if src.differed:
            log.info("%s: %d duplicate records differ from the copies kept (first by path, with as many "
                     "fields); e.g. counts captured at another time", src.path, src.differed)
    result = result_of(state)
    log.info("ingested %d posts, %d comments, %d profiles from %d source files (%d quarantined, %d duplicates)",
             len(result.posts), len(result.comments), len(result.profiles), len(result.report),
             int(result.report["quarantined"].sum()), int(result.report["duplicates"].sum()))
    return result


def read_posts(*paths: str | Path, quarantine: bool = False, **options: Any) -> pd.DataFrame:
    """The post table of everything under ``paths`` (see :func:`ingest` for ``options``)."""
    return ingest(*paths, quarantine=quarantine, **options).posts


def read_comments(*paths: str | Path, quarantine: bool = False, **options: Any) -> pd.DataFrame:
    """The comment table of everything under ``paths`` (see :func:`ingest` for ``options``)."""
    return ingest(*paths, quarantine=quarantine, **options).comments


def read_profiles(*paths: str | Path, quarantine: bool = False, **options: Any) -> pd.DataFrame:
    """The profile table of everything under ``paths`` (see :func:`ingest` for ``options``)."""
    return ingest(*paths, quarantine=quarantine, **options).profiles


def to_flat(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with list columns joined by "|" (for CSV output)."""
    out = df.copy()
    for col in ("media_files", "missing_fields"):
        if col in out.columns:
            out[col] = ["|".join(v) for v in out[col]]
    return out
