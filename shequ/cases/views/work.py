"""The staff pages where cases are worked: the to-do list (phone first), the case list and its
export, the case page with its timeline and one form per action the user may take, the map of
open cases, and the category and score settings. Reads go through visible_to, writes through
services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_POST

from shequ.cases import services
from shequ.cases.filters import CaseFilter, search_q
from shequ.cases.forms import ActionForm, CategoryForm, ScoreSettingsForm
from shequ.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    Category,
    ExtensionState,
    Satisfaction,
    ScoreSettings,
    Status,
)
from shequ.cases.workflow import TABLE
from shequ.core import attachments, scope, worktime
from shequ.core.errors import DomainError, NotFound
from shequ.core.forms import read_photos
from shequ.core.generic import (
    Column,
    ScopedDetailView,
    ScopedListView,
    ServiceFormView,
    error_page,
    hx_redirect,
    reads,
)
from shequ.core.services import require
from shequ.org.models import node_names

# --- shared ------------------------------------------------------------------------------------
# One colour per status on the map, its legend and the badges.
STATUS_COLORS = {
    Status.RECEIVED: "#6f42c1",
    Status.FILED: "#0d6efd",
    Status.DISPATCHED: "#fd7e14",
    Status.PROCESSING: "#c98a00",
    Status.RETURNED: "#dc3545",
    Status.HANDLED: "#17a589",
    Status.VERIFIED: "#198754",
    Status.CLOSED: "#495057",
    Status.CALLED_BACK: "#0b7285",
    Status.EVALUATED: "#0b7285",
    Status.REJECTED: "#868e96",
    Status.PARKED: "#868e96",
    Status.MERGED: "#868e96",
}


def _visible(request):
    qs = Case.objects.visible_to(request.user)
    focus = scope.focus_of(request)
    return qs.within(focus.code) if focus is not None else qs


# --- the to-do list ----------------------------------------------------------------------------
# (key, label, permission, rows): each tab is the work waiting on the user in one role.
TABS = [
    (
        "dispatch",
        _l("待派遣"),
        "cases.dispatch_case",
        lambda qs, u: qs.filter(status__in=(Status.RECEIVED, Status.FILED, Status.RETURNED)).where_held(
            u, "cases.dispatch_case"
        ),
    ),
    (
        "handle",
        _l("待办理"),
        "cases.handle_case",
        lambda qs, u: qs.handled_by(u).filter(status__in=(Status.DISPATCHED, Status.PROCESSING)),
    ),
    (
        "verify",
        _l("待核查"),
        "cases.verify_case",
        lambda qs, u: qs.filter(status=Status.HANDLED).where_held(u, "cases.verify_case"),
    ),
    (
        "close",
        _l("待结案"),
        "cases.dispatch_case",
        lambda qs, u: qs.filter(status=Status.VERIFIED).where_held(u, "cases.dispatch_case"),
    ),
    (
        "callback",
        _l("待回访"),
        "cases.callback_case",
        lambda qs, u: qs.filter(status=Status.CLOSED).where_held(u, "cases.callback_case"),
    ),
    (
        "extension",
        _l("延期待审批"),
        "cases.dispatch_case",
        lambda qs, u: qs.filter(status=Status.PROCESSING, extension_state=ExtensionState.PENDING).where_held(
            u, "cases.dispatch_case"
        ),
    ),
]
TODO_COLUMNS = (
    "id",
    "number",
    "title",
    "status",
    "address",
    "deadline",
    "warn_at",
    "handled_at",
    "closed_on_time",
    "supervised",
    "extension_state",
    "received_at",
    "handler_name",
    "category__name",
)
TODO_PER_PAGE = 20


def todo_rows(user, tab: str, *, focus_code=None, q: str = ""):
    """The rows of one to-do tab: 督办 first, then the nearest (or most overdue) deadline."""
    rows = next(fn for key, _label, _perm, fn in TABS if key == tab)
    qs = Case.objects.visible_to(user)
    if focus_code:
        qs = qs.within(focus_code)
    qs = rows(qs, user)
    if q:
        qs = qs.filter(search_q(q))
    return (
        qs.select_related("category")
        .only(*TODO_COLUMNS)
        .order_by("-supervised", F("deadline").asc(nulls_last=True), "received_at", "id")
    )


@login_required
def todo(request):
    """The to-do list, one tab per kind of work the user's roles give them; no COUNT on load."""
    from shequ.core.generic import UncountedPage

    user = request.user
    tabs = [(key, label) for key, label, perm, _fn in TABS if scope.holds(user, perm)]
    if not tabs:
        return error_page(request, 403)
    services.maybe_sweep()
    keys = [k for k, _label in tabs]
    tab = request.GET.get("tab")
    if tab not in keys:
        tab = keys[0]
    focus = scope.focus_of(request)
    q = (request.GET.get("q") or "").strip()[:40]
    page = UncountedPage(
        todo_rows(user, tab, focus_code=focus.code if focus else None, q=q),
        request.GET.get("page"),
        TODO_PER_PAGE,
    )
    now = timezone.now()
    for c in page.object_list:
        c.clock = c.clock_state(now)
    ctx = {"tabs": tabs, "tab": tab, "page": page, "q": q, "title": _("待办案件")}
    template = (
        "cases/_todo_rows.html" if request.htmx and request.htmx.target == "todo-rows" else "cases/todo.html"
    )
    return render(request, template, ctx)


