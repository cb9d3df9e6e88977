"""The file's class libraries and the equipment types made of them: role classes (which level an element is),
interface classes (which interfaces are geometry), SystemUnitClasses (their footprint, mesh, title, colour...)
and a type per class, mesh file or role class."""

from __future__ import annotations

import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from mothertwin_formats.aml.caex import (
    FRAME_ROLE,
    LEVEL_ROLES,
    MESH_SUFFIXES,
    TYPE_ATTRIBUTES,
    CaexFile,
    join_path,
    number,
    split_path,
)
from mothertwin_formats.aml.elements import LENGTH_UNITS, _MapperBase, _Node
from viewer.formats import EquipmentType, Footprint, Parameter, Problem, ReadRequest

DEFAULT_FOOTPRINT = (1.0, 1.0, 1.0)
# A box the size of the thing a role class names, for elements whose geometry is not in the file.
ROLE_FOOTPRINTS = {
    "Robot": (1.2, 1.2, 2.0),
    "ControlCabinet": (1.2, 0.6, 2.0),
    "Conveyor": (2.0, 0.8, 0.9),
    "Machine": (2.0, 1.5, 1.8),
    "Storage": (2.0, 1.0, 2.0),
    "Transport": (2.0, 0.8, 0.9),
    "HMI": (0.5, 0.3, 1.5),
    "PLC": (0.4, 0.2, 0.3),
    "Controller": (0.4, 0.2, 0.3),
    "Sensor": (0.1, 0.1, 0.1),
}
GENERIC_TYPE = "AutomationML element"


@dataclass
class _ClassInfo:
    footprint: Footprint | None = None
    mesh: str | None = None
    title: str = ""
    category: str = "automationml"
    color: tuple[int, int, int] | None = None
    clearance: float | None = None
    builtin: bool = False
    parameters: list[Parameter] = field(default_factory=list)
    sizes: dict[str, float] = field(default_factory=dict)


