"""The codebook both ways between civicposts and REFI-QDA (QualCoder, ATLAS.ti, MAXQDA, NVivo).

**civicposts → REFI.** Each variable becomes a category (a ``Code`` with ``isCodable="false"``)
named by its English label, holding its codes (``isCodable="true"``), nested by ``parent``. A
code's ``Description`` is its definition, a blank line, then what else the codebook says about it
as ``Key: value`` lines another tool's user can read ("Use when:", "Not when:", "Example:",
"Label (Indonesian):", "civicposts id:", ...); a line is left out where its value is what the
importer would derive anyway (an id that is the name's slug, an Indonesian label equal to the
English one, the default unit type ``post`` and kind ``multi``). GUIDs are the ones a codebook
imported from another tool kept, else uuid5 of the ids, so the bytes depend only on the codebook.
A variable marked ``ungrouped`` is not written as a category: its codes stand at the top level.

**REFI → civicposts** (:func:`codebook_data`), the documented mapping:

1. a top-level code with codes under it is a category and becomes a **variable** (id: the slug of
   its name), every code below it one of its **codes**, the nesting kept as ``parent``;
2. top-level codes with nothing under them are gathered into one variable ``codes`` marked
   ``ungrouped`` (written back at the top level);
3. every variable gets ``unit_type`` and ``kind`` from the importer's options (default ``post``
   and ``multi``: a QDA code tree lets a passage carry several codes) unless the description's
   ``Unit type:`` / ``Choice:`` lines say otherwise;
4. a category that was itself codable keeps ``codable_category: true`` (written back as codable;
   codings made on the category itself cannot be civicposts decisions and are reported on import);
5. names, descriptions, colours and GUIDs are kept, so a codebook survives
   import → export unchanged; text the civicposts codebook requires but the other tool has no
   place for (use when, not when, an example) reads ":data:`NOT_GIVEN`".
"""

from __future__ import annotations

import logging
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..codebook import ROLE_NAMES, Code, Codebook, Variable
from ..errors import InputError
from . import xmltext
from .xmltext import attr, guid, text

log = logging.getLogger(__name__)

NOT_GIVEN = "(not given in the imported codebook)"
DEFAULT_UNIT_TYPE, DEFAULT_KIND = "post", "multi"
UNGROUPED_ID = "codes"
ORIGIN_RE = re.compile(r"^civicposts codebook (?P<version>\S+): (?P<title>.+)$")

# Description lines: (label in the file, field). Order is the order written.
CODE_LINES = (("Use when", "use_when"), ("Not when", "not_when"), ("Example", "example"),
              ("Label (Indonesian)", "label_id"), ("Exclusive", "exclusive"), ("Relation", "relation"),
              ("Role", "role"), ("civicposts id", "id"))
VARIABLE_LINES = (("Unit type", "unit_type"), ("Choice", "kind"), ("Label (Indonesian)", "label_id"),
                  ("Role", "role"), ("civicposts id", "id"))


