"""The coding app's widgets: they render a :class:`~civicposts.app.session.CodingSession` and
forward the coder's clicks to it; all state and every rule live in the session.

Rendering is light so moving to the next unit stays under 100 ms: the widgets are built once
and only their values change (one HTML widget per unit view); images are read when a unit is
shown or read ahead for the next one, scaled down for display and cached.
"""

from __future__ import annotations

import functools
import html
import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..codebook import Variable
from . import keys as keymap
from .markup import STYLE as _STYLE
from .markup import keyed as _keyed
from .markup import one_line as _one_line
from .markup import text_html as _text_html
from .markup import view_html as _view_html
from .images import Prefetcher, media_paths, prepared_image
from .passages import panel_for
from .session import CodingSession, Outcome
from .units import DEFAULT_TIMEZONE

log = logging.getLogger("civicposts.app")

MAX_RELATION_CHOICES = 200


def _batch_default() -> bool:
    """Batch unless a person can see the app: CIVICPOSTS_BATCH decides when set; a pipeline run
    (civicposts.run sets CIVICPOSTS_NOTEBOOK for papermill) is batch; so is no IPython kernel."""
    flag = os.environ.get("CIVICPOSTS_BATCH", "").strip().lower()
    if flag in ("1", "true", "yes"):
        return True
    if flag in ("0", "false", "no"):
        return False
    if os.environ.get("CIVICPOSTS_NOTEBOOK"):
        return True
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of ipykernel
        return True
    shell = get_ipython()
    return shell is None or getattr(shell, "kernel", None) is None


