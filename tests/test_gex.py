"""Exposures, profile and levels on hand-built chains whose answers are known by hand."""

import math

import numpy as np
import pandas as pd
import pytest
from handmade import ASOF, mixed_chain, snapshot

from gexlib import bs, datasets, gex, plots
from gexlib import conventions as cv

SIGNS = ("practitioner", "seed", "all_short")


def test_contract_exposure_matches_formula():
    snap = snapshot([{"strike": 105, "type": "C", "oi": 1234, "iv": 0.3, "days": 20}], spot=101.0)
    T = 20 / 365
    expected = 1 * bs.gamma(101.0, 105.0, T, 0.3) * 1234 * 100 * 101.0**2 * 0.01
    assert gex.total_gex(snap) == pytest.approx(expected, rel=1e-13)
    assert gex.total_gex(snap, sign="seed") == pytest.approx(-expected, rel=1e-13)


def test_dropped_contracts_are_counted():
    c = gex.contracts(mixed_chain())
    assert (c.dropped_oi, c.dropped_iv) == (1, 1)
    assert c.used == len(mixed_chain().options) - 2


@pytest.mark.parametrize("sign", SIGNS)
def test_breakdowns_sum_to_total(sign):
    snap = mixed_chain()
    total = gex.total_gex(snap, sign=sign)
    ps = gex.per_strike_gex(snap, sign=sign)
    assert np.allclose(ps["call"] + ps["put"], ps["net"])
    assert ps["net"].sum() == pytest.approx(total, rel=1e-12)
    assert list(ps["strike"]) == sorted(ps["strike"])
    by_exp = gex.gex_by_expiry(snap, sign=sign)
    assert by_exp["net"].sum() == pytest.approx(total, rel=1e-12)
    buckets = gex.gex_by_expiry(snap, sign=sign, by="bucket")
    assert list(buckets["bucket"]) == list(gex.BUCKETS)
    assert buckets["net"].sum() == pytest.approx(total, rel=1e-12)
    m = gex.gex_matrix(snap, sign=sign)
    assert m.to_numpy().sum() == pytest.approx(total, rel=1e-12)
    assert gex.gex_matrix(snap, sign=sign, value="call").to_numpy().sum() == pytest.approx(ps["call"].sum())


def test_seed_is_exactly_minus_practitioner():
    snap = mixed_chain()
    p = gex.per_strike_gex(snap, sign="practitioner")
    s = gex.per_strike_gex(snap, sign="seed")
    assert np.array_equal(p["net"].to_numpy(), -s["net"].to_numpy())
    assert gex.total_gex(snap, sign="seed") == -gex.total_gex(snap, sign="practitioner")


def test_all_short_is_calls_of_seed_plus_puts_of_practitioner():
    snap = mixed_chain()
    a = gex.per_strike_gex(snap, sign="all_short")
    p = gex.per_strike_gex(snap, sign="practitioner")
    assert np.allclose(a["call"], -p["call"]) and np.allclose(a["put"], p["put"])
    assert (a["net"] <= 0).all()


def test_buckets():
    asof = pd.Timestamp("2025-06-11 10:30", tz=cv.TZ)  # a Wednesday
    exp = pd.to_datetime(pd.Series([
        "2025-06-11 16:00", "2025-06-13 16:00", "2025-06-20 09:30", "2025-06-20 16:00",
        "2025-06-30 16:00", "2025-07-03 16:00", "2026-12-18 16:00",
    ])).dt.tz_localize(cv.TZ)
    assert list(gex.expiry_bucket(exp, asof)) == [
        "0DTE", "weekly", "monthly", "monthly", "quarterly", "weekly", "LEAPS"]


def test_profile_at_spot_equals_model_total():
    snap = mixed_chain()
    for sign in SIGNS:
        prof = gex.gamma_profile(snap, [snap.spot, 90.0], sign=sign)
        assert prof[0] == pytest.approx(gex.total_gex(snap, sign=sign), rel=1e-10)


def test_profile_matches_direct_evaluation_and_chunks():
    snap = mixed_chain()
    spots = np.linspace(60, 140, 333)
    c = gex.contracts(snap)
    direct = [float(np.sum(c.weight * bs.gamma(s, c.strike, c.T, c.iv) * s * s * 0.01)) for s in spots]
    fast = gex.gamma_profile(snap, spots, chunk=50)
    assert np.allclose(fast, direct, rtol=1e-9, atol=1e-9 * np.max(np.abs(direct)))
    call, put, net = gex.gamma_profile(snap, spots, by_type=True)
    assert np.allclose(call + put, net)
    assert (call > 0).all() and (put < 0).all()  # practitioner: calls long, puts short


