"""The `mothertwin` command: render, validate, info, generate, bench, build-assets."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from viewer.io import PlantFileError, builtin_library, save_document
from viewer.model import EquipmentLibrary, PlantDocument

if TYPE_CHECKING:
    import numpy as np

    from viewer.compare import DiffResult
    from viewer.compare.outputs import OutputComparison
    from viewer.scene.render import RenderRequest

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
EXIT_DIFFERS = 1  # diff: the child line does not conform under --fail-on
FAIL_ON = ("drift", "any", "never")
TOLERANCES_HELP = '{"position": m, "rotation": deg, "parameters": {name: abs}}'
DEMO = "demo"  # stands for the built-in demo plant wherever a command takes a plant file
PLANT_HELP = "plant document, or demo for the built-in demo plant"


def plant_path(text: str) -> Path:
    """A plant file argument: `demo` is the built-in demo plant, unless a file of that name is here (a real
    file a user points at wins over a shortcut, as a path always does; a note says so). A folder named demo
    is no plant file: the shortcut stands."""
    from viewer.paths import demo_plant_path

    path = Path(text)
    if text != DEMO:
        return path
    if path.is_file():
        print(f"mothertwin: {DEMO!r} is the file {path.resolve()} here, not the built-in demo plant", file=sys.stderr)
        return path
    return demo_plant_path()


def plant_library(document: PlantDocument) -> EquipmentLibrary:
    """The built-in library with the document's own types (imported vendor meshes) over it."""
    return builtin_library().merged(document.types)


def _print_problems(error: PlantFileError) -> None:
    """Every problem of a file that could not be read (file, JSON path, what was expected), then a count."""
    for problem in error.problems:
        print(problem, file=sys.stderr)
    count = len(error.problems)
    print(f"{count} problem{'s' if count != 1 else ''} found", file=sys.stderr)


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 1600x900, got {text!r}") from None
    if not (16 <= width <= 16384 and 16 <= height <= 16384):
        raise argparse.ArgumentTypeError(f"size {text!r} out of range: 16 to 16384 pixels each way")
    return width, height


def _load(path: Path) -> PlantDocument:
    """The plant of a command's file argument, opened as the window opens it. Raises PlantFileError."""
    from viewer.app.opening import open_plant

    opened = open_plant(path, builtin_library())
    assert opened is not None  # only a cancel gives none
    return opened.document


class NothingToShowError(Exception):
    """What was asked cannot be shown (no equipment has a value at the time asked): exit 1."""


