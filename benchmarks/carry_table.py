"""Total GEX and zero gamma under every carry × IV-source variant, on the shipped chains and, when
GEXLIB_CBOE_DIR is set, on the real Cboe downloads there (figures printed, never stored).

    python benchmarks/carry_table.py [--given-r 0.05 --given-q 0.015]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import pandas as pd

from gexlib import datasets, fmt, read_cboe, sheet


def _row(name, table):
    out = {"file": name}
    for _, v in table.iterrows():
        key = "chain" if v["gamma"] == "chain" else f"{v['carry']}/{v['iv']}"
        out[f"{key} total"] = fmt.bn(v["total_gex"])
        out[f"{key} zero"] = "—" if v["zero_gamma"] is None or pd.isna(v["zero_gamma"]) else fmt.level(v["zero_gamma"])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--given-r", type=float, default=0.05)
    ap.add_argument("--given-q", type=float, default=0.015)
    args = ap.parse_args()
    files = []
    real = os.environ.get("GEXLIB_CBOE_DIR")
    if real:
        files += [(p.name, p) for p in sorted(Path(real).glob("*.csv"))]
    files += [(p.name, p) for p in sorted(datasets.DATA_DIR.glob("sp*.csv"))]
    rows = []
    for name, path in files:
        t = time.perf_counter()
        table = sheet.carry_variants(read_cboe(path), r=args.given_r, q=args.given_q)
        rows.append(_row(name, table))
        print(f"{name}: {time.perf_counter() - t:.1f} s", flush=True)
    print(pd.DataFrame(rows).to_markdown(index=False))


if __name__ == "__main__":
    main()
