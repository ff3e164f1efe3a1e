"""Course command line: ``python -m gexlib.course student [--out DIR] [--wheel WHEEL]`` and
``python -m gexlib.course course [--out DIR]``."""

from __future__ import annotations

import argparse
import sys


def _student(args) -> int:
    from . import student

    if args.wheel:
        student.build(args.out, wheel=args.wheel)
    else:
        student.build(args.out)
    return 0


def _points(text: str) -> tuple[str, float]:
    key, sep, value = text.partition("=")
    try:
        if not sep or not key.strip():
            raise ValueError
        return key.strip(), float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected ID=POINTS (e.g. 03-stressed-puts-x2=2), got {text!r}") from None


def _course(args) -> int:
    from . import grading

    grading.build(args.out, points=dict(args.points) or None, written=not args.no_written)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m gexlib.course", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    st = sub.add_parser("student", help="write the student edition: the lessons without solutions, a wheel, a zip",
                        description="Write the student edition of the lessons into OUT: notebooks/ (every "
                                    "exercise kept, every solution removed, outputs and widget state cleared), "
                                    "the student wheel of gexlib (its data, and stored acceptance intervals "
                                    "instead of the answer code), requirements.txt, README.md and "
                                    "gexlib-student.zip. Fails if a lesson has no exercises or no solutions, "
                                    "or unbalanced markers.")
    st.add_argument("--out", default="_build/student",
                    help="output folder; its notebooks/ and wheel are replaced (default: _build/student)")
    st.add_argument("--wheel", help="ship this wheel instead of building the student wheel")
    st.set_defaults(func=_student)
    co = sub.add_parser("course", help="write an nbgrader course directory: each lesson a graded assignment",
                        description="Write an nbgrader course directory into OUT: nbgrader_config.py, README.md "
                                    "and source/<lesson>/<lesson>.ipynb for each lesson, whose exercises become "
                                    "answer cells graded by hidden tests (self-checked exercises) or by hand "
                                    "(written ones). Then, in OUT: nbgrader generate_assignment <lesson>.")
    co.add_argument("--out", default="_build/course",
                    help="course directory; its source/ lessons, nbgrader_config.py and README.md are "
                         "rewritten, the rest is kept (default: _build/course)")
    co.add_argument("--points", action="append", type=_points, default=[], metavar="ID=POINTS",
                    help="points of one graded answer, by self-check id or by written exercise label "
                         "(ex-05-4); repeat as needed. Default 1 each")
    co.add_argument("--no-written", action="store_true",
                    help="leave exercises without a self-check out, instead of grading their written "
                         "answer by hand")
    co.set_defaults(func=_course)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (OSError, ValueError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"gexlib {args.command}: {msg}", file=sys.stderr)
        return 2
