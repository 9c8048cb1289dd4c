"""人民调解: disputes mediated by the community's mediation committee, their parties, agreement and
follow-up visit; a mediation may come from a case (both pages show the link)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import EncryptedTextField
from shequ.core.models import ScopedModel
from shequ.core.scope import ScopedQuerySet
from shequ.ledgers.models.common import VIEW_MEDIATION


class MatterType(models.Model):
    """纠纷类型, kept as data (邻里纠纷, 婚姻家庭, 物业纠纷, 劳动争议 …)."""

    name = models.CharField(_("纠纷类型"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("纠纷类型")
        verbose_name_plural = _("纠纷类型")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class Mediator(ScopedModel):
    """A mediator on the community's roster (人民调解员): a staff account or someone named."""

    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    name = models.CharField(_("姓名"), max_length=50)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("工作人员账号"),
    )  # fmt: skip
    active = models.BooleanField(_("在册"), default=True)

    view_perm = VIEW_MEDIATION

    class Meta:
        verbose_name = _("人民调解员")
        verbose_name_plural = _("人民调解员")
        ordering = ["scope_code", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="mediator_unique")]

    def __str__(self):
        return self.name

    def compute_scope_code(self) -> str:
        return self.community.code


class Mediation(ScopedModel):
    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    number = models.CharField(_("登记号"), max_length=30, unique=True)
    matter_type = models.ForeignKey(MatterType, on_delete=models.PROTECT, verbose_name=_("纠纷类型"))
    summary = EncryptedTextField(_("纠纷简要情况"))
    mediator = models.ForeignKey(
        Mediator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mediations",
        verbose_name=_("调解员"),
    )
    received_on = models.DateField(_("受理日期"))
    mediated_on = models.DateField(_("调解日期"), null=True, blank=True)
    # None: still being mediated.
    agreement_reached = models.BooleanField(_("是否达成协议"), null=True, blank=True)
    agreement_text = EncryptedTextField(_("协议书内容"))
    followup_on = models.DateField(_("回访日期"), null=True, blank=True)
    followup_result = EncryptedTextField(_("回访情况"))
    case_id = models.PositiveBigIntegerField(_("来源案件"), null=True, blank=True, db_index=True)
    case_number = models.CharField(_("来源案件编号"), max_length=30, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("登记人"),
    )  # fmt: skip

    view_perm = VIEW_MEDIATION

    class Meta:
        verbose_name = _("人民调解")
        verbose_name_plural = _("人民调解")
        ordering = ["-received_on", "-id"]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("ledgers:mediation-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.community.code

    @property
    def outcome(self) -> str:
        if self.agreement_reached is None:
            return str(_("调解中"))
        return str(_("达成协议")) if self.agreement_reached else str(_("未达成协议"))


class PartySide(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")


class PartyQuerySet(ScopedQuerySet):
    pass


class Party(models.Model):
    """当事人: a resident of the registry, or an outsider with a minimal record."""

    scope_field = "mediation__scope_code"
    view_perm = VIEW_MEDIATION

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="parties")
    side = models.CharField(_("当事人身份"), max_length=16, choices=PartySide.choices)
    resident = models.ForeignKey(
        "people.Resident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("居民"),
    )
    name = EncryptedTextField(_("姓名"), mask="name")
    id_number = EncryptedTextField(_("身份证号"), mask="id_number")
    phone = EncryptedTextField(_("联系电话"), mask="phone")

    objects = PartyQuerySet.as_manager()

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")
        ordering = ["mediation_id", "side", "id"]

    def __str__(self):
        return f"{self.get_side_display()} {self.pk}"
