"""The bodies residents govern themselves through: the registers of 居民代表 and 楼栋长 (each a
resident of the registry, chosen by 推选, 海选 or 任命, for a term, standing for households or
buildings), the self-governing groups (片区居民自治委员会, 楼院自治管理小组 formed by a recorded
vote, 楼栋(院)管委会, 业主委员会, 物业管理小组) with their members and buildings, and the property
companies' contracts with each 小区 (a 小区 is a building's `compound`, as org and people use it)."""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.models import ScopedModel
from shequ.core.scope import ScopedManager
from shequ.participation.models.issues import VIEW


class RepresentativeKind(models.TextChoices):
    REPRESENTATIVE = "representative", _("居民代表")
    BUILDING_LEAD = "building_lead", _("楼栋长")


class ChosenBy(models.TextChoices):
    NOMINATED = "nominated", _("推选")
    OPEN = "open", _("海选")
    APPOINTED = "appointed", _("任命")


def current_q(on: dt.date, start="term_start", end="term_end") -> Q:
    """Rows whose term covers `on` (the end day included)."""
    return Q(**{f"{start}__lte": on}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": on}))


class Representative(ScopedModel):
    """A 居民代表 (for households) or 楼栋长 (for buildings) of a community, for a term."""

    view_perm = VIEW

    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    kind = models.CharField(_("类别"), max_length=16, choices=RepresentativeKind.choices)
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.PROTECT, related_name="+", verbose_name=_("居民")
    )
    chosen_by = models.CharField(_("产生方式"), max_length=16, choices=ChosenBy.choices)
    term_start = models.DateField(_("任期起始"))
    term_end = models.DateField(_("任期届满"), null=True, blank=True)
    households = models.ManyToManyField(
        "people.Household", blank=True, related_name="+", verbose_name=_("联系的住户")
    )
    buildings = models.ManyToManyField(
        "org.Building", blank=True, related_name="+", verbose_name=_("负责的楼栋")
    )

    class Meta:
        verbose_name = _("居民代表与楼栋长")
        verbose_name_plural = _("居民代表与楼栋长")
        ordering = ["scope_code", "kind", "term_start", "id"]
        indexes = [models.Index(fields=["scope_code", "kind"], name="representative_scope_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.resident.name}"

    def get_absolute_url(self):
        return reverse("participation:representative-list")

    def compute_scope_code(self) -> str:
        return self.community.code


class GroupKind(models.TextChoices):
    AREA_COMMITTEE = "area_committee", _("片区居民自治委员会")
    COURTYARD_GROUP = "courtyard_group", _("楼院自治管理小组")
    BUILDING_COMMITTEE = "building_committee", _("楼栋（院）管委会")
    OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
    PROPERTY_GROUP = "property_group", _("物业管理小组")
    PARTY_BRANCH = "party_branch", _("小区党组织")


# A 楼院自治管理小组 is formed by the residents' vote, and that vote is stored with it.
VOTED_KINDS = {GroupKind.COURTYARD_GROUP}
# 业委会 and 物业管理小组 belong to one 小区.
COMPOUND_KINDS = {GroupKind.OWNERS_COMMITTEE, GroupKind.PROPERTY_GROUP, GroupKind.PARTY_BRANCH}


class Group(ScopedModel):
    """A self-governing group of a community, for a term, covering some buildings."""

    view_perm = VIEW

    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    kind = models.CharField(_("类别"), max_length=24, choices=GroupKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    compound = models.CharField(_("小区"), max_length=100, blank=True)
    term_start = models.DateField(_("任期起始"))
    term_end = models.DateField(_("任期届满"), null=True, blank=True)
    buildings = models.ManyToManyField(
        "org.Building", blank=True, related_name="+", verbose_name=_("覆盖楼栋")
    )
    # The residents' vote that formed the group (楼院自治管理小组): counted among those present.
    vote_on = models.DateField(_("表决日期"), null=True, blank=True)
    vote_present = models.PositiveIntegerField(_("参加表决人数"), null=True, blank=True)
    vote_for = models.PositiveIntegerField(_("赞成"), null=True, blank=True)
    vote_against = models.PositiveIntegerField(_("反对"), null=True, blank=True)
    vote_abstain = models.PositiveIntegerField(_("弃权"), null=True, blank=True)

    class Meta:
        verbose_name = _("居民自治组织")
        verbose_name_plural = _("居民自治组织")
        ordering = ["scope_code", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name", "term_start"],
                name="group_name_term_once",
                violation_error_message=_("本社区已登记同名、同一任期的自治组织。"),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("participation:group-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.community.code


class GroupMember(models.Model):
    """A resident in a group, with their role in it (组长, 副组长, 成员 …)."""

    scope_field = "group__scope_code"
    view_perm = VIEW

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members", verbose_name=_("组织"))
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.PROTECT, related_name="+", verbose_name=_("居民")
    )
    role = models.CharField(_("职务"), max_length=20, default="成员")

    objects = ScopedManager()

    class Meta:
        verbose_name = _("自治组织成员")
        verbose_name_plural = _("自治组织成员")
        ordering = ["group", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "resident"], name="group_member_once")]

    def __str__(self):
        return f"{self.group} · {self.resident.name}"


class PropertyContract(ScopedModel):
    """A property company (驻区单位 of type 物业服务企业) serving one 小区 from one date to another."""

    view_perm = VIEW

    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    company = models.ForeignKey(
        "org.ResidentOrganization", on_delete=models.PROTECT, related_name="+", verbose_name=_("物业服务企业")
    )
    compound = models.CharField(_("小区"), max_length=100)
    start = models.DateField(_("合同起始"))
    end = models.DateField(_("合同截止"))

    class Meta:
        verbose_name = _("物业服务合同")
        verbose_name_plural = _("物业服务合同")
        ordering = ["scope_code", "compound", "-start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="property_contract_ordered"),
        ]

    def __str__(self):
        return f"{self.compound} · {self.company}"

    def get_absolute_url(self):
        return reverse("participation:four-in-one")

    def compute_scope_code(self) -> str:
        return self.community.code
