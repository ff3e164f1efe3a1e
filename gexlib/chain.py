"""Option-chain snapshots: the schema, validation and readers.

A :class:`Snapshot` is one point-in-time option chain: the underlying, its spot,
the time of the quote and one row per contract in :attr:`Snapshot.options`.

Columns of ``Snapshot.options`` (one row per contract):

==============  ===============================================================
column          meaning
==============  ===============================================================
``expiry``      settlement timestamp (tz-aware, America/New_York)
``root``        option root, e.g. ``"SPX"`` (AM-settled) or ``"SPXW"`` (PM)
``strike``      strike price (index points or dollars)
``type``        ``"C"`` or ``"P"``
``oi``          open interest (contracts, float)
``iv``          implied volatility (decimal per year; 0 where the file has none)
``volume``      traded volume (contracts)
``bid``         bid price
``ask``         ask price
``chain_delta`` delta published in the file (NaN when unavailable)
``chain_gamma`` gamma published in the file (per unit of underlying; NaN when unavailable)
==============  ===============================================================

Two file formats are read and written here:

* the Cboe "delayed quotes" download (:func:`read_cboe`, :func:`write_cboe`),
  one line per (expiry, strike) with calls on the left and puts on the right;
* a tidy CSV with one line per contract (:func:`read_csv`, :func:`write_csv`).

Both readers share one validation path, so a file that is wrong in the same way
fails with the same kind of :class:`ChainError`, whose message names the file,
the 1-based line number in that file and the column. Both readers drop the
contracts that have settled at or before the snapshot time and count them in
``Snapshot.dropped["expired"]`` (always present, possibly 0); the Cboe reader
also counts half-rows without an option symbol in ``dropped["no_contract"]``
(present only when not 0).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import numpy as np
import pandas as pd

from . import conventions as cv

OPTION_COLUMNS = (
    "expiry", "root", "strike", "type", "oi", "iv", "volume", "bid", "ask",
    "chain_delta", "chain_gamma",
)


class ChainError(ValueError):
    """A chain file or table that cannot be used; the message names file, row and column."""


@dataclass
class Snapshot:
    """One option chain at one moment.

    Attributes
    ----------
    underlying : str
        Name of the underlying, e.g. ``"SPX"``.
    spot : float
        Underlying price at ``asof``.
    asof : pandas.Timestamp
        Quote time, tz-aware America/New_York.
    multiplier : float
        Shares (index units) per contract, 100 for SPX and SPY options.
    options : pandas.DataFrame
        One row per live contract, columns :data:`OPTION_COLUMNS`.
    dropped : dict[str, int]
        What the reader removed and why, e.g. ``{"expired": 296}``.
    source : str
        Where the snapshot came from (a path, or ``"synthetic"``).
    quote_spot : float or None
        Spot at which ``bid`` and ``ask`` were quoted when it differs from ``spot``
        (set by :func:`gexlib.whatif.move_spot`; None: the quotes are at ``spot``).
    """

    underlying: str
    spot: float
    asof: pd.Timestamp
    options: pd.DataFrame
    multiplier: float = cv.MULTIPLIER
    dropped: dict = field(default_factory=dict)
    source: str = ""
    quote_spot: float | None = None

    def __repr__(self) -> str:  # short: notebooks print it
        return (f"Snapshot({self.underlying} spot={self.spot:.2f} asof={self.asof.isoformat()} "
                f"contracts={len(self.options)} dropped={self.dropped})")


#: The 22 columns of a Cboe delayed-quotes download, calls left, puts right.
CBOE_COLUMNS = (
    "Expiration Date", "Calls", "Last Sale", "Net", "Bid", "Ask", "Volume", "IV", "Delta",
    "Gamma", "Open Interest", "Strike", "Puts", "Last Sale", "Net", "Bid", "Ask", "Volume",
    "IV", "Delta", "Gamma", "Open Interest",
)

#: Roots whose underlying is another root's index (weekly / PM-settled series).
ROOT_FAMILY = {"SPXW": "SPX", "NDXP": "NDX", "RUTW": "RUT"}

#: Name written on the first line of :func:`write_cboe` output (else the underlying).
LONG_NAMES = {"SPX": "Standard & Poors 500 Index", "SPY": "SPDR S&P 500 ETF Trust"}

# Snapshot column -> Cboe column name, for the fields present on both sides.
_SIDE_FIELDS = {
    "bid": "Bid", "ask": "Ask", "volume": "Volume", "iv": "IV",
    "chain_delta": "Delta", "chain_gamma": "Gamma", "oi": "Open Interest",
}
_NUMERIC = ("strike", "oi", "iv", "volume", "bid", "ask", "chain_delta", "chain_gamma")
_MAY_BE_EMPTY = ("chain_delta", "chain_gamma")  # an empty cell means "not published": NaN
_NON_NEGATIVE = ("oi", "iv", "volume", "bid", "ask")

_SYMBOL = re.compile(r"^([A-Z]+)(\d{6})([CP])(\d{8})$")
# One number, optionally with thousands separators ("1,234.5"), at least one digit.
_NUMBER = re.compile(r"[+-]?(?=\.?\d)(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d*)?(?:[eE][+-]?\d+)?")
_ISO_WITH_OFFSET = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:?\d{2}|Z)"

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_MONTH_NUMBER = {**{m.lower(): i for i, m in enumerate(_MONTHS, 1)},
                 **{m[:3].lower(): i for i, m in enumerate(_MONTHS, 1)}}
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_ZONE_HOURS = {"EDT": -4, "EST": -5}

# The date line, after "Date:": a date in one of two shapes, then a clock time and a zone.
_DATE_SHAPES = (
    r"(?P<month>[A-Za-z]+)\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})",  # September 14, 2023
    r"(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]+)\s+(?P<year>\d{4})",  # 11 September 2024
)
_CLOCK = (r",?\s+(?:at\s+)?(?P<hour>\d{1,2}):(?P<minute>\d{2})(?:\s*(?P<ampm>AM|PM))?"
          r"\s+(?P<zone>EDT|EST|GMT[+-]\d{1,2})")
_DATE_LINES = tuple(re.compile(rf"Date:\s*{shape}{_CLOCK}") for shape in _DATE_SHAPES)
_EXPIRATION = re.compile(r"(?P<weekday>[A-Za-z]{3})\s+(?P<month>[A-Za-z]{3})\s+"
                         r"(?P<day>\d{1,2})\s+(?P<year>\d{4})")
_PREAMBLE_KEY = re.compile(r"(?:Bid|Ask|Size|Volume|Last|Change)\s*:")


# ---------------------------------------------------------------------------
# errors


def _at(source: str, rows, span: bool = False) -> str:
    """``"<file> row 5"``, ``"<file> rows 5 and 9"`` or, with ``span``, ``"<file> rows 1-4"``."""
    rows = sorted({int(r) for r in rows})
    if len(rows) == 1:
        return f"{source} row {rows[0]}"
    if span:
        return f"{source} rows {rows[0]}-{rows[-1]}"
    return f"{source} rows " + " and ".join(str(r) for r in rows)


def _fail(source: str, rows, column: str, problem: str, span: bool = False) -> NoReturn:
    """Raise :class:`ChainError` naming file, row(s) and column (``column`` comes quoted,
    or as ``"columns ..."`` when several)."""
    where = column if column.startswith("columns ") else f"column {column}"
    raise ChainError(f"{_at(source, rows, span)}, {where}: {problem}")


def _cboe_label(name: str, kind: str | None = None) -> str:
    """Column of a Cboe file holding snapshot field ``name`` for option type ``kind``."""
    if name == "expiry":
        return "'Expiration Date'"
    if name == "strike":
        return "'Strike'"
    if name in ("symbol", "contract", "root", "type"):
        return "'Calls'" if kind == "C" else "'Puts'"
    return f"'{_SIDE_FIELDS[name]}' ({'calls' if kind == 'C' else 'puts'})"


def _tidy_label(name: str, kind: str | None = None) -> str:
    """Column of a tidy file (or snapshot table) holding field ``name``."""
    if name == "contract":
        return "columns 'expiry', 'strike' and 'type'"
    return f"'{name}'"


# ---------------------------------------------------------------------------
# text and numbers


def _read_lines(path) -> list[str]:
    """Lines of a text file (UTF-8, optional byte-order mark), without line endings."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise ChainError(f"{path}: not UTF-8 text ({err})") from None
    lines = re.split(r"\r\n|\r|\n", text)
    return lines[:-1] if lines and lines[-1] == "" else lines


