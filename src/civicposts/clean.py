"""Cleaning the post table: normalised text, extracted entities, duplicates, promotions, local time.

``clean_corpus`` is the one entry point the notebooks use; it returns ``(posts, flow)``:

- ``posts``: the in-period posts with added columns ``text_clean`` (normalised words),
  ``hashtags``, ``mentions``, ``urls``, ``emojis`` (lists), ``posted_local`` (Asia/Jakarta
  by default), ``month`` ("YYYY-MM", local), ``caption_hash``, ``dup_kind``
  ("exact" | "near" | None), ``dup_of`` (post_id of the earliest post it repeats),
  ``near_jaccard``, ``near_containment``, ``is_promo``, ``promo_cues`` (the words that made it a promotion),
  ``analysed`` (bool), ``set_aside_reason`` (why a post is not analysed, in words: ``set_aside_reasons``)
  and ``pretype`` (keyword pre-classification, for sampling strata only: see ``civicposts.preclassify``). Private handles
  are pseudonymized and phone numbers, e-mails and NIKs masked (``civicposts.privacy``).
- ``flow``: the corpus flow table (step, posts, note): read -> parsed -> in period ->
  de-duplicated -> promotions flagged -> analysed; each count is the previous one minus
  what the note says was set aside.

Text normalisation (``clean_text``, rules in ``civicposts.text``), in this order: mojibake
repair with ftfy (only on texts ftfy's own badness pattern flags), Unicode NFKC, emoji ->
Indonesian words, zero-width characters removed, URLs, hashtags and mentions removed from
the text (kept in list columns), lowercase, tokenisation into words (punctuation dropped),
slang / reduplication / elongation normalisation per distinct token, optional stopword
removal (negations kept) and optional stemming (off by default). ``clean_text`` is
idempotent for the default options and with ``stopwords=True``.

Slang: :mod:`civicposts.lexicon` merges civicposts' own table, spaCy's Indonesian norms (MIT) and Kamus
Alay (via indoNLP, MIT); forms such as km, jan, kaya are decided from context (:mod:`civicposts.normalise`);
a study adds its own words with ``slang_extra``. Stopwords: indoNLP (stopwords.net); emoji names: the ``emoji`` package (BSD) with
Unicode CLDR Indonesian annotations. Origins and licences: ``civicposts/data/LEXICONS.md``.

Duplicates: exact and near duplicates, see :mod:`civicposts.duplicates`.

Promotions: see :mod:`civicposts.promotions` (strong cues always; commercial cues only with a contact and
without a charity, institutional or public-event context; the cues are kept per post).
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from . import schema
from . import normalise as N
from . import text as T
from .duplicates import (  # noqa: F401  (re-exported: the cleaning API)
    CONTAINMENT_THRESHOLD, MIN_DEDUP_CHARS, MINHASH_SEED, N_BANDS, NEAR_DUP_THRESHOLD, ROWS_PER_BAND, SHINGLE,
    find_duplicates, minhash_signatures, near_duplicate,
)
from .errors import InputError
from .policy import DEFAULT as DEFAULT_POLICY

log = logging.getLogger(__name__)


from .promotions import COMMERCIAL_RE as PROMO_WEAK_RE, STRONG_RE as PROMO_STRONG_RE  # noqa: E402,F401

# Mojibake of UTF-8 read as Latin-1/cp1252 always contains a lead byte shown as one of
# Â..ô (U+00C2..U+00F4) followed by a continuation byte shown as U+0080..U+00BF or one of
# cp1252's specials (€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ' ' " " • – — ˜ ™ š › œ ž Ÿ); only texts
# with such a pair go to ftfy's (slower) badness test and then to ftfy.fix_text.
_MOJIBAKE_HINT_RE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]")


class CleanResult(NamedTuple):
    """``clean_corpus``'s result; unpacks as ``posts, flow = clean_corpus(...)``."""

    posts: pd.DataFrame
    flow: pd.DataFrame


