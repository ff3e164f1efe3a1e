"""Answers of lesson 03's exercises (computed from gexlib and the shipped data, never written down)."""


from ... import datasets, gex, whatif
from ..registry import exercise
from ._common import _calm

BN = 1e9


def _total(name, sign="practitioner", **scale):
    snap = datasets.load(name)
    if scale:
        snap = whatif.scale_oi(snap, **scale)
    return gex.total_gex(snap, sign=sign, gamma="model") / BN


@exercise(
    "03-stressed-puts-x2", atol=0.05,
    question="Total GEX of data/spx_stressed.csv with every put's open interest doubled (calls "
             "unchanged), in $bn per 1% move (practitioner sign, model gamma), to within $0.05bn.",
    hint="whatif.scale_oi(snap, put=2.0) returns the changed chain; gex.total_gex of it is in dollars "
         "per 1% move, divide by 1e9.",
    near_misses=lambda: {
        "calls doubled instead of puts": _total("stressed", call=2.0),
        "seed sign": _total("stressed", sign="seed", put=2.0),
        "the unchanged chain": _total("stressed"),
        "in dollars, not $bn": _total("stressed", put=2.0) * BN,
    },
)
def _stressed_puts_x2():
    return _total("stressed", put=2.0)


def _bucket(column="net", bucket="0DTE", sign="practitioner"):
    tab = gex.gex_by_expiry(datasets.load("intraday_0dte"), by="bucket", sign=sign, gamma="model")
    row = tab.loc[tab["bucket"] == bucket].iloc[0]
    if column == "gross":
        return (abs(float(row["call"])) + abs(float(row["put"]))) / BN
    return float(row[column]) / BN


@exercise(
    "03-0dte-bucket-intraday", atol=0.01,
    question="Net GEX of the 0DTE bucket of data/spx_intraday_0dte.csv, in $bn per 1% move "
             "(practitioner sign, model gamma), to within $0.01bn.",
    hint="gex.gex_by_expiry(snap, by='bucket') has one row per bucket; take the 'net' column of the "
         "0DTE row and divide by 1e9.",
    near_misses=lambda: {
        "gross instead of net": _bucket("gross"),
        "the calls alone": _bucket("call"),
        "seed sign": _bucket(sign="seed"),
        "the weekly bucket": _bucket(bucket="weekly"),
        "in dollars, not $bn": _bucket() * BN,
    },
)
def _zero_dte_bucket():
    return _bucket()


def _flow(name, move, column="dollars_exact", sign="practitioner"):
    s = datasets.load(name)
    flow = gex.hedge_flow(s, s.spot, (1.0 + move) * s.spot, sign=sign)
    return float(flow[column].iloc[-1]) / BN


@exercise(
    "03-flow-down-stressed", atol=0.05,
    question="Dollars dealers trade to stay hedged when data/spx_stressed.csv's spot falls 1% "
             "(exact: every contract re-valued at the new spot, each contract's IV held), in $bn, "
             "positive = dealers buy (practitioner sign), to within $0.05bn.",
    hint="gex.hedge_flow(snap, snap.spot, 0.99 * snap.spot); the last row holds the totals, use "
         "'dollars_exact' and divide by 1e9.",
    near_misses=lambda: {
        "the GEX estimate": _flow("stressed", -0.01, "dollars_linear"),
        "seed sign": _flow("stressed", -0.01, sign="seed"),
        "a 1% rise": _flow("stressed", +0.01),
        "the calm chain": _flow("calm", -0.01),
        "in dollars, not $bn": _flow("stressed", -0.01) * BN,
    },
)
def _flow_down_stressed():
    return _flow("stressed", -0.01)


@exercise(
    "03-all-short-spy", atol=0.05,
    question="Total GEX of data/spy_calm.csv under the all_short sign (dealers short every contract), "
             "in $bn per 1% move (model gamma), to within $0.05bn.",
    hint="gex.total_gex(snap, sign='all_short') is in dollars per 1% move; divide by 1e9.",
    near_misses=lambda: {
        "practitioner sign": _total("spy_calm"),
        "seed sign": _total("spy_calm", sign="seed"),
        "the SPX-like calm chain": _total("calm", sign="all_short"),
        "in dollars, not $bn": _total("spy_calm", sign="all_short") * BN,
    },
)
def _all_short_spy():
    return _total("spy_calm", sign="all_short")


@exercise(
    "03-total-calm", atol=0.05,
    question="Total GEX of data/spx_calm.csv in $bn per 1% move (practitioner sign, model gamma), "
             "to within $0.05bn.",
    hint="gex.total_gex(snap) is in dollars per 1% move; divide by 1e9 for $bn.",
    near_misses=lambda: {"seed sign": _total("calm", sign="seed"), "in dollars, not $bn": _total("calm") * BN,
                         "chain gamma": gex.total_gex(_calm(), gamma="chain") / BN},
)
def _total_calm():
    return gex.total_gex(_calm(), sign="practitioner", gamma="model") / BN
