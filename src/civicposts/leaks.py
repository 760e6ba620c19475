"""The leak scan: an independent, deliberately broad search of the outputs for personal data.

It is *not* the masker (:mod:`civicposts.pii`): it shares none of its patterns, so a form the masker
misses is not missed here for the same reason. It errs on the side of reporting. What it looks for,
after folding each line (NFKC, every Unicode digit to ASCII, invisible characters dropped):

- ``handle``: any ``@name`` (glued to a word or not) and any ``instagram.com/name`` that is not on the
  allowlist, not a pseudonym (``user_…``) and not a known non-handle (CSS at-rules, decorators);
- ``email``: ``x@y.z``, also with spaces or ``(at)``/``[at]`` for ``@``;
- ``phone``: digits (any separators between them: space . - / brackets +) that read as an Indonesian
  mobile (``08``/``628`` and 8-11 more digits) or a landline in brackets (``(0711) 123456``);
- ``nik``: 16 digits, however separated, that have a NIK's structure, and any unbroken 16-digit number.

Pseudonyms, hex digests (manifest hashes, and the reports' ``sha256:`` prefixes even when all their digits are
decimal), GUIDs and decimals are blanked first: they are the kit's own
numbers; so are base64 payloads (256 or more characters of its alphabet in one run: embedded images and
scripts), which no one writes as text. Files: text (csv, json, html, ipynb, md, typ, txt, tsv; svg is skipped:
its text is paths), Parquet string and list columns, and PDF text (``pdftotext`` from poppler-utils).
"""

from __future__ import annotations

import json
import multiprocessing
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from .errors import CivicpostsError, InputError

COLUMNS = ["file", "line", "kind", "match"]
SUFFIXES = frozenset({".csv", ".json", ".jsonl", ".html", ".htm", ".ipynb", ".typ", ".md", ".txt", ".tsv",
                      ".parquet", ".pdf", ".qdpx"})
# '@words' in outputs that are not handles: CSS at-rules, Python decorators, typst, JS doc tags.
IGNORE = frozenset({
    "media", "font-face", "keyframes", "import", "page", "charset", "supports", "namespace", "layer", "property",
    "staticmethod", "classmethod", "dataclass", "functools.cache", "pytest.fixture", "context", "container",
    "counter-style", "font-feature-values", "-webkit-keyframes", "-moz-keyframes", "document", "viewport",
})

_PSEUDO = re.compile(r"\b(?:user|id)_[0-9a-f]{10}\b")
# The kit's own digest prefixes as its reports write them ("sha256:" and 16 hex digits): 16 hex digits are all
# decimal about once in 2,000 digests, and would then read as an ID number.
KIT_DIGEST = "sha256:"
_KIT_DIGEST = re.compile(r"\bsha256:[0-9a-f]{16}\b")
_HEX = re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{16,}\b", re.IGNORECASE)
_HEX_RUN = re.compile(r"\b[0-9a-fA-F]{16,}\b")  # _HEX's candidates; the letter-and-digit test is _blank_hex's
_DEC = re.compile(r"(?<![\d.])\d{1,3}\.\d+(?![\d.]*\.\d)")
# "@" written, spaced on both sides, or spelt (at); "word @name.dot" is a mention and counts as a handle
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+(?:@|\s+@\s+|\s*[(\[{]\s*at\s*[)\]}]\s*)[\w-]+(?:\s*(?:\.|[(\[{]dot[)\]}])\s*[\w-]+)*"
                    r"\s*(?:\.|[(\[{]dot[)\]}])\s*[a-z]{2,}\b", re.IGNORECASE)
