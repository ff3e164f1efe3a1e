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
