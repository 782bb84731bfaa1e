"""Key names for shared state: a prefix, the connector as a keyed hash, then what is kept.

    candidate-lookup:<tenant>:cache:id:<candidate id>
    candidate-lookup:<tenant>:budget

`tenant` is HMAC-SHA256 of the connector token under a secret derived from the Bindbee API
key, so a key never holds the token, names its connector all the same, and one
workspace's cached candidate can never be served to another. Without the API key the hash
cannot be reversed by guessing tokens either.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

DEFAULT_PREFIX = "candidate-lookup"
_DERIVATION_LABEL = b"candidate-lookup shared-state key v1"


def tenant_of(connector_token: str, *, secret: str) -> str:
    """The connector's name in keys: a keyed hash of its token (128 bits, hex)."""
    derived = hmac.new(secret.encode(), _DERIVATION_LABEL, hashlib.sha256).digest()
    return hmac.new(derived, connector_token.encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class Keys:
    """Every key one connector's shared state uses."""

    prefix: str
    tenant: str

    @classmethod
    def for_connector(
        cls, connector_token: str, *, secret: str, prefix: str = DEFAULT_PREFIX
    ) -> Keys:
        """Keys for the connector with this token."""
        return cls(prefix=prefix, tenant=tenant_of(connector_token, secret=secret))

    def _key(self, *parts: str) -> str:
        return ":".join((self.prefix, self.tenant, *parts))

    def cache(self, kind: str, value: str) -> str:
        """A cached lookup of `value`, an id of `kind` (`id`, `remote_id`)."""
        return self._key("cache", kind, value)

    def candidate(self, candidate_id: str) -> str:
        """The group of every cache key that holds this candidate."""
        return self._key("candidate", candidate_id)

    def lookup(self, kind: str, value: str) -> str:
        """The coalescing of lookups of `value` (one request at a time)."""
        return self._key("lookup", kind, value)

    def budget(self) -> str:
        """The connector's rate budget."""
        return self._key("budget")

    def user(self, user_id: str) -> str:
        """One user's part of the rate budget; the Slack user id is hashed too."""
        return self._key("budget", "user", self._digest(user_id))

    def event(self, event_id: str) -> str:
        """An Events API delivery already handled (Slack retries carry the same event_id)."""
        return self._key("event", event_id)

    def share(self, *parts: str) -> str:
        """A share already posted (the same click, seen twice); who and what are hashed."""
        return self._key("share", self._digest(*parts))

    def _digest(self, *parts: str) -> str:
        """A short hash of Slack ids, so that no user id appears in a key."""
        joined = "\n".join((self.tenant, *parts))
        return hashlib.sha256(joined.encode()).hexdigest()[:24]
