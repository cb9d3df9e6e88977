"""`mothertwin open`: the desktop window, on the demo plant or a file; optionally replaying a recording."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from viewer.cli.common import EXIT_USAGE, plant_path
from viewer.cli.recording_options import add_recording_options, recording_options


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("open", help="open a plant document in the desktop window")
    parser.add_argument("file", type=plant_path, nargs="?", help="plant document (default and demo: the demo plant)")
    parser.add_argument("--recording", type=Path, help="replay this recording (Parquet or CSV) in the window")
    parser.add_argument(
        "--at", help="with --recording: the time to show (ISO 8601, in the site's time zone unless an offset is given)"
    )
    parser.add_argument("--select", metavar="ID[,ID...]", help="select these equipment and frame them")
    parser.add_argument("--site", metavar="NAME|ID", help="show this site (default: the mother site)")
    parser.add_argument("--color-by", metavar="SIGNAL", help="with --recording: colour by this analog signal")
    parser.add_argument(
        "--screenshot", type=Path, help="save the window as PNG once everything asked for is shown, then exit"
    )
    add_recording_options(parser)
    session = parser.add_argument_group("remote session")
    session.add_argument("--join", metavar="URL", help="join a session: mqtt[s]://HOST:PORT/SESSION_ID")
    session.add_argument("--session-user", metavar="LOGIN", help="with --join: the broker login (default: yours)")
    session.add_argument("--session-password-env", metavar="VAR", help="with --join: the variable holding the password")
    session.add_argument("--session-ca", type=Path, metavar="CA", help="with --join: CA certificate file for mqtts://")
    session.add_argument("--session-name", metavar="NAME", help="with --join: your name shown (default: the login)")
    session.add_argument("--session-site", metavar="SITE", help="with --join: your site, shown to the others")
    parser.set_defaults(func=run)


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


def run(args: argparse.Namespace) -> int:
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
    try:
        options = recording_options(args)
    except ValueError as exc:
        print(f"mothertwin open: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if options and recording is None:
        print("mothertwin open: --time-column, --rate, --start, --timezone and --decimal need --recording",
              file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    join = join_request(args)
    if isinstance(join, str):
        print(f"mothertwin open: {join}", file=sys.stderr)
        return EXIT_USAGE
    select = [part.strip() for part in (getattr(args, "select", None) or "").split(",") if part.strip()]
    request = StartupRequest(args.file, recording, None, select, color_by, getattr(args, "screenshot", None), at_text)
    request.site = getattr(args, "site", None)
    request.recording_options = options
    request.join = join
    return run_app(request)


def join_request(args: argparse.Namespace) -> dict[str, str] | str | None:
    """--join and its options as `StartupRequest.join`; None without --join; a text saying what is wrong."""
    url = getattr(args, "join", None)
    options = {key: getattr(args, f"session_{key}", None) for key in ("user", "password_env", "ca", "name", "site")}
    if url is None:
        given = [f"--session-{key.replace('_', '-')}" for key, value in options.items() if value]
        return f"{', '.join(given)} need --join" if given else None
    from viewer.session import SessionError, parse_join_url

    try:
        parse_join_url(url)
    except SessionError as exc:
        return f"--join: {exc}"
    ca = options["ca"]
    if ca is not None and not Path(ca).is_file():
        return f"--session-ca: {ca}: no such file"
    if options["password_env"] and options["password_env"] not in os.environ:
        return f"--session-password-env: the variable {options['password_env']} is not set"
    return {"url": url, **{key: str(value) for key, value in options.items() if value}}
