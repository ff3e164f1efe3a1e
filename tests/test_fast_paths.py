"""The numpy paths of a dashboard event against straightforward references written here.

Per-strike, per-cell and flow tables are compared with pandas group-bys of the per-contract
exposures and deltas (bit for bit: the numpy sums add in pandas' order, with its compensation);
zero gamma with a scan that evaluates the whole profile at every level; what-ifs and the
caches kept across a file's what-ifs with fresh computations. On the shipped synthetic
chains and, when ``GEXLIB_CBOE_DIR`` is set, on the real downloads.
"""

import handmade
import numpy as np
import pandas as pd
import pytest
from counting import count_terms
from handmade import snapshot
from hypothesis import given, settings
from hypothesis import strategies as st
from scan_reference import ref_zero_gamma

from gexlib import bs, chain, datasets, gex, hedging, read_cboe, whatif
from gexlib import conventions as cv

SIGNS = tuple(cv.SIGNS)


def _what_ifs(snap):
    yield snap
    yield whatif.apply(snap, iv_shift=0.02, call=1.3, put=0.7, spot=snap.spot * 1.004)
    yield whatif.apply(snap, iv_shift=-0.03, put=1.6, spot=snap.spot * 0.99)
    yield whatif.apply(snap, expiries="up to 7 days")


@pytest.fixture(scope="module", params=["spx_calm.csv", "spx_intraday_0dte.csv", "stressed"])
def chains(request):
    return list(_what_ifs(datasets.load(request.param)))


def mixed_chain(spot=100.0):
    """Repeated strikes across expiries, both types, an OI = 0 and an IV = 0 contract, rows out of order."""
    return handmade.mixed_chain(spot, shuffled=True)


# --- references: the plain pandas computation ---------------------------------------------


def ref_exposure(snap, **conv):
    """Per contract, from the contract table itself: ``sign × Γ × OI × m × S² × 1%``, with the type column."""
    c = gex.contracts(snap, **conv)
    o = snap.options.iloc[c.rows].reset_index(drop=True)
    S = float(snap.spot)
    return pd.DataFrame({"expiry": o["expiry"], "strike": o["strike"].astype(float), "type": o["type"],
                         "gex": c.weight * c.gamma * S * S * gex.PCT})


def ref_split(df, keys):
    call = df["gex"].where(df["type"] == "C", 0.0)
    put = df["gex"].where(df["type"] == "P", 0.0)
    out = pd.DataFrame({"call": call, "put": put}).groupby([df[k] for k in keys]).sum()
    out["net"] = out["call"] + out["put"]
    return out


def ref_per_strike(snap, **conv):
    return ref_split(ref_exposure(snap, **conv), ["strike"]).reset_index()


def ref_flow(snap, s0, s1, **conv):
    c = gex.contracts(snap, gamma="model", spot=s0, **conv)
    kind = np.where(c.is_call, "C", "P")
    d0, d1 = (np.asarray(bs.delta(float(s), c.strike, c.T, c.iv, r=c.r, q=c.q, kind=kind)) for s in (s0, s1))
    ps = pd.DataFrame({"strike": c.strike, "shares_exact": -c.weight * (d1 - d0),
                       "shares_linear": -c.weight * c.gamma * (float(s1) - float(s0))}
                      ).groupby("strike", as_index=False).sum()
    total = ps.drop(columns="strike").sum().to_frame().T.assign(strike=np.nan)
    out = pd.concat([ps, total[ps.columns]], ignore_index=True)
    for k in ("exact", "linear"):
        out["dollars_" + k] = out["shares_" + k] * float(s0)
    return out[["strike", "shares_exact", "dollars_exact", "shares_linear", "dollars_linear"]]


def assert_frames_identical(a, b):
    pd.testing.assert_frame_equal(a, b, check_exact=True)


# --- the group sums ----------------------------------------------------------------------


