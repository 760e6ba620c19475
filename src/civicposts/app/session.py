"""A coder's session, with no widgets: position, decisions, the rules of a coding, saving.

:class:`CodingSession` holds everything the coding app knows and decides, as plain objects: the
units in coding order, the codebook's variables (:class:`civicposts.codebook.Variable`), this
coder's latest decisions, the position, memos not yet attached to a code, the exclusivity rule of
multi-choice variables and the relation (follow-up) candidates. Every change goes through the
coding store at once (append-only, atomic). The view (:mod:`civicposts.app.view`) only renders a
session and forwards the coder's clicks to it, so everything here is tested without widgets.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..codebook import Codebook, Variable
from ..errors import CivicpostsError, InputError
from .units import DEFAULT_TIMEZONE, normalise_units

log = logging.getLogger("civicposts.app")

#: The code (of the variable carrying the relation) of the posts a follow-up can answer.
COMPLAINT_CODE = "complaint"  # the complaint code when the codebook names none in its roles


@dataclasses.dataclass
class Decision:
    """The latest coding of one (unit, variable) by this session's coder."""

    codes: tuple[str, ...]
    memo: str = ""
    relation_target: str | None = None


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What became of a coder's action: saved or not, and what to tell the coder ("" for nothing)."""

    saved: bool
    message: str = ""
    codes: tuple[str, ...] = ()  # the variable's codes after the action (what the controls show)


# --------------------------------------------------------------------------- the store, as the session sees it

class StoreAdapter:
    """What a session needs from the coding store: this coder's decisions, new lines, appending one.

    Wraps :class:`civicposts.coding.CodingStore` (or anything with its ``append`` and
    ``decisions`` methods, and optionally ``read_since``), which validates every line against the
    codebook and appends it atomically to ``<directory>/<coder>.jsonl``.
    """

    def __init__(self, store: Any, coder: str):
        if not (callable(getattr(store, "append", None)) and callable(getattr(store, "decisions", None))):
            raise TypeError(f"cannot use {type(store).__name__} as a coding store: it needs append() and "
                            "decisions() like civicposts.coding.CodingStore")
        self.store = store
        self.coder = coder
        self._offset = 0  # bytes of the coder's file already taken in

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
        """Decisions from lines appended to the coder's file since the last look (by this session or
        another one of the same coder), in file order; {} when nothing was appended."""
        read_since = getattr(self.store, "read_since", None)
        if not callable(read_since):
            return {}
        records, self._offset = read_since(self.coder, self._offset)
        out: dict[tuple[str, str], Decision] = {}
        for rec in records:
            if rec.get("span") is not None:  # passages are the span editor's, not whole-unit decisions
                continue
            rel = rec["relation"]
            out[(rec["unit_id"], rec["variable"])] = Decision(tuple(sorted(rec["codes"])), rec["memo"],
                                                              rel["target"] if rel else None)
        return out

    def save(self, unit_id: str, unit_type: str, variable: str, codes: Sequence[str], memo: str,
             relation: dict[str, str] | None) -> None:
        """Append one coding line at once (the store validates it)."""
        self.store.append(self.coder, unit_id, unit_type, variable, list(codes), memo, relation)


def open_store(store: Any, codebook: Codebook, coder: str) -> StoreAdapter:
    """``store`` as a StoreAdapter: a StoreAdapter, a CodingStore, or a folder of coder files."""
    if isinstance(store, StoreAdapter):
        return store
    if isinstance(store, (str, Path)):
        from ..coding import CodingStore

        return StoreAdapter(CodingStore(store, codebook), coder)
    return StoreAdapter(store, coder)


def open_codebook(codebook: Codebook | str | Path) -> Codebook:
    """``codebook`` itself, or the codebook loaded from it when it is a path to the YAML file."""
    if isinstance(codebook, (str, Path)):
        from ..codebook import load_codebook

        return load_codebook(codebook)
    return codebook


# --------------------------------------------------------------------------- the session

