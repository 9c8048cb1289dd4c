"""Pages of the finance module: the overview of a scope's year (charts and the finance office's
workbook), a community's funds and spending (phone-friendly, with receipt photos), budgets,
allocations, rules, task money by department, closing a year."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from shequ.core import scope
from shequ.core.attachments import attachments_of
from shequ.core.errors import DomainError, Forbidden, NotFound
from shequ.core.excel import xlsx_response
from shequ.core.forms import read_photos
from shequ.core.generic import ServiceFormView, error_page, hx_redirect
from shequ.core.services import get_visible
from shequ.finance import awards, personnel, reports, services
from shequ.finance.forms import (
    AllocationForm,
    ApplyForm,
    AwardForm,
    BudgetItemForm,
    CloseYearForm,
    CorrectForm,
    ProvisionForm,
    ReverseForm,
    ReviewForm,
    RoundForm,
    RuleForm,
    SchemeForm,
    SpendingForm,
    TaskPayForm,
    this_year,
)
from shequ.finance.models import (
    APPLY,
    AWARD,
    CLOSE,
    MANAGE,
    PAY_TASK,
    SPEND,
    ZERO,
    Allocation,
    ApplicationStatus,
    AwardApplication,
    AwardRound,
    AwardScheme,
    Budget,
    BudgetStatus,
    FundKind,
    RoundStatus,
    SharingRule,
    Spending,
)


def _year(request) -> int:
    try:
        y = int(request.GET.get("year") or 0)
    except ValueError:
        y = 0
    return y if 2000 <= y <= 2100 else this_year()


def _code(request) -> str:
    code = (request.GET.get("scope") or "").strip()
    if not code:
        focus = scope.focus_of(request)
        code = focus.code if focus else ""
    return code


def _years(year):
    now = this_year()
    return sorted({now, now - 1, now - 2, now - 3, now - 4, year}, reverse=True)


def _bars(labels, series) -> dict:
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 16, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": labels,
            "axisLabel": {"interval": 0, "rotate": 30 if len(labels) > 5 else 0},
        },
        "yAxis": {"type": "value", "name": "元"},
        "series": [
            {"type": "bar", "name": name, "data": [float(v) for v in values]} for name, values in series
        ],
    }


def _pie(rows) -> dict:
    return {
        "tooltip": {"trigger": "item", "formatter": "{b}: {c} 元 ({d}%)"},
        "series": [
            {
                "type": "pie",
                "radius": ["40%", "70%"],
                "data": [{"name": n, "value": float(v)} for n, v in rows if v],
            }
        ],
    }


@login_required
def overview(request):
    """经费概况: a scope's year — due, arrived, spent, balance; by kind, party, community; overdue;
    task money by department. ?export=xlsx gives the finance office's workbook."""
    if not scope.may_read(request.user, Budget) or request.method != "GET":
        return error_page(request, 403)  # no personal data here: there is no "full" (unmasked) export
    year = _year(request)
    try:
        rep = reports.report(request.user, _code(request), year)
    except NotFound:
        raise Http404() from None
    except Forbidden:
        return error_page(request, 403)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(f"经费情况_{rep['node'].display_name}_{year}", reports.workbook(rep))
    charts = {
        "kind": _bars(
            [r["fund_kind"] for r in rep["by_kind"]],
            [
                (_("应拨"), [r["due"] for r in rep["by_kind"]]),
                (_("到账"), [r["arrived"] for r in rep["by_kind"]]),
                (_("支出"), [r["spent"] for r in rep["by_kind"]]),
            ],
        ),  # fmt: skip
        "party": _bars(
            [r["label"] for r in rep["by_party"]],
            [
                (_("应拨"), [r["due"] for r in rep["by_party"]]),
                (_("到账"), [r["arrived"] for r in rep["by_party"]]),
            ],
        ),  # fmt: skip
        "category": _pie([(r["category"], r["spent"]) for r in rep["by_category"]]),
    }
    ctx = {"rep": rep, "year": year, "years": _years(year), "charts": charts,
           "can_manage": scope.holds(request.user, MANAGE), "can_close": scope.holds(request.user, CLOSE),
           "closed": services.closed(rep["node"].code, year)}  # fmt: skip
    return render(request, "finance/overview.html", ctx)


