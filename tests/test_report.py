"""The PDF: A4, embedded fonts, numbered captions, citation, provenance; byte-identical rebuilds."""

import re
import zlib

from civicposts import report


def _pdf_text_streams(pdf: bytes) -> str:
    out = []
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(m.group(1)).decode("latin-1"))
        except zlib.error:
            pass
    return "\n".join(out)


def test_pdf_is_a4_with_embedded_fonts(built_tree):
    pdf = (built_tree / "reports" / report.PDF_NAME).read_bytes()
    assert pdf.startswith(b"%PDF")
    boxes = set(re.findall(rb"/MediaBox ?\[0 0 ([\d.]+) ([\d.]+)\]", pdf))
    sizes = {tuple(sorted((round(float(w)), round(float(h))))) for w, h in boxes}
    assert sizes == {(595, 842)}, f"pages not A4: {sizes}"
    # the wide agreement table (its view asks for landscape) is printed on turned pages, the rest upright
    turned = {(round(float(w)), round(float(h))) for w, h in boxes if float(w) > float(h)}
    assert turned == {(842, 595)} and (595, 842) in {(round(float(w)), round(float(h))) for w, h in boxes}
    n_fonts = len(re.findall(rb"/Type ?/Font\b", pdf))
    n_files = len(re.findall(rb"/FontFile[23]?\b", pdf))
    assert n_files >= 2 and n_fonts >= 1, "fonts are not embedded"
    assert b"/CreationDate" not in pdf or b"D:2021" in pdf


def test_typst_source_has_numbered_captions_citation_and_provenance(built_tree):
    import json

    params = json.loads((built_tree / "build/study.json").read_text())
    src = report.typst_source(params, built_tree / "reports", built_tree)
    assert '"Figure 1"' in src.replace("numbering: _ => ", "") or 'numbering: _ => "1"' in src
    assert "Saleh, Rakhmat" in src
    assert "Appendix: provenance" in src
    assert "account_snapshot.csv" in src
    assert 'kind: table' in src


def test_typst_strings_are_escaped():
    assert report._t('a "quoted" \\ path') == '"a \\"quoted\\" \\\\ path"'
    assert report._t("#set page(width: 1pt)").startswith('"#set')  # a string literal, never markup


def test_pdf_rebuild_is_byte_identical(mutable_tree):
    import json

    params = json.loads((mutable_tree / "build/study.json").read_text())
    before = (mutable_tree / "reports" / report.PDF_NAME).read_bytes()
    report.build_pdf(params, root=mutable_tree)
    assert (mutable_tree / "reports" / report.PDF_NAME).read_bytes() == before


def test_the_pdf_reads_cleanly_no_words_over_each_other_no_long_decimals(built_tree):
    """pdftotext's word boxes: no two words of a page printed over each other (code names, paths and
    function names wrap in their column), and no number with more than four decimals."""
    from civicposts import pdfcheck

    assert pdfcheck.problems(built_tree / "reports" / report.PDF_NAME) == []


def test_long_names_get_break_opportunities_numbers_do_not():
    assert report._breakable("flooding_drainage") == "flooding_\u200bdrainage"
    assert report._breakable("data/raw/x.csv") == "data/\u200braw/\u200bx.\u200bcsv"
    assert report._breakable("civicposts.run.execute") == "civicposts.\u200brun.\u200bexecute"
    assert report._breakable("0.651 and 3.11.7") == "0.651 and 3.11.7"
    # a handle, an e-mail or a link split over two lines would read as another name
    assert report._breakable("Sekda @demo.sekda.kota, https://x.org/a_b") == "Sekda @demo.sekda.kota, https://x.org/a_b"


def test_the_front_page_says_how_to_verify_and_where_each_reader_starts(built_tree):
    import json

    params = json.loads((built_tree / "build/study.json").read_text())
    src = report.typst_source(params, built_tree / "reports", built_tree)
    front = src[: src.index("= Figures and tables")]
    for part in ("How to verify", "make verify", "Reviewer", "Academic with your own collection", "new-study",
                 "Student", "make lab"):
        assert part in front
    index = (built_tree / "reports" / "index.html").read_text(encoding="utf-8")
    assert "<code>make verify</code>" in index and "06_start_here" in index
    # the claims table leads both
    assert src.index("tab00_claims") < src.index("fig01")
    assert index.index("tab00_claims") < index.index("fig01")


def test_a_landscape_view_turns_its_table_and_a_status_table_in_its_place_stays_upright(tmp_path):
    import json

    tables = tmp_path / "reports" / "tables"
    tables.mkdir(parents=True)
    view = {"pdf_columns": ["code", "alpha"], "landscape": True, "formats": {"alpha": "coef"}, "names": {"alpha": "α"}}
    for name, csv in (("tab07_wide", "code,alpha\nroads,0.6502938544\n"), ("tab08_status", "status\nnot measured\n")):
        (tables / f"{name}.csv").write_text(csv, encoding="utf-8")
        (tables / f"{name}.meta.json").write_text(json.dumps({
            "kind": "table", "name": name, "files": [f"{name}.csv"], "label": "Table 7", "caption": "c",
            "function": "f", "inputs": [], "fictional": False, "order": 7.0 if "07" in name else 8.0,
            "notebook": "nb", **view}), encoding="utf-8")
    src = report.typst_source({"reports_dir": "reports"}, tmp_path / "reports", tmp_path)
    line = {n: next(x for x in src.splitlines() if f"{n}.csv" in x) for n in ("tab07_wide", "tab08_status")}
    assert line["tab07_wide"].startswith("#page(flipped: true)")
    assert not line["tab08_status"].startswith("#page(")
    assert src.count("#page(flipped: true)") == 1
    assert '".650"' in line["tab07_wide"] and '"α"' in line["tab07_wide"]  # the view's format and header


def test_the_reviewer_is_sent_to_the_claims_only_when_a_paper_has_claims():
    metas = [{"name": "tab00_claims", "label": "Table 0"}]
    with_paper = dict(report.orientation({"paper_dir": "data/raw/paper"}, metas))["Reviewer"]
    without = dict(report.orientation({}, metas))["Reviewer"]
    assert with_paper.startswith("Start with Table 0") and without.startswith("Start with the tables below")


def test_a_digest_of_decimal_digits_in_the_provenance_is_no_leak(mutable_tree, monkeypatch):
    """About one input digest in 2,000 starts with 16 decimal digits; printed bare it read as an ID number and the
    leak scan stopped a study's build (seen in CI). The report marks the kit's digests, and the scan knows them."""
    import json

    from civicposts import iorw, leaks

    monkeypatch.setattr(iorw, "sha256_file", lambda p: "9145259265818815" + "0" * 48)
    params = json.loads((mutable_tree / "build/study.json").read_text())
    pdf = report.build_pdf(params, root=mutable_tree)
    found = leaks.scan([pdf], params["allowlist"])
    assert not found["kind"].isin(["nik", "phone"]).any(), found
    text = leaks._pdf_lines(pdf)
    assert any("sha256:9145259265818815" in line for _, line in text)  # the digest is still there, whole
    assert leaks.scan_line("ID 9145259265818815", frozenset()) == [("nik", "9145259265818815")]  # bare: a leak
