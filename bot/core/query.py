"""What the user asked for: `/candidate` text parsed into lookup keys, with no I/O.

Slack sends command text with the user's own `&`, `<` and `>` escaped as entities, and wraps
links it recognised in `<…>` (optionally `<url|label>`). So the text is split on Slack's
markup first and only then unescaped, which keeps a typed `&lt;x&gt;` from ever being read
as markup.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from bot.ats.errors import InvalidId, UnknownLink
from bot.ats.ids import is_plausible_id
from bot.core.links import LinkPattern, match_link
from bot.lookups import LookupKey

MAX_IDS = 5
# Enough for MAX_IDS links of Slack's longest URL and their markup; the rest is not read.
MAX_TEXT_LENGTH = 20_000
_TOKEN = re.compile(r"<[^<>]*>|[^\s,<>]+")
_URL = re.compile(r"(?i)^https?://")


@dataclass(frozen=True)
class QueryItem:
    """One thing the user typed: `ref` as typed, and its key, or the error it stands for."""

    ref: str
    key: LookupKey | None
    error: InvalidId | None = None


@dataclass(frozen=True)
class Query:
    """The parsed command: up to MAX_IDS items, and how many more were left out."""

    items: tuple[QueryItem, ...] = ()
    left_out: int = 0
    wants_help: bool = False
    keys: tuple[LookupKey, ...] = field(init=False)

    def __post_init__(self) -> None:
        keys = tuple(item.key for item in self.items if item.key is not None)
        object.__setattr__(self, "keys", keys)


def parse_query(text: str, patterns: tuple[LinkPattern, ...]) -> Query:
    """Parse `/candidate` text: ids and links, separated by spaces or commas."""
    tokens = [_unwrap(token) for token in _TOKEN.findall((text or "")[:MAX_TEXT_LENGTH])]
    tokens = [token for token in tokens if token]
    if not tokens or (len(tokens) == 1 and tokens[0].lower() in {"help", "-h", "--help", "?"}):
        return Query(wants_help=True)
    unique = list(dict.fromkeys(tokens))
    items = tuple(_item(token, patterns) for token in unique[:MAX_IDS])
    return Query(items=items, left_out=max(0, len(unique) - MAX_IDS))


def _unwrap(token: str) -> str:
    if token.startswith("<") and token.endswith(">"):
        token = token[1:-1].split("|", 1)[0]
    return html.unescape(token).strip()


def _item(token: str, patterns: tuple[LinkPattern, ...]) -> QueryItem:
    if _URL.match(token):
        found = match_link(token, patterns)
        if found is None:
            return QueryItem(token, None, UnknownLink(token))
        return QueryItem(token, LookupKey(found.kind, found.value))
    if is_plausible_id(token):
        return QueryItem(token, LookupKey("id", token))
    return QueryItem(token, None, InvalidId(token))
