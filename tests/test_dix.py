"""The DIX.csv reader: hand-made files (never rows of the real download), and the real file when available."""


import numpy as np
import pandas as pd
import pytest

from gexlib import dix
from gexlib.dix import DixError

HEADER = "date,price,dix,gex"
GOOD = [  # made-up values; 2024-01-15 (a Monday holiday) is skipped
    "2024-01-10,4780.5,0.41,2500000000.5",
    "2024-01-11,4790.25,0.42,-1500000000",
    "2024-01-12,4783.0,0.43,0",
    "2024-01-16,4765.75,0.44,3.5e9",
]


def write(tmp_path, lines, name="DIX.csv", newline="\n", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(newline.join(lines).encode(encoding) + newline.encode())
    return p


def test_a_good_file_reads_into_a_daily_frame(tmp_path):
    df = dix.read_dix(write(tmp_path, [HEADER, *GOOD]))
    assert list(df.columns) == ["price", "dix", "gex"]
    assert df.index.name == "date" and isinstance(df.index, pd.DatetimeIndex)
    assert list(df.index.strftime("%Y-%m-%d")) == ["2024-01-10", "2024-01-11", "2024-01-12", "2024-01-16"]
    assert all(df[c].dtype == float for c in df.columns)
    assert df["gex"].tolist() == [2500000000.5, -1.5e9, 0.0, 3.5e9]
    assert df.loc["2024-01-11", "price"] == 4790.25


def test_bom_crlf_header_case_extra_columns_and_column_order(tmp_path):
    lines = [" Date , GEX,Price,DIX,note", *[f"{d},{g},{p},{x},n" for d, p, x, g in (r.split(",") for r in GOOD)]]
    df = dix.read_dix(write(tmp_path, lines, newline="\r\n", encoding="utf-8-sig"))
    assert df["gex"].iloc[1] == -1.5e9 and df["price"].iloc[0] == 4780.5 and len(df) == 4


@pytest.mark.parametrize(("lines", "message"), [
    ([HEADER.replace(",gex", ""), *GOOD], r"DIX\.csv line 1: no column 'gex'"),
    ([HEADER, GOOD[0], "2024-01-11,47a0,0.42,1"], r"line 3, column 'price': '47a0' is not a number"),
    ([HEADER, GOOD[0], "2024-01-11,4790,,1"], r"line 3, column 'dix': empty"),
    ([HEADER, GOOD[0], "2024-01-11,4790,0.4,nan"], r"line 3, column 'gex': 'nan' is not a finite number"),
    ([HEADER, GOOD[0], "2024-01-11,4790,0.4"], r"line 3, column 'gex': missing"),
    ([HEADER, GOOD[0], "01/11/2024,4790,0.4,1"], r"line 3, column 'date': '01/11/2024' is not a date written YYYY-MM-DD"),
    ([HEADER, GOOD[0], "2024-02-30,4790,0.4,1"], r"line 3, column 'date': '2024-02-30' is not a calendar date"),
    ([HEADER, *GOOD[:2], GOOD[1]], r"line 4, column 'date': 2024-01-11 repeats line 3 \(duplicate day\)"),
    ([HEADER, GOOD[1], GOOD[0]], r"line 3, column 'date': 2024-01-10 comes after 2024-01-11 on line 2"),
    ([HEADER, GOOD[0], "2024-01-17,4790,0.4,1"], r"line 3, column 'date': gap: 4 business days missing between "
                                                 r"2024-01-10 \(line 2\) and 2024-01-17; at most 3 may be"),
    ([HEADER, GOOD[0], "2024-01-11,0,0.4,1"], r"line 3, column 'price': '0' is not a positive price"),
    ([HEADER, GOOD[0], "2024-01-11,-5,0.4,1"], r"line 3, column 'price': '-5' is not a positive price"),
    ([HEADER, GOOD[0], "2024-01-11,4790,1.4,1"], r"line 3, column 'dix': '1.4' is outside \[0, 1\]"),
    ([HEADER, GOOD[0]], r"1 data line\(s\); a daily series needs at least 2"),
    ([], r"empty file"),
])
def test_bad_files_name_file_line_and_column(tmp_path, lines, message):
    with pytest.raises(DixError, match=message):
        dix.read_dix(write(tmp_path, lines))


def test_blank_lines_are_skipped_and_still_counted(tmp_path):
    with pytest.raises(DixError, match=r"line 5, column 'price'"):
        dix.read_dix(write(tmp_path, [HEADER, GOOD[0], "", "", "2024-01-11,x,0.4,1"]))


def test_gap_threshold_is_a_keyword(tmp_path):
    lines = [HEADER, GOOD[0], "2024-01-17,4790,0.4,1"]  # 11 .. 16 missing: 4 business days
    assert len(dix.read_dix(write(tmp_path, lines), max_skipped=4)) == 2
    with pytest.raises(DixError, match="at most 0 may be"):
        dix.read_dix(write(tmp_path, [HEADER, *GOOD]), max_skipped=0)  # the Monday holiday counts


def test_the_error_is_a_value_error_and_not_utf8_is_refused(tmp_path):
    assert issubclass(DixError, ValueError)
    p = tmp_path / "DIX.csv"
    p.write_bytes(b"date,price,dix,gex\n2024-01-10,4780,0.4,\xff\n")
    with pytest.raises(DixError, match="not UTF-8"):
        dix.read_dix(p)


# --- the real download (SqueezeMetrics' data, never committed) -----------------------------------------------




def test_the_real_download_reads_cleanly(squeeze_dix):
    df = squeeze_dix
    assert len(df) > 3000 and df.index.is_monotonic_increasing and df.index.is_unique
    assert df.index.min() == pd.Timestamp("2011-05-02")
    assert (df["price"] > 0).all() and df["dix"].between(0, 1).all() and np.isfinite(df["gex"]).all()
    assert (df["gex"] < 0).any() and (df["gex"] > 0).any()
