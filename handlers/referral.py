"""`/refer`: a family referred from a phone — one description, then a few taps.

The worker describes the situation in their own words; the bot recognises what it can, says at
once when a 113 / 關懷e起來 report is due, shows what it understood, and asks only for what is
still missing. The draft lives in the database; every button carries the draft's nonce, so a
button from an older draft says the form has expired instead of changing the new one.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.accounts import Staff
from bot.domain.permissions import Action
from bot.domain.recognition import NotADescription, Recognised, description_problem
from bot.domain.redaction import (
    ALIAS_MAX,
    alias_of,
    national_id_is_valid,
    normalise_national_id,
    redact,
)
from bot.domain.referral_form import (
    HOUSEHOLD_FIELDS,
    NARRATIVE_MAX,
    NO_DANGER,
    Draft,
    Step,
    contradictory_ages,
)
from bot.domain.referral_rules import Category, Need
from bot.domain.safety import ReportChannel, SafetyGround
from bot.domain.text import clean_text
from bot.referrals import OpenDraft
from bot.services import Services
from handlers import referral_notices
from handlers.base import (
    Button,
    Context,
    answer,
    delete_quietly,
    expiring,
    in_rows,
    keyboard,
    reply,
    reply_expiring,
    requires,
    services_of,
    tell_redacted,
)
from handlers.case_card import report_text, safety_text

UNITS_MAX = 10


def data(opened: OpenDraft, *parts: str) -> str:
    return ":".join(("ref", opened.nonce, *parts))


# --- starting -------------------------------------------------------------------------------------


@requires(Action.REFER)
async def refer(update: Update, context: Context, member: Staff) -> None:
    """`/refer`: resume or discard an open draft, or start describing a new family."""
    services = services_of(context)
    opened = await services.referrals.open_draft(member)
    if opened is not None and opened.draft != Draft():
        await reply(
            update,
            services.text(
                member, "referral.draft_exists", step=_step_name(services, member, opened.draft)
            ),
            keyboard(
                [
                    [(services.text(member, "referral.resume"), data(opened, "resume"))],
                    [(services.text(member, "referral.discard"), data(opened, "discard"))],
                ]
            ),
        )
        return
    opened = await services.referrals.start_draft(member)
    await ask(update, context, member, opened)


@requires(Action.HELP)
async def cancel(update: Update, context: Context, member: Staff) -> None:
    """`/cancel`: drops an answer the bot waits for (a meeting draft, a report, a reason) and says
    which; asks before discarding a referral draft."""
    services = services_of(context)
    pending = await services.cases.pending_answers(member)
    if pending is not None:
        await services.cases.forget_expected(member)
        pending_kind = pending[0]
        await reply(
            update,
            services.text(
                member,
                "referral.pending_dropped",
                what=services.text(member, f"pending.{pending_kind}"),
            ),
        )
    opened = await services.referrals.open_draft(member)
    if opened is None:
        if pending is None:
            await reply(update, services.text(member, "referral.nothing_to_cancel"))
        return
    await reply(
        update,
        services.text(member, "referral.cancel_confirm"),
        keyboard(
            [
                [(services.text(member, "referral.cancel_yes"), data(opened, "drop"))],
                [(services.text(member, "referral.resume"), data(opened, "resume"))],
            ]
        ),
    )


# --- asking the next question -----------------------------------------------------------------


async def ask(update: Update, context: Context, member: Staff, opened: OpenDraft) -> None:
    """Ask the first question the draft still lacks."""
    services = services_of(context)
    draft = opened.draft
    step = draft.next_step()

    def text(key: str, **values: object) -> str:
        return services.text(member, key, **values)

    if step is Step.NARRATIVE:
        await reply_expiring(
            update,
            context,
            text("referral.ask_narrative", limit=NARRATIVE_MAX),
            keyboard([[(text("referral.skip_narrative"), data(opened, "skip", "narrative"))]]),
        )
    elif step is Step.SAFETY:
        await reply_expiring(
            update, context, text("referral.ask_safety"), safety_keyboard(context, member, opened)
        )
    elif step is Step.DISTRICT:
        buttons = [(d.name, data(opened, "d", d.key)) for d in services.jurisdiction.districts]
        await reply_expiring(
            update, context, text("referral.ask_district"), keyboard(in_rows(buttons, 3))
        )
    elif step is Step.ALIAS:
        await reply_expiring(
            update,
            context,
            text("referral.ask_alias"),
            keyboard([[(text("referral.skip"), data(opened, "skip", "alias"))]]),
        )
    elif step is Step.HOUSEHOLD:
        await reply_expiring(
            update,
            context,
            text("referral.ask_household"),
            household_keyboard(context, member, opened),
        )
    elif step is Step.CATEGORIES:
        await reply_expiring(
            update,
            context,
            text("referral.ask_categories"),
            categories_keyboard(context, member, opened),
        )
    elif step is Step.NEEDS:
        await reply_expiring(
            update, context, text("referral.ask_needs"), needs_keyboard(context, member, opened)
        )
    elif step is Step.UNITS:
        await reply_expiring(
            update,
            context,
            text("referral.ask_units", units=services.joined(member, draft.serving_units)),
            keyboard(
                [
                    [(text("referral.confirm"), data(opened, "ok", "units"))],
                    [(text("referral.no_units"), data(opened, "clear", "units"))],
                ]
            ),
        )
    elif step is Step.NATIONAL_ID:
        await reply_expiring(
            update,
            context,
            text("referral.ask_national_id"),
            keyboard([[(text("referral.skip"), data(opened, "skip", "id"))]]),
        )
    else:
        await show_summary(update, context, member, opened)


def _step_name(services: Services, member: Staff, draft: Draft) -> str:
    return services.text(member, f"referral.step.{draft.next_step().value}")


def safety_keyboard(context: Context, member: Staff, opened: OpenDraft) -> InlineKeyboardMarkup:
    """One tap answers 「沒有」; each ground is its own 「有」."""
    services = services_of(context)
    grounds = [
        (services.text(member, f"safety.{ground.value}"), data(opened, "safe", ground.value))
        for ground in SafetyGround
    ]
    none = (services.text(member, "referral.safety_none"), data(opened, "safe", NO_DANGER))
    return keyboard([[none], *in_rows(grounds, 2)])


async def show_gate(update: Update, context: Context, member: Staff, opened: OpenDraft) -> None:
    """The 113 reminder, the moment danger is known. A report the worker already made is
    recorded and named instead of asked for again; otherwise two buttons record one."""
    services = services_of(context)
    channel = opened.draft.report_channel
    if channel is not None:
        await reply(
            update,
            services.text(
                member,
                "referral.safety_gate_reported",
                channel=report_text(services, member, channel),
            ),
        )
        return
    harm_only = opened.draft.safety == (SafetyGround.HARM,) and not opened.draft.recognised_danger
    await reply(
        update,
        services.text(member, "referral.safety_gate_harm" if harm_only else "referral.safety_gate"),
        keyboard(
            [
                [
                    (
                        services.text(member, "referral.reported_hotline"),
                        data(opened, "rep", ReportChannel.HOTLINE.value),
                    )
                ],
                [
                    (
                        services.text(member, "referral.reported_ecare"),
                        data(opened, "rep", ReportChannel.ECARE.value),
                    )
                ],
            ]
        ),
    )


def household_keyboard(context: Context, member: Staff, opened: OpenDraft) -> InlineKeyboardMarkup:
    services = services_of(context)
    rows: list[list[Button]] = []
    for member_kind in HOUSEHOLD_FIELDS:
        count = getattr(opened.draft.household, member_kind)
        label = services.text(
            member, f"referral.household.{member_kind}", count="?" if count is None else count
        )
        rows.append(
            [
                ("−", data(opened, "hh", member_kind, "-")),
                (label, data(opened, "noop")),
                ("＋", data(opened, "hh", member_kind, "+")),
            ]
        )
    rows.append([(services.text(member, "referral.confirm"), data(opened, "ok", "household"))])
    return keyboard(rows)


def ticks_keyboard(
    context: Context,
    member: Staff,
    opened: OpenDraft,
    *,
    kind: str,
    options: tuple[StrEnum, ...],
    chosen: tuple[StrEnum, ...],
    per_row: int,
) -> InlineKeyboardMarkup:
    """Options to tick (✅), then Confirm: categories are `c`/`category`, needs `n`/`need`."""
    services = services_of(context)
    catalog, action = {"categories": ("category", "c"), "needs": ("need", "n")}[kind]
    buttons = [
        (
            ("✅ " if option in chosen else "")
            + services.text(member, f"{catalog}.{option.value}"),
            data(opened, action, option.value),
        )
        for option in options
    ]
    rows = in_rows(buttons, per_row)
    rows.append([(services.text(member, "referral.confirm"), data(opened, "ok", kind))])
    return keyboard(rows)


def categories_keyboard(context: Context, member: Staff, opened: OpenDraft) -> InlineKeyboardMarkup:
    return ticks_keyboard(
        context,
        member,
        opened,
        kind="categories",
        options=tuple(Category),
        chosen=opened.draft.categories,
        per_row=2,
    )


def needs_keyboard(context: Context, member: Staff, opened: OpenDraft) -> InlineKeyboardMarkup:
    return ticks_keyboard(
        context,
        member,
        opened,
        kind="needs",
        options=tuple(Need),
        chosen=opened.draft.needs,
        per_row=3,
    )


# --- what the worker types -----------------------------------------------------------------------


async def receive_text(update: Update, context: Context, member: Staff, opened: OpenDraft) -> None:
    """A message while a draft is open: the answer to the current question, or more details."""
    services = services_of(context)
    message = update.message
    assert message is not None
    if message.text is None:
        await reply(update, services.text(member, "referral.text_only"))
        return
    typed = clean_text(message.text)
    if not typed:
        await reply(update, services.text(member, "referral.empty"))
        return
    step = opened.draft.next_step()
    if step is Step.ALIAS and len(typed) > ALIAS_MAX * 2:
        # Far longer than a name: more about the family, not its alias.
        await receive_description(update, context, member, opened, typed=typed, message=message)
    elif step is Step.ALIAS:
        await receive_alias(update, context, member, opened, typed=typed, message=message)
    elif step is Step.NATIONAL_ID:
        await receive_national_id(update, context, member, opened, typed=typed, message=message)
    elif step is Step.UNITS:
        cleaned = redact(typed)
        if cleaned.removed:
            await delete_quietly(message)
            await tell_redacted(update, context, member, cleaned.removed, "referral.redacted")
        units = tuple(u.strip() for u in cleaned.text.replace("、", ",").split(",") if u.strip())
        draft = replace(opened.draft, serving_units=units[:UNITS_MAX]).finish(Step.UNITS)
        await advance(update, context, member, replace(opened, draft=draft))
    else:
        await receive_description(update, context, member, opened, typed=typed, message=message)


async def receive_description(
    update: Update,
    context: Context,
    member: Staff,
    opened: OpenDraft,
    *,
    typed: str,
    message: Message,
) -> None:
    """The worker's own words: safety first, then what was understood, then the next question."""
    services = services_of(context)
    found = services.referrals.recognise(typed)
    if len(typed) > NARRATIVE_MAX:
        # Too long to keep — but safety and privacy come first all the same.
        if found.mandatory_report:
            reported = report_text(services, member, found.report_channel)
            key = "referral.safety_gate_reported" if reported else "referral.safety_gate"
            await reply(update, services.text(member, key, channel=reported))
        if found.removed:
            await delete_quietly(message)
            await tell_redacted(update, context, member, found.removed, "referral.redacted")
        await reply(
            update,
            services.text(member, "referral.too_long", limit=NARRATIVE_MAX, length=len(typed)),
        )
        return
    problem = description_problem(found.redacted_text, found)
    if problem is not None:
        await not_a_description(
            update, context, member, opened, found=found, reason=problem, message=message
        )
        return
    first = opened.draft.narrative is None
    draft = opened.draft.with_recognised(found)
    if draft.mandatory_report and not opened.draft.mandatory_report:
        await show_gate(update, context, member, replace(opened, draft=draft))
    if contradictory_ages(found.redacted_text):
        await reply(update, services.text(member, "referral.contradictory_ages"))
    if found.removed:
        await delete_quietly(message)
        await tell_redacted(update, context, member, found.removed, "referral.redacted")
    opened = replace(opened, draft=draft)
    if not await services.referrals.save_draft(member, opened):
        await reply(update, services.text(member, "common.stale_button"))
        return
    await expiring(context, message)  # the family's story as typed: kept encrypted, not in chat
    await reply_expiring(update, context, understood(services, member, draft, first=first))
    await ask(update, context, member, opened)


