"""One interactive dashboard per lesson: sliders wired to tested functions, nothing more.

Each builder returns a :class:`Dashboard`. Display it as the last expression of a
notebook cell (or ``display(dash.widget)``). Every control change calls
:meth:`Dashboard.update`, which reads the controls, runs the what-if transforms
of :mod:`gexlib.whatif` and the analytics of :mod:`gexlib.gex`,
:mod:`gexlib.regime` and :mod:`gexlib.hedging`, stores the numbers it shows in
:attr:`Dashboard.state`, and redraws the lesson's :mod:`gexlib.plots` figure into
an image (a PNG rendered with Agg, so it works without a display and in tests).

A dashboard keeps its figure between events: the plot function is called with
``into=`` the figure it drew last and updates that figure's artists in place
(:mod:`gexlib.plots` says which functions can), and :class:`gexlib.course.render.Stage`
draws it at the layout of the first event as long as its text fits that layout
(tick labels, legend and axis labels measured as they are drawn), laying it out
again only when the text has outgrown it. Each event draws exactly the pixels of
a new figure of the same numbers drawn at the same Axes positions
(``render_png(fig, positions=dash.stage.positions)``; tests check it for every
dashboard).

At its default settings each dashboard draws exactly the static figure of the
same :mod:`gexlib.plots` function called on the untouched snapshot, so the book
can show that figure next to the slider::

    plots.dealer_gamma(snap);              # the static figure
    widgets.dealer_gamma_dashboard(snap)   # the same figure, with sliders

Every number in ``state`` is one documented call away, e.g. with the put OI
slider at 2: ``gex.total_gex(whatif.apply(snap, put=2.0))``.

Dashboards on option chains use model gamma: the chain's own gamma exists only
at the file's spot and IVs, which the sliders move.

Two modes, chosen by the environment variable :data:`MODE_VARIABLE`
(``GEXLIB_WIDGETS``):

``live`` (the default; JupyterLab, tests)
    Every control change recomputes in the kernel, at any setting.
``book`` (set by the book build)
    The dashboard's ``widget`` is :func:`book_view`: its figures precomputed at a
    handful of positions of its main controls (the builder's ``book`` grid) and
    held in nested ``ipywidgets.Stack`` containers whose ``selected_index`` is
    ``jslink``-ed to the controls, so that a static web page with no kernel behind
    it switches figures in the browser.

Either way the widget starts with a line saying which mode the reader is in.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import hashlib
import html
import inspect
import io
import itertools
import os
import pickle
import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.transforms import TransformNode

from .. import conventions as cv
from .. import datasets, dix, evidence, fmt, gex, hedging, memo, parallel, plots, regime, sheet, whatif
from ..chain import Snapshot
from . import render
from .palette import quantize

#: Resolution of the dashboard images (dots per inch).
DPI = 100
#: CSS class of a book-mode frame's box (readout and image).
FRAME_CLASS = "gexlib-frame"
#: CSS class of a live dashboard's picture (the figure's ``<img>`` with its text alternative).
PICTURE_CLASS = "gexlib-picture"
#: HTML attribute of a book-mode frame's readout holding the text alternative of the frame's image
#: (an image may be shared by frames that differ; ``tooltip`` would break the ``Image`` view).
ALT_ATTRIBUTE = "data-gexlib-alt"
#: Environment variable choosing the dashboards' mode; see :data:`MODES`.
MODE_VARIABLE = "GEXLIB_WIDGETS"
#: Dashboard modes: ``live`` recomputes in the kernel (default), ``book`` precomputes figures for a static page.
MODES = ("live", "book")
#: Positions of the spot control in book mode, as fractions of the snapshot's spot around it.
BOOK_SPOT_STEPS = (-0.03, -0.02, -0.01, 0.0, 0.01, 0.02, 0.03)
#: Positions of the IV-shift control in book mode (decimal vol; 0 is always added).
BOOK_IV_SHIFTS = (-0.05, 0.0, 0.10)
#: Half-width of the spot sliders as a fraction of the snapshot's spot.
SPOT_RANGE = 0.05
#: IV shift slider: (min, max, step), decimal vol.
IV_SHIFT = (-0.10, 0.20, 0.01)
#: Open-interest scale sliders: (min, max, step).
OI_SCALE = (0.0, 3.0, 0.1)
#: Rebalancing intervals of the hedge ticket, label -> simulation steps of 5 minutes.
REBALANCE = {"5 minutes": 1, "30 minutes": 6, "1 hour": 12, "half a day": 39, "1 day": 78}
#: Paths and horizon (years of trading time) of the hedge ticket's simulation.
TICKET_PATHS = 500
TICKET_HORIZON = 21 / hedging.TRADING_DAYS
TICKET_SEED = 20240601
#: Paths kept for the running-P&L figure.
TICKET_KEEP = 20
#: Dollar amounts ($bn) offered by the GEX slider of the tape (signed) and by the depth sliders.
GEX_CHOICES_BN = tuple(range(-40, 41))
DEPTH_CHOICES_BN = (5, 10, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 300)
#: Paths, paths drawn and seed of the tape dashboard (one trading day of 5-minute steps).
TAPE_PATHS = 1000
TAPE_SHOWN = 12
TAPE_SEED = 20240606
#: Gamma scalping dashboard: paths, trading days to expiry and seed.
SCALP_PATHS = 500
SCALP_DAYS = 10
SCALP_SEED = 20240607
#: Position of each side of the gamma scalping dashboard (options on one share).
SIDES = {"long": 1.0, "short": -1.0}
#: Pinning dashboard: paths and seed.
PIN_PATHS = 2000
PIN_SEED = 20240608
#: The level each choice of the conventions dashboard reads from a row of :func:`gexlib.sheet.compare`.
LEVEL_COLUMNS = {("zero_gamma", "nearest"): "zero_gamma", ("zero_gamma", "first"): "zero_gamma_first",
                 ("cumulative", "nearest"): "flip_strike", ("cumulative", "first"): "flip_first"}


def render_png(fig, dpi: int = DPI, palette: bool = False, positions=None) -> bytes:
    """PNG bytes of a figure drawn with Agg at ``dpi``; the figure is then closed (its caller owns it).

    :func:`draw_rgba` then :func:`encode_png` (the two steps the benchmarks time apart).
    With ``positions`` (e.g. a dashboard's ``stage.positions``) the figure is drawn
    at those Axes positions with its layout engine off: the frame a dashboard shows
    for the same numbers (:class:`gexlib.course.render.Stage`).
    """
    return encode_png(draw_rgba(fig, dpi, positions=positions), palette=palette)


def draw_rgba(fig, dpi: int = DPI, positions=None) -> np.ndarray:
    """The figure drawn with Agg at ``dpi`` as an RGBA array (height × width × 4); the figure is then closed.

    One draw, layout included (``savefig`` would draw twice with a layout engine:
    a dry run, then the real draw), with :class:`gexlib.course.render.Canvas`: the
    pixels of matplotlib's Agg canvas, its text laid out and rasterised once per
    process. ``positions``: see :func:`render_png`.
    """
    try:
        if positions is not None:
            render.place(fig, positions)
        return render.draw(fig, dpi)
    finally:
        plt.close(fig)


def encode_png(rgba: np.ndarray, palette: bool = False) -> bytes:
    """PNG bytes of an RGBA array (height × width × 4, ``uint8``), lossless.

    By default the pixels are written as they are (8-bit RGBA, no row filter)
    and deflated at level 1 in blocks of rows on two threads (:func:`png_rgba`):
    about 3 ms for lesson 08's 700 × 750 figure (5.5 ms on one thread), where
    Pillow's encoder, which tries every row filter, takes 27 ms; the bytes are a
    few percent larger. With ``palette`` the
    image is reduced to 256 colours first (:func:`gexlib.course.palette.quantize`:
    the frequent colours exactly, anti-aliasing blends approximated) and saved
    by Pillow at level 6, about a third of the bytes, for the many frames a book
    page embeds (:func:`book_view`).
    """
    if palette:
        buf = io.BytesIO()
        quantize(rgba).save(buf, format="png", compress_level=6)
        return buf.getvalue()
    return png_rgba(rgba)


#: The eight bytes every PNG file starts with.
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_rgba(rgba: np.ndarray, level: int = 1) -> bytes:
    """A PNG file of an RGBA array: colour type 6, 8 bits, filter type 0 on every row, zlib ``level``.

    The rows are deflated in blocks side by side (:func:`gexlib.parallel.map_rows`; one block
    below :data:`gexlib.parallel.MIN_SIZE` bytes), each block flushed to a byte boundary so the
    pieces join into one zlib stream, whose checksum is combined from the blocks' own
    (:func:`adler32_combine`): on two cores about half the time of one ``zlib.compress``.

    Parameters
    ----------
    rgba : numpy.ndarray
        ``uint8`` array of shape (height, width, 4), as Agg draws it.
    level : int
        zlib compression level, 0 (none) to 9.

    Returns
    -------
    bytes
        The whole file (signature, ``IHDR``, one ``IDAT``, ``IEND``).
    """
    rgba = np.asarray(rgba)
    if rgba.ndim != 3 or rgba.shape[2] != 4 or rgba.dtype != np.uint8:
        raise ValueError(f"expected a uint8 array of shape (height, width, 4), got {rgba.dtype} {rgba.shape}")
    h, wd = rgba.shape[:2]
    header = struct.pack(">IIBBBBB", wd, h, 8, 6, 0, 0, 0)  # 8-bit RGBA, deflate, adaptive filters, no interlace
    return b"".join([PNG_SIGNATURE, _png_chunk(b"IHDR", header), _png_chunk(b"IDAT", _deflate_rows(rgba, level)),
                     _png_chunk(b"IEND", b"")])


def _deflate_rows(rgba: np.ndarray, level: int) -> bytes:
    """The zlib stream of ``rgba``'s scanlines, each led by filter type 0, deflated in row blocks side by side."""
    h, wd = rgba.shape[:2]
    flat = rgba.reshape(h, 4 * wd)

    def block(rows: slice):
        lines = np.empty((rows.stop - rows.start, 1 + 4 * wd), np.uint8)
        lines[:, 0] = 0  # each scanline: filter type 0 (none), then its pixels
        lines[:, 1:] = flat[rows]
        packer = zlib.compressobj(level, zlib.DEFLATED, -15)  # raw deflate: header and checksum written below
        # the block that ends at the last row finishes the stream; the others end on a sync flush
        body = packer.compress(lines) + packer.flush(zlib.Z_FINISH if rows.stop == h else zlib.Z_SYNC_FLUSH)
        return body, zlib.adler32(lines), lines.nbytes

    parts = parallel.map_rows(block, h, size=h * (1 + 4 * wd))
    check = 1  # the Adler-32 of nothing
    for _, adler, length in parts:
        check = adler32_combine(check, adler, length)
    flevel = 0 if level <= 1 else 1 if level <= 5 else 2 if level == 6 else 3
    cmf, flg = 0x78, flevel << 6  # deflate with a 32 KiB window; the level class, and check bits below
    flg += 31 - (cmf * 256 + flg) % 31
    return b"".join([bytes([cmf, flg]), *(body for body, _, _ in parts), struct.pack(">I", check)])


def adler32_combine(first: int, second: int, length: int) -> int:
    """The Adler-32 checksum of two byte strings joined, from each one's (``first``, ``second``) and the
    second's ``length`` in bytes: zlib's ``adler32_combine``, which Python's ``zlib`` module does not offer."""
    base = 65521
    rem = length % base
    a = ((first & 0xFFFF) + (second & 0xFFFF) + base - 1) % base
    b = (rem * (first & 0xFFFF) + (first >> 16) + (second >> 16) + base - rem) % base
    return a | (b << 16)


@dataclass(eq=False)
class Dashboard:
    """A lesson dashboard: controls, the numbers it shows, and the figure.

    Attributes
    ----------
    widget : ipywidgets.Box
        The container to display (controls, readout, image).
    controls : dict
        Control name -> ipywidgets control; set ``controls[name].value`` (or use
        :meth:`set`) and the dashboard updates.
    state : dict
        The numbers currently shown (plain floats / str / None), refreshed by
        :meth:`update`.
    image : bytes
        The figure last drawn, as PNG bytes (what :attr:`picture` shows; sent to
        the page once per event, inside the picture).
    picture : ipywidgets.HTML
        What the live widget shows of the figure: the PNG as an ``<img>`` whose
        ``alt`` is :meth:`alt` (:func:`img_tag`), so screen readers in JupyterLab
        read what it shows (an ``Image`` widget has no text alternative).
    readout : ipywidgets.HTML
        The numbers as text, each with the convention behind it.
    figure : str
        What the figure shows, in words (the start of its text alternative, :meth:`alt`).
    mode : str
        ``"live"`` or ``"book"`` (:func:`mode` when it was built). In book mode
        ``widget`` is ``book.widget``; the live controls still work from Python.
    book : BookView or None
        The precomputed view, in book mode.
    stage : gexlib.course.render.Stage
        Draws the figure of each event, keeping the layout of the first while the
        text fits it (``stage.positions``; see :func:`render_png`).
    figure_object : matplotlib.figure.Figure or None
        The figure last drawn. When ``compute`` takes ``into`` (as each lesson
        dashboard's does), the next event passes it on, so the plot function
        updates it in place instead of building a new one.
    """

    widget: w.Box
    controls: dict
    state: dict
    image: bytes
    readout: w.HTML
    compute: Callable = field(repr=False)
    describe: Callable = field(repr=False)
    picture: w.HTML | None = field(default=None, repr=False)
    figure: str = "figure"
    mode: str = "live"
    book: BookView | None = field(default=None, repr=False)
    stage: render.Stage = field(default_factory=render.Stage, repr=False)
    figure_object: Figure | None = field(default=None, repr=False)
    _holding: bool = field(default=False, repr=False)

    def values(self) -> dict:
        """Current control values, by name."""
        return {name: c.value for name, c in self.controls.items()}

    def alt(self, values: dict | None = None, readout: str | None = None) -> str:
        """The figure's text alternative at ``values`` (default: the controls' current values).

        :func:`alt_text` of :attr:`figure`, the controls with their visible labels,
        and the first line of ``readout`` (default: the current readout).
        """
        values = self.values() if values is None else values
        return alt_text(self.figure, self.controls, values, self.readout.value if readout is None else readout)

    def update(self) -> None:
        """Recompute the state from the controls and redraw the figure."""
        values = self.values()
        if _takes_into(self.compute):
            state, fig = self.compute(values, into=self.figure_object)
        else:
            state, fig = self.compute(values)
        try:
            if fig is self.figure_object and not fig.stale and self.image:
                png = self.image  # nothing in the figure changed since it was drawn (matplotlib marks changes)
            else:
                png = encode_png(self.stage.draw(fig, DPI))
        finally:
            plt.close(fig)  # out of pyplot's list of open figures; the dashboard keeps it
        self.figure_object = fig
        self.state.clear()
        self.state.update(state)
        self.image = png
        self.readout.value = self.describe(state)
        if self.picture is not None:
            self.picture.value = img_tag(png, self.alt())

    def set(self, **values) -> None:
        """Set several controls at once and update once."""
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise KeyError(f"no control named {unknown}; controls are {sorted(self.controls)}")
        self._holding = True
        try:
            for name, v in values.items():
                self.controls[name].value = v
        finally:
            self._holding = False
        self.update()

    def png(self) -> bytes:
        """The current figure as PNG bytes."""
        return self.image

    def _changed(self, _change) -> None:
        if not self._holding:
            self.update()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def mode() -> str:
    """The dashboards' mode from :data:`MODE_VARIABLE`: ``"live"`` (unset or empty) or ``"book"``."""
    value = os.environ.get(MODE_VARIABLE, "").strip().lower() or "live"
    if value not in MODES:
        raise ValueError(f"environment variable {MODE_VARIABLE}={value!r}: expected one of {', '.join(MODES)}")
    return value


LIVE_NOTE = ("<b>Live mode</b>: every change of a control recomputes with gexlib in this notebook's kernel.")


def _text(readout: str) -> str:
    """The first line of a readout (HTML) as plain text."""
    first = re.split(r"<br\s*/?>|<table", readout, maxsplit=1)[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", first)).split())


def img_tag(png: bytes, alt: str) -> str:
    """An HTML ``<img>`` of PNG bytes (a data URL) with its text alternative."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}">'


def alt_text(figure: str, controls: dict, values: dict, readout: str) -> str:
    """A figure's text alternative: what it shows, at which settings, and the readout's first line.

    E.g. ``"GEX per strike (bars: calls solid, puts hatched; …) with spot and flip lines; spot
    6,380.00, IV shift (decimal) +0.00, …; total GEX (practitioner sign, model gamma):
    +$26.45bn per 1% move"``. Controls are named by their visible labels (``description``)
    and their values as the controls show them.
    """
    settings = ", ".join(f"{c.description} {_label(c, values[name])}" for name, c in controls.items())
    first = _text(readout)
    return "; ".join(part for part in (figure, settings, first) if part)


def _own(snap: Snapshot) -> Snapshot:
    """A copy of ``snap`` that only a dashboard holds (its own options frame): nothing changes it after the
    dashboard is built, whatever the caller does to ``snap``, so what the dashboard's events ask of it can be
    kept from one event to the next (:func:`gexlib.memo.keep`)."""
    return dataclasses.replace(snap, options=snap.options.copy(), dropped=dict(snap.dropped))


def _takes_into(compute: Callable) -> bool:
    """Whether a dashboard's ``compute`` accepts ``into`` (the figure to update in place)."""
    return "into" in inspect.signature(compute).parameters


def _reusing(compute: Callable) -> Callable:
    """``compute`` run inside :func:`gexlib.gex.reuse`: one event's questions about one snapshot share its contracts."""
    if _takes_into(compute):
        @functools.wraps(compute)
        def run(values, into=None):
            with gex.reuse():
                return compute(values, into=into)
    else:
        @functools.wraps(compute)
        def run(values):
            with gex.reuse():
                return compute(values)
    return run


def _build(controls: dict, compute: Callable, describe: Callable, book: dict | None = None,
           figure: str = "figure") -> Dashboard:
    """Lay out controls, readout and image; wire every control to :meth:`Dashboard.update`.

    ``book`` is the grid of :func:`book_view` (control name -> positions); in book
    mode the dashboard's widget is that view. ``figure`` says in words what the
    figure shows (the start of every text alternative, :func:`alt_text`).
    """
    compute = _reusing(compute)
    picture = w.HTML()
    picture.add_class(PICTURE_CLASS)
    readout = w.HTML()
    note = w.HTML(LIVE_NOTE)
    box = w.VBox([note, w.HBox([w.VBox(list(controls.values())), readout]), picture])
    dash = Dashboard(widget=box, controls=controls, state={}, image=b"", readout=readout,
                     compute=compute, describe=describe, picture=picture, figure=figure)
    for c in controls.values():
        c.observe(dash._changed, names="value")
    dash.update()
    if book is not None and mode() == "book":
        dash.mode = "book"
        dash.book = book_view(dash, book)
        dash.widget = dash.book.widget
    return dash


# --- book mode ---------------------------------------------------------------------------


@dataclass(eq=False)
class BookView:
    """A dashboard's precomputed view for a static page (see :func:`book_view`).

    Attributes
    ----------
    widget : ipywidgets.VBox
        Mode note, selectors, and the nested stacks of frames.
    grid : dict
        Control name -> the values offered, in order.
    selectors : dict
        Control name -> the selector (``SelectionSlider`` or ``ToggleButtons``)
        whose ``index`` picks the position.
    stacks : list of list of ipywidgets.Stack
        The stacks at each nesting level (level ``i`` switched by the ``i``-th control).
    links : list of ipywidgets.Link
        One ``jslink`` per stack: selector ``index`` -> stack ``selected_index``.
    frames : dict
        Tuple of positions (one index per control) -> ``(state, png)``.
    alts : dict
        Tuple of positions -> the frame's text alternative (:meth:`Dashboard.alt` at
        its values), carried by the frame's readout as the attribute
        :data:`ALT_ATTRIBUTE` (the page's script makes it the ``alt`` of the image
        in the same frame, a box of class :data:`FRAME_CLASS`).
    rendered : int
        Figures drawn with Agg: one per distinct :func:`figure_key` (frames whose
        figures have the same key share one drawing).
    positions : dict
        Tuple of positions -> the Axes positions its figure was drawn at (see
        :func:`book_view`; ``render_png(fig, positions=...)`` draws it again).
    """

    widget: w.VBox
    grid: dict
    selectors: dict
    stacks: list
    links: list
    frames: dict
    alts: dict = field(default_factory=dict)
    rendered: int = 0
    positions: dict = field(default_factory=dict)

    @property
    def size(self) -> int:
        """Bytes of distinct PNG frames (what the page embeds, before base64)."""
        return sum(len(p) for p in {png for _, png in self.frames.values()})


def _label(control, value) -> str:
    """The label the live control shows for ``value``."""
    if isinstance(control, (w.FloatSlider, w.IntSlider)):
        return format(value, control.readout_format)
    return control._options_labels[control._options_values.index(value)]


def _check_position(name: str, control, value) -> None:
    if isinstance(control, (w.FloatSlider, w.IntSlider)):
        if not control.min - 1e-12 <= value <= control.max + 1e-12:
            raise ValueError(f"book grid {name!r}: {value!r} is outside the control's range "
                             f"[{control.min}, {control.max}]")
    elif value not in control._options_values:
        raise ValueError(f"book grid {name!r}: {value!r} is not one of the control's options")


class _FigurePickler(pickle.Pickler):
    """Pickles a figure for :func:`figure_key`, leaving out the two parts of its state that name objects
    by address or by creation order and that drawing never reads."""

    def reducer_override(self, obj):
        if isinstance(obj, (TransformNode, Figure)):
            reduced = obj.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
            if len(reduced) >= 3 and isinstance(reduced[2], dict):
                # TransformNode._parents: back-links keyed by id(), only for invalidating caches
                # (what a transform draws is in its forward links, pickled as usual);
                # Figure._number: pyplot's figure counter.
                state = {k: v for k, v in reduced[2].items() if k not in ("_parents", "_number")}
                return (*reduced[:2], state, *reduced[3:])
        return NotImplemented


class _Digest:
    """A write-only file that hashes what is written to it."""

    def __init__(self):
        self.hash = hashlib.blake2b(digest_size=32)

    def write(self, data) -> int:
        self.hash.update(data)
        return len(data)


def figure_key(fig) -> bytes | None:
    """A digest of everything a figure would draw, taken before drawing it; None if it cannot be taken.

    The digest is of the figure pickled (artists, data, transforms, styles) apart from
    the id()-keyed back-links between transforms and pyplot's figure number, which
    drawing never reads. Two figures with the same key are drawn to the same pixels
    (with the same rcParams and dpi), so :func:`book_view` draws each distinct key once.
    A figure that cannot be pickled (a lambda formatter, say) gets None: draw it.
    """
    sink = _Digest()
    try:
        _FigurePickler(sink, protocol=pickle.HIGHEST_PROTOCOL).dump(fig)
    except Exception:  # noqa: BLE001 - whatever stops the pickling (PicklingError, AttributeError, ...): draw it
        return None
    return sink.hash.digest()


def book_view(dash: Dashboard, grid: dict) -> BookView:
    """Precompute ``dash`` over ``grid`` and switch between the frames in the browser.

    For every combination of the positions in ``grid`` (other controls at their
    current values) the dashboard's own ``compute`` and ``describe`` give a frame:
    its readout and figure. Frames sit in nested ``ipywidgets.Stack`` containers,
    one nesting level per control, and each control's selector has its ``index``
    ``jslink``-ed to the ``selected_index`` of every stack of its level, so the
    embedded widget manager of a static page switches figures with no kernel.
    Identical figures are drawn once and shared: frames whose figures have the
    same :func:`figure_key` (known before drawing) share one drawing, and frames
    whose drawings give the same PNG bytes share one image, so a control that
    only changes the readout costs neither a drawing nor an image. As in live mode,
    the figures are drawn by one :class:`gexlib.course.render.Stage`, the default
    frame first: the frames share the default frame's layout while their text fits
    it, so the figure does not shift as the reader switches frames. (Each frame's
    figure is built anew for its key: the key of a figure updated in place carries the
    history of its updates, not only what it shows. A figure to draw is then drawn from
    the figure drawn last, updated in place to the same contents, when ``compute`` takes
    ``into``: the same pixels, without a new figure's first draw making all its ticks.)

    Parameters
    ----------
    dash : Dashboard
        A live dashboard; its current control values are the defaults and must be
        among the positions of ``grid``.
    grid : dict
        Control name -> sequence of values offered (a handful each: the frame count
        is the product of their lengths).

    Returns
    -------
    BookView
    """
    names = list(grid)
    current = dash.values()
    for name in names:
        if name not in dash.controls:
            raise KeyError(f"book grid names {name!r}; controls are {sorted(dash.controls)}")
        for v in grid[name]:
            _check_position(name, dash.controls[name], v)
    grid = {n: list(grid[n]) for n in names}
    start = []
    for n in names:
        hits = [i for i, v in enumerate(grid[n]) if v == current[n] or
                (isinstance(v, float) and np.isclose(v, current[n], rtol=1e-12, atol=1e-12))]
        if not hits:
            raise ValueError(f"book grid {n!r} must offer the control's current value {current[n]!r}")
        start.append(hits[0])

    frames, readouts, images, texts, alts, drawn, positions = {}, {}, {}, {}, {}, {}, {}
    stage = render.Stage()
    into = _takes_into(dash.compute)
    shown = None  # the figure drawn last: the next figure to draw is that one updated in place
    every = list(itertools.product(*(range(len(grid[n])) for n in names)))
    for idx in sorted(every, key=lambda i: i != tuple(start)):  # the default frame first, then in order
        values = {**current, **{n: grid[n][i] for n, i in zip(names, idx, strict=True)}}
        state, fig = dash.compute(values)  # a new figure: its key is its contents (an updated one's is not)
        key = figure_key(fig)
        if key is not None and key in drawn:  # the same figure as an earlier frame's: no second drawing
            plt.close(fig)
            png, positions[idx] = drawn[key]
        else:
            if into and shown is not None:
                # The same pixels from the figure drawn last, updated in place (each plot function's
                # update draws exactly what a new figure draws): a new figure's first draw makes all
                # its ticks, about half of that draw.
                plt.close(fig)
                state, fig = dash.compute(values, into=shown)
            try:
                png = encode_png(stage.draw(fig, DPI), palette=True)
            finally:
                plt.close(fig)
            shown = fig
            positions[idx] = stage.positions
            drawn[key if key is not None else ("unkeyed", len(drawn))] = png, positions[idx]
        frames[idx], readouts[idx] = (state, png), dash.describe(state)
        alts[idx] = dash.alt(values, readouts[idx])
        if png not in images:  # identical figures and readouts are shared between frames
            images[png] = w.Image(value=png, format="png")
        text = f'<div {ALT_ATTRIBUTE}="{html.escape(alts[idx], quote=True)}">{readouts[idx]}</div>'
        if text not in texts:
            texts[text] = w.HTML(text)
        readouts[idx] = text
    # The readout carries the frame's text alternative; the page's script (labextension/src/a11y.js, loaded by the book as vendor/widgets-a11y.js)
    # makes it the alt of the frame's image.
    leaves = {idx: w.VBox([texts[readouts[idx]], images[png]], _dom_classes=[FRAME_CLASS])
              for idx, (_, png) in frames.items()}

    stacks: list[list] = [[] for _ in names]

    def nest(level: int, prefix: tuple):
        if level == len(names):
            return leaves[prefix]
        st = w.Stack([nest(level + 1, prefix + (i,)) for i in range(len(grid[names[level]]))],
                     selected_index=start[level])
        stacks[level].append(st)
        return st

    top = nest(0, ())
    selectors, links = {}, []
    for level, n in enumerate(names):
        control = dash.controls[n]
        options = [_label(control, v) for v in grid[n]]
        if len(set(options)) != len(options):
            raise ValueError(f"book grid {n!r}: positions {grid[n]!r} give duplicate labels {options!r}")
        if isinstance(control, (w.ToggleButtons, w.Dropdown)):
            sel = w.ToggleButtons(options=options, index=start[level], description=control.description,
                                  style=_STYLE)
        else:
            sel = w.SelectionSlider(options=options, index=start[level], description=control.description,
                                    continuous_update=True, style=_STYLE, layout=control.layout)
        selectors[n] = sel
        links += [w.jslink((sel, "index"), (st, "selected_index")) for st in stacks[level]]

    fixed = [c.description for name, c in dash.controls.items() if name not in grid]
    offered = "; ".join(f"{dash.controls[n].description}: {len(grid[n])}" for n in names)
    note = (f"<b>Book mode</b>: no Python runs behind this page. These {len(frames)} figures were computed when "
            f"the book was built, one per combination of the positions offered ({offered}); moving a control "
            f"switches to its figure."
            + (f" Fixed at their defaults here: {', '.join(fixed)}." if fixed else "")
            + " Open the notebook in JupyterLab (<code>make lab</code>) to recompute live at any setting.")
    widget = w.VBox([w.HTML(note), w.VBox(list(selectors.values())), top])
    return BookView(widget=widget, grid=grid, selectors=selectors, stacks=stacks, links=links, frames=frames,
                    alts=alts, rendered=len(drawn), positions=positions)


def _positions(default: float, candidates, lo: float | None = None, hi: float | None = None) -> list[float]:
    """Sorted positions for a book grid: ``candidates`` plus ``default``, within ``[lo, hi]``."""
    values = {float(c) for c in candidates} | {float(default)}
    return sorted(v for v in values if (lo is None or v >= lo) and (hi is None or v <= hi))


def _spot_positions(snap: Snapshot, steps=BOOK_SPOT_STEPS) -> list[float]:
    s = float(snap.spot)
    return _positions(s, [s * (1 + k) for k in steps if k != 0.0])


_STYLE = {"description_width": "initial"}


def _slider(description: str, value: float, lo: float, hi: float, step: float, readout: str = ".2f"):
    return w.FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                         readout_format=readout, continuous_update=False, style=_STYLE)


def _spot_slider(snap: Snapshot):
    s = float(snap.spot)
    return _slider("spot", s, (1 - SPOT_RANGE) * s, (1 + SPOT_RANGE) * s, s / 1000, ",.2f")


def _iv_slider():
    return _slider("IV shift (decimal)", 0.0, *IV_SHIFT, "+.2f")


def _oi_slider(kind: str):
    return _slider(f"{kind} OI ×", 1.0, *OI_SCALE, ".1f")


def _money_slider(description: str, value: float, choices_bn, signed: bool = False):
    """A slider over dollar amounts labelled in $bn; its value is in dollars (the given one is always offered)."""
    values = sorted({float(b) * plots.BN for b in choices_bn} | {float(value)})
    sign = (lambda x: "-" if x < 0 else "+") if signed else (lambda x: "")
    options = [(f"{sign(x)}${abs(x) / plots.BN:,g}bn", x) for x in values]
    return w.SelectionSlider(options=options, value=float(value), description=description,
                             continuous_update=False, style=_STYLE)


def _plain(x):
    """A plain Python float / str / None from a table cell (NaN -> None)."""
    if x is None or isinstance(x, str):
        return x
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    x = float(x)
    return None if np.isnan(x) else x


def _error(message: str) -> str:
    return f"<div style='font-family: monospace; padding-left: 1em; color: #882255'>refused: {message}</div>"


def _lines(*lines: str) -> str:
    return "<div style='font-family: monospace; padding-left: 1em'>" + "<br>".join(lines) + "</div>"


# --- lesson 01 ---------------------------------------------------------------------------


def greeks_dashboard(*, strike: float = 100.0, spot: float = 100.0, iv: float = 0.20, days: float = 30.0,
                     kind: str = "C", r: float = cv.RATE, q: float = cv.DIVIDEND) -> Dashboard:
    """Lesson 01: one option's price, delta and gamma against spot; sliders spot, IV, days.

    Figure: :func:`gexlib.plots.payoff_and_greeks`; state: ``spot, iv, days`` and
    :func:`gexlib.hedging.option_greeks` at those values.
    """
    controls = {
        "spot": _slider("spot ($)", spot, 0.7 * strike, 1.3 * strike, strike / 200),
        "iv": _slider("IV (decimal)", iv, 0.05, 0.80, 0.01),
        "days": _slider("days to expiry", days, 1.0, 365.0, 1.0, ".0f"),
    }

    def compute(v, into=None):
        g = hedging.option_greeks(v["spot"], strike=strike, days=v["days"], iv=v["iv"], kind=kind, r=r, q=q)
        fig = plots.payoff_and_greeks(strike=strike, days=v["days"], iv=v["iv"], spot=v["spot"], kind=kind,
                                      r=r, q=q, into=into)
        return {**v, **g}, fig

    def describe(s):
        name = "call" if kind == "C" else "put"
        return _lines(f"{name}, strike {strike:g}, Black–Scholes, r = {r:g}, q = {q:g}",
                      f"price  {s['price']:.4f} $", f"delta  {s['delta']:.4f} per $1",
                      f"gamma  {s['gamma']:.4f} per $1", f"vega   {s['vega']:.4f} $ per vol point",
                      f"theta  {s['theta']:.4f} $ per day")

    book = {"spot": _positions(spot, [spot * (1 + k) for k in (-0.10, -0.05, 0.05, 0.10)]),
            "iv": _positions(iv, (0.10, 0.40)), "days": _positions(days, (1.0, 3.0, 7.0, 90.0))}
    return _build(controls, compute, describe, book,
                  figure=f"Price (with the payoff at expiry), delta and gamma of a {'call' if kind == 'C' else 'put'} with strike {strike:g} against spot, a dot at the chosen spot")


# --- lesson 02 ---------------------------------------------------------------------------


def hedge_ticket_dashboard(*, strike: float = 100.0, spot: float = 100.0, days: float = 30.0, iv: float = 0.20,
                 position: int = -100, move: float = 1.0, interval: str = "1 hour", kind: str = "C",
                 cost_per_share: float = 0.0, multiplier: float = cv.MULTIPLIER) -> Dashboard:
    """Lesson 02: the hedge ticket; sliders position, spot move, IV, rebalancing interval.

    State: the :func:`gexlib.hedging.bs_ticket` for the move (shares to hold, to
    trade, P&L) and the mean and spread of the final P&L per option from
    :func:`gexlib.hedging.simulate_discrete_hedge` (one month of 21 trading days,
    implied = realised vol = the IV slider, seeded) at the chosen interval, whose
    running P&L the figure shows (:func:`gexlib.plots.hedge_paths`).
    """
    cv.check_choice("interval", interval, REBALANCE)
    controls = {
        "position": w.IntSlider(value=position, min=-500, max=500, step=10, description="position (contracts)",
                                continuous_update=False, style=_STYLE),
        "move": _slider("spot move ($)", move, -5.0, 5.0, 0.25),
        "iv": _slider("IV = realised vol (decimal)", iv, 0.05, 0.80, 0.01),
        "interval": w.Dropdown(options=list(REBALANCE), value=interval, description="rebalance every",
                               style=_STYLE),
    }

    @functools.lru_cache(maxsize=4 * len(REBALANCE))
    def simulation(label, sigma):
        return hedging.simulate_discrete_hedge(
            spot, strike, TICKET_HORIZON, sigma, sigma, TICKET_PATHS, hedging.STEPS_PER_DAY, REBALANCE[label],
            cost_per_share, seed=TICKET_SEED, kind=kind, keep_paths=TICKET_KEEP)

    def compute(v, into=None):
        t = hedging.bs_ticket(v["position"], spot, v["move"], strike=strike, days=days, iv=v["iv"], kind=kind,
                              multiplier=multiplier)
        sim = simulation(v["interval"], v["iv"])
        state = {**v, **t.__dict__, "sim_mean": sim.mean, "sim_std": sim.std, "sim_stderr": sim.stderr}
        return state, plots.hedge_paths(sim, into=into)

    def describe(s):
        side = "buy" if s["trade_exact"] >= 0 else "sell"
        return _lines(
            f"{s['position']:+d} {'calls' if kind == 'C' else 'puts'}, strike {strike:g}, {days:g} calendar days, "
            f"IV {s['iv']:.0%}, spot {spot:g}, r = q = 0",
            f"hedge now        {s['shares_now']:+,.0f} shares",
            f"after {s['move']:+.2f}:     {side} {abs(s['trade_exact']):,.0f} shares "
            f"(gamma estimate {s['trade_linear']:+,.0f})",
            f"hedged P&L of the move  {s['pnl_exact']:+,.2f} $ (gamma estimate {s['pnl_linear']:+,.2f})",
            f"re-hedging every {s['interval']} for 21 trading days (IV = realised vol): final P&L per option "
            f"mean {s['sim_mean']:+.3f} $, spread {s['sim_std']:.3f} $",
        )

    book = {"position": sorted({position, -position}), "move": _positions(move, (-2.0, -1.0, 0.0, 2.0), -5.0, 5.0),
            "interval": list(REBALANCE)}
    return _build(controls, compute, describe, book,
                  figure=f"Running hedged P&L ($ per option) along {TICKET_KEEP} simulated one-month paths, re-hedged at the chosen interval")


# --- lesson 03 ---------------------------------------------------------------------------


def dealer_gamma_dashboard(snap: Snapshot, *, sign: str = cv.SIGN, window: float = plots.WINDOW,
                           move: float = hedging.MOVE, time: str = cv.TIME, r: float = cv.RATE,
                           q: float = cv.DIVIDEND) -> Dashboard:
    """Lesson 03: per-strike GEX with the cumulative line, and the hedge flow of a 1% move.

    Controls: ``spot``, ``iv_shift``, ``call_oi``, ``put_oi`` (scales) and ``sign``
    (convention). With ``t = whatif.apply(snap, iv_shift=, call=, put=, spot=)``
    the state holds ``total_gex = gex.total_gex(t, sign=)``, ``flip``
    (:func:`gexlib.gex.flip_strike`), ``call_wall`` / ``put_wall``
    (:func:`gexlib.gex.walls`) and, from the total row of
    :func:`gexlib.hedging.flow_for_move` (positive = dealers buy),
    ``hedge_flow`` / ``hedge_shares`` (exact: every contract re-valued after the
    move) and ``hedge_flow_linear`` (the GEX approximation, ``−total_gex`` for a
    +1% move). The figure is :func:`gexlib.plots.per_strike` of ``t``; the
    per-strike flow is :func:`gexlib.plots.dealer_gamma` (static). Model gamma.
    """
    conv = dict(gamma="model", time=time, r=r, q=q)
    controls = {
        "spot": _spot_slider(snap), "iv_shift": _iv_slider(), "call_oi": _oi_slider("call"),
        "put_oi": _oi_slider("put"),
        "sign": w.ToggleButtons(options=list(cv.SIGNS), value=sign, description="sign", style=_STYLE),
    }

    def compute(v, into=None):
        t = whatif.apply(snap, iv_shift=v["iv_shift"], call=v["call_oi"], put=v["put_oi"], spot=v["spot"])
        c = {**conv, "sign": v["sign"]}
        flip = gex.flip_strike(t, **c)
        total = hedging.flow_for_move(t, move, sign=v["sign"], time=time, r=r, q=q).iloc[-1]
        state = {**v, "gamma": "model", "total_gex": gex.total_gex(t, **c), "flip": flip.value,
                 **gex.walls(t, **c), "hedge_flow": float(total["dollars_exact"]),
                 "hedge_shares": float(total["shares_exact"]), "hedge_flow_linear": float(total["dollars_linear"])}
        return state, plots.per_strike(t, window=window, flip=flip, **c, into=into)

    def describe(s):
        return _lines(
            f"total GEX ({s['sign']} sign, model gamma): {fmt.bn(s['total_gex'])} per 1% move",
            f"flip (cumulative): {fmt.level(s['flip'])}",
            f"call wall {fmt.level(s['call_wall'])}, put wall {fmt.level(s['put_wall'])}",
            f"dealer hedge flow for a {move:+.0%} move: {fmt.bn(s['hedge_flow'])} "
            f"({'buy' if s['hedge_flow'] >= 0 else 'sell'} {abs(s['hedge_shares']):,.0f} index units; "
            f"GEX estimate {fmt.bn(s['hedge_flow_linear'])})",
        )

    book = {"spot": _spot_positions(snap), "put_oi": _positions(1.0, (0.5, 2.0)), "sign": [sign, "seed"]
            if sign != "seed" else [sign, cv.SIGN]}
    return _build(controls, compute, describe, book,
                  figure="GEX per strike (bars: calls solid, puts hatched; line: cumulative net GEX) with spot and flip lines")


# --- lesson 04 ---------------------------------------------------------------------------


def flip_dashboard(snap: Snapshot, history=None, *, sign: str = cv.SIGN, window: float = plots.WINDOW,
                   n: int = plots.LEVELS, time: str = cv.TIME, r: float = cv.RATE,
                   q: float = cv.DIVIDEND) -> Dashboard:
    """Lesson 04: the gamma profile with zero gamma, flip and spot; the regime, live.

    Controls: ``spot``, ``iv_shift``, ``call_oi``, ``put_oi``. With
    ``t = whatif.apply(snap, iv_shift=, call=, put=, spot=)`` the state holds
    ``total_gex`` (``gex.total_gex(t)``), ``zero_gamma`` / ``zero_crossings``
    (:func:`gexlib.gex.zero_gamma_within` of ``t`` over the drawn range: the crossing nearest the slider's
    spot, and all of them), ``flip`` (``gex.flip_strike(t)``) and ``regime`` /
    ``triggers`` (:func:`gexlib.regime.classify_regime` of ``t`` with
    ``history``, given that total and zero gamma: the transition band, 1% of
    spot, lies well inside the drawn range); the figure is
    :func:`gexlib.plots.profile` of ``t``. Model gamma.

    Parameters
    ----------
    snap : Snapshot
    history : pandas.DataFrame, optional
        Daily history with a ``skew`` column (e.g. :func:`gexlib.datasets.history`),
        for the skew trigger; without it that trigger is not evaluated.
    sign, time, r, q
        Conventions; see :mod:`gexlib.conventions`.
    window, n
        The profile's spot range (fraction of spot) and number of levels.
    """
    conv = dict(sign=sign, gamma="model", time=time, r=r, q=q)
    zconv = dict(sign=sign, time=time, r=r, q=q)  # zero gamma is always model gamma
    controls = {"spot": _spot_slider(snap), "iv_shift": _iv_slider(), "call_oi": _oi_slider("call"),
                "put_oi": _oi_slider("put")}

    def compute(v, into=None):
        t = whatif.apply(snap, iv_shift=v["iv_shift"], call=v["call_oi"], put=v["put_oi"], spot=v["spot"])
        zero = gex.zero_gamma_within(t, window, **zconv)
        flip = gex.flip_strike(t, **conv)
        total = gex.total_gex(t, **conv)
        reg = regime.classify_regime(t, history=history, total=total, zero=zero.value, **conv)
        state = {**v, "sign": sign, "gamma": "model", "total_gex": total, "zero_gamma": zero.value,
                 "zero_crossings": zero.crossings, "flip": flip.value, "regime": reg.tag,
                 "triggers": dict(reg.triggers)}
        return state, plots.profile(t, window=window, n=n, zero=zero, flip=flip, **conv, into=into)

    def describe(s):
        fired = [k for k, x in s["triggers"].items() if x]
        unknown = [k for k, x in s["triggers"].items() if x is None]
        return _lines(
            f"total GEX at spot ({sign} sign, model gamma): {fmt.bn(s['total_gex'])} per 1% move",
            f"zero gamma (model profile, within ±{window:.0%} of spot): {fmt.level(s['zero_gamma'])}",
            f"flip (cumulative): {fmt.level(s['flip'])}",
            f"regime: <b>{s['regime']}</b>" + (f" (fired: {', '.join(fired)})" if fired else ""),
            *([f"not evaluated: {', '.join(unknown)} (no history)"] if unknown else []),
        )

    book = {"spot": _spot_positions(snap), "iv_shift": _positions(0.0, BOOK_IV_SHIFTS), "put_oi": [1.0, 2.0]}
    return _build(controls, compute, describe, book,
                  figure="Gamma profile: total GEX as if spot were each level (net black, calls solid, puts dashed) with spot, zero gamma and flip lines")


# --- lesson 05 ---------------------------------------------------------------------------


def heatmap_dashboard(snap: Snapshot, *, sign: str = cv.SIGN, window: float = plots.HEATMAP_WINDOW,
                      time: str = cv.TIME, r: float = cv.RATE, q: float = cv.DIVIDEND) -> Dashboard:
    """Lesson 05: the strike × expiry heatmap with walls, flip and spot.

    Controls: ``spot``, ``iv_shift``, ``call_oi``, ``put_oi`` (scales) and ``expiries`` (a key of
    :data:`gexlib.whatif.EXPIRY_PRESETS`). With ``t = whatif.apply(snap,
    iv_shift=, call=, put=, spot=, expiries=)`` the state holds ``total_gex``, ``flip``,
    ``call_wall``, ``put_wall`` and ``contracts`` (rows of ``t``); the figure is
    :func:`gexlib.plots.heatmap` of ``t``. Model gamma.
    """
    conv = dict(sign=sign, gamma="model", time=time, r=r, q=q)
    controls = {
        "spot": _spot_slider(snap), "iv_shift": _iv_slider(), "call_oi": _oi_slider("call"),
        "put_oi": _oi_slider("put"),
        "expiries": w.Dropdown(options=list(whatif.EXPIRY_PRESETS), value="all expiries",
                               description="expiries", style=_STYLE),
    }

    def compute(v, into=None):
        t = whatif.apply(snap, iv_shift=v["iv_shift"], call=v["call_oi"], put=v["put_oi"], spot=v["spot"],
                         expiries=v["expiries"])
        flip = gex.flip_strike(t, **conv)
        walls = gex.walls(t, **conv)
        state = {**v, "sign": sign, "gamma": "model", "total_gex": gex.total_gex(t, **conv),
                 "flip": flip.value, **walls, "contracts": len(t.options)}
        return state, plots.heatmap(t, window=window, walls=walls, flip=flip, **conv, into=into)

    def describe(s):
        return _lines(
            f"{s['expiries']}: {s['contracts']:,} contracts",
            f"total GEX ({sign} sign, model gamma): {fmt.bn(s['total_gex'])} per 1% move",
            f"flip (cumulative): {fmt.level(s['flip'])}",
            f"call wall {fmt.level(s['call_wall'])}, put wall {fmt.level(s['put_wall'])}",
        )

    book = {"spot": _spot_positions(snap, (-0.02, -0.01, 0.01, 0.02)), "iv_shift": _positions(0.0, BOOK_IV_SHIFTS),
            "expiries": ["all expiries", "up to 7 days", "monthly and quarterly"]}
    return _build(controls, compute, describe, book,
                  figure="Heatmap of dealer GEX per strike and expiry (blue positive, red negative) with spot, flip and wall lines")


# --- lesson 06 ---------------------------------------------------------------------------


def tape_dashboard(profile=None, S0: float | None = None, *, dealer_gex: float = -5e9, scale: float = 1.0,
                   depth: float = 20e9, sigma_noise: float = 0.15, hedging_mode: str = "contemporaneous",
                   days: float = 1, n_paths: int = TAPE_PATHS, steps_per_day: int = hedging.STEPS_PER_DAY,
                   seed: int = TAPE_SEED, shown: int = TAPE_SHOWN) -> Dashboard:
    """Lesson 06: price paths when dealers' hedging feeds back into the price.

    Controls: the dealers' gamma — ``gex`` (a constant GEX in dollars per 1% move,
    labelled in $bn, signed) when ``profile`` is None, else ``scale`` (a factor on
    the given profile; negative puts dealers on the other side) — ``depth``
    (dollars per 1% move, labelled in $bn), ``noise`` (annualised vol of the news)
    and ``hedging`` (:data:`gexlib.hedging.HEDGING_MODES`). The state holds
    :func:`gexlib.hedging.tape_summary` of ``hedging.simulate_tape(profile or gex,
    S0, depth=, sigma_noise=noise, hedging=, scale=, days=, n_paths=, seed=)`` and,
    prefixed ``theory_``, :func:`gexlib.hedging.feedback_theory` at ``k_start``;
    the figure is :func:`gexlib.plots.tape_paths`. Settings with ``|k| >= 1`` are
    refused: ``state["error"]`` and the readout carry the guard's message.

    Parameters
    ----------
    profile : tuple of array_like, optional
        ``(spots, gex)``, e.g. :func:`gexlib.hedging.feedback_profile` of a snapshot.
    S0 : float, optional
        Spot at the start; required with a profile (default 100 for a constant GEX,
        where it only sets the scale of the figure).
    dealer_gex, scale, depth, sigma_noise, hedging_mode
        Starting values of the controls (dollars per 1% move, factor, dollars per
        1% move, decimal per year, mode).
    days, n_paths, steps_per_day, seed
        Passed to :func:`gexlib.hedging.simulate_tape`.
    shown : int
        Paths drawn.
    """
    if profile is not None and S0 is None:
        raise ValueError("tape_dashboard: give S0 (the spot the profile was computed around) with a profile")
    S0 = 100.0 if S0 is None else float(S0)
    gamma = (_money_slider("dealer GEX ($ per 1%)", dealer_gex, GEX_CHOICES_BN, signed=True) if profile is None
             else _slider("profile × (sign and size)", scale, -2.0, 2.0, 0.1, "+.1f"))
    controls = {
        ("gex" if profile is None else "scale"): gamma,
        "depth": _money_slider("depth ($ per 1% move)", depth, DEPTH_CHOICES_BN),
        "noise": _slider("news vol (annualised)", sigma_noise, 0.05, 0.60, 0.01),
        "hedging": w.ToggleButtons(options=list(hedging.HEDGING_MODES), value=hedging_mode, description="hedging",
                                   style=_STYLE),
    }

    def compute(v, into=None):
        try:
            sim = hedging.simulate_tape(v["gex"] if profile is None else profile, S0, depth=v["depth"],
                                        sigma_noise=v["noise"], hedging=v["hedging"], scale=v.get("scale", 1.0),
                                        days=days, n_paths=n_paths, steps_per_day=steps_per_day, seed=seed)
        except ValueError as err:
            return {**v, "error": str(err)}, plots.notice(str(err))
        summary = hedging.tape_summary(sim)
        theory = hedging.feedback_theory(summary["k_start"], v["hedging"], steps_per_day)
        state = {**v, "error": None, **summary, **{f"theory_{k}": x for k, x in theory.items()}}
        return state, plots.tape_paths(sim, n=shown, into=into)

    def describe(s):
        if s["error"]:
            return _error(s["error"])
        daily = (f"realised vol of days    {s['daily_vol']:.1%}  (theory × {s['theory_daily_vol_ratio']:.2f} "
                 f"the news; variance ratio {s['variance_ratio']:.2f}, theory {s['theory_variance_ratio']:.2f})")
        return _lines(
            f"k = GEX/depth at the start {s['k_start']:+.3f} (over the paths {s['k_min']:+.3f} to {s['k_max']:+.3f})",
            f"realised vol of steps   {s['realised_vol']:.1%}  (news alone {s['noise_vol']:.1%}; theory "
            f"× {s['theory_step_vol_ratio']:.2f})",
            *([daily, f"mean daily range        {s['daily_range']:.2%} of the open"] if np.isfinite(s["daily_vol"])
              else []),
            f"lag-1 autocorrelation   {s['autocorrelation']:+.3f}  (theory {s['theory_autocorrelation']:+.3f})",
            f"{s['hedging']} hedging, {n_paths:,} paths",
        )

    gamma_name = "gex" if profile is None else "scale"
    gamma_steps = ([x * plots.BN for x in (-20, -10, 0, 10, 20)] if profile is None else [-2.0, -1.0, 0.0, 1.0, 2.0])
    offered = controls["depth"]._options_values
    depths = [x for x in (depth / 2, float(depth), 2 * depth) if x in offered]  # half, as given, double
    book = {gamma_name: _positions(controls[gamma_name].value, gamma_steps),
            "depth": depths, "hedging": list(hedging.HEDGING_MODES)}
    return _build(controls, compute, describe, book,
                  figure=f"{shown} simulated one-day spot paths with dealers hedging (long gamma solid, short gamma dashed) over the same news without hedging (grey)")


def pin_dashboard(K: float, *, spot0: float | None = None, oi: float = 10_000, hours: float = 2.0,
                  depth: float = 50e9, sigma_noise: float = 0.12, band: float | None = None,
                  n_paths: int = PIN_PATHS, seed: int = PIN_SEED) -> Dashboard:
    """Lesson 06: pinning — where spot closes when dealers are long a large strike into expiry.

    Controls ``oi`` (contracts dealers hold at ``K``), ``hours`` (trading hours to
    expiry) and ``depth`` (dollars per 1% move, labelled in $bn). The state holds
    ``probability``, ``baseline``, ``difference``, ``stderr`` and ``k_max`` of
    :func:`gexlib.hedging.pin_probability` at those values; the figure is
    :func:`gexlib.plots.pin_close`. Settings with ``|k| >= 1`` are refused with the
    guard's message.
    """
    controls = {
        "oi": _slider("dealer OI at the strike (contracts)", oi, 0.0, 30_000.0, 500.0, ",.0f"),
        "hours": _slider("trading hours to expiry", hours, 0.25, hedging.TRADING_HOURS, 0.25),
        "depth": _money_slider("depth ($ per 1% move)", depth, DEPTH_CHOICES_BN),
    }

    def compute(v, into=None):
        try:
            res = hedging.pin_probability(K, v["oi"], v["hours"], depth=v["depth"], spot0=spot0,
                                          sigma_noise=sigma_noise, band=band, n_paths=n_paths, seed=seed)
        except ValueError as err:
            return {**v, "error": str(err)}, plots.notice(str(err))
        state = {**v, "error": None, "probability": res.probability, "baseline": res.baseline,
                 "difference": res.difference, "stderr": res.stderr, "k_max": res.k_max,
                 "band": float(res.params["band"])}
        return state, plots.pin_close(res, into=into)

    def describe(s):
        if s["error"]:
            return _error(s["error"])
        return _lines(
            f"strike {K:,.0f}, dealers long {s['oi']:,.0f} contracts, {s['hours']:g} trading hours to expiry",
            f"P(close within ±{s['band']:,.2f}): {s['probability']:.1%} with hedging, {s['baseline']:.1%} without "
            f"(difference {s['difference']:+.1%} ± {s['stderr']:.1%})",
            f"largest k = GEX/depth on the grid {s['k_max']:.2f} (the last step, at the strike)",
        )

    book = {"oi": _positions(oi, (0.0, 20_000.0), 0.0, 30_000.0),
            "hours": _positions(hours, (0.5, hedging.TRADING_HOURS), 0.25, hedging.TRADING_HOURS)}
    return _build(controls, compute, describe, book,
                  figure=f"Histograms of where spot closes around the {K:,.0f} strike with dealers hedging and without, the band around the strike shaded")


# --- lesson 07 ---------------------------------------------------------------------------


def scalping_dashboard(*, S0: float = 100.0, K: float = 100.0, days: float = SCALP_DAYS, kind: str = "straddle",
                       realised: float = 0.25, implied: float = 0.20, interval: str = "30 minutes",
                       side: str = "long", n_paths: int = SCALP_PATHS, steps_per_day: int = hedging.STEPS_PER_DAY,
                       seed: int = SCALP_SEED) -> Dashboard:
    """Lesson 07: gamma scalping — a delta-hedged straddle's P&L against realised and implied vol.

    Controls ``realised`` and ``implied`` (decimal vol), ``interval`` (a key of
    :data:`REBALANCE`) and ``side`` (``"long"``/``"short"``, :data:`SIDES`). The
    state holds, for ``hedging.simulate_gamma_scalp(S0, K, days / 252, implied,
    realised, n_paths, steps_per_day, REBALANCE[interval], kind=, position=SIDES[side],
    seed=)``, its :func:`gexlib.hedging.scalp_summary` (P&L ``mean``, ``std``, ``stderr``, ``premium``,
    the means of ``theta_paid``, ``scalps`` and ``approx``, ``approx_correlation``); the figure is
    :func:`gexlib.plots.scalp_pnl`. The simulation is cached by its parameters
    (:data:`gexlib.hedging.SCALPS`): ``side`` only scales it, ``interval`` re-hedges the
    valued paths and ``implied`` revalues them; only ``realised`` draws new paths.
    """
    cv.check_choice("interval", interval, REBALANCE)
    cv.check_choice("side", side, SIDES)
    T = float(days) / hedging.TRADING_DAYS
    controls = {
        "realised": _slider("realised vol", realised, 0.05, 0.60, 0.01),
        "implied": _slider("implied vol", implied, 0.05, 0.60, 0.01),
        "interval": w.Dropdown(options=list(REBALANCE), value=interval, description="rebalance every",
                               style=_STYLE),
        "side": w.ToggleButtons(options=list(SIDES), value=side, description="position", style=_STYLE),
    }

    def compute(v, into=None):
        sim = hedging.simulate_gamma_scalp(S0, K, T, v["implied"], v["realised"], n_paths, steps_per_day,
                                           REBALANCE[v["interval"]], kind=kind, position=SIDES[v["side"]],
                                           seed=seed)
        state = {**v, **hedging.scalp_summary(sim)}
        return state, plots.scalp_pnl(sim, into=into)

    def describe(s):
        book = {"straddle": "straddle", "C": "call", "P": "put"}[kind]
        return _lines(
            f"{s['side']} {book}, strike {K:g}, spot {S0:g}, {days:g} trading days, premium {s['premium']:.3f} $, "
            f"hedged every {s['interval']}",
            f"final P&L per option: mean {s['mean']:+.3f} $ (± {s['stderr']:.3f}), spread {s['std']:.3f} $",
            f"theta paid {s['theta_paid']:+.3f} $, scalps earned {s['scalps']:+.3f} $ (means)",
            f"Σ ½ΓS²(r² − σ²dt): mean {s['approx']:+.3f} $, correlation with the P&L {s['approx_correlation']:.3f}",
        )

    book = {"realised": _positions(realised, (0.10, 0.15, 0.20, 0.30), 0.05, 0.60), "side": list(SIDES),
            "interval": sorted({interval, "1 day"}, key=list(REBALANCE).index)}
    return _build(controls, compute, describe, book,
                  figure="Left: histogram of the final P&L of the delta-hedged position with its mean; right: each path's P&L against the gamma approximation")


# --- lesson 08 ---------------------------------------------------------------------------


def time_vol_dashboard(snap: Snapshot, *, sign: str = cv.SIGN, window: float = plots.WINDOW,
                       n: int = plots.LEVELS, time: str = cv.TIME, r: float = cv.RATE,
                       q: float = cv.DIVIDEND) -> Dashboard:
    """Lesson 08: what time and implied vol alone do to the levels and to dealers' hedging.

    Controls ``hours`` (calendar hours advanced, from the snapshot to 16:00 on its
    date; :func:`gexlib.whatif.time_choices` labels each with the time left to the close) and
    ``iv_shift``. With ``aged = whatif.advance_time(snap, hours)`` and ``t =
    whatif.shift_iv(aged, iv_shift)`` the state holds ``total_gex``,
    ``zero_gamma`` / ``zero_crossings`` (``gex.zero_gamma_within(t, window)``),
    ``flip``, ``call_wall``, ``put_wall``, ``settled`` (``t.dropped["settled"]``),
    ``asof`` (ISO 8601), the totals of ``gex.charm_flow(snap, hours)`` (time
    passes at today's IVs) as ``charm_shares`` / ``charm_dollars`` and of
    ``gex.vanna_flow(aged, iv_shift)`` (then IVs move) as ``vanna_shares`` /
    ``vanna_dollars`` (positive = dealers buy). The figure is
    :func:`gexlib.plots.time_vol`. Model gamma. The dashboard works on its own copy of ``snap``
    (changing ``snap`` afterwards changes nothing it shows), so what its events ask of that copy and
    of each aged chain is computed once (:func:`gexlib.memo.keep`).
    """
    conv = dict(sign=sign, gamma="model", time=time, r=r, q=q)
    zconv = dict(sign=sign, time=time, r=r, q=q)
    snap, kept_now = _own(snap), {}  # the dashboard's own copy: what its events ask of it is kept (memo.keep)
    controls = {
        "hours": w.SelectionSlider(options=whatif.time_choices(snap), value=0.0, description="time to the close",
                                   continuous_update=False, style=_STYLE, layout=w.Layout(width="420px")),
        "iv_shift": _iv_slider(),
    }

    @functools.lru_cache(maxsize=8)
    def at(hours):  # what time alone does (the IV shift changes neither): the aged chain and the charm flow,
        # and what the events of this time ask of the aged chain, which nothing changes (memo.keep)
        return whatif.advance_time(snap, hours), gex.charm_flow(snap, hours, sign=sign, r=r, q=q), {}

    def compute(v, into=None):
        memo.keep(snap, kept_now)
        aged, charm, kept = at(v["hours"])
        memo.keep(aged, kept)
        t = whatif.shift_iv(aged, v["iv_shift"])
        zero = gex.zero_gamma_within(t, window, **zconv)
        flip = gex.flip_strike(t, **conv)
        walls = gex.walls(t, **conv)
        vanna = gex.vanna_flow(aged, v["iv_shift"], **zconv)
        state = {**v, "sign": sign, "gamma": "model", "asof": t.asof.isoformat(),
                 "settled": int(t.dropped.get("settled", 0)), "total_gex": gex.total_gex(t, **conv),
                 "zero_gamma": zero.value, "zero_crossings": zero.crossings, "flip": flip.value, **walls,
                 "charm_shares": float(charm["shares"].iloc[-1]), "charm_dollars": float(charm["dollars"].iloc[-1]),
                 "vanna_shares": float(vanna["shares"].iloc[-1]), "vanna_dollars": float(vanna["dollars"].iloc[-1])}
        fig = plots.time_vol(snap, hours=v["hours"], iv_shift=v["iv_shift"], chain=t, charm=charm, vanna=vanna,
                             zero=zero, flip=flip, walls=walls, window=window, n=n, **zconv, into=into)
        return state, fig

    def describe(s):
        return _lines(
            f"as of {s['asof']} ({s['settled']} contracts settled since the snapshot), IV shift {s['iv_shift']:+.2f}",
            f"total GEX ({sign} sign, model gamma): {fmt.bn(s['total_gex'])} per 1% move",
            f"zero gamma (within ±{window:.0%} of spot): {fmt.level(s['zero_gamma'])}; flip (cumulative): "
            f"{fmt.level(s['flip'])}",
            f"call wall {fmt.level(s['call_wall'])}, put wall {fmt.level(s['put_wall'])}",
            f"charm flow ({s['hours']:g} h passing): {fmt.bn(s['charm_dollars'])} "
            f"({'buy' if s['charm_shares'] >= 0 else 'sell'} {abs(s['charm_shares']):,.0f} shares)",
            f"vanna flow (IV {s['iv_shift']:+.2f}): {fmt.bn(s['vanna_dollars'])} "
            f"({'buy' if s['vanna_shares'] >= 0 else 'sell'} {abs(s['vanna_shares']):,.0f} shares)",
        )

    choices = [h for _, h in whatif.time_choices(snap)]
    picks = sorted({choices[round(i * (len(choices) - 1) / 6)] for i in range(7)})
    book = {"hours": picks, "iv_shift": _positions(0.0, (-0.05, 0.05))}
    return _build(controls, compute, describe, book,
                  figure="Top: gamma profile after time passes and IVs shift, with spot, zero gamma, flip and walls; below: charm and vanna hedge flows per strike")


# --- lesson 09 ---------------------------------------------------------------------------


def conventions_dashboard(snap: Snapshot, *, window: float = plots.WINDOW, r: float = cv.RATE,
                          q: float = cv.DIVIDEND) -> Dashboard:
    """Lesson 09: what a heatmap cannot know — the same chain under every convention, at any spot and IV.

    Controls ``spot`` and ``iv_shift`` (the chain is ``whatif.apply(snap, iv_shift=,
    spot=)``, each contract keeping its IV plus the shift), ``sign``, ``gamma``
    (source), ``time`` (convention), ``level`` (``"zero_gamma"`` or
    ``"cumulative"``: the level whose negative side fires the regime trigger) and
    ``crossing`` (``"nearest"`` to spot or ``"first"``, the lowest). The state is
    the one row of ``sheet.compare(t, signs=[sign], gammas=[gamma], times=[time],
    flips=[level])`` of that chain ``t`` (plain floats, None for no level) plus
    ``spot``, ``iv_shift``, ``level``, ``crossing`` and ``level_value``, the column
    of :data:`LEVEL_COLUMNS` that the two choices pick. The figure is
    :func:`gexlib.plots.profile` of ``t`` with that choice of zero gamma and flip
    (the profile itself is model gamma). The file's gamma column holds only at the
    file's own spot and IVs, so ``gamma="chain"`` away from them (or on a chain
    without published gamma) is refused with the reason in the readout.

    The book grid offers sign, level and three spots (−3%, today, +3%); gamma, time,
    crossing and the IV shift stay at their defaults there.
    """
    def toggle(name, options, value):
        return w.ToggleButtons(options=list(options), value=value, description=name, style=_STYLE)

    controls = {
        "spot": _spot_slider(snap), "iv_shift": _iv_slider(),
        "sign": toggle("sign", cv.SIGNS, cv.SIGN), "gamma": toggle("gamma", cv.GAMMA_SOURCES, cv.GAMMA),
        "time": toggle("time", cv.TIME_CONVENTIONS, cv.TIME),
        "level": toggle("level", ("zero_gamma", "cumulative"), "zero_gamma"),
        "crossing": toggle("crossing", ("nearest", "first"), "nearest"),
    }

    @functools.lru_cache(maxsize=64)
    def chain_at(spot, iv_shift):
        return whatif.apply(snap, iv_shift=iv_shift, spot=spot)

    @functools.lru_cache(maxsize=None)  # revisiting a choice is instant
    def row_of(spot, iv_shift, sign, gamma, time, level):
        t = chain_at(spot, iv_shift)
        return sheet.compare(t, signs=[sign], gammas=[gamma], times=[time], flips=[level], r=r, q=q).iloc[0]

    def compute(v, into=None):
        try:
            row = row_of(v["spot"], v["iv_shift"], v["sign"], v["gamma"], v["time"], v["level"])
        except ValueError as err:
            return {**v, "error": str(err)}, plots.notice(str(err))
        state = {**{k: _plain(x) for k, x in row.items()}, "spot": float(v["spot"]),
                 "iv_shift": float(v["iv_shift"]), "level": v["level"], "crossing": v["crossing"], "error": None}
        state["level_value"] = state[LEVEL_COLUMNS[(v["level"], v["crossing"])]]
        zero = state[LEVEL_COLUMNS[("zero_gamma", v["crossing"])]]
        flip = state[LEVEL_COLUMNS[("cumulative", v["crossing"])]]
        fig = plots.profile(chain_at(v["spot"], v["iv_shift"]), window=window, zero=zero, flip=flip,
                            sign=v["sign"], gamma=v["gamma"], time=v["time"], r=r, q=q, into=into)
        return state, fig

    def describe(s):
        if s["error"]:
            return _error(s["error"])
        chosen = LEVEL_COLUMNS[(s["level"], s["crossing"])]
        cells = [("spot", fmt.level(s["spot"])), ("IV shift", f"{s['iv_shift']:+.2f}"), ("sign", s["sign"]),
                 ("gamma", s["gamma"]), ("time", s["time"]),
                 ("total GEX", fmt.bn(s["total_gex"])), ("zero gamma", fmt.level(s["zero_gamma"])),
                 ("zero gamma (first)", fmt.level(s["zero_gamma_first"])), ("flip", fmt.level(s["flip_strike"])),
                 ("flip (first)", fmt.level(s["flip_first"])), ("call wall", fmt.level(s["call_wall"])),
                 ("put wall", fmt.level(s["put_wall"])), ("regime", s["regime"])]
        names = {"zero_gamma": "zero gamma", "zero_gamma_first": "zero gamma (first)",
                 "flip_strike": "flip", "flip_first": "flip (first)"}
        head = "".join(f"<th style='padding: 0 .5em'>{n}</th>" for n, _ in cells)
        body = "".join(f"<td style='padding: 0 .5em'>{'<b>' + x + '</b>' if n == names[chosen] else x}</td>"
                       for n, x in cells)
        return (f"<div style='font-family: monospace; padding-left: 1em'>regime level: {s['level']} "
                f"({s['crossing']} crossing) = <b>{fmt.level(s['level_value'])}</b>"
                f"<table><tr>{head}</tr><tr>{body}</tr></table></div>")

    book = {"sign": list(cv.SIGNS), "level": ["zero_gamma", "cumulative"],
            "spot": _spot_positions(snap, (-0.03, 0.03))}
    return _build(controls, compute, describe, book,
                  figure="Gamma profile (net black, calls solid, puts dashed) with spot, zero gamma and flip under the chosen conventions")


# --- lesson 10 ---------------------------------------------------------------------------

#: Ranges of the evidence dashboard's sliders: (min, max, step), trading days or groups.
EVIDENCE_HORIZON = (1, 10, 1)
EVIDENCE_QUANTILES = (2, 10, 1)
EVIDENCE_WINDOW = (5, 120, 5)


def evidence_series(source=None) -> tuple[pd.Series, pd.Series, str]:
    """``(price, gex, name)`` of the evidence dashboard's data.

    ``source`` None: the shipped synthetic history (``spot``, ``gex_practitioner``);
    a path: a ``DIX.csv`` read with :func:`gexlib.dix.read_dix` (``price``, ``gex``);
    a DataFrame with ``price`` and ``gex`` columns (what :func:`gexlib.dix.read_dix` returns).
    """
    if source is None:
        h = datasets.history()
        return h["spot"], h["gex_practitioner"], "synthetic history (data/history.csv, practitioner sign)"
    if isinstance(source, pd.DataFrame):
        return source["price"], source["gex"], "the series passed"
    return (*(lambda d: (d["price"], d["gex"]))(dix.read_dix(source)), str(source))


def evidence_dashboard(source=None, *, horizon: int = cv.HORIZON, quantiles: int = cv.QUANTILES,
                       window: int = cv.VOL_WINDOW, groups: int = cv.VOL_GROUPS, draws: int = cv.BOOT_DRAWS,
                       block: float = cv.BOOT_BLOCK, seed: int = cv.BOOT_SEED,
                       confidence: float = cv.CONFIDENCE) -> Dashboard:
    """Lesson 10: realised vol after negative- and positive-GEX days, with and without a vol control.

    Controls ``horizon`` (trading days of the forward realised vol), ``quantiles`` (GEX
    groups) and ``window`` (trading days of the trailing realised vol, the control). With
    ``price, gex = evidence_series(source)`` and ``p = evidence.panel(price, gex,
    horizon=, window=)`` the state holds ``days`` (rows of ``p``) and, from
    :func:`gexlib.evidence.by_sign` (prefix ``raw_``) and
    :func:`gexlib.evidence.controlled_by_sign` with ``groups`` (prefix ``ctl_``), the mean
    forward vol after ``negative`` and ``positive`` days and the ``difference`` with its
    interval (``_low``, ``_high``), and ``raw_spread`` / ``ctl_spread`` (Q1 − Qq of
    :func:`gexlib.evidence.by_quantile` / :func:`gexlib.evidence.controlled_by_quantile`)
    with theirs. The figure is :func:`gexlib.plots.evidence_panels`. All intervals: stationary
    bootstrap with ``draws``, mean ``block`` and ``seed``, cached by their input
    (:data:`gexlib.evidence.INTERVALS`): ``quantiles`` does not bootstrap the sign comparisons again.

    Parameters
    ----------
    source : None, str, pathlib.Path or pandas.DataFrame
        None for the shipped synthetic history; the path of your own ``DIX.csv``
        download; or a frame with ``price`` and ``gex`` (:func:`evidence_series`).
    """
    price, gex_series, name = evidence_series(source)
    boot = dict(draws=draws, block=block, seed=seed, confidence=confidence)

    def slider(description, value, bounds):
        lo, hi, step = bounds
        return w.IntSlider(value=value, min=lo, max=hi, step=step, description=description,
                           continuous_update=False, style=_STYLE)

    controls = {"horizon": slider("horizon (trading days ahead)", horizon, EVIDENCE_HORIZON),
                "quantiles": slider("GEX quantile groups", quantiles, EVIDENCE_QUANTILES),
                "window": slider("trailing-vol window (days)", window, EVIDENCE_WINDOW)}

    @functools.lru_cache(maxsize=16)
    def panel(horizon, window):  # the days of a setting; the quantile control does not change them
        return evidence.panel(price, gex_series, horizon=horizon, window=window)

    def compute(v, into=None):
        p = panel(v["horizon"], v["window"])
        raw, ctl = evidence.by_sign(p, **boot), evidence.controlled_by_sign(p, groups, **boot)
        raw_q = evidence.by_quantile(p, v["quantiles"], **boot)
        ctl_q = evidence.controlled_by_quantile(p, v["quantiles"], groups, **boot)
        state = {**v, "days": len(p), "negative_days": int(raw.loc["negative", "days"])}
        for prefix, t in (("raw", raw), ("ctl", ctl)):
            for row in ("negative", "positive", "difference"):
                state[f"{prefix}_{row}"] = float(t.loc[row, "forward_vol"])
            state[f"{prefix}_difference_low"] = float(t.loc["difference", "low"])
            state[f"{prefix}_difference_high"] = float(t.loc["difference", "high"])
        for prefix, t in (("raw", raw_q), ("ctl", ctl_q)):
            last = t.iloc[-1]
            state[f"{prefix}_spread"] = float(last["forward_vol"])
            state[f"{prefix}_spread_low"], state[f"{prefix}_spread_high"] = float(last["low"]), float(last["high"])
        fig = plots.evidence_panels(raw_q, ctl_q, evidence.double_sort(p, groups), horizon=v["horizon"], into=into)
        return {k: _plain(x) if not isinstance(x, int) else x for k, x in state.items()}, fig

    def pts(x, lo, hi):
        return f"{100 * x:+.1f} pts [{100 * lo:+.1f}, {100 * hi:+.1f}]"

    def describe(s):
        q = s["quantiles"]
        return _lines(
            f"{name}: {s['days']:,} days, {s['negative_days']:,} with GEX &lt; 0; realised vol of the next "
            f"{s['horizon']} day(s), annualised; control: trailing {s['window']}-day vol in {groups} groups",
            f"after GEX &lt; 0 days {100 * s['raw_negative']:.1f}%, after GEX ≥ 0 {100 * s['raw_positive']:.1f}%: "
            f"difference {pts(s['raw_difference'], s['raw_difference_low'], s['raw_difference_high'])}",
            f"same trailing vol: {100 * s['ctl_negative']:.1f}% against {100 * s['ctl_positive']:.1f}%: "
            f"difference {pts(s['ctl_difference'], s['ctl_difference_low'], s['ctl_difference_high'])}",
            f"Q1 − Q{q} (lowest minus highest GEX): all days "
            f"{pts(s['raw_spread'], s['raw_spread_low'], s['raw_spread_high'])}, within trailing-vol groups "
            f"{pts(s['ctl_spread'], s['ctl_spread_low'], s['ctl_spread_high'])}",
            f"[{confidence:.0%} intervals: stationary bootstrap, {draws:,} draws, mean block {block:g} days]",
        )

    book = {"horizon": sorted({horizon, 1, 5}), "quantiles": sorted({quantiles, 5, 10}),
            "window": sorted({window, 5, 20, 60})}
    return _build(controls, compute, describe, book,
                  figure="Mean realised vol after days in each GEX quantile, over all days and within trailing-vol groups, with bootstrap intervals; and the share of negative-GEX days per trailing-vol group")