# --- the case list -----------------------------------------------------------------------------
class CaseListView(ScopedListView):
    model = Case
    filterset_class = CaseFilter
    title = _l("全部案件")
    count_total = False  # a million cases: next/previous, no COUNT(*)
    paginate_by = 30
    select_related = ("category", "community")
    defer_fields = ("description", "attributes", "rating_comment")
    table_template = "cases/_case_table.html"
    all_columns = [
        Column(_l("受理编号"), "number", sort="number", link=True),
        Column(_l("标题"), "title"),
        Column(_l("类别"), "category.name"),
        Column(_l("状态"), "status"),
        Column(_l("时限"), "clock"),
        Column(_l("来源渠道"), "channel"),
        Column(_l("社区"), "community.display_name"),
        Column(_l("处置单位"), "handler_name"),
        Column(_l("受理时间"), "received", sort="received_at"),
        Column(_l("处置时限"), "deadline_text", sort="deadline"),
        Column(_l("督办"), "supervised_text"),
        Column(_l("诉求人"), "requester_name"),
        Column(_l("联系电话"), "requester_phone", mask="phone"),
        Column(_l("地址"), "address"),
    ]
    # The page shows what a row needs to be found and judged; the export carries everything.
    PAGE_ONLY = (
        "number",
        "title",
        "category.name",
        "status",
        "clock",
        "community.display_name",
        "handler_name",
        "received",
        "deadline_text",
        "supervised_text",
    )

    @property
    def columns(self):
        if self._excel():
            return self.all_columns
        return [c for c in self.all_columns if c.attr in self.PAGE_ONLY]

    def _excel(self) -> bool:
        request = getattr(self, "request", None)
        return request is not None and (request.GET.get("export") == "xlsx" or request.method == "POST")

    def _when(self, value):
        if value is None:
            return ""
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M" if self._excel() else "%m-%d %H:%M")

    def col_clock(self, obj):
        return {"overdue": _("超期"), "warning": _("临期")}.get(obj.clock_state(), "")

    def col_received(self, obj):
        return self._when(obj.received_at)

    def col_deadline_text(self, obj):
        return self._when(obj.deadline)

    def col_supervised_text(self, obj):
        return _("督办") if obj.supervised else ""

    def col_requester_name(self, obj):
        if obj.anonymous:
            return _("匿名")
        return obj.requester_name


