"""Codebook loading, validation errors and helpers."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest
import yaml

from civicposts.codebook import load_codebook
from civicposts.coding import read_coder_file
from civicposts.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "data/raw/coding/codebook.yaml"
FIX = ROOT / "tests/fixtures/coding"

CONTRACT = {
    "post_type": ("single", ["complaint", "news", "official_followup", "promotion", "other"]),
    "topic": ("multi", ["roads", "flooding_drainage", "waste", "traffic_parking", "street_lighting", "utilities",
                        "public_facilities", "security", "admin_services", "other"]),
    "gov_response": ("single", ["none", "acknowledged", "action_reported", "resolved"]),
    "official_mentioned": ("multi", ["regional_secretary", "city_government", "public_works",
                                     "environment_sanitation", "transport", "utility_company", "police",
                                     "other_agency", "none"]),
    "interview_theme": ("multi", ["limited_reach", "info_source_for_officials", "real_time_communication",
                                  "informal_dm_contact", "performance_visible", "service_improvement"]),
}


@pytest.fixture(scope="module")
def book():
    return load_codebook(CODEBOOK)


@pytest.fixture()
def raw():
    return yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))


def write(tmp_path, data, name="cb.yaml"):
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


def test_codebook_has_exactly_the_contract_codes(book):
    assert book.kinds() == {v: k for v, (k, _) in CONTRACT.items()}
    assert book.codes() == {v: codes for v, (_, codes) in CONTRACT.items()}
    assert book.variables_for("post") == ["post_type", "topic", "gov_response", "official_mentioned"]
    assert book.variables_for("interview") == ["interview_theme"]
    assert book.version == "1.0.0"


def test_every_code_is_fully_documented_and_examples_are_fictional_or_paraphrased(book):
    table = book.table()
    assert list(table.columns) == ["variable", "code", "label_id", "label_en", "definition", "use_when",
                                   "not_when", "example"]
    assert len(table) == sum(len(c) for _, c in CONTRACT.values())
    assert (table.drop(columns=["variable", "code"]).map(lambda s: len(s.strip()) > 3)).all().all()
    assert table["example"].str.contains("FICTIONAL|PARAPHRASE", regex=True).all()
    defs = book.definitions()
    assert defs[("post_type", "complaint")].startswith("The post relays a problem")


def _ngrams(text: str, k: int = 6) -> set[str]:
    words = "".join(ch if ch.isalnum() or ch == "@" else " " for ch in text.lower()).split()
    return {" ".join(words[i:i + k]) for i in range(max(0, len(words) - k + 1))}


def test_codebook_text_does_not_copy_the_paper_or_the_interview(book):
    """Examples are fictional or paraphrased: no 6-word run of the interview record (which holds
    the paper's verbatim quote) nor, where it is available, of the paper itself."""
    sources = [pd.read_csv(ROOT / "data/raw/paper/interview.csv")["text"].str.cat(sep=" ")]
    paper = Path("/work/shared/seed/paper.txt")  # the maintainers' copy; not shipped in the repository
    if paper.exists():
        sources.append(paper.read_text(encoding="utf-8"))
    banned = set().union(*(_ngrams(s) for s in sources))
    assert len(banned) > 50
    table = book.table()
    for field in ("example", "definition", "use_when", "not_when"):
        for value in table[field]:
            assert not (_ngrams(value) & banned), value
    assert _ngrams("lanjut akun @palembang.update Direct message minta info beberapa kunjungan") & banned


def test_hierarchy_and_relation(book):
    parents = book.parents()
    assert parents[("official_mentioned", "regional_secretary")] == "city_government"
    assert parents[("official_mentioned", "police")] is None
    assert book.variables["post_type"].code("official_followup").relation == "follows_up"


@pytest.mark.parametrize("mutate, needle", [
    (lambda d: d["variables"][0]["codes"].append(copy.deepcopy(d["variables"][0]["codes"][0])),
     "duplicate code id 'complaint'"),
    (lambda d: d["variables"][1]["codes"][2].pop("definition"), "code 'waste': missing or empty 'definition'"),
    (lambda d: d["variables"][1]["codes"][2].update(not_when="  "), "code 'waste': missing or empty 'not_when'"),
    (lambda d: d["variables"][3]["codes"][0].update(parent="mayor"), "unknown parent 'mayor'"),
    (lambda d: d["variables"][0].update(kind="ranked"), "variable 'post_type': unknown variable kind 'ranked'"),
    (lambda d: d["variables"][0].update(unit_type="tweet"), "unknown unit_type 'tweet'"),
    (lambda d: d["variables"].append(copy.deepcopy(d["variables"][2])), "duplicate variable id 'gov_response'"),
    (lambda d: d.pop("version"), "missing top-level 'version'"),
    (lambda d: d.update(version=1.1), "'version' must be quoted"),
    (lambda d: d["variables"][0]["codes"][0].update(colour="red"), "code 'complaint': unknown field(s) colour"),
    (lambda d: d["variables"][0]["codes"][0].update(relation="answers"), "unknown relation type 'answers'"),
])
def test_invalid_codebooks_name_file_and_code(tmp_path, raw, mutate, needle):
    mutate(raw)
    path = write(tmp_path, raw)
    with pytest.raises(InputError) as err:
        load_codebook(path)
    assert str(path) in str(err.value)
    assert needle in str(err.value)


def test_parent_cycle_is_rejected(tmp_path, raw):
    codes = raw["variables"][3]["codes"]
    codes[1]["parent"] = "regional_secretary"  # city_government -> regional_secretary -> city_government
    with pytest.raises(InputError, match="parent cycle"):
        load_codebook(write(tmp_path, raw))


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(InputError, match="codebook file not found"):
        load_codebook(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: '1'\nvariables: [\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid YAML"):
        load_codebook(bad)


def test_check_rules(book):
    assert book.check("topic", ["waste", "roads"], unit_type="post") == ("roads", "waste")
    with pytest.raises(InputError, match="single-choice and takes exactly one code"):
        book.check("post_type", ["complaint", "news"])
    with pytest.raises(InputError, match="single-choice"):
        book.check("gov_response", [])
    with pytest.raises(InputError, match="needs at least one code"):
        book.check("topic", [])
    with pytest.raises(InputError, match="'none' is exclusive"):
        book.check("official_mentioned", ["none", "police"])
    with pytest.raises(InputError, match="applies to interview units"):
        book.check("interview_theme", ["limited_reach"], unit_type="post")
    with pytest.raises(InputError, match="relation 'follows_up' is not allowed"):
        book.check("post_type", ["complaint"], relation={"type": "follows_up", "target": "P0"})
    assert book.check("post_type", ["official_followup"], relation={"type": "follows_up", "target": "P0"}) == (
        "official_followup",)
    with pytest.raises(InputError, match=f"not a code of variable 'topic' in codebook {CODEBOOK}"):
        book.check("topic", ["potholes"])


def test_validate_codings_names_coder_file_line_code_and_codebook(book, caplog):
    history = read_coder_file(FIX / "coder_unknown_code.jsonl")
    with pytest.raises(InputError) as err:
        book.validate_codings(history)
    msg = str(err.value)
    assert "coder_unknown_code.jsonl, record line 2" in msg
    assert "'potholes'" in msg and str(CODEBOOK) in msg
    assert "other codebook version(s) ['0.9.0']" in caplog.text
    book.validate_codings(read_coder_file(FIX / "coder_ok.jsonl"))  # a valid file passes


def test_validate_codings_without_source_columns_names_coder(book):
    dec = pd.DataFrame({"unit_id": ["P1"], "unit_type": ["post"], "variable": ["topic"], "coder": ["zed"],
                        "codes": [("nope",)], "memo": [""], "relation_target": [None]})
    with pytest.raises(InputError, match="coder 'zed'.*'nope'"):
        book.validate_codings(dec)


def test_refi_qdc_export_is_schema_valid(book):
    # the mapping and the round trips are tested in test_refi_codebook.py
    from civicposts.refi.xmltext import problems

    data = book.to_qdc()
    assert data == load_codebook(CODEBOOK).to_qdc()  # deterministic bytes
    assert problems(data, "codebook") == []


def test_committed_simulated_coder_files_use_only_codebook_codes(book):
    """Editing the codebook (removing or renaming a code) must not silently orphan the committed
    SIMULATED demo codings."""
    from civicposts.coding import load_history
    files = sorted((ROOT / "data/raw/demo/coding").glob("simulated_*.jsonl"))
    spans = sorted((ROOT / "data/raw/simulated_spans").glob("simulated_*.jsonl"))
    assert files and spans, "the demo's simulated coder files are missing"
    history = load_history(*files, *spans)
    assert len(history) > 100 and history["span_start"].notna().sum() > 20
    whole = history["span_start"].isna()
    book.validate_codings(history[whole])
    book.validate_codings(history[~whole & (history["codes"].map(len) > 0)])
    assert set(history["codebook_version"]) == {book.version}


def test_kinds_and_codes_for_one_unit_type(book):
    post, interview = book.variables_for("post"), book.variables_for("interview")
    assert list(book.kinds("post")) == post and list(book.codes("interview")) == interview
    assert set(post).isdisjoint(interview) and len(book.kinds()) == len(post) + len(interview)
    assert book.codes("post")["post_type"] == book.codes()["post_type"]
    with pytest.raises(ValueError, match="unknown unit type"):
        book.kinds("tweet")


def test_roles_name_what_the_findings_read(book):
    r = book.roles
    assert (r.post_kind, r.complaint, r.followup, r.theme, r.interview_theme) == \
        ("post_type", "complaint", "official_followup", "topic", "interview_theme")


def test_roles_left_out_are_derived_only_where_unambiguous(tmp_path, raw):
    raw.pop("roles")
    r = load_codebook(write(tmp_path, raw)).roles
    assert r.post_kind == "post_type" and r.followup == "official_followup"  # the one relation-carrying variable
    assert r.complaint is None  # which code is a complaint is never guessed
    assert r.theme is None  # two multi-choice post variables (topic, official_mentioned): ambiguous
    assert r.interview_theme == "interview_theme"


@pytest.mark.parametrize("roles, needle", [
    ({"post_kind": "topic"}, "post_kind must be a single-choice post variable; 'topic' is a multi-choice"),
    ({"theme": "interview_theme"}, "theme must be a post variable"),
    ({"post_kind": "nope"}, "roles: post_kind names 'nope', which is not a variable"),
    ({"post_kind": "post_type", "complaint": "roads"}, "complaint 'roads' is not a code of the post_kind"),
    ({"kind": "post_type"}, "unknown role(s) kind"),
])
def test_bad_roles_name_the_role(tmp_path, raw, roles, needle):
    raw["roles"] = roles
    with pytest.raises(InputError) as err:
        load_codebook(write(tmp_path, raw))
    assert needle in str(err.value)


def test_unknown_top_level_key_is_refused(tmp_path, raw):
    raw["variabels"] = []
    with pytest.raises(InputError, match="unknown top-level key"):
        load_codebook(write(tmp_path, raw))


def test_a_comment_variable_is_allowed(tmp_path, raw):
    raw["variables"].append({**copy.deepcopy(raw["variables"][2]), "id": "reply_kind", "unit_type": "comment"})
    book = load_codebook(write(tmp_path, raw))
    assert book.variables_for("comment") == ["reply_kind"]
