"""听证 and 征求意见 acts. A hearing is scheduled no earlier than its notice has run and cannot be
held before that day (refused with the dates); speakers register before it is held, statements are
recorded once it is. A consultation opens a one-question survey of the kernel's engine; a view after
its closing date is refused; the staff write the summary."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import changelog, surveys
from shequ.core import scope as core_scope
from shequ.core.errors import Conflict, NotFound, ValidationFailed
from shequ.core.models import Action, Survey, SurveyVerify
from shequ.core.services import get_visible, require
from shequ.org.models import ResidentOrganization
from shequ.participation.models import (
    CONSULTATION_PURPOSE,
    MANAGE,
    Consultation,
    Hearing,
    HearingSpeaker,
    SpeakerKind,
)
from shequ.participation.services.issues import community_of


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def _unit(actor, code: str):
    unit = community_of(code)
    if not core_scope.covers(actor, unit.code):
        raise NotFound()
    require(actor, MANAGE, unit.code)
    return unit


def _text(field: str, value: str, label: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise _invalid(field, _("请填写%(l)s。") % {"l": label})
    if len(text) > limit:
        raise _invalid(field, _("%(l)s不能超过 %(n)d 字。") % {"l": label, "n": limit})
    return text


def notice_message(hearing, day) -> str:
    return _("听证公告于 %(n)s 发布，公告期 %(d)d 天，%(e)s 起方可举行；%(x)s 举行不满公告期，请改期。") % {
        "n": hearing.notice_on, "d": hearing.notice_days, "e": hearing.earliest_on, "x": day,
    }  # fmt: skip


# --- hearings -----------------------------------------------------------------------------------------
@transaction.atomic
def schedule_hearing(actor, community_code: str, *, title: str, subject: str, notice_on, planned_on,
                     place: str, notice_days: int = 7) -> Hearing:  # fmt: skip
    """A hearing announced on `notice_on`, to be held on `planned_on`, not before the notice has run."""
    unit = _unit(actor, community_code)
    title = _text("title", title, _("听证事项"), 100)
    subject = _text("subject", subject, _("听证内容"), 4000)
    place = _text("place", place, _("地点"), 100)
    if not isinstance(notice_on, dt.date):
        raise _invalid("notice_on", _("请填写公告日期。"))
    if not isinstance(planned_on, dt.date):
        raise _invalid("planned_on", _("请填写拟举行日期。"))
    try:
        notice_days = int(notice_days)
    except (TypeError, ValueError):
        notice_days = 0
    if not 1 <= notice_days <= 90:
        raise _invalid("notice_days", _("公告期应为 1 到 90 天。"))
    h = Hearing(community=unit, title=title, subject=subject, notice_on=notice_on, notice_days=notice_days,
                planned_on=planned_on, place=place, created_by=actor)  # fmt: skip
    if planned_on < h.earliest_on:
        raise _invalid("planned_on", notice_message(h, planned_on))
    h.save()
    changelog.record(actor, Action.CREATE, h, after={"title": title, "notice_on": str(notice_on),
                                                     "planned_on": str(planned_on)})  # fmt: skip
    return h


def _hearing(actor, pk) -> Hearing:
    h = get_visible(Hearing, actor, pk, for_update=True)
    require(actor, MANAGE, h.scope_code)
    return h


@transaction.atomic
def register_speaker(actor, pk, *, kind: str, name: str, unit=None, unit_name: str = "") -> HearingSpeaker:
    """A resident, or a unit's representative, registered to speak (before the hearing is held)."""
    h = _hearing(actor, pk)
    if h.held_on is not None:
        raise Conflict(_("听证会已于 %(d)s 举行，不能再报名发言。") % {"d": h.held_on}, code="held")
    if kind not in SpeakerKind.values:
        raise _invalid("kind", _("发言人类别应为：居民、单位。"))
    name = _text("name", name, _("发言人姓名"), 50)
    org = None
    unit_name = (unit_name or "").strip()
    if kind == SpeakerKind.UNIT:
        if unit not in (None, ""):
            org = ResidentOrganization.objects.filter(pk=unit).first() if str(unit).isdigit() else None
            if org is None or org.community_id != h.community_id:
                raise _invalid("unit", _("所选单位不是本社区的驻区单位。"))
            unit_name = org.name
        if not unit_name:
            raise _invalid("unit_name", _("单位发言人请选择驻区单位或填写单位名称。"))
        unit_name = unit_name[:200]
    else:
        unit_name = ""
    position = (h.speakers.aggregate(m=Max("position"))["m"] or 0) + 1
    try:
        with transaction.atomic():
            s = HearingSpeaker.objects.create(hearing=h, kind=kind, name=name, unit=org, unit_name=unit_name,
                                              position=position)  # fmt: skip
    except IntegrityError:
        raise Conflict(_("%(n)s 已报名发言，不能重复报名。") % {"n": name}, code="duplicate") from None
    changelog.record(actor, Action.UPDATE, h, after={"speaker": str(s)}, note=_("听证发言报名"))
    return s


@transaction.atomic
def hold_hearing(actor, pk, *, held_on=None, conclusion: str = "") -> Hearing:
    """Record that the hearing was held on `held_on` (today by default): refused before its notice
    has run, with the dates."""
    h = _hearing(actor, pk)
    held_on = held_on or timezone.localdate()
    if h.held_on is not None:
        raise Conflict(_("听证会已于 %(d)s 举行。") % {"d": h.held_on}, code="held")
    if held_on < h.earliest_on:
        raise Conflict(notice_message(h, held_on), code="notice_running",
                       details={"held_on": [notice_message(h, held_on)]})  # fmt: skip
    if held_on > timezone.localdate():
        raise _invalid("held_on", _("举行日期不能晚于今天。"))
    h.held_on = held_on
    h.conclusion = (conclusion or "").strip()[:4000]
    h.save(update_fields=["held_on", "conclusion", "updated_at"])
    changelog.record(actor, Action.UPDATE, h, after={"held_on": str(held_on)}, note=_("听证会举行"))
    return h


