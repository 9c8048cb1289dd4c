"""Pages of grades and pay: the pay report of a scope and year (ratio to the local average wage,
the floor, shares, 同工同酬) with its workbook, the grade schemes and their yearly tables, the
average wage and floor, a worker's grade, pay record, contracts and insurance, the contracts due,
and the insurance participation rates. Pay and contracts are read with `workforce.view_sensitive`
(a worker reads their own on their page)."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import changelog, scope
from shequ.core.errors import DomainError, NotFound
from shequ.core.excel import xlsx_response
from shequ.core.generic import Column, ScopedListView, ServiceFormView, error_page
from shequ.core.models import Action
from shequ.core.services import get_visible
from shequ.workforce import pay_exports, services
from shequ.workforce.models import (
    MANAGE_PAY_POLICY,
    VIEW,
    VIEW_SENSITIVE,
    AverageWage,
    Contract,
    GradeScheme,
    PayRecord,
    PayTable,
)
from shequ.workforce.pay_forms import (
    AverageWageForm,
    ContractForm,
    GradeForm,
    InsuranceForm,
    PayRecordForm,
    PayTableForm,
    SchemeForm,
)
from shequ.workforce.services import pay as pay_services
from shequ.workforce.views.roster import _focus_code, _HeldAnywhere, _scope_label, _WorkerAct

PAGE_ROWS = 100


def _year(request, default: int) -> int:
    try:
        year = int(request.GET.get("year") or default)
    except ValueError:
        return default
    return year if 2000 <= year <= 2100 else default


def _years() -> list[int]:
    today = timezone.localdate()
    return list(range(today.year, today.year - 6, -1))


def _ratio_chart(distribution: list[dict]) -> dict:
    """Bars of how many workers' gross pay falls in each band of the average wage; the bands wholly
    below the floor in red."""
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 16, "top": 16, "bottom": 8, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": [d["label"] for d in distribution],
            "axisLabel": {"interval": 0, "rotate": 30},
        },
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "type": "bar",
                "data": [
                    {"value": d["count"], "itemStyle": {"color": "#dc3545" if d["below"] else "#0d6efd"}}
                    for d in distribution
                ],
                "label": {"show": True, "position": "top"},
            }
        ],
    }


@login_required
def pay_report(request):
    """薪酬待遇: a scope's pay in a year against the local average wage, with its workbook."""
    user = request.user
    if not scope.holds(user, VIEW_SENSITIVE):
        return error_page(request, 403)
    today = timezone.localdate()
    year = _year(request, today.year - 1)  # the last whole year: its pay is complete
    code = request.GET.get("scope") or _focus_code(request)
    try:
        roster = pay_services.service_roster(user)
        data = services.pay_report(user, code, year, roster=roster)
        label = _scope_label(data["scope"])
        if request.GET.get("export") == "xlsx":
            content = pay_exports.pay_workbook(data, scope_label=label)
            changelog.record(
                user, Action.EXPORT, None, scope_code=data["scope"], note=_("薪酬汇总表 %(y)d") % {"y": year}
            )
            return xlsx_response(_("社区工作者薪酬"), content)
        advice = services.step_advice(user, data["scope"], data["date"], roster=roster)
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return error_page(request, exc.status, exc.message)
    ctx = {
        "data": data,
        "year": year,
        "years": _years(),
        "scope_label": label,
        "chart": _ratio_chart(data["distribution"]),
        # A district may have thousands below the floor: the page lists the lowest, the workbook all.
        "below": data["below_floor"][:PAGE_ROWS],
        "advice": advice[:PAGE_ROWS],
        "advice_total": len(advice),
        "page_rows": PAGE_ROWS,
        "export_query": f"scope={data['scope']}&year={year}&export=xlsx",
        "can_policy": scope.holds(user, MANAGE_PAY_POLICY),
        "entered": wages_entered(user, data["scope"]),
    }
    return render(request, "workforce/pay_report.html", ctx)


@login_required
def grade_schemes(request):
    """等级工资标准: the shipped templates and the schemes that apply in the user's scope, each with
    its yearly tables (published policy: read by whoever reads the roster)."""
    user = request.user
    if not scope.holds(user, VIEW):
        return error_page(request, 403)
    schemes = list(pay_services.schemes_for(user))
    year = _year(request, timezone.localdate().year)
    blocks = []
    for s in schemes:
        tables = sorted(s.tables.all(), key=lambda t: -t.year)
        shown = next((t for t in tables if t.year == year), None)
        rates = {}
        if shown is not None:
            rates = {(r.grade_id, r.step): r.monthly for r in shown.rates.all()}
        grades = sorted(s.grades.all(), key=lambda g: (g.order, g.pk))
        steps = sorted({st for g in grades for st in g.steps()})
        rows = [
            (g, [(st, rates.get((g.pk, st)) if st in g.steps() else False) for st in steps]) for g in grades
        ]
        blocks.append({
            "scheme": s, "years": [t.year for t in tables], "table": shown, "steps": steps, "rows": rows,
            "can_edit": scope.covers(user, s.scope_code, MANAGE_PAY_POLICY),
        })  # fmt: skip
    ctx = {
        "blocks": blocks,
        "templates": pay_services.templates(),
        "year": year,
        "years": _years(),
        "can_adopt": scope.holds(user, MANAGE_PAY_POLICY),
    }
    return render(request, "workforce/pay_grades.html", ctx)


