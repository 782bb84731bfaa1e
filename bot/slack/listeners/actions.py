"""Buttons on the card: "Share in channel", and link buttons that only need acknowledging."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.ats.errors import LookupFailure
from bot.context import AppContext
from bot.core.cards import (
    Message,
    apology_message,
    candidate_message,
    error_message,
    share_refused_message,
)
from bot.core.policy import View, is_private
from bot.logs import log_unexpected
from bot.lookups import LookupKey

logger = logging.getLogger("bot.share")

ActionListener = Callable[[AsyncAck, dict[str, Any], dict[str, Any]], Awaitable[None]]

SHARE_REPEAT = 10.0
"""Seconds in which the same user sharing the same card again is the same click (a double
click, or one delivery seen by two instances): posted once."""


async def acknowledge_only(ack: AsyncAck) -> None:
    """Link buttons open their URL in the browser; Slack still expects an acknowledgement."""
    await ack()


def share_in_channel(app_context: AppContext) -> ActionListener:
    """Build the "Share in channel" listener: re-check privacy, then post the channel view."""

    async def handle(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        if not await app_context.state.first_time(
            _share_key(app_context, body, action), ttl=SHARE_REPEAT
        ):
            logger.info("share skipped: the same click was handled already")
            return
        app_context.inflight.spawn(_share_and_reply(app_context, body, action), "share")

    return handle


async def _share_and_reply(
    app_context: AppContext, body: dict[str, Any], action: dict[str, Any]
) -> None:
    started = time.monotonic()
    candidate_id = str(action.get("value", ""))
    user_id = str(body.get("user", {}).get("id", ""))
    try:
        payload, outcome = await _share(app_context, candidate_id, user_id)
    except Exception as exc:  # the user still gets an answer, never silence
        log_unexpected(logger, "share", exc)
        payload, outcome = _ephemeral(apology_message()), "unexpected_error"
    response_url = body.get("response_url")
    if response_url:
        await app_context.replies.send(response_url, payload)
    logger.info(
        "share user=%s id=%s outcome=%s ms=%d",
        user_id,
        candidate_id,
        outcome,
        (time.monotonic() - started) * 1000,
    )


async def _share(
    app_context: AppContext, candidate_id: str, user_id: str
) -> tuple[dict[str, Any], str]:
    try:
        # fresh: privacy may have changed since the card was shown
        candidate = await app_context.lookups.fetch(LookupKey("id", candidate_id), fresh=True)
    except LookupFailure as error:
        return _ephemeral(error_message(error, ref=candidate_id)), error.kind
    if is_private(candidate, strict=app_context.strict):
        return _ephemeral(share_refused_message(ref=candidate_id)), "refused_private"
    message = candidate_message(
        candidate, View.CHANNEL, strict=app_context.strict, shared_by=user_id
    )
    shared = {"response_type": "in_channel", "replace_original": False, **message.as_payload()}
    return shared, "shared"


def _share_key(app_context: AppContext, body: dict[str, Any], action: dict[str, Any]) -> str:
    """Who shares which candidate from which card."""
    user_id = str(body.get("user", {}).get("id", ""))
    card = str(body.get("container", {}).get("message_ts", ""))
    return app_context.keys.share(user_id, str(action.get("value", "")), card)


def _ephemeral(message: Message) -> dict[str, Any]:
    return {"response_type": "ephemeral", "replace_original": False, **message.as_payload()}
