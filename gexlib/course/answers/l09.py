"""Answers of lesson 09's exercises (computed from gexlib and the shipped data, never written down)."""

from ... import gex, whatif
from ..registry import exercise
from ._common import _calm

#: The dealer-share setting of ``09-negative-share-calm``: uniform shares on [LO, HI], N draws, SEED.
SHARE_LO, SHARE_HI, SHARE_N, SHARE_SEED = 0.0, 1.0, 500, 0


@exercise(
    "09-flip-gap-busday-calm", atol=1.0,
    question="On data/spx_calm.csv with time to expiry busday262 (business days / 262), practitioner sign and "
             "model gamma: the cumulative flip minus the zero-gamma level, index points, to within 1 point.",
    hint="gex.flip_strike(snap, time='busday262').value and gex.zero_gamma(snap, time='busday262').value "
         "(or the flip_strike and zero_gamma columns of sheet.compare); subtract zero gamma from the flip.",
)
def _flip_gap_busday_calm():
    conv = dict(sign="practitioner", time="busday262")
    return float(gex.flip_strike(_calm(), gamma="model", **conv).value - gex.zero_gamma(_calm(), **conv).value)


@exercise(
    "09-negative-share-calm", atol=0.05,
    question="whatif.dealer_share_draws on data/spx_calm.csv with lo=0.0, hi=1.0, n=500, seed=0 (practitioner "
             "sign, model gamma, act/365): the percentage of draws whose total GEX is negative, in percent.",
    hint="the column total_gex_negative is True for a negative draw; its mean is a fraction, times 100.",
)
def _negative_share_calm():
    d = whatif.dealer_share_draws(_calm(), lo=SHARE_LO, hi=SHARE_HI, n=SHARE_N, seed=SHARE_SEED,
                                  sign="practitioner", gamma="model", time="act365")
    return float(100.0 * d["total_gex_negative"].mean())


@exercise(
    "09-total-all-short-calm", atol=0.05,
    question="Total GEX of data/spx_calm.csv in $bn per 1% move under sign='all_short' (dealers short every "
             "call and every put), model gamma, act/365, to within $0.05bn.",
    hint="gex.total_gex(snap, sign='all_short') is in dollars per 1% move; divide by 1e9. It is negative.",
)
def _total_all_short_calm():
    return gex.total_gex(_calm(), sign="all_short", gamma="model", time="act365") / 1e9
