"""A list of cases as an xlsx workbook: the whole list a page shows a page of (the case
list, an indicator's drill-down), for a leader to keep or pass on. Amounts are numeric
cells with separators (``#,##0.00``), dates are dates; names, never codes."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse

from zhixing.cases.choices import CaseType, ClosingMode
from zhixing.cases.models import Case
from zhixing.reports.display import YUAN_FORMAT

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = (
    "案号",
    "法院",
    "类型",
    "立案日期",
    "结案日期",
    "结案方式",
    "承办人",
    "申请执行标的（元）",
    "执行到位（元）",
)
#: Rows are read from the database this many at a time (``iterator``): a 中院's list of
#: tens of thousands of cases never sits in memory as model objects all at once.
CHUNK = 2000


def _amount(value: Decimal | None) -> float | None:
    # Excel has no decimal type: the cell holds the nearest double, shown to the cent.
    return None if value is None else float(value)


def _row(case: Case) -> tuple:
    return (
        case.case_number,
        case.court.name,
        CaseType(case.case_type).label,
        case.filed_on,
        case.closed_on,
        ClosingMode(case.closing_mode).label if case.closing_mode else "",
        case.handler or "",
        _amount(case.claim_amount),
        _amount(case.recovered_amount),
    )


def workbook(title: str, subtitle: str, cases: Iterable[Case]) -> bytes:
    widths = (26, 22, 10, 12, 12, 14, 10, 18, 16)
    return _write("案件", widths, title, subtitle, HEADER, map(_row, cases), money_from=7)


def _write(
    sheet: str,
    widths: Iterable[int],
    title: str,
    subtitle: str,
    header: tuple[str, ...],
    rows: Iterable[tuple],
    money_from: int | None = None,
) -> bytes:
    """One sheet: the title, the subtitle, a bold header, then the rows; dates as dates and
    the columns from ``money_from`` on as yuan."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    for n, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + n)].width = width
    heading = WriteOnlyCell(ws, value=title)
    heading.font = Font(bold=True, size=13)
    ws.append([heading])
    ws.append([subtitle])
    bold = Font(bold=True)
    ws.append([_bold(ws, h, bold) for h in header])
    for row in rows:
        cells = []
        for n, value in enumerate(row):
            cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            elif money_from is not None and n >= money_from and value is not None:
                cell.number_format = YUAN_FORMAT
            cells.append(cell)
        ws.append(cells)
    out = io.BytesIO()
    wb.properties.title = title
    wb.properties.creator = "zhixing"
    wb.save(out)
    return out.getvalue()


def _bold(ws, value: str, font):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    cell.font = font
    return cell


def _attachment(content: bytes, filename: str) -> HttpResponse:
    reply = HttpResponse(content, content_type=CONTENT_TYPE)
    reply["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return reply


def response(title: str, subtitle: str, cases, filename: str) -> HttpResponse:
    """``cases``: a queryset of the whole list (every page), read in chunks."""
    rows = cases.select_related("court").iterator(chunk_size=CHUNK)
    return _attachment(workbook(title, subtitle, rows), filename)


def table(title: str, subtitle: str, header: tuple[str, ...], rows: Iterable[tuple]) -> bytes:
    """Any list a page shows, as text and date cells under a bold header."""
    widths = [22 if n == 0 else 16 for n in range(len(header))]
    return _write("列表", widths, title, subtitle, header, rows)


def table_response(title: str, subtitle: str, header: tuple[str, ...], rows: Iterable[tuple]) -> HttpResponse:
    return _attachment(table(title, subtitle, header, rows), f"{title}.xlsx")
