"""低保 / 特困 / 五保: relief cases drawn from the resident registry and their monthly payments."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import EncryptedTextField
from shequ.core.models import ScopedModel
from shequ.ledgers.models.common import VIEW_RELIEF


class ReliefCategory(models.TextChoices):
    DIBAO = "dibao", _("城乡低保")
    TEKUN = "tekun", _("特困供养")
    WUBAO = "wubao", _("农村五保")


# Categories whose people live either in an institution (集中供养) or at home (分散供养).
CARED = {ReliefCategory.TEKUN, ReliefCategory.WUBAO}


class ReliefStatus(models.TextChoices):
    ACTIVE = "active", _("在保")
    SUSPENDED = "suspended", _("暂停")
    ENDED = "ended", _("停保")


class CareMode(models.TextChoices):
    NONE = "", _("不适用")
    CENTRAL = "central", _("集中供养")
    DISPERSED = "dispersed", _("分散供养")


class PaymentStatus(models.TextChoices):
    PAID = "paid", _("已发放")
    SUSPENDED = "suspended", _("暂停发放")


class ReliefCase(ScopedModel):
    """One relief case: a household on 低保, or a person on 特困/五保 support. The head's name and
    ID number are copied from the registry when the case is opened (the roster names whom the
    money was for), encrypted and shown masked."""

    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属社区")
    )
    household = models.ForeignKey(
        "people.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("户"),
    )
    head = models.ForeignKey(
        "people.Resident", on_delete=models.PROTECT, related_name="+", verbose_name=_("户主/供养对象")
    )
    head_name = EncryptedTextField(_("户主姓名"), mask="name")
    head_id_number = EncryptedTextField(_("身份证号"), mask="id_number")
    category = models.CharField(_("类别"), max_length=16, choices=ReliefCategory.choices)
    persons = models.PositiveSmallIntegerField(_("保障人数"), default=1)
    start_date = models.DateField(_("起始日期"))
    monthly_amount = models.DecimalField(_("月保障金（元）"), max_digits=9, decimal_places=2)
    care_mode = models.CharField(_("供养方式"), max_length=16, choices=CareMode.choices, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ReliefStatus.choices, default=ReliefStatus.ACTIVE
    )
    status_on = models.DateField(_("状态变更日期"), null=True, blank=True)
    status_reason = EncryptedTextField(_("暂停或停保原因"))
    remarks = EncryptedTextField(_("备注"))

    view_perm = VIEW_RELIEF

    class Meta:
        verbose_name = _("低保特困对象")
        verbose_name_plural = _("低保特困对象")
        ordering = ["scope_code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["head", "category"],
                condition=~models.Q(status="ended"),
                name="relief_case_open_unique",
                violation_error_message=_("该对象已有同类别的在保或暂停记录，请在原记录上办理。"),
            )
        ]

    def __str__(self):
        return f"{self.get_category_display()} · {self.pk}"

    def get_absolute_url(self):
        return reverse("ledgers:relief-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.head.scope_code


class ReliefPayment(ScopedModel):
    """The payment of one case for one month. One row per case and month, held by a unique
    constraint: a double click or two clerks at once cannot pay a month twice."""

    case = models.ForeignKey(
        ReliefCase, on_delete=models.CASCADE, related_name="payments", verbose_name=_("对象")
    )
    month = models.DateField(_("月份"))  # the first day of the month
    amount = models.DecimalField(_("金额（元）"), max_digits=9, decimal_places=2)
    status = models.CharField(_("发放状态"), max_length=16, choices=PaymentStatus.choices)
    reason = EncryptedTextField(_("暂停原因"))
    generated = models.BooleanField(_("按月生成"), default=False)

    view_perm = VIEW_RELIEF

    class Meta:
        verbose_name = _("低保特困发放记录")
        verbose_name_plural = _("低保特困发放记录")
        ordering = ["-month", "case_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "month"],
                name="relief_payment_month_unique",
                violation_error_message=_("该对象这个月的发放记录已经登记，不能重复登记。"),
            )
        ]

    def __str__(self):
        return f"{self.case_id} · {self.month:%Y-%m}"

    def compute_scope_code(self) -> str:
        return self.case.scope_code
