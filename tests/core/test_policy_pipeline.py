"""The policy's rules for applications: status, confidential jobs, what each view keeps."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ats.models import Application, Candidate, Job, Pipeline
from bot.core.policy import (
    MAX_APPLICATIONS,
    Disclosure,
    PrivateNotice,
    Status,
    View,
    application_status,
    disclose,
    is_confidential,
    retained,
)
from tests.core.cards import samples
from tests.strategies import candidates


def app(**fields: object) -> Application:
    return Application.read({"id": "a", **fields})


def shown(candidate: Candidate, view: View) -> Disclosure:
    decision = disclose(candidate, view)
    assert isinstance(decision, Disclosure)
    assert decision.pipeline is not None
    return decision


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({}, Status.ACTIVE),
        ({"rejected_at": "2024-01-01T00:00:00Z"}, Status.REJECTED),
        ({"reject_reason": "reason-1"}, Status.REJECTED),
        ({"reject_reason": {"id": "r", "name": "Not a fit"}}, Status.REJECTED),
        ({"rejected_at": "not a date"}, Status.ACTIVE),  # unreadable counts as absent
    ],
)
def test_rejected_means_a_rejection_date_or_reason(
    fields: dict[str, object], status: Status
) -> None:
    assert application_status(app(**fields)) is status


@pytest.mark.parametrize(
    ("job", "confidential"),
    [
        (Job(id="j", name="x", confidential=True), True),
        (Job(id="j", name="x", confidential=None), True),  # unclear counts as confidential
        (Job(id="j", name="x", confidential=False), False),
        ("job-id", False),  # an unresolved id names nothing
        (None, False),
    ],
)
def test_confidential_means_true_or_unknown(job: Job | str | None, confidential: bool) -> None:
    assert is_confidential(job) is confidential


@pytest.mark.parametrize("view", list(View))
def test_confidential_jobs_lose_their_name_in_every_view_and_keep_their_stage(view: View) -> None:
    decision = shown(samples.pipeline(), view)
    assert decision.pipeline is not None
    for application in decision.pipeline.applications:
        assert application.job not in (samples.CONFIDENTIAL_JOB, samples.UNFLAGGED_JOB)
        if application.confidential:
            assert application.job is None
            assert application.stage


def test_the_requester_view_keeps_five_most_recent_first_with_every_field() -> None:
    pipeline = shown(samples.pipeline(), View.REQUESTER).pipeline
    assert pipeline is not None
    assert len(pipeline.applications) == MAX_APPLICATIONS
    assert pipeline.more == 2
    applied = [a.applied_at for a in pipeline.applications]
    assert applied == sorted(applied, reverse=True)  # type: ignore[type-var]
    rejected = pipeline.applications[1]
    assert rejected.status is Status.REJECTED
    assert rejected.rejected_at == datetime(2021, 8, 20, tzinfo=UTC)
    assert rejected.reject_reason == "Not a good fit"
    assert rejected.source == "Referral"


def test_applications_without_a_date_come_last() -> None:
    dated = app(id="b", applied_at="2020-01-01T00:00:00Z")
    candidate = samples.full().model_copy(
        update={"pipeline": Pipeline(applications=(app(id="a"), dated))}
    )
    pipeline = shown(candidate, View.REQUESTER).pipeline
    assert pipeline is not None
    assert [a.applied_at is None for a in pipeline.applications] == [False, True]


@pytest.mark.parametrize("view", [View.CHANNEL, View.UNFURL])
def test_other_views_keep_no_source_reason_or_applied_date(view: View) -> None:
    pipeline = shown(samples.pipeline(), view).pipeline
    assert pipeline is not None
    for application in pipeline.applications:
        assert (application.source, application.reject_reason, application.applied_at) == (
            None,
            None,
            None,
        )


def test_the_unfurl_keeps_the_most_recent_active_application_only() -> None:
    pipeline = shown(samples.pipeline(), View.UNFURL).pipeline
    assert pipeline is not None
    [only] = pipeline.applications
    assert (only.job, only.stage, only.status) == ("Platform Engineer", "Onsite", Status.ACTIVE)
    assert pipeline.more == 6


def test_a_private_candidate_shows_no_pipeline() -> None:
    secret = samples.pipeline().model_copy(update={"is_private": True})
    for view in View:
        assert isinstance(disclose(secret, view), PrivateNotice)
    assert retained(secret).pipeline is None


def test_the_cache_keeps_no_confidential_job_name() -> None:
    kept = retained(samples.pipeline())
    assert kept.pipeline is not None
    dumped = kept.model_dump_json()
    assert samples.CONFIDENTIAL_JOB not in dumped
    assert samples.UNFLAGGED_JOB not in dumped
    assert "Platform Engineer" in dumped
    assert retained(kept) == kept  # keeping what was kept changes nothing


def test_with_emails_hidden_an_email_in_a_source_is_scrubbed() -> None:
    referred = app(source="referred by jane@doe.test", reject_reason={"name": "mail x@y.test"})
    candidate = samples.no_email().model_copy(
        update={"pipeline": Pipeline(applications=(referred,))}
    )
    pipeline = shown(candidate, View.REQUESTER).pipeline
    assert pipeline is not None
    [shown_app] = pipeline.applications
    assert shown_app.source == "referred by [hidden]"
    assert shown_app.reject_reason == "mail [hidden]"


@settings(max_examples=60)  # each example is large: a candidate and its applications
@given(candidates(is_private=st.just(False), with_pipeline=True))
def test_no_view_ever_names_a_confidential_job(candidate: Candidate) -> None:
    for view in View:
        decision = disclose(candidate, view)
        assert isinstance(decision, Disclosure)
        assert candidate.pipeline is not None
        assert decision.candidate.pipeline is not None
        for kept in decision.candidate.pipeline.applications:
            assert not (isinstance(kept.job, Job) and is_confidential(kept.job) and kept.job.name)
        assert decision.pipeline is not None
        for application in decision.pipeline.applications:
            assert not (application.confidential and application.job is not None)
