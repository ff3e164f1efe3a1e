"""The student edition as a student gets it: built, zipped, unzipped, its wheel installed, every lesson run.

The edition is built into a temporary folder and its zip unpacked elsewhere. The wheel from the zip
is installed into a fresh virtual environment with no checkout (:mod:`freshenv`), whose interpreter
runs a kernel that executes every student notebook from the top and then checks an answer (several
lessons at once, each in a kernel of its own: :data:`JOBS`).

Slow (the student wheel is built and every lesson executed), so it sits outside the unit suite
(``tests/book`` is in ``norecursedirs``) and runs after the book build in ``make test``. The fast
checks of what the edition holds are in ``tests/test_student.py``.
"""

import asyncio
import json
import os
import re
import zipfile
from pathlib import Path

import freshenv
import pytest

from gexlib.course import exercises, student

# nbformat and nbclient are imported by the functions that use them: importing nbformat takes seconds
# (jsonschema's format checkers), and every pytest-xdist worker collects this file, also the one
# that runs only the other files of tests/book.

LESSONS = sorted(p.name for p in student.NOTEBOOKS_DIR.glob(student.LESSON_GLOB))
#: Seconds any one cell may take.
TIMEOUT = 120
#: Name of the kernel that runs the fresh environment's Python.
KERNEL = "gexlib-student-edition"
#: Lessons run at once, each in its own kernel (environment variable ``GEXLIB_TEST_JOBS``; default: the cores).
JOBS = int(os.environ.get("GEXLIB_TEST_JOBS", "").strip() or os.cpu_count() or 1)
#: Environment variable: a student edition just built from this checkout (``make test`` sets it to the output
#: of ``make student``, which runs right before), whose wheel the edition built here ships instead of building
#: the same wheel again. Unset: the wheel is built here too.
EDITION_VARIABLE = "GEXLIB_STUDENT_EDITION"


def built_wheel():
    """The student wheel of the edition named by :data:`EDITION_VARIABLE`, or None when it is unset."""
    folder = os.environ.get(EDITION_VARIABLE, "").strip()
    if not folder:
        return None
    wheels = sorted(Path(folder).glob("*.whl"))
    assert len(wheels) == 1, f"{EDITION_VARIABLE}={folder} must hold one wheel, found {wheels}"
    return wheels[0]


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    report = student.build(out, wheel=built_wheel(), progress=None)
    return out, report


@pytest.fixture(scope="module")
def unzipped(edition, tmp_path_factory):
    """The zip unpacked in a folder of its own: what the student has."""
    out, _ = edition
    where = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(out / student.ZIP_NAME) as zf:
        zf.extractall(where)
    return where / student.ZIP_ROOT


@pytest.fixture(scope="module")
def fresh(unzipped, tmp_path_factory):
    """A fresh environment with the zip's wheel installed, and a kernel spec that runs it."""
    home = tmp_path_factory.mktemp("fresh")
    (wheel,) = unzipped.glob("*.whl")
    python = freshenv.make(home / "venv", wheel)
    spec = home / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "gexlib student edition", "language": "python",
        "env": {"OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1")}}))
    return python, home


def probe_id(lesson: str) -> str:
    """The lesson's first numeric exercise id (its answers are what a wrong guess must not reveal)."""
    ids = sorted(k for k in exercises.EXERCISES if k.startswith(lesson[:2] + "-"))
    return next(k for k in ids if not isinstance(exercises.EXERCISES[k].compute(), str))


def test_zip_holds_exactly_the_folder(edition):
    out, report = edition
    assert sorted(report) == LESSONS and len(LESSONS) >= 10
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                   if p.is_file() and p.name != student.ZIP_NAME)
    assert sorted(p.name for p in (out / "notebooks").iterdir()) == LESSONS
    (wheel,) = [f for f in files if f.endswith(".whl")]
    assert re.fullmatch(r"gexlib-[\d.]+\+student-py3-none-any\.whl", wheel)
    assert {"README.md", "requirements.txt"} <= set(files) and f"pip install {wheel}" in (out / "README.md").read_text()
    with zipfile.ZipFile(out / student.ZIP_NAME) as zf:
        assert zf.testzip() is None
        assert sorted(zf.namelist()) == [f"{student.ZIP_ROOT}/{f}" for f in files]
        for f in files:
            assert zf.read(f"{student.ZIP_ROOT}/{f}") == (out / f).read_bytes(), f


def solution_lines() -> set[str]:
    """Distinctive code lines of every lesson's solutions (long enough not to be common idiom)."""
    import nbformat

    found = set()
    for path in sorted(student.NOTEBOOKS_DIR.glob(student.LESSON_GLOB)):
        nb = nbformat.read(path, as_version=4)
        inside = False
        for c in nb.cells:
            inside = inside or "{solution-start}" in c.source
            if inside and c.cell_type == "code":
                found |= {ln.strip() for ln in c.source.splitlines()
                          if len(ln.strip()) >= 40 and not ln.strip().startswith(("#", "print(", "import", "from"))}
            inside = inside and "{solution-end}" not in c.source
    return found


