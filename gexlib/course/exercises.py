"""Self-checking exercises: ``check(exercise_id, answer)`` without the answer in the notebook.

Each exercise in :data:`EXERCISES` computes its own answer from gexlib and the shipped data when
it is checked, so no answer is written anywhere in a lesson. :func:`check` prints ``✓ correct`` or
``✗ not yet — hint: …`` and never shows the expected value, not even in an error message.

Adding an exercise is one decorated function in the lesson's own module
``gexlib/course/answers/lNN.py`` (the decorator and the registry are in
:mod:`gexlib.course.registry`)::

    @exercise("03-put-wall-calm", atol=0.5,
              question="Put wall of data/spx_calm.csv (practitioner sign, model gamma), index points.",
              hint="gex.walls(snap)['put_wall'] — the strike with the largest |put GEX|.",
              near_misses=lambda: {"call wall": gex.walls(datasets.load("calm"))["call_wall"]})
    def _():
        return gex.walls(datasets.load("calm"))["put_wall"]

``atol`` and ``rtol`` are the tolerances (``|answer − expected| <= atol + rtol × |expected|``);
``atol`` may also be a function of no arguments (e.g. 0.1% of a snapshot's spot).
A function returning a string makes a text exercise (compared case-insensitively,
spaces and underscores alike).
"""

from . import answers  # noqa: F401  (each lesson's module registers its exercises on import)
from .registry import (
    CORRECT,
    EXERCISES,
    NOT_YET,
    Exercise,
    Stored,
    check,
    exercise,
    export,
    is_right,
    near_misses,
    question,
)

__all__ = ["CORRECT", "EXERCISES", "NOT_YET", "Exercise", "Stored", "check", "exercise", "export", "is_right",
           "near_misses", "question"]
