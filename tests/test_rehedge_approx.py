"""hedging.rehedge_approx: the gamma approximation at the re-hedge interval, against a hand loop."""

import math

import numpy as np

from gexlib import hedging


def phi(x):
    return math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def test_equals_the_per_step_approximation_when_hedging_every_step():
    sim = hedging.simulate_gamma_scalp(100.0, 100.0, 2 / 252, 0.2, 0.25, 50, 78, 1, seed=3)
    np.testing.assert_allclose(hedging.rehedge_approx(sim), sim.approx, rtol=1e-12, atol=1e-12)


def test_matches_a_loop_over_intervals_written_out():
    sim = hedging.simulate_gamma_scalp(100.0, 95.0, 2 / 252, 0.2, 0.3, 4, 78, 26, kind="C", position=-1.0, seed=5)
    n = 2 * 78
    _, S = hedging.gbm_paths(100.0, 2 / 252, 0.3, 4, n, seed=5)
    dt = (2 / 252) / n
    expected = []
    for path in S:
        total = 0.0
        for i in range(0, n, 26):
            s, tau = path[i], 2 / 252 - i * dt
            d1 = (math.log(s / 95.0) + 0.5 * 0.04 * tau) / (0.2 * math.sqrt(tau))
            g = phi(d1) / (s * 0.2 * math.sqrt(tau))
            R = path[min(i + 26, n)] / s - 1
            total += 0.5 * g * s * s * (R * R - 0.04 * 26 * dt)
        expected.append(-total)
    np.testing.assert_allclose(hedging.rehedge_approx(sim), expected, rtol=1e-9)


def test_explains_single_paths_where_the_per_step_form_does_not():
    sim = hedging.simulate_gamma_scalp(100.0, 100.0, 5 / 252, 0.2, 0.25, 500, 78, 78, seed=11)
    assert sim.approx_correlation < 0.0
    assert np.corrcoef(sim.pnl, hedging.rehedge_approx(sim))[0, 1] > 0.9
