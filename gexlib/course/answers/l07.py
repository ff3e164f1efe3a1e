"""Answers of lesson 07's exercises (computed from gexlib, never written down)."""

import numpy as np

from ... import bs, datasets, gex, hedging
from ..registry import exercise

#: The chain of ``07-book-theta-opex``.
THETA_CHAIN = "opex"

#: The simulation of ``07-spread-ratio``: a 5-trading-day at-the-money straddle, implied = realised vol.
RATIO_SETUP = dict(S0=100.0, K=100.0, T=5 / hedging.TRADING_DAYS, sigma_implied=0.20, sigma_realised=0.20,
                   n_paths=300, steps_per_day=hedging.STEPS_PER_DAY, seed=7)
#: Rebalancing intervals of ``07-spread-ratio``, in 5-minute simulation steps (1 hour, 1 trading day).
RATIO_STEPS = (12, 78)


def _straddle(what, S, K, T, sigma):
    """Gamma or theta of one call plus one put (units of :mod:`gexlib.bs`)."""
    if what == "gamma":
        return 2.0 * bs.gamma(S, K, T, sigma)
    return bs.theta(S, K, T, sigma, kind="C") + bs.theta(S, K, T, sigma, kind="P")


@exercise(
    "07-formula-day", rtol=0.01,
    question="A long at-the-money straddle (one call plus one put, spot = strike = 100, 30 calendar days, "
             "IV 20%, r = q = 0, on one share) is delta-hedged for one calendar day (dt = 1/365 year) in which "
             "the underlying realises 30% volatility. Expected P&L of that day by ½ Γ S² (σ_realised² − "
             "σ_implied²) dt, with Γ the straddle's Black–Scholes gamma at the start; $ per straddle, to 1%.",
    hint="the straddle's gamma is twice bs.gamma(100, 100, 30/365, 0.20); vols are decimals (0.30² − 0.20²).",
    near_misses=lambda: {"one option, not the straddle": 0.5 * _formula_day(),
                         "a trading day, dt = 1/252": _formula_day() * 365 / 252,
                         "vols in percent (30² − 20²)": _formula_day() * 1e4,
                         "σ_realised − σ_implied instead of the squares": _formula_day() * 0.10 / (0.30**2 - 0.20**2)},
)
def _formula_day():
    g = _straddle("gamma", 100.0, 100.0, 30 / 365, 0.20)
    return float(0.5 * g * 100.0**2 * (0.30**2 - 0.20**2) / 365.0)


@exercise(
    "07-theta-straddle", rtol=0.005,
    question="Theta of one long SPX-like straddle contract (one call plus one put, multiplier 100), spot 6,250, "
             "strike 6,250, 14 calendar days to expiry (T = 14/365), IV 13%, r = q = 0: $ per calendar day, "
             "signed (negative = the holder loses), to 0.5%.",
    hint="bs.theta(S, K, T, sigma, kind=...) is per calendar day and per unit of the index; add the call's "
         "and the put's, then multiply by the multiplier.",
    near_misses=lambda: {"per unit of the index, not per contract": _theta_straddle() / 100.0,
                         "per trading day (× 365/252)": _theta_straddle() * 365 / 252,
                         "the call alone": 100.0 * bs.theta(6250.0, 6250.0, 14 / 365, 0.13, kind="C"),
                         "the writer's sign": -_theta_straddle()},
)
def _theta_straddle():
    return float(100.0 * _straddle("theta", 6250.0, 6250.0, 14 / 365, 0.13))


@exercise(
    "07-spread-ratio", atol=0.01,
    question="hedging.simulate_gamma_scalp(100.0, 100.0, 5 / 252, 0.20, 0.20, 300, 78, every, seed=7) "
             "(a long straddle, 300 seeded paths of 5-minute steps): the standard deviation of the final "
             "P&L with every = 78 (re-hedged once a trading day) divided by that with every = 12 (every hour), "
             "to within 0.01.",
    hint="run it twice, changing only rebalance_every; the .std attribute is the spread (ddof = 1).",
    near_misses=lambda: {"the square-root rule √(78/12)": (78 / 12) ** 0.5,
                         "hourly over daily": 1.0 / _spread_ratio(),
                         "the ratio of variances": _spread_ratio() ** 2},
)
def _spread_ratio():
    hourly, daily = (hedging.simulate_gamma_scalp(**RATIO_SETUP, rebalance_every=e).std for e in RATIO_STEPS)
    return float(daily / hourly)


@exercise(
    "07-stressed-dealers",
    question="Take the dealers' aggregate gamma sign from data/spx_stressed.csv (total GEX, practitioner sign, "
             "model gamma). Assume, as for this lesson's straddle, that every option in their book was priced "
             "at one and the same implied volatility. If the index then realises a higher volatility than that "
             "implied volatility, does their delta-hedged book gain or lose on average? Answer 'gain' or 'lose'.",
    hint="the sign of total GEX says whether dealers are long gamma (the scalper) or short gamma (the mirror); "
         "simulate_gamma_scalp(..., position=-1) is the short side.",
    near_misses=lambda: {"the long-gamma scalper's answer": "gain"},
)
def _stressed_dealers():
    side = float(np.sign(gex.total_gex(datasets.load("stressed"), sign="practitioner", gamma="model")))
    sim = hedging.simulate_gamma_scalp(100.0, 100.0, 10 / hedging.TRADING_DAYS, 0.20, 0.30, 200,
                                       hedging.STEPS_PER_DAY, 6, position=side, seed=7)
    return "gain" if sim.mean > 0 else "lose"


def _book_theta(name: str, sign: str = "practitioner") -> float:
    """Dealers' book theta, $ per calendar day: Σ sign × OI × multiplier × Black–Scholes theta (each IV)."""
    snap = datasets.load(name)
    c = gex.contracts(snap, sign=sign, gamma="model", time="act365")
    kinds = np.where(c.is_call, "C", "P")
    return float(np.sum(c.weight * bs.theta(float(snap.spot), c.strike, c.T, c.iv, kind=kinds)))


@exercise(
    "07-book-theta-opex", rtol=0.005,
    question="Theta of the dealers' whole book on data/spx_opex.csv (datasets.load('opex')): the sum over "
             "contracts of dealer sign × open interest × multiplier × Black–Scholes theta at each contract's own "
             "IV (practitioner sign, act/365, r = q = 0, spot and IVs as in the file), in $m per calendar day, "
             "signed (positive = the dealers collect), to 0.5%.",
    hint="gex.contracts(snap) gives strike, T, iv, weight (sign × OI × multiplier) and is_call per contract; "
         "bs.theta is per calendar day and per unit of the index.",
    near_misses=lambda: {"seed sign": _book_theta(THETA_CHAIN, "seed") / 1e6,
                         "in dollars, not $m": _book_theta(THETA_CHAIN),
                         "the one-IV rule −½σ²ΓS² (sign opposite to GEX), with σ = 15%":
                             -50.0 * 0.15**2 * gex.total_gex(datasets.load(THETA_CHAIN)) / 365 / 1e6,
                         "per trading day (× 365/252)": _book_theta(THETA_CHAIN) * 365 / 252 / 1e6},
)
def _book_theta_opex():
    return _book_theta(THETA_CHAIN) / 1e6
