"""The faster Agg canvas draws matplotlib's own pixels; the live stage keeps a layout only while text fits it."""

import matplotlib
import matplotlib.patheffects

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from agg_reference import agg  # noqa: E402

from gexlib import datasets, plots  # noqa: E402
from gexlib.course import render  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def odd_text():
    """Text the lesson figures do not exercise: mathtext, rotations, several lines, no antialiasing, odd glyphs."""
    fig, ax = plt.subplots(layout="constrained")
    ax.plot([0, 1], [0, 1])
    ax.set_title(r"$\gamma = \partial^2 V / \partial S^2$ and plain text")
    ax.text(0.5, 0.5, "rotated 30°\nsecond line", rotation=30)
    ax.text(0.2, 0.8, "no antialiasing", antialiased=False)
    ax.text(0.1, 0.2, "−1,234.5 ünïcødé ×", rotation=-72.5, fontsize=13)
    ax.annotate("arrow", (0.3, 0.3), (0.6, 0.1), arrowprops={})
    ax.set_xlabel("spot ($)")
    return fig


FIGURES = {
    "per_strike": lambda: plots.per_strike(datasets.load("spx_calm.csv")),
    "profile": lambda: plots.profile(datasets.load("spx_calm.csv")),
    "heatmap": lambda: plots.heatmap(datasets.load("spx_calm.csv")),
    "payoff_and_greeks": lambda: plots.payoff_and_greeks(),
    "odd_text": odd_text,
}


@pytest.mark.parametrize("name", sorted(FIGURES))
@pytest.mark.parametrize("dpi", [100, 72])
def test_canvas_draws_the_pixels_of_matplotlibs_agg(name, dpi):
    render.clear_caches()
    expected = agg(FIGURES[name](), dpi)
    first = render.draw(FIGURES[name](), dpi)  # caches filled
    assert render.cache_sizes()["glyphs"] > 0
    again = render.draw(FIGURES[name](), dpi)  # every text from the caches
    assert first.shape == expected.shape
    assert np.array_equal(first, expected)
    assert np.array_equal(again, expected)


def test_caches_stay_within_their_limit(monkeypatch):
    monkeypatch.setattr(render, "LIMIT", 10)
    render.clear_caches()
    expected = agg(odd_text())
    assert np.array_equal(render.draw(odd_text(), 100), expected)
    assert all(0 < n <= 10 for n in render.cache_sizes().values())


def test_ink_collects_each_axes_text_outside_and_inside_its_box():
    fig = odd_text()
    ink = {}
    render.draw(fig, 100, ink)
    ax = fig.axes[0]
    x0, y0, x1, y1 = ink[ax]
    box = ax.bbox
    assert y1 > box.y1  # the title, above the Axes
    assert y0 < box.y0  # tick labels and the x label, below
    assert x0 < box.x0  # y tick labels, left
    title = ax.title.get_window_extent()
    assert y1 == pytest.approx(title.y1, abs=3)


def series(scale=1.0, label="y", n=3):
    """A small figure with constrained layout; ``scale`` widens the y tick labels."""
    fig, ax = plt.subplots(figsize=(4, 3), layout="constrained")
    x = np.arange(n)
    ax.plot(x, scale * np.sin(x))
    ax.set_ylabel(label)
    ax.set_xlabel("x")
    return fig


def test_stage_lays_out_once_then_keeps_the_layout_while_text_fits():
    stage = render.Stage()
    first = stage.draw(series(), 100)
    assert (stage.layouts, stage.frozen) == (1, 0)
    assert np.array_equal(first, agg(series()))  # the first draw is the figure as it would be drawn alone
    positions = stage.positions
    second = stage.draw(series(n=4), 100)  # same structure, narrower or equal text
    assert (stage.layouts, stage.frozen) == (1, 1)
    assert stage.positions == positions
    fresh = series(n=4)
    fresh.set_layout_engine("none")
    for ax, pos in zip(fresh.axes, positions, strict=True):
        ax._set_position(pos)
    assert np.array_equal(second, agg(fresh))  # exactly the new figure at the kept positions


