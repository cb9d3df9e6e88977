"""The deviation register's change control without a window: who and when come from the login and the clock,
the requester cannot decide their own request, every status change is kept, and the file keeps it exactly."""

from __future__ import annotations

import copy
import getpass
import json

import pytest

from viewer.io import PlantFileError, dumps_document, load_document, save_document
from viewer.model import Deviation, DeviationChange, DeviationStatus, deviations
from viewer.model.deviations import AddDeviation, DecideDeviation, current_user
from viewer.model.edit import EditError
from viewer.model.undo import UndoStack

APPROVED, REJECTED, PROPOSED = DeviationStatus.APPROVED, DeviationStatus.REJECTED, DeviationStatus.PROPOSED


@pytest.fixture
def clock(monkeypatch):
    moments = iter(f"2026-12-07T0{n}:00:00Z" for n in range(1, 10))
    monkeypatch.setattr(deviations, "utc_now", lambda: next(moments))


@pytest.fixture
def register(minimal_data, write_json, clock, monkeypatch):
    """A document with one deviation DEV-001 proposed by jpark at 01:00 UTC, on an undo stack."""
    document = load_document(write_json(minimal_data))
    stack = UndoStack(document)
    monkeypatch.setenv("MOTHERTWIN_USER", "jpark")
    # A name typed into the record does not count: the logged-in user asks.
    stack.push(AddDeviation(Deviation("DEV-001", "E1", "pose", "x 5.00", "x 6.00", "Wider aisle", "Someone else")))
    return document, stack


def as_user(monkeypatch, name: str) -> None:
    monkeypatch.setenv("MOTHERTWIN_USER", name)


def test_proposal_is_stamped_with_the_logged_in_user_and_the_clock(register):
    document, _ = register
    (deviation,) = document.deviations
    assert (deviation.requested_by, deviation.requested_at, deviation.status) == ("jpark", "2026-12-07T01:00:00Z",
                                                                                  PROPOSED)  # fmt: skip
    assert deviation.history == [DeviationChange(PROPOSED, "jpark", "2026-12-07T01:00:00Z")]


@pytest.mark.parametrize("status", [APPROVED, REJECTED])
@pytest.mark.parametrize("login", ["jpark", "JPark"])
def test_the_requester_cannot_decide_their_own_request(register, monkeypatch, status, login):
    document, stack = register
    before = copy.deepcopy(document)
    as_user(monkeypatch, login)
    with pytest.raises(EditError, match=r"DEV-001 was requested by jpark: someone else must approve or reject it"):
        stack.push(DecideDeviation("DEV-001", status))
    assert document == before and stack.texts() == ["Record deviation"]


def test_approval_and_a_later_rejection_are_kept_one_undo_step_each(register, monkeypatch):
    document, stack = register
    proposed = copy.deepcopy(document)
    as_user(monkeypatch, "klee")
    stack.push(DecideDeviation("DEV-001", APPROVED, "ECN-7 covers it"))
    (d,) = document.deviations
    assert (d.status, d.approved_by, d.approved_at) == (APPROVED, "klee", "2026-12-07T02:00:00Z")
    approved = copy.deepcopy(document)
    with pytest.raises(EditError, match=r"DEV-001 is already approved by klee at 2026-12-07T02:00:00Z"):
        stack.push(DecideDeviation("DEV-001", APPROVED))
    as_user(monkeypatch, "shin")
    stack.push(DecideDeviation("DEV-001", REJECTED, "the mother line changes instead"))
    (d,) = document.deviations
    assert (d.status, d.approved_by, d.approved_at) == (REJECTED, "", "")  # the approval is withdrawn...
    assert [(c.status, c.by, c.at, c.note) for c in d.history] == [  # ...and kept in the trail
        (PROPOSED, "jpark", "2026-12-07T01:00:00Z", ""),
        (APPROVED, "klee", "2026-12-07T02:00:00Z", "ECN-7 covers it"),
        (REJECTED, "shin", "2026-12-07T04:00:00Z", "the mother line changes instead"),  # 03:00 went to the refused one
    ]
    rejected = copy.deepcopy(document)
    assert stack.texts() == ["Record deviation", "Approve deviation DEV-001", "Reject deviation DEV-001"]
    stack.undo()
    assert document == approved
    stack.undo()
    assert document == proposed
    stack.redo()
    stack.redo()
    assert document == rejected  # the same who and when as first time, not the clock of the redo


