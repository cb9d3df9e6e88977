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


UI = ROOT / "viewer" / "ui"


def _feature_packages() -> dict[str, set[str]]:
    """Each feature package of the window (a folder of viewer/ui) and the names its `__init__` exports."""
    packages: dict[str, set[str]] = {}
    for init in sorted(UI.glob("*/__init__.py")):
        exported: set[str] = set()
        for node in ast.parse(init.read_text(encoding="utf-8")).body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if any(isinstance(target, ast.Name) and target.id == "__all__" for target in targets):
                exported = set(ast.literal_eval(node.value))
        packages[init.parent.name] = exported
    return packages


def ui_imports_past_exports(ui_root: Path = UI) -> list[str]:
    """Imports in ui_root/** that reach into another feature package's modules or take a name it does not export.

    Every import counts: at module level, under `if TYPE_CHECKING:` and inside functions.
    """
    packages = _feature_packages()
    problems: list[str] = []
    for path in sorted(ui_root.rglob("*.py")):
        parts = path.relative_to(ui_root).parts
        own = parts[0] if len(parts) > 1 else None  # None: a top-level module (main_window.py, app.py...)
        where = path.relative_to(ui_root.parents[1]).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in sorted(ast.walk(tree), key=lambda found: getattr(found, "lineno", 0)):
            if isinstance(node, ast.Import):
                modules = [(alias.name, []) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [(node.module, [alias.name for alias in node.names])]
            else:
                continue
            for module, names in modules:
                dotted = module.split(".")
                if dotted[:2] != ["viewer", "ui"] or len(dotted) < 3:
                    continue
                feature = dotted[2]
                if feature not in packages or feature == own:
                    continue
                if len(dotted) > 3:
                    problems.append(f"{where}:{node.lineno}: imports {module}, a module of viewer.ui.{feature}")
                for name in sorted(set(names) - packages[feature]):
                    problems.append(f"{where}:{node.lineno}: takes {name} from viewer.ui.{feature}, not in its __all__")
    return problems


def test_ui_feature_packages_use_each_other_only_through_their_exports():
    """ui/document, ui/edit, ui/sensors...: another part of the window imports a package, never its modules."""
    assert set(_feature_packages()) >= {"document", "explore", "edit", "sensors", "compare", "plugins", "help"}
    assert ui_imports_past_exports() == []


def test_an_import_past_a_package_s_exports_is_named_by_file_and_line(tmp_path):
    """The check above sees a reach into another package, also one under TYPE_CHECKING or inside a function."""
    shutil.copytree(UI, tmp_path / "viewer" / "ui")
    planted = tmp_path / "viewer" / "ui" / "edit" / "planted.py"
    planted.write_text(
        "from typing import TYPE_CHECKING\n"
        "from viewer.ui.edit.drag import DragSession\n"  # its own package: allowed
        "if TYPE_CHECKING:\n"
        "    from viewer.ui.document.session import DocumentSession\n"
        "def later():\n"
        "    import viewer.ui.explore.library_dock\n"
        "    from viewer.ui.sensors import timeline\n",
        encoding="utf-8",
    )
    assert ui_imports_past_exports(tmp_path / "viewer" / "ui") == [
        "viewer/ui/edit/planted.py:4: imports viewer.ui.document.session, a module of viewer.ui.document",
        "viewer/ui/edit/planted.py:6: imports viewer.ui.explore.library_dock, a module of viewer.ui.explore",
        "viewer/ui/edit/planted.py:7: takes timeline from viewer.ui.sensors, not in its __all__",
    ]


LINE_LIMIT = 600  # a module longer than this is two modules in one file: split it by what its parts do
DATA_TABLES = {"viewer/assets_gen/library_spec.py"}  # the equipment types' table: rows, not code to follow


def modules_over_the_line_limit(root: Path = ROOT / "viewer") -> list[str]:
    """Modules under root (DATA_TABLES aside) longer than LINE_LIMIT lines, as 'path: N lines'."""
    found = []
    for path in sorted(root.rglob("*.py")):
        where = path.relative_to(root.parent).as_posix()
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > LINE_LIMIT and where not in DATA_TABLES:
            found.append(f"{where}: {count} lines")
    return found


@pytest.mark.parametrize("folder", ["viewer", "plugins"])
def test_no_module_is_over_the_line_limit(folder):
    assert modules_over_the_line_limit(ROOT / folder) == []


def test_the_line_limit_check_names_a_long_module_and_spares_the_data_table(tmp_path):
    (tmp_path / "viewer" / "cli").mkdir(parents=True)
    (tmp_path / "viewer" / "assets_gen").mkdir()
    (tmp_path / "viewer" / "cli" / "short.py").write_text("x = 1\n" * LINE_LIMIT, encoding="utf-8")
    (tmp_path / "viewer" / "cli" / "long.py").write_text("x = 1\n" * (LINE_LIMIT + 1), encoding="utf-8")
    (tmp_path / "viewer" / "assets_gen" / "library_spec.py").write_text("x = 1\n" * 900, encoding="utf-8")
    assert modules_over_the_line_limit(tmp_path / "viewer") == [f"viewer/cli/long.py: {LINE_LIMIT + 1} lines"]
