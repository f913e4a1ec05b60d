"""`/update`: three taps and one message — the case, the kind of entry, the date, then the note.

Also 列管 (a supervisor marks a case tracked, with a reason) and `/report`, the tracked case's
monthly progress report. Every answer the bot waits for is a row, so a restart loses nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.accounts import Staff
from bot.cases import Written, taipei_today
from bot.domain.case_status import EntryKind
from bot.domain.dates import parse_past_date, split_next_step
from bot.domain.permissions import Action
from bot.domain.text import clean_text
from handlers.base import (
    CODE_MAX,
    LABEL_TEXT,
    Button,
    Context,
    answer,
    data_parts,
    delete_quietly,
    expiring,
    in_rows,
    keyboard,
    reply,
    reply_expiring,
    requires,
    services_of,
    shortened,
    split_data,
    tell_redacted,
    typed_after_command,
)
from storage.records import ReferralRecord

ENTRY_NOTE = "entry_note"
ENTRY_DATE = "entry_date"
CORRECTION_NOTE = "correction_note"
TRACK_REASON = "track_reason"
REPORT_TEXT = "report_text"
REPORT_PROPOSAL = "report_proposal"
PICKABLE_KINDS = tuple(
    k for k in EntryKind if k not in (EntryKind.MONTHLY_REPORT, EntryKind.CORRECTION)
)
OTHER_DATES = 14
NOT_A_NOTE = 12  # characters: a typed "day" no longer than this that is not one is asked again


async def _case(
    update: Update, context: Context, member: Staff, raw_id: str
) -> ReferralRecord | None:
    """The case behind a button, if this person may still write in it (else they are told)."""
    services = services_of(context)
    referral = await services.referrals.by_id(int(raw_id)) if raw_id.isdigit() else None
    if referral is None:
        await reply(update, services.text(member, "common.stale_button"))
        return None
    problem = services.cases.writing_problem(member, referral, await services.cases.team(referral))
    if problem:
        await reply(update, services.text(member, f"reason.{problem}", code=referral.code))
        return None
    return referral


def case_buttons(found: list[ReferralRecord], prefix: str) -> InlineKeyboardMarkup:
    """One button a case: code and masked alias."""
    return keyboard([[(f"{r.code} {r.alias or ''}".strip(), f"{prefix}:{r.id}")] for r in found])


@requires(Action.UPDATE_CASE)
async def start_update(update: Update, context: Context, member: Staff) -> None:
    """`/update [code]`: which case?"""
    services = services_of(context)
    typed = typed_after_command(context, CODE_MAX)
    if typed:
        code = typed.split()[0]
        referral = await services.referrals.view(member, code)
        if referral is None:
            await reply(update, services.text(member, "case.not_found", code=code))
            return
        await ask_entry(update, context, member, referral)
        return
    writable = await services.referrals.writable_cases(member)
    if not writable:
        await reply(update, services.text(member, "update.no_cases"))
        return
    await reply(update, services.text(member, "update.pick_case"), case_buttons(writable, "up:c"))


async def ask_entry(
    update: Update, context: Context, member: Staff, referral: ReferralRecord
) -> None:
    """Start an entry in this case, if this person may write in it (else they are told)."""
    if await _case(update, context, member, str(referral.id)):
        await ask_kind(update, context, member, referral)


async def ask_kind(
    update: Update, context: Context, member: Staff, referral: ReferralRecord
) -> None:
    services = services_of(context)
    buttons = [
        (services.text(member, f"entry_kind.{kind.value}"), f"up:k:{referral.id}:{kind.value}")
        for kind in PICKABLE_KINDS
    ]
    await reply(
        update,
        services.text(member, "update.pick_kind", code=referral.code),
        keyboard(in_rows(buttons, 3)),
    )


def _day(ymd: str) -> date | None:
    """The day of a 「今天／昨天／其他日期」 button (yyyymmdd), if it is one."""
    try:
        return datetime.strptime(ymd, "%Y%m%d").date() if len(ymd) == 8 else None  # noqa: DTZ007
    except ValueError:
        return None


def _day_button(label: str, rid: int, kind: str, day: date) -> Button:
    return (label, f"up:d:{rid}:{kind}:{day:%Y%m%d}")


@requires(Action.UPDATE_CASE)
async def press(update: Update, context: Context, member: Staff) -> None:
    """`up:c:<case>` → `up:k:<case>:<kind>` → `up:d:<case>:<kind>:<yyyymmdd>` (or `up:p:` for
    another date)."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    _, step, raw_id, *rest = split_data(query, 3)
    await answer(query)
    referral = await _case(update, context, member, raw_id)
    if referral is None:
        return
    kinds = {k.value for k in PICKABLE_KINDS}
    today = taipei_today()
    if step == "c":
        await ask_kind(update, context, member, referral)
    elif step == "k" and rest and rest[0] in kinds:
        buttons = [_day_button(services.text(member, "update.today"), referral.id, rest[0], today)]
        yesterday = today - timedelta(days=1)
        if services.cases.entry_date_problem(referral, yesterday) is None:
            buttons.append(
                _day_button(
                    services.text(member, "update.yesterday"), referral.id, rest[0], yesterday
                )
            )
        buttons.append(
            (services.text(member, "update.other_date"), f"up:p:{referral.id}:{rest[0]}")
        )
        await reply(update, services.text(member, "update.pick_date"), keyboard([buttons]))
    elif step == "p" and rest and rest[0] in kinds:
        await ask_entry_date(update, context, member, referral, rest[0])
    elif step == "d" and len(rest) == 2 and rest[0] in kinds and (day := _day(rest[1])):
        await ask_note(update, context, member, referral, entry_kind=rest[0], day=day)
    else:
        await reply(update, services.text(member, "common.stale_button"))


