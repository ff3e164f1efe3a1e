"""An Axes that nothing changed since its last draw gets the pixels of that draw back; what it shows is matplotlib's.

:class:`gexlib.course.render.Canvas` puts back an Axes' pixels when matplotlib has not
marked it changed (``stale``) since it was drawn, it sits where it did on a canvas of the
same size, and the pixels under it are what they were. A dashboard whose figure nothing
changed does not draw it at all. Every check compares with matplotlib's own Agg canvas.
"""

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from agg_reference import agg  # noqa: E402
from PIL import Image  # noqa: E402

from gexlib import datasets  # noqa: E402
from gexlib.course import render, widgets  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def two_panels():
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(5, 4), sharex=True, layout="constrained")
    (moving,) = top.plot([0, 1, 2], [0, 1, 0], label="moving")
    (still,) = bottom.plot([0, 1, 2], [-1, 0, 3], label="still")
    bottom.legend(loc="upper left")
    bottom.set_ylabel("still")
    return fig, moving, still


def _drawn(ax):
    """Counts the draws of ``ax`` that ran (not put back) from now on."""
    calls = []
    real = type(ax).draw

    def counting(self, renderer):
        calls.append(1)
        return real(self, renderer)

    return calls, counting


def test_an_unchanged_axes_is_put_back_and_a_changed_one_drawn(monkeypatch):
    fig, moving, still = two_panels()
    stage = render.Stage()
    top, bottom = fig.axes
    drawn = []
    real = type(bottom).draw

    def counting(self, renderer):
        drawn.append(self)
        return real(self, renderer)

    monkeypatch.setattr(type(bottom), "draw", counting)
    runs = []
    for k in range(5):  # only the top panel changes
        moving.set_ydata([0, 1 + k, 0])
        del drawn[:]
        got = stage.draw(fig, 100)
        runs.append((drawn.count(top), drawn.count(bottom)))
        assert np.array_equal(got, agg(fig))
    # the top panel is drawn every time; the bottom one is drawn while its state is new, then kept, then put back
    assert [t for t, _ in runs] == [1] * 5
    assert runs[-1][1] == runs[-2][1] == 0 and runs[0][1] == 1
    assert "draw" not in vars(bottom)  # nothing of the canvas stays on the Axes
    still.set_ydata([-1, 2, 3])  # the bottom panel changed: drawn again
    del drawn[:]
    assert np.array_equal(stage.draw(fig, 100), agg(fig))
    assert drawn.count(bottom) == 2  # by the stage, then by matplotlib's canvas


def test_limits_set_through_a_shared_axis_are_a_change():
    fig, moving, still = two_panels()
    stage = render.Stage()
    for _ in range(3):
        stage.draw(fig, 100)
    fig.axes[0].set_xlim(0.5, 1.5)  # shared with the bottom panel, which shows another range
    assert np.array_equal(stage.draw(fig, 100), agg(fig))


def test_other_pixels_under_an_unchanged_axes_are_drawn_over_again():
    fig, moving, still = two_panels()
    stage = render.Stage()
    for _ in range(3):
        stage.draw(fig, 100)
    # a figure-level patch behind both panels: not part of the bottom panel, but under it
    fig.patches.append(matplotlib.patches.Rectangle((0, 0), 1, 0.45, transform=fig.transFigure, color="0.9",
                                                    zorder=-1, figure=fig))
    assert np.array_equal(stage.draw(fig, 100), agg(fig))


def test_a_change_of_rcparams_draws_every_axes_again():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([-2, 2], [-3, 1])
    for _ in range(3):
        first = render.draw(fig, 100)
    with matplotlib.rc_context({"axes.unicode_minus": False}):  # tick labels read it as they are drawn
        second = render.draw(fig, 100)
        assert np.array_equal(second, agg(fig))
    assert not np.array_equal(first, second)  # the check can fail: the tick labels did change


def aligned_pair():
    """Two panels, one above the other, whose y labels are aligned (``Figure.align_ylabels``): each label is
    placed from both panels' tick labels."""
    fig, (upper, lower) = plt.subplots(2, 1, figsize=(4, 5))  # one column: fig.align_ylabels aligns them
    fig.subplots_adjust(left=0.4)  # room for the labels to move into
    (a,) = upper.plot([0, 1], [0, 1])
    (b,) = lower.plot([0, 1], [0, 1])
    upper.set_ylabel("upper")
    lower.set_ylabel("lower")
    upper.set_ylim(0, 1)
    fig.align_ylabels()
    return fig, a, b