async def not_a_description(
    update: Update,
    context: Context,
    member: Staff,
    opened: OpenDraft,
    *,
    found: Recognised,
    reason: NotADescription,
    message: Message,
) -> None:
    """A message that tells nothing about a family never starts the form nor joins the draft:
    a district typed at the district question answers it; anything else gets a short pointer."""
    services = services_of(context)
    if found.removed:
        await delete_quietly(message)
        await tell_redacted(update, context, member, found.removed, "referral.redacted")
    draft = opened.draft
    if draft.narrative is not None and draft.next_step() is Step.DISTRICT and found.district:
        draft = replace(draft, district=found.district, village=found.village)
        await advance(update, context, member, replace(opened, draft=draft))
    elif draft.narrative is None and draft.next_step() is Step.NARRATIVE:
        await reply(
            update,
            services.text(
                member, f"referral.not_description.{reason.value}", district=found.district
            ),
        )
    else:
        await reply(
            update,
            services.text(
                member, "referral.waiting_for_answer", step=_step_name(services, member, draft)
            ),
        )


def understood(services: Services, member: Staff, draft: Draft, *, first: bool) -> str:
    """What the bot took from the description, in one short message."""
    household = draft.household
    return services.text(
        member,
        "referral.understood" if first else "referral.understood_more",
        district=draft.district,
        village=draft.village,
        alias=draft.alias,
        household=household,
        needs=services.joined(
            member, (services.text(member, f"need.{n.value}") for n in draft.needs)
        ),
        categories="、".join(
            services.text(member, f"category.{c.value}") for c in draft.supported_categories()
        ),
        units="、".join(draft.serving_units),
        urgent=draft.urgent,
    )


