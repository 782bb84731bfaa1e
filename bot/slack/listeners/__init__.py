"""Slack listeners, registered explicitly so each callback stays a plain, testable function."""

from __future__ import annotations

import re

from slack_bolt.async_app import AsyncApp

from bot.context import AppContext
from bot.core.cards import LINK_ACTION_PREFIX, SHARE_ACTION_ID, SHOW_ACTION_ID
from bot.core.cards.workspace import CONNECT_ACTION_ID, CONNECT_CALLBACK_ID
from bot.slack.listeners.actions import acknowledge_only, share_in_channel, show_candidate
from bot.slack.listeners.commands import candidate_command
from bot.slack.listeners.events import link_shared
from bot.slack.listeners.workspace import (
    connect_button,
    home_opened,
    submit_connection,
    tokens_revoked,
    uninstalled,
)

COMMAND = "/candidate"


def register_listeners(app: AsyncApp, app_context: AppContext) -> None:
    """Wire every command, action and event the app handles."""
    app.command(COMMAND)(candidate_command(app_context))
    app.action(SHARE_ACTION_ID)(share_in_channel(app_context))
    app.action(SHOW_ACTION_ID)(show_candidate(app_context))
    app.action(re.compile(rf"^{re.escape(LINK_ACTION_PREFIX)}"))(acknowledge_only)
    app.event("link_shared")(link_shared(app_context))
    workspaces = app_context.workspaces
    if workspaces is None:
        return
    # OAuth mode: each workspace connects itself, and leaves without a trace.
    app.event("app_home_opened")(home_opened(app_context, workspaces))
    app.action(CONNECT_ACTION_ID)(connect_button(app_context, workspaces))
    app.view(CONNECT_CALLBACK_ID)(submit_connection(app_context, workspaces))
    app.event("app_uninstalled")(uninstalled(workspaces))
    app.event("tokens_revoked")(tokens_revoked(workspaces))
