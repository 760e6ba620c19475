"""Keyboard coding: which key does what in the coding app, as plain data, and the browser bridge.

The key map is pure (:func:`command_for` turns a key into a :class:`Command`), so the app's rules are
tested without a browser. :class:`KeyBridge` is a small anywidget placed inside the app: in the browser it
makes the app focusable, marks it ``data-lm-suppress-shortcuts`` and stops every plain key pressed inside it
from reaching JupyterLab (whose command mode would otherwise read "b" as *insert a cell* and "d d" as
*delete it*), and sends the keys of :data:`KEYS` to Python, where :meth:`CodingApp.press` acts on them.
Keys typed into a text box (memo, relation search, the name box) stay in the box.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DIGITS = "1234567890"  # code 1..9, then 0 for the tenth

# key (as the browser's KeyboardEvent.key names it) -> (command, argument)
_MAP: dict[str, tuple[str, int]] = {
    **{d: ("pick", i) for i, d in enumerate(DIGITS)},
    "Tab": ("variable", 1), "ArrowDown": ("variable", 1), "ArrowUp": ("variable", -1),
    "n": ("next", 0), "ArrowRight": ("next", 0), "p": ("previous", 0), "ArrowLeft": ("previous", 0),
    "u": ("uncoded", 0), "d": ("definitions", 0),
}
# keys the browser side handles itself (moving the focus into a text box, or out of the app)
BROWSER_KEYS = ("m", "/", "Escape")
KEYS: tuple[str, ...] = tuple(_MAP)

LEGEND: tuple[tuple[str, str], ...] = (
    ("1–9, 0", "code of the outlined variable"), ("Tab ↓ Shift+Tab ↑", "variable"),
    ("n →", "next"), ("p ←", "previous"), ("u", "next uncoded"),
    ("d", "definitions"), ("m", "memo"), ("/", "find the complaint answered"), ("Esc", "leave"),
)


@dataclass(frozen=True)
class Command:
    """What a key asks for: ``pick`` (argument: the code's position), ``variable`` (+1 / -1),
    ``next``, ``previous``, ``uncoded`` or ``definitions``."""

    name: str
    arg: int = 0


def command_for(key: str, shift: bool = False) -> Command | None:
    """The command of ``key`` (None: not a coding key); Shift+Tab moves back a variable."""
    if key not in _MAP:
        return None
    name, arg = _MAP[key]
    if key == "Tab" and shift:
        arg = -1
    return Command(name, arg)


def key_label(position: int) -> str:
    """The key that picks the code at ``position`` (0-based), or "" past the tenth."""
    return DIGITS[position] if position < len(DIGITS) else ""


def legend_html() -> str:
    """The key legend as one compact HTML line."""
    import html

    return ("<span class='cp-legend' style='font-size:85%;color:#333'><b>Keys</b> (click the app first): "
            + " · ".join(f"<kbd>{html.escape(k)}</kbd> {html.escape(v)}" for k, v in LEGEND) + "</span>")


@functools.cache
def _bridge_class() -> type:
    import anywidget
    import traitlets

    class KeyBridge(anywidget.AnyWidget):
        """Forwards the coding keys pressed inside ``root`` to Python; see the module docstring."""

        _esm = Path(__file__).with_name("keyboard.js")
        root = traitlets.Unicode().tag(sync=True)
        coding_keys = traitlets.List(traitlets.Unicode()).tag(sync=True)
        focus_selector = traitlets.Unicode("").tag(sync=True)  # "" focuses the root itself
        focus_token = traitlets.Int(0).tag(sync=True)  # bumped to ask the browser to focus again

        def focus(self) -> None:
            """Ask the browser to put the keyboard focus back in the app."""
            self.focus_token += 1

    return KeyBridge


def bridge(root_selector: str, *, keys: tuple[str, ...] = KEYS, focus_selector: str = "") -> Any:
    """A KeyBridge widget for the element matching ``root_selector`` around it (the class is made on
    first use, so importing this module needs no widget library)."""
    return _bridge_class()(root=root_selector, coding_keys=list(keys), focus_selector=focus_selector,
                           layout={"display": "none"})
