"""`python -m bot preview`: one candidate's card, or a search's list, in the terminal.

It takes the path a Slack lookup takes, so what it shows is what Slack users would get:

    parse_query (ids, links, emails and names, through the configured link table)
    → Lookups(source, ttl=0).fetch or .search    source: the demo data (--demo) or Bindbee,
                                                 for the candidate and its applications
    → unfurl_blocks (unfurl view) or outcome_message (requester and channel views)
    → for a search: search_message (no match, or the list with Show buttons); exactly one
      match is fetched again by id, as the Show button does, and shown as its card

Then it prints the card as text, what the privacy policy withheld and why, and a Block Kit
Builder link to the same JSON; `--json` prints only the JSON payload.

Exit status: 0 for a card (the private notice included: that is a correct answer), 1 when
the lookup fails, 2 for unusable settings or arguments.
"""

from __future__ import annotations

import json
import sys
import textwrap
from dataclasses import dataclass
from urllib.parse import quote

from bot.ats.client import BindbeeClient
from bot.ats.errors import InvalidId, LookupFailure
from bot.ats.models import Candidate
from bot.cli.demo import DemoSource, demos
from bot.cli.terminal import emit, render_blocks, safe_text
from bot.config import LookupSettings, Settings, SettingsError
from bot.core.cards import Message, outcome_message, search_message, truncate, unfurl_blocks
from bot.core.cards.text import one_line
from bot.core.policy import PrivateNotice, View, disclose, is_private
from bot.core.query import QueryItem, looks_like_id, parse_query
from bot.core.search import SearchKey, SearchResult
from bot.lookups import LookupKey, Lookups

BLOCK_KIT_BUILDER = "https://app.slack.com/block-kit-builder/#"
EXAMPLE_DEMO = "maya-patel"  # the full profile: the best first look

_WHO_SEES = {
    View.REQUESTER: "only the person who asked sees it (the /candidate answer)",
    View.CHANNEL: "everyone in the channel sees it, after Share in channel",
    View.UNFURL: "the link preview everyone in the conversation sees",
}


async def run_preview(ref: str | None, *, demo: bool, view: str, as_json: bool) -> int:
    """Print the card for `ref` (or, with no ref, list the demo data); return the exit status."""
    if ref is None or not ref.strip():
        return _list_or_refuse(as_json)
    try:
        # Bindbee's credentials are needed only without --demo.
        settings = Settings.load() if demo else LookupSettings.load()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        if not demo:
            print("To try the bundled demo candidates instead, add --demo.", file=sys.stderr)
        return 2
    # The demo ids are words ("maya-patel"), which a Slack command would read as a name.
    demo_ids = {d.id for d in demos()} if demo else set()
    query = parse_query(
        ref, settings.link_patterns(), is_id=lambda word: looks_like_id(word) or word in demo_ids
    )
    if query.wants_help:
        return _list_or_refuse(as_json)
    if len(query.items) != 1 or query.left_out:
        count = len(query.items) + query.left_out
        print(
            f"preview shows one lookup: give one id, link, email or name (got {count}).",
            file=sys.stderr,
        )
        return 2
    item, shown_in, strict = query.items[0], View(view), settings.privacy_strict
    try:
        outcome = await _look_up(item, _source(settings), settings)
        if isinstance(outcome, Matches):
            message = search_message(outcome.key, outcome.result, strict=strict)
            report = describe_matches(outcome, message, demo=demo)
        else:
            message = card_message(
                outcome,
                shown_in,
                ref=item.ref,
                strict=strict,
                ats_profile_url=settings.ats_profile_url,
            )
            report = describe(item, outcome, shown_in, message, strict=strict)
        if as_json:
            report = json.dumps(message.as_payload(), indent=2)
    except Exception as exc:  # a diagnostic tool must not end in a traceback either
        print(f"preview failed unexpectedly ({type(exc).__name__}).", file=sys.stderr)
        return 1
    emit(report)
    failed = isinstance(outcome, LookupFailure) or (
        isinstance(outcome, Matches) and outcome.result.count == 0
    )
    return 1 if failed else 0


@dataclass(frozen=True)
class Matches:
    """A search that did not end in exactly one candidate: no match, or a list."""

    key: SearchKey
    result: SearchResult


def describe_matches(matches: Matches, message: Message, *, demo: bool) -> str:
    """The terminal report for a search's list (or its "no match"), and how to open a row."""
    count = matches.result.count
    what = f"{matches.key.kind} “{matches.key.text}”"
    if count == 0:
        heading = f"Requester view of the search for {what}: no match"
    else:
        heading = (
            f"Requester view of the search for {what}: {count} matches, in a list that only "
            "the person who asked sees"
        )
    sections = [heading, textwrap.indent(render_blocks(message.blocks), "  ")]
    if count:
        command = "python -m bot preview" + (" --demo" if demo else "")
        opens = "\n".join(f"  {command} {candidate.id}" for candidate in matches.result.shown)
        sections.append(f"In Slack, Show opens a candidate's card. Here:\n{opens}")
    sections.append(f"See it as Slack draws it, in Block Kit Builder:\n{builder_url(message)}")
    return safe_text("\n\n".join(sections))