def test_profile_rejects_nonpositive_spots():
    with pytest.raises(ValueError):
        gex.gamma_profile(mixed_chain(), [100.0, 0.0])


def test_zero_gamma_two_strikes_known_root():
    # Long 1,000 calls at 110 and short 1,000 puts at 90, same IV and expiry: the profile is zero
    # where the two gammas are equal, at sqrt(K1 K2) exp(-sigma^2 T / 2).
    sig, days = 0.2, 30
    snap = snapshot([{"strike": 110, "type": "C", "oi": 1000, "iv": sig, "days": days},
                     {"strike": 90, "type": "P", "oi": 1000, "iv": sig, "days": days}])
    T = days / 365
    expected = math.sqrt(110 * 90) * math.exp(-sig * sig * T / 2)
    z = gex.zero_gamma(snap)
    assert z.value == pytest.approx(expected, abs=1e-4 * snap.spot)
    assert z.crossings == (z.value,)
    assert gex.zero_gamma(snap, sign="seed").value == pytest.approx(z.value, abs=1e-4 * snap.spot)


def test_zero_gamma_none_when_no_crossing():
    snap = snapshot([{"strike": 100, "type": "C", "oi": 10, "iv": 0.2}])
    assert gex.zero_gamma(snap).value is None
    assert gex.zero_gamma(snap).crossings == ()
    assert gex.flip_strike(snap).value is None


def test_zero_gamma_finds_an_hour_to_expiry_spike():
    # A broad long-gamma book plus a short put expiring in one hour at 112: its gamma spike is
    # only sigma*sqrt(T)*K = 0.24 points wide, narrower than the 0.5-point step of the coarse base
    # grid used here; the negative dip must still be found, with both of its crossings.
    rows = [{"strike": k, "type": "C", "oi": 2000, "iv": 0.2, "days": 60} for k in range(70, 135, 5)]
    rows.append({"strike": 112, "type": "P", "oi": 40000, "iv": 0.2, "hours": 1})
    snap = snapshot(rows)
    z = gex.zero_gamma(snap, n=201)  # a coarse base grid (step 0.5) that would step over the spike
    assert len(z.crossings) == 2
    lo, hi = z.crossings
    assert 111 < lo < 112 < hi < 113
    # Independent check: brute force on a fine grid with bs.gamma.
    c = gex.contracts(snap)
    fine = np.linspace(110, 114, 40001)
    g = bs.gamma(fine[:, None], *(np.asarray(getattr(c, k))[None, :] for k in ("strike", "T", "iv")))  # level x contract
    prof = (np.asarray(c.weight) * g).sum(axis=1) * fine * fine * 0.01
    roots = fine[np.flatnonzero(np.diff(np.sign(prof)))]
    assert len(roots) == 2
    assert lo == pytest.approx(roots[0], abs=1e-4 * snap.spot + 1e-4)
    assert hi == pytest.approx(roots[1], abs=1e-4 * snap.spot + 1e-4)
    for r in z.crossings:  # a root: the profile changes sign across +-0.01% of spot
        left, right = gex.gamma_profile(snap, [r - 1e-4 * snap.spot, r + 1e-4 * snap.spot])
        assert left * right < 0


def chain_gamma_chain():
    """Per-strike practitioner exposures -3, +1, +4 (units of 1e4 $) at 90, 100, 110, chain gamma."""
    # exposure = sign * g * OI * 100 * 100^2 * 0.01 = sign * g * 1e4 (OI 1)
    return snapshot([
        {"strike": 90, "type": "P", "oi": 1, "chain_gamma": 3.0},
        {"strike": 100, "type": "C", "oi": 1, "chain_gamma": 1.0},
        {"strike": 110, "type": "C", "oi": 1, "chain_gamma": 4.0},
    ])


def test_flip_strike_by_hand():
    snap = chain_gamma_chain()
    ps = gex.per_strike_gex(snap, gamma="chain")
    assert list(ps["net"]) == pytest.approx([-3e4, 1e4, 4e4])
    f = gex.flip_strike(snap, gamma="chain")  # cumsum -3, -2, +2: crosses at 100 + 10 * 2/4
    assert f.value == pytest.approx(105.0)
    assert f.crossings == pytest.approx((105.0,))
    assert gex.flip_strike(snap, gamma="chain", sign="seed").value == pytest.approx(105.0)


