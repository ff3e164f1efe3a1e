"""A faster Agg canvas for the dashboards and the book's frames: same pixels, text work done once.

Most of an Agg draw of a lesson figure is text: every tick label, axis label and
legend entry is laid out by FreeType, measured and rasterised glyph by glyph on
every draw, although a dashboard draws the same strings at the same sizes event
after event. :class:`Canvas` draws with :class:`Renderer`, an Agg renderer that
keeps, for the life of the process,

- each string's glyph layout and size (per font, size, dpi and hinting),
- each font's vertical metrics (ascent, descent, line gap),
- each glyph's bitmap, per font, size, rotation and sub-pixel offset
  (FreeType positions in 1/64 pixel: a glyph at the same fractional offset
  rasterises to the same bitmap, moved by whole pixels),
- each string's bitmap, per the sub-pixel offsets of its glyphs, and
- each text's layout (:func:`_text_layout`).

It also spares work matplotlib repeats within one draw: an Axis places its ticks
and measures their labels once per draw for given limits and box
(:func:`_ticked_once`; drawing it, placing its label and measuring its spines
each asked again), a legend packs each of its boxes once (:func:`_packed_once`),
an axis' tick marks are drawn by one line (:func:`_marks_together`), and each spine's extent
(:func:`_extent_once`) and each Axes' siblings (:func:`_siblings_once`) are found once per draw.
A legend whose texts, handles and place did not change since its last draw, drawn
on the same pixels, gets the pixels of that draw back, and one packed as then, whose
texts changed, draws only those texts again (:func:`_kept_legend`); an Axes gets the
pixels of its last draw back (:func:`_kept_draw`) when matplotlib has not marked it
changed since (``stale``: no artist
in it set, added or removed, no limits set on it or an Axes sharing them, no rcParam
changed), nor any Axes its labels are aligned with, at the same place on a canvas of the
same size (:func:`_axes_key`): a dashboard's panel that an event leaves alone costs a copy
of its pixels.

Text is drawn one bitmap per string (its glyphs put together once, where no
two share a pixel) rather than glyph by glyph.

The output is byte for byte what :class:`matplotlib.backends.backend_agg.FigureCanvasAgg`
draws (tests/test_render.py checks the lesson figures, rotated and unhinted text,
and mathtext, which is passed through untouched). Each cache is bounded
(:data:`LIMIT` entries; emptied when full). Not thread-safe, like matplotlib.
"""

from __future__ import annotations

import itertools
import math

import matplotlib
import numpy as np
from matplotlib import cbook
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.font_manager import FontProperties, fontManager, get_font
from matplotlib.ft2font import LoadFlags, RenderMode
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.offsetbox import OffsetBox
from matplotlib.patches import FancyBboxPatch, Patch
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.transforms import Affine2D, Bbox, BboxBase, Transform

#: Largest number of entries each cache holds before it is emptied.
LIMIT = 50_000

_LAYOUTS: dict = {}
_METRICS: dict = {}
_HEIGHTS: dict = {}
_GLYPHS: dict = {}
_TEXTS: dict = {}
_STRINGS: dict = {}


def _remember(cache: dict, key, value):
    if len(cache) >= LIMIT:
        cache.clear()
    cache[key] = value
    return value


#: The rcParams that choose among fonts (read at every draw, part of every cache key).
FONT_PARAMS = ("font.family", "font.serif", "font.sans-serif", "font.monospace", "font.cursive", "font.fantasy",
               "text.hinting", "text.hinting_factor", "text.kerning_factor")


def _font_settings() -> tuple:
    return tuple(str(matplotlib.rcParams[k]) for k in FONT_PARAMS)


def _font_key(prop, settings: tuple) -> tuple:
    """Every property of a FontProperties that picks or sizes its font, and the font settings in force."""
    return (tuple(prop.get_family()), prop.get_style(), prop.get_variant(), prop.get_weight(), prop.get_stretch(),
            prop.get_size_in_points(), prop.get_file(), prop.get_math_fontfamily(), settings)


def clear_caches() -> None:
    """Empty every text cache (layouts, metrics, font heights, glyph bitmaps)."""
    for cache in (_LAYOUTS, _METRICS, _HEIGHTS, _GLYPHS, _TEXTS, _STRINGS):
        cache.clear()


def cache_sizes() -> dict:
    """Number of entries in each cache, by name."""
    return {"layouts": len(_LAYOUTS), "metrics": len(_METRICS), "heights": len(_HEIGHTS),
            "glyphs": len(_GLYPHS), "texts": len(_TEXTS), "strings": len(_STRINGS)}


