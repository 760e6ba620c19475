"""Tests of civicposts.privacy: pseudonyms, masking, allowlist, keys, leak scanning."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from civicposts import privacy as P
from civicposts.errors import ConfigError, InputError

ALLOW = ["demo.kota.update", "Demo.Sekda.Kota", "@demo.pemkot"]
KEY = b"k" * 32
OTHER = b"o" * 32


def posts() -> pd.DataFrame:
    return pd.DataFrame({
        "post_id": ["A", "B", "C"],
        "account": ["demo.kota.update", "Warga.Satu", "warga.satu"],
        "owner_id": ["111", "222", "222"],
        "caption": ["lapor @Warga.Dua dan @DEMO.SEKDA.KOTA, hubungi 0812-3456-7890 atau +62 812 3456 7890",
                    "email saya warga@example.com NIK 1671012345678901 telp (0711) 123456",
                    None],
        "location_name": ["Palembang", None, "WA 081234567890"],
    })


def comments() -> pd.DataFrame:
    return pd.DataFrame({
        "comment_id": ["c1", "c2"], "post_id": ["A", "A"], "parent_id": [None, "c1"],
        "author": ["warga.tiga", "demo.dinas.pupr"],
        "text": ["@warga.dua setuju, wa 6281234567890", "@Warga.Tiga sudah kami tindaklanjuti"],
        "likes": pd.array([1, 2], dtype="Int64"),
    })


def test_pseudonym_format_stable_and_keyed():
    p = P.pseudonym("Warga.Satu", KEY)
    assert re.fullmatch(r"user_[0-9a-f]{10}", p)
    assert p == P.pseudonym("@warga.satu", KEY)  # case and @ do not matter
    assert p != P.pseudonym("warga.satu", OTHER)
    assert p != P.pseudonym("warga.dua", KEY)


def test_posts_owner_mentions_and_contacts():
    out = P.pseudonymize_posts(posts(), ALLOW, KEY)
    assert out.loc[0, "account"] == "demo.kota.update" and out.loc[0, "owner_id"] == "111"
    assert out.loc[1, "account"] == P.pseudonym("warga.satu", KEY) == out.loc[2, "account"]
    assert out.loc[1, "owner_id"].startswith("id_") and out.loc[1, "owner_id"] == out.loc[2, "owner_id"]
    cap = out.loc[0, "caption"]
    assert "@" + P.pseudonym("warga.dua", KEY) in cap
    assert "@demo.sekda.kota" in cap  # allowlisted, case-insensitively, stays readable
    assert "Warga.Dua" not in cap and "0812" not in cap and "812 3456" not in cap
    assert cap.count("[telepon]") == 2
    cap1 = out.loc[1, "caption"]
    assert "[email]" in cap1 and "[NIK]" in cap1 and "[telepon]" in cap1
    assert "example.com" not in cap1 and "1671012345678901" not in cap1 and "123456" not in cap1
    assert out.loc[2, "caption"] == ""
    assert out.loc[2, "location_name"] == "WA [telepon]"


def test_posts_idempotent_and_input_untouched():
    df = posts()
    before = df.copy()
    once = P.pseudonymize_posts(df, ALLOW, KEY)
    pd.testing.assert_frame_equal(df, before)
    pd.testing.assert_frame_equal(P.pseudonymize_posts(once, ALLOW, KEY), once)


def test_comments_authors_and_mentions():
    out = P.pseudonymize_comments(comments(), ALLOW + ["demo.dinas.pupr"], KEY)
    assert out.loc[0, "author"] == P.pseudonym("warga.tiga", KEY)
    assert out.loc[1, "author"] == "demo.dinas.pupr"
    assert out.loc[0, "text"].startswith("@" + P.pseudonym("warga.dua", KEY))
    assert "[telepon]" in out.loc[0, "text"] and "628" not in out.loc[0, "text"]
    assert out.loc[1, "text"].startswith("@" + P.pseudonym("warga.tiga", KEY))  # linked to the author


def test_stable_across_runs_and_different_with_other_key():
    a = P.pseudonymize_posts(posts(), ALLOW, KEY)
    b = P.pseudonymize_posts(posts(), ALLOW, KEY)
    c = P.pseudonymize_posts(posts(), ALLOW, OTHER)
    pd.testing.assert_frame_equal(a, b)
    assert a.loc[1, "account"] != c.loc[1, "account"]


def test_no_false_phone_masks():
    s = pd.Series(["tahun 2021, 16 ilir, rp 50.000, jam 08.30, 1.250 warga, id 1614384000"])
    assert P.mask_contacts(s).iloc[0] == s.iloc[0]


def test_load_or_create_key(tmp_path):
    path = tmp_path / "config" / "pseudonym.key"
    k1 = P.load_or_create_key(path)
    assert path.exists() and len(k1) >= 32
    assert (path.stat().st_mode & 0o777) == 0o600
    assert P.load_or_create_key(path) == k1
    assert P.load_or_create_key(tmp_path / "other.key") != k1
    short = tmp_path / "short.key"
    short.write_bytes(b"abc")
    with pytest.raises(ConfigError, match="short.key"):
        P.load_or_create_key(short)


def test_demo_key_is_documented_as_public():
    assert "PUBLIC" in P.DEMO_KEY.decode() and "public" in P.__doc__.lower()


def test_scan_for_leaks_finds_planted_handle_and_phone(tmp_path):
    (tmp_path / "sub").mkdir()
    clean = P.pseudonymize_posts(posts(), ALLOW, KEY)
    clean.to_csv(tmp_path / "clean.csv", index=False)
    (tmp_path / "report.md").write_text("Table 1\nPosts by @demo.kota.update and @user_0123456789\n"
                                        "@media print { }\n", encoding="utf-8")
    (tmp_path / "sub" / "leak.html").write_text("<p>ok</p>\n<p>thanks @Warga.Bocor, call 0813-9999-8888</p>\n",
                                                encoding="utf-8")
    pd.DataFrame({"text": ["fine", "mail me: bocor@example.org"]}).to_parquet(tmp_path / "sub" / "t.parquet")
    leaks = P.scan_for_leaks([tmp_path], ALLOW)
    got = set(zip(leaks["file"].map(lambda f: f.split("/")[-1]), leaks["line"], leaks["kind"], leaks["match"]))
    assert got == {("leak.html", 2, "handle", "@Warga.Bocor"), ("leak.html", 2, "phone", "0813-9999-8888"),
                   ("t.parquet", 2, "email", "bocor@example.org")}


def test_scan_for_leaks_clean_output_is_empty(tmp_path):
    P.pseudonymize_comments(comments(), ALLOW, KEY).to_json(tmp_path / "c.json", orient="records", force_ascii=False)
    assert P.scan_for_leaks(tmp_path / "c.json", ALLOW).empty


def test_scan_for_leaks_missing_path():
    with pytest.raises(InputError, match="no such file"):
        P.scan_for_leaks(["/nonexistent/x.csv"], ALLOW)


def test_digit_only_pseudonym_is_not_a_phone_number(tmp_path):
    s = pd.Series(["IG @user_0833664762 dan NIK-like user_1671012345678901x"])
    assert P.mask_contacts(s).iloc[0] == s.iloc[0]
    (tmp_path / "a.csv").write_text("caption\nIG @user_0833664762\n", encoding="utf-8")
    assert P.scan_for_leaks(tmp_path, ALLOW).empty


def test_key_for_study(tmp_path):
    made_up, real = tmp_path / "demo" / "posts", tmp_path / "mine"
    made_up.mkdir(parents=True)
    real.mkdir()
    (tmp_path / "demo" / "PROVENANCE.yaml").write_text("kind: fictional\nnote: test corpus\n")
    assert P.key_for_study({"pseudonym_demo_key": True, "corpus_inputs": [str(made_up)]}) == P.DEMO_KEY
    for inputs in ([str(real)], [str(made_up), str(real)], []):
        with pytest.raises(ConfigError, match="real data"):
            P.key_for_study({"pseudonym_demo_key": True, "corpus_inputs": inputs})
    k = P.key_for_study({"pseudonym_demo_key": False, "pseudonym_key_file": str(tmp_path / "s.key")})
    assert k != P.DEMO_KEY and (tmp_path / "s.key").exists()


def test_profiles():
    prof = pd.DataFrame({"account": ["demo.kota.update", "warga.satu"], "owner_id": ["1", "2"],
                         "full_name": ["Kota Demo", "Budi Warga"],
                         "biography": ["Info kota. WA 0812-3456-7890", "teman @warga.dua"]})
    out = P.pseudonymize_profiles(prof, ALLOW, KEY)
    assert out["account"].tolist() == ["demo.kota.update", P.pseudonym("warga.satu", KEY)]
    assert out.loc[0, "full_name"] == "Kota Demo" and pd.isna(out.loc[1, "full_name"])
    assert out.loc[1, "owner_id"].startswith("id_") and out.loc[0, "owner_id"] == "1"
    assert "[telepon]" in out.loc[0, "biography"] and "warga.dua" not in out.loc[1, "biography"]


def test_scan_ignores_statistics_and_toolchain_comments_but_not_data(tmp_path):
    (tmp_path / "fig.csv").write_text("estimate,low\n0.8871833506,0.08172917715\n", encoding="utf-8")
    (tmp_path / "nb.html").write_text(
        "/* This file was auto-generated by ensureUiComponents() in @jupyterlab/buildutils */\n"
        "   * @see https://developer.mozilla.org/\n"
        '<td>keluhan @warga_rahasia</td><script>const d = [["0812.3456.7890"]];</script>\n',
        encoding="utf-8")
    leaks = P.scan_for_leaks(tmp_path, ALLOW)
    got = set(zip(leaks["file"].map(lambda f: f.split("/")[-1]), leaks["line"], leaks["kind"], leaks["match"]))
    assert got == {("nb.html", 3, "handle", "@warga_rahasia"), ("nb.html", 3, "phone", "0812.3456.7890")}
