"""Serving the app: HTTP (`POST /slack/events`, `GET /healthz`) or Socket Mode.

In OAuth mode the HTTP server also serves Bolt's OAuth flow: `GET /slack/install` (the
"Add to Slack" page) and `GET /slack/oauth_redirect` (Slack sends the installer back there).

Lifecycle: check the bot token with `auth.test` (OAuth mode: create the tables that are
missing in DATABASE_URL instead), start taking requests, and on SIGTERM or
SIGINT stop taking new ones, let acknowledged lookups finish (bounded by SHUTDOWN_GRACE),
close every connection, and exit 0.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from bot.app import INSTALL_PATH, REDIRECT_PATH, build_app, build_context
from bot.config import OAuthSettings, ServeSettings
from bot.context import AppContext
from bot.logs import log_unexpected, loggable
from bot.slack.incoming import MAX_BODY_BYTES, Intake, Refused
from bot.slack.teams import OneWorkspace
from bot.slack.web import TOKEN_REFUSED_ERRORS

if TYPE_CHECKING:  # SQLAlchemy is loaded only in OAuth mode
    from bot.tenancy.workspaces import Workspaces

logger = logging.getLogger("bot.slack.server")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
BACKLOG = 1024  # aiohttp's default (128) drops SYNs when hundreds of requests arrive at once


class TokenRefused(Exception):
    """Slack refused SLACK_BOT_TOKEN at start-up."""


class Server:
    """One running instance of the app, in HTTP or Socket Mode."""

    def __init__(
        self, settings: ServeSettings | OAuthSettings, app_context: AppContext | None = None
    ) -> None:
        self.settings = settings
        self.app_context = app_context or build_context(settings)
        self.app: AsyncApp = build_app(settings, self.app_context)
        self.port: int | None = None
        self._ready = False
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._stopped = False
        secret = settings.slack_signing_secret
        self._intake = Intake(secret.get_secret_value()) if secret else None

    async def start(self) -> None:
        """Check the token (or prepare the database), then start taking requests."""
        if self.app_context.workspaces is not None:
            await self._prepare_database(self.app_context.workspaces)
        else:
            await self._check_token()
        if self.settings.socket_mode:
            assert self.settings.slack_app_token is not None
            self._socket = AsyncSocketModeHandler(
                self.app, self.settings.slack_app_token.get_secret_value()
            )
            await self._socket.connect_async()  # type: ignore[no-untyped-call]
            logger.info("connected to Slack in Socket Mode")
        else:
            self._runner = web.AppRunner(self._web_app(), access_log=None)
            await self._runner.setup()
            self._site = web.TCPSite(
                self._runner, self.settings.host, self.settings.port, backlog=BACKLOG
            )
            await self._site.start()
            self.port = int(self._runner.addresses[0][1])  # the real one, when PORT=0
            logger.info("serving HTTP on %s:%s", self.settings.host, self.port)
        logger.info("shared state: %s", self.app_context.state.name)
        self._ready = True

    async def stop(self) -> None:
        """Stop taking requests, let work in flight finish, and close everything."""
        if self._stopped:
            return
        self._stopped = True
        self._ready = False
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
        if self._site is not None:
            await self._site.stop()
        inflight = self.app_context.inflight
        if inflight.count:
            logger.info("waiting for %d lookup(s) in flight", inflight.count)
        if not await inflight.drain(self.settings.shutdown_grace):
            logger.warning("gave up on %d lookup(s) after the grace time", inflight.count)
        if self._runner is not None:
            await self._runner.cleanup()
        await self.app_context.aclose()
        logger.info("stopped")

    def _web_app(self) -> web.Application:
        web_app = web.Application(client_max_size=MAX_BODY_BYTES)
        web_app.router.add_post(EVENTS_PATH, self._slack_events)
        web_app.router.add_get(HEALTH_PATH, self._health)
        if self.app.oauth_flow is not None:
            web_app.router.add_get(INSTALL_PATH, self._install)
            web_app.router.add_get(REDIRECT_PATH, self._oauth_redirect)
        return web_app

    async def _install(self, request: web.Request) -> web.Response:
        assert self.app.oauth_flow is not None
        return await self._oauth_step(self.app.oauth_flow.handle_installation, request)

    async def _oauth_redirect(self, request: web.Request) -> web.Response:
        assert self.app.oauth_flow is not None
        return await self._oauth_step(self.app.oauth_flow.handle_callback, request)

    async def _oauth_step(
        self,
        step: Callable[[AsyncBoltRequest], Awaitable[BoltResponse]],
        request: web.Request,
    ) -> web.Response:
        try:
            return await to_aiohttp_response(await step(await to_bolt_request(request)))
        except Exception as exc:  # the database, say: a plain page, never a trace
            log_unexpected(logger, f"GET {request.path}", exc)
            return web.Response(status=500, text="The installation failed. Try again later.")

    async def _slack_events(self, request: web.Request) -> web.Response:
        if self._intake is None:  # HTTP mode always has a signing secret (ServeSettings)
            return web.Response(status=401, text="no signing secret")
        body = await request.read()  # 413 past client_max_size
        try:
            bolt_request = self._intake.bolt_request(body, request.headers, request.query_string)
        except Refused as refused:
            # debug, as Bolt does: anyone can send these, and must not fill the log
            logger.debug("request refused: %d %s", refused.status, refused.reason)
            return web.Response(status=refused.status, text=refused.reason)
        bolt_response = await self.app.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    async def _health(self, _: web.Request) -> web.Response:
        if self._ready:
            # Without Redis the app still answers (from this instance's own state): 200.
            health = await self.app_context.state.check()
            if health.degraded:
                return web.json_response({"status": "degraded", "detail": health.detail})
            return web.json_response({"status": "ok"})
        return web.json_response({"status": "starting or stopping"}, status=503)

    async def _prepare_database(self, workspaces: Workspaces) -> None:
        await workspaces.create_tables()
        # Key rotation: every start seals all tokens with the newest key, so an old key
        # can leave CONNECTOR_ENCRYPTION_KEYS once every instance has restarted.
        resealed, unreadable = await workspaces.connections.reseal_all()
        logger.info("connections sealed with the newest key: %d", resealed)
        if unreadable:
            logger.warning(
                "no key opens the connection of team(s) %s; they must connect again",
                ",".join(unreadable),
            )

    async def _check_token(self) -> None:
        try:
            auth = await self.app.client.auth_test()
        except SlackApiError as exc:
            error = exc.response.get("error", "unknown_error")
            if error in TOKEN_REFUSED_ERRORS:
                raise TokenRefused(f"Slack refused SLACK_BOT_TOKEN ({error})") from None
            logger.warning(
                "auth.test failed (%s); going on, Slack may be unreachable", loggable(error)
            )
        except Exception as exc:  # network trouble at start-up should not stop the app
            logger.warning("auth.test failed (%s); going on", type(exc).__name__)
        else:
            teams = self.app_context.teams
            if isinstance(teams, OneWorkspace):  # single-workspace: the token's team is ours
                teams.learn(auth)
            logger.info(
                "Slack token works for team=%s (%s) bot=%s",
                loggable(auth.get("team_id")),
                loggable(auth.get("team")),
                loggable(auth.get("user")),
            )


async def serve(settings: ServeSettings | OAuthSettings) -> int:
    """Run until SIGTERM or SIGINT; the exit status is 0 after a clean stop."""
    server = Server(settings)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    try:
        await server.start()
    except TokenRefused as exc:
        logger.error("%s", exc)
        await server.stop()
        return 2
    _tune_garbage_collector()
    await stopping.wait()
    logger.info("stopping: no new requests; finishing work in flight")
    await server.stop()
    return 0


def _tune_garbage_collector() -> None:
    """Fewer, cheaper collections while serving (https://docs.python.org/3/library/gc.html).

    What start-up made (modules, settings, clients) lives as long as the process: frozen, the
    collector stops scanning it. A burst of lookups allocates many short-lived objects; with
    the default threshold (700) the collector ran about 450 times in two bursts of 200 and
    took a tenth of their CPU, with 20,000 about 15 times. Only cyclic garbage waits longer.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)