_SPELT_AT = re.compile(r"[(\[{]\s*at\s*[)\]}]", re.IGNORECASE)
_AT_NAME = re.compile(r"@+([a-z0-9_](?:[a-z0-9_.-]{0,29}[a-z0-9_])?)", re.IGNORECASE)
_LINK = re.compile(r"instagr(?:am\.com|\.am)/+(?:stories/+)?([a-z0-9_.]{1,30})", re.IGNORECASE)
_LINK_PATHS = frozenset({"p", "reel", "reels", "explore", "tv", "accounts", "stories", "direct", "about", ""})
_DIGITS = re.compile(r"\+?\(?\d(?:[\s.\-/()+]{0,3}\d)*")
_NON_DIGIT = re.compile(r"\D")
_MOBILE = re.compile(r"(?:^|[^\d])(?:\+?62|0)\D{0,3}8(?:\D{0,3}\d){8,11}(?!\d)")
_LANDLINE = re.compile(r"\(0\d{2,3}\)\s?\d{5,8}")
_SIXTEEN = re.compile(r"\d{16}")
_ANY_DIGIT = re.compile(r"[0-9]")
_HTML_COMMENT = re.compile(r"^\s*(/\*|\*|//)")
# Necessary conditions of _EMAIL, _HEX_RUN and _DEC, tested first: those patterns open with a lookbehind or
# "\b", so re tries them at every position of a line (and _EMAIL's name part again at each of its characters),
# while these open with one character class, which re scans for directly.
_EMAIL_GATE = re.compile(r"[\w.+-]@|\s@\s|[(\[{]\s*at\s*[)\]}]", re.IGNORECASE)
_HEX_GATE = re.compile(r"[0-9a-fA-F]{16}")
_DEC_GATE = re.compile(r"\d\.\d")
# A GUID (REFI-QDA projects are full of them) is hex in fixed groups: its digit runs are never a phone.
_GUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
# An encoded payload: the images and scripts a notebook and its HTML embed as base64 (a figure, the table
# viewer's module), hundreds of kilobytes on one line. Its letters and digits are no text anyone wrote, and
# reading them as text cost 85 % of the scan of the reports; written text breaks such a run within a few words
# (a space, a dot, an @), so no form the scan looks for is lost with it.
_PAYLOAD = re.compile(r"[A-Za-z0-9+/]{256,}={0,2}")


