"""Sparkplug B payloads, built from the protobuf descriptor API (no generated code, no .proto file).

Only the Payload and Metric fields this reader uses are declared, with the field numbers and types of the
public Sparkplug B wire format; everything else a sender puts in (data sets, templates, metadata) is kept
by protobuf as unknown fields and ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import DecodeError

from viewer.sensors import PayloadError

F = descriptor_pb2.FieldDescriptorProto
PACKAGE = "mothertwin.sparkplug_b"
MESSAGE_TYPES = frozenset({"NBIRTH", "NDEATH", "DBIRTH", "DDEATH", "NDATA", "DDATA", "NCMD", "DCMD", "STATE"})

# Sparkplug B DataType numbers used below.
INT_TYPES = frozenset(range(1, 9)) | {13}  # Int8..UInt64, DateTime
FLOAT, DOUBLE, BOOLEAN, STRING, TEXT = 9, 10, 11, 12, 14


def _field(message: descriptor_pb2.DescriptorProto, name: str, number: int, kind: int, **extra: Any) -> None:
    message.field.add(name=name, number=number, type=kind, label=extra.pop("label", F.LABEL_OPTIONAL), **extra)


def _build() -> tuple[type, type]:
    file = descriptor_pb2.FileDescriptorProto(name="mothertwin_sparkplug_b.proto", package=PACKAGE, syntax="proto2")
    payload = file.message_type.add(name="Payload")
    metric = payload.nested_type.add(name="Metric")
    _field(metric, "name", 1, F.TYPE_STRING)
    _field(metric, "alias", 2, F.TYPE_UINT64)
    _field(metric, "timestamp", 3, F.TYPE_UINT64)
    _field(metric, "datatype", 4, F.TYPE_UINT32)
    _field(metric, "is_historical", 5, F.TYPE_BOOL)
    _field(metric, "is_transient", 6, F.TYPE_BOOL)
    _field(metric, "is_null", 7, F.TYPE_BOOL)
    metric.oneof_decl.add(name="value")
    for name, number, kind in (
        ("int_value", 10, F.TYPE_UINT32),
        ("long_value", 11, F.TYPE_UINT64),
        ("float_value", 12, F.TYPE_FLOAT),
        ("double_value", 13, F.TYPE_DOUBLE),
        ("boolean_value", 14, F.TYPE_BOOL),
        ("string_value", 15, F.TYPE_STRING),
        ("bytes_value", 16, F.TYPE_BYTES),
    ):
        _field(metric, name, number, kind, oneof_index=0)
    _field(payload, "timestamp", 1, F.TYPE_UINT64)
    _field(payload, "metrics", 2, F.TYPE_MESSAGE, label=F.LABEL_REPEATED, type_name=f".{PACKAGE}.Payload.Metric")
    _field(payload, "seq", 3, F.TYPE_UINT64)
    _field(payload, "uuid", 4, F.TYPE_STRING)
    _field(payload, "body", 5, F.TYPE_BYTES)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    payload_class = message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{PACKAGE}.Payload"))
    return payload_class, payload_class.Metric


Payload, Metric = _build()


@dataclass(frozen=True, slots=True)
class Topic:
    group: str
    message_type: str
    edge_node: str
    device: str  # "" for node-level messages

    @property
    def node_key(self) -> str:
        return f"{self.group}/{self.edge_node}"

    @property
    def device_key(self) -> str:
        return f"{self.node_key}/{self.device}" if self.device else self.node_key


def parse_topic(topic: str) -> Topic:
    """spBv1.0/GROUP/TYPE/EDGE_NODE[/DEVICE]"""
    parts = topic.split("/")
    if len(parts) not in (4, 5) or parts[0] != "spBv1.0" or parts[2] not in MESSAGE_TYPES:
        raise PayloadError(f"topic {topic!r} is not a Sparkplug B topic spBv1.0/GROUP/TYPE/EDGE[/DEVICE]")
    return Topic(parts[1], parts[2], parts[3], parts[4] if len(parts) == 5 else "")


def decode(payload: bytes) -> Any:
    message = Payload()
    try:
        message.ParseFromString(payload)
    except DecodeError as exc:
        raise PayloadError(f"not a Sparkplug B payload: {exc}") from None
    return message


def metric_value(metric: Any) -> float | str | bool | None:
    """The metric's value as a sample value; None when null or of a kind we do not draw (bytes, data sets)."""
    if metric.is_null:
        return None
    which = metric.WhichOneof("value")
    if which in (None, "bytes_value"):
        return None
    value = getattr(metric, which)
    if which == "int_value" and metric.datatype in (1, 2, 3) and value >= 2**31:
        value -= 2**32  # signed types travel as two's complement in the unsigned field
    if which == "long_value" and metric.datatype == 4 and value >= 2**63:
        value -= 2**64
    if isinstance(value, bool | str):
        return value
    return float(value)


def encode(metrics: list[dict[str, Any]], timestamp_ms: int, seq: int | None = None) -> bytes:
    """A payload from dicts with name/alias/datatype/value (for tests and the simulator)."""
    message = Payload(timestamp=timestamp_ms)
    if seq is not None:
        message.seq = seq
    for item in metrics:
        metric = message.metrics.add()
        if "name" in item:
            metric.name = item["name"]
        if "alias" in item:
            metric.alias = item["alias"]
        metric.timestamp = item.get("timestamp", timestamp_ms)
        value = item.get("value")
        datatype = item.get("datatype") or _datatype_of(value)
        metric.datatype = datatype
        if value is None:
            metric.is_null = True
        elif datatype == BOOLEAN:
            metric.boolean_value = bool(value)
        elif datatype in (STRING, TEXT):
            metric.string_value = str(value)
        elif datatype == FLOAT:
            metric.float_value = float(value)
        elif datatype == DOUBLE:
            metric.double_value = float(value)
        elif datatype in (4, 8, 13):
            metric.long_value = int(value) % 2**64
        else:
            metric.int_value = int(value) % 2**32
    return message.SerializeToString()


def _datatype_of(value: object) -> int:
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return 4
    if isinstance(value, str):
        return STRING
    return DOUBLE
