"""One way to open a plant (viewer.app.opening): the file read once, the reader chosen by its format (a
plugin's importer by suffix), progress and cancel, and errors that name the file and the place in it."""

from __future__ import annotations

import builtins
import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from viewer.app.opening import OpenedPlant, ReadRequest, choose_reader, open_plant
from viewer.io import PlantFileError, load_document, save_document
from viewer.model.synthetic import generate_plant
from viewer.sensors.plugins import Contribution, PluginManifest, PluginRegistry

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def count_reads(monkeypatch):
    """How often each file was read, by any of Python's ways of reading one (a read that opens the file
    through another of them counts once)."""
    reads: dict[str, int] = {}
    depth = [0]

    def counted(original, reading):
        def wrapper(*args, **kwargs):
            if depth[0] == 0 and reading(*args, **kwargs):
                name = str(Path(args[0]).resolve())
                reads[name] = reads.get(name, 0) + 1
            depth[0] += 1
            try:
                return original(*args, **kwargs)
            finally:
                depth[0] -= 1

        return wrapper

    def always(*args, **kwargs):
        return True

    def opened_to_read(file, mode="r", *args, **kwargs):
        return isinstance(file, str | Path) and "r" in mode and "+" not in mode

    monkeypatch.setattr(Path, "read_bytes", counted(Path.read_bytes, always))
    monkeypatch.setattr(Path, "read_text", counted(Path.read_text, always))
    monkeypatch.setattr(Path, "open", counted(Path.open, opened_to_read))
    monkeypatch.setattr(builtins, "open", counted(builtins.open, opened_to_read))
    monkeypatch.setattr(io, "open", counted(io.open, opened_to_read))
    return reads


def test_a_plant_json_file_is_read_exactly_once(write_json, minimal_data, library, count_reads):
    path = write_json(minimal_data)
    opened = open_plant(path, library, progress=lambda fraction, stage: None, cancelled=lambda: False)
    assert isinstance(opened, OpenedPlant) and opened.reader == "plant-json"
    assert [p.equipment.id for p in opened.document.iter_equipment()] == ["E1", "E2"]
    assert opened.document.sites[0].id == "S1"
    assert opened.disk is not None and opened.disk.size == path.stat().st_size  # hashed from what was read
    assert count_reads.get(str(path.resolve())) == 1


def test_a_bad_file_is_read_once_and_its_error_names_the_file_and_place(write_json, library, count_reads):
    """The loading thread used to read a file a second time to word its error; the words are the same."""
    from viewer.ui.document.loading import prepare_plant

    path = write_json('{"format": "mothertwin-plant",\n  "version": 1,\n  "sites": [}')
    with pytest.raises(PlantFileError) as in_background:
        prepare_plant(path, library, lambda fraction, stage: None, lambda: False)
    assert count_reads.get(str(path.resolve())) == 1
    with pytest.raises(PlantFileError) as plainly:
        load_document(path, library)
    assert [str(p) for p in in_background.value.problems] == [str(p) for p in plainly.value.problems]
    (problem,) = in_background.value.problems
    assert (problem.file, problem.where) == (str(path), "line 3, column 13")
    assert problem.message.startswith("invalid JSON: Expecting value")


def test_rule_errors_name_the_json_path_as_before(write_json, minimal_data, library):
    minimal_data["sites"][0]["areas"][0]["lines"][0]["cells"][0]["equipment"][1]["type"] = "rol_press"
    path = write_json(minimal_data)
    for progress in (None, lambda fraction, stage: None):
        with pytest.raises(PlantFileError) as error:
            open_plant(path, library, progress=progress)
        (problem,) = error.value.problems
        assert problem.file == str(path)
        assert problem.where == "$.sites[0].areas[0].lines[0].cells[0].equipment[1].type"
        assert "unknown equipment type 'rol_press'" in problem.message and "'roll_press'" in problem.message


def test_a_missing_file_names_it(tmp_path, library):
    path = tmp_path / "gone.mtplant.json"
    with pytest.raises(PlantFileError) as error:
        open_plant(path, library)
    assert [(p.file, p.where) for p in error.value.problems] == [(str(path), "file")]
    assert error.value.problems[0].message.startswith("cannot read: ")


def test_progress_goes_forward_and_cancel_mid_way_gives_nothing(tmp_path, library):
    path = tmp_path / "plant.mtplant.json"
    save_document(generate_plant(library, 300, seed=4), path)
    seen: list[tuple[float, str]] = []
    opened = open_plant(path, library, progress=lambda fraction, stage: seen.append((fraction, stage)))
    assert opened is not None and len(list(opened.document.iter_equipment())) == 300
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 0.55
    assert sum(stage == "Reading" for _, stage in seen) > 20  # the text parsed in steps
    assert seen[-1][1] == "Checking"

    calls = [0]

    def cancelled() -> bool:
        calls[0] += 1
        return calls[0] > 10  # the user pressed Cancel while the text was parsed

    reading: list[float] = []
    assert open_plant(path, library, progress=lambda f, s: reading.append(f), cancelled=cancelled) is None
    assert 0.02 < reading[-1] < 0.55  # it stopped in the middle of reading, not after


