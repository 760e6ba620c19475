"""HTML pieces of the coding app's view: the unit's header and text, code labels with their keys, and the
app's style sheet (an outline and a tint for the focused variable that read in grey too)."""

from __future__ import annotations

import html
from typing import Any

from . import keys as keymap

# Looks of the focused variable and of the app holding the keys: an outline and a tint that read in grey too.
STYLE = """<style>
.civicposts-coding-app { --jp-widgets-inline-height: 24px; --jp-widgets-font-size: 12.5px; }
.civicposts-coding-app:focus { outline: 2px dashed #555; outline-offset: 2px; }
.civicposts-coding-app .widget-html-content { line-height: 1.35; }
.civicposts-coding-app .widget-toggle-button { margin: 1px 3px 1px 0; padding: 0 6px; }
.civicposts-coding-app .widget-checkbox { height: auto; min-height: 20px; align-items: flex-start; }
.civicposts-coding-app .widget-checkbox input { margin-top: 3px; }
.civicposts-coding-app .widget-checkbox label.widget-label-basic { white-space: normal; line-height: 1.25;
  height: auto; padding-top: 2px; }
.civicposts-coding-app .cp-focus { outline: 2px solid #1f4e79; outline-offset: 1px; background: #eef3f8; }
.civicposts-coding-app kbd { border: 1px solid #999; border-radius: 3px; padding: 0 3px; font-size: 90%; }
</style>"""


def keyed(position: int, label: str) -> str:
    """A code's label with the key that picks it ("1 · Citizen complaint")."""
    key = keymap.key_label(position)
    return f"{key} · {label}" if key else label


def one_line(text: Any) -> str:
    """``text`` on one line, runs of white space as one space."""
    return " ".join(str(text or "").split())


def view_html(header: str, badge: str, body: str, note: str) -> str:
    """A unit's view: header, an optional badge, the text in a box that scrolls past 200 px, a note."""
    return (f"<div class='cp-header'>{header}</div>"
            + (f"<div style='margin:4px 0'>{badge}</div>" if badge else "")
            + "<div class='cp-text' style='max-height:200px;overflow:auto;border:1px solid #ddd;"
              f"padding:4px 8px;margin-top:4px'>{body}</div>"
            + (f"<div class='cp-note'><i style='color:#777'>{html.escape(note)}</i></div>" if note else ""))


def text_html(text: str, empty: str) -> str:
    """``text`` escaped, its line breaks kept; ``empty`` in italics when there is none."""
    if not text:
        return f"<i>{empty}</i>"
    return "<div style='white-space:pre-wrap'>" + html.escape(text) + "</div>"
