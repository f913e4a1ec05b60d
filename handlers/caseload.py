"""`/caseload`: a supervisor's center at a glance — one compact message, and a chart when the
center has more than a few case managers. The bureau picks a center.
"""

from __future__ import annotations

import asyncio
import html

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import charts
from bot.accounts import Staff
from bot.caseload import CenterCaseload, center_caseload
from bot.domain.permissions import Action
from bot.domain.roles import Role, UnitRole
from bot.services import Services
from handlers.base import Context, answer, expiring, in_rows, keyboard, reply, requires, services_of

CHART_FROM_WORKERS = 4  # "more than a few": below this the message says it all
CODES_SHOWN = 10


def _codes(codes: list[str]) -> str:
    shown = "、".join(codes[:CODES_SHOWN])
    return shown if len(codes) <= CODES_SHOWN else f"{shown}…（{len(codes)}）"


def summary(services: Services, reader: Staff, load: CenterCaseload) -> str:
    center = services.jurisdiction.unit(load.center_id)
    return services.text(
        reader,
        "caseload.summary",
        center=center.name if center else load.center_id,
        day=load.day,
        target=load.target,
        workers=load.workers,
        total=sum(w.open_cases for w in load.workers) + load.unassigned,
        unassigned=load.unassigned,
        reports=load.reports,
        overdue_codes=_codes(load.reports.overdue),
        behind=_codes(load.visits_behind),
    )


def chart(services: Services, reader: Staff, load: CenterCaseload) -> bytes:
    """The chart image; its words are plain text, not the HTML chat messages are written in."""
    center = services.jurisdiction.unit(load.center_id)

    def plain(key: str, **values: object) -> str:
        return html.unescape(services.text(reader, key, **values))

    return charts.caseload_png(
        [
            charts.WorkerLoad(
                name=w.name, open_cases=w.open_cases, tracked=w.tracked, overdue=w.overdue
            )
            for w in load.workers
        ],
        target=load.target,
        title=plain("caseload.chart_title", center=center.name if center else load.center_id),
        labels=charts.ChartLabels(
            axis=plain("caseload.chart_axis"),
            open_cases=plain("caseload.chart_open"),
            tracked=plain("caseload.chart_tracked"),
            target=plain("caseload.chart_target", target=load.target),
            overdue=plain("caseload.chart_overdue"),
        ),
    )


async def send_caseload(update: Update, context: Context, member: Staff, center_id: str) -> None:
    services = services_of(context)
    load = await center_caseload(
        services.cases,
        services.accounts,
        reader=member,
        center_id=center_id,
        target=services.jurisdiction.caseload_target,
        case_managers=await services.referrals.case_managers_of(center_id),
    )
    await expiring(context, await reply(update, summary(services, member, load)))
    if len(load.workers) >= CHART_FROM_WORKERS and update.effective_chat is not None:
        png = await asyncio.to_thread(chart, services, member, load)
        sent = await update.effective_chat.send_photo(png)
        await expiring(context, sent)


@requires(Action.VIEW_CASELOAD)
async def show_caseload(update: Update, context: Context, member: Staff) -> None:
    """Supervisors see their own center; the bureau is asked which."""
    services = services_of(context)
    if member.role is Role.ADMIN:
        centers = [
            u for u in services.jurisdiction.units if u.role is UnitRole.FAMILY_SERVICE_CENTER
        ]
        buttons = [(u.name, f"cl:{u.id}") for u in centers]
        await reply(
            update, services.text(member, "caseload.pick_center"), keyboard(in_rows(buttons, 2))
        )
        return
    if member.unit is None or member.unit.role is not UnitRole.FAMILY_SERVICE_CENTER:
        await reply(update, services.text(member, "caseload.centers_only"))
        return
    await send_caseload(update, context, member, member.unit.id)


@requires(Action.VIEW_CASELOAD)
async def pick_center(update: Update, context: Context, member: Staff) -> None:
    """`cl:<center>` (the bureau's choice)."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    await answer(query)
    center = services.jurisdiction.unit((query.data or "").removeprefix("cl:"))
    if (
        member.role is not Role.ADMIN
        or center is None
        or center.role is not UnitRole.FAMILY_SERVICE_CENTER
    ):
        await reply(update, services.text(member, "common.stale_button"))
        return
    await send_caseload(update, context, member, center.id)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("caseload", show_caseload))
    application.add_handler(CallbackQueryHandler(pick_center, pattern=r"^cl:"))