def test_group_sum_is_pandas_groupby_sum_bit_for_bit():
    rng = np.random.default_rng(7)
    for trial in range(60):
        n = int(rng.integers(1, 2000))
        g = rng.integers(0, int(rng.integers(1, 200)), n)
        x = rng.standard_normal((n, 2)) * 10.0 ** rng.integers(-6, 12, (n, 2))  # mixed magnitudes
        x[rng.random((n, 2)) < 0.2] = 0.0
        if trial % 3 == 0:
            x[rng.random((n, 2)) < 0.05] = np.nan  # skipped, as pandas skips them
        if trial % 5 == 0:
            x[rng.random((n, 2)) < 0.01] = np.inf
        expected = pd.DataFrame({"g": g, "a": x[:, 0], "b": x[:, 1]}).groupby("g").sum().to_numpy()
        keys, labels = np.unique(g, return_inverse=True)
        np.testing.assert_array_equal(gex._group_sum(labels, x, keys.size), expected)
        # the same labels again, other values: where each row goes is kept (gex._PLANS), the sums are new
        y = rng.standard_normal((n, 2))
        again = pd.DataFrame({"g": g, "a": y[:, 0], "b": y[:, 1]}).groupby("g").sum().to_numpy()
        np.testing.assert_array_equal(gex._group_sum(labels, y, keys.size), again)
    assert gex._group_sum(np.array([], dtype=int), np.zeros((0, 2)), 0).shape == (0, 2)


# --- tables and levels on synthetic chains ---------------------------------------------------


@pytest.mark.parametrize("sign", SIGNS)
def test_per_strike_total_walls_flip_match_the_pandas_reference(chains, sign):
    for t in chains:
        ps = ref_per_strike(t, sign=sign)
        assert_frames_identical(gex.per_strike_gex(t, sign=sign), ps)
        assert gex.total_gex(t, sign=sign) == float(ref_exposure(t, sign=sign)["gex"].sum())
        walls = {f"{side}_wall": float(ps["strike"].iloc[int(np.argmax(ps[side].abs()))]) for side in ("call", "put")}
        assert gex.walls(t, sign=sign) == walls
        cum = np.cumsum(ps["net"].to_numpy())
        K = ps["strike"].to_numpy()
        flips = [K[i] + (K[i + 1] - K[i]) * cum[i] / (cum[i] - cum[i + 1])
                 for i in range(len(cum) - 1) if cum[i] * cum[i + 1] < 0]
        assert gex.flip_strike(t, sign=sign).crossings == tuple(flips)


def test_matrix_matches_the_pandas_unstack(chains):
    for t in chains:
        tidy = ref_split(ref_exposure(t), ["strike", "expiry"])
        for value in ("net", "call", "put"):
            expected = tidy[value].unstack("expiry", fill_value=0.0).sort_index()
            assert_frames_identical(gex.gex_matrix(t, value=value), expected)


@pytest.mark.parametrize("sign", SIGNS)
def test_hedge_flow_matches_the_pandas_reference(chains, sign):
    for t in chains:
        s0 = float(t.spot)
        assert_frames_identical(hedging.flow_for_move(t, 0.01, sign=sign), ref_flow(t, s0, s0 * 1.01, sign=sign))
        assert_frames_identical(gex.hedge_flow(t, s0 * 0.99, s0 * 1.02, sign=sign),
                                ref_flow(t, s0 * 0.99, s0 * 1.02, sign=sign))


def test_hand_chain_with_repeated_strikes_and_dropped_contracts():
    snap = mixed_chain()
    for conv in ({}, {"sign": "seed"}, {"carry": "zero"}, {"time": "busday262"}):
        assert_frames_identical(gex.per_strike_gex(snap, **conv), ref_per_strike(snap, **conv))
        assert_frames_identical(gex.hedge_flow(snap, 100.0, 103.0, **conv), ref_flow(snap, 100.0, 103.0, **conv))
    assert gex.per_strike_gex(snap)["strike"].tolist() == [80.0, 90.0, 95.0, 100.0, 105.0, 110.0, 120.0]


def test_empty_chain_tables():
    snap = mixed_chain()
    empty = whatif.scale_oi(snap, call=0.0, put=0.0)
    assert gex.total_gex(empty) == 0.0
    assert gex.per_strike_gex(empty).empty and list(gex.per_strike_gex(empty).columns) == ["strike", "call", "put",
                                                                                           "net"]
    assert gex.walls(empty) == {"call_wall": None, "put_wall": None}
    assert gex.flip_strike(empty).value is None


