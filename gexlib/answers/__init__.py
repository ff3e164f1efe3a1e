"""Exercise answers per lesson: one module per lesson, each registering with :func:`gexlib.exercises.exercise`.

Imported by :func:`gexlib.exercises._get` on first use, so ``check("03-…", x)`` finds every lesson's ids.
"""

from . import l01, l02, l03, l04, l05  # noqa: F401
