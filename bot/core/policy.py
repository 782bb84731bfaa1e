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

Applications (the hiring pipeline) follow the same views:

    requester   up to 5, most recent first: job, stage, status (rejected with its date),
                applied date, source, reject reason; and how many more there are
    channel     up to 5: job, stage and status only (no reject reason, no source)
    unfurl      the most recent active application's job and stage, and how many more

    confidential  a job whose `confidential` is true or unknown is never named, in any
                  view: someone reading Slack may not be allowed to see it in the ATS
    rejected      `rejected_at` or `reject_reason` set; otherwise active (Bindbee has no
                  status field on applications)

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
from datetime import datetime
from enum import StrEnum
from typing import TypeAlias, TypeVar

from bot.ats.models import Application, Candidate, CandidateUrl, Job, Pipeline, RejectReason, Stage
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
MAX_APPLICATIONS = 5  # shown in the requester and channel views
_Text: TypeAlias = Callable[[str | None], str | None]
_Named = TypeVar("_Named", Job, Stage, RejectReason)


class View(StrEnum):
    """Where a card is going, which decides who will see it."""

    REQUESTER = "requester"
    CHANNEL = "channel"
    UNFURL = "unfurl"


@dataclass(frozen=True)
class PrivateNotice:
    """The candidate is private: show that fact only."""


class Status(StrEnum):
    """Where an application stands; Bindbee has no field for it, so the policy decides."""

    ACTIVE = "active"
    REJECTED = "rejected"


@dataclass(frozen=True)
class ShownApplication:
    """What a view may show of one application; None where it shows nothing."""

    job: str | None  # the job's name; None when unknown or confidential
    confidential: bool  # the job may not be named: the card says "Confidential job"
    stage: str | None
    status: Status
    rejected_at: datetime | None
    applied_at: datetime | None = None  # requester view only
    source: str | None = None  # requester view only
    reject_reason: str | None = None  # requester view only


@dataclass(frozen=True)
class ShownPipeline:
    """The applications a view may show, most recent first, and what it must say about the rest."""

    applications: tuple[ShownApplication, ...]
    more: int  # applications not shown
    more_pages: bool  # Bindbee had more than we read, so `more` is a lower bound
    problem: str | None  # the applications could not be read: say so, in our words
    gaps: bool  # some jobs, stages or reasons could not be read


@dataclass(frozen=True)
class Disclosure:
    """What a view may show: a candidate with the withheld values removed."""

    candidate: Candidate
    do_not_email: bool
    withheld: tuple[str, ...]  # plain-words reasons, for `preview`
    pipeline: ShownPipeline | None = None  # None: the applications were not looked up


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
    return _decide(candidate, view, strict=strict, shown_pipeline=True)


def _decide(
    candidate: Candidate, view: View, *, strict: bool, shown_pipeline: bool
) -> Disclosure | PrivateNotice:
    """`disclose`; without `shown_pipeline`, the view's list of applications is left out
    (`retained` keeps the candidate alone)."""
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
    pipeline = None
    if shown.pipeline is not None and shown_pipeline:
        withheld += _pipeline_withheld(candidate.pipeline, view)
        pipeline = _shown_pipeline(shown.pipeline, view)
    return Disclosure(
        candidate=shown, do_not_email=not emailable, withheld=tuple(withheld), pipeline=pipeline
    )


def application_status(application: Application) -> Status:
    """Rejected when Bindbee gives a rejection date or reason, otherwise active."""
    rejected = application.rejected_at is not None or application.reject_reason is not None
    return Status.REJECTED if rejected else Status.ACTIVE


def is_confidential(job: Job | str | None) -> bool:
    """Whether a job may not be named: its `confidential` flag is true or unknown.

    A bare id (not resolved) is not a name, and no job at all names nothing, so neither is.
    """
    return isinstance(job, Job) and job.confidential is not False


def redacted_job(job: Job) -> Job:
    """A job as a cache may keep it: a confidential one without its name or status."""
    if not is_confidential(job):
        return job
    return Job(id=job.id, confidential=True)