# --- the case page -----------------------------------------------------------------------------
_EVENT_KEYS = {
    "unit": _l("处置单位"),
    "deadline": _l("处置时限"),
    "days": _l("延期（工作日）"),
    "review_on": _l("复查日期"),
    "parent": _l("并入"),
    "child": _l("并入案件"),
    "rating": _l("评价星级"),
    "valid": _l("有效回访"),
    "contacted": _l("联系过诉求人"),
    "solved": _l("问题已解决"),
    "satisfaction": _l("满意度"),
    "on_time": _l("按期结案"),
    "paused_hours": _l("挂账（工作小时）"),
    "to": _l("上报至"),
}


def _data_text(key, value, names=None) -> str:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if value is None:
        return "—"
    if key == "deadline" and isinstance(value, str):
        moment = parse_datetime(value)
        if moment:
            return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    if key == "satisfaction" and value in Satisfaction.values:
        return str(Satisfaction(value).label)
    if key == "rating":
        return "★" * int(value)
    if key in _NODE_KEYS and names:
        return names.get(str(value), str(value))
    return str(value)


_NODE_KEYS = {"to"}  # data values that are org codes: shown by the node's name


def timeline(case) -> list[CaseEvent]:
    """Every event of the case, oldest first, with its data in words and its photos."""
    events = list(case.events.all())
    photos = attachments.attachments_of(CaseEvent, [e.pk for e in events])
    names = node_names(str(v) for e in events for k, v in (e.data or {}).items() if k in _NODE_KEYS)
    for e in events:
        e.details = [
            (str(_EVENT_KEYS.get(k, k)), _data_text(k, v, names))
            for k, v in (e.data or {}).items()
            if not (k == "child" and e.action == "merged_into")
        ]
        e.photos = photos.get(str(e.pk), [])
    return events


def _action_forms(user, case, bound=None) -> list[ActionForm]:
    """One form per action the user may take now; `bound` replaces the one that failed."""
    forms = []
    available = services.available_actions(user, case)
    needs_units = any(t.action in ("dispatch", "reassign") for t in available)
    units = services.unit_choices(case) if needs_units else []
    default = services.default_unit(case) if needs_units else ""
    categories = (
        list(Category.objects.filter(parent__isnull=False, active=True).select_related("parent"))
        if any(t.action == "file" for t in available)
        else []
    )
    for t in available:
        if bound is not None and bound.action == t.action:
            forms.append(bound)
            continue
        current = default
        if t.action == "reassign":  # 转派 goes elsewhere: offer the default only if it is another unit
            here = services.unit_key(case.handler_kind, case.handler_code, case.handler_department)
            current = "" if default == here else default
        forms.append(
            ActionForm(
                transition=t,
                case=case,
                unit_choices=units,
                default_unit=current,
                categories=categories,
                prefix=t.action,
            )
        )
    return forms


class CaseDetailView(ScopedDetailView):
    model = Case
    template_name = "cases/case_detail.html"
    select_related = ("category__parent", "street", "community", "grid__community", "parent", "created_by")

    def extra_context(self, obj):
        return case_context(self.request, obj)


def case_context(request, case, *, bound=None, error=None) -> dict:
    """Everything the case page shows; `bound`/`error` carry a refused action back to its form."""
    user = request.user
    forms = _action_forms(user, case, bound)
    actions = {f.action for f in forms}
    candidates = services.merge_candidates(case, request.user) if "merge" in actions else []
    children = list(
        Case.objects.visible_to(user).filter(parent=case).only("id", "number", "title", "status")[:50]
    )
    return {
        "object": case,
        "case": case,
        "events": timeline(case),
        "forms": forms,
        "error": error,
        "failed_action": bound.action if bound is not None else "",
        "candidates": candidates,
        "can_merge": "merge" in actions,
        "children": children,
        "clock": case.clock_state(),
        "can_reveal": scope.covers(user, case.scope_code, "core.reveal_pii"),
        "point": {"lat": case.lat, "lng": case.lng, "title": case.title} if case.lat is not None else None,
        "status_color": STATUS_COLORS.get(case.status, "#6c757d"),
        "weekend_only_years": (
            worktime.unknown_years(case.dispatched_at, case.deadline)
            if case.dispatched_at and case.deadline
            else []
        ),
    }


