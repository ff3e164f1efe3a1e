"""Course command line: ``python -m gexlib.course student [--out DIR] [--wheel WHEEL]``."""

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
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (OSError, ValueError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"gexlib {args.command}: {msg}", file=sys.stderr)
        return 2
