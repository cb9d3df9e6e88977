"""Which site a plant opens on (the mother site, or the one asked for) and the new, empty plant. No Qt."""

from __future__ import annotations

import pytest

from viewer.compare.clone import clone_line
from viewer.io import load_document, save_document
from viewer.model.placing import place_new
from viewer.model.site_choice import blank_document, find_site, mother_site, opening_site, unknown_site_text


@pytest.fixture
def demo(demo_path, library):
    return load_document(demo_path, library)


def test_without_clones_the_mother_is_the_first_site_with_equipment(demo):
    demo.sites.reverse()  # the empty child site first
    assert demo.sites[0].id == "HM"
    assert mother_site(demo).id == "OC"
    assert opening_site(demo).id == "OC"


def test_the_site_whose_line_was_cloned_is_the_mother_wherever_it_stands(demo):
    clone_line(demo, "OC-ELE1", demo, "Holland child plant", (30.0, 30.0))
    demo.sites.reverse()  # the child, with equipment now, comes first in the file
    assert demo.sites[0].id == "HM" and any(c.equipment for a in demo.sites[0].areas for li in a.lines
                                            for c in li.cells)  # fmt: skip
    assert mother_site(demo).id == "OC"
    # The line is found by its id even when the record's site id went stale (a renamed site).
    demo.sites[0].areas[0].lines[0].clone_record.mother_site = "OLD"
    assert mother_site(demo).id == "OC"


def test_a_child_document_on_its_own_opens_on_its_first_site_with_equipment(demo, demo_path, library):
    child = load_document(demo_path, library)
    clone_line(demo, "OC-ELE1", child, "Holland child plant", (30.0, 30.0))
    # The mother plant lives in the other document; this one has an empty hall before the child site.
    child.sites = [blank_document().sites[0], child.site_by_name("HM")]
    assert [s.id for s in child.sites] == ["S1", "HM"]
    assert mother_site(child).id == "HM"  # no mother here: the first site with equipment


def test_the_site_asked_for_by_id_or_name_else_the_mother(demo):
    assert opening_site(demo, "HM").id == "HM"
    assert opening_site(demo, "Holland child plant").id == "HM"
    assert opening_site(demo, "holland CHILD plant").id == "HM"  # typed by hand on a command line
    assert opening_site(demo, "Nowhere").id == "OC"
    assert find_site(demo, "Nowhere") is None
    assert unknown_site_text(demo, "Nowhere") == (
        "no site named 'Nowhere' in this plant; its sites: Ochang mother plant (OC), Holland child plant (HM)"
    )


def test_a_new_plant_has_one_site_ready_for_equipment(tmp_path, library):
    document = blank_document()
    (site,) = document.sites
    assert site.name == "New site" and len(site.footprint) == 4 and document.equipment_count() == 0
    assert opening_site(document) is site
    command = place_new(document, library, site, "slurry_mixer", 10.0, 10.0)  # a drop from the library
    command.redo(document)
    assert document.equipment_count() == 1
    save_document(document, tmp_path / "new.mtplant.json")  # and it is a valid document
    assert load_document(tmp_path / "new.mtplant.json", library).equipment_count() == 1
