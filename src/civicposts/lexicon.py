"""Slang lexicons: where each comes from, how they are merged, and the forms decided by context.

A lexicon source is one function registered with ``@source`` (name, priority, licence, origin), returning
``{form: norm}``; adding a lexicon is one more registered function. ``merge`` combines them by one
documented rule:

1. **Priority.** For a form several sources list, the source with the lowest priority number wins: the
   study's own ``slang_extra`` (0), civicposts' reviewed table (10), spaCy's Indonesian norms (20), Kamus
   Alay (30). Every disagreement is kept in ``Lexicon.conflicts`` (and counted in ``LEXICONS.md``).
2. **One standard target.** Norms are followed through the merged lexicon to the end (``klo -> kalo ->
   kalau``), so no form ends on another colloquial form a source knows; a norm ``"="`` keeps the form.
3. **Context first.** The forms in ``slang_ambiguous.yaml`` (km, jan, kaya, si ...) are taken out of every
   source; ``civicposts.normalise`` decides them from their neighbours.

Forms and norms are NFKC-normalised and lowercased; forms that are not one token are dropped (they can
never match one). Origins and licences: ``civicposts/data/LEXICONS.md``.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from .errors import ConfigError, InputError

log = logging.getLogger(__name__)

TOKEN_RE = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
KEEP = "="  # a norm that keeps the form as written
CLASSES = frozenset({"NUMBER", "MONTH", "WORD", "START", "END"})
MONTHS = frozenset({
    "januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus", "september", "oktober",
    "november", "desember", "feb", "mar", "apr", "jun", "jul", "agu", "agt", "ags", "sep", "sept", "okt",
    "nov", "des", "nop"})


@dataclass(frozen=True)
class Source:
    """A registered lexicon: its name, priority (lower wins), licence and origin, and its loader."""

    name: str
    priority: int
    licence: str
    origin: str
    load: Callable[[], Mapping[str, str]]


SOURCES: dict[str, Source] = {}


def source(name: str, *, priority: int, licence: str, origin: str):
    """Register a function returning ``{form: norm}`` as a lexicon source."""
    def deco(fn: Callable[[], Mapping[str, str]]) -> Callable[[], Mapping[str, str]]:
        SOURCES[name] = Source(name, priority, licence, origin, fn)
        return fn
    return deco


def _data(name: str) -> str:
    return resources.files("civicposts").joinpath("data", name).read_text(encoding="utf-8")


def read_tsv(text: str, where: str) -> dict[str, str]:
    """``form<TAB>norm`` rows (``#`` comments and a ``form norm`` header skipped) as a dict."""
    out: dict[str, str] = {}
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        row = line.split("\t")
        if row == ["form", "norm"]:
            continue
        if len(row) != 2 or not row[0].strip() or not row[1].strip():
            raise InputError(where, f"expected 'form<TAB>norm', got {line!r}", record=f"line {i}")
        out[row[0].strip()] = row[1].strip()
    return out


@source("civicposts", priority=10, licence="CC BY 4.0 (civicposts data)",
        origin="written by the civicposts maintainers: standard targets for colloquial norms, frequent misses")
def civicposts_table() -> Mapping[str, str]:
    return read_tsv(_data("slang_civicposts.tsv"), "civicposts/data/slang_civicposts.tsv")


@source("spacy", priority=20, licence="MIT (ExplosionAI GmbH)",
        origin="spacy-lookups-data 1.0.5, id_lexeme_norm.json (copied: civicposts/data/slang_spacy_id.tsv)")
def spacy_table() -> Mapping[str, str]:
    return read_tsv(_data("slang_spacy_id.tsv"), "civicposts/data/slang_spacy_id.tsv")


@source("kamus-alay", priority=30, licence="redistributed by indoNLP under MIT; the data's repository has no "
        "licence file", origin="Kamus Alay (Salsabila et al. 2018) as indoNLP 0.3.4's SLANG_DATA (read, not copied)")
def kamus_alay() -> Mapping[str, str]:
    from indoNLP.preprocessing import SLANG_DATA

    return SLANG_DATA


# --- ambiguous forms --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """Conditions on the previous and next word (sets of words or classes) and the norm if they hold."""

    to: str
    prev: frozenset[str] | None = None
    next: frozenset[str] | None = None


@dataclass(frozen=True)
class Ambiguous:
    """A form decided by context: its rules in order and the norm when none holds."""

    form: str
    senses: str
    rules: tuple[Rule, ...]
    otherwise: str
    examples: tuple[tuple[str, str], ...] = ()


def _words(value: Any, where: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(where, f"expected a list of words or classes, got {value!r}")
    return frozenset(v if v in CLASSES else v.lower() for v in value)


def parse_ambiguous(data: Any, where: str = "civicposts/data/slang_ambiguous.yaml") -> dict[str, Ambiguous]:
    """The ambiguous forms of a parsed ``slang_ambiguous.yaml``, checked (see that file's header)."""
    if not isinstance(data, dict):
        raise InputError(where, "expected a mapping of form -> {senses, rules, otherwise}")
    out = {}
    for form, spec in data.items():
        here = f"form {form!r}"
        if not isinstance(spec, dict) or "otherwise" not in spec:
            raise InputError(where, "needs 'otherwise' (and optionally 'rules', 'senses', 'examples')", record=here)
        unknown = set(spec) - {"senses", "rules", "otherwise", "examples"}
        if unknown:
            raise InputError(where, f"unknown keys {sorted(unknown)}", record=here)
        rules = []
        for j, r in enumerate(spec.get("rules") or [], start=1):
            if not isinstance(r, dict) or "to" not in r or not set(r) <= {"prev", "next", "to"}:
                raise InputError(where, f"rule {j} must have 'to' and optionally 'prev', 'next', got {r!r}",
                                 record=here)
            rules.append(Rule(str(r["to"]).lower(),
                              _words(r["prev"], where) if "prev" in r else None,
                              _words(r["next"], where) if "next" in r else None))
        examples = tuple((str(a), str(b)) for a, b in (spec.get("examples") or []))
        out[str(form).lower()] = Ambiguous(str(form).lower(), str(spec.get("senses", "")), tuple(rules),
                                           str(spec["otherwise"]).lower(), examples)
    return out


@functools.cache
def ambiguous_forms() -> dict[str, Ambiguous]:
    """The shipped ambiguous forms (``civicposts/data/slang_ambiguous.yaml``)."""
    import yaml

    return parse_ambiguous(yaml.safe_load(_data("slang_ambiguous.yaml")))


# --- merging ----------------------------------------------------------------------------------------

def _clean_entry(form: str, norm: str) -> tuple[str, str] | None:
    k = unicodedata.normalize("NFKC", str(form)).lower().strip()
    if not TOKEN_RE.fullmatch(k):
        return None
    if norm.strip() == KEEP:
        return k, KEEP
    v = " ".join(TOKEN_RE.findall(unicodedata.normalize("NFKC", str(norm)).lower()))
    return (k, v) if v else None


@dataclass(frozen=True)
class Lexicon:
    """The merged lexicon: form -> standard norm (chains followed), which source gave each form, and
    every form on which sources disagreed: (form, chosen source, its norm, other source, its norm)."""

    mapping: Mapping[str, str]
    origin: Mapping[str, str]
    conflicts: tuple[tuple[str, str, str, str, str], ...] = field(default=())
    dropped: int = 0

    def __len__(self) -> int:
        return len(self.mapping)


def _follow(raw: Mapping[str, str]) -> dict[str, str]:
    """Each norm followed through ``raw`` to a fixed point (at most 10 steps; cycles stop where they close)."""
    out: dict[str, str] = {}
    for k, v in raw.items():
        if v == KEEP:
            continue
        seen = {k}
        for _ in range(10):
            words = v.split()
            nxt = " ".join(w if raw.get(w, KEEP) == KEEP else raw[w] for w in words)
            if nxt == v or any(w in seen for w in words if raw.get(w, KEEP) != KEEP):
                break
            seen.update(words)
            v = nxt
        if v != k:
            out[k] = v
    return out


def merge(extra: Mapping[str, str] | None = None, sources: Iterable[str] | None = None,
          ambiguous: Iterable[str] | None = None) -> Lexicon:
    """Merge the registered sources (all by default) and the study's ``extra`` by the rule in the module
    docstring. ``ambiguous``: forms left to context (default: the shipped ambiguous forms)."""
    names = sorted(sources if sources is not None else SOURCES, key=lambda n: SOURCES[n].priority)
    layers: list[tuple[str, Mapping[str, str]]] = []
    if extra:
        layers.append(("study slang_extra", extra))
    layers += [(n, SOURCES[n].load()) for n in names]
    skip = frozenset(ambiguous_forms() if ambiguous is None else ambiguous)
    raw: dict[str, str] = {}
    origin: dict[str, str] = {}
    conflicts = []
    dropped = 0
    for name, table in layers:
        for form, norm in table.items():
            entry = _clean_entry(form, str(norm))
            if entry is None:
                dropped += 1
                continue
            k, v = entry
            if (k in skip and name != "study slang_extra") or k == v:
                continue
            if k in raw:
                if raw[k] != v:
                    conflicts.append((k, origin[k], raw[k], name, v))
                continue
            raw[k], origin[k] = v, name
    mapping = _follow(raw)
    log.debug("lexicon: %d forms from %s, %d conflicts, %d entries dropped", len(mapping),
              [n for n, _ in layers], len(conflicts), dropped)
    return Lexicon(mapping, {k: origin[k] for k in mapping}, tuple(conflicts), dropped)


def check_extra(extra: Any, where: str = "slang_extra") -> dict[str, str]:
    """A study's ``slang_extra`` as ``{form: norm}``; a clear error for anything else."""
    if extra is None:
        return {}
    if not isinstance(extra, Mapping):
        raise ConfigError(f"{where}: expected a mapping of slang form -> standard form, got {type(extra).__name__}")
    out = {}
    for k, v in extra.items():
        if not isinstance(k, str) or not isinstance(v, str) or _clean_entry(k, v) is None:
            raise ConfigError(f"{where}: {k!r}: {v!r} is not 'one word: its standard form' (use '=' to keep a word)")
        out[k] = v
    return out


@functools.cache
def default() -> Lexicon:
    """The shipped lexicon: every registered source, no study additions."""
    return merge()
