"""DXF layout drawings (AutoCAD plant layouts) as a plant: block INSERTs become equipment, layers become lines
and cells, closed polylines on the building's layers become its outline, walls and columns.

The drawing is untrusted: text DXF is read with ezdxf's recover mode (what its auditor repaired is reported as
warnings), binary DXF with ezdxf's binary tag loader and an audit. `$INSUNITS` gives the drawing unit (a
unitless drawing is taken as millimetres, the plant-layout default, with a warning; the "units" option
overrides it). Everything comes out in metres, in the drawing's own coordinates (site coordinates).

An equipment sits at the centre of its block's outline (a type's footprint is centred on the equipment origin),
turned by the insert's rotation, scaled by its X and Y scale, so its footprint box covers the outline as drawn;
the type (one per block name) keeps the outline's size and a height (an attribute HEIGHT / H of the insert, the
"height:<BLOCK>" option, or 2 m). Ids are the insert handles ("dxf-<handle>"), stable over re-imports.

Which layer becomes what: the "layer-map" option (`EQUIP-L1=line:Line 1,EQUIP-C1=cell:Line 1/Cell A,
A-WALL=building,TEXT=skip`), else the per-layer option "layer:<LAYER>", else a rule: a layer named like a
building part (WALL, COL, COLUMN, BUILDING, BLDG) is the building, a layer with block inserts a line, any other
layer is skipped.
"""

from __future__ import annotations

import contextlib
import fnmatch
import io
import logging
import math
import re
import struct
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from viewer.formats import (
    Area,
    BuildingElement,
    BuildingKind,
    Cell,
    Enterprise,
    Equipment,
    EquipmentType,
    Footprint,
    ImportOption,
    Line,
    MappingReport,
    MappingRow,
    OpenCancelledError,
    Parameter,
    PlantDocument,
    PlantFileError,
    Pose,
    Problem,
    ReadRequest,
    ReadResult,
    Site,
)

BINARY_SENTINEL = b"AutoCAD Binary DXF\r\n\x1a\x00"
LAYER_ROLES = ("line", "cell", "building", "skip")
DEFAULT_HEIGHT = 2.0  # metres: an equipment block without a height attribute or option
DEFAULT_BUILDING_HEIGHT = 6.0  # metres: walls and columns of the drawing
DEFAULT_WALL_THICKNESS = 0.2  # metres: an open polyline or line on a wall layer
COLUMN_MAX_SIZE = 2.0  # metres across: a closed outline no larger than this is a column
MIN_FOOTPRINT = 0.05  # metres: a block outline thinner than this (a single line) is widened to it
DEFAULT_CELL_LINE = "Cells"  # the line of a cell layer that names no line
LAYERS_NAMED = 20  # layers listed in a message; the rest counted
WARNINGS_SHOWN = 40  # repair notes listed one by one; the rest counted
PROGRESS_EVERY = 2000  # inserts between progress reports and cancel checks
NESTING_LIMIT = 16  # nested block levels followed for an outline
NESTED_ENTITIES = 100_000  # entities of nested blocks looked at for one block's outline
HEIGHT_TAGS = ("HEIGHT", "H")
NAME_TAGS = ("NAME", "TAG", "ID")
ID_PATTERN = re.compile(r"[^A-Za-z0-9_.:$-]+")
# A plant layout of 50,000 inserts is about 17 MB and takes ezdxf 15-20 s; a drawing many times that (a whole
# site survey) would read for minutes with no progress to show, so it is refused unless asked for.
DEFAULT_MAX_MB = 100

# Metres per drawing unit, by $INSUNITS (0, unitless, is asked for or assumed millimetres).
METRES_PER_UNIT: dict[int, float] = {
    1: 0.0254,
    2: 0.3048,
    3: 1609.344,
    4: 0.001,
    5: 0.01,
    6: 1.0,
    7: 1000.0,
    8: 2.54e-8,
    9: 2.54e-5,
    10: 0.9144,
    11: 1e-10,
    12: 1e-9,
    13: 1e-6,
    14: 0.1,
    15: 10.0,
    16: 100.0,
    21: 1200 / 3937,
    22: 1 / 39.37,
    23: 3600 / 3937,
    24: 6336000 / 3937,
}
UNIT_NAMES: dict[int, str] = {1: "inches", 2: "feet", 4: "millimetres", 5: "centimetres", 6: "metres"}
UNIT_CHOICES: dict[str, float] = {"mm": 0.001, "cm": 0.01, "m": 1.0, "inch": 0.0254, "foot": 0.3048}
UNIT_SUFFIXES: dict[str, float] = UNIT_CHOICES | {"in": 0.0254, "ft": 0.3048, '"': 0.0254, "'": 0.3048}

GEOMETRY_TYPES = frozenset(
    {"LWPOLYLINE", "POLYLINE", "LINE", "CIRCLE", "ARC", "ELLIPSE", "SPLINE", "SOLID", "TRACE", "3DFACE", "HATCH"}
)
BUILDING_WORDS = frozenset({"WALL", "WALLS", "COL", "COLS", "COLUMN", "COLUMNS", "BUILDING", "BLDG"})
COLUMN_WORDS = frozenset({"COL", "COLS", "COLUMN", "COLUMNS"})
WALL_WORDS = BUILDING_WORDS - COLUMN_WORDS


def _words(name: str) -> set[str]:
    return {w for w in re.split(r"[-_ .$|]+", name.upper()) if w}


def is_building_layer(name: str) -> bool:
    """A layer named like a building part: A-WALL, S-COLS, WALL, COLUMN, BUILDING, BLDG-OUTLINE."""
    return bool(_words(name) & BUILDING_WORDS)


