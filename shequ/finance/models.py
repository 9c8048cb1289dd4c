"""经费保障: fund kinds, cost-sharing rules, budgets, allocations (拨付), spending and closed years.

A ledger of public funds, not accounting software: what was promised to a community, what arrived,
from whom, for what, and what it was spent on. Amounts are Decimal yuan. Entries of a closed year
are never edited: a correction is a reversal (the same amount, negative) and a new entry, both dated
the day they were made."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.models import ScopedModel
from shequ.core.roles import Role
from shequ.core.scope import ScopedQuerySet, memberships, prefix_q, scope_codes

USER = settings.AUTH_USER_MODEL
ZERO = Decimal("0")

VIEW = "finance.view"  # budgets, funds, spending, reports of one's scope
MANAGE = "finance.manage"  # rules, budgets, allocations of a street or district
SPEND = "finance.spend"  # a community records its spending
CLOSE = "finance.close_year"
PAY_TASK = "finance.pay_task"  # a department records the arrival of the money its tasks brought


class Party(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区")
    STREET = "street", _("街道/乡镇")
    DEPARTMENT = "department", _("部门")
    OTHER = "other", _("其他")


class FundKind(models.Model):
    """A kind of fund (办公经费, 人员报酬, …): reference data, seeded and editable in the admin."""

    code = models.SlugField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("经费类别")
        verbose_name_plural = _("经费类别")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class Base(models.TextChoices):
    COMMUNITY = "community", _("每社区")
    WORKER = "worker", _("每名社区工作者")
    RESIDENT = "resident", _("每名居民")
    PROJECT = "project", _("项目总额")


class Mode(models.TextChoices):
    SHARE = "share", _("按比例分担（基数为总额）")
    MATCH = "match", _("按比例配套（基数为第一方金额）")


class RuleQuerySet(ScopedQuerySet):
    """Rules are the district's and streets' business: read by those who keep them (district and
    street staff), a street's also including its district's rules; communities read what the rules
    put in their budgets."""

    def visible_to(self, user):
        if not user or not user.is_authenticated:
            return self.none()
        from shequ.core.roles import roles_with

        roots = scope_codes(user, roles_with(MANAGE))
        if roots is None:
            return self.all()
        q = prefix_q("scope_code", roots) if roots else Q(pk__in=[])
        for r in roots:  # a street reads its district's rules too
            for n in (6, 9):
                if len(r) > n:
                    q |= Q(scope_code=r[:n])
        return self.filter(q)


class SharingRule(ScopedModel):
    """A cost-sharing rule of one year for one fund kind, set by a district or a street, applying to
    a set of its communities (all of them when none is named). Parties and their ratios are data:
    [{"party": "city", "department": "", "ratio": "1"}, {"party": "district", "ratio": "2.5"}]."""

    org = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("制定单位")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    fund_kind = models.ForeignKey(
        FundKind, on_delete=models.PROTECT, related_name="rules", verbose_name=_("经费类别")
    )
    name = models.CharField(_("规则名称"), max_length=100)
    revision = models.PositiveSmallIntegerField(_("版次"), default=1, editable=False)
    current = models.BooleanField(_("现行"), default=True, editable=False)
    base = models.CharField(_("计算基数"), max_length=12, choices=Base.choices, default=Base.COMMUNITY)
    base_amount = models.DecimalField(_("基数金额（元）"), max_digits=14, decimal_places=2)
    mode = models.CharField(_("分担方式"), max_length=8, choices=Mode.choices, default=Mode.SHARE)
    parties = models.JSONField(_("分担方及比例"), default=list)
    communities = models.ManyToManyField(
        "org.OrgUnit", blank=True, related_name="+", verbose_name=_("适用社区")
    )
    due_on = models.DateField(_("应到位日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )

    objects = models.Manager.from_queryset(RuleQuerySet)()

    class Meta:
        verbose_name = _("分担规则")
        verbose_name_plural = _("分担规则")
        ordering = ["-year", "fund_kind__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "year", "fund_kind", "name", "revision"], name="finrule_revision"
            ),
            models.UniqueConstraint(
                fields=["org", "year", "fund_kind", "name"],
                condition=Q(current=True),
                name="finrule_one_current",
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.name}"

    def compute_scope_code(self) -> str:
        return self.org.code

    @property
    def ratio_text(self) -> str:
        return ":".join(str(p.get("ratio")) for p in self.parties)

    @property
    def party_text(self) -> str:
        labels = dict(Party.choices)
        return "、".join(
            p.get("department") or str(labels.get(p.get("party"), p.get("party"))) for p in self.parties
        )


class BudgetStatus(models.TextChoices):
    DRAFT = "draft", _("编制中")
    APPROVED = "approved", _("已审定")
    PUBLISHED = "published", _("已公开")


class Budget(ScopedModel):
    """One community's budget of one fund kind for one year: lines due from each party."""

    view_perm = VIEW

    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    fund_kind = models.ForeignKey(
        FundKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("经费类别")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=BudgetStatus.choices, default=BudgetStatus.DRAFT
    )
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("预算")
        verbose_name_plural = _("预算")
        ordering = ["-year", "scope_code", "fund_kind__order"]
        constraints = [
            models.UniqueConstraint(fields=["community", "year", "fund_kind"], name="finbudget_once")
        ]
        indexes = [models.Index(fields=["year", "scope_code"], name="finbudget_year_scope")]

    def __str__(self):
        return f"{self.year} {self.community} {self.fund_kind}"

    def get_absolute_url(self):
        return reverse("finance:budget-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.community.code


class BudgetLine(ScopedModel):
    """What one party owes a community under a budget: from a rule, or a one-off item."""

    view_perm = VIEW

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="lines")
    year = models.PositiveSmallIntegerField(_("年度"), editable=False)
    fund_kind = models.ForeignKey(FundKind, on_delete=models.PROTECT, related_name="+", editable=False)
    party = models.CharField(_("出资方"), max_length=12, choices=Party.choices)
    department = models.CharField(_("部门"), max_length=100, blank=True)
    amount = models.DecimalField(_("应拨金额（元）"), max_digits=14, decimal_places=2)
    rule = models.ForeignKey(
        SharingRule, on_delete=models.PROTECT, null=True, blank=True, related_name="lines"
    )
    one_off = models.BooleanField(_("一次性项目"), default=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    due_on = models.DateField(_("应到位日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("预算明细")
        verbose_name_plural = _("预算明细")
        ordering = ["budget", "pk"]
        indexes = [models.Index(fields=["year", "scope_code"], name="finline_year_scope")]

    def __str__(self):
        return f"{self.get_party_display()} {self.amount}"

    def save(self, *args, **kwargs):
        self.year, self.fund_kind_id = self.budget.year, self.budget.fund_kind_id
        super().save(*args, **kwargs)

    def compute_scope_code(self) -> str:
        return self.budget.scope_code


class AllocationQuerySet(ScopedQuerySet):
    """Staff of a scope see its allocations; department staff only the task money their department
    owes (arrivals against its tasks' funding commitments) inside their scope."""

    def visible_to(self, user):
        if not user or not user.is_authenticated:
            return self.none()
        from shequ.core.roles import roles_with

        roots = scope_codes(user, roles_with(VIEW))
        if roots is None:
            return self.all()
        q = prefix_q("scope_code", roots) if roots else Q(pk__in=[])
        for m in memberships(user):
            if m.role == Role.DEPARTMENT and m.department:
                q |= Q(department=m.department, commitment_id__isnull=False) & prefix_q(
                    "scope_code", [m.scope_code]
                )
        return self.filter(q)


class Allocation(ScopedModel):
    """拨付: money that arrived from a party to a community (or to a street for its communities)."""

    org = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("收款单位")
    )
    party = models.CharField(_("拨付方"), max_length=12, choices=Party.choices)
    department = models.CharField(_("部门"), max_length=100, blank=True)
    fund_kind = models.ForeignKey(
        FundKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("经费类别")
    )
    year = models.PositiveSmallIntegerField(_("所属年度"))
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    arrived_on = models.DateField(_("到账日期"))
    document_number = models.CharField(_("文号"), max_length=60, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    # The funding commitment of an admitted task (duties) this arrival pays: one record, read by both.
    commitment_id = models.PositiveIntegerField(_("随事经费承诺"), null=True, blank=True, db_index=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by", editable=False
    )
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )

    objects = models.Manager.from_queryset(AllocationQuerySet)()

    class Meta:
        verbose_name = _("拨付")
        verbose_name_plural = _("拨付")
        ordering = ["-arrived_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "department", "document_number"],
                condition=Q(reverses__isnull=True) & ~Q(document_number=""),
                name="finalloc_document_once",
            )
        ]
        indexes = [models.Index(fields=["year", "scope_code"], name="finalloc_year_scope")]

    def __str__(self):
        return f"{self.document_number or self.get_party_display()} {self.amount}"

    def compute_scope_code(self) -> str:
        return self.org.code

    @property
    def payer(self) -> str:
        return self.department or self.get_party_display()


class Category(models.TextChoices):
    STAFF = "staff", _("人员")
    OPERATIONS = "operations", _("运转")
    ACTIVITIES = "activities", _("活动")
    PREMISES = "premises", _("阵地")
    SERVICES = "services", _("服务")
    RELIEF = "relief", _("救助")


class Spending(ScopedModel):
    """What a community spent from one fund (community, year, fund kind), with its receipt photo."""

    view_perm = VIEW

    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    fund_kind = models.ForeignKey(
        FundKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("经费类别")
    )
    year = models.PositiveSmallIntegerField(_("所属年度"))
    category = models.CharField(_("支出类别"), max_length=12, choices=Category.choices)
    payee = models.CharField(_("收款方"), max_length=100)
    spent_on = models.DateField(_("支出日期"))
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by", editable=False
    )
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("支出")
        verbose_name_plural = _("支出")
        ordering = ["-spent_on", "-pk"]
        indexes = [models.Index(fields=["year", "scope_code"], name="finspend_year_scope")]

    def __str__(self):
        return f"{self.payee} {self.amount}"

    def compute_scope_code(self) -> str:
        return self.community.code