def slug(name: str) -> str:
    """An id from a name: ASCII letters, digits and underscores, lower case ("Jalan Rusak!" -> "jalan_rusak")."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_.lower()).strip("_")


def code_guid(var: Variable, code: Code) -> str:
    return code.guid or guid("code", var.id, code.id)


def variable_guid(var: Variable) -> str:
    return var.guid or guid("variable", var.id)


def _roles_of(book: Codebook) -> dict[str, list[str]]:
    """``{variable id or "variable/code": [role, ...]}``."""
    out: dict[str, list[str]] = {}
    r = book.roles
    for role in ROLE_NAMES:
        value = getattr(r, role)
        if value is None:
            continue
        key = f"{r.post_kind}/{value}" if role == "complaint" else value
        out.setdefault(key, []).append(role)
    return out


def _description(head: str, lines: list[tuple[str, str]]) -> str:
    body = "\n".join(f"{k}: {v}" for k, v in lines)
    if head == NOT_GIVEN:
        head = ""
    return head + ("\n\n" + body if body and head else body)


def _code_description(var: Variable, code: Code, roles: list[str]) -> str:
    lines = []
    values = {"use_when": code.use_when, "not_when": code.not_when, "example": code.example,
              "label_id": code.label_id if code.label_id != code.label_en else NOT_GIVEN,
              "exclusive": "yes" if code.exclusive else NOT_GIVEN, "relation": code.relation or NOT_GIVEN,
              "role": ", ".join(roles) or NOT_GIVEN, "id": code.id if code.id != slug(code.label_en) else NOT_GIVEN}
    for label, key in CODE_LINES:
        if values[key] != NOT_GIVEN:
            lines.append((label, values[key]))
    return _description(code.definition, lines)


def _variable_description(var: Variable, roles: list[str]) -> str:
    values = {"unit_type": var.unit_type if var.unit_type != DEFAULT_UNIT_TYPE else NOT_GIVEN,
              "kind": var.kind if var.kind != DEFAULT_KIND else NOT_GIVEN,
              "label_id": var.label_id if var.label_id != var.label_en else NOT_GIVEN,
              "role": ", ".join(roles) or NOT_GIVEN, "id": var.id if var.id != slug(var.label_en) else NOT_GIVEN}
    return _description(var.description, [(lab, values[k]) for lab, k in VARIABLE_LINES if values[k] != NOT_GIVEN])


def _code_open(g: str, name: str, codable: bool, color: str | None) -> str:
    col = f" color={attr(color)}" if color else ""
    return f"<Code guid=\"{g}\" name={attr(name)} isCodable=\"{'true' if codable else 'false'}\"{col}"


def _element(g: str, name: str, codable: bool, color: str | None, desc: str, children: list[str],
             pad: str) -> list[str]:
    head = pad + _code_open(g, name, codable, color)
    if not desc and not children:
        return [head + "/>"]
    body = [f"{pad}  <Description>{text(desc)}</Description>"] if desc else []
    return [head + ">", *body, *children, pad + "</Code>"]


def codes_xml(book: Codebook, depth: int = 2) -> list[str]:
    """The ``<Code>`` elements of ``book`` (see the module docstring), one line each, indented ``depth``."""
    roles = _roles_of(book)

    def code_lines(var: Variable, code: Code, d: int) -> list[str]:
        kids = [line for child in var.codes if child.parent == code.id for line in code_lines(var, child, d + 1)]
        return _element(code_guid(var, code), code.label_en, True, code.color,
                        _code_description(var, code, roles.get(f"{var.id}/{code.id}", [])), kids, "  " * d)

    out: list[str] = []
    for var in book.variables.values():
        if var.ungrouped:
            out += [line for code in var.codes if code.parent is None for line in code_lines(var, code, depth)]
            continue
        kids = [line for code in var.codes if code.parent is None for line in code_lines(var, code, depth + 1)]
        out += _element(variable_guid(var), var.label_en, var.codable_category, var.color,
                        _variable_description(var, roles.get(var.id, [])), kids, "  " * depth)
    return out


def to_qdc(book: Codebook) -> bytes:
    """``book`` as a REFI-QDA codebook file (``.qdc``), valid against the official Codebook schema."""
    origin = f"civicposts codebook {book.version}: {book.title}"
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             f'<CodeBook xmlns="{xmltext.NS["codebook"]}" origin={attr(origin)}>', "  <Codes>",
             *codes_xml(book, 2), "  </Codes>", "</CodeBook>", ""]
    return xmltext.validate("\n".join(lines).encode("utf-8"), "codebook", book.path)


# ---------------------------------------------------------------------------------------------
# Reading another tool's code tree
# ---------------------------------------------------------------------------------------------

@dataclass
class Node:
    """One ``<Code>`` of a REFI file."""

    guid: str
    name: str
    codable: bool
    color: str | None
    description: str
    children: list[Node] = field(default_factory=list)


def read_nodes(codes: ET.Element, ns: str, path: str | Path) -> list[Node]:
    """The code tree under a ``<Codes>`` element (namespace ``ns``)."""
    def node(el: ET.Element) -> Node:
        g, name = el.get("guid"), el.get("name")
        if not g or not xmltext.GUID_RE.match(g):
            raise InputError(path, f"a <Code> has no valid guid (got {g!r})", name)
        if name is None or not name.strip():
            raise InputError(path, f"code {g} has no name", g)
        desc_el = el.find(f"{{{ns}}}Description")
        desc = (desc_el.text or "") if desc_el is not None else ""
        return Node(g.strip("{}").lower(), " ".join(name.split()), el.get("isCodable", "true").lower() == "true",
                    el.get("color"), desc.strip(), [node(c) for c in el.findall(f"{{{ns}}}Code")])
    return [node(c) for c in codes.findall(f"{{{ns}}}Code")]


def walk(nodes: list[Node], parent: Node | None = None) -> Iterator[tuple[Node, Node | None]]:
    """(node, its parent) depth first, in file order."""
    for n in nodes:
        yield n, parent
        yield from walk(n.children, n)


def _split_description(desc: str, labels: tuple[tuple[str, str], ...]) -> tuple[str, dict[str, str]]:
    """(free text, {field: value}) from a description whose last paragraph may be ``Key: value`` lines."""
    by_label = {lab: key for lab, key in labels}
    head, _, tail = desc.rpartition("\n\n")
    block = tail if head else desc
    fields: dict[str, str] = {}
    for line in block.splitlines():
        lab, sep, value = line.partition(": ")
        if not sep or lab not in by_label:
            fields = {}
            break
        fields[by_label[lab]] = value.strip()
    if not fields:
        return " ".join(desc.split()), {}
    return " ".join(head.split()) if head else "", fields


def _unique(base: str, taken: set[str], fallback: str) -> str:
    cand = base or fallback
    out, n = cand, 2
    while out in taken:
        out, n = f"{cand}_{n}", n + 1
    taken.add(out)
    return out


def codebook_data(nodes: list[Node], *, source: str, version: str = "1.0.0", title: str | None = None,
                  unit_type: str = DEFAULT_UNIT_TYPE, kind: str = DEFAULT_KIND) -> dict[str, Any]:
    """The civicposts codebook (as the YAML mapping) for a REFI code tree, by the module's mapping."""
    variables: list[dict[str, Any]] = []
    roles: dict[str, str] = {}
    var_ids: set[str] = set()
    ungrouped = [n for n in nodes if not n.children]

    def code_entries(var_id: str, tops: list[Node]) -> list[dict[str, Any]]:
        taken: set[str] = set()
        entries: list[dict[str, Any]] = []
        ids: dict[int, str] = {}
        for n, parent in walk(tops):
            definition, extra = _split_description(n.description, CODE_LINES)
            cid = _unique(extra.get("id") or slug(n.name), taken, f"code_{len(entries) + 1}")
            ids[id(n)] = cid
            entry: dict[str, Any] = {"id": cid, "label_id": extra.get("label_id", n.name), "label_en": n.name,
                                     "definition": definition or NOT_GIVEN}
            for key in ("use_when", "not_when", "example"):
                entry[key] = extra.get(key, NOT_GIVEN)
            if parent is not None and id(parent) in ids:
                entry["parent"] = ids[id(parent)]
            if extra.get("exclusive") == "yes":
                entry["exclusive"] = True
            if "relation" in extra:
                entry["relation"] = extra["relation"]
            for role in (r.strip() for r in extra.get("role", "").split(",") if r.strip()):
                roles[role] = cid
            if n.guid != guid("code", var_id, cid):
                entry["guid"] = n.guid
            if n.color:
                entry["color"] = n.color
            if not n.codable:
                log.warning("%s: code %r is not codable there; it is a code here", source, n.name)
            entries.append(entry)
        return entries

    for n in nodes:
        if not n.children:
            continue
        desc, extra = _split_description(n.description, VARIABLE_LINES)
        vid = _unique(extra.get("id") or slug(n.name), var_ids, f"variable_{len(variables) + 1}")
        var: dict[str, Any] = {"id": vid, "unit_type": extra.get("unit_type", unit_type),
                               "kind": extra.get("kind", kind), "label_id": extra.get("label_id", n.name),
                               "label_en": n.name, "description": desc or NOT_GIVEN}
        if n.guid != guid("variable", vid):
            var["guid"] = n.guid
        if n.color:
            var["color"] = n.color
        if n.codable:
            var["codable_category"] = True
        for role in (r.strip() for r in extra.get("role", "").split(",") if r.strip()):
            roles[role] = vid
        var["codes"] = code_entries(vid, n.children)
        variables.append(var)
    if ungrouped:
        vid = _unique(UNGROUPED_ID, var_ids, "codes_without_category")
        variables.append({"id": vid, "unit_type": unit_type, "kind": kind, "label_id": "Kode tanpa kategori",
                          "label_en": "Codes without a category",
                          "description": f"The codes at the top level of {source}, outside any category.",
                          "ungrouped": True, "codes": code_entries(vid, ungrouped)})
    if not variables:
        raise InputError(source, "the codebook holds no codes")
    data: dict[str, Any] = {"version": version, "title": title or f"Codebook imported from {Path(source).name}"}
    if roles:
        data["roles"] = {r: roles[r] for r in ROLE_NAMES if r in roles}
    data["variables"] = variables
    return data


