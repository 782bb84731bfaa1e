"""The retry engine: attempts, backoff, the rate budget and one deadline over them all.

    connection error, timeout, 5xx   retried, up to max_attempts in all, with exponential
                                     backoff and full jitter
    429 (or our budget is spent)     retried after Retry-After, without backoff on top
    anything else                    never

A retry is made only if its wait fits in the time left; otherwise the last error stands.
Before every attempt the rate budget says how long to wait, so nothing is sent that Bindbee
is already known to refuse. Jitter, sleep and clock are injected, so tests steer them.

Full jitter is described in https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.ats.budget import current_requester
from bot.ats.errors import AtsError, RateLimited, TransientError, Unavailable
from bot.state.base import Budget

Attempt = Callable[[int, float], Awaitable[object | AtsError]]
"""One try: given its number (from 1) and the deadline, the result or the error it ended in."""


def no_answer(seconds: float) -> str:
    """The detail of an Unavailable error for an answer that did not come in time."""
    return f"Bindbee did not answer within {seconds:g} s"


@dataclass
class Retrier:
    """Runs attempts until one succeeds, a final error comes, or the deadline would pass."""

    budget: Budget  # in this process, or shared through Redis (bot/state/)
    deadline: float = 8.0
    max_attempts: int = 3
    backoff_base: float = 0.2
    jitter: Callable[[float, float], float] = field(default=random.uniform)
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep)
    clock: Callable[[], float] = field(default=time.monotonic)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    async def run(self, attempt: Attempt) -> object:
        """The first successful result of `attempt`, or raise the error that ended the tries."""
        deadline = self.clock() + self.deadline
        try:
            # The tries respect the deadline themselves; this is the backstop that also bounds
            # what they cannot (a body that trickles in byte by byte).
            async with asyncio.timeout(self.deadline):
                return await self._attempts(attempt, deadline)
        except TimeoutError:
            pass
        raise self.too_late()

    def too_late(self) -> Unavailable:
        """The error for a lookup whose deadline passed."""
        return Unavailable(no_answer(self.deadline))

    async def _attempts(self, attempt: Attempt, deadline: float) -> object:
        last: AtsError | None = None
        for number in range(1, self.max_attempts + 1):
            if last is not None:
                # After a 429 the budget holds us back for Retry-After; no backoff on top.
                pause = 0.0 if isinstance(last, RateLimited) else self._backoff(number)
                if pause >= deadline - self.clock():
                    raise last
                await self.sleep(pause)
            wait = await self._reserve(deadline, last)
            if wait > 0:
                await self.sleep(wait)
            outcome = await attempt(number, deadline)
            if not isinstance(outcome, AtsError):
                return outcome
            if not isinstance(outcome, TransientError):
                raise outcome
            last = outcome
        assert last is not None  # the loop ran at least once and did not return
        raise last

    def _backoff(self, number: int) -> float:
        """Full jitter: a random pause up to base × 2^(retry − 1)."""
        return self.jitter(0, self.backoff_base * 2 ** (number - 2))

    async def _reserve(self, deadline: float, last: AtsError | None) -> float:
        """Seconds the budget says to wait, or raise when that will not fit in the deadline."""
        try:
            return await self.budget.reserve(
                max_wait=deadline - self.clock(), user=current_requester()
            )
        except RateLimited as refused:
            # A retry that does not fit ends in the error it was retrying (after a 429,
            # that carries Bindbee's own Retry-After).
            error = last or refused
        raise error
