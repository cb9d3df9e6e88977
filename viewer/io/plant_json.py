"""Plant documents as versioned JSON: load with exact errors, save atomically, round trip exactly."""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from viewer.io.atomic import atomic_write_text
from viewer.io.errors import PlantFileError, Problem
from viewer.io.jsonfmt import SchemaCheck, check_finite, describe, dumps_pretty, load_schema, read_json
from viewer.io.library_io import builtin_library
from viewer.io.review_json import review_from_dict, review_problems, review_to_dict
from viewer.io.type_json import (
    LIMIT_KEYS,
    equipment_type_from,
    equipment_type_to,
    parameters_from,
    parameters_to,
    signals_from,
    signals_to,
)
from viewer.model import (
    FORMAT_NAME,
    FORMAT_VERSION,
    Area,
    BuildingElement,
    BuildingKind,
    Cell,
    CloneRecord,
    ColumnGrid,
    Deviation,
    DeviationChange,
    DeviationStatus,
    Enterprise,
    Equipment,
    EquipmentLibrary,
    Line,
    MaterialLink,
    PlantDocument,
    Pose,
    Site,
    Viewpoint,
)
from viewer.model.site_time import zone

_POSE_KEYS = ("x", "y", "z", "yaw", "pitch", "roll")


@cache
def plant_schema_check() -> SchemaCheck:
    return SchemaCheck(load_schema("plant.schema.json"))


# ---------------------------------------------------------------- dict -> model


def pose_from(data: dict[str, Any] | None) -> Pose:
    data = data or {}
    return Pose(*(float(data.get(k, 0.0)) for k in _POSE_KEYS))


def _triple(values: Sequence[Any]) -> tuple[float, float, float]:
    x, y, z = values  # the schema has checked the length
    return float(x), float(y), float(z)


def _pair(values: Sequence[Any]) -> tuple[float, float]:
    x, y = values  # the schema has checked the length
    return float(x), float(y)


def _equipment_from(d: dict[str, Any]) -> Equipment:
    return Equipment(
        id=d["id"],
        name=d["name"],
        type=d["type"],
        pose=pose_from(d.get("pose")),
        scale=_triple(d.get("scale", (1.0, 1.0, 1.0))),
        parameters=parameters_from(d.get("parameters")),
        signals=signals_from(d.get("signals")),
        mother_id=d.get("mother_id"),
    )


def _clone_record_from(d: dict[str, Any] | None) -> CloneRecord | None:
    if d is None:
        return None
    return CloneRecord(
        d["mother_site"],
        d["mother_line"],
        d["mother_revision"],
        d["cloned_at"],
        _pair(d.get("origin", (0.0, 0.0))),
        float(d.get("rotate", 0.0)),
        bool(d.get("mirror", False)),
    )


def _clone_record_to(r: CloneRecord) -> dict[str, Any]:
    return {
        "mother_site": r.mother_site,
        "mother_line": r.mother_line,
        "mother_revision": r.mother_revision,
        "cloned_at": r.cloned_at,
        "origin": list(r.origin),
        "rotate": r.rotate,
        "mirror": r.mirror,
    }


_DEVIATION_KEYS = ("id", "equipment_id", "field", "mother_value", "child_value", "reason", "requested_by",
                   "requested_at", "approved_by", "approved_at")  # fmt: skip
_STATUSES = {status.value: status for status in DeviationStatus}


def _deviation_from(d: dict[str, Any]) -> Deviation:
    status = _STATUSES[d["status"]]
    values = {k: d.get(k, "") for k in _DEVIATION_KEYS}
    # Documents from before requested_at/approved_at had one date: of the request, or of the decision.
    legacy = "requested_at" if status == DeviationStatus.PROPOSED else "approved_at"
    if d.get("date") and not values[legacy]:
        values[legacy] = d["date"]
    history = [
        DeviationChange(_STATUSES[h["status"]], h["by"], h["at"], h.get("note", "")) for h in d.get("history", ())
    ]
    return Deviation(**values, status=status, history=history)


def _deviation_to(v: Deviation) -> dict[str, Any]:
    return {k: getattr(v, k) for k in _DEVIATION_KEYS} | {
        "status": str(v.status),
        "history": [{"status": str(c.status), "by": c.by, "at": c.at, "note": c.note} for c in v.history],
    }


