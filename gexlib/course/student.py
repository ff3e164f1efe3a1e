"""The student edition: the lessons without their solutions, outputs or saved widget state.

``python -m gexlib.course student`` (``make student``) writes ``_build/student/`` and a zip of it:

- ``notebooks/``: every lesson, each exercise kept and each solution removed, the gated
  ``{solution-start}`` … ``{solution-end}`` blocks (every cell from the start marker through the end
  marker) and any plain ```` ```{solution} ```` fence inside a markdown cell; outputs, execution
  counts and saved widget state cleared, cell tags kept;
- ``data/``: a copy of the shipped data files;
- ``README.md``: how to install gexlib and open the notebooks, how the self-checks work;
- ``gexlib-student.zip``: the three above, with fixed timestamps so that two builds are identical.

The Exercises section of each lesson opens with a paragraph on how the solutions show; in the
student edition every sentence that speaks of solutions is dropped from it and :data:`NOTE` stands
right under the heading instead.
"""

from __future__ import annotations

import copy
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..datasets import DATA_DIR

#: The lesson notebooks of the project (next to the package in a source checkout).
NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"
#: Lesson notebooks are named ``NN_topic.ipynb``.
LESSON_GLOB = "[0-9][0-9]_*.ipynb"
#: The zip written next to the folders, and the folder its entries sit in.
ZIP_NAME = "gexlib-student.zip"
ZIP_ROOT = "gexlib-student"
#: Every zip entry gets this timestamp (the earliest a zip can hold), so builds are byte-identical.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

#: What the student edition says under each ``## Exercises`` heading.
NOTE = ("*Student edition:* the solutions are not included. Check an answer with\n"
        "`exercises.check(exercise_id, your_answer)` (after `from gexlib.course import exercises`): it prints\n"
        "✓ or ✗ with a hint, and never the expected value.")

# An opening directive fence: up to 3 spaces, ``` or :::, then {name} and its argument.
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|:{3,})\s*\{(?P<name>[\w-]+)\}(?P<arg>.*)$")
_HEADING = re.compile(r"^##\s+Exercises\s*$")
_MENTIONS_SOLUTION = re.compile(r"\bsolutions?\b", re.IGNORECASE)
# A sentence ends at . ! or ? followed by white space and something that starts a sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z*_`(\[\"'])")


class StudentEditionError(ValueError):
    """A lesson cannot be turned into its student edition; the message names notebook and cell."""


@dataclass(frozen=True)
class Removed:
    """What :func:`student_notebook` took out of one notebook.

    Attributes
    ----------
    blocks : int
        Solution blocks removed: gated ``{solution-start}`` … ``{solution-end}`` blocks plus plain
        ``{solution}`` fences.
    cells : int
        Cells removed (every cell of a gated block, and markdown cells left empty by a plain fence).
    exercises : int
        Exercises kept (``{exercise-start}`` and ``{exercise}`` directives).
    intro_sentences : int
        Sentences about solutions dropped from the Exercises introduction.
    """

    blocks: int
    cells: int
    exercises: int
    intro_sentences: int = 0


