"""Text labels anchored at 3D points, drawn without overlap by one textured 2D actor.

VTK's label placement mapper re-places and re-rasterises every label on every frame (tens of milliseconds in
software OpenGL, whether the camera moved or not). Here each distinct text is rasterised once (FreeType, through
VTK's text renderer) into an RGBA atlas with its background, and the labels are placed in numpy only when the
view changed; a frame with an unchanged view draws one small textured mesh.
"""

from __future__ import annotations

import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np
import vtkmodules.vtkRenderingFreeType  # noqa: F401  (registers the FreeType text renderer)
from vtkmodules.util.numpy_support import get_vtk_to_numpy_typemap, numpy_to_vtk, numpy_to_vtkIdTypeArray, vtk_to_numpy
from vtkmodules.util.vtkConstants import VTK_ID_TYPE
from vtkmodules.vtkCommonCore import vtkCommand, vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkImageData, vtkPolyData
from vtkmodules.vtkRenderingCore import (
    vtkCamera,
    vtkPolyDataMapper2D,
    vtkRenderer,
    vtkTextProperty,
    vtkTextRenderer,
    vtkTexture,
    vtkTexturedActor2D,
)

MARGIN = 3  # pixels of background around the text
ABOVE_GAP = 6  # pixels between an anchor and the label standing above it
BACKGROUND_OPACITY = 0.8
BACKGROUND_RGB = (255, 255, 255)
MAX_ATLAS_WIDTH = 8192  # well under the texture size limit of any OpenGL 3.2 implementation
_CACHE_BYTES = 32 * 1024 * 1024
SOLID_TEXELS = 2
LEADER_ALPHA = 200
LEADER_MIN_PX = 10  # a label standing further than this from what it names gets a leader line back to it
LEADER_WIDTH_PX = 1.2
SEARCH_STEP_PX = 6  # spacing of the spots tried for a label beside what it names
SEARCH_REACH_PX = 110  # how far from its anchor such a label may go
MAX_PIECES = 8  # a long box is cut into up to this many pieces along each floor axis (see screen_rects)
_ID_TYPE = get_vtk_to_numpy_typemap()[VTK_ID_TYPE]


class Obstacle(Protocol):
    """Something drawn over the view that labels keep clear of."""

    def placed_boxes(self) -> np.ndarray:
        """(left, bottom, right, top) display pixels of each box it covers now; shape (n, 4)."""
        ...


@dataclass
class LabelSpec:
    """`beside`: the label names something drawn at `position` (a line, a cell) and stands on free floor next
    to it instead of over it, with a leader line back to `position` when it had to go further away."""

    position: tuple[float, float, float]
    text: str
    priority: float = 1.0
    beside: bool = False


