"""A fake Slack on 127.0.0.1: the Web API, `response_url` targets and Socket Mode.

- `POST /api/<method>`: `auth.test` checks the bearer token and names the team
  (`team_id`, settable); `chat.unfurl` is recorded and can be told to fail (`fail_unfurl`);
  `conversations.info` answers from `conversations` (channel id → the fields Slack would
  give, e.g. `is_ext_shared`), and `channel_not_found` for any other channel;
  `apps.connections.open` hands out this server's websocket; every other method answers
  `{"ok": true}`.
- Many workspaces (OAuth mode): `add_workspace` makes a team with its own bot token and an
  authorization code; `oauth.v2.access` trades the code (once) for the token, checking the
  client id and secret; `auth.test` says which team a token belongs to; `users.info` says
  whether a user is an admin (`admins`); `views.open` and `views.publish` are recorded.
- `POST /webhook/<anything>`: a response_url; the JSON posted is recorded.
- `POST /redirect/<anything>`: recorded, and answered 307 to `/webhook/<anything>`.
- `GET /link`: the Socket Mode websocket. It says hello, and `send_envelope` pushes an
  envelope to the connected app; frames the app sends back are recorded in `socket_frames`.

Every call is recorded, with the time it arrived, so tests can wait on counts and compare
times without ever timing anything themselves.
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

from tests.fakes.background import BackgroundServer

BOT_TOKEN = "xoxb-test-bot-token"
APP_TOKEN = "xapp-test-app-token"
SIGNING_SECRET = "test-signing-secret"
SCOPES = "commands,links:read,links:write,channels:read,groups:read,im:read,mpim:read"
INTERNAL_CHANNEL = "C0HIRING"
CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "test-client-secret"


@dataclass(frozen=True)
class Workspace:
    """A workspace that can install the app: its team, installer and bot token."""

    team_id: str
    installer: str
    bot_token: str
    code: str


@dataclass(frozen=True)
class Call:
    """One request the fake received."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    received: float = field(default_factory=time.monotonic)


