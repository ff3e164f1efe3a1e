"""Hedge tickets by hand and the discrete delta-hedging simulation by its statistics."""


import numpy as np
import pytest

from gexlib import bs, datasets, gex, hedging

MONTH = 21 / 252


def test_ticket_short_calls_by_hand():
    t = hedging.hedge_ticket(-100, 100.0, 101.0, 0.50, 0.05)
    assert t.shares_now == pytest.approx(5000.0)  # 100 contracts x 100 shares x 0.50
    assert t.trade_linear == pytest.approx(500.0)  # delta rises 0.05 per contract share: buy 500
    assert t.trade_exact is None and t.pnl_exact is None
    assert t.shares_after == pytest.approx(5500.0)
    assert t.pnl_linear == pytest.approx(-250.0)  # short gamma: -0.5 x 10,000 x 0.05 x 1^2


def test_ticket_signs_long_puts_and_falls():
    t = hedging.hedge_ticket(20, 50.0, 48.0, -0.30, 0.04, delta1=-0.38, multiplier=10)
    assert t.shares_now == pytest.approx(60.0)  # long puts: buy shares against negative delta
    assert t.trade_linear == pytest.approx(-20 * 10 * 0.04 * -2.0)  # +16: buy into the fall
    assert t.trade_exact == pytest.approx(-20 * 10 * (-0.38 + 0.30))
    assert t.shares_after == pytest.approx(60.0 + t.trade_exact)
    assert t.pnl_linear > 0  # long gamma earns on a move


def test_bs_ticket_matches_black_scholes_and_converges_to_the_linear_one():
    kw = dict(strike=100.0, days=30.0, iv=0.2)
    T = 30 / 365
    t = hedging.bs_ticket(-100, 100.0, 2.0, **kw)
    d0, d1 = bs.delta(100.0, 100.0, T, 0.2), bs.delta(102.0, 100.0, T, 0.2)
    assert t.shares_now == pytest.approx(100 * 100 * d0, rel=1e-12)
    assert t.trade_exact == pytest.approx(100 * 100 * (d1 - d0), rel=1e-12)
    v0, v1 = bs.price(100.0, 100.0, T, 0.2), bs.price(102.0, 100.0, T, 0.2)
    assert t.pnl_exact == pytest.approx(-100 * 100 * (v1 - v0) + t.shares_now * 2.0, rel=1e-12)
    # small moves: exact and gamma estimates agree to first order
    s = hedging.bs_ticket(-100, 100.0, 0.01, **kw)
    assert s.trade_exact == pytest.approx(s.trade_linear, rel=1e-3)
    assert s.pnl_exact == pytest.approx(s.pnl_linear, rel=1e-2)


def test_option_greeks_are_black_scholes():
    g = hedging.option_greeks(105.0, strike=100.0, days=45.0, iv=0.3, kind="P")
    T = 45 / 365
    assert g["price"] == pytest.approx(bs.price(105.0, 100.0, T, 0.3, kind="P"), rel=1e-14)
    assert g["delta"] == pytest.approx(bs.delta(105.0, 100.0, T, 0.3, kind="P"), rel=1e-14)
    assert g["gamma"] == pytest.approx(bs.gamma(105.0, 100.0, T, 0.3), rel=1e-14)
    assert all(type(v) is float for v in g.values())


def test_flow_for_move_is_gex_hedge_flow():
    snap = datasets.load("calm")
    got = hedging.flow_for_move(snap, 0.01)
    want = gex.hedge_flow(snap, snap.spot, snap.spot * 1.01)
    np.testing.assert_allclose(got.to_numpy(dtype=float), want.to_numpy(dtype=float), rtol=1e-12)
    # the linear total is minus total GEX for a +1% move
    assert got["dollars_linear"].iloc[-1] == pytest.approx(-gex.total_gex(snap), rel=1e-9)


# --- the simulation -----------------------------------------------------------------------


