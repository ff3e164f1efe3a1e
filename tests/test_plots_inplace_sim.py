"""In-place updates (``into=``) of the simulation and lesson 01/10 figures draw what a fresh build draws.

The contract of every converted function (the dashboards keep one figure and update it on each event):
a figure built for settings B, drawn once and frozen, then updated in place to settings A, must give
the same Agg pixels as a figure built for A with the same frozen axes positions. A figure of another
function (or a notice) is never updated: the call returns a new figure, equal to a fresh build.
"""

import functools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

from gexlib import datasets, evidence, hedging, plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_all():
    yield
    plt.close("all")


def rgba(fig) -> np.ndarray:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def frozen(fig) -> list:
    """Draw ``fig`` once (its layout runs), then freeze its layout; the axes positions."""
    rgba(fig)
    positions = [ax.get_position() for ax in fig.axes]
    fig.set_layout_engine("none")
    return positions


def assert_update_draws_the_build(draw, a, b):
    """``draw(b)`` frozen then updated to ``a`` in place gives the pixels of ``draw(a)`` at those positions."""
    f1 = draw(b)
    positions = frozen(f1)
    f2 = draw(a, into=f1)
    assert f2 is f1
    f3 = draw(a)
    f3.set_layout_engine("none")
    for ax, pos in zip(f3.axes, positions, strict=True):
        ax.set_position(pos)
    assert np.array_equal(rgba(f2), rgba(f3))
    return f2


def assert_foreign_figure_builds_new(draw, a):
    """``into=`` a figure of another function (or a notice) gives a new figure equal to a fresh build."""
    for other in (plots.notice("no figure for these settings"), plots.greek_curves()):
        fig = draw(a, into=other)
        assert fig is not other
        assert np.array_equal(rgba(fig), rgba(draw(a)))


# --- lesson 01 ----------------------------------------------------------------------------

GREEKS = [dict(spot=100.0), dict(spot=95.0, iv=0.3), dict(spot=112.0, days=3.0),
          dict(spot=70.0, iv=0.8, days=365.0), dict(spot=100.5, iv=0.21, days=29.0)]


def payoff(a, **kw):
    return plots.payoff_and_greeks(strike=100.0, **a, **kw)


@pytest.mark.parametrize(("a", "b"), [(GREEKS[1], GREEKS[0]), (GREEKS[2], GREEKS[3]), (GREEKS[3], GREEKS[2]),
                                      (GREEKS[4], GREEKS[0])])
def test_payoff_and_greeks_updates_in_place(a, b):
    fig = assert_update_draws_the_build(payoff, a, b)
    T = a.get("days", 30.0) / 365
    dot = [ln for ln in fig.axes[2].get_lines() if ln.get_marker() == "o"][0]
    assert dot.get_ydata()[0] == pytest.approx(plots.bs.gamma(a["spot"], 100.0, T, a.get("iv", 0.2)), rel=1e-12)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == [f"{a.get('days', 30.0):g} days", "at expiry", f"spot {a['spot']:,.0f}"]


def test_payoff_and_greeks_of_another_kind_or_figure_is_built_anew():
    call = payoff(GREEKS[0])
    put = payoff(dict(GREEKS[1], kind="P"), into=call)
    assert put is not call
    assert np.array_equal(rgba(put), rgba(payoff(dict(GREEKS[1], kind="P"))))
    assert_foreign_figure_builds_new(payoff, GREEKS[1])
    # drawn into given axes: the figure is not the function's own, so it is not recorded for updates
    fig, axes = plt.subplots(1, 3)
    plots.payoff_and_greeks(axes=axes)
    assert not hasattr(fig, plots.LIVE)


# --- lesson 07 ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def scalp(implied=0.20, realised=0.25, every=6, position=1.0):
    return hedging.simulate_gamma_scalp(100.0, 100.0, 10 / 252, implied, realised, 200, 78, every,
                                        position=position, seed=7)


SCALPS = {"base": {}, "calm": dict(realised=0.10), "daily": dict(implied=0.30, every=78),
          "short": dict(position=-1.0), "near": dict(realised=0.26)}


def scalp_fig(name, **kw):
    return plots.scalp_pnl(scalp(**SCALPS[name]), **kw)


@pytest.mark.parametrize(("a", "b"), [("near", "base"), ("calm", "base"), ("base", "daily"), ("short", "base"),
                                      ("base", "short")])
def test_scalp_pnl_updates_in_place(a, b):
    fig = assert_update_draws_the_build(scalp_fig, a, b)
    sim = scalp(**SCALPS[a])
    left, right = fig.axes
    hist = [p for p in left.patches if p.get_label().endswith("hedged")][0]
    edges = np.linspace(*np.percentile(sim.pnl, [0.5, 99.5]), 51)
    np.testing.assert_array_equal(hist.get_data().values, np.histogram(sim.pnl, edges)[0])
    assert [t.get_text() for t in right.get_legend().get_texts()] == [
        f"correlation {sim.approx_correlation:.3f}", "equal"]