def test_flip_nearest_of_several():
    snap = snapshot([
        {"strike": 80, "type": "P", "oi": 1, "chain_gamma": 1.0},   # -1
        {"strike": 85, "type": "C", "oi": 1, "chain_gamma": 2.0},   # +1   crossing 82.5
        {"strike": 95, "type": "P", "oi": 1, "chain_gamma": 2.0},   # -1   crossing 90
        {"strike": 105, "type": "C", "oi": 1, "chain_gamma": 3.0},  # +2   crossing 95 + 10/3
    ], spot=100.0)
    f = gex.flip_strike(snap, gamma="chain")
    assert f.crossings == pytest.approx((82.5, 90.0, 95 + 10 / 3))
    assert f.value == pytest.approx(95 + 10 / 3)


def test_chain_gamma_only_at_own_spot():
    with pytest.raises(ValueError):
        gex.contracts(chain_gamma_chain(), gamma="chain", spot=101.0)


def test_walls_by_hand_and_sign_independent():
    snap = snapshot([
        {"strike": 90, "type": "P", "oi": 1, "chain_gamma": 3.0},
        {"strike": 95, "type": "P", "oi": 1, "chain_gamma": 2.0},
        {"strike": 95, "type": "P", "oi": 1, "chain_gamma": 2.0, "days": 60},  # 95 sums to 4 > 3
        {"strike": 105, "type": "C", "oi": 1, "chain_gamma": 5.0},
        {"strike": 110, "type": "C", "oi": 1, "chain_gamma": 4.0},
    ])
    for sign in SIGNS:
        assert gex.walls(snap, gamma="chain", sign=sign) == {"call_wall": 105.0, "put_wall": 95.0}


def test_hedge_flow_exact_and_linear():
    snap = mixed_chain()
    c = gex.contracts(snap)
    kind = np.where(c.is_call, "C", "P")

    def dealer_shares(s):
        return float(np.sum(c.weight * bs.delta(s, c.strike, c.T, c.iv, kind=kind)))

    s0, s1 = 100.0, 101.0
    hf = gex.hedge_flow(snap, s0, s1)
    tot = hf.iloc[-1]
    assert math.isnan(tot["strike"])
    assert tot["shares_exact"] == pytest.approx(-(dealer_shares(s1) - dealer_shares(s0)), rel=1e-12)
    # Linear: dealers trade minus GEX x (percentage move), in dollars at s0.
    assert tot["dollars_linear"] == pytest.approx(-gex.total_gex(snap) * 1.0, rel=1e-12)
    assert hf.iloc[:-1][["shares_exact", "shares_linear"]].sum().to_numpy() == pytest.approx(
        tot[["shares_exact", "shares_linear"]].to_numpy())
    # For a small move exact -> linear (error second order in the move).
    small = gex.hedge_flow(snap, s0, s0 + 1e-3).iloc[-1]
    assert small["shares_exact"] == pytest.approx(small["shares_linear"], rel=1e-3)
    err1 = abs(tot["shares_exact"] - tot["shares_linear"])
    err2 = abs(gex.hedge_flow(snap, s0, s0 + 2.0).iloc[-1][["shares_exact", "shares_linear"]].diff().iloc[-1])
    assert 2.5 < err2 / err1 < 6  # quadratic-ish growth of the linearisation error


def test_long_gamma_dealers_sell_into_a_rise():
    snap = snapshot([{"strike": 100, "type": "C", "oi": 100, "iv": 0.2}])
    up = gex.hedge_flow(snap, 100, 101).iloc[-1]
    assert up["shares_exact"] < 0 and up["shares_linear"] < 0
    assert gex.hedge_flow(snap, 100, 101, sign="seed").iloc[-1]["shares_exact"] > 0


def test_bad_convention_names_raise():
    snap = mixed_chain()
    for kw in ({"sign": "dealer"}, {"gamma": "bs"}, {"time": "act360"}):
        with pytest.raises(ValueError, match="is not one of"):
            gex.total_gex(snap, **kw)


def test_busday262_time():
    asof = pd.Timestamp("2025-06-11 10:30", tz=cv.TZ)  # Wednesday
    exp = pd.to_datetime(pd.Series(["2025-06-11 16:00", "2025-06-13 16:00", "2025-06-18 16:00"])).dt.tz_localize(cv.TZ)
    assert list(cv.year_fraction(exp, asof, time="busday262") * 262) == pytest.approx([1, 2, 5])
    assert cv.year_fraction(exp, asof)[0] == pytest.approx(5.5 * 3600 / (365 * 86400))
    assert ASOF.tzinfo is not None


