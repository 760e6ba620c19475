"""Exact and near duplicates among posts: MinHash candidates, checked exactly.

Duplicates: two posts are exact duplicates when their ``text_clean`` is identical
(sha1 ``caption_hash``). A later post is a near duplicate of an earlier one when, on character
5-grams of ``text_clean`` (its first 600 characters), their Jaccard similarity is at least
``NEAR_DUP_THRESHOLD`` (0.8) or at least ``CONTAINMENT_THRESHOLD`` (0.9) of the earlier post's
5-grams reappear in the later one (a repost with words added), and every number of the earlier
post reappears in the later one (templated posts about other dates are not duplicates); see
``near_duplicate``. Candidates come from MinHash (24 seeded hash functions over 32-bit 5-gram
hashes, numpy) with LSH banding (8 bands x 3 rows: a pair with Jaccard 0.8 becomes a candidate
with probability 0.997, 0.6 with 0.86), paired with the earliest and the previous post in
each band bucket;
pairs whose MinHash estimate is at least 0.45 are then checked exactly (the 5-gram sets of a block of
pairs as sparse rows, ``civicposts.grams``). Only texts with
at least ``MIN_DEDUP_CHARS`` characters take part (short or empty captions, e.g. photo-only
posts, are never duplicates). The earliest post (by ``posted_at``, then ``post_id``) is kept;
later ones get ``dup_of`` (chains resolved to the kept post) and ``near_jaccard``.
"""

from __future__ import annotations

import functools
import logging
import re

import numpy as np
import pandas as pd

from . import grams, schema

log = logging.getLogger(__name__)

NEAR_DUP_THRESHOLD = 0.8
MIN_DEDUP_CHARS = 30
SHINGLE = 5
MINHASH_SEED = 20210202
N_BANDS = 8
ROWS_PER_BAND = 3
CONTAINMENT_THRESHOLD = 0.9
ESTIMATE_SLACK = 0.35
MAX_SHINGLE_CHARS = 600
LOCAL_PAIRS = 50_000_000  # candidate pairs a local scheduler checks in this process
LOCAL_BUCKET_ROWS = 100_000_000  # (post, band) rows a local scheduler pairs in this process, a band at a time
SPELLING_RATIO = 0.8  # a replaced passage this similar (difflib ratio) to the original is a spelling variant


def _shingle_hashes(texts: list[str], k: int = SHINGLE) -> tuple[np.ndarray, np.ndarray]:
    """32-bit hashes of all character k-grams of ``texts`` (each cut at ``MAX_SHINGLE_CHARS``)
    and the text index of each."""
    texts = [t[:MAX_SHINGLE_CHARS] for t in texts]
    lens = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    total = int(lens.sum())
    n = total - k + 1
    if n <= 0:
        return np.zeros(0, np.uint32), np.zeros(0, np.int64)
    cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    doc = np.repeat(np.arange(len(texts)), lens)
    h = np.zeros(n, dtype=np.uint32)
    with np.errstate(over="ignore"):
        for j in range(k):
            h *= np.uint32(0x01000193)  # FNV prime
            h ^= cps[j:j + n]
        valid = doc[:n] == doc[k - 1:k - 1 + n]
        h = h[valid]
        # murmur3 finaliser: spreads the bits
        h ^= h >> np.uint32(16)
        h *= np.uint32(0x85EBCA6B)
        h ^= h >> np.uint32(13)
        h *= np.uint32(0xC2B2AE35)
        h ^= h >> np.uint32(16)
    return h, doc[:n][valid]


def minhash_signatures(texts: list[str], *, n_hashes: int = N_BANDS * ROWS_PER_BAND, seed: int = MINHASH_SEED,
                       k: int = SHINGLE, chunk: int = 20000) -> np.ndarray:
    """MinHash signatures (len(texts) x n_hashes, uint32) of character k-gram sets.

    Hash j of a k-gram hash x is ``(a_j * x + b_j) mod 2**32`` with odd a_j (a permutation
    of 32-bit values), a_j and b_j drawn from ``numpy.random.default_rng(seed)``. Texts
    shorter than ``k`` get all-max rows.
    """
    rng = np.random.default_rng(seed)
    mult = rng.integers(1, 2**32, size=n_hashes, dtype=np.uint64).astype(np.uint32) | np.uint32(1)
    add = rng.integers(0, 2**32, size=n_hashes, dtype=np.uint64).astype(np.uint32)
    sig = np.full((len(texts), n_hashes), np.iinfo(np.uint32).max, dtype=np.uint32)
    for lo in range(0, len(texts), chunk):
        h, doc = _shingle_hashes(texts[lo:lo + chunk], k)
        if len(h) == 0:
            continue
        starts = np.flatnonzero(np.r_[True, doc[1:] != doc[:-1]])
        rows = lo + doc[starts]
        v = np.empty_like(h)
        with np.errstate(over="ignore"):
            for j in range(n_hashes):
                np.multiply(h, mult[j], out=v)
                v += add[j]
                sig[rows, j] = np.minimum.reduceat(v, starts)
    return sig


