"""事项清单与准入: duty lists and their versions, the admission review of every task a department
wants to hand down, the tasks it admits, certificates, the burden ledger and the communities'
appraisal of departments.

Where rows hang (`scope_code`):
  - a list, a review group, a policy and an appraisal round: the district or street that set it;
  - an admission request: the reviewing district or street; the filing department sees its own
    requests through `department` + `origin_code`, a review member those of their group;
  - a task, a burden entry, an unadmitted-task refusal, a certificate and an appraisal form: the
    community it concerns.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.models import ScopedModel
from shequ.core.roles import Role, roles_with
from shequ.core.scope import ScopedQuerySet, memberships, prefix_q, scope_codes

USER = settings.AUTH_USER_MODEL


class Kind(models.TextChoices):
    STATUTORY = "statutory", _("依法履行职责事项")
    ASSIST = "assist", _("协助政府工作事项")
    NEGATIVE = "negative", _("负面清单事项")
    CERTIFICATE = "certificate", _("证明事项")


class SetBy(models.TextChoices):
    DISTRICT = "district", _("区级")
    STREET = "street", _("街道")


class Frequency(models.TextChoices):
    ONCE = "once", _("一次性")
    ONGOING = "ongoing", _("长期")
    YEARLY = "yearly", _("每年")
    QUARTERLY = "quarterly", _("每季度")
    MONTHLY = "monthly", _("每月")
    WEEKLY = "weekly", _("每周")
    ON_DEMAND = "on_demand", _("按需")


# The load a task brings to a community, counted in the burden ledger (field, label, per year?).
METRICS = (
    ("ledgers", _("台账"), False),
    ("forms", _("表格"), False),
    ("stamps", _("盖章事项"), False),
    ("signboards", _("挂牌"), False),
    ("inspections", _("检查"), True),
    ("appraisals", _("考核"), True),
    ("evaluations", _("评比"), True),
    ("meetings", _("会议"), True),
    ("data_reports", _("数据报送"), True),
)
METRIC_FIELDS = tuple(m[0] for m in METRICS)


def _count(label):
    return models.PositiveIntegerField(label, default=0)


class Burden(models.Model):
    """The counted load (ledgers, stamps, signboards, inspections …) a request, task or entry brings."""

    ledgers = _count(_("台账（本）"))
    forms = _count(_("表格（张）"))
    stamps = _count(_("盖章事项（类）"))
    signboards = _count(_("挂牌（块）"))
    inspections = _count(_("检查（次/年）"))
    appraisals = _count(_("考核（次/年）"))
    evaluations = _count(_("评比（次/年）"))
    meetings = _count(_("会议（次/年）"))
    data_reports = _count(_("数据报送（次/年）"))
    hours_per_month = models.DecimalField(
        _("每社区每月工作量（小时）"), max_digits=7, decimal_places=1, default=Decimal("0")
    )

    class Meta:
        abstract = True

    def burden(self) -> dict:
        return {f: getattr(self, f) for f in (*METRIC_FIELDS, "hours_per_month")}


# --- lists ------------------------------------------------------------------------------------------
class ListStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已废止")


class DutyList(ScopedModel):
    """One version of the lists a district or street sets: all four kinds, effective from a date.
    Publishing a version ends the previous one the day before it takes effect."""

    org = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("制定单位")
    )
    title = models.CharField(_("清单名称"), max_length=120)
    number = models.PositiveIntegerField(_("版本号"), default=1, editable=False)
    basis = models.CharField(_("制定依据"), max_length=300, blank=True)
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True, editable=False)
    status = models.CharField(_("状态"), max_length=12, choices=ListStatus.choices, default=ListStatus.DRAFT)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    notes = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("事项清单")
        verbose_name_plural = _("事项清单")
        ordering = ["org__code", "-number"]
        constraints = [models.UniqueConstraint(fields=["org", "number"], name="dutylist_org_number")]

    def __str__(self):
        return f"{self.title}（第{self.number}版）"

    def get_absolute_url(self):
        return reverse("duties:list-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.org.code

    def in_force(self, day: dt.date | None = None) -> bool:
        day = day or timezone.localdate()
        return (
            self.status != ListStatus.DRAFT
            and self.effective_from <= day
            and (self.effective_to is None or self.effective_to >= day)
        )


class DutyItem(ScopedModel):
    """One item of a list version. `keywords` let the pre-check suspect a negative-list item from a
    request's text; `redirect` names where to go instead (negative and refused certificates)."""

    duty_list = models.ForeignKey(
        DutyList, on_delete=models.CASCADE, related_name="items", verbose_name=_("清单")
    )
    code = models.CharField(_("事项编号"), max_length=20)
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("事项名称"), max_length=200)
    basis = models.CharField(_("法律政策依据"), max_length=400, blank=True)
    department = models.CharField(_("责任部门"), max_length=100, blank=True)
    set_by = models.CharField(_("制定层级"), max_length=12, choices=SetBy.choices, default=SetBy.DISTRICT)
    frequency = models.CharField(
        _("频次"), max_length=12, choices=Frequency.choices, default=Frequency.ONGOING
    )
    hours_per_month = models.DecimalField(
        _("预计工作量（小时/月）"), max_digits=7, decimal_places=1, default=Decimal("0")
    )
    ledgers = models.CharField(_("所需台账"), max_length=300, blank=True, help_text=_("多个用顿号分隔"))
    forms = models.CharField(_("所需表格"), max_length=300, blank=True, help_text=_("多个用顿号分隔"))
    funding_required = models.BooleanField(_("须随事拨付经费"), default=False)
    funding_standard = models.DecimalField(
        _("经费标准（元/社区/年）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    redirect = models.CharField(_("应由何处办理"), max_length=200, blank=True)
    keywords = models.CharField(_("识别关键词"), max_length=300, blank=True, help_text=_("多个用顿号分隔"))
    position = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("清单事项")
        verbose_name_plural = _("清单事项")
        ordering = ["duty_list", "kind", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["duty_list", "code"], name="dutyitem_list_code")]
        indexes = [models.Index(fields=["kind", "duty_list"], name="dutyitem_kind")]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("duties:item-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.duty_list.scope_code

    @property
    def citation(self) -> str:
        """How a decision cites the item: 《list》kind code title."""
        return f"《{self.duty_list.title}》{self.get_kind_display()}第 {self.code} 项“{self.title}”"

    def keyword_list(self) -> list[str]:
        words = [
            self.title,
            *(w.strip() for w in self.keywords.replace("，", "、").replace(",", "、").split("、")),
        ]
        return [w for w in words if w]


# --- policy and review group -----------------------------------------------------------------------
class DecisionRule(models.TextChoices):
    MAJORITY = "majority", _("多数通过")
    CHAIR = "chair", _("组长决定")


def default_caps():
    return dict(settings.DUTY_DEFAULT_CAPS)


def default_baseline():
    return dict(settings.DUTY_DEFAULT_BASELINE)


class DutyPolicy(ScopedModel):
    """What a district or street configures: the review group and its rule and deadlines, the
    notice period, and the burden caps and baseline. The nearest one above a community applies."""

    org = models.OneToOneField(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    group_name = models.CharField(_("审核小组名称"), max_length=100, default=_("社区工作准入审核领导小组"))
    decision_rule = models.CharField(
        _("决定规则"), max_length=12, choices=DecisionRule.choices, default=DecisionRule.MAJORITY
    )
    notice_days = models.PositiveSmallIntegerField(
        _("提前申请（工作日）"), default=30, validators=[MaxValueValidator(250)]
    )
    review_days = models.PositiveSmallIntegerField(
        _("审核时限（工作日）"), default=15, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    fast_track_days = models.PositiveSmallIntegerField(
        _("快速通道审核时限（工作日）"), default=5, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    reminder_days = models.PositiveSmallIntegerField(_("到期前提醒（工作日）"), default=3)
    caps = models.JSONField(_("上限"), default=default_caps, blank=True)
    baseline = models.JSONField(_("对照基线"), default=default_baseline, blank=True)

    class Meta:
        verbose_name = _("准入与减负设置")
        verbose_name_plural = _("准入与减负设置")

    def __str__(self):
        return f"{self.org} · {self.group_name}"

    def compute_scope_code(self) -> str:
        return self.org.code


class ReviewMember(ScopedModel):
    policy = models.ForeignKey(DutyPolicy, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("成员账号"))
    title = models.CharField(_("职务"), max_length=60, blank=True)
    is_chair = models.BooleanField(_("组长"), default=False)

    class Meta:
        verbose_name = _("审核小组成员")
        verbose_name_plural = _("审核小组成员")
        ordering = ["-is_chair", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "user"], name="reviewmember_unique"),
            models.UniqueConstraint(
                fields=["policy"], condition=Q(is_chair=True), name="reviewmember_one_chair"
            ),
        ]

    def __str__(self):
        return f"{self.user}{'（组长）' if self.is_chair else ''}"

    def compute_scope_code(self) -> str:
        return self.policy.scope_code


def member_codes(user) -> list[str]:
    """Codes of the districts/streets whose review group the user sits in (cached per request)."""
    if not user or not user.is_authenticated:
        return []
    cached = getattr(user, "_shequ_review_codes", None)
    if cached is None:
        cached = list(ReviewMember.objects.filter(user=user).values_list("scope_code", flat=True))
        user._shequ_review_codes = cached
    return cached


# --- admission requests ----------------------------------------------------------------------------
class RequestStatus(models.TextChoices):
    RETURNED = "returned", _("退回补正")
    REVIEW = "review", _("审核中")
    APPROVED = "approved", _("准予准入")
    REJECTED = "rejected", _("不予准入")
    WITHDRAWN = "withdrawn", _("已撤回")
    EXPIRED = "expired", _("已到期")


OPEN_REQUEST = (RequestStatus.RETURNED, RequestStatus.REVIEW)
LIVE_REQUEST = (RequestStatus.RETURNED, RequestStatus.REVIEW, RequestStatus.APPROVED)


class RequestQuerySet(ScopedQuerySet):
    """Street and district staff see the requests their group reviews; department staff the
    requests their department filed inside their scope; review members those of their group."""

    def visible_to(self, user):
        if not user or not user.is_authenticated:
            return self.none()
        roots = scope_codes(user, roles_with("duties.view_request") - {Role.DEPARTMENT})
        if roots is None:
            return self.all()
        q = prefix_q("scope_code", roots) if roots else Q(pk__in=[])
        for m in memberships(user):
            if m.role == Role.DEPARTMENT and m.department:
                q |= Q(department=m.department) & prefix_q("origin_code", [m.scope_code])
        codes = member_codes(user)
        if codes:
            q |= Q(scope_code__in=codes)
        return self.filter(q)


RequestManager = models.Manager.from_queryset(RequestQuerySet)


class AdmissionRequest(Burden, ScopedModel):
    """准入申请: what a department wants communities to do, with the load, money and people it brings."""

    number = models.CharField(_("申请编号"), max_length=24, unique=True, editable=False)
    org = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("审核单位"), editable=False
    )
    department = models.CharField(_("申请部门"), max_length=100)
    origin_code = models.CharField(max_length=32, editable=False, db_index=True)
    applicant = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人"))
    title = models.CharField(_("事项名称"), max_length=200)
    description = models.TextField(_("工作内容"), max_length=4000)
    reason = models.TextField(_("申请理由"), max_length=2000, blank=True)
    basis = models.CharField(_("法律政策依据"), max_length=400, blank=True)
    item = models.ForeignKey(
        DutyItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("对应清单事项"),
    )
    communities = models.ManyToManyField("org.OrgUnit", related_name="+", verbose_name=_("承接社区"))
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    frequency = models.CharField(_("频次"), max_length=12, choices=Frequency.choices, default=Frequency.ONCE)
    ledger_names = models.CharField(_("台账名称"), max_length=300, blank=True)
    form_names = models.CharField(_("表格名称"), max_length=300, blank=True)
    funding_per_community = models.DecimalField(
        _("每社区经费（元）"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    funding_source = models.CharField(_("经费来源"), max_length=100, blank=True)
    personnel = models.CharField(_("人员支持（人随事动）"), max_length=300, blank=True)
    personnel_count = models.PositiveIntegerField(
        _("每社区派驻人数"), default=0, help_text=_("随事派到每个承接社区的人数；人员支持的说明写在上一栏")
    )
    urgent = models.BooleanField(_("紧急事项"), default=False)
    urgent_reason = models.CharField(_("紧急事由"), max_length=300, blank=True)

    status = models.CharField(
        _("状态"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.REVIEW, db_index=True
    )
    findings = models.JSONField(_("预审结果"), default=list, blank=True, editable=False)
    fast_track = models.BooleanField(_("快速通道"), default=False, editable=False)
    suspected_negative = models.BooleanField(_("疑似负面清单"), default=False, editable=False)
    duplicate_of = models.CharField(_("疑似重复申请"), max_length=200, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now, editable=False)
    review_deadline = models.DateTimeField(_("审核期限"), null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True, editable=False)
    decision_rule = models.CharField(_("决定规则"), max_length=12, choices=DecisionRule.choices, blank=True)
    decision_note = models.TextField(_("决定意见"), blank=True, editable=False)
    conditions = models.TextField(_("修改意见"), blank=True, editable=False)
    letter_number = models.CharField(_("决定书文号"), max_length=40, blank=True, editable=False)
    ended_at = models.DateTimeField(_("撤回/到期时间"), null=True, blank=True, editable=False)
    end_note = models.CharField(_("撤回原因"), max_length=300, blank=True, editable=False)

    objects = RequestManager()

    class Meta:
        verbose_name = _("准入申请")
        verbose_name_plural = _("准入申请")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["scope_code", "status"], name="admreq_scope_status"),
            models.Index(fields=["department", "status"], name="admreq_dept_status"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("duties:request-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.org.code

    @property
    def decided_late(self) -> bool:
        """Decided after the review deadline (a pre-check decision has no deadline)."""
        return bool(self.decided_at and self.review_deadline and self.decided_at > self.review_deadline)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST


class Vote(models.TextChoices):
    APPROVE = "approve", _("同意")
    REJECT = "reject", _("不同意")
    AMEND = "amend", _("修改后同意")


class ReviewVote(ScopedModel):
    request = models.ForeignKey(AdmissionRequest, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("审核人"))
    member_title = models.CharField(_("职务"), max_length=60, blank=True)
    is_chair = models.BooleanField(_("组长"), default=False)
    choice = models.CharField(_("意见"), max_length=12, choices=Vote.choices)
    comment = models.TextField(_("说明"), max_length=2000, blank=True)
    voted_at = models.DateTimeField(_("时间"), default=timezone.now)
    late = models.BooleanField(_("逾期"), default=False)

    class Meta:
        verbose_name = _("审核意见")
        verbose_name_plural = _("审核意见")
        ordering = ["voted_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["request", "member"], name="reviewvote_once")]

    def __str__(self):
        return f"{self.member} {self.get_choice_display()}"

    def compute_scope_code(self) -> str:
        return self.request.scope_code


# --- tasks handed down ------------------------------------------------------------------------------
class TaskStatus(models.TextChoices):
    ACTIVE = "active", _("办理中")
    DONE = "done", _("已完成")
    WITHDRAWN = "withdrawn", _("已撤回")
    EXPIRED = "expired", _("已到期")


class DepartmentScopedQuerySet(ScopedQuerySet):
    """Staff see their subtree; department staff see only their own department's rows in theirs."""

    def visible_to(self, user):
        if not user or not user.is_authenticated:
            return self.none()
        roots = scope_codes(user, set(Role) - {Role.DEPARTMENT, Role.RESIDENT})
        if roots is None:
            return self.all()
        q = prefix_q("scope_code", roots) if roots else Q(pk__in=[])
        for m in memberships(user):
            if m.role == Role.DEPARTMENT and m.department:
                q |= Q(department=m.department) & prefix_q("scope_code", [m.scope_code])
        return self.filter(q)


DepartmentScopedManager = models.Manager.from_queryset(DepartmentScopedQuerySet)


class Task(Burden, ScopedModel):
    """An admitted task in one community. Only `services.admission._admit` creates tasks, and only from an
    approved request: there is no other path for a department to put work on a community."""

    request = models.ForeignKey(AdmissionRequest, on_delete=models.PROTECT, related_name="tasks")
    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    department = models.CharField(_("下派部门"), max_length=100)
    kind = models.CharField(_("事项类别"), max_length=12, choices=Kind.choices, default=Kind.ASSIST)
    title = models.CharField(_("任务名称"), max_length=200)
    start_date = models.DateField(_("开始日期"))
    deadline = models.DateField(_("完成期限"))
    urgent = models.BooleanField(_("紧急"), default=False)
    funding = models.DecimalField(_("随事经费（元）"), max_digits=12, decimal_places=2, default=Decimal("0"))
    status = models.CharField(_("状态"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.ACTIVE)
    progress = models.PositiveSmallIntegerField(
        _("进度（%）"), default=0, validators=[MaxValueValidator(100)]
    )
    hours_spent = models.DecimalField(
        _("累计用时（小时）"), max_digits=8, decimal_places=1, default=Decimal("0")
    )
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = DepartmentScopedManager()

    class Meta:
        verbose_name = _("下派任务")
        verbose_name_plural = _("下派任务")
        ordering = ["deadline", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "community"], name="task_request_community")
        ]
        indexes = [
            models.Index(fields=["scope_code", "status", "deadline"], name="task_scope_status"),
            models.Index(fields=["department", "status"], name="task_dept_status"),
        ]

    def __str__(self):
        return f"{self.title}（{self.community}）"

    def save(self, *args, **kwargs):
        if self._state.adding and self.request.status != RequestStatus.APPROVED:
            # The admission rule, held below the services too: no approved request, no task.
            raise ValueError("a community task exists only for an approved admission request")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("duties:task-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.community.code

    @property
    def overdue(self) -> bool:
        return self.status == TaskStatus.ACTIVE and self.deadline < timezone.localdate()


class TaskReport(ScopedModel):
    """A progress report or the completion report, with hours spent; evidence files attach to it."""

    visible_through = "task"  # its files are read by the task's rule (core.attachments.readable)

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    author = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), validators=[MaxValueValidator(100)])
    hours = models.DecimalField(_("本次用时（小时）"), max_digits=7, decimal_places=1, default=Decimal("0"))
    note = models.TextField(_("情况说明"), max_length=2000)
    completes = models.BooleanField(_("完成报告"), default=False)

    class Meta:
        verbose_name = _("任务进度")
        verbose_name_plural = _("任务进度")
        ordering = ["at", "pk"]

    def __str__(self):
        kind = _("完成报告") if self.completes else _("进度报告")
        return f"{self.task.title} · {kind} {self.progress}%"

    def compute_scope_code(self) -> str:
        return self.task.scope_code


class FundingCommitment(ScopedModel):
    """The money that follows an admitted task (费随事转), for a finance module to pick up."""

    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="commitment")
    department = models.CharField(_("拨付部门"), max_length=100)
    amount = models.DecimalField(_("承诺金额（元）"), max_digits=12, decimal_places=2)
    source = models.CharField(_("经费来源"), max_length=100, blank=True)
    committed_at = models.DateTimeField(_("承诺时间"), default=timezone.now)
    delivered = models.DecimalField(_("已到位（元）"), max_digits=12, decimal_places=2, default=Decimal("0"))
    delivered_at = models.DateTimeField(_("到位时间"), null=True, blank=True)

    objects = DepartmentScopedManager()

    class Meta:
        verbose_name = _("经费承诺")
        verbose_name_plural = _("经费承诺")

    def __str__(self):
        return f"{self.task} · {self.department} {self.amount} {_('元')}"

    def compute_scope_code(self) -> str:
        return self.task.scope_code


class EntrySource(models.TextChoices):
    ADMITTED = "admitted", _("准入任务")
    STANDING = "standing", _("常设事项")
    UNADMITTED = "unadmitted", _("未经准入")


class BurdenEntry(Burden, ScopedModel):
    """One line of a community's burden ledger: what an admitted task (or a standing duty the
    community records) requires, active from `start_date` to `end_date`."""

    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    source = models.CharField(
        _("来源"), max_length=12, choices=EntrySource.choices, default=EntrySource.ADMITTED
    )
    task = models.OneToOneField(Task, on_delete=models.CASCADE, null=True, blank=True, related_name="entry")
    department = models.CharField(_("部门"), max_length=100)
    kind = models.CharField(_("事项类别"), max_length=12, choices=Kind.choices, default=Kind.ASSIST)
    title = models.CharField(_("事项"), max_length=200)
    urgent = models.BooleanField(_("紧急"), default=False)
    funding = models.DecimalField(_("随事经费（元）"), max_digits=12, decimal_places=2, default=Decimal("0"))
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("减负台账条目")
        verbose_name_plural = _("减负台账条目")
        indexes = [models.Index(fields=["scope_code", "start_date"], name="burden_scope_start")]

    def __str__(self):
        return f"{self.community} · {self.title}"

    def compute_scope_code(self) -> str:
        return self.community.code


class Refusal(ScopedModel):
    """A task that reached the community without admission, and the community's refusal of it."""

    number = models.CharField(_("告知书编号"), max_length=40, unique=True, editable=False)
    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    department = models.CharField(_("交办部门"), max_length=100)
    title = models.CharField(_("交办事项"), max_length=200)
    description = models.TextField(_("交办内容"), max_length=2000, blank=True)
    received_on = models.DateField(_("收到日期"), default=timezone.localdate)
    channel = models.CharField(
        _("交办方式"), max_length=60, blank=True, help_text=_("如：电话、微信群、文件")
    )
    rule = models.TextField(_("拒绝依据"), editable=False)
    item = models.ForeignKey(DutyItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    refused_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人"))
    refused_at = models.DateTimeField(_("拒绝时间"), default=timezone.now, editable=False)

    objects = DepartmentScopedManager()

    class Meta:
        verbose_name = _("拒收未准入事项")
        verbose_name_plural = _("拒收未准入事项")
        ordering = ["-refused_at", "-pk"]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("duties:refusal-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.community.code


# --- certificates -----------------------------------------------------------------------------------
class StaffOnlyQuerySet(ScopedQuerySet):
    """Rows with a resident's personal data: community and street staff only, never departments."""

    def visible_to(self, user):
        if not user or not user.is_authenticated:
            return self.none()
        roots = scope_codes(user, roles_with("duties.view_certificates"))
        if roots is None:
            return self.all()
        return self.filter(prefix_q("scope_code", roots)) if roots else self.none()


StaffOnlyManager = models.Manager.from_queryset(StaffOnlyQuerySet)


class Certificate(ScopedModel):
    number = models.CharField(_("证明编号"), max_length=40, unique=True, editable=False)
    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("出具社区")
    )
    item = models.ForeignKey(DutyItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("证明事项"))
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    requester_name = models.CharField(_("申请人姓名"), max_length=50, editable=False)
    purpose = models.CharField(_("用途"), max_length=200)
    content = models.TextField(_("证明内容"), max_length=2000)
    issuer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人"))
    issued_on = models.DateField(_("出具日期"), default=timezone.localdate)

    objects = StaffOnlyManager()

    class Meta:
        verbose_name = _("证明")
        verbose_name_plural = _("证明")
        ordering = ["-issued_on", "-pk"]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("duties:certificate-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.community.code


class CertificateRefusal(ScopedModel):
    number = models.CharField(_("告知书编号"), max_length=40, unique=True, editable=False)
    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    requested = models.CharField(_("申请出具的证明"), max_length=200)
    resident = models.ForeignKey(
        "people.Resident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请人"),
    )
    requester_name = models.CharField(_("申请人姓名"), max_length=50)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    rule = models.TextField(_("不予出具依据"), editable=False)
    redirect = models.CharField(_("建议办理渠道"), max_length=200, blank=True, editable=False)
    item = models.ForeignKey(DutyItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    refused_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人"))
    refused_on = models.DateField(_("日期"), default=timezone.localdate)

    objects = StaffOnlyManager()

    class Meta:
        verbose_name = _("不予出具证明告知")
        verbose_name_plural = _("不予出具证明告知")
        ordering = ["-refused_on", "-pk"]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("duties:certificate-refusal-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.community.code


# --- appraisal of departments -----------------------------------------------------------------------
class AppraisalRound(ScopedModel):
    org = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("组织单位")
    )
    title = models.CharField(_("评议名称"), max_length=120)
    period = models.CharField(_("评议期间"), max_length=20, help_text=_("如：2026年、2026年上半年"))
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))
    departments = models.JSONField(_("被评议部门"), default=list)
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("部门评议")
        verbose_name_plural = _("部门评议")
        ordering = ["-opens_on", "-pk"]

    def __str__(self):
        return f"{self.title}（{self.period}）"

    def get_absolute_url(self):
        return reverse("duties:appraisal-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.org.code

    def is_open(self, day: dt.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.opens_on <= day <= self.closes_on


SCORE = [MinValueValidator(1), MaxValueValidator(5)]
ASPECTS = (
    ("cooperation", _("配合协作")),
    ("funding", _("经费到位")),
    ("burden", _("减负情况")),
    ("service", _("服务质量")),
)


class AppraisalForm(ScopedModel):
    """One community's appraisal of one department in one round; scores 1–5 (5 best; for 减负情况,
    5 means the department imposed the least)."""

    round = models.ForeignKey(AppraisalRound, on_delete=models.CASCADE, related_name="forms")
    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    department = models.CharField(_("部门"), max_length=100)
    cooperation = models.PositiveSmallIntegerField(_("配合协作"), validators=SCORE)
    funding = models.PositiveSmallIntegerField(_("经费到位"), validators=SCORE)
    burden = models.PositiveSmallIntegerField(_("减负情况"), validators=SCORE)
    service = models.PositiveSmallIntegerField(_("服务质量"), validators=SCORE)
    comment = models.TextField(_("意见建议"), max_length=2000, blank=True)
    filled_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)

    objects = StaffOnlyManager()

    class Meta:
        verbose_name = _("评议表")
        verbose_name_plural = _("评议表")
        constraints = [
            models.UniqueConstraint(fields=["round", "community", "department"], name="appraisalform_once")
        ]

    def __str__(self):
        return _("%(c)s评议%(d)s（%(r)s）") % {
            "c": self.community,
            "d": self.department,
            "r": self.round.title,
        }

    def compute_scope_code(self) -> str:
        return self.community.code
