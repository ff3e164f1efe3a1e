"""check(): right answers pass, wrong ones fail, and the expected value is never shown."""

import re

import pytest

from gexlib import bs, datasets, gex
from gexlib.course import exercises


@pytest.fixture(scope="module")
def calm():
    return datasets.load("calm")


def renderings(x):
    """Ways a number could leak: fixed, general and grouped formats with >= 2 significant digits."""
    out = {repr(x), str(x)}
    out |= {f"{x:.{d}f}" for d in range(0, 7)} | {f"{x:,.{d}f}" for d in range(0, 3)}
    out |= {f"{x:.{g}g}" for g in range(2, 10)} | {f"{x:.{g}e}" for g in range(1, 6)}
    return {s for s in out if len(re.sub(r"^[-+0.,]+", "", s.split("e")[0]).replace(".", "").replace(",", "")) >= 2}


def run(capsys, exercise_id, answer):
    ok = exercises.check(exercise_id, answer)
    return ok, capsys.readouterr().out


def expected_answers(calm):
    """Each registered exercise's answer, computed here by hand or straight from gexlib."""
    return {
        "01-gamma-atm": bs.gamma(100.0, 100.0, 30 / 365, 0.20),
        "02-shares-to-buy": 100 * 100 * 0.50,
        "02-gamma-rehedge": 100 * 100 * 0.05 * 1.0,
        "03-total-calm": gex.total_gex(calm) / 1e9,
        "04-zero-gamma-calm": gex.zero_gamma(calm).value,
        "05-call-wall-calm": gex.walls(calm)["call_wall"],
    }


def test_the_lesson_exercises_are_registered():
    assert {"01-gamma-atm", "02-shares-to-buy", "02-gamma-rehedge", "03-total-calm", "04-zero-gamma-calm",
            "05-call-wall-calm"} <= set(exercises.EXERCISES)
    for ex_id in exercises.EXERCISES:
        assert exercises.question(ex_id)


def test_right_answers_pass(capsys, calm):
    for ex_id, x in expected_answers(calm).items():
        ok, out = run(capsys, ex_id, x)
        assert ok is True and out == "✓ correct\n", ex_id


def test_tolerances_are_as_stated(capsys, calm):
    total = gex.total_gex(calm) / 1e9
    assert run(capsys, "03-total-calm", total + 0.04)[0] and run(capsys, "03-total-calm", total - 0.04)[0]
    assert not run(capsys, "03-total-calm", total + 0.06)[0]
    assert not run(capsys, "03-total-calm", total * 1e9)[0]  # dollars, not $bn
    zero = gex.zero_gamma(calm).value
    assert run(capsys, "04-zero-gamma-calm", zero + 0.0009 * calm.spot)[0]
    assert not run(capsys, "04-zero-gamma-calm", zero - 0.0011 * calm.spot)[0]
    g = bs.gamma(100.0, 100.0, 30 / 365, 0.20)
    assert run(capsys, "01-gamma-atm", round(g, 4))[0]
    assert not run(capsys, "01-gamma-atm", g * 1.02)[0]
    assert not run(capsys, "02-shares-to-buy", -5000)[0]  # a short call position buys
    assert run(capsys, "02-shares-to-buy", "5,000")[0]


def test_wrong_answers_fail_with_a_hint(capsys, calm):
    for ex_id, x in expected_answers(calm).items():
        for wrong in (x * 1.5 + 1, -x, 0.0):
            ok, out = run(capsys, ex_id, wrong)
            assert ok is False
            assert out.startswith("✗ not yet — hint: ") and out.strip() != "✗ not yet — hint:"
        ok, out = run(capsys, ex_id, "not a number")
        assert ok is False and "(the answer is a number)" in out


def test_output_never_contains_the_answer(capsys, calm):
    for ex_id, x in expected_answers(calm).items():
        outputs = [run(capsys, ex_id, a)[1] for a in (x * 1.5 + 1, 0.0, "abc", None, float("nan"))]
        outputs.append(exercises.EXERCISES[ex_id].hint)
        for text in outputs:
            leaks = [s for s in renderings(x) if s in text]
            assert not leaks, (ex_id, leaks, text)


def test_unknown_id_lists_the_known_ones(capsys):
    with pytest.raises(KeyError) as err:
        exercises.check("03-totl-calm", 1.0)
    msg = str(err.value)
    assert "03-totl-calm" in msg and "03-total-calm" in msg and "05-call-wall-calm" in msg
    assert capsys.readouterr().out == ""


def test_registry_is_easy_to_extend(capsys):
    calls = []

    @exercises.exercise("99-text", question="Which regime?", hint="look at the tag.")
    def _():
        calls.append(1)
        return "short_gamma"

    @exercises.exercise("99-number", question="Two plus two.", hint="count.", atol=lambda: 0.1)
    def _():
        return 4.0

    try:
        assert run(capsys, "99-text", "Short Gamma")[0] and run(capsys, "99-text", "short_gamma ")[0]
        ok, out = run(capsys, "99-text", "long_gamma")
        assert not ok and "short" not in out
        assert run(capsys, "99-number", 4.05)[0] and not run(capsys, "99-number", 4.2)[0]
        assert len(calls) == 1  # answers are computed once
        with pytest.raises(ValueError, match="already registered"):
            exercises.exercise("99-text", question="?", hint="?")(lambda: 1.0)
    finally:
        del exercises.EXERCISES["99-text"], exercises.EXERCISES["99-number"]


def test_declared_near_misses_are_rejected_and_the_answer_accepted():
    """Every exercise that declares near misses: the expected answer passes, each near miss fails."""
    declared = {ex_id: exercises.near_misses(ex_id) for ex_id in exercises.EXERCISES}
    for ex_id, misses in declared.items():
        if not misses:
            continue
        expected = exercises.EXERCISES[ex_id].compute()
        assert exercises.is_right(ex_id, expected), ex_id
        for what, wrong in misses.items():
            assert not exercises.is_right(ex_id, wrong), f"{ex_id}: near miss {what!r} ({wrong!r}) is accepted"


def test_near_miss_machinery_rejects_a_declared_miss():
    from gexlib.course import registry
    reg = dict(registry.EXERCISES)
    try:
        registry.exercise("99-demo", question="q", hint="h", atol=0.5,
                          near_misses=lambda: {"off by 100": 4.2, "too close": 0.3})(lambda: 0.042)
        assert registry.near_misses("99-demo") == {"off by 100": 4.2, "too close": 0.3}
        assert not registry.is_right("99-demo", 4.2)
        assert registry.is_right("99-demo", 0.3)  # within atol: a test over it would flag this declared miss
    finally:
        registry.EXERCISES.clear()
        registry.EXERCISES.update(reg)


def test_every_exercise_declares_its_near_misses():
    """Each self-check names the plausible wrong answers it must reject (tested above)."""
    missing = sorted(ex_id for ex_id in exercises.EXERCISES if not exercises.near_misses(ex_id))
    assert missing == []
