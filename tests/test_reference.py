"""Our figures on the real Cboe files against an independent implementation's (REFERENCE.md).

The files and REFERENCE.md live outside the project (``$GEXLIB_CBOE_DIR``); the table is
parsed at run time, so no figure from them is copied here. Skipped when the variable is unset.
"""

import os
from pathlib import Path

import pandas as pd
import pytest

from gexlib import chain, gex


def _cboe_dir() -> Path:
    d = os.environ.get("GEXLIB_CBOE_DIR")
    if not d:
        pytest.skip("GEXLIB_CBOE_DIR is not set: real-file tests skipped")
    return Path(d)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def reference_rows() -> dict[str, dict[str, str]]:
    """Rows of the table in REFERENCE.md, keyed by file name, cells keyed by header."""
    d = os.environ.get("GEXLIB_CBOE_DIR")
    path = Path(d) / "REFERENCE.md" if d else None
    if path is None or not path.exists():
        return {}
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip().startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    rows = {}
    for ln in lines[2:]:
        cells = [c.strip() for c in ln.strip("|").split("|")]
        rows[cells[0]] = dict(zip(header, cells, strict=True))
    return rows


REF = reference_rows()
FILES = sorted(REF) or ["(no GEXLIB_CBOE_DIR)"]


@pytest.fixture(scope="module")
def snaps():
    d = _cboe_dir()
    return {name: chain.read_cboe(d / name) for name in REF}


@pytest.mark.parametrize("name", FILES)
def test_reader_counts(snaps, name):
    ref, snap = REF[name], snaps[name]
    assert snap.spot == pytest.approx(_number(ref["spot"]), abs=1e-9)
    assert snap.asof == pd.Timestamp(ref["asof"])
    assert len(snap.options) == int(_number(ref["live contracts"]))
    assert snap.dropped["expired"] == int(_number(ref["expired dropped"]))


@pytest.mark.parametrize("name", FILES)
def test_totals(snaps, name):
    ref, snap = REF[name], snaps[name]
    assert gex.total_gex(snap, gamma="chain") == pytest.approx(_number(ref["total, chain"]), rel=1e-9)
    # the reference is at r = q = 0: carry="zero" (the default, "parity", is tested in test_carry.py)
    assert gex.total_gex(snap, gamma="model", carry="zero") == pytest.approx(_number(ref["total, model"]), rel=1e-6)
    assert gex.total_gex(snap, gamma="chain", sign="seed") == -gex.total_gex(snap, gamma="chain")


@pytest.mark.parametrize("name", FILES)
def test_levels(snaps, name):
    ref, snap = REF[name], snaps[name]
    # Zero gamma is refined to 0.01% of spot; the reference prints two decimals.
    assert gex.zero_gamma(snap, carry="zero").value == pytest.approx(_number(ref["zero gamma"]), abs=1e-4 * snap.spot + 0.005)
    # The reference counts every pair with c_i * c_(i+1) <= 0 as a crossing: our zeros="touch".
    touch = gex.flip_strike(snap, gamma="chain", zeros="touch")
    assert touch.value == pytest.approx(_number(ref["flip (cumulative)"]), abs=0.005)
    assert len(touch.crossings) == int(ref["crossings of the cumulative sum"])
    w = gex.walls(snap, gamma="chain")
    assert w["call_wall"] == _number(ref["call wall"])
    assert w["put_wall"] == _number(ref["put wall"])


def test_default_flip_ignores_the_empty_tail(snaps):
    """With zeros="skip" only strict sign changes count: the tail of zero sums adds none."""
    for name, snap in snaps.items():
        skip = gex.flip_strike(snap, gamma="chain")
        touch = gex.flip_strike(snap, gamma="chain", zeros="touch")
        assert set(skip.crossings) <= set(touch.crossings)
        assert len(skip.crossings) < len(touch.crossings), name


def test_practitioner_sign_of_the_two_spx_days(snaps):
    """Calm close of 2023-09-14 positive, the 2022-07-12 selloff negative (practitioner sign)."""
    got = {n: gex.total_gex(s) for n, s in snaps.items()}
    if "spx_2023-09-14.csv" in got:
        assert got["spx_2023-09-14.csv"] > 0
    if "spx_2022-07-12_resaved.csv" in got:
        assert got["spx_2022-07-12_resaved.csv"] < 0
    assert got