def _texts(s: pd.Series | Iterable[str]) -> list[str]:
    """Texts as a list of str; missing values become ""."""
    return ["" if (v is None or v is pd.NA or (isinstance(v, float) and v != v)) else str(v) for v in s]


def _index(s: pd.Series | Iterable[str]) -> pd.Index | None:
    return s.index if isinstance(s, pd.Series) else None


def _repair_list(texts: list[str]) -> list[str]:
    import ftfy
    import ftfy.badness

    bad_re = ftfy.badness.BADNESS_RE
    hint = _MOJIBAKE_HINT_RE.search
    nfkc = unicodedata.normalize
    is_nf = unicodedata.is_normalized
    out = []
    for t in texts:
        if not t.isascii():
            if hint(t) and bad_re.search(t):
                t = ftfy.fix_text(t, normalization="NFKC")
            if not is_nf("NFKC", t):
                t = nfkc("NFKC", t)
        out.append(t)
    return out


def repair_text(s: pd.Series | Iterable[str]) -> pd.Series:
    """Mojibake repair (ftfy, only on texts its badness pattern flags) and Unicode NFKC."""
    return pd.Series(_repair_list(_texts(s)), index=_index(s), dtype=object)


def _extract_list(texts: list[str]) -> dict[str, list]:
    run_re = T.emoji_run_re()
    run_sub = run_re.sub
    split, words = T.split_emoji_run, T.emoji_run_words
    na_sub, wide_sub = T.NON_ASCII_RUN_RE.sub, T.WIDE_RUN_RE.sub
    zw_sub = T.ZERO_WIDTH_RE.sub
    url_iter, tag_iter, men_iter = T.URL_RE.finditer, T.HASHTAG_RE.finditer, T.MENTION_RE.finditer
    emojis: list[str] = []

    def emoji_repl(m: re.Match[str]) -> str:
        found.extend(split(m.group(0)))
        return words(m.group(0))

    found: list[str] = []
    runs: dict[str, tuple[str, list[str]]] = {}  # the same emoji recur: each distinct run is replaced once

    def non_ascii_repl(m: re.Match[str]) -> str:
        run = m.group(0)
        hit = runs.get(run)
        if hit is None:
            found.clear()
            hit = runs[run] = (run_sub(emoji_repl, run), list(found))
        emojis.extend(hit[1])
        return hit[0]

    out_t, out_u, out_h, out_m, out_e = [], [], [], [], []
    for t in texts:
        emojis = []
        if not t.isascii():
            # without a keycap mark no digit before a run can belong to an emoji: the (faster) pattern
            # without the optional digit finds the same emoji
            t = zw_sub("", (na_sub if "\u20e3" in t else wide_sub)(non_ascii_repl, t))
        urls: list[str] = []
        if "/" in t or "www" in t or "WWW" in t:
            t, urls = _cut(url_iter(t), t, 0)
        tags: list[str] = []
        if "#" in t:
            t, tags = _cut(tag_iter(t), t, 1)
            tags = [h.lower() for h in tags]
        ments: list[str] = []
        if "@" in t:
            t, ments = _cut(men_iter(t), t, 1)
            ments = [m.lower() for m in ments]
        out_t.append(t)
        out_u.append(urls)
        out_h.append(tags)
        out_m.append(ments)
        out_e.append(emojis)
    return {"text": out_t, "urls": out_u, "hashtags": out_h, "mentions": out_m, "emojis": out_e}


def _cut(matches: Iterable[re.Match[str]], t: str, group: int) -> tuple[str, list[str]]:
    """``t`` with each match replaced by a space, and each match's ``group``: ``pattern.sub(" ", t)`` and
    ``pattern.findall(t)`` (for one group or none) in one pass over the text instead of two."""
    found: list[str] = []
    pieces: list[str] = []
    pos = 0
    for m in matches:
        pieces.append(t[pos:m.start()])
        found.append(m.group(group))
        pos = m.end()
    if not found:
        return t, found
    pieces.append(t[pos:])
    return " ".join(pieces), found


