"""The command line: levels sheet, JSON schema and exit codes.

Most tests call :func:`gexlib.cli.main` in this process, as ``python -m gexlib`` calls it, with its
output captured (:func:`run`); the JSON output and the exit code of a missing file are checked through
a real ``python -m gexlib`` process (:func:`run_python`).
"""

import contextlib
import io
import json
import math
import subprocess
import sys
import types

import pandas as pd
import pytest
from handmade import snapshot

from gexlib import bs, chain, cli, gex
from gexlib.sheet import KEYS, levels


def small_chain():
    rows = []
    for days in (2, 9, 30):
        for k in range(80, 125, 5):
            rows.append({"strike": k, "type": "P", "oi": 900 + 40 * (100 - k), "iv": 0.24 - 0.002 * (k - 100),
                         "days": days, "root": "SPXW"})
            rows.append({"strike": k, "type": "C", "oi": 700 + 30 * (k - 80), "iv": 0.20 - 0.001 * (k - 100),
                         "days": days, "root": "SPXW"})
    snap = snapshot(rows, underlying="SPX")
    # PM settlement at 16:00 on the expiry date, as a real SPXW contract
    o = snap.options
    o["expiry"] = o["expiry"].dt.normalize() + pd.Timedelta(hours=16)
    T = (o["expiry"] - snap.asof).dt.total_seconds() / (365 * 86400)
    o["chain_gamma"] = bs.gamma(snap.spot, o["strike"].to_numpy(), T.to_numpy(), o["iv"].to_numpy())
    return snap


@pytest.fixture(scope="module")
def chain_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "quotedata.csv"
    chain.write_cboe(small_chain(), path)
    return path


def run_python(*args):
    """``python -m gexlib`` with ``args`` in a process of its own."""
    return subprocess.run([sys.executable, "-m", "gexlib", *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def run(*args):
    """What ``python -m gexlib`` with ``args`` does (``sys.exit(cli.main())``), in this process.

    Its exit code (argparse's usage errors exit 2), standard output and standard error, like
    :func:`run_python`'s ``returncode``, ``stdout`` and ``stderr``. An exception that ``main`` lets
    through is raised here (the process would print its traceback).
    """
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main([str(a) for a in args])
        except SystemExit as stop:
            code = stop.code
    return types.SimpleNamespace(returncode=0 if code is None else code, stdout=out.getvalue(), stderr=err.getvalue())


def test_json_schema_and_values(chain_file):
    p = run_python("levels", chain_file, "--json", "--gamma", "chain")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert tuple(out) == KEYS
    snap = chain.read_cboe(chain_file)
    assert out["total_gex"] == pytest.approx(gex.total_gex(snap, gamma="chain"), rel=1e-12)
    assert out["zero_gamma"] == pytest.approx(gex.zero_gamma(snap).value)
    assert out["gamma"] == "chain" and out["sign"] == "practitioner" and out["time"] == "act365"
    assert out["asof"] == snap.asof.isoformat() and out["asof"][-6:] in ("-04:00", "-05:00")
    for k in ("spot", "total_gex", "call_wall", "put_wall"):
        assert isinstance(out[k], float)
    assert isinstance(out["contracts_used"], int) and isinstance(out["contracts_dropped"], int)
    assert set(out["triggers"]) == {"total_gex_negative", "spot_on_negative_side", "skew_crushed"}
    assert out["triggers"]["skew_crushed"] is None
    assert out["regime"] in ("long_gamma", "short_gamma", "transition")


def test_json_null_for_missing_levels(tmp_path):
    snap = snapshot([{"strike": 100, "type": "C", "oi": 10, "iv": 0.2, "root": "SPXW"}], underlying="SPX")
    snap.options["expiry"] = snap.options["expiry"].dt.normalize() + pd.Timedelta(hours=16)
    path = chain.write_cboe(snap, tmp_path / "one.csv")
    out = json.loads(run("levels", path, "--json").stdout)
    assert out["zero_gamma"] is None and out["flip_strike"] is None
    assert out["regime"] == "long_gamma"


def test_sign_flag_negates_total(chain_file):
    p = json.loads(run("levels", chain_file, "--json").stdout)
    s = json.loads(run("levels", chain_file, "--json", "--sign", "seed").stdout)
    assert s["total_gex"] == -p["total_gex"]
    assert s["zero_gamma"] == pytest.approx(p["zero_gamma"])


def test_readable_sheet_names_conventions(chain_file):
    p = run("levels", chain_file, "--time", "busday262", "--flip", "cumulative")
    assert p.returncode == 0, p.stderr
    head = p.stdout.splitlines()[1]
    assert "sign=practitioner" in head and "gamma=model" in head and "time=busday262" in head
    assert "regime level=cumulative" in head
    assert "total GEX" in p.stdout and "per 1% move" in p.stdout


@pytest.mark.parametrize("args, needle", [
    (("levels", "no/such/file.csv"), "No such file"),
    (("levels", "--json", "no/such/file.csv"), "No such file"),
])
def test_bad_path_exit_2(args, needle):
    p = run_python(*args)
    assert p.returncode == 2
    assert p.stdout == ""
    assert len(p.stderr.strip().splitlines()) == 1 and needle in p.stderr
    assert "Traceback" not in p.stderr


def test_unreadable_file_exit_2(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("hello,world\n1,2\n")
    p = run("levels", bad)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "bad.csv" in p.stderr
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\xff\xfe\x00\x01garbage")
    q = run("levels", binary)
    assert q.returncode == 2 and "Traceback" not in q.stderr


def test_bad_choice_is_a_usage_error(chain_file):
    p = run("levels", chain_file, "--sign", "dealer")
    assert p.returncode == 2 and "invalid choice" in p.stderr


def test_levels_function_matches_pieces():
    snap = small_chain()
    lv = levels(snap, gamma="chain", sign="seed")
    assert lv["flip_strike"] == gex.flip_strike(snap, gamma="chain", sign="seed").value
    w = gex.walls(snap, gamma="chain")
    assert (lv["call_wall"], lv["put_wall"]) == (w["call_wall"], w["put_wall"])
    assert lv["contracts_used"] + lv["contracts_dropped"] == len(snap.options) + sum(snap.dropped.values())
    assert not math.isnan(lv["total_gex"])


def test_history_file_feeds_the_skew_trigger(chain_file, tmp_path):
    h = pd.DataFrame({"skew": [5.0] * 70}, index=pd.bdate_range(end="2025-06-10", periods=70).rename("date"))
    h.to_csv(tmp_path / "h.csv")
    out = json.loads(run("levels", chain_file, "--json", "--history", tmp_path / "h.csv").stdout)
    assert out["triggers"]["skew_crushed"] in (True, False)
    bad = tmp_path / "nohist.csv"
    bad.write_text("date,x\n2025-01-01,1\n")
    p = run("levels", chain_file, "--history", bad)
    assert p.returncode == 2 and "skew" in p.stderr


def test_parser_lists_subcommands():
    assert {"levels", "synth"} <= set(cli.build_parser()._subparsers._group_actions[0].choices)
