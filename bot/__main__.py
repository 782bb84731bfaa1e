"""Command line: `python -m bot` serves the app; `preview` and `doctor` help without Slack."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from bot.config import SettingsError, load_serve_settings
from bot.logs import configure_logging


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Candidate Lookup: ATS candidates as Slack cards."
    )
    commands = parser.add_subparsers(dest="command", metavar="{serve,preview,doctor,workspaces}")
    commands.add_parser("serve", help="serve the app (the default)")
    preview = commands.add_parser(
        "preview", help="render a candidate's card, or a search's list, in the terminal"
    )
    preview.add_argument(
        "ref", nargs="?", help="an id, link, email or name (none: list the demo data)"
    )
    preview.add_argument("--demo", action="store_true", help="use the bundled demo candidates")
    preview.add_argument("--view", choices=["requester", "channel", "unfurl"], default="requester")
    preview.add_argument("--json", action="store_true", help="print only the Block Kit payload")
    commands.add_parser("doctor", help="check the settings and whether Slack and Bindbee answer")
    workspaces = commands.add_parser(
        "workspaces", help="OAuth mode: list, connect or disconnect the installed workspaces"
    )
    workspaces.add_argument("action", choices=["list", "connect", "disconnect"])
    workspaces.add_argument("team_id", nargs="?", help="the workspace (T…) to (dis)connect")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "preview":
            from bot.cli.preview import run_preview

            return asyncio.run(
                run_preview(args.ref, demo=args.demo, view=args.view, as_json=args.json)
            )
        if args.command == "doctor":
            from bot.cli.doctor import run_doctor

            return asyncio.run(run_doctor())
        if args.command == "workspaces":
            from bot.cli.workspaces import run_workspaces

            return asyncio.run(run_workspaces(args.action, args.team_id))
        settings = load_serve_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    from bot.slack.server import serve

    return asyncio.run(serve(settings))


if __name__ == "__main__":
    sys.exit(main())
