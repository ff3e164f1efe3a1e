"""Tests of the synthetic chain generator and of the shipped files in ``data/``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from gexlib import chain, synth

DATA = Path(__file__).resolve().parents[1] / "data"
SPX_SCENARIOS = [n for n in synth.SCENARIO_ORDER if synth.SCENARIOS[n]["kind"] == "spx"]


@pytest.fixture(scope="module")
def snaps():
    return {name: synth.scenario(name) for name in synth.SCENARIO_ORDER}


# independent helpers (scipy Black–Scholes, r = q = 0) ---------------------------------

def _years(snap):
    """act/365 years from asof to each contract's settlement timestamp."""
    return (snap.options["expiry"] - snap.asof).dt.total_seconds().to_numpy() / (365.0 * 86400.0)


def _gamma(S, K, T, iv):
    sd = iv * np.sqrt(T)
    d1 = (np.log(S / K) + 0.5 * iv * iv * T) / sd
    return norm.pdf(d1) / (S * sd)


def _gex(snap, spots=None):
    """Practitioner-sign total GEX, dollars per 1% move, model gamma from IV (sticky strike)."""
    o = snap.options
    T, K, iv = _years(snap), o["strike"].to_numpy(), o["iv"].to_numpy()
    w = np.where(o["type"].to_numpy() == "C", 1.0, -1.0) * o["oi"].to_numpy() * snap.multiplier
    S = np.atleast_1d(float(snap.spot) if spots is None else np.asarray(spots, dtype=float))
    out = np.array([np.sum(w * _gamma(s, K, T, iv)) * s * s * 0.01 for s in S])
    return float(out[0]) if spots is None else out


def _zero_crossings(snap, lo=0.85, hi=1.15, n=241):
    """Relative spot levels (S / spot - 1) where the GEX profile changes sign."""
    grid = snap.spot * np.linspace(lo, hi, n)
    g = _gex(snap, grid)
    i = np.flatnonzero(np.sign(g[:-1]) != np.sign(g[1:]))
    return (grid[i] + grid[i + 1]) / 2.0 / snap.spot - 1.0


def _risk_reversal(snap, days=30.0, wing=0.25):
    """25-delta put IV minus call IV at ``days``, interpolated in total variance."""
    o = snap.options.assign(T=_years(snap))
    rows = []
    for T, e in o[o["T"] > 2.0 / 365.0].groupby("T"):
        vols = []
        for kind in ("P", "C"):
            side = e[(e["type"] == kind) & ((e["strike"] < snap.spot) if kind == "P"
                                            else (e["strike"] > snap.spot))]
            K, iv = side["strike"].to_numpy(), side["iv"].to_numpy()
            d1 = (np.log(snap.spot / K) + 0.5 * iv * iv * T) / (iv * np.sqrt(T))
            a = np.abs(norm.cdf(d1) - (kind == "P"))
            order = np.argsort(a)
            vols.append(np.interp(wing, a[order], iv[order]))
        rows.append((T, *vols))
    tab = np.array(rows)
    t0 = days / 365.0
    j = int(np.searchsorted(tab[:, 0], t0))
    (t1, p1, c1), (t2, p2, c2) = tab[j - 1], tab[j]
    var = lambda v1, v2: (v1 ** 2 * t1 + (v2 ** 2 * t2 - v1 ** 2 * t1) * (t0 - t1) / (t2 - t1))  # noqa: E731
    return float(np.sqrt(var(p1, p2) / t0) - np.sqrt(var(c1, c2) / t0))


def _atm_iv(snap, days):
    """IV at the strike nearest spot of the SPXW/SPY expiry nearest ``days``."""
    o = snap.options.assign(T=_years(snap))
    o = o[o["root"] != "SPX"]
    T = o["T"].unique()[np.argmin(np.abs(o["T"].unique() - days / 365.0))]
    e = o[o["T"] == T]
    return float(e["iv"].iloc[np.argmin(np.abs(e["strike"] - snap.spot))])