def test_stage_lays_out_again_when_text_outgrows_the_layout():
    stage = render.Stage()
    stage.draw(series(), 100)
    wide = stage.draw(series(scale=1e7, label="a much longer label\nover two lines"), 100)
    assert (stage.layouts, stage.frozen) == (2, 0)
    assert np.array_equal(wide, agg(series(scale=1e7, label="a much longer label\nover two lines")))
    # and the wider layout is kept for narrower text after it
    stage.draw(series(), 100)
    assert (stage.layouts, stage.frozen) == (2, 1)


def panels(label="y"):
    """Three panels, one above the other, with constrained layout; ``label`` is the top panel's y label."""
    fig, axes = plt.subplots(3, 1, figsize=(4, 5), layout="constrained")
    for i, ax in enumerate(axes):
        ax.plot([0, 1, 2], [0, i + 1, 0])
    axes[0].set_ylabel(label)
    return fig


def test_stage_stops_drawing_at_the_first_axes_whose_text_outgrows_the_layout(monkeypatch):
    from matplotlib.axes import Axes

    stage = render.Stage()
    stage.draw(panels(), 100)
    drawn = []
    real = Axes.draw
    monkeypatch.setattr(Axes, "draw", lambda self, r: drawn.append(self) or real(self, r))
    wide = panels("a much longer label\nover two lines")
    out = stage.draw(wide, 100)
    assert (stage.layouts, stage.frozen, stage.cut) == (2, 0, 1)
    top, middle, bottom = wide.axes
    # the draw at the stored positions stopped after the top panel; the layout's draw then drew all three
    assert drawn == [top, top, middle, bottom]
    monkeypatch.undo()
    assert np.array_equal(out, agg(panels("a much longer label\nover two lines")))
    narrow = panels()
    stage.draw(narrow, 100)  # fits the wider layout: drawn once, whole
    assert (stage.layouts, stage.frozen, stage.cut) == (2, 1, 1)


def test_stage_lays_out_a_figure_of_another_structure():
    stage = render.Stage()
    stage.draw(series(), 100)
    fig, axes = plt.subplots(1, 2, figsize=(4, 3), layout="constrained")
    for ax in axes:
        ax.plot([0, 1])
    out = stage.draw(fig, 100)
    assert stage.layouts == 2
    fig2, axes2 = plt.subplots(1, 2, figsize=(4, 3), layout="constrained")
    for ax in axes2:
        ax.plot([0, 1])
    assert np.array_equal(out, agg(fig2))


def test_stage_updates_a_figure_kept_between_draws():
    """The in-place case: the same Figure object, changed, drawn again."""
    stage = render.Stage()
    fig = series()
    stage.draw(fig, 100)
    line = fig.axes[0].lines[0]
    line.set_ydata(-line.get_ydata())
    stage.draw(fig, 100)
    assert stage.frozen == 1
    fig.axes[0].set_ylabel("a label that needs\nthree lines\nof room")
    out = stage.draw(fig, 100)  # the kept figure laid out again: its engine was stored on it
    assert stage.layouts == 2
    fresh = series()
    fresh.axes[0].lines[0].set_ydata(-fresh.axes[0].lines[0].get_ydata())
    fresh.axes[0].set_ylabel("a label that needs\nthree lines\nof room")
    assert np.array_equal(out, agg(fresh))


def test_stage_draws_a_figure_without_layout_engine_as_it_is():
    stage = render.Stage()
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1])
    out = stage.draw(fig, 100)
    assert stage.layouts == stage.frozen == 0
    fig2, ax2 = plt.subplots(figsize=(4, 3))
    ax2.plot([0, 1])
    assert np.array_equal(out, agg(fig2))


def test_a_change_of_font_settings_is_drawn_with_the_new_font():
    render.clear_caches()
    render.draw(odd_text(), 100)  # cached with the default fonts
    with matplotlib.rc_context({"font.family": "serif", "text.hinting": "none"}):
        expected = agg(odd_text())
        assert np.array_equal(render.draw(odd_text(), 100), expected)
    assert not np.array_equal(expected, agg(odd_text()))  # the settings did change the drawing


