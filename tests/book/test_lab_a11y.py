"""Lesson 03 in a live JupyterLab, checked as the built book is: axe-core on the notebook's outputs.

Starts JupyterLab (the environment's own, with gexlib's prebuilt extension
``gexlib-a11y`` as ``make venv`` or a wheel installs it) on a copy of lesson 03 in
a temporary folder, with its own settings, workspaces and runtime folders, opens it in
headless Chromium (Playwright; every request not to localhost blocked), runs all
its cells with a live kernel and asserts:

- the dashboard's slider handles (ipywidgets draws them with noUiSlider as
  ``role="slider"`` and names none) are named by their visible labels, announce the
  readout's value, and are reached with Tab, show their focus and move with the arrow keys
  (the readout and the dashboard's figure and its text alternative follow);
- every static lesson figure (a matplotlib PNG output, which JupyterLab draws
  without ``alt``) has the text alternative of the caption that follows its cell,
  as in the built book, both as saved (an untrusted notebook, before any cell runs)
  and after the cells ran;
- axe-core (WCAG 2.0/2.1 A and AA rules, as in ``test_browser.py``) finds no
  violation in the notebook's outputs; the count is printed.

Skips without Chromium, Playwright or the vendored axe-core (``make book`` vendors
it) unless ``GEXLIB_REQUIRE_BROWSER=1``, which turns those into failures.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from test_browser import ARGS, AXE, AXE_RUN, AXE_TAGS, _unavailable, chromium

ROOT = Path(__file__).resolve().parents[2]
LESSON = "03_dealer_gamma.ipynb"
TIMEOUT_MS = 120_000
#: Text alternatives of the lesson's figures (matplotlib PNG outputs) on the page, in order.
FIGURE_ALTS = ("() => [...document.querySelectorAll('.jp-NotebookPanel .jp-RenderedImage > img')]"
               ".map(img => img.getAttribute('alt'))")
#: What the page showed before the cells ran (the notebook as saved, untrusted; JupyterLab draws
#: the cells near the viewport first).
SAVED: dict = {}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a copy of lesson 03; yields the lesson's URL (token included)."""
    if shutil.which("jupyter-lab", path=str(Path(sys.executable).parent)) is None:
        _unavailable("no JupyterLab in this environment")
    home = tmp_path_factory.mktemp("lab")
    work = home / "work"
    work.mkdir()
    shutil.copy(ROOT / "notebooks" / LESSON, work / LESSON)
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython"),
           "OPENBLAS_NUM_THREADS": "1"}
    env.pop("GEXLIB_WIDGETS", None)  # live dashboards, not book mode
    cmd = [str(Path(sys.executable).parent / "jupyter-lab"), "--no-browser", f"--port={port}", "--ip=127.0.0.1",
           f"--ServerApp.root_dir={work}", f"--IdentityProvider.token={token}",
           f"--LabApp.user_settings_dir={home / 'settings'}", f"--LabApp.workspaces_dir={home / 'workspaces'}",
           "--LabApp.expose_app_in_browser=True", "--ServerApp.port_retries=0"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(home / "lab.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start: {(home / 'lab.log').read_text()[-2000:]}")
            time.sleep(0.3)
        with urllib.request.urlopen(f"{base}lab/api/extensions?token={token}", timeout=10) as r:
            names = {e["name"] for e in json.load(r)}
        assert "gexlib-a11y" in names, f"JupyterLab does not list gexlib's extension: {sorted(names)}"
        yield f"{base}lab/tree/{LESSON}?token={token}", base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def page(lab):
    exe = chromium()
    if exe is None:
        _unavailable("no Chromium installed (apt-get install -y chromium)")
    if not AXE.is_file():
        _unavailable(f"no vendored axe-core at {AXE}: run `make book` (npm ci) first")
    sync_api = pytest.importorskip("playwright.sync_api")
    url, base = lab
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
            (base, "data:", "blob:", base.replace("http", "ws"))) else route.abort())
        p = context.new_page()
        p.set_default_timeout(TIMEOUT_MS)
        p.goto(url, wait_until="load")
        p.wait_for_function("() => window.jupyterapp && document.querySelector('.jp-NotebookPanel .jp-Cell')")
        # Wait for the kernel, then run every cell and wait until the last one has run.
        p.wait_for_function("() => { const w = window.jupyterapp.shell.currentWidget;"
                            " return w && w.sessionContext && w.sessionContext.isReady"
                            " && w.sessionContext.session && w.sessionContext.session.kernel"
                            " && w.sessionContext.session.kernel.status === 'idle'; }")
        # The saved outputs first, as an untrusted notebook shows them before any cell runs.
        # one reading, taken when every figure drawn so far has its alt (JupyterLab draws cells as they
        # scroll into view, so another figure may appear at any moment)
        SAVED["alts"] = p.wait_for_function(
            f"() => {{ const a = ({FIGURE_ALTS})(); return a.length > 0 && a.every(x => x) ? a : null; }}").json_value()
        p.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        p.wait_for_function("() => { const w = window.jupyterapp.shell.currentWidget;"
                            " const cells = w.content.widgets.filter(c => c.model.type === 'code');"
                            " return cells.every(c => c.model.executionCount !== null)"
                            " && w.sessionContext.session.kernel.status === 'idle'; }")
        p.wait_for_selector(".widget-slider [role=slider]")
        p.add_script_tag(path=str(AXE))
        yield p
        context.close()
        browser.close()


