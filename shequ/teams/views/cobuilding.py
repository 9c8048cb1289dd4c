"""共驻共建 pages: the overview (each unit's contributions against its agreement's duties, the
coverage of units in the area, a chart and the xlsx), a body's page with members and joint meetings,
a unit's page with its agreements period by period and its contributions, and the forms."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import changelog, scope
from shequ.core.errors import DomainError, NotFound
from shequ.core.excel import workbook_bytes, xlsx_response
from shequ.core.generic import ScopedDetailView, ServiceFormView, error_page
from shequ.core.masking import mask
from shequ.core.models import Action
from shequ.core.services import get_visible
from shequ.teams import services
from shequ.teams.forms_cobuilding import (
    AgreementForm,
    BodyForm,
    BodyMemberForm,
    ContributionForm,
    MeetingForm,
)
from shequ.teams.models import (
    MANAGE,
    Activity,
    Agreement,
    AgreementDuty,
    BodyMember,
    CobuildBody,
    CobuildMeeting,
    Contribution,
)
from shequ.teams.services import cobuilding as cob
from shequ.teams.views.report import _scope_label
from shequ.teams.views.staff import _focus, _held_anywhere


def _can_manage(user, code: str) -> bool:
    return scope.covers(user, code, MANAGE)


def _year(value):
    return int(value) if str(value or "").isdigit() else None


def _household_label(hh) -> str:
    """A household named without exposing the head's full name (服务到户 is personal data)."""
    head = mask(hh.head.name, "name") if hh.head_id else _("户主未定")
    return _("%(h)s户（户号 %(n)s）") % {"h": head, "n": hh.number or hh.pk}


def _chart(units) -> dict:
    top = units[:15]
    names = [u["name"] for u in top]
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 36, "top": 32, "bottom": 8, "containLabel": True},
        "yAxis": {"type": "category", "inverse": True, "data": names},
        "xAxis": [
            {"type": "value", "name": _("元")},
            {"type": "value", "name": _("项"), "minInterval": 1, "show": False},
        ],
        "series": [
            {"name": _("资金（元）"), "type": "bar", "stack": "v", "data": [float(u["money"]) for u in top]},
            {
                "name": _("物资价值（元）"),
                "type": "bar",
                "stack": "v",
                "data": [float(u["goods"]) for u in top],
            },
        ],
    }


def _duties_chart(units) -> dict:
    top = units[:15]
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 28, "top": 32, "bottom": 8, "containLabel": True},
        "yAxis": {"type": "category", "inverse": True, "data": [u["name"] for u in top]},
        "xAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": _("已履行"), "type": "bar", "data": [u["done"] for u in top], "label": {"show": True, "position": "right"}},
            {"name": _("应履行"), "type": "bar", "data": [u["due"] for u in top], "label": {"show": True, "position": "right"}},
        ],
    }  # fmt: skip


@login_required
def overview(request):
    """The co-building page of a street or a community."""
    user = request.user
    if not scope.may_read(user, Contribution):
        return error_page(request, 403)
    if request.method != "GET":  # the export names units and sums only: there is no unmasked one to ask for
        return error_page(request, 403, _("共驻共建统计的导出不含个人信息，直接点“导出”即可。"))
    focus = scope.focus_of(request)
    code = request.GET.get("scope") or (focus.code if focus else "")
    try:
        data = cob.figures(user, code, _year(request.GET.get("year")))
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return error_page(request, exc.status, exc.message)
    if request.GET.get("export") == "xlsx":
        headers = [_("驻区单位"), _("所在社区"), _("资金（元）"), _("物资价值（元）"), _("人力（人日）"), _("开放场地设施（次）"),
                   _("投入笔数"), _("共建协议"), _("已履行义务"), _("应履行义务")]  # fmt: skip
        rows = [[r["name"], r["community"], r["money"], r["goods"], r["people_days"], r["facilities"], r["contributions"],
                 "；".join(a["title"] for a in r["agreements"]), r["done"], r["due"]] for r in data["units"]]  # fmt: skip
        note = _("%(s)s，%(y)d 年；义务按协议期内已开始的季度或年度计。导出人：%(u)s") % {
            "s": _scope_label(data["scope"]), "y": data["year"], "u": user}  # fmt: skip
        changelog.record(user, Action.EXPORT, None, scope_code=data["scope"], note=_("共驻共建"))
        return xlsx_response(_("共驻共建"), workbook_bytes(_("共驻共建"), headers, rows, note))
    charts = [("opt-cob-value", _("各单位资金和物资投入（前 15）"), _chart(data["units"])),
              ("opt-cob-duties", _("各单位协议义务履行（前 15）"), _duties_chart(data["units"]))]  # fmt: skip
    this_year = timezone.localdate().year
    ctx = {
        "data": data,
        "charts": charts,
        "scope_label": _scope_label(data["scope"]),
        "years": list(range(this_year, this_year - 5, -1)),
        "can_manage": scope.holds(user, MANAGE),
    }
    return render(request, "teams/cobuilding_overview.html", ctx)


