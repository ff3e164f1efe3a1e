"""Lesson 07's self-check answers, recomputed by routes other than the answer functions.

Black–Scholes gamma, theta, price and delta are written out here (r = q = 0) with the normal density
and ``math.erf``; the hedged P&L of the spread exercise is summed by hand over the library's paths.
"""

import math

import numpy as np
from answer_checks import accepted_and_misses_rejected

from gexlib import datasets, hedging

SQRT_2PI = math.sqrt(2 * math.pi)


def N(x):
    return 0.5 * (1 + np.vectorize(math.erf)(np.asarray(x) / math.sqrt(2)))


def phi(x):
    return np.exp(-0.5 * np.asarray(x) ** 2) / SQRT_2PI


def d1(S, K, T, s):
    return (np.log(S / K) + 0.5 * s * s * T) / (s * np.sqrt(T))


def gamma(S, K, T, s):
    return phi(d1(S, K, T, s)) / (S * s * np.sqrt(T))


def theta_per_day(S, K, T, s):
    """Call and put alike with r = q = 0: −S φ(d1) σ / (2√T), per year, over 365."""
    return -S * phi(d1(S, K, T, s)) * s / (2 * np.sqrt(T)) / 365




def test_formula_day():
    g = 2 * gamma(100.0, 100.0, 30 / 365, 0.20)
    accepted_and_misses_rejected("07-formula-day", 0.5 * g * 100.0**2 * (0.09 - 0.04) / 365)


def test_theta_straddle():
    accepted_and_misses_rejected("07-theta-straddle", 100 * 2 * theta_per_day(6250.0, 6250.0, 14 / 365, 0.13))


def test_spread_ratio_from_a_hedge_summed_by_hand():
    T, n = 5 / 252, 5 * 78
    _, S = hedging.gbm_paths(100.0, T, 0.20, 300, n, seed=7)
    tau = T - np.arange(n + 1) * (T / n)

    def straddle(S, tau):
        if tau <= 0:
            return np.abs(S - 100.0), np.sign(S - 100.0)
        x = d1(S, 100.0, tau, 0.20)
        call = S * N(x) - 100.0 * N(x - 0.20 * math.sqrt(tau))
        return 2 * call - S + 100.0, 2 * N(x) - 1  # put-call parity with r = q = 0

    def spread(every):
        pnl = straddle(S[:, -1], 0.0)[0] - straddle(S[:, 0], T)[0]
        for i in range(0, n, every):
            delta = straddle(S[:, i], tau[i])[1]
            pnl = pnl - delta * (S[:, min(i + every, n)] - S[:, i])
        return np.std(pnl, ddof=1)

    accepted_and_misses_rejected("07-spread-ratio", spread(78) / spread(12))


def test_stressed_dealers_are_short_gamma_by_a_sum_written_out():
    snap = datasets.load("stressed")
    o = snap.options
    T = ((o["expiry"] - snap.asof).dt.total_seconds() / (365 * 86400)).to_numpy()
    live = (o["oi"].to_numpy() > 0) & (o["iv"].to_numpy() > 0) & (T > 0)
    side = np.where(o["type"].to_numpy() == "P", -1.0, 1.0)
    total = np.sum((side * o["oi"].to_numpy() * gamma(snap.spot, o["strike"].to_numpy(), T, o["iv"].to_numpy()))[live])
    assert total < 0  # short gamma: with one IV the book pays when realised beats implied
    accepted_and_misses_rejected("07-stressed-dealers", "lose")


def test_book_theta_opex_written_out():
    snap = datasets.load("opex")
    o = snap.options
    T = ((o["expiry"] - snap.asof).dt.total_seconds() / (365 * 86400)).to_numpy()
    live = (o["oi"].to_numpy() > 0) & (o["iv"].to_numpy() > 0) & (T > 0)
    side = np.where(o["type"].to_numpy() == "P", -1.0, 1.0)[live]
    th = theta_per_day(snap.spot, o["strike"].to_numpy()[live], T[live], o["iv"].to_numpy()[live])
    accepted_and_misses_rejected("07-book-theta-opex", float(np.sum(side * o["oi"].to_numpy()[live] * 100 * th)) / 1e6)
