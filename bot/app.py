"""Builds the Bolt app and the app_context behind it; nothing here talks to the network.

Two modes, chosen by the settings (bot/config.py):

    one workspace   SLACK_BOT_TOKEN and BINDBEE_CONNECTOR_TOKEN from the environment
    OAuth mode      SLACK_CLIENT_ID set: Bolt's OAuth flow installs the app in many
                    workspaces; each workspace's bot token comes from the installation
                    store, and its connector token from its own stored connection
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.web.async_client import AsyncWebClient

from bot.ats.client import BindbeeClient, BindbeePool
from bot.config import OAuthSettings, ServeSettings
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
from bot.state import Keys, SharedState, keys_for, open_state
from bot.tenancy.tenants import ManyTenants, OneTenant

if TYPE_CHECKING:  # SQLAlchemy is loaded only in OAuth mode
    from bot.tenancy.workspaces import Workspaces

logger = logging.getLogger("bot.app")

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"

# How long event ids and shares are remembered. Slack's last retry of an event comes about
# 5 minutes after the first delivery, and a signed request stays valid for 5 minutes, so a
# replayed share still finds its first one remembered.
EVENTS_TTL = SHARES_TTL = 900.0


def build_context(settings: ServeSettings | OAuthSettings) -> AppContext:
    """Shared state, the Bindbee and Slack clients, lookups, filters and the reply sender."""
    state = open_state(settings)
    # Bolt uses this client for every request (in OAuth mode, a copy of it per request with
    # the workspace's own token), and Socket Mode uses it too, so every Web API call
    # (auth.test, oauth.v2.access and apps.connections.open included) goes to SLACK_API_URL.
    slack_api_url = str(settings.slack_api_url)
    if isinstance(settings, OAuthSettings):
        return _many_workspaces_context(settings, state, web_client(None, slack_api_url))
    keys = keys_for(settings)
    slack = web_client(settings.slack_bot_token.get_secret_value(), slack_api_url)
    return AppContext(
        settings=settings,
        tenants=OneTenant(_lookups(settings, state, keys)),
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


def _many_workspaces_context(
    settings: OAuthSettings, state: SharedState, slack: AsyncWebClient
) -> AppContext:
    # Imported here: one workspace alone never loads SQLAlchemy (about 30 MB of memory).
    from bot.tenancy.workspaces import InstalledTeams, Workspaces

    workspaces = Workspaces.from_settings(settings)
    pool = BindbeePool()  # one HTTP pool to Bindbee, whatever the number of connectors

    def make_lookups(connector_token: str) -> Lookups:
        keys = keys_for(settings, connector_token)
        return _lookups(settings, state, keys, connector_token=connector_token, pool=pool)

    tenants = ManyTenants(
        workspaces, make_lookups, key_of=lambda token: keys_for(settings, token).tenant
    )
    # Event retries and shares belong to the app, whichever workspace they come from (their
    # keys carry the team or the message): they are named after the app's client id.
    app_keys = keys_for(settings, f"oauth-app:{settings.slack_client_id}")
    return AppContext(
        settings=settings,
        tenants=tenants,
        patterns=settings.link_patterns(),
        slack=slack,
        teams=InstalledTeams(workspaces),
        seen_events=StateDedupe(state, app_keys.event, ttl=EVENTS_TTL),
        shares=StateDedupe(state, app_keys.share, ttl=SHARES_TTL),
        guard=ConnectGuard(allow_external=settings.unfurl_external_channels),
        replies=Replies(slack_api_url=str(settings.slack_api_url)),
        state=state,
        keys=app_keys,
        workspaces=workspaces,
        bindbee_pool=pool,
        closers=[pool.close],
    )


def _lookups(
    settings: ServeSettings | OAuthSettings,
    state: SharedState,
    keys: Keys,
    *,
    connector_token: str | None = None,
    pool: BindbeePool | None = None,
) -> Lookups:
    """Lookups against one connector: its own cache, coalescing and budget, named by `keys`."""
    budget = state.budget(
        keys, per_minute=settings.bindbee_rate_limit, user_share=settings.bindbee_user_share
    )
    if connector_token is None:
        assert isinstance(settings, ServeSettings)
        client = BindbeeClient.from_settings(settings, budget=budget)
    else:
        client = BindbeeClient.for_connector(settings, connector_token, pool=pool, budget=budget)
    return Lookups(
        client,
        ttl=settings.cache_ttl,
        max_entries=settings.cache_size,
        max_bytes=settings.cache_max_bytes,
        strict=settings.privacy_strict,
        state=state,
        keys=keys,
        wait=settings.lookup_deadline,
        deadline=settings.lookup_deadline,
        # The same client for the pipeline: one rate budget for candidates and applications.
        pipeline=client,
        reference_ttl=settings.reference_cache_ttl,
    )


def build_app(settings: ServeSettings | OAuthSettings, app_context: AppContext) -> AsyncApp:
    """The Bolt app with every listener registered."""
    secret = settings.slack_signing_secret
    options: dict[str, Any] = {
        "client": app_context.slack,
        "signing_secret": secret.get_secret_value() if secret else "",
        # Socket Mode requests arrive over our own authenticated websocket, unsigned.
        "request_verification_enabled": not settings.socket_mode,
        "logger": logging.getLogger("slack_bolt"),
        # Listeners ack and return at once, handing slow work to app_context.inflight. So
        # Bolt can answer Slack as soon as they return, instead of polling for the ack.
        "process_before_response": True,
    }
    if isinstance(settings, OAuthSettings):
        assert app_context.workspaces is not None
        options.update(_oauth_options(settings, app_context.workspaces, app_context.slack))
    app = AsyncApp(**options)
    install_middleware(app, teams=app_context.teams, seen_events=app_context.seen_events)
    register_listeners(app, app_context)

    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        log_unexpected(logger, f"listener for {loggable(body.get('type', 'request'))}", error)

    return app


def _oauth_options(
    settings: OAuthSettings, workspaces: Workspaces, client: AsyncWebClient
) -> dict[str, Any]:
    """Bolt's OAuth flow and authorize, on the shared SQL stores and the client above."""
    secret = settings.slack_client_secret.get_secret_value()
    redirect_uri = str(settings.slack_redirect_uri) if settings.slack_redirect_uri else None
    oauth_settings = AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=secret,
        scopes=settings.slack_scopes.split(","),
        user_scopes=[],
        redirect_uri=redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=workspaces.installations,
        state_store=workspaces.states,
        logger=logging.getLogger("slack_bolt"),
    )
    # Bolt's default authorize calls auth.test on every request; cached, it does so once
    # per bot token. The installation itself is still read on every request, so a removed
    # installation stops requests at once.
    authorize = AsyncInstallationStoreAuthorize(
        logger=logging.getLogger("slack_bolt"),
        installation_store=workspaces.installations,
        client_id=settings.slack_client_id,
        client_secret=secret,
        cache_enabled=True,
        client=client,
    )
    return {
        "oauth_flow": AsyncOAuthFlow(client=client, settings=oauth_settings),
        "authorize": authorize,
        "installation_store": workspaces.installations,
    }
