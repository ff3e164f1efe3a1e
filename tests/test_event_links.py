"""What one dashboard event shares between a snapshot and its IV-shifted copy, against plain computations.

Inside :func:`gexlib.gex.reuse`, :func:`gexlib.whatif.shift_iv` notes that its result has its
parent's contracts and quotes: the shifted snapshot's chain is the parent's (not hashed again),
and :func:`gexlib.gex.vanna_flow` of the parent takes the deltas after the shift from those the
shifted snapshot's levels evaluated (when every array they depend on is equal). The references
here are written out: ``bs.delta`` and a pandas group-by per strike, and the same calls outside
a block. On the shipped chains, a hand-made one whose IVs sit under the floor, and the real
downloads when ``GEXLIB_CBOE_DIR`` is set. Also: the deltas now that every charm flow of a chain
starts from, kept across horizons (``gex._DELTAS``, keyed by the bytes of their inputs).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from counting import count_terms
from handmade import snapshot

from gexlib import bs, datasets, gex, read_cboe, whatif
from gexlib import conventions as cv


def _vanna_reference(snap, dv, sign="practitioner", floor=cv.IV_FLOOR):
    """Dealers' vanna flow as the formula reads: deltas before and after the shift, a group-by per strike."""
    c = gex.contracts(snap, sign=sign, gamma="model", with_gamma=False)
    kind = np.where(c.is_call, "C", "P")
    S = float(snap.spot)
    before = bs.delta(S, c.strike, c.T, c.iv, r=c.r, q=c.q, kind=kind)
    after = bs.delta(S, c.strike, c.T, np.maximum(c.iv + dv, floor), r=c.r, q=c.q, kind=kind)
    ps = pd.DataFrame({"strike": c.strike, "shares": -c.weight * (after - before)}).groupby(
        "strike", as_index=False).sum()
    total = ps.drop(columns="strike").sum().to_frame().T.assign(strike=np.nan)
    out = pd.concat([ps, total[ps.columns]], ignore_index=True)
    out["dollars"] = out["shares"] * S
    return out


def _event(aged, dv, sign="practitioner"):
    """What lesson 08's dashboard asks in one event: the shifted chain's levels, then the vanna flow."""
    with gex.reuse():
        t = whatif.shift_iv(aged, dv)
        levels = (gex.total_gex(t, sign=sign), gex.flip_strike(t, sign=sign), gex.walls(t, sign=sign))
        return levels, gex.vanna_flow(aged, dv, sign=sign), t


@pytest.mark.parametrize("name", ["spx_calm.csv", "spx_intraday_0dte.csv", "stressed", "spy_calm"])
def test_vanna_flow_in_an_event_is_the_plain_one(name):
    snap = datasets.load(name)
    for hours, dv, sign in ((0.0, 0.02, "practitioner"), (2.0, -0.05, "seed"), (1.0, 0.0, "all_short"),
                            (3.0, -0.3, "practitioner")):  # -0.3: many IVs at the floor
        aged = whatif.advance_time(snap, hours)
        levels, vanna, t = _event(aged, dv, sign)
        pd.testing.assert_frame_equal(vanna, _vanna_reference(aged, dv, sign), check_exact=True)
        pd.testing.assert_frame_equal(vanna, gex.vanna_flow(aged, dv, sign=sign), check_exact=True)
        assert levels == (gex.total_gex(t, sign=sign), gex.flip_strike(t, sign=sign), gex.walls(t, sign=sign))


def test_the_deltas_after_the_shift_are_evaluated_once(monkeypatch):
    aged = whatif.advance_time(datasets.load("intraday_0dte"), 1.0)
    gex.vanna_flow(aged, 0.01)  # the deltas before any shift remembered (gex._DELTAS)
    evaluated = count_terms(monkeypatch)
    _, vanna, _ = _event(aged, 0.02)
    # the shifted chain's gamma and delta at spot, nothing more: the vanna flow reuses its deltas
    assert sum(evaluated) == gex.contracts(aged).used
    evaluated.clear()
    with gex.reuse():  # another shift than the snapshot made: its deltas are evaluated
        t = whatif.shift_iv(aged, 0.02)
        gex.flip_strike(t)
        other = gex.vanna_flow(aged, 0.03)
    assert sum(evaluated) == 2 * gex.contracts(aged).used
    pd.testing.assert_frame_equal(other, _vanna_reference(aged, 0.03), check_exact=True)
    pd.testing.assert_frame_equal(vanna, _vanna_reference(aged, 0.02), check_exact=True)


