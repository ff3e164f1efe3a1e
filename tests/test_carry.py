"""Carry from put–call parity (gexlib.carry), the carry and IV conventions, and their effect on exposures."""

import contextlib
import io
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gexlib import bs, carry, cli, datasets, gex, read_cboe, sheet, whatif
from gexlib import conventions as cv
from gexlib.chain import OPTION_COLUMNS, Snapshot

ASOF = pd.Timestamp("2025-03-03 12:00", tz=cv.TZ)
DAYS = (1, 3, 14, 30, 60, 120, 240)


def priced_chain(S=5000.0, r=0.045, q=0.013, quote_spot=None, days=DAYS, half=0.05, vol=0.18, step=10.0,
                 n=40) -> Snapshot:
    """A chain whose bid/ask straddle Black–Scholes prices at the given carry (quotes at ``quote_spot``)."""
    Sq = S if quote_spot is None else quote_spot
    rows = []
    for d in days:
        expiry = (ASOF + pd.Timedelta(days=d)).normalize() + pd.Timedelta(hours=16)
        T = (expiry - ASOF).total_seconds() / (365 * 86400)
        K = np.round(Sq / step) * step + step * np.arange(-n, n + 1)
        for kind in "CP":
            sigma = np.full(K.size, vol)  # flat: the fit must not need a smile
            p = np.asarray(bs.price(Sq, K, T, sigma, r=r, q=q, kind=kind))
            rows.append(pd.DataFrame({"expiry": expiry, "root": "SPXW", "strike": K, "type": kind, "oi": 300.0 if kind == "C" else 100.0,
                                      "iv": sigma, "volume": 0.0, "bid": np.maximum(p - half, 0.0),
                                      "ask": p + half, "chain_delta": np.nan, "chain_gamma": np.nan}))
    o = pd.concat(rows, ignore_index=True)[list(OPTION_COLUMNS)]
    return Snapshot(underlying="SPX", spot=float(S), asof=ASOF, options=o, source="test")


def test_fit_recovers_a_known_rate_and_dividend():
    r, q, S = 0.045, 0.013, 5000.0
    fw = carry.forwards(priced_chain(S, r, q))
    long = fw[fw["T"] * 365 >= cv.PARITY_MIN_DAYS]
    assert (long["carry_source"] == "fit").all()
    assert (fw["rate_source"] == np.where(fw["T"] * 365 >= cv.PARITY_RATE_MIN_DAYS, "fit", "interpolated")).all()
    assert np.allclose(long["forward"], S * np.exp((r - q) * long["T"]), rtol=2e-5)
    assert np.allclose(long["discount"], np.exp(-r * long["T"]), atol=2e-4)
    assert np.allclose(long["carry"], r - q, atol=2e-3)
    assert abs(fw["basis"].iloc[0]) < 2e-5
    assert (fw["strikes"] == cv.PARITY_STRIKES).all() and (fw["rejected"] == 0).all()


def test_short_expiries_take_their_carry_from_longer_ones():
    fw = carry.forwards(priced_chain())
    short = fw[fw["T"] * 365 < cv.PARITY_MIN_DAYS]
    assert len(short) == 2 and (short["reason"] == "short expiry").all()
    assert (short["carry_source"] == "interpolated").all()
    first_fit = fw[fw["carry_source"] == "fit"].iloc[0]
    assert np.allclose(short["carry"], first_fit["carry"])  # flat before the first fitted expiry


def test_a_stale_spot_is_a_basis_not_a_carry():
    """Quotes made with the underlying 0.1% above the stamped spot: the fit sees a basis, and the
    carry of every expiry stays near r − q instead of exploding at short maturities."""
    r, q, S = 0.045, 0.013, 5000.0
    stale = priced_chain(S, r, q, quote_spot=S * 1.001)
    fw = carry.forwards(stale)
    assert fw["basis"].iloc[0] == pytest.approx(np.log(1.001), abs=3e-5)
    assert np.allclose(fw["carry"], r - q, atol=3e-3)
    # without the basis the one-day carry would be ln(1.001)/T ≈ 36% per year
    own = np.log(fw["forward_fit"] / S) / fw["T"]
    assert own.iloc[0] > 0.3
    # model gamma uses the carry at the stamped spot, so the result is close to the true carry's
    exact = gex.total_gex(stale, carry="given", r=r, q=q)
    assert gex.total_gex(stale, carry="parity") == pytest.approx(exact, rel=2e-3)


