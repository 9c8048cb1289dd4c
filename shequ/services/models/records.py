"""Service records (服务记录): who received which catalogue service, when, from whom, with what
outcome, and the follow-up visit it asks for. A record for a registered resident links to the one
registry by id and keeps the resident's tags of that day (as the registry keeps them: keyed hashes,
never the tag in clear), so counts can be split by 独居老人, 残疾人 …; someone not registered gets a
minimal record (a name and, encrypted, a phone)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import EncryptedTextField
from shequ.core.models import ScopedModel
from shequ.services.models.catalogue import VIEW_RECORD, Service


class Outcome(models.TextChoices):
    DONE = "done", _("已办结")
    REFERRED = "referred", _("已转介")
    ONGOING = "ongoing", _("持续服务中")
    UNSOLVED = "unsolved", _("未能解决")


class EmploymentKind(models.TextChoices):
    CONSULT = "consult", _("咨询")
    TRAINING = "training", _("培训")
    REFERRAL = "referral", _("推荐/介绍")
    PLACEMENT = "placement", _("安置/就业")


class ServiceRecord(ScopedModel):
    view_perm = VIEW_RECORD

    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="records", verbose_name=_("服务项目")
    )
    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("服务对象所在社区")
    )
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("居民"),
    )  # fmt: skip
    person_name = models.CharField(_("服务对象"), max_length=50)
    person_phone = EncryptedTextField(_("联系电话"), mask="phone")
    served_on = models.DateField(_("服务日期"), db_index=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("服务人员（账号）"),
    )  # fmt: skip
    served_by = models.CharField(_("服务人员/提供方"), max_length=100)
    outcome = models.CharField(_("服务结果"), max_length=10, choices=Outcome.choices, default=Outcome.DONE)
    note = models.CharField(_("服务情况"), max_length=500, blank=True)
    employment_kind = models.CharField(
        _("就业服务类型"), max_length=10, choices=EmploymentKind.choices, blank=True,
        help_text=_("就业类服务必填"),
    )  # fmt: skip
    follow_up_due = models.DateField(_("回访截止日期"), null=True, blank=True)
    follow_up_done_on = models.DateField(_("回访日期"), null=True, blank=True)
    follow_up_note = models.CharField(_("回访情况"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    # The form's one-time token (or an API client's idempotency key): the same form sent twice —
    # a double click, a refresh — finds the record the first one made instead of writing another.
    token = models.CharField(_("表单令牌"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-served_on", "-id"]
        indexes = [
            models.Index(fields=["scope_code", "served_on"], name="svcrecord_scope_day"),
            models.Index(fields=["resident", "served_on"], name="svcrecord_resident_day"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["token"], condition=~Q(token=""), name="svcrecord_token_once"),
            models.CheckConstraint(
                condition=Q(follow_up_due__isnull=True) | Q(follow_up_due__gte=models.F("served_on")),
                name="svcrecord_follow_up_after_service",
            ),
        ]

    def __str__(self):
        return f"{self.person_name} · {self.service} · {self.served_on}"

    def get_absolute_url(self):
        return reverse("services:record-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.resident.scope_code if self.resident_id else self.community.code

    @property
    def follow_up_state(self) -> str:
        if not self.follow_up_due:
            return ""
        if self.follow_up_done_on:
            return "done"
        from django.utils import timezone

        return "overdue" if self.follow_up_due < timezone.localdate() else "due"


class RecordTag(models.Model):
    """A tag the resident held on the day of the service, as a keyed hash (people.models.tag_key)."""

    scope_field = "record__scope_code"

    record = models.ForeignKey(ServiceRecord, on_delete=models.CASCADE, related_name="tags")
    tag_key = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = _("服务记录标签")
        verbose_name_plural = _("服务记录标签")
        constraints = [models.UniqueConstraint(fields=["record", "tag_key"], name="svcrecord_tag_once")]

    def __str__(self):
        return f"{self.record_id}:{self.tag_key[:8]}"
