"""Searches by email or name: what we ask Bindbee, and what an answer may hold. No I/O.

Bindbee's list endpoint (`GET /api/ats/v1/candidates`, https://docs.bindbee.dev/ats/candidate/get-candidates)
filters on `email_addresses`, `first_name` and `last_name`. Its docs do not say whether the
name filters are exact or partial, or whether they ignore case. We assume nothing:

- we send the words as typed (so an ATS that matches exactly and with case finds the name
  written as it is in the ATS), and
- we keep a returned candidate only if each name filter is *contained* in that field,
  ignoring case and accents, and an email filter *equals* one of their addresses, ignoring
  case. Exact and partial matching both pass this check; a Bindbee that ignored a filter
  would not show us some other candidate.

What is searched:

    one word          "Patel"          first_name=Patel, and apart last_name=Patel
    two words         "Maya Patel"     first_name=Maya & last_name=Patel
    three or more     "Mary Ann Lee"   first_name=Mary & last_name=Ann Lee, and apart
                                       first_name=Mary Ann & last_name=Lee
    an email address  "jane@acme.com"  email_addresses=jane@acme.com
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from bot.ats.models import Candidate

MAX_ROWS = 10  # rows in a list of matches
# One page sized so that 10 rows are still left once private candidates are dropped.
PAGE_SIZE = 25
MAX_NAME_LENGTH = 500  # no real name is longer; the cut only bounds the request

SearchKind = Literal["email", "name"]
Filters = Mapping[str, str]


@dataclass(frozen=True)
class SearchKey:
    """A search by email address or by name, as the user typed it (whitespace collapsed)."""

    kind: SearchKind
    text: str

    def filter_sets(self) -> tuple[dict[str, str], ...]:
        """Bindbee's list filters; several sets are asked apart and their matches merged."""
        if self.kind == "email":
            return ({"email_addresses": self.text},)
        words = self.text.split()
        if len(words) == 1:
            return ({"first_name": words[0]}, {"last_name": words[0]})
        first_word = {"first_name": words[0], "last_name": " ".join(words[1:])}
        if len(words) == 2:
            return (first_word,)
        last_word = {"first_name": " ".join(words[:-1]), "last_name": words[-1]}
        return (first_word, last_word)


@dataclass(frozen=True)
class SearchResult:
    """What a search may show: public matches only, never a private one (not even counted)."""

    shown: tuple[Candidate, ...]  # the first MAX_ROWS, as the policy may keep them
    ids: tuple[str, ...]  # every public match read, shown or not
    # Bindbee had pages we did not read, and those we read held no private match. Only then
    # may an answer say "maybe more": after a private match, it would hint at that person.
    maybe_more: bool

    @property
    def count(self) -> int:
        """How many public matches were read."""
        return len(self.ids)


def matches(candidate: Candidate, filters: Filters) -> bool:
    """Whether `candidate` really answers `filters` (see the module docstring)."""
    for name, wanted in filters.items():
        if name == "email_addresses":
            addresses = {address.casefold() for address in candidate.email_addresses}
            if wanted.strip().casefold() not in addresses:
                return False
        elif name in ("first_name", "last_name"):
            folded = _fold(wanted)
            if not folded or folded not in _fold(getattr(candidate, name) or ""):
                return False
        else:
            return False  # a filter we do not know: nothing can be shown to match it
    return True


def _fold(text: str) -> str:
    """Text for comparing names: no accents, no case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())