def extract_entities(s: pd.Series | Iterable[str]) -> pd.DataFrame:
    """Split repaired text into ``text`` (emoji as words; URLs, hashtags, mentions and zero-width
    characters removed) and list columns ``urls``, ``hashtags``, ``mentions``, ``emojis``."""
    return pd.DataFrame(_extract_list(_texts(s)), index=_index(s))


def _tokenise(texts: list[str]) -> list[list[str]]:
    """Lowercase tokens of each text (``text.TOKEN_RE``); ASCII texts through bytes.translate."""
    tokens: list[list[str]] = [[]] * len(texts)
    fast = [i for i, t in enumerate(texts) if t.isascii() and "\x00" not in t]
    if fast:
        blob = "\x00".join([texts[i] for i in fast]).encode("ascii").translate(T.ASCII_TOKEN_TABLE)
        find = T.TOKEN_RE.findall
        for i, part in zip(fast, blob.decode("ascii").split("\x00")):
            toks = part.split()
            if "-" in part:
                toks = [w for tok in toks for w in (find(tok) if "-" in tok else (tok,))]
            tokens[i] = toks
    if len(fast) < len(texts):
        nfkc, is_nf, find = unicodedata.normalize, unicodedata.is_normalized, T.TOKEN_RE.findall
        done = set(fast)
        for i, t in enumerate(texts):
            if i in done:
                continue
            t = t.lower()
            if not is_nf("NFKC", t):
                t = nfkc("NFKC", t)
            tokens[i] = find(t)
    return tokens


def _normalise_list(texts: list[str], *, stopwords: bool = False, stem: bool = False,
                    vocabulary: Iterable[str] | None = None, chunk: int = 50_000,
                    normaliser: N.Normaliser | None = None) -> list[str]:
    nz = normaliser or N.default()
    if stem:
        # the stemmer's vocabulary is the corpus's own normalised words: one pass to collect them
        vocab = set(nz.known)
        for lo in range(0, len(texts), chunk):
            for ts in _tokenise(texts[lo:lo + chunk]):
                vocab.update(w for t in ts for w in nz.token(t).split())
        if vocabulary is not None:
            vocab.update(vocabulary)
    out: list[str] = []
    sw = T.stopwords() if stopwords else None
    ambiguous = nz.ambiguous
    for lo in range(0, len(texts), chunk):  # in chunks: token lists of 1M captions would not fit
        tokens = _tokenise(texts[lo:lo + chunk])
        flat = [w for ts in tokens for w in ts]
        if not flat:
            out.extend([""] * len(tokens))
            continue
        codes, uniques = pd.factorize(np.asarray(flat, dtype=object), sort=False)
        mapped_u = [nz.token(u) for u in uniques]

        def finish(m: str) -> str:  # stopwords and stemming, on the normalised words
            if sw is not None:
                m = " ".join(w for w in m.split() if w not in sw)
            if stem:
                m = " ".join(T.stem_token(w, vocab) for w in m.split())
            return m

        final_u = [finish(m) for m in mapped_u] if (sw is not None or stem) else mapped_u
        mapped_list = np.asarray(final_u, dtype=object)[codes].tolist()
        # ambiguous forms (km, jan, kaya ...) are decided per occurrence, from the neighbours in the same text
        amb = np.flatnonzero(np.fromiter((m in ambiguous for m in mapped_u), dtype=bool, count=len(mapped_u)))
        if len(amb):
            pre = np.asarray(mapped_u, dtype=object)[codes].tolist()
            hits = np.flatnonzero(np.isin(codes, amb))
            ends = np.cumsum([len(ts) for ts in tokens])
            text_of = np.searchsorted(ends, hits, side="right")
            for p, t in zip(hits.tolist(), text_of.tolist()):
                nz.resolve(flat, pre, (p,), start=int(ends[t - 1]) if t else 0, end=int(ends[t]))
            for p in hits.tolist():
                mapped_list[p] = finish(pre[p])
            del pre
        del flat
        pos = 0
        join = " ".join
        for ts in tokens:
            n = len(ts)
            out.append(join([w for w in mapped_list[pos:pos + n] if w]))
            pos += n
    return out


