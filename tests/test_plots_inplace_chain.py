"""In-place updates of the chain figures (per_strike, profile, heatmap): ``into=`` draws what a new figure draws.

The contract of every figure that updates in place: for arguments A and B, a
figure of B drawn once (layout run) and frozen, then updated to A with
``into=``, is the same figure (no new one) and draws exactly the Agg pixels of a
new figure of A given the same axes positions. The arguments are those the
lesson 03, 04, 05 and 09 dashboards pass: the snapshot after
``whatif.apply(...)`` and the levels they computed from it.
"""

import functools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from handmade import snapshot  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import QuadMesh  # noqa: E402

from gexlib import conventions as cv  # noqa: E402
from gexlib import datasets, gex, plots, whatif  # noqa: E402


@pytest.fixture(autouse=True)
def close_all():
    yield
    plt.close("all")


@functools.cache
def calm():
    return datasets.load("spx_calm.csv")


@functools.cache
def hand():
    """Five strikes 5 apart around spot 100, calls above and puts below, two expiries."""
    rows = [{"strike": k, "type": t, "oi": oi, "iv": 0.2 + 0.002 * abs(k - 100), "days": d}
            for d in (7, 35) for k, t, oi in ((90, "P", 3000), (95, "P", 5000), (100, "C", 2000), (100, "P", 2500),
                                              (105, "C", 6000), (110, "C", 1500))]
    return snapshot(rows, spot=100.0)


CHAINS = {"calm": calm, "hand": hand}


@functools.cache
def chain(name, spot=1.0, iv_shift=0.0, call=1.0, put=1.0, expiries=None):
    """``whatif.apply`` of a chain, ``spot`` as a factor of its own spot (what a dashboard's sliders give)."""
    snap = CHAINS[name]()
    return whatif.apply(snap, iv_shift=iv_shift, call=call, put=put, spot=snap.spot * spot, expiries=expiries)


def lesson03(name, sign=cv.SIGN, **what):
    """The arguments of plots.per_strike in the lesson 03 dashboard's compute."""
    t = chain(name, **what)
    c = dict(gamma="model", time=cv.TIME, r=cv.RATE, q=cv.DIVIDEND, sign=sign)
    return (t,), dict(window=plots.WINDOW, flip=gex.flip_strike(t, **c), **c)


def lesson04(name, sign=cv.SIGN, **what):
    """The arguments of plots.profile in the lesson 04 dashboard's compute."""
    t = chain(name, **what)
    conv = dict(sign=sign, gamma="model", time=cv.TIME, r=cv.RATE, q=cv.DIVIDEND)
    zero = gex.zero_gamma_within(t, plots.WINDOW, sign=sign, time=cv.TIME, r=cv.RATE, q=cv.DIVIDEND)
    return (t,), dict(window=plots.WINDOW, n=plots.LEVELS, zero=zero, flip=gex.flip_strike(t, **conv), **conv)


def lesson09(name, zero, flip, sign=cv.SIGN, gamma=cv.GAMMA, time=cv.TIME, **what):
    """The arguments of plots.profile in the lesson 09 dashboard's compute: levels as floats or None."""
    return (chain(name, **what),), dict(window=plots.WINDOW, zero=zero, flip=flip, sign=sign, gamma=gamma,
                                        time=time, r=cv.RATE, q=cv.DIVIDEND)


def lesson05(name, **what):
    """The arguments of plots.heatmap in the lesson 05 dashboard's compute."""
    t = chain(name, **what)
    conv = dict(sign=cv.SIGN, gamma="model", time=cv.TIME, r=cv.RATE, q=cv.DIVIDEND)
    return (t,), dict(window=plots.HEATMAP_WINDOW, walls=gex.walls(t, **conv), flip=gex.flip_strike(t, **conv),
                      **conv)


def rgba(fig) -> np.ndarray:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def legend_texts(fig):
    return [[t.get_text() for t in ax.get_legend().get_texts()] if ax.get_legend() else None for ax in fig.axes]


