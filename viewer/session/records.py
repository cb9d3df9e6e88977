"""The retained records of a session read from message bodies: presence, the leader record and its rule, the
document info; and a roster row as the window shows it.

Who leads: `start` makes the starter leader at epoch 1. The leader record (retained, under the publisher's own
topic) names the leader and the epoch; a participant who knows the leader takes a new epoch only from that
leader (grant, hand back), one who joins late takes the highest retained epoch. The broker's ACL makes sure a
topic's user is who sent it, so a record cannot claim another sender.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from viewer.session.messages import DropError, DropReason, check_username


@dataclass(frozen=True, slots=True)
class RosterEntry:
    username: str
    name: str
    site: str
    leader: bool
    last_seen: str  # UTC ISO 8601 of the last message from them
    following: bool = True  # as their presence last said: mirroring the leader, or looking around


@dataclass(slots=True)
class Member:
    name: str
    site: str
    last_seen: str
    following: bool = True


@dataclass(frozen=True, slots=True)
class LeaderRecord:
    leader: str
    epoch: int

    def to_body(self) -> dict[str, Any]:
        return {"leader": self.leader, "epoch": self.epoch}


def leader_record_from_body(sender: str, body: dict[str, Any]) -> LeaderRecord:
    leader, epoch = body.get("leader"), body.get("epoch")
    if not isinstance(leader, str) or isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 1:
        raise DropError(DropReason.BAD_BODY, f"leader record of {sender}: expected 'leader' and an 'epoch' >= 1")
    try:
        return LeaderRecord(check_username(leader), epoch)
    except ValueError as exc:
        raise DropError(DropReason.BAD_BODY, f"leader record of {sender}: {exc}") from None


def takes_leader_record(current: LeaderRecord | None, sender: str, record: LeaderRecord) -> bool:
    """Whether a participant that knows `current` (None: not yet, a late joiner) moves to `record`: only to a
    newer epoch, and then only from the current leader (a grant or a hand back); a late joiner takes the newest
    retained record. False for an old record (still retained, or a repeat); DropError for a usurper."""
    if current is not None and record.epoch <= current.epoch:
        return False
    if current is not None and current.leader and sender != current.leader:
        detail = f"{sender} named {record.leader} leader at epoch {record.epoch}; {current.leader} leads"
        raise DropError(DropReason.NOT_LEADER, detail)
    return True


def presence_from_body(sender: str, body: dict[str, Any]) -> tuple[str, str, bool]:
    """(name, site, following) of a presence message; the name defaults to the login, following to yes."""
    name, site = body.get("name", ""), body.get("site", "")
    if not isinstance(name, str) or not isinstance(site, str):
        raise DropError(DropReason.BAD_BODY, f"presence of {sender}: expected 'name' and 'site' text")
    return name or sender, site, body.get("following", True) is not False


def info_from_body(sender: str, body: dict[str, Any]) -> dict[str, str]:
    """The document info: owner (who started the session), document_hash, document_name."""
    info = {key: body.get(key, "") for key in ("owner", "document_hash", "document_name")}
    if not all(isinstance(value, str) for value in info.values()):
        raise DropError(DropReason.BAD_BODY, f"info of {sender}: expected 'owner', 'document_hash', 'document_name'")
    return {key: str(value) for key, value in info.items()}
