"""Lesson 10's exercise answers, recomputed by another route than gexlib.evidence (pandas by hand)."""

import numpy as np
import pandas as pd
import pytest

from gexlib import datasets, evidence
from gexlib.course import exercises


@pytest.fixture(scope="module")
def hist():
    return datasets.history()


def returns(hist):
    return np.log(hist["spot"]).diff()


def by_hand_panel(hist, horizon, window):
    r = returns(hist)
    ahead = sum((r.shift(-i) ** 2 for i in range(1, horizon + 1)))  # NaN where a day is missing
    fwd = np.sqrt(252 / horizon * ahead)
    trail = np.sqrt(252 * (r ** 2).rolling(window).mean())
    return pd.DataFrame({"gex": hist["gex_practitioner"], "fwd": fwd, "trail": trail}).dropna()


def test_controlled_difference_with_a_60_day_window(hist):
    d = by_hand_panel(hist, 1, 60)
    d["group"] = pd.qcut(d["trail"], 5, labels=False)
    d["side"] = np.where(d["gex"] < 0, "neg", "pos")
    m = d.pivot_table(index="group", columns="side", values="fwd", aggfunc="mean")
    n = d[d["side"] == "neg"].groupby("group").size().reindex(m.index, fill_value=0)
    both = m.notna().all(axis=1)
    w = n[both] / n[both].sum()
    answer = 100 * float((w * (m.loc[both, "neg"] - m.loc[both, "pos"])).sum())
    assert exercises.is_right("10-controlled-window-60", answer)
    assert not exercises.is_right("10-controlled-window-60", 100 * (d.loc[d["gex"] < 0, "fwd"].mean()
                                                                   - d.loc[d["gex"] >= 0, "fwd"].mean()))


def test_weekly_decile_spread(hist):
    d = by_hand_panel(hist, 5, 20)
    means = d.groupby(pd.qcut(d["gex"], 10, labels=False))["fwd"].mean()
    assert exercises.is_right("10-week-spread-deciles", 100 * (means.iloc[0] - means.iloc[-1]))
    assert len(d) == 235


def test_interval_width_ratio(hist):
    d = by_hand_panel(hist, 1, 20)
    g, y = d["gex"].to_numpy(), d["fwd"].to_numpy()

    def width(block):
        idx = evidence.stationary_bootstrap(len(d), block=block)  # the same seeded draws, a hand-written statistic
        diffs = [y[i][g[i] < 0].mean() - y[i][g[i] >= 0].mean() for i in idx]
        lo, hi = np.quantile(diffs, [0.025, 0.975])
        return hi - lo

    assert exercises.is_right("10-interval-width-ratio", width(20) / width(1))


def test_turns_negative(hist):
    neg = (hist["gex_practitioner"] < 0).astype(int).to_numpy()
    assert exercises.is_right("10-turns-negative", int(np.sum(np.diff(neg) == 1)))


def test_every_lesson_10_exercise_declares_near_misses_that_fail():
    ids = [k for k in exercises.EXERCISES if k.startswith("10-")]
    assert len(ids) == 4
    for k in ids:
        misses = exercises.near_misses(k)
        assert misses, k
        assert not any(exercises.is_right(k, x) for x in misses.values()), k
