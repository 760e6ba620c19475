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

import functools
import hashlib
import hmac
import logging
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import ConfigError, InputError
from . import pii
from .policy import DEFAULT as DEFAULT_POLICY, Policy

log = logging.getLogger(__name__)

DEMO_KEY = b"civicposts-demo-key-2021-02-27-PUBLIC-fictional-data-only"
PSEUDONYM_RE = re.compile(r"user_[0-9a-f]{10}")
PSEUDO_ID_RE = re.compile(r"id_[0-9a-f]{10}")

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


def policy_for_study(params: Mapping[str, Any]) -> Policy:
    """The study's privacy policy (``privacy_policy``, ``private_names``), safe defaults for the rest."""
    from .policy import parse

    return parse(params.get("privacy_policy") or {}, params.get("private_names") or (),
                 str(params.get("study_config", "study")))


def normalise_allowlist(allowlist: Iterable[str]) -> frozenset[str]:
    """Lowercased handles without ``@``."""
    return frozenset(str(a).strip().lstrip("@").lower() for a in allowlist if str(a).strip())


@functools.lru_cache(maxsize=65536)  # handles recur (mentions of the same people): one HMAC each
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
    """Mask e-mails, messenger ids, phone, NIK and bank-account numbers in a column of texts, in every
    spelling :mod:`civicposts.pii` knows (None stays None)."""
    return pd.Series([None if _missing(v) else pii.mask_contacts(str(v)) for v in s], index=s.index, dtype=object)


def redact(text: str, allow: frozenset[str], key: bytes, known: frozenset[str] = frozenset(),
           policy: Policy = DEFAULT_POLICY) -> str:
    """One text with contacts masked and private handles pseudonymized, in every form :mod:`civicposts.pii`
    finds (``@name`` glued or doubled, ``instagram.com/name``, ``known`` usernames as bare words), and the
    policy's ``private_names`` masked; allowlisted accounts stay readable. Idempotent."""
    return _redact_spans(text, pii.find(text, known=known), allow, key, policy)


def redact_many(texts: list[str], allow: frozenset[str], key: bytes, known: frozenset[str] = frozenset(),
                policy: Policy = DEFAULT_POLICY) -> list[str]:
    """:func:`redact` of each text, the spans of all found in one pass (``civicposts.pii.find_many``)."""
    return [_redact_spans(t, spans, allow, key, policy)
            for t, spans in zip(texts, pii.find_many(texts, known=known))]


def _redact_spans(text: str, spans: list[pii.Span], allow: frozenset[str], key: bytes, policy: Policy) -> str:
    if not spans:
        return policy.mask_names(text)

    def repl(sp: pii.Span) -> str:
        if sp.family in pii.MASK_TOKENS:
            return pii.MASK_TOKENS[sp.family]
        public = sp.value in allow or PSEUDONYM_RE.fullmatch(sp.value)
        name = sp.value if public else pseudonym(sp.value, key)
        if sp.family == "handle":
            return "@" + name  # as the account columns write it: lowercased, one "@"
        return text[sp.start:sp.end] if public else name

    return policy.mask_names(pii.replace(text, spans, repl))


def scrub_text(s: pd.Series, allowlist: Iterable[str], key: bytes, known: Iterable[str] = (),
               policy: Policy = DEFAULT_POLICY, field: str | None = None) -> pd.Series:
    """:func:`redact` over a column of texts (None stays None); all None when ``policy`` drops ``field``."""
    if field is not None and policy.drops(field):
        return pd.Series([None] * len(s), index=s.index, dtype=object)
    allow = normalise_allowlist(allowlist)
    kn = frozenset(known) - allow
    # each distinct text once, all of them through one column pass
    codes, uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
    done = redact_many([str(v) for v in uniques], allow, key, kn, policy)
    out = [None] * len(codes) if not len(done) else np.asarray(done + [None], dtype=object)[codes].tolist()
    return pd.Series(out, index=s.index, dtype=object)


def _drop_private(values: list, private: Iterable[bool], drop: bool) -> list:
    """``values`` with those of private persons emptied when the policy drops the field."""
    return [None if drop and p else v for v, p in zip(values, private)]


def corpus_handles(allowlist: Iterable[str], *, posts: pd.DataFrame | None = None,
                   comments: pd.DataFrame | None = None, profiles: pd.DataFrame | None = None) -> frozenset[str]:
    """The private usernames a corpus knows: post owners, comment authors, profiles, and every handle
    mentioned in captions and comments, as :func:`civicposts.pii.known_handles` keeps them (no ordinary
    words, nothing shorter than 4 characters, nothing allowlisted). These are then found as bare words."""
    allow = normalise_allowlist(allowlist)
    names: set[str] = set()

    def take(values: Iterable[Any]) -> None:
        names.update(str(v).strip().lstrip("@").lower() for v in values if not _missing(v) and str(v).strip())

    for df, handles, texts in ((posts, "account", "caption"), (comments, "author", "text"), (profiles, "account", None)):
        if df is None or df.empty:
            continue
        if handles in df.columns:
            take(df[handles])
        if texts and texts in df.columns:
            for t in df[texts]:
                if not _missing(t) and "@" in str(t):
                    take(sp.value for sp in pii.find(str(t), families=("email", "handle")) if sp.family == "handle")
    return pii.known_handles(n for n in names if n not in allow and not PSEUDONYM_RE.fullmatch(n))