def _root(path: Path) -> tuple[ET.Element, str]:
    """The XML root of a ``.qdc``, ``.qde`` or ``.qdpx`` (the ``project.qde`` inside) and its namespace."""
    import zipfile

    try:
        if path.suffix.lower() == ".qdpx":
            with zipfile.ZipFile(path) as zf:
                names = [n for n in zf.namelist() if n.lower().endswith(".qde")]
                if not names:
                    raise InputError(path, "no project.qde inside this .qdpx")
                data = zf.read(names[0])
        else:
            data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except zipfile.BadZipFile as exc:
        raise InputError(path, f"not a .qdpx (zip) file ({exc})") from None
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise InputError(path, f"not well-formed XML ({exc})") from None
    ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if ns not in xmltext.NS.values():
        raise InputError(path, f"root element {root.tag!r} is not a REFI-QDA codebook or project")
    return root, ns


def read_codebook_file(path: str | Path, *, unit_type: str = DEFAULT_UNIT_TYPE,
                       kind: str = DEFAULT_KIND) -> dict[str, Any]:
    """The civicposts codebook mapping for a ``.qdc``, ``.qde`` or ``.qdpx`` file's code tree."""
    path = Path(path)
    root, ns = _root(path)
    codes = root.find(f"{{{ns}}}Codes") if ns == xmltext.NS["codebook"] else root.find(f"{{{ns}}}CodeBook/{{{ns}}}Codes")
    if codes is None:
        raise InputError(path, "no <Codes> in this file")
    version, title = "1.0.0", None
    m = ORIGIN_RE.match(root.get("origin", "") if ns == xmltext.NS["codebook"] else "")
    if m:
        version, title = m["version"], m["title"]
    return codebook_data(read_nodes(codes, ns, path), source=str(path), version=version, title=title,
                         unit_type=unit_type, kind=kind)


def dump_yaml(data: dict[str, Any]) -> str:
    """The codebook mapping as YAML (keys in codebook order, Unicode kept)."""
    head = ("# Codebook imported by `python -m civicposts import-codebook` (mapping: civicposts.refi.codebook).\n"
            f"# Fields reading {NOT_GIVEN!r} had no place in the other tool's codebook: fill them in.\n")
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
