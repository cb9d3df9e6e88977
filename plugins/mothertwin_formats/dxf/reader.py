"""The `dxf` importer: its import options and the read, from loading the drawing to the mapping report."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mothertwin_formats.dxf.layers import (
    LAYER_ROLES,
    LayerRole,
    _layers_and_blocks,
    default_role,
    layer_roles,
    scan_layers,
)
from mothertwin_formats.dxf.mapping import (
    DEFAULT_BUILDING_HEIGHT,
    DEFAULT_HEIGHT,
    DEFAULT_WALL_THICKNESS,
    MIN_FOOTPRINT,
    _Builder,
    _Mapping,
    _Settings,
)
from mothertwin_formats.dxf.reading import (
    BINARY_SENTINEL,
    UNIT_CHOICES,
    _fail,
    _load,
    _number,
    _repair_notes,
    _unit_name,
    drawing_unit,
    safe_id,
)
from viewer.formats import (
    Area,
    Enterprise,
    ImportOption,
    MappingReport,
    MappingRow,
    OpenCancelledError,
    PlantDocument,
    Problem,
    ReadRequest,
    ReadResult,
    Site,
)

PROGRESS_EVERY = 2000  # inserts between progress reports and cancel checks
# A plant layout of 50,000 inserts is about 17 MB and takes ezdxf 15-20 s; a drawing many times that (a whole
# site survey) would read for minutes with no progress to show, so it is refused unless asked for.
DEFAULT_MAX_MB = 100


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
