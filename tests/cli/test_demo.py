"""The bundled demo candidates: Bindbee-shaped, shipped with the package, served like Bindbee."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path
from typing import Any

import pytest

import bot
from bot.ats.client import BindbeeClient
from bot.ats.errors import InvalidId, NotFound
from bot.ats.ids import is_plausible_id
from bot.ats.models import Candidate, parse_applications
from bot.cli.demo import DemoSource, demos, references
from bot.core.links import BUILTIN_PATTERNS, match_link
from bot.core.policy import Status, application_status, is_confidential, is_private, may_email
from bot.lookups import LookupKey, Lookups

ROOT = Path(__file__).resolve().parents[2]
DEMO_DIR = Path(bot.__file__).parent / "cli" / "demo"


def _demo(demo_id: str) -> Candidate:
    return next(demo.candidate for demo in demos() if demo.id == demo_id)


def test_every_file_is_one_demo_named_after_its_id() -> None:
    # _references.json holds the jobs, stages and reject reasons the applications name
    files = sorted(path.stem for path in DEMO_DIR.glob("*.json") if path.stem != "_references")
    assert files == [demo.id for demo in demos()]
    assert 7 <= len(files) <= 10


def test_the_demo_files_ship_in_the_distribution() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["bot"]
    for path in DEMO_DIR.glob("*.json"):
        relative = path.relative_to(Path(bot.__file__).parent).as_posix()
        assert any(fnmatch.fnmatch(relative, glob) for glob in globs), relative


def test_ids_are_short_and_typeable_and_remote_ids_greenhouse_links() -> None:
    remote_ids = []
    for demo in demos():
        assert is_plausible_id(demo.id)
        assert len(demo.id) <= 20
        assert demo.id == demo.id.lower()
        assert demo.shows.strip()
        remote_id = demo.candidate.remote_id
        assert remote_id is not None
        assert remote_id.isdigit()
        found = match_link(f"https://app.greenhouse.io/people/{remote_id}", BUILTIN_PATTERNS)
        assert found is not None
        assert found.value == remote_id
        remote_ids.append(remote_id)
    assert len(set(remote_ids)) == len(remote_ids)


def test_the_demos_cover_what_they_are_for() -> None:
    full = _demo("maya-patel")
    assert full.full_name
    assert full.title
    assert full.company
    assert full.email_addresses
    assert full.phone_numbers
    assert full.tags
    assert full.locations
    assert full.applications
    shapes = {tuple(sorted(item)) for item in _payload("maya-patel")["urls"]}
    assert shapes == {("url_type", "value"), ("type", "value")}

    assert is_private(_demo("private-demo"))
    assert _demo("private-demo").email_addresses
    assert not may_email(_demo("lena-fischer"))
    assert _demo("lena-fischer").email_addresses
    sparse = _demo("sam-okafor")
    assert sparse.is_private is None
    assert sparse.can_email is None
    assert not sparse.title

    hostile = _payload("hostile-demo")
    assert hostile["first_name"] == "<!channel>"
    assert hostile["title"] == "<https://evil.test|click>"
    assert "&" in hostile["company"]
    assert "<" in hostile["company"]
    assert any(url["value"].startswith("javascript:") for url in hostile["urls"])

    big = _demo("oversized-demo")
    assert big.title is not None
    assert len(big.title) == 5000
    assert (len(big.email_addresses), len(big.tags), len(big.urls)) == (200, 120, 60)


def _payload(demo_id: str) -> dict[str, Any]:
    payload = next(demo.payload for demo in demos() if demo.id == demo_id)
    return dict(payload)


async def test_source_serves_candidates_by_id_and_by_remote_id() -> None:
    source = DemoSource()
    maya = await source.get_candidate("maya-patel")
    assert maya.full_name == "Maya Patel"
    assert maya.remote_id is not None
    assert await source.find_by_remote_id(maya.remote_id) == [maya]
    assert await source.find_by_remote_id("999999999") == []


def _client() -> BindbeeClient:
    # Nothing listens there: a request that got out would end in Unavailable, not InvalidId.
    return BindbeeClient(base_url="http://127.0.0.1:9", api_key="key", connector_token="token")


@pytest.mark.parametrize("bad", ["", "..", "a/b", "maya patel", "x" * 129])
async def test_source_refuses_implausible_ids_like_the_client(bad: str) -> None:
    client = _client()
    try:
        with pytest.raises(InvalidId):
            await client.get_candidate(bad)
    finally:
        await client.aclose()
    with pytest.raises(InvalidId):
        await DemoSource().get_candidate(bad)


@pytest.mark.parametrize("bad", ["", "4 2", "1\n2", "9" * 257])
async def test_source_refuses_implausible_remote_ids_like_the_client(bad: str) -> None:
    client = _client()
    try:
        with pytest.raises(InvalidId):
            await client.find_by_remote_id(bad)
    finally:
        await client.aclose()
    with pytest.raises(InvalidId):
        await DemoSource().find_by_remote_id(bad)


async def test_source_says_not_found_for_an_unknown_id() -> None:
    with pytest.raises(NotFound):
        await DemoSource().get_candidate("no-such-demo")


async def test_source_searches_like_bindbees_list_endpoint() -> None:
    source = DemoSource()

    async def ids(filters: dict[str, str], page_size: int = 25) -> list[str]:
        return [c.id for c in (await source.list_candidates(filters, page_size=page_size)).items]

    assert await ids({"email_addresses": "MAYA.PATEL@example.com"}) == ["maya-patel"]
    assert await ids({"email_addresses": "jun.tanaka@example.com"}) == ["jun-tanaka"]  # {value}
    assert await ids({"first_name": "maya", "last_name": "patel"}) == ["maya-patel"]
    assert await ids({"last_name": "Patel"}) == ["arjun-patel", "maya-patel", "nina-patel"]
    assert await ids({"first_name": "Pat"}) == []  # whole values only
    first = await source.list_candidates({"last_name": "Patel"}, page_size=2)
    assert first.cursor is not None
    rest = await source.list_candidates({"last_name": "Patel"}, page_size=2, cursor=first.cursor)
    assert [c.id for c in first.items + rest.items] == await ids({"last_name": "Patel"})
    assert rest.cursor is None


@pytest.mark.parametrize("bad", ["", "Maya\nPatel", "x" * 1001])
async def test_source_refuses_search_values_like_the_client(bad: str) -> None:
    client = _client()
    try:
        with pytest.raises(InvalidId):
            await client.list_candidates({"first_name": bad}, page_size=25)
    finally:
        await client.aclose()
    with pytest.raises(InvalidId):
        await DemoSource().list_candidates({"first_name": bad}, page_size=25)


async def _pipeline_of(demo_id: str) -> Candidate:
    source = DemoSource()
    lookups = Lookups(source, ttl=0, pipeline=source, reference_ttl=0)
    return await lookups.fetch(LookupKey("id", demo_id))


async def test_demo_applications_cover_active_rejected_confidential_and_several_jobs() -> None:
    maya = await _pipeline_of("maya-patel")
    assert maya.pipeline is not None
    apps = maya.pipeline.applications
    assert {application_status(app) for app in apps} == {Status.ACTIVE, Status.REJECTED}
    assert any(is_confidential(app.job) for app in apps)
    lena = await _pipeline_of("lena-fischer")
    assert lena.pipeline is not None
    assert {app.unresolved() for app in lena.pipeline.applications} == {(None, None, None)}
    assert len(lena.pipeline.applications) > 5  # more than a card shows: "+N more"
    assert any(is_confidential(app.job) for app in lena.pipeline.applications)
    # …because that job's flag is null, not true
    jobs = [app["job"] for app in next(d for d in demos() if d.id == "lena-fischer").applications]
    assert None in {references()["jobs"][job]["confidential"] for job in jobs}


def test_demo_applications_come_in_both_shapes() -> None:
    maya = next(d for d in demos() if d.id == "maya-patel")
    lena = next(d for d in demos() if d.id == "lena-fischer")
    assert all(isinstance(app["job"], dict) for app in maya.applications)
    assert all(isinstance(app["job"], str) for app in lena.applications)


async def test_the_private_demo_has_applications_that_are_never_shown() -> None:
    body = await DemoSource().fetch_applications("private-demo")
    assert parse_applications(body, "private-demo")[0]  # there is something to hide
    private = await _pipeline_of("private-demo")
    assert private.pipeline is None
    assert private.first_name is None