def _fields(line: str) -> list[str]:
    """CSV fields of one line, whitespace-stripped, trailing empty fields removed."""
    fields = [f.strip() for f in next(csv.reader([line]), [])]
    while fields and not fields[-1]:
        fields.pop()
    return fields


def _scalar_number(text: str) -> float | None:
    """A finite number from ``text`` (thousands separators allowed), else None."""
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        return None
    value = float(text.replace(",", ""))
    return value if np.isfinite(value) else None


def _to_float(cells: np.ndarray, optional: bool) -> tuple[np.ndarray, int | None]:
    """Floats from an array of number strings, and the position of the first bad cell.

    Plain numbers take the vectorised path; only the few other cells (empty,
    thousands separators, text) go through :func:`_scalar_number`. An empty cell
    becomes NaN when ``optional``, else it is bad.
    """
    try:
        values = cells.astype(float)
    except (TypeError, ValueError):
        values = pd.to_numeric(cells, errors="coerce").astype(float)
    for i in np.flatnonzero(~np.isfinite(values)):
        value = _scalar_number(str(cells[i]))
        if value is None:
            if not (optional and not str(cells[i]).strip()):
                return values, int(i)
            value = np.nan
        values[i] = value
    return values, None


def _parse_numbers(raw: pd.DataFrame, source: str, label) -> pd.DataFrame:
    """Replace the text of the numeric columns of ``raw`` by floats, range-checked.

    Empty cells are errors, except in ``chain_delta`` / ``chain_gamma`` where
    they mean "not published" and become NaN. See :func:`_check_values`.
    """
    parsed = {}
    for name in _NUMERIC:
        cells = raw[name].to_numpy(dtype=object)
        parsed[name], bad = _to_float(cells, optional=name in _MAY_BE_EMPTY)
        if bad is not None:
            cell = str(cells[bad]).strip()
            problem = "is empty" if cell == "" else f"{cell!r} is not a number"
            _fail(source, [raw["line"].iloc[bad]], label(name, raw["type"].iloc[bad]), problem)
    df = raw.assign(**parsed)
    _check_values(df, source, label)
    return df


# ---------------------------------------------------------------------------
# checks shared by readers and writers


