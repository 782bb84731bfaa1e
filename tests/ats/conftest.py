"""Fixtures for the Bindbee client tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes import fixtures
from tests.fakes.bindbee import FakeBindbee


@pytest.fixture
def fake() -> Iterator[FakeBindbee]:
    """A fake Bindbee serving every fixture candidate."""
    with FakeBindbee() as server:
        for payload in fixtures.ALL:
            server.add(payload)
        yield server
