"""Status moves from the case card: 後追 and back, closure approved or refused, reopening.

Asking to close is an entry (申請結案) written with /update; the supervisor answers it here. The
lead worker hears the answer.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot.accounts import Staff
from bot.domain.case_status import MOVE_EVENTS, CaseStatus
from bot.domain.permissions import Action
from handlers.base import Context, answer, notify, readable_case, reply, requires, services_of


def move_data(referral_id: int, source: CaseStatus, target: CaseStatus) -> str:
    """`cs:<case>:<from>:<to>` — the status it was shown in, so a stale button cannot move it."""
    return f"cs:{referral_id}:{source.value}:{target.value}"


@requires(Action.VIEW_CASES)
async def move(update: Update, context: Context, member: Staff) -> None:
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    await answer(query)
    parts = (query.data or "").split(":")
    statuses = {s.value for s in CaseStatus}
    if len(parts) != 4 or not parts[1].isdigit() or not {parts[2], parts[3]} <= statuses:
        await reply(update, services.text(member, "common.stale_button"))
        return
    source, target = CaseStatus(parts[2]), CaseStatus(parts[3])
    referral = await readable_case(update, context, member, parts[1])
    if referral is None:
        return
    problem = await services.cases.move(member, referral, expected=source, target=target)
    if problem:
        await reply(update, services.text(member, f"reason.{problem}", code=referral.code))
        return
    event = MOVE_EVENTS[(source, target)].value
    await reply(
        update,
        services.text(
            member,
            "move.done",
            code=referral.code,
            status=services.text(member, f"case_status.{target.value}"),
        ),
    )
    lead = await services.accounts.by_id(referral.case_manager_id or 0)
    if lead is not None and lead.id != member.id and lead.active:
        await notify(
            context,
            lead,
            services.text(
                lead,
                "move.told_lead",
                code=referral.code,
                event=services.text(lead, f"referral_event.{event}"),
                by=member.display_name,
            ),
        )


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CallbackQueryHandler(move, pattern=r"^cs:"))