async def receive_alias(
    update: Update,
    context: Context,
    member: Staff,
    opened: OpenDraft,
    *,
    typed: str,
    message: Message,
) -> None:
    """A masked name and nothing else: an identifier in it is cut and its message deleted; what
    is not a name (too long, digits, signs) is asked again."""
    services = services_of(context)
    alias = alias_of(typed)
    if alias.removed:
        await delete_quietly(message)
        await tell_redacted(update, context, member, alias.removed, "common.answer_redacted")
    if alias.masked is None:
        await reply(update, services.text(member, "referral.alias_not_a_name", limit=ALIAS_MAX))
        return
    draft = replace(opened.draft, alias=alias.masked).finish(Step.ALIAS)
    if alias.masked != typed:
        await reply_expiring(
            update, context, services.text(member, "referral.alias_masked", alias=alias.masked)
        )
    await advance(update, context, member, replace(opened, draft=draft))


async def receive_national_id(
    update: Update,
    context: Context,
    member: Staff,
    opened: OpenDraft,
    *,
    typed: str,
    message: Message,
) -> None:
    """An ID for co-case matching: check digit first; only its keyed hash is kept."""
    services = services_of(context)
    normalised = normalise_national_id(typed)
    await delete_quietly(message)  # an ID never stays in the chat, right or wrong
    if normalised is None:
        await reply(update, services.text(member, "referral.id_not_an_id"))
        return
    if not national_id_is_valid(normalised):
        await reply(update, services.text(member, "referral.id_check_digit"))
        return
    household_hash = services.referrals.household_hash(normalised)
    draft = replace(opened.draft, household_hash=household_hash).finish(Step.NATIONAL_ID)
    await reply(update, services.text(member, "referral.id_kept"))
    await advance(update, context, member, replace(opened, draft=draft))


