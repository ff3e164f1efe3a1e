"""The shipped data files (``data/``), by name, wherever the caller's working directory is."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

from .chain import Snapshot, read_cboe

#: The project's data folder (next to the package in a source checkout).
DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def path(name: str) -> Path:
    """Path of a shipped file: a file name (``"spx_calm.csv"``) or a scenario name (``"calm"``).

    Raises
    ------
    FileNotFoundError
        Naming the folder searched and the files it holds.
    """
    candidates = [DATA_DIR / name, DATA_DIR / f"spx_{name}.csv", DATA_DIR / f"{name}.csv"]
    for p in candidates:
        if p.is_file():
            return p
    held = ", ".join(sorted(q.name for q in DATA_DIR.glob("*.csv"))) if DATA_DIR.is_dir() else "nothing"
    raise FileNotFoundError(f"no data file {name!r} in {DATA_DIR} (it holds: {held})")


def load(name: str) -> Snapshot:
    """Read a shipped chain with :func:`gexlib.read_cboe`, e.g. ``load("calm")`` or ``load("spy_calm")``.

    Each file is parsed once per session; every call returns an independent copy, so
    callers may change what they get without affecting anyone else.
    """
    snap = _read(path(name))
    return dataclasses.replace(snap, options=snap.options.copy(), dropped=dict(snap.dropped))


@functools.lru_cache(maxsize=32)
def _read(p: Path) -> Snapshot:
    return read_cboe(p)


def history():
    """The shipped daily history (``data/history.csv``) as a DataFrame indexed by date."""
    from .history import read_history

    return read_history(path("history.csv"))
