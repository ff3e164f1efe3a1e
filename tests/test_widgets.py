"""Dashboards without a kernel: move a control, and the numbers shown equal direct gexlib calls."""

import matplotlib

matplotlib.use("Agg")

import ipywidgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from gexlib import bs, datasets, fmt, gex, hedging, plots, read_cboe, regime, sheet, whatif  # noqa: E402
from gexlib.course import widgets  # noqa: E402


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
    assert isinstance(dealer.picture, ipywidgets.HTML) and dealer.png()[:4] == b"\x89PNG"
    assert dealer.image == dealer.png() and widgets.img_tag(dealer.png(), dealer.alt()) == dealer.picture.value
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
    assert dealer.png() == widgets.render_png(plots.per_strike(calm), positions=dealer.stage.positions)


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
    assert fmt.bn(dealer.state["total_gex"]) in dealer.readout.value


def test_dealer_every_control_at_once(calm, dealer):
    dealer.set(spot=6200.0, iv_shift=0.03, call_oi=1.5, put_oi=0.8, sign="seed")
    t = whatif.apply(calm, iv_shift=0.03, call=1.5, put=0.8, spot=6200.0)
    s = dealer.state
    assert s["total_gex"] == pytest.approx(gex.total_gex(t, sign="seed"), rel=1e-12)
    assert s["flip"] == pytest.approx(gex.flip_strike(t, sign="seed").value, rel=1e-12)
    assert (s["call_wall"], s["put_wall"]) == tuple(gex.walls(t, sign="seed").values())
    flow = hedging.flow_for_move(t, sign="seed").iloc[-1]
    assert s["hedge_flow"] == pytest.approx(flow["dollars_exact"], rel=1e-12)
    assert dealer.png() == widgets.render_png(plots.per_strike(t, sign="seed", flip=s["flip"]), positions=dealer.stage.positions)


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
    zero = gex.zero_gamma_within(calm)
    assert (s["zero_gamma"], s["zero_crossings"]) == (zero.value, zero.crossings)
    assert s["zero_gamma"] == pytest.approx(gex.zero_gamma(calm).value, abs=2e-4 * calm.spot)
    assert s["flip"] == gex.flip_strike(calm).value
    assert s["total_gex"] == gex.total_gex(calm)
    reg = regime.classify_regime(calm)
    assert (s["regime"], s["triggers"]) == (reg.tag, reg.triggers)
    assert flip.png() == widgets.render_png(plots.profile(calm), positions=flip.stage.positions)


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
    assert flip.state["zero_gamma"] == gex.zero_gamma_within(t).value
    assert flip.state["total_gex"] == pytest.approx(gex.total_gex(t), rel=1e-12)
    assert "short_gamma" in flip.readout.value


def test_flip_oi_and_iv_sliders_are_whatif(calm, flip):
    flip.set(spot=calm.spot, iv_shift=0.02, call_oi=0.9, put_oi=1.1)
    t = whatif.apply(calm, iv_shift=0.02, call=0.9, put=1.1)
    assert flip.state["zero_gamma"] == gex.zero_gamma_within(t).value
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
    assert heat.png() == widgets.render_png(plots.heatmap(calm), positions=heat.stage.positions)
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
    assert dash.png() == widgets.render_png(plots.payoff_and_greeks(), positions=dash.stage.positions)
    dash.set(spot=104.0, iv=0.35, days=10.0)
    T = 10 / 365
    assert dash.state["gamma"] == pytest.approx(bs.gamma(104.0, 100.0, T, 0.35), rel=1e-12)
    assert dash.state["delta"] == pytest.approx(bs.delta(104.0, 100.0, T, 0.35), rel=1e-12)
    assert dash.state["price"] == pytest.approx(bs.price(104.0, 100.0, T, 0.35), rel=1e-12)
    assert f"{dash.state['gamma']:.4f}" in dash.readout.value


def test_hedge_ticket_dashboard():
    dash = widgets.hedge_ticket_dashboard()
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


# --- lesson 06 ---------------------------------------------------------------------------


