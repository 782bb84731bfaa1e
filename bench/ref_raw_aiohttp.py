"""Reference (b): a raw aiohttp server with no framework and no checks.

It acks, makes the same ATS call over one shared aiohttp session, and posts the same card
(rendered once, ahead of time, by the benchmark) to `response_url`. Nothing is verified,
parsed into models, coalesced or cached, so its time-to-card is the floor on this machine.

With `--pipeline` it also asks for the candidate's applications, at the same time as the
candidate, as our app does for the pipeline on the card: the floor for that card's requests.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from urllib.parse import parse_qs

import aiohttp
from aiohttp import web

from bench.common import serve_until_stopped


async def main(card: bytes, *, pipeline: bool) -> None:
    """Serve until SIGTERM or SIGINT, answering every lookup with `card`."""
    base = os.environ["BINDBEE_BASE_URL"].rstrip("/")
    headers = {
        "Authorization": f"Bearer {os.environ['BINDBEE_API_KEY']}",
        "x-connector-token": os.environ["BINDBEE_CONNECTOR_TOKEN"],
    }
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    tasks: set[asyncio.Task[None]] = set()

    async def read(url: str) -> None:
        async with session.get(url, headers=headers) as r:
            await r.read()

    async def look_up_and_reply(candidate_id: str, response_url: str) -> None:
        candidate = read(f"{base}/api/ats/v1/candidates/{candidate_id}")
        if pipeline:
            # The same query as our client's (bot/ats/client.py), written out: no app import.
            query = f"candidate={candidate_id}&expand=job,current_stage,reject_reason&page_size=100"
            applications = f"{base}/api/ats/v1/applications?{query}"
            await asyncio.gather(candidate, read(applications))
        else:
            await candidate
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

    await serve_until_stopped(events)
    await session.close()


if __name__ == "__main__":
    card = Path(os.environ["BENCH_CARD_JSON"]).read_bytes()
    asyncio.run(main(card, pipeline="--pipeline" in sys.argv[1:]))