class _TextCache:
    """Coverage (alpha) images of rasterised texts, least recently used dropped first. Colour is not part of
    the key: the coverage is the same whatever the colour, so a text drawn in two colours is rasterised once."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.rasterised = 0  # texts rasterised so far (tests read it)
        self._images: OrderedDict[tuple[str, int, int], np.ndarray] = OrderedDict()
        self._property = vtkTextProperty()
        self._image = vtkImageData()

    def alpha(self, text: str, font_size: int, dpi: int) -> np.ndarray:
        """(h, w) uint8 coverage of `text`, bottom row first (VTK image order); (0, 0) for blank text."""
        key = (text, font_size, dpi)
        image = self._images.get(key)
        if image is not None:
            self._images.move_to_end(key)
            return image
        image = self._rasterise(text, font_size, dpi)
        self._images[key] = image
        self.bytes += image.nbytes
        while self.bytes > self.max_bytes and len(self._images) > 1:
            _, dropped = self._images.popitem(last=False)
            self.bytes -= dropped.nbytes
        return image

    def _rasterise(self, text: str, font_size: int, dpi: int) -> np.ndarray:
        self.rasterised += 1
        if not text.strip():
            return np.zeros((0, 0), np.uint8)
        prop = self._property
        prop.SetFontSize(font_size)
        dims = [0, 0]
        if not vtkTextRenderer.GetInstance().RenderString(prop, text, self._image, dims, dpi):
            return np.zeros((0, 0), np.uint8)
        width, height = self._image.GetDimensions()[:2]
        rgba = vtk_to_numpy(self._image.GetPointData().GetScalars()).reshape(height, width, 4)
        # The image is padded to powers of two; the text is the tight box at its lower left.
        return np.ascontiguousarray(rgba[: dims[1], : dims[0], 3])


_TEXTS = _TextCache(_CACHE_BYTES)


def _corner_coverage(radius: int) -> np.ndarray:
    """(radius, radius) coverage of the lower-left corner of a rectangle rounded with `radius` (4x4 samples)."""
    samples = (np.arange(4) + 0.5) / 4
    offsets = np.arange(radius)[:, None] + samples[None, :]  # sample positions per pixel along one axis
    dy = offsets[:, None, :, None] - radius
    dx = offsets[None, :, None, :] - radius
    inside = (dx * dx + dy * dy) <= radius * radius
    return inside.mean(axis=(2, 3))


@lru_cache(maxsize=16)
def _composite_table(color: tuple[int, int, int]) -> np.ndarray:
    """Straight-alpha RGBA of text coverage t over background coverage b at index b * 256 + t, as 65536 uint32
    (four uint8 each: a gather of whole texels is several times faster than one of (n, 4) rows)."""
    b, t = np.meshgrid(np.arange(256) / 255.0, np.arange(256) / 255.0, indexing="ij")
    back = b * BACKGROUND_OPACITY * (1.0 - t)
    alpha = t + back
    safe = np.maximum(alpha, 1e-9)
    table = np.empty((256, 256, 4), np.uint8)
    for channel in range(3):
        table[:, :, channel] = np.clip(np.rint((color[channel] * t + BACKGROUND_RGB[channel] * back) / safe), 0, 255)
    table[:, :, 3] = np.clip(np.rint(alpha * 255.0), 0, 255)
    return table.view(np.uint32).reshape(-1)


@dataclass
class _Atlas:
    texture: vtkTexture
    origin: np.ndarray  # (k, 2) int lower-left of each distinct text's sprite in the atlas
    size: np.ndarray  # (k, 2) int sprite width and height (0 for blank text)
    shape: tuple[int, int]  # atlas (width, height)
    pixels: np.ndarray  # (height, width, 4) uint8 texels, bottom row first; the texture's image shares them
    solid: tuple[float, float]  # texture coordinates of a texel in the text colour (leader lines are drawn with it)


def _build_atlas(texts: Sequence[str], color: tuple[int, int, int], font_size: int, dpi: int) -> _Atlas:
    """Every text with its rounded background in one RGBA texture, packed in rows (shelves) by height."""
    alphas = [_TEXTS.alpha(t, font_size, dpi) for t in texts]
    size = np.array([(a.shape[1], a.shape[0]) for a in alphas], dtype=np.int64).reshape(-1, 2)
    size = np.where(size.min(axis=1, keepdims=True) > 0, size + 2 * MARGIN, 0)
    area = int((size[:, 0] * size[:, 1]).sum())
    width = max(
        int(size[:, 0].max(initial=1)), min(MAX_ATLAS_WIDTH, int(np.ceil(np.sqrt(area) * 1.05))), SOLID_TEXELS
    )
    origin = np.zeros((len(texts), 2), np.int64)
    x = y = shelf = 0
    for k in np.argsort(-size[:, 1], kind="stable"):
        w, h = size[k]
        if not w:
            continue
        if x + w > width:
            x, y, shelf = 0, y + shelf, 0
        origin[k] = x, y
        x += w
        shelf = max(shelf, h)
    height = int(y + shelf) + SOLID_TEXELS  # a solid block in the text colour on top, for leader lines

    text_alpha = np.zeros((height, width), np.uint8)
    back_alpha = np.zeros((height, width), np.uint8)  # background coverage, 255 inside the rounded rectangle
    corner = np.rint(_corner_coverage(MARGIN) * 255).astype(np.uint8)
    for k, alpha in enumerate(alphas):
        w, h = size[k]
        if not w:
            continue
        x, y = origin[k]
        text_alpha[y + MARGIN : y + h - MARGIN, x + MARGIN : x + w - MARGIN] = alpha
        back = back_alpha[y : y + h, x : x + w]
        back[:] = 255
        if MARGIN:
            back[:MARGIN, :MARGIN] = corner
            back[:MARGIN, -MARGIN:] = corner[:, ::-1]
            back[-MARGIN:, :MARGIN] = corner[::-1, :]
            back[-MARGIN:, -MARGIN:] = corner[::-1, ::-1]
    # Text over its background, composited here so a frame draws one texture: one table look-up per texel.
    index = (back_alpha.astype(np.uint16) << 8) | text_alpha
    rgba = _composite_table(color)[index].view(np.uint8).reshape(height, width, 4)
    rgba[-SOLID_TEXELS:, :SOLID_TEXELS] = (*color, LEADER_ALPHA)

    image = vtkImageData()
    image.SetDimensions(width, height, 1)
    scalars = numpy_to_vtk(rgba.reshape(-1, 4), deep=False)  # shares `rgba`, which the atlas keeps
    scalars.SetName("rgba")
    image.GetPointData().SetScalars(scalars)
    texture = vtkTexture()
    texture.SetInputData(image)
    texture.InterpolateOff()  # sprites are drawn texel for pixel
    texture.RepeatOff()
    texture.EdgeClampOn()
    texture.MipmapOff()
    solid = (SOLID_TEXELS / 2 / width, (height - SOLID_TEXELS / 2) / height)
    return _Atlas(texture, origin, size, (width, height), rgba, solid)


class LabelLayer:
    """Labels at 3D points, higher priority first where they would overlap (stable for equal priority), each
    centred on the display position of its point, or just above it with `above` (values over equipment, which
    stays visible). `actor` goes into the renderer; `attach` hooks placement
    onto the renderer's StartEvent, so labels are placed right before a frame, and only when the view
    (camera, viewport size, DPI) changed since the last placement."""

    def __init__(
        self, specs: Sequence[LabelSpec], color: tuple[int, int, int], font_size: int, above: bool = False
    ) -> None:
        self.color = tuple(int(c) for c in color)
        self.above = above
        self.font_size = int(font_size)
        self._texts = [s.text for s in specs]
        self._points = np.array([s.position for s in specs], dtype=float).reshape(-1, 3)
        priority = np.array([s.priority for s in specs], dtype=float)
        self._beside = np.array([s.beside for s in specs], dtype=bool)
        self._keep_clear: Callable[[], np.ndarray] | None = None
        self._leaders = np.zeros((0, 2, 2))  # (anchor, nearest point of its label) per leader line, pixels
        self._order = np.argsort(-priority, kind="stable")
        self._distinct, self._text_index = np.unique(np.array(self._texts, dtype=object), return_inverse=True)
        self._atlas: _Atlas | None = None
        self._atlas_dpi = 0
        self._warmed = (0, 0)  # (dpi, how many distinct texts are rasterised for it): see `prepare`
        self._view_key: tuple | None = None
        self._placed = np.zeros(0, np.int64)
        self._boxes = np.zeros((0, 4), np.int64)  # (left, bottom, right, top) of each placed label, pixels
        self._yield_to: list[Obstacle] = []
        self.placements = 0  # how many times the labels were placed (tests and benchmarks read it)

        self._mesh = vtkPolyData()
        self._mesh.SetPoints(vtkPoints())
        mapper = vtkPolyDataMapper2D()
        mapper.SetInputData(self._mesh)
        self.actor = vtkTexturedActor2D()
        self.actor.SetMapper(mapper)
        self.actor.GetProperty().SetColor(1.0, 1.0, 1.0)  # the texture carries the colours
        self.actor.PickableOff()
        self._renderer: vtkRenderer | None = None
        self._observer: int | None = None

    # ------------------------------------------------------------ renderer hook

    def attach(self, renderer: vtkRenderer) -> None:
        """Place the labels at the start of every render of `renderer` that needs it (one layer, one renderer)."""
        self.detach()
        this = weakref.ref(self)  # the renderer must not keep a dropped layer alive

        def on_start(caller: vtkRenderer, _event: str) -> None:
            layer = this()
            if layer is not None:
                layer.update(caller)

        self._renderer = renderer
        self._observer = renderer.AddObserver(vtkCommand.StartEvent, on_start)

    def detach(self) -> None:
        if self._renderer is not None and self._observer is not None:
            self._renderer.RemoveObserver(self._observer)
        self._renderer = None
        self._observer = None

    # ------------------------------------------------------------ what it holds and shows

    def texts(self) -> list[str]:
        """Every text the layer may place, in the order given."""
        return list(self._texts)

    def placed_texts(self) -> list[str]:
        """The texts drawn by the last placement, highest priority first."""
        return [self._texts[i] for i in self._placed]

    def placed_boxes(self) -> np.ndarray:
        """(left, bottom, right, top) in display pixels of each label drawn, as `placed_texts`; none when
        the layer is hidden or not in a renderer."""
        shown = self.actor.GetVisibility() and self._renderer is not None and self._renderer.HasViewProp(self.actor)
        return self._boxes if shown else np.zeros((0, 4), np.int64)

    def yield_to(self, obstacles: Sequence[Obstacle]) -> None:
        """Leave out this layer's labels where `obstacles` stand: other label layers (values over the names,
        say), placed first for the same view, or anything else drawn over the view (a legend)."""
        self._yield_to = [obstacle for obstacle in obstacles if obstacle is not self]
        self._view_key = None

    def keep_clear_of(self, boxes: Callable[[], np.ndarray] | None) -> None:
        """Labels placed `beside` stand off the screen outline of these world boxes ((n, 2, 3), read at each
        placement: the equipment shown) where there is room; where there is none, as near as they can."""
        self._keep_clear = boxes
        self._view_key = None

    def leaders(self) -> np.ndarray:
        """(n, 2, 2) display pixels of each leader line drawn: from a label's anchor to its nearest point."""
        return self._leaders

    def prepare(self, dpi: int, seconds: float) -> bool:
        """Rasterise the texts for `seconds` at most, then (in a later call if time is up) pack the atlas:
        the first frame of a new layer of a thousand names costs 30-75 ms, which a window spreads over
        several turns of its event loop this way. True when the next frame has nothing left to prepare."""
        if self._atlas is not None and self._atlas_dpi == dpi:
            return True
        deadline = time.perf_counter() + seconds
        done = self._warmed[1] if self._warmed[0] == dpi else 0
        if done < len(self._distinct):
            while done < len(self._distinct):
                _TEXTS.alpha(self._distinct[done], self.font_size, dpi)
                done += 1
                if time.perf_counter() > deadline:
                    break
            self._warmed = (dpi, done)
            if time.perf_counter() > deadline:
                return False  # the packing gets a call of its own
        self._atlas = _build_atlas(list(self._distinct), self.color, self.font_size, dpi)
        self._atlas_dpi = dpi
        self.actor.SetTexture(self._atlas.texture)
        return True

    # ------------------------------------------------------------ placement

    def update(self, renderer: vtkRenderer) -> None:
        """Place the labels for the renderer's current view, unless it is the view they were placed for."""
        if not self.actor.GetVisibility() or not len(self._texts) or not renderer.HasViewProp(self.actor):
            return
        for other in self._yield_to:
            if isinstance(other, LabelLayer):
                other.update(renderer)
        window = renderer.GetRenderWindow()
        dpi = int(window.GetDPI()) if window is not None else 72
        width, height = renderer.GetSize()
        camera = renderer.GetActiveCamera()
        aspect = renderer.GetTiledAspectRatio()
        matrix = camera.GetCompositeProjectionTransformMatrix(aspect, -1.0, 1.0).GetData()
        # Rows x, y and w decide display positions; row z only follows the clipping range, reset every frame.
        key = (
            matrix[:8],
            matrix[12:],
            camera.GetPosition(),
            camera.GetDirectionOfProjection(),
            width,
            height,
            dpi,
            [(id(other), other.placed_boxes().tobytes()) for other in self._yield_to],
        )
        if key == self._view_key:
            return
        self._view_key = key
        self._place(np.array(matrix).reshape(4, 4), camera, width, height, dpi)

    def _place(self, matrix: np.ndarray, camera: vtkCamera, width: int, height: int, dpi: int) -> None:
        self.placements += 1
        if self._atlas is None or self._atlas_dpi != dpi:
            self._atlas = _build_atlas(list(self._distinct), self.color, self.font_size, dpi)
            self._atlas_dpi = dpi
            self.actor.SetTexture(self._atlas.texture)
        atlas = self._atlas
        count = len(self._points)
        size = atlas.size[self._text_index]
        homogeneous = np.hstack([self._points, np.ones((count, 1))])
        clip = homogeneous @ matrix.T
        depth = (self._points - np.asarray(camera.GetPosition())) @ np.asarray(camera.GetDirectionOfProjection())
        front = (depth > 0.0) & (clip[:, 3] > 1e-12)
        w = np.where(front, clip[:, 3], 1.0)
        # Pixel of each anchor, rounded the way VTK rounds display coordinates; the label is centred on it.
        ax = np.floor((clip[:, 0] / w + 1.0) * 0.5 * width + 0.5).astype(np.int64)
        ay = np.floor((clip[:, 1] / w + 1.0) * 0.5 * height + 0.5).astype(np.int64)
        x0 = ax - size[:, 0] // 2
        y0 = ay + ABOVE_GAP if self.above else ay - size[:, 1] // 2
        # Whole labels only: one cut by the view's edge reads as a different word.
        inside = (x0 >= 0) & (y0 >= 0) & (x0 + size[:, 0] <= width) & (y0 + size[:, 1] <= height)
        beside = self._beside
        anchored = (ax >= 0) & (ay >= 0) & (ax < width) & (ay < height)
        shown = front & np.where(beside, anchored, inside) & (size[:, 0] > 0)
        covered = None
        if beside.any():
            rects = np.zeros((0, 4), np.int64)
            if self._keep_clear is not None:
                rects = screen_rects(np.asarray(self._keep_clear(), float).reshape(-1, 2, 3), matrix, width, height)
            covered = _integral(rects, width, height)
        # Greedy in priority order on a pixel occupancy map: exact, and about a microsecond per label.
        taken = np.zeros((max(height, 0), max(width, 0)), dtype=bool)
        for other in self._yield_to:
            for left, bottom, right, top in other.placed_boxes().tolist():
                taken[max(bottom, 0) : max(top, 0), max(left, 0) : max(right, 0)] = True
        candidates = self._order[shown[self._order]]
        boxes = zip(
            candidates.tolist(),
            x0[candidates].tolist(),
            y0[candidates].tolist(),
            (x0 + size[:, 0])[candidates].tolist(),
            (y0 + size[:, 1])[candidates].tolist(),
            ax[candidates].tolist(),
            ay[candidates].tolist(),
            strict=True,
        )
        placed: list[int] = []
        leaders: list[tuple[tuple[int, int], tuple[float, float]]] = []
        for i, left, bottom, right, top, x, y in boxes:
            if beside[i]:
                spot_found = _spot_beside(x, y, int(size[i, 0]), int(size[i, 1]), covered, taken)
                if spot_found is None:
                    continue
                left, bottom, reach = spot_found
                right, top = left + int(size[i, 0]), bottom + int(size[i, 1])
                x0[i], y0[i] = left, bottom
                if reach > LEADER_MIN_PX:
                    leaders.append(((x, y), (min(max(x, left), right), min(max(y, bottom), top))))
            elif not self.above and taken[y, x]:  # a centred label covers its anchor: the commonest crowding
                continue
            spot = taken[bottom:top, left:right]
            if np.count_nonzero(spot):
                continue
            spot[:] = True
            placed.append(i)
        self._placed = np.array(placed, dtype=np.int64)
        self._leaders = np.array(leaders, dtype=float).reshape(-1, 2, 2)
        left, bottom = x0[self._placed], y0[self._placed]
        self._boxes = np.stack([left, bottom, left + size[self._placed, 0], bottom + size[self._placed, 1]], axis=1)
        self._set_quads(left, bottom)

    def _set_quads(self, x0: np.ndarray, y0: np.ndarray) -> None:
        """One textured quad per placed label, in display pixels relative to the viewport, then one thin quad
        per leader line drawn with the atlas's solid texel (the same actor: no extra draw call)."""
        labels = len(self._placed)
        count = labels + len(self._leaders)
        atlas = self._atlas
        corners = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=np.int64)
        points = np.zeros((count * 4, 3), np.float32)
        tcoords = np.zeros((count * 4, 2), np.float32)
        if labels:
            text = self._text_index[self._placed]
            size = atlas.size[text]
            offsets = corners[None, :, :] * size[:, None, :]  # (n, 4, 2)
            points[: labels * 4, :2] = (np.stack([x0, y0], axis=1)[:, None, :] + offsets).reshape(-1, 2)
            texel = atlas.origin[text][:, None, :] + offsets
            tcoords[: labels * 4] = (texel / np.array(atlas.shape, dtype=float)).reshape(-1, 2)
        if len(self._leaders):
            start, end = self._leaders[:, 0], self._leaders[:, 1]
            along = end - start
            across = np.stack([-along[:, 1], along[:, 0]], axis=1)
            across *= LEADER_WIDTH_PX / 2 / np.maximum(np.linalg.norm(across, axis=1, keepdims=True), 1e-9)
            quads = np.stack([start - across, start + across, end + across, end - across], axis=1)
            points[labels * 4 :, :2] = quads.reshape(-1, 2)
            tcoords[labels * 4 :] = atlas.solid
        vtk_points = vtkPoints()
        vtk_points.SetData(numpy_to_vtk(points, deep=True))
        self._mesh.SetPoints(vtk_points)
        cells = vtkCellArray()
        starts = np.arange(0, count * 4 + 1, 4, dtype=_ID_TYPE)
        connectivity = np.arange(count * 4, dtype=_ID_TYPE)
        cells.SetData(numpy_to_vtkIdTypeArray(starts, deep=True), numpy_to_vtkIdTypeArray(connectivity, deep=True))
        self._mesh.SetPolys(cells)
        self._mesh.GetPointData().SetTCoords(numpy_to_vtk(tcoords, deep=True))
        self._mesh.Modified()


