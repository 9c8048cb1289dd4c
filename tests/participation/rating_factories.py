"""Rating rounds, hearings and consultations in the two-community world, through the services."""

import datetime as dt

from django.utils import timezone

from shequ.core import surveys
from shequ.org.models import OrgType, ResidentOrganization
from shequ.participation import services
from shequ.participation.services import ratings as rating_services
from tests.participation.factories import staff


def property_company(world, side="a", name=None):
    return ResidentOrganization.objects.create(
        community=world.community(side), name=name or f"{'甲乙'[side == 'b']}物业服务有限公司",
        org_type=OrgType.PROPERTY, contact_phone="13800001234",
    )  # fmt: skip


def make_round(world, side="a", *, dimensions=("服务态度", "办事效率"), threshold="3.00", company=True, **kw):
    if company:
        property_company(world, side)
    today = timezone.localdate()
    return services.create_round(
        staff(world, side), world.community(side).code, title=kw.pop("title", "年度居民评议"),
        opens_on=kw.pop("opens_on", today - dt.timedelta(days=1)), closes_on=kw.pop("closes_on", today + dt.timedelta(days=7)),
        dimensions=list(dimensions), threshold=threshold, **kw,
    )  # fmt: skip


def rate(rnd, scores: dict, **who):
    """One household's response: scores by (target kind, dimension index) → 1..5."""
    survey = rating_services.survey_of(rnd)
    refs = {q.ref: q.pk for q in survey.questions.all() if q.ref}
    targets = {t.kind: t for t in rnd.targets.all()}
    answers = {str(refs[f"t{targets[kind].pk}:{i}"]): v for (kind, i), v in scores.items()}
    return surveys.submit_response(survey, answers, **who)


def make_hearing(world, side="a", *, notice_days=7, **kw):
    today = timezone.localdate()
    return services.schedule_hearing(
        staff(world, side), world.community(side).code, title=kw.pop("title", "小区停车收费调整听证"),
        subject="拟调整地面停车收费标准。", notice_on=kw.pop("notice_on", today - dt.timedelta(days=notice_days)),
        planned_on=kw.pop("planned_on", today), place="社区议事厅", notice_days=notice_days,
    )  # fmt: skip


def make_consultation(world, side="a", **kw):
    today = timezone.localdate()
    return services.open_consultation(
        staff(world, side), world.community(side).code, title=kw.pop("title", "老旧小区改造方案"),
        plan="拟对 1–3 栋外墙、管网进行改造。", opens_on=kw.pop("opens_on", today - dt.timedelta(days=1)),
        closes_on=kw.pop("closes_on", today + dt.timedelta(days=7)), **kw,
    )  # fmt: skip