def test_a_zero_shift_evaluates_the_deltas_once(monkeypatch):
    """No IV moves: the deltas before and after are the same numbers, evaluated once (the shifted chain's)."""
    aged = whatif.advance_time(datasets.load("intraday_0dte"), 2.5)  # a time no delta was kept for
    gex.clear_caches()
    evaluated = count_terms(monkeypatch)
    _, vanna, _ = _event(aged, 0.0)
    assert sum(evaluated) == gex.contracts(aged).used
    pd.testing.assert_frame_equal(vanna, _vanna_reference(aged, 0.0), check_exact=True)
    assert (vanna["shares"] == 0.0).all()


def test_ivs_under_the_floor_are_not_taken_from_an_unfloored_copy(monkeypatch):
    # shift_iv(…, 0) keeps an IV under the floor as it is; the vanna flow floors it: other deltas
    snap = snapshot([{"strike": 95, "type": "P", "oi": 1000, "iv": 0.005, "days": 3},
                     {"strike": 100, "type": "C", "oi": 2000, "iv": 0.18, "days": 3},
                     {"strike": 105, "type": "C", "oi": 1500, "iv": 0.004, "days": 10}], spot=100.0)
    gex.vanna_flow(snap, 0.01)  # the deltas before any shift remembered (gex._DELTAS)
    evaluated = count_terms(monkeypatch)
    _, vanna, _ = _event(snap, 0.0)
    assert sum(evaluated) == 2 * gex.contracts(snap).used  # the check refused the shifted copy's deltas
    pd.testing.assert_frame_equal(vanna, _vanna_reference(snap, 0.0), check_exact=True)
    assert vanna["shares"].iloc[-1] != 0.0  # flooring moved the deltas: the case can fail


def test_the_shifted_chain_is_the_parents_and_gives_the_plain_numbers():
    snap = datasets.load("spx_calm.csv")
    for carry in ("zero", "parity"):
        outside = gex.contracts(whatif.shift_iv(snap, 0.03), carry=carry)
        with gex.reuse():
            t = whatif.shift_iv(snap, 0.03)
            inside = gex.contracts(t, carry=carry)
            assert gex._chain(t, time=cv.TIME, carry=carry, r=0.0, q=0.0) is gex._chain(
                snap, time=cv.TIME, carry=carry, r=0.0, q=0.0)
        for f in ("rows", "strike", "T", "iv", "weight", "gamma", "r", "q", "is_call"):
            np.testing.assert_array_equal(getattr(inside, f), getattr(outside, f), err_msg=f)
    moved = whatif.apply(snap, spot=snap.spot * 1.01)  # not a shift: no link, its own chain
    with gex.reuse():
        assert gex.memo.lookup("same_quotes", moved, ()) is None
        t = whatif.shift_iv(moved, 0.01)
        assert gex.memo.lookup("same_quotes", t, ()) is moved
    assert gex.memo.lookup("same_quotes", t, ()) is None  # outside a block nothing is noted


@pytest.mark.parametrize("name", ["spx_calm.csv", "spx_intraday_0dte.csv", "stressed"])
def test_strike_groups_are_numpy_unique(name):
    snap = datasets.load(name)
    for t in (snap, whatif.apply(snap, iv_shift=-0.4, put=0.0, spot=snap.spot * 0.98), whatif.advance_time(snap, 5.0)):
        for time in cv.TIME_CONVENTIONS:
            c = gex.contracts(t, time=time, with_gamma=False)
            strikes, labels = gex._strike_groups(t, c, dict(time=time, carry=cv.CARRY, r=0.0, q=0.0))
            ref_strikes, ref_labels = np.unique(c.strike, return_inverse=True)
            np.testing.assert_array_equal(strikes, ref_strikes)
            np.testing.assert_array_equal(labels, ref_labels)