async def ask_entry_date(
    update: Update, context: Context, member: Staff, referral: ReferralRecord, kind: str
) -> None:
    """「其他日期」: the days an entry may still be dated, as buttons, or typed (11/15, 上週三)."""
    services = services_of(context)
    today = taipei_today()
    days = [
        day
        for n in range(2, 2 + OTHER_DATES)
        if services.cases.entry_date_problem(referral, day := today - timedelta(days=n)) is None
    ]
    buttons = [_day_button(f"{day.month}/{day.day}", referral.id, kind, day) for day in days]
    subject = f"{referral.id}:{kind}"
    pending = await services.cases.pending_answers(member)
    kept = pending[2] if pending and pending[0] == ENTRY_DATE and pending[1] == subject else {}
    await services.cases.expect(member, ENTRY_DATE, subject, kept)  # a note kept stays kept
    await reply(
        update,
        services.text(
            member, "update.pick_or_type_date", opened=services.cases.opened_on(referral)
        ),
        keyboard(in_rows(buttons, 4)) if buttons else None,
    )


async def receive_entry_date(update: Update, context: Context, member: Staff, subject: str) -> None:
    """A typed day for an entry: understood and checked before the note is asked."""
    services = services_of(context)
    raw_id, _, kind = subject.partition(":")
    referral = await _case(update, context, member, raw_id)
    if referral is None or kind not in {k.value for k in PICKABLE_KINDS}:
        await services.cases.forget_expected(member)
        return
    typed = clean_text((update.message.text if update.message else None) or "")
    day = parse_past_date(typed, taipei_today())
    if day is None and len(typed) <= NOT_A_NOTE:
        await reply(update, services.text(member, "update.date_not_understood"))
        return
    if day is None:
        # The note, typed before the day was picked: kept (encrypted) until a day is chosen.
        await services.cases.expect(member, ENTRY_DATE, subject, {"note": typed})
        await expiring(context, update.message)
        await reply(update, services.text(member, "update.note_kept_pick_date"))
        return
    await ask_note(update, context, member, referral, entry_kind=kind, day=day)


