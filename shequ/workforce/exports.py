"""The structure table as the reports lay it out: one block per dimension, count and percent."""

import io

from django.utils.translation import gettext as _


def structure_workbook(data: dict, *, scope_label: str) -> bytes:
    """队伍结构表: for each dimension its groups with 人数 and 占比 (one decimal), each adding up to
    the total; then the committee roles."""
    import xlsxwriter

    from shequ.core.excel import _cell

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    big = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    cell = wb.add_format({"border": 1})
    pct = wb.add_format({"border": 1, "num_format": "0.0"})
    bold = wb.add_format({"bold": True, "border": 1})
    ws = wb.add_worksheet(_("队伍结构"))
    ws.set_column(0, 0, 22)
    ws.set_column(1, 2, 12)
    ws.write(0, 0, _cell(_("%(s)s社区工作者队伍结构") % {"s": scope_label}), big)
    ws.write(1, 0, _("统计日期：%(d)s；专职在岗 %(n)d 人。占比为百分数，保留一位小数（四舍五入）。")
             % {"d": data["date"].isoformat(), "n": data["total"]})  # fmt: skip
    row = 3
    for d in data["dimensions"]:
        ws.write_row(row, 0, [d["label"], _("人数"), _("占比（%）")], head)
        for g in d["groups"]:
            row += 1
            ws.write(row, 0, g["label"], cell)
            ws.write_number(row, 1, g["count"], cell)
            if g["percent"] is None:
                ws.write(row, 2, "—", cell)
            else:
                ws.write_number(row, 2, float(g["percent"]), pct)
        row += 1
        ws.write(row, 0, _("合计"), bold)
        ws.write_number(row, 1, sum(g["count"] for g in d["groups"]), bold)
        row += 2
    ws.write_row(row, 0, [_("两委任职"), _("人数"), _("占比（%）")], head)
    for r in data["roles"]:
        row += 1
        ws.write(row, 0, r["label"], cell)
        ws.write_number(row, 1, r["count"], cell)
        ws.write(row, 2, "—" if r["percent"] is None else float(r["percent"]), pct)
    wb.close()
    return buf.getvalue()
