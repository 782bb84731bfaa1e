"""`python -m bot workspaces list | connect TEAM_ID | disconnect TEAM_ID` (OAuth mode).

For operators who provision connectors themselves. `connect` reads the connector token
from standard input (never from the command line, where `ps` and shell history would see
it), tries it against Bindbee once, and stores it sealed. Nothing here prints a token.
A running instance reads connections from the database on every request, so a change
made here counts from its next request on.
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime

from bot.config import WorkspaceSettings
from bot.tenancy.token_check import check_token
from bot.tenancy.workspaces import Workspaces, WorkspaceStatus

OPERATOR = "operator"  # who connected, for the Home tab, when it was not a Slack user
_TEAM_ID = re.compile(r"T[A-Z0-9]{1,20}")


async def run_workspaces(action: str, team_id: str | None) -> int:
    """Run one action and return the exit status (SettingsError is raised to the caller)."""
    settings = WorkspaceSettings.load()
    if action != "list" and (team_id is None or not _TEAM_ID.fullmatch(team_id)):
        print("Give the workspace's team id, like T0123ABCD.", file=sys.stderr)
        return 2
    workspaces = Workspaces.from_settings(settings)
    try:
        await workspaces.create_tables()
        if action == "list":
            return await _list(workspaces)
        assert team_id is not None
        if action == "connect":
            return await _connect(settings, workspaces, team_id)
        return await _disconnect(workspaces, team_id)
    finally:
        await workspaces.aclose()


def status_line(status: WorkspaceStatus) -> str:
    """One line of `list`: team id, installed or not, connected or not (since, by whom)."""
    installed = "installed" if status.installed else "not installed"
    info = status.connection
    if info is None:
        return f"{status.team_id}  {installed}  not connected"
    since = datetime.fromtimestamp(info.connected_at, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{status.team_id}  {installed}  connected since {since} by {info.connected_by}"


async def _list(workspaces: Workspaces) -> int:
    statuses = await workspaces.overview()
    if not statuses:
        print("No workspace has installed the app yet.")
    for status in statuses:
        print(status_line(status))
    return 0


async def _connect(settings: WorkspaceSettings, workspaces: Workspaces, team_id: str) -> int:
    if settings.bindbee_api_key is None:
        print("BINDBEE_API_KEY is needed to check the token with Bindbee.", file=sys.stderr)
        return 2
    if sys.stdin.isatty():
        print("Paste the connector token, then press Enter:", file=sys.stderr)
    token = sys.stdin.readline().strip()
    problem = await check_token(settings, token)
    if problem is not None:
        print(f"{team_id} not connected: {problem}", file=sys.stderr)
        return 1
    await workspaces.connections.save(team_id, token, connected_by=OPERATOR)
    note = "" if await workspaces.is_installed(team_id) else " (the app is not installed there yet)"
    print(f"{team_id} connected{note}.")
    return 0


async def _disconnect(workspaces: Workspaces, team_id: str) -> int:
    if await workspaces.connections.delete(team_id):
        print(f"{team_id} disconnected.")
    else:
        print(f"{team_id} had no connection.")
    return 0
