"""Small value converters shared by the formats: times, counts, strings, labels.

Each raises :class:`~civicposts.ingest.files.Problem` naming the field and
the value when a value cannot be read.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np

from .files import Problem

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_US = timedelta(microseconds=1)


def ns_from_epoch(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value.strip()) * 1_000_000_000
        raise Problem(f"{what} {value!r} is not a Unix timestamp")
    if isinstance(value, float):
        if not np.isfinite(value):
            raise Problem(f"{what} {value!r} is not a Unix timestamp")
        return round(value * 1_000_000_000)
    return value * 1_000_000_000


def ns_from_iso(value: Any, what: str, *, assume_utc: bool) -> int:
    if not isinstance(value, str) or not value.strip():
        raise Problem(f"{what} is missing")
    text = value.strip()
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise Problem(f"{what} {value!r} is not an ISO-8601 date-time") from None
    if dt.tzinfo is None:
        if not assume_utc:
            raise Problem(f"{what} {value!r} has no UTC offset (write e.g. +07:00 or Z)")
        dt = dt.replace(tzinfo=timezone.utc)
    return ns_from_datetime(dt)


def opt_int(value: Any, what: str) -> int | None:
    """An optional count: None stays None; negative counts (hidden) become None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise Problem(f"{what} {value!r} is not an integer")
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer():
        return int(value) if value >= 0 else None
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if text == "":
            return None
        try:
            number = int(text)
        except ValueError:
            try:
                as_float = float(text)
            except ValueError:
                raise Problem(f"{what} {value!r} is not an integer") from None
            if not as_float.is_integer():
                raise Problem(f"{what} {value!r} is not an integer") from None
            number = int(as_float)
        return number if number >= 0 else None
    raise Problem(f"{what} {value!r} is not an integer")


def opt_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def count(node: dict[str, Any], key: str) -> tuple[bool, Any]:
    """Whether ``node[key]`` is a GraphQL ``{"count": n}`` edge, and n."""
    sub = node.get(key)
    if isinstance(sub, dict) and "count" in sub:
        return True, sub["count"]
    return False, None


def post_url(shortcode: str) -> str:
    """The public address of a post."""
    return f"https://www.instagram.com/p/{shortcode}/"


def record_label(index: int | str, shortcode: Any = None) -> str:
    """How a record is named in errors: its place, with its shortcode when known."""
    if isinstance(shortcode, str) and shortcode:
        return f"{index} (post {shortcode!r})"
    return str(index)


def ns_from_datetime(when: datetime) -> int:
    """Nanoseconds since the Unix epoch of an aware datetime (microsecond precision)."""
    return ((when - EPOCH) // _US) * 1000

