"""Finding personal data in Indonesian social-media text: detect on a folded view, mask in the original.

People write contacts in many spellings: "fancy font" digits (𝟎𝟖𝟏𝟐, ０８１２, keycap 0️⃣8️⃣), en dashes and
slashes as separators, digits in pairs, a handle glued to a word (``Line@name``) or doubled (``@@name``),
``name(at)gmail.com``. So every text is first *folded* (:func:`fold`): NFKC, every Unicode decimal digit to
its ASCII digit, dashes to ``-``, spaces to `` ``, invisible characters (zero-width, variation selectors,
keycap marks, soft hyphens) dropped; each folded character remembers the original character it came from.
Detectors run on the folded view; the spans they find are mapped back and masked in the text *as stored*,
so the caption and everything cleaned from it are masked alike.

Families (:data:`FAMILIES`), found in this order (an earlier span wins an overlap):

- ``email``: ``name@host.tld``, also with spaces around ``@`` and ``(at)``/``[at]``/``{at}``, ``(dot)``/``[dot]``;
- ``profile_link``: ``instagram.com/<handle>`` (and ``instagr.am``), not ``/p/``, ``/reel/``, ``/explore/`` ...;
- ``messenger_id``: the id after "ID Line:", "Line:", "Telegram:", "ID Tele", "WeChat:" ...;
- ``handle``: ``@name`` wherever it stands, glued to a word or after another ``@``;
- ``phone``: Indonesian mobiles (``08…``, ``62 8…``, ``+62 8…``, or ``8…`` after "WA", "HP", "telp" ...;
  9–12 digits after the 0) and landlines (``(0711) 123456``, ``0711-123456``, or after a contact word),
  however the digits are grouped and separated (space, ``.``, ``-``, ``/``, brackets);
- ``nik``: 16-digit NIK numbers, one group of 16 digits, or grouped digits whose structure is a NIK's
  (province code, day 01–31 or 41–71, month 01–12);
- ``bank_account``: 8–16 digits within 30 characters after a bank's name or "rek", "rekening", "a/n";
- ``known_handle``: a username the corpus itself knows (post owners, commenters, tagged users) written as a
  bare word; only names of 4 or more characters that are not ordinary words of the kit's lexicons.

Times (``08.00``, ``16:30``), dates (``27-02-2021``, ``2021-02-27``), decimals (``0.8123456789``) and
amounts with thousands dots (``Rp 43.041.447.854``) are set aside before the digit families run, so opening hours never join a phone number. Prices (``Rp 25.000``), counts and decimals are
never long enough, or never start like a phone, to be taken for one.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import NamedTuple

import numpy as np


FAMILIES = ("email", "profile_link", "messenger_id", "handle", "phone", "nik", "bank_account", "known_handle")
CONTACT_FAMILIES = frozenset({"email", "messenger_id", "phone", "nik", "bank_account"})
MASK_TOKENS = {"email": "[email]", "messenger_id": "[id]", "phone": "[telepon]", "nik": "[NIK]",
               "bank_account": "[rekening]"}

# Characters that carry no letter or digit: dropped from the folded view (and swallowed by a span they end).
_DROP = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\ufe0e\ufe0f\u20e3\u180e")
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u2043")


class Span(NamedTuple):
    """Where personal data sits in the original text: ``text[start:end]``, its family, and its value as
    folded (a handle lowercased, a number's digits). A named tuple: a million captions make millions."""

    start: int
    end: int
    family: str
    value: str


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in _DROP or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return ""
    if ch in _DASHES:
        return "-"
    if ch.isspace():
        return " "
    d = unicodedata.digit(ch, None)
    if d is not None and unicodedata.category(ch) == "Nd":
        return str(d)
    out = unicodedata.normalize("NFKC", ch)
    if len(out) == 1 and out.isdigit() and not out.isascii():
        return str(unicodedata.digit(out, ""))
    return out


class _FoldTable(dict):
    """``str.translate`` table of :func:`_fold_char`, filled on first sight of each character."""

    def __missing__(self, code: int) -> str:
        out = self[code] = _fold_char(chr(code))
        if len(out) > 1:
            _EXPANDING.add(chr(code))
        return out


_EXPANDING: set[str] = set()  # characters seen so far that fold to more than one character ("ﬁ", "½")


_FOLD_TABLE = _FoldTable({i: chr(i) for i in range(128)})  # ASCII stays as it is ("\n" too)


def fold(text: str) -> tuple[str, list[int] | None]:
    """The detection view of ``text`` and, for each of its characters, the index of the original
    character it came from (None when the view is the text itself: plain ASCII, or only characters that
    fold one to one)."""
    view, exact = _view(text)
    return view, (None if exact else _fold_index(text))


def _view(text: str) -> tuple[str, bool]:
    """``fold``'s view, and whether each of its characters stands where its original does."""
    if text.isascii():
        return text, True
    table = _FOLD_TABLE
    wide = set(_NON_ASCII_RE.findall(text))
    if all(table[ord(ch)] == ch for ch in wide):  # emoji and letters fold to themselves
        return text, True
    view = _NON_ASCII_RE.sub(lambda m: table[ord(m.group())], text)
    # same length and no expanding character: nothing was dropped either, so positions hold
    return view, len(view) == len(text) and not any(ch in _EXPANDING for ch in wide)


_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")


def _irregular(text: str) -> Iterator[tuple[int, int]]:
    """(index, width in the view) of each character that folds to none or several characters: only these
    break the one-to-one runs between the text and its view."""
    table = _FOLD_TABLE
    for m in _NON_ASCII_RE.finditer(text):
        i = m.start()
        width = len(table[ord(text[i])])
        if width != 1:
            yield i, width


def _fold_index(text: str) -> list[int]:
    """For each character of ``fold(text)[0]``, the index of the original character it came from."""
    index: list[int] = []
    prev = 0
    for i, width in _irregular(text):
        index.extend(range(prev, i))
        index.extend([i] * width)
        prev = i + 1
    index.extend(range(prev, len(text)))
    return index


def _fold_positions(text: str) -> Callable[[int], int]:
    """``_fold_index(text)[v]`` as a function of ``v``, without building the whole index (a text has a few
    spans, so only their ends are looked up)."""
    starts: list[int] = []  # view position of each irregular character
    origins: list[int] = []  # its index in the text
    widths: list[int] = []  # how many view characters it became
    shifts: list[int] = []  # original minus view position of the characters after it
    shift = 0
    for i, width in _irregular(text):
        start = i - shift
        starts.append(start)
        origins.append(i)
        widths.append(width)
        shift = i + 1 - start - width
        shifts.append(shift)

    def original(v: int) -> int:
        k = bisect.bisect_right(starts, v) - 1
        if k < 0:
            return v
        return origins[k] if v < starts[k] + widths[k] else v + shifts[k]

    return original


# --- detectors on the folded view ------------------------------------------------------------

# "@" as written, or spelt out with spaces on both sides or in brackets: "name @ gmail.com", "name(at)gmail.com"
# (not "sekali @warga.dua", which is a mention); the spelt-out forms need a mail domain's ending
_TLD = r"(?:com|net|org|id|co\.id|ac\.id|go\.id|or\.id|sch\.id|my\.id|web\.id|edu|info|biz|me|io|xyz)"
EMAIL_RE = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
EMAIL_SPELT_RE = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*(?:\s+@\s+|\s*[(\[{]\s*at\s*[)\]}]\s*)"
    r"[A-Za-z0-9-]+(?:(?:\s*[(\[{]\s*dot\s*[)\]}]\s*|\.)[A-Za-z0-9-]+)*?"
    r"(?:\s*[(\[{]\s*dot\s*[)\]}]\s*|\.)" + _TLD.replace("\\.", r"(?:\.|\s*[(\[{]\s*dot\s*[)\]}]\s*)") + r"\b",
    re.IGNORECASE)
