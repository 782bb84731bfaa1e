"""CPU per stage of the card path, each stage timed alone, in µs of this process's CPU time.

    python -m bench.card_path               # every stage, about half a minute
    python -m bench.card_path --repeat 500

The benchmark (bench/run.py) tells what a lookup costs under load; a py-spy profile of it
tells roughly where, but on a shared machine its samples also count time spent waiting for a
core. Here each stage runs on its own, many times over, and is charged
`time.process_time()`: CPU time only, so a busy machine slows the run but hardly moves the
figures. Network stages talk to the benchmark's fakes, each in a process of its own, whose
CPU is not counted.

The stages are the ones a `/candidate` lookup goes through, on the same code: Bolt's
dispatch (with the signature check) of a signed request, parsing the text, the ATS request
with its JSON, the candidate model, the policy (the cache keeps `retained`, the card calls
`disclose`), Block Kit, serialising, posting the reply and the log line.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.ats.client import BindbeeClient
from bot.ats.models import Candidate, Pipeline, parse_applications
from bot.core.cards import combine, outcome_message
from bot.core.cards.limits import check_limits
from bot.core.links import BUILTIN_PATTERNS
from bot.core.policy import View, disclose, is_private, retained
from bot.core.query import parse_query
from bot.slack.replies import Replies
from bot.slack.web import web_client
from tests.fakes import payloads
from tests.fakes.bindbee import FakeBindbee, bench_id, bench_payload

SECRET = "bench-signing-secret"
CANDIDATE = 1  # bench_payload(1): named, emailable, with a phone, a link and a location


def per_call(repeat: int, call: Callable[[], object]) -> float:
    """µs of CPU time per call of `call`."""
    start = time.process_time()
    for _ in range(repeat):
        call()
    return (time.process_time() - start) / repeat * 1e6


async def per_await(repeat: int, call: Callable[[], Awaitable[object]]) -> float:
    """µs of CPU time per awaited call, one at a time (so no call waits on another)."""
    await call()  # a first call opens connections
    start = time.process_time()
    for _ in range(repeat):
        await call()
    return (time.process_time() - start) / repeat * 1e6


def signed_command(text: str, response_url: str) -> tuple[str, dict[str, str | Sequence[str]]]:
    """A `/candidate` request body and headers, signed as Slack signs them."""
    body = urlencode(
        {
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "command": "/candidate",
            "text": text,
            "response_url": response_url,
            "trigger_id": "1.1.x",
        }
    )
    ts = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body) or ""
    headers: dict[str, str | Sequence[str]] = {
        "content-type": ["application/x-www-form-urlencoded"],
        "x-slack-request-timestamp": [ts],
        "x-slack-signature": [signature],
    }
    return body, headers


async def bolt_dispatch_us(repeat: int, slack_url: str) -> float:
    """Bolt's dispatch of a signed `/candidate` request to a listener that only acks,
    configured as our app configures Bolt."""
    app = AsyncApp(
        client=web_client("xoxb-bench", f"{slack_url}/api/"),
        signing_secret=SECRET,
        process_before_response=True,
    )

    @app.command("/candidate")
    async def only_ack(ack: AsyncAck) -> None:
        await ack()

    body, headers = signed_command(bench_id(CANDIDATE), f"{slack_url}/webhook/x/0")
    return await per_await(
        repeat, lambda: app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))
    )


def quiet_log_line() -> logging.Logger:
    """The lookup log line's logger as the app sets it up at LOG_LEVEL=INFO, into a buffer."""
    logger = logging.getLogger("bench.card_path.log_line")
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger


