"""What-if transforms: copies with the stated change and nothing else, and what they do to the levels."""

import copy

import numpy as np
import pandas as pd
import pytest
from handmade import snapshot

from gexlib import bs, datasets, gex, whatif


@pytest.fixture(scope="module")
def calm():
    return datasets.load("calm")


def small(spot=100.0):
    """Puts below, calls above, one contract without IV and one with chain greeks."""
    rows = [
        {"strike": 90, "type": "P", "oi": 1500, "iv": 0.25, "days": 3},
        {"strike": 95, "type": "P", "oi": 1000, "iv": 0.22, "days": 30},
        {"strike": 100, "type": "P", "oi": 400, "iv": 0.0, "days": 30},
        {"strike": 102, "type": "C", "oi": 1000, "iv": 0.19, "days": 30, "chain_gamma": 0.05},
        {"strike": 110, "type": "C", "oi": 700, "iv": 0.18, "days": 200},
        {"strike": 120, "type": "C", "oi": 300, "iv": 0.2, "days": 500},
    ]
    snap = snapshot(rows, spot=spot)
    snap.options["chain_delta"] = 0.3
    return snap


def two_strike(spot=100.0):
    """Short 1,000 puts at 95 and long 1,000 calls at 102 (practitioner): zero gamma between them."""
    return snapshot([{"strike": 95, "type": "P", "oi": 1000, "iv": 0.2},
                     {"strike": 102, "type": "C", "oi": 1000, "iv": 0.2}], spot=spot)


TRANSFORMS = {
    "shift_iv": lambda s: whatif.shift_iv(s, 0.05),
    "shift_iv_zero": lambda s: whatif.shift_iv(s, 0.0),
    "scale_oi": lambda s: whatif.scale_oi(s, call=2.0, put=0.5),
    "move_spot": lambda s: whatif.move_spot(s, 97.0),
    "filter_expiries": lambda s: whatif.filter_expiries(s, max_days=40),
    "apply": lambda s: whatif.apply(s, iv_shift=-0.02, call=1.5, put=3.0, spot=104.0, expiries="up to 90 days"),
}


@pytest.mark.parametrize("name", TRANSFORMS)
def test_transforms_copy_and_never_mutate(name):
    snap = small()
    before = copy.deepcopy(snap)
    out = TRANSFORMS[name](snap)
    pd.testing.assert_frame_equal(snap.options, before.options)
    assert (snap.spot, snap.dropped, snap.source) == (before.spot, before.dropped, before.source)
    assert out is not snap and out.options is not snap.options
    out.options["oi"] = -1.0  # writing to the result must not reach the input
    out.dropped["x"] = 1
    pd.testing.assert_frame_equal(snap.options, before.options)
    assert snap.dropped == before.dropped


def test_shift_iv_parallel_floor_and_no_iv_kept():
    snap = small()
    iv = snap.options["iv"].to_numpy()
    up = whatif.shift_iv(snap, 0.05).options["iv"].to_numpy()
    np.testing.assert_allclose(up, np.where(iv > 0, iv + 0.05, 0.0), rtol=0, atol=1e-15)
    down = whatif.shift_iv(snap, -0.21, floor=0.02).options["iv"].to_numpy()
    np.testing.assert_allclose(down, np.where(iv > 0, np.maximum(iv - 0.21, 0.02), 0.0), atol=1e-15)
    assert down[iv == 0].tolist() == [0.0]  # no IV stays out of model gamma
    assert (down[iv > 0] > 0).all()


def test_shift_iv_clears_chain_greeks_only_when_it_moves():
    snap = small()
    assert whatif.shift_iv(snap, 0.01).options[list(whatif.CHAIN_GREEKS)].isna().all().all()
    pd.testing.assert_frame_equal(whatif.shift_iv(snap, 0.0).options, snap.options)


def test_shift_iv_changes_gex_as_black_scholes_says():
    snap = snapshot([{"strike": 100, "type": "C", "oi": 1000, "iv": 0.2, "days": 30}], spot=100.0)
    g = bs.gamma(100.0, 100.0, 30 / 365, 0.25)
    assert gex.total_gex(whatif.shift_iv(snap, 0.05)) == pytest.approx(g * 1000 * 100 * 100.0**2 * 0.01,
                                                                       rel=1e-12)


def test_shift_iv_rejects_bad_input():
    with pytest.raises(ValueError, match="dv"):
        whatif.shift_iv(small(), float("nan"))
    with pytest.raises(ValueError, match="floor"):
        whatif.shift_iv(small(), 0.1, floor=0.0)