def _render_case(request, case, *, bound=None, error=None, status=200):
    ctx = case_context(request, case, bound=bound, error=error)
    from django.contrib.contenttypes.models import ContentType

    ctx["content_type_id"] = ContentType.objects.get_for_model(Case).pk
    template = "cases/_actions.html" if request.htmx else "cases/case_detail.html"
    return render(request, template, ctx, status=status)


def _parent_pk(user, number: str):
    """The pk of the case a 合并 names by its receipt number (or pk, from a one-click merge)."""
    v = (number or "").strip()
    if not v:
        return None
    qs = Case.objects.visible_to(user)
    found = qs.filter(number=v).values_list("pk", flat=True).first()
    if found is None and v.isdigit() and len(v) < 14:
        found = qs.filter(pk=int(v)).values_list("pk", flat=True).first()
    return found if found is not None else -1  # -1: the service says "not found in your scope"


@login_required
@require_POST
def case_act(request, pk, action):
    """Take one workflow action from the case page; refusals come back on the page with the reason."""
    user = request.user
    case = Case.objects.visible_to(user).select_related(*CaseDetailView.select_related).filter(pk=pk).first()
    if case is None:
        raise Http404(_("未找到该案件，或它不在您的管辖范围内。"))
    t = TABLE.get(action)
    if t is None:
        raise Http404()
    needs_units = action in ("dispatch", "reassign")
    form = ActionForm(
        request.POST,
        request.FILES,
        transition=t,
        case=case,
        unit_choices=services.unit_choices(case) if needs_units else (),
        categories=Category.objects.filter(parent__isnull=False, active=True).select_related("parent")
        if action == "file"
        else (),
        prefix=action,
    )
    if not form.is_valid():
        return _render_case(request, case, bound=form, error=_("请按提示填写后再提交。"), status=400)
    kwargs = form.service_kwargs()
    if action == "merge":
        kwargs["parent"] = _parent_pk(user, kwargs.get("parent"))
    photos = read_photos(form.cleaned_data.get("photos"))
    try:
        services.transition(user, case.pk, action, photos=photos, **kwargs)
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        for field, msgs in (exc.details or {}).items():
            if field in form.fields:
                for m in msgs:
                    form.add_error(field, m)
        case.refresh_from_db()
        return _render_case(request, case, bound=form, error=exc.message, status=exc.status)
    messages.success(request, _("已%(a)s。") % {"a": t.label})
    return hx_redirect(request, reverse("cases:case-detail", args=[case.pk]))


# --- the map -----------------------------------------------------------------------------------
MAP_CAP = 3000


@login_required
def case_map(request):
    """Open cases on a map, coloured by status; the points come from map-data for the visible area."""
    if not scope.holds(request.user, "cases.view_case"):
        return error_page(request, 403)
    from shequ.org.dashboard import grid_features

    focus = scope.focus_of(request)
    legend = [(s, str(Status(s).label), STATUS_COLORS[s]) for s in OPEN_STATUSES]
    majors = Category.objects.filter(parent__isnull=True).order_by("code")
    return render(
        request,
        "cases/map.html",
        {
            "legend": legend,
            "majors": majors,
            "cap": MAP_CAP,
            "title": _("案件地图"),
            # The grids of the scope under the points: without a tile server they are the only landmarks.
            "grids": grid_features(request.user, focus.code if focus else None, limit=600),
        },
    )


def _bbox(raw: str):
    try:
        west, south, east, north = (float(x) for x in raw.split(","))
    except (AttributeError, ValueError):
        return None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        return None
    return west, south, east, north


