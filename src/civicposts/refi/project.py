"""A study's coding as a REFI-QDA project (``.qdpx``), and a project's codings back as coder files.

**Export** (:func:`project_bytes`). The ``.qdpx`` is a zip holding ``project.qde`` (valid against
the official Project schema) and one ``Sources/<guid>.txt`` per unit, referenced as
``plainTextPath="internal://<guid>.txt"`` (QualCoder reads source texts only from such files):

* every coder is a ``User`` (GUID from the coder's name);
* every unit is a ``TextSource`` named by its unit id, holding the text the coders read;
* a coder's whole-unit decision is a ``PlainTextSelection`` over the whole text, named
  ``whole unit``, with one ``Coding`` per code (REFI has one code per Coding; a unit with no
  text gets an empty selection, so the coder stays on it); a span is a
  selection at its offsets named by its passage; offsets count Unicode characters from 0,
  ``endPosition`` exclusive (QualCoder's reading: its selected text is ``text[start:end]``);
  a unit with no text carries its whole-unit codings on the ``TextSource`` itself;
* a decision's memo is a ``Note`` (referenced from its selection), a follow-up relation a
  ``Link`` from the unit's source to the target's, named ``follows_up by <coder>``;
* every unit is also a ``Case`` whose ``VariableValue``\\ s carry its metadata (account, time,
  likes, speaker, ...), typed as the columns are;
* the codebook is embedded (:mod:`civicposts.refi.codebook`);
* GUIDs are uuid5 of the ids, timestamps the coders' own, zip members dated from
  ``SOURCE_DATE_EPOCH``: the same study gives the same bytes.

**Import** (:func:`read_project`, :func:`import_records`). Codes are matched to the study's
codebook by GUID, else by name (English label or id, within the category named as the variable
when names repeat); sources to units by name, else by identical text. Whatever cannot be matched
(an unknown code, a source not in the study, a selection whose text does not match, a
single-choice variable given two codes) is listed in the import report with the reason, never
dropped silently. Selections named ``whole unit`` or covering a whole text become whole-unit
decisions, the others spans. A file whose ``endPosition`` turns out inclusive (its selections'
names read ``text[start:end + 1]``) is read that way, and the report says so.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import coding as coding_mod
from ..codebook import Codebook
from ..errors import InputError
from ..iorw import source_date_epoch
from ..units import unit_texts
from . import codebook as refi_codebook
from . import xmltext
from .xmltext import attr, guid, text

log = logging.getLogger(__name__)

WHOLE_UNIT = "whole unit"
NS = xmltext.NS["project"]
# Columns that are not metadata of a unit: its text, its pictures, its id.
_NOT_VARIABLES = {"unit_id", "caption", "text", "display_text", "post_caption", "media_files", "order"}
LINK_RE = re.compile(r"^(?P<type>[a-z_]+) by (?P<coder>\S+)$")


def _iso(ts: Any) -> str:
    return pd.Timestamp(ts).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------

def _variable_kind(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "Boolean"
    if pd.api.types.is_integer_dtype(series):
        return "Integer"
    if pd.api.types.is_float_dtype(series):
        return "Float"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "DateTime"
    return "Text"


def _value_xml(kind: str, value: Any) -> str | None:
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return None
    if kind == "Boolean":
        return f"<BooleanValue>{'true' if value else 'false'}</BooleanValue>"
    if kind == "Integer":
        return f"<IntegerValue>{int(value)}</IntegerValue>"
    if kind == "Float":
        return f"<FloatValue>{float(value)!r}</FloatValue>" if math.isfinite(float(value)) else None
    if kind == "DateTime":
        return f"<DateTimeValue>{_iso(value)}</DateTimeValue>"
    clean, _ = xmltext.clean_text(str(value))
    return f"<TextValue>{text(clean)}</TextValue>" if clean else None


@dataclass
class ExportCounts:
    """What an export wrote (for the log and the notebook)."""

    sources: int = 0
    users: int = 0
    whole_unit: int = 0
    spans: int = 0
    notes: int = 0
    links: int = 0
    replaced_characters: int = 0
    orphans: list[str] = field(default_factory=list)


def project_bytes(book: Codebook, units: pd.DataFrame, history: pd.DataFrame, *, name: str,
                  description: str = "", origin: str = "civicposts") -> tuple[bytes, ExportCounts]:
    """The ``.qdpx`` bytes of ``units`` (a unit table, any unit types) with the coding in ``history``
    (coder lines, :func:`civicposts.coding.load_history`). Decisions and spans on units not in
    ``units`` are counted in the result's ``orphans``, not written."""
    counts = ExportCounts()
    units = units.drop_duplicates("unit_id").sort_values("unit_id", kind="mergesort").reset_index(drop=True)
    texts = unit_texts(units)
    for uid in list(texts):
        texts[uid], n = xmltext.clean_text(texts[uid])
        counts.replaced_characters += n
    decisions = coding_mod.latest(history)
    spans = coding_mod.span_decisions(history)
    known = set(texts)
    for frame, what in ((decisions, "decision"), (spans, "span")):
        bad = frame.loc[~frame["unit_id"].isin(known)]
        counts.orphans += [f"{what} of {r.coder} on {r.unit_id} ({r.variable})" for r in bad.itertuples()]
    decisions = decisions.loc[decisions["unit_id"].isin(known)]
    spans = spans.loc[spans["unit_id"].isin(known)]
    # spans whose passage no longer matches the text are orphans too: never written at shifted offsets
    stale = coding_mod.span_orphans(spans, texts)
    if len(stale):
        counts.orphans += [f"span of {r.coder} on {r.unit_id} [{r.start}, {r.end}): {r.problem}"
                           for r in stale.itertuples()]
        stale_keys = set(zip(stale["coder"], stale["unit_id"], stale["variable"], stale["start"], stale["end"],
                             strict=True))
        keep = [k not in stale_keys for k in zip(spans["coder"], spans["unit_id"], spans["variable"],
                                                 spans["start"], spans["end"], strict=True)]
        spans = spans.loc[keep]

    coders = sorted(set(decisions["coder"]) | set(spans["coder"]))
    users = {c: guid("user", c) for c in coders}
    code_guids = {(v.id, c.id): refi_codebook.code_guid(v, c) for v in book.variables.values() for c in v.codes}
    source_guid = {uid: guid("source", uid) for uid in texts}
    notes: list[str] = []
    links: list[str] = []
    by_unit: dict[str, list[str]] = {uid: [] for uid in texts}

    def note(key: tuple, coder: str, memo: str, when: str) -> str:
        g = guid("note", *map(str, key))
        clean, n = xmltext.clean_text(memo)
        counts.replaced_characters += n
        notes.append(f'    <Note guid="{g}" name={attr("memo by " + coder)} creatingUser="{users[coder]}" '
                     f'creationDateTime="{when}">\n      <PlainTextContent>{text(clean)}</PlainTextContent>\n'
                     "    </Note>")
        counts.notes += 1
        return g

    def codings(key: tuple, codes: Sequence[str], variable: str, when: str, pad: str) -> list[str]:
        return [f'{pad}<Coding guid="{guid("coding", *map(str, key), c)}" creationDateTime="{when}">'
                f'<CodeRef targetGUID="{code_guids[(variable, c)]}"/></Coding>' for c in codes]

    for r in decisions.itertuples(index=False):
        when = _iso(r.timestamp)
        key = ("whole", r.coder, r.unit_id, r.variable)
        n_ref = note(key, r.coder, r.memo, when) if r.memo else None
        # a unit with no text (a picture-only post) gets an empty selection: REFI puts the coder on a
        # selection, never on a Coding, so the whole-unit decision keeps its coder
        length = len(texts[r.unit_id])
        by_unit[r.unit_id].extend([
            f'      <PlainTextSelection guid="{guid("selection", *key)}" name="{WHOLE_UNIT}" '
            f'startPosition="0" endPosition="{length}" creatingUser="{users[r.coder]}" creationDateTime="{when}">',
            *codings(key, r.codes, r.variable, when, "        "),
            *([f'        <NoteRef targetGUID="{n_ref}"/>'] if n_ref else []),
            "      </PlainTextSelection>"])
        if r.relation_target is not None and not pd.isna(r.relation_target) and r.relation_target in source_guid:
            links.append(f'    <Link guid="{guid("link", *key)}" name={attr(f"{r.relation_type} by {r.coder}")} '
                         f'direction="OneWay" originGUID="{source_guid[r.unit_id]}" '
                         f'targetGUID="{source_guid[r.relation_target]}"/>')
            counts.links += 1
        elif r.relation_target is not None and not pd.isna(r.relation_target):
            counts.orphans.append(f"relation of {r.coder} from {r.unit_id} to {r.relation_target}: target not "
                                  "among the exported units")
        counts.whole_unit += 1

    for r in spans.itertuples(index=False):
        when = _iso(r.timestamp)
        key = ("span", r.coder, r.unit_id, r.variable, r.start, r.end)
        n_ref = note(key, r.coder, r.memo, when) if r.memo else None
        passage = texts[r.unit_id][r.start:r.end]
        by_unit[r.unit_id].extend([
            f'      <PlainTextSelection guid="{guid("selection", *map(str, key))}" name={attr(passage)} '
            f'startPosition="{r.start}" endPosition="{r.end}" creatingUser="{users[r.coder]}" '
            f'creationDateTime="{when}">',
            *codings(key, r.codes, r.variable, when, "        "),
            *([f'        <NoteRef targetGUID="{n_ref}"/>'] if n_ref else []),
            "      </PlainTextSelection>"])
        counts.spans += 1

    var_cols = [c for c in units.columns if c not in _NOT_VARIABLES]
    var_kinds = {c: _variable_kind(units[c]) for c in var_cols}
    var_guid = {c: guid("variable", c) for c in var_cols}
    files: dict[str, bytes] = {}
    src_lines, case_lines = [], []
    for row in units.itertuples(index=False):
        uid = str(row.unit_id)
        g = source_guid[uid]
        files[f"Sources/{g}.txt"] = texts[uid].encode("utf-8")
        src_lines += [f'    <TextSource guid="{g}" name={attr(uid)} plainTextPath="internal://{g}.txt">',
                      *by_unit[uid], "    </TextSource>"]
        values = []
        for c in var_cols:
            v = _value_xml(var_kinds[c], getattr(row, c))
            if v is not None:
                values.append(f'      <VariableValue><VariableRef targetGUID="{var_guid[c]}"/>{v}</VariableValue>')
        case_lines += [f'    <Case guid="{guid("case", uid)}" name={attr(uid)}>', *values,
                       f'      <SourceRef targetGUID="{g}"/>', "    </Case>"]
    counts.sources, counts.users = len(units), len(users)

    when = dt.datetime.fromtimestamp(source_date_epoch(), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    clean_desc, _ = xmltext.clean_text(description)
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           f'<Project xmlns="{NS}" name={attr(name)} origin={attr(origin)} creationDateTime="{when}">']
    if users:
        out += ["  <Users>", *[f'    <User guid="{g}" name={attr(c)}/>' for c, g in users.items()], "  </Users>"]
    out += ["  <CodeBook>", "    <Codes>", *refi_codebook.codes_xml(book, 3), "    </Codes>", "  </CodeBook>"]
    if var_cols:
        out += ["  <Variables>", *[f'    <Variable guid="{var_guid[c]}" name={attr(c)} typeOfVariable="{var_kinds[c]}"/>'
                                   for c in var_cols], "  </Variables>"]
    if case_lines:
        out += ["  <Cases>", *case_lines, "  </Cases>"]
    if src_lines:
        out += ["  <Sources>", *src_lines, "  </Sources>"]
    if notes:
        out += ["  <Notes>", *notes, "  </Notes>"]
    if links:
        out += ["  <Links>", *links, "  </Links>"]
    if clean_desc:
        out.append(f"  <Description>{text(clean_desc)}</Description>")
    out += ["</Project>", ""]
    qde = xmltext.validate("\n".join(out).encode("utf-8"), "project", name)
    return _zip({"project.qde": qde, **files}), counts


