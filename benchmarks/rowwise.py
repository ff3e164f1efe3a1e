"""A row-by-row gamma profile, written the way widely copied public GEX scripts do it.

One ``DataFrame.apply`` over contract rows per spot level, with ``scipy.stats.norm``
called per row. It exists only as the baseline the vectorised
:func:`gexlib.gex.gamma_profile` is measured against, and as an independent check of
its numbers (same conventions: practitioner sign, act365 time, r = q = 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from gexlib import conventions as cv


def contract_table(snap) -> pd.DataFrame:
    """Contracts with OI > 0 and IV > 0, with years to expiry and dealer sign."""
    o = snap.options
    o = o[(o["oi"] > 0) & (o["iv"] > 0)].copy()
    o["T"] = cv.year_fraction(o["expiry"], snap.asof)
    o["sign"] = np.where(o["type"] == "C", 1.0, -1.0)
    return o


def _row_gex(row, level, multiplier):
    d1 = (np.log(level / row["strike"]) + 0.5 * row["iv"] ** 2 * row["T"]) / (row["iv"] * np.sqrt(row["T"]))
    gamma = norm.pdf(d1) / (level * row["iv"] * np.sqrt(row["T"]))
    return row["sign"] * gamma * row["oi"] * multiplier * level * level * 0.01


def profile(table: pd.DataFrame, levels, multiplier: float = 100.0) -> np.ndarray:
    """Total GEX at each level, one pass over the rows per level."""
    return np.array([table.apply(_row_gex, axis=1, args=(lv, multiplier)).sum() for lv in levels])
