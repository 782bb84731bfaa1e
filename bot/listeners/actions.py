"""Buttons on the card: "Share in channel", and link buttons that only need acknowledging."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.ats.errors import AtsError
from bot.cards import (
    Message,
    apology_message,
    candidate_message,
    error_message,
    share_refused_message,
)
from bot.logs import log_unexpected
from bot.lookup import LookupKey
from bot.policy import View, is_private
from bot.services import Services

logger = logging.getLogger("bot.lookup")

ActionListener = Callable[[AsyncAck, dict[str, Any], dict[str, Any]], Awaitable[None]]


async def acknowledge_only(ack: AsyncAck) -> None:
    """Link buttons open their URL in the browser; Slack still expects an acknowledgement."""
    await ack()


def share_in_channel(services: Services) -> ActionListener:
    """Build the "Share in channel" listener: re-check privacy, then post the channel view."""

    async def handle(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        services.inflight.spawn(_share_and_reply(services, body, action), "share")

    return handle


async def _share_and_reply(
    services: Services, body: dict[str, Any], action: dict[str, Any]
) -> None:
    started = time.monotonic()
    candidate_id = str(action.get("value", ""))
    user_id = str(body.get("user", {}).get("id", ""))
    try:
        payload, outcome = await _share(services, candidate_id, user_id)
    except Exception as exc:  # the user still gets an answer, never silence
        log_unexpected(logger, "share", exc)
        payload, outcome = _ephemeral(apology_message()), "unexpected_error"
    response_url = body.get("response_url")
    if response_url:
        await services.replies.send(response_url, payload)
    logger.info(
        "share user=%s id=%s outcome=%s ms=%d",
        user_id,
        candidate_id,
        outcome,
        (time.monotonic() - started) * 1000,
    )


async def _share(services: Services, candidate_id: str, user_id: str) -> tuple[dict[str, Any], str]:
    try:
        # fresh: privacy may have changed since the card was shown
        candidate = await services.lookups.fetch(LookupKey("id", candidate_id), fresh=True)
    except AtsError as error:
        return _ephemeral(error_message(error, ref=candidate_id)), error.kind
    if is_private(candidate, strict=services.strict):
        return _ephemeral(share_refused_message(ref=candidate_id)), "refused_private"
    message = candidate_message(candidate, View.CHANNEL, strict=services.strict, shared_by=user_id)
    shared = {"response_type": "in_channel", "replace_original": False, **message.as_payload()}
    return shared, "shared"


def _ephemeral(message: Message) -> dict[str, Any]:
    return {"response_type": "ephemeral", "replace_original": False, **message.as_payload()}
