"""Tests for gexlib.bs: QuantLib agreement, properties, limits and implied vol."""

from __future__ import annotations

import itertools
import math
from decimal import Decimal, getcontext, localcontext

import numpy as np
import pytest
import QuantLib as ql
from hypothesis import given, settings
from hypothesis import strategies as st

from gexlib import bs

# Any RuntimeWarning (or other warning) raised by the code under test fails the test.
pytestmark = pytest.mark.filterwarnings("error")

EPS = np.finfo(float).eps
S0 = 100.0
MINUTE = 1.0 / (365 * 24 * 60)
TENORS = [MINUTE, 1 / 365, 30 / 365, 2.0]
VOLS = [0.01, 0.20, 1.50]
MONEYNESS = [0.5, 0.8, 1.0, 1.2, 2.0]
CARRY = [(0.0, 0.0), (0.05, 0.02), (-0.01, 0.03)]
SLICES = list(itertools.product(TENORS, VOLS, CARRY))
SLICE_IDS = [f"T={T:.3g}-vol={v}-r={r}-q={q}" for T, v, (r, q) in SLICES]

# One row per (strike, kind) in a slice, passed to bs as arrays (kind too).
STRIKES = S0 * np.repeat(MONEYNESS, 2)
KINDS = np.tile(np.array(["C", "P"]), len(MONEYNESS))


def ql_calculator(kind, K, T, sigma, r, q, S=S0):
    """QuantLib Black calculator with T controlled exactly through forward, stdDev, discount."""
    option = ql.Option.Call if kind == "C" else ql.Option.Put
    return ql.BlackCalculator(ql.PlainVanillaPayoff(option, float(K)), S * math.exp((r - q) * T),
                              sigma * math.sqrt(T), math.exp(-r * T))


def ql_delta(kind, K, T, sigma, r, q):
    return ql_calculator(kind, K, T, sigma, r, q).delta(S0)


def at_forward_scale(func, T, sigma, r, q, kinds=("C", "P")):
    """Largest |func| at the forward strike over the kinds: the natural size of a greek in a slice."""
    forward = S0 * math.exp((r - q) * T)
    args = (S0, forward, T, sigma, r, q)
    if func in (bs.gamma, bs.vega, bs.vanna):
        return abs(func(*args))
    return max(abs(func(*args, kind)) for kind in kinds)


# --------------------------------------------------------------------------- QuantLib grid

@pytest.mark.parametrize(("T", "sigma", "carry"), SLICES, ids=SLICE_IDS)
def test_matches_quantlib(T, sigma, carry):
    r, q = carry
    calcs = [ql_calculator(k, K, T, sigma, r, q) for K, k in zip(STRIKES, KINDS, strict=True)]
    value = np.array([c.value() for c in calcs])
    delta = np.array([c.delta(S0) for c in calcs])
    gamma = np.array([c.gamma(S0) for c in calcs])
    expected = {
        bs.price: value,
        bs.delta: delta,
        bs.gamma: gamma,
        bs.vega: np.array([c.vega(T) for c in calcs]) / 100.0,  # QL: per 1.0 of vol
        # Theta from the Black-Scholes PDE, Theta = rV - (r-q) S Delta - sigma^2 S^2 Gamma / 2,
        # with QuantLib's V, Delta, Gamma and the exact r and q. This is QuantLib's own theta
        # formula, which takes r and q back out of the discount and forward as log(D)/T and
        # log(F/S)/T; checked against that directly in test_theta_matches_quantlib_theta.
        bs.theta: (r * value - (r - q) * S0 * delta - 0.5 * sigma**2 * S0**2 * gamma) / 365.0,
    }
    for func, ref in expected.items():
        args = (S0, STRIKES, T, sigma, r, q)
        ours = func(*args) if func in (bs.gamma, bs.vega) else func(*args, KINDS)
        # QuantLib's normal cdf is accurate in absolute, not relative, terms far in the tails
        # (it returns 0 for a put worth 1.8e-102, see test_deep_tail_prices_are_relatively_accurate),
        # so values that are tiny next to the slice's at-the-forward value are compared on an
        # absolute scale 1e-12 times that value. Every value of ordinary size is held to 1e-10.
        atol = 1e-12 * at_forward_scale(func, T, sigma, r, q)
        np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=atol, err_msg=func.__name__)


