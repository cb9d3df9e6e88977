"""Snapshots for a BCF file: the picture with its markup drawn in, encoded fast enough for a thousand of them.

Pillow's PNG encoder tries every row filter on every row and compresses hard (62 ms for an 800 x 500 render of
the demo plant). Here every row gets PNG's "Sub" filter, done at once with numpy, and zlib's fastest level
packs the result (9 ms and 15 % larger for that render), or run-length coding where nothing repeats (a noisy
picture: 1.4 ms instead of Pillow's 7, 1 % larger). zlib lets other threads run meanwhile, so the export draws
its snapshots in parallel.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Sequence

import numpy as np
from PIL import Image

from viewer.model.review import MarkupShape
from viewer.review.markup_draw import draw_markup

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
REPEAT_SHARE = 0.25  # zero bytes after the Sub filter above which LZ77 matching is worth its time


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_rgb_png(pixels: np.ndarray) -> bytes:
    """An (height, width, 3) uint8 picture as PNG bytes."""
    height, width, channels = pixels.shape
    if channels != 3 or pixels.dtype != np.uint8:
        raise ValueError(f"expected an RGB picture of bytes, got {pixels.shape} {pixels.dtype}")
    rows = np.ascontiguousarray(pixels).reshape(height, width * 3)
    filtered = np.empty((height, width * 3 + 1), dtype=np.uint8)
    filtered[:, 0] = 1  # the Sub filter: each byte minus the same byte of the pixel to its left
    filtered[:, 1:4] = rows[:, :3]
    np.subtract(rows[:, 3:], rows[:, :-3], out=filtered[:, 4:])
    # LZ77 only pays where bytes repeat: a render's flat floor and walls are runs of zeros after the filter; a
    # noisy picture has next to none, and run-length coding packs it as small, twice as fast.
    repeats = filtered.size - np.count_nonzero(filtered) > REPEAT_SHARE * filtered.size
    packer = zlib.compressobj(1) if repeats else zlib.compressobj(1, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
    data = packer.compress(filtered.data) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def drawn_snapshot(png: bytes, shapes: Sequence[MarkupShape]) -> bytes:
    """The snapshot with its markup drawn in (the picture as it was when there is none)."""
    if not shapes:
        return png
    with Image.open(io.BytesIO(png)) as image:
        drawn = draw_markup(image, shapes)
    return encode_rgb_png(np.asarray(drawn))


def png_size(png: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's header, without decoding it."""
    if len(png) < 24 or not png.startswith(PNG_SIGNATURE) or png[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", png[16:24])
    return (width, height) if width and height else None