def card_message(
    outcome: Candidate | LookupFailure,
    view: View,
    *,
    ref: str,
    strict: bool = False,
    ats_profile_url: str | None = None,
) -> Message:
    """The message Slack would get for this outcome in this view."""
    if view is View.UNFURL and isinstance(outcome, Candidate):
        blocks = unfurl_blocks(outcome, strict=strict)
        if blocks is None:
            return Message(text="No link preview: the candidate is private.", blocks=())
        return Message(text="Candidate link preview", blocks=tuple(blocks))
    # Slack's requester card carries the share button; preview shows the same card.
    return outcome_message(
        outcome,
        view,
        strict=strict,
        ref=ref,
        share_button=view is View.REQUESTER,
        ats_profile_url=ats_profile_url,
    )


def describe(
    item: QueryItem,
    outcome: Candidate | LookupFailure,
    view: View,
    message: Message,
    *,
    strict: bool = False,
) -> str:
    """The terminal report: the card as text, what was withheld, and a Block Kit Builder link."""
    if isinstance(outcome, LookupFailure):
        # Slack leaves a link without a preview when its lookup fails; the words are for you.
        result = "the lookup failed" + (
            ", so the link gets no preview" if view is View.UNFURL else ""
        )
    else:
        result = _WHO_SEES[view]
    heading = f"{view.value.capitalize()} view of {item.ref}: {result}"
    card = render_blocks(message.blocks) or "(no preview: Slack shows the bare link)"
    sections = [heading, textwrap.indent(card, "  ")]
    if isinstance(outcome, Candidate):
        reasons = "\n".join(f"  • {reason}" for reason in withheld(outcome, view, strict=strict))
        sections.append(f"What the policy hid, and why:\n{reasons}")
    if item.key is None and item.ref.lower().startswith(("http://", "https://")):
        sections.append(f"Note: no link pattern matches {item.ref}; see UNFURL_PATTERNS.")
    if message.blocks:
        sections.append(f"See it as Slack draws it, in Block Kit Builder:\n{builder_url(message)}")
    return safe_text("\n\n".join(sections))


def withheld(candidate: Candidate, view: View, *, strict: bool = False) -> list[str]:
    """What the privacy policy kept out of this view, and why, in plain words."""
    decision = disclose(candidate, view, strict=strict)
    if isinstance(decision, PrivateNotice):
        if view is View.UNFURL:
            return ["everything: the candidate is private, so the link gets no preview at all"]
        return ["everything: the candidate is private, so the card says only that"]
    return list(decision.withheld) or ["nothing: this view may show all the ATS sent"]


def builder_url(message: Message) -> str:
    """A Block Kit Builder link that opens these blocks."""
    blocks = json.dumps({"blocks": list(message.blocks)}, separators=(",", ":"))
    return BLOCK_KIT_BUILDER + quote(blocks, safe="")


def demo_listing() -> str:
    """The demo candidates (id, who, what each shows) and how to preview one."""
    lines = ["Demo candidates, bundled with the app (no tokens needed):", ""]
    for demo in demos():
        candidate = demo.candidate
        who = (
            "a private candidate"
            if is_private(candidate)
            else truncate(one_line(candidate.full_name) or "an unnamed candidate", 40)
        )
        lines.append(f"  {demo.id:<16} {who} (ATS id {candidate.remote_id})")
        lines.append(
            textwrap.fill(demo.shows, width=92, initial_indent=" " * 6, subsequent_indent=" " * 6)
        )
    remote_id = next(d.candidate.remote_id for d in demos() if d.id == EXAMPLE_DEMO)
    lines += [
        "",
        "Preview one:",
        f"  python -m bot preview --demo {EXAMPLE_DEMO}",
        "Options:",
        "  --view channel     the card once shared in a channel (no contact details)",
        "  --view unfurl      the preview of a pasted link",
        "  --json             only the Block Kit JSON payload",
        "A link, an email or a name works too (several matches come as a list):",
        f"  python -m bot preview --demo https://app.greenhouse.io/people/{remote_id}",
        "  python -m bot preview --demo maya.patel@example.com",
        '  python -m bot preview --demo "Maya Patel"',
        "  python -m bot preview --demo Patel",
        "Your own ATS: set BINDBEE_API_KEY and BINDBEE_CONNECTOR_TOKEN, and leave out --demo.",
    ]
    return safe_text("\n".join(lines))


def _list_or_refuse(as_json: bool) -> int:
    if as_json:
        print("--json needs a candidate id or link.", file=sys.stderr)
        return 2
    emit(demo_listing())
    return 0


def _source(settings: Settings) -> BindbeeClient | DemoSource:
    """Bindbee when the settings carry its credentials (no --demo), else the demo data."""
    if isinstance(settings, LookupSettings):
        return BindbeeClient.from_settings(settings)
    return DemoSource()


async def _look_up(
    item: QueryItem, source: BindbeeClient | DemoSource, settings: Settings
) -> Candidate | LookupFailure | Matches:
    """Fetch (with the applications) or search as the app does, uncached; the error, when
    the lookup fails."""
    lookups = Lookups(
        source,
        ttl=0,
        strict=settings.privacy_strict,
        pipeline=source,
        reference_ttl=0,
        deadline=settings.lookup_deadline,
    )
    try:
        if item.key is None:
            return item.error or InvalidId(item.ref)
        if isinstance(item.key, LookupKey):
            return await lookups.fetch(item.key)
        result = await lookups.search(item.key)
        if result.count == 1 and not result.maybe_more:
            # As the Show button does: the card from a fresh fetch by id.
            return await lookups.fetch(LookupKey("id", result.shown[0].id))
        return Matches(item.key, result)
    except LookupFailure as error:
        return error
    finally:
        await lookups.aclose()
