"""Builds the Bolt app and the app_context behind it; nothing here talks to the network."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.ats.client import BindbeeClient
from bot.config import ServeSettings
from bot.context import AppContext
from bot.dedupe import StateDedupe
from bot.logs import log_unexpected, loggable
from bot.lookups import Lookups
from bot.slack.connect import ConnectGuard
from bot.slack.listeners import register_listeners
from bot.slack.middleware import install_middleware
from bot.slack.replies import Replies
from bot.slack.teams import OneWorkspace
from bot.slack.web import web_client
from bot.state import keys_for, open_state

logger = logging.getLogger("bot.app")

# How long event ids and shares are remembered. Slack's last retry of an event comes about
# 5 minutes after the first delivery, and a signed request stays valid for 5 minutes, so a
# replayed share still finds its first one remembered.
EVENTS_TTL = SHARES_TTL = 900.0


def build_context(settings: ServeSettings) -> AppContext:
    """Shared state, the Bindbee and Slack clients, lookups, filters and the reply sender."""
    state = open_state(settings)
    keys = keys_for(settings)
    budget = state.budget(
        keys, per_minute=settings.bindbee_rate_limit, user_share=settings.bindbee_user_share
    )
    lookups = Lookups(
        BindbeeClient.from_settings(settings, budget=budget),
        ttl=settings.cache_ttl,
        max_entries=settings.cache_size,
        max_bytes=settings.cache_max_bytes,
        strict=settings.privacy_strict,
        state=state,
        keys=keys,
        wait=settings.lookup_deadline,
        deadline=settings.lookup_deadline,
    )
    # Bolt uses this client for every request, and Socket Mode uses it too, so every Web API
    # call (auth.test and apps.connections.open included) goes to SLACK_API_URL.
    slack_api_url = str(settings.slack_api_url)
    slack = web_client(settings.slack_bot_token.get_secret_value(), slack_api_url)
    return AppContext(
        settings=settings,
        lookups=lookups,
        patterns=settings.link_patterns(),
        slack=slack,
        teams=OneWorkspace(slack.auth_test),
        # In Redis when REDIS_URL is set, so a retry or a replay landing on another instance
        # is still seen as one.
        seen_events=StateDedupe(state, keys.event, ttl=EVENTS_TTL),
        shares=StateDedupe(state, keys.share, ttl=SHARES_TTL),
        guard=ConnectGuard(allow_external=settings.unfurl_external_channels),
        replies=Replies(slack_api_url=slack_api_url),
        state=state,
        keys=keys,
    )


def build_app(settings: ServeSettings, app_context: AppContext) -> AsyncApp:
    """The Bolt app with every listener registered."""
    secret = settings.slack_signing_secret
    app = AsyncApp(
        client=app_context.slack,
        signing_secret=secret.get_secret_value() if secret else "",
        # Socket Mode requests arrive over our own authenticated websocket, unsigned.
        request_verification_enabled=not settings.socket_mode,
        logger=logging.getLogger("slack_bolt"),
        # Listeners ack and return at once, handing slow work to app_context.inflight. So Bolt
        # can answer Slack as soon as they return, instead of polling for the ack every 10 ms.
        process_before_response=True,
    )
    install_middleware(app, teams=app_context.teams, seen_events=app_context.seen_events)
    register_listeners(app, app_context)

    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        log_unexpected(logger, f"listener for {loggable(body.get('type', 'request'))}", error)

    return app
