"""The student edition as a student gets it: built, zipped, and every notebook run from the top.

Slow (every lesson is executed in a kernel), so it sits outside the unit suite (``tests/book`` is in
``norecursedirs``) and runs after the book build in ``make test``. The fast checks of what the
edition holds are in ``tests/test_student.py``.
"""

import os
import sys
import zipfile

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell

from gexlib.course import exercises, student

LESSONS = sorted(p.name for p in student.NOTEBOOKS_DIR.glob(student.LESSON_GLOB))
#: Seconds any one cell may take.
TIMEOUT = 120


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    report = student.build(out, progress=None)
    return out, report


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
    assert "data/spx_calm.csv" in files and "README.md" in files
    with zipfile.ZipFile(out / student.ZIP_NAME) as zf:
        assert zf.testzip() is None
        assert sorted(zf.namelist()) == [f"{student.ZIP_ROOT}/{f}" for f in files]
        for f in files:
            assert zf.read(f"{student.ZIP_ROOT}/{f}") == (out / f).read_bytes(), f


@pytest.mark.parametrize("lesson", LESSONS)
def test_student_notebook_runs_and_checks_without_revealing(edition, lesson, monkeypatch):
    if "OPENBLAS_NUM_THREADS" not in os.environ:  # as the Makefile sets it for every target
        monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    out, _ = edition
    ex_id = probe_id(lesson)
    ex = exercises.EXERCISES[ex_id]
    expected = float(ex.compute())
    wrong = expected + 100 * (ex.tolerance(expected) + 1.0)
    path = out / "notebooks" / lesson
    nb = nbformat.read(path, as_version=4)
    lesson_cells = len(nb.cells)
    nb.cells += [new_code_cell("import sys\nprint(sys.prefix)"),
                 new_code_cell(f"from gexlib.course import exercises as _ex\nprint(_ex.check({ex_id!r}, {wrong!r}))")]

    NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()

    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    assert all(c.execution_count for c in nb.cells[:lesson_cells] if c.cell_type == "code" and c.source.strip())
    prefix, said = ("".join(o.get("text", "") for o in c.outputs) for c in nb.cells[-2:])
    assert prefix.strip() == sys.prefix, "the kernel runs this environment's Python"
    assert said == f"{exercises.NOT_YET}{ex.hint}\nFalse\n"
    for shown in {repr(expected), f"{expected:.4g}", f"{expected:.2f}"}:
        if len(shown.strip("-0.")) >= 3:
            assert shown not in said, f"{ex_id}: the check printed the expected value {shown}"