def check_contract(F, a, b, inplace=True):
    """Update a frozen figure of ``b`` to ``a``; it must draw the pixels of a new figure of ``a``."""
    (args_a, kw_a), (args_b, kw_b) = a, b
    f1 = F(*args_b, **kw_b)
    before = rgba(f1)  # layout runs
    pos = [ax.get_position() for ax in f1.axes]
    f1.set_layout_engine("none")
    figures = plt.get_fignums()
    f2 = F(*args_a, **kw_a, into=f1)
    assert (f2 is f1) == inplace
    if inplace:
        assert plt.get_fignums() == figures  # nothing new was built
    f3 = F(*args_a, **kw_a)
    if inplace:
        f3.set_layout_engine("none")
        assert len(f3.axes) == len(pos)
        for ax, p in zip(f3.axes, pos, strict=True):
            ax.set_position(p)
    got, want = rgba(f2), rgba(f3)
    assert got.shape == want.shape
    differ = (got != want).any(-1)
    assert not differ.any(), f"{differ.sum()} pixels differ from a new figure"
    assert legend_texts(f2) == legend_texts(f3)
    assert not np.array_equal(before, want)  # A and B draw differently: the comparison means something
    plt.close(f3)
    if f2 is not f1:
        plt.close(f1)
    return f2


# --- per_strike (lesson 03) ---------------------------------------------------------------------------

PER_STRIKE = {
    "iv shift": (dict(iv_shift=0.02), dict()),
    "small spot move, strikes shown change": (dict(spot=1.004), dict()),
    "large spot move": (dict(spot=0.93), dict(spot=1.02)),
    "put OI 0: put bars empty": (dict(put=0.0), dict()),
    "put OI back from 0": (dict(), dict(put=0.0)),
    "call OI scale": (dict(call=2.5, put=0.5), dict()),
    "sign change": (dict(sign="seed"), dict()),
    "sign and spot": (dict(sign="seed", spot=1.03), dict(spot=0.98, iv_shift=-0.03)),
}


@pytest.mark.parametrize("case", list(PER_STRIKE))
def test_per_strike_in_place_draws_a_new_figure(case):
    a, b = PER_STRIKE[case]
    fig = check_contract(plots.per_strike, lesson03("calm", **a), lesson03("calm", **b))
    ax, ax2 = fig.axes
    (t,), kw = lesson03("calm", **a)
    assert ax.get_xlim() == pytest.approx(plots.window_limits(t.spot))
    ps = gex.per_strike_gex(t, sign=kw["sign"], gamma="model")
    shown = ps[ps["strike"].between(*plots.window_limits(t.spot))]
    np.testing.assert_allclose(ax2.get_lines()[0].get_ydata(),
                               np.cumsum(ps["net"].to_numpy())[shown.index.to_numpy()] / 1e9, rtol=1e-12)


def test_per_strike_flip_line_appears_and_disappears():
    args, kw = lesson03("calm")
    assert kw["flip"].value is not None
    without = (args, {**kw, "flip": None})
    fig = check_contract(plots.per_strike, without, (args, kw))
    assert not any(ln.get_label().startswith(plots.LABELS["flip"]) for ln in fig.axes[0].get_lines())
    fig = check_contract(plots.per_strike, (args, kw), without)
    assert any(ln.get_label().startswith(plots.LABELS["flip"]) and ln.get_visible() for ln in fig.axes[0].get_lines())
    # a flip outside the window is not drawn either
    check_contract(plots.per_strike, (args, {**kw, "flip": 2 * args[0].spot}), (args, kw))


def test_per_strike_in_place_on_a_hand_chain():
    check_contract(plots.per_strike, lesson03("hand", spot=1.04, put=0.0), lesson03("hand"))
    check_contract(plots.per_strike, lesson03("hand", spot=0.96, sign="seed"), lesson03("hand", spot=1.04))


# --- profile (lessons 04 and 09) ---------------------------------------------------------------------

PROFILE = {
    "iv shift": (dict(iv_shift=0.03), dict()),
    "spot move": (dict(spot=1.02), dict(spot=0.99)),
    "put OI 0": (dict(put=0.0), dict()),
    "sign change": (dict(sign="seed"), dict(spot=1.01)),
}


