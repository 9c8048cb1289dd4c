"""A street office's own internal bodies (内设机构) and their headcount: 编制 (the establishment
approved for it) against 实有 (people actually in post). Entered as simple records per street;
most of the people counted are civil servants and staff outside the community-worker roster."""

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.models import ScopedModel
from shequ.workforce.models.roster import VIEW


class StreetSection(ScopedModel):
    view_perm = VIEW

    org = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("街道"))
    name = models.CharField(_("机构名称"), max_length=60, help_text=_("如：党政综合办公室、社区建设办公室"))
    established = models.PositiveSmallIntegerField(_("编制数"))
    actual = models.PositiveSmallIntegerField(_("实有人数"))
    as_of = models.DateField(_("统计日期"), default=timezone.localdate)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("街道内设机构")
        verbose_name_plural = _("街道内设机构")
        ordering = ["scope_code", "name"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="streetsection_org_name")]

    def __str__(self):
        return f"{self.org} {self.name}"

    def get_absolute_url(self):
        return reverse("workforce:sections") + f"?scope={self.org.code}"

    def compute_scope_code(self) -> str:
        return self.org.code

    @property
    def vacancy(self) -> int:
        """编制 not filled (negative when more people are in post than the establishment)."""
        return self.established - self.actual
