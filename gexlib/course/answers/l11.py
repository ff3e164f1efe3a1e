"""Answers of lesson 11's exercises (computed from gexlib and the shipped data, never written down).

The capstone reads whatever chain its ``CHAIN_PATH`` names; its exercises run the same workflow on a
chain the lesson does not show, the shipped synthetic expiry-day chain ``data/spx_intraday_0dte.csv``,
so they do not depend on ``CHAIN_PATH``.
"""

import functools

from ... import datasets, gex, sheet
from ..registry import exercise
from ._common import _calm

#: The chain of the capstone's exercises.
CHAIN = "intraday_0dte"
#: The illustrative carry of ``11-carry-zero-gamma-0dte``: rate and dividend yield, decimal per year.
RATE, DIVIDEND = 0.045, 0.013


@functools.cache
def _chain():
    return datasets.load(CHAIN)


def _regime(snap, flip: str) -> str:
    row = sheet.compare(snap, signs=["practitioner"], gammas=["model"], times=["act365"], flips=[flip]).iloc[0]
    return str(row["regime"])


@exercise(
    "11-regime-cumulative-0dte",
    question="Regime tag of data/spx_intraday_0dte.csv when the level whose negative side fires the trigger is "
             "the cumulative flip (the source's definition) instead of zero gamma: practitioner sign, model gamma, "
             "act/365, r = q = 0, no history. 'long_gamma', 'transition' or 'short_gamma'?",
    hint="sheet.compare(snap, flips=['cumulative']) or gexlib.levels(snap, flip='cumulative'); the 'regime' "
         "column or entry.",
    near_misses=lambda: {"the zero-gamma trigger's tag": _regime(_chain(), "zero_gamma"),
                         "the transition band": "transition"},
)
def _regime_cumulative_0dte():
    return _regime(_chain(), "cumulative")


def _breakeven(snap) -> float:
    by = gex.gex_by_expiry(snap, by="bucket", sign="practitioner", gamma="model", time="act365")
    return float(-by["put"].sum() / by["call"].sum())


@exercise(
    "11-breakeven-ratio-0dte", atol=0.001,
    question="Dealer-share break-even of data/spx_intraday_0dte.csv: if dealers hold a share s_c of every call's "
             "open interest and s_p of every put's, the ratio s_c / s_p at which total GEX changes sign "
             "(practitioner sign, model gamma, act/365, r = q = 0), to within 0.001.",
    hint="total = s_c × call GEX + s_p × put GEX; gex.gex_by_expiry(snap, by='bucket') has call and put "
         "columns to sum. The ratio is minus put GEX over call GEX.",
    near_misses=lambda: {"call over put (the inverse)": 1.0 / _breakeven(_chain()),
                         "the calm chain's (the lesson's) ratio": _breakeven(_calm()),
                         "the share of calls to remove, 1 − ratio": 1.0 - _breakeven(_chain())},
)
def _breakeven_ratio_0dte():
    return _breakeven(_chain())


@exercise(
    "11-carry-zero-gamma-0dte", atol=1.0,
    question="Zero-gamma level of data/spx_intraday_0dte.csv with carry: r = 4.5% and q = 1.3% a year "
             "(continuously compounded; illustrative values), practitioner sign, model-gamma profile, act/365, "
             "index points, to within 1 point.",
    hint="gex.zero_gamma(snap, carry='given', r=0.045, q=0.013).value (or gexlib.levels(snap, carry='given', "
         "r=0.045, q=0.013)['zero_gamma']).",
    near_misses=lambda: {"without carry (r = q = 0)": gex.zero_gamma(_chain(), carry="zero").value,
                         "rate only": gex.zero_gamma(_chain(), carry="given", r=RATE).value,
                         "rate and yield swapped": gex.zero_gamma(_chain(), carry="given", r=DIVIDEND, q=RATE).value},
)
def _carry_zero_gamma_0dte():
    return gex.zero_gamma(_chain(), sign="practitioner", carry="given", r=RATE, q=DIVIDEND).value
