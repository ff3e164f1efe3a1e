"""Lesson 08's self-check answers, recomputed by routes other than the answer functions.

Black–Scholes delta, gamma and vanna are written out here (r = q = 0, act/365 in seconds); the clock
is moved by hand (not with whatif.advance_time) and zero gamma is found with scipy's brentq on a
profile summed here.
"""

import math

import numpy as np
import pandas as pd
from answer_checks import accepted_and_misses_rejected
from scipy.optimize import brentq
from scipy.stats import norm

from gexlib import datasets

YEAR = 365 * 86400




def columns(snap, asof=None):
    o = snap.options
    T = ((o["expiry"] - (snap.asof if asof is None else asof)).dt.total_seconds() / YEAR).to_numpy()
    side = np.where(o["type"].to_numpy() == "P", -1.0, 1.0)  # practitioner sign
    return o, T, side


def d1(S, K, T, s):
    return (np.log(S / K) + 0.5 * s * s * T) / (s * np.sqrt(T))


def test_charm_24h_stressed_by_deltas_before_and_after():
    snap = datasets.load("stressed")
    o, T, side = columns(snap)
    K, iv, oi = o["strike"].to_numpy(), o["iv"].to_numpy(), o["oi"].to_numpy()
    use = (oi > 0) & (iv > 0) & (T > 0)
    call = o["type"].to_numpy() == "C"

    def delta(T):
        with np.errstate(all="ignore"):
            d = norm.cdf(d1(snap.spot, K, np.maximum(T, 1e-12), iv)) - np.where(call, 0.0, 1.0)
        return np.where(T > 0, d, 0.0)  # settled: no delta, hedge unwound

    change = side * oi * 100 * (delta(T - 1 / 365) - delta(T))
    accepted_and_misses_rejected("08-charm-24h-stressed", float(-np.sum(change[use])))


def test_zero_gamma_stressed_iv_up_by_brentq():
    snap = datasets.load("stressed")
    o, T, side = columns(snap)
    K, iv, oi = o["strike"].to_numpy(), o["iv"].to_numpy() + 0.05, o["oi"].to_numpy()
    use = (oi > 0) & (o["iv"].to_numpy() > 0) & (T > 0)
    K, iv, oi, T, side = K[use], iv[use], oi[use], T[use], side[use]

    def profile(S):
        return float(np.sum(side * oi * norm.pdf(d1(S, K, T, iv)) / (S * iv * np.sqrt(T)))) * S * S

    grid = np.linspace(0.8 * snap.spot, 1.3 * snap.spot, 501)
    values = np.array([profile(S) for S in grid])
    cross = [i for i in range(len(grid) - 1) if values[i] * values[i + 1] < 0]
    roots = [brentq(profile, grid[i], grid[i + 1]) for i in cross]
    nearest = min(roots, key=lambda x: abs(x - snap.spot))
    accepted_and_misses_rejected("08-zero-gamma-iv-up-stressed", nearest)


def test_same_day_share_at_1545_with_the_clock_moved_by_hand():
    snap = datasets.load("intraday_0dte")
    later = snap.asof + pd.Timedelta(hours=5.25)
    o, T, _ = columns(snap, later)
    K, iv, oi = o["strike"].to_numpy(), o["iv"].to_numpy(), o["oi"].to_numpy()
    use = (oi > 0) & (iv > 0) & (T > 0) & (np.abs(K / snap.spot - 1) <= 0.01)
    g = oi * 100 * norm.pdf(d1(snap.spot, K, np.where(use, T, 1.0), iv)) / (snap.spot * iv * np.sqrt(np.where(use, T, 1.0)))
    gross = g * snap.spot**2 * 0.01
    today = (o["expiry"].dt.date == later.date()).to_numpy()
    share = 100 * gross[use & today].sum() / gross[use].sum()
    accepted_and_misses_rejected("08-0dte-share-1545", share)


def test_vanna_of_short_out_of_the_money_puts_sells():
    # vanna = −φ(d1) d2 / σ: negative below the strike's d2 = 0, so a short put's delta rises with IV
    S, K, T, s = 6254.87, 6000.0, 30 / 365, 0.19
    x = d1(S, K, T, s)
    vanna = -norm.pdf(x) * (x - s * math.sqrt(T)) / s
    dealer_delta_change = -1 * vanna  # short one put
    assert dealer_delta_change > 0
    accepted_and_misses_rejected("08-vanna-short-puts", "sell")
