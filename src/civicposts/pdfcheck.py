"""Reading a PDF as a reviewer's eye would: words printed over each other, and numbers with more decimals
than anyone reads. Uses poppler's ``pdftotext -bbox-layout`` (Debian: ``apt-get install -y poppler-utils``),
which gives each word's box on its page.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from .errors import CivicpostsError

_XHTML = "{http://www.w3.org/1999/xhtml}"
_DECIMALS = re.compile(r"(?<![\w.])-?\d+[.,](\d+)(?![\w.])")


@dataclass(frozen=True)
class Word:
    """A word on a page, with its box in PDF points (origin top left)."""

    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def words(pdf: str | Path) -> list[Word]:
    """Every word of ``pdf`` with its box."""
    if shutil.which("pdftotext") is None:
        raise CivicpostsError("pdftotext is missing: install poppler-utils (apt-get install -y poppler-utils)")
    proc = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise CivicpostsError(f"{pdf}: pdftotext could not read it ({proc.stderr.strip()})")
    xml = re.sub(r"<!DOCTYPE[^>]*>", "", proc.stdout)
    out = []
    for n, page in enumerate(ElementTree.fromstring(xml).iter(f"{_XHTML}page"), 1):
        for w in page.iter(f"{_XHTML}word"):
            out.append(Word(n, w.text or "", float(w.get("xMin")), float(w.get("yMin")),
                            float(w.get("xMax")), float(w.get("yMax"))))
    return out


def overlapping(found: list[Word], *, min_overlap: float = 0.5) -> list[tuple[Word, Word]]:
    """Pairs of words on one page whose boxes overlap: wider than ``min_overlap`` points, and over more than
    half the smaller one's height (letters of one line touching the next one's do not count)."""
    pairs = []
    by_page: dict[int, list[Word]] = {}
    for w in found:
        by_page.setdefault(w.page, []).append(w)
    for page_words in by_page.values():
        page_words.sort(key=lambda w: w.y0)
        for i, a in enumerate(page_words):
            for b in page_words[i + 1:]:
                if b.y0 >= a.y1:
                    break  # sorted by top: no later word reaches up into a
                dx = min(a.x1, b.x1) - max(a.x0, b.x0)
                dy = min(a.y1, b.y1) - max(a.y0, b.y0)
                if dx > min_overlap and dy > 0.5 * min(a.y1 - a.y0, b.y1 - b.y0):
                    pairs.append((a, b))
    return pairs


def long_numbers(found: list[Word], *, max_decimals: int = 4) -> list[Word]:
    """Words holding a number printed with more than ``max_decimals`` decimals."""
    return [w for w in found if any(len(m.group(1)) > max_decimals for m in _DECIMALS.finditer(w.text))]


def problems(pdf: str | Path, *, max_decimals: int = 4) -> list[str]:
    """What a reader would stumble on in ``pdf``, one line each (empty: it reads cleanly)."""
    found = words(pdf)
    if not found:
        raise CivicpostsError(f"{pdf}: no text found; is it a PDF with text?")
    out = [f"page {a.page}: {a.text!r} and {b.text!r} are printed over each other" for a, b in overlapping(found)]
    out += [f"page {w.page}: {w.text!r} has more than {max_decimals} decimals" for w in long_numbers(found, max_decimals=max_decimals)]
    return out
