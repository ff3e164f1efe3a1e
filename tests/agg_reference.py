"""matplotlib's own Agg canvas: the reference the faster canvas and the kept pixels are compared with."""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg


def agg(fig, dpi=100):
    """``fig`` drawn by matplotlib's ``FigureCanvasAgg`` at ``dpi``: an RGBA array of its own."""
    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()