class Renderer(RendererAgg):
    """:class:`~matplotlib.backends.backend_agg.RendererAgg` with its text work cached (see the module).

    While :attr:`ink` is a dict, every text drawn adds its inked pixels' bounding
    box to ``ink[axes]`` (``axes``: the Axes being drawn, whose tick labels, axis
    labels, title or legend it is; None for a figure-level text) as
    ``[x0, y0, x1, y1]`` in display pixels (y upwards): what :class:`Stage` needs
    to know whether a figure's text still fits the layout it was given. The Axes
    are known by the ``gid`` that :func:`draw` lends each of them (an :class:`_Owner`)
    for the draw: matplotlib opens a group with an Axes' gid when it draws it.
    """

    ink: dict | None = None
    after_axes = None  # called after each Axes is drawn, while ``ink`` is collected (see :func:`draw`)
    settings: tuple = ()  # _font_settings() at the start of the draw (Canvas.get_renderer)
    rc: int = 0  # _rc_generation() at the start of the draw (Canvas.draw)
    _drawing: tuple = ()

    def open_group(self, s, gid=None):
        if s == "axes":
            self._drawing = (*self._drawing, gid.axes if isinstance(gid, _Owner) else None)

    def close_group(self, s):
        if s == "axes":
            self._drawing = self._drawing[:-1]

    def _inked(self, mtext, x0, y0, x1, y1):
        self._ink_of(self._drawing[-1] if self._drawing else None, x0, y0, x1, y1)

    def _ink_of(self, owner, x0, y0, x1, y1):
        box = self.ink.get(owner)
        if box is None:
            self.ink[owner] = [x0, y0, x1, y1]
        else:
            box[0], box[1], box[2], box[3] = min(box[0], x0), min(box[1], y0), max(box[2], x1), max(box[3], y1)

    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath:
            return super().get_text_width_height_descent(s, prop, ismath)
        key = (s, _font_key(prop, self.settings), self.dpi, get_hinting_flag())
        hit = _METRICS.get(key)
        if hit is None:
            hit = self._measured(s, prop)
            if hit is None:
                hit = super().get_text_width_height_descent(s, prop, ismath)
            _remember(_METRICS, key, hit)
        return hit

    def _layout_of(self, s, prop, flags, features, language) -> tuple:
        """The string's glyphs ``(font, glyph index, x, y)`` as the font lays it out (kept per string and font)."""
        key = (s, _font_key(prop, self.settings), self.dpi, flags, None if features is None else tuple(features),
               language)
        items = _LAYOUTS.get(key)
        if items is None:
            font = self._prepare_font(prop)
            items = _remember(_LAYOUTS, key, tuple(
                (item.ft_object, item.glyph_index, item.x, item.y)
                for item in font._layout(s, flags=flags, features=features, language=language)))
        return key, items

    def _measured(self, s, prop):
        """What :meth:`RendererAgg.get_text_width_height_descent` measures, from the string's layout and its glyphs'.

        The font's ``set_text`` lays the string out as ``_layout`` does (the same glyphs at the
        same places, in 1/64 pixel) and measures the advances' extent across and the glyphs'
        inked boxes up and down: so the width is from the leftmost glyph's place to the
        furthest place plus advance, the height the boxes' extent and the descent the
        lowest box's depth below the baseline. Each glyph's box and advance are kept per
        font, size and hinting (:data:`_GLYPHS`), and the layout is the one drawing the
        string uses. None (measure as matplotlib does) for an empty string, a glyph
        missing from every font (which matplotlib warns about) or unhinted text (its
        advances are not rounded by the hinting, and ``set_text`` may round their sum
        otherwise).
        """
        flags = get_hinting_flag()
        if flags & LoadFlags.NO_HINTING:
            return None
        _, items = self._layout_of(s, prop, flags, None, None)
        if not items or any(glyph == 0 for _, glyph, _, _ in items):
            return None
        size = prop.get_size_in_points()
        x0 = y0 = math.inf
        x1 = y1 = -math.inf
        prepared = False
        for font, glyph, x, y in items:
            gkey = ("metrics", font, size, self.dpi, glyph, flags)
            hit = _GLYPHS.get(gkey)
            if hit is None:
                if not prepared:  # the size set and the transform reset, as before matplotlib's own set_text
                    self._prepare_font(prop)
                    prepared = True
                loaded = font.load_glyph(glyph, flags)
                hit = _remember(_GLYPHS, gkey, (tuple(loaded.bbox), loaded.horiAdvance))
            (_, bottom, _, top), advance = hit
            px, py = round(x * 64), round(y * 64)
            x0, x1 = min(x0, px), max(x1, px + advance)
            y0, y1 = min(y0, py + bottom), max(y1, py + top)
        return (x1 - x0) / 64.0, (y1 - y0) / 64.0, -y0 / 64.0

    def _get_font_height_metrics(self, prop):
        # The hook Text._get_layout asks first: the first font's ascent, descent and line gap in pixels,
        # computed exactly as matplotlib does without it (OS/2 table, else hhea), but once per font and size.
        size = prop.get_size_in_points()
        key = (_font_key(prop, self.settings), self.dpi)
        hit = _HEIGHTS.get(key)
        if hit is None:
            font = get_font(fontManager._find_fonts_by_props(prop))
            hit = (None, None, None)
            for table_name, gap, ascent, descent in (("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                                                     ("hhea", "lineGap", "ascent", "descent")):
                table = font.get_sfnt_table(table_name)
                if table is None:
                    continue
                scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * size * self.dpi / 72
                hit = (table[ascent] * scale, -table[descent] * scale, table[gap] * scale)
                break
            _remember(_HEIGHTS, key, hit)
        return hit

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:
            if self.ink is not None and mtext is not None:
                self._inked(mtext, *mtext.get_window_extent(self).extents)
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        size = prop.get_size_in_points()
        flags = get_hinting_flag()
        key, items = self._layout_of(s, prop, flags, features, language)
        # as RendererAgg._draw_text_glyphs_and_boxes, with each glyph's bitmap rendered once per
        # sub-pixel offset and placed by the whole-pixel part of its position
        cos = math.cos(math.radians(angle))
        sin = math.sin(math.radians(angle))
        height = self.height
        places = [(round(0x40 * (x + dx * cos - dy * sin)), round(0x40 * (height - y + dx * sin + dy * cos)))
                  for _, _, dx, dy in items]  # FreeType's y is upwards
        if not places:
            return
        render_mode = RenderMode.NORMAL if gc.get_antialiased() else RenderMode.MONO
        ox, oy = places[0][0] >> 6, places[0][1] >> 6
        skey = (key, angle, render_mode, tuple((px & 63, py & 63, (px >> 6) - ox, (py >> 6) - oy) for px, py in places))
        string = _STRINGS.get(skey)
        if string is None:
            string = _remember(_STRINGS, skey, self._string(items, places, angle, render_mode, flags, size, ox, oy))
        if string is not False:  # the string's glyphs as one bitmap
            if string is None:  # nothing inked
                return
            buffer, left, top = string
            left, top = left + ox, top + oy
            self._renderer.draw_text_image(buffer, left, int(height) - top + buffer.shape[0], 0, gc)
            if self.ink is not None:
                self._inked(mtext, left, top - buffer.shape[0], left + buffer.shape[1], top)
            return
        x0 = y0 = math.inf
        x1 = y1 = -math.inf
        for (buffer, left, top) in self._glyphs(items, places, angle, render_mode, flags, size):
            # draw_text_image's y is downwards and names the bitmap's bottom side
            self._renderer.draw_text_image(buffer, left, int(height) - top + buffer.shape[0], 0, gc)
            if buffer.size:
                x0, x1 = min(x0, left), max(x1, left + buffer.shape[1])
                y0, y1 = min(y0, top - buffer.shape[0]), max(y1, top)
        if self.ink is not None and x0 < x1:
            self._inked(mtext, x0, y0, x1, y1)

    def _glyphs(self, items, places, angle, render_mode, flags, size):
        """Each glyph's bitmap (cached) and its left and top pixel (y upwards), in drawing order."""
        cos = math.cos(math.radians(angle))
        sin = math.sin(math.radians(angle))
        matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]])).round().astype(int)
        rotation = tuple(matrix.ravel().tolist())
        out = []
        for (font, glyph, _, _), (px, py) in zip(items, places, strict=True):
            gkey = (font, size, self.dpi, glyph, rotation, px & 63, py & 63, render_mode, flags)
            hit = _GLYPHS.get(gkey)
            if hit is None:
                font.set_size(size, self.dpi)
                font._set_transform(matrix, [px & 63, py & 63])
                bitmap = font._render_glyph(glyph, flags, render_mode)
                buffer = np.array(bitmap.buffer)
                if render_mode == RenderMode.MONO:
                    buffer *= 0xff
                hit = _remember(_GLYPHS, gkey, (buffer, bitmap.left, bitmap.top))
            buffer, left, top = hit
            out.append((buffer, left + (px >> 6), top + (py >> 6)))  # pixels, y upwards
        return out

    def _string(self, items, places, angle, render_mode, flags, size, ox, oy):
        """A string's glyph bitmaps put together as one, with its left and top relative to ``(ox, oy)``.

        Drawing it is drawing the glyphs one by one when no pixel is inked by two
        glyphs (Agg blends each pixel by its own coverage, and a coverage of 0 leaves a
        pixel as it is): then the bitmap, else False (the glyphs are drawn one by
        one). None when no glyph inks any pixel.
        """
        glyphs = [g for g in self._glyphs(items, places, angle, render_mode, flags, size) if g[0].size]
        if not glyphs:
            return None
        left = min(g[1] for g in glyphs)
        top = max(g[2] for g in glyphs)
        right = max(g[1] + g[0].shape[1] for g in glyphs)
        bottom = min(g[2] - g[0].shape[0] for g in glyphs)
        out = np.zeros((top - bottom, right - left), dtype=np.uint8)
        inked = np.zeros(out.shape, dtype=bool)
        for buffer, gl, gt in glyphs:
            rows, cols = slice(top - gt, top - gt + buffer.shape[0]), slice(gl - left, gl - left + buffer.shape[1])
            mask = buffer > 0
            if (inked[rows, cols] & mask).any():
                return False
            inked[rows, cols] |= mask
            out[rows, cols] |= buffer
        return out, left - ox, top - oy


