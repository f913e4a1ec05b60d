"""Quick lookup, role-scoped: `/case <code>`, `/mycases`, `/search <text>`.

Every view is audited by the service; every message showing case details is deleted by the bot
after a while (30 minutes by default) and says so.
"""

from __future__ import annotations

import logging

from telegram import Bot, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.accounts import Staff
from bot.domain.permissions import VISIBILITY, Action, CaseView, Visibility
from bot.domain.referral_rules import Category, Need
from bot.referrals import PAGE_SIZE, CaseList, counted_up_to
from bot.services import Services
from handlers.base import (
    CODE_MAX,
    Button,
    Context,
    answer,
    data_parts,
    expiring,
    keyboard,
    reply,
    requires,
    services_of,
    typed_after_command,
)
from handlers.case_card import card_keyboard, card_text, line, status_card, timeline_text
from storage.records import ReferralRecord

log = logging.getLogger(__name__)
SEARCH_MAX = 30
PAGE_MAX = 10_000  # no list has more pages; a larger page number is forged
SWEEP_SECONDS = 60


@requires(Action.VIEW_CASES)
async def show_case(update: Update, context: Context, member: Staff) -> None:
    """`/case TY-115-00042`: the summary card, if I may see it."""
    services = services_of(context)
    typed = typed_after_command(context, CODE_MAX)
    if not typed:
        await reply(update, services.text(member, "case.usage"))
        return
    code = typed.split()[0]
    await send_card(update, context, member, await services.referrals.view(member, code), code)


async def send_card(
    update: Update,
    context: Context,
    member: Staff,
    referral: ReferralRecord | None,
    code: str,
) -> None:
    services = services_of(context)
    if referral is None:
        # The same answer whether it does not exist or is not mine to see.
        await reply(update, services.text(member, "case.not_found", code=code))
        return
    sent = await reply(
        update,
        await card_text(services, member, referral),
        await card_keyboard(services, member, referral),
    )
    await expiring(context, sent)


@requires(Action.VIEW_CASES)
async def open_case(update: Update, context: Context, member: Staff) -> None:
    """A case button in a list: `rc:<code>`."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    code = (query.data or "").removeprefix("rc:")
    await answer(query)
    await send_card(update, context, member, await services.referrals.view(member, code), code)


@requires(Action.VIEW_CASES)
async def show_timeline(update: Update, context: Context, member: Staff) -> None:
    """The 時間軸 button of a card: `rt:<code>` (a view like any other, so audited)."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    code, _, raw_page = (query.data or "").removeprefix("rt:").partition(":")
    page = int(raw_page) if raw_page.isdigit() and int(raw_page) <= PAGE_MAX else 0
    referral = await services.referrals.view(member, code)
    await answer(query)
    if referral is None:
        await reply(update, services.text(member, "case.not_found", code=code))
        return
    if await services.referrals.view_of(member, referral) is CaseView.STATUS:
        await reply(update, status_card(services, member, referral))
        return
    view = await timeline_text(services, member, referral, page)
    if page >= view.pages:
        page = view.pages - 1
        view = await timeline_text(services, member, referral, page)
    rows: list[list[Button]] = [
        [
            (
                services.text(
                    member,
                    "case.correct",
                    day=entry.entry_date,
                    kind=services.text(member, f"entry_kind.{entry.kind}"),
                ),
                f"cx:{entry.id}",
            )
        ]
        for entry in view.correctable
    ]
    navigation: list[Button] = []
    if page > 0:
        navigation.append((services.text(member, "case.previous"), f"rt:{code}:{page - 1}"))
    if page + 1 < view.pages:
        navigation.append((services.text(member, "case.next"), f"rt:{code}:{page + 1}"))
    if navigation:
        rows.append(navigation)
    await expiring(context, await reply(update, view.text, keyboard(rows) if rows else None))


@requires(Action.VIEW_CASES)
async def my_cases(update: Update, context: Context, member: Staff) -> None:
    """`/mycases`: my open referrals and cases, newest first, a page at a time."""
    await send_page(update, context, member, kind="mycases", query="", page=0)


@requires(Action.VIEW_CASES)
async def search(update: Update, context: Context, member: Staff) -> None:
    """`/search <code | alias fragment | district | status>`."""
    services = services_of(context)
    query = typed_after_command(context, SEARCH_MAX + 1)
    if not query:
        await reply(update, services.text(member, "case.search_usage"))
        return
    if len(query) > SEARCH_MAX:
        await reply(update, services.text(member, "case.search_too_long", limit=SEARCH_MAX))
        return
    await send_page(update, context, member, kind="search", query=query, page=0)


