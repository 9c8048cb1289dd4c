"""Appraisal pages: the cycles, a new cycle with its rules, a cycle's page (who is in it, whose
scores are in, the residents' survey with its codes and response rate, and once closed the results
and grades), the organisation's score sheet, closing, and a worker's own results over the years."""

from collections import Counter
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods

from shequ.core import scope, surveys
from shequ.core.errors import DomainError, NotFound
from shequ.core.forms import DateInput
from shequ.core.generic import Column, ScopedDetailView, ScopedListView, ServiceFormView, error_page
from shequ.core.models import SurveyVerify
from shequ.core.services import get_visible
from shequ.core.survey_views import public_link, qr_data_uri
from shequ.workforce.models import (
    DEFAULT_GRADES,
    DEFAULT_WEIGHTS,
    MANAGE_APPRAISAL,
    AppraisalCycle,
    AppraisalResult,
    AppraisalScore,
    CycleKind,
    Dimension,
    ScorerRole,
    Scorers,
    Worker,
)
from shequ.workforce.services import appraisal as service


def cycle_org_choices(user) -> list[tuple[str, str]]:
    from shequ.org.models import Level, OrgUnit

    roots = scope.scope_codes(user, scope.roles_with(MANAGE_APPRAISAL))
    qs = OrgUnit.objects.filter(level__in=[Level.STREET, Level.COMMUNITY]).order_by("code")
    if roots is not None:
        qs = qs.filter(scope.prefix_q("code", roots))
    return [(u.code, f"{u.display_name}（{u.code}）") for u in qs[:2000]]


GRADE_ROWS = 4


