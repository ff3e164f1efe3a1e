"""Answers of lesson 02's exercises (computed from gexlib, never written down)."""

from ... import hedging
from ..registry import exercise

#: Exercise 02-seed-put-dealer-fall: contracts (seed sign: dealers long puts), spot, move, strike, days, IV.
SEED_PUTS = dict(position=200, spot=100.0, move=-3.0, strike=95.0, days=21.0, iv=0.25)


def _seed_put_ticket(position=SEED_PUTS["position"], days=SEED_PUTS["days"]):
    p = SEED_PUTS
    return hedging.bs_ticket(position, p["spot"], p["move"], strike=p["strike"], days=days, iv=p["iv"], kind="P")


@exercise(
    "02-shares-short-calls", atol=0.5,
    question="A dealer is short 250 calls (multiplier 100), each with delta 0.30. How many shares must it "
             "buy to be delta-neutral? (to within 0.5 share)",
    hint="shares = −position × multiplier × delta, with the position negative when short.",
    near_misses=lambda: {"the sign of a sale": -7500.0, "without the multiplier": 75.0,
                         "with a put's delta, 1 − 0.30": 17500.0},
)
def _shares_short_calls():
    return hedging.hedge_ticket(-250, 100.0, 100.0, 0.30, 0.0).shares_now


@exercise(
    "02-rehedge-fall", atol=0.5,
    question="Same dealer (short 250 calls, multiplier 100), gamma 0.02 per $1. Spot falls $2: how many "
             "shares must it trade to stay delta-neutral (gamma estimate)? Positive = buy, negative = sell "
             "(to within 0.5 share).",
    hint="trade = −position × multiplier × gamma × move; a fall is a negative move.",
    near_misses=lambda: {"a buy instead of a sale": 1000.0, "a $1 move": -500.0, "without the multiplier": -10.0},
)
def _rehedge_fall():
    return hedging.hedge_ticket(-250, 100.0, 98.0, 0.30, 0.02).trade_linear


@exercise(
    "02-seed-put-dealer-fall", atol=1.0,
    question="Under the seed sign customers sell index puts to dealers. A dealer is long 200 puts, strike 95, "
             "spot 100, 21 calendar days to expiry (T = 21/365), IV 25%, r = q = 0, multiplier 100, and "
             "delta-hedged. Spot falls instantly by $3: how many shares must it trade to stay hedged, with delta "
             "re-valued exactly at the new spot? Positive = buy, negative = sell; to within 1 share.",
    hint="hedging.bs_ticket(position, spot, move, strike=..., days=..., iv=..., kind='P') with the position "
         "positive (long) and the move negative; use .trade_exact.",
    near_misses=lambda: {
        "the practitioner sign (dealer short the puts)": _seed_put_ticket(position=-200).trade_exact,
        "the gamma estimate": _seed_put_ticket().trade_linear,
        "trading-day clock, T = 21/252": _seed_put_ticket(days=21 * 365 / 252).trade_exact,
        "per contract unit, without the multiplier": _seed_put_ticket().trade_exact / 100.0,
        "the hedge before the move": _seed_put_ticket().shares_now,
    },
)
def _seed_put_dealer_fall():
    return _seed_put_ticket().trade_exact


@exercise(
    "02-short-put-falls",
    question="A dealer sold index puts to customers and delta-hedges them with the index. The index falls: "
             "does the dealer buy or sell the index to stay hedged? Answer 'buy' or 'sell'.",
    hint="compare the dealer's delta before and after the fall; hedging.bs_ticket(-1, 100.0, -1.0, "
         "strike=100.0, days=30.0, iv=0.20, kind='P').trade_exact has the sign (positive = buy).",
    near_misses=lambda: {"the long-gamma answer": "buy"},
)
def _short_put_falls():
    t = hedging.bs_ticket(-1, 100.0, -1.0, strike=100.0, days=30.0, iv=0.20, kind="P")
    return "buy" if t.trade_exact > 0 else "sell"


@exercise(
    "02-shares-to-buy", atol=0.5,
    question="A dealer is short 100 at-the-money calls (multiplier 100) with delta 0.50. How many "
             "shares must it buy to be delta-neutral? (to within 0.5 share)",
    hint="shares = −position × multiplier × delta, with position negative when short.",
    near_misses=lambda: {"the sign of a sale": -5000.0, "without the multiplier": 50.0},
)
def _shares_to_buy():
    return hedging.hedge_ticket(-100, 100.0, 100.0, 0.50, 0.05).shares_now


@exercise(
    "02-gamma-rehedge", atol=0.5,
    question="Same dealer (short 100 calls, multiplier 100); gamma 0.05 per $1. Spot rises $1: how "
             "many more shares must it buy (gamma estimate)? (to within 0.5 share)",
    hint="the delta of each call rises by gamma × move; multiply by contracts and multiplier.",
    near_misses=lambda: {"the sign of a sale": -500.0, "without the multiplier": 5.0},
)
def _gamma_rehedge():
    return hedging.hedge_ticket(-100, 100.0, 101.0, 0.50, 0.05).trade_linear
