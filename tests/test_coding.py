"""The append-only coding store, latest-wins decisions, orphans and the spreadsheet round trip."""

from __future__ import annotations

import multiprocessing as mp
import zipfile
from pathlib import Path

import orjson
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicposts.codebook import load_codebook
from civicposts.coding import CodingStore, latest, load_history, orphans, read_coder_file
from civicposts.sheets import export_sheet, import_sheet
from civicposts.errors import InputError
from civicposts.tables.coding import codebook_table, theme_frequencies

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "data/raw/coding/codebook.yaml"
FIX = ROOT / "tests/fixtures/coding"


@pytest.fixture(scope="module")
def book():
    return load_codebook(CODEBOOK)


@pytest.fixture()
def store(tmp_path, book):
    return CodingStore(tmp_path / "coding", book)


def units_frame(n=6):
    rows = [{"unit_id": f"P{i}", "unit_type": "post", "caption": f"FICTIONAL caption {i}, dengan koma \"kutip\"",
             "url": f"https://www.instagram.com/p/P{i}/", "order": n - i} for i in range(1, n + 1)]
    rows.append({"unit_id": "INT-01", "unit_type": "interview", "caption": "", "url": "", "order": -1,
                 "text": "[paraphrase] FICTIONAL segment"})
    return pd.DataFrame(rows)


def test_append_writes_contract_line_and_only_grows(store):
    rec = store.append("ana", "P1", "post", "topic", ["waste", "roads"], memo="both", timestamp="2021-03-01T08:00:00+07:00")
    path = store.path_for("ana")
    lines = path.read_bytes().splitlines()
    assert len(lines) == 1
    obj = orjson.loads(lines[0])
    assert list(obj) == ["unit_id", "unit_type", "variable", "codes", "coder", "timestamp", "memo", "relation",
                         "codebook_version"]
    assert obj == rec
    assert obj["codes"] == ["roads", "waste"] and obj["timestamp"] == "2021-03-01T01:00:00.000000Z"
    assert obj["codebook_version"] == "1.0.0"
    before = path.read_bytes()
    store.append("ana", "P1", "post", "topic", ["roads"])
    store.append("ana", "P2", "post", "post_type", "official_followup", relation={"type": "follows_up", "target": "P1"})
    after = path.read_bytes()
    assert after.startswith(before) and len(after) > len(before)
    assert after.count(b"\n") == 3 and after.endswith(b"\n")


def test_unknown_code_and_bad_choice_are_rejected_and_nothing_written(store):
    with pytest.raises(InputError, match=f"'potholes' is not a code of variable 'topic' in codebook {CODEBOOK}"):
        store.append("ana", "P1", "post", "topic", ["potholes"])
    with pytest.raises(InputError, match="single-choice"):
        store.append("ana", "P1", "post", "post_type", ["complaint", "news"])
    with pytest.raises(InputError, match=r"variable 'mood' is not in codebook"):
        store.append("ana", "P1", "post", "mood", ["happy"])
    with pytest.raises(InputError, match="cannot follow up itself"):
        store.append("ana", "P1", "post", "post_type", ["official_followup"], relation={"type": "follows_up", "target": "P1"})
    with pytest.raises(ValueError, match="coder name"):
        store.append("../evil", "P1", "post", "topic", ["roads"])
    assert not store.path_for("ana").exists()


def _hammer(directory: str, codebook_path: str, worker: int, n: int, barrier) -> None:
    store = CodingStore(directory, load_codebook(codebook_path))
    barrier.wait()  # start together, so the appends really overlap
    for i in range(n):
        # long memos make each line several KB, so a non-atomic writer would interleave
        store.append("ana", f"W{worker}-{i}", "post", "topic", ["roads"], memo=f"w{worker} " + "x" * 3000)


def test_two_processes_appending_concurrently_lose_nothing(tmp_path):
    ctx = mp.get_context("spawn")
    n = 200
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=_hammer, args=(str(tmp_path), str(CODEBOOK), w, n, barrier)) for w in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    history = read_coder_file(tmp_path / "ana.jsonl")  # every line parses, or this raises
    assert len(history) == 2 * n
    assert set(history["unit_id"]) == {f"W{w}-{i}" for w in (1, 2) for i in range(n)}
    assert history["memo"].str.len().eq(3003).all()
    workers = history["unit_id"].str[:2].tolist()
    # the two writers did run at the same time (a writer splitting its line in two unlocked
    # writes fails this test: checked by hand when it was written)
    assert sum(a != b for a, b in zip(workers, workers[1:], strict=False)) > 10