class _Owner:
    """The gid an Axes carries while :func:`draw` measures its text (see :class:`Renderer`)."""

    def __init__(self, axes):
        self.axes = axes

    def __str__(self):  # a gid is a string to the other backends
        return f"axes-{id(self.axes):x}"


class _NoKey(Exception):
    """An artist whose drawing :func:`_state` cannot describe: drawn as usual, never from kept pixels."""


def _freeze(v):
    """A hashable value standing for ``v`` in a state key (raises :class:`_NoKey` for what it cannot describe)."""
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (tuple, list)):
        return tuple(_freeze(x) for x in v)
    if isinstance(v, np.ndarray):
        return v.shape, v.dtype.str, v.tobytes()
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, FontProperties):
        return _font_key(v, ())
    if isinstance(v, BboxBase):
        return tuple(v.bounds)
    if isinstance(v, Transform):
        if not v.is_affine:
            raise _NoKey
        return v.get_matrix().tobytes()
    if isinstance(v, Path):
        return _freeze(v.vertices), None if v.codes is None else v.codes.tobytes()
    raise _NoKey


#: Scalars of an offset box (a legend's packers and areas) that its key includes.
_BOX_ATTRS = ("pad", "sep", "width", "height", "align", "mode", "xdescent", "ydescent", "clip_children",
              "_multilinebaseline")


def _state(a, placed: bool = False, string: bool = True) -> tuple:
    """Everything that decides how the artist ``a`` draws itself (its children apart), frozen.

    ``placed``: ``a`` is placed by its container when drawn (a legend's texts, handles
    and frame): its transform, position and (for a frame) outline are left out, as the
    draw derives them from what the key holds. ``string=False``: a text's string is left
    out (None in its place). Raises :class:`_NoKey` for an artist it
    does not know or whose drawing depends on more than its own properties (clip paths,
    path effects, sketches, filters).
    """
    if not a.get_visible():
        return id(a), False
    if (a.get_clip_path() is not None or a.get_path_effects() or a.get_sketch_params() is not None
            or a.get_agg_filter() is not None or a.get_rasterized()):
        raise _NoKey
    clip = a.get_clip_box() if a.get_clip_on() else None
    common = (id(a), type(a), a.get_alpha(), a.get_zorder(), a.get_snap(), a.get_gid() is None,
              _freeze(clip), None if placed else _freeze(a.get_transform()))
    if isinstance(a, Text):
        if a.get_bbox_patch() is not None or a.get_usetex() or a.get_wrap():
            raise _NoKey
        return common + _freeze((a.get_text() if string else None, a.get_color(), a.get_fontproperties(),
                                 a.get_rotation(),
                                 a.get_rotation_mode(), a.get_horizontalalignment(), a.get_verticalalignment(),
                                 None if placed else a.get_position(), a.get_antialiased(), a.get_linespacing(),
                                 a._get_multialignment(), a.get_parse_math(), a.get_transform_rotates_text(),
                                 a.get_fontfeatures(), a.get_language()))
    if isinstance(a, Line2D):
        return common + _freeze((a.get_xydata(), a.get_color(), a.get_linestyle(), a.get_linewidth(),
                                 a._unscaled_dash_pattern, a.get_marker(), a.get_markersize(),
                                 a.get_markerfacecolor(), a.get_markerfacecoloralt(), a.get_markeredgecolor(),
                                 a.get_markeredgewidth(), a.get_fillstyle(), a.get_drawstyle(),
                                 a.get_solid_capstyle(), a.get_solid_joinstyle(), a.get_dash_capstyle(),
                                 a.get_dash_joinstyle(), a.get_antialiased(), a.get_markevery(), a.get_gapcolor()))
    if isinstance(a, Patch):
        if placed and isinstance(a, FancyBboxPatch):  # a legend's frame: its box is the legend's, its style its own
            style = a.get_boxstyle()
            outline = (type(style).__name__, _freeze(tuple(sorted(vars(style).items()))), a.get_mutation_aspect())
        else:
            outline = (a.get_path(), a.get_patch_transform())
        return common + _freeze((*outline, a.get_facecolor(), a.get_edgecolor(), a.get_hatch(),
                                 a.get_hatchcolor() if a.get_hatch() else None, a.get_linewidth(),
                                 a.get_linestyle(), a._unscaled_dash_pattern, a.get_joinstyle(), a.get_capstyle(),
                                 a.get_antialiased(), a.get_fill()))
    if isinstance(a, OffsetBox) and type(a).draw in (OffsetBox.draw, *_BOX_DRAWS):
        return common + _freeze(tuple(getattr(a, name, None) for name in _BOX_ATTRS))
    raise _NoKey


def _box_draws() -> tuple:
    from matplotlib import offsetbox
    return tuple(cls.draw for cls in (offsetbox.PackerBase, offsetbox.DrawingArea, offsetbox.TextArea)
                 if "draw" in vars(cls))


_BOX_DRAWS = _box_draws()

def _legend_parts(leg, renderer) -> tuple | None:
    """A legend's state key without its texts' strings, its texts' strings, and its texts, or None when it cannot be
    kept (see :func:`_state`).

    In the first, each visible text is known by the box its layout takes (width, height, descent
    and lines, :func:`_text_layout`), which is what the legend's packing reads of it: equal
    first parts mean a legend packed into the same boxes around the same handles and frame.
    """
    if leg._loc in (0, "best") or leg.get_draggable() or not isinstance(renderer, Renderer):
        return None
    try:
        parts = [(leg._loc, leg._mode, leg._ncols, leg.get_frame_on(), leg.shadow, leg.get_visible(), leg.get_alpha(),
                  _freeze(leg.get_bbox_to_anchor()), leg.borderaxespad, leg._alignment)]
        strings, texts = [], []
        for a in leg.findobj(include_self=False):
            if isinstance(a, Text):
                parts.append(_state(a, placed=True, string=False))
                if a.get_visible():
                    bbox, info, descent = _text_layout(a, renderer)
                    parts.append((bbox.width, bbox.height, descent, len(info)))
                strings.append(a.get_text())
                texts.append(a)
            else:
                parts.append(_state(a, placed=True))
    except _NoKey:
        return None
    return (_canvas_key(renderer), tuple(parts)), tuple(strings), texts


