"""Slack listeners, registered explicitly so each callback stays a plain, testable function."""

from __future__ import annotations

import re

from slack_bolt.async_app import AsyncApp

from bot.cards import LINK_ACTION_PREFIX, SHARE_ACTION_ID
from bot.listeners.actions import acknowledge_only, share_in_channel
from bot.listeners.commands import candidate_command
from bot.listeners.events import link_shared
from bot.services import Services

COMMAND = "/candidate"


def register_listeners(app: AsyncApp, services: Services) -> None:
    """Wire every command, action and event the app handles."""
    app.command(COMMAND)(candidate_command(services))
    app.action(SHARE_ACTION_ID)(share_in_channel(services))
    app.action(re.compile(rf"^{re.escape(LINK_ACTION_PREFIX)}"))(acknowledge_only)
    app.event("link_shared")(link_shared(services))