def _check_values(df: pd.DataFrame, source: str, label) -> None:
    """Strikes positive; OI, IV, volume, bid and ask finite and not negative."""
    for name in ("strike", *_NON_NEGATIVE):
        values = df[name].to_numpy(dtype=float)
        bad = ~np.isfinite(values) | (values <= 0 if name == "strike" else values < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            v = float(values[i])
            problem = (f"{v!r} is not a number" if not np.isfinite(v)
                       else f"strike {v!r} is not positive" if name == "strike"
                       else f"{v!r} is negative")
            _fail(source, [df["line"].iloc[i]], label(name, df["type"].iloc[i]), problem)


def _check_duplicates(df: pd.DataFrame, source: str, label) -> None:
    """At most one row per (expiry, strike, type); otherwise name the first two rows."""
    key = ["expiry", "strike", "type"]
    dup = df.duplicated(key, keep=False).to_numpy()
    if dup.any():
        first = df.loc[dup].iloc[0]
        same = dup & ((df[key] == first[key]).all(axis=1)).to_numpy()
        rows = df["line"].to_numpy()[same][:2]
        _fail(source, rows, label("contract", first["type"]),
              f"duplicate contract {first['type']} {first['strike']:g} "
              f"expiring {first['expiry'].isoformat()}")


def _finish(df: pd.DataFrame, *, source: str, underlying: str, spot: float,
            asof: pd.Timestamp, multiplier: float, label, dropped: dict) -> Snapshot:
    """Check for duplicates, drop the expired contracts and build the :class:`Snapshot`.

    ``df`` holds :data:`OPTION_COLUMNS` (numbers parsed and checked by
    :func:`_parse_numbers`, ``expiry`` tz-aware) plus ``line``, the 1-based line
    number of each contract in the file.
    """
    if df.empty:
        skipped = dropped.get("no_contract", 0)
        raise ChainError(f"{source}: no contracts below the header" + (
            f" ({skipped} sides without an option symbol skipped)" if skipped else ""))
    _check_duplicates(df, source, label)
    lines = df["line"].to_numpy()
    expired = (df["expiry"] <= asof).to_numpy()
    n_expired = int(expired.sum())
    if n_expired == len(df):
        _fail(source, [lines.min(), lines.max()], label("expiry"),
              f"no contracts left: all {n_expired} settle at or before the snapshot time "
              f"{asof.isoformat()} ({n_expired} expired dropped)", span=True)
    live = df.loc[~expired].astype({"root": "str", "type": "str"})
    live = live.sort_values(["expiry", "strike", "type", "line"], kind="stable")
    return Snapshot(
        underlying=underlying, spot=float(spot), asof=asof,
        options=live.loc[:, list(OPTION_COLUMNS)].reset_index(drop=True),
        multiplier=float(multiplier), dropped={"expired": n_expired, **dropped}, source=source,
    )


def _rows(lines: list[str], header_index: int, names: list[str],
          source: str) -> tuple[list[np.ndarray], np.ndarray]:
    """Data rows below the header: one object array of cell strings per column, and the
    1-based line number of each row.

    Blank lines are skipped and trailing empty cells (spreadsheet re-saves) ignored;
    a row with fewer cells than the header, or extra non-empty cells, is an error.
    """
    width = len(names)
    records, numbers = [], []
    first = header_index + 2  # 1-based number of the first line below the header
    reader = csv.reader(lines[header_index + 1:])
    consumed = 0
    for record in reader:
        line_no, consumed = first + consumed, reader.line_num
        if len(record) != width:
            record = _fit_row(record, names, source, line_no)
        if record and (record[0] or any(record)):
            records.append(record)
            numbers.append(line_no)
    columns = [np.array(c, dtype=object) for c in zip(*records, strict=True)] or [
        np.empty(0, dtype=object) for _ in names]
    return columns, np.array(numbers, dtype=np.int64)


def _fit_row(record: list[str], names: list[str], source: str, line_no: int) -> list[str]:
    """A row cut to the header's width: extra cells must be empty; a short row is an
    error unless it is blank (then it is returned empty, to be skipped)."""
    width = len(names)
    if len(record) > width:
        if any(c.strip() for c in record[width:]):
            _fail(source, [line_no], f"{width + 1} (after '{names[-1]}')",
                  f"the row has {len(record)} cells, the header {width}")
        return record[:width]
    if not any(c.strip() for c in record):
        return []
    _fail(source, [line_no], f"{len(record) + 1} ('{names[len(record)]}')",
          f"missing: the row has {len(record)} cells, the header {width}")


# ---------------------------------------------------------------------------
# Cboe layout


def _parse_date_text(text: str) -> pd.Timestamp:
    """Quote time of a Cboe date line such as ``Date: September 14, 2023 at 4:31 PM EDT``.

    Accepted shapes (``Date:`` then one of them; ``at`` and the commas optional):
    ``<Month> <day>, <year> at <h:mm> AM|PM <zone>``, ``<Month> <day> <year>, <h:mm> ...``,
    ``<day> <Month> <year> at <HH:MM> GMT±N``; zones EDT (UTC−4), EST (UTC−5), GMT±N.
    Without AM/PM the clock is read as 24-hour. Raises ValueError for anything else.

    Returns
    -------
    pandas.Timestamp
        tz-aware, converted to America/New_York.
    """
    text = " ".join(text.split())
    match = next((m for p in _DATE_LINES if (m := p.fullmatch(text))), None)
    if match is None:
        raise ValueError("unrecognised date line")
    month = _MONTH_NUMBER.get(match["month"].lower())
    if month is None:
        raise ValueError(f"unknown month {match['month']!r}")
    hour, minute = int(match["hour"]), int(match["minute"])
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise ValueError(f"hour {hour} with {match['ampm']}")
        hour = hour % 12 + (12 if match["ampm"] == "PM" else 0)
    zone = match["zone"]
    offset = _ZONE_HOURS[zone] if zone in _ZONE_HOURS else int(zone[3:])
    if abs(offset) > 14:
        raise ValueError(f"offset {zone}")
    stamp = dt.datetime(int(match["year"]), month, int(match["day"]), hour, minute,
                        tzinfo=dt.timezone(dt.timedelta(hours=offset)))
    return pd.Timestamp(stamp).tz_convert(cv.TZ)


def _format_date_text(asof: pd.Timestamp) -> str:
    """``Date: September 14, 2023 at 4:31 PM EDT`` for a tz-aware whole-minute time."""
    t = asof.tz_convert(cv.TZ)
    zone = {-4: "EDT", -5: "EST"}[int(t.utcoffset().total_seconds() // 3600)]
    ampm = "AM" if t.hour < 12 else "PM"
    return (f"Date: {_MONTHS[t.month - 1]} {t.day}, {t.year} at "
            f"{t.hour % 12 or 12}:{t.minute:02d} {ampm} {zone}")


def _cboe_preamble(lines: list[str], source: str) -> tuple[float, pd.Timestamp]:
    """Spot (from ``Last:``) and quote time (from ``Date:``) in the lines above the header.

    Other lines (a stray line of text, blank lines) are ignored. The date may be
    one quoted cell or, unquoted, spread over several cells up to ``Bid:``.
    """
    spot_row = date_row = None
    for number, line in enumerate(lines, 1):
        fields = _fields(line)
        keys = [i for i, f in enumerate(fields) if f.startswith("Last:")]
        if spot_row is None and keys:
            spot_row = (number, fields[keys[0]][len("Last:"):])
        dates = [i for i, f in enumerate(fields) if f.startswith("Date:")]
        if date_row is None and dates:
            parts = [fields[dates[0]]]
            for f in fields[dates[0] + 1:]:
                if not f or _PREAMBLE_KEY.match(f):
                    break
                parts.append(f)
            date_row = (number, line, ", ".join(parts))
    everything = [1, max(len(lines), 1)]
    if spot_row is None:
        _fail(source, everything, "'Last'",
              "spot missing: no '<name>,Last: <spot>' line above the header", span=True)
    spot = _scalar_number(spot_row[1])
    if spot is None or spot <= 0:
        text = spot_row[1].strip()
        _fail(source, [spot_row[0]], "'Last'", f"spot missing: {text!r} is not a positive number"
              if text else "spot missing: no number after 'Last:'")
    if date_row is None:
        _fail(source, everything, "'Date'", "no 'Date: ...' line above the header", span=True)
    try:
        asof = _parse_date_text(date_row[2])
    except ValueError as err:
        _fail(source, [date_row[0]], "'Date'", f"cannot read the date line {date_row[1]!r} "
              f"({err}); expected e.g. 'Date: September 14, 2023 at 4:31 PM EDT'")
    return spot, asof


def _cboe_header(line: str, row: int, source: str) -> tuple[list[str], dict]:
    """Header cells and, per option type, the position of each needed column."""
    names = _fields(line)
    markers = {}
    for name in ("Expiration Date", "Calls", "Strike", "Puts"):
        if name not in names:
            _fail(source, [row], f"'{name}'", "missing from the header")
        markers[name] = names.index(name)
    stops = sorted(markers.values()) + [len(names)]
    where = {"date": markers["Expiration Date"], "strike": markers["Strike"]}
    for kind, start in (("C", markers["Calls"]), ("P", markers["Puts"])):
        stop = min(s for s in stops if s > start)
        block = names[start + 1:stop]
        side = {"symbol": start}
        for key, name in _SIDE_FIELDS.items():
            if name not in block:
                _fail(source, [row], _cboe_label(key, kind), "missing from the header")
            side[key] = start + 1 + block.index(name)
        where[kind] = side
    return names, where


def _cboe_long(columns: list[np.ndarray], numbers: np.ndarray,
               where: dict) -> tuple[pd.DataFrame, int]:
    """One text row per contract (call side, then put side); sides with no symbol skipped."""
    frames = []
    for kind in ("C", "P"):
        side = where[kind]
        symbols = np.array([c.strip() for c in columns[side["symbol"]]], dtype=object)
        frames.append(pd.DataFrame({
            "date": columns[where["date"]], "strike": columns[where["strike"]],
            "symbol": symbols, **{key: columns[side[key]] for key in _SIDE_FIELDS},
        }, dtype=object).assign(line=numbers, type=kind))
    raw = pd.concat(frames, ignore_index=True)
    has_symbol = (raw["symbol"] != "").to_numpy()
    return raw.loc[has_symbol].reset_index(drop=True), int((~has_symbol).sum())


def _expiration_date(text: str) -> np.datetime64 | None:
    """``Thu Sep 14 2023`` -> 2023-09-14 (the weekday must agree), else None."""
    m = _EXPIRATION.fullmatch(text.strip())
    month = m and _MONTH_NUMBER.get(m["month"].lower())
    if not month:
        return None
    try:
        day = dt.date(int(m["year"]), month, int(m["day"]))
    except ValueError:
        return None
    return np.datetime64(day, "D") if _WEEKDAYS[day.weekday()] == m["weekday"].title() else None


def _symbol_date(yymmdd: str) -> np.datetime64 | None:
    """``230914`` -> 2023-09-14, else None."""
    try:
        return np.datetime64(dt.date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])))
    except ValueError:
        return None


