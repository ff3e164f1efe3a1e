"""Answers of lesson 01's exercises (computed from gexlib.bs, never written down)."""

import numpy as np

from ... import bs
from ... import conventions as cv
from ..registry import exercise

#: Exercise 01-gamma-otm-put: spot, strike, calendar days, IV of the put.
OTM_PUT = (100.0, 95.0, 14.0, 0.25)
#: Exercise 01-book-gamma: (contracts, type, strike, calendar days, IV); + long, − short.
BOOK = ((+30, "C", 100.0, 14.0, 0.20), (-40, "P", 95.0, 30.0, 0.25), (-10, "C", 100.0, 2.0, 0.18))
#: Spot at which the book's gamma is asked for.
BOOK_SPOT = 98.0


def _atm_ratio(iv, year=365.0):
    return bs.gamma(6250.0, 6250.0, 1 / year, iv) / bs.gamma(6250.0, 6250.0, 30 / year, iv)


@exercise(
    "01-gamma-otm-put", rtol=0.005,
    question="Black–Scholes gamma of a put with spot 100, strike 95, 14 calendar days to expiry "
             "(T = 14/365), IV 25%, r = q = 0; per $1 of spot and per unit of the underlying, to within 0.5%.",
    hint="bs.gamma(S, K, T, sigma) with T in years (calendar days / 365) and sigma as a decimal; "
         "gamma is the same for a call and a put.",
    near_misses=lambda: {
        "trading-day clock, T = 14/252": bs.gamma(100.0, 95.0, 14 / 252, 0.25),
        "per contract (× multiplier 100)": cv.MULTIPLIER * bs.gamma(100.0, 95.0, 14 / 365, 0.25),
        "the at-the-money option (strike 100)": bs.gamma(100.0, 100.0, 14 / 365, 0.25),
        "the lesson's 30-day horizon": bs.gamma(100.0, 95.0, 30 / 365, 0.25),
        "the put's delta": bs.delta(100.0, 95.0, 14 / 365, 0.25, kind="P"),
    },
)
def _gamma_otm_put():
    S, K, days, iv = OTM_PUT
    return bs.gamma(S, K, days / 365.0, iv)


@exercise(
    "01-gamma-ratio", atol=2e-4,
    question="Spot = strike = 6250, IV 13%, r = q = 0, T = calendar days / 365: by what factor is the "
             "Black–Scholes gamma of the 1-day option larger than that of the 30-day option "
             "(gamma at 1 day divided by gamma at 30 days), to within 0.0002?",
    hint="divide bs.gamma(S, K, 1/365, sigma) by bs.gamma(S, K, 30/365, sigma); near the money gamma "
         "scales like 1/sqrt(T), but not exactly.",
    near_misses=lambda: {
        "the approximation sqrt(30)": float(np.sqrt(30.0)),
        "the lesson's ratio at IV 20%": _atm_ratio(0.20),
        "trading-day clock, T = days / 252": _atm_ratio(0.13, 252.0),
        "the inverse ratio": 1.0 / _atm_ratio(0.13),
    },
)
def _gamma_ratio():
    return _atm_ratio(0.13)


def _book(spot=BOOK_SPOT, year=365.0, signed=True, multiplier=cv.MULTIPLIER, legs=BOOK):
    return float(sum((n if signed else abs(n)) * multiplier * bs.gamma(spot, K, days / year, iv)
                     for n, _, K, days, iv in legs))


@exercise(
    "01-book-gamma", rtol=0.005,
    question="A book holds long 30 calls strike 100 (14 days, IV 20%), short 40 puts strike 95 (30 days, "
             "IV 25%) and short 10 calls strike 100 (2 days, IV 18%); multiplier 100, r = q = 0, "
             "T = calendar days / 365. Its gamma at spot 98, in shares per $1 move of spot, to within 0.5%?",
    hint="sum contracts × multiplier × bs.gamma(spot, strike, days / 365, iv) over the three lines, "
         "with short positions negative; gamma is the same for a call and a put.",
    near_misses=lambda: {
        "every position counted long": _book(signed=False),
        "per unit, without the multiplier": _book(multiplier=1.0),
        "trading-day clock, T = days / 252": _book(year=252.0),
        "without the 2-day calls": _book(legs=BOOK[:2]),
        "at spot 100 instead of 98": _book(spot=100.0),
    },
)
def _book_gamma():
    return _book()


@exercise(
    "01-short-straddle-sign",
    question="Is the gamma of a short straddle (short one call and short one put, same strike and expiry) "
             "positive or negative? Answer 'positive' or 'negative'.",
    hint="what is the sign of one long option's gamma, and what does selling an option do to it?",
    near_misses=lambda: {"the long straddle's sign": "positive"},
)
def _short_straddle_sign():
    g = -(bs.gamma(100.0, 100.0, 30 / 365, 0.20) + bs.gamma(100.0, 100.0, 30 / 365, 0.20))
    return "negative" if g < 0 else "positive"


@exercise(
    "01-gamma-atm", rtol=0.005,
    question="Black–Scholes gamma of a call with spot 100, strike 100, 30 calendar days to expiry "
             "(T = 30/365), IV 20%, r = q = 0; per $1 of spot, to within 0.5%.",
    hint="bs.gamma(S, K, T, sigma) with T in years; gamma is the same for a call and a put.",
    near_misses=lambda: {
        "trading-day clock, T = 30/252": bs.gamma(100.0, 100.0, 30 / 252, 0.20),
        "per contract (× multiplier 100)": cv.MULTIPLIER * bs.gamma(100.0, 100.0, 30 / 365, 0.20),
        "the call's delta": bs.delta(100.0, 100.0, 30 / 365, 0.20),
    },
)
def _gamma_atm():
    return bs.gamma(100.0, 100.0, 30 / 365, 0.20)
