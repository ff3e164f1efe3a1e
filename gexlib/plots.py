"""The lesson figures: pure functions from data to a matplotlib Figure.

Every function takes its data (a snapshot, a simulation result or plain numbers)
and the convention keywords of :mod:`gexlib.conventions`, draws into ``ax`` when
one is given (else a new figure of :data:`FIGSIZE`) and returns the Figure. None
sets a title (captions live in the notebooks) or closes a figure. Exposures are
shown in $bn per 1% move of the underlying.

One meaning per colour, everywhere (:data:`COLORS`): calls, puts and net
exposure each have their colour; spot is a dashed vertical line; zero gamma, the
cumulative flip and the two walls are vertical lines with their own colour and
line style (:data:`STYLES`), drawn by :func:`mark`. Colour is never the only cue
(WCAG 2.1, 1.4.1): put bars are hatched (:data:`HATCHES`), put curves dashed
(:data:`SERIES_STYLES`), every level line has its own dash pattern, and every
colour stands out from the white background by at least 3:1 (1.4.11).

Levels that the figures mark (``zero``, ``flip``, ``walls``) default to
:data:`AUTO`, computed from the snapshot with the same conventions; pass a number,
a :class:`gexlib.gex.Level`, or None (no line) to draw precomputed values.

The figures a dashboard redraws on every event (:func:`payoff_and_greeks`,
:func:`hedge_paths`, :func:`per_strike`, :func:`profile`, :func:`heatmap`,
:func:`tape_paths`, :func:`pin_close`, :func:`scalp_pnl`, :func:`time_vol`,
:func:`greek_flows`, :func:`evidence_panels`) take ``into=``, a figure the same
function returned before (called without ``ax``): they
put the new numbers into its artists instead of building a new figure. Build and
update run the same code for everything derived from the data (limits, labels, bar
geometry), so an updated figure draws the pixels a new one draws.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import cbook
from matplotlib import ticker as mticker
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.patches import PathPatch
from matplotlib.path import Path

from . import bs, fmt, gex, hedging, whatif
from . import conventions as cv
from .chain import Snapshot

#: Colour of each meaning (Okabe–Ito palette, readable with colour-vision deficiency; the walls,
#: the payoff and the unhedged paths darkened to a contrast of at least 3:1 against white).
COLORS = {
    "call": "#0072B2",        # blue
    "put": "#D55E00",         # vermillion
    "net": "#333333",         # near-black
    "spot": "#000000",        # black, dashed
    "zero_gamma": "#CC79A7",  # reddish purple
    "flip": "#009E73",        # bluish green
    "call_wall": "#1F8FCF",   # sky blue (darkened), kin to calls
    "put_wall": "#B98000",    # orange (darkened), kin to puts
    "expiry": "#858585",      # grey: payoff at expiry
    # lessons 06-08 (Paul Tol's colour-blind-safe muted palette, outside the Okabe–Ito colours above)
    "long_gamma": "#117733",  # green: dealers long gamma, hedging damps moves
    "short_gamma": "#882255",  # wine: dealers short gamma, hedging amplifies moves
    "no_hedging": "#949494",  # light grey: the same news without dealer hedging
    "charm": "#332288",       # indigo: hedge flow as time passes
    "vanna": "#999933",       # olive: hedge flow as implied vol moves
    # lesson 10 (Tol's muted palette): a comparison before and after the trailing-vol control
    "unconditional": "#6C7A89",  # slate grey: all days, no control
    "controlled": "#00897B",     # teal: within trailing-vol groups (double sort)
}
#: Line style of each vertical level line (all different, so a level reads without its colour).
STYLES = {"spot": "--", "zero_gamma": "-.", "flip": ":", "call_wall": (0, (6, 2, 1, 2, 1, 2)),
          "put_wall": (0, (10, 3))}
#: Line style of each series drawn as a curve: puts dashed, so calls and puts differ without colour.
SERIES_STYLES = {"call": "-", "put": (0, (5, 2)), "net": "-", "long_gamma": "-", "short_gamma": (0, (4, 1.5))}
#: Hatching of each series drawn as bars (None: solid): put and vanna bars hatched, net bars dotted.
HATCHES = {"call": None, "put": "///", "net": "..", "charm": None, "vanna": "\\\\\\"}
#: Legend label of each level line.
LABELS = {"spot": "spot", "zero_gamma": "zero gamma", "flip": "flip (cumulative)",
          "call_wall": "call wall", "put_wall": "put wall"}
#: Line width of every line.
LW = 2
#: The thin grey line at y = 0 (or x = 0): a reference, not data.
ZERO_LINE = {"color": "0.8", "lw": 1, "zorder": 0}
#: Default figure size in inches.
FIGSIZE = (7.0, 4.0)
#: Half-width of the strike / spot window shown around spot, as a fraction of spot (:data:`gexlib.gex.WINDOW`).
WINDOW = gex.WINDOW
#: Half-width of the strike window of the heatmap, as a fraction of spot.
HEATMAP_WINDOW = 0.05
#: Hypothetical spot levels of the profile curve.
LEVELS = 201
#: Dollars per $bn.
BN = 1e9
#: Default of the ``zero`` / ``flip`` / ``walls`` arguments: compute from the snapshot.
AUTO = "auto"
GEX_LABEL = "GEX ($bn per 1% move)"

#: Greek name -> (function, takes ``kind``, axis label).
GREEKS = {
    "price": (bs.price, True, "option price ($)"),
    "delta": (bs.delta, True, "delta (shares per option)"),
    "gamma": (bs.gamma, False, "gamma (delta per $1 move)"),
    "vega": (bs.vega, False, "vega ($ per vol point)"),
    "theta": (bs.theta, True, "theta ($ per day)"),
    "vanna": (bs.vanna, False, "vanna (delta per vol point)"),
    "charm": (bs.charm, True, "charm (delta per day)"),
}


# --- helpers ------------------------------------------------------------------------------


def bn(dollars: float | None) -> str:
    """Dollars as signed billions, e.g. ``"+$15.31bn"``; ``"n/a"`` for None (:func:`gexlib.fmt.bn`)."""
    return fmt.bn(dollars)


def _axes(ax, figsize=FIGSIZE):
    """``(fig, ax)``: the given axes and its figure, or a new figure."""
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax
    return ax.figure, ax


def _row(axes, n: int, height: float):
    """``(fig, axes)``: the given row of Axes and its figure, or a new figure of ``n`` panels side by side,
    :data:`FIGSIZE` wide plus 2 inches and ``height`` inches high."""
    if axes is None:
        return plt.subplots(1, n, figsize=(FIGSIZE[0] + 2.0, height), layout="constrained")
    return axes[0].figure, axes


def _value(level) -> float | None:
    """A float from a number, a :class:`gexlib.gex.Level` or None."""
    if level is None:
        return None
    if isinstance(level, gex.Level):
        return level.value
    return float(level)


def mark(ax, kind: str, x: float | None, *, xlim=None, line=None, keep: bool = False):
    """Draw the vertical line of a level (``"spot"``, ``"zero_gamma"``, ``"flip"``, walls).

    Nothing is drawn when ``x`` is None or outside ``xlim`` (then the legend does
    not list a line the reader cannot see). Returns the line or None.

    ``line``, a line this function returned before, is moved to ``x`` (or hidden) instead
    of drawing a new one; ``keep`` draws the line even when it is not shown (hidden, its
    label starting with ``_`` so no legend lists it), so a later call can show it.
    """
    shown = x is not None and (xlim is None or xlim[0] <= x <= xlim[1])
    if line is None:
        if not shown and not keep:
            return None
        line = ax.axvline(x if shown else (xlim[0] if xlim is not None else 0.0), color=COLORS[kind],
                          ls=STYLES[kind], lw=LW)
    if shown:
        line.set_xdata([x, x])
    line.set_label(f"{LABELS[kind]} {x:,.0f}" if shown else f"_{kind}")
    line.set_visible(shown)
    return line


class Bars(PolyCollection):
    """Vertical bars as one collection, filled and hatched as one compound path.

    Agg fills and hatches each polygon of a collection on its own, which costs more
    than the rest of a dashboard figure. Bars set by :func:`bars` or :meth:`set_bars`
    (rectangles, opaque, no edges) are filled as one path of every rectangle, snapped
    to pixels as Agg snaps each rectangle, which gives the very pixels of the
    per-bar fill (tests compare them on the lesson figures and on random bars,
    overlapping ones included), and the hatch is laid over all of them at once, the
    same picture as per-bar hatching to within a few pixels. Each bar's own path is
    made only when asked for (:meth:`get_paths`). The collection keeps its ``hatch``,
    so legends show it; other polygons, colours per bar, transparency or edges are
    drawn as :class:`~matplotlib.collections.PolyCollection` draws them.
    """

    _gexlib_verts = None  # the corners set_bars (or bars) set, while they are the bars shown

    def set_verts(self, verts, closed=True):
        super().set_verts(verts, closed)
        self._gexlib_verts = None  # not bars set by set_bars (or replaced behind its back)

    def set_paths(self, verts, closed=True):
        self.set_verts(verts, closed)

    def set_verts_and_codes(self, verts, codes):
        super().set_verts_and_codes(verts, codes)
        self._gexlib_verts = None

    def set_bars(self, x, heights, width: float) -> None:
        """Replace the bars: centres ``x``, ``heights`` and one ``width`` (as :func:`bars` draws them).

        Bars equal to those the last call set (corner for corner, and not replaced since) are kept
        as they are. The bars' paths are made when :meth:`get_paths` asks for them.
        """
        verts = _bar_verts(x, heights, width)
        if self._gexlib_verts is not None and np.array_equal(self._gexlib_verts, verts):
            return
        self._gexlib_verts = verts
        self._paths = None
        self.stale = True

    def get_paths(self):
        if self._paths is None and self._gexlib_verts is not None:  # as PolyCollection.set_verts makes them
            self._paths = [Path(xy, closed=True) for xy in _closed(self._gexlib_verts)]
        return self._paths

    def _compound(self) -> Path | None:
        """Every bar as one path (None without bars): the paths of :meth:`get_paths` joined."""
        verts = self._gexlib_verts
        if verts is None:
            paths = self.get_paths()
            return Path.make_compound_path(*paths) if paths else None
        if not len(verts):
            return None
        return Path(_closed(verts).reshape(-1, 2), np.tile(_BAR_CODES, len(verts)))

    def _one_fill(self) -> bool:
        """Whether the bars can be filled as one path with the pixels of the per-bar fill (see the class)."""
        faces, edges = self.get_facecolor(), self.get_edgecolor()
        return (self._gexlib_verts is not None and len(faces) == 1 and faces[0][3] == 1.0
                and (len(edges) == 0 or not np.any(edges[:, 3])) and self.get_alpha() in (None, 1.0)
                and self.get_snap() is not False and self.get_transform().is_affine
                and np.isfinite(self._gexlib_verts).all() and not self.get_path_effects()
                and self.get_sketch_params() is None and not np.any(self.get_offsets()))

    def _overlay(self, compound: Path, **style) -> PathPatch:
        patch = PathPatch(compound, transform=self.get_transform(), **style)
        patch.set_figure(self.get_figure(root=False))
        patch.set_clip_box(self.get_clip_box())
        patch.set_clip_path(self.get_clip_path())
        patch.set_zorder(self.get_zorder())
        patch.set_alpha(self.get_alpha())
        return patch

    def draw(self, renderer):
        if not self.get_visible():
            return super().draw(renderer)
        hatch = self.get_hatch()
        one = self._one_fill()
        if not hatch and not one:
            return super().draw(renderer)
        compound = self._compound()
        if one:
            if compound is not None:  # snapped as Agg snaps each rectangle; the collection's line width
                self._overlay(compound, facecolor=self.get_facecolor()[0], edgecolor="none",
                              lw=self.get_linewidth()[0], snap=True,
                              antialiased=bool(self.get_antialiased()[0])).draw(renderer)
        else:
            self._hatch = None  # the colour alone, then the hatch over every bar at once
            try:
                super().draw(renderer)
            finally:
                self._hatch = hatch
        if hatch and compound is not None:
            overlay = self._overlay(compound, facecolor="none", edgecolor="none", hatch=hatch, lw=0)
            overlay.set_hatchcolor(np.atleast_2d(self.get_hatchcolor())[0])
            overlay.draw(renderer)
        self.stale = False
        return None


_BAR_CODES = np.array([Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY], dtype=Path.code_type)


def _closed(verts: np.ndarray) -> np.ndarray:
    """Bar corners ``(bars, 4, 2)`` with each bar's first corner repeated at its end, ``(bars, 5, 2)``."""
    return np.concatenate([verts, verts[:, :1]], axis=1)


