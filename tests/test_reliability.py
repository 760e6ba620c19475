"""Tests for civicposts.reliability: published worked examples, cross-checks, edge cases, properties."""

from __future__ import annotations

import io
import json
import math
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicposts import reliability as rel
from civicposts.errors import InputError

FIX = Path(__file__).parent / "fixtures" / "reliability"
nan = np.nan

# Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School for
# Communication Departmental Papers 43 (repository.upenn.edu/asc_papers/43), section C: 4 observers
# x 12 units, nominal with missing data. alpha = 0.743 (nominal); the same data give ordinal 0.815,
# interval 0.849 and ratio 0.797 (section E; also asserted in the `krippendorff` package's
# tests/test_krippendorff.py and the irrCAC README as "cac.raw4raters").
KRIPP_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
]
# Wikipedia "Krippendorff's alpha", computational example (3 coders x 15 units); nominal 0.691,
# interval 0.811 (fast-krippendorff tests: 0.691358 and 0.810845).
WIKI_ALPHA = [
    [nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
    [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
    [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4],
]
# Fleiss (1971), Table 1: 30 patients, 6 psychiatrists, 5 diagnoses; kappa = 0.430 (Fleiss 1971
# p. 380; R irr::kappam.fleiss(diagnoses) = 0.4302445, as in statsmodels' test_inter_rater.py).
FLEISS_1971 = np.array([
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
])
# Wikipedia "Fleiss' kappa" worked example: 10 subjects x 5 categories, 14 raters; kappa = 0.210.
WIKI_FLEISS = np.array([
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
])


def _from_table(table: list[list[int]], labels: list[str]) -> tuple[list[str], list[str]]:
    a, b = [], []
    for i, row in enumerate(table):
        for j, n in enumerate(row):
            a += [labels[i]] * n
            b += [labels[j]] * n
    return a, b


# --------------------------------------------------------------------------------------------
# Published worked examples
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("level, expected", [("nominal", 0.743), ("ordinal", 0.815),
                                             ("interval", 0.849), ("ratio", 0.797)])
def test_krippendorff_2011_example(level, expected):
    res = rel.krippendorff_alpha(KRIPP_2011, level)
    assert round(res, 3) == expected
    assert res.n_units == 11 and res.n_values == 40  # unit 12 has one value only: not pairable


@pytest.mark.parametrize("level, expected", [("nominal", 0.691), ("interval", 0.811)])
def test_wikipedia_alpha_example(level, expected):
    assert round(rel.krippendorff_alpha(WIKI_ALPHA, level), 3) == expected


def test_ordinal_alpha_with_ordered_string_domain():
    names = {1: "very low", 2: "low", 3: "mid", 4: "high", 5: "very high"}
    data = [[None if isinstance(v, float) and math.isnan(v) else names[v] for v in row] for row in KRIPP_2011]
    res = rel.krippendorff_alpha(data, "ordinal", domain=list(names.values()))
    assert round(res, 3) == 0.815


def test_irrcac_readme_values_on_krippendorff_data():
    # irrCAC README (kgwet/irrCAC), cac.raw4raters: pa 0.8181818, AC1 0.77544, Fleiss 0.76117.
    counts, cats = rel.value_counts(KRIPP_2011)
    assert cats == [1, 2, 3, 4, 5]
    assert round(rel.percent_agreement(KRIPP_2011), 7) == 0.8181818
    assert round(rel.gwet_ac1(counts), 5) == 0.77544
    assert round(rel.fleiss_kappa(counts), 5) == 0.76117


def test_fleiss_1971_diagnoses():
    counts, _ = rel.value_counts(FLEISS_1971.T)
    assert round(rel.fleiss_kappa(counts), 3) == 0.430
    assert rel.fleiss_kappa(counts).value == pytest.approx(0.4302445, abs=1e-7)


def test_wikipedia_fleiss_example():
    assert round(rel.fleiss_kappa(WIKI_FLEISS), 3) == 0.210


def test_cohen_textbook_examples():
    # Wikipedia "Cohen's kappa", first example: 50 proposals, 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no -> 0.4
    a, b = _from_table([[20, 5], [10, 15]], ["yes", "no"])
    assert round(rel.cohen_kappa(a, b), 3) == 0.400
    # SAS example used in statsmodels' TestUnweightedCohens: kappa 0.4842
    a, b = _from_table([[0, 4, 1], [0, 8, 0], [0, 1, 5]], ["x", "y", "z"])
    assert round(rel.cohen_kappa(a, b), 4) == 0.4842


# --------------------------------------------------------------------------------------------
# Cross-checks against other implementations
# --------------------------------------------------------------------------------------------

def test_alpha_matches_krippendorff_package_on_random_data():
    import krippendorff as kp  # GPL-3.0 (locked test dependency): a cross-check only, never imported by src/
    rng = np.random.default_rng(7)
    for trial in range(30):
        c, n = rng.integers(2, 6), rng.integers(5, 40)
        data = rng.integers(1, 6, size=(c, n)).astype(float)
        data[rng.random((c, n)) < 0.2] = np.nan
        for level in rel.LEVELS:
            ours = rel.krippendorff_alpha(data, level)
            try:
                theirs = kp.alpha(data, level_of_measurement=level)
            except ValueError:
                assert not ours.defined
                continue
            if math.isnan(theirs):
                assert not ours.defined
            else:
                assert ours.value == pytest.approx(theirs, abs=1e-9), (trial, level)


def test_cohen_matches_sklearn_and_statsmodels():
    from sklearn.metrics import cohen_kappa_score
    from statsmodels.stats.inter_rater import cohens_kappa, to_table

    rng = np.random.default_rng(11)
    for _ in range(25):
        n = int(rng.integers(10, 80))
        a = rng.integers(0, 4, n)
        b = np.where(rng.random(n) < 0.6, a, rng.integers(0, 4, n))
        ours = rel.cohen_kappa(a, b).value
        assert ours == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
        table = to_table(np.column_stack([a, b]), bins=np.arange(5))[0]
        assert ours == pytest.approx(cohens_kappa(table, return_results=False), abs=1e-12)


def test_fleiss_matches_statsmodels():
    from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

    rng = np.random.default_rng(3)
    for _ in range(25):
        raters = rng.integers(0, 4, size=(int(rng.integers(5, 50)), int(rng.integers(2, 7))))
        table, _ = aggregate_raters(raters)
        assert rel.fleiss_kappa(table).value == pytest.approx(fleiss_kappa(table), abs=1e-12)


def test_ac1_two_raters_closed_form():
    # Gwet (2008) for two raters and two categories: pe = 2 q (1 - q), q = mean share of category 1.
    a, b = _from_table([[118, 5], [2, 0]], ["+", "-"])
    pa = 118 / 125
    q = ((118 + 5) / 125 + (118 + 2) / 125) / 2
    pe = 2 * q * (1 - q)
    counts, _ = rel.value_counts([a, b])
    assert rel.gwet_ac1(counts).value == pytest.approx((pa - pe) / (1 - pe), abs=1e-12)
    # the kappa paradox: high agreement, kappa below zero, AC1 high
    assert rel.cohen_kappa(a, b).value < 0 < 0.9 < rel.gwet_ac1(counts).value


# --------------------------------------------------------------------------------------------
# Edge cases: defined values or clear reasons, never a crash or a silent NaN
# --------------------------------------------------------------------------------------------

def test_no_variation_is_undefined_with_reason():
    res = rel.krippendorff_alpha([[1, 1, 1], [1, 1, 1]])
    assert res.value is None and res.reason == "no variation: every value is 1"
    with pytest.raises(rel.UndefinedAgreement, match="no variation"):
        float(res)
    assert rel.cohen_kappa(["a", "a"], ["a", "a"]).reason == "no variation: every value is 'a'"
    assert rel.fleiss_kappa([[3, 0], [3, 0]]).reason.startswith("no variation")


def test_no_pairable_unit_is_undefined_with_reason():
    res = rel.krippendorff_alpha([[1, nan], [nan, 2]])
    assert res.value is None and "two" in res.reason or "2 or more" in res.reason
    assert rel.cohen_kappa([1, None], [None, 2]).reason == "no unit was coded by both coders"


def test_no_values_at_all():
    empty = [[nan, nan], [nan, nan]]
    assert rel.krippendorff_alpha(empty).reason == "no unit has values from 2 or more coders"
    assert not rel.percent_agreement(empty).defined
    assert not rel.fleiss_kappa(np.zeros((3, 0))).defined


def test_skipped_units_and_single_coder_units_are_left_out():
    full = rel.krippendorff_alpha([[1, 2, 3, 1], [1, 2, 3, 2]])
    with_gaps = rel.krippendorff_alpha([[1, 2, 3, 1, 4, nan], [1, 2, 3, 2, nan, 1]])
    assert with_gaps.value == pytest.approx(full.value)
    assert with_gaps.n_units == 4


def test_ac1_defined_when_kappa_is_not():
    counts = [[2, 0]] * 10  # everybody always chose category 0 of two
    assert not rel.fleiss_kappa(counts).defined
    assert rel.gwet_ac1(counts).value == 1.0
    assert not rel.gwet_ac1([[2]]).defined


def test_bad_input_messages():
    with pytest.raises(ValueError, match="level must be one of"):
        rel.krippendorff_alpha(KRIPP_2011, "cardinal")
    with pytest.raises(ValueError, match="not in the value domain"):
        rel.krippendorff_alpha([[1, 2], [1, 3]], domain=[1, 2])
    with pytest.raises(ValueError, match="numeric"):
        rel.krippendorff_alpha([["a", "b"], ["a", "b"]], "interval")
    with pytest.raises(ValueError, match="non-negative"):
        rel.fleiss_kappa([[1, -1]])


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

codes_st = st.integers(min_value=0, max_value=3)


@st.composite
def reliability_matrices(draw):
    c = draw(st.integers(2, 4))
    n = draw(st.integers(2, 12))
    vals = draw(st.lists(st.lists(st.one_of(codes_st, st.none()), min_size=n, max_size=n), min_size=c, max_size=c))
    return np.array([[nan if v is None else float(v) for v in row] for row in vals])


def _all_stats(data):
    counts, _ = rel.value_counts(data)
    return [rel.krippendorff_alpha(data, lv).value for lv in rel.LEVELS] + [
        rel.percent_agreement(data).value, rel.fleiss_kappa(counts).value, rel.gwet_ac1(counts, 4).value]


def _same(a, b):
    return all((x is None and y is None) or (x is not None and y is not None and x == pytest.approx(y, abs=1e-9))
               for x, y in zip(a, b))


@settings(max_examples=60, deadline=None)
@given(st.lists(codes_st, min_size=2, max_size=20), st.integers(2, 5))
def test_perfect_agreement_gives_one(row, n_coders):
    data = np.array([row] * n_coders, dtype=float)
    res = rel.krippendorff_alpha(data)
    if len(set(row)) > 1:
        assert res.value == 1.0
        assert rel.percent_agreement(data).value == 1.0
    else:
        assert res.reason.startswith("no variation")


@settings(max_examples=60, deadline=None)
@given(reliability_matrices(), st.randoms(use_true_random=False))
def test_permuting_units_and_coders_changes_nothing(data, rnd):
    units = list(range(data.shape[1]))
    coders = list(range(data.shape[0]))
    rnd.shuffle(units)
    rnd.shuffle(coders)
    assert _same(_all_stats(data), _all_stats(data[coders][:, units]))


@settings(max_examples=60, deadline=None)
@given(reliability_matrices(), st.permutations(["w", "x", "y", "z"]))
def test_renaming_codes_changes_no_nominal_statistic(data, names):
    renamed = np.array([[None if math.isnan(v) else names[int(v)] for v in row] for row in data], dtype=object)
    counts_a, _ = rel.value_counts(data)
    counts_b, _ = rel.value_counts(renamed)
    a = [rel.krippendorff_alpha(data).value, rel.percent_agreement(data).value,
         rel.fleiss_kappa(counts_a).value, rel.gwet_ac1(counts_a, 4).value]
    b = [rel.krippendorff_alpha(renamed).value, rel.percent_agreement(renamed).value,
         rel.fleiss_kappa(counts_b).value, rel.gwet_ac1(counts_b, 4).value]
    assert _same(a, b)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(codes_st, codes_st), min_size=2, max_size=30))
