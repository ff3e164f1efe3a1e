"""Graded assignments: the lessons as an nbgrader course directory.

``python -m gexlib.course course`` (``make course``) writes ``_build/course/``, a course directory
for nbgrader (https://nbgrader.readthedocs.io):

- ``nbgrader_config.py``: the course id, the stubs students see in place of a solution, the
  execution timeout;
- ``source/<lesson>/<lesson>.ipynb``: one assignment per lesson, named after its notebook
  (``01_options_greeks`` …), for ``nbgrader generate_assignment <lesson>``;
- ``README.md``: the commands, and every graded exercise with its grade id and points.

Each assignment is the whole lesson, outputs cleared, with every solution block replaced by cells
that nbgrader grades. The list of exercises is read from the notebooks and checked against the
exercise registry each time, so new lessons and reworked exercises need no change here:

- an exercise whose solution calls ``check("NN-name", expr)`` becomes, for each such id, an
  **autograded answer**: an answer cell (``answer = None``, then the reference solution between
  ``### BEGIN SOLUTION`` and ``### END SOLUTION``, with ``answer = expr`` inserted before the
  check) and a locked test cell whose assertion ``is_right("NN-name", answer)`` sits between
  ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``, so the released notebook does not show it;
  the grade is the same comparison as the self-check (:func:`gexlib.course.exercises.is_right`);
- an exercise whose solution has no self-check (a discussion) becomes a **manually graded written
  answer**: a markdown answer cell holding the solution's text as the model answer, which the
  student sees as ``YOUR ANSWER HERE`` (or it is left out with ``written=False``).

The written parts of self-checked exercises ("say why …") are not graded: the check grades the
number. Points default to :data:`AUTO_POINTS` per self-check id and :data:`WRITTEN_POINTS` per
written answer, and can be set per id or label.
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from . import student

#: Points of one autograded answer (one self-check id), unless set per id.
AUTO_POINTS = 1
#: Points of one manually graded written answer (a discussion exercise), unless set per label.
WRITTEN_POINTS = 1
#: The nbgrader course id written to ``nbgrader_config.py``.
COURSE_ID = "gexlib"
#: What replaces the reference solution in the student's answer cell (after ``answer = None``).
CODE_STUB = "# YOUR CODE HERE"
#: What replaces the model answer in a written answer cell.
TEXT_STUB = "YOUR ANSWER HERE"
#: Seconds a single cell may run when nbgrader executes a submission (nbgrader's default is 30).
CELL_TIMEOUT = 300
#: nbgrader cell metadata schema this module writes.
SCHEMA_VERSION = 3

#: What the assignment says under each ``## Exercises`` heading, in place of the talk of solutions.
NOTE = ("*Graded assignment:* each exercise is followed by an answer cell. Put your result in the\n"
        "variable it names (`answer`) and leave the cell after it as it is: it holds the hidden tests\n"
        "that grade your answer. A written exercise has a cell saying YOUR ANSWER HERE, graded by\n"
        "hand. Check a numeric answer as often as you like with `check(exercise_id, answer)`: it is\n"
        "the comparison the grader makes, and it never shows the expected value.")

_LABEL = re.compile(r"^\s*:label:\s*(\S+)\s*$", re.MULTILINE)
_EXERCISE_NUMBER = re.compile(r"-(\d+)$")


class GradingError(ValueError):
    """A lesson cannot be turned into an assignment; the message names notebook and cell."""


@dataclass(frozen=True)
class Graded:
    """One graded cell of an assignment.

    Attributes
    ----------
    lesson : str
        Assignment name: the lesson notebook's file name without ``.ipynb``.
    label : str
        The exercise's label, e.g. ``"ex-03-1"``.
    exercise_id : str or None
        The self-check id graded (``"03-stressed-puts-x2"``), None for a written answer.
    grade_id : str
        nbgrader's id of the graded cell (the test cell, or the written answer cell).
    points : float
        Points the cell is worth.
    """

    lesson: str
    label: str
    exercise_id: str | None
    grade_id: str
    points: float

    @property
    def kind(self) -> str:
        """``"auto"`` (hidden tests) or ``"manual"`` (a written answer graded by hand)."""
        return "manual" if self.exercise_id is None else "auto"


def _text(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _meta(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
            "solution": solution}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def _cell_id(prefix: str, name: str) -> str:
    """A notebook cell id (letters, digits, ``-`` and ``_``; at most 64 characters)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", f"{prefix}-{name}")[:64]