# "name at gmail dot com": only with a well-known mail host, so "at home" stays text
EMAIL_WORDS_RE = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*\s+at\s+(?:gmail|yahoo|ymail|hotmail|"
                            r"outlook|icloud|live)\s*(?:dot|\.)\s*(?:com|co\s*(?:dot|\.)\s*id|id)\b", re.IGNORECASE)
PROFILE_LINK_RE = re.compile(
    r"(?:https?://)?(?:www\.|m\.)?(?:instagram\.com|instagr\.am)/(?:stories/)?"
    r"(?!(?:p|reel|reels|explore|tv|accounts|direct|about|developer|legal|stories)/)"
    r"([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)", re.IGNORECASE)
MESSENGER_RE = re.compile(
    r"\b(?:id\s*line|line\s*id|id\s*tele(?:gram)?|tele(?:gram)?\s*id|id\s*wechat|id\s*kakao(?:talk)?)"
    r"\s*[:=]?\s*(@?[A-Za-z0-9][A-Za-z0-9._-]{2,29})"
    r"|\b(?:line|telegram|tele|wechat|kakaotalk|kakao|skype|kik)\s*[:=]\s*(@?[A-Za-z0-9][A-Za-z0-9._-]{2,29})",
    re.IGNORECASE)
HANDLE_RE = re.compile(r"@+([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)")
WORD_RE = re.compile(r"(?<![\w.@#/])[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?![\w@])")

