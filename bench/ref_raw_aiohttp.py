"""Reference (b): a raw aiohttp server with no framework and no checks.

It acks, makes the same ATS call over one shared aiohttp session, and posts the same card
(rendered once, ahead of time, by the benchmark) to `response_url`. Nothing is verified,
parsed into models, coalesced or cached, so its time-to-card is the floor on this machine.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from urllib.parse import parse_qs

import aiohttp
from aiohttp import web

from bench.common import BACKLOG, install_event_loop


async def main(card: bytes) -> None:
    """Serve until SIGTERM or SIGINT, answering every lookup with `card`."""
    base = os.environ["BINDBEE_BASE_URL"].rstrip("/")
    headers = {
        "Authorization": f"Bearer {os.environ['BINDBEE_API_KEY']}",
        "x-connector-token": os.environ["BINDBEE_CONNECTOR_TOKEN"],
    }
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    tasks: set[asyncio.Task[None]] = set()

    async def look_up_and_reply(candidate_id: str, response_url: str) -> None:
        async with session.get(
            f"{base}/api/ats/v1/candidates/{candidate_id}", headers=headers
        ) as r:
            await r.read()
        async with session.post(
            response_url, data=card, headers={"content-type": "application/json"}
        ) as reply:
            await reply.read()

    async def events(request: web.Request) -> web.Response:
        form = parse_qs(await request.text())
        task = asyncio.create_task(look_up_and_reply(form["text"][0], form["response_url"][0]))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return web.Response(status=200)

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    web_app = web.Application()
    web_app.router.add_post("/slack/events", events)
    web_app.router.add_get("/healthz", health)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", int(os.environ["PORT"]), backlog=BACKLOG).start()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    await stop.wait()
    await runner.cleanup()
    await session.close()


if __name__ == "__main__":
    install_event_loop()
    asyncio.run(main(Path(os.environ["BENCH_CARD_JSON"]).read_bytes()))