class _ClassHandling(_MapperBase):
    """The class libraries of the file, indexed once, and the equipment types made for its elements."""

    def __init__(self, caex: CaexFile, request: ReadRequest) -> None:
        super().__init__(caex, request)
        self.roles = self._index("RoleClassLib", "RoleClass")
        self.interfaces = self._index("InterfaceClassLib", "InterfaceClass")
        self.units = self._index("SystemUnitClassLib", "SystemUnitClass")
        self.role_cache: dict[str, tuple[int | None, bool, str]] = {}
        self.interface_cache: dict[str, tuple[bool, bool]] = {}
        self.types: dict[str, EquipmentType] = {}
        self.type_keys: dict[tuple[str, str, str], str] = {}
        self.type_sources: dict[str, str] = {}
        self.builtin_used: set[str] = set()
        self.mesh_found: dict[Path, bool] = {}

    # ------------------------------------------------------------ class libraries

    def _index(self, lib_tag: str, class_tag: str) -> dict[tuple[str, ...], etree._Element]:
        """Every class of the file's libraries of one kind by its path (library, class, subclass...)."""
        out: dict[tuple[str, ...], etree._Element] = {}
        lib_t, class_t = self.caex.tag(lib_tag), self.caex.tag(class_tag)

        def walk(element: etree._Element, path: tuple[str, ...]) -> None:
            for child in element.iterchildren(class_t):
                sub = (*path, child.get("Name") or "")
                out[sub] = child
                walk(child, sub)

        for lib in self.caex.root.iterchildren(lib_t):
            walk(lib, (lib.get("Name") or "",))
        return out

    @staticmethod
    def _resolve(index: dict[tuple[str, ...], etree._Element], ref: str, near: tuple[str, ...]) -> tuple[str, ...]:
        """A class reference as a path of `index`: absolute, else relative to the referring class's library
        or parent (CAEX 2.15 files name a base class of the same library by its name alone)."""
        parts = tuple(split_path(ref))
        if parts in index or not near:
            return parts
        for start in range(len(near) - 1, 0, -1):
            candidate = near[:start] + parts
            if candidate in index:
                return candidate
        return parts

    def _chain(self, index: dict[tuple[str, ...], etree._Element], ref: str, what: str) -> Iterator[tuple[str, ...]]:
        """A class and its bases (RefBaseClassPath), most derived first; a cycle ends the chain with a warning."""
        path = self._resolve(index, ref, ())
        visited: list[tuple[str, ...]] = []
        while path:
            if path in visited:
                names = " -> ".join("/".join(p) for p in [*visited, path])
                self.warn(f"cycle:{what}", f"{what} {'/'.join(path)!r}",
                          f"reference cycle through RefBaseClassPath ({names}): the chain is cut there")  # fmt: skip
                return
            visited.append(path)
            yield path
            element = index.get(path)
            base = element.get("RefBaseClassPath") if element is not None else None
            if not base:
                return
            path = self._resolve(index, base, path)

    def role_info(self, ref: str) -> tuple[int | None, bool, str]:
        """(ISA-95 level, is a Frame role, own name) of a role class reference."""
        known = self.role_cache.get(ref)
        if known is None:
            names = [path[-1] for path in self._chain(self.roles, ref, "RoleClass") if path]
            level = next((LEVEL_ROLES[n] for n in names if n in LEVEL_ROLES), None)
            known = (level, FRAME_ROLE in names and level is None, names[0] if names else "")
            self.role_cache[ref] = known
        return known

    def interface_info(self, ref: str) -> tuple[bool, bool]:
        """(is COLLADA geometry, is an external data connector) of an interface class reference."""
        known = self.interface_cache.get(ref)
        if known is None:
            names = [path[-1] for path in self._chain(self.interfaces, ref, "InterfaceClass") if path]
            collada = "COLLADAInterface" in names
            known = (collada, collada or "ExternalDataConnector" in names)
            self.interface_cache[ref] = known
        return known

    def _interface(self, interface: etree._Element, node: _Node, instance: bool = True) -> None:
        for each in interface.iter(self.T_EI):
            if instance and each.get("ID"):
                self.interface_owner[each.get("ID", "").strip().strip("{}")] = (node, each.get("Name") or "")
            collada, connector = self.interface_info(each.get("RefBaseClassPath") or "")
            if not connector:
                continue
            uri = ""
            for attribute in each.iterchildren(self.T_ATTR):
                if attribute.get("Name") == "refURI":
                    uri = (attribute.findtext(self.T_VALUE) or "").strip()
            if not uri:
                continue
            target = uri.split("#", 1)[0]
            if collada or Path(urllib.parse.urlparse(target).path).suffix.lower() in MESH_SUFFIXES:
                node.meshes.append(target)
            elif instance:
                self.count("other data")

    # ------------------------------------------------------------ types

    def _type_of(self, node: _Node) -> str:
        reference = node.meshes[0] if node.meshes else ""
        mesh = self._mesh(reference, node) if reference else ""
        if node.suc:
            return self._suc_type(node, mesh)
        role = node.roles[0] if node.roles else ""
        if reference:  # a missing file still names the type: a box now, the mesh once the file is there
            stem = Path(urllib.parse.urlparse(reference).path).stem or GENERIC_TYPE
            return self._make_type(("mesh", reference, ""), stem, mesh, role, "from mesh references")
        source = "from role classes (no class, no mesh)"
        return self._make_type(("role", role, ""), role or GENERIC_TYPE, "", role, source)

    def _make_type(self, key: tuple[str, str, str], name: str, mesh: str, role: str, source: str,
                   footprint: Footprint | None = None, title: str = "", category: str = "automationml",
                   color: tuple[int, int, int] | None = None, clearance: float | None = None,
                   parameters: list[Parameter] | None = None) -> str:  # fmt: skip
        known = self.type_keys.get(key)
        if known is not None:
            return known
        base = name if name not in self.request.library else f"{name} (AML)"
        unique, n = base, 1
        while unique in self.types:
            n += 1
            unique = f"{base} ({n})"
        size = ROLE_FOOTPRINTS.get(role, DEFAULT_FOOTPRINT)
        kind = EquipmentType(
            unique,
            title or name,
            category,
            footprint or Footprint(*size),
            mesh=mesh,
            base_dir=self.folder if mesh else None,
            parameters=parameters or [],
            clearance=clearance,
        )
        if color is not None:
            kind.color = color
        self.types[unique] = kind
        self.type_keys[key] = unique
        self.type_sources[unique] = source
        return unique

    def _mesh(self, uri: str, node: _Node) -> str:
        """A refURI as a mesh path relative to the .aml file's folder ("" when it cannot be used)."""
        parsed = urllib.parse.urlparse(uri)
        network = parsed.netloc not in ("", "localhost") or uri.startswith(("//", "\\\\"))  # a host, a UNC share
        if network or (parsed.scheme and len(parsed.scheme) > 1 and parsed.scheme != "file"):
            self.warn("remote", node.where(), f"mesh {uri!r} is not a local file: not fetched (a box instead)")
            self.count("remote meshes")
            return ""
        if parsed.scheme == "file":
            path = Path(urllib.request.url2pathname(parsed.path))
        else:
            path = Path(urllib.parse.unquote(uri))
        full = path if path.is_absolute() else (self.folder / path)
        full = Path(str(full))
        found = self.mesh_found.get(full)
        if found is None:
            found = full.is_file()
            self.mesh_found[full] = found
            if not found:  # one warning per missing file, however many elements use it
                message = f"mesh file {uri!r} not found ({full}): a footprint box instead"
                self.problems.append(Problem(self.file, node.where(), message))
        if not found:
            return ""
        return full.as_posix() if path.is_absolute() else path.as_posix()

    def _suc_type(self, node: _Node, mesh: str) -> str:
        path = tuple(split_path(node.suc))
        element = self.units.get(path)
        name = path[-1] if path else GENERIC_TYPE
        role = node.roles[0] if node.roles else ""
        if element is None:
            if ("suc", node.suc, mesh) not in self.type_keys:
                self.warn("missing class", node.where(), f"unknown SystemUnitClass {node.suc!r} "
                          "(RefBaseSystemUnitPath): imported, with a footprint box as its type")  # fmt: skip
            self.count("missing classes")
            return self._make_type(("suc", node.suc, mesh), name, mesh, role, "named by unknown SystemUnitClasses")
        info = self._class_info(path)
        own_mesh = info.mesh
        if own_mesh is None:
            own_mesh = ""
        if mesh and own_mesh and mesh != own_mesh:
            return self._class_type(("suc", node.suc, mesh), f"{name} {Path(mesh).stem}", mesh, role, info)
        if info.builtin and name in self.request.library:
            self.count("builtin types", 0 if name in self.builtin_used else 1)
            self.builtin_used.add(name)
            return name
        return self._class_type(("suc", node.suc, ""), name, own_mesh or mesh, role, info)

    def _class_type(self, key: tuple[str, str, str], name: str, mesh: str, role: str, info: _ClassInfo) -> str:
        return self._make_type(key, name, mesh, role, "SystemUnitClasses", info.footprint, info.title,
                               info.category, info.color, info.clearance, info.parameters)  # fmt: skip

    def _class_info(self, path: tuple[str, ...]) -> _ClassInfo:
        """What a SystemUnitClass and its bases say of the type: the most derived class wins per item."""
        info = _ClassInfo()
        dummy = _Node(self.units[path], path[-1], "", "", [], None, [], [], "")
        for each in self._chain(self.units, join_path(list(path)), "SystemUnitClass"):
            element = self.units.get(each)
            if element is None:
                break
            for child in element:
                if child.tag == self.T_ATTR:
                    self._class_attribute(info, child)
                elif child.tag == self.T_EI and info.mesh is None:
                    before = len(dummy.meshes)
                    self._interface(child, dummy, instance=False)
                    if len(dummy.meshes) > before:
                        info.mesh = self._mesh(dummy.meshes[-1], dummy)
        return info

    def _class_attribute(self, info: _ClassInfo, attribute: etree._Element) -> None:
        key = attribute.get("Name") or ""
        text = (attribute.findtext(self.T_VALUE) or "").strip()
        if key == "Footprint" and info.footprint is None:
            sizes = {}
            for child in attribute.iterchildren(self.T_ATTR):
                value = number(child.findtext(self.T_VALUE))
                unit = LENGTH_UNITS.get((child.get("Unit") or "").strip().lower(), 1.0)
                if value is not None and value > 0:
                    sizes[(child.get("Name") or "").lower()] = value * unit
            if {"width", "depth", "height"} <= sizes.keys():
                info.footprint = Footprint(sizes["width"], sizes["depth"], sizes["height"])
        elif key == "Title" and not info.title:
            info.title = text
        elif key == "Category" and info.category == "automationml" and text:
            info.category = text
        elif key == "Color" and info.color is None:
            parts = [number(p) for p in text.replace(",", " ").split()]
            if len(parts) == 3 and all(p is not None and 0 <= p <= 255 for p in parts):
                info.color = (int(parts[0] or 0), int(parts[1] or 0), int(parts[2] or 0))
        elif key == "Clearance" and info.clearance is None:
            info.clearance = number(text)
        elif key == "MotherTwinBuiltin":
            info.builtin = info.builtin or text.lower() in ("true", "1")
        elif key not in TYPE_ATTRIBUTES and key.lower() in ("width", "depth", "length", "height"):
            value = number(text)
            if value is not None and value > 0:
                info.sizes.setdefault(key.lower(), value * LENGTH_UNITS.get((attribute.get("Unit") or "").lower(), 1.0))
                sizes = info.sizes
                depth = sizes.get("depth", sizes.get("length"))
                if info.footprint is None and "width" in sizes and depth is not None and "height" in sizes:
                    info.footprint = Footprint(sizes["width"], depth, sizes["height"])
        elif key not in TYPE_ATTRIBUTES:
            info.parameters.extend(self._values(attribute, ""))
