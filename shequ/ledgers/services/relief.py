"""低保 / 特困 / 五保: opening a case from the registry, its status, monthly payments (one per case
and month), the month's generation for every case in force, the ledger and the roster workbook."""

import datetime as dt
import io
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from shequ.core import changelog, scope
from shequ.core import services as core
from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shequ.core.models import Action
from shequ.ledgers.models import (
    CARED,
    MANAGE_RELIEF,
    VIEW_RELIEF,
    CareMode,
    PaymentStatus,
    ReliefCase,
    ReliefCategory,
    ReliefPayment,
    ReliefStatus,
)
from shequ.ledgers.services.common import (
    amount,
    choice,
    day,
    invalid,
    month,
    month_end,
    month_label,
    resident,
    text,
)

# status → the statuses it may move to
TRANSITIONS = {
    ReliefStatus.ACTIVE: {ReliefStatus.SUSPENDED, ReliefStatus.ENDED},
    ReliefStatus.SUSPENDED: {ReliefStatus.ACTIVE, ReliefStatus.ENDED},
    ReliefStatus.ENDED: set(),
}


def _care(category: str, value) -> str:
    mode = choice(CareMode, value, "care_mode", _("供养方式"), allow_blank=True)
    if category in CARED and not mode:
        raise invalid("care_mode", _("特困供养和五保对象须选择集中供养或分散供养。"))
    if category not in CARED and mode:
        raise invalid("care_mode", _("低保不分集中或分散供养，请留空供养方式。"))
    return mode


@transaction.atomic
def open_case(actor, *, resident_id, category, start_date, monthly_amount, care_mode="", persons=None,
              remarks="") -> ReliefCase:  # fmt: skip
    """Put a household (低保) or a person (特困/五保) on relief, taken from the registry."""
    person = resident(actor, resident_id)
    core.require(actor, MANAGE_RELIEF, person.scope_code)
    cat = choice(ReliefCategory, category, "category", _("类别"))
    if persons in (None, ""):
        if cat == ReliefCategory.DIBAO and person.household_id:
            persons = person.household.members.filter(status="active").count() or 1
        else:
            persons = 1
    try:
        persons = int(persons)
    except (TypeError, ValueError):
        raise invalid("persons", _("保障人数应为整数。")) from None
    if not 1 <= persons <= 30:
        raise invalid("persons", _("保障人数应在 1 到 30 之间。"))
    if cat != ReliefCategory.DIBAO and persons != 1:
        raise invalid("persons", _("特困供养和五保按人保障，保障人数为 1。"))
    if ReliefCase.objects.filter(head=person, category=cat).exclude(status=ReliefStatus.ENDED).exists():
        raise Conflict(
            _("该居民已有同类别的在保或暂停记录，请在原记录上办理，不要重复登记。"), code="duplicate"
        )
    case = ReliefCase(
        community=person.community, household=person.household if cat == ReliefCategory.DIBAO else None,
        head=person, head_name=person.name, head_id_number=person.doc_number or "", category=cat,
        persons=persons, start_date=day(start_date, "start_date", _("起始日期")),
        monthly_amount=amount(monthly_amount, "monthly_amount", _("月保障金")),
        care_mode=_care(cat, care_mode), remarks=text(remarks, "remarks", _("备注"), 500, multiline=True),
    )  # fmt: skip
    return core.create(actor, case, perm=MANAGE_RELIEF)


@transaction.atomic
def change_status(actor, case_id, *, status, on, reason="", version=None) -> ReliefCase:
    """在保 → 暂停 / 停保, 暂停 → 在保 / 停保; a suspension or an end needs its date and reason."""
    case = core.get_visible(ReliefCase, actor, case_id, for_update=True)
    core.require(actor, MANAGE_RELIEF, case.scope_code)
    target = choice(ReliefStatus, status, "status", _("状态"))
    if target not in TRANSITIONS[case.status]:
        raise Conflict(
            _("“%(a)s”的对象不能改为“%(b)s”。停保后如需再次保障，请重新登记。")
            % {"a": case.get_status_display(), "b": ReliefStatus(target).label},
            code="bad_transition",
        )
    when = day(on, "on", _("变更日期"))
    if when < case.start_date:
        raise invalid("on", _("变更日期不能早于起始日期（%(d)s）。") % {"d": case.start_date})
    why = text(reason, "reason", _("原因"), 500, multiline=True)
    if target != ReliefStatus.ACTIVE and len(why) < 2:
        raise invalid("reason", _("暂停或停保须写明原因（如：家庭收入超过保障标准）。"))
    return core.update(actor, ReliefCase, case.pk, {"status": target, "status_on": when, "status_reason": why},
                       perm=MANAGE_RELIEF, expected_version=version)  # fmt: skip


