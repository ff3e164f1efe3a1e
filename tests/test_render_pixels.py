"""What :func:`gexlib.course.render.draw` returns is the pixels of its own renderer: no later draw changes them."""

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from agg_reference import agg  # noqa: E402

from gexlib.course import render  # noqa: E402


def _figure():
    fig, ax = plt.subplots(figsize=(3, 2))
    (line,) = ax.plot([0, 1], [0, 1], lw=2)
    return fig, ax, line


def test_a_drawn_array_keeps_its_pixels_through_later_draws():
    fig, ax, line = _figure()
    first = render.draw(fig, 100)
    expected = first.copy()
    line.set_ydata([1, 0])  # another state, drawn through the canvas left on the figure, then saved
    fig.canvas.draw()
    fig.savefig(io.BytesIO(), format="png", dpi=100)
    second = render.draw(fig, 100)
    stage = render.Stage()
    stage.draw(fig, 100)
    assert np.array_equal(first, expected)
    assert not np.array_equal(first, second)  # the state did change: the check can fail
    assert np.array_equal(second, agg(fig, 100))
    line.set_ydata([0, 1])
    assert np.array_equal(first, agg(fig, 100))
    plt.close(fig)


def _shared():
    """Three panels sharing x (lesson 08's figure) and a twin: the Axes whose limits ask for their siblings."""
    from gexlib import datasets, plots

    snap = datasets.load("intraday_0dte")
    fig = plots.time_vol(snap, hours=1.0, iv_shift=0.02)
    twin = fig.axes[1].twinx()
    twin.plot([6000, 6500], [0, 1], color="grey")
    twin.set_ylabel("twin")
    return fig


def test_shared_and_twinned_axes_draw_matplotlibs_pixels():
    # each draw of a figure with a twin lays it out from where the last left it (matplotlib's own canvas
    # too), so the same figure is followed through the same draws by both canvases
    ref, fig = _shared(), _shared()
    first = None
    for step in range(3):
        if step == 2:  # other limits for every sibling: measured again, not taken from the last draw
            for f in (ref, fig):
                f.axes[0].set_xlim(6100, 6400)
        expected, got = agg(ref, 100), render.draw(fig, 100)
        assert np.array_equal(got, expected), step
        if step == 0:
            first = got
        elif step == 2:
            assert not np.array_equal(got, first)
    assert "get_siblings" not in vars(fig.axes[0]._shared_axes["x"])  # nothing left installed after a draw
    assert all("get_window_extent" not in vars(s) for ax in fig.axes for s in ax.spines.values())
    plt.close("all")


def test_bars_set_again_to_the_same_keep_their_paths_and_pixels():
    from gexlib import plots

    fig, ax = plt.subplots(figsize=(3, 2))
    coll = plots.bars(ax, [1.0, 2.0, 3.0], [1.0, -2.0, 0.5], 0.8, color="C0", hatch="//")
    ax.set_xlim(0, 4)
    ax.set_ylim(-3, 2)
    coll.set_bars([1.0, 2.0, 3.0], [1.0, -2.0, 0.5], 0.8)
    paths = coll.get_paths()
    before = agg(fig, 100)
    coll.set_bars([1.0, 2.0, 3.0], [1.0, -2.0, 0.5], 0.8)  # the same bars: kept
    assert coll.get_paths() is paths
    assert np.array_equal(agg(fig, 100), before)
    coll.set_bars([1.0, 2.0, 3.0], [1.0, -2.5, 0.5], 0.8)  # one bar changed: made again
    assert coll.get_paths() is not paths
    changed = agg(fig, 100)
    assert not np.array_equal(changed, before)
    coll.set_verts(plots._bar_verts([1.0, 2.0, 3.0], [1.0, -2.0, 0.5], 0.8))  # replaced behind set_bars' back
    coll.set_bars([1.0, 2.0, 3.0], [1.0, -2.5, 0.5], 0.8)  # equal to the last set_bars, but not what is shown
    assert np.array_equal(agg(fig, 100), changed)
    plt.close(fig)