def screen_rects(boxes: np.ndarray, matrix: np.ndarray, width: int, height: int) -> np.ndarray:
    """(m, 4) int (left, bottom, right, top) display rectangles that together cover the screen outline of the
    (n, 2, 3) world `boxes` under the composite projection `matrix`. Each box is cut along the floor into pieces
    about as long as it is wide, so a long conveyor seen at an angle covers a band, not its whole bounding
    rectangle. Pieces behind the camera are left out. All in numpy: 10,000 boxes take a few milliseconds."""
    if not len(boxes):
        return np.zeros((0, 4), np.int64)
    lo, size = boxes[:, 0], boxes[:, 1] - boxes[:, 0]
    side = np.maximum(np.minimum(size[:, 0], size[:, 1]), 1e-6)
    kx = np.clip(np.ceil(size[:, 0] / side), 1, MAX_PIECES).astype(np.int64)
    ky = np.clip(np.ceil(size[:, 1] / side), 1, MAX_PIECES).astype(np.int64)
    count = kx * ky
    owner = np.repeat(np.arange(len(boxes)), count)
    local = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    steps = np.stack([kx[owner], ky[owner], np.ones(len(owner), np.int64)], axis=1).astype(float)
    index = np.stack([local % kx[owner], local // kx[owner], np.zeros(len(owner), np.int64)], axis=1)
    piece = size[owner] / steps
    piece_lo = lo[owner] + index * piece
    corners = np.array([[i, j, k] for i in (0, 1) for j in (0, 1) for k in (0, 1)], dtype=float)
    points = piece_lo[:, None, :] + corners[None, :, :] * piece[:, None, :]  # (m, 8, 3)
    clip = np.concatenate([points, np.ones((*points.shape[:2], 1))], axis=2) @ matrix.T
    w = clip[:, :, 3]
    ahead = (w > 1e-12).all(axis=1)
    w = np.where(w > 1e-12, w, 1.0)
    x = (clip[:, :, 0] / w + 1.0) * 0.5 * width
    y = (clip[:, :, 1] / w + 1.0) * 0.5 * height
    rects = np.stack([np.floor(x.min(1)), np.floor(y.min(1)), np.ceil(x.max(1)), np.ceil(y.max(1))], axis=1)
    return rects[ahead].astype(np.int64)


def _integral(rects: np.ndarray, width: int, height: int) -> np.ndarray:
    """(height + 1, width + 1) summed-area table of the pixels any of `rects` covers (each pixel counts once)."""
    diff = np.zeros((height + 1, width + 1), np.int32)
    if len(rects):
        left, right = np.clip(rects[:, 0], 0, width), np.clip(rects[:, 2], 0, width)
        bottom, top = np.clip(rects[:, 1], 0, height), np.clip(rects[:, 3], 0, height)
        keep = (right > left) & (top > bottom)
        left, right, bottom, top = left[keep], right[keep], bottom[keep], top[keep]
        np.add.at(diff, (bottom, left), 1)
        np.add.at(diff, (bottom, right), -1)
        np.add.at(diff, (top, left), -1)
        np.add.at(diff, (top, right), 1)
    covered = diff.cumsum(axis=0).cumsum(axis=1)[:height, :width] > 0
    table = np.zeros((height + 1, width + 1), np.int32)
    table[1:, 1:] = covered.cumsum(axis=0, dtype=np.int32).cumsum(axis=1, dtype=np.int32)
    return table


def _spot_beside(
    x: int, y: int, width: int, height: int, covered: np.ndarray, taken: np.ndarray
) -> tuple[int, int, float] | None:
    """(left, bottom, distance) of the free spot nearest display point (x, y) for a width x height label:
    off the covered pixels (equipment) if it can, never over `taken` (other labels, overlays), whole in the view.
    Tried first: just below, above, right and left of the anchor; then a grid of spots out to SEARCH_REACH_PX."""
    rows, columns = taken.shape
    gap = 2
    first = np.array(
        [
            [x - width // 2, y - height - gap],
            [x - width // 2, y + gap],
            [x + gap, y - height // 2],
            [x - width - gap, y - height // 2],
        ]
    )
    dx = np.arange(-SEARCH_REACH_PX - width, SEARCH_REACH_PX + 1, SEARCH_STEP_PX)
    dy = np.arange(-SEARCH_REACH_PX - height, SEARCH_REACH_PX + 1, SEARCH_STEP_PX)
    grid = np.stack(np.meshgrid(x + dx, y + dy), axis=-1).reshape(-1, 2)
    spots = np.concatenate([first, grid])
    left, bottom = spots[:, 0], spots[:, 1]
    right, top = left + width, bottom + height
    inside = (left >= 0) & (bottom >= 0) & (right <= columns) & (top <= rows)
    left, bottom, right, top = left[inside], bottom[inside], right[inside], top[inside]
    reach = np.hypot(
        np.maximum(np.maximum(left - x, 0), x - right), np.maximum(np.maximum(bottom - y, 0), y - top)
    )
    over = covered[top, right] - covered[bottom, right] - covered[top, left] + covered[bottom, left]
    for free_floor in (over == 0, over >= 0):
        for k in np.flatnonzero(free_floor)[np.argsort(reach[free_floor], kind="stable")]:
            if not taken[bottom[k] : top[k], left[k] : right[k]].any():
                return int(left[k]), int(bottom[k]), float(reach[k])
    return None
