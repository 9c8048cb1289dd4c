"""居民公约, 自治章程 and rules such as the 居民代表大会制度: one charter per community and title,
kept as numbered versions. A version is drafted, discussed at a meeting, adopted by the vote of
those present under the meeting type's quorum and rule (as resolutions are), then published with
its in-force period; two versions of one charter are never in force on the same day."""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.models import ScopedModel
from shequ.participation.models.issues import VIEW
from shequ.participation.models.meetings import Meeting


class CharterKind(models.TextChoices):
    COVENANT = "covenant", _("居民公约")
    STATUTE = "statute", _("自治章程")
    RULE = "rule", _("议事规则与制度")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草案")
    DISCUSSED = "discussed", _("已提交会议讨论")
    ADOPTED = "adopted", _("表决通过")
    REJECTED = "rejected", _("表决未通过")
    PUBLISHED = "published", _("已公布")


class Charter(ScopedModel):
    """One charter of a community (its 居民公约, its 居民代表大会制度 …); the text is in its versions."""

    view_perm = VIEW

    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    kind = models.CharField(_("类别"), max_length=16, choices=CharterKind.choices)
    title = models.CharField(_("名称"), max_length=60, help_text=_("如：居民公约、居民代表大会制度"))

    class Meta:
        verbose_name = _("公约章程")
        verbose_name_plural = _("公约章程")
        ordering = ["scope_code", "kind", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "title"],
                name="charter_title_once",
                violation_error_message=_("本社区已有同名的公约章程，请在其中起草新版本。"),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("participation:charter-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.community.code


class CharterVersion(ScopedModel):
    """One numbered version of a charter: its text, the meeting that discussed it, the vote among
    those present, and the period it is in force (from a date, until a date or open)."""

    view_perm = VIEW

    charter = models.ForeignKey(
        Charter, on_delete=models.CASCADE, related_name="versions", verbose_name=_("公约章程")
    )
    number = models.PositiveSmallIntegerField(_("版本号"))
    text = models.TextField(_("正文"), max_length=20000)
    note = models.CharField(_("修订说明"), max_length=300, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="charter_versions",
        verbose_name=_("讨论会议"),
    )  # fmt: skip
    present = models.PositiveIntegerField(_("出席人数"), null=True, blank=True)
    votes_for = models.PositiveIntegerField(_("赞成"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("反对"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("弃权"), null=True, blank=True)
    decided_on = models.DateField(_("表决日期"), null=True, blank=True)
    in_force_from = models.DateField(_("施行日期"))
    in_force_until = models.DateField(_("废止日期"), null=True, blank=True, help_text=_("不填表示长期有效"))
    published_on = models.DateField(_("公布日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("公约章程版本")
        verbose_name_plural = _("公约章程版本")
        ordering = ["charter", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["charter", "number"], name="charter_version_number_once"),
            models.CheckConstraint(
                condition=Q(in_force_until__isnull=True) | Q(in_force_until__gte=models.F("in_force_from")),
                name="charter_version_period_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.charter.title}（第{self.number}版）"

    def get_absolute_url(self):
        return reverse("participation:charter-detail", args=[self.charter_id])

    def compute_scope_code(self) -> str:
        return self.charter.scope_code

    def in_force_on(self, day: dt.date) -> bool:
        return (
            self.status == VersionStatus.PUBLISHED
            and self.in_force_from <= day
            and (self.in_force_until is None or day <= self.in_force_until)
        )

    @property
    def period_label(self) -> str:
        until = self.in_force_until.isoformat() if self.in_force_until else _("长期")
        return f"{self.in_force_from.isoformat()} 至 {until}"