#: Pixels added around the changed pixels of a kept draw (anti-aliasing fringes that may blend invisibly).
PAD = 3


class _Kept:
    """An artist's last draw: its state key, the pixels it drew on and what they became, and its text's ink."""

    __slots__ = ("key", "region", "before", "after", "ink")

    def __init__(self, key, region, before, after, ink):
        self.key, self.region, self.before, self.after, self.ink = key, region, before, after, ink


def _kept_draw(artist, draw, key_of, least=None):
    """``artist.draw`` that puts back the pixels of its last draw when nothing it depends on changed.

    The artist's state key (``key_of(artist, renderer)``) must equal the kept one and the
    pixels it draws on (the rectangle its last draw changed, plus :data:`PAD`, and at least
    ``least(artist)``, a box in display pixels, when given: where it may paint pixels the
    colour they were) must be what they were then: Agg's drawing is a function of the two,
    so the kept result is the pixels a draw would give. Otherwise the artist draws; its key
    is kept (on the artist, as ``_gexlib_kept``), and when the next draw has the same key,
    that draw's pixels are kept too (a state seen once costs no copy of the canvas). The ink
    its text leaves (:attr:`Renderer.ink`, with the Axes each belongs to) is kept with the pixels.
    """

    def kept(renderer):
        key = key_of(artist, renderer)
        if key is None:
            return draw(renderer)
        buf = np.asarray(renderer.buffer_rgba())
        entry = getattr(artist, "_gexlib_kept", None)
        if entry is not None and entry.key == key and entry.region is not None:
            y0, y1, x0, x1 = entry.region
            if np.array_equal(buf[y0:y1, x0:x1], entry.before):
                buf[y0:y1, x0:x1] = entry.after
                if renderer.ink is not None:
                    for owner, box in entry.ink:
                        renderer._ink_of(owner, *box)
                artist.stale = False
                return None
        if entry is None or entry.key != key:  # a new state: drawn as usual, kept if the next draw repeats it
            artist._gexlib_kept = _Kept(key, None, None, None, None)
            return draw(renderer)
        before = buf.copy()
        ink, renderer.ink = renderer.ink, ({} if renderer.ink is not None else None)
        try:
            draw(renderer)
        finally:
            drawn, renderer.ink = renderer.ink, ink
        if drawn:
            for owner, box in drawn.items():
                renderer._ink_of(owner, *box)
        boxes = [] if least is None else [_rows_of(least(artist), buf.shape[0], PAD)]
        y0, y1, x0, x1 = _region(before, buf, boxes) or (0, 0, 0, 0)
        artist._gexlib_kept = _Kept(key, (y0, y1, x0, x1), before[y0:y1, x0:x1].copy(), buf[y0:y1, x0:x1].copy(),
                                    [] if not drawn else [(owner, list(box)) for owner, box in drawn.items()])
        return None

    return kept


def _rows_of(extents, height: int, pad: int) -> list[int]:
    """A box in display pixels (``x0, y0, x1, y1``, y upwards) as the buffer's rows and columns
    (``[row0, row1, col0, col1]``, y downwards), widened by ``pad`` on every side (not clipped)."""
    x0, y0, x1, y1 = extents
    return [math.floor(height - y1) - pad, math.ceil(height - y0) + pad, math.floor(x0) - pad, math.ceil(x1) + pad]


def _clipped(box, shape) -> tuple[int, int, int, int]:
    """Rows and columns ``box`` clipped to a buffer of ``shape``."""
    h, w = shape[:2]
    return tuple(int(min(max(v, 0), n)) for v, n in zip(box, (h, h, w, w), strict=True))


def _region(before, after, boxes=()) -> tuple[int, int, int, int] | None:
    """The rows and columns covering every pixel that differs between two buffers (widened by :data:`PAD`)
    and ``boxes`` (rows and columns), clipped to the buffer; None when there is neither."""
    changed = before.view(np.uint32)[..., 0] != after.view(np.uint32)[..., 0]
    rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
    boxes = list(boxes) + ([[rows[0] - PAD, rows[-1] + 1 + PAD, cols[0] - PAD, cols[-1] + 1 + PAD]] if rows.size else [])
    if not boxes:
        return None
    return _clipped((min(b[0] for b in boxes), max(b[1] for b in boxes), min(b[2] for b in boxes),
                     max(b[3] for b in boxes)), changed.shape)


class _TextKept:
    """A legend text's last draw: the pixels it may ink (``box``: rows and columns, with :data:`TEXT_PAD`), what they
    were before it drew, its ink (owner and box), and whether it can be drawn again alone (``alone``)."""

    __slots__ = ("box", "before", "ink", "alone")

    def __init__(self, box, before, ink, alone):
        self.box, self.before, self.ink, self.alone = box, before, ink, alone


class _LegendKept:
    """A legend's last draw: its key without and with its strings, the pixels it drew on (``region``), what they were
    and what they became, and each text's :class:`_TextKept`."""

    __slots__ = ("frame", "strings", "region", "before", "after", "texts")

    def __init__(self, frame, strings, region, before, after, texts):
        self.frame, self.strings, self.region = frame, strings, region
        self.before, self.after, self.texts = before, after, texts


#: Pixels around a legend text's layout box that its glyphs may ink (a glyph's bitmap past its advance).
TEXT_PAD = 2


def _is_math(text, s: str) -> bool:
    """Whether ``text`` would draw ``s`` as mathtext (its ink is then measured, not known from its glyphs)."""
    return text.get_parse_math() and cbook.is_math_text(s)


def _text_rows(text, renderer, shape) -> tuple[int, int, int, int]:
    """The rows and columns of the buffer (``shape``) a text's layout box covers, with :data:`TEXT_PAD`, clipped."""
    return _clipped(_rows_of(text.get_window_extent(renderer).extents, shape[0], TEXT_PAD), shape)


def _inside(ink, box, height) -> bool:
    """Whether an ink box (display pixels, y upwards) lies within ``box`` (rows and columns)."""
    x0, y0, x1, y1 = ink
    r0, r1, c0, c1 = box
    return c0 <= x0 and x1 <= c1 and r0 <= height - y1 and height - y0 <= r1


