"""四个同步: a new estate must plan, build, accept and hand over community space together with the
estate (同步规划、同步建设、同步验收、同步交付). A handover records the space required and by when,
what was handed over and when, and the gap; one past its due date with space still owed is
overdue, flagged to the street."""

from decimal import Decimal

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.models import ScopedModel
from shequ.facilities.models.facilities import VIEW


class HandoverState(models.TextChoices):
    PENDING = "pending", _("未到期")
    OVERDUE = "overdue", _("逾期未移交")
    PARTIAL = "partial", _("部分移交")
    DONE = "done", _("已足额移交")


class Handover(ScopedModel):
    view_perm = VIEW

    estate = models.CharField(_("楼盘（小区）名称"), max_length=100)
    developer = models.CharField(_("开发企业"), max_length=100)
    street = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("街道")
    )
    community = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("社区"),
    )
    required_area = models.DecimalField(_("应移交面积（平方米）"), max_digits=9, decimal_places=2)
    due_on = models.DateField(_("应移交日期"))
    planned_on = models.DateField(_("同步规划日期"), null=True, blank=True)
    built_on = models.DateField(_("同步建设（竣工）日期"), null=True, blank=True)
    accepted_on = models.DateField(_("同步验收日期"), null=True, blank=True)
    handed_area = models.DecimalField(
        _("已移交面积（平方米）"), max_digits=9, decimal_places=2, default=Decimal("0")
    )
    handed_on = models.DateField(_("移交日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("四个同步移交")
        verbose_name_plural = _("四个同步移交")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["scope_code", "due_on"], name="handover_scope_due")]

    def __str__(self):
        return self.estate

    def get_absolute_url(self):
        return reverse("facilities:handover-list") + f"#handover-{self.pk}"

    def compute_scope_code(self) -> str:
        return self.community.code if self.community_id else self.street.code

    @property
    def gap(self) -> Decimal:
        return max(self.required_area - self.handed_area, Decimal("0"))

    def state(self, today=None) -> str:
        today = today or timezone.localdate()
        if self.handed_area >= self.required_area:
            return HandoverState.DONE
        if self.due_on < today:
            return HandoverState.OVERDUE
        return HandoverState.PARTIAL if self.handed_area else HandoverState.PENDING

    def get_state_display(self) -> str:
        return str(HandoverState(self.state()).label)

    @property
    def overdue_days(self) -> int:
        return (timezone.localdate() - self.due_on).days if self.state() == HandoverState.OVERDUE else 0
