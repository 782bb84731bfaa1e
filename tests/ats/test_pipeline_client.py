"""Applications, jobs, stages and reject reasons: the client's requests and the models' reading
of both answer shapes, however loose."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.ats.client import APPLICATIONS, JOBS, REJECT_REASONS, BindbeeClient
from bot.ats.errors import BadResponse, InvalidId
from bot.ats.models import (
    Application,
    Job,
    RejectReason,
    Stage,
    parse_applications,
    parse_records,
)
from tests.fakes import payloads
from tests.fakes.bindbee import FakeBindbee, seed_pipeline

CANDIDATE_ID = payloads.FULL["id"]


@pytest.fixture
async def client(fake: FakeBindbee) -> AsyncIterator[BindbeeClient]:
    seed_pipeline(fake, CANDIDATE_ID)
    async with BindbeeClient(
        base_url=fake.url,
        api_key=FakeBindbee.API_KEY,
        connector_token=FakeBindbee.CONNECTOR_TOKEN,
        max_attempts=1,
    ) as bindbee:
        yield bindbee


async def test_applications_are_asked_for_one_candidate_expanded_in_one_page(
    fake: FakeBindbee, client: BindbeeClient
) -> None:
    body = await client.fetch_applications(CANDIDATE_ID)
    [request] = fake.requests
    assert request.path == APPLICATIONS
    assert request.query == {
        "candidate": CANDIDATE_ID,
        "expand": "job,current_stage,reject_reason",
        "page_size": "100",
    }
    applications, more = parse_applications(body, CANDIDATE_ID)
    assert len(applications) == 2
    assert not more


async def test_applications_of_an_implausible_id_are_never_asked_for(
    fake: FakeBindbee, client: BindbeeClient
) -> None:
    with pytest.raises(InvalidId):
        await client.fetch_applications("../jobs")
    assert fake.requests == []


async def test_jobs_and_stages_come_in_one_request_each(
    fake: FakeBindbee, client: BindbeeClient
) -> None:
    ids = [payloads.JOB_OPEN["id"], payloads.JOB_CONFIDENTIAL["id"], payloads.JOB_OPEN["id"]]
    jobs = await client.get_jobs([*ids, "not,an id"])
    assert [job.id for job in jobs] == ids[:2]
    assert jobs[1].confidential is True
    stages = await client.get_stages([payloads.STAGE_ONSITE["id"]])
    assert [(s.name, s.stage_order) for s in stages] == [("Onsite", 3)]
    assert [r.query["ids"] for r in fake.requests] == [",".join(ids[:2]), stages[0].id]
    assert fake.requests[0].query["page_size"] == "2"
    assert await client.get_jobs(["bad id"]) == []  # nothing plausible: nothing sent
    assert len(fake.requests) == 2


async def test_jobs_bindbee_did_not_ask_for_are_ignored(
    fake: FakeBindbee, client: BindbeeClient
) -> None:
    fake.body({"cursor": None, "page_size": 3, "items": list(payloads.JOBS)}, path_contains=JOBS)
    jobs = await client.get_jobs([payloads.JOB_OPEN["id"]])
    assert [job.id for job in jobs] == [payloads.JOB_OPEN["id"]]


async def test_reject_reasons_come_in_one_request_by_ids(
    fake: FakeBindbee, client: BindbeeClient
) -> None:
    unknown = "018f3c2c-0201-7a00-8c3e-000000000000"
    reasons = await client.get_reject_reasons([payloads.REASON_FIT["id"], unknown, "a/b"])
    assert reasons == [RejectReason(id=payloads.REASON_FIT["id"], name="Not a good fit")]
    [request] = fake.requests
    assert request.path == REJECT_REASONS
    assert request.query["ids"] == f"{payloads.REASON_FIT['id']},{unknown}"  # "a/b" never sent


@pytest.mark.parametrize(
    "body",
    [None, [], "text", {"items": None}, {"items": "x"}, {"items": [1, 2]}, {"cursor": None}],
)
def test_a_body_that_is_not_a_page_of_applications_is_a_bad_response(body: object) -> None:
    with pytest.raises(BadResponse):
        parse_applications(body, CANDIDATE_ID)


def test_both_shapes_read_the_same() -> None:
    bare = payloads.applications(CANDIDATE_ID)[1]
    expanded = bare | {
        "job": payloads.JOB_CONFIDENTIAL,
        "current_stage": payloads.STAGE_SCREEN,
        "reject_reason": payloads.REASON_FIT,
        "candidate": {"id": CANDIDATE_ID, "first_name": "Amara"},
    }
    from_ids = Application.read(bare)
    from_objects = Application.read(expanded)
    assert from_ids.unresolved() == (
        payloads.JOB_CONFIDENTIAL["id"],
        payloads.STAGE_SCREEN["id"],
        payloads.REASON_FIT["id"],
    )
    assert from_objects.unresolved() == (None, None, None)
    resolved = from_ids.with_references(
        {payloads.JOB_CONFIDENTIAL["id"]: Job.read(payloads.JOB_CONFIDENTIAL)},
        {payloads.STAGE_SCREEN["id"]: Stage.read(payloads.STAGE_SCREEN)},
        {payloads.REASON_FIT["id"]: RejectReason.read(payloads.REASON_FIT)},
    )
    assert resolved == from_objects
    assert from_objects.candidate == CANDIDATE_ID


def test_every_field_may_be_null_or_odd() -> None:
    nulls = Application.read(dict.fromkeys(payloads.applications(CANDIDATE_ID)[0]))
    assert nulls == Application()
    odd = Application.read(
        {
            "id": 7,
            "job": {"name": ["x"], "confidential": "perhaps", "status": "ON_HOLD"},
            "current_stage": {"name": "Onsite", "stage_order": "three"},
            "applied_at": "last week",
            "rejected_at": 1700000000,
            "source": {"name": "LinkedIn"},
        }
    )
    assert odd.id == "7"
    assert odd.job == Job(status="ON_HOLD")  # an unclear confidential flag reads as unknown
    assert odd.current_stage == Stage(name="Onsite")
    assert (odd.applied_at, odd.rejected_at, odd.source) == (None, None, None)


def test_list_records_without_an_id_are_dropped() -> None:
    page = {"cursor": None, "page_size": 3, "items": [{"name": "x"}, "junk", payloads.JOB_OPEN]}
    assert [job.id for job in parse_records(page, Job, "jobs")] == [payloads.JOB_OPEN["id"]]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)
FIELDS = ["id", "candidate", "job", "current_stage", "reject_reason"]
FIELDS += ["applied_at", "rejected_at", "source"]


@given(st.dictionaries(st.sampled_from(FIELDS), json_values))
def test_reading_an_application_never_fails(payload: dict[str, Any]) -> None:
    application = Application.read(payload)
    for related in application.unresolved():
        assert related is None or isinstance(related, str)
