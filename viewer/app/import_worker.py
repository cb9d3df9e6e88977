"""Running an importer in a process of its own, so that a crash of a native library on a bad file (ifcopenshell's
geometry iterator is known to take the process down on some files) becomes a message and the window, with its
open document, carries on.

The parent starts `python -m viewer.app.import_worker`, hands it the reader's class ("module:Class"), the file
and the options as one JSON line on stdin, and reads JSON lines back: progress as it goes, then the document as
plant JSON (checked by the parent against the schema like any file), the problems, the mapping report and the
assets (base64). Only JSON crosses: nothing the child sends is unpickled or evaluated. A cancel kills the child.
"""

from __future__ import annotations

import base64
import importlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import traceback
from pathlib import Path
from typing import Any

from viewer.app.opening import (
    MappingReport,
    OpenCancelledError,
    Reader,
    ReadRequest,
    ReadResult,
)
from viewer.io import PlantFileError, Problem, builtin_library
from viewer.io.plant_json import document_from_data, document_to_dict

POLL_SECONDS = 0.05  # how often the parent looks for a cancel while the child works
STDERR_TAIL = 2000  # characters of a crashed child's error output kept in its message


def reader_target(reader: Reader) -> str:
    """The "module:Class" a worker makes the reader from (an isolated reader is a class made without arguments)."""
    cls = type(reader)
    return f"{cls.__module__}:{cls.__qualname__}"


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def read_in_worker(reader: Reader, request: ReadRequest) -> ReadResult:
    """Read `request.path` with `reader` in a child process. Raises PlantFileError (the reader's own, or one
    saying the importer crashed), OpenCancelledError once `request.cancelled()` says so."""
    path = request.path
    environment = dict(os.environ)
    # The child imports what this process imports: the same packages and plugin folders, in the same order.
    environment["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    job = {"target": reader_target(reader), "path": str(path), "options": dict(request.options)}
    child = subprocess.Popen(
        [sys.executable, "-m", "viewer.app.import_worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
    )
    assert child.stdin is not None and child.stdout is not None and child.stderr is not None
    child.stdin.write((json.dumps(job) + "\n").encode())
    child.stdin.close()
    lines: queue.Queue[bytes | None] = queue.Queue()
    errors: list[bytes] = []

    def pump_out() -> None:
        assert child.stdout is not None
        for raw in child.stdout:
            lines.put(raw)
        lines.put(None)

    def pump_err() -> None:
        assert child.stderr is not None
        errors.append(child.stderr.read())

    threads = [threading.Thread(target=f, daemon=True) for f in (pump_out, pump_err)]
    for thread in threads:
        thread.start()
    outcome: dict[str, Any] | None = None
    try:
        while True:
            if request.cancelled():
                raise OpenCancelledError
            try:
                raw = lines.get(timeout=POLL_SECONDS)
            except queue.Empty:
                continue
            if raw is None:
                break
            try:
                message = json.loads(raw)
            except ValueError:
                continue  # a library's own print to stdout, not ours
            if not isinstance(message, dict):
                continue
            if "progress" in message:
                request.progress(float(message["progress"]), str(message.get("stage", "")))
            else:
                outcome = message
    finally:
        if child.poll() is None and outcome is None:
            child.kill()
        child.wait()
        for thread in threads:
            thread.join(timeout=5)
    name = getattr(reader, "title", "") or reader.name
    if outcome is None:
        stderr = b"".join(errors).decode("utf-8", "replace").strip()[-STDERR_TAIL:]
        how = _signal_name(child.returncode) if child.returncode < 0 else f"exit status {child.returncode}"
        detail = f": {stderr.splitlines()[-1]}" if stderr else ""
        raise PlantFileError.single(
            path, "file", f"the {name} importer crashed ({how}) reading this file{detail}; the open plant is unchanged"
        )
    if "problems" in outcome and "document" not in outcome:
        raise PlantFileError([Problem(*p) for p in outcome["problems"]])
    if "failed" in outcome:
        raise PlantFileError.single(path, "file", f"the {name} importer failed: {outcome['failed']}")
    text = json.dumps(outcome["document"])
    document = document_from_data(outcome["document"], text, str(path), request.library, path.parent.resolve())
    report = MappingReport.from_dict(outcome["report"]) if outcome.get("report") else None
    assets = {str(k): base64.b64decode(v) for k, v in outcome.get("assets", {}).items()}
    return ReadResult(document, [Problem(*p) for p in outcome.get("warnings", [])], report, assets)


# ---------------------------------------------------------------- the child


def _send(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _child() -> int:
    job = json.loads(sys.stdin.readline())
    module_name, _, attr = str(job["target"]).partition(":")
    reader_class: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        reader_class = getattr(reader_class, part)
    reader = reader_class()
    path = Path(job["path"])
    try:
        data = path.read_bytes()
        request = ReadRequest(
            path,
            data,
            builtin_library(),
            lambda fraction, stage: _send({"progress": fraction, "stage": stage}),
            lambda: False,  # the parent kills this process to cancel
            False,
            dict(job.get("options", {})),
        )
        result = reader.read(request)
    except PlantFileError as exc:
        _send({"problems": [[p.file, p.where, p.message] for p in exc.problems]})
        return 0
    except OSError as exc:
        _send({"problems": [[str(path), "file", f"cannot read: {exc.strerror or exc}"]]})
        return 0
    except Exception as exc:  # the importer's bug: said, with where it happened
        where = traceback.extract_tb(exc.__traceback__)[-1]
        _send({"failed": f"{type(exc).__name__}: {exc} ({Path(where.filename).name}:{where.lineno})"})
        return 0
    _send(
        {
            "document": document_to_dict(result.document),
            "warnings": [[p.file, p.where, p.message] for p in result.problems],
            "report": result.report.to_dict() if result.report else None,
            "assets": {name: base64.b64encode(content).decode() for name, content in result.assets.items()},
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(_child())
