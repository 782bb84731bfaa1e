"""Slack's Web API and webhooks: one way to build a client, one set of retry handlers.

Retries follow slack_sdk's built-in handlers:
https://tools.slack.dev/python-slack-sdk/web#retryhandler
"""

from __future__ import annotations

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

# Errors by which Slack says the token itself is no good, so retrying cannot help:
# https://api.slack.com/methods/auth.test#errors
TOKEN_REFUSED_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)


def retry_handlers() -> list[AsyncRetryHandler]:
    """Retry connection errors, 429s (after Retry-After) and 5xx, a couple of times each."""
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
        AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        AsyncServerErrorRetryHandler(max_retry_count=2),
    ]


def web_client(token: str | None, base_url: str, *, timeout: int = 30) -> AsyncWebClient:
    """A Web API client that calls `base_url` (SLACK_API_URL) and retries what is worth it."""
    return AsyncWebClient(
        token=token, base_url=base_url, timeout=timeout, retry_handlers=retry_handlers()
    )
