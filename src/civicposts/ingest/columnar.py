"""Reading a large plain-layout CSV column by column: the same posts as the row route, in a fraction of the time.

The row route (:func:`civicposts.ingest.table.plain_post` per record, through Python's ``csv`` module) costs
about 50 µs a post: a million posts took most of a minute. :func:`plain_block` parses the file with Arrow's
multi-threaded CSV reader and checks and converts each column at once, giving the typed post frame the row
route would give.

It never judges a bad record. Whenever the file holds anything whose reading it does not reproduce exactly,
it returns None and the row route reads the file, so every error still names its file, line and post:

- a value the row route would refuse (an empty ``post_id`` or ``account``, a time without offset, an unknown
  media type, a count that is not a plain number), or a record with another number of fields;
- a time not written ``YYYY-MM-DD[T ]HH:MM[:SS[.ffffff]]`` with ``Z`` or ``±HH:MM``;
- an account with non-ASCII characters (Python's and Arrow's lowercasing differ there);
- whitespace other than ASCII's in a field that is trimmed (every field but the caption: Python's
  ``str.strip`` and Arrow's trimming differ there);
- a header with a repeated column name.

The lists ``media_files`` and ``missing_fields`` of the frame's rows are shared objects (two or three
distinct values for a whole file): treat them as read-only.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from .. import schema
from .base import Head
from .table import OPTIONAL
from .values import post_url

log = logging.getLogger("civicposts.ingest")

# Characters Python's str.strip() removes that Arrow's ASCII trimming keeps (Unicode and control spaces), as RE2
_WIDE_SPACE = r"[\x{1c}-\x{1f}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
_ISO = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})$"
_COUNT = r"^[0-9]{0,18}$"  # plain digits that fit an int64
_MEDIA = ("", "image", "video", "carousel")


def plain_block(head: Head, header: list[str]) -> pd.DataFrame | None:
    """The posts of a plain-layout CSV as one typed frame (:data:`civicposts.schema.POSTS` without
    ``source_format`` and ``source_file``, which the driver adds), or None when the row route must read it."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    raw = head.raw
    raw_header = head.csv_first_record()
    if not isinstance(raw, bytes) or raw_header is None:
        return None
    if len(set(header)) != len(header) or len(raw_header) != len(header):
        return None
    # Arrow reads the bytes as UTF-8 and refuses anything else (a cp1252 file goes the row route, which
    # decodes it); a BOM is skipped as the row route skips it
    data = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in raw_header},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        log.debug("%s: read row by row (%s)", head.path, exc)
        return None
    if table.num_columns != len(header):
        return None
    table = table.rename_columns(header)
    cols = {c: table.column(c).combine_chunks() for c in header}
    # the captions are kept as written; every other field is trimmed, so only there must Python's idea of
    # whitespace and Arrow's agree (they do on ASCII's)
    trimmed = {c: a if c == "caption" else pc.ascii_trim_whitespace(a) for c, a in cols.items()}
    for c, a in trimmed.items():
        if c != "caption" and pc.any(pc.match_substring_regex(a, _WIDE_SPACE)).as_py():
            return None
    # records whose every field is blank are no records (the row route skips them too)
    present = None
    for c, a in trimmed.items():
        # (a caption of only Unicode spaces counts as filled here and blank in the row route: such a record
        # has an empty post_id too, and then the row route reads the file)
        filled = pc.greater(pc.binary_length(pc.ascii_trim_whitespace(a) if c == "caption" else a), 0)
        present = filled if present is None else pc.or_(present, filled)
    if present is not None and not pc.all(present).as_py():
        cols = {c: pc.filter(a, present) for c, a in cols.items()}
        trimmed = {c: pc.filter(a, present) for c, a in trimmed.items()}
    n = len(cols[header[0]]) if header else 0

    def bad(mask: pa.Array) -> bool:
        return bool(n) and pc.any(mask).as_py()

    post_id = trimmed["post_id"]
    account = pc.utf8_ltrim(trimmed["account"], characters="@")
    posted = trimmed["posted_at"]
    if bad(pc.equal(pc.binary_length(post_id), 0)) or bad(pc.equal(pc.binary_length(account), 0)) \
            or not pc.all(pc.string_is_ascii(account)).as_py() or bad(pc.invert(pc.match_substring_regex(posted, _ISO))):
        return None
    account = pc.ascii_lower(account)
    try:
        when = pd.to_datetime(pd.Series(posted.to_numpy(zero_copy_only=False)), format="ISO8601", utc=True)
    except (ValueError, OverflowError):
        return None  # e.g. 2021-02-30: the row route names it
    media = pc.ascii_lower(trimmed["media_type"]) if "media_type" in header else pa.array([""] * n, pa.string())
    if bad(pc.invert(pc.is_in(media, value_set=pa.array(_MEDIA)))):
        return None
    counts = {}
    for c in ("likes", "comments", "n_media"):
        if c not in header:
            counts[c] = pd.array([pd.NA] * n, dtype="Int64")
            continue
        values = trimmed[c]
        if bad(pc.invert(pc.match_substring_regex(values, _COUNT))):
            return None  # signs, commas, decimals: the row route reads (or refuses) them
        counts[c] = pd.array([int(v) if v else None for v in values.to_pylist()], dtype="Int64")
    media_s = pd.Series(media.to_numpy(zero_copy_only=False), dtype=object)
    n_media = counts["n_media"]
    single = media_s.isin(["image", "video"]).to_numpy()
    n_media = pd.array(np.where(pd.isna(n_media) & single, 1, n_media), dtype="Int64")
    media_col = media_s.where(media_s != "", None)

    missing = ["owner_id"] + [c for c in OPTIONAL if c not in header]
    without, with_n = list(missing), missing + ["n_media"]
    no_count = pd.isna(n_media)
    before, after = post_url("\0").split("\0")  # the address values.post_url builds, around the id
    built = pc.binary_join_element_wise(before, post_id, after, "")
    url = (pc.if_else(pc.greater(pc.binary_length(trimmed["url"]), 0), trimmed["url"], built) if "url" in header
           else built)
    location = (pd.Series(trimmed["location_name"].to_numpy(zero_copy_only=False), dtype=object)
                if "location_name" in header else pd.Series([""] * n, dtype=object))
    empty: list[str] = []
    data = {
        "post_id": _strings(post_id),
        "account": _strings(account),
        "owner_id": pd.array([None] * n, dtype="str"),
        "posted_at": pd.DatetimeIndex(when).as_unit("ns").floor("us"),
        "caption": _strings(cols["caption"]) if "caption" in header else pd.array([""] * n, dtype="str"),
        "likes": counts["likes"], "comments": counts["comments"],
        "media_type": pd.array(media_col.tolist(), dtype="str"),
        "n_media": n_media,
        "location_name": pd.array(location.where(location != "", None).tolist(), dtype="str"),
        "url": _strings(url),
        "media_files": schema.list_column([empty] * n),
        "missing_fields": schema.list_column([with_n if m else without for m in no_count.tolist()]),
    }
    return pd.DataFrame(data, columns=[c for c in schema.POSTS.columns if c in data])


def _strings(arr) -> pd.api.extensions.ExtensionArray:
    """An Arrow string array as the post table's string column (no round trip through Python strings)."""
    return pd.array(arr, dtype="str")