def is_column_name(name: str) -> bool:
    return bool(_words(name) & COLUMN_WORDS)


# ---------------------------------------------------------------- what each layer becomes


@dataclass(frozen=True, slots=True)
class LayerRole:
    """What a layer becomes: `kind` one of LAYER_ROLES; `line` and `cell` name where its inserts go."""

    kind: str
    line: str = ""
    cell: str = ""


def parse_role(text: str, layer: str, where: str, path: Path) -> LayerRole:
    """`line`, `line:NAME`, `cell`, `cell:CELL`, `cell:LINE/CELL`, `building`, `skip`, as the user wrote it."""
    kind, _, name = text.strip().partition(":")
    kind, name = kind.strip().lower(), name.strip()
    if kind not in LAYER_ROLES:
        raise PlantFileError.single(
            path, where, f"{text.strip()!r} for layer {layer!r}: expected one of {', '.join(LAYER_ROLES)}"
        )
    if kind == "line":
        return LayerRole("line", name or layer)
    if kind == "cell":
        line, slash, cell = name.rpartition("/")
        if not slash:
            line, cell = DEFAULT_CELL_LINE, name
        return LayerRole("cell", line.strip() or DEFAULT_CELL_LINE, cell.strip() or layer)
    if name:
        raise PlantFileError.single(path, where, f"{text.strip()!r}: {kind} takes no name (write {kind!r})")
    return LayerRole(kind)


def parse_layer_map(text: str, path: Path) -> list[tuple[str, str]]:
    """The compact form `LAYER=ROLE,LAYER=ROLE...` as (layer pattern, role text) pairs, in order."""
    pairs = []
    for number, entry in enumerate(text.split(","), 1):
        if not entry.strip():
            continue
        pattern, equals, role = entry.partition("=")
        if not equals or not pattern.strip():
            raise PlantFileError.single(
                path,
                f"option layer-map, entry {number} {entry.strip()!r}",
                "expected LAYER=ROLE, e.g. EQUIP-L1=line:Line 1, EQUIP-C1=cell:Line 1/Cell A, A-WALL=building",
            )
        pairs.append((pattern.strip(), role.strip()))
    return pairs


def default_role(layer: str, has_inserts: bool) -> str:
    if is_building_layer(layer):
        return "building"
    return "line" if has_inserts else "skip"


def layer_roles(
    layers: Mapping[str, bool], options: Mapping[str, str], path: Path
) -> tuple[dict[str, LayerRole], list[Problem]]:
    """The role of each layer (name -> has inserts): the layer-map first (the first entry whose pattern, case-
    blind with * and ?, fits), then the per-layer option, then the naming rule."""
    problems = []
    mapped = parse_layer_map(options.get("layer-map", ""), path)
    for pattern, text in mapped:  # every entry checked, those that fit no layer too
        parse_role(text, pattern, f"option layer-map, entry {pattern!r}", path)
    used = [False] * len(mapped)
    by_upper = {k.upper(): v for k, v in options.items() if k.lower().startswith("layer:")}
    roles = {}
    for layer, has_inserts in layers.items():
        role = None
        for index, (pattern, text) in enumerate(mapped):
            if fnmatch.fnmatchcase(layer.upper(), pattern.upper()):
                role = parse_role(text, layer, f"option layer-map, entry {pattern!r}", path)
                used[index] = True
                break
        if role is None:
            chosen = by_upper.get(f"LAYER:{layer.upper()}", "")
            if chosen.strip():
                role = parse_role(chosen, layer, f"option layer:{layer}", path)
        roles[layer] = role or parse_role(default_role(layer, has_inserts), layer, "layer", path)
    for (pattern, _text), hit in zip(mapped, used, strict=True):
        if not hit:
            names = sorted(layers)
            known = ", ".join(names[:LAYERS_NAMED]) or "none"
            if len(names) > LAYERS_NAMED:
                known += f" and {len(names) - LAYERS_NAMED} more"
            problems.append(
                Problem(str(path), "option layer-map", f"no layer is named {pattern!r} (the layers: {known})")
            )
    return roles, problems


# ---------------------------------------------------------------- reading the drawing


def _fail(path: Path, where: str, message: str) -> PlantFileError:
    return PlantFileError.single(path, where, message)


def _check_text_start(data: bytes, path: Path) -> None:
    """A text DXF starts with group code 0 and SECTION (after comments); anything else is not a drawing."""
    stream = io.BytesIO(data.removeprefix(b"\xef\xbb\xbf"))  # a UTF-8 byte order mark, as some editors save
    line = 0
    while True:
        code = stream.readline()
        value = stream.readline()
        line += 2
        if not code:
            raise _fail(path, "file", "the file holds no DXF sections: expected a DXF drawing (0 / SECTION)")
        if code.strip() == b"999":
            continue
        if code.strip() == b"0" and value.strip().upper() == b"SECTION":
            return
        text = code.strip()[:40]
        shown = repr(text.decode("ascii")) if text.isascii() and text.decode("ascii").isprintable() else "binary data"
        raise _fail(
            path,
            f"line {line - 1}",
            f"not a DXF drawing: found {shown} where a DXF file starts with group code 0 and SECTION",
        )


