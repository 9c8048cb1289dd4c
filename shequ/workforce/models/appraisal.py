"""考核: appraisal cycles of a community's or a street's workers. A cycle fixes its rules when it
is created: the weights of the six dimensions (德, 能, 勤, 绩, 廉, 学, adding up to 100), the split
between the organisation's scores (组织考: the street and/or the community lead score each
dimension 0–100) and the residents' ratings (群众评: one rating question per worker in a survey of
the kernel's survey engine, owned by the cycle), and the grades with their thresholds, quotas and
what each grade means for pay, grade steps and the contract. Closing the cycle computes every
worker's result from the records; the result row is then read, never typed.

Results, scores and the cycles themselves are sensitive (VIEW_SENSITIVE): the worker's lead and the
managers above read them, and a worker reads their own closed results through their account."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.models import ScopedModel
from shequ.core.scope import ScopedManager, ScopedQuerySet, prefix_q, read_roots
from shequ.workforce.models.roster import VIEW_SENSITIVE, Worker

MANAGE_APPRAISAL = "workforce.manage_appraisal"
SURVEY_PURPOSE = "workforce.appraisal"


class Dimension(models.TextChoices):
    MORAL = "de", _("德")
    ABILITY = "neng", _("能")
    DILIGENCE = "qin", _("勤")
    PERFORMANCE = "ji", _("绩")
    INTEGRITY = "lian", _("廉")
    LEARNING = "xue", _("学")


DEFAULT_WEIGHTS = {"de": 20, "neng": 15, "qin": 15, "ji": 30, "lian": 10, "xue": 10}

# Highest first; the last one is the failing grade (two running → exit advice). `quota`: at most
# this share of the participants (percent, rounded down), None for no cap; `coefficient`: the
# performance-pay coefficient; `step`: a grade step may follow; `renew`: renewal advised; `passing`:
# counts as passed for rules such as the pay scheme's grade step (appraisal_ok).
DEFAULT_GRADES = [
    {"name": "优秀", "min": 90, "quota": 20, "coefficient": "1.20", "step": True, "renew": True, "passing": True},
    {"name": "称职", "min": 70, "quota": None, "coefficient": "1.00", "step": True, "renew": True, "passing": True},
    {"name": "基本称职", "min": 60, "quota": None, "coefficient": "0.80", "step": False, "renew": True,
     "passing": False},
    {"name": "不称职", "min": 0, "quota": None, "coefficient": "0.00", "step": False, "renew": False,
     "passing": False},
]  # fmt: skip


class CycleKind(models.TextChoices):
    ANNUAL = "annual", _("年度考核")
    TERM = "term", _("换届（届末）考核")


class Scorers(models.TextChoices):
    BOTH = "both", _("街道和社区负责人都评分")
    STREET = "street", _("仅街道评分")
    LEAD = "lead", _("仅社区负责人评分")
    EITHER = "either", _("街道或社区负责人评分均可")


class ScorerRole(models.TextChoices):
    STREET = "street", _("街道")
    LEAD = "lead", _("社区负责人")


class CycleStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class CycleQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """A cycle of the user's scope, and a street's cycle that reaches into it (a community lead
        scores their own community's workers in the street's appraisal, and reads only their rows)."""
        if not user or not user.is_authenticated:
            return self.none()
        roots = read_roots(user, self.model)
        if roots is None:
            return self.all()
        if not roots:
            return self.none()
        reaching = AppraisalResult.objects.filter(prefix_q("scope_code", roots), cycle=OuterRef("pk"))
        return self.filter(prefix_q("scope_code", roots) | Exists(reaching))


class AppraisalCycle(ScopedModel):
    """One appraisal of the workers of a community or a street: its rules, and its state."""

    view_perm = VIEW_SENSITIVE

    org = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("考核范围")
    )
    kind = models.CharField(_("类别"), max_length=8, choices=CycleKind.choices, default=CycleKind.ANNUAL)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=100)
    weights = models.JSONField(_("德能勤绩廉学权重"), default=dict)
    org_share = models.PositiveSmallIntegerField(_("组织考占比（%）"), default=70)
    scorers = models.CharField(_("组织考评分"), max_length=8, choices=Scorers.choices, default=Scorers.BOTH)
    street_share = models.PositiveSmallIntegerField(_("街道评分在组织考中的占比（%）"), default=50)
    grades = models.JSONField(_("等次"), default=list)
    status = models.CharField(_("状态"), max_length=8, choices=CycleStatus.choices, default=CycleStatus.OPEN)
    survey_opens = models.DateField(_("群众评开始日期"), null=True, blank=True)
    survey_closes = models.DateField(_("群众评截止日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("结束人"),
    )

    objects = CycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核")
        verbose_name_plural = _("考核")
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "kind"], name="appraisal_cycle_once"),
            models.CheckConstraint(condition=Q(org_share__lte=100), name="appraisal_org_share"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("workforce:appraisal-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.org.code

    @property
    def residents_share(self) -> int:
        return 100 - self.org_share

    @property
    def is_open(self) -> bool:
        return self.status == CycleStatus.OPEN

    def needed_scorers(self) -> tuple[str, ...]:
        """The organisation's scores each worker needs before the cycle can close (EITHER: one of
        them, see services.appraisal.missing_scores)."""
        return {
            Scorers.BOTH: (ScorerRole.STREET, ScorerRole.LEAD),
            Scorers.STREET: (ScorerRole.STREET,),
            Scorers.LEAD: (ScorerRole.LEAD,),
            Scorers.EITHER: (ScorerRole.STREET, ScorerRole.LEAD),
        }[self.scorers]


class AppraisalResult(ScopedModel):
    """A worker in a cycle: entered when the cycle opens (where they work, their post), and their
    result once it closes (organisation and residents' scores, total, rank, grade, advice)."""

    view_perm = VIEW_SENSITIVE

    cycle = models.ForeignKey(AppraisalCycle, on_delete=models.CASCADE, related_name="results")
    worker = models.ForeignKey(
        Worker, on_delete=models.PROTECT, related_name="appraisals", verbose_name=_("社区工作者")
    )
    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在单位")
    )
    position = models.CharField(_("职务或岗位"), max_length=60, blank=True)
    street_score = models.DecimalField(_("街道评分"), max_digits=5, decimal_places=2, null=True, blank=True)
    lead_score = models.DecimalField(
        _("社区负责人评分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    org_score = models.DecimalField(_("组织考得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    resident_count = models.PositiveIntegerField(_("群众评人数"), default=0)
    resident_average = models.DecimalField(_("群众评均分（5 分制）"), max_digits=3, decimal_places=2, null=True,
                                           blank=True)  # fmt: skip
    resident_score = models.DecimalField(
        _("群众评得分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    total = models.DecimalField(_("总分"), max_digits=5, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("名次"), null=True, blank=True)
    grade = models.CharField(_("等次"), max_length=20, blank=True)
    grade_index = models.PositiveSmallIntegerField(
        _("等次序号"), null=True, blank=True, editable=False
    )  # 0 = highest
    lowest = models.BooleanField(_("最低等次"), default=False)
    demoted = models.BooleanField(_("因名额限制调整"), default=False)
    passed = models.BooleanField(_("合格"), null=True, blank=True)
    coefficient = models.DecimalField(_("绩效系数"), max_digits=4, decimal_places=2, null=True, blank=True)
    step_eligible = models.BooleanField(_("可晋档"), null=True, blank=True)
    renew_advised = models.BooleanField(_("建议续聘"), null=True, blank=True)
    exit_advised = models.BooleanField(_("建议解聘"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        ordering = ["cycle", "rank", "id"]
        constraints = [models.UniqueConstraint(fields=["cycle", "worker"], name="appraisal_result_once")]

    def __str__(self):
        return f"{self.cycle} · {self.worker}"

    def compute_scope_code(self) -> str:
        return self.unit.code

    @staticmethod
    def owned_by_q(user):
        """A worker reads their own results once the cycle has closed."""
        return Q(worker__user=user, cycle__status=CycleStatus.CLOSED)

    @property
    def ref(self) -> str:
        return f"worker:{self.worker_id}"


class AppraisalScore(models.Model):
    """The organisation's score of one worker by one scorer (the street, or the community lead):
    0–100 per dimension, and the weighted total."""

    scope_field = "result__scope_code"
    view_perm = VIEW_SENSITIVE

    result = models.ForeignKey(AppraisalResult, on_delete=models.CASCADE, related_name="scores")
    scorer = models.CharField(_("评分方"), max_length=8, choices=ScorerRole.choices)
    scores = models.JSONField(_("各项得分"), default=dict)
    total = models.DecimalField(_("加权得分"), max_digits=5, decimal_places=2)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("评分人"),
    )
    entered_at = models.DateTimeField(_("评分时间"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("组织考评分")
        verbose_name_plural = _("组织考评分")
        constraints = [models.UniqueConstraint(fields=["result", "scorer"], name="appraisal_score_once")]

    def __str__(self):
        return f"{self.result} · {self.get_scorer_display()}"
