"""Meeting documents as files: the agenda (議程) and minutes (會議紀錄) as DOCX, compliance as XLSX.

Government offices in Taiwan exchange Word files, so the plan's meetings produce documents that
an office can file without editing: A4 with 2.5 cm margins, Times New Roman for Latin text and
標楷體 for Chinese (set on the `w:eastAsia` font attribute, which Word and LibreOffice use for CJK
characters), 12 pt body, a centred bold 16 pt title, dates in the ROC calendar (115年3月18日),
each section under a built-in "Heading 1" (so Word's navigation pane and a test can find it),
tables with a header row that repeats on every page, "（無）" for anything empty, and page
numbers (第 X 頁，共 Y 頁) in the footer. The compliance table is an Excel sheet with a frozen,
filterable header and real dates, and each row's `source` says which records its figures come
from (the plan's 肆 wants every figure traceable).

Everything here renders plain data: no database, no Telegram. The caller passes masked data
(王○明, TY-115-00042); as defence in depth every piece of text still goes through
`bot.domain.redaction.redact` before it is written, so a national ID, phone number or street
address typed into a summary by mistake ends up as 〔已遮蔽〕 in the file. Characters XML
cannot hold (control characters) are dropped, and spreadsheet text is always stored as text,
never as a formula.

Nothing happens at import beyond defining things; rendering takes milliseconds and touches no
shared state, so the functions may run in a worker thread (`asyncio.to_thread`).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Mm, Pt, RGBColor
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from bot.clock import utcnow
from bot.domain.redaction import redact
from bot.domain.working_days import TAIPEI

if TYPE_CHECKING:
    from docx.document import Document
    from docx.oxml.xmlchemy import BaseOxmlElement
    from docx.styles.style import ParagraphStyle
    from docx.table import _Cell
    from docx.text.paragraph import Paragraph

AUTHOR = "社安網協作機器人"
LATIN_FONT = "Times New Roman"
EAST_ASIAN_FONT = "標楷體"
BODY_PT = 12
TITLE_PT = 16
HEADING_PT = 14
NONE_TEXT = "（無）"
NO_DUE_TEXT = "未定"

AGENDA_SUFFIX = "議程"
MINUTES_SUFFIX = "紀錄"
DISCUSSION_HEADING = "討論事項"
AGENDA_CASE_HEADERS = ("案號", "案家", "主責單位", "摘要", "狀態")
DECISION_HEADERS = ("案號", "案家", "決議", "說明")
RESOLUTION_HEADERS = ("決議事項", "權責單位", "期限")
MINUTES_HEADINGS = ("出席情形", "個案討論及決議", "決議事項")

# The text area of A4 with 2.5 cm margins is 160 mm wide; the columns of each table share it.
_PAGE_WIDTH = Mm(210)
_PAGE_HEIGHT = Mm(297)
_MARGIN = Cm(2.5)
_AGENDA_CASE_WIDTHS = (Mm(31), Mm(20), Mm(30), Mm(47), Mm(32))
_DECISION_WIDTHS = (Mm(31), Mm(20), Mm(27), Mm(82))
_RESOLUTION_WIDTHS = (Mm(90), Mm(40), Mm(30))
_HEADER_FILL = "D9D9D9"

_WEEKDAYS = "一二三四五六日"
_DIGITS = "〇一二三四五六七八九"
_ROC_OFFSET = 1911
# XML 1.0 cannot carry these; python-docx and openpyxl would raise on them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- data ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingInfo:
    """What every document of one meeting starts with."""

    title: str  # "桃園市中壢區115年第1次區級個案研討會議"
    series_name: str  # "區級個案研討會議"
    starts_at: datetime  # aware; shown in Taipei time, "115年3月18日（星期三）下午2時00分"
    place: str
    video_link: str | None  # the line is left out when None
    chair: str  # "中壢家庭服務中心 林督導"
    organiser: str  # the unit that calls the meeting
    # Units invited, each with its answer when the agenda is made:
    # "桃園市政府警察局中壢分局（出席：王警員）"
    attendees: list[str]


@dataclass(frozen=True)
class AgendaCase:
    """One case in an agenda section; every field already masked."""

    code: str  # "TY-115-00042"
    alias: str  # the family as colleagues know it: "王○明家"
    lead_unit: str
    summary: str  # short
    status: str  # "列管中；月報：已交 3、逾期 1"


@dataclass(frozen=True)
class AgendaSection:
    """A part of the agenda: a heading, a table of cases, free lines, then numbered points.

    Headings are numbered by the document: 一、二、… at level 1, （一）（二）… at level 2 under
    the level-1 heading before them.
    """

    heading: str  # "前次會議列管案件執行情形報告"
    cases: list[AgendaCase]
    notes: list[str]  # e.g. counts of 幸扶守護 / 兒少高危機 reports; "（無）" if nothing is given
    level: int = 1
    points: list[str] = field(default_factory=list)  # a numbered list (the plan's 討論重點)


@dataclass(frozen=True)
class Agenda:
    meeting: MeetingInfo
    sections: list[AgendaSection]
    discussion_points: list[str]  # the plan's 討論事項, a numbered list after the sections


@dataclass(frozen=True)
class Decision:
    """What the meeting decided about one case."""

    code: str
    alias: str
    decision: str  # "持續列管", "解除列管", "轉介…"
    details: str  # lead unit, what is expected, units of a joint plan


@dataclass(frozen=True)
class Resolution:
    """A follow-up the meeting assigned to a unit."""

    text: str
    owner_unit: str
    due: date | None  # shown as "未定" when None


@dataclass(frozen=True)
class Minutes:
    meeting: MeetingInfo
    invited: list[str]  # every invited unit
    present: list[str]  # "單位 姓名、姓名"
    absent: list[str]  # units nobody came from, without an excuse
    delegated: list[str]  # "單位 姓名（代理 姓名）"
    excused: list[str]  # units that sent word they could not come (請假)
    decisions: list[Decision]
    resolutions: list[Resolution]
    recorded_by: str
    recorded_at: datetime  # aware; its Taipei date ends the minutes


@dataclass(frozen=True)
class ComplianceRow:
    """One meeting series of one district in one period, with where its figures come from."""

    district: str
    series: str
    period: str  # "2026-03"
    held_on: date | None
    held_state: str  # 已召開 / 逾期召開 / 未召開 / 尚未到期, in the caller's words
    minutes_sent_on: date | None
    minutes_state: str
    reports_on_time: int
    reports_late: int
    reports_missing: int
    source: str  # "meeting:12; obligations:45,46"


# Column order of the compliance sheet; `compliance_xlsx` wants one header per field.
COMPLIANCE_FIELDS = (
    "district", "series", "period", "held_on", "held_state", "minutes_sent_on", "minutes_state",
    "reports_on_time", "reports_late", "reports_missing", "source",
)  # fmt: skip


# --- ROC dates -----------------------------------------------------------------------------


def _taipei(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("an aware datetime is needed to show it in Taipei time")
    return value.astimezone(TAIPEI)


def roc_date(value: date) -> str:
    """115年3月18日: the ROC calendar date (year − 1911); a datetime is taken in Taipei time."""
    if isinstance(value, datetime):
        value = _taipei(value).date()
    return f"{value.year - _ROC_OFFSET}年{value.month}月{value.day}日"


def roc_datetime(value: datetime) -> str:
    """115年3月18日（星期三）下午2時00分, in Taipei time.

    A 12-hour clock: 上午0時 to 上午11時 until noon, 下午12時 at noon, then 下午1時 to 下午11時.
    The datetime must be aware.
    """
    local = _taipei(value)
    half = "上午" if local.hour < 12 else "下午"
    hour = local.hour if local.hour <= 12 else local.hour - 12
    weekday = _WEEKDAYS[local.weekday()]
    return f"{roc_date(local.date())}（星期{weekday}）{half}{hour}時{local.minute:02d}分"


def chinese_numeral(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九: the numbering of 一、二、 headings."""
    if not 1 <= number <= 99:
        raise ValueError(f"no heading numeral for {number}")
    tens, ones = divmod(number, 10)
    prefix = "" if tens == 0 else ("十" if tens == 1 else f"{_DIGITS[tens]}十")
    return prefix + (_DIGITS[ones] if ones else "")


