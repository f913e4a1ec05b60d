"""The safety question every referral answers, and reports already made.

The recogniser reads danger in what staff write, but the promise that a 113 / 關懷e起來 report is
named at once cannot rest on reading alone: when nothing was recognised, the form asks one plain
question naming the statutory grounds (家庭暴力防治法 art. 50; 兒童及少年福利與權益保障法 art. 53;
性侵害犯罪防治法; 老人福利法 art. 43; 身心障礙者權益保障法 art. 76). Any "yes" is danger, exactly
as if it had been recognised.
"""

from __future__ import annotations

import re
from enum import StrEnum


class SafetyGround(StrEnum):
    """What the worker can answer "yes" to, in the order the question lists them."""

    FAMILY_VIOLENCE = "family_violence"  # 家暴法 art. 50, a child witnessing it included
    SEXUAL = "sexual"  # 性侵害犯罪防治法
    CHILD_NEGLECT = "child_neglect"  # 兒少權法 art. 53: neglected, left alone, unfed, in danger
    CHILD_MISSING = "child_missing"  # a child whose whereabouts are unknown
    ELDER_OR_DISABLED = "elder_or_disabled"  # 老福法 art. 43, 身權法 art. 76
    HARM = "harm"  # self-harm or harming others


class ReportChannel(StrEnum):
    """Where a report already made went."""

    HOTLINE = "113"
    ECARE = "ecare"  # 關懷e起來
    PROTECTION_CENTER = "protection_center"  # 家防中心 received it directly
    UNSPECIFIED = "unspecified"  # 已通報, without saying where


# Words before a mention that make it a report still to be made ("請於24小時內通報113").
_STILL_TO_DO = re.compile(
    "(?:尚未|還沒|還未|未|沒有?|不用|不必|無須|是否|要不要|有沒有|請|記得|需要?|應該?|須|必須|將|待|建議|要|準備|會)"
    "[^，,。；;\\n]{0,4}$"
)
# Words right before or after a mention that say it is done.
_DONE_BEFORE = re.compile(
    "(?:已經?|已有|剛剛?|剛才|有先|先行|昨天|昨晚|今天|今早|稍早|當天|當場|隨即|立即)[^，,。；;\\n]{0,5}$"
)
_DONE_AFTER = re.compile("(?:通報)?(?:了|過|完成|在案|完畢|已?受理)")
_OVER = re.compile("結案|已結")
_DONE_IN = re.compile("了|過")
_FORMERLY = re.compile("前經|曾經?|以前|之前|先前|過去")
_MENTIONS: tuple[tuple[re.Pattern[str], ReportChannel], ...] = (
    (
        # 113 the hotline, not 113年 (the ROC year) nor part of a longer number.
        re.compile(
            "(?:撥|打|通報|報)(?:了|過)?\\s*113(?![0-9年/.\\-月])|"
            "(?<![0-9/.\\-])113(?![0-9年/.\\-月度])\\s*(?:通報|專線|保護專線)?"
        ),
        ReportChannel.HOTLINE,
    ),
    (re.compile("關懷[eｅEＥ]起來"), ReportChannel.ECARE),
    (
        re.compile("家防中心(?=(?:已經?)?(?:受理|派案|接案|收案|開案|介入))"),
        ReportChannel.PROTECTION_CENTER,
    ),
    (re.compile("(?:通報|報)(?:給|到|至)?家防中心"), ReportChannel.PROTECTION_CENTER),
    # 通報 alone counts only as a protection report: not 自殺通報, nor one to the police.
    (
        re.compile(
            "(?<!自殺)(?<!防治)(?:保護|家暴|兒保|責任)?通報"
            "(?!警|派出所|110|自殺|(?:給|到)?(?:輔導室|學務處|校安|導師|主任|學校|衛生局|教育局))"
        ),
        ReportChannel.UNSPECIFIED,
    ),
)


def reported_channel(text: str) -> ReportChannel | None:
    """A report the text says was already made (已通報113, 已上關懷e起來, 家防中心已受理), and
    where it went; None when it says none was made, or only that one is due."""
    found: list[tuple[int, ReportChannel]] = []
    for pattern, channel in _MENTIONS:
        for match in pattern.finditer(text):
            before = text[max(0, match.start() - 8) : match.start()]
            after = text[match.end() : match.end() + 4]
            if _STILL_TO_DO.search(before):
                continue
            center_done = channel is ReportChannel.PROTECTION_CENTER and match[0] == "家防中心"
            if _OVER.search(text, match.end(), match.end() + 14) or _FORMERLY.search(before):
                continue  # 前經家防中心開案，已於去年結案: an old case, not a report about this
            said_done = bool(_DONE_IN.search(match[0]))  # 打了113, 通報過113
            if center_done or said_done or _DONE_BEFORE.search(before) or _DONE_AFTER.match(after):
                found.append((match.start(), channel))
    if not found:
        return None
    named = [channel for _, channel in sorted(found) if channel is not ReportChannel.UNSPECIFIED]
    return named[0] if named else ReportChannel.UNSPECIFIED
