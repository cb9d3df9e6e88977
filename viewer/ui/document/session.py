"""The window's document session: the application's one (viewer.app.document) with the meshes drawn of its
library, which need VTK and so stay on this side."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from viewer.app.document import RECENT_LIMIT, Message, Severity, import_messages, push_recent
from viewer.app.document import DocumentSession as _AppDocumentSession
from viewer.model import EquipmentLibrary, PlantDocument, Site
from viewer.scene.batch import TypeMeshes

if TYPE_CHECKING:
    from viewer.ui.document.loading import PreparedPlant

__all__ = ["RECENT_LIMIT", "DocumentSession", "Message", "Severity", "push_recent"]


class DocumentSession(_AppDocumentSession):
    """Adds the cache of type meshes the 3D view draws from; it follows every merge of the library."""

    def __init__(self, base_library: EquipmentLibrary | None = None) -> None:
        super().__init__(base_library)
        self.meshes: TypeMeshes | None = None
        self._warnings_reported = 0

    def set_document(  # type: ignore[override]
        self,
        document: PlantDocument,
        path: Path | None,
        meshes: TypeMeshes | None = None,
        disk: object = None,
        prepared: PreparedPlant | None = None,
        imported_from: Path | None = None,
    ) -> None:
        """A loading thread hands over the meshes it read (with the merged library they were read for)."""
        library = meshes.library if meshes is not None else self.base_library.merged(document.types)
        self.meshes = meshes if meshes is not None else TypeMeshes(library)
        self._warnings_reported = 0
        super().set_document(document, path, library, disk, prepared, imported_from)

    def adopt(self, prepared: PreparedPlant) -> None:
        """A plant a loading thread prepared becomes the open document; one read by an importer opens
        untitled (Save asks where), and its mapping report goes to Messages."""
        if not prepared.imported or prepared.opened is None:
            self.set_document(prepared.document, prepared.path, prepared.meshes, prepared.disk, prepared)
            return
        self.set_document(prepared.document, None, prepared.meshes, None, prepared, prepared.path)
        opened = prepared.opened
        self.messages_reported.emit(import_messages(opened.report, opened.problems, prepared.path))

    def close(self) -> None:
        self.meshes = None
        self._warnings_reported = 0
        super().close()

    def prepared_for(self, site: Site) -> PreparedPlant | None:
        """The loading thread's preparation while the document it made is handed over, when it is of `site`."""
        prepared = self.prepared
        if prepared is None or getattr(prepared, "site", None) is not site:
            return None
        return prepared  # type: ignore[return-value]

    def refresh_library(self) -> None:
        if self.meshes is None:
            return
        super().refresh_library()

    def _library_merged(self, library: EquipmentLibrary) -> None:
        if self.meshes is not None:
            self.meshes.library = library  # meshes already loaded stay cached

    def take_mesh_warnings(self) -> list[Message]:
        """Mesh problems found while drawing (each names its file), reported once."""
        if self.meshes is None:
            return []
        fresh = self.meshes.warnings[self._warnings_reported :]
        self._warnings_reported = len(self.meshes.warnings)
        return [Message(Severity.WARNING, text) for text in fresh]