def _bar_verts(x, heights, width: float) -> np.ndarray:
    """Corners of vertical bars from 0 to ``heights`` centred at ``x``, shape ``(bars, 4, 2)``."""
    x = np.asarray(x, dtype=float)
    h = np.asarray(heights, dtype=float)
    left, right, zero = x - width / 2, x + width / 2, np.zeros_like(x)
    return np.stack([np.stack([left, zero], 1), np.stack([left, h], 1),
                     np.stack([right, h], 1), np.stack([right, zero], 1)], axis=1)


def bars(ax, x, heights, width: float, *, color, label: str | None = None, hatch: str | None = None) -> Bars:
    """Vertical bars centred at ``x`` as one collection (one artist: fast to draw with many bars).

    ``hatch`` (a matplotlib hatch pattern, e.g. from :data:`HATCHES`) is drawn in white over the colour.
    :meth:`Bars.set_bars` replaces them later.
    """
    verts = _bar_verts(x, heights, width)
    coll = Bars(verts, facecolors=color, edgecolors="none", label=label, hatch=hatch, hatchcolor="white")
    coll._gexlib_verts = verts  # the bars set_bars compares with and the fill is made from
    ax.add_collection(coll)
    ax.autoscale_view()
    return coll


def legend(ax, handles=None, labels=None, ncols: int = 3, *, reuse: bool = False):
    """The legend in a row above the axes (outside the data, never over it).

    With ``reuse``, a legend this function drew on ``ax`` for the same artists (same
    handles in the same order, same ``ncols``) only takes the new ``labels``; any other
    legend of ``ax`` is replaced, or removed when there is nothing to list.
    """
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    old = ax.get_legend()
    if reuse and old is not None and getattr(old, "gexlib_source", None) == (tuple(handles), ncols):
        for text, label in zip(old.texts, labels, strict=True):
            text.set_text(label)
        return old
    if not handles:
        if old is not None:
            old.remove()
        return None
    leg = ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0.0, 1.01), ncols=ncols,
                    frameon=False, fontsize="small", borderaxespad=0.0, handlelength=2.5)
    leg.gexlib_source = (tuple(handles), ncols)  # what reuse compares: the artists listed, not their data
    return leg


#: ``gid`` of the collections drawn by :func:`path_lines` (so tests and readers can find them).
PATHS_GID = "gexlib-paths"


def path_lines(ax, x, ys, *, color, ls="-", alpha: float = 1.0, label: str | None = None,
               zorder: float = 2) -> LineCollection:
    """Paths sharing one x axis (``ys`` of shape ``(paths, len(x))``) as one collection at :data:`LW`.

    One artist instead of one ``plot`` per path (cheaper to build and draw), styled as
    those lines: same colour, line style (dashes scaled by the width), alpha, joins and caps.
    """
    coll = LineCollection(_segments(x, ys), colors=color, linestyles=ls, linewidths=LW, alpha=alpha, label=label,
                          zorder=zorder, joinstyle="round", capstyle=_capstyle(ls))
    coll.set_gid(PATHS_GID)
    ax.add_collection(coll)
    ax.autoscale_view()
    return coll


def _segments(x, ys) -> np.ndarray:
    """The ``(paths, len(x), 2)`` vertices of paths ``ys`` sharing the x values ``x``."""
    ys = np.atleast_2d(np.asarray(ys, dtype=float))
    x = np.asarray(x, dtype=float)
    return np.stack([np.broadcast_to(x, ys.shape), ys], axis=-1)


def _capstyle(ls) -> str:
    """Line ends of :func:`path_lines`: projecting on solid lines (as ``plot``), butt on dashed ones."""
    return "projecting" if ls in ("-", "solid") else "butt"


def _repath(coll, x, ys):
    """Put the paths ``ys`` (sharing ``x``) into a collection drawn by :func:`path_lines`."""
    coll.set_segments(_segments(x, ys))


def step_hist(ax, values, edges, *, color, label: str | None = None, **kw):
    """A histogram outline (counts of ``values`` in the bins ``edges``) as one step line at :data:`LW`.

    The look of ``ax.hist(values, bins=edges, histtype="step")``: counting is one
    :func:`numpy.histogram`, drawing one :meth:`matplotlib.axes.Axes.stairs` down to 0 at both ends.
    """
    return ax.stairs(_counts(values, edges), edges, baseline=0.0, lw=LW, color=color, label=label, **kw)


def _counts(values, edges) -> np.ndarray:
    """Counts of ``values`` in the bins ``edges``, as :func:`step_hist` draws them."""
    counts, _ = np.histogram(values, bins=edges)
    return counts


def _restep(stairs, values, edges):
    """Put the counts of ``values`` in the bins ``edges`` into a histogram drawn by :func:`step_hist`."""
    stairs.set_data(_counts(values, edges), edges)


def _percentile_edges(values, bins: int, tails) -> np.ndarray:
    """``bins + 1`` equal bins from the ``tails[0]``-th to the ``tails[1]``-th percentile of ``values``."""
    return np.linspace(*np.percentile(values, tails), bins + 1)


#: Name of the Figure attribute that records what an in-place update (``into=``) changes.
LIVE = "gexlib_live"


def _live(into, kind: str, key) -> dict | None:
    """The record ``into.gexlib_live`` left by the plot function ``kind`` for the structure ``key``, else None.

    None (build a new figure) when ``into`` is None, was made by another function
    (or by ``kind`` drawing into given axes) or holds another structure, or when
    an Axes it records (``"axes"``, where recorded) was removed from the figure since.
    """
    live = getattr(into, LIVE, None)
    if not isinstance(live, dict) or live.get("kind") != kind or live.get("key") != key:
        return None
    if any(ax.figure is not into or ax not in into.axes for ax in live.get("axes", ())):
        return None
    return live


class _Shown:
    """What an in-place update last put into a figure (``value``), kept to compare the next update with.

    Pickled empty: a figure's key (:func:`gexlib.course.widgets.figure_key`) is of what it
    draws, and this is not drawn.
    """

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __reduce__(self):
        return (_Shown, (None,))


def _shows(record: dict, value) -> bool:
    """Whether ``record`` holds ``value`` as what it shows (:class:`_Shown`; compared by ``==``, objects by identity)."""
    shown = record.get("shows")
    return isinstance(shown, _Shown) and shown.value is not None and _same(shown.value, value)


def _same(a, b) -> bool:
    """Equal numbers, strings and arrays (``np.array_equal``), tuples and lists of them item by item; other objects
    only when they are the same object."""
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and np.array_equal(a, b)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (str, int, float, np.floating, np.integer)) and isinstance(b, (str, int, float, np.floating,
                                                                                       np.integer)):
        return a == b
    return False  # other objects: the same one only


def _keep(fig, live: dict) -> dict:
    """Record on ``fig`` the artists an in-place update changes (``live``, itself, not a copy: an update
    that replaces an artist in it is seen by the next), with its ``"kind"`` and ``"key"`` (see :func:`_live`)."""
    setattr(fig, LIVE, live)
    return live


def _refit(ax, *hists, zero: str = ""):
    """Data limits recomputed from every artist, then the view autoscaled to them.

    Run last by both the build and the in-place update of a figure, so the two show the
    same limits. ``hists``: histograms of :func:`_live_hist`, counted by their vertices
    (the limits matplotlib finds along their path of straight steps, without its
    per-segment curve analysis: about 10 ms a histogram). ``zero``: the axes (``"x"``,
    ``"y"``) with a :func:`_zero_line`, which widens the view only when 0 is outside the
    data's view, as ``axvline`` / ``axhline`` drawn after the data do.
    """
    ax.relim()
    for hist in hists:
        ax.update_datalim(hist.get_path().vertices)
    ax.autoscale_view()
    for name in zero:
        lo, hi = ax.get_xbound() if name == "x" else ax.get_ybound()
        if not lo <= 0.0 <= hi:
            ax.update_datalim([(0.0, 0.0)], updatex=name == "x", updatey=name == "y")
            ax.autoscale_view(scalex=name == "x", scaley=name == "y")