def _kept_legend(leg, draw):
    """``leg.draw`` that draws only what changed when the legend is packed as at its last draw.

    A legend's texts often change while everything else in it stays: a level or total in an
    entry's label. When its key without the strings (:func:`_legend_parts`) is the kept one,
    and the pixels it draws on are what they were at its last draw (as :func:`_kept_draw`
    requires), the legend is packed into the same boxes and draws the same frame and handles
    at the same places, and each text the same pixels when its string is the same. So the
    kept pixels are put back and each changed text is drawn again alone, over the pixels
    that were under it just before it drew (kept from the last full draw; a text is drawn
    alone only when nothing drawn after it touched the pixels around its box, its string is
    not mathtext, and its ink stays inside that box). The result is the pixels a full draw
    gives, byte for byte. Otherwise the legend draws in full; its pixels are kept when it packs as at its
    last draw (a legend packed alike once costs no copy of the canvas).
    """

    def full(renderer, parts):
        frame, strings, texts = parts
        buf = np.asarray(renderer.buffer_rgba())
        before = buf.copy()
        kept = []

        def alone(text):
            def draw_text(r):
                box = _text_rows(text, r, buf.shape)
                under = buf[box[0]:box[1], box[2]:box[3]].copy()
                ink, r.ink = r.ink, {}
                try:
                    Text.draw(text, r)
                finally:
                    drawn, r.ink = r.ink, ink
                if ink is not None:
                    for owner, b in drawn.items():
                        r._ink_of(owner, *b)
                ok = not _is_math(text, text.get_text()) and all(_inside(b, box, buf.shape[0]) for b in drawn.values())
                kept.append((text, box, under, [(owner, list(b)) for owner, b in drawn.items()], ok,
                             buf[box[0]:box[1], box[2]:box[3]].copy()))
            return draw_text

        for text in texts:
            if text.get_visible():
                text.draw = alone(text)
        try:
            draw(renderer)
        finally:
            for text in texts:
                vars(text).pop("draw", None)
        region = _region(before, buf, [k[1] for k in kept])
        if region is None:
            leg._gexlib_legend = _LegendKept(frame, strings, None, None, None, None)
            return None
        y0, y1, x0, x1 = region

        def apart(box):  # from every other text's box
            return sum(b[0] < box[1] and box[0] < b[1] and b[2] < box[3] and box[2] < b[3] for _, b, *_ in kept) == 1

        # alone: nothing drawn later touched its box, and no other text's box meets it
        by_text = {id(text): (box, under, ink, ok and apart(box)
                              and np.array_equal(buf[box[0]:box[1], box[2]:box[3]], after))
                   for text, box, under, ink, ok, after in kept}
        leg._gexlib_legend = _LegendKept(frame, strings, region, before[y0:y1, x0:x1].copy(),
                                         buf[y0:y1, x0:x1].copy(),
                                         [_TextKept(*by_text[id(t)]) if id(t) in by_text else None for t in texts])
        return None

    def again(renderer, parts, entry) -> bool:
        """Put the kept pixels back and draw the changed texts alone; False (pixels as before) when that cannot be."""
        _, strings, texts = parts
        buf = np.asarray(renderer.buffer_rgba())
        y0, y1, x0, x1 = entry.region
        if not np.array_equal(buf[y0:y1, x0:x1], entry.before):
            return False
        changed = [i for i, (new, old) in enumerate(zip(strings, entry.strings, strict=True)) if new != old]
        if any(entry.texts[i] is None or not entry.texts[i].alone or _is_math(texts[i], strings[i]) for i in changed):
            return False
        buf[y0:y1, x0:x1] = entry.after
        inks = [None if t is None else t.ink for t in entry.texts]
        for i in changed:
            t = entry.texts[i]
            r0, r1, c0, c1 = t.box
            buf[r0:r1, c0:c1] = t.before
            ink, renderer.ink = renderer.ink, {}
            try:
                Text.draw(texts[i], renderer)
            finally:
                drawn, renderer.ink = renderer.ink, ink
            if not all(_inside(b, t.box, buf.shape[0]) for b in drawn.values()):
                buf[y0:y1, x0:x1] = entry.before  # its ink left its box: the legend draws in full
                return False
            inks[i] = [(owner, list(b)) for owner, b in drawn.items()]
        if renderer.ink is not None:
            for ink in inks:
                for owner, b in ink or ():
                    renderer._ink_of(owner, *b)
        for i in changed:
            entry.texts[i].ink = inks[i]
        entry.strings = strings
        entry.after = buf[y0:y1, x0:x1].copy()
        leg.stale = False
        return True

    def kept(renderer):
        parts = _legend_parts(leg, renderer)
        if parts is None:
            vars(leg).pop("_gexlib_legend", None)
            return draw(renderer)
        entry = vars(leg).get("_gexlib_legend")
        if entry is None or entry.frame != parts[0]:  # packed anew: drawn as usual, kept if the next draw packs alike
            leg._gexlib_legend = _LegendKept(parts[0], parts[1], None, None, None, None)
            return draw(renderer)
        if entry.region is not None and again(renderer, parts, entry):
            return None
        return full(renderer, parts)

    return kept


_GENERATIONS = itertools.count()
_RC = {"params": None, "generation": 0}


def _rc_generation() -> int:
    """A number that changes whenever an rcParam has changed since the last draw (read once per draw)."""
    params = dict.copy(matplotlib.rcParams)
    if params != _RC["params"]:
        _RC["params"], _RC["generation"] = params, next(_GENERATIONS)
    return _RC["generation"]


def _canvas_key(renderer) -> tuple:
    """What every kept draw's pixels depend on beyond the artist: the canvas' size and dpi, the font settings and
    hinting, and the rcParams in force (:func:`_rc_generation`: Agg reads some of them while drawing)."""
    return renderer.width, renderer.height, renderer.dpi, renderer.settings, get_hinting_flag(), renderer.rc


def _changed_since_drawn(ax) -> None:
    """Give ``ax`` a new generation (``_gexlib_generation``) when it changed since its last draw.

    matplotlib marks an Axes changed (``stale``) when any artist in it is set, added or
    removed, or its limits or those of an Axes sharing them are set; its draw marks it
    unchanged. Asked before the figure's draw begins (which marks every Axes changed as it
    places it): pending autoscaling is done first, as the Axes' draw does it first.
    """
    ax._unstale_viewLim()
    if ax.stale or "_gexlib_generation" not in vars(ax):
        ax._gexlib_generation = next(_GENERATIONS)


def _axes_key(ax, renderer) -> tuple | None:
    """The state key of an Axes and everything in it: its generation (:func:`_changed_since_drawn`), its
    place, the canvas and the settings in force, and the generations of the Axes its labels or title are
    aligned with (``Figure.align_labels``, ``align_titles``: their tick labels place this one's); None for an
    Axes placed or shaped while drawing."""
    if (not isinstance(renderer, Renderer) or ax.get_axes_locator() is not None or ax.get_aspect() != "auto"
            or ax.get_box_aspect() is not None or ax.get_figure(root=False) is not ax.get_figure(root=True)):
        return None
    aligned = tuple((name, vars(other).get("_gexlib_generation"))
                    for name, group in ax.get_figure(root=False)._align_label_groups.items()
                    for other in group.get_siblings(ax) if other is not ax)
    return (vars(ax).get("_gexlib_generation"), ax._position.bounds, ax._originalPosition.bounds, _canvas_key(renderer),
            aligned)


