"""Shared test fixtures: access to real Cboe downloads kept outside the repository.

Set ``GEXLIB_CBOE_DIR`` to a folder of Cboe delayed-quotes CSV files to run the
real-file tests; without it they are skipped. ``GEXLIB_SQUEEZE_DIR`` names a folder holding
SqueezeMetrics' ``DIX.csv`` (tests/test_dix.py, tests/test_lesson10_figures.py).
"""

import os
from pathlib import Path

import pytest


def cboe_dir_or_none() -> Path | None:
    """The folder named by ``GEXLIB_CBOE_DIR``, or None when the variable is unset."""
    value = os.environ.get("GEXLIB_CBOE_DIR", "").strip()
    return Path(value) if value else None


@pytest.fixture(scope="session")
def cboe_dir() -> Path:
    """Folder of real Cboe downloads; skips the test when ``GEXLIB_CBOE_DIR`` is unset."""
    folder = cboe_dir_or_none()
    if folder is None:
        pytest.skip("GEXLIB_CBOE_DIR is not set")
    if not folder.is_dir():
        pytest.fail(f"GEXLIB_CBOE_DIR={folder} is not a directory")
    return folder


@pytest.fixture(scope="session")
def squeeze_dix():
    """SqueezeMetrics' ``DIX.csv`` from ``GEXLIB_SQUEEZE_DIR``, read once with :func:`gexlib.dix.read_dix`.

    Skips the test when the variable is unset; fails when the folder holds no ``DIX.csv``.
    """
    from gexlib import dix

    folder = os.environ.get("GEXLIB_SQUEEZE_DIR", "").strip()
    if not folder:
        pytest.skip("GEXLIB_SQUEEZE_DIR is not set")
    path = Path(folder) / "DIX.csv"
    if not path.is_file():
        pytest.fail(f"GEXLIB_SQUEEZE_DIR={folder} holds no DIX.csv")
    return dix.read_dix(path)


def pytest_generate_tests(metafunc):
    """Parametrise any test taking ``cboe_file`` over every ``*.csv`` in ``GEXLIB_CBOE_DIR``."""
    if "cboe_file" not in metafunc.fixturenames:
        return
    folder = cboe_dir_or_none()
    files = sorted(folder.glob("*.csv")) if folder is not None else []
    if files:
        metafunc.parametrize("cboe_file", files, ids=[f.name for f in files])
    else:
        reason = ("GEXLIB_CBOE_DIR is not set" if folder is None
                  else f"no *.csv files in GEXLIB_CBOE_DIR={folder}")
        metafunc.parametrize("cboe_file", [pytest.param(None, marks=pytest.mark.skip(reason=reason))],
                             ids=["no-cboe-files"])


def pytest_configure(config):
    config.addinivalue_line("markers", "grading: the nbgrader course and its graded assignments "
                                       "(run alone with pytest -m grading)")


#: Test files holding tests that take several seconds each (``pytest --durations``: nbgrader grading two
#: submissions, the evidence dashboard's and the flip dashboard's book-mode grids, lessons executed into the
#: book's cache), run before the others, each file whole (its module fixtures are made once). Run last, as in
#: alphabetical order, such a test kept one pytest-xdist worker busy while the other had nothing left to do.
#: Only the order changes.
LONG_FIRST = ("test_grading.py", "test_widgets_evidence.py", "test_book_mode.py", "test_book_ext.py")


def pytest_collection_modifyitems(session, config, items):
    """Start the files of :data:`LONG_FIRST` first (in that order), the others after them in their order."""
    rank = {name: k for k, name in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)) if item.path.parent == Path(__file__).parent
               else len(rank))
