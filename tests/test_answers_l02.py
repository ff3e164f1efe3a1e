"""Lesson 02's exercise answers, recomputed by hand and with QuantLib's Black calculator."""

import math

import pytest

from gexlib.course import exercises

ql = pytest.importorskip("QuantLib")


def ql_delta(S, K, days, sigma, kind):
    T = days / 365.0
    option = ql.Option.Call if kind == "C" else ql.Option.Put
    return ql.BlackCalculator(ql.PlainVanillaPayoff(option, K), S, sigma * math.sqrt(T), 1.0).delta(S)


def test_share_counts_by_hand():
    assert exercises.is_right("02-shares-short-calls", 250 * 100 * 0.30)
    assert exercises.is_right("02-rehedge-fall", -(250 * 100 * 0.02 * 2))
    assert exercises.is_right("02-shares-to-buy", 100 * 100 * 0.50)
    assert exercises.is_right("02-gamma-rehedge", 100 * 100 * 0.05 * 1)


def test_seed_put_dealer_trade_by_quantlib_deltas():
    # A long put position of 200 contracts has delta 200 × 100 × Δ_put; the hedge holds minus that.
    before, after = ql_delta(100.0, 95.0, 21.0, 0.25, "P"), ql_delta(97.0, 95.0, 21.0, 0.25, "P")
    trade = -200 * 100 * (after - before)
    assert trade > 0  # long gamma: buys into the fall
    assert exercises.is_right("02-seed-put-dealer-fall", trade)


def test_short_put_dealer_sells_into_a_fall():
    before, after = ql_delta(100.0, 100.0, 30.0, 0.20, "P"), ql_delta(99.0, 100.0, 30.0, 0.20, "P")
    position = -1  # one short put
    trade = -position * 100 * (after - before)
    assert trade < 0 and exercises.is_right("02-short-put-falls", "sell")
