"""Coding passages in the app: select part of a unit's text, choose a code, and the span is saved at once.

:class:`PassageSession` is the state and the rules (no widgets): one coder's spans on one unit, read from
and appended to the coding store (:meth:`civicposts.coding.CodingStore.append_span`): adding a code to a
passage, or removing it, is one more line; nothing is rewritten. :class:`PassageEditor` renders a session
with an anywidget front end (``passages.js``): the text with every span highlighted and labelled, a
button per code, the list of spans with a remove button each. Selecting works with the mouse or the
keyboard (Tab into the text, Shift+arrows to select, Tab to a code, Enter); offsets are counted in Unicode
characters of the unit's text exactly as the pipeline keeps it, so a span written here is the span the
reports and the REFI-QDA export read.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..codebook import Codebook
from ..errors import CivicpostsError

log = logging.getLogger(__name__)

# Colour-blind-safe (Okabe-Ito) highlight colours, light enough to read black text on; cycled per code.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999")


class PassageSession:
    """``coder``'s spans on one unit (``unit_id``, ``unit_type``, ``text``) in ``store``."""

    def __init__(self, store: Any, codebook: Codebook, coder: str):
        self.store, self.codebook, self.coder = store, codebook, coder
        self.unit_id, self.unit_type, self.text = "", "", ""

    def show(self, unit_id: str, unit_type: str, text: str) -> None:
        """Work on another unit."""
        self.unit_id, self.unit_type, self.text = unit_id, unit_type, text

    def codes(self) -> list[dict[str, str]]:
        """The codes a passage of this unit can get: every code of the unit type's variables."""
        out = []
        for v in self.codebook.variables.values():
            if v.unit_type != self.unit_type:
                continue
            for i, c in enumerate(v.codes):
                out.append({"variable": v.id, "code": c.id, "label": f"{v.label}: {c.label}", "group": v.label_en or v.id,
                             "short": c.label_en or c.id, "color": c.color or PALETTE[i % len(PALETTE)]})
        return out

    def spans(self) -> list[dict[str, Any]]:
        """The coder's current spans on the unit, in text order: start, end, variable, codes, passage."""
        if not self.unit_id:
            return []
        sp = self.store.spans(self.coder)
        sp = sp.loc[sp["unit_id"] == self.unit_id]
        out = []
        for r in sp.itertuples(index=False):
            passage = self.text[r.start:r.end] if r.end <= len(self.text) else ""
            out.append({"start": int(r.start), "end": int(r.end), "variable": r.variable, "codes": list(r.codes),
                        "passage": passage, "stale": self._stale(r)})
        return sorted(out, key=lambda s: (s["start"], s["end"], s["variable"]))

    def _stale(self, r: Any) -> bool:
        from ..spans import span_hash

        return r.end > len(self.text) or span_hash(self.text[r.start:r.end]) != r.text_sha256

    def _current(self, variable: str, start: int, end: int) -> list[str]:
        for s in self.spans():
            if (s["variable"], s["start"], s["end"]) == (variable, start, end):
                return s["codes"]
        return []

    def add(self, variable: str, code: str, start: int, end: int, memo: str = "") -> dict[str, Any]:
        """Give the passage ``text[start:end]`` the code ``code`` (besides the codes it has, for a
        choose-any variable; instead of them, for a choose-one variable). Returns the record written."""
        var = self.codebook.variable(variable)
        have = self._current(variable, start, end)
        codes = [code] if var.kind == "single" else sorted(set(have) | {code})
        return self.store.append_span(self.coder, self.unit_id, self.unit_type, variable, codes, self.text, start,
                                      end, memo)

    def remove(self, variable: str, start: int, end: int, code: str | None = None) -> dict[str, Any]:
        """Take ``code`` off the passage (all its codes when None): one more line, no codes left removes it."""
        have = self._current(variable, start, end)
        codes = [] if code is None else [c for c in have if c != code]
        return self.store.append_span(self.coder, self.unit_id, self.unit_type, variable, codes, self.text, start,
                                      end)


@functools.cache
def _editor_class() -> type:
    import anywidget
    import traitlets

    class PassageEditor(anywidget.AnyWidget):
        """The front end of a :class:`PassageSession` (see the module docstring)."""

        _esm = Path(__file__).with_name("passages.js")
        text = traitlets.Unicode("").tag(sync=True)
        codes = traitlets.List(traitlets.Dict()).tag(sync=True)
        spans = traitlets.List(traitlets.Dict()).tag(sync=True)
        status = traitlets.Unicode("").tag(sync=True)

    return PassageEditor


class PassagePanel:
    """A :class:`PassageSession` and the editor showing it; ``show(unit)`` moves both to another unit."""

    def __init__(self, store: Any, codebook: Codebook, coder: str):
        self.session = PassageSession(store, codebook, coder)
        self.widget = _editor_class()()
        self.widget.add_class("cp-passages")
        self.widget.on_msg(lambda _w, content, _b: self.handle(content))

    def show(self, unit: Mapping[str, Any]) -> None:
        """Show unit ``unit`` (an app unit record: unit_id, unit_type, raw_text)."""
        self.session.show(str(unit["unit_id"]), str(unit["unit_type"]), str(unit.get("raw_text", unit.get("text", ""))))
        self.widget.status = ""
        self.refresh()

    def refresh(self) -> None:
        self.widget.text = self.session.text
        self.widget.codes = self.session.codes()
        self.widget.spans = self.session.spans()

    def handle(self, msg: Mapping[str, Any]) -> None:
        """An action from the browser: ``{"action": "add"|"remove", "variable", "code", "start", "end"}``."""
        try:
            start, end = int(msg["start"]), int(msg["end"])
            if msg.get("action") == "add":
                self.session.add(str(msg["variable"]), str(msg["code"]), start, end)
                self.widget.status = f"saved: {msg['code']} on characters {start}–{end}"
            elif msg.get("action") == "remove":
                self.session.remove(str(msg["variable"]), start, end, msg.get("code"))
                self.widget.status = f"removed: characters {start}–{end}"
        except (CivicpostsError, KeyError, ValueError) as exc:
            log.warning("passage not saved: %s", exc)
            self.widget.status = f"not saved: {exc}"
        self.refresh()


def panel_for(app: Any) -> tuple[PassagePanel | None, Any]:
    """(the passage panel of a coding app, the toggle that shows it), or (None, an empty box) when the
    app's store cannot hold spans. Hidden until the coder asks, so one unit still fits a laptop screen."""
    import ipywidgets as w

    store = getattr(app.store, "store", app.store)
    if not callable(getattr(store, "append_span", None)):
        return None, w.HTML("")
    panel = PassagePanel(store, app.codebook, app.coder)
    panel.widget.layout.display = "none"
    toggle = w.ToggleButton(description="passages", value=False, layout=w.Layout(width="auto"),
                            tooltip="code passages of the text (spans)")
    toggle.add_class("cp-passages-toggle")

    def flip(_change: Any) -> None:
        panel.widget.layout.display = None if toggle.value else "none"
        if toggle.value:
            panel.show(app.current)

    toggle.observe(flip, names="value")
    return panel, toggle