def _site_from(d: dict[str, Any]) -> Site:
    grid = d.get("column_grid", {})
    default_grid = ColumnGrid()
    count_x, count_y = grid.get("count", default_grid.count)
    return Site(
        id=d["id"],
        name=d["name"],
        country=d.get("country", ""),
        latitude=float(d.get("latitude", 0.0)),
        longitude=float(d.get("longitude", 0.0)),
        timezone=d.get("timezone", "UTC"),
        footprint=[(float(x), float(y)) for x, y in d.get("footprint", [])],
        tag_template=d.get("tag_template", ""),
        building=[
            BuildingElement(
                b["id"],
                BuildingKind(b["kind"]),
                [(float(x), float(y)) for x, y in b["outline"]],
                float(b.get("base", 0.0)),
                float(b.get("height", 3.0)),
                b.get("name", ""),
            )
            for b in d.get("building", [])
        ],
        column_grid=ColumnGrid(
            origin=_pair(grid.get("origin", default_grid.origin)),
            spacing=_pair(grid.get("spacing", default_grid.spacing)),
            count=(int(count_x), int(count_y)),
            size=float(grid.get("size", default_grid.size)),
            height=float(grid.get("height", default_grid.height)),
        ),
        areas=[
            Area(
                a["id"],
                a["name"],
                pose_from(a.get("pose")),
                [
                    Line(
                        li["id"],
                        li["name"],
                        pose_from(li.get("pose")),
                        clone_record=_clone_record_from(li.get("clone_record")),
                        cells=[
                            Cell(
                                c["id"],
                                c["name"],
                                pose_from(c.get("pose")),
                                [_equipment_from(e) for e in c.get("equipment", [])],
                            )
                            for c in li.get("cells", [])
                        ],
                    )
                    for li in a.get("lines", [])
                ],
            )
            for a in d.get("areas", [])
        ],
    )


# ---------------------------------------------------------------- model -> dict


def pose_to(pose: Pose) -> dict[str, float]:
    return {k: getattr(pose, k) for k in _POSE_KEYS if getattr(pose, k)}


def _with_pose(out: dict[str, Any], pose: Pose) -> dict[str, Any]:
    if not pose.is_identity():
        out["pose"] = pose_to(pose)
    return out


def _equipment_to(e: Equipment) -> dict[str, Any]:
    out = _with_pose({"id": e.id, "name": e.name, "type": e.type}, e.pose)
    if tuple(e.scale) != (1.0, 1.0, 1.0):
        out["scale"] = list(e.scale)
    if e.parameters:
        out["parameters"] = parameters_to(e.parameters)
    if e.signals:
        out["signals"] = signals_to(e.signals)
    if e.mother_id is not None:
        out["mother_id"] = e.mother_id
    return out


def _building_element_to(b: BuildingElement) -> dict[str, Any]:
    out: dict[str, Any] = {"id": b.id, "kind": str(b.kind)}
    if b.name:
        out["name"] = b.name
    return out | {"outline": [list(p) for p in b.outline], "base": b.base, "height": b.height}


def _site_to(s: Site) -> dict[str, Any]:
    g = s.column_grid
    return {
        "id": s.id,
        "name": s.name,
        "country": s.country,
        "latitude": s.latitude,
        "longitude": s.longitude,
        "timezone": s.timezone,
        "footprint": [list(p) for p in s.footprint],
        **({"tag_template": s.tag_template} if s.tag_template else {}),
        "column_grid": {
            "origin": list(g.origin),
            "spacing": list(g.spacing),
            "count": list(g.count),
            "size": g.size,
            "height": g.height,
        },
        **({"building": [_building_element_to(b) for b in s.building]} if s.building else {}),
        "areas": [
            _with_pose({"id": a.id, "name": a.name}, a.pose)
            | {
                "lines": [
                    _with_pose({"id": li.id, "name": li.name}, li.pose)
                    | ({"clone_record": _clone_record_to(li.clone_record)} if li.clone_record else {})
                    | {
                        "cells": [
                            _with_pose({"id": c.id, "name": c.name}, c.pose)
                            | {"equipment": [_equipment_to(e) for e in c.equipment]}
                            for c in li.cells
                        ]
                    }
                    for li in a.lines
                ]
            }
            for a in s.areas
        ],
    }


