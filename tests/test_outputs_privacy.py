"""No private handle, phone number, e-mail or NIK reaches reports/ or data/processed/ of a full build."""

import json

from civicposts import privacy


def test_full_build_leaks_nothing(built_tree):
    params = json.loads((built_tree / "build/study.json").read_text())
    leaks = privacy.scan_for_leaks([built_tree / "reports", built_tree / "data/processed"], params["allowlist"])
    assert leaks.empty, "private data in the outputs:\n" + leaks.head(20).to_string()


def test_the_scan_would_see_a_leak(mutable_tree):
    """The scan above can fail: a planted handle and phone number in a report table are found."""
    params = json.loads((mutable_tree / "build/study.json").read_text())
    table = next((mutable_tree / "reports/tables").glob("*.csv"))
    table.write_text(table.read_text() + "\nleak,@warga_rahasia hubungi 0812-3456-7890\n")
    leaks = privacy.scan_for_leaks([mutable_tree / "reports"], params["allowlist"])
    assert set(leaks["kind"]) >= {"handle", "phone"}
    assert (leaks["file"] == str(table)).all()


def test_allowlisted_accounts_stay_readable(built_tree):
    posts_csv = (built_tree / "data/processed/posts.csv").read_text(encoding="utf-8-sig")
    assert "demo.kota.update" in posts_csv
    assert "@demo.sekda.kota" in posts_csv or "@demo.pemkot" in posts_csv
    assert "user_" in posts_csv  # private citizens appear only as pseudonyms
