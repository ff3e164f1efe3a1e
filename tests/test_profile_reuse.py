"""Profiles that reuse the exponentials of the previous one against the same profile computed afresh, bit for bit.

:func:`gexlib.gex._profile` keeps the exponentials of its last profile of many levels
(:data:`gexlib.gex._EXPONENTIALS`, keyed by the bytes of the terms and levels), so a profile
that differs only in its weights (open interest scaled, another sign) needs only the
products. ``fresh_profile`` computes every exponential again, with nothing taken from that
cache; ``ref_profile`` evaluates every contract at every level, as the formula reads (a
drawn profile interpolates the contracts wide across its levels, so the two agree to
rounding, not bit for bit).
"""

import numpy as np
import pandas as pd
import pytest
from scan_reference import ref_zero_gamma

from gexlib import datasets, gex, plots, whatif


def _sorted_terms(c, S0, spots):
    S = np.asarray(spots, dtype=float)
    order = np.argsort(S)
    a, b, w, w_call = gex._grouped_terms(c, S0)
    return S, order, np.log(S[order] / S0), a, b, w, w_call


def _by_type(S, order, net, call):
    out, out_call = np.empty(S.size), np.empty(S.size)
    out[order], out_call[order] = net * S[order], call * S[order]
    return out_call, out - out_call, out


def ref_profile(c, S0, spots, cutoff=12.0, chunk=64):
    """``(call, put, net)``: every chunk's exponentials computed here, every contract at every level."""
    S, order, x, a, b, w, w_call = _sorted_terms(c, S0, spots)
    C = np.stack([-0.5 * a * a, -a * b, -0.5 * b * b])
    net, call = np.zeros(S.size), np.zeros(S.size)
    for i in range(0, S.size, chunk):
        xs = x[i:i + chunk]
        live = ~((a * xs[0] + b > cutoff) | (a * xs[-1] + b < -cutoff))
        if live.any():
            E = np.exp(np.stack([xs * xs, xs, np.ones_like(xs)], axis=1) @ C[:, live])
            net[i:i + chunk], call[i:i + chunk] = E @ w[live], E @ w_call[live]
    return _by_type(S, order, net, call)


def fresh_profile(c, S0, spots, cutoff=12.0, chunk=64):
    """``(call, put, net)`` as :func:`gexlib.gex.gamma_profile` computes them, every exponential afresh."""
    S, order, x, a, b, w, w_call = _sorted_terms(c, S0, spots)
    C = np.stack([-0.5 * a * a, -a * b, -0.5 * b * b])
    parts = gex._exponentials(a, b, C, x, cutoff, chunk, gex._PROFILE_NODES)
    return _by_type(S, order, gex._weighted(parts, S.size, chunk, w), gex._weighted(parts, S.size, chunk, w_call))


def _check(t, S, **conv):
    c = gex.contracts(t, gamma="model", with_gamma=False, **conv)
    got = gex.gamma_profile(t, S, by_type=True, **conv)
    gross = np.abs(gex._grouped_terms(c, float(t.spot))[2]).sum() * np.asarray(S)
    for g, f, r in zip(got, fresh_profile(c, float(t.spot), S), ref_profile(c, float(t.spot), S), strict=True):
        np.testing.assert_array_equal(g, f)
        assert np.all(np.abs(g - r) <= 1e-14 * gross)


@pytest.mark.parametrize("name", ["spx_calm.csv", "spx_intraday_0dte.csv", "stressed"])
def test_profiles_that_reuse_exponentials_are_the_fresh_ones(name):
    snap = datasets.load(name)
    S = plots.profile_levels(snap.spot)
    gex._EXPONENTIALS.clear()
    _check(snap, S)
    _check(whatif.scale_oi(snap, call=1.4, put=0.6), S)  # other weights, the same terms and levels
    _check(snap, S, sign="all_short")
    _check(snap, S[::-1].copy())  # the same levels in another order
    assert gex._EXPONENTIALS.info()["hits"] == 3
    _check(snap, S, carry="given", r=0.05, q=-0.05)  # the same a (1/σ√T) and levels, another b (the carry)
    moved = whatif.apply(snap, spot=snap.spot * 1.003)  # new terms: computed again, not taken from the last
    _check(moved, plots.profile_levels(snap.spot))
    _check(whatif.shift_iv(snap, 0.02), S)
    assert gex._EXPONENTIALS.info()["hits"] == 3
    assert gex._EXPONENTIALS.info()["misses"] == 4


def test_a_profile_with_other_levels_differs():
    # the comparison can fail: a profile on levels a hair away is not the cached one
    snap = datasets.load("stressed")
    S = plots.profile_levels(snap.spot)
    first = gex.gamma_profile(snap, S)
    assert not np.array_equal(gex.gamma_profile(snap, S * (1 + 1e-9)), first)
    np.testing.assert_array_equal(gex.gamma_profile(snap, S), first)


def test_remembered_zero_gamma_is_the_fresh_scan():
    snap = datasets.load("spx_calm.csv")
    gex._ZEROS.clear()
    first = gex.zero_gamma_within(snap)
    assert gex.zero_gamma_within(snap) is first  # remembered
    assert first.crossings == ref_zero_gamma(snap, 0.9, 1.1, 401)
    assert gex._ZEROS.info()["hits"] == 1
    # other weights, the same terms: scanned again, and the level moves
    more_puts = whatif.scale_oi(snap, put=1.5)
    assert gex.zero_gamma_within(more_puts).crossings == ref_zero_gamma(more_puts, 0.9, 1.1, 401) != first.crossings
    # another carry (b), another window (grid), another tolerance: each its own result
    given = dict(carry="given", r=0.05, q=-0.05)
    assert gex.zero_gamma_within(snap, **given).crossings == ref_zero_gamma(snap, 0.9, 1.1, 401, **given)
    assert gex.zero_gamma(snap, lo=0.95, hi=1.05, n=201).crossings == ref_zero_gamma(snap, 0.95, 1.05, 201)
    assert gex.zero_gamma(snap, lo=0.9, hi=1.1, n=401, rtol=1e-6).crossings == ref_zero_gamma(snap, 0.9, 1.1, 401,
                                                                                               rtol=1e-6)
    assert gex._ZEROS.info()["hits"] == 1


def test_clear_caches_empties_what_gex_keeps_and_changes_no_number():
    snap = datasets.load("stressed")
    S = plots.profile_levels(snap.spot)
    before = (gex.gamma_profile(snap, S), gex.zero_gamma_within(snap).crossings, gex.vanna_flow(snap, 0.01))
    assert len(gex._EXPONENTIALS) and len(gex._ZEROS) and len(gex._DELTAS) and len(gex._CHAINS)
    gex.clear_caches()
    assert not (len(gex._EXPONENTIALS) or len(gex._ZEROS) or len(gex._DELTAS) or len(gex._CHAINS))
    np.testing.assert_array_equal(gex.gamma_profile(snap, S), before[0])
    assert gex.zero_gamma_within(snap).crossings == before[1]
    pd.testing.assert_frame_equal(gex.vanna_flow(snap, 0.01), before[2], check_exact=True)
