"""Skew, its z-score and the regime classifier: orientation under every sign convention."""

import math

import numpy as np
import pandas as pd
import pytest
from handmade import ASOF, snapshot

from gexlib import gex, regime


def two_strike(spot):
    """Short 1,000 puts at 95 and long 1,000 calls at 102 (practitioner): zero gamma near 98.4."""
    return snapshot([{"strike": 95, "type": "P", "oi": 1000, "iv": 0.2},
                     {"strike": 102, "type": "C", "oi": 1000, "iv": 0.2}], spot=spot)


def test_zero_gamma_orientation_all_signs():
    above, below = two_strike(100.0), two_strike(96.0)
    z = gex.zero_gamma(above).value
    assert below.spot < z < above.spot
    # practitioner: the profile is negative below zero gamma
    assert not regime.negative_side(above, sign="practitioner")
    assert regime.negative_side(below, sign="practitioner")
    # seed: exactly reversed, negative above
    assert regime.negative_side(above, sign="seed")
    assert not regime.negative_side(below, sign="seed")
    # all_short: negative everywhere
    assert regime.negative_side(above, sign="all_short") and regime.negative_side(below, sign="all_short")


def test_regime_tags_all_signs():
    snap = two_strike(100.0)
    r = regime.classify_regime(snap)
    assert r.tag == "long_gamma" and r.fired == []
    assert r.triggers["skew_crushed"] is None  # no history given: not evaluated, not fired
    s = regime.classify_regime(snap, sign="seed")
    assert s.tag == "short_gamma"
    assert s.triggers["total_gex_negative"] and s.triggers["spot_on_negative_side"]
    a = regime.classify_regime(snap, sign="all_short")
    assert a.tag == "short_gamma" and a.triggers["total_gex_negative"]


def test_transition_band():
    z = gex.zero_gamma(two_strike(100.0)).value
    near = two_strike(z * 1.004)  # positive side, within 1% of zero gamma
    r = regime.classify_regime(near)
    assert r.fired == [] and r.tag == "transition"
    assert regime.classify_regime(near, band=0.001).tag == "long_gamma"


def cumulative_chain():
    # practitioner per-strike: -3 at 95, +4 at 102 (chain gamma, units 1e4 $): flip at 95 + 7*3/4 = 100.25
    return snapshot([{"strike": 95, "type": "P", "oi": 1, "chain_gamma": 3.0, "iv": 0.2},
                     {"strike": 102, "type": "C", "oi": 1, "chain_gamma": 4.0, "iv": 0.2}], spot=100.0)


def test_cumulative_orientation():
    snap = cumulative_chain()
    assert gex.flip_strike(snap, gamma="chain").value == pytest.approx(100.25)
    # practitioner: the running sum is negative below the flip, and spot (100) is below it
    assert regime.negative_side(snap, flip="cumulative", gamma="chain", sign="practitioner")
    # seed: the sum is positive below the flip, negative above: spot is on the positive side
    assert not regime.negative_side(snap, flip="cumulative", gamma="chain", sign="seed")
    assert regime.negative_side(snap, flip="cumulative", gamma="chain", sign="all_short")
    r = regime.classify_regime(snap, flip="cumulative", gamma="chain")
    assert r.triggers["spot_on_negative_side"] and not r.triggers["total_gex_negative"]
    assert r.tag == "short_gamma"


def smile_chain(shift=0.0, slope=0.6, spot=100.0):
    """Two expiries (20 and 40 days) with a linear-in-log-moneyness skew: IV = atm - slope * ln(K/S)."""
    rows = []
    for days in (20, 40):
        for k in np.arange(60, 141, 1.0):
            iv = 0.18 + shift - slope * math.log(k / spot)
            for t in "CP":
                rows.append({"strike": k, "type": t, "oi": 10, "iv": iv, "days": days})
    return snapshot(rows, spot=spot)


