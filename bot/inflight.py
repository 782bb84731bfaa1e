"""Work in flight: what listeners do after they have acknowledged Slack.

Listeners acknowledge at once and hand the slow part (ATS lookups, replies, unfurls) to
`InFlight.spawn`. Keeping those tasks here means the answer to Slack never waits for the
ATS, and on SIGTERM the server can wait (for a bounded time) until every acknowledged
lookup has delivered its answer, so a deploy drops nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from bot.logs import log_unexpected

logger = logging.getLogger("bot.inflight")


class InFlight:
    """A set of background tasks that shutdown can wait for."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def count(self) -> int:
        """How many tasks are running now."""
        return len(self._tasks)

    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        """Run `work` in the background; an exception it lets out is logged, not lost."""
        task = asyncio.create_task(work, name=name)
        self._tasks.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(self._finished)

    async def drain(self, grace: float) -> bool:
        """Wait until nothing is in flight; False if `grace` seconds passed first."""
        if not self._tasks:
            return True
        _, pending = await asyncio.wait(set(self._tasks), timeout=grace)
        return not pending

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log_unexpected(logger, task.get_name(), task.exception())  # type: ignore[arg-type]
