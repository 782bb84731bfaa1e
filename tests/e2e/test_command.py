"""`/candidate` end to end: signed requests in, cards out through response_url."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

import pytest

from bot.core.cards import LINK_ACTION_PREFIX, SHARE_ACTION_ID
from bot.logs import quiet_libraries
from tests.fakes.bindbee import CANDIDATES, FakeBindbee
from tests.fakes.payloads import FULL, NO_EMAIL, PRIVATE
from tests.fakes.slack import BOT_TOKEN
from tests.harness import RunningApp, StartApp

pytestmark = pytest.mark.timeout(40)


def _text(payload: dict[str, Any] | list[Any]) -> str:
    """Everything a user could read in a message, as one string."""
    return json.dumps(payload, ensure_ascii=False)


def _new_id() -> str:
    return str(uuid.uuid4())


def _candidate(**fields: Any) -> dict[str, Any]:
    return {**FULL, "id": _new_id(), **fields}


def _personal_values(payload: dict[str, Any]) -> list[str]:
    values = [payload["first_name"], payload["last_name"], payload["title"], payload["company"]]
    for key in ("email_addresses", "phone_numbers"):
        values += [v["value"] if isinstance(v, dict) else v for v in payload[key]]
    return [v for v in values if v]


def _emails(payload: dict[str, Any]) -> list[str]:
    return [v["value"] if isinstance(v, dict) else v for v in payload["email_addresses"]]


async def test_empty_text_and_help_answer_with_usage_in_the_ack(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    for text in ("", "help", "  HELP "):
        response = await app.command(text)
        assert response.status_code == 200
        body = response.json()
        assert body["response_type"] == "ephemeral"
        assert "/candidate" in _text(body)
    assert bindbee.requests == []


async def test_one_id_gets_the_requester_card(app: RunningApp, bindbee: FakeBindbee) -> None:
    bindbee.add(FULL)
    response = await app.command(FULL["id"])
    assert response.status_code == 200
    assert response.text == ""  # acknowledged with nothing: the answer comes separately
    reply = await app.reply()
    assert reply["response_type"] == "ephemeral"
    assert FULL["first_name"] in reply["text"]
    assert _emails(FULL)[0] in _text(reply)  # only the requester sees this view
    actions = [
        element
        for block in reply["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    assert any(a["action_id"] == SHARE_ACTION_ID and a["value"] == FULL["id"] for a in actions)
    assert len(bindbee.candidate_requests) == 1


async def test_a_card_slack_refuses_is_sent_again_as_text(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    bindbee.add(FULL)
    app.slack.refuse_blocks(1)  # as when Slack cannot fetch the avatar image
    await app.command(FULL["id"])
    refused, plain = [call.body for call in await app.slack.wait_for_async("/webhook/cmd", 2)]
    assert refused["blocks"]
    assert "blocks" not in plain
    assert plain["text"] == refused["text"]
    assert FULL["first_name"] in plain["text"]


async def test_not_found(app: RunningApp) -> None:
    missing = _new_id()
    await app.command(missing)
    reply = await app.reply()
    assert "no candidate found" in _text(reply).lower()
    assert missing in _text(reply)


async def test_private_candidate_shows_nothing_personal(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    bindbee.add(PRIVATE)
    await app.command(PRIVATE["id"])
    reply = await app.reply()
    text = _text(reply)
    assert "private" in text.lower()
    for value in _personal_values(PRIVATE):
        assert value not in text


async def test_can_email_false_shows_no_email(app: RunningApp, bindbee: FakeBindbee) -> None:
    bindbee.add(NO_EMAIL)
    await app.command(NO_EMAIL["id"])
    text = _text(await app.reply())
    assert "do not email" in text.lower()
    assert "mailto:" not in text
    for email in _emails(NO_EMAIL):
        assert email not in text


async def test_refused_credentials(start_app: StartApp, bindbee: FakeBindbee) -> None:
    app = await start_app(bindbee_api_key="a-key-bindbee-does-not-know")
    bindbee.add(FULL)
    await app.command(FULL["id"])
    text = _text(await app.reply())
    assert "ask an admin to check the bindbee credentials" in text.lower()
    assert "a-key-bindbee-does-not-know" not in text


async def test_rate_limited_says_when_to_try_again(app: RunningApp, bindbee: FakeBindbee) -> None:
    bindbee.add(FULL)
    bindbee.fail(1, 429, retry_after=30, path_contains=CANDIDATES)
    await app.command(FULL["id"])
    text = _text(await app.reply())
    assert "try again in 30 s" in text
    assert len(bindbee.candidate_requests) == 1  # a 30 s wait does not fit the deadline: no retry


async def test_ats_unavailable(start_app: StartApp, bindbee: FakeBindbee) -> None:
    app = await start_app(bindbee_max_attempts=2)
    bindbee.add(FULL)
    bindbee.fail(5, 503, path_contains=CANDIDATES)
    await app.command(FULL["id"])
    assert "did not answer" in _text(await app.reply()).lower()
    assert len(bindbee.candidate_requests) == 2


async def test_bad_response(app: RunningApp, bindbee: FakeBindbee) -> None:
    bindbee.add(FULL)
    bindbee.html(times=5)
    await app.command(FULL["id"])
    reply = _text(await app.reply()).lower()
    assert "ats" in reply
    assert "<html" not in reply


async def test_a_word_that_is_no_id_is_searched_as_a_name_never_as_a_path(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    await app.command("../../admin")
    text = _text(await app.reply())
    assert "No candidate matches the name “../../admin”" in text
    assert sorted(r.path for r in bindbee.requests) == ["/api/ats/v1/candidates"] * 2
    assert sorted(r.query.get("first_name", "") for r in bindbee.requests) == ["", "../../admin"]


async def test_an_unknown_link_is_named_as_such(app: RunningApp, bindbee: FakeBindbee) -> None:
    response = await app.command("<https://evil.test/people/4012345001>")
    text = _text(response.json())
    assert "https://evil.test/people/4012345001" in text
    assert "not a candidate link" in text
    assert "not a valid candidate id" not in text
    assert bindbee.requests == []


async def test_mixed_valid_and_invalid_ids(app: RunningApp, bindbee: FakeBindbee) -> None:
    bindbee.add(FULL)
    await app.command(f"{FULL['id']}, not/an/id")
    text = _text(await app.reply())
    assert FULL["first_name"] in text
    assert "No candidate matches the name “not/an/id”" in text
    # the id, and the one word as first and as last name (the applications apart)
    assert len(bindbee.candidate_requests) == 3


async def test_several_ids_are_fetched_at_the_same_time(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    people = [_candidate(first_name=f"Person{i}") for i in range(3)]
    for person in people:
        bindbee.add(person)
    bindbee.latency = 0.5
    await app.command(", ".join(p["id"] for p in people) + f" {people[0]['id']}")
    text = _text(await app.reply())
    for person in people:
        assert person["first_name"] in text
    requests = bindbee.candidate_requests
    assert len(requests) == 3  # the duplicate is looked up once
    # every request started before any of them finished: they overlapped
    assert max(r.started for r in requests) < min(r.finished for r in requests)


async def test_more_than_five_ids_says_so(app: RunningApp, bindbee: FakeBindbee) -> None:
    ids = [_new_id() for _ in range(7)]
    await app.command(" ".join(ids))
    text = _text(await app.reply())
    assert "first 5 of 7" in text.lower()
    assert len(bindbee.candidate_requests) == 5


async def test_a_pasted_link_is_resolved(app: RunningApp, bindbee: FakeBindbee) -> None:
    person = _candidate(remote_id="4012345001")
    bindbee.add(person)
    await app.command("<https://app.greenhouse.io/people/4012345001?src=slack>")
    assert person["first_name"] in _text(await app.reply())
    assert bindbee.requests[0].query.get("remote_id") == "4012345001"


async def test_ack_comes_before_a_slow_ats_answers(
    start_app: StartApp, bindbee: FakeBindbee
) -> None:
    app = await start_app(bindbee_read_timeout=8, lookup_deadline=9)
    bindbee.add(FULL)
    bindbee.latency = 5
    response = await app.command(FULL["id"])
    acked = time.monotonic()
    assert response.status_code == 200
    reply = await app.reply()
    assert FULL["first_name"] in reply["text"]
    assert acked < bindbee.requests[0].finished


@pytest.mark.parametrize(
    "hostile",
    ["../../admin", "a/b?x=1#f", "%2e%2e%2f", "..", "<!channel>", "x" * 129, "a%00b", "ids=1&x"],
)
async def test_hostile_ids_never_reach_the_ats_as_another_path(
    app: RunningApp, bindbee: FakeBindbee, hostile: str
) -> None:
    await app.command(hostile)
    await app.reply()
    for request in bindbee.requests:
        # a candidate by id, or the list with Bindbee's own parameters and nothing else
        path, _, _ = request.raw_path.partition("?")
        assert re.fullmatch(r"/api/ats/v1/candidates(/[^/?#]+)?", path)
        assert "#" not in request.raw_path
        assert set(request.query) <= {"first_name", "last_name", "page_size"}


async def test_share_posts_the_channel_view_without_contact_details(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    bindbee.add(FULL)
    response = await app.action(SHARE_ACTION_ID, FULL["id"])
    assert response.status_code == 200
    reply = await app.reply("action")
    assert reply["response_type"] == "in_channel"
    text = _text(reply)
    assert FULL["first_name"] in text
    assert "<@U0ALICE>" in text
    for contact in _emails(FULL) + list(FULL["phone_numbers"]):
        assert str(contact) not in text


async def test_share_rechecks_privacy_and_shares_nothing_once_private(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    person = _candidate()
    bindbee.add(person)
    await app.command(person["id"])
    assert person["first_name"] in _text(await app.reply())
    bindbee.add({**person, "is_private": True})  # it changed in the ATS since the card was shown
    await app.action(SHARE_ACTION_ID, person["id"])
    reply = await app.reply("action")
    assert reply["response_type"] == "ephemeral"
    assert person["first_name"] not in _text(reply)
    assert len(bindbee.candidate_requests) == 2  # the share did not trust the cache


async def test_link_buttons_are_acknowledged(app: RunningApp) -> None:
    response = await app.action(f"{LINK_ACTION_PREFIX}_0", "https://www.linkedin.com/in/x")
    assert response.status_code == 200


async def test_unexpected_error_becomes_an_apology_and_a_clean_log(
    app: RunningApp,
    bindbee: FakeBindbee,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from bot.slack.listeners import commands

    def explode(*_: object, **__: object) -> None:
        raise RuntimeError(f"boom with {FULL['first_name']}")

    monkeypatch.setattr(commands, "outcome_message", explode)
    bindbee.add(FULL)
    caplog.set_level(logging.INFO)
    await app.command(FULL["id"])
    text = _text(await app.reply()).lower()
    assert "sorry" in text
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "RuntimeError" in logged
    assert "explode" in logged  # the trace is there
    assert FULL["first_name"] not in logged


async def test_one_log_line_per_lookup_without_personal_data(
    app: RunningApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture
) -> None:
    quiet_libraries()  # as configure_logging does in production, even at LOG_LEVEL=DEBUG
    caplog.set_level(logging.DEBUG)
    for payload in (FULL, PRIVATE, NO_EMAIL):
        bindbee.add(payload)
    await app.command(f"{FULL['id']} {PRIVATE['id']}")
    await app.reply()
    await app.action(SHARE_ACTION_ID, NO_EMAIL["id"])
    await app.reply("action")
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.command"]
    command_lines = [line for line in lines if "command=/candidate" in line]
    assert len(command_lines) == 1
    assert re.search(r"ids=2 outcome=found,private ms=\d+", command_lines[0])
    everything = "\n".join(r.getMessage() for r in caplog.records)
    for payload in (FULL, PRIVATE, NO_EMAIL):
        for value in _personal_values(payload):
            assert value not in everything
    for secret in (BOT_TOKEN, FakeBindbee.API_KEY, FakeBindbee.CONNECTOR_TOKEN):
        assert secret not in everything


async def test_one_user_cannot_spend_everyones_budget(
    start_app: StartApp, bindbee: FakeBindbee
) -> None:
    app = await start_app(bindbee_rate_limit=10)  # BINDBEE_USER_SHARE 0.5: 5 a user a minute
    flood = [" ".join(_new_id() for _ in range(5)) for _ in range(2)]
    for i, text in enumerate(flood):
        await app.command(text, reply_to=f"flood{i}", user_id="U0FLOOD")
    first, second = [_text((await app.reply(f"flood{i}"))["blocks"]) for i in range(2)]
    assert first.count("No candidate found") == 5
    assert second.count("try again in 60 s") == 5  # the flooder hears their own wait
    await app.command(" ".join(_new_id() for _ in range(5)), reply_to="next", user_id="U0NEXT")
    following = _text((await app.reply("next"))["blocks"])
    assert following.count("No candidate found") == 5  # room was left for them
    assert "try again" not in following
    assert len(bindbee.candidate_requests) == 10