def _axes_box(ax):
    """The Axes' box in display pixels: its background and spines may paint pixels the colour they were."""
    return ax.bbox.extents


_LAYOUT_OF_TEXT = Text._get_layout


def _text_layout(text, renderer):
    """:meth:`matplotlib.text.Text._get_layout` kept per string, font, alignment, rotation and dpi.

    The layout of a text (its box, lines and their places relative to its anchor) is
    a function of those alone; tick labels, legend entries and axis labels ask for
    it several times per draw and again at every draw. Installed by :meth:`Canvas.draw`
    for its own draws only; another renderer, wrapped text, mathtext and TeX are laid out as usual.
    """
    s = text.get_text()
    if (not isinstance(renderer, Renderer) or text.get_wrap() or text.get_usetex()
            or (text.get_parse_math() and "$" in s)):
        return _LAYOUT_OF_TEXT(text, renderer)
    key = (s, _font_key(text._fontproperties, renderer.settings), text.get_parse_math(),
           text._linespacing, text._get_multialignment(), text.get_rotation(), text.get_rotation_mode(),
           text._horizontalalignment, text._verticalalignment, text.get_figure(root=True).dpi, renderer.dpi,
           get_hinting_flag())
    hit = _TEXTS.get(key)
    if hit is None:
        hit = _remember(_TEXTS, key, _LAYOUT_OF_TEXT(text, renderer))
    bbox, info, corner = hit
    return bbox.frozen(), list(info), corner


def _packed_once(leg):
    """``leg.draw`` with each of its offset boxes packed once per draw instead of once per ancestor.

    A legend's boxes (rows of packers around text and handle areas) each compute
    their size from their children's, and matplotlib asks again at every level of
    the tree while it measures and then draws the legend. Nothing changes size
    during one draw, so each box's first answer (:meth:`~matplotlib.offsetbox.OffsetBox.get_bbox`,
    and the bbox and child offsets that ``_get_bbox_and_child_offsets`` returns) is
    reused until the draw ends.
    """
    boxes = leg.findobj(OffsetBox, include_self=False)
    draw = leg.draw

    def once(box, name):
        method, memo = getattr(box, name), {}

        def remembered(renderer):
            hit = memo.get(id(renderer))
            if hit is None:
                hit = memo[id(renderer)] = (method(renderer), renderer)  # the renderer kept alive with its id
            return hit[0]
        return remembered

    def packed(renderer):
        for box in boxes:
            box.get_bbox = once(box, "get_bbox")
            box._get_bbox_and_child_offsets = once(box, "_get_bbox_and_child_offsets")
        try:
            return draw(renderer)
        finally:
            for box in boxes:
                vars(box).pop("get_bbox", None)
                vars(box).pop("_get_bbox_and_child_offsets", None)

    return packed


def _ticked_once(axis) -> None:
    """Let ``axis`` place its ticks and measure their labels once per draw while its box and limits stay.

    Drawing an Axis places its ticks (locator, formatter, one update per tick) and
    measures their labels; placing its label, and its spines' extents, ask for both
    again, and a layout asks once more. Within one draw these are functions of the
    view limits and the Axes box (the layout moves the box: then they run again), so
    the first result is reused for the same limits, box and renderer until the draw
    ends (:meth:`Canvas.draw` removes the memory).
    """
    update, measure = axis._update_ticks, axis._get_ticklabel_bboxes
    ticked, measured = {}, {}

    def _where():
        return (tuple(axis.get_view_interval()), tuple(axis.axes.bbox.bounds), id(axis.get_major_locator()),
                id(axis.get_major_formatter()), id(axis.get_minor_locator()), id(axis.get_minor_formatter()))

    def update_ticks():
        where = _where()
        hit = ticked.get(where)
        if hit is None:
            hit = ticked[where] = update()
        return list(hit)

    def ticklabel_bboxes(ticks, renderer):
        key = (_where(), tuple(map(id, ticks)), id(renderer), renderer.dpi)
        hit = measured.get(key)
        if hit is None:
            hit = measured[key] = (measure(ticks, renderer), renderer)  # the renderer kept alive with its id
        return list(hit[0][0]), list(hit[0][1])

    axis._update_ticks = update_ticks
    axis._get_ticklabel_bboxes = ticklabel_bboxes


def _extent_once(spine):
    """``spine.get_window_extent`` once per draw for a given Axes box and view limits.

    Placing an axis label and laying the figure out each ask for the extent of the spines
    (the spine's path at the current limits, widened by the tick marks); within one draw
    it is a function of the Axes box and view limits (the layout moves the box: then it
    is measured again), so the first answer (a copy of it) serves the others until the draw ends.
    """
    measure, memo = spine.get_window_extent, {}

    def extent(renderer=None):
        ax = spine.axes
        key = (tuple(ax.bbox.bounds), tuple(ax.viewLim.bounds), ax.get_figure(root=True).dpi, spine.get_visible())
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = measure(renderer)
        return hit.frozen()

    return extent


def _siblings_once(grouper):
    """``grouper.get_siblings`` (the Axes sharing an axis with one, sorted) once per draw per Axes.

    matplotlib asks for an Axes' siblings whenever it reads its view limits; nothing
    joins or leaves a group while a figure draws, so the first answer serves the others.
    """
    find, memo = grouper.get_siblings, {}

    def siblings(a, *, include_self=True):
        key = (id(a), include_self)
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = (find(a, include_self=include_self), a)  # the item kept alive with its id
        return list(hit[0])

    return siblings


def _mark_style(line) -> tuple:
    """What a tick mark's draw depends on besides its place (equal for the marks :func:`_marks_together` joins)."""
    return (line.get_visible(), line.get_linestyle(), line.get_color(), line.get_marker(), line.get_markersize(),
            line.get_markeredgewidth(), _freeze(line.get_markeredgecolor()), _freeze(line.get_markerfacecolor()),
            _freeze(line.get_markerfacecoloralt()), line.get_fillstyle(), line.get_alpha(), line.get_snap(),
            line.get_antialiased(), line.get_clip_on(), id(line.get_clip_box()), line.get_clip_path() is None,
            id(line.get_transform()), line.get_markevery() is None, not line.get_path_effects(),
            line.get_sketch_params() is None, line.get_gid() is None, line.get_url() is None,
            line.get_rasterized(), line.get_agg_filter() is None)


def _drawn(renderer):
    """The draw of a tick mark drawn already (:func:`_marks_together`)."""


