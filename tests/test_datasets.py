import pytest

from gexlib import datasets


def test_load_by_scenario_and_file_name():
    a = datasets.load("calm")
    b = datasets.load("spx_calm.csv")
    assert a.spot == b.spot and len(a.options) == len(b.options) > 15000
    assert datasets.load("spy_calm").underlying == "SPY"
    assert len(datasets.history()) >= 250


def test_unknown_name_lists_what_exists():
    with pytest.raises(FileNotFoundError, match="spx_calm.csv"):
        datasets.path("nope")


def test_load_returns_independent_copies():
    a = datasets.load("calm")
    a.options.loc[:, "oi"] = 0.0
    a.dropped["x"] = 1
    b = datasets.load("calm")
    assert b.options["oi"].sum() > 0 and "x" not in b.dropped