def _net_by_strike(snap, width=0.05):
    o = snap.options
    g = _gamma(snap.spot, o["strike"].to_numpy(), _years(snap), o["iv"].to_numpy())
    net = pd.Series(np.where(o["type"] == "C", 1.0, -1.0) * g * o["oi"].to_numpy())
    by = net.groupby(o["strike"].to_numpy()).sum()
    return by[(by.index > snap.spot * (1 - width)) & (by.index < snap.spot * (1 + width))]


def _sign_flips(snap):
    net = _net_by_strike(snap).to_numpy()
    s = np.sign(net[net != 0])
    return float(np.mean(s[1:] != s[:-1]))


# calendar and strikes ----------------------------------------------------------------

def test_third_friday():
    got = [synth.third_friday(2025, m).strftime("%Y-%m-%d") for m in (1, 3, 7, 8, 9, 12)]
    assert got == ["2025-01-17", "2025-03-21", "2025-07-18", "2025-08-15", "2025-09-19",
                   "2025-12-19"]


def test_expiry_calendar_cycles():
    cal = synth.expiry_calendar("2025-07-09 15:45")
    dates = pd.DatetimeIndex(cal["date"])
    assert (dates.day_of_week < 5).all()
    assert cal["expiry"].is_monotonic_increasing
    # dailies: every weekday of the next two weeks
    two_weeks = pd.bdate_range("2025-07-09", "2025-07-23")
    assert set(two_weeks) <= set(dates[cal["root"] == "SPXW"])
    # after that only Fridays until the quarterlies / LEAPS
    later = cal[(cal["date"] > "2025-07-23") & (cal["date"] < "2025-09-20")]
    assert (pd.DatetimeIndex(later["date"]).day_of_week == 4).all() and len(later) >= 7
    # third Fridays under both roots, everything else PM only
    for d, g in cal.groupby("date"):
        third = d == synth.third_friday(d.year, d.month)
        assert sorted(g["root"]) == (["SPX", "SPXW"] if third else ["SPXW"]), d
    assert {"2025-09-30", "2025-12-31", "2026-03-31"} <= set(
        cal.loc[cal["cycle"] == "quarterly", "date"].dt.strftime("%Y-%m-%d"))
    assert (cal["date"].max() - pd.Timestamp("2025-07-09")).days > 2 * 365
    am = cal[cal["root"] == "SPX"]
    assert (am["expiry"].dt.hour == 9).all() and (am["expiry"].dt.minute == 30).all()
    assert (cal.loc[cal["root"] == "SPXW", "expiry"].dt.hour == 16).all()


def test_expiry_calendar_drops_settled_am_monthly():
    before = synth.expiry_calendar("2025-07-18 09:00")
    after = synth.expiry_calendar("2025-07-18 10:30")
    today = pd.Timestamp("2025-07-18")
    assert sorted(before.loc[before["date"] == today, "root"]) == ["SPX", "SPXW"]
    assert list(after.loc[after["date"] == today, "root"]) == ["SPXW"]


def test_strike_grid_spacing_and_range():
    spot = 6255.0
    k = synth.strike_grid(spot, 30 / 365)
    near = k[np.abs(k / spot - 1) <= 0.10]
    assert set(np.diff(near)) == {5.0}
    mid = k[(np.abs(k / spot - 1) > 0.10) & (np.abs(k / spot - 1) <= 0.30)]
    assert len(mid) > 10 and (mid % 25 == 0).all()
    short, long_ = synth.strike_grid(spot, 0.5 / 365), synth.strike_grid(spot, 2.0)
    assert long_.min() < short.min() and long_.max() > short.max()
    assert (long_ % 100 == 0).sum() > 0 and long_.min() < 0.4 * spot
    spy = synth.strike_grid(624.0, 30 / 365, "spy")
    assert set(np.diff(spy[np.abs(spy / 624.0 - 1) <= 0.10])) == {1.0}


# whole chains ------------------------------------------------------------------------

