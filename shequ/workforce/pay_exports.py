"""The pay report as a workbook: the summary with the shares per street or community, the workers
below the floor, and the 同工同酬 spread (the figures of `services.pay_report`, nothing retyped)."""

import io

from django.utils.translation import gettext as _


def pay_workbook(data: dict, *, scope_label: str) -> bytes:
    """薪酬汇总, 低于底线, 同工同酬: one sheet each; amounts in yuan, ratios as percentages."""
    import xlsxwriter

    from shequ.core.excel import _cell

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    big = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True})
    cell = wb.add_format({"border": 1})
    yuan = wb.add_format({"border": 1, "num_format": "#,##0.00"})
    pct = wb.add_format({"border": 1, "num_format": "0.0"})
    times = wb.add_format({"border": 1, "num_format": "0.00"})

    def put(ws, row, col, value, fmt=cell):
        if value is None:
            ws.write(row, col, "—", cell)
        elif isinstance(value, int | float) or hasattr(value, "as_tuple"):
            ws.write_number(row, col, float(value), fmt)
        else:
            ws.write(row, col, _cell(value), fmt)

    ws = wb.add_worksheet(_("薪酬汇总"))
    ws.set_column(0, 0, 26)
    ws.set_column(1, 6, 14)
    ws.write(0, 0, _cell(_("%(s)s %(y)d 年社区工作者薪酬") % {"s": scope_label, "y": data["year"]}), big)
    w = data["wage"]
    if w:
        ws.write(1, 0, _("社会平均工资 %(a)s 元（%(src)s），薪酬底线为其 %(p)s%%，即 %(f)s 元。")
                 % {"a": w["amount"], "src": w["source"], "p": w["floor_percent"], "f": w["floor"]})  # fmt: skip
    else:
        ws.write(1, 0, _("尚未录入该年度的社会平均工资。"))
    ws.write(
        2,
        0,
        _("比值 = 应发工资（基本工资、绩效工资、津贴补贴、年终奖励之和，不含单位缴纳部分）÷ 社会平均工资。"),
    )
    rows = [
        (_("登记薪酬人数"), data["records"], cell),
        (_("专职在岗人数"), data["in_post"], cell),
        (_("在岗未登记薪酬"), data["missing"], cell),
        (_("达到或高于底线人数"), data["at_or_above"], cell),
        (_("达到或高于底线占比（%）"), data["share"], pct),
        (_("平均比值（%）"), data["average_ratio"], pct),
        (_("人均含单位缴纳总成本（元）"), data["average_total_cost"], yuan),
        (_("人均应发工资（元）"), data["average_gross"], yuan),
        (_("人均实发工资（元）"), data["average_take_home"], yuan),
    ]
    for k, (label, value, fmt) in enumerate(rows, start=4):
        ws.write(k, 0, label, cell)
        put(ws, k, 1, value, fmt)
    row = len(rows) + 5
    if data["units"]:
        ws.write_row(row, 0, [_("范围"), _("登记人数"), _("可比人数"), _("达到或高于底线"), _("占比（%）"),
                              _("平均比值（%）"), _("在岗未登记")], head)  # fmt: skip
        for u in data["units"]:
            row += 1
            for col, (value, fmt) in enumerate(
                [(u["name"], cell), (u["records"], cell), (u["compared"], cell), (u["at_or_above"], cell),
                 (u["share"], pct), (u["average_ratio"], pct), (u["missing"], cell)]
            ):  # fmt: skip
                put(ws, row, col, value, fmt)

    ws = wb.add_worksheet(_("低于底线"))
    ws.set_column(0, 2, 14)
    ws.set_column(3, 6, 14)
    ws.write_row(0, 0, [_("姓名"), _("社区或街道"), _("年末等级"), _("应发工资（元）"), _("底线（元）"),
                        _("比值（%）"), _("差额（元）")], head)  # fmt: skip
    for k, b in enumerate(data["below_floor"], start=1):
        for col, (value, fmt) in enumerate(
            [(b["name"], cell), (b["unit_name"], cell), (b["grade"], cell), (b["gross"], yuan), (b["floor"], yuan),
             (b["ratio"], pct), (b["shortfall"], yuan)]
        ):  # fmt: skip
            put(ws, k, col, value, fmt)

    ws = wb.add_worksheet(_("同工同酬"))
    ws.set_column(0, 1, 14)
    ws.set_column(2, 7, 14)
    ws.write_row(0, 0, [_("等级档次"), _("来源"), _("人数"), _("最低（元）"), _("最高（元）"), _("差额（元）"),
                        _("最高÷最低")], head)  # fmt: skip
    row = 0
    for g in data["parity"]:
        for label, s in [(_("全部"), g)] + [(x["label"], x) for x in g["sources"]]:
            row += 1
            for col, (value, fmt) in enumerate(
                [(g["label"], cell), (label, cell), (s["n"], cell), (s["min"], yuan), (s["max"], yuan),
                 (s["spread"], yuan), (s["ratio"], times)]
            ):  # fmt: skip
                put(ws, row, col, value, fmt)
    wb.close()
    return buf.getvalue()