@pytest.mark.parametrize("window", [0.02, 0.10])
def test_zero_gamma_is_the_full_profile_scan(chains, window):
    for t in chains:
        n = int(round(2 * window * gex.SCAN_DENSITY)) + 1
        assert gex.zero_gamma_within(t, window).crossings == ref_zero_gamma(t, 1 - window, 1 + window, n)
    t = chains[1]
    assert gex.zero_gamma(t).crossings == ref_zero_gamma(t, gex.SCAN_LO, gex.SCAN_HI, gex.SCAN_LEVELS)
    assert gex.zero_gamma(t, sign="all_short").crossings == ref_zero_gamma(t, gex.SCAN_LO, gex.SCAN_HI,
                                                                           gex.SCAN_LEVELS, sign="all_short")


def test_scan_signs_are_the_profile_signs(chains):
    for t in chains:
        c = gex.contracts(t, gamma="model", with_gamma=False)
        S0 = float(t.spot)
        terms = gex._grouped_terms(c, S0)
        for lo, hi, n in ((0.9, 1.1, 401), (0.5, 1.5, 2001)):
            grid = gex._scan_grid(c, S0, lo, hi, n)
            y = gex._scan_signs(S0, grid, terms)
            np.testing.assert_array_equal(np.sign(y), np.sign(gex._profile(c, S0, grid, terms=terms)))


def test_scan_signs_do_not_depend_on_how_many_stretches_are_tested_at_once(chains, monkeypatch):
    # the contracts alive on each stretch are found for a few stretches at a time (_ALIVE_SIZE bounds the
    # memory): one stretch at a time, a few, or all give the same array, bit for bit
    for t in chains:
        c = gex.contracts(t, gamma="model", with_gamma=False)
        S0 = float(t.spot)
        terms = gex._grouped_terms(c, S0)
        grid = gex._scan_grid(c, S0, 0.5, 1.5, 2001)
        ys = []
        for size in (1, 2_000, 10**9):
            monkeypatch.setattr(gex, "_ALIVE_SIZE", size)
            ys.append(gex._scan_signs(S0, grid, terms))
        np.testing.assert_array_equal(ys[0], ys[1])
        np.testing.assert_array_equal(ys[0], ys[2])


def _long_double_profile(a, b, w, x):
    """``Σ w exp(-(a x + b)² / 2)`` at each level ``x``, every contract, in extended precision."""
    L = np.longdouble
    a, b, w = a.astype(L), b.astype(L), w.astype(L)
    return np.array([float(np.sum(np.exp(-L(0.5) * (a * L(xi) + b) ** 2) * w)) for xi in x])


def _tolerance(a, b, w, x):
    """At each level: 1e-14 of the gross weight, plus the rounding of exponents formed as a quadratic in x
    (``-a²x²/2 - abx - b²/2``, each part rounded: 8 ulps of their sizes, times each term)."""
    eps = np.finfo(float).eps
    return np.array([1e-14 * np.abs(w).sum() + 8 * eps * np.sum(
        np.abs(w) * np.exp(-0.5 * (a * xi + b) ** 2) * (0.5 * (a * xi) ** 2 + np.abs(a * b * xi) + 0.5 * b * b))
        for xi in x])


@pytest.mark.parametrize("levels", [201, 801])
def test_drawn_profile_interpolates_wide_contracts_within_rounding(chains, levels):
    # gamma_profile evaluates the contracts wide across its levels at Chebyshev nodes and interpolates
    # them; against every contract at every level in extended precision it is as close as the evaluation
    # of every term (1e-14 of the gross weight, the bound being 4e-15, plus the exponents' rounding)
    for t in chains[:2]:
        c = gex.contracts(t, gamma="model", with_gamma=False)
        S0 = float(t.spot)
        a, b, w, _ = gex._grouped_terms(c, S0)
        S = np.linspace(0.9 * S0, 1.1 * S0, levels)
        x = np.log(S / S0)
        bands, _ = gex._exponentials(a, b, np.stack([-0.5 * a * a, -a * b, -0.5 * b * b]), x, 12.0, 64,
                                     gex._PROFILE_NODES)
        assert bands  # the interpolation is used: the check below can fail
        exact = _long_double_profile(a, b, w, x) * S
        tol = _tolerance(a, b, w, x) * S
        assert np.all(np.abs(gex.gamma_profile(t, S) - exact) <= tol)
        assert np.all(np.abs(gex._profile(c, S0, S) - exact) <= tol)  # every term, for comparison


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0.5, 1.5), st.sampled_from("CP"), st.floats(0.0, 5e3), st.floats(0.05, 1.5),
                          st.floats(1 / 24, 800)), min_size=1, max_size=30),
       st.floats(0.3, 1.0), st.floats(1.0, 3.0), st.integers(29, 700))
