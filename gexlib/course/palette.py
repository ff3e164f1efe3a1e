"""256-colour images of rendered figures, for the many book-mode frames a page embeds.

A dashboard figure drawn with Agg holds a few dozen colours that matter (the white
background, text, each line and bar colour) and a few hundred to a few thousand
anti-aliasing blends of them along edges. :func:`quantize` keeps the first exactly and
approximates only the blends:

- at most :data:`COLORS` distinct colours: the palette is those colours, every pixel
  keeps its exact colour;
- more: the :data:`EXACT` most frequent colours go into the palette as they are,
  the rest (the rare blends) are reduced to the remaining entries by Pillow's median
  cut, and every pixel takes the nearest palette colour (squared RGB distance, in
  integers: the same bytes on every machine), so a frequent colour always keeps its
  own exact entry.

Pillow's median cut over the whole frame gives about the same image (measured on the
lesson dashboards: 98-99 % of pixels unchanged and a mean error below 0.2 of 255 for
both) but takes 20-40 ms a frame; this takes 2-15 ms, the most for figures with
thousands of blends (measured on a shared 2-core machine; the PNG encoding after it
takes another 3-8 ms).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import PIL.Image

#: Entries of a PNG palette.
COLORS = 256
#: Most frequent colours kept exactly when a frame has more than :data:`COLORS`.
EXACT = 128


def _nearest(colors: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Index of the nearest ``palette`` row (squared RGB distance) for each row of ``colors``; ties: lowest index."""
    # float32 holds every integer here exactly (at most 3 × 255² < 2**24 per sum), so the distances
    # are exact whatever order BLAS adds in: the same choice on every machine
    c = colors.astype(np.float32)
    p = palette.astype(np.float32)
    dist = (p * p).sum(1)[None, :] - 2 * (c @ p.T)  # + |c|², the same for every palette entry
    return dist.argmin(1)


def quantize(rgb: np.ndarray) -> PIL.Image.Image:
    """A palette image (mode ``"P"``, at most :data:`COLORS` entries) of an RGB(A) array (height × width × 3 or 4).

    Alpha, if any, is dropped (as ``Image.convert("RGB")`` does). Exact when the
    array holds at most :data:`COLORS` colours; otherwise see the module notes.
    """
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] not in (3, 4) or rgb.dtype != np.uint8:
        raise ValueError(f"expected a height × width × 3 or 4 array of uint8, got {rgb.shape} {rgb.dtype}")
    height, width = rgb.shape[:2]
    if rgb.shape[2] == 4:  # one little-endian word per pixel: R | G << 8 | B << 16 | A << 24
        codes = np.ascontiguousarray(rgb).view("<u4").ravel() & np.uint32(0xFFFFFF)
    else:
        flat = rgb.reshape(-1, 3)
        codes = (flat[:, 0].astype(np.uint32) | (flat[:, 1].astype(np.uint32) << 8)
                 | (flat[:, 2].astype(np.uint32) << 16))
    labels, uniques = pd.factorize(codes, sort=False)  # hashing: faster than sorting ~300,000 pixels
    uniques = np.asarray(uniques, dtype=np.uint32)
    colors = np.stack([uniques & 255, (uniques >> 8) & 255, (uniques >> 16) & 255], axis=1).astype(np.uint8)
    if len(colors) <= COLORS:
        palette, index = colors, labels
    else:
        counts = np.bincount(labels, minlength=len(colors))
        order = np.argsort(-counts, kind="stable")
        frequent, rare = order[:EXACT], order[EXACT:]
        blends = PIL.Image.fromarray(np.ascontiguousarray(colors[rare][None, :, :]), "RGB").quantize(COLORS - EXACT)
        used = np.unique(np.asarray(blends))
        cut = np.asarray(blends.getpalette()[:3 * (int(used.max()) + 1)], dtype=np.uint8).reshape(-1, 3)[used]
        palette = np.concatenate([colors[frequent], cut])
        nearest = np.empty(len(colors), dtype=np.intp)
        nearest[frequent] = np.arange(EXACT)  # exact
        nearest[rare] = _nearest(colors[rare], palette)
        index = nearest[labels]
    image = PIL.Image.fromarray(index.astype(np.uint8).reshape(height, width), "P")
    image.putpalette(np.ascontiguousarray(palette, dtype=np.uint8).tobytes())
    return image
