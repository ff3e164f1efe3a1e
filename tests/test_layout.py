"""The library apart from the course: no core module imports ``gexlib.course``."""

import ast
import pathlib
import subprocess
import sys

import gexlib

PKG = pathlib.Path(gexlib.__file__).parent
CORE = sorted(p for p in PKG.glob("*.py"))


def _imports(path: pathlib.Path) -> set[str]:
    """Every module name an import statement in ``path`` names, resolved against ``gexlib``."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "gexlib" if node.level == 1 else ("" if node.level == 0 else "<up>")
            mod = ".".join(x for x in (base, node.module or "") if x)
            names.add(mod)
            names.update(f"{mod}.{a.name}" for a in node.names)
    return names


def test_core_modules_exist():
    assert {"bs", "chain", "gex", "sheet", "cli"} <= {p.stem for p in CORE}


def test_core_never_imports_course():
    offenders = {p.name: sorted(n for n in _imports(p) if n.startswith("gexlib.course") or n.endswith(".course"))
                 for p in CORE}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_every_core_module_leaves_course_unloaded():
    mods = ", ".join(p.stem for p in CORE if p.stem != "__main__")
    code = (f"import sys\nfrom gexlib import {mods}\n"
            "print(sorted(m for m in sys.modules if m.startswith('gexlib.course')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
