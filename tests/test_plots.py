"""The lesson figures draw the numbers gexlib computes, in the book's colours and labels."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from matplotlib.collections import PolyCollection, QuadMesh  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from gexlib import bs, datasets, gex, hedging, plots, whatif  # noqa: E402


@pytest.fixture(scope="module")
def calm():
    return datasets.load("calm")


@pytest.fixture(autouse=True)
def close_all():
    yield
    plt.close("all")


def level_lines(ax):
    """Vertical level lines by kind: {kind: x}."""
    out = {}
    for line in ax.get_lines():
        for kind, label in plots.LABELS.items():
            if line.get_label().startswith(label + " ") and to_hex(line.get_color()) == to_hex(plots.COLORS[kind]):
                out[kind] = float(line.get_xdata()[0])
    return out


def bar_heights(coll):
    """(centres, heights) of the bars of a PolyCollection drawn by plots.bars."""
    verts = [p.vertices for p in coll.get_paths()]
    return np.array([v[:4, 0].mean() for v in verts]), np.array([v[1, 1] for v in verts])


def collections_by_label(ax):
    return {c.get_label(): c for c in ax.collections if isinstance(c, PolyCollection)}


def assert_book_style(fig):
    """No titles; every coloured line at lw=2."""
    assert fig._suptitle is None
    palette = {to_hex(c) for c in plots.COLORS.values()}
    for ax in fig.axes:
        assert ax.get_title() == "" and ax.get_title("left") == "" and ax.get_title("right") == ""
        for line in ax.get_lines():
            if to_hex(line.get_color()) in palette and line.get_linestyle() != "None":
                assert line.get_linewidth() == plots.LW
        for paths in ax.collections:  # paths drawn as one collection (plots.path_lines)
            if paths.get_gid() == plots.PATHS_GID:
                assert set(paths.get_linewidth()) == {plots.LW}


def test_colors_cover_every_meaning():
    assert {"call", "put", "net", "spot", "zero_gamma", "flip", "call_wall", "put_wall"} <= set(plots.COLORS)
    meanings = ["call", "put", "net", "spot", "zero_gamma", "flip", "call_wall", "put_wall"]
    assert len({to_hex(plots.COLORS[k]) for k in meanings}) == len(meanings)  # one colour per meaning


def test_bn_formatting():
    assert plots.bn(15_307_653_954.3) == "+$15.31bn"
    assert plots.bn(-2.5e8) == "-$0.25bn"
    assert plots.bn(None) == "n/a"


def test_per_strike_draws_per_strike_gex_cumulative_spot_and_flip(calm):
    fig = plots.per_strike(calm)
    assert isinstance(fig, Figure)
    assert_book_style(fig)
    ax, ax2 = fig.axes
    lo, hi = plots.window_limits(calm.spot)
    assert ax.get_xlim() == pytest.approx((lo, hi))
    assert ax.get_xlabel() == "strike" and ax.get_ylabel() == plots.GEX_LABEL
    ps = gex.per_strike_gex(calm)
    inside = ps[(ps["strike"] >= lo) & (ps["strike"] <= hi)]
    bars = collections_by_label(ax)
    for label, side in (("calls", "call"), ("puts", "put")):
        x, h = bar_heights(bars[label])
        np.testing.assert_allclose(h, inside[side].to_numpy() / 1e9, rtol=1e-12)
        assert to_hex(bars[label].get_facecolor()[0]) == to_hex(plots.COLORS[side])
    # calls left of each strike, puts right of it
    assert (bar_heights(bars["calls"])[0] < inside["strike"].to_numpy()).all()
    assert (bar_heights(bars["puts"])[0] > inside["strike"].to_numpy()).all()
    cum = np.cumsum(ps["net"].to_numpy())[inside.index.to_numpy()] / 1e9  # from the lowest strike of all
    (line,) = ax2.get_lines()
    np.testing.assert_allclose(line.get_ydata(), cum, rtol=1e-12)
    assert to_hex(line.get_color()) == to_hex(plots.COLORS["net"])
    marks = level_lines(ax)
    assert marks["spot"] == calm.spot
    assert marks["flip"] == pytest.approx(gex.flip_strike(calm).value)
    # the two y-axes share their zero
    (a0, a1), (b0, b1) = ax.get_ylim(), ax2.get_ylim()
    assert -a0 / (a1 - a0) == pytest.approx(-b0 / (b1 - b0), rel=1e-9)


def test_spot_is_a_dashed_line_and_levels_take_numbers_levels_or_none(calm):
    ax = plots.per_strike(calm, flip=6300.0).axes[0]
    spot = [ln for ln in ax.get_lines() if ln.get_label().startswith("spot")][0]
    assert spot.get_linestyle() == "--" and to_hex(spot.get_color()) == to_hex(plots.COLORS["spot"])
    assert level_lines(ax)["flip"] == 6300.0
    assert "flip" not in level_lines(plots.per_strike(calm, flip=None).axes[0])
    assert level_lines(plots.per_strike(calm, flip=gex.Level(6200.0, (6200.0,))).axes[0])["flip"] == 6200.0
    # a level outside the window is not drawn (and not in the legend)
    assert "flip" not in level_lines(plots.per_strike(calm, flip=2.0 * calm.spot).axes[0])


def test_drawing_into_a_given_axes_creates_and_closes_nothing(calm):
    fig, ax = plt.subplots()
    before = plt.get_fignums()
    out = plots.profile(calm, ax=ax, zero=None, flip=None)
    assert out is fig and plt.get_fignums() == before and plt.fignum_exists(fig.number)
    out = plots.greek_curves("delta", ax=ax)
    assert out is fig and plt.get_fignums() == before


def test_profile_is_gamma_profile_with_zero_gamma_flip_and_spot(calm):
    fig = plots.profile(calm)
    assert_book_style(fig)
    ax = fig.axes[0]
    S = plots.profile_levels(calm.spot)
    assert S.size == plots.LEVELS and S[0] == pytest.approx(0.9 * calm.spot) and S[-1] == pytest.approx(1.1 * calm.spot)
    call, put, net = gex.gamma_profile(calm, S, by_type=True)
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    np.testing.assert_allclose(lines["net"].get_ydata(), net / 1e9, rtol=1e-12)
    np.testing.assert_allclose(lines["calls"].get_ydata(), call / 1e9, rtol=1e-12)
    np.testing.assert_allclose(lines["puts"].get_ydata(), put / 1e9, rtol=1e-12)
    assert to_hex(lines["calls"].get_color()) == to_hex(plots.COLORS["call"])
    marks = level_lines(ax)
    assert marks["zero_gamma"] == gex.zero_gamma_within(calm).value
    assert marks["flip"] == pytest.approx(gex.flip_strike(calm).value)
    assert marks["spot"] == calm.spot
    assert ax.get_xlabel() == "hypothetical spot" and ax.get_ylabel() == plots.GEX_LABEL
    only_net = plots.profile(calm, by_type=False, n=51, window=0.05, zero=None, flip=None).axes[0]
    assert [ln.get_label() for ln in only_net.get_lines() if ln.get_label() in ("calls", "puts")] == []
    assert len(only_net.get_lines()[0].get_xdata()) == 51


def test_heatmap_is_the_gex_matrix_in_a_strike_window(calm):
    fig = plots.heatmap(calm)
    assert_book_style(fig)
    ax = fig.axes[0]
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    lo, hi = plots.window_limits(calm.spot, plots.HEATMAP_WINDOW)
    m = gex.gex_matrix(calm)
    m = m.loc[(m.index >= lo) & (m.index <= hi)]
    m = m.loc[:, (m != 0).any(axis=0)]
    z = np.asarray(mesh.get_array()).reshape(m.shape[1], m.shape[0])
    np.testing.assert_allclose(z, m.to_numpy().T / 1e9, rtol=1e-12)
    vmin, vmax = mesh.norm.vmin, mesh.norm.vmax
    assert vmin == -vmax and vmax > 0  # centred at zero
    assert mesh.norm(0.0) == pytest.approx(0.5)
    assert ax.get_xlabel() == "strike" and ax.get_ylabel() == "expiry"
    marks = level_lines(ax)
    w = gex.walls(calm)
    assert marks["call_wall"] == w["call_wall"] and marks["put_wall"] == w["put_wall"]
    assert marks["spot"] == calm.spot
    assert len(fig.axes) == 2 and fig.axes[1].get_ylabel() == plots.GEX_LABEL  # the colour bar


def test_heatmap_of_an_empty_window_says_so(calm):
    fig = plots.heatmap(whatif.filter_expiries(calm, max_days=-1))
    assert "no exposure" in fig.axes[0].texts[0].get_text()


def test_bucket_bars_are_gex_by_bucket(calm):
    ax = plots.bucket_bars(calm).axes[0]
    tab = gex.gex_by_expiry(calm, by="bucket")
    bars = collections_by_label(ax)
    for label, side in (("calls", "call"), ("puts", "put"), ("net", "net")):
        np.testing.assert_allclose(bar_heights(bars[label])[1], tab[side].to_numpy() / 1e9, rtol=1e-12)
    assert [t.get_text() for t in ax.get_xticklabels()] == list(gex.BUCKETS)


def test_hedge_flow_bars_are_the_exact_flow(calm):
    fig = plots.hedge_flow_bars(calm)
    ax = fig.axes[0]
    flow = hedging.flow_for_move(calm, 0.01)
    lo, hi = plots.window_limits(calm.spot)
    inside = flow[(flow["strike"] >= lo) & (flow["strike"] <= hi)]
    (coll,) = collections_by_label(ax).values()
    np.testing.assert_allclose(bar_heights(coll)[1], inside["dollars_exact"].to_numpy() / 1e9, rtol=1e-12)
    assert plots.bn(flow["dollars_exact"].iloc[-1]) in coll.get_label()


def test_dealer_gamma_stacks_per_strike_and_flow(calm):
    fig = plots.dealer_gamma(calm)
    assert_book_style(fig)
    assert len(fig.axes) == 3  # bars, their twin, the flow
    assert fig.axes[0].get_xlim() == fig.axes[2].get_xlim()


def test_greek_curves_are_black_scholes():
    fig = plots.greek_curves("gamma", strike=100.0, days=(7, 30), iv=0.25, spot=104.0)
    assert_book_style(fig)
    ax = fig.axes[0]
    curves = [ln for ln in ax.get_lines() if ln.get_label().endswith("days")]
    assert [c.get_label() for c in curves] == ["7 days", "30 days"]
    for c, d in zip(curves, (7, 30), strict=True):
        S = c.get_xdata()
        np.testing.assert_allclose(c.get_ydata(), bs.gamma(S, 100.0, d / 365, 0.25), rtol=1e-12)
    assert level_lines(ax)["spot"] == 104.0
    assert ax.get_ylabel() == plots.GREEKS["gamma"][2] and ax.get_xlabel() == "spot ($)"
    put = plots.greek_curves("delta", kind="P", days=(30,)).axes[0].get_lines()[0]
    assert to_hex(put.get_color()) == to_hex(plots.COLORS["put"])
    with pytest.raises(ValueError, match="greek"):
        plots.greek_curves("rho")


def test_payoff_and_greeks_marks_the_values_at_spot():
    fig = plots.payoff_and_greeks(strike=100.0, days=20.0, iv=0.3, spot=95.0, kind="P")
    assert_book_style(fig)
    assert [ax.get_ylabel() for ax in fig.axes] == [plots.GREEKS[g][2] for g in ("price", "delta", "gamma")]
    T = 20 / 365
    want = (bs.price(95.0, 100.0, T, 0.3, kind="P"), bs.delta(95.0, 100.0, T, 0.3, kind="P"),
            bs.gamma(95.0, 100.0, T, 0.3))
    for ax, value in zip(fig.axes, want, strict=True):
        dot = [ln for ln in ax.get_lines() if ln.get_marker() == "o"][0]
        assert dot.get_xdata()[0] == 95.0 and dot.get_ydata()[0] == pytest.approx(value, rel=1e-12)
    payoff = [ln for ln in fig.axes[0].get_lines() if ln.get_label() == "at expiry"][0]
    np.testing.assert_allclose(payoff.get_ydata(), np.maximum(100.0 - payoff.get_xdata(), 0.0), atol=1e-12)


def test_hedge_paths_and_histograms():
    s = hedging.simulate_discrete_hedge(100.0, 100.0, 5 / 252, 0.2, 0.2, 100, 78, 6, seed=1, keep_paths=8)
    fig = plots.hedge_paths(s, n=5)
    assert_book_style(fig)
    (paths,) = [c for c in fig.axes[0].collections if c.get_gid() == plots.PATHS_GID]
    segments = paths.get_segments()
    assert len(segments) == 5 and segments[0].shape == (s.times.size, 2)
    np.testing.assert_allclose(segments[0][:, 1], s.running_pnl[0])
    np.testing.assert_allclose(segments[0][-1, 0], 5.0)  # trading days
    with pytest.raises(ValueError, match="keep_paths"):
        plots.hedge_paths(hedging.simulate_discrete_hedge(100.0, 100.0, 1 / 252, 0.2, 0.2, 10, 78, 1))
    other = hedging.simulate_discrete_hedge(100.0, 100.0, 5 / 252, 0.2, 0.2, 100, 78, 78, seed=1)
    ax = plots.hedge_error_hist({"30 minutes": s, "1 day": other}).axes[0]
    labels = ax.get_legend().get_texts()
    assert [t.get_text().split(":")[0] for t in labels] == ["30 minutes", "1 day"]


def test_every_figure_renders_with_agg(calm):
    for fig in (plots.per_strike(calm), plots.profile(calm), plots.heatmap(calm), plots.bucket_bars(calm),
                plots.greek_curves(), plots.payoff_and_greeks()):
        assert fig.get_size_inches()[0] >= 6
        fig.canvas.draw()


# --- lessons 06-08 ------------------------------------------------------------------------


def test_new_colours_are_distinct_from_every_other_meaning():
    hexes = [to_hex(c) for c in plots.COLORS.values()]
    assert len(set(hexes)) == len(hexes)
    assert {"long_gamma", "short_gamma", "no_hedging", "charm", "vanna"} <= set(plots.COLORS)


def lines_by_colour(ax, kind):
    return [ln for ln in ax.get_lines() if to_hex(ln.get_color()) == to_hex(plots.COLORS[kind])]


def paths_by_colour(ax, kind):
    """The paths (each an (n, 2) array of x, y) of the line collections of one colour."""
    return [seg for c in ax.collections if c.get_gid() == plots.PATHS_GID
            and to_hex(c.get_color()[0]) == to_hex(plots.COLORS[kind]) for seg in c.get_segments()]


def test_tape_paths_draw_the_simulated_and_the_unhedged_paths():
    s = hedging.simulate_tape(-6e9, 100.0, depth=20e9, sigma_noise=0.2, n_paths=30, seed=1)
    fig = plots.tape_paths(s, n=7)
    assert_book_style(fig)
    ax = fig.axes[0]
    hedged, free = paths_by_colour(ax, "short_gamma"), paths_by_colour(ax, "no_hedging")
    assert len(hedged) == len(free) == 7
    np.testing.assert_allclose(hedged[3][:, 1], s.spot[3], rtol=1e-12)
    np.testing.assert_allclose(free[3][:, 1], s.baseline[3], rtol=1e-12)
    np.testing.assert_allclose(hedged[0][-1, 0], 6.5)  # one trading day of hours
    assert ax.get_xlabel() == "trading hours" and ax.get_ylabel() == "spot"
    # short gamma dashed, so the sides differ without colour; one legend entry per kind of path
    (short,) = [c for c in ax.collections if c.get_gid() == plots.PATHS_GID
                and to_hex(c.get_color()[0]) == to_hex(plots.COLORS["short_gamma"])]
    assert short.get_linestyle()[0][1] is not None
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "no hedging (same news)", "dealers short gamma, contemporaneous hedging"]
    assert ax.get_ylim()[0] < min(s.spot[:7].min(), s.baseline[:7].min())  # autoscaled to the paths
    long_ax = plots.tape_paths(hedging.simulate_tape(6e9, 100.0, depth=20e9, sigma_noise=0.2, n_paths=3),
                               baseline=False).axes[0]
    assert len(paths_by_colour(long_ax, "long_gamma")) == 3 and not paths_by_colour(long_ax, "no_hedging")


def test_tape_stats_are_the_tape_summary():
    sims = {mode + str(g): hedging.simulate_tape(g, 100.0, depth=20e9, sigma_noise=0.2, n_paths=200,
                                                 hedging=mode, seed=2)
            for mode in hedging.HEDGING_MODES for g in (5e9, -5e9)}
    fig = plots.tape_stats(sims)
    assert_book_style(fig)
    for ax, (key, (label, factor)) in zip(fig.axes, plots.TAPE_STATS.items(), strict=True):
        (coll,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
        want = [hedging.tape_summary(s)[key] * factor for s in sims.values()]
        np.testing.assert_allclose(bar_heights(coll)[1], want, rtol=1e-12)
        assert ax.get_ylabel() == label
        colours = [to_hex(c) for c in coll.get_facecolor()]
        assert colours == [to_hex(plots.COLORS[k]) for k in ("long_gamma", "short_gamma") * 2]


def test_tape_scatter_and_move_amplification_agree():
    lin = hedging.linear_profile(100.0, -6e9, -2e9, lo=0.97, hi=1.03)
    s = hedging.simulate_tape(lin, 100.0, depth=20e9, sigma_noise=0.15, days=2, n_paths=300, seed=2)
    ax = plots.tape_scatter(s).axes[0]
    (dots,) = [ln for ln in ax.get_lines() if ln.get_marker() == "o"]
    np.testing.assert_allclose(dots.get_xdata(), 100 * np.log(s.baseline[:, -1] / 100.0), rtol=1e-12)
    np.testing.assert_allclose(dots.get_ydata(), 100 * np.log(s.spot[:, -1] / 100.0), rtol=1e-12)


def test_pin_curve_and_pin_close_draw_pin_probability():
    table = hedging.pin_scan(6450.0, oi=[0, 5000, 10000], hours=[1.0, 2.0], depth=50e9, n_paths=300)
    fig = plots.pin_curve(table)
    assert_book_style(fig)
    ax = fig.axes[0]
    hedged = lines_by_colour(ax, "long_gamma")
    assert len(hedged) == 2 and len(lines_by_colour(ax, "no_hedging")) == 2
    one = table[table["hours"] == 1.0]
    np.testing.assert_allclose(hedged[0].get_xdata(), one["oi"])
    np.testing.assert_allclose(hedged[0].get_ydata(), one["probability"])
    assert ax.get_xlabel() == plots.PIN_AXES["oi"]
    assert plots.pin_curve(table, x="hours").axes[0].get_xlabel() == plots.PIN_AXES["hours"]
    res = hedging.pin_probability(6450.0, 10000, 1.0, depth=50e9, n_paths=300)
    labels = [t.get_text() for t in plots.pin_close(res).axes[0].get_legend().get_texts()]
    assert f"{res.probability:.1%}" in labels[1] and f"{res.baseline:.1%}" in labels[0]


def test_scalp_pnl_histogram_and_scatter():
    s = hedging.simulate_gamma_scalp(100.0, 100.0, 5 / 252, 0.2, 0.25, 300, 78, 6, seed=1)
    fig = plots.scalp_pnl(s)
    assert_book_style(fig)
    left, right = fig.axes
    mean = [ln for ln in left.get_lines() if ln.get_linestyle() == "--"][0]
    assert mean.get_xdata()[0] == pytest.approx(s.mean)
    (dots,) = [ln for ln in right.get_lines() if ln.get_marker() == "o"]
    np.testing.assert_allclose(dots.get_xdata(), s.approx)
    np.testing.assert_allclose(dots.get_ydata(), s.pnl)
    assert f"{s.approx_correlation:.3f}" in dots.get_label()
    short = hedging.simulate_gamma_scalp(100.0, 100.0, 5 / 252, 0.2, 0.25, 50, 78, 6, position=-1.0)
    assert lines_by_colour(plots.scalp_pnl(short).axes[1], "short_gamma")


def test_greek_flows_and_time_vol():
    snap = datasets.load("intraday_0dte")
    charm, vanna = gex.charm_flow(snap, 2.0), gex.vanna_flow(whatif.advance_time(snap, 2.0), 0.02)
    ax = plots.greek_flows(charm, vanna, snap.spot).axes[0]
    lo, hi = plots.window_limits(snap.spot)
    bars = collections_by_label(ax)
    for name, table in (("charm", charm), ("vanna", vanna)):
        (label,) = [k for k in bars if k.startswith(name)]
        inside = table.dropna(subset=["strike"])
        inside = inside[inside["strike"].between(lo, hi)]
        np.testing.assert_allclose(bar_heights(bars[label])[1], inside["dollars"] / 1e9, rtol=1e-12)
        assert plots.bn(float(table["dollars"].iloc[-1])) in label
        assert to_hex(bars[label].get_facecolor()[0]) == to_hex(plots.COLORS[name])
    fig = plots.time_vol(snap, hours=2.0, iv_shift=0.02, charm=charm, vanna=vanna)
    assert_book_style(fig)
    top = fig.axes[0]
    moved = whatif.shift_iv(whatif.advance_time(snap, 2.0), 0.02)
    net = [ln for ln in top.get_lines() if ln.get_label() == "net"][0]
    np.testing.assert_allclose(net.get_ydata(), gex.gamma_profile(moved, net.get_xdata()) / 1e9, rtol=1e-12)
    marks = level_lines(top)
    w = gex.walls(moved)
    assert marks["call_wall"] == w["call_wall"] and marks["put_wall"] == w["put_wall"]
    assert marks["zero_gamma"] == gex.zero_gamma_within(moved).value


def test_profile_draws_walls_only_when_asked(calm):
    assert "call_wall" not in level_lines(plots.profile(calm, zero=None, flip=None).axes[0])
    marks = level_lines(plots.profile(calm, zero=None, flip=None, walls=plots.AUTO).axes[0])
    w = gex.walls(calm)
    assert (marks["call_wall"], marks["put_wall"]) == (w["call_wall"], w["put_wall"])


def test_notice_renders_dollar_signs_as_text():
    fig = plots.notice("GEX -$20.00bn against depth=$20.00bn: k = -1.00")
    fig.canvas.draw()
    assert "$20.00bn" in fig.axes[0].texts[0].get_text()


# --- accessibility: colour is never the only cue, and every colour stands out -----------------


def _luminance(color) -> float:
    """WCAG 2.1 relative luminance of a colour."""
    from matplotlib.colors import to_rgb

    c = np.array(to_rgb(color))
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2])


def contrast(a, b="white") -> float:
    """WCAG 2.1 contrast ratio (L1 + 0.05) / (L2 + 0.05) of two colours, 1 to 21."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula_matches_known_ratios():
    assert contrast("black") == pytest.approx(21.0)
    assert contrast("white") == pytest.approx(1.0)
    assert contrast("#767676") == pytest.approx(4.54, abs=0.01)  # the lightest grey passing AA for text


