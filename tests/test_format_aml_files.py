"""AutomationML files the tests write: CAEX 2.15 by depth, missing levels made, and the bad ones (not XML, not
CAEX, entity bombs and external entities, reference cycles, missing references, truncated and huge files):
each a clear message naming the file and the place, never a hang, a crash or a network access."""

from __future__ import annotations

import http.server
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from viewer.app.importing import import_plant
from viewer.app.opening import import_options
from viewer.formats import PlantFileError, equipment_world_matrices
from viewer.sensors.plugins import PluginRegistry


@pytest.fixture(scope="module")
def registry() -> PluginRegistry:
    return PluginRegistry.discover()


def _frame(x=0.0, y=0.0, z=0.0, rx=0.0, ry=0.0, rz=0.0) -> str:
    values = dict(x=x, y=y, z=z, rx=rx, ry=ry, rz=rz)
    inner = "".join(f'<Attribute Name="{k}"><Value>{v}</Value></Attribute>' for k, v in values.items())
    return f'<Attribute Name="Frame">{inner}</Attribute>'


def _caex3(body: str, libraries: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<CAEXFile FileName="t.aml" SchemaVersion="3.0" xmlns="http://www.dke.de/CAEX">\n'
        '<SourceDocumentInformation OriginName="test" OriginID="t" OriginVersion="1" '
        'LastWritingDateTime="2026-01-01T00:00:00Z"/>\n'
        f'<InstanceHierarchy Name="Plant" ID="IH1">\n{body}\n</InstanceHierarchy>\n{libraries}\n</CAEXFile>\n'
    )


def _write(folder: Path, text: str | bytes, name: str = "plant.aml") -> Path:
    path = folder / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def _import(path: Path, registry, **kwargs):
    return import_plant(path, registry=registry, **kwargs)


def _error(path: Path, registry, **kwargs) -> PlantFileError:
    with pytest.raises(PlantFileError) as caught:
        _import(path, registry, **kwargs)
    return caught.value


# ---------------------------------------------------------------- CAEX 2.15, depth, missing levels


CAEX_215 = """<?xml version="1.0" encoding="utf-8"?>
<CAEXFile FileName="old.aml" SchemaVersion="2.15" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:noNamespaceSchemaLocation="CAEX_ClassModel_V2.15.xsd">
  <InstanceHierarchy Name="Works">
    <InternalElement ID="{11111111-0000-0000-0000-000000000001}" Name="Plant">
      <InternalElement ID="{11111111-0000-0000-0000-000000000002}" Name="Hall">
        FRAME_HALL
        <InternalElement ID="{11111111-0000-0000-0000-000000000003}" Name="Line A">
          <InternalElement ID="{11111111-0000-0000-0000-000000000004}" Name="Station 1">
            FRAME_CELL
            <InternalElement ID="{11111111-0000-0000-0000-000000000005}" Name="Press"
                             RefBaseSystemUnitPath="Machines/Presses/Press200">
              FRAME_PRESS
              <Attribute Name="Force" AttributeDataType="xs:double" Unit="kN"><Value>200.5</Value></Attribute>
              <Attribute Name="Cycles" AttributeDataType="xs:int"><Value>12</Value></Attribute>
              <ExternalInterface ID="{i1}" Name="Out" RefBaseClassPath="Lib/Port"/>
            </InternalElement>
            <InternalElement ID="{11111111-0000-0000-0000-000000000006}" Name="Robot">
              <ExternalInterface ID="{i2}" Name="In" RefBaseClassPath="Lib/Port"/>
            </InternalElement>
            <InternalLink Name="flow" RefPartnerSideA="{11111111-0000-0000-0000-000000000005}:Out"
                          RefPartnerSideB="{11111111-0000-0000-0000-000000000006}:In"/>
          </InternalElement>
        </InternalElement>
        <InternalElement ID="{11111111-0000-0000-0000-000000000007}" Name="Loose cabinet">FRAME_LOOSE</InternalElement>
      </InternalElement>
    </InternalElement>
  </InstanceHierarchy>
  <SystemUnitClassLib Name="Machines">
    <SystemUnitClass Name="Presses">
      <SystemUnitClass Name="Press200">
        <Attribute Name="Width" Unit="mm"><Value>2400</Value></Attribute>
        <Attribute Name="Length" Unit="mm"><Value>1800</Value></Attribute>
        <Attribute Name="Height" Unit="m"><Value>3.1</Value></Attribute>
      </SystemUnitClass>
    </SystemUnitClass>
  </SystemUnitClassLib>
</CAEXFile>
"""


