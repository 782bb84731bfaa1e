"""Which Slack teams this app serves; the team check (bot/slack/middleware.py) asks this.

Single-workspace mode (one bot token): the team, and the Enterprise Grid organisation if
any, that `auth.test` names for the token (https://api.slack.com/methods/auth.test). A
many-workspace (OAuth) mode answers the same question with "is this team installed?",
behind the same `ServedTeams` protocol.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from slack_sdk.errors import SlackApiError

from bot.logs import loggable

logger = logging.getLogger("bot.slack.teams")

RELEARN_INTERVAL = 10.0
"""Seconds between two tries to learn our team when auth.test failed."""


class ServedTeams(Protocol):
    """Says whether a request's team is one this app serves."""

    async def serves(self, team_id: str | None, enterprise_id: str | None) -> bool:
        """True when the app answers requests for this team (and organisation)."""
        ...


class AuthTestAnswer(Protocol):
    """What `auth.test` answers (an AsyncSlackResponse, or a plain dict in tests)."""

    def get(self, key: str, default: Any = None) -> Any:
        """The value of one field of the answer."""
        ...


AuthTest = Callable[[], Awaitable[AuthTestAnswer]]


class OneWorkspace:
    """The one team the bot token belongs to, learned from `auth.test`.

    The server learns it at start-up (`learn`). If Slack could not be reached then, the
    first requests ask `auth.test` again, at most once every RELEARN_INTERVAL seconds;
    until it answers, every request is refused: an unknown team is never served.
    """

    def __init__(self, auth_test: AuthTest, *, clock: Callable[[], float] = time.monotonic):
        self._auth_test = auth_test
        self._clock = clock
        self._next_try = -float("inf")
        self.team_id: str | None = None
        self.enterprise_id: str | None = None
        self.org_wide = False

    def learn(self, auth: AuthTestAnswer) -> None:
        """Take the team (and organisation) from an `auth.test` answer."""
        team, enterprise = auth.get("team_id"), auth.get("enterprise_id")
        self.team_id = team if isinstance(team, str) and team else None
        self.enterprise_id = enterprise if isinstance(enterprise, str) and enterprise else None
        # An org-wide install on Enterprise Grid serves every workspace of the organisation.
        self.org_wide = auth.get("is_enterprise_install") is True and bool(self.enterprise_id)

    async def serves(self, team_id: str | None, enterprise_id: str | None) -> bool:
        """True for our own team, or any team of our organisation for an org-wide install."""
        if self.team_id is None and not self.org_wide:
            await self._try_to_learn()
        if self.org_wide:
            return enterprise_id == self.enterprise_id
        if self.team_id is None or team_id != self.team_id:
            return False
        # Requests do not always name the organisation; when they do, it must be ours.
        return enterprise_id is None or enterprise_id == self.enterprise_id

    async def _try_to_learn(self) -> None:
        now = self._clock()
        if now < self._next_try:
            return
        self._next_try = now + RELEARN_INTERVAL
        try:
            self.learn(await self._auth_test())
        except SlackApiError as exc:
            logger.warning(
                "auth.test failed (%s): team unknown", loggable(exc.response.get("error"))
            )
        except Exception as exc:  # network trouble: try again later
            logger.warning("auth.test failed (%s): team unknown", type(exc).__name__)
        else:
            logger.info("learned the team this app serves: %s", loggable(self.team_id))
