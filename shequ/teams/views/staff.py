"""Staff pages: lists of teams, talent, volunteers, activities and hours (each with its xlsx export
through the generic list), a team's page with members and instructor, an activity's page with its
sign-ups, waiting list, shifts, check-ins, hours, report, photos and ratings, and the door's QR."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from shequ.core import registry, scope
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
from shequ.teams import services
from shequ.teams.filters import ActivityFilter, HoursFilter, TalentFilter, TeamFilter, VolunteerFilter
from shequ.teams.forms import (
    ActivityForm,
    CancelForm,
    InstructorForm,
    MemberForm,
    ReportForm,
    ShiftForm,
    TalentForm,
    TeamForm,
    VolunteerForm,
)
from shequ.teams.models import (
    HOLDING,
    MANAGE,
    Activity,
    CheckIn,
    Rating,
    ServiceHours,
    Shift,
    Signup,
    SignupStatus,
    Talent,
    Team,
    TeamMember,
    Volunteer,
)
from shequ.teams.services.common import active_residents


def _can_manage(user, code: str) -> bool:
    return scope.covers(user, code, MANAGE)


def _list_actions(url_name: str, label):
    return {"url": reverse(url_name), "label": label}


# --- lists --------------------------------------------------------------------------------------
class TeamList(ScopedListView):
    model = Team
    filterset_class = TeamFilter
    title = _l("队伍")
    default_sort = "scope_code"
    select_related = ("kind", "org", "instructor__resident")
    actions_template = "teams/_list_actions.html"
    columns = [
        Column(_l("队伍名称"), "name", sort="name", link=True),
        Column(_l("类别"), "kind.name", sort="kind__order"),
        Column(_l("所属"), "org", sort="scope_code"),
        Column(_l("队长"), "leader_name"),
        Column(_l("辅导员"), "instructor"),
        Column(_l("成立日期"), "founded_on", sort="founded_on"),
        Column(_l("状态"), "status", sort="status"),
    ]

    def col_org(self, obj):
        return obj.org.display_name

    def col_instructor(self, obj):
        return obj.instructor.resident.name if obj.instructor_id else ""

    def extra_context(self):
        return {"new_url": reverse("teams:team-create"), "new_label": _("新建队伍")}


class TalentList(ScopedListView):
    model = Talent
    filterset_class = TalentFilter
    title = _l("文化人才库")
    default_sort = "scope_code"
    select_related = ("resident", "skill")
    actions_template = "teams/_list_actions.html"
    columns = [
        Column(_l("姓名"), "resident.name", sort="resident__name"),
        Column(_l("特长"), "skill.name", sort="skill__order"),
        Column(_l("水平"), "level", sort="level"),
        Column(_l("愿意服务"), "willing", sort="willing"),
        Column(_l("地点"), "place", sort="scope_code"),
        Column(_l("联系电话"), "resident.phone", mask="phone"),
        Column(_l("登记日期"), "registered_on", sort="registered_on"),
    ]

    def col_willing(self, obj):
        return _("是") if obj.willing else _("否")

    def col_place(self, obj):
        from shequ.org.models import node_names

        return node_names([obj.scope_code[:12]]).get(obj.scope_code[:12], "")

    def extra_context(self):
        return {"new_url": reverse("teams:talent-create"), "new_label": _("登记人才")}


class VolunteerList(ScopedListView):
    model = Volunteer
    filterset_class = VolunteerFilter
    title = _l("志愿者")
    default_sort = "scope_code"
    select_related = ("resident",)
    actions_template = "teams/_list_actions.html"
    columns = [
        Column(_l("姓名"), "resident.name", sort="resident__name", link=True),
        Column(_l("联系电话"), "resident.phone", mask="phone"),
        Column(_l("注册日期"), "registered_on", sort="registered_on"),
        Column(_l("可服务时间"), "availability_labels"),
        Column(_l("状态"), "status", sort="status"),
        Column(_l("已确认时长（小时）"), "hours"),
    ]

    def base_queryset(self):
        from django.db.models import Sum

        return super().base_queryset().annotate(total_hours=Sum("hours__hours")).order_by("scope_code", "id")

    def col_hours(self, obj):
        return obj.total_hours or 0

    def extra_context(self):
        return {"new_url": reverse("teams:volunteer-create"), "new_label": _("注册志愿者")}


class ActivityList(ScopedListView):
    model = Activity
    filterset_class = ActivityFilter
    title = _l("活动")
    default_sort = "-starts_at"
    select_related = ("org",)
    actions_template = "teams/_list_actions.html"
    columns = [
        Column(_l("开始时间"), "start", sort="starts_at"),
        Column(_l("活动名称"), "title", sort="title", link=True),
        Column(_l("类别"), "kind", sort="kind"),
        Column(_l("组织方"), "organiser_name", sort="organiser_name"),
        Column(_l("地点"), "place"),
        Column(_l("人数上限"), "capacity"),
        Column(_l("签到人次"), "checkins"),
        Column(_l("状态"), "status", sort="status"),
    ]

    def base_queryset(self):
        from django.db.models import Count

        return super().base_queryset().annotate(n_checkins=Count("checkins"))

    def col_start(self, obj):
        return timezone.localtime(obj.starts_at).strftime("%Y-%m-%d %H:%M")

    def col_checkins(self, obj):
        return obj.n_checkins

    def extra_context(self):
        return {"new_url": reverse("teams:activity-create"), "new_label": _("组织活动")}


class HoursList(ScopedListView):
    model = ServiceHours
    filterset_class = HoursFilter
    title = _l("志愿服务时长")
    default_sort = "-confirmed_at"
    select_related = ("activity", "volunteer__resident", "confirmed_by")
    columns = [
        Column(_l("志愿者"), "volunteer.resident.name", sort="volunteer__resident__name"),
        Column(_l("活动"), "activity.title"),
        Column(_l("活动日期"), "day", sort="activity__starts_at"),
        Column(_l("岗位"), "role"),
        Column(_l("时长（小时）"), "hours", sort="hours"),
        Column(_l("确认人"), "confirmed_by"),
        Column(_l("确认时间"), "confirmed", sort="confirmed_at"),
    ]

    def col_day(self, obj):
        return timezone.localtime(obj.activity.starts_at).strftime("%Y-%m-%d")

    def col_confirmed(self, obj):
        return timezone.localtime(obj.confirmed_at).strftime("%Y-%m-%d %H:%M")


# --- teams ----------------------------------------------------------------------------------------
class TeamDetail(ScopedDetailView):
    model = Team
    template_name = "teams/team_detail.html"
    select_related = ("kind", "org", "instructor__resident", "instructor__skill")

    def extra_context(self, obj):
        members = list(
            TeamMember.objects.filter(team=obj).select_related("resident").order_by("left_on", "role", "id")
        )
        acts = obj.activities.order_by("-starts_at")[:20]
        return {
            "members": members,
            "activities": acts,
            "can_manage": _can_manage(self.request.user, obj.scope_code),
        }


def _held_anywhere(perm):
    class Held(ServiceFormView):
        def perm_code(self):
            return ""

        def _check_perm(self):
            if not scope.holds(self.request.user, perm):
                return error_page(self.request, 403)
            return None

    return Held


class TeamCreate(_held_anywhere(MANAGE)):
    form_class = TeamForm
    title = _l("新建队伍")

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def perform(self, form):
        d = form.cleaned_data
        return services.create_team(self.request.user, d["org"], kind=d["kind"].pk, name=d["name"],
                                    founded_on=d["founded_on"], leader_name=d["leader_name"], note=d["note"])  # fmt: skip


def _residents_under(user, code: str, limit: int = 400):
    from shequ.people.models import Resident

    qs = (
        Resident.objects.visible_to(user)
        .filter(scope_code__startswith=code)
        .filter(pk__in=active_residents(code).values("pk"))
    )
    return [(r.pk, r.name) for r in qs.order_by("name").only("pk", "name")[:limit]]


class _TeamAct(ServiceFormView):
    perm = MANAGE

    def setup_objects(self):
        self.team = get_visible(Team, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.team.scope_code

    def success_url(self, obj):
        return self.team.get_absolute_url()


class MemberAdd(_TeamAct):
    form_class = MemberForm
    title = _l("添加队员")

    def get_form_kwargs(self):
        return {"residents": _residents_under(self.request.user, self.team.scope_code)}

    def perform(self, form):
        d = form.cleaned_data
        return services.add_member(self.request.user, self.team.pk, resident=d["resident"] or None, name=d["name"],
                                   phone=d["phone"], role=d["role"], joined_on=d["joined_on"])  # fmt: skip


class InstructorSet(_TeamAct):
    form_class = InstructorForm
    title = _l("聘任辅导员")

    def get_form_kwargs(self):
        qs = (
            Talent.objects.visible_to(self.request.user)
            .filter(willing=True)
            .select_related("resident", "skill")
        )
        qs = qs.filter(scope_code__startswith=self.team.scope_code[:9]).order_by(
            "skill__order", "resident__name"
        )[:400]
        return {
            "talents": [(t.pk, f"{t.resident.name} · {t.skill.name}（{t.get_level_display()}）") for t in qs]
        }

    def perform(self, form):
        return services.appoint_instructor(self.request.user, self.team.pk, form.cleaned_data["talent"])


# --- talent and volunteers ------------------------------------------------------------------------
def _focus(request) -> str:
    f = scope.focus_of(request)
    if f is not None:
        return getattr(f, "code", "")[:12]
    codes = scope.scope_codes(request.user, {"community_lead", "community_worker"}) or []
    return codes[0] if codes else ""


class TalentCreate(_held_anywhere(MANAGE)):
    form_class = TalentForm
    title = _l("登记人才")

    def get_form_kwargs(self):
        return {"residents": _residents_under(self.request.user, _focus(self.request))}

    def perform(self, form):
        d = form.cleaned_data
        return services.register_talent(self.request.user, d["resident"], skill=d["skill"].pk, level=d["level"],
                                        willing=d["willing"], note=d["note"])  # fmt: skip


class VolunteerCreate(_held_anywhere(MANAGE)):
    form_class = VolunteerForm
    title = _l("注册志愿者")

    def get_form_kwargs(self):
        return {"residents": _residents_under(self.request.user, _focus(self.request))}

    def perform(self, form):
        d = form.cleaned_data
        return services.register_volunteer(self.request.user, d["resident"], skills=[s.pk for s in d["skills"]],
                                           availability=d["availability"])  # fmt: skip


class VolunteerDetail(ScopedDetailView):
    model = Volunteer
    template_name = "teams/volunteer_detail.html"
    select_related = ("resident",)

    def extra_context(self, obj):
        hours = (
            ServiceHours.objects.filter(volunteer=obj)
            .select_related("activity")
            .order_by("-activity__starts_at")
        )
        total = sum((h.hours for h in hours), 0)
        teams = TeamMember.objects.filter(resident=obj.resident, left_on__isnull=True).select_related("team")
        return {"v": obj, "hours": hours, "total": total, "teams": teams, "skills": obj.skills.all()}


# --- activities -----------------------------------------------------------------------------------
class ActivityCreate(_held_anywhere(MANAGE)):
    form_class = ActivityForm
    title = _l("组织活动")

    def get_form_kwargs(self):
        user, code = self.request.user, _focus(self.request)
        teams = [(t.pk, f"{t.name}（{t.kind.name}）") for t in Team.objects.visible_to(user).filter(status="active")
                 .select_related("kind").order_by("scope_code", "name")[:300]]  # fmt: skip
        places = [(pk, label) for pk, label, _cap in registry.place_options(user, code[:9] if code else "")]
        from shequ.org.models import ResidentOrganization
        from shequ.teams.models import PartyOrg

        units = [(u.pk, u.name) for u in ResidentOrganization.objects.visible_to(user).only("pk", "name")
                 .order_by("scope_code", "name")[:500]]  # fmt: skip
        party_orgs = [(p.pk, p.name) for p in PartyOrg.objects.visible_to(user).only("pk", "name")
                      .order_by("scope_code", "name")[:500]]  # fmt: skip
        return {"user": user, "teams": teams, "places": places, "units": units, "party_orgs": party_orgs}

    def initial(self):
        return {"org": _focus(self.request)}

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.create_activity(self.request.user, d.pop("org"), **d)


class ActivityDetail(ScopedDetailView):
    model = Activity
    template_name = "teams/activity_detail.html"
    select_related = ("org", "team")

    def extra_context(self, obj):
        signups = list(Signup.objects.filter(activity=obj).order_by("created_at", "id"))
        checkins = list(CheckIn.objects.filter(activity=obj).order_by("at"))
        checked = {c.key for c in checkins}
        shifts = list(Shift.objects.filter(activity=obj).prefetch_related("takers__volunteer__resident"))
        hours = {
            h.volunteer_id: h
            for h in ServiceHours.objects.filter(activity=obj).select_related("volunteer__resident")
        }
        keys = {c.key for c in checkins}
        # Volunteers who attended (checked in by their registry record or account) and their hours.
        vols = Volunteer.objects.filter(
            resident_id__in=[int(k[2:]) for k in keys if k.startswith("r:")]
        ).select_related("resident")
        attended = [(v, hours.get(v.pk)) for v in vols]
        ratings = Rating.objects.filter(activity=obj)
        from django.db.models import Avg

        place = registry.place(self.request.user, obj.facility_ref) if obj.facility_ref else None
        return {
            "a": obj,
            "confirmed": [s for s in signups if s.status == SignupStatus.CONFIRMED],
            "waiting": [s for s in signups if s.status == SignupStatus.WAITING],
            "cancelled": [s for s in signups if s.status == SignupStatus.CANCELLED],
            "unchecked": [s for s in signups if s.status in HOLDING and s.key not in checked],
            "checkins": checkins,
            "shifts": shifts,
            "attended_volunteers": attended,
            "hours_rows": list(hours.values()),
            "rating": ratings.aggregate(a=Avg("score"))["a"],
            "ratings": ratings.count(),
            "photos": attachments_of(Activity, [obj.pk]).get(str(obj.pk), []),
            "place_info": place,
            "can_manage": _can_manage(self.request.user, obj.scope_code),
            "started": obj.starts_at <= timezone.now(),
        }


class _ActivityAct(ServiceFormView):
    perm = MANAGE

    def setup_objects(self):
        self.activity = get_visible(Activity, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.activity.scope_code

    def success_url(self, obj):
        return self.activity.get_absolute_url()


class ActivityCancel(_ActivityAct):
    form_class = CancelForm
    title = _l("取消活动")
    submit_label = _l("取消活动")

    def perform(self, form):
        return services.cancel_activity(
            self.request.user, self.activity.pk, reason=form.cleaned_data["reason"]
        )


class ShiftAdd(_ActivityAct):
    form_class = ShiftForm
    title = _l("设置志愿岗位")

    def initial(self):
        a = self.activity
        return {"starts_at": timezone.localtime(a.starts_at), "ends_at": timezone.localtime(a.ends_at)}

    def perform(self, form):
        return services.add_shift(self.request.user, self.activity.pk, **form.cleaned_data)


class ReportRecord(_ActivityAct):
    form_class = ReportForm
    title = _l("活动小结与照片")

    def initial(self):
        return {"report": self.activity.report}

    def perform(self, form):
        d = dict(form.cleaned_data)
        photos = read_photos(self.request.FILES.getlist("photos"))
        return services.record_report(self.request.user, self.activity.pk, report=d["report"], photos=photos)


def _act(request, pk, fn):
    """A POST on an activity's page: run the act, come back to the page (the reason on an error page)."""
    try:
        a = get_visible(Activity, request.user, pk)
    except NotFound:
        raise Http404() from None
    try:
        fn(a)
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return error_page(request, exc.status, exc.message, back=a.get_absolute_url())
    return hx_redirect(request, a.get_absolute_url())


