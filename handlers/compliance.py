"""`/compliance [year]` (the bureau): meetings held in their windows, minutes within a week,
monthly reports on time — one table message and the XLSX whose rows name their sources (肆)."""

from __future__ import annotations

import io
from collections import Counter

from telegram import InputFile, Update
from telegram.ext import Application, CommandHandler

from bot import documents
from bot.accounts import Staff
from bot.cases import taipei_today
from bot.compliance import ComplianceLine, compliance
from bot.domain.permissions import Action
from bot.render import roc_date, roc_month
from bot.services import Services
from handlers.base import Context, reply, requires, services_of


def rows(
    services: Services, reader: Staff, lines: list[ComplianceLine]
) -> list[documents.ComplianceRow]:
    def series_name(key: str) -> str:
        series = services.meetings.series(key)
        return series.name if series else key

    return [
        documents.ComplianceRow(
            district=line.district or services.jurisdiction.city_name,
            series=series_name(line.series_key),
            period=roc_month(line.window.key),
            held_on=line.held_on,
            held_state=services.text(reader, f"compliance.held_{line.held.value}"),
            minutes_sent_on=line.minutes_on,
            minutes_state=services.text(
                reader, f"compliance.minutes_{line.minutes.value if line.minutes else 'none'}"
            ),
            reports_on_time=line.reports_on_time,
            reports_late=line.reports_late,
            reports_missing=line.reports_missing,
            source=services.text(
                reader,
                "compliance.source",
                days=[roc_date(day) for day in line.meeting_days],
                reports=[f"{code} {roc_month(period)}" for code, period in line.reports],
            ),
        )
        for line in lines
    ]


@requires(Action.VIEW_COMPLIANCE)
async def show_compliance(update: Update, context: Context, member: Staff) -> None:
    services = services_of(context)
    today = taipei_today()
    year = today.year
    if context.args:
        typed = context.args[0]
        year = int(typed) + (1911 if len(typed) <= 3 else 0) if typed.isdigit() else 0
        if not 2020 <= year <= today.year:
            await reply(update, services.text(member, "compliance.usage"))
            return
    lines = await compliance(services.db, services.jurisdiction, year, today)
    await services.accounts.record(
        "meeting.compliance", "allowed", member=member, detail={"year": year}
    )
    summary = []
    for series in services.jurisdiction.meeting_series:
        mine = [line for line in lines if line.series_key == series.key]
        held = Counter(line.held.value for line in mine)
        minutes = Counter(line.minutes.value for line in mine if line.minutes)
        summary.append(
            services.text(
                member,
                "compliance.series_line",
                series=series.name,
                held=held,
                minutes=minutes,
                on_time=sum(line.reports_on_time for line in mine),
                late=sum(line.reports_late for line in mine),
                missing=sum(line.reports_missing for line in mine),
                conference=series.key == "case_conference",
            )
        )
    await reply(
        update,
        "\n\n".join([services.text(member, "compliance.title", year=year - 1911), *summary]),
    )
    headers = services.text(member, "compliance.headers").split("|")
    data = documents.compliance_xlsx(
        rows(services, member, lines),
        title=services.text(member, "compliance.sheet_title", year=year - 1911),
        headers=headers,
    )
    if update.effective_chat is not None:
        await update.effective_chat.send_document(
            InputFile(io.BytesIO(data), filename=f"遵循情形_{year - 1911}年.xlsx")
        )


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("compliance", show_compliance))