@pytest.mark.parametrize("name", SPX_SCENARIOS)
def test_spx_contract_counts_and_schema(snaps, name):
    s = snaps[name]
    o = s.options
    assert 15_000 <= len(o) <= 25_000
    assert list(o.columns) == list(chain.OPTION_COLUMNS)
    assert s.underlying == "SPX" and s.multiplier == 100.0 and s.asof.tzinfo is not None
    assert (o["expiry"] > s.asof).all()
    assert set(o["root"]) == {"SPX", "SPXW"}
    assert not o.duplicated(["expiry", "strike", "type"]).any()
    # a call and a put at every (expiry, strike), in that order
    assert (o["type"].to_numpy()[0::2] == "C").all() and (o["type"].to_numpy()[1::2] == "P").all()
    assert o["strike"].to_numpy()[0::2].tolist() == o["strike"].to_numpy()[1::2].tolist()
    assert o.equals(o.sort_values(["expiry", "strike", "type"], kind="stable"))
    oi = o["oi"].to_numpy()
    assert (oi >= 0).all() and (oi == np.round(oi)).all() and (oi == 0).any()
    assert (o["volume"] >= 0).all() and (o["volume"] == np.round(o["volume"])).all()
    assert o["iv"].between(0.05, 1.5).all() and (o["iv"] == o["iv"].round(4)).all()


@pytest.mark.parametrize("name", SPX_SCENARIOS)
def test_both_roots_on_third_fridays(snaps, name):
    s = snaps[name]
    o = s.options
    for d, g in o.groupby(o["expiry"].dt.tz_localize(None).dt.normalize()):
        roots = set(g["root"])
        if d == synth.third_friday(d.year, d.month):
            am = pd.Timestamp(d).tz_localize("America/New_York") + pd.Timedelta(hours=9.5)
            assert roots == ({"SPX", "SPXW"} if am > s.asof else {"SPXW"}), d
        else:
            assert roots == {"SPXW"}, d


@pytest.mark.parametrize("name", [*SPX_SCENARIOS, "spy_calm"])
def test_risk_reversal_in_range(snaps, name):
    rr = _risk_reversal(snaps[name])
    assert 0.02 <= rr <= 0.08, rr


def test_skew_and_term_structure(snaps):
    for name in ("calm", "stressed"):
        o = snaps[name].options
        for _, e in o.groupby("expiry"):
            low = e.loc[(e["strike"] - 0.93 * snaps[name].spot).abs().idxmin(), "iv"]
            high = e.loc[(e["strike"] - 1.05 * snaps[name].spot).abs().idxmin(), "iv"]
            assert low > high  # puts richer
    calm, stressed = snaps["calm"], snaps["stressed"]
    assert _atm_iv(calm, 0) < _atm_iv(calm, 30) < _atm_iv(calm, 365)
    assert _atm_iv(stressed, 0) > _atm_iv(stressed, 30) > _atm_iv(stressed, 365)
    assert 0.12 <= _atm_iv(calm, 30) <= 0.14 and 0.27 <= _atm_iv(stressed, 30) <= 0.33


def test_oi_spikes_on_round_strikes(snaps):
    for name in ("calm", "stressed", "day3"):
        s = snaps[name]
        o = s.options[(s.options["strike"] - s.spot).abs() < 0.05 * s.spot]
        round_ = o["strike"] % 100 == 0
        assert o.loc[round_, "oi"].mean() > 2 * o.loc[~round_, "oi"].mean(), name
    s = snaps["spy_calm"]
    o = s.options[(s.options["strike"] - s.spot).abs() < 0.05 * s.spot]
    fives = o["strike"] % 5 == 0
    assert o.loc[fives, "oi"].mean() > 2 * o.loc[~fives, "oi"].mean()