def tape_run(gex_value, **kw):
    args = dict(depth=20e9, sigma_noise=0.15, hedging="contemporaneous", n_paths=widgets.TAPE_PATHS,
                seed=widgets.TAPE_SEED)
    return hedging.simulate_tape(gex_value, kw.pop("S0", 100.0), **{**args, **kw})


def test_tape_dashboard_defaults_are_the_static_figure_and_the_summary():
    dash = widgets.tape_dashboard()
    assert set(dash.controls) == {"gex", "depth", "noise", "hedging"}
    sim = tape_run(-5e9)
    summary = hedging.tape_summary(sim)
    assert {k: dash.state[k] for k in summary} == summary
    assert dash.state["error"] is None and dash.state["k_start"] == -0.25
    assert dash.state["theory_step_vol_ratio"] == hedging.feedback_theory(-0.25)["step_vol_ratio"]
    assert dash.png() == widgets.render_png(plots.tape_paths(sim, n=widgets.TAPE_SHOWN), positions=dash.stage.positions)
    assert f"{summary['realised_vol']:.1%}" in dash.readout.value


def test_tape_dashboard_sliders_are_simulate_tape_and_unstable_settings_are_refused():
    dash = widgets.tape_dashboard()
    dash.set(gex=12e9, depth=40e9, noise=0.3, hedging="lagged")
    summary = hedging.tape_summary(tape_run(12e9, depth=40e9, sigma_noise=0.3, hedging="lagged"))
    assert {k: dash.state[k] for k in summary} == summary
    assert dash.state["autocorrelation"] < -0.2  # long gamma, lagged: reversal
    assert dash.controls["gex"].label == "+$12bn" and dash.controls["depth"].label == "$40bn"
    dash.set(gex=-25e9, depth=20e9)  # k = -1.25
    with pytest.raises(ValueError) as err:
        tape_run(-25e9, sigma_noise=0.3, hedging="lagged")
    assert dash.state["error"] == str(err.value) and "k = GEX/depth = -1.25" in dash.state["error"]
    assert "refused" in dash.readout.value and "depth=$20.00bn" in dash.readout.value
    assert dash.png() == widgets.render_png(plots.notice(str(err.value)), positions=dash.stage.positions)
    dash.set(depth=30e9)  # k = -0.83: accepted again
    assert dash.state["error"] is None and dash.state["k_start"] == pytest.approx(-25 / 30)


def test_tape_dashboard_on_a_chain_profile_scales_it(calm):
    profile = hedging.feedback_profile(calm, 0.95, 1.05)
    with pytest.raises(ValueError, match="S0"):
        widgets.tape_dashboard(profile)
    dash = widgets.tape_dashboard(profile, calm.spot, depth=50e9)
    assert set(dash.controls) == {"scale", "depth", "noise", "hedging"}
    dash.set(scale=-1.5, noise=0.2)
    sim = tape_run(profile, S0=calm.spot, depth=50e9, sigma_noise=0.2, scale=-1.5)
    summary = hedging.tape_summary(sim)
    assert {k: dash.state[k] for k in summary} == summary
    assert dash.state["k_start"] == pytest.approx(-1.5 * gex.total_gex(calm) / 50e9, rel=1e-3)


def test_pin_dashboard_is_pin_probability():
    dash = widgets.pin_dashboard(6450.0)
    dash.set(oi=14000.0, hours=1.5, depth=75e9)
    res = hedging.pin_probability(6450.0, 14000.0, 1.5, depth=75e9, n_paths=widgets.PIN_PATHS, seed=widgets.PIN_SEED)
    assert (dash.state["probability"], dash.state["baseline"], dash.state["stderr"], dash.state["k_max"]) == (
        res.probability, res.baseline, res.stderr, res.k_max)
    assert dash.png() == widgets.render_png(plots.pin_close(res), positions=dash.stage.positions)
    dash.set(oi=30000.0, depth=50e9)
    assert "pin_probability: unstable feedback" in dash.state["error"] and "refused" in dash.readout.value


# --- lesson 07 ---------------------------------------------------------------------------


