"""`link_shared`: turn candidate links in a message into compact cards, without leaking.

Unfurls are seen by everyone in the conversation, so they use the unfurl view of the policy:
no contact details, and private candidates are left out entirely.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.ats.errors import LookupFailure
from bot.context import AppContext
from bot.core.cards import unfurl_blocks
from bot.core.links import LinkMatch, match_link
from bot.core.query import MAX_IDS
from bot.logs import log_unexpected
from bot.lookups import LookupKey

logger = logging.getLogger("bot.unfurl")

EventListener = Callable[[dict[str, Any], dict[str, Any], AsyncWebClient], Awaitable[None]]

EVENT_TTL = 3600.0
"""Seconds an event id is remembered: Slack retries within about 5 minutes
(https://api.slack.com/apis/events-api#retries)."""


def link_shared(app_context: AppContext) -> EventListener:
    """Build the `link_shared` listener."""

    async def handle(event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        event_id = str(body.get("event_id", ""))
        # A Slack retry may land on another instance: the shared state remembers for all.
        if event_id and not await app_context.state.first_time(
            app_context.keys.event(event_id), ttl=EVENT_TTL
        ):
            logger.info("unfurl event=%s skipped: already handled", event_id)
            return
        if body.get("is_ext_shared_channel") and not app_context.settings.unfurl_external_channels:
            logger.info("unfurl event=%s skipped: channel shared outside the team", event_id)
            return
        # Bolt acknowledges the event once this returns; the unfurl runs after that.
        app_context.inflight.spawn(_unfurl(app_context, event, event_id, client), "unfurl")

    return handle


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
    app_context: AppContext, event: dict[str, Any], event_id: str, client: AsyncWebClient
) -> None:
    try:
        await _unfurl_links(app_context, event, event_id, client)
    except Exception as exc:
        log_unexpected(logger, f"unfurl event={event_id}", exc)


async def _unfurl_links(
    app_context: AppContext, event: dict[str, Any], event_id: str, client: AsyncWebClient
) -> None:
    started = time.monotonic()
    links = candidate_links(event, app_context)
    if not links:
        logger.info("unfurl event=%s links=0: no candidate links", event_id)
        return
    results = await app_context.lookups.fetch_many([LookupKey(m.kind, m.value) for m in links])
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
    if unfurls:
        await _send(client, event, event_id, unfurls)
    logger.info(
        "unfurl event=%s links=%d unfurled=%d skipped=%s ms=%d",
        event_id,
        len(links),
        len(unfurls),
        ",".join(skipped) or "none",
        (time.monotonic() - started) * 1000,
    )


async def _send(
    client: AsyncWebClient, event: dict[str, Any], event_id: str, unfurls: dict[str, Any]
) -> None:
    channel = event.get("channel") or event.get("channel_id")
    source = event.get("source")
    if (source == "composer" or channel == "COMPOSER" or not channel) and event.get("unfurl_id"):
        target = {"unfurl_id": event["unfurl_id"], "source": source or "composer"}
    else:
        target = {"channel": channel, "ts": event.get("message_ts")}
    try:
        # 429s are retried by the client's RateLimitErrorRetryHandler before we see them
        await client.chat_unfurl(**target, unfurls=unfurls)
    except SlackApiError as exc:
        logger.warning(
            "unfurl event=%s chat.unfurl failed: %s", event_id, exc.response.get("error", "?")
        )
