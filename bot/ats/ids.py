"""Candidate ids are untrusted input: decide whether one is plausible before any request.

Bindbee ids are UUIDs, but any URL-safe id of up to 128 characters is accepted, so that
another id scheme still works. Ids made only of dots are refused: `.` and `..` are path
segments with a meaning of their own, and must never reach a URL path.
"""

from __future__ import annotations

import re

from bot.ats.errors import InvalidId

MAX_ID_LENGTH = 128
MAX_REMOTE_ID_LENGTH = 256
_PLAUSIBLE_ID = re.compile(rf"(?!\.+\Z)[A-Za-z0-9._~-]{{1,{MAX_ID_LENGTH}}}")


def is_plausible_id(value: str) -> bool:
    """True for a URL-safe id of 1–128 characters that is not just dots."""
    return _PLAUSIBLE_ID.fullmatch(value) is not None


def check_id(value: str) -> str:
    """Return the id unchanged, or raise InvalidId."""
    if not is_plausible_id(value):
        raise InvalidId(value)
    return value


def check_remote_id(remote_id: str) -> str:
    """Return the ATS's own id unchanged, or raise InvalidId if it is empty, too long, or
    holds whitespace or control characters."""
    # isprintable() is False for control, format and separator characters (and more),
    # except the plain space, which is checked apart.
    if not 0 < len(remote_id) <= MAX_REMOTE_ID_LENGTH or (
        not remote_id.isprintable() or " " in remote_id
    ):
        raise InvalidId(remote_id)
    return remote_id