def _duplicate(case, m: dt.date, existing=None) -> Conflict:
    existing = existing or ReliefPayment.objects.filter(case=case, month=m).first()
    detail = ""
    if existing is not None:
        detail = _("（%(s)s %(a)s 元）") % {"s": existing.get_status_display(), "a": existing.amount}
    return Conflict(
        _("该对象 %(m)s 的发放记录已经登记%(d)s，同一月份不能重复登记；如需更正，请先核对原记录。")
        % {"m": month_label(m), "d": detail},
        code="duplicate_month",
        details={"month": [_("该月已登记")]},
    )


def record_payment(actor, case_id, *, month_value, amount_value=None, status=PaymentStatus.PAID,
                   reason="") -> ReliefPayment:  # fmt: skip
    """Record one month's payment (or its suspension, with the reason) for one case."""
    try:
        with transaction.atomic():
            return _record_payment(actor, case_id, month_value, amount_value, status, reason)
    except IntegrityError:
        # Two clerks at once: the unique constraint let one through; the other is told why.
        case = ReliefCase.objects.get(pk=case_id)
        raise _duplicate(case, month(month_value)) from None


def _record_payment(actor, case_id, month_value, amount_value, status, reason):
    case = core.get_visible(ReliefCase, actor, case_id)
    core.require(actor, MANAGE_RELIEF, case.scope_code)
    m = month(month_value)
    st = choice(PaymentStatus, status, "status", _("发放状态"))
    if m < case.start_date.replace(day=1):
        raise invalid(
            "month",
            _("%(m)s 早于该对象的起始日期（%(d)s），不能登记。")
            % {"m": month_label(m), "d": case.start_date},
        )
    if case.status == ReliefStatus.ENDED and case.status_on and m > case.status_on.replace(day=1):
        raise invalid("month", _("该对象已于 %(d)s 停保，之后的月份不能登记发放。") % {"d": case.status_on})
    if ReliefPayment.objects.filter(case=case, month=m).exists():
        raise _duplicate(case, m)
    why = text(reason, "reason", _("暂停原因"), 300, multiline=True)
    if st == PaymentStatus.SUSPENDED:
        if len(why) < 2:
            raise invalid("reason", _("暂停发放须写明原因。"))
        paid = Decimal("0.00")
    else:
        paid = (
            case.monthly_amount if amount_value in (None, "") else amount(amount_value, "amount", _("金额"))
        )
    payment = ReliefPayment(case=case, month=m, amount=paid, status=st, reason=why)
    payment.scope_code = case.scope_code
    core.require(actor, MANAGE_RELIEF, payment.scope_code)
    payment.save()
    changelog.record(actor, Action.CREATE, payment, after=changelog.snapshot(payment))
    return payment


def in_force(qs, m: dt.date):
    """Cases that run in month m: opened by its end, not ended before it began."""
    return qs.filter(start_date__lte=month_end(m)).exclude(status=ReliefStatus.ENDED, status_on__lt=m)


@transaction.atomic
def generate_month(actor, month_value, *, within: str | None = None) -> dict:
    """Create the month's payment for every case in force that has none yet, where the actor keeps
    the relief ledger: 在保 paid the monthly amount, 暂停 recorded as suspended with the case's
    reason. Running it again adds nothing (one row per case and month, conflicts ignored)."""
    if not scope.holds(actor, MANAGE_RELIEF):
        raise Forbidden()
    m = month(month_value)
    if within and not scope.covers(actor, within, MANAGE_RELIEF):
        raise Forbidden()
    cases = in_force(ReliefCase.objects.where_held(actor, MANAGE_RELIEF).within(within or None), m)
    done = set(ReliefPayment.objects.filter(case__in=cases, month=m).values_list("case_id", flat=True))
    new = []
    for c in cases.exclude(pk__in=done):
        if c.status == ReliefStatus.ACTIVE:
            new.append(ReliefPayment(case=c, month=m, amount=c.monthly_amount, status=PaymentStatus.PAID,
                                     generated=True, scope_code=c.scope_code))  # fmt: skip
        else:
            new.append(ReliefPayment(case=c, month=m, amount=Decimal("0.00"), status=PaymentStatus.SUSPENDED,
                                     reason=c.status_reason or str(_("对象暂停保障")), generated=True,
                                     scope_code=c.scope_code))  # fmt: skip
    ReliefPayment.objects.bulk_create(new, ignore_conflicts=True)
    made = ReliefPayment.objects.filter(case__in=cases, month=m).exclude(case_id__in=done).count()
    if made:
        changelog.record(actor, Action.CREATE, None, scope_code=within or "",
                         note=_("生成 %(m)s 低保特困发放记录 %(n)d 条") % {"m": month_label(m), "n": made})  # fmt: skip
    return {"month": m, "created": made, "existing": len(done)}


