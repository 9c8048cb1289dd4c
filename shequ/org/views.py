"""Pages of the org hierarchy: tree, division page, grids (map and boundary), buildings,
responsibility and resident organisations. Reads go through visible_to, writes through services."""

import json

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from shequ.core import scope
from shequ.core.errors import DomainError
from shequ.core.generic import Column, ScopedDetailView, ScopedListView, ServiceFormView, reads
from shequ.core.services import get_visible
from shequ.org import dashboard, filters, forms, services
from shequ.org.models import (
    Assignment,
    Building,
    Grid,
    Level,
    OrgUnit,
    ResidentOrganization,
)


def _unit_or_404(user, code) -> OrgUnit:
    unit = OrgUnit.objects.visible_to(user).filter(code=code).first()
    if unit is None:
        raise Http404(_("未找到该组织，或它不在您的管辖范围内。"))
    return unit


def _breadcrumbs(user, code: str) -> list[dict]:
    """Ancestors by name; linked only where the user may open them."""
    codes = [code[:n] for n in (2, 4, 6, 9, 12) if n < len(code)]
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    return [
        {"name": units[c].display_name, "code": c, "link": scope.covers(user, c)} for c in codes if c in units
    ]


# --- tree ------------------------------------------------------------------------------------


@reads(OrgUnit)
def tree(request):
    """The org tree from the user's own nodes down; a search box finds any node in scope."""
    q = (request.GET.get("q") or "").strip()
    user = request.user
    if q:
        units = OrgUnit.objects.visible_to(user).filter(Q(name__icontains=q) | Q(code__startswith=q))[:50]
        grids = (
            Grid.objects.visible_to(user)
            .filter(Q(name__icontains=q) | Q(code__startswith=q))
            .select_related("community")[:50]
        )
        ctx = {"q": q, "units": units, "grids": grids}
        template = "org/_tree_results.html" if request.htmx else "org/tree.html"
        return render(request, template, ctx)
    roots = scope.scope_codes(user)
    if roots is None:
        units = OrgUnit.objects.filter(parent__isnull=True)
        grids = Grid.objects.none()
    else:
        units = OrgUnit.objects.filter(code__in=[c for c in roots if len(c) <= 12])
        grids = Grid.objects.filter(code__in=[c for c in roots if len(c) == 15]).select_related("community")
    return render(request, "org/tree.html", {"roots": _annotate(units), "root_grids": grids, "q": ""})


def _annotate(units):
    return units.annotate(n_children=Count("children", distinct=True), n_grids=Count("grids", distinct=True))


@login_required
def tree_children(request, code):
    unit = _unit_or_404(request.user, code)
    children = _annotate(OrgUnit.objects.visible_to(request.user).filter(parent=unit))
    grids = (
        Grid.objects.visible_to(request.user).filter(community=unit) if unit.level == Level.COMMUNITY else []
    )
    return render(request, "org/_tree_children.html", {"unit": unit, "children": children, "grids": grids})


# --- divisions -------------------------------------------------------------------------------


@login_required
def unit_detail(request, code):
    unit = _unit_or_404(request.user, code)
    user = request.user
    ctx = {
        "unit": unit,
        "breadcrumbs": _breadcrumbs(user, unit.code),
        "counts": dashboard.level_counts(user, unit.code),
        "coverage": dashboard.coverage(user, unit.code),
        "can_manage_grid": scope.covers(user, unit.code, "org.manage_grid"),
        "can_manage_org": scope.covers(user, unit.code, "org.manage_resident_org"),
    }
    if unit.level == Level.COMMUNITY:
        ctx["grids"] = (
            Grid.objects.visible_to(user)
            .filter(community=unit)
            .annotate(n_buildings=Count("buildings", distinct=True))
        )
        ctx["resident_orgs"] = ResidentOrganization.objects.visible_to(user).filter(community=unit)[:20]
        ctx["features"] = dashboard.grid_features(user, unit.code)
    else:
        ctx["children"] = _annotate(OrgUnit.objects.visible_to(user).filter(parent=unit))
    return render(request, "org/unit_detail.html", ctx)


@reads(Grid)
def grids_geojson(request):
    within = request.GET.get("within") or None
    if within and not scope.covers(request.user, within):
        raise Http404()
    return JsonResponse(dashboard.grid_features(request.user, within))


