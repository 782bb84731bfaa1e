"""A budget for Bindbee's rate limit, so the app never sends a request it knows will get a 429.

Bindbee allows 200 requests a minute per connector token and does not say whether its
window is fixed or sliding (https://docs.bindbee.dev, "Rate limits"). The budget keeps a
log of our own sends and allows at most `per_minute` of them in any 60 seconds, which stays
inside a fixed window and a sliding one alike. It also listens to what Bindbee reports on
every response, because someone else may use the same connector (another app, or another
copy of this one):

    X-RateLimit-Limit      lower than configured   → the lower limit holds
    X-RateLimit-Remaining  lower than we count     → others use the connector too: count
                                                     their requests until X-RateLimit-Reset
    X-RateLimit-Remaining  0                       → send nothing until X-RateLimit-Reset
    429 with Retry-After                           → send nothing for Retry-After seconds

Malformed headers are ignored. The budget is plain synchronous code with injectable
clocks, so tests never sleep.

Fair shares. One Slack user could otherwise spend the whole minute at once (40 commands of
5 ids), and everyone else would wait for the window to clear. So each send is booked for
the user it is made for (`on_behalf_of`), and no user may have more than
`user_share × limit` sends in any 60 seconds: the rest of the minute stays free for others.
A user past their share is told when their own oldest send leaves the window.

The algorithm, in the terms a shared (Redis) port needs: keep one log of send times for
the connector and one per user, both sorted. To book a send at `now`:

    1. drop every entry older than now − 60 s, from both logs
    2. user_start = now if the user has fewer than share × limit entries,
                    else the user's (share × limit)-th newest entry + 60 s
    3. at = the earliest time ≥ user_start (and ≥ the newest entry: bookings are served
            in order) at which the connector's log holds fewer than `limit` entries
            (fewer than `limit − others` while someone else uses the connector, and
            never before a 429 or X-RateLimit-Remaining 0 has cleared)
    4. if at − now is longer than the caller can wait: refuse, with retry_after = at − now;
       otherwise add `at` to both logs and wait until then
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime

from multidict import CIMultiDict, CIMultiDictProxy

from bot.ats.errors import RateLimited

WINDOW = 60.0
"""Seconds in Bindbee's rate-limit window."""

DEFAULT_RETRY_AFTER = 60.0
"""Seconds to wait after a 429 that says neither Retry-After nor X-RateLimit-Reset."""

LONGEST_WAIT = 3600.0
"""A per-minute limit never needs a longer wait; a header asking for more is clamped."""

Clock = Callable[[], float]

_requester: ContextVar[str | None] = ContextVar("bindbee_requester", default=None)


@contextmanager
def on_behalf_of(user: object) -> Iterator[None]:
    """Book the Bindbee requests made inside this block to `user`'s share of the budget.

    A context variable carries the user down to the budget, through lookups, coalescing and
    retries alike: a task started inside the block (a coalesced fetch) inherits it.
    """
    token = _requester.set(user if isinstance(user, str) and user else None)
    try:
        yield
    finally:
        _requester.reset(token)


def current_requester() -> str | None:
    """The user the current Bindbee request is for, if a listener said (`on_behalf_of`)."""
    return _requester.get()


@dataclass(frozen=True)
class RateLimitState:
    """What one response said about our rate limit (`X-RateLimit-*`); None where it said nothing."""

    limit: int | None
    remaining: int | None
    reset_at: float | None  # Unix seconds

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimitState | None:
        """Read the three headers, or None when the response carries none that is readable."""
        lowered = _lowered(headers)
        state = cls(
            limit=_count(lowered.get("x-ratelimit-limit")),
            remaining=_count(lowered.get("x-ratelimit-remaining")),
            reset_at=_seconds(lowered.get("x-ratelimit-reset")),
        )
        return None if state == _NOTHING else state


_NOTHING = RateLimitState(limit=None, remaining=None, reset_at=None)


def retry_after(headers: Mapping[str, str], *, now: float) -> float:
    """Seconds until a rate-limited caller may try again.

    `Retry-After` (seconds or an HTTP date), else `X-RateLimit-Reset` minus `now` (Unix
    seconds), else 60.
    """
    lowered = _lowered(headers)
    wait = _retry_after_header(lowered.get("retry-after"), now=now)
    if wait is None:
        reset_at = _seconds(lowered.get("x-ratelimit-reset"))
        wait = reset_at - now if reset_at is not None and reset_at > now else None
    return min(wait, LONGEST_WAIT) if wait is not None else DEFAULT_RETRY_AFTER


