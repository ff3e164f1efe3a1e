"""Book mode: dashboards precomputed for a static page, switched in the browser by jslink."""

import base64
import functools
import html
import io
import re

import matplotlib

matplotlib.use("Agg")

import ipywidgets  # noqa: E402
import numpy as np  # noqa: E402
import PIL.Image  # noqa: E402
import pytest  # noqa: E402

from gexlib import datasets, gex, hedging, whatif  # noqa: E402
from gexlib.course import render, widgets  # noqa: E402

#: Upper bound of the distinct PNG bytes one dashboard embeds in a page ("a few MB per page at most").
MAX_BYTES = 1.5e6


@pytest.fixture()
def book(monkeypatch):
    monkeypatch.setenv(widgets.MODE_VARIABLE, "book")


@pytest.fixture(scope="module")
def calm():
    return datasets.load("calm")


@pytest.fixture(scope="module")
def flip_book(calm):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(widgets.MODE_VARIABLE, "book")
        return widgets.flip_dashboard(calm)


def pixels(png):
    return np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


@pytest.mark.parametrize("value, expected", [(None, "live"), ("", "live"), ("book", "book"), (" Live ", "live")])
def test_mode_reads_the_environment(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv(widgets.MODE_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(widgets.MODE_VARIABLE, value)
    assert widgets.mode() == expected


def test_unknown_mode_is_refused_naming_the_variable(monkeypatch):
    monkeypatch.setenv(widgets.MODE_VARIABLE, "static")
    with pytest.raises(ValueError, match="GEXLIB_WIDGETS='static'"):
        widgets.mode()


def test_live_mode_says_so_and_has_no_book_view(monkeypatch, calm):
    monkeypatch.delenv(widgets.MODE_VARIABLE, raising=False)
    dash = widgets.flip_dashboard(calm)
    assert dash.mode == "live" and dash.book is None
    assert "Live mode" in dash.widget.children[0].value


def test_book_view_frames_switch_by_jslink(calm, flip_book):
    dash = flip_book
    view = dash.book
    assert dash.mode == "book" and dash.widget is view.widget
    assert "Book mode" in view.widget.children[0].value
    names = list(view.grid)
    assert names == ["spot", "iv_shift", "put_oi"]
    sizes = [len(view.grid[n]) for n in names]
    assert len(view.frames) == int(np.prod(sizes))
    # one stack per node of the tree at each level, each linked to its level's selector
    assert [len(level) for level in view.stacks] == [int(np.prod(sizes[:i])) for i in range(len(sizes))]
    assert len(view.links) == sum(len(level) for level in view.stacks)
    for level, name in enumerate(names):
        targets = {id(link.target[0]) for link in view.links if link.source[0] is view.selectors[name]}
        assert targets == {id(st) for st in view.stacks[level]}
        assert all(link.source[1] == "index" and link.target[1] == "selected_index" for link in view.links)
    # the page opens on the default frame, which is the live dashboard's
    sel = tuple(view.selectors[n].index for n in names)
    assert [view.grid[n][i] for n, i in zip(names, sel, strict=True)] == [calm.spot, 0.0, 1.0]
    state, png = view.frames[sel]
    assert state["total_gex"] == dash.state["total_gex"] and state["flip"] == dash.state["flip"]
    diff = np.abs(pixels(png) - pixels(dash.png())).mean()
    assert diff < 2.0, diff  # same figure, 256-colour palette


def test_each_frame_is_the_dashboard_at_its_positions(calm, flip_book):
    view = flip_book.book
    idx = (0, len(view.grid["iv_shift"]) - 1, 1)
    spot, shift, put = (view.grid[n][i] for n, i in zip(view.grid, idx, strict=True))
    state, png = view.frames[idx]
    t = whatif.apply(calm, spot=spot, iv_shift=shift, put=put)
    assert state["total_gex"] == pytest.approx(gex.total_gex(t), rel=1e-12)
    assert state["flip"] == gex.flip_strike(t).value
    assert png != view.frames[(3, 1, 0)][1]  # a moved control shows another figure
    # walking down the tree by those indices reaches that frame's image
    node = view.widget.children[2]
    for i in idx:
        node = node.children[i]
    image = node.children[1]
    assert isinstance(image, ipywidgets.Image) and bytes(image.value) == png


def test_identical_figures_are_shared(book):
    dash = widgets.hedge_ticket_dashboard()  # position and move change the readout, not the figure
    view = dash.book
    images = {id(leaf.children[1]) for leaf in _leaves(view.widget.children[2])}
    assert len(images) == len(view.grid["interval"]) == view.rendered < len(view.frames)


def _drawings(monkeypatch):
    """Count the figures drawn with Agg (calls of ``render.Stage.draw``, which book views draw with) from now on."""
    calls = []
    real = render.Stage.draw

    def counting(self, fig, *args, **kwargs):
        calls.append(fig)
        return real(self, fig, *args, **kwargs)

    monkeypatch.setattr(render.Stage, "draw", counting)
    return calls


@pytest.mark.parametrize("build, grid, distinct", [
    # position and move change the readout only: one drawing per rebalancing interval
    (lambda calm: widgets.hedge_ticket_dashboard(),
     {"position": [-100, 100], "move": [-1.0, 1.0, 2.0], "interval": ["1 hour", "1 day"]}, 2),
    # the regime level changes the readout only: one drawing per sign
    (lambda calm: widgets.conventions_dashboard(calm),
     {"level": ["zero_gamma", "cumulative"], "sign": ["practitioner", "seed"]}, 2),
    # every setting moves the closes: every frame is drawn
    (lambda calm: widgets.pin_dashboard(6450.0, depth=20e9), {"oi": [10_000.0, 20_000.0], "hours": [0.5, 2.0]}, 4),
], ids=["hedge-ticket", "conventions", "pin"])
def test_each_distinct_figure_is_drawn_once(monkeypatch, calm, build, grid, distinct):
    monkeypatch.delenv(widgets.MODE_VARIABLE, raising=False)
    dash = build(calm)
    real_png = functools.partial(widgets.render_png, palette=True)
    drawn = _drawings(monkeypatch)
    view = widgets.book_view(dash, grid)
    pngs = [png for _, png in view.frames.values()]
    assert len(view.frames) == int(np.prod([len(v) for v in grid.values()])) >= distinct
    # as many drawings as distinct images: no figure was drawn twice
    assert len(drawn) == view.rendered == len(set(pngs)) == distinct
    # the last frame (which shares an earlier frame's drawing, but for the pin) shows its own figure drawn afresh
    idx = max(view.frames)
    values = {**dash.values(), **{n: grid[n][i] for n, i in zip(grid, idx, strict=True)}}
    assert view.frames[idx][1] == real_png(dash.compute(values)[1], positions=view.positions[idx])


def test_the_figure_key_changes_with_what_is_drawn_and_only_with_it():
    import matplotlib.pyplot as plt

    def figure(y, colour="C0", title=None):
        fig, ax = plt.subplots(figsize=(3, 2), layout="constrained")
        ax.plot([0, 1, 2], y, color=colour)
        if title:
            ax.set_xlabel(title)
        return fig

    figs = [figure([1, 2, 3]), figure([1, 2, 3]), figure([1, 2, 4]), figure([1, 2, 3], "C1"),
            figure([1, 2, 3], title="strike")]
    try:
        keys = [widgets.figure_key(f) for f in figs]
        assert keys[0] is not None and keys[0] == keys[1]  # built twice, the same figure
        assert len(set(keys[1:])) == 4  # data, colour, a label: each its own key
        figs[1].axes[0].lines[0].set_ydata([1, 2, 5])  # changed after it was built
        assert widgets.figure_key(figs[1]) not in keys
        fig = figure([1, 2, 3])
        fig.axes[0].xaxis.set_major_formatter(lambda x, pos: f"{x:g}")  # a lambda cannot be pickled
        assert widgets.figure_key(fig) is None
        plt.close(fig)
    finally:
        for f in figs:
            plt.close(f)


def _leaves(node):
    if isinstance(node, ipywidgets.Stack):
        for child in node.children:
            yield from _leaves(child)
    else:
        yield node


def test_grid_must_offer_the_current_value_and_stay_in_range(calm, flip_book):
    dash = flip_book  # its live controls are still there
    with pytest.raises(ValueError, match="current value"):
        widgets.book_view(dash, {"put_oi": [2.0, 3.0]})
    with pytest.raises(ValueError, match="outside the control's range"):
        widgets.book_view(dash, {"put_oi": [1.0, 5.0]})
    with pytest.raises(KeyError, match="nope"):
        widgets.book_view(dash, {"nope": [1]})
    with pytest.raises(ValueError, match="not one of the control's options"):
        widgets.book_view(widgets.tape_dashboard(), {"hedging": ["contemporaneous", "sometimes"]})


def test_selectors_show_the_live_labels(book, calm):
    dash = widgets.tape_dashboard(dealer_gex=-5e9)
    labels = dash.book.selectors["gex"].options
    assert "-$5bn" in labels and "+$20bn" in labels
    assert dash.book.selectors["hedging"].options == tuple(hedging.HEDGING_MODES)


def test_book_view_stays_small(book):
    # every lesson page's weight is checked on the built book (tests/book/test_browser.py)
    view = widgets.pin_dashboard(6450.0, depth=20e9).book
    assert len(view.frames) == len(view.grid["oi"]) * len(view.grid["hours"]) >= 6
    assert len({png for _, png in view.frames.values()}) == len(view.frames)  # every setting draws its own close
    assert view.size < MAX_BYTES, f"{view.size / 1e6:.2f} MB of frames"


def test_the_introduction_describes_the_flip_grid_as_built(flip_book):
    import re
    from pathlib import Path

    text = " ".join((Path(__file__).resolve().parent.parent / "book" / "intro.md").read_text().split())
    m = re.search(r"(\d+) spot levels × (\d+) IV shifts × (\d+) put open-interest scales, (\d+) frames", text)
    assert m, "book/intro.md no longer describes the flip dashboard's book grid"
    grid = flip_book.book.grid
    assert [int(x) for x in m.groups()] == [len(grid["spot"]), len(grid["iv_shift"]), len(grid["put_oi"]),
                                            len(flip_book.book.frames)]


def test_every_frame_has_a_text_alternative_of_its_settings_and_numbers(calm, flip_book):
    view = flip_book.book
    assert set(view.alts) == set(view.frames)
    assert len(set(view.alts.values())) == len(view.frames)  # each frame says where it is
    idx = (0, len(view.grid["iv_shift"]) - 1, 1)
    spot, shift, put = (view.grid[n][i] for n, i in zip(view.grid, idx, strict=True))
    alt = view.alts[idx]
    state, _ = view.frames[idx]
    assert alt.startswith(flip_book.figure)
    assert f"spot {spot:,.2f}" in alt and f"IV shift (decimal) {shift:+.2f}" in alt and f"put OI × {put:.1f}" in alt
    assert widgets.plots.bn(state["total_gex"]) in alt  # the readout's first line
    assert "<" not in alt and "&" not in alt  # plain text, no markup
    # the frame's readout carries it (the page's script makes it the alt of the frame's image)
    node = view.widget.children[2]
    for i in idx:
        node = node.children[i]
    assert widgets.FRAME_CLASS in node._dom_classes
    text = node.children[0].value
    assert f'{widgets.ALT_ATTRIBUTE}="{html.escape(alt, quote=True)}"' in text
    assert widgets.plots.bn(state["total_gex"]) in text  # and still shows the readout


def test_live_figure_is_an_image_with_its_text_alternative_following_the_controls(calm):
    dash = widgets.flip_dashboard(calm)
    assert dash.picture in dash.widget.children

    def shown():
        m = re.fullmatch(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]+)">', dash.picture.value)
        assert m, dash.picture.value[:80]
        return base64.b64decode(m.group(1)), html.unescape(m.group(2))

    png, alt = shown()
    assert png == dash.png() and alt == dash.alt() and "spot 6,254.87" in alt
    dash.set(spot=6300.0)
    png2, alt2 = shown()
    assert png2 == dash.png() != png and "spot 6,300.00" in alt2
    assert widgets.plots.bn(dash.state["total_gex"]) in alt2
