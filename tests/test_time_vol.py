"""Time and volatility what-ifs (charm and vanna flows), the conventions explorer and unknown dealer shares."""

import numpy as np
import pandas as pd
import pytest
from handmade import snapshot

from gexlib import bs, gex, sheet, whatif


def book(extra=()):
    # calls and puts with different open interest, so their charm and vanna do not cancel
    rows = [{"strike": k, "type": t, "oi": (500 + 10 * k) * (2 if t == "P" else 1), "iv": 0.18 + 0.002 * (100 - k),
             "days": d}
            for d in (3, 20, 60) for k in range(85, 116, 5) for t in "CP"]
    return snapshot(rows + list(extra))


def test_advance_time_drops_and_counts_settled():
    snap = book([{"strike": 100, "type": "C", "oi": 900, "hours": 2}])
    later = whatif.advance_time(snap, 3)
    assert len(later.options) == len(snap.options) - 1
    assert later.dropped["settled"] == 1 and "settled" not in snap.dropped
    assert later.asof == snap.asof + pd.Timedelta(hours=3)
    same = whatif.advance_time(snap, 0)
    assert gex.total_gex(same) == pytest.approx(gex.total_gex(snap), rel=1e-12)
    with pytest.raises(ValueError):
        whatif.advance_time(snap, -1)


def test_charm_flow_matches_charm_for_a_short_step():
    snap = book()
    hours = 0.05  # three minutes: the second-order term is far below the tolerance
    c = gex.contracts(snap)
    kind = np.where(c.is_call, "C", "P")
    linear = -np.sum(c.weight * bs.charm(snap.spot, c.strike, c.T, c.iv, kind=kind)) * hours / 24
    total = gex.charm_flow(snap, hours).iloc[-1]
    assert np.isnan(total["strike"])
    assert total["shares"] == pytest.approx(linear, rel=2e-3)
    assert total["dollars"] == pytest.approx(total["shares"] * snap.spot)


def test_charm_flow_unwinds_settling_contracts():
    # one in-the-money call settling in an hour: after it settles the dealers' hedge is unwound
    snap = snapshot([{"strike": 95, "type": "C", "oi": 10, "iv": 0.2, "hours": 1}])
    c = gex.contracts(snap)
    before = float(c.weight[0] * bs.delta(snap.spot, 95.0, c.T[0], 0.2))
    assert gex.charm_flow(snap, 2).iloc[-1]["shares"] == pytest.approx(before, rel=1e-12)  # sells what it held


def test_vanna_flow_matches_vanna_for_a_small_shift():
    snap = book()
    dv = 0.001
    c = gex.contracts(snap)
    linear = -np.sum(c.weight * bs.vanna(snap.spot, c.strike, c.T, c.iv)) * dv * 100
    assert gex.vanna_flow(snap, dv).iloc[-1]["shares"] == pytest.approx(linear, rel=1e-2)
    assert gex.vanna_flow(snap, 0.0).iloc[-1]["shares"] == 0


def test_vanna_sign_for_practitioner_book():
    # Dealers short OTM puts: IV up raises the |delta| of those puts (more negative) -> dealers' delta up -> sell
    snap = snapshot([{"strike": 90, "type": "P", "oi": 1000, "iv": 0.2}])
    assert gex.vanna_flow(snap, 0.05).iloc[-1]["shares"] < 0


def test_compare_structure():
    # short puts at 95, long calls at 102 (practitioner): zero gamma between them
    snap = snapshot([{"strike": 95, "type": "P", "oi": 1000, "iv": 0.2}, {"strike": 102, "type": "C", "oi": 1000,
                                                                          "iv": 0.2}])
    df = sheet.compare(snap, gammas=("model",))
    assert list(df.columns) == list(sheet.COMPARE_COLUMNS)
    assert len(df) == 3 * 2 * 2
    p = df[(df["sign"] == "practitioner")].reset_index(drop=True)
    s = df[(df["sign"] == "seed")].reset_index(drop=True)
    assert np.allclose(p["total_gex"], -s["total_gex"])
    assert p["zero_gamma"].equals(s["zero_gamma"]) and p["flip_strike"].equals(s["flip_strike"])
    assert p["zero_gamma"].notna().any()
    assert df["call_wall"].nunique() == 1 and df["put_wall"].nunique() == 1
    ok = df.dropna(subset=["zero_gamma"])
    assert (ok["zero_gamma_first"] <= ok["zero_gamma"]).all()
    row = df[(df["sign"] == "practitioner") & (df["time"] == "act365") & (df["flip"] == "zero_gamma")].iloc[0]
    assert row["total_gex"] == pytest.approx(gex.total_gex(snap))
    assert row["zero_gamma"] == pytest.approx(gex.zero_gamma(snap).value)


def test_dealer_share_draws():
    snap = book()
    total = gex.total_gex(snap)
    full = whatif.dealer_share_draws(snap, lo=1.0, hi=1.0, n=3)
    assert np.allclose(full["total_gex"], total)
    half = whatif.dealer_share_draws(snap, lo=0.5, hi=0.5, n=2)
    assert np.allclose(half["total_gex"], 0.5 * total)
    d = whatif.dealer_share_draws(snap, lo=0.2, hi=1.0, n=400, seed=3)
    assert d["total_gex"].min() < d["total_gex"].max()
    assert np.allclose(d["call_gex"] + d["put_gex"], d["total_gex"])
    assert d.equals(whatif.dealer_share_draws(snap, lo=0.2, hi=1.0, n=400, seed=3))
    with pytest.raises(ValueError):
        whatif.dealer_share_draws(snap, lo=0.8, hi=0.5)


def test_charm_flow_settlement_exactly_at_the_end():
    snap = snapshot([{"strike": 95, "type": "C", "oi": 10, "iv": 0.2, "hours": 2}])
    before = float(gex.contracts(snap).weight[0] * bs.delta(snap.spot, 95.0, 2 / (365 * 24), 0.2))
    # ending exactly at settlement unwinds the hedge, as advance_time drops the contract then
    assert gex.charm_flow(snap, 2).iloc[-1]["shares"] == pytest.approx(before, rel=1e-9)
    assert len(whatif.advance_time(snap, 2).options) == 0
