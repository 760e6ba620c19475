"""Paid promotions and endorsements among posts: one rule, and the words that triggered it per post.

A caption is a promotion when

1. it has a **strong cue** (``STRONG_RE``): "paid promote", "endorse", "open order", "ready stock",
   "#promo", "promo spesial", "buka pendaftaran reseller" ...: always a promotion; or
2. it has a **commercial cue** (``COMMERCIAL_RE``: diskon, harga, jual, ongkir, order, cod, reseller,
   murah, terima pesanan ...) together with a **contact** (``CONTACT_RE``: a phone number, WA, wa.me,
   "hubungi", DM, Line), and no **non-commercial context** (``NONCOMMERCIAL_RE``): donations and disaster
   appeals (donasi, galang dana, korban, bencana, posko ...), institutions (pengumuman, humas, dinas, pemkot,
   kelurahan, universitas, sertifikasi, call center ...) and public events (festival, lomba, webinar,
   "terbuka untuk umum").

Contacts alone never make a promotion: institutional news ends with "Line : ..." or "info lebih lanjut
hubungi", and appeals ask donors to get in touch. The cues that decided a flag are returned as text
(``cues``); a phone number is named "phone number", never copied.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

STRONG_RE = re.compile(
    r"paid\s*promo(?:te)?|\bendorse(?:ment)?\b|\bendors\b|open\s*(?:order|po|reseller)|ready\s*stock|"
    r"#(?:promo|paidpromote|endorse|olshop|jualan)\b|"
    r"\bpromo\s+(?:spesial|khusus|akhir)|\bbuka\s+pendaftaran\s+reseller\b",
    re.IGNORECASE,
)
COMMERCIAL_RE = re.compile(
    r"\b(?:diskon|disc|promo|harga|jual|dijual|jualan|ongkir|order|pesan\s+sekarang|terima\s+pesanan|cod|"
    r"reseller|testimoni|produk|murah|grosir|nego|pre-?order)\b",
    re.IGNORECASE,
)
PHONE_RE = re.compile(r"(?<![0-9A-Za-z])(?:\+62|62|0)8\d{1,2}[\s.-]?\d{3,4}[\s.-]?\d{2,5}(?!\d)|\[telepon\]")
CONTACT_RE = re.compile(r"\b(?:wa|whatsapp|wa\.me|hubungi|kontak|contact|dm|line)\b", re.IGNORECASE)
NONCOMMERCIAL_RE = re.compile(
    r"\b(?:donasi|berdonasi|donatur|galang\s+dana|penggalangan|sumbangan|disumbangkan|bantuan|peduli|korban|"
    r"bencana|posko|relawan|infak|sedekah|zakat|amal|duka|"
    r"pengumuman|humas|dinas|pemkot|pemkab|pemprov|pemerintah|kelurahan|kecamatan|polda|polres|baznas|pln|pdam|"
    r"universitas|kampus|fakultas|sertifikasi|beasiswa|pendaftaran|call\s+center|contact\s+center|pengaduan|"
    r"festival|lomba|webinar|seminar|terbuka\s+untuk\s+umum)\b",
    re.IGNORECASE,
)
# cheap substring test first: the patterns only run on captions that contain one of these
_HINTS = ("promo", "endors", "order", "ready", "stock", "reseller", "olshop", "jual", "diskon", "disc", "harga",
          "ongkir", "pesan", "cod", "testimoni", "produk", "murah", "grosir", "nego")


def _unique(matches: Iterable[str]) -> list[str]:
    out: list[str] = []
    for m in matches:
        m = " ".join(m.lower().split())
        if m not in out:
            out.append(m)
    return out


def detect_one(text: str) -> tuple[bool, str]:
    """(is a promotion, the cues that decided it: "" when it is not one)."""
    tl = text.lower()
    if not any(map(tl.__contains__, _HINTS)):  # map: no Python frame per hint
        return False, ""
    strong = _unique(STRONG_RE.findall(tl))
    if strong:
        return True, "strong: " + ", ".join(strong)
    commercial = _unique(COMMERCIAL_RE.findall(tl))
    if not commercial:
        return False, ""
    contact = (["phone number"] if PHONE_RE.search(tl) else []) + _unique(CONTACT_RE.findall(tl))
    if not contact or NONCOMMERCIAL_RE.search(tl):
        return False, ""
    return True, "commercial: " + ", ".join(commercial) + "; contact: " + ", ".join(contact)


# ``_HINTS`` as one RE2 pattern, case-insensitive on the text as written: it matches wherever ``text.lower()``
# contains a hint (and, through RE2's case folding of "ſ" and "K", in a few more places, which detect_one decides)
_HINT_PATTERN = "(?i:" + "|".join(_HINTS) + ")"


def detect(texts: Iterable[str]) -> tuple[np.ndarray, list[str]]:
    """For each text: whether it is a promotion (bool array) and its cues (``detect_one``). The hint test
    runs on the whole column at once (Arrow's RE2); ``detect_one`` only on texts with a hint."""
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = list(texts)
    flags = np.zeros(len(texts), dtype=bool)
    cues = [""] * len(texts)
    if not texts:
        return flags, cues
    hinted = pc.match_substring_regex(pa.array(texts, pa.large_string()), _HINT_PATTERN)
    for i in np.flatnonzero(hinted.to_numpy(zero_copy_only=False)).tolist():
        flags[i], cues[i] = detect_one(texts[i])
    return flags, cues
