"""Real services for the tests that need them (Redis, PostgreSQL), started or found here.

Where a service cannot be had, those tests skip with the reason; with
CI_REQUIRE_SERVICES=1 (set by .ci/run) the skip becomes a failure, so CI cannot pass
without running them.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def unavailable(reason: str) -> NoReturn:
    """Skip the test for `reason`, or fail it when CI requires every service."""
    if os.environ.get("CI_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (CI_REQUIRE_SERVICES=1: a missing service is a failure)")
    pytest.skip(reason)
