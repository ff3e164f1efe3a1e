"""Lesson 03's exercise answers, recomputed from the chain's columns with the formulas written out (hand_gex)."""

import pytest
from hand_gex import Chain

from gexlib import datasets, gex
from gexlib.course import exercises


def test_stressed_puts_doubled():
    assert exercises.is_right("03-stressed-puts-x2", Chain("stressed", put_oi=2.0).total() / 1e9)


def test_all_short_spy():
    x = Chain("spy_calm", sign="all_short").total() / 1e9
    assert x < 0 and exercises.is_right("03-all-short-spy", x)


def test_total_calm():
    assert exercises.is_right("03-total-calm", Chain("calm").total() / 1e9)


def test_flow_down_stressed():
    x = Chain("stressed").flow(-0.01) / 1e9
    assert x < 0  # short gamma: dealers sell into the fall
    assert exercises.is_right("03-flow-down-stressed", x)


def test_zero_dte_bucket_net():
    c = Chain("intraday_0dte")
    today = (c.options["expiry"].dt.date == c.snap.asof.date()).to_numpy()
    assert exercises.is_right("03-0dte-bucket-intraday", float(c.gex()[today].sum()) / 1e9)


@pytest.mark.parametrize("name", ["calm", "stressed"])
def test_hand_route_agrees_with_gexlib_total(name):
    # The route is lesson 03's definition at r = q = 0; it must reproduce gexlib's zero-carry total to
    # rounding, and the default (parity) total to the 1e-4 that parity's fit leaves on a chain made at r = q = 0.
    snap = datasets.load(name)
    assert Chain(name).total() == pytest.approx(gex.total_gex(snap, carry="zero"), rel=1e-9)
    assert Chain(name).total() == pytest.approx(gex.total_gex(snap), rel=1e-4)
