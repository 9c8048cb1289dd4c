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
