"""Privacy at input: national IDs, phone numbers and street addresses are cut before anything else.

Also the masking of personal names, so that chat carries 王○明 and never a full name (domain.md §6).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

REDACTED = "〔已遮蔽〕"


class RedactionKind(StrEnum):
    NATIONAL_ID = "national_id"
    PHONE = "phone"
    ADDRESS = "address"


@dataclass(frozen=True)
class Redaction:
    text: str
    removed: tuple[RedactionKind, ...]  # each kind once, in order of first appearance


# Matching runs on NFKC-normalised text, so fullwidth letters, digits, hyphens and the ideographic
# space already look like their ASCII forms; the dash variants below survive NFKC.
# Between the letter and digits of an ID also dots and underscores (A.123.456.789); never a
# slash, which makes any path with a nine-digit number (zoom.us/j/123456789) look like one.
_SEP = "[ \t\\-\u2010-\u2015\u2212._]"
_SEP_OPT = f"(?:{_SEP}{{1,2}})?"

# Shapes, not validity: a mistyped check digit is still somebody's number.
_NATIONAL_ID = re.compile(
    rf"(?<![0-9])"
    rf"(?:[A-Z]{_SEP_OPT}[1289](?:{_SEP_OPT}[0-9]){{8}}"  # national ID; resident certificate 2021
    rf"|[A-Z]{_SEP_OPT}[A-Z](?:{_SEP_OPT}[0-9]){{8}})"  # resident certificate, old format
    rf"(?![0-9])",  # "A123456789，38歲" and "A123456789 3/8" are an ID and then something else
    re.IGNORECASE,
)
# Referral codes (TY-115-00042) are the product's own handles for a case and must stay readable;
# the old resident-certificate shape (2 letters + 8 digits) would otherwise swallow them.
_CASE_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2,4}-1[0-9]{2}-[0-9]{4,6}(?![0-9])")
# Dates sit next to other numbers: "…/02 2011-01-02" is a day and a date, not 02-2011-0102.
_DATE = re.compile(
    r"(?<![0-9])(?:1[0-2][0-9]|(?:19|20)[0-9]{2})(?P<sep>[-/.])(?:0?[1-9]|1[0-2])(?P=sep)"
    r"(?:0?[1-9]|[12][0-9]|3[01])(?![0-9])"
)

# A run of digit groups joined by separators; phone numbers are looked for on group boundaries
# inside it, so "03-4567890 12歲" loses the phone and keeps the age.
_DIGIT_RUN = re.compile(
    r"(?<![0-9])\+?\(?[0-9]+(?:[ \t\-\u2010-\u2015\u2212.()/_,]{1,3}[0-9]+)*\)?"
)
_DIGITS = re.compile(r"[0-9]+")
_EXTENSION = re.compile(r"\)?[ \t\-]{0,2}(?:#|ext\.?|x|分機|轉)[ \t]{0,2}[0-9]{1,6}", re.IGNORECASE)

_CN_NUM = "[0-9一二三四五六七八九十]+"
_GAP = "[ \t]?"
# A road is a two-character name, perhaps a direction or ordinal, then 路/街/大道: short enough
# that a district written before it (中壢中山路) is not taken as part of the road.
_ROAD = "[\u4e00-\u9fff]{2}[東西南北一二三四五六七八九十]?(?:路|街|大道)"
_ADDRESS = re.compile(
    rf"(?:[0-9]+{_GAP}鄰{_GAP})?"
    rf"(?:{_ROAD}{_GAP}(?:{_CN_NUM}{_GAP}段{_GAP})?)?"
    rf"(?:[0-9]+{_GAP}巷{_GAP})?(?:[0-9]+{_GAP}弄{_GAP})?(?:[0-9]+{_GAP}衖{_GAP})?"
    rf"[0-9]+(?:之[0-9]+)?{_GAP}號(?:之[0-9]+)?"
    rf"(?:{_GAP}{_CN_NUM}{_GAP}樓(?:之[0-9]+)?)?(?:{_GAP}[0-9]+{_GAP}室)?"
)
# A bare "15號" is a date or a platform; only a road, lane or 鄰 makes it somebody's door.
_ADDRESS_ANCHOR = re.compile("路|街|大道|巷|鄰")


def _normalise_with_map(text: str) -> tuple[str, list[int]]:
    """NFKC per character, with the original index of every normalised character."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        normal = unicodedata.normalize("NFKC", char)
        chars.append(normal)
        origin.extend([index] * len(normal))
    return "".join(chars), origin


