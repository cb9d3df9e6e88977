"""The plant file formats that ship with MotherTwin, as a plugin like any third party's: AutomationML (import
and export), IFC and DXF layouts (import), glTF and OpenUSD (export).

Importing this package is cheap: it only declares the manifest. Each format's module (and its library: lxml,
ifcopenshell, ezdxf, pxr) is imported when a file of that format is first opened or written.
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
        Contribution("exporter", "glb", "mothertwin_formats.gltf:GlbWriter", "glTF 2.0 binary", handles=(".glb",)),
        Contribution("exporter", "gltf", "mothertwin_formats.gltf:GltfWriter", "glTF 2.0", handles=(".gltf",)),
        Contribution("exporter", "usd", "mothertwin_formats.usd:UsdWriter", "OpenUSD", handles=(".usd",)),
        Contribution("exporter", "usda", "mothertwin_formats.usd:UsdaWriter", "OpenUSD text", handles=(".usda",)),
        Contribution("exporter", "usdc", "mothertwin_formats.usd:UsdcWriter", "OpenUSD binary", handles=(".usdc",)),
    ),
)