def normalise_words(s: pd.Series | Iterable[str], *, stopwords: bool = False, stem: bool = False,
                    vocabulary: Iterable[str] | None = None,
                    slang_extra: Mapping[str, str] | None = None) -> pd.Series:
    """Lowercase, tokenise and normalise each distinct token once (slang, 2-reduplication,
    elongation); optionally drop stopwords (negations kept) and stem."""
    return pd.Series(_normalise_list(_texts(s), stopwords=stopwords, stem=stem, vocabulary=vocabulary,
                                     normaliser=N.for_study(slang_extra)),
                     index=_index(s), dtype=object)


def _stabilise(out: list[str], *, stopwords: bool, stem: bool, normaliser: N.Normaliser) -> list[str]:
    """Re-clean outputs that still look like mojibake until they stop changing.

    ftfy is not idempotent on every input: removing punctuation can leave letter pairs that
    look like new mojibake ("áœ"). Only such outputs (rare) are cleaned again, at most 4 times,
    so that ``clean_text(clean_text(x)) == clean_text(x)``.
    """
    hint = _MOJIBAKE_HINT_RE.search
    todo = [i for i, t in enumerate(out) if not t.isascii() and hint(t)]
    for _ in range(4):
        if not todo:
            break
        again = _normalise_list(_extract_list(_repair_list([out[i] for i in todo]))["text"],
                                stopwords=stopwords, stem=stem, normaliser=normaliser)
        changed = [(i, t) for i, t in zip(todo, again) if t != out[i]]
        for i, t in changed:
            out[i] = t
        todo = [i for i, _ in changed]
    return out


def clean_text(s: pd.Series | Iterable[str], *, stopwords: bool = False, stem: bool = False,
               slang_extra: Mapping[str, str] | None = None) -> pd.Series:
    """Normalised words of each text (see the module docstring), contacts masked first; idempotent
    for ``stem=False``."""
    return clean_columns(s, stopwords=stopwords, stem=stem, slang_extra=slang_extra)["text_clean"].rename(None)


def clean_columns(s: pd.Series | Iterable[str], *, stopwords: bool = False,
                  stem: bool = False, slang_extra: Mapping[str, str] | None = None,
                  masked: bool = False) -> pd.DataFrame:
    """``text_clean`` (as ``clean_text``) and the list columns ``urls``, ``hashtags``, ``mentions``,
    ``emojis`` of each text, in one pass: what captions and comments both get.

    ``masked``: the texts already went through ``civicposts.privacy`` (contacts masked); only those the
    repair step changes are masked again. The result is the same either way, as masking is idempotent.
    """
    texts = _texts(s)
    return _columns(_repair_list(texts), _index(s), stopwords=stopwords, stem=stem,
                    normaliser=N.for_study(slang_extra), premasked=texts if masked else None)


def _columns(repaired: list[str], index: pd.Index | None, *, stopwords: bool, stem: bool,
             normaliser: N.Normaliser, premasked: list[str] | None = None) -> pd.DataFrame:
    from .pii import mask_contacts

    # Contacts are masked here too, so no path makes clean text with a phone number in it. Texts that were
    # masked before (``premasked``) and that the repair left as they were are not masked twice: masking is
    # idempotent, and the second pass was a third of the cleaning time. A repaired text (mojibake fixed,
    # NFKC) is masked again, since the repair can make a number readable.
    if premasked is None:
        ent = _extract_list([mask_contacts(t) for t in repaired])
    else:
        ent = _extract_list([t if t == p else mask_contacts(t) for t, p in zip(repaired, premasked)])
    text_clean = _stabilise(_normalise_list(ent["text"], stopwords=stopwords, stem=stem, normaliser=normaliser),
                            stopwords=stopwords, stem=stem, normaliser=normaliser)
    cols = {"text_clean": text_clean, **{c: ent[c] for c in ("urls", "hashtags", "mentions", "emojis")}}
    return pd.DataFrame({c: pd.Series(v, dtype=object, index=index) for c, v in cols.items()}, index=index)