class _FoldMap(dict):
    """``str.translate`` table of the scan's folding of one character, filled on first sight."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        cat = unicodedata.category(ch)
        if cat in ("Mn", "Me", "Cf"):
            out = ""
        elif cat == "Nd" and not ch.isascii():
            out = str(unicodedata.digit(ch))
        else:
            out = "-" if cat == "Pd" else ch
        self[code] = out
        return out


_FOLD_MAP = _FoldMap()


def _fold(line: str) -> str:
    if line.isascii():
        return line
    return unicodedata.normalize("NFKC", line).translate(_FOLD_MAP)


def _blank_hex(m: re.Match[str]) -> str:
    """A run of 16 or more hex characters becomes " " when it has a letter and a digit (``_HEX``)."""
    run = m.group(0)
    return " " if _HEX.fullmatch(run) else run


def _nik(d: str) -> bool:
    return len(d) == 16 and d[:2] in {"11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33",
                                      "34", "35", "36", "51", "52", "53", "61", "62", "63", "64", "65", "71", "72",
                                      "73", "74", "75", "76", "81", "82", "91", "92", "93", "94", "95", "96", "97"} \
        and (1 <= int(d[6:8]) <= 31 or 41 <= int(d[6:8]) <= 71) and 1 <= int(d[8:10]) <= 12


def scan_line(line: str, allow: frozenset[str], ignore: frozenset[str] = IGNORE) -> list[tuple[str, str]]:
    """(kind, match) of every suspected piece of personal data in one line."""
    return [(kind, match) for _, kind, match in _hits(line, allow, ignore)]


def _hits(line: str, allow: frozenset[str], ignore: frozenset[str]) -> list[tuple[int, str, str]]:
    """``scan_line``'s findings, each after the pass that found it (0 e-mails, 1 @names, 2 links, 3 numbers):
    the findings of a line are in that order, and within a pass from left to right."""
    t = _fold(line)
    hits: list[tuple[int, str, str]] = []
    if "user_" in t or "id_" in t:
        t = _PSEUDO.sub(" ", t)
    if KIT_DIGEST in t:
        t = _KIT_DIGEST.sub(" ", t)
    if "@" in t or _SPELT_AT.search(t):
        if _EMAIL_GATE.search(t):
            emails = [m.group(0) for m in _EMAIL.finditer(t)]
            if emails:
                hits.extend((0, "email", e) for e in emails)
                t = _EMAIL.sub(" ", t)
        for m in _AT_NAME.finditer(t):
            h = m.group(1).lower()
            if h not in allow and h not in ignore and h.rstrip(".") not in allow:
                hits.append((1, "handle", "@" + m.group(1)))
    if "instagr" in t:
        for m in _LINK.finditer(t):
            h = m.group(1).lower().rstrip(".")
            if h not in allow and h not in _LINK_PATHS:
                hits.append((2, "handle", m.group(0)))
    # after folding every digit \d can match is ASCII, so counting those is exact (and fast); the fewest digits
    # any finding has are a landline's 8 ("(071)12345")
    if sum(map(t.count, "0123456789")) >= 8:
        if _HEX_GATE.search(t):
            t = _HEX_RUN.sub(_blank_hex, t)
        if "." in t and _DEC_GATE.search(t):
            t = _DEC.sub(" ", t)
        # the shortest phone ("0812345678", "(071)12345") and NIK are 10 characters or more
        for run in [r for r in _DIGITS.findall(t) if len(r) >= 10]:
            d = _NON_DIGIT.sub("", run)
            mobile = _MOBILE.search(" " + run)
            if mobile or _LANDLINE.fullmatch(run.strip()):
                hits.append((3, "phone", run.strip()))
            elif len(d) == 16 and (_nik(d) or _SIXTEEN.fullmatch(run)):
                hits.append((3, "nik", run.strip()))
    return hits


def _pdf_lines(path: Path) -> Iterator[tuple[int, str]]:
    exe = shutil.which("pdftotext")
    if exe is None:
        raise CivicpostsError(f"{path}: cannot scan a PDF without pdftotext; install it with "
                              "`sudo apt-get install -y poppler-utils`")
    text = subprocess.run([exe, "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode(
        "utf-8", "replace")
    for page, body in enumerate(text.split("\f"), start=1):
        for line in body.splitlines():
            yield page, line


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    suffix = path.suffix.lower()
    if suffix == ".parquet":  # each row as one line: what _scan_table finds column by column, faster
        df, cols = _table(path)
        for i, row in enumerate(zip(*(df[c] for c in cols)), start=1):
            yield i, json.dumps([_cell(v) for v in row], ensure_ascii=False)
        return
    if suffix == ".pdf":
        yield from _pdf_lines(path)
        return
    if suffix == ".qdpx":  # a REFI-QDA project: the project XML and every source text inside the zip
        import zipfile

        n = 0
        with zipfile.ZipFile(path) as zf:
            for name in sorted(zf.namelist()):
                for line in zf.read(name).decode("utf-8", "replace").splitlines():
                    n += 1
                    yield n, line
        return
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"leak scan: not UTF-8 text ({exc})") from exc
    html = suffix in (".html", ".htm")
    for i, line in enumerate(text.splitlines(), start=1):
        if not (html and _HTML_COMMENT.match(line)):  # the toolchain's CSS/JS comments, never data
            yield i, line


def study_allowlist(params: dict) -> list[str]:
    """The accounts a study's scan does not report: its allowlist and the handles its own documents write
    (codebook examples, the notebooks' prose), which are not collected data."""
    return [*params.get("allowlist", []), *documented_handles([params.get("codebook_path") or "", "notebooks"])]


def scan_into_cache(paths: Iterable[str | Path], params: dict, cache: str | Path) -> None:
    """Scan a build step's own products into the build's leak-scan cache right after it wrote them (the REFI-QDA
    project, made beside the last notebook), so the final scan after the last notebook finds them done.
    Findings are kept there and reported by that scan, which stops the build; this step never hides or reports
    them itself."""
    scan(paths, study_allowlist(params), IGNORE, cache=cache, jobs=1)


def documented_handles(paths: Iterable[str | Path]) -> frozenset[str]:
    """The handles written in the study's own documents (its codebook's examples, the notebooks' prose):
    text the researcher or the kit wrote, not collected data, so the scan does not report them.
    Paths that do not exist are skipped (a study may have no codebook of its own)."""
    files: list[Path] = []
    for p in (Path(x) for x in paths if str(x).strip()):
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.suffix in (".ipynb", ".yaml", ".yml", ".md"))
        elif p.is_file():
            files.append(p)
    out: set[str] = set()
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            out.update(m.group(1).lower() for m in _AT_NAME.finditer(_fold(line)))
    return frozenset(out)


