"""The claims table: each claim's measure, its result and a status derived from the data, never typed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from civicposts import claims
from civicposts.codebook import load_codebook
from civicposts.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
PAPER = ROOT / "data" / "raw" / "paper"


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(ROOT / "data" / "raw" / "coding" / "codebook.yaml")


def _final(rows):
    return pd.DataFrame([{"unit_id": u, "unit_type": t, "variable": v, "codes": list(c), "relation_target": r}
                         for u, t, v, c, r in rows])


FINAL = _final([
    ("P1", "post", "post_type", ["complaint"], None), ("P2", "post", "post_type", ["complaint"], None),
    ("P3", "post", "post_type", ["news"], None), ("P4", "post", "post_type", ["official_followup"], "P1"),
    ("INT-01", "interview", "interview_theme", ["limited_reach"], None),
    ("INT-02", "interview", "interview_theme", ["informal_dm_contact"], None),
])
PAIRS = pd.DataFrame({"followup_id": ["P4"], "complaint_id": ["P1"], "lag_days": [3.0]})
COMMENTS = pd.DataFrame({"post_id": ["P1", "P1", "P3"], "author": ["ratudewa", "user_ab12", "RatuDewa"]})


def data(codebook, **kw):
    base = dict(codebook=codebook, final=FINAL, posts=pd.DataFrame(), comments=COMMENTS, paper_dir=PAPER,
                official_accounts=("ratudewa",), followups=PAIRS)
    return claims.Data(**{**base, **kw})


def test_the_kit_papers_claims_load_and_name_known_measures():
    df = claims.load_claims(PAPER)
    assert len(df) >= 8 and set(df["measure"]) <= set(claims.MEASURES)
    assert df["paper_section"].str.len().min() > 0  # every claim is cited
    assert claims.load_claims(ROOT / "tests").empty and claims.load_claims(None).empty  # no file, no paper: none


def test_a_study_without_claims_gets_one_row_saying_so(codebook):
    table = claims.claims_table(claims.load_claims(None), data(codebook, demo_posts=False))
    assert list(table.columns) == claims.TABLE_COLUMNS and len(table) == 1
    assert table.loc[0, "status"] == "no claims" and "paper_dir" in table.loc[0, "claim_text"]


def test_a_bad_claims_file_names_the_line_and_the_problem(tmp_path):
    (tmp_path / "claims.csv").write_text("claim_id,claim,paper_section,paper_evidence,measure,argument\n"
                                         "C1,A claim,I,obs,no_such_measure,\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2 \(C1\): unknown measure 'no_such_measure'"):
        claims.load_claims(tmp_path)


def test_results_and_statuses_follow_the_data(codebook):
    table = claims.claims_table(claims.load_claims(PAPER), data(codebook, demo_posts=True)).set_index("claim")
    assert table.loc["C1", "status"] == claims.PAPER_FACT and "308 ribu" in table.loc["C1", "result"]
    assert table.loc["C2", "result"] == "2 of 4 coded posts (50%)" and table.loc["C2", "status"] == claims.DEMONSTRATED
    assert table.loc["C3", "result"] == "1 of 4 coded posts (25%)"
    assert table.loc["C4", "result"] == "2 comments under 2 of 2 posts with comments"
    assert table.loc["C5", "result"].startswith("1 coded follow-ups answer 1 complaints, median lag 3.0 days; "
                                               "1 of the 2 complaints")
    assert table.loc["C6", "result"] == "1 of 2 coded segments (INT-01)" and table.loc["C6", "status"] == claims.MEASURED
    real = claims.claims_table(claims.load_claims(PAPER), data(codebook, demo_posts=False)).set_index("claim")
    assert real.loc["C2", "status"] == claims.MEASURED  # the same measure on real data is a measurement


def test_missing_data_is_said_not_hidden(codebook):
    empty = _final([])
    table = claims.claims_table(claims.load_claims(PAPER), data(
        codebook, final=empty, comments=None, official_accounts=(), followups=None, paper_dir=None)).set_index("claim")
    assert set(table["status"]) == {claims.LACKING}
    assert table.loc["C4", "result"] == "no official_accounts in the study file"
    assert table.loc["C2", "result"] == "no post coded yet"
    assert table.loc["C1", "result"] == "no account_snapshot.csv among the paper's facts"