def _zip(members: Mapping[str, bytes]) -> bytes:
    """A zip of ``members`` in name order ("project.qde" first), dated SOURCE_DATE_EPOCH."""
    stamp = dt.datetime.fromtimestamp(max(source_date_epoch(), 315532800), dt.UTC).timetuple()[:6]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(members, key=lambda n: (n != "project.qde", n)):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            zf.writestr(info, members[name], compresslevel=6)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------

@dataclass
class Selection:
    """One coded passage read from a project."""

    source: str          # source name
    start: int
    end: int
    name: str
    user: str | None     # user GUID
    when: str | None
    code_guids: list[str]
    note: str


@dataclass
class Project:
    """What :func:`read_project` read from a ``.qdpx`` / ``.qde``."""

    path: str
    origin: str
    users: dict[str, str]                 # guid -> name
    codes: list[refi_codebook.Node]
    texts: dict[str, str]                 # source name -> text
    selections: list[Selection]
    links: list[tuple[str, str, str]]     # (name, origin source name, target source name)
    problems: list[dict[str, str]] = field(default_factory=list)


def _g(value: str | None) -> str | None:
    return None if value is None else value.strip("{}").lower()


def read_project(path: str | Path) -> Project:
    """Read a REFI-QDA project file (``.qdpx`` zip or a bare ``.qde``) leniently: tools write
    attributes the schema does not have (QualCoder's ``creatingUser`` on ``Coding``), which are
    read, not refused. InputError names the file for what cannot be read at all."""
    path = Path(path)
    members: dict[str, bytes] = {}
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                for info in zf.infolist():
                    members[info.filename] = zf.read(info.filename)
            qde_names = [n for n in members if n.lower().endswith(".qde")]
            if not qde_names:
                raise InputError(path, "no project.qde inside this .qdpx")
            data = members[qde_names[0]]
        else:
            data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise InputError(path, f"not well-formed XML ({exc})") from None
    if root.tag != f"{{{NS}}}Project":
        raise InputError(path, f"root element {root.tag!r} is not a REFI-QDA Project")
    q = f"{{{NS}}}"
    users = {_g(u.get("guid")): u.get("name") or u.get("id") or _g(u.get("guid"))
             for u in root.iter(f"{q}User")}
    codes_el = root.find(f"{q}CodeBook/{q}Codes")
    codes = refi_codebook.read_nodes(codes_el, NS, path) if codes_el is not None else []
    notes = {_g(n.get("guid")): (n.findtext(f"{q}PlainTextContent") or "").strip() for n in root.iter(f"{q}Note")}
    lower = {k.lower(): v for k, v in members.items()}
    texts: dict[str, str] = {}
    selections: list[Selection] = []
    names_by_guid: dict[str, str] = {}
    problems: list[dict[str, str]] = []
    for src in root.iter(f"{q}TextSource"):
        name = src.get("name") or _g(src.get("guid"))
        names_by_guid[_g(src.get("guid"))] = name
        content = src.findtext(f"{q}PlainTextContent")
        if content is None and src.get("plainTextPath"):
            ref = src.get("plainTextPath")
            member = ref.split("internal://", 1)[1] if ref.startswith("internal://") else None
            raw = lower.get(f"sources/{member}".lower()) if member else None
            if raw is None:
                problems.append({"what": f"source {name}", "problem": f"text {ref} is not inside the file"})
                continue
            content = raw.decode("utf-8-sig", errors="replace")
        texts[name] = (content or "").replace("\r\n", "\n")
        for sel in src.findall(f"{q}PlainTextSelection"):
            try:
                start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            except (TypeError, ValueError):
                problems.append({"what": f"selection {sel.get('guid')} in {name}",
                                 "problem": "startPosition/endPosition are not integers"})
                continue
            refs = [_g(c.find(f"{q}CodeRef").get("targetGUID")) for c in sel.findall(f"{q}Coding")
                    if c.find(f"{q}CodeRef") is not None]
            user = sel.get("creatingUser")
            for c in sel.findall(f"{q}Coding"):
                user = user or c.get("creatingUser")
            when = sel.get("creationDateTime") or next((c.get("creationDateTime") for c in sel.findall(f"{q}Coding")
                                                        if c.get("creationDateTime")), None)
            memo = "\n".join(notes.get(_g(n.get("targetGUID")), "") for n in sel.findall(f"{q}NoteRef")).strip()
            desc = sel.findtext(f"{q}Description")
            if desc and not memo:
                memo = desc.strip()
            selections.append(Selection(name, start, end, sel.get("name") or "", _g(user), when, refs, memo))
        for c in src.findall(f"{q}Coding"):  # codings of the whole source
            ref = c.find(f"{q}CodeRef")
            if ref is not None:
                selections.append(Selection(name, 0, len(texts[name]), WHOLE_UNIT, _g(src.get("creatingUser")),
                                            c.get("creationDateTime"), [_g(ref.get("targetGUID"))], ""))
    links = []
    for ln in root.iter(f"{q}Link"):
        o, t = names_by_guid.get(_g(ln.get("originGUID"))), names_by_guid.get(_g(ln.get("targetGUID")))
        if o and t:
            links.append((ln.get("name") or "", o, t))
    return Project(str(path), root.get("origin", ""), users, codes, texts, selections, links, problems)


