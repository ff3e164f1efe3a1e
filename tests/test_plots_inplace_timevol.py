"""In-place updates of plots.time_vol and plots.greek_flows (the contract of INPLACE figures).

For arguments A and B: the figure of B, drawn once and its layout frozen, updated in place
with A (``into=``) draws the same pixels as a fresh figure of A placed at the same positions.
"""

from __future__ import annotations

import functools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

from gexlib import datasets, gex, plots, whatif  # noqa: E402


@pytest.fixture(scope="module")
def intraday():
    return datasets.load("intraday_0dte")


@pytest.fixture(scope="module")
def calm():
    return datasets.load("calm")


def _rgba(fig) -> np.ndarray:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def _frozen(fig):
    """Draw once (layout runs), then freeze: the axes positions, and no layout engine."""
    _rgba(fig)
    pos = [ax.get_position() for ax in fig.axes]
    fig.set_layout_engine("none")
    return pos


def _placed(fig, pos):
    fig.set_layout_engine("none")
    for ax, p in zip(fig.axes, pos, strict=True):
        ax.set_position(p)
    return fig


def assert_in_place(build, a, b):
    """``build(**b)`` updated with ``a`` is that figure and draws as ``build(**a)`` at the same positions."""
    f1 = build(**b)
    pos = _frozen(f1)
    f2 = build(**a, into=f1)
    assert f2 is f1
    f3 = _placed(build(**a), pos)
    pixels, fresh = _rgba(f2), _rgba(f3)
    assert pixels.shape == fresh.shape
    assert np.array_equal(pixels, fresh), f"{int((pixels != fresh).any(-1).sum())} pixels differ"
    plt.close(f1)
    plt.close(f3)


# --- time_vol -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _event(hours: float, iv_shift: float):
    """What the lesson 08 dashboard computes for one setting (the figure's inputs)."""
    snap = datasets.load("intraday_0dte")
    aged = whatif.advance_time(snap, hours)
    t = whatif.shift_iv(aged, iv_shift)
    return {"hours": hours, "iv_shift": iv_shift, "chain": t, "charm": gex.charm_flow(snap, hours),
            "vanna": gex.vanna_flow(aged, iv_shift), "zero": gex.zero_gamma_within(t),
            "flip": gex.flip_strike(t), "walls": gex.walls(t)}


def _time_vol(snap):
    return lambda into=None, **kw: plots.time_vol(snap, into=into, **kw)


@pytest.mark.parametrize("a, b", [
    ((0.25, 0.01), (0.0, 0.0)),     # a small step
    ((5.25, -0.05), (0.0, 0.0)),    # to the close, IVs down: contracts settle, the curves and flows change scale
    ((0.0, 0.0), (4.0, 0.05)),      # back
])
def test_time_vol_in_place_draws_as_a_fresh_figure(intraday, a, b):
    assert_in_place(_time_vol(intraday), _event(*a), _event(*b))


def test_time_vol_in_place_when_level_lines_appear_and_disappear(intraday):
    ev = _event(1.0, 0.02)
    gone = {**ev, "zero": None, "walls": {"call_wall": ev["walls"]["call_wall"], "put_wall": None}}
    outside = {**ev, "flip": 2.0 * float(intraday.spot)}  # beyond the window: no line
    build = _time_vol(intraday)
    assert_in_place(build, gone, ev)     # lines disappear
    assert_in_place(build, ev, gone)     # and come back
    assert_in_place(build, outside, ev)
    f = build(**gone)
    labels = [t.get_text() for t in f.axes[0].get_legend().get_texts()]
    assert not any(x.startswith(("zero gamma", "put wall")) for x in labels)
    f = build(**ev, into=f)
    labels = [t.get_text() for t in f.axes[0].get_legend().get_texts()]
    assert any(x.startswith("zero gamma") for x in labels) and any(x.startswith("put wall") for x in labels)
    plt.close(f)


def test_time_vol_in_place_with_levels_computed(intraday):
    """Levels left AUTO (computed from the chain) update as they build."""
    build = _time_vol(intraday)
    a = {k: v for k, v in _event(2.0, -0.01).items() if k not in ("zero", "flip", "walls")}
    b = {k: v for k, v in _event(0.0, 0.0).items() if k not in ("zero", "flip", "walls")}
    assert_in_place(build, a, b)


