"""OneWorkspace: the team (and organisation) the bot token belongs to, and no other."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from bot.slack.teams import RELEARN_INTERVAL, OneWorkspace

OURS = {"ok": True, "team_id": "T0OURS", "user_id": "U0BOT"}


class AuthTest:
    """A stand-in for client.auth_test: answers, or fails, and counts its calls."""

    def __init__(self, *answers: dict[str, Any] | Exception) -> None:
        self.answers = list(answers)
        self.calls = 0

    async def __call__(self) -> dict[str, Any]:
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_learned_at_start_up_serves_only_that_team() -> None:
    auth_test = AuthTest()
    teams = OneWorkspace(auth_test)
    teams.learn(OURS)
    assert await teams.serves("T0OURS", None)
    assert not await teams.serves("T0OTHER", None)
    assert not await teams.serves(None, None)
    assert auth_test.calls == 0  # the start-up answer was enough


async def test_enterprise_grid_workspace() -> None:
    teams = OneWorkspace(AuthTest())
    teams.learn({**OURS, "enterprise_id": "E0OURS"})
    assert await teams.serves("T0OURS", "E0OURS")
    assert await teams.serves("T0OURS", None)  # not every payload names the organisation
    assert not await teams.serves("T0OURS", "E0OTHER")
    assert not await teams.serves("T0OTHER", "E0OURS")  # another workspace of the org


async def test_org_wide_install_serves_every_workspace_of_the_organisation() -> None:
    teams = OneWorkspace(AuthTest())
    teams.learn({"ok": True, "enterprise_id": "E0OURS", "is_enterprise_install": True})
    assert await teams.serves("T0ANY", "E0OURS")
    assert not await teams.serves("T0ANY", "E0OTHER")
    assert not await teams.serves("T0ANY", None)


async def test_unknown_until_auth_test_answers_and_asked_again_at_most_every_interval() -> None:
    clock = Clock()
    error = SlackApiError("down", {"ok": False, "error": "fatal_error"})  # type: ignore[no-untyped-call]
    auth_test = AuthTest(OSError("unreachable"), error, OURS)
    teams = OneWorkspace(auth_test, clock=clock)
    assert not await teams.serves("T0OURS", None)
    assert not await teams.serves("T0OURS", None)
    assert auth_test.calls == 1  # not once per request
    clock.now += RELEARN_INTERVAL
    assert not await teams.serves("T0OURS", None)
    clock.now += RELEARN_INTERVAL
    assert await teams.serves("T0OURS", None)
    assert auth_test.calls == 3


@pytest.mark.parametrize("team", [None, "", 42])
async def test_an_answer_without_a_team_serves_nobody(team: object) -> None:
    teams = OneWorkspace(AuthTest(*[OURS] * 3))
    teams.learn({"ok": True, "team_id": team})
    assert not await teams.serves(None, None)
    assert not await teams.serves("", None)
