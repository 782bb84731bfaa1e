"""The answer to a search by email or name.

    no match        one sentence naming what was searched
    one match       the candidate's card, as for an id (bot/core/cards/candidate.py)
    several         section  "3 candidates match the name “Maya Patel”:"
                    section  one per candidate (at most 10): *name*, title at company,
                             and a **Show** button carrying the candidate's id
                    context  how many more, and how to narrow the search

Only public candidates ever reach this module: bot/lookups.py drops the private ones before
counting, and a search that read any says nothing of the pages it did not read. Each row is
drawn from the policy's channel view, so it never holds a contact detail, not even one copied
into a title. A search whose only matches are private therefore gets the very same "no
match" answer as a search with none.
"""

from __future__ import annotations

from bot.ats.ids import is_plausible_id
from bot.ats.models import Candidate
from bot.core.cards.blocks import Json, button, context, mrkdwn, plain_text, section
from bot.core.cards.candidate import candidate_message
from bot.core.cards.message import Message, build
from bot.core.cards.notices import notice
from bot.core.cards.text import escape_and_cut, one_line
from bot.core.policy import PrivateNotice, View, disclose
from bot.core.search import SearchKey, SearchResult

SHOW_ACTION_ID = "candidate_show"

_SEARCHED_LIMIT = 200
_NAME_LIMIT = 150
_ROLE_LIMIT = 300
_UNNAMED = "Unnamed candidate"


def search_message(key: SearchKey, result: SearchResult, *, strict: bool = False) -> Message:
    """The answer to one search: no match, the one candidate's card, or a list."""
    if result.count == 0:
        return no_match_message(key)
    if result.count == 1 and not result.maybe_more:
        return candidate_message(
            result.shown[0], View.REQUESTER, strict=strict, ref=key.text, share_button=True
        )
    return match_list_message(key, result, strict=strict)


def no_match_message(key: SearchKey) -> Message:
    """Says that nothing matched, naming what was searched."""
    if key.kind == "email":
        return notice(f"No candidate has the email address {_searched(key)}.")
    return notice(
        f"No candidate matches the name {_searched(key)}. Check the spelling, "
        "or search by email address."
    )


def match_list_message(key: SearchKey, result: SearchResult, *, strict: bool = False) -> Message:
    """One row per shown candidate, each with a Show button, then how many more."""
    rows = [row for row in (_row(c, strict=strict) for c in result.shown) if row is not None]
    what = "email address" if key.kind == "email" else "name"
    count = f"At least {result.count}" if result.maybe_more else f"{result.count} candidates"
    heading = f"{count} match the {what} {_searched(key)}:"
    blocks = [section(text=mrkdwn(heading)), *rows]
    blocks.append(context([mrkdwn(_footer(key, result, len(rows)))]))
    return build(heading.rstrip(":") + ".", blocks)


def _row(candidate: Candidate, *, strict: bool) -> Json | None:
    # The channel view: no email or phone in a row, even one the ATS copied into a title.
    decision = disclose(candidate, View.CHANNEL, strict=strict)
    if isinstance(decision, PrivateNotice):
        return None
    shown = decision.candidate
    name = escape_and_cut(one_line(shown.full_name) or _UNNAMED, _NAME_LIMIT)
    role = " at ".join(
        escape_and_cut(text, _ROLE_LIMIT)
        for text in map(one_line, (shown.title, shown.company))
        if text
    )
    text = f"*{name}*" + (f"\n{role}" if role else "")
    show = None
    if is_plausible_id(shown.id):  # the Show handler looks the id up again
        show = button(text=plain_text("Show"), action_id=SHOW_ACTION_ID, value=shown.id)
    return section(text=mrkdwn(text), accessory=show)


def _footer(key: SearchKey, result: SearchResult, rows: int) -> str:
    hidden = result.count - rows
    if hidden > 0:
        more = f"{hidden} more not shown{', and maybe others' if result.maybe_more else ''}."
    elif result.maybe_more:
        more = "There may be more."
    else:
        more = "Press Show to see a candidate's card."
    if key.kind == "email":
        return f"{more} Several candidates have this email address: Show tells them apart."
    return (
        f"{more} To narrow it down, give the first and last name, or search by "
        "email address, which is exact."
    )


def _searched(key: SearchKey) -> str:
    return f"“{escape_and_cut(one_line(key.text) or '(nothing)', _SEARCHED_LIMIT)}”"
