"""One way to open a plant: `open_plant` reads the file once, hands its bytes to the reader of its format and
gives back one opened plant (the document, the file as read, the problems a reader noted).

The readers: MotherTwin's plant JSON, built in, and the `importer` contributions of plugins (the plugin API,
viewer.sensors.plugins), chosen by the file suffixes their manifest declares, so a plugin is imported only
when a file of its format is opened. The window's loading thread, File > Open and the command line all come
here; the window adds its own drawing preparation (viewer.ui.document.loading) to what this returns.

With a progress or a cancel (a background open), the JSON text is parsed with json's pure-Python scanner:
the C scanner holds the interpreter lock for the whole file (a quarter of a second for 10,000 equipment), and
the window's thread would wait for it; the Python one lets go every few milliseconds and reports progress and
checks for a cancel as it goes. Without them (the command line, a plain open) the C scanner is used. While a
plant is read in the background (`loading_begins` / `loading_ends`), the cyclic garbage collector is paused and
the objects it made are then frozen (`gc.freeze`): a full collection over a freshly loaded 10,000-equipment
plant holds the lock for over half a second, and those objects live as long as the document anyway (plain
reference counting still frees them when it closes). Threads also hand the interpreter lock over more often.
"""

from __future__ import annotations

import contextlib
import gc
import json
import json.decoder
import json.scanner
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from viewer.io import PlantFileError, Problem, builtin_library
from viewer.io.jsonfmt import json_from_bytes
from viewer.io.plant_json import document_from_data
from viewer.io.recovery import DiskState
from viewer.model import EquipmentLibrary, PlantDocument

if TYPE_CHECKING:  # the plugin API comes with viewer.sensors (a quarter of a second): only when plugins are asked
    from viewer.sensors.plugins import PluginRegistry

Progress = Callable[[float, str], None]  # fraction done 0..1, what is being done
Cancelled = Callable[[], bool]  # True once the user cancelled
IMPORTER_KIND = "importer"  # the plugin contribution kind of a reader


class OpenCancelledError(Exception):
    """The user cancelled; nothing of the half-read plant is kept."""


@dataclass(frozen=True, slots=True)
class ReadRequest:
    """What a reader is given: the file (for its name and folder, which relative mesh paths start from) and its
    content, read once by open_plant; a reader never reads the file again."""

    path: Path
    data: bytes
    library: EquipmentLibrary  # the built-in types a document's equipment may use
    progress: Progress
    cancelled: Cancelled
    background: bool = False  # opened by a loading thread: let go of the interpreter lock while parsing
    # What the user chose for this import (`--layer-map`, a default height...), by the keys the reader's
    # `import_options` offered; the reader's defaults for the rest.
    options: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MappingRow:
    """One line of a mapping report: `count` things of the file became (or were kept as, or were skipped
    as) `what`, from `source` (the file's own term) or for the reason given."""

    what: str
    count: int
    source: str = ""


@dataclass
class MappingReport:
    """What an import made of a file: which of its elements became site, area, line, cell and equipment, what
    was kept as parameters, types and links, and what was skipped and why. Printed by `mothertwin import` and
    listed in the window's Messages."""

    file: str
    format: str  # "AutomationML (CAEX 3.0)", "IFC2X3", "DXF (AutoCAD 2018)"
    mapped: list[MappingRow] = field(default_factory=list)  # site, area, line, cell, equipment, building
    kept: list[MappingRow] = field(default_factory=list)  # parameters, types, links, meshes
    skipped: list[MappingRow] = field(default_factory=list)  # `source` says why

    def count(self, what: str) -> int:
        return sum(r.count for r in self.mapped + self.kept if r.what == what)

    def lines(self) -> list[str]:
        out = [f"Imported {Path(self.file).name} ({self.format}):"]
        for title, rows in (("became", self.mapped), ("kept", self.kept), ("skipped", self.skipped)):
            for row in rows:
                tail = f" ({row.source})" if row.source else ""
                out.append(f"  {title:<7} {row.count:>6} {row.what}{tail}")
        return out

    def to_dict(self) -> dict[str, Any]:
        rows = {k: [[r.what, r.count, r.source] for r in getattr(self, k)] for k in ("mapped", "kept", "skipped")}
        return {"file": self.file, "format": self.format} | rows

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MappingReport:
        rows = {k: [MappingRow(str(w), int(c), str(s)) for w, c, s in data.get(k, [])]
                for k in ("mapped", "kept", "skipped")}  # fmt: skip
        return cls(str(data.get("file", "")), str(data.get("format", "")), **rows)


@dataclass
class ReadResult:
    """A reader's document and what it noted on the way without failing (a mapping it guessed, a skipped
    entity); a file it cannot use raises PlantFileError instead, every problem named.

    `report`: an importer's mapping report. `assets`: files the reader made that the document refers to (a
    mesh made from an IFC element's geometry), by their path relative to the document's folder
    ("meshes/ifc-wall.glb"): whoever saves the document writes them beside it."""

    document: PlantDocument
    problems: list[Problem] = field(default_factory=list)
    report: MappingReport | None = None
    assets: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ImportOption:
    """A choice an importer offers before it reads a file (File > Import's form, `--option KEY=VALUE`): a
    layer of a DXF drawing as a line or a cell, a block's default height."""

    key: str
    title: str
    default: str
    choices: tuple[str, ...] = ()  # empty: free text (a number where `numeric`)
    numeric: bool = False


