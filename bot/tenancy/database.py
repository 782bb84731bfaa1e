"""DATABASE_URL as users write it, turned into an async SQLAlchemy engine.

    sqlite:///candidate-lookup.db           → sqlite+aiosqlite:///candidate-lookup.db
    postgresql://user:pass@host:5432/db     → postgresql+asyncpg://user:pass@host:5432/db
    postgres://…                            → the same (Heroku writes it so)

The SQLite3 and file stores that slack_sdk also ships block the event loop, so the app uses
its SQLAlchemy stores on these async drivers (https://docs.sqlalchemy.org/en/20/orm/extensions/asyncio.html).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


def async_url(url: str) -> str:
    """The URL with its async driver; ValueError (never quoting the URL) when it is not one."""
    scheme, sep, rest = url.strip().partition("://")
    driver = _DRIVERS.get(scheme.lower())
    if not sep or driver is None:
        raise ValueError("must start with sqlite:///, postgresql:// or postgres://")
    converted = f"{driver}://{rest}"
    # Imported here: the settings check every DATABASE_URL, and one workspace alone (which
    # uses none) should not load SQLAlchemy for that.
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(converted)
    except ArgumentError:
        raise ValueError("is not a database URL") from None
    if driver.startswith("sqlite") and not parsed.database:
        raise ValueError("needs a file: sqlite:///path/to/file.db")
    return converted


def create_engine(url: str) -> AsyncEngine:
    """An async engine for DATABASE_URL; pool_pre_ping drops connections the server closed."""
    # hide_parameters: a failed INSERT must not put a bot token into an error or a log line
    # (https://docs.sqlalchemy.org/en/20/core/engines.html#sqlalchemy.create_engine.params.hide_parameters).
    from sqlalchemy.ext.asyncio import create_async_engine

    return create_async_engine(async_url(url), pool_pre_ping=True, hide_parameters=True)


def describe(url: str) -> str:
    """The URL without its password, fit to print."""
    from sqlalchemy.engine import make_url

    return make_url(async_url(url)).render_as_string(hide_password=True)