def test_outliers_are_rejected_and_the_fit_stands():
    r, q = 0.045, 0.013
    snap = priced_chain(r=r, q=q)
    o = snap.options
    e30 = sorted(o["expiry"].unique())[3]
    near = o.index[(o["expiry"] == e30) & (o["type"] == "C") & (abs(o["strike"] - 5000) <= 20)][:2]
    o.loc[near, ["bid", "ask"]] += 8.0  # two call quotes 8 points off
    fw = carry.forwards(snap).set_index("expiry")
    assert fw.loc[e30, "rejected"] == 2
    T = fw.loc[e30, "T"]
    assert fw.loc[e30, "forward"] == pytest.approx(5000 * np.exp((r - q) * T), rel=2e-5)


def test_a_thin_expiry_falls_back_to_its_neighbours():
    snap = priced_chain()
    o = snap.options
    e60 = sorted(o["expiry"].unique())[4]
    thin = (o["expiry"] == e60) & (abs(o["strike"] - 5000) > 10)
    o.loc[thin, "bid"] = 0.0  # only three strikes left with two-sided quotes
    fw = carry.forwards(snap).set_index("expiry")
    assert fw.loc[e60, "reason"] == "too few strikes"
    assert fw.loc[e60, "carry_source"] == "interpolated" and np.isnan(fw.loc[e60, "forward_fit"])
    assert fw.loc[e60, "carry"] == pytest.approx(0.045 - 0.013, abs=3e-3)


def test_no_quotes_at_all_uses_the_given_rates():
    snap = priced_chain()
    snap.options["bid"] = 0.0
    fw = carry.forwards(snap, r=0.03, q=0.01)
    assert (fw["carry_source"] == "given").all() and np.allclose(fw["rate"], 0.03) and np.allclose(fw["carry"], 0.02)


@settings(max_examples=15, deadline=None)
@given(r=st.floats(-0.005, 0.1), q=st.floats(0.0, 0.05), S=st.floats(2000.0, 8000.0))
def test_property_fit_recovers_any_plausible_carry(r, q, S):
    fw = carry.forwards(priced_chain(S, r, q, days=(30, 90, 200), half=0.02))
    assert (fw["carry_source"] == "fit").all()
    assert np.allclose(fw["carry"], r - q, atol=1e-3)
    assert np.allclose(fw["rate"], r, atol=2e-3)


@pytest.mark.parametrize("name", sorted(p.name for p in datasets.DATA_DIR.glob("sp*.csv")))
def test_parity_recovers_spot_on_every_shipped_chain(name):
    """The shipped chains were made at r = q = 0: parity must find F = S and D = 1."""
    snap = datasets.load(name)
    fw = carry.forwards(snap)
    fit = fw[fw["carry_source"] == "fit"]
    assert len(fit) >= len(fw) // 2
    assert np.allclose(fit["forward_fit"] / snap.spot, 1.0, atol=1e-5)
    assert np.allclose(fw["forward"] / snap.spot, 1.0, atol=1e-5)
    # the slope (the discount) is noisier than the level (the forward); both are what gamma uses
    assert np.abs(fw["carry"]).max() < 1e-3 and np.abs(fw["discount"] - 1).max() < 1e-3
    zero = gex.total_gex(snap, carry="zero")
    assert gex.total_gex(snap, carry="parity") == pytest.approx(zero, rel=1e-3)


