"""The candidate and its applications as Bindbee returns them, read tolerantly where the API
is loose.

Bindbee's docs (https://docs.bindbee.dev, the ATS Candidate object) disagree with
themselves, so parsing accepts every documented shape: `urls` items as `{value, url_type}`
or `{type, value}`, emails and phones as strings or `{value}` objects, scalars where arrays
are declared, and empty strings as missing. Two things are strict because safety depends
on them: `id` and `modified_at` must be present, and an `is_private` that is not a clear
boolean counts as private.

Applications (https://docs.bindbee.dev/ats/application) are read even more leniently: every
field may be null, and `job`, `current_stage`, `reject_reason` and `candidate` may each be an
id or, with `expand`, the object itself. A job whose `confidential` flag is not a clear
boolean reads as unknown, which the policy treats as confidential.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Self, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, field_validator

from bot.ats.errors import BadResponse

_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


def _clear_bool(value: object) -> bool | None:
    """True/False for a clear boolean, None for null, and raise for anything else."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        if word in {"", "null", "none"}:
            return None
    raise ValueError("not a clear boolean")


def _privacy_flag(value: object) -> bool | None:
    """is_private: anything unclear counts as private."""
    try:
        return _clear_bool(value)
    except ValueError:
        return True


def _consent_flag(value: object) -> bool | None:
    """can_email: anything unclear counts as no consent."""
    try:
        return _clear_bool(value)
    except ValueError:
        return False


def _text(value: object) -> str | None:
    """A trimmed string, or None for null, empty and non-text values."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def _text_list(value: object) -> tuple[str, ...]:
    """A list of strings from strings, `{value: …}` objects or a lone scalar; blanks dropped."""
    items = value if isinstance(value, list | tuple) else [value]
    texts = (_text(item.get("value") if isinstance(item, Mapping) else item) for item in items)
    return tuple(text for text in texts if text is not None)


def _id_list(value: object) -> tuple[str, ...]:
    """Related-record ids; expanded objects contribute their `id`."""
    items = value if isinstance(value, list | tuple) else [value]
    ids = (_text(item.get("id") if isinstance(item, Mapping) else item) for item in items)
    return tuple(item_id for item_id in ids if item_id is not None)


def _lenient_datetime(value: object) -> datetime | None:
    """An ISO 8601 time (zone-less means UTC), or None when absent or unreadable."""
    try:
        return _strict_datetime(value)
    except ValueError:
        return None


def _strict_datetime(value: object) -> datetime | None:
    if value is None or isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    elif isinstance(value, str):
        return None
    else:
        raise ValueError("not an ISO 8601 date-time")
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


Text = Annotated[str | None, BeforeValidator(_text)]
TextList = Annotated[tuple[str, ...], BeforeValidator(_text_list)]
IdList = Annotated[tuple[str, ...], BeforeValidator(_id_list)]
LenientTime = Annotated[datetime | None, BeforeValidator(_lenient_datetime)]


class CandidateUrl(BaseModel):
    """One of the candidate's own links (LinkedIn, portfolio…), not a link into the ATS."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    value: str
    url_type: str | None = None

    @classmethod
    def parse(cls, item: object) -> CandidateUrl | None:
        """Read `{value, url_type}`, `{type, value}` or a bare string; None if unusable."""
        if isinstance(item, Mapping):
            value = _text(item.get("value"))
            kind = _text(item.get("url_type")) or _text(item.get("type"))
        else:
            value, kind = _text(item), None
        return cls(value=value, url_type=kind) if value else None


def _urls(value: object) -> tuple[CandidateUrl, ...]:
    items = value if isinstance(value, list | tuple) else [value]
    parsed = (CandidateUrl.parse(item) for item in items if item is not None)
    return tuple(url for url in parsed if url is not None)


def _lenient_flag(value: object) -> bool | None:
    """A job's `confidential`: anything unclear reads as unknown (None)."""
    try:
        return _clear_bool(value)
    except ValueError:
        return None