def test_every_colour_stands_out_from_the_background():
    # WCAG 2.1, 1.4.11: graphical objects need 3:1 against their background (the figures' white)
    low = {k: round(contrast(c), 2) for k, c in plots.COLORS.items() if contrast(c) < 3.0}
    assert not low, f"colours below 3:1 against white: {low}"


def test_the_refusal_text_colour_meets_aa_for_text():
    import re

    from gexlib.course import widgets

    (color,) = re.findall(r"color: (#[0-9A-Fa-f]{6})", widgets._error("x"))
    assert contrast(color) >= 4.5


def test_calls_puts_and_levels_differ_without_colour():
    # bars: calls solid, puts hatched; curves: puts dashed; every level line its own dash pattern
    assert plots.HATCHES["call"] != plots.HATCHES["put"] and plots.HATCHES["put"]
    assert plots.SERIES_STYLES["call"] != plots.SERIES_STYLES["put"]
    assert len({repr(plots.STYLES[k]) for k in plots.STYLES}) == len(plots.STYLES)
    assert plots.HATCHES["charm"] != plots.HATCHES["vanna"]
    assert plots.SERIES_STYLES["long_gamma"] != plots.SERIES_STYLES["short_gamma"]


def test_the_figures_draw_those_styles(calm):
    bars = collections_by_label(plots.per_strike(calm).axes[0])
    assert not bars["calls"].get_hatch() and bars["puts"].get_hatch() == plots.HATCHES["put"]
    bucket = collections_by_label(plots.bucket_bars(calm).axes[0])
    assert len({bucket[k].get_hatch() for k in ("calls", "puts", "net")}) == 3
    lines = {ln.get_label(): ln for ln in plots.profile(calm).axes[0].get_lines()}
    assert lines["calls"].get_linestyle() == "-" and lines["puts"].get_linestyle() == "--"
    ax = plots.profile(calm, walls=plots.AUTO).axes[0]
    dashes = {kind: tuple(np.round(line._dash_pattern[1] or (), 3))  # Line2D has no public dash getter
              for line in ax.get_lines() for kind, label in plots.LABELS.items()
              if line.get_label().startswith(label + " ")}
    assert {"spot", "zero_gamma", "flip", "call_wall", "put_wall"} <= set(dashes)
    assert len(set(dashes.values())) == len(dashes), dashes
    put_curves = plots.greek_curves("delta", kind="P").axes[0].get_lines()
    assert all(ln.get_linestyle() == "--" for ln in put_curves if ln.get_label().endswith("days"))


