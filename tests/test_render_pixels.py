"""What :func:`gexlib.course.render.draw` returns is the pixels of its own renderer: no later draw changes them."""

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

from gexlib.course import render  # noqa: E402


def _figure():
    fig, ax = plt.subplots(figsize=(3, 2))
    (line,) = ax.plot([0, 1], [0, 1], lw=2)
    return fig, ax, line


def _agg(fig, dpi):
    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


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
    assert np.array_equal(second, _agg(fig, 100))
    line.set_ydata([0, 1])
    assert np.array_equal(first, _agg(fig, 100))
    plt.close(fig)