def cmd_render(args: argparse.Namespace) -> int:
    from viewer.scene.offscreen import save_png
    from viewer.scene.render import RenderRequest, render_image

    document = _load(args.file)
    request = RenderRequest(
        size=args.size,
        view=args.view,
        site=args.site,
        line=args.line,
        labels=not args.no_labels,
        transparent=args.transparent,
        ids=args.ids,
        title_block=not args.no_title_block,
        north=not args.no_north,
        scale_bar=not args.no_scale_bar,
    )
    if (args.recording is None) != (args.at is None):
        print("mothertwin render: --recording and --at go together", file=sys.stderr)
        return EXIT_USAGE
    if args.color_by and args.recording is None:
        print("mothertwin render: --color-by needs --recording and --at", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.recording is not None:
            image, note = _render_recorded_state(document, request, args.recording, args.at, args.color_by, args.utc)
            print(note)
        else:
            image = render_image(document, plant_library(document), request)
    except NothingToShowError as exc:
        for warning in request.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        print(f"mothertwin render: {exc}; no picture written", file=sys.stderr)
        return EXIT_INVALID
    except (KeyError, ValueError) as exc:
        print(f"mothertwin render: {exc.args[0]}", file=sys.stderr)
        return EXIT_USAGE
    for warning in request.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    save_png(image, args.output)
    print(f"wrote {args.output} ({args.size[0]}x{args.size[1]}, {args.view} view)")
    return EXIT_OK


def _render_recorded_state(
    document: PlantDocument, request: RenderRequest, recording: Path, at_text: str, color_by: str | None = None,
    utc: bool = False,
) -> tuple[np.ndarray, str]:
    """Like render_image, with equipment coloured by their recorded state at a time (one array write). The time
    is read, and written in the legend, in the site's zone (`utc`: in UTC); one with an offset is that moment.
    Raises NothingToShowError when no equipment has a value at `at` (before the recording, long after it)."""
    from viewer.app.sensor_view import SensorView, numeric_tags
    from viewer.model.site_time import display_for, parse_site_time
    from viewer.scene.offscreen import offscreen_plotter
    from viewer.scene.plant_view import PlantView
    from viewer.scene.render import choose_site, draw_sheet, find_line, id_warnings
    from viewer.scene.view_overlays import ColorLegend
    from viewer.sensors import Bindings, Recording
    from viewer.sensors import recording as messages
    from viewer.sensors.recording import state_store_at

    site = choose_site(document, request.site)
    display = display_for(site.timezone, utc)
    try:
        at = parse_site_time(at_text, display.input_zone)
    except ValueError as exc:
        raise ValueError(f"--at: {exc}") from None
    line = find_line(site, request.line) if request.line else None
    plotter = offscreen_plotter(request.size)
    try:
        view = PlantView(plotter, names_beside=True)
        view.show_site(document, plant_library(document), site, labels=request.labels)
        bindings = Bindings.build(view.batch.paths)
        sensors = SensorView(bindings)  # the default palette: a picture for anyone, not one user's colours
        numeric = numeric_tags(bindings)
        with Recording(recording) as rec:
            start, end = rec.time_range()
            outside = messages.outside_message(recording, at, start, end, display.text)
            if outside is not None:  # after the end, the last states are held a while (and shown stale)
                request.warnings.append(f"--at {at_text}: {outside}")
            store = state_store_at(rec, at)
            request.warnings.extend(
                messages.text_values_message(recording, f, display.text) for f in rec.text_values(numeric)
            )
        if color_by and color_by not in sensors.colorable_signals():
            known = ", ".join(sensors.colorable_signals()) or "none"
            raise ValueError(
                f"--color-by {color_by}: no analog signal of that name with LO and HI limits at site "
                f"{site.name!r}; there: {known}"
            )
        sensors.color_by = color_by
        colors = sensors.colors(store, now=at)
        report = bindings.report(store.tags())
        if not colors.colored:
            where = f"site {site.name!r}"
            raise NothingToShowError(
                messages.nothing_at_message(recording, where, at, start, end, report.lines()[0], color_by, display.text)
            )
        shown = colors.shown
        view.batch.update_colors(shown.indices, shown.rgb, None, shown.alt_rgb)  # stale ones two-tone
        note = (
            f"{color_by or 'sensor state'} at {display.text(at)}: {colors.colored} equipment coloured, "
            f"{len(colors.data.alarms)} alarms; " + report.lines()[0]
        )
        if line is not None:
            view.focus_line(line)
        if request.transparent:
            plotter.set_background("white")
        moment = display.text(at)
        # Smaller text in a small picture, so that the legend hides as little of the plant as it can.
        legend = ColorLegend(plotter, font_size=max(9, min(13, round(request.size[1] / 55))))
        what = f"{color_by} at" if color_by else "Sensor state at"
        legend.set_entries(sensors.legend(flashing=False), title=f"{what} {moment}")
        legend.show()
        draw_sheet(view, document, site, line, request, moment=at, legend=legend)
        request.warnings.extend(view.warnings)
        image = plotter.screenshot(transparent_background=request.transparent, return_img=True)
        request.warnings.extend(id_warnings(view))
        return image, note
    finally:
        plotter.close()


def cmd_simulate(args: argparse.Namespace) -> int:
    import os

    from viewer.sensors import Bindings
    from viewer.sensors.simulator import Simulator, publish_simulation

    if (args.mqtt is None) == (args.record is None):
        print(
            "mothertwin simulate: give either --mqtt URL (publish live) or --record FILE (write a recording)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.record is not None and args.duration is None:
        print("mothertwin simulate: --record needs --duration SECONDS (how much plant time to record)", file=sys.stderr)
        return EXIT_USAGE
    document = _load(args.file)
    paths = [p for p in document.iter_equipment() if args.site is None or args.site in (p.site.id, p.site.name)]
    bindings = Bindings.build(paths, default_template=args.tag_template)
    if args.record is not None:
        return _record_simulation(args, bindings, len(paths))
    simulator = Simulator(bindings, seed=args.seed, start=time.time())
    password = os.environ.get(args.password_env) if args.password_env else None
    if args.password_env and not password:
        print(
            f"mothertwin simulate: environment variable {args.password_env} (--password-env) is not set",
            file=sys.stderr,
        )
        return EXIT_USAGE
    print(f"simulating {len(bindings.tags())} tags of {len(paths)} equipment at {args.rate:g} Hz to {args.mqtt}")
    try:
        sent = publish_simulation(
            simulator,
            args.mqtt,
            rate=args.rate,
            duration=args.duration,
            batch=args.batch,
            topic=args.topic,
            username=args.username or "",
            password=password,
            tls_ca=args.tls_ca,
        )
    except (ConnectionError, OSError, ValueError) as exc:
        print(f"mothertwin simulate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_OK
    print(f"sent {sent} messages")
    return EXIT_OK


def _record_simulation(args: argparse.Namespace, bindings: object, equipment: int) -> int:
    import duckdb

    from viewer.sensors.recording import parse_time
    from viewer.sensors.simulator import Simulator, record_simulation

    try:
        # By default the recording ends now: "last night's shift", as a replay would look back at it.
        start = parse_time(args.start) if args.start else float(round(time.time() - args.duration))
    except ValueError as exc:
        print(f"mothertwin simulate: --start: {exc}", file=sys.stderr)
        return EXIT_USAGE
    simulator = Simulator(bindings, seed=args.seed, start=start)
    tags = len(bindings.tags())
    print(f"recording {tags} tags of {equipment} equipment, {args.duration:g} s at {args.rate:g} Hz, to {args.record}")
    began = time.perf_counter()
    try:
        rows = record_simulation(simulator, args.record, args.duration, args.rate)
    except (OSError, ValueError) as exc:
        print(f"mothertwin simulate: {args.record}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except duckdb.Error as exc:
        print(f"mothertwin simulate: {args.record}: cannot write the recording: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {rows:,} rows in {time.perf_counter() - began:.1f} s")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from viewer.scene.batch import TypeMeshes

    document = _load(args.file)
    library = builtin_library().merged(document.types)
    meshes = TypeMeshes(library)
    for type_name in sorted({p.equipment.type for p in document.iter_equipment()}):
        meshes.get(type_name)
    for warning in meshes.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{args.file}: valid ({document.equipment_count()} equipment, {len(document.sites)} sites)")
    return _layout_checks(args.file, document, library) if args.checks else EXIT_OK


def _layout_checks(path: Path, document: PlantDocument, library: EquipmentLibrary) -> int:
    """`validate --checks`: the window's layout checks on every site, each clash listed; exit 1 on any."""
    from viewer.model.checks import LayoutChecker

    clashes = 0
    for site in document.sites:
        found = LayoutChecker(document, library, site).current()
        for violation in found:
            print(f"{path}: site {site.name} ({site.id}): {violation.kind}: {violation.message}", file=sys.stderr)
        clashes += len(found)
    if clashes:
        count = f"{clashes} layout clash{'es' if clashes != 1 else ''}"
        print(f"{count} found ({len(document.sites)} sites checked)", file=sys.stderr)
        return EXIT_INVALID
    print(f"{path}: layout checks passed: no overlaps, walkways, equipment outside the building or on columns")
    return EXIT_OK


def document_info(document: PlantDocument) -> list[str]:
    from viewer.model.geometry import equipment_world_matrices

    out = [f"enterprise: {document.enterprise.name} ({document.enterprise.id})"]
    for site in document.sites:
        areas = site.areas
        lines = [li for a in areas for li in a.lines]
        cells = [c for li in lines for c in li.cells]
        equipment = [e for c in cells for e in c.equipment]
        out.append(
            f"site {site.name} ({site.id}, {site.country or '-'}, {site.timezone}): {len(areas)} areas, "
            f"{len(lines)} lines, {len(cells)} cells, {len(equipment)} equipment"
        )
        if equipment:
            positions = equipment_world_matrices(document, site)[:, :3, 3]
            lo, hi = positions.min(axis=0), positions.max(axis=0)
            out.append(
                f"  equipment origins span x {lo[0]:.1f}..{hi[0]:.1f} m, y {lo[1]:.1f}..{hi[1]:.1f} m, "
                f"z {lo[2]:.1f}..{hi[2]:.1f} m"
            )
        if site.footprint:
            xs = [p[0] for p in site.footprint]
            ys = [p[1] for p in site.footprint]
            out.append(
                f"  building {max(xs) - min(xs):.1f} x {max(ys) - min(ys):.1f} m, "
                f"{len(site.column_grid.positions())} columns"
            )
    counts = Counter(p.equipment.type for p in document.iter_equipment())
    out.append(f"equipment by type ({len(counts)} types, {sum(counts.values())} total):")
    out += [f"  {name:22s} {count:6d}" for name, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return out


def cmd_info(args: argparse.Namespace) -> int:
    print("\n".join(document_info(_load(args.file))))
    return EXIT_OK


def cmd_generate(args: argparse.Namespace) -> int:
    from viewer.model.synthetic import generate_plant

    document = generate_plant(builtin_library(), args.equipment, args.seed)
    save_document(document, args.output)
    print(f"wrote {args.output}: {document.equipment_count()} equipment in {len(document.sites)} sites")
    return EXIT_OK


def cmd_bench(args: argparse.Namespace) -> int:
    from viewer.bench.command import run_bench

    return run_bench(args)


def _point(text: str) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected X,Y in metres such as 20,60, got {text!r}") from None
    return x, y


def cmd_clone(args: argparse.Namespace) -> int:
    """Clone, then run the layout checks at the child site: clashes are listed and (unless allowed) make the
    exit status 1, so a script that goes on to diff or report stops at a clone that stands on columns."""
    from viewer.compare import CloneError, clone_line
    from viewer.compare.placement import Placement, clash_report, find_placements, fit_report, split_problems
    from viewer.model.checks import LayoutChecker

    document = _load(args.file)
    library = builtin_library()
    placement = Placement(args.origin, args.rotate, args.mirror)
    try:
        if args.fit:
            mirrors = [args.mirror, not args.mirror] if args.fit_mirror else None
            result = find_placements(document, library, args.line, args.to_site, placement, mirrors=mirrors)
            print("\n".join(fit_report(result)))
            if result.best is None:
                print(f"mothertwin clone: the line fits nowhere in the building of {args.to_site} at the turns "
                      "tried; nothing written", file=sys.stderr)  # fmt: skip
                return EXIT_INVALID
            placement = result.best.placement
        line = clone_line(document, args.line, document, args.to_site, placement.origin, placement.rotate,
                          placement.mirror)  # fmt: skip
    except CloneError as exc:
        print(f"mothertwin clone: {exc}", file=sys.stderr)
        return EXIT_USAGE
    save_document(document, args.output)
    count = sum(len(c.equipment) for c in line.cells)
    print(f"wrote {args.output}: {line.name} cloned to {args.to_site} as {line.id} ({count} equipment), "
          f"{placement.text()}")  # fmt: skip
    site = document.site_by_name(args.to_site)
    clashes, others = split_problems(LayoutChecker(document, library, site).current(), line)
    print("\n".join(clash_report(clashes, site.name)))
    if others:
        print(f"({len(others)} other layout problems at {site.name} do not involve the cloned line)")
    if clashes and not args.allow_clashes:
        print(f"mothertwin clone: {len(clashes)} clashes at {site.name} (listed above); {args.output} is written. "
              "Move the equipment, clone again with --fit to find a place where the line fits, or pass "
              "--allow-clashes to accept them", file=sys.stderr)  # fmt: skip
        return EXIT_INVALID
    return EXIT_OK


def _split_line(spec: str) -> tuple[Path, str | None]:
    """FILE or FILE:LINE (a drive letter such as C: is part of the file); demo or demo:LINE for the demo plant."""
    head, sep, tail = spec.rpartition(":")
    if sep and head and (Path(head).suffix or head == DEMO) and not Path(spec).exists():
        return plant_path(head), tail
    return plant_path(spec), None


def cmd_diff(args: argparse.Namespace) -> int:
    from viewer.compare import CloneError, Tolerances, diff_lines, find_line
    from viewer.compare.report import ConformanceReport, ReportError, report_format, write_csv, write_json

    if args.report:
        try:
            report_format(args.report)
        except ReportError as exc:
            print(f"mothertwin diff: --report {exc}", file=sys.stderr)
            return EXIT_USAGE
    mother_path, mother_line_name = _split_line(args.mother)
    child_path, child_line_name = _split_line(args.child)
    # Exit 1 means "differs" here: a file that cannot be read is an input error, exit 2.
    try:
        mother = _load(mother_path)
        child = mother if child_path.resolve() == mother_path.resolve() else _load(child_path)
    except PlantFileError as exc:
        _print_problems(exc)
        return EXIT_USAGE
    try:
        child_line, mother_line = _resolve_pair(mother, child, mother_line_name, child_line_name, find_line)
    except CloneError as exc:
        print(f"mothertwin diff: {exc}", file=sys.stderr)
        return EXIT_USAGE
    tolerances = Tolerances()
    if args.tolerances:
        from viewer.io.jsonfmt import read_json

        try:
            data, _ = read_json(args.tolerances)
            tolerances = Tolerances(
                position=float(data.get("position", tolerances.position)),
                rotation=float(data.get("rotation", tolerances.rotation)),
                parameters={str(k): float(v) for k, v in data.get("parameters", {}).items()},
                walkway=float(data.get("walkway", tolerances.walkway)),
            )
        except PlantFileError as exc:
            _print_problems(exc)
            return EXIT_USAGE
        except (AttributeError, TypeError, ValueError) as exc:
            print(f"mothertwin diff: {args.tolerances}: {TOLERANCES_HELP} expected ({exc})", file=sys.stderr)
            return EXIT_USAGE
    library = builtin_library()
    result = diff_lines(mother_line, child_line, child, tolerances, library=library)
    outputs = []
    compared = bool(args.mother_recording and args.child_recording)
    if compared:
        try:
            outputs = _compare_recorded_outputs(args, mother, child, result)
        except ValueError as exc:  # a recording that cannot be read, a --period that is no time
            print(f"mothertwin diff: {exc}", file=sys.stderr)
            return EXIT_USAGE
    for line in result.summary():
        print(line)
    if outputs:
        differing = sum(o.significant for o in outputs)
        print(f"process outputs: {len(outputs)} signals compared, {differing} differ significantly")
    report = ConformanceReport(
        result,
        child,
        mother,
        outputs,
        tolerances,
        generated_at=float(round(time.time())),
        mother_file=str(mother_path),
        child_file=str(child_path),
        mother_recording=str(args.mother_recording) if compared else "",
        child_recording=str(args.child_recording) if compared else "",
        period=_period(args.period) if compared else None,
    )
    if args.report:
        from viewer.compare.report import write_report
        from viewer.scene.report_pictures import report_pictures

        report.mother_picture, report.child_picture = report_pictures(report, library)
        write_report(args.report, report)
        print(f"wrote {args.report}")
    if args.json:
        write_json(args.json, result, outputs, child, report)
        print(f"wrote {args.json}")
    if args.csv:
        write_csv(args.csv, result)
        print(f"wrote {args.csv}")
    failure = _diff_failure(args.fail_on, result, outputs)
    if failure:
        print(f"mothertwin diff: {failure} (--fail-on {args.fail_on})", file=sys.stderr)
        return EXIT_DIFFERS
    return EXIT_OK


def _period(text: str) -> tuple[float, float]:
    from viewer.sensors.recording import parse_time

    start, end = (parse_time(t) for t in text.split("/"))
    return start, end


def _diff_failure(fail_on: str, result: DiffResult, outputs: list[OutputComparison]) -> str:
    """Why `diff` exits 1 under `--fail-on`, or "" when it passes: drift (differences no approved deviation
    covers, layout problems of the child no deviation covers, and process outputs that differ significantly),
    any difference or layout problem at all, or never."""
    if fail_on == "never":
        return ""
    differing = sum(o.significant for o in outputs)
    counted = len(result.drift) if fail_on == "drift" else len(result.differences)
    what = "drift" if fail_on == "drift" else "differences (approved or not)"
    parts = [f"{counted} {what}"] if counted else []
    layout = len(result.blocking) + len(result.open_walkways) if fail_on == "drift" else len(result.layout_problems)
    if layout:
        parts.append(f"{layout} layout problems at the child site")
    if differing:
        parts.append(f"{differing} process outputs differ significantly")
    return " and ".join(parts) + " found" if parts else ""


def _resolve_pair(mother, child, mother_name, child_name, find_line):  # noqa: ANN001
    """Which two lines to compare: named, or found through the child's clone record."""
    from viewer.compare import CloneError

    if child_name is None:
        cloned = [li for s in child.sites for a in s.areas for li in a.lines if li.clone_record is not None]
        if mother_name is not None:
            _, _, wanted = find_line(mother, mother_name)
            cloned = [li for li in cloned if li.clone_record.mother_line == wanted.id]
        if len(cloned) != 1:
            raise CloneError(f"found {len(cloned)} cloned lines in the child document: name one as FILE:LINE")
        child_line = cloned[0]
    else:
        _, _, child_line = find_line(child, child_name)
    if mother_name is None:
        if child_line.clone_record is None:
            raise CloneError(f"{child_line.name} was not cloned: name the mother line as FILE:LINE")
        mother_name = child_line.clone_record.mother_line
    _, _, mother_line = find_line(mother, mother_name)
    return child_line, mother_line


def _compare_recorded_outputs(args: argparse.Namespace, mother, child, result):  # noqa: ANN001
    from viewer.compare.outputs import compare_outputs, recording_loader
    from viewer.sensors.bindings import Bindings
    from viewer.sensors.recording import Recording, parse_time

    start, end = (parse_time(t) for t in args.period.split("/"))
    mother_recording, child_recording = Recording(args.mother_recording), Recording(args.child_recording)
    try:
        mother_paths = [p for p in mother.iter_equipment() if p.line is result.mother_line]
        child_paths = [p for p in child.iter_equipment() if p.line is result.child_line]
        return compare_outputs(
            result,
            recording_loader(mother_recording, Bindings.build(mother_paths), start, end),
            recording_loader(child_recording, Bindings.build(child_paths), start, end),
        )
    finally:
        mother_recording.close()
        child_recording.close()


def cmd_build_assets(args: argparse.Namespace) -> int:
    from viewer.assets_gen.build import build_assets

    for line in build_assets(args.out):
        print(line)
    return EXIT_OK


def display_problem(environ: dict[str, str] | None = None) -> str | None:
    """Why the window cannot open here, or None. Qt aborts the process (it does not raise) when its X11 plugin
    finds no display, so this looks first: an X server socket to connect to, or a Wayland session."""
    import os
    import socket

    env = os.environ if environ is None else environ
    platform = env.get("QT_QPA_PLATFORM", "")
    if not sys.platform.startswith("linux") or platform not in ("", "xcb"):
        return None  # Windows, macOS, or a platform plugin chosen on purpose: Qt's own message then
    if not platform and env.get("WAYLAND_DISPLAY"):
        return None
    display = env.get("DISPLAY", "")
    if not display:
        return "no display: DISPLAY is not set"
    host, _, rest = display.rpartition(":")
    number = rest.split(".")[0]
    if not number.isdigit():
        return f"DISPLAY={display!r} is not a display name such as :0 or localhost:10.0"
    try:
        if host in ("", "unix") or host.startswith("/"):
            path = host if host.startswith("/") else f"/tmp/.X11-unix/X{number}"
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                connection.settimeout(2.0)
                try:
                    connection.connect(path)
                except OSError:
                    connection.connect("\0" + path)  # Linux's abstract socket of the same name
        else:
            socket.create_connection((host, 6000 + int(number)), timeout=2.0).close()
    except OSError as exc:
        return f"no X server answers at DISPLAY={display} ({exc.strerror or exc})"
    return None


NO_DISPLAY_HINT = (
    "the window needs a display. Without one: `mothertwin render FILE -o plant.png` draws a plant to a PNG, "
    "or run the window on a virtual display: xvfb-run -a mothertwin open FILE"
)


def cmd_open(args: argparse.Namespace) -> int:
    """The desktop window, on the demo plant or on FILE; optionally replaying a recording at a time."""
    problem = display_problem()
    if problem is not None:
        print(f"mothertwin open: {problem}; {NO_DISPLAY_HINT}", file=sys.stderr)
        return EXIT_USAGE

    from viewer.model.site_time import parse_site_time
    from viewer.ui.app import StartupRequest, run_app

    recording, at_text = getattr(args, "recording", None), getattr(args, "at", None)
    color_by = getattr(args, "color_by", None)
    if (at_text or color_by) and recording is None:
        print("mothertwin open: --at and --color-by need --recording", file=sys.stderr)
        return EXIT_USAGE
    if recording is not None and not recording.is_file():
        print(f"mothertwin open: {recording}: recording not found", file=sys.stderr)
        return EXIT_USAGE
    try:  # the form now; a local time is read in the zone of the site shown, once the plant is open
        if at_text:
            parse_site_time(at_text)
    except ValueError as exc:
        print(f"mothertwin open: --at: {exc}", file=sys.stderr)
        return EXIT_USAGE
    select = [part.strip() for part in (getattr(args, "select", None) or "").split(",") if part.strip()]
    request = StartupRequest(args.file, recording, None, select, color_by, getattr(args, "screenshot", None), at_text)
    request.site = getattr(args, "site", None)
    return run_app(request)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mothertwin", description="3D digital twin of production plants: mother line and child sites."
    )
    sub = parser.add_subparsers(dest="command")

    render = sub.add_parser("render", help="draw a plant document to a PNG, no screen needed")
    render.add_argument("file", type=plant_path, help=PLANT_HELP)
    render.add_argument("-o", "--output", type=Path, required=True)
    render.add_argument("--size", type=_size, default=(1600, 900), help="WIDTHxHEIGHT, default 1600x900")
    render.add_argument("--view", choices=("iso", "top", "front"), default="iso")
    render.add_argument("--site", help="site name or id (default: the first site with equipment)")
    render.add_argument("--line", help="show only this line (name or id)")
    render.add_argument("--no-labels", action="store_true", help="leave out line and cell labels")
    render.add_argument("--transparent", action="store_true", help="transparent background")
    render.add_argument("--ids", action="store_true", help="label each equipment with its id")
    render.add_argument("--no-title-block", action="store_true", help="leave out the title block (bottom right)")
    render.add_argument("--no-north", action="store_true", help="leave out the north arrow (top and iso views)")
    render.add_argument("--no-scale-bar", action="store_true", help="leave out the scale bar (bottom left)")
    render.add_argument("--recording", type=Path, help="colour equipment by their state in this recording")
    render.add_argument(
        "--at", help="time in the recording: ISO 8601 (in the site's time zone unless an offset is given) or epoch s"
    )
    render.add_argument("--utc", action="store_true", help="times in UTC: the legend's, and --at without an offset")
    render.add_argument(
        "--color-by", metavar="SIGNAL", help="colour by this analog signal over its LO..HI limits instead of by state"
    )
    render.set_defaults(func=cmd_render)

    simulate = sub.add_parser(
        "simulate", help="simulated sensor values of a plant: published to an MQTT broker, or written as a recording"
    )
    simulate.add_argument("file", type=plant_path, help=PLANT_HELP)
    simulate.add_argument("--mqtt", help="broker address, mqtt://HOST:PORT or mqtts://HOST:PORT")
    simulate.add_argument(
        "--record", type=Path, help="write a recording instead (.parquet, else CSV): --duration s of plant time"
    )
    simulate.add_argument("--start", help="with --record: the recording's first time (default: it ends now)")
    simulate.add_argument("--rate", type=float, default=1.0, help="updates per second (default 1)")
    simulate.add_argument("--duration", type=float, help="seconds to run (default: until interrupted)")
    simulate.add_argument("--seed", type=int, default=0)
    simulate.add_argument("--site", help="only this site (name or id)")
    simulate.add_argument("--batch", type=int, default=100, help="values per message (default 100)")
    simulate.add_argument("--topic", default="mothertwin/sim")
    simulate.add_argument("--tag-template", default="{site}/{line}/{cell}/{equipment}/{signal}")
    simulate.add_argument("--username")
    simulate.add_argument("--password-env", help="environment variable that holds the broker password")
    simulate.add_argument("--tls-ca", help="CA certificate (PEM) that signed an mqtts:// broker's certificate")
    simulate.set_defaults(func=cmd_simulate)

    validate = sub.add_parser("validate", help="check a plant document; exit 1 listing every problem")
    validate.add_argument("file", type=plant_path, help=PLANT_HELP)
    validate.add_argument(
        "--checks",
        action="store_true",
        help="also run the layout checks on every site (overlaps, walkways below 1 m or the type's clearance, "
        "equipment outside the building or on a column); exit 1 listing each clash",
    )
    validate.set_defaults(func=cmd_validate)

    info = sub.add_parser("info", help="counts per level and type, and the extent")
    info.add_argument("file", type=plant_path, help=PLANT_HELP)
    info.set_defaults(func=cmd_info)

    generate = sub.add_parser("generate", help="write a synthetic plant for benchmarks")
    generate.add_argument("--equipment", type=int, required=True)
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("-o", "--output", type=Path, required=True)
    generate.set_defaults(func=cmd_generate)

    from viewer.bench.command import add_bench_parser

    bench = add_bench_parser(sub, _size)
    bench.set_defaults(func=cmd_bench)

    clone = sub.add_parser("clone", help="clone a mother line to a child site (new ids, mother links)")
    clone.add_argument("file", type=plant_path, help=PLANT_HELP)
    clone.add_argument("--line", required=True, help="mother line name or id")
    clone.add_argument("--to-site", required=True, help="child site name or id")
    clone.add_argument("--origin", type=_point, default=(0.0, 0.0), help="X,Y of the line at the child site (m)")
    clone.add_argument("--rotate", type=float, default=0.0, help="turn of the line at the child site (degrees)")
    clone.add_argument("--mirror", action="store_true", help="a mirror-image copy of the line")
    clone.add_argument("--fit", action="store_true",
                       help="place the line where it fits: the clash-free place nearest to --origin, keeping "
                            "--rotate when it fits (else another quarter turn); lists the places considered")
    clone.add_argument("--fit-mirror", action="store_true", help="with --fit, also try the mirror image")
    clone.add_argument("--allow-clashes", action="store_true",
                       help="exit 0 even when the layout checks find clashes of the cloned line (still listed)")
    clone.add_argument("-o", "--output", type=Path, required=True)
    clone.set_defaults(func=cmd_clone)

    diff = sub.add_parser(
        "diff",
        help="compare a child line with its mother; report, JSON, CSV; exit 1 on drift",
        description="Compare a child line with its mother line. Exit status: 0 the child conforms (under "
        "--fail-on), 1 it does not, 2 the input cannot be used (a file, a line name, a recording).",
    )
    diff.add_argument("mother", help="MOTHER.json or MOTHER.json:LINE (demo or demo:LINE: the demo plant)")
    diff.add_argument("child", help="CHILD.json or CHILD.json:LINE (the line cloned from the mother by default)")
    diff.add_argument(
        "--report", type=Path, help="conformance report to sign: R.html (self-contained) or R.pdf, by the suffix"
    )
    diff.add_argument("--json", type=Path, help="differences and summary as JSON")
    diff.add_argument("--csv", type=Path, help="differences as CSV")
    diff.add_argument("--tolerances", type=Path, help=f"JSON: {TOLERANCES_HELP}")
    diff.add_argument("--mother-recording", type=Path, help="recording of the mother line (process outputs)")
    diff.add_argument("--child-recording", type=Path, help="recording of the child line (process outputs)")
    diff.add_argument("--period", default="1970-01-01T00:00:00Z/2100-01-01T00:00:00Z", help="START/END (ISO 8601)")
    diff.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="drift",
        help="what makes the exit status 1: drift (default: differences no approved deviation covers, and "
        "process outputs that differ significantly), any (every difference, approved deviations too: Copy "
        "Exactly with no exceptions), never (always 0 once the comparison ran)",
    )
    diff.set_defaults(func=cmd_diff)

    assets = sub.add_parser("build-assets", help="regenerate the equipment library and the demo plant")
    assets.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "assets")
    assets.set_defaults(func=cmd_build_assets)

    open_ = sub.add_parser("open", help="open a plant document in the desktop window")
    open_.add_argument("file", type=plant_path, nargs="?", help="plant document (default and demo: the demo plant)")
    open_.add_argument("--recording", type=Path, help="replay this recording (Parquet or CSV) in the window")
    open_.add_argument(
        "--at", help="with --recording: the time to show (ISO 8601, in the site's time zone unless an offset is given)"
    )
    open_.add_argument("--select", metavar="ID[,ID...]", help="select these equipment and frame them")
    open_.add_argument("--site", metavar="NAME|ID", help="show this site (default: the mother site)")
    open_.add_argument("--color-by", metavar="SIGNAL", help="with --recording: colour by this analog signal")
    open_.add_argument(
        "--screenshot", type=Path, help="save the window as PNG once everything asked for is shown, then exit"
    )
    open_.set_defaults(func=cmd_open)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return cmd_open(argparse.Namespace(file=None))
    try:
        return args.func(args)
    except PlantFileError as exc:
        _print_problems(exc)
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
