"""社区矫正公益活动: the residents under community correction, their public-benefit labour with
sign-in, and monthly and quarterly grades."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import EncryptedTextField
from shequ.core.models import ScopedModel
from shequ.core.scope import ScopedQuerySet
from shequ.ledgers.models.common import VIEW_CORRECTION


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("差")


GRADE_RANK = {Grade.EXCELLENT: 4, Grade.GOOD: 3, Grade.FAIR: 2, Grade.POOR: 1}


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")


class CorrectionSubject(ScopedModel):
    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.PROTECT, related_name="+", verbose_name=_("居民")
    )
    name = EncryptedTextField(_("姓名"), mask="name")
    id_number = EncryptedTextField(_("身份证号"), mask="id_number")
    start_date = models.DateField(_("矫正起始日期"))
    end_date = models.DateField(_("矫正结束日期"), null=True, blank=True)
    monthly_hours = models.DecimalField(
        _("每月应参加时长（小时）"), max_digits=4, decimal_places=1, default=8
    )

    view_perm = VIEW_CORRECTION

    class Meta:
        verbose_name = _("社区矫正对象")
        verbose_name_plural = _("社区矫正对象")
        ordering = ["scope_code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident"],
                condition=models.Q(end_date__isnull=True),
                name="correction_subject_open_unique",
                violation_error_message=_("该居民已在社区矫正公益活动台账中。"),
            )
        ]

    def __str__(self):
        return f"{_('矫正对象')} {self.pk}"

    def get_absolute_url(self):
        return reverse("ledgers:correction-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.resident.scope_code


class SubjectPartQuerySet(ScopedQuerySet):
    pass


class LabourSession(models.Model):
    """One session of public-benefit labour the person signed in to."""

    scope_field = "subject__scope_code"
    view_perm = VIEW_CORRECTION

    subject = models.ForeignKey(CorrectionSubject, on_delete=models.CASCADE, related_name="sessions")
    on = models.DateField(_("日期"))
    hours = models.DecimalField(_("时长（小时）"), max_digits=3, decimal_places=1)
    task = models.CharField(_("劳动内容"), max_length=100)
    signed_in_at = models.DateTimeField(_("签到时间"), auto_now_add=True)

    objects = SubjectPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("公益活动签到")
        verbose_name_plural = _("公益活动签到")
        ordering = ["-on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "on"],
                name="labour_session_day_unique",
                violation_error_message=_("这一天已有签到记录，不能重复签到。"),
            )
        ]

    def __str__(self):
        return f"{self.subject_id} · {self.on}"


class LabourGrade(models.Model):
    """A monthly or quarterly grade. A quarterly grade follows from the three monthly grades (the
    middle one of the three), or is entered with a reason."""

    scope_field = "subject__scope_code"
    view_perm = VIEW_CORRECTION

    subject = models.ForeignKey(CorrectionSubject, on_delete=models.CASCADE, related_name="grades")
    kind = models.CharField(_("周期"), max_length=8, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("年份"))
    period = models.PositiveSmallIntegerField(_("月份或季度"))
    grade = models.CharField(_("等次"), max_length=16, choices=Grade.choices)
    derived = models.BooleanField(_("按月度等次得出"), default=False)
    reason = EncryptedTextField(_("评定理由"))

    objects = SubjectPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("公益活动考核等次")
        verbose_name_plural = _("公益活动考核等次")
        ordering = ["year", "kind", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "kind", "year", "period"],
                name="labour_grade_period_unique",
                violation_error_message=_("这一期的等次已经评定。"),
            )
        ]

    def __str__(self):
        return f"{self.subject_id} · {self.year}-{self.kind}{self.period}"

    @property
    def period_label(self) -> str:
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year}年第{self.period}季度"
        return f"{self.year}年{self.period}月"
