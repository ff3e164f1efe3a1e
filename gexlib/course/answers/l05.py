"""Answers of lesson 05's exercises (computed from gexlib and the shipped data, never written down)."""


from ... import datasets, gex
from ..registry import exercise
from ._common import _calm

#: The near-expiry horizon of ``05-near-expiry-share-calm``, calendar days after the snapshot.
NEAR_DAYS = 7.0



@exercise(
    "05-put-wall-calm", atol=0.5,
    question="Put wall of data/spx_calm.csv (practitioner sign, model gamma): the strike with the "
             "largest |put GEX| summed over expiries, index points.",
    hint="gex.walls(snap) returns a dict with 'call_wall' and 'put_wall'.",
)
def _put_wall_calm():
    return gex.walls(_calm(), sign="practitioner", gamma="model")["put_wall"]


@exercise(
    "05-near-expiry-share-calm", atol=0.05,
    question="Share of gross |GEX| of data/spx_calm.csv held by the expiries that settle at most 7 × 24 "
             "hours after the snapshot time, in percent. Gross |GEX| of an expiry = |call GEX| + |put GEX| "
             "(the sum of |GEX| over its contracts; model gamma, act/365, any sign convention). "
             "Answer to within 0.05 percentage points.",
    hint="gex.gex_by_expiry(snap) has call and put columns per expiry; days to settlement are "
         "(expiry − snap.asof) in seconds / 86,400; keep days <= 7, divide the two gross sums, times 100.",
)
def _near_expiry_share_calm():
    be = gex.gex_by_expiry(_calm(), sign="practitioner", gamma="model")
    gross = be["call"].abs() + be["put"].abs()
    days = (be["expiry"] - _calm().asof).dt.total_seconds() / 86400.0
    return float(100.0 * gross[days <= NEAR_DAYS].sum() / gross.sum())


@exercise(
    "05-zero-gamma-roll", atol=2.0,
    question="Change of the zero-gamma level from data/spx_pre_roll.csv to data/spx_post_roll.csv "
             "(post minus pre; practitioner sign, model gamma profile), index points, to within 2 points.",
    hint="gex.zero_gamma(snap).value for each file (or the 'zero_gamma' entry of gexlib.levels(snap)); "
         "subtract the earlier from the later.",
)
def _zero_gamma_roll():
    pre = gex.zero_gamma(datasets.load("pre_roll"), sign="practitioner").value
    post = gex.zero_gamma(datasets.load("post_roll"), sign="practitioner").value
    return float(post - pre)


@exercise(
    "05-call-wall-calm", atol=0.5,
    question="Call wall of data/spx_calm.csv (practitioner sign, model gamma): the strike with the "
             "largest |call GEX| summed over expiries, index points.",
    hint="gex.walls(snap) returns a dict with 'call_wall' and 'put_wall'.",
)
def _call_wall_calm():
    return gex.walls(_calm(), sign="practitioner", gamma="model")["call_wall"]