@contextlib.contextmanager
def _quiet_ezdxf() -> Iterator[None]:
    """ezdxf logs each repair as a warning to the console as well; they come back as the import's warnings."""
    logger = logging.getLogger("ezdxf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _load(data: bytes, path: Path) -> tuple[Any, Any, str]:
    """The ezdxf drawing, its auditor and what kind of file it was. Raises PlantFileError."""
    with _quiet_ezdxf():
        return _load_drawing(data, path)


def _load_drawing(data: bytes, path: Path) -> tuple[Any, Any, str]:
    from ezdxf import recover
    from ezdxf.lldxf.const import DXFError

    if not data.strip():
        raise _fail(path, "file", "the file is empty: expected a DXF drawing")
    try:
        if data.startswith(BINARY_SENTINEL):
            from ezdxf.document import Drawing
            from ezdxf.lldxf.tagger import binary_tags_loader

            doc = Drawing.load(binary_tags_loader(data))
            return doc, doc.audit(), "binary DXF"
        if data[:22].startswith(BINARY_SENTINEL[:18]):
            raise _fail(path, "file header", "a damaged binary DXF header: expected 'AutoCAD Binary DXF' CR LF SUB NUL")
        _check_text_start(data, path)
        doc, auditor = recover.read(io.BytesIO(data))
        return doc, auditor, "DXF"
    except PlantFileError:
        raise
    except DXFError as exc:
        text = str(exc).rstrip(".")
        found = re.search(r"line:?\s*(\d+)", text)
        where = f"line {found.group(1)}" if found else "file"
        raise _fail(path, where, f"not a readable DXF drawing: {text}{_cut_short(data)}") from exc
    except (ValueError, IndexError, KeyError, TypeError, AttributeError, UnicodeError, EOFError, struct.error) as exc:
        # ezdxf's loaders raise plain Python errors on some damaged files (a binary file cut short).
        kind = "binary DXF" if data.startswith(BINARY_SENTINEL) else "DXF drawing"
        raise _fail(
            path, "file", f"not a readable {kind} ({type(exc).__name__}: {exc}){_cut_short(data)}"
        ) from exc


def _cut_short(data: bytes) -> str:
    """A note for a file that does not end as a DXF file ends (EOF): it may have been cut short."""
    if data.startswith(BINARY_SENTINEL):
        return "" if data.rstrip(b"\x00").endswith(b"EOF") else "; the file does not end with EOF: is it cut short?"
    return "" if data.rstrip().endswith(b"EOF") else "; the file does not end with EOF: is it cut short?"


def _repair_notes(auditor: Any, path: Path) -> list[Problem]:
    notes = []
    entries = list(auditor.fixes) + list(auditor.errors)
    for entry in entries[:WARNINGS_SHOWN]:
        entity = getattr(entry, "entity", None)
        handle = getattr(getattr(entity, "dxf", None), "handle", None) if entity is not None else None
        found = re.search(r"line:?\s*(\d+)", str(entry.message))
        where = f"entity {handle}" if handle else f"line {found.group(1)}" if found else "DXF repair"
        notes.append(Problem(str(path), where, f"repaired on reading: {entry.message}"))
    if len(entries) > WARNINGS_SHOWN:
        notes.append(Problem(str(path), "DXF repair", f"and {len(entries) - WARNINGS_SHOWN} more repairs"))
    return notes


def drawing_unit(doc: Any, options: Mapping[str, str], path: Path) -> tuple[float, str, list[Problem]]:
    """Metres per drawing unit, its name, and a warning when it was assumed."""
    chosen = options.get("units", "auto").strip().lower() or "auto"
    if chosen != "auto":
        if chosen not in UNIT_CHOICES:
            raise _fail(path, "option units", f"{chosen!r}: expected auto or one of {', '.join(UNIT_CHOICES)}")
        return UNIT_CHOICES[chosen], chosen, []
    try:
        code = int(doc.header.get("$INSUNITS", 0))
    except (TypeError, ValueError):
        code = 0
    if code in METRES_PER_UNIT:
        return METRES_PER_UNIT[code], _unit_name(code), []
    note = Problem(
        str(path),
        "header $INSUNITS",
        f"the drawing has no unit ($INSUNITS {code}): read as millimetres, the plant-layout default "
        "(choose another with the option units=m, cm, inch or foot)",
    )
    return 0.001, _unit_name(code), [note]


def _unit_name(code: int) -> str:
    if code not in METRES_PER_UNIT:
        return "millimetres (assumed)"
    return UNIT_NAMES.get(code, f"$INSUNITS {code}")


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def parse_length(text: str, unit: float) -> float | None:
    """A length attribute in metres: a bare number is in drawing units, or a unit follows (2.5 m, 2500mm)."""
    found = re.fullmatch(r"\s*([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(mm|cm|m|in|ft|inch|foot|\"|')?\s*", text)
    if not found:
        return None
    value = float(found.group(1))
    return value * (UNIT_SUFFIXES[found.group(2)] if found.group(2) else unit)


def safe_id(text: str) -> str:
    return ID_PATTERN.sub("_", text).strip("_")[:100] or "x"


# ---------------------------------------------------------------- block outlines


def _geometry(entities: Iterable[Any], chain: tuple[str, ...], budget: list[int]) -> Iterator[Any]:
    """The drawn geometry of a block, nested inserts resolved into their (transformed) entities. A block
    that inserts itself, directly or round a loop (`chain`: the blocks on the way here), is not followed
    again, and at most NESTED_ENTITIES nested entities are looked at (a drawing could nest blocks that
    insert the next one many times over, level after level)."""
    for entity in entities:
        kind = entity.dxftype()
        if kind in GEOMETRY_TYPES:
            yield entity
        elif kind == "INSERT" and len(chain) < NESTING_LIMIT and entity.dxf.get("name", "") not in chain:
            try:
                nested = list(entity.virtual_entities())
            except Exception:  # ezdxf refuses some damaged nested blocks; the rest still counts
                continue
            budget[0] -= len(nested)
            if budget[0] < 0:
                return
            yield from _geometry(nested, (*chain, entity.dxf.name), budget)


@dataclass(slots=True)
class BlockOutline:
    """A block's drawn extent in block coordinates (drawing units): its centre and size; None when empty."""

    centre: tuple[float, float, float]
    width: float
    depth: float


def block_outline(block: Any) -> BlockOutline | None:
    from ezdxf import bbox

    try:
        box = bbox.extents(_geometry(block, (block.name,), [NESTED_ENTITIES]), fast=False)
    except Exception:  # a damaged entity: no outline, the caller says so
        return None
    if not box.has_data:
        return None
    (x0, y0, z0), (x1, y1, _z1) = box.extmin, box.extmax
    return BlockOutline(((x0 + x1) / 2, (y0 + y1) / 2, z0), x1 - x0, y1 - y0)


# ---------------------------------------------------------------- building outlines


def _flat_points(entity: Any, tolerance: float) -> list[tuple[float, float]]:
    from ezdxf import path as ezpath

    points = [(v.x, v.y) for v in ezpath.make_path(entity).flattening(tolerance)]
    if len(points) > 1 and math.dist(points[0], points[-1]) < 1e-9:
        points.pop()
    return points


def _area(points: list[tuple[float, float]]) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True))) / 2


