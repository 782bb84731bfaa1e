"""Who may connect a workspace to an ATS.

The rule: the user who installed the app there, and the workspace's admins and owners.
The installer comes from the stored installation; admins and owners from `users.info`
(`is_admin`, `is_owner`, `is_primary_owner`; https://api.slack.com/methods/users.info),
which needs the `users:read` scope. Without that scope, or when Slack does not answer,
only the installer may connect: a failure never grants the right.

The rule is checked when the modal is opened and again when it is submitted, since a
modal can stay open while someone's role changes.
"""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

logger = logging.getLogger("bot.tenancy")

USERS_INFO_SECONDS = 2.0


async def may_connect(client: AsyncWebClient, user_id: str, installer: str | None) -> bool:
    """Whether `user_id` may connect the workspace that `client`'s token belongs to."""
    if not user_id:
        return False
    if user_id == installer:
        return True
    try:
        async with asyncio.timeout(USERS_INFO_SECONDS):  # the modal must answer within 3 s
            response = await client.users_info(user=user_id)
    except SlackApiError as exc:
        logger.warning("users.info failed (%s): only the installer may connect", _code(exc))
        return False
    except (SlackClientError, OSError, TimeoutError) as exc:
        logger.warning("users.info failed (%s): only the installer may connect", type(exc).__name__)
        return False
    user = response.get("user")
    if not isinstance(user, dict) or user.get("deleted"):
        return False
    return any(user.get(flag) is True for flag in ("is_admin", "is_owner", "is_primary_owner"))


def _code(exc: SlackApiError) -> str:
    data = exc.response.data if exc.response is not None else None
    error = data.get("error") if isinstance(data, dict) else None
    return str(error) if isinstance(error, str) and error.isidentifier() else "?"
