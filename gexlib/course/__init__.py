"""The course: what exists only for the lessons.

Dashboards (:mod:`~gexlib.course.widgets`), the exercise registry and self-checks
(:mod:`~gexlib.course.exercises`, one module of answers per lesson in ``answers/``) and the student
edition (:mod:`~gexlib.course.student`). The core (``gexlib.bs``, ``chain``, ``gex``, ...) answers
questions about options and chains and never imports this package.
"""
