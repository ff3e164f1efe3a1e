"""Bad input: every kind of damaged or re-encoded chain file reads right or fails clearly.

The variants are generated at test time (``corrupt.py``) from a shipped synthetic chain
(always) and from a real Cboe download in ``GEXLIB_CBOE_DIR`` (skipped when unset):
each must either read to exactly the original snapshot or raise a ``ChainError`` that
names the file, the line and the column, without any warning.
"""

import contextlib
import io
import warnings
from pathlib import Path

import pandas as pd
import pytest
from corrupt import CASES, ENCODINGS, TEXT_CASES, Chain
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gexlib import chain, cli
from gexlib.chain import ChainError, _parse_date_text

DATA = Path(__file__).parent.parent / "data"
SYNTHETIC = DATA / "spx_calm.csv"
REAL = "spx_2023-09-14.csv"
IDS = [f"{category}-{mutate.__name__}" for category, mutate in CASES]


def strict_read(path):
    """``chain.read`` with every warning an error and nothing printed."""
    err = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stderr(err):
        warnings.simplefilter("error")
        try:
            return chain.read(path)
        finally:
            assert err.getvalue() == "", err.getvalue()


def same_snapshot(a, b):
    pd.testing.assert_frame_equal(a.options, b.options, check_exact=True)
    assert (a.underlying, a.spot, a.asof, a.multiplier, a.dropped) == (
        b.underlying, b.spot, b.asof, b.multiplier, b.dropped)


def check_case(text, original, mutate, path):
    data, expected = mutate(text)
    path.write_bytes(data)
    if expected is None:
        same_snapshot(strict_read(path), original)
        return
    with pytest.raises(ChainError) as info:
        strict_read(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    for fragment in expected:
        assert fragment in message, message


@pytest.fixture(scope="module")
def synthetic():
    return SYNTHETIC.read_text(), chain.read_cboe(SYNTHETIC)


@pytest.fixture(scope="module")
def real(cboe_dir):
    path = cboe_dir / REAL
    if not path.is_file():
        pytest.skip(f"{REAL} not in GEXLIB_CBOE_DIR")
    return path.read_text(), chain.read_cboe(path)


@pytest.mark.parametrize("mutate", [m for _, m in CASES], ids=IDS)
def test_corpus_from_shipped_chain(synthetic, mutate, tmp_path):
    check_case(*synthetic, mutate, tmp_path / "quotedata.csv")


@pytest.mark.parametrize("mutate", [m for _, m in CASES], ids=IDS)
def test_corpus_from_real_download(real, mutate, tmp_path):
    check_case(*real, mutate, tmp_path / "quotedata.csv")


def test_every_category_has_an_error_case_and_the_harmless_ones_read():
    categories = {c for c, _ in CASES}
    assert {"IV in percent", "decimal comma", "thousands separators", "spot line", "absurd open interest",
            "no contributing contract", "date line", "another underlying", "encoding", "csv structure",
            "separator"} <= categories
    text = SYNTHETIC.read_text()
    for category in categories:
        outcomes = [m(text)[1] for c, m in CASES if c == category]
        assert any(o is not None for o in outcomes) or category == "re-save", category


# ---------------------------------------------------------------------------
# property: any mutation reads the same or raises ChainError


def small_chain_text() -> str:
    """The shipped chain cut to its first four expiries and strikes within 10% of spot."""
    c = Chain(SYNTHETIC.read_text())
    spot = c.spot()
    dates = list(dict.fromkeys(r[0] for r in c.rows))[:4]
    c.rows = [r for r in c.rows if r[0] in dates and abs(float(r[11]) / spot - 1) <= 0.10]
    return c.text()


SMALL = small_chain_text()


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("small") / "small.csv"
    path.write_text(SMALL)
    return chain.read_cboe(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TEXT_CASES), min_size=1, max_size=3),
       st.one_of(st.none(), st.sampled_from(ENCODINGS)))
