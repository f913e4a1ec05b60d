"""The recogniser: a referral typed in free zh-TW text becomes a draft of the plan's facts.

Rule-based and fast: the text is redacted first, then read only by precompiled patterns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from bot.domain import danger_model
from bot.domain.danger import read_danger, said_of_child
from bot.domain.jurisdiction import Jurisdiction
from bot.domain.redaction import (
    COMMON_SURNAMES,
    COMPOUND_SURNAMES,
    RedactionKind,
    mask_name,
    redact,
)
from bot.domain.referral_rules import (
    Category,
    Facts,
    Household,
    Need,
    PriorityFlag,
    eligible_categories,
    mandatory_report,
    priority_flags,
)
from bot.domain.safety import ReportChannel, reported_channel


@dataclass(frozen=True)
class Recognised:
    """A draft for the worker to confirm: nothing here is decided until a person says so."""

    district: str | None
    village: str | None
    alias: str | None  # always masked (王○明, 陳○○), never a full name
    household: Household
    facts: Facts
    needs: tuple[Need, ...]
    categories: tuple[Category, ...]
    priority_flags: tuple[PriorityFlag, ...]
    mandatory_report: bool
    redacted_text: str
    removed: tuple[RedactionKind, ...]
    report_channel: ReportChannel | None = None  # the text says a report was already made

    def to_json(self, id: object) -> dict[str, object]:
        """The output contract of `safetynet recognise`: one JSON object per message."""
        return {
            "id": id,
            "district": self.district,
            "categories": [str(c) for c in self.categories],
            "priority_flags": [str(f) for f in self.priority_flags],
            "mandatory_report": self.mandatory_report,
            "needs": [str(n) for n in self.needs],
            "household": {
                "children_under_6": self.household.children_under_6,
                "elders_65_plus": self.household.elders_65_plus,
                "disabled": self.household.disabled,
            },
            "redacted_text": self.redacted_text,
            "already_reported": self.report_channel is not None,
            "report_channel": self.report_channel.value if self.report_channel else None,
        }


class NotADescription(StrEnum):
    """Why a message is not a family's story (and the form should not start on it)."""

    FILLER = "filler"  # 好，謝謝 / 你好 / emoji / a word or two
    DISTRICT_ONLY = "district_only"  # 中壢區
    NOT_CHINESE = "not_chinese"  # English only: the recogniser reads zh-TW


# --- clauses and negation ----------------------------------------------------------------

_CLAUSE_MARK = re.compile(r"[，,。；;！!？?\n]")
_SENTENCE_MARK = re.compile(r"[。；;！!？?\n]")

# A negation word, then only words that keep the negation alive ("否認有吸毒", "沒有再打人",
# "無自殺意念"); "無業吸毒" is not negated because 業 ends the negation.
_NEGATION_BEFORE = re.compile(
    "(?:沒有|沒|無|否認|未曾|未|不是|並非|並無|非|不曾|從未|從沒|查無|排除|不再|不會|已無)"
    "(?:有|在|再|曾|過|任何|明顯|發現|疑似|出現|見|申請|去|到|使用|施用|相關|想要|要|被|的|其他)*$"
)
# "自殺意念：無", "吸毒史：否".
_NEGATION_AFTER = re.compile(r"[^，,。；;\n]{0,3}?[：:]\s*(?:無|否|沒有|陰性)")


def _clause_start(text: str, pos: int) -> int:
    start = 0
    for mark in _CLAUSE_MARK.finditer(text, 0, pos):
        start = mark.end()
    return start


def _clause(text: str, pos: int) -> tuple[int, int]:
    start = _clause_start(text, pos)
    mark = _CLAUSE_MARK.search(text, pos)
    return start, mark.start() if mark else len(text)


def _sentence(text: str, pos: int) -> tuple[int, int]:
    start = 0
    for mark in _SENTENCE_MARK.finditer(text, 0, pos):
        start = mark.end()
    end = _SENTENCE_MARK.search(text, pos)
    return start, end.start() if end else len(text)


def _negated(text: str, start: int, end: int) -> bool:
    prefix = text[max(_clause_start(text, start), start - 8) : start]
    return bool(_NEGATION_BEFORE.search(prefix) or _NEGATION_AFTER.match(text, end))


