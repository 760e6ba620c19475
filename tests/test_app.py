"""The coding app driven headless: set widget values, click buttons, read the coder's file back.

Units are FICTIONAL (tests/browser_helpers.py); the codebook is the study's codebook.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

try:  # tests/ is a package (tests/__init__.py)
    from tests.browser_helpers import CODEBOOK, jpeg_bytes, make_interview_units, make_post_units
except ImportError:  # tests/ run as plain folder
    from browser_helpers import CODEBOOK, jpeg_bytes, make_interview_units, make_post_units
from civicposts import app as appmod
from civicposts.app import CodingApp, StoreAdapter
from civicposts.codebook import load_codebook
from civicposts.coding import CodingStore
from civicposts.errors import InputError


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(CODEBOOK)


@pytest.fixture
def units(tmp_path):
    return make_post_units(tmp_path)


def lines(store_dir: Path, coder: str = "ana") -> list[dict]:
    path = store_dir / f"{coder}.jsonl"
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def essentials(recs: list[dict]) -> list[tuple]:
    return [(r["unit_id"], r["variable"], tuple(r["codes"]), r["memo"],
             r["relation"]["target"] if r["relation"] else None) for r in recs]


def make_app(units, codebook, tmp_path, coder="ana", **kw) -> CodingApp:
    a = CodingApp(units, codebook, tmp_path / "coding", coder, media_root=tmp_path, batch=False, **kw)
    a.widget  # build the widgets as the notebook would
    return a


def code_fully(a: CodingApp, post_type="complaint", topics=("roads",), response="none", officials=("none",)):
    a.controls["post_type"].value = post_type
    for t in topics:
        a.controls["topic"][t].value = True
    a.controls["gov_response"].value = response
    for o in officials:
        a.controls["official_mentioned"][o].value = True


def test_clicks_are_saved_at_once_as_exactly_these_lines(units, codebook, tmp_path):
    a = make_app(units, codebook, tmp_path)
    store = tmp_path / "coding"
    assert lines(store) == []  # showing a unit writes nothing
    a.controls["post_type"].value = "complaint"
    assert essentials(lines(store)) == [("FICT001", "post_type", ("complaint",), "", None)]
    a.controls["topic"]["roads"].value = True
    a.controls["topic"]["waste"].value = True
    a.controls["gov_response"].value = "none"
    a.controls["official_mentioned"]["public_works"].value = True
    a.next_button.click()
    a.controls["post_type"].value = "news"
    assert essentials(lines(store)) == [
        ("FICT001", "post_type", ("complaint",), "", None),
        ("FICT001", "topic", ("roads",), "", None),
        ("FICT001", "topic", ("roads", "waste"), "", None),
        ("FICT001", "gov_response", ("none",), "", None),
        ("FICT001", "official_mentioned", ("public_works",), "", None),
        ("FICT002", "post_type", ("news",), "", None),
    ]
    recs = lines(store)
    assert {r["coder"] for r in recs} == {"ana"}
    assert {r["codebook_version"] for r in recs} == {codebook.version}
    assert {r["unit_type"] for r in recs} == {"post"}
    # the store's own reading agrees: the latest line per variable wins
    dec = CodingStore(store, codebook).decisions("ana")
    assert dict(zip(zip(dec["unit_id"], dec["variable"]), dec["codes"])) == {
        ("FICT001", "gov_response"): ("none",), ("FICT001", "official_mentioned"): ("public_works",),
        ("FICT001", "post_type"): ("complaint",), ("FICT001", "topic"): ("roads", "waste"),
        ("FICT002", "post_type"): ("news",)}


def test_navigation_and_progress(units, codebook, tmp_path):
    a = make_app(units, codebook, tmp_path)
    assert a.index == 0 and a.prev_button.disabled and not a.next_button.disabled
    assert "1 of 6" in a.position.value and "0 of 6 coded" in a.position.value
    a.prev_button.click()  # at the first unit: stays
    assert a.index == 0
    for _ in range(10):
        a.next_button.click()
    assert a.index == 5 and a.next_button.disabled and "6 of 6" in a.position.value
    assert "FICT006" in a.view.value and "Lampu jalan mati" in a.view.value
    a.prev_button.click()
    assert a.index == 4 and "FICT005" in a.view.value
    # local time (WIB, UTC+7) and engagement are shown: FICT005 was posted 09:45 UTC
    assert "2020-03-06 16:45" in a.view.value and "104 likes" in a.view.value
    assert "https://www.instagram.com/p/FICT005/" in a.view.value
    a.go_to("FICT002")
    assert a.index == 1
    with pytest.raises(IndexError):
        a.go_to(6)


def test_saved_codes_come_back_and_showing_never_writes(units, codebook, tmp_path):
    a = make_app(units, codebook, tmp_path)
    code_fully(a, topics=("roads", "waste"), officials=("public_works", "regional_secretary"))
    a.memo.value = "pothole near the market (fictional)"
    n = len(lines(tmp_path / "coding"))
    b = make_app(units, codebook, tmp_path)  # a fresh session reads the coder's file
    for _ in range(3):
        b.next_button.click()
        b.prev_button.click()
    b.go_to(0)
    assert len(lines(tmp_path / "coding")) == n
    assert b.controls["post_type"].value == "complaint"
    assert [k for k, cb in b.controls["topic"].items() if cb.value] == ["roads", "waste"]
    assert b.controls["gov_response"].value == "none"
    assert {k for k, cb in b.controls["official_mentioned"].items() if cb.value} == {"public_works",
                                                                                  "regional_secretary"}
    assert b.memo.value == "pothole near the market (fictional)"
    b.next_button.click()  # an uncoded unit shows empty controls, not the previous unit's
    assert b.controls["post_type"].value is None
    assert not any(cb.value for cb in b.controls["topic"].values())
    assert b.memo.value == ""


def test_next_uncoded_skips_finished_units_and_wraps(units, codebook, tmp_path):
    a = make_app(units, codebook, tmp_path)
    code_fully(a)
    a.go_to(1)
    code_fully(a, topics=("waste",))
    a.go_to(2)
    a.controls["post_type"].value = "news"  # partly coded: still uncoded
    a.go_to(0)
    a.next_uncoded_button.click()
    assert a.index == 2
    assert a.progress() == (2, 6)
    for i in (2, 3, 4, 5):
        a.go_to(i)
        code_fully(a, post_type="news" if i != 4 else "promotion")
    a.go_to(3)
    assert a.next_uncoded() is False and a.index == 3
    assert "every unit is coded" in a.saved.value
    assert "6 of 6 coded" in a.position.value


def test_relation_picker_offers_earlier_complaints_searchable_by_date_and_words(units, codebook, tmp_path):
    a = make_app(units, codebook, tmp_path)
    store = tmp_path / "coding"
    a.controls["post_type"].value = "complaint"  # FICT001, 2020-03-01 local
    a.go_to(1)
    a.controls["post_type"].value = "complaint"  # FICT002, 2020-03-02 local
    a.go_to(2)
    a.controls["post_type"].value = "news"
    a.go_to(5)
    a.controls["post_type"].value = "complaint"  # FICT006 is later than FICT004
    a.go_to(3)  # FICT004: the follow-up
    assert a.relation_box.layout.display == "none"
    a.controls["post_type"].value = "official_followup"
    assert a.relation_box.layout.display is None
    offered = [v for _label, v in a.relation_select.options]
    assert offered == ["FICT002", "FICT001"]  # earlier complaints only, newest first
    a.relation_search.value = "berlubang"
    assert [v for _l, v in a.relation_select.options] == ["FICT001"]
    a.relation_search.value = "2020-03-02"
    assert [v for _l, v in a.relation_select.options] == ["FICT002"]
    a.relation_search.value = "2020-03 sampah sungai"
    assert [v for _l, v in a.relation_select.options] == ["FICT002"]
    a.relation_search.value = "banjir"
    assert a.relation_select.options == ()
    a.relation_search.value = ""
    a.relation_all.value = True  # also posts not coded as complaints (FICT003 news), still only earlier ones
    assert [v for _l, v in a.relation_select.options] == ["FICT003", "FICT002", "FICT001"]
    a.relation_all.value = False
    a.relation_search.value = "pasar"
    a.relation_select.value = "FICT001"
    assert essentials(lines(store))[-2:] == [
        ("FICT004", "post_type", ("official_followup",), "", None),
        ("FICT004", "post_type", ("official_followup",), "", "FICT001"),
    ]
    assert lines(store)[-1]["relation"] == {"type": "follows_up", "target": "FICT001"}
    # the choice comes back in a new session, and a code without a relation drops it
    b = make_app(units, codebook, tmp_path, start="FICT004")
    assert b.relation_select.value == "FICT001" and "answers" in b.relation_status.value
    b.controls["post_type"].value = "news"
    assert b.relation_box.layout.display == "none"
    assert essentials(lines(store))[-1] == ("FICT004", "post_type", ("news",), "", None)


def test_relation_picker_reaches_complaints_outside_the_sample(units, codebook, tmp_path):
    sample = units[units["unit_id"].isin(["FICT003", "FICT004"])]
    a = make_app(sample, codebook, tmp_path, relation_pool=units, start="FICT004")
    a.controls["post_type"].value = "official_followup"
    assert a.relation_select.options == ()  # nothing coded as complaint in the sample
    assert "tick the box" in a.relation_status.value
    a.relation_all.value = True
    assert [v for _l, v in a.relation_select.options] == ["FICT003", "FICT002", "FICT001"]
    a.relation_search.value = "berlubang"
    assert a.relation_select.options == (
        ("2020-03-01 09:00 · FICT001 · FICTIONAL: Kiriman warga: jalan berlubang di depan pasar, mohon "
         "ditinjau @demo.dinas.pupr", "FICT001"),)
    a.relation_select.value = "FICT001"
    assert essentials(lines(tmp_path / "coding"))[-1] == ("FICT004", "post_type", ("official_followup",), "",
                                                          "FICT001")
    assert a.progress()[1] == 2  # the pool is searched, not coded
    b = make_app(sample, codebook, tmp_path, relation_pool=units, start="FICT004")
    assert b.relation_select.value == "FICT001"


def test_images_are_found_read_lazily_and_cached(units, codebook, tmp_path):
    appmod.prepared_image.cache_clear()
    a = make_app(units, codebook, tmp_path)
    a.wait_prefetch()
    assert [bytes(i.value) for i in a.image_box.children] == [jpeg_bytes(1)]  # small: sent as it is
    assert a.image_box.layout.display is None and a.images[0].format == "jpeg"
    # of the 7 images only the shown unit's one and the next unit's three (read ahead) were read
    assert appmod.prepared_image.cache_info().currsize == 4
    a.next_button.click()  # FICT002: a carousel of three, from the cache
    assert [bytes(i.value) for i in a.image_box.children] == [jpeg_bytes(11), jpeg_bytes(12), jpeg_bytes(13)]
    a.next_button.click()  # FICT003: none
    assert a.image_box.children == () and a.image_box.layout.display == "none"
    assert "no image" in a.view.value
    a.go_to(1)
    a.go_to(0)
    a.wait_prefetch()
    info = appmod.prepared_image.cache_info()
    assert info.currsize == 5 and info.hits >= 4  # FICT004's image was read ahead once; revisits hit
    assert len(a.images) == 3  # image widgets are reused, not rebuilt


def test_large_images_are_scaled_down_for_display_not_on_disk(units, codebook, tmp_path):
    from PIL import Image

    appmod.prepared_image.cache_clear()
    big = jpeg_bytes(5, size=(1080, 1350))
    (tmp_path / "media" / "FICT001.jpg").write_bytes(big)
    a = make_app(units, codebook, tmp_path)
    shown = bytes(a.images[0].value)
    with Image.open(io.BytesIO(shown)) as im:
        assert im.size == (320, 400)  # the default image_max_px, 400, keeps the aspect
    assert len(shown) < len(big)
    assert (tmp_path / "media" / "FICT001.jpg").read_bytes() == big
    b = make_app(units, codebook, tmp_path, image_max_px=0)  # 0: send the file as it is
    assert bytes(b.images[0].value) == big


def test_missing_image_file_is_reported_not_fatal(units, codebook, tmp_path):
    appmod.prepared_image.cache_clear()
    (tmp_path / "media" / "FICT002_1.jpg").unlink()
    a = make_app(units, codebook, tmp_path, start=1)
    assert len(a.image_box.children) == 2
    assert "missing: FICT002_1.jpg" in a.view.value


def test_two_sessions_of_one_coder_keep_each_others_lines(units, codebook, tmp_path):
    a = make_app(units, codebook, tmp_path)
    b = make_app(units, codebook, tmp_path)
    a.controls["post_type"].value = "complaint"
    b.go_to(2)
    b.controls["post_type"].value = "news"
    a.controls["topic"]["roads"].value = True
    b.controls["topic"]["other"].value = True
    assert essentials(lines(tmp_path / "coding")) == [
        ("FICT001", "post_type", ("complaint",), "", None),
        ("FICT003", "post_type", ("news",), "", None),
        ("FICT001", "topic", ("roads",), "", None),
        ("FICT003", "topic", ("other",), "", None),
    ]
    c = make_app(units, codebook, tmp_path, start=2)
    assert c.controls["post_type"].value == "news" and c.controls["topic"]["other"].value


def test_a_session_sees_what_another_session_of_the_coder_saved(units, codebook, tmp_path):
    a = make_app(units, codebook, tmp_path)
    b = make_app(units, codebook, tmp_path)  # opened before a codes anything
    code_fully(a, topics=("waste",))
    b.next_uncoded_button.click()
    assert b.index == 1  # FICT001 is finished in a, so b skips it
    b.go_to(0)
    assert b.controls["post_type"].value == "complaint" and b.controls["topic"]["waste"].value
    assert b.progress() == (1, 6)
    b.controls["post_type"].value = "news"  # b's later line wins, and a sees it on its next render
    a.next_button.click()
    a.prev_button.click()
    assert a.controls["post_type"].value == "news"
    assert len(lines(tmp_path / "coding")) == 5


class RefusingStore(StoreAdapter):
    """A store whose appends fail (e.g. a full disk), to check the app says so and keeps the file's state."""

    def save(self, *args, **kwargs):
        raise InputError("coding/ana.jsonl", "disk full (simulated)")


