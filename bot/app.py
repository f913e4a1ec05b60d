"""The one factory of the running bot: services from settings, and the Application around them."""

from __future__ import annotations

import logging
import os

from telegram import BotCommand, BotCommandScopeDefault, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults
from telegram.request import BaseRequest

from bot.accounts import Accounts
from bot.cases import Cases
from bot.config import Settings
from bot.domain.working_days import WorkingCalendar
from bot.jurisdictions import load_jurisdiction
from bot.keys import Keyring
from bot.meetings import Meetings
from bot.nudges import Outbox, Planner
from bot.pacing import Pacer
from bot.referrals import Referrals
from bot.render import LOCALES, Texts
from bot.services import Services
from handlers import register_all
from storage import open_database
from storage.migrate import upgrade
from storage.records import UnitRecord
from storage.repositories import meta, units

log = logging.getLogger(__name__)
PUBLIC_COMMANDS = ("start", "help")


async def open_services(settings: Settings) -> Services:
    """Load the jurisdiction, migrate the database and mirror the units into it."""
    jurisdiction = load_jurisdiction(settings.jurisdiction_path)
    db = open_database(settings.database_url)
    try:
        await upgrade(db)
        async with db.write() as conn:
            await units.sync(
                conn,
                [
                    UnitRecord(id=u.id, name=u.name, kind=u.kind, role=u.role.value, active=True)
                    for u in jurisdiction.units
                ],
            )
    except BaseException:
        await db.close()
        raise
    keyring = Keyring(settings.secret_key.reveal())
    accounts = Accounts(db, jurisdiction, keyring, settings.invite_ttl)
    calendar = WorkingCalendar(
        extra_workdays=jurisdiction.extra_workdays, extra_holidays=jurisdiction.extra_holidays
    )
    cases = Cases(db, keyring, accounts, calendar, jurisdiction.monthly_report_due_day)
    meetings = Meetings(db, keyring, accounts, jurisdiction, cases)
    return Services(
        settings=settings,
        db=db,
        jurisdiction=jurisdiction,
        texts=Texts(),
        keyring=keyring,
        accounts=accounts,
        referrals=Referrals(db, jurisdiction, keyring, accounts, cases),
        cases=cases,
        meetings=meetings,
        nudges=Outbox(
            db,
            Planner(db, jurisdiction, cases, meetings),
            accounts,
            pacer=Pacer(settings.send_rate),
        ),
    )


def build_application(
    services: Services,
    *,
    api_base_url: str | None = None,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
) -> Application:  # type: ignore[type-arg]
    """The python-telegram-bot Application with every handler installed."""
    # Durations from Telegram (a 429's retry_after) as timedelta, as python-telegram-bot 23
    # will have them; version 22 otherwise warns each time one is read, itself included.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    settings = services.settings
    builder = (
        ApplicationBuilder()
        .token(settings.token.reveal())
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(AIORateLimiter(max_retries=3))
    )
    base = api_base_url or settings.api_base_url
    if base:
        builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    application = builder.build()
    application.bot_data["services"] = services
    register_all(application)
    return application


async def announce_bot(application: Application) -> None:  # type: ignore[type-arg]
    """After `initialize()`: the public command menu, and the bot's username for
    `safetynet invite`. Every run mode calls it once before taking updates."""
    services = application.bot_data["services"]
    assert isinstance(services, Services)
    for locale in LOCALES:
        commands = [
            BotCommand(name, services.text(locale, f"command.{name}")) for name in PUBLIC_COMMANDS
        ]
        await application.bot.set_my_commands(
            commands,
            scope=BotCommandScopeDefault(),
            language_code=None if locale == "zh_TW" else locale,
        )
    if services.settings.sandbox:
        # On Telegram the name is the operator's, set with @BotFather; the stand-in shows ours.
        await application.bot.set_my_name(services.text("zh_TW", "common.bot_name"))
    async with services.db.write() as conn:
        await meta.put(conn, "bot_username", application.bot.username)
    log.info("bot @%s ready", application.bot.username)