def test_caex_2_15_without_roles_maps_by_depth(tmp_path, registry):
    text = (
        CAEX_215.replace("FRAME_HALL", _frame(x=100.0, rz=90.0))
        .replace("FRAME_CELL", _frame(x=5.0, y=1.0))
        .replace("FRAME_PRESS", _frame(x=2.0, z=0.5, rz=30.0))
        .replace("FRAME_LOOSE", _frame(y=-3.0))
    )
    result = _import(_write(tmp_path, text), registry)
    document = result.document
    assert [s.name for s in document.sites] == ["Plant"]
    site = document.sites[0]
    assert [a.name for a in site.areas] == ["Hall"]
    lines = site.areas[0].lines
    # the loose cabinet sits right in the hall: a line and a cell are made for it
    assert [li.name for li in lines] == ["Line A", "Hall (line)"]
    assert [c.name for c in lines[1].cells] == ["Hall (cell)"]
    assert site.areas[0].id == "11111111-0000-0000-0000-000000000002"  # a GUID's braces dropped
    by_id = dict(zip([p.equipment.id for p in document.iter_equipment()], equipment_world_matrices(document),
                     strict=True))  # fmt: skip
    press = by_id["11111111-0000-0000-0000-000000000005"]
    # hall turned 90 degrees at x=100; station at (5, 1) in the hall; press at (2, 0, 0.5) in the station
    assert press[:3, 3] == pytest.approx([100.0 - 1.0, 5.0 + 2.0, 0.5])
    assert np.degrees(np.arctan2(press[1, 0], press[0, 0])) == pytest.approx(120.0)
    assert by_id["11111111-0000-0000-0000-000000000007"][:3, 3] == pytest.approx([103.0, 0.0, 0.0])
    equipment = {p.equipment.name: p.equipment for p in document.iter_equipment()}
    assert [(p.name, p.value, p.unit) for p in equipment["Press"].parameters] == [("Force", 200.5, "kN"),
                                                                                  ("Cycles", 12, "")]  # fmt: skip
    kind = document.types[equipment["Press"].type]
    assert equipment["Press"].type == "Press200"
    assert (kind.footprint.width, kind.footprint.depth, kind.footprint.height) == pytest.approx((2.4, 1.8, 3.1))
    assert [(k.side_a, k.side_b) for k in document.links] == [
        ("11111111-0000-0000-0000-000000000005:Out", "11111111-0000-0000-0000-000000000006:In")]  # fmt: skip
    report = result.report
    assert report.format == "AutomationML (CAEX 2.15)"
    assert [(r.what, r.count, r.source) for r in report.mapped if r.what == "line"] == [
        ("line", 1, "InternalElements by depth (no level roles)"),
        ("line", 1, "made to hold elements that had none above them"),
    ]
    assert report.count("equipment") == 3 and report.count("parameters") == 2 and report.count("links") == 1


def test_role_classes_derived_from_the_isa95_ones_and_missing_levels(tmp_path, registry):
    roles = """<RoleClassLib Name="MyRoles">
      <RoleClass Name="Hall" RefBaseClassPath="AutomationMLExtendedRoleClassLib/Area"/>
      <RoleClass Name="Station" RefBaseClassPath="AutomationMLExtendedRoleClassLib/WorkCell"/>
    </RoleClassLib>"""
    body = f"""
    <InternalElement ID="s" Name="Site">
      <InternalElement ID="h" Name="Hall 1">{_frame(x=10.0)}
        <InternalElement ID="st" Name="Station 9">{_frame(y=2.0)}
          <InternalElement ID="m" Name="Machine">{_frame(x=1.0)}</InternalElement>
          <RoleRequirements RefBaseRoleClassPath="MyRoles/Station"/>
        </InternalElement>
        <RoleRequirements RefBaseRoleClassPath="MyRoles/Hall"/>
      </InternalElement>
      <RoleRequirements RefBaseRoleClassPath="AutomationMLExtendedRoleClassLib/Site"/>
    </InternalElement>"""
    document = _import(_write(tmp_path, _caex3(body, roles)), registry).document
    area = document.sites[0].areas[0]
    assert (area.id, area.pose.x) == ("h", 10.0)
    # a cell right in an area: the line between them is made
    assert [(li.id, li.name) for li in area.lines] == [("h.line", "Hall 1 (line)")]
    assert area.lines[0].cells[0].id == "st"
    assert equipment_world_matrices(document)[0][:3, 3] == pytest.approx([11.0, 2.0, 0.0])


