"""Pages of the resident registry: list and search, resident/household/house pages, population
events, tags, visits (and the visits-due list for a phone), structure charts, import, transfers,
tag settings. Reads go through visible_to, writes through services."""

import json

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from shequ.core import importing, scope
from shequ.core.errors import DomainError
from shequ.core.forms import read_photos
from shequ.core.generic import Column, ScopedDetailView, ScopedListView, ServiceFormView, error_page
from shequ.core.masking import mask
from shequ.core.models import Attachment, ImportBatch
from shequ.core.roles import roles_with
from shequ.core.scope import prefix_q
from shequ.core.services import get_visible, require
from shequ.org.models import Grid, House, OrgUnit
from shequ.people import dashboard, filters, forms, services
from shequ.people.choices import EventKind, Status
from shequ.people.importer import ResidentImporter
from shequ.people.models import (
    Household,
    Resident,
    ResidentTag,
    TagDefinition,
    Transfer,
    TransferStatus,
    Visit,
)
from shequ.people.tags import detail_text, visible_tags


def _domain_error(request, exc: DomainError, back: str):
    # The page's own object was found; a "not found" from the service is about what was asked for.
    return error_page(request, 400 if exc.status == 404 else exc.status, exc.message, back)


# One colour per residence type on every chart, whatever order the data comes in.
RESIDENCE_COLORS = {
    "registered": "#2563eb",
    "separated": "#0891b2",
    "non_registered": "#f59e0b",
    "floating": "#dc2626",
    "foreign": "#7c3aed",
}


def tags_by_resident(user, residents) -> dict[int, list]:
    """The visible tags (derived and recorded) of each resident on a page, in two queries."""
    tags = visible_tags(user)
    keyed = {t.key: t for t in tags if not t.derived}
    out = {r.pk: [t for t in tags if t.derived and t.holds(r)] for r in residents}
    if keyed and residents:
        rows = ResidentTag.objects.current().filter(
            resident__in=[r.pk for r in residents], tag_key__in=list(keyed)
        )
        for rid, key in rows.values_list("resident_id", "tag_key"):
            out[rid].append(keyed[key])
    return out


# --- residents ---------------------------------------------------------------------------------
class ResidentListView(ScopedListView):
    model = Resident
    filterset_class = filters.ResidentFilter
    title = _l("居民")
    count_total = False  # a million rows: pages move by next/previous, never a full count
    paginate_by = 30
    select_related = ("house", "community")
    defer_fields = ("remarks", "registered_address", "work_unit")
    table_template = "people/_resident_table.html"
    actions_template = "people/_resident_actions.html"
    default_sort = None
    columns = [
        Column(_l("姓名"), "name", sort="name", link=True),
        Column(_l("性别"), "gender"),
        Column(_l("年龄"), "age", sort="-birth_date"),
        Column(_l("证件号码"), "doc_number", mask="id_number"),
        Column(_l("联系电话"), "phone", mask="phone"),
        Column(_l("居住类型"), "residence_type"),
        Column(_l("现住地址"), "house.address"),
        Column(_l("人群标签"), "tags"),
        Column(_l("人员状态"), "status", export=True),
    ]

    def base_queryset(self):
        return super().base_queryset().order_by("scope_code", "id")

    def col_tags(self, obj):
        tags = self._tags[obj.pk]  # loaded for the whole page by prepare_rows
        if self.request.GET.get("export") == "xlsx":  # a masked export names no sensitive group
            tags = [t for t in tags if t.sensitivity == "ordinary"]
        return "、".join(t.name for t in tags)

    def prepare_rows(self, objects):
        self._tags = {}
        objects = list(objects)
        for i in range(0, len(objects), 2000):
            self._tags.update(tags_by_resident(self.request.user, objects[i : i + 2000]))

    def extra_context(self):
        user = self.request.user
        return {
            "can_create": any(
                m.role in roles_with("people.manage_resident") for m in scope.memberships(user)
            ),
            "can_import": any(
                m.role in roles_with("people.import_residents") for m in scope.memberships(user)
            ),
        }


