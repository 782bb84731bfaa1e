"""What the user asked for: `/candidate` text parsed into lookups, with no I/O.

    /candidate 018b18ef-… https://app.greenhouse.io/people/4012 jane@acme.com
        every word is an id, a link or an email: each word is its own lookup
    /candidate Jane Doe, jane@acme.com
        commas and new lines separate queries; a query that is not all ids, links and
        emails is one name (see bot/core/search.py for what a name searches)

At most MAX_IDS lookups per command; the rest are counted, not done.

A word is a Bindbee id when it is a plausible id (bot/ats/ids.py) and holds a digit, as
every UUID does; so `Maya` or `Lund-Vasquez` is a name, never an id. Any http(s) URL is a
link, known or not, so a pasted link is never searched as a name.

Slack sends command text with the user's own `&`, `<` and `>` escaped as entities, and wraps
links (and emails, as `mailto:`) it recognised in `<…>`, optionally `<url|label>`. So the
text is split on Slack's markup first and only then unescaped, which keeps a typed
`&lt;x&gt;` from ever being read as markup. The text is cut to MAX_TEXT_LENGTH before any
regular expression sees it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.ats.errors import InvalidId, UnknownLink
from bot.ats.ids import is_plausible_id
from bot.core.links import LinkPattern, match_link
from bot.core.search import MAX_NAME_LENGTH, SearchKey
from bot.lookups import LookupKey

MAX_IDS = 5
# Enough for MAX_IDS links of Slack's longest URL and their markup; the rest is not read.
MAX_TEXT_LENGTH = 20_000
MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a forward path

_TOKEN = re.compile(r"<[^<>]*>|[,\r\n]|[^\s,<>]+")
_SEPARATORS = {",", "\r", "\n"}
_URL = re.compile(r"(?i)^https?://")
_EMAIL = re.compile(r"[^\s@<>,;:\"()\[\]\\]+@[^\s@<>,;:\"()\[\]\\]+\.[^\s@<>,;:\"()\[\]\\.]+")
_HELP = {"help", "-h", "--help", "?"}

Key = LookupKey | SearchKey
IsId = Callable[[str], bool]


@dataclass(frozen=True)
class QueryItem:
    """One thing the user asked for: `ref` as typed, and its key, or the error it stands for."""

    ref: str
    key: Key | None
    error: InvalidId | None = None


@dataclass(frozen=True)
class Query:
    """The parsed command: up to MAX_IDS items, and how many more were left out."""

    items: tuple[QueryItem, ...] = ()
    left_out: int = 0
    wants_help: bool = False
    keys: tuple[LookupKey, ...] = field(init=False)
    searches: tuple[SearchKey, ...] = field(init=False)

    def __post_init__(self) -> None:
        keys = tuple(item.key for item in self.items if isinstance(item.key, LookupKey))
        searches = tuple(item.key for item in self.items if isinstance(item.key, SearchKey))
        object.__setattr__(self, "keys", keys)
        object.__setattr__(self, "searches", searches)


def looks_like_id(word: str) -> bool:
    """A Bindbee id as typed: a plausible id with a digit in it (every UUID has one)."""
    return is_plausible_id(word) and any(char.isdigit() for char in word)


def is_email(word: str) -> bool:
    """Whether `word` is shaped like one email address."""
    return len(word) <= MAX_EMAIL_LENGTH and _EMAIL.fullmatch(word) is not None


def parse_query(
    text: str, patterns: tuple[LinkPattern, ...], *, is_id: IsId = looks_like_id
) -> Query:
    """Parse `/candidate` text into ids, links, emails and names (see the module docstring)."""
    queries = _split(text or "")
    words = [word for query in queries for word in query]
    if not words or (len(words) == 1 and words[0].lower() in _HELP):
        return Query(wants_help=True)
    items: dict[object, QueryItem] = {}
    for query in queries:
        for item in _items(query, patterns, is_id):
            items.setdefault(item.key or item.ref, item)  # the same lookup asked twice: once
    unique = list(items.values())
    return Query(items=tuple(unique[:MAX_IDS]), left_out=max(0, len(unique) - MAX_IDS))


def _split(text: str) -> list[list[str]]:
    """The queries in `text`, each a list of unwrapped words; empty queries dropped."""
    queries: list[list[str]] = [[]]
    # Control and format characters (zero-width ones too) are nobody's name: spaces instead.
    visible = "".join(c if c.isprintable() or c in "\r\n" else " " for c in text[:MAX_TEXT_LENGTH])
    for token in _TOKEN.findall(visible):
        if token in _SEPARATORS:
            queries.append([])
            continue
        # Unescaping may bring back a character the line above replaced: replace it again.
        word = "".join(c if c.isprintable() else " " for c in _unwrap(token))
        queries[-1].extend(word.split())
    return [query for query in queries if query]


def _unwrap(token: str) -> str:
    if token.startswith("<") and token.endswith(">"):
        token = token[1:-1].split("|", 1)[0]
        if token.lower().startswith("mailto:"):  # Slack links an email it recognised
            token = token[len("mailto:") :]
    # Only the three entities Slack writes (api.slack.com/reference/surfaces/formatting),
    # `&amp;` last so that a typed `&amp;lt;` stays `&lt;`.
    return token.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def _items(words: list[str], patterns: tuple[LinkPattern, ...], is_id: IsId) -> list[QueryItem]:
    """Each word its own lookup when every word is an id, link or email; else one name."""
    if all(_URL.match(word) or is_email(word) or is_id(word) for word in words):
        return [_item(word, patterns) for word in words]
    name = " ".join(words)[:MAX_NAME_LENGTH].strip()
    return [QueryItem(name, SearchKey("name", name))]


def _item(word: str, patterns: tuple[LinkPattern, ...]) -> QueryItem:
    if _URL.match(word):
        found = match_link(word, patterns)
        if found is None:
            return QueryItem(word, None, UnknownLink(word))
        return QueryItem(word, LookupKey(found.kind, found.value))
    if is_email(word):
        return QueryItem(word, SearchKey("email", word))
    return QueryItem(word, LookupKey("id", word))