def test_latest_wins_and_history_is_kept():
    history = read_coder_file(FIX / "coder_ok.jsonl")
    assert len(history) == 4 and history["line"].tolist() == [1, 2, 3, 4]
    dec = latest(history)
    assert len(history) == 4  # history untouched
    assert list(dec.columns[:8]) == ["unit_id", "unit_type", "variable", "coder", "codes", "memo",
                                     "relation_target", "timestamp"]
    p1 = dec[(dec.unit_id == "P1") & (dec.variable == "post_type")].iloc[0]
    assert p1.codes == ("news",) and p1.memo == "changed my mind" and p1.line == 2
    assert p1.relation_target is None  # None, not NaN: the decisions contract says str | None
    p2 = dec[(dec.unit_id == "P2") & (dec.variable == "post_type")].iloc[0]
    assert p2.relation_target == "P1"
    assert dec[(dec.unit_id == "P2") & (dec.variable == "topic")].iloc[0].codes == ("roads", "waste")
    assert len(dec) == 3


def test_latest_uses_timestamp_not_line_order(store):
    store.append("ana", "P1", "post", "post_type", ["news"], timestamp="2021-03-02T00:00:00Z")
    store.append("ana", "P1", "post", "post_type", ["complaint"], timestamp="2021-03-01T00:00:00Z")  # backdated
    dec = store.decisions("ana")
    assert dec.iloc[0].codes == ("news",)
    store.append("ana", "P1", "post", "post_type", ["other"], timestamp="2021-03-02T00:00:00Z")  # tie: later line
    assert store.decisions("ana").iloc[0].codes == ("other",)
    assert len(store.history("ana")) == 3


def test_malformed_line_names_file_and_line():
    with pytest.raises(InputError) as err:
        read_coder_file(FIX / "coder_malformed.jsonl")
    assert "coder_malformed.jsonl, record line 3: not valid JSON" in str(err.value)


@pytest.mark.parametrize("line, needle", [
    (b'["not", "an", "object"]', "expected a JSON object"),
    (b'{"unit_id": "P1"}', "missing field(s) unit_type"),
    (b'{"unit_id":"P1","unit_type":"post","variable":"topic","codes":"roads","coder":"a","timestamp":'
     b'"2021-03-01T00:00:00Z","memo":"","relation":null,"codebook_version":"1"}', "'codes' must be a list"),
    (b'{"unit_id":"P1","unit_type":"tweet","variable":"topic","codes":["roads"],"coder":"a","timestamp":'
     b'"2021-03-01T00:00:00Z","memo":"","relation":null,"codebook_version":"1"}', "unit_type must be"),
    (b'{"unit_id":"P1","unit_type":"post","variable":"topic","codes":["roads"],"coder":"a","timestamp":'
     b'"yesterday","memo":"","relation":null,"codebook_version":"1"}', "timestamp 'yesterday'"),
    (b'{"unit_id":"P1","unit_type":"post","variable":"topic","codes":["roads"],"coder":"a","timestamp":'
     b'"2021-03-01T00:00:00Z","memo":"","relation":{"type":"follows_up"},"codebook_version":"1"}', "'relation'"),
])
def test_bad_records_are_named(tmp_path, line, needle):
    p = tmp_path / "x.jsonl"
    good = (FIX / "coder_ok.jsonl").read_bytes()
    p.write_bytes(good + line + b"\n")
    with pytest.raises(InputError) as err:
        read_coder_file(p)
    assert f"{p}, record line 5" in str(err.value) and needle in str(err.value)


def test_one_coder_per_file(tmp_path):
    p = tmp_path / "ana.jsonl"
    p.write_bytes((FIX / "coder_ok.jsonl").read_bytes() + (FIX / "coder_malformed.jsonl").read_bytes().split(b"\n")[0] + b"\n")
    with pytest.raises(InputError, match=r"ana.jsonl, record line 5: coder 'budi' in a file of coder 'ana'"):
        read_coder_file(p)