def test_scalping_dashboard_is_simulate_gamma_scalp():
    dash = widgets.scalping_dashboard()
    assert set(dash.controls) == {"realised", "implied", "interval", "side"}
    assert dash.state["mean"] > 0  # realised 25% > implied 20% by default

    def direct(realised, implied, interval, side):
        return hedging.simulate_gamma_scalp(100.0, 100.0, widgets.SCALP_DAYS / 252, implied, realised,
                                            widgets.SCALP_PATHS, 78, widgets.REBALANCE[interval],
                                            position=widgets.SIDES[side], seed=widgets.SCALP_SEED)

    assert dash.png() == widgets.render_png(plots.scalp_pnl(direct(0.25, 0.20, "30 minutes", "long")), positions=dash.stage.positions)
    dash.set(realised=0.15, implied=0.30, interval="1 hour", side="short")
    sim = direct(0.15, 0.30, "1 hour", "short")
    s = dash.state
    assert (s["mean"], s["std"], s["stderr"]) == (sim.mean, sim.std, sim.stderr)
    assert s["theta_paid"] == float(np.mean(sim.theta_paid)) < 0  # the short collects theta
    assert s["scalps"] == float(np.mean(sim.scalps)) and s["approx_correlation"] == sim.approx_correlation
    assert s["mean"] > 0  # short volatility wins when realised stays below implied
    assert "theta paid" in dash.readout.value and "scalps earned" in dash.readout.value


# --- lesson 08 ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def intraday():
    return datasets.load("intraday_0dte")


def test_time_slider_offers_whatif_time_choices(intraday):
    dash = widgets.time_vol_dashboard(intraday)
    assert dash.controls["hours"].options == tuple(whatif.time_choices(intraday))


def test_time_vol_dashboard_is_advance_time_shift_iv_and_the_flows(intraday):
    dash = widgets.time_vol_dashboard(intraday)
    assert dash.png() == widgets.render_png(plots.time_vol(intraday), positions=dash.stage.positions)
    assert dash.state["charm_shares"] == 0.0 and dash.state["settled"] == 0
    dash.set(hours=3.0, iv_shift=0.03)
    aged = whatif.advance_time(intraday, 3.0)
    t = whatif.shift_iv(aged, 0.03)
    s = dash.state
    assert s["asof"] == t.asof.isoformat() and s["total_gex"] == pytest.approx(gex.total_gex(t), rel=1e-12)
    zero = gex.zero_gamma_within(t)
    assert (s["zero_gamma"], s["zero_crossings"]) == (zero.value, zero.crossings)
    assert s["flip"] == gex.flip_strike(t).value
    assert (s["call_wall"], s["put_wall"]) == tuple(gex.walls(t).values())
    charm = gex.charm_flow(intraday, 3.0).iloc[-1]
    vanna = gex.vanna_flow(aged, 0.03).iloc[-1]
    assert (s["charm_shares"], s["charm_dollars"]) == (charm["shares"], charm["dollars"])
    assert (s["vanna_shares"], s["vanna_dollars"]) == (vanna["shares"], vanna["dollars"])
    assert fmt.bn(s["vanna_dollars"]) in dash.readout.value
    dash.set(hours=5.5, iv_shift=0.0)  # the close: the same-day contracts settle
    assert dash.state["settled"] == whatif.advance_time(intraday, 5.5).dropped["settled"] > 0


def test_time_vol_dashboard_shows_the_chain_it_was_built_with(intraday):
    """The dashboard works on its own copy of the snapshot: changing the caller's afterwards changes nothing."""
    import copy

    mine = copy.deepcopy(intraday)
    dash = widgets.time_vol_dashboard(mine)
    mine.options["oi"] *= 3.0  # the caller's frame, changed in place
    dash.set(hours=2.0, iv_shift=0.01)
    fresh = widgets.time_vol_dashboard(intraday)
    fresh.set(hours=2.0, iv_shift=0.01)
    assert dash.state == fresh.state


def test_time_vol_events_that_share_a_time_give_what_a_fresh_dashboard_gives(intraday):
    """The events of one time reuse what they ask of its aged chain (memo.keep): the same numbers as a new
    dashboard set straight to each setting."""
    dash = widgets.time_vol_dashboard(intraday)
    for hours, iv_shift in [(3.0, 0.03), (3.0, -0.02), (3.0, 0.01), (1.0, 0.01), (3.0, 0.0), (3.0, 0.03)]:
        dash.set(hours=hours, iv_shift=iv_shift)
        fresh = widgets.time_vol_dashboard(intraday)
        fresh.set(hours=hours, iv_shift=iv_shift)
        assert dash.state == fresh.state, (hours, iv_shift)
        assert dash.readout.value == fresh.readout.value