#: axe on the notebook's output areas only (the lesson's figures, tables and dashboards; JupyterLab's
#: own chrome and editors are JupyterLab's to fix).
AXE_OUTPUTS = AXE_RUN.replace("axe.run(document,", "axe.run({include: [['.jp-NotebookPanel .jp-OutputArea']]},")


def test_axe_finds_no_violation_in_the_outputs(page, say):
    violations = page.evaluate(AXE_OUTPUTS, AXE_TAGS)
    count = sum(v["count"] for v in violations)
    say(f"\naxe (WCAG 2.0/2.1 A+AA) JupyterLab {LESSON} outputs: {count} violations"
          + "".join(f"\n  {v['id']} ({v['impact']}): {v['count']} e.g. {v['targets']}" for v in violations))
    assert violations == []


def test_slider_handles_are_named_by_their_visible_labels(page, say):
    handles = page.evaluate("""() => [...document.querySelectorAll('.jp-NotebookPanel .widget-slider')].map(w => ({
        label: w.querySelector(':scope > .widget-label').textContent.trim(),
        readout: w.querySelector('.widget-readout').textContent.trim(),
        name: w.querySelector('[role=slider]').getAttribute('aria-label'),
        valuetext: w.querySelector('[role=slider]').getAttribute('aria-valuetext')}))""")
    say(f"\n{len(handles)} slider handles: " + "; ".join(f"{h['name']!r} = {h['valuetext']!r}" for h in handles))
    assert len(handles) >= 4  # lesson 03's dashboard: spot, IV shift, call OI, put OI
    for h in handles:
        assert h["label"] and h["name"] == h["label"]
        assert h["valuetext"] == h["readout"]


def test_static_figures_carry_their_captions(page, say):
    alts = page.evaluate(FIGURE_ALTS)
    say(f"\n{len(alts)} figures: " + "; ".join(repr((a or '')[:60]) for a in alts))
    captions = [c for c in json.loads((ROOT / "notebooks" / LESSON).read_text(encoding="utf-8"))["cells"]
                if c["cell_type"] == "markdown" and re.match(r"\s*\*Figure 3\.\d", "".join(c["source"]))]
    assert len(alts) == len(captions) >= 3
    assert all(a and re.match(r"Figure 3\.\d+: \S", a) for a in alts), alts
    # Before the cells ran, JupyterLab had drawn the saved (untrusted) outputs near the top: the same alts.
    assert SAVED["alts"] and SAVED["alts"] == alts[:len(SAVED["alts"])]


#: The dashboard's spot slider: its handle, readout, and the dashboard's figure (the live picture).
SPOT = """() => {
    const handle = [...document.querySelectorAll('.jp-NotebookPanel [role=slider]')]
        .find(h => h.getAttribute('aria-label') === 'spot');
    const area = handle.closest('.jp-OutputArea');
    const picture = [...area.querySelectorAll('img')].find(img => !img.closest('.jp-RenderedImage'));
    return {valuetext: handle.getAttribute('aria-valuetext'), focused: document.activeElement === handle,
            outline: getComputedStyle(handle).outlineStyle + ' ' + getComputedStyle(handle).outlineWidth,
            readout: handle.closest('.widget-slider').querySelector('.widget-readout').textContent.trim(),
            src: picture.src.length + ':' + picture.src.slice(-64), alt: picture.alt};
}"""


def test_keyboard_moves_the_live_spot_slider(page, say):
    handles = page.locator(".jp-NotebookPanel [role=slider]")
    spot = page.locator(".jp-NotebookPanel [role=slider][aria-label='spot']")
    spot.scroll_into_view_if_needed()
    # From the next slider's handle, Shift+Tab passes spot's readout (an editable field), then its handle.
    handles.nth(1).focus()
    for _ in range(2):
        page.keyboard.press("Shift+Tab")
    before = page.evaluate(SPOT)
    assert before["focused"], "two Shift+Tab from the IV shift handle do not reach the spot handle"
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => ({SPOT})().src !== {json.dumps(before['src'])}")
    after = page.evaluate(SPOT)
    say(f"\nspot: {before['readout']} -> {after['readout']} (handle says {after['valuetext']!r}); "
          f"figure alt: {after['alt'][:100]!r}; focus outline: {after['outline']}")
    assert after["focused"] and after["outline"].startswith("solid"), "keyboard focus is not visible"
    assert after["readout"] != before["readout"] and after["valuetext"] == after["readout"]
    assert after["alt"] != before["alt"] and after["readout"] in after["alt"]

