"""The plant file formats that ship with MotherTwin, as a plugin like any third party's: AutomationML (import
and export), IFC and DXF layouts (import).

Importing this package is cheap: it only declares the manifest. Each format's module (and its library: lxml,
ifcopenshell, ezdxf) is imported when a file of that format is first opened or written.
"""

from viewer.sensors.plugins import Contribution, PluginManifest

manifest = PluginManifest(
    name="mothertwin-formats",
    version="0.1.0",
    contributions=(
        Contribution(
            "importer", "aml", "mothertwin_formats.aml.reader:AmlReader", "AutomationML (CAEX)", handles=(".aml",)
        ),
        Contribution("importer", "ifc", "mothertwin_formats.ifc:IfcReader", "IFC building model", handles=(".ifc",)),
        Contribution("importer", "dxf", "mothertwin_formats.dxf:DxfReader", "DXF layout drawing", handles=(".dxf",)),
        Contribution(
            "exporter", "aml", "mothertwin_formats.aml.writer:AmlWriter", "AutomationML (CAEX 3.0)", handles=(".aml",)
        ),
    ),
)
