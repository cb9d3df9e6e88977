"""Markup drawn on a snapshot (Pillow): the same picture for the review report, BCF's snapshot.png and the
window's thumbnails. Shapes are in fractions of the picture, widths in pixels of a picture 1000 pixels wide.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from viewer.model.review import MarkupKind, MarkupShape

HEAD_LENGTH = 22.0  # arrow head, pixels of a 1000-pixel-wide picture
HEAD_ANGLE = math.radians(26)
TEXT_SIZE = 26.0


@cache
def _font(pixels: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf", "Arial Bold.ttf", "arialbd.ttf", "Arial.ttf"):
        try:
            return ImageFont.truetype(name, pixels)
        except OSError:
            continue
    return ImageFont.load_default(pixels)


def draw_markup(image: Image.Image, shapes: Sequence[MarkupShape]) -> Image.Image:
    """A copy of `image` with the shapes drawn on it."""
    out = image.convert("RGB")
    draw = ImageDraw.Draw(out)
    width, height = out.size
    scale = width / 1000.0

    def px(point: tuple[float, float]) -> tuple[float, float]:
        return (point[0] * width, point[1] * height)

    for shape in shapes:
        line = max(1, round(shape.width * scale))
        points = [px(p) for p in shape.points]
        if shape.kind == MarkupKind.TEXT and points:
            font = _font(max(8, round(TEXT_SIZE * scale * max(1.0, shape.width / 4.0))))
            draw.text(points[0], shape.text, fill=shape.color, font=font, stroke_width=max(1, line // 2),
                      stroke_fill=(255, 255, 255))  # fmt: skip
        elif shape.kind == MarkupKind.RECTANGLE and len(points) >= 2:
            (x0, y0), (x1, y1) = points[0], points[-1]
            draw.rectangle((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)), outline=shape.color, width=line)
        elif len(points) >= 2:
            draw.line(points, fill=shape.color, width=line, joint="curve")
            if shape.kind == MarkupKind.ARROW:
                (tx, ty), (hx, hy) = points[-2], points[-1]
                angle = math.atan2(hy - ty, hx - tx)
                length = HEAD_LENGTH * scale * max(1.0, shape.width / 4.0)
                wings = [
                    (hx - length * math.cos(angle + s * HEAD_ANGLE), hy - length * math.sin(angle + s * HEAD_ANGLE))
                    for s in (-1, 1)
                ]
                draw.polygon([(hx, hy), *wings], fill=shape.color)
    return out


def snapshot_with_markup(png: bytes, shapes: Sequence[MarkupShape]) -> bytes:
    """PNG bytes with the markup drawn; the picture as it was when there is none."""
    if not shapes:
        return png
    with Image.open(io.BytesIO(png)) as image:
        drawn = draw_markup(image, shapes)
    out = io.BytesIO()
    drawn.save(out, format="PNG")
    return out.getvalue()