class SchemeCreate(_HeldAnywhere, ServiceFormView):
    form_class = SchemeForm
    title = _l("采用等级体系模板")
    perm = MANAGE_PAY_POLICY
    submit_label = _l("采用")

    def get_form_kwargs(self):
        return {"user": self.request.user, "templates": pay_services.templates()}

    def initial(self):
        return {"years_per_step": 3, "appraisal_count": 3, "appraisal_min": "称职"}

    def context(self):
        return {"parent_url": reverse("workforce:grade-schemes"), "parent_title": _("等级工资标准")}

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.create_scheme(self.request.user, d.pop("org"), **d)

    def success_url(self, obj):
        return reverse("workforce:pay-table", args=[obj.pk])


class PayTableEnter(ServiceFormView):
    """A scheme's amounts for a year, as a table: a row per grade, a column per step."""

    form_class = PayTableForm
    template_name = "workforce/pay_table.html"
    title = _l("录入等级工资表")
    perm = MANAGE_PAY_POLICY

    def setup_objects(self):
        self.scheme = get_visible(GradeScheme, self.request.user, self.kwargs["pk"])
        if self.scheme.is_template:
            raise NotFound()

    def perm_code(self):
        return self.scheme.scope_code

    def get_form_kwargs(self):
        return {"scheme": self.scheme}

    def initial(self):
        """The year asked for, filled from its table, else from the latest earlier one."""
        year = _year(self.request, timezone.localdate().year)
        if self.request.method == "POST":
            return {}
        table = (
            PayTable.objects.filter(scheme=self.scheme, year__lte=year).order_by("-year").first()
            or PayTable.objects.filter(scheme=self.scheme).order_by("year").first()
        )
        out = {"year": year, "source": table.source if table and table.year == year else ""}
        if table is not None:
            out.update({f"r_{r.grade_id}_{r.step}": r.monthly for r in table.rates.all()})
        return out

    def render_form(self, form, status=200):
        ctx = {"form": form, "title": self.title, "scheme": self.scheme, "submit_label": _("保存"),
               "parent_url": reverse("workforce:grade-schemes"), "parent_title": _("等级工资标准"),
               "years": [t.year for t in self.scheme.tables.order_by("-year")]}  # fmt: skip
        return render(self.request, self.template_name, ctx, status=status)

    def perform(self, form):
        d = form.cleaned_data
        return services.set_pay_table(self.request.user, self.scheme.pk, year=d["year"], rates=form.rates(),
                                      source=d["source"])  # fmt: skip

    def success_url(self, obj):
        return reverse("workforce:grade-schemes") + f"?year={obj.year}"


class AverageWageEnter(_HeldAnywhere, ServiceFormView):
    form_class = AverageWageForm
    title = _l("录入社会平均工资和薪酬底线")
    perm = MANAGE_PAY_POLICY

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def initial(self):
        return {"year": timezone.localdate().year - 1, "floor_percent": 100}

    def context(self):
        return {"parent_url": reverse("workforce:pay"), "parent_title": _("薪酬待遇")}

    def perform(self, form):
        return services.set_average_wage(self.request.user, **form.cleaned_data)

    def success_url(self, obj):
        return reverse("workforce:pay") + f"?scope={obj.scope_code}&year={obj.year}"


class _PayAct(_WorkerAct):
    """A form on one worker's grade, pay, contracts or insurance; back to their pay section."""

    def success_url(self, obj):
        return self.worker.get_absolute_url() + "#pay"


class GradePlace(_PayAct):
    form_class = GradeForm
    title = _l("定级、晋档")

    def get_form_kwargs(self):
        return {
            "schemes": list(
                pay_services.applicable_schemes(self.worker.scope_code).prefetch_related("grades")
            )
        }

    def initial(self):
        return {"on": timezone.localdate()}

    def perform(self, form):
        return services.place_grade(self.request.user, self.worker.pk, **form.act())


