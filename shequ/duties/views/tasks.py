"""Pages of the duties module: the tasks admitted to communities (list, page, progress and funding
reports), the community's refusal of tasks that came without admission, and certificates (issued
from the 证明事项 list, or refused with a notice). Reads go through visible_to, writes through
services; letters and certificates print without the page shell."""

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from shequ.core import attachments, scope
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
from shequ.core.roles import Role
from shequ.core.scope import prefix_q
from shequ.duties import services
from shequ.duties.forms_tasks import (
    CertificateForm,
    CertificateRefuseForm,
    FundingForm,
    RefusalForm,
    TaskReportForm,
    resident_label,
)
from shequ.duties.models import (
    METRICS,
    AdmissionRequest,
    Certificate,
    CertificateRefusal,
    Kind,
    Refusal,
    Task,
    TaskReport,
    TaskStatus,
)
from shequ.org.filters import CommunityChoice, ScopedFilterSet, _filter_community
from shequ.org.models import Level, OrgUnit

RESIDENT_CHOICES = 30  # a name search offers at most this many residents


# --- shared ------------------------------------------------------------------------------------
def acting_communities(request, perm: str):
    """The communities where the user holds `perm`, narrowed to the page's focus."""
    qs = OrgUnit.objects.filter(level=Level.COMMUNITY).where_held(request.user, perm)
    focus = scope.focus_of(request)
    if focus is not None:
        qs = qs.within(focus.code)
    return qs.order_by("code")


def issuer_name(community) -> str:
    """The full name a letter is signed with: 江夏区纸坊街道宁安社区居民委员会."""
    name = community.name
    for short, full in (("居委会", "居民委员会"), ("村委会", "村民委员会")):
        if name.endswith(short):
            name = name[: -len(short)] + full
    chain = []
    node = community.parent
    while node is not None and node.level in (Level.DISTRICT, Level.STREET):
        chain.insert(0, node.name)
        node = node.parent
    return "".join(chain) + name


def _many_communities(user) -> bool:
    """Does the user see more than one community (so lists need a community column)?"""
    roots = scope.scope_codes(user)
    return roots is None or any(len(r) < 12 for r in roots) or len(roots) > 1


def _posted_community_in(request, communities) -> None:
    """A form posted for a community outside the user's reach is not found (its act is never tried)."""
    posted = request.POST.get("community") if request.method == "POST" else None
    if posted and not (posted.isdigit() and communities.filter(pk=int(posted)).exists()):
        raise NotFound()


def _lacks(user, perm: str) -> bool:
    """A signed-in user holding `perm` nowhere (an anonymous one is sent to sign in instead)."""
    return user.is_authenticated and not scope.holds(user, perm)


# --- tasks -------------------------------------------------------------------------------------
def overdue_q(day=None) -> Q:
    """The SQL twin of Task.overdue."""
    return Q(status=TaskStatus.ACTIVE, deadline__lt=day or timezone.localdate())