def test_nothing_in_the_zip_holds_a_solution(unzipped):
    (wheel,) = unzipped.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        texts = {n: zf.read(n).decode("utf-8", "replace") for n in names if not n.endswith(".csv")}
    answers = sorted(n for n in names if n.startswith("gexlib/course/answers/"))
    assert answers == ["gexlib/course/answers/__init__.py", "gexlib/course/answers/stored.json"]
    stored = json.loads(texts["gexlib/course/answers/stored.json"])
    assert sorted(stored["exercises"]) == sorted(exercises.EXERCISES)
    texts |= {p.relative_to(unzipped).as_posix(): p.read_text(encoding="utf-8")
              for p in unzipped.rglob("*") if p.suffix in {".ipynb", ".md", ".txt"}}
    lines = solution_lines()
    assert len(lines) >= 20, "the lessons' solutions are found"
    leaks = sorted((name, ln) for name, text in texts.items() for ln in lines if ln in text)
    assert not leaks, leaks[:5]
    for name in ("gexlib/course/student.py", "gexlib/course/registry.py", "gexlib/data/spx_calm.csv"):
        assert name in names


def test_the_student_wheel_checks_answers_without_answer_code(fresh, unzipped):
    python, home = fresh
    seen = freshenv.probe(python, home)
    assert seen["file"].startswith(seen["prefix"]) and seen["version"].endswith("+student")
    assert seen["names"] and seen["unmet"] == []
    cases = []
    for ex_id, ex in sorted(exercises.EXERCISES.items()):
        right = ex.compute()
        cases += [(ex_id, right, True)] + [(ex_id, miss, False) for miss in exercises.near_misses(ex_id).values()]
    code = ("import json, pkgutil\nfrom gexlib.course import exercises as e\n"
            f"cases = json.loads({json.dumps(cases)!r})\n"
            "print(json.dumps([e.is_right(k, x) for k, x, _ in cases]))\n"
            "import gexlib.course.answers as a; print(json.dumps([m.name for m in pkgutil.iter_modules(a.__path__)]))")
    verdicts, modules = (json.loads(ln) for ln in freshenv.run(python, code, cwd=home).splitlines())
    assert verdicts == [want for _, _, want in cases]
    assert modules == []  # no answer modules l01, l02, ...


def probed(unzipped, lesson: str):
    """The student notebook with three cells added: where gexlib comes from, a wrong and a right answer."""
    import nbformat
    from nbformat.v4 import new_code_cell

    ex_id = probe_id(lesson)
    ex = exercises.EXERCISES[ex_id]
    expected = float(ex.compute())
    wrong = expected + 100 * (ex.tolerance(expected) + 1.0)
    nb = nbformat.read(unzipped / "notebooks" / lesson, as_version=4)
    nb.cells += [new_code_cell("import sys, gexlib\nprint(sys.prefix)\nprint(gexlib.__file__)"),
                 new_code_cell(f"from gexlib.course import exercises as _ex\nprint(_ex.check({ex_id!r}, {wrong!r}))"),
                 new_code_cell(f"print(_ex.check({ex_id!r}, {expected!r}))")]
    return nb


@pytest.fixture(scope="module")
def executed(unzipped, fresh):
    """Every lesson run from the top by the fresh environment's kernel, :data:`JOBS` kernels at a time.

    Lesson name -> (the executed notebook, or the error its execution raised).
    """
    from nbclient import NotebookClient

    _, home = fresh
    folder = unzipped / "notebooks"

    async def run(lesson, gate):
        nb = probed(unzipped, lesson)
        async with gate:  # each lesson in a kernel of its own, started for it
            try:
                await NotebookClient(nb, timeout=TIMEOUT, kernel_name=KERNEL,
                                     resources={"metadata": {"path": str(folder)}}).async_execute()
            except Exception as err:  # noqa: BLE001 - raised again by that lesson's test
                return lesson, err
        return lesson, nb

    async def run_all():
        gate = asyncio.Semaphore(JOBS)
        return dict(await asyncio.gather(*(run(lesson, gate) for lesson in LESSONS)))

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(home / "jupyter"))
        return asyncio.run(run_all())


@pytest.mark.parametrize("lesson", LESSONS)
def test_student_notebook_runs_and_checks_without_revealing(unzipped, fresh, executed, lesson):
    import nbformat

    python, home = fresh
    ex_id = probe_id(lesson)
    ex = exercises.EXERCISES[ex_id]
    expected = float(ex.compute())
    lesson_cells = len(nbformat.read(unzipped / "notebooks" / lesson, as_version=4).cells)
    nb = executed[lesson]
    if isinstance(nb, BaseException):
        raise nb

    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    assert all(c.execution_count for c in nb.cells[:lesson_cells] if c.cell_type == "code" and c.source.strip())
    where, said, right = ("".join(o.get("text", "") for o in c.outputs) for c in nb.cells[-3:])
    prefix, module = where.split()
    assert prefix == str(home / "venv") and module.startswith(prefix), "the kernel runs the installed wheel"
    assert said == f"{exercises.NOT_YET}{ex.hint}\nFalse\n" and right == f"{exercises.CORRECT}\nTrue\n"
    for shown in {repr(expected), f"{expected:.4g}", f"{expected:.2f}"}:
        if len(shown.strip("-0.")) >= 3:
            assert shown not in said, f"{ex_id}: the check printed the expected value {shown}"
