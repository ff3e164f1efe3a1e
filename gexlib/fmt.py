"""One formatter for the numbers the suite prints: dollars in billions, index levels, percentages.

Every sheet, readout, caption and lesson table formats through these, so ``+$15.31bn`` reads the
same everywhere.
"""

from __future__ import annotations

#: Dollars in one billion.
BN = 1e9


def bn(dollars: float | None, *, signed: bool = True, digits: int = 2) -> str:
    """Dollars as billions, e.g. ``bn(15.31e9) == "+$15.31bn"``; ``"n/a"`` for None.

    Parameters
    ----------
    dollars : float or None
        An amount in dollars (e.g. GEX in $ per 1% move).
    signed : bool
        Write ``+`` for positive amounts (a minus is always written).
    digits : int
        Decimals of the billions.
    """
    if dollars is None:
        return "n/a"
    dollars = float(dollars)
    sign = "-" if dollars < 0 else ("+" if signed else "")
    return f"{sign}${abs(dollars) / BN:,.{digits}f}bn"


def level(x: float | None, *, missing: str = "none in range", digits: int = 2) -> str:
    """An index level or strike with thousands separators, e.g. ``"6,254.87"``; ``missing`` for None."""
    return missing if x is None else f"{float(x):,.{digits}f}"


def pct(fraction: float | None, *, signed: bool = True, digits: int = 2) -> str:
    """A fraction as a percentage, e.g. ``pct(-0.0024) == "-0.24%"``; ``"n/a"`` for None."""
    if fraction is None:
        return "n/a"
    return f"{100 * float(fraction):{'+' if signed else ''}.{digits}f}%"


def level_vs_spot(x: float | None, spot: float, *, missing: str = "none in range") -> str:
    """A level and its distance from spot, e.g. ``"4,494.30  (-0.24% from spot)"``."""
    if x is None:
        return missing
    return f"{level(x)}  ({pct(float(x) / float(spot) - 1)} from spot)"