class PayRecordEnter(_PayAct):
    form_class = PayRecordForm
    title = _l("登记年度薪酬")
    submit_label = _l("保存")

    def initial(self):
        """The year asked for, filled from its record when there is one."""
        today = timezone.localdate()
        year = _year(self.request, today.year)
        found = PayRecord.objects.filter(worker=self.worker, year=year).first()
        out = {"year": year}
        if found is not None:
            out.update({f: getattr(found, f) for f in services.PAY_FIELDS} | {"note": found.note})
        return out

    def perform(self, form):
        d = dict(form.cleaned_data)
        record, _created = services.set_pay_record(self.request.user, self.worker.pk, **d)
        return record


class ContractAdd(_PayAct):
    form_class = ContractForm
    title = _l("登记劳动合同")

    def get_form_kwargs(self):
        open_ = Contract.objects.filter(worker=self.worker, end__isnull=False, renewal__isnull=True).order_by(
            "-start"
        )
        return {"contracts": list(open_)}

    def initial(self):
        last = Contract.objects.filter(worker=self.worker).order_by("-start").first()
        if last is None:
            return {"start": max(self.worker.hired_on, timezone.localdate().replace(month=1, day=1))}
        out = {"employer": last.employer}
        if last.end is not None:
            out |= {"renews": str(last.pk), "start": last.end + dt.timedelta(days=1)}
        return out

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.add_contract(self.request.user, self.worker.pk, **d)


class InsuranceSet(_PayAct):
    form_class = InsuranceForm
    title = _l("登记社会保险参保")
    submit_label = _l("保存")

    def initial(self):
        year = _year(self.request, timezone.localdate().year)
        kinds = list(self.worker.insurance.filter(year=year).values_list("kind", flat=True))
        return {"year": year, "kinds": kinds}

    def perform(self, form):
        d = form.cleaned_data
        services.set_insurance(self.request.user, self.worker.pk, year=d["year"], kinds=d["kinds"])
        return self.worker


class ContractsDue(ScopedListView):
    """合同到期: contracts of workers in post ending within N days (60 unless asked), or already
    ended, with no later contract entered; the reminders go out from the same rule."""

    model = Contract
    title = _l("劳动合同到期")
    template_name = "workforce/pay_contracts.html"
    default_sort = "end"
    select_related = ("worker__org",)
    columns = [
        Column(_l("姓名"), "worker.name", sort="worker__name", link=True),
        Column(_l("所在社区或街道"), "worker.org.display_name", sort="worker__scope_code"),
        Column(_l("用人单位"), "employer"),
        Column(_l("合同编号"), "number"),
        Column(_l("起始日期"), "start", sort="start"),
        Column(_l("终止日期"), "end", sort="end"),
        Column(_l("剩余天数"), "days"),
    ]

    def within(self) -> int:
        try:
            n = int(self.request.GET.get("within") or services.pay.REMIND_DAYS)
        except ValueError:
            return services.pay.REMIND_DAYS
        return min(max(n, 1), 3650)

    def base_queryset(self):
        services.pay.maybe_sweep()
        code = self.request.GET.get("scope") or ""
        qs = services.contracts(self.request.user, due_within=self.within())
        if code.isdigit():
            qs = qs.filter(scope.subtree_q("worker__scope_code", code))
        focus = scope.focus_of(self.request)
        if focus is not None:
            qs = qs.filter(scope.subtree_q("worker__scope_code", focus.code))
        return qs.select_related(*self.select_related)

    def col_days(self, obj):
        days = (obj.end - timezone.localdate()).days
        return days if days >= 0 else _("已到期 %(n)d 天") % {"n": -days}

    def extra_context(self):
        return {"within": self.within(), "scope_code": self.request.GET.get("scope") or ""}


@login_required
def insurance_rates(request):
    """社会保险参保率: per kind, the workers in post who took part over all of them."""
    user = request.user
    if not scope.holds(user, VIEW_SENSITIVE):
        return error_page(request, 403)
    year = _year(request, timezone.localdate().year)
    code = request.GET.get("scope") or _focus_code(request)
    try:
        data = services.insurance_rates(user, code, year)
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return error_page(request, exc.status, exc.message)
    ctx = {"data": data, "year": year, "years": _years(), "scope_label": _scope_label(data["scope"])}
    return render(request, "workforce/pay_insurance.html", ctx)


def wages_entered(user, code: str):
    """The average wages entered for the units above and under a scope (published statistics)."""
    above = pay_services.ancestors(code) if code else []
    qs = AverageWage.objects.select_related("org")
    if code:
        qs = qs.filter(scope.subtree_q("scope_code", code) | Q(scope_code__in=above))
    else:
        qs = qs.visible_to(user)
    return qs.order_by("-year", "scope_code")[:50]
