"""Cleaning the post table: normalised text, extracted entities, duplicates, promotions, local time.

``clean_corpus`` is the one entry point the notebooks use; it returns ``(posts, flow)``:

- ``posts``: the in-period posts with added columns ``text_clean`` (normalised words),
  ``hashtags``, ``mentions``, ``urls``, ``emojis`` (lists), ``posted_local`` (Asia/Jakarta
  by default), ``month`` ("YYYY-MM", local), ``caption_hash``, ``dup_kind``
  ("exact" | "near" | None), ``dup_of`` (post_id of the earliest post it repeats),
  ``near_jaccard``, ``is_promo``, ``pretype`` (keyword pre-classification, for sampling
  strata only: see ``civicposts.preclassify``) and ``analysed`` (bool). Private handles
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

Slang lexicon: indoNLP 0.3.4 (MIT), data from Kamus Alay (nasalsabila/kamus-alay, no licence
file); stopwords: indoNLP (stopwords.net); emoji names: the ``emoji`` package (BSD) with
Unicode CLDR Indonesian annotations. Origins and licences: ``civicposts/data/LEXICONS.md``.

Duplicates: two posts are exact duplicates when their ``text_clean`` is identical
(sha1 ``caption_hash``), near duplicates when the Jaccard similarity of their sets of
character 5-grams of ``text_clean`` is at least ``NEAR_DUP_THRESHOLD`` (0.8). Candidates
come from MinHash (32 seeded hash functions over 5-gram hashes, numpy) with LSH banding
(8 bands x 4 rows); each candidate pair's Jaccard is then computed exactly. Only texts with
at least ``MIN_DEDUP_CHARS`` characters take part (short or empty captions, e.g. photo-only
posts, are never duplicates). The earliest post (by ``posted_at``, then ``post_id``) is kept;
later ones get ``dup_of``.

Promotions: see ``PROMO_STRONG_RE`` (always a promotion: "paid promote", "endorse",
"open order", "ready stock", "info lebih lanjut hubungi", #promo ...) and ``PROMO_WEAK_RE``
(diskon, promo, harga, jual, ongkir, order ...), which count only together with a contact
pattern ``CONTACT_RE`` (a phone number, "WA 08..", wa.me link, "hubungi", "DM").
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np
import pandas as pd

from . import text as T
from .errors import InputError

log = logging.getLogger(__name__)

NEAR_DUP_THRESHOLD = 0.8
MIN_DEDUP_CHARS = 30
SHINGLE = 5
MINHASH_SEED = 20210202
N_BANDS = 8
ROWS_PER_BAND = 4

PROMO_STRONG_RE = re.compile(
    r"paid\s*promo(?:te)?|\bendorse(?:ment)?\b|\bendors\b|open\s*(?:order|po|reseller)|ready\s*stock|"
    r"info\s+lebih\s+lanjut\s+hubungi|#(?:promo|paidpromote|endorse|olshop|jualan)\b|"
    r"\bpromo\s+(?:spesial|khusus|akhir)|\bbuka\s+pendaftaran\s+reseller\b",
    re.IGNORECASE,
)
PROMO_WEAK_RE = re.compile(
    r"\b(?:diskon|disc|promo|harga|jual|dijual|ongkir|order|pesan\s+sekarang|cod|reseller|"
    r"testimoni|produk|murah|gratis)\b",
    re.IGNORECASE,
)
CONTACT_RE = re.compile(
    r"(?<![0-9A-Za-z])(?:\+62|62|0)8\d{1,2}[\s.-]?\d{3,4}[\s.-]?\d{2,5}(?!\d)|"
    r"\b(?:wa|whatsapp|wa\.me|hubungi|kontak|contact|dm|line)\b|\[telepon\]",
    re.IGNORECASE,
)

_MOJIBAKE_RE = None


class CleanResult(NamedTuple):
    """``clean_corpus``'s result; unpacks as ``posts, flow = clean_corpus(...)``."""

    posts: pd.DataFrame
    flow: pd.DataFrame


def _mojibake_re() -> re.Pattern[str]:
    global _MOJIBAKE_RE
    if _MOJIBAKE_RE is None:
        import ftfy.badness

        _MOJIBAKE_RE = ftfy.badness.BADNESS_RE
    return _MOJIBAKE_RE


def _as_str_series(s: pd.Series | Iterable[str]) -> pd.Series:
    s = pd.Series(s) if not isinstance(s, pd.Series) else s
    return s.astype(object).where(s.notna(), "").astype(str).astype(object)


