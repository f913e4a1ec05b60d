"""The receiving center decides: 受案 (assign a case manager), 退回 (with a reason), 再轉
(to another center). The referring worker is told each decision; the first decision counts."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot.accounts import Staff
from bot.domain.permissions import Action
from bot.domain.roles import UnitRole
from bot.domain.text import clean_text
from bot.referrals import Decided, DecisionProblem
from handlers import referral_notices
from handlers.base import (
    Context,
    answer,
    in_rows,
    keyboard,
    notify,
    reply,
    requires,
    services_of,
    split_data,
)

RETURN_REASON = "return_reason"
REASON_MAX = 500


@requires(Action.DECIDE_REFERRAL)
async def press(update: Update, context: Context, member: Staff) -> None:
    """`rd:<referral id>:<acc|cm:<staff id>|ret|re|to:<center id>>`."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    _, raw_id, action, *args = split_data(query, 3)
    referral = await services.referrals.by_id(int(raw_id)) if raw_id.isdigit() else None
    if referral is None:
        await answer(query, services.text(member, "common.stale_button"), alert=True)
        return
    if not services.referrals.may_decide(member, referral):
        await answer(query, services.text(member, "decision.not_allowed"), alert=True)
        return
    if referral.status != "waiting":
        await answer(
            query, services.text(member, "decision.already_decided", code=referral.code), alert=True
        )
        return
    await answer(query)
    if action == "acc":
        managers = await services.referrals.case_managers_of(referral.center_id)
        if not managers:
            await reply(update, services.text(member, "decision.no_case_managers"))
            return
        buttons = [(m.display_name or "—", f"rd:{referral.id}:cm:{m.id}") for m in managers]
        await reply(
            update,
            services.text(member, "decision.pick_case_manager", code=referral.code),
            keyboard(in_rows(buttons, 2)),
        )
    elif action == "cm" and args and args[0].isdigit():
        await show(
            update,
            context,
            member,
            await services.referrals.accept(member, referral.id, int(args[0])),
        )
    elif action == "ret":
        await services.cases.expect(member, RETURN_REASON, str(referral.id))
        await reply(update, services.text(member, "decision.ask_reason", code=referral.code))
    elif action == "re":
        centers = [
            unit
            for unit in services.jurisdiction.units
            if unit.role is UnitRole.FAMILY_SERVICE_CENTER and unit.id != referral.center_id
        ]
        buttons = [(unit.name, f"rd:{referral.id}:to:{unit.id}") for unit in centers]
        await reply(
            update,
            services.text(member, "decision.pick_center", code=referral.code),
            keyboard(in_rows(buttons, 2)),
        )
    elif action == "to" and args:
        await show(
            update, context, member, await services.referrals.rerefer(member, referral.id, args[0])
        )
    else:
        await reply(update, services.text(member, "common.stale_button"))


async def receive_reason(update: Update, context: Context, member: Staff, referral_id: int) -> None:
    """The text after 退回 is the reason (redacted before it is stored)."""
    services = services_of(context)
    message = update.message
    assert message is not None
    reason = clean_text(message.text or "")
    if not reason:
        await reply(update, services.text(member, "decision.reason_needed"))
        return
    if len(reason) > REASON_MAX:
        await reply(update, services.text(member, "decision.reason_too_long", limit=REASON_MAX))
        return
    await services.cases.forget_expected(member)
    await show(
        update,
        context,
        member,
        await services.referrals.return_to_referrer(member, referral_id, reason),
    )


async def receive_reason_for(update: Update, context: Context, member: Staff, subject: str) -> None:
    await receive_reason(update, context, member, int(subject))


async def show(
    update: Update, context: Context, member: Staff, result: Decided | DecisionProblem
) -> None:
    """Tell the decider, the referrer and (after 再轉) the new center what happened."""
    services = services_of(context)
    if isinstance(result, DecisionProblem):
        await reply(update, services.text(member, f"decision.problem.{result.value}"))
        return
    referral = result.referral
    if referral.status == "accepted":
        manager = await services.accounts.by_id(referral.case_manager_id or 0)
        name = manager.display_name if manager else "—"
        await reply(
            update,
            services.text(
                member,
                "decision.accepted",
                code=referral.code,
                manager=name,
                conference=referral.target_conference,
                adhoc=referral.adhoc,
            ),
        )
        await referral_notices.to_referrer(
            context, referral, "notice.accepted", conference=referral.target_conference
        )
        if manager is not None:
            await notify(
                context,
                manager,
                services.text(
                    manager, "notice.assigned", code=referral.code, urgent=referral.urgent
                ),
            )
    elif referral.status == "returned":
        await reply(update, services.text(member, "decision.returned", code=referral.code))
        await referral_notices.to_referrer(
            context, referral, "notice.returned", reason=services.referrals.return_reason(referral)
        )
    else:
        await reply(update, services.text(member, "decision.rereferred", code=referral.code))
        await referral_notices.to_referrer(context, referral, "notice.rereferred")
        await referral_notices.to_receiving_center(context, referral)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CallbackQueryHandler(press, pattern=r"^rd:"))
