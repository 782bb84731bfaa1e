"""Delivering answers to a Slack `response_url`, over one shared HTTP session.

Bolt's own `respond()` opens a new HTTP session for every call; under load that means a new
TCP and TLS handshake per answer. `Replies` keeps one aiohttp session for the process and
uses slack_sdk's webhook client (with its retry handlers) on top of it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import aiohttp
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.slack.web import retry_handlers

logger = logging.getLogger("bot.slack.replies")
_ERROR_CODE = re.compile(r"[a-z_]{1,64}")  # Slack's error codes; anything else is not logged
_FINAL = {"expired_url", "used_url", "no_service"}  # retrying cannot help with these
# slack_sdk formats every request body into a debug message unless its logger's own level
# says otherwise (a parent's level is not enough), so it gets one that does.
_sdk_logger = logging.getLogger("bot.slack.replies.webhook")
_sdk_logger.setLevel(logging.WARNING)


class Replies:
    """Posts messages to response URLs."""

    def __init__(self, *, timeout: float = 10.0) -> None:
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self._retry_handlers = retry_handlers()

    async def send(self, response_url: str, payload: dict[str, Any]) -> bool:
        """Post one message; True when Slack accepted it (failures are logged, not raised)."""
        if self._session is None or self._session.closed:
            # unlimited pool: hundreds of answers may be on their way at once
            connector = aiohttp.TCPConnector(limit=0, limit_per_host=0)
            timeout = aiohttp.ClientTimeout(total=self._timeout)
            self._session = aiohttp.ClientSession(connector=connector, timeout=timeout)
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
