"""Registration: `/start <code>` → display name → unit (when the invite leaves it open) → approval.

The draft is the staff row itself: each answer fills a field, and the next question is the first
field still missing, so a restart or a second device resumes exactly where the person was.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.accounts import RedeemOutcome, Staff
from bot.domain.roles import StaffStatus
from bot.domain.text import DISPLAY_NAME_MAX, NameProblem, check_display_name
from bot.render import locale_for
from handlers.approvals import ask_approvers
from handlers.base import (
    Button,
    Context,
    answer,
    caller_of,
    delete_quietly,
    in_rows,
    keyboard,
    reply,
    services_of,
    show_commands,
)

CITY_WIDE = "city"
REFUSALS = {
    RedeemOutcome.MALFORMED: "registration.code_malformed",
    RedeemOutcome.UNKNOWN: "registration.code_unknown",
    RedeemOutcome.EXPIRED: "registration.code_expired",
    RedeemOutcome.USED: "registration.code_used",
    RedeemOutcome.ALREADY_ACTIVE: "registration.already_active",
    RedeemOutcome.PENDING: "common.pending",
    RedeemOutcome.TOO_MANY_TRIES: "registration.code_too_many_tries",
}


async def start(update: Update, context: Context) -> None:
    """`/start <code>`: open a registration with an invite code (or say what is wrong with it)."""
    services = services_of(context)
    user = update.effective_user
    if user is None:
        return
    member = await caller_of(update, context)
    locale = member.locale if member else locale_for(user.language_code)
    if not context.args:
        if member is not None and member.active:
            await reply(update, services.text(member, "registration.already_active"))
        elif member is not None and member.status is StaffStatus.REGISTERING:
            await ask_next_step(update, context, member)
        else:
            await reply(update, services.text(locale, "registration.no_code"))
        return
    outcome, member = await services.accounts.redeem(user.id, context.args[0], locale)
    if outcome in REFUSALS:
        await reply(update, services.text(locale, REFUSALS[outcome]))
        return
    assert member is not None
    if outcome is RedeemOutcome.RESUMED:
        await reply(update, services.text(member, "registration.resumed"))
    else:
        await reply(
            update,
            services.text(
                member,
                "registration.welcome",
                role=services.role_name(member, member.role),
                unit=member.unit.name if member.unit else None,
            ),
        )
    await ask_next_step(update, context, member)


async def ask_next_step(update: Update, context: Context, member: Staff) -> None:
    """Ask for the first thing the registration still lacks."""
    services = services_of(context)
    step = services.accounts.next_registration_step(member)
    if step == "name":
        await reply(update, services.text(member, "registration.ask_name"))
    elif step == "unit":
        await ask_district(update, context, member)


async def ask_district(update: Update, context: Context, member: Staff) -> None:
    services = services_of(context)
    jurisdiction = services.jurisdiction
    allowed = await services.accounts.registration_districts(member)
    buttons: list[Button] = [
        (district.name, f"reg:d:{district.key}")
        for district in jurisdiction.districts
        if (not allowed or district.name in allowed)
        and jurisdiction.units_for_role(member.role, district.name)
    ]
    if not allowed and jurisdiction.units_for_role(member.role, None):
        buttons.append((services.text(member, "registration.city_wide"), f"reg:d:{CITY_WIDE}"))
    await reply(
        update, services.text(member, "registration.ask_district"), keyboard(in_rows(buttons, 3))
    )


async def receive_name(update: Update, context: Context) -> None:
    """The text a registering person sends is their display name (the gate routes it here)."""
    services = services_of(context)
    member = await caller_of(update, context)
    message = update.message
    if member is None or message is None or member.status is not StaffStatus.REGISTERING:
        return
    if services.accounts.next_registration_step(member) != "name":
        await reply(update, services.text(member, "registration.finish_first"))
        await ask_next_step(update, context, member)
        return
    if message.text is None:
        await reply(update, services.text(member, "common.text_expected"))
        await ask_next_step(update, context, member)
        return
    name, problem = check_display_name(message.text)
    if problem is NameProblem.HOLDS_IDENTIFIER:
        await delete_quietly(message)
    if problem is not None:
        await reply(
            update,
            services.text(member, f"registration.name_{problem.value}", limit=DISPLAY_NAME_MAX),
        )
        return
    member = await services.accounts.set_display_name(member, name)
    await after_step(update, context, member)


async def pick_district(update: Update, context: Context) -> None:
    """A district button: show the units of that district the person's role can belong to."""
    services = services_of(context)
    query = update.callback_query
    member = await caller_of(update, context)
    if query is None or member is None:
        return
    if (
        member.status is not StaffStatus.REGISTERING
        or services.accounts.next_registration_step(member) != "unit"
    ):
        await answer(query, services.text(member, "common.stale_button"), alert=True)
        return
    key = (query.data or "").removeprefix("reg:d:")
    jurisdiction = services.jurisdiction
    district = jurisdiction.district(key)
    allowed = await services.accounts.registration_districts(member)
    if key == CITY_WIDE and not allowed:
        label = services.text(member, "registration.city_wide")
        units = jurisdiction.units_for_role(member.role, None)
    elif district is not None and (not allowed or district.name in allowed):
        label = district.name
        units = jurisdiction.units_for_role(member.role, district.name)
    else:
        await answer(query, services.text(member, "common.stale_button"), alert=True)
        return
    await answer(query)
    await reply(
        update,
        services.text(member, "registration.ask_unit", district=label),
        keyboard([[(unit.name, f"reg:u:{unit.id}")] for unit in units]),
    )


async def pick_unit(update: Update, context: Context) -> None:
    """A unit button: record the unit; the application is complete."""
    services = services_of(context)
    query = update.callback_query
    member = await caller_of(update, context)
    if query is None or member is None:
        return
    if (
        member.status is not StaffStatus.REGISTERING
        or services.accounts.next_registration_step(member) != "unit"
    ):
        await answer(query, services.text(member, "common.stale_button"), alert=True)
        return
    unit = services.jurisdiction.unit((query.data or "").removeprefix("reg:u:"))
    updated = await services.accounts.set_unit(member, unit) if unit else None
    if updated is None:
        await answer(query, services.text(member, "registration.unit_not_allowed"), alert=True)
        return
    await answer(query)
    await after_step(update, context, updated)


async def after_step(update: Update, context: Context, member: Staff) -> None:
    """After an answer: ask the next question, or close the registration."""
    services = services_of(context)
    summary = {
        "name": member.display_name,
        "role": services.role_name(member, member.role),
        "unit": member.unit_name,
    }
    if member.status is StaffStatus.REGISTERING:
        await ask_next_step(update, context, member)
    elif member.status is StaffStatus.ACTIVE:
        await reply(update, services.text(member, "registration.activated", **summary))
        await show_commands(context, member)
    elif member.status is StaffStatus.PENDING:
        await reply(update, services.text(member, "registration.submitted", **summary))
        await ask_approvers(context, member)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(pick_district, pattern=r"^reg:d:"))
    application.add_handler(CallbackQueryHandler(pick_unit, pattern=r"^reg:u:"))
