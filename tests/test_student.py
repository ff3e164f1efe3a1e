"""The student edition: solutions out, exercises in, outputs cleared, on hand-made and real lessons.

Executing the student notebooks is slow and lives in ``tests/book/test_student_edition.py``.
"""

import copy
import json
import re
import zipfile
from collections import Counter
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from gexlib.course import cli, exercises, registry, student
from gexlib.course.student import NOTE, StudentEditionError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
IDS = [p.name for p in NOTEBOOKS]
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
INTRO = ("In JupyterLab the solutions render as collapsed blocks; without it, scroll past them.\n\n"
         "Each answer is checked by `exercises.check`. Try it before opening a solution.")


def text(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def exercise(label, body="What is 1 + 1?"):
    return [new_markdown_cell(f"```{{exercise-start}}\n:label: {label}\n```"), new_markdown_cell(body),
            new_markdown_cell("```{exercise-end}\n```")]


def solution(label, *cells):
    return [new_markdown_cell(f"```{{solution-start}} {label}\n:class: dropdown\n```"), *cells,
            new_markdown_cell("```{solution-end}\n```")]


def lesson(*cells, intro=INTRO):
    """A small lesson: title, one code cell with an output, the Exercises heading, then ``cells``."""
    code = new_code_cell("x = 1\nprint(x)", execution_count=1,
                         outputs=[nbformat.v4.new_output("stream", name="stdout", text="1\n")])
    code.metadata["tags"] = ["nbval-ignore-output"]
    code.metadata["execution"] = {"iopub.status.busy": "2025-01-01T00:00:00Z"}
    nb = new_notebook(cells=[new_markdown_cell("# A lesson\n\n## Overview\n\nText."), code,
                             new_markdown_cell("## Exercises\n\n" + intro), *cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["widgets"] = {WIDGET_STATE: {"state": {"abc": {}}}}
    return nb


def sources(nb):
    return [text(c) for c in nb["cells"]]


# --- hand-made notebooks -----------------------------------------------------------------------


def test_gated_block_goes_with_its_code_cells_and_the_exercise_stays():
    answer = new_code_cell("answer = 2\n_ = exercises.check('00-one-plus-one', answer)", execution_count=2)
    nb = lesson(*exercise("ex-1"), *solution("ex-1", new_markdown_cell("Add them."), answer),
                new_markdown_cell("After the exercises."))
    before = copy.deepcopy(nb)
    out, removed = student.student_notebook(nb, name="t.ipynb")
    assert (removed.blocks, removed.cells, removed.exercises) == (1, 4, 1)
    assert nb == before, "the input notebook is left unchanged"
    kept = sources(out)
    assert "answer = 2" not in "\n".join(kept) and "Add them." not in kept
    assert kept[3:6] == sources(nb)[3:6]
    assert kept[-1] == "After the exercises."
    assert len(kept) == len(nb.cells) - 4
    nbformat.validate(out)


def test_plain_solution_fence_is_cut_out_of_its_cell():
    mixed = new_markdown_cell("Before.\n\n```{solution} ex-1\n:class: dropdown\n\nThe answer is 2.\n```\n\nAfter.")
    alone = new_markdown_cell(":::{solution} ex-2\nThe answer is 3.\n:::")
    nested = new_markdown_cell("````{solution} ex-3\nCode:\n```python\nprint(4)\n```\n````\nTail.")
    nb = lesson(*exercise("ex-1"), mixed, *exercise("ex-2"), alone, *exercise("ex-3"), nested)
    out, removed = student.student_notebook(nb, name="t.ipynb")
    assert (removed.blocks, removed.cells, removed.exercises) == (3, 1, 3)
    joined = "\n".join(sources(out))
    assert "The answer is" not in joined and "print(4)" not in joined and "{solution}" not in joined
    assert "Before.\n\nAfter." in sources(out) and "Tail." in sources(out)


def test_solution_only_lessons_and_exercise_only_lessons_fail():
    with pytest.raises(StudentEditionError, match=r"t\.ipynb: no solutions"):
        student.student_notebook(lesson(*exercise("ex-1")), name="t.ipynb")
    with pytest.raises(StudentEditionError, match=r"t\.ipynb: no exercises"):
        student.student_notebook(lesson(*solution("ex-1", new_markdown_cell("2"))), name="t.ipynb")


@pytest.mark.parametrize("cells, where", [
    (lambda: [*exercise("ex-1"), new_markdown_cell("```{solution-end}\n```")], r"t\.ipynb cell 6: \{solution-end\} without"),
    (lambda: [*exercise("ex-1"), solution("ex-1")[0]], r"t\.ipynb cell 6: \{solution-start\} is never closed"),
    (lambda: [*exercise("ex-1"), solution("ex-1")[0], *solution("ex-2")],
     r"t\.ipynb cell 7: \{solution-start\} inside the solution block opened at cell 6"),
    (lambda: [*exercise("ex-1"), new_markdown_cell("Hint first.\n```{solution-start} ex-1\n```"),
              solution("ex-1")[-1]], r"t\.ipynb cell 6: .*other text"),
    (lambda: [*exercise("ex-1"), new_markdown_cell("```{solution} ex-1\nnever closed")],
     r"t\.ipynb cell 6: the ```\{solution\} fence opened on line 1 is never closed"),
])
def test_unbalanced_markers_name_notebook_and_cell(cells, where):
    with pytest.raises(StudentEditionError, match=where):
        student.strip_solutions(lesson(*cells()), name="t.ipynb")


def test_outputs_counts_timings_and_widget_state_cleared_tags_kept():
    out = student.clear_outputs(lesson())
    code = out.cells[1]
    assert code.outputs == [] and code.execution_count is None
    assert code.metadata == {"tags": ["nbval-ignore-output"]}
    assert "widgets" not in out.metadata and out.metadata.kernelspec.name == "python3"


def test_intro_sentences_about_solutions_give_way_to_the_note():
    nb = lesson(*exercise("ex-1"), *solution("ex-1", new_markdown_cell("2")))
    nb.cells[2].source = "Closing words.\n\n## Exercises\n\n" + INTRO
    out, dropped = student.replace_intro(nb, name="t.ipynb")
    assert dropped == 2
    assert text(out.cells[2]) == ("Closing words.\n\n## Exercises\n\n" + NOTE
                                  + "\n\nEach answer is checked by `exercises.check`.")
    assert sources(out)[3:] == sources(nb)[3:]


def test_intro_without_talk_of_solutions_still_gets_the_note():
    nb = lesson(intro="Work them in order.")
    out, dropped = student.replace_intro(nb)
    assert dropped == 0 and text(out.cells[2]) == "## Exercises\n\n" + NOTE + "\n\nWork them in order."


def test_a_lesson_without_an_exercises_heading_fails():
    nb = lesson(*exercise("ex-1"), *solution("ex-1", new_markdown_cell("2")))
    nb.cells[2].source = "## Practice\n\nDo these."
    with pytest.raises(StudentEditionError, match=r"t\.ipynb: no '## Exercises' heading"):
        student.student_notebook(nb, name="t.ipynb")


# --- build -------------------------------------------------------------------------------------


@pytest.fixture
def sources_dir(tmp_path):
    nbs = tmp_path / "src" / "notebooks"
    nbs.mkdir(parents=True)
    for n in (1, 2):
        cells = [*exercise(f"ex-0{n}-1"), *solution(f"ex-0{n}-1", new_code_cell(f"answer = {n}"))]
        nbformat.write(lesson(*cells), nbs / f"0{n}_lesson.ipynb")
    (nbs / "sanitize.cfg").write_text("[x]\n")
    wheel = tmp_path / "src" / "gexlib-9.9.9-py3-none-any.whl"  # a stand-in: the real one is built in tests/book
    wheel.write_bytes(b"PK stand-in")
    return nbs, wheel


EDITION_FILES = ["README.md", "gexlib-9.9.9-py3-none-any.whl", "notebooks/01_lesson.ipynb",
                 "notebooks/02_lesson.ipynb", "requirements.txt"]


def test_build_writes_folder_and_identical_zip(sources_dir, tmp_path, capsys):
    nbs, wheel = sources_dir
    report = student.build(tmp_path / "one", notebooks_dir=nbs, wheel=wheel)
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split(":")[0] for ln in lines[:-1]] == ["01_lesson.ipynb", "02_lesson.ipynb"]
    assert "1 solution blocks removed" in lines[0] and lines[-1].startswith("student edition: 2 notebooks")
    assert {k: (r.blocks, r.cells) for k, r in report.items()} == {"01_lesson.ipynb": (1, 3), "02_lesson.ipynb": (1, 3)}

    one = tmp_path / "one"
    files = sorted(p.relative_to(one).as_posix() for p in one.rglob("*") if p.is_file() and p.name != student.ZIP_NAME)
    assert files == EDITION_FILES
    assert (one / wheel.name).read_bytes() == wheel.read_bytes()
    with zipfile.ZipFile(one / student.ZIP_NAME) as zf:
        assert sorted(zf.namelist()) == [f"{student.ZIP_ROOT}/{f}" for f in files]
        for f in files:
            assert zf.read(f"{student.ZIP_ROOT}/{f}") == (one / f).read_bytes(), f
        assert {i.date_time for i in zf.infolist()} == {student.ZIP_DATE}
    assert "answer = " not in (one / "notebooks" / "01_lesson.ipynb").read_text()

    student.build(tmp_path / "two", notebooks_dir=nbs, wheel=wheel, progress=None)
    assert (one / student.ZIP_NAME).read_bytes() == (tmp_path / "two" / student.ZIP_NAME).read_bytes()
    assert capsys.readouterr().out == ""


def test_readme_gives_one_install_command_and_three_ways_to_open(sources_dir, tmp_path):
    nbs, wheel = sources_dir
    student.build(tmp_path, notebooks_dir=nbs, wheel=wheel, progress=None)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert re.findall(r"^pip install .*$", readme, re.M) == [f"pip install {wheel.name}"]
    for place in ("JupyterLab", "JupyterHub", "Colab"):
        assert f"**{place}" in readme or f"**A {place}" in readme, place
    assert "jupyterlab==" in readme and "jupyterlab_myst==" in readme  # the tested lab versions
    assert "{" + "wheel}" not in readme and "clone" not in readme and "-e ." not in readme


def test_requirements_pin_exactly_the_runtime_dependencies(sources_dir, tmp_path):
    nbs, wheel = sources_dir
    student.build(tmp_path, notebooks_dir=nbs, wheel=wheel, progress=None)
    pinned = [ln for ln in (tmp_path / "requirements.txt").read_text().splitlines() if ln and not ln.startswith("#")]
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = [re.split(r"[<>=]", d)[0] for d in deps]
    assert [ln.split("==")[0].lower() for ln in pinned] == [n.lower() for n in names]
    project = {ln.split("==")[0].lower(): ln for ln in (ROOT / "requirements.txt").read_text().splitlines() if "==" in ln}
    assert pinned == [project[n.lower()] for n in names]
    with pytest.raises(StudentEditionError, match="no pin for not-a-package"):
        student.pins(["numpy", "not-a-package"])


def test_build_replaces_a_previous_edition(sources_dir, tmp_path):
    nbs, wheel = sources_dir
    out = tmp_path / "out"
    (out / "notebooks").mkdir(parents=True)
    (out / "notebooks" / "99_stale.ipynb").write_text("{}")
    (out / "gexlib-0.0.1-py3-none-any.whl").write_text("old")
    student.build(out, notebooks_dir=nbs, wheel=wheel, progress=None)
    assert sorted(p.name for p in (out / "notebooks").iterdir()) == ["01_lesson.ipynb", "02_lesson.ipynb"]
    assert sorted(p.name for p in out.glob("*.whl")) == [wheel.name]
    with zipfile.ZipFile(out / student.ZIP_NAME) as zf:
        assert not [n for n in zf.namelist() if "stale" in n or "0.0.1" in n]


def test_build_fails_loudly_and_writes_nothing(sources_dir, tmp_path):
    nbs, wheel = sources_dir
    nbformat.write(lesson(*exercise("ex-03-1")), nbs / "03_no_solutions.ipynb")
    with pytest.raises(StudentEditionError, match=r"03_no_solutions\.ipynb: no solutions"):
        student.build(tmp_path / "out", notebooks_dir=nbs, wheel=wheel, progress=None)
    assert not (tmp_path / "out").exists()
    with pytest.raises(StudentEditionError, match="no lesson notebooks"):
        student.build(tmp_path / "out", notebooks_dir=tmp_path, wheel=wheel, progress=None)


def test_build_refuses_to_overwrite_its_sources(sources_dir):
    nbs, wheel = sources_dir
    with pytest.raises(StudentEditionError, match="would overwrite"):
        student.build(nbs.parent, notebooks_dir=nbs, wheel=wheel, progress=None)
    assert (nbs / "01_lesson.ipynb").is_file()


def test_cli_student_subcommand(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(student, "build", lambda out, **kw: calls.append((out, kw)))
    assert cli.main(["student"]) == 0 and cli.main(["student", "--out", "elsewhere", "--wheel", "w.whl"]) == 0
    assert calls == [("_build/student", {}), ("elsewhere", {"wheel": "w.whl"})]

    def fail(out):
        raise StudentEditionError("09_x.ipynb cell 4: {solution-end} without a {solution-start}")

    monkeypatch.setattr(student, "build", fail)
    assert cli.main(["student"]) == 2
    assert "gexlib student: 09_x.ipynb cell 4" in capsys.readouterr().err
    assert "student" in cli.build_parser().format_help()


# --- the student wheel's checks: stored acceptance intervals --------------------------------------


@pytest.fixture(scope="module")
def stored():
    data = json.loads(json.dumps(exercises.export()))  # through JSON, as the wheel ships it
    return data, registry.load_stored(data, {})


def test_stored_checks_hold_no_code_and_cover_every_exercise(stored):
    data, table = stored
    assert sorted(table) == sorted(exercises.EXERCISES) and data["format"] == registry.STORED_FORMAT
    for k, record in data["exercises"].items():
        assert set(record) == {"question", "hint", "lo", "hi", "text_sha256"}, k
        assert all(v is None or isinstance(v, (str, float)) for v in record.values()), k
        assert record["question"] == exercises.question(k)


def test_stored_checks_accept_the_answer_and_reject_every_near_miss(stored):
    _, table = stored
    for k, ex in exercises.EXERCISES.items():
        expected = ex.compute()
        assert registry._is_right(table[k], expected, k)[0], k
        for name, miss in exercises.near_misses(k).items():
            assert not registry._is_right(table[k], miss, k)[0], (k, name)
        if isinstance(expected, str):
            assert len(table[k].text_sha256) == 64 and table[k].lo is None and table[k].hi is None, k
            assert registry._is_right(table[k], f"  {expected.upper().replace('_', ' ')} ", k)[0], k
            assert not registry._is_right(table[k], expected + "x", k)[0], k
        else:
            e, t = float(expected), ex.tolerance(float(expected))
            for inside in (e - 0.99 * t, e + 0.99 * t):
                assert registry._is_right(table[k], inside, k)[0] == exercises.is_right(k, inside) is True, k
            for outside in (e - 1.01 * t - 1e-9, e + 1.01 * t + 1e-9, "abc", float("nan")):
                assert not registry._is_right(table[k], outside, k)[0], (k, outside)


def test_stored_exercises_print_what_the_live_ones_print(stored, monkeypatch, capsys):
    _, table = stored
    k = "03-total-calm"
    live = exercises.EXERCISES[k].compute()
    for answer in (live, live + 1.0, "n/a"):
        exercises.check(k, answer)
        said = capsys.readouterr().out
        monkeypatch.setitem(registry.EXERCISES, k, table[k])
        exercises.check(k, answer)
        assert capsys.readouterr().out == said
        monkeypatch.undo()
    with pytest.raises(ValueError, match="already registered"):
        registry.load_stored(stored[0], dict(table))
    with pytest.raises(ValueError, match="format"):
        registry.load_stored({"format": 99, "exercises": {}}, {})


# --- the real lessons --------------------------------------------------------------------------


def solution_code(nb):
    """Sources of the code cells between {solution-start} and {solution-end} cells (a plain scan)."""
    found, inside = [], False
    for c in nb["cells"]:
        inside = inside or "{solution-start}" in text(c)
        if inside and c["cell_type"] == "code":
            found.append(text(c))
        inside = inside and "{solution-end}" not in text(c)
    return found


def exercise_cells(nb):
    found, inside = [], False
    for c in nb["cells"]:
        inside = inside or "{exercise-start}" in text(c)
        if inside:
            found.append(text(c))
        inside = inside and "{exercise-end}" not in text(c)
    return found


def exercises_cell(nb):
    return next(text(c) for c in reversed(nb["cells"]) if re.search(r"^## Exercises\s*$", text(c), re.M))


def sentences(s):
    return [x.strip() for x in re.split(r"(?<=\.)\s+", " ".join(s.split())) if x.strip()]


@pytest.fixture(scope="module", params=NOTEBOOKS, ids=IDS)
def edition(request):
    original = json.loads(request.param.read_text(encoding="utf-8"))
    out, removed = student.student_notebook(original, name=request.param.name)
    return original, json.loads(nbformat.writes(out)), removed


def test_real_lessons_lose_every_solution(edition):
    original, out, removed = edition
    raw = json.dumps(out["cells"])
    for marker in ("solution-start", "solution-end", "{solution}"):
        assert marker not in raw
    gone = solution_code(original)
    assert gone, "every lesson has solution code"
    code = lambda nb: Counter(text(c) for c in nb["cells"] if c["cell_type"] == "code")  # noqa: E731
    assert code(out) == code(original) - Counter(gone)
    assert removed.blocks == sum("{solution-start}" in text(c) for c in original["cells"])
    assert len(out["cells"]) == len(original["cells"]) - removed.cells


def test_real_lessons_keep_every_exercise(edition):
    original, out, removed = edition
    kept = exercise_cells(out)
    assert kept and kept == exercise_cells(original)
    assert removed.exercises == sum("{exercise-start}" in s for s in kept)


def test_real_lessons_are_unexecuted_and_keep_tags(edition):
    original, out, _ = edition
    nbformat.validate(nbformat.from_dict(out))
    code = [c for c in out["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert "widgets" in original["metadata"] and "widgets" not in out["metadata"]
    assert WIDGET_STATE not in json.dumps(out)
    tagged = lambda nb: [(text(c), c["metadata"]["tags"]) for c in nb["cells"] if c["metadata"].get("tags")]  # noqa: E731
    assert tagged(original) and tagged(out) == [t for t in tagged(original) if t[0] not in solution_code(original)]


def test_real_lessons_carry_the_note_instead_of_the_solutions_paragraph(edition):
    original, out, removed = edition
    before, after = exercises_cell(original), exercises_cell(out)
    assert "scroll past the solution blocks" in before and "scroll past" not in after
    assert removed.intro_sentences >= 1
    heading = after.index("## Exercises")
    assert after[heading:].startswith("## Exercises\n\n" + NOTE)
    assert after.count(NOTE) == 1 and NOTE not in before
    rest = " ".join(after.replace(NOTE, "").split())
    assert not re.search(r"\bsolutions?\b", rest, re.I), rest
    intro = before[before.index("## Exercises"):]
    for s in sentences(intro.removeprefix("## Exercises")):
        if not re.search(r"\bsolutions?\b", s, re.I):
            assert s in rest, s
