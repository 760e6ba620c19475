"""Benchmark: how well cleaning decides, not how fast: measured on the sets the kit ships.

- Normalisation (``civicposts.normeval``): token-level precision and recall on the development set
  (``civicposts/data/normalisation_eval.tsv``, the set the lexicon tables were tuned on; goal: precision
  >= 0.95) and on the held-out set (``normalisation_eval_heldout.tsv``, scored after tuning), per category,
  with the remaining errors; and the same for Kamus Alay alone, the lexicon the kit used before.
- Near duplicates (``tests/fixtures/clean/near_duplicates.csv``): precision and recall of "is a repost" for
  the rule with and without the template (content-change) check.
- Promotions (``tests/fixtures/clean/promotions.csv``): precision and recall of the rule, and the
  non-commercial posts (institutional, charity, events, complaints) it flags (goal: none).

Usage: .venv/bin/python bench/bench_cleaning_quality.py
"""

from __future__ import annotations

import re
import sys
from importlib import resources
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from civicposts import clean as C  # noqa: E402
from civicposts import duplicates as D  # noqa: E402
from civicposts import lexicon as L  # noqa: E402
from civicposts import normalise as N  # noqa: E402
from civicposts import normeval as E  # noqa: E402
from civicposts import promotions as P  # noqa: E402

FIX = ROOT / "tests" / "fixtures" / "clean"


def _pr(pred: list[bool], truth: list[bool]) -> tuple[float, float]:
    tp = sum(p and t for p, t in zip(pred, truth))
    return tp / max(sum(pred), 1), tp / max(sum(truth), 1)


def normalisation() -> None:
    kamus_only = N.Normaliser(L.merge(sources=["kamus-alay"], ambiguous=()), {}, ())
    for name in ("normalisation_eval.tsv", "normalisation_eval_heldout.tsv"):
        sents = E.parse(resources.files("civicposts").joinpath("data", name).read_text(encoding="utf-8"), name)
        toks = E.token_table(sents)
        sc = E.score(toks)
        old = E.score(E.token_table(sents, kamus_only))
        print(f"\n{name}: {len(sents)} sentences, {sc['tokens']} tokens, {sc['should_change']} should change")
        print(f"  civicposts:       precision {sc['precision']:.3f}  recall {sc['recall']:.3f}  "
              f"({sc['changed']} changed, {sc['correct_changes']} right)")
        print(f"  Kamus Alay alone: precision {old['precision']:.3f}  recall {old['recall']:.3f}")
        cats = E.by_category(toks)[["category", "tokens", "changed", "should_change", "precision", "recall"]]
        print(cats.round(3).to_string(index=False))
        err = E.errors(toks)
        if len(err):
            print("  remaining errors:", "; ".join(f"{r.token} -> {r.output} (expected {r.expected})"
                                                 for r in err.head(12).itertuples()))


def near_duplicates() -> None:
    f = pd.read_csv(FIX / "near_duplicates.csv")
    a, b = C.clean_text(f["earlier"]).tolist(), C.clean_text(f["later"]).tolist()
    truth = (f["kind"] == "repost").tolist()
    res = [D.near_duplicate(y, x) for x, y in zip(a, b)]
    rule = [r[0] for r in res]
    similarity_only = [(r[1] >= D.NEAR_DUP_THRESHOLD or r[2] >= D.CONTAINMENT_THRESHOLD) and
                       set(D._NUMBER_RE.findall(x)) <= set(D._NUMBER_RE.findall(y)) for r, x, y in zip(res, a, b)]
    print(f"\nnear duplicates: {sum(truth)} reposts, {len(truth) - sum(truth)} templated distinct pairs")
    for name, pred in (("with template rule", rule), ("similarity only", similarity_only)):
        p, r = _pr(pred, truth)
        print(f"  {name:20} precision {p:.3f}  recall {r:.3f}  templates merged: "
              f"{sum(q and not t for q, t in zip(pred, truth))}")


# the rule civicposts used before (contact + any commercial word, or "info lebih lanjut hubungi"), for comparison
_OLD_STRONG = re.compile(P.STRONG_RE.pattern + r"|info\s+lebih\s+lanjut\s+hubungi", re.IGNORECASE)
_OLD_WEAK = re.compile(r"\b(?:diskon|disc|promo|harga|jual|dijual|ongkir|order|pesan\s+sekarang|cod|reseller|"
                       r"testimoni|produk|murah|gratis)\b", re.IGNORECASE)


def _old_rule(t: str) -> bool:
    return bool(_OLD_STRONG.search(t) or (_OLD_WEAK.search(t) and (P.PHONE_RE.search(t) or P.CONTACT_RE.search(t))))


def promotions() -> None:
    f = pd.read_csv(FIX / "promotions.csv")
    flags, _ = P.detect(f["caption"])
    truth = f["expected_promo"].astype(bool).tolist()
    nonc = f["kind"].isin(["institutional", "charity", "event", "complaint"]).to_numpy()
    print(f"\npromotions: {sum(truth)} promotions, {int(nonc.sum())} non-commercial posts")
    old = [_old_rule(t) for t in f["caption"]]
    for name, pred in (("civicposts rule", flags.tolist()), ("previous rule", old)):
        p, r = _pr(pred, truth)
        print(f"  {name:16} precision {p:.3f}  recall {r:.3f}  non-commercial flagged: "
              f"{sum(q and n for q, n in zip(pred, nonc))}")


if __name__ == "__main__":
    normalisation()
    near_duplicates()
    promotions()
