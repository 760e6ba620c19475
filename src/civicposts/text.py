"""Text rules for Indonesian social-media captions: patterns, lexicons and token normalisation.

This module holds the *rules*; ``civicposts.clean`` applies them to whole
columns. Every rule is a compiled pattern or a dict, built once per process.

Rules (each one is tested in ``tests/test_clean.py``):

Hashtags -- ``HASHTAG_RE``: ``#`` not preceded by a word character or ``&``
    (so ``jalan#rusak`` and HTML entities like ``&#39;`` are not hashtags),
    followed by 1-150 Unicode word characters (Python ``\\w``: letters of any
    script, digits, ``_``) of which at least one is a letter; lowercased. So
    ``#JalanRusak`` -> ``jalanrusak``, ``#café`` -> ``café``, ``#2021`` is not a
    hashtag, ``#hut75ri`` is. Compared with other tools: instaloader uses
    ``#(\\w{1,150})`` (keeps digit-only tags and matches inside words and HTML
    entities); 4CAT's "Count values" uses ASCII ``#([a-zA-Z0-9_]+)``, which cuts
    ``#café`` to ``caf``. ``civicposts.tables.corpus.hashtag_rule_comparison``
    counts the differences on a corpus. Known limit: combining marks are not
    ``\\w``, so tags in scripts that need them (not Indonesian) are cut there.

Mentions -- ``MENTION_RE``: ``@`` not preceded by a word character, ``.`` or
    ``@`` (so e-mail addresses are not mentions), then an Instagram handle:
    1-30 of ``[A-Za-z0-9._]``, not ending in ``.``; lowercased.

URLs -- ``URL_RE``: ``http(s)://…``, ``www.…`` and bare links on common
    short-link and Indonesian domains (``bit.ly/…``, ``wa.me/…``,
    ``….co.id/…``); trailing punctuation is not part of the URL.

Emoji -- every emoji sequence in the ``emoji`` package's data (Unicode 16,
    5,244 sequences incl. ZWJ and skin-tone sequences) is replaced by its
    Indonesian CLDR name (``emoji.EMOJI_DATA[e]["id"]``, underscores as spaces),
    e.g. 😡 -> "wajah sangat marah". Runs of emoji characters are found with one
    character-class pattern and split by greedy longest match in a dict (at
    most 10 code points), cached per distinct run; no per-row ``demojize``.

Elongation -- a letter repeated 3+ times is collapsed to one ("bangeeet" ->
    "banget", then "sekali"), unless the form with two letters is a known word and the
    one-letter form is not ("maaaaf" -> "maaf"). Doubled letters are left
    alone ("maaf", "saat"), except where the slang lexicon lists them
    ("bangett" -> "banget"). Known words = lexicon values, stopwords and the
    protected words.

Reduplication with 2 -- ``REDUP_RE``: a word of 2+ letters containing a vowel,
    followed by ``2`` and optionally one of the suffixes nya/an/kan/lah/ku/mu:
    "jalan2" -> "jalan-jalan", "diperbaiki2" -> "diperbaiki-diperbaiki",
    "kata2nya" -> "kata-katanya". Not "2021", "k2", "b2b", "rw2" (no vowel:
    RT/RW numbers), "covid19".

Slang -- three lexicons merged by ``civicposts.lexicon`` (civicposts' own table, spaCy's Indonesian norms,
    Kamus Alay via indoNLP), each form with one standard target (chains followed to the end), plus a
    study's ``slang_extra``; forms no lexicon can decide (km, jan, kaya, si, in ...) are decided from their
    neighbours by the rules in ``civicposts/data/slang_ambiguous.yaml`` (``civicposts.normalise``). Lookup
    is one dict access per distinct token; context only for the few ambiguous occurrences. See
    ``civicposts/data/LEXICONS.md``.

Stopwords -- indoNLP's list (759 words, from stopwords.net) minus the
    negations ``NEGATIONS`` (tidak, belum, jangan, bukan, gak, enggak, nggak
    ...), which carry the meaning of complaints ("belum diperbaiki").

Stemming -- optional and off by default. Sastrawi is not used (its dictionary
    is CC-BY-NC-SA and it stems "pemerintah" to "perintah"). ``stem_token``
    strips Indonesian affixes by rule and accepts a candidate root only if it
    is in a vocabulary (by default: the corpus's own tokens plus the lexicon
    values); words in ``PROTECTED_STEMS`` ("pemerintah", "pemkot", ...) map to
    a fixed form and are never stripped.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Mapping

log = logging.getLogger(__name__)

# --- patterns --------------------------------------------------------------------------------

# The lookbehinds sit after the literal "#" / "@" so the pattern starts with a literal, which
# Python's re scans for quickly; "(?<![\w&]#)" means "the # is not preceded by \w or &".
HASHTAG_RE = re.compile(r"#(?<![\w&]#)(?=\w{0,149}[^\W\d_])(\w{1,150})")
INSTALOADER_HASHTAG_RE = re.compile(r"#(\w{1,150})")
FOURCAT_HASHTAG_RE = re.compile(r"#([a-zA-Z0-9_]+)")
HASHTAG_RULES = {"civicposts": HASHTAG_RE, "instaloader": INSTALOADER_HASHTAG_RE, "4cat": FOURCAT_HASHTAG_RE}

MENTION_RE = re.compile(r"@(?<![\w.@]@)([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)")

_SHORT_DOMAINS = r"bit\.ly|wa\.me|s\.id|t\.me|linktr\.ee|tinyurl\.com|goo\.gl|instagram\.com|youtu\.be"
URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]}]"
    r"|(?<![\w@.])(?:" + _SHORT_DOMAINS + r"|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:co\.id|go\.id|or\.id|ac\.id|com|id))"
    r"/[^\s<>\"']*[^\s<>\"'.,;:!?)\]}]",
    re.IGNORECASE,
)

# Zero-width and invisible formatting characters (removed after emoji, whose sequences use
# U+200D and U+FE0F). Soft hyphen U+00AD is invisible too.
ZERO_WIDTH_RE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u206a-\u206f\ufe00-\ufe0f\ufeff]")

# A token: letters/digits of any script, with inner hyphens (kata-kata). Underscore is not a token character.
TOKEN_RE = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
# Non-ASCII runs (with a possible keycap base before them): only these can hold emoji.
NON_ASCII_RUN_RE = re.compile(r"[0-9#*]?[^\x00-\x7f]+")
WIDE_RUN_RE = re.compile("[\x80-\U0010ffff]+")  # the same runs without the keycap base (a range scans faster)
# For ASCII text, tokenising is bytes.translate (everything but [a-z0-9-] -> space) + split;
# the same tokens as TOKEN_RE. Uppercase is lowered by the same table.
_KEEP = b"abcdefghijklmnopqrstuvwxyz0123456789-"
ASCII_TOKEN_TABLE = bytes(
    (c + 32 if 65 <= c <= 90 else c) if (c in _KEEP or 65 <= c <= 90 or c == 0) else 32 for c in range(256))
from .normalise import ELONGATION_RE, REDUP_RE  # noqa: E402,F401  (the rules live with the normaliser)

NEGATIONS = frozenset({"tidak", "tak", "belum", "jangan", "bukan", "gak", "ga", "enggak", "nggak", "ngga",
                       "engga", "tdk", "blm", "jgn", "bkn", "gk", "nda", "ndak"})

# Words a rule-based stemmer must never strip (value = the form to use). "pemerintah" is the
# case the brief names: Sastrawi turns it into "perintah" (to order), which inverts its meaning.
PROTECTED_STEMS: dict[str, str] = {
    "pemerintah": "pemerintah", "pemerintahan": "pemerintah", "pemerintahnya": "pemerintah",
    "pemkot": "pemkot", "pemkab": "pemkab", "pemprov": "pemprov", "pemda": "pemda",
    "perintah": "perintah", "pelayanan": "pelayanan", "pengaduan": "pengaduan", "penerangan": "penerangan",
    "perbaikan": "perbaikan", "pembangunan": "pembangunan", "kecamatan": "kecamatan", "kelurahan": "kelurahan",
    "perumahan": "perumahan", "permukiman": "permukiman", "pedagang": "pedagang", "pejabat": "pejabat",
    "kendaraan": "kendaraan", "jalanan": "jalanan", "bukan": "bukan", "belum": "belum", "tidak": "tidak",
    "berita": "berita", "terima": "terima", "tetapi": "tetapi", "sekretaris": "sekretaris",
    "sekda": "sekda", "dinas": "dinas", "kota": "kota", "banjir": "banjir", "sampah": "sampah",
    "selokan": "selokan", "lampu": "lampu", "listrik": "listrik", "air": "air", "warga": "warga",
    "palembang": "palembang", "sumatera": "sumatera", "instagram": "instagram", "pelantikan": "pelantikan",
}


# --- emoji -------------------------------------------------------------------------------------

@functools.cache
def emoji_names() -> dict[str, str]:
    """Each emoji sequence -> its Indonesian name as words, from ``emoji.EMOJI_DATA[e]["id"]``."""
    import emoji

    emoji.config.load_language("id")
    out = {}
    for seq, data in emoji.EMOJI_DATA.items():
        name = data.get("id") or data.get("en", "")
        words = re.sub(r"[_:\s]+", " ", name).strip().lower()
        out[seq] = words
    return out


def emoji_as_names(text: str) -> str:
    """``text`` with each emoji written as its Indonesian name in brackets ("[pria_tepuk_jidat]"), for the
    figures and the PDF, whose fonts have no emoji: one language everywhere, as the cleaned text has."""
    if not any(ord(c) > 0x2000 for c in text):
        return text
    import emoji

    return emoji.demojize(text, language="id", delimiters=("[", "]"))


@functools.cache
def emoji_run_re() -> re.Pattern[str]:
    """One pattern matching a run of emoji characters (any code point used in an emoji sequence
    except ASCII, plus keycap sequences such as 1️⃣)."""
    chars = sorted({ord(c) for seq in emoji_names() for c in seq if ord(c) > 0x7F})
    ranges: list[tuple[int, int]] = []
    for cp in chars:
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    cls = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return re.compile(f"(?:[0-9#*]\ufe0f?\u20e3|[{cls}])+")


@functools.lru_cache(maxsize=65536)
def split_emoji_run(run: str) -> tuple[str, ...]:
    """Split a run of emoji characters into emoji sequences by greedy longest match.

    Characters that are no emoji on their own (a stray U+FE0F or U+200D) are dropped.
    """
    names = emoji_names()
    out = []
    i, n = 0, len(run)
    while i < n:
        for j in range(min(n, i + 10), i, -1):
            if run[i:j] in names:
                out.append(run[i:j])
                i = j
                break
        else:
            i += 1
    return tuple(out)


@functools.lru_cache(maxsize=65536)
def emoji_run_words(run: str) -> str:
    """The Indonesian words for a run of emoji, padded with spaces."""
    names = emoji_names()
    return " " + " ".join(names[e] for e in split_emoji_run(run)) + " "


# --- lexicons ----------------------------------------------------------------------------------

@functools.cache
def stopwords() -> frozenset[str]:
    """indoNLP's Indonesian stopwords (stopwords.net) minus the negations."""
    from indoNLP.preprocessing import STOPWORDS

    return frozenset(w.lower() for w in STOPWORDS) - NEGATIONS


