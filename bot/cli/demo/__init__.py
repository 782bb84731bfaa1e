"""Demo candidates bundled with the package, so `python -m bot preview --demo` needs no tokens.

Each `bot/cli/demo/<id>.json` file holds one candidate exactly as Bindbee would send it, plus one
sentence on what it demonstrates:

    {"shows": "a full profile: …", "candidate": {"id": "maya-patel", "remote_id": "…", …},
     "applications": [{"id": "app-maya-1", "job": {…} or "job-platform", …}, …]}

`DemoSource` serves them through the same `CandidateSource` protocol as the real Bindbee
client, and parses them with the real `Candidate.from_payload`, so everything after the fetch
(privacy policy, cards, limits) is the code path Slack users get. Its list filters
(`email_addresses`, `first_name`, `last_name`) match whole values, ignoring case, and it
pages with a cursor, as Bindbee's list endpoint does.

Applications come in both of Bindbee's shapes: expanded objects, or bare ids that
`_references.json` (jobs, stages, reject reasons) resolves, as Bindbee's own endpoints would.

`DemoSource` serves them through the same protocols as the real Bindbee client
(`CandidateSource`, `PipelineSource`), and parses them with the real models, so everything
after the fetch (privacy policy, cards, limits) is the code path Slack users get.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from bot.ats.client import check_list_request
from bot.ats.errors import NotFound
from bot.ats.ids import check_id, check_remote_id
from bot.ats.models import Candidate, CandidatePage, Job, RejectReason, Stage


@dataclass(frozen=True)
class Demo:
    """One bundled demo candidate: its Bindbee payload and what it demonstrates."""

    id: str
    shows: str
    payload: dict[str, Any]
    applications: tuple[dict[str, Any], ...] = ()

    @property
    def candidate(self) -> Candidate:
        """The payload parsed by the real model, as the Bindbee client would parse it."""
        return Candidate.from_payload(self.payload)


@cache
def demos() -> tuple[Demo, ...]:
    """Every bundled demo candidate, sorted by id."""
    found: list[Demo] = []
    for resource in files(__name__).iterdir():
        if not resource.name.endswith(".json") or resource.name.startswith("_"):
            continue
        data = json.loads(resource.read_text(encoding="utf-8"))
        payload = data["candidate"]
        applications = tuple(data.get("applications", ()))
        found.append(Demo(str(payload["id"]), str(data["shows"]), payload, applications))
    return tuple(sorted(found, key=lambda demo: demo.id))


@cache
def references() -> dict[str, dict[str, dict[str, Any]]]:
    """The demo jobs, stages and reject reasons, by kind and then by id."""
    data = json.loads(files(__name__).joinpath("_references.json").read_text(encoding="utf-8"))
    kinds = ("jobs", "stages", "reject_reasons")
    return {kind: {str(item["id"]): item for item in data[kind]} for kind in kinds}


class DemoSource:
    """A CandidateSource over the demo candidates, failing the way the Bindbee client fails."""

    async def get_candidate(self, candidate_id: str) -> Candidate:
        """The demo candidate with this id; InvalidId or NotFound as Bindbee would answer."""
        check_id(candidate_id)
        for demo in demos():
            if demo.id == candidate_id:
                return demo.candidate
        raise NotFound("no demo candidate has this id")

    async def find_by_remote_id(self, remote_id: str) -> list[Candidate]:
        """The demo candidates whose ATS id is `remote_id`."""
        check_remote_id(remote_id)  # the client's own check, so both fail the same way
        candidates = [demo.candidate for demo in demos()]
        return [candidate for candidate in candidates if candidate.remote_id == remote_id]

    async def list_candidates(
        self, filters: Mapping[str, str], *, page_size: int, cursor: str | None = None
    ) -> CandidatePage:
        """One page of the demo candidates that `filters` select, as Bindbee pages them."""
        check_list_request(filters, page_size=page_size, cursor=cursor)
        start = int(cursor) if cursor is not None and cursor.isdigit() else 0
        found = [demo.candidate for demo in demos() if _selects(filters, demo.payload)]
        end = start + page_size
        return CandidatePage(
            items=tuple(found[start:end]), cursor=str(end) if end < len(found) else None
        )

    async def fetch_applications(self, candidate_id: str) -> object:
        """The demo candidate's applications, as one page of Bindbee's list."""
        check_id(candidate_id)
        items = [app for demo in demos() if demo.id == candidate_id for app in demo.applications]
        return {"cursor": None, "page_size": len(items), "items": items}

    async def get_jobs(self, ids: Sequence[str]) -> list[Job]:
        """The demo jobs with these ids."""
        jobs = references()["jobs"]
        return [Job.read(jobs[i]) for i in ids if i in jobs]

    async def get_stages(self, ids: Sequence[str]) -> list[Stage]:
        """The demo interview stages with these ids."""
        stages = references()["stages"]
        return [Stage.read(stages[i]) for i in ids if i in stages]

    async def get_reject_reasons(self, ids: Sequence[str]) -> list[RejectReason]:
        """The demo reject reasons with these ids."""
        reasons = references()["reject_reasons"]
        return [RejectReason.read(reasons[i]) for i in ids if i in reasons]


def _selects(filters: Mapping[str, str], payload: Mapping[str, Any]) -> bool:
    """Whether every filter equals its field (any of the email addresses), ignoring case."""
    for name, wanted in filters.items():
        values = payload.get(name)
        items = values if isinstance(values, list) else [values]
        texts = [item.get("value") if isinstance(item, Mapping) else item for item in items]
        if wanted.casefold() not in {str(text).casefold() for text in texts if text}:
            return False
    return True