# ---------------------------------------------------------------- bad files


def test_not_xml(tmp_path, registry):
    path = _write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00binary")
    error = _error(path, registry)
    assert error.problems[0].file == str(path)
    assert error.problems[0].where.startswith("line 1")
    assert "not well-formed XML" in str(error) or "not an XML file" in str(error)


def test_xml_that_is_not_caex(tmp_path, registry):
    error = _error(_write(tmp_path, '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'), registry)
    assert "expected a CAEXFile root element, got <svg>" in str(error)
    assert error.problems[0].where == "line 2"


def test_wrong_namespace(tmp_path, registry):
    text = _caex3("").replace('xmlns="http://www.dke.de/CAEX"', 'xmlns="http://example.com/not-caex"')
    error = _error(_write(tmp_path, text), registry)
    assert "unknown namespace 'http://example.com/not-caex'" in str(error)
    assert "line 2" in error.problems[0].where


@pytest.mark.parametrize("version", ["2.0", "4.0", ""])
def test_unsupported_caex_version(tmp_path, registry, version):
    text = _caex3("").replace('SchemaVersion="3.0"', f'SchemaVersion="{version}"')
    error = _error(_write(tmp_path, text), registry)
    assert f"unsupported CAEX version {version or 'none'!r}: MotherTwin reads CAEX 2.15 and 3.0" in str(error)
    assert error.problems[0].where == "line 2, CAEXFile SchemaVersion"


