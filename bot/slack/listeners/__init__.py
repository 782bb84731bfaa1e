"""Slack listeners, registered explicitly so each callback stays a plain, testable function."""

from __future__ import annotations

import re

from slack_bolt.async_app import AsyncApp

from bot.context import AppContext
from bot.core.cards import LINK_ACTION_PREFIX, SHARE_ACTION_ID, SHOW_ACTION_ID
from bot.slack.listeners.actions import acknowledge_only, share_in_channel, show_candidate
from bot.slack.listeners.commands import candidate_command
from bot.slack.listeners.events import link_shared

COMMAND = "/candidate"


def register_listeners(app: AsyncApp, app_context: AppContext) -> None:
    """Wire every command, action and event the app handles."""
    app.command(COMMAND)(candidate_command(app_context))
    app.action(SHARE_ACTION_ID)(share_in_channel(app_context))
    app.action(SHOW_ACTION_ID)(show_candidate(app_context))
    app.action(re.compile(rf"^{re.escape(LINK_ACTION_PREFIX)}"))(acknowledge_only)
    app.event("link_shared")(link_shared(app_context))
