"""Print benchmark figures for the gamma profile (``make bench``).

For the largest shipped synthetic SPX chain and, when ``GEXLIB_CBOE_DIR`` is set,
the real SPX chain: median milliseconds of a 60-, 200- and 2,001-level
``gamma_profile`` over [0.5, 1.5] × spot (each run computes its exponentials: the
profile's cache of the last ones is emptied first), its peak traced memory, and the speed-up
over the row-by-row baseline in :mod:`benchmarks.rowwise` at 60 levels (the
baseline is timed on a few levels and scaled, in the same run); then the
library timings of :mod:`benchmarks.library` and the slider-event benchmark of
:mod:`benchmarks.slider`.
"""

from __future__ import annotations

import os
import statistics
import time
import tracemalloc
from pathlib import Path

import numpy as np

from gexlib import chain, gex

from . import rowwise

ROOT = Path(__file__).resolve().parent.parent
TARGETS = "targets: 200 levels <= 10 ms median; >= 10,000x the row-by-row baseline at 60 levels"


def _median_ms(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def _peak_mb(fn) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def chains() -> list[tuple[str, chain.Snapshot]]:
    """The largest synthetic SPX chain in data/ and, if available, the real SPX chain."""
    out = []
    synth = [chain.read_cboe(p) for p in sorted((ROOT / "data").glob("spx_*.csv"))]
    if synth:
        big = max(synth, key=lambda s: len(s.options))
        out.append((f"synthetic {Path(big.source).name}", big))
    d = os.environ.get("GEXLIB_CBOE_DIR")
    if d and (Path(d) / "spx_2023-09-14.csv").exists():
        out.append(("real spx_2023-09-14.csv (Cboe)", chain.read_cboe(Path(d) / "spx_2023-09-14.csv")))
    return out


def bench_profile(name: str, snap: chain.Snapshot, baseline_levels: int = 2) -> list[str]:
    lines = [f"{name}: {len(snap.options):,} contracts, {gex.contracts(snap).used:,} with OI > 0 and IV > 0"]
    for n in (60, 200, 2001):
        spots = np.linspace(0.5 * snap.spot, 1.5 * snap.spot, n)

        def fresh(s=spots):  # the exponentials computed each time: not taken from the last profile's
            gex._EXPONENTIALS.clear()
            return gex.gamma_profile(snap, s)

        ms = _median_ms(fresh, repeat=25 if n < 2001 else 7)
        mb = _peak_mb(fresh)
        lines.append(f"  gamma_profile {n:>5} levels: median {ms:8.2f} ms   peak {mb:7.1f} MB")
        if n == 60:
            fast_ms = ms
    table = rowwise.contract_table(snap)
    probe = np.linspace(0.5 * snap.spot, 1.5 * snap.spot, 60)[:: 60 // baseline_levels][:baseline_levels]
    t = time.perf_counter()
    slow = rowwise.profile(table, probe, snap.multiplier)
    per_level = (time.perf_counter() - t) / len(probe)
    fast = gex.gamma_profile(snap, probe, carry="zero")  # the row-by-row baseline has r = q = 0
    err = float(np.max(np.abs(slow - fast)) / max(np.max(np.abs(fast)), 1.0))
    lines.append(f"  row-by-row baseline: {per_level * 1e3:,.0f} ms per level (timed on {len(probe)}, "
                 f"scaled to 60 = {per_level * 60:,.1f} s); max relative difference {err:.1e}")
    lines.append(f"  speed-up at 60 levels: {per_level * 60 * 1e3 / fast_ms:,.0f}x")
    return lines


def main() -> None:
    print(TARGETS)
    found = chains()
    if not found:
        print("no chains found: run `python -m gexlib synth` to create data/")
    for name, snap in found:
        print("\n".join(bench_profile(name, snap)))
    from . import library, slider

    library.main()
    slider.main()


if __name__ == "__main__":
    main()
