"""Telegram adapters: one module per conversation, each exposing `register(application)`.

Handlers only talk and ask: the rules are in `bot.domain`, the work in `bot` services.
"""

from __future__ import annotations

from telegram.ext import Application

from handlers import (
    account,
    approvals,
    case_moves,
    caseload,
    compliance,
    duties,
    errors,
    fallback,
    gate,
    inbox,
    invites,
    lookup,
    meeting_changes,
    meetings,
    minutes,
    nudges,
    overdue,
    referral,
    referral_decisions,
    registration,
    team,
    updates,
)


def register_all(application: Application) -> None:  # type: ignore[type-arg]
    """Install every handler in the order updates should meet them."""
    gate.register(application)
    registration.register(application)
    approvals.register(application)
    invites.register(application)
    account.register(application)
    referral.register(application)
    referral_decisions.register(application)
    lookup.register(application)
    updates.register(application)
    case_moves.register(application)
    duties.register(application)
    team.register(application)
    caseload.register(application)
    overdue.register(application)
    meetings.register(application)
    minutes.register(application)
    meeting_changes.register(application)
    compliance.register(application)
    nudges.register(application)
    inbox.register(application)
    fallback.register(application)
    errors.register(application)
