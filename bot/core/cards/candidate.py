"""The candidate card: what bot.core.policy lets a view show, laid out as Block Kit.

    header   the name                                       (the unfurl puts it in the section)
    section  title at company; fields: locations, tags, last interaction,
             applications, attachments; the avatar as accessory (https only)
    section  "Do not email" marker                          (when the candidate may not be emailed)
    section  fields: emails, phones                         (whatever the policy left in)
    actions  one link button per http(s) URL, at most 5     (not in the unfurl)
    actions  "Share in channel"                             (requester view, when asked for)
    context  ATS id · synced by Bindbee · shared by · "+N more links"

That is at most 7 blocks, so five cards and their dividers fit in one 50-block message.
This module never decides what may be shown: it renders the candidate that `disclose`
returns, from which the withheld values are already gone.
"""

from __future__ import annotations

import re
from typing import Any

from bot.ats.errors import LookupFailure
from bot.ats.ids import is_plausible_id
from bot.ats.models import Candidate
from bot.core.cards.blocks import (
    Json,
    actions,
    button,
    context,
    header,
    image,
    mrkdwn,
    plain_text,
    section,
)
from bot.core.cards.limits import MAX_HEADER
from bot.core.cards.message import Message, build, checked
from bot.core.cards.notices import error_message, private_notice
from bot.core.cards.text import (
    capped_list,
    escape_and_cut,
    link_label,
    one_line,
    safe_url,
    slack_date,
    truncate,
)
from bot.core.policy import Disclosure, PrivateNotice, View, disclose

LINK_ACTION_PREFIX = "candidate_link"
SHARE_ACTION_ID = "candidate_share"
MAX_LINK_BUTTONS = 5

_UNNAMED = "Unnamed candidate"
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,40}")
# Sizes that read well in a card; every one is far below Slack's own limits.
_ROLE_LIMIT = 500
_ID_LIMIT = 200
_FALLBACK_NAME_LIMIT = 100
_LIST_LIMIT = 600


def candidate_message(
    candidate: Candidate,
    view: View,
    *,
    strict: bool = False,
    ref: str | None = None,
    share_button: bool = False,
    shared_by: str | None = None,
    show_avatar: bool = True,
) -> Message:
    """The card for `candidate` in `view`, or the private notice (echoing only `ref`)."""
    decision = disclose(candidate, view, strict=strict)
    if isinstance(decision, PrivateNotice):
        return private_notice(ref)
    share = share_button and view is View.REQUESTER
    blocks = _card(decision, compact=False, share=share, shared_by=shared_by, avatar=show_avatar)
    name = escape_and_cut(_display_name(decision.candidate), _FALLBACK_NAME_LIMIT)
    return build(f"Candidate: {name}", blocks)


def unfurl_blocks(
    candidate: Candidate, *, strict: bool = False, show_avatar: bool = True
) -> list[dict[str, Any]] | None:
    """The compact card for chat.unfurl, or None for a private candidate (no preview at all)."""
    decision = disclose(candidate, View.UNFURL, strict=strict)
    if isinstance(decision, PrivateNotice):
        return None
    blocks = _card(decision, compact=True, share=False, shared_by=None, avatar=show_avatar)
    return checked(blocks)


def outcome_message(
    outcome: Candidate | LookupFailure,
    view: View,
    *,
    strict: bool = False,
    ref: str | None = None,
    share_button: bool = False,
    shared_by: str | None = None,
) -> Message:
    """The card for a lookup's outcome: a candidate, or the error that ended it."""
    if isinstance(outcome, LookupFailure):
        return error_message(outcome, ref=ref)
    return candidate_message(
        outcome, view, strict=strict, ref=ref, share_button=share_button, shared_by=shared_by
    )


def _card(
    disclosure: Disclosure, *, compact: bool, share: bool, shared_by: str | None, avatar: bool
) -> list[Json]:
    shown = disclosure.candidate
    links = _links(shown)
    buttons = [] if compact else links[:MAX_LINK_BUTTONS]
    blocks = [
        None if compact else header(plain_text(truncate(_display_name(shown), MAX_HEADER))),
        _profile(shown, lead=_display_name(shown) if compact else None, avatar=avatar),
        _do_not_email() if disclosure.do_not_email else None,
        _contacts(shown),
        _link_buttons(buttons),
        _share_button(shown) if share else None,
        _footer(shown, shared_by=shared_by, more_links=0 if compact else len(links) - len(buttons)),
    ]
    return [block for block in blocks if block is not None]