def test_mid_iv_recovers_the_pricing_vol_and_counts_bad_quotes():
    snap = priced_chain(half=0.0, vol=0.21)
    o = snap.options
    o.loc[0, "bid"] = 0.0  # one-sided
    deep = o.index[(o["type"] == "C") & (o["strike"] < 4700)][-1]
    o.loc[deep, ["bid", "ask"]] = 0.0001  # far below a deep call's intrinsic
    iv, why = carry.mid_iv(snap, carry="given", r=0.045, q=0.013)
    T = cv.year_fraction(o["expiry"], snap.asof)
    # where the price still depends on vol (vega above a cent per vol point), the IV is exact
    vega = np.asarray(bs.vega(snap.spot, o["strike"], T, 0.21, r=0.045, q=0.013))
    ok = (why == "") & (vega > 0.01)
    assert ok.sum() > 500 and np.allclose(iv[ok], 0.21, atol=1e-6)
    counts = carry.count_reasons(why)
    assert counts["no_two_sided_quote"] >= 1 and counts["below_intrinsic"] >= 1
    assert set(counts) == set(carry.MID_IV_REASONS)


def test_mid_iv_agrees_with_quantlib():
    ql = pytest.importorskip("QuantLib")
    snap = priced_chain(half=0.01, vol=0.17, days=(45,))
    iv, why = carry.mid_iv(snap, carry="given", r=0.04, q=0.01)
    o = snap.options
    T = cv.year_fraction(o["expiry"], snap.asof)
    F, D = snap.spot * np.exp(0.03 * T), np.exp(-0.04 * T)
    mid = 0.5 * (o["bid"] + o["ask"]).to_numpy()
    checked = 0
    for i in np.flatnonzero(why == "")[::7]:
        kind = ql.Option.Call if o["type"].iloc[i] == "C" else ql.Option.Put
        sd = ql.blackFormulaImpliedStdDev(kind, float(o["strike"].iloc[i]), float(F[i]), float(mid[i]), float(D[i]),
                                          0.0, 0.2 * float(np.sqrt(T[i])), 1e-12, 500)
        assert iv[i] == pytest.approx(sd / np.sqrt(T[i]), abs=1e-6)
        checked += 1
    assert checked >= 5


def test_carry_zero_refuses_rates_and_given_uses_them():
    snap = priced_chain()
    with pytest.raises(ValueError, match="carry='given'"):
        gex.total_gex(snap, carry="zero", r=0.05)
    with pytest.raises(ValueError, match="carry"):
        gex.total_gex(snap, carry="nope")
    c = gex.contracts(snap, carry="given", r=0.05, q=0.02)
    assert np.all(c.r == 0.05) and np.all(c.q == 0.02)


def test_every_model_gamma_function_honours_carry():
    """Exposure, profile, zero gamma and hedge flows all change with carry, consistently."""
    snap = priced_chain(r=0.05, q=0.0)
    S = snap.spot
    for carry_kw in (dict(carry="zero"), dict(carry="given", r=0.05, q=0.0), dict(carry="parity")):
        total = gex.total_gex(snap, **carry_kw)
        assert gex.gamma_profile(snap, [S], **carry_kw)[0] == pytest.approx(total, rel=1e-9)
        flow = gex.hedge_flow(snap, S, S * 1.0001, **carry_kw).iloc[-1]
        assert flow["dollars_linear"] == pytest.approx(-total * 0.01, rel=1e-9)
    assert gex.total_gex(snap, carry="parity") == pytest.approx(gex.total_gex(snap, carry="given", r=0.05), rel=2e-3)
    assert gex.total_gex(snap, carry="parity") != pytest.approx(gex.total_gex(snap, carry="zero"), rel=2e-3)


def test_under_a_spot_move_the_forward_moves_with_spot():
    snap = priced_chain()
    moved = whatif.move_spot(snap, snap.spot * 1.02)
    assert moved.quote_spot == snap.spot
    a, b = carry.forwards(snap), carry.forwards(moved)
    assert np.allclose(a["carry"], b["carry"]) and np.allclose(b["forward"] / a["forward"], 1.02)
    # the moved snapshot's exposure is the profile at the new spot, under parity carry too
    assert gex.total_gex(moved) == pytest.approx(gex.gamma_profile(snap, [moved.spot])[0], rel=1e-9)
    assert whatif.move_spot(moved, snap.spot).quote_spot is None


