"""听证 and 征求意见. A hearing is announced a set number of days before it may be held (its notice
period), registers those who will speak (residents and units) and records what each said. A
consultation puts a plan affecting residents before them until a closing date: their written views
come in through the kernel's survey engine (one text question, one view per resident, verified as
any survey is), and the staff write the summary of what was said."""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.models import ScopedModel, SurveyVerify
from shequ.core.scope import ScopedManager
from shequ.participation.models.issues import VIEW

CONSULTATION_PURPOSE = "participation.consultation"
DEFAULT_NOTICE_DAYS = 7


class Hearing(ScopedModel):
    """民意听证: announced on `notice_on`, held no earlier than `notice_days` after it."""

    view_perm = VIEW

    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    title = models.CharField(_("听证事项"), max_length=100)
    subject = models.TextField(_("听证内容"), max_length=4000)
    notice_on = models.DateField(_("公告日期"))
    notice_days = models.PositiveSmallIntegerField(
        _("公告期（天）"),
        default=DEFAULT_NOTICE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    planned_on = models.DateField(_("拟举行日期"))
    place = models.CharField(_("地点"), max_length=100)
    held_on = models.DateField(_("举行日期"), null=True, blank=True)
    conclusion = models.TextField(_("听证结论"), max_length=4000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("听证会")
        verbose_name_plural = _("听证会")
        ordering = ["-planned_on", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("participation:hearing-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.community.code

    @property
    def earliest_on(self) -> dt.date:
        """The first day the hearing may be held: the notice has run its days."""
        return self.notice_on + dt.timedelta(days=self.notice_days)


class SpeakerKind(models.TextChoices):
    RESIDENT = "resident", _("居民")
    UNIT = "unit", _("单位")


class HearingSpeaker(models.Model):
    """One registered speaker of a hearing (a resident, or a unit by its representative), and the
    statement recorded for them."""

    scope_field = "hearing__scope_code"
    view_perm = VIEW

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="speakers")
    kind = models.CharField(_("发言人类别"), max_length=10, choices=SpeakerKind.choices)
    name = models.CharField(_("发言人"), max_length=50)
    unit = models.ForeignKey(
        "org.ResidentOrganization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("单位（驻区单位）"),
    )  # fmt: skip
    unit_name = models.CharField(_("单位名称"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("发言顺序"))
    statement = models.TextField(_("发言记录"), max_length=4000, blank=True)
    registered_at = models.DateTimeField(_("报名时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("听证发言人")
        verbose_name_plural = _("听证发言人")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hearing", "kind", "name", "unit_name"], name="hearing_speaker_once"
            ),
            models.UniqueConstraint(fields=["hearing", "position"], name="hearing_speaker_position"),
        ]

    def __str__(self):
        return f"{self.unit_name}·{self.name}" if self.unit_name else self.name


class Consultation(ScopedModel):
    """征求意见 on a plan: residents write their views on a phone until `closes_on`."""

    view_perm = VIEW

    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    title = models.CharField(_("方案名称"), max_length=100)
    plan = models.TextField(_("方案内容"), max_length=1000)
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))
    verify = models.CharField(_("填写人核验"), max_length=8, choices=SurveyVerify.choices)
    survey_id = models.PositiveBigIntegerField(_("问卷"), null=True, blank=True)
    summary = models.TextField(_("意见汇总"), max_length=4000, blank=True)
    summarised_at = models.DateTimeField(_("汇总时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("征求意见")
        verbose_name_plural = _("征求意见")
        ordering = ["-opens_on", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("participation:consultation-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.community.code
