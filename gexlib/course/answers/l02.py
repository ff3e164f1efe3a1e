"""Answers of lesson 02's exercises (computed from gexlib and the shipped data, never written down)."""

from ... import datasets, gex, hedging
from ..registry import exercise


@exercise(
    "02-shares-short-calls", atol=0.5,
    question="A dealer is short 250 calls (multiplier 100), each with delta 0.30. How many shares must it "
             "buy to be delta-neutral?",
    hint="shares = −position × multiplier × delta, with the position negative when short.",
)
def _shares_short_calls():
    return hedging.hedge_ticket(-250, 100.0, 100.0, 0.30, 0.0).shares_now


@exercise(
    "02-rehedge-fall", atol=0.5,
    question="Same dealer (short 250 calls, multiplier 100), gamma 0.02 per $1. Spot falls $2: how many "
             "shares must it trade to stay delta-neutral (gamma estimate)? Positive = buy, negative = sell.",
    hint="trade = −position × multiplier × gamma × move; a fall is a negative move.",
)
def _rehedge_fall():
    return hedging.hedge_ticket(-250, 100.0, 98.0, 0.30, 0.02).trade_linear


@exercise(
    "02-stressed-seed", atol=0.05,
    question="Total GEX of data/spx_stressed.csv in $bn per 1% move under the seed sign (calls −1, puts +1), "
             "model gamma.",
    hint="gex.total_gex(snap, sign='seed') is in dollars per 1% move; divide by 1e9 for $bn.",
)
def _stressed_seed():
    return gex.total_gex(datasets.load("stressed"), sign="seed", gamma="model") / 1e9


@exercise(
    "02-short-put-falls",
    question="A dealer sold index puts to customers and delta-hedges them with the index. The index falls: "
             "does the dealer buy or sell the index to stay hedged? Answer 'buy' or 'sell'.",
    hint="compare the dealer's delta before and after the fall; hedging.bs_ticket(-1, 100.0, -1.0, "
         "strike=100.0, days=30.0, iv=0.20, kind='P').trade_exact has the sign (positive = buy).",
)
def _short_put_falls():
    t = hedging.bs_ticket(-1, 100.0, -1.0, strike=100.0, days=30.0, iv=0.20, kind="P")
    return "buy" if t.trade_exact > 0 else "sell"


@exercise(
    "02-shares-to-buy", atol=0.5,
    question="A dealer is short 100 at-the-money calls (multiplier 100) with delta 0.50. How many "
             "shares must it buy to be delta-neutral?",
    hint="shares = −position × multiplier × delta, with position negative when short.",
)
def _shares_to_buy():
    return hedging.hedge_ticket(-100, 100.0, 100.0, 0.50, 0.05).shares_now


@exercise(
    "02-gamma-rehedge", atol=0.5,
    question="Same dealer (short 100 calls, multiplier 100); gamma 0.05 per $1. Spot rises $1: how "
             "many more shares must it buy (gamma estimate)?",
    hint="the delta of each call rises by gamma × move; multiply by contracts and multiplier.",
)
def _gamma_rehedge():
    return hedging.hedge_ticket(-100, 100.0, 101.0, 0.50, 0.05).trade_linear