def _affirmed(pattern: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """Matches of `pattern` that are not negated."""
    return [m for m in pattern.finditer(text) if not _negated(text, m.start(), m.end())]


def _said(pattern: re.Pattern[str], text: str) -> bool:
    return bool(_affirmed(pattern, text))


# --- people ------------------------------------------------------------------------------

_CHILD_NOUNS = (
    "男童|女童|幼童|兒童|幼兒|嬰兒|嬰幼兒|新生兒|寶寶|小孩|孩子|小朋友|學生|少年|少女|孫子|孫女|"
    "雙胞胎"
)
_ELDER_NOUNS = (
    "獨居老人|老人家|老人|長者|老翁|老婦|老奶奶|老爺爺|老先生|老太太|阿嬤|阿媽|阿公|阿祖|"
    "奶奶|爺爺|外婆|外公|祖母|祖父"
)
_CAREGIVER_NOUNS = (
    "單親媽媽|單親爸爸|媽媽|爸爸|父親|母親|案父|案母|繼父|繼母|養父|養母|監護人|主要照顧者|照顧者|"
    "同居人|案主|先生|太太|丈夫|妻子|老公|老婆|男友|女友|男子|女子|婦人|家長"
)
_OTHER_NOUNS = "兒子|女兒|哥哥|姊姊|姐姐|弟弟|妹妹|舅舅|叔叔|伯伯|姑姑|阿姨|鄰居|朋友|同學"
_PERSON = re.compile(f"{_ELDER_NOUNS}|{_CAREGIVER_NOUNS}|{_CHILD_NOUNS}|{_OTHER_NOUNS}")
# People who are not the guardian or main caregiver of the household's children.
_NOT_CAREGIVER = frozenset(f"{_CHILD_NOUNS}|{_OTHER_NOUNS}".split("|"))


def _subject(text: str, pos: int) -> str | None:
    """The last person named before `pos` in its clause, else in its sentence."""
    for start in (_clause_start(text, pos), _sentence(text, pos)[0]):
        people = _PERSON.findall(text, start, pos)
        if people:
            return str(people[-1])
    return None


def _by_caregiver(text: str, match: re.Match[str]) -> bool:
    """Whether a parent or caregiver is the one meant; an unnamed subject is taken to be one."""
    return _subject(text, match.start()) not in _NOT_CAREGIVER


# --- facts -------------------------------------------------------------------------------

_DRUG = re.compile(
    "吸毒|施用毒品|使用毒品|販毒|販賣毒品|運毒|製毒|毒品(?!危害防制)|毒癮|安非他命|安毒|海洛因|"
    "K他命|愷他命|大麻|搖頭丸|毒咖啡|藥癮|戒毒|勒戒|拉K|呼K|吸K|用K|K菸|嗑藥|有在用藥|美沙冬|"
    "替代(?:療法|治療)|尿篩[^，,。；\\s]{0,6}陽性|驗尿[^，,。；\\s]{0,6}陽性",
    re.IGNORECASE,
)
_ALCOHOL = re.compile("喝酒|酗酒|酒醉|醉酒|酒後|飲酒|酒癮|喝醉|爛醉|借酒|酒駕")
_MENTAL_ILLNESS = re.compile(
    "思覺失調|精神分裂|精神疾病|精神病|精神障礙|精障|精神異常|躁鬱|雙極|雙相|憂鬱症|重鬱|焦慮症|強迫症|"
    "妄想|幻聽|幻覺|精神科|身心科|產後憂鬱|EPDS|對著空氣(?:講話|說話|罵人)|自言自語|有人要害(?:她|他)|"
    "被監視|有人在監視"
)
_DISTRESS = re.compile(
    "情緒[^，,。；\n]{0,2}(?:激動|不穩|低落|失控|崩潰|起伏|困擾)|情緒問題|心情低落|崩潰|憂鬱|焦慮|"
    "想死|不想活|撐不下去|活著沒(?:有)?(?:意義|意思)|心情不好|失眠|想哭|一直哭|大吼大叫"
)
# Not (continuously) treated: 沒持續就醫, 拒絕就醫, 自行停藥 …
_UNTREATED = re.compile(
    "(?:沒有?|未|不|拒絕|不願意?|不肯)(?:再)?(?:持續|規律|定期|按時|穩定|繼續|好好)?"
    "(?:就醫|就診|治療|服藥|吃藥|回診|看診|看醫生)|拒醫|停藥|斷藥|中斷(?:治療|就醫|服藥|回診)|"
    "藥(?:都)?沒(?:有)?(?:在)?吃|沒在吃藥|藥[^，,。；\\s]{0,4}不吃|不吃藥|未返診|不回診|沒回診|未回診|"
    "拒打長效針|拒絕[^，,。；\\s]{0,8}(?:就醫|治療|精神科|身心科)|沒(?:有)?(?:再)?回診"
)
_SUICIDE = re.compile(
    "自殺(?!防治中心|防治法|防治宣導|防治專線)|輕生|燒炭|跳樓|割腕|上吊|吞藥|仰藥|服藥過量|跳河|跳海|"
    "臥軌|尋短|想不開|尋死|想死|不想活|活不下去|結束(?:自己的)?生命|"
    "吞(?:了|服|下)?[^，,。；\\s]{0,8}(?:安眠藥|農藥|藥物|鎮定劑|藥)|喝(?:了)?農藥|服農藥|"
    "服(?:下|用)(?:了)?(?:大量|過量|整排|一整排|整瓶|[0-9一二三四五六七八九十幾]+(?:顆|粒))[^，,。；\\s]{0,6}藥|"
    "服(?:了|下)[^，,。；\\s]{0,6}(?:安眠藥|農藥)|自殺防治(?:中心)?通報|"
    "(?<![A-Za-z])OD(?![A-Za-z])|自殺企圖|欲跳|要跳(?:樓|河|海|下去)"
)
_SELF_HARM = re.compile("自傷|自殘|傷害自己|撞牆|割痕|割手|割自己")
_CHILD = "(?:孩子|小孩|兒子|女兒|寶寶|子女|小朋友)(?:們)?"
# A parent who would take the child along in death: a suicide threat and a child in danger.
_TAKE_CHILD_ALONG = re.compile(
    f"帶(?:著)?{_CHILD}(?:一起|一塊)(?:走|死|去死|離開|自殺|燒炭|跳樓|輕生)|"
    f"帶(?:著)?{_CHILD}(?:去死|自殺|燒炭|跳樓|輕生)|攜子(?:自殺|輕生|尋短)|同歸於盡|"
    f"(?:和|跟){_CHILD}(?:一起)?(?:去死|死)"
)
_CHILD_SUBJECT = re.compile("學生|男童|女童|兒童|幼童|小孩|孩子|小朋友|國小|國中|[0-9]{1,2}歲")
_MISSING = re.compile(
    "找不到(?:人|孩子|小孩|案家|家長|媽媽|爸爸)|行方不明|下落不明|去向不明|不知去向|行蹤不明|失聯|"
    "聯繫不上|聯絡不上|人去樓空|查無此人|協尋|失蹤|搬走(?![到去至])|搬離(?![到去至])|不知搬去|"
    "不知道?(?:搬)?(?:去|到)哪|換別人租|全家[^，,。；\\s]{0,6}搬|連夜搬|退租|不知道(?:他|她)?在哪"
)
# A report made, then found to be unfounded (調查後不成案, 醫院診斷不是被打的).
_UNFOUNDED = re.compile(
    "不成案|未成案|不是被打|排除(?:受虐|家暴|性侵)|查無受虐|查無不當|調查後[^，,。；\\s]{0,10}(?:不是|排除|沒有)"
)
# A followed family gone with its children (人去樓空, 電話停話, 房子已經空了).
_FAMILY_GONE = re.compile(
    "人去樓空|連夜搬|全家[^，,。；\\s]{0,6}搬|房子(?:已經)?空了|空屋|換別人(?:租|住)|不知(?:道)?搬(?:去|到)?哪|"
    "(?:都|均)未遇|無人應門|去向不明|下落不明"
)
_UNREACHABLE = re.compile("聯繫不上|聯絡不上|失聯|停話|空號|關機|已讀不回|打不通")
_MOVED = re.compile("(?<!要求)(?<!要)(?:搬走|搬離|退租|搬家)")
_FOUND = re.compile("已找到|已尋獲|已聯繫上|已聯絡上|找到了|(?:訪視|家訪)見到|已遷居|已返家|已回家")
_UNDER6_LIST = re.compile(
    "[六6]歲以下弱勢兒童|弱勢兒童(?:及少年)?主動關懷|主動關懷(?:方案|名單)|未滿[六6]歲弱勢"
)
_VULNERABLE = re.compile(
    "脆弱家庭|脆家|高風險家庭|開案|服務中|在案|社福中心|家庭服務中心|家服中心|家訪|訪視"
)
_RELIEF = re.compile("急難救助|急難紓困|急難金|馬上關懷|急難慰問")
_ECONOMIC = re.compile(
    "經濟(?!(?:狀況)?(?:穩定|無虞|尚可|良好|沒問題|還好))|卡債|負債|欠債|債務|欠錢|借錢|缺錢|"
    "沒(?:有)?錢|貧困|貧窮|低收|付不出|繳不出|積欠|欠繳|斷炊|生活費|生活困難|生活困頓|地下錢莊|"
    "高利貸|房貸|車貸|收入不穩|沒(?:有)?收入|無收入|入不敷出|欠租|倒帳|虧光|周轉不靈|錢很緊|為錢|"
    "剪電|斷電|停電|欠電費|水電費|瓦斯[^，,。；\\s]{0,3}(?:停|斷)|付不出|繳不起|費用|補助|急難|物資|"
    "(?:房租|租金|學費|園費|午餐費)[^，,。；\\s]{0,6}(?:欠|繳不出|付不出|遲繳|積欠|晚點繳|還沒繳|沒繳)|"
    "欠(?:了)?[^，,。；\\s]{0,3}(?:房租|租金)"
)
_UNEMPLOYED = re.compile(
    "失業|沒(?:有)?工作|無業|待業|無工作|找不到工作|資遣|裁員|解雇|被開除|無固定工作|"
    "沒有固定工作|沒固定工作|工作不穩|零工|臨時工|歇業|倒閉|收掉|辭退|有一天沒一天|沒案子|做做停停|"
    "工作[^，,。；\\s]{0,2}斷斷續續|做(?:個)?[一二兩三幾]+天就不去|派遣"
)
# 經常性失業: odd jobs, often or for long spells out of work (not "recently lost a job").
_FREQUENTLY_UNEMPLOYED = re.compile(
    "打零工|零工|臨時工|(?:常常|經常|時常|常|總是|老是)[^，,。；\n]{0,6}?"
    "(?:沒(?:有)?工作|失業|沒(?:有)?收入|換工作)|經常性失業|長期失業|長期沒(?:有)?工作|"
    "工作不穩定?|工作斷斷續續|斷斷續續(?:地|的)?工作|有一搭沒一搭|做做停停|時有時無"
)
_DISABILITY = re.compile(
    "身障|身心障礙|障礙手冊|障礙證明|殘障|失能|行動不便|臥床|癱瘓|中風|智能障礙|智障|肢障|視障|"
    "聽障|精障|洗腎|失智|坐輪椅|截肢|多重障礙|自閉症|腦性麻痺|唐氏症|漸凍|植物人"
)
_LEGAL = re.compile(
    "服刑|在監(?!護)|入監|坐牢|監獄|羈押|看守所|官司|訴訟|法院|開庭|通緝|假釋|緩刑|保護管束|觀護|"
    "監護權|判刑|入獄|出獄|更生人|刑期|保護令|交保|候傳|地檢|起訴|移送|在關|被關|"
    "離婚官司|撫養權|傷害罪"
)
_HOUSING = re.compile(
    "漏水|無處(?:可)?住|無家可歸|沒(?:有)?地方住|露宿|居無定所|街友|遊民|被(?:房東)?趕出|房東趕|"
    "居住環境|環境髒亂|屋況|危樓|違建|斷水|囤積|家中髒亂|住處髒亂|堆滿|回收物|鐵皮屋|頂樓加蓋|"
    "(?:房租|租金)[^，,。；\\s]{0,6}(?:欠|繳不出|付不出|遲繳|積欠|沒繳)|欠租|房東[^，,。；\\s]{0,4}(?:趕|收回|催)|"
    "借住|寄住|房子(?:很)?(?:破|舊|漏)|屋頂"
)
_EDUCATION = re.compile(
    "學校[^，,。；\n]{0,6}?(?:轉介|反映|通報|反應)|輔導老師|輔導室|導師|缺課|曠課|中輟|輟學|拒學|"
    "逃學|懼學|學習落後|學業|課業|特教|特殊教育|(?:不|沒)去上學|沒上學|不上學|學習(?:困難|障礙)|"
    "學務處|(?:沒|未)(?:來|到)(?:學校|上課|幼兒園|校)|請假|作業[^，,。；\\s]{0,3}沒交|"
    "(?:考卷|考試|月考|成績)|上課[^，,。；\\s]{0,4}(?:恍神|趴睡|睡覺)|遲到"
)
_LIVES_ALONE = re.compile("獨居")
_ELDER_TERMS = re.compile(_ELDER_NOUNS)
# An elder who looks after the children is a resource, not someone needing care.
_CARES = re.compile(
    "[^，,。；\n]{0,2}?(?:同住)?(?:也)?(?:會|有在|在|能|可以|負責|願意)?(?:幫忙|協助)?(?:照顧|帶)|"
    "[^。；\n]{0,14}?(?:照顧|接送|負責|三餐|扶養|撫養|管不動|帶孫|隔代教養|身體(?:尚|還)?(?:健朗|硬朗|不錯))"
)
_KIN = re.compile(
    "阿嬤|阿媽|阿公|奶奶|爺爺|外婆|外公|祖母|祖父|婆婆|公公|姑姑|姑媽|阿姨|姨媽|舅舅|舅媽|叔叔|嬸嬸|伯伯|"
    "伯母|伯父|叔父|大伯|小叔|姑丈|姨丈|親戚|親屬|親人|成年(?:的)?(?:哥哥|姊姊|姐姐|兄姊)"
)
_KIN_LIVES_IN = re.compile("同住|住在一起|一起住|住一起|照顧|幫忙|協助")
_KIN_AWAY = re.compile(
    "不同住|沒(?:有)?同住|沒住一起|住外縣市|住在外地|住外地|過世|往生|不在了|失聯|很少(?:過來|回來|來)|"
    "住(?:在)?(?:台東|花蓮|台中|台南|高雄|屏東|南部|中部|東部|外縣市|山下|國外|大陸|越南)"
)
_NO_KIN = re.compile(
    "(?:沒有|沒|無)(?:其他)?(?:的)?(?:親人|親屬|家人|親友|親戚|支持系統|人(?:可以|能)?(?:幫忙|協助|照顧))|"
    "無親無故|獨自(?:一人)?(?:照顧|扶養|撫養)|獨力(?:照顧|扶養|撫養)|一個人(?:照顧|帶)|自己一個人帶"
)
_PARENT_CARES = re.compile(
    "(媽媽|爸爸|母親|父親)(?:同住)?(?:也)?(?:會|可以|能|有在|負責)(?:協助|幫忙)?照顧"
)
_RECURRENT = re.compile(
    "第(?:[二三四五六七八九十]|[2-9]|[1-9][0-9])(?:次|度)|又|再次|再度|一再|屢次|屢屢|屢勸不聽|"
    "(?<!緊張)反覆(?!腹痛|感染|發燒|咳嗽|頭痛|說)|反復|重複|重覆|多次(?!打電話|至|到|對|跟|叫)|"
    "不斷(?:發生|出現|通報)|再犯|復發|故態復萌|一而再|還是一樣|之前也(?:有)?(?:報過|通報過|被通報)|"
    "(?:報|清|通報|戒)過[一二兩三四五幾]次|每次[^，,。；\\n]{0,12}(?:就|都)又"
)
# 又 as "and also" (又有三個小孩要養) or in set words is not a repetition.
_ALSO = re.compile(
    "有|要|是|得|很|不|比|因|加上|需|稱|名|或|沒(?:有)?(?:錢|存款|收入|工作|人|能力|辦法)"
)
_INTERVENED = re.compile(
    "到場|處理|介入|勸|輔導|安置|通報|報警|警察|警方|戒|治療|協商|幫忙|協助|保護令|撤回|結案|出獄|出來後"
)
_REPORTED_AGAIN = re.compile(
    "(?:再)?(?:被)?(?:通報|報案|送醫|再犯|犯|復發|是)|再|喝醉|喝酒|酒後|吸毒|施用|跑(?:掉|走|出去)|離家|"
    "逃家|自殺|堆滿|欠"
)
# The worker's own repeated attempts (家訪多次) are not the family's problem recurring.
_WORKER_TRIES = re.compile("訪|聯繫|聯絡|電話|致電|去電|找|勸|約|試|敲門|拜訪|前往")
_WORKER_EVENTS = re.compile("家訪|訪視|開會|會議|討論|提報|聯繫|電訪")

# --- who already serves the family -------------------------------------------------------

_UNITS = re.compile(
    "衛生所(?:的)?心衛社工|衛生局心理衛生社工|心衛社工|心理衛生社工|社區心理衛生中心|社區心衛中心|心衛中心|"
    "自殺防治中心|自殺關懷訪視員|關懷訪視員|毒品危害防制中心|毒防中心(?:個管師?)?|毒防個管(?:師)?|"
    "家庭暴力暨性侵害防治中心|家防中心|家防社工|保護社工|兒少保護社工|兒保社工|兒少保護小組|兒保小組|"
    "家庭福利服務中心|家庭服務中心|家服中心|家福中心|社福中心|社會福利服務中心|脆弱家庭社工|"
    "少年輔導委員會|少輔會|身心障礙者個案管理員|身障個管(?:員|師)?|身心障礙個管|身障資源中心|"
    "長期照顧管理中心|長照管理中心|長照(?:中心|個管|管理中心)?|照管中心|照專|居服員|居家服務|送餐|"
    "衛生所|就業服務站|就服站|就業服務臺|就服員|學校社工(?:師)?|學校輔導室|輔導室|"
    "早療通報轉介中心|早療(?:個管|中心)?|醫院社工|原住民族家庭服務中心|原家中心|原服員|觀護人|"
    "更生保護會|更保|里長|里幹事|區公所|派出所|少年隊|世界展望會|家扶(?:中心)?|勵馨|善牧|兒福聯盟|"
    "(?:我們|本)(?:的)?(?:基金會|協會|中心|機構|據點|單位|院|所|校|學校|課|這邊|這裡|物資站|課輔班)"
)
_SERVING = re.compile(
    "有在服務|在服務|服務中|有服務|提供服務|持續服務|開案|在案|追蹤|列管|介入|約談|定期訪視|每月訪視|"
    "持續訪視|定期家訪|陪伴|陪這個家|接觸|在追|有在追|"
    "關懷中|持續關懷|個管|在關懷|在輔導|輔導中|收案|接案|服務單位|都有在|共案|共同|follow|有在跟|在跟"
)
_SERVED_BEFORE = re.compile("之前|以前|曾經?|原本|原由|過去|先前")
_SERVING_NOW = re.compile("目前|現在|現由|持續|仍|還在|都有在")
_NOT_SERVING = re.compile("未開案|沒有?開案|結案|沒有?在服務|未服務|尚未介入|沒有?介入|未收案|拒絕")
# What a unit's presence says about the family's needs.
_UNIT_NEEDS: tuple[tuple[re.Pattern[str], Need], ...] = (
    (re.compile("心衛|心理衛生"), Need.MENTAL_HEALTH),
    (re.compile("自殺防治|關懷訪視員"), Need.SUICIDE),
    (re.compile("毒防|毒品危害防制"), Need.SUBSTANCE),
    (re.compile("家防中心|家庭暴力|保護社工|兒保"), Need.VIOLENCE),
    (re.compile("身障個管|身心障礙個管"), Need.DISABILITY_CARE),
    (re.compile("長照|照管|照專|居服|居家服務|送餐"), Need.ELDER_CARE),
    (re.compile("就業服務|就服"), Need.EMPLOYMENT),
    (re.compile("學校社工|輔導室"), Need.EDUCATION),
    (re.compile("早療"), Need.CHILD_CARE),
    (re.compile("觀護|更生保護|更保"), Need.LEGAL),
)

# --- suicide causes ----------------------------------------------------------------------

_CAUSE_UNSTATED = re.compile(
    "原因(?:欄)?(?:位)?(?:未填|未載明|未註明|未明|不明|空白|未知|不詳|未勾選?|沒(?:有)?(?:填|寫|勾))|"
    "未(?:註明|填|寫|載明|勾選)(?:自殺)?原因|不願(?:意)?(?:說明|講|透露)(?:原因)?|沒講為什麼|"
    "沒說為什麼|原因(?:還)?不清楚"
)
_CAUSE_STATED = re.compile("原因(?:為|是|係|：|:)|因為|因(?!此)|由於")
_CAUSE_NOT_ECONOMIC = re.compile(
    "(?:不是|非|並非|無關)(?:因為)?(?:經濟|錢|債)|經濟(?:狀況)?(?:尚可|無虞|沒(?:有)?問題|穩定|還好|不差|"
    "良好|正常)|否認(?:有)?(?:經濟|財務)(?:問題|困難|壓力)"
)
# A cause other than money: a break-up, illness, pain, grief (自殺原因為感情因素).
_OTHER_CAUSE = re.compile(
    "分手|失戀|感情|男友|女友|病痛|身體痛苦|疼痛|洗腎|疾病纏身|久病|課業|霸凌|喪偶|喪子|思念|"
    "(?:分手|吵架|爭吵|離婚|失戀|被罵|被打|生病|確診|喪偶|過世|往生)後"
)
_ECONOMIC_CAUSE = re.compile(
    "經濟|卡債|負債|欠債|債務|欠(?:了|下)?[^，,。；\\s]{0,6}(?:債|錢|萬|貸款|房租|貨款)|欠錢|缺錢|"
    "沒(?:有)?錢|貧|失業|沒(?:有)?工作|找不到工作|資遣|裁員|財務|生意失敗|周轉不靈|倒閉|倒帳|虧損|"
    "虧光|虧|收掉|破產|繳不出|付不出|還不出|房貸|車貸|信貸|貸款|高利貸|地下錢莊|賭債|收入|房租|"
    "催討|討債|做做停停|有一天沒一天|沒案子|積欠|循環利息"
)

# --- ages and counts ---------------------------------------------------------------------

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "兩": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGIT |= {"六": 6, "七": 7, "八": 8, "九": 9}
_NUMBER = "[0-9]{1,3}|[零〇一二兩三四五六七八九十百]{1,4}"
_AGE = re.compile(
    f"(?<![0-9])(?<!未滿)(?<!年滿)(?<!超過)(?<!不到)(?<![滿逾])(?P<n>{_NUMBER})(?:多)?(?:足)?歲(?P<half>半)?"
    "(?!以下|以上|以內|之前|前|起|至|到|~|-|月)"
)
_MONTHS_OLD = re.compile("(?:[0-9]{1,2}|[一二兩三四五六七八九十]{1,3})個?月大")
_AGE_NOUN_AFTER = re.compile(
    f"(?:的)?(?P<noun>{_ELDER_NOUNS}|{_CAREGIVER_NOUNS}|{_CHILD_NOUNS}|{_OTHER_NOUNS})"
)
_AGE_NOUN_BEFORE = re.compile(
    f"(?P<noun>{_ELDER_NOUNS}|{_CAREGIVER_NOUNS}|{_CHILD_NOUNS}|{_OTHER_NOUNS})(?:今年|現年|約)?$"
)
_UNDER6_TERMS = re.compile(
    "幼兒|嬰兒|嬰幼兒|新生兒|寶寶|托嬰|托育|幼兒園|幼稚園|托兒所|保母|襁褓|剛出生|未滿(?:週|周)歲|"
    "學齡前|[大中小]班"
)
_SCHOOL = re.compile(
    "(?:國小|小學)(?:[一二三四五六1-6]年級)?|(?:國中|初中)(?:[一二三1-3]年級)?|(?:高中|高職)"
    "(?:[一二三1-3]年級)?|國[一二三](?![家民立際小中])|(?<![高國])[一二三四五六七八九]年級|"
    "高[一二三](?![雄中級鐵樓])|(?<![大國])小[一二三四五六](?![時姐姐弟妹朋孩])"
)
# The household said to hold no young child: 無子女, 子女均已成年, 一個人住, 夫妻倆同住.
_NO_YOUNG_CHILD = re.compile(
    "無子女|沒有(?:小孩|子女|孩子)|沒(?:有)?生|家裡沒有小孩|沒有其他(?:小孩|孩子)|(?:子女|孩子|小孩)"
    "(?:均|都)?已(?:經)?(?:成年|長大|嫁|結婚|離家|在外)|嫁出去|(?:一個人|自己一個人|自己|獨自)(?:住|租)|"
    "夫妻(?:倆|兩人|二人)?同住|(?:母子|母女|父子|父女|兩人|二人)(?:兩人|二人)?(?:同)?住"
)
_SCHOOL_STAFF = re.compile("老師|教師|校長|輔導|社工|附近|旁")
# "兩個孩子", "一個7歲的孩子": how many children the text says there are.
_CHILD_COUNT = re.compile(
    "(?P<n>[0-9]|[一二兩三四五六七八九十])\\s*(?:個|名|位)(?:[0-9一二三四五六七八九十]{1,2}歲(?:的)?)?"
    "(?:小)?(?:孩子|小孩|子女|兒女|小朋友|兒童|孫子|孫女|兒子|女兒)"
)
_COUNT_AT_SCHOOL = re.compile(
    "(?:都)?(?:在)?(?:讀|念|唸|就讀|是)?(?:國中|國小|小學|高中|高職|中學)(?:生)?"
)
_COUNT_IN_CARE = re.compile("(?:都)?(?:在)?(?:讀|念|唸|上|送)?(?:幼兒園|幼稚園|托嬰|托兒所|保母)")
_CHILD_MENTION = re.compile(_CHILD_NOUNS)
_LISTED_HOUSEHOLD = re.compile("與(?P<who>[^，,。；\n]{1,14}?)(?:同住|一起住|住在一起)")

# --- names -------------------------------------------------------------------------------

_SURNAME = "|".join(sorted(COMPOUND_SURNAMES, key=len, reverse=True))
_MASKED_NAME = re.compile(
    # 一〇五年 is a year, not a masked name.
    f"(?:{_SURNAME}|(?![零〇一二兩三四五六七八九十百千])[\u4e00-\u9fff])[○〇◯][\u4e00-\u9fff○〇◯]?"
    f"|(?:{_SURNAME}|[{''.join(sorted(COMMON_SURNAMES))}])[＊*XxＸｘOＯ]{{1,2}}(?![A-Za-z0-9])"
)
_SURNAME_FORM = re.compile(f"(?P<s>[{''.join(sorted(COMMON_SURNAMES))}])姓")
_SURNAME_ROLE = re.compile(
    f"(?:(?<=案主)|(?<=個案)|(?<=案家)|(?<=服務對象)|(?<=[，,。；：:\\s])|^)"
    f"(?P<s>[{''.join(sorted(COMMON_SURNAMES))}])"
    "(?:媽媽|爸爸|先生|太太|小姐|阿嬤|阿公|奶奶|爺爺|伯伯|阿姨|姓)"
)


def _cn_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for char in text:
        if char in _CN_DIGIT:
            current = _CN_DIGIT[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


@dataclass(frozen=True)
class _Person:
    key: str  # the noun naming them, or the age's position when unnamed
    age: float
    start: int
    end: int


def _aged_people(text: str) -> list[_Person]:
    people: list[_Person] = []
    for match in _AGE.finditer(text):
        number = _cn_number(match["n"])
        if number is None or number > 120:
            continue
        age = number + (0.5 if match["half"] else 0)
        after = _AGE_NOUN_AFTER.match(text, match.end())
        before = _AGE_NOUN_BEFORE.search(text, max(0, match.start() - 6), match.start())
        noun_match = after or before
        key = noun_match["noun"] if noun_match else f"@{match.start()}"
        start = min(match.start(), noun_match.start()) if noun_match else match.start()
        end = max(match.end(), noun_match.end()) if noun_match else match.end()
        count = 2 if noun_match and noun_match["noun"] == "雙胞胎" else 1
        for copy in range(count):
            people.append(_Person(f"{key}#{copy}" if copy else key, age, start, end))
    people.extend(
        _Person(f"@{m.start()}", 0.0, m.start(), m.end()) for m in _MONTHS_OLD.finditer(text)
    )
    return people


def _children(text: str, people: list[_Person]) -> tuple[int | None, int | None]:
    """Children under 6 and aged 6–17. Zero under 6 only when every child is accounted for."""
    under_6 = [p for p in people if p.age < 6]
    aged_6_17 = [p for p in people if 6 <= p.age < 18]
    school = [
        m
        for m in _SCHOOL.finditer(text)
        if not _SCHOOL_STAFF.match(text, m.end())
        and not any(p.start <= m.start() < p.end + 3 for p in aged_6_17)
    ]
    total: int | None = None
    all_at_school = False
    all_in_care = 0  # "兩個孩子都在幼兒園": that many under 6
    for count in _CHILD_COUNT.finditer(text):
        number = _cn_number(count["n"]) or 0
        total = max(total or 0, number)
        at_school_before = _SCHOOL.search(text, max(0, count.start() - 6), count.start())
        all_at_school = (
            all_at_school
            or bool(_COUNT_AT_SCHOOL.match(text, count.end()))
            or bool(at_school_before)
        )
        if _COUNT_IN_CARE.match(text, count.end()):
            all_in_care = max(all_in_care, number)
    older = len(aged_6_17) + len(school)
    listed = [m for m in _LISTED_HOUSEHOLD.finditer(text) if not _CHILD_MENTION.search(m["who"])]

    children_under_6: int | None = None
    if under_6 or _said(_UNDER6_TERMS, text):
        children_under_6 = max(len(under_6), all_in_care, 1)
    elif not (older or _CHILD_MENTION.search(text)) and (
        _LIVES_ALONE.search(text) or _NO_YOUNG_CHILD.search(text)
    ):
        children_under_6 = 0  # 獨居, 無子女, 與父母同住: no child lives there
    elif (
        all_at_school
        or (total is not None and older >= total > 0)
        or (older and (listed or _NO_YOUNG_CHILD.search(text)))
    ):
        # Every child counted is of school age, or the household is listed with no other child.
        children_under_6 = 0

    children_6_17 = total if all_at_school and total else older or None
    if children_6_17 is None and total is not None and children_under_6 is not None:
        children_6_17 = max(total - children_under_6, 0)
    return children_under_6, children_6_17


_NOT_A_PERSON_AFTER = re.compile("年金|津貼|福利|證|卡|會|院|共餐|送餐|食堂|中心|據點|補助")
_GONE = re.compile(
    "過世|往生|去世|已故|不在了|早就不在|不在人世|很少(?:過來|回來|來)|不同住|沒(?:有)?同住|住(?:在)?外地|"
    "住(?:在)?(?:台東|花蓮|台中|台南|高雄|屏東|南部|中部|東部|外縣市|山下|國外|大陸|越南|娘家)"
)


def _elders(text: str, people: list[_Person]) -> dict[str, bool]:
    """Each elder (65+, or named as one: 阿嬤, 獨居老人) → whether they need care rather than
    only give it: a grandmother who looks after the children is a resource."""
    elders: dict[str, bool] = {}
    for person in people:
        if person.age >= 65:
            elders[person.key] = not _CARES.match(text, person.end)
    younger = {p.key for p in people if p.age < 65}
    aged = [p for p in people if p.age >= 65]
    for term in _ELDER_TERMS.finditer(text):
        key = term[0]
        if key in younger or key in elders or any(p.start <= term.start() < p.end for p in people):
            continue
        if any(p.start - 10 <= term.start() <= p.end + 10 for p in aged):
            continue  # 82歲陳姓老翁, 獨居阿嬤（大概80歲）: one person
        if _NOT_A_PERSON_AFTER.match(text, term.end()):
            continue  # 老人年金, 長者津貼
        start, end = _clause(text, term.start())
        if _GONE.search(text, start, end):
            continue  # 外公外婆都過世了, 婆婆住中壢很少過來
        before = text[max(0, term.start() - 2) : term.start()]
        carer = bool(_CARES.match(text, term.end())) or before.endswith(("由", "交給", "靠"))
        elders[key] = not carer
    return elders


def _household(text: str, disability: list[re.Match[str]]) -> tuple[Household, bool]:
    """Head counts, and whether an elder in the household needs care."""
    people = _aged_people(text)
    children_under_6, children_6_17 = _children(text, people)
    elders = _elders(text, people)
    # One person per subject named with a disability: 中風後行動不便 is one person, not two.
    disabled = len({_subject(text, m.start()) or "?" for m in disability}) or None
    household = Household(children_under_6, children_6_17, len(elders) or None, disabled)
    return household, any(elders.values())


# --- places ------------------------------------------------------------------------------

_RESIDENCE_CUE = (
    "住在",
    "家住",
    "居住在",
    "居住於",
    "住",
    "戶籍在",
    "戶籍",
    "設籍",
    "搬到",
    "搬去",
    "搬回",
    "住所在",
    "住處在",
    "住址在",
    "地址在",
)
_PLACE_CUE = ("在", "於", "位於", "來自")
# Someone outside the household whose home is named (外婆住新屋, 婆婆住中壢很少過來).
_RELATIVE_ELSEWHERE = re.compile(
    "外婆|外公|婆婆|公公|奶奶|爺爺|阿嬤|阿公|娘家|前夫|前妻|親戚|舅舅|阿姨|姑姑|叔叔|伯伯|生父|生母|男友|女友"
)
_SHORT_AFTER_OK = re.compile(
    "的|地區|那邊|這邊|那個|那戶|這戶|這個|某|一帶|附近|市區|區域|里長|[0-9０-９○〇A-Za-z]|"
    "[\u4e00-\u9fff]{1,3}(?:路|街|大道)|[，,。；;、\\s]|$"
)
_SHORT_AFTER_UNIT = re.compile(
    "分局|家庭服務中心|家服中心|社福中心|區公所|衛生所|派出所|所(?!以|有|謂)|戶政|就業服務"
)
_SHORT_AFTER_BAD = re.compile("區|路|街|大道|國小|國中|高中|里(?!長)")
_VILLAGE_AFTER_DISTRICT = re.compile("(?P<v>[\u4e00-\u9fff]{1,3}?里)(?![長民])")
_VILLAGE_ALONE = re.compile(
    "(?:(?<=住)|(?<=在)|(?<=於)|(?<=^)|(?<=[，,、。；：:\\s]))(?P<v>[\u4e00-\u9fff]{2,3}?里)(?![長民])"
)
_NOT_VILLAGE = frozenset("鄰公千萬故這那哪鄉家")


@dataclass(frozen=True)
class _Places:
    full: re.Pattern[str]
    short: re.Pattern[str] | None
    short_to_full: dict[str, str]
    known: re.Pattern[str] | None  # well-known places and misspellings (jurisdiction file)
    known_to_full: dict[str, str]


@lru_cache(maxsize=16)
def _places(
    city_name: str, district_names: tuple[str, ...], known: tuple[tuple[str, str], ...] = ()
) -> _Places:
    """Patterns for a jurisdiction's districts; a short form equal to the city's name is left out
    (桃園 is the city 桃園市 as often as the district 桃園區)."""
    city_short = city_name.removesuffix("市").removesuffix("縣")
    full = re.compile("|".join(map(re.escape, sorted(district_names, key=len, reverse=True))))
    known_to_full = dict(known)
    known_pattern = (
        re.compile("|".join(map(re.escape, sorted(known_to_full, key=len, reverse=True))))
        if known_to_full
        else None
    )
    short_to_full = {
        name[:-1]: name
        for name in district_names
        if name[-1] in "區鄉鎮市" and len(name) >= 3 and name[:-1] != city_short
    }
    short = (
        re.compile("|".join(map(re.escape, sorted(short_to_full, key=len, reverse=True))))
        if short_to_full
        else None
    )
    return _Places(full, short, short_to_full, known_pattern, known_to_full)


def _district_and_village(text: str, jurisdiction: Jurisdiction) -> tuple[str | None, str | None]:
    places = _places(
        jurisdiction.city_name,
        tuple(d.name for d in jurisdiction.districts),
        tuple((place, d.name) for d in jurisdiction.districts for place in d.places),
    )
    candidates: list[tuple[float, int, str, int]] = []  # (score, position, district, end)

    def cue_before(pos: int, cues: tuple[str, ...]) -> bool:
        return text[max(0, pos - 4) : pos].endswith(cues)

    def residence(pos: int) -> float:
        """Where the family lives scores highest; where a relative elsewhere lives, low."""
        if not cue_before(pos, _RESIDENCE_CUE):
            return 0.0
        return 0.5 if _RELATIVE_ELSEWHERE.search(text, max(0, pos - 8), pos) else 3.0

    for match in places.full.finditer(text):
        score = residence(match.start()) or 2.0
        candidates.append((score, match.start(), match[0], match.end()))
    if places.known is not None:
        for match in places.known.finditer(text):
            score = residence(match.start()) or 2.0
            candidates.append((score, match.start(), places.known_to_full[match[0]], match.end()))
    if places.short is not None:
        for match in places.short.finditer(text):
            after = text[match.end() : match.end() + 4]
            if _SHORT_AFTER_BAD.match(after):
                continue
            if cue_before(match.start(), _RESIDENCE_CUE):
                score = residence(match.start())
            elif cue_before(match.start(), _PLACE_CUE) or _SHORT_AFTER_OK.match(after):
                score = 1.0
            elif _SHORT_AFTER_UNIT.match(after):
                score = 0.5
            else:
                continue
            candidates.append((score, match.start(), places.short_to_full[match[0]], match.end()))
    if not candidates:
        village = _VILLAGE_ALONE.search(text)
        return None, _village(village)
    best = max(candidates, key=lambda c: (c[0], -c[1]))
    village = _VILLAGE_AFTER_DISTRICT.match(text, best[3]) or _VILLAGE_ALONE.search(text)
    return best[2], _village(village)


def _village(match: re.Match[str] | None) -> str | None:
    if match is None or match["v"][0] in _NOT_VILLAGE:
        return None
    return match["v"]


def _alias(text: str) -> str | None:
    masked = _MASKED_NAME.search(text)
    if masked:
        return mask_name(masked[0])
    for pattern in (_SURNAME_FORM, _SURNAME_ROLE):
        found = pattern.search(text)
        if found:
            return found["s"] + "○○"
    return None


# --- the recogniser ----------------------------------------------------------------------


def _suicide_cause(text: str, mentions: Iterable[re.Match[str]]) -> tuple[bool, bool]:
    """(economic, other cause stated) for the suicide the text reports.

    幸扶守護 (參.三.(六).1.(2)) turns on the cause: economic (debt, a failed business, lost work,
    rent owed), or not stated at all — then an emergency-relief application decides. A cause said
    to be something else (a break-up, illness, pain), with money said to be fine, is not economic.
    """
    if not any(True for _ in mentions):
        return False, False
    if _CAUSE_NOT_ECONOMIC.search(text):
        return False, True
    economic = any(not _negated(text, m.start(), m.end()) for m in _ECONOMIC_CAUSE.finditer(text))
    other = bool(_OTHER_CAUSE.search(text))
    if economic and not (other and _CAUSE_STATED.search(text) and not _money_named_as_cause(text)):
        return True, False
    if _CAUSE_UNSTATED.search(text):
        return False, False
    return False, other or bool(_CAUSE_STATED.search(text))


def _money_named_as_cause(text: str) -> bool:
    """ "原因為卡債", "因為欠債": money is what the text names as the cause."""
    return any(
        _ECONOMIC_CAUSE.search(text, m.end(), m.end() + 12) for m in _CAUSE_STATED.finditer(text)
    )


def _recurrent(text: str) -> bool:
    """第三次, 又, 反覆, 一再 … about the family's problem — not the worker's own repeated visits,
    nor 又 meaning "and also"."""
    for match in _affirmed(_RECURRENT, text):
        word = match[0]
        before = text[max(_clause_start(text, match.start()), match.start() - 3) : match.start()]
        if word == "又":
            clause = text[_clause_start(text, match.start()) : match.start()]
            if _ALSO.match(text, match.end()) or "既" in clause:
                continue
            # 又 is the problem back despite what was done (警察到場後又…), or reported again.
            if not (_INTERVENED.search(clause) or _REPORTED_AGAIN.match(text, match.end())):
                continue
        elif (word in ("多次", "再次", "再度") or word.startswith("第")) and (
            _WORKER_TRIES.search(before) or _WORKER_EVENTS.match(text, match.end())
        ):
            continue
        return True
    return False


def _kin_in_household(text: str, risky: set[str]) -> bool | None:
    """Another relative who lives in or looks after the children: True; "沒有其他親人",
    "獨自照顧": False; not said: None. `risky` are the people whose drug use or untreated
    illness was named — a parent among them is no support."""
    for kin in _affirmed(_KIN, text):
        start, end = _clause(text, kin.start())
        clause = text[start:end]
        if _NO_KIN.search(clause) or _KIN_AWAY.search(clause):
            continue
        if _KIN_LIVES_IN.search(clause):
            return True
    for parent in _PARENT_CARES.finditer(text):
        if parent[1] not in risky and not _NO_KIN.search(
            text[_clause(text, parent.start())[0] : parent.end()]
        ):
            return True
    if _NO_KIN.search(text):
        return False
    return None


def _serving_units(text: str) -> tuple[str, ...]:
    """Units named in a clause that says they serve the family (都有在服務, 開案, 追蹤中);
    a unit merely mentioned (長照斷斷續續) or one that closed the case (已結案) does not count."""
    units: list[str] = []
    for clause_start, clause_end in _clauses(text):
        clause = text[clause_start:clause_end]
        if not _SERVING.search(clause) or _NOT_SERVING.search(clause):
            continue
        if _SERVED_BEFORE.search(clause) and not _SERVING_NOW.search(clause):
            continue  # 少年隊之前有在追蹤: a unit that served once
        merged: list[tuple[int, int]] = []
        for match in _UNITS.finditer(clause):
            if merged and match.start() == merged[-1][1]:
                merged[-1] = (merged[-1][0], match.end())  # 衛生所心衛社工 is one worker
            else:
                merged.append((match.start(), match.end()))
        units.extend(clause[s:e] for s, e in merged)
    return tuple(dict.fromkeys(units))


def _clauses(text: str) -> list[tuple[int, int]]:
    bounds: list[tuple[int, int]] = []
    start = 0
    for mark in _CLAUSE_MARK.finditer(text):
        bounds.append((start, mark.start()))
        start = mark.end()
    bounds.append((start, len(text)))
    return bounds


def recognise(text: str, jurisdiction: Jurisdiction) -> Recognised:
    """Read a referral and draft the plan's facts, household, needs and categories.

    The text is redacted first and everything after reads only the redacted text, so IDs, phone
    numbers and addresses never flow further than this line.
    """
    redaction = redact(text)
    said = redaction.text

    drug = _affirmed(_DRUG, said)
    alcohol = _said(_ALCOHOL, said)
    illness = _affirmed(_MENTAL_ILLNESS, said)
    untreated = [
        m
        for m in illness
        if _UNTREATED.search(said, m.start(), _sentence(said, m.start())[1])
        and _by_caregiver(said, m)
    ]
    risky = {s for m in [*drug, *untreated] if (s := _subject(said, m.start()))}
    take_child = _affirmed(_TAKE_CHILD_ALONG, said)
    suicide = _affirmed(_SUICIDE, said) + take_child
    economic_cause, other_cause = _suicide_cause(said, suicide)
    danger = read_danger(said)
    report = reported_channel(said)
    child_subject = bool(_CHILD_SUBJECT.search(said))
    child_abuse = danger.child_abuse
    violence = danger.family_violence or child_abuse
    child_in_danger = (
        bool(take_child)
        or danger.take_along
        or danger.child_neglect
        or danger.child_away
        or danger.child_drugs
    )
    disability = _affirmed(_DISABILITY, said)
    household, elder_needs_care = _household(said, disability)
    on_list = bool(_UNDER6_LIST.search(said))
    children_present = (
        bool(household.children_under_6)
        or bool(household.children_6_17)
        or on_list
        or child_subject
    )
    serving = _serving_units(said)
    followed = on_list or bool(_VULNERABLE.search(said)) or len(serving) > 0
    missing = (
        children_present
        and not _FOUND.search(said)
        and (
            danger.child_away
            or said_of_child(_MISSING, said)
            or (
                followed
                and (
                    _said(_FAMILY_GONE, said) or (_said(_UNREACHABLE, said) and _said(_MOVED, said))
                )
            )
        )
    )
    frequent = _said(_FREQUENTLY_UNEMPLOYED, said)
    facts = Facts(
        drug_use=any(_by_caregiver(said, m) for m in drug),
        untreated_mental_illness=bool(untreated),
        mental_illness=bool(illness),
        suicide_report=bool(suicide),
        suicide_cause_economic=bool(suicide) and economic_cause,
        suicide_cause_stated=bool(suicide) and other_cause,
        emergency_relief=_said(_RELIEF, said),
        unemployment=frequent or _said(_UNEMPLOYED, said),
        frequent_unemployment=frequent,
        disability=bool(disability),
        violence=violence,
        child_abuse=child_abuse,
        sexual_assault=danger.sexual,
        child_in_danger=child_in_danger,
        vulnerable_adult_abused=danger.vulnerable_adult_abused or danger.vulnerable_adult_neglected,
        threat_to_others=danger.threat_to_others,
        protection_report_made=report is not None and not _UNFOUNDED.search(said),
        danger_read=danger_model.shipped().reads_danger(said),
        missing_child=missing,
        on_under6_care_list=on_list,
        vulnerable_family_case=bool(_VULNERABLE.search(said)) or len(serving) > 0,
        other_kin_in_household=_kin_in_household(said, risky),
        self_harm_or_harm_others=bool(suicide)
        or _said(_SELF_HARM, said)
        or violence
        or child_in_danger
        or danger.hurt_someone_outside,
        recurrent=_recurrent(said),
        serving_units=serving,
    )
    needs = _needs(
        said,
        facts,
        household,
        elder_needs_care or (danger.vulnerable_adult_neglected and bool(household.elders_65_plus)),
        alcohol=alcohol,
        abused_adult=danger.vulnerable_adult_abused,
    )
    district, village = _district_and_village(said, jurisdiction)
    return Recognised(
        district=district,
        village=village,
        alias=_alias(said),
        household=household,
        facts=facts,
        needs=needs,
        categories=eligible_categories(household, facts, needs),
        priority_flags=priority_flags(household, facts),
        mandatory_report=mandatory_report(facts),
        redacted_text=said,
        removed=redaction.removed,
        report_channel=report,
    )


def _needs(
    text: str,
    facts: Facts,
    household: Household,
    elder_needs_care: bool,
    *,
    alcohol: bool,
    abused_adult: bool,
) -> tuple[Need, ...]:
    """The family's needs, from the facts and from the words and units the text names."""
    children = bool(household.children_under_6) or bool(household.children_6_17)
    caregiver_risk = facts.drug_use or facts.untreated_mental_illness
    found = {
        Need.ECONOMIC: facts.emergency_relief
        or facts.frequent_unemployment
        or _said(_ECONOMIC, text),
        Need.EMPLOYMENT: facts.unemployment,
        Need.MENTAL_HEALTH: facts.mental_illness
        or _said(_DISTRESS, text)
        or _said(_SELF_HARM, text),
        Need.SUICIDE: facts.suicide_report,
        Need.SUBSTANCE: facts.drug_use or alcohol or _said(_DRUG, text),
        Need.VIOLENCE: facts.violence or facts.child_abuse or facts.sexual_assault or abused_adult,
        # Under 6 the plan treats care itself as the need; older children when their carer is
        # at risk (drugs, untreated illness), or when the child is in danger or missing.
        Need.CHILD_CARE: bool(household.children_under_6)
        or facts.child_in_danger
        or facts.missing_child
        or (children and caregiver_risk),
        Need.DISABILITY_CARE: bool(household.disabled),
        Need.ELDER_CARE: elder_needs_care,
        Need.HOUSING: _said(_HOUSING, text),
        Need.EDUCATION: _said(_EDUCATION, text),
        Need.LEGAL: _said(_LEGAL, text),
    }
    # A unit at work with the family says what it is there for (衛生所心衛社工 → mental health).
    from_units = {
        need
        for match in _affirmed(_UNITS, text)
        for pattern, need in _UNIT_NEEDS
        if pattern.search(match[0])
    }
    return tuple(need for need in Need if found[need] or need in from_units)


# --- is it a description at all? ----------------------------------------------------------

_HAN = re.compile("[\u4e00-\u9fff]")
_LATIN = re.compile("[A-Za-z]")
_FILLER = re.compile(
    "(?:好的?|好喔|好啊|好哦|ok|okay|謝謝|感謝|多謝|謝啦|你好|您好|哈囉|嗨|hi|hello|收到|了解|瞭解|知道了|"
    "嗯+|喔+|哦+|是的?|對|沒事|沒有|不用了?|請問|早安|午安|晚安|掰掰|再見|辛苦了?|測試|test|"
    "麻煩了?|拜託|幫我|轉介|我要轉介|要轉介|新轉介|一下|您|你|我|的|了|[\\s\\W_])+",
    re.IGNORECASE,
)
_PLACE_WORDS = re.compile("桃園市|桃園|區|那邊|這邊|附近|住|在|[\\s\\W_]")


def description_problem(text: str, found: Recognised) -> NotADescription | None:
    """None when `text` tells something about a family; otherwise why it does not.

    Anything the recogniser found about people, needs or danger makes it a description; a long
    enough Chinese message does too, even when nothing in it was recognised (the safety question
    still follows).
    """
    han = _HAN.findall(text)
    if not han:
        return NotADescription.NOT_CHINESE if _LATIN.search(text) else NotADescription.FILLER
    facts = found.facts
    said_something = (
        any(getattr(facts, name) is True for name in facts.__dataclass_fields__)
        or found.needs
        or any(value is not None for value in vars(found.household).values())
        or found.report_channel is not None
        or facts.serving_units
    )
    if said_something:
        return None
    if _FILLER.fullmatch(text):
        return NotADescription.FILLER
    if found.district is not None:
        rest = _PLACE_WORDS.sub(
            "", text.replace(found.district, "").replace(found.district[:-1], "")
        )
        if len(_HAN.findall(rest)) <= 2:
            return NotADescription.DISTRICT_ONLY
    if len(han) < 8:
        return NotADescription.FILLER
    return None
