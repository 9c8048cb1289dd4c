"""Pages of self-government: the overview (coverage of buildings and households by 楼栋长 and
居民代表, of buildings by groups, the grid's extended network, the last elections' turnout), the
register of representatives, the groups with their members, property companies and contracts,
and the 四位一体 of each 小区. Names are shown to the community's staff only (the register's
`view_perm`); the figures name nobody."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import scope
from shequ.core.generic import Column, ScopedDetailView, ScopedListView, ServiceFormView, error_page, reads
from shequ.core.services import get_visible
from shequ.org.models import Level, OrgUnit
from shequ.participation import governance, services
from shequ.participation.forms import community_choices
from shequ.participation.gov_forms import (
    CompanyForm,
    ContractForm,
    EndForm,
    GroupForm,
    MemberForm,
    RepresentativeForm,
)
from shequ.participation.models import (
    MANAGE,
    VIEW,
    Group,
    GroupMember,
    PropertyContract,
    Representative,
    current_q,
)
from shequ.participation.views.issues import HeldAnywhere


def _focus_code(request) -> str:
    focus = scope.focus_of(request)
    return focus.code if focus else ""


@reads(Representative)
def overview(request):
    """居民自治 overview: the coverage tables of the scope (or the page's focus)."""
    user, within = request.user, _focus_code(request)
    ctx = {
        "reps": governance.representative_coverage(user, within),
        "groups": governance.group_coverage(user, within),
        "network": governance.network_coverage(user, within),
        "elections": governance.election_turnout(user, within),
        "can_manage": scope.holds(user, MANAGE),
        "communities": community_choices(user, VIEW),
    }
    return render(request, "participation/gov/overview.html", ctx)


class RepresentativeList(ScopedListView):
    model = Representative
    title = _l("居民代表与楼栋长")
    default_sort = "scope_code"
    select_related = ("community", "resident")
    actions_template = "participation/gov/_rep_actions.html"
    columns = [
        Column(_l("类别"), "kind", sort="kind"),
        Column(_l("姓名"), "resident.name"),
        Column(_l("社区"), "community.display_name", sort="scope_code"),
        Column(_l("产生方式"), "chosen_by"),
        Column(_l("任期"), "term"),
        Column(_l("负责"), "covers"),
    ]

    def base_queryset(self):
        qs = super().base_queryset()
        if self.request.GET.get("current") != "0":
            qs = qs.filter(current_q(timezone.localdate()))
        return qs.prefetch_related("buildings", "households")

    def col_term(self, r):
        return (
            f"{r.term_start:%Y-%m-%d} 至 {r.term_end:%Y-%m-%d}"
            if r.term_end
            else f"{r.term_start:%Y-%m-%d} 起"
        )

    def col_covers(self, r):
        if r.kind == "building_lead":
            return "、".join(b.address for b in r.buildings.all())
        return _("%(n)d 户") % {"n": len(r.households.all())}

    def extra_context(self):
        return {"can_add": scope.holds(self.request.user, MANAGE)}


class _CommunityForm(HeldAnywhere, ServiceFormView):
    perm = MANAGE

    def get_form_kwargs(self):
        return {"user": self.request.user}


class _WithCommunity(_CommunityForm):
    """A form whose choices (buildings, 小区) follow the community chosen (?community=)."""

    def get_form_kwargs(self):
        code = self.request.POST.get("community") or self.request.GET.get("community") or ""
        return {"user": self.request.user, "community": code}

    def initial(self):
        return {"community": self.request.GET.get("community", ""), "term_start": timezone.localdate()}


class RepresentativeCreate(_WithCommunity):
    form_class = RepresentativeForm
    title = _l("登记居民代表或楼栋长")

    def context(self):
        return {
            "parent_url": reverse("participation:representative-list"),
            "parent_title": _("居民代表与楼栋长"),
        }

    def perform(self, form):
        from shequ.people.models import Household

        d = dict(form.cleaned_data)
        code, buildings = d.pop("community"), d.pop("buildings")
        households = ()
        if d["kind"] == "representative":
            households = list(
                Household.objects.filter(
                    community__code=code, house__unit__building_id__in=buildings
                ).values_list("pk", flat=True)
            )
            buildings = ()
        return services.add_representative(
            self.request.user, code, households=households, buildings=buildings, **d
        )

    def success_url(self, obj):
        return reverse("participation:representative-list")


class RepresentativeEnd(ServiceFormView):
    form_class = EndForm
    title = _l("任期届满")
    perm = MANAGE

    def setup_objects(self):
        self.object = get_visible(Representative, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.object.scope_code

    def reveal_object(self):
        return None

    def initial(self):
        return {"on": timezone.localdate()}

    def context(self):
        return {"parent_url": reverse("participation:representative-list"), "parent_title": _("居民代表与楼栋长"),
                "intro": str(self.object)}  # fmt: skip

    def perform(self, form):
        return services.end_representative(self.request.user, self.object.pk, **form.cleaned_data)

    def success_url(self, obj):
        return reverse("participation:representative-list")


class GroupList(ScopedListView):
    model = Group
    title = _l("居民自治组织")
    default_sort = "scope_code"
    select_related = ("community",)
    actions_template = "participation/gov/_group_actions.html"
    columns = [
        Column(_l("名称"), "name", sort="name", link=True),
        Column(_l("类别"), "kind", sort="kind"),
        Column(_l("社区"), "community.display_name", sort="scope_code"),
        Column(_l("小区"), "compound"),
        Column(_l("任期"), "term"),
    ]

    def col_term(self, g):
        return (
            f"{g.term_start:%Y-%m-%d} 至 {g.term_end:%Y-%m-%d}"
            if g.term_end
            else f"{g.term_start:%Y-%m-%d} 起"
        )

    def extra_context(self):
        return {"can_add": scope.holds(self.request.user, MANAGE)}


class GroupCreate(_WithCommunity):
    form_class = GroupForm
    title = _l("登记居民自治组织")

    def context(self):
        return {"parent_url": reverse("participation:group-list"), "parent_title": _("居民自治组织")}

    def perform(self, form):
        d = dict(form.cleaned_data)
        vote = {k: d.pop(f"vote_{k}") for k in ("on", "present", "for", "against", "abstain")}
        if all(v in (None, "") for v in vote.values()):
            vote = None
        code = d.pop("community")
        return services.create_group(self.request.user, code, vote=vote, **d)


class GroupDetail(ScopedDetailView):
    model = Group
    template_name = "participation/gov/group_detail.html"
    select_related = ("community",)

    def extra_context(self, obj) -> dict:
        return {
            "g": obj,
            "members": list(
                GroupMember.objects.visible_to(self.request.user).filter(group=obj).select_related("resident")
            ),
            "buildings": list(obj.buildings.all()),
            "can_manage": scope.covers(self.request.user, obj.scope_code, MANAGE),
        }


class GroupMemberAdd(ServiceFormView):
    form_class = MemberForm
    title = _l("增加成员")
    perm = MANAGE

    def setup_objects(self):
        self.object = get_visible(Group, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.object.scope_code

    def reveal_object(self):
        return None

    def initial(self):
        return {"role": "成员"}

    def context(self):
        return {"parent_url": self.object.get_absolute_url(), "parent_title": self.object.name}

    def perform(self, form):
        return services.add_group_member(self.request.user, self.object.pk, **form.cleaned_data)

    def success_url(self, obj):
        return self.object.get_absolute_url()


@reads(PropertyContract)
def four_in_one(request):
    """四位一体 per 小区 of one community: Party organisation, committee, 业委会, property company."""
    choices = community_choices(request.user, VIEW)
    code = request.GET.get("community") or _focus_code(request) or (choices[0][0] if choices else "")
    unit = OrgUnit.objects.filter(code=code, level=Level.COMMUNITY).first()
    if unit is None or not scope.covers(request.user, unit.code, VIEW):
        if request.GET.get("community"):
            return error_page(request, 404, _("未找到该社区，或它不在您的管辖范围内。"))
        unit = None
    rows = governance.four_in_one(unit) if unit else []
    contracts = (
        PropertyContract.objects.visible_to(request.user).filter(community=unit).select_related("company")
        if unit else []
    )  # fmt: skip
    ctx = {"unit": unit, "rows": rows, "contracts": contracts, "communities": choices,
           "can_manage": bool(unit) and scope.covers(request.user, unit.code, MANAGE),
           "missing": sum(1 for r in rows if r["missing"])}  # fmt: skip
    return render(request, "participation/gov/four_in_one.html", ctx)


class CompanyCreate(_CommunityForm):
    form_class = CompanyForm
    title = _l("登记物业服务企业")

    def initial(self):
        return {"community": self.request.GET.get("community", "")}

    def context(self):
        return {"parent_url": reverse("participation:four-in-one"), "parent_title": _("四位一体")}

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.add_property_company(self.request.user, d.pop("community"), **d)

    def success_url(self, obj):
        return reverse("participation:four-in-one") + f"?community={obj.community.code}"


class ContractCreate(_WithCommunity):
    form_class = ContractForm
    title = _l("登记物业服务合同")

    def initial(self):
        return {"community": self.request.GET.get("community", ""), "start": timezone.localdate()}

    def context(self):
        return {"parent_url": reverse("participation:four-in-one"), "parent_title": _("四位一体")}

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.add_property_contract(self.request.user, d.pop("community"), **d)

    def success_url(self, obj):
        return reverse("participation:four-in-one") + f"?community={obj.community.code}"