def test_a_failed_save_is_shown_and_the_control_shows_the_files_state(units, codebook, tmp_path):
    inner = CodingStore(tmp_path / "coding", codebook)
    a = CodingApp(units, codebook, RefusingStore(inner, "ana"), "ana", media_root=tmp_path, batch=False)
    a.widget
    a.controls["post_type"].value = "complaint"
    assert "NOT saved" in a.saved.value and "disk full (simulated)" in a.saved.value
    assert a.controls["post_type"].value is None
    a.controls["topic"]["roads"].value = True
    assert a.controls["topic"]["roads"].value is False
    assert lines(tmp_path / "coding") == [] and a.progress() == (0, 6)


def test_memo_goes_with_the_units_codings(units, codebook, tmp_path):
    a = make_app(units, codebook, tmp_path)
    store = tmp_path / "coding"
    a.memo.value = "first thought (fictional)"  # nothing coded yet: kept, not written
    assert lines(store) == []
    a.next_button.click()
    a.prev_button.click()
    assert a.memo.value == "first thought (fictional)"
    a.controls["post_type"].value = "complaint"
    a.controls["topic"]["roads"].value = True
    a.memo.value = "second thought (fictional)"
    assert essentials(lines(store)) == [
        ("FICT001", "post_type", ("complaint",), "first thought (fictional)", None),
        ("FICT001", "topic", ("roads",), "first thought (fictional)", None),
        ("FICT001", "post_type", ("complaint",), "second thought (fictional)", None),
        ("FICT001", "topic", ("roads",), "second thought (fictional)", None),
    ]