def test_a_cancelled_open_leaves_the_open_document(demo_path, tmp_path, library):
    from viewer.ui.document.loading import LoadCancelledError, prepare_plant
    from viewer.ui.document.session import DocumentSession

    session = DocumentSession(library)
    assert session.open(demo_path)
    before = session.document
    other = tmp_path / "other.mtplant.json"
    save_document(generate_plant(library, 50, seed=1), other)
    with pytest.raises(LoadCancelledError):
        prepare_plant(other, library, lambda fraction, stage: None, lambda: True)
    assert session.document is before and session.path == demo_path


def test_the_session_and_the_command_line_open_through_open_plant(demo_path, library, monkeypatch):
    import viewer.app.opening as opening
    from viewer import cli
    from viewer.ui.document.session import DocumentSession

    calls: list[Path] = []
    original = opening.open_plant

    def spy(path, *args, **kwargs):
        calls.append(Path(path))
        return original(path, *args, **kwargs)

    monkeypatch.setattr(opening, "open_plant", spy)
    monkeypatch.setattr("viewer.app.document.open_plant", spy)
    monkeypatch.setattr("viewer.ui.document.loading.open_plant", spy)
    session = DocumentSession(library)
    assert session.open(demo_path) and session.disk_on_open is not None  # hashed from the one read
    assert cli._load(demo_path).sites[0].id == "OC"
    from viewer.ui.document.loading import prepare_plant

    assert prepare_plant(demo_path, library).document.sites[0].id == "OC"
    assert calls == [demo_path] * 3


# ---------------------------------------------------------------- importers from plugins

FAKE_IMPORTER = '''
from viewer.app.opening import ReadResult
from viewer.io import PlantFileError
from viewer.model.site_choice import blank_document

read_from = []


class FakeReader:
    name = "fake"
    suffixes = (".fake",)

    def sniff(self, head):
        return head.startswith(b"FAKE")

    def read(self, request):
        read_from.append((request.path, request.data))
        if not request.data.startswith(b"FAKE"):
            raise PlantFileError.single(request.path, "line 1", "expected FAKE at the start")
        request.progress(0.5, "Importing")
        document = blank_document()
        document.sites[0].name = request.data[5:].decode().strip()
        return ReadResult(document, [])
'''


@pytest.fixture
def fake_plugin(tmp_path, monkeypatch):
    (tmp_path / "fake_importer.py").write_text(textwrap.dedent(FAKE_IMPORTER), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    manifest = PluginManifest(
        "fake-formats", "1.0", (Contribution("importer", "fake", "fake_importer:FakeReader", "Fake", (".fake",)),)
    )
    registry = PluginRegistry(manifests={manifest.name: manifest})
    yield registry
    sys.modules.pop("fake_importer", None)


def test_a_plugins_importer_is_chosen_by_suffix_and_given_the_bytes_read(tmp_path, library, fake_plugin):
    path = tmp_path / "line-7.FAKE"
    path.write_bytes(b"FAKE Ochang copy\n")
    seen: list[str] = []
    assert not fake_plugin.is_loaded("fake-formats")  # nothing imported until a file of its format is opened
    opened = open_plant(path, library, progress=lambda f, stage: seen.append(stage), registry=fake_plugin)
    assert opened is not None and opened.reader == "fake" and fake_plugin.is_loaded("fake-formats")
    assert opened.document.sites[0].name == "Ochang copy"
    assert "Importing" in seen
    assert sys.modules["fake_importer"].read_from == [(path, b"FAKE Ochang copy\n")]

    plant = tmp_path / "plant.mtplant.json"
    plant.write_text(json.dumps({"not": "a plant"}), encoding="utf-8")
    assert choose_reader(plant, b"{", fake_plugin).name == "plant-json"  # other files: the built-in reader
    with pytest.raises(PlantFileError) as error:
        open_plant(plant, library, registry=fake_plugin)
    assert error.value.problems[0].where == "$"


def test_an_importers_problems_name_the_file_and_a_broken_one_is_reported(tmp_path, library, fake_plugin):
    path = tmp_path / "bad.fake"
    path.write_bytes(b"something else")
    with pytest.raises(PlantFileError) as error:
        open_plant(path, library, registry=fake_plugin)
    assert [str(p) for p in error.value.problems] == [f"{path}: line 1: expected FAKE at the start"]

    broken = PluginManifest("broken", "1.0", (Contribution("importer", "dxf", "no_such_module:Reader", "", (".dxf",)),))
    registry = PluginRegistry(manifests={"broken": broken})
    drawing = tmp_path / "hall.dxf"
    drawing.write_bytes(b"0\nSECTION\n")
    with pytest.raises(PlantFileError) as error:
        open_plant(drawing, library, registry=registry)
    (problem,) = error.value.problems
    assert (problem.file, problem.where) == (str(drawing), "file")
    assert "'dxf' importer cannot read it" in problem.message
    assert "broken" in registry.disabled  # the plugin is disabled and reported, the app carries on


def test_the_readers_request_carries_the_file_read_once(tmp_path, library):
    request = ReadRequest(tmp_path / "x.json", b"{}", library, lambda f, s: None, lambda: False)
    assert request.background is False and request.data == b"{}"


def test_the_opening_layer_loads_no_qt_or_vtk():
    code = (
        "import sys, viewer.app.opening;"
        "bad=[m for m in ('PySide6','vtk','vtkmodules','pyvista','pyvistaqt','viewer.ui') if m in sys.modules];"
        "print(bad)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr
