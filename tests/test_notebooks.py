"""The committed lesson notebooks: executed in order, shaped as lessons, exercises paired with solutions.

nbval (``make test``) re-executes them and compares outputs; these checks are about what is
committed and run without a kernel.
"""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))
IDS = [p.name for p in NOTEBOOKS]
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

pytestmark = pytest.mark.skipif(not NOTEBOOKS, reason="no lesson notebooks yet")


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def text(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_executed_in_order_with_outputs(path):
    code = [c for c in load(path)["cells"] if c["cell_type"] == "code" and text(c).strip()]
    assert code, "a lesson has code"
    counts = [c.get("execution_count") for c in code]
    assert counts == list(range(1, len(code) + 1)), f"execution counts {counts}"
    assert sum(bool(c.get("outputs")) for c in code) >= len(code) // 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_lesson_shape(path):
    cells = load(path)["cells"]
    md = [text(c) for c in cells if c["cell_type"] == "markdown"]
    assert md[0].lstrip().startswith("# "), "the first cell holds the title"
    headings = [ln for m in md for ln in m.splitlines() if ln.startswith("## ")]
    assert headings[0].strip() == "## Overview"
    assert headings[-1].strip() == "## Exercises"
    assert any("import gexlib" in text(c) or "from gexlib" in text(c) for c in cells if c["cell_type"] == "code")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_exercises_have_one_solution_each(path):
    md = "\n".join(text(c) for c in load(path)["cells"] if c["cell_type"] == "markdown")
    labels = re.findall(r"\{exercise-start\}[^\n]*\n:label: ([\w-]+)", md)
    solved = re.findall(r"\{solution-start\} ([\w-]+)", md)
    assert len(labels) >= 3, labels
    assert sorted(labels) == sorted(solved), (labels, solved)
    assert len(set(labels)) == len(labels)
    assert md.count("{exercise-end}") == len(labels) and md.count("{solution-end}") == len(labels)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_widget_cells_are_tagged(path):
    for c in load(path)["cells"]:
        if c["cell_type"] != "code":
            continue
        if any(WIDGET_MIME in o.get("data", {}) for o in c.get("outputs", [])):
            assert "nbval-ignore-output" in c.get("metadata", {}).get("tags", []), text(c)[:80]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_unstable_output(path):
    raw = path.read_text(encoding="utf-8")
    assert "T_" not in re.findall(r'id="(T_[0-9a-f_]+)', raw) and not re.search(r'id=\\"T_[0-9a-f]{5}', raw)
    assert "np.float64(" not in raw, "print plain floats"
    assert "Traceback" not in raw
