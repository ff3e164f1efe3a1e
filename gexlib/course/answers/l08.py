"""Answers of lesson 08's exercises (computed from gexlib and the shipped data, never written down)."""

import dataclasses
import functools

import numpy as np

from ... import datasets, gex, whatif
from ..registry import exercise
from ._common import _calm

#: Horizon of ``08-charm-24h-stressed``, calendar hours after the snapshot.
CHARM_HOURS = 24.0
#: IV shift of ``08-zero-gamma-iv-up-stressed``, decimal vol (+5 vol points).
IV_UP = 0.05
#: Hours from the intraday snapshot (10:30 ET) to 15:45 ET, for ``08-0dte-share-1545``.
TO_1545 = 5.25
#: Half-width of "near spot" (fraction of spot) in ``08-0dte-share-1545``: ±1%, not the lesson's ±0.5%.
NEAR = 0.01


@functools.cache
def _stressed():
    return datasets.load("stressed")


def _charm_shares(snap, sign: str = "practitioner") -> float:
    return float(gex.charm_flow(snap, CHARM_HOURS, sign=sign).iloc[-1]["shares"])


@exercise(
    "08-charm-24h-stressed", rtol=0.01,
    question="Charm flow of data/spx_stressed.csv over the next 24 calendar hours, spot and IVs fixed: the shares "
             "(index units) dealers trade to stay hedged, positive = dealers buy (practitioner sign, model "
             "delta, act/365, r = q = 0; contracts settling within the 24 hours leave the book and their hedge "
             "is unwound). To within 1%.",
    hint="gex.charm_flow(snap, 24) returns per-strike rows and a totals row (strike NaN) last; "
         "read its 'shares' column.",
    near_misses=lambda: {"seed sign": _charm_shares(_stressed(), "seed"),
                         "dollars, not shares": _charm_shares(_stressed()) * float(_stressed().spot),
                         "the calm chain (the lesson's example)": _charm_shares(_calm()),
                         "the same-day contracts left out (no settlement)":
                             _charm_shares(whatif.filter_expiries(_stressed(), buckets=[
                                 b for b in gex.BUCKETS if b != "0DTE"]))},
)
def _charm_24h_stressed():
    return _charm_shares(_stressed())


@exercise(
    "08-zero-gamma-iv-up-stressed", atol=2.0,
    question="Zero-gamma level of data/spx_stressed.csv after every implied vol is raised by 5 vol points "
             "(whatif.shift_iv(snap, 0.05); practitioner sign, model-gamma profile, act/365, r = q = 0), "
             "index points, to within 2 points.",
    hint="whatif.shift_iv(snap, 0.05) gives the shifted chain; gex.zero_gamma(...).value is the crossing "
         "nearest spot.",
    near_misses=lambda: {"before the shift": gex.zero_gamma(_stressed(), sign="practitioner").value,
                         "spot": float(_stressed().spot),
                         "every IV 5 points lower": gex.zero_gamma(whatif.shift_iv(_stressed(), -IV_UP)).value},
)
def _zero_gamma_iv_up_stressed():
    return gex.zero_gamma(whatif.shift_iv(_stressed(), IV_UP), sign="practitioner").value


def _same_day_share(hours: float, near: float) -> float:
    snap = whatif.advance_time(datasets.load("intraday_0dte"), hours)
    ex = gex.exposure(snap, sign="practitioner", gamma="model")
    close = ex[(ex["strike"] / snap.spot - 1.0).abs() <= near]
    today = (close["expiry"].dt.date == snap.asof.date()).to_numpy()
    return float(100.0 * close.loc[today, "gex"].abs().sum() / close["gex"].abs().sum())


@exercise(
    "08-0dte-share-1545", atol=0.1,
    question="data/spx_intraday_0dte.csv advanced to 15:45 ET with whatif.advance_time (spot and IVs fixed): "
             "of the gross |GEX| of contracts with strikes within ±1% of spot (|K/S − 1| <= 0.01; the sum "
             "of |GEX| over those contracts, model gamma, act/365, r = q = 0, any sign convention), what share do "
             "the contracts settling that day hold? Percent, to within 0.1 percentage points.",
    hint="gex.exposure(snap) has expiry, strike and gex per contract; keep |strike / spot − 1| <= 0.01, "
         "then compare the |gex| sum of the rows whose expiry date is the snapshot's date with the whole.",
    near_misses=lambda: {"within ±0.5% of spot (the lesson's width)": _same_day_share(TO_1545, 0.005),
                         "at 10:30, before advancing the clock": _same_day_share(0.0, NEAR),
                         "as a fraction": _same_day_share(TO_1545, NEAR) / 100.0},
)
def _zero_dte_share_1545():
    return _same_day_share(TO_1545, NEAR)


@exercise(
    "08-vanna-short-puts",
    question="Dealers are short out-of-the-money puts and delta-hedged. Every implied vol rises by one point, "
             "spot unchanged. To stay hedged, do they buy or sell the underlying? Answer 'buy' or 'sell'.",
    hint="a higher IV makes an out-of-the-money put's delta more negative; work out what that does to "
         "the delta of a short put position, then trade against the change.",
    near_misses=lambda: {"the seed sign's answer (dealers long the puts)": "buy"},
)
def _vanna_short_puts():
    # the calm chain's out-of-the-money puts, held short (practitioner sign), IV up one point
    calm = _calm()
    o = calm.options
    otm_puts = o[(o["type"] == "P") & (o["strike"] < calm.spot)].reset_index(drop=True)
    snap = dataclasses.replace(calm, options=otm_puts)
    shares = float(gex.vanna_flow(snap, 0.01, sign="practitioner").iloc[-1]["shares"])
    return "buy" if np.sign(shares) > 0 else "sell"
