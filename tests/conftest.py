"""Shared test setup: hypothesis profile and the fake servers as fixtures."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from bot.config import Settings

pytest_plugins = ["tests.harness", "tests.services.fixtures", "tests.services.postgres"]

# Property tests run on shared 2-core machines: no wall-clock deadline, a fixed budget of
# examples, and the same examples on every run so that CI cannot fail by chance.
# HYPOTHESIS_PROFILE=explore searches wider and at random, to hunt for new failures.
_common: dict[str, Any] = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("default", max_examples=150, derandomize=True, **_common)
settings.register_profile("explore", max_examples=2000, **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def _no_outside_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the developer's own environment and .env out of every test."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env in the working directory