def slang_lexicon() -> dict[str, str]:
    """The shipped merged slang lexicon, form -> standard norm (``civicposts.lexicon``)."""
    from . import lexicon

    return dict(lexicon.default().mapping)


def extra_known_words() -> frozenset[str]:
    """Words the elongation rule trusts besides lexicon norms: stopwords, negations, protected words."""
    return frozenset(set(stopwords()) | NEGATIONS | set(PROTECTED_STEMS))


def known_words() -> frozenset[str]:
    """Words the elongation rule and the stemmer trust: lexicon norms, stopwords, negations, protected words."""
    from . import normalise

    return normalise.default().known


def normalise_token(token: str) -> str:
    """A lowercase token -> its normalised form with the shipped normaliser, without context (an ambiguous
    form such as "km" stays as written; ``civicposts.normalise.Normaliser.sequence`` decides it)."""
    from . import normalise

    return normalise.default().token(token)


def strip_stopwords(tokens: Iterable[str]) -> list[str]:
    """Drop stopwords, keeping negations."""
    sw = stopwords()
    return [t for t in tokens if t not in sw]


_SUFFIXES = ("lah", "kah", "tah", "pun", "nya", "ku", "mu", "kan", "an", "i")
_PREFIXES = (
    ("meng", ("", "k")), ("meny", ("s",)), ("mem", ("", "p")), ("men", ("", "t")), ("me", ("",)),
    ("peng", ("", "k")), ("peny", ("s",)), ("pem", ("", "p")), ("pen", ("", "t")), ("per", ("",)),
    ("pe", ("",)), ("ber", ("",)), ("be", ("",)), ("ter", ("",)), ("di", ("",)), ("ke", ("",)), ("se", ("",)),
)