@pytest.mark.parametrize(("T", "sigma", "carry"), SLICES, ids=SLICE_IDS)
def test_theta_matches_quantlib_theta(T, sigma, carry):
    """QuantLib's BlackCalculator.theta is dV/dt per year, dividends included; ours is that / 365."""
    r, q = carry
    calcs = [ql_calculator(k, K, T, sigma, r, q) for K, k in zip(STRIKES, KINDS, strict=True)]
    ref = np.array([c.theta(S0, T) for c in calcs]) / 365.0
    ours = bs.theta(S0, STRIKES, T, sigma, r, q, KINDS)
    # QuantLib recovers r - q as log(F/S)/T from a forward rounded to 1 ulp, an error of about
    # eps * S * |Delta| / T (plus eps * |V| / T from the discount); at T = 1 minute that is ~1e-11.
    value = np.array([c.value() for c in calcs])
    delta = np.array([c.delta(S0) for c in calcs])
    reconstruction = 4 * EPS * (S0 * np.abs(delta) + np.abs(value)) / T / 365.0
    atol = 1e-12 * at_forward_scale(bs.theta, T, sigma, r, q) + reconstruction
    excess = np.abs(ours - ref) - (1e-10 * np.abs(ref) + atol)
    assert np.all(excess <= 0), (ours, ref, atol)


def richardson(f, x, h):
    """Central difference f'(x) with one Richardson step (error O(h^4))."""
    def central(step):
        return (f(x + step) - f(x - step)) / (2 * step)
    return (4 * central(h / 2) - central(h)) / 3


@pytest.mark.parametrize(("T", "sigma", "carry"), SLICES, ids=SLICE_IDS)
def test_vanna_and_charm_match_finite_differences_of_quantlib_delta(T, sigma, carry):
    r, q = carry
    phi1 = math.exp(-0.5) / math.sqrt(2 * math.pi)  # |phi(d) d| peaks at |d| = 1
    # Natural sizes, for an absolute floor where a value is ~0 (deep in/out of the money):
    # vanna ~ e^{-qT} phi(1) / sigma; charm ~ e^{-qT} (phi(1) (1/(2T) + |r-q|/(sigma sqrt T)) + |q|).
    vanna_scale = math.exp(-q * T) * phi1 / sigma / 100
    charm_scale = math.exp(-q * T) * (
        phi1 * (1 / (2 * T) + abs(r - q) / (sigma * math.sqrt(T))) + abs(q)) / 365
    for K, kind in zip(STRIKES, KINDS, strict=True):
        fd_vanna = richardson(lambda s, K=K, kind=kind: ql_delta(kind, K, T, s, r, q), sigma, 1e-2 * sigma) / 100
        fd_charm = -richardson(lambda t, K=K, kind=kind: ql_delta(kind, K, t, sigma, r, q), T, 1e-2 * T) / 365
        assert bs.vanna(S0, K, T, sigma, r, q) == pytest.approx(
            fd_vanna, rel=1e-6, abs=1e-6 * vanna_scale), (K, kind)
        assert bs.charm(S0, K, T, sigma, r, q, kind) == pytest.approx(
            fd_charm, rel=1e-6, abs=1e-6 * charm_scale), (K, kind)


# --------------------------------------------------------------------------- deep tails

def _decimal_pi():
    """pi by Machin's formula at the current decimal precision."""
    def arctan_inv(n):
        x = Decimal(1) / n
        term = total = x
        k, tiny = 1, Decimal(10) ** -(getcontext().prec + 5)
        while abs(term) > tiny:
            term *= -x * x
            k += 2
            total += term / k
        return total
    return 16 * arctan_inv(5) - 4 * arctan_inv(239)