# Digits in a number by its leading digits: mobile 09xx-xxx-xxx, Taipei 02-xxxx-xxxx, Taichung
# 04-2xxx-xxxx and Nantou 049-2xxx-xxx have 10; the other area codes (03, 037, 05–08, 089, 0826 …)
# have 9. Longer prefixes come first.
_LENGTH_BY_PREFIX = (
    ("042", 10), ("049", 10), ("09", 10), ("02", 10), ("04", 9),
    ("03", 9), ("05", 9), ("06", 9), ("07", 9), ("08", 9),
)  # fmt: skip
_PREFIXES = (*(prefix for prefix, _length in _LENGTH_BY_PREFIX), "886")


def _phone_length(digits: str) -> int | None:
    """Digits in a Taiwanese number beginning with `digits`: 0 while it cannot tell yet, None if
    it is no phone number at all."""
    if digits.startswith("886"):  # +886, perhaps with the trunk 0 kept: +886 (0)912 …
        rest = digits[3:]
        zero = int(rest.startswith("0"))
        national = _phone_length("0" + rest[zero:]) if len(rest) > zero else 0
        return national if not national else national + 2 + zero
    if any(len(prefix) > len(digits) and prefix.startswith(digits) for prefix in _PREFIXES):
        return 0
    return next((n for prefix, n in _LENGTH_BY_PREFIX if digits.startswith(prefix)), None)


def _inside_date(normal: str, start: int, end: int, dates: list[re.Match[str]]) -> bool:
    """Whether a would-be phone number runs into a date.

    A date wholly inside it, written with the same separator as the gap before it, is part of the
    number (0912-110-1-12); any other overlap means the digits belong to the date.
    """
    for date in dates:
        if date.end() <= start or date.start() >= end:
            continue
        if date.start() <= start or date.end() > end:
            return True
        if normal[date.start() - 1] != date["sep"]:
            return True
    return False


# A number without its area code, as people give their own landline: 2345-6789, 234-5678,
# 23456789. Only these shapes (no leading 0, which has its area code), and never a date
# (20261204, ROC 1150312) or an amount or count (2500000元, 3500000 的欠款).
_LOCAL_SHAPE = re.compile(r"[2-9][0-9]{2,3}[ \-][0-9]{4}|[2-9][0-9]{6,7}")
_AMOUNT_BEFORE = re.compile(
    r"(?:\$|NT|元|款|債|欠|金|費|資|額|入|約|共|計|第|No\.?)\s*$", re.IGNORECASE
)
_UNIT_AFTER = re.compile(r"\s*(?:元|萬|千|百|塊|圓|歲|年|月|日|號|次|人|件|個|份|張|公|cc|ml|%|％)")


def _local_number_end(normal: str, groups: list[tuple[int, int, str]], first: int) -> int | None:
    """Index of the last group of a local number (no area code) begun at group `first`."""
    for last in (first + 1, first):
        if last >= len(groups):
            continue
        start, stop = groups[first][0], groups[last][1]
        if not _LOCAL_SHAPE.fullmatch(normal, start, stop):
            continue
        digits = "".join(group[2] for group in groups[first : last + 1])
        if (last == first and is_compact_date(digits)) or _AMOUNT_BEFORE.search(normal, 0, start):
            continue
        if _UNIT_AFTER.match(normal, stop):
            continue
        if last + 1 < len(groups) and groups[last + 1][0] - stop <= 3:
            continue  # more digits follow: part of something longer
        return last
    return None


def is_compact_date(digits: str) -> bool:
    """20261204 or ROC 1150312 / 0950312: a date written without separators."""
    if len(digits) == 8:
        year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:])
    elif len(digits) == 7:
        year, month, day = int(digits[:3]) + 1911, int(digits[3:5]), int(digits[5:])
    else:
        return False
    return 1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31


