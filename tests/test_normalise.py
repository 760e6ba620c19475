"""Tests of civicposts.normalise: forms decided by context, their documented examples, study additions."""

from __future__ import annotations

import pandas as pd
import pytest

from civicposts import clean as C
from civicposts import lexicon as L
from civicposts import normalise as N

EXAMPLES = [(form, src, exp) for form, a in L.ambiguous_forms().items() for src, exp in a.examples]


@pytest.mark.parametrize("form,text,expected", EXAMPLES, ids=[f"{f}:{t}" for f, t, _ in EXAMPLES])
def test_each_documented_example_holds(form, text, expected):
    assert C.clean_text(pd.Series([text])).iloc[0] == expected


def test_every_ambiguous_form_has_examples_of_each_outcome():
    for form, a in L.ambiguous_forms().items():
        assert a.examples, form
        outcomes = {a.otherwise} | {r.to for r in a.rules}
        if len(outcomes) > 1:
            assert len(a.examples) >= 2, form


def test_the_cases_the_issue_names():
    nz = N.default()
    assert nz.sequence(["orang", "kaya"]) == ["orang", "kaya"]
    assert nz.sequence(["si", "budi"]) == ["si", "budi"]
    assert nz.sequence(["12", "km"]) == ["12", "km"] and nz.sequence(["km", "mau"]) == ["kamu", "mau"]
    assert nz.sequence(["jan", "lupa"]) == ["jangan", "lupa"] and nz.sequence(["5", "jan"]) == ["5", "jan"]
    assert nz.sequence(["check", "in"]) == ["check", "in"]
    assert nz.sequence(["ya", "dah"]) == ["ya", "dah"]


def test_neighbours_are_compared_normalised():
    # "org" is "orang", so "org kaya" is a rich person
    assert N.default().sequence(["org", "kaya"]) == ["orang", "kaya"]


def test_a_form_reached_through_the_lexicon_is_decided_too():
    # Kamus Alay: ky -> kaya; then the context decides
    assert N.default().sequence(["ky", "gini"]) == ["seperti", "begini"]


def test_without_context_an_ambiguous_form_stays():
    assert N.default().token("km") == "km"


def test_decisions_are_idempotent_on_their_output():
    texts = ["jalan km 5 rusak km mau lewat", "kaya gini terus org kaya", "jan 12 jan lupa", "n n n", "ka ka"]
    once = C.clean_text(pd.Series(texts))
    assert C.clean_text(once).tolist() == once.tolist()


def test_study_slang_extra_adds_words_and_can_override_a_context_rule():
    assert C.clean_text(pd.Series(["wong kito"]), slang_extra={"wong": "orang", "kito": "kita"}).iloc[0] == "orang kita"
    assert C.clean_text(pd.Series(["wong kito"])).iloc[0] == "wong kito"  # the shipped lexicon is unchanged
    # a study that never writes km as a unit can say so
    assert C.clean_text(pd.Series(["2 km"]), slang_extra={"km": "kamu"}).iloc[0] == "2 kamu"
