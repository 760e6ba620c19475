"""The SIMULATED span coders (tools/civicposts_demo/spans.py): the rule, seeded noise, valid records."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from civicposts.codebook import load_codebook
from civicposts_demo import spans as sim

ROOT = Path(__file__).resolve().parents[1]
CAPTION = ("Keluhan warga (dari DM):\nbanjir setinggi lutut di Jl. Kenanga, sudah tiga hari. Lokasinya dekat pasar."
           "\nUpdate: PUPR membalas DM, petugas akan datang.\n#infopalembang")


def _sample(n=30):
    return pd.DataFrame({"unit_id": [f"P{i:02d}" for i in range(n)], "unit_type": "post",
                         "caption": [CAPTION] * n, "overlap": True})


def _key(n=30):
    return pd.DataFrame({"post_id": [f"P{i:02d}" for i in range(n)], "topics": "flooding_drainage"})


def test_the_rule_marks_the_problem_sentence_and_the_update():
    marks = sim.true_passages(CAPTION, ["flooding_drainage"])
    assert [(CAPTION[s:e], v, c) for s, e, v, c in marks] == [
        ("banjir setinggi lutut di Jl.", "topic", "flooding_drainage"),
        ("Update: PUPR membalas DM, petugas akan datang.", "gov_response", "acknowledged")]


def test_coder_a_follows_the_rule_coder_b_deviates_at_seeded_rates():
    book = load_codebook(ROOT / "data/raw/coding/codebook.yaml")
    one = sim.simulate(_sample(), _key(), book, seed=5)
    assert one == sim.simulate(_sample(), _key(), book, seed=5)  # seeded: same records
    a, b = one["sim_span_a"], one["sim_span_b"]
    assert len(a) == 60 and 40 <= len(b) < 60  # B misses some passages
    spans_a = {(r["unit_id"], r["variable"], r["span"]["start"], r["span"]["end"], tuple(r["codes"])) for r in a}
    differ = [r for r in b if (r["unit_id"], r["variable"], r["span"]["start"], r["span"]["end"],
                               tuple(r["codes"])) not in spans_a]
    assert 0 < len(differ) < len(b)
    assert all(r["memo"] == "SIMULATED span coder" for r in a + b)