def pair(wide: str):
    """Two panels side by side; the y tick labels of the ``wide`` one are long."""
    fig, axes = plt.subplots(1, 2, figsize=(6, 3), layout="constrained")
    for ax, side in zip(axes, ("left", "right"), strict=True):
        ax.plot([0, 1], [0, 1e6 if side == wide else 1])
    return fig


def test_stage_keeps_room_for_text_that_takes_turns_being_wide():
    stage = render.Stage()
    stage.draw(pair("left"), 100)
    stage.draw(pair("right"), 100)  # the right panel's labels outgrow the first layout
    assert stage.layouts == 2
    boxes = stage._boxes
    left, right = stage.positions
    assert boxes[1].x0 >= right.x0 and boxes[0].x1 <= left.x1  # inside both layouts
    for wide in ("left", "right") * 3:  # room for both now: no more layouts
        out = stage.draw(pair(wide), 100)
        fresh = pair(wide)
        fresh.set_layout_engine("none")
        for ax, pos in zip(fresh.axes, stage.positions, strict=True):
            ax._set_position(pos)
        assert np.array_equal(out, agg(fresh))
    assert (stage.layouts, stage.frozen) == (2, 6)


def test_stage_gives_up_keeping_room_when_smaller_boxes_do_not_fit():
    """A heatmap's colour bar label is centred along the bar: in a box shorter than both layouts'
    it reaches further, so the stage stops keeping old room and lays out afresh instead of every event."""
    from gexlib import whatif

    snap = datasets.load("spx_calm.csv")
    presets = list(whatif.EXPIRY_PRESETS)
    settings = [dict(call=1.2), dict(call=0.85), dict(call=1.4)] + [dict(call=1.4, expiries=p) for p in presets[1:] * 2]
    stage = render.Stage()
    stage.draw(plots.heatmap(snap), 100)
    for kw in settings:
        out = stage.draw(plots.heatmap(whatif.apply(snap, **kw)), 100)
        fresh = plots.heatmap(whatif.apply(snap, **kw))
        fresh.set_layout_engine("none")
        for ax, pos in zip(fresh.axes, stage.positions, strict=True):
            ax._set_position(pos)
        assert np.array_equal(out, agg(fresh))
        plt.close("all")
    assert stage.layouts + stage.frozen == len(settings) + 1
    assert stage.layouts <= 5, (stage.layouts, stage.frozen)


def legended(label="spot 6,254", under=None, curve="curve"):
    """A figure with a legend above its Axes (as :func:`gexlib.plots.legend` draws it); ``under``: a text drawn
    beneath the legend (unclipped, below it in z-order), so what lies under the legend changes. No layout
    engine: the Axes stay where they are from one draw to the next, as on a dashboard's stage."""
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.plot([0, 1], [0, 1], label=curve, ls="--")
    ax.bar([0.2, 0.6], [0.5, 0.7], width=0.2, hatch="///", label="bars")
    ax.axvline(0.5, label=label, color="C3")
    plots.legend(ax, ncols=3)
    if under is not None:
        ax.text(0.05, 1.04, under, transform=ax.transAxes, clip_on=False, zorder=0, color="0.6")
    return fig


def counted_legend_draws(monkeypatch) -> list:
    """The legends drawn in full (matplotlib's ``Legend.draw``) from now on, one entry per draw."""
    from matplotlib.legend import Legend

    calls, real = [], Legend.draw
    monkeypatch.setattr(Legend, "draw", lambda self, renderer: calls.append(self) or real(self, renderer))
    return calls


def counted_text_draws(monkeypatch) -> list:
    """The texts drawn (``Text.draw``) from now on, one entry per draw."""
    from matplotlib.text import Text

    calls, real = [], Text.draw
    monkeypatch.setattr(Text, "draw", lambda self, renderer: calls.append(self) or real(self, renderer))
    return calls


