"""The hedging simulations' fast paths against straightforward references written here, bit for bit.

:func:`gexlib.hedging.gbm_paths` draws its normals once per seed and shape and builds the
paths in place; :func:`gexlib.hedging.simulate_discrete_hedge` reads the hedge columns as a
view and forms the hedge gains in place. The references below are the plain expressions
(a fresh draw, concatenation, every column copied); results must be equal to the last bit.
"""

import numpy as np
import pytest

from gexlib import bs, hedging


def ref_gbm_paths(S0, T, sigma, n_paths, n_steps, seed=0, drift=0.0):
    dt = float(T) / n_steps
    times = np.linspace(0.0, float(T), n_steps + 1)
    z = np.random.default_rng(seed).standard_normal((int(n_paths), n_steps))
    log_steps = (drift - 0.5 * sigma**2) * dt + sigma * np.sqrt(dt) * z
    S = float(S0) * np.exp(np.concatenate([np.zeros((int(n_paths), 1)), np.cumsum(log_steps, axis=1)], axis=1))
    return times, S


def ref_discrete_hedge(S0, K, T, sig_i, sig_r, n_paths, steps_per_day, every, cost, seed, kind, r, q, keep):
    n_steps = int(round(float(T) * hedging.TRADING_DAYS * steps_per_day))
    dt = float(T) / n_steps
    times, S = ref_gbm_paths(S0, T, sig_r, n_paths, n_steps, seed=seed, drift=r - q)
    reb = np.arange(0, n_steps, every)
    d_reb = np.asarray(bs.delta(S[:, reb], K, T - times[reb], sig_i, r=r, q=q, kind=kind))
    held = np.repeat(d_reb, np.diff(np.append(reb, n_steps)), axis=1)
    to_expiry = np.exp(r * (T - times))
    gains = held * (S[:, 1:] * np.exp(q * dt) - S[:, :-1] * np.exp(r * dt)) * to_expiry[1:]
    trades = np.abs(np.diff(d_reb, axis=1, prepend=0.0))
    cost_steps = cost * trades * to_expiry[reb]
    unwind = cost * np.abs(d_reb[:, -1])
    premium = float(bs.price(S0, K, T, sig_i, r=r, q=q, kind=kind))
    payoff = np.asarray(bs.price(S[:, -1], K, 0.0, sig_i, kind=kind))
    total_cost = cost_steps.sum(axis=1) + unwind
    pnl = premium * to_expiry[0] - payoff + gains.sum(axis=1) - total_cost
    step_cost = np.zeros((keep, n_steps + 1))
    step_cost[:, reb] = cost_steps[:keep]
    step_cost[:, -1] += unwind[:keep]
    liability = np.asarray(bs.price(S[:keep], K, T - times, sig_i, r=r, q=q, kind=kind)) * to_expiry
    running = (premium * to_expiry[0] - liability
               + np.concatenate([np.zeros((keep, 1)), np.cumsum(gains[:keep], axis=1)], axis=1)
               - np.cumsum(step_cost, axis=1))
    return {"pnl": pnl, "cost": total_cost, "shares_traded": trades.sum(axis=1) + np.abs(d_reb[:, -1]),
            "spot": S[:keep], "running_pnl": running, "times": times, "rebalance_times": times[reb]}


@pytest.mark.parametrize("sigma,drift,seed", [(0.2, 0.0, 0), (0.45, 0.03, 11), (0.05, -0.02, 3)])
def test_gbm_paths_are_the_plain_expression(sigma, drift, seed):
    hedging.NORMALS.clear()
    for _ in range(2):  # drawn, then the normals reused
        times, S = hedging.gbm_paths(100.0, 0.25, sigma, 37, 53, seed=seed, drift=drift)
        ref_times, ref_S = ref_gbm_paths(100.0, 0.25, sigma, 37, 53, seed=seed, drift=drift)
        np.testing.assert_array_equal(times, ref_times)
        np.testing.assert_array_equal(S, ref_S)
    assert hedging.NORMALS.info()["hits"] == 1


def test_paths_with_another_vol_reuse_the_normals_and_differ():
    hedging.NORMALS.clear()
    _, a = hedging.gbm_paths(100.0, 0.25, 0.2, 20, 30, seed=5)
    _, b = hedging.gbm_paths(100.0, 0.25, 0.3, 20, 30, seed=5)
    assert hedging.NORMALS.info() == {"hits": 1, "misses": 1, "size": 1, "maxsize": hedging.PATH_CACHE_SIZE}
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(b, ref_gbm_paths(100.0, 0.25, 0.3, 20, 30, seed=5)[1])
    # a Generator is never cached: each call draws new numbers from it
    rng = np.random.default_rng(5)
    _, c = hedging.gbm_paths(100.0, 0.25, 0.2, 20, 30, seed=rng)
    _, d = hedging.gbm_paths(100.0, 0.25, 0.2, 20, 30, seed=rng)
    np.testing.assert_array_equal(c, a)
    assert not np.array_equal(c, d)


@pytest.mark.parametrize("every,cost,kind,r,q", [(1, 0.0, "C", 0.0, 0.0), (6, 0.01, "P", 0.03, 0.01),
                                                  (12, 0.02, "C", 0.045, 0.013), (1, 0.005, "P", 0.02, 0.0)])
def test_discrete_hedge_is_the_plain_expression(every, cost, kind, r, q):
    args = (100.0, 102.0, 10 / 252, 0.22, 0.27, 60, 78, every, cost)
    sim = hedging.simulate_discrete_hedge(*args, seed=4, kind=kind, r=r, q=q, keep_paths=5)
    ref = ref_discrete_hedge(*args, 4, kind, r, q, 5)
    for name, value in ref.items():
        np.testing.assert_array_equal(getattr(sim, name), value, err_msg=name)
    assert sim.premium == float(bs.price(100.0, 102.0, 10 / 252, 0.22, r=r, q=q, kind=kind))
