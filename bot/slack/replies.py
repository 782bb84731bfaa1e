"""Delivering answers to a Slack `response_url`, over one shared HTTP session.

Bolt's own `respond()` opens a new HTTP session for every call; under load that means a new
TCP and TLS handshake per answer. `Replies` keeps one aiohttp session for the process and
posts with it directly. What to retry, and how long to wait, is slack_sdk's: its retry
handlers (bot/slack/web.py) judge each failed post. Only the loop is ours, so a post that
succeeds costs no more than aiohttp's own request (slack_sdk's webhook client cost about
80 µs of CPU more per answer, BENCHMARKS.md).

A `response_url` comes in the request, so whoever can sign a request chooses it. Answers
(a requester's card holds contact details) therefore go only to Slack: to
`https://hooks.slack.com/`, where Slack's response URLs live
(https://api.slack.com/interactivity/handling#message_responses), or to the origin of
SLACK_API_URL (slack.com in production; a local fake in tests). A redirect is never
followed, since it could lead anywhere.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, TypeGuard

import aiohttp
from slack_sdk.http_retry.request import HttpRequest as RetryHttpRequest
from slack_sdk.http_retry.response import HttpResponse as RetryHttpResponse
from slack_sdk.http_retry.state import RetryState
from yarl import URL

from bot.slack.web import retry_handlers

logger = logging.getLogger("bot.slack.replies")
_ERROR_CODE = re.compile(r"[a-z_]{1,64}")  # Slack's error codes; anything else is not logged
_FINAL = {"expired_url", "used_url", "no_service"}  # retrying cannot help with these
_HEADERS = {"Content-Type": "application/json;charset=utf-8"}
_MAX_ANSWER_BYTES = 1024  # Slack answers "ok" or an error code; nothing longer is read
MAX_RETRY_AFTER = 10  # seconds; a reply that must wait longer is not worth holding on to

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
        try:
            status, answer = await self._post(response_url, json.dumps(payload).encode())
        except (aiohttp.ClientError, TimeoutError) as exc:
            logger.warning("reply not delivered: %s", type(exc).__name__)
            return False
        if status == 200:
            return True
        error = answer if _ERROR_CODE.fullmatch(answer) else "?"
        logger.warning("reply refused by Slack: HTTP %s (%s)", status, error)
        if payload.get("blocks") and 400 <= status < 500 and status != 429 and error not in _FINAL:
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

    async def _post(self, url: str, body: bytes) -> tuple[int, str]:
        """Post `body` until it is answered or slack_sdk's retry handlers give up on it: the
        last status and what Slack said. Raises the last connection error, or NotSlack."""
        session = self._open_session()
        state = RetryState()
        request: RetryHttpRequest | None = None
        while True:
            response: RetryHttpResponse | None = None
            error: Exception | None = None
            text = ""
            try:
                async with session.post(
                    url, data=body, headers=_HEADERS, allow_redirects=False
                ) as posted:
                    status = posted.status
                    if status in _REDIRECTS:
                        raise NotSlack(f"refused to follow a redirect ({status})")
                    answer = await posted.content.read(_MAX_ANSWER_BYTES)
                    text = answer.decode("utf-8", "replace").strip()
                    if status < 400:
                        return status, text
                    response = RetryHttpResponse(
                        status_code=status, headers=dict(posted.headers), data=answer
                    )
            except NotSlack:
                raise
            except aiohttp.ClientError as exc:
                error = exc
            if response is not None and not self._may_wait(response):
                return response.status_code, text
            request = request or RetryHttpRequest(
                method="POST", url=url, headers=dict(_HEADERS), data=body
            )
            if not await self._retried(state, request, response, error):
                if error is not None:
                    raise error
                assert response is not None
                return response.status_code, text

    async def _retried(
        self,
        state: RetryState,
        request: RetryHttpRequest,
        response: RetryHttpResponse | None,
        error: Exception | None,
    ) -> bool:
        """Whether a retry handler takes this failure on (it waits before answering True)."""
        state.next_attempt_requested = False
        for handler in self._retry_handlers:
            if await handler.can_retry_async(
                state=state, request=request, response=response, error=error
            ):
                await handler.prepare_for_next_attempt_async(
                    state=state, request=request, response=response, error=error
                )
                return state.next_attempt_requested
        return False

    def _may_wait(self, response: RetryHttpResponse) -> bool:
        """False for a 429 whose Retry-After is too long to hold the reply for, or unreadable."""
        if response.status_code != 429:
            return True
        values = {k.lower(): v for k, v in response.headers.items()}.get("retry-after", ["1"])
        wait = str(values[0]) if isinstance(values, list) else str(values)
        return wait.isdigit() and int(wait) <= MAX_RETRY_AFTER

    def _open_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            # unlimited pool: hundreds of answers may be on their way at once
            connector = aiohttp.TCPConnector(limit=0, limit_per_host=0)
            timeout = aiohttp.ClientTimeout(total=self._timeout)
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
            )
        return self._session


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
