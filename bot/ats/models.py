"""The candidate as Bindbee returns it, read tolerantly where the API is loose.

Bindbee's docs (https://docs.bindbee.dev, the ATS Candidate object) disagree with
themselves, so parsing accepts every documented shape: `urls` items as `{value, url_type}`
or `{type, value}`, emails and phones as strings or `{value}` objects, scalars where arrays
are declared, and empty strings as missing. Two things are strict because safety depends
on them: `id` and `modified_at` must be present, and an `is_private` that is not a clear
boolean counts as private.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

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
            return cls.model_validate(payload)
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
