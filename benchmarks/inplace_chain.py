"""New figure against in-place update for the chain figures (``python -m benchmarks.inplace_chain``).

For :func:`gexlib.plots.per_strike` (lesson 03), :func:`gexlib.plots.profile`
(lessons 04 and 09) and :func:`gexlib.plots.heatmap` (lesson 05) on
``data/spx_calm.csv``, with the arguments the dashboards pass (the snapshot after
``whatif.apply`` and the levels computed from it, all prepared before timing), a
sequence of slider-like events (spot moves, IV shifts, OI scales) is drawn twice:
each event as a new figure, and each event as an update (``into=``) of one
figure. Printed, median ms per event: the numbers the plot function computes
from the snapshot itself (per-strike GEX, the profile curves, the strike × expiry
matrix; the same in both paths), the plot call building a new figure, the plot
call updating in place (both include those numbers), the Agg draw of
the new figure (constrained layout) and of the updated figure with layout engine
``"none"`` (positions frozen after its first draw, as a dashboard does), the
latter also with the dashboards' canvas :class:`gexlib.course.render.Canvas`. Not
a test: it prints figures.
"""

from __future__ import annotations

import statistics
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

from gexlib import conventions as cv  # noqa: E402
from gexlib import datasets, gex, plots, whatif  # noqa: E402
from gexlib.course import render  # noqa: E402

#: Slider-like events: (spot factor, IV shift, call OI scale, put OI scale).
EVENTS = [(1.0, 0.0, 1.0, 1.0), (1.002, 0.0, 1.0, 1.0), (0.997, 0.0, 1.0, 1.0), (1.0, 0.01, 1.0, 1.0),
          (1.0, -0.02, 1.0, 1.0), (1.0, 0.0, 1.5, 1.0), (1.0, 0.0, 1.0, 0.0), (1.004, 0.0, 1.0, 1.0)]
REPEAT = 3


def _arguments(snap):
    """Per figure, the (args, kwargs) of each event, as the lesson 03 / 04 / 05 dashboards compute them."""
    conv = dict(sign=cv.SIGN, gamma="model", time=cv.TIME, r=cv.RATE, q=cv.DIVIDEND)
    out = {"per_strike": [], "profile": [], "heatmap": []}
    for spot, iv_shift, call, put in EVENTS:
        t = whatif.apply(snap, iv_shift=iv_shift, call=call, put=put, spot=snap.spot * spot)
        flip = gex.flip_strike(t, **conv)
        zero = gex.zero_gamma_within(t, plots.WINDOW, sign=cv.SIGN, time=cv.TIME, r=cv.RATE, q=cv.DIVIDEND)
        out["per_strike"].append(((t,), dict(window=plots.WINDOW, flip=flip, **conv)))
        out["profile"].append(((t,), dict(window=plots.WINDOW, n=plots.LEVELS, zero=zero, flip=flip, **conv)))
        out["heatmap"].append(((t,), dict(window=plots.HEATMAP_WINDOW, walls=gex.walls(t, **conv), flip=flip,
                                          **conv)))
    return out


def _numbers(name: str, args, kw) -> None:
    """What the plot function computes from the snapshot, whichever path it takes."""
    (t,) = args
    conv = {k: kw[k] for k in ("sign", "time", "r", "q")}
    if name == "per_strike":
        gex.per_strike_gex(t, gamma=kw["gamma"], **conv)
    elif name == "profile":
        gex.gamma_profile(t, plots.profile_levels(t.spot, kw["window"], kw["n"]), by_type=True, **conv)
    else:
        gex.gex_matrix(t, gamma=kw["gamma"], **conv)


def _ms(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return (time.perf_counter() - start) * 1e3, out


def measure(name: str, calls) -> dict:
    """Median ms per event of: a new figure, an in-place update, and the Agg draw of each."""
    F = getattr(plots, name)
    numbers, build, update, draw_new, draw_updated, draw_fast = [], [], [], [], [], []
    live = F(*calls[0][0], **calls[0][1])
    FigureCanvasAgg(live).draw()  # the layout runs once, then stays
    live.set_layout_engine("none")
    for _ in range(REPEAT):
        for args, kw in calls:
            numbers.append(_ms(lambda: _numbers(name, args, kw))[0])  # noqa: B023
            t, fig = _ms(lambda: F(*args, **kw))  # noqa: B023
            build.append(t)
            draw_new.append(_ms(lambda: FigureCanvasAgg(fig).draw())[0])  # noqa: B023
            plt.close(fig)
            t, out = _ms(lambda: F(*args, **kw, into=live))  # noqa: B023
            assert out is live
            update.append(t)
            draw_updated.append(_ms(lambda: FigureCanvasAgg(live).draw())[0])
            draw_fast.append(_ms(lambda: render.Canvas(live).draw())[0])
    return {k: statistics.median(v) for k, v in
            (("numbers", numbers), ("build", build), ("update", update), ("draw_new", draw_new), ("draw_updated", draw_updated), ("draw_fast", draw_fast))}


def main() -> None:
    calls = _arguments(datasets.load("spx_calm.csv"))
    print(f"chain figures on spx_calm.csv: median ms per event over {len(EVENTS)} events x {REPEAT}")
    print(f"{'figure':12s} {'numbers':>8s} {'new figure':>10s} {'in place':>9s} {'saved':>6s} {'draw new':>9s} "
          f"{'draw updated':>13s} {'with render.Canvas':>19s}")
    for name in calls:
        m = measure(name, calls[name])
        print(f"{name:12s} {m['numbers']:8.1f} {m['build']:10.1f} {m['update']:9.1f} {m['build'] - m['update']:6.1f} "
              f"{m['draw_new']:9.1f} {m['draw_updated']:13.1f} {m['draw_fast']:19.1f}")
    print("(draw new: Agg with constrained layout; draw updated: layout engine 'none', positions frozen)")


if __name__ == "__main__":
    main()
