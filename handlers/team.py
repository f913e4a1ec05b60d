"""Who serves the family (服務團隊): the lead center and the co-serving units. The center's
supervisor adds a unit (its staff may then write entries) or records that one stopped serving
(its staff can no longer write; what they wrote stays).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot.accounts import Staff
from bot.cases import joinable
from bot.domain.jurisdiction import Unit
from bot.domain.permissions import Action
from bot.services import Services
from handlers.base import (
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
)
from storage.records import ReferralRecord


def joinable_units(
    services: Services, referral: ReferralRecord, team: frozenset[str]
) -> list[Unit]:
    """Network units working in the family's district (or city-wide) not yet serving it."""
    return [
        unit
        for unit in services.jurisdiction.units
        if joinable(unit, referral.district) and unit.id not in team
    ]


@requires(Action.VIEW_CASES)
async def show_team(update: Update, context: Context, member: Staff) -> None:
    """`tm:<case>`: the units serving the family, since when; changes for the supervisor."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    await answer(query)
    referral = await readable_case(update, context, member, (query.data or "")[3:])
    if referral is None:
        return
    await services.accounts.record(
        "case.team", "allowed", member=member, subject=f"referral:{referral.code}"
    )
    lines = [services.text(member, "team.title", code=referral.code)]
    buttons: list[Button] = []
    managing = services.cases.may_manage_team(member, referral)
    for unit_id, since in await services.cases.team_since(referral):
        unit = services.jurisdiction.unit(unit_id)
        name = unit.name if unit else unit_id
        lead = unit_id == referral.center_id
        lines.append(services.text(member, "team.line", unit=name, since=since, lead=lead))
        if managing and not lead:
            buttons.append(
                (services.text(member, "team.leave", unit=name), f"te:{referral.id}:{unit_id}")
            )
    if managing:
        buttons.append((services.text(member, "team.add"), f"ta:{referral.id}"))
    sent = await reply(update, "\n".join(lines), keyboard(in_rows(buttons, 1)) if buttons else None)
    await expiring(context, sent)


@requires(Action.MANAGE_TEAM)
async def pick_unit(update: Update, context: Context, member: Staff) -> None:
    """`ta:<case>`: which unit joins?"""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    await answer(query)
    referral = await readable_case(update, context, member, (query.data or "")[3:])
    if referral is None:
        return
    units = joinable_units(services, referral, await services.cases.team(referral))
    if not units:
        await reply(update, services.text(member, "team.none_to_add"))
        return
    buttons = [(unit.name, f"tj:{referral.id}:{unit.id}") for unit in units]
    await reply(
        update,
        services.text(member, "team.pick_unit", code=referral.code),
        keyboard(in_rows(buttons, 2)),
    )


@requires(Action.MANAGE_TEAM)
async def change(update: Update, context: Context, member: Staff) -> None:
    """`tj:<case>:<unit>` adds a unit; `te:<case>:<unit>` records that it stopped serving."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    await answer(query)
    step, raw_id, unit_id = data_parts(query, 3)
    referral = await readable_case(update, context, member, raw_id)
    unit = services.jurisdiction.unit(unit_id)
    if referral is None:
        return
    if unit is None:
        await reply(update, services.text(member, "common.stale_button"))
        return
    joins = step == "tj"
    problem = await services.cases.change_team(member, referral, unit, joins=joins)
    if problem:
        await reply(
            update, services.text(member, f"reason.{problem}", code=referral.code, unit=unit.name)
        )
        return
    key = "team.joined" if joins else "team.left"
    await reply(update, services.text(member, key, code=referral.code, unit=unit.name))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CallbackQueryHandler(show_team, pattern=r"^tm:"))
    application.add_handler(CallbackQueryHandler(pick_unit, pattern=r"^ta:"))
    application.add_handler(CallbackQueryHandler(change, pattern=r"^t[je]:"))