def test_oi_where_positions_sit(snaps):
    s = snaps["calm"]
    o = s.options
    assert 1.2 < o.loc[o["type"] == "P", "oi"].sum() / o.loc[o["type"] == "C", "oi"].sum() < 2.5
    # within 60 days and 10 % of spot: out-of-the-money puts below, calls above
    near = o[(_years(s) < 60 / 365) & ((o["strike"] / s.spot - 1).abs() < 0.10)]
    below = near["strike"] < s.spot
    oi = lambda kind, side: near.loc[(near["type"] == kind) & side, "oi"].sum()  # noqa: E731
    assert oi("P", below) > 2 * oi("P", ~below)
    assert oi("C", ~below) > 1.3 * oi("C", below)
    cal = synth.expiry_calendar(s.asof).set_index(["expiry", "root"])["cycle"]
    cycle = pd.Series(cal.reindex(pd.MultiIndex.from_frame(o[["expiry", "root"]])).to_numpy())
    per = o["oi"].groupby(cycle.to_numpy()).mean()
    assert per["monthly"] > 3 * per["daily"] and per["quarterly"] > 3 * per["daily"]
    assert per["monthly"] > per["weekly"] > per["daily"]
    # the same-day expiry: small open interest, heavy volume
    first = o[o["expiry"] == o["expiry"].min()]
    assert first["oi"].sum() < 0.01 * o["oi"].sum()
    vol = o.groupby("expiry")["volume"].sum()
    assert vol.iloc[0] == vol.max() and vol.iloc[0] > 0.2 * vol.sum()


def test_quotes_and_chain_greeks(snaps):
    s = snaps["calm"]
    o = s.options
    T, K, iv = _years(s), o["strike"].to_numpy(), o["iv"].to_numpy()
    sd = iv * np.sqrt(T)
    d1 = (np.log(s.spot / K) + 0.5 * iv * iv * T) / sd
    call = s.spot * norm.cdf(d1) - K * norm.cdf(d1 - sd)
    price = np.where(o["type"] == "C", call, call - s.spot + K)
    assert (o["bid"] >= 0).all() and (o["ask"] > o["bid"]).all()
    assert (o["bid"] <= price + 1e-9).all() and (o["ask"] >= price - 1e-9).all()
    spread = (o["ask"] - o["bid"]).to_numpy()
    atm = (np.abs(delta_ := np.where(o["type"] == "C", norm.cdf(d1), norm.cdf(d1) - 1)) > 0.3) \
        & (np.abs(delta_) < 0.7) & (T < 60 / 365)
    assert atm.sum() > 100 and np.median(spread[atm] / price[atm]) < 0.02
    assert (spread[price < 1.0] <= 0.25 + 1e-9).all()
    np.testing.assert_allclose(o["chain_delta"], delta_, atol=1e-9)
    np.testing.assert_allclose(o["chain_gamma"], _gamma(s.spot, K, T, iv), rtol=1e-7, atol=1e-12)


def test_intraday_0dte(snaps):
    s = snaps["intraday_0dte"]
    o = s.options
    assert (s.asof.hour, s.asof.minute) == (10, 30)
    same_day = o[o["expiry"].dt.date == s.asof.date()]
    assert set(same_day["root"]) == {"SPXW"}  # the AM-settled SPX monthly is gone
    assert (same_day["expiry"] > s.asof).all() and (same_day["oi"] > 0).sum() > 100
    near = same_day[(same_day["strike"] - s.spot).abs() < 25]
    assert (near["oi"] > 0).all() and (near["volume"] > 0).all()
    assert same_day["volume"].sum() == o.groupby("expiry")["volume"].sum().max()


def test_opex_pin(snaps):
    s = snaps["opex"]
    assert s.asof.date() == (synth.third_friday(2025, 8) - pd.Timedelta(days=1)).date()
    pin = synth.SCENARIOS["opex"]["args"]["pin"][0]
    assert abs(pin / s.spot - 1) < 0.005
    net = _net_by_strike(s)
    assert net.idxmax() == pin and net.max() > 3 * net.drop(pin).abs().max()