_NUMBER_RE = re.compile(r"\d+")


def _shingles(t: str, k: int = SHINGLE) -> set[str]:
    t = t[:MAX_SHINGLE_CHARS]
    return {t[i:i + k] for i in range(len(t) - k + 1)}


def _jaccard(a: str, b: str, k: int = SHINGLE) -> float:
    sa, sb = _shingles(a, k), _shingles(b, k)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def content_changes(later: str, earlier: str, ignore: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """The passages of ``earlier`` that ``later`` replaces with different content: (earlier words, later words).

    Words are compared in order (``difflib`` on the two word lists). Words added or removed are not content
    changes (a repost adds "kami posting ulang" or drops a line); a replaced passage is one unless all its
    words are stopwords or ``ignore`` (e.g. the names of the posts' emoji), or the new passage is a
    spelling variant of the old (character similarity >= ``SPELLING_RATIO``: "anak-anak" / "anak anak").
    A template filled in with another title, name, place or commodity gives at least one change.
    """
    from difflib import SequenceMatcher

    from .text import stopwords

    sw = stopwords()
    a, b = earlier.split(), later.split()
    out = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "replace":
            continue
        old, new = " ".join(a[i1:i2]), " ".join(b[j1:j2])
        if all(w in sw or w in ignore for w in a[i1:i2]):  # a replaced number is content: "1/1" vs "29/1"
            continue
        if SequenceMatcher(None, old, new, autojunk=False).ratio() >= SPELLING_RATIO:
            continue
        out.append((old, new))
    return out


def near_duplicate(later: str, earlier: str, threshold: float = NEAR_DUP_THRESHOLD,
                   ignore: frozenset[str] = frozenset()) -> tuple[bool, float, float]:
    """(is a near duplicate, Jaccard, containment) of two ``text_clean`` strings.

    Near duplicate: Jaccard of character 5-gram sets >= ``threshold``, or at least
    ``CONTAINMENT_THRESHOLD`` of the earlier post's 5-grams reappear in the later one (a repost
    with added words: "kami posting ulang ya ..."); and every number of the earlier post
    (dates, times, amounts) also occurs in the later one, so templated posts about other days
    ("Kamis (2/1) ..." vs "Kamis (23/1) ...") are not duplicates; and no passage of the earlier post is
    replaced by different content (``content_changes``; words in ``ignore`` are not content), so a template
    filled in with another song, name, place or price is not a repost however similar the rest is. When the
    numbers differ, Jaccard and containment are not computed and returned as 0.0.
    ``verify_pairs`` decides many pairs the same way, with the set sizes counted in bulk.
    """
    if not number_set(earlier) <= number_set(later):
        return False, 0.0, 0.0  # checked first: it is cheap; similarities are then not computed
    sa, sb = _shingles(later), _shingles(earlier)
    similar, jac, cont = _similarity(len(sa & sb), len(sa), len(sb), threshold)
    return similar and not content_changes(later, earlier, ignore), jac, cont


def _similarity(both: int, n_later: int, n_earlier: int, threshold: float) -> tuple[bool, float, float]:
    """(similar enough to compare passages, Jaccard, containment) from the sizes of the two 5-gram sets and of
    their intersection; (False, 0.0, 0.0) when either set is empty."""
    if not n_later or not n_earlier:
        return False, 0.0, 0.0
    jac = both / (n_later + n_earlier - both)  # |a | b| without building the union
    cont = both / n_earlier
    return jac >= threshold or cont >= CONTAINMENT_THRESHOLD, jac, cont


def number_set(text: str) -> frozenset[str]:
    """The numbers written in a text (digit runs), which a near duplicate must repeat."""
    if text.isascii() and not any(map(text.__contains__, "0123456789")):  # \d is any script's digit
        return frozenset()
    return frozenset(_NUMBER_RE.findall(text))


def _emoji_words(emojis: list) -> list[frozenset[str]]:
    """Per post, the words its emoji became in ``text_clean`` (ignored when comparing content)."""
    from .text import emoji_names

    names = emoji_names()
    out = []
    for lst in emojis:
        if lst is None or len(lst) == 0:
            out.append(frozenset())
        else:
            out.append(frozenset(w for e in lst for w in names.get(e, "").split()))
    return out


def find_duplicates(posts: pd.DataFrame, *, threshold: float = NEAR_DUP_THRESHOLD,
                    seed: int = MINHASH_SEED, scheduler: str | None = None,
                    partitions: int | None = None, signatures: np.ndarray | None = None) -> pd.DataFrame:
    """For each post: dup_kind ("exact" | "near" | None), dup_of (post_id kept), near_jaccard and
    near_containment (share of the kept post's 5-grams in this one).

    Needs columns post_id, posted_at, text_clean, caption_hash. The earliest post of each group
    is kept. Result has the index of ``posts``. ``scheduler`` and ``partitions`` say where the
    signatures, the band-key shuffle and the exact checks run (``civicposts.scale``); the result
    depends on neither. ``signatures``: ``minhash_signatures(text_clean, seed=seed)`` of the rows of
    ``posts``, when the caller computed them already (``clean_corpus`` does, on its workers).
    """
    schema.require(posts, ("post_id", "posted_at", "text_clean", "caption_hash"), "find_duplicates")
    order = chronological(posts)
    # only the columns used: a copy of every (Arrow-backed) text column in time order was 1 GB for 1M posts
    df = posts[[c for c in ("post_id", "text_clean", "caption_hash", "emojis") if c in posts.columns]].iloc[order]
    texts = df["text_clean"].astype(object).tolist()
    ids = df["post_id"].astype(str).to_numpy()
    n = len(df)
    eligible = np.fromiter((len(t) >= MIN_DEDUP_CHARS for t in texts), dtype=bool, count=n)
    rep = np.arange(n)
    kind = np.full(n, None, dtype=object)
    jac = np.full(n, np.nan)
    cont = np.full(n, np.nan)

    # exact: first occurrence of each hash among eligible posts
    pos = np.flatnonzero(eligible)
    hashes = df["caption_hash"].to_numpy()[pos]
    first = pd.Series(pos).groupby(hashes, sort=False).transform("min").to_numpy()
    is_exact = first != pos
    rep[pos[is_exact]] = first[is_exact]
    kind[pos[is_exact]] = "exact"
    jac[pos[is_exact]] = 1.0
    cont[pos[is_exact]] = 1.0

    # near: MinHash + LSH among eligible posts that are not exact duplicates
    cand = pos[~is_exact]
    if len(cand) > 1:
        ctexts = [texts[i] for i in cand]
        emojis = df["emojis"].tolist() if "emojis" in df.columns else None
        cemojis = [emojis[i] for i in cand] if emojis is not None else [None] * len(cand)
        sig = (_signatures(ctexts, seed, scheduler, partitions) if signatures is None
               else np.asarray(signatures, dtype=np.uint32)[order[cand]])
        a, r = candidate_pairs(sig, scheduler=scheduler, partitions=partitions,
                               floor=min(threshold, CONTAINMENT_THRESHOLD) - ESTIMATE_SLACK)
        del sig
        if len(a):
            ok, j, c = _verify(a, r, ctexts, cemojis, threshold, scheduler, partitions)
            # pairs are sorted by post, then representative: the earliest representative that matches wins
            hit = np.flatnonzero(ok)
            if len(hit):
                _, firsts = np.unique(a[hit], return_index=True)
                win = hit[firsts]
                rows = cand[a[win]]
                rep[rows] = cand[r[win]]
                kind[rows] = "near"
                jac[rows] = [round(x, 4) for x in j[win].tolist()]  # Python's rounding, as before
                cont[rows] = [round(x, 4) for x in c[win].tolist()]
    # resolve chains (a -> b -> c): point to the root that was kept
    for _ in range(64):
        nxt = rep[rep]
        if np.array_equal(nxt, rep):
            break
        rep = nxt
    dup_of = np.where(kind != None, ids[rep], None)  # noqa: E711
    out = pd.DataFrame({"dup_kind": kind, "dup_of": dup_of, "near_jaccard": jac, "near_containment": cont},
                       index=df.index)
    return out.loc[posts.index]


def chronological(posts: pd.DataFrame) -> np.ndarray:
    """Row positions of ``posts`` by ``posted_at`` (UTC), then ``post_id`` as text: a stable sort.

    Sorted by Arrow (compiled: 0.3 s for a million posts, against 15 s for ``numpy.lexsort`` of Timestamp
    objects and strings) on the times' nanoseconds and the ids' UTF-8, whose byte order is Python's code
    point order."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ns = pd.to_datetime(posts["posted_at"], utc=True).to_numpy(dtype="datetime64[ns]").view(np.int64)  # NaT first
    table = pa.table({"t": ns, "id": pa.array(posts["post_id"].astype(str), pa.large_string())})
    return pc.sort_indices(table, sort_keys=[("t", "ascending"), ("id", "ascending")]).to_numpy()


# --- the three distributed steps: signatures, band-key shuffle, exact checks -----------------------

def _signatures(texts: list[str], seed: int, scheduler: str | None, partitions: int | None) -> np.ndarray:
    """MinHash signatures of ``texts``, partition by partition (``minhash_signatures`` is row-wise)."""
    from . import scale

    spec = scale.check_scheduler(scheduler)
    parts = partitions or scale.n_partitions(len(texts), scale.local_workers(), 100_000)
    if scale.in_process(spec, len(texts), parts, partitions):
        return minhash_signatures(texts, seed=seed)
    tasks = [(functools.partial(minhash_signatures, seed=seed), (texts[lo:hi],))
             for lo, hi in scale.bounds(len(texts), parts)]
    return np.concatenate(scale.run_tasks(tasks, scheduler=spec, label="minhash"))


def _likely(sig: np.ndarray, a: np.ndarray, r: np.ndarray, floor: float,
            chunk: int = 250_000) -> tuple[np.ndarray, np.ndarray]:
    """The pairs whose MinHash estimate of Jaccard (share of equal signature values) is at least ``floor``,
    ``chunk`` pairs at a time: the two gathered signature blocks of ten million pairs would be 2 GB."""
    keep = np.empty(len(a), dtype=bool)
    for lo in range(0, len(a), chunk):
        hi = lo + chunk
        est = np.count_nonzero(sig[a[lo:hi]] == sig[r[lo:hi]], axis=1) / sig.shape[1]
        keep[lo:hi] = est >= floor
    return a[keep], r[keep]


def band_keys(sig: np.ndarray) -> np.ndarray:
    """One 64-bit bucket key per post and band (``len(sig) x N_BANDS``), from the band's rows of ``sig``."""
    m = len(sig)
    keys = np.zeros((m, N_BANDS), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for b in range(N_BANDS):
            band = sig[:, b * ROWS_PER_BAND:(b + 1) * ROWS_PER_BAND].astype(np.uint64)
            key = np.zeros(m, dtype=np.uint64)
            for r in range(ROWS_PER_BAND):
                key = (key ^ band[:, r]) * np.uint64(0x100000001B3)
            keys[:, b] = key
    return keys


def bucket_pairs(buckets: pd.DataFrame) -> pd.DataFrame:
    """Candidate pairs (post, rep) of a table of (band, key, pos) rows holding whole buckets: each post is
    paired with the earliest post of its bucket and with the one before it."""
    if buckets.empty:
        return pd.DataFrame({"post": np.zeros(0, np.int64), "rep": np.zeros(0, np.int64)})
    band = buckets["band"].to_numpy(np.int64)
    key = buckets["key"].to_numpy(np.uint64)
    p = buckets["pos"].to_numpy(np.int64)
    order = np.lexsort((p, key, band))
    band, key, p = band[order], key[order], p[order]
    k = len(p)
    same = np.r_[False, (key[1:] == key[:-1]) & (band[1:] == band[:-1])]
    start = np.maximum.accumulate(np.where(same, 0, np.arange(k)))
    first = p[start]
    prev = np.r_[p[:1], p[:-1]]
    return pd.DataFrame({"post": np.r_[p[same], p[same]], "rep": np.r_[first[same], prev[same]]})


def candidate_pairs(sig: np.ndarray, *, scheduler: str | None = None, partitions: int | None = None,
                    floor: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(post, rep) index pairs that share a band bucket (rep earlier than post), sorted, each once; with
    ``floor``, only those whose MinHash estimate (share of equal signature values) is at least ``floor``.

    On a cluster the (band, key, pos) rows are shuffled on the bucket (``dask.dataframe`` ``shuffle``), so
    each partition holds whole buckets and pairs them on its own (``bucket_pairs``): no machine needs all
    buckets. On one machine the bands are paired one after the other in this process, and each band's pairs
    are filtered at once: numpy sorting is faster than any shuffle (25,000 bench posts: 0.04 s against 0.7 s
    through dask's threads), and the 12 million pairs of all bands of 1,000,000 bench posts never exist at
    once (1 GB). Buckets with a single post make no pair and are left out first.
    """
    from . import scale

    m = len(sig)
    keys = band_keys(sig)
    spec = scale.check_scheduler(scheduler)
    parts = partitions or scale.n_partitions(m * N_BANDS, scale.local_workers(), 500_000)
    if m == 0 or scale.in_process(spec, m * N_BANDS, parts, partitions, LOCAL_BUCKET_ROWS):
        # the bands on this process's threads (numpy sorts and gathers: 1,000,000 bench posts 3.6 -> 2.2 s)
        tasks = [(_band_pairs, (keys[:, b], b, sig, floor)) for b in range(N_BANDS)]
        found = scale.run_tasks(tasks, scheduler=scale.in_process_scheduler(spec, m), label="band-pairs")
        return _decode(np.concatenate(found), m)
    band = np.repeat(np.arange(N_BANDS, dtype=np.int64)[None, :], m, axis=0).ravel()
    key = keys.ravel()
    pos = np.repeat(np.arange(m, dtype=np.int64), N_BANDS)
    del keys
    # a bucket's identity is (band, key); only buckets seen more than once can pair
    bucket = key ^ (band.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    shared = pd.Series(bucket).duplicated(keep=False).to_numpy()
    frame = pd.DataFrame({"band": band[shared], "key": key[shared], "pos": pos[shared]})
    del band, key, pos, bucket
    if frame.empty:  # no bucket holds two posts: nothing to shuffle
        return _decode(_encode(bucket_pairs(frame), m, sig, floor), m)
    import dask.dataframe as dd

    ddf = dd.from_pandas(frame, npartitions=parts, sort=False)
    meta = bucket_pairs(frame.iloc[:0])
    # on one machine the shuffle runs on threads: its work is numpy sorting, which releases the GIL,
    # and sending the rows to processes would cost more than sorting them
    with scale.compute_options("threads" if spec == "processes" else spec) as opts:
        pairs = (ddf.shuffle(on=["band", "key"], npartitions=parts)
                 .map_partitions(bucket_pairs, meta=meta).compute(**opts))
    return _decode(_encode(pairs, m, sig, floor), m)


def _band_pairs(key: np.ndarray, band: int, sig: np.ndarray, floor: float | None) -> np.ndarray:
    """The encoded pairs (``_encode``) of one band, from its bucket ``key`` per post."""
    shared = np.flatnonzero(pd.Series(key).duplicated(keep=False).to_numpy())  # a hash table, no sort
    return _encode(bucket_pairs(pd.DataFrame({"band": band, "key": key[shared], "pos": shared})), len(sig), sig,
                   floor)


def _encode(pairs: pd.DataFrame, m: int, sig: np.ndarray, floor: float | None) -> np.ndarray:
    """Pairs as one int64 each (post * m + rep), those under the estimate ``floor`` left out."""
    post, rep = pairs["post"].to_numpy(np.int64), pairs["rep"].to_numpy(np.int64)
    if floor is not None and len(post):
        post, rep = _likely(sig, post, rep, floor)
    return post * m + rep


def _decode(pr: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    pr.sort()  # sorted and de-duplicated by hand: np.unique's hash route is slower on millions of int64
    pr = pr[np.r_[True, pr[1:] != pr[:-1]]] if len(pr) else pr
    return pr // m, pr % m


def _verify(a: np.ndarray, r: np.ndarray, texts: list[str], emojis: list, threshold: float,
            scheduler: str | None, partitions: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``near_duplicate`` of every candidate pair, as arrays (ok, Jaccard, containment) in pair order.

    Pairs are cut into contiguous runs of whole posts and checked where the scheduler says.
    """
    from . import scale

    spec = scale.check_scheduler(scheduler)
    parts = partitions or scale.n_partitions(len(a), scale.local_workers(), 50_000)
    runs = _runs_by_post(a, parts)
    # on one machine the checks run in this process, on its threads: their work is mostly scipy's sparse
    # products and numpy, which release the GIL (1,000,000 bench posts: 9.3 s in one thread, 6.1 s on two).
    # Sending each partition its texts to local processes cost more than the second CPU saved (14.9 s and
    # 1.5 GB more); workers forked with the texts in memory copied 0.9 GB of the parent's heap page by page.
    if scale.in_process(spec, len(a), parts, partitions, LOCAL_PAIRS):
        tasks = [(verify_pairs, (a[lo:hi], r[lo:hi], texts, emojis, threshold)) for lo, hi in runs]
        spec = scale.in_process_scheduler(spec, len(a))
    else:  # each task takes the texts it needs
        tasks = []
        for lo, hi in runs:
            need = np.unique(np.r_[a[lo:hi], r[lo:hi]])
            tasks.append((verify_pairs, (np.searchsorted(need, a[lo:hi]), np.searchsorted(need, r[lo:hi]),
                                         [texts[i] for i in need.tolist()], [emojis[i] for i in need.tolist()],
                                         threshold)))
    res = scale.run_tasks(tasks, scheduler=spec, label="near-duplicates")
    return tuple(np.concatenate([x[i] for x in res]) for i in range(3))  # type: ignore[return-value]


def _runs_by_post(a: np.ndarray, parts: int) -> list[tuple[int, int]]:
    """About ``parts`` contiguous runs of the sorted pairs, each holding all the pairs of its posts, so that
    ``verify_pairs`` of the runs equals ``verify_pairs`` of the whole (it skips a post's pairs after a match)."""
    from . import scale

    if not len(a):
        return [(0, 0)]
    edges = sorted({0, len(a), *np.searchsorted(a, a[[lo for lo, _ in scale.bounds(len(a), parts)[1:]]]).tolist()})
    return list(zip(edges[:-1], edges[1:]))


def verify_pairs(a: np.ndarray, r: np.ndarray, texts: list[str], emojis: list,
                 threshold: float = NEAR_DUP_THRESHOLD, block: int = 8_192,
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ok, Jaccard, containment) of ``near_duplicate(texts[a_i], texts[r_i])`` for each pair, with the
    names of both posts' emoji ignored as content; pairs sorted by ``a``, and once a post matched, its later
    pairs are not checked (left False, 0.0, 0.0): an earlier representative already won.

    The same decisions as ``near_duplicate`` pair by pair, in that order: numbers first, then the 5-gram
    set sizes, then the passages. The sizes of ``block`` pairs at a time are counted together on integer
    k-gram ids (``civicposts.grams``), so memory is bounded by the block."""
    n = len(a)
    ok = np.zeros(n, dtype=bool)
    jac = np.zeros(n)
    cont = np.zeros(n)
    numbers = functools.lru_cache(maxsize=8192)(lambda i: number_set(texts[i]))
    # the emoji's words matter only for the few pairs similar enough to compare passages: made on demand
    emoji_words = functools.lru_cache(maxsize=8192)(lambda i: _emoji_words([emojis[i]])[0])
    matched = -1
    a_all, r_all = a.tolist(), r.tolist()
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        # only pairs whose numbers agree get their sets compared (``near_duplicate`` checks numbers first)
        same_numbers = [numbers(ri) <= numbers(ai) for ai, ri in zip(a_all[lo:hi], r_all[lo:hi])]
        sel = lo + np.flatnonzero(same_numbers)
        need = np.unique(np.r_[a[sel], r[sel]])
        rows = grams.gram_rows([texts[i] for i in need.tolist()], SHINGLE, MAX_SHINGLE_CHARS)
        inter, la, lb = (v.tolist() for v in grams.overlaps(rows, np.searchsorted(need, a[sel]),
                                                             np.searchsorted(need, r[sel])))
        sizes = dict(zip(sel.tolist(), zip(inter, la, lb)))
        for k in range(lo, hi):
            ai, ri = a_all[k], r_all[k]
            if ai == matched or k not in sizes:
                continue  # an earlier representative already matched, or the numbers differ: (False, 0, 0)
            similar, jac[k], cont[k] = _similarity(*sizes[k], threshold)
            if similar and not content_changes(texts[ai], texts[ri], emoji_words(ai) | emoji_words(ri)):
                ok[k] = True
                matched = ai
    return ok, jac, cont
