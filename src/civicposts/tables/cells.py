"""Table cells a reader reads: text excerpts cut at a word, with an ellipsis, line breaks kept."""

from __future__ import annotations

import re
from typing import Any

_SPACES = re.compile(r"[ \t\r\f\v]+")


def excerpt(text: Any, max_chars: int = 160) -> str:
    """``text`` shortened to at most ``max_chars`` characters at a word boundary, with "…" when cut.

    Line breaks are kept as ``\\n`` (the HTML and PDF tables show them as breaks); runs of spaces become
    one; blank lines are dropped. A single word longer than ``max_chars`` is cut inside it."""
    if text is None or (isinstance(text, float) and text != text):  # None or NaN: no text
        text = ""
    lines = [_SPACES.sub(" ", line).strip() for line in str(text).splitlines()]
    s = "\n".join(line for line in lines if line)
    if len(s) <= max_chars:
        return s
    cut = s[: max_chars + 1]
    at = max(cut.rfind(" "), cut.rfind("\n"))
    head = cut[:at] if at > max_chars // 2 else s[:max_chars]
    return head.rstrip(" \n,;:.-–") + "…"
