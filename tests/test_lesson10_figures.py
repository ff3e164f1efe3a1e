"""Every figure lesson 10 quotes from SqueezeMetrics' DIX.csv, recomputed from the file and found in the lesson.

The file is SqueezeMetrics' data and is not part of the project: the test reads it from the folder
named by ``GEXLIB_SQUEEZE_DIR`` (``.ci/run`` sets it when ``../shared/squeezemetrics`` exists) and
skips when the variable is unset. The lesson quotes the figures as static text; each line below is
formatted from the recomputed numbers and must appear verbatim in the lesson's markdown.
"""

import json
from pathlib import Path

import pytest

from gexlib import evidence

LESSON = Path(__file__).resolve().parent.parent / "notebooks" / "10_evidence.ipynb"
HORIZONS = (1, 5)




def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def pts(row) -> str:
    return f"{100 * row['forward_vol']:+.1f} pts [{100 * row['low']:+.1f}, {100 * row['high']:+.1f}]"


def figures(d) -> dict[str, str]:
    """The lesson's quoted lines, each formatted from a computation on the series ``d`` (defaults of
    gexlib.conventions: 20-day trailing vol, 5 trailing-vol groups, quintiles, 1,000 stationary-bootstrap
    draws with mean block 20 days, seed, 95% intervals)."""
    cols = {h: {} for h in HORIZONS}
    for h in HORIZONS:
        p = evidence.panel(d["price"], d["gex"], horizon=h)
        raw, ctl = evidence.by_sign(p), evidence.controlled_by_sign(p)
        qr, qc = evidence.by_quantile(p), evidence.controlled_by_quantile(p)
        cols[h] = {
            "days": f"{len(p):,}; {int(raw.loc['negative', 'days']):,}",
            "means": f"{pct(raw.loc['negative', 'forward_vol'])} / {pct(raw.loc['positive', 'forward_vol'])}",
            "raw": pts(raw.loc["difference"]),
            "matched": pct(ctl.loc["positive", "forward_vol"]),
            "ctl": pts(ctl.loc["difference"]),
            "q_raw": pts(qr.iloc[-1]),
            "q_ctl": pts(qc.iloc[-1]),
        }
    rows = {
        "days": "days used; of which GEX < 0",
        "means": "mean realised vol after GEX < 0 days / after GEX ≥ 0 days",
        "raw": "difference, all days",
        "matched": "after GEX ≥ 0 days of similar trailing vol (double sort)",
        "ctl": "difference, same trailing vol",
        "q_raw": "lowest minus highest GEX quintile (Q1 − Q5), all days",
        "q_ctl": "Q1 − Q5 within trailing-vol groups",
    }
    out = {key: f"| {label} | {cols[1][key]} | {cols[5][key]} |" for key, label in rows.items()}

    p = evidence.panel(d["price"], d["gex"])
    ds = evidence.double_sort(p)
    top = ds["negative_days"].iloc[-1] / ds["negative_days"].sum()
    out["range"] = (f"{len(d):,} trading days from {d.index[0]:%Y-%m-%d} to {d.index[-1]:%Y-%m-%d}, GEX below "
                    f"zero on {int((d['gex'] < 0).sum()):,} of them ({(d['gex'] < 0).mean():.1%})")
    out["top"] = f"{top:.0%} of the negative-GEX days fall in the most volatile fifth"
    changes = evidence.sign_changes(d["gex"])
    runs = int((changes["direction"] == "to negative").sum()) + int(d["gex"].iloc[0] < 0)
    out["runs"] = f"{int((d['gex'] < 0).sum())} days in {runs} runs"
    view = evidence.event_view(d["price"], d["gex"])
    wide = view.pivot(index="offset", columns="direction", values="abs_return")
    events = view.groupby("direction")["events"].first()
    for direction in ("to negative", "to positive"):
        x = wide[direction]
        out[direction] = (f"{direction}, {int(events[direction])} times: {pct(x.loc[-10:-1].mean())} over the ten "
                          f"days before, {pct(x.loc[0])} on the day, {pct(x.loc[1:10].mean())} over the ten days after")
    return out


def lesson_markdown() -> str:
    nb = json.loads(LESSON.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


@pytest.fixture(scope="module")
def quoted(squeeze_dix):
    return figures(squeeze_dix)


def test_every_figure_the_lesson_quotes_from_the_real_series_is_recomputed(quoted):
    md = lesson_markdown()
    missing = {k: v for k, v in quoted.items() if v not in md}
    assert not missing, missing


def test_the_quoted_figures_are_labelled_as_measured_on_the_download():
    md = lesson_markdown()
    assert "measured on SqueezeMetrics' DIX.csv (not shipped)" in md


def test_the_lessons_words_about_the_real_series_hold(squeeze_dix):
    """The prose around the table: 'more than twice', 'removes about a third of the gap', 'clear of zero',
    'shrinks by a little more than a third', 'differs by one to three vol points', day 0 'stands out'."""
    d = squeeze_dix
    for h in HORIZONS:
        p = evidence.panel(d["price"], d["gex"], horizon=h)
        raw, ctl = evidence.by_sign(p), evidence.controlled_by_sign(p)
        qr, qc = evidence.by_quantile(p), evidence.controlled_by_quantile(p)
        assert raw.loc["negative", "forward_vol"] > 2 * raw.loc["positive", "forward_vol"]
        removed = 1 - ctl.loc["difference", "forward_vol"] / raw.loc["difference", "forward_vol"]
        assert 0.25 < removed < 0.42, removed
        assert ctl.loc["difference", "low"] > 0 and qc.iloc[-1]["low"] > 0
        shrink = 1 - qc.iloc[-1]["forward_vol"] / qr.iloc[-1]["forward_vol"]
        assert 0.33 < shrink < 0.45, shrink
    wide = evidence.event_view(d["price"], d["gex"]).pivot(index="offset", columns="direction", values="abs_return")
    for direction in ("to negative", "to positive"):
        before, day, after = wide[direction].loc[-10:-1].mean(), wide[direction].loc[0], wide[direction].loc[1:10].mean()
        assert 0.01 <= abs(after - before) <= 0.03 and day > max(before, after) + 0.05
