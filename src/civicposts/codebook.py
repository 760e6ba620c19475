"""The codebook: variables and codes for posts and interview segments, read from a versioned YAML file.

The file (``data/raw/coding/codebook.yaml``) has top-level ``version``, ``title`` and
``variables``. Each variable has ``id``, ``unit_type`` (``post`` | ``comment`` | ``interview``), ``kind``
(``single`` | ``multi``), labels, a description and ``codes``; each code has ``id``,
``label_id`` (Indonesian), ``label_en``, ``definition``, ``use_when``, ``not_when``, ``example``
and optionally ``parent`` (a code of the same variable), ``exclusive`` (may not be combined
with other codes) and ``relation`` (the relation type a coding with this code may carry).

An optional top-level ``roles`` mapping says which variable and code play which part in the
findings (see :class:`Roles`), so the figures and tables never assume the kit's own codebook:
``post_kind`` (the single-choice post variable saying what a post is), ``complaint`` (its code for a
citizen's complaint), ``theme`` (the post variable whose codes are the themes) and
``interview_theme``. Left out, a role is derived where the codebook makes it unambiguous, else
it is empty and the findings that need it say so.

``load_codebook`` validates the file and raises :class:`~civicposts.errors.InputError` naming the
file, the variable/code and the problem. ``Codebook.check`` validates one coding and
``Codebook.validate_codings`` a whole history or decisions table.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from . import schema
from .errors import InputError

log = logging.getLogger(__name__)

DEFAULT_PATH = Path("data/raw/coding/codebook.yaml")
UNIT_TYPES = schema.UNIT_TYPES
KINDS = ("single", "multi")
RELATION_TYPES = ("follows_up",)
CODE_TEXT_FIELDS = ("label_id", "label_en", "definition", "use_when", "not_when", "example")
VARIABLE_TEXT_FIELDS = ("label_id", "label_en", "description")
TABLE_COLUMNS = ["variable", "code", "label_id", "label_en", "definition", "use_when", "not_when",
                 "example"]


def _one_line(text: str | None) -> str:
    return " ".join(str(text or "").split())


def _both(en: str, ind: str, fallback: str) -> str:
    en, ind = _one_line(en), _one_line(ind)
    if en and ind and en != ind:
        return f"{en} / {ind}"
    return en or ind or fallback


@dataclass(frozen=True)
class Code:
    """One code of a variable."""

    id: str
    label_id: str
    label_en: str
    definition: str
    use_when: str
    not_when: str
    example: str
    parent: str | None = None
    exclusive: bool = False
    relation: str | None = None
    guid: str | None = None    # its REFI-QDA GUID when it came from another tool (else derived from the ids)
    color: str | None = None   # "#RRGGBB", kept from another tool's codebook

    @property
    def label(self) -> str:
        """The label shown to coders: English and Indonesian ("Complaint / Keluhan"), or the one there is."""
        return _both(self.label_en, self.label_id, self.id)

    @property
    def hint(self) -> str:
        """When to use and when not to use the code, as one line (shown on hover)."""
        return " ".join(f"{name}: {_one_line(text)}." for text, name in
                        ((self.use_when, "Use when"), (self.not_when, "Not when")) if _one_line(text))


@dataclass(frozen=True)
class Variable:
    """One coding variable: which units it applies to, single or multi choice, and its codes."""

    id: str
    unit_type: str
    kind: str
    label_id: str
    label_en: str
    description: str
    codes: tuple[Code, ...]
    guid: str | None = None            # REFI-QDA GUID of the category, kept from another tool
    color: str | None = None
    codable_category: bool = False     # the other tool let coders code the category itself
    ungrouped: bool = False            # its codes stood at the top level of the other tool's codebook

    @property
    def label(self) -> str:
        """The label shown to coders (see :attr:`Code.label`)."""
        return _both(self.label_en, self.label_id, self.id)

    @property
    def multiple(self) -> bool:
        """Whether a coder may choose several codes."""
        return self.kind == "multi"

    @property
    def relation_codes(self) -> dict[str, str]:
        """``{code id: relation type}`` for the codes that carry a relation (e.g. official_followup)."""
        return {c.id: c.relation for c in self.codes if c.relation}

    def code_ids(self) -> list[str]:
        """Code ids in codebook order."""
        return [c.id for c in self.codes]

    def code(self, code_id: str) -> Code:
        """The code with id ``code_id`` (KeyError if absent)."""
        for c in self.codes:
            if c.id == code_id:
                return c
        raise KeyError(code_id)


ROLE_NAMES = ("post_kind", "complaint", "theme", "interview_theme")


@dataclass(frozen=True)
class Roles:
    """Which variable or code plays which part in the findings (None: the codebook has none)."""

    post_kind: str | None = None        # single-choice post variable saying what a post is (Table 8, Figures 2-3)
    complaint: str | None = None        # post_kind's code for a citizen's complaint (Figure 2)
    followup: str | None = None         # post_kind's code carrying the follows_up relation (Figure 3; derived)
    theme: str | None = None            # post variable whose codes are the themes (Table 10, Figures 2-3)
    interview_theme: str | None = None  # interview variable whose codes are the themes (Table 11)


@dataclass(frozen=True)
class Codebook:
    """A validated codebook. Build it with :func:`load_codebook`."""

    path: str
    version: str
    title: str
    variables: dict[str, Variable] = field(default_factory=dict)
    roles: Roles = field(default_factory=Roles)

    # -- helpers for reliability, reports and the coding app -------------------------------

    def _of(self, unit_type: str | None) -> list[Variable]:
        keep = None if unit_type is None else set(self.variables_for(unit_type))
        return [v for v in self.variables.values() if keep is None or v.id in keep]

    def kinds(self, unit_type: str | None = None) -> dict[str, str]:
        """``{variable: "single" | "multi"}`` in codebook order (only ``unit_type``'s variables if given)."""
        return {v.id: v.kind for v in self._of(unit_type)}

    def codes(self, unit_type: str | None = None) -> dict[str, list[str]]:
        """``{variable: [code, ...]}`` in codebook order (only ``unit_type``'s variables if given)."""
        return {v.id: v.code_ids() for v in self._of(unit_type)}

    def definitions(self) -> dict[tuple[str, str], str]:
        """``{(variable, code): definition}``."""
        return {(v.id, c.id): c.definition for v in self.variables.values() for c in v.codes}

    def labels(self, lang: str = "en") -> dict[tuple[str, str], str]:
        """``{(variable, code): label}`` in English (``lang="en"``) or Indonesian (``"id"``)."""
        attr = "label_en" if lang == "en" else "label_id"
        return {(v.id, c.id): getattr(c, attr) for v in self.variables.values() for c in v.codes}

    def parents(self) -> dict[tuple[str, str], str | None]:
        """``{(variable, code): parent code or None}`` (the optional hierarchy)."""
        return {(v.id, c.id): c.parent for v in self.variables.values() for c in v.codes}

    def variables_for(self, unit_type: str) -> list[str]:
        """Ids of the variables that apply to ``unit_type`` ("post", "comment" or "interview"), in codebook order."""
        if unit_type not in UNIT_TYPES:
            raise ValueError(f"unknown unit type {unit_type!r}; expected one of {', '.join(UNIT_TYPES)}")
        return [v.id for v in self.variables.values() if v.unit_type == unit_type]

    def variable(self, variable_id: str) -> Variable:
        """The variable ``variable_id``; InputError naming the codebook file if absent."""
        try:
            return self.variables[variable_id]
        except KeyError:
            raise InputError(self.path, f"variable {variable_id!r} is not in the codebook (version "
                             f"{self.version}); known variables: {', '.join(self.variables)}") from None

    def table(self) -> pd.DataFrame:
        """One row per (variable, code) for the report: variable, code, label_id, label_en,
        definition, use_when, not_when, example."""
        rows = [
            {"variable": v.id, "code": c.id, **{f: getattr(c, f) for f in CODE_TEXT_FIELDS}}
            for v in self.variables.values() for c in v.codes
        ]
        return pd.DataFrame(rows, columns=TABLE_COLUMNS)

    def to_qdc(self) -> bytes:
        """The codebook as a REFI-QDA codebook (``.qdc``) for QualCoder, ATLAS.ti, MAXQDA or NVivo,
        valid against the official schema; see :mod:`civicposts.refi.codebook` for the mapping."""
        from .refi.codebook import to_qdc

        return to_qdc(self)

    # -- validating codings -----------------------------------------------------------------

    def check(self, variable: str, codes: Iterable[str], *, unit_type: str | None = None,
              relation: dict[str, Any] | None = None, where: str | None = None,
              record: str | int | None = None) -> tuple[str, ...]:
        """Validate one coding and return its codes as a sorted tuple.

        Raises InputError for an unknown variable or code (naming the codebook file), a variable
        that does not apply to ``unit_type``, a single-choice variable without exactly one code, an
        empty multi-choice coding, an exclusive code combined with others, or a relation that no
        chosen code allows. ``where``/``record`` name the coding's source (default: the codebook).
        """
        path = where or self.path
        if isinstance(codes, str):
            codes = [codes]
        codes = list(codes)
        if variable not in self.variables:
            raise InputError(path, f"variable {variable!r} is not in codebook {self.path} (version "
                             f"{self.version}); known variables: {', '.join(self.variables)}", record)
        var = self.variables[variable]
        if unit_type is not None and unit_type != var.unit_type:
            raise InputError(path, f"variable {variable!r} applies to {var.unit_type} units, not "
                             f"{unit_type!r} units (codebook {self.path})", record)
        for c in codes:
            if not isinstance(c, str):
                raise InputError(path, f"variable {variable!r}: code {c!r} is not a string", record)
        known = set(var.code_ids())
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise InputError(path, f"code {unknown[0]!r} is not a code of variable {variable!r} in "
                             f"codebook {self.path} (version {self.version}); allowed: "
                             f"{', '.join(var.code_ids())}", record)
        if len(set(codes)) != len(codes):
            raise InputError(path, f"variable {variable!r}: code listed twice in {codes}", record)
        if var.kind == "single" and len(codes) != 1:
            raise InputError(path, f"variable {variable!r} is single-choice and takes exactly one code, "
                             f"got {len(codes)}: {codes}", record)
        if var.kind == "multi" and not codes:
            raise InputError(path, f"variable {variable!r} is multi-choice and needs at least one code", record)
        if len(codes) > 1:
            excl = [c for c in codes if var.code(c).exclusive]
            if excl:
                raise InputError(path, f"variable {variable!r}: code {excl[0]!r} is exclusive and cannot be "
                                 f"combined with {sorted(set(codes) - {excl[0]})}", record)
        if relation is not None:
            if not isinstance(relation, dict) or set(relation) != {"type", "target"}:
                raise InputError(path, f"relation must be null or {{\"type\": ..., \"target\": ...}}, got "
                                 f"{relation!r}", record)
            rtype, target = relation["type"], relation["target"]
            if not isinstance(target, str) or not target.strip():
                raise InputError(path, f"relation target must be a non-empty post id, got {target!r}", record)
            allowed = {var.code(c).relation for c in codes} - {None}
            if rtype not in allowed:
                raise InputError(path, f"relation {rtype!r} is not allowed on variable {variable!r} with codes "
                                 f"{codes}; codes allowing a relation: "
                                 f"{[f'{c.id} ({c.relation})' for c in var.codes if c.relation] or 'none'} "
                                 f"(codebook {self.path})", record)
        return tuple(sorted(codes))

    def validate_codings(self, decisions: pd.DataFrame) -> None:
        """Check every row of a history or decisions table against this codebook.

        Raises InputError on the first bad row, naming the coder file and line (columns
        ``source_file``/``line`` when present, else the coder), the code and the codebook path;
        the message also counts the other bad rows.
        """
        n = len(decisions)
        if n == 0:
            return
        if "codebook_version" in decisions.columns:
            other = decisions.loc[decisions["codebook_version"] != self.version, "codebook_version"]
            if len(other):
                log.warning("%d coding(s) were made under other codebook version(s) %s than %s (%s)", len(other),
                            sorted(set(other)), self.version, self.path)
        has_src = "source_file" in decisions.columns and "line" in decisions.columns
        targets = decisions["relation_target"].tolist() if "relation_target" in decisions.columns else [None] * n
        rtypes = (decisions["relation_type"].tolist() if "relation_type" in decisions.columns
                  else ["follows_up"] * n)
        # Check each distinct (variable, codes, unit_type, relation) once: a history has few of them.
        verdict: dict[tuple, InputError | None] = {}
        bad_rows: list[tuple[int, tuple]] = []
        for i, (var, codes, utype, target, rtype) in enumerate(zip(
                decisions["variable"].tolist(), decisions["codes"].tolist(), decisions["unit_type"].tolist(),
                targets, rtypes, strict=True)):
            has_rel = not (target is None or (isinstance(target, float) and pd.isna(target)))
            if not has_rel:
                rkey = None
            elif isinstance(target, str) and target.strip():
                rkey = (rtype, True)
            else:
                rkey = (rtype, repr(target))
            codes_t = (codes,) if isinstance(codes, str) else tuple(codes)
            k = (var, codes_t, utype, rkey)
            if k not in verdict:
                relation = {"type": rtype, "target": target} if has_rel else None
                try:
                    self.check(var, codes_t, unit_type=utype, relation=relation)
                    verdict[k] = None
                except InputError as exc:
                    verdict[k] = exc
            if verdict[k] is not None:
                bad_rows.append((i, k))
        if bad_rows:
            i, k = bad_rows[0]
            row = decisions.iloc[i]
            where = row["source_file"] if has_src else f"coder {row['coder']!r}"
            record = f"line {row['line']}" if has_src else i
            more = f" (and {len(bad_rows) - 1} more bad coding(s))" if len(bad_rows) > 1 else ""
            raise InputError(where, verdict[k].problem + more, record)


def _text(path: Path, data: dict[str, Any], key: str, where: str) -> str:
    from .refi.xmltext import check_text

    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InputError(path, f"{where}: missing or empty {key!r}")
    # refused here, not at export: the codebook travels to other tools as XML (REFI-QDA)
    return check_text(" ".join(value.split()), path, f"{where}: {key!r}")


def _refi_fields(path: Path, raw: dict[str, Any], where: str) -> dict[str, Any]:
    """The optional ``guid`` and ``color`` a codebook imported from another tool keeps."""
    from .refi.xmltext import COLOR_RE, GUID_RE

    out: dict[str, Any] = {}
    for key, pattern, want in (("guid", GUID_RE, "a GUID like 0a1b2c3d-0000-4000-8000-00000000abcd"),
                               ("color", COLOR_RE, "a colour like #3366CC")):
        value = raw.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not pattern.match(value):
            raise InputError(path, f"{where}: {key} must be {want}, got {value!r}")
        out[key] = value
    return out


def _flag(path: Path, raw: dict[str, Any], key: str, where: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise InputError(path, f"{where}: {key} must be true or false, got {value!r}")
    return value


def _entry_id(path: Path, raw: Any, where: str, what: str) -> str:
    """The id of a codebook entry (a variable or a code), which must be a mapping with an ``id``."""
    if not isinstance(raw, dict):
        raise InputError(path, f"{where}: expected a mapping, got {raw!r}")
    entry_id = raw.get("id")
    if not isinstance(entry_id, str) or not entry_id.strip():
        raise InputError(path, f"{where}: missing {what} id")
    return entry_id


def _parse_code(path: Path, var_id: str, raw: Any, index: int) -> Code:
    cid = _entry_id(path, raw, f"variable {var_id!r}, code #{index + 1}", "code")
    where = f"variable {var_id!r}, code {cid!r}"
    known = set(CODE_TEXT_FIELDS) | {"id", "parent", "exclusive", "relation", "guid", "color"}
    extra = sorted(set(raw) - known)
    if extra:
        raise InputError(path, f"{where}: unknown field(s) {', '.join(extra)}; allowed: {', '.join(sorted(known))}")
    texts = {f: _text(path, raw, f, where) for f in CODE_TEXT_FIELDS}
    parent = raw.get("parent")
    if parent is not None and not isinstance(parent, str):
        raise InputError(path, f"{where}: parent must be a code id, got {parent!r}")
    exclusive = raw.get("exclusive", False)
    if not isinstance(exclusive, bool):
        raise InputError(path, f"{where}: exclusive must be true or false, got {exclusive!r}")
    relation = raw.get("relation")
    if relation is not None and relation not in RELATION_TYPES:
        raise InputError(path, f"{where}: unknown relation type {relation!r}; known: {', '.join(RELATION_TYPES)}")
    return Code(id=cid, parent=parent, exclusive=exclusive, relation=relation, **texts,
                **_refi_fields(path, raw, where))


def _parse_variable(path: Path, raw: Any, index: int) -> Variable:
    vid = _entry_id(path, raw, f"variable #{index + 1}", "variable")
    where = f"variable {vid!r}"
    known = set(VARIABLE_TEXT_FIELDS) | {"id", "unit_type", "kind", "codes", "guid", "color", "codable_category",
                                         "ungrouped"}
    extra = sorted(set(raw) - known)
    if extra:
        raise InputError(path, f"{where}: unknown field(s) {', '.join(extra)}; allowed: {', '.join(sorted(known))}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise InputError(path, f"{where}: unknown variable kind {kind!r}; expected one of {', '.join(KINDS)}")
    unit_type = raw.get("unit_type")
    if unit_type not in UNIT_TYPES:
        raise InputError(path, f"{where}: unknown unit_type {unit_type!r}; expected one of {', '.join(UNIT_TYPES)}")
    texts = {f: _text(path, raw, f, where) for f in VARIABLE_TEXT_FIELDS}
    raw_codes = raw.get("codes")
    if not isinstance(raw_codes, list) or not raw_codes:
        raise InputError(path, f"{where}: 'codes' must be a non-empty list")
    codes = [_parse_code(path, vid, c, i) for i, c in enumerate(raw_codes)]
    seen: set[str] = set()
    for c in codes:
        if c.id in seen:
            raise InputError(path, f"{where}: duplicate code id {c.id!r}")
        seen.add(c.id)
    for c in codes:
        if c.parent is not None:
            if c.parent not in seen:
                raise InputError(path, f"{where}, code {c.id!r}: unknown parent {c.parent!r} (not a code of "
                                 f"this variable)")
            if c.parent == c.id:
                raise InputError(path, f"{where}, code {c.id!r}: a code cannot be its own parent")
    parents = {c.id: c.parent for c in codes}
    for c in codes:  # the hierarchy must be a tree
        chain, cur = [c.id], c.parent
        while cur is not None:
            if cur in chain:
                raise InputError(path, f"{where}, code {c.id!r}: parent cycle {' -> '.join(chain + [cur])}")
            chain.append(cur)
            cur = parents[cur]
    if kind == "single" and any(c.exclusive for c in codes):
        log.debug("%s: 'exclusive' has no effect on single-choice variable %s", path, vid)
    return Variable(id=vid, unit_type=unit_type, kind=kind, codes=tuple(codes), **texts,
                    **_refi_fields(path, raw, where), codable_category=_flag(path, raw, "codable_category", where),
                    ungrouped=_flag(path, raw, "ungrouped", where))


def load_codebook(path: str | Path = DEFAULT_PATH) -> Codebook:
    """Read and validate a codebook YAML file.

    Raises InputError naming the file and the offending variable/code for: unreadable YAML,
    missing version/title/variables, duplicate variable or code ids, missing definitions or
    other text fields, unknown parents or parent cycles, unknown variable kinds or unit types.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, "codebook file not found") from None
    except yaml.YAMLError as exc:
        raise InputError(path, f"not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise InputError(path, "expected a mapping with keys version, title, variables")
    extra = sorted(set(data) - {"version", "title", "variables", "roles"})
    if extra:
        raise InputError(path, f"unknown top-level key(s) {', '.join(extra)}; allowed: version, title, variables, roles")
    version = data.get("version")
    if version is None or not str(version).strip():
        raise InputError(path, "missing top-level 'version'")
    if isinstance(version, float):
        raise InputError(path, f"'version' must be quoted (YAML read it as the number {version!r})")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise InputError(path, "missing top-level 'title'")
    raw_vars = data.get("variables")
    if not isinstance(raw_vars, list) or not raw_vars:
        raise InputError(path, "'variables' must be a non-empty list")
    variables: dict[str, Variable] = {}
    for i, raw in enumerate(raw_vars):
        var = _parse_variable(path, raw, i)
        if var.id in variables:
            raise InputError(path, f"duplicate variable id {var.id!r}")
        variables[var.id] = var
    roles = _roles(path, data.get("roles"), variables)
    book = Codebook(path=str(path), version=str(version), title=" ".join(title.split()), variables=variables,
                    roles=roles)
    log.info("codebook %s version %s: %d variables, %d codes", path, book.version, len(variables),
             sum(len(v.codes) for v in variables.values()))
    return book


def _roles(path: Path, raw: Any, variables: dict[str, Variable]) -> Roles:
    """The codebook's ``roles``, checked against its variables, with unambiguous defaults filled in."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InputError(path, f"'roles' must be a mapping of {', '.join(ROLE_NAMES)}, got {raw!r}")
    extra = sorted(set(raw) - set(ROLE_NAMES))
    if extra:
        raise InputError(path, f"roles: unknown role(s) {', '.join(extra)}; known: {', '.join(ROLE_NAMES)}")

    def var_of(role: str, unit_type: str, kind: str | None) -> str | None:
        vid = raw.get(role)
        if vid is None:
            return None
        var = variables.get(vid)
        if var is None:
            raise InputError(path, f"roles: {role} names {vid!r}, which is not a variable of the codebook")
        if var.unit_type != unit_type or (kind and var.kind != kind):
            raise InputError(path, f"roles: {role} must be a {kind + '-choice ' if kind else ''}{unit_type} "
                             f"variable; {vid!r} is a {var.kind}-choice {var.unit_type} variable")
        return vid

    def only(unit_type: str, pred: Any) -> str | None:
        found = [v.id for v in variables.values() if v.unit_type == unit_type and pred(v)]
        return found[0] if len(found) == 1 else None

    # Defaults only where the codebook leaves no doubt: the one post variable carrying a relation
    # code, the one multi-choice post variable, the one interview variable.
    post_kind = var_of("post_kind", "post", "single") or only("post", lambda v: v.kind == "single" and v.relation_codes)
    complaint = raw.get("complaint")
    if complaint is not None:
        if post_kind is None or complaint not in variables[post_kind].code_ids():
            raise InputError(path, f"roles: complaint {complaint!r} is not a code of the post_kind variable "
                             f"{post_kind!r}")
    followup = None
    if post_kind is not None:
        followup = next(iter(variables[post_kind].relation_codes), None)
    theme = var_of("theme", "post", None) or only("post", lambda v: v.kind == "multi")
    interview_theme = var_of("interview_theme", "interview", None) or only("interview", lambda v: True)
    return Roles(post_kind=post_kind, complaint=complaint, followup=followup, theme=theme,
                 interview_theme=interview_theme)
