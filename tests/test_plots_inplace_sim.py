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