def test_hatched_bars_draw_the_hatch_over_every_bar_at_once():
    """plots.Bars lays its hatch over all bars as one path: the same picture as Agg's per-bar hatching."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    x = np.arange(40.0)
    h = np.sin(x / 5) + 0.2

    def draw(cls):
        fig, ax = plt.subplots(figsize=(4, 3), dpi=100)
        verts = [[(k - 0.4, 0), (k - 0.4, v), (k + 0.4, v), (k + 0.4, 0)] for k, v in zip(x, h, strict=True)]
        ax.add_collection(cls(verts, facecolors=plots.COLORS["put"], edgecolors="none", hatch="///",
                              hatchcolor="white"))
        ax.set_xlim(-1, 40)
        ax.set_ylim(-1.5, 1.5)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        return np.asarray(canvas.buffer_rgba())[..., :3].astype(int)

    fast, reference = draw(plots.Bars), draw(PolyCollection)
    white = (fast == 255).all(-1)
    put = (np.abs(fast - np.array([0xD5, 0x5E, 0x00])).max(-1) < 8)
    assert put.sum() > 1000 and white.sum() > 0  # the colour is drawn
    differ = (np.abs(fast - reference).max(-1) > 60).mean()
    assert differ < 0.01, f"{differ:.2%} of pixels differ from per-bar hatching"
    plain = draw(lambda *a, **k: PolyCollection(*a, **{**k, "hatch": None}))
    assert (np.abs(plain - reference).max(-1) > 60).mean() > 5 * max(differ, 1e-4)  # hatching shows


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 300), st.sampled_from([0.05, 0.3, 0.9, 1.0, 2.5]), st.booleans(), st.integers(0, 2**32 - 1),
       st.sampled_from([72, 100, 150]))
def test_bars_filled_as_one_path_give_the_pixels_of_the_per_bar_fill(n, width, spread, seed, dpi):
    """plots.Bars fills its bars as one snapped compound path: the very pixels matplotlib's PolyCollection
    gives, bar by bar, for any bars (dense, sub-pixel, overlapping, zero height), at several resolutions."""
    from agg_reference import agg

    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0, 100, n)) if spread else np.linspace(0, 100, n)
    h = rng.normal(size=n) * (rng.uniform(size=n) > 0.1)
    w = width * 100 / n
    per_bar = []
    real = PolyCollection.draw

    def figure(make):
        fig, ax = plt.subplots(figsize=(4, 2.5))
        make(ax)
        ax.set_xlim(-1, 101)
        ax.set_ylim(-3, 3)
        return fig

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PolyCollection, "draw", lambda self, r: per_bar.append(type(self)) or real(self, r))
        fast = agg(figure(lambda ax: plots.bars(ax, x, h, w, color=plots.COLORS["put"])), dpi)
        assert plots.Bars not in per_bar  # filled as one path, not bar by bar
        reference = agg(figure(lambda ax: ax.add_collection(PolyCollection(
            plots._bar_verts(x, h, w), facecolors=plots.COLORS["put"], edgecolors="none"))), dpi)
        assert PolyCollection in per_bar
    np.testing.assert_array_equal(fast, reference)
    plt.close("all")


def test_bars_that_are_not_one_opaque_colour_are_drawn_bar_by_bar(monkeypatch):
    per_bar = []
    real = PolyCollection.draw
    monkeypatch.setattr(PolyCollection, "draw", lambda self, r: per_bar.append(self) or real(self, r))
    fig, ax = plt.subplots()
    kinds = [plots.bars(ax, [1.0, 2.0], [1.0, 2.0], 0.5, color=["C0", "C1"]),  # a colour per bar
             plots.bars(ax, [1.0, 2.0], [1.0, 2.0], 0.5, color=(0, 0, 1, 0.5))]  # transparent
    kinds.append(plots.bars(ax, [1.0, 2.0], [1.0, 2.0], 0.5, color="C2"))
    kinds[-1].set_edgecolor("k")  # edges
    kinds.append(plots.Bars([[(0, 0), (1, 1), (2, 0)]], facecolors="C3"))  # not set as bars
    ax.add_collection(kinds[-1])
    fig.canvas.draw()
    assert per_bar == kinds
    plt.close(fig)


def test_bars_keep_their_hatch_for_the_legend(calm):
    fig = plots.per_strike(calm)
    handles, labels = fig.axes[1].get_legend().legend_handles, [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    hatch = {lab: h.get_hatch() for h, lab in zip(handles, labels, strict=True) if lab in ("calls", "puts")}
    assert hatch["puts"] == plots.HATCHES["put"] and not hatch["calls"]
