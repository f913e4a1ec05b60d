"""A case's duties (待辦): monthly reports owed, 幸扶守護 visit windows, next steps — each with its
owner and due date. A supervisor excuses one with a reason code; a writer marks a next step done
by pointing at the entry that did it.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot.accounts import Staff
from bot.cases import taipei_today
from bot.domain.obligations import PICKABLE_WAIVERS, ObligationKind, WaiverReason, state_on
from bot.domain.permissions import Action
from bot.services import Services
from handlers.base import (
    LABEL_TEXT,
    Button,
    Context,
    answer,
    data_parts,
    expiring,
    in_rows,
    keyboard,
    readable_case,
    reply,
    requires,
    services_of,
    shortened,
)
from storage.records import ObligationRecord


async def duty_label(services: Services, reader: Staff, duty: ObligationRecord) -> str:
    """What the duty is, in a few words: "列管月報 2026-11", "幸扶守護訪視 第2期", "下一步：…"."""
    kind = ObligationKind(duty.kind)
    if kind is ObligationKind.NEXT_STEP:
        step_entry = await services.cases.entry(int(duty.period.removeprefix("entry-")))
        step = services.cases.next_step_of(step_entry) if step_entry else None
        return services.text(reader, "duty.next_step", step=shortened(step or "—", LABEL_TEXT))
    if kind is ObligationKind.PLANNED_VISIT:
        return services.text(
            reader, "duty.planned_visit", window=duty.period.removeprefix("visit-window-")
        )
    return services.text(reader, "duty.monthly_report", period=duty.period)


@requires(Action.VIEW_CASES)
async def show_duties(update: Update, context: Context, member: Staff) -> None:
    """`ob:<case>`: the case's open duties; excuse buttons for those this person may excuse."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    await answer(query)
    referral = await readable_case(update, context, member, (query.data or "")[3:])
    if referral is None:
        return
    duties = await services.cases.open_duties(referral)
    await services.accounts.record(
        "case.duties", "allowed", member=member, subject=f"referral:{referral.code}"
    )
    if not duties:
        await reply(update, services.text(member, "duty.none", code=referral.code))
        return
    today = taipei_today()
    lines = [services.text(member, "duty.title", code=referral.code)]
    buttons: list[Button] = []
    for duty in duties:
        label = await duty_label(services, member, duty)
        owner = await services.accounts.by_id(duty.owner_staff_id or 0)
        lines.append(
            services.text(
                member,
                "duty.line",
                label=label,
                due=duty.due,
                owner=owner.display_name if owner else None,
                overdue=state_on(duty.due, None, waived=False, today=today).value == "overdue",
            )
        )
        if services.cases.may_waive(member, referral, duty):
            buttons.append((services.text(member, "duty.waive", label=label), f"ow:{duty.id}"))
    sent = await reply(update, "\n".join(lines), keyboard(in_rows(buttons, 1)) if buttons else None)
    await expiring(context, sent)


@requires(Action.VIEW_CASES)
async def ask_waiver_reason(update: Update, context: Context, member: Staff) -> None:
    """`ow:<duty>`: why is it excused? Reasons are codes, so no family detail lands in them."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    await answer(query)
    raw_id = (query.data or "")[3:]
    buttons = [
        (services.text(member, f"waiver.{waiver.value}"), f"owr:{raw_id}:{waiver.value}")
        for waiver in PICKABLE_WAIVERS
    ]
    await reply(update, services.text(member, "duty.ask_reason"), keyboard(in_rows(buttons, 2)))


@requires(Action.VIEW_CASES)
async def waive(update: Update, context: Context, member: Staff) -> None:
    """`owr:<duty>:<reason>`: excused, on the case's history, audited."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    await answer(query)
    _, raw_id, reason = data_parts(query, 3)
    if not raw_id.isdigit() or reason not in {r.value for r in PICKABLE_WAIVERS}:
        await reply(update, services.text(member, "common.stale_button"))
        return
    result = await services.cases.waive(member, int(raw_id), WaiverReason(reason))
    if isinstance(result, str):
        await reply(update, services.text(member, f"reason.{result}"))
        return
    referral, duty = result
    await reply(
        update,
        services.text(
            member,
            "duty.waived",
            code=referral.code,
            label=await duty_label(services, member, duty),
            reason=services.text(member, f"waiver.{WaiverReason(reason).value}"),
        ),
    )


@requires(Action.UPDATE_CASE)
async def complete_step(update: Update, context: Context, member: Staff) -> None:
    """`nd:<duty>:<entry>`: the entry just written did this next step."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    await answer(query)
    _, raw_duty, raw_entry = data_parts(query, 3)
    if not (raw_duty.isdigit() and raw_entry.isdigit()):
        await reply(update, services.text(member, "common.stale_button"))
        return
    problem = await services.cases.complete_step(member, int(raw_duty), int(raw_entry))
    if problem:
        await reply(update, services.text(member, f"reason.{problem}"))
        return
    await reply(update, services.text(member, "duty.step_done"))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CallbackQueryHandler(show_duties, pattern=r"^ob:"))
    application.add_handler(CallbackQueryHandler(ask_waiver_reason, pattern=r"^ow:"))
    application.add_handler(CallbackQueryHandler(waive, pattern=r"^owr:"))
    application.add_handler(CallbackQueryHandler(complete_step, pattern=r"^nd:"))
