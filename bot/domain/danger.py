"""What in a description points to a statutory ground for a 113 / 關懷e起來 report.

Staff rarely write the statute's words. They write 背上一條一條紅紅的, 說回家會被修理, 一個人在家,
尿布好幾天沒換, 把手伸進她褲子裡摸, 要帶兩個小孩一起走. This module reads such wording clause by
clause: a cue counts unless the words just before it in its clause negate it (未見傷痕, 否認有打,
沒有再動手), and some cues count only with a second one (a mark with no accident to explain it; a
child with no adult at home). The grounds are those of the reporting laws:

- 家庭暴力防治法 art. 50: violence in the family, a child witnessing it included;
- 兒童及少年福利與權益保障法 art. 53, 56: a child abused, neglected, left alone, unfed, without
  care when ill, using drugs, or out of contact away from home;
- 性侵害犯罪防治法: sexual assault or sexual abuse;
- 老人福利法 art. 43 and 身心障礙者權益保障法 art. 76: an elder or a person with disabilities
  abused or neglected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- clauses and negation ------------------------------------------------------------------

# Punctuation, spaces between words (police shorthand) and emoji end a clause.
_CLAUSE_END = re.compile("[，,。；;！!？?\n…~～]+|\\s+|[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]+")
_SENTENCE_END = re.compile("[。；;！!？?\n]+")
_NEGATION = re.compile(
    "(?:沒有|沒|無|未見|未曾|未|否認|不曾|不會|不覺得|不認為|從未|從沒|從不|從來沒有?|查無|並無|並未|排除|不是|並非|非|"
    "不像|看不出|"
    "沒看到|沒發現|未發現|未有|不再|沒再)"
    "(?:有|再|曾|過|任何|明顯|發現|看到|疑似|出現|被|的|人|他|她|遭|遭到|受到|受|到|什麼|對|跟|向|把|要|去|在家|孩子|小孩|家人|任何人|"
    "打過|目前|現在|最近|平常|平時|或|和|與|、|聽過|看過|見過|聽說|他們家有|大小聲|其他|"
    "先生|太太|丈夫|妻子|老公|老婆)*"
    "(?:[^，,。；\\s]{1,4}(?:或|和|與|、))?$"
)


def clauses(text: str) -> list[str]:
    return [part for part in _CLAUSE_END.split(text) if part]


def _negated(clause: str, start: int) -> bool:
    return bool(_NEGATION.search(clause[max(0, start - 14) : start]))


def _found(pattern: re.Pattern[str], parts: list[str]) -> list[str]:
    """The clauses where `pattern` is said and not negated."""
    return [
        part for part in parts if any(not _negated(part, m.start()) for m in pattern.finditer(part))
    ]


# --- who is there -----------------------------------------------------------------------------

_CHILD = re.compile(
    "男童|女童|幼童|兒童|幼兒|嬰兒|女嬰|男嬰|嬰幼兒|新生兒|寶寶|小孩|孩子|小朋友|(?<!大)學生|少年|少女|孫子|孫女|"
    "兒子|女兒|案子|案女|案童|案兒|患童|弟弟|妹妹|哥哥|姊姊|姐姐|小[一二三四五六]|國[一二三]|國中|國小|高[一二三]|"
    "高中|高職|[一二三四五六七八九]年級|幼兒園|幼稚園|托嬰|[大中小]班|(?<![0-9])(?:[1-9]|1[0-7])歲|"
    "[一二三四五六七八九十]{1,3}個?月大|兩歲|三歲|四歲|五歲"
)
_ELDER = re.compile(
    "老人|長者|長輩|老翁|老婦|阿嬤|阿媽|阿公|阿祖|奶奶|爺爺|外婆|外公|祖母|祖父|老先生|老太太|"
    "[六七八九][十0-9]多?歲|(?:6[5-9]|[7-9][0-9]|1[01][0-9])歲"
)
_DISABLED = re.compile(
    "身障|身心障礙|障礙證明|障礙手冊|智能障礙|智障|智能不足|腦性麻痺|腦麻|自閉|唐氏|失智|失能|"
    "臥床|癱瘓|偏癱|中風|植物人|精障|重度|極重度|多重障礙"
)
# People outside the family: violence between them is not family violence.
_OUTSIDERS = re.compile(
    "酒客|路人|陌生|同事|前雇主|雇主|老闆|工廠|店家|店員|客人|鄰居家|對面|隔壁的?(?:房子|鄰居)|區公所|"
    "公所|辦公室|機關|學校的?同學|同學|網咖|酒店|KTV|卡拉OK的|廟口|工地|互毆|互不認識|非家庭成員|不認識的|"
    "熱炒店|小吃店的?客"
)

_FAMILY_ROLE = re.compile(
    "爸爸|媽媽|父親|母親|案父|案母|繼父|繼母|先生|太太|老公|老婆|丈夫|妻子|案夫|案妻|前夫|前妻|同居人|"
    "男友|女友|男朋友|女朋友|兒子|女兒|孫子|孫女|哥哥|弟弟|姊姊|姐姐|妹妹|阿嬤|阿公|奶奶|爺爺|外婆|外公|"
    "叔叔|舅舅|伯伯|阿姨|姑姑|表哥|堂哥|家人|家裡|家中|小孩|孩子|女童|男童"
)

# --- the cues ---------------------------------------------------------------------------------

_IMPLEMENT = (
    "皮帶|衣架|藤條|棍子|木棍|拖鞋|電線|水管|掃把|鐵尺|尺|鞭子|皮鞭|鞋子|球棒|熱水|開水|菸頭|煙頭|"
    "剪刀|菸灰缸|煙灰缸|椅子|鐵椅|板凳|酒瓶|鍋子|衣夾|曬衣桿|竹子|愛的小手|安全帽|鐵棍|鐵條|木板|"
    "拐杖|雨傘|鞋拔"
)
# Hitting and hurting, by hand or with a thing; 打零工, 打電話, 打算, 打球 are not.
_HURT = re.compile(
    "(?:打|抽|揍|踹|踢|甩|砸|摔|燙|潑|丟|推|撞|掐|勒|咬|捏|擰|扯|拉|抓)(?:了|到|得|成)?"
    "(?:他|她|我|人|其|妻|小孩|孩子|兒子|女兒|媽媽|老婆|太太|妻子|先生|老公|阿嬤|阿公|母親|父親|案妻|案母)"
    "(?!的?(?:電話|手機|LINE|line))(?:的)?(?:好幾下|幾下|一頓|一巴掌|頭|臉|背|屁股|腿|手|肚子|身上)?|"
    "打(?:了|到|得|成)?(?:好幾下|幾下|一頓|屁股|頭|臉|背|小腿|大腿|手心|肚子|巴掌|耳光|瘀青|流血|骨折)|"
    "打(?:傷|人|罵)|毆打|痛打|暴打|被打|挨打|被揍|被踢|被踹|揍(?!敵)|拳打腳踢|甩(?:巴掌|耳光)|掌摑|"
    "被[^，。；\\s]{1,6}(?:打|揍|踢|踹|推|掐)(?!工|電話|零工|算|掃|球|擾|卡|扮)|"
    "巴頭|賞(?:巴掌|耳光)|呼巴掌|踢(?:打|傷|他|她|人|肚子|頭|椅子)|掐(?:住|他|她)|"
    "掐[^，。；\\s]{0,4}(?:脖子|頸)|勒(?:脖子|頸|住)|DV|關在(?:廁所|陽台|浴室|房間外|門外|狗籠|儲藏室|鐵籠)|"
    f"(?:拿|用|抄起|持)(?:著)?(?:{_IMPLEMENT})|(?:{_IMPLEMENT})(?:抽|打|往|丟|砸|燙|招呼)|"
    "往(?:他|她)?(?:的)?(?:頭|背|身上|臉|腿|頭上|背上)(?:上)?[^，]{0,4}(?:打|砸|丟|招呼|抽|踢|潑)|"
    "(?:頭|臉)(?:往|去)(?:牆|地|桌|門框|門|櫃|柱)|撞(?:牆|地板|桌角)|推(?:倒|下樓|去撞|他|她)|燙(?:他|她)|罰跪|"
    "叫(?:他|她)跪|跪在|潑(?:熱水|開水|汽油)|拿刀|持刀|揮刀|菜刀|水果刀|砍(?:他|她|人|傷)|"
    "家暴|家庭暴力|施暴|暴力相向|動手(?!術)|發酒瘋|互毆|鬥毆|打架|出拳|修理(?:他|她)|不要(?:再)?打了|別(?:再)?打了|"
    "不要再打|喊救命|救命|教訓(?:他|她)|虐童|兒虐(?!篩)|虐待|不當管教|體罰|"
    "被[^，。；\\s]{0,6}(?:關|鎖)在[^，。；\\s]{0,4}(?:房間|廁所|陽台|浴室|門外|籠|儲藏室|屋裡|家裡|裡面)"
)
# Marks on a body that someone may have made.
_MARK = re.compile(
    "紅印|瘀青|瘀傷|黑青|烏青|於青|淤青|瘀血|紫色|發紫|一條一條|一條條|條狀|傷痕|傷口|燙傷|燙疤|"
    "圓點狀|圓形|掌印|巴掌印|抓痕|勒痕|咬痕|腫(?:一塊|起來|了)|骨折|流血|破皮|不明傷|新舊不一|新舊"
)
_ACCIDENT = re.compile(
    "撞到|撞傷|跌倒|跌落|摔倒|摔傷|摔到|打球|躲避球|球砸|溜滑梯|玩的時候|自己碰|自己撞|碰到|車禍|"
    "擦傷|運動|騎車|滑倒|撞到欄杆|衝下來|跳下|摔下|著地|意外|比賽|被撞|球隊|練習|撞的|熱湯|打翻"
)
_ACCIDENT_DOUBTED = re.compile(
    "可是|但是|但|不過|卻|不符|不一(?!致)|不太像|看起來像|懷疑|不確定|不像|說不清|無法說明|支支吾吾"
)
_ACCIDENT_CONFIRMED = re.compile(
    "符合|相符|一致|確認是|應該不是|不是家暴|查無|未見其他|無受虐|單據|監視器|孩子(?:自己)?也說"
)
_FEAR = re.compile(
    "不敢回家|不想回家|不要回家|不肯回家|怕回家|害怕回家|不願回家|不想回去|不敢回去|不要回去|"
    "會被修理|被修理|要被修理|會被打|又會被|不要跟(?:爸爸|媽媽|爸|媽|家人|家裡)(?:講|說)|"
    "不能講|不可以說|不准(?:她|他)?(?:跟|講|說)|一舉手就|縮起來|發抖"
)
_WITNESS = re.compile(
    "目睹|(?:躲在|躲進|躲到)(?:廁所|房間|棉被|衣櫃|角落|床下)|在旁邊(?:一直)?哭|在旁(?:哭|看)|看到(?:爸爸|媽媽)(?:被)?打"
)
_THREAT = re.compile(
    "揚言|恐嚇|威脅|嗆(?:聲|說)|說要(?:殺|砍|打死|燒|放火)|要(?:殺了|殺死|砍死|打死|燒死|燒掉|放火)|"
    "放火|縱火|(?:要|就)(?:把)?[^，。；\\s]{0,8}燒掉|潑汽油|汽油(?:桶|彈)"
)
# Threats aimed at neighbours, a workplace or an office: a danger, not family violence.
_THREAT_OUTSIDE = re.compile(
    "樓下|樓上|住戶|廠|里長家|別人家|這裡|本所|櫃台|隔壁|整排|鄰居|對面|房子|大樓|社區|車位|公司|工廠|辦公室|公所|雇主|店"
)
_SEXUAL = re.compile(
    "性侵|性騷|猥褻|強制性交|性交|亂倫|性虐|性剝削|性交易|援交|發生(?:性)?關係|性行為|強暴|強姦|"
    "驗傷採證|"
    "親(?:吻|她|他)(?:的)?(?:嘴|身體|胸)|"
    "(?:摸|撫摸|碰|觸摸|觸碰|舔|揉|捏)[^，。；\\s]{0,10}(?:下體|私處|胸部|胸|屁股|內褲|褲子|褲襠|下面|兩腿|"
    "生殖器|陰部|重要部位|妹妹|小雞雞|身體)|"
    "(?:手|手指)(?:伸進|伸入|放進|探進)[^，。；\\s]{0,6}(?:褲|衣服|內衣|裙)|"
    "脫(?:掉|光|下)?[^，。；\\s]{0,8}(?:衣服|褲子|睡衣|內衣|內褲)|"
    "(?:衣服|褲子|睡衣|內衣|內褲|上衣)(?:都)?脫(?:掉|光|下)|尿尿的地方|私密處|小便的地方|秘密遊戲|"
    "下面[^，。；\\s]{0,3}痛|內褲[^，。；\\s]{0,6}血|"
    "(?:拍|傳|錄)[^，。；\\s]{0,8}(?:裸照|私密照|裸體|沒穿衣服|不穿衣服|身體的?照片)"
)
_WEAPON = re.compile("刀|槍|汽油|棍|球棒|鐵條|鐵棍")
# Stalking and harassment by a (former) partner: family violence too (家庭暴力防治法 art. 2).
_HARASS = re.compile(
    "騷擾|跟蹤|堵人|堵她|堵他|糾纏|每天打[^，。；\\s]{0,6}(?:通)?電話|奪命連環|監控(?:她|他)|"
    "限制(?:她|他)出門|檢查(?:她|他)(?:的)?手機"
)
_PARTNER = re.compile("前夫|前妻|前男友|前女友|同居人|男友|女友|老公|老婆|丈夫|妻子|案夫|案妻")
# A child alone, or with no adult to look after them.
_ALONE = re.compile(
    "(?:一個人|獨自|單獨|自己一個人|獨留)(?:一人)?[^，。；\\s]{0,8}"
    "(?:家|屋內|屋裡|房間|租屋處|車上|車內|客廳|裡面|鐵門|床上|嬰兒床)(?!照顧|扶養|撫養|帶)|"
    "遺棄|棄養|棄嬰|"
    "家裡沒(?:有)?大人|沒有大人在家|大人都不在|自己下樓|"
    "(?:一人|一個人)(?:在|於)(?:家|屋內|屋裡)|獨自在家|一個人在家|被(?:反)?鎖在|反鎖|鎖在(?:家|房間|屋)|"
    "丟在(?:家|租屋處|屋內)|放(?:著)?(?:他|她)?(?:一個人)?在家|只有(?:他|她)?(?:跟|和)?[^，。；\\s]{0,8}"
    "(?:兩個人|兩人|自己)在家|大人(?:好像)?(?:晚上)?(?:都)?不在|沒有?大人在|"
    "(?:家裡|家中)只剩(?:他|她)?(?:跟|和)?[^，。；\\s]{0,8}(?:哥哥|弟弟|妹妹|姊姊|姐姐|孩子|小孩|兄妹|姊弟)|"
    "無人照顧|沒人照顧|乏人照顧|沒有人照顧|沒人管|不管(?:他|她|孩子|小孩)|丟著不管|"
    "(?:在|於)(?:巷口|路邊|街上|馬路|路上)[^，。；\\s]{0,4}(?:遊蕩|亂跑|徘徊|晃)|遊蕩"
)
# A carer away from the home the children are left in.
_CARER_AWAY = re.compile(
    "(?:好幾天|幾天|多日|兩天|三天|一整晚|整晚|整夜|半夜|一整天|整天)(?:都)?(?:沒|未)(?:有)?回家|"
    "出門(?:一整晚|一整天|未歸|就沒回來|到隔天)|前晚就出門|就沒回來|到隔天(?:中午|早上)?才回來|"
    "去上班到半夜|晚上都不在|外出未歸|雙雙外出|醉倒|叫不醒|昏睡|不省人事|"
    "(?:好幾天|幾天|多日|兩天|三天|整晚)(?:都)?(?:沒|未)(?:有)?回來|還沒回來|(?:半夜|隔天|天亮|早上)才回來|[一二兩三四五六七八九十幾]+個(?:多)?小時(?:後)?才回來"
)
_UNFED = re.compile(
    "沒(?:有)?(?:吃|飯吃|東西吃|吃飯|吃早餐|吃東西|得吃)|餓(?:了|到|肚子|壞)?|喊餓|肚子餓|"
    "撿[^，。；\\s]{0,8}吃|奶粉(?:罐)?(?:已|都)?(?:空|見底)|剩飯剩菜|"
    "偷(?:麵包|東西吃|便當|食物)|拿麵包|冰箱(?:是|都|也)?(?:空|沒)|沒有?食物|沒東西吃|"
    "只餵|奶粉(?:已|都)?(?:用完|沒了)|脫水|營養不良|體重(?:過輕|不足|僅|只有|明顯)|生長曲線|"
    "瘦(?:巴巴|很多|了|到)|吃不飽|沒人(?:煮飯|拿飯)|沒有人煮|兩三天才|才拿一次"
)
_UNCARED = re.compile(
    "(?:鼓脹|滿是大便|髒|濕透|很重|發臭)[^，。；\\s]{0,4}的?尿布|尿[布步][^，。；\\s]{0,8}(?:沒換|未換|未更換|沒有換|很重|滿|脹|濕透|浸濕|乾硬|外漏|漏|大便|"
    "好幾天|一兩天|數日|臭)|尿布疹|紅屁股|屁股[^，。；\\s]{0,4}(?:爛|破皮|紅|潰)|"
    "褲子[^，。；\\s]{0,4}(?:濕透|發臭|尿濕)|哭到(?:聲音)?沙啞|壓傷|滿地針筒|"
    "(?:好幾天|數日|多日|幾天)[^，。；\\s]{0,6}(?:沒|未)(?:洗澡|換|洗)|"
    "頭蝨|尿騷|(?:身上|全身)[^，。；\\s]{0,4}(?:異味|臭|屎|尿)|屎尿|排泄物|便溺|褥瘡|壓瘡|"
    "衣服[^，。；\\s]{0,6}(?:沒換|有味道|很臭)|滿地(?:垃圾|酒瓶)|"
    "(?:沒|未|不|沒有)(?:帶|送)[^，。；\\s]{0,4}(?:去)?(?:看醫生|看病|就醫|醫院|回診|復健|醫)|"
    "(?:不給|沒給)(?:她|他)?(?:吃|飯)|延誤就醫|預防接種[^，。；\\s]{0,6}(?:逾期|未打)|"
    "(?:疫苗|接種)[^，。；\\s]{0,6}(?:沒打|未打)|藥[^，。；\\s]{0,6}(?:沒動|未動)|沒有水電|"
    "沒水沒電|超過3[0-9]度|餵(?:養|食)(?:嚴重)?不足|照顧功能(?:明顯)?不足|照顧(?:嚴重)?疏忽|疏忽照顧|"
    "同一套衣服|頭髮(?:有味道|很臭|油膩)|指甲(?:黑|很長)|化膿|"
    "(?:帶|送)[^，。；\\s]{0,4}(?:看醫生|就醫|看病)[^，。；\\s]{0,4}(?:都沒|沒有|不理|沒回|不處理)"
)
# A parent who would take the children along in death.
_TAKE_ALONG = re.compile(
    "(?:帶|抱|揹|背|牽)(?:著)?[^，。；\\s]{0,10}(?:孩子|小孩|兒子|女兒|老大|老二|[兩二三]個|子女|她|他|"
    "寶寶|小的|妹妹|弟弟)[^，。；\\s]{0,10}"
    "(?:一起|一塊|一同)?(?:去|從)?[^，。；\\s]{0,4}(?:(?<![搬帶逃會])走(?!路)|死|去死|離開(?:這個世界|人世)|跳|燒炭|解脫|自殺|"
    "輕生|上路)|(?:帶|抱)(?:著)?[^，。；\\s]{0,6}(?:孩子|小孩|小的)一起(?=[，,。！!…』」]|$)|"
    "一起(?:去)?(?:天上|天堂|另一個世界)|一起去找(?:他們|她|妳|你)?(?:的)?(?:媽媽|爸爸)|"
    "(?:一起|大家一起|全家一起)(?:去死|死|走|解脫|燒炭|跳|離開這個世界|上路)|同歸於盡|"
    "攜子(?:女)?(?:自殺|輕生|尋短|燒炭|跳)|(?:要|想)(?:殺|掐死|悶死)(?:了|掉)?(?:孩子|小孩)|搖晃嬰兒|"
    "孩子我帶走了|(?:一家|全家)(?:就|人)?團圓|乾脆(?:一起|全家)|"
    "(?:帶|抱)(?:著)?[^，。；\\s]{0,8}(?:寶貝|孩子|小孩)[^，。；\\s]{0,4}去找(?:他們|她|妳|你)?(?:的)?(?:媽媽|爸爸)|"
    "燒炭[^。；]{0,24}(?:孩子|小孩|子女)[^。；]{0,6}(?:也|都)在(?:屋內|家|車內|車上|房間)|"
    "殺了(?:孩子|小孩)|(?:孩子|小孩)[^，。；\\s]{0,4}(?:一起)?(?:陪葬|陪我死)"
)
# A child gone from home or out of contact (not a family that moved away together).
_AWAY = re.compile(
    "未返家|未回家|沒(?:有)?回家|沒再回來|沒回來|不回家|離家|逃家|跑出去|跑走|蹺家|翹家|失聯|"
    "聯絡不上|聯繫不上|找不到(?:他|她|人)|不知道(?:他|她)?(?:人)?在哪|不知去向|下落不明|行蹤不明|"
    "報(?:了)?失蹤|失蹤|協尋|已讀不回|不見了|手機(?:一直)?(?:關機|不通|都不通|不接)"
)
# The child found, or known to be safe (確認她在同學家, 已找到人, 只是搬到親戚家).
_FOUND_CHILD = re.compile(
    "已找到|找到人|已尋獲|尋獲|已返家|已回家|確認(?:她|他)?(?:人)?在|知道(?:她|他)在|正常到校|"
    "只是搬(?:到|去)|平安"
)
_MOVED_AWAY = re.compile(
    "搬走|搬離|搬家|人去樓空|全家|舉家|一家人都|整戶|退租|遷居|遷出|母子|母女|父子|父女|"
    "帶著?[^，。；\\s]{0,8}(?:幼兒|孩子|小孩|兒子|女兒|子女|弟弟|妹妹|哥哥|姊姊|寶寶|小的)"
)
# Whose deed or plight a cue is: the last person named before it in its sentence.
_ADULT_NOUN = re.compile(
    "爸爸|媽媽|父親|母親|案父|案母|繼父|繼母|養父|養母|爸|媽|產婦|孕婦|男友|女友|男朋友|女朋友|同居人|"
    "先生|太太|丈夫|妻子|老公|老婆|案夫|案妻|配偶|前夫|前妻|男方|女方|男子|女子|婦人|叔叔|舅舅|伯伯|阿姨|"
    "姑姑|哥嫂|家長|監護人|照顧者|生母|生父|鄰居|志工|里長|老師|社工|阿伯|老伯|長者|老人|老翁|老婦|阿祖|阿嬤|阿公|奶奶|爺爺|外婆|外公|大學生|戶長|女士|小姐|[A-Z]女|[A-Z]男|"
    "姓男子|姓女子"
)
_CHILD_NOUN = re.compile(
    "男童|女童|幼童|兒童|幼兒|嬰兒|女嬰|男嬰|新生兒|寶寶|小孩|孩子|小朋友|(?<!大)學生|少年|少女|孫子|孫女|"
    "小?男生|小?女生|男孩|女孩|案子|案女|案童|患童|小[一二三四五六](?!時)|國[一二三]|國中生?|國小|高[一二三]|高中生?|高職|"
    "[一二三四五六七八九]年級|(?<![0-9])(?:[1-9]|1[0-7])歲|女兒|兒子|弟弟|妹妹|阿[^\\s，。]{1}(?=[（(]|[0-9])"
)
_CHILD_DRUGS_WORDS = re.compile(
    "(?:吸|抽|施用|使用|驗出|篩出|尿篩|尿檢)[^，。；\\s]{0,8}(?:毒|K他命|K菸|愷他命|安非他命|大麻|煙彈|"
    "喪屍|依托咪酯|搖頭丸|毒咖啡|笑氣)|煙彈|喪屍煙|依托咪酯|K菸"
)
_MONEY_TAKEN = re.compile(
    "(?:年金|津貼|補助|存款|退休金|老人年金|敬老|身障補助|積蓄|存摺)[^，。；\\s]{0,10}(?:被)?"
    "(?:[^，。；\\s]{0,4})(?:領走|領去|領出|拿走|拿去|搶走|花掉|侵占|騙走|提領|盜領|挪用|自用)"
)
_SCOLD_SCARE = re.compile("罵(?:她|他)[^，。；\\s]{0,4}|嚇(?:她|他)|不給(?:她|他)?(?:吃|飯|錢)")
_MINOR_AGE = re.compile(
    "(?<![0-9])(?:1[0-5]|[6-9])歲|國[一二三]|國中|小[一二三四五六]|國小|少女|未成年"
)
_GROOMED = re.compile("過夜|發生(?:性)?關係|開房|旅館|懷孕|(?:傳|拍)[^，。；\\s]{0,6}照")
_ONLINE_ADULT = re.compile(
    "網(?:路|上)(?:上)?認識|網友|IG|臉書|交友軟體|遊戲認識|私訊|成年男子|成年男性|[2-5][0-9]多?歲的?男"
)


@dataclass(frozen=True)
class Danger:
    """The grounds a description points to (each a reason to report within 24 hours, except
    `threat_to_others`, a danger to people outside the family)."""

    family_violence: bool = False
    child_abuse: bool = False
    sexual: bool = False
    child_neglect: bool = False
    take_along: bool = False
    child_away: bool = False
    child_drugs: bool = False
    vulnerable_adult_abused: bool = False  # hit, locked in, money taken, threatened
    vulnerable_adult_neglected: bool = False  # left without food, care or medicine
    threat_to_others: bool = False
    hurt_someone_outside: bool = False  # a fight with strangers: harming others, not a report

    @property
    def any_ground(self) -> bool:
        return any(
            (
                self.family_violence,
                self.child_abuse,
                self.sexual,
                self.child_neglect,
                self.take_along,
                self.child_away,
                self.child_drugs,
                self.vulnerable_adult_abused,
                self.vulnerable_adult_neglected,
            )
        )


def _sentences(text: str) -> list[str]:
    return [part for part in _SENTENCE_END.split(text) if part]


def _child_is_subject(sentence: str, start: int) -> bool:
    """Whether the last person named before `start` in its sentence is a child (or, when none is
    named before it, whether the sentence names a child at all)."""
    last_adult = max(
        (
            m.end()
            for m in _ADULT_NOUN.finditer(sentence, 0, start)
            if not _AS_OBJECT.search(sentence, max(0, m.start() - 1), m.start())
            and not _AS_SPEAKER.match(sentence, m.end())
        ),
        default=-1,
    )
    last_child = max(
        (m.end() for m in _CHILD_NOUN.finditer(sentence, 0, start)),
        default=-1,
    )
    clause_start = max((m.end() for m in _CLAUSE_END.finditer(sentence, 0, start)), default=0)
    first_adult = _ADULT_NOUN.search(sentence, clause_start, start)
    first_child = _CHILD_NOUN.search(sentence, clause_start, start)
    if (
        first_adult is not None
        and (first_child is None or first_adult.start() < first_child.start())
        and not _AS_SPEAKER.match(sentence, first_adult.end())
        and not _AS_OBJECT.search(sentence, max(0, first_adult.start() - 1), first_adult.start())
    ):
        return False  # 案母於女兒一歲時離家: the clause is about the adult who opens it
    if (
        last_adult >= 0
        and _CHILD_NOUN.search(sentence)
        and _PRONOUN.search(sentence, last_adult, start)
    ):
        return True  # 媽媽說他…: the pronoun after the adult is the child
    if last_adult < 0 and last_child < 0:
        return bool(_CHILD_NOUN.search(sentence))
    return last_child > last_adult


_AS_OBJECT = re.compile("[與跟和被同對向替幫讓]")
_AS_SPEAKER = re.compile("(?:也)?(?:說|表示|稱|反映|陳述|自述|轉述|告知|提到|發現)")
_PRONOUN = re.compile("[他她]")


def said_of_child(pattern: re.Pattern[str], text: str) -> bool:
    """`pattern` said, not negated, of a child."""
    for sentence in _sentences(text):
        for match in pattern.finditer(sentence):
            clause_start = max(
                (m.end() for m in _CLAUSE_END.finditer(sentence, 0, match.start())), default=0
            )
            clause = sentence[clause_start : match.end()]
            if _negated(clause, match.start() - clause_start):
                continue
            if _CHILD_NOUN.search(match[0]) or _child_is_subject(sentence, match.start()):
                return True
    return False


# A suspicion the same text then lays to rest (懷疑被打…到場查訪…現場無異狀; 虛驚一場).
# A story as someone told it (他說『昨天被爸爸打到哭』), which the next clause may lay to rest.
_TOLD = re.compile("說|稱|表示|講")
# Someone else's allegation, in the clause before (匿名檢舉，說爸爸把兒子關在陽台).
_ALLEGED = re.compile("檢舉|匿名|傳言|謠傳|聽說|有人說|可能")
_SUSPECTED = re.compile(
    "懷疑|疑似|擔心|好像|聽說|怕是|怕|以為|誤以為|傳說|傳言|謠傳|檢舉|匿名|可能有|有人說"
)
_PASSED_ON = re.compile("(?:說|表示|指出|提到|反映|檢舉|通報|告訴我們|轉述)[:：]?$")
_REFUTED = re.compile("虛驚一場|誤會一場|是誤會|原來是|結果問清楚|結果是")


def _child_gone_from_home(text: str) -> bool:
    """A child out of contact away from home — not a family that moved away together (搬走,
    人去樓空, 帶著孩子…) in the same breath."""
    for sentence in _sentences(text):
        for part in clauses(sentence):
            if not _found(_AWAY, [part]):
                continue
            start = sentence.find(part)
            match = _AWAY.search(part)
            assert match is not None
            if not (
                _CHILD_NOUN.search(match[0]) or _child_is_subject(sentence, start + match.start())
            ):
                continue
            # A family gone together (搬走, 帶著孩子…) is not a child gone from home, unless the
            # clause itself names the child who is gone (國二女兒離家三天).
            if not _MOVED_AWAY.search(text) or _CHILD_NOUN.search(part):
                return True
    return False


def _and_after(parts: list[str], part: str) -> list[str]:
    """A clause and the one after it (where a story told is laid to rest)."""
    index = parts.index(part)
    return parts[index : index + 2]


def _before_and(parts: list[str], part: str) -> list[str]:
    """A clause and the two before it (匿名通報，說爸爸把兒子關在陽台)."""
    index = parts.index(part)
    return parts[max(0, index - 2) : index + 1]


_TIME_FRAME = re.compile("(?:的時候|時|期間|那段時間|年前|以前|之前|那幾年)$")


def _old_matter(part: str, text: str) -> bool:
    """Violence long past and over (十年前曾有家暴，已離婚多年無往來)."""
    past = re.search(
        "(?:[0-9一二三四五六七八九十幾多]+|很多|好多)年前|以前|過去|早年|曾經|曾|當年|那時|小時候|國小時|"
        "還小的時候",
        part,
    )
    over = re.search(
        "離婚|沒(?:有)?(?:在)?聯絡|無(?:聯絡|聯繫|往來)|早無|沒往來|搬(?:去|到|回)|不同住|沒有家暴的問題|"
        "沒有再|"
        "已無|早就",
        text,
    )
    return bool(past and over)


def _told_of(parts: list[str], part: str) -> str:
    """The clause, with the two before it when it names no one of the family itself (曾經，
    被打到住院) or when they set its time (七八年前她還住在前夫家的時候，前夫喝酒會打她); a
    past event before it is not its time (過去曾住院，爸爸…抽他的背)."""
    before = _before_and(parts, part)[:-1]
    if _FAMILY_ROLE.search(part):
        before = [b for b in before if _TIME_FRAME.search(b)]
    return "".join([*before, part])


def _alleged_in(parts: list[str], part: str) -> str:
    """Where hearsay about a clause is said: in it, or in the two before it when it names no
    one of the family itself (匿名檢舉，被打到住院) or when they end by passing it on
    (鄰居檢舉說，爸爸…); hearsay about something else (聽說在吸安，爸爸…) is not about it."""
    before = _before_and(parts, part)[:-1]
    if _FAMILY_ROLE.search(part):
        before = [b for b in before if _PASSED_ON.search(b)]
    return "".join([*before, part])


def read_danger(text: str) -> Danger:
    """The statutory grounds `text` points to, read clause by clause."""
    parts = clauses(text)
    child = bool(_CHILD.search(text))
    elder = bool(_ELDER.search(text))
    disabled = bool(_DISABLED.search(text))
    vulnerable_adult = elder or disabled

    hurt = [p for p in _found(_HURT, parts) if not _old_matter(_told_of(parts, p), text)]

    def near(pattern: re.Pattern[str], part: str) -> bool:
        """`pattern` in the clause; or, when the clause names no one of the family, anywhere in
        its sentence (police shorthand runs a whole scene into one sentence)."""
        if pattern.search(part):
            return True
        if _FAMILY_ROLE.search(part):
            return False
        return any(part in sentence and pattern.search(sentence) for sentence in _sentences(text))

    # A suspicion alone (鄰居懷疑被打, 以為是在打老婆) is not a fact; the facts around it count.
    hurt = [
        p for p in hurt if not _SUSPECTED.search(p) and not _ALLEGED.search(_alleged_in(parts, p))
    ]
    # A story laid to rest right after it is told (被爸爸打到哭…結果問清楚是打電動輸了).
    hurt = [
        p for p in hurt if not (_TOLD.search(p) and _REFUTED.search("".join(_and_after(parts, p))))
    ]
    outside = [p for p in hurt if near(_OUTSIDERS, p)]
    in_family = [p for p in hurt if p not in outside]
    threats = _found(_THREAT, parts)
    threats_outside = [p for p in threats if near(_OUTSIDERS, p) or near(_THREAT_OUTSIDE, p)]
    threats_in_family = [p for p in threats if p not in threats_outside]

    accident = bool(_ACCIDENT.search(text))
    # Doubt about the accident, said where the accident is told (說是撞到的，可是…).
    doubted = any(
        _ACCIDENT.search(sentence) and _ACCIDENT_DOUBTED.search(sentence)
        for sentence in _sentences(text)
    )
    confirmed = bool(_ACCIDENT_CONFIRMED.search(text))
    marks = [p for p in _found(_MARK, parts) if not near(_OUTSIDERS, p)]
    marked_child = bool(marks) and said_of_child(_MARK, text)
    unexplained = not confirmed and (not accident or doubted)
    unexplained_marks = bool(marks) and unexplained
    fear = bool(_found(_FEAR, parts))

    child_abuse = child and (
        bool(in_family) or fear or (marked_child and unexplained) or bool(_found(_WITNESS, parts))
    )
    harassed = any(
        _PARTNER.search(sentence) and _found(_HARASS, clauses(sentence))
        for sentence in _sentences(text)
    )
    family_violence = bool(in_family) or bool(threats_in_family) or harassed
    sexual = bool(_found(_SEXUAL, parts)) or (
        child
        and bool(_MINOR_AGE.search(text))
        and bool(_ONLINE_ADULT.search(text))
        and bool(_GROOMED.search(text))
    )

    # A carer gone for the night (出門一整晚) leaves the children alone; a child who did not
    # come home is another ground (child_away).
    alone = said_of_child(_ALONE, text) or (
        bool(_CHILD_NOUN.search(text))
        and bool(_found(_CARER_AWAY, parts))
        and not said_of_child(_CARER_AWAY, text)
    )
    unfed = bool(_found(_UNFED, parts))
    uncared = bool(_found(_UNCARED, parts))
    neglect_signs = sum((alone, unfed, uncared))
    child_neglect = child and (alone or uncared or neglect_signs >= 2)
    adult_neglect = vulnerable_adult and (uncared or neglect_signs >= 2)

    away = _child_gone_from_home(text)
    child_away = child and away and not alone and not _FOUND_CHILD.search(text)

    money_taken = bool(_found(_MONEY_TAKEN, parts))
    scared = bool(_found(_SCOLD_SCARE, parts))
    adult_abused = vulnerable_adult and (
        bool(in_family)
        or money_taken
        or (scared and (unexplained_marks or bool(threats_in_family)))
        or ("反鎖" in text or "鎖在" in text)
    )
    return Danger(
        family_violence=family_violence,
        child_abuse=child_abuse,
        sexual=sexual,
        child_neglect=child_neglect,
        take_along=bool(_found(_TAKE_ALONG, parts)),
        child_away=child_away,
        child_drugs=child and said_of_child(_CHILD_DRUGS_WORDS, text),
        vulnerable_adult_abused=adult_abused,
        vulnerable_adult_neglected=adult_neglect,
        threat_to_others=bool(threats_outside) or any(_WEAPON.search(p) for p in outside),
        hurt_someone_outside=bool(outside),
    )
