"""Pages of the workforce module: the roster, a worker's record with its history and acts, the
workforce overview (structure, staffing, turnover) with its Excel export, and population."""

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import changelog, scope
from shequ.core.errors import DomainError, NotFound
from shequ.core.excel import xlsx_response
from shequ.core.generic import Column, ScopedDetailView, ScopedListView, ServiceFormView, error_page
from shequ.core.models import Action
from shequ.core.services import get_visible
from shequ.core.sheets import IMPORT_ACCEPT
from shequ.workforce import exports, reports, services
from shequ.workforce.filters import WorkerFilter
from shequ.workforce.forms import (
    EndOfficeForm,
    ExitForm,
    NewWorkerForm,
    OfficeForm,
    PopulationForm,
    QualificationForm,
    ReturnForm,
    SecondmentForm,
    SignInForm,
    TrainingForm,
    TransferForm,
    WorkerForm,
)
from shequ.workforce.models import VIEW, VIEW_SENSITIVE, Body, Office, Population, Status, Training, Worker


class WorkerList(ScopedListView):
    model = Worker
    filterset_class = WorkerFilter
    title = _l("社区工作者名册")
    default_sort = "scope_code"
    select_related = ("org",)
    actions_template = "workforce/_worker_actions.html"
    columns = [
        Column(_l("姓名"), "name", sort="name", link=True),
        Column(_l("所在社区或街道"), "org.display_name", sort="scope_code"),
        Column(_l("性别"), "gender"),
        Column(_l("出生日期"), "birth_date", sort="birth_date"),
        Column(_l("学历"), "education", sort="education"),
        Column(_l("政治面貌"), "political_status"),
        Column(_l("岗位"), "post"),
        Column(_l("来源"), "source", sort="source"),
        Column(_l("参加社区工作时间"), "hired_on", sort="hired_on"),
        Column(_l("状态"), "status", sort="status"),
        Column(_l("身份证号码"), "id_number", mask="id_number", page=False),
        Column(_l("联系电话"), "phone", mask="phone", page=False),
    ]

    def extra_context(self):
        return {"can_add": scope.holds(self.request.user, services.MANAGE)}


class WorkerDetail(ScopedDetailView):
    model = Worker
    template_name = "workforce/worker_detail.html"
    select_related = ("org", "resident", "user")

    def extra_context(self, obj) -> dict:
        user = self.request.user
        sensitive = scope.covers(user, obj.scope_code, VIEW_SENSITIVE)
        manage = scope.covers(user, obj.scope_code, services.MANAGE)
        moves = list(obj.movements.select_related("from_org", "to_org"))
        offices = list(obj.offices.all())
        certificates = list(obj.qualifications.all())
        today = timezone.localdate()
        return {
            "w": obj,
            "moves": moves,
            "offices": offices,
            "certificates": certificates,
            "sensitive": sensitive,
            "can_manage": manage,
            "active": obj.status == Status.ACTIVE,
            "years": reports._years(obj.hired_on, today),
            "age": reports._years(obj.birth_date, today),
        }


class _HeldAnywhere:
    """A form whose act needs `perm` somewhere in the user's scope (where exactly, the service
    checks against the unit chosen in the form)."""

    def _check_perm(self):
        if not scope.holds(self.request.user, self.perm):
            return error_page(self.request, 403)
        return None


class _WorkerAct(ServiceFormView):
    """A form acting on one worker of the user's scope (404 outside it; 403 without the right)."""

    perm = services.MANAGE
    submit_label = _l("登记")

    def setup_objects(self):
        self.worker = get_visible(Worker, self.request.user, self.kwargs["pk"])

    def initial(self):
        return {"on": timezone.localdate()}  # a movement's date, today unless told otherwise

    def perm_code(self):
        return self.worker.scope_code

    def context(self):
        return {"parent_url": self.worker.get_absolute_url(), "parent_title": self.worker.name}

    def success_url(self, obj):
        return self.worker.get_absolute_url()


