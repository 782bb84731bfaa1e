"""Fixtures: a Redis for the tests, with a key prefix of each test's own."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.services import unavailable
from tests.services.redis_server import RedisServer, answers

MACHINE_REDIS = "redis://127.0.0.1:6379/15"
"""The machine's own Redis, on a database of the tests' own, when no redis-server can start."""


@pytest.fixture(scope="session")
def redis_session_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | None]:
    """A Redis for the whole session: our own redis-server if installed, else the machine's."""
    given = os.environ.get("REDIS_TEST_URL")
    if given:
        yield given if answers(given) else None
        return
    if RedisServer.binary() is not None:
        server = RedisServer(tmp_path_factory.mktemp("redis"))
        server.start()
        yield server.url
        server.stop()
        return
    yield MACHINE_REDIS if answers(MACHINE_REDIS) else None


@pytest.fixture
def redis_url(redis_session_url: str | None, redis_prefix: str) -> Iterator[str]:
    """A Redis URL; every key the test writes starts with `redis_prefix` and is deleted after."""
    if redis_session_url is None:
        unavailable(
            "no Redis: install redis-server, run one on 127.0.0.1:6379, or set REDIS_TEST_URL"
        )
    yield redis_session_url
    _delete(redis_session_url, redis_prefix)


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix of this test's own."""
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of this test's own, which it may stop and restart."""
    if RedisServer.binary() is None:
        unavailable("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


def _delete(url: str, prefix: str) -> None:
    client = redis.Redis.from_url(url, socket_timeout=2)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
