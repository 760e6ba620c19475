"""The leak scan (civicposts.leaks): independent of the masker, broad, and quiet on the kit's own numbers."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pii_cases as C
from civicposts import leaks

ALLOW = frozenset({"ratudewa", "palembang.update"})
SCANNED = ("handle", "profile_link", "phone", "nik", "email")  # what the scan promises to find


@pytest.mark.parametrize("family", SCANNED)
@settings(max_examples=80, deadline=None)
@given(r=st.randoms(use_true_random=False))
def test_the_scan_finds_every_family_as_people_write_it(family, r):
    case = C.GENERATORS[family](r)
    assert leaks.scan_line(case.text, ALLOW), case.text


@settings(max_examples=300, deadline=None)
@given(r=st.randoms(use_true_random=False))
def test_the_scan_is_quiet_on_ordinary_numbers(r):
    case = C.negative_case(r)
    assert leaks.scan_line(case.text, ALLOW) == []


@pytest.mark.parametrize("family", SCANNED)
@settings(max_examples=60, deadline=None)
@given(r=st.randoms(use_true_random=False))
def test_a_file_gives_what_each_of_its_lines_gives(tmp_path_factory, family, r):
    """The file scan passes over lines by quick gates (no "@", digit, link ...): each gate must keep every line
    ``scan_line`` finds something in."""
    case = C.GENERATORS[family](r)
    f = tmp_path_factory.mktemp("f") / "out.txt"
    f.write_text(case.text + "\n", encoding="utf-8")
    found = leaks.scan(f, ALLOW)
    assert list(zip(found["kind"], found["match"])) == leaks.scan_line(case.text, ALLOW)


@pytest.mark.parametrize("text, kind", [
    ("tulis ke budi (at) gmail (dot) com ya", "email"),  # no "@" and no digit on the line
    ("telp (071)12345 ya", "phone"),                     # the shortest landline: 8 digits
    ("kantor (0711) 123456", "phone"),
])
def test_the_shortest_forms_are_found_in_files(tmp_path, text, kind):
    (tmp_path / "out.txt").write_text(f"{text}\n")
    assert leaks.scan(tmp_path, ALLOW)["kind"].tolist() == [kind]


@pytest.mark.parametrize("line", [
    "author,user_0812345678,id_1671014105",  # pseudonyms made of digits
    '"sha256": "0812345678901234a9f3c2d1e0b4a5c6d7e8f90123456789abcdef0123456789"',
    "alpha 0.8123456789, kappa 0.6510000000, n 200",
    "@media print { body { margin: 0 } } @font-face { }",
    "thanks @ratudewa and instagram.com/palembang.update/",
    "https://www.instagram.com/p/CAbc123/ posted 2021-02-27 08:00",
    "data/processed/post_decisions.parquet sha256:9145259265818815",  # the reports' digest prefix, all decimal
])
def test_the_kits_own_text_is_not_a_leak(line):
    assert leaks.scan_line(line, ALLOW) == []


def test_the_scan_reads_parquet_strings_and_pdf_text(tmp_path):
    import typst

    pd.DataFrame({"n": [1, 2], "text": ["ok", "hubungi 0812 1111 2222"]}).to_parquet(tmp_path / "t.parquet")
    (tmp_path / "r.typ").write_text('= Report\n\nFine text.\n#pagebreak()\nMail me: #"bocor@example.org"\n')
    (tmp_path / "r.pdf").write_bytes(typst.compile(str(tmp_path / "r.typ")))
    (tmp_path / "r.typ").unlink()
    found = leaks.scan(tmp_path, ALLOW)
    got = {(f.split("/")[-1], line, kind) for f, line, kind in zip(found["file"], found["line"], found["kind"])}
    assert got == {("t.parquet", 2, "phone"), ("r.pdf", 2, "email")}  # row 2; page 2


def test_the_scan_reads_a_qdpx_and_does_not_take_guids_for_phones(tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "p.qdpx", "w") as zf:
        zf.writestr("project.qde", '<Source guid="55de83c3-499b-584f-abd5-f0805968165a" name="a"/>\n')
        zf.writestr("Sources/55de83c3-499b-584f-abd5-f0805968165a.txt", "hubungi 0812 1111 2222 ya")
    found = leaks.scan(tmp_path, ALLOW)
    assert found["kind"].tolist() == ["phone"] and found["file"].str.endswith("p.qdpx").all()


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "civicposts", "scan-leaks", *args], cwd=cwd, capture_output=True,
                          text=True)


def test_scan_leaks_command_fails_naming_file_and_line(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a.csv").write_text("x\nok\nterima kasih Line@budi88\n")
    proc = _cli("out", "--allow", "ratudewa", "--report", "found.csv", cwd=tmp_path)
    assert proc.returncode == 1
    assert "out/a.csv:3: handle '@budi88'" in proc.stderr
    assert pd.read_csv(tmp_path / "found.csv")["kind"].tolist() == ["handle"]
    (tmp_path / "out" / "a.csv").write_text("x\nok\nterima kasih @ratudewa\n")
    proc = _cli("out", "--allow", "ratudewa", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert _cli("missing", cwd=tmp_path).returncode == 1


def test_the_studys_own_documents_are_not_collected_data(tmp_path):
    (tmp_path / "codebook.yaml").write_text("example: \"FICTIONAL: mohon ditinjau @demo.dinas.pupr\"\n")
    (tmp_path / "nb").mkdir()
    (tmp_path / "nb" / "a.ipynb").write_text('{"cells": [{"source": ["about @palembang.update"]}]}')
    assert leaks.documented_handles([tmp_path / "codebook.yaml", tmp_path / "nb", tmp_path / "absent"]) == \
        {"demo.dinas.pupr", "palembang.update"}


def test_the_cache_gives_the_same_findings_and_never_those_of_an_older_content(tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    out.mkdir()
    pd.DataFrame({"text": ["ok", "hubungi 0812 1111 2222"]}).to_parquet(out / "t.parquet")
    (out / "a.txt").write_text("nothing here\n")
    plain = leaks.scan(out, ALLOW)
    first = leaks.scan(out, ALLOW, cache=cache)
    assert len(list(cache.glob("*.json"))) == 2
    again = leaks.scan(out, ALLOW, cache=cache)  # from the cache
    assert plain.equals(first) and first.equals(again) and len(plain) == 1
    (out / "a.txt").write_text("line one\nmail bocor@example.org\n")  # changed: scanned again, not taken from the cache
    changed = leaks.scan(out, ALLOW, cache=cache, prune=True)
    assert set(zip(changed["file"].str.split("/").str[-1], changed["line"])) == {("t.parquet", 2), ("a.txt", 2)}
    assert len(list(cache.glob("*.json"))) == 2  # the old a.txt entry pruned
    # another allowlist is another cache: a handle allowed once is reported when it is not
    (out / "a.txt").write_text("cc @warga.satu\n")
    assert leaks.scan(out, {"warga.satu"}, cache=cache)["file"].str.endswith("a.txt").sum() == 0
    assert leaks.scan(out, ALLOW, cache=cache)["file"].str.endswith("a.txt").sum() == 1


@settings(max_examples=3000, deadline=None)
@given(s=st.lists(st.sampled_from(list("0123456789abcdefABCDEF.@ -_()[]{}+/\t") + [" at ", "(AT)", "gmail", ".com"]),
                  max_size=30).map("".join))
def test_each_gate_holds_wherever_its_pattern_matches(s):
    """scan_line tries a pattern only where its gate matches: each gate must be a necessary condition, or a
    leak would pass the scan."""
    for pattern, gate in ((leaks._EMAIL, leaks._EMAIL_GATE), (leaks._HEX_RUN, leaks._HEX_GATE), (leaks._DEC, leaks._DEC_GATE)):
        if pattern.search(s):
            assert gate.search(s), (pattern.pattern, s)


def test_a_step_s_own_product_scanned_into_the_cache_is_reported_by_the_final_scan(tmp_path, monkeypatch):
    """The REFI-QDA project is scanned into the build's cache by the rule that makes it; a leak found there is
    still reported by the final scan (from the cache: the file is not read again)."""
    product = tmp_path / "reports" / "report.txt"
    product.parent.mkdir()
    product.write_text("hubungi 0812-3456-7890 ya\n")
    cache = tmp_path / "cache"
    leaks.scan_into_cache([product], {"allowlist": []}, cache)
    assert len(list(cache.glob("*.json"))) == 1

    def unread(*args):
        raise AssertionError("read again")

    monkeypatch.setattr(leaks, "_scan_file", unread)
    found = leaks.scan([tmp_path / "reports"], leaks.study_allowlist({"allowlist": []}), cache=cache)
    assert found["kind"].tolist() == ["phone"] and found["file"].tolist() == [str(product)]


@pytest.mark.parametrize("pattern, gate, text", [
    ("_EMAIL", "_EMAIL_GATE", "tulis ke budi@mail.com ya"),
    ("_EMAIL", "_EMAIL_GATE", "tulis ke budi @ mail.com ya"),  # "@" spelt with spaces
    ("_EMAIL", "_EMAIL_GATE", "budi (at) mail [dot] com"),
    ("_EMAIL", "_EMAIL_GATE", "BUDI [AT] MAIL.COM"),
    ("_HEX_RUN", "_HEX_GATE", "kode ABCDEF0123456789AB"),
    ("_HEX_RUN", "_HEX_GATE", "kode abcdef0123456789ab"),
    ("_DEC", "_DEC_GATE", "p = 0.81234"),
])
def test_each_gate_holds_on_every_form_its_pattern_knows(pattern, gate, text):
    """Every alternative of each gated pattern, written out: random strings alone rarely form them."""
    assert getattr(leaks, pattern).search(text), "the case must be one the pattern finds"
    assert getattr(leaks, gate).search(text)


_CELLS = st.one_of(
    st.none(),
    st.sampled_from(["", "biasa saja", "user_0123abcd45", "0812-3456-7890", "budi@mail.com", "@warga.satu",
                     "instagram.com/warga.dua", "hubungi 0812 3456 7890 atau budi (at) mail.com @ratudewa",
                     "3201011201900001", "p = 0.81234", "0811", "2345678", "Ａ＠warga", "１２３"]),
    st.text(alphabet=list("0123456789@. -()abuser_") + ["ü", "\u0301", "\n"], max_size=25),
)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.tuples(_CELLS, _CELLS, st.lists(_CELLS.filter(lambda v: v is not None), max_size=3)),
                     min_size=1, max_size=8))
def test_a_table_scanned_column_by_column_finds_what_its_rows_give(tmp_path_factory, rows):
    """The Parquet scan reads each distinct cell of a column once; its findings and their order are those of
    reading each row as one line (``_lines``): same rows, same kinds, same matches."""
    f = tmp_path_factory.mktemp("t") / "t.parquet"
    pd.DataFrame(rows, columns=["a", "b", "c"]).assign(n=1).to_parquet(f)
    by_line = [(str(f), i, kind, match) for i, line in leaks._lines(f)
               for _, kind, match in leaks._line_hits(line, ALLOW, leaks.IGNORE)]
    assert leaks._scan_file(f, ALLOW, leaks.IGNORE) == by_line
