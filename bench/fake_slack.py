"""The benchmark's fake Slack side, in a process of its own: `auth.test` and `response_url`.

    python -m bench.fake_slack --port 8766

It used to live in the load generator's event loop, where receiving 200 cards competed with
sending and timing requests, and where a burst of cards arriving close together queued
behind each other. In its own process it only records: for every `POST /webhook/{burst}/{i}`
the arrival time on `time.monotonic()` (CLOCK_MONOTONIC, one clock for every process on the
machine, so it compares with the load generator's send times) and the body.

`GET /_wait?burst=B&count=N&timeout=S[&bodies=1]` (not Slack's) waits without polling until
N replies of burst B have arrived or S seconds have passed, answers
`{"arrived": {"i": t, …}, "bodies": {"i": "…", …}}`, and forgets the burst.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import time
from collections import defaultdict
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field

from aiohttp import web

from bench.common import BACKLOG


@dataclass
class _Burst:
    arrived: dict[str, float] = field(default_factory=dict)
    bodies: dict[str, str] = field(default_factory=dict)
    changed: asyncio.Event = field(default_factory=asyncio.Event)


class FakeSlack:
    """Answers auth.test and records every response_url post, per burst."""

    def __init__(self) -> None:
        self.bursts: defaultdict[str, _Burst] = defaultdict(_Burst)

    def routes(self) -> web.Application:
        """The aiohttp application."""
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/webhook/{burst}/{index}", self._webhook)
        app.router.add_get("/_wait", self._wait)
        app.router.add_get("/healthz", self._health)
        return app

    async def _api(self, request: web.Request) -> web.Response:
        await request.read()
        return web.json_response(
            {"ok": True, "team": "Bench", "user": "bench-bot", "team_id": "T1", "user_id": "U1"}
        )

    async def _webhook(self, request: web.Request) -> web.Response:
        body = await request.read()
        arrived = time.monotonic()
        burst = self.bursts[request.match_info["burst"]]
        index = request.match_info["index"]
        burst.arrived.setdefault(index, arrived)
        burst.bodies[index] = body.decode(errors="replace")
        burst.changed.set()
        return web.Response(text="ok")

    async def _wait(self, request: web.Request) -> web.Response:
        name = request.query["burst"]
        count = int(request.query["count"])
        burst = self.bursts[name]
        with suppress(TimeoutError):
            async with asyncio.timeout(float(request.query["timeout"])):
                while len(burst.arrived) < count:
                    burst.changed.clear()
                    await burst.changed.wait()
        self.bursts.pop(name, None)
        bodies = burst.bodies if request.query.get("bodies") == "1" else {}
        return web.json_response({"arrived": burst.arrived, "bodies": bodies})

    async def _health(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})


async def serve(port: int) -> None:
    """Serve on 127.0.0.1:`port` until SIGTERM or SIGINT."""
    runner = web.AppRunner(FakeSlack().routes(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port, backlog=BACKLOG).start()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    await stop.wait()
    await runner.cleanup()


def main(argv: Sequence[str] | None = None) -> None:
    """Run in the foreground: `python -m bench.fake_slack --port P`."""
    parser = argparse.ArgumentParser(prog="python -m bench.fake_slack", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(serve(parser.parse_args(argv).port))


if __name__ == "__main__":
    main()
