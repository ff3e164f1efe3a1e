"""sheet.compare shares work between conventions (seed = minus practitioner; walls sign-free): same numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from gexlib import datasets, gex, regime, sheet, whatif


def _reference(snap, signs, gammas, times, flips) -> pd.DataFrame:
    """Every number of every combination computed on its own, nothing shared, no reuse scope."""
    rows = []
    for sign in signs:
        for time in times:
            zero = gex.zero_gamma(snap, sign=sign, time=time)
            for gamma in gammas:
                conv = dict(sign=sign, gamma=gamma, time=time)
                total = gex.total_gex(snap, **conv)
                fl = gex.flip_strike(snap, **conv)
                w = gex.walls(snap, **conv)
                for flip in flips:
                    rows.append({"sign": sign, "gamma": gamma, "time": time, "flip": flip, "total_gex": total,
                                 "zero_gamma": zero.value,
                                 "zero_gamma_first": zero.crossings[0] if zero.crossings else None,
                                 "flip_strike": fl.value, "flip_first": fl.crossings[0] if fl.crossings else None,
                                 "call_wall": w["call_wall"], "put_wall": w["put_wall"],
                                 "regime": regime.classify_regime(snap, flip=flip, zero=zero.value, **conv).tag})
    return pd.DataFrame(rows, columns=list(sheet.COMPARE_COLUMNS))


@pytest.mark.parametrize("name, gammas, times", [("spy_calm", ("model", "chain"), ("act365", "busday262")),
                                                 ("stressed", ("model",), ("busday262",))])
def test_compare_is_every_combination_computed_on_its_own(name, gammas, times):
    snap = datasets.load(name)
    if name == "stressed":  # away from the file's spot: other levels, other crossings
        snap = whatif.apply(snap, spot=float(snap.spot) * 1.02, iv_shift=0.01)
    signs, flips = ("practitioner", "seed", "all_short"), ("zero_gamma", "cumulative")
    got = sheet.compare(snap, signs=signs, gammas=gammas, times=times, flips=flips)
    pd.testing.assert_frame_equal(got, _reference(snap, signs, gammas, times, flips), check_exact=True)


def test_compare_seed_alone_is_its_own_row():
    """Seed asked for alone (its levels computed through the practitioner sign) is the seed row of the full table."""
    snap = datasets.load("spy_calm")
    alone = sheet.compare(snap, signs=["seed"], gammas=["model"], times=["act365"], flips=["cumulative"])
    fl = gex.flip_strike(snap, sign="seed")
    assert alone["flip_strike"].iloc[0] == fl.value
    assert alone["total_gex"].iloc[0] == gex.total_gex(snap, sign="seed")
    assert alone["call_wall"].iloc[0] == gex.walls(snap, sign="seed")["call_wall"]
