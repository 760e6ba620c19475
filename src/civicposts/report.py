"""The reproduction report: a typst-built PDF and the HTML index of every artefact.

Both are assembled from the artefact sidecars (``artefacts.load_sidecars``), so
the PDF, the index and the manifest always list the same figures and tables
with the same captions.

Why typst: it is a single wheel on PyPI (no TeX, no browser), compiles this
report in well under a second, embeds its own fonts (Libertinus Serif,
DejaVu Sans Mono) when system fonts are ignored, and takes a fixed timestamp,
so the PDF is byte-identical on every machine with the locked environment.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .artefacts import load_sidecars
from .iorw import source_date_epoch, write_bytes, write_text
from .tables import formats
from .tables.views import header
from .verification import NOT_RUN as NOT_RUN_TEXT
from .verification import SCRIPT_NAME, ensure_placeholder

log = logging.getLogger(__name__)

PDF_NAME = "civicposts-report.pdf"
MAX_PDF_ROWS = 40
KEEP_WHOLE_LINES = 45  # tables of about this many printed lines or fewer are never split over two pages
KEEP_WHOLE_LANDSCAPE = 30  # the same on a turned page, which is about two thirds as tall


def _lines(rows: list[list[Any]], chars_per_line: int = 45) -> int:
    """About how many printed lines ``rows`` take (its tallest cell per row, at ``chars_per_line``)."""
    return sum(max([1] + [sum(len(part) // chars_per_line + 1 for part in str(v).split("\n")) for v in row])
               for row in rows[:MAX_PDF_ROWS])


MISSING_NOTE = ("– : no value. For a number: not defined for these data (for example a coefficient of a code no "
                "coder used, or an interval where every bootstrap sample agrees); for text: nothing to say.")
KEY_PACKAGES = ("pandas", "numpy", "matplotlib", "seaborn", "papermill", "nbconvert", "typst", "itables")


def _t(text: Any) -> str:
    """A typst string literal for ``text`` (rendered verbatim, never as markup)."""
    s = "" if text is None or (isinstance(text, float) and text != text) else str(text)
    s = _pdf_safe(s)
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _pdf_safe(s: str) -> str:
    """Replace emoji, which the embedded fonts lack, by their Indonesian names."""
    from .text import emoji_as_names

    return emoji_as_names(s)


_BREAK_AFTER = re.compile(r"(?<=[_/])(?=\S)|(?<=[A-Za-z_]\.)(?=[A-Za-z])")


def _breakable(s: str) -> str:
    """``s`` with break opportunities (a zero-width space) after ``_``, ``/`` and the dots of dotted names,
    so code names, file paths and function names wrap in a narrow column instead of running into the next.
    Handles, e-mail addresses and links stay whole: split over two lines they would read as another name."""
    return re.sub(r"\S+", lambda m: m.group(0) if "@" in m.group(0) or "://" in m.group(0)
                  else _BREAK_AFTER.sub("\u200b", m.group(0)), s)


def _cell(v: Any) -> str:
    """A typst table cell: the value formatted, its line breaks kept."""
    parts = [f"#{_t(_breakable(line))}" for line in formats.plain(v).split("\n")]
    return "[" + "#linebreak()".join(parts) + "]"


def read_table_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    """A saved table's column names and rows, as text (the csv module: the PDF step needs no pandas)."""
    import csv

    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    return (rows[0], rows[1:]) if rows else ([], [])


def _typst_table(columns: list[str], rows: list[list[Any]], pdf_columns: list[str] | None = None,
                 headers: Mapping[str, str] | None = None) -> tuple[str, str]:
    """A typst table (at most MAX_PDF_ROWS rows, ``pdf_columns`` only, headers named by ``headers``) and a note
    on what was left out and on cells without a value."""
    if not columns:
        return "text(style: \"italic\")[No rows yet.]", ""
    keep = list(range(len(columns)))
    left_out: list[str] = []
    if pdf_columns and any(c in columns for c in pdf_columns):  # a status table has none of them
        left_out = [c for c in columns if c not in pdf_columns]
        keep = [columns.index(c) for c in pdf_columns if c in columns]
    shown = [[row[i] for i in keep] for row in rows[:MAX_PDF_ROWS]]
    names = [columns[i] for i in keep]
    # text-heavy columns share the free width; short ones take what they need
    longest = [max([len(header(str(c), headers))] + [len(str(r[j])) for r in shown]) for j, c in enumerate(names)]
    widths = ", ".join("1fr" if n > 28 else "auto" for n in longest)
    # headers read as words ("alpha ci low"), and repeat on every page a long table runs over
    head = "table.header(" + ", ".join(f"[#strong({_t(header(str(c), headers))})]" for c in names) + ")"
    cells = ", ".join(_cell(v) for row in shown for v in row)
    notes = [] if rows else ["No rows yet."]
    if len(rows) > MAX_PDF_ROWS:
        notes.append(f"First {MAX_PDF_ROWS} of {len(rows)} rows.")
    if left_out:
        notes.append(f"Columns left out here: {', '.join(header(c, headers) for c in left_out)}.")
    if notes:
        notes.append("The full table is in the CSV.")
    if any(v == formats.MISSING for row in shown for v in row):
        notes.append(MISSING_NOTE)
    note = f"\n#text(size: 7pt)[#{_t(' '.join(notes))}]" if notes else ""
    # numbers line up on the right, as in the HTML tables; text reads from the left
    aligns = ", ".join("right" if _numeric_column([r[j] for r in shown]) else "left" for j in range(len(names)))
    return (f"table(columns: ({widths},), stroke: 0.4pt + luma(140), inset: 3pt, "
            f"align: ({aligns},), {head}, {cells})", note)