# --- lesson 09 ---------------------------------------------------------------------------


def test_conventions_dashboard_is_one_row_of_compare(calm):
    dash = widgets.conventions_dashboard(calm)
    assert set(dash.controls) == {"spot", "iv_shift", "sign", "gamma", "time", "level", "crossing"}
    row = sheet.compare(calm, signs=["practitioner"], gammas=["model"], times=["act365"],
                        flips=["zero_gamma"]).iloc[0]
    assert dash.state["total_gex"] == row["total_gex"] and dash.state["regime"] == row["regime"]
    assert dash.state["level_value"] == dash.state["zero_gamma"] == row["zero_gamma"]
    assert dash.png() == widgets.render_png(plots.profile(calm, zero=row["zero_gamma"], flip=row["flip_strike"]), positions=dash.stage.positions)
    dash.set(sign="seed", gamma="chain", time="busday262", level="cumulative", crossing="first")
    row = sheet.compare(calm, signs=["seed"], gammas=["chain"], times=["busday262"], flips=["cumulative"]).iloc[0]
    s = dash.state
    for key in sheet.COMPARE_COLUMNS:
        assert s[key] == (None if row[key] is None or (not isinstance(row[key], str) and np.isnan(row[key]))
                          else row[key]), key
        assert not isinstance(s[key], np.generic)  # plain Python values
    assert s["level_value"] == row["flip_first"]
    assert dash.png() == widgets.render_png(plots.profile(
        calm, zero=row["zero_gamma_first"], flip=row["flip_first"], sign="seed", gamma="chain", time="busday262"), positions=dash.stage.positions)
    assert "<b>" + f"{row['flip_first']:,.2f}" + "</b>" in dash.readout.value


def test_conventions_dashboard_moves_spot_and_iv(calm):
    dash = widgets.conventions_dashboard(calm)
    dash.set(spot=calm.spot * 1.03, iv_shift=0.05, sign="practitioner", level="cumulative")
    spot = dash.controls["spot"].value
    assert spot > calm.spot
    moved = whatif.apply(calm, iv_shift=0.05, spot=spot)
    row = sheet.compare(moved, signs=["practitioner"], gammas=["model"], times=["act365"], flips=["cumulative"]).iloc[0]
    assert dash.state["spot"] == spot and dash.state["flip_strike"] == row["flip_strike"]
    assert dash.state["total_gex"] == row["total_gex"] != gex.total_gex(calm)
    assert dash.png() == widgets.render_png(plots.profile(moved, zero=row["zero_gamma"], flip=row["flip_strike"]), positions=dash.stage.positions)
    dash.set(gamma="chain")  # the file's gamma exists only at its own spot and IVs
    assert "gamma='chain'" in dash.state["error"] and "refused" in dash.readout.value


def test_conventions_dashboard_refuses_chain_gamma_without_a_gamma_column(calm):
    dash = widgets.conventions_dashboard(whatif.move_spot(calm, calm.spot * 1.01))
    dash.set(gamma="chain")
    assert "gamma='chain'" in dash.state["error"] and "refused" in dash.readout.value
    dash.set(gamma="model")
    assert dash.state["error"] is None


# --- lesson 11 (capstone): the dashboards on real downloads ------------------------------------------


