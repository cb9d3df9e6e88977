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
SEARCH_REACH_PX = 64  # how far from its anchor a label beside what it names may go (further: lost in a crowd)
MAX_PIECES = 8  # a long box is cut into up to this many pieces along its length (see screen_rects)
COVER_CELL_PX = 4  # the equipment's screen cover is kept in cells this size
MAX_TRIES = 16  # spots tried per label beside what it names before it gives way
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
        self,
        specs: Sequence[LabelSpec],
        color: tuple[int, int, int],
        font_size: int,
        above: bool = False,
        gap: int = ABOVE_GAP,
    ) -> None:
        self.color = tuple(int(c) for c in color)
        self.above = above
        self.gap = int(gap)  # pixels between the anchor and a label `above` it (a pin's head is taller)
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
        placement: the equipment shown); a label with no free floor near its anchor is left out."""
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
        y0 = ay + self.gap if self.above else ay - size[:, 1] // 2
        # Whole labels only: one cut by the view's edge reads as a different word.
        inside = (x0 >= 0) & (y0 >= 0) & (x0 + size[:, 0] <= width) & (y0 + size[:, 1] <= height)
        beside = self._beside
        anchored = (ax >= 0) & (ay >= 0) & (ax < width) & (ay < height)
        shown = front & np.where(beside, anchored, inside) & (size[:, 0] > 0)
        spots: dict[int, list[tuple[int, int, float]]] = {}
        if (beside & shown).any():
            rects = np.zeros((0, 4), np.int64)
            if self._keep_clear is not None:
                boxes = np.asarray(self._keep_clear(), float).reshape(-1, 2, 3)
                plan = abs(camera.GetDirectionOfProjection()[2]) > 0.999  # boxes are rectangles on screen
                rects = screen_rects(boxes, matrix, width, height, cut=not plan)
            which = np.flatnonzero(beside & shown)
            covered = _integral(rects, width, height)
            spots = _spots_beside(ax[which], ay[which], size[which], covered, which, (width, height))
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
                w, h = int(size[i, 0]), int(size[i, 1])
                spot_found = next((s for s in spots[i] if _free(taken, s[0], s[1], w, h)), None)
                if spot_found is None:
                    continue
                left, bottom, reach = spot_found
                right, top = left + w, bottom + h
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


def screen_rects(boxes: np.ndarray, matrix: np.ndarray, width: int, height: int, cut: bool = True) -> np.ndarray:
    """(m, 4) int (left, bottom, right, top) display rectangles that together cover the screen outline of the
    (n, 2, 3) world `boxes` under the composite projection `matrix`. A box over three times as long as it is
    wide is cut along its length into pieces (at most MAX_PIECES), so a long conveyor seen at an angle covers
    a band, not its whole bounding rectangle (`cut` False: no need, as in a plan seen from straight above).
    Pieces behind the camera are left out."""
    if not len(boxes):
        return np.zeros((0, 4), np.int64)
    lo, size = boxes[:, 0], boxes[:, 1] - boxes[:, 0]
    side = np.maximum(np.minimum(size[:, 0], size[:, 1]), 1e-6)
    long_x = size[:, 0] >= size[:, 1]
    count = np.clip(np.ceil(np.maximum(size[:, 0], size[:, 1]) / side / 3.0), 1, MAX_PIECES).astype(np.int64)
    if cut and (count > 1).any():
        owner = np.repeat(np.arange(len(boxes)), count)
        step = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
        axis = np.where(long_x[owner], 0, 1)
        piece = size[owner].copy()
        piece[np.arange(len(owner)), axis] /= count[owner]
        lo = lo[owner].copy()
        lo[np.arange(len(owner)), axis] += step * piece[np.arange(len(owner)), axis]
        size = piece
    # Corners as the projected lowest corner plus projected edge vectors: the projection is linear before
    # the division by w.
    base = lo @ matrix[:, :3].T + matrix[:, 3]  # (m, 4)
    edges = size[:, :, None] * matrix[:, :3].T[None, :, :]  # (m, 3 axes, 4)
    corners = np.array([[i, j, k] for i in (0, 1) for j in (0, 1) for k in (0, 1)], dtype=float)  # (8, 3)
    clip = base[:, None, :] + np.matmul(corners[None, :, :], edges)  # (m, 8, 4)
    w = clip[:, :, 3]
    ahead = (w > 1e-12).all(axis=1)
    w = np.where(ahead[:, None], w, 1.0)
    x = (clip[:, :, 0] / w + 1.0) * (0.5 * width)
    y = (clip[:, :, 1] / w + 1.0) * (0.5 * height)
    rects = np.stack([x.min(1), y.min(1), x.max(1), y.max(1)], axis=1)[ahead]
    return np.floor(rects).astype(np.int64) + np.array([0, 0, 1, 1])


def _integral(rects: np.ndarray, width: int, height: int) -> np.ndarray:
    """Summed-area table of the COVER_CELL_PX-square cells of the view that any of `rects` touches, shape
    (rows + 1, columns + 1): coarse cells keep it cheap for 10,000 equipment and err on the covered side."""
    cell = COVER_CELL_PX
    columns, rows = -(-width // cell), -(-height // cell)
    diff = np.zeros((rows + 1, columns + 1), np.int32)
    if len(rects):
        left, right = np.clip(rects[:, 0] // cell, 0, columns), np.clip(-(-rects[:, 2] // cell), 0, columns)
        bottom, top = np.clip(rects[:, 1] // cell, 0, rows), np.clip(-(-rects[:, 3] // cell), 0, rows)
        keep = (right > left) & (top > bottom)
        left, right, bottom, top = left[keep], right[keep], bottom[keep], top[keep]
        stride = columns + 1
        corners = np.concatenate(
            [bottom * stride + left, top * stride + right, bottom * stride + right, top * stride + left]
        )
        signs = np.repeat([1, 1, -1, -1], len(left))
        diff += np.bincount(corners, weights=signs, minlength=diff.size).astype(np.int32).reshape(diff.shape)
    covered = diff.cumsum(axis=0).cumsum(axis=1)[:rows, :columns] > 0
    table = np.zeros((rows + 1, columns + 1), np.int32)
    table[1:, 1:] = covered.cumsum(axis=0, dtype=np.int32).cumsum(axis=1, dtype=np.int32)
    return table


def _spots_beside(
    x: np.ndarray, y: np.ndarray, size: np.ndarray, covered: np.ndarray, which: np.ndarray, view: tuple[int, int]
) -> dict[int, list[tuple[int, int, float]]]:
    """For labels of (n, 2) `size` anchored at display points (x, y): the spots to try, best first, as
    (left, bottom, distance from the anchor), by label index in `which`. The spots stand just clear of the
    anchor in eight directions, then further out in steps up to SEARCH_REACH_PX; only spots off the
    `covered` cells (a summed-area table of the equipment, see _integral) and whole in the view, nearest
    first: a name with no free floor near it gives way rather than cover the equipment. All labels at once."""
    columns, rows = view
    cell = COVER_CELL_PX
    w, h = size[:, 0:1].astype(float), size[:, 1:2].astype(float)
    left = np.floor(x[:, None] + _SPOT_X[None, :, 0] * (w / 2 + _SPOT_X[None, :, 1]) - w / 2).astype(np.int64)
    bottom = np.floor(y[:, None] + _SPOT_Y[None, :, 0] * (h / 2 + _SPOT_Y[None, :, 1]) - h / 2).astype(np.int64)
    right, top = left + size[:, 0:1], bottom + size[:, 1:2]
    inside = (left >= 0) & (bottom >= 0) & (right <= columns) & (top <= rows)
    most_c, most_r = covered.shape[1] - 1, covered.shape[0] - 1
    lc, bc = np.clip(left // cell, 0, most_c), np.clip(bottom // cell, 0, most_r)
    rc, tc = np.clip(-(-right // cell), 0, most_c), np.clip(-(-top // cell), 0, most_r)
    over = covered[tc, rc] - covered[bc, rc] - covered[tc, lc] + covered[bc, lc]
    xs, ys = x[:, None], y[:, None]
    reach = np.hypot(np.maximum(np.maximum(left - xs, 0), xs - right), np.maximum(np.maximum(bottom - ys, 0), ys - top))
    cost = np.where(inside & (over == 0), reach, np.inf)
    order = np.argsort(cost, axis=1, kind="stable")[:, :MAX_TRIES]
    rows_of = np.arange(len(order))[:, None]
    valid = np.isfinite(cost[rows_of, order]).sum(axis=1).tolist()
    lefts, bottoms, reaches = (a[rows_of, order].tolist() for a in (left, bottom, reach))
    return {
        index: list(zip(lefts[row][: valid[row]], bottoms[row][: valid[row]], reaches[row][: valid[row]], strict=True))
        for row, index in enumerate(which.tolist())
    }


def _free(taken: np.ndarray, left: int, bottom: int, width: int, height: int) -> bool:
    """No pixel of the rectangle is taken: its corners and middle first (where a neighbour usually shows)."""
    right, top = left + width - 1, bottom + height - 1
    if taken[bottom, left] or taken[top, right] or taken[bottom, right] or taken[top, left]:
        return False
    if taken[(bottom + top) // 2, (left + right) // 2]:
        return False
    return not taken[bottom : top + 1, left : right + 1].any()


def _spots() -> tuple[np.ndarray, np.ndarray]:
    """Per spot and axis: (direction -1/0/1, gap in pixels) of the label's middle from its anchor."""
    directions = [(0, -1), (0, 1), (1, 0), (-1, 0), (1, -1), (-1, -1), (1, 1), (-1, 1)]  # below first
    gaps = (2, 8, 16, 26, 38, 50, SEARCH_REACH_PX)
    spots = [(dx, dy, gap) for gap in gaps for dx, dy in directions]
    return (
        np.array([(dx, gap) for dx, _, gap in spots], dtype=float),
        np.array([(dy, gap) for _, dy, gap in spots], dtype=float),
    )


_SPOT_X, _SPOT_Y = _spots()