def test_iv_mid_on_a_synthetic_chain_is_close_to_chain_iv():
    snap = datasets.load("calm")
    chain_iv = gex.total_gex(snap)
    mid = gex.contracts(snap, iv="mid")
    assert gex.total_gex(snap, iv="mid") == pytest.approx(chain_iv, rel=0.02)
    assert set(mid.iv_reasons) == set(carry.MID_IV_REASONS)


def test_sheet_names_carry_and_iv_and_warns_on_a_chain_gap():
    snap = datasets.load("calm")
    lv = sheet.levels(snap)
    assert lv["carry"] == cv.CARRY and lv["iv"] == cv.IV and lv["warnings"] == []
    assert lv["total_gex_chain"] == pytest.approx(gex.total_gex(snap, gamma="chain"))
    text = sheet.format_sheet(lv)
    assert f"carry={cv.CARRY}" in text and "chain gamma     +$" in text and "warning" not in text
    snap.options["chain_gamma"] *= 1.5  # a file whose published gamma is 50% larger
    lv = sheet.levels(snap)
    assert len(lv["warnings"]) == 1 and "warning: model and chain totals differ" in sheet.format_sheet(lv)


def levels_output(*args):
    """The standard output of ``gexlib levels`` with ``args`` (:func:`gexlib.cli.main`, which ``python -m gexlib``
    runs, called in this process; tests/test_cli.py runs the real command too); it must exit with 0."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["levels", *map(str, args)]) == 0
    return out.getvalue()


def test_cli_carry_and_iv_options(tmp_path):
    path = datasets.path("spy_calm")
    out = levels_output(path, "--carry", "given", "--r", "0.05", "--q", "0.01", "--json")
    lv = json.loads(out)
    assert lv["carry"] == "given" and lv["iv"] == "chain" and lv["carry_fitted"] is None
    assert lv["total_gex"] == pytest.approx(gex.total_gex(datasets.load("spy_calm"), carry="given", r=0.05, q=0.01))
    text = levels_output(path, "--iv", "mid")
    assert "iv=mid" in text and "IV source       mid" in text


def test_real_files_parity_rates_and_agreement_with_published_gamma(cboe_file):
    """On a real download: parity finds plausible rates, and model gamma of long-dated contracts is
    closer to the file's published gamma under parity carry than under zero carry."""
    snap = read_cboe(cboe_file)
    fw = carry.forwards(snap)
    fit = fw[fw["carry_source"] == "fit"]
    assert len(fit) >= len(fw) // 2
    assert fit["carry"].between(*cv.PARITY_CARRY_RANGE).all()
    errors = {}
    for name in ("zero", "parity"):
        c = gex.contracts(snap, carry=name)
        published = snap.options["chain_gamma"].to_numpy()[c.rows]
        m = (c.T > 0.25) & (published > 0.2 / snap.spot)
        errors[name] = float(np.median(np.abs(c.gamma[m] / published[m] - 1)))
    assert errors["parity"] < errors["zero"]


def test_the_fit_cache_sees_quotes_changed_in_place():
    snap = priced_chain()
    before = carry.forwards(snap)
    before["carry"] = 99.0  # a caller changing its copy changes nothing for the next one
    assert carry.forwards(snap)["carry"].abs().max() < 0.25
    o = snap.options
    e30 = sorted(o["expiry"].unique())[3]
    near = o.index[(o["expiry"] == e30) & (o["type"] == "C") & (abs(o["strike"] - 5000) <= 20)][:2]
    o.loc[near, ["bid", "ask"]] += 8.0
    assert carry.forwards(snap).set_index("expiry").loc[e30, "rejected"] == 2


def test_mid_iv_refuses_a_snapshot_with_shifted_ivs():
    snap = priced_chain()
    assert gex.total_gex(whatif.shift_iv(snap, 0.0), iv="mid") == pytest.approx(gex.total_gex(snap, iv="mid"))
    with pytest.raises(ValueError, match="shift_iv"):
        gex.total_gex(whatif.shift_iv(snap, 0.05), iv="mid")
    assert gex.total_gex(whatif.shift_iv(snap, 0.05)) != pytest.approx(gex.total_gex(snap))
