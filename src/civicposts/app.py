"""The coding app: code posts or interview segments one at a time in JupyterLab.

One call builds and shows it in a notebook::

    from civicposts.app import CodingApp
    from civicposts.units import post_units
    CodingApp(post_units(clean_posts), "data/raw/coding/codebook.yaml", "coding", coder="ana").show()

Each unit shows its local date and time, engagement, link and caption, and the post's images
when the collection folder holds them (``media_files``); interview segments show whether they
are a VERBATIM quote or a PARAPHRASE. The codebook's variables are toggle buttons (single
choice) or checkboxes (multiple choice) with definitions on hover and below; a memo box; for
official follow-ups, a picker of the earlier complaint the post answers (search by date or
words). Previous / next / next uncoded, progress "n of N". Every change is appended at once to
the coder's append-only file through :class:`civicposts.coding.CodingStore`; there is no save
button. Another open session of the same coder is taken in at the next unit shown.

The app never waits for a person: in a batch run (papermill, ``make all``) ``show()``
displays a one-line progress summary instead of the widgets and no widget is created, so
executed notebooks and their HTML hold no unit text. Batch mode is chosen with
``batch=True`` or the environment variable ``CIVICPOSTS_BATCH=1``, and automatically in a
pipeline run (``civicposts.run`` sets ``CIVICPOSTS_NOTEBOOK`` for papermill) and outside an
IPython kernel; ``CIVICPOSTS_BATCH=0`` forces the widgets.

Rendering is light so moving to the next unit stays under 100 ms: the widgets are built once
and only their values change (one HTML widget per unit view); images are read when a unit is
shown or read ahead for the next one, scaled down for display and cached.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import functools
import html
import io
import json
import logging
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import CivicpostsError, InputError

log = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Asia/Jakarta"
#: The code (of the variable carrying the relation) of the posts a follow-up can answer.
COMPLAINT_CODE = "complaint"
MAX_RELATION_CHOICES = 200
IMAGE_FORMATS = {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".gif": "gif", ".webp": "webp"}


# --------------------------------------------------------------------------- data model


@dataclasses.dataclass(frozen=True)
class Code:
    """One code of a variable as the app shows it."""

    id: str
    label: str
    definition: str = ""
    hint: str = ""  # use when / not when, shown on hover
    exclusive: bool = False  # may not be combined with other codes of a multi-choice variable
    relation: str | None = None  # the relation type a coding with this code carries


@dataclasses.dataclass(frozen=True)
class Variable:
    """One codebook variable as the app shows it."""

    id: str
    label: str
    multiple: bool
    unit_type: str
    codes: tuple[Code, ...]
    definition: str = ""

    @property
    def relation_codes(self) -> dict[str, str]:
        """``{code id: relation type}`` for the codes that carry a relation."""
        return {c.id: c.relation for c in self.codes if c.relation}


@dataclasses.dataclass
class Decision:
    """The latest coding of one (unit, variable) by this app's coder."""

    codes: tuple[str, ...]
    memo: str = ""
    relation_target: str | None = None


def _get(obj: Any, *names: str, default: Any = None) -> Any:
    """The first of ``names`` found on ``obj`` as a key or attribute."""
    for name in names:
        if isinstance(obj, Mapping):
            if name in obj and obj[name] is not None:
                return obj[name]
        elif getattr(obj, name, None) is not None:
            return getattr(obj, name)
    return default


def _text(value: Any) -> str:
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return " ".join(str(value).split())


def _label(item: Any, fallback: str) -> str:
    en = _text(_get(item, "label_en", "label", "name"))
    ind = _text(_get(item, "label_id"))
    if en and ind and en != ind:
        return f"{en} / {ind}"
    return en or ind or fallback