class ResidentDetailView(ScopedDetailView):
    model = Resident
    template_name = "people/resident_detail.html"
    select_related = ("house__unit__building__grid", "household__house", "household__head", "community")

    def extra_context(self, obj):
        user = self.request.user
        tags = visible_tags(user)
        keyed = {t.key: t for t in tags if not t.derived}
        recorded = []
        for rt in ResidentTag.objects.filter(resident=obj, tag_key__in=list(keyed)).order_by("start_date"):
            t = keyed[rt.tag_key]
            detail = json.loads(rt.detail) if rt.detail else {}
            recorded.append(
                {
                    "tag": t,
                    "row": rt,
                    "detail": detail_text(t, detail),
                    "current": rt.end_date is None or rt.end_date > timezone.localdate(),
                }
            )
        derived = [t for t in tags if t.derived and t.holds(obj)]
        members = (
            Resident.objects.visible_to(user)
            .filter(household=obj.household_id)
            .exclude(pk=obj.pk)
            .order_by("relationship")
            if obj.household_id
            else Resident.objects.none()
        )
        visits = list(obj.visits.select_related("visitor")[:20])
        from django.contrib.contenttypes.models import ContentType

        photos = {}
        if visits:
            ct = ContentType.objects.get_for_model(Visit)
            for a in Attachment.objects.filter(owner_type=ct, owner_id__in=[str(v.pk) for v in visits]).only(
                "id", "name", "owner_id"
            ):
                photos.setdefault(int(a.owner_id), []).append(a)
        for v in visits:
            v.photo_list = photos.get(v.pk, [])
        can_manage = scope.covers(user, obj.scope_code, "people.manage_resident")
        return {
            "recorded_tags": recorded,
            "derived_tags": derived,
            "members": members,
            "visits": visits,
            "events": obj.events.select_related("actor")[:50],
            "can_manage": can_manage,
            "can_visit": scope.covers(user, obj.scope_code, "people.record_visit"),
            "can_reveal": scope.covers(user, obj.scope_code, "core.reveal_pii"),
            "tag_form": forms.TagForm(tags=[t for t in tags if not t.derived]) if can_manage else None,
            "transfers": obj.transfers.filter(status=TransferStatus.PENDING),
        }


def _manage_communities(user, perm="people.manage_resident"):
    """Communities where the user holds `perm` (a grid worker: the community of their grid)."""
    roots = scope.scope_codes(user, roles_with(perm))
    qs = OrgUnit.objects.filter(level="community")
    if roots is None:
        return list(qs.order_by("code"))
    q = Q(pk__in=[])
    for r in roots:
        q |= Q(code__startswith=r) if len(r) <= 12 else Q(code=r[:12])
    return list(qs.filter(q).order_by("code"))


class ResidentCreateView(ServiceFormView):
    form_class = forms.NewResidentForm
    title = _l("登记居民")
    perm = "people.manage_resident"

    def setup_objects(self):
        code = self.request.GET.get("community") or self.request.POST.get("community")
        choices = _manage_communities(self.request.user)
        self.community = next((c for c in choices if c.code == code), choices[0] if choices else None)

    def _check_perm(self):
        # A grid worker holds the permission for their grid only: the form offers that grid's houses
        # and the service checks the chosen house.
        if self.community is None:
            return error_page(self.request, 403)
        return None

    def initial(self):
        h = self.request.GET.get("house")
        return {"house": h, "kind": EventKind.REGISTER} if h else {"kind": EventKind.REGISTER}

    def context(self):
        return {"communities": _manage_communities(self.request.user), "community": self.community}

    def perform(self, form):
        data = {
            k: v
            for k, v in form.cleaned_data.items()
            if k not in ("kind", "version", "house") and v not in (None, "")
        }
        data["house_id"] = form.cleaned_data["house"]
        # The resident joins the community of the house picked (any the user manages); the
        # service checks the house and the permission there.
        house = House.objects.visible_to(self.request.user).filter(pk=data["house_id"]).first()
        code = house.scope_code[:12] if house else self.community.code
        return services.register_resident(
            self.request.user, data, community_code=code, kind=form.cleaned_data["kind"]
        )