def clean(posts: pd.DataFrame, *, tz: str = "Asia/Jakarta", stopwords: bool = False,
          stem: bool = False, slang_extra: Mapping[str, str] | None = None, masked: bool = False) -> pd.DataFrame:
    """The post table plus text_clean, urls, hashtags, mentions, emojis, posted_local, month,
    caption_hash and is_promo. Pure: returns a new DataFrame. ``masked``: as in ``clean_columns``."""
    schema.require(posts, ("post_id", "caption"), "clean")
    out = posts.copy()
    captions = _texts(out["caption"])
    repaired = _repair_list(captions)
    cols = _columns(repaired, out.index, stopwords=stopwords, stem=stem, normaliser=N.for_study(slang_extra),
                    premasked=captions if masked else None)
    text_clean = cols["text_clean"].tolist()
    for col in cols.columns:
        out[col] = cols[col]
    sha1 = hashlib.sha1
    out["caption_hash"] = pd.Series([sha1(t.encode("utf-8")).hexdigest() for t in text_clean],
                                    index=out.index, dtype=object)
    out["is_promo"], out["promo_cues"] = _promo_list(repaired)
    if "posted_at" in out.columns:
        local = pd.to_datetime(out["posted_at"], utc=True).dt.tz_convert(tz)
        out["posted_local"] = local
        out["month"] = _months(local)
    return out


def _months(local: pd.Series) -> pd.Series:
    """"YYYY-MM" of each local time (None where missing): ``dt.strftime("%Y-%m")``, formatted once per month."""
    ok = local.notna().to_numpy()
    codes = np.zeros(len(local), dtype=np.int64)
    codes[ok] = local[ok].dt.year.to_numpy(np.int64) * 100 + local[ok].dt.month.to_numpy(np.int64)
    uniq, inv = np.unique(codes, return_inverse=True)
    labels = np.asarray([f"{c // 100:04d}-{c % 100:02d}" for c in uniq.tolist()], dtype=object)[inv]
    labels[~ok] = None
    return pd.Series(labels, index=local.index, dtype=object)


def _promo_list(texts: list[str]) -> tuple[np.ndarray, list[str]]:
    from . import promotions

    return promotions.detect(texts)


def flag_promotions(captions: pd.Series | Iterable[str]) -> pd.Series:
    """True where a caption is a paid promotion or endorsement (rule: ``civicposts.promotions``)."""
    return pd.Series(_promo_list(_repair_list(_texts(captions)))[0], index=_index(captions), dtype=bool)


# --- corpus ------------------------------------------------------------------------------------

def _clean_posts(df: pd.DataFrame, allowlist: Iterable[str], key: bytes, known: frozenset[str], policy: Any,
                 tz: str, slang_extra: tuple[tuple[str, str], ...], stopwords: bool, stem: bool,
                 seed: int = MINHASH_SEED, changed_only: bool = False) -> pd.DataFrame:
    """The per-post steps of ``clean_corpus``: promotion flag, pseudonyms, cleaning, keyword type, and the
    MinHash signature of the clean text (columns ``SIGNATURE_COLUMNS``, taken off again by ``clean_corpus``):
    it is row-wise, so it is computed here, on the workers, rather than after them in one process.
    ``changed_only``: return only the columns added or whose values changed (``_merge_changed`` puts them
    back), so a worker does not send back the columns its parent already has."""
    from . import preclassify, privacy

    given = df

    # before masking, phone numbers are contact cues; the cues name them, never copy them
    promo_raw, cues_raw = _promo_list(_texts(df["caption"]))
    df = privacy.pseudonymize_posts(df, allowlist, key, known, policy)
    df = clean(df, tz=tz, stopwords=stopwords, stem=stem, slang_extra=dict(slang_extra), masked=True)
    df["promo_cues"] = np.where(promo_raw, np.asarray(cues_raw, dtype=object), df["promo_cues"].to_numpy(object))
    df["is_promo"] = promo_raw | df["is_promo"].to_numpy(dtype=bool)
    df["pretype"] = preclassify.preclassify(df)
    sig = minhash_signatures(df["text_clean"].tolist(), seed=seed)
    out = pd.concat([df, pd.DataFrame(sig, index=df.index, columns=SIGNATURE_COLUMNS)], axis=1)
    if changed_only:
        # decided by the values, not by a list of the fields pseudonymizing rewrites, which could fall behind it
        out = out[[c for c in out.columns if c not in given.columns or not out[c].equals(given[c])]]
    return out


