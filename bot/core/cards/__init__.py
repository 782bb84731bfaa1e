"""Block Kit cards: candidate cards, notices and error cards, as validated Slack messages.

    text.py       escaping, truncation, dates, URL checks and link labels
    limits.py     Block Kit limits, and check_limits() for all of them
    blocks.py     Block Kit blocks and elements, written as plain dicts
    message.py    Message (fallback text + blocks) and combine(); build() checks every limit
    notices.py    private notice, errors, usage, apology and other short cards
    candidate.py  the candidate card and the unfurl
    search.py     the answer to a search: no match, one card, or a list with Show buttons

Every builder is a pure function of its arguments: no I/O, no logging, no clock.
"""

from bot.core.cards.candidate import (
    ATS_ACTION_ID,
    LINK_ACTION_PREFIX,
    MAX_LINK_BUTTONS,
    SHARE_ACTION_ID,
    candidate_message,
    outcome_message,
    unfurl_blocks,
)
from bot.core.cards.limits import check_limits
from bot.core.cards.message import Message, combine
from bot.core.cards.notices import (
    apology_message,
    cannot_reply_message,
    error_message,
    private_notice,
    share_blocked_message,
    share_refused_message,
    too_many_note,
    usage_message,
)
from bot.core.cards.search import (
    SHOW_ACTION_ID,
    match_list_message,
    no_match_message,
    search_message,
)
from bot.core.cards.text import escape_mrkdwn, truncate

__all__ = [
    "ATS_ACTION_ID",
    "LINK_ACTION_PREFIX",
    "MAX_LINK_BUTTONS",
    "SHARE_ACTION_ID",
    "SHOW_ACTION_ID",
    "Message",
    "apology_message",
    "candidate_message",
    "cannot_reply_message",
    "check_limits",
    "combine",
    "error_message",
    "escape_mrkdwn",
    "match_list_message",
    "no_match_message",
    "outcome_message",
    "private_notice",
    "search_message",
    "share_blocked_message",
    "share_refused_message",
    "too_many_note",
    "truncate",
    "unfurl_blocks",
    "usage_message",
]
