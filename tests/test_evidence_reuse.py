"""The evidence comparisons with remembered trailing-vol groups against fresh ones, bit for bit.

:func:`gexlib.evidence._vol_groups` remembers the trailing-vol groups of each bootstrap sample by
its bytes (the sign and quantile comparisons, and every number of GEX quantiles, group the same
resampled days). The groups must be those of :func:`gexlib.evidence.quantile_groups` applied to
each row, and tables computed with them remembered must equal tables computed afresh.
"""

import numpy as np
import pandas as pd

from gexlib import datasets, evidence


def _panel():
    h = datasets.history()
    return evidence.panel(h["spot"], h["gex_practitioner"], horizon=5, window=20)


def test_vol_groups_are_quantile_groups_row_by_row():
    rng = np.random.default_rng(3)
    v = rng.lognormal(-1.5, 0.4, size=(7, 50))
    v[2, :10] = v[2, 10]  # ties
    evidence._VOL_GROUPS.clear()
    for _ in range(2):  # computed, then remembered
        got = evidence._vol_groups(v, 4)
        np.testing.assert_array_equal(got, np.array([evidence.quantile_groups(row, 4) for row in v]))
    assert evidence._VOL_GROUPS.info()["hits"] == 1
    assert not np.array_equal(evidence._vol_groups(v, 3), got)  # another number of groups: its own
    w = v[::-1].copy()  # other samples: their own groups
    np.testing.assert_array_equal(evidence._vol_groups(w, 4), np.array([evidence.quantile_groups(row, 4) for row in w]))


def test_tables_with_remembered_groups_equal_fresh_ones():
    p = _panel()
    kw = dict(draws=300)
    evidence.clear_caches()
    fresh = [evidence.controlled_by_quantile(p, q, 3, **kw) for q in (2, 4)]
    fresh_sign = evidence.controlled_by_sign(p, 3, **kw)
    assert evidence._VOL_GROUPS.info()["hits"] > 0  # the second quantile run and the sign run reused them
    evidence.INTERVALS.clear()
    evidence.INDICES.clear()
    evidence._VOL_GROUPS.clear()
    for q, table in zip((4, 2), fresh[::-1], strict=True):  # the other order: each computed afresh first
        pd.testing.assert_frame_equal(evidence.controlled_by_quantile(p, q, 3, **kw), table, check_exact=True)
    pd.testing.assert_frame_equal(evidence.controlled_by_sign(p, 3, **kw), fresh_sign, check_exact=True)
    assert not fresh[0].equals(fresh[1])


def ref_groups_2d(x, key, keys, q):
    """Quantile group of each value among those sharing its row and key: each (row, key) subset on its own."""
    out = np.zeros(x.shape, dtype=int)
    for i in range(x.shape[0]):
        for k in range(keys):
            at = np.flatnonzero(key[i] == k)
            if at.size:
                out[i, at] = evidence.quantile_groups(x[i, at], q)
    return out


def test_groups_within_keys_are_quantile_groups_of_each_subset():
    rng = np.random.default_rng(11)
    for trial in range(30):
        m, n = int(rng.integers(1, 6)), int(rng.integers(1, 60))
        keys, q = int(rng.integers(2, 6)), int(rng.integers(2, 7))
        x = rng.normal(size=(m, n))
        if trial % 3 == 0:
            x = np.round(x, 1)  # ties
        key = rng.integers(0, keys, size=(m, n))
        if trial % 4 == 0:
            key[:, :] = np.minimum(key, keys - 2)  # a key absent from every row
        np.testing.assert_array_equal(evidence._groups_2d(x, key, keys, q), ref_groups_2d(x, key, keys, q))


def test_ranked_groups_within_keys_are_quantile_groups_of_each_subset():
    """:func:`gexlib.evidence._groups_ranked` (one integer sort per row) against each subset on its own."""
    rng = np.random.default_rng(12)
    for trial in range(40):
        m, n = int(rng.integers(1, 6)), int(rng.integers(1, 60))
        keys, q = int(rng.integers(2, 6)), int(rng.integers(2, 7))
        source = rng.normal(size=int(rng.integers(1, 40)))
        if trial % 3 == 0:
            source = np.round(source, 1)  # ties among the distinct values' sources
        x = source[rng.integers(0, len(source), size=(m, n))]  # resampled, as in the bootstrap: repeats
        u, r = evidence._ranks(source)
        key = rng.integers(0, keys, size=(m, n))
        if trial % 4 == 0:
            key[:, :] = np.minimum(key, keys - 2)  # a key absent from every row
        ranks = np.searchsorted(u, x)
        np.testing.assert_array_equal(u[ranks], x)
        np.testing.assert_array_equal(evidence._groups_ranked(x, ranks, u, key, keys, q), ref_groups_2d(x, key, keys, q))


def test_ranks_place_each_value_and_refuse_nan():
    x = np.array([3.0, -1.0, 3.0, 0.5])
    u, r = evidence._ranks(x)
    np.testing.assert_array_equal(u, [-1.0, 0.5, 3.0])
    np.testing.assert_array_equal(u[r], x)
    assert evidence._ranks(np.array([1.0, np.nan])) is None


def test_controlled_quantiles_by_ranks_equal_the_sorting_path(monkeypatch):
    """The bootstrap of :func:`gexlib.evidence.controlled_by_quantile` with ranks and without: the same table."""
    p = _panel()
    kw = dict(draws=200)
    evidence.clear_caches()
    ranked = [evidence.controlled_by_quantile(p, q, groups, **kw) for q, groups in ((5, 5), (3, 4), (10, 2))]
    evidence.clear_caches()
    monkeypatch.setattr(evidence, "_ranks", lambda x: None)
    sorted_ = [evidence.controlled_by_quantile(p, q, groups, **kw) for q, groups in ((5, 5), (3, 4), (10, 2))]
    evidence.clear_caches()
    for a, b in zip(ranked, sorted_, strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_stationary_bootstrap_equals_its_definition_written_out():
    """The draws against the stated recipe with ``% n`` for the wrap (the function wraps by one subtraction)."""
    for n, draws, block, seed in ((1, 3, 5.0, 1), (7, 40, 1.0, 2), (237, 300, 20.0, 20240612), (50, 10, 3.5, 9)):
        rng = np.random.default_rng(seed)
        t = np.arange(n)[None, :]
        fresh = rng.random((draws, n)) < 1.0 / block
        fresh[:, 0] = True
        start = rng.integers(0, n, size=(draws, n))
        last = np.maximum.accumulate(np.where(fresh, t, 0), axis=1)
        want = (np.take_along_axis(start, last, axis=1) + (t - last)) % n
        np.testing.assert_array_equal(evidence.stationary_bootstrap(n, draws=draws, block=block, seed=seed), want)
