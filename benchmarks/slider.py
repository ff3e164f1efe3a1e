"""Slider-event latency of the lesson 03/04/05 dashboards (``python -m benchmarks.slider``).

One event is what a reader's slider release triggers: a control's value changes,
the dashboard recomputes its what-if snapshot and analytics and redraws its
figure to PNG with Agg. Each control of each dashboard is moved through
``EVENTS`` distinct values (no two events alike) on the full SPX-like chain
``data/spx_calm.csv``; the median over all events is compared with the target.
The split into compute (what-if + analytics + building the figure) and render
(Agg draw + PNG) is measured on the same settings. Not a test: it prints figures.
"""

from __future__ import annotations

import statistics
import time

import matplotlib

matplotlib.use("Agg")

from gexlib import datasets, whatif, widgets  # noqa: E402

TARGET_MS = 150.0
EVENTS = 6  # values per control


def _values(name: str, dash, k: int):
    """The k-th value (k = 1, 2, …) for a control: a small, new move each time."""
    c = dash.controls[name]
    if name == "spot":
        return c.value * (1.0 + (0.002 if k % 2 else -0.003))
    if name == "iv_shift":
        return round(0.01 * (k % 5 + 1) * (1 if k % 2 else -1), 2)
    if name in ("call_oi", "put_oi"):
        return round(1.0 + 0.1 * (k % 7 + 1) * (1 if k % 2 else -0.5), 2)
    options = list(c.options)
    return options[(options.index(c.value) + 1) % len(options)]


def measure(dash, events: int = EVENTS) -> dict:
    """Milliseconds per slider event, per control and overall, plus the compute/render split."""
    per_control, compute, render = {}, [], []
    for name in dash.controls:
        times = []
        for k in range(1, events + 1):
            value = _values(name, dash, k)
            start = time.perf_counter()
            dash.controls[name].value = value  # the observer runs dash.update()
            times.append((time.perf_counter() - start) * 1e3)
            start = time.perf_counter()
            _, fig = dash.compute(dash.values())
            mid = time.perf_counter()
            widgets.render_png(fig)
            compute.append((mid - start) * 1e3)
            render.append((time.perf_counter() - mid) * 1e3)
        per_control[name] = times
    every = [t for times in per_control.values() for t in times]
    return {"median": statistics.median(every), "max": max(every),
            "by_control": {k: statistics.median(v) for k, v in per_control.items()},
            "compute": statistics.median(compute), "render": statistics.median(render)}


def report(label: str, m: dict) -> list[str]:
    by = ", ".join(f"{k} {v:.0f}" for k, v in m["by_control"].items())
    return [f"slider update {label}: median {m['median']:.0f} ms (target <= {TARGET_MS:.0f} ms)",
            f"  by control (median ms): {by}; slowest event {m['max']:.0f} ms",
            f"  split: compute + figure {m['compute']:.0f} ms, Agg render + PNG {m['render']:.0f} ms"]


def main() -> None:
    snap = datasets.load("spx_calm.csv")
    print(f"{snap.source}: {len(snap.options):,} contracts, spot {snap.spot:,.2f}; "
          f"{EVENTS} events per control, presets {list(whatif.EXPIRY_PRESETS)[:2]}…")
    boards = {
        "dealer_gamma_dashboard": lambda: widgets.dealer_gamma_dashboard(snap),
        "flip_dashboard": lambda: widgets.flip_dashboard(snap),
        "heatmap_dashboard": lambda: widgets.heatmap_dashboard(snap),
        "flip_dashboard (with history, skew trigger)": lambda: widgets.flip_dashboard(
            snap, history=datasets.history()),
    }
    for label, build in boards.items():
        dash = build()
        dash.update()  # warm-up
        print("\n".join(report(label, measure(dash))))


if __name__ == "__main__":
    main()
