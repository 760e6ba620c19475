"""Collections shaped like real tools' output, made by the tests themselves (all text invented here).

Used by ``test_studies.py`` to build whole studies that are not the demo: an instaloader 4.13
``--no-compress-json`` folder, a Zeeschuimer NDJSON export, and a folder saved without metadata
(caption ``.txt`` files with ``_comments.json``). No file carries a PROVENANCE.yaml: to the kit they
are a researcher's own collections, so their reports must say nothing fictional.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

CAPTIONS = [
    "Jalan berlubang di depan pasar {n}, mohon diperbaiki pak. Sudah dua minggu begini #keluhan",
    "Banjir lagi di lorong {n} setelah hujan semalam, warga minta saluran dibersihkan",
    "Sampah menumpuk di TPS {n}, bau sekali. Tolong diangkut dinas terkait",
    "Lampu jalan mati di simpang {n} sejak minggu lalu, rawan kecelakaan malam hari",
    "Info: pasar murah di kelurahan {n} hari Sabtu pukul 08.00 WIB",
    "Petugas sudah memperbaiki jalan di depan pasar {n}, terima kasih atas tindak lanjutnya",
    "Macet parah di jembatan {n} pagi ini, ada perbaikan pipa air",
    "Kegiatan gotong royong warga RT {n} membersihkan saluran air",
]
# Personal data in every family and spelling the kit must mask (all invented): study (b) carries them in
# its captions, and its build must leave none in reports/ or data/processed/.
PII_CAPTIONS = [
    "Lapor min, hubungi Line@warga_sejati88 atau @@bu.rt05_kita, bisa juga instagram.com/pak.lurah.x99/",
    "Kata warga_sejati88 jalan ini sudah 3 bulan rusak. WA (+62) 812-4455-6677 atau +62 (813) 5566 7788",
    "Info lengkap 08 19 44 55 66 77, 0821/4455/6677, 0822\u20134455\u20136677, wa081344556677 #keluhan",
    "Promo 𝟎𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗𝟎 / ０８１３９８７６５４３２ / 0️⃣8️⃣1️⃣5️⃣4️⃣4️⃣5️⃣5️⃣6️⃣6️⃣7️⃣7️⃣ hubungi segera",
    "KTP hilang a.n. warga, NIK 1671 0141 0590 0001 atau 1671.0241.0590.0002, telp (0711) 354321",
    "Kirim ke sitirahma.warga @ gmail.com, sitirahma(at)yahoo.co.id, budi[at]gmail[dot]com",
    "Donasi ke BCA 1234567890 a/n Budi, ID Line: budi_88ku, Telegram: @budi_tele88",
]
START = datetime(2021, 3, 1, 1, 0, tzinfo=timezone.utc)


def _when(i: int) -> datetime:
    return START + timedelta(hours=37 * i)


def _caption(i: int) -> str:
    return CAPTIONS[i % len(CAPTIONS)].format(n=i + 1)


def instaloader_413(folder: Path, account: str, n: int, *, pii: bool = False) -> Path:
    """instaloader 4.13 with ``--no-compress-json``: ``<date>_UTC.json`` in the iPhone-era shape
    (with ``pii``, the first posts carry :data:`PII_CAPTIONS`)."""
    out = folder / account
    out.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        when = _when(i)
        node = {"id": str(3000 + i), "shortcode": f"CIL{i:04d}x", "date": int(when.timestamp()),
                "caption": PII_CAPTIONS[i] if pii and i < len(PII_CAPTIONS) else _caption(i),
                "comments": i % 4, "likes": 10 + i, "is_video": False,
                "__typename": "GraphImage",
                "iphone_struct": {"user": {"username": account, "pk": "4242"}, "location": None}}
        doc = {"node": node, "instaloader": {"version": "4.13.2", "node_type": "Post"}}
        name = when.strftime("%Y-%m-%d_%H-%M-%S_UTC.json")
        (out / name).write_text(json.dumps(doc, indent=4, sort_keys=True), encoding="utf-8")
    return out


def zeeschuimer(path: Path, account: str, n: int) -> Path:
    """A Zeeschuimer NDJSON export (item-list shape inside the envelope)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for i in range(n):
        when = _when(i)
        data = {"code": f"CZS{i:04d}y", "pk": str(5000 + i), "taken_at": int(when.timestamp()),
                "caption": {"text": _caption(i)}, "like_count": 5 + i, "comment_count": i % 3,
                "media_type": 1, "user": {"username": account, "pk": "777"}, "location": None}
        lines.append(json.dumps({"nav_index": str(i), "item_id": data["pk"], "timestamp_collected": 1617000000000,
                                 "source_platform": "instagram.com", "source_platform_url":
                                 f"https://www.instagram.com/{account}/", "data": data}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def captions_and_comments(folder: Path, account: str, n: int) -> Path:
    """A folder saved without metadata: ``<date>_UTC.txt`` captions and ``<date>_UTC_comments.json``."""
    out = folder / account
    out.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        when = _when(i)
        stem = when.strftime("%Y-%m-%d_%H-%M-%S_UTC")
        (out / f"{stem}.txt").write_text(_caption(i) + "\n", encoding="utf-8")
        comments = [{"id": 90000 + 10 * i + j, "created_at": int((when + timedelta(hours=j + 1)).timestamp()),
                     "text": f"Betul, di sini juga sama ({j + 1})", "likes_count": j,
                     "owner": {"id": str(600 + j), "username": f"warga.{j}"}, "answers": []}
                    for j in range(i % 3)]
        (out / f"{stem}_comments.json").write_text(json.dumps(comments, indent=4), encoding="utf-8")
    return out


def code_sample(store_dir: Path, codebook_path: Path, coder: str, unit_ids: list[str], *, flip: int = 0,
                unit_type: str = "post") -> None:
    """A human coder's file for ``unit_ids``: every variable of ``unit_type`` coded with its first code
    (its second code on the first ``flip`` units, so two coders disagree there). Any codebook will do."""
    from civicposts.codebook import load_codebook
    from civicposts.coding import CodingStore

    book = load_codebook(codebook_path)
    store = CodingStore(store_dir, book)
    for k, uid in enumerate(unit_ids):
        for vid in book.variables_for(unit_type):
            codes = book.variables[vid].code_ids()
            store.append(coder, uid, unit_type, vid, [codes[1] if k < flip else codes[0]])


def _code(cid: str, en: str) -> dict:
    return {"id": cid, "label_id": cid.replace("_", " "), "label_en": en, "definition": f"The unit is {en.lower()}.",
            "use_when": f"It reads as {en.lower()}.", "not_when": "Another code fits better.",
            "example": "FICTIONAL: invented for the test."}


def own_codebook(path: Path) -> Path:
    """A researcher's own codebook in Indonesian ids, with a comment variable: nothing of the kit's names."""
    import yaml

    def var(vid: str, unit_type: str, kind: str, en: str, codes: list[dict]) -> dict:
        return {"id": vid, "unit_type": unit_type, "kind": kind, "label_id": vid, "label_en": en,
                "description": f"{en} of the unit.", "codes": codes}

    data = {
        "version": "0.3", "title": "Kode warga kota",
        "roles": {"post_kind": "jenis", "complaint": "aduan", "theme": "tema"},
        "variables": [
            var("jenis", "post", "single", "Kind of post",
                [_code("aduan", "Complaint"), _code("kabar", "News"),
                 {**_code("tindak_lanjut", "Follow-up"), "relation": "follows_up"}]),
            var("tema", "post", "multi", "Theme", [_code("jalan", "Roads"), _code("banjir", "Floods"),
                                                   _code("sampah", "Waste")]),
            var("reaksi", "comment", "single", "Reaction in the comment",
                [_code("dukung", "Supports the complaint"), _code("keluh", "Adds a complaint"),
                 _code("jawab", "Official answer")]),
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
