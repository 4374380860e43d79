"""CSV and XLSX exports of any list: the items of a ``Page`` or an ``iter_*`` stream from queries.

``columns`` names what to export, in order: a column key, or a ``(key, header)`` pair. The
``*_COLUMNS`` tuples below are the lists' columns with Chinese headers, for the staff who open the
files in Excel or WPS. Values are typed by what they are: dates stay dates, amounts (``Decimal``)
become numbers with two decimals, times are shown in Asia/Shanghai.

Both writers consume ``rows`` once, row by row: ``iter_csv`` yields chunks for a streaming HTTP
response, and ``to_xlsx`` uses openpyxl's write-only workbook, which keeps no rows in memory.
Text that a spreadsheet would run as a formula (``=…``, ``+…``, ``-…``, ``@…``) is kept as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

Columns = Sequence[str | tuple[str, str]]
Rows = Iterable[Mapping[str, Any]]

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
BOM = "\ufeff"
"""Lets Excel recognise a CSV file as UTF-8 (without it, Chinese text shows as mojibake)."""
CSV_CHUNK_ROWS = 500
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
AMOUNT_FORMAT = "#,##0.00"
SHEET_TITLE_FORBIDDEN = str.maketrans({char: "_" for char in "[]:*?/\\"})
MAX_SHEET_TITLE = 31

CASE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("case_number", "案号"),
    ("status", "状态"),
    ("stage", "阶段"),
    ("origin", "来源"),
    ("received_on", "受理日期"),
    ("street", "街道"),
    ("industry", "行业"),
    ("case_types", "案件类型"),
    ("risk_flags", "风险标识"),
    ("is_collective", "集体争议"),
    ("claimant_count", "申请人数"),
    ("respondents", "被申请单位"),
    ("caseworker", "承办人"),
    ("current_kind", "当前程序"),
    ("current_org_name", "当前机构"),
    ("current_agency", "当前部门"),
    ("claimed_cny", "请求金额（元）"),
    ("awarded_cny", "裁判金额（元）"),
    ("recovered_cny", "实际追回（元）"),
    ("red_count", "超期"),
    ("yellow_count", "临期"),
    ("updated_at", "最后更新"),
)

INBOX_COLUMNS: tuple[tuple[str, str], ...] = (
    ("case_number", "案号"),
    ("respondents", "被申请单位"),
    ("from_agency", "移送部门"),
    ("to_agency", "接收部门"),
    ("kind", "程序"),
    ("org_name", "接收机构"),
    ("state", "状态"),
    ("requested_on", "移送日期"),
    ("received_on", "签收日期"),
    ("decided_on", "处理日期"),
    ("due_on", "受理期限"),
    ("warning", "预警"),
    ("missing", "补正材料"),
    ("receiving_case_no", "接收案号"),
    ("assignee", "承办人"),
    ("rejection_reason", "不予受理理由"),
    ("updated_at", "最后更新"),
)

TICKET_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ticket_no", "工单号"),
    ("state", "状态"),
    ("channel", "渠道"),
    ("category", "类别"),
    ("complexity", "难度"),
    ("urgency", "紧急程度"),
    ("received_at", "来电时间"),
    ("after_hours", "非工作时间"),
    ("street", "街道"),
    ("subject_employer", "涉及单位"),
    ("handling_org", "承办单位"),
    ("escalation_count", "督办次数"),
    ("reopen_count", "重办次数"),
    ("satisfaction", "满意度"),
    ("red_count", "超期"),
    ("yellow_count", "临期"),
    ("updated_at", "最后更新"),
)


def to_csv(rows: Rows, columns: Columns) -> bytes:
    """The rows as one CSV document: UTF-8 with a byte-order mark, a header row, CRLF line ends."""
    return b"".join(iter_csv(rows, columns))


def iter_csv(rows: Rows, columns: Columns) -> Iterator[bytes]:
    """``to_csv`` in chunks of ``CSV_CHUNK_ROWS`` rows (the first chunk starts with the BOM and header)."""
    keys, headers = _split(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(headers)
    for number, row in enumerate(rows, start=1):
        writer.writerow([_csv_text(row.get(key)) for key in keys])
        if number % CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def to_xlsx(rows: Rows, columns: Columns, sheet_title: str) -> bytes:
    """The rows as an XLSX workbook of one sheet: bold header, frozen, typed cells."""
    keys, headers = _split(columns)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(sheet_title))
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, 2 * len(header) + 4)
    bold = Font(bold=True)
    sheet.append([_cell(sheet, header, font=bold) for header in headers])
    for row in rows:
        sheet.append([_cell(sheet, row.get(key)) for key in keys])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _split(columns: Columns) -> tuple[list[str], list[str]]:
    if not columns:
        raise ValueError("columns: name at least one column")
    keys, headers = [], []
    for column in columns:
        key, header = (column, column) if isinstance(column, str) else column
        keys.append(key)
        headers.append(header)
    return keys, headers


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return _local(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return _safe_text(str(value))


def _cell(sheet: Worksheet, value: Any, *, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet)
    if isinstance(value, Decimal):
        cell.value = float(value)
        cell.number_format = AMOUNT_FORMAT
    elif isinstance(value, datetime):
        cell.value = _local(value).replace(tzinfo=None)  # Excel has no time zones: local time
        cell.number_format = TIME_FORMAT
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # never a formula, whatever it starts with
    else:
        cell.value = value
    if font is not None:
        cell.font = font
    return cell


def _local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_ZONE) if moment.tzinfo is not None else moment


def _safe_text(text: str) -> str:
    """A leading apostrophe keeps a spreadsheet from evaluating the text as a formula."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _sheet_title(title: str) -> str:
    cleaned = title.translate(SHEET_TITLE_FORBIDDEN).strip("'")[:MAX_SHEET_TITLE]
    return cleaned or "Sheet"
