"""Fixtures: a PostgreSQL database of the test run's own, and a database URL per backend.

The machine's PostgreSQL (127.0.0.1:5432, trust auth, user postgres) or POSTGRES_TEST_URL
(a URL to a server's maintenance database) is used. One database is created for the
whole run and dropped at its end; each test starts on an empty schema.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine

from tests.services import unavailable

MACHINE_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
CONNECT_SECONDS = 3.0


def _admin_url() -> str:
    return os.environ.get("POSTGRES_TEST_URL", MACHINE_POSTGRES)


async def _execute(url: str, *statements: str) -> None:
    engine = create_async_engine(
        url.replace("postgresql://", "postgresql+asyncpg://", 1),
        isolation_level="AUTOCOMMIT",  # CREATE and DROP DATABASE refuse to run in a transaction
        connect_args={"timeout": CONNECT_SECONDS},
    )
    try:
        async with engine.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


def _with_database(url: str, database: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + database


@pytest.fixture(scope="session")
def postgres_session_url() -> Iterator[str | None]:
    """The URL of a database created for this test run (None when no server answers)."""
    admin = _admin_url()
    database = f"candidate_lookup_test_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_execute(admin, f'CREATE DATABASE "{database}"'))
    except (OSError, SQLAlchemyError, TimeoutError):
        yield None
        return
    yield _with_database(admin, database)
    asyncio.run(_execute(admin, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


@pytest.fixture
def postgres_url(postgres_session_url: str | None) -> Iterator[str]:
    """A `postgresql://` URL to the run's database, with an empty schema for this test."""
    if postgres_session_url is None:
        unavailable(
            f"no PostgreSQL answers at {_admin_url().split('@')[-1]}: start one "
            "(pg_ctlcluster 15 main start) or set POSTGRES_TEST_URL"
        )
    yield postgres_session_url
    asyncio.run(
        _execute(postgres_session_url, "DROP SCHEMA public CASCADE", "CREATE SCHEMA public")
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """DATABASE_URL for each backend the app supports: a SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'workspaces.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url
