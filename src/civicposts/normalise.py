"""Token normalisation: slang lexicon, reduplication with 2, elongation, and forms decided by context.

A ``Normaliser`` is a plain object built from a merged ``civicposts.lexicon.Lexicon`` and the ambiguous
forms; ``default()`` is the shipped one and ``for_study(extra)`` adds a study's ``slang_extra``.

- ``token(t)``: a lowercase token -> its normalised form (one or more space-separated words): slang
  lookup, "jalan2" -> "jalan-jalan", elongation ("bangeeet" -> "sekali"), repeated until nothing changes.
  An ambiguous form is returned as written: without context it cannot be decided.
- ``sequence(tokens)``: the normalised form of each token of one text, with each ambiguous form (km, jan,
  kaya, si ...) decided by the first rule of ``slang_ambiguous.yaml`` whose conditions on the previous and
  next word hold. Neighbours are compared in their normalised form ("org kaya" is "orang kaya"); an
  ambiguous neighbour is compared as written, so the result does not depend on the order of decisions and
  normalising a normalised text changes nothing.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence

from . import lexicon as L

REDUP_RE = re.compile(r"([^\W\d_]*[aiueoAIUEO][^\W\d_]*)2(nya|an|kan|lah|ku|mu)?")
ELONGATION_RE = re.compile(r"([^\W\d_])\1{2,}")
_WORD_RE = re.compile(r"[^\W\d_]{2,}(?:-[^\W\d_]+)*")


def _classes(word: str | None) -> set[str]:
    """The classes a neighbouring word belongs to (for ``prev`` / ``next`` conditions)."""
    if word is None:
        return {"START", "END"}  # the caller keeps only the one that applies
    out = set()
    if word.isdigit():
        out.add("NUMBER")
    if word in L.MONTHS:
        out.add("MONTH")
    if _WORD_RE.fullmatch(word):
        out.add("WORD")
    return out


def _holds(cond: frozenset[str] | None, word: str | None, edge: str) -> bool:
    if cond is None:
        return True
    if word is None:
        return edge in cond
    return word in cond or bool(cond & _classes(word))


class Normaliser:
    """Normalises tokens with one lexicon and one set of ambiguous forms (see the module docstring)."""

    def __init__(self, lex: L.Lexicon, ambiguous: Mapping[str, L.Ambiguous], known: Iterable[str] = ()):
        self.lexicon = lex
        self.slang: Mapping[str, str] = lex.mapping
        self.ambiguous: Mapping[str, L.Ambiguous] = ambiguous
        self.known = frozenset({w for v in self.slang.values() for w in v.split()} | set(known))
        self._cache: dict[str, str] = {}

    # --- one token, no context ---------------------------------------------------------------------
    def _collapse_elongation(self, token: str) -> str:
        one = ELONGATION_RE.sub(r"\1", token)
        two = ELONGATION_RE.sub(r"\1\1", token)
        if one not in self.known and (two in self.known or two in self.slang):
            return two
        return one

    def _once(self, token: str) -> str:
        if token in self.ambiguous:
            return token
        if token in self.slang:
            return self.slang[token]
        m = REDUP_RE.fullmatch(token)
        if m and len(m.group(1)) >= 2:
            base = m.group(1)
            return f"{base}-{base}{m.group(2) or ''}"
        if ELONGATION_RE.search(token):
            collapsed = self._collapse_elongation(token)
            if collapsed in self.ambiguous:
                return collapsed
            return self.slang.get(collapsed, collapsed)
        return token

    def token(self, token: str) -> str:
        """A lowercase token -> its normalised form; idempotent on every word of the result."""
        hit = self._cache.get(token)
        if hit is not None:
            return hit
        out = token
        if self._once(token) != token:
            words = [token]
            for _ in range(8):
                nxt = " ".join(" ".join(L.TOKEN_RE.findall(self._once(w))) or w for w in words).split()
                if nxt == words:
                    out = " ".join(words)
                    break
                words = nxt
        if len(self._cache) < 1 << 20:
            self._cache[token] = out
        return out

    # --- context -----------------------------------------------------------------------------------
    def decide(self, form: str, prev: str | None, nxt: str | None) -> str:
        """The norm of the ambiguous ``form`` between ``prev`` and ``nxt`` (None at the text's edges)."""
        spec = self.ambiguous[form]
        for rule in spec.rules:
            if _holds(rule.prev, prev, "START") and _holds(rule.next, nxt, "END"):
                return form if rule.to == L.KEEP else rule.to
        return form if spec.otherwise == L.KEEP else spec.otherwise

    def resolve(self, raw: Sequence[str], mapped: list[str], positions: Iterable[int],
                start: int = 0, end: int | None = None) -> None:
        """Decide, in place, the ambiguous ``mapped[p]`` for each p in ``positions``, looking at neighbours
        within ``raw[start:end]`` (one text)."""
        end = len(raw) if end is None else end
        for p in positions:
            form = mapped[p]
            prev = self._neighbour(raw, mapped, p - 1, last=True) if p > start else None
            nxt = self._neighbour(raw, mapped, p + 1, last=False) if p + 1 < end else None
            mapped[p] = self.decide(form, prev, nxt)

    def _neighbour(self, raw: Sequence[str], mapped: list[str], i: int, *, last: bool) -> str:
        as_form = self.token(raw[i])
        if as_form in self.ambiguous:
            return as_form  # itself decided by context: compared as written, whatever was decided
        words = mapped[i].split()
        if not words:
            return raw[i]
        return words[-1] if last else words[0]

    def sequence(self, tokens: Sequence[str]) -> list[str]:
        """The normalised form of each token of one text, ambiguous forms decided by context."""
        mapped = [self.token(t) for t in tokens]
        self.resolve(tokens, mapped, [i for i, m in enumerate(mapped) if m in self.ambiguous])
        return mapped


@functools.cache
def default() -> Normaliser:
    """The shipped normaliser (every registered lexicon, the shipped ambiguous forms)."""
    from . import text as T

    return Normaliser(L.default(), L.ambiguous_forms(), T.extra_known_words())


@functools.lru_cache(maxsize=8)
def _for_items(items: tuple[tuple[str, str], ...]) -> Normaliser:
    from . import text as T

    extra = dict(items)
    # a study's own entry for an ambiguous form is the study's decision: it replaces the context rules
    ambiguous = {k: v for k, v in L.ambiguous_forms().items() if k not in extra}
    return Normaliser(L.merge(extra), ambiguous, T.extra_known_words())


def for_study(extra: Mapping[str, str] | None) -> Normaliser:
    """The normaliser with a study's ``slang_extra`` on top of the shipped lexicons (``default()`` if none)."""
    extra = L.check_extra(extra)
    return _for_items(tuple(sorted(extra.items()))) if extra else default()
