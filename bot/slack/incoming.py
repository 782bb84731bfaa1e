"""From the bytes of an HTTP request to a Bolt request: signature first, then parsing.

Bolt parses a body as soon as a request object is built, before its own signature check,
so a malformed body from anyone would reach the parser (and a failure there is a 500).
Here, in this order:

    body larger than MAX_BODY_BYTES          413 (aiohttp refuses to read it)
    timestamp or signature missing/malformed 401
    signature wrong or older than 5 minutes  401   (slack_sdk's SignatureVerifier)
    signed, but not a body Bolt can read     400   (not JSON or a form, or fields that
                                                   Bolt's routing reads in the wrong shape)
    otherwise                                the Bolt request

The signature scheme is https://api.slack.com/authentication/verifying-requests-from-slack.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

logger = logging.getLogger("bot.slack.incoming")

MAX_BODY_BYTES = 256 * 1024
"""Bigger request bodies are refused unread. Slack's own payloads are a few kilobytes; one
that carries a whole message (50 blocks at most) stays well below this."""

_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # Unix seconds, ASCII digits only


class Refused(Exception):
    """The request is not answered: `status` says why (400 or 401)."""

    def __init__(self, status: int, reason: str) -> None:
        self.status = status
        self.reason = reason
        super().__init__(reason)


# The fields Bolt reads to route a request (its matchers and context builders), and the
# shapes Slack gives them. A field may be absent; when present, it must have its shape.
_OBJECTS = ("event", "view", "container", "message", "state")
_LISTS_OF_OBJECTS = ("actions", "authorizations")
_OBJECTS_OR_IDS = ("team", "user", "channel", "enterprise")
_NAMES = ("type", "action_id", "block_id", "callback_id", "command", "event_id", "team_id")


def routable(body: object) -> bool:
    """Whether the fields Bolt's routing reads have the shapes Slack sends them in."""
    if not isinstance(body, dict):
        return False
    if any(key in body and not isinstance(body[key], dict) for key in _OBJECTS):
        return False
    for key in _LISTS_OF_OBJECTS:
        items = body.get(key, [])
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            return False
    if any(not isinstance(body.get(key), dict | str | None) for key in _OBJECTS_OR_IDS):
        return False
    parts = [body, body.get("event", {}), body.get("view", {}), *body.get("actions", [])]
    return all(isinstance(part.get(key), str | None) for part in parts for key in _NAMES)


class Intake:
    """Turns signed request bytes into Bolt requests, and refuses everything else."""

    def __init__(self, signing_secret: str) -> None:
        self._verifier = SignatureVerifier(signing_secret)

    def bolt_request(self, body: bytes, headers: Mapping[str, str], query: str) -> AsyncBoltRequest:
        """The Bolt request for a body signed by Slack, or raise `Refused`."""
        if not self._signed(body, headers):
            raise Refused(401, "not signed by Slack")
        try:
            # Bolt parses here: JSON (a deeply nested one ends in RecursionError), or a form
            # whose `payload` is JSON; then it reads ids from whatever shape that has.
            request = AsyncBoltRequest(
                body=body.decode("utf-8"), query=query, headers=dict(headers)
            )
        except (ValueError, TypeError, AttributeError, LookupError, RecursionError):
            request = None
        if request is None or not routable(request.body):
            raise Refused(400, "signed, but not a request body Bolt can read")
        return request

    def _signed(self, body: bytes, headers: Mapping[str, str]) -> bool:
        timestamp = headers.get("X-Slack-Request-Timestamp", "")
        signature = headers.get("X-Slack-Signature", "")
        if not _TIMESTAMP.fullmatch(timestamp) or not signature:
            return False
        try:
            return self._verifier.is_valid(body, timestamp, signature)
        except UnicodeDecodeError:  # Slack signs UTF-8 text; other bytes are not its own
            return False