def document_to_dict(document: PlantDocument) -> dict[str, Any]:
    out: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "enterprise": {"id": document.enterprise.id, "name": document.enterprise.name},
    }
    if document.types:
        out["types"] = {name: equipment_type_to(t) for name, t in sorted(document.types.items())}
    out["sites"] = [_site_to(s) for s in document.sites]
    if document.viewpoints:
        out["viewpoints"] = [v.to_dict() for v in document.viewpoints]
    if document.deviations:
        out["deviations"] = [_deviation_to(v) for v in document.deviations]
    if document.links:
        out["links"] = [{"id": k.id, "name": k.name, "side_a": k.side_a, "side_b": k.side_b} for k in document.links]
    if document.review.topics:
        out["review"] = review_to_dict(document.review)
    return out


def dumps_document(document: PlantDocument) -> str:
    return dumps_document_data(document_to_dict(document))


def dumps_document_data(data: dict[str, Any]) -> str:
    """The text of a save from `document_to_dict`'s result: the slow part (a plain structure, so it may run
    on another thread while the document itself changes)."""
    return dumps_pretty(data) + "\n"


def save_document(document: PlantDocument, path: Path) -> None:
    """Write atomically: a crash mid-save leaves the previous file intact."""
    atomic_write_text(Path(path), dumps_document(document))


# ---------------------------------------------------------------- checks


def _check_header(data: Any, file: str) -> None:
    if not isinstance(data, dict):
        raise PlantFileError.single(file, "$", f"expected an object, got {describe(data)}")
    if "format" not in data:
        raise PlantFileError.single(file, "$", "missing key 'format': is this a MotherTwin plant document?")
    if data.get("format") != FORMAT_NAME:
        raise PlantFileError.single(
            file,
            "$.format",
            f"expected {FORMAT_NAME!r}, got {describe(data.get('format'))}: is this a MotherTwin plant document?",
        )
    version = data.get("version")
    if version != FORMAT_VERSION:
        raise PlantFileError.single(
            file,
            "$.version",
            f"unsupported version {version!r}; this MotherTwin reads version {FORMAT_VERSION} "
            "(was the file written by a newer MotherTwin?)",
        )


def _semantic_problems(data: dict[str, Any], library: EquipmentLibrary, file: str) -> list[Problem]:
    problems: list[Problem] = []
    first_use: dict[str, str] = {}

    def check_id(item: dict[str, Any], path: str) -> None:
        ident = item["id"]
        if ident in first_use:
            problems.append(Problem(file, f"{path}.id", f"duplicate id {ident!r} (first used at {first_use[ident]})"))
        else:
            first_use[ident] = f"{path}.id"

    known_types = set(library.types) | set(data.get("types", {}))
    for si, site in enumerate(data["sites"]):
        sp = f"$.sites[{si}]"
        check_id(site, sp)
        if site.get("footprint") and len(site["footprint"]) < 3:
            problems.append(Problem(file, f"{sp}.footprint", "expected a polygon of at least 3 points"))
        building_ids: set[str] = set()
        for bi, element in enumerate(site.get("building", [])):
            if element["id"] in building_ids:
                problems.append(Problem(file, f"{sp}.building[{bi}].id", f"duplicate id {element['id']!r}"))
            building_ids.add(element["id"])
        try:  # every time of the site is shown in its zone: a misspelt one is found here, not in a replay
            zone(site.get("timezone"))
        except ValueError as exc:
            problems.append(Problem(file, f"{sp}.timezone", str(exc)))
        for ai, area in enumerate(site.get("areas", [])):
            ap = f"{sp}.areas[{ai}]"
            check_id(area, ap)
            for li, line in enumerate(area.get("lines", [])):
                lp = f"{ap}.lines[{li}]"
                check_id(line, lp)
                for ci, cell in enumerate(line.get("cells", [])):
                    cp = f"{lp}.cells[{ci}]"
                    check_id(cell, cp)
                    for ei, eq in enumerate(cell.get("equipment", [])):
                        ep = f"{cp}.equipment[{ei}]"
                        check_id(eq, ep)
                        if eq["type"] not in known_types:
                            problems.append(Problem(file, f"{ep}.type", _unknown_type_message(eq["type"], known_types)))
                        for gi, sig in enumerate(eq.get("signals", [])):
                            problems += _limit_order_problems(sig.get("limits", {}), f"{ep}.signals[{gi}]", file)
    return problems + _deviation_problems(data.get("deviations", []), file)