def retained(candidate: Candidate, *, strict: bool = False) -> Candidate:
    """The most any view may ever show of `candidate`, which is all a cache may keep."""
    decision = _decide(candidate, View.REQUESTER, strict=strict, shown_pipeline=False)
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
            "pipeline": _redacted_pipeline(candidate.pipeline, text),
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
    # The pipeline is not compared, so it is left out of the copy.
    cut = _without(
        original.model_copy(update={"pipeline": None}), (), hide_emails=False, hide_phones=False
    )
    fields = ("first_name", "last_name", "company", "title", "avatar", "remote_id", "locations")
    return any(getattr(cut, f) != getattr(shown, f) for f in (*fields, "tags", "urls"))


def _redacted_pipeline(pipeline: Pipeline | None, text: _Text) -> Pipeline | None:
    """The pipeline without confidential job names, its free text scrubbed like the rest."""
    if pipeline is None:
        return None
    applications = tuple(_redacted(app, text) for app in pipeline.applications)
    if all(new is old for new, old in zip(applications, pipeline.applications, strict=True)):
        return pipeline  # nothing to redact: the models are frozen, so no copy is needed
    return pipeline.model_copy(update={"applications": applications})


def _redacted(application: Application, text: _Text) -> Application:
    job, stage, reason = application.job, application.current_stage, application.reject_reason
    if isinstance(job, Job):
        job = redacted_job(job)
        job = _renamed(job, text(job.name))
    if isinstance(stage, Stage):
        stage = _renamed(stage, text(stage.name))
    if isinstance(reason, RejectReason):
        reason = _renamed(reason, text(reason.name))
    source = text(application.source)
    if (
        job is application.job
        and stage is application.current_stage
        and reason is application.reject_reason
        and source == application.source
    ):
        return application  # copies cost more than the scrubbing; a card makes many
    return application.model_copy(
        update={"job": job, "current_stage": stage, "reject_reason": reason, "source": source}
    )


def _renamed(record: _Named, name: str | None) -> _Named:
    """`record` with `name`, copied only when that changes it."""
    return record if name == record.name else record.model_copy(update={"name": name})


def _shown_pipeline(pipeline: Pipeline, view: View) -> ShownPipeline:
    """What `view` shows of an (already redacted) pipeline."""
    ordered = sorted(pipeline.applications, key=_recency)
    if view is View.UNFURL:
        active = [app for app in ordered if application_status(app) is Status.ACTIVE]
        chosen = active[:1]
    else:
        chosen = ordered[:MAX_APPLICATIONS]
    return ShownPipeline(
        applications=tuple(_shown(app, view) for app in chosen),
        more=len(ordered) - len(chosen),
        more_pages=pipeline.more_pages,
        problem=pipeline.problem,
        gaps=pipeline.gaps,
    )


def _recency(application: Application) -> tuple[bool, float]:
    """Sort key: most recently applied first, applications without a date last."""
    applied = application.applied_at
    return (applied is None, -applied.timestamp() if applied is not None else 0.0)


def _shown(application: Application, view: View) -> ShownApplication:
    job, stage, reason = application.job, application.current_stage, application.reject_reason
    confidential = is_confidential(job)
    status = application_status(application)
    requester = view is View.REQUESTER  # only the requester sees when, where from and why
    return ShownApplication(
        job=job.name if isinstance(job, Job) and not confidential else None,
        confidential=confidential,
        stage=stage.name if isinstance(stage, Stage) else None,
        status=status,
        rejected_at=application.rejected_at if status is Status.REJECTED else None,
        applied_at=application.applied_at if requester else None,
        source=application.source if requester else None,
        reject_reason=reason.name if requester and isinstance(reason, RejectReason) else None,
    )


def _pipeline_withheld(pipeline: Pipeline | None, view: View) -> list[str]:
    """Plain-words reasons for what the view leaves out of the applications."""
    if pipeline is None:
        return []
    apps = pipeline.applications
    reasons = []
    if any(is_confidential(app.job) for app in apps):
        reasons.append("names of confidential jobs (or jobs not marked either way): never shown")
    if view is not View.REQUESTER and any(app.source or app.reject_reason for app in apps):
        reasons.append(f"sources and reject reasons: they stay out of the {view} view")
    return reasons
