"""A case's code, the product's own handle for a family: TY-115-00042 (the city's prefix, the ROC
year of the referral, a number within the year).

Anything typed where a code is expected and not shaped like one is not looked up, audited or
echoed as typed: it may be a national ID or a phone number (`/case B123456780`).
"""

from __future__ import annotations

import re
import unicodedata

_NUMBER_DIGITS = 5
_SHAPE = re.compile(r"([A-Z]{2,4})-(1[0-9]{2})-([0-9]{5})")


def case_code(prefix: str, roc_year: int, number: int) -> str:
    return f"{prefix}-{roc_year}-{number:0{_NUMBER_DIGITS}d}"


def parse_case_code(typed: str, prefix: str) -> str | None:
    """The code in its stored form (upper case, ASCII) if `typed` is one of this city's codes."""
    normal = unicodedata.normalize("NFKC", typed).strip().upper()
    found = _SHAPE.fullmatch(normal)
    return normal if found is not None and found[1] == prefix.upper() else None


_SHORT = re.compile(r"[0-9]{1,5}")


def short_case_codes(typed: str, prefix: str, roc_year: int) -> tuple[str, ...]:
    """What `/case 31` or `/case 00031` can mean: case 31 of this year, else of last year (a
    worker writes the number on the file, the year is understood)."""
    normal = unicodedata.normalize("NFKC", typed).strip()
    if not _SHORT.fullmatch(normal) or int(normal) == 0:
        return ()
    return tuple(case_code(prefix, year, int(normal)) for year in (roc_year, roc_year - 1))