def test_skew_flat_is_zero_and_skewed_positive():
    assert regime.skew(smile_chain(slope=0.0)) == pytest.approx(0.0, abs=1e-12)
    assert regime.skew(smile_chain(slope=0.6)) > 0.1


def test_skew_falls_when_atm_vol_spikes():
    """A parallel +10 vol-point shift widens the raw risk reversal but the normalised skew falls."""
    calm, spiked = regime.constant_maturity_vols(smile_chain()), regime.constant_maturity_vols(smile_chain(shift=0.10))
    assert spiked["put25"] - spiked["call25"] > calm["put25"] - calm["call25"]
    assert regime.skew(smile_chain(shift=0.10)) < regime.skew(smile_chain())


def test_constant_maturity_interpolates_total_variance():
    ts, vols = np.array([20 / 365, 40 / 365]), np.array([0.20, 0.30])
    t = 30 / 365
    w = 0.2**2 * ts[0] + (0.3**2 * ts[1] - 0.2**2 * ts[0]) * 0.5
    assert regime._constant_maturity(ts, vols, t) == pytest.approx(math.sqrt(w / t))
    assert regime._constant_maturity(ts, vols, 5 / 365) == 0.20  # flat outside
    assert regime._constant_maturity(ts, vols, 90 / 365) == 0.30


def test_skew_zscore_excludes_today():
    x = pd.Series([1.0, 2.0, 3.0, 4.0, 0.0])
    z = regime.skew_zscore(x, window=4)
    prior = np.array([1.0, 2.0, 3.0, 4.0])
    assert z.iloc[-1] == pytest.approx((0.0 - prior.mean()) / prior.std(ddof=1))
    assert z.iloc[:4].isna().all()


def _history(values):
    days = pd.bdate_range(end=ASOF.tz_localize(None).normalize() - pd.Timedelta(days=1), periods=len(values))
    return pd.DataFrame({"skew": values}, index=days)


def test_skew_crushed_trigger():
    snap = smile_chain()
    today = regime.skew(snap)
    rng = np.random.default_rng(1)
    high = _history(today + 0.2 + 0.01 * rng.standard_normal(60))   # today is far below its past
    same = _history(today + 0.01 * rng.standard_normal(60))
    r = regime.classify_regime(snap, history=high)
    assert r.triggers["skew_crushed"] is True and r.tag == "short_gamma"
    assert regime.classify_regime(snap, history=same).triggers["skew_crushed"] is False
    short = _history(today + 0.2 + 0.01 * rng.standard_normal(10))   # too few days for the window
    assert regime.classify_regime(snap, history=short).triggers["skew_crushed"] is None


def test_unknown_flip_definition():
    with pytest.raises(ValueError):
        regime.classify_regime(two_strike(100.0), flip="median")


def test_wing_vols_at_25_delta():
    """The 25-delta put/call vols are the smile's vols at the strikes where |delta| = 0.25."""
    from gexlib import bs

    snap = smile_chain()
    T = 20 / 365
    put, call, atm = regime._expiry_vols(snap.options[snap.options["expiry"] == snap.options["expiry"].min()],
                                         100.0, T, 0.0, 0.0)

    def iv(k):
        return 0.18 - 0.6 * math.log(k / 100.0)

    for vol, kind, target in ((put, "P", -0.25), (call, "C", 0.25)):
        # invert delta(K; iv(K)) = target by bisection, independently of the code under test
        lo, hi = (60.0, 100.0) if kind == "P" else (100.0, 140.0)
        for _ in range(80):
            mid = 0.5 * (lo + hi)
            d = bs.delta(100.0, mid, T, iv(mid), kind=kind)
            if d < target:  # delta falls as the strike rises, for puts and calls alike
                hi = mid
            else:
                lo = mid
        assert vol == pytest.approx(iv(0.5 * (lo + hi)), abs=2e-3)  # 1-point strike grid, linear interpolation
    assert atm == pytest.approx(0.18, abs=1e-9)
    assert put > atm > call