# --- the check calls of a solution ----------------------------------------------------------------


@dataclass(frozen=True)
class _Check:
    exercise_id: str
    expr: str                 # source of the answer argument
    stmt_line: int            # 0-based first line of the statement holding the call
    indent: str               # that statement's indentation
    arg_span: tuple[int, int, int, int]  # 0-based line, byte col, end line, end byte col of the argument


def _is_check(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    f = node.func
    return (isinstance(f, ast.Name) and f.id == "check") or (isinstance(f, ast.Attribute) and f.attr == "check")


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
           ast.GeneratorExp, ast.ClassDef)


def check_calls(code: str, *, where: str = "<cell>") -> list[_Check]:
    """The ``check("id", answer)`` calls of a code cell, in order.

    Raises
    ------
    GradingError
        When the cell is not Python, when a call's id is not a string literal or it has no answer
        argument, or when the call sits inside a function, class, lambda or comprehension (its answer
        could not be read at the cell's top level).
    """
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise GradingError(f"{where}: cannot parse the solution code (line {exc.lineno}: {exc.msg})") from None
    lines = code.splitlines()
    found = []

    def visit(node, stmt, scoped):
        for child in ast.iter_child_nodes(node):
            child_stmt = child if isinstance(child, ast.stmt) else stmt
            if _is_check(child):
                line = child.lineno
                if scoped:
                    raise GradingError(f"{where} line {line}: a check call inside a function, class, lambda "
                                       "or comprehension cannot be graded; call check at the cell's top level")
                args = child.args
                if len(args) != 2 or not (isinstance(args[0], ast.Constant) and isinstance(args[0].value, str)):
                    raise GradingError(f"{where} line {line}: the check call must read check(\"<id>\", answer) "
                                       "with the id as a string literal")
                arg = args[1]
                stmt_line = child_stmt.lineno - 1
                found.append(_Check(exercise_id=args[0].value, expr=ast.get_source_segment(code, arg),
                                    stmt_line=stmt_line,
                                    indent=re.match(r"\s*", lines[stmt_line]).group(0),
                                    arg_span=(arg.lineno - 1, arg.col_offset, arg.end_lineno - 1,
                                              arg.end_col_offset)))
            visit(child, child_stmt, scoped or isinstance(child, _SCOPES))

    visit(tree, None, False)
    return sorted(found, key=lambda c: (c.arg_span[0], c.arg_span[1]))


