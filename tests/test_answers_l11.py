"""Lesson 11's self-check answers, recomputed by routes other than the answer functions.

Per-contract GEX is written out here (Black–Scholes gamma with a rate and a dividend yield, act/365 in
seconds, practitioner sign); the cumulative flip is a running sum interpolated by hand and zero gamma a
brentq root.
"""

import numpy as np
from answer_checks import accepted_and_misses_rejected
from scipy.optimize import brentq
from scipy.stats import norm

from gexlib import datasets

YEAR = 365 * 86400




def live(snap):
    o = snap.options.copy()
    o["T"] = (o["expiry"] - snap.asof).dt.total_seconds() / YEAR
    return o[(o["oi"] > 0) & (o["iv"] > 0) & (o["T"] > 0)]


def gex_at(o, S, r=0.0, q=0.0):
    """Dollars per 1% move of each contract at spot S: e^{-qT} φ(d1) / (S σ √T) × OI × 100 × S² × 1%."""
    vol = o["iv"] * np.sqrt(o["T"])
    d1 = (np.log(S / o["strike"]) + (r - q + 0.5 * o["iv"] ** 2) * o["T"]) / vol
    gamma = np.exp(-q * o["T"]) * norm.pdf(d1) / (S * vol)
    return o["type"].map({"C": 1.0, "P": -1.0}) * o["oi"] * 100 * gamma * S * S * 0.01


def test_regime_under_the_cumulative_flip():
    day = datasets.load("intraday_0dte")
    o = live(day)
    per = gex_at(o, day.spot).groupby(o["strike"]).sum().sort_index()
    K, cum = per.index.to_numpy(), per.cumsum().to_numpy()
    roots = [K[i] + (K[i + 1] - K[i]) * cum[i] / (cum[i] - cum[i + 1])
             for i in range(len(cum) - 1) if cum[i] * cum[i + 1] < 0]
    flip = min(roots, key=lambda x: abs(x - day.spot))
    assert cum[-1] > 0 and day.spot < flip  # total positive, spot on the running sum's negative side
    accepted_and_misses_rejected("11-regime-cumulative-0dte", "short_gamma")


def test_dealer_share_break_even():
    day = datasets.load("intraday_0dte")
    o = live(day)
    g = gex_at(o, day.spot)
    accepted_and_misses_rejected("11-breakeven-ratio-0dte", -g[o["type"] == "P"].sum() / g[o["type"] == "C"].sum())


def test_zero_gamma_with_carry():
    day = datasets.load("intraday_0dte")
    o = live(day)

    def profile(S):
        return float(gex_at(o, S, r=0.045, q=0.013).sum())

    grid = np.linspace(0.9 * day.spot, day.spot, 201)
    values = np.array([profile(S) for S in grid])
    i = max(j for j in range(len(grid) - 1) if values[j] * values[j + 1] < 0)  # the crossing nearest spot, below it
    accepted_and_misses_rejected("11-carry-zero-gamma-0dte", brentq(profile, grid[i], grid[i + 1]))
