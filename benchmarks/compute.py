"""The numbers of one dashboard event, without the figure (``python -m benchmarks.compute``).

A dashboard's ``compute`` closure returns its numbers and its figure together, so the
numbers cannot be timed through it. Each function below replicates the calls of one
closure in :mod:`gexlib.course.widgets` that produce the state (same functions, same
arguments, inside :func:`gexlib.gex.reuse` as the dashboard runs them) and leaves out
only the ``plots`` call. Keep them in step with the closures:

- lesson 03 ``dealer_gamma_dashboard``: ``whatif.apply``, ``gex.flip_strike``,
  ``hedging.flow_for_move(...).iloc[-1]``, ``gex.total_gex``, ``gex.walls``; plus
  ``gex.per_strike_gex``, the table the figure draws (listed apart);
- lesson 04 ``flip_dashboard``: ``whatif.apply``, ``gex.zero_gamma_within``,
  ``gex.flip_strike``, ``gex.total_gex``, ``regime.classify_regime``;
- lesson 05 ``heatmap_dashboard``: ``whatif.apply`` (with ``expiries``),
  ``gex.flip_strike``, ``gex.walls``, ``gex.total_gex``; plus ``gex.gex_matrix``, the grid
  the figure draws (listed apart);
- lesson 08 ``time_vol_dashboard``: ``whatif.advance_time`` and ``gex.charm_flow``
  (remembered per hour by the dashboard, so timed once per hour value), ``whatif.shift_iv``,
  ``gex.zero_gamma_within``, ``gex.flip_strike``, ``gex.walls``, ``gex.vanna_flow``,
  ``gex.total_gex``; events of the time slider and of the IV slider apart;
- lesson 09 ``conventions_dashboard`` on a first visit: ``whatif.apply`` and one
  ``sheet.compare`` row.

Lessons 03, 04, 05 and 09 use ``data/spx_calm.csv``, lesson 08 ``data/spx_intraday_0dte.csv``,
as :mod:`benchmarks.slider` does. Each event moves the settings to values not seen
before (as a slider does); the median over ``EVENTS`` events is printed, in milliseconds of
wall clock and of this process's CPU time (the steadier one on a shared machine).
Not a test: it prints figures.
"""

from __future__ import annotations

import statistics
import time

from gexlib import conventions as cv
from gexlib import datasets, gex, hedging, regime, sheet, whatif

EVENTS = 24
WINDOW = 0.10  # plots.WINDOW, the dashboards' default range (fraction of spot)
MOVE = hedging.MOVE


def _settings(snap, k: int) -> dict:
    """The k-th event's what-if settings: every value new, near the defaults (as a slider moves)."""
    s = float(snap.spot)
    return {"spot": s * (1.0 + 0.001 * ((k % 9) - 4) + 1e-5 * k), "iv_shift": round(0.01 * ((k % 7) - 3), 2),
            "call": round(1.0 + 0.05 * ((k % 5) - 2), 2), "put": round(1.0 + 0.1 * ((k % 4) - 1), 2)}


def lesson03(snap, k: int, sign: str = cv.SIGN) -> dict:
    v = _settings(snap, k)
    with gex.reuse():
        t = whatif.apply(snap, iv_shift=v["iv_shift"], call=v["call"], put=v["put"], spot=v["spot"])
        c = dict(gamma="model", sign=sign)
        flip = gex.flip_strike(t, **c)
        total = hedging.flow_for_move(t, MOVE, sign=sign).iloc[-1]
        state = {"total_gex": gex.total_gex(t, **c), "flip": flip.value, **gex.walls(t, **c),
                 "hedge_flow": float(total["dollars_exact"]), "hedge_shares": float(total["shares_exact"]),
                 "hedge_flow_linear": float(total["dollars_linear"])}
        state["per_strike_rows"] = len(gex.per_strike_gex(t, **c))  # the figure's table
    return state


def lesson04(snap, k: int, history=None) -> dict:
    v = _settings(snap, k)
    conv = dict(sign=cv.SIGN, gamma="model")
    with gex.reuse():
        t = whatif.apply(snap, iv_shift=v["iv_shift"], call=v["call"], put=v["put"], spot=v["spot"])
        zero = gex.zero_gamma_within(t, WINDOW, sign=cv.SIGN)
        flip = gex.flip_strike(t, **conv)
        total = gex.total_gex(t, **conv)
        reg = regime.classify_regime(t, history=history, total=total, zero=zero.value, **conv)
    return {"total_gex": total, "zero_gamma": zero.value, "flip": flip.value, "regime": reg.tag}


def lesson05(snap, k: int, expiries: str = "all expiries") -> dict:
    v = _settings(snap, k)
    conv = dict(sign=cv.SIGN, gamma="model")
    with gex.reuse():
        t = whatif.apply(snap, iv_shift=v["iv_shift"], call=v["call"], put=v["put"], spot=v["spot"],
                         expiries=expiries)
        flip = gex.flip_strike(t, **conv)
        walls = gex.walls(t, **conv)
        state = {"total_gex": gex.total_gex(t, **conv), "flip": flip.value, **walls}
        state["cells"] = gex.gex_matrix(t, **conv).size  # the figure's grid
    return state