def test_exclusive_codes_and_the_last_code_of_a_multi_choice(units, codebook, tmp_path):
    a = make_app(units, codebook, tmp_path)
    store = tmp_path / "coding"
    om = a.controls["official_mentioned"]
    om["public_works"].value = True
    om["police"].value = True
    om["none"].value = True  # exclusive: clears the others
    assert [k for k, cb in om.items() if cb.value] == ["none"]
    om["transport"].value = True  # any other code clears "none"
    assert [k for k, cb in om.items() if cb.value] == ["transport"]
    om["transport"].value = False  # the last code cannot be removed: stays ticked, nothing written
    assert om["transport"].value is True and "needs at least one" in a.saved.value
    assert [c for (_u, _v, c, _m, _r) in essentials(lines(store))] == [
        ("public_works",), ("police", "public_works"), ("none",), ("transport",)]


def test_interview_segments_show_their_kind_and_take_interview_variables(codebook, tmp_path):
    a = make_app(make_interview_units(), codebook, tmp_path)
    assert "VERBATIM" in a.view.value and "FINT-01" in a.view.value
    assert a._panels["post"].layout.display == "none" and a._panels["interview"].layout.display is None
    assert "interview_theme" in a.controls and a.image_box.layout.display == "none"
    a.controls["interview_theme"]["info_source_for_officials"].value = True
    a.next_button.click()
    assert "PARAPHRASE" in a.view.value and "VERBATIM" not in a.view.value
    a.controls["interview_theme"]["limited_reach"].value = True
    recs = lines(tmp_path / "coding")
    assert essentials(recs) == [("FINT-01", "interview_theme", ("info_source_for_officials",), "", None),
                                ("FINT-02", "interview_theme", ("limited_reach",), "", None)]
    assert {r["unit_type"] for r in recs} == {"interview"}
    assert a.progress() == (2, 2)


