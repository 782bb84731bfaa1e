"""Builds the Bolt app and the app_context behind it; nothing here talks to the network."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.ats.client import BindbeeClient
from bot.config import ServeSettings
from bot.context import AppContext
from bot.logs import log_unexpected
from bot.lookups import Lookups
from bot.slack.listeners import register_listeners
from bot.slack.web import web_client
from bot.state import keys_for, open_state

logger = logging.getLogger("bot.app")


def build_context(settings: ServeSettings) -> AppContext:
    """The shared state, Bindbee client, lookups, reply sender and in-flight tracker."""
    state = open_state(settings)
    keys = keys_for(settings)
    budget = state.budget(keys, per_minute=settings.bindbee_rate_limit)
    lookups = Lookups(
        BindbeeClient.from_settings(settings, budget=budget),
        ttl=settings.cache_ttl,
        max_entries=settings.cache_size,
        strict=settings.privacy_strict,
        state=state,
        keys=keys,
        wait=settings.lookup_deadline,
    )
    return AppContext(
        settings=settings,
        lookups=lookups,
        patterns=settings.link_patterns(),
        state=state,
        keys=keys,
    )


def build_app(settings: ServeSettings, app_context: AppContext) -> AsyncApp:
    """The Bolt app with every listener registered."""
    secret = settings.slack_signing_secret
    # Bolt uses this client for every request, and Socket Mode uses it too, so every Web API
    # call (auth.test and apps.connections.open included) goes to SLACK_API_URL.
    client = web_client(settings.slack_bot_token.get_secret_value(), str(settings.slack_api_url))
    app = AsyncApp(
        client=client,
        signing_secret=secret.get_secret_value() if secret else "",
        # Socket Mode requests arrive over our own authenticated websocket, unsigned.
        request_verification_enabled=not settings.socket_mode,
        logger=logging.getLogger("slack_bolt"),
        # Listeners ack and return at once, handing slow work to app_context.inflight. So Bolt
        # can answer Slack as soon as they return, instead of polling for the ack every 10 ms.
        process_before_response=True,
    )
    register_listeners(app, app_context)

    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        log_unexpected(logger, f"listener for {body.get('type', 'request')}", error)

    return app
