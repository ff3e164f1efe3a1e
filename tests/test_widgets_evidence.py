"""The lesson 10 dashboard without a kernel: its numbers are gexlib.evidence's, its default figure the static one."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from gexlib import datasets, evidence, plots  # noqa: E402
from gexlib.course import widgets  # noqa: E402

BOOT = dict(draws=200)  # fewer draws keep the test fast; the dashboard passes them on unchanged


@pytest.fixture(scope="module")
def dash():
    return widgets.evidence_dashboard(**BOOT)


@pytest.fixture(scope="module")
def hist():
    return datasets.history()


def test_defaults_are_the_evidence_functions_and_the_static_figure(dash, hist):
    p = evidence.panel(hist["spot"], hist["gex_practitioner"])
    raw, ctl = evidence.by_sign(p, **BOOT), evidence.controlled_by_sign(p, **BOOT)
    s = dash.state
    assert (s["horizon"], s["quantiles"], s["window"], s["days"]) == (1, 5, 20, len(p))
    assert s["raw_difference"] == raw.loc["difference", "forward_vol"]
    assert s["ctl_positive"] == ctl.loc["positive", "forward_vol"]
    assert s["ctl_difference_low"] == ctl.loc["difference", "low"]
    q = evidence.controlled_by_quantile(p, **BOOT)
    assert s["ctl_spread"] == q.iloc[-1]["forward_vol"]
    fig = plots.evidence_panels(evidence.by_quantile(p, **BOOT), q, evidence.double_sort(p))
    assert dash.png() == widgets.render_png(fig, positions=dash.stage.positions)
    assert f"{100 * s['raw_difference']:+.1f} pts" in dash.readout.value
    assert "stationary bootstrap, 200 draws, mean block 20 days" in dash.readout.value


def test_moving_the_sliders_recomputes(dash, hist):
    dash.set(horizon=5, quantiles=10, window=60)
    p = evidence.panel(hist["spot"], hist["gex_practitioner"], horizon=5, window=60)
    assert dash.state["days"] == len(p)
    assert dash.state["raw_spread"] == evidence.by_quantile(p, 10, **BOOT).iloc[-1]["forward_vol"]
    assert "Q1 − Q10" in dash.readout.value
    dash.set(horizon=1, quantiles=5, window=20)


def test_a_dix_file_path_runs_the_same_dashboard(tmp_path, hist, dash):
    path = tmp_path / "DIX.csv"  # the synthetic history written in the download's layout
    lines = ["date,price,dix,gex"] + [f"{d:%Y-%m-%d},{p!r},0.4,{g!r}" for d, p, g in
                                      zip(hist.index, hist["spot"], hist["gex_practitioner"], strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    mine = widgets.evidence_dashboard(path, **BOOT)
    assert str(path) in mine.readout.value
    assert {k: v for k, v in mine.state.items()} == dash.state


def test_book_mode_precomputes_the_grid(monkeypatch):
    monkeypatch.setenv("GEXLIB_WIDGETS", "book")
    d = widgets.evidence_dashboard(draws=20)
    assert d.mode == "book" and d.book.grid == {"horizon": [1, 5], "quantiles": [5, 10], "window": [5, 20, 60]}
    assert len(d.book.frames) == 12
