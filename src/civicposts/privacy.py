"""Pseudonymizing private users and masking contact details; scanning outputs for leaks.

Pseudonyms are keyed HMAC-SHA256 of the lowercased handle: ``"user_" + 10 hex characters``
(40 bits; a collision among 100,000 handles has probability about 0.5 %). The same key gives
the same pseudonym in every run, so codings stay linked to posts and comments; without the key
the handle cannot be recovered by hashing guesses. The key lives outside git:
``load_or_create_key("config/pseudonym.key")`` creates a random 32-byte key on first use
(``config/*.key`` is git-ignored).

``DEMO_KEY`` is a fixed, PUBLIC key used only for the FICTIONAL demo corpus, so the demo's
outputs are reproducible byte for byte. Never use it for real data: anyone can recompute the
pseudonyms of guessed handles with it.

Allowlisted public accounts (officials, agencies, the studied account) stay readable; matching
is case-insensitive and ignores a leading ``@``. Everything else that is a handle is replaced:
post owners (``account``, and ``owner_id``), comment authors, and ``@mentions`` inside captions
and comment texts, and private profiles (account, owner_id, full name dropped, biography
scrubbed: ``pseudonymize_profiles``). Phone numbers (+62 / 62 / 08…, with spaces, dots or dashes; landlines like
(0711) 123456), e-mail addresses and 16-digit NIK numbers are masked as ``[telepon]``,
``[email]`` and ``[NIK]``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import ConfigError, InputError
from .text import MENTION_RE

log = logging.getLogger(__name__)

DEMO_KEY = b"civicposts-demo-key-2021-02-27-PUBLIC-fictional-data-only"
PSEUDONYM_RE = re.compile(r"user_[0-9a-f]{10}")
PSEUDO_ID_RE = re.compile(r"id_[0-9a-f]{10}")

EMAIL_RE = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
NIK_RE = re.compile(r"(?<![0-9A-Za-z_.])\d{16}(?![0-9A-Za-z_])")  # not the digits of a decimal number
PHONE_RE = re.compile(
    r"(?<![0-9A-Za-z_])(?:\+62|62|0)[\s.-]?8\d{1,2}(?:[\s.-]?\d){6,9}(?![0-9A-Za-z_])"
    r"|(?<![0-9A-Za-z_])\(0\d{2,3}\)\s?\d{3,4}[\s.-]?\d{2,4}(?![0-9A-Za-z_])"
    r"|(?<![0-9A-Za-z_])0\d{2,3}-\d{3,4}-?\d{2,4}(?![0-9A-Za-z_])"
)
MASKS = (("[NIK]", NIK_RE), ("[email]", EMAIL_RE), ("[telepon]", PHONE_RE))

# '@words' in scanned files that are not handles: CSS at-rules, Python decorators, typst.
DEFAULT_SCAN_IGNORE = frozenset({
    "media", "font-face", "keyframes", "import", "page", "charset", "supports", "namespace", "layer",
    "property", "staticmethod", "classmethod", "dataclass", "functools.cache", "pytest.fixture", "context",
})
# SVG figures draw text as paths (their numbers are coordinates); the CSV beside each figure is scanned.
SCAN_SUFFIXES = frozenset({".csv", ".json", ".jsonl", ".html", ".htm", ".ipynb", ".typ", ".md", ".txt",
                           ".tsv", ".parquet"})


def load_or_create_key(path: str | Path) -> bytes:
    """The pseudonymization key in ``path``; a new random key is written there if it does not exist."""
    path = Path(path)
    if path.exists():
        data = path.read_bytes().strip()
        if len(data) < 32:
            raise ConfigError(f"{path}: pseudonymization key is shorter than 32 bytes; delete it to create a new one")
        return data
    key = secrets.token_hex(32).encode("ascii")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key + b"\n")
    log.info("created a new pseudonymization key in %s (keep it; do not commit it)", path)
    return key


def key_for_study(params: Mapping[str, Any]) -> bytes:
    """The pseudonymization key for a study configuration.

    ``pseudonym_demo_key: true`` gives the public ``DEMO_KEY`` and is refused unless every corpus
    input is fictional by its provenance (a ``PROVENANCE.yaml`` marker, see
    :mod:`civicposts.provenance`); otherwise the key file ``pseudonym_key_file`` is read or created.
    """
    from .provenance import provenance_of

    if params.get("pseudonym_demo_key"):
        inputs = list(params.get("corpus_inputs") or [])
        real = [str(p) for p in inputs if not provenance_of(p).made_up]
        if not inputs or real:
            raise ConfigError("pseudonym_demo_key is true but the corpus is not fictional by its provenance "
                              f"({', '.join(real) or 'no corpus inputs'} carry no PROVENANCE.yaml saying so): the "
                              "public demo key must never pseudonymize real data; set pseudonym_demo_key: false")
        return DEMO_KEY
    path = params.get("pseudonym_key_file")
    if not path:
        raise ConfigError("pseudonym_key_file is not set in the study configuration")
    return load_or_create_key(path)


def normalise_allowlist(allowlist: Iterable[str]) -> frozenset[str]:
    """Lowercased handles without ``@``."""
    return frozenset(str(a).strip().lstrip("@").lower() for a in allowlist if str(a).strip())


def pseudonym(handle: str, key: bytes) -> str:
    """``"user_" + 10 hex`` of HMAC-SHA256(key, lowercased handle)."""
    h = hmac.new(key, handle.strip().lstrip("@").lower().encode("utf-8"), hashlib.sha256).hexdigest()
    return "user_" + h[:10]


def pseudonym_id(owner_id: str, key: bytes) -> str:
    """``"id_" + 10 hex`` of HMAC-SHA256(key, "id:" + owner_id): numeric account ids identify people too."""
    return "id_" + hmac.new(key, f"id:{owner_id}".encode("utf-8"), hashlib.sha256).hexdigest()[:10]


def _handle_or_pseudonym(handle: str | None, allow: frozenset[str], key: bytes) -> str | None:
    if handle is None or (isinstance(handle, float) and pd.isna(handle)) or handle is pd.NA:
        return None
    h = str(handle).strip().lstrip("@").lower()
    if h in allow or PSEUDONYM_RE.fullmatch(h):
        return h
    return pseudonym(h, key)


_DIGITS = "0123456789"


def _mask_one(t: str) -> str:
    if "@" in t and "." in t:
        t = EMAIL_RE.sub("[email]", t)
    if any(d in t for d in _DIGITS):
        t = NIK_RE.sub("[NIK]", t)
        if "8" in t or "(" in t or "-" in t:
            t = PHONE_RE.sub("[telepon]", t)
    return t


def _missing(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and v != v)


def _map_unique(values: pd.Series, fn) -> list:
    """``fn`` applied once per distinct value (missing values give None)."""
    cache: dict = {}
    out = []
    for v in values:
        if _missing(v):
            out.append(None)
            continue
        if v not in cache:
            cache[v] = fn(v)
        out.append(cache[v])
    return out


def mask_contacts(s: pd.Series) -> pd.Series:
    """Mask e-mail addresses, NIK numbers and phone numbers in a column of texts (None stays None)."""
    return pd.Series([None if _missing(v) else _mask_one(str(v)) for v in s], index=s.index, dtype=object)


def _mention_replacer(allowlist: Iterable[str], key: bytes):
    allow = normalise_allowlist(allowlist)
    cache: dict[str, str] = {}

    def repl(m: re.Match[str]) -> str:
        h = m.group(1)
        if h not in cache:
            cache[h] = "@" + _handle_or_pseudonym(h, allow, key)
        return cache[h]

    return repl


def replace_mentions(s: pd.Series, allowlist: Iterable[str], key: bytes) -> pd.Series:
    """Replace ``@handle`` of non-allowlisted users by ``@user_…`` in a column of texts."""
    repl, sub = _mention_replacer(allowlist, key), MENTION_RE.sub
    return pd.Series([None if _missing(v) else (sub(repl, str(v)) if "@" in str(v) else str(v)) for v in s],
                     index=s.index, dtype=object)


def scrub_text(s: pd.Series, allowlist: Iterable[str], key: bytes) -> pd.Series:
    """Mask contacts, then pseudonymize mentions (e-mails first, so ``a@b.id`` is not a mention)."""
    repl, sub = _mention_replacer(allowlist, key), MENTION_RE.sub
    out = []
    for v in s:
        if _missing(v):
            out.append(None)
            continue
        t = _mask_one(str(v))
        out.append(sub(repl, t) if "@" in t else t)
    return pd.Series(out, index=s.index, dtype=object)


def pseudonymize_posts(df: pd.DataFrame, allowlist: Iterable[str], key: bytes) -> pd.DataFrame:
    """A copy of the post table with private owners, owner ids, mentions and contacts replaced.

    Idempotent: pseudonyms and masks are left as they are.
    """
    if "caption" not in df.columns or "account" not in df.columns:
        raise InputError("<post table>", "pseudonymize_posts: needs columns 'account' and 'caption'")
    allow = normalise_allowlist(allowlist)
    out = df.copy()
    accounts = out["account"].astype(object)
    private = ~accounts.fillna("").astype(str).str.lstrip("@").str.lower().isin(allow)
    out["account"] = _map_unique(accounts, lambda a: _handle_or_pseudonym(a, allow, key))
    if "owner_id" in out.columns:
        ids = out["owner_id"].astype(object)
        out["owner_id"] = [
            (None if pd.isna(i) else (str(i) if (not p or PSEUDO_ID_RE.fullmatch(str(i))) else pseudonym_id(str(i), key)))
            for i, p in zip(ids, private)
        ]
    out["caption"] = scrub_text(out["caption"], allow, key).fillna("")
    if "location_name" in out.columns:
        out["location_name"] = mask_contacts(out["location_name"])
    return out


def pseudonymize_comments(df: pd.DataFrame, allowlist: Iterable[str], key: bytes) -> pd.DataFrame:
    """A copy of the comment table with private authors, mentions and contacts replaced."""
    if "author" not in df.columns or "text" not in df.columns:
        raise InputError("<comment table>", "pseudonymize_comments: needs columns 'author' and 'text'")
    allow = normalise_allowlist(allowlist)
    out = df.copy()
    out["author"] = _map_unique(out["author"].astype(object), lambda a: _handle_or_pseudonym(a, allow, key))
    out["text"] = scrub_text(out["text"], allow, key)
    return out


def pseudonymize_profiles(df: pd.DataFrame, allowlist: Iterable[str], key: bytes) -> pd.DataFrame:
    """A copy of the profile table: private accounts get pseudonyms (account, owner_id) and no
    full name; every biography has contacts masked and mentions pseudonymized."""
    if "account" not in df.columns:
        raise InputError("<profile table>", "pseudonymize_profiles: needs column 'account'")
    allow = normalise_allowlist(allowlist)
    out = df.copy()
    private = ~out["account"].astype(object).fillna("").astype(str).str.lstrip("@").str.lower().isin(allow)
    out["account"] = _map_unique(out["account"].astype(object), lambda a: _handle_or_pseudonym(a, allow, key))
    if "owner_id" in out.columns:
        out["owner_id"] = [None if _missing(i) else (pseudonym_id(str(i), key) if p and not PSEUDO_ID_RE.fullmatch(str(i))
                                                     else str(i)) for i, p in zip(out["owner_id"], private)]
    if "full_name" in out.columns:
        out["full_name"] = [None if p else v for v, p in zip(out["full_name"].astype(object), private)]
    if "biography" in out.columns:
        out["biography"] = scrub_text(out["biography"], allow, key)
    return out


# --- leak scanning -------------------------------------------------------------------------------

# A number with one decimal point (0.8123456789) is a statistic, not a phone number written with dots.
_DECIMAL_RE = re.compile(r"(?<![\d.])\d+\.\d+(?![\d.])")
# Lines of CSS/JS comments in exported HTML (`/* ... @jupyterlab/buildutils */`, JSDoc `* @see`):
# the toolchain's own text, never data (data sits in table cells and in itables' JSON, not comments).
_HTML_COMMENT_LINE = re.compile(r"^\s*(/\*|\*|//)")
_SCAN_HANDLE_RE = re.compile(r"(?<![\w.@/:-])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)(?![\w@-])")


def _scan_line(line: str, allow: frozenset[str], ignore: frozenset[str]) -> list[tuple[str, str]]:
    hits = []
    for m in EMAIL_RE.finditer(line):
        hits.append(("email", m.group(0)))
    no_email = EMAIL_RE.sub(" ", line)
    for m in NIK_RE.finditer(no_email):
        hits.append(("nik", m.group(0)))
    no_nik = _DECIMAL_RE.sub(" ", NIK_RE.sub(" ", no_email))
    for m in PHONE_RE.finditer(no_nik):
        hits.append(("phone", m.group(0)))
    for m in _SCAN_HANDLE_RE.finditer(no_email):
        h = m.group(1).lower()
        if h in allow or h in ignore or PSEUDONYM_RE.fullmatch(h):
            continue
        hits.append(("handle", "@" + m.group(1)))
    return hits


def _iter_files(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files.extend(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SCAN_SUFFIXES)
        elif p.is_file():
            files.append(p)
        else:
            raise InputError(p, "scan_for_leaks: no such file or folder")
    return sorted(set(files))


def _lines(path: Path) -> Iterable[tuple[int, str]]:
    if path.suffix.lower() == ".parquet":
        df = pd.read_parquet(path)
        for i, row in enumerate(df.itertuples(index=False), start=1):
            yield i, json.dumps([str(v) for v in row], ensure_ascii=False)
        return
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"scan_for_leaks: not UTF-8 text ({exc})") from exc
    html = path.suffix.lower() in (".html", ".htm")
    for i, line in enumerate(text.splitlines(), start=1):
        if not (html and _HTML_COMMENT_LINE.match(line)):
            yield i, line


def scan_for_leaks(paths: Iterable[str | Path] | str | Path, allowlist: Iterable[str],
                   ignore: Iterable[str] = DEFAULT_SCAN_IGNORE) -> pd.DataFrame:
    """Find @handles not on the allowlist (and not pseudonyms), e-mails, NIKs and phone numbers.

    ``paths``: files or folders (searched recursively for csv, json, html, svg, ipynb, typ, md,
    txt and parquet files). Returns file, line (row number for parquet), kind, match; empty when
    nothing leaks. ``ignore``: '@words' that are not handles (CSS at-rules, decorators).
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    allow = normalise_allowlist(allowlist)
    ign = frozenset(i.lower() for i in ignore)
    rows = []
    for f in _iter_files(paths):
        for lineno, line in _lines(f):
            if "@" not in line and not any(ch.isdigit() for ch in line):
                continue
            for kind, match in _scan_line(line, allow, ign):
                rows.append((str(f), lineno, kind, match))
    return pd.DataFrame(rows, columns=["file", "line", "kind", "match"])