def _text(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def fences(text: str, *, where: str = "<markdown>") -> list[tuple[str, int, int]]:
    """The directive fences of a markdown text, as ``(name, first line, last line)``, lines 0-based.

    A fence opens with ```` ``` ```` or ``:::`` (three or more) followed by ``{name}`` and closes
    with a line of the same character at least as long, as in CommonMark and MyST. Only the
    outermost fences are returned.

    Raises
    ------
    StudentEditionError
        When a fence is never closed (``where`` names the notebook and cell).
    """
    lines = text.splitlines()
    found, i = [], 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        char, size = m["fence"][0], len(m["fence"])
        close = re.compile(rf"^ {{0,3}}{re.escape(char)}{{{size},}}\s*$")
        end = next((j for j in range(i + 1, len(lines)) if close.match(lines[j])), None)
        if end is None:
            raise StudentEditionError(f"{where}: the {m['fence']}{{{m['name']}}} fence opened on line "
                                      f"{i + 1} is never closed")
        found.append((m["name"], i, end))
        i = end + 1
    return found


def _without_plain_solutions(text: str, where: str) -> tuple[str, int]:
    """``text`` without its ``{solution}`` fences, and how many it had."""
    spans = [(a, b) for name, a, b in fences(text, where=where) if name == "solution"]
    if not spans:
        return text, 0
    lines = text.splitlines()
    drop = {i for a, b in spans for i in range(a, b + 1)}
    kept = "\n".join(ln for i, ln in enumerate(lines) if i not in drop)
    return re.sub(r"\n{3,}", "\n\n", kept).strip("\n"), len(spans)


def _gate_markers(text: str, where: str) -> list[str]:
    """The ``solution-start``/``solution-end`` markers of a markdown cell, in order.

    Raises
    ------
    StudentEditionError
        When the cell holds anything besides its markers: that text would vanish with the block.
    """
    spans = fences(text, where=where)
    gates = [(name, a, b) for name, a, b in spans if name in ("solution-start", "solution-end")]
    if not gates:
        return []
    lines = text.splitlines()
    inside = {i for _, a, b in gates for i in range(a, b + 1)}
    if any(ln.strip() for i, ln in enumerate(lines) if i not in inside):
        raise StudentEditionError(f"{where}: a cell with a {{{gates[0][0]}}} marker holds other text too; "
                                  "put the marker in a cell of its own")
    return [name for name, _, _ in gates]


def strip_solutions(nb, *, name: str = "<notebook>"):
    """A copy of ``nb`` without its solution blocks.

    Parameters
    ----------
    nb : nbformat.NotebookNode or dict
        A notebook (nbformat 4).
    name : str
        How error messages name the notebook.

    Returns
    -------
    (nbformat.NotebookNode, int, int)
        The new notebook, the solution blocks removed and the cells removed.

    Raises
    ------
    StudentEditionError
        On a ``{solution-end}`` without a start, a ``{solution-start}`` inside an open block, a block
        still open at the end of the notebook, an unclosed fence, or a marker sharing its cell with
        other text; the message names the notebook and the cell index.
    """
    import nbformat

    out = nbformat.from_dict(copy.deepcopy(dict(nb)))
    kept, blocks, removed, open_at = [], 0, 0, None
    for index, cell in enumerate(out.cells):
        where = f"{name} cell {index}"
        markers = _gate_markers(_text(cell), where) if cell.cell_type == "markdown" else []
        drop = open_at is not None or bool(markers)
        for marker in markers:
            if marker == "solution-start":
                if open_at is not None:
                    raise StudentEditionError(f"{where}: {{solution-start}} inside the solution block "
                                              f"opened at cell {open_at} (nested or missing {{solution-end}})")
                open_at = index
            else:
                if open_at is None:
                    raise StudentEditionError(f"{where}: {{solution-end}} without a {{solution-start}}")
                open_at, blocks = None, blocks + 1
        if drop:
            removed += 1
            continue
        if cell.cell_type == "markdown":
            text, n = _without_plain_solutions(_text(cell), where)
            if n:
                blocks += n
                if not text.strip():
                    removed += 1
                    continue
                cell.source = text
        kept.append(cell)
    if open_at is not None:
        raise StudentEditionError(f"{name} cell {open_at}: {{solution-start}} is never closed by {{solution-end}}")
    out.cells = kept
    return out, blocks, removed


def clear_outputs(nb):
    """A copy of ``nb`` as if never run: no outputs, execution counts, timings or saved widget state.

    Cell tags and every other piece of metadata are kept.
    """
    import nbformat

    out = nbformat.from_dict(copy.deepcopy(dict(nb)))
    out.metadata.pop("widgets", None)
    for cell in out.cells:
        cell.get("metadata", {}).pop("execution", None)  # the run's timestamps
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return out


def _sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(paragraph) if s.strip()]


