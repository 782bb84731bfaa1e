""" "Share in channel" end to end: once per clicked message, only inside the organisation."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest

from bot.core.cards import SHARE_ACTION_ID
from tests.fakes.bindbee import FakeBindbee
from tests.fakes.payloads import FULL
from tests.harness import RunningApp, StartApp
from tests.slack_requests import FORM, action_body

pytestmark = pytest.mark.timeout(40)


@pytest.fixture(autouse=True)
def _capture(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)


def _posted(app: RunningApp, reply_to: str = "action") -> list[dict[str, Any]]:
    return [call.body for call in app.slack.calls_to(f"/webhook/{reply_to}")]


def _in_channel(app: RunningApp, reply_to: str = "action") -> list[dict[str, Any]]:
    return [body for body in _posted(app, reply_to) if body["response_type"] == "in_channel"]


def _share_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "bot.share"]


async def test_a_double_click_shares_once(
    app: RunningApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture
) -> None:
    bindbee.add(FULL)
    bindbee.latency = 0.2  # the second click arrives while the first is still looking up
    first, second = await asyncio.gather(
        app.action(SHARE_ACTION_ID, FULL["id"]), app.action(SHARE_ACTION_ID, FULL["id"])
    )
    assert first.status_code == second.status_code == 200
    await app.settled()
    assert len(_in_channel(app)) == 1
    assert len(_posted(app)) == 1  # the repeat posts nothing at all
    assert len(bindbee.candidate_requests) == 1
    outcomes = sorted(line.split("outcome=")[1].split()[0] for line in _share_lines(caplog))
    assert outcomes == ["already_shared", "shared"]


async def test_a_replayed_request_shares_once(app: RunningApp, bindbee: FakeBindbee) -> None:
    bindbee.add(FULL)
    body = action_body(SHARE_ACTION_ID, FULL["id"], app.slack.response_url("action"))
    for _ in range(3):
        assert (await app.post(body, FORM)).status_code == 200
        await app.settled()
    assert len(_in_channel(app)) == 1


async def test_each_clicked_message_and_candidate_shares_once(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    other = {**FULL, "id": "0190aaaa-0000-7000-8000-000000000001"}
    bindbee.add(FULL)
    bindbee.add(other)
    await app.action(SHARE_ACTION_ID, FULL["id"], message_ts="1700000000.000100")
    await app.action(SHARE_ACTION_ID, FULL["id"], message_ts="1700000099.000100")
    await app.action(SHARE_ACTION_ID, other["id"], message_ts="1700000000.000100")
    await app.settled()
    assert len(_in_channel(app)) == 3


async def test_a_share_that_failed_may_be_tried_again(
    start_app: StartApp, bindbee: FakeBindbee
) -> None:
    app = await start_app(bindbee_max_attempts=1)
    bindbee.add(FULL)
    bindbee.fail(1, 503)
    await app.action(SHARE_ACTION_ID, FULL["id"])
    await app.settled()
    assert _posted(app)[0]["response_type"] == "ephemeral"  # "the ATS did not answer"
    await app.action(SHARE_ACTION_ID, FULL["id"])
    await app.settled()
    assert len(_in_channel(app)) == 1


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"is_ext_shared": True, "is_shared": True}, "another organisation (slack connect)"),
        ({"is_ext_shared": False, "is_pending_ext_shared": True}, "another organisation"),
        ({"is_im": True}, "could not check"),  # the answer does not say
        (None, "could not check"),  # conversations.info fails: channel_not_found
    ],
)
async def test_no_share_into_a_conversation_that_is_or_may_be_external(
    app: RunningApp,
    bindbee: FakeBindbee,
    caplog: pytest.LogCaptureFixture,
    fields: dict[str, Any] | None,
    why: str,
) -> None:
    bindbee.add(FULL)
    if fields is not None:
        app.slack.conversations["C0SHARED"] = fields
    await app.action(SHARE_ACTION_ID, FULL["id"], channel_id="C0SHARED")
    reply = await app.reply("action")
    await app.settled()
    assert reply["response_type"] == "ephemeral"
    assert "not shared" in reply["text"].lower()
    assert why in reply["text"].lower()
    assert FULL["first_name"] not in json.dumps(reply)
    assert bindbee.requests == []  # refused before the ATS is asked
    [call] = app.slack.calls_to("/api/conversations.info")
    assert call.body["channel"] == "C0SHARED"
    [line] = _share_lines(caplog)
    assert "outcome=refused_" in line
    assert "reply=posted" in line


async def test_external_shares_are_allowed_when_the_setting_says_so(
    start_app: StartApp, bindbee: FakeBindbee
) -> None:
    app = await start_app(unfurl_external_channels=True)
    app.slack.conversations["C0SHARED"] = {"is_ext_shared": True}
    bindbee.add(FULL)
    await app.action(SHARE_ACTION_ID, FULL["id"], channel_id="C0SHARED")
    await app.settled()
    assert len(_in_channel(app)) == 1
    assert app.slack.calls_to("/api/conversations.info") == []


async def test_a_forged_button_value_cannot_forge_a_log_line(
    app: RunningApp, caplog: pytest.LogCaptureFixture
) -> None:
    forged = "x\n2026-12-02 07:00:00 INFO bot.share share user=U0BOSS outcome=shared"
    await app.action(SHARE_ACTION_ID, forged)
    await app.reply("action")
    await app.settled()
    lines = caplog.text.splitlines()
    assert not [
        line for line in lines if "U0BOSS" in line and not line.startswith(("INFO", "WARNING"))
    ]
    [line] = _share_lines(caplog)
    assert "\n" not in line
    assert "id=x\\x0a2026-12-02\\x2007:00:00\\x20INFO" in line
    assert line.count("outcome=") == 1