def _relegend(ax, ncols: int, style=None):
    """:func:`legend` of ``ax``, relabelled in place (``reuse``) unless ``style`` changed since the last call.

    ``style`` names the colours and line styles of the entries (the legend's handles copy them when drawn).
    """
    old = ax.get_legend()
    leg = legend(ax, ncols=ncols, reuse=old is not None and getattr(old, "gexlib_style", None) == style)
    if leg is not None:
        leg.gexlib_style = style
    return leg


def _zero_line(ax, name: str):
    """The :data:`ZERO_LINE` at x = 0 (``name="x"``) or y = 0, for :func:`_refit` to count (``zero=name``)."""
    line = ax.axvline(0.0, **ZERO_LINE) if name == "x" else ax.axhline(0.0, **ZERO_LINE)
    line._set_in_autoscale(False)
    return line


def _live_hist(ax, *, color, **kw):
    """An empty :func:`step_hist` for :func:`_restep` to fill, left out of :meth:`~matplotlib.axes.Axes.relim`
    (:func:`_refit` counts it)."""
    hist = step_hist(ax, [], [0.0, 1.0], color=color, **kw)
    hist._set_in_autoscale(False)
    return hist


def _conv(sign, gamma, time, carry, iv, r, q):
    return dict(sign=sign, gamma=gamma, time=time, carry=carry, iv=iv, r=r, q=q)


def window_limits(spot: float, window: float = WINDOW) -> tuple[float, float]:
    """``((1 − window) × spot, (1 + window) × spot)``: the x range of the strike figures."""
    return (1.0 - window) * float(spot), (1.0 + window) * float(spot)


def _fit_y(ax, *values, zero: bool = False) -> None:
    """Autoscale the y-axis of ``ax`` to ``values`` (and 0 with ``zero``) with the axes' margins.

    The limits autoscaling of the drawn artists gives, taken from the numbers instead
    of the artists (``Axes.relim`` skips collections such as :class:`Bars`), so that a
    figure updated in place gets the limits a new one gets. Non-finite values are
    ignored; the x data limits are left alone.
    """
    y = np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in values] + [np.zeros(int(zero))])
    y = y[np.isfinite(y)]
    ax.dataLim.intervaly = (np.inf, -np.inf)
    if y.size:
        ax.update_datalim([(0.0, y.min()), (0.0, y.max())], updatex=False)
    ax.set_autoscaley_on(True)
    ax.autoscale_view(scalex=False)


def _align_zero(ax1, ax2):
    """Put y = 0 at the same height on two y-axes sharing an x-axis."""
    lo1, hi1 = ax1.get_ylim()
    lo2, hi2 = ax2.get_ylim()
    lo1, hi1, lo2, hi2 = min(lo1, 0), max(hi1, 0), min(lo2, 0), max(hi2, 0)
    f = max(-lo1 / (hi1 - lo1) if hi1 > lo1 else 0.5, -lo2 / (hi2 - lo2) if hi2 > lo2 else 0.5)
    # with zero at fraction f of the height, each axis needs the larger of its two extents
    for ax, lo, hi in ((ax1, lo1, hi1), (ax2, lo2, hi2)):
        span = max(hi / (1 - f) if f < 1 else 0, -lo / f if f > 0 else 0) or 1.0
        ax.set_ylim(-f * span, (1 - f) * span)


# --- lesson 01: options and greeks --------------------------------------------------------


def _greek(name: str, S, K, T, iv, kind, r, q):
    cv.check_choice("greek", name, GREEKS)
    fn, with_kind, _ = GREEKS[name]
    return fn(S, K, T, iv, r=r, q=q, kind=kind) if with_kind else fn(S, K, T, iv, r=r, q=q)


def greek_curves(greek: str = "gamma", *, strike: float = 100.0, days=(7, 30, 90), iv: float = 0.20,
                 kind: str = "C", spot: float | None = None, spots=None, r: float = cv.RATE,
                 q: float = cv.DIVIDEND, ax=None, show_legend: bool = True):
    """One greek against spot for several expiries (lesson 01).

    Parameters
    ----------
    greek : {"price", "delta", "gamma", "vega", "theta", "vanna", "charm"}
        Units as in :mod:`gexlib.bs`.
    strike : float
        Strike, $.
    days : sequence of float
        Calendar days to expiry, one curve each (``T = days / 365``), darker when shorter.
    iv : float
        Implied vol, decimal per year.
    kind : {"C", "P"}
        Calls are drawn in the call colour, puts in the put colour.
    spot : float, optional
        Where to draw the spot line.
    spots : array_like, optional
        x grid (default 301 levels over 0.7–1.3 × strike).
    show_legend : bool
        False leaves the legend out (e.g. on all but one panel of a row).
    """
    fig, ax = _axes(ax)
    S = np.linspace(0.7 * strike, 1.3 * strike, 301) if spots is None else np.asarray(spots, dtype=float)
    days = list(np.atleast_1d(days))
    for i, d in enumerate(sorted(days)):
        y = _greek(greek, S, strike, float(d) / 365.0, iv, kind, r, q)
        side = "call" if kind == "C" else "put"
        ax.plot(S, y, color=COLORS[side], ls=SERIES_STYLES[side], lw=LW,
                alpha=1.0 if len(days) == 1 else 1.0 - 0.65 * i / (len(days) - 1),
                label=f"{d:g} day" + ("" if d == 1 else "s"))
    mark(ax, "spot", spot)
    ax.axhline(0.0, **ZERO_LINE)
    ax.set_xlabel("spot ($)")
    ax.set_ylabel(GREEKS[greek][2])
    if show_legend:
        legend(ax, ncols=4)
    return fig


def payoff_and_greeks(*, strike: float = 100.0, days: float = 30.0, iv: float = 0.20, spot: float = 100.0,
                      kind: str = "C", r: float = cv.RATE, q: float = cv.DIVIDEND, spots=None, axes=None,
                      into=None):
    """Price (with the payoff at expiry), delta and gamma against spot, one option (lesson 01).

    A dot marks the values at ``spot``; three panels side by side (``axes``: three
    Axes to draw into, else a new figure). ``into``: a figure this function made
    (without ``axes``), updated in place with these values and returned; a new
    figure when it cannot be (another function's figure, another ``kind``).
    """
    side = "call" if kind == "C" else "put"
    live = _live(into, "payoff_and_greeks", side) if axes is None else None
    if live is None:
        own = axes is None
        fig, axes = _row(axes, 3, 3.2)
        color = COLORS[side]
        panels = []
        for ax, name in zip(axes, ("price", "delta", "gamma"), strict=True):
            (curve,) = ax.plot([], [], color=color, ls=SERIES_STYLES[side], lw=LW)
            payoff = (ax.plot([], [], color=COLORS["expiry"], lw=LW, label="at expiry", zorder=1)[0]
                      if name == "price" else None)
            (dot,) = ax.plot([], [], "o", color=color, ms=7)
            panels.append({"ax": ax, "name": name, "curve": curve, "payoff": payoff, "dot": dot,
                           "spot": mark(ax, "spot", None, keep=True)})
            ax.set_xlabel("spot ($)")
            ax.set_ylabel(GREEKS[name][2])
        live = {"kind": "payoff_and_greeks", "key": side, "axes": tuple(axes), "panels": panels}
        if own:
            _keep(fig, live)
    else:
        fig = into
    S = np.linspace(0.7 * strike, 1.3 * strike, 301) if spots is None else np.asarray(spots, dtype=float)
    T = float(days) / 365.0
    for panel in live["panels"]:
        ax, name = panel["ax"], panel["name"]
        panel["curve"].set_data(S, _greek(name, S, strike, T, iv, kind, r, q))
        panel["curve"].set_label(f"{days:g} days")
        if panel["payoff"] is not None:
            panel["payoff"].set_data(S, _greek("price", S, strike, 0.0, iv, kind, r, q))
        panel["dot"].set_data([spot], [_greek(name, spot, strike, T, iv, kind, r, q)])
        mark(ax, "spot", spot, line=panel["spot"])
        _refit(ax)
    _relegend(live["panels"][0]["ax"], 2)
    return fig


# --- lesson 03: dealer gamma per strike ---------------------------------------------------


def _in_window(df: pd.DataFrame, lim) -> pd.DataFrame:
    return df[(df["strike"] >= lim[0]) & (df["strike"] <= lim[1])]


def _bar_width(strikes: np.ndarray) -> float:
    d = np.diff(np.unique(strikes))
    return float(d.min()) if d.size else 1.0


def per_strike(snap: Snapshot, *, window: float = WINDOW, flip=AUTO, ax=None, sign: str = cv.SIGN,
               gamma: str = cv.GAMMA, time: str = cv.TIME, carry: str = cv.CARRY, iv: str = cv.IV, r: float = cv.RATE,
               q: float = cv.DIVIDEND, into=None):
    """Call and put GEX per strike (bars), the cumulative net GEX (line, right axis), spot and flip.

    The cumulative sum runs over every strike of the chain from the lowest up
    (:func:`gexlib.gex.flip_strike` finds where it changes sign); only strikes
    within ``window × spot`` of spot are shown, and the two y-axes share their zero.
    ``into``: a figure this function returned before (drawn without ``ax``) to update
    in place and return; ignored when ``ax`` is given (see :mod:`gexlib.plots`).
    """
    conv = _conv(sign, gamma, time, carry, iv, r, q)
    lim = window_limits(snap.spot, window)
    ps = gex.per_strike_gex(snap, **conv)
    strikes = ps["strike"].to_numpy(dtype=float)
    inside = (strikes >= lim[0]) & (strikes <= lim[1])
    K = strikes[inside]
    flip = gex.flip_strike(snap, **conv) if isinstance(flip, str) and flip == AUTO else flip
    data = {"lim": lim, "K": K, "call": ps["call"].to_numpy(dtype=float)[inside] / BN,
            "put": ps["put"].to_numpy(dtype=float)[inside] / BN,
            "cumulative": ps["net"].cumsum().to_numpy(dtype=float)[inside] / BN,
            "spot": float(snap.spot), "flip": _value(flip)}
    key = (K.size > 0,)  # an empty window autoscales differently: drawn anew
    live = _live(into, "per_strike", key) if ax is None else None
    if live is None:
        live = _per_strike_panel(*_axes(ax), key, own=ax is None)
    _per_strike_update(live, data)
    return live["axes"][0].figure


