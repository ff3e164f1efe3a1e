"""Row blocks evaluated side by side (:mod:`gexlib.parallel`): same results as one thread, bit for bit."""

import threading

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gexlib import hedging, parallel


@given(st.integers(0, 5000), st.integers(1, 9))
def test_blocks_cover_the_rows_in_order_with_sizes_within_one(n, parts):
    got = parallel.blocks(n, parts)
    rows = [i for b in got for i in range(n)[b]]
    assert rows == list(range(n))
    sizes = [b.stop - b.start for b in got]
    assert len(got) == max(1, min(parts, n)) and (n == 0 or (min(sizes) >= 1 and max(sizes) - min(sizes) <= 1))


def test_map_rows_returns_each_block_in_row_order_from_several_threads():
    seen = set()
    taken = threading.Event()

    def fn(block):
        seen.add(threading.get_ident())
        if block.start == 0:  # the calling thread's block: until a pool thread has taken one of the others
            taken.wait(timeout=10)
        else:
            taken.set()
        return (block.start, block.stop)

    assert parallel.map_rows(fn, 10, threads=3) == [(0, 4), (4, 7), (7, 10)]
    assert len(seen) >= 2  # the calling thread and at least one of the pool's
    assert parallel.map_rows(fn, 10, threads=1) == [(0, 10)]
    assert parallel.map_rows(fn, 10, size=parallel.MIN_SIZE - 1, threads=3) == [(0, 10)]  # small: not split


def test_map_costed_deals_work_by_cost_and_returns_results_in_order(monkeypatch):
    # one piece as costly as the hundred others together: it gets a thread of its own, and the
    # results come back in the pieces' order
    monkeypatch.setattr(parallel, "THREADS", 2)
    costs = [10**6] + [10**4] * 100
    ran = {}
    taken = threading.Event()

    def fn(i):
        ran[i] = threading.get_ident()
        if i == 0 and len(costs) == 101 and parallel.THREADS == 2:  # the calling thread's piece: until the
            taken.wait(timeout=10)  # pool thread has taken the others (a block not started is taken back)
        else:
            taken.set()
        return i * i

    assert parallel.map_costed(fn, list(range(101)), costs) == [i * i for i in range(101)]
    assert len(set(ran.values())) == 2
    assert all(ran[i] != ran[0] for i in range(1, 101))
    monkeypatch.setattr(parallel, "THREADS", 1)  # one thread, or little work: all on the calling thread
    ran.clear()
    assert parallel.map_costed(fn, list(range(101)), costs) == [i * i for i in range(101)]
    assert set(ran.values()) == {threading.get_ident()}
    monkeypatch.setattr(parallel, "THREADS", 2)
    ran.clear()
    parallel.map_costed(fn, [1, 2, 3], [10, 10, 10])
    assert set(ran.values()) == {threading.get_ident()}


def test_a_block_no_thread_has_started_is_run_by_the_caller():
    """Every pool thread busy (as when a browser keeps the other core): the caller does not wait for them."""
    pool = parallel._pool(1)
    release, started = threading.Event(), threading.Semaphore(0)

    def busy():
        started.release()
        release.wait(timeout=30)

    blockers = [pool.submit(busy) for _ in range(pool._max_workers)]
    try:
        for _ in blockers:
            assert started.acquire(timeout=10)  # every pool thread is taken
        seen = []
        got = parallel.map_rows(lambda b: seen.append(threading.get_ident()) or (b.start, b.stop), 10, threads=2)
        assert got == [(0, 5), (5, 10)]
        assert seen == [threading.get_ident()] * 2  # both blocks run here, while the pool stays busy
        assert not any(b.done() for b in blockers)
    finally:
        release.set()


def test_work_started_inside_a_block_runs_on_that_thread():
    def inner(block):
        return parallel.map_rows(lambda b: (b.start, b.stop), 6, threads=2)

    assert parallel.map_rows(inner, 4, threads=2) == [[(0, 6)], [(0, 6)]]


def test_an_error_in_any_block_reaches_the_caller():
    def fn(block):
        if block.start > 0:
            raise ValueError("bad block")
        return 1

    with pytest.raises(ValueError, match="bad block"):
        parallel.map_rows(fn, 4, threads=2)


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_bad_thread_counts_are_refused(monkeypatch, value):
    monkeypatch.setenv("GEXLIB_THREADS", value)
    with pytest.raises(ValueError, match="GEXLIB_THREADS"):
        parallel._threads()


