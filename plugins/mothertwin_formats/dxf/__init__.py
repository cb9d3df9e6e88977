"""DXF layout drawings (AutoCAD plant layouts) as a plant: block INSERTs become equipment, layers become lines
and cells, closed polylines on the building's layers become its outline, walls and columns.

The drawing is untrusted: text DXF is read with ezdxf's recover mode (what its auditor repaired is reported as
warnings), binary DXF with ezdxf's binary tag loader and an audit. `$INSUNITS` gives the drawing unit (a
unitless drawing is taken as millimetres, the plant-layout default, with a warning; the "units" option
overrides it). Everything comes out in metres, in the drawing's own coordinates (site coordinates).

An equipment sits at the centre of its block's outline (a type's footprint is centred on the equipment origin),
turned by the insert's rotation, scaled by its X and Y scale, so its footprint box covers the outline as drawn;
the type (one per block name) keeps the outline's size and a height (an attribute HEIGHT / H of the insert, the
"height:<BLOCK>" option, or 2 m). Ids are the insert handles ("dxf-<handle>"), stable over re-imports.

Which layer becomes what: the "layer-map" option (`EQUIP-L1=line:Line 1,EQUIP-C1=cell:Line 1/Cell A,
A-WALL=building,TEXT=skip`), else the per-layer option "layer:<LAYER>", else a rule: a layer named like a
building part (WALL, COL, COLUMN, BUILDING, BLDG) is the building, a layer with block inserts a line, any other
layer is skipped.
"""

from mothertwin_formats.dxf.layers import _layers_and_blocks, scan_layers
from mothertwin_formats.dxf.reader import DxfReader

__all__ = ["DxfReader", "_layers_and_blocks", "scan_layers"]