def test_cohen_symmetric_in_coders(pairs):
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    assert _same([rel.cohen_kappa(a, b).value], [rel.cohen_kappa(b, a).value])
    assert rel.cohen_kappa(a, b).reason == rel.cohen_kappa(b, a).reason


# --------------------------------------------------------------------------------------------
# Decisions tables
# --------------------------------------------------------------------------------------------

KINDS = {"post_type": "single", "topic": "multi"}
CODES = {"post_type": ["complaint", "news", "official_followup", "promotion", "other"],
         "topic": ["roads", "flooding_drainage", "waste", "security"]}
DEFS = {("post_type", "complaint"): "A citizen reports a problem.", ("post_type", "news"): "General news.",
        ("post_type", "official_followup"): "Shows an official's action.", ("topic", "roads"): "Road surface.",
        ("topic", "flooding_drainage"): "Floods and drains.", ("topic", "waste"): "Rubbish.",
        ("topic", "security"): "Crime."}


def load_decisions(path=FIX / "decisions_small.jsonl") -> pd.DataFrame:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    df = pd.DataFrame(rows)
    df["codes"] = [tuple(sorted(c)) for c in df["codes"]]
    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True)
    return df


def simulate(n_units: int, coders: list[str], error: float, seed: int, *, prevalence: float = 0.3) -> pd.DataFrame:
    """SIMULATED coders: each copies the true answer, or with probability ``error`` picks another one at random."""
    rng = np.random.default_rng(seed)
    pt = CODES["post_type"]
    truth_pt = rng.integers(0, len(pt), n_units)
    truth_roads = rng.random(n_units) < prevalence
    rows = []
    for u in range(n_units):
        for c in coders:
            k = truth_pt[u]
            if rng.random() < error:
                k = (k + rng.integers(1, len(pt))) % len(pt)
            roads = truth_roads[u] ^ (rng.random() < error)
            base = dict(unit_id=f"S{u:04d}", unit_type="post", coder=c, memo="", relation_target=None,
                        timestamp=pd.Timestamp("2021-03-01", tz="UTC"))
            rows.append({**base, "variable": "post_type", "codes": (pt[k],)})
            rows.append({**base, "variable": "topic", "codes": ("roads",) if roads else ()})
    return pd.DataFrame(rows)