@transaction.atomic
def record_statement(actor, pk, speaker_pk, *, statement: str) -> HearingSpeaker:
    """What a registered speaker said, recorded once the hearing has been held."""
    h = _hearing(actor, pk)
    if h.held_on is None:
        raise Conflict(_("听证会尚未举行，举行后再记录发言。"), code="not_held")
    s = h.speakers.filter(pk=speaker_pk).first()
    if s is None:
        raise NotFound()
    s.statement = _text("statement", statement, _("发言记录"), 4000)
    s.save(update_fields=["statement"])
    changelog.record(actor, Action.UPDATE, h, after={"statement": str(s)}, note=_("记录听证发言"))
    return s


# --- consultations ------------------------------------------------------------------------------------
@transaction.atomic
def open_consultation(actor, community_code: str, *, title: str, plan: str, opens_on, closes_on,
                      verify: str = SurveyVerify.EITHER) -> Consultation:  # fmt: skip
    """征求意见 on a plan: the residents of the community write their views on a phone until the
    closing date, one view each."""
    unit = _unit(actor, community_code)
    title = _text("title", title, _("方案名称"), 100)
    plan = _text("plan", plan, _("方案内容"), 1000)
    if not isinstance(opens_on, dt.date) or not isinstance(closes_on, dt.date):
        raise _invalid("closes_on", _("请填写征求意见的开始和截止日期。"))
    if closes_on < opens_on:
        raise _invalid("closes_on", _("截止日期不能早于开始日期。"))
    if closes_on < timezone.localdate():
        raise _invalid("closes_on", _("截止日期已过，请填写今天或以后的日期。"))
    if verify not in SurveyVerify.values:
        raise _invalid("verify", _("填写人核验应为：login（登录）、code（填写码）或 either（均可）。"))
    c = Consultation.objects.create(community=unit, title=title, plan=plan, opens_on=opens_on, closes_on=closes_on,
                                    verify=verify, created_by=actor)  # fmt: skip
    survey = surveys.create_survey(
        actor, unit.code, title=_("征求意见：%(t)s") % {"t": title[:90]}, opens_on=opens_on, closes_on=closes_on,
        verify=verify, per="resident", purpose=CONSULTATION_PURPOSE, owner_id=str(c.pk), intro=plan, accepts_name=True,
        questions=[{"kind": "text", "text": _("您对这个方案的意见和建议"), "required": True}],
    )  # fmt: skip
    c.survey_id = survey.pk
    c.save(update_fields=["survey_id"])
    changelog.record(actor, Action.CREATE, c, after={"title": title, "closes_on": str(closes_on)})
    return c


def survey_for(c) -> Survey | None:
    return Survey.objects.filter(pk=c.survey_id).first() if c.survey_id else None


def submit_view(
    c, text: str, *, user=None, code: str = "", name: str = "", last4: str = "", ip=None, now=None
):
    """A resident's written view (signed in, by name and phone digits, or with a one-time code):
    refused after the closing date."""
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    if day > c.closes_on:
        raise Conflict(_("征求意见已于 %(d)s 截止，不再收集意见。") % {"d": c.closes_on}, code="closed")
    survey = survey_for(c)
    if survey is None or survey.closed_at is not None:
        raise Conflict(_("征求意见已结束，不再收集意见。"), code="closed")
    question = survey.questions.first()
    text = (text or "").strip()
    if not text:
        raise _invalid("text", _("请写下您的意见。"))
    return surveys.submit_response(survey, {str(question.pk): text}, user=user, code=code, ip=ip, now=now,
                                   name=name, last4=last4)  # fmt: skip


def views_of(c, limit: int = 500) -> list[str]:
    """The written views (texts only: who wrote which is nowhere)."""
    survey = survey_for(c)
    if survey is None:
        return []
    data = surveys.results(survey, texts=limit)
    return data["questions"][0]["texts"] if data["questions"] else []


def view_count(c) -> int:
    survey = survey_for(c)
    return survey.responses.count() if survey else 0


@transaction.atomic
def summarise_consultation(actor, pk, *, summary: str) -> Consultation:
    """The staff's summary of the views (after the closing date, or once ended)."""
    c = get_visible(Consultation, actor, pk, for_update=True)
    require(actor, MANAGE, c.scope_code)
    survey = survey_for(c)
    if timezone.localdate() <= c.closes_on and (survey is None or survey.closed_at is None):
        raise Conflict(_("征求意见 %(d)s 截止，截止后再汇总意见。") % {"d": c.closes_on}, code="open")
    c.summary = _text("summary", summary, _("意见汇总"), 4000)
    c.summarised_at = timezone.now()
    c.save(update_fields=["summary", "summarised_at", "updated_at"])
    changelog.record(actor, Action.UPDATE, c, after={"summary": len(c.summary)}, note=_("汇总意见"))
    return c


@transaction.atomic
def end_consultation(actor, pk) -> Consultation:
    """End a consultation before its date (no more views)."""
    c = get_visible(Consultation, actor, pk, for_update=True)
    require(actor, MANAGE, c.scope_code)
    if c.survey_id:
        surveys.close_survey(actor, c.survey_id, purpose=CONSULTATION_PURPOSE)
    return c
