"""What XML can carry, deterministic GUIDs, and validation against the official REFI-QDA schemas.

XML 1.0 allows tab, newline, carriage return and the characters from U+0020 up, except the
surrogates and U+FFFE/U+FFFF; a control character anywhere (a pasted form feed, a NUL) makes the
file not well-formed, and every QDA tool then refuses the whole project. The codebook is a
document people write, so a bad character there is refused with the field that holds it
(:func:`check_text`); in data (captions, memos, transcripts) it is replaced by U+FFFD and counted
(:func:`clean_text`), because a post's text cannot be sent back to its author for correction.
"""

from __future__ import annotations

import re
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from ..errors import InputError

DATA = Path(__file__).resolve().parent.parent / "data"
SCHEMAS = {"codebook": DATA / "refi-qda-codebook-mrt2019.xsd", "project": DATA / "refi-qda-project-mrt2019.xsd"}
NS = {"codebook": "urn:QDA-XML:codebook:1.0", "project": "urn:QDA-XML:project:1.0"}

_BAD = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_GUID_NS = uuid.UUID("6f1b2c4e-5d3a-4b8e-9c7f-0a1e2d3c4b5a")  # civicposts' own uuid5 namespace
GUID_RE = re.compile(r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$")
COLOR_RE = re.compile(r"^#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})$")


def guid(*parts: str) -> str:
    """A GUID that depends only on ``parts`` (uuid5), so the same project gives the same bytes."""
    return str(uuid.uuid5(_GUID_NS, "\x1f".join(parts)))


def bad_characters(text: str) -> list[str]:
    """The characters of ``text`` XML 1.0 cannot carry, as ``U+XXXX`` (in order of first appearance)."""
    seen: dict[str, None] = {}
    for m in _BAD.finditer(text):
        seen.setdefault(f"U+{ord(m.group()):04X}", None)
    return list(seen)


def check_text(text: str, where: str | Path, what: str) -> str:
    """``text`` unchanged; InputError naming ``where`` and ``what`` if XML cannot carry a character of it."""
    bad = bad_characters(text)
    if bad:
        raise InputError(where, f"{what} holds character(s) {', '.join(bad)} that XML cannot carry "
                         "(a control character pasted in?); remove them from the codebook")
    return text


def clean_text(text: str) -> tuple[str, int]:
    """(``text`` with every character XML cannot carry replaced by U+FFFD, how many were replaced)."""
    out, n = _BAD.subn("\ufffd", text)
    return out, n


def text(value: str) -> str:
    """Element content, escaped."""
    return escape(value)


def attr(value: str) -> str:
    """An attribute value, quoted and escaped (newlines and tabs kept as character references)."""
    return quoteattr(value, {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


@lru_cache(maxsize=2)
def _schema(kind: str) -> Any:
    # libxml2's validator (through lxml): 0.08 s for the demo's project, where the pure-Python xmlschema
    # package took 3 s (0.8 s to load the schema); both give the same verdicts on the kit's tests
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(SCHEMAS[kind])))


def problems(xml: bytes, kind: str, limit: int = 5) -> list[str]:
    """Up to ``limit`` reasons ``xml`` is not valid against the REFI-QDA ``kind`` schema ("codebook"
    or "project"), each with its line; [] when it is valid."""
    from lxml import etree

    # no entities resolved and nothing fetched: a project file is data, never instructions; a large study's
    # project holds text nodes past libxml2's default 10 MB limit
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML ({exc})"]
    schema = _schema(kind)
    try:
        if schema.validate(root):
            return []
    except etree.XMLSchemaValidateError as exc:  # e.g. an entity left unresolved
        return [f"cannot be validated ({exc})"]
    return [f"line {e.line}: {e.message}" for e in list(schema.error_log)[:limit]]


def validate(xml: bytes, kind: str, where: str | Path) -> bytes:
    """``xml`` unchanged if valid against the REFI-QDA ``kind`` schema, else InputError naming ``where``."""
    found = problems(xml, kind)
    if found:
        raise InputError(where, f"not valid against the REFI-QDA {kind} schema: {'; '.join(found)}")
    return xml
