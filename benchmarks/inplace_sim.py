"""Build against in-place update of the simulation, lesson 01 and lesson 10 dashboard figures.

``python -m benchmarks.inplace_sim``. For each figure a dashboard redraws on every event
(:func:`gexlib.plots.payoff_and_greeks`, :func:`~gexlib.plots.scalp_pnl`,
:func:`~gexlib.plots.hedge_paths`, :func:`~gexlib.plots.tape_paths`,
:func:`~gexlib.plots.pin_close`, :func:`~gexlib.plots.evidence_panels`), on the dashboards'
own simulation sizes, alternating between two settings: the median milliseconds of a fresh
build, of an in-place update (``into=``) of a figure whose layout was frozen after its
first draw, and of the Agg draw of that updated figure (layout engine ``"none"``). The
simulations are computed before timing: only the figure is measured. Not a test: it prints figures.
"""

from __future__ import annotations

import statistics
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

from gexlib import evidence, hedging, plots  # noqa: E402
from gexlib.course import widgets  # noqa: E402

REPEAT = 15


def _settings():
    """Per function: (draw(setting, into=None) -> Figure, [two settings a dashboard moves between])."""
    scalp = [hedging.simulate_gamma_scalp(100.0, 100.0, widgets.SCALP_DAYS / hedging.TRADING_DAYS, 0.20, realised,
                                          widgets.SCALP_PATHS, hedging.STEPS_PER_DAY, 6, seed=widgets.SCALP_SEED)
             for realised in (0.25, 0.26)]
    ticket = [hedging.simulate_discrete_hedge(100.0, 100.0, widgets.TICKET_HORIZON, iv, iv, widgets.TICKET_PATHS,
                                              hedging.STEPS_PER_DAY, 12, seed=widgets.TICKET_SEED,
                                              keep_paths=widgets.TICKET_KEEP) for iv in (0.20, 0.21)]
    tape = [hedging.simulate_tape(g, 100.0, depth=20e9, sigma_noise=0.15, n_paths=widgets.TAPE_PATHS,
                                  seed=widgets.TAPE_SEED) for g in (-5e9, -6e9)]
    pin = [hedging.pin_probability(6450.0, oi, 2.0, depth=50e9, n_paths=widgets.PIN_PATHS, seed=widgets.PIN_SEED)
           for oi in (10_000, 10_500)]
    price, gex_series, _ = widgets.evidence_series()
    p = evidence.panel(price, gex_series)
    ev = [(evidence.by_quantile(p, q), evidence.controlled_by_quantile(p, q), evidence.double_sort(p)) for q in (5, 6)]
    return {
        "payoff_and_greeks": (lambda s, into=None: plots.payoff_and_greeks(spot=s, into=into), [100.0, 100.5]),
        "scalp_pnl": (lambda s, into=None: plots.scalp_pnl(s, into=into), scalp),
        "hedge_paths": (lambda s, into=None: plots.hedge_paths(s, into=into), ticket),
        "tape_paths": (lambda s, into=None: plots.tape_paths(s, n=widgets.TAPE_SHOWN, into=into), tape),
        "pin_close": (lambda s, into=None: plots.pin_close(s, into=into), pin),
        "evidence_panels": (lambda s, into=None: plots.evidence_panels(*s, into=into), ev),
    }


def measure(draw, settings, repeat: int = REPEAT) -> dict:
    """Median ms of a build, an in-place update and the Agg draw of the updated figure."""
    fig = draw(settings[0])
    FigureCanvasAgg(fig).draw()
    fig.set_layout_engine("none")
    build, update, render = [], [], []
    for i in range(repeat):
        s = settings[(i + 1) % len(settings)]
        t = time.perf_counter()
        plt.close(draw(s))
        build.append(1000.0 * (time.perf_counter() - t))
        t = time.perf_counter()
        out = draw(s, into=fig)
        update.append(1000.0 * (time.perf_counter() - t))
        if out is not fig:
            raise RuntimeError("the update built a new figure")
        t = time.perf_counter()
        FigureCanvasAgg(fig).draw()
        render.append(1000.0 * (time.perf_counter() - t))
    plt.close(fig)
    return {k: statistics.median(v) for k, v in (("build", build), ("update", update), ("draw", render))}


def main():
    print(f"{'figure':<20} {'build ms':>9} {'in place ms':>12} {'Agg draw ms':>12}   (medians of {REPEAT})")
    for name, (draw, settings) in _settings().items():
        try:
            m = measure(draw, settings)
        except TypeError:  # not converted: no into= keyword
            print(f"{name:<20} {'(no into=)':>9}")
            continue
        print(f"{name:<20} {m['build']:>9.1f} {m['update']:>12.1f} {m['draw']:>12.1f}")


if __name__ == "__main__":
    main()