def _display_name(candidate: Candidate) -> str:
    return one_line(candidate.full_name) or _UNNAMED


def _profile(candidate: Candidate, *, lead: str | None, avatar: bool) -> Json | None:
    """Who they are: an optional bold lead (the name), the role, the facts, the photo."""
    role = " at ".join(
        escape_and_cut(text, _ROLE_LIMIT) for text in _texts((candidate.title, candidate.company))
    )
    lines = [f"*{escape_and_cut(lead, _ROLE_LIMIT)}*" if lead else "", role]
    text = "\n".join(line for line in lines if line)
    last = candidate.last_interaction_at
    fields = _fields(
        ("Locations", _list(candidate.locations)),
        ("Tags", _list(candidate.tags)),
        ("Last interaction", slack_date(last) if last else ""),
        ("Applications", _count(candidate.applications)),
        ("Attachments", _count(candidate.attachments)),
    )
    photo = safe_url(candidate.avatar, https_only=True) if avatar and candidate.avatar else None
    if not text and not fields:
        return None  # nothing to say; a photo alone cannot make a section
    return section(
        text=mrkdwn(text) if text else None,
        fields=fields,
        accessory=image(image_url=photo, alt_text="Candidate photo") if photo else None,
    )


def _do_not_email() -> Json:
    return section(
        text=mrkdwn(":no_entry_sign: *Do not email*: this candidate has not agreed to be emailed.")
    )


def _contacts(candidate: Candidate) -> Json | None:
    fields = _fields(
        ("Email", _list(candidate.email_addresses, sep="\n", max_items=5)),
        ("Phone", _list(candidate.phone_numbers, sep="\n", max_items=5)),
    )
    return section(fields=fields) if fields else None


def _links(candidate: Candidate) -> list[tuple[str, str]]:
    """(url, label) for each distinct URL that is safe to show, in the ATS's order."""
    found: dict[str, str] = {}
    for link in candidate.urls:
        url = safe_url(link.value)
        if url and url not in found:
            found[url] = link_label(url, link.url_type)
    return list(found.items())


def _link_buttons(links: list[tuple[str, str]]) -> Json | None:
    # A link button takes the URL as data, so no ATS URL ever goes into mrkdwn `<url|label>`.
    buttons = [
        button(text=plain_text(label), url=url, action_id=f"{LINK_ACTION_PREFIX}_{index}")
        for index, (url, label) in enumerate(links)
    ]
    return actions(buttons) if buttons else None


def _share_button(candidate: Candidate) -> Json | None:
    if not is_plausible_id(candidate.id):
        return None  # the share handler could not look it up again anyway
    share = button(
        text=plain_text("Share in channel"), action_id=SHARE_ACTION_ID, value=candidate.id
    )
    return actions([share])


def _footer(candidate: Candidate, *, shared_by: str | None, more_links: int) -> Json:
    remote_id = one_line(candidate.remote_id)
    notes = [
        f"ATS id: {escape_and_cut(remote_id, _ID_LIMIT)}" if remote_id else "",
        f"Synced by Bindbee {slack_date(candidate.modified_at)}",
        f"Shared by <@{shared_by}>" if shared_by and _USER_ID.fullmatch(shared_by) else "",
        f"+{more_links} more {'link' if more_links == 1 else 'links'}" if more_links > 0 else "",
    ]
    return context([mrkdwn(note) for note in notes if note])


def _texts(values: tuple[str | None, ...]) -> list[str]:
    """The values cleaned to one line each, empty ones left out."""
    return [text for text in map(one_line, values) if text]


def _list(values: tuple[str, ...], *, sep: str = ", ", max_items: int = 15) -> str:
    items = _texts(values)
    return capped_list(items, limit=_LIST_LIMIT, item_limit=200, max_items=max_items, sep=sep)


def _count(ids: tuple[str, ...]) -> str:
    return str(len(ids)) if ids else ""


def _fields(*pairs: tuple[str, str]) -> list[Json]:
    """`*Label*` over value, one field per pair whose value is not empty."""
    return [mrkdwn(f"*{label}*\n{value}") for label, value in pairs if value]
