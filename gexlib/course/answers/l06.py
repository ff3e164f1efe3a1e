"""Answers of lesson 06's exercises (computed from gexlib and the shipped data, never written down)."""


import numpy as np

from ... import datasets, hedging
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
#: ``06-lagged-autocorr``: dealer GEX and depth, dollars per 1% move.
AUTOCORR_GEX = -8e9
AUTOCORR_DEPTH = 20e9
#: ``06-pin-difference``: strike, contracts, trading hours, depth ($ per 1%), paths, seed.
PIN_K = 6450.0
PIN_OI = 10_000
PIN_HOURS = 1.0
PIN_DEPTH = 50e9
PIN_PATHS = 4000
PIN_SEED = 6



@exercise(
    "06-damping-factor", atol=0.001,
    question="Dealers are long gamma with GEX +$12bn per 1% move; the market absorbs $40bn of net buying per 1% "
             "move (depth). Under contemporaneous hedging, by what factor does hedging scale the volatility of "
             "every step (volatility with hedging divided by the volatility of the news), to within 0.001?",
    hint="k = GEX/depth; the step solves r = ε − k r, so r = ε/(1 + k); "
         "hedging.feedback_theory(k)['step_vol_ratio'].",
)
def _damping_factor():
    return hedging.feedback_theory(DAMPING_GEX / DAMPING_DEPTH, "contemporaneous")["step_vol_ratio"]


def _lagged_daily_vol(gex_value: float) -> float:
    sim = hedging.simulate_tape(gex_value, 100.0, depth=LAGGED_DEPTH, sigma_noise=LAGGED_NOISE, days=1,
                                n_paths=LAGGED_PATHS, hedging="lagged", seed=LAGGED_SEED)
    return hedging.tape_summary(sim)["daily_vol"]


@exercise(
    "06-daily-vol-ratio-lagged", atol=0.005,
    question="hedging.simulate_tape with a constant dealer GEX of −$6bn per 1% move, then +$6bn, each with "
             "S0 = 100, depth $20bn per 1% move, news vol 20% a year, lagged hedging, one trading day of 78 "
             "five-minute steps (the default), 2,000 paths, seed 7. Ratio of the realised vol of whole-day "
             "returns, short gamma over long gamma, to within 0.005.",
    hint="tape_summary(sim)['daily_vol'] of each run (the realised vol of the day's summed log returns); "
         "divide the −$6bn run's by the +$6bn run's.",
)
def _daily_vol_ratio_lagged():
    return _lagged_daily_vol(-LAGGED_GEX) / _lagged_daily_vol(LAGGED_GEX)


@exercise(
    "06-min-depth-stressed", atol=0.01,
    question="Market depth, in $bn per 1% move, below which the guard refuses to simulate the synthetic "
             "stressed chain (data/spx_stressed.csv): its feedback profile on the default grid "
             "(hedging.feedback_profile: 401 levels over 0.8–1.2 × spot, practitioner sign, model gamma). "
             "Every depth above your number is accepted. To within $0.01bn.",
    hint="The guard needs |GEX(S)|/depth < 1 at every level of the profile, not only at spot: take the "
         "largest |GEX| on the grid, in $bn.",
)
def _min_depth_stressed():
    _, g = hedging.feedback_profile(datasets.load("stressed"))
    return float(np.max(np.abs(g)) / 1e9)


@exercise(
    "06-lagged-autocorr", atol=0.005,
    question="Lagged hedging, dealers short gamma with a constant GEX of −$8bn per 1% move, depth $20bn per 1% "
             "move. Lag-1 autocorrelation of the five-minute returns in the model's steady state (theory, not a "
             "simulation), to within 0.005.",
    hint="r_t = ε_t − k r_{t−1} with k = GEX/depth is an AR(1) with coefficient −k; "
         "hedging.feedback_theory(k, 'lagged')['autocorrelation'].",
)
def _lagged_autocorr():
    return hedging.feedback_theory(AUTOCORR_GEX / AUTOCORR_DEPTH, "lagged")["autocorrelation"]


@exercise(
    "06-pin-difference", atol=0.1,
    question="hedging.pin_probability for strike 6,450, dealers long 10,000 contracts, 1 trading hour to expiry, "
             "depth $50bn per 1% move, spot starting at the strike, the other arguments at their defaults "
             "(news vol 12%, band ±0.1% of the strike, 4,000 paths) and seed 6: probability of closing in the "
             "band with dealers hedging minus without, in percentage points, to within 0.1.",
    hint="The result's .difference is a fraction; multiply by 100.",
)
def _pin_difference():
    res = hedging.pin_probability(PIN_K, PIN_OI, PIN_HOURS, depth=PIN_DEPTH, n_paths=PIN_PATHS, seed=PIN_SEED)
    return 100.0 * res.difference
