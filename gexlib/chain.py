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
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import numpy as np
import pandas as pd

from . import conventions as cv
from . import memo

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


def quotes_key(snap: Snapshot) -> str:
    """A digest of a snapshot's contracts and quotes: each contract's expiry, strike, type, bid and ask.

    Equal keys mean equal columns bit for bit. Inside :func:`gexlib.memo.scope` it is computed
    once per snapshot object. :func:`chain_key` adds the quote time and the quotes' spot.
    """
    hit = memo.lookup("quotes_key", snap, ())
    if hit is not None:
        return hit
    o = snap.options
    h = hashlib.sha1(usedforsecurity=False)
    h.update(pd.DatetimeIndex(o["expiry"]).as_unit("ns").asi8.tobytes())
    for col in ("strike", "bid", "ask"):
        h.update(np.ascontiguousarray(o[col].to_numpy(dtype=float)).tobytes())
    h.update(np.asarray(o["type"].to_numpy() == "C", dtype=bool).tobytes())
    h.update(repr(len(o)).encode())
    return memo.store("quotes_key", snap, (), h.hexdigest())


def chain_key(snap: Snapshot) -> str:
    """A digest of a snapshot's contracts and quotes: what stays put when a what-if moves a slider.

    It covers each contract's expiry, strike, type, bid and ask (:func:`quotes_key`), the quote
    time ``asof`` and the spot the quotes were made at (``quote_spot``, else ``spot``), but not
    open interest, IV, the chain's greeks or a moved ``spot``. Equal keys mean equal inputs bit
    for bit, so results that depend on those alone (times to expiry, the carry fitted from
    the quotes, the strikes' order) can be kept across the snapshots that
    :mod:`gexlib.whatif` derives from one file.
    """
    quoted = snap.spot if snap.quote_spot is None else snap.quote_spot
    return f"{quotes_key(snap)}|{pd.Timestamp(snap.asof).value}|{float(quoted)!r}"


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

_COUNTS = ("oi", "volume")  # whole contracts: thousands separators allowed ("1,540")
_GROUPED = ("strike", *_COUNTS)  # where "1,540" is unambiguous; never IV, greeks or prices

#: Largest open interest or volume accepted for one contract (contracts). The largest
#: single-series open interest on the shared SPX/SPY downloads is about 1.7e5.
MAX_CONTRACTS = 1e7
#: Largest implied volatility accepted in one cell (decimal per year, i.e. 10,000%).
#: Far out-of-the-money contracts of real downloads reach 8.4.
MAX_IV = 100.0
#: Median near-the-money IV at or above which the IV column is taken to be in percent
#: (13.9 meaning 13.9%). Measured near-the-money medians: 0.12 to 0.28 on the shared
#: downloads and the shipped chains; 500% (decimal) or below 5% (percent) would both be
#: far outside any index's history, so the two readings do not meet.
IV_PERCENT_LEVEL = 5.0
#: Strikes within this fraction of spot are "near the money" for :data:`IV_PERCENT_LEVEL`.
NEAR_MONEY = 0.05
#: Largest accepted ratio between spot and the chain's own at-the-money strike (where call
#: and put mid quotes cross), either way round. Measured on the shared downloads and the
#: shipped chains: within 1%.
SPOT_RATIO = 1.2

_SYMBOL = re.compile(r"^([A-Z]+)(\d{6})([CP])(\d{8})$")
# A plain decimal number ("0.139", "-3", ".5", "1e-3"), at least one digit.
_PLAIN = re.compile(r"[+-]?(?=\.?\d)\d*(?:\.\d*)?(?:[eE][+-]?\d+)?")
# A number with thousands separators in groups of three ("1,540", "4,500.00"). The first
# group never starts with 0, so a decimal comma ("0,139") is not read as 139.
_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d*)?")
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


_NOT_TEXT = (  # magic bytes of files that are not a CSV at all
    (b"\x1f\x8b", "a gzip-compressed file: decompress it first (gunzip)"),
    (b"PK\x03\x04", "a zip archive (or an .xlsx workbook): extract the CSV, or save "
                    "the sheet as CSV, first"),
    (b"%PDF", "a PDF document"),
)