# --- text ----------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """What may be written: identifiers cut (defence in depth) and XML-illegal characters gone."""
    return redact(_NOT_XML.sub("", text)).text


def _joined(items: Sequence[str]) -> str:
    return "、".join(item for item in items if item.strip()) or NONE_TEXT


# --- DOCX building blocks ------------------------------------------------------------------


def _name_fonts(rfonts: BaseOxmlElement) -> None:
    """Times New Roman for Latin and 標楷體 for East Asian text on a `w:rFonts`, dropping the
    theme fonts (which would otherwise win over the named ones)."""
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(theme), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attribute), LATIN_FONT)
    rfonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)


def _set_defaults(document: Document) -> None:
    """Document-wide fonts and languages, then the Normal and heading styles."""
    styles_element = document.styles.element
    defaults = styles_element.find(qn("w:docDefaults"))
    rpr = None if defaults is None else defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr is not None:
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is not None:
            _name_fonts(rfonts)
        lang = rpr.find(qn("w:lang"))
        if lang is not None:
            lang.set(qn("w:eastAsia"), "zh-TW")

    normal: ParagraphStyle = document.styles["Normal"]
    _name_fonts(normal.element.get_or_add_rPr().get_or_add_rFonts())
    normal.font.size = Pt(BODY_PT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(3)
    normal.paragraph_format.line_spacing = 1.15

    for name, size in (("Heading 1", HEADING_PT), ("Heading 2", BODY_PT)):
        heading: ParagraphStyle = document.styles[name]
        _name_fonts(heading.element.get_or_add_rPr().get_or_add_rFonts())
        heading.font.size = Pt(size)
        heading.font.bold = True
        heading.font.color.rgb = RGBColor(0, 0, 0)
        heading.paragraph_format.space_before = Pt(12)
        heading.paragraph_format.space_after = Pt(6)


def _set_page(document: Document) -> None:
    """A4 portrait, 2.5 cm margins, 第 X 頁，共 Y 頁 centred in the footer."""
    section = document.sections[0]
    section.page_width = _PAGE_WIDTH
    section.page_height = _PAGE_HEIGHT
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, _MARGIN)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("第 ")
    _add_field(footer, "PAGE")
    footer.add_run(" 頁，共 ")
    _add_field(footer, "NUMPAGES")
    footer.add_run(" 頁")