class WorkerCreate(_HeldAnywhere, ServiceFormView):
    form_class = NewWorkerForm
    title = _l("登记社区工作者")
    perm = services.MANAGE

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def context(self):
        return {"parent_url": reverse("workforce:worker-list"), "parent_title": _("社区工作者名册")}

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.add_worker(self.request.user, d.pop("org"), **d)


class WorkerEdit(_WorkerAct):
    form_class = WorkerForm
    title = _l("修改基本信息")
    submit_label = _l("保存")

    def reveal_object(self):
        return self.worker

    def initial(self):
        w = self.worker
        return {f: getattr(w, f) for f in services.WORKER_FIELDS}

    def perform(self, form):
        return services.update_worker(self.request.user, self.worker.pk, **form.cleaned_data)


class WorkerExit(_WorkerAct):
    form_class = ExitForm
    title = _l("登记离开")

    def perform(self, form):
        return services.record_exit(self.request.user, self.worker.pk, **form.cleaned_data)


class WorkerTransfer(_WorkerAct):
    form_class = TransferForm
    title = _l("登记调动")

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def perform(self, form):
        return services.transfer_worker(self.request.user, self.worker.pk, **form.cleaned_data)


class WorkerReturn(_WorkerAct):
    form_class = ReturnForm
    title = _l("登记重新入职")

    def perform(self, form):
        return services.record_return(self.request.user, self.worker.pk, **form.cleaned_data)


class WorkerSecondment(_WorkerAct):
    form_class = SecondmentForm
    title = _l("登记下派、挂职、轮岗")

    def perform(self, form):
        return services.record_secondment(self.request.user, self.worker.pk, **form.cleaned_data)


class QualificationAdd(_WorkerAct):
    form_class = QualificationForm
    title = _l("登记职业资格证书")

    def perform(self, form):
        return services.add_qualification(self.request.user, self.worker.pk, **form.cleaned_data)


class OfficeAssign(_WorkerAct):
    form_class = OfficeForm
    title = _l("登记任职")

    def initial(self):
        return {"start": timezone.localdate(), "body": Body.COMMITTEE}

    def perform(self, form):
        return services.assign_office(self.request.user, self.worker.pk, **form.cleaned_data)