def _marks_together(axis):
    """``axis.draw`` with its tick marks drawn by one Line2D, one ``draw_markers`` call, where that is the same.

    Agg stamps a marker at each point of a line on its own, so one line through
    every tick's point draws each tick mark as the tick's own line does. Drawn
    first instead of between the tick labels, the marks give the same pixels when
    no mark comes near a label (label boxes and mark squares apart by 2 pixels),
    no tick draws a grid line, second mark or second label, and the marks are
    alike in every property but their place. Otherwise the axis draws as usual.
    """
    draw = axis.draw

    def together(renderer):
        if not isinstance(renderer, Renderer) or not axis.get_visible():
            return draw(renderer)
        ticks = axis._update_ticks()
        if len(ticks) < 2 or any(t.gridline.get_visible() or t.tick2line.get_visible() or t.label2.get_visible()
                                 or not t.get_visible() for t in ticks):
            return draw(renderer)
        lines = [t.tick1line for t in ticks]
        style = _mark_style(lines[0])
        if not style[0] or style[1] not in ("None", "none", " ", "") or any(
                _mark_style(line) != style for line in lines[1:]):
            return draw(renderer)
        first = lines[0]
        points = np.concatenate([line.get_xydata() for line in lines])
        if points.shape != (len(lines), 2):
            return draw(renderer)
        centres = first.get_transform().transform(points)
        marker = first._marker  # its outline around each centre, in pixels, widened by half the stroke and 2 pixels
        extent = marker.get_path().get_extents(
            marker.get_transform() + Affine2D().scale(renderer.points_to_pixels(first.get_markersize())))
        grow = renderer.points_to_pixels(first.get_markeredgewidth()) / 2 + 2
        boxes = [*axis._get_ticklabel_bboxes(ticks, renderer)[0]]
        axis._update_label_position(renderer)  # where the draw will put them
        for text in (axis.label, axis.offsetText):
            if text.get_visible() and text.get_text():
                boxes.append(text.get_window_extent(renderer))
        for box in boxes:  # each label's box widened by 2 pixels
            if ((centres[:, 0] + extent.x1 + grow > box.x0 - 2) & (centres[:, 0] + extent.x0 - grow < box.x1 + 2)
                    & (centres[:, 1] + extent.y1 + grow > box.y0 - 2)
                    & (centres[:, 1] + extent.y0 - grow < box.y1 + 2)).any():
                return draw(renderer)
        marks = Line2D(points[:, 0], points[:, 1])
        marks.update_from(first)
        marks.set_figure(first.get_figure(root=False))
        for line in lines:  # drawn by ``marks``; still visible to what measures them (the spines' extents)
            line.draw = _drawn
        try:
            marks.draw(renderer)
            return draw(renderer)
        finally:
            for line in lines:
                vars(line).pop("draw", None)

    return together


def _then(draw, after):
    """``draw``, then ``after()``."""
    def run(renderer):
        out = draw(renderer)
        after()
        return out
    return run


class Canvas(FigureCanvasAgg):
    """An Agg canvas drawing with :class:`Renderer`; otherwise :class:`~matplotlib.backends.backend_agg.FigureCanvasAgg`."""

    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = Renderer(w, h, self.figure.dpi)
            self._lastKey = key
        self.renderer.settings = _font_settings()
        return self.renderer

    def draw(self):
        """Draw the figure; each Axes and each legend from the pixels of its last draw when it and what lies under it
        are unchanged (:func:`_kept_draw`)."""
        renderer = self.get_renderer()
        renderer.rc = _rc_generation()
        for ax in self.figure.axes:
            _changed_since_drawn(ax)
            ax.draw = _kept_draw(ax, ax.draw, _axes_key, _axes_box)
            if renderer.after_axes is not None:
                ax.draw = _then(ax.draw, renderer.after_axes)
        legends = [leg for leg in (*(ax.get_legend() for ax in self.figure.axes), *self.figure.legends)
                   if isinstance(leg, Legend)]
        for leg in legends:
            leg.draw = _kept_legend(leg, _packed_once(leg))
        axes = [axis for ax in self.figure.axes for axis in ax._axis_map.values()]
        for axis in axes:
            _ticked_once(axis)
            axis.draw = _marks_together(axis)
        spines = [spine for ax in self.figure.axes for spine in ax.spines.values()]
        for spine in spines:
            spine.get_window_extent = _extent_once(spine)
        groupers = list({id(g): g for ax in self.figure.axes
                         for g in (*ax._shared_axes.values(), ax._twinned_axes)}.values())
        for grouper in groupers:
            grouper.get_siblings = _siblings_once(grouper)
        Text._get_layout = _text_layout
        try:
            super().draw()
        finally:
            Text._get_layout = _LAYOUT_OF_TEXT
            for spine in spines:
                vars(spine).pop("get_window_extent", None)
            for grouper in groupers:
                vars(grouper).pop("get_siblings", None)
            for leg in legends:
                vars(leg).pop("draw", None)
            for ax in self.figure.axes:
                vars(ax).pop("draw", None)
            for axis in axes:
                vars(axis).pop("_update_ticks", None)
                vars(axis).pop("_get_ticklabel_bboxes", None)
                vars(axis).pop("draw", None)


def draw(fig, dpi: float, ink: dict | None = None, after_axes=None) -> np.ndarray:
    """``fig`` drawn with :class:`Canvas` at ``dpi``: an RGBA array (height × width × 4) of its own.

    The array is the pixels of the renderer that drew it, which no later draw writes to (the
    canvas left on the figure makes a new renderer for its next draw), so it needs no copy.

    With ``ink`` (a dict), the texts' inked boxes are collected into it (:attr:`Renderer.ink`),
    and ``after_axes()`` (if given) is called after each Axes is drawn: an exception it raises
    ends the draw there.
    """
    fig.set_dpi(dpi)
    canvas = Canvas(fig)
    renderer = canvas.get_renderer()
    gids = [ax.get_gid() for ax in fig.axes]
    if ink is not None:
        renderer.ink = ink
        renderer.after_axes = after_axes
        for ax in fig.axes:
            ax.set_gid(_Owner(ax))
    try:
        canvas.draw()
    finally:
        renderer.ink = None
        renderer.after_axes = None
        renderer._drawing = ()
        for ax, gid in zip(fig.axes, gids, strict=True):
            ax.set_gid(gid)
    canvas._lastKey = None  # a later draw through this canvas (savefig, a second draw) gets a renderer of its own
    return np.asarray(canvas.buffer_rgba())


def place(fig, positions) -> None:
    """Put ``fig``'s Axes at ``positions`` (figure fractions, in ``fig.axes`` order) and turn its layout engine off."""
    if len(positions) != len(fig.axes):
        raise ValueError(f"{len(positions)} positions for a figure of {len(fig.axes)} Axes")
    fig.set_layout_engine("none")
    for ax, pos in zip(fig.axes, positions, strict=True):
        bounds = pos.bounds if isinstance(pos, BboxBase) else Bbox.from_bounds(*pos).bounds
        if ax._originalPosition.bounds != bounds or ax._position.bounds != bounds:  # (get_position may set them)
            ax._set_position(pos, which="both")  # which marks the Axes changed: only where it moves


