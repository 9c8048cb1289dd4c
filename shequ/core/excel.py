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
