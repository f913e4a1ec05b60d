"""Logging that never shows the bot token, the deployment secret or a family's data.

At any level, including DEBUG:
- the libraries that would write message texts, captions, callback payloads, Bot API parameters
  (decrypted narratives on their way out) or SQL — python-telegram-bot and aiosqlite at INFO or
  above, SQLAlchemy and httpx at WARNING — so they write none of them;
- every line, traceback included, has the secrets blanked out and national IDs, phone numbers
  and street addresses cut (`bot.domain.redaction`), in case an exception message quotes input.

Our own modules never log content: ids, counts, codes and outcomes only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.domain.redaction import redact

REDACTED = "[redacted]"

# Loggers that write content at DEBUG: python-telegram-bot (whole updates in, every Bot API call's
# parameters out) and aiosqlite (each statement with its parameters).
CONTENT_AT_DEBUG = ("telegram", "aiosqlite")
# Loggers that write request URLs (Bot API URLs carry the token), every SQL statement once their
# level is set at all (SQLAlchemy), or that are merely noisy.
QUIET = ("httpx", "httpcore", "apscheduler", "alembic", "uvicorn.access", "sqlalchemy")


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then blanks out every secret and cuts identifiers wherever they appear."""

    def __init__(self, secrets: Iterable[str], fmt: str | None = None) -> None:
        super().__init__(fmt)
        self._secrets = [secret for secret in secrets if secret]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return redact(text).text


def configure_logging(level: str, secrets: Iterable[str]) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter(secrets, "%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_libraries(root.getEffectiveLevel())


def quiet_libraries(level: int) -> None:
    """Hold the libraries that would write content at INFO or above, whatever `level` is."""
    for name in CONTENT_AT_DEBUG:
        logging.getLogger(name).setLevel(max(level, logging.INFO))
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
