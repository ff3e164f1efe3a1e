"""What every per-lesson answer test asserts of a value it recomputed by its own route."""

from gexlib.course import exercises


def accepted_and_misses_rejected(ex_id, value):
    """The self-check accepts ``value`` and rejects every near miss the exercise declares."""
    assert exercises.is_right(ex_id, value), (ex_id, value)
    for what, wrong in exercises.near_misses(ex_id).items():
        assert not exercises.is_right(ex_id, wrong), (ex_id, what, wrong)
