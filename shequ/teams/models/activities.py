"""Activities, the backbone: every team (and later every unit and Party organisation) is counted by
what it does. An activity has an organiser, a kind, a time and a place (a room of the facilities
module through the core places registry, or free text), a capacity, sign-ups with a waiting list,
volunteer roles and shifts, check-in at the door (QR) or from the staff's list, a short report
with photos, residents' ratings, and the volunteers' hours the organiser confirms."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.models import ScopedModel
from shequ.core.scope import ScopedManager
from shequ.teams.models.teams import CONFIGURE, VIEW, Team, Volunteer


class OrganiserKind(models.TextChoices):
    """Who organises. A team is named by `team`; a unit in the area (驻区单位) and a Party
    organisation by `organiser_ref` ("unit:<id>", "party:<id>"); every figure reads `organiser_kind`
    and `organiser_name`."""

    TEAM = "team", _("队伍")
    COMMUNITY = "community", _("社区（街道）")
    UNIT = "unit", _("驻区单位")
    PARTY = "party", _("党组织")


class ActivityKind(models.TextChoices):
    CULTURE = "culture", _("文体活动")
    VOLUNTEER = "volunteer", _("志愿服务")
    EDUCATION = "education", _("宣传教育")
    SERVICE = "service", _("便民服务")
    TRAINING = "training", _("培训讲座")
    FESTIVAL = "festival", _("节日庆典")
    FITNESS = "fitness", _("健身活动")
    OTHER = "other", _("其他")


class ActivityStatus(models.TextChoices):
    OPEN = "open", _("正常")
    CANCELLED = "cancelled", _("已取消")


class Activity(ScopedModel):
    view_perm = VIEW

    org = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在社区或街道")
    )
    organiser_kind = models.CharField(_("组织方类别"), max_length=12, choices=OrganiserKind.choices)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="activities",
                             verbose_name=_("组织队伍"))  # fmt: skip
    organiser_ref = models.CharField(_("组织方记录"), max_length=40, blank=True, editable=False)
    organiser_name = models.CharField(_("组织方"), max_length=80)
    kind = models.CharField(_("活动类别"), max_length=12, choices=ActivityKind.choices)
    title = models.CharField(_("活动名称"), max_length=100)
    description = models.TextField(_("活动内容"), blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    facility_ref = models.PositiveBigIntegerField(_("场地"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=100)
    capacity = models.PositiveIntegerField(_("人数上限"), null=True, blank=True)
    signup_open = models.BooleanField(_("接受报名"), default=True)
    public = models.BooleanField(_("公开发布"), default=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.OPEN
    )
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    door_key = models.CharField(_("签到码密钥"), max_length=16, editable=False, blank=True)
    report = models.TextField(_("活动小结"), blank=True)
    reported_at = models.DateTimeField(_("小结时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("登记人"))  # fmt: skip

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["scope_code", "starts_at"], name="activity_scope_start")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after_start"),
            models.CheckConstraint(condition=~Q(organiser_kind="team") | Q(team__isnull=False), name="activity_team_named"),
        ]  # fmt: skip

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("teams:activity-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.org.code

    @property
    def cancelled(self) -> bool:
        return self.status == ActivityStatus.CANCELLED

    @property
    def duration_hours(self) -> Decimal:
        return (Decimal((self.ends_at - self.starts_at).total_seconds()) / 3600).quantize(Decimal("0.1"))


class _ActivityRow(models.Model):
    scope_field = "activity__scope_code"
    view_perm = VIEW
    objects = ScopedManager()

    class Meta:
        abstract = True


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已报名")
    WAITING = "waiting", _("候补")
    CANCELLED = "cancelled", _("已取消")


HOLDING = (SignupStatus.CONFIRMED, SignupStatus.WAITING)


class Signup(_ActivityRow):
    """A resident's sign-up: confirmed while places last, then on the waiting list (moved up, in
    order, when someone cancels). One standing sign-up per person (key as a check-in's)."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="signups", verbose_name=_("活动")
    )
    key = models.CharField(max_length=40, editable=False)
    resident = models.ForeignKey("people.Resident", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("居民"))  # fmt: skip
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("账号"))  # fmt: skip
    name = models.CharField(_("姓名"), max_length=50)
    status = models.CharField(_("报名状态"), max_length=12, choices=SignupStatus.choices)
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    changed_at = models.DateTimeField(_("状态变更时间"), auto_now=True)

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        ordering = ["activity", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "key"],
                condition=Q(status__in=["confirmed", "waiting"]),
                name="signup_once_per_activity",
                violation_error_message=_("您已报名本次活动，无需重复报名。"),
            ),  # fmt: skip
        ]

    def __str__(self):
        return f"{self.name} · {self.activity}"

    @classmethod
    def owned_by_q(cls, user):
        return Q(user=user)


