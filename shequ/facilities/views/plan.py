"""The district's plan of projects and the 四个同步 handovers."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import scope
from shequ.core.errors import NotFound
from shequ.core.generic import ServiceFormView, error_page
from shequ.core.services import get_visible
from shequ.facilities import services
from shequ.facilities.forms import HandoverForm, HandoverRecordForm, ProjectForm, ProjectMoveForm, org_choices
from shequ.facilities.models import MANAGE_HANDOVER, Handover, HandoverState, Project, ProjectStatus
from shequ.facilities.views.common import HeldAnywhere, focus_code, scope_label


@login_required
def projects(request):
    """建设计划: the projects of a scope (a year, or all) with funds and progress."""
    user = request.user
    if not scope.may_read(user, Project):
        return error_page(request, 403)
    code = (request.GET.get("scope") or focus_code(request) or "").strip()
    try:
        year = int(request.GET.get("year") or 0) or None
    except ValueError:
        year = None
    if year is not None and not 2000 <= year <= 2100:
        year = None
    try:
        report = services.plan_progress(user, code or None, year)
    except NotFound:
        raise Http404() from None
    rows = Project.objects.visible_to(user).within(code or None).select_related("community")
    if year:
        rows = rows.filter(plan_year=year)
    years = sorted(set(Project.objects.visible_to(user).values_list("plan_year", flat=True)), reverse=True)
    ctx = {
        "report": report,
        "rows": rows.order_by("-plan_year", "scope_code", "id")[:500],
        "year": year,
        "years": years,
        "scope_label": scope_label(code),
        "can_manage": scope.holds(user, MANAGE_HANDOVER),
        "moves": {s: sorted(t) for s, t in services.TRANSITIONS.items()},
    }
    return render(request, "facilities/projects.html", ctx)


class ProjectCreate(HeldAnywhere, ServiceFormView):
    form_class = ProjectForm
    title = _l("新增建设项目")
    perm = MANAGE_HANDOVER

    def get_form_kwargs(self):
        return {"communities": org_choices(self.request.user, MANAGE_HANDOVER)}

    def initial(self):
        return {"plan_year": timezone.localdate().year, "funds": 0}

    def context(self):
        return {"parent_url": reverse("facilities:project-list"), "parent_title": _("建设计划")}

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.add_project(self.request.user, d.pop("community"), **d)


class ProjectMove(ServiceFormView):
    form_class = ProjectMoveForm
    title = _l("登记项目进展")
    submit_label = _l("登记")
    perm = MANAGE_HANDOVER

    def setup_objects(self):
        self.project = get_visible(Project, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.project.scope_code

    def initial(self):
        p = self.project
        nxt = sorted(services.TRANSITIONS[ProjectStatus(p.status)])
        return {"status": p.status if p.status == ProjectStatus.UNDERWAY else (nxt[-1] if nxt else p.status),
                "on": timezone.localdate(), "progress": p.progress}  # fmt: skip

    def context(self):
        p = self.project
        return {"parent_url": reverse("facilities:project-list"), "parent_title": _("建设计划"),
                "intro": _("%(t)s（%(c)s，目前：%(s)s，进度 %(p)d%%）") % {"t": p.title, "c": p.community.display_name,
                                                                     "s": p.get_status_display(), "p": p.progress}}  # fmt: skip

    def perform(self, form):
        d = form.cleaned_data
        return services.move_project(self.request.user, self.project.pk, d["status"], on=d["on"],
                                     progress=d["progress"], note=d["note"])  # fmt: skip


@login_required
def handovers(request):
    """四个同步移交: every estate's duty, what was handed over, the gap; overdue ones first."""
    user = request.user
    if not scope.may_read(user, Handover):
        return error_page(request, 403)
    code = (request.GET.get("scope") or focus_code(request) or "").strip()
    state = request.GET.get("state") or None
    if state not in HandoverState.values:
        state = None
    try:
        rows = services.handovers_of(user, code or None, state=state)
    except NotFound:
        raise Http404() from None
    today = timezone.localdate()
    overdue = [h for h in rows if h.state(today) == HandoverState.OVERDUE] if not state else []
    ctx = {
        "rows": rows,
        "overdue": overdue,
        "state": state or "",
        "states": HandoverState.choices,
        "scope_label": scope_label(code),
        "can_manage": scope.holds(user, MANAGE_HANDOVER),
        "required": sum((h.required_area for h in rows), 0),
        "handed": sum((min(h.handed_area, h.required_area) for h in rows), 0),
        "gap": sum((h.gap for h in rows), 0),
    }
    return render(request, "facilities/handovers.html", ctx)


class HandoverCreate(HeldAnywhere, ServiceFormView):
    form_class = HandoverForm
    title = _l("登记新建小区配建移交")
    perm = MANAGE_HANDOVER

    def get_form_kwargs(self):
        return {"places": org_choices(self.request.user, MANAGE_HANDOVER, levels=("street", "community"))}

    def context(self):
        return {"parent_url": reverse("facilities:handover-list"), "parent_title": _("四个同步移交")}

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.add_handover(self.request.user, d.pop("where"), **d)


class HandoverRecord(ServiceFormView):
    form_class = HandoverRecordForm
    title = _l("登记移交")
    submit_label = _l("登记")
    perm = MANAGE_HANDOVER

    def setup_objects(self):
        self.handover = get_visible(Handover, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.handover.scope_code

    def initial(self):
        h = self.handover
        return {"area": h.handed_area or h.required_area, "on": timezone.localdate(), "note": h.note}

    def context(self):
        h = self.handover
        return {"parent_url": reverse("facilities:handover-list"), "parent_title": _("四个同步移交"),
                "intro": _("%(e)s（%(d)s）：应移交 %(r)s 平方米，应于 %(due)s 前移交；已移交 %(h)s 平方米。")
                % {"e": h.estate, "d": h.developer, "r": h.required_area, "due": h.due_on, "h": h.handed_area}}  # fmt: skip

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.record_handover(self.request.user, self.handover.pk, **d)
