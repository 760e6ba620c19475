"""Keyword pre-classification of post type, ONLY to stratify the coding sample.

This is not coding and must never be reported as a finding or compared with human codes as if
it were one: it is a transparent keyword rule that makes sure a random sample contains enough
complaints, official follow-ups and news posts for the coders. Tables and figures that show it
must say "keyword pre-classification for sampling, not coding" in their caption
(``CAPTION_NOTE``).

Rule, first match wins, on ``text_clean`` plus hashtags (``civicposts.clean``):

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

import re
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


def _words_re(words: Iterable[str]) -> re.Pattern[str]:
    alts = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])")


PROMOTION_RE = _words_re(PROMOTION_WORDS)
OFFICIAL_RE = _words_re(OFFICIAL_WORDS)
COMPLAINT_RE = _words_re(COMPLAINT_WORDS)
NEWS_RE = _words_re(NEWS_WORDS)


def preclassify(posts: pd.DataFrame) -> pd.Series:
    """Keyword post type per post (categorical over ``TYPES``) -- for sampling strata, not coding.

    Needs ``text_clean``; uses ``hashtags`` and ``is_promo`` when present.
    """
    text = posts["text_clean"].astype(object).fillna("").astype(str)
    if "hashtags" in posts.columns:
        tags = [" ".join(hs) if isinstance(hs, (list, tuple)) else "" for hs in posts["hashtags"]]
        text = pd.Series([f"{t} {h}" for t, h in zip(text, tags)], index=posts.index, dtype=object)
    promo = text.str.contains(PROMOTION_RE, regex=True)
    if "is_promo" in posts.columns:
        promo = promo | posts["is_promo"].fillna(False).astype(bool)
    out = pd.Series("other", index=posts.index, dtype=object)
    news = text.str.contains(NEWS_RE, regex=True)
    complaint = text.str.contains(COMPLAINT_RE, regex=True)
    official = text.str.contains(OFFICIAL_RE, regex=True)
    # assign from lowest to highest priority so the first rule in the docstring wins
    out[news] = "news"
    out[complaint] = "complaint"
    out[official] = "official_activity"
    out[promo] = "promotion"
    return pd.Series(pd.Categorical(out, categories=list(TYPES)), index=posts.index, name="pretype")
