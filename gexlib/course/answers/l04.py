"""Answers of lesson 04's exercises (computed from gexlib and the shipped data, never written down)."""


from ... import datasets, gex, whatif
from ..registry import exercise
from ._common import _calm

#: Put open-interest factor of the scaling exercise (calls unchanged).
PUT_SCALE = 1.2



def _zero_gamma(snap, **conv):
    """``gex.zero_gamma(snap, **conv).value``, scanning ±10% of spot first (same spacing, a fraction of the cost).

    A crossing found within ±10% of spot is nearer spot than any outside, so it is the full scan's
    ``value`` (to the refinement tolerance); only when there is none is the full range scanned.
    """
    near = gex.zero_gamma(snap, lo=0.9, hi=1.1, n=401, **conv).value
    return near if near is not None else gex.zero_gamma(snap, **conv).value


#: Call open-interest factor of exercise 04-zero-gamma-stressed-calls (puts unchanged).
CALL_SCALE = 1.5


def _stressed(call=1.0, put=1.0):
    return whatif.scale_oi(datasets.load("stressed"), call=call, put=put)


@exercise(
    "04-zero-gamma-stressed-calls", atol=lambda: 0.001 * datasets.load("stressed").spot,
    question=f"Zero-gamma level of data/spx_stressed.csv with call open interest × {CALL_SCALE:g} and put open "
             "interest unchanged (whatif.scale_oi; practitioner sign, model-gamma profile), index points, to "
             "within 0.1% of spot.",
    hint="gex.zero_gamma(whatif.scale_oi(snap, call=...)).value — only calls are scaled; the crossing "
         "nearest spot.",
    near_misses=lambda: {
        "the unscaled chain": _zero_gamma(_stressed(), sign="practitioner"),
        "the cumulative flip of the scaled chain": gex.flip_strike(_stressed(call=CALL_SCALE), gamma="model").value,
        "puts scaled instead of calls": _zero_gamma(_stressed(put=CALL_SCALE), sign="practitioner"),
        "calls doubled": _zero_gamma(_stressed(call=2.0), sign="practitioner"),
        "spot": datasets.load("stressed").spot,
    },
)
def _zero_gamma_stressed_calls():
    return _zero_gamma(_stressed(call=CALL_SCALE), sign="practitioner")


@exercise(
    "04-flip-minus-zero-busday", atol=1.0,
    question="On data/spx_calm.csv under time='busday262' (practitioner sign, model gamma): cumulative flip "
             "minus zero-gamma level, in index points (positive when the flip is above), to within 1 point.",
    hint="pass time='busday262' to both gex.flip_strike and gex.zero_gamma, then subtract the two .value.",
    near_misses=lambda: {
        "act/365, the lesson's gap": _gap("act365"),
        "zero gamma minus the flip": -_gap("busday262"),
        "chain gamma for the flip": gex.flip_strike(datasets.load("calm"), gamma="chain", time="busday262").value
        - _zero_gamma(datasets.load("calm"), time="busday262"),
    },
)
def _flip_minus_zero_busday():
    return _gap("busday262")


def _gap(time):
    conv = dict(sign="practitioner", time=time)
    calm = datasets.load("calm")
    return gex.flip_strike(calm, gamma="model", **conv).value - _zero_gamma(calm, **conv)


@exercise(
    "04-cumulative-side-calm-days", atol=0.005,
    question="In data/history.csv, among the days with stress == 0, the fraction (between 0 and 1) on which "
             "spot is on the negative side of the cumulative flip (column neg_side_cumulative), to within 0.005.",
    hint="select the rows with hist['stress'] == 0, then take the mean of the boolean column.",
    near_misses=lambda: {
        "all days": float(datasets.history()["neg_side_cumulative"].mean()),
        "the zero-gamma side test": _calm_days("neg_side_zero_gamma"),
        "in percent": 100 * _calm_days("neg_side_cumulative"),
        "the stress days": float(datasets.history().query("stress > 0")["neg_side_cumulative"].mean()),
    },
)
def _cumulative_side_calm_days():
    return _calm_days("neg_side_cumulative")


def _calm_days(column):
    h = datasets.history()
    return float(h.loc[h["stress"] == 0, column].mean())


@exercise(
    "04-zero-gamma-put-scale", atol=lambda: 0.001 * datasets.load("calm").spot,
    question=f"Zero-gamma level of data/spx_calm.csv with put open interest × {PUT_SCALE:g} and call open "
             "interest unchanged (whatif.scale_oi; practitioner sign, model-gamma profile), index points, to "
             "within 0.1% of spot.",
    hint="gex.zero_gamma(whatif.scale_oi(snap, put=...)).value — only puts are scaled.",
    near_misses=lambda: {
        "the unscaled chain": _zero_gamma(_calm(), sign="practitioner"),
        "calls scaled instead of puts": _zero_gamma(whatif.scale_oi(_calm(), call=PUT_SCALE), sign="practitioner"),
        "spot": _calm().spot,
    },
)
def _zero_gamma_put_scale():
    return _zero_gamma(whatif.scale_oi(datasets.load("calm"), call=1.0, put=PUT_SCALE), sign="practitioner")


@exercise(
    "04-zero-gamma-calm", atol=lambda: 0.001 * _calm().spot,
    question="Zero-gamma level of data/spx_calm.csv (practitioner sign, model gamma profile), index "
             "points, to within 0.1% of spot.",
    hint="gex.zero_gamma(snap) returns a Level; its .value is the crossing nearest spot.",
    near_misses=lambda: {"the cumulative flip": gex.flip_strike(_calm()).value, "spot": _calm().spot},
)
def _zero_gamma_calm():
    return gex.zero_gamma(_calm(), sign="practitioner").value
