"""OAuth mode: the Home tab, connecting a workspace to its ATS, and uninstalling.

    app_home_opened          publish the Home tab: connected or not, since when, by whom
    button "connect_ats"     open the connect modal (for those who may connect)
    /candidate setup         the same modal, from the command's trigger_id
    view_submission          try the token once, then store it sealed or show the error
    app_uninstalled,         delete the installation and the connector token
    tokens_revoked

Who may connect: bot/tenancy/admins.py. Nothing here logs, shows or returns a token.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.context import AppContext
from bot.core.cards import apology_message
from bot.core.cards.workspace import (
    TOKEN_ACTION_ID,
    TOKEN_BLOCK_ID,
    connect_modal,
    home_view,
    setup_refused_message,
    token_errors,
    who_can_connect,
)
from bot.tenancy.admins import may_connect
from bot.tenancy.token_check import check_token

if TYPE_CHECKING:  # SQLAlchemy is loaded only in OAuth mode
    from bot.tenancy.workspaces import Workspaces

logger = logging.getLogger("bot.workspace")

Listener = Callable[..., Awaitable[None]]


def home_opened(app_context: AppContext, workspaces: Workspaces) -> Listener:
    """Build the `app_home_opened` listener: publish the Home tab for that user."""

    async def handle(
        event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        if event.get("tab", "home") != "home":
            return
        await publish_home(workspaces, client, str(context.team_id), str(event.get("user", "")))

    return handle


async def publish_home(
    workspaces: Workspaces, client: AsyncWebClient, team_id: str, user_id: str
) -> None:
    """Publish the Home tab as `user_id` should see it now."""
    installer = await workspaces.installer(team_id)
    connection = await workspaces.connections.find(team_id)
    info = connection.info if connection is not None else None
    view = home_view(
        connected_by=info.connected_by if info else None,
        connected_at=info.connected_at if info else None,
        may_connect=await may_connect(client, user_id, installer),
        installer=installer,
    )
    try:
        await client.views_publish(user_id=user_id, view=view)
    except SlackApiError as exc:
        logger.warning("views.publish team=%s failed: %s", team_id, exc.response.get("error"))


def connect_button(app_context: AppContext, workspaces: Workspaces) -> Listener:
    """Build the listener of the Home tab's "Connect your ATS" button."""

    async def handle(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        team_id, user_id = str(context.team_id), str(body.get("user", {}).get("id", ""))
        installer = await workspaces.installer(team_id)
        if not await may_connect(client, user_id, installer):
            # A Home tab has no place for a reply: publish it again, saying who can connect.
            await publish_home(workspaces, client, team_id, user_id)
            return
        await _open_modal(client, str(body.get("trigger_id", "")), team_id)

    return handle


async def setup_command(
    workspaces: Workspaces,
    ack: AsyncAck,
    command: dict[str, Any],
    client: AsyncWebClient,
    team_id: str,
) -> None:
    """`/candidate setup`: the connect modal for those who may connect, else who can."""
    user_id = str(command.get("user_id", ""))
    installer = await workspaces.installer(team_id)
    if not await may_connect(client, user_id, installer):
        await ack(response_type="ephemeral", **setup_refused_message(installer).as_payload())
        logger.info("setup team=%s user=%s outcome=refused", team_id, user_id)
        return
    if not await _open_modal(client, str(command.get("trigger_id", "")), team_id):
        await ack(response_type="ephemeral", **apology_message().as_payload())
        return
    await ack()
    logger.info("setup team=%s user=%s outcome=modal", team_id, user_id)


async def _open_modal(client: AsyncWebClient, trigger_id: str, team_id: str) -> bool:
    try:
        await client.views_open(trigger_id=trigger_id, view=connect_modal())
    except SlackApiError as exc:
        logger.warning("views.open team=%s failed: %s", team_id, exc.response.get("error"))
        return False
    return True


def submit_connection(app_context: AppContext, workspaces: Workspaces) -> Listener:
    """Build the connect modal's view_submission listener."""

    async def handle(
        ack: AsyncAck,
        body: dict[str, Any],
        view: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        # The installed team wins over the user's own team (Slack Connect, shared modals).
        team_id = str(view.get("app_installed_team_id") or context.team_id)
        user_id = str(body.get("user", {}).get("id", ""))
        token = _token_value(view)
        installer = await workspaces.installer(team_id)
        # Checked again: the modal may have stayed open while the user's role changed.
        if not await may_connect(client, user_id, installer):
            sentence = f"Only {who_can_connect(installer)} can connect this workspace."
            await ack(**token_errors(sentence))
            logger.info("connect team=%s user=%s outcome=not_allowed", team_id, user_id)
            return
        problem = await check_token(app_context.settings, token, pool=app_context.bindbee_pool)
        if problem is not None:
            await ack(**token_errors(problem))
            logger.info("connect team=%s user=%s outcome=refused", team_id, user_id)
            return
        await workspaces.connections.save(team_id, token, connected_by=user_id)
        await ack()
        logger.info("connect team=%s user=%s outcome=connected", team_id, user_id)
        app_context.inflight.spawn(
            publish_home(workspaces, client, team_id, user_id), "home after connect"
        )

    return handle


def _token_value(view: dict[str, Any]) -> str:
    values = view.get("state", {}).get("values", {})
    value = values.get(TOKEN_BLOCK_ID, {}).get(TOKEN_ACTION_ID, {}).get("value")
    return value.strip() if isinstance(value, str) else ""


def uninstalled(workspaces: Workspaces) -> Listener:
    """Build the listener for `app_uninstalled`: forget the workspace entirely."""

    async def handle(context: AsyncBoltContext) -> None:
        await _forget(workspaces, context, "app_uninstalled")

    return handle


def tokens_revoked(workspaces: Workspaces) -> Listener:
    """Build the listener for `tokens_revoked`: a revoked bot token means uninstalled."""

    async def handle(event: dict[str, Any], context: AsyncBoltContext) -> None:
        if event.get("tokens", {}).get("bot"):
            await _forget(workspaces, context, "tokens_revoked")

    return handle


async def _forget(workspaces: Workspaces, context: AsyncBoltContext, why: str) -> None:
    team_id = context.team_id
    if not team_id:
        return
    await workspaces.forget(team_id, context.enterprise_id)
    logger.info("workspace team=%s forgotten (%s): installation and connection gone", team_id, why)
