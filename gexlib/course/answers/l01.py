"""Answers of lesson 01's exercises (computed from gexlib.bs, never written down).

``01-gamma-atm`` (the gamma of one at-the-money option) lives in :mod:`gexlib.course.exercises`.
"""

from ... import bs, hedging
from ... import conventions as cv
from ..registry import exercise

#: Exercise 01-book-gamma: (contracts, type, strike, calendar days, IV); + long, − short.
BOOK = ((+30, "C", 100.0, 14.0, 0.20), (-40, "P", 95.0, 30.0, 0.25), (-10, "C", 100.0, 2.0, 0.18))
#: Spot at which the book's gamma is asked for.
BOOK_SPOT = 98.0


@exercise(
    "01-gamma-ratio", rtol=0.001,
    question="Spot = strike = 6250, IV 13%, r = q = 0, T = calendar days / 365: by what factor is the "
             "Black–Scholes gamma of the 1-day option larger than that of the 30-day option "
             "(gamma at 1 day divided by gamma at 30 days), to within 0.1%?",
    hint="divide bs.gamma(S, K, 1/365, sigma) by bs.gamma(S, K, 30/365, sigma); near the money gamma "
         "scales like 1/sqrt(T).",
)
def _gamma_ratio():
    return bs.gamma(6250.0, 6250.0, 1 / 365, 0.13) / bs.gamma(6250.0, 6250.0, 30 / 365, 0.13)


@exercise(
    "01-book-gamma", rtol=0.005,
    question="A book holds long 30 calls strike 100 (14 days, IV 20%), short 40 puts strike 95 (30 days, "
             "IV 25%) and short 10 calls strike 100 (2 days, IV 18%); multiplier 100, r = q = 0, "
             "T = calendar days / 365. Its gamma at spot 98, in shares per $1 move of spot, to within 0.5%?",
    hint="sum contracts × multiplier × bs.gamma(spot, strike, days / 365, iv) over the three lines, "
         "with short positions negative; gamma is the same for a call and a put.",
)
def _book_gamma():
    return float(sum(n * cv.MULTIPLIER * bs.gamma(BOOK_SPOT, K, days / 365.0, iv) for n, _, K, days, iv in BOOK))


@exercise(
    "01-short-straddle-sign",
    question="Is the gamma of a short straddle (short one call and short one put, same strike and expiry) "
             "positive or negative? Answer 'positive' or 'negative'.",
    hint="what is the sign of one long option's gamma, and what does selling an option do to it?",
)
def _short_straddle_sign():
    g = -(bs.gamma(100.0, 100.0, 30 / 365, 0.20) + bs.gamma(100.0, 100.0, 30 / 365, 0.20))
    return "negative" if g < 0 else "positive"


@exercise(
    "01-gamma-atm", rtol=0.005,
    question="Black–Scholes gamma of a call with spot 100, strike 100, 30 calendar days to expiry "
             "(T = 30/365), IV 20%, r = q = 0; per $1 of spot.",
    hint="bs.gamma(S, K, T, sigma) with T in years; gamma is the same for a call and a put.",
)
def _gamma_atm():
    return hedging.option_greeks(100.0, strike=100.0, days=30.0, iv=0.20)["gamma"]
