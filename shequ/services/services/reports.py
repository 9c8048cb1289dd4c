"""Counts of service records (per service, category, mode, provider, resident tag and month) and
the employment services ledger (就业服务台账), generated from the records of the employment
category, never typed."""

import datetime as dt

from django.db.models import Count
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import scope
from shequ.core.errors import Forbidden, NotFound, ValidationFailed
from shequ.org.models import Level, OrgUnit, node_names, short_name
from shequ.people.tags import visible_tags
from shequ.services.models import EMPLOYMENT, EmploymentKind, Mode, ProviderKind, RecordTag, ServiceRecord

MAX_DAYS = 366 * 5


def _check_scope(user, code: str | None) -> str:
    if not scope.may_read(user, ServiceRecord):
        raise Forbidden()
    code = (code or "").strip()
    if code and (not code.isdigit() or len(code) > 12):
        raise ValidationFailed(
            _("范围应为区、街道或社区代码。"), details={"scope": [_("范围应为区、街道或社区代码。")]}
        )
    roots = scope.read_roots(user, ServiceRecord)
    if code and roots is not None and not any(code.startswith(r) for r in roots):
        raise NotFound()
    if not code and roots is not None and len(roots) == 1:
        code = roots[0]  # the whole of one's scope: named after its unit (纸坊街道, not 全部)
    return code


def period(start, end) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    end = end or today
    start = start or end.replace(month=1, day=1)
    if start > end:
        raise ValidationFailed(
            _("开始日期不能晚于结束日期。"), details={"start": [_("开始日期不能晚于结束日期。")]}
        )
    if (end - start).days > MAX_DAYS:
        raise ValidationFailed(
            _("统计期间最长 5 年，请缩短。"), details={"start": [_("统计期间最长 5 年，请缩短。")]}
        )
    return start, end


def records_in(user, code, start, end):
    return ServiceRecord.objects.visible_to(user).within(code or None).filter(served_on__range=(start, end))


def report(user, code=None, start=None, end=None) -> dict:
    """Counts of the records of a scope and period."""
    code = _check_scope(user, code)
    start, end = period(start, end)
    qs = records_in(user, code, start, end)

    def grouped(field, label_field=None):
        fields = [field] + ([label_field] if label_field else [])
        return list(qs.values(*fields).annotate(n=Count("pk")).order_by("-n", field))

    modes = dict(Mode.choices)
    providers = dict(ProviderKind.choices)
    by_tag = []
    tags = {t.key: t for t in visible_tags(user)}
    if tags:
        counted = (
            RecordTag.objects.filter(record__in=qs.values("pk"), tag_key__in=list(tags))
            .values("tag_key").annotate(n=Count("record", distinct=True))
        )  # fmt: skip
        found = {r["tag_key"]: r["n"] for r in counted}
        by_tag = [{"code": t.code, "name": t.name, "n": found[k]} for k, t in tags.items() if found.get(k)]
        by_tag.sort(key=lambda r: -r["n"])
    by_month = []
    y, m = start.year, start.month
    monthly = {}
    for r in (
        qs.annotate(y=ExtractYear("served_on"), m=ExtractMonth("served_on"))
        .values("y", "m")
        .annotate(n=Count("pk"))
    ):
        monthly[(r["y"], r["m"])] = r["n"]
    while (y, m) <= (end.year, end.month):
        by_month.append({"month": f"{y}-{m:02d}", "n": monthly.get((y, m), 0)})
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    follow = qs.filter(follow_up_due__isnull=False)
    today = timezone.localdate()
    return {
        "scope": code,
        "start": start,
        "end": end,
        "total": qs.count(),
        "residents": qs.exclude(resident=None).values("resident").distinct().count(),
        "unregistered": qs.filter(resident=None).count(),
        "follow_ups": follow.count(),
        "follow_ups_done": follow.exclude(follow_up_done_on=None).count(),
        "follow_ups_overdue": follow.filter(follow_up_done_on=None, follow_up_due__lt=today).count(),
        "by_category": [
            {"name": r["service__category__name"], "n": r["n"]} for r in grouped("service__category__name")
        ],  # fmt: skip
        "by_mode": [
            {"name": str(modes.get(r["service__mode"], r["service__mode"])), "n": r["n"]}
            for r in grouped("service__mode")
        ],  # fmt: skip
        "by_provider": [
            {"name": str(providers.get(r["service__provider_kind"], "")), "n": r["n"]}
            for r in grouped("service__provider_kind")
        ],  # fmt: skip
        "by_service": _by_service(qs),
        "by_tag": by_tag,
        "by_month": by_month,
    }