def files_to_scan(paths: Iterable[str | Path]) -> list[Path]:
    """The files below ``paths`` the scan reads (InputError for a path that does not exist)."""
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files.extend(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
        elif p.is_file():
            files.append(p)
        else:
            raise InputError(p, "leak scan: no such file or folder")
    return sorted(set(files))


def scan(paths: Iterable[str | Path] | str | Path, allowlist: Iterable[str],
         ignore: Iterable[str] = IGNORE, cache: str | Path | None = None, prune: bool = False,
         jobs: int | None = None) -> pd.DataFrame:
    """Suspected personal data in the files below ``paths``: file, line (page for a PDF, row for
    Parquet), kind, match; empty when nothing leaks.

    ``cache``: a folder keeping each file's findings under a hash of its bytes, the allowlist, the ignore list
    and this module's code, so a file already scanned as it is (e.g. the corpus tables, scanned while the
    later notebooks run) is not read again. The result is the same with or without it. ``prune``: then drop
    the cache's entries of files no longer as they were (the full scan of a build does). ``jobs``: processes
    scanning files side by side (default: one per CPU)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    allow = frozenset(str(a).strip().lstrip("@").lower() for a in allowlist if str(a).strip())
    ign = frozenset(i.lower() for i in ignore)
    files = files_to_scan(paths)
    store = _Cache(Path(cache), allow, ign) if cache is not None else None
    keys = [store.key(f) for f in files] if store else []  # each file read once for its key
    found: list[list[tuple[str, int, str, str]] | None] = (
        [store.get(f, k) for f, k in zip(files, keys)] if store else [None] * len(files))
    todo = [i for i, rows in enumerate(found) if rows is None]
    # the largest files first, so that no CPU is left with a large one at the end
    todo.sort(key=lambda i: -files[i].stat().st_size)
    # files are independent: on several CPUs they are scanned side by side (the scan reads every output, and
    # ran as long as the notebooks that made them); the rows keep the files' sorted order either way
    from .scale import local_workers

    workers = min(len(todo), jobs or local_workers())
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            done = list(pool.map(_scan_file, [files[i] for i in todo], [allow] * len(todo), [ign] * len(todo)))
    else:
        done = [_scan_file(files[i], allow, ign) for i in todo]
    for i, rows in zip(todo, done):
        found[i] = rows
        if store:
            store.put(keys[i], rows)
    if store and prune:
        store.keep(keys)
    return pd.DataFrame([row for rows in found for row in rows or ()], columns=COLUMNS)


class _Cache:
    """Findings per file content (see ``scan``): one small JSON file per scanned file, written atomically."""

    def __init__(self, folder: Path, allow: frozenset[str], ign: frozenset[str]) -> None:
        import hashlib

        self.folder = folder
        h = hashlib.sha256(Path(__file__).read_bytes())
        h.update(json.dumps([sorted(allow), sorted(ign)]).encode("utf-8"))
        self.salt = h.digest()

    def key(self, f: Path) -> Path:
        """The entry of ``f`` as it is now."""
        import hashlib

        h = hashlib.sha256(self.salt)
        h.update(f.suffix.lower().encode("utf-8") + b"\0")
        h.update(f.read_bytes())
        return self.folder / f"{h.hexdigest()}.json"

    def get(self, f: Path, key: Path) -> list[tuple[str, int, str, str]] | None:
        try:
            rows = json.loads(key.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return [(str(f), int(line), kind, match) for line, kind, match in rows]

    def keep(self, keys: list[Path]) -> None:
        """Remove every entry but ``keys``."""
        wanted = {k.name for k in keys}
        for entry in self.folder.glob("*.json"):
            if entry.name not in wanted:
                entry.unlink(missing_ok=True)

    def put(self, key: Path, rows: list[tuple[str, int, str, str]]) -> None:
        from .iorw import write_text

        self.folder.mkdir(parents=True, exist_ok=True)
        write_text(key, json.dumps([[line, kind, match] for _, line, kind, match in rows]))


def _table(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """A Parquet table and its columns the scan reads (text, lists and other objects)."""
    df = pd.read_parquet(path)
    return df, [c for c in df.columns if df[c].dtype == object or pd.api.types.is_string_dtype(df[c])]


def _cell(v: object) -> str:
    """A table cell as the scan reads it: lists and arrays as Python writes a list."""
    return v if isinstance(v, str) else str(list(v)) if hasattr(v, "__iter__") else str(v)


def _worth_scanning(line: str) -> bool:
    # an ASCII line without "@", a spelt "(at)", a link or a digit has nothing to find ([0-9]: ASCII digits)
    return not (line.isascii() and "@" not in line and "instagr" not in line and not _ANY_DIGIT.search(line)
                and not _SPELT_AT.search(line))


def _line_hits(line: str, allow: frozenset[str], ign: frozenset[str]) -> list[tuple[int, str, str]]:
    if not _worth_scanning(line):
        return []
    if len(line) >= 256:
        line = _PAYLOAD.sub(" ", line)
    if "-" in line:
        line = _GUID.sub(" ", line)
    return _hits(line, allow, ign)


def _scan_table(f: Path, allow: frozenset[str], ign: frozenset[str]) -> list[tuple[str, int, str, str]]:
    """A Parquet table's rows, each read as the JSON list of its text cells (``_lines``), found column by column
    with each distinct cell scanned once (ids, types, dates and lists repeat down a column).

    The same findings in the same order as scanning each row's line: no pattern can match across two cells
    (a cell is a JSON string: the quote and comma between cells end every match), and a line's findings come
    pass by pass (``_hits``), so a row's are its cells' findings, in column order, stably sorted by pass."""
    import numpy as np

    df, cols = _table(f)
    by_row: dict[int, list[tuple[int, str, str]]] = {}
    for c in cols:
        if df[c].dtype == object:  # lists and arrays: not hashable, read row by row
            seen: dict[str, int] = {}
            codes = np.fromiter((seen.setdefault(_cell(v), len(seen)) for v in df[c]), dtype=np.int64, count=len(df))
            texts = list(seen)
        else:  # a text column: its distinct values (missing ones as iteration gives them) and each row's
            codes, values = pd.factorize(df[c], use_na_sentinel=False)
            texts = [_cell(v) for v in values]
        hit = {k: h for k, t in enumerate(texts) if (h := _line_hits(json.dumps(t, ensure_ascii=False), allow, ign))}
        if hit:
            for i in np.flatnonzero(np.isin(codes, list(hit))):
                by_row.setdefault(int(i) + 1, []).extend(hit[int(codes[i])])
    return [(str(f), i, kind, match) for i in sorted(by_row)
            for _, kind, match in sorted(by_row[i], key=lambda h: h[0])]


def _scan_file(f: Path, allow: frozenset[str], ign: frozenset[str]) -> list[tuple[str, int, str, str]]:
    """The (file, line, kind, match) rows of one file."""
    if f.suffix.lower() == ".parquet":
        return _scan_table(f, allow, ign)
    return [(str(f), lineno, kind, match) for lineno, line in _lines(f)
            for _, kind, match in _line_hits(line, allow, ign)]