@requires(Action.VIEW_CASES)
async def turn_page(update: Update, context: Context, member: Staff) -> None:
    """`pg:<mycases|tracked|waiting|center|search>:<page>[:<query>]`."""
    query = update.callback_query
    assert query is not None
    _, kind, page, rest = data_parts(query, 4)
    await answer(query)
    if kind in LIST_KINDS and page.isdigit() and int(page) <= PAGE_MAX:
        await send_page(update, context, member, kind=kind, query=rest, page=int(page))


LIST_KINDS = (*(view.value for view in CaseList), "search")


def list_views(services: Services, member: Staff, kind: str) -> list[Button]:
    """The other lists of /mycases, one tap away (全中心 for the center's own staff)."""
    if kind == "search":
        return []
    views = [CaseList.MINE, CaseList.TRACKED, CaseList.WAITING]
    if VISIBILITY[member.role] is Visibility.CENTER:
        views.append(CaseList.CENTER)
    return [
        (services.text(member, f"case.view_{view.value}"), f"pg:{view.value}:0")
        for view in views
        if view.value != kind
    ]


def search_words(services: Services, member: Staff) -> dict[str, dict[str, object]]:
    """What /search understands besides codes, aliases, districts and statuses: 列管, and each
    category's and need's name as the person reads it (幸扶守護, 物質濫用)."""
    words: dict[str, dict[str, object]] = {
        services.text(member, "case.tracked_word"): {"tracked": True}
    }
    for category in Category:
        words[services.text(member, f"category.{category.value}")] = {"category": category.value}
    for need in Need:
        words[services.text(member, f"need.{need.value}")] = {"need": need.value}
    return words


async def send_page(
    update: Update, context: Context, member: Staff, *, kind: str, query: str, page: int
) -> None:
    services = services_of(context)
    if kind == "search":
        found, total = await services.referrals.search(
            member, query, page, words=search_words(services, member)
        )
    else:
        found, total = await services.referrals.mine(member, page, CaseList(kind))
    views = list_views(services, member, kind)
    if not found:
        await reply(
            update,
            services.text(member, f"case.{kind}_empty", query=query),
            keyboard([views]) if views else None,
        )
        return
    rows: list[list[Button]] = [[(r.code, f"rc:{r.code}")] for r in found]
    navigation: list[Button] = []
    suffix = f":{query}" if query else ""
    if page > 0:
        navigation.append((services.text(member, "case.previous"), f"pg:{kind}:{page - 1}{suffix}"))
    if (page + 1) * PAGE_SIZE < total:
        navigation.append((services.text(member, "case.next"), f"pg:{kind}:{page + 1}{suffix}"))
    if navigation and len(f"pg:{kind}:{page + 1}{suffix}".encode()) <= 64:
        rows.append(navigation)
    if views:
        rows.append(views)
    counted = counted_up_to(page)  # beyond, the title says "over"
    over = total > counted
    text = "\n".join(
        [
            services.text(
                member,
                f"case.{kind}_title_over" if over else f"case.{kind}_title",
                total=counted if over else total,
                page=page + 1,
                pages=(total + PAGE_SIZE - 1) // PAGE_SIZE,
                query=query,
            ),
            *[
                line(services, member, r, await services.referrals.view_of(member, r))
                for r in found
            ],
            services.text(
                member,
                "case.expires",
                ttl=int(services.settings.case_message_ttl.total_seconds() // 60),
            ),
        ]
    )
    await expiring(context, await reply(update, text, keyboard(rows)))


async def delete_expired(bot: Bot, services: Services) -> int:
    """Delete every case message whose time is up; returns how many were handled."""
    due = await services.referrals.due_expiries()
    handled = []
    for expiry_id, chat_id, message_id in due:
        try:
            await bot.delete_message(chat_id, message_id)
        except BadRequest as error:
            # Already gone (deleted by the person) or too old to delete: nothing to retry.
            log.info("expired message %s/%s not deleted: %s", chat_id, message_id, error)
        except TelegramError as error:
            # A network blip or flood wait: keep the row, the next sweep tries again.
            log.warning("expired message %s/%s: will retry (%s)", chat_id, message_id, error)
            continue
        handled.append(expiry_id)
    await services.referrals.forget_expiries(handled)
    return len(handled)


async def sweep(context: Context) -> None:
    await delete_expired(context.bot, services_of(context))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("case", show_case))
    application.add_handler(CommandHandler("mycases", my_cases))
    application.add_handler(CommandHandler("search", search))
    application.add_handler(CallbackQueryHandler(open_case, pattern=r"^rc:"))
    application.add_handler(CallbackQueryHandler(turn_page, pattern=r"^pg:"))
    application.add_handler(CallbackQueryHandler(show_timeline, pattern=r"^rt:"))
    if application.job_queue is not None:
        application.job_queue.run_repeating(sweep, interval=SWEEP_SECONDS, first=SWEEP_SECONDS)
