"""Asking for the coder's name when none is set, and remembering it for the kernel's session.

``open_app(units, codebook, store, coder, ...)`` is what a notebook calls: with a name (from the study
file or the parameters cell) it returns the :class:`~civicposts.app.view.CodingApp` at once; without
one it returns a :class:`NamePrompt`, whose ``show()`` asks for a name (letters, digits, ``_``, ``-``),
checks it, remembers it for this kernel (a re-run of the cell, or a reloaded tab, goes straight to the
app) and opens the app at the first unit this coder has not finished: where they left off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from .keys import bridge

log = logging.getLogger(__name__)

_REMEMBERED: dict[str, str] = {}  # store folder -> the coder name given in this kernel


def _key(store: Any) -> str:
    return str(getattr(store, "directory", store))


def remembered(store: Any) -> str | None:
    """The name given for ``store`` earlier in this kernel, if any."""
    return _REMEMBERED.get(_key(store))


def open_app(units: Any, codebook: Any, store: Any, coder: str | None, **kw: Any) -> Any:
    """The coding app for ``coder``; with no name (and none remembered), a prompt that asks for one."""
    from .view import CodingApp, _batch_default

    def make(name: str) -> CodingApp:
        _REMEMBERED[_key(store)] = name
        app = CodingApp(units, codebook, store, name, **kw)
        if kw.get("start") is None and app.is_coded(app.index):
            app.session.next_uncoded()  # resume where this coder left off
        return app

    name = (coder or "").strip() or remembered(store)
    if name:
        return make(name)
    batch = kw.get("batch")
    return NamePrompt(make, batch=_batch_default() if batch is None else batch)


class NamePrompt:
    """A name box and a start button; on a valid name, the app replaces the prompt."""

    def __init__(self, make_app: Callable[[str], Any], *, batch: bool = False):
        self.make_app = make_app
        self.batch = batch
        self.app: Any = None
        self._built = False

    @property
    def coder(self) -> str | None:
        """The name given, once the app is open."""
        return self.app.coder if self.app is not None else None

    def submit(self, name: str) -> Any:
        """Check ``name`` and open the app (ValueError with the reason for a bad name)."""
        from ..coding import check_coder

        try:
            name = check_coder(name.strip())
        except Exception as exc:  # InputError: the rule in words
            raise ValueError(str(exc)) from None
        self.app = self.make_app(name)
        return self.app

    def show(self) -> None:
        from IPython.display import Markdown, display

        if self.batch:
            log.info("batch run: no coder name set, the app would ask for one")
            display(Markdown("*Coding app not shown in a batch run* (no coder name set: opened by hand, "
                             "it asks for one)."))
            return
        display(self.widget)

    @property
    def widget(self) -> Any:
        if not self._built:
            self._build()
        return self._outer

    def _build(self) -> None:
        import ipywidgets as w

        self.name = w.Text(placeholder="your name: letters, digits, _ or -", continuous_update=False,
                           layout=w.Layout(width="280px"))
        self.start = w.Button(description="start coding", button_style="primary")
        self.message = w.HTML("<b>Who is coding?</b> Your codings are saved under this name.")
        self.out = w.VBox([])
        # the name box gets the keyboard at once, and keys typed in it never reach JupyterLab
        self.keys = bridge(".civicposts-name-prompt", keys=(), focus_selector="input")
        self._root = w.VBox([self.message, w.HBox([self.name, self.start]), self.keys])
        self._root.add_class("civicposts-name-prompt")
        self._outer = w.VBox([self._root, self.out])

        def go(_: Any = None) -> None:
            if self.app is not None or not self.name.value.strip():
                return  # opened already (Enter, then the button), or nothing typed yet
            try:
                app = self.submit(self.name.value)
            except ValueError as exc:
                self.message.value = f"<b style='color:#b00020'>{exc}</b>"
                return
            self.message.value = f"Coding as <code>{app.coder}</code>."
            self.name.disabled = self.start.disabled = True
            self.out.children = [app.widget]

        self.start.on_click(go)
        self.name.observe(go, names="value")  # Enter (or leaving the box) also starts
        self._built = True
