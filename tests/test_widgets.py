"""Dashboards without a kernel: move a control, and the numbers shown equal direct gexlib calls."""

import matplotlib

matplotlib.use("Agg")

import ipywidgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from gexlib import bs, datasets, gex, hedging, plots, regime, whatif, widgets  # noqa: E402


@pytest.fixture(scope="module")
def calm():
    return datasets.load("calm")


@pytest.fixture(scope="module")
def dealer(calm):
    return widgets.dealer_gamma_dashboard(calm)


@pytest.fixture(scope="module")
def flip(calm):
    return widgets.flip_dashboard(calm)


@pytest.fixture(scope="module")
def heat(calm):
    return widgets.heatmap_dashboard(calm)


def reset(dash, **values):
    defaults = {"spot": None, "iv_shift": 0.0, "call_oi": 1.0, "put_oi": 1.0}
    dash.set(**{k: v for k, v in {**defaults, **values}.items() if k in dash.controls and v is not None})


def test_render_png_closes_the_figure_and_returns_png():
    fig = plots.greek_curves()
    png = widgets.render_png(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert not plt.fignum_exists(fig.number)


def test_dashboard_is_a_displayable_widget(dealer):
    assert isinstance(dealer.widget, ipywidgets.Box)
    assert isinstance(dealer.image, ipywidgets.Image) and dealer.png()[:4] == b"\x89PNG"
    assert set(dealer.controls) == {"spot", "iv_shift", "call_oi", "put_oi", "sign"}
    assert "application/vnd.jupyter.widget-view+json" in dealer._repr_mimebundle_()
    assert plt.get_fignums() == []  # every figure drawn so far was closed


def test_dealer_defaults_reproduce_the_static_figure_and_levels(calm, dealer):
    reset(dealer, spot=calm.spot, sign="practitioner")
    s = dealer.state
    assert s["total_gex"] == gex.total_gex(calm)
    assert s["flip"] == gex.flip_strike(calm).value
    assert (s["call_wall"], s["put_wall"]) == tuple(gex.walls(calm).values())
    flow = hedging.flow_for_move(calm).iloc[-1]
    assert s["hedge_flow"] == flow["dollars_exact"] and s["hedge_shares"] == flow["shares_exact"]
    assert dealer.png() == widgets.render_png(plots.per_strike(calm))


def test_dealer_put_oi_slider_is_scale_oi(calm, dealer):
    reset(dealer, spot=calm.spot, sign="practitioner")
    default_png = dealer.png()
    dealer.controls["put_oi"].value = 2.0  # the observer updates the dashboard
    t = whatif.scale_oi(calm, put=2.0)
    assert dealer.state["put_oi"] == 2.0
    assert dealer.state["total_gex"] == pytest.approx(gex.total_gex(t), rel=1e-12)
    assert dealer.state["flip"] is gex.flip_strike(t).value is None  # puts everywhere: no crossing
    assert "flip (cumulative): none in range" in dealer.readout.value
    assert dealer.png() != default_png
    assert "practitioner sign, model gamma" in dealer.readout.value
    assert plots.bn(dealer.state["total_gex"]) in dealer.readout.value


def test_dealer_every_control_at_once(calm, dealer):
    dealer.set(spot=6200.0, iv_shift=0.03, call_oi=1.5, put_oi=0.8, sign="seed")
    t = whatif.apply(calm, iv_shift=0.03, call=1.5, put=0.8, spot=6200.0)
    s = dealer.state
    assert s["total_gex"] == pytest.approx(gex.total_gex(t, sign="seed"), rel=1e-12)
    assert s["flip"] == pytest.approx(gex.flip_strike(t, sign="seed").value, rel=1e-12)
    assert (s["call_wall"], s["put_wall"]) == tuple(gex.walls(t, sign="seed").values())
    flow = hedging.flow_for_move(t, sign="seed").iloc[-1]
    assert s["hedge_flow"] == pytest.approx(flow["dollars_exact"], rel=1e-12)
    assert dealer.png() == widgets.render_png(plots.per_strike(t, sign="seed", flip=s["flip"]))


def test_sign_toggle_flips_total_gex(calm, dealer):
    reset(dealer, spot=calm.spot, sign="practitioner")
    practitioner = dealer.state["total_gex"]
    dealer.controls["sign"].value = "seed"
    assert dealer.state["total_gex"] == pytest.approx(-practitioner, rel=1e-12)
    assert "seed sign" in dealer.readout.value


def test_set_updates_once_and_rejects_unknown_controls(calm, dealer):
    calls = []
    compute = dealer.compute
    dealer.compute = lambda v: calls.append(v) or compute(v)
    try:
        dealer.set(iv_shift=0.02, put_oi=1.2)
        assert len(calls) == 1 and calls[0]["iv_shift"] == 0.02 and calls[0]["put_oi"] == 1.2
        with pytest.raises(KeyError, match="put_oi"):
            dealer.set(put_scale=2.0)
    finally:
        dealer.compute = compute


def test_flip_defaults_reproduce_the_static_figure_and_levels(calm, flip):
    reset(flip, spot=calm.spot)
    s = flip.state
    zero = plots.profile_zero(calm)
    assert (s["zero_gamma"], s["zero_crossings"]) == (zero.value, zero.crossings)
    assert s["zero_gamma"] == pytest.approx(gex.zero_gamma(calm).value, abs=2e-4 * calm.spot)
    assert s["flip"] == gex.flip_strike(calm).value
    assert s["total_gex"] == gex.total_gex(calm)
    reg = regime.classify_regime(calm)
    assert (s["regime"], s["triggers"]) == (reg.tag, reg.triggers)
    assert flip.png() == widgets.render_png(plots.profile(calm))


def test_flip_regime_follows_spot_across_zero_gamma(calm, flip):
    reset(flip, spot=calm.spot)
    zero = flip.state["zero_gamma"]
    assert zero < calm.spot and flip.state["regime"] != "short_gamma"
    below = zero - 0.02 * calm.spot
    flip.controls["spot"].value = below
    t = whatif.move_spot(calm, below)
    reg = regime.classify_regime(t)
    assert flip.state["regime"] == reg.tag == "short_gamma"  # practitioner: negative below zero gamma
    assert flip.state["triggers"]["spot_on_negative_side"] is True
    assert flip.state["zero_gamma"] == plots.profile_zero(t).value
    assert flip.state["total_gex"] == pytest.approx(gex.total_gex(t), rel=1e-12)
    assert "short_gamma" in flip.readout.value


def test_flip_oi_and_iv_sliders_are_whatif(calm, flip):
    flip.set(spot=calm.spot, iv_shift=0.02, call_oi=0.9, put_oi=1.1)
    t = whatif.apply(calm, iv_shift=0.02, call=0.9, put=1.1)
    assert flip.state["zero_gamma"] == plots.profile_zero(t).value
    assert flip.state["zero_gamma"] == pytest.approx(gex.zero_gamma(t).value, abs=2e-4 * calm.spot)
    assert flip.state["flip"] == gex.flip_strike(t).value
    assert flip.state["regime"] == regime.classify_regime(t).tag


def test_flip_with_history_evaluates_the_skew_trigger(calm):
    history = datasets.history()
    dash = widgets.flip_dashboard(calm, history=history)
    reg = regime.classify_regime(calm, history=history)
    assert dash.state["triggers"]["skew_crushed"] is not None
    assert dash.state["triggers"] == reg.triggers and dash.state["regime"] == reg.tag


def test_heatmap_defaults_and_expiry_filter(calm, heat):
    reset(heat, spot=calm.spot)
    heat.controls["expiries"].value = "all expiries"
    assert heat.png() == widgets.render_png(plots.heatmap(calm))
    assert heat.state["contracts"] == len(calm.options)
    assert heat.state["total_gex"] == gex.total_gex(calm)
    heat.set(expiries="up to 7 days", iv_shift=-0.02, spot=6300.0)
    t = whatif.apply(calm, iv_shift=-0.02, spot=6300.0, expiries="up to 7 days")
    assert heat.state["contracts"] == len(t.options) < len(calm.options)
    assert heat.state["total_gex"] == pytest.approx(gex.total_gex(t), rel=1e-12)
    assert (heat.state["call_wall"], heat.state["put_wall"]) == tuple(gex.walls(t).values())
    assert heat.state["flip"] == gex.flip_strike(t).value
    assert set(heat.controls["expiries"].options) == set(whatif.EXPIRY_PRESETS)


def test_greeks_dashboard_is_black_scholes():
    dash = widgets.greeks_dashboard()
    assert dash.png() == widgets.render_png(plots.payoff_and_greeks())
    dash.set(spot=104.0, iv=0.35, days=10.0)
    T = 10 / 365
    assert dash.state["gamma"] == pytest.approx(bs.gamma(104.0, 100.0, T, 0.35), rel=1e-12)
    assert dash.state["delta"] == pytest.approx(bs.delta(104.0, 100.0, T, 0.35), rel=1e-12)
    assert dash.state["price"] == pytest.approx(bs.price(104.0, 100.0, T, 0.35), rel=1e-12)
    assert f"{dash.state['gamma']:.4f}" in dash.readout.value


def test_hedge_ticket_dashboard():
    dash = widgets.hedge_ticket()
    d0 = bs.delta(100.0, 100.0, 30 / 365, 0.2)
    assert dash.state["shares_now"] == pytest.approx(100 * 100 * d0, rel=1e-12)
    t = hedging.bs_ticket(-100, 100.0, 1.0, strike=100.0, days=30.0, iv=0.2)
    assert dash.state["trade_exact"] == t.trade_exact and dash.state["pnl_exact"] == t.pnl_exact
    std_hour = dash.state["sim_std"]
    dash.set(position=-200, move=-2.0, interval="1 day")
    assert dash.state["shares_now"] == pytest.approx(2 * 100 * 100 * d0, rel=1e-12)
    assert dash.state["trade_exact"] < 0  # short calls sell into a fall
    sim = hedging.simulate_discrete_hedge(100.0, 100.0, widgets.TICKET_HORIZON, 0.2, 0.2, widgets.TICKET_PATHS,
                                          78, widgets.REBALANCE["1 day"], seed=widgets.TICKET_SEED)
    assert dash.state["sim_std"] == pytest.approx(sim.std, rel=1e-12)
    assert dash.state["sim_std"] > 2 * std_hour  # rebalancing daily instead of hourly: a wider spread
    assert "sell" in dash.readout.value


def test_no_figure_is_left_open():
    assert plt.get_fignums() == []
    assert np.isfinite(widgets.DPI)
