"""clicked(bool), triggered(bool) and toggled(bool) hand their checked flag to the slot's first parameter; a
slot whose first parameter is optional (`def export(self, path=None)`) then gets False as its path. This test
reads the source of viewer/ (no Qt started) and fails on any such connection, so the shape cannot come back."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

VIEWER = Path(__file__).resolve().parents[1] / "viewer"
FLAG_SIGNALS = {"clicked", "triggered", "toggled"}
FLAG_NAMES = {"checked", "on", "state", "enabled", "visible"}  # a first parameter that means to take the flag


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def _optional_first(args: ast.arguments, skip_self: bool) -> str | None:
    """The name of the first positional parameter when it has a default and does not say it takes the flag."""
    positional = [*args.posonlyargs, *args.args]
    if skip_self and positional and positional[0].arg in ("self", "cls"):
        positional = positional[1:]
    if not positional:
        return None
    first = positional[0]
    takes_flag = first.arg.startswith("_") or first.arg in FLAG_NAMES
    has_default = len(positional) <= len(args.defaults)
    return first.arg if has_default and not takes_flag else None


class _Source:
    """Every module of a package: classes and their methods, and which functions forward a slot to a signal."""

    def __init__(self, modules: dict[str, ast.Module]) -> None:
        self.modules = modules
        self.classes: dict[str, ast.ClassDef] = {}
        self.methods: dict[str, list[ast.FunctionDef]] = {}
        self.forwarders: dict[str, tuple[int, str]] = {}  # function name -> (argument index, parameter name)
        for tree in modules.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef):
                    self.classes[node.name] = node
                    for item in node.body:
                        if isinstance(item, ast.FunctionDef):
                            self.methods.setdefault(item.name, []).append(item)
                if isinstance(node, ast.FunctionDef):
                    self._note_forwarder(node)

    def _note_forwarder(self, function: ast.FunctionDef) -> None:
        params = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
        offset = 1 if params and params[0] in ("self", "cls") else 0
        for call in _flag_connects(function):
            slot = call.args[0]
            if isinstance(slot, ast.Name) and slot.id in params:
                self.forwarders[function.name] = (params.index(slot.id) - offset, slot.id)

    def class_method(self, cls: ast.ClassDef | None, name: str) -> list[ast.FunctionDef]:
        seen = set()
        while cls is not None and cls.name not in seen:
            seen.add(cls.name)
            found = [i for i in cls.body if isinstance(i, ast.FunctionDef) and i.name == name]
            if found:
                return found
            bases = [b.id for b in cls.bases if isinstance(b, ast.Name) and b.id in self.classes]
            cls = self.classes[bases[0]] if bases else None
        return []


def _flag_connects(node: ast.AST) -> Iterator[ast.Call]:
    for call in ast.walk(node):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "connect"
            and isinstance(call.func.value, ast.Attribute)
            and call.func.value.attr in FLAG_SIGNALS
            and call.args
        ):
            yield call


def _loop_values(function: ast.AST, name: str) -> list[ast.expr]:
    """What a loop variable takes in `for text, slot in (("A", self.a), ("B", self.b))`."""
    out = []
    for loop in ast.walk(function):
        if not isinstance(loop, ast.For) or not isinstance(loop.iter, ast.Tuple | ast.List):
            continue
        targets = loop.target.elts if isinstance(loop.target, ast.Tuple) else [loop.target]
        names = [t.id if isinstance(t, ast.Name) else None for t in targets]
        if name not in names:
            continue
        index = names.index(name)
        for item in loop.iter.elts:
            if len(targets) == 1:
                out.append(item)
            elif isinstance(item, ast.Tuple) and len(item.elts) == len(targets):
                out.append(item.elts[index])
    return out


def find_flag_into_optional(modules: dict[str, ast.Module]) -> list[Finding]:
    """Connections of a checked-flag signal to a slot whose first parameter is optional."""
    source = _Source(modules)
    return [f for file, tree in modules.items() for f in _check_module(source, file, tree)]


def _check_module(source: _Source, file: str, tree: ast.Module) -> list[Finding]:
    findings: list[Finding] = []
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    def enclosing(node: ast.AST, kind: type) -> ast.AST | None:
        while node in parents:
            node = parents[node]
            if isinstance(node, kind):
                return node
        return None

    def check(slot: ast.expr, at: ast.AST, via: str) -> None:
        function = enclosing(at, ast.FunctionDef)
        if isinstance(slot, ast.Lambda):
            name = _optional_first(slot.args, skip_self=False)
            targets = [(f"lambda {ast.unparse(slot.args)}", name)] if name else []
        elif isinstance(slot, ast.Attribute):
            if isinstance(slot.value, ast.Name) and slot.value.id == "self":
                candidates = source.class_method(enclosing(at, ast.ClassDef), slot.attr)
            else:
                candidates = source.methods.get(slot.attr, [])
            targets = [(f.name, n) for f in candidates if (n := _optional_first(f.args, skip_self=True))]
        elif isinstance(slot, ast.Name) and function is not None:
            for value in _loop_values(function, slot.id):
                check(value, at, via)
            return
        else:
            return
        for target, parameter in targets:
            findings.append(Finding(file, at.lineno, f"{via} passes its checked flag (True/False) as "
                                    f"{parameter!r} of {target}: wire it through a lambda without "
                                    "parameters"))  # fmt: skip

    for call in _flag_connects(tree):
        function = enclosing(call, ast.FunctionDef)
        if function is not None and function.name in source.forwarders:
            slot = call.args[0]
            if isinstance(slot, ast.Name) and slot.id == source.forwarders[function.name][1]:
                continue  # checked at the callers of this function
        check(call.args[0], call, f"{call.func.value.attr}")
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        for keyword in call.keywords:  # QAction("Export", self, triggered=self.export)
            if keyword.arg in FLAG_SIGNALS:
                check(keyword.value, call, f"{keyword.arg}=")
        callee = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
        if callee not in source.forwarders:
            continue
        index, parameter = source.forwarders[callee]
        slot = next((k.value for k in call.keywords if k.arg == parameter), None)
        if slot is None and index < len(call.args):
            slot = call.args[index]
        if slot is not None:
            check(slot, call, f"{callee}(...) wires to a signal that")
    return findings


def _parse(files: dict[str, str]) -> dict[str, ast.Module]:
    return {name: ast.parse(text) for name, text in files.items()}


def test_no_checked_flag_reaches_an_optional_parameter_in_viewer():
    modules = {
        str(p.relative_to(VIEWER.parent)): ast.parse(p.read_text(encoding="utf-8")) for p in VIEWER.rglob("*.py")
    }
    findings = find_flag_into_optional(modules)
    assert [str(f) for f in findings] == []


def test_the_check_finds_the_shapes_it_is_for():
    """The compare window's register buttons and report action as they were, and the safe ways to wire them."""
    window = '''
class Window(QMainWindow):
    def build(self):
        for text, slot in (("Propose...", self.propose), ("Approve", lambda: self.decide(1)),
                           ("Export CSV...", self.export)):
            button = QPushButton(text)
            button.clicked.connect(slot)
        report = QAction("Write report...", self)
        report.triggered.connect(self.write_report)
        self.grid = self._action("Grid", self.set_grid)
        self.recent.triggered.connect(lambda p="plant.json": self.open(p))
        ok = QPushButton()
        ok.clicked.connect(lambda: self.export())
        ok.clicked.connect(lambda _=False, p="x": self.export(p))
        ok.toggled.connect(self.set_grid)
        ok.clicked.connect(self.refresh)
        ok.clicked.connect(self.helper.run)
        self.export_action = QAction("Export", self, triggered=self.export)

    def _action(self, text, slot):
        action = QAction(text, self)
        action.triggered.connect(slot)
        return action

    def propose(self, reason=None): ...
    def decide(self, status): ...
    def export(self, path: Path | None = None): ...
    def write_report(self, path=None): ...
    def set_grid(self, on: bool = True): ...
    def refresh(self): ...
    def open(self, path): ...

class Helper:
    def run(self, steps=10): ...
'''
    findings = find_flag_into_optional(_parse({"window.py": window}))
    lines = {(f.line, f.message.split(" of ")[1].split(":")[0]) for f in findings}
    assert lines == {(7, "propose"), (7, "export"), (9, "write_report"), (11, "lambda p='plant.json'"), (17, "run"),
                     (18, "export")}
    assert "passes its checked flag (True/False) as 'path' of export" in " ".join(f.message for f in findings)
