"""Property tests: per-source counts always reconcile, whatever mix of good, bad and duplicate records."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from civicposts import ingest as ig

CODES = [f"CProp{i:06d}" for i in range(6)]

good = st.builds(lambda code, likes, loc: {"kind": "good", "code": code, "likes": likes, "loc": loc},
                 st.sampled_from(CODES), st.integers(0, 3), st.booleans())
bad = st.sampled_from([{"kind": "malformed"}, {"kind": "no_code"}, {"kind": "no_time"}, {"kind": "not_object"}])
record = st.one_of(good, good, bad)
source = st.tuples(st.sampled_from(["ndjson", "instaloader"]), st.lists(record, min_size=0, max_size=6))


def _item(r: dict) -> dict:
    item = {"code": r.get("code", ""), "taken_at": 1612224000 + CODES.index(r["code"]) if "code" in r else 1,
            "media_type": 1, "like_count": r.get("likes", 0), "comment_count": 0,
            "caption": {"text": "FIKTIF"}, "user": {"pk": "1", "username": "prop.account"}}
    if r.get("loc"):
        item["location"] = {"name": "Lokasi Fiksi"}
    return item


def _line(r: dict) -> str:
    if r["kind"] == "malformed":
        return '{"data": {"code": '
    if r["kind"] == "not_object":
        return "[1, 2]"
    item = _item(r) if r["kind"] == "good" else _item({"code": CODES[0]})
    if r["kind"] == "no_code":
        del item["code"]
    if r["kind"] == "no_time":
        del item["taken_at"]
    return json.dumps({"nav_index": "1:0", "source_platform": "instagram.com", "data": item})


def _write(folder: Path, sources: list) -> tuple[int, int, set[str]]:
    n_bad, n_good, ids = 0, 0, set()
    for i, (kind, records) in enumerate(sources):
        for r in records:
            if r["kind"] == "good":
                n_good += 1
                ids.add(r["code"])
            else:
                n_bad += 1
        if kind == "ndjson":
            (folder / f"s{i:02d}.ndjson").write_text("".join(_line(r) + "\n" for r in records))
        else:  # one instaloader post file per record
            sub = folder / f"s{i:02d}" / "prop.account"
            sub.mkdir(parents=True)
            for j, r in enumerate(records):
                text = _line(r)
                if r["kind"] not in ("malformed", "not_object"):
                    text = json.dumps({"node": json.loads(text)["data"],
                                       "instaloader": {"version": "4.16", "node_type": "Post"}})
                (sub / f"2021-02-02_00-00-{j:02d}_UTC.json").write_text(text)
    return n_good, n_bad, ids


@settings(max_examples=60, deadline=None)
@given(st.lists(source, min_size=1, max_size=5))
def test_counts_reconcile_per_source(sources):
    with tempfile.TemporaryDirectory() as tmp:
        n_good, n_bad, ids = _write(Path(tmp), sources)
        result = ig.ingest(tmp, quarantine=True, allow_empty=True)  # generated folders may hold no file
    rep = result.report
    assert (rep["read"] == rep["kept"] + rep["duplicates"] + rep["quarantined"]).all()
    assert rep["quarantined"].sum() == n_bad == len(result.quarantine)
    assert rep["kept"].sum() == len(ids) == len(result.posts)
    assert rep["duplicates"].sum() == n_good - len(ids)
    assert set(result.posts["post_id"]) == ids
    kept_by_file = result.posts["source_file"].value_counts()
    for row in rep.itertuples():
        assert kept_by_file.get(row.source_file, 0) == row.kept
    # a post seen both with and without a location keeps the richer copy
    for r in (r for _, recs in sources for r in recs if r["kind"] == "good" and r["loc"]):
        assert result.posts.set_index("post_id").loc[r["code"], "location_name"] == "Lokasi Fiksi"
