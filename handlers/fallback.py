"""What nobody else handled: unknown commands and buttons that no longer exist."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from handlers.base import Context, answer, caller_of, reply, services_of


async def unknown_command(update: Update, context: Context) -> None:
    member = await caller_of(update, context)
    if member is not None and member.active:
        await reply(update, services_of(context).text(member, "common.unknown_command"))


async def stale_button(update: Update, context: Context) -> None:
    query = update.callback_query
    member = await caller_of(update, context)
    if query is not None and member is not None:
        await answer(query, services_of(context).text(member, "common.stale_button"), alert=True)


def register(application: Application) -> None:  # type: ignore[type-arg]
    # Registered last in the default group: they run only when no feature handler matched.
    application.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    application.add_handler(CallbackQueryHandler(stale_button))