def test_scale_oi_scales_each_type_separately():
    snap = small()
    o = snap.options
    out = whatif.scale_oi(snap, call=2.0, put=0.5).options
    is_call = (o["type"] == "C").to_numpy()
    np.testing.assert_array_equal(out["oi"].to_numpy(), np.where(is_call, 2.0, 0.5) * o["oi"].to_numpy())
    parts = {k: gex.total_gex(snapshot_part(snap, k)) for k in ("C", "P")}
    assert gex.total_gex(whatif.scale_oi(snap, call=2.0, put=0.5)) == pytest.approx(
        2.0 * parts["C"] + 0.5 * parts["P"], rel=1e-12)
    with pytest.raises(ValueError, match="put"):
        whatif.scale_oi(snap, put=-1.0)


def snapshot_part(snap, kind):
    return whatif.scale_oi(snap, call=1.0 if kind == "C" else 0.0, put=1.0 if kind == "P" else 0.0)


@pytest.mark.parametrize("k", [0.3, 1.7, 4.0])
def test_uniform_oi_scale_never_moves_zero_gamma_or_flip(k):
    snap = two_strike()
    out = whatif.scale_oi(snap, call=k, put=k)
    assert gex.total_gex(out) == pytest.approx(k * gex.total_gex(snap), rel=1e-12)
    assert gex.zero_gamma(out).value == pytest.approx(gex.zero_gamma(snap).value, abs=1e-6)
    assert gex.flip_strike(out).value == pytest.approx(gex.flip_strike(snap).value, abs=1e-9)


def test_separate_oi_scales_move_the_levels_the_expected_way():
    snap = two_strike()
    z0, f0 = gex.zero_gamma(snap).value, gex.flip_strike(snap).value
    assert 95 < z0 < 102
    # more (negative) put gamma pushes the crossing up; more call gamma pulls it down
    more_puts = whatif.scale_oi(snap, put=2.0)
    more_calls = whatif.scale_oi(snap, call=2.0)
    assert gex.zero_gamma(more_puts).value > z0 + 0.5
    assert gex.zero_gamma(more_calls).value < z0 - 0.5
    # cumulative sum: -P at 95, then -P + C at 102; with puts doubled it never turns positive
    assert gex.flip_strike(more_puts).value is None
    assert f0 is not None


def test_uniform_and_separate_scales_on_a_full_chain(calm):
    z0 = gex.zero_gamma(calm).value
    assert gex.zero_gamma(whatif.scale_oi(calm, call=1.7, put=1.7)).value == pytest.approx(z0, abs=1e-6 * calm.spot)
    assert gex.flip_strike(whatif.scale_oi(calm, call=0.6, put=0.6)).value == pytest.approx(
        gex.flip_strike(calm).value, abs=1e-6)
    assert gex.zero_gamma(whatif.scale_oi(calm, put=1.2)).value > z0 + 0.005 * calm.spot


def test_move_spot_equals_the_profile_at_that_spot(calm):
    for s in (0.97 * calm.spot, 1.02 * calm.spot):
        moved = whatif.move_spot(calm, s)
        assert moved.spot == s
        assert gex.total_gex(moved) == pytest.approx(float(gex.gamma_profile(calm, [s])[0]), rel=1e-9)
        pd.testing.assert_series_equal(moved.options["iv"], calm.options["iv"])  # IV held per contract


def test_move_spot_one_contract_by_hand():
    snap = snapshot([{"strike": 105, "type": "P", "oi": 800, "iv": 0.3, "days": 10}], spot=100.0)
    expected = -bs.gamma(103.0, 105.0, 10 / 365, 0.3) * 800 * 100 * 103.0**2 * 0.01
    assert gex.total_gex(whatif.move_spot(snap, 103.0)) == pytest.approx(expected, rel=1e-12)


def test_move_spot_clears_chain_greeks_unless_spot_is_unchanged():
    snap = small()
    moved = whatif.move_spot(snap, 101.0).options
    assert moved[list(whatif.CHAIN_GREEKS)].isna().all().all()
    pd.testing.assert_frame_equal(whatif.move_spot(snap, snap.spot).options, snap.options)
    for bad in (0.0, -5.0, float("inf")):
        with pytest.raises(ValueError, match="spot"):
            whatif.move_spot(snap, bad)


def test_filter_expiries_by_bucket_partitions_the_chain(calm):
    buckets = gex.expiry_bucket(calm.options["expiry"], calm.asof)
    total = 0
    for b in gex.BUCKETS:
        out = whatif.filter_expiries(calm, buckets=b)
        assert set(gex.expiry_bucket(out.options["expiry"], out.asof)) <= {b}
        assert len(out.options) == int((buckets == b).sum())
        total += len(out.options)
    assert total == len(calm.options)
    both = whatif.filter_expiries(calm, buckets=["monthly", "quarterly"])
    assert len(both.options) == int(np.isin(buckets, ["monthly", "quarterly"]).sum())


