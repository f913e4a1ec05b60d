"""Approval of new staff: the people who may decide get the application with two buttons.

The first decision counts; anyone pressing later is told it is already decided. The applicant is
told the outcome either way.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler

from bot.accounts import DecisionOutcome, Staff
from bot.domain.permissions import Action
from handlers.base import (
    Context,
    answer,
    data_parts,
    keyboard,
    requires,
    services_of,
    show_commands,
)

log = logging.getLogger(__name__)


async def ask_approvers(context: Context, applicant: Staff) -> None:
    """Send the application to everyone who may decide it."""
    services = services_of(context)
    approvers = await services.accounts.approvers_for(applicant)
    for approver in approvers:
        text = services.text(
            approver,
            "approval.request",
            name=applicant.display_name,
            role=services.role_name(approver, applicant.role),
            unit=applicant.unit_name,
        )
        buttons = keyboard(
            [
                [
                    (
                        services.text(approver, "approval.approve"),
                        f"stf:ok:{applicant.id}:{applicant.invite_id}",
                    ),
                    (
                        services.text(approver, "approval.reject"),
                        f"stf:no:{applicant.id}:{applicant.invite_id}",
                    ),
                ]
            ]
        )
        try:
            sent = await context.bot.send_message(
                approver.telegram_user_id, text, reply_markup=buttons
            )
        except TelegramError as error:
            log.warning("approval request to staff %s not delivered: %s", approver.id, error)
            continue
        await services.accounts.remember_copy(_subject(applicant.id), sent.chat_id, sent.message_id)


def _subject(applicant_id: int) -> str:
    return f"application:{applicant_id}"


@requires(Action.APPROVE_STAFF)
async def decide(update: Update, context: Context, approver: Staff) -> None:
    """✅ / ❌ on an application."""
    services = services_of(context)
    query = update.callback_query
    if query is None or query.data is None:
        return
    _, verdict, raw_id, raw_invite = data_parts(query, 4)
    if not raw_id.isdigit() or not raw_invite.isdigit() or verdict not in ("ok", "no"):
        await answer(query, services.text(approver, "common.stale_button"), alert=True)
        return
    outcome, applicant = await services.accounts.decide(
        approver, int(raw_id), approve=verdict == "ok", invite_id=int(raw_invite)
    )
    if outcome is DecisionOutcome.NOT_FOUND or applicant is None:
        await answer(query, services.text(approver, "common.stale_button"), alert=True)
        return
    if outcome is DecisionOutcome.NOT_ALLOWED:
        await answer(query, services.text(approver, "approval.not_allowed"), alert=True)
        return
    decider = await services.accounts.decided_by(applicant) or approver
    key = "approval.approved_by" if applicant.active else "approval.rejected_by"
    await answer(
        query,
        services.text(approver, "approval.already_decided")
        if outcome is DecisionOutcome.ALREADY_DECIDED
        else None,
    )
    if query.message is not None:
        try:
            await query.edit_message_text(
                services.text(
                    approver,
                    key,
                    name=applicant.display_name,
                    unit=applicant.unit_name,
                    approver=decider.display_name,
                )
            )
        except TelegramError as error:
            log.info("approval message not updated: %s", error)
    if outcome is DecisionOutcome.DONE:
        pressed = (query.message.chat.id, query.message.message_id) if query.message else None
        await _settle_other_copies(context, applicant, decider, key, pressed=pressed)
        await tell_applicant(context, applicant)


async def _settle_other_copies(
    context: Context,
    applicant: Staff,
    decider: Staff,
    key: str,
    *,
    pressed: tuple[int, int] | None,
) -> None:
    """Every other approver's copy loses its buttons and says who decided it."""
    services = services_of(context)
    for chat_id, message_id in await services.accounts.take_copies(_subject(applicant.id)):
        if (chat_id, message_id) == pressed:
            continue
        reader = await services.accounts.by_telegram_id(chat_id)
        text = services.text(
            reader or decider,
            key,
            name=applicant.display_name,
            unit=applicant.unit_name,
            approver=decider.display_name,
        )
        try:
            await context.bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)
        except TelegramError as error:
            # The copy that was pressed is already edited; an old one may be gone.
            log.info("approval copy not updated: %s", error)


async def tell_applicant(context: Context, applicant: Staff) -> None:
    services = services_of(context)
    if applicant.active:
        text = services.text(
            applicant,
            "approval.you_are_approved",
            role=services.role_name(applicant, applicant.role),
            unit=applicant.unit_name,
        )
    else:
        text = services.text(applicant, "approval.you_are_rejected")
    try:
        await context.bot.send_message(applicant.telegram_user_id, text)
    except TelegramError as error:
        log.warning("decision not delivered to staff %s: %s", applicant.id, error)
    if applicant.active:
        await show_commands(context, applicant)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CallbackQueryHandler(decide, pattern=r"^stf:"))