def test_posts_and_interview_segments_in_one_app(units, codebook, tmp_path):
    mixed = pd.concat([units, make_interview_units()], ignore_index=True)
    a = make_app(mixed, codebook, tmp_path, start="FINT-02")
    assert "PARAPHRASE" in a.view.value and "the official says his reach is limited" in a.view.value
    assert "2021-02-27" in a.view.value
    a.go_to(0)
    assert "PARAPHRASE" not in a.view.value and "FICT001" in a.view.value
    assert a._panels["post"].layout.display is None


def test_a_coding_sample_is_shown_in_its_order(units, codebook, tmp_path):
    sample = units.assign(order=[3, 1, 2, 6, 5, 4])  # civicposts.sampling's column
    a = make_app(sample, codebook, tmp_path)
    assert [u["unit_id"] for u in a.units] == ["FICT002", "FICT003", "FICT001", "FICT006", "FICT005", "FICT004"]
    assert "FICT002" in a.view.value


def test_caption_line_breaks_and_markup_are_kept_as_text(units, codebook, tmp_path):
    units.loc[0, "caption"] = "FICTIONAL line one\nline <b>two</b> & three"
    a = make_app(units, codebook, tmp_path)
    assert "line one\nline &lt;b&gt;two&lt;/b&gt; &amp; three" in a.view.value
    assert "pre-wrap" in a.view.value