def codebook_variables(codebook: Any) -> list[Variable]:
    """The variables of ``codebook``: a :class:`civicposts.codebook.Codebook`, its YAML as a mapping,
    or a list of variable mappings (``id``, ``unit_type``, ``kind`` single|multi, ``codes``)."""
    source = _text(_get(codebook, "path", default="")) or "codebook"
    items: Any = _get(codebook, "variables", default=codebook)
    if isinstance(items, Mapping):  # {id: Variable}
        items = list(items.values())
    out: list[Variable] = []
    for i, item in enumerate(items or []):
        if isinstance(item, Variable):
            out.append(item)
            continue
        vid = _text(_get(item, "id", "name", "variable"))
        if not vid:
            raise InputError(source, "variable has no id", record=i)
        kind = _text(_get(item, "kind", default="single")).lower()
        if kind not in ("single", "multi"):
            raise InputError(source, f"variable {vid!r}: kind {kind!r} is neither 'single' nor 'multi'", record=i)
        unit_type = _text(_get(item, "unit_type", default="post")).lower()
        codes = []
        for j, c in enumerate(_get(item, "codes", default=[]) or []):
            if isinstance(c, str):
                codes.append(Code(c, c))
                continue
            cid = _text(_get(c, "id"))
            if not cid:
                raise InputError(source, f"variable {vid!r}: code #{j + 1} has no id", record=i)
            hint = " ".join(f"{name}: {_text(_get(c, key))}." for key, name in
                            (("use_when", "Use when"), ("not_when", "Not when")) if _text(_get(c, key)))
            codes.append(Code(cid, _label(c, cid), _text(_get(c, "definition", "description")), hint,
                              bool(_get(c, "exclusive", default=False)), _get(c, "relation")))
        if not codes:
            raise InputError(source, f"variable {vid!r} has no codes", record=i)
        out.append(Variable(vid, _label(item, vid), kind == "multi", unit_type, tuple(codes),
                            _text(_get(item, "description", "definition"))))
    if not out:
        raise InputError(source, "the codebook defines no variables")
    return out


def codebook_version(codebook: Any) -> str:
    """The codebook's version string ("" when it has none)."""
    return _text(_get(codebook, "version", "codebook_version", default=""))


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    try:
        return [str(v) for v in value]
    except TypeError:
        return []


def _raw_text(value: Any) -> str:
    """Caption or segment text as written (line breaks kept), "" when missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def _local_times(df: pd.DataFrame, timezone: str, source: str) -> pd.Series:
    """Each unit's time in ``timezone``: ``posted_at`` (UTC), else ``interview_date``; NaT if neither."""
    ts = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns, UTC]")
    for col in ("posted_at", "interview_date"):
        if col not in df.columns:
            continue
        raw = df[col]
        given = raw.notna() & (raw.astype(str).str.strip() != "")
        parsed = pd.to_datetime(raw.where(given), utc=True, errors="coerce", format="mixed")
        bad = given & parsed.isna()
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise InputError(source, f"{col} {raw.iloc[i]!r} is not a date/time", record=i)
        ts = ts.fillna(parsed) if ts.isna().any() else ts
    return ts.dt.tz_convert(timezone)


def normalise_units(units: pd.DataFrame | Iterable[Mapping[str, Any]], timezone: str = DEFAULT_TIMEZONE,
                    source: str = "units") -> list[dict[str, Any]]:
    """One display record per unit: ids, type, text, local time and the fields the app shows.

    Takes the unit tables of :mod:`civicposts.units` and the coding sample (``unit_id``,
    ``unit_type``, ``caption`` or ``text`` ...; in ``order`` when the table has that column) and
    also raw post tables (``post_id``) or interview records (``segment_id``).
    Raises InputError naming ``source`` and the record for a missing or repeated unit id.
    """
    df = units if isinstance(units, pd.DataFrame) else pd.DataFrame(list(units))
    if df.empty:
        raise InputError(source, "there are no units to code")
    if "order" in df.columns:  # the sample's coding order (civicposts.sampling), as the store reads it
        df = df.sort_values("order", kind="mergesort")
    df = df.reset_index(drop=True)
    local = _local_times(df, timezone, source)
    local_str = local.dt.strftime("%Y-%m-%d %H:%M").fillna("").tolist()
    local_ts = local.tolist()  # Timestamps (NaT for none), boxed once rather than per .iloc
    records = df.to_dict("records")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, r in enumerate(records):
        uid = _text(_get(r, "unit_id", "post_id", "segment_id"))
        if not uid:
            raise InputError(source, "unit has no unit_id/post_id/segment_id", record=i)
        if uid in seen:
            raise InputError(source, f"unit id {uid!r} occurs more than once", record=i)
        seen.add(uid)
        utype = _text(r.get("unit_type")) or ("interview" if _text(r.get("segment_id")) else "post")
        text = _raw_text(r.get("caption") if utype == "post" else r.get("text"))
        when = local_ts[i]
        out.append({
            "unit_id": uid,
            "unit_type": utype,
            "text": text,
            "local": None if pd.isna(when) else when,
            "local_str": local_str[i],
            "search": f"{uid} {text}".lower(),
            "account": _text(r.get("account")),
            "likes": r.get("likes"),
            "comments": r.get("comments"),
            "url": _text(r.get("url")),
            "media_type": _text(r.get("media_type")),
            "media_files": _as_list(r.get("media_files")),
            "kind": _text(r.get("kind")).lower(),
            "speaker": _text(r.get("speaker")),
            "speaker_role": _text(r.get("speaker_role")),
            "language": _text(r.get("language")),
            "section": _text(r.get("paper_section")),
        })
    return out


