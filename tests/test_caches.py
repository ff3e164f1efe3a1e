"""The bounded caches of the simulations and bootstraps: same numbers, recomputed when an input changes, bounded."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from gexlib import evidence, hedging, memo
from gexlib.course import widgets


def assert_same(a, b):
    """Every field of two result dataclasses equal, arrays bit for bit."""
    assert type(a) is type(b)
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and x.shape == y.shape and np.array_equal(x, y, equal_nan=True), f.name
        elif dataclasses.is_dataclass(x):
            assert_same(x, y)
        else:
            assert x == y, f.name


@pytest.fixture(autouse=True)
def empty():
    hedging.clear_caches()
    evidence.clear_caches()
    yield
    hedging.clear_caches()
    evidence.clear_caches()


# --- the cache itself -----------------------------------------------------------------------


def test_lru_keeps_the_most_recent_results_and_no_more():
    cache, made = memo.LRU(2), []

    def make(k):
        return lambda: made.append(k) or np.arange(3) * k

    a = cache.get("a", make(1))
    assert cache.get("a", make(99)) is a and made == [1]  # a hit computes nothing
    cache.get("b", make(2))
    cache.get("a", make(99))  # "a" is now the most recent
    cache.get("c", make(3))  # drops "b", the least recent
    assert len(cache) == 2 and cache.info() == {"hits": 2, "misses": 3, "size": 2, "maxsize": 2}
    cache.get("b", make(2))
    assert made == [1, 2, 3, 2]
    assert not a.flags.writeable  # a cached array cannot be changed under the next caller
    with pytest.raises(ValueError):
        memo.LRU(-1)
    nothing = memo.LRU(0)
    nothing.get("a", make(4)), nothing.get("a", make(4))
    assert len(nothing) == 0 and made[-2:] == [4, 4]


def test_keep_carries_a_snapshots_results_to_later_scopes(monkeypatch):
    from gexlib import datasets, gex, whatif

    snap = whatif.advance_time(datasets.load("spx_intraday_0dte.csv"), 1.0)
    made = []
    real = gex._contracts
    monkeypatch.setattr(gex, "_contracts", lambda *a, **k: made.append(1) or real(*a, **k))
    kept = {}
    memo.keep(snap, kept)  # outside a scope: nothing happens
    assert kept == {}
    with memo.scope():
        memo.keep(snap, kept)
        first = gex.contracts(snap, with_gamma=False)
        whatif.shift_iv(snap, 0.01)  # a snapshot made from it: not carried (memo.PER_SCOPE)
    assert len(made) == 1 and kept
    assert {k[0] for k in kept} >= {"contracts", "contracts_base", "chain", "quotes_key"}
    assert not {k[0] for k in kept} & memo.PER_SCOPE
    assert all(value[0] is snap for value in kept.values())
    with memo.scope():
        memo.keep(snap, kept)
        assert gex.contracts(snap, with_gamma=False) is first  # remembered, not made again
    assert len(made) == 1
    with memo.scope():  # a scope that does not keep it computes afresh, the same numbers
        again = gex.contracts(snap, with_gamma=False)
    assert len(made) == 2 and again is not first and np.array_equal(again.weight, first.weight)
    other = whatif.advance_time(datasets.load("spx_intraday_0dte.csv"), 2.0)
    with memo.scope(), pytest.raises(ValueError, match="another snapshot"):
        memo.keep(other, kept)


def test_array_keys_tell_arrays_apart_bit_for_bit():
    x = np.array([1.0, 2.0, 3.0])
    assert memo.array_key(x) == memo.array_key(x.copy())
    assert memo.array_key(x) != memo.array_key(np.nextafter(x, 4.0))
    assert memo.array_key(x) != memo.array_key(x.reshape(3, 1))
    assert memo.array_key(x) != memo.array_key(x.astype(np.float32))


# --- gamma scalping -------------------------------------------------------------------------

SCALP = dict(S0=100.0, K=100.0, T=10 / 252, sigma_implied=0.20, sigma_realised=0.25, n_paths=200,
             steps_per_day=78, rebalance_every=6, seed=5)


def scalp(**kw):
    return hedging.simulate_gamma_scalp(**{**SCALP, **kw})


def test_a_cached_scalp_equals_a_fresh_one():
    first = scalp()
    cached = scalp()
    assert hedging.SCALPS.info()["hits"] == 1
    hedging.clear_caches()
    assert_same(first, cached)
    assert_same(first, scalp())


def test_the_interval_and_the_implied_vol_reuse_what_they_do_not_change():
    base = scalp()
    daily = scalp(rebalance_every=78)
    revalued = scalp(sigma_implied=0.25)
    assert hedging.PATHS.info()["misses"] == 1 and hedging.VALUATIONS.info()["misses"] == 2
    hedging.clear_caches()
    assert_same(daily, scalp(rebalance_every=78))
    hedging.clear_caches()
    assert_same(revalued, scalp(sigma_implied=0.25))
    assert not np.array_equal(base.pnl, daily.pnl) and not np.array_equal(base.pnl, revalued.pnl)
    np.testing.assert_array_equal(base.theta_paid, daily.theta_paid)  # time decay does not depend on the hedge


def test_the_side_only_scales_the_cached_simulation_exactly():
    long = scalp(position=1.0)
    short = scalp(position=-1.0)
    double = scalp(position=2.0)
    assert hedging.SCALPS.info()["misses"] == 1  # one simulation for the three positions
    hedging.clear_caches()
    assert_same(short, scalp(position=-1.0))
    hedging.clear_caches()
    assert_same(double, scalp(position=2.0))
    np.testing.assert_array_equal(short.pnl, -long.pnl)


@pytest.mark.parametrize("change", [dict(sigma_realised=0.30), dict(sigma_implied=0.25), dict(rebalance_every=1),
                                    dict(kind="C"), dict(seed=6), dict(n_paths=201), dict(K=101.0),
                                    dict(T=9 / 252), dict(mu=0.05), dict(S0=101.0)])
def test_every_scalp_parameter_changes_the_result(change):
    base = scalp()
    other = scalp(**change)
    assert hedging.SCALPS.info()["misses"] == 2
    assert not np.array_equal(base.pnl, other.pnl)  # n_paths: one more path


def test_rehedge_approx_reuses_the_cached_paths():
    sim = scalp()
    misses = hedging.PATHS.info()["misses"]
    approx = hedging.rehedge_approx(sim)
    assert hedging.PATHS.info()["misses"] == misses
    hedging.clear_caches()
    np.testing.assert_array_equal(approx, hedging.rehedge_approx(sim))


def test_simulation_caches_are_bounded():
    for i in range(hedging.SCALPS.maxsize + 3):
        scalp(n_paths=20, seed=i)
    assert len(hedging.SCALPS) == hedging.SCALPS.maxsize
    assert len(hedging.PATHS) == len(hedging.VALUATIONS) == hedging.PATH_CACHE_SIZE
    for i in range(hedging.CACHE_SIZE + 2):
        hedging.simulate_tape(-1e9, 100.0, depth=20e9, sigma_noise=0.1, n_paths=10, seed=i)
        hedging.pin_probability(100.0, 1000, 1.0, depth=50e9, n_paths=10, seed=i)
    assert len(hedging.TAPES) == len(hedging.PINS) == hedging.CACHE_SIZE


def test_a_generator_seed_is_never_cached():
    a = scalp(seed=np.random.default_rng(1))
    b = scalp(seed=np.random.default_rng(1))
    assert len(hedging.SCALPS) == 0 and hedging.SCALPS.info()["hits"] == 0
    assert_same(dataclasses.replace(a, params={}), dataclasses.replace(b, params={}))


# --- the tape and the pin -------------------------------------------------------------------

TAPE = dict(S0=100.0, depth=20e9, sigma_noise=0.15, n_paths=100, seed=3, days=1)


def tape(profile=-5e9, **kw):
    return hedging.simulate_tape(profile, **{**TAPE, **kw})


def test_a_cached_tape_equals_a_fresh_one_and_its_arrays_are_read_only():
    profile = hedging.linear_profile(100.0, -5e9, -1e9)
    first = tape(profile)
    assert tape(profile) is first
    hedging.clear_caches()
    assert_same(first, tape(profile))
    with pytest.raises(ValueError):
        first.spot[0, 0] = 1.0


@pytest.mark.parametrize("change", [dict(depth=25e9), dict(sigma_noise=0.16), dict(seed=4), dict(hedging="lagged"),
                                    dict(scale=0.5), dict(S0=101.0), dict(days=2), dict(mu=0.5)])
def test_every_tape_parameter_changes_the_result(change):
    profile = hedging.linear_profile(100.0, -5e9, -1e9)
    assert not np.array_equal(tape(profile).spot[:, -1], tape(profile, **change).spot[:, -1])
    assert hedging.TAPES.info()["misses"] == 2


def test_a_changed_profile_is_a_new_simulation():
    spots, values = hedging.linear_profile(100.0, -5e9, -1e9)
    a = tape((spots, values))
    b = tape((spots, values * 1.01))
    assert hedging.TAPES.info() == {"hits": 0, "misses": 2, "size": 2, "maxsize": hedging.CACHE_SIZE}
    assert not np.array_equal(a.spot, b.spot)
    assert tape((spots.copy(), values.copy())) is a  # equal arrays, not the same objects: a hit


def test_a_cached_pin_equals_a_fresh_one_and_parameters_matter():
    first = hedging.pin_probability(6450.0, 8000, 1.0, depth=50e9, n_paths=300, seed=2)
    again = hedging.pin_probability(6450.0, 8000, 1.0, depth=50e9, n_paths=300, seed=2)
    assert again is first
    hedging.clear_caches()
    assert_same(first, hedging.pin_probability(6450.0, 8000, 1.0, depth=50e9, n_paths=300, seed=2))
    for change in (dict(oi=9000), dict(hours=1.5), dict(depth=60e9)):
        args = {**dict(oi=8000, hours=1.0, depth=50e9), **change}
        other = hedging.pin_probability(6450.0, args.pop("oi"), args.pop("hours"), n_paths=300, seed=2, **args)
        assert not np.array_equal(other.sim.spot[:, -1], first.sim.spot[:, -1])


# --- the bootstrap --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def panel():
    price, gex, _ = widgets.evidence_series()
    return evidence.panel(price, gex, horizon=1, window=20)


def test_a_cached_bootstrap_equals_a_fresh_one(panel):
    tables = [evidence.by_sign(panel), evidence.controlled_by_sign(panel, 3), evidence.by_quantile(panel, 5),
              evidence.controlled_by_quantile(panel, 5, 3)]
    assert evidence.INTERVALS.info()["misses"] == 4 and evidence.INDICES.info()["misses"] == 1
    again = [evidence.by_sign(panel), evidence.controlled_by_sign(panel, 3), evidence.by_quantile(panel, 5),
             evidence.controlled_by_quantile(panel, 5, 3)]
    assert evidence.INTERVALS.info()["hits"] == 4
    evidence.clear_caches()
    fresh = [evidence.by_sign(panel), evidence.controlled_by_sign(panel, 3), evidence.by_quantile(panel, 5),
             evidence.controlled_by_quantile(panel, 5, 3)]
    for a, b, c in zip(tables, again, fresh, strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
        pd.testing.assert_frame_equal(a, c, check_exact=True)


def test_every_bootstrap_setting_and_input_changes_the_interval(panel):
    base = evidence.by_sign(panel)
    changed = [evidence.by_sign(panel, seed=1), evidence.by_sign(panel, draws=500), evidence.by_sign(panel, block=2.0),
               evidence.by_sign(panel, confidence=0.9), evidence.by_sign(panel.iloc[1:])]
    assert evidence.INTERVALS.info()["misses"] == 6
    for t in changed:
        assert t.loc["difference", "low"] != base.loc["difference", "low"]
    shifted = panel.assign(forward_vol=panel["forward_vol"] * 1.01)  # same days, other values
    assert evidence.by_sign(shifted).loc["negative", "forward_vol"] != base.loc["negative", "forward_vol"]
    assert evidence.by_quantile(panel, 4).shape[0] == 5 and evidence.by_quantile(panel, 6).shape[0] == 7


def test_bootstrap_caches_are_bounded_and_indices_stay_private(panel):
    for seed in range(evidence.CACHE_SIZE + 2):
        evidence.by_sign(panel, draws=20, seed=seed)
    assert len(evidence.INTERVALS) == evidence.CACHE_SIZE
    assert len(evidence.INDICES) == evidence.INDICES.maxsize
    idx = evidence.stationary_bootstrap(50, draws=10)
    idx[:] = 0  # the caller's copy: the cached indices are untouched
    assert evidence.stationary_bootstrap(50, draws=10).any()


# --- the dashboards -------------------------------------------------------------------------


def test_the_scalping_side_does_not_run_the_simulation_again():
    dash = widgets.scalping_dashboard(n_paths=100)
    misses = hedging.SCALPS.info()["misses"]
    long_mean = dash.state["mean"]
    dash.controls["side"].value = "short"
    assert hedging.SCALPS.info()["misses"] == misses
    assert dash.state["mean"] == -long_mean
    valued, simulated = hedging.VALUATIONS.info()["misses"], hedging.PATHS.info()["misses"]
    dash.controls["interval"].value = "1 hour"  # re-hedges the valued paths
    assert hedging.SCALPS.info()["misses"] == misses + 1 and hedging.VALUATIONS.info()["misses"] == valued
    dash.controls["implied"].value = 0.25  # revalues the same paths
    assert hedging.VALUATIONS.info()["misses"] == valued + 1 and hedging.PATHS.info()["misses"] == simulated
    dash.controls["realised"].value = 0.30  # new paths
    assert hedging.PATHS.info()["misses"] == simulated + 1


def test_the_evidence_quantiles_do_not_bootstrap_the_sign_comparisons_again():
    dash = widgets.evidence_dashboard(draws=100)
    before = dict(dash.state)
    misses = evidence.INTERVALS.info()["misses"]
    dash.controls["quantiles"].value = 4
    assert evidence.INTERVALS.info()["misses"] == misses + 2  # the two quantile tables only
    assert {k: dash.state[k] for k in ("raw_difference", "ctl_difference_low")} == \
        {k: before[k] for k in ("raw_difference", "ctl_difference_low")}
    assert dash.state["raw_spread"] != before["raw_spread"]
    dash.controls["horizon"].value = 2
    assert evidence.INTERVALS.info()["misses"] == misses + 6
