"""Timings of the library's slow paths (``make bench``): what used to be timed tests.

Printed, never asserted: the targets are stated beside each figure.

- reading the real SPX download (when ``GEXLIB_CBOE_DIR`` is set), target < 1 s;
- one synthetic SPX chain generated, target < 1 s;
- a month of 5-minute hedging steps for 2,000 paths, target < 3 s;
- each lesson simulation run (tape, pin, scalp), target < 2 s.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from gexlib import datasets, hedging, read_cboe, synth

MONTH = 21 / 252


def _best_seconds(fn, repeat: int = 3) -> float:
    fn()  # warm-up
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    rows = []
    d = os.environ.get("GEXLIB_CBOE_DIR")
    if d and (Path(d) / "spx_2023-09-14.csv").is_file():
        rows.append(("read_cboe real SPX 2023-09-14", _best_seconds(lambda: read_cboe(Path(d) / "spx_2023-09-14.csv")), 1.0))
    rows.append(("synth.spx_chain, one SPX-like chain", _best_seconds(
        lambda: synth.spx_chain("2025-07-09 15:45", 6254.87, seed=3), repeat=1), 1.0))
    rows.append(("discrete hedge, 2,000 paths x a month of 5-minute steps", _best_seconds(
        lambda: hedging.simulate_discrete_hedge(100.0, 100.0, MONTH, 0.2, 0.2, 2000, 78, 1, seed=0), repeat=1), 3.0))
    calm = datasets.load("calm")
    profile = hedging.feedback_profile(calm)
    rows.append(("tape, 2,000 paths x 1 day", _best_seconds(
        lambda: hedging.simulate_tape(profile, calm.spot, depth=60e9, sigma_noise=0.15, n_paths=2000)), 2.0))
    rows.append(("pin, 4,000 paths x 2 hours", _best_seconds(
        lambda: hedging.pin_probability(6450.0, 10000, 2.0, depth=50e9)), 2.0))
    print("library timings (best of runs, seconds; target in brackets)")
    for label, s, target in rows:
        print(f"  {label:<58} {s:7.3f} s  [< {target:.0f} s]{'' if s < target else '  MISSED'}")


if __name__ == "__main__":
    main()