class ResidentEditView(ServiceFormView):
    form_class = forms.ResidentForm
    title = _l("修改居民信息")
    perm = "people.manage_resident"

    def setup_objects(self):
        self.object = get_visible(Resident, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.object.scope_code

    def initial(self):
        o = self.object
        return {f: getattr(o, f) for f in forms.ResidentForm.base_fields if f != "version"} | {
            "version": o.version
        }

    def context(self):
        return {"object": self.object}

    def perform(self, form):
        data = {
            k: ("" if v is None and k not in ("birth_date", "move_in_date") else v)
            for k, v in form.cleaned_data.items()
            if k != "version"
        }
        return services.update_resident(
            self.request.user, self.object.pk, data, expected_version=form.cleaned_data.get("version")
        )


class EventView(ServiceFormView):
    form_class = forms.EventForm
    title = _l("登记人口变动")
    perm = "people.manage_resident"

    def setup_objects(self):
        self.object = get_visible(Resident, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.object.scope_code

    def get_form_kwargs(self):
        user = self.request.user
        households = (
            Household.objects.visible_to(user)
            .filter(house_id=self.object.house_id)
            .select_related("head", "house")
            if self.object.house_id
            else []
        )
        return {"community": self.object.community.code, "households": households}

    def initial(self):
        return {"version": self.object.version, "date": timezone.localdate()}

    def context(self):
        return {"object": self.object}

    def perform(self, form):
        d = form.cleaned_data
        return services.record_event(
            self.request.user,
            self.object.pk,
            d["kind"],
            date=d["date"],
            note=d["note"],
            house_id=d["house"],
            household_id=d["household"],
            relationship=d["relationship"],
            residence_type=d["residence_type"],
            expected_version=d.get("version"),
        )


@login_required
@require_POST
def add_tag(request, pk):
    resident = Resident.objects.visible_to(request.user).filter(pk=pk).first()
    if resident is None:
        raise Http404()
    form = forms.TagForm(request.POST, tags=[t for t in visible_tags(request.user) if not t.derived])
    back = resident.get_absolute_url()
    if not form.is_valid():
        return _domain_error(request, DomainError(_("请选择标签并填写正确的日期。")), back)
    d = form.cleaned_data
    try:
        services.set_tag(
            request.user,
            pk,
            d["code"],
            detail={"category": d["category"], "grade": d["grade"]},
            start_date=d["start_date"],
            note=d["note"],
        )
    except DomainError as exc:
        return _domain_error(request, exc, back)
    return redirect(back + "#tags")


@login_required
@require_POST
def end_tag(request, pk, code):
    if not Resident.objects.visible_to(request.user).filter(pk=pk).exists():
        raise Http404()
    back = reverse("people:resident-detail", args=[pk])
    try:
        services.end_tag(request.user, pk, code)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404() from None
        return _domain_error(request, exc, back)
    return redirect(back + "#tags")


# --- visits ------------------------------------------------------------------------------------
class VisitCreateView(ServiceFormView):
    form_class = forms.VisitForm
    title = _l("登记走访")
    perm = "people.record_visit"
    template_name = "people/visit_form.html"
    submit_label = _l("保存走访")

    def setup_objects(self):
        self.object = get_visible(Resident, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.object.scope_code

    def initial(self):
        return {"method": "home", "visited_at": timezone.localtime().replace(second=0, microsecond=0)}

    def context(self):
        return {"object": self.object}

    def perform(self, form):
        d = form.cleaned_data
        photos = read_photos(d["photos"])
        visited = d["visited_at"]
        return services.record_visit(
            self.request.user,
            self.object.pk,
            method=d["method"],
            findings=d["findings"],
            visited_at=visited,
            follow_up=d["follow_up"],
            follow_up_note=d["follow_up_note"],
            photos=photos,
        )

    def success_url(self, obj):
        return reverse("people:visits-due") + "?saved=" + str(obj.resident_id)


@login_required
def visits_due(request):
    """Who is due a visit, most overdue first; cards that read on a phone."""
    user = request.user
    if not scope.holds(user, "people.view_resident"):
        return error_page(request, 403)
    today = timezone.localdate()
    days = request.GET.get("days", "7")
    horizon = int(days) if days.isdigit() else 7
    qs = (
        Resident.objects.visible_to(user)
        .filter(
            status__in=[Status.ACTIVE, Status.MISSING],
            next_visit_due__isnull=False,
            next_visit_due__lte=today + timezone.timedelta(days=horizon),
        )
        .select_related("house")
        .order_by("next_visit_due", "id")
    )
    focus = scope.focus_of(request)
    if focus is not None:
        qs = qs.within(focus.code)
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(filters.search_q(q))
    rows = list(qs[:200])
    tags = tags_by_resident(user, rows)
    for r in rows:
        r.tag_list = tags.get(r.pk, [])
        r.overdue = (today - r.next_visit_due).days
    saved = request.GET.get("saved")
    return render(
        request,
        "people/visits_due.html",
        {
            "rows": rows,
            "today": today,
            "horizon": horizon,
            "q": q,
            "overdue_count": sum(1 for r in rows if r.overdue > 0),
            "saved": Resident.objects.visible_to(user).filter(pk=saved).first()
            if saved and saved.isdigit()
            else None,
        },
    )


# --- households and houses ---------------------------------------------------------------------
class HouseholdListView(ScopedListView):
    model = Household
    filterset_class = filters.HouseholdFilter
    title = _l("户")
    select_related = ("house", "head")
    columns = [
        Column(_l("户主"), "head.name", link=True),
        Column(_l("地址"), "house.address", sort="house__address"),
        Column(_l("户别"), "household_type"),
        Column(_l("住房性质"), "tenure"),
        Column(_l("人数"), "n_members"),
    ]

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .annotate(n_members=Count("members", filter=Q(members__status=Status.ACTIVE)))
            .order_by("scope_code", "id")
        )


class HouseholdDetailView(ScopedDetailView):
    model = Household
    template_name = "people/household_detail.html"
    select_related = ("house", "head", "community")

    def extra_context(self, obj):
        user = self.request.user
        return {
            "members": Resident.objects.visible_to(user)
            .filter(household=obj)
            .order_by("relationship", "birth_date"),
            "can_manage": scope.covers(user, obj.scope_code, "people.manage_resident"),
        }


class HouseholdCreateView(ServiceFormView):
    form_class = forms.NewHouseholdForm
    title = _l("立户")
    perm = "people.manage_resident"

    def setup_objects(self):
        self.house = get_visible(House, self.request.user, self.kwargs["house"])

    def perm_code(self):
        return self.house.scope_code

    def get_form_kwargs(self):
        return {
            "residents": Resident.objects.visible_to(self.request.user).filter(
                house=self.house, status=Status.ACTIVE
            )
        }

    def context(self):
        return {"object": self.house}

    def perform(self, form):
        d = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "head") and v not in (None,)}
        return services.create_household(
            self.request.user, house_id=self.house.pk, head_id=form.cleaned_data["head"], **d
        )