def test_delta_gamma_is_delta_and_gamma_bit_for_bit():
    rng = np.random.default_rng(11)
    S = np.concatenate([rng.uniform(50, 150, 300), [100.0, 0.0, 100.0, 100.0, np.nan]])
    K = np.concatenate([rng.uniform(50, 150, 300), [100.0, 100.0, 0.0, 100.0, 100.0]])
    T = np.concatenate([rng.uniform(-0.1, 2, 300), [0.0, 0.5, 0.5, 0.5, 0.5]])
    sigma = np.concatenate([rng.uniform(0.0, 0.8, 300), [0.2, 0.2, 0.2, 0.0, 0.2]])
    kinds = np.where(rng.random(S.size) < 0.5, "C", "P")
    for kind in ("C", "P", kinds):
        d, g = bs.delta_gamma(S, K, T, sigma, 0.03, 0.01, kind)
        np.testing.assert_array_equal(d, bs.delta(S, K, T, sigma, 0.03, 0.01, kind))
        np.testing.assert_array_equal(g, bs.gamma(S, K, T, sigma, 0.03, 0.01))
    d, g = bs.delta_gamma(100.0, 105.0, 0.25, 0.2, kind="P")
    assert type(d) is float and type(g) is float
    assert (d, g) == (bs.delta(100.0, 105.0, 0.25, 0.2, kind="P"), bs.gamma(100.0, 105.0, 0.25, 0.2))


def test_real_download_vanna_flow_in_an_event(cboe_file):
    aged = read_cboe(cboe_file)
    for dv in (0.02, -0.04):
        _, vanna, _ = _event(aged, dv)
        pd.testing.assert_frame_equal(vanna, _vanna_reference(aged, dv), check_exact=True)


def _charm_reference(snap, hours, sign="practitioner"):
    """Dealers' charm flow as the formula reads: deltas now and ``hours`` later (settled: 0), a group-by per strike."""
    c = gex.contracts(snap, sign=sign, gamma="model", time="act365", with_gamma=False)
    kind = np.where(c.is_call, "C", "P")
    S = float(snap.spot)
    T1 = cv.year_fraction(snap.options["expiry"].iloc[c.rows], snap.asof + pd.Timedelta(hours=hours), time="act365")
    before = c.weight * bs.delta(S, c.strike, c.T, c.iv, r=c.r, q=c.q, kind=kind)
    after = np.where(T1 > 0, c.weight * bs.delta(S, c.strike, np.maximum(T1, 0.0), c.iv, r=c.r, q=c.q, kind=kind),
                     0.0)
    ps = pd.DataFrame({"strike": c.strike, "shares": -(after - before)}).groupby("strike", as_index=False).sum()
    total = ps.drop(columns="strike").sum().to_frame().T.assign(strike=np.nan)
    out = pd.concat([ps, total[ps.columns]], ignore_index=True)
    out["dollars"] = out["shares"] * S
    return out


@pytest.mark.parametrize("name", ["spx_intraday_0dte.csv", "stressed"])
def test_charm_flows_reusing_the_deltas_now_are_the_plain_ones(name):
    snap = datasets.load(name)
    gex._DELTAS.clear()
    for hours in (0.5, 2.0, 6.0):  # the deltas now evaluated once, then taken from gex._DELTAS
        pd.testing.assert_frame_equal(gex.charm_flow(snap, hours), _charm_reference(snap, hours), check_exact=True)
    assert gex._DELTAS.info()["hits"] == 2 and gex._DELTAS.info()["misses"] == 1
    for other in (whatif.shift_iv(snap, 0.02), whatif.apply(snap, spot=snap.spot * 1.01)):  # other IVs, other spot
        pd.testing.assert_frame_equal(gex.charm_flow(other, 2.0), _charm_reference(other, 2.0), check_exact=True)
    assert gex._DELTAS.info()["hits"] == 2 and gex._DELTAS.info()["misses"] == 3
    assert not gex.charm_flow(snap, 2.0).equals(gex.charm_flow(whatif.shift_iv(snap, 0.02), 2.0))
