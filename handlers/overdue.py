"""`/overdue`: the duties past due, unit by unit — one compact message, oldest due first.

A supervisor sees their center; the bureau sees every unit. A long list is cut per unit (and, if
it must, by unit) so the message stays within Telegram's length limit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from telegram import Update
from telegram.constants import MessageLimit
from telegram.ext import Application, CommandHandler

from bot.accounts import Staff
from bot.clock import utcnow
from bot.domain.permissions import Action
from bot.domain.roles import Role
from bot.domain.working_days import taipei_date
from bot.overdue import OverdueItem, UnitOverdue, overdue_duties
from bot.services import Services
from handlers.base import Context, expiring, reply, requires, services_of
from handlers.meetings import title

ITEMS_PER_UNIT = 10
# Fewer items per unit, tried in turn, when the whole list would not fit in one message.
ITEM_CAPS = (ITEMS_PER_UNIT, 5, 3, 1, 0)

# (items shown per unit, units shown) → the message
Compose = Callable[[int, int], str]


def telegram_length(text: str) -> int:
    """A message's length as Telegram counts it (UTF-16 code units); markup counted too, so a
    message that fits here fits after Telegram strips the tags."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def fitted(compose: Compose, units: int, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> str:
    """The fullest message within `limit`: first fewer items per unit, then fewer units."""
    for cap in ITEM_CAPS:
        text = compose(cap, units)
        if telegram_length(text) <= limit:
            return text
    # The most units that fit, headings only (a longer list of units is a longer message).
    fewest, most = 0, units - 1
    while fewest < most:
        middle = (fewest + most + 1) // 2
        if telegram_length(compose(0, middle)) <= limit:
            fewest = middle
        else:
            most = middle - 1
    return compose(0, fewest)


def item_line(services: Services, reader: Staff, item: OverdueItem) -> str:
    overdue_kind = item.kind.value
    return services.text(
        reader,
        "overdue.line",
        label=services.text(reader, f"overdue.kind.{overdue_kind}", detail=item.detail),
        subject=item.code or (title(services, reader, item.meeting) if item.meeting else ""),
        due=item.due,
        days=item.days_overdue,
        owner=item.owner,
    )


def summary(
    services: Services, reader: Staff, units: list[UnitOverdue], *, center: str | None, day: date
) -> str:
    """The whole list, cut to fit one message; `center` is None for the bureau's city view."""
    if not units:
        return services.text(reader, "overdue.none", center=center, day=day)
    total = sum(len(unit.items) for unit in units)
    heading = services.text(
        reader, "overdue.title", center=center, day=day, total=total, units=len(units)
    )
    lines = [[item_line(services, reader, item) for item in unit.items] for unit in units]

    def compose(cap: int, shown_units: int) -> str:
        parts = [heading]
        for unit, unit_lines in zip(units[:shown_units], lines, strict=False):
            parts.append("")
            parts.append(
                services.text(reader, "overdue.unit", unit=unit.unit_name, count=len(unit.items))
            )
            parts.extend(unit_lines[:cap])
            if len(unit.items) > cap:
                parts.append(services.text(reader, "overdue.more", count=len(unit.items) - cap))
        left = units[shown_units:]
        if left:
            parts.append("")
            parts.append(
                services.text(
                    reader,
                    "overdue.more_units",
                    units=len(left),
                    count=sum(len(unit.items) for unit in left),
                )
            )
        return "\n".join(parts)

    return fitted(compose, len(units))


@requires(Action.VIEW_OVERDUE)
async def show_overdue(update: Update, context: Context, member: Staff) -> None:
    """Supervisors see their own center; the bureau's administrators every unit."""
    services = services_of(context)
    now = utcnow()
    units = await overdue_duties(
        services.cases, services.accounts, services.jurisdiction, reader=member, now=now
    )
    center = None if member.role is Role.ADMIN else member.unit_name
    text = summary(services, member, units, center=center, day=taipei_date(now))
    await expiring(context, await reply(update, text))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("overdue", show_overdue))