# a decimal such as 0.8123456789 (a statistic), never a phone written with a dot
DECIMAL_RE = re.compile(r"(?<![\d.])(?:0|[1-9]\d{0,2})\.\d{4,}(?![\d.])")
# money and counts with thousands dots (Rp 43.041.447.854, 1.250.000): never a phone or an account
THOUSANDS_RE = re.compile(r"(?<![\d.\-/])(?!62\.8)[1-9]\d{0,2}(?:\.\d{3}){2,}(?![\d.])")
TIME_RE = re.compile(r"(?<![\d.:])(?:[01]?\d|2[0-3])[.:][0-5]\d(?!\d|[.:]\d)")
DATE_RE = re.compile(r"(?<![\d.\-/])(?:\d{1,2}([-/.])\d{1,2}\1(?:\d{4}|\d{2})|\d{4}([-/.])\d{1,2}\2\d{1,2})"
                     r"(?!\d|[-/.]\d)")
# digit groups joined by at most three separator characters (space . - / and brackets), with an optional +
RUN_RE = re.compile(r"\+?\d+(?:[ .\-/()]{1,3}\+?\d+)*")
_EIGHT_DIGITS_RE = re.compile(r"\d(?:(?:[ .\-/()]{1,3}\+?)?\d){7}")
PSEUDONYM_RE = re.compile(r"\b(?:user|id)_[0-9a-f]{10}\b")
GLUE_WORDS = frozenset({"wa", "whatsapp", "hp", "telp", "tlp", "tel", "telpon", "sms", "cp", "no", "nomor", "call",
                        "hub", "kontak", "nik", "ktp", "rek", "norek"})
CONTACT_WORD_RE = re.compile(r"(?:wa|whatsapp|whatsap|hp|telp|telpon|telepon|tlp|tel|phone|hub|hubungi|kontak|"
                             r"contact|call|sms|cp|no|nomor|nomer)\W{0,4}$", re.IGNORECASE)
BANK_WORD_RE = re.compile(r"(?:\b(?:bca|bri|bni|mandiri|bsi|btn|btpn|cimb|niaga|danamon|permata|muamalat|"
                          r"jago|seabank|bank\s+\w+|rek|rekening|norek|no\.?\s*rek)\b|a/n)[^\n]{0,30}$", re.IGNORECASE)

