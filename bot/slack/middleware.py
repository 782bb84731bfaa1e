"""Cross-cutting filters that run on every request before a listener, as Bolt middleware.

    TeamCheck          refuses a request for a team this app does not serve
    AppRateLimited     answers Slack's `app_rate_limited` notice with 200 and a warning
    EventDedupe        skips an event delivered again (Slack's retries keep its event_id)

They run after Bolt's own built-ins (signature check, authorization, url_verification), in
the order `install_middleware` adds them, as bolt-python's own filters do
(https://tools.slack.dev/bolt-python/concepts/global-middleware). Each listener then does
one job. The Slack Connect guard needs a Web API call, so it runs after the ack, called by
the listeners (bot/slack/connect.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.dedupe import Dedupe
from bot.logs import loggable
from bot.slack.teams import ServedTeams

logger = logging.getLogger("bot.slack.middleware")

Next = Callable[[], Awaitable[BoltResponse]]

NOT_OUR_TEAM = "This app is not set up for this workspace, so it cannot answer here."


class TeamCheck(AsyncMiddleware):
    """Refuses, without calling the ATS, every request for a team the app does not serve."""

    def __init__(self, teams: ServedTeams) -> None:
        self.teams = teams

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Next
    ) -> BoltResponse:
        """Let the request through only when `teams` serves its team."""
        team_id, enterprise_id = req.context.team_id, req.context.enterprise_id
        if not team_id and not enterprise_id:
            # Every request Slack sends names its team; this is not one of them.
            logger.info("refused a request that names no team")
            return BoltResponse(status=400, body="the request names no team")
        if await self.teams.serves(team_id, enterprise_id):
            return await next()
        logger.warning(
            "refused a request for team=%s enterprise=%s: not a team this app serves",
            loggable(team_id),
            loggable(enterprise_id),
        )
        if req.body.get("command"):  # a slash command shows the ack's text to its user
            refusal = {"response_type": "ephemeral", "text": NOT_OUR_TEAM}
            return BoltResponse(status=200, body=json.dumps(refusal))
        # 200 all the same: Slack retries other answers, and turns off the event
        # subscriptions of an app that fails too many deliveries.
        return BoltResponse(status=200, body="")


class AppRateLimited(AsyncMiddleware):
    """Acknowledges `app_rate_limited` (https://api.slack.com/events/app_rate_limited).

    Slack sends it, with no inner event, when a team's events exceed 30,000 an hour. No
    listener can match it, and an unanswered notice counts as a failed delivery.
    """

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Next
    ) -> BoltResponse:
        """Answer the notice with 200 and log a warning; let everything else through."""
        if req.body.get("type") != "app_rate_limited":
            return await next()
        logger.warning(
            "Slack is holding back events for team=%s (app_rate_limited, minute=%s)",
            loggable(req.body.get("team_id")),
            loggable(req.body.get("minute_rate_limited")),
        )
        return BoltResponse(status=200, body="")


class EventDedupe(AsyncMiddleware):
    """Handles each Events API delivery once: Slack's retries carry the same `event_id`.

    Slack retries an event it got no timely 200 for, up to three times
    (https://api.slack.com/apis/events-api#retries). A retry is acknowledged again, and
    nothing more is done.
    """

    def __init__(self, seen: Dedupe) -> None:
        self.seen = seen

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Next
    ) -> BoltResponse:
        """Skip an event whose event_id was handled already."""
        event_id = req.body.get("event_id")
        if req.body.get("type") != "event_callback" or not isinstance(event_id, str):
            return await next()
        # Keyed per team too: in OAuth mode no workspace's events may stand in for another's.
        team_id = req.context.team_id or "-"
        if await self.seen.first(f"event:{team_id}:{event_id}"):
            return await next()
        logger.info("event=%s skipped: already handled", loggable(event_id))
        return BoltResponse(status=200, body="")


def install_middleware(app: AsyncApp, *, teams: ServedTeams, seen_events: Dedupe) -> None:
    """Add the filters to `app`, in the order they run."""
    app.use(TeamCheck(teams))
    app.use(AppRateLimited())
    app.use(EventDedupe(seen_events))