def test_agreement_table_rows_and_columns():
    t = rel.agreement_table(load_decisions(), KINDS, CODES, n_boot=200, seed=1)
    assert list(t["variable"]) == ["post_type"] + ["topic"] * 4
    assert list(t["code"][1:]) == CODES["topic"]
    assert pd.isna(t["code"].iloc[0])
    pt = t.iloc[0]
    # U4 was coded by one coder only: 3 pairable units, 2 of 3 agree
    assert pt["n_units"] == 3 and pt["n_coders"] == 2
    assert pt["percent_agreement"] == pytest.approx(2 / 3)
    direct = rel.krippendorff_alpha([["complaint", "news", "official_followup"],
                                     ["complaint", "complaint", "official_followup"]])
    assert pt["alpha"] == pytest.approx(direct.value)
    waste = t[t["code"] == "waste"].iloc[0]
    assert waste["verdict"] == "undefined: no variation: code never used"
    assert math.isnan(waste["alpha"]) and "alpha: no variation: code never used" in waste["notes"]
    assert math.isnan(waste["alpha_p_below_tentative"])
    assert waste["ac1"] == 1.0  # AC1 stays defined for a code nobody used
    flood = t[t["code"] == "flooding_drainage"].iloc[0]
    assert flood["prevalence"] == pytest.approx(1 / 6)
    for _, r in t.iterrows():
        if not math.isnan(r["alpha"]):
            assert r["alpha_ci_low"] <= r["alpha"] + 1e-9 and r["alpha"] <= r["alpha_ci_high"] + 1e-9


