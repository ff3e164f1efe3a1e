"""gexlib's JupyterLab extension (labextension/): the committed build is current, installable, and gives
figures the same text alternatives as the built book.

The extension itself is checked in a live JupyterLab by tests/book/test_lab_a11y.py.
"""

import importlib.util
import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILT = ROOT / "gexlib" / "course" / "labextension"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def build():
    return _load("labextension_build_under_test", ROOT / "labextension" / "build.py")


@pytest.fixture(scope="module")
def book_ext():
    return _load("gexlib_book_for_labextension", ROOT / "book" / "_ext" / "gexlib_book.py")


def test_built_copy_is_made_from_the_current_sources(build):
    assert build.SOURCES_DIGEST.read_text().strip() == build.digest(), (
        "labextension/ sources changed since gexlib/course/labextension/ was built: run `make labextension`")


def test_built_copy_is_complete_and_shipped_where_jupyterlab_looks(build):
    meta = json.loads((BUILT / "package.json").read_text())
    assert meta["name"] == "gexlib-a11y"
    assert meta["jupyterlab"]["_build"]["extension"] == "./extension"
    assert (BUILT / meta["jupyterlab"]["_build"]["load"]).is_file()
    assert meta["jupyterlab"]["_build"]["style"] == "./style" and (BUILT / "static" / "style.js").is_file()
    data_files = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["data-files"]
    assert data_files["share/jupyter/labextensions/gexlib-a11y"] == ["gexlib/course/labextension/package.json"]
    assert data_files["share/jupyter/labextensions/gexlib-a11y/static"] == ["gexlib/course/labextension/static/*"]


def lesson_captions() -> list[str]:
    """The first paragraph of every figure caption in the lessons, as the reader sees it (without the stars)."""
    captions = []
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            text = "".join(cell["source"])
            if cell["cell_type"] == "markdown" and re.match(r"\s*\*Figure \d+\.\d+", text):
                captions.append(text.strip().split("\n\n")[0].strip("*"))
    return captions


def test_figures_get_the_same_text_alternative_in_jupyterlab_as_in_the_book(book_ext):
    node = shutil.which("node")
    if node is None:
        pytest.skip("no Node.js to run the extension's caption rule")
    captions = lesson_captions()
    assert len(captions) >= 20
    captions += ["The figure above shows it.", "Figure 10.2 — Total GEX of 0.5 × spot"]
    script = ("const {captionAlt} = require(process.argv[1]); let s = '';"
              "process.stdin.on('data', d => s += d).on('end', () =>"
              " console.log(JSON.stringify(JSON.parse(s).map(t => [captionAlt(t), captionAlt(t, 20)]))));")
    out = subprocess.run([node, "-e", script, str(ROOT / "labextension" / "src" / "a11y.js")],
                         input=json.dumps(captions), capture_output=True, text=True, check=True, encoding="utf-8")
    got = json.loads(out.stdout)
    want = [[book_ext.caption_alt(t), book_ext.caption_alt(t, limit=20)] for t in captions]
    assert got == want
    assert got[-2] == [None, None] and sum(alt is not None for alt, _ in got) == len(captions) - 1


#: A few lesson-page shapes in a small stand-in DOM (classes, parents, siblings: what ``scopesOf`` reads), the
#: changes a MutationObserver reports on them, and the names of the containers ``scopesOf`` gives for each.
SCOPES_SCRIPT = r"""
const { scopesOf } = require(process.argv[1]);
class El {
  constructor(name, classes, parent = null) {
    this.name = name; this.nodeType = 1; this.parentElement = parent; this.children = [];
    const set = new Set(classes); this.classList = { contains: (c) => set.has(c) };
    if (parent) parent.children.push(this);
  }
  get previousElementSibling() {
    const sibs = this.parentElement ? this.parentElement.children : [];
    const i = sibs.indexOf(this);
    return i > 0 ? sibs[i - 1] : null;
  }
  matches(selector) {
    return selector.split(",").some((s) => this.classList.contains(s.trim().replace(/^\./, "")));
  }
  closest(selector) {
    for (let e = this; e; e = e.parentElement) if (e.matches(selector)) return e;
    return null;
  }
}
const text = (parent) => ({ nodeType: 3, parentElement: parent });
const body = new El("body", []);
const toolbar = new El("toolbar", ["jp-Toolbar"], body);
const notebook = new El("notebook", ["jp-Notebook"], body);
const first = new El("first", ["jp-Cell", "jp-MarkdownCell"], notebook);
const code = new El("code", ["jp-Cell", "jp-CodeCell"], notebook);
const spacer = new El("spacer", ["jp-Placeholder"], notebook);
const caption = new El("caption", ["jp-Cell", "jp-MarkdownCell"], notebook);
const slider = new El("slider", ["widget-slider"], code);
const readout = new El("readout", ["widget-readout"], slider);
const rendered = new El("rendered", ["jp-RenderedImage"], code);
const img = new El("img", [], rendered);
const frame = new El("frame", ["gexlib-frame"], code);
const frameImg = new El("frameImg", [], frame);
const lone = new El("lone", [], body);
const names = (r) => scopesOf(r).map((e) => e.name);
console.log(JSON.stringify({
  readoutText: names({ type: "characterData", target: text(readout) }),
  readoutReplaced: names({ type: "childList", target: readout, addedNodes: [text(readout)] }),
  handleValue: names({ type: "attributes", target: readout }),
  toolbarClass: names({ type: "attributes", target: toolbar }),
  toolbarText: names({ type: "characterData", target: text(toolbar) }),
  figureAdded: names({ type: "childList", target: rendered, addedNodes: [img] }),
  frameImage: names({ type: "childList", target: frame, addedNodes: [frameImg] }),
  captionRendered: names({ type: "childList", target: notebook, addedNodes: [caption] }),
  firstCellRendered: names({ type: "childList", target: notebook, addedNodes: [first] }),
  notebookAdded: names({ type: "childList", target: body, addedNodes: [notebook, text(body)] }),
  outsideAdded: names({ type: "childList", target: body, addedNodes: [lone] }),
  removedOnly: names({ type: "childList", target: notebook, addedNodes: [] }),
}));
"""


def test_a_change_is_fixed_in_its_own_control_frame_or_cell():
    node = shutil.which("node")
    if node is None:
        pytest.skip("no Node.js to run the extension")
    out = subprocess.run([node, "-e", SCOPES_SCRIPT, str(ROOT / "labextension" / "src" / "a11y.js")],
                         capture_output=True, text=True, check=True, encoding="utf-8")
    got = json.loads(out.stdout)
    assert got == {
        "readoutText": ["slider"], "readoutReplaced": ["slider"], "handleValue": ["slider"],
        "toolbarClass": [], "toolbarText": [],  # nothing named outside the containers
        "figureAdded": ["code"], "frameImage": ["frame"],
        "captionRendered": ["caption", "code"],  # a caption names the figure of the cell before it
        "firstCellRendered": ["first"],
        "notebookAdded": ["notebook"], "outsideAdded": ["lone"], "removedOnly": [],
    }
