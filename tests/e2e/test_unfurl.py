"""Link unfurling end to end: signed link_shared events in, chat.unfurl calls out."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import pytest

from tests.fakes.bindbee import FakeBindbee
from tests.fakes.payloads import FULL
from tests.fakes.slack import FakeSlack
from tests.harness import RunningApp, StartApp
from tests.slack_requests import JSON, event_body, link_shared_event

pytestmark = pytest.mark.timeout(40)

GREENHOUSE = "https://app.greenhouse.io/people/{}"
LEVER = "https://hire.lever.co/candidates/{}"
ASHBY = "https://app.ashbyhq.com/candidates/{}"


def _person(remote_id: str, **fields: Any) -> dict[str, Any]:
    return {**FULL, "id": str(uuid.uuid4()), "remote_id": remote_id, **fields}


def _unfurls(slack: FakeSlack) -> list[dict[str, Any]]:
    """The `unfurls` argument of every chat.unfurl call so far."""
    calls = slack.calls_to("/api/chat.unfurl")
    found = []
    for call in calls:
        unfurls = call.body["unfurls"]
        found.append(json.loads(unfurls) if isinstance(unfurls, str) else unfurls)
    return found


async def _settled(
    app: RunningApp, caplog: pytest.LogCaptureFixture, event_id: str, containing: str = ""
) -> str:
    """Wait until the app has finished all it took on; return the line that ended `event_id`."""
    await app.settled()
    marker = f"unfurl event={event_id} "
    lines = [
        record.getMessage()
        for record in caplog.records
        if record.name == "bot.unfurl" and record.getMessage().startswith(marker)
    ]
    found = [line for line in lines if containing in line]
    assert found, f"event {event_id} ended without a line containing {containing!r}: {lines}"
    return found[-1]


@pytest.fixture(autouse=True)
def _capture(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)


@pytest.mark.parametrize(
    ("template", "remote_id"),
    [
        (GREENHOUSE, "4012345001"),
        (GREENHOUSE + "/applications/5012345002?tab=profile#notes", "4012345001"),
        (LEVER, "0f8e1c1a-3c5b-4b7e-9d43-1f2e3d4c5b6a"),
        (ASHBY, "6b1d8f3e-2a4c-4e5f-8a9b-0c1d2e3f4a5b"),
    ],
)
async def test_each_builtin_pattern_unfurls(
    app: RunningApp,
    bindbee: FakeBindbee,
    caplog: pytest.LogCaptureFixture,
    template: str,
    remote_id: str,
) -> None:
    person = _person(remote_id)
    bindbee.add(person)
    url = template.format(remote_id)
    await app.event(link_shared_event([url]), event_id="Ev1")
    assert "unfurled=1" in await _settled(app, caplog, "Ev1")
    [unfurls] = _unfurls(app.slack)
    assert list(unfurls) == [url]
    assert person["first_name"] in json.dumps(unfurls)
    assert bindbee.requests[0].query["remote_id"] == remote_id


@pytest.mark.parametrize(
    "url",
    [
        "https://app.greenhouse.io.evil.test/people/4012345001",
        "https://evil.test/app.greenhouse.io/people/4012345001",
        "https://app.greenhouse.io@evil.test/people/4012345001",
        "https://xapp.greenhouse.io/people/4012345001",
        "http://app.greenhouse.io/people/4012345001",
        "https://hire.lever.co.evil.test/candidates/0f8e1c1a-3c5b-4b7e-9d43-1f2e3d4c5b6a",
        "https://app.ashbyhq.com/candidates/not-a-uuid",
        "https://app.greenhouse.io/jobs/4012345001",
        "https://example.com/some/page",
    ],
)
async def test_look_alikes_and_other_urls_are_not_unfurled(
    app: RunningApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture, url: str
) -> None:
    bindbee.add(_person("4012345001"))
    await app.event(link_shared_event([url]), event_id="Ev2")
    assert "links=0" in await _settled(app, caplog, "Ev2")
    assert _unfurls(app.slack) == []
    assert bindbee.requests == []


async def test_custom_pattern_by_bindbee_id(
    start_app: StartApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture
) -> None:
    app = await start_app(unfurl_patterns=r"https://ats\.example\.com/c/(?P<id>[0-9a-f-]{36})")
    bindbee.add(FULL)
    url = f"https://ats.example.com/c/{FULL['id']}"
    await app.event(link_shared_event([url]), event_id="Ev3")
    await _settled(app, caplog, "Ev3")
    assert list(_unfurls(app.slack)[0]) == [url]
    assert bindbee.requests[0].path == f"/api/ats/v1/candidates/{FULL['id']}"


async def test_private_candidates_are_left_out(
    app: RunningApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture
) -> None:
    private = _person("4012345009", is_private=True, first_name="Secretina", title="CFO")
    public = _person("4012345010")
    bindbee.add(private)
    bindbee.add(public)
    urls = [GREENHOUSE.format("4012345009"), GREENHOUSE.format("4012345010")]
    await app.event(link_shared_event(urls), event_id="Ev4")
    assert "skipped=private" in await _settled(app, caplog, "Ev4")
    [unfurls] = _unfurls(app.slack)
    assert list(unfurls) == [urls[1]]
    assert "Secretina" not in json.dumps(unfurls)
    assert "4012345009" not in json.dumps(unfurls)


async def test_only_a_private_link_means_no_unfurl_call(
    app: RunningApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture
) -> None:
    bindbee.add(_person("4012345009", is_private=True))
    await app.event(link_shared_event([GREENHOUSE.format("4012345009")]), event_id="Ev5")
    await _settled(app, caplog, "Ev5")
    assert _unfurls(app.slack) == []


async def test_unfurls_carry_no_contact_details(
    app: RunningApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture
) -> None:
    emails_ok = _person("4012345011")
    no_email = _person("4012345012", can_email=False)
    bindbee.add(emails_ok)
    bindbee.add(no_email)
    urls = [GREENHOUSE.format("4012345011"), GREENHOUSE.format("4012345012")]
    await app.event(link_shared_event(urls), event_id="Ev6")
    await _settled(app, caplog, "Ev6")
    [unfurls] = _unfurls(app.slack)
    text = json.dumps(unfurls)
    for payload in (emails_ok, no_email):
        for contact in payload["email_addresses"] + payload["phone_numbers"]:
            value = contact["value"] if isinstance(contact, dict) else contact
            assert value not in text
    assert "mailto:" not in text
    assert "do not email" in json.dumps(unfurls[urls[1]]).lower()


@pytest.mark.parametrize(("copies", "reason"), [(0, "not_found"), (2, "ambiguous")])
async def test_remote_id_with_zero_or_several_matches_is_not_unfurled(
    app: RunningApp,
    bindbee: FakeBindbee,
    caplog: pytest.LogCaptureFixture,
    copies: int,
    reason: str,
) -> None:
    for _ in range(copies):
        bindbee.add(_person("4012345013"))
    await app.event(link_shared_event([GREENHOUSE.format("4012345013")]), event_id="Ev7")
    assert f"skipped={reason}" in await _settled(app, caplog, "Ev7")
    assert _unfurls(app.slack) == []


async def test_five_links_plus_a_duplicate_in_one_message(
    app: RunningApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture
) -> None:
    remote_ids = [f"40123450{20 + i}" for i in range(6)]
    for remote_id in remote_ids:
        bindbee.add(_person(remote_id))
    bindbee.latency = 0.3
    urls = [GREENHOUSE.format(r) for r in remote_ids]
    shared = [*urls[:5], urls[0], urls[5]]  # five, a duplicate, then a sixth
    await app.event(link_shared_event(shared), event_id="Ev8")
    assert "unfurled=5" in await _settled(app, caplog, "Ev8")
    [unfurls] = _unfurls(app.slack)
    assert sorted(unfurls) == sorted(urls[:5])
    requests = bindbee.candidate_requests
    assert len(requests) == 5
    assert max(r.started for r in requests) < min(r.finished for r in requests)


async def test_composer_previews_use_unfurl_id_and_source(
    app: RunningApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture
) -> None:
    bindbee.add(_person("4012345030"))
    event = link_shared_event([GREENHOUSE.format("4012345030")], source="composer")
    await app.event(event, event_id="Ev9")
    await _settled(app, caplog, "Ev9")
    [call] = app.slack.calls_to("/api/chat.unfurl")
    assert call.body["unfurl_id"] == event["unfurl_id"]
    assert call.body["source"] == "composer"
    assert "channel" not in call.body


async def test_message_unfurls_use_channel_and_ts(
    app: RunningApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture
) -> None:
    bindbee.add(_person("4012345031"))
    event = link_shared_event([GREENHOUSE.format("4012345031")])
    await app.event(event, event_id="Ev10")
    await _settled(app, caplog, "Ev10")
    [call] = app.slack.calls_to("/api/chat.unfurl")
    assert call.body["channel"] == "C0HIRING"
    assert call.body["ts"] == event["message_ts"]


async def test_externally_shared_channels_are_not_unfurled_by_default(
    start_app: StartApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture
) -> None:
    bindbee.add(_person("4012345032"))
    event = link_shared_event([GREENHOUSE.format("4012345032")])
    app = await start_app()
    await app.event(event, event_id="Ev11", is_ext_shared_channel=True)
    assert "shared outside the organisation" in await _settled(app, caplog, "Ev11")
    assert _unfurls(app.slack) == []
    assert bindbee.requests == []
    allowed = await start_app(unfurl_external_channels=True)
    await allowed.event(event, event_id="Ev12", is_ext_shared_channel=True)
    assert "unfurled=1" in await _settled(allowed, caplog, "Ev12")


async def test_a_429_from_chat_unfurl_is_retried(
    app: RunningApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture
) -> None:
    bindbee.add(_person("4012345033"))
    app.slack.fail_unfurl(1, status=429, retry_after=1)
    await app.event(link_shared_event([GREENHOUSE.format("4012345033")]), event_id="Ev13")
    assert "unfurled=1" in await _settled(app, caplog, "Ev13")
    assert len(app.slack.calls_to("/api/chat.unfurl")) == 2
    assert not [r for r in caplog.records if "chat.unfurl failed" in r.getMessage()]


async def test_other_slack_errors_are_logged_and_do_not_affect_other_requests(
    app: RunningApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture
) -> None:
    person = _person("4012345034")
    bindbee.add(person)
    app.slack.fail_unfurl(1, status=200, error="cannot_unfurl_url")
    await app.event(link_shared_event([GREENHOUSE.format("4012345034")]), event_id="Ev14")
    await _settled(app, caplog, "Ev14")
    failures = [r.getMessage() for r in caplog.records if "chat.unfurl failed" in r.getMessage()]
    assert failures == ["unfurl event=Ev14 chat.unfurl failed: cannot_unfurl_url"]
    await app.event(link_shared_event([GREENHOUSE.format("4012345034")]), event_id="Ev15")
    assert "unfurled=1" in await _settled(app, caplog, "Ev15")


async def test_a_retried_delivery_is_handled_once(
    app: RunningApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture
) -> None:
    bindbee.add(_person("4012345035"))
    event = link_shared_event([GREENHOUSE.format("4012345035")])
    await app.event(event, event_id="Ev16")
    await _settled(app, caplog, "Ev16")
    retry = {"x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"}
    response = await app.post(event_body(event, event_id="Ev16"), JSON, **retry)
    assert response.status_code == 200
    skipped = [r.getMessage() for r in caplog.records if r.name == "bot.slack.middleware"]
    assert skipped == ["event=Ev16 skipped: already handled"]
    assert len(app.slack.calls_to("/api/chat.unfurl")) == 1
    assert len(bindbee.candidate_requests) == 1


def _without_shared_flag(event: dict[str, Any], event_id: str) -> str:
    """An event_callback body whose envelope does not say whether the channel is shared."""
    envelope = json.loads(event_body(event, event_id=event_id))
    del envelope["is_ext_shared_channel"]
    return json.dumps(envelope)


@pytest.mark.parametrize(
    ("channel", "fields", "outcome"),
    [
        ("C0HIRING", None, "unfurled=1"),  # conversations.info: is_ext_shared false
        ("C0CONNECT", {"is_ext_shared": True}, "shared outside the organisation"),
        ("C0PENDING", {"is_pending_ext_shared": True}, "shared outside the organisation"),
        ("C0UNKNOWN", None, "cannot tell whether"),  # conversations.info: channel_not_found
    ],
)
async def test_when_the_event_does_not_say_conversations_info_decides(
    app: RunningApp,
    bindbee: FakeBindbee,
    caplog: pytest.LogCaptureFixture,
    channel: str,
    fields: dict[str, Any] | None,
    outcome: str,
) -> None:
    bindbee.add(_person("4012345040"))
    if fields is not None:
        app.slack.conversations[channel] = fields
    event = link_shared_event([GREENHOUSE.format("4012345040")], channel=channel)
    await app.post(_without_shared_flag(event, "Ev40"), JSON)
    assert outcome in await _settled(app, caplog, "Ev40")
    [call] = app.slack.calls_to("/api/conversations.info")
    assert call.body["channel"] == channel
    if outcome != "unfurled=1":
        assert _unfurls(app.slack) == []
        assert bindbee.requests == []


async def test_a_composer_preview_of_unknown_reach_is_not_unfurled(
    app: RunningApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture
) -> None:
    bindbee.add(_person("4012345041"))
    event = link_shared_event([GREENHOUSE.format("4012345041")], source="composer")
    await app.post(_without_shared_flag(event, "Ev41"), JSON)
    assert "cannot tell whether" in await _settled(app, caplog, "Ev41")
    assert app.slack.calls_to("/api/conversations.info") == []  # "COMPOSER" names no channel
    assert _unfurls(app.slack) == []


async def test_unknown_reach_is_unfurled_when_the_setting_allows_external_channels(
    start_app: StartApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture
) -> None:
    app = await start_app(unfurl_external_channels=True)
    bindbee.add(_person("4012345042"))
    event = link_shared_event([GREENHOUSE.format("4012345042")], channel="C0UNKNOWN")
    await app.post(_without_shared_flag(event, "Ev42"), JSON)
    assert "unfurled=1" in await _settled(app, caplog, "Ev42")
    assert app.slack.calls_to("/api/conversations.info") == []


@pytest.mark.parametrize("source", ["conversations_history", "composer"])
async def test_an_unfurl_follows_a_change_to_private_at_once(
    app: RunningApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture, source: str
) -> None:
    """The requester's card is cached; an unfurl, which everyone sees, never uses it."""
    person = _person("4012345050")
    bindbee.add(person)
    url = GREENHOUSE.format("4012345050")
    await app.command(url)
    assert FULL["first_name"] in json.dumps(await app.reply())  # now cached, both ways
    bindbee.set_private(person["id"])
    await app.event(link_shared_event([url], source=source), event_id="Ev50")
    assert "skipped=private" in await _settled(app, caplog, "Ev50")
    assert _unfurls(app.slack) == []
    assert len(bindbee.candidate_requests) == 2  # the unfurl asked the ATS again
