"""Running the per-row steps on Dask: one code path from one process to a cluster.

A step that works row by row (cleaning, pseudonymizing, MinHash signatures) is written as a *partition
function*: a pure function of one slice of the table. :func:`map_partitions` cuts the table into
contiguous partitions, runs the function on each with the chosen Dask scheduler and puts the results
back in the table's order, so the result never depends on the scheduler or the number of partitions.

Schedulers (``--scheduler`` on the command line, ``scheduler:`` in a study configuration):

- ``synchronous``: everything in this process (debugging, small tables);
- ``threads``: a thread pool in this process (the text steps hold the GIL, so this helps little);
- ``processes``: a pool of local processes, one per CPU (the default for large tables); on Linux the
  workers are forked, so the lexicons already loaded are not loaded again;
- ``tcp://HOST:PORT`` (or any address ``distributed.Client`` accepts): an existing Dask cluster, e.g. one
  started with ``dask scheduler`` and ``dask worker``, or by dask-jobqueue on Slurm (see the README).

Below :data:`MIN_PARALLEL_ROWS` rows a local scheduler runs the function in this process at once: starting
workers costs more than it saves, and the result is the same.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .errors import ConfigError

log = logging.getLogger(__name__)

LOCAL_SCHEDULERS = ("synchronous", "threads", "processes")
DEFAULT_SCHEDULER = "processes"
MIN_PARALLEL_ROWS = 20_000  # below this, starting worker processes costs more than it saves
CONNECT_TIMEOUT = "30s"  # how long to wait for a cluster's scheduler to answer
# rows per partition by default. Small partitions bound each task's memory and keep both workers busy while
# the parent unpickles results: on 200,000 bench posts (2 CPUs) the per-post steps took 14.8 s in partitions
# of 50,000 rows, 8.8 s in partitions of 10,000 and 9.6 s in partitions of 2,500
PARTITION_ROWS = 10_000
PARTS_PER_WORKER = 2  # at least this many partitions per worker, so one slow partition does not idle the rest


def check_scheduler(spec: str | None) -> str:
    """``spec`` as a scheduler name or cluster address; a clear error for anything else."""
    spec = (spec or DEFAULT_SCHEDULER).strip()
    if spec in LOCAL_SCHEDULERS or "://" in spec:
        return spec
    raise ConfigError(f"scheduler {spec!r} is not one of {', '.join(LOCAL_SCHEDULERS)} "
                      "nor a Dask cluster address such as tcp://127.0.0.1:8786")


def local_workers() -> int:
    """Worker processes for the local schedulers: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def n_partitions(n_rows: int, workers: int, partition_rows: int = PARTITION_ROWS) -> int:
    """How many partitions ``n_rows`` rows get: at least ``PARTS_PER_WORKER`` per worker, at most
    ``partition_rows`` rows each."""
    if n_rows <= 0:
        return 1
    return max(1, min(n_rows, max(PARTS_PER_WORKER * workers, -(-n_rows // partition_rows))))


def in_process(spec: str, n_rows: int, parts: int, partitions: int | None,
               min_rows: int = MIN_PARALLEL_ROWS) -> bool:
    """Whether a step of ``n_rows`` rows in ``parts`` partitions runs at once in this process: one partition,
    or (unless the caller chose ``partitions``) a local scheduler that is ``synchronous``, has one worker, or
    gets fewer than ``min_rows`` rows. The result is the same either way; only the cost differs."""
    if parts == 1:
        return True
    if partitions is not None or "://" in spec:
        return False
    return spec == "synchronous" or local_workers() == 1 or n_rows < min_rows


def in_process_scheduler(spec: str, n_rows: int, min_rows: int | None = None) -> str:
    """Where a step that stays in this process (``in_process``) runs its tasks, when their work is compiled
    numpy, scipy or pandas code that releases the GIL (sorting band keys, counting k-gram overlaps).

    ``"threads"`` (every CPU works, nothing is copied to another process) for a local scheduler other than
    ``synchronous``, on more than one CPU, with at least ``min_rows`` rows (default ``MIN_PARALLEL_ROWS``);
    else ``"synchronous"``. The result is the same either way (1,000,000 bench posts: the exact checks
    9.3 s -> 6.1 s on two threads)."""
    spec = check_scheduler(spec)
    if spec in ("threads", "processes") and local_workers() > 1 and n_rows >= (
            MIN_PARALLEL_ROWS if min_rows is None else min_rows):
        return "threads"
    return "synchronous"


def bounds(n_rows: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` contiguous, nearly equal (start, stop) row ranges covering ``range(n_rows)``."""
    edges = np.linspace(0, n_rows, parts + 1).astype(int)
    return list(zip(edges[:-1].tolist(), edges[1:].tolist()))


@contextlib.contextmanager
def compute_options(spec: str | None) -> Iterator[dict[str, Any]]:
    """Keyword arguments for ``dask.compute`` that run on ``spec`` (a client is opened for an address)."""
    import dask

    spec = check_scheduler(spec)
    if "://" in spec:
        from distributed import Client

        try:
            client = Client(spec, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except OSError as exc:
            raise ConfigError(f"cannot reach the Dask scheduler at {spec}: {exc}") from exc
        try:
            yield {"scheduler": client.get}
        finally:
            client.close()
        return
    # one task at a time per worker (dask's default sends tasks in batches of 6, so a few large partitions
    # would all go to one worker)
    config: dict[str, Any] = {"chunksize": 1}
    if spec == "processes" and "fork" in multiprocessing.get_all_start_methods():
        config["multiprocessing.context"] = "fork"  # workers inherit the loaded lexicons and tables
    # dask's process pool sets PYTHONHASHSEED in this process's environment for its workers when it is unset
    # or "0" (the Makefile's); forked workers never read it, and every later subprocess would inherit it
    seed = os.environ.get("PYTHONHASHSEED")
    try:
        with dask.config.set(config):
            yield {"scheduler": spec, "num_workers": local_workers()}
    finally:
        if seed is None:
            os.environ.pop("PYTHONHASHSEED", None)
        else:
            os.environ["PYTHONHASHSEED"] = seed


_SHARED: dict[str, Any] = {}  # large task inputs local workers read from memory instead of receiving them


class Shared:
    """A handle to an object in this process's memory, for tasks on a local scheduler: threads read it where
    it is, and forked worker processes inherit it, so it is never pickled to them (for a million posts,
    pickling each partition's rows to the workers kept the parent busy for seconds while the workers
    waited). Only valid while its ``sharing`` block lasts, and only where :func:`can_share` says."""

    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        self.key = key

    def get(self) -> Any:
        return _SHARED[self.key]


def can_share(spec: str) -> bool:
    """Whether tasks on ``spec`` can read a :class:`Shared` object: this process's threads, or workers forked
    from it (a cluster's workers, or processes started fresh, have their own memory)."""
    spec = check_scheduler(spec)
    return spec in ("synchronous", "threads") or (
        spec == "processes" and "fork" in multiprocessing.get_all_start_methods())


@contextlib.contextmanager
def sharing(obj: Any) -> Iterator[Shared]:
    """``obj`` as a :class:`Shared` handle for the tasks computed inside this block."""
    key = uuid.uuid4().hex
    _SHARED[key] = obj
    try:
        yield Shared(key)
    finally:
        _SHARED.pop(key, None)


def _slice_call(ref: Shared, lo: int, hi: int, fn: Callable[..., Any], args: tuple) -> Any:
    return fn(ref.get().iloc[lo:hi], *args)


def map_partitions(fn: Callable[..., pd.DataFrame], df: pd.DataFrame, *args: Any, scheduler: str | None = None,
                   partitions: int | None = None, progress: bool = False) -> pd.DataFrame:
    """``fn(part, *args)`` on contiguous partitions of ``df``, concatenated in ``df``'s order.

    ``fn`` must be pure and row-wise (each output row depends on its own input row and ``args`` only), and
    return a DataFrame with the partition's index; then the result equals ``fn(df, *args)`` for every
    scheduler and every number of partitions. ``partitions``: default :func:`n_partitions`.
    """
    spec = check_scheduler(scheduler)
    local = "://" not in spec
    workers = local_workers() if local else 2
    parts = partitions or n_partitions(len(df), workers)
    if in_process(spec, len(df), parts, partitions):
        return fn(df, *args)
    label = getattr(fn, "__name__", "step")
    if can_share(spec):  # local workers read their rows from the parent's memory (fork)
        with sharing(df) as ref:
            results = run_tasks([(_slice_call, (ref, a, b, fn, args)) for a, b in bounds(len(df), parts)],
                                scheduler=spec, progress=progress, label=label)
    else:
        results = run_tasks([(fn, (df.iloc[a:b], *args)) for a, b in bounds(len(df), parts)],
                            scheduler=spec, progress=progress, label=label)
    return concat_parts(results)


def run_tasks(tasks: Sequence[tuple[Callable[..., Any], tuple]], *, scheduler: str | None = None,
              progress: bool = False, label: str = "step") -> list[Any]:
    """The results of ``fn(*args)`` for each task, in the tasks' order, on ``scheduler``."""
    spec = check_scheduler(scheduler)
    if spec == "synchronous":  # the same results as dask's synchronous scheduler, without importing dask
        log.info("%s: %d tasks in this process", label, len(tasks))
        return [fn(*args) for fn, args in tasks]
    import dask
    from dask import delayed

    # explicit keys: no hashing of whole partitions, and unique, as a shared cluster caches results by key
    run = uuid.uuid4().hex[:12]
    # each task's arguments travel as one opaque object: dask would otherwise walk every list inside them
    # looking for collections (seconds for a million strings)
    lazy = [delayed(_call)(_Task(fn, args), dask_key_name=f"{label}-{run}-{i}") for i, (fn, args) in enumerate(tasks)]
    log.info("%s: %d partitions on %s", label, len(lazy), spec)
    with compute_options(spec) as opts, _progress(progress and "://" not in spec), _frozen(spec == "processes"):
        return list(dask.compute(*lazy, **opts))


@contextlib.contextmanager
def _frozen(fork: bool) -> Iterator[None]:
    """Python's cyclic collector kept off while forked workers run.

    - This process's objects are frozen first: a worker's collection would otherwise visit every object it
      inherited and so copy the parent's whole heap page by page.
    - The collector is paused here and in the workers, which inherit that state: the per-post steps make and
      drop millions of small lists and strings, none in a cycle, and each collection only walked them again
      (1,000,000 bench posts: about 5 µs a post in the workers; unpickling the workers' list columns here
      took up to 8 times longer with it on). A worker lives only as long as this block.
    - What the block made is frozen too, then handed back with everything else to the oldest generation,
      so the first collection afterwards does not walk millions of young objects.
    """
    if not fork:
        yield
        return
    import gc

    enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()


class _Task:
    """A function and its arguments, opaque to dask's graph building."""

    __slots__ = ("fn", "args")

    def __init__(self, fn: Callable[..., Any], args: tuple) -> None:
        self.fn, self.args = fn, args

    def __getstate__(self) -> tuple:
        return self.fn, self.args

    def __setstate__(self, state: tuple) -> None:
        self.fn, self.args = state


def _call(task: _Task) -> Any:
    return task.fn(*task.args)


@contextlib.contextmanager
def _progress(show: bool) -> Iterator[None]:
    if not show:
        yield
        return
    from dask.diagnostics import ProgressBar

    with ProgressBar(dt=1.0):
        yield


def concat_parts(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Partition results joined in order; categorical columns get the first part's categories back
    (``pd.concat`` would turn categoricals with different observed values into objects)."""
    out = pd.concat(parts)
    for col, dtype in parts[0].dtypes.items():
        if isinstance(dtype, pd.CategoricalDtype) and not isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = pd.Categorical(out[col], categories=dtype.categories, ordered=dtype.ordered)
    return out
