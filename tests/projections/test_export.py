"""CSV and XLSX exports: what Excel needs to open them right, and a real list exported on both stores."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from dispute_engine.bootstrap import bootstrap
from dispute_engine.clock import FixedClock
from dispute_engine.demo import run_story
from projections.cases import CaseListView
from projections.export import BOM, CASE_COLUMNS, iter_csv, to_csv, to_xlsx
from projections.follower import Follower
from projections.inbox import InboxView
from projections.queries import CaseQuery, iter_cases
from projections.tickets import TicketListView

ROWS = [
    {"case_number": "（2026）区工调字第0001号", "received_on": date(2026, 3, 2), "claimed_cny": Decimal("18600.5"),
     "respondents": "恒达家具有限公司", "is_collective": False, "red_count": 2,
     "updated_at": datetime(2026, 3, 2, 2, 30, tzinfo=UTC)},
    {"case_number": "（2026）区工调字第0002号", "received_on": date(2026, 3, 5), "claimed_cny": None,
     "respondents": "=HYPERLINK(\"http://example.invalid\")", "is_collective": True, "red_count": 0,
     "updated_at": datetime(2026, 3, 5, 16, 0, tzinfo=UTC)},
]
COLUMNS = [("case_number", "案号"), ("received_on", "受理日期"), ("claimed_cny", "请求金额（元）"),
           ("respondents", "被申请单位"), "is_collective", ("red_count", "超期"), ("updated_at", "最后更新")]


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_starts_with_a_byte_order_mark_so_excel_reads_chinese():
    data = to_csv(ROWS, COLUMNS)
    assert data.startswith(BOM.encode("utf-8"))
    assert read_csv(data)[0] == ["案号", "受理日期", "请求金额（元）", "被申请单位", "is_collective", "超期", "最后更新"]


def test_csv_values_are_plain_text_with_amounts_to_the_fen_and_times_in_beijing():
    first, second = read_csv(to_csv(ROWS, COLUMNS))[1:]
    assert first == ["（2026）区工调字第0001号", "2026-03-02", "18600.50", "恒达家具有限公司", "false", "2",
                     "2026-03-02T10:30:00+08:00"]
    assert second[2] == ""


def test_csv_keeps_formula_like_text_as_text():
    [_, second] = read_csv(to_csv(ROWS, COLUMNS))[1:]
    assert second[3] == "'=HYPERLINK(\"http://example.invalid\")"


def test_csv_streams_in_chunks_that_join_to_the_whole_document():
    many = ({"case_number": f"案{i}", "claimed_cny": Decimal(i)} for i in range(1203))
    chunks = list(iter_csv(many, ["case_number", "claimed_cny"]))
    assert len(chunks) == 3  # two chunks of 500 rows, then the rest
    rows = read_csv(b"".join(chunks))
    assert len(rows) == 1204 and rows[-1] == ["案1202", "1202.00"]


def workbook(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def test_xlsx_header_row_is_bold_and_frozen():
    sheet = workbook(to_xlsx(ROWS, COLUMNS, "案件列表"))
    header = next(sheet.iter_rows(max_row=1))
    assert [cell.value for cell in header][:2] == ["案号", "受理日期"]
    assert all(cell.font.b for cell in header)
    assert (sheet.title, sheet.freeze_panes) == ("案件列表", "A2")


def test_xlsx_cells_keep_their_types():
    sheet = workbook(to_xlsx(ROWS, COLUMNS, "cases"))
    number, received, claimed, respondents, collective, red, updated = next(sheet.iter_rows(min_row=2, max_row=2))
    assert (number.value, number.data_type) == ("（2026）区工调字第0001号", "s")
    assert received.is_date and received.value.date() == date(2026, 3, 2) and received.number_format == "yyyy-mm-dd"
    assert (claimed.data_type, claimed.value, claimed.number_format) == ("n", 18600.5, "#,##0.00")
    assert (collective.value, red.value) == (False, 2)
    assert updated.is_date and updated.value == datetime(2026, 3, 2, 10, 30)  # Beijing time, Excel has no zones


def test_xlsx_never_writes_a_formula():
    sheet = workbook(to_xlsx(ROWS, COLUMNS, "cases"))
    cell = sheet.cell(row=3, column=4)
    assert (cell.value, cell.data_type) == ("=HYPERLINK(\"http://example.invalid\")", "s")


def test_xlsx_sheet_title_is_made_acceptable_to_excel():
    sheet = workbook(to_xlsx([], ["case_number"], "2026/03 案件[全部]: 城关街道及东城街道合计"))
    assert sheet.title == "2026_03 案件_全部__ 城关街道及东城街道合计"[:31]


def test_xlsx_consumes_a_stream_of_rows():
    rows = ({"case_number": f"案{i}", "received_on": date(2026, 1, 1), "claimed_cny": Decimal("1.25")}
            for i in range(3_000))
    sheet = workbook(to_xlsx(rows, ["case_number", "received_on", "claimed_cny"], "big"))
    assert (sheet.max_row, sheet.cell(row=3_001, column=1).value) == (3_001, "案2999")


def test_no_columns_is_refused_naming_columns():
    with pytest.raises(ValueError, match=r"^columns: "):
        to_csv(ROWS, [])


@pytest.fixture
def story_engine(settings) -> Iterator:
    with bootstrap(settings, clock=FixedClock()) as engine:
        run_story(engine)
        Follower(engine.app, [CaseListView(), InboxView(), TicketListView()], engine.read_engine).run_once()
        yield engine


def test_a_case_list_query_exports_to_both_formats(story_engine):
    rows = list(iter_cases(story_engine.read_engine, CaseQuery(status="CLOSED")))

    [header, line] = read_csv(to_csv(rows, CASE_COLUMNS))
    sheet = workbook(to_xlsx(iter(rows), CASE_COLUMNS, "案件"))

    assert header[0] == "案号" and line[0] == rows[0]["case_number"]
    assert line[header.index("请求金额（元）")] == "18600.00"
    assert sheet.cell(row=2, column=1).value == rows[0]["case_number"]
    assert sheet.cell(row=2, column=header.index("受理日期") + 1).value.date() == date(2026, 3, 2)
