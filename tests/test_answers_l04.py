"""Lesson 04's exercise answers, recomputed by another route: the profile and walk written out (hand_gex), the history read directly."""

from hand_gex import Chain

from gexlib import datasets
from gexlib.course import exercises


def test_zero_gamma_stressed_with_more_calls():
    c = Chain("stressed", call_oi=1.5)
    z = c.zero_gamma()
    assert z < c.spot and c.total() > 0  # more dealer calls: long gamma, zero gamma below spot
    assert exercises.is_right("04-zero-gamma-stressed-calls", z)


def test_zero_gamma_put_scale():
    c = Chain("calm", put_oi=1.2)
    z = c.zero_gamma()
    assert z > c.spot and exercises.is_right("04-zero-gamma-put-scale", z)


def test_zero_gamma_calm():
    assert exercises.is_right("04-zero-gamma-calm", Chain("calm").zero_gamma())


def test_flip_minus_zero_busday_by_hand():
    c = Chain("calm", busday262=True)
    assert exercises.is_right("04-flip-minus-zero-busday", c.flip() - c.zero_gamma())
    act = Chain("calm")
    assert not exercises.is_right("04-flip-minus-zero-busday", act.flip() - act.zero_gamma())


def test_cumulative_side_on_calm_days_by_counting():
    h = datasets.history()
    calm_days = [row for _, row in h.iterrows() if row["stress"] == 0]
    fraction = sum(bool(r["neg_side_cumulative"]) for r in calm_days) / len(calm_days)
    assert exercises.is_right("04-cumulative-side-calm-days", fraction)
