"""Self-checking exercises: ``check(exercise_id, answer)`` without the answer in the notebook.

Each exercise in :data:`EXERCISES` computes its own answer from gexlib and the
shipped data when it is checked, so no answer is written anywhere in a lesson.
:func:`check` prints ``✓ correct`` or ``✗ not yet — hint: …`` and never shows the
expected value, not even in an error message.

Adding an exercise is one decorated function, in this module (generic ones) or in
the lesson's own module ``gexlib/course/answers/lNN.py``::

    @exercise("03-put-wall-calm", atol=0.5,
              question="Put wall of data/spx_calm.csv (practitioner sign, model gamma), index points.",
              hint="gex.walls(snap)['put_wall'] — the strike with the largest |put GEX|.")
    def _():
        return gex.walls(datasets.load("calm"))["put_wall"]

``atol`` and ``rtol`` are the tolerances (``|answer − expected| <= atol + rtol × |expected|``);
``atol`` may also be a function of no arguments (e.g. 0.1% of a snapshot's spot).
A function returning a string makes a text exercise (compared case-insensitively,
spaces and underscores alike).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import datasets, gex, hedging

CORRECT = "✓ correct"
NOT_YET = "✗ not yet — hint: "


@dataclass(frozen=True)
class Exercise:
    """One exercise: how to compute its answer, how close counts, and what to say.

    Attributes
    ----------
    compute : callable
        No arguments; returns the expected answer (float or str).
    question : str
        The exact question, with units and conventions.
    hint : str
        Printed when an answer is not (yet) right; never contains the answer.
    atol : float or callable
        Absolute tolerance, or a function of no arguments returning it.
    rtol : float
        Relative tolerance (fraction of the expected answer).
    """

    compute: Callable[[], object]
    question: str
    hint: str
    atol: float | Callable[[], float] = 0.0
    rtol: float = 0.0

    def tolerance(self, expected: float) -> float:
        atol = self.atol() if callable(self.atol) else self.atol
        return float(atol) + self.rtol * abs(float(expected))


#: Exercise id -> :class:`Exercise`; ids are ``"<lesson>-<name>"``.
EXERCISES: dict[str, Exercise] = {}


def exercise(exercise_id: str, *, question: str, hint: str, atol=0.0, rtol: float = 0.0):
    """Decorator registering a function of no arguments as the answer of ``exercise_id``."""
    def register(fn):
        if exercise_id in EXERCISES:
            raise ValueError(f"exercise {exercise_id!r} is already registered")
        EXERCISES[exercise_id] = Exercise(compute=functools.cache(fn), question=question, hint=hint,
                                          atol=atol, rtol=rtol)
        return fn
    return register


def _get(exercise_id: str) -> Exercise:
    if exercise_id not in EXERCISES:
        raise KeyError(f"unknown exercise id {exercise_id!r}; known ids: {', '.join(sorted(EXERCISES))}")
    return EXERCISES[exercise_id]


def question(exercise_id: str) -> str:
    """The exact question of an exercise (units and conventions included)."""
    return _get(exercise_id).question


def _normal_text(s: str) -> str:
    return " ".join(str(s).strip().lower().replace("_", " ").replace("-", " ").split())


def _is_right(ex: Exercise, answer) -> tuple[bool, str]:
    """Whether ``answer`` is right, and an extra hint (never the expected value)."""
    expected = ex.compute()
    if isinstance(expected, str):
        return _normal_text(answer) == _normal_text(expected), ""
    try:
        x = float(answer.replace(",", "") if isinstance(answer, str) else answer)
    except (TypeError, ValueError):
        return False, " (the answer is a number)"
    if not np.isfinite(x):
        return False, " (the answer is a finite number)"
    return abs(x - float(expected)) <= ex.tolerance(float(expected)), ""


def check(exercise_id: str, answer) -> bool:
    """Check an answer: print ``✓ correct`` or ``✗ not yet — hint: …`` and return True/False.

    Parameters
    ----------
    exercise_id : str
        A key of :data:`EXERCISES`, e.g. ``"02-shares-to-buy"``.
    answer : float or str
        The reader's answer, in the units the question states.

    Raises
    ------
    KeyError
        For an unknown id; the message lists the known ids.
    """
    ex = _get(exercise_id)
    right, extra = _is_right(ex, answer)
    print(CORRECT if right else NOT_YET + ex.hint + extra)
    return right


# --- the exercises ------------------------------------------------------------------------


@functools.cache
def _calm():
    return datasets.load("calm")


@exercise(
    "01-gamma-atm", rtol=0.005,
    question="Black–Scholes gamma of a call with spot 100, strike 100, 30 calendar days to expiry "
             "(T = 30/365), IV 20%, r = q = 0; per $1 of spot.",
    hint="bs.gamma(S, K, T, sigma) with T in years; gamma is the same for a call and a put.",
)
def _gamma_atm():
    return hedging.option_greeks(100.0, strike=100.0, days=30.0, iv=0.20)["gamma"]


@exercise(
    "02-shares-to-buy", atol=0.5,
    question="A dealer is short 100 at-the-money calls (multiplier 100) with delta 0.50. How many "
             "shares must it buy to be delta-neutral?",
    hint="shares = −position × multiplier × delta, with position negative when short.",
)
def _shares_to_buy():
    return hedging.hedge_ticket(-100, 100.0, 100.0, 0.50, 0.05).shares_now


@exercise(
    "02-gamma-rehedge", atol=0.5,
    question="Same dealer (short 100 calls, multiplier 100); gamma 0.05 per $1. Spot rises $1: how "
             "many more shares must it buy (gamma estimate)?",
    hint="the delta of each call rises by gamma × move; multiply by contracts and multiplier.",
)
def _gamma_rehedge():
    return hedging.hedge_ticket(-100, 100.0, 101.0, 0.50, 0.05).trade_linear


@exercise(
    "03-total-calm", atol=0.05,
    question="Total GEX of data/spx_calm.csv in $bn per 1% move (practitioner sign, model gamma).",
    hint="gex.total_gex(snap) is in dollars per 1% move; divide by 1e9 for $bn.",
)
def _total_calm():
    return gex.total_gex(_calm(), sign="practitioner", gamma="model") / 1e9


@exercise(
    "04-zero-gamma-calm", atol=lambda: 0.001 * _calm().spot,
    question="Zero-gamma level of data/spx_calm.csv (practitioner sign, model gamma profile), index "
             "points, to within 0.1% of spot.",
    hint="gex.zero_gamma(snap) returns a Level; its .value is the crossing nearest spot.",
)
def _zero_gamma_calm():
    return gex.zero_gamma(_calm(), sign="practitioner").value


@exercise(
    "05-call-wall-calm", atol=0.5,
    question="Call wall of data/spx_calm.csv (practitioner sign, model gamma): the strike with the "
             "largest |call GEX| summed over expiries, index points.",
    hint="gex.walls(snap) returns a dict with 'call_wall' and 'put_wall'.",
)
def _call_wall_calm():
    return gex.walls(_calm(), sign="practitioner", gamma="model")["call_wall"]


# Every lesson's own exercises (gexlib/course/answers/lNN.py) register themselves on import; importing them
# here, once the registry and the decorator exist, makes EXERCISES complete as soon as this module is.
from . import answers  # noqa: E402,F401