def test_undefined_everywhere_is_one_note_and_q_is_a_share():
    d = load_decisions()
    t = rel.agreement_table(d, {**KINDS, "interview_theme": "multi"},
                            {**CODES, "interview_theme": ["limited_reach"]}, n_boot=200, seed=3)
    theme = t[t["variable"] == "interview_theme"].iloc[0]
    assert theme["notes"] == "all statistics undefined: no unit coded by two or more coders"
    assert theme["n_coders"] == 0
    d = simulate(200, ["a", "b"], 0.25, seed=5)
    roads = rel.agreement_table(d, KINDS, CODES, n_boot=500, seed=3).set_index("code").loc["roads"]
    assert 0 <= roads["alpha_p_below_reliable"] <= 1
    assert roads["alpha_p_below_tentative"] <= roads["alpha_p_below_reliable"]
    assert roads["alpha_p_below_reliable"] > 0.5  # alpha is far below .800 with 25% errors


def test_ordinal_level_for_ordered_single_choice_variable():
    d = simulate(120, ["a", "b", "c"], 0.2, seed=8)
    order = CODES["post_type"]  # treat the code list as ordered, for the test
    t = rel.agreement_table(d, KINDS, CODES, n_boot=200, seed=2, levels={"post_type": "ordinal"})
    row = t.iloc[0]
    data = rel.reliability_data(d, "post_type", "single").to_numpy()
    assert row["level"] == "ordinal" and t.iloc[1]["level"] == "nominal"
    assert row["alpha"] == pytest.approx(rel.krippendorff_alpha(data, "ordinal", domain=order).value)
    assert row["alpha"] != pytest.approx(rel.krippendorff_alpha(data).value)
    assert row["alpha_ci_low"] <= row["alpha"] <= row["alpha_ci_high"]
    with pytest.raises(ValueError, match="only single-choice"):
        rel.agreement_table(d, KINDS, CODES, n_boot=10, seed=2, levels={"topic": "ordinal"})


def test_alpha_ci_interval_level_is_seeded():
    a = rel.alpha_ci(KRIPP_2011, "interval", n_boot=500, seed=7)
    b = rel.alpha_ci(KRIPP_2011, "interval", n_boot=500, seed=7)
    assert a == b and round(a[0], 3) == 0.849 and a[1] < 0.849 <= a[2] <= 1.0


def test_code_used_by_everyone_on_every_unit():
    d = load_decisions()
    d = d[d["variable"] == "topic"].copy()
    d["codes"] = [("roads",)] * len(d)
    t = rel.agreement_table(d, {"topic": "multi"}, {"topic": ["roads"]}, n_boot=10, seed=1)
    assert t["verdict"].iloc[0] == "undefined: no variation: code used on every unit"