def _stem_candidates(word: str) -> list[str]:
    bases = [word]
    for suf in _SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            bases.append(word[: -len(suf)])
            # a particle or possessive can precede a derivational suffix: perbaikannya
            for suf2 in ("kan", "an", "i"):
                inner = word[: -len(suf)]
                if suf in ("lah", "kah", "tah", "pun", "nya", "ku", "mu") and inner.endswith(suf2) \
                        and len(inner) - len(suf2) >= 3:
                    bases.append(inner[: -len(suf2)])
    out = []
    for base in bases:
        for pre, restores in _PREFIXES:
            if base.startswith(pre) and len(base) - len(pre) >= 3:
                rest = base[len(pre):]
                out.extend(r + rest for r in restores)
                # a second prefix: diperbaiki -> perbaiki -> baiki
                for pre2, restores2 in _PREFIXES:
                    if rest.startswith(pre2) and len(rest) - len(pre2) >= 3:
                        out.extend(r + rest[len(pre2):] for r in restores2)
    # shortest roots last: prefer the least stripping that yields a known word
    return bases[1:] + out


def stem_token(token: str, vocabulary: frozenset[str] | set[str] | Mapping[str, object]) -> str:
    """A conservative Indonesian stem: protected words are fixed; otherwise the first affix-stripped
    candidate that is in ``vocabulary`` (and at least 3 letters), else the token itself.

    Candidates: suffix-stripped forms first (-kan/-an/-i and particles -lah/-kah/-pun/-nya/-ku/-mu),
    then prefix-stripped forms (me(N)-/pe(N)- with nasal restoration, per-, ber-, ter-, di-, ke-,
    se-, and one further prefix). A candidate that is a protected word is never produced.
    """
    if token in PROTECTED_STEMS:
        return PROTECTED_STEMS[token]
    if "-" in token or not token.isalpha() or len(token) < 6:
        return token
    for cand in _stem_candidates(token):
        if cand in PROTECTED_STEMS:
            continue  # never produce "perintah" from "pemerintah"-like forms
        if len(cand) >= 3 and cand in vocabulary:
            return cand
    return token
