"""Grades and pay of community workers: grade schemes as data (三级九档, 三岗十八级 shipped as
templates, each district or street adopting its own copy with a rule for stepping up), a scheme's
table of monthly base pay per grade and step for each year, each worker's dated grade placements,
the annual pay record (its three figures computed, never typed), the local average wage with the
policy floor per year, labour contracts with their renewals, and social-insurance participation.

Pay, placements, contracts and insurance are sensitive: read by the worker themselves (their
account, `Worker.user`) and, through the scope, by the roles holding `workforce.view_sensitive`
(the community lead and the street and district managers); never by department staff, grid
workers or other community workers. Grade schemes, their tables and the average wage are
published policy and statistics: read by whoever reads the roster."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.core.models import ScopedModel
from shequ.core.scope import ScopedManager
from shequ.workforce.models.roster import VIEW, VIEW_SENSITIVE, Worker

MANAGE_PAY_POLICY = "workforce.manage_pay_policy"
ZERO = Decimal("0.00")


class _OwnSensitive(models.Model):
    """Rows about one worker: the worker's own account reads them, and the scope does with
    `workforce.view_sensitive`."""

    scope_field = "worker__scope_code"
    view_perm = VIEW_SENSITIVE
    owner_reads = True  # the API's lists also hold the worker's own rows (the route refuses others)

    class Meta:
        abstract = True

    @staticmethod
    def owned_by_q(user):
        return Q(worker__user=user)


class GradeScheme(ScopedModel):
    """A grade scheme: a shipped template (no unit) or a district's or street's own copy, with the
    rule for stepping up: years in the step, and the last `appraisal_count` appraisal grades at
    least `appraisal_min` (0: no appraisal requirement)."""

    view_perm = VIEW

    org = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("适用范围"),
    )
    name = models.CharField(_("名称"), max_length=60)
    step_label = models.CharField(_("档次称谓"), max_length=4, default="档")
    years_per_step = models.PositiveSmallIntegerField(_("晋档年限（年）"), default=3)
    appraisal_count = models.PositiveSmallIntegerField(_("考核要求：最近几次年度考核"), default=3)
    appraisal_min = models.CharField(_("考核要求：等次不低于"), max_length=10, default="称职", blank=True)
    template = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("所依模板")
    )
    note = models.CharField(_("说明或政策依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("等级体系")
        verbose_name_plural = _("等级体系")
        ordering = ["scope_code", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="grade_scheme_org_name"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(org__isnull=True), name="grade_scheme_template_name"
            ),
        ]

    def __str__(self):
        return self.name

    def compute_scope_code(self) -> str:
        return self.org.code if self.org_id else ""

    @property
    def is_template(self) -> bool:
        return self.org_id is None


class Grade(models.Model):
    """A grade of a scheme (高级, 正职 …) and the steps it spans (1–3 档; 7–18 级 for 正职)."""

    scheme = models.ForeignKey(GradeScheme, on_delete=models.CASCADE, related_name="grades")
    name = models.CharField(_("等级"), max_length=20)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    min_step = models.PositiveSmallIntegerField(_("最低档次"), default=1)
    max_step = models.PositiveSmallIntegerField(_("最高档次"))
    note = models.CharField(_("适用人员"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("等级")
        verbose_name_plural = _("等级")
        ordering = ["scheme", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "name"], name="grade_scheme_name"),
            models.CheckConstraint(condition=Q(min_step__lte=models.F("max_step")), name="grade_steps_order"),
        ]

    def __str__(self):
        return self.name

    def steps(self) -> range:
        return range(self.min_step, self.max_step + 1)

    def label(self, step: int) -> str:
        return f"{self.name}{step}{self.scheme.step_label}"


class PayTable(models.Model):
    """A scheme's table for one year: a monthly base amount for every grade and step."""

    scheme = models.ForeignKey(GradeScheme, on_delete=models.CASCADE, related_name="tables")
    year = models.PositiveSmallIntegerField(_("年度"))
    source = models.CharField(_("文件依据"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("等级工资标准")
        verbose_name_plural = _("等级工资标准")
        ordering = ["scheme", "-year"]
        constraints = [models.UniqueConstraint(fields=["scheme", "year"], name="pay_table_year")]

    def __str__(self):
        return f"{self.scheme} {self.year}"


class PayRate(models.Model):
    table = models.ForeignKey(PayTable, on_delete=models.CASCADE, related_name="rates")
    grade = models.ForeignKey(Grade, on_delete=models.CASCADE, related_name="+")
    step = models.PositiveSmallIntegerField(_("档次"))
    monthly = models.DecimalField(_("月基本工资（元）"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("等级工资")
        verbose_name_plural = _("等级工资")
        constraints = [models.UniqueConstraint(fields=["table", "grade", "step"], name="pay_rate_cell")]

    def __str__(self):
        return f"{self.table} {self.grade}{self.step}"


class GradePlacement(_OwnSensitive):
    """定级、晋档: from `on`, the worker holds this grade and step (until their next placement).
    The grade a worker held on any past day is the latest placement on or before it."""

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="grades", verbose_name=_("社区工作者")
    )
    scheme = models.ForeignKey(
        GradeScheme, on_delete=models.PROTECT, related_name="+", verbose_name=_("等级体系")
    )
    grade = models.ForeignKey(Grade, on_delete=models.PROTECT, related_name="+", verbose_name=_("等级"))
    step = models.PositiveSmallIntegerField(_("档次"))
    on = models.DateField(_("起始日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("定级晋档")
        verbose_name_plural = _("定级晋档")
        ordering = ["-on", "-id"]
        constraints = [models.UniqueConstraint(fields=["worker", "on"], name="grade_placement_day")]

    def __str__(self):
        return f"{self.worker} {self.label}"

    @property
    def label(self) -> str:
        return f"{self.grade.name}{self.step}{self.scheme.step_label}"


class PayRecord(_OwnSensitive):
    """A worker's pay in a year. The base comes from the grade held each month and that year's
    table (computed by the service, never typed); the other components are entered. The three
    figures the reports argue over are computed from them:

    total cost (含单位缴纳) = gross + employer social insurance + employer housing fund
    gross (应发, the pay after the employer's contributions) = base + performance + allowances + bonus
    take-home (实发) = gross − personal social insurance − personal housing fund"""

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="pay_records", verbose_name=_("社区工作者")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    grade = models.ForeignKey(Grade, on_delete=models.PROTECT, related_name="+", verbose_name=_("年末等级"))
    step = models.PositiveSmallIntegerField(_("年末档次"))
    base_months = models.PositiveSmallIntegerField(_("计发月数"))
    base = models.DecimalField(_("基本工资（按等级档次计）"), max_digits=12, decimal_places=2)
    performance = models.DecimalField(_("绩效工资"), max_digits=12, decimal_places=2, default=ZERO)
    allowances = models.DecimalField(_("津贴补贴"), max_digits=12, decimal_places=2, default=ZERO)
    bonus = models.DecimalField(_("年终奖励"), max_digits=12, decimal_places=2, default=ZERO)
    employer_insurance = models.DecimalField(
        _("单位缴纳社会保险"), max_digits=12, decimal_places=2, default=ZERO
    )
    employer_housing_fund = models.DecimalField(
        _("单位缴纳住房公积金"), max_digits=12, decimal_places=2, default=ZERO
    )
    personal_insurance = models.DecimalField(
        _("个人缴纳社会保险"), max_digits=12, decimal_places=2, default=ZERO
    )
    personal_housing_fund = models.DecimalField(
        _("个人缴纳住房公积金"), max_digits=12, decimal_places=2, default=ZERO
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("年度薪酬")
        verbose_name_plural = _("年度薪酬")
        ordering = ["-year", "worker_id"]
        constraints = [models.UniqueConstraint(fields=["worker", "year"], name="pay_record_year")]
        indexes = [models.Index(fields=["year", "worker"], name="pay_record_year_worker")]

    def __str__(self):
        return f"{self.worker} {self.year}"

    @property
    def gross(self) -> Decimal:
        return gross_of(self.base, self.performance, self.allowances, self.bonus)

    @property
    def employer_contributions(self) -> Decimal:
        return self.employer_insurance + self.employer_housing_fund

    @property
    def personal_contributions(self) -> Decimal:
        return self.personal_insurance + self.personal_housing_fund

    @property
    def total_cost(self) -> Decimal:
        return self.gross + self.employer_contributions

    @property
    def take_home(self) -> Decimal:
        return self.gross - self.personal_contributions


def gross_of(base, performance, allowances, bonus) -> Decimal:
    """应发: what the worker is paid before their own contributions (the employer's are on top)."""
    return base + performance + allowances + bonus


class AverageWage(ScopedModel):
    """The local average wage of a year for a city, district or street (entered from the statistics
    bureau's figure, with its source), and the policy floor that year as a percentage of it (e.g.
    85 % in a transition year, 100 % after). The nearest entry above a worker's community counts."""

    view_perm = VIEW

    org = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("范围"))
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(_("社会平均工资（元/年）"), max_digits=12, decimal_places=2)
    source = models.CharField(_("数据来源"), max_length=100)
    floor_percent = models.DecimalField(
        _("薪酬底线（占平均工资 %）"), max_digits=5, decimal_places=2, default=100
    )

    class Meta:
        verbose_name = _("社会平均工资")
        verbose_name_plural = _("社会平均工资")
        ordering = ["-year", "scope_code"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="average_wage_org_year")]

    def __str__(self):
        return f"{self.org} {self.year}"

    def compute_scope_code(self) -> str:
        return self.org.code

    @property
    def floor(self) -> Decimal:
        return (self.amount * self.floor_percent / 100).quantize(Decimal("0.01"))


class Contract(_OwnSensitive):
    """A labour contract: who employs the worker, from when to when (no end: 无固定期限). A renewal
    points at the contract it renews; one worker's contracts never overlap."""

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="contracts", verbose_name=_("社区工作者")
    )
    employer = models.CharField(_("用人单位"), max_length=100)
    number = models.CharField(_("合同编号"), max_length=40, blank=True)
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("终止日期"), null=True, blank=True)
    renews = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="renewal",
        verbose_name=_("续订自"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    reminded_at = models.DateTimeField(_("到期提醒时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("劳动合同")
        verbose_name_plural = _("劳动合同")
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["end"], name="contract_end")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="contract_dates"
            )
        ]

    def __str__(self):
        return f"{self.worker} {self.employer} {self.start:%Y-%m-%d}"

    def get_absolute_url(self):
        return self.worker.get_absolute_url() + "#pay"

    @property
    def open_ended(self) -> bool:
        return self.end is None


class InsuranceKind(models.TextChoices):
    PENSION = "pension", _("养老保险")
    MEDICAL = "medical", _("医疗保险")
    UNEMPLOYMENT = "unemployment", _("失业保险")
    INJURY = "injury", _("工伤保险")
    MATERNITY = "maternity", _("生育保险")
    HOUSING_FUND = "housing_fund", _("住房公积金")


class Insurance(_OwnSensitive):
    """The worker took part in one kind of social insurance (or the housing fund) in a year; a kind
    with no row was not taken part in."""

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="insurance", verbose_name=_("社区工作者")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("险种"), max_length=16, choices=InsuranceKind.choices)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("社会保险参保")
        verbose_name_plural = _("社会保险参保")
        ordering = ["-year", "kind"]
        constraints = [models.UniqueConstraint(fields=["worker", "year", "kind"], name="insurance_once")]

    def __str__(self):
        return f"{self.worker} {self.year} {self.get_kind_display()}"
