"""Lesson 06's self-check answers, recomputed by routes other than the answer functions.

Each test derives the expected value by hand (closed forms), or re-runs the model's recursion and the
Black–Scholes gamma written out here with numpy and the normal density, then checks that the
registered exercise accepts it and rejects its declared near misses.
"""

import math

import numpy as np
import pytest
from answer_checks import accepted_and_misses_rejected

from gexlib import datasets, hedging
from gexlib.course import exercises

SQRT_2PI = math.sqrt(2 * math.pi)


def bs_gamma(S, K, T, sigma):
    """Black–Scholes gamma, r = q = 0, written out: φ(d1) / (S σ √T)."""
    d1 = (np.log(S / K) + 0.5 * sigma**2 * T) / (sigma * np.sqrt(T))
    return np.exp(-0.5 * d1**2) / SQRT_2PI / (S * sigma * np.sqrt(T))




def test_damping_factor_is_one_over_one_plus_k():
    k = 12 / 40  # GEX $12bn over depth $40bn
    accepted_and_misses_rejected("06-damping-factor", 1 / (1 + k))
    assert not exercises.is_right("06-damping-factor", 1 - k)


def test_lagged_daily_vol_ratio_from_the_stored_news_and_the_recursion_by_hand():
    def daily_vol(gex_value):
        # the news only: S0 = 100 and every argument as in the question
        sim = hedging.simulate_tape(gex_value, 100.0, depth=20e9, sigma_noise=0.20, n_paths=2000,
                                    hedging="lagged", seed=7)
        k = gex_value / 20e9
        r = np.zeros_like(sim.noise)
        prev = np.zeros(sim.noise.shape[0])
        for j in range(sim.noise.shape[1]):  # r_t = ε_t − k r_{t−1}
            r[:, j] = sim.noise[:, j] - k * prev
            prev = r[:, j]
        day = r.sum(axis=1)  # one trading day of 78 steps
        return math.sqrt(252 * np.mean(day**2))

    ratio = daily_vol(-6e9) / daily_vol(6e9)
    accepted_and_misses_rejected("06-daily-vol-ratio-lagged", ratio)
    assert abs(ratio - 1.3 / 0.7) < 0.1  # near the long-run theory, yet not equal to it


def test_min_depth_opex_from_a_profile_written_out():
    snap = datasets.load("opex")
    o = snap.options
    T = ((o["expiry"] - snap.asof).dt.total_seconds() / (365 * 86400)).to_numpy()  # act/365 in seconds
    live = (o["oi"].to_numpy() > 0) & (o["iv"].to_numpy() > 0) & (T > 0)
    side = np.where(o["type"].to_numpy() == "P", -1.0, 1.0)[live]  # practitioner sign
    oi, K, iv, T = o["oi"].to_numpy()[live], o["strike"].to_numpy()[live], o["iv"].to_numpy()[live], T[live]
    spots = np.linspace(0.8 * snap.spot, 1.2 * snap.spot, 401)
    profile = np.array([np.sum(side * oi * 100 * bs_gamma(S, K, T, iv)) * S**2 * 0.01 for S in spots])
    accepted_and_misses_rejected("06-min-depth-opex", np.abs(profile).max() / 1e9)


def test_lagged_autocorrelation_is_minus_k():
    accepted_and_misses_rejected("06-lagged-autocorr-short", -(-6 / 25))


@pytest.mark.parametrize("oi", [7_500])
def test_pin_difference_by_a_simulation_written_out(oi):
    K, hours, depth, sigma, paths, seed = 6450.0, 3.0, 50e9, 0.12, 4000, 6
    n = round(hours * 78 / 6.5)
    dt = 1 / (252 * 78)
    eps = sigma * math.sqrt(dt) * np.random.default_rng(seed).standard_normal((paths, n))
    S, free = np.full(paths, K), np.full(paths, K)
    for j in range(n):
        tau = (n - j) * dt  # trading time left at the step's start
        k = oi * 100 * bs_gamma(S, K, tau, sigma) * S**2 * 0.01 / depth
        S = S * np.exp(eps[:, j] / (1 + k))  # same-step hedging: r = ε / (1 + k)
        free = free * np.exp(eps[:, j])
    band = 0.001 * K
    diff = 100 * (np.mean(np.abs(S - K) <= band) - np.mean(np.abs(free - K) <= band))
    accepted_and_misses_rejected("06-pin-difference-3h", diff)
