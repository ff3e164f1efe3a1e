"""gexlib as a package: ``python -m build`` gives an sdist and a wheel that work with no checkout.

The sources are copied to a temporary folder and built there with ``python -m build --no-isolation``
(the sdist, then the wheel from the sdist). The wheel is installed into a fresh virtual environment
(:mod:`freshenv`), which imports gexlib, loads every shipped dataset, runs ``python -m gexlib
levels`` on a shipped file and checks exercises. Executing the lessons against an installed wheel is
``test_student_edition.py``'s part. Builds take half a minute, so this runs with the book tests.
"""

import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import freshenv
import pytest

from gexlib import datasets
from gexlib.course import exercises

ROOT = Path(__file__).resolve().parents[2]
VERSION = "0.1.0"


def sources() -> list[str]:
    """Every file of the package in the checkout, as the archives must name it."""
    return sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "gexlib").rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix in {".py", ".csv", ".md"})


def labextension() -> list[str]:
    """The prebuilt JupyterLab extension's files, where the wheel installs them (under the environment's prefix)."""
    built = ROOT / "gexlib" / "course" / "labextension"
    return sorted(f"share/jupyter/labextensions/gexlib-a11y/{p.relative_to(built).as_posix()}"
                  for p in [built / "package.json", *(built / "static").iterdir()])


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("build")
    src = tmp / "src"
    shutil.copytree(ROOT / "gexlib", src / "gexlib", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / name, src / name)
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(tmp / "dist"), str(src)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return tmp / "dist"


@pytest.fixture(scope="module")
def fresh(dist, tmp_path_factory):
    home = tmp_path_factory.mktemp("fresh")
    python = freshenv.make(home / "venv", dist / f"gexlib-{VERSION}-py3-none-any.whl")
    work = home / "work"  # an empty working directory: nothing importable from the current folder
    work.mkdir()
    return python, work


@pytest.fixture(scope="module")
def seen(fresh):
    """What the fresh environment reports about its gexlib (:data:`freshenv.PROBE`)."""
    return freshenv.probe(*fresh)


def test_build_gives_an_sdist_and_a_wheel_with_every_subpackage_and_the_data(dist):
    assert sorted(p.name for p in dist.iterdir()) == [f"gexlib-{VERSION}-py3-none-any.whl", f"gexlib-{VERSION}.tar.gz"]
    want = sources()
    assert "gexlib/course/answers/l03.py" in want and "gexlib/data/spx_calm.csv" in want
    with zipfile.ZipFile(dist / f"gexlib-{VERSION}-py3-none-any.whl") as zf:
        held = zf.namelist()
        data = f"gexlib-{VERSION}.data/data/"
        assert sorted(n for n in held if not n.startswith((f"gexlib-{VERSION}.dist-info/", data))) == want
        assert sorted(n.removeprefix(data) for n in held if n.startswith(data)) == labextension()
        meta = zf.read(f"gexlib-{VERSION}.dist-info/METADATA").decode()
        assert "Requires-Python: >=3.11" in meta and "Requires-Dist: numpy>=" in meta
        assert "gexlib = gexlib.cli:main" in zf.read(f"gexlib-{VERSION}.dist-info/entry_points.txt").decode()
    with tarfile.open(dist / f"gexlib-{VERSION}.tar.gz") as tf:
        names = {n.removeprefix(f"gexlib-{VERSION}/") for n in tf.getnames()}
    assert set(want) <= names and "pyproject.toml" in names


def test_the_fresh_environment_imports_the_wheel_not_the_checkout(seen):
    assert seen["file"].startswith(seen["prefix"]) and "site-packages" in seen["file"]
    assert str(ROOT) not in seen["path"] and str(ROOT / "gexlib") not in seen["path"]
    assert seen["version"] == VERSION and seen["unmet"] == []


def test_the_wheel_installs_the_jupyterlab_extension_where_jupyterlab_looks(seen):
    prefix = Path(seen["prefix"])
    assert [f for f in labextension() if not (prefix / f).is_file()] == []


def test_the_fresh_environment_loads_every_shipped_dataset(seen):
    assert seen["names"] == datasets.names() and len(seen["names"]) >= 13
    assert seen["rows"] == {n: len(datasets.load(n).options) for n in datasets.names() if n != "history.csv"}
    assert seen["history"] == len(datasets.history())
    assert seen["calm"].startswith(seen["prefix"])


def test_the_fresh_environment_prints_the_levels_of_a_shipped_file(fresh, seen):
    python, work = fresh
    calm = seen["calm"]
    here = subprocess.run([sys.executable, "-m", "gexlib", "levels", str(datasets.path("calm"))],
                          capture_output=True, text=True, check=True).stdout
    for command in ([str(python), "-m", "gexlib", "levels", calm], [str(python.parent / "gexlib"), "levels", calm]):
        there = subprocess.run(command, cwd=work, env=freshenv.env(), capture_output=True, text=True)
        assert there.returncode == 0, there.stderr
        assert there.stdout == here and "zero gamma" in here


def test_the_fresh_environment_checks_exercises(fresh):
    python, work = fresh
    ex_id = "03-total-calm"
    right = exercises.EXERCISES[ex_id].compute()
    said = freshenv.run(python, "from gexlib.course import exercises as e\n"
                                f"e.check({ex_id!r}, {right!r}); e.check({ex_id!r}, {right * 1e9!r})\n"
                                "import gexlib.course.answers.l03 as m; print(m.__file__)", cwd=work)
    first, second, where = said.splitlines()
    assert first == exercises.CORRECT and second.startswith(exercises.NOT_YET)
    assert "site-packages" in where  # the full wheel carries the answer modules