def pseudonymize_posts(df: pd.DataFrame, allowlist: Iterable[str], key: bytes,
                       known: Iterable[str] = (), policy: Policy = DEFAULT_POLICY) -> pd.DataFrame:
    """A copy of the post table with private owners, owner ids, mentions and contacts replaced, or
    dropped where ``policy`` says so (fields post_account, post_owner_id, caption, location_name).

    Idempotent: pseudonyms and masks are left as they are.
    """
    if "caption" not in df.columns or "account" not in df.columns:
        raise InputError("<post table>", "pseudonymize_posts: needs columns 'account' and 'caption'")
    allow = normalise_allowlist(allowlist)
    out = df.copy()
    accounts = out["account"].astype(object)
    private = ~accounts.fillna("").astype(str).str.lstrip("@").str.lower().isin(allow)
    out["account"] = _drop_private(_map_unique(accounts, lambda a: _handle_or_pseudonym(a, allow, key)), private,
                                   policy.drops("post_account"))
    if "owner_id" in out.columns:
        ids = out["owner_id"].astype(object)
        out["owner_id"] = _drop_private([
            (None if pd.isna(i) else (str(i) if (not p or PSEUDO_ID_RE.fullmatch(str(i))) else pseudonym_id(str(i), key)))
            for i, p in zip(ids, private)
        ], private, policy.drops("post_owner_id"))
    out["caption"] = scrub_text(out["caption"], allow, key, known, policy, "caption").fillna("")
    if "location_name" in out.columns and policy["location_name"] != "keep":
        out["location_name"] = scrub_text(out["location_name"], allow, key, known, policy, "location_name")
    return out


def pseudonymize_comments(df: pd.DataFrame, allowlist: Iterable[str], key: bytes,
                          known: Iterable[str] = (), policy: Policy = DEFAULT_POLICY) -> pd.DataFrame:
    """A copy of the comment table with private authors, mentions and contacts replaced, or dropped
    where ``policy`` says so (fields comment_author, comment_text)."""
    if "author" not in df.columns or "text" not in df.columns:
        raise InputError("<comment table>", "pseudonymize_comments: needs columns 'author' and 'text'")
    allow = normalise_allowlist(allowlist)
    out = df.copy()
    private = ~out["author"].astype(object).fillna("").astype(str).str.lstrip("@").str.lower().isin(allow)
    out["author"] = _drop_private(_map_unique(out["author"].astype(object),
                                              lambda a: _handle_or_pseudonym(a, allow, key)),
                                  private, policy.drops("comment_author"))
    out["text"] = scrub_text(out["text"], allow, key, known, policy, "comment_text")
    return out


def pseudonymize_profiles(df: pd.DataFrame, allowlist: Iterable[str], key: bytes,
                          known: Iterable[str] = (), policy: Policy = DEFAULT_POLICY) -> pd.DataFrame:
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
        out["biography"] = scrub_text(out["biography"], allow, key, known, policy, "profile_biography")
    return out


def redact_interview(df: pd.DataFrame, allowlist: Iterable[str], key: bytes,
                     policy: Policy = DEFAULT_POLICY) -> pd.DataFrame:
    """Interview records with their ``text`` masked (handles, contacts, the policy's private names);
    the speaker, whom the study names, stays, unless the policy lists the speaker among its private
    names (a transcript's interviewee who must not be named): then the speaker is masked too."""
    out = df.copy()
    if "text" in out.columns:
        out["text"] = scrub_text(out["text"], allowlist, key, (), policy, "interview_text")
    if "speaker" in out.columns and len(out):
        out["speaker"] = scrub_text(out["speaker"].fillna("").astype(str), allowlist, key, (), policy,
                                    "interview_text")
    return out


def redact_memos(decisions: pd.DataFrame, allowlist: Iterable[str], key: bytes,
                 policy: Policy = DEFAULT_POLICY) -> pd.DataFrame:
    """Coder decisions with their ``memo`` masked, or emptied where ``policy`` drops coder_memo."""
    out = decisions.copy()
    if "memo" in out.columns and len(out):
        memos = scrub_text(out["memo"], allowlist, key, (), policy, "coder_memo")
        out["memo"] = memos.fillna("") if not policy.drops("coder_memo") else ""
    return out


# --- leak scanning -------------------------------------------------------------------------------

def scan_for_leaks(paths: Iterable[str | Path] | str | Path, allowlist: Iterable[str],
                   ignore: Iterable[str] | None = None) -> pd.DataFrame:
    """The independent leak scan of :mod:`civicposts.leaks` (file, line, kind, match; empty: no leak)."""
    from . import leaks

    return leaks.scan(paths, allowlist, leaks.IGNORE if ignore is None else ignore)
