"""社区矫正公益活动: the person under correction (from the registry), labour sessions with
sign-in, monthly grades, and quarterly grades that follow from the months or carry a reason."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import changelog
from shequ.core import services as core
from shequ.core.errors import Conflict
from shequ.core.models import Action
from shequ.ledgers.models import (
    GRADE_RANK,
    MANAGE_CORRECTION,
    CorrectionSubject,
    Grade,
    LabourGrade,
    LabourSession,
    PeriodKind,
)
from shequ.ledgers.services.common import amount, choice, day, invalid, resident, text

RULE = _(
    "季度等次取该季度三个月度等次的中间一档（两个月相同时即为该等次）；三个月未评齐，或评定与此不同的，须写明理由。"
)


@transaction.atomic
def enrol(actor, *, resident_id, start_date, end_date=None, monthly_hours="8") -> CorrectionSubject:
    """Put a resident under correction on the public-benefit labour ledger."""
    person = resident(actor, resident_id)
    core.require(actor, MANAGE_CORRECTION, person.scope_code)
    if CorrectionSubject.objects.filter(resident=person, end_date__isnull=True).exists():
        raise Conflict(_("该居民已在社区矫正公益活动台账中，不要重复登记。"), code="duplicate")
    start = day(start_date, "start_date", _("矫正起始日期"))
    end = day(end_date, "end_date", _("矫正结束日期"), required=False)
    if end and end < start:
        raise invalid("end_date", _("矫正结束日期不能早于起始日期。"))
    hours = amount(monthly_hours, "monthly_hours", _("每月应参加时长"), top=Decimal("100"))
    subject = CorrectionSubject(community=person.community, resident=person, name=person.name,
                                id_number=person.doc_number or "", start_date=start, end_date=end,
                                monthly_hours=hours)  # fmt: skip
    return core.create(actor, subject, perm=MANAGE_CORRECTION)


def sign_in(actor, subject_id, *, on, hours, task) -> LabourSession:
    """One session of labour signed in to (one a day)."""
    try:
        with transaction.atomic():
            subject = core.get_visible(CorrectionSubject, actor, subject_id)
            core.require(actor, MANAGE_CORRECTION, subject.scope_code)
            when = day(on, "on", _("日期"))
            if when > timezone.localdate():
                raise invalid("on", _("签到日期不能晚于今天。"))
            if when < subject.start_date or (subject.end_date and when > subject.end_date):
                raise invalid("on", _("签到日期不在矫正期内（%(a)s 至 %(b)s）。")
                              % {"a": subject.start_date, "b": subject.end_date or _("今")})  # fmt: skip
            h = amount(hours, "hours", _("时长"), top=Decimal("12"))
            if h <= 0 or h != round(h, 1):
                raise invalid("hours", _("时长应为 0.5 到 12 小时，最多一位小数。"))
            if LabourSession.objects.filter(subject=subject, on=when).exists():
                raise Conflict(_("%(d)s 已有签到记录，同一天不能重复签到。") % {"d": when}, code="duplicate")
            session = LabourSession.objects.create(subject=subject, on=when, hours=h,
                                                   task=text(task, "task", _("劳动内容"), 100, required=True))  # fmt: skip
            changelog.record(actor, Action.CREATE, session, scope_code=subject.scope_code,
                             after=changelog.snapshot(session))  # fmt: skip
            return session
    except IntegrityError:
        raise Conflict(_("这一天已有签到记录，同一天不能重复签到。"), code="duplicate") from None


def quarter_grade(monthly: list[str]) -> str | None:
    """The rule: the middle of the three monthly grades (None until all three are in)."""
    if len(monthly) != 3:
        return None
    ranked = sorted(monthly, key=lambda g: GRADE_RANK[g])
    return ranked[1]


def grade(actor, subject_id, *, kind, year, period, value, reason="") -> LabourGrade:
    """A monthly grade, or a quarterly one: it must follow from the months by RULE, or carry a reason."""
    try:
        with transaction.atomic():
            return _grade(actor, subject_id, kind, year, period, value, reason)
    except IntegrityError:
        raise Conflict(_("这一期的等次已经评定，不能重复评定。"), code="duplicate") from None


def _grade(actor, subject_id, kind, year, period, value, reason):
    subject = core.get_visible(CorrectionSubject, actor, subject_id)
    core.require(actor, MANAGE_CORRECTION, subject.scope_code)
    k = choice(PeriodKind, kind, "kind", _("周期"))
    g = choice(Grade, value, "grade", _("等次"))
    try:
        year, period = int(year), int(period)
    except (TypeError, ValueError):
        raise invalid("period", _("请填写年份和月份（或季度）。")) from None
    top = 12 if k == PeriodKind.MONTH else 4
    if not 2000 <= year <= 2100 or not 1 <= period <= top:
        raise invalid("period", _("月份应为 1 到 12，季度应为 1 到 4。"))
    why = text(reason, "reason", _("评定理由"), 500, multiline=True)
    derived = False
    if k == PeriodKind.QUARTER:
        months = list(range(3 * period - 2, 3 * period + 1))
        found = dict(LabourGrade.objects.filter(subject=subject, kind=PeriodKind.MONTH, year=year,
                                                period__in=months).values_list("period", "grade"))  # fmt: skip
        follows = quarter_grade([found[m] for m in months if m in found])
        if follows is None and len(why) < 2:
            raise invalid(
                "reason",
                _("该季度的月度等次尚未评齐（已评 %(n)d 个月），须写明评定理由。") % {"n": len(found)},
            )
        if follows is not None and follows != g and len(why) < 2:
            raise invalid("reason", _("按月度等次，该季度应为“%(f)s”；评为“%(g)s”须写明理由。")
                          % {"f": Grade(follows).label, "g": Grade(g).label})  # fmt: skip
        derived = follows == g
    if LabourGrade.objects.filter(subject=subject, kind=k, year=year, period=period).exists():
        raise Conflict(_("这一期的等次已经评定，不能重复评定。"), code="duplicate")
    row = LabourGrade.objects.create(subject=subject, kind=k, year=year, period=period, grade=g, derived=derived,
                                     reason=why)  # fmt: skip
    changelog.record(actor, Action.CREATE, row, scope_code=subject.scope_code, after=changelog.snapshot(row))
    return row


def summary(subject) -> dict:
    """Hours and sessions by month, and the grades, for a subject's page and the resident panel."""
    months = (subject.sessions.values("on__year", "on__month")
              .annotate(n=Count("id"), hours=Sum("hours")).order_by("-on__year", "-on__month"))  # fmt: skip
    totals = subject.sessions.aggregate(n=Count("id"), hours=Sum("hours"))
    grades = list(subject.grades.order_by("-year", "-kind", "-period"))
    return {
        "months": [
            {
                "year": m["on__year"],
                "month": m["on__month"],
                "sessions": m["n"],
                "hours": m["hours"],
                "short": m["hours"] < subject.monthly_hours,
            }
            for m in months
        ],  # fmt: skip
        "sessions": totals["n"] or 0,
        "hours": totals["hours"] or Decimal("0"),
        "grades": grades,
        "latest_quarter": next((g for g in grades if g.kind == PeriodKind.QUARTER), None),
    }
