"""REFI-QDA projects: a schema-valid, deterministic export; import of projects shaped as QualCoder, ATLAS.ti and
MAXQDA write them; the round trip; nothing unmatched dropped silently."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from civicposts.codebook import load_codebook
from civicposts.coding import CodingStore, load_history
from civicposts.errors import InputError
from civicposts.refi import xmltext
from civicposts.refi.project import import_records, project_bytes, read_project

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests/fixtures/refi"
Q = "{urn:QDA-XML:project:1.0}"
P1 = "Jalan rusak di depan pasar, mohon diperbaiki. Lainnya: lampu mati."
P2 = "Banjir lagi di Jl. Merdeka sejak pagi."
INT1 = "Akun itu menjangkau warga yang tidak bisa saya jangkau sendiri."


@pytest.fixture(scope="module")
def book():
    return load_codebook(ROOT / "data/raw/coding/codebook.yaml")


@pytest.fixture()
def units():
    return pd.DataFrame([
        {"unit_id": "P1", "unit_type": "post", "caption": P1, "text": None, "likes": 3,
         "posted_at": pd.Timestamp("2021-01-02T03:04:05Z"), "account": "demo.kota.update"},
        {"unit_id": "P2", "unit_type": "post", "caption": P2, "text": None, "likes": 0,
         "posted_at": pd.Timestamp("2021-01-03T03:04:05Z"), "account": "demo.kota.update"},
        {"unit_id": "P3", "unit_type": "post", "caption": "", "text": None, "likes": pd.NA,
         "posted_at": pd.Timestamp("2021-01-04T03:04:05Z"), "account": "demo.kota.update"},
        {"unit_id": "INT-01", "unit_type": "interview", "caption": None, "text": INT1, "likes": pd.NA,
         "posted_at": pd.NaT, "account": None},
    ]).astype({"likes": "Int64"})


@pytest.fixture()
def store(tmp_path, book):
    s = CodingStore(tmp_path / "coding", book)
    s.append("ana", "P1", "post", "post_type", ["complaint"], memo="pothole\x0b report", timestamp="2021-03-01T00:00:00Z")
    s.append("ana", "P1", "post", "topic", ["roads"], timestamp="2021-03-01T00:00:01Z")
    s.append("ana", "P2", "post", "post_type", ["official_followup"], relation={"type": "follows_up", "target": "P1"},
             timestamp="2021-03-01T00:00:02Z")
    s.append("ana", "P3", "post", "post_type", ["other"], timestamp="2021-03-01T00:00:03Z")
    s.append_span("ana", "P1", "post", "topic", ["roads"], P1, 0, 11, memo="the road", timestamp="2021-03-01T00:01:00Z")
    s.append("budi", "P1", "post", "post_type", ["news"], timestamp="2021-03-02T00:00:00Z")
    s.append_span("budi", "P1", "post", "topic", ["roads", "street_lighting"], P1, 0, 26, timestamp="2021-03-02T00:01:00Z")
    s.append_span("budi", "INT-01", "interview", "interview_theme", ["limited_reach"], INT1, 9, 25,
                  timestamp="2021-03-02T00:02:00Z")
    s.append("budi", "GONE", "post", "post_type", ["news"], timestamp="2021-03-02T00:03:00Z")
    return s


def _qde(data: bytes) -> ET.Element:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return ET.fromstring(zf.read("project.qde"))


def test_export_is_schema_valid_deterministic_and_complete(book, units, store):
    hist = load_history(store.directory)
    data, counts = project_bytes(book, units, hist, name="test project", description="a test")
    again, _ = project_bytes(book, units.iloc[::-1], load_history(store.directory), name="test project",
                             description="a test")
    assert data == again  # same inputs, same bytes, whatever the row order
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        assert names[0] == "project.qde" and len(names) == 1 + len(units)
        assert xmltext.problems(zf.read("project.qde"), "project") == []
    root = _qde(data)
    assert [u.get("name") for u in root.iter(f"{Q}User")] == ["ana", "budi"]
    sources = {s.get("name"): s for s in root.iter(f"{Q}TextSource")}
    assert set(sources) == {"P1", "P2", "P3", "INT-01"}
    sels = sources["P1"].findall(f"{Q}PlainTextSelection")
    whole = [s for s in sels if s.get("name") == "whole unit"]
    assert len(whole) == 3 and all(s.get("endPosition") == str(len(P1)) for s in whole)
    span = [s for s in sels if s.get("name") == "Jalan rusak di depan pasar"][0]
    assert (span.get("startPosition"), span.get("endPosition")) == ("0", "26")
    assert len(span.findall(f"{Q}Coding")) == 2  # one Coding per code
    p3 = sources["P3"].find(f"{Q}PlainTextSelection")  # no text: an empty selection keeps the coder
    assert (p3.get("endPosition"), p3.get("creatingUser")) == ("0", root.find(f"{Q}Users/{Q}User").get("guid"))
    notes = [n.findtext(f"{Q}PlainTextContent") for n in root.iter(f"{Q}Note")]
    assert "pothole\ufffd report" in notes and "the road" in notes  # the control character replaced
    links = list(root.iter(f"{Q}Link"))
    assert [ln.get("name") for ln in links] == ["follows_up by ana"]
    assert counts.orphans == ["decision of budi on GONE (post_type)"]
    variables = {v.get("name"): v.get("typeOfVariable") for v in root.iter(f"{Q}Variable")}
    assert variables["likes"] == "Integer" and variables["posted_at"] == "DateTime"
    assert root.find(f"{Q}Description").text == "a test"


def test_round_trip_gives_the_same_project(tmp_path, book, units, store):
    first, _ = project_bytes(book, units, load_history(store.directory), name="p")
    path = tmp_path / "p.qdpx"
    path.write_bytes(first)
    records, report = import_records(read_project(path), book, units)
    CodingStore(tmp_path / "imported", book).append_many(records)
    again, _ = project_bytes(book, units, load_history(tmp_path / "imported"), name="p")
    assert again == first
    assert report["what"].str.startswith("coder ").all()  # nothing but the per-coder summary
    # importing the same project again adds nothing: the coder files only ever grow by new codings
    before = {p.name: p.read_bytes() for p in (tmp_path / "imported").glob("*.jsonl")}
    assert CodingStore(tmp_path / "imported", book).append_many(import_records(read_project(path), book, units)[0]) == []
    assert before == {p.name: p.read_bytes() for p in (tmp_path / "imported").glob("*.jsonl")}


def test_a_span_whose_text_changed_is_not_exported_at_shifted_offsets(book, units, store):
    changed = units.assign(caption=units["caption"].where(units["unit_id"] != "P1", "Wah! " + P1))
    data, counts = project_bytes(book, changed, load_history(store.directory), name="p")
    assert any("not the coded passage" in o for o in counts.orphans)
    p1 = [s for s in _qde(data).iter(f"{Q}TextSource") if s.get("name") == "P1"][0]
    assert not [s for s in p1.findall(f"{Q}PlainTextSelection") if s.get("name") != "whole unit"]


def _zip(folder: Path, tmp_path: Path) -> Path:
    out = tmp_path / f"{folder.name}.qdpx"
    with zipfile.ZipFile(out, "w") as zf:
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                zf.write(f, f.relative_to(folder).as_posix())
    return out


def test_import_of_a_qualcoder_project(tmp_path, book, units):
    project = read_project(_zip(FIX / "qualcoder", tmp_path))
    assert project.origin.startswith("QualCoder")
    records, report = import_records(project, book, units)
    by = {(r["coder"], r["variable"], r.get("span", {}).get("start"), r.get("span", {}).get("end")): r
          for r in records}
    assert set(c for c, *_ in by) == {"ana_putri", "budi"}  # users by name; creatingUser read from Coding
    assert by[("ana_putri", "topic", 0, 11)]["codes"] == ["roads"]
    assert by[("ana_putri", "topic", 46, 65)]["codes"] == ["other"]  # "Other" under Topic, not Post type
    assert by[("ana_putri", "post_type", None, None)]["codes"] == ["complaint"]  # the whole text: a decision
    assert by[("budi", "topic", 0, 26)]["codes"] == ["roads"]
    problems = " ".join(report["problem"])
    assert "Potholes (my own code)" in problems  # an unknown code is reported, not dropped silently
    assert "not a unit of this study" in problems
    store = CodingStore(tmp_path / "qc", book)
    assert len(store.append_many(records)) == len(records)  # every record passes the codebook


def test_import_of_an_atlasti_project(tmp_path, book, units):
    records, report = import_records(read_project(_zip(FIX / "atlasti", tmp_path)), book, units)
    span = [r for r in records if "span" in r][0]
    assert (span["coder"], span["unit_id"], span["codes"], span["memo"]) == (
        "cici", "P2", ["flooding_drainage"], "Flood returns every rainy morning.")
    whole = [r for r in records if "span" not in r][0]
    assert (whole["variable"], whole["codes"]) == ("post_type", ["complaint"])
    assert report["what"].str.startswith("coder ").all()


def test_import_of_a_maxqda_project_with_inclusive_ends(tmp_path, book, units):
    records, report = import_records(read_project(FIX / "maxqda/project.qde"), book, units)
    spans = sorted((r["span"]["start"], r["span"]["end"]) for r in records)
    assert spans == [(9, 25), (42, 62)]
    assert [INT1[s:e] for s, e in spans] == ["menjangkau warga", "saya jangkau sendiri"]
    assert "inclusive" in " ".join(report["problem"])  # and the report says how it was read
    assert {r["coder"] for r in records} == {"dewi"} and {r["unit_type"] for r in records} == {"interview"}


@pytest.mark.parametrize("content, needle", [
    (b"<Project", "not well-formed"),
    (b'<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>', "not a REFI-QDA Project"),
])
def test_unreadable_projects_are_named(tmp_path, content, needle):
    path = tmp_path / "x.qde"
    path.write_bytes(content)
    with pytest.raises(InputError, match=needle) as err:
        read_project(path)
    assert str(path) in str(err.value)


def test_a_qdpx_without_a_project_is_named(tmp_path):
    path = tmp_path / "x.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Sources/a.txt", "x")
    with pytest.raises(InputError, match="no project.qde"):
        read_project(path)