def _structure(fig) -> tuple:
    """What a layout is for: the figure's size and dpi, and each Axes' kind and place in its grid."""
    axes = []
    for ax in fig.axes:
        spec = ax.get_subplotspec()
        grid = None if spec is None else spec.get_gridspec()
        axes.append((type(ax).__name__, None if spec is None else (
            spec.rowspan, spec.colspan, grid.get_geometry(), tuple(grid.get_height_ratios() or ()),
            tuple(grid.get_width_ratios() or ()))))
    return (tuple(fig.get_size_inches()), fig.dpi, tuple(axes), len(fig.texts), len(fig.legends))


def _margins(fig, ink: dict) -> dict:
    """How far text reaches beyond each Axes box, in pixels per side (left, bottom, right, top).

    Axes drawn in the same box (a twin and its parent) count as one, keyed by the
    index of the first of them in ``fig.axes``: a layout makes room for the
    farther-reaching of the two on each side. Figure-level text (key -1) is
    measured against the figure. Text inside a box reaches 0.
    """
    groups = {}
    for i, ax in enumerate(fig.axes):
        groups.setdefault(tuple(np.round(ax.bbox.extents, 3)), i)
    out = {}
    for ax, box in ink.items():
        frame = fig.bbox if ax is None else ax.bbox
        key = -1 if ax is None else groups[tuple(np.round(frame.extents, 3))]
        x0, y0, x1, y1 = frame.extents
        reach = (max(0.0, x0 - box[0]), max(0.0, y0 - box[1]), max(0.0, box[2] - x1), max(0.0, box[3] - y1))
        old = out.get(key)
        out[key] = reach if old is None else tuple(map(max, old, reach))
    return out


def _within(a, b):
    """The box inside both Axes positions ``a`` and ``b`` (figure fractions): the larger margin on every side."""
    return Bbox.from_extents(max(a.x0, b.x0), max(a.y0, b.y0), min(a.x1, b.x1), min(a.y1, b.y1))


class _Outgrown(Exception):
    """Raised while :class:`Stage` draws at its stored layout, as soon as an Axes' text outgrows it."""


class Stage:
    """Draws a live figure's successive states, running its layout only when its text would not fit.

    A dashboard redraws the same kind of figure on every event. Constrained layout
    (two measuring passes over every text) is about half of an Agg draw, and its
    result rarely changes from one event to the next. :meth:`draw` lays a figure out
    the first time; later figures of the same structure (:func:`_structure`: same
    size, Axes and grid) are drawn at stored Axes positions with the layout
    engine off, and their text is measured as it is drawn (:attr:`Renderer.ink`). If
    any Axes' text then reaches further beyond its box than it did when the layout
    was made (:func:`_margins`; by more than :data:`TOLERANCE` pixels, half the pad
    constrained layout leaves around each Axes' text), or a figure-level text
    further beyond the figure, the figure is laid out and drawn again, and that
    layout is stored (the draw at the stored positions stops at the first Axes whose
    text outgrows them). So text is never cut or pushed over a neighbour, and the Axes do not
    jump about while a slider moves. A figure without a layout engine is drawn as it is.

    Layouts only ever make more room: after a new layout, the stored positions are
    each Axes' box inside both the old and the new layout (:func:`_within`), with
    room for the text either needed, so text that takes turns being wider on one
    side and on another (a tick label at an edge, a longer legend entry) stops
    costing a layout after each has been seen once. Text whose reach depends on the
    size of its box (a label centred along a short colour bar) may not fit the
    smaller boxes: if the first draw at them fails, the stage lays out afresh from
    then on.

    Attributes
    ----------
    positions : list of matplotlib.transforms.Bbox or None
        The Axes positions (figure fractions, in ``fig.axes`` order) of the last draw.
    layouts : int
        How many draws ran the layout (the first included).
    frozen : int
        How many draws used the stored positions.
    cut : int
        How many draws at the stored positions stopped at the first Axes whose text outgrew them
        (its Axes' text is measured as each is drawn: the Axes after it are not drawn for nothing
        before the layout runs).
    """

    #: Pixels by which text may reach further than when the layout was made (at 100 dpi, half of
    #: the 3-point pad constrained layout leaves around each Axes' decorations).
    TOLERANCE = 2.0

    def __init__(self):
        self.positions = None
        self.layouts = 0
        self.frozen = 0
        self._structure = None
        self._margins = None  # text reach each stored box makes room for, per group (see _margins)
        self._boxes = None  # the Axes positions of the next draw at the stored layout
        self._within = False  # whether _boxes are an intersection not drawn yet
        self._widen = True  # whether a new layout keeps the old one's room (see the class)
        self.cut = 0

    def _fits(self, margins: dict) -> bool:
        """Whether text reaching ``margins`` (:func:`_margins`) fits the stored layout (within :data:`TOLERANCE`)."""
        return margins.keys() <= self._margins.keys() and all(
            new <= old + self.TOLERANCE for i, m in margins.items() for new, old in zip(m, self._margins[i], strict=True))

    def draw(self, fig, dpi: float) -> np.ndarray:
        """``fig`` drawn at ``dpi`` (an RGBA array of its own, see :func:`draw`), at the stored layout when its text fits it."""
        engine = fig.get_layout_engine()
        if isinstance(engine, ConstrainedLayoutEngine):
            fig.gexlib_layout = engine  # kept on the figure, to lay it out again after freezing
        engine = getattr(fig, "gexlib_layout", None)
        if engine is None:
            return draw(fig, dpi)
        fig.set_dpi(dpi)
        structure = _structure(fig)
        again = structure == self._structure
        if again:
            place(fig, self._boxes)
            ink = {}

            def fits():  # checked after each Axes: text that reaches further already will not fit
                if not self._fits(_margins(fig, ink)):
                    raise _Outgrown

            try:
                rgba = draw(fig, dpi, ink, after_axes=fits)
            except _Outgrown:
                self.cut += 1
            else:
                if self._fits(_margins(fig, ink)):
                    self.frozen += 1
                    self.positions = list(self._boxes)
                    self._within = False
                    return rgba
            if self._within:  # text that depends on its box's size (e.g. a centred label) outgrew the
                self._widen = False  # smaller boxes: lay out afresh from now on
        fig.set_layout_engine(engine)
        ink = {}
        rgba = draw(fig, dpi, ink)
        fig.set_layout_engine("none")  # the layout just made stays until the text outgrows it
        self.layouts += 1
        # where the draw put each Axes (get_position(original=False) would place it again, marking it changed)
        self.positions = [ax._position.frozen() for ax in fig.axes]
        margins = _margins(fig, ink)
        if again and self._widen and margins.keys() == self._margins.keys():  # room for old and new text
            self._boxes = [_within(a, b) for a, b in zip(self._boxes, self.positions, strict=True)]
            self._margins = {i: tuple(map(max, self._margins[i], m)) for i, m in margins.items()}
            self._within = True
        else:
            self._boxes, self._margins, self._within = list(self.positions), margins, False
        self._structure = structure
        return rgba
