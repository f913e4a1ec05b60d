"""Properties of the safety gate: a negated phrase never raises it by itself, and a statutory
ground added to any description always raises it — wherever in the text it goes."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.danger import read_danger
from bot.domain.recognition import recognise
from bot.jurisdictions import load_jurisdiction

TAOYUAN = load_jurisdiction()
# The suite draws the same 150 combinations every run (a red CI is never luck); set
# SAFETYNET_PROPERTY_EXAMPLES to explore more, with fresh draws each time.
EXAMPLES = int(os.environ.get("SAFETYNET_PROPERTY_EXAMPLES", "150"))
DERANDOMIZE = "SAFETYNET_PROPERTY_EXAMPLES" not in os.environ
TUNING = Path(__file__).resolve().parents[1] / "data" / "referrals" / "tuning.jsonl"

# Said, and denied or ruled out, in the words staff use.
NEGATED = (
    "沒有家暴",
    "未見傷痕",
    "否認打小孩",
    "查無受虐跡象",
    "孩子身上沒有傷",
    "爸爸沒有打她",
    "否認遭到家暴",
    "未發現性侵跡象",
    "沒有人摸她",
    "媽媽說從來沒有動手",
    "身上未見新舊傷",
    "沒有被打",
    "否認有人虐待他",
    "並無疏忽照顧情形",
)
# Each names a statutory ground (家暴法 art. 50, 兒少權法 art. 53/56, 性侵害犯罪防治法,
# 老福法 art. 43, 身權法 art. 76) the way a worker would write it.
GROUNDS = (
    "爸爸喝醉後拿皮帶抽他的背",
    "先生昨晚掐她脖子",
    "繼父把手伸進她的褲子裡摸",
    "舅舅叫她把衣服脫掉拍照",
    "兩歲的兒子一個人被鎖在家裡一整天",
    "三歲女兒尿布好幾天沒換",
    "媽媽說要帶兩個孩子一起走",
    "國二女兒離家三天都聯絡不上",
    "阿嬤被兒子關在房間裡不給飯吃",
    "孩子說回家會被修理，不敢回家",
    "小孩看到爸爸打媽媽，躲在衣櫃裡哭",
    "中度智障的哥哥被弟弟反鎖在頂樓",
    "老人年金都被孫子領走，還被踢",
    "學生說媽媽的男朋友摸了她的下體",
)


@cache
def quiet_descriptions() -> tuple[str, ...]:
    """Tuning descriptions with no statutory ground, read as such."""
    quiet = []
    for line in TUNING.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        text = item["text"]
        if not item["expect"]["mandatory_report"] and not recognise(text, TAOYUAN).mandatory_report:
            quiet.append(text)
    return tuple(quiet)


def inserted(text: str, phrase: str, at: float) -> str:
    """`phrase` as a clause of its own at a clause boundary of `text`."""
    bounds = [0, *(i + 1 for i, ch in enumerate(text) if ch in "，。；"), len(text)]
    cut = bounds[min(len(bounds) - 1, int(at * len(bounds)))]
    before = text[:cut]
    if before and before[-1] not in "，。；":
        before += "。"
    return f"{before}{phrase}，{text[cut:]}"


@settings(max_examples=EXAMPLES, deadline=None, derandomize=DERANDOMIZE)
@given(
    base=st.integers(min_value=0, max_value=10_000),
    phrase=st.sampled_from(NEGATED),
    at=st.floats(min_value=0, max_value=1),
)
def test_a_negated_phrase_never_raises_the_gate_by_itself(
    base: int, phrase: str, at: float
) -> None:
    quiet = quiet_descriptions()
    text = inserted(quiet[base % len(quiet)], phrase, at)
    assert not read_danger(text).any_ground, text
    assert not recognise(text, TAOYUAN).mandatory_report, text


@settings(max_examples=EXAMPLES, deadline=None, derandomize=DERANDOMIZE)
@given(
    base=st.integers(min_value=0, max_value=10_000),
    phrase=st.sampled_from(GROUNDS),
    at=st.floats(min_value=0, max_value=1),
)
def test_adding_a_statutory_ground_always_raises_the_gate(
    base: int, phrase: str, at: float
) -> None:
    quiet = quiet_descriptions()
    text = inserted(quiet[base % len(quiet)], phrase, at)
    assert recognise(text, TAOYUAN).mandatory_report, text


@given(phrase=st.sampled_from(GROUNDS))
def test_each_ground_alone_raises_the_gate_in_the_rules(phrase: str) -> None:
    """Not only the second reader: every ground here is one the plan's rules name."""
    assert read_danger(phrase).any_ground, phrase
