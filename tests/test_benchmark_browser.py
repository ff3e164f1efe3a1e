"""The pure helpers of the browser-latency benchmark (benchmarks/browser.py); the benchmark itself is not a test."""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmarks/ is not installed: import it from the checkout, whatever the cwd
    sys.path.insert(0, str(ROOT))

from benchmarks import browser  # noqa: E402

NOTEBOOKS = ROOT / "notebooks"


def _nb(*sources, cell_type="code"):
    return {"cells": [{"cell_type": cell_type, "source": s} for s in sources]}


def test_dashboards_found_in_cell_order_and_only_at_top_level():
    nb = _nb("x = 1", "dash = widgets.tape_dashboard(profiles['calm'], calm.spot)\ndash.widget",
             "pin_dash = widgets.pin_dashboard(6450.0, depth=depth)\npin_dash.widget",
             "if path:\n    d = widgets.evidence_dashboard(path)\n    display(widgets.evidence_dashboard(p).widget)",
             "widgets.flip_dashboard(calm)")  # displayed without a name: not a line of the form counted
    assert browser.dashboards(nb) == [("dash", "tape_dashboard"), ("pin_dash", "pin_dashboard")]
    assert browser.dashboards(_nb("dash = widgets.greeks_dashboard()", cell_type="markdown")) == []


def test_every_lesson_from_01_to_10_has_a_dashboard_and_lesson_06_two():
    found = {p.name[:2]: browser.dashboards(json.loads(p.read_text(encoding="utf-8")))
             for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))}
    assert all(found[n] for n in browser.LESSONS), found
    assert [b for _, b in found["06"]] == ["tape_dashboard", "pin_dashboard"]
    assert found["03"] == [("dash", "dealer_gamma_dashboard")]


def test_next_key_keeps_its_direction_and_turns_back_at_the_ends():
    assert browser.next_key(5, 1, 10, 1) == ("ArrowRight", 1)
    assert browser.next_key(5, 1, 10, -1) == ("ArrowLeft", -1)
    assert browser.next_key(10, 1, 10, 1) == ("ArrowLeft", -1)
    assert browser.next_key(1, 1, 10, -1) == ("ArrowRight", 1)
    now, direction, seen = 8, 1, []
    for _ in range(6):  # a slider 1..10 started at 8: right to 10, then back down
        key, direction = browser.next_key(now, 1, 10, direction)
        now += 1 if key == "ArrowRight" else -1
        seen.append(now)
    assert seen == [9, 10, 9, 8, 7, 6]


def test_summary_gives_median_slowest_and_the_verdict_per_dashboard():
    rows = [browser.Row("03", "dealer_gamma", "spot", times=[120.0, 80.0, 200.0, 90.0], painted=[130.0, 95.0],
                        kernel=[70.0], updates=[61.4, 50.0, 70.0]),
            browser.Row("06", "pin", "dealer OI", times=[40.0, 60.0, 50.0], painted=[45.0, 70.0, 55.0]),
            browser.Row("07", "scalping", problems=["TimeoutError: 30 s"])]
    lines = browser.summary(rows, target=100).splitlines()
    cells = [re.split(r"\s{2,}", line.strip()) for line in lines[:4]]  # columns are two spaces apart at least
    assert cells[0] == ["lesson", "dashboard", "control", "events", "median ms", "slowest ms", "kernel median ms", "update() ms",
                        "painted median ms",
                        "target median <= 100 ms"]
    # median of 4 is the mean of the middle two; painted 112.5 rounds to even
    assert cells[1] == ["03", "dealer_gamma", "spot", "4", "105", "200", "70", "61", "112", "missed by 5 ms"]
    assert cells[2] == ["06", "pin", "dealer OI", "3", "50", "60", "-", "-", "55", "met"]
    assert cells[3] == ["07", "scalping", "-", "0", "-", "-", "-", "-", "-", "not measured"]
    assert lines[4] == "  07 scalping: TimeoutError: 30 s"
    header_at = lines[0].index("median ms")
    assert all(line[header_at - 1] == " " for line in lines[1:4])  # columns line up