@runtime_checkable
class Reader(Protocol):
    """A file format MotherTwin opens as a plant. `suffixes` choose it by name (".aml", ".ifc"); `sniff` by the
    first bytes when no suffix matches.

    Optional, looked up with getattr: `isolated = True` runs the reader in a process of its own (a reader
    built on a native library that may crash on a bad file: the crash is then a message, not a lost window);
    `import_options(path, head) -> list[ImportOption]` offers choices before the read (`head`: the file's
    first megabyte)."""

    name: str
    suffixes: tuple[str, ...]

    def sniff(self, head: bytes) -> bool: ...
    def read(self, request: ReadRequest) -> ReadResult: ...


@dataclass
class OpenedPlant:
    """A plant read from a file, ready to become the open document."""

    path: Path
    document: PlantDocument
    disk: DiskState | None  # the file as read (hashed here, not on the window's thread)
    reader: str  # the name of the reader that read it
    problems: list[Problem] = field(default_factory=list)
    report: MappingReport | None = None  # an importer's: what became what
    assets: dict[str, bytes] = field(default_factory=dict)  # files the document refers to, to write beside it

    @property
    def imported(self) -> bool:
        """Read by an importer from another format: saving must not write over the file it came from."""
        return self.reader != PlantJsonReader.name


# ---------------------------------------------------------------- the plant JSON reader


def _parse_in_steps(text: str, progress: Progress, cancelled: Cancelled, start: float, end: float) -> Any:
    decoder = json.JSONDecoder()
    length = max(1, len(text))
    step = length // 100 + 1
    seen = [0]

    def parse_object(s_and_end: tuple[str, int], *args: Any, **kwargs: Any) -> Any:
        position = s_and_end[1]
        if position - seen[0] >= step:
            seen[0] = position
            if cancelled():
                raise OpenCancelledError
            progress(start + (end - start) * position / length, "Reading")
        return json_object(s_and_end, *args, **kwargs)

    # json's own pieces, not in its typed interface: the object parser and the pure-Python scanner.
    json_object: Any = getattr(json.decoder, "JSONObject")  # noqa: B009
    decoder_any: Any = decoder
    decoder_any.parse_object = parse_object
    decoder_any.scan_once = getattr(json.scanner, "py_make_scanner")(decoder)  # noqa: B009
    try:
        return decoder.decode(text)
    except json.JSONDecodeError:
        return json.loads(text)  # raises the C scanner's error, worded as every other open words it


class PlantJsonReader:
    """MotherTwin's own plant document (`*.mtplant.json`): parsed, checked against the schema and the rules."""

    name: str = "plant-json"
    suffixes: tuple[str, ...] = (".json",)

    def sniff(self, head: bytes) -> bool:
        return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")

    def read(self, request: ReadRequest) -> ReadResult:
        path = request.path

        def loads(text: str) -> Any:
            if not request.background:
                return json.loads(text)
            return _parse_in_steps(text, request.progress, request.cancelled, 0.02, 0.55)

        data, text = json_from_bytes(request.data, path, loads)
        if request.cancelled():
            raise OpenCancelledError
        request.progress(0.55, "Checking")
        return ReadResult(document_from_data(data, text, str(path), request.library, path.parent.resolve()))


BUILTIN_READERS: tuple[Reader, ...] = (PlantJsonReader(),)


# ---------------------------------------------------------------- choosing a reader


def _suffix_matches(path: Path, suffixes: Sequence[str]) -> int:
    """The length of the longest of `suffixes` the file name ends with (case-blind); 0 for none."""
    name = path.name.lower()
    return max((len(s) for s in suffixes if s and name.endswith(s.lower())), default=0)


def _as_reader(loaded: Any, target: str) -> Reader:
    reader = loaded() if isinstance(loaded, type) else loaded
    if not isinstance(reader, Reader):
        raise TypeError(f"{target} is not a reader (name, suffixes, sniff(head), read(request))")
    return reader