@login_required
@require_POST
def check_in_list(request, pk):
    """The staff's list check-in: sign-ups ticked and names typed, one a line."""
    names = [n for n in (request.POST.get("names") or "").splitlines() if n.strip()]
    return _act(request, pk, lambda a: services.check_in_from_list(request.user, a.pk, signups=request.POST.getlist("signup"),
                                                                   names=names))  # fmt: skip


class _HoursForm(forms.Form):
    volunteer = forms.IntegerField(min_value=1)
    hours = forms.DecimalField(max_digits=4, decimal_places=1)
    role = forms.CharField(max_length=30, required=False)


@login_required
@require_POST
def confirm_hours(request, pk):
    """The organiser confirms a volunteer's hours (only for those who checked in)."""
    form = _HoursForm(request.POST)
    if not form.is_valid():
        return error_page(request, 400, _("请填写志愿者和服务时长（小时，可有一位小数）。"))
    d = form.cleaned_data
    return _act(
        request,
        pk,
        lambda a: services.confirm_hours(
            request.user, a.pk, d["volunteer"], hours=d["hours"], role=d["role"]
        ),
    )


@login_required
def door(request, pk):
    """The sign at the activity's entrance: today's QR code people scan to check in."""
    try:
        a = get_visible(Activity, request.user, pk)
    except NotFound:
        raise Http404() from None
    if not _can_manage(request.user, a.scope_code):
        return error_page(request, 403)
    url = request.build_absolute_uri(reverse("teams:check-in", args=[services.door_token(a)]))
    return render(
        request,
        "teams/door.html",
        {"a": a, "url": url, "qr": qr_data_uri(url), "today": timezone.localdate()},
    )
