"""The benchmarks, started one way: `mothertwin bench [load|ui|live|recording|replay|review|compare|formats|all]`.

Each kind is a module of its own: `load` (file, scene, frames, layout checks), `compare` (the diff of two big
lines), `formats` (AutomationML out and back, IFC in), `recording` (state queries on a long recording) need
no display; `ui`, `live`, `replay` and `review` open the real
main window and import viewer.ui only inside their run functions. `command` holds the kinds and their options;
nothing below this package imports it.
"""