class RateBudget:
    """At most `per_minute` requests in any 60 seconds, kept in line with what Bindbee says,
    and at most `user_share` of them for any one user.

    No lock is needed: asyncio runs one coroutine at a time, and no method awaits, so each
    call completes without another one interleaving. (Use one budget per event loop.)
    """

    def __init__(
        self,
        per_minute: int,
        *,
        user_share: float = 1.0,
        clock: Clock = time.monotonic,
        wall_clock: Clock = time.time,
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        if not 0 < user_share <= 1:
            raise ValueError("user_share must be more than 0 and at most 1")
        self.per_minute = per_minute
        self.user_share = user_share
        self.limit = per_minute  # the limit in force: lowered by X-RateLimit-Limit
        self._clock = clock
        self._wall_clock = wall_clock  # only to turn Unix-time headers into our clock
        # Our sends in the current window, oldest first. Reservations are made in order, so
        # the log stays sorted; its last entries may lie in the future (callers still waiting).
        self._sends: deque[float] = deque()
        self._senders: deque[str | None] = deque()  # who each of _sends was for
        self._by_user: dict[str, deque[float]] = {}  # each user's own sends, oldest first
        self._blocked_until = -math.inf
        self._others = 0  # requests someone else made on this connector, as far as we know
        self._others_until = -math.inf

    @property
    def user_limit(self) -> int:
        """Sends one user may have in any 60 seconds: their share of the limit in force."""
        return max(1, math.floor(self.limit * self.user_share))

    @property
    def tracked_users(self) -> int:
        """How many users have sends in the window: the only ones the budget remembers."""
        return len(self._by_user)

    def reserve(self, max_wait: float, *, user: str | None = None) -> float:
        """Book one send for `user` (None: nobody in particular): return the seconds to wait
        first (0 = now), or raise RateLimited with the wait that this user faces."""
        now = self._clock()
        self._forget(now)
        at = self._earliest(self._user_free(user, now))
        if at - now > max_wait:
            raise RateLimited(retry_after=at - now)
        self._sends.append(at)
        self._senders.append(user)
        if user is not None:
            self._by_user.setdefault(user, deque()).append(at)
        return at - now

    def _user_free(self, user: str | None, now: float) -> float:
        """The earliest time ≥ now at which `user` is within their share."""
        own = self._by_user.get(user) if user is not None else None
        if own is None or len(own) < self.user_limit:
            return now
        return max(now, own[-self.user_limit] + WINDOW)

    def observe(self, status: int, headers: Mapping[str, str]) -> None:
        """Learn from a response's rate-limit headers (and its Retry-After on a 429)."""
        now, wall = self._clock(), self._wall_clock()
        lowered = _lowered(headers)
        state = RateLimitState.from_headers(lowered)
        if state is not None:
            if state.limit:
                self.limit = min(self.per_minute, state.limit)
            if state.remaining is not None:
                until = now + _reset_in(state.reset_at, wall=wall)
                self._compare_remaining(state.remaining, until=until, now=now)
        if status == 429:
            self._block_until(now + retry_after(lowered, now=wall))

    def _compare_remaining(self, remaining: int, *, until: float, now: float) -> None:
        """Bindbee's count of what is left until `until`, against ours."""
        if remaining == 0:
            self._block_until(until)
            return
        others = (self.limit - self._sent_by(now)) - remaining
        if others <= 0:
            return
        # Keep the highest count seen until the latest reset: out-of-order responses
        # must not make us forget usage we already know about.
        if now >= self._others_until:
            self._others = 0
        self._others = max(self._others, others)
        self._others_until = max(self._others_until, until)

    def _block_until(self, until: float) -> None:
        self._blocked_until = max(self._blocked_until, until)

    def _sent_by(self, now: float) -> int:
        """How many of our sends in the window are done by `now` (not still waiting)."""
        self._forget(now)
        waiting = 0
        for sent in reversed(self._sends):  # only the newest few can lie in the future
            if sent <= now:
                break
            waiting += 1
        return len(self._sends) - waiting

    def _forget(self, now: float) -> None:
        """Drop sends that have left the window."""
        while self._sends and self._sends[0] <= now - WINDOW:
            self._sends.popleft()
            user = self._senders.popleft()
            if user is not None:
                # A user's log is in the same order as ours, so this send is its oldest.
                own = self._by_user[user]
                own.popleft()
                if not own:
                    del self._by_user[user]

    def _earliest(self, now: float) -> float:
        """The earliest time ≥ now at which a send stays within every connector limit."""
        start = max(now, self._blocked_until, self._sends[-1] if self._sends else now)
        if start < self._others_until:
            shared = self._slot_free(start, self.limit - self._others)
            if shared < self._others_until:
                return shared
            start = self._others_until
        return self._slot_free(start, self.limit)

    def _slot_free(self, start: float, capacity: int) -> float:
        """The earliest time ≥ start with fewer than `capacity` of our sends in the window."""
        if capacity <= 0:
            return math.inf
        if len(self._sends) < capacity:
            return start
        # All logged sends are ≤ start, so the window ending at t holds fewer than
        # `capacity` of them once the capacity-th latest has left it.
        return max(start, self._sends[-capacity] + WINDOW)


def _lowered(headers: Mapping[str, str]) -> Mapping[str, str]:
    """Headers that answer to lower-case names."""
    if isinstance(headers, CIMultiDictProxy | CIMultiDict):
        return headers  # aiohttp's, already case-insensitive: no copy per response
    return {name.lower(): value for name, value in headers.items()}


def _count(value: str | None) -> int | None:
    """A non-negative whole number, or None when absent or malformed."""
    try:
        number = int((value or "").strip())
    except ValueError:
        return None
    return number if number >= 0 else None


def _seconds(value: str | None) -> float | None:
    """A finite, non-negative number of seconds, or None when absent or malformed."""
    try:
        number = float((value or "").strip())
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _retry_after_header(value: str | None, *, now: float) -> float | None:
    """Retry-After as seconds, whether given as seconds or as an HTTP date (RFC 9110)."""
    seconds = _seconds(value)
    if seconds is not None or not value:
        return seconds
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000" means UTC with no zone named (RFC 5322)
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)  # a date in the past means "now"


def _reset_in(reset_at: float | None, *, wall: float) -> float:
    """Seconds until X-RateLimit-Reset; a whole window when Bindbee did not say."""
    if reset_at is None:
        return WINDOW
    return min(max(0.0, reset_at - wall), LONGEST_WAIT)
