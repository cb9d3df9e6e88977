"""MotherTwin: 3D digital twin of production plants, mother line and child sites."""

__version__ = "0.1.0"