def _decimal_ncdf(x, pi):
    """Standard normal cdf in Decimal: erf(z) = 2/sqrt(pi) e^{-z^2} sum 2^n z^(2n+1) / (2n+1)!!."""
    z = abs(x) / Decimal(2).sqrt()
    term = total = z
    n = 0
    tiny = Decimal(10) ** -getcontext().prec
    while term > total * tiny:
        n += 1
        term = term * 2 * z * z / (2 * n + 1)
        total += term
    erf = 2 / pi.sqrt() * (-z * z).exp() * total
    return (1 + erf) / 2 if x >= 0 else (1 - erf) / 2


def decimal_price(S, K, T, sigma, r, q, kind):
    """Black-Scholes-Merton price at 300 significant digits from the exact binary inputs."""
    with localcontext() as ctx:
        ctx.prec = 300
        pi = _decimal_pi()
        S, K, T, sigma, r, q = map(Decimal, (S, K, T, sigma, r, q))
        sd = sigma * T.sqrt()
        d1 = ((S / K).ln() + (r - q + sigma * sigma / 2) * T) / sd
        d2 = d1 - sd
        w = 1 if kind == "C" else -1
        return float(w * (S * (-q * T).exp() * _decimal_ncdf(w * d1, pi)
                          - K * (-r * T).exp() * _decimal_ncdf(w * d2, pi)))


@pytest.mark.parametrize(("K", "T", "sigma", "r", "q", "kind"), [
    (80.0, 1 / 365, 0.20, 0.0, 0.0, "P"),       # ~1.8e-102, QuantLib gives 0
    (50.0, 30 / 365, 0.20, 0.05, 0.02, "P"),    # ~1.2e-34
    (200.0, 30 / 365, 0.20, 0.05, 0.02, "C"),   # ~6.8e-34
    (100.0, 2.0, 0.01, -0.01, 0.03, "C"),       # ~1.8e-9, QuantLib is off by 4e-6 relative
    (50.0, 1 / 365, 1.50, 0.05, 0.02, "P"),     # ~3.2e-19
])
def test_deep_tail_prices_are_relatively_accurate(K, T, sigma, r, q, kind):
    ref = decimal_price(S0, K, T, sigma, r, q, kind)
    assert 0.0 < ref < 1e-8
    assert bs.price(S0, K, T, sigma, r, q, kind) == pytest.approx(ref, rel=1e-9, abs=0.0)


# --------------------------------------------------------------------------- properties

spots = st.floats(1.0, 1e4)
moneyness = st.floats(0.5, 2.0)
tenors = st.floats(1 / 365, 3.0)
vols = st.floats(0.05, 1.5)
rates = st.floats(-0.02, 0.10)
dividends = st.floats(0.0, 0.08)
kinds = st.sampled_from(["C", "P"])
PROPERTY = settings(max_examples=200, deadline=None)


def spot_step(S, T, sigma):
    """A finite-difference step in S of 1% of S sigma sqrt(T), the scale on which delta moves."""
    return 1e-2 * S * sigma * math.sqrt(T)


@PROPERTY
@given(spots, moneyness, tenors, vols, rates, dividends)
def test_gamma_is_the_slope_of_both_call_and_put_delta(S, m, T, sigma, r, q):
    K, h = S * m, spot_step(S, T, sigma)
    fd_call = richardson(lambda x: bs.delta(x, K, T, sigma, r, q, "C"), S, h)
    fd_put = richardson(lambda x: bs.delta(x, K, T, sigma, r, q, "P"), S, h)
    g = bs.gamma(S, K, T, sigma, r, q)
    tol = dict(rel=1e-6, abs=1e-9 / S)
    assert fd_call == pytest.approx(g, **tol)
    assert fd_put == pytest.approx(g, **tol)


@PROPERTY
@given(spots, moneyness, tenors, vols, rates, dividends)
def test_put_call_parity(S, m, T, sigma, r, q):
    K = S * m
    call, put = bs.price(S, K, T, sigma, r, q, ["C", "P"])
    assert call - put == pytest.approx(S * math.exp(-q * T) - K * math.exp(-r * T), abs=1e-12 * (S + K))
    d_call, d_put = bs.delta(S, K, T, sigma, r, q, ["C", "P"])
    assert d_call - d_put == pytest.approx(math.exp(-q * T), abs=1e-15)


