"""The FICTIONAL demo corpus: a seeded generator of an instaloader 4.16 download, its answer key and
simulated coders.

No real post corpus can be shipped, so the kit's default corpus is made up: the fictional account
``demo.kota.update`` ("Demo Kota Update — akun fiktif"), modelled on what the paper describes for
@palembang.update: a non-government account relaying citizens' complaints (received by DM) about
roads, floods, waste, traffic, lighting, utilities, facilities, security and administrative
services in Palembang's districts, plus local news and paid promotions; a (fictional) Regional
Secretary, @demo.sekda.kota, follows it and acts, and later posts report the action.

Maintainers run ``python -m civicposts_demo --out data/raw/demo`` and commit the output; the
pipeline never runs it. Same arguments give byte-identical files (numpy ``Generator`` seeded from
the arguments, no wall clock, xz and JPEG encoders fed identical input).

Public entry points:

- :func:`generate` writes the instaloader folder and the answer key, returns the answer key.
- :func:`draw_overlap_sample` draws the stratified double-coding sample from the answer key.
- :func:`simulate_coders` writes SIMULATED coders' JSON Lines files for that sample.
- :func:`render` makes every file of the demo folder in memory (``{path: bytes}``); :func:`build`
  writes them (what the CLI runs); the test compares ``render()`` with the committed files.

Generative model (documented so analyses of the demo can be checked against it):

- Post types (shares of ``n_posts``): complaint 40%, news 30%, official follow-up 10%,
  promotion 8%, repost 5% (a near-duplicate of an earlier post, labelled like its original),
  other 7% (:data:`TYPE_SHARES`).
- Volume per day: month factor (rainy season Nov–Mar higher, :data:`MONTH_FACTOR`) times a linear
  growth from 1.0 to 1.35 over the period; posting hours in WIB from :data:`HOUR_WEIGHTS`.
- Complaint topics: :data:`TOPIC_WEIGHTS`; flooding/drainage weight ×2.5 in Nov–Mar; 15% of
  complaints carry a second, related topic.
- Follow-ups: a complaint is chosen (weighted by :data:`FOLLOWUP_PROPENSITY` of its topic) and the
  follow-up is posted after a lag in days drawn from a lognormal with median
  :data:`FOLLOWUP_LAG_MEDIAN_DAYS` and sigma :data:`FOLLOWUP_LAG_SIGMA`, clipped to 1–60 days.
- Engagement: likes lognormal (heavy tail) by type, growing with the follower count; comments a
  beta-distributed fraction of likes. Media: image 60%, carousel 25% (2–6 items), video 15%.
- Captions: templates from :mod:`civicposts_demo.text` filled with real street and district names,
  fictional landmarks, times and dates, roughened with slang, elongation and emoji, so that distinct
  posts have distinct captions and only reposts are (near-)duplicates.
- Comments: saved for 25% of complaints/follow-ups and 6% of other posts with comments, at most 5
  threads each (``comment_count`` stays the post's full count); ~4% of comments carry a fictional
  phone number; agencies sometimes reply to complaints.
"""

from __future__ import annotations

import io
import json
import logging
import lzma
import math
import re
from base64 import b64encode
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from civicposts.errors import InputError
from civicposts.iorw import write_bytes, write_csv

from . import text as T

log = logging.getLogger(__name__)

INSTALOADER_VERSION = "4.16"
DEFAULT_SEED = 20210202
SIM_SEED = 20210227
ANSWER_KEY_NAME = "answer_key_FICTIONAL.csv"
SAMPLE_NAME = "overlap_sample_FICTIONAL.csv"
ANSWER_KEY_COLUMNS = ["post_id", "post_type", "topics", "district", "gov_response", "officials",
                      "follows_up", "repost_of", "is_promo"]
WIB = timezone(timedelta(hours=7))
IG_EPOCH_MS = 1314220021721  # Instagram's media-id epoch (2011-08-24), used to derive pk from time
FILENAME_RE = re.compile(r"^\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d_UTC(_comments\.json|\.json\.xz|(_\d+)?\.jpg)$")

TYPE_SHARES = {"complaint": 0.40, "news": 0.30, "official_followup": 0.10, "promotion": 0.08,
               "repost": 0.05, "other": 0.07}
MONTH_FACTOR = {1: 1.25, 2: 1.2, 3: 1.15, 4: 1.0, 5: 0.9, 6: 0.85, 7: 0.8, 8: 0.8, 9: 0.85,
                10: 1.0, 11: 1.2, 12: 1.3}
RAINY_MONTHS = (11, 12, 1, 2, 3)
HOUR_WEIGHTS = {6: 3, 7: 5, 8: 6, 9: 6, 10: 5, 11: 5, 12: 6, 13: 5, 14: 4, 15: 5, 16: 6, 17: 7,
                18: 7, 19: 8, 20: 8, 21: 7, 22: 5, 23: 3}
TOPIC_WEIGHTS = {"roads": 0.24, "flooding_drainage": 0.12, "waste": 0.13, "traffic_parking": 0.12,
                 "street_lighting": 0.08, "utilities": 0.12, "public_facilities": 0.08,
                 "security": 0.06, "admin_services": 0.05}
SECOND_TOPIC = {"roads": "flooding_drainage", "flooding_drainage": "waste", "waste": "flooding_drainage",
                "traffic_parking": "roads", "street_lighting": "security", "utilities": "roads",
                "public_facilities": "waste", "security": "street_lighting", "admin_services": "public_facilities"}
NEWS_TOPIC_WEIGHTS = {"other": 0.35, "traffic_parking": 0.15, "flooding_drainage": 0.10, "utilities": 0.10,
                      "security": 0.10, "roads": 0.08, "public_facilities": 0.05, "waste": 0.04,
                      "admin_services": 0.03}
FOLLOWUP_PROPENSITY = {"roads": 1.6, "flooding_drainage": 1.4, "waste": 1.4, "traffic_parking": 0.8,
                       "street_lighting": 1.2, "utilities": 0.8, "public_facilities": 0.9, "security": 0.5,
                       "admin_services": 0.6}
FOLLOWUP_LAG_MEDIAN_DAYS = 5.0
FOLLOWUP_LAG_SIGMA = 0.8
FOLLOWUP_RESPONSE = {"action_reported": 0.55, "resolved": 0.40, "acknowledged": 0.05}
LIKES_MEDIAN = {"complaint": 900, "news": 650, "official_followup": 1400, "promotion": 220, "other": 500}
MEDIA_SHARES = {"image": 0.60, "carousel": 0.25, "video": 0.15}
IMAGE_SIZE = 80
IMAGE_QUALITY = 40

DEFAULT_ERROR_RATES = {"sim_a": 0.05, "sim_b": 0.12, "sim_c": 0.20}
REVISION_RATE = 0.03
POST_VARIABLES = ("post_type", "topic", "gov_response", "official_mentioned")
CONFUSIONS: dict[str, dict[str, list[str]]] = {
    "post_type": {"complaint": ["news", "other"], "news": ["other", "complaint"],
                  "official_followup": ["news"], "promotion": ["other", "news"], "other": ["news", "promotion"]},
    "topic": {"roads": ["traffic_parking", "flooding_drainage"], "flooding_drainage": ["roads", "waste"],
              "waste": ["flooding_drainage", "public_facilities"], "traffic_parking": ["roads", "security"],
              "street_lighting": ["utilities", "public_facilities"], "utilities": ["street_lighting", "other"],
              "public_facilities": ["other", "waste"], "security": ["other", "traffic_parking"],
              "admin_services": ["other", "public_facilities"], "other": ["public_facilities", "security"]},
    "gov_response": {"none": ["acknowledged"], "acknowledged": ["none", "action_reported"],
                     "action_reported": ["resolved", "acknowledged"], "resolved": ["action_reported"]},
    "official_mentioned": {"regional_secretary": ["city_government"], "city_government": ["regional_secretary", "none"],
                           "public_works": ["city_government"], "environment_sanitation": ["city_government", "public_works"],
                           "transport": ["police", "city_government"], "utility_company": ["other_agency"],
                           "police": ["transport", "other_agency"], "other_agency": ["city_government"],
                           "none": ["city_government"]},
}
EXCLUSIVE = {"topic": "other", "official_mentioned": "none"}
MULTI = ("topic", "official_mentioned")