def test_flip_zero_runs_skip_versus_touch():
    # Nothing below 90 (cumulative sum 0 at 80 and 85 via OI = 1, gamma 0), then -3, -2, +2.
    snap = snapshot([
        {"strike": 80, "type": "P", "oi": 1, "chain_gamma": 0.0},
        {"strike": 85, "type": "C", "oi": 1, "chain_gamma": 0.0},
        {"strike": 90, "type": "P", "oi": 1, "chain_gamma": 3.0},
        {"strike": 100, "type": "C", "oi": 1, "chain_gamma": 1.0},
        {"strike": 110, "type": "C", "oi": 1, "chain_gamma": 4.0},
    ])
    assert gex.flip_strike(snap, gamma="chain").crossings == pytest.approx((105.0,))
    touch = gex.flip_strike(snap, gamma="chain", zeros="touch")
    assert touch.crossings == pytest.approx((80.0, 85.0, 105.0))  # 0-0 and 0-(-3) pairs count too
    assert touch.value == pytest.approx(105.0)
    with pytest.raises(ValueError):
        gex.flip_strike(snap, zeros="maybe")


def test_profile_merges_call_put_pairs_exactly():
    """Calls and puts quoted at one IV share their terms; the profile must still match term by term."""
    rows = [{"strike": k, "type": t, "oi": 100 + 7 * k + (50 if t == "C" else 0), "iv": 0.2 + 0.001 * (100 - k),
             "days": d} for d in (1, 30) for k in range(80, 121, 5) for t in "CP"]
    snap = snapshot(rows)
    c = gex.contracts(snap)
    spots = np.linspace(70, 130, 121)
    direct_call = [float(np.sum((c.weight * bs.gamma(s, c.strike, c.T, c.iv))[c.is_call]) * s * s * 0.01)
                   for s in spots]
    direct = [float(np.sum(c.weight * bs.gamma(s, c.strike, c.T, c.iv)) * s * s * 0.01) for s in spots]
    call, put, net = gex.gamma_profile(snap, spots, by_type=True)
    scale = np.max(np.abs(direct))
    assert np.allclose(net, direct, rtol=1e-9, atol=1e-12 * scale)
    assert np.allclose(call, direct_call, rtol=1e-9, atol=1e-12 * scale)


def test_chain_gamma_missing_everywhere_is_an_error_not_zero():
    snap = mixed_chain()  # built without a chain gamma column (NaN everywhere)
    with pytest.raises(ValueError, match="published gamma"):
        gex.total_gex(snap, gamma="chain")


@pytest.fixture(scope="module")
def calm():
    return datasets.load("calm")


def test_zero_gamma_within_is_zero_gamma_over_the_window(calm):
    z = gex.zero_gamma_within(calm)
    assert z == gex.zero_gamma(calm, lo=0.9, hi=1.1, n=401)  # the default scan's 0.05%-of-spot spacing
    full = gex.zero_gamma(calm)
    assert z.value == pytest.approx(full.value, abs=2e-4 * calm.spot)  # both refined to 0.01% of spot
    # a crossing outside the drawn range is not looked for
    assert gex.zero_gamma_within(calm, window=0.02).value is None
    assert abs(full.value / calm.spot - 1) > 0.02


def test_zero_gamma_within_scans_at_the_default_spacing(calm):
    assert gex.SCAN_DENSITY == 2000.0  # 2,001 levels over 0.5-1.5 x spot
    assert gex.zero_gamma_within(calm, 0.05) == gex.zero_gamma(calm, lo=0.95, hi=1.05, n=201)
    assert plots.WINDOW == gex.WINDOW == 0.10


def test_reuse_gives_the_same_numbers_once_per_snapshot_and_nothing_outside():
    snap = datasets.load("calm")
    plain = gex.contracts(snap)
    assert gex.contracts(snap) is not plain  # no block: computed again every call
    with gex.reuse():
        first = gex.contracts(snap)
        assert gex.contracts(snap) is first  # the same snapshot and settings: computed once
        assert gex.contracts(snap, sign="seed") is not first  # other settings: their own entry
        for name in ("strike", "T", "iv", "weight", "gamma", "r", "q"):
            np.testing.assert_array_equal(getattr(first, name), getattr(plain, name))
        with pytest.raises(ValueError):
            first.weight[0] = 0.0  # remembered arrays are read-only: no silent change of later results
        assert gex.total_gex(snap) == pytest.approx(gex.total_gex(snap), rel=0, abs=0)
        moved = snap.__class__(**{**snap.__dict__, "spot": snap.spot * 1.01})
        assert not np.array_equal(gex.contracts(moved).gamma, first.gamma)  # another snapshot object: its own entry
    assert gex.contracts(snap) is not first  # the block ended: nothing is remembered
    total_inside = None
    with gex.reuse():
        total_inside = gex.total_gex(snap)
        flip_inside = gex.flip_strike(snap).value
        zero_inside = gex.zero_gamma_within(snap).value
    assert total_inside == gex.total_gex(snap)
    assert flip_inside == gex.flip_strike(snap).value
    assert zero_inside == gex.zero_gamma_within(snap).value
