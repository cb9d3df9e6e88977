"""Mother line and child lines: clone, deviations, differences, process outputs, reports. No Qt, no VTK."""

from viewer.compare.clone import CloneError, clone_line, document_revision, find_line
from viewer.compare.diff import Difference, DiffResult, Kind, Level, Tolerances, diff_lines
from viewer.compare.layout_problems import LAYOUT_RULE, LayoutProblem

__all__ = [
    "LAYOUT_RULE",
    "CloneError",
    "DiffResult",
    "Difference",
    "Kind",
    "LayoutProblem",
    "Level",
    "Tolerances",
    "clone_line",
    "diff_lines",
    "document_revision",
    "find_line",
]
