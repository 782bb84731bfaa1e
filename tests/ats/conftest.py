"""Fixtures for the Bindbee client tests."""

from __future__ import annotations

import pytest

from tests.fakes import payloads
from tests.fakes.bindbee import FakeBindbee


@pytest.fixture
def fake(bindbee: FakeBindbee) -> FakeBindbee:
    """The run's fake Bindbee, cleared, serving every payload candidate."""
    for payload in payloads.ALL:
        bindbee.add(payload)
    return bindbee
