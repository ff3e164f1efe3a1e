"""Answers of lesson 11's exercises (computed from gexlib and the shipped data, never written down).

The capstone reads whatever chain its ``CHAIN_PATH`` names; these self-checks are about the
chain it falls back to when ``CHAIN_PATH`` is None, the shipped synthetic ``data/spx_calm.csv``.
"""

import functools

from ... import datasets, gex, regime
from ..registry import exercise
from ._common import _calm


@functools.cache
def _history():
    return datasets.history()


@functools.cache
def _zero_gamma_calm() -> float:
    """Zero gamma of the calm chain (practitioner sign, model-gamma profile), shared by two answers."""
    return gex.zero_gamma(_calm(), sign="practitioner").value


@exercise(
    "11-regime-calm-history",
    question="Regime tag of data/spx_calm.csv with the shipped synthetic history data/history.csv for the skew "
             "trigger (practitioner sign, model gamma, act/365, regime level zero gamma): 'long_gamma', "
             "'transition' or 'short_gamma'?",
    hint="regime.classify_regime(snap, history=datasets.history()).tag, or the 'regime' entry of "
         "gexlib.levels(snap, history=datasets.history()).",
)
def _regime_calm_history():
    return regime.classify_regime(_calm(), history=_history(), sign="practitioner", gamma="model",
                                  zero=_zero_gamma_calm()).tag


@exercise(
    "11-zero-gamma-distance-calm", atol=0.05,
    question="Distance of the zero-gamma level of data/spx_calm.csv from its spot, in percent of spot: "
             "100 × (zero gamma / spot − 1), negative when zero gamma is below spot (practitioner sign, "
             "model-gamma profile, act/365), to within 0.05 percentage points.",
    hint="gex.zero_gamma(snap).value is the level; divide by snap.spot, subtract 1, times 100. The levels "
         "sheet prints the same distance in brackets after the level.",
)
def _zero_gamma_distance_calm():
    return 100.0 * (_zero_gamma_calm() / float(_calm().spot) - 1.0)


@exercise(
    "11-put-wall-seed-chain-calm", atol=0.5,
    question="Put wall of data/spx_calm.csv under the seed sign (calls −1, puts +1) and the chain's own gamma "
             "column (gamma='chain'): the strike with the largest |put GEX| summed over expiries, index points.",
    hint="gex.walls(snap, sign='seed', gamma='chain') returns a dict with 'call_wall' and 'put_wall'; "
         "or run the levels sheet with those two conventions.",
)
def _put_wall_seed_chain_calm():
    return gex.walls(_calm(), sign="seed", gamma="chain")["put_wall"]
