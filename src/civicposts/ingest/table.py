"""Hand-made tables of posts: the plain CSV layout.

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
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .base import Bad, Event, Folder, Format, Head, Row, csv_records
from .files import Problem
from .values import ns_from_iso, opt_int, post_url, record_label

REQUIRED = ("post_id", "account", "posted_at")
OPTIONAL = ("caption", "likes", "comments", "media_type", "location_name", "url")
_MEDIA = {"image", "video", "carousel"}


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