def _merge_changed(df: pd.DataFrame, changed: pd.DataFrame) -> pd.DataFrame:
    """``df`` with the columns of ``changed`` (same index) put in: a rewritten column in its place, a new one
    at the end, in ``changed``'s order: the frame ``_clean_posts`` returns whole."""
    out = df.copy()
    for col in changed.columns:
        out[col] = changed[col]
    return out


SIGNATURE_COLUMNS = [f"_minhash_{j}" for j in range(N_BANDS * ROWS_PER_BAND)]


def map_row_steps(fn: Any, df: pd.DataFrame, *args: Any, stem: bool, scheduler: str | None,
                  partitions: int | None, progress: bool) -> pd.DataFrame:
    """A partition function of per-row cleaning steps over ``df`` on a Dask scheduler (``civicposts.scale``),
    with the result of one call. Stemming builds its vocabulary from the whole table, so with ``stem`` the
    table is one partition."""
    from . import scale

    return scale.map_partitions(fn, df, *args, scheduler=scheduler, partitions=1 if stem else partitions,
                                progress=progress)


def set_aside_reasons(df: pd.DataFrame) -> pd.Series:
    """Why each post is not analysed, in words (None for analysed posts): which rule, which post it repeats
    and how similar they are, or which promotion cues it has. Needs the columns of ``find_duplicates`` and
    ``is_promo`` / ``promo_cues``."""
    kinds = df["dup_kind"].to_numpy(dtype=object)
    promo = df["is_promo"].to_numpy(dtype=bool)
    out = np.full(len(df), None, dtype=object)
    # only the rows set aside are worded (a tenth of a corpus, or less)
    rows = np.flatnonzero((kinds == "exact") | (kinds == "near") | promo)
    cols = [df[c].to_numpy(dtype=object)[rows] for c in ("dup_of", "near_jaccard", "near_containment", "promo_cues")]
    for i, kind, of, jac, cont, cues in zip(rows.tolist(), kinds[rows], *cols):
        if kind == "exact":
            out[i] = f"exact repeat of post {of} (same clean text)"
        elif kind == "near":
            out[i] = (f"near repeat of post {of}: character {SHINGLE}-gram Jaccard {jac:.2f}, "
                      f"containment {cont:.2f}, same numbers, no passage replaced by other content")
        else:
            out[i] = f"promotion ({cues})" if cues else "promotion"
    return pd.Series(out, index=df.index, dtype=object)


