"""Exercise answers per lesson: one module per lesson, each registering with :func:`gexlib.course.exercises.exercise`.

Imported at the end of :mod:`gexlib.course.exercises`, so its registry holds every lesson's ids.
"""

from . import l01, l02, l03, l04, l05, l06, l07, l08, l09, l10, l11  # noqa: F401
