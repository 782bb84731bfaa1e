"""The pipeline end to end: signed requests in, cards with applications out, through the real
app against the fake Bindbee and the fake Slack."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from typing import Any

import pytest

from bot.core.cards import ATS_ACTION_ID, SHARE_ACTION_ID
from tests.fakes import payloads
from tests.fakes.bindbee import (
    APPLICATIONS,
    CANDIDATES,
    JOBS,
    REJECT_REASONS,
    STAGES,
    FakeBindbee,
    seed_pipeline,
)
from tests.harness import RunningApp, StartApp
from tests.slack_requests import link_shared_event

pytestmark = pytest.mark.timeout(40)

TEMPLATE = "https://app.greenhouse.io/people/{remote_id}"
CONFIDENTIAL = payloads.JOB_CONFIDENTIAL["name"]


def _person(bindbee: FakeBindbee, **fields: Any) -> dict[str, Any]:
    person = {**payloads.FULL, "id": str(uuid.uuid4()), **fields}
    bindbee.add(person)
    seed_pipeline(bindbee, person["id"])
    return person


def _pipeline_text(payload: Any) -> str:
    """The mrkdwn of the block that holds the applications."""
    blocks = payload["blocks"] if isinstance(payload, dict) else payload
    texts = [json.dumps(block, ensure_ascii=False) for block in blocks]
    [text] = [t for t in texts if "Applications" in t]
    return str(text)


async def test_the_requester_card_shows_the_pipeline_and_open_in_ats(
    start_app: StartApp, bindbee: FakeBindbee
) -> None:
    app = await start_app(ats_profile_url=TEMPLATE)
    person = _person(bindbee)
    await app.command(person["id"])
    reply = await app.reply()
    text = _pipeline_text(reply)
    assert "Senior Backend Engineer" in text
    assert "_Confidential job_ · Phone screen · Rejected" in text
    assert "Not a good fit" in text
    assert "via LinkedIn" in text
    assert CONFIDENTIAL not in json.dumps(reply)
    buttons = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    [ats] = [button for button in buttons if button["action_id"] == ATS_ACTION_ID]
    assert ats["url"] == f"https://app.greenhouse.io/people/{person['remote_id']}"
    # expand works: the candidate and its applications, and nothing more
    assert sorted(r.path for r in bindbee.requests) == sorted(
        [APPLICATIONS, f"{CANDIDATES}/{person['id']}"]
    )
    response = await app.action(ATS_ACTION_ID, "")  # the link button is acknowledged too
    assert response.status_code == 200


async def test_a_shared_card_shows_job_stage_and_status_only(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    person = _person(bindbee)
    await app.action(SHARE_ACTION_ID, person["id"])
    reply = await app.reply("action")
    assert reply["response_type"] == "in_channel"
    text = _pipeline_text(reply)
    assert "Senior Backend Engineer" in text
    assert "_Confidential job_ · Phone screen · Rejected" in text
    for absent in ("Not a good fit", "LinkedIn", "Referral", "applied"):
        assert absent not in text
    assert CONFIDENTIAL not in json.dumps(reply)
    assert ATS_ACTION_ID not in json.dumps(reply)  # no ATS_PROFILE_URL: no button


async def test_an_unfurl_shows_one_line_of_pipeline(
    app: RunningApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    person = _person(bindbee, remote_id="4012345088")
    url = f"https://app.greenhouse.io/people/{person['remote_id']}"
    await app.event(link_shared_event([url]), event_id="EvP1")
    [call] = await app.slack.wait_for_async("/api/chat.unfurl", 1)
    unfurls = call.body["unfurls"]
    unfurls = json.loads(unfurls) if isinstance(unfurls, str) else unfurls
    text = _pipeline_text(unfurls[url])
    assert "*Applications:* *Senior Backend Engineer* · Onsite +1 more" in text
    assert CONFIDENTIAL not in json.dumps(unfurls)


@pytest.mark.parametrize("expand", [True, False], ids=["expanded", "bare_ids"])
async def test_ats_requests_per_card_cold_and_warm(
    app: RunningApp, bindbee: FakeBindbee, expand: bool
) -> None:
    bindbee.expand = expand
    first, second = _person(bindbee), _person(bindbee)
    await app.command(first["id"])
    assert "Senior Backend Engineer" in _pipeline_text(await app.reply())
    cold = len(bindbee.requests)
    bindbee.clear()
    await app.command(second["id"], reply_to="warm")  # same jobs: references are cached
    assert "Senior Backend Engineer" in _pipeline_text(await app.reply("warm"))
    warm = len(bindbee.requests)
    # bare ids: + jobs, stages and the one reject reason (by id), all at once
    assert (cold, warm) == ((2, 2) if expand else (5, 2))
    if not expand:
        assert bindbee.count(JOBS) == bindbee.count(STAGES) == bindbee.count(REJECT_REASONS) == 0


async def test_slow_applications_leave_the_card_on_time_with_a_note(
    start_app: StartApp, bindbee: FakeBindbee
) -> None:
    app = await start_app(lookup_deadline=1.5)
    person = _person(bindbee)
    bindbee.delay(10, path_contains=APPLICATIONS)
    started = time.monotonic()
    await app.command(person["id"])
    reply = await app.reply()
    elapsed = time.monotonic() - started
    assert person["first_name"] in json.dumps(reply)
    assert "Applications not shown: the ATS did not send them in time." in _pipeline_text(reply)
    assert elapsed < 4  # the 1.5 s deadline and generous slack, not the 10 s of the ATS


async def test_failed_applications_leave_the_card_with_a_note(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    person = _person(bindbee)
    bindbee.fail(5, 503, path_contains=APPLICATIONS)
    await app.command(person["id"])
    reply = await app.reply()
    assert person["first_name"] in json.dumps(reply)
    assert "Applications not shown: the ATS did not answer." in _pipeline_text(reply)


async def test_a_private_candidate_by_link_has_no_pipeline_fetched(
    app: RunningApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    person = _person(bindbee, remote_id="4012345099", is_private=True)
    await app.command(f"https://app.greenhouse.io/people/{person['remote_id']}")
    reply = await app.reply()
    assert "private" in json.dumps(reply)
    assert [r.path for r in bindbee.requests] == [CANDIDATES]
    _assert_nothing_of_the_pipeline_in(caplog, person)


async def test_a_private_candidate_by_id_has_its_applications_dropped_unread(
    app: RunningApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    person = _person(bindbee, is_private=True)
    await app.command(person["id"])
    reply = await app.reply()
    await asyncio.sleep(0.1)
    assert "Senior Backend Engineer" not in json.dumps(reply)
    # fetched at the same time as the candidate at most; nothing it names was asked for
    assert bindbee.count(APPLICATIONS) <= 1
    assert bindbee.count(JOBS) + bindbee.count(STAGES) + bindbee.count(REJECT_REASONS) == 0
    _assert_nothing_of_the_pipeline_in(caplog, person)


def _assert_nothing_of_the_pipeline_in(
    caplog: pytest.LogCaptureFixture, person: dict[str, Any]
) -> None:
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for application in payloads.applications(person["id"]):
        for value in (application["id"], application["job"], application["current_stage"]):
            assert value not in logged
    for name in ("Senior Backend Engineer", "Onsite", "Not a good fit", CONFIDENTIAL):
        assert name not in logged
