"""Logging that carries ids, outcomes and timings, and never personal data or tokens."""

from __future__ import annotations

import logging
import sys
import traceback

# Libraries that would log request bodies (candidate data) or URLs at DEBUG/INFO.
_QUIET = ("slack_sdk", "slack_bolt", "aiohttp.access", "httpx", "httpcore", "asyncio")


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
