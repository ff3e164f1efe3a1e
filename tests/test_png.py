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


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.binary(max_size=300), st.integers(0, 3))
def test_adler32_combine_is_the_checksum_of_the_joined_bytes(first, second, repeat):
    second = second * (1 + repeat * 300)  # lengths past the modulus 65521 too
    assert widgets.adler32_combine(zlib.adler32(first), zlib.adler32(second), len(second)) == zlib.adler32(first + second)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_rows_deflated_in_blocks_join_into_one_stream(monkeypatch, threads):
    from gexlib import parallel

    monkeypatch.setattr(parallel, "THREADS", threads)
    rng = np.random.default_rng(threads)
    rgba = np.full((301, 200, 4), 255, np.uint8)  # over parallel.MIN_SIZE bytes: split into `threads` blocks
    rgba[::7, ::3] = rng.integers(0, 256, size=rgba[::7, ::3].shape, dtype=np.uint8)
    png = widgets.png_rgba(rgba, level=1)
    np.testing.assert_array_equal(_read(png), rgba)
    idat = png[33 + 8:-12 - 4]  # after the signature and IHDR, the IDAT body (before its CRC and IEND)
    assert struct.unpack(">I", png[33:37])[0] == len(idat) and png[37:41] == b"IDAT"
    rows = np.concatenate([np.zeros((301, 1), np.uint8), rgba.reshape(301, -1)], axis=1)
    assert zlib.decompress(idat) == rows.tobytes()  # zlib checks the header and the combined Adler-32
    assert idat.count(b"\x00\x00\xff\xff") >= threads - 1  # each block but the last ends on a sync flush
