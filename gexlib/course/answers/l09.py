"""Answers of lesson 09's exercises (computed from gexlib and the shipped data, never written down)."""

import functools

from ... import datasets, gex, whatif
from ..registry import exercise
from ._common import _calm

#: The dealer-share setting of ``09-negative-share-calm``: uniform shares on [LO, HI], N draws, SEED.
SHARE_LO, SHARE_HI, SHARE_N, SHARE_SEED = 0.0, 1.0, 500, 0
#: Spot of ``09-flip-gap-calm-up2``: the calm chain's spot times this factor (each contract keeping its IV).
UP = 1.02


@functools.cache
def _moved():
    return whatif.move_spot(_calm(), UP * float(_calm().spot))


def _gap(snap) -> float:
    conv = dict(sign="practitioner", time="act365")
    return float(gex.flip_strike(snap, gamma="model", **conv).value - gex.zero_gamma(snap, **conv).value)


@exercise(
    "09-flip-gap-calm-up2", atol=1.0,
    question="Move the spot of data/spx_calm.csv up 2% with whatif.move_spot(snap, 1.02 * snap.spot) (each contract "
             "keeps its IV). Practitioner sign, model gamma, act/365, r = q = 0: the cumulative flip minus the "
             "zero-gamma level of the moved chain, index points, to within 1 point.",
    hint="gex.flip_strike(moved).value and gex.zero_gamma(moved).value (or the flip_strike and zero_gamma "
         "columns of sheet.compare(moved)); subtract zero gamma from the flip.",
    near_misses=lambda: {"at today's spot": _gap(_calm()),
                         "zero gamma minus the flip": -_gap(_moved()),
                         "the moved flip minus today's spot": float(gex.flip_strike(_moved()).value) - float(_calm().spot),
                         "the moved flip minus the moved spot": float(gex.flip_strike(_moved()).value) - UP * float(_calm().spot)},
)
def _flip_gap_calm_up2():
    return _gap(_moved())


def _negative_share(lo: float = SHARE_LO) -> float:
    d = whatif.dealer_share_draws(_calm(), lo=lo, hi=SHARE_HI, n=SHARE_N, seed=SHARE_SEED,
                                  sign="practitioner", gamma="model", time="act365")
    return float(100.0 * d["total_gex_negative"].mean())


@exercise(
    "09-negative-share-calm", atol=0.05,
    question="whatif.dealer_share_draws on data/spx_calm.csv with lo=0.0, hi=1.0, n=500, seed=0 (practitioner "
             "sign, model gamma, act/365, r = q = 0): the percentage of draws whose total GEX is negative, in "
             "percent, to within 0.05 percentage points.",
    hint="the column total_gex_negative is True for a negative draw; its mean is a fraction, times 100.",
    near_misses=lambda: {"as a fraction": _negative_share() / 100.0,
                         "the share of positive draws": 100.0 - _negative_share(),
                         "the lesson's draws on [0.3, 1.0]": _negative_share(0.3)},
)
def _negative_share_calm():
    return _negative_share()


def _total_bn(name: str, sign: str) -> float:
    return gex.total_gex(datasets.load(name), sign=sign, gamma="model", time="act365") / 1e9


@exercise(
    "09-total-all-short-stressed", atol=0.05,
    question="Total GEX of data/spx_stressed.csv in $bn per 1% move under sign='all_short' (dealers short every "
             "call and every put), model gamma, act/365, r = q = 0, to within $0.05bn.",
    hint="gex.total_gex(snap, sign='all_short') is in dollars per 1% move; divide by 1e9. It is negative.",
    near_misses=lambda: {"practitioner sign": _total_bn("stressed", "practitioner"),
                         "the calm chain (the lesson's table)": _total_bn("calm", "all_short"),
                         "gross |GEX| without the minus": -_total_bn("stressed", "all_short"),
                         "in dollars": _total_bn("stressed", "all_short") * 1e9},
)
def _total_all_short_stressed():
    return _total_bn("stressed", "all_short")