def test_interpolated_profile_is_every_term_to_rounding(rows, lo, hi, levels):
    # any chain (an hour to two years, any IV, calls and puts of opposite sign) on any span of levels: the
    # interpolated profile is the sum of every term to rounding (see _tolerance)
    snap = snapshot([{"strike": 100 * k, "type": t, "oi": oi, "iv": iv, "days": d} for k, t, oi, iv, d in rows],
                    spot=100.0)
    c = gex.contracts(snap, gamma="model", with_gamma=False, carry="zero")
    a, b, w, _ = gex._grouped_terms(c, 100.0)
    S = np.geomspace(100 * lo, 100 * hi, levels)
    x = np.log(S / 100.0)
    got = gex._profile(c, 100.0, S, nodes=gex._PROFILE_NODES)
    assert np.all(np.abs(got - _long_double_profile(a, b, w, x) * S) <= _tolerance(a, b, w, x) * S)


def test_scan_signs_evaluate_exactly_where_the_bound_leaves_doubt():
    # an hour-to-expiry put and call: far from their strikes the profile is exactly 0 (every term left
    # out), where no approximation can tell the sign; those levels are evaluated in full and stay 0
    snap = snapshot([{"strike": 99, "type": "P", "oi": 1000, "iv": 0.2, "days": 1 / 24},
                     {"strike": 101, "type": "C", "oi": 1500, "iv": 0.2, "days": 1 / 24}], spot=100.0)
    c = gex.contracts(snap, gamma="model", with_gamma=False, carry="zero")
    terms = gex._grouped_terms(c, 100.0)
    grid = gex._scan_grid(c, 100.0, 0.8, 1.2, 801)
    y = gex._scan_signs(100.0, grid, terms)
    full = gex._profile(c, 100.0, grid, terms=terms)
    exact = np.flatnonzero(np.abs(y) != 1.0)
    assert (full == 0).any() and np.array_equal(np.flatnonzero(full == 0), np.flatnonzero(y == 0))
    np.testing.assert_array_equal(y[exact], full[exact])  # the doubtful levels hold the profile itself
    np.testing.assert_array_equal(np.sign(y), np.sign(full))
    assert gex.zero_gamma(snap, carry="zero", lo=0.8, hi=1.2, n=801).crossings == ref_zero_gamma(
        snap, 0.8, 1.2, 801, carry="zero")


# --- what-ifs and what is kept across them ---------------------------------------------------


def test_apply_copies_share_nothing_writable():
    snap = datasets.load("calm")
    before = snap.options.copy(deep=True)
    t = whatif.apply(snap, iv_shift=0.01, call=2.0, spot=snap.spot * 1.01)
    t.options["strike"] = 0.0
    t.options.loc[0, "bid"] = -5.0
    t.options["oi"] = t.options["oi"] * 0  # noqa: PLR6104
    pd.testing.assert_frame_equal(snap.options, before, check_exact=True)
    ref = before.copy()
    ref["iv"] = np.where(ref["iv"] > 0, np.maximum(ref["iv"] + 0.01, whatif.IV_FLOOR), ref["iv"])
    ref["oi"] = ref["oi"] * np.where(ref["type"] == "C", 2.0, 1.0)
    ref["chain_delta"] = np.nan
    ref["chain_gamma"] = np.nan
    u = whatif.apply(snap, iv_shift=0.01, call=2.0, spot=snap.spot * 1.01)
    pd.testing.assert_frame_equal(u.options, ref, check_exact=True)


