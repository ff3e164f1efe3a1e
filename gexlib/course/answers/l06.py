"""Answers of lesson 06's exercises (computed from gexlib and the shipped data, never written down)."""


import numpy as np

from ... import datasets, gex, hedging
from ..registry import exercise

#: ``06-damping-factor``: dealer GEX and market depth, dollars per 1% move.
DAMPING_GEX = 12e9
DAMPING_DEPTH = 40e9
#: ``06-daily-vol-ratio-lagged``: |dealer GEX| ($ per 1%), depth ($ per 1%), news vol, paths, seed.
LAGGED_GEX = 6e9
LAGGED_DEPTH = 20e9
LAGGED_NOISE = 0.20
LAGGED_PATHS = 2000
LAGGED_SEED = 7
#: ``06-lagged-autocorr-short``: dealer GEX and depth, dollars per 1% move (k = −0.24, not the lesson's ±0.4).
AUTOCORR_GEX = -6e9
AUTOCORR_DEPTH = 25e9
#: ``06-pin-difference-3h``: strike, contracts, trading hours, depth ($ per 1%), paths, seed
#: (a cell the lesson's table does not print: 7,500 contracts, 3 hours).
PIN_K = 6450.0
PIN_OI = 7_500
PIN_HOURS = 3.0
PIN_DEPTH = 50e9
PIN_PATHS = 4000
PIN_SEED = 6


def _damping(k: float) -> float:
    return hedging.feedback_theory(k, "contemporaneous")["step_vol_ratio"]


@exercise(
    "06-damping-factor", atol=0.001,
    question="Dealers are long gamma with GEX +$12bn per 1% move; the market absorbs $40bn of net buying per 1% "
             "move (depth). Under contemporaneous hedging, by what factor does hedging scale the volatility of "
             "every step (volatility with hedging divided by the volatility of the news), to within 0.001?",
    hint="k = GEX/depth; the step solves r = ε − k r, so r = ε/(1 + k); "
         "hedging.feedback_theory(k)['step_vol_ratio'].",
    near_misses=lambda: {"1 − k (the hedge's impact subtracted from the news)": 1 - DAMPING_GEX / DAMPING_DEPTH,
                         "k itself": DAMPING_GEX / DAMPING_DEPTH,
                         "dealers short the same gamma, 1/(1 − k)": _damping(-DAMPING_GEX / DAMPING_DEPTH),
                         "the variance ratio, 1/(1 + k)²": _damping(DAMPING_GEX / DAMPING_DEPTH) ** 2},
)
def _damping_factor():
    return _damping(DAMPING_GEX / DAMPING_DEPTH)


def _lagged_summary(gex_value: float) -> dict:
    sim = hedging.simulate_tape(gex_value, 100.0, depth=LAGGED_DEPTH, sigma_noise=LAGGED_NOISE, days=1,
                                n_paths=LAGGED_PATHS, hedging="lagged", seed=LAGGED_SEED)
    return hedging.tape_summary(sim)


def _lagged_ratio(key: str) -> float:
    return _lagged_summary(-LAGGED_GEX)[key] / _lagged_summary(LAGGED_GEX)[key]


@exercise(
    "06-daily-vol-ratio-lagged", atol=0.005,
    question="hedging.simulate_tape with a constant dealer GEX of −$6bn per 1% move, then +$6bn, each with "
             "S0 = 100, depth $20bn per 1% move, news vol 20% a year, lagged hedging, one trading day of 78 "
             "five-minute steps (the default), 2,000 paths, seed 7. Ratio of the realised vol of whole-day "
             "returns, short gamma over long gamma, to within 0.005.",
    hint="tape_summary(sim)['daily_vol'] of each run (the realised vol of the day's summed log returns); "
         "divide the −$6bn run's by the +$6bn run's.",
    near_misses=lambda: {"the five-minute vols' ratio": _lagged_ratio("realised_vol"),
                         "long over short": 1.0 / _lagged_ratio("daily_vol"),
                         "the long-run theory (1 + k)/(1 − k) instead of the one-day simulation": 1.3 / 0.7},
)
def _daily_vol_ratio_lagged():
    return _lagged_ratio("daily_vol")


def _largest_gex_bn(name: str) -> float:
    _, g = hedging.feedback_profile(datasets.load(name))
    return float(np.max(np.abs(g)) / 1e9)


@exercise(
    "06-min-depth-opex", atol=0.01,
    question="Market depth, in $bn per 1% move, below which the guard refuses to simulate the synthetic "
             "opex chain (data/spx_opex.csv, datasets.load('opex')): its feedback profile on the default grid "
             "(hedging.feedback_profile: 401 levels over 0.8–1.2 × spot, practitioner sign, model gamma, "
             "act/365, r = q = 0). Every depth above your number is accepted. To within $0.01bn.",
    hint="The guard needs |GEX(S)|/depth < 1 at every level of the profile, not only at spot: take the "
         "largest |GEX| on the grid, in $bn.",
    near_misses=lambda: {"|GEX| at spot only": abs(gex.total_gex(datasets.load("opex"))) / 1e9,
                         "in dollars, not $bn": _largest_gex_bn("opex") * 1e9,
                         "the stressed chain's bound (the lesson's example)": _largest_gex_bn("stressed"),
                         "the calm chain's bound": _largest_gex_bn("calm")},
)
def _min_depth_opex():
    return _largest_gex_bn("opex")


@exercise(
    "06-lagged-autocorr-short", atol=0.005,
    question="Lagged hedging, dealers short gamma with a constant GEX of −$6bn per 1% move, depth $25bn per 1% "
             "move. Lag-1 autocorrelation of the five-minute returns in the model's steady state (theory, not a "
             "simulation), to within 0.005.",
    hint="r_t = ε_t − k r_{t−1} with k = GEX/depth is an AR(1) with coefficient −k; "
         "hedging.feedback_theory(k, 'lagged')['autocorrelation'].",
    near_misses=lambda: {"the sign of k (dealers long)": AUTOCORR_GEX / AUTOCORR_DEPTH,
                         "k squared": (AUTOCORR_GEX / AUTOCORR_DEPTH) ** 2,
                         "contemporaneous hedging (no autocorrelation)": 0.0,
                         "the lesson's k = ∓0.4": 0.4},
)
def _lagged_autocorr_short():
    return hedging.feedback_theory(AUTOCORR_GEX / AUTOCORR_DEPTH, "lagged")["autocorrelation"]


def _pin(oi: float = PIN_OI):
    return hedging.pin_probability(PIN_K, oi, PIN_HOURS, depth=PIN_DEPTH, n_paths=PIN_PATHS, seed=PIN_SEED)


@exercise(
    "06-pin-difference-3h", atol=0.1,
    question="hedging.pin_probability for strike 6,450, dealers long 7,500 contracts, 3 trading hours to expiry, "
             "depth $50bn per 1% move, spot starting at the strike, the other arguments at their defaults "
             "(news vol 12%, band ±0.1% of the strike, 4,000 paths) and seed 6: probability of closing in the "
             "band with dealers hedging minus without, in percentage points, to within 0.1.",
    hint="The result's .difference is a fraction; multiply by 100.",
    near_misses=lambda: {"as a fraction, not percentage points": _pin().difference,
                         "the probability with hedging, not the change": 100.0 * _pin().probability,
                         "the probability without hedging": 100.0 * _pin().baseline,
                         "dealers short the 7,500 contracts": 100.0 * _pin(-PIN_OI).difference},
)
def _pin_difference_3h():
    return 100.0 * _pin().difference