_NUMBER_CELL = re.compile(r"[−-]?[\d.,]+%?|\[[^\]]*\]|" + re.escape(formats.MISSING))


def _numeric_column(cells: list[Any]) -> bool:
    """Whether a printed column holds only numbers, intervals and "–" (and at least one number)."""
    text = [str(c).strip() for c in cells if str(c).strip()]
    return bool(text) and any(t != formats.MISSING for t in text) and all(_NUMBER_CELL.fullmatch(t) for t in text)


def _figure_number(label: str) -> str:
    return label.replace("Figure", "").replace("Table", "").strip()


def what_is_real(params: Mapping[str, Any], metas: list[dict[str, Any]]) -> list[str]:
    """Sentences saying what in this build is real and what is made up, derived from the artefacts'
    own labels and the inputs' provenance (PROVENANCE.yaml markers), never from fixed text."""
    from .provenance import describe

    made_up = [m for m in metas if m.get("fictional")]
    corpus = describe(params.get("corpus_inputs") or [])
    kinds = {row["kind"] for row in corpus}
    out = []
    inputs = ", ".join(params.get("corpus_inputs") or []) or "none"
    if kinds == {"real"}:
        out.append(f"The corpus ({inputs}) is collected data: it carries no PROVENANCE.yaml marking it as made up.")
    elif kinds:
        notes = "; ".join(r["note"] for r in corpus if r["kind"] != "real")
        out.append(f"The corpus ({inputs}) is made up: {notes}.")
    if made_up:
        out.append(f"{len(made_up)} of {len(metas)} artefacts are made from fictional data or simulated coders and are "
                   "marked so in their file names and captions: they demonstrate the method and are not findings.")
    else:
        out.append(f"None of the {len(metas)} artefacts is made from fictional data or simulated coders.")
    if params.get("paper_dir"):
        out.append(f"The facts of the paper this study compares with ({params['paper_dir']}) are real, each cited "
                   "to the paper's section.")
    else:
        out.append("The study compares with no published paper's facts.")
    return out


