import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

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


ROOT = Path(__file__).resolve().parents[1]


def test_the_data_is_package_data_and_the_top_level_folder_links_to_it():
    assert datasets.DATA_DIR == ROOT / "gexlib" / "data"
    assert (ROOT / "data").resolve() == datasets.DATA_DIR.resolve()  # lessons and docs say data/spx_calm.csv
    on_disk = sorted(p.name for p in datasets.DATA_DIR.glob("*.csv"))
    assert datasets.names() == on_disk and "spx_calm.csv" in on_disk and "history.csv" in on_disk
    assert datasets.path("calm") == datasets.DATA_DIR / "spx_calm.csv"


def test_the_data_reads_from_a_zipped_gexlib(tmp_path):
    """gexlib imported from a zip on sys.path: the files come through importlib.resources."""
    archive = tmp_path / "gexlib.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in sorted((ROOT / "gexlib").rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts:
                zf.write(f, f.relative_to(ROOT).as_posix())
    probe = ("import gexlib, json; from gexlib import datasets; s = datasets.load('calm'); "
             "print(json.dumps([gexlib.__file__, datasets.DATA_DIR is None, datasets.names(), s.spot, "
             "len(s.options), len(datasets.history())]))")
    env = {**os.environ, "PYTHONPATH": str(archive)}
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True,
                         check=True)
    where, zipped, names, spot, rows, days = json.loads(out.stdout)
    assert where.startswith(str(archive)) and zipped
    calm = datasets.load("calm")
    assert names == datasets.names() and spot == calm.spot and rows == len(calm.options)
    assert days == len(datasets.history())