def ledger(actor, month_value, within: str | None = None) -> dict:
    """Per community for one month: households and persons paid, the amount, suspended ones; the
    特困/五保 people in force and the share of them in centralised care."""
    from shequ.org.models import node_names

    if not scope.may_read(actor, ReliefPayment):
        raise Forbidden()
    m = month(month_value)
    pays = ReliefPayment.objects.visible_to(actor).within(within or None).filter(month=m)
    rows = {}
    for r in (pays.values("case__community_id", "case__community__code")
              .annotate(households=Count("id", filter=Q(status=PaymentStatus.PAID)),
                        persons=Sum("case__persons", filter=Q(status=PaymentStatus.PAID)),
                        paid=Sum("amount", filter=Q(status=PaymentStatus.PAID)),
                        suspended=Count("id", filter=Q(status=PaymentStatus.SUSPENDED)))):  # fmt: skip
        rows[r["case__community__code"]] = {
            "code": r["case__community__code"], "households": r["households"], "persons": r["persons"] or 0,
            "paid": r["paid"] or Decimal("0.00"), "suspended": r["suspended"], "cared": 0, "central": 0,
        }  # fmt: skip
    cared = (
        in_force(ReliefCase.objects.visible_to(actor).within(within or None), m)
        .filter(category__in=list(CARED))
        .exclude(status=ReliefStatus.ENDED)
    )
    for r in cared.values("community__code").annotate(
        n=Count("id"), central=Count("id", filter=Q(care_mode=CareMode.CENTRAL))
    ):
        row = rows.setdefault(r["community__code"], {"code": r["community__code"], "households": 0, "persons": 0,
                                                       "paid": Decimal("0.00"), "suspended": 0})  # fmt: skip
        row["cared"], row["central"] = r["n"], r["central"]
    names = node_names(list(rows))
    out = sorted(rows.values(), key=lambda r: r["code"])
    for r in out:
        r["name"] = names.get(r["code"], r["code"])
        r["paid"] = Decimal(r["paid"]).quantize(Decimal("0.01"))
        r["central_share"] = (Decimal(r["central"]) / r["cared"]) if r.get("cared") else None
        r.setdefault("cared", 0)
        r.setdefault("central", 0)
    total = {
        k: sum(r[k] for r in out) for k in ("households", "persons", "paid", "suspended", "cared", "central")
    }
    total["central_share"] = Decimal(total["central"]) / total["cared"] if total["cared"] else None
    return {"month": m, "rows": out, "total": total}


def ledger_workbook(actor, month_value, within: str | None = None) -> tuple:
    """The month's ledger per community (households, persons, amount, 特困/五保 in centralised care):
    sums only, no one's name; the export is logged."""
    import xlsxwriter

    data = ledger(actor, month_value, within)
    m = data["month"]
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    title_f = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
    head = wb.add_format(
        {"bold": True, "border": 1, "align": "center", "bg_color": "#E8EEF7", "text_wrap": True}
    )
    cell = wb.add_format({"border": 1})
    money = wb.add_format({"border": 1, "num_format": "0.00"})
    pct = wb.add_format({"border": 1, "num_format": "0.0%"})
    ws = wb.add_worksheet(_("发放汇总"))
    headers = [_("社区"), _("发放户数"), _("保障人数"), _("发放金额（元）"), _("暂停户数"), _("特困/五保人数"),
               _("集中供养人数"), _("集中供养率")]  # fmt: skip
    ws.merge_range(0, 0, 0, len(headers) - 1, _("%(m)s 低保特困发放汇总表") % {"m": month_label(m)}, title_f)
    ws.write_row(1, 0, headers, head)
    ws.set_column(0, 0, 20)
    ws.set_column(1, 7, 12)
    rows = data["rows"] + [{**data["total"], "name": str(_("合计"))}]
    for i, r in enumerate(rows, 2):
        ws.write(i, 0, r["name"], cell)
        for col, key in enumerate(("households", "persons"), 1):
            ws.write_number(i, col, r[key], cell)
        ws.write_number(i, 3, float(r["paid"]), money)
        ws.write_number(i, 4, r["suspended"], cell)
        ws.write_number(i, 5, r["cared"], cell)
        ws.write_number(i, 6, r["central"], cell)
        if r["central_share"] is None:
            ws.write(i, 7, "—", cell)
        else:
            ws.write_number(i, 7, float(r["central_share"]), pct)
    wb.close()
    changelog.record(actor, Action.EXPORT, None, scope_code=within or "",
                     note=_("低保特困发放汇总表 %(m)s") % {"m": month_label(m)})  # fmt: skip
    return buf.getvalue(), f"{m:%Y年%m月}低保特困发放汇总表.xlsx"


