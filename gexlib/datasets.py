"""The shipped data files (``gexlib/data/``), by name, wherever gexlib is installed.

The files are package data, read through :mod:`importlib.resources`, so the same calls work from
a source checkout (where the top-level ``data`` folder is a link to ``gexlib/data``), from an
installed wheel and from a zip on ``sys.path``::

    from gexlib import datasets
    snap = datasets.load("calm")          # data/spx_calm.csv
    datasets.names()                      # every shipped file
"""

from __future__ import annotations

import atexit
import dataclasses
import functools
import shutil
import tempfile
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from .chain import Snapshot, read_cboe

#: The shipped data folder as a resource: a folder on disk, or a folder inside a zip.
DATA: Traversable = resources.files(__package__) / "data"
#: The same folder as a filesystem path when gexlib sits on disk (a checkout or an installed wheel);
#: None when it is imported from a zip (then :func:`path` extracts the file it is asked for).
DATA_DIR: Path | None = Path(str(DATA)) if isinstance(DATA, Path) else None


def names() -> list[str]:
    """File names of the shipped data files (chains ``spx_*.csv``/``spy_*.csv``, ``history.csv``), sorted."""
    return sorted(f.name for f in DATA.iterdir() if f.is_file() and f.name.endswith(".csv"))


def _resource(name: str) -> Traversable:
    """The shipped file for a file name (``"spx_calm.csv"``) or a scenario name (``"calm"``)."""
    for candidate in (name, f"spx_{name}.csv", f"{name}.csv"):
        f = DATA / candidate
        if f.is_file():
            return f
    raise FileNotFoundError(f"no data file {name!r} in gexlib's data folder {DATA} "
                            f"(it holds: {', '.join(names()) or 'nothing'})")


@functools.cache
def _extracted() -> Path:
    """A temporary folder for files extracted from a zipped gexlib, removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix="gexlib-data-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def path(name: str) -> Path:
    """Filesystem path of a shipped file: a file name (``"spx_calm.csv"``) or a scenario name (``"calm"``).

    When gexlib is imported from a zip the file is first copied to a temporary folder (removed when
    Python exits).

    Raises
    ------
    FileNotFoundError
        Naming the folder searched and the files it holds.
    """
    f = _resource(name)
    if DATA_DIR is not None:
        return DATA_DIR / f.name
    target = _extracted() / f.name
    if not target.is_file():
        target.write_bytes(f.read_bytes())
    return target


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
