"""The one import path and the export path every format plugin goes through (viewer.app.importing, exporting,
import_worker): an isolated importer in a process of its own (a crash is a message), the mapping report, adding
an import to an open plant as one undoable edit, the files an import made placed beside the document, exports
written atomically, and a plant document never saved over a file of another format."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest

from viewer.app.document import DocumentSession
from viewer.app.exporting import ExportError, export_plant, find_writer
from viewer.app.importing import AddImportedPlant, import_plant, merge_into, place_files
from viewer.app.opening import MappingReport, MappingRow, open_plant
from viewer.io import PlantFileError, builtin_library, dumps_document, load_document
from viewer.model.undo import UndoStack
from viewer.paths import demo_plant_path
from viewer.sensors.plugins import Contribution, PluginManifest, PluginRegistry

# A layout format of one line per equipment ("id name x y"), its reader and writer; "CRASH" kills the
# reading process the way a native library's fault does, "SLOW" reads for a long time.
LINES_FORMAT = '''
import os
import time
from viewer.formats import (Area, Cell, Enterprise, Equipment, EquipmentType, Footprint, Line, MappingReport,
                            MappingRow, OpenCancelledError, PlantDocument, PlantFileError, Pose, Problem, ReadResult,
                            Site)


class LinesReader:
    name = "lines"
    title = "Lines layout"
    suffixes = (".lines",)

    def sniff(self, head):
        return False

    def read(self, request):
        text = request.data.decode()
        if "CRASH" in text:
            os.abort()
        if "SLOW" in text:
            for step in range(600):
                if request.cancelled():
                    raise OpenCancelledError
                request.progress(step / 600, "Waiting")
                time.sleep(0.05)
        cell = Cell("C1", "Cell 1")
        for number, row in enumerate(text.splitlines(), start=1):
            parts = row.split()
            if len(parts) != 4:
                raise PlantFileError.single(request.path, f"line {number}", "expected: id name x y")
            cell.equipment.append(Equipment(parts[0], parts[1], "lines_box", Pose(float(parts[2]), float(parts[3]))))
        site = Site("S1", request.path.stem, areas=[Area("A1", "Area", lines=[Line("L1", "Line 1", cells=[cell])])])
        kind = EquipmentType("lines_box", "Box", "process", Footprint(2.0, 1.0, 1.0), mesh="meshes/box.glb")
        document = PlantDocument(Enterprise("E1", "Lines Co."), [site], {"lines_box": kind})
        rows = [MappingRow("equipment", len(cell.equipment), "rows")]
        report = MappingReport(str(request.path), "Lines", mapped=rows,
                               skipped=[MappingRow("comments", 0, "none in this format")])
        warning = Problem(str(request.path), "line 1", f"options {dict(request.options)}")
        return ReadResult(document, [warning], report, {"meshes/box.glb": b"GLB bytes"})


class IsolatedLinesReader(LinesReader):
    isolated = True


class LinesWriter:
    name = "lines"
    suffixes = (".lines",)

    def write(self, request):
        rows = [f"{p.equipment.id} {p.equipment.name} {p.equipment.pose.x:g} {p.equipment.pose.y:g}"
                for p in request.document.iter_equipment() if request.site in (None, p.site)]
        files = {request.path.name: ("\\n".join(rows) + "\\n").encode()}
        if request.options.get("escape"):
            files["extra/../../escape.txt"] = b"x"
        return files
'''


def install_lines_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PluginRegistry:
    """The lines format as an installed plugin: its module importable (here and in a worker process), its
    manifest in a registry of its own."""
    folder = tmp_path / "plugin"
    folder.mkdir()
    (folder / "lines_format.py").write_text(textwrap.dedent(LINES_FORMAT), encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    manifest = PluginManifest(
        "lines-format",
        "1.0",
        (
            Contribution("importer", "lines", "lines_format:LinesReader", "Lines layout", (".lines",)),
            Contribution("importer", "ilines", "lines_format:IsolatedLinesReader", "Lines layout", (".ilines",)),
            Contribution("exporter", "lines", "lines_format:LinesWriter", "Lines layout", (".lines",)),
        ),
    )
    return PluginRegistry(manifests={manifest.name: manifest})


@pytest.fixture
def lines_plugin(tmp_path, monkeypatch):
    yield install_lines_plugin(tmp_path, monkeypatch)
    sys.modules.pop("lines_format", None)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_an_isolated_importer_reads_in_another_process_with_the_same_result(tmp_path, lines_plugin):
    rows = "P1 press 1.5 2\nP2 oven 10 -3.25\n"
    here = import_plant(_write(tmp_path / "hall.lines", rows), options={"k": "v"}, registry=lines_plugin)
    seen: list[str] = []
    away = import_plant(_write(tmp_path / "hall.ilines", rows), options={"k": "v"},
                        registry=lines_plugin, progress=lambda f, stage: seen.append(stage))  # fmt: skip
    assert here is not None and away is not None
    assert "lines_format" in sys.modules  # the in-process one was imported here
    assert dumps_document(here.document) == dumps_document(away.document)
    assert [(e.equipment.id, e.equipment.pose.x, e.equipment.pose.y) for e in away.document.iter_equipment()] == [
        ("P1", 1.5, 2.0),
        ("P2", 10.0, -3.25),
    ]
    assert away.report is not None and away.report.count("equipment") == 2
    assert away.assets == {"meshes/box.glb": b"GLB bytes"}
    assert [p.message for p in away.problems] == ["options {'k': 'v'}"]
    assert away.report_lines()[0] == "Imported hall.ilines (Lines):"
    assert "  became       2 equipment (rows)" in away.report_lines()


def test_a_crash_of_an_isolated_importer_is_a_message_and_the_caller_carries_on(tmp_path, lines_plugin):
    path = _write(tmp_path / "bad.ilines", "CRASH\n")
    with pytest.raises(PlantFileError) as error:
        import_plant(path, registry=lines_plugin)
    (problem,) = error.value.problems
    assert problem.file == str(path) and problem.where == "file"
    assert "the Lines layout importer crashed (SIGABRT)" in problem.message
    assert "the open plant is unchanged" in problem.message
    # The importer's own errors come back as they were raised, naming the line.
    with pytest.raises(PlantFileError) as error:
        import_plant(_write(tmp_path / "short.ilines", "P1 press 1\n"), registry=lines_plugin)
    assert [str(p) for p in error.value.problems] == [f"{tmp_path / 'short.ilines'}: line 1: expected: id name x y"]


def test_cancelling_an_isolated_import_stops_its_process(tmp_path, lines_plugin):
    path = _write(tmp_path / "slow.ilines", "SLOW\n")
    stages: list[float] = []

    def cancelled() -> bool:
        return len(stages) >= 3  # after a few progress reports from the other process

    result = import_plant(path, registry=lines_plugin, progress=lambda f, s: stages.append(f), cancelled=cancelled)
    assert result is None and len(stages) >= 3


def test_importing_a_plant_document_says_to_open_it(tmp_path, lines_plugin):
    with pytest.raises(PlantFileError) as error:
        import_plant(demo_plant_path(), registry=lines_plugin)
    assert "open it (File > Open)" in error.value.problems[0].message


def test_an_import_adds_to_the_open_plant_as_one_undoable_edit(tmp_path, lines_plugin):
    document = load_document(demo_plant_path())
    before = dumps_document(document)
    imported = import_plant(_write(tmp_path / "annex.lines", "N1 new 1 1\nN2 new 2 2\n"), "Annex",
                            registry=lines_plugin)  # fmt: skip
    assert imported is not None and imported.sites[0].name == "Annex"
    undo = UndoStack(document)
    undo.push(AddImportedPlant(imported.document, "Annex", imported.source))
    assert [s.name for s in document.sites][-1] == "Annex"
    assert {"N1", "N2"} <= {p.equipment.id for p in document.iter_equipment()}
    assert "lines_box" in document.types
    undo.undo()
    assert dumps_document(document) == before
    undo.redo()
    assert document.sites[-1].name == "Annex"

    # Into an existing site: its areas join that site, nothing else changes.
    site = document.sites[0]
    again = import_plant(_write(tmp_path / "more.lines", "M1 more 3 3\n"), registry=lines_plugin)
    assert again is not None
    again.document.sites[0].areas[0].id = "A-more"
    again.document.sites[0].areas[0].lines[0].id = "L-more"
    again.document.sites[0].areas[0].lines[0].cells[0].id = "C-more"
    areas_before = len(site.areas)
    merge_into(document, again.document, site.name, again.source)
    assert len(site.areas) == areas_before + 1 and site.areas[-1].lines[0].cells[0].equipment[0].id == "M1"


def test_an_import_whose_ids_are_taken_changes_nothing_and_says_which(tmp_path, lines_plugin):
    document = load_document(demo_plant_path())
    taken = next(document.iter_equipment()).equipment.id
    imported = import_plant(_write(tmp_path / "dup.lines", f"{taken} copy 0 0\n"), registry=lines_plugin)
    assert imported is not None
    before = dumps_document(document)
    with pytest.raises(PlantFileError) as error:
        UndoStack(document).push(AddImportedPlant(imported.document, None, imported.source))
    assert taken in error.value.problems[0].message and "already used" in error.value.problems[0].message
    assert dumps_document(document) == before


def test_the_files_an_import_made_land_beside_the_document_and_never_outside(tmp_path, lines_plugin):
    imported = import_plant(_write(tmp_path / "hall.lines", "P1 press 0 0\n"), registry=lines_plugin)
    assert imported is not None
    out = tmp_path / "out"
    out.mkdir()
    written = place_files(imported.document, imported.assets, out)
    assert written == [(out / "meshes" / "box.glb").resolve()]
    assert (out / "meshes" / "box.glb").read_bytes() == b"GLB bytes"
    kind = imported.document.types["lines_box"]
    assert kind.base_dir == out.resolve() and kind.mesh == "meshes/box.glb"
    with pytest.raises(ValueError, match="outside"):
        place_files(imported.document, {"../../evil.glb": b"x"}, out)
    assert not (tmp_path / "evil.glb").exists()

    # A mesh found beside the imported file is referred to from where the document goes.
    (tmp_path / "cad").mkdir()
    kind.base_dir, kind.mesh = tmp_path / "cad", "robot.dae"
    place_files(imported.document, {}, out)
    assert kind.mesh == "../cad/robot.dae" and kind.base_dir == out.resolve()


def test_export_writes_atomically_and_refuses_what_it_cannot(tmp_path, lines_plugin):
    document = load_document(demo_plant_path())
    writer = find_writer(lines_plugin, ".lines")
    target = tmp_path / "plant.lines"
    assert export_plant(document, target, writer) == [target.resolve()]
    first = target.read_text().splitlines()[0].split()
    equipment = next(document.iter_equipment()).equipment
    assert first[0] == equipment.id and first[-2:] == [f"{equipment.pose.x:g}", f"{equipment.pose.y:g}"]
    with pytest.raises(ExportError, match="no exporter writes 'step'; formats: lines"):
        find_writer(lines_plugin, "step")
    with pytest.raises(ExportError, match="outside"):
        export_plant(document, tmp_path / "again.lines", writer, options={"escape": "1"})
    assert not (tmp_path / "again.lines").exists()  # nothing written when any file is refused
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        with pytest.raises(OSError):
            export_plant(document, locked / "plant.lines", writer)
        assert list(locked.iterdir()) == []


def test_an_imported_plant_opens_untitled_and_is_never_saved_over_its_source(tmp_path, lines_plugin):
    source = _write(tmp_path / "hall.lines", "P1 press 1 2\n")
    session = DocumentSession(builtin_library())
    session.registry = lines_plugin
    messages: list = []
    session.messages_reported.connect(messages.append)
    assert session.open(source)
    assert session.path is None and session.document is not None
    assert [m.text for m in messages[-1]][:2] == ["Imported hall.lines (Lines):", "became       1 equipment (rows)"]
    kind = session.document.types["lines_box"]
    assert (Path(kind.base_dir) / kind.mesh).read_bytes() == b"GLB bytes"  # waiting in the cache
    with pytest.raises(ValueError, match=r"saved as \.mtplant\.json"):
        session.save(tmp_path / "hall.lines")
    assert source.read_text() == "P1 press 1 2\n"
    saved = session.save(tmp_path / "saved" / "hall.mtplant.json") if (tmp_path / "saved").mkdir() is None else None
    assert saved is not None
    assert (tmp_path / "saved" / "meshes" / "box.glb").read_bytes() == b"GLB bytes"
    reopened = open_plant(saved, builtin_library())
    assert reopened is not None and reopened.document.types["lines_box"].mesh == "meshes/box.glb"


def test_a_mapping_report_round_trips_and_counts():
    mapped = [MappingRow("equipment", 3, "x"), MappingRow("cell", 1)]
    kept = [MappingRow("parameters", 7, "attributes with units")]
    report = MappingReport("a.aml", "AutomationML", mapped, kept, [MappingRow("interfaces", 2, "why")])
    again = MappingReport.from_dict(report.to_dict())
    assert again == report and again.count("equipment") == 3 and again.count("parameters") == 7
    assert report.lines()[-1] == "  skipped      2 interfaces (why)"


def test_a_file_whose_name_no_importer_declares_is_known_by_its_first_bytes(tmp_path):
    from test_format_dxf import write_layout

    from viewer.app.opening import choose_reader
    from viewer.sensors.plugins import is_shipped

    registry = PluginRegistry.discover(allow=is_shipped)
    drawing = write_layout(tmp_path / "hall.dxf")
    renamed = drawing.rename(tmp_path / "hall-layout.export")
    assert choose_reader(renamed, renamed.read_bytes()[:512], registry).name == "dxf"
    opened = open_plant(renamed, builtin_library(), registry=registry)
    assert opened is not None and opened.reader == "dxf" and opened.document.equipment_count() == 5


def test_files_that_belong_together_are_written_all_or_none(tmp_path, monkeypatch):
    import viewer.io.atomic as atomic

    first, second = tmp_path / "plant.gltf", tmp_path / "plant.bin"
    first.write_bytes(b"old gltf")
    real_replace, replaced = os.replace, []

    def fsync_fails_on_the_second(fd):
        if replaced or len(list(tmp_path.glob(".*.tmp"))) >= 2:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", fsync_fails_on_the_second)
    monkeypatch.setattr(atomic.os, "replace", lambda a, b: (replaced.append(b), real_replace(a, b)))
    with pytest.raises(OSError, match="No space left"):
        atomic.atomic_write_files([(first, b"new gltf"), (second, b"new bin")])
    assert replaced == [] and first.read_bytes() == b"old gltf" and not second.exists()
    assert list(tmp_path.glob(".*.tmp")) == []
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: None)
    atomic.atomic_write_files([(first, b"new gltf"), (second, b"new bin")])
    assert first.read_bytes() == b"new gltf" and second.read_bytes() == b"new bin"
