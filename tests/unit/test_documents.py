"""Meeting documents: DOCX an office files as it is, XLSX with real dates, nothing identifying."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta

import docx
import openpyxl
import pytest
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from openpyxl.worksheet.worksheet import Worksheet

from bot.documents import (
    AGENDA_CASE_HEADERS,
    AUTHOR,
    COMPLIANCE_FIELDS,
    DECISION_HEADERS,
    EAST_ASIAN_FONT,
    LATIN_FONT,
    RESOLUTION_HEADERS,
    Agenda,
    AgendaCase,
    AgendaSection,
    ComplianceRow,
    Decision,
    MeetingInfo,
    Minutes,
    Resolution,
    agenda_docx,
    chinese_numeral,
    compliance_xlsx,
    minutes_docx,
    roc_date,
    roc_datetime,
)
from bot.domain.redaction import REDACTED
from bot.domain.working_days import TAIPEI

NATIONAL_ID = "A123456789"
PHONE = "0912-345-678"
STARTS_AT = datetime(2026, 3, 18, 14, 0, tzinfo=TAIPEI)  # a Wednesday
MEETING = MeetingInfo(
    title="桃園市中壢區115年第1次區級個案研討會議",
    series_name="區級個案研討會議",
    starts_at=STARTS_AT,
    place="中壢家庭服務中心 3樓會議室",
    video_link="https://meet.example.org/abc-defg-hij",
    chair="中壢家庭服務中心 林督導",
    organiser="桃園市政府社會局中壢家庭服務中心",
    attendees=["桃園市政府警察局中壢分局", "桃園市政府衛生局", "中壢區公所"],
)
AGENDA = Agenda(
    meeting=MEETING,
    sections=[
        AgendaSection(
            heading="前次會議列管案件執行情形報告",
            cases=[
                AgendaCase(
                    code="TY-115-00042",
                    alias="王○明家",
                    lead_unit="中壢家庭服務中心",
                    summary=f"案母失業，經濟困難（誤填 {NATIONAL_ID}，電話 {PHONE}）",
                    status="列管中；月報：已交 3、逾期 1",
                ),
                AgendaCase(
                    code="TY-115-00057",
                    alias="陳○華家",
                    lead_unit="桃園市政府衛生局",
                    summary="案父酒癮，已轉介戒治",
                    status="列管中；月報：已交 2",
                ),
            ],
            notes=["幸扶守護通報：本月 2 件"],
        ),
        AgendaSection(heading="家庭服務中心報告", cases=[], notes=[]),
        AgendaSection(heading="幸扶守護個案", cases=[], notes=["共 0 件。"], level=2),
        AgendaSection(heading="兒少高危機個案", cases=[], notes=[], level=2),
        AgendaSection(heading="本次新提案件", cases=[], notes=[]),
        AgendaSection(heading="討論重點", cases=[], notes=[], points=["處遇計畫的可行性"]),
    ],
    discussion_points=["跨網絡合作計畫之分工", "解除列管之評估指標"],
)
MINUTES = Minutes(
    meeting=MEETING,
    invited=["桃園市政府警察局中壢分局", "桃園市政府衛生局", "中壢區公所", "中壢國小", "中壢分局"],
    present=["桃園市政府警察局中壢分局", "桃園市政府衛生局"],
    absent=["中壢區公所"],
    delegated=["中壢國小 張○芬（代理 李○華）"],
    excused=["中壢分局"],
    decisions=[
        Decision(
            code="TY-115-00042",
            alias="王○明家",
            decision="持續列管",
            details=f"由中壢家庭服務中心主責，衛生局協助（聯絡 {PHONE}）",
        ),
        Decision(code="TY-115-00057", alias="陳○華家", decision="解除列管", details="已穩定就業"),
    ],
    resolutions=[
        Resolution(text="召開聯合家庭會議", owner_unit="中壢家庭服務中心", due=date(2026, 4, 1)),
        Resolution(text="追蹤戒治出席情形", owner_unit="桃園市政府衛生局", due=None),
    ],
    recorded_by="中壢家庭服務中心 陳社工",
    recorded_at=datetime(2026, 3, 20, 1, 30, tzinfo=UTC),  # 09:30 in Taipei
)


def open_docx(data: bytes) -> Document:
    return docx.Document(io.BytesIO(data))


def all_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.endswith((".xml", ".rels"))
        )


def style_name(paragraph: Paragraph) -> str:
    style = paragraph.style
    assert style is not None
    return style.name or ""


def headings(document: Document) -> list[str]:
    return [p.text for p in document.paragraphs if style_name(p) == "Heading 1"]


def texts(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def body_text(document: Document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


# --- ROC dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 3, 18, 14, 0, tzinfo=TAIPEI), "115年3月18日（星期三）下午2時00分"),
        (datetime(2026, 3, 19, 9, 5, tzinfo=TAIPEI), "115年3月19日（星期四）上午9時05分"),
        (datetime(2026, 3, 20, 12, 0, tzinfo=TAIPEI), "115年3月20日（星期五）下午12時00分"),
        (datetime(2026, 3, 21, 11, 59, tzinfo=TAIPEI), "115年3月21日（星期六）上午11時59分"),
        (datetime(2026, 3, 22, 0, 30, tzinfo=TAIPEI), "115年3月22日（星期日）上午0時30分"),
        (datetime(2026, 3, 23, 23, 0, tzinfo=TAIPEI), "115年3月23日（星期一）下午11時00分"),
        (datetime(2026, 3, 24, 4, 30, tzinfo=UTC), "115年3月24日（星期二）下午12時30分"),
    ],
)
def test_roc_datetime(moment: datetime, expected: str) -> None:
    assert roc_datetime(moment) == expected


def test_roc_datetime_is_in_taipei_time_across_midnight() -> None:
    # 17:00 UTC on Tuesday is 01:00 on Wednesday in Taipei.
    assert roc_datetime(datetime(2026, 3, 17, 17, 0, tzinfo=UTC)) == (
        "115年3月18日（星期三）上午1時00分"
    )


def test_roc_datetime_needs_an_aware_datetime() -> None:
    with pytest.raises(ValueError, match="aware"):
        roc_datetime(datetime(2026, 3, 18, 14, 0))  # noqa: DTZ001


def test_roc_date() -> None:
    assert roc_date(date(2026, 3, 18)) == "115年3月18日"
    assert roc_date(date(2011, 1, 2)) == "100年1月2日"
    assert roc_date(datetime(2026, 3, 31, 16, 0, tzinfo=UTC)) == "115年4月1日"


def test_chinese_numeral() -> None:
    assert [chinese_numeral(n) for n in (1, 3, 10, 11, 20, 25, 99)] == [
        "一", "三", "十", "十一", "二十", "二十五", "九十九",
    ]  # fmt: skip
    with pytest.raises(ValueError, match="100"):
        chinese_numeral(100)


# --- agenda ----------------------------------------------------------------------------------


def test_agenda_title_and_meeting_lines() -> None:
    document = open_docx(agenda_docx(AGENDA))
    title = document.paragraphs[0]
    assert title.text == "桃園市中壢區115年第1次區級個案研討會議議程"
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert all(run.bold for run in title.runs)
    assert {run.font.size.pt for run in title.runs if run.font.size} == {16.0}
    text = body_text(document)
    assert "時間：115年3月18日（星期三）下午2時00分" in text
    assert "地點：中壢家庭服務中心 3樓會議室" in text
    assert "視訊連結：https://meet.example.org/abc-defg-hij" in text
    assert "主席：中壢家庭服務中心 林督導" in text
    assert "邀請單位：桃園市政府警察局中壢分局、桃園市政府衛生局、中壢區公所" in text


def test_agenda_sections_are_numbered_headings_and_discussion_continues_the_numbering() -> None:
    document = open_docx(agenda_docx(AGENDA))
    assert headings(document) == [
        "一、前次會議列管案件執行情形報告",
        "二、家庭服務中心報告",
        "三、本次新提案件",
        "四、討論重點",
        "五、討論事項",
    ]
    assert [p.text for p in document.paragraphs if style_name(p) == "Heading 2"] == [
        "（一）幸扶守護個案",
        "（二）兒少高危機個案",
    ]
    points = [p.text for p in document.paragraphs if style_name(p) == "List Number"]
    assert points == ["處遇計畫的可行性", "跨網絡合作計畫之分工", "解除列管之評估指標"]


def test_a_heading_with_subsections_is_not_called_empty() -> None:
    paragraphs = [p.text for p in open_docx(agenda_docx(AGENDA)).paragraphs]
    assert paragraphs[paragraphs.index("二、家庭服務中心報告") + 1] == "（一）幸扶守護個案"
    # An empty subsection says so.
    assert paragraphs[paragraphs.index("（二）兒少高危機個案") + 1] == "（無）"


def test_agenda_case_table() -> None:
    document = open_docx(agenda_docx(AGENDA))
    assert len(document.tables) == 1
    rows = texts(document.tables[0])
    assert rows[0] == list(AGENDA_CASE_HEADERS)
    assert rows[1][:3] == ["TY-115-00042", "王○明家", "中壢家庭服務中心"]
    assert rows[1][4] == "列管中；月報：已交 3、逾期 1"
    assert rows[2][:2] == ["TY-115-00057", "陳○華家"]
    # The header row repeats on every page.
    header = document.tables[0].rows[0]._tr
    assert header.trPr is not None
    assert header.trPr.find(qn("w:tblHeader")) is not None


def test_agenda_empty_section_says_none() -> None:
    document = open_docx(agenda_docx(AGENDA))
    paragraphs = [p.text for p in document.paragraphs]
    after_empty = paragraphs[paragraphs.index("三、本次新提案件") + 1]
    assert after_empty == "（無）"
    assert "幸扶守護通報：本月 2 件" in paragraphs


def test_agenda_without_numbered_sections_or_points() -> None:
    agenda = Agenda(
        meeting=MEETING,
        sections=[AgendaSection(heading="列管案件", cases=[], notes=["（無）"])],
        discussion_points=[],
    )
    document = open_docx(agenda_docx(agenda))
    assert headings(document) == ["一、列管案件"]
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs.count("（無）") == 1  # the note; no discussion points, no heading for them
    assert not document.tables


def test_identifiers_never_reach_the_file() -> None:
    for data in (agenda_docx(AGENDA), minutes_docx(MINUTES)):
        xml = all_xml(data)
        for leaked in (NATIONAL_ID, PHONE, "0912345678", "345-678"):
            assert leaked not in xml
        assert REDACTED in xml
        assert "TY-115-00042" in xml  # case codes are not identifiers


def test_characters_xml_cannot_hold_are_dropped() -> None:
    case = AgendaCase(
        code="TY-115-00001",
        alias="林○君家",
        lead_unit="社福中心",
        summary="貼上\x0b的\x00文字",
        status="新案",
    )
    section = AgendaSection(heading="一、新案", cases=[case], notes=[])
    agenda = Agenda(meeting=MEETING, sections=[section], discussion_points=[])
    document = open_docx(agenda_docx(agenda))
    assert texts(document.tables[0])[1][3] == "貼上的文字"


def test_identifier_in_the_title_stays_out_of_the_properties() -> None:
    meeting = MeetingInfo(
        title=f"會議 {PHONE}",
        series_name="區級個案研討會議",
        starts_at=STARTS_AT,
        place="會議室",
        video_link=None,
        chair="林督導",
        organiser="中壢家庭服務中心",
        attendees=[],
    )
    data = agenda_docx(Agenda(meeting=meeting, sections=[], discussion_points=[]))
    assert PHONE not in all_xml(data)
    document = open_docx(data)
    assert document.core_properties.title == f"會議 {REDACTED}議程"
    assert "視訊連結" not in body_text(document)
    assert "邀請單位：（無）" in body_text(document)


def test_fonts_page_and_properties() -> None:
    document = open_docx(agenda_docx(AGENDA))
    for name in ("Normal", "Heading 1"):
        style = document.styles[name]
        rpr = style.element.rPr
        assert rpr is not None
        assert rpr.rFonts is not None
        assert rpr.rFonts.get(qn("w:eastAsia")) == EAST_ASIAN_FONT
        assert rpr.rFonts.get(qn("w:ascii")) == LATIN_FONT
        assert rpr.rFonts.get(qn("w:asciiTheme")) is None  # a theme font would win
    normal = document.styles["Normal"]
    assert normal.font.size is not None
    assert normal.font.size.pt == 12
    section = document.sections[0]
    assert section.page_width is not None
    assert section.page_height is not None
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert section.left_margin is not None
    assert round(section.left_margin.cm, 2) == 2.5
    properties = document.core_properties
    assert properties.author == AUTHOR
    assert properties.last_modified_by == AUTHOR
    assert properties.comments == ""
    with zipfile.ZipFile(io.BytesIO(agenda_docx(AGENDA))) as archive:
        assert not [name for name in archive.namelist() if "thumbnail" in name]


# --- minutes ---------------------------------------------------------------------------------


def test_minutes_structure() -> None:
    document = open_docx(minutes_docx(MINUTES))
    assert document.paragraphs[0].text == "桃園市中壢區115年第1次區級個案研討會議紀錄"
    assert headings(document) == ["一、出席情形", "二、個案討論及決議", "三、決議事項"]
    text = body_text(document)
    assert "時間：115年3月18日（星期三）下午2時00分" in text
    assert "邀請單位：桃園市政府警察局中壢分局、桃園市政府衛生局、中壢區公所、中壢國小" in text
    assert "出席：桃園市政府警察局中壢分局、桃園市政府衛生局" in text
    assert "代理出席：中壢國小 張○芬（代理 李○華）" in text
    assert "請假：中壢分局" in text
    assert "缺席：中壢區公所" in text
    assert [p.text for p in document.paragraphs][-2:] == [
        "紀錄：中壢家庭服務中心 陳社工",
        "紀錄日期：115年3月20日",
    ]


def test_minutes_tables() -> None:
    document = open_docx(minutes_docx(MINUTES))
    decisions, resolutions = (texts(table) for table in document.tables)
    assert decisions[0] == list(DECISION_HEADERS)
    assert decisions[1][:3] == ["TY-115-00042", "王○明家", "持續列管"]
    assert decisions[1][3].startswith("由中壢家庭服務中心主責")
    assert decisions[2] == ["TY-115-00057", "陳○華家", "解除列管", "已穩定就業"]
    assert resolutions == [
        list(RESOLUTION_HEADERS),
        ["召開聯合家庭會議", "中壢家庭服務中心", "115年4月1日"],
        ["追蹤戒治出席情形", "桃園市政府衛生局", "未定"],
    ]


def test_minutes_with_nothing_decided() -> None:
    minutes = Minutes(
        meeting=MEETING,
        invited=[],
        present=[],
        absent=[],
        delegated=[],
        excused=[],
        decisions=[],
        resolutions=[],
        recorded_by="陳社工",
        recorded_at=STARTS_AT + timedelta(days=1),
    )
    document = open_docx(minutes_docx(minutes))
    assert not document.tables
    paragraphs = [p.text for p in document.paragraphs]
    for heading in ("二、個案討論及決議", "三、決議事項"):
        assert paragraphs[paragraphs.index(heading) + 1] == "（無）"
    assert "出席：（無）" in paragraphs


# --- compliance ------------------------------------------------------------------------------

HEADERS = [
    "行政區", "會議", "期別", "召開日期", "召開情形", "紀錄寄送日期", "紀錄情形",
    "準時", "逾期", "未交", "資料來源",
]  # fmt: skip
ROWS = [
    ComplianceRow(
        district="中壢區",
        series="區級個案研討會議",
        period="2026-03",
        held_on=date(2026, 3, 18),
        held_state="已召開",
        minutes_sent_on=date(2026, 3, 25),
        minutes_state="已寄送",
        reports_on_time=3,
        reports_late=1,
        reports_missing=0,
        source="meeting:12; obligations:45,46",
    ),
    ComplianceRow(
        district="平鎮區",
        series="區級個案研討會議",
        period="2026-03",
        held_on=None,
        held_state="未召開",
        minutes_sent_on=None,
        minutes_state=f'=HYPERLINK("x") {PHONE}',
        reports_on_time=0,
        reports_late=0,
        reports_missing=2,
        source="obligations:47,48",
    ),
]


def open_sheet(data: bytes) -> Worksheet:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert isinstance(sheet, Worksheet)
    return sheet


def test_compliance_sheet() -> None:
    sheet = open_sheet(compliance_xlsx(ROWS, title="115年3月 會議辦理情形", headers=HEADERS))
    assert sheet["A1"].value == "115年3月 會議辦理情形"
    assert [cell.value for cell in sheet[2]] == HEADERS
    assert all(cell.font.bold for cell in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:K4"

    held = sheet["D3"]
    assert isinstance(held.value, datetime)
    assert held.value.date() == date(2026, 3, 18)
    assert held.number_format == "yyyy-mm-dd"
    assert sheet["D4"].value is None
    assert [sheet.cell(row=3, column=n).value for n in (8, 9, 10)] == [3, 1, 0]

    source = COMPLIANCE_FIELDS.index("source") + 1
    assert sheet.cell(row=2, column=source).value == "資料來源"
    assert sheet.cell(row=3, column=source).value == "meeting:12; obligations:45,46"
    assert sheet.cell(row=4, column=source).value == "obligations:47,48"
    assert (sheet.column_dimensions["K"].width or 0) > (sheet.column_dimensions["H"].width or 0)


def test_compliance_text_is_text_and_redacted() -> None:
    data = compliance_xlsx(ROWS, title="辦理情形", headers=HEADERS)
    sheet = open_sheet(data)
    state = sheet["G4"]
    assert state.data_type == "s"
    assert state.value == f'=HYPERLINK("x") {REDACTED}'
    assert PHONE not in all_xml(data)


def test_compliance_without_rows_and_with_wrong_headers() -> None:
    sheet = open_sheet(compliance_xlsx([], title="辦理情形", headers=HEADERS))
    assert sheet.auto_filter.ref == "A2:K2"
    assert sheet.max_row == 2
    with pytest.raises(ValueError, match="11 headers"):
        compliance_xlsx(ROWS, title="辦理情形", headers=HEADERS[:-1])
