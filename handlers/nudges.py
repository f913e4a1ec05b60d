"""Nudges in chat: the scheduler only ticks — a planning pass stores what the data says is due,
a sender sends what is due as one digest per person and send window — plus `/nudges` and the
buttons 去處理 / 已完成 / 稍後提醒 on every item.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from telegram import Bot, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.accounts import Staff
from bot.clock import utcnow
from bot.domain.nudges import NudgeKind
from bot.domain.permissions import Action
from bot.domain.working_days import monthly_report_due
from bot.nudges import UNREACHABLE, Batch, split_subject
from bot.services import Services
from handlers import lookup, meetings, minutes, updates
from handlers import referral as referral_flow
from handlers.base import (
    Button,
    Context,
    answer,
    data_parts,
    keyboard,
    reply,
    requires,
    services_of,
)
from storage.records import NudgeRecord

log = logging.getLogger(__name__)
PLAN_SECONDS = 60
SEND_SECONDS = 15
SEND_READ_TIMEOUT = 20.0  # seconds to wait for Telegram's answer before "maybe delivered"


async def describe(services: Services, reader: Staff, row: NudgeRecord) -> str:
    """One line saying what the nudge is about: codes and dates, never a family's details."""
    kind, number, rest = split_subject(row.subject)
    values: dict[str, object] = {"escalation": row.escalation}
    referral = (
        await services.referrals.by_id(number)
        if kind in ("report", "visit", "referral") and number is not None
        else None
    )
    if kind == "report":
        period = rest
        year, month = (int(p) for p in period.split("-"))
        values |= {
            "code": referral.code if referral else "—",
            "period": period,
            "due": monthly_report_due(
                (year, month), services.cases.report_due_day, calendar=services.cases.calendar
            ),
        }
    elif kind == "visit":
        plan = await services.cases.visit_progress(referral) if referral else None
        month = int(rest) if rest.isdigit() else 0
        tally = plan.windows[month - 1] if plan and 0 < month <= len(plan.windows) else None
        values |= {
            "code": referral.code if referral else "—",
            "month": month,
            "required": tally.window.required if tally else 0,
            "done": tally.done if tally else 0,
            "end": tally.window.end if tally else None,
        }
    elif kind == "referral":
        values |= {"code": referral.code if referral else "—"}
    elif kind == "meeting":
        meeting = await services.meetings.by_id(number) if number is not None else None
        series = services.meetings.series(meeting.series_key) if meeting else None
        values |= {
            "starts_at": meeting.starts_at if meeting else None,
            "district": meeting.district if meeting else None,
            "series": series.name if series else None,
            "cutoff": meeting.referral_cutoff if meeting else None,
            "minutes_due": meeting.minutes_due if meeting else None,
            "cancelled": meeting.cancelled if meeting else False,
            "moved_from": meeting.moved_from if meeting else None,
        }
    elif kind == "window":
        series_key, place, window = [*rest.split(":"), "", "", ""][:3]
        series = services.meetings.series(series_key)
        values |= {
            "series": series.name if series else series_key,
            "place": place,
            "window": window,
        }
    elif kind == "staff":
        person = await services.accounts.by_id(number) if number is not None else None
        values |= {"name": person.display_name if person else "—"}
    return services.text(reader, f"nudge.{row.kind}", **values)


async def digest(services: Services, batch: Batch) -> tuple[str, list[list[Button]]]:
    """One message for one person and window: an item per thing to do, the latest step of it
    when several fell due together (after a day off, "7 days before" and "1 working day
    before" a meeting), each with 去處理 / 已完成 / 稍後提醒."""
    reader = batch.recipient
    items = {(row.kind, row.subject): row for row in batch.rows}  # rows come oldest first
    lines = [services.text(reader, "nudge.title", count=len(items))]
    rows: list[list[Button]] = []
    for number, row in enumerate(items.values(), 1):
        lines.append(f"{number}. {await describe(services, reader, row)}")
        if row.kind == UNREACHABLE:
            continue
        rows.append(
            [
                (services.text(reader, "nudge.go", n=number), f"nz:go:{row.id}"),
                (services.text(reader, "nudge.done", n=number), f"nz:done:{row.id}"),
                (services.text(reader, "nudge.later", n=number), f"nz:later:{row.id}"),
            ]
        )
    return "\n".join(lines), rows


async def send_due(context: Context) -> int:
    """The sender tick: sends until the work runs out or the next tick is a second away."""
    return await send_for(context.bot, services_of(context), SEND_SECONDS - 1)


async def send_now(bot: Bot, services: Services, now: datetime) -> int:
    """Claim what is due, re-check it against the data, send one digest per person and send
    window, paced (1 a second to a chat, the configured rate overall); returns how many digests
    went out. What happened to each digest is logged, by staff id only."""
    return (await _send_pass(bot, services, now)).sent


