"""SqueezeMetrics' published daily series (``DIX.csv``): the reader and its checks.

SqueezeMetrics publishes a free daily download, ``DIX.csv``, with one line per trading day
(the header first):

==========  ===================================================================
column      meaning
==========  ===================================================================
``date``    trading day, ``YYYY-MM-DD``
``price``   S&P 500 index close (index points)
``dix``     SqueezeMetrics' dark index, a dark-pool short-volume ratio (fraction, 0 to 1)
``gex``     SqueezeMetrics' gamma exposure estimate (dollars; their own positioning model,
            defined in their white paper, not the open-interest sum of :mod:`gexlib.gex`)
==========  ===================================================================

:func:`read_dix` returns a DataFrame indexed by date with float columns ``price``, ``dix``
and ``gex``, or raises :class:`DixError` naming the file, the 1-based line number and the
column. It refuses:

* a missing column, an empty cell, a cell that is not a number, or NaN / infinity;
* a date not written ``YYYY-MM-DD``;
* a price that is zero or negative, a ``dix`` outside [0, 1];
* a date equal to an earlier line's (a duplicate) or before it (lines out of order);
* a gap: more than ``max_skipped`` business days (Mon–Fri) missing between two lines
  (default :data:`gexlib.conventions.MAX_SKIPPED_DAYS`). Exchange holidays skip one
  business day; the two-day closure for Hurricane Sandy in October 2012 skips two.

The file is SqueezeMetrics' data; gexlib ships no copy of it.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from pathlib import Path
from typing import NoReturn

import numpy as np
import pandas as pd

from . import conventions as cv

#: Columns of the download, in its order.
COLUMNS = ("date", "price", "dix", "gex")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class DixError(ValueError):
    """A daily series file that cannot be used; the message names file, line and column."""


def _fail(path, line: int, column: str, problem: str) -> NoReturn:
    raise DixError(f"{path} line {line}, column '{column}': {problem}")


def _number(path, line: int, column: str, cell: str) -> float:
    if cell == "":
        _fail(path, line, column, "empty")
    try:
        x = float(cell)
    except ValueError:
        _fail(path, line, column, f"{cell!r} is not a number")
    if not math.isfinite(x):
        _fail(path, line, column, f"{cell!r} is not a finite number")
    return x


def read_dix(path, *, max_skipped: int = cv.MAX_SKIPPED_DAYS) -> pd.DataFrame:
    """Read SqueezeMetrics' ``DIX.csv`` as downloaded into a validated daily DataFrame.

    Parameters
    ----------
    path : str or pathlib.Path
        The file (UTF-8, an optional byte-order mark, any line endings). Columns are found
        by name in the header line (case and surrounding spaces ignored); others are ignored.
    max_skipped : int
        Largest number of business days (Mon–Fri) that may be missing between two
        consecutive lines; more is a gap.

    Returns
    -------
    pandas.DataFrame
        Index ``date`` (naive dates, increasing, unique); columns ``price`` (index points),
        ``dix`` (fraction) and ``gex`` (dollars), floats.

    Raises
    ------
    DixError
        Naming the file, the line (1-based, the header is line 1) and the column.
    FileNotFoundError
        When ``path`` does not exist.
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise DixError(f"{path}: not UTF-8 text ({err})") from None
    lines = re.split(r"\r\n|\r|\n", text)
    header_at = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if header_at is None:
        raise DixError(f"{path}: empty file")
    header = [h.strip().lower() for h in next(csv.reader([lines[header_at]]))]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise DixError(f"{path} line {header_at + 1}: no column {', '.join(repr(c) for c in missing)} in the "
                       f"header (expected {', '.join(COLUMNS)})")
    pos = {c: header.index(c) for c in COLUMNS}
    dates, rows, seen = [], [], {}
    for i in range(header_at + 1, len(lines)):
        if not lines[i].strip():
            continue
        line = i + 1
        cells = [c.strip() for c in next(csv.reader([lines[i]]))]
        if len(cells) < len(header):
            absent = next(c for c in COLUMNS if pos[c] >= len(cells))
            _fail(path, line, absent, f"missing ({len(cells)} fields, the header has {len(header)})")
        raw = cells[pos["date"]]
        if not _ISO_DATE.fullmatch(raw):
            _fail(path, line, "date", f"{raw!r} is not a date written YYYY-MM-DD")
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            _fail(path, line, "date", f"{raw!r} is not a calendar date")
        if day in seen:
            _fail(path, line, "date", f"{raw} repeats line {seen[day]} (duplicate day)")
        if dates:
            prev, prev_line = dates[-1], seen[dates[-1]]
            if day < prev:
                _fail(path, line, "date", f"{raw} comes after {prev} on line {prev_line} (lines must be in date order)")
            skipped = int(np.busday_count(prev + dt.timedelta(days=1), day))
            if skipped > max_skipped:
                _fail(path, line, "date", f"gap: {skipped} business days missing between {prev} (line {prev_line}) "
                                          f"and {raw}; at most {max_skipped} may be")
        price = _number(path, line, "price", cells[pos["price"]])
        if price <= 0:
            _fail(path, line, "price", f"{cells[pos['price']]!r} is not a positive price")
        dix = _number(path, line, "dix", cells[pos["dix"]])
        if not 0.0 <= dix <= 1.0:
            _fail(path, line, "dix", f"{cells[pos['dix']]!r} is outside [0, 1]")
        gex = _number(path, line, "gex", cells[pos["gex"]])
        seen[day] = line
        dates.append(day)
        rows.append((price, dix, gex))
    if len(rows) < 2:
        raise DixError(f"{path}: {len(rows)} data line(s); a daily series needs at least 2")
    index = pd.DatetimeIndex(pd.to_datetime(dates), name="date")
    return pd.DataFrame(rows, index=index, columns=list(COLUMNS[1:]), dtype=float)


__all__ = ["COLUMNS", "DixError", "read_dix"]
