"""Connecting a workspace: try a connector token against Bindbee once, within a bound.

Used by the connect modal (which must answer Slack within 3 s) and by
`python -m bot workspaces connect`. The answer is a sentence for a person, or None when
Bindbee accepted the token; neither the token nor Bindbee's body is ever in it.
"""

from __future__ import annotations

import asyncio
import re

from bot.ats.client import BindbeeClient, BindbeePool
from bot.ats.errors import AuthRefused, LookupFailure, RateLimited, Unavailable
from bot.config import Settings

CHECK_SECONDS = 2.0  # the modal's answer must reach Slack within 3 s, check included
_TOKEN_SHAPE = re.compile(r"[\x21-\x7e]{8,500}")  # visible ASCII: it travels in a header


def token_problem(token: str) -> str | None:
    """Why `token` cannot be a connector token, without sending it anywhere; None if it may be."""
    if not _TOKEN_SHAPE.fullmatch(token):
        return (
            "That does not look like a connector token: paste it as the Bindbee dashboard "
            "shows it (8 to 500 visible characters, no spaces)."
        )
    return None


async def check_token(
    settings: Settings,
    token: str,
    *,
    pool: BindbeePool | None = None,
    seconds: float = CHECK_SECONDS,
) -> str | None:
    """None when Bindbee accepts `token`; otherwise what to tell the person connecting."""
    problem = token_problem(token)
    if problem is not None:
        return problem
    # One try, bounded: a retry would not fit in Slack's 3 s.
    client = BindbeeClient.for_connector(
        settings, token, pool=pool, deadline=seconds, max_attempts=1
    )
    try:
        async with asyncio.timeout(seconds + 0.2):
            await client.check_credentials()
    except AuthRefused as error:
        return error.detail or "Bindbee refused this connector token."
    except RateLimited as error:
        return f"Bindbee is rate-limiting us; try again in {error.retry_after_seconds} s."
    except (Unavailable, TimeoutError):
        return "Bindbee did not answer in time, so the token could not be checked; try again."
    except LookupFailure as error:
        return f"Bindbee did not accept the check ({error.kind}); try again later."
    finally:
        await client.aclose()
    return None