def test_chain_key_names_contracts_and_quotes_not_oi_iv_or_spot():
    snap = datasets.load("calm")
    key = chain.chain_key(snap)
    assert chain.chain_key(whatif.apply(snap, iv_shift=0.03, put=1.7, spot=snap.spot * 1.02)) == key
    for col, value in (("strike", 1.0), ("bid", 0.05), ("ask", 0.05)):
        other = whatif.apply(snap)
        other.options.loc[3, col] = other.options.loc[3, col] + value
        assert chain.chain_key(other) != key, col
    later = whatif.apply(snap)
    later.asof = snap.asof + pd.Timedelta(minutes=1)
    assert chain.chain_key(later) != key


def test_changed_quotes_are_refitted_not_taken_from_the_cache():
    snap = datasets.load("spx_calm.csv")
    first = gex.total_gex(snap, carry="parity")
    changed = whatif.apply(snap)
    o = changed.options
    calls = (o["type"] == "C").to_numpy()
    changed.options["bid"] = np.where(calls, o["bid"] + 2.0, o["bid"])  # calls dearer: a higher forward
    changed.options["ask"] = np.where(calls, o["ask"] + 2.0, o["ask"])
    fresh = gex._make_chain(changed, (cv.TIME, "parity", 0.0, 0.0))
    kept = gex._chain(changed, time=cv.TIME, carry="parity", r=0.0, q=0.0)
    np.testing.assert_array_equal(kept.r, fresh.r)
    np.testing.assert_array_equal(kept.q, fresh.q)
    assert gex.total_gex(changed, carry="parity") != first
    assert gex.total_gex(snap, carry="parity") == first


def test_the_event_scope_evaluates_each_contract_twice_and_gives_the_same_numbers(monkeypatch):
    snap = datasets.load("spx_calm.csv")
    t = whatif.apply(snap, put=1.5, spot=snap.spot * 1.003)
    outside = (gex.total_gex(t), gex.flip_strike(t), gex.walls(t), gex.per_strike_gex(t),
               hedging.flow_for_move(t, 0.01))
    evaluated = count_terms(monkeypatch)
    with gex.reuse():
        inside = (gex.total_gex(t), gex.flip_strike(t), gex.walls(t), gex.per_strike_gex(t),
                  hedging.flow_for_move(t, 0.01))
    # gamma and delta at spot in one evaluation, delta after the move in another
    assert sum(evaluated) == 2 * gex.contracts(t).used
    assert inside[:3] == outside[:3]
    assert_frames_identical(inside[3], outside[3])
    assert_frames_identical(inside[4], outside[4])


# --- real downloads ---------------------------------------------------------------------------


def test_real_download_tables_and_levels(cboe_file):
    snap = read_cboe(cboe_file)
    for t in (snap, whatif.apply(snap, iv_shift=0.02, put=1.4, spot=snap.spot * 1.005)):
        assert_frames_identical(gex.per_strike_gex(t), ref_per_strike(t))
        assert gex.total_gex(t) == float(ref_exposure(t)["gex"].sum())
        s0 = float(t.spot)
        assert_frames_identical(hedging.flow_for_move(t, 0.01), ref_flow(t, s0, s0 * 1.01))
        tidy = ref_split(ref_exposure(t), ["strike", "expiry"])
        assert_frames_identical(gex.gex_matrix(t), tidy["net"].unstack("expiry", fill_value=0.0).sort_index())
        n = int(round(2 * 0.1 * gex.SCAN_DENSITY)) + 1
        assert gex.zero_gamma_within(t).crossings == ref_zero_gamma(t, 0.9, 1.1, n)


# --- the skew's wing vols ---------------------------------------------------------------------


def ref_expiry_vols(o, S, T, r, q):
    """One expiry's 25-delta and ATM vols with pandas selections and a group-by mean."""
    fwd = S * np.exp((r - q) * T)
    vols = []
    for kind, otm, target in (("P", o["strike"] <= fwd, -0.25), ("C", o["strike"] >= fwd, 0.25)):
        side = o[(o["type"] == kind) & otm & (o["iv"] > 0)].sort_values("strike")
        if len(side) < 2:
            return None
        iv = side["iv"].to_numpy()
        d = np.asarray(bs.delta(S, side["strike"].to_numpy(), T, iv, r=r, q=q, kind=kind))
        if not (d.min() <= target <= d.max()):
            return None
        order = np.argsort(d)
        vols.append(float(np.interp(target, d[order], iv[order])))
    both = o[o["iv"] > 0].groupby("strike")["iv"].mean()
    if both.empty or not (both.index.min() <= fwd <= both.index.max()):
        return None
    vols.append(float(np.interp(fwd, both.index.to_numpy(dtype=float), both.to_numpy())))
    return tuple(vols)