def test_history_round_trips_byte_exact_and_loads_as_it_was(register, monkeypatch, tmp_path):
    document, stack = register
    as_user(monkeypatch, "klee")
    stack.push(DecideDeviation("DEV-001", APPROVED, "ECN-7 covers it"))
    path = tmp_path / "child.mtplant.json"
    save_document(document, path)
    text = path.read_text(encoding="utf-8")
    loaded = load_document(path)
    assert loaded == document and dumps_document(loaded) == text
    saved = json.loads(text)["deviations"][0]
    assert list(saved) == ["id", "equipment_id", "field", "mother_value", "child_value", "reason", "requested_by",
                           "requested_at", "approved_by", "approved_at", "status", "history"]  # fmt: skip
    assert saved["history"][1] == {"status": "approved", "by": "klee", "at": "2026-12-07T02:00:00Z",
                                   "note": "ECN-7 covers it"}  # fmt: skip
    assert '    {"status": "proposed", "by": "jpark", "at": "2026-12-07T01:00:00Z", "note": ""}' in text  # one line


def test_a_document_from_before_the_history_still_loads(minimal_data, write_json, tmp_path):
    old = {"id": "DEV-001", "equipment_id": "E1", "field": "pose", "mother_value": "x 5.00", "child_value": "x 6.00",
           "reason": "Wider aisle", "requested_by": "J. Park", "approved_by": "K. Lee", "date": "2026-11-25",
           "status": "approved"}  # fmt: skip
    proposed = {**old, "id": "DEV-002", "approved_by": "", "date": "2026-11-20", "status": "proposed"}
    minimal_data["deviations"] = [old, proposed]
    first, second = load_document(write_json(minimal_data)).deviations
    assert (first.approved_by, first.approved_at, first.requested_at, first.history) == ("K. Lee", "2026-11-25", "",
                                                                                         [])  # fmt: skip
    assert (second.requested_at, second.approved_at) == ("2026-11-20", "")
    again = tmp_path / "again.mtplant.json"
    save_document(load_document(write_json(minimal_data)), again)
    assert load_document(again).deviations == [first, second]


def test_bad_register_entries_are_named_with_their_place(minimal_data, write_json):
    change = {"status": "proposed", "by": "jpark", "at": "2026-12-07T01:00:00Z"}
    base = {"id": "DEV-001", "equipment_id": "E1", "field": "pose", "mother_value": "a", "child_value": "b",
            "reason": "r", "requested_by": "jpark", "status": "approved", "history": [change]}  # fmt: skip
    minimal_data["deviations"] = [
        base,
        {**base, "approved_at": "yesterday", "history": [change, {**change, "status": "approved", "at": "09:00"}]},
        {**base, "id": "DEV-003", "history": [{"status": "proposed", "at": "2026-12-07T01:00:00Z"}]},
    ]
    with pytest.raises(PlantFileError) as caught:
        load_document(write_json(minimal_data))
    assert [(p.where, p.message) for p in caught.value.problems] == [
        ("$.deviations[2].history[0]", "missing required key 'by'"),
    ]
    minimal_data["deviations"][2]["history"][0]["by"] = "jpark"
    with pytest.raises(PlantFileError) as caught:
        load_document(write_json(minimal_data))
    assert [(p.where, p.message) for p in caught.value.problems] == [
        ("$.deviations[0].status", "expected 'proposed', the status its last change in history[0] gave it, "
                                   "got 'approved'"),
        ("$.deviations[1].id", "duplicate deviation id 'DEV-001' (first used at $.deviations[0].id)"),
        ("$.deviations[1].approved_at", "expected a UTC time in ISO 8601 such as 2026-12-06T19:44:21Z, or empty, "
                                        "got the string 'yesterday'"),
        ("$.deviations[1].history[1].at", "expected a UTC time in ISO 8601 such as 2026-12-06T19:44:21Z, "
                                          "got the string '09:00'"),
        ("$.deviations[2].status", "expected 'proposed', the status its last change in history[0] gave it, "
                                   "got 'approved'"),
    ]  # fmt: skip


def test_the_logged_in_user_comes_from_the_system_unless_set(monkeypatch):
    monkeypatch.setenv("MOTHERTWIN_USER", "  klee ")
    assert current_user() == "klee"
    monkeypatch.delenv("MOTHERTWIN_USER")
    monkeypatch.setattr(getpass, "getuser", lambda: "operator7")
    assert current_user() == "operator7"

    def no_login() -> str:
        raise OSError("No username set in the environment")

    monkeypatch.setattr(getpass, "getuser", no_login)
    with pytest.raises(EditError, match="cannot tell who is logged in: set MOTHERTWIN_USER to your user name"):
        AddDeviation(Deviation("DEV-001", "E1", "pose", "a", "b", "r"))
