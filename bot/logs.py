"""Logging that carries ids, outcomes and timings, and never personal data or tokens."""

from __future__ import annotations

import logging
import sys
import time
import traceback

# Libraries that would log request bodies (candidate data, tokens), URLs or SQL parameters
# (installations hold bot tokens) at DEBUG/INFO.
_QUIET = (
    "slack_sdk",
    "slack_bolt",
    "aiohttp.access",
    "asyncio",
    "aiosqlite",
    "sqlalchemy",
    "asyncpg",
)


def configure_logging(level: str) -> None:
    """Log to stderr at `level`; chatty third-party loggers stay at WARNING."""
    logging.basicConfig(
        level=level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        force=True,
    )
    quiet_libraries()


def quiet_libraries() -> None:
    """Keep libraries that log request bodies or URLs at WARNING, whatever LOG_LEVEL says."""
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)


def log_unexpected(logger: logging.Logger, what: str, exc: BaseException) -> None:
    """Log an unexpected exception with its trace but without its message.

    An exception's message may quote the data it choked on (a name, an email), so only
    its type and the stack frames are written.
    """
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("%s failed: %s\n%s", what, type(exc).__name__, frames.rstrip())


LOGGED_VALUE_LIMIT = 80
"""Characters of one request value a log line keeps; the rest is cut."""

# Characters a value may keep as they are: enough for Slack ids, timestamps, UUIDs and
# error codes. Everything else (spaces, "=", newlines, control and non-ASCII characters)
# is escaped, so that no value can end a log line early or pose as another `key=value`.
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/@+-")


def loggable(value: object, limit: int = LOGGED_VALUE_LIMIT) -> str:
    """A request value made safe for a log line: cut to `limit` characters, then escaped.

    Every value that comes from a request (ids, button values, team and user ids) goes
    through this before it is logged. `-` stands for a missing or empty value.
    """
    if value is None:
        return "-"
    text = value if isinstance(value, str) else str(value)
    cut = text[:limit]
    escaped = "".join(char if char in _PLAIN else _escape(char) for char in cut)
    if len(text) > limit:
        escaped += f"...(+{len(text) - limit})"
    return escaped or "-"


def _escape(char: str) -> str:
    """`\\xNN`, `\\uNNNN` or `\\UNNNNNNNN`: the character's code point, in ASCII."""
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def elapsed_ms(started: float) -> int:
    """Whole milliseconds since `started` (a time.monotonic() reading), for timed log lines."""
    return int((time.monotonic() - started) * 1000)