def _dates(texts: np.ndarray, parse) -> np.ndarray:
    """``parse`` applied once per distinct text; NaT where it returns None."""
    lookup = {t: parse(t) for t in set(texts)}
    nat = np.datetime64("NaT")
    return np.array([nat if lookup[t] is None else lookup[t] for t in texts],
                    dtype="datetime64[D]")


def _cboe_contracts(df: pd.DataFrame, source: str) -> pd.DataFrame:
    """Root, type and settlement time of each contract from its symbol and expiration date.

    The symbol's type, date and strike must agree with the side, the
    ``Expiration Date`` and the ``Strike`` cells of its row.
    """
    symbols = df["symbol"].to_numpy()

    def check(bad, name, problem):
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            _fail(source, [df["line"].iloc[i]], _cboe_label(name, df["type"].iloc[i]),
                  problem(i))

    matches = [_SYMBOL.match(s) for s in symbols]
    check(np.array([m is None for m in matches], dtype=bool), "symbol",
          lambda i: f"{symbols[i]!r} is not an option symbol "
                    "(root + yymmdd + C/P + strike x 1000 in 8 digits)")
    roots, yymmdd, kinds, codes = (np.array(c, dtype=object) for c in
                                   zip(*(m.groups() for m in matches), strict=True))
    check(kinds != df["type"].to_numpy(), "symbol",
          lambda i: f"{symbols[i]!r} is on the wrong side")
    date_text = df["date"].to_numpy()
    dates = _dates(date_text, _expiration_date)
    check(np.isnat(dates), "expiry",
          lambda i: f"{date_text[i]!r} is not a date like 'Thu Sep 14 2023'")
    check(_dates(yymmdd, _symbol_date) != dates, "symbol",
          lambda i: f"{symbols[i]!r} does not expire on {date_text[i]!r}")
    strikes = codes.astype(np.int64) / 1000.0
    check(np.abs(strikes - df["strike"].to_numpy()) > 1e-6, "strike",
          lambda i: f"strike {df['strike'].iloc[i]:g} does not match symbol {symbols[i]!r}")
    expiry = cv.settlement_time(dates, roots).dt.as_unit("ns").set_axis(df.index)
    return df.assign(expiry=expiry, root=roots)


