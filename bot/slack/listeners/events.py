"""`link_shared`: turn candidate links in a message into compact cards, without leaking.

Unfurls are seen by everyone in the conversation, so they use the unfurl view of the policy:
no contact details, and private candidates are left out entirely.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeGuard

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.ats.budget import on_behalf_of
from bot.ats.errors import LookupFailure
from bot.context import AppContext
from bot.core.cards import unfurl_blocks
from bot.core.links import LinkMatch, match_link
from bot.core.query import MAX_IDS
from bot.logs import elapsed_ms, log_unexpected, loggable
from bot.lookups import LookupKey, Lookups
from bot.slack.connect import COMPOSER

logger = logging.getLogger("bot.unfurl")

EventListener = Callable[[dict[str, Any], dict[str, Any], AsyncWebClient], Awaitable[None]]
_MAX_TARGET_LENGTH = 256  # channel ids, timestamps and unfurl ids are far shorter


def link_shared(app_context: AppContext) -> EventListener:
    """Build the `link_shared` listener (retries and other teams are filtered before it)."""

    async def handle(event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        event_id = loggable(body.get("event_id"))
        target = unfurl_target(event)
        if target is None:
            logger.info(
                "unfurl event=%s skipped: the event names neither channel+message_ts "
                "nor unfurl_id+source, so there is nothing to unfurl into",
                event_id,
            )
            return
        team_id = body.get("team_id")
        lookups = await app_context.lookups_for(team_id if isinstance(team_id, str) else None)
        if lookups is None:  # installed but not connected to an ATS: unfurls do nothing
            logger.info(
                "unfurl event=%s skipped: team=%s not connected", event_id, loggable(team_id)
            )
            return
        shared = LinkShared(event, event_id, target, shared_flag=body.get("is_ext_shared_channel"))
        # Bolt acknowledges the event once this returns; the unfurl runs after that.
        app_context.inflight.spawn(_unfurl(app_context, lookups, shared, client), "unfurl")

    return handle


@dataclass(frozen=True)
class LinkShared:
    """One link_shared event that names where its unfurls go."""

    event: dict[str, Any]
    event_id: str  # as it may be logged
    target: dict[str, str]  # chat.unfurl's channel + ts, or unfurl_id + source
    shared_flag: object  # is_ext_shared_channel from the envelope, if Slack said


def unfurl_target(event: dict[str, Any]) -> dict[str, str] | None:
    """Where chat.unfurl must attach the unfurls, or None when the event does not say.

    A message is named by `channel` + `ts`; a composer preview, which has no channel yet
    (`channel` is "COMPOSER"), by `unfurl_id` + `source`
    (https://api.slack.com/methods/chat.unfurl).
    """
    channel, message_ts = event.get("channel"), event.get("message_ts")
    unfurl_id, source = event.get("unfurl_id"), event.get("source")
    composer = source == "composer" or channel == COMPOSER
    if not composer and _present(channel) and _present(message_ts):
        return {"channel": channel, "ts": message_ts}
    if _present(unfurl_id) and _present(source):
        return {"unfurl_id": unfurl_id, "source": source}
    return None


def _present(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and 0 < len(value) <= _MAX_TARGET_LENGTH


def candidate_links(event: dict[str, Any], app_context: AppContext) -> list[LinkMatch]:
    """The distinct candidate links in the event, at most MAX_IDS of them."""
    matches: dict[str, LinkMatch] = {}
    for link in event.get("links") or []:
        url = link.get("url") if isinstance(link, dict) else None
        if not isinstance(url, str) or url in matches:
            continue
        found = match_link(url, app_context.patterns)
        if found is not None:
            matches[url] = found
        if len(matches) == MAX_IDS:
            break
    return list(matches.values())


async def _unfurl(
    app_context: AppContext, lookups: Lookups, shared: LinkShared, client: AsyncWebClient
) -> None:
    try:
        # the lookups count against the budget share of whoever posted the links
        with on_behalf_of(shared.event.get("user")):
            await _unfurl_links(app_context, lookups, shared, client)
    except Exception as exc:
        log_unexpected(logger, f"unfurl event={shared.event_id}", exc)


async def _unfurl_links(
    app_context: AppContext, lookups: Lookups, shared: LinkShared, client: AsyncWebClient
) -> None:
    started = time.monotonic()
    event_id = shared.event_id
    links = candidate_links(shared.event, app_context)
    if not links:
        logger.info("unfurl event=%s links=0: no candidate links", event_id)
        return
    channel = shared.event.get("channel")
    refusal = await app_context.guard.refusal(client, channel, shared.shared_flag)
    if refusal is not None:
        logger.info("unfurl event=%s links=%d skipped: %s", event_id, len(links), _WHY[refusal])
        return
    # Everyone in the conversation sees an unfurl (message or composer preview): decide on
    # reads that started after this handling did, never on the cache.
    keys = [LookupKey(m.kind, m.value) for m in links]
    results = await lookups.fetch_many(keys, not_before=started)
    unfurls: dict[str, dict[str, Any]] = {}
    skipped: list[str] = []
    for match, outcome in zip(links, results, strict=True):
        if isinstance(outcome, LookupFailure):
            skipped.append(outcome.kind)
            continue
        blocks = unfurl_blocks(outcome, strict=app_context.strict)
        if blocks is None:
            skipped.append("private")
            continue
        unfurls[match.url] = {"blocks": blocks}
    sent = bool(unfurls) and await _send(client, shared.target, event_id, unfurls)
    logger.info(
        "unfurl event=%s links=%d unfurled=%d skipped=%s sent=%s ms=%d",
        event_id,
        len(links),
        len(unfurls) if sent else 0,
        ",".join(skipped) or "none",
        "yes" if sent else "no",
        elapsed_ms(started),
    )


_WHY = {
    "external": "the conversation is shared outside the organisation (Slack Connect)",
    "unknown": "cannot tell whether the conversation is shared outside the organisation",
}


async def _send(
    client: AsyncWebClient, target: dict[str, str], event_id: str, unfurls: dict[str, Any]
) -> bool:
    try:
        # 429s are retried by the client's RateLimitErrorRetryHandler before we see them
        await client.chat_unfurl(**target, unfurls=unfurls)  # type: ignore[arg-type]
    except SlackApiError as exc:
        logger.warning(
            "unfurl event=%s chat.unfurl failed: %s", event_id, loggable(exc.response.get("error"))
        )
        return False
    return True
