"""Titles a creation scheme grants (示范社区, 小康社区 全面/基本/初步 …) for a term, with re-checks."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.assessment.models.rounds import Entry
from shequ.assessment.models.schemes import VIEW, Scheme
from shequ.core.models import ScopedModel

USER = settings.AUTH_USER_MODEL


class Title(ScopedModel):
    """A title held by a community: granted after an acceptance inspection, valid until
    `expires_on`, re-checked on the dates in `rechecks` ([{"due": "2027-12-31", "done": null}])."""

    view_perm = VIEW

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="titles")
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="title")
    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    name = models.CharField(_("称号"), max_length=80)
    grade = models.CharField(_("等次"), max_length=20, blank=True)
    granted_on = models.DateField(_("授予日期"))
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    rechecks = models.JSONField(_("复查安排"), default=list, blank=True)
    granted_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("创建称号")
        verbose_name_plural = _("创建称号")
        ordering = ["-granted_on", "scope_code"]

    def __str__(self):
        return f"{self.community} · {self.name}"

    def compute_scope_code(self) -> str:
        return self.community.code