async def ask_note(
    update: Update,
    context: Context,
    member: Staff,
    referral: ReferralRecord,
    *,
    entry_kind: str,
    day: date,
) -> None:
    """The day is checked first, so that no note is typed for a day that cannot take it."""
    services = services_of(context)
    problem = services.cases.entry_date_problem(referral, day)
    if problem:
        await reply(update, services.text(member, f"reason.{problem}", code=referral.code))
        await ask_entry_date(update, context, member, referral, entry_kind)
        return
    pending = await services.cases.pending_answers(member)
    kept = pending[2].get("note") if pending and pending[0] == ENTRY_DATE else None
    if kept:
        await write_note(
            update, context, member, referral, entry_kind=entry_kind, day=day, typed=kept
        )
        return
    await services.cases.expect(member, ENTRY_NOTE, f"{referral.id}:{entry_kind}:{day:%Y%m%d}")
    await reply(
        update,
        services.text(
            member,
            "update.ask_note",
            kind=services.text(member, f"entry_kind.{entry_kind}"),
            code=referral.code,
        ),
    )


async def receive_note(update: Update, context: Context, member: Staff, subject: str) -> None:
    """The note after the three taps: written, redacted, encrypted; a 下一步 line becomes a duty."""
    services = services_of(context)
    message = update.message
    assert message is not None
    raw_id, kind, ymd = subject.split(":")
    typed = clean_text(message.text or "")
    if not typed:
        await reply(update, services.text(member, "update.note_empty"))
        return
    referral = await _case(update, context, member, raw_id)
    if referral is None:
        await services.cases.forget_expected(member)
        return
    entry_date = _day(ymd)
    if entry_date is None:
        await services.cases.forget_expected(member)
        await reply(update, services.text(member, "common.stale_button"))
        return
    await write_note(
        update, context, member, referral, entry_kind=kind, day=entry_date, typed=typed
    )


async def write_note(
    update: Update,
    context: Context,
    member: Staff,
    referral: ReferralRecord,
    *,
    entry_kind: str,
    day: date,
    typed: str,
) -> None:
    """Write the note for this day; on a problem the bot still waits for the note of this day."""
    services = services_of(context)
    await services.cases.expect(member, ENTRY_NOTE, f"{referral.id}:{entry_kind}:{day:%Y%m%d}")
    split = split_next_step(typed, taipei_today())
    if split.problem is not None:
        # Still waiting for this note: the worker sends it again with the date put right.
        await reply(
            update,
            services.text(member, f"update.step_date_{split.problem.value}", due=split.due),
        )
        return
    result = await services.cases.write(
        member,
        referral,
        kind=EntryKind(entry_kind),
        entry_date=day,
        note=split.note,
        next_step=split.step,
        next_due=split.due,
    )
    if isinstance(result, str):
        await reply(update, services.text(member, f"reason.{result}", code=referral.code))
        if result != "entry.note_too_long":
            await services.cases.forget_expected(member)
        return
    await services.cases.forget_expected(member)
    await tell_written(update, context, member, referral, result)


async def tell_written(
    update: Update, context: Context, member: Staff, referral: ReferralRecord, result: Written
) -> None:
    """Saved: the entry as stored (its next step redacted), and any earlier step it may do."""
    services = services_of(context)
    if result.removed:
        await tell_redacted(update, context, member, result.removed, "update.redacted")
        if update.message is not None:
            await delete_quietly(update.message)
    else:
        await expiring(context, update.message)  # the note as typed: kept encrypted, not in chat
    await reply_expiring(
        update,
        context,
        services.text(
            member,
            "update.saved",
            code=referral.code,
            kind=services.text(member, f"entry_kind.{result.entry.kind}"),
            day=result.entry.entry_date,
            step=result.step,
            due=result.entry.next_due,
        ),
    )
    if result.status_note:
        await reply(
            update, services.text(member, f"reason.{result.status_note}", code=referral.code)
        )
    steps = []
    if result.entry.kind != EntryKind.CORRECTION:
        steps = await services.cases.open_steps(member, referral, before_entry=result.entry.id)
    if steps:
        buttons = [
            (
                services.text(member, "update.step_done_button", step=shortened(text, LABEL_TEXT)),
                f"nd:{duty.id}:{result.entry.id}",
            )
            for duty, text in steps
        ]
        await reply(
            update, services.text(member, "update.did_it_do_steps"), keyboard(in_rows(buttons, 1))
        )


