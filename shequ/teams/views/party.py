"""Party-member service pages: the overview with charts, the member list (xlsx), a member's page
(pledges, responsibility, confirmed service hours), reporting in (到社区报到), pledges with the overdue
ones flagged (xlsx), the organisation chain as a tree with its 党建指导员, and the responsibility
areas (楼栋党员责任区, 联系户)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from shequ.core import scope
from shequ.core.errors import DomainError, NotFound
from shequ.core.forms import DateInput
from shequ.core.generic import (
    Column,
    ScopedDetailView,
    ScopedListView,
    ServiceFormView,
    error_page,
    hx_redirect,
    reads,
)
from shequ.core.services import get_visible
from shequ.org.models import Level, OrgUnit
from shequ.teams.filters_party import PartyMemberFilter, PledgeFilter
from shequ.teams.models import (
    MANAGE,
    BuildingDuty,
    ContactHousehold,
    MemberStatus,
    PartyMember,
    PartyOrg,
    PartyOrgLevel,
    Pledge,
    PledgeStatus,
)
from shequ.teams.services import party as services


def _communities(user, perm=MANAGE):
    qs = OrgUnit.objects.where_held(user, perm).filter(level=Level.COMMUNITY).order_by("code")
    return [(u.code, u.display_name) for u in qs]


def _focus_community(request) -> str:
    f = scope.focus_of(request)
    if f is not None and len(f.code) >= 12:
        return f.code[:12]
    codes = _communities(request.user)
    return codes[0][0] if codes else ""


def _nodes(user, community_code: str = ""):
    qs = PartyOrg.objects.visible_to(user).select_related("community")
    if community_code:
        qs = qs.filter(community__code=community_code)
    return [("", "—")] + [(n.pk, f"{n.community.display_name} · {n.get_level_display()} · {n.name}")
                          for n in qs.order_by("scope_code", "level", "name")[:500]]  # fmt: skip


# --- forms --------------------------------------------------------------------------------------
class ReportInForm(forms.Form):
    community = forms.ChoiceField(label=_l("报到社区"))
    resident = forms.ChoiceField(label=_l("居民台账中的党员（住在本街道的选此项）"), required=False)
    name = forms.CharField(label=_l("或：姓名"), max_length=50, required=False)
    phone = forms.CharField(label=_l("联系电话"), max_length=20, required=False,
                            help_text=_l("不在台账中的必填；加密保存，页面上脱敏显示"))  # fmt: skip
    work_unit = forms.CharField(label=_l("工作单位"), max_length=100)
    unit_contact = forms.CharField(label=_l("单位联系人"), max_length=50, required=False)
    reported_on = forms.DateField(label=_l("报到日期"), required=False, widget=DateInput())
    node = forms.ChoiceField(label=_l("编入党组织"), required=False)
    note = forms.CharField(label=_l("备注"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from shequ.people.choices import PARTY
        from shequ.people.models import Resident

        self.fields["community"].choices = _communities(user)
        codes = [c for c, _n in self.fields["community"].choices]
        rs = Resident.objects.visible_to(user).filter(political_status__in=list(PARTY), status="active")
        rs = rs.filter(community__code__in=[c for c in codes]) if codes else rs.none()
        self.fields["resident"].choices = [("", "—")] + [(r.pk, r.name) for r in rs.order_by("name")[:400]]
        self.fields["node"].choices = _nodes(user)


class PledgeForm(forms.Form):
    content = forms.CharField(label=_l("承诺内容"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label=_l("承诺兑现日期"), widget=DateInput())


class CloseForm(forms.Form):
    status = forms.ChoiceField(label=_l("履诺结果"), choices=[(PledgeStatus.KEPT, PledgeStatus.KEPT.label),
                                                          (PledgeStatus.UNKEPT, PledgeStatus.UNKEPT.label)])  # fmt: skip
    outcome = forms.CharField(label=_l("履诺情况"), max_length=300, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_l("做了什么、结果如何；未兑现的写明原因"))  # fmt: skip
    closed_on = forms.DateField(label=_l("办结日期"), required=False, widget=DateInput())


class OrgForm(forms.Form):
    community = forms.ChoiceField(label=_l("社区"))
    level = forms.ChoiceField(label=_l("层级"), choices=PartyOrgLevel.choices)
    name = forms.CharField(label=_l("名称"), max_length=80)
    parent = forms.ChoiceField(
        label=_l("上级党组织"), required=False, help_text=_l("社区党组织以外必选，须为上一层级")
    )
    grid = forms.ChoiceField(label=_l("所在网格"), required=False)
    compound = forms.CharField(label=_l("小区"), max_length=100, required=False)
    building = forms.ChoiceField(label=_l("楼栋（楼栋党小组必选）"), required=False)
    leader_name = forms.CharField(label=_l("书记（组长、中心户户主）"), max_length=50, required=False)

    def __init__(self, *args, user=None, community="", **kwargs):
        super().__init__(*args, **kwargs)
        from shequ.org.models import Building, Grid

        self.fields["community"].choices = _communities(user)
        self.fields["parent"].choices = _nodes(user, community)
        grids = Grid.objects.visible_to(user)
        blds = Building.objects.visible_to(user)
        if community:
            grids, blds = (
                grids.filter(community__code=community),
                blds.filter(scope_code__startswith=community),
            )
        self.fields["grid"].choices = [("", "—")] + [(g.pk, g.name) for g in grids.order_by("code")[:300]]
        self.fields["building"].choices = [("", "—")] + [
            (b.pk, b.address) for b in blds.order_by("address")[:600]
        ]


class InstructorForm(forms.Form):
    name = forms.CharField(label=_l("党建指导员姓名"), max_length=50)
    unit = forms.CharField(label=_l("所在单位"), max_length=100, required=False)
    phone = forms.CharField(label=_l("联系电话"), max_length=20, required=False)


class NodeForm(forms.Form):
    node = forms.ChoiceField(label=_l("所在党组织"), required=False)

    def __init__(self, *args, nodes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = list(nodes)


class BuildingForm(forms.Form):
    building = forms.ChoiceField(label=_l("楼栋"))
    since = forms.DateField(label=_l("起始日期"), required=False, widget=DateInput())

    def __init__(self, *args, buildings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].choices = list(buildings)


class HouseholdForm(forms.Form):
    household = forms.ChoiceField(label=_l("联系户"))
    since = forms.DateField(label=_l("起始日期"), required=False, widget=DateInput())

    def __init__(self, *args, households=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].choices = list(households)


# --- overview -----------------------------------------------------------------------------------
def _bars(labels, values, name) -> dict:
    return {"tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "grid": {"left": 8, "right": 28, "top": 8, "bottom": 8, "containLabel": True},
            "yAxis": {"type": "category", "inverse": True, "data": labels}, "xAxis": {"type": "value", "minInterval": 1},
            "series": [{"name": name, "type": "bar", "data": values, "label": {"show": True, "position": "right"}}]}  # fmt: skip


def _pie(pairs, name, colors=None) -> dict:
    option = {"tooltip": {"trigger": "item"}, "legend": {"bottom": 0},
              "series": [{"name": name, "type": "pie", "radius": ["35%", "65%"],
                          "data": [{"name": k, "value": v} for k, v in pairs]}]}  # fmt: skip
    if colors:
        option["color"] = colors
    return option


@reads(PartyMember)
def overview(request):
    focus = scope.focus_of(request)
    data = services.figures(request.user, focus.code if focus else "")
    charts = [
        ("opt-party-kinds", _("党员构成"), _pie(data["by_kind"], _("党员"), ["#c62828", "#f9a825"])),
        ("opt-party-levels", _("党员所在组织层级"), _bars([k for k, _v in data["by_level"]], [v for _k, v in data["by_level"]], _("人"))),
        ("opt-party-pledges", _("承诺履诺情况"), _pie(data["pledges"], _("承诺"), ["#0d6efd", "#dc3545", "#198754", "#6c757d"])),
        ("opt-party-hours", _("志愿服务时长（前 10 名，小时）"), _bars([k for k, _v in data["top_hours"]], [float(v) for _k, v in data["top_hours"]], _("小时"))),
    ]  # fmt: skip
    return render(request, "teams/party_report.html", {"data": data, "charts": charts})


# --- members ------------------------------------------------------------------------------------
class MemberList(ScopedListView):
    model = PartyMember
    filterset_class = PartyMemberFilter
    title = _l("党员")
    default_sort = "scope_code"
    select_related = ("community", "node")
    actions_template = "teams/party_list_actions.html"
    columns = [
        Column(_l("姓名"), "name", sort="name", link=True),
        Column(_l("类别"), "kind", sort="kind"),
        Column(_l("社区"), "community.display_name", sort="scope_code"),
        Column(_l("联系电话"), "phone", mask="phone"),
        Column(_l("工作单位"), "work_unit"),
        Column(_l("报到日期"), "reported_on", sort="reported_on"),
        Column(_l("所在党组织"), "node_name"),
        Column(_l("服务时长（小时）"), "hours"),
        Column(_l("状态"), "status", sort="status"),
    ]

    def prepare_rows(self, objects) -> None:
        self._hours = services.hours_of([o.pk for o in objects])

    def col_node_name(self, obj):
        return obj.node.name if obj.node_id else ""

    def col_hours(self, obj):
        return self._hours.get(obj.pk, 0)

    def extra_context(self):
        return {"new_url": reverse("teams:party-report-in"), "new_label": _("到社区报到"),
                "communities": _communities(self.request.user)}  # fmt: skip


class MemberDetail(ScopedDetailView):
    model = PartyMember
    template_name = "teams/party_member_detail.html"
    select_related = ("community", "node", "resident")

    def extra_context(self, obj):
        user = self.request.user
        reveal = scope.covers(user, obj.community.code, "people.view_resident")
        service = list(services.service_of(obj)[:50])
        return {
            "m": obj,
            "pledges": list(Pledge.objects.filter(member=obj).order_by("status", "due_on")),
            "buildings": list(BuildingDuty.objects.filter(member=obj).select_related("building")),
            "households": [
                (c, services.household_label(c.household, reveal))
                for c in ContactHousehold.objects.filter(member=obj).select_related(
                    "household__head", "household__house"
                )
            ],  # fmt: skip
            "service": service,
            "hours": services.hours_of([obj.pk]).get(obj.pk, 0),
            "can_manage": scope.covers(user, obj.scope_code, MANAGE),
            "today": timezone.localdate(),
        }


def _held(perm):
    class Held(ServiceFormView):
        def _check_perm(self):
            if not scope.holds(self.request.user, perm):
                return error_page(self.request, 403)
            return None

    return Held


class ReportIn(_held(MANAGE)):
    form_class = ReportInForm
    title = _l("在职党员到社区报到")

    def context(self):
        return {"parent_url": reverse("teams:party-member-list"), "parent_title": _("党员"),
                "intro": _("同一党员在同一社区只能报到一次（按居民台账或联系电话识别）；电话加密保存。")}  # fmt: skip

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def initial(self):
        return {"community": _focus_community(self.request), "reported_on": timezone.localdate()}

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.report_in(self.request.user, d.pop("community"), **d)


def _post(request, fn, back: str):
    try:
        fn()
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return error_page(request, exc.status, exc.message, back=back)
    return hx_redirect(request, back)


@login_required
@require_POST
def enrol(request):
    """Bring the community's registry Party members onto the member list."""
    code = request.POST.get("community") or _focus_community(request)
    back = reverse("teams:party-member-list")
    return _post(request, lambda: services.enrol_registry(request.user, code), back)