def _family(roots: pd.Series) -> str:
    """Underlying of a set of roots: the most common root family (ties: alphabetical)."""
    counts = Counter()
    for root, n in roots.value_counts().items():
        counts[ROOT_FAMILY.get(root, root)] += int(n)
    return min(counts, key=lambda name: (-counts[name], name))


def read_cboe(path) -> Snapshot:
    """Read a Cboe delayed-quotes option-chain download.

    Layout: optional leading blank line (absent after a spreadsheet re-save),
    optionally a stray line of text, ``<name>,Last: <spot>,Change: <chg>``, the date
    line ``"Date: <time>",Bid: ...,Ask: ...,Size: ...,Volume: ...``, then the header
    :data:`CBOE_COLUMNS` (found by its text ``Expiration Date,``) and one line per
    (expiry, strike, root): the call in the left half, the put in the right half.
    Trailing commas, thousands separators in quoted cells (``"1,234"``) and a UTF-8
    byte-order mark are accepted.

    Each contract's root and type come from its symbol, e.g. ``SPXW230914C04500000``
    (root, yymmdd, C/P, strike x 1000 in 8 digits); its settlement time from the
    ``Expiration Date`` and the root via :func:`gexlib.conventions.settlement_time`
    (SPX/NDX/RUT 09:30 ET, every other root 16:00 ET).

    Decisions on incomplete rows:

    * an empty ``Calls`` / ``Puts`` symbol means there is no such contract: that
      half of the row is skipped (whatever its numbers) and counted in
      ``dropped["no_contract"]`` (key present only when the count is not zero);
    * an empty ``Delta`` or ``Gamma`` cell becomes NaN (not published);
    * every other empty number cell is an error: Cboe writes ``0``, never an empty
      cell, so an empty one means a damaged file, not a zero.

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file.

    Returns
    -------
    Snapshot
        ``underlying`` is the most common root family (SPXW counts as SPX, NDXP as
        NDX, RUTW as RUT); ``spot`` the ``Last:`` price (index points or dollars);
        ``asof`` the date line as a tz-aware America/New_York timestamp;
        ``multiplier`` 100; ``options`` the live contracts sorted by expiry, strike
        and type; ``dropped["expired"]`` the number of contracts that settled at or
        before ``asof``.

    Raises
    ------
    ChainError
        Naming the file, the line and the column: no header, missing column, no or
        non-positive spot, unreadable date line (quoted), text or empty cell in a
        number column, negative OI / IV / volume / bid / ask, non-positive strike,
        a symbol that cannot be parsed or disagrees with its row, duplicate
        (expiry, strike, type) contracts (both lines named), or no contract left
        after dropping the expired ones (the count is given).
    """
    source = str(path)
    lines = _read_lines(path)
    header = next((i for i, line in enumerate(lines)
                   if line.lstrip('\ufeff "').startswith("Expiration Date")), None)
    if header is None:
        _fail(source, [1, max(len(lines), 1)], "'Expiration Date'",
              "no header line starting 'Expiration Date,'", span=True)
    spot, asof = _cboe_preamble(lines[:header], source)
    names, where = _cboe_header(lines[header], header + 1, source)
    columns, numbers = _rows(lines, header, names, source)
    raw, no_contract = _cboe_long(columns, numbers, where)
    df = _cboe_contracts(_parse_numbers(raw, source, _cboe_label), source) if len(raw) else raw
    return _finish(
        df, source=source, underlying=_family(df["root"]) if len(df) else "",
        spot=spot, asof=asof, multiplier=cv.MULTIPLIER, label=_cboe_label,
        dropped={"no_contract": no_contract} if no_contract else {},
    )


