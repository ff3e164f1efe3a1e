"""Answers of lesson 05's exercises (computed from gexlib and the shipped data, never written down)."""

import datetime
import functools

from ... import datasets, gex, whatif
from ..registry import exercise
from ._common import _calm

#: The near-expiry horizon of ``05-near-expiry-share-calm``, calendar days after the snapshot.
NEAR_DAYS = 7.0
#: The August 2025 monthly expiry date of the opex chain.
OPEX_FRIDAY = datetime.date(2025, 8, 15)
BN = 1e9


@exercise(
    "05-put-wall-stressed", atol=0.5,
    question="Put wall of data/spx_stressed.csv (practitioner sign, model gamma): the strike with the "
             "largest |put GEX| summed over expiries, index points (to within 0.5 point).",
    hint="gex.walls(snap) returns a dict with 'call_wall' and 'put_wall'.",
    near_misses=lambda: {
        "the calm chain's put wall": gex.walls(_calm())["put_wall"],
        "the strike with the most put open interest": float(_put_oi_peak()),
        "the strike with the largest |net GEX|": _largest_net(),
        "the strike nearest spot": float(round(datasets.load("stressed").spot / 5.0) * 5.0),
    },
)
def _put_wall_stressed():
    return gex.walls(datasets.load("stressed"), sign="practitioner", gamma="model")["put_wall"]


def _put_oi_peak():
    o = datasets.load("stressed").options
    return o[o["type"] == "P"].groupby("strike")["oi"].sum().idxmax()


def _largest_net():
    ps = gex.per_strike_gex(datasets.load("stressed"))
    return float(ps.loc[ps["net"].abs().idxmax(), "strike"])


def _share_within(days_max, column="gross", scale=100.0, days_clock=None):
    be = gex.gex_by_expiry(_calm(), sign="practitioner", gamma="model")
    gross = be["call"].abs() + be["put"].abs()
    values = gross if column == "gross" else be["net"]
    days = (be["expiry"] - _calm().asof).dt.total_seconds() / 86400.0 if days_clock is None else days_clock(be)
    return float(scale * values[days <= days_max].sum() / values.sum())


@exercise(
    "05-near-expiry-share-calm", atol=0.05,
    question="Share of gross |GEX| of data/spx_calm.csv held by the expiries that settle at most 7 × 24 "
             "hours after the snapshot time, in percent. Gross |GEX| of an expiry = |call GEX| + |put GEX| "
             "(the sum of |GEX| over its contracts; model gamma, act/365, any sign convention). "
             "Answer to within 0.05 percentage points.",
    hint="gex.gex_by_expiry(snap) has call and put columns per expiry; days to settlement are "
         "(expiry − snap.asof) in seconds / 86,400; keep days <= 7, divide the two gross sums, times 100.",
    near_misses=lambda: {
        "as a fraction, not percent": _share_within(NEAR_DAYS, scale=1.0),
        "including the expiry 7 days and 15 minutes away": _share_within(7.02),
        "net instead of gross": _share_within(NEAR_DAYS, column="net"),
        "7 calendar dates, by date": _share_within(
            NEAR_DAYS, days_clock=lambda be: (be["expiry"].dt.normalize() - _calm().asof.normalize()).dt.days),
    },
)
def _near_expiry_share_calm():
    return _share_within(NEAR_DAYS)


@functools.cache
def _opex_totals():
    opex = datasets.load("opex")
    gone = whatif.filter_expiries(opex, min_days=2)  # without the contracts settling by Friday 16:00
    be = gex.gex_by_expiry(opex)
    friday_am = (be["expiry"].dt.date == OPEX_FRIDAY) & (be["expiry"].dt.hour == 9)
    return {"before": gex.total_gex(opex) / BN, "after": gex.total_gex(gone) / BN,
            "seed": (gex.total_gex(gone, sign="seed") - gex.total_gex(opex, sign="seed")) / BN,
            "am": float(be.loc[friday_am, "net"].sum()) / BN}


@exercise(
    "05-opex-rolloff", atol=0.05,
    question="data/spx_opex.csv is Thursday 2025-08-14 15:45 ET. Change of its total GEX when every contract "
             "settling by Friday 2025-08-15 16:00 ET is removed (whatif.filter_expiries(snap, min_days=2)), "
             "after minus before, in $bn per 1% move (practitioner sign, model gamma), to within $0.05bn.",
    hint="gex.total_gex of the filtered chain minus gex.total_gex of the original, divided by 1e9.",
    near_misses=lambda: {
        "the total after, not the change": _opex_totals()["after"],
        "before minus after": _opex_totals()["before"] - _opex_totals()["after"],
        "seed sign": _opex_totals()["seed"],
        "only the AM-settled monthly removed": -_opex_totals()["am"],
        "in dollars, not $bn": (_opex_totals()["after"] - _opex_totals()["before"]) * BN,
    },
)
def _opex_rolloff():
    t = _opex_totals()
    return t["after"] - t["before"]


@exercise(
    "05-call-wall-calm", atol=0.5,
    question="Call wall of data/spx_calm.csv (practitioner sign, model gamma): the strike with the "
             "largest |call GEX| summed over expiries, index points (to within 0.5 point).",
    hint="gex.walls(snap) returns a dict with 'call_wall' and 'put_wall'.",
    near_misses=lambda: {"the put wall": gex.walls(_calm())["put_wall"],
                         "the strike nearest spot": float(round(_calm().spot / 5.0) * 5.0)},
)
def _call_wall_calm():
    return gex.walls(_calm(), sign="practitioner", gamma="model")["call_wall"]