# --------------------------------------------------------------------------- store adapter


class StoreAdapter:
    """What the app needs from the coding store: this coder's latest decisions, and appending one line.

    Wraps :class:`civicposts.coding.CodingStore` (or anything with its ``append`` and
    ``decisions`` methods), which validates every line against the codebook and appends it
    atomically to ``<directory>/<coder>.jsonl``.
    """

    def __init__(self, store: Any, coder: str):
        if not (callable(getattr(store, "append", None)) and callable(getattr(store, "decisions", None))):
            raise TypeError(f"cannot use {type(store).__name__} as a coding store: it needs append() and "
                            "decisions() like civicposts.coding.CodingStore")
        self.store = store
        self.coder = coder
        self._offset = 0  # bytes of the coder's file already read

    @property
    def path(self) -> Path | None:
        """The coder's file, when the store tells."""
        path_for = getattr(self.store, "path_for", None)
        return Path(path_for(self.coder)) if callable(path_for) else None

    def latest(self) -> dict[tuple[str, str], Decision]:
        """``{(unit_id, variable): Decision}`` for this coder, as the coder's file says now."""
        path = self.path
        self._offset = path.stat().st_size if path is not None and path.exists() else 0
        dec = self.store.decisions(self.coder)
        out: dict[tuple[str, str], Decision] = {}
        if len(dec) == 0:
            return out
        for uid, var, codes, memo, target in zip(dec["unit_id"], dec["variable"], dec["codes"], dec["memo"],
                                                 dec["relation_target"], strict=True):
            target = None if target is None or (isinstance(target, float) and pd.isna(target)) else str(target)
            out[(str(uid), str(var))] = Decision(tuple(sorted(codes)), memo or "", target)
        return out

    def changes(self) -> dict[tuple[str, str], Decision]:
        """Decisions from lines appended to the coder's file since the last look (by this app or
        another session of the same coder), in file order; {} when nothing was appended."""
        path = self.path
        if path is None:
            return {}
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return {}
        if size <= self._offset:
            return {}
        with open(path, "rb") as fh:
            fh.seek(self._offset)
            data = fh.read(size - self._offset)
        end = data.rfind(b"\n")
        if end < 0:  # a line still being written
            return {}
        self._offset += end + 1
        out: dict[tuple[str, str], Decision] = {}
        for raw in data[: end + 1].splitlines():
            if not raw.strip():
                continue
            try:
                rec = json.loads(raw)
                rel = rec.get("relation") or None
                out[(rec["unit_id"], rec["variable"])] = Decision(
                    tuple(sorted(rec["codes"])), rec.get("memo") or "", rel["target"] if rel else None)
            except (ValueError, KeyError, TypeError) as exc:  # the pipeline's reader names the line
                log.warning("%s: skipping a line the app cannot read (%s)", path, exc)
        return out

    def save(self, unit_id: str, unit_type: str, variable: str, codes: Sequence[str], memo: str,
             relation: dict[str, str] | None) -> None:
        """Append one coding line at once (the store validates it)."""
        self.store.append(self.coder, unit_id, unit_type, variable, list(codes), memo, relation)


def open_store(store: Any, codebook: Any, coder: str) -> StoreAdapter:
    """``store`` as a StoreAdapter: a StoreAdapter, a CodingStore, or a folder of coder files."""
    if isinstance(store, StoreAdapter):
        return store
    if isinstance(store, (str, Path)):
        from .coding import CodingStore

        return StoreAdapter(CodingStore(store, codebook), coder)
    return StoreAdapter(store, coder)


def open_codebook(codebook: Any) -> Any:
    """``codebook`` itself, or the codebook loaded from it when it is a path to the YAML file."""
    if isinstance(codebook, (str, Path)):
        from .codebook import load_codebook

        return load_codebook(codebook)
    return codebook


# --------------------------------------------------------------------------- images


@functools.lru_cache(maxsize=512)
def _prepared_image(path: str, max_px: int) -> tuple[bytes, str]:
    """The image at ``path`` as (bytes, format) for display, scaled down to about ``max_px`` on its
    longer side (JPEG) so less has to travel to the browser; the file itself is never changed.

    JPEGs are decoded at reduced scale (PIL's draft mode), which makes scaling a 1080 px post
    image to 540 px about five times cheaper than decoding it whole.
    """
    with open(path, "rb") as fh:
        data = fh.read()
    fmt = IMAGE_FORMATS[Path(path).suffix.lower()]
    if max_px <= 0:
        return data, fmt
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            if max(im.size) <= max_px:
                return data, fmt
            im.draft("RGB", (max_px, max_px))
            im.thumbnail((max_px, max_px))
            buf = io.BytesIO()
            im.convert("RGB").save(buf, format="JPEG", quality=85)
            return buf.getvalue(), "jpeg"
    except Exception as exc:  # a damaged image is still shown as the browser can
        log.warning("%s: cannot scale image for display (%s)", path, exc)
        return data, fmt


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