def _across(points: list[tuple[float, float]]) -> float:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return max(max(xs) - min(xs), max(ys) - min(ys))


def _thick_outline(points: list[tuple[float, float]], thickness: float) -> list[tuple[float, float]]:
    import shapely

    shape = shapely.LineString(points).buffer(thickness / 2, cap_style="flat", join_style="mitre")
    if shape.is_empty or shape.geom_type != "Polygon":
        return []
    return [(float(x), float(y)) for x, y in list(shape.exterior.coords)[:-1]]


# ---------------------------------------------------------------- the reader


@dataclass
class _Mapping:
    """What the read made, for the report."""

    lines: dict[str, Line] = field(default_factory=dict)
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    layers_of_line: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    equipment: int = 0
    parameters: int = 0
    building: Counter[tuple[str, str]] = field(default_factory=Counter)  # (column or wall, layer) -> count
    footprint: bool = False
    mirrored: list[str] = field(default_factory=list)
    tilted: list[str] = field(default_factory=list)  # inserts whose plane is not the plan: laid flat
    skipped: Counter[tuple[str, str]] = field(default_factory=Counter)
    no_outline: set[str] = field(default_factory=set)


class DxfReader:
    """AutoCAD DXF plant layouts (text and binary, R12 to 2018)."""

    name: str = "dxf"
    suffixes: tuple[str, ...] = (".dxf",)
    title: str = "DXF layout drawing"

    def sniff(self, head: bytes) -> bool:
        if head.startswith(BINARY_SENTINEL):
            return True
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        return start.startswith((b"0\r\nSECTION", b"0\nSECTION", b"999"))

    # ------------------------------------------------------------ options

    def import_options(self, path: Path, head: bytes) -> list[ImportOption]:
        """The drawing's unit, its layers (each as line, cell, building or skip), the compact layer map, a
        default height per block, the height attribute's tag, wall thickness and building height. The whole
        file is read here (the options come before the import; `head` is only its first megabyte)."""
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise _fail(path, "file", f"cannot read: {exc.strerror or exc}") from exc
        scanned = scan_layers(data)
        if scanned is not None:
            layers, blocks, code = scanned
            unit_name = _unit_name(code)
        else:  # binary, unusual or damaged: ezdxf reads it (and names what is wrong)
            doc, _auditor, _kind = _load(data, path)
            _unit, unit_name, _notes = drawing_unit(doc, {}, path)
            layers, blocks = _layers_and_blocks(doc)
        options = [
            ImportOption("units", f"Drawing unit (the file: {unit_name})", "auto", ("auto", *UNIT_CHOICES)),
            ImportOption("layer-map", "Layer map (LAYER=line:NAME,LAYER=cell:LINE/CELL,LAYER=building)", ""),
        ]
        options += [
            ImportOption(f"layer:{layer}", f"Layer {layer}", default_role(layer, has_inserts), LAYER_ROLES)
            for layer, has_inserts in sorted(layers.items())
        ]
        options += [
            ImportOption(f"height:{block}", f"Height of {block} (m)", f"{DEFAULT_HEIGHT:g}", numeric=True)
            for block in sorted(blocks)
        ]
        options += [
            ImportOption("height-tag", "Attribute with the height (HEIGHT or H when empty)", ""),
            ImportOption(
                "wall-thickness", "Wall thickness of open wall lines (m)", f"{DEFAULT_WALL_THICKNESS:g}", numeric=True
            ),
            ImportOption(
                "building-height", "Height of walls and columns (m)", f"{DEFAULT_BUILDING_HEIGHT:g}", numeric=True
            ),
            ImportOption("id-prefix", "Id prefix (another for each drawing imported into one plant)", "dxf"),
            ImportOption("max_size_mb", "Largest file to read (MB)", str(DEFAULT_MAX_MB), numeric=True),
        ]
        return options

    # ------------------------------------------------------------ reading

    def read(self, request: ReadRequest) -> ReadResult:
        path, options = request.path, request.options
        limit = _number(options.get("max_size_mb", str(DEFAULT_MAX_MB)))
        if limit is None or limit <= 0:
            raise _fail(path, "option max_size_mb", "expected a positive number of MB")
        size_mb = len(request.data) / 1e6
        if size_mb > limit:
            raise _fail(
                path,
                "file",
                f"{size_mb:.0f} MB is more than the {limit:g} MB this importer reads by default (a drawing of "
                f"about {int(limit * 3000):,} block inserts); to read it anyway: "
                f"--option max_size_mb={math.ceil(size_mb)}",
            )
        request.progress(0.02, "Reading DXF")
        doc, auditor, kind = _load(request.data, path)
        if request.cancelled():
            raise OpenCancelledError
        request.progress(0.4, "Mapping layers")
        problems = _repair_notes(auditor, path)
        if not request.data.rstrip().endswith(b"EOF") and kind == "DXF":
            problems.append(
                Problem(str(path), "end of file", "the drawing ends without EOF: it may be cut short; read what it has")
            )
        unit, unit_name, notes = drawing_unit(doc, options, path)
        problems += notes
        layers, _blocks = _layers_and_blocks(doc)
        roles, notes = layer_roles(layers, options, path)
        problems += notes
        prefix = safe_id(options.get("id-prefix", "dxf").strip() or "dxf")
        settings = _Settings.of(options, unit, path, prefix)

        site = Site(f"{prefix}-site", path.stem or "DXF drawing")
        area = Area(f"{prefix}-area", "Layout")
        site.areas.append(area)
        document = PlantDocument(Enterprise(f"{prefix}-enterprise", path.stem or "DXF drawing"), [site])
        made = _Mapping()
        builder = _Builder(doc, path, settings, document, area, made, problems)

        total = max(1, len(doc.modelspace()))
        for number, entity in enumerate(doc.modelspace()):
            if number % PROGRESS_EVERY == 0:
                if request.cancelled():
                    raise OpenCancelledError
                request.progress(0.4 + 0.55 * min(1.0, number / total), "Placing equipment")
            layer = entity.dxf.get("layer", "0")
            role = roles.get(layer) or LayerRole("skip")
            if role.kind == "skip":
                made.skipped[(entity.dxftype(), "on layers set to skip")] += 1
            elif role.kind == "building":
                builder.building_entity(entity, layer)
            elif entity.dxftype() == "INSERT":
                builder.equipment(entity, layer, role)
            else:
                made.skipped[(entity.dxftype(), "on line and cell layers: only block inserts become equipment")] += 1
        builder.finish_building()
        if made.mirrored:
            shown = ", ".join(made.mirrored[:5]) + (" ..." if len(made.mirrored) > 5 else "")
            problems.append(
                Problem(
                    str(path),
                    f"inserts {shown}",
                    f"{len(made.mirrored)} inserts are mirrored (negative scale): placed over their outline as drawn, "
                    "their box drawn unmirrored; the parameter dxf_mirrored marks them",
                )
            )
        if made.tilted:
            shown = ", ".join(made.tilted[:5]) + (" ..." if len(made.tilted) > 5 else "")
            message = f"{len(made.tilted)} inserts lie in a tilted plane (extrusion not along Z): laid flat on the plan"
            problems.append(Problem(str(path), f"inserts {shown}", message))
        for block in sorted(made.no_outline):
            problems.append(
                Problem(str(path), f"block {block!r}", f"no lines, polylines or arcs: a {MIN_FOOTPRINT:g} m box")
            )
        request.progress(1.0, "Done")
        report = _report(path, kind, doc, unit_name, made, roles, document)
        return ReadResult(document, problems, report)