class ClosedYear(ScopedModel):
    """A year closed for a district or street (and every community below): no edits after."""

    view_perm = VIEW

    org = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    year = models.PositiveSmallIntegerField(_("年度"))
    closed_at = models.DateTimeField(_("结账时间"), auto_now_add=True)
    closed_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("年度结账")
        verbose_name_plural = _("年度结账")
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="finclosed_once")]

    def __str__(self):
        return f"{self.org} {self.year}"

    def compute_scope_code(self) -> str:
        return self.org.code


# --- 以奖代补: awards in place of subsidies ---------------------------------------------------------
AWARD = "finance.award"  # set schemes, open rounds, review and award (district and street)
APPLY = "finance.apply_award"  # a community applies for an award


class UpwardQuerySet(ScopedQuerySet):
    """Schemes and rounds are set by a district or street for the communities below: read by those
    who hold `finance.view` in the scope and by every community below it (a round they may enter)."""

    def visible_to(self, user):
        if not user or not user.is_authenticated:
            return self.none()
        from shequ.core.roles import roles_with

        roots = scope_codes(user, roles_with(VIEW))
        if roots is None:
            return self.all()
        q = prefix_q("scope_code", roots) if roots else Q(pk__in=[])
        for r in roots:
            for n in (6, 9):
                if len(r) > n:
                    q |= Q(scope_code=r[:n])
        return self.filter(q)