def test_an_axes_whose_labels_align_with_a_changed_one_is_drawn_again():
    fig, a, b = aligned_pair()
    for _ in range(3):
        render.draw(fig, 100)
    b.set_ydata([0, 1e5])  # the lower panel's tick labels widen: the upper panel's label moves with them
    fig.axes[1].relim()
    fig.axes[1].autoscale_view()
    assert not fig.axes[0].stale
    assert np.array_equal(render.draw(fig, 100), agg(fig))


# --- the lesson dashboards --------------------------------------------------------------------


@pytest.fixture(scope="module")
def chains():
    return {"calm": datasets.load("spx_calm.csv"), "intraday": datasets.load("spx_intraday_0dte.csv")}


# per dashboard: its build and the control moves (name, value) walked; each readout-only or
# one-panel move is repeated, so that an unchanged Axes is kept, then put back
BOARDS = {
    "time_vol": (lambda c: widgets.time_vol_dashboard(c["intraday"]),
                 [("iv_shift", 0.01), ("iv_shift", 0.02), ("iv_shift", -0.01), ("iv_shift", 0.03),
                  ("hours", "next"), ("iv_shift", 0.0), ("iv_shift", 0.02)]),
    "hedge_ticket": (lambda c: widgets.hedge_ticket_dashboard(),
                     [("position", -50), ("move", 2.0), ("position", 60), ("interval", "1 day"), ("move", -1.0)]),
    "dealer_gamma": (lambda c: widgets.dealer_gamma_dashboard(c["calm"]),
                     [("put_oi", 1.2), ("spot", "up"), ("put_oi", 1.3), ("sign", "seed")]),
    "heatmap": (lambda c: widgets.heatmap_dashboard(c["calm"]), [("spot", "up"), ("spot", "down"), ("iv_shift", 0.02)]),
    "evidence": (lambda c: widgets.evidence_dashboard(), [("horizon", 5), ("horizon", 10), ("horizon", 5)]),
    "greeks": (lambda c: widgets.greeks_dashboard(), [("spot", "up"), ("iv", 0.25), ("days", 10.0)]),
    "flip": (lambda c: widgets.flip_dashboard(c["calm"]), [("spot", "up"), ("put_oi", 1.4)]),
    "tape": (lambda c: widgets.tape_dashboard(), [("noise", "next"), ("hedging", "next")]),
    "pin": (lambda c: widgets.pin_dashboard(6450.0), [("hours", 1.0), ("oi", 20_000.0)]),
    "scalping": (lambda c: widgets.scalping_dashboard(), [("side", "short"), ("interval", "1 day"),
                                                          ("realised", 0.3)]),
    "conventions": (lambda c: widgets.conventions_dashboard(c["calm"]),
                    [("level", "cumulative"), ("crossing", "first"), ("sign", "seed"), ("level", "zero_gamma")]),
}


def _value(dash, name, move):
    control = dash.controls[name]
    if move == "next":
        if not hasattr(control, "options"):  # a slider: one step up
            return min(control.value + control.step, control.max)
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return options[options.index(control.value) + 1]
    if move in ("up", "down"):
        return control.value * (1.002 if move == "up" else 0.997)
    return move


def _shown(dash) -> np.ndarray:
    """The pixels of the image the dashboard shows (its PNG, decoded)."""
    return np.asarray(Image.open(io.BytesIO(dash.image)).convert("RGBA"))


@pytest.mark.parametrize("name", sorted(BOARDS))
def test_each_event_of_a_dashboard_shows_matplotlibs_pixels(chains, name):
    build, moves = BOARDS[name]
    dash = build(chains)
    drawn = []
    real = dash.stage.draw

    def keeping(fig, dpi):
        rgba = real(fig, dpi)
        drawn.append(rgba.copy())
        return rgba

    dash.stage.draw = keeping
    for control, move in moves:
        before = len(drawn)
        dash.controls[control].value = _value(dash, control, move)
        expected = agg(dash.figure_object, widgets.DPI)
        if len(drawn) > before:
            assert np.array_equal(drawn[-1], expected), (control, move)
        else:  # not drawn: nothing in the figure changed since it was drawn
            assert not dash.figure_object.stale
        assert np.array_equal(_shown(dash), expected), (control, move)  # the image shown is that figure


def test_a_readout_only_move_draws_nothing_and_keeps_the_image():
    dash = widgets.hedge_ticket_dashboard()  # position and move change the readout, not the figure
    dash.update()
    image, readout = dash.image, dash.readout.value
    drawn = []
    real = dash.stage.draw
    dash.stage.draw = lambda fig, dpi: drawn.append(fig) or real(fig, dpi)
    dash.controls["position"].value = 250
    assert not drawn and dash.image is image and dash.readout.value != readout
    dash.controls["interval"].value = "1 day"  # other paths: drawn
    assert len(drawn) == 1 and dash.image != image