# ---------------------------------------------------------------------------
# tidy CSV


def _tidy_metadata(lines: list[str], source: str) -> tuple[dict, int]:
    """``# key: value`` lines at the top (keys lower-cased) and the index of the header line."""
    meta = {}
    for i, line in enumerate(lines):
        text = line.strip().rstrip(",").strip()
        if not text:
            continue
        if not text.startswith("#"):
            return meta, i
        key, sep, value = text[1:].partition(":")
        if sep:
            meta[key.strip().lower()] = (value.strip(), i + 1)
    _fail(source, [1, max(len(lines), 1)], "'expiry'", "no header line", span=True)


def _tidy_preamble(meta: dict, header: int,
                   source: str) -> tuple[str, float, pd.Timestamp, float]:
    """Underlying, spot, asof and multiplier from the ``#`` lines."""
    def get(key, example):
        if key not in meta:
            _fail(source, [1, max(header, 1)], f"'# {key}'",
                  f"missing: the file must start with '# {key}: {example}'", span=True)
        return meta[key]

    underlying, row = get("underlying", "SPX")
    if not underlying:
        _fail(source, [row], "'# underlying'", "is empty")
    text, row = get("spot", "4505.1")
    spot = _scalar_number(text)
    if spot is None or spot <= 0:
        _fail(source, [row], "'# spot'", f"spot missing: {text!r} is not a positive number"
              if text else "spot missing: no number after '# spot:'")
    text, row = get("asof", "2023-09-14T16:31:00-04:00")
    try:
        if not re.fullmatch(_ISO_WITH_OFFSET, text):
            raise ValueError(text)
        asof = pd.Timestamp(text).tz_convert(cv.TZ)
    except ValueError:
        _fail(source, [row], "'# asof'", f"{text!r} is not an ISO 8601 time with a UTC offset")
    multiplier = cv.MULTIPLIER
    if "multiplier" in meta:
        text, row = meta["multiplier"]
        multiplier = _scalar_number(text)
        if multiplier is None or multiplier <= 0:
            _fail(source, [row], "'# multiplier'", f"{text!r} is not a positive number")
    return underlying, spot, asof, multiplier


def _tidy_contracts(df: pd.DataFrame, source: str) -> pd.DataFrame:
    """Expiry (ISO 8601 with offset), root (not empty) and type (C or P) of each row."""
    def check(mask, name, problem):
        if mask.any():
            i = int(np.flatnonzero(mask)[0])
            _fail(source, [df["line"].iloc[i]], f"'{name}'", problem(df[name].iloc[i]))

    expiry_text = df["expiry"].astype(str).str.strip()
    expiry = pd.to_datetime(expiry_text.where(expiry_text.str.fullmatch(_ISO_WITH_OFFSET)),
                            format="ISO8601", utc=True, errors="coerce")
    check(expiry.isna().to_numpy(), "expiry",
          lambda v: f"{v!r} is not an ISO 8601 time with a UTC offset")
    roots = df["root"].astype(str).str.strip()
    check((roots == "").to_numpy(), "root", lambda v: "is empty")
    kinds = df["type"].astype(str).str.strip()
    check(~kinds.isin(["C", "P"]).to_numpy(), "type", lambda v: f"{v!r} is not 'C' or 'P'")
    return df.assign(expiry=expiry.dt.tz_convert(cv.TZ).dt.as_unit("ns"), root=roots, type=kinds)