@reads(Grid)
def basemap(request):
    """The platform's own data as the ground of a map without tiles (see org.basemap), for the box
    and zoom the map is showing; only what the user's scope covers."""
    from shequ.org import basemap as base

    box = base.parse_box(request.GET.get("bbox"))
    fc = base.features(request.user, box, base.parse_zoom(request.GET.get("zoom")))
    return JsonResponse(fc, json_dumps_params={"ensure_ascii": False})


# --- grids -----------------------------------------------------------------------------------


class GridList(ScopedListView):
    model = Grid
    filterset_class = filters.GridFilter
    title = _l("网格")
    default_sort = "code"
    select_related = ("community",)
    defer_fields = ("boundary",)
    columns = [
        Column(_l("网格编码"), "code", sort="code"),
        Column(_l("网格名称"), "name", sort="name", link=True),
        Column(_l("所属社区"), "community.display_name", sort="community__code"),
        Column(_l("类型"), "grid_type", sort="grid_type"),
        Column(_l("面积（㎡）"), "area_m2", sort="area_m2"),
    ]


class GridDetail(ScopedDetailView):
    model = Grid
    template_name = "org/grid_detail.html"
    select_related = ("community",)

    def extra_context(self, grid):
        user = self.request.user
        return {
            "breadcrumbs": _breadcrumbs(user, grid.code),
            "buildings": grid.buildings.annotate(
                n_units=Count("units", distinct=True), n_houses=Count("units__houses", distinct=True)
            ),
            "assignments": grid.assignments.current().select_related("building", "unit"),
            "resident_orgs": grid.resident_orgs.all()[:50],
            "feature": {"type": "Feature", "geometry": grid.boundary, "properties": {"name": grid.name}}
            if grid.boundary
            else None,
            "siblings": dashboard.grid_features(user, grid.community.code),
            "can_edit": scope.covers(user, grid.code, "org.manage_grid"),
            "can_manage_building": scope.covers(user, grid.code, "org.manage_building"),
            "can_assign": scope.covers(user, grid.code, "org.manage_assignment"),
            "upload_form": forms.BoundaryUploadForm(),
        }


class GridCreate(ServiceFormView):
    form_class = forms.GridForm
    title = _l("新建网格")
    perm = "org.manage_grid"

    def perm_code(self):
        return self.unit.code

    def setup_objects(self):
        self.unit = _unit_or_404(self.request.user, self.kwargs["code"])

    def context(self):
        return {"parent_title": self.unit.display_name, "parent_url": self.unit.get_absolute_url()}

    def perform(self, form):
        d = form.cleaned_data
        return services.create_grid(
            self.request.user, self.unit, name=d["name"], grid_type=d["grid_type"], remarks=d["remarks"]
        )


class GridEdit(ServiceFormView):
    form_class = forms.GridForm
    title = _l("修改网格")
    perm = "org.manage_grid"

    def perm_code(self):
        return self.grid.code

    def setup_objects(self):
        self.grid = get_or_404(Grid, self.request.user, self.kwargs["pk"])

    def initial(self):
        g = self.grid
        return {"name": g.name, "grid_type": g.grid_type, "remarks": g.remarks, "version": g.version}

    def context(self):
        return {"parent_title": self.grid.name, "parent_url": self.grid.get_absolute_url()}

    def perform(self, form):
        d = dict(form.cleaned_data)
        version = d.pop("version")
        return services.update_grid(self.request.user, self.grid.pk, expected_version=version, **d)


def get_or_404(model, user, pk):
    try:
        return get_visible(model, user, pk)
    except DomainError:
        raise Http404() from None


@login_required
@require_POST
def grid_boundary(request, pk):
    """Save a boundary drawn on the map (JSON body) or uploaded as a GeoJSON file."""
    grid = get_or_404(Grid, request.user, pk)
    if request.content_type != "application/json":
        form = forms.BoundaryUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            msg = "；".join(e for errs in form.errors.values() for e in errs)
            return _boundary_result(request, grid, error=msg)
        data, note = form.cleaned_data["geojson"], _("从 GeoJSON 文件导入边界")
        version = None
    else:
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return _boundary_result(request, grid, error=_('提交的内容应为 JSON 对象：{"geometry": …}。'))
        data, note, version = body.get("geometry"), _("在地图上绘制边界"), body.get("version")
        if version is not None and not isinstance(version, int):
            version = None
    try:
        grid = services.set_grid_boundary(request.user, grid.pk, data, expected_version=version, note=note)
    except DomainError as exc:
        return _boundary_result(request, grid, error=exc.message, status=exc.status, code=exc.code)
    return _boundary_result(request, grid)


