"""Lesson 09's self-check answers, recomputed by routes other than the answer functions.

Per-contract GEX is written out here (Black–Scholes gamma with r = q = 0, act/365 in seconds, practitioner
sign); the cumulative flip is a running sum interpolated by hand, zero gamma a brentq root, and the
dealer-share draws are redrawn from the same seed over the same (strike, type) groups.
"""

import numpy as np
import pandas as pd
from answer_checks import accepted_and_misses_rejected
from scipy.optimize import brentq
from scipy.stats import norm

from gexlib import datasets

YEAR = 365 * 86400
SIGN = {"practitioner": {"C": 1.0, "P": -1.0}, "all_short": {"C": -1.0, "P": -1.0}}




def live(snap):
    o = snap.options.copy()
    o["T"] = (o["expiry"] - snap.asof).dt.total_seconds() / YEAR
    return o[(o["oi"] > 0) & (o["iv"] > 0) & (o["T"] > 0)]


def gex_at(o, S, sign="practitioner"):
    """Dollars per 1% move of each contract at spot S."""
    d1 = (np.log(S / o["strike"]) + 0.5 * o["iv"] ** 2 * o["T"]) / (o["iv"] * np.sqrt(o["T"]))
    gamma = norm.pdf(d1) / (S * o["iv"] * np.sqrt(o["T"]))
    return o["type"].map(SIGN[sign]) * o["oi"] * 100 * gamma * S * S * 0.01


def test_flip_gap_after_spot_up_2pct():
    calm = datasets.load("calm")
    o, S = live(calm), 1.02 * calm.spot
    per = gex_at(o, S).groupby(o["strike"]).sum().sort_index()
    K, cum = per.index.to_numpy(), per.cumsum().to_numpy()
    roots = [K[i] + (K[i + 1] - K[i]) * cum[i] / (cum[i] - cum[i + 1])
             for i in range(len(cum) - 1) if cum[i] * cum[i + 1] < 0]
    flip = min(roots, key=lambda x: abs(x - S))

    def profile(x):
        return float(gex_at(o, x).sum())

    zero = brentq(profile, 0.95 * calm.spot, 0.99 * calm.spot)  # the calm profile's one crossing, below spot
    accepted_and_misses_rejected("09-flip-gap-calm-up2", flip - zero)


def test_negative_share_redrawn_over_the_same_groups():
    calm = datasets.load("calm")
    o = live(calm)
    grouped = gex_at(o, calm.spot).groupby([o["strike"], o["type"]], sort=True).sum()
    shares = np.random.default_rng(0).uniform(0.0, 1.0, size=(500, grouped.size))
    totals = shares @ grouped.to_numpy()
    accepted_and_misses_rejected("09-negative-share-calm", 100 * np.mean(totals < 0))


def test_total_all_short_stressed_is_minus_the_gross():
    stressed = datasets.load("stressed")
    total = float(gex_at(live(stressed), stressed.spot, "all_short").sum()) / 1e9
    accepted_and_misses_rejected("09-total-all-short-stressed", total)
    assert pd.notna(total) and total < 0
