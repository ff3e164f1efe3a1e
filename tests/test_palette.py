"""The 256-colour frames of book mode: frequent colours exact, blends to their nearest palette colour."""

import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import PIL.Image  # noqa: E402
import pytest  # noqa: E402

from gexlib.course import palette, widgets  # noqa: E402


def decoded(image):
    return np.asarray(image.convert("RGB")).astype(int)


def test_few_colours_are_kept_exactly():
    rng = np.random.default_rng(1)
    colors = rng.integers(0, 256, size=(200, 3), dtype=np.uint8)
    rgb = colors[rng.integers(0, 200, size=(40, 60))]
    rgba = np.concatenate([rgb, np.full((40, 60, 1), 255, np.uint8)], axis=2)
    for array in (rgb, rgba):
        image = palette.quantize(array)
        assert image.mode == "P"
        assert np.array_equal(decoded(image), rgb.astype(int))
        assert len(image.getpalette()) // 3 == len(np.unique(rgb.reshape(-1, 3), axis=0))


def test_many_colours_keep_the_frequent_ones_and_map_the_rest_to_the_nearest():
    rng = np.random.default_rng(2)
    frequent = rng.integers(0, 256, size=(palette.EXACT, 3), dtype=np.uint8)
    rare = rng.integers(0, 256, size=(3100, 3), dtype=np.uint8)
    pixels = np.concatenate([np.repeat(frequent, 50, axis=0), rare])  # each frequent colour on 50 pixels
    rgb = pixels[rng.permutation(len(pixels))].reshape(-1, 250, 3)
    image = palette.quantize(rgb)
    entries = np.asarray(image.getpalette(), dtype=int).reshape(-1, 3)
    assert len(entries) <= palette.COLORS
    index = np.asarray(image)
    out = entries[index]
    src = rgb.astype(int)
    # every pixel of a frequent colour keeps it
    is_frequent = (src[..., None, :] == frequent.astype(int)[None, None]).all(-1).any(-1)
    assert is_frequent.sum() >= 50 * palette.EXACT
    assert np.array_equal(out[is_frequent], src[is_frequent])
    # every other pixel takes a palette colour at the least squared distance (checked by brute force)
    dist = ((src[..., None, :] - entries[None, None]) ** 2).sum(-1)
    assert np.array_equal(((out - src) ** 2).sum(-1), dist.min(-1))
    assert palette.quantize(rgb).tobytes() == image.tobytes()  # deterministic


def test_input_must_be_an_rgb_or_rgba_byte_array():
    with pytest.raises(ValueError, match="uint8"):
        palette.quantize(np.zeros((4, 4, 3), dtype=float))
    with pytest.raises(ValueError, match="3 or 4"):
        palette.quantize(np.zeros((4, 4, 2), dtype=np.uint8))


def test_a_dashboard_frame_is_as_close_as_pillows_median_cut():
    dash = widgets.greeks_dashboard()  # two panels of curves, legends and text: hundreds of blends
    _, fig = dash.compute(dash.values())
    rgba = widgets.draw_rgba(fig)
    src = rgba[..., :3].astype(int)
    assert len(np.unique(src.reshape(-1, 3), axis=0)) > palette.COLORS  # the approximate branch
    png = widgets.encode_png(rgba, palette=True)
    image = PIL.Image.open(io.BytesIO(png))
    assert image.mode == "P"
    ours = np.abs(decoded(image) - src)
    median = np.abs(decoded(PIL.Image.fromarray(rgba).convert("RGB").quantize(256)) - src)
    print("mean error", ours.mean(), "vs median cut", median.mean(),
          "exact pixels", (ours.max(-1) == 0).mean(), "vs", (median.max(-1) == 0).mean())
    assert ours.mean() < 0.5 and ours.mean() <= 2 * median.mean() + 0.01
    assert (ours.max(-1) == 0).mean() >= min(0.9, (median.max(-1) == 0).mean() - 0.02)
    # the colours that cover the figure (background, text, lines, bars) are exact
    flat = src.reshape(-1, 3)
    colors, counts = np.unique(flat, axis=0, return_counts=True)
    common = colors[counts >= 200]
    assert len(common) >= 3
    mask = (src[..., None, :] == common[None, None]).all(-1).any(-1)
    assert np.array_equal(decoded(image)[mask], src[mask])