async def advance(update: Update, context: Context, member: Staff, opened: OpenDraft) -> None:
    """Save the draft and ask the next question (or say the form expired)."""
    services = services_of(context)
    if not await services.referrals.save_draft(member, opened):
        await reply(update, services.text(member, "common.stale_button"))
        return
    await ask(update, context, member, opened)


# --- the buttons -------------------------------------------------------------------------------


async def not_this_draft(
    query: CallbackQuery, services: Services, member: Staff, *, nonce: str, action: str
) -> None:
    """A button of a draft that is gone: a double-tapped 送出 finds its referral, else expired."""
    submitted = await services.referrals.submit(member, nonce) if action == "submit" else None
    if submitted is not None:
        text = services.text(member, "referral.already_submitted", code=submitted.referral.code)
    else:
        text = services.text(member, "common.stale_button")
    await answer(query, text, alert=True)


def form_data(raw: str | None) -> tuple[str, str, list[str]] | None:
    """`ref:<nonce>:<action>[:<argument>…]` read back (see `data`); None when it is not that."""
    parts = (raw or "").split(":")
    if len(parts) < 3 or parts[0] != "ref":
        return None
    return parts[1], parts[2], parts[3:]


@requires(Action.REFER)
async def press(update: Update, context: Context, member: Staff) -> None:
    """Every button of the referral form: `ref:<nonce>:<action>[:<argument>…]`."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    parsed = form_data(query.data)
    if parsed is None:
        await answer(query, services.text(member, "common.stale_button"), alert=True)
        return
    nonce, action, args = parsed
    opened = await services.referrals.open_draft(member)
    if opened is None or opened.nonce != nonce:
        await not_this_draft(query, services, member, nonce=nonce, action=action)
        return
    if action == "noop":
        await answer(query)
        return
    if action in ("hh", "c", "n"):
        await toggle(update, context, member, opened, action=action, args=args)
        return
    await answer(query)
    if action == "resume":
        await ask(update, context, member, opened)
    elif action == "discard":
        await ask(update, context, member, await services.referrals.start_draft(member))
    elif action == "drop":
        await services.referrals.discard_draft(member, nonce)
        await reply(update, services.text(member, "referral.discarded"))
    elif action == "submit":
        await submit(update, context, member, opened)
    elif action in ("safe", "rep"):
        await safety_button(update, context, member, opened, action=action, args=args)
    elif (draft := answered(services, opened.draft, action, args)) is not None:
        await advance(update, context, member, replace(opened, draft=draft))
    else:
        await reply(update, services.text(member, "common.stale_button"))


async def safety_button(
    update: Update,
    context: Context,
    member: Staff,
    opened: OpenDraft,
    *,
    action: str,
    args: list[str],
) -> None:
    """The safety question (`safe`) and the gate's 「我已通報」 (`rep`)."""
    argument = args[0] if args else ""
    if action == "rep" and argument in (ReportChannel.HOTLINE, ReportChannel.ECARE):
        await record_report(update, context, member, opened, ReportChannel(argument))
    elif action == "safe" and (argument == NO_DANGER or argument in set(SafetyGround)):
        await answer_safety(update, context, member, opened, argument)
    else:  # no such button: say so, and ask again what the form is at
        await reply(update, services_of(context).text(member, "common.stale_button"))
        await ask(update, context, member, opened)


