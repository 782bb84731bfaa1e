"""Two instances of the app behind one URL, sharing one real Redis (REDIS_URL).

Each test starts two servers (as a deploy or a scale-out would run them) with the same
settings, against the same fake Slack and fake Bindbee, and sends requests to both.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
import uuid
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.core.cards import SHARE_ACTION_ID
from tests.fakes.bindbee import FakeBindbee
from tests.fakes.payloads import FULL, NO_EMAIL
from tests.fakes.slack import BOT_TOKEN, SIGNING_SECRET
from tests.harness import RunningApp, StartApp
from tests.services.redis_server import RedisServer
from tests.slack_requests import JSON, event_body, link_shared_event

pytestmark = pytest.mark.timeout(60)

GREENHOUSE = "https://app.greenhouse.io/people/{}"


def _text(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False)


def _person(**fields: Any) -> dict[str, Any]:
    return {**FULL, "id": str(uuid.uuid4()), **fields}


async def _two(start_app: StartApp, url: str, prefix: str, **overrides: Any) -> list[RunningApp]:
    # A generous timeout: on a loaded test machine a slow Redis call would mean a fallback.
    settings = {"redis_url": url, "redis_key_prefix": prefix, "redis_timeout": 3.0, **overrides}
    return [await start_app(**settings), await start_app(**settings)]


async def test_one_budget_across_two_instances(
    start_app: StartApp, bindbee: FakeBindbee, redis_url: str, redis_prefix: str
) -> None:
    apps = await _two(start_app, redis_url, redis_prefix, bindbee_rate_limit=3)
    people = [_person() for _ in range(4)]
    for person in people:
        bindbee.add(person)
    for i, person in enumerate(people):
        # Four people asking, so that no one meets their own fair share of the budget first.
        await apps[i % 2].command(person["id"], reply_to=f"r{i}", user_id=f"U0ASKER{i}")
        await apps[i % 2].reply(f"r{i}")  # one at a time: which one is refused is known
    replies = [_text(await apps[0].reply(f"r{i}")) for i in range(4)]
    assert [people[i]["first_name"] in replies[i] for i in range(3)] == [True] * 3
    assert "rate-limiting us" in replies[3]
    assert len(bindbee.requests) == 3


async def test_a_same_id_burst_over_two_instances_costs_one_request(
    start_app: StartApp, bindbee: FakeBindbee, redis_url: str, redis_prefix: str
) -> None:
    apps = await _two(start_app, redis_url, redis_prefix)
    bindbee.add(FULL)
    bindbee.latency = 0.5
    await asyncio.gather(*(apps[i % 2].command(FULL["id"], reply_to=f"b{i}") for i in range(20)))
    replies = await asyncio.gather(*(apps[0].reply(f"b{i}") for i in range(20)))
    assert all(FULL["first_name"] in _text(reply) for reply in replies)
    assert len(bindbee.candidate_requests) == 1


async def test_a_slack_retry_on_the_other_instance_is_unfurled_once(
    start_app: StartApp,
    bindbee: FakeBindbee,
    redis_url: str,
    redis_prefix: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    apps = await _two(start_app, redis_url, redis_prefix)
    bindbee.add(_person(remote_id="4012345001"))
    body = event_body(link_shared_event([GREENHOUSE.format("4012345001")]), event_id="EvRetry")
    await apps[0].post(body, JSON)
    await apps[1].post(body, JSON, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "timeout"})
    for app in apps:
        await app.settled()
    lines = [record.getMessage() for record in caplog.records]
    assert sum("event=EvRetry skipped: already handled" in line for line in lines) == 1
    assert len(apps[0].slack.calls_to("/api/chat.unfurl")) == 1


async def test_a_share_clicked_on_both_instances_is_posted_once(
    start_app: StartApp,
    bindbee: FakeBindbee,
    redis_url: str,
    redis_prefix: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    apps = await _two(start_app, redis_url, redis_prefix)
    bindbee.add(FULL)
    await asyncio.gather(
        apps[0].action(SHARE_ACTION_ID, FULL["id"], reply_to="share"),
        apps[1].action(SHARE_ACTION_ID, FULL["id"], reply_to="share"),
    )
    for app in apps:
        await app.settled()
    lines = [record.getMessage() for record in caplog.records]
    assert sum("outcome=already_shared" in line for line in lines) == 1
    reply = await apps[0].reply("share")
    assert reply["response_type"] == "in_channel"
    assert len(apps[0].slack.calls_to("/webhook/share")) == 1


async def test_a_candidate_turned_private_on_one_instance_is_not_served_by_the_other(
    start_app: StartApp, bindbee: FakeBindbee, redis_url: str, redis_prefix: str
) -> None:
    apps = await _two(start_app, redis_url, redis_prefix)
    person = _person(remote_id="4012345077", first_name="Secretina")
    bindbee.add(person)
    link = f"<{GREENHOUSE.format('4012345077')}>"
    await apps[1].command(link, reply_to="before")
    assert "Secretina" in _text(await apps[1].reply("before"))  # cached, by link and by id
    bindbee.set_private(person["id"])
    await apps[0].action(SHARE_ACTION_ID, person["id"], reply_to="share")
    assert "Secretina" not in _text(await apps[0].reply("share"))  # refused: private now
    for reply_to, text in (("by-link", link), ("by-id", person["id"])):
        await apps[1].command(text, reply_to=reply_to)
        answer = _text(await apps[1].reply(reply_to))
        assert "Secretina" not in answer
        assert "private" in answer.lower()


async def test_redis_stopped_mid_run_answers_keep_coming_and_it_recovers(
    start_app: StartApp, bindbee: FakeBindbee, own_redis: RedisServer
) -> None:
    apps = await _two(start_app, own_redis.url, "mid-run")
    people = [_person() for _ in range(6)]
    for person in people:
        bindbee.add(person)

    async def lookup(i: int) -> str:
        await apps[i % 2].command(people[i]["id"], reply_to=f"m{i}")
        return _text(await apps[i % 2].reply(f"m{i}"))

    async def health(app: RunningApp) -> tuple[int, str]:
        response = await app.http.get(f"{app.url}/healthz")
        return response.status_code, response.text

    assert people[0]["first_name"] in await lookup(0)
    assert [await health(app) for app in apps] == [(200, '{"status": "ok"}')] * 2

    own_redis.stop()
    assert people[1]["first_name"] in await lookup(1)
    assert people[2]["first_name"] in await lookup(2)
    for app in apps:
        status, body = await health(app)
        assert status == 200
        assert "degraded" in body

    own_redis.start()
    assert [await health(app) for app in apps] == [(200, '{"status": "ok"}')] * 2
    assert people[3]["first_name"] in await lookup(3)
    client = aioredis.Redis.from_url(own_redis.url, decode_responses=True)
    cached = [name async for name in client.scan_iter(match="mid-run:*:cache:id:*")]
    await client.aclose()
    assert any(people[3]["id"] in name for name in cached)  # shared again


async def test_keys_hold_no_token_and_values_only_what_the_cache_may_keep(
    start_app: StartApp, bindbee: FakeBindbee, redis_url: str, redis_prefix: str
) -> None:
    apps = await _two(start_app, redis_url, redis_prefix)
    private = _person(is_private=True, first_name="Secretina", remote_id="4012345099")
    no_email = {**NO_EMAIL, "id": str(uuid.uuid4())}
    for person in (FULL, private, no_email):
        bindbee.add(person)
    await apps[0].command(f"{FULL['id']} {no_email['id']}", reply_to="a")
    await apps[1].command(f"<{GREENHOUSE.format('4012345099')}>", reply_to="b")
    await apps[0].reply("a")
    await apps[1].reply("b")
    await apps[1].event(link_shared_event([GREENHOUSE.format("4012345099")]), event_id="EvK")
    await apps[0].action(SHARE_ACTION_ID, FULL["id"], reply_to="s")
    await apps[0].reply("s")

    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    dump: dict[str, str] = {}
    for _ in range(50):  # the unfurl's dedupe key is written in the background
        names = [name async for name in client.scan_iter(match=f"{redis_prefix}:*")]
        if any(":event:" in name for name in names):
            break
        await asyncio.sleep(0.02)
    for name in names:
        assert await client.pttl(name) > 0, name
        kind = await client.type(name)
        if kind == "hash":
            dump[name] = json.dumps(await client.hgetall(name))
        elif kind == "string":
            dump[name] = str(await client.get(name) or "")
        elif kind == "set":
            dump[name] = json.dumps(sorted(await client.smembers(name)))
        else:
            dump[name] = json.dumps(await client.zrange(name, 0, -1))
    await client.aclose()
    everything = json.dumps(dump)
    for secret in (FakeBindbee.CONNECTOR_TOKEN, FakeBindbee.API_KEY, BOT_TOKEN, SIGNING_SECRET):
        assert secret not in everything
    assert "Secretina" not in everything
    assert "U0ALICE" not in " ".join(names)  # Slack user ids are hashed in key names
    for email in no_email["email_addresses"]:
        assert str(email.get("value") if isinstance(email, dict) else email) not in everything
    for part in (":cache:", ":candidate:", ":budget", ":event:", ":share:", ":lookup:"):
        assert any(part in name for name in names), f"no {part} key was checked"


async def test_a_redis_that_never_answers_neither_stops_the_app_nor_holds_lookups(
    start_app: StartApp, bindbee: FakeBindbee
) -> None:
    # A socket that accepts connections (in its backlog) and never answers: the worst Redis.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        port = silent.getsockname()[1]
        app = await start_app(redis_url=f"redis://127.0.0.1:{port}/0", redis_timeout=0.2)
        bindbee.add(FULL)
        started = time.monotonic()
        await app.command(FULL["id"])
        assert FULL["first_name"] in _text(await app.reply())
        elapsed = time.monotonic() - started
        health = await app.http.get(f"{app.url}/healthz")
    assert (health.status_code, health.json()["status"]) == (200, "degraded")
    assert elapsed < 3.0  # generous: one Redis call times out (0.2 s), then Redis is skipped
