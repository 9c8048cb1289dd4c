"""Premises: the compliance table and map, the ledger of facilities, a facility's page with its
photos, hours, rules and use, the door's QR code, and the standards."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import changelog, scope
from shequ.core.attachments import attachments_of
from shequ.core.errors import DomainError, NotFound
from shequ.core.excel import workbook_bytes, xlsx_response
from shequ.core.generic import Column, ScopedDetailView, ScopedListView, ServiceFormView, error_page
from shequ.core.models import Action
from shequ.core.qr import qr_data_uri
from shequ.core.services import get_visible
from shequ.facilities import services
from shequ.facilities.filters import FacilityFilter
from shequ.facilities.forms import (
    AreaRuleForm,
    FacilityForm,
    NewFacilityForm,
    PackageForm,
    PhotoForm,
    hours_initial,
    org_choices,
)
from shequ.facilities.models import (
    MANAGE,
    MANAGE_STANDARDS,
    VIEW,
    AreaRule,
    Facility,
    KindPackage,
)
from shequ.facilities.views.common import HeldAnywhere, focus_code, scope_label
from shequ.org.models import Level, ResidentOrganization

COLORS = {True: "#2e7d32", False: "#c62828"}


def _export_compliance(user, report, label):
    rules = [r["name"] for r in report["rules"]]
    names = list(dict.fromkeys(rules))
    headers = [_("社区"), _("代码"), _("类型"), _("阵地总面积（平方米）"), _("办公用房面积（平方米）"), _("有无办公用房"),
               _("是否租用")]  # fmt: skip
    for n in names:
        headers += [n, _("%(n)s是否达标") % {"n": n}]
    headers += [_("全部达标"), _("缺项")]
    rows = []
    for r in report["rows"]:
        checks = {c["name"]: c for c in r["checks"]}
        row = [r["name"], r["code"], r["type_label"], r["total_area"], r["office_area"],
               _("有") if r["has_office"] else _("无"), _("是") if r["rents"] else _("否")]  # fmt: skip
        for n in names:
            c = checks.get(n)
            if c is None:
                row += ["", _("不适用")]
            else:
                row += [c["area"] if c["area"] is not None else "、".join(c.get("lacking", [])) or "—",
                        _("达标") if c["met"] else _("未达标")]  # fmt: skip
        row += [_("是") if r["met_all"] else _("否"), "；".join(str(m) for m in r["missing"])]
        rows.append([float(v) if hasattr(v, "as_tuple") else v for v in row])
    summary = "；".join(f"{t['type_label']}{t['name']}达标 {t['met']}/{t['of']}" for t in report["rules"])
    note = _("%(s)s：社区 %(n)d 个；%(r)s；无办公用房 %(o)d 个；租用率 %(p)s%%。导出人：%(u)s") % {
        "s": label, "n": report["communities"], "r": summary, "o": report["no_office"],
        "p": report["rental_rate"] if report["rental_rate"] is not None else "—", "u": user,
    }  # fmt: skip
    return workbook_bytes(_("阵地达标情况"), headers, rows, note)


@login_required
def compliance(request):
    """阵地达标情况: each community against its district's standards, the shares per rule, the
    communities with no office, the rental rate; a map of the premises; the table as xlsx."""
    user = request.user
    if not scope.may_read(user, Facility) or request.method != "GET":
        return error_page(request, 403)  # nothing personal here: no "full" export to ask for
    code = (request.GET.get("scope") or focus_code(request) or "").strip()
    try:
        report = services.compliance(user, code or None)
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return error_page(request, exc.status, exc.message)
    label = scope_label(code)
    if request.GET.get("export") == "xlsx":
        content = _export_compliance(user, report, label)
        changelog.record(user, Action.EXPORT, None, scope_code=code or "", note=_("阵地达标情况表"))
        return xlsx_response(_("阵地达标情况"), content)
    met = {r["code"]: r["met_all"] for r in report["rows"]}
    pts = Facility.objects.visible_to(user).within(code or None).filter(in_use=True, lat__isnull=False)
    detail = reverse("facilities:facility-detail", args=[0])[:-2]  # …/premises/ + pk + /
    points = [
        {"lat": lat, "lng": lng, "name": name, "kind": kind, "color": "#1565c0" if prov else COLORS[met.get(sc, False)],
         "url": f"{detail}{pk}/"}
        for pk, name, kind, lat, lng, sc, prov in pts.values_list("pk", "name", "kind__name", "lat", "lng", "scope_code",
                                                                  "provider_id")[:3000]
    ]  # fmt: skip
    only = request.GET.get("only")
    rows = report["rows"]
    if only == "unmet":
        rows = [r for r in rows if not r["met_all"]]
    elif only == "no_office":
        rows = [r for r in rows if not r["has_office"]]
    elif only == "rents":
        rows = [r for r in rows if r["rents"]]
    names = list(dict.fromkeys(t["name"] for t in report["rules"]))
    for r in rows:  # the table's cells, one per rule, worked out here rather than in the template
        checks = {c["name"]: c for c in r["checks"]}
        r["cells"] = [checks.get(n) for n in names]
    ctx = {
        "report": report,
        "rows": rows,
        "only": only or "",
        "scope_label": label,
        "points": points,
        "rule_names": names,
        "lack": _("缺"),
        "none_label": _("无"),
        "rents_label": _("租用"),
        "export_query": f"scope={code}&export=xlsx",
        "overdue": services.overdue(user, code or None)[:5],
    }
    return render(request, "facilities/compliance.html", ctx)


class FacilityList(ScopedListView):
    model = Facility
    filterset_class = FacilityFilter
    title = _l("阵地台账")
    default_sort = "scope_code"
    select_related = ("community", "kind", "provider")
    actions_template = "facilities/_facility_actions.html"
    columns = [
        Column(_l("名称"), "name", sort="name", link=True),
        Column(_l("社区"), "community.display_name", sort="scope_code"),
        Column(_l("类别"), "kind.name", sort="kind__order"),
        Column(_l("面积（平方米）"), "area", sort="area"),
        Column(_l("楼层"), "floor"),
        Column(_l("无障碍"), "step_free"),
        Column(_l("产权方式"), "tenure", sort="tenure"),
        Column(_l("年租金（元）"), "annual_rent"),
        Column(_l("租期止"), "lease_end"),
        Column(_l("取得方式"), "obtained"),
        Column(_l("提供单位"), "provider"),
        Column(_l("开放预约"), "bookable"),
        Column(_l("在用"), "in_use"),
    ]

    def col_step_free(self, obj):
        return _("是") if obj.step_free else _("否")

    def col_provider(self, obj):
        return obj.provider.name if obj.provider_id else _("社区")

    def col_bookable(self, obj):
        return _("是") if obj.bookable else ""

    def col_in_use(self, obj):
        return _("在用") if obj.in_use else _("停用")

    def extra_context(self):
        return {"can_add": scope.holds(self.request.user, MANAGE)}


class FacilityDetail(ScopedDetailView):
    model = Facility
    template_name = "facilities/facility_detail.html"
    select_related = ("community", "kind", "provider")

    def extra_context(self, obj) -> dict:
        user = self.request.user
        today = timezone.localdate()
        month = today.replace(day=1)
        use = None
        if obj.bookable:
            use = services.utilisation(user, obj.scope_code, month, today)["rows"]
            use = next((r for r in use if r["id"] == obj.pk), None)
        upcoming = []
        if scope.covers(user, obj.scope_code, "facilities.view_booking"):
            upcoming = list(
                obj.bookings.filter(end__gte=timezone.now(), status__in=("pending", "approved"))
                .select_related("booker", "unit").order_by("start")[:20]
            )  # fmt: skip
        point = {"lat": obj.lat, "lng": obj.lng, "name": obj.name} if obj.lat is not None else None
        return {
            "f": obj,
            "photos": attachments_of(Facility, [obj.pk]).get(str(obj.pk), []),
            "can_manage": scope.covers(user, obj.scope_code, MANAGE),
            "use": use,
            "month": month,
            "upcoming": upcoming,
            "point": point,
            "lease_ending": services.lease_ending(obj, today),
            "can_book": services.bookable_rooms(user).filter(pk=obj.pk).exists(),
        }


def _units(code: str) -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in ResidentOrganization.objects.filter(community__code=code)
            .order_by("name").values_list("pk", "name")[:500]]  # fmt: skip


class FacilityCreate(HeldAnywhere, ServiceFormView):
    form_class = NewFacilityForm
    title = _l("登记阵地")
    perm = MANAGE

    def get_form_kwargs(self):
        communities = org_choices(self.request.user, MANAGE)
        units = _units(communities[0][0]) if len(communities) == 1 else []
        return {"communities": communities, "units": units}

    def initial(self):
        return {"tenure": "owned", "in_use": True, "book_ahead_days": 14, "price_per_hour": 0,
                "book_residents": True, "book_teams": True, "book_units": True}  # fmt: skip

    def context(self):
        return {"parent_url": reverse("facilities:facility-list"), "parent_title": _("阵地台账")}

    def perform(self, form):
        d = form.data_for_service()
        return services.add_facility(self.request.user, d.pop("community"), **d)


class FacilityEdit(ServiceFormView):
    form_class = FacilityForm
    title = _l("修改阵地信息")
    perm = MANAGE

    def setup_objects(self):
        self.facility = get_visible(Facility, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.facility.scope_code

    def get_form_kwargs(self):
        return {"units": _units(self.facility.community.code)}

    def initial(self):
        f = self.facility
        out = {
            k: getattr(f, k)
            for k in services.FACILITY_FIELDS
            if k not in ("opening_hours", "provider", "kind")
        }
        out.update(kind=f.kind_id, provider=str(f.provider_id or ""), **hours_initial(f.opening_hours))
        return out

    def context(self):
        return {"parent_url": self.facility.get_absolute_url(), "parent_title": self.facility.name}

    def perform(self, form):
        return services.update_facility(self.request.user, self.facility.pk, **form.data_for_service())


class FacilityPhoto(FacilityEdit):
    form_class = PhotoForm
    title = _l("上传阵地照片")
    submit_label = _l("上传")

    def get_form_kwargs(self):
        return {}

    def initial(self):
        return {}

    def perform(self, form):
        f = form.cleaned_data["photo"]
        f.seek(0)
        services.add_photos(self.request.user, self.facility.pk, [(f.name, f.read(), f.content_type)])
        return self.facility


@login_required
def door(request, pk):
    """The sign at the room's door: today's QR code a booker scans to check in."""
    try:
        f = get_visible(Facility, request.user, pk)
    except NotFound:
        raise Http404() from None
    if not scope.covers(request.user, f.scope_code, "facilities.approve_booking"):
        return error_page(request, 403)
    url = request.build_absolute_uri(reverse("facilities:check-in", args=[services.door_token(f)]))
    qr = qr_data_uri(url)
    return render(
        request, "facilities/door.html", {"f": f, "url": url, "qr": qr, "today": timezone.localdate()}
    )


# --- standards ---------------------------------------------------------------------------------------
def _district(request) -> str:
    code = (request.GET.get("district") or focus_code(request) or "")[:6]
    if len(code) == 6:
        return code
    roots = scope.scope_codes(request.user, scope.roles_with(VIEW)) or []
    return roots[0][:6] if roots and len(roots[0]) >= 6 else ""


@login_required
def standards(request):
    """The standards in force in a district (its own, or the platform's shipped ones)."""
    user = request.user
    if not scope.may_read(user, Facility):
        return error_page(request, 403)
    code = _district(request)
    if (
        code
        and not scope.covers(user, code[:6], VIEW)
        and not any(r.startswith(code) for r in (scope.scope_codes(user, scope.roles_with(VIEW)) or [code]))
    ):
        raise Http404()
    rules, packages = services.standards_for(code or None)
    own = bool(rules and rules[0].district_id) or bool(packages and packages[0].district_id)
    ctx = {
        "district": code,
        "district_label": scope_label(code) if code else _("平台默认"),
        "rules": rules,
        "packages": packages,
        "own": own,
        "can_edit": bool(code) and scope.covers(user, code, MANAGE_STANDARDS),
    }
    return render(request, "facilities/standards.html", ctx)


class _StandardEdit(ServiceFormView):
    perm = MANAGE_STANDARDS
    model = None

    def setup_objects(self):
        self.district = (self.request.GET.get("district") or "")[:6]
        if not self.district or not scope.covers(self.request.user, self.district):
            raise NotFound()
        pk = self.request.GET.get("pk") or ""
        self.row = None
        if pk:
            self.row = (
                self.model.objects.filter(pk=pk if pk.isdigit() else 0).prefetch_related("kinds").first()
            )
            if self.row is None or (self.row.district_id and self.row.district.code != self.district):
                raise NotFound()

    def perm_code(self):
        return self.district

    def context(self):
        url = reverse("facilities:standards") + f"?district={self.district}"
        intro = (
            _("修改后本区使用自己的标准（首次修改时复制平台默认标准的全部条目）。")
            if not self.row or not self.row.district_id
            else ""
        )
        return {"parent_url": url, "parent_title": _("配置标准"), "intro": intro}

    def success_url(self, obj):
        return reverse("facilities:standards") + f"?district={self.district}"


class RuleEdit(_StandardEdit):
    form_class = AreaRuleForm
    title = _l("面积标准")
    model = AreaRule

    def initial(self):
        r = self.row
        return {"community_type": r.community_type, "name": r.name, "min_area": r.min_area,
                "kinds": [k.pk for k in r.kinds.all()]} if r else {}  # fmt: skip

    def perform(self, form):
        return services.set_area_rule(self.request.user, self.district, pk=self.row.pk if self.row else None,
                                      **form.cleaned_data)  # fmt: skip


class PackageEdit(_StandardEdit):
    form_class = PackageForm
    title = _l("配置要求")
    model = KindPackage

    def initial(self):
        p = self.row
        return (
            {"community_type": p.community_type, "name": p.name, "kinds": [k.pk for k in p.kinds.all()]}
            if p
            else {}
        )

    def perform(self, form):
        return services.set_package(self.request.user, self.district, pk=self.row.pk if self.row else None,
                                    **form.cleaned_data)  # fmt: skip


__all__ = ["Level", "dt"]