def orientation(params: Mapping[str, Any], metas: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The front page's second half: how to verify this build, and where each reader starts."""
    study = params.get("study_config") or "config/study.yaml"
    claims = next((m["label"] for m in metas if m["name"].endswith("tab00_claims")), None)
    # the claims table leads only when there is a paper whose claims it tests
    first = (f"{claims} (the paper's claims, with their evidence and status)" if claims and params.get("paper_dir")
             else "the tables below")
    return [
        ("How to verify", f"`make verify` rebuilds all {len(metas)} figures and tables, the notebooks and this PDF "
                          "from data/raw/ in a temporary folder and compares each file's sha256 with the committed "
                          "reference (published/reports/manifest.json); the continuous integration runs it on "
                          "every change. reports/manifest.json lists every artefact with its inputs. The result "
                          "of the last run on a copy is shown at the top of reports/index.html and kept in "
                          "reports/verification.json, outside the files it checks: printed here, it would change "
                          "this PDF, which is one of them."),
        ("Reviewer", f"Start with {first}, then the provenance appendix; every caption names its data and the "
                     "function that made it."),
        ("Academic with your own collection", "`python -m civicposts new-study --posts <your export> --out "
                                              "config/my_study.yaml`, then `make all STUDY=config/my_study.yaml` "
                                              f"(this build: `make all STUDY={study}`)."),
        ("Student", "`make lab` opens notebooks/06_start_here.ipynb: code ten posts with the mouse or the keyboard and "
                    "get feedback on each; practice goes to coding/practice/ and never enters the study."),
    ]


def _with_code(text: str) -> str:
    """Typst markup for ``text`` with its `...` spans set as code."""
    return "".join(f"#raw({_t(part)})" if i % 2 else f"#{_t(part)}" for i, part in enumerate(text.split("`")) if part)


def typst_source(params: dict[str, Any], reports_dir: Path, root: Path) -> str:
    """The typst source of the reproduction report."""
    from . import paper

    metas = load_sidecars(reports_dir)
    if params.get("paper_dir"):
        cit = paper.load_citation(params["paper_dir"])
        study_line = (f"*Study.* #{_t(paper.citation_text(cit))}\n\n*Method of the study.* #{_t(cit['method'])}.")
    else:
        study_line = f"*Study.* #{_t(params.get('study_title') or 'civicposts study')}"
    if params.get("research_question"):
        study_line += f"\n\n*Research question.* #{_t(params['research_question'])}"
    real = " ".join(what_is_real(params, metas))
    orient = "\n\n".join(f"*{k}.* {_with_code(v)}" for k, v in orientation(params, metas))
    rel = reports_dir.resolve().relative_to(root.resolve())
    parts = [f"""#set document(title: "civicposts reproduction report", author: "civicposts", date: none)
#set page(paper: "a4", margin: 2.2cm, numbering: "1")
#set text(font: "Libertinus Serif", size: 10pt, lang: "en")
#set par(justify: true)
#show figure.caption: set text(size: 8.5pt)
#show figure.where(kind: table): set figure.caption(position: top)
#show table: set par(justify: false)
#show figure.where(kind: table): set block(breakable: true)
#show heading: set text(weight: "bold")

#align(center)[#text(size: 17pt, weight: "bold")[civicposts reproduction report]]
#align(center)[#text(size: 10pt)[Regenerated figures and tables for the study]]
#v(0.5em)
#block(inset: 8pt, stroke: 0.5pt, width: 100%)[
{study_line}

*What is real here.* #{_t(real)}

{orient}
]
"""]
    parts.append("\n= Figures and tables\n")
    for m in metas:
        caption = f"{m['caption']} [Data: {m['name']}.csv; made by {m['function']} in {m['notebook']}.]"
        number = _figure_number(m["label"])
        if m["kind"] == "figure":
            img = f"/{rel}/figures/{m['name']}.svg"
            parts.append(
                f"#figure(image({_t(img)}, width: 100%), caption: [#{_t(caption)}], "
                f"supplement: [Figure], numbering: _ => {_t(number)})\n")
        else:
            columns, rows = read_table_csv(reports_dir / "tables" / f"{m['name']}.csv")
            columns, rows = formats.apply(columns, rows, m)
            body, note = _typst_table(columns, rows, m.get("pdf_columns"), m.get("names"))
            figure = (f"figure(text(size: 7.5pt)[#{body}], kind: table, caption: [#{_t(caption)}], "
                      f"supplement: [Table], numbering: _ => {_t(number)})")
            # turned only when the table is the one its view describes (not a one-line status in its place)
            landscape = bool(m.get("landscape")) and any(c in columns for c in m.get("pdf_columns") or columns)
            # a table short enough for one page stays whole, its caption with it; a long one runs on, header repeated
            if _lines(rows, 90 if landscape else 45) <= (KEEP_WHOLE_LANDSCAPE if landscape else KEEP_WHOLE_LINES):
                figure = f"block(breakable: false)[#{figure}]"
            if landscape:  # a wide table gets pages of its own, turned, and the report goes on upright after it
                parts.append(f"#page(flipped: true)[#{figure}{note}]\n")
            else:
                parts.append(f"#{figure}{note}\n")
    parts.append(_provenance(params, metas, root))
    return "\n".join(parts)


def _provenance(params: dict[str, Any], metas: list[dict[str, Any]], root: Path) -> str:
    from importlib import metadata

    from .iorw import sha256_file
    from .leaks import KIT_DIGEST

    rows = []
    for m in metas:
        for inp in m["inputs"]:
            p = root / inp
            # marked as the kit's own digest: a prefix of only decimal digits (about 1 in 2,000) would otherwise
            # read as a 16-digit ID number to the leak scan, which then stopped a study's build
            digest = KIT_DIGEST + sha256_file(p)[:16] if p.is_file() else ("folder" if p.is_dir() else "missing")
            rows.append((m["label"], m["function"], m["notebook"], inp, digest))
    body, _ = _typst_table(["Artefact", "Function", "Notebook", "Input", "sha256 (first 16 hex digits)"],
                           rows[:MAX_PDF_ROWS])
    pkgs = ", ".join(f"{p} {metadata.version(p)}" for p in KEY_PACKAGES)
    shown = {k: v for k, v in sorted(params.items()) if k not in ("allowlist",)}
    pbody, _ = _typst_table(["Parameter", "Value"], [[k, json.dumps(v, ensure_ascii=False)] for k, v in shown.items()])
    return f"""
#pagebreak()
= Appendix: provenance
Every artefact above was produced by one named function in `src/civicposts/`, called from one notebook
run by papermill, from the input files listed here (with the first 16 hex digits of their sha256).
The full record, with the sha256 of every artefact, is `reports/manifest.json`; `make verify` rebuilds
everything from `data/raw/` and checks each artefact against the committed reference manifest.

#text(size: 7pt)[#{body}]

*Parameters of this run* (from the study configuration and any overrides):

#text(size: 7pt)[#{pbody}]

*Key packages* (all pinned in `requirements.lock`): {_t(pkgs)}.
"""


def build_pdf(params: dict[str, Any], root: str | Path = ".") -> Path:
    """Compile the reproduction report PDF into the reports folder."""
    import typst

    root = Path(root)
    reports_dir = root / params["reports_dir"]
    src = typst_source(params, reports_dir, root)
    typ = root / "build" / "report" / "report.typ"
    write_text(typ, src)
    pdf = typst.compile(str(typ), root=str(root), ignore_system_fonts=True, timestamp=source_date_epoch())
    out = write_bytes(reports_dir / PDF_NAME, pdf)
    log.info("PDF %s (%d bytes)", out, len(pdf))
    return out


def _code_spans(escaped: str) -> str:
    """`...` in already escaped text as <code>...</code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)


def write_index(params: dict[str, Any], root: str | Path = ".") -> Path:
    """Write ``reports/index.html`` linking every report, figure and table."""
    root = Path(root)
    reports_dir = root / params["reports_dir"]
    metas = load_sidecars(reports_dir)
    notebooks = sorted((reports_dir / "notebooks").glob("*.html"))
    e = html.escape
    rows = []
    for m in metas:
        links = " · ".join(f'<a href="{m["dir"]}/{e(f)}">{e(Path(f).suffix[1:].upper())}</a>' for f in m["files"])
        thumb = (f'<img src="figures/{e(m["name"])}.png" alt="{e(m["label"])}" loading="lazy">'
                 if m["kind"] == "figure" else "")
        rows.append(f"<tr><td><b>{e(m['label'])}</b>{' <span class=tag>fictional</span>' if m['fictional'] else ''}"
                    f"</td><td>{thumb}{e(m['caption'])}<br><small>made by <code>{e(m['function'])}</code> in "
                    f"<code>{e(m['notebook'])}</code></small></td><td>{links}</td></tr>")
    nb_items = "".join(f'<li><a href="notebooks/{e(p.name)}">{e(p.stem)}</a></li>' for p in notebooks)
    rq = params.get("research_question")
    question = f"<br>Research question: {e(str(rq))}" if rq else ""
    orient = "".join(f"<dt><b>{e(k)}</b></dt><dd>{_code_spans(e(v))}</dd>" for k, v in orientation(params, metas))
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>civicposts reports</title>
<style>
body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;line-height:1.45}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ccc;padding:.5em;vertical-align:top}}
img{{max-width:260px;display:block;margin-bottom:.4em;border:1px solid #ddd}}
.tag{{background:#E69F00;color:#000;border-radius:3px;padding:0 .3em;font-size:.8em}}
.note{{border:1px solid #999;padding:.6em 1em;background:#f7f7f7}}
.ok{{border-left:6px solid #009E73}}.bad{{border-left:6px solid #D55E00;font-weight:bold}}
</style></head><body>
<h1>civicposts reports</h1>
<p class="note"><b>{e(str(params.get("study_title") or "civicposts study"))}</b>{question}<br>
{e(" ".join(what_is_real(params, metas)))} Artefacts marked <span class="tag">fictional</span> are made from
fictional data or simulated coders.</p>
<p class="note" id="verification">{e(NOT_RUN_TEXT)}</p>
<script src="{SCRIPT_NAME}"></script>
<script>
// the last `make verify` (civicposts.verification writes verification.js; the build a placeholder)
(function () {{ var v = window.civicpostsVerification, p = document.getElementById("verification");
  if (v && p) {{ p.textContent = v.text; p.className = "note " + (v.ran ? (v.ok ? "ok" : "bad") : ""); }} }})();
</script>
<dl class="note">{orient}</dl>
<ul>
<li><a href="{PDF_NAME}">Reproduction report (PDF)</a></li>
<li><a href="manifest.json">Manifest</a>: sha256 of every artefact and input; check with <code>make verify</code></li>
</ul>
<h2>Notebooks</h2><ul>{nb_items}</ul>
<h2>Figures and tables</h2>
<table><tr><th>Artefact</th><th>Caption</th><th>Files</th></tr>
{''.join(rows)}
</table></body></html>
"""
    ensure_placeholder(reports_dir)
    out = write_text(reports_dir / "index.html", page)
    log.info("index %s", out)
    return out
