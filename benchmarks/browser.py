"""Key press to updated figure, in JupyterLab driven by headless Chromium (``python -m benchmarks.browser``).

What a reader feels when moving a slider: the benchmark serves JupyterLab on a free
localhost port (a token, throwaway config, runtime, settings and workspace
directories, live dashboards: ``GEXLIB_WIDGETS=``, ``OPENBLAS_NUM_THREADS=1``),
opens a copy of each lesson (outputs cleared) in headless Chromium (Debian's
``chromium`` driven by Playwright, as ``tests/book/test_browser.py`` does), runs all
its cells, and on each live dashboard focuses the handle of its first slider
that changes the figure (a slider that moves only the readout is passed over) and
presses the arrow keys. The sliders have ``continuous_update=False``: a key press
is one change event, one recomputation in the kernel and one new figure, checked
on every press (a press that does not change the value, or changes the figure
other than exactly once, is reported).

Each press is timed in the page with ``performance.now()``: from the ``keydown``
(a listener on the document, capturing) to the ``<img>`` of the dashboard's
picture (:attr:`gexlib.course.widgets.Dashboard.picture`) having a new ``src``
(a ``MutationObserver`` armed before the press), and to that image decoded and
the next animation frame ("painted"). One warm-up press, then ``--presses``
timed presses (8 by default); the arrows move one step away from the default and
turn back at the end of a slider's range. The benchmark waits for the paint on a
promise the page resolves, not by polling the page: Playwright's default polling
runs on every animation frame, so the page would draw frames, on a core the kernel
needs, all the while the kernel computes, which no reader's page does.

One row per dashboard: lesson, dashboard, control, events, median and slowest
milliseconds, beside the target (median <= 100 ms); then where the time went: the
kernel's share (the change message leaving the page to the new figure's message
arriving), the press's own ``Dashboard.update()`` timed inside the kernel (a
wrapper installed on each dashboard after the cells have run; the rest of the
kernel's share is the messages' way through the server and the kernel's message
handling), and the time until the new image is decoded and painted. ``--lesson 03`` measures one
lesson only. Skips with a message when Playwright or Chromium is missing. Not a
test (and not part of ``make test``): it prints figures, which depend on the
machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
#: Median key press -> figure target, ms (issue 15).
TARGET_MS = 100.0
#: Timed presses per dashboard (after one warm-up press).
PRESSES = 8
#: Lessons measured by default (the capstone, 11, reuses lesson 04/05 dashboards; ``--lesson 11`` measures it).
LESSONS = tuple(f"{n:02d}" for n in range(1, 11))
#: Chromium flags: root needs --no-sandbox; the rest keep it from calling home (as in the browser test).
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-default-apps", "--mute-audio"]
#: Seconds allowed for a lesson to run all its cells, for a figure to change, and for the server to start.
RUN_TIMEOUT = 600
PRESS_TIMEOUT = 30
START_TIMEOUT = 120
#: Quiet time after each figure before the next press (lets a second, unexpected update show up).
SETTLE_S = 0.3
#: A top-level ``name = widgets.something_dashboard(`` line: one live dashboard displayed by its cell.
DASHBOARD_LINE = re.compile(r"^(\w+)\s*=\s*widgets\.(\w+_dashboard)\(", re.MULTILINE)
#: JupyterLab user settings written to the throwaway settings directory: no news or update checks (no network).
SETTINGS = {"@jupyterlab/apputils-extension/notification.jupyterlab-settings":
            {"fetchNews": "false", "checkForUpdates": False}}


# --- pure helpers (tests/test_benchmark_browser.py) ---------------------------------------


def dashboards(notebook: dict) -> list[tuple[str, str]]:
    """The live dashboards a lesson displays, in cell order: (variable, builder) pairs.

    A code cell displays a dashboard when it assigns ``name = widgets.x_dashboard(...)``
    at top level (not inside an ``if``), e.g. ``[("dash", "tape_dashboard"),
    ("pin_dash", "pin_dashboard")]`` for lesson 06.
    """
    found = []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            source = "".join(cell.get("source", ""))
            found += [(m.group(1), m.group(2)) for m in DASHBOARD_LINE.finditer(source)]
    return found


def next_key(now: float, lo: float, hi: float, direction: int) -> tuple[str, int]:
    """The arrow key for the next press and the direction it keeps (+1 right, -1 left).

    Keeps ``direction`` and turns back at the ends of the range ``[lo, hi]``,
    so every press changes the slider's value.
    """
    if now >= hi:
        direction = -1
    elif now <= lo:
        direction = 1
    return ("ArrowRight" if direction > 0 else "ArrowLeft"), direction


@dataclass
class Row:
    """One dashboard's measurement: press times (ms) and what went wrong, if anything."""

    lesson: str
    dashboard: str
    control: str = ""
    times: list = field(default_factory=list)  # key press -> new <img> src, ms
    painted: list = field(default_factory=list)  # key press -> image decoded and next frame, ms
    kernel: list = field(default_factory=list)  # change message sent -> figure update received, ms
    updates: list = field(default_factory=list)  # the press's own Dashboard.update(), timed in the kernel, ms
    problems: list = field(default_factory=list)


