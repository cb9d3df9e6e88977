"""Live and replayed sensor state in the window: sources, bindings, colours and alarms on the 3D view, the
timeline and its toolbar, the Sensors menu and the Sources, Bindings, Alarms and Trend docks."""

# What the other parts of the window may use of this one (tests/test_architecture.py checks it).
from viewer.ui.sensors.sensor_ui import install_sensor_ui
from viewer.ui.sensors.timeline import Mode

__all__ = ["Mode", "install_sensor_ui"]
