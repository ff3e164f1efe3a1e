"""The greeks' shared terms against the straightforward evaluation written here, bit for bit.

:func:`gexlib.bs._terms` evaluates what does not depend on spot on the inputs' own shape
and the density and N(±d) only when a greek reads them. The reference below evaluates
every term on the full broadcast shape, as the formulas read; every public function must
return the same bits (NaN where the reference has NaN) on grids of spot × parameters with
the edge cases mixed in (T <= 0, sigma <= 0, zero, negative and non-finite inputs).
"""

import numpy as np
import pytest
from scipy.special import ndtr

from gexlib import bs


def ref_terms(S, K, T, sigma, r, q, kind="C"):
    """Every term on the full broadcast shape (the evaluation before the shared terms were split)."""
    arrays = [np.asarray(x, dtype=float) for x in (S, K, T, sigma, r, q)]
    S, K, T, sigma, r, q, w = np.broadcast_arrays(*arrays, bs._omega(kind))
    with np.errstate(all="ignore"):
        finite = np.isfinite(S) & np.isfinite(K) & np.isfinite(T) & np.isfinite(sigma) & np.isfinite(r)
        finite &= np.isfinite(q)
        invalid = ~finite | (S < 0) | (K < 0)
        tau = np.where(T > 0, T, 0.0)
        smooth = ~invalid & (S > 0) & (K > 0) & (sigma * np.sqrt(tau) > 0)
        spot, vol, t = np.where(smooth, S, 1.0), np.where(smooth, sigma, 1.0), np.where(smooth, tau, 1.0)
        rt = np.sqrt(t)
        sd = vol * rt
        d1 = (np.log(spot) - np.log(np.where(smooth, K, 1.0)) + (r - q) * t) / sd + 0.5 * sd
        d1 = np.where(smooth, np.clip(d1, -1e100, 1e100), 0.0)
        d2 = np.where(smooth, np.clip(d1 - sd, -1e100, 1e100), 0.0)
        fwd = K * np.exp(-(r - q) * tau)
        call_step = np.where(S > fwd, 1.0, np.where(S == fwd, 0.5, 0.0))
        step = np.where(w > 0, call_step, 1.0 - call_step)
        pdf = np.where(smooth, (1.0 / np.sqrt(2.0 * np.pi)) * np.exp(-0.5 * d1 * d1), 0.0)
        return dict(S=S, K=K, T=T, r=r, q=q, w=w, dq=np.exp(-q * tau), dr=np.exp(-r * tau), invalid=invalid,
                    spot=spot, vol=vol, t=t, rt=rt, sd=sd, d2=d2, pdf=pdf,
                    n1=np.where(smooth, ndtr(w * d1), step), n2=np.where(smooth, ndtr(w * d2), step))


def ref_greeks(S, K, T, sigma, r, q, kind):
    c = ref_terms(S, K, T, sigma, r, q, kind)
    with np.errstate(all="ignore"):
        price = np.maximum(c["w"] * (c["S"] * c["dq"] * c["n1"] - c["K"] * c["dr"] * c["n2"]), 0.0)
        delta = c["w"] * c["dq"] * c["n1"]
        gamma = c["pdf"] * c["dq"] / c["spot"] / c["sd"]
        vega = c["pdf"] * c["spot"] * c["dq"] * c["rt"] / 100.0
        decay = c["pdf"] * c["spot"] * c["dq"] * c["vol"] / (2.0 * c["rt"])
        carry = c["w"] * (c["q"] * c["S"] * c["dq"] * c["n1"] - c["r"] * c["K"] * c["dr"] * c["n2"])
        theta = np.where(c["T"] > 0, carry - decay, 0.0) / 365.0
        vanna = -(c["pdf"] * c["dq"] * c["d2"]) / c["vol"] / 100.0
        dd1_dT = (c["pdf"] * (c["r"] - c["q"])) / c["sd"] - (c["pdf"] * c["d2"]) / (2.0 * c["t"])
        charm = np.where(c["T"] > 0, c["q"] * delta - c["dq"] * dd1_dT, 0.0) / 365.0
        out = dict(price=price, delta=delta, gamma=gamma, vega=vega, theta=theta, vanna=vanna, charm=charm)
        return {k: np.where(c["invalid"], np.nan, v) for k, v in out.items()}


