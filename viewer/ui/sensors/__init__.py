"""Live and replayed sensor state in the window: sources, bindings, colours and alarms on the 3D view, the
timeline and its toolbar, the Sensors menu and the Sources, Bindings, Alarms and Trend docks."""
