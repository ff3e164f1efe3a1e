"""Tiny hand-built snapshots whose answers are known by hand."""

import pandas as pd

from gexlib.chain import OPTION_COLUMNS, Snapshot

ASOF = pd.Timestamp("2025-06-11 15:45", tz="America/New_York")


def snapshot(rows, spot=100.0, asof=ASOF, multiplier=100.0, underlying="TEST"):
    """Build a Snapshot from dicts with keys strike, type, oi, iv and optional hours/days to expiry.

    ``days`` (default 30) or ``hours`` set the settlement time relative to ``asof``;
    ``chain_gamma`` defaults to NaN.
    """
    recs = []
    for r in rows:
        if "hours" in r:
            exp = asof + pd.Timedelta(hours=r["hours"])
        else:
            exp = asof + pd.Timedelta(days=r.get("days", 30))
        recs.append({
            "expiry": exp, "root": r.get("root", "TESTW"), "strike": float(r["strike"]), "type": r["type"],
            "oi": float(r["oi"]), "iv": float(r.get("iv", 0.2)), "volume": 0.0, "bid": 0.0, "ask": 0.0,
            "chain_delta": float("nan"), "chain_gamma": float(r.get("chain_gamma", float("nan"))),
        })
    opts = pd.DataFrame(recs, columns=list(OPTION_COLUMNS))
    return Snapshot(underlying=underlying, spot=float(spot), asof=asof, options=opts,
                    multiplier=multiplier, dropped={"expired": 0}, source="handmade")