class _MemberAct(ServiceFormView):
    perm = MANAGE

    def setup_objects(self):
        self.member = get_visible(PartyMember, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.member.scope_code

    def success_url(self, obj):
        return self.member.get_absolute_url()

    def context(self):
        return {"parent_url": self.member.get_absolute_url(), "parent_title": self.member.name}


class PledgeAdd(_MemberAct):
    form_class = PledgeForm
    title = _l("登记承诺")

    def perform(self, form):
        return services.add_pledge(self.request.user, self.member.pk, **form.cleaned_data)


class NodeSet(_MemberAct):
    form_class = NodeForm
    title = _l("编入党组织")

    def get_form_kwargs(self):
        return {"nodes": _nodes(self.request.user, self.member.community.code)}

    def initial(self):
        return {"node": self.member.node_id or ""}

    def perform(self, form):
        return services.place_member(self.request.user, self.member.pk, form.cleaned_data["node"])


class BuildingAdd(_MemberAct):
    form_class = BuildingForm
    title = _l("楼栋党员责任区")

    def get_form_kwargs(self):
        from shequ.org.models import Building

        qs = Building.objects.visible_to(self.request.user).filter(
            scope_code__startswith=self.member.community.code
        )
        return {"buildings": [(b.pk, b.address) for b in qs.order_by("address")[:600]]}

    def perform(self, form):
        d = form.cleaned_data
        return services.assign_building(self.request.user, self.member.pk, d["building"], since=d["since"])


class HouseholdAdd(_MemberAct):
    form_class = HouseholdForm
    title = _l("党员联系户")

    def get_form_kwargs(self):
        from shequ.people.models import Household

        user = self.request.user
        reveal = scope.covers(user, self.member.community.code, "people.view_resident")
        qs = (Household.objects.visible_to(user).filter(community=self.member.community)
              .select_related("head", "house").order_by("scope_code", "id")[:600])  # fmt: skip
        return {"households": [(h.pk, services.household_label(h, reveal)) for h in qs]}

    def perform(self, form):
        d = form.cleaned_data
        return services.assign_household(self.request.user, self.member.pk, d["household"], since=d["since"])


# --- pledges ------------------------------------------------------------------------------------
class PledgeList(ScopedListView):
    model = Pledge
    filterset_class = PledgeFilter
    title = _l("党员承诺")
    default_sort = "due_on"
    select_related = ("member__community",)
    actions_template = "teams/party_pledge_actions.html"
    columns = [
        Column(_l("党员"), "member.name", sort="member__name", link=True),
        Column(_l("社区"), "member.community.display_name", sort="member__scope_code"),
        Column(_l("承诺内容"), "content"),
        Column(_l("兑现日期"), "due_on", sort="due_on"),
        Column(_l("状态"), "state", sort="status"),
        Column(_l("履诺情况"), "outcome"),
        Column(_l("办结日期"), "closed_on", sort="closed_on"),
    ]

    def col_state(self, obj):
        return _("已逾期") if obj.overdue else obj.get_status_display()


class PledgeClose(ServiceFormView):
    form_class = CloseForm
    title = _l("履诺：办结承诺")
    perm = MANAGE

    def setup_objects(self):
        self.pledge = get_visible(Pledge, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.pledge.member.scope_code

    def context(self):
        return {"parent_url": self.pledge.member.get_absolute_url(), "parent_title": self.pledge.member.name,
                "intro": _("承诺：%(c)s（兑现日期 %(d)s）") % {"c": self.pledge.content, "d": self.pledge.due_on}}  # fmt: skip

    def perform(self, form):
        return services.close_pledge(self.request.user, self.pledge.pk, **form.cleaned_data)

    def success_url(self, obj):
        return obj.member.get_absolute_url()


# --- the chain ----------------------------------------------------------------------------------
@reads(PartyOrg)
def chain(request):
    user = request.user
    communities = list(OrgUnit.objects.visible_to(user).filter(level=Level.COMMUNITY).order_by("code")[:300])
    pick = request.GET.get("community") or ""
    unit = next((c for c in communities if str(c.pk) == pick or c.code == pick), None)
    if unit is None:
        want = _focus_community(request)
        unit = next((c for c in communities if c.code == want), communities[0] if communities else None)
    tree = services.chain(user, unit) if unit else []
    return render(request, "teams/party_chain.html", {
        "communities": communities, "unit": unit, "tree": tree,
        "can_manage": bool(unit) and scope.covers(user, unit.code, MANAGE),
        "unplaced": PartyMember.objects.visible_to(user).filter(community=unit, node=None, status=MemberStatus.ACTIVE).count() if unit else 0,
    })  # fmt: skip


class OrgCreate(_held(MANAGE)):
    form_class = OrgForm
    title = _l("建立党组织")

    def _community(self):
        return (
            self.request.POST.get("community")
            or self.request.GET.get("community")
            or _focus_community(self.request)
        )

    def context(self):
        return {"parent_url": reverse("teams:party-chain"), "parent_title": _("党组织体系")}

    def get_form_kwargs(self):
        return {"user": self.request.user, "community": self._community()}

    def initial(self):
        return {"community": self._community(), "parent": self.request.GET.get("parent", ""),
                "level": self.request.GET.get("level", PartyOrgLevel.COMMUNITY)}  # fmt: skip

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.create_org(self.request.user, d.pop("community"), **d)


class InstructorSet(ServiceFormView):
    form_class = InstructorForm
    title = _l("配备党建指导员")
    perm = MANAGE

    def setup_objects(self):
        self.object = get_visible(PartyOrg, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.object.scope_code

    def initial(self):
        o = self.object
        return {"name": o.instructor_name, "unit": o.instructor_unit, "phone": o.instructor_phone}

    def context(self):
        return {"parent_url": self.object.get_absolute_url(), "parent_title": _("党组织体系")}

    def perform(self, form):
        return services.set_instructor(self.request.user, self.object.pk, **form.cleaned_data)


# --- responsibility -----------------------------------------------------------------------------
@reads(PartyMember)
def responsibility(request):
    """Each member's buildings and households (households masked unless the registry is readable)."""
    user = request.user
    focus = scope.focus_of(request)
    members = (
        PartyMember.objects.visible_to(user).filter(status=MemberStatus.ACTIVE).select_related("community")
    )
    if focus is not None:
        members = members.within(focus.code)
    members = members.prefetch_related(
        Prefetch("buildings", queryset=BuildingDuty.objects.select_related("building")),
        Prefetch(
            "households",
            queryset=ContactHousehold.objects.select_related("household__head", "household__house"),
        ),
    ).order_by("scope_code", "name")
    only = request.GET.get("only") != "all"
    rows = []
    for m in members[:1000]:
        b, h = list(m.buildings.all()), list(m.households.all())
        if only and not b and not h:
            continue
        reveal = scope.covers(user, m.community.code, "people.view_resident")
        rows.append((m, b, [services.household_label(c.household, reveal) for c in h]))
    return render(request, "teams/party_responsibility.html", {"rows": rows, "only": only})
