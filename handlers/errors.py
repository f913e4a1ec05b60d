"""When something breaks: the person gets a short apology, the log gets the details (no secrets)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.render import DEFAULT_LOCALE
from handlers.base import Context, answer, reply, services_of

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    log.error("update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)
    if not isinstance(update, Update):
        return
    services = services_of(context)
    user = update.effective_user
    locale = DEFAULT_LOCALE
    if user is not None:
        try:
            member = await services.accounts.by_telegram_id(user.id)
        except Exception:
            member = None
        locale = member.locale if member else DEFAULT_LOCALE
    text = services.text(locale, "common.error")
    try:
        if update.callback_query is not None:
            await answer(update.callback_query, text, alert=True)
        else:
            await reply(update, text)
    except TelegramError:
        log.warning("could not tell the user about the failure of update %s", update.update_id)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_error_handler(on_error)