def replace_intro(nb, *, name: str = "<notebook>", note: str = NOTE):
    """A copy of ``nb`` whose Exercises introduction carries ``note`` instead of talk of solutions.

    The introduction is the text under the last ``## Exercises`` heading, within the heading's own
    cell and before any further heading or directive. Every sentence in it that mentions a solution
    is dropped (a paragraph left empty goes with it) and ``note`` is put right under the heading;
    the other sentences stay as they were.

    Returns
    -------
    (nbformat.NotebookNode, int)
        The new notebook and the number of sentences dropped.

    Raises
    ------
    StudentEditionError
        When the notebook has no ``## Exercises`` heading.
    """
    import nbformat

    out = nbformat.from_dict(copy.deepcopy(dict(nb)))
    found = [(i, j) for i, c in enumerate(out.cells) if c.cell_type == "markdown"
             for j, ln in enumerate(_text(c).splitlines()) if _HEADING.match(ln)]
    if not found:
        raise StudentEditionError(f"{name}: no '## Exercises' heading")
    index, line = found[-1]
    lines = _text(out.cells[index]).splitlines()
    stop = next((k for k in range(line + 1, len(lines))
                 if lines[k].startswith("#") or _FENCE.match(lines[k])), len(lines))
    paragraphs = re.split(r"\n\s*\n", "\n".join(lines[line + 1:stop]))
    kept, dropped = [], 0
    for paragraph in paragraphs:
        sentences = _sentences(paragraph.strip("\n"))
        keep = [s for s in sentences if not _MENTIONS_SOLUTION.search(s)]
        dropped += len(sentences) - len(keep)
        if keep:
            kept.append(" ".join(keep))
    rest = "\n".join(lines[stop:])
    parts = ["\n".join(lines[:line + 1]), note, *kept] + ([rest] if rest.strip() else [])
    out.cells[index].source = "\n\n".join(parts)
    return out, dropped


def count_exercises(nb) -> int:
    """Exercises of a notebook: ``{exercise-start}`` and ``{exercise}`` directives in markdown cells."""
    return sum(name in ("exercise-start", "exercise")
               for c in nb["cells"] if c["cell_type"] == "markdown"
               for name, _, _ in fences(_text(c)))


def student_notebook(nb, *, name: str = "<notebook>"):
    """The student edition of one lesson: solutions removed, outputs cleared, the intro replaced.

    Parameters
    ----------
    nb : nbformat.NotebookNode or dict
        A lesson notebook (nbformat 4).
    name : str
        How messages name the notebook (its file name).

    Returns
    -------
    (nbformat.NotebookNode, Removed)
        A new notebook (``nb`` is left unchanged) and what was taken out.

    Raises
    ------
    StudentEditionError
        On unbalanced or nested solution markers (see :func:`strip_solutions`), a missing
        ``## Exercises`` heading, or a lesson with no exercises or no solutions.
    """
    out, blocks, cells = strip_solutions(nb, name=name)
    exercises = count_exercises(out)
    if not exercises:
        raise StudentEditionError(f"{name}: no exercises ({{exercise-start}} or {{exercise}}) found")
    if not blocks:
        raise StudentEditionError(f"{name}: no solutions ({{solution-start}} or {{solution}}) found")
    out, sentences = replace_intro(clear_outputs(out), name=name)
    return out, Removed(blocks=blocks, cells=cells, exercises=exercises, intro_sentences=sentences)


README = """\
# gexlib lessons: student edition

The eleven lessons on dealer gamma exposure, with their exercises and without their solutions.

- `notebooks/`: the lessons, unexecuted: run each from the top (*Run → Run All Cells*);
- `data/`: a copy of the synthetic data files the lessons use (see `data/README.md`).

## Set-up

The lessons import `gexlib`. Install it, with the pinned requirements, from a checkout of the
gexlib project into a virtual environment, then open the notebooks in JupyterLab:

```bash
cd path/to/gexlib                      # the project checkout
python3 -m venv .venv
.venv/bin/python -m pip install -r requirements.txt
.venv/bin/python -m pip install --no-deps -e .   # editable: gexlib reads the checkout's data/ folder
.venv/bin/jupyter lab path/to/gexlib-student/notebooks/
```

(`make venv` in the checkout does the first three steps.) The jupyterlab-myst extension from the
requirements renders the exercise blocks; without it they show as plain text.

## Checking your answers

Each exercise names an id. Check a number (in the units the question states) or a word with

```python
from gexlib.course import exercises

exercises.check("03-total-calm", 1.23)
```

which prints `✓ correct`, or `✗ not yet — hint: …` with a hint towards the method. It never
prints the expected value, so you can check as often as you like.
`exercises.question("03-total-calm")` prints the exact question, units and conventions included.
"""