def _lenient_int(value: object) -> int | None:
    """A whole number from an int or a numeric string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = _text(value)
    return int(text) if text is not None and text.lstrip("-").isdigit() else None


class _Record(BaseModel):
    """What every ATS model shares, read leniently: an `id`, possibly missing."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: Text = None

    @classmethod
    def read(cls, payload: Mapping[str, Any]) -> Self:
        """Parse leniently: a field that cannot be read is left out, never fatal."""
        try:
            return cls.model_validate(payload)
        except ValidationError as exc:
            bad = {str(err["loc"][0]) for err in exc.errors() if err["loc"]}
            return cls.model_validate({k: v for k, v in payload.items() if k not in bad})


class Job(_Record):
    """A job (`GET /api/ats/v1/jobs`): its name, status and whether it is confidential."""

    name: Text = None
    status: Text = None  # OPEN, CLOSED, DRAFT, ARCHIVED, PENDING or the vendor's own value
    confidential: Annotated[bool | None, BeforeValidator(_lenient_flag)] = None


class Stage(_Record):
    """A job interview stage (`GET /api/ats/v1/job-interview-stages`)."""

    name: Text = None
    stage_order: Annotated[int | None, BeforeValidator(_lenient_int)] = None


class RejectReason(_Record):
    """A reject reason (`GET /api/ats/v1/reject-reasons?ids=…`): the customer's own label."""

    name: Text = None


_R = TypeVar("_R", bound=_Record)


def _reference(kind: type[_R]) -> Callable[[object], _R | str | None]:
    """A related record as Bindbee sends it: an id string, or the expanded object."""

    def read(value: object) -> _R | str | None:
        if isinstance(value, kind):
            return value
        if isinstance(value, Mapping):
            return kind.read(value)
        return _text(value)

    return read


def _candidate_ref(value: object) -> str | None:
    """The candidate an application belongs to: its id, whether expanded or not."""
    return _text(value.get("id")) if isinstance(value, Mapping) else _text(value)


class Application(_Record):
    """One application of a candidate to a job (`GET /api/ats/v1/applications`).

    `job`, `current_stage` and `reject_reason` hold the object once known, or its id alone
    until it is resolved (`with_references`).
    """

    candidate: Annotated[str | None, BeforeValidator(_candidate_ref)] = None
    job: Annotated[Job | str | None, BeforeValidator(_reference(Job))] = None
    current_stage: Annotated[Stage | str | None, BeforeValidator(_reference(Stage))] = None
    reject_reason: Annotated[
        RejectReason | str | None, BeforeValidator(_reference(RejectReason))
    ] = None
    applied_at: LenientTime = None
    rejected_at: LenientTime = None
    source: Text = None

    def unresolved(self) -> tuple[str | None, str | None, str | None]:
        """The ids of the job, stage and reject reason still to resolve (None where known)."""
        return (
            self.job if isinstance(self.job, str) else None,
            self.current_stage if isinstance(self.current_stage, str) else None,
            self.reject_reason if isinstance(self.reject_reason, str) else None,
        )

    def with_references(
        self,
        jobs: Mapping[str, Job],
        stages: Mapping[str, Stage],
        reasons: Mapping[str, RejectReason],
    ) -> Application:
        """A copy with every bare id that the mappings know replaced by its object."""
        job_id, stage_id, reason_id = self.unresolved()
        update: dict[str, object] = {}
        if job_id is not None and job_id in jobs:
            update["job"] = jobs[job_id]
        if stage_id is not None and stage_id in stages:
            update["current_stage"] = stages[stage_id]
        if reason_id is not None and reason_id in reasons:
            update["reject_reason"] = reasons[reason_id]
        return self.model_copy(update=update) if update else self


class Pipeline(BaseModel):
    """A candidate's applications, as far as they could be read.

    `problem` says, in our words, why they could not be read at all (`applications` is then
    empty), and `gaps` that some jobs, stages or reject reasons could not be resolved.
    """

    model_config = ConfigDict(frozen=True)

    applications: tuple[Application, ...] = ()
    more_pages: bool = False  # Bindbee had more than the one page we read
    problem: str | None = None
    gaps: bool = False

    @classmethod
    def unreadable(cls, problem: str) -> Pipeline:
        """A pipeline that could not be read, and why."""
        return cls(problem=problem)