def test_scalp_pnl_into_another_figure_is_built_anew():
    assert_foreign_figure_builds_new(scalp_fig, "base")


# --- lesson 02 ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def ticket(sigma=0.20, every=12, keep=20):
    return hedging.simulate_discrete_hedge(100.0, 100.0, 21 / 252, sigma, sigma, 60, 78, every, seed=3,
                                           keep_paths=keep)


TICKETS = {"base": {}, "wild": dict(sigma=0.40), "daily": dict(every=78), "calm": dict(sigma=0.05, every=1),
           "few": dict(keep=5), "near": dict(sigma=0.21)}


def ticket_fig(name, **kw):
    return plots.hedge_paths(ticket(**TICKETS[name]), **kw)


@pytest.mark.parametrize(("a", "b"), [("near", "base"), ("wild", "base"), ("calm", "daily"), ("few", "base"),
                                      ("base", "few")])
def test_hedge_paths_updates_in_place(a, b):
    fig = assert_update_draws_the_build(ticket_fig, a, b)
    (paths,) = [c for c in fig.axes[0].collections if c.get_gid() == plots.PATHS_GID]
    sim = ticket(**TICKETS[a])
    assert len(paths.get_segments()) == min(20, sim.running_pnl.shape[0])
    np.testing.assert_array_equal(paths.get_segments()[-1][:, 1], sim.running_pnl[len(paths.get_segments()) - 1])


def test_hedge_paths_into_another_figure_is_built_anew():
    assert_foreign_figure_builds_new(ticket_fig, "base")
    with pytest.raises(ValueError, match="keep_paths"):  # a simulation without paths is refused, into= or not
        plots.hedge_paths(ticket(keep=0), into=ticket_fig("base"))


# --- lesson 06 ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def tape(gamma=-5e9, depth=20e9, mode="contemporaneous", scale=1.0):
    profile = hedging.linear_profile(100.0, 0.0, 4e9, lo=0.97, hi=1.03) if gamma == "profile" else gamma
    return hedging.simulate_tape(profile, 100.0, depth=depth, sigma_noise=0.15, hedging=mode, scale=scale,
                                 n_paths=40, seed=5)


TAPES = {"short": {}, "long": dict(gamma=5e9), "lagged": dict(gamma=-10e9, depth=40e9, mode="lagged"),
         "none": dict(gamma=0.0), "near": dict(gamma=-6e9), "mixed": dict(gamma="profile"),
         "mixed_flipped": dict(gamma="profile", scale=-1.0)}


def tape_fig(name, **kw):
    return plots.tape_paths(tape(**TAPES[name]), n=12, **kw)


def test_the_tape_cases_cover_one_and_two_kinds_of_path():
    sides = {name: {plots.gamma_side(float(k)) for k in tape(**TAPES[name]).k[:12].mean(axis=1)} for name in TAPES}
    assert sides["short"] == {"short_gamma"} and sides["none"] == {"net"}
    assert sides["mixed"] == sides["mixed_flipped"] == {"short_gamma", "long_gamma"}


@pytest.mark.parametrize(("a", "b"), [("near", "short"), ("long", "short"), ("lagged", "long"), ("none", "short"),
                                      ("mixed_flipped", "mixed")])
def test_tape_paths_update_in_place(a, b):
    fig = assert_update_draws_the_build(tape_fig, a, b)
    sim = tape(**TAPES[a])
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[0] == "no hedging (same news)" and all(x.endswith(f"{sim.hedging} hedging") for x in labels[1:])


def test_tape_paths_of_another_structure_are_built_anew():
    one = tape_fig("short")
    two = tape_fig("mixed", into=one)  # two kinds of path where there was one
    assert two is not one
    assert np.array_equal(rgba(two), rgba(tape_fig("mixed")))
    bare = plots.tape_paths(tape(), n=12, baseline=False, into=one)  # no baseline paths
    assert bare is not one and len(bare.axes[0].collections) == 1
    assert_foreign_figure_builds_new(tape_fig, "long")


@functools.lru_cache(maxsize=None)
def pin(oi=10_000.0, hours=2.0, depth=50e9):
    return hedging.pin_probability(6450.0, oi, hours, depth=depth, n_paths=300, seed=2)


PINS = {"base": {}, "none": dict(oi=0.0), "big": dict(oi=20_000.0, depth=100e9), "long": dict(oi=5000.0, hours=6.5),
        "near": dict(oi=10_500.0)}


def pin_fig(name, **kw):
    return plots.pin_close(pin(**PINS[name]), **kw)