async def send_for(
    bot: Bot, services: Services, seconds: float, now: Callable[[], datetime] = utcnow
) -> int:
    """Send passes one after another for up to `seconds`, while there is work and Telegram
    has not asked to wait: a large fan-out keeps the configured rate instead of one claim's
    worth per tick. Each pass claims no more rows than the rate can send in the time left,
    so the last one ends before the next tick."""
    deadline = time.monotonic() + seconds
    sent = 0
    while (left := deadline - time.monotonic()) > 0:
        limit = max(1, int(services.nudges.pacer.rate * left))
        outcome = await _send_pass(bot, services, now(), limit=limit)
        sent += outcome.sent
        if not outcome.claimed or outcome.told_to_wait:
            break
    return sent


@dataclass(frozen=True)
class _Pass:
    sent: int = 0
    claimed: int = 0  # rows taken (stale ones included)
    told_to_wait: bool = False


async def _send_pass(
    bot: Bot, services: Services, now: datetime, *, limit: int | None = None
) -> _Pass:
    outbox = services.nudges
    if not outbox.sending_now(now):
        return _Pass()
    batches, stale = await outbox.claim(now, limit=limit)
    if stale:
        log.info("nudges: %d dropped before sending, their reason has gone", len(stale))
    claimed = len(stale) + sum(len(batch.rows) for batch in batches)
    sent = 0
    for index, batch in enumerate(batches):
        try:
            if await send_digest(bot, services, batch, now):
                sent += 1
        except RetryAfter as error:
            # Telegram asked us to wait (after the rate limiter's own retries): this digest and
            # the rest of the tick wait, without counting an attempt.
            wait = _wait_of(error)
            until = now + wait
            waiting = [row for later in batches[index:] for row in later.rows]
            await outbox.postpone(waiting, until, moment=now, count_attempt=False)
            log.warning(
                "nudges: Telegram asked to wait %ss; %d digests postponed",
                wait.total_seconds(),
                len(batches) - index,
            )
            return _Pass(sent, claimed, told_to_wait=True)
    return _Pass(sent, claimed)


async def send_digest(bot: Bot, services: Services, batch: Batch, now: datetime) -> bool:
    """Send one digest and record what became of it: sent (with Telegram's message id),
    unknown (a timeout after the request went out: it may have arrived, so it is never re-sent
    blindly), postponed (the connection failed before sending), or dropped (blocked, refused)."""
    outbox = services.nudges
    who = batch.recipient.id
    text, buttons = await digest(services, batch)
    await outbox.pacer.wait(batch.recipient.telegram_user_id)
    await outbox.mark_sending(batch.rows, now)
    try:
        message = await bot.send_message(
            batch.recipient.telegram_user_id,
            text,
            reply_markup=keyboard(buttons) if buttons else None,
            read_timeout=SEND_READ_TIMEOUT,
        )
    except TimedOut as error:
        if _never_sent(error):
            await _retry_later(services, batch, now, error)
            return False
        await outbox.finish(batch.rows, state="unknown", moment=now)
        log.warning("nudges: digest to staff %s timed out after sending; marked unknown", who)
        return False
    except Forbidden:
        await outbox.finish(batch.rows, state="dropped", moment=now, reason="blocked")
        await outbox.unreachable(batch.recipient, now)
        log.warning("nudges: staff %s blocked the bot; their supervisor is told", who)
        return False
    except BadRequest as error:
        await outbox.finish(batch.rows, state="dropped", moment=now, reason="bad_request")
        log.warning("nudges: digest to staff %s refused: %s", who, error.message)
        return False
    except NetworkError as error:  # a connection error or Telegram's 5xx: not delivered
        await _retry_later(services, batch, now, error)
        return False
    await outbox.finish(batch.rows, state="sent", moment=now, message_id=message.message_id)
    log.info("nudges: digest of %d to staff %s sent", len(batch.rows), who)
    return True


def _never_sent(error: TimedOut) -> bool:
    """A timeout while connecting (or waiting for a free connection) sent nothing."""
    return isinstance(error.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout)


async def _retry_later(services: Services, batch: Batch, now: datetime, error: Exception) -> None:
    """Back off: 1, 2, 4 … minutes by attempts so far, at most an hour."""
    attempts = max(row.attempts for row in batch.rows)
    wait = timedelta(minutes=min(2**attempts, 60))
    await services.nudges.postpone(batch.rows, now + wait, moment=now, count_attempt=True)
    log.warning(
        "nudges: digest to staff %s not sent (%s); retry in %s",
        batch.recipient.id,
        type(error).__name__,
        wait,
    )


def _wait_of(error: RetryAfter) -> timedelta:
    """How long Telegram asked to wait: a timedelta with PTB_TIMEDELTA (`bot.app`), seconds
    otherwise."""
    wait = error.retry_after
    return wait if isinstance(wait, timedelta) else timedelta(seconds=wait)