class CodingSession:
    """``coder`` coding ``units`` with ``codebook``; every change goes to ``store`` at once.

    ``units``: a unit table of :mod:`civicposts.units` (posts and/or interview segments).
    ``codebook``: a :class:`civicposts.codebook.Codebook` or the path of its YAML file.
    ``store``: a :class:`civicposts.coding.CodingStore`, a StoreAdapter, or the folder of coder files.
    ``relation_pool``: more posts a follow-up may answer (e.g. every post of the corpus).
    ``start``: the position or unit id shown first.
    """

    def __init__(self, units: pd.DataFrame | Iterable[Mapping[str, Any]], codebook: Codebook | str | Path,
                 store: Any, coder: str, *, timezone: str = DEFAULT_TIMEZONE, start: int | str | None = None,
                 relation_pool: pd.DataFrame | Iterable[Mapping[str, Any]] | None = None):
        from ..coding import check_coder

        self.coder = check_coder(coder)
        self.units = normalise_units(units, timezone)
        self.codebook = open_codebook(codebook)
        self.variables: list[Variable] = list(self.codebook.variables.values())
        self.version = self.codebook.version
        self.store = open_store(store, self.codebook, coder)
        self.decisions: dict[tuple[str, str], Decision] = self.store.latest()
        self._by_id = {u["unit_id"]: i for i, u in enumerate(self.units)}
        self.vars_by_type: dict[str, list[Variable]] = {}
        for v in self.variables:
            self.vars_by_type.setdefault(v.unit_type, []).append(v)
        missing = sorted({u["unit_type"] for u in self.units} - set(self.vars_by_type))
        if missing:
            raise InputError("codebook", f"no variables for unit type(s) {', '.join(missing)}")
        # The relation (follows_up) hangs on the post variable whose code carries it in the codebook.
        self.relation_variable: Variable | None = next(
            (v for v in self.vars_by_type.get("post", []) if v.relation_codes), None)
        # Posts the relation picker searches: the session's posts, plus ``relation_pool`` (the complaint
        # a follow-up answers may be outside the sample).
        self.posts = {u["unit_id"]: u for u in self.units if u["unit_type"] == "post"}
        if relation_pool is not None:
            for u in normalise_units(relation_pool, timezone, source="relation_pool"):
                if u["unit_type"] == "post":
                    self.posts.setdefault(u["unit_id"], u)
        never = pd.Timestamp.min.tz_localize("UTC")
        self._posts_newest_first = sorted(self.posts.values(), key=lambda c: (c["local"] or never, c["unit_id"]),
                                          reverse=True)
        self._pending_memo: dict[str, str] = {}
        self._coded = {u["unit_id"] for i, u in enumerate(self.units) if self._check_coded(i)}
        self.index = 0
        if start is not None:
            self.go_to(start)

    # ----------------------------------------------------------------- state

    @property
    def current(self) -> dict[str, Any]:
        """The unit shown now."""
        return self.units[self.index]

    def variables_for(self, unit: Mapping[str, Any]) -> list[Variable]:
        """The codebook variables that apply to ``unit``."""
        return self.vars_by_type[unit["unit_type"]]

    def variable(self, variable_id: str) -> Variable:
        return self.codebook.variables[variable_id]

    def decision(self, variable_id: str, unit_id: str | None = None) -> Decision | None:
        """This coder's decision on ``variable_id`` for the current unit (or ``unit_id``)."""
        return self.decisions.get((unit_id or self.current["unit_id"], variable_id))

    def codes(self, variable_id: str) -> tuple[str, ...]:
        """The codes given to ``variable_id`` on the current unit (() when not coded)."""
        d = self.decision(variable_id)
        return d.codes if d else ()

    def _check_coded(self, i: int) -> bool:
        u = self.units[i]
        return all((d := self.decisions.get((u["unit_id"], v.id))) is not None and len(d.codes) > 0
                   for v in self.variables_for(u))

    def is_coded(self, i: int) -> bool:
        """Whether this coder has given every variable of unit ``i`` at least one code."""
        return self.units[i]["unit_id"] in self._coded

    def progress(self) -> tuple[int, int]:
        """(units fully coded, all units)."""
        return len(self._coded), len(self.units)

    def summary(self) -> str:
        """One line: coder and progress."""
        done, total = self.progress()
        return f"coder {self.coder}: {done} of {total} units coded"

    def sync(self) -> int:
        """Take in lines another session of this coder appended to the file; return how many changed."""
        changed = 0
        for key, d in self.store.changes().items():
            if self.decisions.get(key) != d:
                self.decisions[key] = d
                changed += 1
                i = self._by_id.get(key[0])
                if i is not None:
                    (self._coded.add if self._check_coded(i) else self._coded.discard)(key[0])
        return changed

    # ----------------------------------------------------------------- navigation

    def go_to(self, index: int | str) -> int:
        """Move to unit ``index`` (a position or a unit id); return the position."""
        if isinstance(index, str):
            if index not in self._by_id:
                raise KeyError(f"unit {index!r} is not among the {len(self.units)} units of this app")
            i = self._by_id[index]
        else:
            i = int(index)
        if not 0 <= i < len(self.units):
            raise IndexError(f"unit position {i} is outside 0..{len(self.units) - 1}")
        self.index = i
        return i

    def next(self) -> int:
        """Move to the next unit (stays on the last)."""
        return self.go_to(min(self.index + 1, len(self.units) - 1))

    def previous(self) -> int:
        """Move to the previous unit (stays on the first)."""
        return self.go_to(max(self.index - 1, 0))

    def next_uncoded(self) -> bool:
        """Move to the next unit not fully coded, searching forward and wrapping; False if all are coded."""
        self.sync()
        n = len(self.units)
        for step in range(1, n + 1):
            i = (self.index + step) % n
            if not self.is_coded(i):
                self.go_to(i)
                return True
        return False

    # ----------------------------------------------------------------- memos

    def memo_of(self, unit_id: str | None = None) -> str:
        """The memo of a unit (the current one by default): one not yet saved, else the latest saved."""
        uid = unit_id or self.current["unit_id"]
        if uid in self._pending_memo:
            return self._pending_memo[uid]
        memos = [d.memo for (u, _v), d in self.decisions.items() if u == uid and d.memo]
        return memos[-1] if memos else ""

    def set_memo(self, text: str) -> Outcome:
        """The coder's memo on the current unit: saved with each variable already coded, else kept
        and saved with the unit's first code."""
        uid = self.current["unit_id"]
        coded = [v for v in self.variables_for(self.current) if (uid, v.id) in self.decisions]
        self._pending_memo[uid] = text
        if not coded:
            return Outcome(False, "memo kept; it is saved with the first code of this unit")
        outcome = Outcome(True)
        for v in coded:
            d = self.decisions[(uid, v.id)]
            if d.memo != text:
                outcome = self.save(v.id, d.codes, d.relation_target, memo=text)
                if not outcome.saved:
                    return outcome
        self._pending_memo.pop(uid, None)
        return outcome

    # ----------------------------------------------------------------- coding

    def relation_type(self, codes: Iterable[str]) -> str | None:
        """The relation type the codes carry on the relation variable (None for none)."""
        rv = self.relation_variable
        if rv is None:
            return None
        return next((rv.relation_codes[c] for c in codes if c in rv.relation_codes), None)

    def is_followup(self, unit_id: str | None = None) -> bool:
        """Whether the unit is coded with a code that asks which complaint it follows up."""
        if self.relation_variable is None:
            return False
        d = self.decision(self.relation_variable.id, unit_id)
        return d is not None and self.relation_type(d.codes) is not None

    def save(self, variable_id: str, codes: Sequence[str], relation_target: str | None = None,
             memo: str | None = None) -> Outcome:
        """Append the coding of ``variable_id`` on the current unit at once, with ``memo`` (default:
        the unit's memo)."""
        u = self.current
        uid = u["unit_id"]
        v = self.variable(variable_id)
        codes = tuple(sorted(codes))
        rtype = self.relation_type(codes) if v is self.relation_variable else None
        if rtype is None:
            relation_target = None
        memo = self.memo_of(uid) if memo is None else memo
        relation = {"type": rtype, "target": relation_target} if relation_target else None
        try:
            self.store.save(uid, u["unit_type"], v.id, list(codes), memo, relation)
        except (CivicpostsError, OSError, ValueError) as exc:
            log.error("coding of %s %s NOT saved: %s", uid, v.id, exc)
            return Outcome(False, f"NOT saved ({v.label}): {exc}", self.codes(v.id))
        self.decisions[(uid, v.id)] = Decision(codes, memo, relation_target)
        if self._check_coded(self.index):
            self._coded.add(uid)
        self._pending_memo.pop(uid, None)
        log.debug("saved %s %s %s=%s", self.coder, uid, v.id, codes)
        return Outcome(True, f"saved {v.label}", codes)

    def choose(self, variable_id: str, code: str) -> Outcome:
        """The one code of a single-choice variable (a follow-up keeps the complaint it answers)."""
        old = self.decision(variable_id)
        return self.save(variable_id, [code], old.relation_target if old else None)

    def toggle(self, variable_id: str, code: str, on: bool) -> Outcome:
        """Tick or untick a code of a multi-choice variable, by its rules: an exclusive code (e.g.
        "none") and the other codes rule each other out, and at least one code stays ticked."""
        v = self.variable(variable_id)
        current = set(self.codes(variable_id))
        if on:
            exclusive = v.code(code).exclusive
            new = {code} | {c for c in current if not (exclusive or v.code(c).exclusive)}
        else:
            new = current - {code}
            if not new:
                return Outcome(False, f"{v.label} needs at least one code: tick the right one first, "
                                      "then untick this", tuple(sorted(current)))
        return self.save(variable_id, [c for c in v.code_ids() if c in new])

    def set_relation(self, target: str) -> Outcome:
        """The earlier complaint the current follow-up post answers."""
        v = self.relation_variable
        if v is None:
            return Outcome(False, "the codebook has no follow-up relation")
        d = self.decisions[(self.current["unit_id"], v.id)]
        return self.save(v.id, d.codes, target)

    def relation_target(self) -> str | None:
        """The complaint the current unit is linked to (None for none)."""
        d = self.decision(self.relation_variable.id) if self.relation_variable else None
        return d.relation_target if d else None

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
                if d is None or (self.codebook.roles.complaint or COMPLAINT_CODE) not in d.codes:
                    continue
            if any(not c["local_str"].startswith(t) for t in dates):
                continue
            if any(t not in c["search"] for t in terms):
                continue
            out.append(c["unit_id"])
        return out