class TaskFilter(ScopedFilterSet):
    q = django_filters.CharFilter(
        label=_l("任务名称"), method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    status = django_filters.ChoiceFilter(label=_l("状态"), choices=TaskStatus.choices)
    department = django_filters.ChoiceFilter(label=_l("下派部门"), choices=[])
    overdue = django_filters.BooleanFilter(
        label=_l("仅超期"), method="filter_overdue", widget=forms.CheckboxInput
    )
    community = CommunityChoice()

    class Meta:
        model = Task
        fields = []

    def __init__(self, data=None, *args, request=None, queryset=None, **kwargs):
        super().__init__(data, *args, request=request, queryset=queryset, **kwargs)
        names = (
            sorted(queryset.order_by().values_list("department", flat=True).distinct())
            if queryset is not None
            else []
        )
        self.filters["department"].extra["choices"] = [(n, n) for n in names]

    def search(self, qs, name, value):
        return qs.filter(title__contains=value.strip()) if value.strip() else qs

    def filter_overdue(self, qs, name, value):
        return qs.filter(overdue_q()) if value else qs

    filter_community = staticmethod(_filter_community)


class TaskListView(ScopedListView):
    model = Task
    filterset_class = TaskFilter
    title = _l("下派任务")
    select_related = ("community",)
    table_template = "duties/task_table.html"
    all_columns = [
        Column(_l("下派部门"), "department", sort="department"),
        Column(_l("任务名称"), "title", link=True),
        Column(_l("社区"), "community.display_name", sort="scope_code"),
        Column(_l("事项类别"), "kind"),
        Column(_l("完成期限"), "deadline", sort="deadline"),
        Column(_l("进度（%）"), "progress", sort="progress"),
        Column(_l("累计用时（小时）"), "hours_spent"),
        Column(_l("随事经费（元）"), "funding"),
        Column(_l("状态"), "status", sort="status"),
        Column(_l("超期"), "overdue_text"),
    ]

    def dispatch(self, request, *args, **kwargs):
        if _lacks(request.user, "duties.view_tasks"):
            return error_page(request, 403)
        return super().dispatch(request, *args, **kwargs)

    @property
    def columns(self):
        request = getattr(self, "request", None)
        if request is not None and _many_communities(request.user):
            return self.all_columns
        return [c for c in self.all_columns if c.attr != "community.display_name"]

    def base_queryset(self):
        # Overdue tasks first, then the nearest deadline (a chosen sort replaces this).
        late = Case(When(overdue_q(), then=Value(0)), default=Value(1), output_field=IntegerField())
        return super().base_queryset().annotate(late=late).order_by("late", "deadline", "pk")

    def col_overdue_text(self, obj):
        return _("超期") if obj.overdue else ""


def _task_reports(task):
    reports = list(task.reports.select_related("author"))
    files = attachments.attachments_of(TaskReport, [r.pk for r in reports])
    for r in reports:
        r.files = files.get(str(r.pk), [])
    return reports


def _funds_task(user, task) -> bool:
    """Is the user staff of the department that owes this task's money?"""
    if not scope.covers(user, task.scope_code, "duties.record_funding"):
        return False
    if scope.is_global(user):
        return True
    return any(
        m.role == Role.DEPARTMENT
        and m.department == task.department
        and task.scope_code.startswith(m.scope_code)
        for m in scope.memberships(user)
    )


def task_context(request, task, *, report_form=None, funding_form=None, error=None) -> dict:
    """Everything the task page shows; bound forms carry a refused report back to the page."""
    user = request.user
    try:
        commitment = task.commitment
    except Task.commitment.RelatedObjectDoesNotExist:
        commitment = None
    can_report = task.status == TaskStatus.ACTIVE and scope.covers(
        user, task.scope_code, "duties.report_task"
    )
    can_fund = commitment is not None and _funds_task(user, task)
    burden = [(label, getattr(task, f), per_year) for f, label, per_year in METRICS]
    return {
        "object": task,
        "task": task,
        "request_visible": AdmissionRequest.objects.visible_to(user).filter(pk=task.request_id).exists(),
        "burden": burden,
        "commitment": commitment,
        "reports": _task_reports(task),
        "report_form": (report_form or TaskReportForm(task=task)) if can_report else None,
        "funding_form": (funding_form or FundingForm()) if can_fund else None,
        "error": error,
        "title": task.title,
    }


class TaskDetailView(ScopedDetailView):
    model = Task
    template_name = "duties/task_detail.html"
    select_related = ("community", "request", "commitment")

    def extra_context(self, obj):
        return task_context(self.request, obj)


def _visible_task(request, pk):
    task = (
        Task.objects.visible_to(request.user)
        .select_related(*TaskDetailView.select_related)
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404(_("未找到该任务，或它不在您的管辖范围内。"))
    return task


def _render_task(request, task, status, **kw):
    return render(request, "duties/task_detail.html", task_context(request, task, **kw), status=status)


@login_required
@require_POST
def task_report(request, pk):
    """A progress or completion report from the community that carries the task."""
    task = _visible_task(request, pk)
    if not scope.covers(request.user, task.scope_code, "duties.report_task"):
        return error_page(request, 403, _("只有承接任务的社区工作人员可以报告进度。"))
    form = TaskReportForm(request.POST, request.FILES, task=task)
    if not form.is_valid():
        return _render_task(request, task, 400, report_form=form, error=_("请按提示填写后再提交。"))
    d = form.cleaned_data
    try:
        services.report_progress(
            request.user,
            task.pk,
            progress=d["progress"],
            hours=d["hours"],
            note=d["note"],
            completes=d["completes"],
            files=read_photos(d.get("files")),
            expected_version=d.get("expected_version"),
        )
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        for field, msgs in (exc.details or {}).items():
            if field in form.fields:
                for m in msgs:
                    form.add_error(field, m)
        task.refresh_from_db()
        return _render_task(request, task, exc.status, report_form=form, error=exc.message)
    messages.success(request, _("已提交完成报告，任务已完成。") if d["completes"] else _("进度已报告。"))
    return hx_redirect(request, reverse("duties:task-detail", args=[task.pk]))


@login_required
@require_POST
def task_funding(request, pk):
    """The department records money delivered against the task's funding commitment."""
    task = _visible_task(request, pk)
    if not _funds_task(request.user, task):
        return error_page(request, 403, _("只有下派该任务的部门可以登记经费到位。"))
    form = FundingForm(request.POST)
    if not form.is_valid():
        return _render_task(request, task, 400, funding_form=form, error=_("请填写到位金额。"))
    try:
        services.record_funding(request.user, task.pk, form.cleaned_data["amount"])
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return _render_task(request, task, exc.status, funding_form=form, error=exc.message)
    messages.success(request, _("经费到位已登记。"))
    return hx_redirect(request, reverse("duties:task-detail", args=[task.pk]))


# --- refusals of unadmitted tasks --------------------------------------------------------------
class RefusalFilter(ScopedFilterSet):
    q = django_filters.CharFilter(
        label=_l("编号、事项或部门"), method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    community = CommunityChoice()

    class Meta:
        model = Refusal
        fields = []

    def search(self, qs, name, value):
        v = value.strip()
        if not v:
            return qs
        return qs.filter(Q(number__startswith=v) | Q(title__contains=v) | Q(department__contains=v))

    filter_community = staticmethod(_filter_community)


class RefusalListView(ScopedListView):
    model = Refusal
    filterset_class = RefusalFilter
    title = _l("拒收未准入事项")
    select_related = ("community", "item")
    actions_template = "duties/refusal_list_actions.html"
    columns = [
        Column(_l("告知书编号"), "number", sort="number", link=True),
        Column(_l("社区"), "community.display_name", sort="scope_code"),
        Column(_l("交办部门"), "department", sort="department"),
        Column(_l("交办事项"), "title"),
        Column(_l("收到日期"), "received_on", sort="received_on"),
        Column(_l("交办方式"), "channel"),
        Column(_l("负面清单事项"), "item_text"),
        Column(_l("拒收时间"), "refused_text", sort="refused_at"),
    ]

    def dispatch(self, request, *args, **kwargs):
        if _lacks(request.user, "duties.view_tasks"):
            return error_page(request, 403)
        return super().dispatch(request, *args, **kwargs)

    def col_item_text(self, obj):
        return str(obj.item) if obj.item_id else ""

    def col_refused_text(self, obj):
        return timezone.localtime(obj.refused_at).strftime("%Y-%m-%d %H:%M")

    def extra_context(self):
        return {"can_refuse": acting_communities(self.request, "duties.refuse_task").exists()}


class RefusalCreateView(ServiceFormView):
    form_class = RefusalForm
    template_name = "duties/refusal_form.html"
    title = _l("登记拒收未经准入的事项")
    submit_label = _l("拒收并生成告知书")

    def setup_objects(self):
        self.communities = acting_communities(self.request, "duties.refuse_task")
        _posted_community_in(self.request, self.communities)

    def _check_perm(self):
        if not self.communities.exists():
            return error_page(self.request, 403, _("只有社区负责人可以拒收未经准入的事项。"))
        return None

    def get_form_kwargs(self):
        roots = [c.code for c in self.communities[:50]]
        departments = (
            Task.objects.visible_to(self.request.user)
            .filter(prefix_q("scope_code", roots))
            .values_list("department", flat=True)
            .distinct()[:100]
        )
        return {"communities": self.communities, "departments": sorted(set(departments))}

    def initial(self):
        return {"received_on": timezone.localdate()}

    def context(self):
        return {"parent_url": reverse("duties:refusal-list"), "parent_title": _("拒收未准入事项")}

    def perform(self, form):
        d = form.cleaned_data
        refusal = services.refuse_unadmitted(
            self.request.user,
            community=d["community"],
            department=d["department"],
            title=d["title"],
            description=d["description"],
            received_on=d["received_on"],
            channel=d["channel"],
        )
        messages.success(self.request, _("已登记拒收，可打印告知书交给交办部门。"))
        return refusal


class RefusalDetailView(ScopedDetailView):
    model = Refusal
    template_name = "duties/refusal_detail.html"
    select_related = ("community__parent__parent", "item__duty_list", "refused_by")

    def extra_context(self, obj):
        return {"issuer": issuer_name(obj.community), "title": _("拒收告知书")}


# --- certificates ------------------------------------------------------------------------------
class CertificateFilter(ScopedFilterSet):
    q = django_filters.CharFilter(
        label=_l("编号或申请人姓名"), method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    community = CommunityChoice()

    class Meta:
        model = Certificate
        fields = []

    def search(self, qs, name, value):
        v = value.strip()
        if not v:
            return qs
        return qs.filter(Q(number__startswith=v) | Q(requester_name__contains=v))

    filter_community = staticmethod(_filter_community)


TABS = (("issued", _l("已出具证明")), ("refused", _l("不予出具告知")))


class CertificateListView(ScopedListView):
    """Certificates issued and certificates refused, one tab each, one search by number or name."""

    model = Certificate
    filterset_class = CertificateFilter
    title = _l("证明出具记录")
    template_name = "duties/certificate_list.html"
    actions_template = "duties/certificate_list_actions.html"
    select_related = ("community",)
    issued_columns = [
        Column(_l("证明编号"), "number", sort="number", link=True),
        Column(_l("证明事项"), "item.title"),
        Column(_l("申请人"), "requester_name"),
        Column(_l("用途"), "purpose"),
        Column(_l("社区"), "community.display_name", sort="scope_code"),
        Column(_l("出具日期"), "issued_on", sort="issued_on"),
        Column(_l("经办人"), "issuer"),
    ]
    refused_columns = [
        Column(_l("告知书编号"), "number", sort="number", link=True),
        Column(_l("申请出具的证明"), "requested"),
        Column(_l("申请人"), "requester_name"),
        Column(_l("用途"), "purpose"),
        Column(_l("社区"), "community.display_name", sort="scope_code"),
        Column(_l("建议办理渠道"), "redirect"),
        Column(_l("日期"), "refused_on", sort="refused_on"),
        Column(_l("经办人"), "refused_by"),
    ]

    def dispatch(self, request, *args, **kwargs):
        if _lacks(request.user, "duties.view_certificates"):
            return error_page(request, 403)
        self.tab = "refused" if request.GET.get("tab") == "refused" else "issued"
        if self.tab == "refused":
            self.model = CertificateRefusal
            self.title = _l("不予出具证明告知")
            self.select_related = ("community", "refused_by")
        else:
            self.select_related = ("community", "item", "issuer")
        return super().dispatch(request, *args, **kwargs)

    @property
    def columns(self):
        return self.refused_columns if getattr(self, "tab", "issued") == "refused" else self.issued_columns

    def extra_context(self):
        return {
            "tabs": TABS,
            "tab": self.tab,
            "can_issue": acting_communities(self.request, "duties.issue_certificate").exists(),
        }


def _residents(request, communities):
    from shequ.people.models import Resident

    return Resident.objects.visible_to(request.user).filter(community__in=communities)


def _limit_residents(field, residents, q: str, chosen=None):
    """Offer only the residents a name search found (a community holds thousands)."""
    rows = list(residents.filter(name__contains=q)[:RESIDENT_CHOICES]) if q else []
    if chosen is not None and all(r.pk != chosen.pk for r in rows):
        rows.insert(0, chosen)
    label = field.empty_label or ""
    if q:
        label = _("找到 %(n)d 人，请选择") % {"n": len(rows)} if rows else _("本社区没有该姓名的居民")
    field.widget.choices = [("", label)] + [(r.pk, resident_label(r)) for r in rows]


class _CertificateFormView(ServiceFormView):
    perm_name = "duties.issue_certificate"

    def setup_objects(self):
        self.communities = acting_communities(self.request, self.perm_name)
        _posted_community_in(self.request, self.communities)

    def _check_perm(self):
        if not self.communities.exists():
            return error_page(self.request, 403, _("只有社区工作人员可以出具证明。"))
        return None

    # On an htmx post only the form comes back; the refusal form swaps its wrapper (with the hint).
    htmx_template = "core/_form.html"
    htmx_target = ""

    def render_form(self, form, status=200):
        chosen = form.cleaned_data.get("resident") if hasattr(form, "cleaned_data") else None
        q = (self.request.GET.get("q") or "").strip()[:20]
        _limit_residents(form.fields["resident"], form.fields["resident"].queryset, q, chosen)
        ctx = {"form": form, "title": self.title, "submit_label": self.submit_label, "view": self}
        ctx.update(self.context())
        if not self.request.htmx:
            return render(self.request, self.template_name, ctx, status=status)
        resp = render(self.request, self.htmx_template, ctx, status=status)
        if self.htmx_target:
            resp["HX-Retarget"] = self.htmx_target
            resp["HX-Reswap"] = "outerHTML"
        return resp

    def context(self):
        return {
            "parent_url": reverse("duties:certificate-list"),
            "parent_title": _("证明出具记录"),
            "resident_search_url": reverse("duties:certificate-residents"),
        }


class CertificateCreateView(_CertificateFormView):
    form_class = CertificateForm
    template_name = "duties/certificate_form.html"
    title = _l("出具证明")
    submit_label = _l("出具证明")

    def get_form_kwargs(self):
        community = self.communities.first() if self.communities.count() == 1 else None
        items = services.items_in_force(community.code, kind=Kind.CERTIFICATE) if community else None
        if items is None:
            from shequ.duties.models import DutyItem

            items = DutyItem.objects.none()
            posted = self.request.POST.get("community") or self.request.GET.get("community")
            picked = self.communities.filter(pk=posted).first() if str(posted or "").isdigit() else None
            if picked is not None:
                items = services.items_in_force(picked.code, kind=Kind.CERTIFICATE)
        return {
            "communities": self.communities,
            "items": items.select_related("duty_list"),
            "residents": _residents(self.request, self.communities),
        }

    def initial(self):
        data = {}
        item = self.request.GET.get("item")
        if item and item.isdigit():
            data["item"] = int(item)
        return data

    def perform(self, form):
        d = form.cleaned_data
        cert = services.issue_certificate(
            self.request.user,
            community=d["community"],
            item=d["item"],
            resident=d["resident"],
            purpose=d["purpose"],
            content=d["content"],
        )
        messages.success(self.request, _("证明已出具，请打印后加盖公章。"))
        return cert


class CertificateRefuseView(_CertificateFormView):
    form_class = CertificateRefuseForm
    template_name = "duties/certificate_refuse.html"
    htmx_template = "duties/certificate_refuse_form.html"
    htmx_target = "#refuse-form-wrap"
    title = _l("不予出具证明")
    submit_label = _l("登记并生成告知书")

    def get_form_kwargs(self):
        return {"communities": self.communities, "residents": _residents(self.request, self.communities)}

    def context(self):
        ctx = super().context()
        ctx["listed"] = getattr(self, "listed", None)
        return ctx

    def perform(self, form):
        d = form.cleaned_data
        try:
            refusal = services.refuse_certificate(
                self.request.user,
                community=d["community"],
                requested=d["requested"],
                requester_name=d["requester_name"],
                resident=d.get("resident"),
                purpose=d.get("purpose") or "",
            )
        except DomainError:
            # A listed type is issued, not refused: the page offers the certificate form.
            listed, _negative = services.certificate_match(d["community"].code, d["requested"])
            self.listed = listed
            raise
        messages.success(self.request, _("已登记，请打印告知书交给申请人。"))
        return refusal


@login_required
def certificate_residents(request):
    """The resident choices of a certificate form, found by name within the acting communities."""
    communities = acting_communities(request, "duties.issue_certificate")
    if not communities.exists():
        return error_page(request, 403)
    picked = request.GET.get("community")
    if picked and picked.isdigit():
        communities = communities.filter(pk=picked)
    q = (request.GET.get("q") or "").strip()[:20]
    rows = list(_residents(request, communities).filter(name__contains=q)[:RESIDENT_CHOICES]) if q else []
    return render(
        request,
        "duties/certificate_resident_options.html",
        {"rows": [(r.pk, resident_label(r)) for r in rows], "q": q},
    )


class CertificateDetailView(ScopedDetailView):
    model = Certificate
    template_name = "duties/certificate_detail.html"
    select_related = ("community__parent__parent", "item__duty_list", "resident", "issuer")

    def extra_context(self, obj):
        return {"issuer": issuer_name(obj.community), "title": _("证明")}


class CertificateRefusalDetailView(ScopedDetailView):
    model = CertificateRefusal
    template_name = "duties/certificate_refusal_detail.html"
    select_related = ("community__parent__parent", "item__duty_list", "refused_by")

    def extra_context(self, obj):
        return {"issuer": issuer_name(obj.community), "title": _("不予出具证明告知书")}


urlpatterns = [
    path("tasks/", TaskListView.as_view(), name="task-list"),
    path("tasks/<int:pk>/", TaskDetailView.as_view(), name="task-detail"),
    path("tasks/<int:pk>/report/", task_report, name="task-report"),
    path("tasks/<int:pk>/funding/", task_funding, name="task-funding"),
    path("refusals/", RefusalListView.as_view(), name="refusal-list"),
    path("refusals/new/", RefusalCreateView.as_view(), name="refusal-create"),
    path("refusals/<int:pk>/", RefusalDetailView.as_view(), name="refusal-detail"),
    path("certificates/", CertificateListView.as_view(), name="certificate-list"),
    path("certificates/new/", CertificateCreateView.as_view(), name="certificate-create"),
    path("certificates/residents/", certificate_residents, name="certificate-residents"),
    path("certificates/refuse/", CertificateRefuseView.as_view(), name="certificate-refuse"),
    path("certificates/<int:pk>/", CertificateDetailView.as_view(), name="certificate-detail"),
    path(
        "certificates/refusals/<int:pk>/",
        CertificateRefusalDetailView.as_view(),
        name="certificate-refusal-detail",
    ),
]