class AwardScheme(ScopedModel):
    """A 以奖代补 scheme of a district or street: what is rewarded, the figure it rests on (a basis
    offered by another module through `core.registry.register_award_basis`, or a score the reviewers
    enter), who pays, and the amount per grade:
    [{"grade": "一等", "min": "30", "amount": "20000.00"}, …] (highest threshold first)."""

    view_perm = VIEW

    org = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("设立单位")
    )
    name = models.CharField(_("方案名称"), max_length=100)
    fund_kind = models.ForeignKey(
        FundKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("经费类别")
    )
    rewards = models.CharField(_("奖励内容"), max_length=300)
    basis = models.CharField(_("评定依据"), max_length=40)
    party = models.CharField(_("出资方"), max_length=12, choices=Party.choices)
    grades = models.JSONField(_("等次与奖励金额"), default=list)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )

    objects = models.Manager.from_queryset(UpwardQuerySet)()

    class Meta:
        verbose_name = _("以奖代补方案")
        verbose_name_plural = _("以奖代补方案")
        ordering = ["scope_code", "name"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="finscheme_name_once")]

    def __str__(self):
        return self.name

    def compute_scope_code(self) -> str:
        return self.org.code

    @property
    def basis_label(self) -> str:
        from shequ.core.registry import award_basis

        b = award_basis(self.basis)
        return str(b.label) if b else self.basis

    @property
    def basis_unit(self) -> str:
        from shequ.core.registry import award_basis

        b = award_basis(self.basis)
        return str(b.unit) if b else ""

    @property
    def manual(self) -> bool:
        from shequ.core.registry import award_basis

        b = award_basis(self.basis)
        return b is None or b.compute is None

    def grade_for(self, value) -> dict | None:
        """The highest grade whose threshold the value reaches, or None."""
        if value is None:
            return None
        for g in self.grades:
            if Decimal(str(value)) >= Decimal(g["min"]):
                return g
        return None

    def grade_named(self, name: str) -> dict | None:
        return next((g for g in self.grades if g["grade"] == name), None)