def _per_strike_panel(fig, ax, key, own: bool) -> dict:
    """The artists of :func:`per_strike`, without data (:func:`_per_strike_update` puts it in)."""
    calls = bars(ax, [], [], 1.0, color=COLORS["call"], label="calls", hatch=HATCHES["call"])
    puts = bars(ax, [], [], 1.0, color=COLORS["put"], label="puts", hatch=HATCHES["put"])
    ax.axhline(0.0, **ZERO_LINE)
    ax.set_xlabel("strike")
    ax.set_ylabel(GEX_LABEL)
    ax2 = ax.twinx()
    (line,) = ax2.plot([], [], color=COLORS["net"], lw=LW, label="cumulative net")
    ax2.set_ylabel("cumulative GEX ($bn per 1% move)")
    live = {"kind": "per_strike", "key": key, "axes": (ax, ax2), "calls": calls, "puts": puts, "line": line,
            "spot": mark(ax, "spot", None, keep=True), "flip": mark(ax, "flip", None, keep=True)}
    if own:  # a figure of its own, not a panel of another: can be updated later
        _keep(fig, live)
    return live


def _per_strike_update(live: dict, d: dict) -> None:
    """Put the numbers of :func:`per_strike` into its artists (a new figure's and an updated one's)."""
    ax, ax2 = live["axes"]
    K, lim = d["K"], d["lim"]
    w = 0.45 * _bar_width(K)
    live["calls"].set_bars(K - w / 2, d["call"], w)
    live["puts"].set_bars(K + w / 2, d["put"], w)
    live["line"].set_data(K, d["cumulative"])
    _fit_y(ax, d["call"], d["put"], zero=True)  # the bars and the zero line
    _fit_y(ax2, d["cumulative"])
    _align_zero(ax, ax2)
    for a in (ax, ax2):
        a.set_xlim(*lim)
    mark(ax, "spot", d["spot"], xlim=lim, line=live["spot"])
    mark(ax, "flip", d["flip"], xlim=lim, line=live["flip"])
    (h1, l1), (h2, l2) = ax.get_legend_handles_labels(), ax2.get_legend_handles_labels()
    legend(ax2, h1 + h2, l1 + l2, reuse=True)  # on ax2, which is drawn on top


def hedge_flow_bars(snap: Snapshot, *, move: float = hedging.MOVE, window: float = WINDOW, flow=None,
                    ax=None, sign: str = cv.SIGN, time: str = cv.TIME, carry: str = cv.CARRY, iv: str = cv.IV, r: float = cv.RATE,
                    q: float = cv.DIVIDEND):
    """Dealers' hedge flow per strike for a move of ``move`` (decimal) from spot, in $bn.

    Exact flow (every contract re-valued after the move) from
    :func:`gexlib.hedging.flow_for_move`; positive = dealers buy. Pass ``flow``
    (that function's result) to draw precomputed numbers.
    """
    fig, ax = _axes(ax)
    if flow is None:
        flow = hedging.flow_for_move(snap, move, sign=sign, time=time, carry=carry, iv=iv, r=r, q=q)
    lim = window_limits(snap.spot, window)
    shown = _in_window(flow.dropna(subset=["strike"]), lim)
    K = shown["strike"].to_numpy(dtype=float)
    bars(ax, K, shown["dollars_exact"] / BN, 0.9 * _bar_width(K), color=COLORS["net"],
         label=f"dealer hedge flow, total {bn(float(flow['dollars_exact'].iloc[-1]))}")
    ax.axhline(0.0, **ZERO_LINE)
    ax.set_xlim(*lim)
    mark(ax, "spot", float(snap.spot), xlim=lim)
    ax.set_xlabel("strike")
    ax.set_ylabel(f"hedge flow ($bn, {move * 100:+g}% move)")
    legend(ax)
    return fig