def test_a_legend_is_put_back_only_when_it_and_what_lies_under_it_are_unchanged(monkeypatch):
    full = counted_legend_draws(monkeypatch)
    fig = legended()
    render.draw(fig, 100)
    leg = fig.axes[0].get_legend()
    assert full.count(leg) == 1 and leg._gexlib_legend.region is None  # packed once: only its key is kept
    render.draw(fig, 100)  # packed alike again: its pixels are kept
    kept = leg._gexlib_legend
    assert full.count(leg) == 2 and kept.region[1] > kept.region[0] and kept.region[3] > kept.region[2]
    again = render.draw(fig, 100)
    assert full.count(leg) == 2 and leg._gexlib_legend is kept  # put back, not drawn
    assert np.array_equal(again, agg(legended()))
    fig.axes[0].text(0.05, 1.04, "under", transform=fig.axes[0].transAxes, clip_on=False, zorder=0, color="0.6")
    covered = render.draw(fig, 100)  # same legend, other pixels under it: drawn again and kept
    assert full.count(leg) == 3 and leg._gexlib_legend is not kept and leg._gexlib_legend.region is not None
    assert np.array_equal(covered, agg(legended(under="under")))
    assert np.array_equal(render.draw(fig, 100), covered) and full.count(leg) == 3
    assert "draw" not in vars(leg)  # nothing of the canvas stays on the legend
    assert all("draw" not in vars(t) for t in leg.texts)
    fig.set_size_inches(6, 3)  # another size: drawn again
    out = render.draw(fig, 100)
    assert full.count(leg) == 4 and np.array_equal(out, agg(fig))


def test_a_changed_legend_text_of_the_same_size_is_drawn_alone(monkeypatch):
    # the legend packs as before: its pixels are put back and only the changed text is drawn again, over the
    # pixels that were under it; the result is matplotlib's drawing of the new legend, byte for byte
    full, texts = counted_legend_draws(monkeypatch), counted_text_draws(monkeypatch)
    fig = legended()
    render.draw(fig, 100)
    render.draw(fig, 100)  # packed alike twice: kept
    leg = fig.axes[0].get_legend()
    [spot] = [t for t in leg.texts if t.get_text().startswith("spot")]
    others = [t for t in leg.texts if t is not spot]
    for label in ("spot 6,300", "spot 6,391", "spot 5,117"):  # digits of one width: the same box
        spot.set_text(label)
        texts.clear()
        out = render.draw(fig, 100)
        assert full.count(leg) == 2 and texts.count(spot) == 1 and not any(t in texts for t in others)
        assert np.array_equal(out, agg(legended(label)))
    texts.clear()
    assert np.array_equal(render.draw(fig, 100), agg(legended("spot 5,117")))  # unchanged: put back as last drawn
    assert full.count(leg) == 2 and spot not in texts
    spot.set_text("spot 16,300")  # wider: the legend packs anew and draws in full
    assert np.array_equal(render.draw(fig, 100), agg(legended("spot 16,300"))) and full.count(leg) == 3
    [curve] = [t for t in leg.texts if t.get_text() == "curve"]
    curve.set_text("curvy")  # two texts change at once, one of them to another width: in full
    spot.set_text("spot 16,311")
    assert np.array_equal(render.draw(fig, 100), agg(legended("spot 16,311", curve="curvy")))
    assert full.count(leg) == 4
    curve.set_text("curve")
    spot.set_text("spot 16,300")
    render.draw(fig, 100)
    leg.legend_handles[0].set_color("C4")  # a handle changed: in full
    expected = legended("spot 16,300")
    expected.axes[0].get_legend().legend_handles[0].set_color("C4")
    assert np.array_equal(render.draw(fig, 100), agg(expected)) and full.count(leg) == 6


def stacked(label="spot 6,254"):
    """A legend of one column with no room between its rows: its texts' boxes meet."""
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.plot([0, 1], [0, 1], label="curve", ls="--")
    ax.axvline(0.5, label=label, color="C3")
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.01), ncols=1, labelspacing=0.0, frameon=False)
    return fig


