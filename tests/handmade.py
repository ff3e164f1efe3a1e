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


def mixed_chain(spot=100.0, shuffled=False):
    """A few expiries and strikes, both types, with an OI = 0 and an IV = 0 contract.

    With ``shuffled`` the same contracts with strikes and expiries out of order and calls first
    (repeated strikes across expiries, rows out of order).
    """
    days_list = (400, 0.2, 17, 3, 45) if shuffled else (0.2, 3, 17, 45, 400)
    strikes = (110, 80, 95, 100, 120, 90, 105) if shuffled else (80, 90, 95, 100, 105, 110, 120)
    rows = []
    for days in days_list:
        for k in strikes:
            put = {"strike": k, "type": "P", "oi": 1000 + 37 * k % 11 * 100, "iv": 0.25 - 0.001 * (k - 100),
                   "days": days}
            call = {"strike": k, "type": "C", "oi": 800 + 53 * k % 7 * 100, "iv": 0.22 - 0.0005 * (k - 100),
                    "days": days}
            rows += [call, put] if shuffled else [put, call]
    rows.append({"strike": 100, "type": "C", "oi": 0, "iv": 0.2, "days": 9})
    rows.append({"strike": 100, "type": "P", "oi": 500, "iv": 0.0, "days": 9})
    return snapshot(rows, spot=spot)
