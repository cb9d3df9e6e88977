"""The plant document format: exact round trip, atomic save, and every malformed input with its message."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from viewer.io import PlantFileError, dumps_document, load_document, save_document
from viewer.io.jsonfmt import load_schema

EQ = "$.sites[0].areas[0].lines[0].cells[0].equipment"


def problems_of(path: Path) -> list[str]:
    with pytest.raises(PlantFileError) as caught:
        load_document(path)
    return [str(p) for p in caught.value.problems]


def equipment(data: dict, index: int = 0) -> dict:
    return data["sites"][0]["areas"][0]["lines"][0]["cells"][0]["equipment"][index]


def test_demo_round_trip_is_exact(demo_path, tmp_path):
    first = load_document(demo_path)
    copy = tmp_path / "copy.mtplant.json"
    save_document(first, copy)
    second = load_document(copy)
    assert second == first
    # Byte for byte: the demo on disk is what the app writes, so a save of an unchanged file changes nothing.
    assert copy.read_bytes() == demo_path.read_bytes()


def test_round_trip_keeps_every_field(minimal_data, write_json, tmp_path):
    eq = equipment(minimal_data)
    eq["pose"] = {"x": 1.25, "y": -2.5, "z": 0.1, "yaw": 33.3, "pitch": 1.0, "roll": -2.0}
    eq["scale"] = [1.0, 2.0, 0.5]
    eq["mother_id"] = "OC-X-01"
    eq["parameters"] = [
        {"name": "speed", "value": 60, "unit": "m/min"},
        {"name": "recipe", "value": "NCM811-A", "unit": ""},
        {"name": "enabled", "value": True, "unit": ""},
    ]
    eq["signals"] = [
        {"name": "temp", "unit": "degC", "kind": "analog", "limits": {"lolo": 1, "lo": 2.5, "hi": 3, "hihi": 4}},
        {"name": "state", "unit": "", "kind": "state", "states": ["running", "idle"]},
    ]
    document = load_document(write_json(minimal_data))
    text = dumps_document(document)
    again = tmp_path / "again.json"
    again.write_text(text)
    assert load_document(again) == document
    assert dumps_document(load_document(again)) == text
    saved = json.loads(text)
    assert equipment(saved)["parameters"][2]["value"] is True
    assert equipment(saved)["parameters"][0]["value"] == 60


def test_saved_keys_have_a_stable_order(demo_path):
    text = demo_path.read_text()
    data = json.loads(text)
    assert list(data) == ["format", "version", "enterprise", "sites"]
    assert list(data["sites"][0])[:3] == ["id", "name", "country"]
    assert text.endswith("}\n")
    # Small flat things stay on one line, so a moved machine is a one-line diff.
    assert '"pose": {"x": 4.0, "y": 12.0}' in text


def test_save_is_atomic_and_keeps_the_old_file_when_writing_fails(demo_path, tmp_path, monkeypatch):
    target = tmp_path / "plant.json"
    target.write_text("previous content")
    document = load_document(demo_path)

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space left"):
        save_document(document, target)
    assert target.read_text() == "previous content"
    assert [p.name for p in tmp_path.iterdir()] == ["plant.json"]  # no temporary left behind


def test_truncated_json(demo_path, write_json):
    text = demo_path.read_text()
    path = write_json(text[:2000])
    (message,) = problems_of(path)
    assert message.startswith(f"{path}: line ")
    assert "invalid JSON" in message
    assert message.endswith("(the file ends too early: is it truncated?)")


def test_syntax_error_names_line_and_column(write_json):
    path = write_json('{\n  "format": "mothertwin-plant",\n  "version": 1,,\n}')
    assert problems_of(path) == [
        f"{path}: line 3, column 16: invalid JSON: Expecting property name enclosed in double quotes"
    ]


def test_wrong_types_are_all_listed(minimal_data, write_json):
    equipment(minimal_data)["pose"]["x"] = "5m"
    minimal_data["sites"][0]["name"] = 3
    path = write_json(minimal_data)
    assert problems_of(path) == [
        f"{path}: {EQ}[0].pose.x: expected a number, got the string '5m'",
        f"{path}: $.sites[0].name: expected a string, got the number 3",
    ]


def test_unknown_version_is_refused(minimal_data, write_json):
    minimal_data["version"] = 2
    path = write_json(minimal_data)
    assert problems_of(path) == [
        f"{path}: $.version: unsupported version 2; this MotherTwin reads version 1 "
        "(was the file written by a newer MotherTwin?)"
    ]


def test_not_a_plant_document(write_json):
    path = write_json({"hello": 1})
    assert problems_of(path) == [f"{path}: $: missing key 'format': is this a MotherTwin plant document?"]


def test_duplicate_ids(minimal_data, write_json):
    equipment(minimal_data, 1)["id"] = "E1"
    path = write_json(minimal_data)
    assert problems_of(path) == [f"{path}: {EQ}[1].id: duplicate id 'E1' (first used at {EQ}[0].id)"]


def test_duplicate_ids_across_levels(minimal_data, write_json):
    equipment(minimal_data, 1)["id"] = "L1"  # same id as the line
    path = write_json(minimal_data)
    assert problems_of(path) == [
        f"{path}: {EQ}[1].id: duplicate id 'L1' (first used at $.sites[0].areas[0].lines[0].id)"
    ]


def test_unknown_type_suggests_the_near_name(minimal_data, write_json):
    equipment(minimal_data, 1)["type"] = "roll_pres"
    path = write_json(minimal_data)
    assert problems_of(path) == [
        f"{path}: {EQ}[1].type: unknown equipment type 'roll_pres': not in the document's types nor the "
        "equipment library; did you mean 'roll_press'?"
    ]


def test_nan_and_infinity_in_a_pose(demo_path, minimal_data, write_json):
    text = json.dumps(minimal_data, indent=2).replace('"x": 5', '"x": NaN').replace('"y": 5', '"y": -Infinity', 1)
    path = write_json(text)
    assert problems_of(path) == [
        f"{path}: {EQ}[0].pose.x: expected a finite number, got NaN",
        f"{path}: {EQ}[0].pose.y: expected a finite number, got -Infinity",
    ]


@pytest.mark.parametrize("scale", [[1, 0, 1], [1, 1, -2]])
def test_zero_or_negative_scale(minimal_data, write_json, scale):
    equipment(minimal_data)["scale"] = scale
    path = write_json(minimal_data)
    axis = scale.index(min(scale))
    assert problems_of(path) == [
        f"{path}: {EQ}[0].scale[{axis}]: expected a number greater than 0, got the number {min(scale)}"
    ]


def test_unexpected_and_missing_keys(minimal_data, write_json):
    equipment(minimal_data)["colour"] = "red"
    del equipment(minimal_data, 1)["name"]
    path = write_json(minimal_data)
    assert problems_of(path) == [
        f"{path}: {EQ}[0].colour: unexpected key 'colour'; expected one of: id, mother_id, name, parameters, pose, "
        "scale, signals, type",
        f"{path}: {EQ}[1]: missing required key 'name'",
    ]


def test_limits_out_of_order_and_bad_signal_kind(minimal_data, write_json):
    equipment(minimal_data)["signals"] = [{"name": "t", "kind": "analog", "limits": {"lo": 5, "hi": 1}}]
    path = write_json(minimal_data)
    assert problems_of(path) == [f"{path}: {EQ}[0].signals[0].limits: expected lo <= hi, got lo=5 and hi=1"]
    equipment(minimal_data)["signals"] = [{"name": "t", "kind": "analogue"}]
    path = write_json(minimal_data)
    assert problems_of(path) == [
        f"{path}: {EQ}[0].signals[0].kind: expected one of 'analog', 'state', 'counter', got the string 'analogue'"
    ]


def test_missing_file(tmp_path):
    path = tmp_path / "nope.json"
    assert problems_of(path) == [f"{path}: file: cannot read: No such file or directory"]


def test_schema_file_is_shipped_and_describes_the_demo(demo_path):
    import jsonschema

    schema = load_schema("plant.schema.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(demo_path.read_text()), schema)
