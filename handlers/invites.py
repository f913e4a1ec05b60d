"""`/invite`: a supervisor or administrator creates a one-time invite code in chat.

Role → (district → unit, where the role needs one chosen) → the code and its deep link. Every
choice travels in the button itself, so nothing is held in memory between presses.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.accounts import InviteProblem, IssuedInvite, Staff
from bot.domain.jurisdiction import Unit
from bot.domain.permissions import INVITABLE_ROLES, Action
from bot.domain.roles import Role
from handlers.base import (
    Button,
    Context,
    answer,
    in_rows,
    keyboard,
    reply,
    requires,
    services_of,
)

CITY_WIDE = "city"


@requires(Action.INVITE_STAFF)
async def start_invite(update: Update, context: Context, member: Staff) -> None:
    """`/invite`: which role?"""
    services = services_of(context)
    buttons = [
        (services.role_name(member, role), f"inv:r:{role.value}")
        for role in INVITABLE_ROLES[member.role]
    ]
    await reply(update, services.text(member, "invite.choose_role"), keyboard(in_rows(buttons, 1)))


@requires(Action.INVITE_STAFF)
async def pick_role(update: Update, context: Context, member: Staff) -> None:
    """A role button: supervisors are done at once; administrators pick the unit next."""
    services = services_of(context)
    query = update.callback_query
    if query is None:
        return
    role = _role((query.data or "").removeprefix("inv:r:"))
    if role is None or role not in INVITABLE_ROLES[member.role]:
        await answer(query, services.text(member, "invite.not_allowed"), alert=True)
        return
    await answer(query)
    if member.role is Role.SUPERVISOR:
        if role is Role.CASE_MANAGER:
            await issue(update, context, member, role=role, unit=member.unit)
        else:
            covers = member.unit.covers if member.unit else ()
            await issue(update, context, member, role=role, unit=None, districts=covers)
        return
    jurisdiction = services.jurisdiction
    buttons: list[Button] = [
        (district.name, f"inv:d:{role.value}:{district.key}")
        for district in jurisdiction.districts
        if jurisdiction.units_for_role(role, district.name)
    ]
    if jurisdiction.units_for_role(role, None):
        buttons.append(
            (services.text(member, "registration.city_wide"), f"inv:d:{role.value}:{CITY_WIDE}")
        )
    await reply(
        update, services.text(member, "invite.choose_district"), keyboard(in_rows(buttons, 3))
    )


@requires(Action.INVITE_STAFF)
async def pick_district(update: Update, context: Context, member: Staff) -> None:
    services = services_of(context)
    query = update.callback_query
    if query is None:
        return
    parts = (query.data or "").split(":")
    role = _role(parts[2]) if len(parts) == 4 else None
    jurisdiction = services.jurisdiction
    district = jurisdiction.district(parts[3]) if len(parts) == 4 else None
    if role is None or (district is None and parts[3] != CITY_WIDE):
        await answer(query, services.text(member, "common.stale_button"), alert=True)
        return
    await answer(query)
    label = district.name if district else services.text(member, "registration.city_wide")
    units = jurisdiction.units_for_role(role, district.name if district else None)
    rows: list[list[Button]] = [[(unit.name, f"inv:u:{role.value}:{unit.id}")] for unit in units]
    await reply(update, services.text(member, "invite.choose_unit", district=label), keyboard(rows))


@requires(Action.INVITE_STAFF)
async def pick_unit(update: Update, context: Context, member: Staff) -> None:
    services = services_of(context)
    query = update.callback_query
    if query is None:
        return
    parts = (query.data or "").split(":")
    role = _role(parts[2]) if len(parts) == 4 else None
    unit = services.jurisdiction.unit(parts[3]) if len(parts) == 4 else None
    if role is None or unit is None:
        await answer(query, services.text(member, "common.stale_button"), alert=True)
        return
    await answer(query)
    await issue(update, context, member, role=role, unit=unit)


async def issue(
    update: Update,
    context: Context,
    member: Staff,
    *,
    role: Role,
    unit: Unit | None,
    districts: tuple[str, ...] = (),
) -> None:
    """Create the invite and show it once, with the deep link where Telegram has one."""
    services = services_of(context)
    result = await services.accounts.issue_invite(
        issuer=member, role=role, unit=unit, districts=districts
    )
    if isinstance(result, InviteProblem):
        key = (
            "invite.not_allowed"
            if result is InviteProblem.ROLE_NOT_ALLOWED
            else ("invite.unit_not_fitting")
        )
        await reply(update, services.text(member, key))
        return
    await reply(update, invite_text(context, member, result, unit, districts))


def invite_text(
    context: Context,
    member: Staff,
    issued: IssuedInvite,
    unit: Unit | None,
    districts: tuple[str, ...],
) -> str:
    services = services_of(context)
    unit_label = (
        unit.name
        if unit
        else services.text(
            member, "invite.worker_open_unit", districts=services.joined(member, districts)
        )
    )
    link = None if services.settings.sandbox else deep_link(context.bot.username, issued.code)
    return services.text(
        member,
        "invite.issued",
        role=services.role_name(member, issued.invite.role),
        unit=unit_label,
        code=issued.code,
        link=link,
        expires=issued.invite.expires_at,
    )


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


def _role(value: str) -> Role | None:
    try:
        return Role(value)
    except ValueError:
        return None


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("invite", start_invite))
    application.add_handler(CallbackQueryHandler(pick_role, pattern=r"^inv:r:"))
    application.add_handler(CallbackQueryHandler(pick_district, pattern=r"^inv:d:"))
    application.add_handler(CallbackQueryHandler(pick_unit, pattern=r"^inv:u:"))