def test_torn_last_line_is_ended_before_the_next_append(store):
    path = store.path_for("ana")
    store.append("ana", "P1", "post", "topic", ["roads"])
    with open(path, "ab") as fh:
        fh.write(b'{"unit_id":"P9","unit_')  # a writer that died mid-line
    store.append("ana", "P2", "post", "topic", ["waste"])
    lines = path.read_bytes().split(b"\n")
    assert orjson.loads(lines[2])["unit_id"] == "P2"  # the new line is whole
    with pytest.raises(InputError, match="record line 2"):
        read_coder_file(path)


def test_load_history_merges_folders_and_files(tmp_path, book):
    s = CodingStore(tmp_path / "a", book)
    s.append("ana", "P1", "post", "topic", ["roads"])
    s.append("budi", "P1", "post", "topic", ["waste"])
    h = load_history(tmp_path / "a", FIX / "coder_ok.jsonl")
    assert len(h) == 6
    assert sorted(latest(h)["coder"].unique()) == ["ana", "budi"]
    assert load_history(tmp_path / "empty_dir_missing_is_error" if False else tmp_path / "a").shape[0] == 2
    with pytest.raises(InputError, match="not found"):
        load_history(tmp_path / "missing")
    assert load_history().empty and latest(load_history()).empty


def test_orphans_are_listed_not_dropped():
    dec = latest(read_coder_file(FIX / "coder_ok.jsonl"))
    orph = orphans(dec, ["P1"])
    assert set(orph["unit_id"]) == {"P2"} and len(orph) == 2
    assert orph["problem"].str.contains("no longer").all()
    assert len(dec) == 3  # the decisions keep the orphaned codings


def test_coded_units_and_next_uncoded(store, book):
    units = units_frame(3)  # order: INT-01 (-1), P3 (0), P2 (1), P1 (2)
    assert store.next_uncoded("ana", units) == "INT-01"
    store.append("ana", "INT-01", "interview", "interview_theme", ["limited_reach"])
    assert store.coded_units("ana") == {"INT-01"}
    assert store.next_uncoded("ana", units) == "P3"
    for v, codes in (("post_type", ["complaint"]), ("topic", ["roads"]), ("gov_response", ["none"])):
        store.append("ana", "P3", "post", v, codes)
    assert "P3" not in store.coded_units("ana")  # official_mentioned still missing
    store.append("ana", "P3", "post", "official_mentioned", ["none"])
    assert store.coded_units("ana") == {"INT-01", "P3"}
    assert store.next_uncoded("ana", units) == "P2"
    assert store.coded_units("budi") == set()


def _fill(store):
    store.append("ana", "P1", "post", "post_type", ["complaint"], memo="relayed DM, koma, \"kutip\"")
    store.append("ana", "P1", "post", "topic", ["roads", "flooding_drainage"])
    store.append("ana", "P1", "post", "gov_response", ["none"])
    store.append("ana", "P2", "post", "post_type", ["official_followup"], relation={"type": "follows_up", "target": "P1"})
    store.append("ana", "P2", "post", "official_mentioned", ["regional_secretary", "public_works"], memo="Sekda")
    store.append("ana", "INT-01", "interview", "interview_theme", ["limited_reach", "info_source_for_officials"],
                 memo="=HYPERLINK(\"http://example.invalid\") stays text")
    store.append("budi", "P1", "post", "post_type", ["news"])  # another coder: not exported for ana


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_sheet_round_trip_equals_original_decisions(tmp_path, store, book, kind):
    _fill(store)
    original = store.decisions("ana")
    units = units_frame(4)
    csv_p, xlsx_p = tmp_path / "ana.csv", tmp_path / "ana.xlsx"
    sheet = export_sheet(units, book, "ana", csv_p, xlsx_p, decisions=store.decisions())
    assert len(sheet) == len(units) and sheet.loc[sheet.unit_id == "P1", "topic"].item() == "flooding_drainage|roads"
    records = import_sheet(csv_p if kind == "csv" else xlsx_p, book, "ana")
    fresh = CodingStore(tmp_path / f"fresh_{kind}", book)
    written = fresh.append_many(records)
    assert len(written) == len(original) == 6
    cols = ["unit_id", "unit_type", "variable", "coder", "codes", "memo", "relation_target"]
    got = fresh.decisions("ana")[cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, original[cols].reset_index(drop=True))
    # importing the same sheet into the original store appends nothing (unchanged decisions)
    assert store.append_many(import_sheet(csv_p, book, "ana")) == []