class CycleForm(forms.Form):
    org = forms.ChoiceField(label=_l("考核范围"), help_text=_l("该社区或街道在岗的社区工作者参加考核"))
    year = forms.IntegerField(label=_l("年度"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_l("类别"), choices=CycleKind.choices)
    title = forms.CharField(
        label=_l("名称"), max_length=100, required=False, help_text=_l("不填时按范围、年度和类别命名")
    )
    org_share = forms.IntegerField(label=_l("组织考占比（%）"), min_value=0, max_value=100,
                                   help_text=_l("其余为群众评；填 100 表示不设群众评"))  # fmt: skip
    scorers = forms.ChoiceField(label=_l("组织考评分"), choices=Scorers.choices)
    street_share = forms.IntegerField(label=_l("街道评分占组织考（%）"), min_value=0, max_value=100,
                                      help_text=_l("街道和社区负责人都评分时使用"))  # fmt: skip
    survey_opens = forms.DateField(label=_l("群众评开始日期"), widget=DateInput(), required=False)
    survey_closes = forms.DateField(label=_l("群众评截止日期"), widget=DateInput(), required=False)
    verify = forms.ChoiceField(
        label=_l("居民核验"), choices=SurveyVerify.choices, initial=SurveyVerify.EITHER
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = cycle_org_choices(user)
        for d in Dimension:
            self.fields[f"w_{d.value}"] = forms.IntegerField(label=d.label, min_value=0, max_value=100)
        for i in range(1, GRADE_ROWS + 1):
            self.fields[f"g{i}_name"] = forms.CharField(label=_l("等次名称"), max_length=10)
            self.fields[f"g{i}_min"] = forms.DecimalField(label=_l("分数线"), min_value=0, max_value=100,
                                                          decimal_places=1, max_digits=4)  # fmt: skip
            self.fields[f"g{i}_quota"] = forms.IntegerField(label=_l("名额（%）"), min_value=1, max_value=100,
                                                            required=False)  # fmt: skip
            self.fields[f"g{i}_coefficient"] = forms.DecimalField(label=_l("绩效系数"), min_value=0, max_value=5,
                                                                  decimal_places=2, max_digits=3)  # fmt: skip

    def basics(self):
        return [self[n] for n in ("org", "year", "kind", "title")]

    def split_fields(self):
        return [
            self[n]
            for n in ("org_share", "scorers", "street_share", "verify", "survey_opens", "survey_closes")
        ]

    def weight_fields(self):
        return [self[f"w_{d.value}"] for d in Dimension]

    def grade_rows(self):
        return [
            [self[f"g{i}_{f}"] for f in ("name", "min", "quota", "coefficient")]
            for i in range(1, GRADE_ROWS + 1)
        ]

    def rules(self) -> dict:
        d = self.cleaned_data
        grades = []
        for i, base in enumerate(DEFAULT_GRADES, start=1):
            # What a grade means follows its place: the first two pass and may step up, the first
            # three are renewed (the API sets each one).
            grades.append({**base, "name": d[f"g{i}_name"], "min": d[f"g{i}_min"], "quota": d[f"g{i}_quota"],
                           "coefficient": d[f"g{i}_coefficient"]})  # fmt: skip
        return {
            "year": d["year"], "kind": d["kind"], "title": d["title"], "org_share": d["org_share"],
            "scorers": d["scorers"], "street_share": d["street_share"], "survey_opens": d["survey_opens"],
            "survey_closes": d["survey_closes"], "verify": d["verify"],
            "weights": {x.value: d[f"w_{x.value}"] for x in Dimension}, "grades": grades,
        }  # fmt: skip


class AppraisalList(ScopedListView):
    model = AppraisalCycle
    title = _l("考核")
    default_sort = "-year"
    select_related = ("org",)
    actions_template = "workforce/_appraisal_actions.html"
    columns = [
        Column(_l("名称"), "title", sort="title", link=True),
        Column(_l("考核范围"), "org.display_name", sort="scope_code"),
        Column(_l("年度"), "year", sort="year"),
        Column(_l("类别"), "kind", sort="kind"),
        Column(_l("组织考/群众评"), "split"),
        Column(_l("状态"), "status", sort="status"),
    ]

    def col_split(self, obj):
        return f"{obj.org_share}/{obj.residents_share}"

    def extra_context(self):
        return {"can_add": scope.holds(self.request.user, MANAGE_APPRAISAL)}


class _HeldAnywhere:
    def _check_perm(self):
        if not scope.holds(self.request.user, self.perm):
            return error_page(self.request, 403)
        return None


class AppraisalCreate(_HeldAnywhere, ServiceFormView):
    form_class = CycleForm
    template_name = "workforce/appraisal_form.html"
    title = _l("新建考核")
    submit_label = _l("创建考核")
    perm = MANAGE_APPRAISAL

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def initial(self):
        today = timezone.localdate()
        out = {"year": today.year, "kind": CycleKind.ANNUAL, "org_share": 70, "scorers": Scorers.BOTH,
               "street_share": 50, "survey_opens": today, "survey_closes": today + timezone.timedelta(days=14),
               "verify": SurveyVerify.EITHER}  # fmt: skip
        out.update({f"w_{k}": v for k, v in DEFAULT_WEIGHTS.items()})
        for i, g in enumerate(DEFAULT_GRADES, start=1):
            out.update({f"g{i}_name": g["name"], f"g{i}_min": g["min"], f"g{i}_quota": g["quota"],
                        f"g{i}_coefficient": g["coefficient"]})  # fmt: skip
        return out

    def render_form(self, form, status=200):
        # The form has its own template (weights in a row, grades in a table), also for htmx posts.
        from shequ.core.forms import enable_reveal

        enable_reveal(form, None, self.request.user)
        ctx = {"form": form, "title": self.title, "submit_label": self.submit_label, "view": self,
               "parent_url": reverse("workforce:appraisal-list"), "parent_title": _("考核")}  # fmt: skip
        return render(self.request, self.template_name, ctx, status=status)

    def perform(self, form):
        return service.create_cycle(self.request.user, form.cleaned_data["org"], **form.rules())


def _grade_rows(cycle, results) -> list[dict]:
    counts = Counter(r.grade for r in results if r.grade)
    n = len(results)
    out = []
    for g in cycle.grades:
        k = counts.get(g["name"], 0)
        out.append(
            {**g, "count": k, "percent": (Decimal(k) * 100 / n).quantize(Decimal("0.1")) if n else None}
        )
    return out


class AppraisalDetail(ScopedDetailView):
    model = AppraisalCycle
    template_name = "workforce/appraisal_detail.html"
    select_related = ("org",)

    def extra_context(self, obj) -> dict:
        user = self.request.user
        results = list(
            AppraisalResult.objects.visible_to(user).filter(cycle=obj).select_related("worker", "unit")
            .order_by(*(("rank", "id") if not obj.is_open else ("scope_code", "worker__hired_on", "id")))
        )  # fmt: skip
        manage = scope.covers(user, obj.scope_code, MANAGE_APPRAISAL)
        mine = {r.pk for r in results}
        missing = [(r, who) for r, who in service.missing_scores(obj) if r.pk in mine] if obj.is_open else []
        sheets = []
        if obj.is_open:
            roles = {role for r in results for role in service.scorer_roles(user, r.scope_code)
                     if role in service.needed_for(obj, r)}  # fmt: skip
            sheets = [(role, ScorerRole(role).label) for role in ScorerRole.values if role in roles]
        rows_surveys = []
        for s in service.cycle_surveys(obj):
            if not s.scope_code.startswith(obj.scope_code) or not any(
                r.scope_code.startswith(s.scope_code) for r in results
            ):
                continue
            link = public_link(self.request, s)
            rows_surveys.append({"s": s, "rate": surveys.response_rate(s), "link": link, "qr": qr_data_uri(link),
                                 "can_codes": scope.covers(user, s.scope_code, MANAGE_APPRAISAL) and s.takes_code})  # fmt: skip
        return {
            "c": obj,
            "results": results,
            "weights": [(Dimension(d).label, obj.weights.get(d, 0)) for d in Dimension.values],
            "grades": _grade_rows(obj, results) if not obj.is_open else obj.grades,
            "missing": missing,
            "sheets": sheets,
            "surveys": rows_surveys,
            "can_close": manage and obj.is_open,
            "partial": len(results) < obj.results.count(),  # a lead's own community in the street's cycle
            "show_street": obj.scorers != Scorers.LEAD or any(len(r.scope_code) < 12 for r in results),
            "show_lead": obj.scorers != Scorers.STREET,
        }


def _scorer(request, cycle, results) -> str | None:
    """The role the score sheet is for: asked (?as=), or the only one the user holds here."""
    held = {role for r in results for role in service.scorer_roles(request.user, r.scope_code)
            if role in service.needed_for(cycle, r)}  # fmt: skip
    wanted = request.GET.get("as") or request.POST.get("as")
    if wanted in held:
        return wanted
    return next(iter(held)) if len(held) == 1 else None


@login_required
@require_http_methods(["GET", "POST"])
def score_sheet(request, pk):
    """The organisation's scores for every worker of the cycle the user scores, on one sheet:
    six dimensions 0–100 a row; saved together or not at all."""
    user = request.user
    try:
        cycle = get_visible(AppraisalCycle, user, pk)
    except NotFound:
        raise Http404() from None
    if not scope.holds(user, MANAGE_APPRAISAL):
        return error_page(request, 403)
    results = list(
        AppraisalResult.objects.visible_to(user).filter(cycle=cycle).select_related("worker", "unit")
        .order_by("scope_code", "worker__hired_on", "id")
    )  # fmt: skip
    role = _scorer(request, cycle, results)
    if role is None:
        return error_page(request, 403, _("您不是本次考核的评分方，或请从考核页面选择评分身份。"))
    if not cycle.is_open:
        return error_page(request, 409, _("本次考核已结束，评分不能再修改。"), back=cycle.get_absolute_url())
    rows = [
        r
        for r in results
        if role in service.scorer_roles(user, r.scope_code) and role in service.needed_for(cycle, r)
    ]
    stored = {s.result_id: s.scores for s in AppraisalScore.objects.filter(result__in=rows, scorer=role)}
    dims = list(Dimension)
    errors: dict[int, str] = {}
    values = {r.pk: {d.value: str(stored.get(r.pk, {}).get(d.value, "")) for d in dims} for r in rows}
    status = 200
    if request.method == "POST":
        for r in rows:
            values[r.pk] = {d.value: (request.POST.get(f"s-{r.pk}-{d.value}") or "").strip() for d in dims}
        saved = 0
        with transaction.atomic():
            for r in rows:
                given = values[r.pk]
                if not any(given.values()):
                    continue
                try:
                    service.enter_scores(user, cycle.pk, r.worker_id, scores=given, scorer=role)
                    saved += 1
                except DomainError as exc:
                    errors[r.pk] = exc.message
            if errors:
                transaction.set_rollback(True)
        if not errors:
            messages.success(
                request, _("已保存 %(n)d 人的%(s)s评分。") % {"n": saved, "s": ScorerRole(role).label}
            )
            return redirect(cycle.get_absolute_url())
        status = 400
    ctx = {
        "c": cycle,
        "role": role,
        "role_label": ScorerRole(role).label,
        "dims": [(d.value, d.label, cycle.weights.get(d.value, 0)) for d in dims],
        "rows": [(r, [(d.value, values[r.pk][d.value]) for d in dims], errors.get(r.pk)) for r in rows],
        "errors": errors,
        "title": _("组织考评分"),
    }
    return render(request, "workforce/appraisal_scores.html", ctx, status=status)


class ConfirmForm(forms.Form):
    """Nothing to fill: the page says what closing does."""


class AppraisalClose(ServiceFormView):
    form_class = ConfirmForm
    template_name = "workforce/appraisal_close.html"
    title = _l("结束考核并计算结果")
    submit_label = _l("结束考核")
    perm = MANAGE_APPRAISAL

    def setup_objects(self):
        self.cycle = get_visible(AppraisalCycle, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.cycle.scope_code

    def context(self):
        return {"parent_url": self.cycle.get_absolute_url(), "parent_title": self.cycle.title, "c": self.cycle,
                "missing": service.missing_scores(self.cycle) if self.cycle.is_open else []}  # fmt: skip

    def perform(self, form):
        return service.close_cycle(self.request.user, self.cycle.pk)


@login_required
def my_appraisal(request):
    """我的考核: a worker's own results over the years (closed cycles), through their account."""
    worker = Worker.objects.filter(user=request.user).select_related("org").first()
    if worker is None:
        return error_page(request, 403, _("您的账号没有关联社区工作者档案，请联系社区负责人在名册中关联。"))
    results = list(service.results_of(request.user))
    return render(request, "workforce/appraisal_mine.html", {
        "w": worker, "results": results, "title": _("我的考核"),
        "ok": service.appraisal_ok(worker.pk, 2),
    })  # fmt: skip


class AccountForm(forms.Form):
    username = forms.CharField(
        label=_l("登录账号"), max_length=150, required=False,
        help_text=_l("本人在本社区（街道）任职的账号；关联后本人可在“我的考核”中查看自己的考核结果。留空为取消关联。"),
    )  # fmt: skip


class AccountLink(ServiceFormView):
    form_class = AccountForm
    title = _l("关联登录账号")
    perm = "workforce.manage_worker"

    def setup_objects(self):
        self.worker = get_visible(Worker, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.worker.scope_code

    def initial(self):
        return {"username": self.worker.user.username if self.worker.user_id else ""}

    def context(self):
        return {"parent_url": self.worker.get_absolute_url(), "parent_title": self.worker.name}

    def perform(self, form):
        from shequ.workforce.services import link_account

        return link_account(self.request.user, self.worker.pk, username=form.cleaned_data["username"])

    def success_url(self, obj):
        return self.worker.get_absolute_url()