def summary(rows: list[Row], target: float = TARGET_MS) -> str:
    """The table: one line per dashboard, medians and slowest press in ms, and the verdict against ``target``."""
    head = ["lesson", "dashboard", "control", "events", "median ms", "slowest ms", "kernel median ms",
            "update() ms", "painted median ms", f"target median <= {target:g} ms"]
    lines = []
    for r in rows:
        if r.times:
            med, worst = statistics.median(r.times), max(r.times)
            verdict = "met" if med <= target else f"missed by {med - target:.0f} ms"
            cells = [f"{med:.0f}", f"{worst:.0f}", f"{statistics.median(r.kernel):.0f}" if r.kernel else "-",
                     f"{statistics.median(r.updates):.0f}" if r.updates else "-",
                     f"{statistics.median(r.painted):.0f}" if r.painted else "-", verdict]
        else:
            cells = ["-", "-", "-", "-", "-", "not measured"]
        lines.append([r.lesson, r.dashboard, r.control or "-", str(len(r.times)), *cells])
    widths = [max(len(h), *(len(line[i]) for line in lines)) if lines else len(h) for i, h in enumerate(head)]
    out = ["  ".join(h.ljust(wd) for h, wd in zip(head, widths, strict=True))]
    out += ["  ".join(c.ljust(wd) for c, wd in zip(line, widths, strict=True)) for line in lines]
    for r in rows:
        out += [f"  {r.lesson} {r.dashboard}: {p}" for p in r.problems]
    return "\n".join(out)


# --- the server ------------------------------------------------------------------------


