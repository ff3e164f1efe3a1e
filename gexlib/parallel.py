"""Row blocks of one large array computation, evaluated side by side on a few threads.

The largest computations behind a slider event are elementwise or row by row over a
grid of many rows: the Black–Scholes value of every simulated path at every step, the
paths themselves. numpy and scipy release the interpreter lock inside their loops, so
two threads evaluating two blocks of rows take about half the time of one thread on a
machine with two free cores, as a reader's kernel usually has.

The results are the same numbers bit for bit: every row is computed by the same
operations on the same values whichever block it falls in (reductions run along rows,
never across blocks). :func:`map_rows` calls ``fn`` on each block and returns the
results in row order; the caller joins them. :func:`map_costed` deals pieces of work
of very different costs (a profile's stretches and chunks) to the threads by cost.

``THREADS`` (environment variable ``GEXLIB_THREADS``; default the number of cores, at
most 2) bounds the threads; 1 computes everything on the calling thread. Work smaller
than :data:`MIN_SIZE` elements, and work started from inside a block, runs on the
calling thread. When the calling thread has done its block, any block that no thread has
started yet (every other core busy) is taken back and run on the calling thread instead
of waited for.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor


def _threads() -> int:
    value = os.environ.get("GEXLIB_THREADS", "").strip()
    if value:
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"GEXLIB_THREADS={value!r}: expected a whole number >= 1")
        return int(value)
    return max(1, min(2, os.cpu_count() or 1))


#: Threads :func:`map_rows` uses (``GEXLIB_THREADS``, else the cores there are, at most 2).
THREADS = _threads()
#: Elements (rows × columns) below which the work is not split: a thread's start costs more.
MIN_SIZE = 100_000

_POOL: ThreadPoolExecutor | None = None
_LOCK = threading.Lock()
_INSIDE = threading.local()


def _forget_pool() -> None:
    """In a child made by ``fork``: the parent's pool threads do not exist there; a new pool is made when needed."""
    global _POOL, _LOCK
    _POOL, _LOCK = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _pool(workers: int) -> ThreadPoolExecutor:
    global _POOL
    with _LOCK:
        if _POOL is None or _POOL._max_workers < workers:
            _POOL = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gexlib-rows")
        return _POOL


def blocks(n_rows: int, parts: int) -> list[slice]:
    """``parts`` consecutive slices covering rows 0 … n_rows − 1, sizes differing by at most one (none empty)."""
    parts = max(1, min(int(parts), int(n_rows)))
    size, extra = divmod(int(n_rows), parts)
    out, start = [], 0
    for i in range(parts):
        stop = start + size + (i < extra)
        out.append(slice(start, stop))
        start = stop
    return out


def map_rows(fn: Callable[[slice], object], n_rows: int, *, size: int | None = None,
             threads: int | None = None) -> list:
    """``[fn(block) for block in blocks(n_rows, threads)]``, the blocks evaluated side by side.

    Parameters
    ----------
    fn : callable
        Takes a ``slice`` of rows and returns that block's result. It must touch only its
        own rows of any array it writes.
    n_rows : int
        Rows of the work.
    size : int, optional
        Elements of the work; below :data:`MIN_SIZE` everything runs on the calling thread.
    threads : int, optional
        Default :data:`THREADS`.

    Returns
    -------
    list
        One result per block, in row order.
    """
    threads = THREADS if threads is None else int(threads)
    if threads < 2 or n_rows < 2 or (size is not None and size < MIN_SIZE) or getattr(_INSIDE, "busy", False):
        return [fn(slice(0, int(n_rows)))]
    parts = blocks(n_rows, threads)

    def run(block):
        _INSIDE.busy = True
        try:
            return fn(block)
        finally:
            _INSIDE.busy = False

    futures = [_pool(threads - 1).submit(run, block) for block in parts[1:]]
    try:
        first = [run(parts[0])]
    finally:
        # every block finishes (or raises) before the caller goes on; a block no thread has started yet
        # (the other cores busy, e.g. with a browser) is taken back and run here rather than waited for
        rest = [run(block) if f.cancel() else f.result() for f, block in zip(futures, parts[1:], strict=True)]
    return first + rest


def map_costed(fn: Callable[[object], object], items: list, costs: list) -> list:
    """``[fn(item) for item in items]``, the items dealt to :data:`THREADS` threads by their cost.

    For work whose pieces differ in cost by orders of magnitude (the stretches and chunks
    of a profile): each thread gets, in turn, the costliest piece left while it has the
    least work so far, and runs its pieces in their order. The results are in ``items``'
    order; each is the same whichever thread computes it. Work of fewer than
    :data:`MIN_SIZE` elements in all (``sum(costs)``) runs on the calling thread.
    """
    threads = max(1, THREADS)
    groups, load = [[] for _ in range(threads)], [0] * threads
    for i in sorted(range(len(items)), key=lambda i: -costs[i]):
        least = load.index(min(load))
        groups[least].append(i)
        load[least] += costs[i]
    groups = [sorted(g) for g in groups if g]
    out = [None] * len(items)
    done = map_rows(lambda rows: [[(i, fn(items[i])) for i in g] for g in groups[rows]], len(groups),
                    size=sum(costs))
    for part in done:
        for group in part:
            for i, value in group:
                out[i] = value
    return out