# Necessary conditions of the blanking patterns above, written so that ``re`` scans for their first character
# (a literal or one class) instead of trying every position as it must for a pattern that opens with a
# lookbehind: a text without them is left as it is, and most texts with digits (a phone number) have none.
_DATE_GATE_RE = re.compile(r"[-/.]\d\d?[-/.]\d")
_TIME_GATE_RE = re.compile(r"[.:][0-5]\d")
_DECIMAL_GATE_RE = re.compile(r"\.\d{4}")
_THOUSANDS_GATE_RE = re.compile(r"\.\d{3}\.\d{3}")
_COUNTRY_CODE_BEFORE_RE = re.compile(r"(?:\+|62)\W{0,3}$")
_DIGITS_RE = re.compile(r"\d+")
_WORD_END_RE = re.compile(r"[A-Za-z_]+$")
_LANDLINE_RE = re.compile(r"0[2-79]\d{7,10}")
_YEAR_RE = re.compile(r"(?:19|20)\d\d")

_PROVINCES = frozenset({11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63,
                        64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96, 97})


def nik_shaped(digits: str) -> bool:
    """Whether 16 digits have a NIK's structure: province code, day (01-31, or 41-71 for women), month."""
    if len(digits) != 16 or not digits.isdigit():
        return False
    day, month = int(digits[6:8]), int(digits[8:10])
    return int(digits[:2]) in _PROVINCES and (1 <= day <= 31 or 41 <= day <= 71) and 1 <= month <= 12


def _mobile(d: str) -> bool:
    rest = d[2:] if d.startswith("62") else d[1:] if d.startswith("0") else None
    return rest is not None and rest.startswith("8") and 9 <= len(rest) <= 12


def _classify(groups: list[str], seps: list[str], contact: bool, bank: bool, bracketed: bool) -> str | None:
    """The family of a number written as ``groups`` of digits (None: an ordinary number). ``contact`` and
    ``bank``: whether the 40 characters before it end with a contact word (``CONTACT_WORD_RE``) or have a bank's
    name or an account word (``BANK_WORD_RE``)."""
    d = "".join(groups)
    n = len(d)
    if _mobile(d):
        return "phone"
    if d.startswith("8") and 9 <= n <= 12 and contact:
        return "phone"
    if n == 16 and (len(groups) == 1 or nik_shaped(d)):
        return "nik"
    if _LANDLINE_RE.fullmatch(d):  # a landline: area code 02x-09x, 9-12 digits in all
        area = groups[0]
        if bracketed or contact or (len(groups) >= 2 and 3 <= len(area) <= 4 and area[1] != "8"
                                    and not any(_YEAR_RE.fullmatch(g) for g in groups)):
            return "landline"
    if 8 <= n <= 16 and bank:
        return "bank_account"
    return None


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group(0))


