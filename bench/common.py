"""What every benchmark process shares, so the targets differ only in what they measure."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from collections.abc import Awaitable, Callable

from aiohttp import web

# The app's listen backlog (bot/slack/server.py), written out rather than imported: importing
# the app would load all of it into every reference and fake, and their memory and garbage
# collection would then depend on ours. tests/bench/test_common.py checks that the two agree.
BACKLOG = 1024

__all__ = ["BACKLOG", "free_port", "serve_until_stopped"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def serve_until_stopped(events: Callable[[web.Request], Awaitable[web.Response]]) -> None:
    """Serve a reference like the app: `POST /slack/events`, `GET /healthz`, on $PORT, with
    the app's backlog, until SIGTERM or SIGINT."""

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
