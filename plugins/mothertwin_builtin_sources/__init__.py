"""The sensor sources that ship with MotherTwin, as a plugin like any third party's.

Importing this package is cheap: it only declares the manifest. Each source module (and its network
library) is imported when a source of that kind is first used.
"""

from viewer.sensors.plugins import Contribution, PluginManifest

manifest = PluginManifest(
    name="mothertwin-builtin-sources",
    version="0.1.0",
    contributions=(
        Contribution(
            "source",
            "mqtt",
            "mothertwin_builtin_sources.mqtt:MqttSource",
            "MQTT (JSON, Sparkplug B)",
            handles=("mqtt", "mqtts"),
        ),
        Contribution("source", "opcua", "mothertwin_builtin_sources.opcua:OpcUaSource", "OPC UA", handles=("opc.tcp",)),
        Contribution(
            "source",
            "recording",
            "mothertwin_builtin_sources.replay:RecordingSource",
            "Recording (Parquet, CSV)",
            handles=(".parquet", ".pq", ".csv"),
        ),
        Contribution("source", "simulator", "mothertwin_builtin_sources.replay:SimulatorSource", "Built-in simulator"),
    ),
)
