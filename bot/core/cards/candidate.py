"""The candidate card: what bot.core.policy lets a view show, laid out as Block Kit.

    header   the name                                       (the unfurl puts it in the section)
    section  title at company; fields: locations, tags, last interaction,
             applications (a count, when the pipeline was not looked up), attachments;
             the avatar as accessory (https only)
    section  "Do not email" marker                          (when the candidate may not be emailed)
    section  fields: emails, phones                         (whatever the policy left in)
    section  the pipeline: one line per application, "+N more"
             (the unfurl: one context line; a context note when it could not be read)
    actions  "Open in ATS" (from ATS_PROFILE_URL), then one link button per http(s) URL,
             at most 5                                      (not in the unfurl)
    actions  "Share in channel"                             (requester view, when asked for)
    context  ATS id · synced by Bindbee · shared by · "+N more links"

That is at most 8 blocks, so five cards and their dividers fit in one 50-block message.
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
from bot.core.cards.limits import MAX_HEADER, MAX_TEXT
from bot.core.cards.message import Message, build, checked
from bot.core.cards.notices import error_message, private_notice
from bot.core.cards.text import (
    capped_list,
    escape_and_cut,
    link_label,
    one_line,
    safe_url,
    slack_date,
    slack_day,
    truncate,
)
from bot.core.links import profile_url
from bot.core.policy import (
    Disclosure,
    PrivateNotice,
    ShownApplication,
    ShownPipeline,
    Status,
    View,
    disclose,
)

LINK_ACTION_PREFIX = "candidate_link"
ATS_ACTION_ID = f"{LINK_ACTION_PREFIX}_ats"  # a link button too: acknowledged like the others
SHARE_ACTION_ID = "candidate_share"
MAX_LINK_BUTTONS = 5

_UNNAMED = "Unnamed candidate"
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,40}")
# Sizes that read well in a card; every one is far below Slack's own limits.
_ROLE_LIMIT = 500
_ID_LIMIT = 200
_FALLBACK_NAME_LIMIT = 100
_LIST_LIMIT = 600
_JOB_LIMIT = 120
_STAGE_LIMIT = 80
_REASON_LIMIT = 120
_SOURCE_LIMIT = 60
_PIPELINE_TEXT_LIMIT = MAX_TEXT - 100  # room for the "+N more" line
# Why the applications are missing, by the kind of failure (`Pipeline.problem`).
_PIPELINE_PROBLEMS = {
    "timeout": "the ATS did not send them in time",
    "unavailable": "the ATS did not answer",
    "bad_response": "the ATS sent an answer we could not read",
    "rate_limited": "the ATS is rate-limiting us",
    "auth_refused": "the ATS refused our credentials for them",
}


def candidate_message(
    candidate: Candidate,
    view: View,
    *,
    strict: bool = False,
    ref: str | None = None,
    share_button: bool = False,
    shared_by: str | None = None,
    show_avatar: bool = True,
    ats_profile_url: str | None = None,
) -> Message:
    """The card for `candidate` in `view`, or the private notice (echoing only `ref`).

    `ats_profile_url` is the ATS_PROFILE_URL template for the "Open in ATS" button.
    """
    decision = disclose(candidate, view, strict=strict)
    if isinstance(decision, PrivateNotice):
        return private_notice(ref)
    share = share_button and view is View.REQUESTER
    blocks = _card(
        decision,
        compact=False,
        share=share,
        shared_by=shared_by,
        avatar=show_avatar,
        ats_template=ats_profile_url,
    )
    name = escape_and_cut(_display_name(decision.candidate), _FALLBACK_NAME_LIMIT)
    return build(f"Candidate: {name}", blocks)


def unfurl_blocks(
    candidate: Candidate, *, strict: bool = False, show_avatar: bool = True
) -> list[dict[str, Any]] | None:
    """The compact card for chat.unfurl, or None for a private candidate (no preview at all)."""
    decision = disclose(candidate, View.UNFURL, strict=strict)
    if isinstance(decision, PrivateNotice):
        return None
    blocks = _card(
        decision, compact=True, share=False, shared_by=None, avatar=show_avatar, ats_template=None
    )
    return checked(blocks)


def outcome_message(
    outcome: Candidate | LookupFailure,
    view: View,
    *,
    strict: bool = False,
    ref: str | None = None,
    share_button: bool = False,
    shared_by: str | None = None,
    ats_profile_url: str | None = None,
) -> Message:
    """The card for a lookup's outcome: a candidate, or the error that ended it."""
    if isinstance(outcome, LookupFailure):
        return error_message(outcome, ref=ref)
    return candidate_message(
        outcome,
        view,
        strict=strict,
        ref=ref,
        share_button=share_button,
        shared_by=shared_by,
        ats_profile_url=ats_profile_url,
    )


