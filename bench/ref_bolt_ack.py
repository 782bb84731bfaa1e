"""Reference (a): the smallest Bolt app that serves `/candidate` — its handler only acks.

It runs on the same aiohttp server setup as the real app (same adapter, same backlog), so
its ack latency is the framework's ceiling on this machine. By default it runs Bolt as
configured out of the box, whose runner polls for the ack every 10 ms; with `--inline`
it answers as soon as the listener returns (`process_before_response=True`), as the real
app does.
"""

from __future__ import annotations

import asyncio
import os
import sys

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bench.common import serve_until_stopped


async def main() -> None:
    """Serve until SIGTERM or SIGINT."""
    client = AsyncWebClient(
        token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]
    )
    app = AsyncApp(
        client=client,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        process_before_response="--inline" in sys.argv,
    )

    @app.command("/candidate")
    async def only_ack(ack: AsyncAck) -> None:
        await ack()

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    await serve_until_stopped(events)


if __name__ == "__main__":
    asyncio.run(main())