@PROPERTY
@given(spots, moneyness, tenors, vols, rates, dividends, kinds, st.floats(1e-3, 1e3))
def test_homogeneity(S, m, T, sigma, r, q, kind, lam):
    K = S * m
    base = (S, K, T, sigma, r, q)
    scaled = (lam * S, lam * K, T, sigma, r, q)
    price = bs.price(*base, kind)
    assert bs.price(*scaled, kind) == pytest.approx(lam * price, rel=1e-10, abs=1e-13 * lam * S)
    assert bs.delta(*scaled, kind) == pytest.approx(bs.delta(*base, kind), rel=1e-10, abs=1e-14)
    assert bs.gamma(*scaled) == pytest.approx(bs.gamma(*base) / lam, rel=1e-10, abs=1e-14 / (lam * S))


@PROPERTY
@given(
    # Exact zeros and limit values are mixed with ordinary ones. Positive sigma starts at 1e-4
    # and S, K at 1e-2: at the forward strike gamma ~ 1/(S sigma sqrt T) is a genuine overflow
    # (inf) once S sigma sqrt(T) is below ~1e-308, which is not a limit case.
    st.one_of(st.just(0.0), st.floats(1e-2, 1e6)), st.one_of(st.just(0.0), st.floats(1e-2, 1e6)),
    st.floats(-1.0, 10.0), st.one_of(st.floats(-0.5, 0.0), st.floats(1e-4, 5.0)),
    st.floats(-0.1, 0.2), st.floats(-0.05, 0.2), kinds,
)
def test_finite_everywhere_and_signs(S, K, T, sigma, r, q, kind):
    args = (S, K, T, sigma, r, q)
    values = {
        "price": bs.price(*args, kind), "delta": bs.delta(*args, kind), "gamma": bs.gamma(*args),
        "vega": bs.vega(*args), "theta": bs.theta(*args, kind), "vanna": bs.vanna(*args),
        "charm": bs.charm(*args, kind),
    }
    assert all(type(v) is float and math.isfinite(v) for v in values.values()), values
    assert values["gamma"] >= 0.0
    assert values["vega"] >= 0.0
    assert values["price"] >= 0.0
    dq = math.exp(-q * max(T, 0.0))
    lo, hi = (0.0, dq) if kind == "C" else (-dq, 0.0)
    assert lo <= values["delta"] <= hi


moderate = dict(S=st.floats(10.0, 1e3), m=st.floats(0.7, 1.4), T=st.floats(0.05, 2.0),
                sigma=st.floats(0.1, 1.0), r=rates, q=dividends, kind=kinds)


@PROPERTY
@given(**moderate)
def test_finite_differences_of_price_and_delta(S, m, T, sigma, r, q, kind):
    K, h = S * m, spot_step(S, T, sigma)
    args = (K, T, sigma, r, q)
    fd_delta = richardson(lambda x: bs.price(x, *args, kind), S, h)
    fd_gamma = richardson(lambda x: bs.delta(x, *args, kind), S, h)
    assert bs.delta(S, *args, kind) == pytest.approx(fd_delta, rel=1e-6, abs=1e-9)
    assert bs.gamma(S, *args) == pytest.approx(fd_gamma, rel=1e-6, abs=1e-9 / S)


