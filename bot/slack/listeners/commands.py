"""`/candidate`: acknowledge at once, then look up and answer through `response_url`.

Ids and links are fetched, emails and names searched, all at the same time; the answer is
one ephemeral message holding a card, a list or a notice for each, in the order asked.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.ats.budget import on_behalf_of
from bot.ats.errors import InvalidId, LookupFailure
from bot.ats.models import Candidate
from bot.context import AppContext
from bot.core.cards import (
    Message,
    apology_message,
    cannot_reply_message,
    combine,
    error_message,
    outcome_message,
    search_message,
    too_many_note,
    usage_message,
)
from bot.core.cards.workspace import not_connected_message
from bot.core.policy import View, is_private
from bot.core.query import MAX_IDS, Query, QueryItem, parse_query
from bot.core.search import SearchKey, SearchResult
from bot.logs import elapsed_ms, log_unexpected, loggable
from bot.lookups import LookupKey, Lookups
from bot.slack.listeners.workspace import setup_command

logger = logging.getLogger("bot.command")

CommandListener = Callable[[AsyncAck, dict[str, Any], AsyncWebClient], Awaitable[None]]
SETUP = "setup"


def candidate_command(app_context: AppContext) -> CommandListener:
    """Build the `/candidate` listener."""

    async def handle(ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient) -> None:
        started = time.monotonic()
        team_id = str(command.get("team_id", ""))
        workspaces = app_context.workspaces
        text = str(command.get("text", ""))
        if workspaces is not None and text.strip().lower() == SETUP:
            await setup_command(workspaces, ack, command, client, team_id)
            return
        lookups = await app_context.lookups_for(team_id)
        if lookups is None:
            # Installed (Bolt's authorize let the request in) but not connected to an ATS.
            installer = await workspaces.installer(team_id) if workspaces else None
            await ack(response_type="ephemeral", **not_connected_message(installer).as_payload())
            logger.info(
                "lookup command=/candidate team=%s outcome=not_connected", loggable(team_id)
            )
            return
        query = parse_query(text, app_context.patterns)
        if not query.keys and not query.searches:
            # Nothing to fetch (help, or only invalid input): answer in the ack itself.
            await ack(response_type="ephemeral", **_without_lookups(query).as_payload())
            _log_line(command, query, ["usage" if query.wants_help else "invalid"], "ack", started)
            return
        response_url = command.get("response_url")
        if not app_context.replies.accepts(response_url):
            # Nowhere on Slack to send a card to (an old payload without response_url, or one
            # pointing elsewhere): say so in the ack. Never a card there: the ack goes back to
            # whoever sent the request, and only Slack may receive candidate data.
            outcome = "no_response_url" if not response_url else "refused_response_url"
            await ack(response_type="ephemeral", **cannot_reply_message().as_payload())
            _log_line(command, query, [outcome], "ack", started)
            return
        await ack()
        work = _answer(app_context, lookups, command, response_url, query, started)
        app_context.inflight.spawn(work, "/candidate")

    return handle


async def _answer(
    app_context: AppContext,
    lookups: Lookups,
    command: dict[str, Any],
    response_url: str,
    query: Query,
    started: float,
) -> None:
    try:
        with on_behalf_of(command.get("user_id")):  # the user's own share of the ATS budget
            message, outcomes = await _look_up(app_context, lookups, query)
    except Exception as exc:  # the user still gets an answer, never silence
        log_unexpected(logger, "/candidate", exc)
        message, outcomes = apology_message(), ["unexpected_error"]
    posted = await app_context.replies.send(response_url, message.as_reply())
    _log_line(command, query, outcomes, "posted" if posted else "not_delivered", started)


async def _look_up(
    app_context: AppContext, lookups: Lookups, query: Query
) -> tuple[Message, list[str]]:
    searched: list[SearchResult | LookupFailure] = []
    if not query.searches:  # the usual case: no task for searches that are not there
        fetched = await lookups.fetch_many(query.keys)
    else:
        fetched, searched = await asyncio.gather(
            lookups.fetch_many(query.keys), lookups.search_many(query.searches)
        )
    by_id = dict(zip(query.keys, fetched, strict=True))
    by_search = dict(zip(query.searches, searched, strict=True))
    messages: list[Message] = []
    outcomes: list[str] = []
    for item in query.items:
        message, outcome = _answer_item(app_context, item, by_id, by_search)
        messages.append(message)
        outcomes.append(outcome)
    if query.left_out:
        messages.append(too_many_note(len(query.items) + query.left_out, MAX_IDS))
    return combine(messages), outcomes


def _answer_item(
    app_context: AppContext,
    item: QueryItem,
    by_id: dict[LookupKey, Candidate | LookupFailure],
    by_search: dict[SearchKey, SearchResult | LookupFailure],
) -> tuple[Message, str]:
    """The message for one item, and the word the log line gives its outcome."""
    strict = app_context.strict
    if isinstance(item.key, SearchKey):
        result = by_search[item.key]
        if isinstance(result, LookupFailure):
            # The log names the kind of search and never the searched text.
            return error_message(result, ref=item.ref), f"{item.key.kind}:{result.kind}"
        return search_message(item.key, result, strict=strict), f"{item.key.kind}:{result.count}"
    outcome = by_id[item.key] if item.key is not None else item.error or InvalidId(item.ref)
    message = outcome_message(
        outcome,
        View.REQUESTER,
        strict=strict,
        ref=item.ref,
        share_button=True,
        ats_profile_url=app_context.settings.ats_profile_url,
    )
    return message, _outcome_name(outcome, app_context)


def _without_lookups(query: Query) -> Message:
    if query.wants_help:
        return usage_message(max_ids=MAX_IDS)
    notes = [error_message(item.error or InvalidId(item.ref), ref=item.ref) for item in query.items]
    if query.left_out:
        notes.append(too_many_note(len(query.items) + query.left_out, MAX_IDS))
    return combine(notes)


def _outcome_name(outcome: Candidate | LookupFailure, app_context: AppContext) -> str:
    if isinstance(outcome, LookupFailure):
        return outcome.kind
    return "private" if is_private(outcome, strict=app_context.strict) else "found"


def _log_line(
    command: dict[str, Any], query: Query, outcomes: list[str], reply: str, started: float
) -> None:
    """One line per command; `reply` says where the answer went: ack, posted, not_delivered."""
    logger.info(
        "lookup command=/candidate team=%s user=%s ids=%d outcome=%s ms=%d reply=%s",
        loggable(command.get("team_id")),
        loggable(command.get("user_id")),
        len(query.items),
        ",".join(outcomes),
        elapsed_ms(started),
        reply,
    )
