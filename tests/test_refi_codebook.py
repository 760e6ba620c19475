"""The codebook both ways with REFI-QDA: schema-valid export, the documented import mapping, round trips,
and characters XML cannot carry."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from civicposts.codebook import load_codebook
from civicposts.errors import InputError
from civicposts.refi import codebook as rc
from civicposts.refi import xmltext

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "data/raw/coding/codebook.yaml"
FIX = ROOT / "tests/fixtures/refi"
NS = {"q": "urn:QDA-XML:codebook:1.0"}


@pytest.fixture(scope="module")
def book():
    return load_codebook(CODEBOOK)


def _tree(data: bytes) -> list:
    """The code tree as nested (guid, name, isCodable, color, description, children) tuples."""
    def node(el):
        d = el.find("q:Description", NS)
        return (el.get("guid").lower(), el.get("name"), el.get("isCodable"), el.get("color"),
                (d.text or "") if d is not None else "", [node(c) for c in el.findall("q:Code", NS)])
    return [node(c) for c in ET.fromstring(data).findall("q:Codes/q:Code", NS)]


def test_export_is_schema_valid_deterministic_and_readable(book):
    data = book.to_qdc()
    assert xmltext.problems(data, "codebook") == []
    assert data == load_codebook(CODEBOOK).to_qdc()
    tops = ET.fromstring(data).findall("q:Codes/q:Code", NS)
    assert [c.get("name") for c in tops] == [v.label_en for v in book.variables.values()]
    assert all(c.get("isCodable") == "false" for c in tops)
    codable = ET.fromstring(data).findall(".//q:Code[@isCodable='true']", NS)
    assert len(codable) == len(book.table())
    city = ET.fromstring(data).find(".//q:Code[@name='City government']", NS)
    assert len(city.findall("q:Code", NS)) == 4  # the hierarchy by parent
    desc = city.find("q:Description", NS).text
    assert "Use when:" in desc and "Label (Indonesian): Pemerintah kota" in desc
    assert "civicposts id" not in desc  # the id is the slug of the name: the importer derives it
    complaint = ET.fromstring(data).find(".//q:Code[@name='Citizen complaint']", NS).find("q:Description", NS).text
    assert "civicposts id: complaint" in complaint and "Role: complaint" in complaint


def test_our_codebook_survives_export_import_export(book, tmp_path):
    first = book.to_qdc()
    (tmp_path / "a.qdc").write_bytes(first)
    data = rc.read_codebook_file(tmp_path / "a.qdc")
    (tmp_path / "b.yaml").write_text(rc.dump_yaml(data), encoding="utf-8")
    again = load_codebook(tmp_path / "b.yaml")
    assert again.to_qdc() == first
    assert again.roles == book.roles and again.version == book.version and again.title == book.title
    for vid, var in book.variables.items():
        other = again.variables[vid]
        assert (other.unit_type, other.kind, other.label_id, other.description) == (
            var.unit_type, var.kind, var.label_id, var.description)
        assert {c.id: (c.definition, c.use_when, c.exclusive, c.relation, c.parent) for c in other.codes} == {
            c.id: (c.definition, c.use_when, c.exclusive, c.relation, c.parent) for c in var.codes}


def test_another_tools_hierarchical_codebook_imports_by_the_mapping(tmp_path):
    data = rc.read_codebook_file(FIX / "maxqda_codebook.qdc")
    (tmp_path / "c.yaml").write_text(rc.dump_yaml(data), encoding="utf-8")
    book = load_codebook(tmp_path / "c.yaml")  # a valid civicposts codebook
    assert list(book.variables) == ["infrastruktur", "tanggapan_pemerintah", "codes"]
    infra = book.variables["infrastruktur"]
    assert (infra.unit_type, infra.kind, infra.color) == ("post", "multi", "#E69F00")
    assert infra.description == "Masalah prasarana kota yang dilaporkan warga."
    assert [(c.id, c.parent) for c in infra.codes] == [("jalan", None), ("lubang", "jalan"),
                                                        ("drainase_banjir", None)]
    jalan = infra.code("jalan")
    assert (jalan.label_en, jalan.definition, jalan.color) == ("Jalan", "Jalan rusak, berlubang atau tergenang.",
                                                              "#D55E00")
    assert jalan.use_when == rc.NOT_GIVEN and jalan.guid == "9a000000-0000-4000-8000-000000000002"
    assert book.variables["tanggapan_pemerintah"].codable_category  # the category itself was codable
    assert book.variables["codes"].ungrouped and book.variables["codes"].code_ids() == ["catatan_menarik"]


def test_another_tools_codebook_exports_back_unchanged(tmp_path):
    original = (FIX / "maxqda_codebook.qdc").read_bytes()
    data = rc.read_codebook_file(FIX / "maxqda_codebook.qdc")
    (tmp_path / "c.yaml").write_text(rc.dump_yaml(data), encoding="utf-8")
    exported = load_codebook(tmp_path / "c.yaml").to_qdc()
    assert xmltext.problems(exported, "codebook") == []
    assert _tree(exported) == _tree(original)  # names, GUIDs, codability, colours, descriptions, nesting


@pytest.mark.parametrize("single", [False, True])
def test_import_options_set_unit_type_and_kind(tmp_path, single):
    data = rc.read_codebook_file(FIX / "maxqda_codebook.qdc", unit_type="interview",
                                 kind="single" if single else "multi")
    assert {v["unit_type"] for v in data["variables"]} == {"interview"}
    assert {v["kind"] for v in data["variables"]} == {"single" if single else "multi"}


def test_a_control_character_in_the_codebook_is_refused_naming_the_field(tmp_path):
    raw = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    raw["variables"][1]["codes"][0]["definition"] = "Jalan rusak\x07 berlubang"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError, match=r"'definition' holds character\(s\) U\+0007") as err:
        load_codebook(path)
    assert "roads" in str(err.value) and str(path) in str(err.value)


def test_xml_text_helpers():
    assert xmltext.bad_characters("a\x00b\x1bc\ttab\ufffe") == ["U+0000", "U+001B", "U+FFFE"]
    assert xmltext.clean_text("a\x00b\x0cc") == ("a\ufffdb\ufffdc", 2)
    assert xmltext.guid("x", "y") == xmltext.guid("x", "y") != xmltext.guid("x", "z")
    assert xmltext.problems(b"<CodeBook", "codebook")[0].startswith("not well-formed")


@pytest.mark.parametrize("find, replace, needle", [
    (b'isCodable="true"', b'isCodable="maybe"', "'maybe' is not a valid value"),
    (b' name="', b' nome="', "attribute 'nome' is not allowed"),
    (b'guid="', b'guid="x', "guid"),
])
def test_schema_violations_are_reported_with_their_line(book, find, replace, needle):
    data = book.to_qdc()
    found = xmltext.problems(data.replace(find, replace, 1), "codebook")
    assert found and all(f.startswith("line ") for f in found) and any(needle in f for f in found)
    with pytest.raises(InputError, match="not valid against the REFI-QDA codebook schema"):
        xmltext.validate(data.replace(find, replace, 1), "codebook", "x.qdc")


def test_a_codebook_with_an_external_entity_is_never_read_through(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-VALUE-42", encoding="utf-8")
    data = (f'<?xml version="1.0"?><!DOCTYPE CodeBook [<!ENTITY e SYSTEM "{secret.as_uri()}">]>'
            '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="00000000-0000-0000-0000-000000000000" '
            'name="&e;" isCodable="true"/></Codes></CodeBook>').encode()
    found = xmltext.problems(data, "codebook")
    assert found and not any("SECRET-VALUE-42" in f for f in found)


@pytest.mark.parametrize("content, needle", [
    (b"not xml", "not well-formed"),
    (b'<?xml version="1.0"?><Other xmlns="urn:x"/>', "not a REFI-QDA"),
    (b'<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>', "holds no codes"),
    (b'<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="x" isCodable="true"/>'
     b'</Codes></CodeBook>', "no valid guid"),
])
def test_unreadable_codebooks_are_named(tmp_path, content, needle):
    path = tmp_path / "x.qdc"
    path.write_bytes(content)
    with pytest.raises(InputError, match=needle) as err:
        rc.read_codebook_file(path)
    assert str(path) in str(err.value)
