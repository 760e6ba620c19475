"""SIMULATED span coders for the demo: two coders who mark passages of complaint captions (maintainers only).

``PYTHONPATH=src:tools python -m civicposts_demo.spans`` reads the study's coding sample as the pipeline wrote it
(``data/processed/coding_sample.parquet``: the captions as coders see them, after cleaning and
masking) and the FICTIONAL answer key, and writes ``simulated_sim_span_a.jsonl`` and
``simulated_sim_span_b.jsonl`` into ``data/raw/simulated_spans/`` (whose PROVENANCE.yaml says *simulated*;
outside ``data/raw/demo/``, which the corpus generator rewrites whole).
Run it after ``make all`` whenever the cleaning changes the captions: spans whose passage no longer
reads the same are reported as orphans by the pipeline, never shifted.

What the coders do, on every complaint post of the coding sample (both coders code them all): mark the sentence that states the
resident's problem with the post's first true topic (variable ``topic``), and an "Update: ..."
sentence saying an agency responded with ``gov_response: acknowledged``. Coder A follows that rule;
coder B moves a boundary (a word more or less, or the next sentence included) with probability
:data:`BOUNDARY_RATE`, misses a passage with :data:`MISS_RATE` and picks a wrong topic with
:data:`WRONG_RATE`, so passage agreement is high but not perfect. Seeded; timestamps derived.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger("civicposts_demo")

SPAN_SEED = 20210303
BOUNDARY_RATE, MISS_RATE, WRONG_RATE = 0.30, 0.10, 0.10
CODERS = ("sim_span_a", "sim_span_b")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_PROBLEM_START = "Keluhan warga (dari DM):\n"


def _sentences(text: str) -> list[tuple[int, int]]:
    out = []
    for m in _SENTENCE.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def true_passages(caption: str, topics: list[str]) -> list[tuple[int, int, str, str]]:
    """(start, end, variable, code) the rule marks in one caption (empty when none applies)."""
    out = []
    at = caption.find(_PROBLEM_START)
    sents = _sentences(caption)
    if at >= 0 and topics:
        first = next(((s, e) for s, e in sents if s >= at + len(_PROBLEM_START)), None)
        if first:
            out.append((first[0], first[1], "topic", topics[0]))
    for s, e in sents:
        if caption[s:e].startswith("Update:"):
            out.append((s, e, "gov_response", "acknowledged"))
    return out


def _nudge(caption: str, s: int, e: int, rng: np.random.Generator) -> tuple[int, int]:
    """Coder B's boundaries: a word dropped or added at one end, or the next sentence taken in."""
    choice = int(rng.integers(0, 3))
    if choice == 0:  # the last word left out
        cut = caption.rfind(" ", s, e)
        return (s, cut) if cut > s else (s, e)
    if choice == 1:  # the first word left out
        cut = caption.find(" ", s, e)
        return (cut + 1, e) if 0 < cut < e - 1 else (s, e)
    nxt = next(((a, b) for a, b in _sentences(caption) if a >= e), None)  # the next sentence taken in
    return (s, nxt[1]) if nxt else (s, e)


def simulate(sample: pd.DataFrame, answer_key: pd.DataFrame, codebook: Any, *, seed: int = SPAN_SEED,
             ) -> dict[str, list[dict[str, Any]]]:
    """``{coder: [records]}``: the two SIMULATED span coders' lines (see the module docstring)."""
    from civicposts.coding import make_record, make_span

    key = answer_key.set_index("post_id")
    units = sample.loc[sample["unit_type"] == "post"].sort_values("unit_id")
    units = units.loc[units["unit_id"].isin(key.index) & units["caption"].str.contains(_PROBLEM_START, regex=False)]
    topics_all = codebook.codes("post")["topic"]
    out: dict[str, list[dict[str, Any]]] = {}
    for ci, coder in enumerate(CODERS):
        rng = np.random.default_rng([seed, ci])
        t = datetime(2021, 3, 5, 1, 0, tzinfo=timezone.utc) + timedelta(days=ci)
        recs: list[dict[str, Any]] = []
        for row in units.itertuples(index=False):
            topics = [x for x in str(key.loc[row.unit_id, "topics"]).split("|") if x in topics_all]
            for s, e, var, code in true_passages(row.caption, topics):
                if ci == 1:
                    if rng.random() < MISS_RATE:
                        continue
                    if rng.random() < BOUNDARY_RATE:
                        s, e = _nudge(row.caption, s, e, rng)
                    if var == "topic" and rng.random() < WRONG_RATE:
                        code = str(rng.choice([x for x in topics_all if x != code]))
                t += timedelta(seconds=int(rng.integers(15, 90)))
                recs.append(make_record(codebook, coder, row.unit_id, "post", var, [code],
                                        memo="SIMULATED span coder", timestamp=t,
                                        span=make_span(row.caption, s, e, where=f"simulated_{coder}.jsonl")))
        out[coder] = recs
    return out


def main(argv: list[str] | None = None) -> int:
    """CLI: write the SIMULATED span coders' files from the study's processed sample."""
    from civicposts.codebook import load_codebook
    from civicposts.coding import encode_record
    from civicposts.iorw import write_bytes

    p = argparse.ArgumentParser(prog="python -m civicposts_demo.spans", description=main.__doc__)
    p.add_argument("--sample", default="data/processed/coding_sample.parquet")
    p.add_argument("--answer-key", default="data/raw/demo/answer_key_FICTIONAL.csv")
    p.add_argument("--out", default="data/raw/simulated_spans")
    p.add_argument("--seed", type=int, default=SPAN_SEED)
    a = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="civicposts: %(message)s")
    records = simulate(pd.read_parquet(a.sample), pd.read_csv(a.answer_key, dtype=str).fillna(""),
                       load_codebook(), seed=a.seed)
    for coder, recs in records.items():
        write_bytes(Path(a.out) / f"simulated_{coder}.jsonl", b"".join(encode_record(r) for r in recs))
        log.info("%s: %d simulated span lines", coder, len(recs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