class OfficeEnd(ServiceFormView):
    form_class = EndOfficeForm
    title = _l("登记卸任")
    submit_label = _l("登记")
    perm = services.MANAGE

    def setup_objects(self):
        self.office = get_visible(Office, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.office.worker.scope_code

    def initial(self):
        return {"end": timezone.localdate()}

    def context(self):
        w = self.office.worker
        return {"parent_url": w.get_absolute_url(), "parent_title": w.name}

    def perform(self, form):
        return services.end_office(self.request.user, self.office.pk, **form.cleaned_data)

    def success_url(self, obj):
        return obj.worker.get_absolute_url()


# --- training --------------------------------------------------------------------------------------
class TrainingList(ScopedListView):
    model = Training
    title = _l("培训")
    default_sort = "-start"
    select_related = ("org",)
    actions_template = "workforce/_training_actions.html"
    columns = [
        Column(_l("培训名称"), "title", sort="title", link=True),
        Column(_l("举办范围"), "org.display_name", sort="scope_code"),
        Column(_l("主办单位"), "organiser"),
        Column(_l("培训类别"), "kind", sort="kind"),
        Column(_l("开始日期"), "start", sort="start"),
        Column(_l("结束日期"), "end"),
        Column(_l("培训天数"), "days"),
    ]

    def extra_context(self):
        return {"can_add": scope.holds(self.request.user, services.MANAGE)}


class TrainingCreate(_HeldAnywhere, ServiceFormView):
    form_class = TrainingForm
    title = _l("新建培训")
    perm = services.MANAGE

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def context(self):
        return {"parent_url": reverse("workforce:training-list"), "parent_title": _("培训")}

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.create_training(self.request.user, d.pop("org"), **d)


def _sign_in_choices(user, training) -> list[tuple[str, str]]:
    taken = training.attendance.values("worker_id")
    workers = (
        Worker.objects.visible_to(user)
        .filter(status=Status.ACTIVE, scope_code__startswith=training.scope_code[:9])
        .exclude(pk__in=taken)
        .select_related("org")
        .order_by("scope_code", "name")[:2000]
    )
    return [(str(w.pk), f"{w.name}（{w.org.display_name}）") for w in workers]


class TrainingDetail(ScopedDetailView):
    model = Training
    template_name = "workforce/training_detail.html"
    select_related = ("org",)

    def extra_context(self, obj) -> dict:
        user = self.request.user
        manage = scope.holds(user, services.MANAGE)
        rows = obj.attendance.filter(worker__in=Worker.objects.visible_to(user).values("id")).select_related(
            "worker__org"
        )
        return {
            "t": obj,
            "rows": rows,
            "can_manage": manage,
            "form": SignInForm(workers=_sign_in_choices(user, obj)) if manage else None,
        }


class TrainingSignIn(_HeldAnywhere, ServiceFormView):
    form_class = SignInForm
    title = _l("培训签到")
    submit_label = _l("签到")
    perm = services.MANAGE

    def setup_objects(self):
        self.training = get_visible(Training, self.request.user, self.kwargs["pk"])

    def get_form_kwargs(self):
        return {"workers": _sign_in_choices(self.request.user, self.training)}

    def context(self):
        return {"parent_url": self.training.get_absolute_url(), "parent_title": self.training.title}

    def perform(self, form):
        d = form.cleaned_data
        return services.sign_in(self.request.user, self.training.pk, int(d["worker"]), passed=d["passed"])

    def success_url(self, obj):
        return self.training.get_absolute_url()


# --- the roster workbook ---------------------------------------------------------------------------
class RosterImportForm(forms.Form):
    target = forms.ChoiceField(label=_l("导入到"), help_text=_l("未填写“所在社区”的行归入所选的街道或社区"))
    file = forms.FileField(
        label=_l("花名册文件"),
        help_text=_l("本单位的花名册（.xlsx、.xls 或 .csv），或导入模板"),
        widget=forms.ClearableFileInput(attrs={"accept": IMPORT_ACCEPT}),
    )

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = list(targets)


@login_required
def roster_import(request):
    """Upload a roster; it is checked in the background and previewed before anything is written."""
    from shequ.core import importing
    from shequ.workforce.forms import org_choices
    from shequ.workforce.importer import WorkerImporter

    user = request.user
    targets = org_choices(user)
    if not targets:
        return error_page(request, 403)
    form = RosterImportForm(request.POST or None, request.FILES or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            batch = importing.start_upload(
                user, WorkerImporter.kind, form.cleaned_data["target"], form.cleaned_data["file"]
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect(batch.get_absolute_url())
    ctx = {
        "form": form,
        "recent": importing.recent_batches(user, WorkerImporter.kind),
        "kind": WorkerImporter.kind,
        "importer": WorkerImporter,
        "steps": [
            _("上传本单位的花名册（xlsx 或 CSV），或下载模板按模板填写；列名不同的，在下一步对应即可。"),
            _("上传后系统逐行校验，先给出预览：登记多少人、哪些人已在名册中、哪些行有错误及原因。"),
            _("确认后逐人登记（已离开的人员同时登记离开日期和原因）；导入后未再修改的，可整批撤销。"),
        ],
    }
    return render(request, "workforce/import.html", ctx, status=400 if form.errors else 200)


# --- the overview ----------------------------------------------------------------------------------
def _focus_code(request) -> str:
    focus = scope.focus_of(request)
    return focus.code if focus else ""


def _day(value, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _bar(groups: list[dict]) -> dict:
    """Horizontal bars: the groups' labels (中共预备党员, 4年以上不满10年) read in full."""
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 28, "top": 8, "bottom": 8, "containLabel": True},
        "yAxis": {"type": "category", "inverse": True, "data": [g["label"] for g in groups]},
        "xAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "type": "bar",
                "data": [g["count"] for g in groups],
                "label": {"show": True, "position": "right"},
            }
        ],
    }


