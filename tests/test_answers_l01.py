"""Lesson 01's exercise answers, recomputed by another route: QuantLib's Black calculator and hand formulas."""

import math

import pytest

from gexlib.course import exercises

ql = pytest.importorskip("QuantLib")


def ql_gamma(S, K, days, sigma, kind="C"):
    """Gamma per $1 from QuantLib's BlackCalculator, r = q = 0, T = days / 365."""
    T = days / 365.0
    option = ql.Option.Call if kind == "C" else ql.Option.Put
    return ql.BlackCalculator(ql.PlainVanillaPayoff(option, K), S, sigma * math.sqrt(T), 1.0).gamma(S)


def hand_gamma(S, K, days, sigma):
    """phi(d1) / (S sigma sqrt(T)) with r = q = 0, written out."""
    T = days / 365.0
    d1 = (math.log(S / K) + 0.5 * sigma**2 * T) / (sigma * math.sqrt(T))
    return math.exp(-0.5 * d1 * d1) / math.sqrt(2 * math.pi) / (S * sigma * math.sqrt(T))


def accepted(ex_id, value):
    return exercises.is_right(ex_id, value)


def test_gamma_otm_put_matches_quantlib():
    assert accepted("01-gamma-otm-put", ql_gamma(100.0, 95.0, 14.0, 0.25, "P"))
    assert accepted("01-gamma-otm-put", hand_gamma(100.0, 95.0, 14.0, 0.25))


def test_gamma_atm_matches_quantlib():
    assert accepted("01-gamma-atm", ql_gamma(100.0, 100.0, 30.0, 0.20))


def test_gamma_ratio_is_the_closed_form():
    # At the money with r = q = 0: d1 = sigma sqrt(T) / 2, so the ratio is sqrt(30) exp(sigma^2 (T30 - T1) / 8).
    sigma = 0.13
    closed = math.sqrt(30.0) * math.exp(sigma**2 * (30 - 1) / 365.0 / 8.0)
    assert accepted("01-gamma-ratio", closed)
    assert accepted("01-gamma-ratio", ql_gamma(6250.0, 6250.0, 1.0, sigma) / ql_gamma(6250.0, 6250.0, 30.0, sigma))
    assert not accepted("01-gamma-ratio", math.sqrt(30.0))


def test_book_gamma_by_quantlib_legs():
    legs = [(+30, "C", 100.0, 14.0, 0.20), (-40, "P", 95.0, 30.0, 0.25), (-10, "C", 100.0, 2.0, 0.18)]
    total = sum(n * 100.0 * ql_gamma(98.0, K, d, iv, kind) for n, kind, K, d, iv in legs)
    assert accepted("01-book-gamma", total)
    assert total < 0  # the book is short gamma at 98, as the solution says


def test_short_straddle_is_negative():
    g = -(ql_gamma(100.0, 100.0, 30.0, 0.2, "C") + ql_gamma(100.0, 100.0, 30.0, 0.2, "P"))
    assert g < 0 and accepted("01-short-straddle-sign", "negative")