@reads(Case)
@require_GET
def map_data(request):
    """GeoJSON of the open cases in the map's box (newest first, capped): number, title, status, link."""
    qs = _visible(request).filter(status__in=OPEN_STATUSES, lat__isnull=False, lng__isnull=False)
    box = _bbox(request.GET.get("bbox", ""))
    if box:
        west, south, east, north = box
        qs = qs.filter(lat__gte=south, lat__lte=north, lng__gte=west, lng__lte=east)
    status = request.GET.get("status")
    if status in OPEN_STATUSES:
        qs = qs.filter(status=status)
    major = request.GET.get("category", "")
    if major.isdigit():
        qs = qs.filter(category__parent_id=int(major))
    rows = list(
        qs.order_by("-received_at", "-id").values_list("pk", "number", "title", "status", "lat", "lng")[
            : MAP_CAP + 1
        ]
    )
    labels = dict(Status.choices)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lng, lat]},
            "properties": {
                "number": number,
                "title": title,
                "status": status,
                "status_label": str(labels.get(status, status)),
                "color": STATUS_COLORS.get(status, "#6c757d"),
                "url": reverse("cases:case-detail", args=[pk]),
            },
        }
        for pk, number, title, status, lat, lng in rows[:MAP_CAP]
    ]
    return JsonResponse(
        {"type": "FeatureCollection", "features": features, "truncated": len(rows) > MAP_CAP},
        json_dumps_params={"ensure_ascii": False},
    )


# --- categories and score settings -------------------------------------------------------------
def _manager_or_403(request):
    try:
        require(request.user, "cases.manage_categories")
    except DomainError:
        return error_page(request, 403)
    return None


@login_required
def category_list(request):
    """The category tree with each minor class's limit, default unit and conditions."""
    denied = _manager_or_403(request)
    if denied:
        return denied
    majors = list(Category.objects.filter(parent__isnull=True).order_by("code"))
    minors = {}
    for c in Category.objects.filter(parent__isnull=False).order_by("code"):
        minors.setdefault(c.parent_id, []).append(c)
    for m in majors:
        m.minors = minors.get(m.pk, [])
    return render(request, "cases/category_list.html", {"majors": majors, "title": _("案件类别与时限")})


class CategoryEditView(ServiceFormView):
    form_class = CategoryForm
    template_name = "cases/category_edit.html"
    title = _l("修改案件类别")

    def setup_objects(self):
        self.object = Category.objects.select_related("parent").filter(pk=self.kwargs["pk"]).first()
        if self.object is None:
            raise NotFound()

    def _check_perm(self):
        return _manager_or_403(self.request)

    def initial(self):
        return CategoryForm.initial_for(self.object)

    def context(self):
        return {
            "object": self.object,
            "parent_url": reverse("cases:category-list"),
            "parent_title": _("案件类别"),
        }

    def perform(self, form):
        d = dict(form.cleaned_data)
        version = d.pop("version", None)
        cat = services.save_category(self.request.user, self.object.pk, expected_version=version, **d)
        messages.success(self.request, _("已保存“%(c)s”。已立案的案件仍按原时限计算。") % {"c": cat.name})
        return cat

    def success_url(self, obj):
        return reverse("cases:category-list") + f"#cat-{obj.pk}"


class ScoreSettingsView(ServiceFormView):
    form_class = ScoreSettingsForm
    template_name = "cases/score_settings.html"
    title = _l("考核计分设置")

    def _check_perm(self):
        return _manager_or_403(self.request)

    def initial(self):
        s = ScoreSettings.current()
        return {
            k: getattr(s, k)
            for k in ("response_weight", "solve_weight", "satisfaction_weight", "basic_value")
        }

    def context(self):
        return {"current": ScoreSettings.current()}

    def perform(self, form):
        s = services.save_score_settings(self.request.user, **form.cleaned_data)
        messages.success(self.request, _("计分设置已保存。"))
        return s

    def success_url(self, obj):
        return reverse("cases:score-settings")


urlpatterns = [
    path("todo/", todo, name="todo"),
    path("list/", CaseListView.as_view(), name="case-list"),
    path("<int:pk>/", CaseDetailView.as_view(), name="case-detail"),
    path("<int:pk>/act/<slug:action>/", case_act, name="case-act"),
    path("map/", case_map, name="map"),
    path("map.json", map_data, name="map-data"),
    path("categories/", category_list, name="category-list"),
    path("categories/<int:pk>/", CategoryEditView.as_view(), name="category-edit"),
    path("score/", ScoreSettingsView.as_view(), name="score-settings"),
]