def _numbers(view: str) -> list[tuple[int, int, str, str]]:
    """(start, end, family, digits) of the phone, NIK and bank-account numbers in the folded view."""
    # eight digits, at most three separators apart, are the least any family needs (blanking only removes
    # digits): a text without them has no number to find, and most texts are such
    if sum(map(view.count, "0123456789")) < 8 or not _EIGHT_DIGITS_RE.search(view):
        return []
    # times and dates are blanked (same length, so positions hold) before numbers are looked for; each
    # pattern only where its gate finds what it needs
    blank = view
    if _DATE_GATE_RE.search(blank):
        blank = DATE_RE.sub(_blank, blank)
    if _TIME_GATE_RE.search(blank):
        blank = TIME_RE.sub(_blank, blank)
    if _DECIMAL_GATE_RE.search(blank):
        blank = DECIMAL_RE.sub(_blank, blank)
    if _THOUSANDS_GATE_RE.search(blank):
        # ... unless the "amount" follows a country code: "+62 838.775.800" is a phone
        before_sub = blank
        blank = THOUSANDS_RE.sub(lambda m: m.group(0) if _COUNTRY_CODE_BEFORE_RE.search(
            before_sub[max(0, m.start() - 5):m.start()]) else _blank(m), blank)
    if "user_" in blank or "id_" in blank:
        blank = PSEUDONYM_RE.sub(_blank, blank)  # the kit's own user_/id_ hex names
    out = []
    for run in RUN_RE.finditer(blank):
        parts = list(_DIGITS_RE.finditer(run.group(0)))
        glued = _WORD_END_RE.search(blank[max(0, run.start() - 12):run.start()])
        if glued and glued.group(0).lower() not in GLUE_WORDS:
            parts = parts[1:]  # digits ending a word or code (budi88, abc1671...), unless "wa", "hp", "telp" ...
        if sum(len(p.group(0)) for p in parts) < 8:
            continue
        base = run.start()
        i = 0
        while i < len(parts):
            best = None
            digits = ""
            start = base + parts[i].start()
            # a "+" or "(" right before the first group belongs to the number
            while start > 0 and blank[start - 1] in "+(":
                start -= 1
            # what stands before the number is the same for every end tried: tested once
            before = blank[max(0, start - 40):start]
            contact, bank = bool(CONTACT_WORD_RE.search(before)), bool(BANK_WORD_RE.search(before))
            for j in range(i, len(parts)):
                digits += parts[j].group(0)
                if len(digits) > 16:
                    break
                groups = [p.group(0) for p in parts[i:j + 1]]
                seps = [run.group(0)[parts[k].end():parts[k + 1].start()] for k in range(i, j)]
                bracketed = blank[start:start + 1] == "(" or (bool(seps) and ")" in seps[0])
                fam = _classify(groups, seps, contact, bank, bracketed)
                if fam:
                    best = (j, start, fam, digits)
            if best is None:
                i += 1
                continue
            j, start, fam, digits = best
            end = base + parts[j].end()
            out.append((start, end, "phone" if fam == "landline" else fam, digits))
            i = j + 1
    return out


# necessary conditions of the e-mail and messenger patterns, tested before them
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_SPACED_AT_RE = re.compile(r"\s@\s")
_BRACKET_AT_RE = re.compile(r"[(\[{]\s*at\s*[)\]}]")
_WORDS_AT_HINT_RE = re.compile(r"\sat\s")
_MAIL_HOSTS = ("gmail", "yahoo", "ymail", "hotmail", "outlook", "icloud", "live")


def _name_before_at(view: str) -> bool:
    """Whether some "@" follows a character an e-mail's name can end with (``EMAIL_RE`` needs one)."""
    at = view.find("@", 1)
    while at > 0:
        if view[at - 1] in _NAME_CHARS:
            return True
        at = view.find("@", at + 1)
    return False


_NUMBER_FAMILIES = frozenset({"phone", "nik", "bank_account"})
_PIECE_SPLIT_RE = re.compile(r"[^a-z0-9_.]+")


def _may_know(low: str, known: Iterable[str] | frozenset[str]) -> bool:
    """False when no known username can be a bare word of ``low`` (so the word scan is skipped).

    A ``WORD_RE`` match starts where a run of ``[a-z0-9_.]`` starts and ends at that run's end or just
    before one of its dots; every such prefix of every run is looked up.
    """
    for piece in _PIECE_SPLIT_RE.split(low):
        if not piece:
            continue
        if piece.rstrip(".") in known:
            return True
        if "." in piece:
            at = piece.find(".")
            while at > 0:
                if piece[:at] in known:
                    return True
                at = piece.find(".", at + 1)
    return False


def find(text: str, *, known: Iterable[str] | frozenset[str] = frozenset(),
         families: Iterable[str] = FAMILIES) -> list[Span]:
    """Every span of personal data in ``text`` (original positions), in text order, never overlapping.

    ``known``: lowercased usernames the corpus knows (found as bare words, family ``known_handle``);
    pass them through :func:`known_handles` to leave out ordinary words.
    """
    if not text:
        return []
    view, exact = _view(text)
    return _find(text, view, exact, _wanted(families), known)