def _boundary_result(request, grid, error=None, status=400, code="invalid_boundary"):
    if request.content_type == "application/json":
        if error:
            return JsonResponse({"code": code, "message": error, "details": {}}, status=status)
        return JsonResponse({"ok": True, "area_m2": grid.area_m2, "version": grid.version})
    if error:
        return render(
            request,
            "core/error.html",
            {"status": status, "message": error, "back": grid.get_absolute_url()},
            status=status,
        )
    return redirect(grid.get_absolute_url())


# --- buildings -------------------------------------------------------------------------------


class BuildingList(ScopedListView):
    model = Building
    filterset_class = filters.BuildingFilter
    title = _l("楼栋")
    default_sort = "address"
    select_related = ("grid",)
    defer_fields = ("grid__boundary",)
    columns = [
        Column(_l("楼栋"), "address", sort="address", link=True),
        Column(_l("所属网格"), "grid.name", sort="grid__code"),
        Column(_l("层数"), "floors", sort="floors"),
        Column(_l("楼栋长"), "building_lead"),
    ]

    def base_queryset(self):
        from django.db.models import Prefetch

        return (
            super()
            .base_queryset()
            .prefetch_related(
                Prefetch(
                    "assignments",
                    queryset=Assignment.objects.current().filter(post="building_lead"),
                    to_attr="leads",
                )
            )
        )

    def col_building_lead(self, b):
        return "、".join(a.person_name for a in b.leads) or "—"


class BuildingDetail(ScopedDetailView):
    model = Building
    template_name = "org/building_detail.html"
    select_related = ("grid", "grid__community")

    def extra_context(self, b):
        user = self.request.user
        return {
            "breadcrumbs": _breadcrumbs(user, b.scope_code),
            "units": b.units.prefetch_related("houses"),
            "assignments": Assignment.objects.filter(building=b).current().select_related("unit"),
            "can_edit": scope.covers(user, b.scope_code, "org.manage_building"),
            "unit_form": forms.UnitForm(),
            "house_form": forms.HouseForm(building=b),
        }


class BuildingCreate(ServiceFormView):
    form_class = forms.BuildingForm
    title = _l("新建楼栋")
    perm = "org.manage_building"

    def perm_code(self):
        return self.grid.code

    def setup_objects(self):
        self.grid = get_or_404(Grid, self.request.user, self.kwargs["pk"])

    def context(self):
        return {"parent_title": self.grid.name, "parent_url": self.grid.get_absolute_url()}

    def perform(self, form):
        return services.create_building(self.request.user, self.grid.pk, **form.cleaned_data)


class UnitCreate(BuildingCreate):
    form_class = forms.UnitForm
    title = _l("新建单元")

    def perm_code(self):
        return self.building.scope_code

    def setup_objects(self):
        self.building = get_or_404(Building, self.request.user, self.kwargs["pk"])

    def context(self):
        return {"parent_title": self.building.address, "parent_url": self.building.get_absolute_url()}

    def perform(self, form):
        return services.create_unit(self.request.user, self.building.pk, **form.cleaned_data)

    def success_url(self, obj):
        return self.building.get_absolute_url()


class HouseCreate(UnitCreate):
    form_class = forms.HouseForm
    title = _l("新建房屋")

    def get_form_kwargs(self):
        return {"building": self.building}

    def perform(self, form):
        d = dict(form.cleaned_data)
        unit = d.pop("unit")
        return services.create_house(self.request.user, unit.pk, **d)


# --- responsibility --------------------------------------------------------------------------


class AssignmentList(ScopedListView):
    model = Assignment
    filterset_class = filters.AssignmentFilter
    title = _l("网格责任人")
    default_sort = "grid__code"
    select_related = ("grid", "building", "unit")
    defer_fields = ("grid__boundary",)
    columns = [
        Column(_l("网格"), "grid.name", sort="grid__code"),
        Column(_l("岗位"), "post", sort="post"),
        Column(_l("姓名"), "person_name", sort="person_name"),
        Column(_l("联系电话"), "phone", mask="phone"),
        Column(_l("负责范围"), "target"),
        Column(_l("任职起始"), "start_date", sort="start_date"),
        Column(_l("任职结束"), "end_date", sort="end_date"),
    ]