def _phone_spans(normal: str, dates: list[re.Match[str]]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for run in _DIGIT_RUN.finditer(normal):
        groups = [
            (m.start() + run.start(), m.end() + run.start(), m[0]) for m in _DIGITS.finditer(run[0])
        ]
        i = 0
        while i < len(groups):
            end = _phone_end(groups, i)
            if end is None and not (i and groups[i][0] - groups[i - 1][1] <= 3):
                end = _local_number_end(normal, groups, i)
            if end is None or _inside_date(normal, groups[i][0], groups[end][1], dates):
                i += 1
                continue
            start = groups[i][0]
            while start > run.start() and normal[start - 1] in "+(":
                start -= 1
            stop = groups[end][1]
            extension = _EXTENSION.match(normal, stop)
            if extension:
                stop = extension.end()
            elif stop < len(normal) and normal[stop] == ")" and _opens(normal[start:stop]):
                stop += 1  # "(0912345678)" — but not the "）" closing the sentence around it
            spans.append((start, stop))
            i = end + 1
    return spans


def _opens(span: str) -> bool:
    """Whether a span leaves a parenthesis open, which the ")" after it closes."""
    return span.count("(") > span.count(")")


def _phone_end(groups: list[tuple[int, int, str]], first: int) -> int | None:
    """Index of the group that completes a phone number begun at group `first`, if any."""
    digits = ""
    for index in range(first, len(groups)):
        digits += groups[index][2]
        length = _phone_length(digits)
        if length is None:
            return None
        if length and len(digits) == length:
            return index
        if length and len(digits) > length:
            return None
        if len(digits) > 13:
            return None
    return None


# Digits written as characters (零九一二三四五六七八, 〇九一二-345-678, police radio 洞 and 么):
# a run long enough to be a number is read as digits as well, character for character.
_CN_DIGIT = {"零": "0", "〇": "0", "洞": "0", "一": "1", "么": "1", "二": "2", "三": "3", "四": "4",
             "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}  # fmt: skip
_CN_DIGIT_RUN = re.compile(f"[0-9{''.join(_CN_DIGIT)}+(][0-9{''.join(_CN_DIGIT)} \\-./_,()#]{{6,}}")


def _as_digits(normal: str) -> str | None:
    """`normal` with every long run of digit characters written in ASCII digits (same length),
    or None when there is none."""
    changed = False

    def spell(run: re.Match[str]) -> str:
        nonlocal changed
        if sum(ch in _CN_DIGIT for ch in run[0]) == 0:
            return run[0]
        changed = True
        return "".join(_CN_DIGIT.get(ch, ch) for ch in run[0])

    spelled = _CN_DIGIT_RUN.sub(spell, normal)
    return spelled if changed else None


def _identifier_spans(normal: str) -> list[tuple[int, int, RedactionKind]]:
    found: list[tuple[int, int, RedactionKind]] = [
        (m.start(), m.end(), RedactionKind.NATIONAL_ID) for m in _NATIONAL_ID.finditer(normal)
    ]
    found += [
        (s, e, RedactionKind.PHONE) for s, e in _phone_spans(normal, list(_DATE.finditer(normal)))
    ]
    return found


def redact(text: str) -> Redaction:
    """Replace every national ID, phone number and street address in `text` by REDACTED.

    Matching is done on NFKC-normalised text (fullwidth forms, odd dashes) and the replacement is
    made in the original text; ages, dates, times, amounts and case codes are left alone.
    """
    normal, origin = _normalise_with_map(text)
    protected = [(m.start(), m.end()) for m in _CASE_CODE.finditer(normal)]

    def free(start: int, end: int) -> bool:
        return not any(start < p_end and p_start < end for p_start, p_end in protected)

    spelled = _as_digits(normal)
    found = [
        span
        for span in (*_identifier_spans(normal), *(_identifier_spans(spelled) if spelled else ()))
        if free(span[0], span[1])
    ]
    found += [
        (m.start(), m.end(), RedactionKind.ADDRESS)
        for m in _ADDRESS.finditer(normal)
        if _ADDRESS_ANCHOR.search(m[0])
    ]
    if not found:
        return Redaction(text, ())
    found.sort()
    # Overlapping spans become one redaction that keeps every kind it was shaped like
    # (e.g. "AA886-90000.0000" is both an old resident certificate and a +886 mobile).
    merged: list[tuple[int, int, tuple[RedactionKind, ...]]] = []
    for start, end, kind in found:
        if merged and start < merged[-1][1]:
            last_start, last_end, last_kinds = merged[-1]
            merged[-1] = (last_start, max(last_end, end), (*last_kinds, kind))
        else:
            merged.append((start, end, (kind,)))
    pieces: list[str] = []
    cursor = 0
    for start, end, _kinds in merged:
        original_start, original_end = origin[start], origin[end - 1] + 1
        pieces.append(text[cursor:original_start])
        pieces.append(REDACTED)
        cursor = original_end
    pieces.append(text[cursor:])
    kinds = tuple(dict.fromkeys(kind for _s, _e, span in merged for kind in span))
    return Redaction("".join(pieces), kinds)


# --- national ID check digit ---------------------------------------------------------------

# The official letter codes: mostly alphabetical from A=10, with I, O and W–Z moved to the end.
_LETTER_CODE = {
    "A": 10, "B": 11, "C": 12, "D": 13, "E": 14, "F": 15, "G": 16, "H": 17, "I": 34,
    "J": 18, "K": 19, "L": 20, "M": 21, "N": 22, "O": 35, "P": 23, "Q": 24, "R": 25,
    "S": 26, "T": 27, "U": 28, "V": 29, "W": 32, "X": 30, "Y": 31, "Z": 33,
}  # fmt: skip
_WEIGHTS = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)
_ID_SHAPE = re.compile(r"[A-Z][1289][0-9]{8}")
_ID_STRIP = re.compile(r"[\s\-\u2010-\u2015\u2212]")


def normalise_national_id(value: str) -> str | None:
    """The ID as 1 capital letter + 9 digits (national ID or 2021 resident certificate), or None."""
    candidate = _ID_STRIP.sub("", unicodedata.normalize("NFKC", value)).upper()
    return candidate if _ID_SHAPE.fullmatch(candidate) else None


def national_id_is_valid(value: str) -> bool:
    """The check-digit rule: letter code and the nine digits, weighted 1,9,8,…,1,1, sum to 0 mod 10.

    Accepts national IDs (second digit 1 or 2) and resident certificates since 2021 (8 or 9),
    which share the rule.
    """
    normal = normalise_national_id(value)
    if normal is None:
        return False
    code = _LETTER_CODE[normal[0]]
    digits = [code // 10, code % 10, *(int(ch) for ch in normal[1:])]
    return sum(w * d for w, d in zip(_WEIGHTS, digits, strict=True)) % 10 == 0


# --- names ---------------------------------------------------------------------------------

MASK = "○"
# Placeholders staff use when they mask a name by hand; all become ○.
_PLACEHOLDERS = frozenset("○〇◯＊*XxＸｘOＯ")
# Compound surnames, including Taiwan's joined double surnames (張簡, 范姜 …).
COMPOUND_SURNAMES = frozenset(
    (
        "歐陽", "司馬", "諸葛", "上官", "司徒", "東方", "西門", "夏侯", "皇甫", "公孫", "慕容",
        "令狐", "端木", "尉遲", "宇文", "軒轅", "南宮", "申屠", "鍾離", "長孫", "張簡", "范姜",
        "張廖",
    )
)  # fmt: skip
COMMON_SURNAMES = frozenset(
    "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高簡朱鍾施游詹沈彭胡余盧潘顏梁"
    "趙柯翁魏方孫戴范宋鄧杜侯曹薛傅丁溫紀蔣歐藍連唐馬董石卓程姚康馮古姜湯汪白田涂鄒巫尤鐘龔"
    "嚴韓黎阮袁童陸金錢邵夏邢凃俞倪毛賀姬岳雷龍殷秦齊黎葛尹孔"
)


def _is_cjk(char: str) -> bool:
    return (
        "\u4e00" <= char <= "\u9fff"
        or "\u3400" <= char <= "\u4dbf"
        or "\uf900" <= char <= "\ufaff"
        or "\U00020000" <= char <= "\U0003134f"
    )


def mask_name(name: str) -> str:
    """王小明 → 王○明, 王明 → 王○, 歐陽小明 → 歐陽○明; a hand-masked 王*明 → 王○明; Mary → M***.

    The surname and the last character stay, which is what colleagues recognise a family by.
    """
    name = unicodedata.normalize("NFC", name).strip()
    if not name:
        return ""
    if not any(_is_cjk(ch) for ch in name):
        first = next((ch for ch in unicodedata.normalize("NFKC", name) if ch.isalnum()), "")
        return f"{first}***" if first else "***"
    if any(ch in _PLACEHOLDERS for ch in name[1:]):
        return name[0] + "".join(MASK if ch in _PLACEHOLDERS else ch for ch in name[1:])
    surname_length = 2 if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES else 1
    surname, given = name[:surname_length], name[surname_length:]
    if len(given) <= 1:
        return surname + MASK
    return surname + MASK * (len(given) - 1) + given[-1]


def looks_like_full_name(text: str) -> bool:
    """True for 2–4 Chinese characters starting with a common surname and not masked: 王小明.

    A warning, not a proof: the chat form uses it to ask for the masked form before storing.
    """
    text = text.strip()
    if not 2 <= len(text) <= 4 or not all(_is_cjk(ch) for ch in text):
        return False
    return text[:2] in COMPOUND_SURNAMES or text[0] in COMMON_SURNAMES


ALIAS_MAX = 8  # 歐陽○○家 and the like; a longer "alias" is not a name
# What a family's alias may hold once identifiers are cut: Chinese characters, the usual mask
# marks, and a letter for 「A男」 — never digits or other signs, which is how IDs and phones hide.
_ALIAS = re.compile("[\u4e00-\u9fff○〇◯＊*XxＸｘOＯA-Za-zＡ-Ｚａ-ｚ]+")


@dataclass(frozen=True)
class Alias:
    """A typed alias: the masked name to keep (None when what is left is not a name), and the
    kinds of identifier cut from it."""

    masked: str | None
    removed: tuple[RedactionKind, ...]


def alias_of(typed: str) -> Alias:
    """An alias is a masked name and nothing else: identifiers are cut first (王*0912345678 →
    王○), and what remains must look like a name, short and without digits or signs."""
    cleaned = redact(typed)
    rest = unicodedata.normalize("NFC", cleaned.text.replace(REDACTED, "")).strip()
    if not rest or len(rest) > ALIAS_MAX or not _ALIAS.fullmatch(rest):
        return Alias(None, cleaned.removed)
    return Alias(mask_name(rest), cleaned.removed)
