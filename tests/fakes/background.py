"""Run an aiohttp application on 127.0.0.1 in a daemon thread with its own event loop.

The fakes live in their own thread so that tests (sync or async) and the app under test
talk to them over real TCP, exactly as they would talk to Slack or Bindbee.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Self

from aiohttp import web


class BackgroundServer:
    """Serves `make_app()` on a free port until `stop()`; usable as a context manager."""

    def __init__(self, make_app: Callable[[], web.Application], *, port: int = 0) -> None:
        self._make_app = make_app
        self._port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.url = ""

    def start(self) -> str:
        """Start serving; return the base URL, e.g. http://127.0.0.1:54321."""
        started: Future[str] = Future()
        self._thread = threading.Thread(target=self._run, args=(started,), daemon=True)
        self._thread.start()
        self.url = started.result(timeout=10)
        return self.url

    def stop(self) -> None:
        """Stop serving, waiting a bounded time so a test can never hang here."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if self._runner is not None:
            cleanup = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), loop)
            cleanup.result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        self._loop = self._thread = None

    def call(self, make_coro: Callable[[], Any], timeout: float = 10) -> Any:
        """Run a coroutine on the server's loop from another thread and return its result."""
        assert self._loop is not None, "server not started"
        return asyncio.run_coroutine_threadsafe(make_coro(), self._loop).result(timeout)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _run(self, started: Future[str]) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            url = loop.run_until_complete(self._serve())
        except BaseException as exc:  # report start-up failures to the waiting thread
            started.set_exception(exc)
            loop.close()
            return
        started.set_result(url)
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _serve(self) -> str:
        self._runner = web.AppRunner(self._make_app(), access_log=None, shutdown_timeout=2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        return f"http://{host}:{port}"