def choose_reader(path: Path, head: bytes, registry: PluginRegistry | None = None) -> Reader:
    """The reader of a file: the one whose suffix fits it best (a plugin's, declared in its manifest, before a
    built-in one of the same length), else the first reader that recognises its first bytes (the built-in
    ones, then the plugins'), else the plant JSON reader. Raises PlantFileError when the chosen plugin cannot
    be loaded."""
    importers = registry.contributions(IMPORTER_KIND) if registry is not None else []
    best, best_length = None, 0
    for _plugin, contribution in importers:
        length = _suffix_matches(path, contribution.handles)
        if length > best_length:
            best, best_length = contribution, length
    builtin = max(BUILTIN_READERS, key=lambda r: _suffix_matches(path, r.suffixes))
    if best is not None and registry is not None and best_length >= _suffix_matches(path, builtin.suffixes):
        from viewer.sensors.plugins import PluginError

        try:
            return _as_reader(registry.load(IMPORTER_KIND, best.name), best.target)
        except (PluginError, TypeError) as exc:
            raise PlantFileError.single(path, "file", f"the {best.name!r} importer cannot read it: {exc}") from exc
    if _suffix_matches(path, builtin.suffixes):
        return builtin
    for reader in BUILTIN_READERS:
        if reader.sniff(head):
            return reader
    if registry is not None:  # a name no reader declares: each importer looks at the first bytes
        from viewer.sensors.plugins import PluginError

        for _plugin, contribution in importers:
            try:
                candidate = _as_reader(registry.load(IMPORTER_KIND, contribution.name), contribution.target)
            except (PluginError, TypeError):
                continue  # reported and disabled by the registry; another importer may still know the file
            if candidate.sniff(head):
                return candidate
    return BUILTIN_READERS[0]  # the plant JSON reader says what is wrong with the file, as it always has


# ---------------------------------------------------------------- opening


def import_options(path: Path, registry: PluginRegistry | None = None) -> list[ImportOption]:
    """The choices the reader of a file offers before reading it (none for most formats)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(1 << 20)
    except OSError as exc:
        raise PlantFileError.single(path, "file", f"cannot read: {exc.strerror or exc}") from exc
    reader = choose_reader(path, head[:512], registry)
    offer = getattr(reader, "import_options", None)
    return list(offer(path, head)) if callable(offer) else []


def open_plant(
    path: Path,
    library: EquipmentLibrary | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    registry: PluginRegistry | None = None,
    options: Mapping[str, str] | None = None,
) -> OpenedPlant | None:
    """Read a plant file once and give back the opened plant; None when `cancelled` said so on the way (nothing
    of it is kept). `registry`: the plugins whose importers may read it; `options`: the user's choices for an
    importer (its `import_options`). An isolated importer reads in a process of its own. Raises PlantFileError
    naming the file, the place in it and what was expected."""
    path = Path(path)
    background = progress is not None or cancelled is not None
    report: Progress = progress if progress is not None else (lambda fraction, stage: None)
    is_cancelled: Cancelled = cancelled if cancelled is not None else (lambda: False)
    if background:
        loading_begins()
    try:
        report(0.0, "Reading")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise PlantFileError.single(path, "file", f"cannot read: {exc.strerror or exc}") from exc
        disk = DiskState.of(path, data)
        reader = choose_reader(path, data[:512], registry)
        request = ReadRequest(
            path,
            data,
            library if library is not None else builtin_library(),
            report,
            is_cancelled,
            background,
            dict(options or {}),
        )
        try:
            if getattr(reader, "isolated", False):
                from viewer.app.import_worker import read_in_worker

                result = read_in_worker(reader, request)
            else:
                result = reader.read(request)
        except OpenCancelledError:
            return None
        except (PlantFileError, MemoryError):
            raise
        except Exception as exc:
            if any(reader is r for r in BUILTIN_READERS):
                raise
            # A plugin's bug: the file is not opened, the open document stays, the app carries on.
            raise PlantFileError.single(path, "file", f"the {reader.name!r} importer failed: {exc}") from exc
        if is_cancelled():
            return None
        return OpenedPlant(
            path, result.document, disk, reader.name, list(result.problems), result.report, dict(result.assets)
        )
    finally:
        if background:
            loading_ends()


# ---------------------------------------------------------------- the interpreter while a plant loads

LOADING_SWITCH_INTERVAL = 0.001  # seconds a thread may keep the interpreter lock while another waits for it

_loads = 0
_loads_lock = threading.Lock()
_switch_interval = sys.getswitchinterval()


def loading_begins() -> None:
    """Until the matching loading_ends (they nest: loads and take-overs overlap): no cyclic collection, and
    threads hand the interpreter lock over every millisecond instead of every 5. The GUI thread needs the
    lock for every event a Python handler sees (slots, timers, event filters), so with a loading thread busy
    it used to wait 5 ms each time: 0.2-0.3 s for one repaint of the window."""
    global _loads, _switch_interval
    with _loads_lock:
        if _loads == 0:
            _switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(_switch_interval, LOADING_SWITCH_INTERVAL))
        _loads += 1
        gc.disable()


def loading_ends() -> None:
    global _loads
    with _loads_lock:
        _loads = max(0, _loads - 1)
        if _loads == 0:
            sys.setswitchinterval(_switch_interval)
            gc.freeze()  # what was loaded is long-lived: keep it out of every later collection
            gc.enable()


@contextlib.contextmanager
def background_work() -> Iterator[None]:
    """A worker thread's share of opening a plant (its layout check, binding its sensor tags): like loading,
    the interpreter lock changes hands every millisecond meanwhile, so the GUI thread keeps answering."""
    loading_begins()
    try:
        yield
    finally:
        loading_ends()