async def plan_due(context: Context) -> int:
    """The planning tick: store what the data says is due by now (idempotent)."""
    return await services_of(context).nudges.planner.plan(utcnow())


@requires(Action.VIEW_MEETINGS)
async def press(update: Update, context: Context, member: Staff) -> None:
    """`nz:go|done|later:<nudge>`. 去處理 opens the flow that does it; 已完成 opens the same
    flow to record what proves it (a duty is never just dismissed); 稍後提醒 moves it to the
    next send window, at most twice."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    await answer(query)
    _, step, raw_id = data_parts(query, 3)
    row = await services.nudges.row(int(raw_id)) if raw_id.isdigit() else None
    if row is None or row.recipient_id != member.id:
        await reply(update, services.text(member, "common.stale_button"))
        return
    if step == "later":
        problem = await services.nudges.snooze(member, row.id, utcnow())
        await reply(
            update, services.text(member, f"reason.{problem}" if problem else "nudge.snoozed")
        )
        return
    if step == "done":
        if row.kind in NOTICES:
            await reply(update, services.text(member, "nudge.noted"))
            return
        await reply(update, services.text(member, "nudge.prove"))
    await open_flow(update, context, member, row)


# Nudges that tell rather than ask for something: 已完成 just says it is noted.
NOTICES = frozenset(
    {
        NudgeKind.MEETING_REMINDER,
        NudgeKind.MEETING_CHANGED,
        NudgeKind.RSVP_SUMMARY,
        NudgeKind.REFERRAL_CUTOFF,
    }
)


async def open_flow(update: Update, context: Context, member: Staff, row: NudgeRecord) -> None:
    """Where the work of a nudge is done, opened in place: the monthly report, a visit entry,
    the referral's card with its decisions, the meeting (its minutes when they are due), a
    new meeting for an unscheduled window, the open resolutions."""
    kind, number, _ = split_subject(row.subject)
    if kind in ("report", "visit", "referral"):
        await _open_case_flow(update, context, member, kind, number)
    elif kind == "meeting":
        await _open_meeting_flow(update, context, member, row, number)
    elif kind == "window":
        await meetings.new_meeting(update, context)
    elif kind == "resolution":
        await meetings.show_resolutions(update, context)
    else:
        await reply(update, services_of(context).text(member, "common.stale_button"))


async def _open_case_flow(
    update: Update, context: Context, member: Staff, kind: str, number: int | None
) -> None:
    services = services_of(context)
    referral = await services.referrals.by_id(number) if number is not None else None
    if referral is None:
        await reply(update, services.text(member, "common.stale_button"))
    elif kind == "report":
        await updates.ask_report(update, context, member, referral)
    elif kind == "visit":
        await updates.ask_entry(update, context, member, referral)
    else:
        shown = await services.referrals.view(member, referral.code)
        await lookup.send_card(update, context, member, shown, referral.code)


async def _open_meeting_flow(
    update: Update, context: Context, member: Staff, row: NudgeRecord, number: int | None
) -> None:
    if row.kind == NudgeKind.REFERRAL_CUTOFF:  # network staff refer; they need not attend
        await referral_flow.refer(update, context)
        return
    services = services_of(context)
    meeting = await meetings.meeting_for(update, context, member, str(number))
    if meeting is None:
        return
    if row.kind == NudgeKind.MINUTES_DUE and services.meetings.runs(member, meeting):
        await minutes.next_step(update, context, member, meeting)
    else:
        await meetings.send_meeting(update, context, member, meeting)


@requires(Action.VIEW_MEETINGS)
async def my_nudges(update: Update, context: Context, member: Staff) -> None:
    """`/nudges`: what I have been reminded of and is still open."""
    services = services_of(context)
    rows = await services.nudges.open_for(member, utcnow())
    if not rows:
        await reply(update, services.text(member, "nudge.none"))
        return
    lines = [services.text(member, "nudge.mine", count=len(rows))]
    lines += [f"• {await describe(services, member, row)}" for row in rows]
    await reply(update, "\n".join(lines))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("nudges", my_nudges))
    application.add_handler(CallbackQueryHandler(press, pattern=r"^nz:"))
    services = application.bot_data.get("services")
    ticking = services is None or services.settings.nudge_ticks
    if application.job_queue is not None and ticking:
        # The jobs only tick; the work is in rows, so a missed tick only delays it.
        grace = {"misfire_grace_time": None, "coalesce": True}
        application.job_queue.run_repeating(
            plan_due, interval=PLAN_SECONDS, first=5, job_kwargs=grace
        )
        application.job_queue.run_repeating(
            send_due, interval=SEND_SECONDS, first=10, job_kwargs=grace
        )