def test_filter_expiries_by_days(calm):
    days = (calm.options["expiry"] - calm.asof).dt.total_seconds().to_numpy() / 86400
    out = whatif.filter_expiries(calm, max_days=30)
    assert len(out.options) == int((days <= 30).sum()) > 0
    assert whatif.days_to_expiry(out).max() <= 30
    band = whatif.filter_expiries(calm, min_days=7, max_days=90)
    d = whatif.days_to_expiry(band)
    assert len(d) == int(((days >= 7) & (days <= 90)).sum()) and d.min() >= 7 and d.max() <= 90
    none = whatif.filter_expiries(calm, max_days=-1)
    assert len(none.options) == 0 and gex.total_gex(none) == 0.0
    with pytest.raises(ValueError, match="weeklies"):
        whatif.filter_expiries(calm, buckets="weeklies")


def test_apply_is_the_transforms_in_order(calm):
    got = whatif.apply(calm, iv_shift=0.03, call=0.5, put=2.0, spot=6100.0, expiries="up to 30 days")
    by_hand = whatif.move_spot(whatif.scale_oi(whatif.shift_iv(
        whatif.filter_expiries(calm, max_days=30), 0.03), call=0.5, put=2.0), 6100.0)
    pd.testing.assert_frame_equal(got.options, by_hand.options)
    assert got.spot == by_hand.spot == 6100.0
    with pytest.raises(ValueError, match="expiries"):
        whatif.apply(calm, expiries="next week")


def test_apply_at_defaults_changes_nothing(calm):
    out = whatif.apply(calm)
    pd.testing.assert_frame_equal(out.options, calm.options)
    assert out.spot == calm.spot
    assert gex.total_gex(out) == gex.total_gex(calm)
    pd.testing.assert_frame_equal(whatif.apply(calm, expiries="all expiries").options, calm.options)


def test_time_choices_run_from_the_snapshot_to_the_close(calm):
    intraday = datasets.load("intraday_0dte")
    assert whatif.close_hours(intraday) == 5.5  # 10:30 to 16:00
    options = whatif.time_choices(intraday)
    assert options[0] == ("10:30 (5.50 h to the close)", 0.0)
    assert options[-1] == ("16:00 (0.00 h to the close)", 5.5) and len(options) == 23
    assert [v for _, v in whatif.time_choices(calm)] == [0.0, 0.25]  # 15:45


def test_time_choices_end_at_the_close_and_reach_it_with_advance_time():
    intraday = datasets.load("intraday_0dte")
    h = whatif.close_hours(intraday)
    closed = whatif.advance_time(intraday, h)
    assert whatif.close_hours(closed) == 0.0
    assert whatif.time_choices(closed) == [("16:00 (0.00 h to the close)", 0.0)]
    assert [v for _, v in whatif.time_choices(intraday, step=2.0)] == [0.0, 2.0, 4.0, 5.5]


def test_advance_time_passes_on_the_quotes_digest_only_while_no_contract_settles(monkeypatch):
    """In a gex.reuse() block, a snapshot aged before any expiry keeps its parent's quotes digest (the same
    quotes), not hashed again; once a contract settles, the aged chain's own quotes are hashed."""
    from gexlib import chain, memo

    snap = datasets.load("spx_intraday_0dte.csv")  # 10:30; its same-day contracts settle at 16:00
    hashed = []
    real = chain.hashlib.sha1
    monkeypatch.setattr(chain.hashlib, "sha1", lambda *a, **k: hashed.append(1) or real(*a, **k))
    with gex.reuse():
        parent = chain.quotes_key(snap)
        aged = whatif.advance_time(snap, 2.0)
        assert aged.dropped.get("settled", 0) == 0
        del hashed[:]
        assert chain.quotes_key(aged) == parent and not hashed
        closed = whatif.advance_time(snap, 6.0)
        assert closed.dropped["settled"] > 0
        assert memo.lookup("quotes_key", closed, ()) is None
        assert chain.quotes_key(closed) != parent and hashed
    monkeypatch.undo()
    assert chain.quotes_key(aged) == parent  # hashed afresh outside the block: the same digest
    with gex.reuse():  # a parent whose digest is not known yet: nothing is passed on
        aged = whatif.advance_time(snap, 2.0)
        assert memo.lookup("quotes_key", aged, ()) is None