def test_agreement_table_deterministic_and_seeded():
    d = simulate(80, ["a", "b", "c"], 0.15, seed=4)
    t1 = rel.agreement_table(d, KINDS, CODES, n_boot=300, seed=42)
    t2 = rel.agreement_table(d.sample(frac=1.0, random_state=0), KINDS, CODES, n_boot=300, seed=42)
    pd.testing.assert_frame_equal(t1, t2)
    t3 = rel.agreement_table(d, KINDS, CODES, n_boot=300, seed=43)
    assert not np.allclose(t1["alpha_ci_low"].dropna(), t3["alpha_ci_low"].dropna())
    pd.testing.assert_series_equal(t1["alpha"], t3["alpha"])


def test_agreement_table_csv_is_byte_identical(tmp_path):
    from civicposts.iorw import write_csv

    d = simulate(50, ["a", "b"], 0.1, seed=6)
    write_csv(tmp_path / "a.csv", rel.agreement_table(d, KINDS, CODES, n_boot=100, seed=5))
    write_csv(tmp_path / "b.csv", rel.agreement_table(d.iloc[::-1], KINDS, CODES, n_boot=100, seed=5))
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_agreement_table_matches_direct_functions_with_three_coders():
    d = simulate(60, ["a", "b", "c"], 0.2, seed=9)
    d = d[~((d["coder"] == "c") & (d["unit_id"] < "S0020"))]  # coder c skipped 20 units
    t = rel.agreement_table(d, KINDS, CODES, n_boot=50, seed=1)
    for variable, code in [("post_type", None), ("topic", "roads")]:
        data = rel.reliability_data(d, variable, KINDS[variable], code=code)
        row = t[(t["variable"] == variable) & (t["code"].isna() if code is None else t["code"] == code)].iloc[0]
        assert row["alpha"] == pytest.approx(rel.krippendorff_alpha(data.to_numpy()).value)
        counts, _ = rel.value_counts(data.to_numpy(), CODES[variable] if code is None else [0.0, 1.0])
        assert row["fleiss_kappa"] == pytest.approx(rel.fleiss_kappa(counts).value)
        assert row["ac1"] == pytest.approx(rel.gwet_ac1(counts).value)
        pairs = [rel.cohen_kappa(data.iloc[i], data.iloc[j]).value for i, j in [(0, 1), (0, 2), (1, 2)]]
        assert row["cohen_kappa"] == pytest.approx(np.mean(pairs))


@pytest.mark.parametrize("error", [0.05, 0.15, 0.3])
def test_simulated_coders_recover_expected_agreement(error):
    # Expected pairwise agreement of two coders each right with prob 1-e, errors uniform over the
    # other V-1 codes: (1-e)^2 + e^2/(V-1); for the binary code with true prevalence .3, observed
    # prevalence q = .3(1-e) + .7e and alpha = 1 - 2e(1-e) / (2q(1-q)). Over 20 seeded simulated
    # studies the 95% bootstrap interval must contain the expected value in most of them (a fixed
    # seed would pass or fail by luck alone), and the point estimates must centre on it.
    q = 0.3 * (1 - error) + 0.7 * error
    targets = {("post_type", "percent_agreement"): (1 - error) ** 2 + error ** 2 / 4,
               ("roads", "percent_agreement"): (1 - error) ** 2 + error ** 2,
               ("roads", "alpha"): 1 - (2 * error * (1 - error)) / (2 * q * (1 - q))}
    covered = {k: 0 for k in targets}
    points = {k: [] for k in targets}
    for study in range(20):
        d = simulate(300, ["a", "b", "c"], error, seed=1000 * study + int(error * 100))
        t = rel.agreement_table(d, KINDS, CODES, n_boot=400, seed=20210202 + study)
        for (row_name, stat), expected in targets.items():
            row = t[(t["variable"] == row_name) | (t["code"] == row_name)].iloc[0]
            covered[(row_name, stat)] += row[f"{stat}_ci_low"] <= expected <= row[f"{stat}_ci_high"]
            points[(row_name, stat)].append(row[stat])
    for key, expected in targets.items():
        assert covered[key] >= 16, (key, covered[key])
        assert np.mean(points[key]) == pytest.approx(expected, abs=0.02), key


def test_decision_errors_name_unit_and_coder():
    d = load_decisions()
    d.loc[0, "codes"] = ("complaint", "news")
    with pytest.raises(InputError, match=r"unit 'U1', coder 'ana'.*several codes"):
        rel.agreement_table(d, KINDS, CODES, n_boot=10, seed=1)
    d = load_decisions()
    d.loc[7, "codes"] = ("potholes",)
    with pytest.raises(InputError, match=r"'potholes' is not a code of 'topic'"):
        rel.agreement_table(d, KINDS, CODES, n_boot=10, seed=1)
    with pytest.raises(InputError, match="missing column"):
        rel.agreement_table(d.drop(columns="coder"), KINDS, CODES, seed=1)


def test_latest_decision_wins():
    d = load_decisions()
    newer = d.iloc[[3]].copy()
    newer["codes"] = [("news",)]
    newer["timestamp"] = newer["timestamp"] + pd.Timedelta("1h")
    t = rel.agreement_table(pd.concat([newer, d]), KINDS, CODES, n_boot=10, seed=1)
    assert t.iloc[0]["percent_agreement"] == 1.0


