"""The bare bot the interaction benchmark compares with: python-telegram-bot and nothing else.

`python -m benchmarks.echo_bot` reads BENCH_TOKEN and BENCH_API_BASE_URL; with
BENCH_RATE_LIMITER=1 it installs the same `AIORateLimiter(max_retries=3)` as safetynet.
It long-polls exactly as safetynet's token mode does (`start_polling(drop_pending_updates=
False)`, default timeouts), answers every message with an echo carrying one inline button, and
every button press with `answerCallbackQuery` and a new message carrying one button — so the
simulated people can walk through the same number of steps as in a referral.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

NEXT = InlineKeyboardMarkup([[InlineKeyboardButton("下一步", callback_data="next")]])


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(message.text or "…", reply_markup=NEXT, do_quote=False)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, f"收到：{query.data}", reply_markup=NEXT)


def build(token: str, base: str, *, limited: bool) -> Application:  # type: ignore[type-arg]
    builder = (
        ApplicationBuilder().token(token).base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
    )
    application = (
        builder.rate_limiter(AIORateLimiter(max_retries=3)).build() if limited else builder.build()
    )
    application.add_handler(MessageHandler(filters.ALL, echo))
    application.add_handler(CallbackQueryHandler(pressed))
    return application


async def run() -> None:
    application = build(
        os.environ["BENCH_TOKEN"],
        os.environ["BENCH_API_BASE_URL"],
        limited=os.environ.get("BENCH_RATE_LIMITER") == "1",
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with application:
        await application.start()
        updater = application.updater
        assert updater is not None
        await updater.start_polling(drop_pending_updates=False)
        print(f"echo bot @{application.bot.username} polling", flush=True)
        await stop.wait()
        await updater.stop()
        await application.stop()


if __name__ == "__main__":
    asyncio.run(run())
