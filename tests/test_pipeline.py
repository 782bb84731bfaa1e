"""The pipeline through Lookups and the real client, against the fake Bindbee over HTTP:
request counts, both answer shapes, private candidates, partial failure and the deadline."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.ats.client import APPLICATIONS, CANDIDATES, JOBS, REJECT_REASONS, STAGES, BindbeeClient
from bot.ats.models import Candidate, Job, Pipeline, RejectReason, Stage
from bot.core.policy import Status, application_status, is_confidential
from bot.lookups import LookupKey, Lookups
from tests.fakes import payloads
from tests.fakes.bindbee import FakeBindbee, seed_pipeline

pytestmark = pytest.mark.timeout(30)

CANDIDATE = payloads.FULL
OTHER = payloads.variant(payloads.FULL, id="018f3c2a-7b1e-7d42-9a63-5c0e8b2f4a99", remote_id="77")
BY_ID = LookupKey("id", CANDIDATE["id"])


@pytest.fixture
def fake() -> Iterator[FakeBindbee]:
    """A fake Bindbee with two candidates who applied to the same jobs."""
    with FakeBindbee() as server:
        for payload in (CANDIDATE, OTHER, payloads.PRIVATE):
            server.add(payload)
            seed_pipeline(server, payload["id"])
        yield server


@pytest.fixture
async def client(fake: FakeBindbee) -> AsyncIterator[BindbeeClient]:
    """The real client, pointed at the fake, with a short deadline."""
    async with BindbeeClient(
        base_url=fake.url,
        api_key=FakeBindbee.API_KEY,
        connector_token=FakeBindbee.CONNECTOR_TOKEN,
        deadline=2.0,
        backoff_base=0.01,
    ) as bindbee:
        yield bindbee
        for lookups in _made:
            await lookups.aclose()  # a reference fetch may outlive its card: stop it
        _made.clear()


_made: list[Lookups] = []


def lookups_for(client: BindbeeClient, **options: float) -> Lookups:
    """Lookups as the app builds them: the client is the source of both."""
    lookups = Lookups(client, pipeline=client, **options)  # type: ignore[arg-type]
    _made.append(lookups)
    return lookups


def _pipeline_of(candidate: Candidate) -> list[tuple[object, object, Status]]:
    assert candidate.pipeline is not None
    assert candidate.pipeline.problem is None
    return [
        (app.job, app.current_stage, application_status(app))
        for app in candidate.pipeline.applications
    ]


def _ats_paths(fake: FakeBindbee) -> list[str]:
    return [request.path for request in fake.requests]


@pytest.mark.parametrize("expand", [True, False], ids=["expanded", "bare_ids"])
async def test_both_answer_shapes_give_the_same_pipeline(
    fake: FakeBindbee, client: BindbeeClient, expand: bool
) -> None:
    fake.expand = expand
    lookups = lookups_for(client)
    candidate = await lookups.fetch(BY_ID)
    assert candidate.pipeline is not None
    assert not candidate.pipeline.gaps
    [active, rejected] = sorted(
        candidate.pipeline.applications, key=lambda app: application_status(app)
    )
    assert application_status(active) is Status.ACTIVE
    assert isinstance(active.job, Job)
    assert active.job.name == payloads.JOB_OPEN["name"]
    assert isinstance(active.current_stage, Stage)
    assert active.current_stage.name == "Onsite"
    assert application_status(rejected) is Status.REJECTED
    assert isinstance(rejected.reject_reason, RejectReason)
    assert rejected.reject_reason.name == "Not a good fit"
    assert is_confidential(rejected.job)
    # no cache keeps the name of a confidential job
    for cached in lookups.cached_entries().values():
        assert payloads.JOB_CONFIDENTIAL["name"] not in cached.model_dump_json()


async def test_expanded_answers_cost_two_requests_cold_and_none_from_the_cache(
    fake: FakeBindbee, client: BindbeeClient
) -> None:
    lookups = lookups_for(client)
    await lookups.fetch(BY_ID)
    assert sorted(_ats_paths(fake)) == sorted([f"{CANDIDATES}/{CANDIDATE['id']}", APPLICATIONS])
    fake.clear()
    await lookups.fetch(BY_ID)  # the card again: the lookup cache
    assert fake.requests == []


async def test_bare_ids_cost_five_requests_cold_and_two_once_references_are_cached(
    fake: FakeBindbee, client: BindbeeClient
) -> None:
    fake.expand = False
    lookups = lookups_for(client)
    await lookups.fetch(BY_ID)
    # candidate, applications, then jobs, stages and the one reject reason, all at once
    assert sorted(_ats_paths(fake)) == sorted(
        [
            f"{CANDIDATES}/{CANDIDATE['id']}",
            APPLICATIONS,
            JOBS,
            STAGES,
            REJECT_REASONS,
        ]
    )
    fake.clear()
    # another candidate in the same jobs: warm references, so only candidate + applications
    await lookups.fetch(LookupKey("id", OTHER["id"]))
    assert sorted(_ats_paths(fake)) == sorted([f"{CANDIDATES}/{OTHER['id']}", APPLICATIONS])


async def test_without_a_reject_reason_bare_ids_cost_at_most_four(
    fake: FakeBindbee, client: BindbeeClient
) -> None:
    fake.expand = False
    for app_id, payload in list(fake.applications.items()):
        fake.applications[app_id] = payload | {"reject_reason": None}
    await lookups_for(client).fetch(BY_ID)
    assert len(fake.requests) == 4
    assert fake.count(JOBS) == fake.count(STAGES) == 1  # both jobs in one request, stages too


async def test_any_number_of_reject_reasons_costs_one_request(
    fake: FakeBindbee, client: BindbeeClient
) -> None:
    fake.expand = False
    other_reason = {"id": "018f3c2c-0202-7a00-8c3e-2f7d9e0a1c22", "name": "Chose another offer"}
    fake.add_reference("reject_reasons", other_reason)
    mine = [i for i, p in fake.applications.items() if p.get("candidate") == CANDIDATE["id"]]
    for app_id in mine:  # both applications rejected, for different reasons
        if fake.applications[app_id].get("reject_reason") is None:
            fake.applications[app_id] = fake.applications[app_id] | {
                "reject_reason": other_reason["id"],
                "rejected_at": "2024-06-01T00:00:00Z",
            }  # a new dict: the seeded one may be shared with other tests
    candidate = await lookups_for(client).fetch(BY_ID)
    assert len(fake.requests) == 5  # candidate, applications, jobs, stages, both reasons
    [reasons] = [r for r in fake.requests if r.path == REJECT_REASONS]
    assert len(reasons.query["ids"].split(",")) == 2
    assert candidate.pipeline is not None
    names = {
        app.reject_reason.name
        for app in candidate.pipeline.applications
        if isinstance(app.reject_reason, RejectReason)
    }
    assert names == {"Not a good fit", "Chose another offer"}


async def test_candidate_and_applications_are_fetched_at_the_same_time(
    fake: FakeBindbee, client: BindbeeClient
) -> None:
    fake.delay(0.4, path_contains=CANDIDATES)
    fake.delay(0.4, path_contains=APPLICATIONS)
    started = time.monotonic()
    await lookups_for(client).fetch(BY_ID)
    [first, second] = fake.requests
    assert second.started < first.finished  # the second went out before the first came back
    assert time.monotonic() - started < 0.75  # generous: one wait of 0.4 s, not two


async def test_concurrent_cards_share_one_request_per_reference(
    fake: FakeBindbee, client: BindbeeClient
) -> None:
    fake.expand = False
    fake.delay(0.3, path_contains=JOBS)
    lookups = lookups_for(client)
    await asyncio.gather(lookups.fetch(BY_ID), lookups.fetch(LookupKey("id", OTHER["id"])))
    assert fake.count(JOBS) == fake.count(STAGES) == fake.count(REJECT_REASONS) == 1


async def test_references_live_for_their_own_ttl(fake: FakeBindbee, client: BindbeeClient) -> None:
    fake.expand = False
    lookups = lookups_for(client, ttl=0, reference_ttl=0)
    await lookups.fetch(BY_ID)
    await lookups.fetch(BY_ID)
    assert fake.count(JOBS) == 2  # REFERENCE_CACHE_TTL=0 turns that cache off too


async def test_a_private_candidate_by_link_has_no_application_fetched(
    fake: FakeBindbee, client: BindbeeClient
) -> None:
    fake.expand = False
    found = await lookups_for(client).fetch(LookupKey("remote_id", payloads.PRIVATE["remote_id"]))
    assert found.is_private
    assert found.pipeline is None
    assert _ats_paths(fake) == [CANDIDATES]  # only the candidate: nothing after it


async def test_a_private_candidates_applications_fetched_at_once_are_dropped_unread(
    fake: FakeBindbee, client: BindbeeClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.expand = False
    lookups = lookups_for(client)
    found = await lookups.fetch(LookupKey("id", payloads.PRIVATE["id"]))
    await asyncio.sleep(0.1)  # give a request in flight the time to finish, if it went on
    assert found.is_private
    assert found.pipeline is None
    # The applications went out with the candidate; nothing they name was ever asked for.
    assert fake.count(APPLICATIONS) <= 1
    assert fake.count(JOBS) == fake.count(STAGES) == fake.count(REJECT_REASONS) == 0
    for cached in lookups.cached_entries().values():
        assert cached.pipeline is None
    assert lookups.references is not None
    assert lookups.references.jobs.cached_ids() == set()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for app in payloads.applications(payloads.PRIVATE["id"]):
        assert app["id"] not in logged
        assert app["job"] not in logged


async def test_a_private_candidates_slow_applications_are_cancelled(
    fake: FakeBindbee, client: BindbeeClient
) -> None:
    fake.delay(1.5, path_contains=APPLICATIONS)
    started = time.monotonic()
    found = await lookups_for(client).fetch(LookupKey("id", payloads.PRIVATE["id"]))
    assert found.is_private
    assert time.monotonic() - started < 1.0  # not held back by the applications


@pytest.mark.parametrize("fault", ["503", "html", "invalid_json", "not_a_page", "reset"])
async def test_unreadable_applications_leave_the_card_with_a_note(
    fake: FakeBindbee, client: BindbeeClient, fault: str
) -> None:
    if fault == "503":
        fake.fail(10, 503, path_contains=APPLICATIONS)
    elif fault == "html":
        fake.html(path_contains=APPLICATIONS)
    elif fault == "invalid_json":
        fake.invalid_json(path_contains=APPLICATIONS)
    elif fault == "not_a_page":
        fake.body({"items": "nothing"}, path_contains=APPLICATIONS)
    else:
        fake.reset(10, path_contains=APPLICATIONS)  # aiohttp itself retries a reset connection once
    candidate = await lookups_for(client).fetch(BY_ID)
    assert candidate.first_name == CANDIDATE["first_name"]
    assert candidate.pipeline is not None
    assert candidate.pipeline.problem in {"unavailable", "bad_response"}
    assert candidate.pipeline.applications == ()


async def test_a_card_without_its_pipeline_is_not_cached(
    fake: FakeBindbee, client: BindbeeClient
) -> None:
    fake.html(path_contains=APPLICATIONS)
    lookups = lookups_for(client)
    assert (await lookups.fetch(BY_ID)).pipeline == Pipeline.unreadable("bad_response")
    assert lookups.cached_entries() == {}
    # so the next card asks again, and gets the pipeline
    assert _pipeline_of(await lookups.fetch(BY_ID))


async def test_slow_applications_end_at_the_lookup_deadline(
    fake: FakeBindbee, client: BindbeeClient
) -> None:
    fake.delay(5, path_contains=APPLICATIONS)
    started = time.monotonic()
    candidate = await lookups_for(client, deadline=1.0).fetch(BY_ID)
    elapsed = time.monotonic() - started
    assert candidate.first_name == CANDIDATE["first_name"]
    assert candidate.pipeline is not None
    assert candidate.pipeline.problem == "timeout"
    assert 0.9 < elapsed < 1.8  # the deadline, not the 5 s the applications would take


async def test_unresolvable_references_show_as_gaps(
    fake: FakeBindbee, client: BindbeeClient
) -> None:
    fake.expand = False
    fake.fail(3, 503, path_contains=JOBS)
    candidate = await lookups_for(client).fetch(BY_ID)
    assert candidate.pipeline is not None
    assert candidate.pipeline.problem is None
    assert candidate.pipeline.gaps
    assert all(isinstance(app.job, str) for app in candidate.pipeline.applications)
    assert all(isinstance(app.current_stage, Stage) for app in candidate.pipeline.applications)


async def test_references_that_come_too_late_leave_the_applications_as_read(
    fake: FakeBindbee, client: BindbeeClient
) -> None:
    fake.expand = False
    fake.delay(5, path_contains=STAGES)
    candidate = await lookups_for(client, deadline=1.0).fetch(BY_ID)
    assert candidate.pipeline is not None
    assert candidate.pipeline.gaps
    assert len(candidate.pipeline.applications) == 2


async def test_another_candidates_applications_are_never_shown(
    fake: FakeBindbee, client: BindbeeClient
) -> None:
    # a Bindbee that ignored the `candidate` filter would send everyone's applications
    everyone = [*payloads.applications(CANDIDATE["id"]), *payloads.applications(OTHER["id"])]
    fake.body({"cursor": None, "page_size": 4, "items": everyone}, path_contains=APPLICATIONS)
    candidate = await lookups_for(client).fetch(BY_ID)
    assert candidate.pipeline is not None
    assert {app.candidate for app in candidate.pipeline.applications} == {CANDIDATE["id"]}


async def test_the_pipeline_goes_through_the_same_rate_budget(fake: FakeBindbee) -> None:
    fake.expand = False
    async with BindbeeClient(
        base_url=fake.url,
        api_key=FakeBindbee.API_KEY,
        connector_token=FakeBindbee.CONNECTOR_TOKEN,
        deadline=2.0,
        rate_limit_per_minute=2,  # the candidate and its applications spend it all
    ) as client:
        candidate = await Lookups(client, pipeline=client).fetch(BY_ID)
    # The references were held back by the same budget: nothing more was sent.
    assert sorted(_ats_paths(fake)) == sorted([f"{CANDIDATES}/{CANDIDATE['id']}", APPLICATIONS])
    assert candidate.pipeline is not None
    assert candidate.pipeline.gaps
    assert len(candidate.pipeline.applications) == 2