@pytest.mark.parametrize("case", list(PROFILE))
def test_profile_in_place_draws_a_new_figure(case):
    a, b = PROFILE[case]
    fig = check_contract(plots.profile, lesson04("calm", **a), lesson04("calm", **b))
    (t,), kw = lesson04("calm", **a)
    net = [ln for ln in fig.axes[0].get_lines() if ln.get_label() == "net"][0]
    np.testing.assert_allclose(net.get_ydata(), gex.gamma_profile(t, net.get_xdata(), sign=kw["sign"]) / 1e9,
                               rtol=1e-12)


def test_profile_levels_that_are_none_or_move():
    # lesson 09 passes plain floats or None; every level line can appear, move and disappear
    spot = calm().spot
    check_contract(plots.profile, lesson09("calm", zero=None, flip=None, sign="seed", spot=1.02),
                   lesson09("calm", zero=spot * 0.99, flip=spot * 1.01))
    check_contract(plots.profile, lesson09("calm", zero=spot * 0.97, flip=spot * 1.05, time="busday262"),
                   lesson09("calm", zero=None, flip=None))
    args, kw = lesson04("calm")
    walls = (args, {**kw, "walls": plots.AUTO})
    check_contract(plots.profile, walls, (args, kw))
    check_contract(plots.profile, (args, kw), walls)


def test_profile_in_place_on_a_hand_chain_and_another_level_count():
    check_contract(plots.profile, lesson04("hand", spot=1.05, put=0.0), lesson04("hand"))
    args, kw = lesson04("hand", iv_shift=0.05)
    check_contract(plots.profile, (args, {**kw, "n": 51}), lesson04("hand"))


def test_profile_with_other_curves_is_drawn_anew():
    args, kw = lesson04("calm")
    check_contract(plots.profile, (args, {**kw, "by_type": False}), (args, kw), inplace=False)


# --- heatmap (lesson 05) -------------------------------------------------------------------------------

HEATMAP = {
    "iv shift: the same cells": (dict(iv_shift=0.02), dict()),
    "spot move: other strikes": (dict(spot=1.01), dict()),
    "expiries: other rows": (dict(expiries="up to 7 days"), dict(spot=0.99)),
    "fewer rows and strikes back": (dict(), dict(expiries="monthly and quarterly", spot=1.02)),
    "put OI 0": (dict(put=0.0), dict()),
}


@pytest.mark.parametrize("case", list(HEATMAP))
def test_heatmap_in_place_draws_a_new_figure(case):
    a, b = HEATMAP[case]
    fig = check_contract(plots.heatmap, lesson05("calm", **a), lesson05("calm", **b))
    (mesh,) = [c for c in fig.axes[0].collections if isinstance(c, QuadMesh)]
    assert fig.axes[1].get_ylim() == pytest.approx((mesh.norm.vmin, mesh.norm.vmax))  # the colour bar follows


def test_heatmap_same_cells_keep_their_mesh_and_other_cells_get_one():
    fig = plots.heatmap(*lesson05("calm")[0], **lesson05("calm")[1])
    (mesh,) = [c for c in fig.axes[0].collections if isinstance(c, QuadMesh)]
    args, kw = lesson05("calm", iv_shift=0.01)
    assert plots.heatmap(*args, **kw, into=fig) is fig
    assert [c for c in fig.axes[0].collections if isinstance(c, QuadMesh)] == [mesh]
    args, kw = lesson05("calm", spot=1.02)
    assert plots.heatmap(*args, **kw, into=fig) is fig
    (other,) = [c for c in fig.axes[0].collections if isinstance(c, QuadMesh)]
    assert other is not mesh and other.colorbar is fig.gexlib_live["colorbar"]
    assert len(fig.axes) == 2  # still one colour bar


def test_heatmap_levels_that_are_none():
    args, kw = lesson05("calm")
    check_contract(plots.heatmap, (args, {**kw, "walls": None, "flip": None}), (args, kw))
    check_contract(plots.heatmap, (args, kw), (args, {**kw, "walls": None, "flip": None}))


