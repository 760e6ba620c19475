"""civicposts.scale: partition functions on Dask give the one-call result, on every scheduler and cluster."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from civicposts import duplicates as D
from civicposts import scale
from civicposts.errors import ConfigError


def double(part: pd.DataFrame, factor: int) -> pd.DataFrame:
    return part.assign(y=part["x"] * factor, pid=os.getpid())


def frame(n: int = 103) -> pd.DataFrame:
    return pd.DataFrame({"x": np.arange(n)}, index=pd.RangeIndex(n) * 3)


@pytest.mark.parametrize("scheduler", scale.LOCAL_SCHEDULERS)
@pytest.mark.parametrize("partitions", [1, 2, 10, 103])
def test_map_partitions_equals_one_call(scheduler, partitions):
    df = frame()
    out = scale.map_partitions(double, df, 2, scheduler=scheduler, partitions=partitions)
    pd.testing.assert_frame_equal(out.drop(columns="pid"), double(df, 2).drop(columns="pid"))


def test_small_tables_stay_in_this_process_unless_partitions_are_asked_for():
    out = scale.map_partitions(double, frame(), 1, scheduler="processes")
    assert set(out["pid"]) == {os.getpid()}
    out = scale.map_partitions(double, frame(), 1, scheduler="processes", partitions=4)
    assert os.getpid() not in set(out["pid"])


def test_partitions_cover_every_row_once():
    for n, parts in ((0, 1), (1, 1), (10, 3), (1_000_003, 21)):
        b = scale.bounds(n, parts)
        assert b[0][0] == 0 and b[-1][1] == n and all(x[1] == y[0] for x, y in zip(b, b[1:]))
    assert scale.n_partitions(1_000_000, 2) == 1_000_000 // scale.PARTITION_ROWS
    assert scale.n_partitions(10, 4) == 8 and scale.n_partitions(3, 4) == 3  # two per worker, at most one per row


@pytest.mark.parametrize("spec", ["gpu", "localhost:8786"])
def test_unknown_scheduler_specs_are_refused(spec):
    with pytest.raises(ConfigError, match="scheduler"):
        scale.check_scheduler(spec)


@pytest.mark.parametrize("spec", ["", None])
def test_no_scheduler_means_the_default(spec):
    assert scale.check_scheduler(spec) == scale.DEFAULT_SCHEDULER


def test_one_partition_or_a_synchronous_scheduler_runs_in_process():
    n = scale.MIN_PARALLEL_ROWS
    assert scale.in_process("processes", 10 * n, 1, None)
    assert scale.in_process("synchronous", 10 * n, 4, None)
    assert scale.in_process("processes", n - 1, 4, None)
    assert not scale.in_process("processes", n - 1, 4, 4)  # partitions chosen by the caller are kept
    assert not scale.in_process("tcp://127.0.0.1:8786", 10, 4, None)


def test_an_unreachable_cluster_names_its_address(monkeypatch):
    monkeypatch.setattr(scale, "CONNECT_TIMEOUT", "2s")
    with pytest.raises(ConfigError, match="tcp://127.0.0.1:9"):
        scale.map_partitions(double, frame(), 1, scheduler="tcp://127.0.0.1:9", partitions=2)


def _texts(n: int = 400, seed: int = 3) -> list[str]:
    rng = np.random.default_rng(seed)
    words = "jalan rusak banjir sampah macet lampu mati air bau warga pasar mohon tolong segera kapan".split()
    out = []
    for i in range(n):
        if i > 5 and rng.random() < 0.3:
            base = out[int(rng.integers(0, i))]
            out.append(base + (" lagi" if rng.random() < 0.5 else ""))
        else:
            out.append(" ".join(rng.choice(words, size=int(rng.integers(8, 20)))))
    return out


def test_candidate_pairs_do_not_depend_on_the_shuffle():
    sig = D.minhash_signatures(_texts())
    a0, r0 = D.candidate_pairs(sig, scheduler="synchronous")
    assert len(a0) > 50 and (r0 < a0).all()
    for scheduler, parts in (("synchronous", 5), ("threads", 3), ("processes", 4)):
        a, r = D.candidate_pairs(sig, scheduler=scheduler, partitions=parts)
        np.testing.assert_array_equal(a, a0)
        np.testing.assert_array_equal(r, r0)
    # the estimate floor, applied band by band in this process or after the shuffle, keeps the same pairs
    # as filtering the whole list afterwards
    est = (sig[a0] == sig[r0]).mean(axis=1)
    keep = est >= 0.5
    assert 0 < keep.sum() < len(a0)
    for scheduler, parts in (("synchronous", None), ("threads", 3)):
        a, r = D.candidate_pairs(sig, scheduler=scheduler, partitions=parts, floor=0.5)
        np.testing.assert_array_equal(a, a0[keep])
        np.testing.assert_array_equal(r, r0[keep])


def test_find_duplicates_does_not_depend_on_partitions():
    texts = _texts()
    posts = pd.DataFrame({"post_id": [f"P{i:04d}" for i in range(len(texts))],
                          "posted_at": pd.Timestamp("2021-01-01", tz="UTC") + pd.to_timedelta(range(len(texts)), "h"),
                          "text_clean": texts,
                          "caption_hash": [str(hash(t)) for t in texts]})
    one = D.find_duplicates(posts, scheduler="synchronous")
    assert (one["dup_kind"] == "near").sum() > 10 and (one["dup_kind"] == "exact").sum() > 10
    for scheduler, parts in (("processes", 3), ("threads", 7)):
        pd.testing.assert_frame_equal(D.find_duplicates(posts, scheduler=scheduler, partitions=parts), one)


def test_a_dask_cluster_gives_the_single_process_result():
    """A real distributed cluster (scheduler and two worker processes on 127.0.0.1): the same cleaning."""
    from distributed import LocalCluster

    from civicposts.clean import clean_corpus
    from civicposts.privacy import DEMO_KEY

    texts = _texts(300)
    df = pd.DataFrame({"post_id": [f"P{i:04d}" for i in range(len(texts))], "account": "demo.kota.update",
                       "posted_at": pd.Timestamp("2021-01-01", tz="UTC") + pd.to_timedelta(range(len(texts)), "h"),
                       "caption": [f"{t} @warga.{i % 7} wa 0812-3456-{i % 10}{i % 10}99 😡" for i, t in enumerate(texts)]})

    def run(**kw):
        return clean_corpus(df, period_start="2021-01-01", period_end="2021-12-31", allowlist=["demo.kota.update"],
                            key=DEMO_KEY, **kw)

    one, f1 = run(scheduler="synchronous")
    assert "0812" not in " ".join(one["caption"]) and (one["dup_kind"] == "near").any()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        other, f2 = run(scheduler=cluster.scheduler_address, partitions=3)
        workers = len(cluster.scheduler_info["workers"])
    assert workers == 2
    pd.testing.assert_frame_equal(one, other)
    pd.testing.assert_frame_equal(f1, f2)


def test_local_workers_read_their_rows_from_memory_and_nothing_stays_behind():
    # threads and forked processes read the table through a Shared handle; a cluster address never does
    assert scale.can_share("threads") and scale.can_share("synchronous")
    assert not scale.can_share("tcp://127.0.0.1:8786")
    with scale.sharing([1, 2, 3]) as ref:
        assert ref.get() == [1, 2, 3]
    with pytest.raises(KeyError):
        ref.get()  # only valid inside its block
    out = scale.map_partitions(double, frame(), 1, scheduler="processes", partitions=4)
    pd.testing.assert_frame_equal(out.drop(columns="pid"), double(frame(), 1).drop(columns="pid"))
    assert scale._SHARED == {}


def test_candidate_pairs_of_posts_that_share_no_bucket_are_none_on_every_route():
    sig = np.arange(40 * 24, dtype=np.uint32).reshape(40, 24)  # all values distinct: no bucket is shared
    for scheduler, parts in (("synchronous", None), ("threads", 3)):
        a, r = D.candidate_pairs(sig, scheduler=scheduler, partitions=parts, floor=0.5)
        assert len(a) == len(r) == 0


def test_in_process_steps_use_threads_on_a_local_scheduler_with_the_same_result(monkeypatch):
    """Band pairing and the exact checks stay in this process; on a local scheduler with two CPUs they run on
    threads, in runs of whole posts, and give what one thread gives."""
    texts = _texts(600, seed=8)
    posts = pd.DataFrame({"post_id": [f"P{i:04d}" for i in range(len(texts))],
                          "posted_at": pd.Timestamp("2021-01-01", tz="UTC") + pd.to_timedelta(range(len(texts)), "h"),
                          "text_clean": texts, "caption_hash": [str(hash(t)) for t in texts]})
    one = D.find_duplicates(posts, scheduler="synchronous")
    assert (one["dup_kind"] == "near").sum() > 10
    monkeypatch.setattr(scale, "local_workers", lambda: 2)
    monkeypatch.setattr(scale, "MIN_PARALLEL_ROWS", 1)
    used = []
    run_tasks = scale.run_tasks

    def spy(tasks, *, scheduler=None, progress=False, label="step"):
        used.append((label, scheduler, len(tasks)))
        return run_tasks(tasks, scheduler=scheduler, progress=progress, label=label)

    monkeypatch.setattr(scale, "run_tasks", spy)
    for scheduler in ("threads", "processes"):
        pd.testing.assert_frame_equal(D.find_duplicates(posts, scheduler=scheduler), one)
    assert ("band-pairs", "threads", D.N_BANDS) in used
    assert any(label == "near-duplicates" and spec == "threads" and n > 1 for label, spec, n in used)
    # only a local scheduler other than synchronous, on more than one CPU, with enough rows, uses threads
    assert scale.in_process_scheduler("synchronous", 10**6) == "synchronous"
    assert scale.in_process_scheduler("processes", 0, min_rows=1) == "synchronous"
    monkeypatch.setattr(scale, "local_workers", lambda: 1)
    assert scale.in_process_scheduler("threads", 10**6) == "synchronous"


def test_runs_of_whole_posts_check_as_the_whole():
    texts = _texts(500, seed=9)
    sig = D.minhash_signatures(texts)
    a, r = D.candidate_pairs(sig, scheduler="synchronous")
    whole = D.verify_pairs(a, r, texts, [None] * len(texts))
    assert whole[0].sum() > 10
    for parts in (2, 7, len(a) + 5):
        runs = D._runs_by_post(a, parts)
        assert runs[0][0] == 0 and runs[-1][1] == len(a) and all(x[1] == y[0] for x, y in zip(runs, runs[1:]))
        assert all(a[lo - 1] != a[lo] for lo, _ in runs[1:])  # no post's pairs are cut in two
        pieces = [D.verify_pairs(a[lo:hi], r[lo:hi], texts, [None] * len(texts)) for lo, hi in runs]
        for i in range(3):
            np.testing.assert_array_equal(np.concatenate([p[i] for p in pieces]), whole[i])
    assert D._runs_by_post(a[:0], 4) == [(0, 0)]


def _collector(part: pd.DataFrame) -> pd.DataFrame:
    import gc

    return part.assign(gc_on=gc.isenabled(), pid=os.getpid())


def test_forked_workers_run_without_the_collector_and_the_parent_gets_it_back():
    import gc

    assert gc.isenabled()
    out = scale.map_partitions(_collector, frame(), scheduler="processes", partitions=3)
    assert os.getpid() not in set(out["pid"]) and not out["gc_on"].any()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    # threads share this process's collector, which is left alone
    assert scale.map_partitions(_collector, frame(), scheduler="threads", partitions=3)["gc_on"].all()


@pytest.mark.parametrize("seed", ["0", None])
def test_a_processes_run_leaves_the_environment_as_it_was(monkeypatch, seed):
    """dask's process pool sets PYTHONHASHSEED for its workers; later subprocesses must not inherit that."""
    if seed is None:
        monkeypatch.delenv("PYTHONHASHSEED", raising=False)
    else:
        monkeypatch.setenv("PYTHONHASHSEED", seed)
    scale.map_partitions(double, frame(), 1, scheduler="processes", partitions=2)
    assert os.environ.get("PYTHONHASHSEED") == seed


def test_a_synchronous_run_does_not_import_dask():
    """The demo's cleaning (5,000 posts, in one process) pays no dask import."""
    import subprocess
    import sys

    code = ("import sys; from civicposts import scale; "
            "out = scale.run_tasks([(sum, ([1, 2],)), (max, ([3, 4],))], scheduler='synchronous'); "
            "print(out, 'dask' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(__import__("pathlib").Path(scale.__file__).parents[1])})
    assert run.stdout.split() == ["[3,", "4]", "False"]