class AssignmentCreate(ServiceFormView):
    form_class = forms.AssignmentForm
    title = _l("任命网格责任人")
    perm = "org.manage_assignment"

    def perm_code(self):
        return self.grid.code

    def setup_objects(self):
        self.grid = get_or_404(Grid, self.request.user, self.kwargs["pk"])

    def get_form_kwargs(self):
        return {"grid": self.grid}

    def initial(self):
        from django.utils import timezone

        return {"start_date": timezone.localdate(), "post": self.request.GET.get("post", "")}

    def context(self):
        return {"parent_title": self.grid.name, "parent_url": self.grid.get_absolute_url()}

    def perform(self, form):
        d = dict(form.cleaned_data)
        b, u = d.pop("building"), d.pop("unit")
        return services.assign(
            self.request.user, self.grid.pk, building_pk=b.pk if b else None, unit_pk=u.pk if u else None, **d
        )

    def success_url(self, obj):
        return self.grid.get_absolute_url()


@login_required
@require_POST
def assignment_end(request, pk):
    a = get_or_404(Assignment, request.user, pk)
    try:
        services.end_assignment(request.user, a.pk)
    except DomainError as exc:
        return render(
            request, "core/error.html", {"status": exc.status, "message": exc.message}, status=exc.status
        )
    return redirect(a.grid.get_absolute_url())


# --- resident organisations ------------------------------------------------------------------


class ResidentOrgList(ScopedListView):
    model = ResidentOrganization
    filterset_class = filters.ResidentOrgFilter
    title = _l("驻区单位")
    default_sort = "name"
    select_related = ("community", "grid")
    defer_fields = ("grid__boundary",)
    columns = [
        Column(_l("单位名称"), "name", sort="name", link=True),
        Column(_l("统一社会信用代码"), "uscc", sort="uscc"),
        Column(_l("类型"), "org_type", sort="org_type"),
        Column(_l("社区"), "community.display_name", sort="community__code"),
        Column(_l("网格"), "grid.name"),
        Column(_l("联系人"), "contact_name"),
        Column(_l("联系电话"), "contact_phone", mask="phone"),
    ]


class ResidentOrgDetail(ScopedDetailView):
    model = ResidentOrganization
    template_name = "org/residentorg_detail.html"
    select_related = ("community", "grid")

    def extra_context(self, o):
        return {
            "breadcrumbs": _breadcrumbs(self.request.user, o.community.code),
            "can_edit": scope.covers(self.request.user, o.scope_code, "org.manage_resident_org"),
        }


class ResidentOrgCreate(ServiceFormView):
    form_class = forms.ResidentOrgForm
    title = _l("登记驻区单位")
    perm = "org.manage_resident_org"

    def perm_code(self):
        return self.unit.code

    def setup_objects(self):
        self.unit = _unit_or_404(self.request.user, self.kwargs["code"])

    def get_form_kwargs(self):
        return {"community": self.unit, "user": self.request.user}

    def context(self):
        return {"parent_title": self.unit.display_name, "parent_url": self.unit.get_absolute_url()}

    def perform(self, form):
        d = dict(form.cleaned_data)
        d.pop("version", None)
        return services.create_resident_org(self.request.user, self.unit, **d)


class ResidentOrgEdit(ServiceFormView):
    form_class = forms.ResidentOrgForm
    title = _l("修改驻区单位")
    perm = "org.manage_resident_org"

    def perm_code(self):
        return self.obj.scope_code

    def setup_objects(self):
        self.obj = get_or_404(ResidentOrganization, self.request.user, self.kwargs["pk"])

    def get_form_kwargs(self):
        return {"community": self.obj.community, "user": self.request.user}

    def reveal_object(self):
        return self.obj

    def initial(self):
        o = self.obj
        data = {
            k: getattr(o, k)
            for k in (
                "name",
                "uscc",
                "org_type",
                "grid",
                "address",
                "contact_name",
                "employees",
                "remarks",
                "version",
                "contact_phone",  # shown masked (core.forms.SensitiveField), kept unless retyped
            )
        }
        return data

    def context(self):
        return {"parent_title": self.obj.name, "parent_url": self.obj.get_absolute_url()}

    def perform(self, form):
        d = dict(form.cleaned_data)
        version = d.pop("version")
        return services.update_resident_org(self.request.user, self.obj.pk, expected_version=version, **d)
