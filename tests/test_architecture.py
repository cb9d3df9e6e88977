"""The rules of the code's shape, checked by tools: import-linter's contracts and mypy (both in pyproject.toml).

The tools come with the `test` extra (`pip install -e ".[test]"`); they are looked for next to the Python that
runs the tests (the venv's bin folder), then on PATH. This tree is put first on the tools' import path, so they
check the code here and not some other installed copy.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import viewer.sensors

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = ROOT / "plugins"


def _tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} not found next to {sys.executable} nor on PATH: pip install -e '.[test]'")
    return found


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(PLUGINS), *filter(None, [env.get("PYTHONPATH")])])
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_import_contracts_are_kept():
    result = _run([_tool("lint-imports"), "--no-logo"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kept, 0 broken." in result.stdout


def test_headless_layers_type_check():
    # --python-executable: the third-party packages (numpy, trimesh, duckdb...) as installed for the app.
    result = _run([_tool("mypy"), "--python-executable", sys.executable])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Success: no issues found")


def test_shipped_plugins_use_only_exported_names():
    """What the plugins take from `viewer.sensors` is in its `__all__`: the public plugin API, not a leftover."""
    public = set(viewer.sensors.__all__)
    taken: dict[str, set[str]] = {}
    for path in sorted((PLUGINS / "mothertwin_builtin_sources").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "viewer.sensors":
                taken.setdefault(path.name, set()).update(alias.name for alias in node.names)
    assert taken  # the check looked at the plugins' imports
    assert {name: sorted(names - public) for name, names in taken.items() if names - public} == {}
