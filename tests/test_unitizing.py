"""Unitizing alpha against Krippendorff's published examples, its properties, token-level alpha and the
span disagreement sheet.

The examples are Krippendorff (2004: 254) and Krippendorff (1995: 57) as DKPro Statistics' unitizing
tests (``Krippendorff2004Test``, ``Krippendorff1995Test``) state them, with the same tolerances: the
1995 paper's expected disagreements are known to carry a small arithmetic error, so they are matched
within 0.005 and the alphas within 0.02, as DKPro does; everything else to 4-5 decimals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicposts.reliability import stats
from civicposts.reliability import unitizing as u


def _frame(rows, document="d"):
    return pd.DataFrame([{"document": document, "coder": str(r), "start": o, "end": o + n} for o, n, r in rows],
                        columns=["document", "coder", "start", "end"])


# -- Krippendorff (2004: 254): continuum 150..450, two coders, codes c and k --------------------------------

K2004 = {"c": [(225, 70, 0), (370, 30, 0), (220, 80, 1), (355, 20, 1), (400, 20, 1)],
         "k": [(180, 60, 0), (300, 50, 0), (180, 60, 1), (300, 50, 1)]}


def test_krippendorff_2004_worked_example():
    res = {c: u.unitizing_alpha(_frame(rows), {"d": 300}, ["0", "1"], begin={"d": 150}) for c, rows in K2004.items()}
    assert res["c"].observed == pytest.approx(0.0144, abs=1e-4)
    assert res["c"].expected == pytest.approx(0.0532, abs=1e-4)
    assert res["c"].value == pytest.approx(0.7286, abs=1e-4)
    assert res["k"].observed == 0.0
    assert res["k"].expected == pytest.approx(0.0490, abs=1e-4)
    assert res["k"].value == pytest.approx(1.0)
    assert u.overall_alpha(res.values()) == pytest.approx(0.8591, abs=5e-4)


def test_krippendorff_2004_distances():
    # DKPro's testDistanceMetric1/2: the squared distances of section pairs
    assert u.distance((5, 11, True), (4, 6, True)) == 26.0
    assert u.distance((5, 11, True), (5, 7, True)) == 16.0
    assert u.distance((5, 11, True), (6, 8, True)) == 10.0
    assert u.distance((5, 11, True), (7, 9, True)) == 8.0
    assert u.distance((5, 11, True), (6, 10, True)) == 2.0
    assert u.distance((5, 11, True), (5, 11, True)) == 0.0
    assert u.distance((225, 295, True), (220, 300, True)) == 50.0
    assert u.distance((370, 400, True), (355, 375, True)) == 850.0
    assert u.distance((400, 450, False), (400, 420, True)) == 400.0
    assert u.distance((400, 450, False), (430, 460, True)) == 0.0  # not wholly inside the gap


# -- Krippendorff (1995: 57): four pairs of coders on a 24-position continuum, stretched ----------------------

K1995 = {"A": [(2, 8, 0), (14, 6, 0), (4, 4, 1), (15, 2, 1)],
         "B": [(0, 18, 0), (0, 2, 1), (2, 1, 1), (3, 1, 1), (4, 1, 1), (5, 1, 1), (6, 3, 1), (9, 1, 1)],
         "C": [(2, 6, 0), (10, 2, 0), (14, 4, 0), (20, 2, 0), (0, 2, 1), (4, 4, 1), (10, 4, 1), (16, 2, 1),
               (20, 2, 1)],
         "D": [(0, 2, 0), (2, 8, 0), (10, 4, 0), (14, 6, 0), (20, 4, 0), (0, 4, 1), (4, 4, 1), (8, 7, 1),
               (15, 2, 1), (17, 7, 1)]}


def _k1995(code, stretch):
    rows = [(int(o * stretch), int(n * stretch), r) for o, n, r in K1995[code]]
    return u.unitizing_alpha(_frame(rows), {"d": int(24 * stretch)}, ["0", "1"])


def test_krippendorff_1995_observed_disagreement():
    for code, want in {"A": 0.03125, "B": 2.26736, "C": 0.02777, "D": 0.38715}.items():
        assert _k1995(code, 1).observed == pytest.approx(want, abs=1e-5), code


def test_krippendorff_1995_expected_and_alpha_in_the_limit():
    big = 1_200_000 / 24
    for code, (de, alpha) in {"A": (0.06990, 0.553), "B": (1.17731, -0.926), "C": (0.08642, 0.679),
                              "D": (0.41445, 0.066)}.items():
        res = _k1995(code, big)
        assert res.expected == pytest.approx(de, abs=5e-3), code
        assert res.value == pytest.approx(alpha, abs=0.02), code


def test_krippendorff_1995_varying_lengths():
    res = _k1995("C", 12 / 24)  # the exact small case DKPro checks to 5 decimals
    assert res.observed == pytest.approx(0.02777, abs=1e-5)
    assert res.expected == pytest.approx(0.05494, abs=1e-5)
    assert res.value == pytest.approx(0.494, abs=0.02)
    for stretch, (de, alpha) in {5: (0.08234, 0.663), 50: (0.08600, 0.677), 500: (0.08638, 0.678)}.items():
        res = _k1995("C", stretch)
        assert res.observed == pytest.approx(0.02777, abs=1e-5)
        assert res.expected == pytest.approx(de, abs=5e-3)
        assert res.value == pytest.approx(alpha, abs=0.02)


# -- properties -------------------------------------------------------------------------------------------

units = st.lists(st.tuples(st.integers(0, 90), st.integers(1, 10)), min_size=1, max_size=5)


@settings(max_examples=60, deadline=None)
@given(units)
def test_identical_codings_agree_perfectly(spans):
    rows = [(o, n, r) for o, n in spans for r in (0, 1)]
    res = u.unitizing_alpha(_frame(rows), {"d": 100}, ["0", "1"])
    assert res.observed == 0.0
    assert res.value == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(units, units)
def test_coder_order_and_document_names_do_not_matter(a, b):
    rows = [(o, n, 0) for o, n in a] + [(o, n, 1) for o, n in b]
    one = u.unitizing_alpha(_frame(rows), {"d": 100}, ["0", "1"])
    swapped = u.unitizing_alpha(_frame(rows), {"d": 100}, ["1", "0"])
    renamed = u.unitizing_alpha(_frame(rows, "zz"), {"zz": 100}, ["0", "1"])
    assert one.observed == pytest.approx(swapped.observed)
    assert one.expected == pytest.approx(swapped.expected)
    assert (one.value, one.expected) == (renamed.value, renamed.expected)
    assert one.value is None or one.value <= 1.0 + 1e-12


def test_moving_a_boundary_lowers_agreement():
    base = u.unitizing_alpha(_frame([(10, 20, 0), (10, 20, 1)]), {"d": 100}, ["0", "1"])
    near = u.unitizing_alpha(_frame([(10, 20, 0), (12, 20, 1)]), {"d": 100}, ["0", "1"])
    far = u.unitizing_alpha(_frame([(10, 20, 0), (20, 20, 1)]), {"d": 100}, ["0", "1"])
    assert base.value == pytest.approx(1.0)
    assert 1.0 > near.value > far.value


def test_documents_are_separate_continua():
    # the same coding in two documents counts twice; a coder's gap never runs into the next document
    rows = _frame([(10, 20, 0), (12, 20, 1)])
    two = pd.concat([rows, rows.assign(document="e")])
    one = u.unitizing_alpha(rows, {"d": 100}, ["0", "1"])
    both = u.unitizing_alpha(two, {"d": 100, "e": 100}, ["0", "1"])
    assert both.n_documents == 2 and both.n_units == 4
    assert both.observed == pytest.approx(one.observed / 2)  # twice the sum over (2L)^2
    assert both.value != one.value  # expected disagreement depends on the number of units
    assert u.unitizing_alpha(rows.iloc[:0], {"d": 100}, ["0", "1"]).value is None


def test_overlapping_spans_of_one_coder_are_merged_touching_ones_kept():
    assert u.merge_units([(5, 10), (0, 6), (10, 12), (20, 21)]) == [(0, 10), (10, 12), (20, 21)]
    assert u.sections([(2, 4)], 0, 6) == [(0, 2, False), (2, 4, True), (4, 6, False)]


# -- token level ------------------------------------------------------------------------------------------

def test_token_matrix_and_alpha_match_the_coefficient_on_the_same_matrix():
    text = "jalan rusak di depan pasar dan banjir lagi"
    layout = {"d": [[(0, 11)], [(0, 5), (31, 37)]]}  # "jalan rusak" vs "jalan" + "banjir"
    x, doc_of = u.token_matrix(layout, {"d": text}, ["d"])
    assert x.tolist() == [[1, 1, 0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 1, 0]]
    assert doc_of.tolist() == [0] * 8
    want = stats.krippendorff_alpha(x, "nominal").value
    import krippendorff  # an independent implementation
    assert u.token_alpha(x).value == pytest.approx(want)
    assert want == pytest.approx(krippendorff.alpha(reliability_data=x, level_of_measurement="nominal"))


# -- the table and the sheet ------------------------------------------------------------------------------

def _spans(rows):
    return pd.DataFrame([{"unit_id": d, "variable": "theme", "coder": c, "start": s, "end": e, "codes": codes}
                         for d, c, s, e, codes in rows])


def _history(pairs):
    return pd.DataFrame([{"unit_id": d, "coder": c} for d, c in pairs])


TEXTS = {"s1": "Kami pantau akun itu setiap hari dan langsung turun ke lapangan.",
         "s2": "Informasi dari warga cepat sampai ke pemerintah kota."}


def test_span_agreement_table_is_seeded_and_bounded():
    spans = _spans([("s1", "ana", 0, 20, ("monitoring",)), ("s1", "budi", 0, 24, ("monitoring",)),
                    ("s1", "ana", 37, 63, ("action",)), ("s1", "budi", 37, 63, ("action",)),
                    ("s2", "ana", 0, 19, ("monitoring",)), ("s2", "budi", 21, 51, ("monitoring",))])
    hist = _history([(d, c) for d in TEXTS for c in ("ana", "budi")])
    codes = {"theme": ["monitoring", "action", "unused"]}
    t1 = u.span_agreement_table(spans, hist, TEXTS, codes, n_boot=200, seed=3)
    t2 = u.span_agreement_table(spans, hist, TEXTS, codes, n_boot=200, seed=3)
    pd.testing.assert_frame_equal(t1, t2)
    assert list(t1["code"]) == ["monitoring", "action"]  # a code no passage has is left out
    mon = t1.set_index("code").loc["monitoring"]
    assert mon.n_documents == 2 and mon.n_coders == 2 and mon.n_spans == 4
    assert mon.alpha_u_low <= mon.alpha_u <= mon.alpha_u_high
    assert t1.set_index("code").loc["action", "alpha_u"] == pytest.approx(1.0)


def test_a_span_coder_who_worked_on_a_unit_without_spans_there_disagrees():
    # budi codes passages (in s2), and worked on s1 without marking one: that is a coding of s1
    spans = _spans([("s1", "ana", 0, 20, ("monitoring",)), ("s2", "ana", 0, 19, ("monitoring",)),
                    ("s2", "budi", 0, 19, ("monitoring",))])
    codes = {"theme": ["monitoring"]}
    not_s1 = u.span_agreement_table(spans, _history([("s1", "ana"), ("s2", "ana"), ("s2", "budi")]), TEXTS, codes,
                                    n_boot=50)
    assert not_s1["n_documents"].tolist() == [1] and not_s1["alpha_u"].iloc[0] == pytest.approx(1.0)
    both = u.span_agreement_table(spans, _history([("s1", "ana"), ("s1", "budi"), ("s2", "ana"), ("s2", "budi")]),
                                  TEXTS, codes, n_boot=50)
    assert both["n_documents"].tolist() == [2] and both["alpha_u"].iloc[0] < 0.9


def test_coders_who_only_decide_whole_units_are_not_compared_on_passages():
    spans = _spans([("s1", "ana", 0, 20, ("monitoring",)), ("s1", "budi", 0, 20, ("monitoring",))])
    hist = _history([("s1", "ana"), ("s1", "budi"), ("s1", "cici")])  # cici decided s1 whole, no passages
    table = u.span_agreement_table(spans, hist, TEXTS, {"theme": ["monitoring"]}, n_boot=50)
    assert table["n_coders"].tolist() == [2] and table["alpha_u"].iloc[0] == pytest.approx(1.0)
    assert u.span_disagreements(spans, hist, TEXTS).empty


def test_span_disagreements_list_both_passages():
    spans = _spans([("s1", "ana", 0, 20, ("monitoring",)), ("s1", "budi", 0, 24, ("monitoring",)),
                    ("s1", "ana", 37, 63, ("action",)), ("s1", "budi", 37, 63, ("action",)),
                    ("s2", "budi", 21, 51, ("monitoring",))])
    hist = _history([(d, c) for d in TEXTS for c in ("ana", "budi")])
    sheet = u.span_disagreements(spans, hist, TEXTS)
    assert len(sheet) == 2  # the matching "action" passage is agreement
    first = sheet.iloc[0]
    assert (first.kind, first.passage_a, first.passage_b) == ("boundaries differ", TEXTS["s1"][0:20],
                                                              TEXTS["s1"][0:24])
    second = sheet.iloc[1]
    assert second.kind == "only budi" and second.passage_b == TEXTS["s2"][21:51] and second.passage_a == ""


def test_bootstrap_weights_resample_documents_not_tokens():
    # a document resampled twice doubles both its tokens and its disagreement
    x, doc_of = u.token_matrix({"a": [[(0, 3)], [(0, 3)]], "b": [[(0, 3)], []]}, {"a": "aaa bbb", "b": "ccc ddd"},
                               ["a", "b"])
    w = np.array([[2.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    val, lo, hi = u._token_alpha_ci(x, doc_of, w, 0.95)
    assert val == pytest.approx(stats.krippendorff_alpha(x).value)
    assert lo <= hi
