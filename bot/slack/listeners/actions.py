"""Buttons: "Share in channel" on a card, "Show" on a list of matches, and link buttons
that only need acknowledging."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.ats.budget import on_behalf_of
from bot.ats.errors import LookupFailure
from bot.context import AppContext
from bot.core.cards import (
    Message,
    apology_message,
    candidate_message,
    error_message,
    outcome_message,
    share_blocked_message,
    share_refused_message,
)
from bot.core.cards.workspace import not_connected_message
from bot.core.policy import View, is_private
from bot.logs import elapsed_ms, log_unexpected, loggable
from bot.lookups import LookupKey

logger = logging.getLogger("bot.share")

ActionListener = Callable[
    [AsyncAck, dict[str, Any], dict[str, Any], AsyncWebClient], Awaitable[None]
]


async def acknowledge_only(ack: AsyncAck) -> None:
    """Link buttons open their URL in the browser; Slack still expects an acknowledgement."""
    await ack()


@dataclass(frozen=True)
class ShareRequest:
    """What one press of "Share in channel" says, read defensively from the payload."""

    candidate_id: str
    user_id: str | None
    team_id: str
    channel_id: str | None
    message_ts: str | None
    response_url: object
    shared_flag: object  # is_ext_shared_channel, if the payload says (it usually does not)

    @classmethod
    def from_body(cls, body: dict[str, Any], action: dict[str, Any]) -> ShareRequest:
        """Read the press from a block_actions payload."""
        container = _dict(body.get("container"))
        return cls(
            candidate_id=_text(action.get("value")) or "",
            user_id=_text(_dict(body.get("user")).get("id")),
            team_id=_text(_dict(body.get("team")).get("id")) or "",
            channel_id=_text(_dict(body.get("channel")).get("id"))
            or _text(container.get("channel_id")),
            message_ts=_text(container.get("message_ts")),
            response_url=body.get("response_url"),
            shared_flag=body.get("is_ext_shared_channel"),
        )

    @property
    def key(self) -> str:
        """One share per workspace, clicked message (channel and message ts) and candidate.

        The team is part of it: in OAuth mode every workspace shares one dedupe, and a Slack
        Connect channel has the same id in each workspace it joins.
        """
        parts = (self.team_id, self.channel_id, self.message_ts, self.candidate_id)
        return "share:" + ":".join(part or "-" for part in parts)


def share_in_channel(app_context: AppContext) -> ActionListener:
    """Build the "Share in channel" listener: re-check privacy, then post the channel view."""

    async def handle(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        started = time.monotonic()
        press = ShareRequest.from_body(body, action)
        response_url = press.response_url
        if not app_context.replies.accepts(response_url):
            # Nowhere to post the card to, and a button's ack carries no message: log it.
            outcome = "no_response_url" if not response_url else "refused_response_url"
            _log_line(press, outcome, "none", started)
            return
        # Claimed before any await, so a double click cannot slip in between.
        if not await app_context.shares.first(press.key):
            _log_line(press, "already_shared", "none", started)
            return
        work = _share_and_reply(app_context, client, press, response_url, started)
        app_context.inflight.spawn(work, "share")

    return handle


async def _share_and_reply(
    app_context: AppContext,
    client: AsyncWebClient,
    press: ShareRequest,
    response_url: str,
    started: float,
) -> None:
    try:
        with on_behalf_of(press.user_id):
            payload, outcome = await _share(app_context, client, press)
    except Exception as exc:  # the user still gets an answer, never silence
        log_unexpected(logger, "share", exc)
        payload, outcome = apology_message().as_reply(), "unexpected_error"
    posted = await app_context.replies.send(response_url, payload)
    if outcome != "shared" or not posted:
        # Nothing reached the channel, so pressing again may share it after all.
        await app_context.shares.forget(press.key)
    _log_line(press, outcome, "posted" if posted else "not_delivered", started)


async def _share(
    app_context: AppContext, client: AsyncWebClient, press: ShareRequest
) -> tuple[dict[str, Any], str]:
    lookups = await app_context.lookups_for(press.team_id)
    if lookups is None:  # disconnected since the card was shown
        workspaces = app_context.workspaces
        installer = await workspaces.installer(press.team_id) if workspaces else None
        return not_connected_message(installer).as_reply(), "not_connected"
    refusal = await app_context.guard.refusal(client, press.channel_id, press.shared_flag)
    if refusal is not None:
        blocked = share_blocked_message(refusal, ref=press.candidate_id)
        return blocked.as_reply(), f"refused_{refusal}_conversation"
    try:
        # fresh: privacy may have changed since the card was shown
        key = LookupKey("id", press.candidate_id)
        candidate = await lookups.fetch(key, fresh=True)
    except LookupFailure as error:
        return error_message(error, ref=press.candidate_id).as_reply(), error.kind
    if is_private(candidate, strict=app_context.strict):
        return share_refused_message(ref=press.candidate_id).as_reply(), "refused_private"
    message = candidate_message(
        candidate,
        View.CHANNEL,
        strict=app_context.strict,
        shared_by=press.user_id,
        ats_profile_url=app_context.settings.ats_profile_url,
    )
    shared = message.as_reply(in_channel=True)
    return shared, "shared"


def _log_line(press: ShareRequest, outcome: str, reply: str, started: float) -> None:
    """One line per press: what was decided (`outcome`) and where it went (`reply`)."""
    logger.info(
        "share user=%s id=%s channel=%s outcome=%s reply=%s ms=%d",
        loggable(press.user_id),
        loggable(press.candidate_id),
        loggable(press.channel_id),
        outcome,
        reply,
        elapsed_ms(started),
    )


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def show_candidate(app_context: AppContext) -> ActionListener:
    """Build the "Show" listener (a row of a list of matches): fetch fresh, answer the card."""

    async def handle(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        response_url = body.get("response_url")
        if not app_context.replies.accepts(response_url):
            # Nowhere on Slack to send the card to, and a button's ack carries no message.
            outcome = "no_response_url" if not response_url else "refused_response_url"
            logger.info("show user=%s outcome=%s", loggable(_user_id(body)), outcome)
            return
        # The card goes back through response_url, to the requester alone: no Web API call.
        work = _show_and_reply(app_context, body, action, str(response_url))
        app_context.inflight.spawn(work, "show")

    return handle


async def _show_and_reply(
    app_context: AppContext, body: dict[str, Any], action: dict[str, Any], response_url: str
) -> None:
    started = time.monotonic()
    candidate_id = str(action.get("value", ""))
    try:
        message, outcome = await _show(app_context, _team_id(body), candidate_id)
    except Exception as exc:  # the user still gets an answer, never silence
        log_unexpected(logger, "show", exc)
        message, outcome = apology_message(), "unexpected_error"
    # A new ephemeral message under the list, which stays for the other rows.
    await app_context.replies.send(response_url, message.as_reply())
    logger.info(
        "show user=%s id=%s outcome=%s ms=%d",
        loggable(_user_id(body)),
        loggable(candidate_id),
        outcome,
        elapsed_ms(started),
    )


async def _show(app_context: AppContext, team_id: str, candidate_id: str) -> tuple[Message, str]:
    """The requester's card for the candidate, fetched fresh, and the outcome's name."""
    lookups = await app_context.lookups_for(team_id)
    if lookups is None:  # disconnected since the list was shown
        workspaces = app_context.workspaces
        installer = await workspaces.installer(team_id) if workspaces else None
        return not_connected_message(installer), "not_connected"
    try:
        # fresh: the list may be minutes old, and the candidate private by now
        candidate = await lookups.fetch(LookupKey("id", candidate_id), fresh=True)
    except LookupFailure as error:
        return error_message(error, ref=candidate_id), error.kind
    message = outcome_message(
        candidate,
        View.REQUESTER,
        strict=app_context.strict,
        ref=candidate_id,
        share_button=True,
        ats_profile_url=app_context.settings.ats_profile_url,
    )
    return message, "private" if is_private(candidate, strict=app_context.strict) else "shown"


def _team_id(body: dict[str, Any]) -> str:
    team = body.get("team")
    return str(team.get("id", "")) if isinstance(team, dict) else ""


def _user_id(body: dict[str, Any]) -> str:
    user = body.get("user")
    return str(user.get("id", "")) if isinstance(user, dict) else ""
