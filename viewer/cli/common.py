"""What the commands share: exit statuses, the plant file argument, loading, argument types, problem lists."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from viewer.io import PlantFileError, builtin_library
from viewer.model import EquipmentLibrary, PlantDocument

if TYPE_CHECKING:
    from viewer.sensors.plugins import PluginRegistry

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
DEMO = "demo"  # stands for the built-in demo plant wherever a command takes a plant file
PLANT_HELP = "plant document, or demo for the built-in demo plant"


def plant_path(text: str) -> Path:
    """A plant file argument: `demo` is the built-in demo plant, unless a file of that name is here (a real
    file a user points at wins over a shortcut, as a path always does; a note says so). A folder named demo
    is no plant file: the shortcut stands."""
    from viewer.paths import demo_plant_path

    path = Path(text)
    if text != DEMO:
        return path
    if path.is_file():
        print(f"mothertwin: {DEMO!r} is the file {path.resolve()} here, not the built-in demo plant", file=sys.stderr)
        return path
    return demo_plant_path()


def plant_library(document: PlantDocument) -> EquipmentLibrary:
    """The built-in library with the document's own types (imported vendor meshes) over it."""
    return builtin_library().merged(document.types)


def print_problems(error: PlantFileError) -> None:
    """Every problem of a file that could not be read (file, JSON path, what was expected), then a count."""
    for problem in error.problems:
        print(problem, file=sys.stderr)
    count = len(error.problems)
    print(f"{count} problem{'s' if count != 1 else ''} found", file=sys.stderr)


def size_type(text: str) -> tuple[int, int]:
    """A picture size argument, WIDTHxHEIGHT."""
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 1600x900, got {text!r}") from None
    if not (16 <= width <= 16384 and 16 <= height <= 16384):
        raise argparse.ArgumentTypeError(f"size {text!r} out of range: 16 to 16384 pixels each way")
    return width, height


def shipped_plugins() -> PluginRegistry:
    """The plugins that ship with MotherTwin (its sources and file formats); the command line runs no other
    package's code (the window enables those in Tools > Plugins)."""
    from viewer.sensors.plugins import PluginRegistry, is_shipped

    return PluginRegistry.discover(allow=is_shipped)


def load_plant(path: Path) -> PlantDocument:
    """The plant of a command's file argument, opened as the window opens it (another format through its
    importer plugin). Raises PlantFileError."""
    from viewer.app.opening import open_plant

    registry = None if path.name.lower().endswith(".json") else shipped_plugins()
    opened = open_plant(path, builtin_library(), registry=registry)
    assert opened is not None  # only a cancel gives none
    return opened.document