@PROPERTY
@given(**moderate)
def test_finite_differences_in_time_and_vol(S, m, T, sigma, r, q, kind):
    """theta = -dV/dT / 365, vega = dV/dsigma / 100, vanna and charm likewise from delta."""
    K = S * m
    ht, hs = 1e-4 * T, 1e-4 * sigma

    def fd(func, wrt, h):
        def at(x):
            params = dict(S=S, K=K, T=T, sigma=sigma, r=r, q=q, kind=kind) | {wrt: x}
            return func(**params)
        return richardson(at, T if wrt == "T" else sigma, h)

    assert bs.theta(S, K, T, sigma, r, q, kind) == pytest.approx(
        -fd(bs.price, "T", ht) / 365, rel=1e-6, abs=1e-9 * S)
    assert bs.vega(S, K, T, sigma, r, q) == pytest.approx(fd(bs.price, "sigma", hs) / 100, rel=1e-6, abs=1e-9 * S)
    assert bs.vanna(S, K, T, sigma, r, q) == pytest.approx(fd(bs.delta, "sigma", hs) / 100, rel=1e-6, abs=1e-9)
    assert bs.charm(S, K, T, sigma, r, q, kind) == pytest.approx(
        -fd(bs.delta, "T", ht) / 365, rel=1e-6, abs=1e-9)


# --------------------------------------------------------------------------- limits

ALL = (bs.price, bs.delta, bs.gamma, bs.vega, bs.theta, bs.vanna, bs.charm)
NO_KIND = (bs.gamma, bs.vega, bs.vanna)


def evaluate(func, S, K, T, sigma, r, q, kind):
    return func(S, K, T, sigma, r, q) if func in NO_KIND else func(S, K, T, sigma, r, q, kind)


@pytest.mark.parametrize("T", [0.0, -0.5])
@pytest.mark.parametrize("sigma", [0.2, 0.0])
def test_expired_options_are_intrinsic(T, sigma):
    S = np.array([80.0, 100.0, 120.0])
    r, q = 0.05, 0.03  # no discounting once expired
    for kind, w in (("C", 1.0), ("P", -1.0)):
        np.testing.assert_array_equal(bs.price(S, 100.0, T, sigma, r, q, kind), np.maximum(w * (S - 100.0), 0.0))
        expected_delta = [0.0, 0.5, 1.0] if kind == "C" else [-1.0, -0.5, 0.0]
        np.testing.assert_array_equal(bs.delta(S, 100.0, T, sigma, r, q, kind), expected_delta)
        for func in (bs.gamma, bs.vega, bs.theta, bs.vanna, bs.charm):
            np.testing.assert_array_equal(evaluate(func, S, 100.0, T, sigma, r, q, kind), 0.0)


@pytest.mark.parametrize("sigma", [0.0, -0.1])
def test_zero_vol_is_deterministic(sigma):
    S, K, T, r, q = np.array([90.0, 110.0]), 100.0, 0.5, 0.05, 0.02
    dq, dr = math.exp(-q * T), math.exp(-r * T)
    call = bs.price(S, K, T, sigma, r, q, "C")
    put = bs.price(S, K, T, sigma, r, q, "P")
    np.testing.assert_allclose(call, [0.0, 110.0 * dq - K * dr], rtol=1e-14)
    np.testing.assert_allclose(put, [K * dr - 90.0 * dq, 0.0], rtol=1e-14)
    np.testing.assert_allclose(bs.delta(S, K, T, sigma, r, q, "C"), [0.0, dq], rtol=1e-14)
    np.testing.assert_allclose(bs.delta(S, K, T, sigma, r, q, "P"), [-dq, 0.0], rtol=1e-14)
    np.testing.assert_allclose(bs.theta(S, K, T, sigma, r, q, "C"), [0.0, (q * 110.0 * dq - r * K * dr) / 365],
                               rtol=1e-14)
    np.testing.assert_allclose(bs.theta(S, K, T, sigma, r, q, "P"), [(r * K * dr - q * 90.0 * dq) / 365, 0.0],
                               rtol=1e-14)
    np.testing.assert_allclose(bs.charm(S, K, T, sigma, r, q, "C"), [0.0, q * dq / 365], rtol=1e-14)
    np.testing.assert_allclose(bs.charm(S, K, T, sigma, r, q, "P"), [-q * dq / 365, 0.0], rtol=1e-14)
    for func in NO_KIND:
        np.testing.assert_array_equal(func(S, K, T, sigma, r, q), 0.0)


