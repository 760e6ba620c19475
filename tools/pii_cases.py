"""A labelled set of synthetic Indonesian social-media texts with personal data, and ordinary numbers.

Every text is invented here (no real person's data): handles are random letters, phone numbers random
digits after a valid Indonesian prefix, NIKs random digits in a NIK's structure. Each positive case
names its family and the secrets that must be gone after masking; each negative is an ordinary text
(dates, times, prices, counts, decimals, ids) that masking must leave unchanged.

One generator function per family takes a ``random.Random``; ``tests/test_pii.py`` drives the same
functions from Hypothesis (``st.randoms()``), ``bench/bench_privacy.py`` draws a fixed, seeded set
and reports recall and false positives per family (``docs/privacy.md``).
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

FAMILIES = ("handle", "profile_link", "known_handle", "phone", "nik", "email", "bank_account", "messenger_id")

CONTEXT = ["Info lebih lanjut {x} ya kak", "{x}", "mohon bantuannya, {x} terima kasih", "Yang mau tanya: {x}!",
           "Kiriman warga ({x}) soal jalan rusak", "{x} sudah 2 minggu tidak ada tindakan", "cek: {x}.",
           "Pelapor {x}\nLokasi: Jl. Merdeka"]


@dataclass(frozen=True)
class Case:
    """One labelled text: ``family`` ("none" for a negative), the text, the substrings that must vanish,
    and the usernames the corpus knows (for ``known_handle``)."""

    family: str
    text: str
    secrets: tuple[str, ...] = ()
    known: frozenset[str] = field(default_factory=frozenset)


def _handle(r: random.Random) -> str:
    first = r.choice(string.ascii_lowercase)
    body = "".join(r.choice(string.ascii_lowercase + string.digits + "_.") for _ in range(r.randint(4, 14)))
    h = (first + body).replace("..", "._").rstrip(".")
    return h + r.choice(["", str(r.randint(1, 99)), "_id"])


def _digits(r: random.Random, n: int) -> str:
    return "".join(r.choice(string.digits) for _ in range(n))


# fancy digits people paste from "font generator" sites, and keycap emoji
_FANCY = [
    lambda c: chr(0x1D7CE + int(c)),  # mathematical bold
    lambda c: chr(0x1D7EC + int(c)),  # mathematical sans-serif bold
    lambda c: chr(0xFF10 + int(c)),  # fullwidth
    lambda c: c + "\ufe0f\u20e3",  # keycap
]


def _style(r: random.Random, s: str) -> str:
    if r.random() < 0.25:
        f = r.choice(_FANCY)
        return "".join(f(c) if c.isdigit() else c for c in s)
    return s


def _group(r: random.Random, digits: str, sizes: list[int], sep: str) -> str:
    out, i = [], 0
    for n in sizes:
        out.append(digits[i:i + n])
        i += n
    if i < len(digits):
        out.append(digits[i:])
    return sep.join(x for x in out if x)


def handle_case(r: random.Random) -> Case:
    h = _handle(r)
    written = r.choice([f"@{h}", f"@@{h}", f"Line@{h}", f"Instagram@{h}", f"di@{h}", f"ig:@{h}", f"@{h.upper()}"])
    return Case("handle", r.choice(CONTEXT).format(x=written), (h,))


def profile_link_case(r: random.Random) -> Case:
    h = _handle(r).rstrip("._")
    written = r.choice([f"instagram.com/{h}", f"https://www.instagram.com/{h}/", f"instagr.am/{h}",
                        f"http://instagram.com/{h}?igshid=abc", f"https://instagram.com/stories/{h}/"])
    return Case("profile_link", r.choice(CONTEXT).format(x=written), (h,))


def known_handle_case(r: random.Random) -> Case:
    h = _handle(r).rstrip("._")
    if len(h) < 6 or "_" not in h and "." not in h:
        h = h + "_" + _digits(r, 2)
    return Case("known_handle", r.choice(CONTEXT).format(x=f"akun {h} sudah lapor"), (h,), frozenset({h}))


def phone_case(r: random.Random) -> Case:
    rest = "8" + r.choice("1235789") + _digits(r, r.randint(7, 10))  # 8xx + 7-9 digits
    prefix = r.choice(["0", "62", "+62", "+62 ", "(+62) ", "+62 (", "62-"])
    number = _group(r, rest, r.choice([[3, 4, 4], [3, 3, 4], [2, 2, 2, 2, 2], [4, 4], [len(rest)], [3, 4]]),
                    r.choice([" ", ".", "-", "/", "\u2013", "\u2014", "", " - "]))
    if prefix == "+62 (":  # "+62 (812) 1111-2222"
        number = f"{rest[:3]}) " + _group(r, rest[3:], [4, 4], r.choice([" ", "-", "."]))
    if prefix == "0" and r.random() < 0.3:  # digits in pairs from the 0: "08 12 11 ..."
        full = "0" + rest
        written = _group(r, full, [2] * 8, " ")
    else:
        written = prefix + number
    written = _style(r, written)
    lead = r.choice(["", "WA ", "wa", "hp: ", "Telp. ", "hubungi ", "CP "])
    secret = "".join(c for c in rest)
    return Case("phone", r.choice(CONTEXT).format(x=lead + written), (secret[-7:],))


_PROV = [11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64, 65, 71, 72, 73,
         74, 75, 76, 81, 82, 91, 92, 94]


def nik(r: random.Random) -> str:
    day = r.randint(1, 28) + (40 if r.random() < 0.5 else 0)
    return (f"{r.choice(_PROV)}{r.randint(1, 79):02d}{r.randint(1, 40):02d}{day:02d}{r.randint(1, 12):02d}"
            f"{r.randint(50, 99):02d}{r.randint(1, 9999):04d}")


def nik_case(r: random.Random) -> Case:
    n = nik(r)
    written = _group(r, n, r.choice([[16], [4, 4, 4, 4], [6, 6, 4], [2, 2, 2, 6, 4]]), r.choice([" ", ".", "-", ""]))
    written = _style(r, written)
    lead = r.choice(["NIK ", "No KTP: ", "nik:", "KTP ", ""])
    return Case("nik", r.choice(CONTEXT).format(x=lead + written), (n[-8:],))


def email_case(r: random.Random) -> Case:
    user = _handle(r).replace("_", ".").strip(".")
    host = r.choice(["gmail.com", "yahoo.co.id", "yahoo.com", "hotmail.com", "outlook.com", "mail.kampus.ac.id"])
    name, _, tld = host.partition(".")
    written = r.choice([f"{user}@{host}", f"{user} @ {host}", f"{user}(at){host}", f"{user}[at]{host}",
                        f"{user} [at] {name}[dot]{tld}", f"{user}{{at}}{host}", f"{user.upper()}@{host.upper()}"])
    return Case("email", r.choice(CONTEXT).format(x="email " + written), (user,))


def bank_account_case(r: random.Random) -> Case:
    n = _digits(r, r.randint(10, 15))
    bank = r.choice(["BCA", "BRI", "BNI", "Mandiri", "BSI", "Bank Jago", "rek", "No. Rek", "rekening BRI"])
    written = f"{bank} {_group(r, n, r.choice([[len(n)], [4, 4, 4], [3, 3, 4], [4, 2, 6]]), r.choice([' ', '-', '.', '']))}"
    tail = r.choice(["", " a/n Budi", " an. Siti"])
    return Case("bank_account", r.choice(CONTEXT).format(x="transfer ke " + written + tail), (n[-6:],))


def messenger_id_case(r: random.Random) -> Case:
    i = _handle(r).rstrip("._")
    written = r.choice([f"ID Line: {i}", f"id line {i}", f"Line: @{i}", f"LINE ID: {i}", f"Telegram: @{i}",
                        f"id tele {i}", f"WeChat: {i}"])
    return Case("messenger_id", r.choice(CONTEXT).format(x=written), (i,))


GENERATORS = {"handle": handle_case, "profile_link": profile_link_case, "known_handle": known_handle_case,
              "phone": phone_case, "nik": nik_case, "email": email_case, "bank_account": bank_account_case,
              "messenger_id": messenger_id_case}


def _not_62(n: int) -> int:
    return 61 if n == 62 else n


def negative_case(r: random.Random) -> Case:
    """An ordinary text whose numbers are not personal data."""
    d, m, y = r.randint(1, 28), r.randint(1, 12), r.randint(2015, 2022)
    h1, h2 = r.randint(6, 11), r.randint(13, 22)
    text = r.choice([
        f"Tanggal {d:02d}-{m:02d}-{y}, pukul {h1:02d}.{r.choice(['00', '30'])} WIB",
        f"Buka jam {h1:02d}.00-{h2:02d}.00, Sabtu {d}/{m}/{y}",
        f"Harga Rp {r.randint(1, 999)}.{r.randint(0, 999):03d}, diskon {r.randint(5, 70)}%",
        # (a budget led by "62" and then 8 reads as an Indonesian mobile number written with dots, 62 8xx xxx xxx,
        # and is one to any reader: "62" becomes 61, without another draw, so the other cases stay as they were)
        f"Anggaran Rp {_not_62(r.randint(1, 99))}.{r.randint(0, 999):03d}.{r.randint(0, 999):03d}.{r.randint(0, 999):03d},-",
        f"{r.randint(1, 9)}.{r.randint(100, 999)} likes dan {r.randint(10, 999)} komentar",
        f"alpha = 0.{_digits(r, 10)}, kappa {r.randint(0, 1)}.{_digits(r, 3)}",
        # (13 digits led by "628" would be an Indonesian mobile number: the second id never starts with 6)
        f"post {r.randint(1, 9)}{_digits(r, 18)} dan {r.choice('12345789')}{_digits(r, 12)}",
        f"tahun {y - 3} {y - 2} {y - 1} {y}",
        f"RT {r.randint(1, 20):02d} RW {r.randint(1, 12):02d}, No. {r.randint(1, 200)}A, km {r.randint(1, 30)},5",
        f"Jl. Sudirman No. {r.randint(1, 99)}, kode pos 30{_digits(r, 3)}",
        f"{r.randint(2, 12)} jam {r.randint(1, 59)} menit, {y}-{m:02d}-{d:02d} {h1:02d}:{r.randint(10, 59)}",
        f"Skor {r.randint(0, 5)}-{r.randint(0, 5)}, peringkat ke-{r.randint(1, 20)} dari {r.randint(20, 40)}",
        "Jam operasional 08.00 - 16.00, istirahat 12.00-13.00",
        f"Ukuran {r.randint(10, 99)} x {r.randint(10, 99)} cm, berat {r.randint(1, 9)},{r.randint(1, 9)} kg",
        f"Lihat https://www.instagram.com/p/C{_digits(r, 4)}xYz/ dan #banjir{y}",
    ])
    return Case("none", text)


def labelled_cases(seed: int = 20210227, per_family: int = 80, negatives: int = 600) -> list[Case]:
    """A fixed labelled set: ``per_family`` cases of each family and ``negatives`` ordinary texts."""
    r = random.Random(seed)
    cases = [GENERATORS[f](r) for f in FAMILIES for _ in range(per_family)]
    return cases + [negative_case(r) for _ in range(negatives)]


def leaked(case: Case, out: str) -> bool:
    """Whether a secret of ``case`` survives in the masked text ``out`` (compared on the folded view,
    digits without their separators, so a fancy-font or re-spaced leftover counts)."""
    import re

    from civicposts.pii import fold

    view = fold(out)[0].lower()
    digits = re.sub(r"\D", "", view)
    return any((s in digits) if s.isdigit() else (s.lower() in view) for s in case.secrets)


def evaluate(cases: list[Case], redact) -> list[dict]:
    """Recall per family and the false-positive rate on negatives: rows of family, cases, caught, recall_pct
    (and for "none": changed, false_positive_pct). ``redact(text, known) -> str``."""
    rows = []
    for fam in (*FAMILIES, "none"):
        mine = [c for c in cases if c.family == fam]
        if not mine:
            continue
        if fam == "none":
            changed = sum(redact(c.text, c.known) != c.text for c in mine)
            rows.append({"family": "ordinary numbers", "cases": len(mine), "changed": changed,
                         "false_positive_pct": round(100 * changed / len(mine), 2)})
        else:
            caught = sum(not leaked(c, redact(c.text, c.known)) for c in mine)
            rows.append({"family": fam, "cases": len(mine), "caught": caught,
                         "recall_pct": round(100 * caught / len(mine), 2)})
    return rows
