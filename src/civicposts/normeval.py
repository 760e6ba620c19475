"""Scoring the normaliser on an annotated evaluation set (token-level precision and recall).

The shipped set is ``civicposts/data/normalisation_eval.tsv``: ``category<TAB>sentence`` where a word written
``word{norm}`` should become ``norm`` and every other word should stay as written. Each sentence goes through
the same steps as a caption (emoji as Indonesian words, hashtags, mentions and URLs taken out, punctuation
dropped) and then through ``Normaliser.sequence``, so context rules see the whole sentence.

For each token: *changed* if the output differs from the token, *should change* if the expected norm does,
*correct* if the output is the expected norm. Precision = correct changes / changes (how often a change is
right); recall = correct changes / tokens that should change (how much slang reaches its standard form).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import pandas as pd

from . import normalise as N
from .errors import InputError

# a word with its expected norm in braces (the norm may be several words), then any punctuation; or a plain word
SEGMENT_RE = re.compile(r"(\S*?)\{([^{}]*)\}(\S*)|(\S+)")
SHIPPED = "normalisation_eval.tsv"


@dataclass(frozen=True)
class Sentence:
    """One annotated sentence: its category, the plain text, and (token, expected norm) pairs."""

    category: str
    text: str
    tokens: tuple[tuple[str, str], ...]


def _segment_tokens(segment: str) -> list[str]:
    from .clean import _extract_list, _repair_list, _tokenise

    return _tokenise(_extract_list(_repair_list([segment]))["text"])[0]


def parse(text: str, where: str = SHIPPED) -> list[Sentence]:
    """The annotated sentences of an evaluation file (``#`` comments and the header line skipped)."""
    out = []
    lines = [(i, ln) for i, ln in enumerate(text.splitlines(), start=1) if ln.strip() and not ln.startswith("#")]
    for i, line in lines:
        if line == "category\tsentence":
            continue
        parts = line.split("\t")
        if len(parts) != 2:
            raise InputError(where, f"expected 'category<TAB>sentence', got {line!r}", record=f"line {i}")
        category, annotated = parts
        plain, pairs = [], []
        for m in SEGMENT_RE.finditer(annotated):
            seg = m.group(0)
            annotated_word = m.group(4) is None
            word = m.group(1) + m.group(3) if annotated_word else seg
            plain.append(word)
            toks = _segment_tokens(word)
            if annotated_word:
                if len(toks) != 1:
                    raise InputError(where, f"annotated word {seg!r} is {len(toks)} tokens, not one",
                                     record=f"line {i}")
                pairs.append((toks[0], " ".join(m.group(2).lower().split())))
            else:
                pairs.extend((t, t) for t in toks)
        out.append(Sentence(category, " ".join(plain), tuple(pairs)))
    return out


def shipped() -> list[Sentence]:
    """The evaluation set the kit ships."""
    return parse(resources.files("civicposts").joinpath("data", SHIPPED).read_text(encoding="utf-8"))


def token_table(sentences: list[Sentence], normaliser: N.Normaliser | None = None) -> pd.DataFrame:
    """One row per token: sentence, category, token, expected, output, changed, should_change, correct."""
    nz = normaliser or N.default()
    rows = []
    for k, s in enumerate(sentences):
        toks = [t for t, _ in s.tokens]
        for (tok, exp), got in zip(s.tokens, nz.sequence(toks)):
            rows.append((k, s.category, tok, exp, got, got != tok, exp != tok, got == exp))
    return pd.DataFrame(rows, columns=["sentence", "category", "token", "expected", "output", "changed",
                                       "should_change", "correct"])


def score(tokens: pd.DataFrame) -> dict[str, float | int]:
    """Token-level precision and recall (definitions in the module docstring) and the counts behind them."""
    changed = int(tokens["changed"].sum())
    should = int(tokens["should_change"].sum())
    right = int((tokens["changed"] & tokens["correct"]).sum())
    hit = int((tokens["should_change"] & tokens["correct"]).sum())
    return {"tokens": len(tokens), "changed": changed, "should_change": should, "correct_changes": right,
            "precision": right / changed if changed else float("nan"),
            "recall": hit / should if should else float("nan")}


def by_category(tokens: pd.DataFrame) -> pd.DataFrame:
    """``score`` per category, as a table."""
    return pd.DataFrame([{"category": c, **score(g)} for c, g in tokens.groupby("category", sort=True)])


def errors(tokens: pd.DataFrame) -> pd.DataFrame:
    """Tokens whose output is not the expected norm (wrong changes and misses), most frequent first."""
    bad = tokens[~tokens["correct"]]
    return (bad.groupby(["token", "expected", "output"]).size().rename("n").reset_index()
            .sort_values(["n", "token"], ascending=[False, True], kind="stable").reset_index(drop=True))
