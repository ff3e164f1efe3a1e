"""gexlib: dealer gamma exposure (GEX), taught end to end.

Modules, in the direction data flows: :mod:`~gexlib.bs` (greeks),
:mod:`~gexlib.chain` (snapshots and readers), :mod:`~gexlib.synth` (synthetic
chains), :mod:`~gexlib.datasets` (the shipped files by name), :mod:`~gexlib.whatif`
(snapshot transforms: spot, IV, OI, expiries), :mod:`~gexlib.gex` (exposures,
profile, levels), :mod:`~gexlib.hedging` (hedge tickets and simulations),
:mod:`~gexlib.regime` (skew and the regime classifier), :mod:`~gexlib.history`
(the synthetic daily history), :mod:`~gexlib.sheet` (the levels sheet, :func:`gexlib.levels`),
:mod:`~gexlib.plots` (figures, imported on demand), and :mod:`~gexlib.conventions`
(every convention and its default).

The course (dashboards, exercises and their self-checks, the student edition) lives apart in
:mod:`gexlib.course`; nothing in the core imports it.
"""

from .chain import ChainError, Snapshot, read_cboe, read_csv, write_cboe, write_csv
from .gex import (
    flip_strike,
    gamma_profile,
    gex_by_expiry,
    gex_matrix,
    hedge_flow,
    per_strike_gex,
    total_gex,
    walls,
    zero_gamma,
)
from .regime import Regime, classify_regime, skew, skew_zscore
from .sheet import levels

__version__ = "0.1.0"

__all__ = [
    "ChainError", "Snapshot", "read_cboe", "read_csv", "write_cboe", "write_csv",
    "flip_strike", "gamma_profile", "gex_by_expiry", "gex_matrix", "hedge_flow", "per_strike_gex",
    "total_gex", "walls", "zero_gamma", "levels", "Regime", "classify_regime", "skew", "skew_zscore",
]
