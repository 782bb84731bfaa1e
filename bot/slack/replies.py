"""Delivering answers to a Slack `response_url`, over one shared HTTP session.

Bolt's own `respond()` opens a new HTTP session for every call; under load that means a new
TCP and TLS handshake per answer. `Replies` keeps one aiohttp session for the process and
uses slack_sdk's webhook client (with its retry handlers) on top of it.

A `response_url` comes in the request, so whoever can sign a request chooses it. Answers
(a requester's card holds contact details) therefore go only to Slack: to
`https://hooks.slack.com/`, where Slack's response URLs live
(https://api.slack.com/interactivity/handling#message_responses), or to the origin of
SLACK_API_URL (slack.com in production; a local fake in tests). A redirect is never
followed, since it could lead anywhere. The session itself enforces both, on every request.
"""

from __future__ import annotations

import logging
import re
from typing import Any, TypeGuard

import aiohttp
from slack_sdk.webhook.async_client import AsyncWebhookClient
from yarl import URL

from bot.slack.web import retry_handlers

logger = logging.getLogger("bot.slack.replies")
_ERROR_CODE = re.compile(r"[a-z_]{1,64}")  # Slack's error codes; anything else is not logged
_FINAL = {"expired_url", "used_url", "no_service"}  # retrying cannot help with these
# slack_sdk formats every request body into a debug message unless its logger's own level
# says otherwise (a parent's level is not enough), so it gets one that does.
_sdk_logger = logging.getLogger("bot.slack.replies.webhook")
_sdk_logger.setLevel(logging.WARNING)

SLACK_HOOKS = "https://hooks.slack.com/"
MAX_URL_LENGTH = 2048  # Slack's response URLs are about 100 characters
_REDIRECTS = frozenset({301, 302, 303, 307, 308})

Origin = tuple[str, str, int]


class NotSlack(aiohttp.ClientError):
    """A reply was about to go somewhere other than Slack, or to follow a redirect."""


class Replies:
    """Posts messages to response URLs on Slack's own hosts."""

    def __init__(self, *, slack_api_url: str = "https://slack.com/api/", timeout: float = 10.0):
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self._retry_handlers = retry_handlers()
        allowed = {_origin(SLACK_HOOKS), _origin(slack_api_url)}
        self._allowed: frozenset[Origin] = frozenset(o for o in allowed if o is not None)

    def accepts(self, response_url: object) -> TypeGuard[str]:
        """True when `response_url` is a URL on one of Slack's hosts that we post to."""
        return _origin(response_url) in self._allowed

    async def send(self, response_url: str, payload: dict[str, Any]) -> bool:
        """Post one message; True when Slack accepted it (failures are logged, not raised)."""
        if not self.accepts(response_url):
            logger.warning("reply not sent: the response_url is not on a Slack host")
            return False
        if self._session is None or self._session.closed:
            # unlimited pool: hundreds of answers may be on their way at once
            connector = aiohttp.TCPConnector(limit=0, limit_per_host=0)
            timeout = aiohttp.ClientTimeout(total=self._timeout)
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=timeout, middlewares=(self._only_to_slack,)
            )
        client = AsyncWebhookClient(
            url=response_url,
            session=self._session,
            retry_handlers=self._retry_handlers,
            logger=_sdk_logger,
        )
        try:
            response = await client.send_dict(payload)
        except (aiohttp.ClientError, TimeoutError) as exc:
            logger.warning("reply not delivered: %s", type(exc).__name__)
            return False
        if response.status_code == 200:
            return True
        error = response.body if _ERROR_CODE.fullmatch(response.body or "") else "?"
        logger.warning("reply refused by Slack: HTTP %s (%s)", response.status_code, error)
        if payload.get("blocks") and 400 <= response.status_code < 500 and error not in _FINAL:
            # Slack refused the blocks (an avatar it could not fetch, say): the answer goes out
            # as its plain fallback text rather than not at all.
            plain = {key: value for key, value in payload.items() if key != "blocks"}
            return await self.send(response_url, plain)
        return False

    async def aclose(self) -> None:
        """Close the shared session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _only_to_slack(
        self, request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        """Session middleware: send only to Slack, and never follow a redirect."""
        if _origin(request.url) not in self._allowed:
            raise NotSlack("refused to send a reply outside Slack")
        response = await handler(request)
        if response.status in _REDIRECTS:
            response.release()
            raise NotSlack(f"refused to follow a redirect ({response.status})")
        return response


def _origin(url: object) -> Origin | None:
    """(scheme, host, port) of an absolute http(s) URL with no user info; None otherwise."""
    if isinstance(url, str):
        if len(url) > MAX_URL_LENGTH or not url.isprintable() or " " in url:
            return None
        try:
            url = URL(url)
        except (ValueError, TypeError):
            return None
    if not isinstance(url, URL) or url.scheme not in {"http", "https"}:
        return None
    if not url.host or url.port is None or url.user is not None or url.password is not None:
        return None
    return url.scheme, url.host.lower(), url.port
