"""The package's shape: small modules, no maintainer-only code, one schema for the kit's tables."""

from __future__ import annotations

from pathlib import Path

import civicposts
from civicposts import schema

PKG = Path(civicposts.__file__).resolve().parent
MAX_LINES = 600


def test_no_module_is_over_the_size_limit():
    big = {str(p.relative_to(PKG)): n for p in PKG.rglob("*.py")
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert big == {}, f"split these modules (over {MAX_LINES} lines): {big}"


def test_the_runtime_package_holds_no_demo_generator():
    import re

    for p in PKG.rglob("*.py"):
        text = p.read_text(encoding="utf-8")
        # the fictional-corpus generator lives in tools/ and is never imported at run time
        assert not re.search(r"^\s*(from|import) civicposts_demo", text, re.M), p


def test_ingest_frames_follow_the_schema():
    from civicposts.ingest import ingest

    result = ingest(Path(__file__).parent / "fixtures" / "ingest" / "instaloader_416")
    for table, df in ((schema.POSTS, result.posts), (schema.COMMENTS, result.comments),
                      (schema.PROFILES, result.profiles), (schema.INGEST_REPORT, result.report)):
        assert list(df.columns) == table.columns, table.name
        empty = schema.empty(table)
        assert [str(t) for t in df.dtypes] == [str(t) for t in empty.dtypes], table.name


def test_one_record_validator_names_each_problem():
    good = {"unit_id": "P1", "unit_type": "post", "variable": "topic", "codes": ["roads"], "coder": "ana",
            "timestamp": "2021-03-01T02:03:04.000005Z", "memo": "", "relation": None, "codebook_version": "1"}
    assert schema.coding_record_problem(good) is None
    for change, problem in (({"unit_type": "tweet"}, "unit_type must be"), ({"codes": "roads"}, "'codes' must be"),
                            ({"relation": {"type": "x"}}, "'relation' must be"), ({"coder": ""}, "'coder' must be")):
        assert problem in schema.coding_record_problem({**good, **change})
    assert "missing field(s) memo" in schema.coding_record_problem({k: v for k, v in good.items() if k != "memo"})