def _by_service(qs) -> list[dict]:
    """The 30 services served most, each named with whose catalogue it is when two share a name
    (two communities may both offer 就业援助)."""
    rows = list(
        qs.values("service", "service__name", "service__org__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "service")[:30]
    )
    names = [r["service__name"] for r in rows]
    out = []
    for r in rows:
        name = r["service__name"]
        if names.count(name) > 1:
            name = f"{name}（{short_name(r['service__org__name'])}）"
        out.append({"id": r["service"], "name": name, "n": r["n"]})
    return out


KINDS = [k for k, _label in EmploymentKind.choices]


def employment_ledger(user, code=None, year=None, month=None) -> dict:
    """就业服务台账: per community of the scope, the consultations, trainings, referrals and
    placements of a year (or of one month of it), counted from the employment service records;
    with the months of the year when no month is asked."""
    code = _check_scope(user, code)
    today = timezone.localdate()
    year = int(year or today.year)
    if not 2000 <= year <= today.year:
        raise ValidationFailed(
            _("年度应在 2000 年到今年之间。"), details={"year": [_("年度应在 2000 年到今年之间。")]}
        )
    if month not in (None, "") and not 1 <= int(month) <= 12:
        raise ValidationFailed(_("月份应为 1–12。"), details={"month": [_("月份应为 1–12。")]})
    month = int(month) if month not in (None, "") else None
    start = dt.date(year, month or 1, 1)
    end = (
        dt.date(year + (month == 12), (month % 12) + 1, 1) if month else dt.date(year + 1, 1, 1)
    ) - dt.timedelta(1)
    qs = (
        records_in(user, code, start, end)
        .filter(service__category__code=EMPLOYMENT)
        .exclude(employment_kind="")
    )
    roots = scope.read_roots(user, ServiceRecord)
    communities = OrgUnit.objects.filter(level=Level.COMMUNITY).order_by("code")
    if roots is not None:
        communities = communities.filter(scope.prefix_q("code", roots))
    if code:
        communities = communities.filter(scope.subtree_q("code", code))
    counts = {}
    for c, kind, n in (
        qs.values_list("community__code", "employment_kind")
        .annotate(n=Count("pk"))
        .values_list("community__code", "employment_kind", "n")
    ):
        counts.setdefault(c, dict.fromkeys(KINDS, 0))[kind] += n
    rows = []
    for c in communities[:2000]:
        got = counts.get(c.code, dict.fromkeys(KINDS, 0))
        rows.append({"code": c.code, "name": c.display_name, **got, "total": sum(got.values())})
    by_month = []
    if month is None:
        monthly = {}
        for m, kind, n in (
            qs.annotate(m=ExtractMonth("served_on"))
            .values_list("m", "employment_kind")
            .annotate(n=Count("pk"))
            .values_list("m", "employment_kind", "n")
        ):
            monthly.setdefault(m, dict.fromkeys(KINDS, 0))[kind] += n
        for m in range(1, 13):
            got = monthly.get(m, dict.fromkeys(KINDS, 0))
            by_month.append({"month": m, **got, "total": sum(got.values())})
    totals = {k: sum(r[k] for r in rows) for k in [*KINDS, "total"]}
    unit = node_names([code]).get(code, code) if code else _("全部")
    label = f"{year}年{month}月" if month else f"{year}年"
    return {"scope": code, "unit": unit, "year": year, "month": month, "period": label, "start": start,
            "end": end, "rows": rows, "by_month": by_month, "totals": totals}  # fmt: skip


def kind_labels() -> list[str]:
    return [str(label) for _k, label in EmploymentKind.choices]


def ledger_workbook(data: dict, exported_by: str) -> bytes:
    """The ledger in the layout an upper level collects: 标题, 填报单位, 统计期间, 各社区, 合计."""
    from shequ.core.excel import report_workbook

    headers = [_("社区"), *[_("%(k)s（人次）") % {"k": k} for k in kind_labels()], _("合计（人次）")]
    rows = [[r["name"], *[r[k] for k in KINDS], r["total"]] for r in data["rows"]]
    sheets = [(_("各社区"), headers, rows)]
    if data["by_month"]:
        month_headers = [_("月份"), *headers[1:]]
        sheets.append(
            (
                _("按月"),
                month_headers,
                [[f"{m['month']}月", *[m[k] for k in KINDS], m["total"]] for m in data["by_month"]],
            )
        )
    note = _("数据来源：社区服务记录中就业类服务自动汇总。导出人：%(u)s；导出时间：%(t)s") % {
        "u": exported_by,
        "t": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }
    title = _("%(u)s%(p)s就业服务台账") % {"u": data["unit"], "p": data["period"]}
    return report_workbook(title, data["unit"], data["period"], sheets, note)