class HouseholdEditView(ServiceFormView):
    form_class = forms.HouseholdForm
    title = _l("修改户信息")
    perm = "people.manage_resident"

    def setup_objects(self):
        self.object = get_visible(Household, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.object.scope_code

    def initial(self):
        return {f: getattr(self.object, f) for f in forms.HouseholdForm.base_fields}

    def perform(self, form):
        d = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        return services.update_household(
            self.request.user, self.object.pk, d, expected_version=form.cleaned_data.get("version")
        )


class HouseListView(ScopedListView):
    model = House
    filterset_class = filters.HouseFilter
    title = _l("房屋")
    columns = [
        Column(_l("地址"), "address", sort="address", link=True),
        Column(_l("房屋用途"), "use"),
        Column(_l("产权人"), "owner_name"),
        Column(_l("在册人数"), "n_residents"),
        Column(_l("户数"), "n_households"),
    ]
    default_sort = "address"

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .annotate(
                n_residents=Count("residents", filter=Q(residents__status=Status.ACTIVE), distinct=True),
                n_households=Count("households", distinct=True),
            )
        )

    def col_address(self, obj):
        return obj.address


class HouseDetailView(ScopedDetailView):
    model = House
    template_name = "people/house_detail.html"
    select_related = ("unit__building__grid",)

    def extra_context(self, obj):
        user = self.request.user
        members = Resident.objects.visible_to(user).filter(house=obj).order_by("household_id", "relationship")
        households = (
            Household.objects.visible_to(user)
            .filter(house=obj)
            .select_related("head")
            .prefetch_related(Prefetch("members", queryset=Resident.objects.filter(status=Status.ACTIVE)))
        )
        return {
            "households": households,
            "residents": members,
            "can_manage": scope.covers(user, obj.scope_code, "people.manage_resident"),
        }