# --- corrections: the author writes a new entry pointing at the old one -------------------------


@requires(Action.UPDATE_CASE)
async def ask_correction(update: Update, context: Context, member: Staff) -> None:
    """`cx:<entry>` under a timeline: what should it say? The original stays on record."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    await answer(query)
    raw_id = (query.data or "").removeprefix("cx:")
    entry = await services.cases.entry(int(raw_id)) if raw_id.isdigit() else None
    if entry is None or not services.cases.may_correct(member, entry):
        await reply(update, services.text(member, "reason.entry.not_author"))
        return
    if await _case(update, context, member, str(entry.referral_id)) is None:
        return
    await services.cases.expect(member, CORRECTION_NOTE, str(entry.id))
    await reply(
        update,
        services.text(
            member,
            "update.ask_correction",
            day=entry.entry_date,
            kind=services.text(member, f"entry_kind.{entry.kind}"),
        ),
    )


async def receive_correction(update: Update, context: Context, member: Staff, subject: str) -> None:
    services = services_of(context)
    message = update.message
    assert message is not None
    typed = clean_text(message.text or "")
    if not typed:
        await reply(update, services.text(member, "update.note_empty"))
        return
    original = await services.cases.entry(int(subject))
    referral = await services.referrals.by_id(original.referral_id) if original else None
    if referral is None:
        await services.cases.forget_expected(member)
        await reply(update, services.text(member, "common.stale_button"))
        return
    result = await services.cases.correct(member, int(subject), typed)
    if isinstance(result, str):
        await reply(update, services.text(member, f"reason.{result}", code=referral.code))
        if result != "entry.note_too_long":
            await services.cases.forget_expected(member)
        return
    await services.cases.forget_expected(member)
    await tell_written(update, context, member, referral, result)


# --- 列管: a supervisor marks a case tracked ------------------------------------------------------


@requires(Action.TRACK_CASE)
async def ask_tracking_reason(update: Update, context: Context, member: Staff) -> None:
    """`tk:<case>` on a case card: the reason is asked, then the case owes monthly reports."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    raw_id = (query.data or "").removeprefix("tk:")
    referral = await services.referrals.by_id(int(raw_id)) if raw_id.isdigit() else None
    await answer(query)
    if referral is None:
        await reply(update, services.text(member, "common.stale_button"))
        return
    await services.cases.expect(member, TRACK_REASON, str(referral.id))
    await reply(update, services.text(member, "track.ask_reason", code=referral.code))


async def receive_tracking_reason(
    update: Update, context: Context, member: Staff, subject: str
) -> None:
    services = services_of(context)
    reason = clean_text((update.message.text if update.message else None) or "")
    if not reason:
        await reply(update, services.text(member, "track.reason_needed"))
        return
    await services.cases.forget_expected(member)
    referral = await services.referrals.by_id(int(subject))
    if referral is None:
        await reply(update, services.text(member, "common.stale_button"))
        return
    problem = await services.cases.mark_tracked(member, referral, reason)
    if problem:
        await reply(update, services.text(member, f"reason.{problem}", code=referral.code))
        return
    await expiring(context, update.message)
    await reply(
        update,
        services.text(
            member,
            "track.done",
            code=referral.code,
            day=services.jurisdiction.monthly_report_due_day,
        ),
    )


# --- /report: the tracked case's monthly progress report ------------------------------------------


@requires(Action.UPDATE_CASE)
async def start_report(update: Update, context: Context, member: Staff) -> None:
    """`/report [code]`: which tracked case, then one message, then keep tracking or propose
    closure."""
    services = services_of(context)
    typed = typed_after_command(context, CODE_MAX)
    if typed:
        code = typed.split()[0]
        referral = await services.referrals.view(member, code)
        if referral is None:
            await reply(update, services.text(member, "case.not_found", code=code))
            return
        await ask_report(update, context, member, referral)
        return
    owing = await services.referrals.owing_reports(member)
    if not owing:
        await reply(update, services.text(member, "report.none_owed"))
        return
    today = taipei_today()
    lines = [
        services.text(
            member,
            "report.owed_line",
            r=referral,
            months=[o.period for o in owed],
            overdue=sum(1 for o in owed if o.due < today),
        )
        for referral, owed in owing
    ]
    await reply_expiring(
        update,
        context,
        "\n".join([services.text(member, "report.pick_case"), *lines]),
        case_buttons([referral for referral, _ in owing], "rp:c"),
    )


