"""Hedging feedback, pinning and gamma scalping, checked by their statistics (seeded, fast)."""


import numpy as np
import pytest

from gexlib import bs, datasets, gex, hedging

DT = 1.0 / (252 * 78)  # one 5-minute step, years of trading time


@pytest.fixture(scope="module")
def calm():
    return datasets.load("calm")


def tape(gex_value, mode="contemporaneous", depth=20e9, n=2000, seed=11, **kw):
    return hedging.simulate_tape(gex_value, 100.0, depth=depth, sigma_noise=0.20, n_paths=n, hedging=mode,
                                 seed=seed, **kw)


def var_stderr(r, rho=0.0):
    """Standard error of mean(r²) for normal returns with lag-1 autocorrelation rho (AR(1))."""
    v = np.mean(r * r)
    return v * np.sqrt(2.0 * (1 + rho**2) / (1 - rho**2) / r.size)


# --- the tape: contemporaneous hedging ----------------------------------------------------


def test_short_gamma_realises_more_vol_than_long_gamma():
    long_, none, short = (hedging.tape_summary(tape(g))["realised_vol"] for g in (8e9, 0.0, -8e9))
    assert short > none > long_
    # by far more than sampling noise: 2,000 paths x 78 steps, relative error about 0.2% of each
    assert short / long_ > 1.5


def test_short_gamma_book_from_a_chain_realises_more_vol_than_the_long_gamma_one(calm):
    spots, long_book = hedging.feedback_profile(calm, 0.95, 1.05)  # practitioner: dealers long gamma at spot
    _, short_book = hedging.feedback_profile(calm, 0.95, 1.05, sign="seed")  # the same chain, dealers opposite
    np.testing.assert_allclose(short_book, -long_book, rtol=1e-12)
    run = dict(depth=50e9, sigma_noise=0.15, n_paths=1000, seed=5)
    rv = {name: hedging.tape_summary(hedging.simulate_tape((spots, g), calm.spot, **run))["realised_vol"]
          for name, g in (("long", long_book), ("short", short_book))}
    assert rv["short"] > 1.3 * rv["long"]


@pytest.mark.parametrize("k", [0.5, 0.2, -0.3, -0.6])
def test_contemporaneous_variance_ratio_is_one_over_one_plus_k_squared(k):
    s = tape(k * 20e9, n=2000)
    # the step solves r = eps - k r exactly
    np.testing.assert_allclose(s.returns, s.noise / (1 + k), rtol=1e-12)
    np.testing.assert_allclose(s.k, k, rtol=1e-12)
    # and against the news' variance sigma² dt, within sampling error
    ratio = np.mean(s.returns**2) / (0.20**2 * DT)
    se = var_stderr(s.returns) / (0.20**2 * DT)
    assert ratio == pytest.approx(1 / (1 + k) ** 2, abs=4 * se)
    assert abs(hedging.autocorrelation(s.returns)) < 4 / np.sqrt(s.returns.size)  # independent steps
    assert hedging.feedback_theory(k)["step_vol_ratio"] == pytest.approx(1 / (1 + k))


# --- the tape: lagged hedging -------------------------------------------------------------


def test_lagged_hedging_same_one_step_variance_opposite_autocorrelation_different_days():
    k = 0.5
    long_, short_ = tape(k * 20e9, "lagged", n=3000), tape(-k * 20e9, "lagged", n=3000)
    v_long, v_short = np.mean(long_.returns**2), np.mean(short_.returns**2)
    se = np.hypot(var_stderr(long_.returns, k), var_stderr(short_.returns, k))
    assert v_long == pytest.approx(v_short, abs=4 * se)  # one step: the same for +k and -k
    assert v_long / (0.20**2 * DT) == pytest.approx(1 / (1 - k * k), rel=0.03)  # sigma² dt / (1 - k²), stationary
    # long gamma reverses, short gamma trends
    ac_long, ac_short = hedging.autocorrelation(long_.returns), hedging.autocorrelation(short_.returns)
    assert ac_long == pytest.approx(-k, abs=0.02) and ac_short == pytest.approx(k, abs=0.02)
    # so days differ: daily variance ratio below 1 when long, above 1 when short, as the AR(1) says
    vr_long, vr_short = (hedging.variance_ratio(s.returns, 78) for s in (long_, short_))
    assert vr_long == pytest.approx(hedging.feedback_theory(k, "lagged")["variance_ratio"], rel=0.1)
    assert vr_short == pytest.approx(hedging.feedback_theory(-k, "lagged")["variance_ratio"], rel=0.1)
    daily = {name: hedging.realised_vol(hedging.aggregate(s.returns, 78), 1)
             for name, s in (("long", long_), ("short", short_))}
    assert daily["short"] > 2.5 * daily["long"]
    # and the day's range is wider under short gamma
    assert hedging.daily_range(short_.spot).mean() > 1.5 * hedging.daily_range(long_.spot).mean()