SCAN_SKIPPED = frozenset({b"ATTRIB", b"SEQEND", b"VERTEX"})  # parts of the entity before them


def scan_layers(data: bytes) -> tuple[dict[str, bool], set[str], int] | None:
    """What the import options need of a text DXF, from one pass over its group codes (a 50,000-insert drawing
    in a second, where reading it with ezdxf takes ten): the layers (the table's and those modelspace entities
    name) -> whether they hold inserts, the inserted block names, $INSUNITS. None when the file is not plain
    ASCII text DXF as expected (binary, another code page, damaged): the caller reads it with ezdxf then."""
    if data.startswith(BINARY_SENTINEL) or b"\x00" in data[:4096]:
        return None
    lines = data.split(b"\n")
    if len(lines) % 2:
        lines.pop()  # the text after the last line break (usually empty)
    layers: dict[str, bool] = {}
    blocks: set[str] = set()
    units = 0
    section = b""
    entity = b""
    layer, block, paper = b"0", b"", False
    seen_entities = False

    def flush() -> None:
        if section == b"ENTITIES" and entity and entity not in SCAN_SKIPPED and not paper:
            name = layer.decode("ascii")
            if entity == b"INSERT":
                layers[name] = True
                blocks.add(block.decode("ascii"))
            else:
                layers.setdefault(name, False)

    try:
        pairs = zip(lines[0::2], lines[1::2], strict=True)
        header_variable = b""
        for raw_code, raw_value in pairs:
            code, value = int(raw_code), raw_value.strip()
            if code == 0:
                flush()
                entity, layer, block, paper = value, b"0", b"", False
                if value == b"ENDSEC":
                    section = b""
                continue
            if code == 2 and entity == b"SECTION":
                section, entity = value, b""  # header variables name styles with code 2 too
                seen_entities |= value == b"ENTITIES"
            elif section == b"HEADER":
                if code == 9:
                    header_variable = value
                elif header_variable == b"$INSUNITS" and code == 70:
                    units = int(value)
            elif section == b"TABLES" and entity == b"LAYER" and code == 2:
                layers.setdefault(value.decode("ascii"), False)
            elif section == b"ENTITIES":
                if code == 8:
                    layer = value
                elif code == 2 and entity == b"INSERT":
                    block = value
                elif code == 67:
                    paper = value == b"1"
        flush()
    except (ValueError, UnicodeDecodeError):
        return None
    return (layers, blocks, units) if seen_entities else None


