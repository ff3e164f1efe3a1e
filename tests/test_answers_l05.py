"""Lesson 05's exercise answers, recomputed from the chain's columns with the formulas written out (hand_gex)."""

import numpy as np
from hand_gex import Chain

from gexlib.course import exercises


def test_put_wall_stressed():
    call_wall, put_wall = Chain("stressed").walls()
    assert exercises.is_right("05-put-wall-stressed", put_wall)


def test_call_wall_calm():
    assert exercises.is_right("05-call-wall-calm", Chain("calm").walls()[0])


def test_near_expiry_share_by_hand():
    c = Chain("calm")
    g = np.abs(c.gex())
    within = c.T * 365.0 <= 7.0  # at most 7 × 24 hours after the snapshot
    assert exercises.is_right("05-near-expiry-share-calm", 100.0 * g[within].sum() / g.sum())


def test_opex_rolloff_by_hand():
    c = Chain("opex")
    g = c.gex()
    settled = c.T * 365.0 < 2.0  # Thursday 15:45 to Friday 16:00 is about 1.01 days; Monday is 4
    change = -float(g[settled].sum()) / 1e9
    assert change < 0 and exercises.is_right("05-opex-rolloff", change)