def test_units_restricts_the_sample():
    t = rel.agreement_table(load_decisions(), KINDS, CODES, units=["U1", "U3"], n_boot=10, seed=1)
    assert t.iloc[0]["n_units"] == 2 and t.iloc[0]["percent_agreement"] == 1.0


def test_relation_agreement():
    d = load_decisions()
    extra = d[(d["unit_id"] == "U3") & (d["variable"] == "post_type")].copy()
    extra["unit_id"] = "U5"
    extra["relation_target"] = ["U1", "U2"]  # the coders link U5 to different complaints
    t = rel.relation_agreement(pd.concat([d, extra]), n_boot=100, seed=1)
    row = t.iloc[0]
    assert row["variable"] == "post_type" and row["n_units"] == 2 and row["n_coders"] == 2
    assert row["percent_agreement"] == 0.5
    expected = rel.krippendorff_alpha([["U1", "U1"], ["U1", "U2"]]).value
    assert row["alpha"] == pytest.approx(expected)
    only_one = rel.relation_agreement(d, n_boot=10, seed=1).iloc[0]
    assert only_one["verdict"] == "undefined: no variation: every value is 'U1'"


def test_confusion_matrix():
    d = load_decisions()
    m = rel.confusion_matrix(d, "post_type", "ana", "bayu")
    assert m.loc["news", "complaint"] == 1 and m.loc["complaint", "complaint"] == 1
    assert int(m.to_numpy().sum()) == 3  # U4: bayu did not code it
    m2 = rel.confusion_matrix(d, "topic", "ana", "bayu", code="flooding_drainage")
    assert m2.loc["absent", "present"] == 1 and m2.loc["absent", "absent"] == 2
    m3 = rel.confusion_matrix(d, "topic", "ana", "bayu")
    assert m3.loc["roads", "flooding_drainage|roads"] == 1 and m3.loc["(none)", "(none)"] == 1
    m4 = rel.confusion_matrix(d, "post_type", "ana", "bayu", labels=CODES["post_type"])
    assert list(m4.index) == CODES["post_type"] and m4.loc["other"].sum() == 0
    with pytest.raises(ValueError, match="coder 'carla' has no decisions"):
        rel.confusion_matrix(d, "post_type", "ana", "carla")