def _layers_and_blocks(doc: Any) -> tuple[dict[str, bool], set[str]]:
    """Every layer (the table's and those entities name) -> whether it holds block inserts; the inserted blocks."""
    layers: dict[str, bool] = {layer.dxf.name: False for layer in doc.layers}
    blocks: set[str] = set()
    for entity in doc.modelspace():
        name = entity.dxf.get("layer", "0")
        if entity.dxftype() == "INSERT":
            layers[name] = True
            blocks.add(entity.dxf.name)
        else:
            layers.setdefault(name, False)
    return layers, blocks


@dataclass(frozen=True, slots=True)
class _Settings:
    unit: float
    heights: dict[str, float]  # block name (upper case) -> metres
    height_tags: tuple[str, ...]
    wall_thickness: float
    building_height: float
    prefix: str

    @classmethod
    def of(cls, options: Mapping[str, str], unit: float, path: Path, prefix: str) -> _Settings:
        def positive(key: str, default: float) -> float:
            text = options.get(key, "").strip()
            if not text:
                return default
            value = _number(text)
            if value is None or value <= 0:
                raise _fail(path, f"option {key}", f"{text!r}: expected a positive number of metres")
            return value

        heights = {k.partition(":")[2].upper(): positive(k, DEFAULT_HEIGHT)
                   for k in options if k.lower().startswith("height:")}  # fmt: skip
        tag = options.get("height-tag", "").strip().upper()
        return cls(
            unit,
            heights,
            (tag,) if tag else HEIGHT_TAGS,
            positive("wall-thickness", DEFAULT_WALL_THICKNESS),
            positive("building-height", DEFAULT_BUILDING_HEIGHT),
            prefix,
        )