def test_a_legend_text_whose_box_meets_another_is_not_drawn_alone(monkeypatch):
    full = counted_legend_draws(monkeypatch)
    fig = stacked()
    render.draw(fig, 100)
    render.draw(fig, 100)
    leg = fig.axes[0].get_legend()
    kept = [t for t in leg._gexlib_legend.texts if t is not None]
    boxes = [t.box for t in kept]
    meets = [sum(o[0] < b[1] and b[0] < o[1] and o[2] < b[3] and b[2] < o[3] for o in boxes) > 1 for b in boxes]
    assert sum(meets) == 2 and not any(t.alone for t, m in zip(kept, meets, strict=True) if m)
    [spot] = [t for t in leg.texts if t.get_text().startswith("spot")]
    spot.set_text("spot 6,300")
    assert np.array_equal(render.draw(fig, 100), agg(stacked("spot 6,300"))) and full.count(leg) == 3


def test_a_legend_with_a_handle_it_cannot_describe_is_drawn_every_time(monkeypatch):
    full = counted_legend_draws(monkeypatch)
    fig = legended()
    leg = fig.axes[0].get_legend()
    leg.legend_handles[0].set_path_effects([matplotlib.patheffects.withStroke(linewidth=3, foreground="y")])
    first = render.draw(fig, 100)
    assert getattr(leg, "_gexlib_legend", None) is None
    assert np.array_equal(render.draw(fig, 100), first) and full.count(leg) == 2
    assert np.array_equal(first, agg(fig))


def test_the_kept_ink_of_a_legend_counts_for_the_stage():
    fig = legended("a legend entry that is long enough to reach out")
    first, second, third = {}, {}, {}
    render.draw(fig, 100, first)
    render.draw(fig, 100, second)  # the legend's pixels put back
    [long] = [t for t in fig.axes[0].get_legend().texts if t.get_text().startswith("a legend")]
    long.set_text("a legend entry that is long enough to reach out")
    render.draw(fig, 100, third)
    assert first == second == third
    long.set_text("a legend entry that is lone enough to reach out")  # the same box: drawn alone
    alone, fresh = {}, {}
    render.draw(fig, 100, alone)
    render.draw(legended("a legend entry that is lone enough to reach out"), 100, fresh)
    assert [list(map(float, b)) for b in alone.values()] == [list(map(float, b)) for b in fresh.values()]


def shared(align: bool):
    """Panels sharing x with aligned labels: an axis' label is placed from its siblings' tick labels."""
    fig, axes = plt.subplots(2, 2, figsize=(6, 4), layout="constrained", sharex="col")
    for i, ax in enumerate(axes.flat):
        ax.plot([0, 1 + i], [0, 10 ** (i * 2)])
        ax.set_xlabel(f"x {i}")
        ax.set_ylabel(f"y {i}")
    if align:
        fig.align_labels()
    return fig


@pytest.mark.parametrize("align", [False, True])
def test_ticks_placed_once_per_draw_give_matplotlibs_pixels(align):
    fig = shared(align)
    assert np.array_equal(render.draw(fig, 100), agg(shared(align)))
    assert all("_update_ticks" not in vars(axis) for ax in fig.axes for axis in ax._axis_map.values())
    fig.axes[0].set_xlim(0, 3)  # new limits on the next draw of the same figure
    fig.axes[1].set_ylim(-5, 1e4)
    expected = shared(align)
    expected.axes[0].set_xlim(0, 3)
    expected.axes[1].set_ylim(-5, 1e4)
    assert np.array_equal(render.draw(fig, 72), agg(expected, 72))


def test_strings_drawn_as_one_bitmap_or_glyph_by_glyph_where_glyphs_share_pixels():
    """A string is drawn as one bitmap of its glyphs when no pixel is inked by two of them; where glyphs
    overlap (italic pairs, a combining accent) glyph by glyph, as Agg draws them."""
    fig, ax = plt.subplots()
    ax.text(0.1, 0.5, "fjord Tj ffi AVA e\u0301 //\\\\ ___", fontsize=30, style="italic")
    ax.text(0.1, 0.2, "W/V y,j", fontsize=40, rotation=20)
    render.clear_caches()
    assert np.array_equal(render.draw(fig, 100), agg(fig))
    kinds = [v is False for v in render._STRINGS.values()]
    assert any(kinds) and not all(kinds)
    assert np.array_equal(render.draw(fig, 100), agg(fig))  # from the caches