def repair_text(s: pd.Series) -> pd.Series:
    """Mojibake repair (ftfy, only on flagged texts) and Unicode NFKC."""
    import ftfy

    s = _as_str_series(s)
    bad = s.str.contains(_mojibake_re(), regex=True)
    if bad.any():
        s = s.copy()
        s[bad] = [ftfy.fix_text(t, normalization="NFKC") for t in s[bad]]
    return s.str.normalize("NFKC")


def extract_entities(s: pd.Series) -> pd.DataFrame:
    """Split repaired text into ``text`` (emoji as words; URLs, hashtags, mentions and zero-width
    characters removed) and list columns ``urls``, ``hashtags``, ``mentions``, ``emojis``."""
    s = _as_str_series(s)
    run_re = T.emoji_run_re()
    runs = s.str.findall(run_re)
    emojis = [[e for r in rs for e in T.split_emoji_run(r)] for rs in runs]
    s = s.str.replace(run_re, lambda m: T.emoji_run_words(m.group(0)), regex=True)
    s = s.str.replace(T.ZERO_WIDTH_RE, "", regex=True)
    urls = s.str.findall(T.URL_RE)
    s = s.str.replace(T.URL_RE, " ", regex=True)
    hashtags = [[h.lower() for h in hs] for hs in s.str.findall(T.HASHTAG_RE)]
    s = s.str.replace(T.HASHTAG_RE, " ", regex=True)
    mentions = [[m.lower() for m in ms] for ms in s.str.findall(T.MENTION_RE)]
    s = s.str.replace(T.MENTION_RE, " ", regex=True)
    return pd.DataFrame({"text": s, "urls": list(urls), "hashtags": hashtags, "mentions": mentions,
                         "emojis": emojis}, index=s.index)


def normalise_words(s: pd.Series, *, stopwords: bool = False, stem: bool = False,
                    vocabulary: Iterable[str] | None = None) -> pd.Series:
    """Lowercase, tokenise and normalise each distinct token once (slang, 2-reduplication,
    elongation); optionally drop stopwords (negations kept) and stem."""
    s = _as_str_series(s).str.lower().str.normalize("NFKC")
    tokens = s.str.findall(T.TOKEN_RE)
    flat = [t for ts in tokens for t in ts]
    if not flat:
        return pd.Series([""] * len(s), index=s.index, dtype=object)
    codes, uniques = pd.factorize(pd.Series(flat, dtype=object), sort=False)
    mapped = [T.normalise_token(u) for u in uniques]
    if stopwords:
        sw = T.stopwords()
        mapped = [" ".join(w for w in m.split() if w not in sw) for m in mapped]
    if stem:
        vocab = set(T.known_words())
        vocab.update(w for m in mapped for w in m.split())
        if vocabulary is not None:
            vocab.update(vocabulary)
        mapped = [" ".join(T.stem_token(w, vocab) for w in m.split()) for m in mapped]
    mapped_arr = np.asarray(mapped, dtype=object)[codes]
    ends = np.cumsum([len(ts) for ts in tokens])
    starts = ends - np.asarray([len(ts) for ts in tokens])
    out = [" ".join(filter(None, mapped_arr[a:b])) for a, b in zip(starts.tolist(), ends.tolist())]
    return pd.Series(out, index=s.index, dtype=object)


def clean_text(s: pd.Series | Iterable[str], *, stopwords: bool = False, stem: bool = False) -> pd.Series:
    """Normalised words of each text (see the module docstring); idempotent for ``stem=False``."""
    s = _as_str_series(s)
    ent = extract_entities(repair_text(s))
    return normalise_words(ent["text"], stopwords=stopwords, stem=stem)


def clean(posts: pd.DataFrame, *, tz: str = "Asia/Jakarta", stopwords: bool = False,
          stem: bool = False) -> pd.DataFrame:
    """The post table plus text_clean, urls, hashtags, mentions, emojis, posted_local, month,
    caption_hash and is_promo. Pure: returns a new DataFrame."""
    _require(posts, ("post_id", "caption"), "clean")
    out = posts.copy()
    repaired = repair_text(out["caption"])
    ent = extract_entities(repaired)
    out["text_clean"] = normalise_words(ent["text"], stopwords=stopwords, stem=stem)
    for col in ("urls", "hashtags", "mentions", "emojis"):
        out[col] = ent[col].to_numpy()
    out["caption_hash"] = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in out["text_clean"]]
    out["is_promo"] = flag_promotions(repaired).to_numpy()
    if "posted_at" in out.columns:
        local = pd.to_datetime(out["posted_at"], utc=True).dt.tz_convert(tz)
        out["posted_local"] = local
        out["month"] = local.dt.strftime("%Y-%m").astype(object)
    return out