def test_disagreement_sheet(tmp_path):
    sheet = rel.disagreements(load_decisions(), KINDS)
    assert list(sheet["unit_id"]) == ["U2", "U1"] and list(sheet["variable"]) == ["post_type", "topic"]
    assert list(sheet.columns) == ["unit_id", "unit_type", "variable", "kind", "codes_ana", "codes_bayu",
                                   "decision", "reason", "reconciler"]
    assert sheet.loc[1, "codes_bayu"] == "flooding_drainage|roads"
    assert (sheet["decision"] == "").all()
    p1 = rel.write_disagreement_sheet(sheet, tmp_path / "a.csv", tmp_path / "a.xlsx")
    first = [p.read_bytes() for p in p1]
    p2 = rel.write_disagreement_sheet(sheet, tmp_path / "a.csv", tmp_path / "a.xlsx")
    assert first == [p.read_bytes() for p in p2]
    assert first[0].startswith(b"\xef\xbb\xbf")
    with zipfile.ZipFile(io.BytesIO(first[1])) as z:
        assert {i.date_time for i in z.infolist()} == {(2021, 2, 27, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
        assert "2021-02-27T00:00:00Z" in core
    import openpyxl
    ws = openpyxl.load_workbook(tmp_path / "a.xlsx").active
    rows = list(ws.values)
    assert rows[0][:3] == ("unit_id", "unit_type", "variable") and rows[2][0] == "U1"


def test_read_adjudications_jsonl_latest_wins_and_apply():
    adj = rel.read_adjudications(FIX / "adjudications_ok.jsonl", codes=CODES)
    assert adj["codes"].iloc[0] == ("news",) and str(adj["timestamp"].dt.tz) == "UTC"
    final = rel.apply_adjudications(load_decisions(), adj)
    by = final.set_index(["unit_id", "variable"])
    assert by.loc[("U2", "post_type"), "status"] == "adjudicated"
    assert by.loc[("U2", "post_type"), "codes"] == ("news",)
    assert by.loc[("U1", "topic"), "codes"] == ("flooding_drainage", "roads")  # later timestamp wins
    assert by.loc[("U1", "topic"), "reason"] == "second look: drain blocked too"
    assert by.loc[("U1", "post_type"), "status"] == "agreed"
    assert by.loc[("U3", "post_type"), "relation_target"] == "U1"
    assert by.loc[("U4", "post_type"), "status"] == "single_coder"
    assert rel.apply_adjudications(load_decisions(), None)["status"].value_counts()["unresolved"] == 2
    none_adj = rel.apply_adjudications(load_decisions(), adj.iloc[:0])
    assert none_adj.set_index(["unit_id", "variable"]).loc[("U2", "post_type"), "status"] == "unresolved"
    assert none_adj.set_index(["unit_id", "variable"]).loc[("U2", "post_type"), "codes"] is None


def test_read_adjudications_from_filled_sheet():
    adj = rel.read_adjudications(FIX / "adjudications_sheet.csv")
    assert len(adj) == 1  # the row without a decision is not adjudicated yet
    assert adj["codes"].iloc[0] == ("flooding_drainage", "roads") and adj["record"].iloc[0] == 2
    assert adj["timestamp"].isna().all()


@pytest.mark.parametrize("name, pattern", [
    ("adjudications_bad_json.jsonl", r"adjudications_bad_json.jsonl, record 2: not valid JSON"),
    ("adjudications_missing_field.jsonl", r"record 1: missing field 'reconciler'"),
    ("adjudications_bad_code.csv", r"record 2 \(unit 'U2', variable 'post_type'\): unknown code\(s\) \['gossip'\]"),
    ("nope.jsonl", "file not found"),
])
def test_read_adjudications_errors(name, pattern):
    with pytest.raises(InputError, match=pattern):
        rel.read_adjudications(FIX / name, codes=CODES)


def test_sheet_round_trip(tmp_path):
    from civicposts.iorw import write_csv

    d = load_decisions()
    csv, _ = rel.write_disagreement_sheet(rel.disagreements(d, KINDS), tmp_path / "s.csv", tmp_path / "s.xlsx")
    filled = pd.read_csv(csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    filled.loc[filled["unit_id"] == "U2", ["decision", "reason", "reconciler"]] = ["news", "council news", "lead"]
    write_csv(tmp_path / "filled.csv", filled, bom=True)
    final = rel.apply_adjudications(d, rel.read_adjudications(tmp_path / "filled.csv", codes=CODES))
    by = final.set_index(["unit_id", "variable"])["status"]
    assert by[("U2", "post_type")] == "adjudicated" and by[("U1", "topic")] == "unresolved"


def test_adjudication_for_unknown_unit_is_an_error():
    adj = rel.read_adjudications(FIX / "adjudications_ok.jsonl")
    adj.loc[0, "unit_id"] = "U99"
    with pytest.raises(InputError, match="U99.*matches no coded unit"):
        rel.apply_adjudications(load_decisions(), adj)


def test_student_feedback():
    d = load_decisions()
    fb = rel.student_feedback(d[d["coder"] == "bayu"], d[d["coder"] == "ana"], KINDS, DEFS)
    summary = fb[fb["row"] == "summary"]
    pt = summary[summary["variable"] == "post_type"].iloc[0]
    assert pd.isna(pt["code"]) and pt["n_units"] == 3 and pt["agreement"] == pytest.approx(2 / 3)
    per_code = summary[summary["variable"] == "post_type"].set_index("code")
    assert per_code.loc["news", "agreement"] == pytest.approx(2 / 3)  # ana said news on U2, bayu not
    assert per_code.loc["official_followup", "agreement"] == 1.0
    assert len(dis_rows := fb[(fb["row"] == "disagreement") & (fb["variable"] == "post_type")]) == 1
    assert dis_rows.iloc[0]["unit_id"] == "U2"
    dis = fb[fb["row"] == "disagreement"]
    single = dis[dis["variable"] == "post_type"].iloc[0]
    assert (single["unit_id"], single["student_code"], single["reference_code"]) == ("U2", "complaint", "news")
    assert single["student_definition"] == DEFS[("post_type", "complaint")]
    assert single["reference_definition"] == DEFS[("post_type", "news")]
    multi = dis[dis["variable"] == "topic"].iloc[0]
    assert (multi["unit_id"], multi["code"]) == ("U1", "flooding_drainage")
    assert multi["student_definition"] == DEFS[("topic", "flooding_drainage")] and multi["reference_definition"] == ""
    assert "the reference did not" in multi["note"]
    sec = summary[summary["code"] == "security"].iloc[0]  # listed from the codebook though nobody used it
    assert sec["agreement"] == 1.0 and sec["note"].startswith("no variation")


def test_forest_figure():
    import matplotlib.pyplot as plt

    from civicposts.figures.reliability import agreement_forest

    t = rel.agreement_table(load_decisions(), KINDS, CODES, n_boot=50, seed=1)
    fig, data = agreement_forest(t)
    ax = fig.axes[0]
    assert len(data) == len(t) and data["label"].iloc[1] == "topic: roads"
    xs = sorted({round(line.get_xdata()[0], 3) for line in ax.lines if len(set(line.get_xdata())) == 1
                 and len(line.get_xdata()) == 2})
    assert 0.667 in xs and 0.8 in xs
    assert ax.get_xlabel() and ax.get_ylabel()
    assert any("undefined" in t_.get_text() for t_ in ax.texts)
    plt.close(fig)
    t2 = rel.agreement_table(load_decisions(), KINDS, CODES, n_boot=50, seed=1, levels={"post_type": "ordinal"})
    fig2, data2 = agreement_forest(t2)
    assert data2["label"].iloc[0] == "post_type (ordinal)" and "ordinal" in fig2.axes[0].get_xlabel()
    plt.close(fig2)


def test_report_tables():
    from civicposts.tables.reliability import agreement_summary, reliability_verdicts

    s = agreement_summary(load_decisions(), KINDS, CODES, seed=1, n_boot=20)
    assert s["code"].iloc[0] == "" and "verdict" in s.columns
    v = reliability_verdicts(rel.agreement_table(load_decisions(), KINDS, CODES, n_boot=20, seed=1))
    assert v["rows"].sum() == 5 and v.set_index("verdict").loc["undefined", "rows"] >= 2


def test_package_does_not_import_gpl_krippendorff():
    src = Path(rel.__file__).parent.parent  # the whole civicposts package
    for p in src.rglob("*.py"):
        text = p.read_text(encoding="utf-8")
        assert "import krippendorff" not in text and "from krippendorff" not in text, p


def test_all_adjudication_files_in_order_and_the_status_table(tmp_path):
    assert rel.read_all_adjudications([tmp_path / "absent.jsonl"], codes=CODES) is None
    both = rel.read_all_adjudications([FIX / "adjudications_ok.jsonl", tmp_path / "absent.csv",
                                       FIX / "adjudications_ok.jsonl"], codes=CODES)
    one = rel.read_adjudications(FIX / "adjudications_ok.jsonl", codes=CODES)
    assert len(both) == 2 * len(one)
    final = rel.apply_adjudications(load_decisions(), both)
    status = rel.final_status(final)
    assert list(status.columns) == ["unit_type", "variable", "status", "units"]
    assert status["units"].sum() == len(final)
    counts = final.value_counts(["variable", "status"])
    assert all(counts[(r.variable, r.status)] == r.units for r in status.itertuples())


def _book():
    from civicposts.codebook import load_codebook

    return load_codebook("data/raw/coding/codebook.yaml")


def _dec(coder, rows):
    return pd.DataFrame([{"unit_id": u, "unit_type": "post", "variable": v, "coder": coder, "codes": tuple(c),
                          "memo": "", "relation_target": None, "timestamp": "2021-01-01T00:00:00+00:00",
                          "source_file": f"coding/{coder}.jsonl"} for u, v, c in rows])


def test_learner_feedback_says_how_many_posts_agree_in_words():
    ref = _dec("ref", [(u, "post_type", ["complaint"]) for u in ("P1", "P2", "P3", "P4")]
               + [(u, "topic", ["roads"]) for u in ("P1", "P2", "P3", "P4")])
    stu = _dec("stu", [("P1", "post_type", ["complaint"]), ("P2", "post_type", ["news"]),
                       ("P3", "post_type", ["complaint"]), ("P1", "topic", ["roads"]),
                       ("P2", "topic", ["roads", "waste"]), ("P3", "topic", ["roads"]), ("P9", "topic", ["waste"])])
    summary = rel.learner_summary(stu, ref, _book()).set_index("what")
    assert summary.loc["posts compared", "result"] == "3"  # P9: the reference did not code it
    assert summary.loc["posts where you agree on every variable", "result"] == "2 of 3"
    assert summary.loc["Post type", "result"].startswith("2 of 3 (67%)")
    assert summary.loc["Topic", "result"] == "2 of 3 (67%) with the same set"
    assert not summary.isna().any().any() and "nan" not in summary.to_string().lower()
    texts = {"P2": "Banjir lagi di lorong 5"}
    dis = rel.learner_disagreements(stu, ref, _book(), texts)
    row = dis[dis["variable"] == "Post type"].iloc[0]
    assert (row["post"], row["text"], row["your_code"], row["reference_code"]) == \
        ("P2", "Banjir lagi di lorong 5", "News or information", "Citizen complaint")
    assert row["rule"].startswith("use 'Citizen complaint' when:") and "not 'News or information' when:" in row["rule"]
    topic = dis[dis["variable"] == "Topic"].iloc[0]
    assert (topic["post"], topic["your_code"], topic["reference_code"]) == ("P2", "Waste", "(not ticked)")


def test_learner_feedback_with_nothing_shared_says_so():
    ref = _dec("ref", [("P1", "post_type", ["complaint"])])
    stu = _dec("stu", [("P2", "post_type", ["news"])])
    summary = rel.learner_summary(stu, ref, _book())
    assert summary["result"].tolist() == ["0"] and "nothing to compare" in summary["meaning"].item()