def test_lagged_hedging_answers_the_previous_move():
    s = tape(6e9, "lagged", n=50)
    k = 6e9 / 20e9
    np.testing.assert_allclose(s.returns[:, 0], s.noise[:, 0], rtol=1e-12)  # nothing to answer yet
    np.testing.assert_allclose(s.returns[:, 1:], s.noise[:, 1:] - k * s.returns[:, :-1], rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(np.log(s.spot[:, 1:] / s.spot[:, :-1]), s.returns, rtol=1e-9, atol=1e-15)


def test_feedback_theory_closed_forms():
    t = hedging.feedback_theory(0.4, "lagged", q=5)
    rho = -0.4
    vr = 1 + 2 * sum((1 - j / 5) * rho**j for j in range(1, 5))
    assert t == pytest.approx({"step_vol_ratio": 1 / np.sqrt(1 - 0.16), "autocorrelation": rho,
                               "variance_ratio": vr, "daily_vol_ratio": np.sqrt(vr) / np.sqrt(1 - 0.16)})
    assert hedging.feedback_theory(-0.4, "contemporaneous") == pytest.approx(
        {"step_vol_ratio": 1 / 0.6, "daily_vol_ratio": 1 / 0.6, "autocorrelation": 0.0, "variance_ratio": 1.0})
    with pytest.raises(ValueError, match="k = GEX/depth"):
        hedging.feedback_theory(1.0, "lagged")


# --- the guard ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", hedging.HEDGING_MODES)
def test_the_guard_refuses_k_of_one_and_accepts_099(mode):
    for g in (20e9, -20e9, 30e9):
        with pytest.raises(ValueError, match=r"depth=\$20\.00bn.*k = GEX/depth = [+-]1\.(00|50)") as err:
            tape(g, mode, n=10)
        assert "GEX" in str(err.value) and "|k| < 1" in str(err.value)
    for g in (0.99 * 20e9, -0.99 * 20e9):
        s = tape(g, mode, n=10)
        assert np.all(np.isfinite(s.spot)) and np.abs(s.k).max() == pytest.approx(0.99)


def test_the_guard_checks_the_whole_profile_and_names_where():
    spots, g = hedging.linear_profile(100.0, -5e9, -2e9, lo=0.9, hi=1.1)  # -25bn at 110
    with pytest.raises(ValueError, match=r"at spot 110\.00"):
        hedging.simulate_tape((spots, g), 100.0, depth=20e9, sigma_noise=0.2, n_paths=5)
    hedging.simulate_tape((spots, g), 100.0, depth=26e9, sigma_noise=0.2, n_paths=5)  # |k| <= 0.96
    with pytest.raises(ValueError, match="depth"):
        hedging.simulate_tape(1e9, 100.0, depth=0.0, sigma_noise=0.2)
    with pytest.raises(ValueError, match="hedging"):
        hedging.simulate_tape(1e9, 100.0, depth=1e10, sigma_noise=0.2, hedging="delayed")
    with pytest.raises(ValueError, match="increasing"):
        hedging.simulate_tape((spots[::-1], g), 100.0, depth=1e11, sigma_noise=0.2)
    with pytest.raises(TypeError, match="pair"):
        hedging.simulate_tape("big", 100.0, depth=1e11, sigma_noise=0.2)


# --- the profile is computed once ---------------------------------------------------------


def test_the_profile_is_computed_once_and_only_interpolated(calm, monkeypatch):
    calls = []
    real = gex.gamma_profile
    monkeypatch.setattr(gex, "gamma_profile", lambda *a, **k: calls.append(1) or real(*a, **k))
    profile = hedging.feedback_profile(calm)
    assert len(calls) == 1 and profile[0].size == hedging.PROFILE_LEVELS
    assert profile[0][0] == pytest.approx(0.8 * calm.spot) and profile[0][-1] == pytest.approx(1.2 * calm.spot)

    def forbidden(*a, **k):
        raise AssertionError("the chain was re-valued during the simulation")

    for module, name in ((gex, "gamma_profile"), (gex, "_profile"), (gex, "contracts"), (bs, "gamma")):
        monkeypatch.setattr(module, name, forbidden)
    s = hedging.simulate_tape(profile, calm.spot, depth=60e9, sigma_noise=0.15, days=3, n_paths=200, seed=1)
    assert len(calls) == 1 and s.returns.shape == (200, 3 * 78)
    # k at each step is the profile interpolated at the step's starting spot
    np.testing.assert_allclose(s.k, np.interp(s.spot[:, :-1], *profile) / 60e9, rtol=1e-12)


def test_pinning_evaluates_gamma_once_on_its_grid(monkeypatch):
    calls = []
    real = bs.gamma
    monkeypatch.setattr(bs, "gamma", lambda *a, **k: calls.append(np.shape(a[0])) or real(*a, **k))
    hedging.clear_caches()  # a run cached by another test would evaluate nothing
    res = hedging.pin_probability(6450.0, 5000, 3.0, depth=50e9, n_paths=500)
    assert len(calls) == 1 and res.sim.returns.shape == (500, 36)
    spots, tau, grid = hedging.pin_profile(6450.0, 5000, 3.0, spot0=6450.0, sigma=0.12)
    assert grid.shape == (spots.size, 36) and np.all(np.diff(tau) < 0) and tau[-1] == pytest.approx(DT)
    assert np.diff(spots).max() <= 0.12 * np.sqrt(DT) * 6450.0 / 8 * (1 + 1e-9)  # finer than the last spike


# --- squeeze ------------------------------------------------------------------------------


def test_a_squeeze_profile_amplifies_rallies_more_than_selloffs(calm):
    # seed sign: dealers short the calls overhead, shorter gamma the higher spot goes
    spots, g = hedging.feedback_profile(calm, 0.95, 1.05, sign="seed")
    assert g[-1] < g[spots.size // 2] < 0
    s = hedging.simulate_tape((spots, g), calm.spot, depth=50e9, sigma_noise=0.15, days=5, n_paths=1500, seed=2)
    amp = hedging.move_amplification(s)
    assert amp["up"] > amp["down"] + 0.3 and amp["down"] > 1.0
    # the same for a synthetic linear profile
    lin = hedging.linear_profile(100.0, -6e9, -2e9, lo=0.97, hi=1.03)
    a = hedging.move_amplification(hedging.simulate_tape(lin, 100.0, depth=20e9, sigma_noise=0.15, days=5,
                                                         n_paths=1500, seed=2))
    assert a["up"] > a["down"] > 1.0
    # no dealers: no amplification
    none = hedging.move_amplification(hedging.simulate_tape(0.0, 100.0, depth=20e9, sigma_noise=0.15, n_paths=100))
    assert none == pytest.approx({"up": 1.0, "down": 1.0})


# --- pinning ------------------------------------------------------------------------------


def test_pinning_beats_the_baseline_and_rises_with_open_interest():
    table = hedging.pin_scan(6450.0, oi=[0, 4000, 8000, 14000], hours=2.0, depth=50e9, n_paths=3000, seed=3)
    p, base, se = table["probability"].to_numpy(), table["baseline"].to_numpy(), table["stderr"].to_numpy()
    assert p[0] == base[0] and se[0] == 0.0  # no open interest: the baseline itself
    assert np.all(base == base[0])  # the same noise in every run
    assert np.all(p[1:] - base[1:] > 4 * se[1:])
    assert np.all(np.diff(p) > 0) and p[-1] - p[1] > 0.05
    assert np.all(np.diff(table["k_max"]) > 0) and table["k_max"].iloc[-1] < 1


def test_pinning_needs_time_near_the_strike_and_short_gamma_repels():
    kw = dict(depth=50e9, n_paths=3000, seed=4)
    near = hedging.pin_probability(6450.0, 10000, 1.0, **kw)
    assert near.difference > 4 * near.stderr
    away = hedging.pin_probability(6450.0, 10000, 1.0, spot0=6450.0 * 1.02, **kw)  # 8 sigmas of the hour away
    assert abs(away.difference) <= 0.002
    short = hedging.pin_probability(6450.0, -10000, 1.0, **kw)
    assert -short.difference > 4 * short.stderr
    with pytest.raises(ValueError, match="pin_probability: unstable feedback"):
        hedging.pin_probability(6450.0, 40000, 1.0, **kw)


# --- summaries by hand --------------------------------------------------------------------


def test_summary_helpers_by_hand():
    r = np.array([[0.01, -0.01, 0.01, -0.01], [0.02, -0.02, 0.02, -0.02]])
    assert hedging.realised_vol(r, steps_per_day=4) == pytest.approx(np.sqrt(252 * 4 * 0.00025))
    assert hedging.autocorrelation(r) == pytest.approx(-1.0)
    assert hedging.autocorrelation(r, lag=2) == pytest.approx(1.0)
    np.testing.assert_allclose(hedging.aggregate(r, 2), 0.0, atol=1e-15)
    assert hedging.variance_ratio(r, 2) == pytest.approx(0.0, abs=1e-12)
    assert hedging.variance_ratio(np.ones((3, 6)), 3) == pytest.approx(3.0)  # a pure trend
    S = np.array([[100.0, 102.0, 99.0, 101.0, 104.0, 100.0]])
    np.testing.assert_allclose(hedging.daily_range(S, steps_per_day=2), [[3 / 100, 5 / 99]])  # last day partial
    with pytest.raises(ValueError, match="lag"):
        hedging.autocorrelation(r, lag=4)
    with pytest.raises(ValueError, match="whole day"):
        hedging.daily_range(S, steps_per_day=9)


def test_tape_summary_is_the_helpers(calm):
    s = tape(-4e9, "lagged", n=300, days=2)
    t = hedging.tape_summary(s)
    assert t["realised_vol"] == hedging.realised_vol(s.returns)
    assert t["daily_vol"] == hedging.realised_vol(hedging.aggregate(s.returns, 78), 1)
    assert t["autocorrelation"] == hedging.autocorrelation(s.returns)
    assert t["variance_ratio"] == hedging.variance_ratio(s.returns, 78)
    assert t["daily_range"] == pytest.approx(hedging.daily_range(s.spot).mean())
    assert t["k_start"] == t["k_min"] == t["k_max"] == pytest.approx(-0.2)
    assert all(type(v) is float for v in t.values())
    np.testing.assert_allclose(s.flow, 0.2 * 20e9 * 100 * s.returns, rtol=1e-12)  # short gamma buys rallies
    np.testing.assert_allclose(s.baseline[:, -1], 100.0 * np.exp(s.noise.sum(axis=1)), rtol=1e-12)
    short_day = hedging.tape_summary(tape(1e9, n=5, days=0.5))
    assert np.isnan(short_day["daily_vol"]) and np.isfinite(short_day["realised_vol"])


# --- gamma scalping -----------------------------------------------------------------------


def scalp(implied=0.20, realised=0.20, every=1, n=1500, days=5, seed=21, **kw):
    return hedging.simulate_gamma_scalp(100.0, 100.0, days / 252, implied, realised, n, 78, every, seed=seed, **kw)


@pytest.fixture(scope="module")
def scalps():
    """Hedged every 5 minutes: realised equal to, above and below implied (20%)."""
    return {"fair": scalp(), "up": scalp(realised=0.25), "down": scalp(realised=0.15)}


def test_long_gamma_earns_when_realised_beats_implied_and_pays_when_not(scalps):
    up, down, fair = scalps["up"], scalps["down"], scalps["fair"]
    assert up.mean > 5 * up.stderr and down.mean < -5 * down.stderr
    assert abs(fair.mean) < 4 * fair.stderr  # realised = implied, hedged every 5 minutes: no edge
    assert fair.std < 0.05 * fair.premium


def test_the_gamma_theta_approximation_tracks_each_path(scalps):
    for s in scalps.values():
        assert s.approx_correlation > 0.8
        np.testing.assert_allclose(s.pnl, s.scalps - s.theta_paid, rtol=0, atol=1e-12)
        np.testing.assert_allclose(s.approx, s.approx_scalps - s.approx_theta, rtol=1e-12)
        # theta paid is the sum of theta x dt; Black-Scholes theta is ½σ²S²Γ with r = q = 0
        assert np.mean(s.theta_paid) == pytest.approx(np.mean(s.approx_theta), rel=0.01)
        assert np.all(s.theta_paid > 0)
    # the premium is a Black-Scholes straddle
    T = 5 / 252
    assert scalps["fair"].premium == pytest.approx(bs.price(100, 100, T, 0.2) + bs.price(100, 100, T, 0.2, kind="P"))


def test_spread_grows_with_the_rebalancing_interval():
    stds = [scalp(every=e, n=1000).std for e in (1, 6, 39)]
    assert stds[0] < stds[1] < stds[2]
    assert stds[2] / stds[1] == pytest.approx(np.sqrt(39 / 6), rel=0.25)  # hedging error ~ sqrt(interval)
    assert scalp(every=39, n=1000).approx_correlation < 0.5  # the approximation is per step, the hedge is not


def test_short_volatility_is_the_mirror_and_loses_when_realised_beats_implied():
    long_, short = scalp(realised=0.30, n=800), scalp(realised=0.30, n=800, position=-1.0)
    np.testing.assert_allclose(short.pnl, -long_.pnl, rtol=1e-12)
    np.testing.assert_allclose(short.theta_paid, -long_.theta_paid, rtol=1e-12)  # the short collects theta
    assert short.mean < -5 * short.stderr


def test_calls_and_puts_scalp_like_half_a_straddle():
    c, p, s = scalp(n=400, kind="C"), scalp(n=400, kind="P"), scalp(n=400)
    np.testing.assert_allclose(c.approx + p.approx, s.approx, rtol=1e-9)
    np.testing.assert_allclose(c.pnl + p.pnl, s.pnl, rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match="kind"):
        scalp(kind="strangle")
    with pytest.raises(ValueError, match="rebalance_every"):
        scalp(every=0)


# --- determinism and speed ----------------------------------------------------------------


def test_seeded_runs_repeat_and_seeds_differ():
    # each second run after emptying the caches, so that it is simulated again, not looked up
    a, c = tape(-4e9, n=50, seed=1), tape(-4e9, n=50, seed=2)
    hedging.clear_caches()
    b = tape(-4e9, n=50, seed=1)
    np.testing.assert_array_equal(a.spot, b.spot)
    assert not np.array_equal(a.spot, c.spot)
    np.testing.assert_array_equal(tape(4e9, n=50, seed=1).noise, a.noise)  # the same news for any book
    x = scalp(n=50, seed=3)
    hedging.clear_caches()
    y = scalp(n=50, seed=3)
    np.testing.assert_array_equal(x.pnl, y.pnl)
    assert not np.array_equal(x.pnl, scalp(n=50, seed=4).pnl)
    p = hedging.pin_probability(6450.0, 5000, 1.0, depth=50e9, n_paths=200, seed=9)
    hedging.clear_caches()
    q = hedging.pin_probability(6450.0, 5000, 1.0, depth=50e9, n_paths=200, seed=9)
    assert (p.probability, p.baseline) == (q.probability, q.baseline)


def test_scalp_summary_is_plain_floats_that_add_up(scalps):
    up = scalps["up"]
    s = hedging.scalp_summary(up)
    assert all(type(x) is float for x in s.values()), {k: type(x) for k, x in s.items()}
    assert s["mean"] == pytest.approx(s["scalps"] - s["theta_paid"], abs=1e-12)  # pnl = scalps − theta, per path
    assert s["mean"] == float(np.mean(up.pnl)) and s["std"] == float(np.std(up.pnl, ddof=1))
    assert s["stderr"] == pytest.approx(s["std"] / np.sqrt(up.pnl.size))
    # realised 25% above implied 20%: long gamma earns, and the ½ΓS²(r² − σ²dt) sum agrees with the P&L
    assert s["mean"] > 5 * s["stderr"] and s["approx"] == pytest.approx(s["mean"], rel=0.15)
    assert 0.9 < s["approx_correlation"] <= 1.0 and s["premium"] == up.premium