def _card(
    disclosure: Disclosure,
    *,
    compact: bool,
    share: bool,
    shared_by: str | None,
    avatar: bool,
    ats_template: str | None,
) -> list[Json]:
    shown = disclosure.candidate
    links = _links(shown)
    buttons = [] if compact else links[:MAX_LINK_BUTTONS]
    pipeline = disclosure.pipeline
    blocks = [
        None if compact else header(plain_text(truncate(_display_name(shown), MAX_HEADER))),
        _profile(
            shown,
            lead=_display_name(shown) if compact else None,
            avatar=avatar,
            count_applications=pipeline is None,
        ),
        _do_not_email() if disclosure.do_not_email else None,
        _contacts(shown),
        None if pipeline is None else _pipeline(pipeline, compact=compact),
        _link_buttons(buttons, ats=None if compact else _ats_link(shown, ats_template)),
        _share_button(shown) if share else None,
        _footer(shown, shared_by=shared_by, more_links=0 if compact else len(links) - len(buttons)),
    ]
    return [block for block in blocks if block is not None]


def _display_name(candidate: Candidate) -> str:
    return one_line(candidate.full_name) or _UNNAMED


def _profile(
    candidate: Candidate, *, lead: str | None, avatar: bool, count_applications: bool
) -> Json | None:
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
        ("Applications", _count(candidate.applications) if count_applications else ""),
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


def _link_buttons(links: list[tuple[str, str]], *, ats: str | None) -> Json | None:
    # A link button takes the URL as data, so no ATS URL ever goes into mrkdwn `<url|label>`.
    buttons = [
        button(text=plain_text(label), url=url, action_id=f"{LINK_ACTION_PREFIX}_{index}")
        for index, (url, label) in enumerate(links)
    ]
    if ats is not None:
        buttons.insert(0, button(text=plain_text("Open in ATS"), url=ats, action_id=ATS_ACTION_ID))
    return actions(buttons) if buttons else None


def _ats_link(candidate: Candidate, template: str | None) -> str | None:
    """The candidate's page in the ATS, from the ATS_PROFILE_URL template and the ATS id."""
    remote_id = candidate.remote_id
    if template is None or remote_id is None:
        return None
    return safe_url(profile_url(template, remote_id), https_only=True)


def _pipeline(pipeline: ShownPipeline, *, compact: bool) -> Json | None:
    """The applications: a section of lines, the unfurl's one line, or a note on what failed."""
    if pipeline.problem is not None:
        why = _PIPELINE_PROBLEMS.get(pipeline.problem, "they could not be read")
        note = f":warning: Applications not shown: {why}."
        return context([mrkdwn(note)])
    if compact:
        return _pipeline_line(pipeline)
    lines: list[str] = []
    left = len(pipeline.applications) + pipeline.more
    for application in pipeline.applications:
        line = f"• {_application(application)}"
        if sum(len(text) + 1 for text in lines) + len(line) > _PIPELINE_TEXT_LIMIT:
            break
        lines.append(line)
        left -= 1
    if left:
        lines.append(_more(left, more_pages=pipeline.more_pages))
    if not lines:
        lines.append("No application on record")
    if pipeline.gaps:
        lines.append("_Some jobs, stages or reject reasons could not be read._")
    return section(text=mrkdwn("*Applications*\n" + "\n".join(lines)))


def _pipeline_line(pipeline: ShownPipeline) -> Json | None:
    """The unfurl's one line: the most recent active application, and how many more."""
    if not pipeline.applications and not pipeline.more:
        return None
    parts = ["*Applications:*"]
    if pipeline.applications:
        current = pipeline.applications[0]
        parts.append(" · ".join(filter(None, (_job(current), _stage(current)))))
    else:
        parts.append("no active application")
    if pipeline.more:
        parts.append(f"+{pipeline.more}{'+' if pipeline.more_pages else ''} more")
    return context([mrkdwn(" ".join(parts))])


def _application(application: ShownApplication) -> str:
    """One application on one line: job · stage · status · applied · source."""
    status = "Active"
    if application.status is Status.REJECTED:
        status = "Rejected"
        if application.rejected_at is not None:
            status += f" {slack_day(application.rejected_at)}"
        reason = one_line(application.reject_reason)
        if reason:
            status += f" ({escape_and_cut(reason, _REASON_LIMIT)})"
    source = one_line(application.source)
    parts = [
        _job(application),
        _stage(application),
        status,
        f"applied {slack_day(application.applied_at)}" if application.applied_at else "",
        f"via {escape_and_cut(source, _SOURCE_LIMIT)}" if source else "",
    ]
    return " · ".join(part for part in parts if part)


def _job(application: ShownApplication) -> str:
    if application.confidential:
        return "_Confidential job_"
    name = one_line(application.job)
    return f"*{escape_and_cut(name, _JOB_LIMIT)}*" if name else "_Job unknown_"


def _stage(application: ShownApplication) -> str:
    stage = one_line(application.stage)
    return escape_and_cut(stage, _STAGE_LIMIT) if stage else ""


def _more(count: int, *, more_pages: bool) -> str:
    noun = "application" if count == 1 and not more_pages else "applications"
    return f"… and {'at least ' if more_pages else ''}{count} more {noun}"


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