def _check_out_dir(out_dir: Path, notebooks_dir: Path, data_dir: Path) -> None:
    """Refuse an ``out_dir`` whose generated folders would overwrite the sources."""
    for sub, src in (("notebooks", notebooks_dir), ("data", data_dir)):
        target = (out_dir / sub).resolve()
        src = src.resolve()
        if target == src or src.is_relative_to(target) or target.is_relative_to(src):
            raise StudentEditionError(f"{out_dir}: writing {sub}/ there would overwrite {src}")


def write_zip(path: Path, root: Path, files: list[Path], *, prefix: str = ZIP_ROOT) -> None:
    """Write ``files`` (under ``root``) to the zip ``path`` as ``prefix/<relative path>``.

    Entries are sorted, dated :data:`ZIP_DATE` and given mode 0644, so the same files always give
    the same bytes.
    """
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(files, key=lambda p: p.relative_to(root).as_posix()):
            info = zipfile.ZipInfo(f"{prefix}/{f.relative_to(root).as_posix()}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, f.read_bytes())


def build(out_dir, *, notebooks_dir=NOTEBOOKS_DIR, data_dir=DATA_DIR,
          progress: Callable[[str], None] | None = print) -> dict[str, Removed]:
    """Write the student edition into ``out_dir``: notebooks, data, README and zip.

    ``out_dir/notebooks`` and ``out_dir/data`` are replaced; nothing else in ``out_dir`` is touched
    apart from ``README.md`` and the zip.

    Parameters
    ----------
    out_dir : str or Path
        Output folder, created if needed.
    notebooks_dir, data_dir : str or Path
        Where the lessons (``NN_*.ipynb``) and the data files are; default the project's own.
    progress : callable or None
        Called with one line per notebook and a summary line; None for silence.

    Returns
    -------
    dict
        Notebook file name -> :class:`Removed`.

    Raises
    ------
    StudentEditionError
        When there are no lessons, a lesson has no exercises or no solutions, its markers are
        unbalanced, or ``out_dir`` would overwrite the sources. Nothing is skipped.
    """
    import nbformat

    out_dir, notebooks_dir, data_dir = Path(out_dir), Path(notebooks_dir), Path(data_dir)
    say = progress or (lambda _msg: None)
    lessons = sorted(notebooks_dir.glob(LESSON_GLOB))
    if not lessons:
        raise StudentEditionError(f"no lesson notebooks ({LESSON_GLOB}) in {notebooks_dir}")
    if not data_dir.is_dir():
        raise StudentEditionError(f"no data folder at {data_dir}")
    _check_out_dir(out_dir, notebooks_dir, data_dir)

    # Convert everything before writing anything, so a bad lesson leaves no half-built edition.
    editions = {}
    for path in lessons:
        editions[path.name] = student_notebook(nbformat.read(path, as_version=4), name=path.name)

    out_dir.mkdir(parents=True, exist_ok=True)
    for sub in ("notebooks", "data"):
        shutil.rmtree(out_dir / sub, ignore_errors=True)
    (out_dir / "notebooks").mkdir()
    written = []
    for fname, (nb, removed) in editions.items():
        target = out_dir / "notebooks" / fname
        nbformat.write(nb, target)
        written.append(target)
        say(f"{fname}: {removed.exercises} exercises kept, {removed.blocks} solution blocks removed "
            f"({removed.cells} cells)")
    for src in sorted(p for p in data_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        target = out_dir / "data" / src.relative_to(data_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
        written.append(target)
    readme = out_dir / "README.md"
    readme.write_text(README, encoding="utf-8")
    written.append(readme)
    write_zip(out_dir / ZIP_NAME, out_dir, written)

    report = {fname: removed for fname, (_, removed) in editions.items()}
    say(f"student edition: {len(report)} notebooks, {sum(r.exercises for r in report.values())} exercises, "
        f"{sum(r.blocks for r in report.values())} solution blocks removed -> {out_dir} "
        f"({ZIP_NAME}: {len(written)} files)")
    return report