@login_required
def funds(request):
    """本社区经费: each fund of the community's year — arrived, spent, balance — and the way to spend."""
    user = request.user
    if not scope.holds(user, SPEND):
        return error_page(request, 403)
    year = _year(request)
    roots = scope.scope_codes(user, {r for r in scope.roles_with(SPEND)})
    allocs = Allocation.objects.visible_to(user).filter(year=year)
    spends = Spending.objects.visible_to(user).filter(year=year)
    if roots is not None:
        allocs = allocs.filter(scope.prefix_q("scope_code", roots))
        spends = spends.filter(scope.prefix_q("scope_code", roots))
    from django.db.models import Sum

    got = {
        (r["scope_code"], r["fund_kind_id"]): r["s"]
        for r in allocs.values("scope_code", "fund_kind_id").annotate(s=Sum("amount"))
    }
    spent = {
        (r["scope_code"], r["fund_kind_id"]): r["s"]
        for r in spends.values("scope_code", "fund_kind_id").annotate(s=Sum("amount"))
    }
    staff = {
        r["scope_code"]: r["s"]
        for r in spends.filter(category="staff").values("scope_code").annotate(s=Sum("amount"))
    }
    from shequ.org.models import node_names

    kinds = {k.pk: k for k in FundKind.objects.all()}
    codes = sorted({c for c, _k in got} | {c for c, _k in spent})
    names = node_names(codes)
    rows = []
    for c in codes:
        funds_ = []
        for kid in sorted(
            {k for cc, k in got if cc == c} | {k for cc, k in spent if cc == c}, key=lambda k: kinds[k].order
        ):
            a, s = got.get((c, kid)) or ZERO, spent.get((c, kid)) or ZERO
            funds_.append({"kind": kinds[kid], "arrived": a, "spent": s, "balance": a - s})
        total_spent = sum((f["spent"] for f in funds_), ZERO)
        rows.append({"code": c, "name": names.get(c, c), "funds": funds_, "spent": total_spent,
                     "staff_share": reports.rate(staff.get(c) or ZERO, total_spent)})  # fmt: skip
    return render(request, "finance/funds.html", {"rows": rows, "year": year, "years": _years(year)})


@login_required
def spending_list(request):
    """支出明细: a scope's spending of a year, with receipts and corrections."""
    user = request.user
    if not scope.may_read(user, Spending):
        return error_page(request, 403)
    year = _year(request)
    qs = Spending.objects.visible_to(user).within(_code(request) or None).filter(year=year)
    qs = qs.select_related("community", "fund_kind", "reverses").order_by("-spent_on", "-pk")[:300]
    rows = list(qs)
    receipts = attachments_of(Spending, [s.pk for s in rows])
    reversed_ids = set(Spending.objects.filter(reverses__in=rows).values_list("reverses_id", flat=True))
    ctx = {"rows": [(s, receipts.get(str(s.pk), []), s.pk in reversed_ids) for s in rows], "year": year,
           "years": _years(year), "can_spend": scope.holds(user, SPEND)}  # fmt: skip
    return render(request, "finance/spending_list.html", ctx)


class HeldAnywhere:
    def _check_perm(self):
        if not scope.holds(self.request.user, self.perm):
            return error_page(self.request, 403)
        return None


class SpendingCreate(HeldAnywhere, ServiceFormView):
    form_class = SpendingForm
    title = _l("登记支出")
    submit_label = _l("登记支出")
    perm = SPEND

    def get_form_kwargs(self):
        return {"user": self.request.user, "perm": SPEND}

    def initial(self):
        return {"year": this_year(), "spent_on": timezone.localdate(), "category": "operations"}

    def context(self):
        return {"parent_url": reverse("finance:funds"), "parent_title": _("本社区经费"),
                "intro": _("从本社区某项经费中支出，附上票据照片；超过该项经费余额的支出不能登记。")}  # fmt: skip

    def perform(self, form):
        d = dict(form.cleaned_data)
        photos = read_photos(d.pop("photos"))
        return services.record_spending(self.request.user, photos=photos, **d)

    def success_url(self, obj):
        return reverse("finance:spending-list") + f"?year={obj.year}#spending-{obj.pk}"


