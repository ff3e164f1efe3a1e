"""Answers of lesson 10's exercises (computed from gexlib and the shipped synthetic history, never written down)."""

import functools

from ... import datasets, evidence
from ..registry import exercise

#: Trailing-vol window of the first exercise (trading days).
LONG_WINDOW = 60
#: Horizon (trading days) and number of GEX groups of the second exercise.
WEEK, DECILES = 5, 10


@functools.cache
def _series():
    h = datasets.history()
    return h["spot"], h["gex_practitioner"]


@functools.cache
def _panel(horizon: int = 1, window: int = 20):
    price, gex = _series()
    return evidence.panel(price, gex, horizon=horizon, window=window)


def _pts(table, row) -> float:
    return 100.0 * float(table.loc[row, "forward_vol"])


@exercise(
    "10-controlled-window-60", atol=0.05,
    question=f"Synthetic history (data/history.csv, practitioner sign), next-day realised vol, trailing-vol window "
             f"{LONG_WINDOW} days, 5 trailing-vol groups: mean after negative-GEX days minus mean after positive-GEX "
             "days of similar trailing vol (double sort, evidence.controlled_by_sign), in vol points, to within 0.05.",
    hint="evidence.panel(price, gex, window=...) then evidence.controlled_by_sign(panel); the 'difference' row's "
         "forward_vol is a decimal: vol points are 100 times it.",
    near_misses=lambda: {
        "all days, no control": _pts(evidence.by_sign(_panel(1, LONG_WINDOW)), "difference"),
        "the default 20-day window": _pts(evidence.controlled_by_sign(_panel(1, 20)), "difference"),
        "decimal, not vol points": _pts(evidence.controlled_by_sign(_panel(1, LONG_WINDOW)), "difference") / 100,
    },
)
def _controlled_window_60():
    return _pts(evidence.controlled_by_sign(_panel(1, LONG_WINDOW)), "difference")


@exercise(
    "10-week-spread-deciles", atol=0.05,
    question=f"Synthetic history, realised vol of the next {WEEK} trading days, GEX in {DECILES} groups, all days "
             f"(evidence.by_quantile): Q1 − Q{DECILES} (lowest minus highest GEX decile), in vol points, to within 0.05.",
    hint="evidence.panel(price, gex, horizon=5) and evidence.by_quantile(panel, 10); the last row is Q1 − Q10.",
    near_misses=lambda: {
        "quintiles": _pts(evidence.by_quantile(_panel(WEEK, 20), 5), f"Q1 − Q{5}"),
        "next day": _pts(evidence.by_quantile(_panel(1, 20), DECILES), f"Q1 − Q{DECILES}"),
        "within trailing-vol groups": _pts(evidence.controlled_by_quantile(_panel(WEEK, 20), DECILES),
                                           f"Q1 − Q{DECILES}"),
    },
)
def _week_spread_deciles():
    return _pts(evidence.by_quantile(_panel(WEEK, 20), DECILES), f"Q1 − Q{DECILES}")


def _width(block: float) -> float:
    row = evidence.by_sign(_panel(1, 20), block=block).loc["difference"]
    return float(row["high"] - row["low"])


@exercise(
    "10-interval-width-ratio", atol=0.01,
    question="Synthetic history at the defaults (next day, 20-day window): width of the 95% interval of the all-days "
             "sign difference (evidence.by_sign) with mean block 20 days divided by its width with block=1, to "
             "within 0.01.",
    hint="evidence.by_sign(panel, block=...) for both blocks; width = high − low of the 'difference' row.",
    near_misses=lambda: {"the inverse": _width(1) / _width(20), "no effect": 1.0},
)
def _interval_width_ratio():
    return _width(20) / _width(1)


@exercise(
    "10-turns-negative",
    question="Synthetic history: number of days with GEX below zero after a day with GEX at or above zero (every "
             "change to negative in the whole history).",
    hint="evidence.sign_changes(gex) lists every change with its direction; count the 'to negative' rows.",
    near_misses=lambda: {
        "only changes with ten days each side (Figure 10.2)": int(
            evidence.event_view(*_series(), days=10).query("direction == 'to negative'")["events"].iloc[0]),
        "changes in both directions": len(evidence.sign_changes(_series()[1])),
    },
)
def _turns_negative():
    return int((evidence.sign_changes(_series()[1])["direction"] == "to negative").sum())
