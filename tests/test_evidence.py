"""The evidence functions on synthetic series whose answers are known by construction."""

import numpy as np
import pandas as pd
import pytest

from gexlib import datasets, evidence, history

DAYS = pd.bdate_range("2010-01-01", periods=3000, name="date")


def prices(returns, start=100.0):
    """Closes whose log returns are ``returns`` (the first close is ``start``)."""
    return pd.Series(start * np.exp(np.concatenate([[0.0], np.cumsum(returns)])), index=DAYS[: len(returns) + 1])


# --- measures -------------------------------------------------------------------------------------


def test_forward_and_trailing_vol_by_hand():
    r = np.array([0.01, -0.02, 0.03, -0.01, 0.02])
    p = prices(r)
    f1, f2 = evidence.forward_vol(p, 1), evidence.forward_vol(p, 2)
    assert f1.iloc[0] == pytest.approx(0.01 * np.sqrt(252))
    assert f2.iloc[1] == pytest.approx(np.sqrt(252 / 2 * (0.02**2 + 0.03**2)))
    assert f2.iloc[-2:].isna().all() and f1.iloc[-1:].isna().all()
    t3 = evidence.trailing_vol(p, 3)
    assert t3.iloc[3] == pytest.approx(np.sqrt(252 / 3 * (0.01**2 + 0.02**2 + 0.03**2)))
    assert t3.iloc[:3].isna().all()


def test_forward_vol_of_one_day_is_the_history_modules_next_day_move():
    h = datasets.history()
    pd.testing.assert_series_equal(evidence.forward_vol(h["spot"], 1), history.next_day_move(h), check_names=False)


def test_constant_absolute_returns_give_that_vol_at_every_horizon_and_window():
    r = 0.012 * np.where(np.arange(60) % 2, 1.0, -1.0)
    p = prices(r)
    for h in (1, 5):
        assert np.allclose(evidence.forward_vol(p, h).dropna(), 0.012 * np.sqrt(252))
    assert np.allclose(evidence.trailing_vol(p, 20).dropna(), 0.012 * np.sqrt(252))


def test_panel_drops_the_edges_and_refuses_misaligned_series():
    p = prices(np.full(99, 0.01))
    g = pd.Series(np.arange(100.0), index=p.index)
    out = evidence.panel(p, g, horizon=5, window=20)
    assert list(out.columns) == list(evidence.PANEL_COLUMNS)
    assert len(out) == 100 - 20 - 5 and out.index[0] == p.index[20] and out.index[-1] == p.index[-6]
    with pytest.raises(ValueError, match="same dates"):
        evidence.panel(p, g.iloc[1:], horizon=1, window=5)
    with pytest.raises(ValueError, match="horizon=0"):
        evidence.panel(p, g, horizon=0)


def test_quantile_groups_match_pandas_qcut():
    x = np.random.default_rng(1).standard_normal(997)
    for q in (2, 3, 5, 10):
        assert (evidence.quantile_groups(x, q) == pd.qcut(x, q, labels=False)).all()


def test_batched_groups_within_keys_match_qcut_on_each_subset():
    rng = np.random.default_rng(2)
    for _ in range(50):
        m, n, keys, q = rng.integers(1, 4), rng.integers(20, 200), rng.integers(1, 5), rng.integers(2, 6)
        x = rng.standard_normal((m, n))
        key = rng.integers(0, keys, size=(m, n))
        out = evidence._groups_2d(x, key, keys, q)
        for i in range(m):
            for k in range(keys):
                inside = key[i] == k
                if inside.sum() >= q:
                    assert (out[i, inside] == pd.qcut(x[i, inside], q, labels=False)).all()


# --- comparisons ----------------------------------------------------------------------------------


def table_panel(g, y, v=None):
    return pd.DataFrame({"gex": g, "forward_vol": y, "trailing_vol": np.zeros(len(g)) if v is None else v},
                        index=DAYS[: len(g)])


