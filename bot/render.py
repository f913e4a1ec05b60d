"""What users read: message catalogs per locale (zh_TW first), rendered with jinja2.

Every user-facing string lives in `templates/<locale>.toml`; messages are Telegram HTML, so
autoescaping keeps a name with `<` or `&` from breaking a message or injecting markup.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined, Template

from bot.domain.working_days import TAIPEI

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"
LOCALES = ("zh_TW", "en")
DEFAULT_LOCALE = "zh_TW"


def roc_date(value: date | datetime) -> str:
    """115/03/05 — the ROC calendar date staff write (year − 1911), in Taipei time."""
    if isinstance(value, datetime):
        value = value.astimezone(TAIPEI).date()
    return f"{value.year - 1911}/{value.month:02d}/{value.day:02d}"


def roc_datetime(value: datetime) -> str:
    local = value.astimezone(TAIPEI)
    return f"{roc_date(local)} {local:%H:%M}"


def count(value: int | None) -> str:
    """A household count, or ? when nobody has said."""
    return "?" if value is None else str(value)


def roc_month(value: str | None) -> str:
    """ "2027-03" (a case conference month) → "116年3月"."""
    if not value:
        return "—"
    year, _, month = value.partition("-")
    if not (year.isdigit() and month.isdigit()):
        return value  # not a month: shown as it is, never a failed message
    return f"{int(year) - 1911}年{int(month)}月"


def locale_for(language_code: str | None) -> str:
    """The locale for someone not yet registered, from their Telegram app's language."""
    if language_code and language_code.lower().startswith("en"):
        return "en"
    return DEFAULT_LOCALE


def _flatten(prefix: str, table: Mapping[str, Any], out: dict[str, str]) -> None:
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            _flatten(f"{name}.", value, out)
        elif isinstance(value, str):
            out[name] = value
        else:
            raise TypeError(f"catalog entry {name} must be text")


def load_catalog(locale: str, directory: Path = TEMPLATES_DIR) -> dict[str, str]:
    """All messages of one locale, keyed by dotted name (e.g. `registration.ask_name`)."""
    with (directory / f"{locale}.toml").open("rb") as handle:
        data = tomllib.load(handle)
    flat: dict[str, str] = {}
    _flatten("", data, flat)
    return flat


EXAMPLE_DAYS_AHEAD = 21


def example_day() -> date:
    """A day to show in an example of how to type a date: three weeks ahead, on a weekday, so
    that the example is never refused as past (`{{ example_day()|roc_date }}` in a catalog)."""
    day = datetime.now(TAIPEI).date() + timedelta(days=EXAMPLE_DAYS_AHEAD)
    while day.weekday() >= 5:  # Saturday and Sunday
        day += timedelta(days=1)
    return day


class Texts:
    """Renders catalog messages for any locale; missing English falls back to zh_TW."""

    def __init__(self, directory: Path = TEMPLATES_DIR) -> None:
        self.env = Environment(autoescape=True, undefined=StrictUndefined)
        self.env.filters["roc_date"] = roc_date
        self.env.filters["roc_datetime"] = roc_datetime
        self.env.filters["count"] = count
        self.env.filters["roc_month"] = roc_month
        self.env.globals["example_day"] = example_day
        self._catalogs = {locale: load_catalog(locale, directory) for locale in LOCALES}
        self._compiled: dict[tuple[str, str], Template] = {}

    def keys(self, locale: str) -> set[str]:
        return set(self._catalogs[locale])

    def render(self, locale: str, key: str, **context: Any) -> str:
        compiled = self._compiled.get((locale, key))
        if compiled is None:
            catalog = self._catalogs.get(locale) or self._catalogs[DEFAULT_LOCALE]
            source = catalog.get(key) or self._catalogs[DEFAULT_LOCALE].get(key)
            if source is None:
                raise KeyError(f"no message {key!r}")
            compiled = self.env.from_string(source)
            self._compiled[(locale, key)] = compiled
        return compiled.render(**context).strip()