def _cases():
    rng = np.random.default_rng(7)
    paths = 100.0 * np.exp(np.cumsum(0.01 * rng.standard_normal((40, 30)), axis=1))  # positive spots
    tau = np.linspace(30 / 365, 0.0, 30)  # the last column expired
    yield "paths, row of times (one expired), scalar rest", (paths, 100.0, tau, 0.2, 0.0, 0.0, "C")
    yield "paths, put with carry", (paths, 95.0, tau, 0.35, 0.04, 0.01, "P")
    yield "paths, all alive", (paths[:, :-1], 105.0, tau[:-1], 0.25, 0.03, 0.02, "C")
    yield "every third column (Fortran order)", (paths[:, np.arange(0, 30, 3)], 100.0, tau[::3], 0.2, 0.01, 0.0, "P")
    yield "every third column (a view)", (paths[:, ::3], 100.0, tau[::3], 0.2, 0.01, 0.0, "C")
    K = np.linspace(50.0, 150.0, 41)
    T = rng.uniform(0.0, 1.0, 41)
    iv = rng.uniform(0.05, 0.6, 41)
    kinds = np.where(rng.random(41) < 0.5, "C", "P")
    yield "scalar spot, a chain", (101.3, K, T, iv, 0.045, 0.013, kinds)
    edge_K = np.array([0.0, -1.0, np.nan, np.inf, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0])
    edge_T = np.array([0.5, 0.5, 0.5, 0.5, 0.0, -0.1, 0.5, 0.5, np.nan, 0.5])
    edge_iv = np.array([0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.0, -0.2, 0.2, np.inf])
    yield "scalar spot, edge parameters", (100.0, edge_K, edge_T, edge_iv, 0.03, 0.01, "C")
    yield "edge parameters across spots", (np.array([[50.0], [100.0], [150.0]]), edge_K, edge_T, edge_iv,
                                           0.03, 0.01, "P")
    edge_S = np.array([0.0, -5.0, np.nan, np.inf, 100.0, 100.0 * np.exp(-0.02 * 0.5)])
    yield "edge spots", (edge_S, 100.0, 0.5, 0.2, 0.03, 0.01, "C")
    yield "edge spots against edge parameters", (edge_S[:, None], edge_K, edge_T, edge_iv, 0.02, 0.0,
                                                 np.where(np.arange(10) % 2, "C", "P"))
    yield "at the forward strike, no vol", (100.0 * np.exp(-0.02 * 0.5), 100.0, 0.5, 0.0, 0.03, 0.01, "C")
    yield "all scalars", (100.0, 95.0, 0.25, 0.3, 0.01, 0.0, "P")
    yield "no spots", (np.array([]), 100.0, 0.5, 0.2, 0.03, 0.01, "C")
    yield "spots with a NaN and an infinity", (np.array([np.nan, 100.0, np.inf, 90.0]), 100.0, 0.5, 0.2, 0.03, 0.01, "P")
    yield "scalars but the kinds", (100.0, 95.0, 0.25, 0.3, 0.01, 0.0, np.array(["C", "P", "C"]))
    yield "spot row, rates per row", (np.array([[90.0, 100.0, 110.0]]), 100.0, 0.5, 0.25,
                                      np.array([[0.01], [0.05]]), np.array([[0.0], [0.02]]), "C")


@pytest.mark.parametrize("label,args", list(_cases()), ids=[c[0] for c in _cases()])
def test_every_greek_matches_the_full_shape_evaluation_bit_for_bit(label, args):
    S, K, T, sigma, r, q, kind = args
    ref = ref_greeks(S, K, T, sigma, r, q, kind)
    plain = ref_greeks(S, K, T, sigma, r, q, "C")  # the greeks that take no kind
    ref.update({k: plain[k] for k in ("gamma", "vega", "vanna")})
    got = {"price": bs.price(S, K, T, sigma, r, q, kind), "delta": bs.delta(S, K, T, sigma, r, q, kind),
           "gamma": bs.gamma(S, K, T, sigma, r, q), "vega": bs.vega(S, K, T, sigma, r, q),
           "theta": bs.theta(S, K, T, sigma, r, q, kind), "vanna": bs.vanna(S, K, T, sigma, r, q),
           "charm": bs.charm(S, K, T, sigma, r, q, kind)}
    together = bs.price_delta_gamma(S, K, T, sigma, r, q, kind)
    for name in ("price", "delta", "gamma"):
        np.testing.assert_array_equal(together[("price", "delta", "gamma").index(name)], got[name])
    for name, value in got.items():
        assert np.shape(value) == ref[name].shape, name
        np.testing.assert_array_equal(value, ref[name], err_msg=f"{label}: {name}")
        if ref[name].ndim == 0:
            assert type(value) is float
        else:  # in C order whatever the inputs' order (sums over rows then add as they always did)
            assert value.flags.c_contiguous, name


def test_greeks_differ_from_a_reference_that_drops_the_carry():
    # the comparison can fail: the same reference with q ignored disagrees on a carried option
    S, K, T = 100.0, np.array([90.0, 100.0, 110.0]), 0.5
    assert not np.array_equal(bs.delta(S, K, T, 0.2, 0.03, 0.02), ref_greeks(S, K, T, 0.2, 0.03, 0.0, "C")["delta"])