class _Builder:
    """Turns the modelspace's entities into equipment, types and building elements."""

    def __init__(
        self,
        doc: Any,
        path: Path,
        settings: _Settings,
        document: PlantDocument,
        area: Area,
        made: _Mapping,
        problems: list[Problem],
    ) -> None:
        self.doc, self.path, self.settings = doc, path, settings
        self.document, self.area, self.made, self.problems = document, area, made, problems
        self.outlines: dict[str, BlockOutline | None] = {}
        self.closed: list[tuple[list[tuple[float, float]], str, str, float]] = []  # outline, layer, handle, z
        self.bad_heights: Counter[str] = Counter()
        self.taken: set[str] = set()  # line and cell ids given out

    # ------------------------------------------------------------ blocks and inserts

    def outline(self, block_name: str) -> BlockOutline | None:
        if block_name not in self.outlines:
            block = self.doc.blocks.get(block_name)
            self.outlines[block_name] = block_outline(block) if block is not None else None
        return self.outlines[block_name]

    def placements(self, insert: Any) -> Iterator[tuple[Any, str]]:
        """The insert itself, or each copy of a multi-insert (MINSERT rows and columns), with its id."""
        handle = insert.dxf.get("handle") or f"n{id(insert)}"
        if insert.mcount > 1:
            for index, copy in enumerate(insert.multi_insert()):
                yield copy, f"{self.settings.prefix}-{safe_id(handle)}-{index + 1}"
        else:
            yield insert, f"{self.settings.prefix}-{safe_id(handle)}"

    def placed_box(self, insert: Any) -> tuple[tuple[float, float, float], float, tuple[float, float], bool] | None:
        """Where a block insert's outline lands, in metres: centre, yaw (degrees), X and Y scale, mirrored.
        The outline box's corners c +- w/2 ux +- d/2 uy (ux, uy: the insert's block axes in the plan) are
        the same four points as the equipment's centred, turned, scaled box."""
        outline = self.outline(insert.dxf.name)
        if outline is None:
            return None
        matrix = insert.matrix44()
        centre = matrix.transform(outline.centre)
        ux = matrix.transform_direction((1.0, 0.0, 0.0))
        uy = matrix.transform_direction((0.0, 1.0, 0.0))
        sx, sy = math.hypot(ux.x, ux.y), math.hypot(uy.x, uy.y)
        if sx < 1e-12 or sy < 1e-12:
            return None
        yaw = math.degrees(math.atan2(ux.y, ux.x))
        mirrored = ux.x * uy.y - ux.y * uy.x < 0
        unit = self.settings.unit
        return (centre.x * unit, centre.y * unit, centre.z * unit), yaw, (sx, sy), mirrored

    def equipment_type(self, block_name: str, layer: str) -> str:
        name = f"dxf:{block_name}"
        if name not in self.document.types:
            outline = self.outline(block_name)
            unit = self.settings.unit
            width = max(outline.width * unit, MIN_FOOTPRINT) if outline else MIN_FOOTPRINT
            depth = max(outline.depth * unit, MIN_FOOTPRINT) if outline else MIN_FOOTPRINT
            height = self.settings.heights.get(block_name.upper(), DEFAULT_HEIGHT)
            self.document.types[name] = EquipmentType(
                name, block_name, "DXF block", Footprint(width, depth, height), color=self.layer_colour(layer)
            )
        return name

    def layer_colour(self, layer: str) -> tuple[int, int, int]:
        from ezdxf import colors

        entry = self.doc.layers.get(layer) if self.doc.layers.has_entry(layer) else None
        if entry is None:
            return (170, 170, 170)
        if entry.rgb is not None:
            return tuple(int(c) for c in entry.rgb)  # type: ignore[return-value]
        aci = abs(int(entry.dxf.get("color", 7)))
        if aci in (0, 7, 256) or aci > 255:
            return (170, 170, 170)  # white/black on paper: the model's neutral grey
        r, g, b = colors.aci2rgb(aci)
        return (int(r), int(g), int(b))

    def cell_for(self, role: LayerRole, layer: str) -> Cell:
        """The cell a layer's inserts go in: the one it names, or for a line layer a cell of its own named
        after the layer ("Layer EQUIP-L1"), so two layers of one line stay apart and each says where it came
        from."""
        made = self.made
        line_name = role.line
        cell_name = role.cell if role.kind == "cell" else f"Layer {layer}"
        line = made.lines.get(line_name)
        if line is None:
            line = Line(self.new_id(f"line-{safe_id(line_name)}"), line_name)
            made.lines[line_name] = line
            self.area.lines.append(line)
        made.layers_of_line[line_name].add(layer)
        key = (line_name, cell_name)
        cell = made.cells.get(key)
        if cell is None:
            own = safe_id(role.cell if role.kind == "cell" else layer)
            tail = own if own == safe_id(line_name) else f"{safe_id(line_name)}-{own}"
            cell = Cell(self.new_id(f"cell-{tail}"), cell_name)
            made.cells[key] = cell
            line.cells.append(cell)
        return cell

    def new_id(self, tail: str) -> str:
        """A line's or cell's id, unique among them (names that differ only in characters ids leave out)."""
        base = f"{self.settings.prefix}-{tail}"[:120]
        candidate, number = base, 1
        while candidate in self.taken:
            number += 1
            candidate = f"{base}-{number}"
        self.taken.add(candidate)
        return candidate

    def equipment(self, insert: Any, layer: str, role: LayerRole) -> None:
        block_name = insert.dxf.name
        block = self.doc.blocks.get(block_name)
        if block is None:
            self.made.skipped[("INSERT", "of blocks the drawing does not define")] += 1
            return
        if block.block is not None and block.block.is_xref:
            self.made.skipped[("INSERT", "of external references (xrefs): their drawings are not read")] += 1
            return
        cell = self.cell_for(role, layer)
        type_name = self.equipment_type(block_name, layer)
        kind = self.document.types[type_name]
        attributes = [(a.dxf.get("tag", ""), a.dxf.get("text", "")) for a in insert.attribs]
        for placed, equipment_id in self.placements(insert):
            box = self.placed_box(placed)
            if box is None:
                self.made.no_outline.add(block_name)
                point = placed.dxf.insert
                unit = self.settings.unit
                box = ((point.x * unit, point.y * unit, point.z * unit), placed.dxf.rotation, (1.0, 1.0), False)
            (x, y, z), yaw, (sx, sy), mirrored = box
            parameters = [Parameter(tag, text) for tag, text in attributes if tag]
            sz = 1.0
            height_text = next((text for tag, text in attributes if tag.upper() in self.settings.height_tags), None)
            if height_text is not None:
                height = parse_length(height_text, self.settings.unit)
                if height is None or height <= 0:
                    self.bad_heights[height_text] += 1
                else:
                    sz = height / kind.footprint.height
            if abs(placed.dxf.get("extrusion", (0.0, 0.0, 1.0))[2]) < 0.999:
                self.made.tilted.append(equipment_id)
            if mirrored:
                parameters.append(Parameter("dxf_mirrored", True))
                self.made.mirrored.append(equipment_id)
            name = next((text for tag, text in attributes if tag.upper() in NAME_TAGS and text.strip()), "")
            handle = equipment_id.removeprefix(f"{self.settings.prefix}-")
            cell.equipment.append(
                Equipment(
                    equipment_id,
                    name.strip() or f"{block_name} {handle}",
                    type_name,
                    Pose(x, y, z, yaw),
                    (sx, sy, sz),
                    parameters,
                )
            )
            self.made.equipment += 1
            self.made.parameters += len(parameters) - int(mirrored)

    # ------------------------------------------------------------ the building

    def building_entity(self, entity: Any, layer: str) -> None:
        kind = entity.dxftype()
        handle = entity.dxf.get("handle") or f"n{id(entity)}"
        unit = self.settings.unit
        tolerance = 0.005 / unit  # 5 mm chords along arcs and bulges
        z = 0.0
        if kind in ("LWPOLYLINE", "POLYLINE"):
            if kind == "POLYLINE" and not (entity.is_2d_polyline or entity.is_3d_polyline):
                self.made.skipped[(kind, "meshes and faces on building layers")] += 1
                return
            points = [(x * unit, y * unit) for x, y in _flat_points(entity, tolerance)]
            z = float(entity.dxf.get("elevation", 0.0) or 0.0) * unit if kind == "LWPOLYLINE" else 0.0
            if entity.is_closed and len(points) >= 3:
                self.closed.append((points, layer, handle, z))
            else:
                self.open_wall(points, layer, handle, kind)
        elif kind == "LINE":
            start, end = entity.dxf.start, entity.dxf.end
            self.open_wall([(start.x * unit, start.y * unit), (end.x * unit, end.y * unit)], layer, handle, kind)
        elif kind == "CIRCLE":
            points = [(x * unit, y * unit) for x, y in _flat_points(entity, tolerance)]
            if len(points) >= 3 and (is_column_name(layer) or _across(points) <= COLUMN_MAX_SIZE):
                self.add_element(BuildingKind.COLUMN, points, handle, f"Column {handle}", 0.0, layer)
            else:
                self.made.skipped[(kind, f"wider than {COLUMN_MAX_SIZE:g} m on a building layer: not a column")] += 1
        elif kind == "INSERT":
            for placed, element_id in self.placements(entity):
                box = self.placed_box(placed)
                outline = self.outline(placed.dxf.name)
                if box is None or outline is None:
                    self.made.skipped[(kind, "of empty blocks on building layers")] += 1
                    continue
                (x, y, _z), yaw, (sx, sy), _mirrored = box
                c, s = math.cos(math.radians(yaw)), math.sin(math.radians(yaw))
                hw, hd = outline.width * sx * unit / 2, outline.depth * sy * unit / 2
                corners = ((-hw, -hd), (hw, -hd), (hw, hd), (-hw, hd))
                points = [(x + c * u - s * v, y + s * u + c * v) for u, v in corners]
                column = is_column_name(layer) or is_column_name(placed.dxf.name) or _across(points) <= COLUMN_MAX_SIZE
                name = f"{'Column' if column else 'Wall'} {placed.dxf.name}"
                element_id = element_id.removeprefix(f"{self.settings.prefix}-")
                kind_of = BuildingKind.COLUMN if column else BuildingKind.WALL
                self.add_element(kind_of, points, element_id, name, 0.0, layer)
        else:
            self.made.skipped[(kind, "on building layers: only polylines, lines, circles and blocks are building")] += 1

    def open_wall(self, points: list[tuple[float, float]], layer: str, handle: str, kind: str) -> None:
        if is_column_name(layer) and not _words(layer) & WALL_WORDS:
            self.made.skipped[(kind, "open outlines on column layers")] += 1
            return
        outline = _thick_outline(points, self.settings.wall_thickness) if len(points) >= 2 else []
        if len(outline) < 3:
            self.made.skipped[(kind, "zero-length lines on building layers")] += 1
            return
        self.add_element(BuildingKind.WALL, outline, handle, f"Wall {handle}", 0.0, layer)

    def add_element(
        self, kind: BuildingKind, outline: list[tuple[float, float]], handle: str, name: str, z: float, layer: str
    ) -> None:
        element_id = f"{self.settings.prefix}-{safe_id(handle)}"
        height = self.settings.building_height
        self.document.sites[0].building.append(BuildingElement(element_id, kind, outline, z, height, name))
        self.made.building[("columns" if kind == BuildingKind.COLUMN else "walls", layer)] += 1

    def finish_building(self) -> None:
        """The largest closed outline is the site's footprint; small ones and those on column layers columns,
        the rest walls."""
        if self.bad_heights:
            shown = ", ".join(repr(t) for t in list(self.bad_heights)[:5])
            count = sum(self.bad_heights.values())
            message = f"{count} heights are not lengths ({shown}): the block's height is used"
            self.problems.append(Problem(str(self.path), "height attributes", message))
        if not self.closed:
            return
        candidates = [
            i
            for i, (points, layer, _h, _z) in enumerate(self.closed)
            if not is_column_name(layer) and _across(points) > COLUMN_MAX_SIZE
        ]
        largest = max(candidates, key=lambda i: _area(self.closed[i][0]), default=-1)
        for index, (points, layer, handle, z) in enumerate(self.closed):
            if index == largest:
                self.document.sites[0].footprint = points
                self.made.footprint = True
            elif is_column_name(layer) or _across(points) <= COLUMN_MAX_SIZE:
                self.add_element(BuildingKind.COLUMN, points, handle, f"Column {handle}", z, layer)
            else:
                self.add_element(BuildingKind.WALL, points, handle, f"Wall {handle}", z, layer)


