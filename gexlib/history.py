"""A daily synthetic history: one SPX-like chain per trading day and its levels.

The path is a model, not data. A stress level in [0, 1] rises in two episodes and
decays; ATM implied vol follows it (12% calm to about 32% at full stress), the index
sells off as stress rises (−15% per unit of stress) and recovers as it decays, and
daily returns have a volatility of 0.85 × ATM IV (a variance premium). Positions
are re-centred on spot at each monthly expiry while the market is calm, so in a
selloff spot falls below the strikes positions were put on at. Every day's chain
comes from :func:`gexlib.synth.spx_chain`, and its levels from :mod:`gexlib.gex`.
Realised volatility is therefore tied to the IV regime by construction; any link
between GEX and next-day volatility in this history is built in, not evidence.
"""

from __future__ import annotations

import time as _time
from pathlib import Path

import numpy as np
import pandas as pd

from . import conventions as cv
from . import gex, regime, synth

#: First trading day, number of days and seed of the shipped history.
START = "2024-06-03"
DAYS = 260
# Seed picked among 20240600-20240639 as one whose two episodes both sell off by more than 10%
# from the day before the episode to its trough (-13% and -21%), so the stretches read as stress.
SEED = 20240604
START_SPOT = 5280.0
#: (centre day, rise days, hold days, decay days, peak stress) of the two episodes.
SELLOFF = 0.15  # log-return per unit rise of stress (the selloff; reversed as stress decays)
EPISODES = ((75, 4, 8, 20, 0.6), (170, 6, 18, 30, 1.0))
CLOSE = "15:45"
FILE = "history.csv"
#: Decimals written per column (fixed, so regeneration is byte-identical).
DECIMALS = {"spot": 2, "atm_iv": 6, "skew": 6, "gex_practitioner": 0, "gex_seed": 0, "gex_all_short": 0,
            "zero_gamma": 2, "flip_cumulative": 2}


def stress_level(n: int, episodes=EPISODES) -> np.ndarray:
    """Stress per day in [0, 1]: linear rise, hold, linear decay for each episode (max of them)."""
    t = np.arange(n, dtype=float)
    out = np.zeros(n)
    for start, rise, hold, decay, peak in episodes:
        up = np.clip((t - start) / rise, 0, 1)
        down = np.clip(1 - (t - start - rise - hold) / decay, 0, 1)
        out = np.maximum(out, peak * np.minimum(up, down))
    return out


def path(n_days: int = DAYS, *, seed: int = SEED, start: str = START, spot0: float = START_SPOT) -> pd.DataFrame:
    """The daily state: spot, ATM IV, stress and where positions were put on.

    Returns
    -------
    pandas.DataFrame
        Index trading dates (Mon–Fri, no holidays); columns ``stress``, ``atm_iv_input``
        (the surface's 30-day ATM vol), ``spot``, ``oi_center``, ``oi_date``, ``evolve``.
    """
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range(start, periods=n_days)
    stress = stress_level(n_days)
    noise = np.zeros(n_days)
    for i in range(1, n_days):  # AR(1) wobble of implied vol, 1 vol point scale
        noise[i] = 0.9 * noise[i - 1] + 0.004 * rng.standard_normal()
    atm = np.clip(0.12 + 0.20 * stress + noise, 0.08, None)
    ret = 0.85 * atm / np.sqrt(252) * rng.standard_normal(n_days) - SELLOFF * np.diff(stress, prepend=0.0)
    ret[0] = 0.0
    spot = spot0 * np.exp(np.cumsum(ret))
    centre, since, cdate = np.empty(n_days), np.empty(n_days, dtype=int), []
    c, d, k = spot[0], dates[0], 0
    for i, day in enumerate(dates):
        tf = synth.third_friday(day.year, day.month)
        if i > 0 and day.normalize() == tf.tz_localize(None).normalize() and stress[i] < 0.3:
            c, d, k = spot[i], day, 0  # monthly roll in a calm market: positions re-centred on spot
        centre[i], since[i] = c, k
        cdate.append(d)
        k += 1
    return pd.DataFrame({"stress": stress, "atm_iv_input": atm, "spot": spot, "oi_center": centre,
                         "oi_date": cdate, "evolve": since}, index=dates.rename("date"))


