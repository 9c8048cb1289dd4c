"""Excel export: one sheet, a bold frozen header, widths from content; values already masked."""

import io
import re

import xlsxwriter
from django.http import HttpResponse
from django.utils import timezone
from django.utils.encoding import escape_uri_path

_FORMULA_START = re.compile(r"^[=+\-@\t\r]")


def _cell(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat") and not isinstance(value, str):
        if hasattr(value, "tzinfo") and value.tzinfo is not None:
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "hour") else value.isoformat()
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    # A cell starting with = + - @ would be run as a formula by Excel (CSV/formula injection).
    return "'" + text if _FORMULA_START.match(text) else text


def workbook_bytes(title: str, headers: list[str], rows, note: str = "") -> bytes:
    headers = [str(h) for h in headers]
    title = str(title)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet(title[:31])
    head = wb.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    widths = [max(6, len(h) * 2 + 2) for h in headers]
    ws.write_row(0, 0, headers, head)
    n = 0
    for n, row in enumerate(rows, start=1):
        values = [_cell(v) for v in row]
        ws.write_row(n, 0, values)
        for i, v in enumerate(values):
            widths[i] = min(60, max(widths[i], len(str(v)) + 2))
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    ws.freeze_panes(1, 0)
    if headers:
        ws.autofilter(0, 0, max(n, 1), len(headers) - 1)
    if note:
        ws.write(n + 2, 0, note)
    wb.close()
    return buf.getvalue()


def xlsx_response(filename: str, content: bytes) -> HttpResponse:
    resp = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    resp["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{escape_uri_path(f'{filename}-{stamp}.xlsx')}"
    )
    return resp


def report_workbook(title: str, unit: str, period: str, sheets, note: str = "") -> bytes:
    """A statistical table as upper levels ask for it (统计报表): each sheet has a title row over
    the whole width, a line with 填报单位 and 统计期间, the column headers, the rows, and a bold
    合计 row summing every numeric column. `sheets` is a list of (sheet name, headers, rows); a
    row's first cell names it (a community, a month), the others are numbers."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    big = wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    head = wb.add_format(
        {"bold": True, "bg_color": "#E8EEF7", "border": 1, "align": "center", "text_wrap": True}
    )
    cell = wb.add_format({"border": 1})
    total = wb.add_format({"bold": True, "border": 1, "bg_color": "#F5F5F5"})
    for name, headers, rows in sheets:
        headers = [str(h) for h in headers]
        ws = wb.add_worksheet(str(name)[:31])
        last = max(len(headers) - 1, 1)
        ws.merge_range(0, 0, 0, last, _cell(str(title)), big)
        ws.set_row(0, 30)
        ws.write(1, 0, _cell(f"填报单位：{unit}"))
        ws.write(1, last, _cell(f"统计期间：{period}"))
        ws.write_row(2, 0, headers, head)
        sums = [0] * len(headers)
        r = 2
        for r, row in enumerate(rows, start=3):
            for i, v in enumerate(row):
                ws.write(r, i, _cell(v), cell)
                if i and isinstance(v, int | float):
                    sums[i] += v
        ws.write_row(r + 1, 0, ["合计", *sums[1:]], total)
        ws.set_column(0, 0, 22)
        ws.set_column(1, last, 12)
        ws.freeze_panes(3, 1)
        if note:
            ws.write(r + 3, 0, _cell(note))
    wb.close()
    return buf.getvalue()
