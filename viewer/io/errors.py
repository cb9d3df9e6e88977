"""Errors that say which file, where in it, and what was expected."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    where: str  # a JSON path like $.sites[0].name, or "line 12, column 5"
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.message}"


class PlantFileError(Exception):
    """A file that cannot be used; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @classmethod
    def single(cls, file: Path | str, where: str, message: str) -> PlantFileError:
        return cls([Problem(str(file), where, message)])