def parse_applications(body: object, candidate_id: str) -> tuple[tuple[Application, ...], bool]:
    """The applications of one candidate from a page of `GET /applications`, and whether
    Bindbee has more pages; raise BadResponse when the body is not such a page."""
    if not isinstance(body, Mapping) or not isinstance(body.get("items"), list):
        raise BadResponse("not a page of applications (cursor, page_size, items)")
    items = body["items"]
    if not all(isinstance(item, Mapping) for item in items):
        raise BadResponse("not a page of applications (an item is not an object)")
    applications = (Application.read(item) for item in items)
    # Should Bindbee ever ignore the filter, another candidate's applications must not show.
    mine = tuple(app for app in applications if app.candidate in (None, candidate_id))
    return mine, bool(_text(body.get("cursor")))


def parse_records(body: object, kind: type[_R], what: str) -> list[_R]:
    """The records of a list page (`{cursor, page_size, items}`) that carry an id."""
    if not isinstance(body, Mapping) or not isinstance(body.get("items"), list):
        raise BadResponse(f"not a page of {what} (cursor, page_size, items)")
    records = (kind.read(item) for item in body["items"] if isinstance(item, Mapping))
    return [record for record in records if record.id is not None]


def parse_record(body: object, kind: type[_R], what: str) -> _R:
    """One record from a by-id endpoint."""
    if not isinstance(body, Mapping):
        raise BadResponse(f"not a {what}: the response is not a JSON object")
    return kind.read(body)


class Candidate(BaseModel):
    """A candidate record from `GET /api/ats/v1/candidates/{id}`."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: Annotated[str, BeforeValidator(_text)]
    modified_at: datetime
    remote_id: Text = None
    raw_data: dict[str, Any] | None = None

    first_name: Text = None
    last_name: Text = None
    company: Text = None
    title: Text = None
    last_interaction_at: LenientTime = None

    is_private: Annotated[bool | None, BeforeValidator(_privacy_flag)] = None
    can_email: Annotated[bool | None, BeforeValidator(_consent_flag)] = None

    locations: TextList = ()
    phone_numbers: TextList = ()
    email_addresses: TextList = ()
    urls: Annotated[tuple[CandidateUrl, ...], BeforeValidator(_urls)] = ()
    tags: TextList = ()
    applications: IdList = ()
    attachments: IdList = ()

    remote_created_at: LenientTime = None
    remote_updated_at: LenientTime = None
    avatar: Text = None

    # Not Bindbee's: the applications, filled in by bot.lookups (None: not looked up).
    pipeline: Pipeline | None = None

    @field_validator("modified_at", mode="before")
    @classmethod
    def _modified_at(cls, value: object) -> datetime:
        parsed = _strict_datetime(value)
        if parsed is None:
            raise ValueError("required")
        return parsed

    @field_validator("raw_data", mode="before")
    @classmethod
    def _raw_data(cls, value: object) -> object:
        return value if isinstance(value, Mapping) else None

    @property
    def full_name(self) -> str | None:
        """First and last name joined, or None when both are missing."""
        return " ".join(part for part in (self.first_name, self.last_name) if part) or None

    @classmethod
    def from_payload(cls, payload: object) -> Candidate:
        """Parse one candidate from decoded JSON, or raise BadResponse saying what is wrong."""
        if not isinstance(payload, Mapping):
            raise BadResponse("the response is not a JSON object")
        try:
            # `pipeline` is ours, never taken from what the ATS sends.
            return cls.model_validate({k: v for k, v in payload.items() if k != "pipeline"})
        except ValidationError as exc:
            # Name the fields only: pydantic's own message would quote the values.
            fields = sorted({str(err["loc"][0]) for err in exc.errors() if err["loc"]})
            raise BadResponse(f"not a candidate (bad or missing: {', '.join(fields)})") from None

    def private_stub(self) -> Candidate:
        """The only record of a private candidate we ever keep: its id and the fact."""
        return Candidate(id=self.id, modified_at=self.modified_at, is_private=True)


@dataclass(frozen=True)
class CandidatePage:
    """One page of `GET /api/ats/v1/candidates`: the candidates, and the next page's cursor."""

    items: tuple[Candidate, ...]
    cursor: str | None  # None on the last page
