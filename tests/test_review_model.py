"""Review topics in the plant document: JSON round trip, schema errors with places, undoable edits."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from viewer.app.review_view import apply_viewpoint, viewpoint_from_view
from viewer.app.view_state import ViewState
from viewer.io import PlantFileError, load_document, save_document
from viewer.model.review import (
    Comment,
    MarkupKind,
    MarkupShape,
    Measurement,
    Priority,
    ReviewViewpoint,
    TopicStatus,
    TopicType,
    new_guid,
    new_topic,
    now_iso,
    snapshot_key,
)
from viewer.model.review_edit import PutTopics, RemoveTopics, ReviewError
from viewer.model.undo import UndoStack
from viewer.model.views import CameraState


def _png(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 18), color).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def plant(demo_path: Path):
    return load_document(demo_path)


def _topic(plant, title: str = "Coater too close to the wall"):
    first = next(plant.iter_equipment()).equipment
    png = _png((200, 30, 30))
    camera = CameraState((10.0, -20.0, 15.0), (1.0, 2.0, 0.5), (0.0, 0.0, 1.0), False, 1.0, 30.0)
    viewpoint = ReviewViewpoint(
        guid=new_guid(),
        camera=camera,
        site=plant.sites[0].id,
        selection=(first.id,),
        hidden=("zz-hidden",),
        xray=True,
        clip_box=((0.0, 0.0, 0.0), (5.0, 6.0, 3.0)),
        color_by="state",
        replay_time="2026-03-01T08:00:00+09:00",
        markup=(
            MarkupShape(MarkupKind.ARROW, ((0.1, 0.2), (0.4, 0.5)), (255, 0, 0), 5.0),
            MarkupShape(MarkupKind.TEXT, ((0.5, 0.5),), (0, 0, 255), 3.0, "too close"),
        ),
    )
    topic = new_topic(
        plant.review,
        title,
        "kim",
        equipment=(first.id,),
        pin=(1.0, 2.0, 3.0),
        site=plant.sites[0].id,
        viewpoint=viewpoint,
        type=TopicType.QUESTION,
        priority=Priority.HIGH,
        labels=("layout", "safety"),
        assignee="lee",
        due_date="2026-12-20",
        measurement=Measurement((0.0, 0.0, 0.0), (3.0, 4.0, 0.0)),
    )
    topic = replace(topic, viewpoints=(replace(viewpoint, snapshot=snapshot_key(png)),))
    return topic, {snapshot_key(png): png}


def test_topics_round_trip_through_the_plant_file(plant, tmp_path: Path) -> None:
    topic, snapshots = _topic(plant)
    topic = topic.with_comment(Comment(new_guid(), "park", now_iso(), "Move it 40 cm east", topic.viewpoints[0].guid))
    stack = UndoStack(plant)
    stack.push(PutTopics([topic], snapshots))
    out = tmp_path / "p.mtplant.json"
    save_document(plant, out)
    again = load_document(out)
    assert again.review.topics == [topic]
    assert again.review.snapshots == snapshots
    assert topic.measurement is not None and topic.measurement.distance == pytest.approx(5.0)
    # stable: a second save writes the same bytes
    out2 = tmp_path / "q.mtplant.json"
    save_document(again, out2)
    assert out.read_bytes() == out2.read_bytes()
    data = json.loads(out.read_text())
    assert list(data["review"]["topics"][0])[:3] == ["guid", "number", "title"]


def test_a_changed_snapshot_is_named_with_its_place(plant, tmp_path: Path) -> None:
    topic, snapshots = _topic(plant)
    plant.review.topics.append(topic)
    plant.review.snapshots.update(snapshots)
    out = tmp_path / "p.mtplant.json"
    save_document(plant, out)
    data = json.loads(out.read_text())
    key = next(iter(data["review"]["snapshots"]))
    data["review"]["snapshots"][key] = base64.b64encode(_png((0, 0, 0))).decode()
    data["review"]["topics"][0]["status"] = "finished"
    out.write_text(json.dumps(data))
    with pytest.raises(PlantFileError) as caught:
        load_document(out)
    text = str(caught.value)
    assert "$.review.topics[0].status" in text or "review.topics[0].status" in text
    assert "finished" in text


def test_put_and_remove_topics_undo_exactly(plant) -> None:
    topic, snapshots = _topic(plant)
    stack = UndoStack(plant)
    stack.push(PutTopics([topic], snapshots))
    assert plant.review.topic(topic.guid) == topic and plant.review.next_number() == 2
    closed = replace(topic, status=TopicStatus.CLOSED)
    stack.push(PutTopics([closed]))
    assert plant.review.topics == [closed]
    stack.undo()
    assert plant.review.topics == [topic]
    stack.push(RemoveTopics([topic.guid]))
    assert plant.review.topics == []
    stack.undo()
    stack.undo()
    assert plant.review.topics == [] and plant.review.snapshots == {}
    with pytest.raises(ReviewError, match="no review topic"):
        RemoveTopics(["nope"]).redo(plant)


def test_a_topic_whose_equipment_is_gone_keeps_its_pin_and_says_so(plant) -> None:
    topic, _ = _topic(plant)
    ids = {p.equipment.id for p in plant.iter_equipment()}
    assert topic.missing_equipment(ids) == []
    gone = topic.equipment[0]
    assert topic.missing_equipment(ids - {gone}) == [gone]
    assert topic.pin == (1.0, 2.0, 3.0)


def test_view_state_to_viewpoint_and_back() -> None:
    state = ViewState()
    state.set_active_site("S1")
    state.select(["A", "B"])
    state.hide(["C"])
    state.set_xray(True)
    camera = CameraState((1.0, 2.0, 3.0), (0.0, 0.0, 0.0))
    state.set_camera(camera)
    viewpoint = viewpoint_from_view(state, clip_box=((0, 0, 0), (1, 1, 1)), color_by="state")
    other = ViewState()
    extras = apply_viewpoint(other, viewpoint, known_ids={"A", "C"})
    assert other.active_site == "S1" and other.selection == ("A",) and other.hidden == {"C"}
    assert other.xray and other.camera == camera
    assert extras.clip_box == ((0, 0, 0), (1, 1, 1)) and extras.color_by == "state"