def test_wing_vols_match_the_pandas_reference(chains):
    from gexlib import regime

    for t in chains:
        o = t.options
        T = cv.year_fraction(o["expiry"], t.asof)
        found = 0
        for e in np.unique(T[T > 0])[:40]:
            rows = o[T == e]
            for r, q in ((0.0, 0.0), (0.04, 0.01)):
                expected = ref_expiry_vols(rows, float(t.spot), float(e), r, q)
                assert regime._expiry_vols(rows, float(t.spot), float(e), r, q) == expected
                found += expected is not None
        assert found


# --- the parity lines kept while time passes -----------------------------------------------


def test_forwards_after_time_passes_are_refitted_ones():
    from gexlib import carry

    snap = datasets.load("spx_intraday_0dte.csv")
    for hours in (0.0, 1.5, 5.5, 30.0):
        aged = whatif.advance_time(snap, hours)
        for time in ("act365", "busday262"):
            carry._FITS.clear()
            carry._CACHE.clear()
            carry.forwards(whatif.advance_time(snap, hours + 0.25), time=time)  # lines fitted at another time
            kept = carry.forwards(aged, time=time)
            carry._FITS.clear()
            fresh = carry._forwards(aged, time, 0.0, 0.0, cv.PARITY_STRIKES, cv.PARITY_MIN_STRIKES,
                                    cv.PARITY_OUTLIER_SD, cv.PARITY_MIN_DAYS, cv.PARITY_RATE_MIN_DAYS,
                                    cv.PARITY_RATE_RANGE, cv.PARITY_CARRY_RANGE, cv.PARITY_BASIS_YEARS)
            fresh["forward"] = float(aged.spot) * np.exp(fresh["carry"] * fresh["T"])
            assert_frames_identical(kept, fresh)
    assert chain.quotes_key(whatif.advance_time(snap, 1.0)) == chain.quotes_key(snap)
    assert chain.chain_key(whatif.advance_time(snap, 1.0)) != chain.chain_key(snap)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(("straddle", "C", "P")), st.floats(1.0, 400.0), st.floats(1e-3, 3.0), st.floats(1e-4, 2.0),
       st.integers(1, 40), st.integers(1, 120), st.integers(0, 2**32 - 1), st.booleans())
def test_scalping_valuation_without_carry_is_the_general_one_bit_for_bit(kind, K, sigma, T, steps, paths, seed,
                                                                         on_strike):
    # the fast valuation against the one through gexlib.bs (cross-checked with QuantLib elsewhere), on paths
    # that may sit exactly on the strike (the expiry's half step) and on blocks larger than one pass
    times, S = hedging.gbm_paths(K, T, sigma, paths, steps, seed=seed)
    S = S.copy()
    if on_strike:
        S[::3, ::2] = K
    tau = T - times
    tau[-1] = 0.0
    fast = hedging._driftless_rows(kind, K, S, tau, sigma)
    general = hedging._book_rows(kind, K, S, tau, sigma)
    assert fast.keys() == general.keys()
    for name in general:
        np.testing.assert_array_equal(fast[name], general[name], err_msg=name)


def test_scalping_simulation_takes_the_general_valuation_when_there_is_carry(monkeypatch):
    # with a rate the fast path does not apply, and the results differ from those without one
    args = (100.0, 100.0, 5 / hedging.TRADING_DAYS, 0.2, 0.3, 40, 8, 2)
    monkeypatch.setattr(hedging, "_driftless_rows", lambda *a: pytest.fail("fast path taken with a rate"))
    monkeypatch.setattr(cv, "RATE", 0.05)
    hedging.VALUATIONS.clear()
    hedging.SCALPS.clear()
    with_rate = hedging.simulate_gamma_scalp(*args, seed=3)
    monkeypatch.undo()
    hedging.VALUATIONS.clear()
    hedging.SCALPS.clear()
    without = hedging.simulate_gamma_scalp(*args, seed=3)
    assert not np.allclose(with_rate.pnl, without.pnl)
