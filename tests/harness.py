"""End-to-end harness (fixtures): the real app on a free port, with fake Slack and Bindbee."""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest

from bot.config import OAuthSettings, ServeSettings
from bot.core.cards.workspace import (
    CONNECT_CALLBACK_ID,
    TOKEN_ACTION_ID,
    TOKEN_BLOCK_ID,
)
from bot.slack.server import Server
from tests.fakes.bindbee import FakeBindbee
from tests.fakes.slack import BOT_TOKEN, CLIENT_ID, CLIENT_SECRET, SIGNING_SECRET, FakeSlack
from tests.slack_requests import (
    FORM,
    JSON,
    action_body,
    command_body,
    event_body,
    signed_headers,
    view_submission_body,
)

# Fernet keys (32 bytes, url-safe base64), fixed so that failures are reproducible.
KEY_OLD = base64.urlsafe_b64encode(b"o" * 32).decode()
KEY_NEW = base64.urlsafe_b64encode(b"n" * 32).decode()


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """A fake Slack Web API, response_url receiver and Socket Mode server."""
    with FakeSlack() as fake:
        yield fake


@pytest.fixture(scope="session")
def bindbee_server() -> Iterator[FakeBindbee]:
    """One fake Bindbee API for the whole test run (per xdist worker)."""
    with FakeBindbee() as fake:
        yield fake


@pytest.fixture
def bindbee(bindbee_server: FakeBindbee) -> FakeBindbee:
    """The fake Bindbee API, cleared of whatever an earlier test left in it."""
    bindbee_server.start_over()
    return bindbee_server


def settings_for(slack: FakeSlack, bindbee: FakeBindbee, **overrides: Any) -> ServeSettings:
    """Settings pointing the app at the fakes; `overrides` use Settings field names."""
    values: dict[str, Any] = {
        "_env_file": None,
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": slack.api_url,
        "bindbee_api_key": FakeBindbee.API_KEY,
        "bindbee_connector_token": FakeBindbee.CONNECTOR_TOKEN,
        "bindbee_base_url": bindbee.url,
        "host": "127.0.0.1",
        "port": 0,
        "bindbee_connect_timeout": 1.0,
        "shutdown_grace": 5.0,
    }
    values.update(overrides)
    return ServeSettings.load(**values)


def oauth_settings_for(
    slack: FakeSlack, bindbee: FakeBindbee, database_url: str, **overrides: Any
) -> OAuthSettings:
    """OAuth-mode settings pointing the app at the fakes and at `database_url`."""
    values: dict[str, Any] = {
        "_env_file": None,
        "slack_client_id": CLIENT_ID,
        "slack_client_secret": CLIENT_SECRET,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": slack.api_url,
        "bindbee_api_key": FakeBindbee.API_KEY,
        "bindbee_base_url": bindbee.url,
        "database_url": database_url,
        "connector_encryption_keys": KEY_NEW,
        "host": "127.0.0.1",
        "port": 0,
        "bindbee_connect_timeout": 1.0,
        "shutdown_grace": 5.0,
    }
    values.update(overrides)
    return OAuthSettings.load(**values)