def test_by_sign_known_means_and_a_degenerate_interval():
    g = np.where(np.arange(200) % 4 == 0, -1.0, 2.0)  # a quarter of the days negative
    y = np.where(g < 0, 0.30, 0.10)
    t = evidence.by_sign(table_panel(g, y), draws=200)
    assert t.loc["negative", "days"] == 50 and t.loc["positive", "days"] == 150
    assert t.loc["negative", "forward_vol"] == pytest.approx(0.30)
    assert t.loc["difference", "forward_vol"] == pytest.approx(0.20)
    # every resample holds both kinds of day with the same values: the interval is the point
    assert t.loc["difference", "low"] == pytest.approx(0.20) and t.loc["difference", "high"] == pytest.approx(0.20)


def test_by_quantile_ranks_gex_and_reports_ranges():
    g = np.arange(100.0) - 30.0
    y = 0.5 - 0.004 * np.arange(100.0)  # falls with GEX
    t = evidence.by_quantile(table_panel(g, y), q=4, draws=50)
    assert list(t.index) == ["Q1", "Q2", "Q3", "Q4", "Q1 − Q4"]
    assert t["days"].tolist() == [25, 25, 25, 25, 100]
    assert t.loc["Q1", "gex_low"] == -30 and t.loc["Q1", "gex_high"] == -6 and t.loc["Q4", "gex_high"] == 69
    assert t.loc["Q1", "forward_vol"] == pytest.approx(np.mean(y[:25]))
    assert t.loc["Q1 − Q4", "forward_vol"] == pytest.approx(np.mean(y[:25]) - np.mean(y[75:]))
    assert (t["low"] <= t["forward_vol"] + 1e-12).all() and (t["forward_vol"] <= t["high"] + 1e-12).all()


