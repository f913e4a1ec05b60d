"""The services a running bot needs, built once by the factory and shared by every handler."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.accounts import Accounts, Staff
from bot.cases import Cases
from bot.config import Settings
from bot.domain.jurisdiction import Jurisdiction
from bot.keys import Keyring
from bot.meetings import Meetings
from bot.nudges import Outbox
from bot.referrals import Referrals
from bot.render import Texts
from storage import Database


@dataclass(frozen=True)
class Services:
    settings: Settings
    db: Database
    jurisdiction: Jurisdiction
    texts: Texts
    keyring: Keyring
    accounts: Accounts
    referrals: Referrals
    cases: Cases
    meetings: Meetings
    nudges: Outbox

    def text(self, who: Staff | str, key: str, **context: object) -> str:
        """A catalog message in the language of `who` (a member of staff, or a locale)."""
        locale = who if isinstance(who, str) else who.locale
        return self.texts.render(locale, key, **context)

    def joined(self, who: Staff | str, items: Iterable[str]) -> str:
        """Items as a list in the reader's language: 「甲、乙」, "A, B"."""
        return self.text(who, "common.list_separator").join(items)

    def role_name(self, who: Staff | str, role: str) -> str:
        return self.text(who, f"role.{role}")
