"""Command line: ``python -m gexlib levels PATH`` and ``python -m gexlib synth``.

The course commands (the student edition) live in ``python -m gexlib.course``: the core never imports the course.
"""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from . import conventions as cv
from .chain import ChainError


def _read_chain(path: str):
    """Read a Cboe download or a tidy CSV (:func:`gexlib.chain.read` tells them apart and
    opens the file: its errors name the file)."""
    from .chain import read

    return read(path)


def _read_history(path: str) -> pd.DataFrame:
    try:
        h = pd.read_csv(path, index_col=0, parse_dates=True)
    except (ValueError, UnicodeDecodeError) as err:  # pandas' messages do not name the file
        raise ChainError(f"{path}: cannot read the history CSV ({err})") from None
    if "skew" not in h.columns:
        raise ChainError(f"{path}: history has no 'skew' column")
    return h


def _levels(args) -> int:
    from .sheet import format_sheet, levels

    snap = _read_chain(args.path)
    hist = _read_history(args.history) if args.history else None
    lv = levels(snap, sign=args.sign, gamma=args.gamma, time=args.time, carry=args.carry, iv=args.iv,
                r=args.r, q=args.q, flip=args.flip, history=hist)
    if args.json:
        from .sheet import KEYS

        print(json.dumps({k: lv[k] for k in KEYS}))
    else:
        print(format_sheet(lv))
    return 0


def _synth(args) -> int:
    from . import synth

    synth.write_dataset(args.out, progress=lambda msg: print(msg, file=sys.stderr))
    if not args.no_history:
        from . import history

        history.write_history(args.out, progress=lambda msg: print(msg, file=sys.stderr))
    return 0



def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m gexlib", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    lv = sub.add_parser("levels", help="print the levels sheet of an option chain")
    lv.add_argument("path", help="a Cboe delayed-quotes CSV download, or a tidy gexlib CSV")
    lv.add_argument("--sign", choices=sorted(cv.SIGNS), default=cv.SIGN)
    lv.add_argument("--gamma", choices=cv.GAMMA_SOURCES, default=cv.GAMMA)
    lv.add_argument("--time", choices=cv.TIME_CONVENTIONS, default=cv.TIME)
    lv.add_argument("--carry", choices=cv.CARRY_CONVENTIONS, default=cv.CARRY,
                    help=f"rate and dividend behind each forward (default {cv.CARRY})")
    lv.add_argument("--iv", choices=cv.IV_SOURCES, default=cv.IV,
                    help=f"the file's IV column, or IV re-solved from bid/ask mids (default {cv.IV})")
    lv.add_argument("--r", type=float, default=cv.RATE,
                    help="rate, decimal per year, for --carry given (and the fallback of parity)")
    lv.add_argument("--q", type=float, default=cv.DIVIDEND,
                    help="dividend yield, decimal per year, for --carry given (and the fallback of parity)")
    lv.add_argument("--flip", choices=("zero_gamma", "cumulative"), default="zero_gamma",
                    help="level whose negative side fires the regime trigger")
    lv.add_argument("--history", help="history CSV with a 'skew' column, for the skew trigger")
    lv.add_argument("--json", action="store_true", help="print one JSON object")
    lv.set_defaults(func=_levels)
    sy = sub.add_parser("synth", help="regenerate the shipped synthetic data files")
    sy.add_argument("--out", default="data", help="output folder (default: data)")
    sy.add_argument("--no-history", action="store_true", help="skip the daily history (slow part)")
    sy.set_defaults(func=_synth)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (OSError, ChainError, ValueError, UnicodeDecodeError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"gexlib {args.command}: {msg}", file=sys.stderr)
        return 2