@pytest.mark.parametrize("kind", ["C", "P"])
@pytest.mark.parametrize("func", [bs.price, bs.delta, bs.theta, bs.charm])
def test_zero_vol_values_are_the_small_vol_limit(func, kind):
    S, K, T, r, q = np.array([90.0, 110.0]), 100.0, 0.5, 0.05, 0.02
    np.testing.assert_allclose(func(S, K, T, 1e-3, r, q, kind), func(S, K, T, 0.0, r, q, kind),
                               rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("sigma", [0.0, 1e-6])
def test_at_the_forward_adjusted_strike_the_step_is_halved(sigma):
    """sigma = 0 is exact; sigma = 1e-6 shows the half step is the small-vol limit."""
    K, T, r, q = 100.0, 0.5, 0.05, 0.02
    S = K * np.exp(-(r - q) * T)  # the expression the module documents
    dq, dr = math.exp(-q * T), math.exp(-r * T)
    # At sigma = 1e-6, N(sigma sqrt(T) / 2) = 0.5 + 1.4e-7 and theta's decay term is ~2e-5 of the carry.
    rel_delta, rel_theta = (1e-14, 1e-14) if sigma == 0 else (1e-6, 1e-4)
    assert bs.delta(S, K, T, sigma, r, q, "C") == pytest.approx(0.5 * dq, rel=rel_delta)
    assert bs.delta(S, K, T, sigma, r, q, "P") == pytest.approx(-0.5 * dq, rel=rel_delta)
    assert bs.theta(S, K, T, sigma, r, q, "C") == pytest.approx(
        0.5 * (q * S * dq - r * K * dr) / 365, rel=rel_theta)
    if sigma == 0.0:
        for kind in "CP":  # half of a zero intrinsic, up to rounding of S e^{-qT} - K e^{-rT}
            assert 0.0 <= bs.price(S, K, T, sigma, r, q, kind) <= 1e-12
        # The Dirac spike of the exact limit cannot be represented: gamma is 0.
        assert bs.gamma(S, K, T, sigma, r, q) == 0.0
        assert bs.charm(S, K, T, sigma, r, q, "C") == pytest.approx(q * 0.5 * dq / 365, rel=1e-14)


def test_arrays_mixing_valid_and_limit_entries_work_element_by_element():
    r, q = 0.05, 0.02
    # valid, expired, expired (T < 0), S = 0, K = 0, sigma = 0, at the forward strike, T tiny
    S = np.array([100.0, 100.0, 90.0, 0.0, 100.0, 120.0, 100.0 * np.exp(-(r - q) * 1.0), 100.0])
    K = np.array([110.0, 110.0, 100.0, 100.0, 0.0, 100.0, 100.0, 95.0])
    T = np.array([0.5, 0.0, -1.0, 0.5, 0.5, 0.5, 1.0, 1e-300])
    sigma = np.array([0.2, 0.2, 0.3, 0.2, 0.2, 0.0, 0.0, 0.2])
    kind = np.array(["C", "P", "C", "P", "C", "P", "C", "C"])
    assert bs.delta(S, K, T, sigma, r, q, kind)[6] == pytest.approx(0.5 * math.exp(-q), rel=1e-15)
    for func in ALL:
        out = evaluate(func, S, K, T, sigma, r, q, kind)
        assert isinstance(out, np.ndarray) and out.shape == S.shape
        assert np.all(np.isfinite(out)), func.__name__
        single = [evaluate(func, *args, r, q, k) for *args, k in zip(S, K, T, sigma, kind, strict=True)]
        np.testing.assert_array_equal(out, single, err_msg=func.__name__)
    # The valid entry agrees with QuantLib, so the limit entries did not disturb it.
    assert bs.price(S, K, T, sigma, r, q, kind)[0] == pytest.approx(
        ql_calculator("C", 110.0, 0.5, 0.2, r, q).value(), rel=1e-12)
    # S = 0: the call is worthless and the put is worth its discounted strike.
    assert bs.price(S, K, T, sigma, r, q, kind)[3] == pytest.approx(100.0 * math.exp(-r * 0.5), rel=1e-15)
    # K = 0: the call is a prepaid forward.
    assert bs.price(S, K, T, sigma, r, q, kind)[4] == pytest.approx(100.0 * math.exp(-q * 0.5), rel=1e-15)
    assert bs.delta(S, K, T, sigma, r, q, kind)[4] == pytest.approx(math.exp(-q * 0.5), rel=1e-15)


@pytest.mark.parametrize("bad", [
    dict(S=-1.0), dict(K=-5.0), dict(S=np.nan), dict(S=np.inf), dict(K=np.inf), dict(T=np.inf),
    dict(sigma=np.nan), dict(sigma=np.inf), dict(r=np.inf), dict(q=-np.inf),
])
def test_invalid_inputs_give_nan(bad):
    params = dict(S=100.0, K=100.0, T=0.5, sigma=0.2, r=0.01, q=0.0) | bad
    for func in ALL:
        value = evaluate(func, *params.values(), "C")
        assert type(value) is float and math.isnan(value), func.__name__
    ((name, value),) = bad.items()
    mixed = params | {name: np.array([0.3 if name == "sigma" else 0.5 if name == "T" else 100.0, value])}
    out = bs.price(**mixed)
    assert math.isfinite(out[0]) and math.isnan(out[1])


def test_scalars_give_floats_and_arrays_broadcast():
    assert type(bs.price(100.0, 100.0, 0.5, 0.2)) is float
    assert type(bs.gamma(np.float64(100.0), 100, np.array(0.5), 0.2)) is float
    out = bs.delta(np.array([90.0, 100.0, 110.0]), 100.0, 0.5, 0.2, kind=np.array([["C"], ["P"]]))
    assert out.shape == (2, 3)
    np.testing.assert_array_equal(out[1], bs.delta(np.array([90.0, 100.0, 110.0]), 100.0, 0.5, 0.2, kind="P"))
    assert np.all(out[0] > 0) and np.all(out[1] < 0)


def test_default_rates_are_zero():
    assert bs.price(100.0, 100.0, 1.0, 0.2) == pytest.approx(
        ql_calculator("C", 100.0, 1.0, 0.2, 0.0, 0.0).value(), rel=1e-12)


@pytest.mark.parametrize("kind", ["call", "c", None, ["C", "X"]])
def test_bad_kind_raises(kind):
    with pytest.raises(ValueError, match="kind must be"):
        bs.price(100.0, 100.0, 1.0, 0.2, kind=kind)


# --------------------------------------------------------------------------- implied vol

def iv_round_trip_cases():
    """Grid cases whose price pins sigma down to better than 1e-8 relative.

    A price carries rounding of ~eps * price, which moves the implied vol by
    eps * price / (dV/dsigma); cases where that exceeds 1e-10 * sigma (e.g. a 1-minute
    1%-vol option 20% in the money, worth its intrinsic to the last bit) are skipped.
    """
    rows = []
    for T, sigma, (r, q), m, kind in itertools.product(TENORS, VOLS, CARRY, MONEYNESS, "CP"):
        K = S0 * m
        price = bs.price(S0, K, T, sigma, r, q, kind)
        vega_per_unit = 100 * bs.vega(S0, K, T, sigma, r, q)
        if price > 0 and EPS * price < 1e-10 * sigma * vega_per_unit:
            rows.append((price, K, T, sigma, r, q, kind))
    return rows


def test_implied_vol_round_trips_over_the_grid():
    rows = iv_round_trip_cases()
    assert len(rows) > 150  # most of the 360-case grid
    price, K, T, sigma, r, q, kind = map(np.array, zip(*rows, strict=True))
    iv = bs.implied_vol(price, S0, K, T, r, q, kind)
    np.testing.assert_allclose(iv, sigma, rtol=1e-8, atol=0)


def test_implied_vol_scalar_and_below_bracket():
    p = bs.price(100.0, 90.0, 0.25, 0.35, 0.03, 0.01, "P")
    iv = bs.implied_vol(p, 100.0, 90.0, 0.25, 0.03, 0.01, "P")
    assert type(iv) is float and iv == pytest.approx(0.35, rel=1e-10)
    # A vol below the bracket's lower end (1e-6) is still found, on [0, 1e-6].
    tiny = bs.price(100.0, 100.0, 1.0, 5e-7)
    assert bs.implied_vol(tiny, 100.0, 100.0, 1.0) == pytest.approx(5e-7, rel=1e-6)
    # A price exactly at the lower bound is the sigma = 0 limit.
    intrinsic = 100.0 * math.exp(-0.01) - 80.0 * math.exp(-0.03)
    assert bs.implied_vol(intrinsic, 100.0, 80.0, 1.0, 0.03, 0.01) == 0.0


@pytest.mark.parametrize(("price", "K", "T", "kind", "message"), [
    (9.0, 90.0, 1.0, "C", "below the lower no-arbitrage bound"),     # intrinsic ~ 9.9
    (100.5, 90.0, 1.0, "C", "above the upper no-arbitrage bound S e"),
    (1.0, 120.0, 1.0, "P", "below the lower no-arbitrage bound"),
    (121.0, 120.0, 1.0, "P", "above the upper no-arbitrage bound K e"),
    (5.0, 100.0, 0.0, "C", "T=0.0 must be > 0"),
    (5.0, 100.0, -1.0, "P", "T=-1.0 must be > 0"),
    (99.99999, 100.0, 1.0, "C", "above the bracket"),                 # needs sigma > 10
])
def test_implied_vol_rejects_prices_without_a_vol(price, K, T, kind, message):
    with pytest.raises(ValueError, match=message) as info:
        bs.implied_vol(price, 100.0, K, T, 0.0, 0.0, kind)
    assert repr(price) in str(info.value)
    assert math.isnan(bs.implied_vol(price, 100.0, K, T, 0.0, 0.0, kind, errors="nan"))


def test_implied_vol_nan_mode_is_element_by_element():
    good = bs.price(100.0, 100.0, 0.5, 0.25, kind="C")
    prices = np.array([good, 0.5 * good, good, 250.0, np.nan])
    T = np.array([0.5, 0.5, 0.0, 0.5, 0.5])
    K = np.array([100.0, 50.0, 100.0, 100.0, 100.0])  # entry 1 is below intrinsic 50
    iv = bs.implied_vol(prices, 100.0, K, T, errors="nan")
    assert iv[0] == pytest.approx(0.25, rel=1e-10)
    assert np.isnan(iv[1:]).all()
    with pytest.raises(ValueError, match=r"at index \(1,\).*below the lower"):
        bs.implied_vol(prices, 100.0, K, T)


def test_implied_vol_rejects_unknown_errors_mode():
    with pytest.raises(ValueError, match="errors"):
        bs.implied_vol(5.0, 100.0, 100.0, 1.0, errors="ignore")


def test_implied_vol_needs_positive_spot_and_strike():
    with pytest.raises(ValueError, match="must both be > 0"):
        bs.implied_vol(5.0, 0.0, 100.0, 1.0)
    assert math.isnan(bs.implied_vol(5.0, 100.0, -1.0, 1.0, errors="nan"))


def test_price_delta_gamma_is_the_three_functions_bit_for_bit():
    rng = np.random.default_rng(7)
    S = np.concatenate([rng.uniform(50, 150, 200), [100.0, 0.0, 100.0, 100.0]])
    K = np.concatenate([rng.uniform(50, 150, 200), [100.0, 100.0, 0.0, 100.0]])
    T = np.concatenate([rng.uniform(0, 2, 200), [0.0, 0.5, 0.5, 0.5]])
    sigma = np.concatenate([rng.uniform(0.05, 0.8, 200), [0.2, 0.2, 0.2, 0.0]])
    for kind in ("C", "P"):
        p, d, g = bs.price_delta_gamma(S, K, T, sigma, 0.03, 0.01, kind)
        np.testing.assert_array_equal(p, bs.price(S, K, T, sigma, 0.03, 0.01, kind))
        np.testing.assert_array_equal(d, bs.delta(S, K, T, sigma, 0.03, 0.01, kind))
        np.testing.assert_array_equal(g, bs.gamma(S, K, T, sigma, 0.03, 0.01))