def sim(every=1, cost=0.0, n=1000, days=5, seed=7, **kw):
    return hedging.simulate_discrete_hedge(100.0, 100.0, days / 252, 0.2, kw.pop("realised", 0.2), n, 78,
                                           every, cost, seed=seed, **kw)


def test_seeded_runs_are_identical_and_seeds_differ():
    a, b, c = sim(seed=3), sim(seed=3), sim(seed=4)
    np.testing.assert_array_equal(a.pnl, b.pnl)
    assert not np.array_equal(a.pnl, c.pnl)


def test_hedge_error_shrinks_like_the_square_root_of_the_interval():
    stds = {e: sim(every=e, n=1500).std for e in (1, 4, 16)}
    # the same paths hedged at three intervals: each 4x longer interval doubles the spread
    assert stds[4] / stds[1] == pytest.approx(2.0, rel=0.2)
    assert stds[16] / stds[4] == pytest.approx(2.0, rel=0.2)


def test_realised_equal_implied_and_frequent_hedging_breaks_even():
    s = sim(every=1, n=2000, days=10)
    assert abs(s.mean) < 4 * s.stderr
    assert s.std < 0.05 * s.premium  # and the error is small next to the premium
    # a drift, a rate and a dividend do not change that (hedging removes the drift)
    d = sim(every=1, n=2000, days=10, r=0.05, q=0.02, mu=0.25)
    assert abs(d.mean) < 4 * d.stderr


def test_selling_vol_above_realised_earns_the_variance_gap():
    s = sim(every=1, n=1000, days=10, realised=0.15)
    assert s.mean > 10 * s.stderr
    # theta-gamma: the mean is about the premium difference at the two vols
    gap = bs.price(100.0, 100.0, 10 / 252, 0.2) - bs.price(100.0, 100.0, 10 / 252, 0.15)
    assert s.mean == pytest.approx(gap, rel=0.05)


def test_costs_make_frequent_hedging_expensive():
    runs = {e: sim(every=e, cost=0.05, n=800) for e in (1, 6, 39)}
    means = [runs[e].mean for e in (1, 6, 39)]
    assert means[0] < means[1] < means[2]
    # by more than the sampling noise of the means
    assert means[1] - means[0] > 4 * np.hypot(runs[1].stderr, runs[6].stderr)
    assert means[2] - means[1] > 4 * np.hypot(runs[6].stderr, runs[39].stderr)
    traded = [runs[e].shares_traded.mean() for e in (1, 6, 39)]
    assert traded[0] > traded[1] > traded[2]
    free = sim(every=1, cost=0.0, n=800)
    np.testing.assert_allclose(runs[1].pnl, free.pnl - runs[1].cost, rtol=0, atol=1e-12)
    np.testing.assert_allclose(runs[1].cost, 0.05 * runs[1].shares_traded, rtol=1e-12)


def test_kept_paths_end_at_the_final_pnl():
    s = sim(every=6, n=200, keep_paths=5, r=0.03)
    assert s.running_pnl.shape == (5, s.times.size) == s.spot.shape
    np.testing.assert_allclose(s.running_pnl[:, -1], s.pnl[:5], rtol=0, atol=1e-12)
    np.testing.assert_allclose(s.running_pnl[:, 0], 0.0, atol=1e-12)  # fair price at the start
    assert s.spot[0, 0] == 100.0


def test_rebalance_times_follow_the_interval():
    s = sim(every=13, n=10, days=2)
    assert s.times.size == 2 * 78 + 1
    np.testing.assert_allclose(s.rebalance_times, s.times[:-1][::13])


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="rebalance_every"):
        sim(every=0)
    with pytest.raises(ValueError, match="n_paths"):
        sim(n=1)


def test_a_month_of_5_minute_steps_for_2000_paths_has_every_step():
    # its time is printed by `make bench` (benchmarks/library.py), not asserted here
    s = hedging.simulate_discrete_hedge(100.0, 100.0, MONTH, 0.2, 0.2, 2000, 78, 1, seed=0)
    assert s.pnl.shape == (2000,) and s.times.size == 21 * 78 + 1
