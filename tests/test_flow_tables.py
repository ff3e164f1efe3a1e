"""The per-strike flow tables of gex.charm_flow and gex.vanna_flow, summed with numpy, against pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gexlib import bs, datasets, gex, whatif
from gexlib import conventions as cv


def _groupby_table(strike, shares, price) -> pd.DataFrame:
    """The straightforward table: a pandas group-by per strike, then a totals row (strike NaN)."""
    ps = pd.DataFrame({"strike": strike, "shares": shares}).groupby("strike", as_index=False).sum()
    total = ps.drop(columns="strike").sum().to_frame().T.assign(strike=np.nan)
    out = pd.concat([ps, total[ps.columns]], ignore_index=True)
    out["dollars"] = out["shares"] * price
    return out


def test_sums_by_strike_are_pandas_groupby_sums_bit_for_bit():
    rng = np.random.default_rng(7)
    for n, distinct in ((5000, 300), (40, 3), (1, 1)):
        strike = rng.choice(np.round(rng.uniform(50, 150, distinct), 1), size=n)
        values = rng.standard_normal(n) * 10.0 ** rng.integers(-3, 9, n)  # magnitudes far apart: rounding shows
        values[rng.random(n) < 0.05] = np.nan  # skipped, as pandas skips them
        K, sums = gex._sums_by_strike(strike, values)
        ref = pd.Series(values).groupby(strike).sum()
        assert np.array_equal(K, ref.index.to_numpy())
        assert np.array_equal(sums, ref.to_numpy())
    K, sums = gex._sums_by_strike(np.array([]), np.array([]))
    assert K.size == 0 and sums.size == 0
    K, sums = gex._sums_by_strike(np.array([100.0, 100.0]), np.array([np.nan, np.nan]))
    assert K.tolist() == [100.0] and sums.tolist() == [0.0]


def test_share_flow_is_the_groupby_table():
    rng = np.random.default_rng(3)
    strike = rng.choice(np.arange(90.0, 110.0, 2.5), size=500)
    shares = rng.standard_normal(500) * 1e4
    pd.testing.assert_frame_equal(gex._share_flow(strike, shares, 101.5), _groupby_table(strike, shares, 101.5),
                                  check_exact=True)
    empty = gex._share_flow(np.array([]), np.array([]), 100.0)
    assert list(empty.columns) == ["strike", "shares", "dollars"] and len(empty) == 1
    assert np.isnan(empty["strike"].iloc[0]) and empty["shares"].iloc[0] == 0.0


def _charm_reference(snap, hours, sign):
    c = gex.contracts(snap, sign=sign, gamma="model", time="act365", with_gamma=False)
    kind = np.where(c.is_call, "C", "P")
    S = float(snap.spot)
    T1 = cv.year_fraction(snap.options["expiry"].iloc[c.rows], snap.asof + pd.Timedelta(hours=hours), time="act365")
    before = c.weight * bs.delta(S, c.strike, c.T, c.iv, r=c.r, q=c.q, kind=kind)
    after = np.where(T1 > 0, c.weight * bs.delta(S, c.strike, np.maximum(T1, 0.0), c.iv, r=c.r, q=c.q, kind=kind), 0.0)
    return _groupby_table(c.strike, -(after - before), S)


def _vanna_reference(snap, dv, sign):
    c = gex.contracts(snap, sign=sign, gamma="model", with_gamma=False)
    kind = np.where(c.is_call, "C", "P")
    S = float(snap.spot)
    before = bs.delta(S, c.strike, c.T, c.iv, r=c.r, q=c.q, kind=kind)
    after = bs.delta(S, c.strike, c.T, np.maximum(c.iv + dv, cv.IV_FLOOR), r=c.r, q=c.q, kind=kind)
    return _groupby_table(c.strike, -c.weight * (after - before), S)


@pytest.mark.parametrize("name", ["intraday_0dte", "stressed", "spy_calm"])
def test_charm_and_vanna_flows_are_the_groupby_tables(name):
    snap = datasets.load(name)
    for hours, sign in ((0.0, "practitioner"), (1.5, "seed"), (24.0, "all_short")):
        pd.testing.assert_frame_equal(gex.charm_flow(snap, hours, sign=sign), _charm_reference(snap, hours, sign),
                                      check_exact=True)
    aged = whatif.advance_time(snap, 2.0)
    for dv, sign in ((-0.05, "practitioner"), (0.0, "seed"), (0.03, "all_short")):
        pd.testing.assert_frame_equal(gex.vanna_flow(aged, dv, sign=sign), _vanna_reference(aged, dv, sign),
                                      check_exact=True)