def dealer_gamma(snap: Snapshot, *, window: float = WINDOW, move: float = hedging.MOVE, flip=AUTO,
                 flow=None, sign: str = cv.SIGN, gamma: str = cv.GAMMA, time: str = cv.TIME,
                 carry: str = cv.CARRY, iv: str = cv.IV, r: float = cv.RATE, q: float = cv.DIVIDEND):
    """Lesson 03 figure: :func:`per_strike` above :func:`hedge_flow_bars`, sharing the strike axis."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(FIGSIZE[0], 6.5), sharex=True, layout="constrained",
                                      height_ratios=(3, 2))
    per_strike(snap, window=window, flip=flip, ax=top, sign=sign, gamma=gamma, time=time, carry=carry, iv=iv, r=r, q=q)
    hedge_flow_bars(snap, move=move, window=window, flow=flow, ax=bottom, sign=sign, time=time, carry=carry, iv=iv, r=r, q=q)
    top.set_xlabel("")
    return fig


def bucket_bars(snap: Snapshot, *, ax=None, sign: str = cv.SIGN, gamma: str = cv.GAMMA,
                time: str = cv.TIME, carry: str = cv.CARRY, iv: str = cv.IV, r: float = cv.RATE, q: float = cv.DIVIDEND):
    """Call, put and net GEX per expiry bucket (:data:`gexlib.gex.BUCKETS`), grouped bars."""
    fig, ax = _axes(ax)
    tab = gex.gex_by_expiry(snap, by="bucket", **_conv(sign, gamma, time, carry, iv, r, q))
    x = np.arange(len(tab))
    for i, side in enumerate(("call", "put", "net")):
        bars(ax, x + (i - 1) * 0.27, tab[side] / BN, 0.27, color=COLORS[side],
             label={"call": "calls", "put": "puts", "net": "net"}[side], hatch=HATCHES[side])
    ax.axhline(0.0, **ZERO_LINE)
    ax.set_xticks(x, tab["bucket"])
    ax.set_xlabel("expiry bucket")
    ax.set_ylabel(GEX_LABEL)
    legend(ax)
    return fig


# --- lesson 04: the profile and the flip --------------------------------------------------


def profile_levels(spot: float, window: float = WINDOW, n: int = LEVELS) -> np.ndarray:
    """The hypothetical spot levels of :func:`profile`: ``n`` levels over ``spot × (1 ± window)``."""
    return np.linspace(*window_limits(spot, window), int(n))


def _profile_data(snap: Snapshot, zero, flip, walls, window: float, n: int, conv: dict, *,
                  by_type: bool = True, gamma: str = "model") -> dict:
    """What :func:`profile` (and :func:`time_vol`'s profile panel) draws: levels, curves in $bn, level lines.

    The curves are always model gamma; ``gamma`` is that of the flip and walls computed
    here (``AUTO``). ``conv``: sign, time, carry, iv, r, q.
    """
    S = profile_levels(snap.spot, window, n)
    if by_type:
        call, put, net = gex.gamma_profile(snap, S, by_type=True, **conv)
        curves = {"calls": call / BN, "puts": put / BN, "net": net / BN}
    else:
        curves = {"net": gex.gamma_profile(snap, S, **conv) / BN}
    zero = gex.zero_gamma_within(snap, window, **conv) if isinstance(zero, str) and zero == AUTO else zero
    flip = gex.flip_strike(snap, gamma=gamma, **conv) if isinstance(flip, str) and flip == AUTO else flip
    walls = gex.walls(snap, gamma=gamma, **conv) if isinstance(walls, str) and walls == AUTO else (walls or {})
    return {"S": S, "curves": curves, "levels": {
        "spot": float(snap.spot), "zero_gamma": _value(zero), "flip": _value(flip),
        "call_wall": _value(walls.get("call_wall")), "put_wall": _value(walls.get("put_wall"))}}


def profile(snap: Snapshot, *, window: float = WINDOW, n: int = LEVELS, by_type: bool = True, zero=AUTO,
            flip=AUTO, walls=None, ax=None, sign: str = cv.SIGN, gamma: str = cv.GAMMA, time: str = cv.TIME,
            carry: str = cv.CARRY, iv: str = cv.IV, r: float = cv.RATE, q: float = cv.DIVIDEND, into=None):
    """Total GEX as if spot were each level (model gamma, IV held), with zero gamma, flip and spot.

    The curve is :func:`gexlib.gex.gamma_profile` on :func:`profile_levels`; with
    ``by_type`` the call and put parts are drawn too. Zero gamma defaults to
    :func:`gexlib.gex.zero_gamma_within` (the crossing in the drawn range) and the flip to
    :func:`gexlib.gex.flip_strike` (with ``gamma``); the profile itself is always
    model gamma. ``walls`` (default None: not drawn) is AUTO
    (:func:`gexlib.gex.walls` with ``gamma``) or a dict like its result.
    ``into``: a figure this function returned before (drawn without ``ax``) to update
    in place and return; ignored when ``ax`` is given (see :mod:`gexlib.plots`).
    """
    conv = dict(sign=sign, time=time, carry=carry, iv=iv, r=r, q=q)
    data = _profile_data(snap, zero, flip, walls, window, n, conv, by_type=by_type, gamma=gamma)
    key = (bool(by_type),)
    live = _live(into, "profile", key) if ax is None else None
    if live is None:
        live = _profile_panel(*_axes(ax), key, own=ax is None)
    _profile_update(live, data)
    return live["axes"][0].figure


#: Style of each curve of :func:`profile` (the call and put parts lighter than the net curve).
_PROFILE_CURVES = {"calls": dict(color=COLORS["call"], ls=SERIES_STYLES["call"], lw=LW, alpha=0.6),
                  "puts": dict(color=COLORS["put"], ls=SERIES_STYLES["put"], lw=LW, alpha=0.6),
                  "net": dict(color=COLORS["net"], lw=LW)}
#: The level lines of :func:`profile`, in drawing (and legend) order.
_PROFILE_LEVELS = ("spot", "zero_gamma", "flip", "call_wall", "put_wall")


def _profile_panel(fig, ax, key, own: bool) -> dict:
    """The artists of :func:`profile`, without data (:func:`_profile_update` puts it in)."""
    (by_type,) = key
    lines = {name: ax.plot([], [], label=name, **style)[0] for name, style in _PROFILE_CURVES.items()
             if by_type or name == "net"}
    ax.axhline(0.0, **ZERO_LINE)
    marks = {kind: mark(ax, kind, None, keep=True) for kind in _PROFILE_LEVELS}
    ax.set_xlabel("hypothetical spot")
    ax.set_ylabel(GEX_LABEL)
    live = {"kind": "profile", "key": key, "axes": (ax,), "lines": lines, "marks": marks}
    if own:  # a figure of its own, not a panel of another: can be updated later
        _keep(fig, live)
    return live


def _profile_update(live: dict, d: dict) -> None:
    """Put the numbers of :func:`profile` into its artists (a new figure's and an updated one's)."""
    (ax,) = live["axes"]
    S = d["S"]
    for name, line in live["lines"].items():
        line.set_data(S, d["curves"][name])
    _fit_y(ax, *d["curves"].values(), zero=True)  # the curves and the zero line
    lim = (S[0], S[-1])
    _keep_xlim(ax, lim)
    for kind, line in live["marks"].items():
        mark(ax, kind, d["levels"][kind], xlim=lim, line=line)
    legend(ax, reuse=True)


# --- lesson 05: the strike x expiry heatmap -----------------------------------------------


def _edges(x: np.ndarray) -> np.ndarray:
    """Cell edges around sorted centres (midpoints, half a spacing beyond each end)."""
    if x.size == 1:
        return np.array([x[0] - 0.5, x[0] + 0.5])
    mid = (x[1:] + x[:-1]) / 2
    return np.concatenate([[x[0] - (mid[0] - x[0])], mid, [x[-1] + (x[-1] - mid[-1])]])


def _expiry_label(t: pd.Timestamp) -> str:
    t = t.tz_convert(cv.TZ)
    return t.strftime("%Y-%m-%d") + (" am" if t.hour < 12 else "")


def heatmap(snap: Snapshot, *, window: float = HEATMAP_WINDOW, value: str = "net", walls=AUTO, flip=AUTO,
            ax=None, sign: str = cv.SIGN, gamma: str = cv.GAMMA, time: str = cv.TIME, carry: str = cv.CARRY, iv: str = cv.IV, r: float = cv.RATE,
            q: float = cv.DIVIDEND, into=None):
    """Strike × expiry heatmap of GEX (:func:`gexlib.gex.gex_matrix`) with walls, flip and spot.

    Strikes within ``window × spot`` of spot on x, expiries on y (nearest at the
    top); a diverging colour map centred at zero with symmetric limits at the
    99th percentile of the nonzero |GEX| cells (blue positive, red negative;
    larger cells saturate). ``walls`` is AUTO, None or a dict like the result of
    :func:`gexlib.gex.walls`. ``into``: a figure this function returned before (drawn
    without ``ax``) to update in place and return; ignored when ``ax`` is given (see
    :mod:`gexlib.plots`).
    """
    conv = _conv(sign, gamma, time, carry, iv, r, q)
    lim = window_limits(snap.spot, window)
    m = gex.gex_matrix(snap, value=value, **conv)
    m = m.loc[(m.index >= lim[0]) & (m.index <= lim[1])]
    m = m.loc[:, (m != 0).any(axis=0)] if m.size else m
    walls = gex.walls(snap, **conv) if isinstance(walls, str) and walls == AUTO else (walls or {})
    flip = gex.flip_strike(snap, **conv) if isinstance(flip, str) and flip == AUTO else flip
    data = {"lim": lim, "levels": {"spot": float(snap.spot), "flip": _value(flip),
                                   "call_wall": _value(walls.get("call_wall")),
                                   "put_wall": _value(walls.get("put_wall"))}}
    if m.size:
        z = m.to_numpy().T / BN
        # symmetric limits at the 99th percentile of |GEX|: a few huge cells would wash out the rest
        top = float(np.percentile(np.abs(z[z != 0]), 99)) if (z != 0).any() else 1.0
        step = max(1, int(np.ceil(z.shape[0] / 12)))
        data.update(z=z, top=top, edges=_edges(m.index.to_numpy(dtype=float)),
                    ticks=np.arange(z.shape[0])[::step] + 0.5, labels=[_expiry_label(t) for t in m.columns[::step]])
    key = (m.size > 0,)  # with cells: a mesh and a colour bar; without: a notice
    live = _live(into, "heatmap", key) if ax is None else None
    if live is None:
        live = _heatmap_panel(*_axes(ax), key, data, own=ax is None)
    _heatmap_update(live, data)
    return live["axes"][0].figure


#: The level lines of :func:`heatmap`, in drawing (and legend) order.
_HEATMAP_LEVELS = ("spot", "flip", "call_wall", "put_wall")


def _heatmap_mesh(ax, d: dict):
    """The cells of :func:`heatmap`: ``d["z"]`` (expiries × strikes, $bn) around ``d["edges"]``, ±``d["top"]``."""
    return ax.pcolormesh(d["edges"], np.arange(d["z"].shape[0] + 1), d["z"], cmap="RdBu", vmin=-d["top"],
                         vmax=d["top"])


def _heatmap_panel(fig, ax, key, d: dict, own: bool) -> dict:
    """The artists of :func:`heatmap` (:func:`_heatmap_update` puts the numbers in)."""
    ax.set_xlabel("strike")
    ax.set_ylabel("expiry")
    live = {"kind": "heatmap", "key": key, "axes": (ax,)}
    if key[0]:
        live["mesh"] = _heatmap_mesh(ax, d)
        live["colorbar"] = fig.colorbar(live["mesh"], ax=ax, label=GEX_LABEL, pad=0.01)
        live["axes"] = (ax, live["colorbar"].ax)
    else:
        ax.text(0.5, 0.5, "no exposure in this window", ha="center", va="center", transform=ax.transAxes)
    live["marks"] = {kind: mark(ax, kind, None, keep=True) for kind in _HEATMAP_LEVELS}
    if own:  # a figure of its own, not a panel of another: can be updated later
        _keep(fig, live)
    return live


def _heatmap_update(live: dict, d: dict) -> None:
    """Put the numbers of :func:`heatmap` into its artists (a new figure's and an updated one's)."""
    ax = live["axes"][0]
    if "mesh" in live:
        mesh, z = live["mesh"], d["z"]
        coords = mesh.get_coordinates()
        if coords.shape[:2] == (z.shape[0] + 1, z.shape[1] + 1) and np.array_equal(coords[0, :, 0], d["edges"]):
            mesh.set_array(np.ma.masked_invalid(z))  # the same cells: new values and colour limits
            mesh.set_clim(-d["top"], d["top"])  # the colour bar follows (it listens to the mesh)
        else:  # other strikes or expiries: a new mesh in the colour bar's care
            cbar = live["colorbar"]
            mesh.callbacks.disconnect(mesh.colorbar_cid)
            mesh.remove()
            mesh = live["mesh"] = _heatmap_mesh(ax, d)
            mesh.colorbar, mesh.colorbar_cid = cbar, mesh.callbacks.connect("changed", cbar.update_normal)
            cbar.update_normal(mesh)
        ax.set_yticks(d["ticks"], d["labels"], fontsize="small")
        ax.set_ylim(z.shape[0], 0)
    ax.set_xlim(*d["lim"])
    for kind, line in live["marks"].items():
        mark(ax, kind, d["levels"][kind], xlim=d["lim"], line=line)
    legend(ax, ncols=2, reuse=True)


# --- lesson 02: hedging -------------------------------------------------------------------


def hedge_paths(sim: hedging.HedgeSimulation, *, n: int = 20, ax=None, into=None):
    """Running P&L of the delta-hedged short option along the kept paths of a simulation.

    Marked to the model (option at implied vol), valued at expiry, against
    trading days; needs ``keep_paths > 0`` in :func:`gexlib.hedging.simulate_discrete_hedge`.
    ``into``: a figure this function made (without ``ax``), updated in place and returned.
    """
    if sim.running_pnl.shape[0] == 0:
        raise ValueError("hedge_paths: the simulation kept no paths; run it with keep_paths > 0")
    days = sim.times * hedging.TRADING_DAYS
    shown = sim.running_pnl[:max(int(n), 0)]
    live = _live(into, "hedge_paths", None) if ax is None else None
    if live is not None and _shows(live, (sim, int(n))):
        return into  # these paths are shown already: untouched, the figure is not marked changed (nor drawn again)
    if live is None:
        own = ax is None
        fig, ax = _axes(ax)
        paths = path_lines(ax, days, shown, color=COLORS["net"], alpha=0.35)
        _zero_line(ax, "y")
        ax.set_xlabel("trading days")
        ax.set_ylabel("hedged P&L ($ per option)")
        if own:
            live = _keep(fig, {"kind": "hedge_paths", "key": None, "axes": (ax,), "ax": ax, "paths": paths})
    else:
        fig, ax = into, live["ax"]
        _repath(live["paths"], days, shown)
    _refit(ax, zero="y")
    if live is not None:
        live["shows"] = _Shown((sim, int(n)))
    return fig


def hedge_error_hist(sims: dict, *, bins: int = 50, ax=None):
    """Histograms of final hedged P&L, one per simulation (``{label: HedgeSimulation}``).

    Shades of grey from light to dark in the order given.
    """
    fig, ax = _axes(ax)
    edges = _percentile_edges(np.concatenate([s.pnl for s in sims.values()]), bins, [0.5, 99.5])
    for i, (label, s) in enumerate(sims.items()):
        shade = 0.75 - 0.75 * (i / max(len(sims) - 1, 1))
        step_hist(ax, s.pnl, edges, color=str(shade), label=f"{label}: mean {s.mean:+.3f}, sd {s.std:.3f}")
    ax.axvline(0.0, **ZERO_LINE)
    ax.set_xlabel("final hedged P&L ($ per option)")
    ax.set_ylabel("paths")
    legend(ax, ncols=1)
    return fig


# --- notices ------------------------------------------------------------------------------


def notice(text: str, *, width: int = 70, ax=None):
    """An empty panel carrying a message (wrapped at ``width`` characters), e.g. why a dashboard refused its settings."""
    fig, ax = _axes(ax)
    ax.set_axis_off()
    # wrapped here: matplotlib's own wrapping reads "$" as mathtext even with parse_math=False
    ax.text(0.5, 0.5, textwrap.fill(text, width), ha="center", va="center", parse_math=False,
            transform=ax.transAxes)
    return fig


# --- lesson 06: hedging feedback ----------------------------------------------------------


def gamma_side(k: float) -> str:
    """The colour key of a feedback strength: ``"long_gamma"`` (k > 0), ``"short_gamma"`` (k < 0), ``"net"`` (0)."""
    return "long_gamma" if k > 0 else "short_gamma" if k < 0 else "net"


#: Legend text of each side.
SIDE_LABELS = {"long_gamma": "dealers long gamma", "short_gamma": "dealers short gamma", "net": "no dealer gamma"}


def _tape_style(side: str, mode: str) -> dict:
    """Colour, line style and legend label of the paths of one side in :func:`tape_paths`."""
    return {"color": COLORS[side], "ls": SERIES_STYLES.get(side, "-"), "label": f"{SIDE_LABELS[side]}, {mode} hedging"}


def tape_paths(sim: hedging.TapeSimulation, *, n: int = 20, baseline: bool = True, ax=None, into=None):
    """Spot paths of a feedback simulation against trading hours, over the same news without hedging.

    Each path is coloured by the side of dealers' gamma along it (the sign of its
    mean ``k``); with ``baseline`` the unhedged paths of the same noise
    (:attr:`gexlib.hedging.TapeSimulation.baseline`) are drawn underneath in grey.
    ``into``: a figure this function made (without ``ax``), updated in place and
    returned; a new figure when the number of kinds of path differs.
    """
    m = min(int(n), sim.spot.shape[0])
    hours = sim.hours
    sides = [gamma_side(float(k)) for k in np.mean(sim.k[:m], axis=1)]
    groups = [(side, [i for i, s in enumerate(sides) if s == side])
              for side in dict.fromkeys(sides)]  # one collection per side, in order of first appearance
    key = (bool(baseline and m), len(groups))
    live = _live(into, "tape_paths", key) if ax is None else None
    if live is None:
        own = ax is None
        fig, ax = _axes(ax)
        free = None
        if key[0]:
            free = path_lines(ax, hours, sim.baseline[:m], color=COLORS["no_hedging"], alpha=0.6, zorder=1,
                              label="no hedging (same news)")
        paths = [path_lines(ax, hours, sim.spot[rows], alpha=0.6, zorder=2, **_tape_style(side, sim.hedging))
                 for side, rows in groups]
        ax.set_xlabel("trading hours")
        ax.set_ylabel("spot")
        if own:
            _keep(fig, {"kind": "tape_paths", "key": key, "axes": (ax,), "ax": ax, "free": free, "paths": paths})
    else:
        fig, ax = into, live["ax"]
        if live["free"] is not None:
            _repath(live["free"], hours, sim.baseline[:m])
        for coll, (side, rows) in zip(live["paths"], groups, strict=True):
            _repath(coll, hours, sim.spot[rows])
            style = _tape_style(side, sim.hedging)
            coll.set_color(style["color"])
            coll.set_linestyle(style["ls"])
            coll.set_capstyle(_capstyle(style["ls"]))
            coll.set_label(style["label"])
    ax.set_xlim(hours[0], hours[-1])
    _refit(ax)
    _relegend(ax, 2, style=tuple(side for side, _ in groups))
    return fig


#: Panels of :func:`tape_stats`: summary key -> (axis label, factor).
TAPE_STATS = {
    "realised_vol": ("realised vol, steps (%/yr)", 100.0),
    "daily_vol": ("realised vol, days (%/yr)", 100.0),
    "autocorrelation": ("lag-1 autocorrelation", 1.0),
}


def tape_stats(sims: dict, *, axes=None):
    """Realised vol of steps and of days, and lag-1 autocorrelation, one bar per simulation.

    ``sims`` maps a label to a :class:`gexlib.hedging.TapeSimulation`; numbers from
    :func:`gexlib.hedging.tape_summary`, bars coloured by the side of the mean ``k``;
    the grey line on the vol panels is the realised vol of the news alone.
    """
    fig, axes = _row(axes, len(TAPE_STATS), 3.4)
    summaries = {label: hedging.tape_summary(s) for label, s in sims.items()}
    x = np.arange(len(summaries))
    colors = [COLORS[gamma_side(s["k_mean"])] for s in summaries.values()]
    for ax, (key, (label, factor)) in zip(axes, TAPE_STATS.items(), strict=True):
        values = [s[key] * factor for s in summaries.values()]
        bars(ax, x, values, 0.7, color=colors)
        if key.endswith("vol"):
            noise = np.mean([s["noise_vol"] for s in summaries.values()]) * factor
            ax.axhline(noise, color=COLORS["no_hedging"], lw=LW, label=f"news alone {noise:.1f}")
            legend(ax, ncols=1)
        ax.axhline(0.0, **ZERO_LINE)
        ax.set_xticks(x, [textwrap.fill(str(label), 9) for label in summaries], fontsize="small")
        ax.set_ylabel(label)
    return fig


def tape_scatter(sim: hedging.TapeSimulation, *, ax=None):
    """Each path's whole-run move with hedging against the same news without it, log returns in %.

    The grey diagonal is "hedging changed nothing"; points steeper than it were
    amplified, flatter ones damped. A squeeze profile bends the cloud upward on
    the right (rallies amplified more than selloffs).
    """
    fig, ax = _axes(ax, figsize=(5.0, 4.5))
    x = 100.0 * np.log(sim.baseline[:, -1] / sim.spot[:, 0])
    y = 100.0 * np.log(sim.spot[:, -1] / sim.spot[:, 0])
    side = gamma_side(float(np.mean(sim.k)))
    ax.plot(x, y, "o", ms=3, alpha=0.4, color=COLORS[side], label=SIDE_LABELS[side])
    lim = (float(min(x.min(), y.min())), float(max(x.max(), y.max())))
    ax.plot(lim, lim, color=COLORS["no_hedging"], lw=LW, label="no hedging", zorder=0)
    ax.axhline(0.0, **ZERO_LINE)
    ax.axvline(0.0, **ZERO_LINE)
    ax.set_xlabel("move without hedging (%, log)")
    ax.set_ylabel("move with hedging (%, log)")
    legend(ax, ncols=2)
    return fig


#: x axis of :func:`pin_curve` per column of :func:`gexlib.hedging.pin_scan`.
PIN_AXES = {"oi": "open interest at the strike (contracts)", "hours": "trading hours to expiry"}


def pin_curve(table: pd.DataFrame, *, x: str | None = None, ax=None):
    """Probability of closing within the band of the strike, with dealers hedging and without.

    ``table`` is :func:`gexlib.hedging.pin_scan`; ``x`` is ``"oi"`` or ``"hours"``
    (default: the column that varies); one line per value of the other column,
    shaded ±2 standard errors of the difference, and the no-hedging baseline in grey.
    """
    if x is None:
        x = "oi" if table["oi"].nunique() > 1 or table["hours"].nunique() == 1 else "hours"
    cv.check_choice("x", x, PIN_AXES)
    other = "hours" if x == "oi" else "oi"
    fig, ax = _axes(ax)
    groups = list(table.groupby(other, sort=True))
    for i, (value, g) in enumerate(groups):
        g = g.sort_values(x)
        side = gamma_side(float(np.sign(g["oi"]).mean()))
        alpha = 1.0 if len(groups) == 1 else 1.0 - 0.6 * i / (len(groups) - 1)
        name = f"{value:g} h" if other == "hours" else f"OI {value:,.0f}"
        ax.plot(g[x], g["probability"], "o-", color=COLORS[side], lw=LW, alpha=alpha,
                label=f"dealers hedging, {name}")
        ax.fill_between(g[x], g["probability"] - 2 * g["stderr"], g["probability"] + 2 * g["stderr"],
                        color=COLORS[side], alpha=0.15 * alpha, lw=0)
        ax.plot(g[x], g["baseline"], "o-", color=COLORS["no_hedging"], lw=LW, alpha=alpha,
                label=f"no hedging, {name}")
    ax.set_ylim(0.0, min(1.0, 1.1 * float(table[["probability", "baseline"]].max().max()) + 0.02))
    ax.set_xlabel(PIN_AXES[x])
    ax.set_ylabel("probability of closing in the band")
    legend(ax, ncols=2)
    return fig


def pin_close(result: hedging.PinResult, *, bins: int = 60, ax=None, into=None):
    """Where spot closes with dealers hedging a pinned strike and without, histograms around the strike.

    The band (strike ± ``band``) is shaded; the legend gives each probability of
    closing inside it (:func:`gexlib.hedging.pin_probability`). ``into``: a figure
    this function made (without ``ax``), updated in place and returned.
    """
    p = result.params
    K, band = float(p["K"]), float(p["band"])
    color = COLORS[gamma_side(float(p["oi"]))]
    live = _live(into, "pin_close", None) if ax is None else None
    if live is None:
        own = ax is None
        fig, ax = _axes(ax)
        span = ax.axvspan(K - band, K + band, color=color, alpha=0.12, lw=0)
        free = _live_hist(ax, color=COLORS["no_hedging"])
        hedged = _live_hist(ax, color=color)
        ax.set_ylabel("paths")
        live = {"kind": "pin_close", "key": None, "axes": (ax,), "ax": ax, "span": span, "free": free,
                "hedged": hedged}
        if own:
            _keep(fig, live)
    else:
        fig, ax = into, live["ax"]
    hedged, free = result.sim.spot[:, -1], result.sim.baseline[:, -1]
    edges = _percentile_edges(np.concatenate([hedged, free]), bins, [1, 99])
    span = live["span"]
    span.set_x(K - band)
    span.set_width((K + band) - (K - band))  # as axvspan(K - band, K + band) sizes it
    span.set_color(color)
    _restep(live["free"], free, edges)
    live["free"].set_label(f"no hedging: {result.baseline:.1%} in the band")
    _restep(live["hedged"], hedged, edges)
    live["hedged"].set_color(color)
    live["hedged"].set_label(f"dealers hedging {float(p['oi']):,.0f} contracts: {result.probability:.1%}")
    ax.set_xlabel(f"spot at expiry (strike {K:,.0f}, band ±{band:,.2f})")
    _refit(ax, live["free"], live["hedged"])
    _relegend(ax, 1, style=color)
    return fig


# --- lesson 07: gamma scalping ------------------------------------------------------------


def scalp_pnl(sim: hedging.ScalpSimulation, *, bins: int = 50, max_points: int = 2000, axes=None, into=None):
    r"""Final P&L of the delta-hedged position: its histogram, and each path against the approximation.

    Left, the histogram with the mean (dashed); right, the P&L of each path
    (at most ``max_points``) against :math:`\sum \tfrac12 \Gamma S^2 (r^2 - \sigma_i^2 dt)`,
    with the diagonal where the two agree. ``into``: a figure this function made
    (without ``axes``), updated in place and returned.
    """
    position = float(sim.params.get("position", 1.0))
    color = COLORS[gamma_side(position)]
    live = _live(into, "scalp_pnl", None) if axes is None else None
    if live is None:
        own = axes is None
        fig, axes = _row(axes, 2, 3.6)
        left, right = axes
        hist = _live_hist(left, color=color)
        mean = left.axvline(0.0, color=color, ls="--", lw=LW)
        _zero_line(left, "x")
        left.set_xlabel("final P&L ($ per option)")
        left.set_ylabel("paths")
        (dots,) = right.plot([], [], "o", ms=3, alpha=0.4, color=color)
        (diagonal,) = right.plot([], [], color=COLORS["no_hedging"], lw=LW, zorder=0, label="equal")
        _zero_line(right, "y")
        _zero_line(right, "x")
        right.set_xlabel("Σ ½ΓS²(r² − σ²dt) ($ per option)")
        right.set_ylabel("final P&L ($ per option)")
        live = {"kind": "scalp_pnl", "key": None, "axes": (left, right), "left": left, "right": right, "hist": hist,
                "mean": mean, "dots": dots, "diagonal": diagonal}
        if own:
            _keep(fig, live)
    else:
        fig = into
    book = {"straddle": "straddle", "C": "call", "P": "put"}[sim.params.get("kind", "straddle")]
    hist, mean, dots = live["hist"], live["mean"], live["dots"]
    _restep(hist, sim.pnl, _percentile_edges(sim.pnl, bins, [0.5, 99.5]))
    hist.set_color(color)
    hist.set_label(f"{'long' if position > 0 else 'short'} {book}, hedged")
    mean.set_xdata([sim.mean, sim.mean])
    mean.set_color(color)
    mean.set_label(f"mean {sim.mean:+.3f}")
    m = min(int(max_points), sim.pnl.size)
    dots.set_data(sim.approx[:m], sim.pnl[:m])
    dots.set_color(color)
    dots.set_label(f"correlation {sim.approx_correlation:.3f}")
    lim = (float(min(sim.approx[:m].min(), sim.pnl[:m].min())), float(max(sim.approx[:m].max(), sim.pnl[:m].max())))
    live["diagonal"].set_data(lim, lim)
    _refit(live["left"], hist, zero="x")
    _refit(live["right"], zero="yx")
    _relegend(live["left"], 1, style=color)
    _relegend(live["right"], 2, style=color)
    return fig


# --- lesson 08: time and volatility -------------------------------------------------------


def _flow_series(charm: pd.DataFrame | None, vanna: pd.DataFrame | None, spot: float, window: float):
    """What :func:`greek_flows` draws, shared by its build and its in-place update.

    Returns ``(lim, series)``: the strike range and, per table given, ``(name, x, heights, width,
    label)`` with bar centres (strike ± half a bar), heights in $bn and the legend label.
    """
    lim = window_limits(spot, window)
    tables = [(name, t["strike"].to_numpy(dtype=float), t["dollars"].to_numpy(dtype=float))
              for name, t in (("charm", charm), ("vanna", vanna)) if t is not None]
    inside = [(K >= lim[0]) & (K <= lim[1]) for _, K, _ in tables]  # the totals row (strike NaN) is never inside
    strikes = np.concatenate([K[keep] for (_, K, _), keep in zip(tables, inside, strict=True)] or [np.array([])])
    width = 0.45 * _bar_width(strikes)
    series = []
    for i, ((name, K, dollars), keep) in enumerate(zip(tables, inside, strict=True)):
        offset = (i - (len(tables) - 1) / 2) * width
        series.append((name, K[keep] + offset, dollars[keep] / BN, width,
                       f"{name} flow, total {bn(float(dollars[-1]))}"))
    return lim, series


def _flow_panel(ax, names) -> dict:
    """The artists of a :func:`greek_flows` panel without data: bars per table, zero line, spot, labels."""
    drawn = {name: bars(ax, [], [], 1.0, color=COLORS[name], hatch=HATCHES[name], label=name) for name in names}
    ax.axhline(0.0, **ZERO_LINE)
    spot = mark(ax, "spot", None, keep=True)
    ax.set_xlabel("strike")
    ax.set_ylabel("hedge flow ($bn)")
    return {"ax": ax, "bars": drawn, "spot": spot}


def _flow_update(panel: dict, lim, series, spot: float) -> None:
    """Put the numbers of :func:`_flow_series` into a panel of :func:`_flow_panel` (a new figure's and an updated one's).

    A panel that shows these numbers already, at the limits it was left with, is left untouched:
    nothing in it is marked changed, so a figure's draw puts its pixels back (:mod:`gexlib.course.render`).
    """
    ax = panel["ax"]
    shows = (tuple(float(v) for v in lim), series, float(spot))
    if _shows(panel, (shows, ax.get_xlim(), ax.get_ylim())):
        return
    for name, x, h, width, label in series:
        panel["bars"][name].set_bars(x, h, width)
        panel["bars"][name].set_label(label)
    _fit_y(ax, *(h for _, _, h, _, _ in series), zero=True)  # the bars and the zero line
    _keep_xlim(ax, lim)
    mark(ax, "spot", float(spot), xlim=lim, line=panel["spot"])
    legend(ax, reuse=True)
    panel["shows"] = _Shown((shows, ax.get_xlim(), ax.get_ylim()))


def _keep_xlim(ax, lim) -> None:
    """``ax.set_xlim(*lim)`` unless the axes shows that range already, set (setting it notifies every shared axes
    and marks them changed)."""
    if ax.get_autoscalex_on() or tuple(float(x) for x in ax.get_xlim()) != (float(lim[0]), float(lim[1])):
        ax.set_xlim(*lim)


def greek_flows(charm: pd.DataFrame | None, vanna: pd.DataFrame | None, spot: float, *, window: float = WINDOW,
                ax=None, into=None):
    """Dealers' charm and vanna hedge flows per strike, side by side, in $bn (positive = dealers buy).

    ``charm`` and ``vanna`` are :func:`gexlib.gex.charm_flow` and
    :func:`gexlib.gex.vanna_flow` (per-strike rows and a totals row last); either
    may be None. The legend gives each total.

    ``into``: a figure this function returned before (drawn without ``ax``) to update in
    place and return, when the same tables are given (charm, vanna or both); otherwise a new
    figure (see :mod:`gexlib.plots`).
    """
    lim, series = _flow_series(charm, vanna, spot, window)
    key = tuple(name for name, *_ in series)
    live = _live(into, "greek_flows", key) if ax is None else None
    if live is None:
        fig, ax_ = _axes(ax)
        panel = _flow_panel(ax_, key)
        live = {"kind": "greek_flows", "key": key, "axes": (ax_,), "panel": panel}
        if ax is None:
            _keep(fig, live)
    _flow_update(live["panel"], lim, series, spot)
    return live["axes"][0].figure


def time_vol(snap: Snapshot, *, hours: float = 0.0, iv_shift: float = 0.0, chain: Snapshot | None = None,
             charm=AUTO, vanna=AUTO, zero=AUTO, flip=AUTO, walls=AUTO, window: float = WINDOW, n: int = LEVELS,
             sign: str = cv.SIGN, time: str = cv.TIME, carry: str = cv.CARRY, iv: str = cv.IV, r: float = cv.RATE,
             q: float = cv.DIVIDEND, into=None):
    """Lesson 08 figure: the profile after time passes and IV shifts, over the charm and vanna flows.

    Top: :func:`profile` of ``whatif.shift_iv(whatif.advance_time(snap, hours),
    iv_shift)`` with zero gamma, flip and walls (model gamma). Below, each on its
    own scale (one is often far larger than the other), :func:`greek_flows` of
    ``gex.charm_flow(snap, hours)`` (time passes at today's IVs) and of
    ``gex.vanna_flow(whatif.advance_time(snap, hours), iv_shift)`` (then IVs
    move). Pass precomputed tables or levels to skip their computation.

    Parameters
    ----------
    chain : Snapshot, optional
        That aged and shifted snapshot, ``whatif.shift_iv(whatif.advance_time(snap, hours),
        iv_shift)``, when the caller has it already (a dashboard computes its levels on it):
        the profile is drawn from it instead of ageing and shifting ``snap`` again, and
        inside :func:`gexlib.gex.reuse` its contracts are then shared with those levels.
        Its time must be ``hours`` after ``snap``'s (ValueError otherwise).
    into : Figure, optional
        A figure this function returned before, to update in place and return when it shows
        the same panels (same flow tables given, charm and vanna or None); otherwise a new
        figure (see :mod:`gexlib.plots`).
    """
    conv = dict(sign=sign, time=time, carry=carry, iv=iv, r=r, q=q)
    auto_vanna = isinstance(vanna, str) and vanna == AUTO
    aged = whatif.advance_time(snap, hours) if chain is None or auto_vanna else None
    if chain is None:
        moved = whatif.shift_iv(aged, iv_shift)
    else:
        expected = snap.asof + pd.Timedelta(hours=float(hours))
        if chain.asof != expected:
            raise ValueError(f"time_vol: chain is at {chain.asof.isoformat()}, but snap advanced by "
                             f"hours={hours:g} is at {expected.isoformat()}")
        moved = chain
    if isinstance(charm, str) and charm == AUTO:
        charm = gex.charm_flow(snap, hours, sign=sign, carry=carry, iv=iv, r=r, q=q)
    if auto_vanna:
        vanna = gex.vanna_flow(aged, iv_shift, **conv)
    data = _profile_data(moved, zero, flip, walls, window, n, conv)
    spot = float(snap.spot)
    flows = [_flow_series(charm, None, spot, window), _flow_series(None, vanna, spot, window)]
    key = tuple(tuple(name for name, *_ in series) for _, series in flows)
    live = _live(into, "time_vol", key)
    if live is None:
        fig, (top, middle, bottom) = plt.subplots(3, 1, figsize=(FIGSIZE[0], 7.5), sharex=True,
                                                  layout="constrained", height_ratios=(3, 1.6, 1.6))
        live = {"kind": "time_vol", "key": key, "axes": (top, middle, bottom),
                "profile": _profile_panel(fig, top, (True,), own=False),
                "flows": [_flow_panel(ax, names) for ax, names in zip((middle, bottom), key, strict=True)]}
        for ax in (top, middle):
            ax.set_xlabel("")
        bottom.set_xlabel("strike (bars); hypothetical spot (profile)")
        _keep(fig, live)
    _profile_update(live["profile"], data)
    for panel, (lim, series) in zip(live["flows"], flows, strict=True):
        _flow_update(panel, lim, series, spot)
    return live["axes"][0].figure


# --- lesson 10: the evidence ----------------------------------------------------------------


def _horizon_label(horizon: int) -> str:
    return "next day" if horizon == 1 else f"next {horizon} days"


def _interval_bars(ax, x, table: pd.DataFrame, width: float, *, color, label: str, drawn=()) -> list:
    """Bars of ``forward_vol`` (in %/yr) with ``low``–``high`` whiskers; the artists drawn.

    ``drawn``: the three artists an earlier call returned on ``ax``, updated in place
    (:func:`_in_place_limits` then counts them in the data limits as drawing them anew would).
    """
    y = 100.0 * table["forward_vol"].to_numpy(dtype=float)
    lo = 100.0 * table["low"].to_numpy(dtype=float)
    hi = 100.0 * table["high"].to_numpy(dtype=float)
    # the whiskers and caps ax.errorbar(fmt="none", elinewidth=1, capsize=3) draws, as two artists
    bottom, top = y - np.maximum(y - lo, 0), y + np.maximum(hi - y, 0)
    if drawn:
        box, whiskers, caps = drawn
        box.set_bars(x, y, width)
        whiskers.set_segments(_vline_segments(x, bottom, top))
        caps.set_data(np.concatenate([x, x]), np.concatenate([bottom, top]))
        return [box, whiskers, caps]
    drawn = [bars(ax, x, y, width, color=color, label=label)]
    drawn.append(ax.vlines(x, bottom, top, colors=COLORS["net"], lw=1, zorder=2))
    drawn += ax.plot(np.concatenate([x, x]), np.concatenate([bottom, top]), ls="none", marker="_", ms=6, mew=1,
                     color=COLORS["net"], zorder=2)
    return drawn


def _vline_segments(x, bottom, top):
    """The segments ``ax.vlines(x, bottom, top)`` draws (masked where a value is not finite, as it masks them)."""
    x, bottom, top = (np.ravel(a) for a in cbook._combine_masks(x, bottom, top))
    verts = np.ma.empty((len(x), 2, 2))
    verts[:, 0, 0], verts[:, 0, 1], verts[:, 1, 0], verts[:, 1, 1] = x, bottom, x, top
    return verts


def _in_place_limits(ax, whiskers=()):
    """The data limits of ``ax`` as drawing its artists anew gives: every artist :meth:`relim` counts, plus the
    corners of each of ``whiskers`` (``ax.vlines`` adds its corners, not its segments), then a new autoscale."""
    ax.relim()
    for lines in whiskers:
        if len(lines.get_paths()):
            lim = lines.get_datalim(ax.transData)
            ax.update_datalim(((np.nanmin(lim.xmin), np.nanmin(lim.ymin)), (np.nanmax(lim.xmax), np.nanmax(lim.ymax))))
    ax._request_autoscale_view()


def _set_xticks(ax, x, labels) -> None:
    """``ax.set_xticks(x, labels)`` unless the axis has those fixed ticks and labels already (an in-place update
    that leaves them alone: setting them again makes new locator, formatter and tick texts)."""
    locator, formatter = ax.xaxis.get_major_locator(), ax.xaxis.get_major_formatter()
    if (isinstance(locator, mticker.FixedLocator) and isinstance(formatter, mticker.FixedFormatter)
            and np.array_equal(locator.locs, x) and list(formatter.seq) == list(labels)):
        return
    ax.set_xticks(x, labels)


def _forget_limits(ax):
    """Empty data limits, as on new axes, before the data of an in-place update are drawn into ``ax``."""
    from matplotlib.transforms import Bbox

    ax.dataLim.set_points(Bbox.null().get_points())
    ax.ignore_existing_data_limits = True


def _vol_by_gex(ax, raw: pd.DataFrame, controlled: pd.DataFrame | None, horizon: int, drawn=()) -> list:
    """Draw :func:`vol_by_gex` into ``ax``, or update the artists ``drawn`` there before; the artists drawn."""
    r = raw.iloc[:-1]
    x = np.arange(len(r), dtype=float)
    width = 0.8 if controlled is None else 0.4
    parts = [(x - (0 if controlled is None else width / 2), r, COLORS["unconditional"], "all days")]
    if controlled is not None:
        parts.append((x + width / 2, controlled.iloc[:-1], COLORS["controlled"], "within trailing-vol groups"))
    old = [drawn[3 * i:3 * i + 3] for i in range(len(parts))] if len(drawn) == 3 * len(parts) else None
    out = []
    for i, (at, table, color, label) in enumerate(parts):
        out += _interval_bars(ax, at, table, width, color=color, label=label, drawn=old[i] if old else ())
    if old:
        _in_place_limits(ax, out[1::3])
    _set_xticks(ax, x, list(r.index))
    ax.set_xlim(-0.6, len(r) - 0.4)
    ax.set_ylim(bottom=0.0)
    ax.set_xlabel("GEX quantile group (Q1 lowest)")
    ax.set_ylabel(f"realised vol, {_horizon_label(horizon)} (%/yr)")
    _relegend(ax, 2)
    return out


def vol_by_gex(raw: pd.DataFrame, controlled: pd.DataFrame | None = None, *, horizon: int = cv.HORIZON, ax=None):
    """Mean forward realised vol per GEX quantile group, with its bootstrap interval.

    ``raw`` is :func:`gexlib.evidence.by_quantile`, ``controlled``
    :func:`gexlib.evidence.controlled_by_quantile` (same ``q``); their last row
    (``Q1 − Qq``) is not drawn. Grey bars: all days; teal: within trailing-vol groups.
    """
    fig, ax = _axes(ax)
    _vol_by_gex(ax, raw, controlled, horizon)
    return fig


def _double_sort_bars(ax, table: pd.DataFrame, horizon: int, drawn=()) -> list:
    """Draw :func:`double_sort_bars` into ``ax``, or update the two bar sets ``drawn`` there before; the bars."""
    x = np.arange(len(table), dtype=float)
    out = []
    for i, (column, shift, kind, label) in enumerate((("negative", -0.2, "short_gamma", "GEX < 0"),
                                                      ("positive", 0.2, "long_gamma", "GEX ≥ 0"))):
        y = 100.0 * table[column].to_numpy(dtype=float)
        ok = np.isfinite(y)
        if drawn:
            drawn[i].set_bars(x[ok] + shift, y[ok], 0.4)
            out.append(drawn[i])
        else:
            out.append(bars(ax, x[ok] + shift, y[ok], 0.4, color=COLORS[kind], label=label))
    if drawn:
        _in_place_limits(ax)
    _set_xticks(ax, x, [f"{g}\n{s:.0%} < 0" for g, s in zip(table.index, table["share_negative"], strict=True)])
    ax.set_xlim(-0.6, len(table) - 0.4)
    ax.set_ylim(bottom=0.0)
    ax.set_xlabel("trailing-vol group (1 calmest), share of days with GEX < 0")
    ax.set_ylabel(f"realised vol, {_horizon_label(horizon)} (%/yr)")
    _relegend(ax, 2)
    return out


def double_sort_bars(table: pd.DataFrame, *, horizon: int = cv.HORIZON, ax=None):
    """Per trailing-vol group, mean forward vol after negative-GEX and after other days.

    ``table`` is :func:`gexlib.evidence.double_sort`; a group without days of one kind
    has no bar of that kind. The tick labels give each group's share of negative-GEX days.
    """
    fig, ax = _axes(ax)
    _double_sort_bars(ax, table, horizon)
    return fig


def evidence_panels(raw: pd.DataFrame, controlled: pd.DataFrame, table: pd.DataFrame, *,
                    horizon: int = cv.HORIZON, into=None):
    """Lesson 10 figure: :func:`vol_by_gex` (left) and :func:`double_sort_bars` (right), one vol axis.

    The vol axis runs from 0 to the top :func:`vol_by_gex` needs. ``into``: a figure
    this function made, updated in place (bars, whiskers, ticks, labels, limits) and returned.
    """
    key = controlled is None
    live = _live(into, "evidence_panels", key)
    if live is None:
        fig, (left, right) = plt.subplots(1, 2, figsize=(FIGSIZE[0] + 3.0, 4.0), layout="constrained", sharey=True)
        live = _keep(fig, {"kind": "evidence_panels", "key": key, "axes": (left, right), "left": left, "right": right,
                           "vol": [], "sort": []})
    else:
        fig, left, right = into, live["left"], live["right"]
    for ax in (left, right):  # the shared top comes from the left panel's data alone, as when first drawn
        _forget_limits(ax)
    left.set_autoscaley_on(True)  # on an update: off since the last floor at 0
    live["vol"] = _vol_by_gex(left, raw, controlled, horizon, live["vol"])
    live["sort"] = _double_sort_bars(right, table, horizon, live["sort"])
    right.set_ylabel("")
    if into is not fig:  # a new figure: the right panel shows its own vol ticks (an update keeps them)
        right.tick_params(labelleft=True)
    return fig


def sign_change_view(view: pd.DataFrame, *, ax=None):
    """Mean absolute daily return (annualised, %) around the days GEX changes sign.

    ``view`` is :func:`gexlib.evidence.event_view`; one line per direction, coloured by
    the side GEX moves to; the legend gives the number of changes.
    """
    fig, ax = _axes(ax)
    for direction, kind in (("to negative", "short_gamma"), ("to positive", "long_gamma")):
        v = view[view["direction"] == direction]
        if len(v) and int(v["events"].iloc[0]) > 0:
            ax.plot(v["offset"], 100.0 * v["abs_return"], "o-", ms=3, color=COLORS[kind], lw=LW,
                    label=f"GEX turns {direction.split()[-1]} ({int(v['events'].iloc[0])} times)")
    ax.axvline(-0.5, **ZERO_LINE)
    ax.set_ylim(bottom=0.0)
    ax.set_xlabel("trading days from the first day with the new sign")
    ax.set_ylabel("mean |daily return| × √252 (%/yr)")
    legend(ax, ncols=2)
    return fig
