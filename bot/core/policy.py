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

    hidden      views that hide emails hide anything shaped like one too, and views that
                hide phones anything shaped like a phone (bot/core/contacts.py), in every
                other field: an ATS copies them into titles, tags and links

`disclose` returns either a `PrivateNotice` (which holds no data at all) or a `Disclosure`
whose candidate has the withheld values physically removed, so the card code cannot show
what the policy withheld, even by mistake.

The ATS's text is cut to what a card could ever show, plus a margin, before anything
searches it: texts to `MAX_TEXT_KEPT` characters, lists to `MAX_ITEMS_KEPT` items, of which
only the first `MAX_ITEMS_READ` keep their text, cut to `MAX_ITEM_KEPT` (the others only
count towards "+N more"), and links to the first `MAX_LINKS_READ`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from bot.ats.models import Candidate, CandidateUrl
from bot.core.contacts import Finder

# Cards show at most 500 characters of one value, 15 items of a list and 5 links; the margin
# keeps every cut out of sight, so a value cut in two can never show half an address.
MAX_TEXT_KEPT = 1000  # a card shows at most 500 characters of a value
MAX_ITEM_KEPT = 400  # …and 200 of a list item
MAX_URL_KEPT = 3000  # Block Kit's URL limit: a longer link is never shown
MAX_ITEMS_READ = 30  # …and 15 items of a list
MAX_LINKS_READ = 100  # …and 5 links, counting the others for "+N more links"
MAX_ITEMS_KEPT = 1000
NOT_READ = "…"  # stands for an item past MAX_ITEMS_READ: counted, never shown


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
    if (hide_emails or hide_phones) and _hid_elsewhere(candidate, shown):
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
    """A copy without raw data, cut to size, without the hidden contact fields, and with
    contact details hidden in any other text (an ATS may well copy an email into a title)."""
    finder = Finder.build(hidden, emails=hide_emails, phones=hide_phones)

    def text(value: str | None) -> str | None:
        return None if value is None else finder.hide(value[:MAX_TEXT_KEPT])

    def texts(values: tuple[str, ...]) -> tuple[str, ...]:
        return _cut(values, finder.hide)

    avatar = (
        candidate.avatar if candidate.avatar and len(candidate.avatar) <= MAX_URL_KEPT else None
    )
    return candidate.model_copy(
        update={
            "raw_data": None,
            "email_addresses": () if hide_emails else _cut(candidate.email_addresses),
            "phone_numbers": () if hide_phones else _cut(candidate.phone_numbers),
            "urls": _links(candidate.urls, finder),
            "first_name": text(candidate.first_name),
            "last_name": text(candidate.last_name),
            "company": text(candidate.company),
            "title": text(candidate.title),
            "avatar": avatar and finder.hide(avatar),
            "remote_id": text(candidate.remote_id),
            "locations": texts(candidate.locations),
            "tags": texts(candidate.tags),
        }
    )


def _links(urls: tuple[CandidateUrl, ...], finder: Finder) -> tuple[CandidateUrl, ...]:
    """The links that carry no hidden detail, at most MAX_LINKS_READ of them.

    A link is dropped, not edited: a link with "[hidden]" in it would lead somewhere else.
    The finder decodes %-escapes, so `jane%40example.com` in a query is found too. A link
    that no card would show (too long, or with whitespace or invisible characters in it)
    is dropped unread."""
    return tuple(
        url
        for url in urls[:MAX_LINKS_READ]
        if len(url.value) <= MAX_URL_KEPT
        and url.value.isprintable()
        and " " not in url.value
        and finder.hide(url.value) == url.value
        and finder.hide((url.url_type or "")[:MAX_TEXT_KEPT]) == (url.url_type or "")
    )


def _cut(values: tuple[str, ...], hide: Callable[[str], str] = str) -> tuple[str, ...]:
    """A list cut to size: the first MAX_ITEMS_READ items (cut, then `hide` applied), and
    up to MAX_ITEMS_KEPT in all, the others as NOT_READ, so "+N more" still counts them."""
    kept = values[:MAX_ITEMS_KEPT]
    read = tuple(hide(value[:MAX_ITEM_KEPT]) for value in kept[:MAX_ITEMS_READ])
    return read + (NOT_READ,) * (len(kept) - len(read))


def _hid_elsewhere(original: Candidate, shown: Candidate) -> bool:
    """Whether anything was hidden besides the contact fields themselves."""
    cut = _without(original, (), hide_emails=False, hide_phones=False)
    fields = ("first_name", "last_name", "company", "title", "avatar", "remote_id", "locations")
    return any(getattr(cut, f) != getattr(shown, f) for f in (*fields, "tags", "urls"))
