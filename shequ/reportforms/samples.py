"""A street's monthly report form as an upper level sends it (merged title and group headers, borders,
column widths, a 合计 row and a few lines at the foot), written with openpyxl: the demo's uploaded
layout and the tests' workbook."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
ROWS = 8  # community lines the form leaves room for


def street_monthly_form(title: str = "街道社区治理工作月报表", rows: int = ROWS) -> bytes:
    """The sheet: title (A1:F1), unit and period line, two header rows with 居民参与 spanning C..E,
    `rows` community lines from row 6 with 合计 below, then 居民参与率 (single cells) and manual lines."""
    wb = Workbook()
    ws = wb.active
    ws.title = "月报表"
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    head = PatternFill("solid", fgColor="D9E1F2")
    ws.merge_cells("A1:F1")
    ws["A1"] = title
    ws["A1"].font = Font(name="宋体", size=16, bold=True)
    ws["A1"].alignment = center
    ws.row_dimensions[1].height = 30
    ws.merge_cells("A2:C2")
    ws["A2"] = "填报单位（盖章）："
    ws.merge_cells("D2:F2")
    ws["D2"] = "统计期：        年    月"
    ws["D2"].alignment = Alignment(horizontal="right")
    for rng, text in (("A3:A4", "序号"), ("B3:B4", "社区名称"), ("C3:E3", "居民参与"), ("F3:F4", "备注")):
        ws.merge_cells(rng)
        ws[rng.split(":")[0]] = text
    for coord, text in (("C4", "参与人数（人）"), ("D4", "成年居民（人）"), ("E4", "参与率（%）")):
        ws[coord] = text
    for r in (3, 4):
        for c in "ABCDEF":
            cell = ws[f"{c}{r}"]
            cell.font = Font(bold=True)
            cell.alignment = center
            cell.fill = head
            cell.border = BOX
    first = 5
    for i in range(rows):
        r = first + i
        ws[f"A{r}"] = i + 1
        for c in "ABCDEF":
            ws[f"{c}{r}"].border = BOX
            ws[f"{c}{r}"].alignment = center if c != "B" else Alignment(vertical="center")
        ws[f"E{r}"].number_format = "0.0"
    total = first + rows
    ws.merge_cells(f"A{total}:B{total}")
    ws[f"A{total}"] = "合计"
    ws[f"A{total}"].font = Font(bold=True)
    ws[f"A{total}"].alignment = center
    for c in "ABCDEF":
        ws[f"{c}{total}"].border = BOX
    ws[f"E{total}"].number_format = "0.0"
    foot = total + 2
    for i, text in enumerate(("本月居民参与率（%）", "本月开展议事协商（次）", "填表人", "联系电话")):
        r = foot + i
        ws.merge_cells(f"A{r}:C{r}")
        ws[f"A{r}"] = text
        ws.merge_cells(f"D{r}:F{r}")
        for c in "ABCDEF":
            ws[f"{c}{r}"].border = BOX
    for col, width in zip("ABCDEF", (6, 22, 14, 14, 12, 16), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def layout(rows: int = ROWS) -> dict:
    """Where the sample's cells are (for the demo's and the tests' bindings)."""
    first, total = 5, 5 + rows
    foot = total + 2
    return {
        "names": f"B{first}", "first": first, "last": first + rows - 1, "total": total,
        "rate": f"D{foot}", "meetings": f"D{foot + 1}", "clerk": f"D{foot + 2}", "phone": f"D{foot + 3}",
    }  # fmt: skip