@login_required
def overview(request):
    """队伍概况: structure on a date, staffing this year, turnover over the last twelve months."""
    user = request.user
    if not scope.holds(user, VIEW):
        return error_page(request, 403)
    today = timezone.localdate()
    day = _day(request.GET.get("date"), today)
    code = request.GET.get("scope") or _focus_code(request)
    try:
        roster = reports.roster_of(user)  # read once for the three reports
        data = reports.structure(user, code, day, roster=roster)
        if request.GET.get("export") == "xlsx":
            content = exports.structure_workbook(data, scope_label=_scope_label(data["scope"]))
            changelog.record(user, Action.EXPORT, None, scope_code=data["scope"], note=_("队伍结构表"))
            return xlsx_response(_("社区工作者队伍结构"), content)
        staff = reports.staffing(user, data["scope"], day.year, roster=roster)
        year_ago = (
            day.replace(year=day.year - 1)
            if not (day.month == 2 and day.day == 29)
            else day - dt.timedelta(days=365)
        )
        turn = reports.turnover(user, data["scope"], year_ago + dt.timedelta(days=1), day, roster=roster)
        trained = reports.training(user, data["scope"], day.year, roster=roster)
        # Pay is annual: the last complete year, for those who may read pay.
        sensitive = scope.covers(user, data["scope"], VIEW_SENSITIVE)
        pay = services.pay_report(user, data["scope"], day.year - 1, roster=roster) if sensitive else None
        graded = services.grade_distribution(user, data["scope"], day.year) if sensitive else None
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return error_page(request, exc.status, exc.message)
    ctx = {
        "data": data,
        "staff": staff,
        "turn": turn,
        "trained": trained,
        "pay": pay,
        "graded": graded,
        "day": day,
        "scope_label": _scope_label(data["scope"]),
        "dims": [(d, f"opt-{d['key']}", _bar(d["groups"])) for d in data["dimensions"]],
        "export_query": f"scope={data['scope']}&date={day.isoformat()}&export=xlsx",
    }
    return render(request, "workforce/overview.html", ctx)


def _scope_label(code: str) -> str:
    from shequ.org.models import node_names

    if not code:
        return _("全部")
    return node_names([code]).get(code, code)


@login_required
def staffing(request):
    """常住人口与配备: required against actual per community, and the population figures entered."""
    user = request.user
    if not scope.holds(user, VIEW):
        return error_page(request, 403)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    code = request.GET.get("scope") or _focus_code(request)
    try:
        staff = reports.staffing(user, code, year)
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return error_page(request, exc.status, exc.message)
    figures = Population.objects.visible_to(user).within(staff["scope"] or None).select_related("org")
    ctx = {
        "staff": staff,
        "year": year,
        "years": list(range(today.year, today.year - 6, -1)),
        "scope_label": _scope_label(staff["scope"]),
        "figures": figures.order_by("-year", "scope_code")[:200],
        "can_enter": scope.holds(user, services.MANAGE_POPULATION),
    }
    return render(request, "workforce/staffing.html", ctx)


class PopulationEnter(_HeldAnywhere, ServiceFormView):
    form_class = PopulationForm
    title = _l("录入常住人口")
    perm = services.MANAGE_POPULATION

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def initial(self):
        return {"year": timezone.localdate().year}

    def context(self):
        return {"parent_url": reverse("workforce:staffing"), "parent_title": _("常住人口与配备")}

    def perform(self, form):
        return services.set_population(self.request.user, **form.cleaned_data)

    def success_url(self, obj):
        return reverse("workforce:staffing") + f"?year={obj.year}"