def _report(
    path: Path,
    kind: str,
    doc: Any,
    unit_name: str,
    made: _Mapping,
    roles: Mapping[str, LayerRole],
    document: PlantDocument,
) -> MappingReport:
    version = doc.acad_release or doc.dxfversion
    report = MappingReport(str(path), f"{kind} ({version}, {unit_name})")
    by_kind: dict[str, list[str]] = defaultdict(list)
    for layer, role in sorted(roles.items()):
        by_kind[role.kind].append(layer)
    report.mapped.append(MappingRow("site", 1, f"the drawing {path.name}"))
    report.mapped.append(MappingRow("area", 1, "the modelspace"))
    for line_name, line in made.lines.items():
        layers = ", ".join(sorted(made.layers_of_line[line_name]))
        report.mapped.append(MappingRow("line", 1, f"{line_name!r} from layers {layers}"))
        report.mapped.append(MappingRow("cell", len(line.cells), f"in {line_name!r}"))
    report.mapped.append(MappingRow("equipment", made.equipment, "block INSERTs on line and cell layers"))
    if made.footprint:
        report.mapped.append(MappingRow("site footprint", 1, "the largest closed polyline on building layers"))
    for (what, layer), count in sorted(made.building.items()):
        report.mapped.append(MappingRow("building elements", count, f"{what} on layer {layer}"))
    report.kept.append(MappingRow("parameters", made.parameters, "ATTRIBs of the inserts"))
    report.kept.append(MappingRow("equipment types", len(document.types), "block definitions (outline, height)"))
    if by_kind.get("skip"):
        report.skipped.append(MappingRow("layers", len(by_kind["skip"]), "set to skip: " + ", ".join(by_kind["skip"])))
    for (entity_kind, why), count in sorted(made.skipped.items()):
        report.skipped.append(MappingRow(entity_kind, count, why))
    return report