class HouseEditView(ServiceFormView):
    form_class = forms.HouseUseForm
    title = _l("房屋用途与产权人")
    perm = "people.manage_resident"

    def setup_objects(self):
        self.object = get_visible(House, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.object.scope_code

    def initial(self):
        return {"use": self.object.use, "owner_name": self.object.owner_name, "version": self.object.version}

    def perform(self, form):
        d = form.cleaned_data
        return services.set_house_use(
            self.request.user,
            self.object.pk,
            use=d["use"],
            owner_name=d["owner_name"],
            expected_version=d.get("version"),
        )

    def success_url(self, obj):
        return reverse("people:house-detail", args=[obj.pk])


# --- structure ---------------------------------------------------------------------------------
@login_required
def structure(request):
    """Population structure of the user's scope (or their focus): ECharts fed by JSON blocks."""
    user = request.user
    if not scope.holds(user, "people.view_resident"):
        return error_page(request, 403)
    focus = scope.focus_of(request)
    data = dashboard.structure(user, focus.code if focus else None)
    # Two mirrored grids (the left axis inverted) so that both halves read as positive counts, on
    # one scale so that the halves compare.
    scale = max(data["male"] + data["female"] + [1])
    pyramid = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0, "data": [_("男"), _("女")]},
        "grid": [
            {"left": "2%", "width": "41%", "top": 32, "bottom": 24},
            {"left": "57%", "width": "41%", "top": 32, "bottom": 24},
        ],
        "xAxis": [
            {"type": "value", "gridIndex": 0, "inverse": True, "max": scale},
            {"type": "value", "gridIndex": 1, "max": scale},
        ],
        "yAxis": [
            {
                "type": "category",
                "gridIndex": 0,
                "data": data["age_labels"],
                "axisLabel": {"show": False},
                "axisTick": {"show": False},
                "position": "right",
            },
            {
                "type": "category",
                "gridIndex": 1,
                "data": data["age_labels"],
                "axisTick": {"show": False},
                "axisLabel": {"margin": 30, "align": "center"},
            },
        ],
        "series": [
            {
                "name": _("男"),
                "type": "bar",
                "xAxisIndex": 0,
                "yAxisIndex": 0,
                "data": data["male"],
                "itemStyle": {"color": "#3b82f6"},
            },
            {
                "name": _("女"),
                "type": "bar",
                "xAxisIndex": 1,
                "yAxisIndex": 1,
                "data": data["female"],
                "itemStyle": {"color": "#ec4899"},
            },
        ],
    }
    residence = {
        "tooltip": {"trigger": "item", "formatter": "{b}：{c}（{d}%）"},
        "legend": {"bottom": 0},
        "series": [
            {
                "type": "pie",
                "radius": ["35%", "58%"],
                "center": ["50%", "45%"],
                "data": [
                    {**d, "itemStyle": {"color": RESIDENCE_COLORS.get(d["key"], "#94a3b8")}}
                    for d in data["residence"]
                ],
                "label": {"formatter": "{b}\n{d}%", "alignTo": "edge", "edgeDistance": 6, "minMargin": 4},
                "avoidLabelOverlap": True,
            }
        ],
    }
    tag_rows = sorted((t for t in data["tags"] if t["value"]), key=lambda t: t["value"])
    tags = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 24, "bottom": 8, "top": 8, "containLabel": True},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "data": [t["name"] for t in tag_rows]},
        "series": [
            {
                "type": "bar",
                "data": [t["value"] for t in tag_rows],
                "itemStyle": {"color": "#0d9488"},
                "label": {"show": True, "position": "right"},
            }
        ],
    }
    return render(
        request,
        "people/structure.html",
        {
            "data": data,
            "pyramid": pyramid,
            "residence": residence,
            "tags_chart": tags,
            "focus": focus,
            "tag_height": max(240, 26 * len(tag_rows)),
        },
    )


