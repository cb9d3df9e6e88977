"""Which site a plant document opens on, and what a new, empty plant document holds. No Qt, no VTK.

A document that holds a mother line and its clones opens on the mother site, wherever it sits in the list of
sites: that is the line the others are measured against. `mothertwin open --site` asks for another.
"""

from __future__ import annotations

from collections import Counter

from viewer.model.plant import Area, Cell, Enterprise, Line, PlantDocument, Site

NEW_BUILDING = (60.0, 30.0)  # metres: the hall of a new plant, room for a line before the real outline is set


def _has_equipment(site: Site) -> bool:
    return any(cell.equipment for area in site.areas for line in area.lines for cell in line.cells)


def mother_site(document: PlantDocument) -> Site | None:
    """The site whose lines are the mothers of other sites' clone records (the one most lines were cloned
    from, the first in the document on a tie); else the first site with equipment; else the first site.

    A clone record names its mother line by id (and the mother's site): the line is looked up first, so a
    record whose site id went stale still finds its mother. Records whose mother is in another document
    (a child document on its own) point at no site here."""
    if not document.sites:
        return None
    site_of_line = {line.id: site for site in document.sites for area in site.areas for line in area.lines}
    by_id = {site.id: site for site in document.sites}
    votes: Counter[str] = Counter()
    for site in document.sites:
        for area in site.areas:
            for line in area.lines:
                record = line.clone_record
                if record is None:
                    continue
                mother = site_of_line.get(record.mother_line) or by_id.get(record.mother_site)
                if mother is not None and mother is not site:
                    votes[mother.id] += 1
    if votes:
        most = max(votes.values())
        return next(site for site in document.sites if votes[site.id] == most)
    return next((site for site in document.sites if _has_equipment(site)), document.sites[0])


def find_site(document: PlantDocument, name_or_id: str) -> Site | None:
    """A site by id or name (ids first: a name may repeat), or None."""
    wanted = name_or_id.strip()
    by_id = next((site for site in document.sites if site.id == wanted), None)
    if by_id is not None:
        return by_id
    folded = wanted.casefold()
    return next((site for site in document.sites if site.name.casefold() == folded), None)


def opening_site(document: PlantDocument, asked: str | None = None) -> Site | None:
    """The site asked for (id or name) when the document has it, else the mother site."""
    if asked:
        site = find_site(document, asked)
        if site is not None:
            return site
    return mother_site(document)


def unknown_site_text(document: PlantDocument, asked: str) -> str:
    """What to tell someone who asked for a site the document does not hold."""
    known = ", ".join(f"{site.name} ({site.id})" for site in document.sites) or "none"
    return f"no site named {asked!r} in this plant; its sites: {known}"


def blank_document() -> PlantDocument:
    """A new plant: one enterprise, one site with an empty hall and one area, line and cell, so equipment
    dragged from the library has a cell to join (a drop lands in the nearest cell)."""
    width, depth = NEW_BUILDING
    cell = Cell("S1-A1-L1-C1", "Cell 1")
    line = Line("S1-A1-L1", "Line 1", cells=[cell])
    site = Site(
        "S1",
        "New site",
        footprint=[(0.0, 0.0), (width, 0.0), (width, depth), (0.0, depth)],
        areas=[Area("S1-A1", "Area 1", lines=[line])],
    )
    return PlantDocument(Enterprise("ENT", "New enterprise"), sites=[site])