def read_csv(path) -> Snapshot:
    """Read a snapshot from the tidy one-row-per-contract CSV written by :func:`write_csv`.

    Format (UTF-8, ``\\n`` line endings)::

        # underlying: SPX
        # spot: 4505.1
        # asof: 2023-09-14T16:31:00-04:00
        # multiplier: 100
        expiry,root,strike,type,oi,iv,volume,bid,ask,chain_delta,chain_gamma
        2023-09-15T09:30:00-04:00,SPX,4500.0,C,1520.0,0.1391,12.0,8.4,8.9,0.52,0.0051

    * ``#`` lines come first: ``underlying``, ``spot`` (index points or dollars)
      and ``asof`` (ISO 8601 with UTC offset) are required, ``multiplier``
      (shares per contract) defaults to 100; other keys are ignored.
    * The header names the :data:`OPTION_COLUMNS` in any order (extra columns are
      ignored); one line per contract follows.
    * ``expiry`` is the settlement time in ISO 8601 with its UTC offset (it is
      taken as written, not recomputed from the root); ``type`` is ``C`` or
      ``P``; the numbers are plain decimals in the units of the module table
      (``iv`` a decimal per year). ``chain_delta`` / ``chain_gamma`` may be empty
      (NaN); every other cell must be filled.

    Validation and the dropping of expired contracts are those of
    :func:`read_cboe`: errors name the file, the line and the column.

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file.

    Returns
    -------
    Snapshot
        ``dropped`` is ``{"expired": n}``.

    Raises
    ------
    ChainError
        Missing ``#`` key or column, unreadable cell, negative value, duplicate
        contract, or no contract left after dropping the expired ones.
    """
    source = str(path)
    lines = _read_lines(path)
    meta, header = _tidy_metadata(lines, source)
    underlying, spot, asof, multiplier = _tidy_preamble(meta, header, source)
    names = _fields(lines[header])
    for name in OPTION_COLUMNS:
        if name not in names:
            _fail(source, [header + 1], f"'{name}'", "missing from the header")
    columns, numbers = _rows(lines, header, names, source)
    raw = pd.DataFrame({name: columns[names.index(name)] for name in OPTION_COLUMNS},
                       dtype=object).assign(line=numbers)
    raw["type"] = [t.strip() for t in raw["type"]]
    df = _tidy_contracts(_parse_numbers(raw, source, _tidy_label), source) if len(raw) else raw
    return _finish(df, source=source, underlying=underlying, spot=spot, asof=asof,
                   multiplier=multiplier, label=_tidy_label, dropped={})


# ---------------------------------------------------------------------------
# writers


def _checked_options(snapshot: Snapshot) -> pd.DataFrame:
    """The snapshot's contracts, validated like a file ("row" = position in ``options``)."""
    source = "Snapshot.options"
    missing = [c for c in OPTION_COLUMNS if c not in snapshot.options.columns]
    if missing:
        raise ChainError(f"{source}: missing columns {missing}")
    if snapshot.options.empty:
        raise ChainError(f"{source}: no contracts to write")
    if snapshot.asof.tzinfo is None:
        raise ChainError(f"Snapshot.asof {snapshot.asof} has no time zone")
    df = snapshot.options.loc[:, list(OPTION_COLUMNS)].reset_index(drop=True)
    if not isinstance(df["expiry"].dtype, pd.DatetimeTZDtype):
        raise ChainError(f"{source}, column 'expiry': not tz-aware timestamps "
                         f"(dtype {df['expiry'].dtype})")
    df = df.assign(line=np.arange(len(df)), expiry=df["expiry"].dt.tz_convert(cv.TZ),
                   root=df["root"].astype(str), type=df["type"].astype(str))
    bad = ~df["type"].isin(["C", "P"]).to_numpy()
    if bad.any():
        _fail(source, [int(np.flatnonzero(bad)[0])], "'type'", "not 'C' or 'P'")
    _check_values(df, source, _tidy_label)
    _check_duplicates(df, source, _tidy_label)
    return df


def _number_text(x: float) -> str:
    """Shortest decimal text that reads back as the same float, e.g. ``4505.1001``."""
    return np.format_float_positional(float(x), trim="-")


def _rounded_text(values: pd.Series, decimals: int) -> pd.Series:
    """Numbers rounded to ``decimals`` places, trailing zeros trimmed (``0.05``, ``-0.93``,
    ``0``) as Cboe writes them; NaN as an empty cell."""
    rounded = np.round(values.to_numpy(dtype=float), decimals) + 0.0  # + 0.0: no "-0"
    text = ["" if np.isnan(v) else f"{v:.{decimals}f}" for v in rounded]
    if decimals:
        text = [t.rstrip("0").rstrip(".") for t in text]
    return pd.Series(text, index=values.index, dtype=object)


def _cboe_cells(df: pd.DataFrame, source: str) -> pd.DataFrame:
    """Text of every Cboe cell of each contract, plus the row keys (date, strike, root)."""
    bad = ~df["root"].str.fullmatch(r"[A-Z]+").to_numpy()
    if bad.any():
        _fail(source, [int(np.flatnonzero(bad)[0])], "'root'", "not an option root (A-Z only)")
    dates = df["expiry"].dt.tz_localize(None).dt.normalize()
    settle = cv.settlement_time(dates, df["root"]).set_axis(df.index)
    bad = (settle != df["expiry"]).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        _fail(source, [i], "'expiry'", f"{df['expiry'].iloc[i].isoformat()} is not the "
              f"settlement time of root {df['root'].iloc[i]!r}; the Cboe layout only "
              "carries the expiry date")
    code = np.rint(df["strike"].to_numpy() * 1000.0)
    bad = (np.abs(df["strike"].to_numpy() * 1000.0 - code) > 1e-6) | (code >= 1e8)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        _fail(source, [i], "'strike'", f"{df['strike'].iloc[i]!r} cannot be written in an "
              "option symbol (8 digits, 3 decimals)")
    symbols = (df["root"] + dates.dt.strftime("%y%m%d") + df["type"]
               + pd.Series([f"{int(c):08d}" for c in code], index=df.index))
    strike = df["strike"].to_numpy()
    cells = pd.DataFrame({
        "date": dates, "strike": strike, "root": df["root"], "type": df["type"],
        "symbol": symbols,
        "bid": _rounded_text(df["bid"], 2), "ask": _rounded_text(df["ask"], 2),
        "volume": _rounded_text(df["volume"], 0), "iv": _rounded_text(df["iv"], 4),
        "chain_delta": _rounded_text(df["chain_delta"], 4),
        "chain_gamma": _rounded_text(df["chain_gamma"], 4),
        "oi": _rounded_text(df["oi"], 0),
    })
    return cells


