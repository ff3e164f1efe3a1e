"""The built book in a real browser, offline: sliders, figures, math, exercises.

Serves ``_build/html`` on localhost and opens every page of the book in headless
Chromium (Debian's ``chromium``, driven by Playwright) with every request that is
not to localhost blocked, then asserts: no failed request and no console error
(the two the book theme logs by itself are fixed by ``book/_ext/gexlib_book.py``),
the book-mode widgets rendered with their sliders, every image loaded, the math
typeset, the exercises and solutions present, and no WCAG 2.0/2.1 A or AA
violation reported by axe-core (pinned in package.json, copied to
``_build/vendor/test/`` by ``make book``; the count per page is printed); and on
lesson 04 that the book-mode spot slider, reached with the Tab key and moved with
the arrow keys, shows its focus and switches the figure and the readout.
Screenshots go to ``_build/screenshots/``.

Skips when the book is not built or no Chromium is installed, unless
``GEXLIB_REQUIRE_BROWSER=1`` (set by ``make test`` and CI), which turns both into failures.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("GEXLIB_BOOK_HTML", ROOT / "_build" / "html"))
SHOTS = ROOT / "_build" / "screenshots"
REQUIRED = os.environ.get("GEXLIB_REQUIRE_BROWSER", "") == "1"
LESSONS = sorted(p.relative_to(SITE).as_posix() for p in (SITE / "notebooks").glob("[0-9][0-9]_*.html"))
PAGES = ["index.html", *sorted(p.relative_to(SITE).as_posix() for p in (SITE / "book").glob("*.html")), *LESSONS]
#: Chromium flags: root needs --no-sandbox; the rest keep it from calling home on a closed network.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-default-apps", "--mute-audio"]
TIMEOUT_MS = 60_000
#: Largest lesson page (HTML with its embedded book-mode frames), bytes: "a few MB per page at most".
MAX_PAGE_BYTES = 4e6
#: axe-core as vendored by ``make book`` (book/_ext/gexlib_book.py), and the rules it runs: WCAG 2.0 and 2.1, A and AA.
AXE = Path(os.environ.get("GEXLIB_VENDOR_DIR", ROOT / "_build" / "vendor")) / "test" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _unavailable(reason: str):
    if REQUIRED:
        pytest.fail(f"{reason} (GEXLIB_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


def chromium() -> str | None:
    for name in (os.environ.get("GEXLIB_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and (path := shutil.which(name)):
            return path
    return None


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output for failures
        pass


@pytest.fixture(scope="module")
def server():
    if not (SITE / "index.html").is_file():
        _unavailable(f"no built book at {SITE}: run `make book` first")
    handler = functools.partial(_Quiet, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    exe = chromium()
    if exe is None:
        _unavailable("no Chromium installed (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, headless=True, args=ARGS)
        yield b
        b.close()


class Visit:
    """One page load with everything the browser reported."""

    def __init__(self, browser, base: str, path: str):
        self.base, self.path = base, path
        self.blocked, self.failed, self.errors = [], [], []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        self.page.on("response", lambda r: self.failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400
                     else None)
        self.page.goto(base + path, wait_until="load")

    def _route(self, route):
        url = route.request.url
        host = urlparse(url).netloc
        if url.startswith(("data:", "blob:")) or host == urlparse(self.base).netloc:
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def unexpected_errors(self):
        return list(self.errors)

    def close(self):
        self.context.close()


def has_widgets(path: str) -> bool:
    return "application/vnd.jupyter.widget-state+json" in (SITE / path).read_text(encoding="utf-8")


def math_count(path: str) -> int:
    return (SITE / path).read_text(encoding="utf-8").count('class="math notranslate')


#: Run axe on the page; violations as plain data (rule, impact, count, first targets).
AXE_RUN = """async (tags) => {
    const r = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
    return r.violations.map(v => ({id: v.id, impact: v.impact, count: v.nodes.length,
                                  targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
                                  summary: v.nodes.length ? v.nodes[0].failureSummary : ""}));
}"""
#: True once the page's fixes have run on the book-mode frames (vendor/widgets-a11y.js gives each image its alt).
FRAMES_DESCRIBED = """() => document.querySelectorAll('.gexlib-frame [data-gexlib-alt]').length > 0
    && [...document.querySelectorAll('.widget-image')].every(i => i.alt)
    && [...document.querySelectorAll('.widget-slider [role=slider]')].every(h => h.getAttribute('aria-label'))"""


def axe_violations(page) -> list:
    """WCAG 2.0/2.1 A and AA violations axe-core finds on ``page``, printed as a one-line summary."""
    if not AXE.is_file():
        _unavailable(f"no vendored axe-core at {AXE}: run `make book` (npm ci) first")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = page.evaluate(AXE_RUN, AXE_TAGS)
    return found


#: The dashboards' controls and those a keyboard cannot reach (not in the Tab order, or disabled).
CONTROLS = """() => { const all = [...document.querySelectorAll(
        '.widget-slider [role=slider], .widget-toggle-buttons button, .widget-dropdown select')];
    return {count: all.length, unreachable: all.filter(e => e.tabIndex < 0 || e.disabled)
                                              .map(e => e.getAttribute('aria-label') || e.innerText)}; }"""
IMAGES_BROKEN = """() => [...document.images].filter(i => !(i.complete && i.naturalWidth > 0))
                                            .map(i => i.src.slice(0, 80))"""
#: Visible images inside book-mode dashboards (the frame each Stack currently shows).
VISIBLE_FRAMES = """() => [...document.querySelectorAll('.cell_output .widget-image, .cell_output img')]
        .filter(i => i.offsetParent !== null && i.closest('.jupyter-widgets') !== null)
        .map(i => i.src)"""


@pytest.mark.parametrize("path", PAGES)
def test_page_reads_offline(browser, server, path, say):
    visit = Visit(browser, server, path)
    page = visit.page
    try:
        widgets = has_widgets(path)
        if widgets:
            page.wait_for_selector(".widget-slider, .widget-toggle-buttons", state="attached")
            page.wait_for_function("() => document.querySelectorAll('.widget-image').length > 0")
            page.wait_for_function(FRAMES_DESCRIBED)
        maths = math_count(path)
        if maths:
            page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
            page.evaluate("() => MathJax.startup.promise")
            typeset = page.evaluate("() => document.querySelectorAll('mjx-container').length")
            assert typeset >= maths, f"{typeset} of {maths} formulas typeset"
            assert page.locator("mjx-merror").count() == 0, "MathJax reported a TeX error"
        page.wait_for_load_state("networkidle")
        broken = page.evaluate(IMAGES_BROKEN)
        page.wait_for_function("() => document.documentElement.dataset.gexlibScroll === 'done'")  # gexlib-a11y.js
        violations = axe_violations(page)
        say(f"\naxe (WCAG 2.0/2.1 A+AA) {path}: {sum(v['count'] for v in violations)} violations"
              + "".join(f"\n  {v['id']} ({v['impact']}): {v['count']} e.g. {v['targets']}" for v in violations))
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / (path.replace("/", "__").removesuffix(".html") + ".png")))

        assert not visit.blocked, f"requests leaving localhost: {visit.blocked[:5]}"
        assert not visit.failed, f"failed requests: {visit.failed[:5]}"
        assert not visit.unexpected_errors(), f"console errors: {visit.unexpected_errors()[:5]}"
        assert not broken, f"images not loaded: {broken[:5]}"
        assert not violations, "accessibility violations: " + "; ".join(
            f"{v['id']} x{v['count']} at {v['targets']}: {v['summary']}" for v in violations)
        if path in LESSONS:
            assert (SITE / path).stat().st_size < MAX_PAGE_BYTES, f"{(SITE / path).stat().st_size / 1e6:.1f} MB"
            assert page.locator("img").count() >= 3, "a lesson shows figures"
            assert page.locator("figure img, .cell_output img").count() >= 1
            n_ex = page.locator("div.exercise.admonition").count()
            n_sol = page.locator("div.solution.dropdown").count()
            assert n_ex >= 3 and n_sol == n_ex, (n_ex, n_sol)
            assert widgets, "every lesson has a dashboard"
        if widgets:
            assert page.locator(".widget-slider, .widget-toggle-buttons").count() >= 1
            assert page.get_by_text("Book mode", exact=False).count() >= 1, "the page says which mode it is in"
            assert len(page.evaluate(VISIBLE_FRAMES)) >= 1, "a dashboard shows a figure"
            controls = page.evaluate(CONTROLS)
            assert controls["count"] >= 1 and not controls["unreachable"], f"controls out of keyboard reach: {controls}"
    finally:
        visit.close()


#: Tab presses allowed to reach the dashboard from the top of the page (the sidebar's links come first).
MAX_TABS = 400
#: What shows keyboard focus on an element: its outline (the widget styles remove the handle's own).
FOCUS_RING = """el => { const s = getComputedStyle(el);
    return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor}; }"""


def test_keyboard_moves_the_book_mode_slider_and_switches_the_figure(browser, server, say):
    """Lesson 04 without a mouse: Tab to the spot slider, see its focus, move it with the arrow keys."""
    path = "notebooks/04_flip_strike.html"
    if path not in LESSONS:
        pytest.fail(f"{path} is not in the built book")
    visit = Visit(browser, server, path)
    page = visit.page
    try:
        note = page.get_by_text("Book mode", exact=False).first
        note.wait_for(state="visible")
        page.wait_for_function(FRAMES_DESCRIBED)
        dashboard = page.locator(".widget-vbox", has=note).last
        slider = dashboard.locator(".widget-hslider").first
        handle = slider.locator("[role=slider]").first
        readout = slider.locator(".widget-readout").first
        frame = dashboard.locator("img.widget-image")
        name = slider.locator(".widget-label").first.inner_text().strip()

        def shown():
            visible = frame.evaluate_all("imgs => imgs.filter(i => i.offsetParent !== null)"
                                         ".map(i => ({src: i.src, alt: i.alt}))")
            assert len(visible) == 1, f"{len(visible)} frames visible"
            return visible[0]

        def frame_readout():
            return dashboard.evaluate("""box => [...box.querySelectorAll('.gexlib-frame')]
                .filter(f => f.offsetParent !== null).map(f => f.innerText.split('\\n')[0])[0]""")

        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        presses = 0
        while not handle.evaluate("h => h === document.activeElement"):
            assert presses < MAX_TABS, f"{MAX_TABS} Tab presses did not reach the {name!r} slider"
            page.keyboard.press("Tab")
            presses += 1
        ring = handle.evaluate(FOCUS_RING)
        assert ring["style"] != "none" and ring["width"] >= 2, f"focus not visible on the slider: {ring}"
        assert handle.get_attribute("aria-label") == name, "the slider is named by its visible label"
        SHOTS.mkdir(parents=True, exist_ok=True)
        before, before_label, before_text = shown(), readout.inner_text(), frame_readout()
        assert handle.get_attribute("aria-valuetext") == before_label
        before_png = dashboard.screenshot(path=str(SHOTS / "04_keyboard_before.png"))
        for _ in range(2):
            page.keyboard.press("ArrowRight")
        page.wait_for_function("([el, old]) => el.innerText !== old", arg=[readout.element_handle(), before_label])
        page.wait_for_function("([h, text]) => h.getAttribute('aria-valuetext') === text",
                               arg=[handle.element_handle(), readout.inner_text()])
        after, after_label, after_text = shown(), readout.inner_text(), frame_readout()
        after_png = dashboard.screenshot(path=str(SHOTS / "04_keyboard_after.png"))
        say(f"\nkeyboard, {path}: {presses} Tab presses reach the {name!r} slider (aria-label {name!r}); "
              f"focus ring {ring['style']} {ring['width']:g}px {ring['color']}")
        say(f"  ArrowRight x2: readout {before_label} -> {after_label}; figure readout {before_text!r} -> "
              f"{after_text!r}")
        say(f"  image alt before: {before['alt']}\n  image alt after:  {after['alt']}")
        assert after_label != before_label
        assert after["src"] != before["src"], "the slider moved but the same figure is shown"
        assert after["alt"] != before["alt"] and f"{name} {after_label}" in after["alt"]
        assert after_text != before_text, "the readout did not change"
        assert hashlib.sha256(after_png).digest() != hashlib.sha256(before_png).digest()
        assert handle.evaluate("h => h === document.activeElement"), "focus stays on the slider"
        assert not visit.failed and not visit.blocked and not visit.unexpected_errors()
    finally:
        visit.close()