def test_thread_count_from_the_environment(monkeypatch):
    monkeypatch.setenv("GEXLIB_THREADS", "3")
    assert parallel._threads() == 3
    monkeypatch.delenv("GEXLIB_THREADS")
    assert 1 <= parallel._threads() <= 2


@pytest.mark.parametrize("kind", ["straddle", "C", "P"])
def test_simulations_are_the_same_on_any_number_of_threads(monkeypatch, kind):
    """Paths and the valued book computed in 1, 2 and 3 blocks of paths: equal arrays."""
    def run():
        hedging.PATHS.clear(), hedging.VALUATIONS.clear()
        sim = hedging.simulate_gamma_scalp(100.0, 102.0, 5 / 252, 0.2, 0.3, 301, 78, 6, kind=kind, seed=5)
        return sim.pnl, sim.theta_paid, sim.scalps, hedging.gbm_paths(100.0, 0.1, 0.25, 203, 500, seed=9)[1]

    results = []
    for threads in (1, 2, 3):
        monkeypatch.setattr(parallel, "THREADS", threads)
        results.append(run())
    for other in results[1:]:
        for a, b in zip(results[0], other, strict=True):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(("kind", "every"), [("C", 1), ("P", 6)])
def test_discrete_hedges_are_the_same_on_any_number_of_threads(monkeypatch, kind, every):
    results = []
    for threads in (1, 2, 3):
        monkeypatch.setattr(parallel, "THREADS", threads)
        sim = hedging.simulate_discrete_hedge(100.0, 100.0, 21 / 252, 0.2, 0.25, n_paths=257, steps_per_day=39,
                                              rebalance_every=every, kind=kind, seed=4, keep_paths=3)
        results.append((sim.pnl, sim.cost, sim.shares_traded, sim.running_pnl))
    for other in results[1:]:
        for a, b in zip(results[0], other, strict=True):
            np.testing.assert_array_equal(a, b)


def test_bootstrap_intervals_are_the_same_on_any_number_of_threads(monkeypatch):
    from gexlib import datasets, evidence

    h = datasets.history()
    p = evidence.panel(h["spot"], h["gex_practitioner"], horizon=2, window=20)
    tables = []
    for threads in (1, 2, 3):
        monkeypatch.setattr(parallel, "THREADS", threads)
        evidence.clear_caches()
        tables.append([evidence.by_sign(p, draws=700), evidence.by_quantile(p, 4, draws=700),
                       evidence.controlled_by_sign(p, 3, draws=700), evidence.controlled_by_quantile(p, 4, 3, draws=700)])
    evidence.clear_caches()
    for other in tables[1:]:
        for a, b in zip(tables[0], other, strict=True):
            assert a.equals(b)


def test_a_cache_used_from_several_threads_keeps_its_books():
    from concurrent.futures import ThreadPoolExecutor

    from gexlib import memo

    cache = memo.LRU(3)
    keys = np.random.default_rng(0).integers(0, 6, size=20_000)

    def use(part):
        for k in part:
            assert cache.get(int(k), lambda k=k: np.full(2, k))[0] == k

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(use, np.array_split(keys, 8)))
    info = cache.info()
    assert info["hits"] + info["misses"] == len(keys) and info["size"] == 3


@pytest.mark.parametrize("name", ["spx_calm.csv", "spx_intraday_0dte.csv"])
def test_profiles_are_the_same_on_any_number_of_threads(monkeypatch, name):
    from gexlib import datasets, gex

    snap = datasets.load(name)
    spots = np.linspace(0.9, 1.1, 301) * snap.spot
    results = []
    for threads in (1, 2, 3):
        monkeypatch.setattr(parallel, "THREADS", threads)
        gex.clear_caches()
        results.append((gex.gamma_profile(snap, spots), gex.gamma_profile(snap, spots[:9]),
                        gex.zero_gamma(snap).crossings))
    gex.clear_caches()
    for other in results[1:]:
        np.testing.assert_array_equal(results[0][0], other[0])
        np.testing.assert_array_equal(results[0][1], other[1])
        assert results[0][2] == other[2]


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_a_forked_child_splits_work_with_its_own_threads():
    import multiprocessing

    parallel.map_rows(lambda b: b.start, 4, threads=2)  # the parent's pool exists
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        got = pool.apply_async(_in_child).get(timeout=60)
    assert got == [0, 2]


def _in_child():
    return parallel.map_rows(lambda b: b.start, 4, threads=2)