def test_time_vol_into_another_figure_builds_anew(intraday, calm):
    ev = _event(0.5, 0.01)
    for other in (plots.profile(calm, zero=None, flip=None), plots.greek_flows(ev["charm"], ev["vanna"], intraday.spot),
                  plt.figure()):
        got = plots.time_vol(intraday, **ev, into=other)
        assert got is not other
        # each compared at its first draw: constrained layout drawn a second time places the axes a little apart
        assert np.array_equal(_rgba(got), _rgba(plots.time_vol(intraday, **ev)))
        plt.close(got)
        plt.close(other)
    # another structure (no charm panel bars): a new figure too
    f1 = plots.time_vol(intraday, **ev)
    no_charm = {**ev, "charm": None}
    got = plots.time_vol(intraday, **no_charm, into=f1)
    assert got is not f1 and not collections(got.axes[1])
    assert np.array_equal(_rgba(got), _rgba(plots.time_vol(intraday, **no_charm)))
    plt.close("all")


def collections(ax):
    return [c for c in ax.collections if isinstance(c, plots.Bars)]


def test_time_vol_in_place_shows_the_new_numbers(intraday):
    b, a = _event(0.0, 0.0), _event(5.25, -0.02)
    fig = plots.time_vol(intraday, **b)
    assert plots.time_vol(intraday, **a, into=fig) is fig
    top, middle, bottom = fig.axes
    net = [ln for ln in top.get_lines() if ln.get_label() == "net"][0]
    np.testing.assert_allclose(net.get_ydata(), gex.gamma_profile(a["chain"], net.get_xdata()) / 1e9, rtol=1e-12)
    for ax, name in ((middle, "charm"), (bottom, "vanna")):
        (bars,) = collections(ax)
        assert plots.bn(float(a[name]["dollars"].iloc[-1])) in bars.get_label()
        assert bars.get_label() in [t.get_text() for t in ax.get_legend().get_texts()]
        assert ax.get_legend() is not None and len(ax.get_legend().get_texts()) == 2
    spots = [ln for ln in top.get_lines() if ln.get_label().startswith("spot")]
    assert len(spots) == 1  # the level lines were replaced, not added
    plt.close(fig)


def test_time_vol_chain_keyword_draws_the_same(intraday):
    ev = _event(3.0, -0.02)
    given = plots.time_vol(intraday, **ev)
    rest = {k: v for k, v in ev.items() if k != "chain"}
    computed = plots.time_vol(intraday, **rest)
    assert np.array_equal(_rgba(given), _rgba(computed))
    with pytest.raises(ValueError, match="hours"):
        plots.time_vol(intraday, **{**ev, "hours": 1.0})
    plt.close("all")


def test_time_vol_figure_records_what_it_updates(intraday):
    fig = plots.time_vol(intraday, **_event(0.0, 0.0))
    live = fig.gexlib_live
    assert live["top"]["ax"] is fig.axes[0]
    assert [f["ax"] for f in live["flows"]] == fig.axes[1:]
    assert not any(isinstance(v, np.ndarray) for v in live.values())
    plt.close(fig)


# --- greek_flows --------------------------------------------------------------------------


def _flows(snap, charm_hours, vanna_shift):
    return {"charm": None if charm_hours is None else gex.charm_flow(snap, charm_hours),
            "vanna": None if vanna_shift is None else gex.vanna_flow(snap, vanna_shift), "spot": float(snap.spot)}


def _greek_flows(into=None, **kw):
    return plots.greek_flows(kw["charm"], kw["vanna"], kw["spot"], into=into)


@pytest.mark.parametrize("a, b", [((24.0, 0.01), (1.0, -0.01)), ((1.0, 0.05), (24.0, 0.01)), ((None, 0.02), (None, -0.03))])
def test_greek_flows_in_place_draws_as_a_fresh_figure(calm, a, b):
    assert_in_place(_greek_flows, _flows(calm, *a), _flows(calm, *b))


def test_greek_flows_in_place_when_spot_moves(calm):
    moved = whatif.move_spot(calm, float(calm.spot) * 1.03)  # other strikes in the window, spot elsewhere
    a = {"charm": gex.charm_flow(moved, 24.0), "vanna": gex.vanna_flow(moved, 0.01), "spot": float(moved.spot)}
    assert_in_place(_greek_flows, a, _flows(calm, 24.0, 0.01))


def test_greek_flows_with_other_tables_builds_anew(calm):
    f1 = _greek_flows(**_flows(calm, 24.0, 0.01))
    only = _flows(calm, 24.0, None)
    got = _greek_flows(**only, into=f1)
    assert got is not f1
    assert np.array_equal(_rgba(got), _rgba(_greek_flows(**only)))
    assert _greek_flows(**only, into=plt.figure()) is not None
    plt.close("all")