async def measure(repeat: int) -> dict[str, float]:
    """µs of CPU per stage."""
    from bench.run import fake_bindbee, fake_slack

    payload = bench_payload(CANDIDATE)
    # The card carries the pipeline, as in the benchmark: two applications, expanded.
    items = [payloads.expanded(app) for app in payloads.applications(bench_id(CANDIDATE))]
    applications_body = {"cursor": None, "items": items}
    applications, _ = parse_applications(applications_body, bench_id(CANDIDATE))
    candidate = Candidate.from_payload(payload).model_copy(
        update={"pipeline": Pipeline(applications=applications)}
    )
    kept = retained(candidate)
    message = outcome_message(kept, View.REQUESTER, ref=bench_id(CANDIDATE), share_button=True)
    reply = {"response_type": "ephemeral", **combine([message]).as_payload()}
    log = quiet_log_line()
    figures: dict[str, float] = {}
    async with fake_slack() as slack, fake_bindbee(0.0, None, seed=10) as bindbee:
        figures["Bolt: dispatch, signature check, ack"] = await bolt_dispatch_us(repeat, slack.url)
        verifier = SignatureVerifier(SECRET)
        body, headers = signed_command(bench_id(CANDIDATE), slack.url)
        flat = {name: str(values[0]) for name, values in headers.items()}
        figures["  of which the signature check"] = per_call(
            repeat, lambda: verifier.is_valid_request(body, flat)
        )
        figures["parsing the text"] = per_call(
            repeat, lambda: parse_query(bench_id(CANDIDATE), BUILTIN_PATTERNS)
        )
        client = BindbeeClient(
            base_url=bindbee.url,
            api_key=FakeBindbee.API_KEY,
            connector_token=FakeBindbee.CONNECTOR_TOKEN,
            rate_limit_per_minute=10**6,
        )
        path = f"/api/ats/v1/candidates/{bench_id(CANDIDATE)}"
        figures["ATS request and its JSON (our client)"] = await per_await(
            repeat, lambda: client._get(path, template=path, parse=lambda json_value: json_value)
        )
        await client.aclose()
        figures["  the same GET with plain aiohttp (as the floor)"] = await _plain_get_us(
            repeat, bindbee.url + path
        )
        figures["the candidate model"] = per_call(repeat, lambda: Candidate.from_payload(payload))
        figures["the applications (two)"] = per_call(
            repeat, lambda: parse_applications(applications_body, bench_id(CANDIDATE))
        )
        figures["policy: retained + is_private (cache)"] = per_call(
            repeat, lambda: (retained(candidate), is_private(candidate))
        )
        figures["policy: disclose (card)"] = per_call(
            repeat, lambda: disclose(kept, View.REQUESTER)
        )
        figures["building Block Kit (with its disclose)"] = per_call(
            repeat,
            lambda: combine(
                [outcome_message(kept, View.REQUESTER, ref=bench_id(1), share_button=True)]
            ).as_payload(),
        )
        blocks = message.blocks
        figures["  of which the Block Kit limits check"] = per_call(
            repeat, lambda: check_limits(blocks)
        )
        figures["serialising (json.dumps)"] = per_call(repeat, lambda: json.dumps(reply))
        replies = Replies(slack_api_url=f"{slack.url}/api/")
        url = f"{slack.url}/webhook/x/0"
        figures["posting the reply (with serialising)"] = await per_await(
            repeat, lambda: replies.send(url, reply)
        )
        await replies.aclose()
        figures["  the same POST with plain aiohttp (as the floor)"] = await _plain_post_us(
            repeat, url, json.dumps(reply).encode()
        )
        figures["logging: the lookup line at INFO"] = per_call(
            repeat, lambda: log.info("lookup user=%s ids=%d outcome=%s ms=%d", "U1", 1, "found", 3)
        )
    return figures


async def _plain_get_us(repeat: int, url: str) -> float:
    headers = {
        "Authorization": f"Bearer {FakeBindbee.API_KEY}",
        "x-connector-token": FakeBindbee.CONNECTOR_TOKEN,
    }
    async with aiohttp.ClientSession() as session:

        async def get() -> Any:
            async with session.get(url, headers=headers) as response:
                return json.loads(await response.read())

        return await per_await(repeat, get)


async def _plain_post_us(repeat: int, url: str, body: bytes) -> float:
    async with aiohttp.ClientSession() as session:

        async def post() -> bytes:
            headers = {"content-type": "application/json"}
            async with session.post(url, data=body, headers=headers) as response:
                return await response.read()

        return await per_await(repeat, post)


def main() -> None:
    """Measure and print a Markdown table."""
    parser = argparse.ArgumentParser(prog="python -m bench.card_path", description=__doc__)
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    figures = asyncio.run(measure(args.repeat))
    print("| stage | µs of CPU |\n| --- | ---: |")
    for stage, micros in figures.items():
        print(f"| {stage} | {micros:.0f} |")


if __name__ == "__main__":
    main()
