"""Answers of lesson 08's exercises (computed from gexlib and the shipped data, never written down)."""

import dataclasses

import numpy as np

from ... import datasets, gex, whatif
from ..registry import exercise
from ._common import _calm

#: Horizon of ``08-charm-24h-calm``, calendar hours after the snapshot.
CHARM_HOURS = 24.0
#: IV shift of ``08-zero-gamma-iv-up-calm``, decimal vol (+5 vol points).
IV_UP = 0.05
#: Hours from the intraday snapshot (10:30 ET) to 15:55 ET, for ``08-0dte-share-1555``.
TO_1555 = 5.0 + 25.0 / 60.0
#: Half-width of "near spot" (fraction of spot) in ``08-0dte-share-1555``.
NEAR = 0.005



@exercise(
    "08-charm-24h-calm", rtol=0.01,
    question="Charm flow of data/spx_calm.csv over the next 24 calendar hours, spot and IVs fixed: the shares "
             "(index units) dealers trade to stay hedged, positive = dealers buy (practitioner sign, model "
             "delta, act/365; contracts settling within the 24 hours leave the book and their hedge is "
             "unwound). To within 1%.",
    hint="gex.charm_flow(snap, 24) returns per-strike rows and a totals row (strike NaN) last; "
         "read its 'shares' column.",
)
def _charm_24h_calm():
    return float(gex.charm_flow(_calm(), CHARM_HOURS, sign="practitioner").iloc[-1]["shares"])


@exercise(
    "08-zero-gamma-iv-up-calm", atol=2.0,
    question="Zero-gamma level of data/spx_calm.csv after every implied vol is raised by 5 vol points "
             "(whatif.shift_iv(snap, 0.05); practitioner sign, model-gamma profile), index points, to "
             "within 2 points.",
    hint="whatif.shift_iv(snap, 0.05) gives the shifted chain; gex.zero_gamma(...).value is the crossing "
         "nearest spot.",
)
def _zero_gamma_iv_up_calm():
    return gex.zero_gamma(whatif.shift_iv(_calm(), IV_UP), sign="practitioner").value


@exercise(
    "08-0dte-share-1555", atol=0.1,
    question="data/spx_intraday_0dte.csv advanced to 15:55 ET with whatif.advance_time (spot and IVs fixed): "
             "of the gross |GEX| of contracts with strikes within ±0.5% of spot (|K/S − 1| <= 0.005; the sum "
             "of |GEX| over those contracts, model gamma, act/365, any sign convention), what share do the "
             "contracts settling that day hold? Percent, to within 0.1 percentage points.",
    hint="gex.exposure(snap) has expiry, strike and gex per contract; keep |strike / spot − 1| <= 0.005, "
         "then compare the |gex| sum of the rows whose expiry date is the snapshot's date with the whole.",
)
def _zero_dte_share_1555():
    snap = whatif.advance_time(datasets.load("intraday_0dte"), TO_1555)
    ex = gex.exposure(snap, sign="practitioner", gamma="model")
    near = ex[(ex["strike"] / snap.spot - 1.0).abs() <= NEAR]
    today = (near["expiry"].dt.date == snap.asof.date()).to_numpy()
    return float(100.0 * near.loc[today, "gex"].abs().sum() / near["gex"].abs().sum())


@exercise(
    "08-vanna-short-puts",
    question="Dealers are short out-of-the-money puts and delta-hedged. Every implied vol rises by one point, "
             "spot unchanged. To stay hedged, do they buy or sell the underlying? Answer 'buy' or 'sell'.",
    hint="a higher IV makes an out-of-the-money put's delta more negative; work out what that does to "
         "the delta of a short put position, then trade against the change.",
)
def _vanna_short_puts():
    # the calm chain's out-of-the-money puts, held short (practitioner sign), IV up one point
    calm = _calm()
    o = calm.options
    otm_puts = o[(o["type"] == "P") & (o["strike"] < calm.spot)].reset_index(drop=True)
    snap = dataclasses.replace(calm, options=otm_puts)
    shares = float(gex.vanna_flow(snap, 0.01, sign="practitioner").iloc[-1]["shares"])
    return "buy" if np.sign(shares) > 0 else "sell"
