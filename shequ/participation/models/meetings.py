"""会议 and 决议: meeting types as data (each with its quorum and its rule for adopting), meetings
with their agenda, invited parties, sign-in and minutes, resolutions voted among those present,
their follow-up steps, 公示 and 成效评议."""

import datetime as dt
from fractions import Fraction

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.models import ScopedModel
from shequ.core.scope import ScopedManager
from shequ.participation.models.issues import VIEW, VIEW_SUPPORTERS, Issue


class Share(models.TextChoices):
    """How a count is held against its base: more than a share, or at least one."""

    MORE_THAN = "more_than", _("超过")
    AT_LEAST = "at_least", _("不少于")


def share_met(count: int, base: int, numerator: int, denominator: int, rule: str) -> bool:
    """Is `count` more than (or at least) numerator/denominator of `base`? Exact, in integers."""
    if base <= 0:
        return False
    got, need = Fraction(count, base), Fraction(numerator, denominator)
    return got > need if rule == Share.MORE_THAN else got >= need


def share_part(numerator: int, denominator: int) -> str:
    names = {(1, 2): "半数", (2, 3): "三分之二", (1, 3): "三分之一", (3, 4): "四分之三"}
    return names.get((numerator, denominator), f"{numerator}/{denominator}")


class MeetingType(models.Model):
    """民情恳谈会, 民事协调会 …: each with its quorum (share of those expected who are present) and
    the share of those present whose votes adopt a resolution."""

    name = models.CharField(_("会议类型"), max_length=30, unique=True)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    expected_label = models.CharField(
        _("应到人员"), max_length=40, default="应到人员", help_text=_("如：应到居民代表")
    )
    quorum_numerator = models.PositiveSmallIntegerField(_("法定人数（分子）"), default=1)
    quorum_denominator = models.PositiveSmallIntegerField(_("法定人数（分母）"), default=2)
    quorum_rule = models.CharField(
        _("法定人数规则"), max_length=16, choices=Share.choices, default=Share.MORE_THAN
    )
    adopt_numerator = models.PositiveSmallIntegerField(_("通过票数（分子）"), default=1)
    adopt_denominator = models.PositiveSmallIntegerField(_("通过票数（分母）"), default=2)
    adopt_rule = models.CharField(
        _("通过规则"), max_length=16, choices=Share.choices, default=Share.MORE_THAN
    )
    rates_outcomes = models.BooleanField(_("可作成效评议"), default=False)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("会议类型")
        verbose_name_plural = _("会议类型")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    @property
    def quorum_label(self) -> str:
        """出席人数超过应到居民的半数, 出席人数不少于应到居民代表的三分之二 …"""
        return _("出席人数%(r)s%(e)s的%(p)s") % {
            "r": Share(self.quorum_rule).label,
            "e": self.expected_label,
            "p": share_part(self.quorum_numerator, self.quorum_denominator),
        }

    @property
    def adopt_label(self) -> str:
        return _("赞成票%(r)s出席人数的%(p)s") % {
            "r": Share(self.adopt_rule).label,
            "p": share_part(self.adopt_numerator, self.adopt_denominator),
        }

    def quorum_met(self, present: int, expected: int) -> bool:
        return share_met(present, expected, self.quorum_numerator, self.quorum_denominator, self.quorum_rule)

    def adopted(self, votes_for: int, present: int) -> bool:
        return share_met(votes_for, present, self.adopt_numerator, self.adopt_denominator, self.adopt_rule)


class Meeting(ScopedModel):
    """One meeting of a community: when, where, who convened it, whom it invited, its agenda,
    who signed in, and its minutes."""

    view_perm = VIEW

    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    kind = models.ForeignKey(
        MeetingType, on_delete=models.PROTECT, related_name="+", verbose_name=_("会议类型")
    )
    title = models.CharField(_("会议名称"), max_length=100)
    starts_at = models.DateTimeField(_("开始时间"))
    place = models.CharField(_("地点"), max_length=100)
    convener = models.CharField(_("召集人"), max_length=50)
    expected = models.PositiveIntegerField(_("应到人数"))
    invited = models.TextField(
        _("邀请参加"), blank=True, help_text=_("每行一方，如：居民代表、物业公司、派出所")
    )
    invited_orgs = models.ManyToManyField(
        "org.ResidentOrganization", blank=True, related_name="+", verbose_name=_("邀请的驻区单位")
    )
    minutes = models.TextField(_("会议纪要"), blank=True)
    held = models.BooleanField(_("已召开"), default=False)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["scope_code", "starts_at"], name="meeting_scope_start")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("participation:meeting-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.community.code

    @property
    def day(self) -> dt.date:
        return timezone.localtime(self.starts_at).date()


class AgendaItem(models.Model):
    """An issue on a meeting's agenda, with the views heard on it."""

    scope_field = "meeting__scope_code"
    view_perm = VIEW

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda", verbose_name=_("会议")
    )
    issue = models.ForeignKey(
        Issue, on_delete=models.PROTECT, related_name="agenda_items", verbose_name=_("议题")
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=1)
    views = models.TextField(_("各方意见"), blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("议程")
        verbose_name_plural = _("议程")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "issue"], name="agenda_issue_once")]

    def __str__(self):
        return f"{self.meeting} · {self.issue}"


class SignInMethod(models.TextChoices):
    QR = "qr", _("扫码签到")
    LIST = "list", _("工作人员登记")