def test_caex_3_without_its_namespace(tmp_path, registry):
    text = _caex3("").replace(' xmlns="http://www.dke.de/CAEX"', "")
    assert "expected namespace 'http://www.dke.de/CAEX'" in str(_error(_write(tmp_path, text), registry))


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE CAEXFile [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<CAEXFile FileName="b.aml" SchemaVersion="3.0" xmlns="http://www.dke.de/CAEX">
  <InstanceHierarchy Name="&lol9;"><InternalElement ID="a" Name="&lol9;"/></InstanceHierarchy>
</CAEXFile>
"""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_billion_laughs_is_refused_fast(tmp_path, registry, encoding):
    text = BILLION_LAUGHS.replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>')
    started = time.perf_counter()
    error = _error(_write(tmp_path, text.encode(encoding)), registry)
    assert time.perf_counter() - started < 2.0
    assert "declares XML entities ('lol', 'lol1'" in str(error)
    assert "never expands or fetches entities" in str(error)
    assert error.problems[0].where == "line 1, DOCTYPE"


def test_external_file_entity_is_never_read(tmp_path, registry):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-PASSWORD")
    text = (
        f'<?xml version="1.0"?>\n<!DOCTYPE CAEXFile [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n'
        + _caex3('<InternalElement ID="a" Name="&xxe;"/>').split("\n", 1)[1]
    )
    error = _error(_write(tmp_path, text), registry)
    assert "declares XML entities ('xxe')" in str(error)
    assert "TOP-SECRET" not in str(error)
    passwd = _caex3('<InternalElement ID="a" Name="&xxe;"/>').replace(
        "?>\n", '?>\n<!DOCTYPE CAEXFile [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n', 1
    )
    error = _error(_write(tmp_path, passwd, "passwd.aml"), registry)
    assert "declares XML entities ('xxe')" in str(error) and "root:" not in str(error)


@pytest.fixture
def web_server():
    """A local HTTP server that counts the requests it gets (none may come)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY evil "FETCHED">')

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()
    thread.join()


def test_http_entities_and_dtds_are_never_fetched(tmp_path, registry, web_server):
    url, hits = web_server
    entity = _caex3('<InternalElement ID="a" Name="&web;"/>').replace(
        "?>\n", f'?>\n<!DOCTYPE CAEXFile [<!ENTITY web SYSTEM "{url}/e.xml">]>\n', 1
    )
    error = _error(_write(tmp_path, entity), registry)
    assert "declares XML entities ('web')" in str(error)
    # an external DTD alone (no entity of its own): read without loading it
    dtd = _caex3('<InternalElement ID="a" Name="Press"/>').replace(
        "?>\n", f'?>\n<!DOCTYPE CAEXFile SYSTEM "{url}/caex.dtd">\n', 1
    )
    result = _import(_write(tmp_path, dtd, "dtd.aml"), registry)
    assert [p.equipment.name for p in result.document.iter_equipment()] == ["Press"]
    assert hits == []


def test_truncated_file_names_the_line(tmp_path, registry):
    body = "\n".join(f'<InternalElement ID="e{i}" Name="E{i}">{_frame(x=i)}</InternalElement>' for i in range(50))
    text = _caex3(body)
    cut = text[: len(text) // 2]
    path = _write(tmp_path, cut)
    error = _error(path, registry)
    last_line = cut.count("\n") + 1
    assert error.problems[0].where.startswith(f"line {last_line},")
    assert "not well-formed XML" in error.problems[0].message and str(path) in str(error)


def test_class_reference_cycles_end_with_a_warning(tmp_path, registry):
    libraries = """
    <SystemUnitClassLib Name="Lib">
      <SystemUnitClass Name="A" RefBaseClassPath="Lib/B"/>
      <SystemUnitClass Name="B" RefBaseClassPath="Lib/A"/>
      <SystemUnitClass Name="Self" RefBaseClassPath="Lib/Self"/>
    </SystemUnitClassLib>
    <RoleClassLib Name="Roles">
      <RoleClass Name="R1" RefBaseClassPath="Roles/R2"/>
      <RoleClass Name="R2" RefBaseClassPath="Roles/R1"/>
    </RoleClassLib>"""
    body = """<InternalElement ID="a" Name="Uses A" RefBaseSystemUnitPath="Lib/A">
        <RoleRequirements RefBaseRoleClassPath="Roles/R1"/></InternalElement>
      <InternalElement ID="b" Name="Uses Self" RefBaseSystemUnitPath="Lib/Self"/>"""
    started = time.perf_counter()
    result = _import(_write(tmp_path, _caex3(body, libraries)), registry)
    assert time.perf_counter() - started < 5.0
    messages = [p.message for p in result.problems]
    assert any("reference cycle through RefBaseClassPath (Lib/A -> Lib/B -> Lib/A)" in m for m in messages)
    assert any("(Lib/Self -> Lib/Self)" in m for m in messages)
    assert any("(Roles/R1 -> Roles/R2 -> Roles/R1)" in m for m in messages)
    assert sorted(p.equipment.type for p in result.document.iter_equipment()) == ["A", "Self"]


def test_mirror_objects_and_their_cycles(tmp_path, registry):
    body = """<InternalElement ID="master" Name="Robot"><ExternalInterface ID="p1" Name="Tool" RefBaseClassPath="x"/>
      </InternalElement>
      <InternalElement ID="m1" Name="Robot (mirror)" RefBaseSystemUnitPath="{master}">
        <ExternalInterface ID="p2" Name="Flange" RefBaseClassPath="x"/></InternalElement>
      <InternalElement ID="c1" Name="Loop 1" RefBaseSystemUnitPath="c2"/>
      <InternalElement ID="c2" Name="Loop 2" RefBaseSystemUnitPath="c1"/>
      <InternalElement ID="self" Name="Me" RefBaseSystemUnitPath="self"/>
      <InternalElement ID="other" Name="Other"><ExternalInterface ID="p3" Name="In" RefBaseClassPath="x"/>
        <InternalLink Name="to mirror" RefPartnerSideA="p2" RefPartnerSideB="p3"/></InternalElement>"""
    result = _import(_write(tmp_path, _caex3(body)), registry)
    assert sorted(p.equipment.id for p in result.document.iter_equipment()) == ["master", "other"]
    assert [(k.side_a, k.side_b) for k in result.document.links] == [("master:Flange", "other:In")]
    cycles = [p for p in result.problems if "reference cycle of mirror objects" in p.message]
    assert len(cycles) >= 2 and any("'Loop 1' -> 'Loop 2' -> 'Loop 1'" in p.message for p in cycles)
    assert next(r.count for r in result.report.skipped if r.source.startswith("mirror objects")) == 4


def test_missing_references_warn_and_still_import(tmp_path, registry):
    body = """<InternalElement ID="a" Name="Press" RefBaseSystemUnitPath="NoSuchLib/Press">
        <ExternalInterface ID="g" Name="Shape"
            RefBaseClassPath="AutomationMLInterfaceClassLib/AutomationMLBaseInterface/ExternalDataConnector/COLLADAInterface">
          <Attribute Name="refURI"><Value>geometry/press.dae#node</Value></Attribute></ExternalInterface>
      </InternalElement>
      <InternalElement ID="b" Name="Press 2" RefBaseSystemUnitPath="NoSuchLib/Press"/>
      <InternalElement ID="c" Name="Fetched?"><ExternalInterface ID="h" Name="Shape"
            RefBaseClassPath="AutomationMLInterfaceClassLib/AutomationMLBaseInterface/ExternalDataConnector/COLLADAInterface">
          <Attribute Name="refURI"><Value>http://127.0.0.1:9/remote.dae</Value></Attribute></ExternalInterface>
        <InternalLink Name="dangling" RefPartnerSideA="h" RefPartnerSideB="nowhere"/></InternalElement>"""
    path = _write(tmp_path, _caex3(body))
    result = _import(path, registry)
    assert result.document.equipment_count() == 3
    messages = [(p.where, p.message) for p in result.problems]
    unknown = [m for m in messages if "unknown SystemUnitClass 'NoSuchLib/Press'" in m[1]]
    assert len(unknown) == 1  # one warning per missing class, however many elements use it
    assert next(r.count for r in result.report.skipped if "unknown SystemUnitClass" in r.source) == 2
    assert unknown[0][0].startswith("line ") and "InternalElement 'Press' (ID a)" in unknown[0][0]
    assert any("mesh file 'geometry/press.dae' not found" in m for _, m in messages)
    assert any("is not a local file: not fetched" in m for _, m in messages)
    assert any("partner 'nowhere' is no interface of the file" in m for _, m in messages)
    assert result.document.links == []


def test_a_huge_file_is_refused_at_once_unless_asked_for(tmp_path, registry):
    path = tmp_path / "huge.aml"
    element = '<InternalElement ID="e" Name="E"/>\n' * 1000
    with path.open("w") as out:
        out.write(_caex3("").split("</InstanceHierarchy>")[0])
        for _ in range(200 * 1000 * 1000 // len(element) + 1):
            out.write(element)
        out.write("</InstanceHierarchy></CAEXFile>\n")
    assert path.stat().st_size > 200e6
    started = time.perf_counter()
    error = _error(path, registry)
    assert time.perf_counter() - started < 5.0
    assert "200 MB is more than the 150 MB this importer reads by default" in str(error)
    assert "--option max_size_mb=201" in str(error)
    path.unlink()
    options = import_options(_write(tmp_path, _caex3("")), registry)
    assert [(o.key, o.default, o.numeric) for o in options] == [("max_size_mb", "150", True)]
    small = _write(tmp_path, _caex3('<InternalElement ID="a" Name="A"/>' * 3000))
    assert "more than the 0.01 MB" in str(_error(small, registry, options={"max_size_mb": "0.01"}))
    assert _import(small, registry, options={"max_size_mb": "1"}).document.equipment_count() == 3000


def test_cancel_leaves_nothing(tmp_path, registry):
    body = "".join(f'<InternalElement ID="e{i}" Name="E{i}"/>' for i in range(3000))
    assert _import(_write(tmp_path, _caex3(body)), registry, cancelled=lambda: True) is None


def test_duplicate_ids_network_shares_and_frame_units(tmp_path, registry):
    connector = "AutomationMLInterfaceClassLib/AutomationMLBaseInterface/ExternalDataConnector/COLLADAInterface"

    def shape(uri: str) -> str:
        return (f'<ExternalInterface ID="{uri}" Name="Shape" RefBaseClassPath="{connector}">'
                f'<Attribute Name="refURI"><Value>{uri}</Value></Attribute></ExternalInterface>')  # fmt: skip

    frame = (
        '<Attribute Name="Frame"><Attribute Name="x" Unit="mm"><Value>1500</Value></Attribute>'
        '<Attribute Name="rz" Unit="rad"><Value>3.141592653589793</Value></Attribute></Attribute>'
    )
    body = f"""<InternalElement ID="same" Name="First">{frame}{shape("file://fileserver/share/a.dae")}</InternalElement>
      <InternalElement ID="same" Name="Second">{shape("//fileserver/share/b.dae")}</InternalElement>"""
    result = _import(_write(tmp_path, _caex3(body)), registry)
    first, second = (p.equipment for p in result.document.iter_equipment())
    assert (first.id, second.id) == ("same", "same-2")
    assert (first.pose.x, first.pose.yaw) == pytest.approx((1.5, 180.0))
    messages = [p.message for p in result.problems]
    assert "ID used before in the file: imported as 'same-2'" in messages
    assert sum("is not a local file: not fetched" in m for m in messages) == 2