def test_pre_and_post_roll(snaps):
    pre, post = snaps["pre_roll"], snaps["post_roll"]
    key = ["expiry", "root", "strike", "type"]
    gone = pre.options[pre.options["expiry"] <= post.asof]
    assert set(gone["expiry"].dt.strftime("%m-%d %H:%M")) == {"09-18 16:00", "09-19 09:30",
                                                              "09-19 16:00"}
    both = pre.options.merge(post.options, on=key, suffixes=("_pre", "_post"))
    big = both[both["oi_pre"] > 200]
    ratio = big["oi_post"] / big["oi_pre"]
    assert len(big) > 5000 and 0.97 < ratio.median() < 1.05
    assert (ratio.between(0.8, 1.3)).mean() > 0.95 and (ratio != 1).mean() > 0.9
    assert abs(post.spot / pre.spot - 1) < 0.02


def test_five_days(snaps):
    days = [snaps[f"day{i}"] for i in range(1, 6)]
    dates = [d.asof.date() for d in days]
    assert list(pd.bdate_range(dates[0], dates[-1]).date) == dates
    spots = np.array([d.spot for d in days])
    assert np.abs(np.diff(np.log(spots))).max() < 0.015
    key = ["expiry", "root", "strike", "type"]
    for a, b in zip(days[:-1], days[1:], strict=True):
        m = a.options.merge(b.options, on=key)
        assert np.corrcoef(m["oi_x"], m["oi_y"])[0, 1] > 0.98
        assert (m["oi_x"] != m["oi_y"]).mean() > 0.5


def test_spy_counterpart(snaps):
    spy, spx = snaps["spy_calm"], snaps["calm"]
    assert spy.underlying == "SPY" and set(spy.options["root"]) == {"SPY"}
    assert spy.asof == spx.asof and abs(spy.spot * 10 / spx.spot - 1) < 0.01
    assert (spy.options["expiry"].dt.hour == 16).all()
    assert _sign_flips(spy) > 2 * _sign_flips(spx)
    assert _gex(spy) > 0


def test_gex_calibration(snaps):
    calm, stressed = snaps["calm"], snaps["stressed"]
    assert 5e9 < _gex(calm) < 30e9
    assert -30e9 < _gex(stressed) < -5e9
    below = [c for c in _zero_crossings(calm) if c < 0]
    assert below and -0.04 <= max(below) <= -0.01
    above = [c for c in _zero_crossings(stressed) if c > 0]
    assert above and min(above) < 0.10
    assert 0.08 <= 1 - stressed.spot / synth.SCENARIOS["stressed"]["args"]["oi_center"] <= 0.10


def test_determinism():
    a = synth.scenario("calm")
    b = synth.scenario("calm")
    pd.testing.assert_frame_equal(a.options, b.options)
    c = synth.scenario("calm", seed=1)
    assert not a.options["oi"].equals(c.options["oi"])
    assert not a.options["volume"].equals(c.options["volume"])


def test_write_dataset(tmp_path, monkeypatch):
    monkeypatch.setattr(synth, "SCENARIO_ORDER", ("spy_calm",))
    lines = []
    paths = synth.write_dataset(tmp_path / "out", progress=lines.append)
    assert paths == [tmp_path / "out" / "spy_calm.csv"] and paths[0].is_file()
    assert len(lines) == 1 and "spy_calm" in lines[0]
    assert chain.read_cboe(paths[0]).underlying == "SPY"


# the shipped files -------------------------------------------------------------------

@pytest.mark.parametrize("name", synth.SCENARIO_ORDER)
def test_data_file_is_fresh(snaps, tmp_path, name):
    path = DATA / synth.SCENARIOS[name]["file"]
    assert path.is_file(), f"{path} missing: run python -m gexlib synth"
    fresh = chain.write_cboe(snaps[name], tmp_path / path.name)
    assert path.read_bytes() == fresh.read_bytes()
    got = chain.read_cboe(path)
    assert got.dropped == {"expired": 0}
    assert (got.underlying, got.spot, got.asof) == (snaps[name].underlying, snaps[name].spot,
                                                    snaps[name].asof)
    want = snaps[name].options
    for col in ("expiry", "root", "strike", "type", "oi", "iv", "volume", "bid", "ask"):
        assert got.options[col].equals(want[col]), col