def _is_coded(decision: Decision | None) -> bool:
    return decision is not None and len(decision.codes) > 0


# --------------------------------------------------------------------------- the app


class CodingApp:
    """Code ``units`` with ``codebook`` as ``coder``; every change goes to ``store`` at once.

    ``units``: a unit table of :mod:`civicposts.units` (posts and/or interview segments).
    ``codebook``: a :class:`civicposts.codebook.Codebook` or the path of its YAML file.
    ``store``: a :class:`civicposts.coding.CodingStore`, or the folder of coder files (``coding/``).
    ``media_root``: the folder relative ``media_files`` paths start from (default: the working folder).
    ``batch``: True shows only a progress line (papermill); default from ``CIVICPOSTS_BATCH`` or
    whether an IPython kernel runs. ``image_max_px``: images are scaled to this size for display
    (0: sent as they are). ``prefetch``: read the next unit's images in the background.
    ``start``: the position or unit id shown first.

    Public attributes for notebooks and tests: ``widget`` (the root widget), ``view`` (the unit's
    header, kind and text), ``image_box``, ``controls`` (variable id -> ToggleButtons, or code id ->
    Checkbox), ``memo``, ``relation_search``, ``relation_all``, ``relation_select``,
    ``prev_button``, ``next_button``, ``next_uncoded_button``, ``position``, ``saved`` (status),
    ``index``, ``units``, ``decisions`` (this coder's latest codings).
    """

    def __init__(self, units: pd.DataFrame | Iterable[Mapping[str, Any]], codebook: Any, store: Any, coder: str,
                 media_root: str | Path | None = None, *, timezone: str = DEFAULT_TIMEZONE,
                 batch: bool | None = None, max_images: int = 10, image_width: int = 360,
                 image_max_px: int = 540, prefetch: bool = True, start: int | str | None = None,
                 relation_pool: pd.DataFrame | Iterable[Mapping[str, Any]] | None = None):
        from .coding import check_coder

        self.coder = check_coder(coder)
        self.units = normalise_units(units, timezone)
        codebook = open_codebook(codebook)
        self.codebook = codebook
        self.variables = codebook_variables(codebook)
        self.version = codebook_version(codebook)
        self.store = open_store(store, codebook, coder)
        self.media_root = Path(media_root) if media_root is not None else Path.cwd()
        self.batch = _batch_default() if batch is None else bool(batch)
        self.max_images = max_images
        self.image_width = image_width
        self.image_max_px = image_max_px
        self.prefetch = prefetch
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._prefetch: concurrent.futures.Future | None = None
        self.decisions: dict[tuple[str, str], Decision] = self.store.latest()
        self._by_id = {u["unit_id"]: i for i, u in enumerate(self.units)}
        self._vars_by_type: dict[str, list[Variable]] = {}
        for v in self.variables:
            self._vars_by_type.setdefault(v.unit_type, []).append(v)
        missing = sorted({u["unit_type"] for u in self.units} - set(self._vars_by_type))
        if missing:
            raise InputError("codebook", f"no variables for unit type(s) {', '.join(missing)}")
        # The relation (follows_up) hangs on the post variable whose code carries it in the codebook.
        self.relation_variable: Variable | None = next(
            (v for v in self._vars_by_type.get("post", []) if v.relation_codes), None)
        # Posts the relation picker searches: the app's post units, plus ``relation_pool`` (e.g. all
        # posts of the corpus, since the complaint a follow-up answers may be outside the sample).
        self._posts = {u["unit_id"]: u for u in self.units if u["unit_type"] == "post"}
        if relation_pool is not None:
            for u in normalise_units(relation_pool, timezone, source="relation_pool"):
                if u["unit_type"] == "post":
                    self._posts.setdefault(u["unit_id"], u)
        never = pd.Timestamp.min.tz_localize("UTC")
        self._posts_newest_first = sorted(self._posts.values(), key=lambda c: (c["local"] or never, c["unit_id"]),
                                          reverse=True)
        self._pending_memo: dict[str, str] = {}
        self._coded = {u["unit_id"] for i, u in enumerate(self.units) if self._check_coded(i)}
        self._built = False
        self._loading = False
        self.index = 0
        if start is not None:
            self.go_to(start)

    # ----------------------------------------------------------------- progress and state

    def variables_for(self, unit: Mapping[str, Any]) -> list[Variable]:
        """The codebook variables that apply to ``unit``."""
        return self._vars_by_type[unit["unit_type"]]

    def _check_coded(self, i: int) -> bool:
        u = self.units[i]
        return all(_is_coded(self.decisions.get((u["unit_id"], v.id))) for v in self.variables_for(u))

    def is_coded(self, i: int) -> bool:
        """Whether this coder has given every variable of unit ``i`` at least one code."""
        return self.units[i]["unit_id"] in self._coded

    def progress(self) -> tuple[int, int]:
        """(units fully coded, all units)."""
        return len(self._coded), len(self.units)

    @property
    def current(self) -> dict[str, Any]:
        """The unit shown now."""
        return self.units[self.index]

    def summary(self) -> str:
        """One line: coder, position and progress."""
        done, total = self.progress()
        return f"coder {self.coder}: {done} of {total} units coded"

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
        self.image_box = w.HBox(layout=lay(flex_flow="row wrap", display="none"))

        self.relation_search = w.Text(placeholder="search complaints by date (2020-03 or 2020-03-14) or words",
                                      continuous_update=True, layout=lay(width="95%"))
        self.relation_all = w.Checkbox(description="also other earlier posts (uncoded, or not in this app)",
                                       value=False, indent=False, layout=lay(width="auto"))
        self.relation_select = w.Select(options=[], rows=8, layout=lay(width="95%"))
        self.relation_status = w.HTML()
        self.relation_search.observe(lambda _c: self._refresh_relation_choices(), names="value")
        self.relation_all.observe(lambda _c: self._refresh_relation_choices(), names="value")
        self.relation_select.observe(self._on_relation, names="value")
        self.relation_box = w.VBox([
            w.HTML("<b>Follows up which complaint?</b> (the earlier complaint this official follow-up answers)"),
            self.relation_search, self.relation_all, self.relation_select, self.relation_status],
            layout=lay(display="none", border="1px solid #ccc", padding="4px", margin="0 0 6px 0"))

        self.controls: dict[str, Any] = {}
        self._defs: dict[str, Any] = {}
        self._panels: dict[str, Any] = {}
        for utype, variables in self._vars_by_type.items():
            rows = []
            for v in variables:
                rows.append(self._variable_row(v))
                if v is self.relation_variable:  # the picker sits right under the code that opens it
                    rows.append(self.relation_box)
            self._panels[utype] = w.VBox(rows)

        self.memo = w.Textarea(placeholder="memo (saved when you leave the box)", continuous_update=False,
                               layout=lay(width="95%", height="60px"))
        self.memo.observe(self._on_memo, names="value")
        self.saved = w.HTML()
        nav = w.HBox([self.prev_button, self.next_button, self.next_uncoded_button, self.position])
        left = w.VBox([self.view, self.image_box],
                      layout=lay(width="50%", padding="0 8px 0 0"))
        right = w.VBox(list(self._panels.values()) + [self.memo, self.saved],
                       layout=lay(width="50%"))
        self._root = w.VBox([nav, w.HBox([left, right])])
        self._root.add_class("civicposts-coding-app")
        self._built = True
        self._render()

    def _variable_row(self, v: Variable) -> Any:
        w = self._w
        tip = [" ".join(x for x in (f"{c.label}: {c.definition}", c.hint) if x) for c in v.codes]
        title = w.HTML(f"<b title='{html.escape(v.definition, quote=True)}'>{html.escape(v.label)}</b>"
                       + (" <i>(choose any)</i>" if v.multiple else " <i>(choose one)</i>"))
        defs = w.HTML(
            "<div style='font-size:85%;color:#555;line-height:1.25'>"
            + (f"{html.escape(v.definition)}<br>" if v.definition else "")
            + "<br>".join(f"<b>{html.escape(c.label)}</b>: {html.escape(c.definition)}"
                          for c in v.codes if c.definition)
            + "</div>")
        self._defs[v.id] = defs
        if v.multiple:
            boxes = {}
            for c, t in zip(v.codes, tip):
                cb = w.Checkbox(description=c.label, tooltip=t, indent=False, value=False,
                                layout=w.Layout(width="auto", margin="0 12px 0 0"))
                cb.add_class(f"cp-{v.id}-{c.id}")
                cb.observe(functools.partial(self._on_multi, v), names="value")
                boxes[c.id] = cb
            self.controls[v.id] = boxes
            control = w.HBox(list(boxes.values()), layout=w.Layout(flex_flow="row wrap"))
        else:
            tb = w.ToggleButtons(options=[(c.label, c.id) for c in v.codes], tooltips=tip, value=None,
                                 style={"button_width": "auto"})
            tb.add_class(f"cp-{v.id}")
            tb.observe(functools.partial(self._on_single, v), names="value")
            self.controls[v.id] = tb
            control = tb
        return w.VBox([title, control, defs], layout=w.Layout(margin="0 0 6px 0"))

    # ----------------------------------------------------------------- rendering

    def sync(self) -> int:
        """Take in lines another session of this coder appended to the file; return how many changed."""
        changes = self.store.changes()
        changed = 0
        for key, d in changes.items():
            if self.decisions.get(key) != d:
                self.decisions[key] = d
                changed += 1
                i = self._by_id.get(key[0])
                if i is not None:
                    (self._coded.add if self._check_coded(i) else self._coded.discard)(key[0])
        return changed

    def _render(self) -> None:
        self.sync()
        u = self.current
        uid = u["unit_id"]
        self._loading = True
        # Controls first, the unit's text and header last: the browser applies updates in this
        # order, so once the new header shows, the whole unit is shown.
        try:
            self.saved.value = ""
            for utype, panel in self._panels.items():
                panel.layout.display = None if utype == u["unit_type"] else "none"
            for v in self.variables_for(u):
                d = self.decisions.get((uid, v.id))
                codes = d.codes if d else ()
                control = self.controls[v.id]
                if v.multiple:
                    for cid, cb in control.items():
                        want = cid in codes
                        if cb.value != want:
                            cb.value = want
                else:
                    want = codes[0] if codes else None
                    if control.value != want:
                        control.value = want
            self.memo.value = self._memo_of(uid)
            self._render_relation()
            if u["unit_type"] == "interview":
                self._render_interview(u)
            else:
                self._render_post(u)
            self.prev_button.disabled = self.index == 0
            self.next_button.disabled = self.index == len(self.units) - 1
            self._show_position()
        finally:
            self._loading = False
        self._prefetch_next()

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
        self.view.value = self._view_html(header, "", self._text_html(u["text"], "(no caption)"), note)

    def _render_interview(self, u: dict[str, Any]) -> None:
        verbatim = u["kind"] == "verbatim"
        colour, label = ("#0b6e4f", "VERBATIM quote from the paper") if verbatim else \
            ("#b35900", "PARAPHRASE (not the speaker's words)")
        self.image_box.layout.display = "none"
        badge = (f"<span class='cp-kind' style='background:{colour};color:white;padding:2px 8px;"
                 f"border-radius:3px;font-weight:bold'>{label}</span>")
        body = self._text_html(u["text"], "(empty segment)")
        if verbatim:
            body = f"<blockquote style='font-style:italic;margin:0 0 0 1em'>{body}</blockquote>"
        header = (
            f"<b>Interview segment <code>{html.escape(u['unit_id'])}</code></b> &middot; "
            f"{html.escape(u['local'].strftime('%Y-%m-%d') if u['local'] is not None else '')}<br>"
            f"{html.escape(u['speaker'])}{' — ' + html.escape(u['speaker_role']) if u['speaker_role'] else ''}"
            f"{' &middot; language ' + html.escape(u['language']) if u['language'] else ''}"
            f"{' &middot; ' + html.escape(u['section']) if u['section'] else ''}")
        self.view.value = self._view_html(header, badge, body, "")

    @staticmethod
    def _view_html(header: str, badge: str, body: str, note: str) -> str:
        return (f"<div class='cp-header'>{header}</div>"
                + (f"<div style='margin:4px 0'>{badge}</div>" if badge else "")
                + "<div class='cp-text' style='max-height:320px;overflow:auto;border:1px solid #ddd;"
                  f"padding:4px 8px;margin-top:4px'>{body}</div>"
                + (f"<div class='cp-note'><i style='color:#777'>{html.escape(note)}</i></div>" if note else ""))

    @staticmethod
    def _text_html(text: str, empty: str) -> str:
        if not text:
            return f"<i>{empty}</i>"
        return "<div style='white-space:pre-wrap'>" + html.escape(text) + "</div>"

    def media_paths(self, u: Mapping[str, Any]) -> list[Path]:
        """The image files of unit ``u`` (those with an image suffix), resolved against ``media_root``."""
        out = []
        for f in u["media_files"]:
            p = Path(f)
            if p.suffix.lower() in IMAGE_FORMATS:
                out.append(p if p.is_absolute() else self.media_root / p)
        return out

    def _render_images(self, u: dict[str, Any]) -> str:
        """Show unit ``u``'s images; return a note on missing or extra images ("" if none)."""
        paths = self.media_paths(u)
        shown, missing = 0, []
        for p in paths[: self.max_images]:
            try:
                data, fmt = _prepared_image(str(p), self.image_max_px)
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

    def _prefetch_next(self) -> None:
        """Read and scale the next unit's images in the background, so "next" finds them ready."""
        if not self.prefetch or self.index + 1 >= len(self.units):
            return
        paths = [str(p) for p in self.media_paths(self.units[self.index + 1])[: self.max_images]]
        if not paths:
            return
        if self._executor is None:
            self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=1,
                                                                   thread_name_prefix="civicposts-images")

        def work() -> None:
            for p in paths:
                try:
                    _prepared_image(p, self.image_max_px)
                except OSError:
                    pass  # reported when the unit is shown

        self._prefetch = self._executor.submit(work)

    def wait_prefetch(self) -> None:
        """Wait until the background image reading has finished (for tests and benchmarks)."""
        if self._prefetch is not None:
            self._prefetch.result()

    # ----------------------------------------------------------------- relation picker

    def _relation_type(self, codes: Iterable[str]) -> str | None:
        rv = self.relation_variable
        if rv is None:
            return None
        return next((rv.relation_codes[c] for c in codes if c in rv.relation_codes), None)

    def _is_followup(self, uid: str) -> bool:
        if self.relation_variable is None:
            return False
        d = self.decisions.get((uid, self.relation_variable.id))
        return d is not None and self._relation_type(d.codes) is not None

    def relation_candidates(self, query: str = "", include_uncoded: bool = False,
                            unit_id: str | None = None) -> list[str]:
        """Earlier posts a follow-up ``unit_id`` can answer, newest first, matching every word of ``query``.

        A word that looks like a date (``2020``, ``2020-03``, ``2020-03-14``) matches the local date;
        any other word matches the caption or post id (case-insensitive). Without
        ``include_uncoded`` only posts this coder coded as complaints are offered; with it, also
        the other earlier posts, including those of ``relation_pool``.
        """
        u = self.units[self._by_id[unit_id]] if unit_id else self.current
        words = query.lower().split()
        dates = [t for t in words if re.fullmatch(r"\d{4}(-\d{1,2}(-\d{1,2})?)?", t)]
        terms = [t for t in words if t not in dates]
        out = []
        for c in self._posts_newest_first:
            if c["unit_id"] == u["unit_id"]:
                continue
            if u["local"] is not None and (c["local"] is None or c["local"] >= u["local"]):
                continue
            if not include_uncoded:
                d = self.decisions.get((c["unit_id"], self.relation_variable.id)) if self.relation_variable else None
                if d is None or COMPLAINT_CODE not in d.codes:
                    continue
            if any(not c["local_str"].startswith(t) for t in dates):
                continue
            if any(t not in c["search"] for t in terms):
                continue
            out.append(c["unit_id"])
        return out

    def _choice_label(self, uid: str) -> str:
        c = self._posts[uid]
        snippet = re.sub(r"\s+", " ", c["text"])[:90]
        return f"{c['local_str']} · {uid} · {snippet}"

    def _render_relation(self) -> None:
        uid = self.current["unit_id"]
        show = self.current["unit_type"] == "post" and self._is_followup(uid)
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
            uid = self.current["unit_id"]
            d = self.decisions.get((uid, self.relation_variable.id))
            target = d.relation_target if d else None
            ids = self.relation_candidates(self.relation_search.value, self.relation_all.value)
            n = len(ids)
            ids = ids[:MAX_RELATION_CHOICES]
            if target and target not in ids and target in self._posts:
                ids.insert(0, target)
            self.relation_select.options = [(self._choice_label(i), i) for i in ids]
            self.relation_select.value = target if target in ids else None
            chosen = f"answers <code>{html.escape(target)}</code>" if target else "<i>no complaint chosen yet</i>"
            more = f" (first {MAX_RELATION_CHOICES} shown)" if n > MAX_RELATION_CHOICES else ""
            hint = "" if self.relation_all.value else " (tick the box above to see other earlier posts too)"
            self.relation_status.value = f"{n} matching earlier posts{more}{hint}; {chosen}"
        finally:
            self._loading = was_loading

    # ----------------------------------------------------------------- saving

    def _memo_of(self, uid: str) -> str:
        if uid in self._pending_memo:
            return self._pending_memo[uid]
        memos = [d.memo for (u, _v), d in self.decisions.items() if u == uid and d.memo]
        return memos[-1] if memos else ""

    def _save(self, v: Variable, codes: Sequence[str], relation_target: str | None = None) -> bool:
        u = self.current
        uid = u["unit_id"]
        codes = tuple(sorted(codes))
        rtype = self._relation_type(codes) if v is self.relation_variable else None
        if rtype is None:
            relation_target = None
        memo = self.memo.value if self._built else self._memo_of(uid)
        relation = {"type": rtype, "target": relation_target} if relation_target else None
        try:
            self.store.save(uid, u["unit_type"], v.id, list(codes), memo, relation)
        except (CivicpostsError, OSError, ValueError) as exc:
            # Not written: say so, and show again what the coder's file holds.
            log.error("coding of %s %s NOT saved: %s", uid, v.id, exc)
            if self._built:
                self._render()
                self.saved.value = (f"<b style='color:#b00020'>NOT saved ({html.escape(v.label)}): "
                                    f"{html.escape(str(exc))}</b>")
            return False
        self.decisions[(uid, v.id)] = Decision(codes, memo, relation_target)
        if self._check_coded(self.index):
            self._coded.add(uid)
        self._pending_memo.pop(uid, None)
        log.debug("saved %s %s %s=%s", self.coder, uid, v.id, codes)
        if self._built:
            self.saved.value = f"<span style='color:#0b6e4f'>saved {html.escape(v.label)}</span>"
            self._show_position()
        return True

    def _on_single(self, v: Variable, change: Mapping[str, Any]) -> None:
        if self._loading or change["new"] is None:
            return
        uid = self.current["unit_id"]
        old = self.decisions.get((uid, v.id))
        target = old.relation_target if old else None
        if self._save(v, [change["new"]], target) and v is self.relation_variable:
            self._loading = True
            try:
                self._render_relation()
            finally:
                self._loading = False

    def _on_multi(self, v: Variable, change: Mapping[str, Any]) -> None:
        if self._loading:
            return
        boxes = self.controls[v.id]
        ticked = change["owner"]
        cid = next(k for k, cb in boxes.items() if cb is ticked)
        self._loading = True
        try:
            if change["new"]:
                # An exclusive code (e.g. "none") and the other codes rule each other out.
                exclusive = next(c.exclusive for c in v.codes if c.id == cid)
                for c in v.codes:
                    if c.id != cid and boxes[c.id].value and (exclusive or c.exclusive):
                        boxes[c.id].value = False
            elif not any(cb.value for cb in boxes.values()):
                # A multi-choice coding needs one code at least: keep the box ticked until another is.
                ticked.value = True
                self.saved.value = (f"<span style='color:#b35900'>{html.escape(v.label)} needs at least one "
                                    f"code: tick the right one first, then untick this</span>")
                return
        finally:
            self._loading = False
        self._save(v, [k for k, cb in boxes.items() if cb.value])

    def _on_relation(self, change: Mapping[str, Any]) -> None:
        if self._loading or change["new"] is None:
            return
        v = self.relation_variable
        d = self.decisions[(self.current["unit_id"], v.id)]
        self._save(v, d.codes, change["new"])
        self._refresh_relation_choices()

    def _on_memo(self, change: Mapping[str, Any]) -> None:
        if self._loading:
            return
        uid = self.current["unit_id"]
        coded = [v for v in self.variables_for(self.current) if (uid, v.id) in self.decisions]
        if not coded:
            # Nothing to attach the memo to yet: it goes with the first code given to this unit.
            self._pending_memo[uid] = change["new"]
            self.saved.value = "<i>memo kept; it is saved with the first code of this unit</i>"
            return
        for v in coded:
            d = self.decisions[(uid, v.id)]
            if d.memo != change["new"] and not self._save(v, d.codes, d.relation_target):
                break

    # ----------------------------------------------------------------- navigation

    def go_to(self, index: int | str) -> None:
        """Show unit ``index`` (a position or a unit id)."""
        if isinstance(index, str):
            if index not in self._by_id:
                raise KeyError(f"unit {index!r} is not among the {len(self.units)} units of this app")
            i = self._by_id[index]
        else:
            i = int(index)
        if not 0 <= i < len(self.units):
            raise IndexError(f"unit position {i} is outside 0..{len(self.units) - 1}")
        self.index = i
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
        self.sync()
        n = len(self.units)
        for step in range(1, n + 1):
            i = (self.index + step) % n
            if not self.is_coded(i):
                self.go_to(i)
                return True
        if self._built:
            self.saved.value = "<b>every unit is coded</b>"
        return False