class BodyDetail(ScopedDetailView):
    model = CobuildBody
    template_name = "teams/cobuilding_body.html"
    select_related = ("org",)

    def extra_context(self, obj):
        members = list(
            BodyMember.objects.filter(body=obj)
            .select_related("unit__community")
            .order_by("left_on", "role", "id")
        )
        meetings = list(
            CobuildMeeting.objects.filter(body=obj).prefetch_related("attendees").order_by("-held_on")
        )
        agreements = Agreement.objects.visible_to(self.request.user).filter(body=obj).select_related("unit")
        return {"body": obj, "members": members, "meetings": meetings, "agreements": agreements,
                "coverage": cob.body_coverage(obj), "can_manage": _can_manage(self.request.user, obj.scope_code)}  # fmt: skip


@login_required
def unit_detail(request, pk):
    """One unit in the area: its bodies, agreements with each duty period by period, contributions."""
    from shequ.org.models import ResidentOrganization

    user = request.user
    if not scope.may_read(user, Contribution):
        return error_page(request, 403)
    try:
        unit = get_visible(ResidentOrganization, user, pk)
    except NotFound:
        raise Http404() from None
    year = _year(request.GET.get("year")) or timezone.localdate().year
    agreements = list(
        Agreement.objects.visible_to(user).filter(unit=unit).select_related("body").prefetch_related("duties")
    )
    evidence = cob._evidence(agreements)
    for a in agreements:
        a.status = cob.duty_status(a, year, evidence=evidence)
        a.due = sum(d["due"] for d in a.status)
        a.done = sum(d["done"] for d in a.status)
    contribs = list(
        Contribution.objects.visible_to(user).filter(unit=unit, given_on__year=year)
        .select_related("duty", "activity", "household__head").order_by("-given_on", "-id")
    )  # fmt: skip
    for c in contribs:
        c.household_label = _household_label(c.household) if c.household_id else ""
    memberships = BodyMember.objects.visible_to(user).filter(unit=unit).select_related("body")
    this_year = timezone.localdate().year
    return render(request, "teams/cobuilding_unit.html", {
        "unit": unit, "year": year, "years": list(range(this_year, this_year - 5, -1)), "agreements": agreements,
        "contributions": contribs, "memberships": memberships,
        "totals": {k: sum((getattr(c, f) for c in contribs if c.kind in kinds), Decimal(zero)) for k, f, kinds, zero in (
            ("money", "amount", ("money",), "0.00"), ("goods", "amount", ("goods",), "0.00"),
            ("people_days", "people_days", ("people",), "0.0"))}
        | {"facilities": sum(c.kind == "facility" for c in contribs)},
        "can_manage": _can_manage(user, unit.community.code),
    })  # fmt: skip


# --- forms ------------------------------------------------------------------------------------------
class BodyCreate(_held_anywhere(MANAGE)):
    form_class = BodyForm
    title = _l("新建共建联席会")

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def initial(self):
        return {"org": _focus(self.request)}

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.create_body(self.request.user, d.pop("org"), **d)