async def answer_safety(
    update: Update, context: Context, member: Staff, opened: OpenDraft, answer_value: str
) -> None:
    """「沒有」, or a ground: the gate at once, exactly as for a recognised danger.

    A ground can be added at any time (a 「沒有」 tapped by mistake, a second ground); a 「沒有」
    never takes back what was said or recognised — it only answers a question still open."""
    services = services_of(context)
    draft = opened.draft
    if answer_value == NO_DANGER:
        if draft.next_step() is not Step.SAFETY:
            await ask(update, context, member, opened)  # answered already: carry on where it is
            return
        grounds: tuple[SafetyGround, ...] = ()
    else:
        grounds = (*(draft.safety or ()), SafetyGround(answer_value))
    answered = draft.answer_safety(grounds)
    opened = replace(opened, draft=answered)
    if answered.mandatory_report and not draft.mandatory_report:
        await show_gate(update, context, member, opened)
    elif grounds and draft.mandatory_report:
        await reply_expiring(update, context, services.text(member, "referral.safety_added"))
    await advance(update, context, member, opened)


async def record_report(
    update: Update, context: Context, member: Staff, opened: OpenDraft, channel: ReportChannel
) -> None:
    """「我已撥 113 通報」 on the gate: the referral records it, and still does not count as one;
    the form's current question follows again, so the next tap is at the bottom of the chat."""
    services = services_of(context)
    if opened.draft.report_channel is None:  # the first answer stands; a second tap repeats it
        opened = replace(opened, draft=opened.draft.record_report(channel))
        if not await services.referrals.save_draft(member, opened):
            await reply(update, services.text(member, "common.stale_button"))
            return
    recorded = opened.draft.report_channel
    assert recorded is not None
    await reply(
        update,
        services.text(
            member,
            "referral.report_recorded",
            channel=report_text(services, member, recorded),
        ),
    )
    await ask(update, context, member, opened)  # the question the form is at, below again


SKIPPABLE = {"narrative": Step.NARRATIVE, "alias": Step.ALIAS, "id": Step.NATIONAL_ID}
CONFIRMABLE = {
    "household": Step.HOUSEHOLD,
    "categories": Step.CATEGORIES,
    "needs": Step.NEEDS,
    "units": Step.UNITS,
}
EDITABLE = {"household": Step.HOUSEHOLD, "categories": Step.CATEGORIES, "needs": Step.NEEDS}


