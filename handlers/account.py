"""One's own account: `/whoami`, `/help` (only the commands one may use) and `/lang`."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.accounts import Staff
from bot.domain.permissions import Action, commands_for
from bot.render import LOCALES
from handlers.base import Context, answer, keyboard, reply, requires, services_of, show_commands


@requires(Action.WHOAMI)
async def whoami(update: Update, context: Context, member: Staff) -> None:
    """`/whoami`: my name, role, unit, status and language."""
    services = services_of(context)
    await reply(
        update,
        services.text(
            member,
            "whoami.card",
            name=member.display_name,
            role=services.role_name(member, member.role),
            unit=member.unit_name,
            status=services.text(member, f"status.{member.status.value}"),
            language=services.text(member, f"lang.{member.locale}"),
        ),
    )


@requires(Action.HELP)
async def show_help(update: Update, context: Context, member: Staff) -> None:
    """`/help`: exactly the commands my role may use."""
    services = services_of(context)
    lines = [services.text(member, "help.intro")]
    lines += [
        services.text(
            member,
            "help.line",
            command=command.name,
            description=services.text(member, f"command.{command.name}"),
        )
        for command in commands_for(member.role)
    ]
    lines.append(services.text(member, "help.outro"))
    await reply(update, "\n".join(lines))


@requires(Action.SWITCH_LANGUAGE)
async def choose_language(update: Update, context: Context, member: Staff) -> None:
    """`/lang`: 繁體中文 or English."""
    services = services_of(context)
    buttons = [[(services.text(locale, f"lang.{locale}"), f"lang:{locale}") for locale in LOCALES]]
    await reply(update, services.text(member, "lang.choose"), keyboard(buttons))


@requires(Action.SWITCH_LANGUAGE)
async def switch_language(update: Update, context: Context, member: Staff) -> None:
    services = services_of(context)
    query = update.callback_query
    if query is None:
        return
    locale = (query.data or "").removeprefix("lang:")
    if locale not in LOCALES:
        await answer(query, services.text(member, "common.stale_button"), alert=True)
        return
    member = await services.accounts.set_locale(member, locale)
    await answer(query)
    await reply(update, services.text(member, "lang.switched"))
    await show_commands(context, member)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("whoami", whoami))
    application.add_handler(CommandHandler("help", show_help))
    application.add_handler(CommandHandler("lang", choose_language))
    application.add_handler(CallbackQueryHandler(switch_language, pattern=r"^lang:"))