class _BodyAct(ServiceFormView):
    perm = MANAGE

    def setup_objects(self):
        self.body = get_visible(CobuildBody, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.body.scope_code

    def success_url(self, obj):
        return self.body.get_absolute_url()

    def context(self):
        return {"title": f"{self.title} · {self.body.name}"}

    def member_units(self):
        return [(m.unit_id, m.unit.name) for m in BodyMember.objects.filter(body=self.body, left_on__isnull=True)
                .select_related("unit").order_by("role", "unit__name")]  # fmt: skip


class MemberAdd(_BodyAct):
    form_class = BodyMemberForm
    title = _l("加入成员单位")

    def get_form_kwargs(self):
        from shequ.org.models import ResidentOrganization

        taken = BodyMember.objects.filter(body=self.body, left_on__isnull=True).values("unit_id")
        qs = (ResidentOrganization.objects.visible_to(self.request.user).within(self.body.scope_code)
              .exclude(pk__in=taken).select_related("community").order_by("scope_code", "name")[:500])  # fmt: skip
        return {"units": [(u.pk, f"{u.name}（{u.community.display_name}）") for u in qs]}

    def perform(self, form):
        d = form.cleaned_data
        return services.add_body_member(self.request.user, self.body.pk, unit=d["unit"], role=d["role"],
                                        joined_on=d["joined_on"])  # fmt: skip


class MeetingAdd(_BodyAct):
    form_class = MeetingForm
    title = _l("登记联席会议")

    def get_form_kwargs(self):
        return {"units": self.member_units()}

    def initial(self):
        return {"held_on": timezone.localdate()}

    def perform(self, form):
        d = form.cleaned_data
        return services.record_meeting(self.request.user, self.body.pk, title=d["title"], held_on=d["held_on"],
                                       place=d["place"], attendees=d["attendees"], minutes=d["minutes"])  # fmt: skip


class AgreementCreate(_BodyAct):
    form_class = AgreementForm
    title = _l("签订共建协议")

    def get_form_kwargs(self):
        return {"units": self.member_units()}

    def initial(self):
        from shequ.teams.models import DutyTemplate

        today = timezone.localdate()
        return {"starts_on": today, "ends_on": dt.date(today.year + 1, 12, 31), "signed_on": today,
                "duties": [str(t.pk) for t in DutyTemplate.objects.filter(active=True)]}  # fmt: skip

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.sign_agreement(self.request.user, self.body.pk, **d)

    def success_url(self, obj):
        return obj.get_absolute_url()


class ContributionAdd(ServiceFormView):
    form_class = ContributionForm
    title = _l("登记共建投入")
    perm = MANAGE

    def setup_objects(self):
        from shequ.org.models import ResidentOrganization

        if not scope.may_read(self.request.user, Contribution):
            raise NotFound()
        self.unit = get_visible(ResidentOrganization, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.unit.community.code

    def context(self):
        return {"title": f"{self.title} · {self.unit.name}"}

    def get_form_kwargs(self):
        from shequ.people.models import Household

        user = self.request.user
        duties = [(d.pk, f"{d.agreement.title} · {d.name}（{d.get_frequency_display()}）")
                  for d in AgreementDuty.objects.visible_to(user).filter(agreement__unit=self.unit)
                  .select_related("agreement").order_by("-agreement__starts_on", "order")]  # fmt: skip
        since = timezone.now() - dt.timedelta(days=400)
        street = self.unit.community.code[:9]
        acts = [(a.pk, f"{timezone.localtime(a.starts_at):%Y-%m-%d} {a.title}")
                for a in Activity.objects.visible_to(user).within(street).filter(starts_at__gte=since)
                .order_by("-starts_at")[:200]]  # fmt: skip
        hhs = [(h.pk, _household_label(h)) for h in Household.objects.visible_to(user).within(self.unit.community.code)
               .select_related("head").order_by("id")[:300]]  # fmt: skip
        return {"duties": duties, "activities": acts, "households": hhs}

    def initial(self):
        return {"given_on": timezone.localdate()}

    def perform(self, form):
        d = form.cleaned_data
        return services.record_contribution(self.request.user, unit=self.unit.pk, **d)

    def success_url(self, obj):
        return reverse("teams:cob-unit-detail", args=[self.unit.pk]) + f"?year={obj.given_on.year}"