class SpendingCorrect(ServiceFormView):
    form_class = CorrectForm
    title = _l("更正支出")
    submit_label = _l("冲销并更正")
    perm = SPEND

    def setup_objects(self):
        self.object = get_visible(Spending, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.object.scope_code

    def context(self):
        s = self.object
        return {"parent_url": reverse("finance:spending-list"), "parent_title": _("支出明细"),
                "intro": _("%(d)s 付给%(p)s %(a)s 元（%(k)s）。更正会登记一笔同额冲销和一笔新的支出，原记录保留。")
                % {"d": s.spent_on, "p": s.payee, "a": s.amount, "k": s.fund_kind.name}}  # fmt: skip

    def reveal_object(self):
        return None

    def perform(self, form):
        d = form.cleaned_data
        rev, new = services.correct_spending(self.request.user, self.object.pk, reason=d["reason"], amount=d["amount"],
                                             payee=d["payee"] or None)  # fmt: skip
        return new or rev

    def success_url(self, obj):
        return reverse("finance:spending-list") + f"?year={obj.year}"


@login_required
def budget_list(request):
    """预算: the budgets of a scope's year by community and fund kind, with their state."""
    user = request.user
    if not scope.may_read(user, Budget):
        return error_page(request, 403)
    year = _year(request)
    from django.db.models import Sum

    qs = (
        Budget.objects.visible_to(user).within(_code(request) or None).filter(year=year)
        .select_related("community", "fund_kind").annotate(total=Sum("lines__amount")).order_by("scope_code", "fund_kind__order")
    )  # fmt: skip
    ctx = {"rows": qs[:1000], "year": year, "years": _years(year), "can_manage": scope.holds(user, MANAGE)}
    return render(request, "finance/budget_list.html", ctx)


@login_required
def budget_detail(request, pk):
    user = request.user
    if not scope.may_read(user, Budget):
        return error_page(request, 403)
    try:
        b = get_visible(Budget, user, pk)
    except NotFound:
        raise Http404() from None
    lines = list(b.lines.select_related("rule").order_by("pk"))
    arrivals = list(
        Allocation.objects.visible_to(user).filter(scope_code=b.scope_code, year=b.year, fund_kind=b.fund_kind)
        .order_by("arrived_on", "pk")
    )  # fmt: skip
    bal = services.balance(b.scope_code, b.year, b.fund_kind_id)
    due = sum((ln.amount for ln in lines), ZERO)
    ctx = {"b": b, "lines": lines, "arrivals": arrivals, "due": due, "bal": bal,
           "can_manage": scope.covers(user, b.scope_code, MANAGE), "closed": services.closed(b.scope_code, b.year),
           "moves": sorted(services.TRANSITIONS[BudgetStatus(b.status)]), "labels": dict(BudgetStatus.choices),
           "item_form": BudgetItemForm()}  # fmt: skip
    return render(request, "finance/budget_detail.html", ctx)


@login_required
@require_POST
def budget_move(request, pk):
    try:
        b = get_visible(Budget, request.user, pk)
    except NotFound:
        raise Http404() from None
    if not scope.covers(request.user, b.scope_code, MANAGE):
        return error_page(request, 403)
    try:
        version = int(request.POST.get("version") or 0) or None
    except ValueError:
        version = None
    try:
        services.move_budget(request.user, pk, request.POST.get("status", ""), expected_version=version)
    except DomainError as exc:
        return error_page(request, exc.status, exc.message, back=b.get_absolute_url())
    return hx_redirect(request, b.get_absolute_url())


class BudgetItemAdd(ServiceFormView):
    form_class = BudgetItemForm
    title = _l("增加一次性项目")
    perm = MANAGE

    def setup_objects(self):
        self.object = get_visible(Budget, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.object.scope_code

    def reveal_object(self):
        return None

    def context(self):
        return {"parent_url": self.object.get_absolute_url(), "parent_title": str(self.object)}

    def perform(self, form):
        services.add_budget_item(self.request.user, self.object.pk, **form.cleaned_data)
        return self.object


@login_required
def allocation_list(request):
    """拨付到账: arrivals of a scope's year; department staff see the task money they paid."""
    user = request.user
    if not (scope.may_read(user, Budget) or scope.holds(user, PAY_TASK)):
        return error_page(request, 403)
    year = _year(request)
    qs = (
        Allocation.objects.visible_to(user).within(_code(request) or None).filter(year=year)
        .select_related("org", "fund_kind").order_by("-arrived_on", "-pk")
    )  # fmt: skip
    reversed_ids = set(Allocation.objects.filter(reverses__in=qs[:500]).values_list("reverses_id", flat=True))
    ctx = {"rows": [(a, a.pk in reversed_ids) for a in qs[:500]], "year": year, "years": _years(year),
           "can_manage": scope.holds(user, MANAGE)}  # fmt: skip
    return render(request, "finance/allocation_list.html", ctx)


class AllocationCreate(HeldAnywhere, ServiceFormView):
    form_class = AllocationForm
    title = _l("登记拨付到账")
    submit_label = _l("登记")
    perm = MANAGE

    def get_form_kwargs(self):
        return {"user": self.request.user, "perm": MANAGE}

    def initial(self):
        return {"year": this_year(), "arrived_on": timezone.localdate()}

    def context(self):
        return {"parent_url": reverse("finance:allocation-list"), "parent_title": _("拨付到账")}

    def perform(self, form):
        return services.record_allocation(self.request.user, **form.cleaned_data)

    def success_url(self, obj):
        return reverse("finance:allocation-list") + f"?year={obj.year}"


class AllocationReverse(ServiceFormView):
    form_class = ReverseForm
    title = _l("冲销拨付")
    submit_label = _l("冲销")
    perm = MANAGE

    def setup_objects(self):
        self.object = get_visible(Allocation, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.object.scope_code

    def reveal_object(self):
        return None

    def context(self):
        a = self.object
        return {"parent_url": reverse("finance:allocation-list"), "parent_title": _("拨付到账"),
                "intro": _("%(p)s %(d)s 拨付 %(a)s 元（文号 %(n)s）。冲销登记一笔同额负数，原记录保留。")
                % {"p": a.payer, "d": a.arrived_on, "a": a.amount, "n": a.document_number or "—"}}  # fmt: skip

    def perform(self, form):
        return services.reverse_allocation(
            self.request.user, self.object.pk, reason=form.cleaned_data["reason"]
        )

    def success_url(self, obj):
        return reverse("finance:allocation-list") + f"?year={obj.year}"


@login_required
def rule_list(request):
    """分担规则: the rules of the district and streets, by year, with their parties and ratios."""
    user = request.user
    if not scope.holds(user, MANAGE):
        return error_page(request, 403)
    year = _year(request)
    rows = SharingRule.objects.visible_to(user).filter(year=year).select_related("org", "fund_kind").order_by(
        "-current", "scope_code", "fund_kind__order", "name", "-revision")  # fmt: skip
    return render(request, "finance/rule_list.html", {"rows": rows, "year": year, "years": _years(year)})


class RuleCreate(HeldAnywhere, ServiceFormView):
    form_class = RuleForm
    title = _l("制定分担规则")
    perm = MANAGE

    def get_form_kwargs(self):
        return {"user": self.request.user, "perm": MANAGE}

    def initial(self):
        return {
            "year": this_year(),
            "base": "community",
            "mode": "share",
            "parties": "市,区,街道",
            "ratios": "1:1:1",
        }

    def context(self):
        return {"parent_url": reverse("finance:rule-list"), "parent_title": _("分担规则"),
                "intro": _("同一单位、年度、经费类别下同名的规则再次保存即为新版本，旧版本保留备查。")}  # fmt: skip

    def perform(self, form):
        d = dict(form.cleaned_data)
        d["parties"] = services.parties_from_text(d["parties"], d.pop("ratios"))
        return services.set_rule(self.request.user, **d)

    def success_url(self, obj):
        return reverse("finance:rule-list") + f"?year={obj.year}#rule-{obj.pk}"


@login_required
@require_POST
def rule_apply(request, pk):
    try:
        rule = get_visible(SharingRule, request.user, pk)
    except NotFound:
        raise Http404() from None
    if not scope.covers(request.user, rule.scope_code, MANAGE):
        return error_page(request, 403)
    try:
        services.apply_rule(request.user, pk)
    except DomainError as exc:
        return error_page(request, exc.status, exc.message, back=reverse("finance:rule-list"))
    return hx_redirect(request, reverse("finance:budget-list") + f"?year={rule.year}")


@login_required
def task_money(request):
    """随事经费: the money departments promised with admitted tasks — what arrived, what is missing;
    department staff see their own tasks' commitments and record arrivals."""
    user = request.user
    if not scope.holds(user, PAY_TASK):
        return error_page(request, 403)
    year = _year(request)
    code = _code(request)
    rows = reports.task_money(user, code or None, year)
    model = services.commitment_model()
    commitments = []
    if model is not None:
        qs = model.objects.visible_to(user).within(code or None).filter(committed_at__year=year)
        qs = qs.select_related("task", "task__community").order_by("department", "task__community__code")[
            :500
        ]
        commitments = list(qs)
        arrived = services.task_money_arrived([c.pk for c in commitments])
        for c in commitments:
            c.arrived = arrived.get(c.pk, ZERO)
            c.missing = max(c.amount - c.arrived, ZERO)
    people_tasks = list(personnel.tasks_with_people(user, code or None, year)[:500])
    got = personnel.provided([t.pk for t in people_tasks])
    for t in people_tasks:
        t.provided = got.get(t.pk, 0)
        t.short = max(t.request.personnel_count - t.provided, 0)
    ctx = {"rows": rows, "commitments": commitments, "year": year, "years": _years(year),
           "unpaid": [r for r in rows if r["missing"] > 0], "people": personnel.league(user, code or None, year),
           "people_tasks": people_tasks}  # fmt: skip
    return render(request, "finance/task_money.html", ctx)


class TaskPay(ServiceFormView):
    form_class = TaskPayForm
    title = _l("登记随事经费到位")
    submit_label = _l("登记")
    perm = PAY_TASK

    def setup_objects(self):
        model = services.commitment_model()
        if model is None:
            raise NotFound()
        self.object = (
            model.objects.visible_to(self.request.user)
            .select_related("task")
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if self.object is None:
            raise NotFound()

    def perm_code(self):
        return self.object.scope_code

    def reveal_object(self):
        return None

    def initial(self):
        got = services.task_money_arrived([self.object.pk]).get(self.object.pk, ZERO)
        return {"amount": max(self.object.amount - got, ZERO) or None, "arrived_on": timezone.localdate()}

    def context(self):
        c = self.object
        return {"parent_url": reverse("finance:task-money"), "parent_title": _("随事经费"),
                "intro": _("%(t)s：%(d)s 承诺 %(a)s 元。") % {"t": c.task, "d": c.department, "a": c.amount}}  # fmt: skip

    def perform(self, form):
        return services.record_task_arrival(self.request.user, self.object.pk, **form.cleaned_data)

    def success_url(self, obj):
        return reverse("finance:task-money") + f"?year={obj.year}"


class CloseYear(HeldAnywhere, ServiceFormView):
    form_class = CloseYearForm
    title = _l("年度结账")
    submit_label = _l("结账")
    perm = CLOSE

    def get_form_kwargs(self):
        return {"user": self.request.user, "perm": CLOSE}

    def initial(self):
        return {"year": this_year() - 1}

    def context(self):
        return {"parent_url": reverse("finance:overview"), "parent_title": _("经费概况"),
                "intro": _("结账后该年度的预算、拨付和支出不能再修改，更正须登记冲销和新的记录。")}  # fmt: skip

    def perform(self, form):
        return services.close_year(self.request.user, **form.cleaned_data)

    def success_url(self, obj):
        return reverse("finance:overview") + f"?scope={obj.org.code}&year={obj.year}"


# --- 以奖代补 -----------------------------------------------------------------------------------------
@login_required
def award_list(request):
    """以奖代补: the schemes and rounds of a scope's year, what each awarded; managers set schemes and
    open rounds, communities see the rounds they may enter and their own applications."""
    from django.db.models import Count, Q, Sum

    user = request.user
    if not scope.may_read(user, Budget):
        return error_page(request, 403)
    year = _year(request)
    code = _code(request) or None
    rounds = (
        AwardRound.objects.visible_to(user).filter(year=year).select_related("scheme", "org", "scheme__fund_kind")
        .order_by("scope_code", "pk")
    )  # fmt: skip
    apps_ = AwardApplication.objects.visible_to(user).filter(round__in=rounds).within(code)
    counts = {
        r["round_id"]: r
        for r in apps_.values("round_id").annotate(
            entered=Count("pk"),
            awarded=Count("pk", filter=Q(status=ApplicationStatus.AWARDED)),
            amount=Sum("amount", filter=Q(status=ApplicationStatus.AWARDED)),
        )
    }
    own = list(apps_.select_related("community", "round").order_by("round_id", "scope_code")[:200])
    mine = {a.round_id: a for a in own} if not scope.holds(user, AWARD) else {}
    schemes = (
        AwardScheme.objects.visible_to(user).select_related("org", "fund_kind").order_by("scope_code", "name")
    )
    ctx = {"rounds": [(r, counts.get(r.pk, {}), mine.get(r.pk)) for r in rounds], "schemes": schemes,
           "year": year, "years": _years(year), "can_award": scope.holds(user, AWARD),
           "by_scheme": awards.awarded_by_scheme(user, code, year),
           "own": own if not scope.holds(user, AWARD) else []}  # fmt: skip
    return render(request, "finance/award_list.html", ctx)


class SchemeCreate(HeldAnywhere, ServiceFormView):
    form_class = SchemeForm
    title = _l("设立以奖代补方案")
    perm = AWARD

    def get_form_kwargs(self):
        return {"user": self.request.user, "perm": AWARD}

    def initial(self):
        return {"party": "district", "grades": "一等:30:20000\n二等:20:12000\n三等:12:6000"}

    def context(self):
        return {"parent_url": reverse("finance:award-list"), "parent_title": _("以奖代补"),
                "intro": _("方案写明奖励什么、依据什么数值评定、每个等次奖励多少；每年按方案开展评选。")}  # fmt: skip

    def perform(self, form):
        d = dict(form.cleaned_data)
        d["grades"] = awards.grades_from_text(d["grades"])
        return awards.set_scheme(self.request.user, **d)

    def success_url(self, obj):
        return reverse("finance:award-list")


class RoundCreate(HeldAnywhere, ServiceFormView):
    form_class = RoundForm
    title = _l("开展以奖代补评选")
    perm = AWARD

    def get_form_kwargs(self):
        return {"user": self.request.user, "perm": AWARD}

    def initial(self):
        return {"year": this_year()}

    def context(self):
        return {"parent_url": reverse("finance:award-list"), "parent_title": _("以奖代补")}

    def perform(self, form):
        return awards.open_round(self.request.user, **form.cleaned_data)


def _round(request, pk) -> AwardRound:
    try:
        return awards.round_of(request.user, pk)
    except NotFound:
        raise Http404() from None


@login_required
def round_detail(request, pk):
    """One round: the scheme's grades, every community in it with its figure, grade, review and award."""
    user = request.user
    if not scope.may_read(user, Budget):
        return error_page(request, 403)
    r = _round(request, pk)
    rows = list(
        AwardApplication.objects.visible_to(user).filter(round=r).select_related("community", "allocation")
        .order_by("-value", "scope_code")
    )  # fmt: skip
    can_award = scope.covers(user, r.scope_code, AWARD)
    applied = {a.community.code for a in rows}
    can_apply = r.status == RoundStatus.OPEN and any(
        c not in applied
        for c, _n in ApplyForm(user=user, perm=APPLY, under=r.org.code).fields["community"].choices
    )
    total = sum((a.amount or ZERO for a in rows if a.status == ApplicationStatus.AWARDED), ZERO)
    ctx = {"r": r, "s": r.scheme, "rows": rows, "can_award": can_award, "can_apply": can_apply, "total": total,
           "closed": services.closed(r.scope_code, r.year), "open": r.status == RoundStatus.OPEN}  # fmt: skip
    return render(request, "finance/round_detail.html", ctx)


@login_required
@require_POST
def round_eligible(request, pk):
    r = _round(request, pk)
    if not scope.covers(request.user, r.scope_code, AWARD):
        return error_page(request, 403)
    try:
        awards.find_eligible(request.user, pk)
    except DomainError as exc:
        return error_page(request, exc.status, exc.message, back=r.get_absolute_url())
    return hx_redirect(request, r.get_absolute_url())


@login_required
@require_POST
def round_close(request, pk):
    r = _round(request, pk)
    if not scope.covers(request.user, r.scope_code, AWARD):
        return error_page(request, 403)
    try:
        awards.close_round(request.user, pk)
    except DomainError as exc:
        return error_page(request, exc.status, exc.message, back=r.get_absolute_url())
    return hx_redirect(request, r.get_absolute_url())


class RoundApply(HeldAnywhere, ServiceFormView):
    form_class = ApplyForm
    title = _l("申报以奖代补")
    submit_label = _l("提交申报")
    perm = APPLY

    def setup_objects(self):
        self.object = awards.round_of(self.request.user, self.kwargs["pk"])

    def reveal_object(self):
        return None

    def get_form_kwargs(self):
        return {"user": self.request.user, "perm": APPLY, "under": self.object.org.code}

    def context(self):
        r = self.object
        return {"parent_url": r.get_absolute_url(), "parent_title": r.title,
                "intro": _("%(s)s：%(w)s。依据：%(b)s。") % {"s": r.scheme.name, "w": r.scheme.rewards,
                                                         "b": r.scheme.basis_label}}  # fmt: skip

    def perform(self, form):
        return awards.apply_for_award(self.request.user, self.object.pk, **form.cleaned_data)

    def success_url(self, obj):
        return self.object.get_absolute_url()


class _ApplicationForm(ServiceFormView):
    perm = AWARD

    def setup_objects(self):
        self.object = get_visible(AwardApplication, self.request.user, self.kwargs["pk"])
        self.round = awards.round_of(self.request.user, self.object.round_id)

    def perm_code(self):
        return self.round.scope_code

    def reveal_object(self):
        return None

    def success_url(self, obj):
        return self.round.get_absolute_url() + f"#app-{obj.pk}"

    def intro(self):
        a = self.object
        value = f"{a.value} {self.round.scheme.basis_unit}" if a.value is not None else _("待评分")
        return _("%(c)s · %(src)s · 依据（%(b)s）：%(v)s。%(claim)s") % {
            "c": a.community.display_name, "src": a.get_source_display(), "b": self.round.scheme.basis_label,
            "v": value, "claim": a.claim}  # fmt: skip


class ApplicationReview(_ApplicationForm):
    form_class = ReviewForm
    title = _l("评审以奖代补申报")
    submit_label = _l("提交评审")

    def get_form_kwargs(self):
        return {"scheme": self.round.scheme}

    def initial(self):
        reached = self.round.scheme.grade_for(self.object.value)
        return {"decision": "approve", "grade": reached["grade"] if reached else ""}

    def context(self):
        return {
            "parent_url": self.round.get_absolute_url(),
            "parent_title": self.round.title,
            "intro": self.intro(),
        }

    def perform(self, form):
        return awards.review(self.request.user, self.object.pk, **form.cleaned_data)


class ApplicationAward(_ApplicationForm):
    form_class = AwardForm
    title = _l("奖励并拨付")
    submit_label = _l("奖励并登记拨付")

    def initial(self):
        return {"amount": self.object.amount, "arrived_on": timezone.localdate()}

    def context(self):
        a, s = self.object, self.round.scheme
        return {"parent_url": self.round.get_absolute_url(), "parent_title": self.round.title,
                "intro": _("%(c)s 评为“%(g)s”，标准 %(a)s 元。奖励将登记为%(p)s拨付的%(k)s（%(y)d 年度），计入到账和结余。")
                % {"c": a.community.display_name, "g": a.grade or "—", "a": a.amount or "—",
                   "p": s.get_party_display(), "k": s.fund_kind.name, "y": self.round.year}}  # fmt: skip

    def perform(self, form):
        return awards.award(self.request.user, self.object.pk, **form.cleaned_data)


# --- 人随事动 -----------------------------------------------------------------------------------------
class ProvisionCreate(ServiceFormView):
    form_class = ProvisionForm
    title = _l("登记随事人员到岗")
    submit_label = _l("登记")
    perm = PAY_TASK

    def setup_objects(self):
        model = personnel.task_model()
        if model is None:
            raise NotFound()
        self.object = (
            model.objects.visible_to(self.request.user).select_related("request", "community")
            .filter(pk=self.kwargs["pk"]).first()
        )  # fmt: skip
        if self.object is None:
            raise NotFound()

    def perm_code(self):
        return self.object.scope_code

    def reveal_object(self):
        return None

    def initial(self):
        got = personnel.provided([self.object.pk]).get(self.object.pk, 0)
        return {"people": max(self.object.request.personnel_count - got, 0) or None,
                "provided_on": timezone.localdate()}  # fmt: skip

    def context(self):
        t = self.object
        return {"parent_url": reverse("finance:task-money"), "parent_title": _("随事经费与人员"),
                "intro": _("%(t)s（%(c)s）：%(d)s 准入时承诺每社区派驻 %(n)d 人。%(p)s")
                % {"t": t.title, "c": t.community.display_name, "d": t.department, "n": t.request.personnel_count,
                   "p": t.request.personnel}}  # fmt: skip

    def perform(self, form):
        return personnel.record_provision(self.request.user, self.object.pk, **form.cleaned_data)

    def success_url(self, obj):
        return reverse("finance:task-money") + f"?year={obj.year}#people"
