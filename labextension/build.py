"""Build gexlib's JupyterLab extension ``gexlib-a11y`` into ``gexlib/course/labextension/`` (``make labextension``).

The extension (``src/``, ``style/``) names the dashboards' slider handles, toggle
rows and drop-downs by their visible labels and gives lesson figures the text
alternative of their captions in JupyterLab, which neither ipywidgets 8.1 nor
JupyterLab 4 offers an option for. The built copy is committed, so installing
gexlib needs no Node.js: a wheel puts it in ``share/jupyter/labextensions/gexlib-a11y``
(pyproject.toml, data-files) and ``make venv`` links it there for the editable install.

Needs npm: installs the pinned ``@jupyterlab/builder`` (``package-lock.json``) with
``npm ci``, builds against the installed JupyterLab's core packages, and records
the digest of the sources in ``SOURCES_DIGEST`` (a test checks the built copy is current).
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = ROOT / "gexlib" / "course" / "labextension"
#: What the built copy is made from (the stylesheet is the book's own, shared).
SOURCES = (HERE / "package.json", HERE / "package-lock.json", HERE / "src" / "a11y.js", HERE / "src" / "index.js",
           HERE / "style" / "index.js", ROOT / "book" / "_static" / "gexlib-a11y.css")
SOURCES_DIGEST = OUT / "sources.sha256"


def digest() -> str:
    """SHA-256 over the sources' paths and contents (line endings as stored)."""
    h = hashlib.sha256()
    for path in SOURCES:
        h.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def build() -> None:
    import jupyterlab

    core = Path(jupyterlab.__file__).parent / "staging"
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True)
    subprocess.run(["node", "node_modules/@jupyterlab/builder/lib/build-labextension.js", "--core-path", str(core),
                    "."], cwd=HERE, check=True)
    SOURCES_DIGEST.write_text(digest() + "\n")
    print(f">>> built {OUT.relative_to(ROOT)} (sources {digest()[:12]})")


if __name__ == "__main__":
    build()
