"""Everything that can end a lookup without a candidate, in one tree (as httpx draws its own).

    LookupFailure                  base: a lookup that ended without a candidate
    ├── InputError                 the user's input names no candidate; nothing was sent
    │   └── InvalidId              the id is not plausible
    │       └── UnknownLink        a pasted URL that no link pattern matches
    └── AtsError                   we asked the ATS (through Bindbee), and it went wrong
        ├── TransientError         may succeed if asked again: the retry engine retries these
        │   ├── RateLimited        429, or our own budget is spent; carries retry_after seconds
        │   └── Unavailable        5xx, timeouts, connection failures, deadline passed
        ├── AuthRefused            401/403: key or connector token refused, or a non-ATS token
        ├── NotFound               404: no such candidate (or not synced to Bindbee yet)
        │   └── AmbiguousRemoteId  several candidates share the ATS id a link names
        ├── InvalidRequest         422: Bindbee does not accept the request (e.g. the id's format)
        └── BadResponse            not JSON, an HTML page, or a body that is not a candidate

Each error carries only what the user must be told. Messages never hold a token or a
candidate's personal data, so they are safe to log and to show.
"""

from __future__ import annotations

import math


class LookupFailure(Exception):
    """A lookup that ended without a candidate."""

    kind = "error"

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__(detail or self.kind)


class InputError(LookupFailure):
    """The user's input names no candidate we could ask for; no request was made."""

    kind = "invalid_input"


class AtsError(LookupFailure):
    """We asked the ATS, and the answer was not a candidate."""


class TransientError(AtsError):
    """A failure that asking again may cure; the only kind the retry engine retries."""


class InvalidId(InputError):
    """The id is not something Bindbee could know; no request was made."""

    kind = "invalid_id"

    def __init__(self, candidate_id: str) -> None:
        self.candidate_id = candidate_id
        super().__init__("not a valid candidate id")


class UnknownLink(InvalidId):
    """A pasted URL that matches no link pattern, so it names no candidate we can look up."""

    kind = "unknown_link"


class AuthRefused(AtsError):
    """Bindbee refused our API key or connector token (401/403)."""

    kind = "auth_refused"


class NotFound(AtsError):
    """Bindbee has no candidate with this id (404), or no match for a remote id."""

    kind = "not_found"


class RateLimited(TransientError):
    """Bindbee's rate limit (or our budget for it) is spent for now."""

    kind = "rate_limited"

    def __init__(self, retry_after: float, detail: str = "") -> None:
        self.retry_after = max(0.0, retry_after)
        super().__init__(detail or f"retry after {self.retry_after_seconds} s")

    @property
    def retry_after_seconds(self) -> int:
        """Whole seconds to wait, rounded up, and at least one."""
        return max(1, math.ceil(self.retry_after))


class Unavailable(TransientError):
    """Bindbee did not answer usefully in time: 5xx, timeout, connection failure."""

    kind = "unavailable"


class AmbiguousRemoteId(NotFound):
    """Several candidates share one ATS id, so a link cannot say which one is meant."""

    kind = "ambiguous"


class InvalidRequest(AtsError):
    """Bindbee rejected the request as malformed (422)."""

    kind = "invalid_request"


class BadResponse(AtsError):
    """Bindbee answered, but not with something we can read as a candidate."""

    kind = "bad_response"
