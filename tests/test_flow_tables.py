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


def test_flow_table_is_the_groupby_table():
    """The numpy flow table (Kahan per strike, as pandas) on sums where plain addition would round differently."""
    rng = np.random.default_rng(7)
    for n, distinct in ((5000, 300), (40, 3), (1, 1)):
        strike = rng.choice(np.round(rng.uniform(50, 150, distinct), 1), size=n)
        shares = rng.standard_normal(n) * 10.0 ** rng.integers(-3, 9, n)  # magnitudes far apart: rounding shows
        shares[rng.random(n) < 0.05] = np.nan  # skipped, as pandas skips them
        groups = np.unique(strike, return_inverse=True)
        pd.testing.assert_frame_equal(gex._flow_table(groups, {"": shares}, 101.5),
                                      _groupby_table(strike, shares, 101.5), check_exact=True)
    empty = gex._flow_table((np.array([]), np.array([], dtype=int)), {"": np.array([])}, 100.0)
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


def test_vanna_flows_reusing_the_deltas_before_the_shift_are_the_groupby_tables():
    snap = datasets.load("intraday_0dte")
    gex._DELTAS.clear()
    aged = whatif.advance_time(snap, 1.0)
    chains = [aged, whatif.advance_time(snap, 3.0), whatif.shift_iv(aged, 0.02)]  # the last: other IVs only
    for dv in (0.01, -0.02):
        for t in chains:  # each chain's deltas before the shift remembered, the next shift of it reuses them
            pd.testing.assert_frame_equal(gex.vanna_flow(t, dv), _vanna_reference(t, dv, "practitioner"),
                                          check_exact=True)
    assert gex._DELTAS.info()["hits"] == len(chains)
