"""What the built book needs in the reader's browser, served from the book itself.

Two jobs, one concept (the book reads offline):

``python book/_ext/gexlib_book.py`` (run by ``make book`` before the build)
    Installs the pinned npm packages of ``package.json`` / ``package-lock.json``
    with ``npm ci`` and copies what the pages load into ``_build/vendor/site/vendor/``:
    require.js, the ipywidgets 8 widget manager (``@jupyter-widgets/html-manager``,
    ``embed-amd.js`` and its Font Awesome fonts), a small setup script, the widgets'
    accessibility script (``labextension/src/a11y.js``, shared with gexlib's JupyterLab
    extension), and MathJax 3
    with its fonts. axe-core, the accessibility checker the browser test runs on every
    page, goes to ``_build/vendor/test/`` (not served with the book).
    ``_build/vendor/digest.txt`` records the inputs it was made from;
    when they change, the copy is rebuilt and ``_build/html`` deleted (an incremental
    build would keep stale copies). Without npm it says so loudly and removes the
    copy, so the build falls back to the CDNs.

Sphinx extension ``gexlib_book`` (listed in ``_config.yml``)
    Puts the dashboards in book mode (``GEXLIB_WIDGETS=book`` for the kernels that
    execute the lessons) and points ``nb_ipywidgets_js`` and ``mathjax_path`` at the
    vendored copy, served through ``html_extra_path``. If the copy is missing or out
    of date it says so loudly and uses the CDNs instead: that book reads online only.
    The execution cache is keyed on the notebooks' code alone, so it also clears
    that cache when gexlib's source or the shipped data change: a cached lesson
    never shows numbers from older code. Lessons missing from the cache are then
    executed several at a time, the longest first (:func:`prefill_cache`, one per core) and stored in it
    as myst-nb's ``cache`` mode stores them, so that reading the pages finds them
    there instead of executing them one after another.

    Accessibility (WCAG 2.1 AA): every lesson figure gets a text alternative from
    the caption that follows it (``Figure N.M — …``) unless its cell sets one
    (cell metadata ``mystnb: image: alt:``); ``book/_templates``, searched before
    the theme's components, gives the theme's search and colour-mode buttons names
    that match what they show;
    ``book/_static/gexlib-a11y.{js,css}`` make scrolling regions reachable by
    keyboard and keyboard focus visible.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Where the vendored copy is staged (``site/`` is copied into the book's root by html_extra_path).
VENDOR = Path(os.environ.get("GEXLIB_VENDOR_DIR", ROOT / "_build" / "vendor"))
SETUP_JS = ROOT / "book" / "_vendor" / "widgets-setup.js"
#: Accessible names for the widgets and alt for the book-mode frames: the JupyterLab extension's own code.
A11Y_JS = ROOT / "labextension" / "src" / "a11y.js"
#: The accessibility checker the browser test injects into every page (copied from npm, not served).
AXE = VENDOR / "test" / "axe.min.js"
#: Static files and template overrides of every page (accessibility fixes of the theme).
STATIC = ROOT / "book" / "_static"
TEMPLATES = ROOT / "book" / "_templates"
#: Files whose content decides the vendored copy.
INPUTS = (ROOT / "package.json", ROOT / "package-lock.json", SETUP_JS, A11Y_JS, Path(__file__).resolve())
#: The scripts a page with widgets loads, in order (paths under the book's ``vendor/``).
WIDGET_SCRIPTS = ("require.js", "widgets-a11y.js", "widgets-setup.js", "@jupyter-widgets/html-manager/dist/embed-amd.js")
MATHJAX = "mathjax/es5/tex-mml-chtml.js"
#: Widget-manager files copied: the AMD bundle and the fonts its styles ask for.
MANAGER_FILES = ("embed-amd.js", "*.woff2", "*.woff", "*.ttf", "*.eot", "*.svg")

BANNER = "!" * 78


def loud(*lines: str) -> None:
    """Print a message that cannot be missed in a build log (stderr, framed)."""
    print("\n".join(["", BANNER, *("!!! " + ln for ln in lines), BANNER, ""]), file=sys.stderr, flush=True)


def versions() -> dict:
    """Pinned versions of the packages, from package.json (exact versions only)."""
    deps = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]
    for name, v in deps.items():
        if not v[:1].isdigit():
            raise ValueError(f"package.json: {name} must be pinned to an exact version, not {v!r}")
    return deps


def digest() -> str:
    """SHA-256 over the inputs of the vendored copy."""
    h = hashlib.sha256()
    for p in INPUTS:
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def current() -> bool:
    """True when the staged copy exists and was made from the current inputs."""
    stamp = VENDOR / "digest.txt"
    return stamp.is_file() and stamp.read_text().strip() == digest()


def _copy(src: Path, dst: Path) -> int:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dst)
    return src.stat().st_size


def stage(html: Path = ROOT / "_build" / "html") -> bool:
    """Install and copy the vendored files if they are missing or stale; True when the copy is usable."""
    versions()  # refuse ranges before anything else
    if current():
        print(f">>> vendored browser files up to date ({VENDOR / 'site'})")
        return True
    npm = shutil.which("npm")
    if npm is None:
        shutil.rmtree(VENDOR, ignore_errors=True)
        loud("npm not found: the book will load require.js, the widget manager and MathJax from CDNs.",
             "That book needs the network to show its sliders and math. Install Node.js/npm",
             "(e.g. apt-get install -y npm) and run `make book` again for an offline book.")
        return False
    print(">>> installing the pinned browser packages (npm ci)", flush=True)
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
                   cwd=ROOT, check=True)
    modules = ROOT / "node_modules"
    site = VENDOR / "site" / "vendor"
    shutil.rmtree(VENDOR, ignore_errors=True)
    size = _copy(modules / "requirejs" / "require.js", site / "require.js")
    size += _copy(SETUP_JS, site / "widgets-setup.js")
    size += _copy(A11Y_JS, site / "widgets-a11y.js")
    dist = modules / "@jupyter-widgets" / "html-manager" / "dist"
    for pattern in MANAGER_FILES:
        for f in sorted(dist.glob(pattern)):
            size += _copy(f, site / "@jupyter-widgets" / "html-manager" / "dist" / f.name)
    es5 = modules / "mathjax" / "es5"
    for f in sorted(es5.rglob("*")):
        if f.is_file():
            size += _copy(f, site / "mathjax" / "es5" / f.relative_to(es5))
    _copy(modules / "axe-core" / "axe.min.js", AXE)
    for pkg in ("requirejs", "@jupyter-widgets/html-manager", "mathjax", "@fortawesome/fontawesome-free"):
        for lic in sorted((modules / pkg).glob("LICENSE*")):
            _copy(lic, site / "licenses" / pkg.replace("/", "__") / lic.name)
    for name in (*WIDGET_SCRIPTS, MATHJAX):
        if not (site / name).is_file():
            raise FileNotFoundError(f"vendored copy is missing {name}; check package.json")
    (VENDOR / "digest.txt").write_text(digest() + "\n")
    print(f">>> vendored {size / 1e6:.1f} MB into {site}")
    if html.exists():
        shutil.rmtree(html)
        print(f">>> removed {html}: the vendored files changed, so every page is written afresh")
    return True


def cdn(deps: dict) -> tuple[dict, str]:
    """The online fallback: the same pinned versions from jsDelivr."""
    base = "https://cdn.jsdelivr.net/npm/"
    scripts = {
        f"{base}requirejs@{deps['requirejs']}/require.js": {"crossorigin": "anonymous"},
        f"{base}@jupyter-widgets/html-manager@{deps['@jupyter-widgets/html-manager']}/dist/embed-amd.js":
            {"data-jupyter-widgets-cdn": base, "crossorigin": "anonymous"},
    }
    return scripts, f"{base}mathjax@{deps['mathjax']}/es5/tex-mml-chtml.js"


def configure(app, config) -> None:
    """``config-inited``: book-mode dashboards, and vendored (or, loudly, CDN) scripts."""
    from gexlib.course import widgets

    os.environ[widgets.MODE_VARIABLE] = "book"  # inherited by the kernels that execute the lessons
    if current():
        # Relative script paths are taken relative to _static/; the copy sits beside it.
        config.nb_ipywidgets_js = {f"../vendor/{name}": {} for name in WIDGET_SCRIPTS}
        config.mathjax_path = f"../vendor/{MATHJAX}"
        config.html_extra_path = [*config.html_extra_path, str(VENDOR / "site")]
    else:
        loud("No up-to-date vendored copy in " + str(VENDOR) + " (run `make book`, which makes it with npm).",
             "Falling back to CDNs: this book shows sliders and math only with network access.")
        config.nb_ipywidgets_js, config.mathjax_path = cdn(versions())


def library_digest() -> str:
    """SHA-256 over gexlib's source and the shipped data: what the lessons' outputs depend on besides their code."""
    h = hashlib.sha256()
    for base in (ROOT / "gexlib",):  # the shipped data is gexlib/data (the top-level data/ links to it)
        for f in sorted(base.rglob("*")):
            if f.is_file() and f.suffix in {".py", ".csv", ".md"}:
                h.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def refresh_cache(app, config) -> None:
    """``config-inited``: empty the execution cache if gexlib or the data changed since it was filled."""
    cache = Path(config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    stamp = cache.parent / "gexlib-digest.txt"
    now = library_digest()
    if stamp.is_file() and stamp.read_text().strip() == now:
        return
    if cache.exists():
        shutil.rmtree(cache)
        print(f">>> gexlib or data changed since the lessons were executed: cleared {cache}", flush=True)
    app.gexlib_library_changed = True  # and Sphinx must read (so execute) every notebook again: reread()
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(now + "\n")


#: Environment variable: lessons executed at once when filling the execution cache (default: the cores, at most
#: :data:`MAX_JOBS`; 1 executes them one after another).
JOBS_VARIABLE = "GEXLIB_BOOK_JOBS"
MAX_JOBS = 4
#: Seconds each lesson took to execute in book mode (the mean of three cold builds on a busy 2-core machine, two
#: lessons at a time). Only their order is used: :func:`prefill_cache` starts the longest first, so that no long
#: lesson runs alone at the end (in the order of the table of contents the capstone, the longest, started last).
#: A build records what it measured in :data:`SECONDS_FILE`, which takes precedence; a lesson known to neither
#: starts first.
SECONDS = {"notebooks/01_options_greeks": 82, "notebooks/02_market_makers": 15, "notebooks/03_dealer_gamma": 54,
           "notebooks/04_flip_strike": 70, "notebooks/05_heatmaps_walls": 76, "notebooks/06_tape": 29,
           "notebooks/07_gamma_scalping": 40, "notebooks/08_time_and_volatility": 74, "notebooks/09_limits": 49,
           "notebooks/10_evidence": 24, "notebooks/11_capstone": 96}
#: Where a build keeps the seconds it measured (beside the execution cache, so clearing the cache keeps them).
SECONDS_FILE = "gexlib-lesson-seconds.json"


def _toc_files(toc: Path) -> list[str]:
    """The ``root:`` and every ``file:`` of a Jupyter Book table of contents, in order."""
    import yaml

    found = []

    def walk(node):
        if isinstance(node, dict):
            found.extend(node[k] for k in ("root", "file") if isinstance(node.get(k), str))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(yaml.safe_load(toc.read_text(encoding="utf-8")))
    return found


def longest_first(names: list[str], seconds: dict) -> list[str]:
    """``names`` ordered by ``seconds`` (name -> seconds), longest first; names without a figure first of all.

    Ties keep the order of ``names``.
    """
    return sorted(names, key=lambda n: -seconds.get(n, float("inf")))


def _seconds_path(cache_path) -> Path:
    return Path(cache_path).parent / SECONDS_FILE


def measured_seconds(cache_path) -> dict:
    """:data:`SECONDS` updated with what earlier builds measured (:data:`SECONDS_FILE` beside ``cache_path``)."""
    path = _seconds_path(cache_path)
    try:
        found = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, ValueError):
        found = {}  # unreadable: the built-in figures still order the lessons
    return {**SECONDS, **{k: float(v) for k, v in found.items() if isinstance(v, (int, float))}}


async def _execute(path: Path, timeout: int | None, allow_errors: bool):
    """Execute one notebook in its own folder, as myst-nb's ``cache`` mode does, in a kernel of its own.

    What :func:`jupyter_cache.executors.utils.single_nb_execution` does (the notebook's
    ``execution`` metadata may override the timeout and ``allow_errors``), with nbclient's
    asynchronous client, so that one process drives several kernels at once.
    Returns the executed notebook, the seconds it took, and the error's traceback or None.
    """
    import traceback

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    nb = nbformat.reads(Path(path).read_text(encoding="utf-8"), as_version=4)
    meta = nb.metadata.get("execution", {})
    timeout, allow_errors = meta.get("timeout", timeout), meta.get("allow_errors", allow_errors)
    start, error = time.perf_counter(), None
    try:
        await NotebookClient(nb, timeout=timeout, allow_errors=allow_errors, record_timing=False,
                             resources={"metadata": {"path": str(Path(path).parent)}}).async_execute()
    except (CellExecutionError, CellTimeoutError):
        error = traceback.format_exc()
    return nb, time.perf_counter() - start, error


async def _execute_all(paths: list[Path], jobs: int, timeout: int | None, allow_errors: bool, done) -> None:
    """Execute ``paths``, ``jobs`` at a time, started in their order; ``done(path, nb, seconds, error)`` for each."""
    gate = asyncio.Semaphore(jobs)  # waiters are woken first come, first served: the order of ``paths``

    async def one(path):
        async with gate:
            nb, seconds, error = await _execute(path, timeout, allow_errors)
        done(path, nb, seconds, error)

    await asyncio.gather(*(one(path) for path in paths))


def prefill_cache(app, config) -> None:
    """``config-inited``: execute the lessons the execution cache lacks, several at a time, and cache them.

    Each lesson runs in its own kernel in its own folder with the book's environment
    (book mode), with the configured timeout, and is stored exactly as myst-nb's
    ``cache`` mode stores what it executes, so reading the page then takes its
    outputs from the cache. A lesson that fails is not stored: reading its page
    executes it again and reports the error as usual.
    """
    if config.nb_execution_mode != "cache" or config.nb_execution_in_temp:
        return
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    src = Path(app.srcdir)
    paths = [src / f"{f}.ipynb" if not f.endswith(".ipynb") else src / f for f in _toc_files(src / "_toc.yml")]
    cache_path = config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache"
    cache = get_cache(cache_path)
    missing = []
    for path in paths:
        if not path.is_file():
            continue
        try:
            cache.match_cache_notebook(nbformat.reads(path.read_text(encoding="utf-8"), as_version=4))
        except KeyError:
            missing.append(path)
    jobs = int(os.environ.get(JOBS_VARIABLE, "").strip() or min(os.cpu_count() or 1, MAX_JOBS))
    if len(missing) < 2 or jobs < 2:
        return  # nothing to gain: reading the pages executes them
    seconds = measured_seconds(cache_path)
    names = {path.relative_to(src).with_suffix("").as_posix(): path for path in missing}
    order = longest_first(list(names), seconds)
    print(f">>> executing {len(missing)} lessons, {jobs} at a time (the longest first), into the execution cache",
          flush=True)
    start = time.perf_counter()
    timeout = config.nb_execution_timeout
    took = {}

    def done(path, nb, seconds, error):
        name = path.relative_to(src).as_posix()
        took[path.relative_to(src).with_suffix("").as_posix()] = round(seconds, 1)
        if error is not None:
            print(f">>> {name} failed after {seconds:.1f} s; its page will execute it again and report why",
                  flush=True)
            return
        record = cache.add_nb_to_project(str(path))
        cache.cache_notebook_bundle(CacheBundleIn(nb, record.uri, data={"execution_seconds": seconds}),
                                    check_validity=False, overwrite=True)
        print(f">>> executed {name} in {seconds:.1f} s", flush=True)

    # one process drives the kernels (each lesson in a kernel of its own): no worker process to start
    asyncio.run(_execute_all([names[n] for n in order], jobs, timeout, config.nb_execution_allow_errors, done))
    print(f">>> {len(missing)} lessons executed in {time.perf_counter() - start:.1f} s", flush=True)
    recorded = _seconds_path(cache_path)
    try:
        old = json.loads(recorded.read_text(encoding="utf-8")) if recorded.is_file() else {}
    except (OSError, ValueError):
        old = {}
    try:
        recorded.write_text(json.dumps({**old, **took}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    except OSError:
        pass  # only the next build's order depends on it


def reread(app, env, added, changed, removed) -> list:
    """``env-get-outdated``: every notebook, when gexlib or the data changed (:func:`refresh_cache`).

    Sphinx reads again only the sources that changed; a lesson whose notebook did
    not change would keep the outputs of the older code in the saved environment.
    """
    if not getattr(app, "gexlib_library_changed", False):
        return []
    return sorted(d for d in env.found_docs if str(env.doc2path(d)).endswith(".ipynb"))


def theme_mode(app, config) -> None:
    """``config-inited``: give the theme its colour mode (auto), which it otherwise logs as invalid."""
    config.html_context = {"default_mode": "auto", **(config.html_context or {})}


def accessible(app, config) -> None:
    """``config-inited``: the theme overrides and the page-wide script and style of :data:`STATIC`."""
    config.templates_path = [str(TEMPLATES), *config.templates_path]
    config.html_static_path = [*config.html_static_path, str(STATIC)]


#: A caption paragraph under a lesson figure: "Figure 3.1 — what it shows. More."
CAPTION = re.compile(r"^\s*Figure\s+(\d+\.\d+)\s*[—–-]\s*(.+)$", re.S)


#: Longest text alternative taken from a caption, characters (whole sentences; at least the first).
ALT_CHARS = 300


def caption_alt(text: str, limit: int = ALT_CHARS) -> str | None:
    """The text alternative a caption gives its figure: ``"Figure N.M: "`` and its opening sentences.

    As many whole sentences as fit in ``limit`` characters, at least the first;
    the caption itself follows the figure with the rest. None when ``text`` is not
    a figure caption.
    """
    m = CAPTION.match(text)
    if m is None:
        return None
    body = " ".join(m.group(2).split())
    sentences = re.findall(r".+?[.!?](?=\s+[A-Z(]|$)|.+$", body)
    alt = sentences[0].strip()
    for sentence in sentences[1:]:
        if len(alt) + 1 + len(sentence.strip()) > limit:
            break
        alt += " " + sentence.strip()
    return f"Figure {m.group(1)}: {alt}"


def figure_alt(app, doctree) -> None:
    """``doctree-read``: give every notebook output image without ``alt`` the alt of its caption.

    The caption is the first paragraph after the image's cell (a Markdown cell
    ``*Figure N.M — …*``). An image with neither is reported (a warning: the
    book builds with ``-W``), so no figure reaches the page without a text alternative.
    """
    from docutils import nodes
    from sphinx.util import logging

    for image in list(doctree.findall(nodes.image)):
        if image.get("alt"):
            continue
        cell = image.parent
        while cell is not None and "cell" not in cell.get("classes", []):
            cell = cell.parent
        if cell is None:
            continue  # not a notebook output
        alt = None
        for sibling in cell.findall(include_self=False, descend=False, siblings=True):
            if isinstance(sibling, nodes.paragraph):
                alt = caption_alt(sibling.astext())
                break
            if isinstance(sibling, nodes.section) or "cell" in sibling.get("classes", []):
                break
        if alt is None:
            logging.getLogger(__name__).warning(
                "figure without a text alternative: follow its cell with a caption paragraph "
                "'*Figure N.M — …*' or set the cell metadata mystnb: image: alt:", location=image)
            continue
        image["alt"] = alt


def citations_as_list_items(app, pagename, templatename, context, doctree) -> None:
    """``html-page-context``: reference-list entries are list items, not ``doc-biblioentry``.

    docutils writes each citation as ``<div role="doc-biblioentry">`` inside a
    ``<div role="list">``; DPUB-ARIA 1.1 deprecates that role, and a list must
    contain list items (axe: aria-deprecated-role, aria-required-children).
    """
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    """``html-page-context``: drop repeated identical scripts.

    sphinx-thebe and sphinx-togglebutton register their inline settings twice on
    every page (once with filename ``None``, once ``""``), and the second
    ``const THEBE_JS_URL = …`` is a JavaScript error (a redeclared const).
    """
    seen, kept = set(), []
    for js in context.get("script_files", []):
        key = (getattr(js, "filename", js) or "", tuple(sorted(getattr(js, "attributes", {}).items())))  # None == ""
        if key in seen:
            continue
        seen.add(key)
        kept.append(js)
    context["script_files"] = kept


def setup(app):
    app.connect("config-inited", configure, priority=100)  # before myst-nb reads its configuration
    app.connect("config-inited", refresh_cache, priority=100)
    app.connect("config-inited", prefill_cache, priority=110)  # after refresh_cache, with book mode set
    app.connect("config-inited", theme_mode)
    app.connect("config-inited", accessible)
    app.connect("env-get-outdated", reread)
    app.connect("doctree-read", figure_alt)
    app.connect("html-page-context", citations_as_list_items)
    app.add_css_file("gexlib-a11y.css")
    app.add_js_file("gexlib-a11y.js", loading_method="defer")
    app.connect("html-page-context", dedupe_scripts, priority=900)  # after every extension added its scripts
    # env_version: raise it when what the extension does to doctrees (figure_alt) changes, so that
    # Sphinx reads every page again (the lessons from the execution cache, without executing them)
    return {"version": "1", "env_version": 2, "parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    stage()