# --- import ------------------------------------------------------------------------------------
def _import_targets(user) -> list[tuple[str, str]]:
    """Where the user may import: whole communities they cover, or a grid worker's own grid."""
    roots = scope.scope_codes(user, roles_with("people.import_residents"))
    communities = OrgUnit.objects.filter(level="community").order_by("code")
    if roots is None:
        return [(c.code, c.display_name) for c in communities]
    out = [
        (c.code, c.display_name)
        for c in communities.filter(prefix_q("code", [r for r in roots if len(r) <= 12]))
    ]
    grids = Grid.objects.filter(code__in=[r for r in roots if len(r) > 12]).select_related("community")
    out += [
        (g.code, f"{g.community.display_name} · {g.name}")
        for g in grids
        if not any(g.code.startswith(c) for c, _l in out)
    ]
    return out


@login_required
def import_page(request):
    """Upload a workbook: it is checked in the background, then previewed before anything is written."""
    user = request.user
    targets = _import_targets(user)
    if not targets:
        return error_page(request, 403)
    codes = [c for c, _label in targets if len(c) == 12]
    grids = Grid.objects.filter(community__code__in=codes).select_related("community")[:300] if codes else []
    form = forms.ImportForm(request.POST or None, request.FILES or None, targets=targets, grids=grids)
    if request.method == "POST" and form.is_valid():
        opts = {"grid_id": int(form.cleaned_data["grid"])} if form.cleaned_data.get("grid") else {}
        try:
            batch = importing.start_upload(
                user, ResidentImporter.kind, form.cleaned_data["community"], form.cleaned_data["file"], opts
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect(batch.get_absolute_url())
    recent = importing.recent_batches(user, ResidentImporter.kind)
    return render(
        request,
        "people/import.html",
        {"form": form, "recent": recent, "kind": ResidentImporter.kind},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def transfer_from_import(request, batch, line):
    """From a conflict row of an import preview: ask the other community to hand the person over.
    The document number is read from the stored file, so it never travels through the page."""
    b = ImportBatch.objects.visible_to(request.user).filter(pk=batch, kind=ResidentImporter.kind).first()
    if b is None:
        raise Http404()
    back = b.get_absolute_url()
    sheet = request.GET.get("sheet", "")
    reading = importing.read_batch(b)
    raw = next((r for sh, ln, r in reading.rows if ln == line and sh == sheet), None)
    if raw is None:
        raise Http404()
    values, _errors = importing.parse_batch_row(ResidentImporter, reading, raw)
    try:
        services.request_transfer(
            request.user,
            doc_number=values["doc_number"] or "",
            to_community_code=b.scope_code,
            reason=_("导入批次 %(b)s 第 %(n)d 行") % {"b": b.batch_label, "n": line},
        )
    except DomainError as exc:
        return _domain_error(request, exc, back)
    return redirect(reverse("people:transfer-list"))


# --- transfers ---------------------------------------------------------------------------------
@login_required
def transfer_list(request):
    user = request.user
    if not scope.holds(user, "people.view_resident"):
        return error_page(request, 403)
    rows = list(
        Transfer.objects.visible_to(user).select_related(
            "resident__community", "to_community", "to_house", "requested_by"
        )[:200]
    )
    for t in rows:
        t.can_decide = t.status == TransferStatus.PENDING and scope.covers(
            user, t.from_code, "people.manage_resident"
        )
        t.can_cancel = t.status == TransferStatus.PENDING and scope.covers(
            user, t.to_code, "people.manage_resident"
        )
        t.masked_doc = mask(t.resident.doc_number, "id_number")
    communities = _manage_communities(user)
    form = forms.TransferForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.request_transfer(
                user, doc_number=d["doc_number"], to_community_code=d["to_community"], reason=d["reason"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(reverse("people:transfer-list"))
    return render(
        request, "people/transfers.html", {"rows": rows, "form": form}, status=400 if form.errors else 200
    )


@login_required
@require_POST
def transfer_decide(request, pk):
    if not Transfer.objects.visible_to(request.user).filter(pk=pk).exists():
        raise Http404()
    try:
        services.decide_transfer(
            request.user, pk, accept=request.POST.get("accept") == "1", note=request.POST.get("note", "")
        )
    except DomainError as exc:
        return _domain_error(request, exc, reverse("people:transfer-list"))
    return redirect(reverse("people:transfer-list"))


@login_required
@require_POST
def transfer_cancel(request, pk):
    if not Transfer.objects.visible_to(request.user).filter(pk=pk).exists():
        raise Http404()
    try:
        services.cancel_transfer(request.user, pk)
    except DomainError as exc:
        return _domain_error(request, exc, reverse("people:transfer-list"))
    return redirect(reverse("people:transfer-list"))


# --- tag settings ------------------------------------------------------------------------------
@login_required
def tag_list(request):
    try:
        require(request.user, "people.manage_tags")
    except DomainError:
        return error_page(request, 403)
    from shequ.core.roles import Role

    names = dict(Role.choices)
    tags = list(TagDefinition.objects.all())
    for t in tags:
        t.role_names = "、".join(str(names.get(r, r)) for r in t.granted_roles)
    return render(request, "people/tags.html", {"tags": tags})


class TagEditView(ServiceFormView):
    form_class = forms.TagDefinitionForm
    title = _l("人群标签")

    def setup_objects(self):
        self.object = (
            TagDefinition.objects.filter(pk=self.kwargs["pk"]).first() if self.kwargs.get("pk") else None
        )
        if self.kwargs.get("pk") and self.object is None:
            raise Http404()

    def _check_perm(self):
        try:
            require(self.request.user, "people.manage_tags")
        except DomainError:
            return error_page(self.request, 403)
        return None

    def initial(self):
        if self.object is None:
            return {"sensitivity": "ordinary", "active": True, "sort_order": 100}
        o = self.object
        return {
            f: getattr(o, f)
            for f in (
                "name",
                "code",
                "sensitivity",
                "visit_interval_days",
                "granted_roles",
                "active",
                "sort_order",
                "rule",
            )
        }

    def get_form_kwargs(self):
        return {}

    def render_form(self, form, status=200):
        if self.object is not None:
            form.fields["code"].disabled = True
        return super().render_form(form, status)

    def perform(self, form):
        d = dict(form.cleaned_data)
        d.pop("rule", None)
        return services.save_tag_definition(
            self.request.user, pk=self.object.pk if self.object else None, **d
        )

    def success_url(self, obj):
        return reverse("people:tag-list")