def test_heatmap_in_place_on_a_hand_chain():
    args, kw = lesson05("hand", spot=1.02)
    check_contract(plots.heatmap, (args, {**kw, "window": 0.12}), (args, {**kw, "window": 0.06}))


def test_heatmap_empty_window_is_drawn_anew_and_updated_while_empty():
    args, kw = lesson05("calm")
    empty = ((whatif.filter_expiries(args[0], max_days=-1),), {**kw, "walls": None, "flip": None})
    check_contract(plots.heatmap, empty, (args, kw), inplace=False)
    check_contract(plots.heatmap, (args, kw), empty, inplace=False)
    moved = ((whatif.move_spot(empty[0][0], args[0].spot * 1.01),), empty[1])
    fig = check_contract(plots.heatmap, moved, empty)
    assert "no exposure" in fig.axes[0].texts[0].get_text()


# --- into a figure that is not the function's own ------------------------------------------------------


def test_into_a_figure_of_another_kind_gives_a_new_figure():
    (t,), kw3 = lesson03("calm", spot=1.01)
    _, kw4 = lesson04("calm", spot=1.01)
    _, kw5 = lesson05("calm", spot=1.01)
    calls = {plots.per_strike: kw3, plots.profile: kw4, plots.heatmap: kw5}
    for F, kw in calls.items():
        others = [G(t, **kw_g) for G, kw_g in calls.items() if G is not F]
        others += [plots.notice("refused"), plots.dealer_gamma(t), plt.figure()]
        for i, other in enumerate(others):
            axes = list(other.axes)
            fig = F(t, **kw, into=other)
            assert fig is not other and other.axes == axes
            assert fig.gexlib_live["kind"] == F.__name__
            if i == 0:  # built as without into: the same pixels
                fresh = F(t, **kw)
                assert np.array_equal(rgba(fig), rgba(fresh))
                plt.close(fresh)
            plt.close(fig)
            plt.close(other)


def test_into_a_cleared_figure_or_with_ax_builds_anew():
    args, kw = lesson03("calm")
    fig = plots.per_strike(*args, **kw)
    fig.clf()
    assert plots.per_strike(*args, **kw, into=fig) is not fig
    fig = plots.profile(*args)
    other, ax = plt.subplots()
    assert plots.profile(*args, ax=ax, into=fig) is other
    assert fig.gexlib_live["kind"] == "profile" and not hasattr(other, "gexlib_live")  # a panel is not reusable


def test_panels_of_other_figures_are_not_reusable():
    args, _ = lesson03("calm")
    assert not hasattr(plots.dealer_gamma(*args), "gexlib_live")


def test_mark_moves_and_hides_a_line():
    fig, ax = plt.subplots()
    assert plots.mark(ax, "flip", None) is None and plots.mark(ax, "flip", 5.0, xlim=(0, 1)) is None
    line = plots.mark(ax, "flip", None, keep=True)
    assert not line.get_visible() and line.get_label().startswith("_")
    assert plots.mark(ax, "flip", 3.0, line=line) is line
    assert line.get_visible() and line.get_label() == "flip (cumulative) 3" and list(line.get_xdata()) == [3.0, 3.0]
    plots.mark(ax, "flip", 3.0, xlim=(4.0, 6.0), line=line)
    assert not line.get_visible() and ax.get_legend_handles_labels() == ([], [])


def test_bars_set_bars_replaces_the_bars():
    fig, ax = plt.subplots()
    coll = plots.bars(ax, [1.0, 2.0], [3.0, -1.0], 0.5, color="k")
    coll.set_bars([1.0, 2.0, 4.0], [1.0, 2.0, -2.0], 0.2)
    verts = [p.vertices[:4] for p in coll.get_paths()]
    assert len(verts) == 3
    np.testing.assert_allclose(verts[2], [[3.9, 0], [3.9, -2], [4.1, -2], [4.1, 0]])
    fresh = plots.bars(ax, [1.0, 2.0, 4.0], [1.0, 2.0, -2.0], 0.2, color="k")
    for p, q in zip(coll.get_paths(), fresh.get_paths(), strict=True):
        np.testing.assert_array_equal(p.vertices, q.vertices)
        np.testing.assert_array_equal(p.codes, q.codes)
