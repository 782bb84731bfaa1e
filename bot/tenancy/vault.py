"""Connector tokens at rest: sealed with Fernet, and bound to the workspace they belong to.

Fernet (https://cryptography.io/en/latest/fernet/) encrypts and authenticates. It has no
associated data, so the team id goes inside the sealed message, `{"t": team, "v": token}`,
and `open` refuses a token sealed for another team: a row copied from one workspace to
another does not become a connection there.

Rotation: CONNECTOR_ENCRYPTION_KEYS lists keys newest first. MultiFernet seals with the
first and opens with any; `reseal` (MultiFernet.rotate) moves a token onto the newest key,
after which an old key can be dropped from the list.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class Unreadable(Exception):
    """A sealed token that no key opens, or that was sealed for another workspace."""


class Vault:
    """Seals and opens connector tokens with the keys of CONNECTOR_ENCRYPTION_KEYS."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def seal(self, team_id: str, token: str) -> str:
        """The token, encrypted with the newest key and bound to `team_id`."""
        message = json.dumps({"t": team_id, "v": token}).encode()
        return self._fernet.encrypt(message).decode("ascii")

    def open(self, team_id: str, sealed: str) -> str:
        """The token sealed for `team_id`, or raise Unreadable."""
        try:
            message = json.loads(self._fernet.decrypt(sealed.encode("ascii")))
        except (InvalidToken, ValueError, UnicodeError):
            raise Unreadable("no key opens this token") from None
        if not isinstance(message, dict) or message.get("t") != team_id:
            raise Unreadable("this token was sealed for another workspace")
        token = message.get("v")
        if not isinstance(token, str) or not token:
            raise Unreadable("the sealed message holds no token")
        return token

    def reseal(self, sealed: str) -> str:
        """The same sealed token, encrypted again with the newest key."""
        try:
            return self._fernet.rotate(sealed.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError):
            raise Unreadable("no key opens this token") from None