def test_heatmap_and_flip_dashboards_on_a_real_cboe_download(cboe_file):
    snap = read_cboe(cboe_file)
    heat = widgets.heatmap_dashboard(snap)
    assert heat.png() == widgets.render_png(plots.heatmap(snap), positions=heat.stage.positions)
    heat.set(spot=snap.spot * 1.01, iv_shift=0.02, expiries="up to 30 days")
    t = whatif.apply(snap, iv_shift=0.02, spot=snap.spot * 1.01, expiries="up to 30 days")
    assert heat.state["total_gex"] == pytest.approx(gex.total_gex(t), rel=1e-12)
    assert (heat.state["call_wall"], heat.state["put_wall"]) == tuple(gex.walls(t).values())
    flip = widgets.flip_dashboard(snap)
    assert flip.state["zero_gamma"] == gex.zero_gamma_within(snap).value
    assert flip.state["regime"] == regime.classify_regime(snap).tag
    flip.set(spot=snap.spot * 0.98)
    t = whatif.move_spot(snap, snap.spot * 0.98)
    assert flip.state["total_gex"] == pytest.approx(gex.total_gex(t), rel=1e-12)
    assert flip.state["flip"] == gex.flip_strike(t).value


def test_no_figure_is_left_open():
    assert plt.get_fignums() == []
    assert np.isfinite(widgets.DPI)


def test_heatmap_oi_sliders_are_scale_oi(calm, heat):
    reset(heat, spot=calm.spot)
    heat.set(expiries="all expiries", call_oi=1.0, put_oi=1.5)
    t = whatif.apply(calm, put=1.5)
    assert heat.state["total_gex"] == pytest.approx(gex.total_gex(t), rel=1e-12)
    assert (heat.state["call_wall"], heat.state["put_wall"]) == tuple(gex.walls(t).values())
    heat.set(put_oi=1.0)
    assert heat.state["total_gex"] == gex.total_gex(calm)


def test_hedge_ticket_iv_slider_moves_ticket_and_simulation():
    dash = widgets.hedge_ticket_dashboard()
    dash.set(iv=0.40, interval="1 hour", position=-100, move=1.0)
    t = hedging.bs_ticket(-100, 100.0, 1.0, strike=100.0, days=30.0, iv=0.40)
    assert dash.state["trade_exact"] == t.trade_exact and dash.state["shares_now"] == t.shares_now
    sim = hedging.simulate_discrete_hedge(100.0, 100.0, widgets.TICKET_HORIZON, 0.40, 0.40, widgets.TICKET_PATHS,
                                          78, widgets.REBALANCE["1 hour"], seed=widgets.TICKET_SEED)
    assert dash.state["sim_std"] == pytest.approx(sim.std, rel=1e-12)
    assert "IV 40%" in dash.readout.value


LIVE_BOARDS = {
    "greeks": (lambda calm: widgets.greeks_dashboard(), "spot", 104.0),
    "hedge_ticket": (lambda calm: widgets.hedge_ticket_dashboard(), "iv", 0.25),
    "dealer_gamma": (lambda calm: widgets.dealer_gamma_dashboard(calm), "iv_shift", 0.03),
    "flip": (lambda calm: widgets.flip_dashboard(calm), "put_oi", 1.5),
    "heatmap": (lambda calm: widgets.heatmap_dashboard(calm), "iv_shift", 0.02),
    "tape": (lambda calm: widgets.tape_dashboard(), "noise", 0.25),
    "pin": (lambda calm: widgets.pin_dashboard(100.0), "oi", 12_000.0),
    "scalping": (lambda calm: widgets.scalping_dashboard(), "realised", 0.30),
    "time_vol": (lambda calm: widgets.time_vol_dashboard(datasets.load("intraday_0dte")), "iv_shift", 0.03),
    "conventions": (lambda calm: widgets.conventions_dashboard(calm), "iv_shift", 0.02),
    "evidence": (lambda calm: widgets.evidence_dashboard(), "horizon", 3),
}


@pytest.mark.parametrize("name", sorted(LIVE_BOARDS))
def test_an_event_updates_the_dashboards_figure_in_place(calm, name):
    """Each lesson dashboard keeps its figure: an event changes it in place, and draws what a new figure would."""
    build, control, value = LIVE_BOARDS[name]
    dash = build(calm)
    fig = dash.figure_object
    assert fig is not None and dash.stage.layouts == 1
    first = dash.png()
    dash.set(**{control: value})
    assert dash.figure_object is fig  # updated in place, not rebuilt
    assert dash.png() != first
    _, fresh = dash.compute(dash.values())  # a new figure for the same values
    assert fresh is not fig
    assert dash.png() == widgets.render_png(fresh, positions=dash.stage.positions)