def flag_promotions(captions: pd.Series) -> pd.Series:
    """True where a caption is a paid promotion or endorsement (rule in the module docstring)."""
    s = _as_str_series(captions).str.normalize("NFKC")
    strong = s.str.contains(PROMO_STRONG_RE, regex=True)
    weak = s.str.contains(PROMO_WEAK_RE, regex=True) & s.str.contains(CONTACT_RE, regex=True)
    return (strong | weak).astype(bool)


# --- duplicates --------------------------------------------------------------------------------

def _shingle_hashes(texts: list[str], k: int = SHINGLE) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hashes of all character k-grams of ``texts`` and the text index of each."""
    lens = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    if lens.sum() == 0:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    doc = np.repeat(np.arange(len(texts)), lens)
    n = len(cps) - k + 1
    if n <= 0:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    h = np.zeros(n, dtype=np.uint64)
    base = np.uint64(1_000_003)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * base + cps[j:j + n]
        valid = doc[:n] == doc[k - 1:k - 1 + n]
        h = h[valid]
        # splitmix64 finaliser: spreads the polynomial hash over all bits
        h ^= h >> np.uint64(30)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(31)
    return h, doc[:n][valid]


def minhash_signatures(texts: list[str], *, n_hashes: int = N_BANDS * ROWS_PER_BAND, seed: int = MINHASH_SEED,
                       k: int = SHINGLE, chunk: int = 20000) -> np.ndarray:
    """MinHash signatures (len(texts) x n_hashes, uint32) of character k-gram sets.

    Texts shorter than ``k`` get all-max rows. Seeded, so the same texts give the same signatures.
    """
    rng = np.random.default_rng(seed)
    mult = rng.integers(1, 2**63, size=n_hashes, dtype=np.uint64) | np.uint64(1)
    xor = rng.integers(0, 2**63, size=n_hashes, dtype=np.uint64)
    sig = np.full((len(texts), n_hashes), np.iinfo(np.uint32).max, dtype=np.uint32)
    for lo in range(0, len(texts), chunk):
        part = texts[lo:lo + chunk]
        h, doc = _shingle_hashes(part, k)
        if len(h) == 0:
            continue
        starts = np.flatnonzero(np.r_[True, doc[1:] != doc[:-1]])
        docs = doc[starts]
        with np.errstate(over="ignore"):
            for j in range(n_hashes):
                v = ((h ^ xor[j]) * mult[j]) >> np.uint64(32)
                sig[lo + docs, j] = np.minimum.reduceat(v, starts).astype(np.uint32)
    return sig


def _jaccard(a: str, b: str, k: int = SHINGLE) -> float:
    sa = {a[i:i + k] for i in range(len(a) - k + 1)}
    sb = {b[i:i + k] for i in range(len(b) - k + 1)}
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def find_duplicates(posts: pd.DataFrame, *, threshold: float = NEAR_DUP_THRESHOLD,
                    seed: int = MINHASH_SEED) -> pd.DataFrame:
    """For each post: dup_kind ("exact" | "near" | None), dup_of (post_id kept) and near_jaccard.

    Needs columns post_id, posted_at, text_clean, caption_hash. The earliest post of each group
    is kept. Result has the index of ``posts``.
    """
    _require(posts, ("post_id", "posted_at", "text_clean", "caption_hash"), "find_duplicates")
    order = np.lexsort((posts["post_id"].astype(str).to_numpy(),
                        pd.to_datetime(posts["posted_at"], utc=True).to_numpy()))
    df = posts.iloc[order]
    texts = df["text_clean"].astype(str).tolist()
    ids = df["post_id"].astype(str).to_numpy()
    n = len(df)
    eligible = np.fromiter((len(t) >= MIN_DEDUP_CHARS for t in texts), dtype=bool, count=n)
    rep = np.arange(n)
    kind = np.full(n, None, dtype=object)
    jac = np.full(n, np.nan)

    # exact: first occurrence of each hash among eligible posts
    hashes = df["caption_hash"].to_numpy()
    first = pd.Series(np.arange(n))[eligible].groupby(hashes[eligible], sort=False).transform("min")
    ex_idx = first.index.to_numpy()
    ex_rep = first.to_numpy()
    is_exact = ex_rep != ex_idx
    rep[ex_idx[is_exact]] = ex_rep[is_exact]
    kind[ex_idx[is_exact]] = "exact"
    jac[ex_idx[is_exact]] = 1.0

    # near: MinHash + LSH among eligible posts that are not exact duplicates
    cand = np.flatnonzero(eligible & (kind == None))  # noqa: E711
    if len(cand) > 1:
        sig = minhash_signatures([texts[i] for i in cand], seed=seed)
        best = np.full(len(cand), -1)
        for b in range(N_BANDS):
            band = sig[:, b * ROWS_PER_BAND:(b + 1) * ROWS_PER_BAND]
            with np.errstate(over="ignore"):
                key = np.zeros(len(cand), dtype=np.uint64)
                for r in range(ROWS_PER_BAND):
                    key = (key ^ band[:, r].astype(np.uint64)) * np.uint64(0x100000001B3)
            first_in_bucket = pd.Series(np.arange(len(cand))).groupby(key, sort=False).transform("min")
            f = first_in_bucket.to_numpy()
            has = f != np.arange(len(cand))
            # keep the earliest candidate representative over all bands
            upd = has & ((best == -1) | (f < best))
            best[upd] = f[upd]
        # verify each candidate pair exactly; fall back to later bands' representatives is not needed
        # because the representative is the earliest similar-looking post
        for i in np.flatnonzero(best >= 0):
            a, r = cand[i], cand[best[i]]
            j = _jaccard(texts[a], texts[r])
            if j >= threshold:
                rep[a] = r
                kind[a] = "near"
                jac[a] = round(j, 4)
    # resolve chains (a -> b -> c): point to the root that was kept
    for _ in range(64):
        nxt = rep[rep]
        if np.array_equal(nxt, rep):
            break
        rep = nxt
    dup_of = np.where(kind != None, ids[rep], None)  # noqa: E711
    out = pd.DataFrame({"dup_kind": kind, "dup_of": dup_of, "near_jaccard": jac}, index=df.index)
    return out.loc[posts.index]


# --- corpus ------------------------------------------------------------------------------------

def _require(df: pd.DataFrame, cols: Iterable[str], what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        src = df["source_file"].iloc[0] if "source_file" in df.columns and len(df) else "<post table>"
        raise InputError(src, f"{what}: post table lacks column(s) {', '.join(missing)}")


def clean_corpus(posts: pd.DataFrame, *, period_start: str, period_end: str, tz: str = "Asia/Jakarta",
                 allowlist: Iterable[str] = (), key: bytes, stopwords: bool = False,
                 stem: bool = False, near_threshold: float = NEAR_DUP_THRESHOLD,
                 seed: int = MINHASH_SEED) -> CleanResult:
    """Clean, pseudonymize, date-filter, de-duplicate and flag a post table (see module docstring).

    ``period_start`` and ``period_end`` are inclusive local dates (YYYY-MM-DD) in ``tz``.
    """
    from . import preclassify, privacy

    _require(posts, ("post_id", "posted_at", "caption"), "clean_corpus")
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

    promo_raw = flag_promotions(repair_text(df["caption"]))
    df = privacy.pseudonymize_posts(df, allowlist, key)
    df = clean(df, tz=tz, stopwords=stopwords, stem=stem)
    df["is_promo"] = promo_raw.to_numpy() | df["is_promo"].to_numpy()
    dups = find_duplicates(df, threshold=near_threshold, seed=seed)
    df = df.join(dups)
    n_exact = int((df["dup_kind"] == "exact").sum())
    n_near = int((df["dup_kind"] == "near").sum())
    kept = df["dup_kind"].isna()
    n_dedup = int(kept.sum())
    promo = df["is_promo"] & kept
    n_promo = int(promo.sum())
    df["analysed"] = kept & ~df["is_promo"]
    df["pretype"] = preclassify.preclassify(df)
    df = df.sort_values(["posted_at", "post_id"], kind="stable").reset_index(drop=True)
    n_analysed = int(df["analysed"].sum())

    flow = pd.DataFrame([
        ("read", n_read, "rows in the post table"),
        ("parsed", n_unique_ids,
         f"{n_read - n_parsed} rows without post_id or time and {n_parsed - n_unique_ids} repeated post_ids dropped"),
        ("in period", n_period, f"{n_unique_ids - n_period} posts outside {period_start}..{period_end} ({tz}) dropped"),
        ("de-duplicated", n_dedup, f"{n_exact} exact and {n_near} near duplicates "
                                   f"(char-{SHINGLE}-gram Jaccard >= {near_threshold}) set aside; earliest kept"),
        ("promotions flagged", n_dedup - n_promo, f"{n_promo} paid promotions/endorsements set aside"),
        ("analysed", n_analysed, "posts in the analysed corpus"),
    ], columns=["step", "posts", "note"])
    flow["posts"] = flow["posts"].astype("int64")
    log.info("clean_corpus: %s", "; ".join(f"{s}={p}" for s, p in zip(flow["step"], flow["posts"])))
    return CleanResult(df, flow)