def chromium() -> str | None:
    """The system's Chromium (``GEXLIB_CHROMIUM`` first), as the browser test finds it."""
    for name in (os.environ.get("GEXLIB_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and (path := shutil.which(name)):
            return path
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """``jupyter lab`` on localhost in its own process group, with throwaway Jupyter directories.

    Use as a context manager: the server, and every kernel it started, is shut
    down on exit, also after an error or Ctrl-C.
    """

    def __init__(self, lessons: list[Path]):
        self.tmp = Path(tempfile.mkdtemp(prefix="gexlib-bench-browser-"))
        self.root = self.tmp / "notebooks"
        self.root.mkdir()
        for nb in lessons:  # copies with outputs cleared: the page shows only what this run computes
            data = json.loads(nb.read_text(encoding="utf-8"))
            for cell in data["cells"]:
                if cell["cell_type"] == "code":
                    cell["outputs"], cell["execution_count"] = [], None
            data["metadata"]["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
            (self.root / nb.name).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        settings = self.tmp / "settings"
        for name, value in SETTINGS.items():
            (settings / name).parent.mkdir(parents=True, exist_ok=True)
            (settings / name).write_text(json.dumps(value), encoding="utf-8")
        self.port, self.token = _free_port(), os.urandom(16).hex()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "GEXLIB_WIDGETS": "", "OPENBLAS_NUM_THREADS": "1",
                    "JUPYTER_CONFIG_DIR": str(self.tmp / "config"), "JUPYTER_RUNTIME_DIR": str(self.tmp / "runtime"),
                    "JUPYTERLAB_SETTINGS_DIR": str(settings), "JUPYTERLAB_WORKSPACES_DIR": str(self.tmp / "workspaces"),
                    "IPYTHONDIR": str(self.tmp / "ipython")}
        self.env.pop("JUPYTER_TOKEN", None)
        self.proc = None

    def __enter__(self):
        self.log = open(self.tmp / "server.log", "wb")
        cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
               f"--ServerApp.root_dir={self.root}", "--LabApp.expose_app_in_browser=True",
               *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])]
        try:
            self.proc = subprocess.Popen(cmd, cwd=self.root, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
                                         start_new_session=True)  # its own process group: kernels included
            self._wait_up()
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self

    def _wait_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with status {self.proc.returncode}: {self._tail()}")
            try:
                self.api("GET", "status")
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"jupyter lab did not answer in {START_TIMEOUT} s: {self._tail()}") from None
                time.sleep(0.5)

    def _tail(self) -> str:
        self.log.flush()
        return (self.tmp / "server.log").read_text(errors="replace")[-2000:]

    def api(self, method: str, path: str):
        req = urllib.request.Request(f"{self.base}/api/{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def url(self, notebook: str) -> str:
        return f"{self.base}/lab/tree/{notebook}?reset&token={self.token}"

    def stop_kernels(self) -> None:
        """Shut every session's kernel down (one lesson at a time keeps the machine's memory free)."""
        for s in self.api("GET", "sessions"):
            self.api("DELETE", f"sessions/{s['id']}")

    def __exit__(self, *exc):
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.api("POST", "shutdown")  # stops kernels, then the server
                self.proc.wait(timeout=20)
            except Exception:  # noqa: BLE001 - fall through to signals
                pass
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(timeout=10)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self.proc is not None:
            try:  # kernels outliving the server (they share its process group)
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return False


# --- the page --------------------------------------------------------------------------

#: Run all cells through JupyterLab's own command, once the kernel is ready; resolves when all have run.
RUN_ALL = """async () => {
    const app = window.jupyterapp;
    const panel = app.shell.currentWidget;
    await panel.context.ready;
    await panel.sessionContext.ready;
    const ok = await app.commands.execute('notebook:run-all-cells');
    return {ok, kernel: panel.sessionContext.session.kernel.status};
}"""
#: The notebook panel exists and is the current widget.
NOTEBOOK_OPEN = """() => window.jupyterapp && window.jupyterapp.shell.currentWidget
    && window.jupyterapp.shell.currentWidget.sessionContext
    && window.jupyterapp.shell.currentWidget.content && window.jupyterapp.shell.currentWidget.content.widgets
    && window.jupyterapp.shell.currentWidget.content.widgets.length > 0"""
KERNEL_IDLE = """() => { const s = window.jupyterapp.shell.currentWidget.sessionContext;
    return s.session && s.session.kernel && s.session.kernel.status === 'idle'; }"""
#: The live dashboards in the page: the box whose first child says "Live mode" (widgets.LIVE_NOTE).
FIND = """() => { window.__gexDash = [...document.querySelectorAll('.jp-OutputArea .widget-vbox')]
        .filter(b => b.firstElementChild && b.firstElementChild.textContent.includes('Live mode'));
    return window.__gexDash.map(b => ({
        sliders: b.querySelectorAll('.widget-slider [role=slider]').length,
        image: !!b.querySelector('.gexlib-picture img') })); }"""
#: Focus the handle of slider j of dashboard i (null if it has no such slider); its label and range.
FOCUS = """([i, j]) => { const b = window.__gexDash[i];
    const slider = b.querySelectorAll('.widget-slider')[j];
    if (!slider) return null;
    b.scrollIntoView({block: 'center'});
    const h = slider.querySelector('[role=slider]');
    h.focus();
    const label = slider.querySelector('.widget-label');
    return {focused: document.activeElement === h, label: label ? label.innerText.trim() : '',
            lo: +h.getAttribute('aria-valuemin'), hi: +h.getAttribute('aria-valuemax'),
            now: +h.getAttribute('aria-valuenow')}; }"""
#: Arm the timers before a press on slider j of dashboard i: the keydown, the kernel's messages, the picture's
#: <img> replaced (the dashboard sets its picture last), then that image decoded and the next animation frame.
ARM = """([i, j]) => { const b = window.__gexDash[i];
    const pic = b.querySelector('.gexlib-picture');
    const h = b.querySelectorAll('.widget-slider')[j].querySelector('[role=slider]');
    const g = window.__gexTiming || (window.__gexTiming = {});
    if (!g.listening) {
        document.addEventListener('keydown', () => { if (g.armed) { g.keydown = performance.now(); g.armed = false; } },
                                  true);
        g.listening = true;
    }
    if (!g.kernelHooked) {  // the kernel's messages: when the change left the page, when the new figure came back
        const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
        kernel.anyMessage.connect((_, m) => {
            if (g.keydown === null || m.msg.header.msg_type !== 'comm_msg') return;
            const data = m.msg.content.data || {};
            if (m.direction === 'send') {
                if (g.sent === null) g.sent = performance.now();
                g.sends += 1;
            }
            if (m.direction === 'recv') {
                g.bytes += JSON.stringify(m.msg.content).length
                    + (m.msg.buffers || []).reduce((n, b) => n + (b.byteLength || 0), 0);
                g.updates += 1;
            }
            if (m.direction === 'recv' && g.received === null && data.method === 'update' && data.state
                && typeof data.state.value === 'string' && data.state.value.startsWith('<img')) {
                g.received = performance.now();
            }
        });
        g.kernelHooked = true;
    }
    if (g.observer) g.observer.disconnect();
    const first = pic.querySelector('img');
    Object.assign(g, {armed: true, keydown: null, sent: null, received: null, changed: null, painted: null,
                      changes: 0, bytes: 0, updates: 0, sends: 0, same: null, img: first, src: first ? first.src : null,
                      src0: first ? first.src : null});
    g.done = new Promise(resolve => { g.paint = resolve; });  // resolved once the new figure is painted
    g.observer = new MutationObserver(() => {
        const img = pic.querySelector('img');
        if (!img || (img === g.img && img.src === g.src)) return;
        g.img = img;
        g.src = img.src;
        g.changes += 1;
        if (g.changed !== null) return;
        g.changed = performance.now();
        g.same = img.src === g.src0;
        img.decode().catch(() => null).then(() => requestAnimationFrame(() => { g.painted = performance.now(); g.paint(); }));
    });
    g.observer.observe(pic, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
    return {focused: document.activeElement === h,
            readout: h.closest('.widget-slider').querySelector('.widget-readout').innerText}; }"""
#: Run code in the notebook's kernel; its printed text (or the error).
EXECUTE = """async (code) => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const future = kernel.requestExecute({code, store_history: false});
    let out = '';
    future.onIOPub = m => {
        if (m.header.msg_type === 'stream') out += m.content.text;
        if (m.header.msg_type === 'error') out += `${m.content.ename}: ${m.content.evalue}`;
    };
    await future.done;
    return out; }"""
#: Times each dashboard's own update (recompute, figure, PNG, widget values) in the kernel, on every event:
#: ``{names}`` is a tuple of the dashboards' variable names. ``_gexlib_updates[name]`` collects milliseconds.
HOOK_CODE = """import json as _gexlib_json, time as _gexlib_time
_gexlib_updates = {{}}
def _gexlib_timed(name, dash):
    inner = dash.update
    def update():
        t0 = _gexlib_time.perf_counter()
        try:
            inner()
        finally:
            _gexlib_updates.setdefault(name, []).append((_gexlib_time.perf_counter() - t0) * 1e3)
    dash.update = update
for _gexlib_name in {names!r}:
    _gexlib_timed(_gexlib_name, globals()[_gexlib_name])
print("hooked")
"""
#: The update() times collected since the last call, for one dashboard (a JSON list of ms).
UPDATES_CODE = "print(_gexlib_json.dumps(_gexlib_updates.pop({name!r}, [])))"
#: Wait (at most ``ms``) for the armed press's figure to be painted: a promise the page resolves. Polling instead
#: (Playwright's default polls on every animation frame) keeps the page drawing frames while the kernel computes,
#: taking CPU from it on a 2-core machine.
PAINTED = """(ms) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no new figure painted within ${ms} ms`)), ms);
    window.__gexTiming.done.then(() => { clearTimeout(timer); resolve(true); }); })"""
READ = """([i, j]) => { const g = window.__gexTiming;
    const h = window.__gexDash[i].querySelectorAll('.widget-slider')[j].querySelector('[role=slider]');
    return {keydown: g.keydown, sent: g.sent, received: g.received, changed: g.changed, painted: g.painted,
            changes: g.changes, bytes: g.bytes, updates: g.updates, sends: g.sends, same: g.same,
            readout: h.closest('.widget-slider').querySelector('.widget-readout').innerText,
            now: +h.getAttribute('aria-valuenow')}; }"""


def _press(page, i: int, j: int, key: str, name: str) -> dict:
    """One timed key press on slider ``j`` of dashboard ``i`` (kernel variable ``name``).

    The page's own timings, and ``update_ms``: the ``update()`` runs the press caused, ms each, timed in the kernel.
    """
    page.evaluate(EXECUTE, UPDATES_CODE.format(name=name))  # forget earlier runs
    armed = page.evaluate(ARM, [i, j])
    page.keyboard.press(key)
    page.evaluate(PAINTED, PRESS_TIMEOUT * 1000)
    time.sleep(SETTLE_S)
    page.wait_for_function(KERNEL_IDLE, timeout=PRESS_TIMEOUT * 1000)
    got = page.evaluate(READ, [i, j])
    got["before"], got["focused"] = armed["readout"], armed["focused"]
    out = page.evaluate(EXECUTE, UPDATES_CODE.format(name=name))
    try:
        got["update_ms"] = json.loads(out)
    except ValueError:
        got["update_ms"], got["update_error"] = [], out.strip()[:200]
    return got


def _ms(end, start=0.0) -> str:
    return "?" if end is None or start is None else f"{end - start:.0f} ms"


def measure(page, i: int, name: str, row: Row, presses: int, say) -> None:
    """Warm-up press, then ``presses`` timed presses on dashboard ``i``'s first slider that changes the figure.

    A slider whose warm-up press leaves the figure as it was (e.g. the hedge
    ticket's position: the figure is per option) is passed over for the next one.
    """
    j = 0
    while True:
        info = page.evaluate(FOCUS, [i, j])
        if info is None:
            row.problems.append("no slider of this dashboard changes its figure")
            return
        row.control = info["label"] or f"slider {j + 1}"
        if not info["focused"]:
            row.problems.append(f"the handle of the {row.control!r} slider did not take the focus")
            return
        if _presses(page, i, j, name, info, row, presses, say):
            return
        say(f"    the figure stays as it was when {row.control!r} moves: the next slider")
        j += 1


def _presses(page, i: int, j: int, name: str, info: dict, row: Row, presses: int, say) -> bool:
    """The warm-up and timed presses on one slider; False if the warm-up left the figure unchanged."""
    direction, now = 1, info["now"]
    for k in range(presses + 1):
        key, direction = next_key(now, info["lo"], info["hi"], direction)
        got = _press(page, i, j, key, name)
        now = got["now"]
        if k == 0 and got["same"]:
            return False
        ms = got["changed"] - got["keydown"] if got["keydown"] is not None else None
        if not got["focused"]:
            row.problems.append(f"press {k}: focus left the slider")
        if got["readout"] == got["before"]:
            row.problems.append(f"press {k} ({key}): the slider's value did not change")
        if got["sends"] != 1:  # continuous_update=False: one press, one change sent to the kernel
            row.problems.append(f"press {k} ({key}): {got['sends']} changes sent to the kernel")
        if got["changes"] != 1:
            row.problems.append(f"press {k} ({key}): the picture changed {got['changes']} times")
        if got["same"]:
            row.problems.append(f"press {k} ({key}): the same figure again")
        if "update_error" in got:
            row.problems.append(f"press {k} ({key}): update() times unreadable: {got['update_error']}")
        elif len(got["update_ms"]) != 1:
            row.problems.append(f"press {k} ({key}): update() ran {len(got['update_ms'])} times in the kernel")
        if ms is None:
            row.problems.append(f"press {k} ({key}): no keydown seen")
            continue
        label = "warm-up" if k == 0 else f"{k}/{presses}"
        kernel = got["received"] - got["sent"] if got["sent"] is not None and got["received"] is not None else None
        update = got["update_ms"][0] if len(got["update_ms"]) == 1 else None
        say(f"    {label} {key}: {ms:6.0f} ms to the new figure ({_ms(got['sent'], got['keydown'])} to send the change, "
            f"{_ms(kernel)} in the kernel of which {_ms(update)} in update(), "
            f"{_ms(got['changed'], got['received'])} to the new <img>), "
            f"{got['painted'] - got['keydown']:.0f} ms painted; {got['before']} -> {got['readout']}; "
            f"{got['sends']} change sent, {got['updates']} widget updates received, {got['bytes'] / 1e3:,.0f} kB")
        if k > 0:
            row.times.append(ms)
            row.painted.append(got["painted"] - got["keydown"])
            if kernel is not None:
                row.kernel.append(kernel)
            if update is not None:
                row.updates.append(update)
    return True


def run_lesson(browser, lab: Lab, nb: Path, presses: int, say) -> list[Row]:
    """Open a lesson, run all its cells, measure each live dashboard; one row per dashboard."""
    lesson = nb.name[:2]
    names = dashboards(json.loads(nb.read_text(encoding="utf-8")))
    rows = [Row(lesson, builder.removesuffix("_dashboard")) for _, builder in names]
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, service_workers="block")
    page = context.new_page()
    page.set_default_timeout(RUN_TIMEOUT * 1000)
    errors = []
    page.on("pageerror", lambda e: errors.append(f"{e}; {(e.stack or '').splitlines()[1:3]}"))
    try:
        t = time.perf_counter()
        page.goto(lab.url(nb.name), wait_until="load")
        page.wait_for_function(NOTEBOOK_OPEN)
        say(f"[{lesson}] {nb.name}: opened in {time.perf_counter() - t:.1f} s; running all cells")
        t = time.perf_counter()
        done = page.evaluate(RUN_ALL)
        page.wait_for_function(KERNEL_IDLE)
        say(f"[{lesson}] ran all cells in {time.perf_counter() - t:.1f} s (run-all {done['ok']})")
        page.wait_for_function(f"() => ({FIND})().filter(d => d.image && d.sliders > 0).length >= {len(names)}",
                               timeout=60_000)
        found = page.evaluate(FIND)
        if len(found) != len(names):
            for r in rows:
                r.problems.append(f"{len(found)} live dashboards in the page, {len(names)} in the lesson's cells")
            return rows
        hooked = page.evaluate(EXECUTE, HOOK_CODE.format(names=tuple(n for n, _ in names)))
        if hooked.strip() != "hooked":
            raise RuntimeError(f"could not time update() in the kernel: {hooked.strip()[:200]}")
        for i, row in enumerate(rows):
            say(f"[{lesson}] {row.dashboard}: 1 warm-up + {presses} presses on its first slider that moves the figure")
            measure(page, i, names[i][0], row, presses, say)
    except Exception as e:  # noqa: BLE001 - one lesson's failure is reported in its rows, the rest still run
        for r in rows:
            r.problems.append(f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
        say(f"[{lesson}] failed: {type(e).__name__}: {e}")
    finally:
        for e in dict.fromkeys(errors):  # JupyterLab's own, e.g. its cell toolbar's layout check: not a failure
            say(f"[{lesson}] note: page error {e}")
        context.close()
        try:
            lab.stop_kernels()
        except Exception as e:  # noqa: BLE001
            say(f"[{lesson}] could not stop its kernel: {e}")
    return rows


def lesson_files(wanted: list[str]) -> list[Path]:
    out = []
    for n in wanted:
        hits = sorted(NOTEBOOKS.glob(f"{n}_*.ipynb"))
        if not hits:
            raise SystemExit(f"no lesson {n} in {NOTEBOOKS}")
        out += hits
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.browser", description=__doc__.split("\n\n")[0])
    parser.add_argument("--lesson", action="append", metavar="NN",
                        help="measure this lesson only (repeatable), e.g. --lesson 03; default: 01 to 10")
    parser.add_argument("--presses", type=int, default=PRESSES, help=f"timed presses per dashboard ({PRESSES})")
    args = parser.parse_args(argv)
    if args.presses < 1:
        parser.error("--presses must be at least 1")
    wanted = [f"{int(n):02d}" for n in args.lesson] if args.lesson else list(LESSONS)
    files = lesson_files(wanted)

    def say(text: str) -> None:
        print(text, flush=True)

    exe = chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        say("skipped: Playwright is not installed (pip install -r requirements.txt)")
        return 0
    if exe is None:
        say("skipped: no Chromium installed (apt-get install -y chromium, or set GEXLIB_CHROMIUM)")
        return 0

    def stop(signum, _frame):  # SIGTERM / SIGHUP: unwind through the context managers
        raise KeyboardInterrupt(f"signal {signum}")

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)
    say(f"browser latency, key press -> updated figure: {len(files)} lessons, {args.presses} presses per dashboard "
        f"after a warm-up; target median <= {TARGET_MS:g} ms")
    rows = []
    t0 = time.perf_counter()
    try:
        with Lab(files) as lab, sync_playwright() as pw:
            say(f"jupyter lab on {lab.base} (pid {lab.proc.pid}); Chromium {exe}")
            browser = pw.chromium.launch(executable_path=exe, headless=True, args=ARGS)
            try:
                for nb in files:
                    rows += run_lesson(browser, lab, nb, args.presses, say)
            finally:
                browser.close()
    except KeyboardInterrupt as e:
        say(f"interrupted ({e or 'Ctrl-C'}): the server and its kernels are shut down")
        if rows:
            say(summary(rows))
        return 130
    say(f"\n{summary(rows)}\n({time.perf_counter() - t0:.0f} s in all; timings in the page with performance.now(), "
        "on this machine under its current load)")
    return 1 if any(r.problems or not r.times for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