def test_any_mutation_reads_the_same_or_raises_chain_error(small, tmp_path, mutations, encoding):
    text, damaged = SMALL, False
    try:
        for mutate in mutations:
            data, expected = mutate(text)
            text, damaged = data.decode("utf-8"), damaged or expected is not None
        if encoding is not None:
            data, expected = encoding(text)
            damaged = damaged or expected is not None
    except (StopIteration, IndexError, ValueError, AttributeError, TypeError, AssertionError):
        assume(False)  # the mutation does not apply to this variant (e.g. no IV left to damage)
    path = tmp_path / "mutated.csv"
    path.write_bytes(data)
    try:
        snap = strict_read(path)
    except ChainError as err:
        assert damaged, f"a harmless variant is refused: {err}"
        assert str(err).startswith(str(path))
    else:  # read: exactly the original (a damage may undo itself, e.g. a quote added twice)
        same_snapshot(snap, small)


# ---------------------------------------------------------------------------
# the command line opens nothing itself: errors name the file, exit 2, no traceback


@pytest.mark.parametrize("mutate", [m for _, m in CASES if m(SMALL)[1] is not None],
                         ids=[f"{c}-{m.__name__}" for c, m in CASES if m(SMALL)[1] is not None])
def test_cli_names_the_file(mutate, tmp_path, capsys):
    path = tmp_path / "quotedata.csv"
    path.write_bytes(mutate(SMALL)[0])
    assert cli.main(["levels", str(path)]) == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err.startswith(f"gexlib levels: {path}") and "Traceback" not in out.err


def test_cli_reads_a_download_with_a_hash_line_on_top(tmp_path, capsys):
    path = tmp_path / "quotedata.csv"
    path.write_text("# my note\n" + SMALL)
    assert cli.main(["levels", str(path), "--json"]) == 0
    out = capsys.readouterr()
    assert out.err == "" and '"underlying": "SPX"' in out.out


def test_read_tells_tidy_from_cboe(tmp_path, small):
    tidy = chain.write_csv(small, tmp_path / "tidy.csv")
    same_snapshot(chain.read(tidy), small)
    cboe = chain.write_cboe(small, tmp_path / "cboe.csv")
    same_snapshot(chain.read(cboe), small)


def test_tidy_file_of_another_underlying_or_separator(tmp_path, small):
    text = chain.write_csv(small, tmp_path / "tidy.csv").read_text()
    path = tmp_path / "spy.csv"
    path.write_text(text.replace("# underlying: SPX", "# underlying: SPY"))
    with pytest.raises(ChainError, match=r"row 1, column '# underlying': the file is headed 'SPY'"):
        chain.read(path)
    path.write_text(text.replace(",", ";"))
    with pytest.raises(ChainError, match=r"row 5, column 'expiry': the file is separated by semicolons"):
        chain.read(path)


# ---------------------------------------------------------------------------
# date lines


@pytest.mark.parametrize("text, detail", [
    ("Date: September 14, 2023 at 4:31 EDT", "no AM or PM"),
    ("Date: September 14, 2023 at 4:31 PM EST", "EST at that moment, when New York is on EDT"),
    ("Date: December 12, 2022 at 8:30 PM EDT", "EDT at that moment, when New York is on EST"),
])
def test_date_lines_that_would_shift_the_hour(text, detail):
    with pytest.raises(ValueError, match=detail):
        _parse_date_text(text)


def test_date_lines_that_stay_readable():
    # a 24-hour clock is unambiguous past noon, and the day-first shape is a 24-hour clock
    assert _parse_date_text("Date: Sep 14, 2023 at 16:31 EDT").hour == 16
    assert _parse_date_text("Date: 11 September 2024 at 09:37 GMT-4").hour == 9
    # at the autumn change both zones exist for 1:30 AM
    assert _parse_date_text("Date: November 5, 2023 at 1:30 AM EDT").utcoffset().total_seconds() == -4 * 3600
    assert _parse_date_text("Date: November 5, 2023 at 1:30 AM EST").utcoffset().total_seconds() == -5 * 3600


def test_no_sheet_and_no_regime_from_a_snapshot_without_exposure(small):
    from gexlib import levels

    assert levels(small)["contracts_used"] > 0
    for column in ("oi", "iv"):
        empty = chain.Snapshot(underlying=small.underlying, spot=small.spot, asof=small.asof,
                               options=small.options.assign(**{column: 0.0}), source="in memory")
        with pytest.raises(ChainError, match=r"^in memory: no exposure: none of the 1760 contracts"):
            levels(empty)
