"""References between elements: the master a mirror object stands for, and the InternalLinks as the document's
links (each partner the nearest element kept, "element id:interface name")."""

from __future__ import annotations

from mothertwin_formats.aml.caex import clean_id
from mothertwin_formats.aml.elements import _MapperBase, _Node
from viewer.formats import MaterialLink


class _LinkHandling(_MapperBase):
    """Mirror objects to their masters, InternalLink partners to the elements kept."""

    def master_of(self, node: _Node) -> _Node | None:
        """The element a mirror object stands for, None for a cycle of mirrors (warned)."""
        visited = [node]
        while node.mirror_of:
            nxt = self.by_raw_id[node.mirror_of]
            if nxt in visited:
                names = " -> ".join(repr(n.name) for n in [*visited, nxt])
                self.warn("cycle:mirror", visited[0].where(), f"reference cycle of mirror objects ({names}): skipped")
                return None
            visited.append(nxt)
            node = nxt
        return node

    def _side(self, text: str) -> str | None:
        """A link partner as "element id:interface name": the interface's ID (CAEX 3.0) or "ElementID:Name"."""
        key = text.strip()
        owner = self.interface_owner.get(key.strip("{}"))
        if owner is not None:
            node, interface = owner
        else:
            found = None
            for position in (i for i, char in enumerate(key) if char == ":"):
                candidate = self.by_raw_id.get(key[:position].strip().strip("{}"))
                if candidate is not None:
                    found = (candidate, key[position + 1 :])
            if found is None:
                return None
            node, interface = found
        master = self.master_of(node) if node.mirror_of else node
        # An interface of an element that is not kept (a Frame, a group) goes to the nearest one kept above it.
        while master is not None and master.ident not in self.placed:
            interface = f"{master.name}/{interface}"
            master = master.parent
        if master is None:
            return None
        return f"{master.ident}:{interface}"

    def _links(self) -> list[MaterialLink]:
        links: list[MaterialLink] = []
        taken: set[str] = set()
        for element in self.links:
            a, b = element.get("RefPartnerSideA") or "", element.get("RefPartnerSideB") or ""
            side_a, side_b = self._side(a), self._side(b)
            name = element.get("Name") or ""
            if side_a is None or side_b is None:
                missing = a if side_a is None else b
                self.warn("link", f"line {element.sourceline}, InternalLink {name!r}",
                          f"partner {missing!r} is no interface of the file: link skipped")  # fmt: skip
                self.count("broken links")
                continue
            ident = clean_id(element.get("ID") or "") or f"link-{len(links) + 1}"
            base, n = ident, 1
            while ident in taken:
                n += 1
                ident = f"{base}-{n}"
            taken.add(ident)
            links.append(MaterialLink(ident, name, side_a, side_b))
        return links