async def ask_report(
    update: Update, context: Context, member: Staff, referral: ReferralRecord
) -> None:
    services = services_of(context)
    if await _case(update, context, member, str(referral.id)) is None:
        return
    owed = await services.cases.reports_owed(referral)
    if not referral.tracked and not owed:
        await reply(update, services.text(member, "reason.report.not_tracked", code=referral.code))
        return
    if not owed:
        await reply(update, services.text(member, "report.nothing_owed", code=referral.code))
        return
    period = owed[0].period
    await services.cases.expect(member, REPORT_TEXT, f"{referral.id}:{period}")
    await reply(
        update,
        services.text(member, "report.ask", code=referral.code, period=period, due=owed[0].due),
    )


@requires(Action.UPDATE_CASE)
async def press_report(update: Update, context: Context, member: Staff) -> None:
    """`rp:c:<case>` picks the case; `rp:p:<keep|close>` answers the proposal."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    _, step, argument = data_parts(query, 3)
    await answer(query)
    if step == "c" and argument.isdigit():
        referral = await services.referrals.by_id(int(argument))
        if referral is not None:
            await ask_report(update, context, member, referral)
            return
    subject, _, proposal = argument.rpartition(":")
    if step == "p" and proposal in ("keep", "close"):
        await file_report(update, context, member, subject, proposal)
        return
    await reply(update, services.text(member, "common.stale_button"))


async def receive_report_text(
    update: Update, context: Context, member: Staff, subject: str
) -> None:
    services = services_of(context)
    typed = clean_text((update.message.text if update.message else None) or "")
    if not typed:
        await reply(update, services.text(member, "update.note_empty"))
        return
    if len(typed) > 1000:
        await reply(update, services.text(member, "reason.entry.note_too_long"))
        return
    await services.cases.expect(member, REPORT_PROPOSAL, subject, {"report": typed})
    await expiring(context, update.message)
    await reply(
        update,
        services.text(member, "report.ask_proposal"),
        keyboard(
            [
                [
                    (services.text(member, "report.keep"), f"rp:p:{subject}:keep"),
                    (services.text(member, "report.close"), f"rp:p:{subject}:close"),
                ]
            ]
        ),
    )


async def file_report(
    update: Update, context: Context, member: Staff, button_subject: str, proposal: str
) -> None:
    """The proposal button files the report it was shown with — never another case's."""
    services = services_of(context)
    pending = await services.cases.pending_answers(member)
    if pending is None or pending[0] != REPORT_PROPOSAL or pending[1] != button_subject:
        await reply(update, services.text(member, "common.stale_button"))
        return
    _, subject, answers = pending
    raw_id, period = subject.split(":")
    referral = await services.referrals.by_id(int(raw_id))
    if referral is None:
        await reply(update, services.text(member, "common.stale_button"))
        return
    result = await services.cases.file_report(
        member, referral, period, {**answers, "proposal": proposal}
    )
    await services.cases.forget_expected(member)
    if isinstance(result, str):
        await reply(
            update, services.text(member, f"reason.{result}", code=referral.code, period=period)
        )
        return
    await reply(
        update,
        services.text(member, "report.filed", code=referral.code, period=period, proposal=proposal),
    )


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("update", start_update))
    application.add_handler(CommandHandler("report", start_report))
    application.add_handler(CallbackQueryHandler(press, pattern=r"^up:"))
    application.add_handler(CallbackQueryHandler(ask_tracking_reason, pattern=r"^tk:"))
    application.add_handler(CallbackQueryHandler(press_report, pattern=r"^rp:"))
    application.add_handler(CallbackQueryHandler(ask_correction, pattern=r"^cx:"))
