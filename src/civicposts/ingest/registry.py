"""The formats civicposts reads: the one place a format is registered, in the order they are tried.

For each file the driver asks the formats, in this order, whether they can
read it (``can_read(path, head)``); the first that says yes reads it. A new
format is one module with a ``FORMATS`` tuple, added to ``_FORMATS`` below
(or, at run time, :func:`register`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from . import apify, instaloader, table, zeeschuimer
from .base import Format, Head

# A table read through the researcher's column mapping first (it only claims files when a mapping is
# given); then Apify, whose JSON array and JSON lines share suffixes with instaloader and Zeeschuimer files.
_FORMATS: list[Format] = [table.MAPPED, *apify.FORMATS, *instaloader.FORMATS, *zeeschuimer.FORMATS,
                          *table.FORMATS]


def formats() -> tuple[Format, ...]:
    """Every registered format, in the order they are tried."""
    return tuple(_FORMATS)


def get(name: str) -> Format:
    """The format called ``name`` (KeyError naming the known ones otherwise)."""
    for fmt in _FORMATS:
        if fmt.name == name:
            return fmt
    raise KeyError(f"no input format {name!r}; known: {', '.join(f.name for f in _FORMATS)}")


def register(fmt: Format, *, first: bool = False) -> Format:
    """Add a format (tried last, or first); a format of the same name is replaced."""
    unregister(fmt.name)
    _FORMATS.insert(0, fmt) if first else _FORMATS.append(fmt)
    return fmt


def unregister(name: str) -> None:
    """Remove the format called ``name`` (nothing happens when there is none)."""
    _FORMATS[:] = [f for f in _FORMATS if f.name != name]


@contextmanager
def registered(fmt: Format, *, first: bool = False) -> Iterator[Format]:
    """``with registered(fmt):`` -- the format is known inside the block only (tests, notebooks)."""
    before = list(_FORMATS)
    register(fmt, first=first)
    try:
        yield fmt
    finally:
        _FORMATS[:] = before


def detect(path: str, head: Head) -> Format | None:
    """The first format that can read the file, or None."""
    name = head.name
    for fmt in _FORMATS:
        if fmt.may_read(name) and fmt.can_read(path, head):
            return fmt
    return None


def formats_filling(table_name: str) -> tuple[str, ...]:
    """Names of the formats whose records go to ``table_name`` (e.g. "posts")."""
    return tuple(f.name for f in _FORMATS if table_name in f.tables)


def suffixes() -> tuple[str, ...]:
    """Every file name ending some format reads, in registry order, without repeats."""
    return tuple(dict.fromkeys(s for f in _FORMATS for s in f.suffixes))