_UTC_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _deviation_problems(deviations: list[dict[str, Any]], file: str) -> list[Problem]:
    """The register's own rules: unique ids, UTC times, and a status that is the last change of its history."""
    problems: list[Problem] = []
    first_use: dict[str, str] = {}
    for di, d in enumerate(deviations):
        dp = f"$.deviations[{di}]"
        if d["id"] in first_use:
            problems.append(Problem(file, f"{dp}.id", f"duplicate deviation id {d['id']!r} (first used at "
                                    f"{first_use[d['id']]})"))  # fmt: skip
        first_use.setdefault(d["id"], f"{dp}.id")
        for key in ("requested_at", "approved_at", "date"):
            value = d.get(key, "")
            if value and not (_UTC_TIME.fullmatch(value) or _DATE.fullmatch(value)):
                problems.append(Problem(file, f"{dp}.{key}", f"expected a UTC time in ISO 8601 such as "
                                        f"2026-12-06T19:44:21Z, or empty, got {describe(value)}"))  # fmt: skip
        history = d.get("history", [])
        for hi, change in enumerate(history):
            if not _UTC_TIME.fullmatch(change["at"]):
                problems.append(Problem(file, f"{dp}.history[{hi}].at", "expected a UTC time in ISO 8601 such as "
                                        f"2026-12-06T19:44:21Z, got {describe(change['at'])}"))  # fmt: skip
        if history and history[-1]["status"] != d["status"]:
            problems.append(Problem(file, f"{dp}.status", f"expected {history[-1]['status']!r}, the status its last "
                                    f"change in history[{len(history) - 1}] gave it, got {d['status']!r}"))  # fmt: skip
    return problems


def _unknown_type_message(name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=3)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return f"unknown equipment type {name!r}: not in the document's types nor the equipment library{hint}"


def _limit_order_problems(limits: dict[str, float], path: str, file: str) -> list[Problem]:
    present = [(k, limits[k]) for k in LIMIT_KEYS if k in limits]
    for (ka, va), (kb, vb) in itertools.pairwise(present):
        if va > vb:
            return [Problem(file, f"{path}.limits", f"expected {ka} <= {kb}, got {ka}={va} and {kb}={vb}")]
    return []


# ---------------------------------------------------------------- load


def document_from_data(data: Any, text: str, file: str, library: EquipmentLibrary, base_dir: Path) -> PlantDocument:
    _check_header(data, file)
    problems = plant_schema_check().problems(data, file)
    if problems:
        raise PlantFileError(problems)
    problems = check_finite(data, text, file) + _semantic_problems(data, library, file)
    problems += [Problem(file, where, message) for where, message in review_problems(data.get("review", {}))]
    if problems:
        raise PlantFileError(problems)
    return PlantDocument(
        enterprise=Enterprise(data["enterprise"]["id"], data["enterprise"]["name"]),
        sites=[_site_from(s) for s in data["sites"]],
        types={name: equipment_type_from(name, t, base_dir) for name, t in data.get("types", {}).items()},
        viewpoints=[Viewpoint.from_dict(v) for v in data.get("viewpoints", [])],
        deviations=[_deviation_from(v) for v in data.get("deviations", [])],
        links=[MaterialLink(k["id"], k.get("name", ""), k["side_a"], k["side_b"]) for k in data.get("links", [])],
        review=review_from_dict(data.get("review", {})),
    )


def load_document(path: Path, library: EquipmentLibrary | None = None) -> PlantDocument:
    """Read and check a plant document. Raises PlantFileError listing every problem found."""
    path = Path(path)
    data, text = read_json(path)
    lib = builtin_library() if library is None else library
    return document_from_data(data, text, str(path), lib, path.parent.resolve())
