"""Who may connect: the installer, admins and owners; a failure never grants the right."""

from __future__ import annotations

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.tenancy.admins import may_connect
from tests.fakes.slack import BOT_TOKEN, FakeSlack


@pytest.fixture
def client(slack: FakeSlack) -> AsyncWebClient:
    """A Web API client of the fake Slack's single workspace."""
    return AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url)


async def test_the_installer_may_without_asking_slack(
    client: AsyncWebClient, slack: FakeSlack
) -> None:
    assert await may_connect(client, "U0ANNA", "U0ANNA")
    assert slack.calls_to("/api/users.info") == []


async def test_admins_may_and_others_may_not(client: AsyncWebClient, slack: FakeSlack) -> None:
    slack.admins.add("U0ADMIN")
    assert await may_connect(client, "U0ADMIN", "U0ANNA")
    assert not await may_connect(client, "U0BOB", "U0ANNA")
    assert not await may_connect(client, "", None)


async def test_without_users_read_only_the_installer_may(
    client: AsyncWebClient, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    slack.admins.add("U0ADMIN")
    slack.failing["users.info"] = "missing_scope"
    assert not await may_connect(client, "U0ADMIN", "U0ANNA")
    assert await may_connect(client, "U0ANNA", "U0ANNA")
    assert "users.info failed (missing_scope)" in caplog.text


async def test_an_unreachable_slack_grants_nothing(slack: FakeSlack) -> None:
    dead = AsyncWebClient(token=BOT_TOKEN, base_url="http://127.0.0.1:1/api/", timeout=2)
    assert not await may_connect(dead, "U0ADMIN", "U0ANNA")