# -- identifiers -------------------------------------------------------------------------------

def mediaid_to_shortcode(mediaid: int) -> str:
    """Instagram's shortcode of a media id (as instaloader's ``Post.mediaid_to_shortcode``)."""
    if mediaid < 0 or mediaid.bit_length() > 64:
        raise ValueError(f"media id {mediaid} does not fit in 64 bits")
    return b64encode(mediaid.to_bytes(9, "big"), b"-_").decode().replace("A", " ").lstrip().replace(" ", "A")


def shortcode_to_mediaid(code: str) -> int:
    """The media id of a shortcode (inverse of :func:`mediaid_to_shortcode`)."""
    from base64 import b64decode
    if len(code) > 11:
        raise ValueError(f"shortcode {code!r} is longer than 11 characters")
    return int.from_bytes(b64decode(("A" * (12 - len(code)) + code).encode(), b"-_"), "big")


def _media_pk(taken_at: int, rng: np.random.Generator) -> int:
    """A media id built like Instagram's: milliseconds since its epoch << 23 | shard << 10 | sequence."""
    ms = taken_at * 1000 + int(rng.integers(0, 1000))
    return ((ms - IG_EPOCH_MS) << 23) | (int(rng.integers(0, 2000)) << 10) | int(rng.integers(0, 1024))


def _stem(taken_at: int) -> str:
    return datetime.fromtimestamp(taken_at, timezone.utc).strftime("%Y-%m-%d_%H-%M-%S") + "_UTC"


# -- text --------------------------------------------------------------------------------------

def _pick(rng: np.random.Generator, items: list[Any] | tuple[Any, ...]) -> Any:
    return items[int(rng.integers(0, len(items)))]


