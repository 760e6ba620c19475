"""Tests of civicposts.lexicon: sources, the merge rule, study additions and the ambiguous-form file."""

from __future__ import annotations

import pytest

from civicposts import lexicon as L
from civicposts.errors import ConfigError, InputError


def test_every_source_is_registered_with_licence_and_origin():
    assert set(L.SOURCES) == {"civicposts", "spacy", "kamus-alay"}
    for s in L.SOURCES.values():
        assert s.licence and s.origin and len(s.load()) > 100


def test_priority_decides_conflicts_and_each_is_recorded():
    lex = L.default()
    # Kamus Alay maps klo -> kalo (colloquial); civicposts and spaCy say kalau: the lower priority number wins
    assert lex.mapping["klo"] == "kalau"
    conflicts = {c[0]: c for c in lex.conflicts}
    assert conflicts["klo"][1] in ("civicposts", "spacy") and conflicts["klo"][3] == "kamus-alay"
    assert all(L.SOURCES[c[1]].priority < L.SOURCES[c[3]].priority for c in lex.conflicts)


def test_no_norm_ends_on_a_form_the_lexicon_would_change():
    lex = L.default().mapping
    for form, norm in lex.items():
        for w in norm.split():
            assert w not in lex or lex[w] == w, (form, norm)


def test_ambiguous_forms_are_in_no_lexicon():
    lex = L.default().mapping
    for form in L.ambiguous_forms():
        assert form not in lex


def test_keep_marker_blocks_a_wrong_lower_priority_norm():
    # Kamus Alay maps "pu" to "punya"; in "Dinas PU" it is Pekerjaan Umum, so civicposts keeps it
    assert "pu" not in L.default().mapping
    assert L.merge(sources=["kamus-alay"]).mapping["pu"] == "punya"


def test_study_extra_wins_and_is_checked():
    lex = L.merge({"wong": "orang", "klo": "="})
    assert lex.mapping["wong"] == "orang" and "klo" not in lex.mapping
    assert lex.origin["wong"] == "study slang_extra"
    with pytest.raises(ConfigError, match="slang_extra"):
        L.check_extra({"two words": "x"})
    with pytest.raises(ConfigError, match="mapping"):
        L.check_extra(["wong"])


def test_tsv_errors_name_file_and_row():
    with pytest.raises(InputError, match=r"x\.tsv, record line 3"):
        L.read_tsv("form\tnorm\nok\tfine\nbroken\n", "x.tsv")


def test_ambiguous_file_is_checked():
    with pytest.raises(InputError, match="otherwise"):
        L.parse_ambiguous({"km": {"rules": []}})
    with pytest.raises(InputError, match="rule 1"):
        L.parse_ambiguous({"km": {"rules": [{"prev": ["NUMBER"]}], "otherwise": "="}})
    with pytest.raises(InputError, match="unknown keys"):
        L.parse_ambiguous({"km": {"otherwise": "=", "when": 1}})
