"""A second route to the lessons' chain answers: the formulas of lessons 03–05 written out with scipy.

Reads a shipped snapshot's columns (contracts with OI > 0 and IV > 0), takes T = seconds to settlement /
(365 × 86,400) and r = q = 0, and computes gamma, delta, totals, profiles, walks and walls with numpy and
scipy's normal distribution: no call into gexlib.gex, gexlib.bs or gexlib.whatif.
"""

import numpy as np
from scipy.optimize import brentq
from scipy.stats import norm

from gexlib import datasets

SIGNS = {"practitioner": {"C": 1.0, "P": -1.0}, "seed": {"C": -1.0, "P": 1.0}, "all_short": {"C": -1.0, "P": -1.0}}
YEAR = 365.0 * 86400.0


class Chain:
    """Columns of one snapshot as arrays, with open interest scaled per type and signed."""

    def __init__(self, name, call_oi=1.0, put_oi=1.0, sign="practitioner", snap=None, busday262=False):
        snap = datasets.load(name) if snap is None else snap
        o = snap.options
        o = o[(o["oi"] > 0) & (o["iv"] > 0)]
        T = (o["expiry"] - snap.asof).dt.total_seconds().to_numpy() / YEAR
        if busday262:  # Mon–Fri days from the snapshot's date to the expiry's date, at least 1, / 262
            start = np.datetime64(snap.asof.date(), "D")
            end = np.array([np.datetime64(e.date(), "D") for e in o["expiry"]])
            T = np.where(T > 0, np.maximum(np.busday_count(start, end), 1) / 262.0, T)
        o, T = o[T > 0], T[T > 0]
        self.snap, self.options, self.T = snap, o, T
        self.spot = float(snap.spot)
        self.K, self.iv = o["strike"].to_numpy(float), o["iv"].to_numpy(float)
        self.is_call = (o["type"] == "C").to_numpy()
        scale = np.where(self.is_call, call_oi, put_oi)
        s = np.where(self.is_call, SIGNS[sign]["C"], SIGNS[sign]["P"])
        self.weight = s * o["oi"].to_numpy(float) * scale * 100.0  # signed units of the index

    def d1(self, S):
        return (np.log(S / self.K) + 0.5 * self.iv**2 * self.T) / (self.iv * np.sqrt(self.T))

    def gex(self, S=None):
        """Per-contract GEX, $ per 1% move, as if spot were S (each contract's IV held)."""
        S = self.spot if S is None else S
        return self.weight * norm.pdf(self.d1(S)) / (S * self.iv * np.sqrt(self.T)) * S**2 * 0.01

    def total(self, S=None):
        return float(self.gex(S).sum())

    def delta_units(self, S):
        return float(np.sum(self.weight * (norm.cdf(self.d1(S)) - (~self.is_call))))

    def flow(self, move):
        """Exact dealer hedge flow in $ (at today's spot) for a move of ``move`` (decimal); + = buy."""
        s0 = self.spot
        return -(self.delta_units(s0 * (1 + move)) - self.delta_units(s0)) * s0

    def zero_gamma(self, lo=0.8, hi=1.2, n=161):
        """The profile's crossing nearest spot, by a grid scan and brentq; None without one."""
        grid = self.spot * np.linspace(lo, hi, n)
        g = np.array([self.total(S) for S in grid])
        roots = [brentq(self.total, a, b, xtol=1e-6) for a, b, ga, gb in zip(grid[:-1], grid[1:], g[:-1], g[1:], strict=True)
                 if ga * gb < 0]
        return min(roots, key=lambda x: abs(x - self.spot)) if roots else None

    def per_strike(self):
        g = self.gex()
        strikes = np.unique(self.K)
        call = np.array([g[(self.K == k) & self.is_call].sum() for k in strikes])
        put = np.array([g[(self.K == k) & ~self.is_call].sum() for k in strikes])
        return strikes, call, put

    def flip(self):
        """The cumulative walk's sign change nearest spot, linearly interpolated; None without one."""
        strikes, call, put = self.per_strike()
        c = np.cumsum(call + put)
        out = [strikes[i] + (strikes[i + 1] - strikes[i]) * (-c[i]) / (c[i + 1] - c[i])
               for i in range(len(c) - 1) if c[i] * c[i + 1] < 0]
        return min(out, key=lambda x: abs(x - self.spot)) if out else None

    def walls(self):
        strikes, call, put = self.per_strike()
        return float(strikes[np.argmax(np.abs(call))]), float(strikes[np.argmax(np.abs(put))])
