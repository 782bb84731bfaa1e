"""Outcomes as JSON: a candidate or an error comes back as itself, and garbage as BadResponse."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.ats import outcomes
from bot.ats.errors import (
    AmbiguousRemoteId,
    AtsError,
    AuthRefused,
    BadResponse,
    InvalidId,
    NotFound,
    RateLimited,
    Unavailable,
    UnknownLink,
)
from bot.ats.models import Candidate
from bot.core.policy import retained
from tests.core.cards.samples import pipeline, pipeline_unreadable
from tests.fakes.payloads import FULL


def test_a_candidate_comes_back_equal() -> None:
    candidate = Candidate.from_payload(FULL)
    assert outcomes.decode(outcomes.encode(candidate)) == candidate


@pytest.mark.parametrize(
    "error",
    [
        NotFound("Bindbee has no such candidate (404)"),
        AmbiguousRemoteId("several candidates have this ATS id"),
        AuthRefused("refused"),
        Unavailable("Bindbee answered 503"),
        RateLimited(12.5, "retry after 13 s"),
        InvalidId("not an id"),
        UnknownLink("https://example.com"),
        BadResponse("not JSON"),
    ],
)
def test_an_error_comes_back_as_its_own_class(error: AtsError) -> None:
    back = outcomes.decode(outcomes.encode(error))
    assert type(back) is type(error)
    assert (back.kind, back.detail) == (error.kind, error.detail)
    if isinstance(error, RateLimited):
        assert isinstance(back, RateLimited)
        assert back.retry_after == error.retry_after


@given(st.text(max_size=200))
def test_anything_else_is_a_bad_response(text: str) -> None:
    decoded = outcomes.decode(text)
    assert isinstance(decoded, Candidate | AtsError)


def test_a_candidate_keeps_its_pipeline_through_json() -> None:
    # what the cache and other instances (Redis) get: what the policy lets a cache keep
    for candidate in (retained(pipeline()), retained(pipeline_unreadable())):
        assert outcomes.decode(outcomes.encode(candidate)) == candidate
