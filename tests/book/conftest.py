"""What the browser tests measured, printed after the run (also when the tests run in several processes).

A test calls the ``say`` fixture with a line (an axe count, a keyboard walk-through); the
line is printed with the test's output and kept as a property of its report, and
:func:`pytest_terminal_summary` lists every such line at the end of the run, sorted by
test. pytest-xdist carries report properties from its workers, where output printed
by a test is not shown.
"""

import pytest

KEY = "gexlib_summary"


@pytest.fixture
def say(record_property):
    """``say(text)``: print ``text`` and keep it for the summary at the end of the run."""
    def say(text: str) -> None:
        print(text)
        record_property(KEY, text.strip("\n"))
    return say


def pytest_terminal_summary(terminalreporter):
    lines = []
    for kind in ("passed", "failed"):
        for report in terminalreporter.stats.get(kind, []):
            if getattr(report, "when", "call") != "call":
                continue
            lines += [(report.nodeid, value) for name, value in getattr(report, "user_properties", ())
                      if name == KEY]
    if lines:
        terminalreporter.section("what the browser tests measured")
        for _, value in sorted(lines, key=lambda x: x[0]):
            terminalreporter.write_line(value)