def _add_field(paragraph: Paragraph, instruction: str) -> None:
    """A simple field (PAGE, NUMPAGES) that Word and LibreOffice fill in when they lay out."""
    field = OxmlElement("w:fldSimple", {qn("w:instr"): instruction})
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _set_properties(document: Document, title: str, subject: str) -> None:
    properties = document.core_properties
    properties.title = _clean(title)
    properties.subject = _clean(subject)
    properties.author = AUTHOR
    properties.last_modified_by = AUTHOR
    properties.comments = ""
    properties.keywords = ""
    properties.category = ""
    now = utcnow()
    properties.created = now
    properties.modified = now
    properties.revision = 1


def _drop_thumbnail(document: Document) -> None:
    """python-docx's template carries a preview picture of a blank Letter page; file browsers
    would show it in place of this document."""
    relationships = document.part.package.rels
    for key in [k for k, rel in relationships.items() if rel.reltype == RT.THUMBNAIL]:
        del relationships[key]


def _new_document(title: str, subject: str) -> Document:
    document = docx.Document()
    _drop_thumbnail(document)
    _set_defaults(document)
    _set_page(document)
    _set_properties(document, title, subject)
    return document


def _title(document: Document, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(12)
    run = paragraph.add_run(_clean(text))
    run.bold = True
    run.font.size = Pt(TITLE_PT)


def _line(document: Document, label: str, value: str) -> None:
    """時間：… with a hanging indent, so a long list of units wraps under its first item."""
    label = f"{label}："
    paragraph = document.add_paragraph(_clean(label + value))
    indent = Pt(BODY_PT * len(label))  # full-width characters are one em each
    paragraph.paragraph_format.left_indent = indent
    paragraph.paragraph_format.first_line_indent = -indent


def _heading(document: Document, text: str, level: int = 1) -> None:
    document.add_heading(_clean(text), level=level)


def _plain(document: Document, text: str, *, indent: Length | None = None) -> None:
    paragraph = document.add_paragraph(_clean(text))
    if indent is not None:
        paragraph.paragraph_format.left_indent = indent


def _fill_cell(cell: _Cell, text: str, *, header: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0
    run = paragraph.add_run(_clean(text))
    if header:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run.bold = True
        shading = OxmlElement(
            "w:shd", {qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): _HEADER_FILL}
        )
        cell._tc.get_or_add_tcPr().append(shading)


def _table(
    document: Document,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[Length],
) -> None:
    """A bordered table whose first row repeats at the top of every page it runs onto."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    header_row = table.rows[0]
    tr_pr = header_row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    tr_pr.append(OxmlElement("w:tblHeader"))
    for cell, text in zip(header_row.cells, headers, strict=True):
        _fill_cell(cell, text, header=True)
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            _fill_cell(cell, text)
    # Word reads the cells' widths, LibreOffice the grid's: set both.
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width


def _numbered(document: Document, items: Sequence[str]) -> None:
    if not items:
        _plain(document, NONE_TEXT)
        return
    for item in items:
        document.add_paragraph(_clean(item), style="List Number")


def _meeting_lines(document: Document, meeting: MeetingInfo, *, invited: bool) -> None:
    _line(document, "時間", roc_datetime(meeting.starts_at))
    _line(document, "地點", meeting.place)
    if meeting.video_link:
        _line(document, "視訊連結", meeting.video_link)
    _line(document, "主席", meeting.chair)
    _line(document, "主辦單位", meeting.organiser)
    if invited:
        _line(document, "邀請單位", _joined(meeting.attendees))


def _save(document: Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _with_suffix(title: str, suffix: str) -> str:
    return title if title.endswith(suffix) else f"{title}{suffix}"


# --- documents -----------------------------------------------------------------------------


def agenda_docx(agenda: Agenda) -> bytes:
    """The meeting's agenda (議程) as a DOCX file.

    Title; 時間／地點／視訊連結／主席／主辦單位／邀請單位 (with their answers); each section
    as a heading numbered 一、二、… (level 1) or （一）（二）… (level 2) with a table of its
    cases (案號, 案家, 主責單位, 摘要, 狀態), its notes and its numbered points, "（無）" when
    it has none of them and no subsections; then, when given, 討論事項 as a numbered list
    under the next number.
    """
    meeting = agenda.meeting
    title = _with_suffix(meeting.title, AGENDA_SUFFIX)
    document = _new_document(title, meeting.series_name)
    _title(document, title)
    _meeting_lines(document, meeting, invited=True)

    number = sub_number = 0
    for index, section in enumerate(agenda.sections):
        if section.level == 1:
            number, sub_number = number + 1, 0
            _heading(document, f"{chinese_numeral(number)}、{section.heading}")
        else:
            sub_number += 1
            _heading(document, f"（{chinese_numeral(sub_number)}）{section.heading}", level=2)
        if section.cases:
            rows = [
                (case.code, case.alias, case.lead_unit, case.summary, case.status)
                for case in section.cases
            ]
            _table(document, AGENDA_CASE_HEADERS, rows, _AGENDA_CASE_WIDTHS)
        for note in section.notes:
            _plain(document, note, indent=Pt(BODY_PT))
        if section.points:
            _numbered(document, section.points)
        following = agenda.sections[index + 1] if index + 1 < len(agenda.sections) else None
        has_subsections = following is not None and following.level > section.level
        if not (section.cases or section.notes or section.points or has_subsections):
            _plain(document, NONE_TEXT)

    if agenda.discussion_points:
        _heading(document, f"{chinese_numeral(number + 1)}、{DISCUSSION_HEADING}")
        _numbered(document, agenda.discussion_points)
    return _save(document)


def minutes_docx(minutes: Minutes) -> bytes:
    """The meeting's minutes (會議紀錄) as a DOCX file.

    Title; 時間／地點／視訊連結／主席／主辦單位; 一、出席情形 (邀請單位, 出席, 代理出席,
    請假, 缺席);
    二、個案討論及決議 (案號, 案家, 決議, 說明); 三、決議事項 (決議事項, 權責單位, 期限);
    then 紀錄：<recorded_by> and the date it was recorded.
    """
    meeting = minutes.meeting
    title = _with_suffix(meeting.title, MINUTES_SUFFIX)
    document = _new_document(title, meeting.series_name)
    _title(document, title)
    _meeting_lines(document, meeting, invited=False)

    attendance, decisions, resolutions = (
        f"{chinese_numeral(index)}、{heading}"
        for index, heading in enumerate(MINUTES_HEADINGS, start=1)
    )
    _heading(document, attendance)
    _line(document, "邀請單位", _joined(minutes.invited))
    _line(document, "出席", _joined(minutes.present))
    _line(document, "代理出席", _joined(minutes.delegated))
    _line(document, "請假", _joined(minutes.excused))
    _line(document, "缺席", _joined(minutes.absent))

    _heading(document, decisions)
    if minutes.decisions:
        decision_rows = [(d.code, d.alias, d.decision, d.details) for d in minutes.decisions]
        _table(document, DECISION_HEADERS, decision_rows, _DECISION_WIDTHS)
    else:
        _plain(document, NONE_TEXT)

    _heading(document, resolutions)
    if minutes.resolutions:
        resolution_rows = [
            (r.text, r.owner_unit, roc_date(r.due) if r.due else NO_DUE_TEXT)
            for r in minutes.resolutions
        ]
        _table(document, RESOLUTION_HEADERS, resolution_rows, _RESOLUTION_WIDTHS)
    else:
        _plain(document, NONE_TEXT)

    closing = document.add_paragraph(_clean(f"紀錄：{minutes.recorded_by}"))
    closing.paragraph_format.space_before = Pt(24)
    _plain(document, f"紀錄日期：{roc_date(minutes.recorded_at)}")
    return _save(document)


# --- XLSX ----------------------------------------------------------------------------------

_TITLE_ROW = 1
_HEADER_ROW = 2
_DATE_FORMAT = "yyyy-mm-dd"
_DATE_WIDTH = 12
_MIN_WIDTH = 8
_MAX_WIDTH = 50
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
_THIN = Side(style="thin", color="808080")


def _display_width(value: object) -> int:
    """Columns a value needs: CJK characters are two wide."""
    if isinstance(value, date):
        return _DATE_WIDTH
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))


def _sheet_name(title: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, no apostrophe at either end."""
    name = _SHEET_NAME_BAD.sub(" ", title).strip().strip("'")[:31].strip()
    return name or "Sheet1"


def _write(sheet: Worksheet, row: int, column: int, value: str | int | date | None) -> None:
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = _clean(value)
        cell.data_type = "s"  # text that starts with = stays text, never a formula
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = _DATE_FORMAT
    else:
        cell.value = value


def compliance_xlsx(rows: Sequence[ComplianceRow], *, title: str, headers: Sequence[str]) -> bytes:
    """The compliance table as an XLSX file: one sheet, the title in row 1, bold headers in row
    2 (frozen and filterable), one row per ComplianceRow in COMPLIANCE_FIELDS order, dates as
    Excel dates shown yyyy-mm-dd, and the `source` column last. `headers` are the caller's
    (translated) column names, one per field.
    """
    if len(headers) != len(COMPLIANCE_FIELDS):
        raise ValueError(f"{len(COMPLIANCE_FIELDS)} headers needed, got {len(headers)}")
    workbook = Workbook()
    sheet = workbook.active
    if not isinstance(sheet, Worksheet):  # a new workbook's one sheet; this narrows the type
        raise TypeError("a new workbook has no worksheet")
    sheet.title = _sheet_name(_clean(title))
    workbook.properties.title = _clean(title)
    workbook.properties.creator = AUTHOR
    workbook.properties.lastModifiedBy = AUTHOR

    last_column = get_column_letter(len(COMPLIANCE_FIELDS))
    _write(sheet, _TITLE_ROW, 1, title)
    sheet.cell(row=_TITLE_ROW, column=1).font = Font(bold=True, size=14)
    sheet.merge_cells(f"A{_TITLE_ROW}:{last_column}{_TITLE_ROW}")

    widths = [_display_width(header) for header in headers]
    header_fill = PatternFill(fill_type="solid", start_color=_HEADER_FILL, end_color=_HEADER_FILL)
    border = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
    for column, header in enumerate(headers, start=1):
        _write(sheet, _HEADER_ROW, column, header)
        cell = sheet.cell(row=_HEADER_ROW, column=column)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    for row_index, row in enumerate(rows, start=_HEADER_ROW + 1):
        for column, name in enumerate(COMPLIANCE_FIELDS, start=1):
            value: str | int | date | None = getattr(row, name)
            _write(sheet, row_index, column, value)
            sheet.cell(row=row_index, column=column).border = border
            if value is not None:
                widths[column - 1] = max(widths[column - 1], _display_width(value))

    for column, width in enumerate(widths, start=1):
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH)

    last_row = _HEADER_ROW + len(rows)
    sheet.freeze_panes = f"A{_HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{_HEADER_ROW}:{last_column}{last_row}"
    sheet.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
