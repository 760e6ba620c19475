"""The PDF reader's-eye check: words printed over each other and over-long decimals are found, a clean page
passes. PDFs are made here with typst (a dependency of the report)."""

from __future__ import annotations

import pytest

from civicposts import pdfcheck
from civicposts.errors import CivicpostsError


def _pdf(tmp_path, source: str):
    import typst

    typ = tmp_path / "t.typ"
    typ.write_text('#set page(width: 12cm, height: 6cm)\n#set text(font: "Libertinus Serif")\n' + source,
                   encoding="utf-8")
    pdf = tmp_path / "t.pdf"
    pdf.write_bytes(typst.compile(str(typ), ignore_system_fonts=True))
    return pdf


def test_a_clean_page_reads_cleanly(tmp_path):
    pdf = _pdf(tmp_path, "Agreement was 0.651 [0.57, 0.79] on 2021-02-27.\n\nA second line of words.")
    assert pdfcheck.problems(pdf) == []


def test_words_printed_over_each_other_are_found(tmp_path):
    pdf = _pdf(tmp_path, '#place(top + left, dx: 1cm, dy: 1cm)[alpha_ci_low]\n'
                         '#place(top + left, dx: 1.6cm, dy: 1cm)[high]')
    found = pdfcheck.problems(pdf)
    assert len(found) == 1 and "'alpha_ci_low' and 'high'" in found[0]


def test_numbers_with_too_many_decimals_are_found(tmp_path):
    pdf = _pdf(tmp_path, "kappa 0.6502938544 and 0.6503 and version 3.11.7")
    found = pdfcheck.problems(pdf)
    assert found == ["page 1: '0.6502938544' has more than 4 decimals"]


def test_a_pdf_without_text_is_an_error(tmp_path):
    pdf = _pdf(tmp_path, "")
    with pytest.raises(CivicpostsError, match="no text"):
        pdfcheck.problems(pdf)
