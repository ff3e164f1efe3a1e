"""Answers of lesson 03's exercises (computed from gexlib and the shipped data, never written down)."""


from ... import datasets, gex, whatif
from ..registry import exercise
from ._common import _calm

#: Sign conventions the source-claim exercise chooses between.
_CANDIDATES = ("seed", "practitioner")



@exercise(
    "03-stressed-puts-x2", atol=0.05,
    question="Total GEX of data/spx_stressed.csv with every put's open interest doubled (calls "
             "unchanged), in $bn per 1% move (practitioner sign, model gamma).",
    hint="whatif.scale_oi(snap, put=2.0) returns the changed chain; gex.total_gex of it is in dollars "
         "per 1% move, divide by 1e9.",
)
def _stressed_puts_x2():
    return gex.total_gex(whatif.scale_oi(datasets.load("stressed"), put=2.0), sign="practitioner", gamma="model") / 1e9


@exercise(
    "03-0dte-bucket-intraday", atol=0.01,
    question="Net GEX of the 0DTE bucket of data/spx_intraday_0dte.csv, in $bn per 1% move "
             "(practitioner sign, model gamma).",
    hint="gex.gex_by_expiry(snap, by='bucket') has one row per bucket; take the 'net' column of the "
         "0DTE row and divide by 1e9.",
)
def _zero_dte_bucket():
    tab = gex.gex_by_expiry(datasets.load("intraday_0dte"), by="bucket", sign="practitioner", gamma="model")
    return float(tab.loc[tab["bucket"] == "0DTE", "net"].iloc[0]) / 1e9


@exercise(
    "03-flow-down-calm", atol=0.05,
    question="Dollars dealers trade to stay hedged when data/spx_calm.csv's spot falls 1% "
             "(exact: every contract re-valued), in $bn, positive = dealers buy (practitioner sign).",
    hint="gex.hedge_flow(snap, snap.spot, 0.99 * snap.spot); the last row holds the totals, use "
         "'dollars_exact' and divide by 1e9.",
)
def _flow_down_calm():
    s = datasets.load("calm")
    flow = gex.hedge_flow(s, s.spot, 0.99 * s.spot, sign="practitioner")
    return float(flow["dollars_exact"].iloc[-1]) / 1e9


@exercise(
    "03-sign-matches-source",
    question="Which sign convention, 'seed' or 'practitioner', gives positive total GEX on "
             "data/spx_calm.csv and negative on data/spx_stressed.csv (model gamma), as the source "
             "material claims for calm and stressed index markets?",
    hint="compute gex.total_gex of both chains under each of the two sign= values and keep the one "
         "whose calm total is above zero and stressed total below.",
)
def _sign_matches_source():
    calm, stressed = datasets.load("calm"), datasets.load("stressed")
    match = [s for s in _CANDIDATES
             if gex.total_gex(calm, sign=s, gamma="model") > 0 > gex.total_gex(stressed, sign=s, gamma="model")]
    return match[0] if len(match) == 1 else "neither"


@exercise(
    "03-total-calm", atol=0.05,
    question="Total GEX of data/spx_calm.csv in $bn per 1% move (practitioner sign, model gamma).",
    hint="gex.total_gex(snap) is in dollars per 1% move; divide by 1e9 for $bn.",
)
def _total_calm():
    return gex.total_gex(_calm(), sign="practitioner", gamma="model") / 1e9