def _inclusive_end(project: Project) -> bool:
    """Whether the file's ``endPosition`` is inclusive: its named selections read that way and not
    the exclusive way (most tools, QualCoder among them, write exclusive ends)."""
    excl = incl = 0
    for s in project.selections:
        t = project.texts.get(s.source)
        if t is None or not s.name or s.name == WHOLE_UNIT:
            continue
        excl += t[s.start:s.end] == s.name
        incl += t[s.start:s.end + 1] == s.name
    return incl > excl


def _code_index(book: Codebook, project: Project) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """(code GUID in the file -> (variable, code), code GUID -> why it matches nothing)."""
    by_guid = {refi_codebook.code_guid(v, c).lower(): (v.id, c.id) for v in book.variables.values() for c in v.codes}
    by_name: dict[str, list[tuple[str, str]]] = {}
    for v in book.variables.values():
        for c in v.codes:
            for key in {c.label_en.casefold(), c.id.casefold()}:
                by_name.setdefault(key, []).append((v.id, c.id))
    var_names = {v.id: {v.id.casefold(), v.label_en.casefold()} for v in book.variables.values()}
    matched, unknown = {}, {}
    category: dict[int, str] = {}  # each node's top-level ancestor: the category a variable came from
    for node, parent in refi_codebook.walk(project.codes):
        category[id(node)] = node.name.casefold() if parent is None else category[id(parent)]
        if node.guid in by_guid:
            matched[node.guid] = by_guid[node.guid]
            continue
        cands = by_name.get(node.name.casefold(), [])
        if len(cands) > 1 and parent is not None:  # a name in several variables: its category decides
            cands = [vc for vc in cands if category[id(node)] in var_names[vc[0]]] or cands
        if len(cands) == 1:
            matched[node.guid] = cands[0]
        elif not node.children or node.codable:
            unknown[node.guid] = (f"code {node.name!r} is in no variable of the codebook" if not cands else
                                  f"code {node.name!r} matches several codes: {cands}")
    return matched, unknown


