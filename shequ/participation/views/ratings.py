"""Pages of 居民评议 (rating rounds), 听证 and 征求意见: lists, creating, a record with its totals,
closing; the public page of a community's closed rounds (totals only)."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import scope, surveys
from shequ.core.generic import Column, ScopedDetailView, ScopedListView, ServiceFormView
from shequ.core.services import get_visible
from shequ.core.survey_views import public_link, qr_data_uri
from shequ.org.models import Level, OrgUnit
from shequ.participation import services
from shequ.participation.forms_ratings import (
    ConfirmForm,
    ConsultationForm,
    HearingForm,
    HoldForm,
    RoundForm,
    SpeakerForm,
    StatementForm,
    SummaryForm,
)
from shequ.participation.models import MANAGE, Consultation, Hearing, RatingRound
from shequ.participation.services import hearings as hearing_services
from shequ.participation.services import ratings as rating_services
from shequ.participation.views.issues import HeldAnywhere

STATE_LABELS = {
    "open": _l("评议中"),
    "pending": _l("未开始"),
    "due": _l("已到截止日期，待结束"),
    "closed": _l("已结束"),
}


# --- rating rounds ------------------------------------------------------------------------------------
class RatingList(ScopedListView):
    model = RatingRound
    title = _l("居民评议")
    default_sort = "-opens_on"
    select_related = ("org",)
    actions_template = "participation/_rating_actions.html"
    columns = [
        Column(_l("评议名称"), "title", sort="title", link=True),
        Column(_l("社区"), "org.display_name", sort="scope_code"),
        Column(_l("开始日期"), "opens_on", sort="opens_on"),
        Column(_l("截止日期"), "closes_on", sort="closes_on"),
        Column(_l("整改线"), "threshold"),
        Column(_l("状态"), "state"),
    ]

    def col_state(self, obj):
        return str(STATE_LABELS[rating_services.state_of(obj)])

    def extra_context(self):
        return {"can_add": scope.holds(self.request.user, MANAGE)}


class RatingCreate(HeldAnywhere, ServiceFormView):
    form_class = RoundForm
    title = _l("发起居民评议")
    perm = MANAGE

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def initial(self):
        today = timezone.localdate()
        return {"opens_on": today, "closes_on": today + timezone.timedelta(days=14),
                "title": _("%(y)d 年度居民评议") % {"y": today.year}}  # fmt: skip

    def context(self):
        return {
            "parent_url": reverse("participation:rating-list"),
            "parent_title": _("居民评议"),
            "intro": _(
                "居民按户评议本社区居委会和物业服务企业（驻区单位中类型为“物业服务企业”的单位），每户一份。"
            ),
        }

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.create_round(self.request.user, d.pop("community"), **d)


class RatingDetail(ScopedDetailView):
    model = RatingRound
    template_name = "participation/rating_detail.html"
    select_related = ("org",)

    def extra_context(self, obj) -> dict:
        survey = rating_services.survey_of(obj)
        link = public_link(self.request, survey) if survey else ""
        state = rating_services.state_of(obj)
        rate = surveys.response_rate(survey) if survey else None
        return {
            "r": obj,
            "state": state,
            "state_label": STATE_LABELS[state],
            "survey": survey,
            "link": link,
            "qr": qr_data_uri(link) if link and state in ("open", "pending") else "",
            "rate": rate,
            "results": rating_services.results_of(obj),
            "follow_ups": list(rating_services.follow_ups(obj)) if obj.closed_at else [],
            "can_manage": scope.covers(self.request.user, obj.scope_code, MANAGE),
            "public_url": reverse("participation:public-ratings", args=[obj.org.code]),
        }


class RatingClose(ServiceFormView):
    form_class = ConfirmForm
    title = _l("结束评议")
    submit_label = _l("结束评议并计算结果")
    perm = MANAGE

    def setup_objects(self):
        self.round = get_visible(RatingRound, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.round.scope_code

    def context(self):
        return {
            "parent_url": self.round.get_absolute_url(),
            "parent_title": self.round.title,
            "intro": _(
                "结束后不再接受评分；各对象的得分和参评率将保存，低于整改线 %(t)s 分的自动生成整改议题。"
            )
            % {"t": self.round.threshold},
        }

    def perform(self, form):
        return services.close_round(self.request.user, self.round.pk)


def public_ratings(request, code):
    """A community's rating rounds for everyone: an open round's phone link; a closed round's totals
    per target (no response, no household, no individual rating is shown)."""
    unit = OrgUnit.objects.filter(code=code, level=Level.COMMUNITY).first()
    if unit is None:
        raise Http404()
    rounds = list(RatingRound.objects.filter(org=unit).order_by("-opens_on", "-pk")[:20])
    shown = []
    for r in rounds:
        state = rating_services.state_of(r)
        item = {"r": r, "state": state, "state_label": STATE_LABELS[state]}
        if state == "closed":
            item["results"] = rating_services.closed_results(r)
        elif state == "open":
            survey = rating_services.survey_of(r)
            item["link"] = reverse("core:survey-answer", args=[survey.token]) if survey else ""
        shown.append(item)
    return render(request, "participation/public_ratings.html", {"unit": unit, "rounds": shown,
                                                                  "title": _("居民评议结果")})  # fmt: skip


# --- hearings -----------------------------------------------------------------------------------------
class HearingList(ScopedListView):
    model = Hearing
    title = _l("听证会")
    default_sort = "-planned_on"
    select_related = ("community",)
    actions_template = "participation/_hearing_actions.html"
    columns = [
        Column(_l("听证事项"), "title", sort="title", link=True),
        Column(_l("社区"), "community.display_name", sort="scope_code"),
        Column(_l("公告日期"), "notice_on", sort="notice_on"),
        Column(_l("拟举行日期"), "planned_on", sort="planned_on"),
        Column(_l("举行日期"), "held_on", sort="held_on"),
    ]

    def extra_context(self):
        return {"can_add": scope.holds(self.request.user, MANAGE)}


class HearingCreate(HeldAnywhere, ServiceFormView):
    form_class = HearingForm
    title = _l("安排听证会")
    perm = MANAGE

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def initial(self):
        today = timezone.localdate()
        return {"notice_on": today, "notice_days": 7, "planned_on": today + timezone.timedelta(days=7)}

    def context(self):
        return {"parent_url": reverse("participation:hearing-list"), "parent_title": _("听证会")}

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.schedule_hearing(self.request.user, d.pop("community"), **d)


class HearingDetail(ScopedDetailView):
    model = Hearing
    template_name = "participation/hearing_detail.html"
    select_related = ("community",)

    def extra_context(self, obj) -> dict:
        today = timezone.localdate()
        return {
            "h": obj,
            "speakers": list(obj.speakers.all()),
            "can_manage": scope.covers(self.request.user, obj.scope_code, MANAGE),
            "notice_running": today < obj.earliest_on,
        }


class _HearingAct(ServiceFormView):
    perm = MANAGE

    def setup_objects(self):
        self.hearing = get_visible(Hearing, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.hearing.scope_code

    def context(self):
        return {"parent_url": self.hearing.get_absolute_url(), "parent_title": self.hearing.title}

    def success_url(self, obj):
        return self.hearing.get_absolute_url()


class SpeakerAdd(_HearingAct):
    form_class = SpeakerForm
    title = _l("登记发言人")

    def get_form_kwargs(self):
        return {"hearing": self.hearing}

    def perform(self, form):
        d = form.cleaned_data
        return services.register_speaker(self.request.user, self.hearing.pk, kind=d["kind"], name=d["name"],
                                         unit=d["unit"] or None, unit_name=d["unit_name"])  # fmt: skip


class HearingHold(_HearingAct):
    form_class = HoldForm
    title = _l("登记听证会举行")

    def initial(self):
        return {"held_on": timezone.localdate()}

    def context(self):
        return {
            **super().context(),
            "intro": _("公告期满（%(d)s 起）方可举行。") % {"d": self.hearing.earliest_on},
        }

    def perform(self, form):
        d = form.cleaned_data
        return services.hold_hearing(self.request.user, self.hearing.pk, held_on=d["held_on"],
                                     conclusion=d["conclusion"])  # fmt: skip


class StatementRecord(_HearingAct):
    form_class = StatementForm
    title = _l("记录发言")

    def get_form_kwargs(self):
        return {"hearing": self.hearing}

    def perform(self, form):
        d = form.cleaned_data
        return services.record_statement(self.request.user, self.hearing.pk, int(d["speaker"]),
                                         statement=d["statement"])  # fmt: skip


# --- consultations ------------------------------------------------------------------------------------
class ConsultationList(ScopedListView):
    model = Consultation
    title = _l("征求意见")
    default_sort = "-opens_on"
    select_related = ("community",)
    actions_template = "participation/_consultation_actions.html"
    columns = [
        Column(_l("方案名称"), "title", sort="title", link=True),
        Column(_l("社区"), "community.display_name", sort="scope_code"),
        Column(_l("开始日期"), "opens_on", sort="opens_on"),
        Column(_l("截止日期"), "closes_on", sort="closes_on"),
    ]

    def extra_context(self):
        return {"can_add": scope.holds(self.request.user, MANAGE)}


class ConsultationCreate(HeldAnywhere, ServiceFormView):
    form_class = ConsultationForm
    title = _l("发起征求意见")
    perm = MANAGE

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def initial(self):
        today = timezone.localdate()
        return {"opens_on": today, "closes_on": today + timezone.timedelta(days=14)}

    def context(self):
        return {"parent_url": reverse("participation:consultation-list"), "parent_title": _("征求意见")}

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.open_consultation(self.request.user, d.pop("community"), **d)


class ConsultationDetail(ScopedDetailView):
    model = Consultation
    template_name = "participation/consultation_detail.html"
    select_related = ("community",)

    def extra_context(self, obj) -> dict:
        survey = hearing_services.survey_for(obj)
        link = public_link(self.request, survey) if survey else ""
        today = timezone.localdate()
        closed = today > obj.closes_on or (survey is not None and survey.closed_at is not None)
        return {
            "c": obj,
            "closed": closed,
            "link": link,
            "qr": qr_data_uri(link) if link and not closed else "",
            "views": hearing_services.views_of(obj),
            "count": hearing_services.view_count(obj),
            "can_manage": scope.covers(self.request.user, obj.scope_code, MANAGE),
        }


class _ConsultationAct(ServiceFormView):
    perm = MANAGE

    def setup_objects(self):
        self.consultation = get_visible(Consultation, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.consultation.scope_code

    def context(self):
        return {"parent_url": self.consultation.get_absolute_url(), "parent_title": self.consultation.title}

    def success_url(self, obj):
        return self.consultation.get_absolute_url()


class ConsultationSummary(_ConsultationAct):
    form_class = SummaryForm
    title = _l("汇总意见")

    def initial(self):
        return {"summary": self.consultation.summary}

    def perform(self, form):
        return services.summarise_consultation(self.request.user, self.consultation.pk,
                                               summary=form.cleaned_data["summary"])  # fmt: skip


class ConsultationEnd(_ConsultationAct):
    form_class = ConfirmForm
    title = _l("结束征求意见")
    submit_label = _l("结束，不再收集意见")

    def perform(self, form):
        return services.end_consultation(self.request.user, self.consultation.pk)


def issue_rating_panel(request, issue):
    """On a follow-up issue's page: the round and the low scores that opened it."""
    from shequ.participation.models import IssueSource, RatingScore

    if issue.source != IssueSource.RATING:
        return None
    scores = list(RatingScore.objects.filter(issue=issue).select_related("target__round").order_by("pk"))
    if not scores:
        return None
    return {"template": "participation/_issue_rating_panel.html", "context": {"scores": scores}}
