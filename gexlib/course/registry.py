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

import dataclasses
import functools
import hashlib
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


@dataclass(frozen=True)
class Stored:
    """An exercise as the student edition ships it: what is accepted, and no code that computes it.

    Attributes
    ----------
    question, hint : str
        As in :class:`Exercise`.
    lo, hi : float or None
        A number is right when ``lo <= answer <= hi`` (the expected answer ± its tolerance).
    text_sha256 : str or None
        For a text exercise: SHA-256 of the exercise id and the accepted text, normalised as
        :func:`check` compares text (the word itself is not stored).
    """

    question: str
    hint: str
    lo: float | None = None
    hi: float | None = None
    text_sha256: str | None = None


#: Exercise id -> :class:`Exercise` (or :class:`Stored` in the student edition); ids are ``"<lesson>-<name>"``.
EXERCISES: dict[str, Exercise | Stored] = {}
#: The file of :class:`Stored` exercises that replaces the answer modules in the student edition's wheel.
STORED_NAME = "stored.json"
#: Version of the layout of that file.
STORED_FORMAT = 1


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


def _text_digest(exercise_id: str, text) -> str:
    return hashlib.sha256(f"{exercise_id}\0{_normal_text(text)}".encode()).hexdigest()


def _number(answer) -> tuple[float | None, str]:
    """The answer as a finite float, or None and the reason."""
    try:
        x = float(answer.replace(",", "") if isinstance(answer, str) else answer)
    except (TypeError, ValueError):
        return None, " (the answer is a number)"
    if not np.isfinite(x):
        return None, " (the answer is a finite number)"
    return x, ""


def _is_right(ex: Exercise | Stored, answer, exercise_id: str = "") -> tuple[bool, str]:
    """Whether ``answer`` is right, and an extra hint (never the expected value)."""
    if isinstance(ex, Stored):
        if ex.text_sha256 is not None:
            return _text_digest(exercise_id, answer) == ex.text_sha256, ""
        x, why = _number(answer)
        return (x is not None and ex.lo <= x <= ex.hi), why
    expected = ex.compute()
    if isinstance(expected, str):
        return _normal_text(answer) == _normal_text(expected), ""
    x, why = _number(answer)
    if x is None:
        return False, why
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
    right, extra = _is_right(ex, answer, exercise_id)
    print(CORRECT if right else NOT_YET + ex.hint + extra)
    return right


def near_misses(exercise_id: str) -> dict[str, object]:
    """The declared near misses of an exercise (``{}`` when none are declared)."""
    ex = _get(exercise_id)
    return {} if getattr(ex, "near_misses", None) is None else dict(ex.near_misses())


def is_right(exercise_id: str, answer) -> bool:
    """Whether ``answer`` passes the check, without printing anything."""
    return _is_right(_get(exercise_id), answer, exercise_id)[0]


def stored(exercise_id: str) -> Stored:
    """The :class:`Stored` form of a registered exercise: its answer computed now, kept as an interval.

    A numeric answer ``e`` with tolerance ``t`` becomes ``[e − t, e + t]``; a text answer becomes the
    digest :func:`check` compares against.
    """
    ex = _get(exercise_id)
    if isinstance(ex, Stored):
        return ex
    expected = ex.compute()
    if isinstance(expected, str):
        return Stored(ex.question, ex.hint, text_sha256=_text_digest(exercise_id, expected))
    e = float(expected)
    t = ex.tolerance(e)
    return Stored(ex.question, ex.hint, lo=e - t, hi=e + t)


def export(ids=None) -> dict:
    """Every registered exercise (or those of ``ids``) as :class:`Stored` records, ready for JSON.

    Returns
    -------
    dict
        ``{"format": STORED_FORMAT, "exercises": {id: {"question", "hint", "lo", "hi", "text_sha256"}}}``,
        ids sorted. :func:`load_stored` reads it back.
    """
    chosen = sorted(EXERCISES if ids is None else ids)
    return {"format": STORED_FORMAT,
            "exercises": {k: dataclasses.asdict(stored(k)) for k in chosen}}


def load_stored(data: dict, into: dict | None = None) -> dict:
    """Register the :class:`Stored` exercises of ``data`` (from :func:`export`) in ``into``.

    ``into`` defaults to :data:`EXERCISES`; returns it.

    Raises
    ------
    ValueError
        On another format version, or an id already registered.
    """
    target = EXERCISES if into is None else into
    if data.get("format") != STORED_FORMAT:
        raise ValueError(f"stored exercises: format {data.get('format')!r}, expected {STORED_FORMAT}")
    for k, record in data["exercises"].items():
        if k in target:
            raise ValueError(f"exercise {k!r} is already registered")
        target[k] = Stored(**record)
    return target
