"""The shipped daily history: shape, conventions, calibration and reproducibility."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gexlib import history

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def hist():
    return history.read_history(DATA / history.FILE)


def test_shape_and_columns(hist):
    assert len(hist) >= 250
    assert hist.index.is_monotonic_increasing and (hist.index.day_of_week < 5).all()
    for col in ("spot", "atm_iv", "skew", "gex_practitioner", "gex_seed", "gex_all_short", "zero_gamma",
                "flip_cumulative", "neg_side_zero_gamma", "neg_side_cumulative", "stress"):
        assert col in hist.columns


def test_seed_is_minus_practitioner(hist):
    assert np.array_equal(hist["gex_seed"].to_numpy(), -hist["gex_practitioner"].to_numpy())
    assert (hist["gex_all_short"] < 0).all()


def test_both_regimes_occur_and_follow_stress(hist):
    neg = hist["gex_practitioner"] < 0
    assert 0.05 < neg.mean() < 0.6
    assert hist.loc[neg, "stress"].mean() > hist.loc[~neg, "stress"].mean() + 0.2
    assert hist.loc[neg, "atm_iv"].mean() > hist.loc[~neg, "atm_iv"].mean()


def test_negative_gex_days_have_higher_next_day_volatility(hist):
    move = history.next_day_move(hist)
    neg = hist["gex_practitioner"] < 0
    a, b = move[neg].dropna(), move[~neg].dropna()
    assert a.mean() > 1.5 * b.mean()
    # not a fluke of a few days: a one-sided Welch t statistic above 3
    t = (a.mean() - b.mean()) / np.sqrt(a.var() / len(a) + b.var() / len(b))
    assert t > 3


def test_normalised_skew_falls_in_stress(hist):
    calm, stressed = hist["stress"] == 0, hist["stress"] >= 0.5
    assert hist.loc[stressed, "skew"].mean() < hist.loc[calm, "skew"].mean()


def test_cumulative_side_fires_more_often_than_zero_gamma(hist):
    assert hist["neg_side_cumulative"].mean() > 0.8
    assert hist["neg_side_cumulative"].mean() > hist["neg_side_zero_gamma"].mean() + 0.3
    # zero-gamma side test agrees with the sign of the model total at spot
    assert (hist["neg_side_zero_gamma"] == (hist["gex_practitioner"] < 0)).mean() > 0.97


def test_first_days_regenerate_exactly(hist, tmp_path):
    fresh = history.build_history(first=2, progress=None)
    path = tmp_path / "h.csv"
    fresh.to_csv(path, lineterminator="\n")
    shipped = (DATA / history.FILE).read_text().splitlines()
    assert path.read_text().splitlines() == shipped[:3]


def test_stress_level_shape():
    s = history.stress_level(260)
    assert s.min() == 0 and s.max() == pytest.approx(1.0)
    start, rise, hold, decay, peak = history.EPISODES[0]
    assert s[start + rise] == pytest.approx(peak) and s[start - 1] == 0


def test_read_history_rejects_a_wrong_file(tmp_path):
    bad = tmp_path / "x.csv"
    pd.DataFrame({"date": ["2025-01-02"], "spot": [1.0]}).to_csv(bad, index=False)
    with pytest.raises(ValueError, match="lacks column"):
        history.read_history(bad)