def _weighted(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys = list(weights)
    total = sum(weights.values())
    u = rng.random() * total
    acc = 0.0
    for k in keys:
        acc += weights[k]
        if u < acc:
            return k
    return keys[-1]


def _roughen(text: str, rng: np.random.Generator, p_slang: float = 0.5) -> str:
    """Indonesian social-media style: slang spellings, an elongated word, sometimes lowercase."""
    words = text.split(" ")
    out = []
    for w in words:
        core = w.lower().strip(".,!?:")
        if core in T.SLANG and rng.random() < p_slang:
            w = w.lower().replace(core, T.SLANG[core])
        out.append(w)
    text = " ".join(out)
    if rng.random() < 0.25:
        for word in ("parah", "banget", "bgt", "tolong", "gelap", "macet", "bau", "lapor"):
            if word in text:
                text = text.replace(word, word + word[-1] * int(rng.integers(2, 5)), 1)
                break
    if rng.random() < 0.2:
        text = text.lower()
    return text


def _hashtags(rng: np.random.Generator, topics: list[str], extra: list[str] | None = None) -> str:
    tags = list(T.HASHTAGS_COMMON[:2])
    for t in topics:
        tags += T.HASHTAGS_TOPIC.get(t, [])
    tags += extra or []
    tags = list(dict.fromkeys(tags))
    k = int(rng.integers(1, min(5, len(tags)) + 1))
    idx = sorted(np.argsort(rng.random(len(tags)), kind="stable")[:k].tolist())
    return " ".join(tags[i] for i in idx)


def _phone(rng: np.random.Generator) -> str:
    """An obviously fictional Indonesian mobile number: 08xx-0000-xxxx."""
    return f"08{int(rng.integers(11, 99))}-0000-{int(rng.integers(0, 10000)):04d}"


def _citizen_pool(rng: np.random.Generator, n: int = 1200) -> list[str]:
    """Fictional citizens' handles, all containing 'warga' so none can be a real person's."""
    seen: dict[str, None] = {}
    patterns = ("warga_{a}{b}{d}", "{a}{b}.warga", "warga.{a}{b}{c}", "{a}{b}{c}_warga{d}")
    while len(seen) < n:
        a, b, c = (_pick(rng, T.SYLLABLES) for _ in range(3))
        handle = _pick(rng, patterns).format(a=a, b=b, c=c, d=int(rng.integers(1, 100)))
        seen.setdefault(handle, None)
    return list(seen)


def _agency_ref(code: str, rng: np.random.Generator, prefer_handle: float = 0.6) -> str:
    """How a caption names an official: its fictional handle or a plain word."""
    info = T.OFFICIALS[code]
    if info["handle"] and rng.random() < prefer_handle:
        return "@" + info["handle"]
    return info["word"]


# -- latent labels -----------------------------------------------------------------------------

def _timeline(n: int, start: str, end: str, rng: np.random.Generator) -> tuple[np.ndarray, int, int]:
    """``n`` posting times (UTC epoch seconds, sorted) and the period's bounds."""
    try:
        d0 = datetime.fromisoformat(str(start)).replace(tzinfo=WIB)
        d1 = datetime.fromisoformat(str(end)).replace(tzinfo=WIB) + timedelta(days=1)
    except ValueError:
        raise ValueError(f"start={start!r}, end={end!r}: dates must be YYYY-MM-DD") from None
    ndays = (d1 - d0).days
    if ndays < 30:
        raise ValueError(f"period {start}..{end} is {ndays} day(s); the demo needs at least 30 "
                         "(follow-ups come days after their complaints)")
    days = [d0 + timedelta(days=i) for i in range(ndays)]
    w = np.array([MONTH_FACTOR[d.month] * (1.0 + 0.35 * i / max(ndays - 1, 1)) for i, d in enumerate(days)])
    day_idx = rng.choice(ndays, size=n, p=w / w.sum())
    hours = np.array(list(HOUR_WEIGHTS), dtype=np.int64)
    hw = np.array(list(HOUR_WEIGHTS.values()), dtype=float)
    hour = hours[rng.choice(len(hours), size=n, p=hw / hw.sum())]
    secs = rng.integers(0, 3600, size=n)
    base = int(d0.timestamp())
    t = base + day_idx.astype(np.int64) * 86400 + hour * 3600 + secs
    return np.sort(t), base, int(d1.timestamp()) - 1


def _complaint_labels(rng: np.random.Generator, month: int) -> dict[str, Any]:
    weights = dict(TOPIC_WEIGHTS)
    if month in RAINY_MONTHS:
        weights["flooding_drainage"] *= 2.5
    topic = _weighted(rng, weights)
    topics = [topic]
    if rng.random() < 0.15:
        topics.append(SECOND_TOPIC[topic])
    street = _pick(rng, list(T.STREETS))
    district = T.STREETS[street] if rng.random() < 0.6 else _pick(rng, list(T.DISTRICTS))
    officials: list[str] = []
    if rng.random() < 0.45:
        officials.append(T.TOPIC_AGENCY[topic])
    if rng.random() < 0.15:
        officials.append("regional_secretary" if rng.random() < 0.6 else "city_government")
    gov = "acknowledged" if rng.random() < 0.12 else "none"
    if gov == "acknowledged" and T.TOPIC_AGENCY[topic] not in officials:
        officials.append(T.TOPIC_AGENCY[topic])
    return {"post_type": "complaint", "topics": topics, "district": district, "street": street,
            "spot": _spot(rng, district), "gov_response": gov,
            "officials": list(dict.fromkeys(officials)) or ["none"]}


def _spot(rng: np.random.Generator, district: str) -> str:
    """A landmark near the complaint ("depan SD Negeri 12", "gang Mawar RT 05", …)."""
    return _pick(rng, T.LANDMARKS).format(
        n=int(rng.integers(1, 250)), masjid=_pick(rng, T.MASJID), street2=_pick(rng, list(T.STREETS)),
        gang=_pick(rng, T.GANG), rt=f"{int(rng.integers(1, 40)):02d}", pasar=_pick(rng, T.PASAR),
        district=district, perum=_pick(rng, T.PERUM), blok=f"{_pick(rng, list('ABCDEFGH'))}{int(rng.integers(1, 30))}",
        no=int(rng.integers(1, 120)))


def _detail(rng: np.random.Generator, t: int) -> str:
    month = datetime.fromtimestamp(t, WIB).month
    when = _pick(rng, T.TIME_DETAILS).format(n=int(rng.integers(2, 9)), month=T.MONTHS[(month - 2) % 12],
                                             h=int(rng.integers(6, 10)), h2=int(rng.integers(15, 19)))
    return when


def _complaint_caption(lab: dict[str, Any], rng: np.random.Generator, citizens: list[str]) -> str:
    topic = lab["topics"][0]
    fill = {"street": lab["street"], "district": lab["district"], "days": int(rng.integers(2, 7)),
            "citizen": _pick(rng, citizens)}
    opener = _pick(rng, T.COMPLAINT_OPENERS).format(**fill)
    body = _pick(rng, T.COMPLAINT_PHRASES[topic]).format(**fill)
    if len(lab["topics"]) > 1:
        body += ", " + _pick(rng, T.COMPLAINT_PHRASES[lab["topics"][1]]).format(**fill)
    refs = [_agency_ref(c, rng) for c in lab["officials"] if c != "none"]
    if refs:
        closer = f"Mohon perhatian {' '.join(refs)}." if rng.random() < 0.5 else \
            f"Tolong {' '.join(refs)} segera ditindaklanjuti."
    else:
        closer = _pick(rng, [c for c in T.COMPLAINT_CLOSERS if "{agency}" not in c])
    body += f", {_detail(rng, lab['t'])}. Lokasinya {lab['spot']}."
    if rng.random() < 0.7:
        body += " " + _pick(rng, T.CONSEQUENCES).format(n=int(rng.integers(2, 9))) + "."
    parts = [opener, _roughen(body, rng) + " " + _pick(rng, T.EMOJI_ANGRY) * int(rng.integers(1, 4)), closer]
    if lab["gov_response"] == "acknowledged":
        agency = T.OFFICIALS[T.TOPIC_AGENCY[topic]]["word"]
        parts.append(_pick(rng, T.ACKNOWLEDGED_LINES).format(agency=agency))
    parts.append(_hashtags(rng, lab["topics"], ["#keluhanwarga"]))
    return "\n".join(p for p in parts if p)


def _news_labels(rng: np.random.Generator, month: int) -> dict[str, Any]:
    weights = dict(NEWS_TOPIC_WEIGHTS)
    if month in RAINY_MONTHS:
        weights["flooding_drainage"] *= 2.5
    topic = _weighted(rng, weights)
    district = _pick(rng, list(T.DISTRICTS)) if rng.random() < 0.7 else ""
    officials = ["none"]
    if topic != "other" and rng.random() < 0.25:
        officials = [T.TOPIC_AGENCY[topic]]
    return {"post_type": "news", "topics": [topic], "district": district, "street": _pick(rng, list(T.STREETS)),
            "gov_response": "none", "officials": officials}


def _date_words(t: int) -> str:
    d = datetime.fromtimestamp(t, WIB)
    return f"{T.DAYS[d.weekday()]} ({d.day}/{d.month})"


def _news_caption(lab: dict[str, Any], rng: np.random.Generator, citizens: list[str]) -> str:
    district = lab["district"] or "kota demo"
    fill = {"street": lab["street"], "district": district}
    opener = _pick(rng, T.NEWS_OPENERS).format(**fill)
    body = _pick(rng, T.NEWS_PHRASES[lab["topics"][0]]).format(**fill)
    extra = _pick(rng, T.NEWS_EXTRAS).format(citizen=_pick(rng, citizens))
    parts = [f"{opener.rstrip(':')} {_date_words(lab['t'])}: {body} {extra}".strip()]
    if lab["officials"] != ["none"]:
        parts.append(f"(Sumber: {_agency_ref(lab['officials'][0], rng, 0.8)})")
    parts.append(_hashtags(rng, lab["topics"], ["#infopalembang"]))
    return "\n".join(parts)


def _followup_labels(rng: np.random.Generator, target: dict[str, Any]) -> dict[str, Any]:
    topic = target["topics"][0]
    officials = []
    if rng.random() < 0.6:
        officials.append("regional_secretary")
    if rng.random() < 0.6 or not officials:
        officials.append(T.TOPIC_AGENCY[topic])
    return {"post_type": "official_followup", "topics": list(target["topics"]), "district": target["district"],
            "street": target["street"], "spot": target["spot"], "gov_response": _weighted(rng, FOLLOWUP_RESPONSE),
            "officials": list(dict.fromkeys(officials)), "follows_up": target["post_id"]}


def _followup_caption(lab: dict[str, Any], target_time: int, rng: np.random.Generator) -> str:
    topic = lab["topics"][0]
    date = datetime.fromtimestamp(target_time, WIB)
    date_str = f"{date.day}/{date.month}"
    names = []
    for code in lab["officials"]:
        if code == "regional_secretary":
            names.append(f"Sekda @{T.OFFICIALS[code]['handle']}")
        else:
            names.append(_agency_ref(code, rng, 0.7))
    official = " bersama ".join(names)
    result = _pick(rng, {"action_reported": T.RESULT_ACTION, "resolved": T.RESULT_RESOLVED,
                         "acknowledged": T.RESULT_ACK}[lab["gov_response"]])
    text = _pick(rng, T.FOLLOWUP_TEMPLATES).format(
        issue=T.ISSUE_WORDS[topic], street=lab["street"], district=lab["district"], date=f"{date_str}",
        official=official, result=result)
    extra = _pick(rng, T.FOLLOWUP_EXTRAS).format(n=int(rng.integers(3, 25)), spot=lab["spot"],
                                                  h=int(rng.integers(8, 17)), mm=f"{int(rng.integers(0, 60)):02d}")
    return f"{text} {extra} {_pick(rng, T.EMOJI_GOOD)}\n" + _hashtags(rng, lab["topics"], ["#responcepat"])


def _promo_caption(rng: np.random.Generator, t: int) -> str:
    shop = f"{_pick(rng, T.SYLLABLES)}{_pick(rng, T.SYLLABLES)}.shop_demo"
    text = _pick(rng, T.PROMO_TEMPLATES).format(
        product=_pick(rng, T.PRODUCTS), phone=_phone(rng), district=_pick(rng, list(T.DISTRICTS)), shop=shop)
    until = datetime.fromtimestamp(t, WIB) + timedelta(days=int(rng.integers(3, 15)))
    price = f"Harga mulai Rp{int(rng.integers(5, 150))}.000, promo s/d {until.day}/{until.month}."
    k = int(rng.integers(1, 4))
    feats = " ".join(T.PROMO_FEATURES[i].format(district=_pick(rng, list(T.DISTRICTS)), n=int(rng.integers(2, 12)),
                                                h=int(rng.integers(7, 11)), h2=int(rng.integers(17, 23)))
                     for i in sorted(np.argsort(rng.random(len(T.PROMO_FEATURES)), kind="stable")[:k].tolist()))
    return f"{text} {price} {feats} IG @{shop}\n#paidpromote #promopalembang"


def _other_caption(rng: np.random.Generator, t: int, citizens: list[str]) -> str:
    d = datetime.fromtimestamp(t, WIB)
    extra = _pick(rng, T.OTHER_EXTRAS).format(citizen=_pick(rng, citizens), day=T.DAYS[d.weekday()], d=d.day,
                                              m=d.month, n=int(rng.integers(250, 320)))
    district = _pick(rng, list(T.DISTRICTS))
    more = _pick(rng, T.OTHER_MORE).format(district=district, weather=_pick(rng, T.WEATHER))
    return (f"{_pick(rng, T.OTHER_PHRASES).format(district=district)} {more} {extra} "
            f"{T.DAYS[d.weekday()]} {d.day} {T.MONTHS[d.month - 1]}.\n" + _hashtags(rng, ["other"]))


def _repost_caption(original: str, rng: np.random.Generator) -> str:
    kind = int(rng.integers(0, 4))
    if kind == 0:
        return "[REPOST] " + original
    if kind == 1:
        return "Masih blm ada tindak lanjut? Kami posting ulang ya.\n" + original
    if kind == 2:
        lines = original.split("\n")
        return "\n".join(lines[:-1] + ["#repost #palembang"]) if len(lines) > 1 else original + " #repost"
    return original.replace("\n", " ") + " 🔁"


# -- the corpus --------------------------------------------------------------------------------

def _plan(n_posts: int, seed: int, start: str, end: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The latent posts (labels, times, captions, engagement), sorted by time, and the citizen pool."""
    rng = np.random.default_rng([seed, 1])
    citizens = _citizen_pool(np.random.default_rng([seed, 2]))
    n_fu = int(round(n_posts * TYPE_SHARES["official_followup"]))
    n_rest = n_posts - n_fu
    times, t_lo, t_hi = _timeline(n_rest, start, end, rng)
    rest_types = {k: v for k, v in TYPE_SHARES.items() if k != "official_followup"}
    keys = list(rest_types)
    p = np.array(list(rest_types.values()))
    types = [keys[i] for i in rng.choice(len(keys), size=n_rest, p=p / p.sum())]
    posts: list[dict[str, Any]] = []
    for i, (t, kind) in enumerate(zip(times.tolist(), types)):
        month = datetime.fromtimestamp(t, WIB).month
        if kind == "repost" and i < 10:
            kind = "news"
        post: dict[str, Any] = {"t": int(t), "kind": kind}
        if kind == "complaint":
            post.update(_complaint_labels(rng, month))
            post["caption"] = _complaint_caption(post, rng, citizens)
        elif kind == "news":
            post.update(_news_labels(rng, month))
            post["caption"] = _news_caption(post, rng, citizens)
        elif kind == "promotion":
            post.update(post_type="promotion", topics=["other"], district="", gov_response="none",
                        officials=["none"], caption=_promo_caption(rng, t))
        elif kind == "other":
            post.update(post_type="other", topics=["other"], district="", gov_response="none",
                        officials=["none"], caption=_other_caption(rng, t, citizens))
        posts.append(post)

    # Follow-ups answer earlier complaints after a lognormal lag.
    complaints = [p_ for p_ in posts if p_["kind"] == "complaint" and p_["t"] + 86400 <= t_hi]
    w = np.array([FOLLOWUP_PROPENSITY[c["topics"][0]] for c in complaints])
    order = rng.choice(len(complaints), size=len(complaints), replace=False, p=w / w.sum())
    followups = []
    for ci in order.tolist():
        if len(followups) == n_fu:
            break
        lag = float(np.clip(rng.lognormal(math.log(FOLLOWUP_LAG_MEDIAN_DAYS), FOLLOWUP_LAG_SIGMA), 1, 60))
        t_f = complaints[ci]["t"] + int(lag * 86400)
        hour = datetime.fromtimestamp(t_f, WIB).hour
        if hour < 6:
            t_f += (6 - hour) * 3600
        if t_f > t_hi:
            continue
        followups.append({"t": t_f, "kind": "official_followup", "target": complaints[ci]})
    if len(followups) < n_fu:
        log.warning("only %d of %d follow-ups fit in the period", len(followups), n_fu)
    posts = sorted(posts + followups, key=lambda p_: (p_["t"], p_["kind"]))
    # No two posts in the same second (instaloader would overwrite the file).
    for i in range(1, len(posts)):
        if posts[i]["t"] <= posts[i - 1]["t"]:
            posts[i]["t"] = posts[i - 1]["t"] + 1

    seen_codes: set[str] = set()
    for i, post in enumerate(posts):
        pk = _media_pk(post["t"], rng)
        code = mediaid_to_shortcode(pk)
        while code in seen_codes:
            pk += 1
            code = mediaid_to_shortcode(pk)
        seen_codes.add(code)
        post.update(pk=pk, post_id=code)
    # Labels that depend on earlier posts' ids: follow-ups and reposts.
    for i, post in enumerate(posts):
        if post["kind"] == "official_followup":
            target = post.pop("target")
            post.update(_followup_labels(rng, target))
            post["caption"] = _followup_caption(post, target["t"], rng)
        elif post["kind"] == "repost":
            window = [q for q in posts[max(0, i - 400):i]
                      if q["kind"] in ("complaint", "news", "official_followup") and q["t"] >= post["t"] - 90 * 86400]
            if not window:
                window = [q for q in posts[:i] if q["kind"] != "repost"]
            orig = _pick(rng, window)
            for key in ("post_type", "topics", "district", "street", "gov_response", "officials", "follows_up"):
                if key in orig:
                    post[key] = orig[key]
            post["repost_of"] = orig["post_id"]
            post["caption"] = _repost_caption(orig["caption"], rng)
    _engagement(posts, rng, t_lo, t_hi)
    return posts, citizens


def _engagement(posts: list[dict[str, Any]], rng: np.random.Generator, t_lo: int, t_hi: int) -> None:
    for post in posts:
        growth = 0.7 + 0.45 * (post["t"] - t_lo) / max(t_hi - t_lo, 1)
        median = LIKES_MEDIAN[post["post_type"]] * growth * (0.6 if post["kind"] == "repost" else 1.0)
        post["likes"] = int(round(rng.lognormal(math.log(median), 0.9)))
        share = rng.beta(2, 45) * (1.8 if post["post_type"] in ("complaint", "official_followup") else 1.0)
        post["comments"] = int(round(post["likes"] * share))
        mt = _weighted(rng, MEDIA_SHARES)
        post["media_type"] = mt
        post["n_media"] = int(rng.integers(2, 7)) if mt == "carousel" else 1
        if mt == "video":
            post["views"] = int(post["likes"] * rng.uniform(6, 15))
        has_place = post.get("district") and post["post_type"] in ("complaint", "official_followup", "news")
        post["has_location"] = bool(has_place and rng.random() < 0.35)


def _location(district: str) -> dict[str, Any]:
    names = list(T.DISTRICTS)
    lat, lng = T.DISTRICTS[district]
    return {"pk": str(900000001 + names.index(district)), "short_name": district,
            "name": f"{district}, Palembang", "address": "", "city": "Palembang", "lat": lat, "lng": lng}


def _user() -> dict[str, Any]:
    return {"pk": T.ACCOUNT_ID, "username": T.ACCOUNT, "full_name": T.ACCOUNT_FULL_NAME,
            "is_private": False, "is_verified": False}


def _raw_media(post: dict[str, Any]) -> dict[str, Any]:
    """The Polaris media item as Instagram's web API returns it (the subset the demo needs)."""
    media_type = {"image": 1, "video": 2, "carousel": 8}[post["media_type"]]
    pk = str(post["pk"])
    media: dict[str, Any] = {
        "code": post["post_id"], "pk": pk, "id": f"{pk}_{T.ACCOUNT_ID}", "taken_at": post["t"],
        "media_type": media_type, "product_type": {1: "feed", 2: "clips", 8: "carousel_container"}[media_type],
        "caption": {"pk": str(post["pk"] + 1), "text": post["caption"], "created_at": post["t"]},
        "like_count": post["likes"], "comment_count": post["comments"], "user": _user(),
        "accessibility_caption": None, "has_liked": False, "usertags": None,
    }
    if post["has_location"]:
        media["location"] = _location(post["district"])
    if media_type == 2:
        media["video_duration"] = 30.0
        media["view_count"] = post["views"]
        media["play_count"] = post["views"]
    if media_type == 8:
        media["carousel_media_count"] = post["n_media"]
        media["carousel_media"] = [
            {"pk": str(post["pk"] + k), "id": f"{post['pk'] + k}_{T.ACCOUNT_ID}", "media_type": 1,
             "accessibility_caption": None} for k in range(1, post["n_media"] + 1)]
    return media


def normalize_post_data(media: dict[str, Any]) -> dict[str, Any]:
    """The node instaloader 4.16 saves for a Polaris media item (port of ``Post._normalize_post_data``)."""
    media_types = {1: "GraphImage", 2: "GraphVideo", 8: "GraphSidecar"}
    media_type = media["media_type"]
    pic = dict(media)
    pic["shortcode"] = media["code"]
    pic["id"] = media["pk"]
    pic["__typename"] = media_types[media_type]
    pic["is_video"] = media_type == 2
    pic["taken_at_timestamp"] = media["taken_at"]
    pic["owner"] = {"id": media["user"]["pk"], "username": media["user"].get("username", ""),
                    "full_name": media["user"].get("full_name", "")}
    candidates = (media.get("image_versions2") or {}).get("candidates") or []
    pic["display_url"] = candidates[0]["url"] if candidates else None
    videos = media.get("video_versions") or []
    pic["video_url"] = videos[0]["url"] if videos else None
    pic["video_duration"] = media.get("video_duration")
    pic["video_view_count"] = media.get("view_count")
    pic["video_play_count"] = media.get("play_count")
    caption = media.get("caption")
    text = caption.get("text") if isinstance(caption, dict) else None
    pic["edge_media_to_caption"] = {"edges": [{"node": {"text": text}}]} if text is not None else {"edges": []}
    pic["edge_media_preview_like"] = {"count": media.get("like_count") or 0}
    pic["edge_media_to_parent_comment"] = {"count": media.get("comment_count") or 0, "edges": []}
    if media.get("has_liked") is not None:
        pic["viewer_has_liked"] = media["has_liked"]
    carousel = media.get("carousel_media") or []
    if carousel:
        nodes = []
        for item in carousel:
            item_type = item.get("media_type", 1)
            node: dict[str, Any] = {"shortcode": item.get("code", ""),
                                    "__typename": media_types.get(item_type, "GraphImage"),
                                    "is_video": item_type == 2, "display_url": "", "video_url": None}
            if item.get("accessibility_caption") is not None:
                node["accessibility_caption"] = item["accessibility_caption"]
            nodes.append({"node": node})
        pic["edge_sidecar_to_children"] = {"edges": nodes}
    return pic


# instaloader writes with lzma's default (preset 6, 8 MiB dictionary); setting that dictionary up
# costs ~8 ms per file. A 64 KiB dictionary (larger than any post) gives the same compressed data
# for these small files at an eighth of the time; only the header's dictionary size differs.
XZ_FILTERS = [{"id": lzma.FILTER_LZMA2, "preset": 6, "dict_size": 1 << 16}]


def xz_json(structure: Any, filters: list[dict[str, Any]] | None = XZ_FILTERS) -> bytes:
    """The JSON instaloader's ``save_structure_to_file`` writes (``json.dump(separators=(",", ":"))``,
    ASCII-escaped, key order kept) in an xz container without integrity check (``lzma.CHECK_NONE``).

    ``filters=None`` compresses with instaloader's own settings (``lzma.open``'s default preset);
    the default dictionary is smaller and faster and decompresses to the same JSON."""
    text = json.dumps(structure, separators=(",", ":"))
    return lzma.compress(text.encode("ascii"), format=lzma.FORMAT_XZ, check=lzma.CHECK_NONE, filters=filters)


def _comments(post: dict[str, Any], rng: np.random.Generator, citizens: list[str],
              next_id: list[int]) -> list[dict[str, Any]]:
    """A post's comment threads in instaloader's ``_comments.json`` shape (a capped sample of them)."""
    kind = post["post_type"]
    bank = {"complaint": T.COMMENT_COMPLAINT, "official_followup": T.COMMENT_FOLLOWUP}.get(kind, T.COMMENT_OTHER)
    n_parent = int(min(post["comments"], 1 + rng.poisson(1.5), 5))
    budget = post["comments"] - n_parent

    def one(t0: int, text: str, handle: str, official: bool = False) -> dict[str, Any]:
        next_id[0] += int(rng.integers(1, 5000))
        return {"id": str(next_id[0]), "created_at": t0, "text": text,
                "owner": {"id": str(50_000_000_000 + (hash_handle(handle) % 9_000_000_000)),
                          "is_verified": False, "username": handle},
                "likes_count": int(rng.poisson(1.5 if not official else 8))}

    threads = []
    for _ in range(n_parent):
        t0 = post["t"] + 60 + int(rng.exponential(3 * 3600))
        if rng.random() < 0.04:
            text = _pick(rng, T.COMMENT_WITH_PHONE).format(phone=_phone(rng))
        else:
            text = _roughen(_pick(rng, bank).format(topic_word=T.ISSUE_WORDS[post["topics"][0]]), rng, 0.6)
            if rng.random() < 0.3:
                text += " " + _pick(rng, T.EMOJI_ANGRY if kind == "complaint" else T.EMOJI_GOOD)
        parent = one(t0, text, _pick(rng, citizens))
        answers = []
        n_ans = int(min(budget, rng.poisson(0.5)))
        agencies = [c for c in post["officials"] if c != "none" and T.OFFICIALS[c]["handle"]]
        for _a in range(n_ans):
            t1 = t0 + 30 + int(rng.exponential(3600))
            if kind == "complaint" and agencies and rng.random() < 0.3:
                answers.append(one(t1, _pick(rng, T.OFFICIAL_REPLIES), T.OFFICIALS[agencies[0]]["handle"], True))
            else:
                author = _pick(rng, citizens)
                while author == parent["owner"]["username"]:
                    author = _pick(rng, citizens)
                answers.append(one(t1, "@" + parent["owner"]["username"] + " " +
                                   _roughen(_pick(rng, T.COMMENT_OTHER), rng), author))
        budget -= n_ans
        parent["answers"] = sorted(answers, key=lambda a: int(a["id"]), reverse=True)
        threads.append(parent)
    # instaloader: sorted by id, then by created_at descending
    return sorted(sorted(threads, key=lambda c: int(c["id"])), key=lambda c: c["created_at"], reverse=True)


def hash_handle(handle: str) -> int:
    """A stable (not salted) integer for a handle, used for fictional user ids."""
    import hashlib
    return int.from_bytes(hashlib.sha256(handle.encode()).digest()[:8], "big")


# -- images ------------------------------------------------------------------------------------

TOPIC_COLOURS = {"roads": (110, 110, 110), "flooding_drainage": (40, 110, 190), "waste": (120, 90, 50),
                 "traffic_parking": (200, 120, 30), "street_lighting": (30, 30, 60), "utilities": (20, 150, 160),
                 "public_facilities": (90, 150, 70), "security": (150, 40, 40), "admin_services": (120, 80, 160),
                 "other": (170, 170, 150)}
TYPE_BORDER = {"complaint": (220, 30, 30), "official_followup": (30, 170, 60), "news": (30, 80, 200),
               "promotion": (240, 200, 0), "other": (200, 200, 200)}


def _glyph(draw: Any, topic: str, s: int, v: int) -> None:
    """A simple white pictogram per topic; ``v`` shifts it so variants differ."""
    o = 6 * v
    white = (250, 250, 250)
    if topic == "roads":
        draw.polygon([(30 + o, s - 14), (s - 30 + o, s - 14), (s // 2 + 6 + o, 18), (s // 2 - 6 + o, 18)], fill=white)
        draw.ellipse([s // 2 - 12 + o, s // 2, s // 2 + 8 + o, s // 2 + 12], fill=(40, 40, 40))
    elif topic == "flooding_drainage":
        for k in range(3):
            y = 30 + 18 * k + o // 2
            draw.arc([14, y, s // 2, y + 16], 0, 180, fill=white, width=4)
            draw.arc([s // 2, y, s - 14, y + 16], 0, 180, fill=white, width=4)
    elif topic == "waste":
        draw.rectangle([30 + o, 34, s - 30 + o, s - 16], fill=white)
        draw.rectangle([24 + o, 26, s - 24 + o, 34], fill=white)
    elif topic == "traffic_parking":
        for k in range(2):
            x = 16 + 36 * k + o // 2
            draw.rounded_rectangle([x, 40, x + 28, 62], radius=5, fill=white)
    elif topic == "street_lighting":
        draw.rectangle([s // 2 - 3 + o, 30, s // 2 + 3 + o, s - 12], fill=white)
        draw.ellipse([s // 2 - 14 + o, 14, s // 2 + 14 + o, 36], fill=(255, 230, 80))
    elif topic == "utilities":
        draw.polygon([(s // 2 + o, 14), (s // 2 - 18 + o, 56), (s // 2 + 18 + o, 56)], fill=white)
        draw.ellipse([s // 2 - 18 + o, 40, s // 2 + 18 + o, 76], fill=white)
    elif topic == "public_facilities":
        draw.polygon([(18, 40), (s // 2, 16 + o // 2), (s - 18, 40)], fill=white)
        draw.rectangle([26, 44, s - 26, s - 16], fill=white)
    elif topic == "security":
        draw.polygon([(s // 2, 14), (s - 22, 26), (s - 28, 60), (s // 2, s - 12), (28, 60), (22, 26)], fill=white)
    elif topic == "admin_services":
        draw.rectangle([28 + o, 16, s - 28 + o, s - 14], fill=white)
        for k in range(4):
            draw.line([36 + o, 28 + 12 * k, s - 36 + o, 28 + 12 * k], fill=(90, 90, 90), width=3)
    else:
        draw.ellipse([24 + o, 24, s - 24 + o, s - 24], fill=white)


def _image(topic: str, post_type: str, variant: int) -> bytes:
    from PIL import Image, ImageDraw
    s = IMAGE_SIZE
    im = Image.new("RGB", (s, s), TOPIC_COLOURS.get(topic, TOPIC_COLOURS["other"]))
    draw = ImageDraw.Draw(im)
    _glyph(draw, topic, s, variant)
    draw.rectangle([0, 0, s - 1, s - 1], outline=TYPE_BORDER[post_type], width=5)
    if post_type == "official_followup":
        draw.line([(s - 30, s - 18), (s - 22, s - 10), (s - 8, s - 28)], fill=(30, 200, 60), width=5)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=IMAGE_QUALITY, optimize=True)
    return buf.getvalue()


# -- writing -----------------------------------------------------------------------------------

def _answer_key(posts: list[dict[str, Any]]) -> pd.DataFrame:
    rows = [{"post_id": p["post_id"], "post_type": p["post_type"], "topics": "|".join(p["topics"]),
             "district": p.get("district", ""), "gov_response": p["gov_response"],
             "officials": "|".join(p["officials"]), "follows_up": p.get("follows_up", ""),
             "repost_of": p.get("repost_of", ""), "is_promo": p["post_type"] == "promotion"}
            for p in posts]
    return pd.DataFrame(rows, columns=ANSWER_KEY_COLUMNS)


def _profile_structure(n_posts: int) -> dict[str, Any]:
    node = {"biography": T.ACCOUNT_BIOGRAPHY, "business_category_name": None, "edge_follow": {"count": T.ACCOUNT_FOLLOWING},
            "edge_followed_by": {"count": T.ACCOUNT_FOLLOWERS}, "external_url": None,
            "full_name": T.ACCOUNT_FULL_NAME, "id": T.ACCOUNT_ID, "is_business_account": False,
            "is_private": False, "is_verified": False, "media_count": n_posts, "username": T.ACCOUNT}
    return {"node": node, "instaloader": {"version": INSTALOADER_VERSION, "node_type": "Profile"}}


def _replace_folder(folder: Path, files: dict[str, bytes]) -> None:
    """Make ``folder`` hold exactly ``files``: written into a staging folder beside it, then swapped in.

    Thousands of small files are written without a per-file fsync (one ``os.sync`` at the end); a
    crash leaves either the old folder or the new one in place, never a mix.
    """
    import os
    import shutil
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.parent / f".{folder.name}.staging"
    old = folder.parent / f".{folder.name}.old"
    for d in (staging, old):
        if d.exists():
            shutil.rmtree(d)
    staging.mkdir()
    for name in sorted(files):
        with open(staging / name, "wb") as fh:
            fh.write(files[name])
        os.chmod(staging / name, 0o644)

    if folder.exists():
        folder.rename(old)
    staging.rename(folder)
    if old.exists():
        shutil.rmtree(old)


def _pictured(posts: list[dict[str, Any]], image_ids: set[str]) -> set[str]:
    """Posts that get pictures: follow-ups (and their reposts), the complaints they answer, and ``image_ids``."""
    ids = set(image_ids)
    for p in posts:
        if p["post_type"] == "official_followup":
            ids.update((p["post_id"], p["follows_up"]))
    return ids


def _corpus_files(posts: list[dict[str, Any]], citizens: list[str], seed: int,
                  image_ids: set[str]) -> dict[str, bytes]:
    """File name -> bytes of the instaloader folder."""
    rng = np.random.default_rng([seed, 3])
    next_id = [17_850_000_000_000_000]
    image_cache: dict[tuple[str, str, int], bytes] = {}
    pictured = _pictured(posts, image_ids)
    files: dict[str, bytes] = {}
    for post in posts:
        stem = _stem(post["t"])
        node = normalize_post_data(_raw_media(post))
        structure = {"node": node, "instaloader": {"version": INSTALOADER_VERSION, "node_type": "Post"}}
        files[f"{stem}.json.xz"] = xz_json(structure)
        save_comments = post["comments"] > 0 and rng.random() < (
            0.25 if post["post_type"] in ("complaint", "official_followup") else 0.06)
        if save_comments:
            threads = _comments(post, rng, citizens, next_id)
            files[f"{stem}_comments.json"] = json.dumps(threads, indent=4).encode("utf-8")
        if post["post_id"] in pictured:
            names = [f"{stem}_1.jpg", f"{stem}_2.jpg"] if post["media_type"] == "carousel" else [f"{stem}.jpg"]
            for k, name in enumerate(names):
                ck = (post["topics"][0], post["post_type"], (post["pk"] + k) % 3)
                if ck not in image_cache:
                    image_cache[ck] = _image(*ck)
                files[name] = image_cache[ck]
    files[f"{T.ACCOUNT}_{T.ACCOUNT_ID}.json.xz"] = xz_json(_profile_structure(len(posts)))
    return files


def _write(out: Path, posts: list[dict[str, Any]], citizens: list[str], seed: int,
           image_ids: set[str]) -> pd.DataFrame:
    folder = out / "instaloader" / T.ACCOUNT
    _replace_folder(folder, _corpus_files(posts, citizens, seed, image_ids))
    key = _answer_key(posts)
    write_csv(out / ANSWER_KEY_NAME, key)
    log.info("demo corpus: %d posts written to %s", len(posts), folder)
    return key


def generate(out_dir: str | Path, *, n_posts: int = 5000, seed: int = DEFAULT_SEED, start: str = "2020-01-01",
             end: str = "2021-02-28", image_ids: set[str] | None = None) -> pd.DataFrame:
    """Write the FICTIONAL instaloader 4.16 download of demo.kota.update and its answer key under
    ``out_dir`` (``instaloader/demo.kota.update/…``, replaced as a whole, and
    ``answer_key_FICTIONAL.csv``); return the answer key.

    Pictures (tiny JPEGs, ``<stem>.jpg``; ``<stem>_1.jpg``/``<stem>_2.jpg`` for carousels) are written
    for every follow-up, the complaint it answers, and the posts in ``image_ids``.
    """
    if n_posts < 50:
        raise ValueError(f"n_posts={n_posts}: the demo needs at least 50 posts")
    posts, citizens = _plan(n_posts, seed, start, end)
    return _write(Path(out_dir), posts, citizens, seed, image_ids or set())


def _plan_table(posts: list[dict[str, Any]]) -> pd.DataFrame:
    key = _answer_key(posts)
    key.insert(1, "posted_at", pd.to_datetime([p["t"] for p in posts], unit="s", utc=True))
    return key


def plan_posts(n_posts: int = 5000, seed: int = DEFAULT_SEED, start: str = "2020-01-01",
               end: str = "2021-02-28") -> pd.DataFrame:
    """The latent posts as a table (post_id, posted_at UTC, answer-key labels) without writing files."""
    posts, _ = _plan(n_posts, seed, start, end)
    return _plan_table(posts)



# -- sampling and simulated coders -------------------------------------------------------------

def draw_overlap_sample(answer_key: pd.DataFrame, posted_at: pd.Series, *, n: int = 200,
                        seed: int = SIM_SEED) -> pd.DataFrame:
    """The double-coding sample: ``n`` posts drawn by :func:`civicposts.sampling.draw_sample` from the
    answer key, stratified by local month (Asia/Jakarta) and true post type (proportional
    largest-remainder allocation, seeded), all of them in the overlap.

    Returns post_id, month, post_type, stratum and order (the seeded coding order), sorted by order.
    """
    from civicposts.sampling import draw_sample
    if len(answer_key) != len(posted_at):
        raise ValueError(f"answer_key has {len(answer_key)} rows but posted_at {len(posted_at)}")
    units = pd.DataFrame({
        "unit_id": answer_key["post_id"].astype(str).to_numpy(),
        "month": pd.DatetimeIndex(posted_at).tz_convert("Asia/Jakarta").strftime("%Y-%m"),
        "post_type": answer_key["post_type"].astype(str).to_numpy(),
    })
    sample = draw_sample(units, n, overlap_n=n, seed=seed, strata=("month", "post_type"))
    return sample.rename(columns={"unit_id": "post_id"})[["post_id", "month", "post_type", "stratum", "order"]]


def _true_codes(row: dict[str, Any]) -> dict[str, list[str]]:
    return {"post_type": [row["post_type"]], "topic": str(row["topics"]).split("|"),
            "gov_response": [row["gov_response"]], "official_mentioned": str(row["officials"]).split("|")}


def _perturb(variable: str, codes: list[str], rng: np.random.Generator) -> list[str]:
    """A plausible wrong coding: a confusable code instead of one code, or one code added/dropped."""
    conf = CONFUSIONS[variable]
    if variable not in MULTI:
        return [_pick(rng, conf[codes[0]])]
    codes = list(codes)
    move = int(rng.integers(0, 3))
    if move == 1 and len(codes) > 1:
        codes.pop(int(rng.integers(0, len(codes))))
        return codes
    i = int(rng.integers(0, len(codes)))
    alt = _pick(rng, conf[codes[i]])
    if move == 2 and EXCLUSIVE[variable] not in codes and alt != EXCLUSIVE[variable] and alt not in codes:
        return codes + [alt]
    codes[i] = alt
    codes = list(dict.fromkeys(codes))
    if len(codes) > 1 and EXCLUSIVE[variable] in codes:
        codes = [c for c in codes if c != EXCLUSIVE[variable]]
    return codes


def simulate_coders(answer_key: pd.DataFrame, units: list[str] | pd.Series, *,
                    coders: tuple[str, ...] = ("sim_a", "sim_b", "sim_c"),
                    error_rates: dict[str, float] | None = None, seed: int = SIM_SEED,
                    codebook: Any = None, out_dir: str | Path | None = None) -> dict[str, list[dict[str, Any]]]:
    """SIMULATED coders' records (coder-file contract) for ``units`` (post ids in ``answer_key``).

    Each decision (unit × variable) is the answer key's codes, replaced with probability
    ``error_rates[coder]`` (default :data:`DEFAULT_ERROR_RATES`) by a plausible confusion
    (:data:`CONFUSIONS`). Official follow-ups carry a ``follows_up`` relation on their post_type
    record (with the same error rate, pointing to a wrong complaint). About :data:`REVISION_RATE`
    of decisions are first coded differently and corrected at the end of the session, exercising
    "latest line wins". Timestamps are derived from ``seed`` (no wall clock). Records are built and
    validated by :func:`civicposts.coding.make_record` against ``codebook`` (default: the shared
    codebook file). With ``out_dir``, writes ``simulated_<coder>.jsonl`` there (replacing it).
    Returns ``{coder: [record, ...]}`` in file order.
    """
    from civicposts.codebook import load_codebook
    from civicposts.coding import make_record
    book = codebook if codebook is not None else load_codebook()
    rates = {**DEFAULT_ERROR_RATES, **(error_rates or {})}
    missing = [c for c in coders if c not in rates]
    if missing:
        raise ValueError(f"no error rate for coder(s) {missing}")
    key = answer_key.set_index("post_id", drop=False)
    units = list(units)
    absent = [u for u in units if u not in key.index]
    if absent:
        raise InputError(ANSWER_KEY_NAME, f"unit {absent[0]!r} is not in the answer key", record=absent[0])
    complaints = key.index[key["post_type"] == "complaint"].tolist()
    result: dict[str, list[dict[str, Any]]] = {}
    for ci, coder in enumerate(coders):
        rng = np.random.default_rng([seed, ci])
        rate = rates[coder]
        t = datetime(2021, 3, 1, 1, 0, tzinfo=timezone.utc) + timedelta(days=ci, seconds=int(rng.integers(0, 3600)))
        records: list[dict[str, Any]] = []
        corrections: list[tuple[str, str, list[str], dict[str, str] | None]] = []

        def record(unit: str, var: str, codes: list[str], relation: dict[str, str] | None, memo: str,
                   when: datetime) -> dict[str, Any]:
            return make_record(book, coder, unit, "post", var, codes, memo=memo, relation=relation,
                               timestamp=when, where=f"simulated_{coder}.jsonl", record=len(records) + 1)

        def wrong_complaint(unit: str, avoid: str | None = None) -> str:
            target = _pick(rng, complaints)
            while target in (unit, avoid):
                target = _pick(rng, complaints)
            return target

        for unit in [units[i] for i in rng.permutation(len(units))]:
            row = key.loc[unit].to_dict()
            truth = _true_codes(row)
            t += timedelta(seconds=int(rng.integers(20, 240)))
            for vi, var in enumerate(POST_VARIABLES):
                codes = truth[var]
                if rng.random() < rate:
                    codes = _perturb(var, codes, rng)
                relation = None
                if var == "post_type" and codes == ["official_followup"]:
                    target = row["follows_up"] or wrong_complaint(unit)
                    if rng.random() < rate:
                        target = wrong_complaint(unit, target)
                    relation = {"type": "follows_up", "target": target}
                when = t + timedelta(seconds=vi)
                if rng.random() < REVISION_RATE:
                    first = _perturb(var, truth[var], rng)
                    first_rel = None
                    if var == "post_type" and first == ["official_followup"]:
                        first_rel = relation or {"type": "follows_up", "target": wrong_complaint(unit)}
                    records.append(record(unit, var, first, first_rel,
                                          "SIMULATED coder (first attempt, revised later)", when))
                    corrections.append((unit, var, codes, relation))
                else:
                    records.append(record(unit, var, codes, relation, "SIMULATED coder", when))
        for unit, var, codes, relation in corrections:
            t += timedelta(seconds=int(rng.integers(20, 120)))
            records.append(record(unit, var, codes, relation, "SIMULATED coder (revision)", t))
        result[coder] = records
        if out_dir is not None:
            write_bytes(Path(out_dir) / f"simulated_{coder}.jsonl", coder_file_bytes(records))
    return result


def coder_file_bytes(records: list[dict[str, Any]]) -> bytes:
    """A coder file's bytes, encoded line by line as the coding store does (:func:`civicposts.coding.encode_record`)."""
    from civicposts.coding import encode_record
    return b"".join(encode_record(r) for r in records)


def _csv_bytes(df: pd.DataFrame) -> bytes:
    # the same fixed format as civicposts.iorw.write_csv
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n", float_format="%.10g")
    return buf.getvalue().encode("utf-8")


# -- everything --------------------------------------------------------------------------------

README = """# FICTIONAL demo corpus — nothing here is real

Everything in this folder was **made up by a program**. The Instagram account `demo.kota.update`
("Demo Kota Update — akun fiktif") does not exist; every post, caption, comment, person, handle,
user id, phone number (all of the form `08xx-0000-xxxx`), like count and picture is fictional.
Only the names of Palembang's districts (kecamatan) and streets are real places. The public
accounts `demo.sekda.kota` (a fictional Regional Secretary), `demo.pemkot`, `demo.dinas.pupr`,
`demo.dinas.lh`, `demo.dishub`, `demo.pln.wilayah` and `demo.pdam.kota` are fictional too.
Citizens have fictional handles that all contain `warga`.

It exists because no real post corpus of @palembang.update can be shipped: it lets the whole
pipeline (ingest, cleaning, coding, reliability, reports) run end to end, and lets tests check the
analysis against known answers.

## How it was generated

    python -m civicposts_demo --out data/raw/demo --n-posts {n_posts} --seed {seed} \\
        --start {start} --end {end} --sample-size {sample_size} --sim-seed {sim_seed}

(`civicposts_demo.build`). Same arguments give byte-identical files; `tests/test_demo.py`
regenerates everything and compares it byte for byte. The pipeline never runs the generator.

## Contents

- `instaloader/demo.kota.update/`: {n_files} files in instaloader 4.16's on-disk layout —
  `<YYYY-MM-DD_HH-MM-SS>_UTC.json.xz` per post (the `{{"node": …, "instaloader": {{"version": "4.16",
  "node_type": "Post"}}}}` envelope; the node is Instagram's web media item plus the legacy aliases
  instaloader 4.16's `_normalize_post_data` adds), `<stem>_comments.json` for some posts (a capped
  sample of each post's comments, so `comment_count` is usually larger than the saved comments),
  tiny JPEG pictures (`<stem>.jpg`; `<stem>_1.jpg`, `<stem>_2.jpg` for carousels, only the first two
  pictures; a thumbnail for videos) for every follow-up post, the complaint it answers and every post
  in the coding sample, and the
  profile `demo.kota.update_31415926535.json.xz`. {n_posts} posts, {start} to {end} (WIB), so the
  first file names may carry the previous UTC date.
- `answer_key_FICTIONAL.csv`: the latent labels the generator used, with the codebook's code ids:
  post_id, post_type, topics (`|`-joined), district, gov_response, officials (`|`-joined
  official_mentioned codes), follows_up (the complaint a follow-up answers), repost_of (the post a
  repost copies; a repost carries its original's labels), is_promo.
  Counts by post type: {type_counts}.
- `coding/overlap_sample_FICTIONAL.csv`: the double-coding sample ({sample_size} posts, seed
  {sim_seed}, drawn by `civicposts.sampling.draw_sample` from the answer key, stratified by local
  month and true post type with proportional largest-remainder allocation; `draw_overlap_sample`).
- `coding/simulated_<coder>.jsonl`: SIMULATED coders (not people) coding that sample in the coder-file
  format; per-decision error rates {error_rates}, errors drawn from plausible confusions
  (news↔other, roads↔traffic_parking, action_reported↔resolved, …); about 3% of decisions are
  first coded differently and revised later. Every record's memo says "SIMULATED coder".

## The generative model

Post-type shares, seasonality (more posts and more flood complaints in the Nov–Mar rainy season),
topic weights, the follow-up lag (lognormal, median {lag_median} days, sigma {lag_sigma}, clipped
to 1–60 days) and engagement are documented in `tools/civicposts_demo/__init__.py`'s module docstring and
constants.
"""


PROVENANCE_FICTIONAL = """\
# Read by civicposts.provenance: every table and figure made from files below this folder is
# labelled fictional. Written by the generator (python -m civicposts_demo); do not edit.
kind: fictional
note: the kit's FICTIONAL demo corpus (account demo.kota.update), generated by tools/civicposts_demo
"""
PROVENANCE_SIMULATED = """\
# Read by civicposts.provenance: codings in this folder were made by simulated coders, not people.
# Written by the generator (python -m civicposts_demo); do not edit.
kind: simulated
note: SIMULATED coders with known error rates on the fictional demo corpus, generated by tools/civicposts_demo
"""


def render(*, n_posts: int = 5000, seed: int = DEFAULT_SEED, start: str = "2020-01-01",
           end: str = "2021-02-28", sample_size: int = 200, sim_seed: int = SIM_SEED,
           codebook: Any = None) -> dict[str, bytes]:
    """Every file of the FICTIONAL demo folder, as ``{relative path: bytes}``, without writing.

    Paths: ``instaloader/demo.kota.update/…``, ``answer_key_FICTIONAL.csv``,
    ``coding/overlap_sample_FICTIONAL.csv``, ``coding/simulated_<coder>.jsonl``, ``README.md``.
    ``codebook`` (a :class:`civicposts.codebook.Codebook`) validates the simulated codings and gives
    their codebook_version; default: ``data/raw/coding/codebook.yaml``.
    """
    if n_posts < 50:
        raise ValueError(f"n_posts={n_posts}: the demo needs at least 50 posts")
    posts, citizens = _plan(n_posts, seed, start, end)
    plan = _plan_table(posts)
    key = plan.drop(columns="posted_at")
    sample = draw_overlap_sample(key, plan["posted_at"], n=sample_size, seed=sim_seed)
    prefix = f"instaloader/{T.ACCOUNT}/"
    files = {prefix + name: data
             for name, data in _corpus_files(posts, citizens, seed, set(sample["post_id"])).items()}
    files[ANSWER_KEY_NAME] = _csv_bytes(key)
    files[f"coding/{SAMPLE_NAME}"] = _csv_bytes(sample)
    coders = simulate_coders(key, sample["post_id"], seed=sim_seed, codebook=codebook)
    for coder, records in coders.items():
        files[f"coding/simulated_{coder}.jsonl"] = coder_file_bytes(records)
    counts = key["post_type"].value_counts().sort_index()
    n_reposts = int((key["repost_of"] != "").sum())
    files["README.md"] = README.format(
        n_posts=n_posts, seed=seed, start=start, end=end, sample_size=sample_size, sim_seed=sim_seed,
        n_files=sum(1 for f in files if f.startswith(prefix)),
        type_counts=", ".join(f"{k} {v}" for k, v in counts.items()) + f" (of which {n_reposts} reposts)",
        error_rates=", ".join(f"{k} {v:.0%}" for k, v in DEFAULT_ERROR_RATES.items()),
        lag_median=FOLLOWUP_LAG_MEDIAN_DAYS, lag_sigma=FOLLOWUP_LAG_SIGMA).encode("utf-8")
    # The markers civicposts.provenance reads: every artefact made from these files is labelled.
    files["PROVENANCE.yaml"] = PROVENANCE_FICTIONAL.encode("utf-8")
    files["coding/PROVENANCE.yaml"] = PROVENANCE_SIMULATED.encode("utf-8")
    return files


def build(out_dir: str | Path = "data/raw/demo", **kwargs: Any) -> dict[str, bytes]:
    """Write the whole FICTIONAL demo (:func:`render`'s files) under ``out_dir``; return the files.

    The instaloader folder is replaced as a whole (no stale posts survive); the other files are
    written atomically one by one.
    """
    out = Path(out_dir)
    files = render(**kwargs)
    prefix = f"instaloader/{T.ACCOUNT}/"
    _replace_folder(out / prefix, {k[len(prefix):]: v for k, v in files.items() if k.startswith(prefix)})
    for rel, data in sorted(files.items()):
        if not rel.startswith(prefix):
            write_bytes(out / rel, data)
    log.info("FICTIONAL demo: %d files written under %s", len(files), out)
    return files
