"""The round's results as a workbook and as chart options (ECharts)."""

from decimal import Decimal

from django.utils.translation import gettext as _

from shequ.assessment.models import ItemScore
from shequ.assessment.services.schemes import items_of
from shequ.core.excel import xlsx_response  # noqa: F401  (the pages answer with it)


def workbook(r, rows) -> bytes:
    """One sheet of results (total, rank, grade, descriptors, every item's figure and points) and one
    of the figures behind them (numerator, denominator)."""
    import io

    import xlsxwriter

    items = items_of(r.scheme)
    scores = {}
    for sc in ItemScore.objects.filter(entry__in=[e.pk for e in rows]).only(
        "entry_id", "item_id", "value", "numerator", "denominator", "points"
    ):
        scores[(sc.entry_id, sc.item_id)] = sc
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    head = wb.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True})
    big = wb.add_format({"bold": True, "font_size": 14})
    ws = wb.add_worksheet(_("考核结果"))
    ws.write(0, 0, r.title, big)
    headers = [_("名次"), _("单位"), _("代码"), _("社区类型"), _("规模"), _("总分"), _("等次"), _("自评总分")]
    headers += [f"{it.label}（{it.weight}分）" for it in items]
    ws.write_row(2, 0, headers, head)
    for n, e in enumerate(rows, start=3):
        p = e.profile or {}
        row = [e.rank, e.unit.display_name, e.unit.code, p.get("kind_label", ""), p.get("band", ""),
               float(e.total) if e.total is not None else "", e.grade, float(e.self_total) if e.self_total is not None else ""]  # fmt: skip
        for it in items:
            sc = scores.get((e.pk, it.pk))
            row.append(float(sc.points) if sc and sc.points is not None else "")
        ws.write_row(n, 0, row)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 18)
    ws.set_column(2, len(headers), 12)
    ws.freeze_panes(3, 2)
    fig = wb.add_worksheet(_("数据来源"))
    fig.write_row(
        0, 0, [_("单位"), _("考核内容"), _("指标"), _("数值"), _("分子"), _("分母"), _("得分")], head
    )
    n = 1
    for e in rows:
        for it in items:
            sc = scores.get((e.pk, it.pk))
            if not it.indicator or sc is None:
                continue
            fig.write_row(n, 0, [e.unit.display_name, it.label, it.indicator_label,
                                 *(float(v) if v is not None else "" for v in (sc.value, sc.numerator, sc.denominator, sc.points))])  # fmt: skip
            n += 1
    fig.set_column(0, 2, 18)
    wb.close()
    return buf.getvalue()


def chart(rows) -> dict:
    """Totals by unit (top 40), coloured by nothing but the bar: a ranking at a glance."""
    shown = [e for e in rows if e.total is not None][:40]
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 40, "right": 10, "bottom": 80, "top": 20},
        "xAxis": {
            "type": "category",
            "data": [e.unit.display_name for e in shown],
            "axisLabel": {"rotate": 45},
        },
        "yAxis": {"type": "value", "max": 100},
        "series": [
            {"type": "bar", "name": _("总分"), "data": [float(e.total) for e in shown]},
            {
                "type": "line",
                "name": _("自评"),
                "data": [float(e.self_total) if e.self_total is not None else None for e in shown],
            },
        ],  # fmt: skip
    }


def entry_chart(scores) -> dict:
    """Points against weight per item."""
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("得分"), _("分值")]},
        "grid": {"left": 40, "right": 10, "bottom": 60, "top": 30},
        "xAxis": {"type": "category", "data": [s.item.label for s in scores], "axisLabel": {"rotate": 20}},
        "yAxis": {"type": "value"},
        "series": [
            {
                "type": "bar",
                "name": _("得分"),
                "data": [float(s.points) if s.points is not None else 0 for s in scores],
            },
            {"type": "bar", "name": _("分值"), "data": [float(Decimal(s.item.weight)) for s in scores]},
        ],
    }