def find_many(texts: Sequence[str], *, known: Iterable[str] | frozenset[str] = frozenset(),
              families: Iterable[str] = FAMILIES) -> list[list[Span]]:
    """``find`` of each text, the same spans. The cheap tests that say whether a family can match at all run
    on the whole column at once (:func:`_maybe`, compiled RE2 through Arrow), so the per-text code runs
    only on texts where something can be found, and there only for the families that can."""
    wanted = _wanted(families)
    views = [_view(t) if t else ("", True) for t in texts]
    maybe = _maybe([v for v, _ in views], wanted)
    may_know = _may_know if known and "known_handle" in wanted else None
    # each text's tests as one number (a bit per test), and each number's families, computed once
    code = np.zeros(len(texts), dtype=np.int64)
    for i, hit in enumerate(maybe.values()):
        code |= hit.astype(np.int64) << i
    sets = {c: frozenset().union(*(_MAYBE[k][1] for i, k in enumerate(maybe) if c >> i & 1)) & wanted
            for c in set(code.tolist())}
    out: list[list[Span]] = []
    for t, (view, exact), c in zip(texts, views, code.tolist()):
        fams = sets[c]
        if may_know is not None and t and may_know(view.lower(), known):
            fams = fams | {"known_handle"}
        out.append(_find(t, view, exact, fams, known) if fams else [])
    return out


def _wanted(families: Iterable[str]) -> frozenset[str]:
    return families if isinstance(families, frozenset) else frozenset(families)


# Necessary conditions of the families, as one RE2 pattern each (Arrow's regex engine, no lookbehind): each
# matches wherever the per-text tests of ``_find`` could let a pattern run, and more. The view's spaces are
# ASCII (``fold`` maps every other space to " "), so "\s" is written as the ASCII class Python's "\s" has.
_S = r"[\t\n\x0b\x0c\r\x1c-\x1f ]"
_MAYBE = {  # test -> (RE2 pattern, the families it is a necessary condition of)
    "email": (r"[A-Za-z0-9._%+-]@|" + _S + "@" + _S + r"|(?i:[(\[{]" + _S + r"*at" + _S + r"*[)\]}])|(?i:" + _S
              + "at" + _S + ")", frozenset({"email"})),
    "profile_link": (r"(?i:instagr)", frozenset({"profile_link"})),
    "messenger_id": (r"(?i:line|tele|wechat|kakao|skype|kik)", frozenset({"messenger_id"})),
    "handle": (r"@", frozenset({"handle"})),
    "number": (r"[0-9](?:(?:[ .\-/()]{1,3}\+?)?[0-9]){7}", _NUMBER_FAMILIES),
}


def _maybe(views: list[str], wanted: frozenset[str]) -> dict[str, np.ndarray]:
    """For each test of ``_MAYBE`` a wanted family needs: whether it holds in each view."""
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = [k for k, (_, fams) in _MAYBE.items() if wanted & fams]
    if not views or not keys:
        return {}
    arr = pa.array(views, pa.large_string())
    return {k: pc.match_substring_regex(arr, _MAYBE[k][0]).to_numpy(zero_copy_only=False) for k in keys}


