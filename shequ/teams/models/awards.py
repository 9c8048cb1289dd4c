"""Awards and recognition (评选表彰): award kinds as data (优秀志愿者, 文明户, 优秀楼栋长, 优秀党员 …),
rounds of a community or a street per year with a nomination window and a number of places, the
nominations (a volunteer, a household, a resident, a Party member or a team, with the figures the
platform holds about them), the review and the published results. The public list shows households
by a masked name and persons only by the name they agreed to show."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.models import ScopedModel
from shequ.core.scope import ScopedManager
from shequ.teams.models.teams import VIEW


class NomineeKind(models.TextChoices):
    VOLUNTEER = "volunteer", _("志愿者")
    HOUSEHOLD = "household", _("家庭（户）")
    RESIDENT = "resident", _("居民")
    MEMBER = "member", _("党员")
    TEAM = "team", _("队伍")


class AwardKind(models.Model):
    """优秀志愿者, 文明户 …: a kind of award and who may be nominated for it (seeded, editable)."""

    name = models.CharField(_("奖项"), max_length=30, unique=True)
    nominee_kind = models.CharField(_("评选对象"), max_length=12, choices=NomineeKind.choices)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("表彰奖项")
        verbose_name_plural = _("表彰奖项")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class RoundStatus(models.TextChoices):
    """open → reviewing → published; the transitions are services.awards.TRANSITIONS."""

    OPEN = "open", _("推荐中")
    REVIEWING = "reviewing", _("评审中")
    PUBLISHED = "published", _("已公布")


class AwardRound(ScopedModel):
    """One round of an award in a community or a street for a year."""

    view_perm = VIEW

    org = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区或街道")
    )
    kind = models.ForeignKey(
        AwardKind, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("奖项")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=100)
    opens_on = models.DateField(_("推荐开始"))
    closes_on = models.DateField(_("推荐截止"))
    places = models.PositiveSmallIntegerField(_("名额"), default=10)
    status = models.CharField(_("状态"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    published_on = models.DateField(_("公布日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("评选")
        verbose_name_plural = _("评选")
        ordering = ["-year", "scope_code", "kind__order"]
        constraints = [
            models.UniqueConstraint(fields=["org", "kind", "year"], name="award_round_once",
                                    violation_error_message=_("该社区（街道）本年度已有这项评选。")),
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="award_round_window"),
        ]  # fmt: skip

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("teams:award-round-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.org.code

    @property
    def accepting(self) -> bool:
        return self.status == RoundStatus.OPEN and self.opens_on <= timezone.localdate() <= self.closes_on


class NominationResult(models.TextChoices):
    PENDING = "pending", _("待评审")
    AWARDED = "awarded", _("当选")
    NOT_AWARDED = "not_awarded", _("未当选")


class Nomination(models.Model):
    """A nominee put forward in a round, with the reason and the figures drawn from the data."""

    scope_field = "round__scope_code"
    view_perm = VIEW

    round = models.ForeignKey(
        AwardRound, on_delete=models.CASCADE, related_name="nominations", verbose_name=_("评选")
    )
    nominee_kind = models.CharField(_("评选对象"), max_length=12, choices=NomineeKind.choices)
    nominee_key = models.CharField(_("被提名对象标识"), max_length=40, editable=False)
    volunteer = models.ForeignKey(
        "teams.Volunteer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    household = models.ForeignKey(
        "people.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    member = models.ForeignKey(
        "teams.PartyMember", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey("teams.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    nominee_name = models.CharField(_("被推荐对象"), max_length=100)
    public_name = models.CharField(_("公示名称"), max_length=100)
    show_name = models.BooleanField(_("本人同意公示姓名"), default=False)
    nominator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                                  verbose_name=_("推荐人"))  # fmt: skip
    nominator_name = models.CharField(_("推荐人（单位）"), max_length=60)
    reason = models.TextField(_("推荐理由"))
    figures = models.JSONField(_("事迹数据"), default=dict, blank=True)
    result = models.CharField(_("评审结果"), max_length=12, choices=NominationResult.choices,
                              default=NominationResult.PENDING)  # fmt: skip
    review_note = models.CharField(_("评审意见"), max_length=200, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("评审人"))  # fmt: skip
    reviewed_at = models.DateTimeField(_("评审时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("推荐时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("推荐")
        verbose_name_plural = _("推荐")
        ordering = ["round", "result", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "nominee_key"], name="nomination_once_per_round",
                                               violation_error_message=_("该对象已被推荐参加本次评选。"))]  # fmt: skip

    def __str__(self):
        return f"{self.round} · {self.nominee_name}"

    def get_absolute_url(self):
        return self.round.get_absolute_url() + f"#nomination-{self.pk}"