class RoundStatus(models.TextChoices):
    OPEN = "open", _("评审中")
    CLOSED = "closed", _("已结束")


class AwardRound(ScopedModel):
    """One year's round of a scheme for a district or street (the scheme's own org or a street
    under it): communities apply or are found eligible, are reviewed and awarded."""

    view_perm = VIEW

    scheme = models.ForeignKey(AwardScheme, on_delete=models.PROTECT, related_name="rounds")
    org = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("评选范围")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=120)
    status = models.CharField(_("状态"), max_length=8, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    apply_by = models.DateField(_("申报截止日期"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )

    objects = models.Manager.from_queryset(UpwardQuerySet)()

    class Meta:
        verbose_name = _("以奖代补评选")
        verbose_name_plural = _("以奖代补评选")
        ordering = ["-year", "scope_code", "pk"]
        constraints = [models.UniqueConstraint(fields=["scheme", "org", "year"], name="finround_once")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("finance:round-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.org.code


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待评审")
    APPROVED = "approved", _("评审通过")
    REJECTED = "rejected", _("未通过")
    AWARDED = "awarded", _("已奖励")


class ApplicationSource(models.TextChoices):
    APPLIED = "applied", _("社区申报")
    AUTO = "auto", _("按依据自动入围")


class AwardApplication(ScopedModel):
    """A community in a round: its application (or automatic eligibility), the figure its grade
    rests on, the review, and the allocation that pays the award."""

    view_perm = VIEW

    round = models.ForeignKey(AwardRound, on_delete=models.PROTECT, related_name="applications")
    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    source = models.CharField(_("来源"), max_length=8, choices=ApplicationSource.choices)
    claim = models.CharField(_("申报说明"), max_length=500, blank=True)
    value = models.DecimalField(_("依据数值"), max_digits=12, decimal_places=2, null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    grade = models.CharField(_("等次"), max_length=20, blank=True)
    amount = models.DecimalField(_("奖励金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    review_note = models.CharField(_("评审意见"), max_length=300, blank=True)
    reviewed_at = models.DateTimeField(_("评审时间"), null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    allocation = models.OneToOneField(
        Allocation, on_delete=models.PROTECT, null=True, blank=True, related_name="award", editable=False
    )
    awarded_at = models.DateTimeField(_("奖励时间"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("以奖代补申报")
        verbose_name_plural = _("以奖代补申报")
        ordering = ["round", "scope_code"]
        constraints = [models.UniqueConstraint(fields=["round", "community"], name="finapp_once_per_round")]

    def __str__(self):
        return f"{self.round} · {self.community}"

    def compute_scope_code(self) -> str:
        return self.community.code


# --- 人随事动: the people a department promised with an admitted task --------------------------------
class ProvisionQuerySet(AllocationQuerySet):
    """Like task money: staff of a scope see its rows, department staff their department's."""

    def visible_to(self, user):
        if not user or not user.is_authenticated:
            return self.none()
        from shequ.core.roles import roles_with

        roots = scope_codes(user, roles_with(VIEW))
        if roots is None:
            return self.all()
        q = prefix_q("scope_code", roots) if roots else Q(pk__in=[])
        for m in memberships(user):
            if m.role == Role.DEPARTMENT and m.department:
                q |= Q(department=m.department) & prefix_q("scope_code", [m.scope_code])
        return self.filter(q)


class PersonnelProvision(ScopedModel):
    """People a department sent to a community for an admitted task (duties' Task, by id): the
    arrival side of 人随事动, as an allocation is of 费随事转."""

    task_id = models.PositiveIntegerField(_("准入任务"), db_index=True)
    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    department = models.CharField(_("派出部门"), max_length=100)
    year = models.PositiveSmallIntegerField(_("所属年度"))
    people = models.IntegerField(_("到岗人数"))
    provided_on = models.DateField(_("到岗日期"))
    names = models.CharField(_("人员及岗位"), max_length=300, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )

    objects = models.Manager.from_queryset(ProvisionQuerySet)()

    class Meta:
        verbose_name = _("随事人员到岗")
        verbose_name_plural = _("随事人员到岗")
        ordering = ["-provided_on", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(people=0), name="finprov_people_nonzero")]

    def __str__(self):
        return f"{self.department} {self.people}"

    def compute_scope_code(self) -> str:
        return self.community.code