def _find(text: str, view: str, exact: bool, wanted: frozenset[str],
          known: Iterable[str] | frozenset[str]) -> list[Span]:
    found: list[tuple[int, int, str, str]] = []

    def add(a: int, b: int, family: str, value: str) -> None:
        if a < b and not any(a < e and s < b for s, e, _, _ in found):
            found.append((a, b, family, value))

    # Each family's regex runs only where a cheap test says it can match (most texts have no personal
    # data, and finding that quickly is what makes a million captions affordable).
    has_at = "@" in view
    low = view.lower()
    if "email" in wanted:
        if has_at and _name_before_at(view):
            for m in EMAIL_RE.finditer(view):
                add(m.start(), m.end(), "email", re.sub(r"\s+", "", m.group(0)).lower())
        if ((has_at and _SPACED_AT_RE.search(view)) or ("at" in low and ("(" in low or "[" in low or "{" in low)
                                                          and _BRACKET_AT_RE.search(low))):
            for m in EMAIL_SPELT_RE.finditer(view):
                add(m.start(), m.end(), "email", re.sub(r"\s+", "", m.group(0)).lower())
        if any(h in low for h in _MAIL_HOSTS) and _WORDS_AT_HINT_RE.search(low):
            for m in EMAIL_WORDS_RE.finditer(view):
                add(m.start(), m.end(), "email", m.group(0).lower())
    if "profile_link" in wanted and "instagr" in low:
        for m in PROFILE_LINK_RE.finditer(view):
            add(m.start(1), m.end(1), "profile_link", m.group(1).lower())
    if "messenger_id" in wanted and ("line" in low or "tele" in low or "wechat" in low or "kakao" in low
                                     or "skype" in low or "kik" in low):
        for m in MESSENGER_RE.finditer(view):
            g = 1 if m.group(1) else 2
            add(m.start(g), m.end(g), "messenger_id", m.group(g).lstrip("@").lower())
    if "handle" in wanted and has_at:
        if found:
            for m in HANDLE_RE.finditer(view):
                add(m.start(), m.end(), "handle", m.group(1).lower())
        else:  # handles never overlap one another: nothing to check against
            found.extend((m.start(), m.end(), "handle", m.group(1).lower()) for m in HANDLE_RE.finditer(view))
    if wanted & _NUMBER_FAMILIES:
        for a, b, fam, digits in _numbers(view):
            if fam in wanted:
                add(a, b, fam, digits)
    if "known_handle" in wanted and known and _may_know(low, known):
        for m in WORD_RE.finditer(view):
            w = m.group(0).lower()
            if w in known:
                add(m.start(), m.end(), "known_handle", w)
    if not found:
        return []
    found.sort()
    if exact:
        return [Span(a, b, fam, value) for a, b, fam, value in found]
    original = _fold_positions(text)
    spans = []
    for a, b, fam, value in found:
        start, end = original(a), original(b - 1) + 1
        while end < len(text) and text[end] in _DROP:  # a keycap mark after the last digit
            end += 1
        spans.append(Span(start, end, fam, value))
    return spans


def replace(text: str, spans: list[Span], replacement: Callable[[Span], str]) -> str:
    """``text`` with each span replaced by ``replacement(span)`` (spans as :func:`find` returns them)."""
    out, pos = [], 0
    for s in spans:
        out.append(text[pos:s.start])
        out.append(replacement(s))
        pos = s.end
    out.append(text[pos:])
    return "".join(out)


def mask_contacts(text: str) -> str:
    """``text`` with e-mails, messenger ids, phone, NIK and bank-account numbers masked as ``[email]``,
    ``[id]``, ``[telepon]``, ``[NIK]``, ``[rekening]``; handles are left to the pseudonymizer."""
    spans = find(text, families=CONTACT_FAMILIES)
    return replace(text, spans, lambda s: MASK_TOKENS[s.family]) if spans else text


def known_handles(handles: Iterable[str], *, min_length: int = 4) -> frozenset[str]:
    """The usernames worth finding as bare words: lowercased, at least ``min_length`` characters, and not an
    ordinary word of the kit's lexicons (a user called "banjir" must not erase every flood)."""
    from .text import known_words

    words = known_words()
    out = set()
    for h in handles:
        h = str(h or "").strip().lstrip("@").lower()
        if len(h) >= min_length and not h.isdigit() and h not in words and WORD_RE.fullmatch(h):
            out.add(h)
    return frozenset(out)
