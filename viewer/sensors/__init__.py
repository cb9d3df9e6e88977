"""Live and replayed sensor state: samples, the state store, sources, bindings and visual rules.

This is the public API that plugins (and the built-in sources in `plugins/`) are written against. No Qt,
no VTK: everything here runs headless.
"""

from viewer.sensors.bindings import DEFAULT_TEMPLATE, BindingReport, Bindings, SignalBinding, TemplateError
from viewer.sensors.config import (
    BrokerAddress,
    SensorSettings,
    SettingsError,
    SourceSettings,
    check_tls_ca,
    parse_mqtt_url,
)
from viewer.sensors.payloads import DecodedColumns, PayloadError, decode_json, decode_json_columns, encode_json_batches
from viewer.sensors.plugins import Contribution, PluginError, PluginManifest, PluginRegistry
from viewer.sensors.recording import Columns, Recording, RecordingError, parse_time
from viewer.sensors.recording_read import NoTimeColumnError, ReadOptions
from viewer.sensors.rules import Alarm, AlarmLevel, EquipmentColors, alarm_level, equipment_colors
from viewer.sensors.samples import BAD_CODE, BOOLEAN, NUMBER, TEXT, Quality, Sample, SampleBuffer, TagState, Value
from viewer.sensors.simulator import Simulator
from viewer.sensors.source import Backoff, Source, SourceCounters, SourceStatus

__all__ = [
    "BAD_CODE",
    "BOOLEAN",
    "DEFAULT_TEMPLATE",
    "NUMBER",
    "TEXT",
    "Alarm",
    "AlarmLevel",
    "Backoff",
    "BindingReport",
    "Bindings",
    "BrokerAddress",
    "Columns",
    "Contribution",
    "DecodedColumns",
    "EquipmentColors",
    "NoTimeColumnError",
    "PayloadError",
    "PluginError",
    "PluginManifest",
    "PluginRegistry",
    "Quality",
    "ReadOptions",
    "Recording",
    "RecordingError",
    "Sample",
    "SampleBuffer",
    "SensorSettings",
    "SettingsError",
    "SignalBinding",
    "Simulator",
    "Source",
    "SourceCounters",
    "SourceSettings",
    "SourceStatus",
    "TagState",
    "TemplateError",
    "Value",
    "alarm_level",
    "check_tls_ca",
    "decode_json",
    "decode_json_columns",
    "encode_json_batches",
    "equipment_colors",
    "parse_mqtt_url",
    "parse_time",
]