def test_definitions_on_hover_and_below(units, codebook, tmp_path):
    a = make_app(units, codebook, tmp_path)
    pt = codebook.variable("post_type")
    complaint = pt.code("complaint")
    tips = a.controls["post_type"].tooltips
    assert len(tips) == len(pt.codes) and complaint.definition in tips[0] and "Use when" in tips[0]
    assert complaint.definition.split()[0] in a._defs["post_type"].value
    roads = codebook.variable("topic").code("roads")
    assert roads.definition in a.controls["topic"]["roads"].tooltip


def test_batch_mode_builds_no_widgets_and_never_waits(units, codebook, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CIVICPOSTS_BATCH", "1")
    a = CodingApp(units, codebook, tmp_path / "coding", "ana", media_root=tmp_path)
    assert a.batch is True
    assert a.show() is None
    assert a._built is False
    assert "0 of 6 units coded" in a.summary()
    monkeypatch.delenv("CIVICPOSTS_BATCH")
    monkeypatch.delenv("CIVICPOSTS_NOTEBOOK", raising=False)
    assert CodingApp(units, codebook, tmp_path / "coding", "ana").batch is True  # no IPython kernel here


def test_batch_is_detected_in_a_pipeline_kernel(units, codebook, tmp_path, monkeypatch):
    import IPython

    class Shell:
        kernel = object()

    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell())
    monkeypatch.delenv("CIVICPOSTS_BATCH", raising=False)
    monkeypatch.delenv("CIVICPOSTS_NOTEBOOK", raising=False)

    def batch() -> bool:
        return CodingApp(units, codebook, tmp_path / "coding", "ana").batch

    assert batch() is False  # a person's JupyterLab kernel
    monkeypatch.setenv("CIVICPOSTS_NOTEBOOK", "notebooks/02_code_posts.ipynb")  # set by civicposts.run
    assert batch() is True
    monkeypatch.setenv("CIVICPOSTS_BATCH", "0")
    assert batch() is False


def test_bad_input_names_the_problem(units, codebook, tmp_path):
    dup = pd.concat([units, units.iloc[[2]]], ignore_index=True)
    with pytest.raises(InputError, match=r"record 6: unit id 'FICT003' occurs more than once"):
        CodingApp(dup, codebook, tmp_path, "ana", batch=True)
    with pytest.raises(InputError, match="no units to code"):
        CodingApp(units.iloc[0:0], codebook, tmp_path, "ana", batch=True)
    with pytest.raises(ValueError, match="coder name"):
        CodingApp(units, codebook, tmp_path, "../etc", batch=True)
    with pytest.raises(TypeError, match="needs append"):
        StoreAdapter(object(), "ana")
    bad = units.astype({"posted_at": object})
    bad.loc[4, "posted_at"] = "yesterday-ish"
    with pytest.raises(InputError, match=r"units, record 4: posted_at 'yesterday-ish' is not a date/time"):
        CodingApp(bad, codebook, tmp_path, "ana", batch=True)
    with pytest.raises(InputError, match="codebook file not found"):
        CodingApp(units, tmp_path / "nope.yaml", tmp_path, "ana", batch=True)


