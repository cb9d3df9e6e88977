"""The building's own model in the plant document (walls, columns, slabs, spaces from IFC or a DXF drawing) and
the links between elements (AutomationML InternalLinks): kept byte for byte, checked, drawn, and in the way of
equipment for the layout checks and the clone's fit search."""

from __future__ import annotations

import json
import math

import pytest
import shapely
from test_render import SIZE, pixel_of, shot

from viewer.compare.placement import _four_corners
from viewer.io import PlantFileError, builtin_library, dumps_document, load_document
from viewer.model import BuildingElement, BuildingKind, MaterialLink
from viewer.model.checks import LayoutChecker
from viewer.scene.building import building_model_mesh
from viewer.scene.offscreen import offscreen_plotter
from viewer.scene.plant_view import PlantView

ROUND_COLUMN = [(30 + 0.4 * math.cos(a * math.pi / 8), 15 + 0.4 * math.sin(a * math.pi / 8)) for a in range(16)]


def with_building(minimal_data: dict) -> dict:
    site = minimal_data["sites"][0]
    site["building"] = [
        {"id": "W-1", "kind": "wall", "name": "Inner wall", "outline": [[0, 10], [40, 10], [40, 10.3], [0, 10.3]],
         "base": 0.0, "height": 6.0},
        {"id": "3vB2YO$MX4xv5uCqZZG05x", "kind": "column", "outline": [list(p) for p in ROUND_COLUMN],
         "base": 0.0, "height": 6.0},
        {"id": "S-1", "kind": "slab", "outline": [[0, 0], [40, 0], [40, 20], [0, 20]], "base": -0.3, "height": 0.3},
        {"id": "R-1", "kind": "slab", "outline": [[0, 0], [40, 0], [40, 20], [0, 20]], "base": 6.0, "height": 0.3},
        {"id": "SP-1", "kind": "space", "name": "Hall", "outline": [[0, 0], [40, 0], [40, 10], [0, 10]],
         "base": 0.0, "height": 6.0},
    ]  # fmt: skip
    minimal_data["links"] = [{"id": "L-1", "name": "flow", "side_a": "E1:out", "side_b": "E2:in"}]
    return minimal_data


def test_building_elements_and_links_round_trip_exactly(minimal_data, write_json):
    path = write_json(with_building(minimal_data))
    document = load_document(path)
    site = document.sites[0]
    assert [e.kind for e in site.building] == ["wall", "column", "slab", "slab", "space"]
    assert site.building[1].id == "3vB2YO$MX4xv5uCqZZG05x"  # an IFC GlobalId, '$' and all
    assert document.links == [MaterialLink("L-1", "flow", "E1:out", "E2:in")]
    assert len(site.column_outlines()) == 1 and site.wall_outlines()[0][0] == (0.0, 10.0)
    text = dumps_document(document)
    assert dumps_document(load_document(write_json(json.loads(text), "again.mtplant.json"))) == text


def test_a_bad_building_element_is_named(minimal_data, write_json):
    data = with_building(minimal_data)
    data["sites"][0]["building"][0]["kind"] = "roof"
    data["sites"][0]["building"].append(dict(data["sites"][0]["building"][2]))
    with pytest.raises(PlantFileError) as error:
        load_document(write_json(data))
    wheres = [p.where for p in error.value.problems]
    assert any(w.startswith("$.sites[0].building[0].kind") for w in wheres)
    data["sites"][0]["building"][0]["kind"] = "wall"
    with pytest.raises(PlantFileError) as error:
        load_document(write_json(data))
    assert [(p.where, p.message) for p in error.value.problems] == [
        ("$.sites[0].building[5].id", "duplicate id 'S-1'")
    ]


def test_walls_and_columns_of_the_model_are_in_the_way(minimal_data, write_json, library):
    data = with_building(minimal_data)
    equipment = data["sites"][0]["areas"][0]["lines"][0]["cells"][0]["equipment"]
    equipment[0]["pose"] = {"x": 5, "y": 10}  # the mixer (3.2 x 2.8 m) across the inner wall
    equipment[1]["pose"] = {"x": 30, "y": 15}  # the press on the round column
    document = load_document(write_json(data))
    found = {(v.kind, v.ids): v for v in LayoutChecker(document, library, document.sites[0]).current()}
    wall = found[("wall", ("E1",))]
    assert wall.value == pytest.approx(3.2 * 0.3)
    assert wall.message == f"Mixer (E1) stands in a building wall ({3.2 * 0.3:.2f} m2)"
    column = found[("column", ("E2",))]
    round_area = 0.5 * 16 * 0.4**2 * math.sin(2 * math.pi / 16)
    assert column.value == pytest.approx(round_area)
    # The fit search keeps clear of an odd outline by the turned rectangle around it.
    corners = _four_corners(ROUND_COLUMN)
    envelope, column_shape = shapely.Polygon(corners), shapely.Polygon(ROUND_COLUMN)
    assert len(corners) == 4 and envelope.buffer(1e-9).contains(column_shape)
    assert envelope.area <= 0.8**2 * 1.001 and envelope.area < 1.3 * column_shape.area


def test_the_model_is_drawn_walls_and_columns_standing_the_roof_left_out(minimal_data, write_json):
    document = load_document(write_json(with_building(minimal_data)))
    site = document.sites[0]
    mesh = building_model_mesh(site.building, (196, 192, 184))
    top = float(mesh.points[:, 2].max())
    assert top == pytest.approx(6.0)  # the walls and the column; not the roof slab at 6.0-6.3
    assert float(mesh.points[:, 2].min()) == pytest.approx(-0.05)  # the ground slab as the floor's face
    site.areas = []  # only the building
    plotter = offscreen_plotter(SIZE)
    try:
        view = PlantView(plotter)
        view.show_site(document, builtin_library(), site, labels=False)
        view.set_view("top")
        image = shot(plotter).astype(int)
        wall, floor = image[pixel_of(plotter, (20, 10.15, 6.0))], image[pixel_of(plotter, (20, 5, 0))]
        column = image[pixel_of(plotter, (30, 15, 6.0))]
        # Seen from above, the wall's top is lit brighter than the floor, and the column stands where it is.
        assert wall[:3].mean() != pytest.approx(floor[:3].mean(), abs=3)
        assert abs(int(column[0]) - int(column[2])) > 5  # the columns' warm grey, not the floor's cool one
    finally:
        plotter.close()


def test_building_element_kinds_and_obstacles():
    element = BuildingElement("X", BuildingKind.SPACE, [(0, 0), (1, 0), (1, 1)])
    assert element.height == 3.0 and element.base == 0.0 and str(element.kind) == "space"
