"""The privacy policy: the one place that decides what a view may show of a candidate.

    view        who sees it                        contact details (email, phone)
    requester   only the person who asked          yes, emails only if the candidate may be emailed
    channel     everyone in the conversation       no
    unfurl      everyone in the conversation       no

    is_private  true  → a private notice and nothing else: no name, no field, no avatar
    can_email   false → no email address or mailto: anywhere (not even in another field),
                and a "do not email" marker
    null flags  count as "not private" and "may email", unless strict is on, when they
                count as "private" and "do not email"

`disclose` returns either a `PrivateNotice` (which holds no data at all) or a `Disclosure`
whose candidate has the withheld values physically removed, so the card code cannot show
what the policy withheld, even by mistake.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias
from urllib.parse import unquote

from bot.ats.models import Candidate

_Scrub: TypeAlias = Callable[[str], str]
_EMAIL_LIKE = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"


class View(StrEnum):
    """Where a card is going, which decides who will see it."""

    REQUESTER = "requester"
    CHANNEL = "channel"
    UNFURL = "unfurl"


@dataclass(frozen=True)
class PrivateNotice:
    """The candidate is private: show that fact only."""


@dataclass(frozen=True)
class Disclosure:
    """What a view may show: a candidate with the withheld values removed."""

    candidate: Candidate
    do_not_email: bool
    withheld: tuple[str, ...]  # plain-words reasons, for `preview`


def is_private(candidate: Candidate, *, strict: bool = False) -> bool:
    """Whether the candidate must be shown as private."""
    return candidate.is_private is True or (strict and candidate.is_private is None)


def may_email(candidate: Candidate, *, strict: bool = False) -> bool:
    """Whether the candidate agreed to be emailed (unknown counts as yes unless strict)."""
    return candidate.can_email is True or (candidate.can_email is None and not strict)


def disclose(
    candidate: Candidate, view: View, *, strict: bool = False
) -> Disclosure | PrivateNotice:
    """Decide what `view` may show of `candidate`."""
    if is_private(candidate, strict=strict):
        return PrivateNotice()
    emailable = may_email(candidate, strict=strict)
    withheld: list[str] = []
    hide_emails = not emailable or view is not View.REQUESTER
    hide_phones = view is not View.REQUESTER
    if candidate.email_addresses and not emailable:
        withheld.append("email addresses: the candidate may not be emailed")
    elif candidate.email_addresses and hide_emails:
        withheld.append(f"email addresses: contact details stay out of the {view} view")
    if candidate.phone_numbers and hide_phones:
        withheld.append(f"phone numbers: contact details stay out of the {view} view")
    hidden = (candidate.email_addresses if hide_emails else ()) + (
        candidate.phone_numbers if hide_phones else ()
    )
    shown = _without(candidate, hidden, hide_emails=hide_emails, hide_phones=hide_phones)
    if _scrubbed_elsewhere(candidate, shown):
        withheld.append("contact details copied into other fields (title, tags, links…)")
    return Disclosure(candidate=shown, do_not_email=not emailable, withheld=tuple(withheld))


def retained(candidate: Candidate, *, strict: bool = False) -> Candidate:
    """The most any view may ever show of `candidate`, which is all a cache may keep."""
    decision = disclose(candidate, View.REQUESTER, strict=strict)
    if isinstance(decision, PrivateNotice):
        return candidate.private_stub()
    return decision.candidate


def _without(
    candidate: Candidate, hidden: tuple[str, ...], *, hide_emails: bool, hide_phones: bool
) -> Candidate:
    """A copy without raw data, without the hidden contact fields, and with their values
    scrubbed from any other text (an ATS may well copy an email into a title or a URL)."""
    scrub = _scrubber(hidden, any_email=hide_emails)
    # A link is dropped, not scrubbed: its type or its %-encoded form may carry the value too.
    urls = tuple(
        url
        for url in candidate.urls
        if all(scrub(t) == t for t in (url.value, unquote(url.value), url.url_type or ""))
    )
    return candidate.model_copy(
        update={
            "raw_data": None,
            "email_addresses": () if hide_emails else candidate.email_addresses,
            "phone_numbers": () if hide_phones else candidate.phone_numbers,
            "urls": urls,
            "first_name": _opt(scrub, candidate.first_name),
            "last_name": _opt(scrub, candidate.last_name),
            "company": _opt(scrub, candidate.company),
            "title": _opt(scrub, candidate.title),
            "avatar": _opt(scrub, candidate.avatar),
            "remote_id": _opt(scrub, candidate.remote_id),
            "locations": tuple(scrub(text) for text in candidate.locations),
            "tags": tuple(scrub(text) for text in candidate.tags),
        }
    )


def _scrubbed_elsewhere(original: Candidate, shown: Candidate) -> bool:
    """Whether scrubbing changed anything besides the contact fields themselves."""
    fields = ("first_name", "last_name", "company", "title", "avatar", "remote_id", "locations")
    return any(getattr(original, f) != getattr(shown, f) for f in (*fields, "tags", "urls"))


def _scrubber(values: tuple[str, ...], *, any_email: bool) -> _Scrub:
    """Replace the hidden values, and with `any_email` anything shaped like an email or a
    mailto:, by "[hidden]" (an ATS may hold someone else's address in a free-text field)."""
    # Very short values ("1", "a") would scrub ordinary words; no real email or phone is that short.
    needles = sorted({v for v in values if len(v) >= 5}, key=len, reverse=True)
    alternatives = [re.escape(n) for n in needles] + ([_EMAIL_LIKE, "mailto:"] if any_email else [])
    if not alternatives:
        return lambda text: text
    pattern = re.compile("|".join(alternatives), re.IGNORECASE)
    return lambda text: pattern.sub("[hidden]", text)


def _opt(scrub: _Scrub, text: str | None) -> str | None:
    return None if text is None else scrub(text)
