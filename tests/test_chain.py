"""Tests of the option-chain readers and writers in :mod:`gexlib.chain`.

Fixtures under ``tests/fixtures`` are tiny synthetic files in the Cboe and tidy
layouts; ``tests/fixtures/bad`` holds one broken file per error. Real Cboe
downloads are only read from ``$GEXLIB_CBOE_DIR`` (see ``conftest.py``).
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gexlib import conventions as cv
from gexlib.chain import (
    CBOE_COLUMNS,
    OPTION_COLUMNS,
    ChainError,
    Snapshot,
    _format_date_text,
    _parse_date_text,
    read_cboe,
    read_csv,
    write_cboe,
    write_csv,
)

FIXTURES = Path(__file__).parent / "fixtures"
BAD = FIXTURES / "bad"


def ny(text: str) -> pd.Timestamp:
    """A timestamp with offset, in America/New_York."""
    return pd.Timestamp(text).tz_convert(cv.TZ)


def check_schema(snap: Snapshot) -> None:
    """Invariants every reader output satisfies."""
    opts = snap.options
    assert tuple(opts.columns) == OPTION_COLUMNS
    assert isinstance(opts.index, pd.RangeIndex) and opts.index.start == 0
    assert isinstance(opts["expiry"].dtype, pd.DatetimeTZDtype)
    assert str(opts["expiry"].dt.tz) == cv.TZ
    assert str(snap.asof.tz) == cv.TZ
    for name in ("strike", "oi", "iv", "volume", "bid", "ask", "chain_delta", "chain_gamma"):
        assert opts[name].dtype == np.float64, name
    assert set(opts["type"]) <= {"C", "P"}
    assert (opts["expiry"] > snap.asof).all()
    key = opts[["expiry", "strike", "type"]]
    assert not key.duplicated().any()
    assert key.equals(key.sort_values(["expiry", "strike", "type"]).reset_index(drop=True))
    assert "expired" in snap.dropped
    assert snap.multiplier == cv.MULTIPLIER


# ---------------------------------------------------------------------------
# Cboe layout: date lines and quirks


@pytest.mark.parametrize("name, asof", [
    ("date_sep14_at_edt.csv", "2023-09-14T16:31:00-04:00"),   # "September 14, 2023 at 4:31 PM EDT"
    ("date_feb5_est.csv", "2022-02-05T20:09:00-05:00"),       # "February 5 2022, 8:09 PM EST"
    ("date_jul12_comma.csv", "2022-07-12T11:55:00-04:00"),    # "July 12, 2022, 11:55 AM EDT"
    ("date_dec12_at_est.csv", "2022-12-12T20:30:00-05:00"),   # "December 12, 2022 at 8:30 PM EST"
    ("date_gmt_offset.csv", "2024-09-11T12:37:00-04:00"),     # 11 September 2024 at 12:37 GMT-4
])
def test_date_line_variants(name, asof):
    snap = read_cboe(FIXTURES / name)
    assert snap.asof == ny(asof)
    assert snap.asof.utcoffset() == ny(asof).utcoffset()
    assert len(snap.options) == 4 and snap.dropped == {"expired": 0}
    check_schema(snap)


@pytest.mark.parametrize("text", [
    "Date: September 14, 2023 at 13:31 PM EDT",   # 13 with PM
    "Date: September 31, 2023 at 4:31 PM EDT",    # no such day
    "Date: Septembre 14, 2023 at 4:31 PM EDT",    # unknown month
    "Date: September 14, 2023 at 4:31 PM PDT",    # unknown zone
    "Date: September 14, 2023",                    # no time
    "Date: 2023-09-14 16:31",                      # other shape
    "Date: 11 September 2024 at 12:37 GMT-15",    # no such offset
])
def test_date_text_rejects(text):
    with pytest.raises(ValueError):
        _parse_date_text(text)


def test_date_text_24_hour_and_abbreviated_month():
    assert _parse_date_text("Date: Sep 14, 2023 at 16:31 EDT") == ny("2023-09-14T16:31-04:00")
    assert _parse_date_text("Date: September 14, 2023 at 12:05 AM EDT") == ny(
        "2023-09-14T00:05-04:00")


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 40 * 365 * 24 * 60))
def test_date_text_round_trip(minutes):
    # every whole minute 2000-2040, both sides of each daylight-saving change
    asof = (pd.Timestamp("2000-01-01", tz="UTC") + pd.Timedelta(minutes=minutes)).tz_convert(cv.TZ)
    assert _parse_date_text(_format_date_text(asof)) == asof


def test_resaved_without_blank_line_and_with_trailing_commas():
    snap = read_cboe(FIXTURES / "quirk_resaved.csv")
    assert snap.spot == 3870.75
    assert snap.asof == ny("2022-07-12T11:55:00-04:00")
    assert len(snap.options) == 4 and snap.dropped == {"expired": 0}   # trailing ",,,," row skipped
    assert snap.options["strike"].tolist() == [3875.0] * 4
    check_schema(snap)


def test_stray_text_line_before_name_line():
    snap = read_cboe(FIXTURES / "quirk_stray_line.csv")
    assert snap.spot == 4480.25 and snap.asof == ny("2023-09-14T16:31:00-04:00")
    assert len(snap.options) == 2


def test_thousands_separators_in_header_lines_and_quoted_cells():
    snap = read_cboe(FIXTURES / "quirk_thousands.csv")
    assert snap.spot == 4480.25
    assert snap.asof == ny("2023-09-14T16:31:00-04:00")
    calls = snap.options.set_index("type")
    assert calls.loc["C", "oi"] == 1540.0 and calls.loc["P", "oi"] == 12960.0
    assert calls.loc["C", "volume"] == 2310.0
    assert snap.options["strike"].tolist() == [4500.0, 4500.0]


def test_contracts_from_symbols():
    snap = read_cboe(FIXTURES / "date_feb5_est.csv")
    opts = snap.options
    assert snap.underlying == "SPX"
    assert opts["root"].tolist() == ["SPXW", "SPXW", "SPX", "SPX"]
    assert opts["type"].tolist() == ["C", "P", "C", "P"]
    assert opts["strike"].tolist() == [4400.0] * 4
    assert opts["expiry"].tolist() == [ny("2022-02-07T16:00-05:00")] * 2 + [
        ny("2022-02-18T09:30-05:00")] * 2
    first = opts.iloc[0]
    assert (first["oi"], first["iv"], first["volume"], first["bid"], first["ask"]) == (
        640.0, 0.1811, 85.0, 21.0, 22.0)
    assert (first["chain_delta"], first["chain_gamma"]) == (0.4702, 0.0031)
    assert snap.source == str(FIXTURES / "date_feb5_est.csv")


def test_underlying_is_the_root_itself_outside_the_families():
    assert read_cboe(FIXTURES / "date_gmt_offset.csv").underlying == "SPY"


# ---------------------------------------------------------------------------
# settlement and expired contracts


def test_am_and_pm_settlement_on_the_same_date():
    opts = read_cboe(FIXTURES / "settlement_before.csv").options
    expiry = dict(zip(opts["root"], opts["expiry"], strict=True))
    assert expiry["SPX"] == ny("2023-09-15T09:30:00-04:00")
    assert expiry["SPXW"] == ny("2023-09-15T16:00:00-04:00")


def test_noon_snapshot_drops_the_am_contract_and_keeps_the_pm_one():
    snap = read_cboe(FIXTURES / "settlement_noon.csv")
    assert snap.asof == ny("2023-09-15T12:00:00-04:00")
    assert set(snap.options["root"]) == {"SPXW"}
    assert len(snap.options) == 2
    assert snap.dropped == {"expired": 2}          # the SPX call and put
    check_schema(snap)


@pytest.mark.parametrize("clock, expired", [("9:29 AM", 0), ("9:30 AM", 2)])
def test_settlement_at_the_snapshot_time_counts_as_expired(tmp_path, clock, expired):
    text = (FIXTURES / "settlement_noon.csv").read_text().replace("12:00 PM", clock)
    path = tmp_path / "at_settlement.csv"
    path.write_text(text)
    snap = read_cboe(path)
    assert snap.dropped == {"expired": expired}
    assert len(snap.options) == 4 - expired


def test_one_sided_row_and_missing_greeks():
    snap = read_cboe(FIXTURES / "one_sided.csv")
    assert snap.dropped == {"expired": 0, "no_contract": 1}
    assert len(snap.options) == 3
    first = snap.options.iloc[0]
    assert (first["strike"], first["type"], first["oi"]) == (545.0, "C", 8450.0)
    assert math.isnan(first["chain_delta"]) and math.isnan(first["chain_gamma"])
    assert snap.options["chain_delta"].notna().sum() == 2


# ---------------------------------------------------------------------------
# broken files


BAD_FILES = [  # file, rows and column named in the message, and a detail of it
    ("missing_column.csv", "row 4", "column 'Open Interest' (puts)", "missing"),
    ("text_in_number.csv", "row 6", "column 'Open Interest' (calls)", "'12a' is not a number"),
    ("negative_oi.csv", "row 6", "column 'Open Interest' (puts)", "-960.0 is negative"),
    ("negative_iv.csv", "row 5", "column 'IV' (calls)", "-0.1412 is negative"),
    ("negative_strike.csv", "row 6", "column 'Strike'", "not positive"),
    ("duplicate_contract.csv", "rows 5 and 6", "column 'Calls'", "duplicate contract C 4500"),
    ("all_expired.csv", "rows 5-6", "column 'Expiration Date'", "4 expired dropped"),
    ("spot_missing.csv", "row 2", "column 'Last'", "spot missing"),
    ("bad_date_line.csv", "row 3", "column 'Date'",
     '\'"Date: Sept the 14th, 2023 around teatime",Bid: 4479.5'),
    ("empty_oi.csv", "row 6", "column 'Open Interest' (calls)", "is empty"),
    ("bad_symbol.csv", "row 6", "column 'Calls'", "'SPXW-4500-C' is not an option symbol"),
    ("symbol_mismatch.csv", "row 6", "column 'Strike'", "does not match symbol"),
    ("short_row.csv", "row 6", "column 19 ('IV')", "the row has 18 cells"),
    ("tidy_missing_column.csv", "row 5", "column 'chain_gamma'", "missing"),
    ("tidy_text_in_number.csv", "row 7", "column 'bid'", "'22.5x' is not a number"),
    ("tidy_negative_oi.csv", "row 6", "column 'oi'", "-20500.0 is negative"),
    ("tidy_duplicate_contract.csv", "rows 6 and 7", "columns 'expiry', 'strike' and 'type'",
     "duplicate contract"),
    ("tidy_all_expired.csv", "rows 6-7", "column 'expiry'", "2 expired dropped"),
    ("tidy_spot_missing.csv", "row 2", "column '# spot'", "spot missing"),
    ("tidy_naive_expiry.csv", "row 7", "column 'expiry'", "UTC offset"),
    ("tidy_bad_type.csv", "row 7", "column 'type'", "'Put'"),
]


@pytest.mark.parametrize("name, rows, column, detail", BAD_FILES)
def test_bad_file(name, rows, column, detail):
    path = BAD / name
    reader = read_csv if name.startswith("tidy_") else read_cboe
    with pytest.raises(ChainError) as info:
        reader(path)
    message = str(info.value)
    assert message.startswith(f"{path} {rows}, {column}: "), message
    assert detail in message, message


def test_every_bad_file_has_a_test():
    assert {p.name for p in BAD.glob("*.csv")} == {case[0] for case in BAD_FILES}


def test_file_without_header(tmp_path):
    path = tmp_path / "no_header.csv"
    path.write_text("\nStandard & Poors 500 Index,Last: 4480.25,Change: 0\n")
    with pytest.raises(ChainError, match="no header line starting 'Expiration Date,'"):
        read_cboe(path)


def test_file_with_header_only(tmp_path):
    text = (FIXTURES / "quirk_stray_line.csv").read_text().splitlines()[:4]
    path = tmp_path / "header_only.csv"
    path.write_text("\n".join(text) + "\n")
    with pytest.raises(ChainError, match="no contracts below the header"):
        read_cboe(path)


# ---------------------------------------------------------------------------
# tidy CSV


def test_read_tidy_csv():
    snap = read_csv(FIXTURES / "tidy.csv")
    assert (snap.underlying, snap.spot, snap.multiplier) == ("SPX", 4480.25, 100.0)
    assert snap.asof == ny("2023-09-14T16:31:00-04:00")
    assert snap.dropped == {"expired": 1}
    assert snap.options["expiry"].tolist() == [ny("2023-09-15T09:30-04:00")] * 2 + [
        ny("2023-12-15T16:00-05:00")]
    assert snap.options["chain_gamma"].isna().tolist() == [False, False, True]
    check_schema(snap)


def test_tidy_round_trip_is_exact_and_deterministic(tmp_path):
    snap = read_cboe(FIXTURES / "date_feb5_est.csv")
    first = write_csv(snap, tmp_path / "a.csv")
    again = read_csv(first)
    pd.testing.assert_frame_equal(again.options, snap.options, check_exact=True)
    assert (again.underlying, again.spot, again.asof, again.multiplier) == (
        snap.underlying, snap.spot, snap.asof, snap.multiplier)
    assert write_csv(again, tmp_path / "b.csv").read_bytes() == first.read_bytes()
    assert first.read_text().splitlines()[:5] == [
        "# underlying: SPX", "# spot: 4390.5", "# asof: 2022-02-05T20:09:00-05:00",
        "# multiplier: 100", ",".join(OPTION_COLUMNS)]


# ---------------------------------------------------------------------------
# write_cboe


def make_snapshot(rows, asof="2023-09-14T16:31:00-04:00", spot=4480.25, underlying="SPX"):
    """A snapshot from (root, expiry date, strike, type, oi, iv, delta, gamma) tuples."""
    opts = pd.DataFrame(rows, columns=["root", "date", "strike", "type", "oi", "iv",
                                       "chain_delta", "chain_gamma"])
    opts["expiry"] = cv.settlement_time(pd.to_datetime(opts.pop("date")), opts["root"])
    opts = opts.assign(volume=10.0, bid=1.25, ask=1.5).astype(
        {"strike": float, "oi": float, "iv": float})
    opts = opts.loc[:, list(OPTION_COLUMNS)]
    return Snapshot(underlying=underlying, spot=spot, asof=ny(asof), options=opts,
                    source="synthetic")


SYNTHETIC = [
    ("SPXW", "2023-09-15", 4500, "C", 3100, 0.1144, 0.2603, 0.0118),
    ("SPXW", "2023-09-15", 4500, "P", 2800, 0.1239, -0.7397, 0.0118),
    ("SPX", "2023-09-15", 4500, "C", 20500, 0.1101, 0.2512, 0.0121),
    ("SPX", "2023-09-15", 4500, "P", 18400, 0.1207, -0.7488, 0.0121),
    ("SPX", "2023-09-15", 4525, "P", 0, 0.1188, np.nan, np.nan),       # put only
    ("SPXW", "2023-12-29", 4602.5, "C", 12, 0.1375, 0.3001, 0.0011),   # call only
]


def test_write_cboe_layout(tmp_path):
    path = write_cboe(make_snapshot(SYNTHETIC), tmp_path / "chain.csv")
    raw = path.read_bytes()
    assert b"\r" not in raw and raw.endswith(b"\n")
    lines = raw.decode().split("\n")
    assert lines[:4] == [
        "",
        "Standard & Poors 500 Index,Last: 4480.25,Change: 0",
        '"Date: September 14, 2023 at 4:31 PM EDT",Bid: 4480.25,Ask: 4480.25,Size: 1*1,Volume: 0',
        ",".join(CBOE_COLUMNS),
    ]
    assert lines[4:-1] == [
        "Fri Sep 15 2023,SPX230915C04500000,0,0,1.25,1.5,10,0.1101,0.2512,0.0121,20500,4500.00,"
        "SPX230915P04500000,0,0,1.25,1.5,10,0.1207,-0.7488,0.0121,18400",
        "Fri Sep 15 2023,SPXW230915C04500000,0,0,1.25,1.5,10,0.1144,0.2603,0.0118,3100,4500.00,"
        "SPXW230915P04500000,0,0,1.25,1.5,10,0.1239,-0.7397,0.0118,2800",
        "Fri Sep 15 2023,,0,0,0,0,0,0,0,0,0,4525.00,"
        "SPX230915P04525000,0,0,1.25,1.5,10,0.1188,,,0",
        "Fri Dec 29 2023,SPXW231229C04602500,0,0,1.25,1.5,10,0.1375,0.3001,0.0011,12,4602.50,"
        ",0,0,0,0,0,0,0,0,0",
    ]


def test_write_cboe_round_trip_and_determinism(tmp_path):
    snap = make_snapshot(SYNTHETIC)
    path = write_cboe(snap, tmp_path / "a.csv")
    again = read_cboe(path)
    assert again.dropped == {"expired": 0, "no_contract": 2}   # the two empty sides
    assert (again.underlying, again.spot, again.asof) == ("SPX", snap.spot, snap.asof)
    expected = snap.options.sort_values(["expiry", "strike", "type"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(again.options, expected, check_dtype=False, check_exact=True)
    shuffled = Snapshot(underlying="SPX", spot=snap.spot, asof=snap.asof,
                        options=snap.options.iloc[::-1].reset_index(drop=True))
    assert write_cboe(shuffled, tmp_path / "b.csv").read_bytes() == path.read_bytes()
    assert write_cboe(again, tmp_path / "c.csv").read_bytes() == path.read_bytes()


def test_write_cboe_rounds_like_real_files(tmp_path):
    rows = [("SPXW", "2023-09-22", 4500, "C", 7, 0.123456, 0.512345, 0.004567)]
    snap = make_snapshot(rows)
    snap.options["bid"] = 1.234
    again = read_cboe(write_cboe(snap, tmp_path / "r.csv")).options.iloc[0]
    assert (again["iv"], again["chain_delta"], again["chain_gamma"], again["bid"]) == (
        0.1235, 0.5123, 0.0046, 1.23)


@pytest.mark.parametrize("change, message", [
    (lambda s: setattr(s, "asof", s.asof + pd.Timedelta(seconds=5)), "not a whole minute"),
    (lambda s: s.options.__setitem__("expiry", s.options["expiry"] + pd.Timedelta(hours=1)),
     "not the settlement time"),
    (lambda s: s.options.__setitem__("strike", 4500.0001), "cannot be written"),
    (lambda s: s.options.__setitem__("oi", -1.0), "column 'oi': -1.0 is negative"),
    (lambda s: s.options.__setitem__("root", "SPX7"), "not an option root"),
    (lambda s: setattr(s, "options", s.options.iloc[:0]), "no contracts to write"),
])
def test_write_cboe_refuses_what_it_cannot_write(tmp_path, change, message):
    snap = make_snapshot(SYNTHETIC[:1])
    change(snap)
    with pytest.raises(ChainError, match=message):
        write_cboe(snap, tmp_path / "x.csv")


rounded = lambda places, lo, hi: st.floats(lo, hi).map(lambda x: round(x, places))  # noqa: E731
contract = st.tuples(
    st.sampled_from(["SPX", "SPXW"]), st.integers(1, 400), st.integers(200, 1400),
    st.sampled_from("CP"), st.integers(0, 10**6), rounded(4, 0, 3),
    st.one_of(st.just(np.nan), rounded(4, -1, 1)), st.one_of(st.just(np.nan), rounded(4, 0, 0.1)),
    rounded(2, 0, 5000), st.integers(0, 10**5),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(contract, min_size=1, max_size=12, unique_by=lambda c: c[:4]))
def test_round_trips_of_random_snapshots(tmp_path, contracts):
    # the readers refuse a chain where no contract has both open interest and an IV
    c = contracts[0]
    contracts[0] = (*c[:4], max(c[4], 1), max(c[5], 0.1), *c[6:])
    asof = ny("2023-09-14T16:31:00-04:00")
    rows = [(root, (asof + pd.Timedelta(days=d)).date(), k * 5.0, t, oi, iv, de, ga)
            for root, d, k, t, oi, iv, de, ga, _, _ in contracts]
    snap = make_snapshot(rows)
    snap.options["bid"] = [c[8] for c in contracts]
    snap.options["volume"] = [float(c[9]) for c in contracts]
    expected = snap.options.sort_values(["expiry", "strike", "type"]).reset_index(drop=True)
    for write, read in ((write_cboe, read_cboe), (write_csv, read_csv)):
        again = read(write(snap, tmp_path / "snap.csv"))
        pd.testing.assert_frame_equal(again.options, expected, check_dtype=False,
                                      check_exact=True)
        assert (again.spot, again.asof, again.dropped["expired"]) == (snap.spot, snap.asof, 0)


# ---------------------------------------------------------------------------
# real Cboe downloads (only with GEXLIB_CBOE_DIR)

EXPECTED = {
    "spx_2023-09-14.csv": dict(underlying="SPX", spot=4505.1001, asof="2023-09-14T16:31:00-04:00",
                               live=19624, expired=296, roots={"SPX", "SPXW"}),
    "spy_2023-09-14.csv": dict(underlying="SPY", spot=450.81, asof="2023-09-14T16:31:00-04:00",
                               live=7042, expired=250, roots={"SPY"}),
    "spx_2022-07-12_resaved.csv": dict(underlying="SPX", spot=3856.28,
                                       asof="2022-07-12T11:55:00-04:00", live=19378, expired=0,
                                       roots={"SPX", "SPXW"}),
}


def test_real_file(cboe_file):
    snap = read_cboe(cboe_file)
    check_schema(snap)
    expected = EXPECTED.get(cboe_file.name)
    if expected is None:    # any other download must still read
        return
    assert snap.underlying == expected["underlying"]
    assert snap.spot == expected["spot"]
    assert snap.asof == ny(expected["asof"])
    assert len(snap.options) == expected["live"]
    assert snap.dropped == {"expired": expected["expired"]}
    assert set(snap.options["root"]) == expected["roots"]


def test_real_files_listed_are_present(cboe_dir):
    assert {name for name in EXPECTED if (cboe_dir / name).is_file()} == set(EXPECTED)


def test_real_file_round_trips(cboe_file, tmp_path):
    snap = read_cboe(cboe_file)
    via_cboe = read_cboe(write_cboe(snap, tmp_path / "cboe.csv"))
    pd.testing.assert_frame_equal(via_cboe.options, snap.options, check_exact=False,
                                  rtol=0, atol=0.005 + 1e-9)
    assert via_cboe.options["oi"].equals(snap.options["oi"])
    assert via_cboe.dropped == {"expired": 0}
    via_csv = read_csv(write_csv(snap, tmp_path / "tidy.csv"))
    pd.testing.assert_frame_equal(via_csv.options, snap.options, check_exact=True)

