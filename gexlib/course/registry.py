"""The exercise registry: :class:`Exercise`, the :func:`exercise` decorator and :func:`check`.

The answers live in one module per lesson (``answers/lNN.py``), which import this module;
:mod:`gexlib.course.exercises` imports them all, so the registry and the answers form no cycle.

Self-checking exercises: ``check(exercise_id, answer)`` without the answer in the notebook.

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
    near_misses : callable or None
        No arguments; returns ``{description: wrong answer}``, the plausible wrong answers the check
        must reject (other sign convention, units off by 1e9 or 100, the neighbouring quantity, the
        approximation the exercise exists to beat). Tests assert each is rejected.
    """

    compute: Callable[[], object]
    question: str
    hint: str
    atol: float | Callable[[], float] = 0.0
    rtol: float = 0.0
    near_misses: Callable[[], dict[str, object]] | None = None

    def tolerance(self, expected: float) -> float:
        atol = self.atol() if callable(self.atol) else self.atol
        return float(atol) + self.rtol * abs(float(expected))


#: Exercise id -> :class:`Exercise`; ids are ``"<lesson>-<name>"``.
EXERCISES: dict[str, Exercise] = {}


def exercise(exercise_id: str, *, question: str, hint: str, atol=0.0, rtol: float = 0.0,
             near_misses: Callable[[], dict[str, object]] | None = None):
    """Decorator registering a function of no arguments as the answer of ``exercise_id``.

    ``near_misses`` (no arguments, returns ``{description: wrong answer}``) declares the plausible
    wrong answers the check must reject; see :class:`Exercise`.
    """
    def register(fn):
        if exercise_id in EXERCISES:
            raise ValueError(f"exercise {exercise_id!r} is already registered")
        EXERCISES[exercise_id] = Exercise(compute=functools.cache(fn), question=question, hint=hint,
                                          atol=atol, rtol=rtol,
                                          near_misses=None if near_misses is None else functools.cache(near_misses))
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


def near_misses(exercise_id: str) -> dict[str, object]:
    """The declared near misses of an exercise (``{}`` when none are declared)."""
    ex = _get(exercise_id)
    return {} if ex.near_misses is None else dict(ex.near_misses())


def is_right(exercise_id: str, answer) -> bool:
    """Whether ``answer`` passes the check, without printing anything."""
    return _is_right(_get(exercise_id), answer)[0]
