"""A fresh virtual environment holding an installed gexlib wheel and no checkout: for the wheel tests.

The environment is made with ``python -m venv --without-pip`` and the wheel installed into it by
this environment's pip (``pip --python``), with ``--no-deps --no-index``: nothing is downloaded.
gexlib's dependencies (numpy, pandas, ...) then come from this test environment's site-packages,
added to the fresh one by a ``.pth`` line, as ``--system-site-packages`` would add the system's.
A ``.pth`` line adds a folder to ``sys.path`` without running the ``.pth`` files inside it, so the
editable install of the checkout that lives there stays inactive: ``import gexlib`` finds the wheel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path


def make(folder: Path, wheel: Path) -> Path:
    """Create the environment in ``folder``, install ``wheel``; return its Python interpreter."""
    folder = Path(folder)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-index", "--disable-pip-version-check", str(wheel)], check=True)
    site = Path(run(python, "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=folder).strip())
    ours = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    (site / "_test_dependencies.pth").write_text("\n".join(ours) + "\n")
    return python


def env() -> dict:
    """The environment variables for the fresh interpreter: no PYTHONPATH, one BLAS thread."""
    out = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    out.setdefault("OPENBLAS_NUM_THREADS", "1")
    return out


def run(python: Path, code: str, *, cwd: Path) -> str:
    """Run ``code`` with ``python`` in ``cwd``; return its standard output (raise with stderr on failure)."""
    done = subprocess.run([str(python), "-c", code], cwd=cwd, env=env(), capture_output=True, text=True)
    if done.returncode:
        raise AssertionError(f"{python} -c ... failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done.stdout


#: Run in the fresh environment: where gexlib comes from, its data, and the dependency pins it declares.
PROBE = """
import importlib.metadata as md, json, sys
from packaging.requirements import Requirement
import gexlib
from gexlib import datasets
names = datasets.names()
rows = {n: len(datasets.load(n).options) for n in names if n != "history.csv"}
unmet = [r for r in md.requires("gexlib") if not Requirement(r).specifier.contains(md.version(Requirement(r).name))]
print(json.dumps({"file": gexlib.__file__, "prefix": sys.prefix, "path": sys.path, "names": names, "rows": rows,
                  "history": len(datasets.history()), "calm": str(datasets.path("calm")),
                  "version": md.version("gexlib"), "unmet": unmet}))
"""


def probe(python: Path, cwd: Path) -> dict:
    """:data:`PROBE` run with ``python``, decoded."""
    return json.loads(run(python, PROBE, cwd=cwd))
