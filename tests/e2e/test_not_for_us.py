"""Requests that are not for us: another team, a response_url off Slack, none at all."""

from __future__ import annotations

import json
import logging

import pytest

from bot.core.cards import SHARE_ACTION_ID
from tests.fakes.bindbee import FakeBindbee
from tests.fakes.payloads import FULL
from tests.fakes.slack import FakeSlack
from tests.harness import RunningApp, StartApp
from tests.slack_requests import (
    FORM,
    JSON,
    action_body,
    command_body,
    event_body,
    link_shared_event,
)

pytestmark = pytest.mark.timeout(40)

GREENHOUSE = "https://app.greenhouse.io/people/4012345001"


@pytest.fixture(autouse=True)
def _capture(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(record.getMessage() for record in caplog.records)


async def test_another_team_gets_nothing_and_the_ats_is_not_asked(
    app: RunningApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture
) -> None:
    bindbee.add(FULL)
    bindbee.add({**FULL, "id": "another", "remote_id": "4012345001"})
    url = app.slack.response_url("other")
    command = await app.post(command_body(FULL["id"], url, team_id="T0OTHER"), FORM)
    assert command.status_code == 200
    assert "not set up for this workspace" in command.text
    assert FULL["first_name"] not in command.text
    pressed = await app.post(action_body(SHARE_ACTION_ID, FULL["id"], url, team_id="T0OTHER"), FORM)
    assert pressed.status_code == 200
    event = await app.post(event_body(link_shared_event([GREENHOUSE]), team_id="T0OTHER"), JSON)
    assert event.status_code == 200
    await app.settled()
    assert bindbee.requests == []
    assert app.slack.calls_to("/webhook/") == []
    assert app.slack.calls_to("/api/chat.unfurl") == []
    assert _logged(caplog).count("refused a request for team=T0OTHER") == 3


async def test_the_team_comes_from_auth_test(
    slack: FakeSlack, start_app: StartApp, bindbee: FakeBindbee
) -> None:
    slack.team_id = "T0ELSEWHERE"  # the bot token belongs to another team than the requests
    app = await start_app()
    bindbee.add(FULL)
    response = await app.command(FULL["id"])
    assert "not set up for this workspace" in response.text
    ours = await app.post(
        command_body(FULL["id"], slack.response_url(), team_id="T0ELSEWHERE"), FORM
    )
    assert ours.text == ""
    assert FULL["first_name"] in json.dumps(await app.reply())


async def test_an_enterprise_request_from_another_organisation_is_refused(
    slack: FakeSlack, start_app: StartApp, bindbee: FakeBindbee
) -> None:
    slack.enterprise_id = "E0OURS"
    app = await start_app()
    body = command_body(FULL["id"], slack.response_url()) + "&enterprise_id=E0OTHER"
    response = await app.post(body, FORM)
    assert "not set up for this workspace" in response.text
    assert bindbee.requests == []


@pytest.mark.parametrize(
    "response_url",
    [
        "https://evil.test/collect",
        "http://169.254.169.254/latest/meta-data/",
        "https://hooks.slack.com.evil.test/commands/T0TEST/1/x",
    ],
)
async def test_a_response_url_off_slack_gets_no_card_and_is_not_logged(
    app: RunningApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture, response_url: str
) -> None:
    bindbee.add(FULL)
    response = await app.post(command_body(FULL["id"], response_url), FORM)
    assert response.status_code == 200
    answer = response.json()
    assert answer["response_type"] == "ephemeral"
    assert "without a slack reply address" in answer["text"].lower()
    assert FULL["first_name"] not in response.text  # the ack goes back to whoever asked
    pressed = await app.post(action_body(SHARE_ACTION_ID, FULL["id"], response_url), FORM)
    assert pressed.status_code == 200
    await app.settled()
    assert bindbee.requests == []
    logged = _logged(caplog)
    assert "outcome=refused_response_url" in logged
    assert "reply=ack" in logged
    host = response_url.split("/")[2]
    assert host not in logged


async def test_a_command_without_response_url_is_answered_in_the_ack(
    app: RunningApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture
) -> None:
    bindbee.add(FULL)
    response = await app.post(command_body(FULL["id"], None), FORM)
    assert response.status_code == 200
    assert "without a slack reply address" in response.json()["text"].lower()
    await app.settled()
    assert bindbee.requests == []
    assert "outcome=no_response_url" in _logged(caplog)
    assert "Traceback" not in caplog.text
    assert "KeyError" not in caplog.text


async def test_a_share_without_response_url_says_what_happened(
    app: RunningApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture
) -> None:
    bindbee.add(FULL)
    response = await app.post(action_body(SHARE_ACTION_ID, FULL["id"], None), FORM)
    assert response.status_code == 200
    await app.settled()
    [line] = [r.getMessage() for r in caplog.records if r.name == "bot.share"]
    assert "outcome=no_response_url reply=none" in line
    assert "outcome=shared" not in line
    assert bindbee.requests == []


async def test_an_event_with_nowhere_to_unfurl_is_skipped_and_says_why(
    app: RunningApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture
) -> None:
    bindbee.add({**FULL, "remote_id": "4012345001"})
    event = link_shared_event([GREENHOUSE])
    for field in ("channel", "message_ts", "unfurl_id", "source"):
        del event[field]
    response = await app.event(event, event_id="EvNowhere")
    assert response.status_code == 200
    await app.settled()
    assert app.slack.calls_to("/api/chat.unfurl") == []
    assert bindbee.requests == []
    assert "unfurl event=EvNowhere skipped: the event names neither" in _logged(caplog)


@pytest.mark.parametrize(
    "missing", [("message_ts",), ("channel",), ("unfurl_id", "channel"), ("source", "message_ts")]
)
async def test_half_a_target_is_not_a_target(
    app: RunningApp, bindbee: FakeBindbee, missing: tuple[str, ...]
) -> None:
    bindbee.add({**FULL, "remote_id": "4012345001"})
    event = link_shared_event([GREENHOUSE])
    for field in missing:
        del event[field]
    if "source" in missing or "unfurl_id" in missing:
        event.pop("source", None)
        event.pop("unfurl_id", None)
    await app.event(event)
    await app.settled()
    calls = app.slack.calls_to("/api/chat.unfurl")
    for call in calls:  # where an unfurl is made, it names a full target
        assert (call.body.get("channel") and call.body.get("ts")) or (
            call.body.get("unfurl_id") and call.body.get("source")
        )
