"""A lookup's outcome as JSON, to cache it or hand it to another instance (never pickle).

    {"candidate": {...}}                         what the policy lets a cache keep
    {"error": "not_found", "detail": "..."}      any LookupFailure, as its own class

Error details are ours (they never quote a token or personal data), so they may travel.
"""

from __future__ import annotations

import json
from typing import Any

from bot.ats.errors import BadResponse, InvalidId, LookupFailure, RateLimited, UnknownLink
from bot.ats.models import Candidate

Outcome = Candidate | LookupFailure


def encode(outcome: Outcome) -> str:
    """JSON for a candidate (as given: retain it first) or an error."""
    if isinstance(outcome, Candidate):
        return '{"candidate":' + outcome.model_dump_json() + "}"
    data: dict[str, Any] = {"error": outcome.kind, "detail": outcome.detail}
    if isinstance(outcome, RateLimited):
        data["retry_after"] = outcome.retry_after
    if isinstance(outcome, InvalidId):
        data["id"] = outcome.candidate_id
    return json.dumps(data)


def decode(text: str) -> Outcome:
    """The candidate or error that `encode` wrote; BadResponse for anything else."""
    try:
        data = json.loads(text)
        if "candidate" in data:
            return Candidate.model_validate(data["candidate"])
        return _error(data["error"], data)
    except (ValueError, TypeError, LookupError):
        return BadResponse("a shared result could not be read")


def _error(kind: str, data: dict[str, Any]) -> LookupFailure:
    detail = str(data.get("detail", ""))
    if kind == RateLimited.kind:
        return RateLimited(float(data["retry_after"]), detail)
    if kind in (InvalidId.kind, UnknownLink.kind):
        invalid = UnknownLink if kind == UnknownLink.kind else InvalidId
        return invalid(str(data["id"]))
    # Every other error takes its detail alone (AuthRefused, NotFound and its subclasses…).
    for subclass in _subclasses(LookupFailure):
        if subclass.kind == kind:
            return subclass(detail)
    return LookupFailure(detail)


def _subclasses(base: type[LookupFailure]) -> list[type[LookupFailure]]:
    """Every subclass of `base`, however deep, except those whose constructor differs."""
    found: list[type[LookupFailure]] = []
    for child in base.__subclasses__():
        if child not in (RateLimited, InvalidId):
            found.append(child)
        found += _subclasses(child)
    return found