def test_the_app_uses_the_codebooks_own_variables(codebook, units, tmp_path):
    a = CodingApp(units, codebook, tmp_path / "coding", "ana", batch=True)
    assert all(v is codebook.variables[v.id] for v in a.variables)  # one model: no copy of the codebook
    vs = {v.id: v for v in a.variables}
    assert set(vs) == set(codebook.variables)
    assert not vs["post_type"].multiple and vs["topic"].multiple
    assert vs["post_type"].relation_codes == {"official_followup": "follows_up"}
    assert vs["interview_theme"].unit_type == "interview"
    assert [c.id for c in vs["official_mentioned"].codes if c.exclusive] == ["none"]


def test_a_papermill_run_builds_no_widgets_and_stores_no_unit_text(units, codebook, tmp_path, monkeypatch):
    """As under `make all`: civicposts.run sets CIVICPOSTS_NOTEBOOK and papermill runs the kernel."""
    import nbformat
    import papermill as pm

    (tmp_path / "units.json").write_text(units.to_json(orient="records", date_format="iso"), encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import json\nfrom civicposts.app import CodingApp\n"
        "units = json.load(open('units.json', encoding='utf-8'))\n"
        f"app = CodingApp(units, {str(CODEBOOK)!r}, 'coding', 'ana', media_root='.')\n"
        "app.show()\nprint('built:', app._built)")]
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nbformat.write(nb, tmp_path / "in.ipynb")
    monkeypatch.setenv("CIVICPOSTS_NOTEBOOK", "in.ipynb")
    monkeypatch.delenv("CIVICPOSTS_BATCH", raising=False)
    pm.execute_notebook(str(tmp_path / "in.ipynb"), str(tmp_path / "out.ipynb"), cwd=str(tmp_path),
                        kernel_name="python3", progress_bar=False, execution_timeout=120)
    text = (tmp_path / "out.ipynb").read_text(encoding="utf-8")
    assert "Coding app not shown in a batch run" in text and "0 of 6 units coded" in text
    assert "built: False" in text
    assert "application/vnd.jupyter.widget" not in text and "FICTIONAL: Kiriman warga" not in text
    assert not (tmp_path / "coding").exists()  # nothing written


def test_a_comment_is_shown_under_its_post_and_takes_comment_variables(units, codebook, tmp_path):
    import copy
    import yaml

    raw = yaml.safe_load(Path(CODEBOOK).read_text(encoding="utf-8"))
    reply = copy.deepcopy(next(v for v in raw["variables"] if v["id"] == "gov_response"))
    raw["variables"].append({**reply, "id": "reply_kind", "unit_type": "comment"})
    path = tmp_path / "cb.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    book = load_codebook(path)
    post = units.iloc[0]
    comment = pd.DataFrame([{
        "unit_id": "C900", "unit_type": "comment", "account": "user_1a2b3c4d5e", "text": "FICTIONAL sudah 2 minggu",
        "posted_at": post["posted_at"] + pd.Timedelta(hours=2), "likes": 3, "reply_to": None,
        "post_id": post["unit_id"], "post_account": post["account"], "post_caption": "FICTIONAL jalan <rusak>",
        "post_local": "2020-03-01 10:00", "url": "", "media_files": [], "pre_type": "complaint"}])
    a = make_app(pd.concat([units, comment], ignore_index=True), book, tmp_path, start="C900")
    assert "COMMENT under the post" in a.view.value and "FICTIONAL sudah 2 minggu" in a.view.value
    assert "FICTIONAL jalan &lt;rusak&gt;" in a.view.value and post["unit_id"] in a.view.value
    assert a._panels["comment"].layout.display is None and a._panels["post"].layout.display == "none"
    first = book.variables["reply_kind"].code_ids()[0]
    a.controls["reply_kind"].value = first
    recs = lines(tmp_path / "coding")
    assert [(r["unit_id"], r["unit_type"], r["variable"], r["codes"]) for r in recs] == \
        [("C900", "comment", "reply_kind", [first])]