def test_export_is_byte_deterministic_and_has_dropdowns(tmp_path, store, book):
    _fill(store)
    a = export_sheet(units_frame(), book, "ana", tmp_path / "a.csv", tmp_path / "a.xlsx", decisions=store.decisions())
    b = export_sheet(units_frame(), book, "ana", tmp_path / "b.csv", tmp_path / "b.xlsx", decisions=store.decisions())
    assert a.equals(b)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (tmp_path / "a.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    from openpyxl import load_workbook
    wb = load_workbook(tmp_path / "a.xlsx")
    assert wb.sheetnames == ["coding", "lists", "codebook"]
    ws = wb["coding"]
    header = [c.value for c in ws[1]]
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    covered = set()
    for dv in lists:
        for rng in dv.sqref.ranges:
            covered.add(header[rng.min_col - 1])
    assert covered == {"post_type", "gov_response"}  # the single-choice variables
    assert wb.properties.created.year == 2021 and wb.properties.modified.year == 2021
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        assert {i.date_time[:3] for i in z.infolist()} == {(2021, 2, 27)}
    cb = wb["codebook"]
    assert cb.cell(row=2, column=1).value == "variable" and cb.max_row == 2 + len(book.table())
    memo_cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert memo_cells and all(c.data_type == "s" for c in memo_cells)  # never a formula


@pytest.mark.parametrize("column, value, needle", [
    ("topic", "roads|potholes", "row 2, column 'topic': code 'potholes' is not a code"),
    ("post_type", "complaint|news", "row 2, column 'post_type': variable 'post_type' is single-choice"),
    ("interview_theme", "limited_reach", "row 2: column 'interview_theme' is filled but applies to interview"),
    ("coder", "budi", "row 2: row belongs to coder 'budi'"),
    ("follows_up", "P9", "row 2, column 'post_type': relation 'follows_up' is not allowed"),
])
def test_import_reports_row_column_and_bad_code(tmp_path, book, column, value, needle):
    units = units_frame(2)
    sheet = export_sheet(units, book, "ana", tmp_path / "s.csv", None)
    assert list(sheet["unit_id"]) == ["P1", "P2", "INT-01"]
    sheet.loc[0, "post_type"] = "complaint"
    sheet.loc[0, column] = value
    sheet.to_csv(tmp_path / "s.csv", index=False)
    with pytest.raises(InputError) as err:
        import_sheet(tmp_path / "s.csv", book, "ana")
    assert str(tmp_path / "s.csv") in str(err.value) and needle in str(err.value)


def test_import_bad_xlsx_cell(tmp_path, book):
    from openpyxl import load_workbook
    export_sheet(units_frame(2), book, "ana", None, tmp_path / "s.xlsx")
    wb = load_workbook(tmp_path / "s.xlsx")
    ws = wb["coding"]
    header = [c.value for c in ws[1]]
    ws.cell(row=3, column=header.index("gov_response") + 1, value="fixed")
    wb.save(tmp_path / "s.xlsx")
    with pytest.raises(InputError, match="row 3, column 'gov_response': code 'fixed'"):
        import_sheet(tmp_path / "s.xlsx", book, "ana")


def test_tables(store, book):
    _fill(store)
    store.append("budi", "INT-01", "interview", "interview_theme", ["limited_reach"])
    dec = store.decisions()
    t = codebook_table(book, dec)
    assert len(t) == len(book.table())
    row = t[(t.variable == "post_type") & (t.code == "complaint")].iloc[0]
    assert (row.n_decisions, row.n_units, row.n_coders, row.kind) == (1, 1, 1, "single")
    assert t.loc[(t.variable == "official_mentioned") & (t.code == "regional_secretary"), "parent"].item() == "city_government"
    assert t["n_decisions"].sum() == sum(len(c) for c in dec["codes"])
    f = theme_frequencies(dec, book, "interview_theme")
    assert list(f["code"]) == book.codes()["interview_theme"]
    lr = f[f.code == "limited_reach"].iloc[0]
    assert (lr.n_units, lr.n_units_all_coders, lr.n_ana, lr.n_budi, lr.share_units) == (1, 1, 1, 1, 1.0)
    info = f[f.code == "info_source_for_officials"].iloc[0]
    assert (info.n_units, info.n_units_all_coders) == (1, 0)
    assert codebook_table(book)["n_units"].eq(0).all()


def test_fast_and_line_by_line_readers_agree(tmp_path, store):
    from civicposts.coding import _read_checked, _read_fast
    store.append("ana", "P1", "post", "topic", ["waste", "roads"], memo="ünïcode 😡")
    store.append("ana", "P2", "post", "post_type", ["official_followup"], relation={"type": "follows_up", "target": "P1"})
    data = store.path_for("ana").read_bytes() + (FIX / "coder_ok.jsonl").read_bytes()
    fast = _read_fast("x.jsonl", data)
    assert fast is not None
    pd.testing.assert_frame_equal(fast, _read_checked("x.jsonl", data))
    # blank lines keep their numbers; a hand-written timestamp without microseconds is normalised
    odd = data.replace(b'"2021-03-01T01:00:00.000000Z"', b'"2021-03-01T08:00:00+07:00"') + b"\n\n"
    p = tmp_path / "odd.jsonl"
    p.write_bytes(b"\n" + odd)
    h = read_coder_file(p)
    assert h["line"].tolist() == [2, 3, 4, 5, 6, 7]
    assert h.loc[2, "timestamp"] == pd.Timestamp("2021-03-01T01:00:00Z")


def test_cli_export_import_check(tmp_path, book, caplog):
    from civicposts.cli.data import coding as main
    units = units_frame(3)
    units.to_csv(tmp_path / "units.csv", index=False)
    store_dir = tmp_path / "coding"
    args = ["--codebook", str(CODEBOOK), "--store", str(store_dir)]
    assert main([*args, "export", "--units", str(tmp_path / "units.csv"), "--coder", "ana",
                 "--csv", str(tmp_path / "ana.csv")]) == 0
    sheet = pd.read_csv(tmp_path / "ana.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    sheet.loc[sheet.unit_id == "P1", "topic"] = "roads|waste"
    sheet.to_csv(tmp_path / "ana.csv", index=False)
    assert main([*args, "import", "--sheet", str(tmp_path / "ana.csv"), "--coder", "ana"]) == 0
    assert main([*args, "import", "--sheet", str(tmp_path / "ana.csv"), "--coder", "ana"]) == 0  # no-op
    assert len(read_coder_file(store_dir / "ana.jsonl")) == 1
    assert main([*args, "check", "--units", str(tmp_path / "units.csv")]) == 0
    units[units.unit_id != "P1"].to_csv(tmp_path / "fewer.csv", index=False)
    assert main([*args, "check", "--units", str(tmp_path / "fewer.csv")]) == 1  # P1's coding is an orphan
    sheet.loc[sheet.unit_id == "P2", "gov_response"] = "fixed"
    sheet.to_csv(tmp_path / "ana.csv", index=False)
    caplog.clear()
    assert main([*args, "import", "--sheet", str(tmp_path / "ana.csv"), "--coder", "ana"]) == 2
    assert "code 'fixed'" in caplog.text


def test_append_many_validates_everything_before_writing(store):
    good = {"coder": "ana", "unit_id": "P1", "unit_type": "post", "variable": "topic", "codes": ["roads"]}
    bad = {**good, "unit_id": "P2", "codes": ["potholes"]}
    with pytest.raises(InputError, match="'potholes'"):
        store.append_many([good, good | {"unit_id": "P3"}, bad])
    assert not store.path_for("ana").exists()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["ana", "budi"]), st.sampled_from(["P1", "P2", "P3"]),
                          st.sampled_from(["topic", "official_mentioned"]), st.integers(0, 3)),
                min_size=1, max_size=40))
def test_latest_equals_last_append_per_key(tmp_path_factory, ops):
    book = load_codebook(CODEBOOK)
    store = CodingStore(tmp_path_factory.mktemp("prop"), book)
    choices = {"topic": [["roads"], ["waste"], ["roads", "waste"], ["other"]],
               "official_mentioned": [["none"], ["police"], ["regional_secretary", "transport"], ["other_agency"]]}
    expected = {}
    t0 = pd.Timestamp("2021-03-01T00:00:00Z")
    for i, (coder, unit, var, k) in enumerate(ops):
        store.append(coder, unit, "post", var, choices[var][k], memo=f"#{i}", timestamp=t0 + pd.Timedelta(seconds=i))
        expected[(coder, unit, var)] = (tuple(sorted(choices[var][k])), f"#{i}")
    dec = store.decisions()
    got = {(r.coder, r.unit_id, r.variable): (r.codes, r.memo) for r in dec.itertuples(index=False)}
    assert got == expected
    assert len(store.history()) == len(ops)

