"""`mothertwin render`: a plant document drawn to a PNG, no screen needed; optionally coloured by a recording."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from viewer.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    PLANT_HELP,
    load_plant,
    plant_library,
    plant_path,
    size_type,
)
from viewer.cli.recording_options import add_recording_options, progress_printer, recording_options
from viewer.model import PlantDocument

if TYPE_CHECKING:
    import numpy as np

    from viewer.scene.render import RenderRequest


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("render", help="draw a plant document to a PNG, no screen needed")
    parser.add_argument("file", type=plant_path, help=PLANT_HELP)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--size", type=size_type, default=(1600, 900), help="WIDTHxHEIGHT, default 1600x900")
    parser.add_argument("--view", choices=("iso", "top", "front"), default="iso")
    parser.add_argument("--site", help="site name or id (default: the first site with equipment)")
    parser.add_argument("--line", help="show only this line (name or id)")
    parser.add_argument("--no-labels", action="store_true", help="leave out line and cell labels")
    parser.add_argument("--transparent", action="store_true", help="transparent background")
    parser.add_argument("--ids", action="store_true", help="label each equipment with its id")
    parser.add_argument("--no-title-block", action="store_true", help="leave out the title block (bottom right)")
    parser.add_argument("--no-north", action="store_true", help="leave out the north arrow (top and iso views)")
    parser.add_argument("--no-scale-bar", action="store_true", help="leave out the scale bar (bottom left)")
    parser.add_argument("--recording", type=Path, help="colour equipment by their state in this recording")
    parser.add_argument(
        "--at", help="time in the recording: ISO 8601 (in the site's time zone unless an offset is given) or epoch s"
    )
    parser.add_argument("--utc", action="store_true", help="times in UTC: the legend's, and --at without an offset")
    parser.add_argument(
        "--color-by", metavar="SIGNAL", help="colour by this analog signal over its LO..HI limits instead of by state"
    )
    add_recording_options(parser)
    parser.set_defaults(func=run)


class NothingToShowError(Exception):
    """What was asked cannot be shown (no equipment has a value at the time asked): exit 1."""


def run(args: argparse.Namespace) -> int:
    from viewer.scene.offscreen import save_png
    from viewer.scene.render import RenderRequest, render_image

    document = load_plant(args.file)
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
        options = recording_options(args)
        if options and args.recording is None:
            print("mothertwin render: --time-column, --rate, --start, --timezone and --decimal need --recording",
                  file=sys.stderr)  # fmt: skip
            return EXIT_USAGE
        if args.recording is not None:
            image, note = _render_recorded_state(
                document, request, args.recording, args.at, args.color_by, args.utc, options
            )
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
    utc: bool = False, options: dict[str, object] | None = None,
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
    from viewer.sensors import Bindings, ReadOptions, Recording
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
        read = ReadOptions.from_options(options or {}).for_site(site.timezone)
        with Recording(recording, options=read, progress=progress_printer("render")) as rec:
            request.warnings.extend(rec.notes)  # how its times were read where that was guessed, what was wrong
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