def _decode(data: bytes, source: str) -> str:
    """Text of a file's bytes: UTF-8 (optional byte-order mark), or UTF-16 / UTF-32 when the
    file starts with their byte-order mark (a spreadsheet's "Unicode text" export).

    Anything else is refused with its reason: compressed or archived files, binary
    files (NUL bytes), and bytes that are not UTF-8, named by line and column (a file
    re-saved as Windows-1252 / Latin-1).
    """
    for magic, what in _NOT_TEXT:
        if data.startswith(magic):
            raise ChainError(f"{source}: not a CSV file but {what}")
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                       (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec)
            except UnicodeDecodeError as err:
                raise ChainError(f"{source}: starts with a {codec.upper()} byte-order mark but "
                                 f"byte {err.start + len(bom)} is not {codec.upper()}") from None
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise ChainError(f"{source} row {line}: NUL bytes: a binary file, or UTF-16 text "
                         "without a byte-order mark, not a UTF-8 CSV file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        offset = err.start
        line = data.count(b"\n", 0, offset) + 1
        column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
        raise ChainError(
            f"{source} row {line}, column {column} (character): byte 0x{data[offset]:02x} is "
            "not UTF-8; re-save the file as UTF-8 (it looks saved as Windows-1252 or "
            "Latin-1)") from None


def _read_lines(path) -> list[str]:
    """Lines of a text file (see :func:`_decode`), without line endings."""
    text = _decode(Path(path).read_bytes(), str(path))
    lines = re.split(r"\r\n|\r|\n", text)
    return lines[:-1] if lines and lines[-1] == "" else lines


def _csv_error(source: str, row: int, err: csv.Error) -> NoReturn:
    """A :class:`ChainError` for what the csv module refuses (an oversized field)."""
    raise ChainError(f"{source} row {row}: cannot be read as CSV ({err})") from None


def _fields(line: str, source: str = "", row: int = 0) -> list[str]:
    """CSV fields of one line, whitespace-stripped, trailing empty fields removed."""
    try:
        fields = [f.strip() for f in next(csv.reader([line]), [])]
    except csv.Error as err:
        _csv_error(source, row, err)
    while fields and not fields[-1]:
        fields.pop()
    return fields


def _read_number(text: str, grouped: bool) -> float | None:
    """A finite number from ``text``, else None. With ``grouped``, thousands separators in
    groups of three are accepted (``"1,540"``, ``"4,500.00"``); otherwise a comma makes the
    text not a number."""
    text = text.strip()
    if _PLAIN.fullmatch(text):
        value = float(text)
    elif grouped and _THOUSANDS.fullmatch(text):
        value = float(text.replace(",", ""))
    else:
        return None
    return value if np.isfinite(value) else None


def _scalar_number(text: str) -> float | None:
    """A finite number from ``text`` (thousands separators in groups of three allowed)."""
    return _read_number(text, grouped=True)


def _to_float(cells: np.ndarray, optional: bool,
              grouped: bool) -> tuple[np.ndarray, int | None]:
    """Floats from an array of number strings, and the position of the first bad cell.

    Plain numbers take the vectorised path; only the few other cells (empty,
    thousands separators, text) go through :func:`_read_number`. An empty cell
    becomes NaN when ``optional``, else it is bad.
    """
    try:
        values = cells.astype(float)
    except (TypeError, ValueError):
        values = pd.to_numeric(cells, errors="coerce").astype(float)
    for i in np.flatnonzero(~np.isfinite(values)):
        value = _read_number(str(cells[i]), grouped)
        if value is None:
            if not (optional and not str(cells[i]).strip()):
                return values, int(i)
            value = np.nan
        values[i] = value
    return values, None


def _not_a_number(cell: str, name: str) -> str:
    """Why ``cell`` of field ``name`` is not read, with the likely cause of a comma."""
    if cell == "":
        return "is empty"
    if "," in cell and name not in _GROUPED and _PLAIN.fullmatch(cell.replace(",", ".", 1)):
        return (f"{cell!r} is not a number: a decimal comma? IV, greeks and prices are read "
                "with a decimal point only (write 0.139, not 0,139)")
    if "," in cell:
        return (f"{cell!r} is not a number: commas are read only as thousands separators "
                "in groups of three (1,540)")
    return f"{cell!r} is not a number"


def _parse_numbers(raw: pd.DataFrame, source: str, label,
                   whole_counts: bool = False) -> pd.DataFrame:
    """Replace the text of the numeric columns of ``raw`` by floats, range-checked.

    Empty cells are errors, except in ``chain_delta`` / ``chain_gamma`` where
    they mean "not published" and become NaN. See :func:`_check_values`.
    """
    parsed = {}
    for name in _NUMERIC:
        cells = raw[name].to_numpy(dtype=object)
        if whole_counts and name in _COUNTS:
            # Cboe writes whole contracts without a decimal point: "2.000" could be 2
            # or 2,000 (a '.' thousands separator), so it is not read at all
            i = next((i for i, c in enumerate(cells) if "." in c), None)
            if i is not None:
                cell = str(cells[i]).strip()
                _fail(source, [raw["line"].iloc[i]], label(name, raw["type"].iloc[i]),
                      f"{cell!r} is not a whole number of contracts: counts have no decimal "
                      f"point in a Cboe download (a '.' thousands separator? then write "
                      f"{cell.replace('.', '')})")
        parsed[name], bad = _to_float(cells, optional=name in _MAY_BE_EMPTY,
                                      grouped=name in _GROUPED)
        if bad is not None:
            problem = _not_a_number(str(cells[bad]).strip(), name)
            _fail(source, [raw["line"].iloc[bad]], label(name, raw["type"].iloc[bad]), problem)
    df = raw.assign(**parsed)
    _check_values(df, source, label)
    _check_limits(df, source, label, whole_counts)
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


def _first_bad(df: pd.DataFrame, bad: np.ndarray, name: str, source: str, label,
               problem) -> None:
    """Fail on the first row where ``bad`` holds, ``problem(value)`` saying why."""
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        _fail(source, [df["line"].iloc[i]], label(name, df["type"].iloc[i]),
              problem(float(df[name].iloc[i])))


def _check_limits(df: pd.DataFrame, source: str, label, whole_counts: bool) -> None:
    """Numbers no option can have: open interest or volume above :data:`MAX_CONTRACTS`
    (or, with ``whole_counts``, not whole), |delta| above 1, negative gamma or gamma
    times strike above 1e5, a bid or ask above ten times the largest strike."""
    for name in _COUNTS:
        values = df[name].to_numpy(dtype=float)
        _first_bad(df, values > MAX_CONTRACTS, name, source, label,
                   lambda v: f"{v:.6g} contracts is more than any option series has "
                             f"(limit {MAX_CONTRACTS:.0e})")
        if whole_counts:  # "1e3" and the like; "1.607" is refused in _parse_numbers
            _first_bad(df, values != np.floor(values), name, source, label,
                       lambda v: f"{v!r} is not a whole number of contracts")
    delta = df["chain_delta"].to_numpy(dtype=float)
    _first_bad(df, np.abs(delta) > 1 + 1e-9, "chain_delta", source, label,
               lambda v: f"delta {v!r} is outside [-1, 1]")
    gamma = df["chain_gamma"].to_numpy(dtype=float)
    _first_bad(df, gamma < 0, "chain_gamma", source, label,
               lambda v: f"gamma {v!r} is negative")
    _first_bad(df, gamma * df["strike"].to_numpy(dtype=float) > 1e5, "chain_gamma", source,
               label, lambda v: f"gamma {v!r} is not possible at this strike")
    top = 10 * float(df["strike"].max()) if len(df) else np.inf
    for name in ("bid", "ask"):
        _first_bad(df, df[name].to_numpy(dtype=float) > top, name, source, label,
                   lambda v: f"price {v:.6g} is more than ten times the largest strike")


def _parity_strike(df: pd.DataFrame) -> float | None:
    """The chain's own at-the-money strike: per expiry with two-sided call and put quotes
    on at least five strikes, the strike where call mid minus put mid is nearest zero
    (skipped when at the edge of the quoted strikes); the median over expiries. None when
    no expiry qualifies."""
    # ``df`` is sorted by expiry, strike and type: a strike quoted on both sides is a call
    # row followed by its put row
    expiry = df["expiry"].array.asi8  # int64 instants
    strike = df["strike"].to_numpy()
    call = (df["type"] == "C").to_numpy()
    bid, ask = df["bid"].to_numpy(), df["ask"].to_numpy()
    ok = (bid > 0) & (ask >= bid)
    mid = bid / 2 + ask / 2  # halves first: no overflow
    pair = (call[:-1] & ~call[1:] & ok[:-1] & ok[1:]
            & (expiry[:-1] == expiry[1:]) & (strike[:-1] == strike[1:]))
    i = np.flatnonzero(pair)
    if len(i) == 0:
        return None
    gap, group = np.abs(mid[i] - mid[i + 1]), expiry[i]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    sizes = np.diff(np.r_[starts, len(i)])
    best = np.lexsort((gap, group))[np.r_[0, np.cumsum(sizes)[:-1]]]  # argmin per expiry
    position = best - starts
    inner = (sizes >= 5) & (position > 0) & (position < sizes - 1)
    found = strike[i[best[inner]]]
    return float(np.median(found)) if len(found) else None


def _check_spot(live: pd.DataFrame, spot: float, spot_at: tuple[int, str], source: str) -> None:
    """Spot must agree with the strikes: within a factor of ten of the strike range and,
    when the chain has enough two-sided quotes, within :data:`SPOT_RATIO` of the strike
    where call and put mids cross (see :func:`_parity_strike`)."""
    row, column = spot_at
    low, high = float(live["strike"].min()), float(live["strike"].max())
    if not low / 10 <= spot <= high * 10:
        _fail(source, [row], column, f"spot {spot:g} does not fit the strikes "
              f"{low:g} to {high:g} (a misread or mistyped spot?)")
    atm = _parity_strike(live)
    if atm is not None and not 1 / SPOT_RATIO <= spot / atm <= SPOT_RATIO:
        _fail(source, [row], column, f"spot {spot:g} is far from the chain's at-the-money "
              f"strike {atm:g} (where call and put mid quotes cross): a misread or "
              "mistyped spot?")


def _check_iv_level(live: pd.DataFrame, spot: float, source: str, label) -> None:
    """Refuse an IV column written in percent (13.9 for 13.9%), told apart from decimals
    by the median IV of the near-the-money contracts (strike within :data:`NEAR_MONEY` of
    spot, or the strike nearest spot): at or above :data:`IV_PERCENT_LEVEL`. Then no IV
    above :data:`MAX_IV`."""
    quoted = live.loc[live["iv"] > 0]
    if len(quoted):
        distance = np.abs(quoted["strike"].to_numpy() / spot - 1)
        near = quoted.loc[distance <= max(NEAR_MONEY, float(distance.min()))]
        level = float(np.median(near["iv"]))
        if level >= IV_PERCENT_LEVEL:
            first = near.iloc[0]
            _fail(source, [first["line"]], label("iv", first["type"]),
                  f"IV looks written in percent: the median near-the-money IV is {level:g} "
                  f"({len(near)} contracts within {NEAR_MONEY:.0%} of spot); gexlib reads IV "
                  "as a decimal (0.139 for 13.9%): divide the IV columns by 100")
    _first_bad(live, live["iv"].to_numpy() > MAX_IV, "iv", source, label,
               lambda v: f"IV {v:g} is above {MAX_IV:g} ({MAX_IV:.0%} a year)")


def _check_contributors(live: pd.DataFrame, source: str, label) -> None:
    """At least one live contract with open interest and an IV: else no exposure exists
    to compute, and every level would be read from nothing."""
    oi, iv = live["oi"].to_numpy() > 0, live["iv"].to_numpy() > 0
    if (oi & iv).any():
        return
    rows = [live["line"].min(), live["line"].max()]
    n = len(live)
    oi_col, iv_col = (label(name, "C").replace(" (calls)", "") for name in ("oi", "iv"))
    if not oi.any():
        _fail(source, rows, oi_col,
              f"no exposure: the open interest of all {n} live contracts is 0", span=True)
    if not iv.any():
        _fail(source, rows, iv_col, f"no exposure: the IV of all {n} live contracts is 0",
              span=True)
    _fail(source, rows, f"columns {oi_col} and {iv_col}",
          f"no exposure: none of the {n} live contracts has both open interest and an IV",
          span=True)


def _check_duplicates(df: pd.DataFrame, source: str, label) -> None:
    """At most one row per (expiry, strike, type): otherwise name the first two rows, as a
    duplicate contract when they have the same root, else as two roots for one contract."""
    key = ["expiry", "strike", "type"]
    dup = df.duplicated(key, keep=False).to_numpy()
    if dup.any():
        first = df.loc[dup].iloc[0]
        same = dup & ((df[key] == first[key]).all(axis=1)).to_numpy()
        rows = df["line"].to_numpy()[same][:2]
        roots = list(dict.fromkeys(df["root"].to_numpy()[same][:2]))
        contract = f"{first['type']} {first['strike']:g} expiring {first['expiry'].isoformat()}"
        _fail(source, rows, label("contract", first["type"]),
              f"duplicate contract {contract} (root {roots[0]})" if len(roots) == 1
              else f"roots {' and '.join(roots)} for the same contract {contract}")


def _check_family(df: pd.DataFrame, source: str, label,
                  declared: tuple[int, str, str, str] | None) -> str:
    """The one underlying of the file's roots (:func:`_family`); a row of another
    underlying, or a file headed by another underlying's name, is an error.

    ``declared`` is ``(row, column, text, underlying)`` of the file's own statement of
    its underlying (the Cboe name line, the tidy ``# underlying``), or None.
    """
    family = df["root"].map({r: ROOT_FAMILY.get(r, r) for r in df["root"].unique()}).to_numpy()
    main = _family(df["root"])
    other = family != main
    if other.any():
        i = int(np.flatnonzero(other)[0])
        counts = Counter(family)
        shares = ", ".join(f"{counts[f]} {f}" for f in sorted(counts, key=lambda f: -counts[f]))
        _fail(source, [df["line"].iloc[i]], label("root", df["type"].iloc[i]),
              f"root {df['root'].iloc[i]!r} is not of the file's underlying {main} (contracts: "
              f"{shares}): one file holds one underlying")
    if declared is not None and declared[3] != main:
        row, column, text, underlying = declared
        _fail(source, [row], column, f"the file is headed {text!r} ({underlying}) but its "
              f"contracts are {main} (rows {df['line'].min()}-{df['line'].max()})")
    return main


def _finish(df: pd.DataFrame, *, source: str, underlying: str | None, spot: float,
            asof: pd.Timestamp, multiplier: float, label, dropped: dict,
            spot_at: tuple[int, str], declared: tuple | None = None) -> Snapshot:
    """Check the contracts, drop the expired ones and build the :class:`Snapshot`.

    ``df`` holds :data:`OPTION_COLUMNS` (numbers parsed and checked by
    :func:`_parse_numbers`, ``expiry`` tz-aware) plus ``line``, the 1-based line
    number of each contract in the file. Checks, in order: one underlying
    (:func:`_check_family`; ``underlying`` None means "the roots' family"), no
    duplicate, some contract live, spot agreeing with the strikes (:func:`_check_spot`,
    ``spot_at`` = row and column of the spot), IV in decimals (:func:`_check_iv_level`),
    some contract with open interest and IV (:func:`_check_contributors`).
    """
    if df.empty:
        skipped = dropped.get("no_contract", 0)
        raise ChainError(f"{source}: no contracts below the header" + (
            f" ({skipped} sides without an option symbol skipped)" if skipped else ""))
    family = _check_family(df, source, label, declared)
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
    _check_spot(live, spot, spot_at, source)
    _check_iv_level(live, spot, source, label)
    _check_contributors(live, source, label)
    return Snapshot(
        underlying=family if underlying is None else underlying, spot=float(spot), asof=asof,
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
    while True:
        try:
            record = next(reader, None)
        except csv.Error as err:  # an oversized field, maybe an open quote that ran on
            line = lines[first + consumed - 1]
            if line.count('"') % 2:
                _unbalanced_quote(line, names, source, first + consumed)
            sizes = [len(cell) for cell in line.split(",")]
            at = sizes.index(max(sizes))
            if sizes[at] > csv.field_size_limit() and at < len(names):
                _fail(source, [first + consumed], f"{at + 1} ('{names[at]}')",
                      f"a cell of {sizes[at]:,} characters: cannot be read as CSV ({err})")
            _csv_error(source, first + consumed, err)
        if record is None:
            break
        line_no, consumed = first + consumed, reader.line_num
        if consumed > line_no - first + 1:
            _unbalanced_quote(lines[line_no - 1], names, source, line_no)
        if len(record) != width:
            record = _fit_row(record, names, source, line_no)
        if record and (record[0] or any(record)):
            records.append(record)
            numbers.append(line_no)
    columns = [np.array(c, dtype=object) for c in zip(*records, strict=True)] or [
        np.empty(0, dtype=object) for _ in names]
    return columns, np.array(numbers, dtype=np.int64)


def _unbalanced_quote(line: str, names: list[str], source: str, line_no: int) -> NoReturn:
    """Name the cell whose opening quote is not closed on its own line."""
    cells, quoted, start = 0, False, 0
    for i, char in enumerate(line):
        if char == '"' and (quoted or i == 0 or line[i - 1] == ","):
            quoted = not quoted
            if quoted:
                start = cells
        elif char == "," and not quoted:
            cells += 1
    column = f"{start + 1} ('{names[start]}')" if start < len(names) else f"{start + 1}"
    _fail(source, [line_no], column, "unbalanced quote: the quote opened in this cell is not closed on its line")


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
    Without AM/PM the clock is read as 24-hour, except an hour from 1 to 12 in the
    month-first shape (a 12-hour clock that lost its AM/PM: refused). EDT or EST must be
    New York's zone at that moment (EST in July would shift the time by an hour:
    refused). Raises ValueError for anything else.

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
    elif match.re is _DATE_LINES[0] and 1 <= hour <= 12:
        # "September 14, 2023 at 4:31 EDT": this shape writes a 12-hour clock
        raise ValueError(f"no AM or PM after {hour}:{minute:02d}: morning or afternoon?")
    zone = match["zone"]
    offset = _ZONE_HOURS[zone] if zone in _ZONE_HOURS else int(zone[3:])
    if abs(offset) > 14:
        raise ValueError(f"offset {zone}")
    stamp = pd.Timestamp(dt.datetime(int(match["year"]), month, int(match["day"]), hour, minute,
                                     tzinfo=dt.timezone(dt.timedelta(hours=offset))))
    local = stamp.tz_convert(cv.TZ)
    if zone in _ZONE_HOURS and local.utcoffset() != stamp.utcoffset():
        actual = {-4: "EDT", -5: "EST"}[int(local.utcoffset().total_seconds() // 3600)]
        raise ValueError(f"{zone} at that moment, when New York is on {actual}: the time "
                         "would be an hour off")
    return local


def _format_date_text(asof: pd.Timestamp) -> str:
    """``Date: September 14, 2023 at 4:31 PM EDT`` for a tz-aware whole-minute time."""
    t = asof.tz_convert(cv.TZ)
    zone = {-4: "EDT", -5: "EST"}[int(t.utcoffset().total_seconds() // 3600)]
    ampm = "AM" if t.hour < 12 else "PM"
    return (f"Date: {_MONTHS[t.month - 1]} {t.day}, {t.year} at "
            f"{t.hour % 12 or 12}:{t.minute:02d} {ampm} {zone}")


_UNDERLYING_OF_NAME = {name: underlying for underlying, name in LONG_NAMES.items()}
_GROUP = re.compile(r"\d{3}(?:\.\d*)?")  # one group of an unquoted "4,505.1001"


def _spot_text(fields: list[str], k: int) -> tuple[str, str | None]:
    """The text after ``Last:`` in field ``k``, with the groups of an unquoted thousands
    separator put back (``Last: 4``, ``505.1001`` -> ``4,505.1001``); and, when the next
    field is a bare number that cannot be such a group, that field (the spot is split by a
    comma that is not a thousands separator)."""
    text = fields[k][len("Last:"):].strip()
    for cell in fields[k + 1:]:
        if re.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})*", text) and _GROUP.fullmatch(cell):
            text += "," + cell
        elif _PLAIN.fullmatch(cell):
            return text, cell
        else:
            break
    return text, None


def _cboe_preamble(lines: list[str], source: str) -> dict:
    """Spot (from ``Last:``), quote time (from ``Date:``) and the underlying's name in the
    lines above the header.

    Other lines (a stray line of text, blank lines) are ignored. The date may be
    one quoted cell or, unquoted, spread over several cells up to ``Bid:``; the spot
    may be unquoted with thousands separators (``Last: 4,505.1001``).

    Returns
    -------
    dict
        ``spot``, ``asof``, ``spot_row`` (1-based line of ``Last:``) and ``declared``:
        ``(row, column, name, underlying)`` when the first cell of that line is a name in
        :data:`LONG_NAMES`, else None.
    """
    spot_row = date_row = None
    for number, line in enumerate(lines, 1):
        fields = _fields(line, source, number)
        keys = [i for i, f in enumerate(fields) if f.startswith("Last:")]
        if spot_row is None and keys:
            spot_row = (number, *_spot_text(fields, keys[0]),
                        fields[0] if keys[0] > 0 else "")
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
    row, text, stray, name = spot_row
    if stray is not None:
        _fail(source, [row], "'Last'", f"the spot is split in two cells, 'Last: {text}' and "
              f"{stray!r}: a decimal comma? Write the spot with a decimal point")
    spot = _scalar_number(text)
    if spot is None or spot <= 0:
        _fail(source, [row], "'Last'", f"spot missing: {text!r} is not a positive number"
              if text else "spot missing: no number after 'Last:'")
    if date_row is None:
        _fail(source, everything, "'Date'", "no 'Date: ...' line above the header", span=True)
    try:
        asof = _parse_date_text(date_row[2])
    except ValueError as err:
        _fail(source, [date_row[0]], "'Date'", f"cannot read the date line {date_row[1]!r} "
              f"({err}); expected e.g. 'Date: September 14, 2023 at 4:31 PM EDT'")
    declared = ((row, "1 (name)", name, _UNDERLYING_OF_NAME[name])
                if name in _UNDERLYING_OF_NAME else None)
    return {"spot": spot, "asof": asof, "spot_row": row, "declared": declared}


def _cboe_header(line: str, row: int, source: str) -> tuple[list[str], dict]:
    """Header cells and, per option type, the position of each needed column."""
    names = _fields(line, source, row)
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

    parts = pd.Series(symbols, dtype=object).str.extract(_SYMBOL.pattern)
    check(parts[0].isna().to_numpy(), "symbol",
          lambda i: f"{symbols[i]!r} is not an option symbol "
                    "(root + yymmdd + C/P + strike x 1000 in 8 digits)")
    roots, yymmdd, kinds, codes = (parts[i].to_numpy(dtype=object) for i in range(4))
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
        after dropping the expired ones (the count is given). Also every reading
        that would be silently wrong (see Notes).

    Notes
    -----
    What is read and what is refused, so that no damaged file gives a wrong number:

    * Text: UTF-8 (optional byte-order mark), or UTF-16 / UTF-32 with a byte-order
      mark. Compressed or archived files, binary files and bytes that are not UTF-8
      (a Windows-1252 re-save, named by line and column) are refused; so are
      semicolon- or tab-separated re-saves (the separator is named), an unbalanced
      quote and a field over the csv module's size limit.
    * Numbers: thousands separators are read only where they cannot be a decimal
      comma: in open interest, volume and strike, in groups of three (``"1,540"``).
      A comma in IV, greeks, bid or ask is refused (a decimal comma), and so is a
      count with a decimal point (``1.607`` or ``2.000`` may be a ``.`` thousands
      separator). The spot may be unquoted with separators (``Last: 4,505.1001``);
      ``Last: 4505,1001`` is refused.
    * Limits: open interest and volume at most :data:`MAX_CONTRACTS`, IV at most
      :data:`MAX_IV`, |delta| at most 1, gamma not negative, bid and ask at most ten
      times the largest strike.
    * Consistency: the spot within a factor ten of the strike range and within
      :data:`SPOT_RATIO` of the strike where call and put mids cross; the IV column in
      decimals (median near-the-money IV below :data:`IV_PERCENT_LEVEL`); all roots
      of one underlying, agreeing with a known name line (:data:`LONG_NAMES`); at least
      one live contract with both open interest and IV; a date line with AM/PM and the
      zone New York is on at that date (see :func:`_parse_date_text`).
    """
    return _cboe_snapshot(_read_lines(path), str(path))


def _cboe_snapshot(lines: list[str], source: str) -> Snapshot:
    """:func:`read_cboe` on the lines of a file."""
    header = _cboe_header_index(lines)
    if header is None:
        _fail(source, [1, max(len(lines), 1)], "'Expiration Date'",
              "no header line starting 'Expiration Date,'", span=True)
    _check_separator(lines[header], header + 1, source)
    pre = _cboe_preamble(lines[:header], source)
    names, where = _cboe_header(lines[header], header + 1, source)
    columns, numbers = _rows(lines, header, names, source)
    raw, no_contract = _cboe_long(columns, numbers, where)
    df = (_cboe_contracts(_parse_numbers(raw, source, _cboe_label, whole_counts=True), source)
          if len(raw) else raw)
    return _finish(
        df, source=source, underlying=None, spot=pre["spot"], asof=pre["asof"],
        multiplier=cv.MULTIPLIER, label=_cboe_label,
        dropped={"no_contract": no_contract} if no_contract else {},
        spot_at=(pre["spot_row"], "'Last'"), declared=pre["declared"],
    )


def _cboe_header_index(lines: list[str]) -> int | None:
    """Index of the Cboe header line (it starts with ``Expiration Date``), or None."""
    return next((i for i, line in enumerate(lines)
                 if line.lstrip('\ufeff "').startswith("Expiration Date")), None)


def _check_separator(line: str, row: int, source: str) -> None:
    """A header separated by semicolons or tabs (a spreadsheet re-save in another locale)
    is named as such, rather than reported as missing columns further on."""
    rest = line.lstrip('\ufeff "')[len("Expiration Date"):].lstrip('"')
    for sep, name in ((";", "semicolons"), ("\t", "tabs")):
        if rest.startswith(sep):
            _fail(source, [row], "'Expiration Date'",
                  f"the file is separated by {name}, not commas (a spreadsheet re-save in "
                  "another locale?): export it again as comma-separated CSV with decimal "
                  "points")


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
        contract, or no contract left after dropping the expired ones; and the
        checks of :func:`read_cboe` (Notes) except the Cboe-only ones (separators in
        the spot line, counts without a decimal point, the date line).
    """
    return _tidy_snapshot(_read_lines(path), str(path))


def _tidy_snapshot(lines: list[str], source: str) -> Snapshot:
    """:func:`read_csv` on the lines of a file."""
    meta, header = _tidy_metadata(lines, source)
    underlying, spot, asof, multiplier = _tidy_preamble(meta, header, source)
    if "," not in lines[header]:
        for sep, name in ((";", "semicolons"), ("\t", "tabs")):
            if sep in lines[header]:
                _fail(source, [header + 1], "'expiry'", f"the file is separated by {name}, "
                      "not commas: export it again as comma-separated CSV")
    names = _fields(lines[header], source, header + 1)
    for name in OPTION_COLUMNS:
        if name not in names:
            _fail(source, [header + 1], f"'{name}'", "missing from the header")
    columns, numbers = _rows(lines, header, names, source)
    raw = pd.DataFrame({name: columns[names.index(name)] for name in OPTION_COLUMNS},
                       dtype=object).assign(line=numbers)
    raw["type"] = [t.strip() for t in raw["type"]]
    df = _tidy_contracts(_parse_numbers(raw, source, _tidy_label), source) if len(raw) else raw
    known = {*ROOT_FAMILY.values(), *LONG_NAMES}
    row = meta["underlying"][1]
    declared = (row, "'# underlying'", underlying, underlying) if underlying in known else None
    return _finish(df, source=source, underlying=underlying, spot=spot, asof=asof,
                   multiplier=multiplier, label=_tidy_label, dropped={},
                   spot_at=(meta["spot"][1], "'# spot'"), declared=declared)


def read(path) -> Snapshot:
    """Read a chain file in either layout, told apart by its content.

    A line starting with ``Expiration Date`` makes it a Cboe download
    (:func:`read_cboe`), whatever lines come before it, even ``#`` ones; otherwise a
    file whose first non-blank line starts with ``#`` is a tidy CSV (:func:`read_csv`);
    anything else is read as a Cboe download, whose errors say what is missing. The
    file is opened once, here: every error, including an encoding one, is a
    :class:`ChainError` naming the file.

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file.

    Returns
    -------
    Snapshot
    """
    source = str(path)
    lines = _read_lines(path)
    if _cboe_header_index(lines) is None:
        first = next((line for line in lines if line.strip()), "")
        if first.lstrip("\ufeff").startswith("#"):
            return _tidy_snapshot(lines, source)
    return _cboe_snapshot(lines, source)


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