def answered(services: Services, draft: Draft, action: str, args: list[str]) -> Draft | None:
    """The draft after a button that answers a question (None: not such a button)."""
    argument = args[0] if args else ""
    if action == "d" and (district := services.jurisdiction.district(argument)):
        return replace(draft, district=district.name)
    if action == "skip" and argument in SKIPPABLE:
        return draft.finish(SKIPPABLE[argument])
    if action == "ok" and argument in CONFIRMABLE:
        return draft.finish(CONFIRMABLE[argument])
    if action == "clear" and argument == "units":
        return replace(draft, serving_units=()).finish(Step.UNITS)
    if action == "edit" and argument in EDITABLE:
        return draft.reopen(EDITABLE[argument])
    return None


async def toggle(
    update: Update,
    context: Context,
    member: Staff,
    opened: OpenDraft,
    *,
    action: str,
    args: list[str],
) -> None:
    """＋／− on the household, ✅ on categories and needs: the same message is updated."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    draft = opened.draft
    refusal = None
    if action == "hh" and len(args) == 2 and args[0] in HOUSEHOLD_FIELDS:
        draft = draft.adjust_household(args[0], 1 if args[1] == "+" else -1)
        markup = household_keyboard
    elif action == "c" and args and args[0] in Category.__members__.values():
        draft, refusal = draft.toggle_category(Category(args[0]))
        markup = categories_keyboard
    elif action == "n" and args and args[0] in Need.__members__.values():
        draft = draft.toggle_need(Need(args[0]))
        markup = needs_keyboard
    else:
        await answer(query, services.text(member, "common.stale_button"), alert=True)
        return
    if refusal is not None:
        await answer(query, services.text(member, f"why_not.{refusal}"), alert=True)
        return
    flipped_to_danger = draft.mandatory_report and not opened.draft.mandatory_report
    opened = replace(opened, draft=draft)
    if not await services.referrals.save_draft(member, opened):
        await answer(query, services.text(member, "common.stale_button"), alert=True)
        return
    await answer(query)
    if flipped_to_danger:
        await show_gate(update, context, member, opened)
    try:
        await query.edit_message_reply_markup(markup(context, member, opened))
    except TelegramError:
        return  # e.g. the same count pressed at a limit: nothing to redraw


# --- confirmation and submission ----------------------------------------------------------------


async def show_summary(update: Update, context: Context, member: Staff, opened: OpenDraft) -> None:
    services = services_of(context)
    draft = opened.draft

    def text(key: str, **values: object) -> str:
        return services.text(member, key, **values)

    await reply_expiring(
        update,
        context,
        text(
            "referral.summary",
            draft=draft,
            household=draft.household,
            categories="、".join(text(f"category.{c.value}") for c in draft.categories),
            needs="、".join(text(f"need.{n.value}") for n in draft.needs),
            flags="、".join(text(f"priority.{f.value}") for f in draft.priority_flags),
            units="、".join(draft.serving_units),
            center=services.referrals.center_for(draft.district).name if draft.district else "—",
            safety=safety_text(services, member, draft.safety_answer, draft.mandatory_report),
            reported=report_text(services, member, draft.report_channel),
        ),
        keyboard(
            [
                [(text("referral.submit"), data(opened, "submit"))],
                [
                    (text("referral.edit.household"), data(opened, "edit", "household")),
                    (text("referral.edit.categories"), data(opened, "edit", "categories")),
                    (text("referral.edit.needs"), data(opened, "edit", "needs")),
                ],
                [(text("referral.cancel"), data(opened, "drop"))],
            ]
        ),
    )


async def submit(update: Update, context: Context, member: Staff, opened: OpenDraft) -> None:
    """One tap submits; a double tap finds the referral already made and says so. A draft not
    at its summary (saved before a question was added, or a forged tap) is asked what it lacks."""
    services = services_of(context)
    if opened.draft.next_step() is not Step.CONFIRM:
        await ask(update, context, member, opened)
        return
    submitted = await services.referrals.submit(member, opened.nonce)
    if submitted is None:
        await reply(update, services.text(member, "common.stale_button"))
        return
    referral = submitted.referral
    await reply(
        update,
        services.text(
            member,
            "referral.submitted" if submitted.created else "referral.already_submitted",
            code=referral.code,
            center=submitted.center.name,
            urgent=referral.urgent,
            mandatory_report=referral.mandatory_report,
        ),
    )
    if submitted.created:
        await referral_notices.to_receiving_center(context, referral)
        await referral_notices.co_cases(context, member, referral, submitted.co_cases)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("refer", refer))
    application.add_handler(CommandHandler("cancel", cancel))
    application.add_handler(CallbackQueryHandler(press, pattern=r"^ref:"))