def confounded(effect: float, n: int = 400, seed: int = 0):
    """Forward vol = trailing vol (+ ``effect`` on negative-GEX days); negative GEX mostly when vol is high."""
    rng = np.random.default_rng(seed)
    v = np.repeat([0.10, 0.15, 0.20, 0.25], n // 4)
    neg = rng.random(n) < np.repeat([0.05, 0.15, 0.4, 0.8], n // 4)
    g = np.where(neg, -1.0, 1.0) * rng.uniform(0.5, 2.0, n)
    return table_panel(g, v + effect * neg, v)


def test_the_double_sort_removes_a_pure_volatility_confound():
    p = confounded(0.0)
    raw = evidence.by_sign(p, draws=0)
    assert raw.loc["difference", "forward_vol"] > 0.03  # negative days sit in the volatile groups
    ctl = evidence.controlled_by_sign(p, groups=4, draws=100)
    assert ctl.loc["difference", "forward_vol"] == pytest.approx(0.0, abs=1e-12)
    ds = evidence.double_sort(p, groups=4)
    assert ds["days"].tolist() == [100] * 4 and ds["share_negative"].is_monotonic_increasing
    assert np.allclose(ds["difference"], 0.0)


def test_the_double_sort_recovers_a_built_in_effect_weighted_by_negative_days():
    p = confounded(0.04)
    ctl = evidence.controlled_by_sign(p, groups=4, draws=100)
    assert ctl.loc["difference", "forward_vol"] == pytest.approx(0.04)
    ds = evidence.double_sort(p, groups=4)
    weights = ds["negative_days"] / ds["negative_days"].sum()
    assert ctl.loc["negative", "forward_vol"] == pytest.approx(float((weights * ds["negative"]).sum()))


def test_controlled_quantiles_sort_gex_within_each_vol_group():
    v = np.repeat([0.1, 0.2, 0.3, 0.4], 50)
    g = np.tile(np.linspace(-1.0, 1.0, 50), 4) + 10 * v  # GEX rises with vol: raw quantiles mix the groups
    y = v + 0.02 * (g < 10 * v)  # within a group the lower half of GEX has 2 points more
    p = table_panel(g, y, v)
    ctl = evidence.controlled_by_quantile(p, q=2, groups=4, draws=50)
    assert ctl.loc["Q1 − Q2", "forward_vol"] == pytest.approx(0.02)
    assert ctl["days"].tolist() == [100, 100, 200]
    raw = evidence.by_quantile(p, q=2, draws=0)
    assert raw.loc["Q1 − Q2", "forward_vol"] < 0  # unconditionally low GEX means low vol here


# --- the stationary bootstrap ---------------------------------------------------------------------------


def run_lengths(idx):
    breaks = np.flatnonzero(np.diff(idx) != 1) + 1
    return np.diff(np.concatenate([[0], breaks, [len(idx)]]))


def test_stationary_bootstrap_blocks_have_the_stated_mean_length_and_are_seeded():
    a = evidence.stationary_bootstrap(20000, draws=2, block=20, seed=3)
    assert a.shape == (2, 20000)
    assert (a == evidence.stationary_bootstrap(20000, draws=2, block=20, seed=3)).all()
    assert not (a == evidence.stationary_bootstrap(20000, draws=2, block=20, seed=4)).all()
    for idx in a:
        assert idx.min() >= 0 and idx.max() < 20000
        assert 17 < run_lengths(idx).mean() < 23
    iid = evidence.stationary_bootstrap(20000, draws=1, block=1, seed=3)[0]
    assert run_lengths(iid).mean() < 1.01
    with pytest.raises(ValueError, match="block"):
        evidence.stationary_bootstrap(10, block=0.5)


def test_block_intervals_are_wider_than_independent_ones_on_a_persistent_series():
    rng = np.random.default_rng(7)
    x = np.zeros(1500)
    for t in range(1, len(x)):
        x[t] = 0.95 * x[t - 1] + rng.standard_normal()
    g = np.where(np.arange(len(x)) % 2, -1.0, 1.0)  # alternating sign: both groups share the persistence
    p = table_panel(g, x)
    width = {b: float(np.diff(evidence.by_sign(p, draws=400, block=b).loc["negative", ["low", "high"]])[0])
             for b in (1, 50)}
    # the mean of an AR(1) with phi = 0.95 has a variance about (1 + phi) / (1 - phi) = 39 times the iid one
    assert width[50] > 3 * width[1]


# --- around a change of sign ---------------------------------------------------------------------------


def test_sign_changes_and_the_event_view_on_a_built_pattern():
    n = 120
    g = np.ones(n)
    g[40:70] = -1.0  # to negative on day 40, back to positive on day 70
    r = np.full(n - 1, 0.01)
    r[39:69] = 0.03  # returns into days 40 ... 69 are three times larger
    p = prices(r)
    gs = pd.Series(g, index=p.index)
    ch = evidence.sign_changes(gs)
    assert list(ch.index) == [p.index[40], p.index[70]] and ch["direction"].tolist() == ["to negative", "to positive"]
    ev = evidence.event_view(p, gs, days=5).set_index(["direction", "offset"])["abs_return"]
    s = np.sqrt(252)
    assert ev[("to negative", -1)] == pytest.approx(0.01 * s) and ev[("to negative", 0)] == pytest.approx(0.03 * s)
    assert ev[("to positive", -1)] == pytest.approx(0.03 * s) and ev[("to positive", 0)] == pytest.approx(0.01 * s)
    assert set(evidence.event_view(p, gs, days=5)["events"]) == {1}
    assert set(evidence.event_view(p, gs, days=60)["events"]) == {0}  # windows past the ends are left out


# --- the shipped synthetic history, where the relation is built in -------------------------------------


def test_on_the_synthetic_history_negative_gex_days_are_followed_by_higher_vol():
    h = datasets.history()
    p = evidence.panel(h["spot"], h["gex_practitioner"])
    t = evidence.by_sign(p, draws=300)
    assert t.loc["negative", "days"] > 10
    assert t.loc["difference", "forward_vol"] > 0 and t.loc["difference", "low"] > 0