class CodingApp:
    """Code ``units`` with ``codebook`` as ``coder``; every change goes to ``store`` at once.

    The arguments of :class:`CodingSession`, plus: ``media_root``, the folder relative
    ``media_files`` paths start from (default: the working folder); ``batch``: True shows only a
    progress line (papermill); default from ``CIVICPOSTS_BATCH`` or whether an IPython kernel
    runs; ``image_max_px``: images are scaled to this size for display (0: sent as they are);
    ``prefetch``: read the next unit's images in the background.

    ``session`` is the state; public widgets for notebooks and tests: ``widget`` (the root),
    ``view`` (the unit's header, kind and text), ``image_box``, ``controls`` (variable id ->
    ToggleButtons, or code id -> Checkbox), ``memo``, ``relation_search``, ``relation_all``,
    ``relation_select``, ``prev_button``, ``next_button``, ``next_uncoded_button``, ``position``,
    ``saved`` (status).
    """

    def __init__(self, units: pd.DataFrame | Iterable[Mapping[str, Any]], codebook: Any, store: Any, coder: str,
                 media_root: str | Path | None = None, *, timezone: str = DEFAULT_TIMEZONE,
                 batch: bool | None = None, max_images: int = 10, image_width: int = 200,
                 image_max_px: int = 400, prefetch: bool = True, start: int | str | None = None,
                 relation_pool: pd.DataFrame | Iterable[Mapping[str, Any]] | None = None):
        self.session = CodingSession(units, codebook, store, coder, timezone=timezone, start=start,
                                     relation_pool=relation_pool)
        self.media_root = Path(media_root) if media_root is not None else Path.cwd()
        self.batch = _batch_default() if batch is None else bool(batch)
        self.max_images = max_images
        self.image_width = image_width
        self.image_max_px = image_max_px
        self.prefetch = prefetch
        self._images = Prefetcher(image_max_px)
        self._built = False
        self._loading = False
        self._focus = 0  # the variable number keys code (position among the unit's variables)

    # ----------------------------------------------------------------- the session, read through

    coder = property(lambda self: self.session.coder)
    units = property(lambda self: self.session.units)
    codebook = property(lambda self: self.session.codebook)
    variables = property(lambda self: self.session.variables)
    version = property(lambda self: self.session.version)
    store = property(lambda self: self.session.store)
    decisions = property(lambda self: self.session.decisions)
    relation_variable = property(lambda self: self.session.relation_variable)
    index = property(lambda self: self.session.index)
    current = property(lambda self: self.session.current)

    def variables_for(self, unit: Mapping[str, Any]) -> list[Variable]:
        return self.session.variables_for(unit)

    def is_coded(self, i: int) -> bool:
        return self.session.is_coded(i)

    def progress(self) -> tuple[int, int]:
        return self.session.progress()

    def summary(self) -> str:
        return self.session.summary()

    def relation_candidates(self, query: str = "", include_uncoded: bool = False,
                            unit_id: str | None = None) -> list[str]:
        return self.session.relation_candidates(query, include_uncoded, unit_id)

    def media_paths(self, u: Mapping[str, Any]) -> list[Path]:
        """The image files of unit ``u``, resolved against ``media_root``."""
        return media_paths(u, self.media_root)

    def sync(self) -> int:
        """Take in lines another session of this coder appended; return how many changed."""
        return self.session.sync()

    def wait_prefetch(self) -> None:
        """Wait until the background image reading has finished (for tests and benchmarks)."""
        self._images.wait()

    # ----------------------------------------------------------------- showing

    def show(self) -> None:
        """Display the app in the notebook; in a batch run only a progress line (no widgets are built)."""
        from IPython import get_ipython
        from IPython.display import Markdown, display

        if self.batch:
            log.info("batch run: coding app not shown (%s)", self.summary())
            if get_ipython() is not None:
                display(Markdown(f"*Coding app not shown in a batch run* ({html.escape(self.summary())})."))
            return
        display(self.widget)

    @property
    def widget(self) -> Any:
        """The root widget (built on first use)."""
        self._build()
        return self._root

    def _build(self) -> None:
        if self._built:
            return
        import ipywidgets as w

        self._w = w
        lay = w.Layout
        self.position = w.HTML()
        self.prev_button = w.Button(description="◀ previous", layout=lay(width="auto"))
        self.next_button = w.Button(description="next ▶", layout=lay(width="auto"))
        self.next_uncoded_button = w.Button(description="next uncoded »", layout=lay(width="auto"),
                                            button_style="info")
        self.prev_button.on_click(lambda _b: self.previous())
        self.next_button.on_click(lambda _b: self.next())
        self.next_uncoded_button.on_click(lambda _b: self.next_uncoded())
        # One HTML widget for the unit's header, kind and text: one message per unit to the browser.
        self.view = w.HTML()
        self.images: list[Any] = []
        # one row of pictures, scrolled sideways for a carousel, so a post never grows taller than the screen
        self.image_box = w.HBox(layout=lay(flex_flow="row nowrap", overflow="auto hidden", display="none"))

        self.relation_search = w.Text(placeholder="search complaints by date (2020-03 or 2020-03-14) or words",
                                      continuous_update=True, layout=lay(width="95%"))
        self.relation_all = w.Checkbox(description="also other earlier posts (uncoded, or not in this app)",
                                       value=False, indent=False, layout=lay(width="auto"))
        self.relation_select = w.Select(options=[], rows=4, layout=lay(width="95%"))
        self.relation_status = w.HTML()
        self.relation_search.add_class("cp-relation-search")
        self.relation_search.observe(lambda _c: self._refresh_relation_choices(), names="value")
        self.relation_all.observe(lambda _c: self._refresh_relation_choices(), names="value")
        self.relation_select.observe(self._on_relation, names="value")
        self.relation_box = w.VBox([
            w.HTML("<b>Follows up which complaint?</b> (the earlier complaint this official follow-up answers)"),
            self.relation_search, self.relation_all, self.relation_select, self.relation_status],
            layout=lay(display="none", border="1px solid #ccc", padding="4px", margin="0 0 6px 0"))

        self.controls: dict[str, Any] = {}
        self._defs: dict[str, Any] = {}
        self._rows: dict[str, Any] = {}
        self._panels: dict[str, Any] = {}
        for utype, variables in self.session.vars_by_type.items():
            rows = []
            for v in variables:
                rows.append(self._variable_row(v))
                if v is self.relation_variable:  # the picker sits right under the code that opens it
                    rows.append(self.relation_box)
            self._panels[utype] = w.VBox(rows)

        self.memo = w.Textarea(placeholder="memo (m; saved when you leave the box)", continuous_update=False,
                               layout=lay(width="98%", height="44px"))
        self.memo.add_class("cp-memo")
        self.memo.observe(self._on_memo, names="value")
        self.saved = w.HTML()
        self.definitions = w.ToggleButton(description="definitions (d)", value=False, layout=lay(width="auto"),
                                          tooltip="show or hide every code's definition")
        self.definitions.observe(lambda _c: self._show_definitions(), names="value")
        self.keys = keymap.bridge(".civicposts-coding-app")
        self.keys.on_msg(lambda _w, content, _b: self.press(str(content.get("key", "")), bool(content.get("shift"))))
        self.passages, passages_toggle = panel_for(self)
        nav = w.HBox([self.prev_button, self.next_button, self.next_uncoded_button, self.definitions, passages_toggle,
                      self.position],
                     layout=lay(flex_flow="row wrap", align_items="center"))
        legend = w.HTML(keymap.legend_html())
        # Two columns so one post fits a 1366x768 laptop: the post, its memo and the keys on the left, its
        # codes on the right, the navigation above both.
        left = w.VBox([self.view, *([self.passages.widget] if self.passages else []), self.image_box, self.memo,
                       self.saved, legend],
                      layout=lay(width="40%", padding="0 8px 0 0"))
        right = w.VBox(list(self._panels.values()), layout=lay(width="60%"))
        self._root = w.VBox([w.HTML(_STYLE), nav, w.HBox([left, right]), self.keys])
        self._root.add_class("civicposts-coding-app")
        self._built = True
        self._show_definitions()
        self._render()

    def _variable_row(self, v: Variable) -> Any:
        w = self._w
        tip = [" ".join(x for x in (f"{c.label}: {_one_line(c.definition)}", c.hint) if x) for c in v.codes]
        definition = _one_line(v.description)
        title = w.HTML(f"<b title='{html.escape(definition, quote=True)}'>{html.escape(v.label)}</b>"
                       + (" <i>(choose any)</i>" if v.multiple else " <i>(choose one)</i>"))
        defs = w.HTML(
            "<div style='font-size:85%;color:#444;line-height:1.25'>"
            + (f"{html.escape(definition)}<br>" if definition else "")
            + "<br>".join(f"<b>{html.escape(c.label)}</b>: {html.escape(_one_line(c.definition))}"
                          for c in v.codes if c.definition)
            + "</div>")
        self._defs[v.id] = defs
        if v.multiple:
            boxes = {}
            for i, (c, t) in enumerate(zip(v.codes, tip)):
                cb = w.Checkbox(description=_keyed(i, c.label), tooltip=t, indent=False, value=False,
                                layout=w.Layout(width="auto", margin="0 8px 0 0"))
                cb.add_class(f"cp-{v.id}-{c.id}")
                cb.observe(functools.partial(self._on_multi, v, c.id), names="value")
                boxes[c.id] = cb
            self.controls[v.id] = boxes
            # two columns of boxes: ten codes take five lines, not ten
            control = w.GridBox(list(boxes.values()),
                                layout=w.Layout(grid_template_columns="repeat(2, minmax(0, 1fr))"))
        else:
            tb = w.ToggleButtons(options=[(_keyed(i, c.label), c.id) for i, c in enumerate(v.codes)], tooltips=tip,
                                 value=None,
                                 style={"button_width": "auto"})
            tb.add_class(f"cp-{v.id}")
            tb.observe(functools.partial(self._on_single, v), names="value")
            self.controls[v.id] = tb
            control = tb
        row = w.VBox([title, control, defs], layout=w.Layout(margin="0 0 4px 0", padding="1px 3px"))
        row.add_class(f"cp-var-{v.id}")
        self._rows[v.id] = row
        return row

    # ----------------------------------------------------------------- rendering

    def _show_codes(self, v: Variable, codes: Iterable[str]) -> None:
        """Set the variable's controls to ``codes`` without treating it as a click."""
        codes = set(codes)
        control = self.controls[v.id]
        was_loading, self._loading = self._loading, True
        try:
            if v.multiple:
                for cid, cb in control.items():
                    if cb.value != (cid in codes):
                        cb.value = cid in codes
            else:
                want = next(iter(codes)) if codes else None
                if control.value != want:
                    control.value = want
        finally:
            self._loading = was_loading

    def _render(self) -> None:
        self.session.sync()
        u = self.current
        self._loading = True
        # Controls first, the unit's text and header last: the browser applies updates in this
        # order, so once the new header shows, the whole unit is shown.
        try:
            self.saved.value = ""
            for utype, panel in self._panels.items():
                panel.layout.display = None if utype == u["unit_type"] else "none"
            for v in self.variables_for(u):
                self._show_codes(v, self.session.codes(v.id))
            self.memo.value = self.session.memo_of()
            self._render_relation()
            if u["unit_type"] == "interview":
                self._render_interview(u)
            elif u["unit_type"] == "comment":
                self._render_comment(u)
            else:
                self._render_post(u)
            if self.passages is not None and self.passages.widget.layout.display != "none":
                self.passages.show(u)
            self._show_focus()
            self.prev_button.disabled = self.index == 0
            self.next_button.disabled = self.index == len(self.units) - 1
            self._show_position()
        finally:
            self._loading = False
        if self.prefetch and self.index + 1 < len(self.units):
            self._images.read_ahead(self.media_paths(self.units[self.index + 1])[: self.max_images])

    def _show_definitions(self) -> None:
        for defs in self._defs.values():
            defs.layout.display = None if self.definitions.value else "none"

    def _show_focus(self) -> None:
        """Outline the variable the number keys code now."""
        names = [v.id for v in self.variables_for(self.current)]
        self._focus = min(self._focus, len(names) - 1)
        for vid, row in self._rows.items():
            want = vid == names[self._focus]
            if want != ("cp-focus" in row._dom_classes):
                (row.add_class if want else row.remove_class)("cp-focus")

    def _show_position(self) -> None:
        done, total = self.progress()
        self.position.value = (f"&nbsp;<b>{self.index + 1} of {total}</b> &middot; {done} of {total} coded"
                               f" &middot; coder <code>{html.escape(self.coder)}</code>")

    def _render_post(self, u: dict[str, Any]) -> None:
        def num(x: Any) -> str:
            return "–" if x is None or (not isinstance(x, str) and pd.isna(x)) else f"{int(x):,}"

        link = (f" &middot; <a href='{html.escape(u['url'], quote=True)}' target='_blank' rel='noopener'>"
                f"open on Instagram</a>") if u["url"] else ""
        note = self._render_images(u)
        header = (
            f"<b>{html.escape(u['local_str'])}</b> (local time) &middot; post <code>{html.escape(u['unit_id'])}</code>"
            f"{' by @' + html.escape(u['account']) if u['account'] else ''}<br>"
            f"♥ {num(u['likes'])} likes &middot; {num(u['comments'])} comments"
            f"{' &middot; ' + html.escape(u['media_type']) if u['media_type'] else ''}{link}")
        self.view.value = _view_html(header, "", _text_html(u["text"], "(no caption)"), note)

    def _render_comment(self, u: dict[str, Any]) -> None:
        """A comment, with the post it was written under (its caption, time and pictures) above it."""
        note = self._render_images(u)
        link = (f" &middot; <a href='{html.escape(u['url'], quote=True)}' target='_blank' rel='noopener'>"
                f"open the post on Instagram</a>") if u["url"] else ""
        likes = u["likes"]
        likes_str = "" if likes is None or (not isinstance(likes, str) and pd.isna(likes)) else \
            f" &middot; ♥ {int(likes):,} likes"
        header = (
            f"<b>{html.escape(u['local_str'] or 'time not recorded')}</b> (local time) &middot; comment "
            f"<code>{html.escape(u['unit_id'])}</code>{' by @' + html.escape(u['account']) if u['account'] else ''}"
            f"{likes_str}{' &middot; reply to comment ' + html.escape(u['reply_to']) if u['reply_to'] else ''}<br>"
            f"under post <code>{html.escape(u['post_id'])}</code>"
            f"{' by @' + html.escape(u['post_account']) if u['post_account'] else ''}"
            f"{' of ' + html.escape(u['post_local_str']) if u['post_local_str'] else ''}{link}")
        post = _text_html(u["post_text"], "(no caption)")
        body = (f"<div class='cp-parent' style='border-left:3px solid #999;padding:2px 8px;margin:0 0 8px 0;"
                f"color:#444;font-size:90%;max-height:9em;overflow:auto'>{post}</div>"
                f"{_text_html(u['text'], '(empty comment)')}")
        badge = ("<span class='cp-kind' style='background:#1f4e79;color:white;padding:2px 8px;border-radius:3px;"
                 "font-weight:bold'>COMMENT under the post shown in grey</span>")
        self.view.value = _view_html(header, badge, body, note)

    def _render_interview(self, u: dict[str, Any]) -> None:
        verbatim = u["kind"] == "verbatim"
        # a paper's quote names its section; a study's own transcript is the speaker's words as recorded
        source = "quote from the paper" if u["section"] else "the speaker's words (transcript)"
        colour, label = ("#0b6e4f", f"VERBATIM {source}") if verbatim else \
            ("#b35900", "PARAPHRASE (not the speaker's words)")
        self.image_box.layout.display = "none"
        badge = (f"<span class='cp-kind' style='background:{colour};color:white;padding:2px 8px;"
                 f"border-radius:3px;font-weight:bold'>{label}</span>")
        body = _text_html(u["text"], "(empty segment)")
        if verbatim:
            body = f"<blockquote style='font-style:italic;margin:0 0 0 1em'>{body}</blockquote>"
        header = (
            f"<b>Interview segment <code>{html.escape(u['unit_id'])}</code></b> &middot; "
            f"{html.escape(u['local'].strftime('%Y-%m-%d') if u['local'] is not None else '')}<br>"
            f"{html.escape(u['speaker'])}{' — ' + html.escape(u['speaker_role']) if u['speaker_role'] else ''}"
            f"{' &middot; language ' + html.escape(u['language']) if u['language'] else ''}"
            f"{' &middot; ' + html.escape(u['section']) if u['section'] else ''}"
            f"{' &middot; turn ' + html.escape(u['turn']) if u['turn'] else ''}"
            f"{' &middot; ' + html.escape(u['start_time']) if u['start_time'] else ''}"
            f"{'–' + html.escape(u['end_time']) if u['end_time'] else ''}")
        self.view.value = _view_html(header, badge, body, "")

    def _render_images(self, u: dict[str, Any]) -> str:
        """Show unit ``u``'s images; return a note on missing or extra images ("" if none)."""
        paths = self.media_paths(u)
        shown, missing = 0, []
        for p in paths[: self.max_images]:
            try:
                data, fmt = prepared_image(str(p), self.image_max_px)
            except OSError:
                missing.append(p.name)
                log.warning("unit %s: image %s cannot be read", u["unit_id"], p)
                continue
            while shown >= len(self.images):
                self.images.append(self._w.Image(layout=self._w.Layout(width=f"{self.image_width}px",
                                                                       margin="2px")))
            img = self.images[shown]
            if img.format != fmt:
                img.format = fmt
            if img.value is not data:
                img.value = data
            shown += 1
        if len(self.image_box.children) != shown:
            self.image_box.children = tuple(self.images[:shown])
        self.image_box.layout.display = None if shown else "none"
        notes = []
        if not paths:
            notes.append("no image in the collection folder")
        elif len(paths) > self.max_images:
            notes.append(f"showing {self.max_images} of {len(paths)} images")
        if missing:
            notes.append("missing: " + ", ".join(missing))
        return "; ".join(notes)

    # ----------------------------------------------------------------- relation picker

    def _choice_label(self, uid: str) -> str:
        c = self.session.posts[uid]
        return f"{c['local_str']} · {uid} · {_one_line(c['text'])[:90]}"

    def _render_relation(self) -> None:
        show = self.current["unit_type"] == "post" and self.session.is_followup()
        self.relation_box.layout.display = None if show else "none"
        if not show:
            return
        if self.relation_search.value:
            self.relation_search.value = ""  # observer refreshes the choices
        self._refresh_relation_choices()

    def _refresh_relation_choices(self) -> None:
        if not self._built:
            return
        was_loading, self._loading = self._loading, True
        try:
            target = self.session.relation_target()
            ids = self.relation_candidates(self.relation_search.value, self.relation_all.value)
            n = len(ids)
            ids = ids[:MAX_RELATION_CHOICES]
            if target and target not in ids and target in self.session.posts:
                ids.insert(0, target)
            self.relation_select.options = [(self._choice_label(i), i) for i in ids]
            self.relation_select.value = target if target in ids else None
            chosen = f"answers <code>{html.escape(target)}</code>" if target else "<i>no complaint chosen yet</i>"
            more = f" (first {MAX_RELATION_CHOICES} shown)" if n > MAX_RELATION_CHOICES else ""
            hint = "" if self.relation_all.value else " (tick the box above to see other earlier posts too)"
            self.relation_status.value = f"{n} matching earlier posts{more}{hint}; {chosen}"
        finally:
            self._loading = was_loading

    # ----------------------------------------------------------------- events -> session

    def _report(self, outcome: Outcome, v: Variable | None = None) -> None:
        """Show what became of an action; a failed save shows again what the coder's file holds."""
        if outcome.saved:
            self.saved.value = f"<span style='color:#0b6e4f'>{html.escape(outcome.message)}</span>"
            self._show_position()
        elif outcome.message.startswith("NOT saved"):
            self._render()
            self.saved.value = f"<b style='color:#b00020'>{html.escape(outcome.message)}</b>"
        elif v is not None:  # refused by a rule: the controls show the codes kept
            self._show_codes(v, outcome.codes)
            self.saved.value = f"<span style='color:#b35900'>{html.escape(outcome.message)}</span>"
        else:
            self.saved.value = f"<i>{html.escape(outcome.message)}</i>"

    def _on_single(self, v: Variable, change: Mapping[str, Any]) -> None:
        if self._loading or change["new"] is None:
            return
        outcome = self.session.choose(v.id, change["new"])
        self._report(outcome, v)
        if outcome.saved and v is self.relation_variable:
            self._loading = True
            try:
                self._render_relation()
            finally:
                self._loading = False

    def _on_multi(self, v: Variable, code: str, change: Mapping[str, Any]) -> None:
        if self._loading:
            return
        outcome = self.session.toggle(v.id, code, bool(change["new"]))
        if outcome.saved:
            self._show_codes(v, outcome.codes)
        self._report(outcome, v)

    def _on_relation(self, change: Mapping[str, Any]) -> None:
        if self._loading or change["new"] is None:
            return
        self._report(self.session.set_relation(change["new"]))
        self._refresh_relation_choices()

    def _on_memo(self, change: Mapping[str, Any]) -> None:
        if self._loading:
            return
        self._report(self.session.set_memo(change["new"]))

    # ----------------------------------------------------------------- navigation

    def go_to(self, index: int | str) -> None:
        """Show unit ``index`` (a position or a unit id)."""
        self.session.go_to(index)
        self._focus = 0
        if self._built:
            self._render()

    def next(self) -> None:
        """Show the next unit (stays on the last)."""
        self.go_to(min(self.index + 1, len(self.units) - 1))

    def previous(self) -> None:
        """Show the previous unit (stays on the first)."""
        self.go_to(max(self.index - 1, 0))

    def next_uncoded(self) -> bool:
        """Show the next unit not fully coded, searching forward and wrapping; False if all are coded."""
        if self.session.next_uncoded():
            self._focus = 0
            if self._built:
                self._render()
            return True
        if self._built:
            self.saved.value = "<b>every unit is coded</b>"
        return False


    # ----------------------------------------------------------------- keyboard

    @property
    def focused_variable(self) -> Variable:
        """The variable the number keys code now."""
        names = self.variables_for(self.current)
        return names[min(self._focus, len(names) - 1)]

    def press(self, key: str, shift: bool = False) -> bool:
        """Act on a key pressed in the app (see :mod:`civicposts.app.keys`); False if it is not a coding key.

        A number picks that code of the highlighted variable through its control, as a click would (a
        single-choice pick then moves on to the next variable; a multi-choice one ticks or unticks)."""
        cmd = keymap.command_for(key, shift)
        if cmd is None:
            return False
        self._build()
        if cmd.name == "pick":
            v = self.focused_variable
            if cmd.arg >= len(v.codes):
                self.saved.value = (f"<i>{html.escape(v.label)} has {len(v.codes)} codes: key "
                                    f"{html.escape(key)} picks none</i>")
                return True
            code = v.codes[cmd.arg].id
            control = self.controls[v.id]
            if v.multiple:
                control[code].value = not control[code].value
            else:
                control.value = code  # the observer saves it (unchanged if picked again)
                self._move_focus(1, wrap=False)
        elif cmd.name == "variable":
            self._move_focus(cmd.arg)
        elif cmd.name == "next":
            self.next()
        elif cmd.name == "previous":
            self.previous()
        elif cmd.name == "uncoded":
            self.next_uncoded()
        elif cmd.name == "definitions":
            self.definitions.value = not self.definitions.value
        return True

    def _move_focus(self, step: int, wrap: bool = True) -> None:
        n = len(self.variables_for(self.current))
        target = self._focus + step
        self._focus = target % n if wrap else max(0, min(target, n - 1))
        self._show_focus()
