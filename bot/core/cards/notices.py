"""Short cards that say something other than "here is the candidate".

Each is one section of our own words, plus a context line that echoes what the user asked
for (`ref`, escaped), so that in a reply about several ids each answer says which id it is
about. Nothing here ever takes a candidate, so no candidate data can end up in a notice.
"""

from __future__ import annotations

from typing import Literal

from bot.ats.errors import (
    AuthRefused,
    BadResponse,
    InvalidId,
    InvalidRequest,
    LookupFailure,
    NotFound,
    RateLimited,
    Unavailable,
    UnknownLink,
)
from bot.ats.ids import MAX_ID_LENGTH
from bot.core.cards.blocks import Json, context, mrkdwn, section
from bot.core.cards.message import Message, build
from bot.core.cards.text import escape_and_cut, escape_mrkdwn, one_line

_REF_LIMIT = 200

# One sentence per error kind, already escaped; looked up along the error's class hierarchy.
_ERROR_SENTENCES: dict[type[LookupFailure], str] = {
    AuthRefused: "The ATS refused our credentials — ask an admin to check the Bindbee credentials.",
    NotFound: "No candidate found. It may not be synced to Bindbee yet; check the id or link.",
    Unavailable: "The ATS did not answer. Try again in a minute.",
    BadResponse: "The ATS sent an answer we could not read. Try again later; "
    "if it keeps happening, tell an admin.",
    InvalidRequest: "The ATS did not accept this request; check the id or link.",
    LookupFailure: "The lookup failed. Try again later; if it keeps happening, tell an admin.",
}


def notice(sentence: str, *, ref: str | None = None) -> Message:
    """A one-sentence card (`sentence` is already-escaped mrkdwn), echoing `ref` if given."""
    blocks: list[Json] = [section(text=mrkdwn(sentence))]
    shown_ref = one_line(ref)
    if shown_ref:
        echo = f"You asked for: {escape_and_cut(shown_ref, _REF_LIMIT)}"
        blocks.append(context([mrkdwn(echo)]))
    return build(sentence, blocks)


def private_notice(ref: str | None = None) -> Message:
    """The card for a private candidate: the fact, and nothing about the person."""
    return notice("This candidate is private in the ATS, so nothing about them is shown.", ref=ref)


def error_message(error: LookupFailure, *, ref: str | None = None) -> Message:
    """One short card per kind of ATS error, echoing `ref` if given."""
    if isinstance(error, UnknownLink):
        typed = escape_and_cut(one_line(error.candidate_id) or "(nothing)", _REF_LIMIT)
        return notice(
            f"“{typed}” is not a candidate link I recognise: paste the link to a candidate's "
            "page in your ATS, or a Bindbee id."
        )
    if isinstance(error, InvalidId):
        typed = escape_and_cut(one_line(error.candidate_id) or "(nothing)", _REF_LIMIT)
        return notice(
            f"“{typed}” is not a valid candidate id: ids are letters, digits and `. _ ~ -`, "
            f"up to {MAX_ID_LENGTH} characters."
        )
    if isinstance(error, RateLimited):
        sentence = f"The ATS is rate-limiting us — try again in {error.retry_after_seconds} s."
        return notice(sentence, ref=ref)
    kind = next(k for k in type(error).__mro__ if k in _ERROR_SENTENCES)
    return notice(_ERROR_SENTENCES[kind], ref=ref)


def usage_message(*, max_ids: int) -> Message:
    """How to use /candidate."""
    lines = [
        "*Look up a candidate*",
        "• `/candidate jane@acme.com`: by email address (an exact match)",
        "• `/candidate Jane Doe`: by name; one word searches first and last names",
        "• `/candidate <link>`: paste a link to the candidate in your ATS",
        "• `/candidate <id>`: by Bindbee id",
        f"• `/candidate Jane Doe, jane@acme.com, <id>`: up to {max_ids} at once, separated "
        "by commas or new lines (ids, links and emails by spaces too)",
        "Several matches come as a list: *Show* opens a card. Only you see the answer. "
        "*Share in channel* on a card shows it to the channel, without contact details.",
    ]
    return build("How to use /candidate", [section(text=mrkdwn(escape_mrkdwn("\n".join(lines))))])


def too_many_note(given: int, limit: int) -> Message:
    """Says that only the first `limit` of `given` lookups were made."""
    return notice(
        f"Only the first {limit} of {given} lookups were made: one command takes at most {limit}."
    )


def apology_message() -> Message:
    """The answer to an unexpected error: an apology, and no details."""
    return notice(
        "Sorry, something went wrong on our side. Try again; if it keeps happening, tell an admin."
    )


def share_refused_message(ref: str | None = None) -> Message:
    """Says that sharing was refused because the candidate has become private."""
    return notice("Share refused: the candidate is private now, so nothing was shared.", ref=ref)


def share_blocked_message(reach: Literal["external", "unknown"], ref: str | None = None) -> Message:
    """Says that nothing was shared because the conversation is, or may be, external."""
    if reach == "external":
        why = "this conversation includes people from another organisation (Slack Connect)"
    else:
        why = (
            "I could not check whether this conversation includes people from another organisation"
        )
    return notice(f"Not shared: {why}, and candidate cards stay inside yours.", ref=ref)


def cannot_reply_message() -> Message:
    """Says that the answer cannot be delivered: Slack gave no reply address we post to."""
    return notice(
        "I cannot answer this command: it came without a Slack reply address. "
        "Try again; if it keeps happening, tell an admin."
    )