class Shift(_ActivityRow):
    """A volunteer role and its shift (引导, 签到, 秩序, 摄影 …) with the places it has."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("活动")
    )
    role = models.CharField(_("岗位"), max_length=30)
    starts_at = models.DateTimeField(_("上岗时间"))
    ends_at = models.DateTimeField(_("下岗时间"))
    slots = models.PositiveSmallIntegerField(_("需要人数"), default=1)

    class Meta:
        verbose_name = _("志愿岗位")
        verbose_name_plural = _("志愿岗位")
        ordering = ["activity", "starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.activity} · {self.role}"


class ShiftSignup(models.Model):
    """A volunteer taking a place in a shift (once per shift)."""

    scope_field = "shift__activity__scope_code"
    view_perm = VIEW

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="takers", verbose_name=_("岗位"))
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="shifts", verbose_name=_("志愿者")
    )
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("岗位报名")
        verbose_name_plural = _("岗位报名")
        constraints = [models.UniqueConstraint(fields=["shift", "volunteer"], name="shift_signup_once",
                                               violation_error_message=_("您已报名这个岗位。"))]  # fmt: skip

    def __str__(self):
        return f"{self.volunteer} · {self.shift}"


class CheckInMethod(models.TextChoices):
    QR = "qr", _("扫码签到")
    LIST = "list", _("工作人员点名")
    PASS = "pass", _("工作人员扫入场码")


class CheckIn(_ActivityRow):
    """One person present at an activity, checked in once (the unique constraint holds against two
    scans at the same moment)."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="checkins", verbose_name=_("活动")
    )
    key = models.CharField(max_length=40, editable=False)
    resident = models.ForeignKey("people.Resident", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("居民"))  # fmt: skip
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("账号"))  # fmt: skip
    name = models.CharField(_("姓名"), max_length=50)
    method = models.CharField(_("签到方式"), max_length=8, choices=CheckInMethod.choices)
    # When the person came: now, or when a staff scanner that was briefly offline read their pass.
    at = models.DateTimeField(_("签到时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("活动签到")
        verbose_name_plural = _("活动签到")
        ordering = ["activity", "at", "id"]
        constraints = [models.UniqueConstraint(fields=["activity", "key"], name="checkin_once_per_activity")]

    def __str__(self):
        return f"{self.name} @ {self.activity}"

    @classmethod
    def owned_by_q(cls, user):
        return Q(user=user)


class ServiceHours(_ActivityRow):
    """A volunteer's hours at an activity they attended, confirmed by the organiser (the only source
    of volunteer hours: nobody declares their own)."""

    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="service_hours", verbose_name=_("活动")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="hours", verbose_name=_("志愿者")
    )
    role = models.CharField(_("服务岗位"), max_length=30, blank=True)
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=5, decimal_places=1)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                                     verbose_name=_("确认人"))  # fmt: skip
    confirmed_at = models.DateTimeField(_("确认时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("志愿服务时长")
        verbose_name_plural = _("志愿服务时长")
        ordering = ["-confirmed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "volunteer"],
                name="hours_once_per_activity",
                violation_error_message=_("该志愿者本次活动的时长已确认。"),
            ),  # fmt: skip
            models.CheckConstraint(condition=Q(hours__gt=0), name="hours_positive"),
        ]

    def __str__(self):
        return f"{self.volunteer} · {self.activity} · {self.hours}"

    @classmethod
    def owned_by_q(cls, user):
        return Q(volunteer__user=user)


class Rating(_ActivityRow):
    """A resident's rating of an activity they attended (1–5), once per person."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("活动")
    )
    key = models.CharField(max_length=40, editable=False)
    score = models.PositiveSmallIntegerField(_("评分"))
    comment = models.CharField(_("意见"), max_length=200, blank=True)
    at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("活动评价")
        verbose_name_plural = _("活动评价")
        constraints = [
            models.UniqueConstraint(fields=["activity", "key"], name="rating_once_per_activity"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_range"),
        ]

    def __str__(self):
        return f"{self.activity} · {self.score}"


class AppraisalWeights(ScopedModel):
    """The weights of a street's or district's team appraisal (participation, number of activities,
    residents' rating), in percent adding up to 100. The nearest node's weights apply."""

    view_perm = VIEW
    configure_perm = CONFIGURE

    org = models.OneToOneField(
        "org.OrgUnit", on_delete=models.CASCADE, related_name="+", verbose_name=_("街道或区")
    )
    participation = models.PositiveSmallIntegerField(_("参与人次权重（%）"), default=40)
    activities = models.PositiveSmallIntegerField(_("活动场次权重（%）"), default=30)
    rating = models.PositiveSmallIntegerField(_("居民评价权重（%）"), default=30)

    class Meta:
        verbose_name = _("队伍考评权重")
        verbose_name_plural = _("队伍考评权重")
        constraints = [models.CheckConstraint(condition=Q(participation__lte=100, activities__lte=100, rating__lte=100),
                                              name="weights_percent")]  # fmt: skip

    def __str__(self):
        return f"{self.org} {self.participation}/{self.activities}/{self.rating}"

    def compute_scope_code(self) -> str:
        return self.org.code
