"""The dashboards' PNG encoder (`widgets.png_rgba`): Pillow reads back exactly the pixels written."""

import io
import struct
import zlib

import numpy as np
import PIL.Image
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gexlib.course import widgets


def _read(png: bytes) -> np.ndarray:
    with PIL.Image.open(io.BytesIO(png)) as im:
        im.load()  # Pillow checks each chunk's CRC as it reads
        assert im.format == "PNG" and im.mode == "RGBA"
        return np.asarray(im)


@settings(max_examples=40, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 40), st.integers(1, 40), st.just(4))))
def test_any_rgba_array_reads_back_the_same(rgba):
    np.testing.assert_array_equal(_read(widgets.png_rgba(rgba)), rgba)


def test_a_dashboard_frame_reads_back_the_same_and_is_what_the_dashboard_sends():
    from gexlib import datasets

    dash = widgets.dealer_gamma_dashboard(datasets.load("spx_calm.csv"))
    rgba = dash.stage.draw(dash.figure_object, widgets.DPI)
    png = widgets.encode_png(rgba)
    np.testing.assert_array_equal(_read(png), rgba)
    np.testing.assert_array_equal(_read(dash.image), rgba)  # the picture sent is that frame
    assert len(png) < rgba.nbytes / 10  # deflated, not stored: a mostly white figure


def test_a_strided_view_and_every_level_encode_its_own_pixels():
    rng = np.random.default_rng(0)
    big = rng.integers(0, 256, size=(30, 50, 4), dtype=np.uint8)
    view = big[::2, 5:40]  # not contiguous
    for level in (0, 1, 9):
        np.testing.assert_array_equal(_read(widgets.png_rgba(view, level=level)), view)


def test_the_file_has_the_declared_structure():
    rgba = np.zeros((3, 2, 4), np.uint8)
    png = widgets.png_rgba(rgba)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", png[8:16])
    assert (length, kind) == (13, b"IHDR")
    assert struct.unpack(">IIBBBBB", png[16:29]) == (2, 3, 8, 6, 0, 0, 0)
    assert png[-12:] == struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))


@pytest.mark.parametrize("bad", [np.zeros((3, 2, 3), np.uint8), np.zeros((3, 2, 4), np.float32), np.zeros((3, 8), np.uint8)])
def test_a_wrong_array_is_refused(bad):
    with pytest.raises(ValueError, match="uint8 array of shape"):
        widgets.png_rgba(bad)