@pytest.mark.parametrize(("a", "b"), [("near", "base"), ("none", "base"), ("base", "none"), ("long", "big")])
def test_pin_close_updates_in_place(a, b):
    fig = assert_update_draws_the_build(pin_fig, a, b)
    res = pin(**PINS[a])
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert f"{res.baseline:.1%}" in labels[0] and f"{res.probability:.1%}" in labels[1]


def test_pin_close_into_another_figure_is_built_anew():
    assert_foreign_figure_builds_new(pin_fig, "base")


# --- lesson 10 ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def tables(horizon=1, q=5, window=20):
    h = datasets.history()
    p = evidence.panel(h["spot"], h["gex_practitioner"], horizon=horizon, window=window)
    return evidence.by_quantile(p, q, draws=50), evidence.controlled_by_quantile(p, q, draws=50), evidence.double_sort(p)


EVIDENCE = {"base": {}, "week": dict(horizon=5), "terciles": dict(q=3), "deciles": dict(q=10, window=60),
            "slow": dict(window=60)}


def gaps(raw, controlled, table):
    """The base tables with what thin data give: a group without a mean, an interval without ends, no bar."""
    raw, controlled, table = raw.copy(), controlled.copy(), table.copy()
    raw.loc["Q2", ["forward_vol", "low", "high"]] = np.nan
    controlled.loc["Q4", "high"] = np.nan
    table.loc[table.index[1], "negative"] = np.nan
    return raw, controlled, table


def evidence_fig(name, **kw):
    if name == "gaps":
        return plots.evidence_panels(*gaps(*tables()), horizon=1, **kw)
    return plots.evidence_panels(*tables(**EVIDENCE[name]), horizon=EVIDENCE[name].get("horizon", 1), **kw)


@pytest.mark.parametrize(("a", "b"), [("slow", "base"), ("week", "base"), ("terciles", "deciles"),
                                      ("deciles", "terciles")])
def test_evidence_panels_update_in_place(a, b):
    fig = assert_update_draws_the_build(evidence_fig, a, b)
    raw, controlled, table = tables(**EVIDENCE[a])
    left, right = fig.axes
    assert [t.get_text() for t in left.get_xticklabels()] == list(raw.index[:-1])
    assert len(right.get_xticks()) == len(table)
    assert left.get_ylim()[0] == 0.0 and left.get_ylim()[1] > 100 * raw["high"].iloc[:-1].max()


@pytest.mark.parametrize(("a", "b"), [("gaps", "base"), ("base", "gaps"), ("gaps", "deciles")])
def test_evidence_panels_with_missing_values_update_in_place(a, b):
    assert_update_draws_the_build(evidence_fig, a, b)


def test_evidence_panels_update_their_own_artists():
    """An update changes the bars, whiskers and legend drawn before; it does not draw new ones."""
    fig = evidence_fig("base")
    left, right = fig.axes
    before = [list(ax.get_children()) for ax in (left, right)], [ax.get_legend() for ax in (left, right)]
    heights = [c.get_paths()[0].vertices[:, 1].max() for c in left.collections]
    assert evidence_fig("slow", into=fig) is fig
    assert ([list(ax.get_children()) for ax in (left, right)], [ax.get_legend() for ax in (left, right)]) == before
    assert [c.get_paths()[0].vertices[:, 1].max() for c in left.collections] != heights


def test_evidence_panels_into_another_figure_is_built_anew():
    assert_foreign_figure_builds_new(evidence_fig, "base")


@pytest.mark.parametrize("name", ["base", "calm", "short"])
def test_zero_lines_widen_the_view_only_when_zero_is_outside_the_data(name):
    """As an axvline drawn after the data does: the P&L histogram's x range is the data's, plus 0 if outside it."""
    sim = scalp(**SCALPS[name])
    left = scalp_fig(name).axes[0]
    fig, ax = plt.subplots()
    edges = np.linspace(*np.percentile(sim.pnl, [0.5, 99.5]), 51)
    ax.stairs(np.histogram(sim.pnl, edges)[0], edges, baseline=0.0)
    ax.axvline(sim.mean)
    lo, hi = ax.get_xlim()
    if not lo <= 0.0 <= hi:
        ax.axvline(0.0)
    assert left.get_xlim() == ax.get_xlim()


def test_legends_are_relabelled_in_place_unless_their_style_changes():
    fig = payoff(GREEKS[0])
    before = fig.axes[0].get_legend()
    assert payoff(GREEKS[2], into=fig) is fig and fig.axes[0].get_legend() is before  # only the texts change
    assert [t.get_text() for t in before.get_texts()] == ["3 days", "at expiry", "spot 112"]
    fig = scalp_fig("base")
    before = fig.axes[0].get_legend()
    scalp_fig("near", into=fig)
    assert fig.axes[0].get_legend() is before
    scalp_fig("short", into=fig)  # the colour of every entry changes: a new legend copies it
    assert fig.axes[0].get_legend() is not before