class Attendance(models.Model):
    """One person present at a meeting, signed in once (the key names them as a support's does).
    Who came is read by the community's staff; others see the count."""

    scope_field = "meeting__scope_code"
    view_perm = VIEW_SUPPORTERS

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("会议")
    )
    key = models.CharField(max_length=60, editable=False)
    name = models.CharField(_("姓名"), max_length=50)
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")  # fmt: skip
    method = models.CharField(_("签到方式"), max_length=8, choices=SignInMethod.choices)
    signed_at = models.DateTimeField(_("签到时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("会议签到")
        verbose_name_plural = _("会议签到")
        ordering = ["signed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "key"], name="attendance_once_per_meeting")]

    def __str__(self):
        return f"{self.name} @ {self.meeting}"


class Resolution(ScopedModel):
    """决议 on an agenda issue: the vote among those present, adopted or not by the type's rule;
    then its owner, deadline, follow-up steps, 公示 and completion."""

    view_perm = VIEW

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="resolutions", verbose_name=_("会议")
    )
    issue = models.ForeignKey(
        Issue, on_delete=models.PROTECT, related_name="resolutions", verbose_name=_("议题")
    )
    text = models.TextField(_("决议内容"), max_length=4000)
    present = models.PositiveIntegerField(_("出席人数"))
    votes_for = models.PositiveIntegerField(_("赞成"))
    votes_against = models.PositiveIntegerField(_("反对"))
    votes_abstain = models.PositiveIntegerField(_("弃权"))
    adopted = models.BooleanField(_("通过"))
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("责任人"),
    )  # fmt: skip
    owner_unit = models.CharField(_("责任单位"), max_length=100, blank=True)
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    decided_on = models.DateField(_("表决日期"))
    published_on = models.DateField(_("公示日期"), null=True, blank=True)
    publish_days = models.PositiveSmallIntegerField(_("公示天数"), null=True, blank=True)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    completion_note = models.CharField(_("完成情况"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("决议")
        verbose_name_plural = _("决议")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "issue"], name="resolution_once_per_agenda_issue"),
            models.CheckConstraint(
                condition=Q(
                    present__gte=models.F("votes_for") + models.F("votes_against") + models.F("votes_abstain")
                ),
                name="resolution_votes_within_present",
            ),
        ]
        indexes = [models.Index(fields=["scope_code", "deadline"], name="resolution_scope_deadline")]

    def __str__(self):
        return f"{self.issue.title}（{self.decided_on:%Y-%m-%d}）"

    def get_absolute_url(self):
        return reverse("participation:resolution-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.meeting.scope_code

    @property
    def owner_label(self) -> str:
        parts = [str(self.owner_user) if self.owner_user_id else "", self.owner_unit]
        return " · ".join(p for p in parts if p) or "—"

    @property
    def overdue(self) -> bool:
        return bool(
            self.adopted
            and self.completed_on is None
            and self.deadline
            and self.deadline < timezone.localdate()
        )

    @property
    def publish_until(self) -> dt.date | None:
        if self.published_on is None or not self.publish_days:
            return None
        return self.published_on + dt.timedelta(days=self.publish_days - 1)

    @property
    def on_notice(self) -> bool:
        until = self.publish_until
        return until is not None and self.published_on <= timezone.localdate() <= until


def overdue_q(today: dt.date | None = None) -> Q:
    """Adopted resolutions past their deadline and not completed."""
    today = today or timezone.localdate()
    return Q(adopted=True, completed_on__isnull=True, deadline__lt=today)


class FollowUp(models.Model):
    """A step taken to carry out a resolution, on a date, with photos (core attachments)."""

    scope_field = "resolution__scope_code"
    view_perm = VIEW
    visible_through = "resolution"  # its photos are read by the resolution's rule

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="follow_ups",
                                   verbose_name=_("决议"))  # fmt: skip
    on = models.DateField(_("日期"))
    text = models.CharField(_("落实情况"), max_length=1000)
    recorded_by = models.CharField(_("登记人"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("落实情况")
        verbose_name_plural = _("落实情况")
        ordering = ["on", "id"]

    def __str__(self):
        return f"{self.on:%Y-%m-%d} {self.text[:20]}"


class OutcomeReview(models.Model):
    """成效评议: a later 民主评议会 rates what a resolution achieved (满意/基本满意/不满意 counts)."""

    scope_field = "resolution__scope_code"
    view_perm = VIEW

    resolution = models.OneToOneField(Resolution, on_delete=models.CASCADE, related_name="review",
                                      verbose_name=_("决议"))  # fmt: skip
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("评议会议")
    )
    satisfied = models.PositiveIntegerField(_("满意"))
    basic = models.PositiveIntegerField(_("基本满意"))
    unsatisfied = models.PositiveIntegerField(_("不满意"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("成效评议")
        verbose_name_plural = _("成效评议")

    def __str__(self):
        return f"{self.resolution} {self.satisfied}/{self.basic}/{self.unsatisfied}"

    @property
    def total(self) -> int:
        return self.satisfied + self.basic + self.unsatisfied

    @property
    def satisfaction(self) -> float | None:
        """满意率: 满意 and 基本满意 over all ratings, in percent to one place."""
        return round((self.satisfied + self.basic) * 100 / self.total, 1) if self.total else None