class FakeSlack(BackgroundServer):
    """Slack's side of every conversation the app has, recorded."""

    def __init__(self) -> None:
        super().__init__(self._make_app)
        self.calls: list[Call] = []
        self.socket_frames: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        self._unfurl_faults: list[tuple[int, dict[str, Any], dict[str, str]]] = []
        self._socket: web.WebSocketResponse | None = None
        self._refused_blocks = 0
        self._webhook_faults: list[tuple[int, dict[str, str]]] = []
        self.token = BOT_TOKEN
        self.team_id = "T0TEST"
        self.enterprise_id: str | None = None
        self.conversations: dict[str, dict[str, Any]] = {
            INTERNAL_CHANNEL: {"is_channel": True, "is_shared": False, "is_ext_shared": False}
        }
        self.workspaces: dict[str, Workspace] = {}  # by bot token
        self._codes: dict[str, Workspace] = {}  # authorization codes not yet used
        self.admins: set[str] = set()  # user ids users.info reports as workspace admins
        self.failing: dict[str, str] = {}  # Web API method → the error it answers with

    def add_workspace(self, team_id: str, *, installer: str = "U0INSTALLER") -> Workspace:
        """A workspace whose installation the next oauth.v2.access with its code completes."""
        workspace = Workspace(
            team_id=team_id,
            installer=installer,
            bot_token=f"xoxb-{team_id.lower()}-bot-token",
            code=f"code-{team_id.lower()}",
        )
        with self._changed:
            self.workspaces[workspace.bot_token] = workspace
            self._codes[workspace.code] = workspace
        return workspace

    def team_of(self, token: str) -> str | None:
        """The team a bot token belongs to, or None when Slack would refuse it."""
        if token == self.token:
            return self.team_id
        workspace = self.workspaces.get(token)
        return workspace.team_id if workspace else None

    @property
    def api_url(self) -> str:
        """The value for SLACK_API_URL."""
        return f"{self.url}/api/"

    def response_url(self, name: str = "cmd") -> str:
        """A response_url that lands here, under /webhook/<name>."""
        return f"{self.url}/webhook/{name}"

    def calls_to(self, path: str) -> list[Call]:
        """Calls whose path starts with `path` (e.g. "/api/chat.unfurl", "/webhook/")."""
        with self._changed:
            return [call for call in self.calls if call.path.startswith(path)]

    def wait_for(self, path: str, count: int = 1, within: float = 10) -> list[Call]:
        """Block until `count` calls to `path` arrived; raise AssertionError after `within` s."""
        deadline = time.monotonic() + within
        with self._changed:
            while len([c for c in self.calls if c.path.startswith(path)]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.path for c in self.calls]
                    raise AssertionError(f"waited for {count} call(s) to {path}; saw {seen}")
                self._changed.wait(left)
            return [c for c in self.calls if c.path.startswith(path)]

    async def wait_for_async(self, path: str, count: int = 1, within: float = 10) -> list[Call]:
        """`wait_for` for async tests, without blocking their event loop."""
        return await asyncio.to_thread(self.wait_for, path, count, within)

    def fail_unfurl(
        self, times: int = 1, *, status: int = 429, error: str = "ratelimited", retry_after: int = 1
    ) -> None:
        """Make the next `times` chat.unfurl calls fail."""
        headers = {"Retry-After": str(retry_after)} if status == 429 else {}
        for _ in range(times):
            self._unfurl_faults.append((status, {"ok": False, "error": error}, headers))

    def fail_webhook(self, times: int = 1, *, status: int = 500, retry_after: str = "0") -> None:
        """Answer the next `times` response_url posts with `status` (a 429 with Retry-After)."""
        headers = {"Retry-After": retry_after} if status == 429 else {}
        self._webhook_faults.extend([(status, headers)] * times)

    def refuse_blocks(self, times: int = 1) -> None:
        """Answer the next `times` response_url posts that carry blocks with 400 invalid_blocks."""
        self._refused_blocks += times

    def send_envelope(self, envelope: dict[str, Any]) -> None:
        """Push a Socket Mode envelope to the connected app."""

        async def send() -> None:
            assert self._socket is not None, "no app is connected to the websocket"
            await self._socket.send_str(json.dumps(envelope))

        self.call(send)

    def wait_for_socket(self, timeout: float = 10) -> None:
        """Block until an app has connected to the websocket."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._socket is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("no app connected to the Socket Mode websocket")
                self._changed.wait(left)

    def wait_for_frame(self, envelope_id: str, timeout: float = 10) -> dict[str, Any]:
        """Block until the app acknowledged the envelope; return its frame."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for frame in self.socket_frames:
                    if frame.get("envelope_id") == envelope_id:
                        return frame
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no acknowledgement for envelope {envelope_id}")
                self._changed.wait(left)

    def _record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def _make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/{method}", self._web_api)
        app.router.add_get("/api/{method}", self._web_api)  # slack_sdk GETs a few methods
        app.router.add_post("/webhook/{name:.*}", self._webhook)
        app.router.add_post("/redirect/{name:.*}", self._redirect)
        app.router.add_get("/link", self._websocket)
        app.router.add_get("/link/", self._websocket)
        app.on_shutdown.append(self._close_socket)
        return app

    async def _close_socket(self, _: web.Application) -> None:
        if self._socket is not None:
            await self._socket.close()

    async def _web_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = {**request.query, **await _body(request)}
        self._record(Call(request.path, dict(request.headers), body))
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not token:
            token = str(body.get("token", ""))
        if method == "apps.connections.open":
            if token != APP_TOKEN:
                return web.json_response({"ok": False, "error": "invalid_auth"})
            ws_url = self.url.replace("http://", "ws://") + "/link/?ticket=t"
            return web.json_response({"ok": True, "url": ws_url})
        if method in self.failing:
            return web.json_response({"ok": False, "error": self.failing[method]})
        if method == "oauth.v2.access":
            return self._oauth_access(request, body)
        team_id = self.team_of(token)
        if team_id is None:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if method == "auth.test":
            workspace = self.workspaces.get(token)
            identity = {
                "ok": True,
                "url": "https://test-team.slack.com/",
                "team": "Test Team",
                "user": "candidate-bot",
                "team_id": team_id,
                "user_id": f"U0BOT{team_id}" if workspace else "U0BOT",
                "bot_id": f"B0BOT{team_id}" if workspace else "B0BOT",
            }
            if self.enterprise_id is not None and workspace is None:
                identity["enterprise_id"] = self.enterprise_id
            return web.json_response(identity, headers={"x-oauth-scopes": SCOPES})
        if method == "conversations.info":
            channel_id = str(body.get("channel", ""))
            fields = self.conversations.get(channel_id)
            if fields is None:
                return web.json_response({"ok": False, "error": "channel_not_found"})
            return web.json_response({"ok": True, "channel": {"id": channel_id, **fields}})
        if method == "users.info":
            user = str(body.get("user", ""))
            flags = {"is_admin": user in self.admins, "is_owner": False}
            return web.json_response({"ok": True, "user": {"id": user, **flags}})
        if method == "views.open":
            return web.json_response({"ok": True, "view": {"id": "V0MODAL"}})
        if method == "chat.unfurl" and self._unfurl_faults:
            status, payload, headers = self._unfurl_faults.pop(0)
            return web.json_response(payload, status=status, headers=headers)
        return web.json_response({"ok": True})

    def _oauth_access(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        """oauth.v2.access: the client's credentials (HTTP Basic) and a code, used once."""
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return web.json_response({"ok": False, "error": "invalid_client_id"})
        with self._changed:
            workspace = self._codes.pop(str(body.get("code", "")), None)
        if workspace is None:
            return web.json_response({"ok": False, "error": "invalid_code"})
        return web.json_response(
            {
                "ok": True,
                "app_id": "A0APP",
                "authed_user": {"id": workspace.installer},
                "scope": SCOPES + ",users:read",
                "token_type": "bot",
                "access_token": workspace.bot_token,
                "bot_user_id": f"U0BOT{workspace.team_id}",
                "team": {"id": workspace.team_id, "name": f"Team {workspace.team_id}"},
                "enterprise": None,
                "is_enterprise_install": False,
            }
        )

    async def _webhook(self, request: web.Request) -> web.Response:
        body = await _body(request)
        self._record(Call(request.path, dict(request.headers), body))
        if self._webhook_faults:
            status, headers = self._webhook_faults.pop(0)
            return web.Response(status=status, text="ratelimited", headers=headers)
        if body.get("blocks") and self._refused_blocks:
            self._refused_blocks -= 1
            return web.Response(status=400, text="invalid_blocks")
        return web.Response(text="ok")

    async def _redirect(self, request: web.Request) -> web.Response:
        self._record(Call(request.path, dict(request.headers), await _body(request)))
        target = f"/webhook/{request.match_info['name']}"
        return web.Response(status=307, headers={"Location": target})

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        with self._changed:
            self._socket = socket
            self._changed.notify_all()
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                with self._changed:
                    self.socket_frames.append(json.loads(message.data))
                    self._changed.notify_all()
        return socket


async def _body(request: web.Request) -> dict[str, Any]:
    raw = await request.text()
    if not raw:
        return {}
    if raw.lstrip().startswith("{"):
        parsed: dict[str, Any] = json.loads(raw)
        return parsed
    return dict(parse_qsl(raw))