def clean_corpus(posts: pd.DataFrame, *, period_start: str, period_end: str, tz: str = "Asia/Jakarta",
                 allowlist: Iterable[str] = (), key: bytes, known: Iterable[str] = (), policy: Any = None,
                 stopwords: bool = False,
                 stem: bool = False, slang_extra: Mapping[str, str] | None = None,
                 near_threshold: float = NEAR_DUP_THRESHOLD,
                 seed: int = MINHASH_SEED, scheduler: str | None = None, partitions: int | None = None,
                 progress: bool = False) -> CleanResult:
    """Clean, pseudonymize, date-filter, de-duplicate and flag a post table (see module docstring).

    ``period_start`` and ``period_end`` are inclusive local dates (YYYY-MM-DD) in ``tz``.
    ``known``: the corpus's private usernames, pseudonymized where captions write them as bare words
    (``civicposts.privacy.corpus_handles``). ``policy``: the study's ``civicposts.policy.Policy``
    (default: the safe default).
    ``scheduler``: where the per-post steps and the duplicate search run (``civicposts.scale``: synchronous,
    threads, processes, or a Dask cluster's address; default processes for large tables); ``partitions``:
    how many pieces the table is cut into (default from its size). The result depends on neither.
    ``progress``: show a progress bar (the command line does).
    """

    schema.require(posts, ("post_id", "posted_at", "caption"), "clean_corpus")
    n_read = len(posts)
    df = posts.reset_index(drop=True)
    ts = pd.to_datetime(df["posted_at"], utc=True, errors="coerce")
    ok = df["post_id"].notna() & (df["post_id"].astype(str).str.len() > 0) & ts.notna()
    df = df[ok].copy()
    df["posted_at"] = ts[ok]
    n_parsed = len(df)
    dup_id = df["post_id"].astype(str).duplicated(keep="first")
    df = df[~dup_id]
    n_unique_ids = len(df)

    try:
        start = pd.Timestamp(period_start).tz_localize(tz)
        end = pd.Timestamp(period_end).tz_localize(tz) + pd.Timedelta(days=1)
    except (ValueError, TypeError) as exc:
        raise InputError("<study config>", f"period {period_start!r}..{period_end!r} is not a date range: {exc}")
    local = df["posted_at"].dt.tz_convert(tz)
    df = df[(local >= start) & (local < end)].copy()
    n_period = len(df)

    changed = map_row_steps(_clean_posts, df, tuple(allowlist), key, frozenset(known), policy or DEFAULT_POLICY,
                            tz, tuple(sorted(N.L.check_extra(slang_extra).items())), stopwords, stem, seed, True,
                            stem=stem, scheduler=scheduler, partitions=partitions, progress=progress)
    df = _merge_changed(df, changed)
    del changed
    signatures = df[SIGNATURE_COLUMNS].to_numpy(np.uint32)
    df = df.drop(columns=SIGNATURE_COLUMNS)
    dups = find_duplicates(df, threshold=near_threshold, seed=seed, scheduler=scheduler, partitions=partitions,
                           signatures=signatures)
    df = df.join(dups)
    n_exact = int((df["dup_kind"] == "exact").sum())
    n_near = int((df["dup_kind"] == "near").sum())
    kept = df["dup_kind"].isna()
    n_dedup = int(kept.sum())
    promo = df["is_promo"] & kept
    n_promo = int(promo.sum())
    df["analysed"] = kept & ~df["is_promo"]
    df["set_aside_reason"] = set_aside_reasons(df)
    df["pretype"] = df.pop("pretype")  # last column, as readers of posts.parquet expect
    df = df.sort_values(["posted_at", "post_id"], kind="stable").reset_index(drop=True)
    n_analysed = int(df["analysed"].sum())

    flow = pd.DataFrame([
        ("read", n_read, "rows in the post table"),
        ("parsed", n_unique_ids,
         f"{n_read - n_parsed} rows without post_id or time and {n_parsed - n_unique_ids} repeated post_ids dropped"),
        ("in period", n_period, f"{n_unique_ids - n_period} posts outside {period_start}..{period_end} ({tz}) dropped"),
        ("de-duplicated", n_dedup, f"{n_exact} exact and {n_near} near duplicates "
                                   f"(char-{SHINGLE}-gram Jaccard >= {near_threshold} or containment >= "
                                   f"{CONTAINMENT_THRESHOLD}, same numbers, no passage replaced by other content) "
                                   f"set aside; earliest kept; each post's reason in set_aside_reason"),
        ("promotions flagged", n_dedup - n_promo, f"{n_promo} paid promotions/endorsements set aside; "
                                                  f"the cues of each in promo_cues"),
        ("analysed", n_analysed, "posts in the analysed corpus"),
    ], columns=["step", "posts", "note"])
    flow["posts"] = flow["posts"].astype("int64")
    log.info("clean_corpus: %s", "; ".join(f"{s}={p}" for s, p in zip(flow["step"], flow["posts"])))
    return CleanResult(df, flow)