def lesson08(snap, k: int, aged_cache: dict, control: str = "hours") -> dict:
    """``control="hours"``: each event a new time (a new aged chain, its carry refitted, its charm flow);
    ``"iv_shift"``: each event a new IV shift at one time (what the dashboard remembers per time is reused)."""
    choices = [h for _, h in whatif.time_choices(snap)]
    hours = choices[k % len(choices)] if control == "hours" else choices[len(choices) // 2]
    iv_shift = round(0.01 * ((k % 7) - 3), 2) if control == "iv_shift" else 0.0
    conv = dict(sign=cv.SIGN, gamma="model")
    with gex.reuse():
        if hours not in aged_cache:  # the dashboard remembers these per hour value
            aged_cache[hours] = (whatif.advance_time(snap, hours), gex.charm_flow(snap, hours, sign=cv.SIGN))
        aged, charm = aged_cache[hours]
        t = whatif.shift_iv(aged, iv_shift)
        zero = gex.zero_gamma_within(t, WINDOW, sign=cv.SIGN)
        flip = gex.flip_strike(t, **conv)
        walls = gex.walls(t, **conv)
        vanna = gex.vanna_flow(aged, iv_shift, sign=cv.SIGN)
        return {"total_gex": gex.total_gex(t, **conv), "zero_gamma": zero.value, "flip": flip.value, **walls,
                "charm": float(charm["dollars"].iloc[-1]), "vanna": float(vanna["dollars"].iloc[-1])}


def lesson09(snap, k: int) -> dict:
    v = _settings(snap, k)
    sign = list(cv.SIGNS)[k % len(cv.SIGNS)]
    level = ("zero_gamma", "cumulative")[k % 2]
    with gex.reuse():
        t = whatif.apply(snap, iv_shift=v["iv_shift"], spot=v["spot"])
        return sheet.compare(t, signs=[sign], gammas=["model"], times=[cv.TIME], flips=[level]).iloc[0].to_dict()


def _median_ms(fn, events: int = EVENTS) -> tuple[float, float]:
    """Median wall-clock and CPU (this process) milliseconds of ``fn(k)`` over ``events`` new settings.

    On a machine shared with other work the CPU time is the steadier of the two.
    """
    fn(0)  # warm-up (imports, the parity fit's cache)
    wall, cpu = [], []
    for k in range(1, events + 1):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(k)
        wall.append((time.perf_counter() - start) * 1e3)
        cpu.append((time.process_time() - start_cpu) * 1e3)
    return statistics.median(wall), statistics.median(cpu)


def _parts(snap, k: int) -> dict:
    """Milliseconds of each numbers call of one lesson-03/04 event (each in its own scope: no sharing)."""
    v = _settings(snap, k)
    t = whatif.apply(snap, iv_shift=v["iv_shift"], call=v["call"], put=v["put"], spot=v["spot"])
    calls = {
        "whatif.apply": lambda: whatif.apply(snap, iv_shift=v["iv_shift"], call=v["call"], put=v["put"],
                                             spot=v["spot"]),
        "gex.total_gex": lambda: gex.total_gex(t),
        "gex.per_strike_gex": lambda: gex.per_strike_gex(t),
        "gex.flip_strike": lambda: gex.flip_strike(t),
        "gex.walls": lambda: gex.walls(t),
        "hedging.flow_for_move": lambda: hedging.flow_for_move(t, MOVE),
        "gex.zero_gamma_within": lambda: gex.zero_gamma_within(t, WINDOW),
        "regime.classify_regime (total, zero given)": lambda: regime.classify_regime(t, total=1.0, zero=float(t.spot)),
    }
    out = {}
    for name, fn in calls.items():
        times = []
        for _ in range(7):
            with gex.reuse():
                start = time.perf_counter()
                fn()
                times.append((time.perf_counter() - start) * 1e3)
        out[name] = statistics.median(times)
    return out


def results() -> list[tuple[str, tuple[float, float]]]:
    snap = datasets.load("spx_calm.csv")
    intraday = datasets.load("spx_intraday_0dte.csv")
    history = datasets.history()
    aged: dict = {}
    return [
        ("03 dealer_gamma_dashboard", _median_ms(lambda k: lesson03(snap, k))),
        ("04 flip_dashboard", _median_ms(lambda k: lesson04(snap, k))),
        ("04 flip_dashboard (with history, skew trigger)", _median_ms(lambda k: lesson04(snap, k, history))),
        ("05 heatmap_dashboard (all expiries)", _median_ms(lambda k: lesson05(snap, k))),
        ("05 heatmap_dashboard (up to 7 days)", _median_ms(lambda k: lesson05(snap, k, "up to 7 days"))),
        ("08 time_vol_dashboard (intraday 0DTE chain), hours", _median_ms(lambda k: lesson08(intraday, k, aged))),
        ("08 time_vol_dashboard (intraday 0DTE chain), iv_shift",
         _median_ms(lambda k: lesson08(intraday, k, aged, "iv_shift"))),
        ("09 conventions_dashboard (first visits)", _median_ms(lambda k: lesson09(snap, k))),
    ]


def main() -> None:
    snap = datasets.load("spx_calm.csv")
    print(f"numbers of one dashboard event (no figure), median ms over {EVENTS} events (wall clock, CPU); "
          f"{snap.source}: {len(snap.options):,} contracts")
    for label, (wall, cpu) in results():
        print(f"  {label:<52} {wall:7.1f} ms  (CPU {cpu:6.1f} ms)", flush=True)
    print("one call each, own scope, median ms (lesson 03/04 chain):")
    for name, ms in _parts(snap, 1).items():
        print(f"  {name:<52} {ms:7.1f} ms")


if __name__ == "__main__":
    main()
