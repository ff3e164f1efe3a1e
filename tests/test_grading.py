"""Graded assignments: the nbgrader course directory, on hand-made lessons and the real ones.

The end-to-end test runs the real nbgrader command line (``generate_assignment``, ``autograde``)
on one lesson and reads the scores from the gradebook; run it alone with
``pytest -m grading`` (every test here carries the ``grading`` mark).
"""

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from gexlib.course import cli, exercises, grading, student
from gexlib.course.grading import GradingError

pytestmark = pytest.mark.grading

NOTEBOOKS = sorted(student.NOTEBOOKS_DIR.glob(student.LESSON_GLOB))


def text(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def nbg(cell):
    return cell.get("metadata", {}).get("nbgrader")


def lesson(*blocks):
    """A small lesson: title, a code cell, the Exercises heading, then exercise/solution ``blocks``."""
    nb = new_notebook(cells=[new_markdown_cell("# A lesson"), new_code_cell("x = 1"),
                             new_markdown_cell("## Exercises\n\nThe solutions are collapsed. Try first.")])
    for label, body, solution in blocks:
        nb.cells += [new_markdown_cell(f"```{{exercise-start}}\n:label: {label}\n```"), new_markdown_cell(body),
                     new_markdown_cell("```{exercise-end}\n```"),
                     new_markdown_cell(f"```{{solution-start}} {label}\n:class: dropdown\n```"), *solution,
                     new_markdown_cell("```{solution-end}\n```")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


REGISTRY = {"99-a": None, "99-b": None, "99-c": None}


# --- the check calls and the answer code ----------------------------------------------------------------


def test_answer_code_stores_the_checked_expression_before_the_check():
    code = 'x = 2\n_ = check("99-a", x * 3)\nprint(x)'
    out = grading.answer_code(code, {"99-a": "answer"})
    assert out == 'x = 2\nanswer = x * 3\n_ = check("99-a", answer)\nprint(x)'
    ns = {"check": lambda i, a: a}
    exec(out, ns)
    assert ns["answer"] == 6


def test_answer_code_leaves_an_answer_variable_alone_and_keeps_indentation():
    assert grading.answer_code('answer = 1\ncheck("99-a", answer)', {"99-a": "answer"}) == \
        'answer = 1\ncheck("99-a", answer)'
    code = 'if True:  # a comment\n    _ = exercises.check("99-a", "négatif" if 1 < 0 else "positif")\n'
    out = grading.answer_code(code, {"99-a": "answer"})
    ns = {"exercises": type("E", (), {"check": staticmethod(lambda i, a: a)})}
    exec(out, ns)
    assert ns["answer"] == "positif"
    assert '    answer = "négatif" if 1 < 0 else "positif"\n' in out


def test_answer_code_handles_two_checks_and_a_multiline_answer():
    code = ('a, b = 1.5, 2.5\nok = check("99-a", a) and check("99-b",\n'
            '                                          b +\n                                          1)\n')
    out = grading.answer_code(code, {"99-a": "answer_1", "99-b": "answer_2"})
    ns = {"check": lambda i, a: True}
    exec(out, ns)
    assert (ns["answer_1"], ns["answer_2"]) == (1.5, 3.5)
    assert 'check("99-a", answer_1) and check("99-b",\n' in out


@pytest.mark.parametrize("code, match", [
    ('def f(x):\n    check("99-a", x)', "inside a function"),
    ('[check("99-a", x) for x in (1, 2)]', "comprehension"),
    ('for i in ("99-a",):\n    check(i, 1)', "string literal"),
    ('check("99-a")', "string literal"),
    ("x = (", "cannot parse"),
])
def test_check_calls_refuses_what_it_cannot_grade(code, match):
    with pytest.raises(GradingError, match=match) as info:
        grading.check_calls(code, where="lesson.ipynb cell 7")
    assert "lesson.ipynb cell 7" in str(info.value)


# --- one lesson -----------------------------------------------------------------------------------------


def test_a_checked_exercise_becomes_an_answer_cell_and_a_hidden_test():
    nb = lesson(("ex-99-1", "What is 2 + 2?", [new_markdown_cell("Add."),
                                              new_code_cell('total = 2 + 2\n_ = check("99-a", total)')]))
    out, graded = grading.assignment_notebook(nb, name="99_demo.ipynb", registry=REGISTRY,
                                              points={"99-a": 3})
    assert graded == [grading.Graded("99_demo", "ex-99-1", "99-a", "test-99-a", 3)]
    answer, test = out.cells[-2:]
    assert nbg(answer) == {"grade": False, "grade_id": "answer-ex-99-1", "locked": False,
                           "schema_version": 3, "solution": True}
    assert nbg(test) == {"grade": True, "grade_id": "test-99-a", "locked": True, "points": 3,
                         "schema_version": 3, "solution": False}
    lines = text(answer).splitlines()
    assert lines[lines.index("answer = None") + 1:] == ["### BEGIN SOLUTION", "total = 2 + 2", "answer = total",
                                                        '_ = check("99-a", answer)', "### END SOLUTION"]
    hidden = text(test).split("### BEGIN HIDDEN TESTS\n")[1]
    assert hidden == 'assert is_right("99-a", answer), "99-a: not right"\n### END HIDDEN TESTS'
    # the solution's prose and markers are gone, the exercise and the lesson stay
    assert not any("solution-start" in text(c) or text(c) == "Add." for c in out.cells)
    assert [text(c) for c in out.cells[:2]] == ["# A lesson", "x = 1"]
    assert "What is 2 + 2?" in [text(c) for c in out.cells]
    assert grading.NOTE in text(out.cells[2]) and "solutions" not in text(out.cells[2])


def test_each_check_id_is_graded_on_its_own():
    nb = lesson(("ex-99-1", "Two numbers.", [new_code_cell('check("99-a", 1.0)'), new_code_cell('check("99-b", 2)')]))
    out, graded = grading.assignment_notebook(nb, name="99_demo.ipynb", registry=REGISTRY)
    assert [(g.exercise_id, g.points) for g in graded] == [("99-a", 1), ("99-b", 1)]
    assert [nbg(c)["grade_id"] for c in out.cells[-3:]] == ["answer-ex-99-1", "test-99-a", "test-99-b"]
    assert "the 2 cells after this one grade them" in text(out.cells[-3])
    assert 'is_right("99-b", answer_2)' in text(out.cells[-1])
    ns = {"check": lambda i, a: True}
    exec(text(out.cells[-3]), ns)
    assert (ns["answer_1"], ns["answer_2"]) == (1.0, 2)


def test_a_discussion_exercise_is_graded_by_hand_or_left_out():
    blocks = [("ex-99-1", "Say why.", [new_markdown_cell("Because."), new_code_cell("print(1)")])]
    out, graded = grading.assignment_notebook(lesson(*blocks), name="99_demo.ipynb", registry=REGISTRY,
                                              points=2)
    assert graded == [grading.Graded("99_demo", "ex-99-1", None, "written-ex-99-1", 2)]
    assert graded[0].kind == "manual"
    cell = out.cells[-1]
    assert cell.cell_type == "markdown"
    assert nbg(cell) == {"grade": True, "grade_id": "written-ex-99-1", "locked": False, "points": 2,
                         "schema_version": 3, "solution": True}
    assert text(cell) == "Because.\n\n```python\nprint(1)\n```"
    with pytest.raises(GradingError, match="no gradable exercise"):
        grading.assignment_notebook(lesson(*blocks), name="99_demo.ipynb", registry=REGISTRY, written=False)
    checked = ("ex-99-2", "A number.", [new_code_cell('check("99-a", 1)')])
    out, graded = grading.assignment_notebook(lesson(*blocks, checked), name="99_demo.ipynb",
                                              registry=REGISTRY, written=False)
    assert [g.grade_id for g in graded] == ["test-99-a"]
    assert "Because." not in [text(c) for c in out.cells]


def test_an_exercise_without_a_solution_is_graded_by_hand_in_its_place():
    nb = lesson(("ex-99-1", "A number.", [new_code_cell('check("99-a", 1)')]))
    nb.cells += [new_markdown_cell("```{exercise-start}\n:label: ex-99-7\n```"), new_markdown_cell("Why?"),
                 new_markdown_cell("```{exercise-end}\n```"), new_markdown_cell("Closing words.")]
    out, graded = grading.assignment_notebook(nb, name="99_demo.ipynb", registry=REGISTRY)
    assert [(g.label, g.kind) for g in graded] == [("ex-99-1", "auto"), ("ex-99-7", "manual")]
    texts = [text(c) for c in out.cells]
    assert texts[-3:] == ["**Exercise 7, written answer** (1 point, graded by hand): write it in the cell below.",
                          "(the lesson gives no model answer)", "Closing words."]
    assert nbg(out.cells[-2])["grade_id"] == "written-ex-99-7"


def test_an_id_graded_twice_is_refused():
    nb = lesson(("ex-99-1", "A.", [new_code_cell('check("99-a", 1)')]),
                ("ex-99-2", "B.", [new_code_cell('check("99-a", 2)')]))
    with pytest.raises(GradingError, match=r"99_demo.ipynb: 99-a is graded twice \(ex-99-1 and ex-99-2\)"):
        grading.assignment_notebook(nb, name="99_demo.ipynb", registry=REGISTRY)


def test_an_unregistered_id_is_named_with_its_cell():
    nb = lesson(("ex-99-1", "?", [new_code_cell('check("99-zzz", 1)')]))
    with pytest.raises(GradingError, match=r"99_demo.ipynb cell \d+: check id '99-zzz' is not in the exercise"):
        grading.assignment_notebook(nb, name="99_demo.ipynb", registry=REGISTRY)


def test_a_plain_solution_fence_becomes_a_written_answer():
    nb = lesson()
    nb.cells += [new_markdown_cell("```{exercise}\n:label: ex-99-1\nWhy?\n```"),
                 new_markdown_cell("Before.\n\n```{solution} ex-99-1\n:class: dropdown\nBecause.\n```")]
    out, graded = grading.assignment_notebook(nb, name="99_demo.ipynb", registry=REGISTRY)
    assert [g.grade_id for g in graded] == ["written-ex-99-1"]
    assert [text(c) for c in out.cells[-3:]][0] == "Before."
    assert text(out.cells[-1]) == "Because."


# --- the real lessons ----------------------------------------------------------------------------------


def solution_check_ids(nb):
    """Self-check ids called in the code cells of a lesson's solution blocks (read independently)."""
    ids, inside = [], False
    for cell in nb.cells:
        src = text(cell)
        if cell.cell_type == "markdown" and "{solution-start}" in src:
            inside = True
        elif cell.cell_type == "markdown" and "{solution-end}" in src:
            inside = False
        elif inside and cell.cell_type == "code":
            ids += re.findall(r"""check\(\s*["']([^"']+)["']""", src)
    return ids


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_checked_exercise_of_a_lesson_is_autograded(path):
    nb = nbformat.read(path, as_version=4)
    out, graded = grading.assignment_notebook(nb, name=path.name)
    ids = solution_check_ids(nb)
    assert ids, f"{path.name}: no self-checked exercise"
    assert [g.exercise_id for g in graded if g.kind == "auto"] == list(dict.fromkeys(ids))
    assert set(ids) <= set(exercises.EXERCISES)
    labels = re.findall(r":label: (ex-\S+)", "\n".join(text(c) for c in nb.cells if c.cell_type == "markdown"))
    assert sorted({g.label for g in graded}) == sorted(labels)  # every exercise graded, checked or written
    # the cells nbgrader reads: unique grade ids, metadata of schema 3, points on graded cells
    metas = [nbg(c) for c in out.cells if nbg(c)]
    assert len({m["grade_id"] for m in metas}) == len(metas)
    assert all(m["schema_version"] == 3 and ("points" in m) == m["grade"] for m in metas)
    assert not any(c.get("outputs") for c in out.cells)
    for cell in out.cells:  # every solution is inside a solution cell's BEGIN/END SOLUTION region
        if "{solution-start}" in text(cell):
            pytest.fail(f"{path.name}: a solution marker is left")
        if cell.cell_type == "code" and nbg(cell) and nbg(cell)["solution"]:
            ast.parse(text(cell))
            assert text(cell).count("### BEGIN SOLUTION") == 1 == text(cell).count("### END SOLUTION")


def test_course_command_writes_config_sources_and_readme(tmp_path, capsys):
    (tmp_path / "course" / "gradebook.db").parent.mkdir()
    (tmp_path / "course" / "gradebook.db").write_text("kept")
    # the self-check of lesson 01's first exercise, read from the lesson (ids change when exercises do)
    first = re.search(r'check\(\\?"(01-[\w-]+)\\?"', NOTEBOOKS[0].read_text(encoding="utf-8")).group(1)
    assert cli.main(["course", "--out", str(tmp_path / "course"), "--points", f"{first}=2.5"]) == 0
    course = tmp_path / "course"
    assert sorted(p.name for p in (course / "source").iterdir()) == [p.stem for p in NOTEBOOKS]
    for p in NOTEBOOKS:
        assert (course / "source" / p.stem / p.name).is_file()
    assert (course / "gradebook.db").read_text() == "kept"
    config = (course / "nbgrader_config.py").read_text()
    compile(config, "nbgrader_config.py", "exec")
    assert 'c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE"}' in config
    readme = (course / "README.md").read_text()
    assert f"| 01_options_greeks | ex-01-1 | {first} | test-{first} | auto | 2.5 |" in readme
    out = capsys.readouterr().out
    assert re.search(r"nbgrader course: \d+ assignments, \d+ graded cells", out)
    for bad in ("nonsense", "01-gamma-atm", "01-gamma-atm=many"):
        with pytest.raises(SystemExit):
            cli.main(["course", "--out", str(course), "--points", bad])


# --- the real nbgrader command line -------------------------------------------------------------------------


def nbgrader(course, *args):
    """Run ``nbgrader`` in ``course`` with this environment's tools first on PATH and no user config."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
               JUPYTER_CONFIG_DIR=str(course / ".jupyter-config"), OPENBLAS_NUM_THREADS="1")
    run = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{run.stdout}\n{run.stderr}"
    return run


def submit(course, assignment, name, answers):
    """Write a submission: the released notebook with each answer cell's code replaced by ``answers``."""
    nb = nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    for cell in nb.cells:
        meta = nbg(cell)
        if meta and meta["solution"] and meta["grade_id"] in answers:
            cell.source = answers[meta["grade_id"]]
    folder = course / "submitted" / name / assignment
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{assignment}.ipynb")


def wrong_answer(exercise_id):
    """A wrong answer: the first near miss the exercise declares, else the expected one changed."""
    for name, miss in exercises.near_misses(exercise_id).items():
        return name, miss
    expected = exercises.EXERCISES[exercise_id].compute()
    if isinstance(expected, str):
        return "another word", f"not {expected}"
    return "twice the answer plus one", 2 * float(expected) + 1


def test_nbgrader_grades_a_right_and_a_wrong_submission(tmp_path):
    course = tmp_path / "course"
    # one lesson with only self-checked exercises, each worth a different number of points, so that
    # the points lost name the exercise that lost them; of those lessons the one with the fewest code
    # cells, since autograding executes it once per submission
    def code_cells(p):
        return sum(c.cell_type == "code" for c in nbformat.read(p, as_version=4).cells)

    path = min((p for p in NOTEBOOKS
                if all(g.kind == "auto" for g in grading.assignment_notebook(nbformat.read(p, as_version=4),
                                                                              name=p.name)[1])), key=code_cells)
    assignment = path.stem
    auto = grading.assignment_notebook(nbformat.read(path, as_version=4), name=path.name)[1]
    points = {g.exercise_id: k for k, g in enumerate(auto, 1)}
    lessons = tmp_path / "notebooks"
    lessons.mkdir()
    shutil.copyfile(path, lessons / path.name)
    graded = grading.build(course, notebooks_dir=lessons, points=points, progress=None)
    assert len(graded) >= 2
    nbgrader(course, "generate_assignment", assignment, "--force")

    released = nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    for cell in released.cells:  # nothing of the solutions or the hidden tests is handed out
        assert "BEGIN SOLUTION" not in text(cell) and "is_right(" not in text(cell).replace("import is_right", "")
    source = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    solutions = {nbg(c)["grade_id"]: re.sub(r"### (BEGIN|END) SOLUTION\n?", "", text(c))
                 for c in source.cells if nbg(c) and nbg(c)["solution"]}
    wrong = graded[1]
    miss_name, miss = wrong_answer(wrong.exercise_id)
    assert not exercises.is_right(wrong.exercise_id, miss)
    wrong_answers = dict(solutions)
    wrong_answers[f"answer-{wrong.label}"] += f"\nanswer = {miss!r}  # {miss_name}\n"
    submit(course, assignment, "all-right", solutions)
    submit(course, assignment, "one-wrong", wrong_answers)

    nbgrader(course, "autograde", assignment)
    table = grading.scores(course, assignment)
    print(table.to_string(index=False))
    totals = table.groupby("student")[["score", "points"]].sum()
    print(totals)
    total = sum(g.points for g in graded)
    assert set(table["grade_id"]) == {g.grade_id for g in graded}
    assert totals.loc["all-right", "score"] == total == totals.loc["all-right", "points"]
    assert totals.loc["one-wrong", "score"] == total - wrong.points
    lost = table[(table["student"] == "one-wrong") & (table["score"] < table["points"])]
    assert list(lost["grade_id"]) == [wrong.grade_id] and list(lost["score"]) == [0.0]
    assert not table["needs_manual_grade"].any()

    export = nbgrader(course, "export", "--to", str(tmp_path / "grades.csv"))
    grades = (tmp_path / "grades.csv").read_text().splitlines()
    print("\n".join(grades))
    header = grades[0].split(",")
    rows = {r.split(",")[header.index("student_id")]: r.split(",") for r in grades[1:]}
    assert float(rows["all-right"][header.index("score")]) == total
    assert float(rows["one-wrong"][header.index("score")]) == total - wrong.points
    assert export.returncode == 0
