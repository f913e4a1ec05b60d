"""Reports already made, as staff write them — and what is not one (113年 is a year)."""

from __future__ import annotations

import pytest

from bot.domain.recognition import recognise
from bot.domain.referral_form import Draft, Step
from bot.domain.safety import ReportChannel, reported_channel
from bot.jurisdictions import load_jurisdiction

TAOYUAN = load_jurisdiction()


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("導師今天已通報113", ReportChannel.HOTLINE),
        ("老師有先打113了", ReportChannel.HOTLINE),
        ("打了113", ReportChannel.HOTLINE),
        ("113已受理", ReportChannel.HOTLINE),
        ("學校已上關懷e起來通報", ReportChannel.ECARE),
        ("家防中心已派案", ReportChannel.PROTECTION_CENTER),
        ("已經通報家防中心", ReportChannel.PROTECTION_CENTER),
        ("社工表示已經通報了", ReportChannel.UNSPECIFIED),
        ("媽媽已於113年3月離婚", None),
        ("今天113年度的補助", None),
        ("昨天113/05/02家訪", None),
        ("請於24小時內通報113", None),
        ("還沒打113", None),
        ("尚未通報", None),
        ("是否已通報？", None),
        ("衛生局自殺通報個案", None),
        ("已通報警方", None),
        ("學校已通報輔導室", None),
        ("前經家防中心開案，已於去年結案", None),
    ],
)
def test_a_report_already_made_and_where_it_went(text: str, channel: ReportChannel | None) -> None:
    assert reported_channel(text) is channel


def test_a_report_found_unfounded_is_no_danger_and_the_question_is_asked() -> None:
    text = "中壢區，去年學校已通報113，調查後不成案。媽媽失業，兩個孩子讀國小。"
    found = recognise(text, TAOYUAN)
    assert found.report_channel is ReportChannel.HOTLINE  # a report was made…
    assert not found.mandatory_report  # …and found to be unfounded
    assert Draft().with_recognised(found).next_step() is Step.SAFETY