@pytest.mark.parametrize("pad", [3.5, 0.0])
def test_tick_marks_drawn_together_give_matplotlibs_pixels(monkeypatch, pad):
    """One draw_markers call for an axis' marks when they keep clear of its labels; with the labels touching
    the marks (``pad=0``) each tick draws its own mark, as matplotlib does."""
    def figure():
        fig = plots.per_strike(datasets.load("spx_calm.csv"))
        for ax in fig.axes:
            ax.tick_params(pad=pad)
        return fig

    calls = []
    init = render.Renderer.__init__

    def counting(self, *args, **kwargs):  # RendererAgg binds draw_markers on each renderer
        init(self, *args, **kwargs)
        real = self.draw_markers
        self.draw_markers = lambda *a, **k: calls.append(1) or real(*a, **k)

    monkeypatch.setattr(render.Renderer, "__init__", counting)
    fig = figure()
    out = render.draw(fig, 100)
    marks = sum(len(axis._update_ticks()) for ax in fig.axes for axis in ax._axis_map.values() if axis.get_visible())
    assert np.array_equal(out, agg(figure()))
    assert calls
    if pad:
        assert len(calls) < marks / 2
    else:
        assert len(calls) >= marks


def test_a_framed_legend_is_put_back_only_while_its_frame_style_stays(monkeypatch):
    full = counted_legend_draws(monkeypatch)
    fig = legended()
    leg = fig.axes[0].get_legend()
    leg.set_frame_on(True)
    for _ in range(3):
        render.draw(fig, 100)
    assert full.count(leg) == 2
    [spot] = [t for t in leg.texts if t.get_text().startswith("spot")]
    spot.set_text("spot 6,300")  # drawn alone inside the frame
    expected = legended("spot 6,300")
    expected.axes[0].get_legend().set_frame_on(True)
    assert np.array_equal(render.draw(fig, 100), agg(expected)) and full.count(leg) == 2
    leg.get_frame().set_boxstyle("round", pad=0.4)
    out = render.draw(fig, 100)
    assert full.count(leg) == 3 and np.array_equal(out, agg(fig))


_CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ ,.$%()+-−×±–—/:;'\"?!&[]{}_=<>|~^*#@ïüéΓσ√≤≥→€jfĳ"


@pytest.mark.parametrize("hinting", ["default", "force_autohint", "native", "auto", "no_hinting"])
def test_text_measured_from_its_layout_is_matplotlibs_measure(hinting):
    # the canvas measures a string from its layout and its glyphs' boxes and advances instead of the
    # font's set_text: the same width, height and descent as RendererAgg, for random strings in
    # several fonts, sizes, weights and resolutions
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    rng = np.random.default_rng(len(hinting))
    measured = 0
    with matplotlib.rc_context({"text.hinting": hinting}):
        for family, size, dpi in (("sans-serif", 10, 100), ("serif", 9, 100), ("monospace", 12, 72),
                                  ("sans-serif", 13.5, 150)):
            prop = FontProperties(family=family, size=size, weight=["normal", "bold"][int(rng.integers(2))])
            ours, ref = render.Renderer(200, 100, dpi), RendererAgg(200, 100, dpi)
            ours.settings = render._font_settings()
            for _ in range(60):
                s = "".join(rng.choice(list(_CHARS), size=int(rng.integers(1, 26))))
                measured += ours._measured(s, prop) is not None
                assert ours.get_text_width_height_descent(s, prop, False) == ref.get_text_width_height_descent(
                    s, prop, False), s
    # every string was measured from its layout, except unhinted text (measured by matplotlib)
    assert measured == (0 if hinting == "no_hinting" else 240)
