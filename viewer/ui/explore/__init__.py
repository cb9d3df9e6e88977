"""Finding one's way round the plant: the plant tree and its filter, the inspector, saved viewpoints, the
equipment library and the toolbar's site chooser."""

# What the other parts of the window may use of this one (tests/test_architecture.py checks it).
from viewer.ui.explore.inspector import InspectorDock, LiveValue
from viewer.ui.explore.inspector_rows import selection_sections, with_unit
from viewer.ui.explore.library_dock import LibraryDock
from viewer.ui.explore.plant_tree import PlantTreeDock, PlantTreeModel
from viewer.ui.explore.site_box import SiteBox
from viewer.ui.explore.viewpoints_dock import ViewpointsDock

__all__ = [
    "InspectorDock",
    "LibraryDock",
    "LiveValue",
    "PlantTreeDock",
    "PlantTreeModel",
    "SiteBox",
    "ViewpointsDock",
    "selection_sections",
    "with_unit",
]