class RunningApp:
    """The served app, plus helpers that send it requests signed as Slack signs them."""

    def __init__(self, server: Server, slack: FakeSlack, http: httpx.AsyncClient) -> None:
        self.server = server
        self.slack = slack
        self.http = http
        self.url = f"http://127.0.0.1:{server.port}"

    async def post(self, body: str, content_type: str, **headers: str) -> httpx.Response:
        """POST a signed body to /slack/events."""
        all_headers = {**signed_headers(body, content_type), **headers}
        return await self.http.post(f"{self.url}/slack/events", content=body, headers=all_headers)

    async def command(self, text: str, *, reply_to: str = "cmd", **kwargs: str) -> httpx.Response:
        """Send `/candidate <text>`; the answer lands at the fake's /webhook/<reply_to>."""
        body = command_body(text, self.slack.response_url(reply_to), **kwargs)
        return await self.post(body, FORM)

    async def action(
        self, action_id: str, value: str, *, reply_to: str = "action", **kwargs: str
    ) -> httpx.Response:
        """Press a button on a card."""
        body = action_body(action_id, value, self.slack.response_url(reply_to), **kwargs)
        return await self.post(body, FORM)

    async def event(self, event: dict[str, Any], **envelope: Any) -> httpx.Response:
        """Deliver an Events API event."""
        return await self.post(event_body(event, **envelope), JSON)

    async def settled(self, within: float = 10) -> None:
        """Wait until the work the app took on after its acks (lookups, unfurls) is done."""
        assert await self.server.app_context.inflight.drain(within), "work still in flight"

    async def install_page(self) -> tuple[httpx.Response, str]:
        """GET /slack/install: the page, and the state it issued (from its cookie)."""
        page = await self.http.get(f"{self.url}/slack/install")
        match = re.search(r"slack-app-oauth-state=([^;]+)", page.headers.get("set-cookie", ""))
        return page, match.group(1) if match else ""

    async def oauth_callback(self, code: str, state: str) -> httpx.Response:
        """GET /slack/oauth_redirect as the installer's browser does, cookie and all."""
        return await self.http.get(
            f"{self.url}/slack/oauth_redirect",
            params={"code": code, "state": state},
            headers={"Cookie": f"slack-app-oauth-state={state}"},
        )

    async def install(self, team_id: str, *, installer: str = "U0INSTALLER") -> httpx.Response:
        """The whole "Add to Slack" round trip for a workspace the fake Slack knows."""
        workspace = self.slack.add_workspace(team_id, installer=installer)
        _, state = await self.install_page()
        return await self.oauth_callback(workspace.code, state)

    async def submit_token(self, token: str, *, user_id: str, team_id: str) -> httpx.Response:
        """Submit the connect modal with `token` in its one field."""
        values = {TOKEN_BLOCK_ID: {TOKEN_ACTION_ID: {"type": "plain_text_input", "value": token}}}
        body = view_submission_body(CONNECT_CALLBACK_ID, values, user_id=user_id, team_id=team_id)
        return await self.post(body, FORM)

    async def reply(self, reply_to: str = "cmd", count: int = 1) -> dict[str, Any]:
        """Wait for the `count`-th answer posted to /webhook/<reply_to> and return it."""
        calls = await self.slack.wait_for_async(f"/webhook/{reply_to}", count)
        return calls[count - 1].body


StartApp = Callable[..., Awaitable[RunningApp]]


@pytest.fixture
async def start_app(slack: FakeSlack, bindbee: FakeBindbee) -> AsyncIterator[StartApp]:
    """Start the app with settings overrides; everything started is stopped afterwards."""
    servers: list[Server] = []
    async with httpx.AsyncClient(timeout=15) as http:

        async def start(**overrides: Any) -> RunningApp:
            server = Server(settings_for(slack, bindbee, **overrides))
            await server.start()
            servers.append(server)
            return RunningApp(server, slack, http)

        yield start
        for server in servers:
            await server.stop()


@pytest.fixture
async def app(start_app: StartApp) -> RunningApp:
    """The app with default settings."""
    return await start_app()


@pytest.fixture
async def start_oauth_app(
    slack: FakeSlack, bindbee: FakeBindbee, database_url: str
) -> AsyncIterator[StartApp]:
    """Start the app in OAuth mode on `database_url` (each backend in turn)."""
    servers: list[Server] = []
    async with httpx.AsyncClient(timeout=15) as http:

        async def start(**overrides: Any) -> RunningApp:
            server = Server(oauth_settings_for(slack, bindbee, database_url, **overrides))
            await server.start()
            servers.append(server)
            return RunningApp(server, slack, http)

        yield start
        for server in servers:
            await server.stop()
