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
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    """

    underlying: str
    spot: float
    asof: pd.Timestamp
    options: pd.DataFrame
    multiplier: float = cv.MULTIPLIER
    dropped: dict = field(default_factory=dict)
    source: str = ""

    def __repr__(self) -> str:  # short: notebooks print it
        return (f"Snapshot({self.underlying} spot={self.spot:.2f} asof={self.asof.isoformat()} "
                f"contracts={len(self.options)} dropped={self.dropped})")