def write_cboe(snapshot: Snapshot, path) -> Path:
    """Write a snapshot in the Cboe delayed-quotes layout read by :func:`read_cboe`.

    Output: a blank line; ``<name>,Last: <spot>,Change: 0`` (name from
    :data:`LONG_NAMES`, else the underlying); ``"Date: September 14, 2023 at 4:31 PM
    EDT",Bid: <spot>,Ask: <spot>,Size: 1*1,Volume: 0``; the header
    :data:`CBOE_COLUMNS`; one line per (expiry date, strike, root) in that order.
    Symbols are built from root, expiry date, type and strike; ``Last Sale`` and
    ``Net`` are 0; bid and ask are rounded to 2 decimals, IV, Delta and Gamma to
    4, OI and volume to whole contracts; NaN Delta / Gamma are written as empty
    cells. A (root, expiry, strike) with only one side gets an empty symbol and
    zeros on the other side, which :func:`read_cboe` skips and counts in
    ``dropped["no_contract"]``. Output is deterministic, with ``\\n`` line endings.

    Parameters
    ----------
    snapshot : Snapshot
        Its ``asof`` must be a whole minute (the layout has no seconds) and each
        ``expiry`` the settlement time of its root on its date (the layout carries
        only the date).
    path : str or os.PathLike
        Destination file (overwritten).

    Returns
    -------
    pathlib.Path
        ``path``, so that ``read_cboe(write_cboe(snap, p))`` reads it back.

    Raises
    ------
    ChainError
        If the snapshot cannot be written faithfully (see above) or fails the
        readers' validation.
    """
    source = "Snapshot.options"
    df = _checked_options(snapshot)
    asof = snapshot.asof.tz_convert(cv.TZ)
    if asof != asof.floor("min"):
        raise ChainError(f"Snapshot.asof {asof.isoformat()} is not a whole minute; the Cboe "
                         "date line has no seconds")
    cells = _cboe_cells(df, source)
    key = ["date", "strike", "root"]
    calls = cells.loc[cells["type"] == "C"].drop(columns="type")
    puts = cells.loc[cells["type"] == "P"].drop(columns="type")
    wide = calls.merge(puts, on=key, how="outer", suffixes=("_c", "_p"), sort=False)
    wide = wide.sort_values(key, kind="stable").reset_index(drop=True)
    for kind in ("c", "p"):
        wide[f"symbol_{kind}"] = wide[f"symbol_{kind}"].fillna("")
        for name in _SIDE_FIELDS:
            wide[f"{name}_{kind}"] = wide[f"{name}_{kind}"].fillna("0")
    dates = {d: f"{_WEEKDAYS[d.weekday()]} {_MONTHS[d.month - 1][:3]} {d.day:02d} {d.year}"
             for d in pd.DatetimeIndex(wide["date"].unique())}
    strikes = [f"{s:.2f}" if round(s, 2) == s else _number_text(s) for s in wide["strike"]]

    def side(kind):
        s = lambda name: wide[f"{name}_{kind}"]  # noqa: E731
        return [s("symbol"), "0", "0", s("bid"), s("ask"), s("volume"), s("iv"),
                s("chain_delta"), s("chain_gamma"), s("oi")]

    columns = [wide["date"].map(dates), *side("c"), strikes, *side("p")]
    n = len(wide)
    columns = [[c] * n if isinstance(c, str) else list(c) for c in columns]
    spot = _number_text(snapshot.spot)
    out = [
        "",
        f"{LONG_NAMES.get(snapshot.underlying, snapshot.underlying)},Last: {spot},Change: 0",
        f'"{_format_date_text(asof)}",Bid: {spot},Ask: {spot},Size: 1*1,Volume: 0',
        ",".join(CBOE_COLUMNS),
        *(",".join(row) for row in zip(*columns, strict=True)),
    ]
    path = Path(path)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(out) + "\n")
    return path


def write_csv(snapshot: Snapshot, path) -> Path:
    """Write a snapshot as the tidy one-row-per-contract CSV read by :func:`read_csv`.

    Four ``#`` lines (``underlying``, ``spot``, ``asof`` in ISO 8601 with offset,
    ``multiplier``), the header :data:`OPTION_COLUMNS`, then one line per
    contract in the snapshot's order: ``expiry`` in ISO 8601 with its UTC offset,
    numbers at full precision (they read back to the same floats), NaN as an
    empty cell. Deterministic, ``\\n`` line endings.

    Parameters
    ----------
    snapshot : Snapshot
        Must pass the readers' validation.
    path : str or os.PathLike
        Destination file (overwritten).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    df = _checked_options(snapshot).drop(columns="line")
    table = df.assign(expiry=[t.isoformat() for t in df["expiry"]],
                      **{c: df[c].astype(float) for c in _NUMERIC})
    head = [
        f"# underlying: {snapshot.underlying}",
        f"# spot: {_number_text(snapshot.spot)}",
        f"# asof: {snapshot.asof.tz_convert(cv.TZ).isoformat()}",
        f"# multiplier: {_number_text(snapshot.multiplier)}",
    ]
    body = table.to_csv(index=False, lineterminator="\n")
    path = Path(path)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(head) + "\n" + body)
    return path
