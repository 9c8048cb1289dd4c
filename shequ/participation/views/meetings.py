"""Staff pages of meetings and resolutions: the lists (the resolutions' with its overdue filter),
convening a meeting, its page with agenda, sign-in QR, attendance, minutes, the vote and the
成效评议; a resolution's page with 公示, follow-up steps and completion."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from shequ.core import scope
from shequ.core.attachments import attachments_of
from shequ.core.errors import DomainError, NotFound
from shequ.core.forms import read_photos
from shequ.core.generic import (
    Column,
    ScopedDetailView,
    ScopedListView,
    ServiceFormView,
    error_page,
    hx_redirect,
)
from shequ.core.qr import qr_data_uri
from shequ.core.services import get_visible
from shequ.participation import services
from shequ.participation.filters import MeetingFilter, ResolutionFilter
from shequ.participation.forms import (
    AgendaForm,
    AttendanceForm,
    CompleteForm,
    FollowUpForm,
    MeetingForm,
    MinutesForm,
    PublishForm,
    ReviewForm,
    VoteForm,
)
from shequ.participation.models import (
    MANAGE,
    VIEW_SUPPORTERS,
    Attendance,
    FollowUp,
    Issue,
    IssueStatus,
    Meeting,
    Resolution,
)
from shequ.participation.views.issues import HeldAnywhere


class MeetingList(ScopedListView):
    model = Meeting
    filterset_class = MeetingFilter
    title = _l("会议")
    default_sort = "-starts_at"
    select_related = ("community", "kind")
    actions_template = "participation/_meeting_actions.html"
    columns = [
        Column(_l("会议名称"), "title", sort="title", link=True),
        Column(_l("会议类型"), "kind.name"),
        Column(_l("社区"), "community.display_name", sort="scope_code"),
        Column(_l("开始时间"), "starts_at", sort="starts_at"),
        Column(_l("地点"), "place"),
        Column(_l("召集人"), "convener"),
        Column(_l("应到人数"), "expected"),
        Column(_l("状态"), "state"),
    ]

    def col_state(self, m):
        if m.held:
            return _("已召开")
        return _("已安排") if m.starts_at > timezone.now() else _("待记录纪要")

    def extra_context(self):
        return {"can_add": scope.holds(self.request.user, MANAGE)}


class MeetingCreate(HeldAnywhere, ServiceFormView):
    form_class = MeetingForm
    title = _l("组织会议")
    perm = MANAGE

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def initial(self):
        issue = self.request.GET.get("issue", "")
        start = timezone.localtime().replace(minute=0, second=0, microsecond=0) + timezone.timedelta(hours=1)
        return {"convener": str(self.request.user), "starts_at": start, "issues": [issue] if issue else []}

    def context(self):
        return {"parent_url": reverse("participation:meeting-list"), "parent_title": _("会议")}

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.create_meeting(self.request.user, d.pop("community"), **d)


class MeetingDetail(ScopedDetailView):
    model = Meeting
    template_name = "participation/meeting_detail.html"
    select_related = ("community", "kind")

    def extra_context(self, obj) -> dict:
        user = self.request.user
        manage = scope.covers(user, obj.scope_code, MANAGE)
        agenda = list(obj.agenda.select_related("issue"))
        resolutions = {r.issue_id: r for r in obj.resolutions.all()}
        for item in agenda:
            item.resolution = resolutions.get(item.issue_id)
        present = obj.attendance.count()
        return {
            "m": obj,
            "agenda": agenda,
            "present": present,
            "quorum_met": obj.kind.quorum_met(present, obj.expected),
            "names": list(Attendance.objects.visible_to(user).filter(meeting=obj))
            if scope.covers(user, obj.scope_code, VIEW_SUPPORTERS)
            else None,
            "can_manage": manage,
            "reviews": obj.reviews.select_related("resolution__issue"),
            "orgs": list(obj.invited_orgs.all()),
            "started": obj.starts_at <= timezone.now(),
        }


class MeetingQR(ScopedDetailView):
    """The sign-in QR to put on the wall (or the screen) of the meeting room."""

    model = Meeting
    template_name = "participation/meeting_qr.html"
    select_related = ("community", "kind")

    def refuse(self, obj):
        if not scope.covers(self.request.user, obj.scope_code, MANAGE):
            return error_page(self.request, 403)
        return None

    def extra_context(self, obj) -> dict:
        url = self.request.build_absolute_uri(
            reverse("participation:sign-in", args=[services.sign_in_token(obj)])
        )
        return {
            "m": obj,
            "url": url,
            "qr": qr_data_uri(url),
            "open": services.sign_in_open(obj),
        }


class _MeetingAct(ServiceFormView):
    perm = MANAGE
    submit_label = _l("保存")

    def setup_objects(self):
        self.meeting = get_visible(Meeting, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.meeting.scope_code

    def context(self):
        return {"parent_url": self.meeting.get_absolute_url(), "parent_title": self.meeting.title}

    def success_url(self, obj):
        return self.meeting.get_absolute_url()


class AgendaAdd(_MeetingAct):
    form_class = AgendaForm
    title = _l("列入议程")
    submit_label = _l("列入议程")

    def get_form_kwargs(self):
        ready = Issue.objects.filter(community=self.meeting.community, status=IssueStatus.READY)
        return {"issues": [(str(i.pk), f"{i.title}（{i.support_count} 人附议）") for i in ready[:200]]}

    def perform(self, form):
        return services.add_to_agenda(self.request.user, self.meeting.pk, int(form.cleaned_data["issue"]))


@login_required
@require_POST
def agenda_remove(request, pk, issue):
    """Take an issue off the agenda (back to 待上会); refusals come back as the error page."""
    meeting = Meeting.objects.visible_to(request.user).filter(pk=pk).first()
    if meeting is None:
        raise Http404()
    if not scope.covers(request.user, meeting.scope_code, MANAGE):
        return error_page(request, 403)
    try:
        services.remove_from_agenda(request.user, meeting.pk, issue)
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return error_page(request, exc.status, exc.message, back=meeting.get_absolute_url())
    return hx_redirect(request, meeting.get_absolute_url())


class AttendanceAdd(_MeetingAct):
    form_class = AttendanceForm
    title = _l("登记出席人员")
    submit_label = _l("登记")

    def context(self):
        return {**super().context(), "intro": _("扫码签到的居民无需再登记；此处登记未扫码的出席人员。")}

    def perform(self, form):
        services.record_attendance(self.request.user, self.meeting.pk, names=form.cleaned_data["names"])
        return self.meeting


class MinutesRecord(_MeetingAct):
    form_class = MinutesForm
    title = _l("会议纪要")

    def get_form_kwargs(self):
        return {"agenda": list(self.meeting.agenda.select_related("issue"))}

    def initial(self):
        out = {"minutes": self.meeting.minutes}
        out.update({f"views_{i.pk}": i.views for i in self.meeting.agenda.all()})
        return out

    def perform(self, form):
        d = form.cleaned_data
        views = {k.removeprefix("views_"): v for k, v in d.items() if k.startswith("views_")}
        return services.record_minutes(self.request.user, self.meeting.pk, minutes=d["minutes"], views=views)


def _owners(meeting) -> list[tuple[str, str]]:
    from shequ.core.models import Membership
    from shequ.core.roles import Role

    ms = (
        Membership.objects.active()
        .filter(org__code=meeting.community.code, role__in=(Role.COMMUNITY_LEAD, Role.COMMUNITY_WORKER))
        .select_related("user")
        .order_by("role", "user__username")
    )
    return [(str(m.user_id), str(m.user)) for m in ms]


class VoteRecord(_MeetingAct):
    form_class = VoteForm
    title = _l("表决形成决议")
    submit_label = _l("记录表决结果")

    def get_form_kwargs(self):
        voted = self.meeting.resolutions.values_list("issue_id", flat=True)
        items = self.meeting.agenda.exclude(issue_id__in=voted).select_related("issue")
        return {"issues": [(str(i.issue_id), i.issue.title) for i in items], "owners": _owners(self.meeting)}

    def initial(self):
        return {"issue": self.request.GET.get("issue", ""), "votes_against": 0, "votes_abstain": 0}

    def context(self):
        m = self.meeting
        present = m.attendance.count()
        intro = _("签到出席 %(p)d 人，应到 %(e)d 人。%(k)s：%(q)s；%(a)s。") % {
            "p": present, "e": m.expected, "k": m.kind.name, "q": m.kind.quorum_label, "a": m.kind.adopt_label,
        }  # fmt: skip
        return {**super().context(), "intro": intro}

    def perform(self, form):
        d = dict(form.cleaned_data)
        issue = int(d.pop("issue"))
        return services.vote_resolution(self.request.user, self.meeting.pk, issue, **d)

    def success_url(self, obj):
        return obj.get_absolute_url()


class ReviewRecord(_MeetingAct):
    form_class = ReviewForm
    title = _l("成效评议")
    submit_label = _l("记录评议结果")

    def get_form_kwargs(self):
        rs = (
            Resolution.objects.filter(
                meeting__community=self.meeting.community, adopted=True, review__isnull=True
            )
            .exclude(meeting=self.meeting)
            .select_related("issue")
            .order_by("-decided_on")
        )
        return {"resolutions": [(str(r.pk), f"{r.issue.title}（{r.decided_on:%Y-%m-%d}）") for r in rs[:200]]}

    def context(self):
        return {
            **super().context(),
            "intro": _("民主评议会对已落实决议的成效进行评议，记录满意、基本满意、不满意的人数。"),
        }

    def perform(self, form):
        d = dict(form.cleaned_data)
        r = int(d.pop("resolution"))
        return services.review_outcome(self.request.user, self.meeting.pk, r, **d)


# --- resolutions -------------------------------------------------------------------------------------
class ResolutionList(ScopedListView):
    model = Resolution
    filterset_class = ResolutionFilter
    title = _l("决议落实")
    default_sort = "deadline"
    select_related = ("issue", "meeting__community", "owner_user")
    columns = [
        Column(_l("议题"), "issue.title", link=True),
        Column(_l("社区"), "meeting.community.display_name", sort="scope_code"),
        Column(_l("表决日期"), "decided_on", sort="decided_on"),
        Column(_l("表决结果"), "result"),
        Column(_l("责任人/单位"), "owner_label"),
        Column(_l("完成时限"), "deadline", sort="deadline"),
        Column(_l("落实情况"), "progress"),
    ]

    def col_result(self, r):
        return _("通过（%(f)d/%(p)d）") % {"f": r.votes_for, "p": r.present} if r.adopted else _("未通过")

    def col_progress(self, r):
        if not r.adopted:
            return "—"
        if r.completed_on:
            return _("已完成 %(d)s") % {"d": r.completed_on.isoformat()}
        if r.overdue:
            return _("逾期 %(n)d 天") % {"n": (timezone.localdate() - r.deadline).days}
        return _("落实中")


class ResolutionDetail(ScopedDetailView):
    model = Resolution
    template_name = "participation/resolution_detail.html"
    select_related = ("issue", "meeting__community", "meeting__kind", "owner_user")

    def extra_context(self, obj) -> dict:
        steps = list(obj.follow_ups.all())
        photos = attachments_of(FollowUp, [s.pk for s in steps])
        for s in steps:
            s.photos = photos.get(str(s.pk), [])
        manage = scope.covers(self.request.user, obj.scope_code, MANAGE)
        return {
            "r": obj,
            "steps": steps,
            "review": getattr(obj, "review", None),
            "can_manage": manage and obj.adopted,
            "open": obj.adopted and obj.completed_on is None,
            "public_url": reverse("participation:public-resolutions", args=[obj.meeting.community.code]),
        }


class _ResolutionAct(ServiceFormView):
    perm = MANAGE
    submit_label = _l("保存")

    def setup_objects(self):
        self.resolution = get_visible(Resolution, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.resolution.scope_code

    def context(self):
        return {"parent_url": self.resolution.get_absolute_url(), "parent_title": self.resolution.issue.title}

    def success_url(self, obj):
        return self.resolution.get_absolute_url()


class ResolutionPublish(_ResolutionAct):
    form_class = PublishForm
    title = _l("公示决议")
    submit_label = _l("公示")

    def initial(self):
        return {"days": 7}

    def context(self):
        return {
            **super().context(),
            "intro": _("公示内容：决议、表决票数合计、责任单位、时限和落实情况；不公示签到和附议人员名单。"),
        }

    def perform(self, form):
        return services.publish_resolution(self.request.user, self.resolution.pk, **form.cleaned_data)


class FollowUpAdd(_ResolutionAct):
    form_class = FollowUpForm
    title = _l("登记落实情况")
    submit_label = _l("登记")

    def initial(self):
        return {"on": timezone.localdate()}

    def perform(self, form):
        d = dict(form.cleaned_data)
        photos = read_photos(d.pop("photos") or [])
        return services.add_follow_up(self.request.user, self.resolution.pk, photos=photos, **d)


class ResolutionComplete(_ResolutionAct):
    form_class = CompleteForm
    title = _l("落实完成")
    submit_label = _l("确认完成")

    def initial(self):
        return {"on": timezone.localdate()}

    def perform(self, form):
        return services.complete_resolution(self.request.user, self.resolution.pk, **form.cleaned_data)
