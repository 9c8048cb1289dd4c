"""居民评议: rounds in which the households of a street or community rate their residents'
committee and each property company on set dimensions. The questionnaire, the phone page, the
one-response-per-household rule and the digest of who answered are the kernel's survey engine
(one survey per community of the round); this module keeps what was rated, the totals found when
the round closed, and the follow-up issue a low score opened."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.models import ScopedModel, SurveyVerify
from shequ.core.scope import ScopedManager
from shequ.participation.models.issues import VIEW, Issue

SURVEY_PURPOSE = "participation.rating"
DEFAULT_DIMENSIONS = ["服务态度", "办事效率", "环境卫生", "安全管理", "公开透明"]
DEFAULT_THRESHOLD = Decimal("3.00")


class RatingRound(ScopedModel):
    """One 评议 round of a street or community: its dimensions, dates, and the score below which a
    follow-up issue is opened."""

    view_perm = VIEW

    org = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("范围"))
    title = models.CharField(_("评议名称"), max_length=100)
    dimensions = models.JSONField(_("评议维度"), default=list)
    threshold = models.DecimalField(
        _("整改线（平均分）"), max_digits=3, decimal_places=2, default=DEFAULT_THRESHOLD,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("5"))],
        help_text=_("某一维度或总体平均分低于此分，自动生成整改议题"),
    )  # fmt: skip
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))
    verify = models.CharField(_("填写人核验"), max_length=8, choices=SurveyVerify.choices)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("居民评议")
        verbose_name_plural = _("居民评议")
        ordering = ["-opens_on", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("participation:rating-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.org.code


class TargetKind(models.TextChoices):
    COMMITTEE = "committee", _("社区居委会")
    COMPANY = "company", _("物业服务企业")


class RatingTarget(ScopedModel):
    """What the households of one community rate in a round: their committee, or a property company
    (a 驻区单位 of the property kind) in the community. Its totals are filled when the round closes."""

    view_perm = VIEW

    round = models.ForeignKey(RatingRound, on_delete=models.CASCADE, related_name="targets")
    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    kind = models.CharField(_("评议对象类别"), max_length=10, choices=TargetKind.choices)
    company = models.ForeignKey(
        "org.ResidentOrganization", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("物业服务企业"),
    )  # fmt: skip
    name = models.CharField(_("评议对象"), max_length=200)
    survey_id = models.PositiveBigIntegerField(_("问卷"), null=True, blank=True)
    # Filled when the round closes (totals only: who gave which rating is nowhere).
    responses = models.PositiveIntegerField(_("评议户数"), null=True, blank=True)
    eligible = models.PositiveIntegerField(_("应评户数"), null=True, blank=True)
    overall = models.DecimalField(_("总体平均分"), max_digits=3, decimal_places=2, null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("评议对象")
        verbose_name_plural = _("评议对象")
        ordering = ["community__code", "kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "community"],
                condition=models.Q(kind="committee"),
                name="rating_committee_once",
            ),
            models.UniqueConstraint(fields=["round", "company"], name="rating_company_once"),
        ]

    def __str__(self):
        return self.name

    def compute_scope_code(self) -> str:
        return self.community.code

    @property
    def rate(self) -> Decimal | None:
        if not self.eligible or self.responses is None:
            return None
        return (Decimal(self.responses) * 100 / self.eligible).quantize(Decimal("0.1"))


class RatingScore(models.Model):
    """A target's average on one dimension (or overall: `dimension` empty) when the round closed, and
    the follow-up issue it opened when below the round's threshold."""

    scope_field = "target__scope_code"
    view_perm = VIEW

    target = models.ForeignKey(RatingTarget, on_delete=models.CASCADE, related_name="scores")
    dimension = models.CharField(_("维度"), max_length=30, blank=True)
    ratings = models.PositiveIntegerField(_("评分人次"))
    average = models.DecimalField(_("平均分"), max_digits=3, decimal_places=2, null=True, blank=True)
    issue = models.ForeignKey(
        Issue, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("整改议题")
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("评议得分")
        verbose_name_plural = _("评议得分")
        ordering = ["target_id", "id"]
        constraints = [models.UniqueConstraint(fields=["target", "dimension"], name="rating_score_once")]

    def __str__(self):
        return f"{self.target} {self.dimension or '总体'} {self.average}"