def day_chain(row: pd.Series, date: pd.Timestamp, *, seed: int = SEED):
    """The SPX-like chain of one day of :func:`path`."""
    s = float(row["stress"])
    return synth.spx_chain(f"{date.date()} {CLOSE}", float(row["spot"]), seed=seed,
                           atm_iv=float(row["atm_iv_input"]), long_iv=0.18 + 0.04 * s, skew=0.045 + 0.01 * s,
                           oi_center=float(row["oi_center"]), oi_date=f"{row['oi_date'].date()} {CLOSE}",
                           evolve=int(min(row["evolve"], 25)))


def day_levels(snap) -> dict:
    """The figures recorded per day (practitioner sign unless named, model gamma, act365, zero carry).

    The generator prices every chain at r = q = 0, so zero carry is exact here (parity
    carry finds the same forwards to about 1e-5, but would make the file depend on the fit).
    """
    zc = dict(carry="zero")
    total = gex.total_gex(snap, **zc)
    zero = gex.zero_gamma(snap, **zc).value
    vols = regime.constant_maturity_vols(snap)
    return {
        "spot": float(snap.spot), "atm_iv": vols["atm"], "skew": (vols["put25"] - vols["call25"]) / vols["atm"],
        "gex_practitioner": total, "gex_seed": -total, "gex_all_short": gex.total_gex(snap, sign="all_short", **zc),
        "zero_gamma": zero, "flip_cumulative": gex.flip_strike(snap, **zc).value,
        "neg_side_zero_gamma": regime.negative_side(snap, flip="zero_gamma", **zc),
        "neg_side_cumulative": regime.negative_side(snap, flip="cumulative", **zc),
    }


def build_history(n_days: int = DAYS, *, seed: int = SEED, first: int | None = None, progress=print) -> pd.DataFrame:
    """Compute the history, one chain per day (about half a second per day).

    Parameters
    ----------
    n_days : int
        Length of the path.
    first : int, optional
        Compute only the first ``first`` days of the same path (for checks).
    progress : callable or None
        Called with a line of text every 20 days.

    Returns
    -------
    pandas.DataFrame
        Index ``date``; columns ``stress`` and those of :func:`day_levels`, rounded as
        in :data:`DECIMALS`. Dollar figures per 1% move.
    """
    p = path(n_days, seed=seed)
    if first is not None:
        p = p.iloc[:first]
    rows, t0 = [], _time.perf_counter()
    for i, (date, row) in enumerate(p.iterrows(), 1):
        rows.append({"stress": float(row["stress"]), **day_levels(day_chain(row, date, seed=seed))})
        if progress is not None and (i % 20 == 0 or i == len(p)):
            progress(f"history: {i}/{len(p)} days ({_time.perf_counter() - t0:.0f} s)")
    out = pd.DataFrame(rows, index=p.index)
    return out.round(DECIMALS | {"stress": 6})


def write_history(outdir, progress=print) -> Path:
    """Write :func:`build_history` to ``outdir/history.csv`` (byte-identical on rerun)."""
    out = Path(outdir) / FILE
    out.parent.mkdir(parents=True, exist_ok=True)
    build_history(progress=progress).to_csv(out, lineterminator="\n")
    return out


def read_history(path) -> pd.DataFrame:
    """Read a history CSV written by :func:`write_history` (index: dates, America/New_York days)."""
    h = pd.read_csv(path, index_col="date", parse_dates=["date"])
    missing = {"skew", "gex_practitioner", "spot"} - set(h.columns)
    if missing:
        raise ValueError(f"{path}: history lacks column(s) {sorted(missing)}")
    return h


def next_day_move(history: pd.DataFrame) -> pd.Series:
    """Absolute next-day log return of spot, annualised (×√252): a one-day realised vol."""
    r = np.log(history["spot"]).diff().shift(-1)
    return r.abs() * np.sqrt(252)


__all__ = ["build_history", "day_chain", "day_levels", "next_day_move", "path", "read_history", "stress_level",
           "write_history", "cv"]
