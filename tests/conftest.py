"""Shared test setup: hypothesis profile and the fake servers as fixtures."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# Property tests run on shared 2-core machines: no wall-clock deadline, a fixed budget of examples.
settings.register_profile(
    "default",
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("default")
