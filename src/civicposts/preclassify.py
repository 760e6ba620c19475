"""Keyword pre-classification of post type, ONLY to stratify the coding sample.

This is not coding and must never be reported as a finding or compared with human codes as if
it were one: it is a transparent keyword rule that makes sure a random sample contains enough
complaints, official follow-ups and news posts for the coders. Tables and figures that show it
must say "keyword pre-classification for sampling, not coding" in their caption
(``CAPTION_NOTE``).

Rule, first match wins, on the words of ``text_clean`` plus hashtags (``civicposts.clean``);
a keyword is a whole word, a phrase a run of whole words:

1. ``promotion``: ``is_promo`` (the promotion rule in ``civicposts.clean``) or a promotion
   keyword below.
2. ``official_activity``: an official-action keyword (ditindaklanjuti, meninjau, sidak, langsung
   turun, sudah diperbaiki, gerak cepat ...). Mentions of officials alone do not count:
   citizens tag officials in complaints.
3. ``complaint``: a complaint keyword (rusak, berlubang, banjir, sampah, macet, padam, keluhan,
   mohon, tolong, kapan diperbaiki, belum diperbaiki ...).
4. ``news``: a news keyword (info, kecelakaan, kebakaran, terjadi, polisi, razia, cuaca ...).
5. ``other``.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

TYPES = ("complaint", "news", "official_activity", "promotion", "other")
CAPTION_NOTE = "Post types are a keyword pre-classification for sampling, not coding."

PROMOTION_WORDS = ("paid promote", "endorse", "open order", "ready stock", "diskon", "promo", "olshop",
                   "gratis ongkir", "reseller")
OFFICIAL_WORDS = ("ditindaklanjuti", "menindaklanjuti", "tindak lanjut", "meninjau", "ditinjau", "tinjau",
                  "sidak", "langsung turun", "turun langsung", "gerak cepat", "respon cepat", "respons cepat",
                  "sudah diperbaiki", "telah diperbaiki", "perbaikan sudah", "sedang diperbaiki",
                  "langsung diperbaiki", "segera ditangani", "sudah ditangani", "telah ditangani",
                  "menerjunkan", "diterjunkan", "gotong royong", "kunjungan kerja")
COMPLAINT_WORDS = ("rusak", "berlubang", "lubang", "banjir", "genangan", "tergenang", "sampah", "bau", "macet",
                   "kemacetan", "parkir liar", "padam", "mati lampu", "lampu jalan mati", "keluhan", "mengeluh",
                   "keluh", "mohon", "tolong", "kapan diperbaiki", "belum diperbaiki", "tidak diperbaiki",
                   "enggak diperbaiki", "tersumbat", "mampet", "bocor", "air mati", "pungli", "parah", "min")
NEWS_WORDS = ("info", "informasi", "berita", "kecelakaan", "kebakaran", "terjadi", "polisi", "razia",
              "cuaca", "hujan", "update", "dikabarkan", "breaking", "meninggal", "korban", "pengumuman")


def _split(words: Iterable[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """Single words (matched as tokens) and phrases (matched as " phrase " in the padded text)."""
    single = frozenset(w for w in words if " " not in w)
    phrases = tuple(f" {w} " for w in words if " " in w)
    return single, phrases


RULES = (  # highest priority first
    ("promotion", _split(PROMOTION_WORDS)),
    ("official_activity", _split(OFFICIAL_WORDS)),
    ("complaint", _split(COMPLAINT_WORDS)),
    ("news", _split(NEWS_WORDS)),
)


def _classify(text: str) -> str:
    tokens = set(text.split())
    padded = f" {text} "
    for name, (single, phrases) in RULES:
        if not tokens.isdisjoint(single) or any(p in padded for p in phrases):
            return name
    return "other"


def _rule_pattern(single: frozenset[str], phrases: tuple[str, ...]) -> str:
    """One RE2 pattern matching a text (words separated by spaces) that has one of the words or phrases as
    whole words: the same test as ``_classify``'s, for a whole column at once."""
    import re

    words = sorted(single) + [p.strip() for p in phrases]
    return "(?:^| )(?:" + "|".join(re.escape(w) for w in words) + ")(?: |$)"


RULE_PATTERNS = tuple((name, _rule_pattern(single, phrases)) for name, (single, phrases) in RULES)


# str.split() also splits at these (whitespace other than " "); a text with one is classified by ``_classify``
_ODD_SPACE = (r"[\t\n\x0b\x0c\r\x1c-\x1f\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}"
              r"\x{205f}\x{3000}]")


def _classify_many(texts: list[str]) -> list[str]:
    """``_classify`` of each text, the rules' word tests run on the whole column (Arrow's RE2)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if not texts:
        return []
    arr = pa.array(texts, pa.large_string())
    out = np.full(len(texts), "other", dtype=object)
    undecided = np.ones(len(texts), dtype=bool)
    for name, pattern in RULE_PATTERNS:
        hit = pc.match_substring_regex(arr, pattern).to_numpy(zero_copy_only=False)
        take = hit & undecided
        out[take] = name
        undecided &= ~hit
    for i in np.flatnonzero(pc.match_substring_regex(arr, _ODD_SPACE).to_numpy(zero_copy_only=False)).tolist():
        out[i] = _classify(texts[i])
    return out.tolist()


def preclassify(posts: pd.DataFrame) -> pd.Series:
    """Keyword post type per post (categorical over ``TYPES``) -- for sampling strata, not coding.

    Needs ``text_clean``; uses ``hashtags`` and ``is_promo`` when present.
    """
    text = ["" if v is None or v != v else str(v) for v in posts["text_clean"].astype(object)]
    if "hashtags" in posts.columns:
        tags = [" ".join(hs) if isinstance(hs, (list, tuple)) else "" for hs in posts["hashtags"]]
        text = [f"{t} {h}" for t, h in zip(text, tags)]
    out = _classify_many(text)
    if "is_promo" in posts.columns:
        promo = posts["is_promo"].fillna(False).astype(bool).to_numpy()
        out = ["promotion" if p else o for o, p in zip(out, promo)]
    return pd.Series(pd.Categorical(out, categories=list(TYPES)), index=posts.index, name="pretype")
