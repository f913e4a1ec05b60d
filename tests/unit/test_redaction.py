"""Privacy at input: no national ID, phone number or street address survives `redact`.

Property-based: valid IDs and phone numbers in many spellings, hidden in random text.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.domain.redaction import (
    REDACTED,
    RedactionKind,
    alias_of,
    is_compact_date,
    looks_like_full_name,
    mask_name,
    national_id_is_valid,
    normalise_national_id,
    redact,
)

LETTER_CODES = {
    "A": 10, "B": 11, "C": 12, "D": 13, "E": 14, "F": 15, "G": 16, "H": 17, "I": 34,
    "J": 18, "K": 19, "L": 20, "M": 21, "N": 22, "O": 35, "P": 23, "Q": 24, "R": 25,
    "S": 26, "T": 27, "U": 28, "V": 29, "W": 32, "X": 30, "Y": 31, "Z": 33,
}  # fmt: skip
SEPARATORS = ["", " ", "-", "  ", "\u3000", "－", "‐", "–"]
_COMPACT = re.compile(r"[\s\-\u2010-\u2015\u2212.()+]")


def with_check_digit(letter: str, first_eight: str) -> str:
    """The official rule written out independently of the code under test."""
    code = LETTER_CODES[letter]
    total = code // 10 + (code % 10) * 9
    total += sum(int(d) * w for d, w in zip(first_eight, range(8, 0, -1), strict=True))
    return f"{letter}{first_eight}{(10 - total % 10) % 10}"


def compact(text: str) -> str:
    return _COMPACT.sub("", unicodedata.normalize("NFKC", text)).upper()


def fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


# Surrounding text: Chinese, ASCII letters, punctuation and spaces — no digits, so whatever digits
# remain after redaction can only be leftovers of the identifier.
filler = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        st.sampled_from("，。、；：！？（）「」 ,.;:!?-/\n"),
    ),
    max_size=30,
)

valid_ids = st.builds(
    with_check_digit,
    st.sampled_from(sorted(LETTER_CODES)),
    st.builds(
        lambda second, rest: second + rest,
        st.sampled_from("1289"),
        st.text(alphabet="0123456789", min_size=7, max_size=7),
    ),
)


@st.composite
def spelled_id(draw: st.DrawFn, value: str) -> str:
    """An ID as people type it: any case, separators anywhere, perhaps fullwidth."""
    out = ""
    for index, char in enumerate(value):
        out += char.lower() if draw(st.booleans()) else char
        if index < len(value) - 1:
            out += draw(st.sampled_from(["", "", "", " ", "-", "－", "\u3000"]))
    return fullwidth(out) if draw(st.booleans()) else out


@st.composite
def phone_number(draw: st.DrawFn) -> tuple[str, str]:
    """(as typed, the digits after the trunk 0 that must not survive)."""
    kind = draw(st.sampled_from(["mobile", "intl_mobile", "landline", "intl_landline"]))
    digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
    sep = draw(st.sampled_from(["", " ", "-", ".", "－", "/", "_", "，", ","]))
    if kind in ("mobile", "intl_mobile"):
        body = "9" + "".join(draw(digits) for _ in range(8))
        groups = draw(st.sampled_from([(3, 3, 3), (3, 6), (1, 4, 4), (9,), (3, 3, 1, 2), (5, 4)]))
        parts, at = [], 0
        for size in groups:
            parts.append(body[at : at + size])
            at += size
        if kind == "mobile":
            typed = "0" + sep.join(parts)
        else:
            prefix = draw(st.sampled_from(["+886", "+886 ", "+886-", "886-", "+886 (0)"]))
            typed = prefix + sep.join(parts)
        return typed, body
    area, length = draw(
        st.sampled_from(
            [
                *[("2", 8), ("3", 7), ("37", 6), ("4", 7), ("42", 7), ("49", 7), ("5", 7)],
                *[("6", 7), ("7", 7), ("8", 7), ("89", 6), ("826", 5)],
            ]
        )
    )
    number = "".join(draw(digits) for _ in range(length))
    if area == "4" and number[0] in "29":
        number = "7" + number[1:]  # 04-2… and 04-9… are the 10-digit Taichung/Nantou forms
    if kind == "landline":
        style = draw(st.integers(0, 2))
        if style == 0:
            typed = f"0{area}{sep}{number[:3]}{sep}{number[3:]}"
        elif style == 1:
            typed = f"(0{area}){number[:3]}{sep}{number[3:]}"
        else:
            typed = f"0{area}{number}"
        if draw(st.booleans()):
            typed += draw(st.sampled_from(["#12", " 分機 305", " ext. 7", "轉123"]))
    else:
        typed = f"+886-{area}-{number}"
    return typed, area + number


CHINESE_DIGITS = "零一二三四五六七八九"


@st.composite
def in_chinese_numerals(draw: st.DrawFn, digits: str) -> str:
    """Some or all digits written as characters: 零九一二三四五六七八, 09一二345678."""
    everywhere = draw(st.booleans())
    return "".join(
        CHINESE_DIGITS[int(d)] if everywhere or draw(st.booleans()) else d for d in digits
    )


@st.composite
def local_number(draw: st.DrawFn) -> tuple[str, str]:
    """A landline given without its area code (2345-6789, 234-5678, 23456789)."""
    first = draw(st.sampled_from("23456789"))
    rest = draw(st.text(alphabet="0123456789", min_size=6, max_size=7))
    number = first + rest
    head = len(number) - 4
    style = draw(st.sampled_from(["-", " ", ""]))
    # Written bare, 20261204 and 1150312 are dates, and stay (a Taipei number can look like one).
    assume(style or not is_compact_date(number))
    return f"{number[:head]}{style}{number[head:]}", number


@given(filler.map(lambda f: f + "電話"), phone_number(), filler.map(lambda f: "。" + f))
def test_no_phone_number_in_chinese_numerals_survives(
    before: str, phone: tuple[str, str], after: str
) -> None:
    typed, significant = phone
    spelled = "".join(
        CHINESE_DIGITS[int(ch)] if ch.isdigit() and i % 2 else ch for i, ch in enumerate(typed)
    )
    result = redact(before + spelled + after)
    assert RedactionKind.PHONE in result.removed
    assert significant not in compact(result.text)
    assert spelled not in result.text


@given(filler.map(lambda f: f + "電話"), local_number(), filler.map(lambda f: "。" + f))
def test_no_local_number_survives(before: str, local: tuple[str, str], after: str) -> None:
    typed, significant = local
    result = redact(before + typed + after)
    assert RedactionKind.PHONE in result.removed
    assert significant not in compact(result.text)


@pytest.mark.parametrize(
    "typed",
    [
        "2345-6789",
        "23456789",
        "234-5678",
        "0912/345/678",
        "0912_345_678",
        "0912，345，678",
        "0912.345.678",
        "零九一二三四五六七八",
        "〇九一二-三四五-六七八",
        "09一二345六78",
        "洞九么二三四五六七八",
        "A.123.456.789",
        "A一二三四五六七八九",
    ],
)
def test_the_formats_an_adversary_tried_are_cut(typed: str) -> None:
    assert redact(f"案母說可以打{typed}找她").text == f"案母說可以打{REDACTED}找她"


@given(filler, valid_ids.flatmap(lambda v: st.tuples(st.just(v), spelled_id(v))), filler)
def test_no_valid_national_id_survives(
    before: str, id_and_spelling: tuple[str, str], after: str
) -> None:
    value, spelling = id_and_spelling
    assert national_id_is_valid(value)
    result = redact(before + spelling + after)
    assert REDACTED in result.text
    assert RedactionKind.NATIONAL_ID in result.removed
    assert spelling not in result.text
    assert value not in compact(result.text)


@given(filler, phone_number(), filler)
def test_no_phone_number_survives(before: str, phone: tuple[str, str], after: str) -> None:
    typed, significant = phone
    result = redact(before + typed + after)
    assert REDACTED in result.text
    assert RedactionKind.PHONE in result.removed
    assert typed not in result.text
    assert significant not in compact(result.text)


def test_a_number_shaped_like_two_identifiers_reports_both() -> None:
    # Found by hypothesis: letters before a +886 mobile also make an old resident certificate.
    result = redact("AA886-90000.0000")
    assert result.text == REDACTED
    assert set(result.removed) == {RedactionKind.NATIONAL_ID, RedactionKind.PHONE}


@given(filler)
def test_text_without_identifiers_is_left_alone(text: str) -> None:
    assert redact(text).text == text
    assert redact(text).removed == ()


@st.composite
def everyday_numbers(draw: st.DrawFn) -> str:
    """Dates (ROC and Gregorian), times, amounts, ages, counts and referral codes side by side."""
    year, month, day = (
        draw(st.integers(100, 120)),
        draw(st.integers(1, 12)),
        draw(st.integers(1, 28)),
    )
    hour, minute = draw(st.integers(0, 23)), draw(st.integers(0, 59))
    amount, age, serial = (
        draw(st.integers(1, 999)),
        draw(st.integers(0, 17)),
        draw(st.integers(1, 99999)),
    )
    sep = draw(st.sampled_from(["/", "-", "."]))
    return (
        f"{year}{sep}{month:02d}{sep}{day:02d} {year + 1911}-{month:02d}-{day:02d} "
        f"{hour:02d}:{minute:02d}，欠債{amount}萬，孩子{age}歲，TY-{year}-{serial:05d}，"
        f"{year}年{month}月{day}日，{month}月{day}號，共{amount}人，"
        f"{year + 1911}{month:02d}{day:02d} {year}{month:02d}{day:02d}，"
        f"欠款{amount * 10000}元，共{amount * 10000}"
    )


@given(everyday_numbers())
def test_dates_times_amounts_ages_and_case_codes_stay(text: str) -> None:
    assert redact(text).text == text


@pytest.mark.parametrize(
    "text",
    [
        "家訪日期115/03/05，下次2026-03-05 14:30",
        "欠債30萬，月收入2萬5千",
        "三個孩子分別是2歲、6歲、9歲",
        "轉介編號TY-115-00042，請回覆",
        "1957福利諮詢專線、113保護專線、1925安心專線",
        "3月15號開會，第3號議案",
        "家中有4口人，住了12年",
        "身高160公分，體重50公斤",
    ],
)
def test_never_redacted(text: str) -> None:
    assert redact(text).text == text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("聯絡電話0912-345-678。", "聯絡電話〔已遮蔽〕。"),
        ("手機 0912 345 678", "手機 〔已遮蔽〕"),
        ("手機0912.345.678", "手機〔已遮蔽〕"),
        ("+886 912 345 678 找媽媽", "〔已遮蔽〕 找媽媽"),
        ("家裡電話03-4567890", "家裡電話〔已遮蔽〕"),
        ("家裡電話(03)456-7890", "家裡電話〔已遮蔽〕"),
        ("家裡電話034567890", "家裡電話〔已遮蔽〕"),
        ("公司02-2345-6789分機123", "公司〔已遮蔽〕"),
        ("電話03-4567890 12歲男童", "電話〔已遮蔽〕 12歲男童"),
        ("身分證H223456789，", "身分證〔已遮蔽〕，"),
        ("身分證號 a123 456 789", "身分證號 〔已遮蔽〕"),
        ("ＩＤ：Ａ１２３４５６７８９", "ＩＤ：〔已遮蔽〕"),
        ("居留證AB12345678", "居留證〔已遮蔽〕"),
        ("新式居留證A800000014", "新式居留證〔已遮蔽〕"),
        ("住中壢區中山路123號", "住中壢區〔已遮蔽〕"),
        ("中正路100巷5弄3號4樓", "〔已遮蔽〕"),
        ("民族路二段88號之1", "〔已遮蔽〕"),
        ("桃園市中壢區中正里5鄰中山東路1號", "桃園市中壢區中正里〔已遮蔽〕"),
        ("住中壢中山路12號", "住中壢〔已遮蔽〕"),
        ("地址：平鎮區延平路一段１２３號５樓", "地址：平鎮區〔已遮蔽〕"),
    ],
)
def test_redaction_examples(typed: str, expected: str) -> None:
    assert redact(typed).text == expected


def test_kinds_are_listed_once_in_order_of_first_appearance() -> None:
    result = redact("電話0912345678，住中山路1號，身分證A123456789，另一支0987654321")
    assert result.removed == (
        RedactionKind.PHONE,
        RedactionKind.ADDRESS,
        RedactionKind.NATIONAL_ID,
    )
    assert result.text == "電話〔已遮蔽〕，住〔已遮蔽〕，身分證〔已遮蔽〕，另一支〔已遮蔽〕"


def test_redaction_is_idempotent() -> None:
    once = redact("媽媽0912-345-678，身分證A123456789，住中正路5號")
    assert redact(once.text).text == once.text
    assert redact(once.text).removed == ()


def test_an_invalid_check_digit_is_redacted_all_the_same() -> None:
    assert not national_id_is_valid("A123456788")
    assert redact("A123456788").text == REDACTED


@pytest.mark.parametrize(
    "value", ["A123456789", "a123456789", "A 123 456 789", "Ａ１２３４５６７８９", "A800000014"]
)
def test_valid_check_digits(value: str) -> None:
    assert national_id_is_valid(value)


@pytest.mark.parametrize(
    "value",
    ["A123456788", "H223456789", "A323456789", "AB12345678", "A12345678", "1234567890", ""],
)
def test_invalid_ids(value: str) -> None:
    assert not national_id_is_valid(value)


@given(valid_ids)
def test_every_generated_id_is_valid_and_one_digit_off_is_not(value: str) -> None:
    assert national_id_is_valid(value)
    wrong = value[:-1] + str((int(value[-1]) + 1) % 10)
    assert not national_id_is_valid(wrong)


def test_letters_with_moved_codes() -> None:
    # I=34, O=35, W=32, X=30, Y=31, Z=33 in the official table, not alphabetical.
    for letter in "IOWXYZ":
        assert national_id_is_valid(with_check_digit(letter, "12345678"))


def test_normalise_national_id() -> None:
    assert normalise_national_id(" a123-456 789 ") == "A123456789"
    assert normalise_national_id("Ａ１２３４５６７８９") == "A123456789"
    assert normalise_national_id("A323456789") is None
    assert normalise_national_id("王小明") is None


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("王小明", "王○明"),
        ("王明", "王○"),
        ("歐陽小明", "歐陽○明"),
        ("歐陽明", "歐陽○"),
        ("張簡美玲", "張簡○玲"),
        ("王小明明", "王○○明"),
        ("王", "王○"),
        ("王○明", "王○明"),
        ("王*明", "王○明"),
        ("林OO", "林○○"),
        ("陳XX", "陳○○"),
        ("李〇華", "李○華"),
        ("Mary Chen", "M***"),
        ("  王小明  ", "王○明"),
        ("", ""),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=4))
def test_a_masked_chinese_name_hides_all_but_surname_and_last_character(name: str) -> None:
    masked = mask_name(name)
    assert len(masked) == len(name)
    assert masked[-1] == name[-1]
    assert "○" in masked
    assert mask_name(masked) == masked


def test_looks_like_full_name() -> None:
    assert looks_like_full_name("王小明")
    assert looks_like_full_name("歐陽小明")
    assert not looks_like_full_name("王○明")
    assert not looks_like_full_name("社福中心")
    assert not looks_like_full_name("Mary")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("電話 0912-345-678）", "電話 〔已遮蔽〕）"),
        ("（電話0912345678）好", "（電話〔已遮蔽〕）好"),
        ("(0912345678)", "〔已遮蔽〕"),
        ("(02)2345-6789", "〔已遮蔽〕"),
    ],
)
def test_a_phone_takes_only_its_own_closing_parenthesis(text: str, expected: str) -> None:
    assert redact(text).text == expected


@pytest.mark.parametrize(
    ("typed", "masked", "removed"),
    [
        ("王*0912345678", "王○", (RedactionKind.PHONE,)),
        ("陳xA123456789", "陳○", (RedactionKind.NATIONAL_ID,)),
        ("王小明", "王○明", ()),
        ("王○明", "王○明", ()),
        ("歐陽小明", "歐陽○明", ()),
        ("A男", "A○", ()),
        ("0912345678", None, (RedactionKind.PHONE,)),
        ("王小明0912", None, ()),
        ("王家（電話另給）", None, ()),
        ("這家人住在中壢區的王家", None, ()),
        ("", None, ()),
    ],
)
def test_an_alias_is_a_masked_name_and_nothing_else(
    typed: str, masked: str | None, removed: tuple[RedactionKind, ...]
) -> None:
    alias = alias_of(typed)
    assert alias.masked == masked
    assert alias.removed == removed


# The referral corpus writes its identifiers as the same fictional ID and mobile, plus a few
# landlines of units; everything else in its 1,440 descriptions is dates, times, ages, amounts,
# counts, case codes and hotline numbers, which must all stay.
CORPUS = sorted((Path(__file__).resolve().parents[1] / "data" / "referrals").glob("*.jsonl"))
CORPUS_IDENTIFIERS = re.compile(r"A123456789|0912-?345-?678|0[0-9]-[0-9]{3,4}-?[0-9]{3,4}")


def test_on_the_referral_corpus_only_identifiers_are_cut() -> None:
    texts = [json.loads(line)["text"] for path in CORPUS for line in path.read_text().splitlines()]
    assert len(texts) >= 1440
    false_positives = [
        text
        for text in texts
        if {RedactionKind.PHONE, RedactionKind.NATIONAL_ID}
        & set(redact(CORPUS_IDENTIFIERS.sub("", text)).removed)
    ]
    assert false_positives == []
    missed = [
        found[0]
        for text in texts
        for found in CORPUS_IDENTIFIERS.finditer(text)
        if found[0] in redact(text).text
    ]
    assert missed == []