def roster(actor, community_code: str, month_value):
    """The month's payments of one community, in roster order (for the page and the workbook)."""
    from shequ.org.models import OrgUnit

    m = month(month_value)
    unit = OrgUnit.objects.filter(code=str(community_code or "").strip(), level="community").first()
    if unit is None:
        raise invalid("community", _("请选择一个社区（12 位代码）。"))
    if not scope.covers(actor, unit.code, VIEW_RELIEF):
        raise NotFound() if scope.holds(actor, VIEW_RELIEF) else Forbidden()
    pays = (ReliefPayment.objects.visible_to(actor).within(unit.code).filter(month=m)
            .select_related("case").order_by("case__category", "case_id"))  # fmt: skip
    return unit, m, list(pays)


def roster_workbook(
    actor, community_code: str, month_value, *, full: bool = False, reason: str = ""
) -> tuple:
    """城乡低保金发放花名册 of one community and month: title row, unit, 序号/户主姓名/身份证号/保障人数/
    类别/月保障金/发放状态/备注, 合计. Names and ID numbers masked unless the export is made in
    full by someone allowed to reveal, with a reason; every export is logged."""
    import xlsxwriter

    from shequ.core.excel import _cell
    from shequ.core.masking import mask

    unit, m, pays = roster(actor, community_code, month_value)
    if full:
        core.require(actor, "core.reveal_pii", unit.code)
        if len((reason or "").strip()) < 2:
            raise ValidationFailed(
                _("完整导出须填写事由（例如：报送街道民政科）。"), details={"reason": [_("必填")]}
            )
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    title_f = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
    head = wb.add_format({"bold": True, "border": 1, "align": "center", "bg_color": "#E8EEF7"})
    cell = wb.add_format({"border": 1})
    money = wb.add_format({"border": 1, "num_format": "0.00"})
    bold = wb.add_format({"bold": True, "border": 1})
    bold_money = wb.add_format({"bold": True, "border": 1, "num_format": "0.00"})
    ws = wb.add_worksheet(_("发放花名册"))
    title = _("%(c)s %(m)s 城乡低保金发放花名册") % {
        "c": unit.name.replace("居委会", ""),
        "m": month_label(m),
    }
    headers = [
        _("序号"),
        _("户主姓名"),
        _("身份证号"),
        _("保障人数"),
        _("类别"),
        _("月保障金"),
        _("发放状态"),
        _("备注"),
    ]
    ws.merge_range(0, 0, 0, len(headers) - 1, title, title_f)
    ws.write(1, 0, _("填报单位：%(u)s") % {"u": unit.name})
    ws.write(1, 5, _("单位：元、人"))
    ws.write_row(2, 0, headers, head)
    for width, col in ((6, 0), (12, 1), (22, 2), (9, 3), (10, 4), (11, 5), (10, 6), (30, 7)):
        ws.set_column(col, col, width)
    row, persons, total = 3, 0, Decimal("0.00")
    for i, p in enumerate(pays, 1):
        c = p.case
        name = c.head_name if full else mask(c.head_name, "name")
        idn = c.head_id_number if full else mask(c.head_id_number, "id_number")
        note = (
            p.reason
            if p.status == PaymentStatus.SUSPENDED
            else (c.get_care_mode_display() if c.care_mode else "")
        )
        ws.write_number(row, 0, i, cell)
        ws.write(row, 1, _cell(name), cell)
        ws.write_string(row, 2, idn, cell)
        ws.write_number(row, 3, c.persons, cell)
        ws.write(row, 4, str(c.get_category_display()), cell)
        ws.write_number(row, 5, float(p.amount), money)
        ws.write(row, 6, str(p.get_status_display()), cell)
        ws.write(row, 7, _cell(note), cell)
        if p.status == PaymentStatus.PAID:
            persons += c.persons
            total += p.amount
        row += 1
    ws.write(row, 0, _("合计"), bold)
    ws.write(row, 1, _("%(n)d 户") % {"n": sum(1 for p in pays if p.status == PaymentStatus.PAID)}, bold)
    ws.write(row, 2, "", bold)
    ws.write_number(row, 3, persons, bold)
    ws.write(row, 4, "", bold)
    ws.write_number(row, 5, float(total), bold_money)
    ws.write(row, 6, "", bold)
    ws.write(row, 7, "", bold)
    wb.close()
    note = _("低保金发放花名册 %(m)s") % {"m": month_label(m)}
    if full:
        note += _("（完整导出：%(r)s）") % {"r": reason.strip()}
    changelog.record(actor, Action.EXPORT, None, scope_code=unit.code, note=note,
                     extra_changed=["head_name", "head_id_number"] if full else ())  # fmt: skip
    filename = f"{unit.name}{m:%Y年%m月}低保金发放花名册.xlsx"
    return buf.getvalue(), filename


def case_summary(actor, resident_obj) -> list:
    """The person's relief cases the actor may read (for the resident page)."""
    return list(ReliefCase.objects.visible_to(actor).filter(head=resident_obj).order_by("-start_date"))