def answer_code(code: str, variables: Mapping[str, str], *, where: str = "<cell>") -> str:
    """The solution ``code`` with each checked answer also stored in its grading variable.

    Before each statement calling ``check("id", expr)`` the line ``variable = expr`` is inserted at
    the statement's indentation, and the call then checks ``variable``; nothing changes when
    ``expr`` is already the variable. ``variables`` maps each id to its variable name.
    """
    data = code.encode()
    starts = [0]
    for line in data.split(b"\n")[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    edits = []  # (start byte, end byte, replacement), applied from the end of the code backwards
    for c in check_calls(code, where=where):
        var = variables[c.exercise_id]
        if c.expr.strip() == var:
            continue
        line, col, end_line, end_col = c.arg_span
        edits.append((starts[line] + col, starts[end_line] + end_col, var))
        expr = c.expr if "\n" not in c.expr else f"(\n{c.expr}\n)"
        edits.append((starts[c.stmt_line], starts[c.stmt_line], f"{c.indent}{var} = {expr}\n"))
    for start, end, text in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        data = data[:start] + text.encode() + data[end:]
    return data.decode()


# --- one lesson -------------------------------------------------------------------------------------


def _fence_arg(text: str, name: str) -> str:
    """The argument of the first ``{name}`` fence of a markdown text (``""`` when it has none)."""
    for fname, first, _ in student.fences(text):
        if fname == name:
            return student._FENCE.match(text.splitlines()[first])["arg"].strip()
    return ""


def _plain_solutions(text: str, where: str) -> tuple[str, list[tuple[str, str]]]:
    """``text`` without its ``{solution}`` fences, and each fence's ``(label, body)``."""
    spans = [(a, b) for name, a, b in student.fences(text, where=where) if name == "solution"]
    if not spans:
        return text, []
    lines = text.splitlines()
    bodies = []
    for a, b in spans:
        label = student._FENCE.match(lines[a])["arg"].strip()
        body = [ln for ln in lines[a + 1:b] if not re.match(r"^\s*:[\w-]+:", ln)]
        bodies.append((label, "\n".join(body).strip("\n")))
    kept, _ = student._without_plain_solutions(text, where)
    return kept, bodies


def _number(label: str, fallback: int) -> str:
    m = _EXERCISE_NUMBER.search(label)
    return m.group(1) if m else str(fallback)


def _points_of(points, key: str, default: float) -> float:
    if points is None:
        return default
    if isinstance(points, Mapping):
        return points.get(key, default)
    return points


def _model_answer(cells) -> str:
    """The text of a written exercise's solution cells, code in fenced blocks."""
    parts = []
    for c in cells:
        src = _text(c).strip("\n")
        if not src.strip():
            continue
        parts.append(src if c["cell_type"] == "markdown" else f"```python\n{src}\n```")
    return "\n\n".join(parts)


def _graded_cells(lesson: str, label: str, number: str, solution_cells, *, points, written: bool,
                  registry, where: str) -> tuple[list, list[Graded]]:
    """The cells replacing one solution block, and what they grade."""
    from nbformat.v4 import new_code_cell, new_markdown_cell

    code_cells = [(i, c) for i, c in solution_cells if c["cell_type"] == "code"]
    calls = [(i, call) for i, c in code_cells for call in check_calls(_text(c), where=f"{where} cell {i}")]
    ids = list(dict.fromkeys(call.exercise_id for _, call in calls))
    for i, call in calls:
        if call.exercise_id not in registry:
            raise GradingError(f"{where} cell {i}: check id {call.exercise_id!r} is not in the exercise registry")

    if not ids:
        if not written:
            return [], []
        grade_id = _cell_id("written", label)
        pts = _points_of(points, label, WRITTEN_POINTS)
        prompt = new_markdown_cell(f"**Exercise {number}, written answer** ({_plural(pts)}, graded by hand): "
                                   "write it in the cell below.")
        prompt.id = _cell_id("prompt", label)
        model = _model_answer(c for _, c in solution_cells) or "(the lesson gives no model answer)"
        cell = new_markdown_cell(model, metadata=_meta(grade_id, grade=True, solution=True, locked=False,
                                                       points=pts))
        cell.id = grade_id
        return [prompt, cell], [Graded(lesson, label, None, grade_id, pts)]

    variables = {eid: "answer" if len(ids) == 1 else f"answer_{k}" for k, eid in enumerate(ids, 1)}
    code = "\n\n".join(answer_code(_text(c), variables, where=f"{where} cell {i}") for i, c in code_cells)
    names = ", ".join(f"`{v}`" for v in variables.values())
    graders = "the next cell grades it" if len(ids) == 1 else f"the {len(ids)} cells after this one grade them"
    head = [f"# Exercise {number}: put your answer in {names}; {graders}."]
    head += [f'# Check it first with check("{eid}", {var}).' for eid, var in variables.items()]
    head += [f"{var} = None" for var in variables.values()]
    answer = new_code_cell("\n".join(head + ["### BEGIN SOLUTION", code.strip("\n"), "### END SOLUTION"]),
                           metadata=_meta(_cell_id("answer", label), grade=False, solution=True, locked=False))
    answer.id = _cell_id("answer", label)
    out, graded = [answer], []
    for eid, var in variables.items():
        grade_id = _cell_id("test", eid)
        pts = _points_of(points, eid, AUTO_POINTS)
        test = new_code_cell("\n".join([
            f"# Graded: {eid}, {_plural(pts)}. The tests are hidden; they compare `{var}` with the",
            f'# expected value exactly as check("{eid}", {var}) does.',
            "from gexlib.course.exercises import is_right",
            "",
            f'assert {var} is not None, "no answer yet: set {var} in the cell above"',
            "### BEGIN HIDDEN TESTS",
            f'assert is_right("{eid}", {var}), "{eid}: not right"',
            "### END HIDDEN TESTS",
        ]), metadata=_meta(grade_id, grade=True, solution=False, locked=True, points=pts))
        test.id = grade_id
        out.append(test)
        graded.append(Graded(lesson, label, eid, grade_id, pts))
    return out, graded


def _plural(points: float) -> str:
    return f"{points:g} point" + ("" if points == 1 else "s")


def assignment_notebook(nb, *, name: str = "<notebook>", points=None, written: bool = True, registry=None):
    """The graded assignment of one lesson: solutions turned into nbgrader answer and test cells.

    Parameters
    ----------
    nb : nbformat.NotebookNode or dict
        A lesson notebook (nbformat 4) with ``{exercise}`` and ``{solution-start}`` … ``{solution-end}``
        blocks, as the lessons write them.
    name : str
        The notebook's file name; the assignment is named after it without ``.ipynb``.
    points : float, mapping or None
        Points of every graded cell, or a mapping from self-check id (``"03-stressed-puts-x2"``) or
        written exercise label (``"ex-05-4"``) to points; missing keys get :data:`AUTO_POINTS` or
        :data:`WRITTEN_POINTS`.
    written : bool
        Whether exercises without a self-check become manually graded written answers (True) or
        are left without an answer cell (False).
    registry : mapping or None
        Exercise id -> exercise; default :data:`gexlib.course.exercises.EXERCISES`.

    Returns
    -------
    (nbformat.NotebookNode, list of Graded)
        The assignment's source notebook (``nb`` is left unchanged) and its graded cells in order.

    Raises
    ------
    GradingError
        When a check id is not registered, a check call cannot be read, or the lesson grades nothing.
    StudentEditionError
        On unbalanced solution markers or a missing ``## Exercises`` heading.
    """
    import nbformat

    if registry is None:
        from .exercises import EXERCISES as registry
    lesson = Path(name).stem
    student.strip_solutions(nb, name=name)  # raises on unbalanced or nested markers
    src = student.clear_outputs(nbformat.from_dict(copy.deepcopy(dict(nb))))
    src, _ = student.replace_intro(src, name=name, note=NOTE)

    kept = []                # the assignment's cells
    graded = []              # (position in kept, Graded)
    exercises_seen = []      # (label, position in kept right after the exercise's last cell)
    solved = set()           # labels whose solution was turned into graded cells
    block, block_label, current = None, "", None

    def emit(label, solution_cells, at=None):
        number = _number(label, max(len(exercises_seen), 1))
        cells, g = _graded_cells(lesson, label, number, solution_cells, points=points, written=written,
                                 registry=registry, where=name)
        at = len(kept) if at is None else at
        for k, (pos, item) in enumerate(graded):  # later cells move down
            if pos >= at:
                graded[k] = (pos + len(cells), item)
        kept[at:at] = cells
        graded.extend((at, item) for item in g)
        solved.add(label)

    for index, cell in enumerate(src.cells):
        text = _text(cell)
        markers = student._gate_markers(text, f"{name} cell {index}") if cell.cell_type == "markdown" else []
        if block is not None:
            if "solution-end" in markers:
                emit(block_label, block)
                block = None
            else:
                block.append((index, cell))
            continue
        if "solution-start" in markers:
            block = []
            block_label = _fence_arg(text, "solution-start") or (current or f"{lesson}-solution-{index}")
            continue
        if cell.cell_type != "markdown":
            kept.append(cell)
            continue
        rest, plain = _plain_solutions(text, f"{name} cell {index}")
        if rest.strip():
            cell.source = rest
            kept.append(cell)
        lines = text.splitlines()
        for fname, a, b in student.fences(text):
            found = _LABEL.search("\n".join(lines[a:b + 1]))
            label = found.group(1) if found else f"{lesson}-exercise-{len(exercises_seen) + 1}"
            if fname == "exercise-start":
                current = label
            elif fname in ("exercise", "exercise-end"):
                exercises_seen.append((current if fname == "exercise-end" and current else label, len(kept)))
        for label, body in plain:
            emit(label or current or f"{lesson}-solution-{index}", [(index, nbformat.v4.new_markdown_cell(body))])
    # An exercise without a solution block is graded by hand, with no model answer.
    for label, at in reversed(exercises_seen):
        if label not in solved:
            emit(label, [], at=at)
    graded = [item for _, item in sorted(graded, key=lambda pair: pair[0])]
    seen = {}
    for g in graded:
        if g.grade_id in seen:
            raise GradingError(f"{name}: {g.exercise_id or g.label} is graded twice ({seen[g.grade_id]} and "
                               f"{g.label}); give each exercise its own self-check id")
        seen[g.grade_id] = g.label
    if not graded:
        raise GradingError(f"{name}: no gradable exercise (no solution block)")
    src.cells = kept
    return src, graded


# --- the course directory ---------------------------------------------------------------------------


CONFIG = f'''\
"""nbgrader configuration of the gexlib course, written by `python -m gexlib.course course`.

Rerunning that command overwrites this file: put the settings of your own installation (the
exchange directory, the course root on a JupyterHub) in ~/.jupyter/nbgrader_config.py or
/etc/jupyter/nbgrader_config.py instead.
"""

c = get_config()  # noqa: F821  (nbgrader provides get_config)

c.CourseDirectory.course_id = "{COURSE_ID}"
# What students see in place of the reference solution: their answer cell keeps `answer = None`.
c.ClearSolutions.code_stub = {{"python": "{CODE_STUB}"}}
c.ClearSolutions.text_stub = "{TEXT_STUB}"
# A lesson runs in seconds, but a loaded grading machine can be slow: allow each cell {CELL_TIMEOUT} s.
c.Execute.timeout = {CELL_TIMEOUT}
'''


def _readme(graded: list[Graded]) -> str:
    lessons = list(dict.fromkeys(g.lesson for g in graded))
    auto = [g for g in graded if g.kind == "auto"]
    manual = [g for g in graded if g.kind == "manual"]
    rows = "\n".join(f"| {g.lesson} | {g.label} | {g.exercise_id or '(written answer)'} | {g.grade_id} | "
                     f"{g.kind} | {g.points:g} |" for g in graded)
    return f"""\
# gexlib: graded assignments (nbgrader course directory)

Written by `python -m gexlib.course course` (`make course`) from the lesson notebooks and the
exercise registry: {len(lessons)} assignments, {len(auto)} autograded answers, {len(manual)} written answers graded by
hand, {sum(g.points for g in graded):g} points in all. Each assignment is one lesson, named after its notebook.
In it every exercise's solution is replaced by an answer cell (`answer = None`) followed by a
locked test cell with hidden tests that call `gexlib.course.exercises.is_right(id, answer)`, the
comparison the lessons' self-check makes; a discussion exercise gets a written answer cell.

The grading machine needs gexlib installed (the tests compute the expected answers with it) and
nbgrader (pinned in the project's requirements.txt), with that environment's `bin/` on the PATH
(nbgrader runs its `alembic` tool). From this folder:

```bash
nbgrader generate_assignment 03_dealer_gamma   # release/03_dealer_gamma/: no solutions, no hidden tests
# hand out release/... (or nbgrader release_assignment on a JupyterHub), collect into
# submitted/<student>/03_dealer_gamma/03_dealer_gamma.ipynb (or nbgrader collect), then
nbgrader autograde 03_dealer_gamma             # runs each submission, grades into gradebook.db
nbgrader generate_feedback 03_dealer_gamma     # feedback/<student>/03_dealer_gamma/*.html
nbgrader export                                # grades.csv
```

Written answers are graded by hand in the formgrader (JupyterLab: *Nbgrader → Formgrader*), which
also shows the autograded cells. Rerunning `make course` rewrites `source/`, `nbgrader_config.py`
and this README, and leaves the rest alone.

| lesson | exercise | self-check id | grade id | graded | points |
|---|---|---|---|---|---|
{rows}
"""


def build(out_dir, *, notebooks_dir=None, points=None, written: bool = True,
          progress: Callable[[str], None] | None = print) -> list[Graded]:
    """Write the nbgrader course directory into ``out_dir``.

    ``out_dir/nbgrader_config.py``, ``out_dir/README.md`` and ``out_dir/source/<lesson>/`` for each
    lesson are (re)written; everything else (``release/``, ``submitted/``, ``gradebook.db`` …) is left
    alone.

    Parameters
    ----------
    out_dir : str or Path
        The course directory, created if needed.
    notebooks_dir : str or Path or None
        Where the lessons (``NN_*.ipynb``) are; default the project's own.
    points, written
        See :func:`assignment_notebook`.
    progress : callable or None
        Called with one line per lesson and a summary line; None for silence.

    Returns
    -------
    list of Graded
        Every graded cell of every assignment, in lesson order.

    Raises
    ------
    GradingError, StudentEditionError
        When there are no lessons or one cannot be converted; nothing is written then.
    """
    import nbformat

    out_dir = Path(out_dir)
    notebooks_dir = Path(student.NOTEBOOKS_DIR if notebooks_dir is None else notebooks_dir)
    say = progress or (lambda _msg: None)
    lessons = sorted(notebooks_dir.glob(student.LESSON_GLOB))
    if not lessons:
        raise GradingError(f"no lesson notebooks ({student.LESSON_GLOB}) in {notebooks_dir}")
    if notebooks_dir.resolve().is_relative_to((out_dir / "source").resolve()):
        raise GradingError(f"{out_dir}: writing source/ there would overwrite {notebooks_dir}")

    # Convert everything before writing anything, so a bad lesson leaves no half-built course.
    assignments = {p.stem: assignment_notebook(nbformat.read(p, as_version=4), name=p.name, points=points,
                                               written=written) for p in lessons}
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    graded = []
    for lesson, (nb, cells) in assignments.items():
        folder = out_dir / "source" / lesson
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{lesson}.ipynb")
        graded += cells
        auto = [g for g in cells if g.kind == "auto"]
        say(f"{lesson}: {len(auto)} autograded, {len(cells) - len(auto)} written, "
            f"{sum(g.points for g in cells):g} points")
    (out_dir / "README.md").write_text(_readme(graded), encoding="utf-8")
    say(f"nbgrader course: {len(assignments)} assignments, {len(graded)} graded cells, "
        f"{sum(g.points for g in graded):g} points -> {out_dir}")
    return graded


def scores(course_dir, assignment: str):
    """Every graded cell of every submission of ``assignment``, from the course's gradebook.

    Parameters
    ----------
    course_dir : str or Path
        The nbgrader course directory (holding ``gradebook.db``).
    assignment : str
        The assignment name, e.g. ``"01_options_greeks"``.

    Returns
    -------
    pandas.DataFrame
        One row per student and graded cell: ``student``, ``notebook``, ``grade_id``, ``points``
        (maximum), ``score`` (points given; 0 for a written answer not yet graded by hand),
        ``needs_manual_grade``.
    """
    import pandas as pd
    from nbgrader.api import Gradebook

    rows = []
    with Gradebook(f"sqlite:///{Path(course_dir).resolve() / 'gradebook.db'}") as gb:
        for sub in gb.assignment_submissions(assignment):
            for nb in sub.notebooks:
                for grade in nb.grades:
                    rows.append({"student": sub.student_id, "notebook": nb.name, "grade_id": grade.name,
                                 "points": float(grade.max_score), "score": float(grade.score),
                                 "needs_manual_grade": bool(grade.needs_manual_grade)})
    return pd.DataFrame(rows, columns=["student", "notebook", "grade_id", "points", "score",
                                       "needs_manual_grade"])