def _coder_name(name: str, g: str) -> str:
    cand = re.sub(r"[^A-Za-z0-9_.-]+", "_", refi_codebook.slug(name) or "").strip("_.-")
    return cand[:64] if cand and coding_mod.CODER_RE.match(cand[:64]) else f"user_{g[:8]}"


def import_records(project: Project, book: Codebook, units: pd.DataFrame,
                   default_time: str = "1970-01-01T00:00:00Z") -> tuple[list[dict[str, Any]], pd.DataFrame]:
    """(coding records ready for :meth:`civicposts.coding.CodingStore.append_many`, the import report).

    The report has one row per thing not imported (columns what, problem) and ends with a
    summary row per coder. Every record is validated against ``book`` by the caller's append."""
    problems = list(project.problems)
    texts = unit_texts(units)
    types = dict(zip(units["unit_id"].astype(str), units["unit_type"], strict=True))
    by_text: dict[str, list[str]] = {}
    for uid, t in texts.items():
        by_text.setdefault(t, []).append(uid)
    inclusive = _inclusive_end(project)
    if inclusive:
        problems.append({"what": project.path, "problem": "endPosition read as inclusive (the selections' names "
                                                          "say so); offsets converted to civicposts' exclusive end"})
    matched, unknown = _code_index(book, project)

    def unit_of(source: str) -> str | None:
        if source in texts:
            return source
        same = by_text.get(project.texts.get(source, "\0"), [])
        return same[0] if len(same) == 1 else None

    coder_of = {g: _coder_name(n, g) for g, n in project.users.items()}
    whole: dict[tuple[str, str, str], dict[str, Any]] = {}
    records: list[dict[str, Any]] = []
    for s in project.selections:
        uid = unit_of(s.source)
        if uid is None:
            problems.append({"what": f"source {s.source!r}", "problem": "not a unit of this study (no unit has its "
                                                                         "name or its text)"})
            continue
        text_u = texts[uid]
        if project.texts.get(s.source) != text_u:
            problems.append({"what": f"selection in {s.source!r}", "problem": "the source's text differs from the "
                                                                              "unit's: offsets cannot be trusted"})
            continue
        coder = coder_of.get(s.user) if s.user else None
        if coder is None:
            coder = "unknown_user"
        when = s.when or default_time
        end = s.end + 1 if inclusive and s.name != WHOLE_UNIT else s.end
        is_whole = s.name == WHOLE_UNIT or (s.start == 0 and end == len(text_u))
        by_var: dict[str, list[str]] = {}
        for g in s.code_guids:
            if g in matched:
                var, code = matched[g]
                by_var.setdefault(var, []).append(code)
            else:
                problems.append({"what": f"coding in {s.source!r} by {coder}",
                                 "problem": unknown.get(g, f"code {g} is not in the file's codebook")})
        for var, codes in by_var.items():
            if book.variables[var].unit_type != types[uid]:
                problems.append({"what": f"coding of {var} on {uid} by {coder}",
                                 "problem": f"variable {var!r} is for {book.variables[var].unit_type} units, "
                                            f"{uid} is a {types[uid]}"})
                continue
            if is_whole:
                rec = whole.setdefault((coder, uid, var), {"coder": coder, "unit_id": uid, "unit_type": types[uid],
                                                           "variable": var, "codes": [], "memo": s.note,
                                                           "relation": None, "timestamp": when})
                rec["codes"] += [c for c in codes if c not in rec["codes"]]
                rec["timestamp"] = max(rec["timestamp"], when)
            elif not 0 <= s.start < end <= len(text_u):
                problems.append({"what": f"selection [{s.start}, {s.end}) in {s.source!r}",
                                 "problem": f"outside the text of {len(text_u)} characters"})
            else:
                records.append({"coder": coder, "unit_id": uid, "unit_type": types[uid], "variable": var,
                                "codes": sorted(codes), "memo": s.note, "relation": None, "timestamp": when,
                                "span": coding_mod.make_span(text_u, s.start, end)})
    for (coder, uid, var), rec in sorted(whole.items()):
        v = book.variables[var]
        if v.kind == "single" and len(rec["codes"]) != 1:
            problems.append({"what": f"{var} on {uid} by {coder}",
                             "problem": f"single-choice variable given {len(rec['codes'])} codes {rec['codes']}: "
                                        "not imported"})
            continue
        records.append({**rec, "codes": sorted(rec["codes"])})
    for name, origin_src, target_src in project.links:
        m = LINK_RE.match(name)
        o, t = unit_of(origin_src), unit_of(target_src)
        if not m or o is None or t is None:
            problems.append({"what": f"link {name!r} from {origin_src} to {target_src}",
                             "problem": "not a civicposts relation (\"<type> by <coder>\") between units of the study"})
            continue
        hit = [r for r in records if "span" not in r and r["coder"] == m["coder"] and r["unit_id"] == o
               and any(book.variables[r["variable"]].code(c).relation == m["type"] for c in r["codes"])]
        if len(hit) != 1:
            problems.append({"what": f"link {name!r} from {o} to {t}", "problem": "no decision of that coder on the "
                                                                                  "unit carries this relation"})
            continue
        hit[0]["relation"] = {"type": m["type"], "target": t}
    report = pd.DataFrame(problems, columns=["what", "problem"])
    summary = pd.DataFrame([{"what": f"coder {c}", "problem": f"{sum(1 for r in records if r['coder'] == c)} "
                             "record(s) imported"} for c in sorted({r["coder"] for r in records})],
                           columns=["what", "problem"])
    records.sort(key=lambda r: (r["coder"], r["timestamp"], r["unit_id"], r["variable"],
                                r.get("span", {}).get("start", -1)))
    return records, pd.concat([report, summary], ignore_index=True)
