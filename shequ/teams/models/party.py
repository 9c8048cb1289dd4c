"""Party-member service (党员服务): the Party organisation chain over the org tree (community
organisation → 小区 or grid organisation → 楼栋党小组 → 党员中心户, with a 党建指导员 per community),
the members (residents of the registry whose political status is Party member, and members working in
the area who report to the community, 到社区报到), their pledges (承诺、履诺), their responsibility for
buildings (楼栋党员责任区) and households (联系户). A member's service hours are not kept here: they
are the volunteer hours the organisers of activities confirmed (services.party.hours_of)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import BlindIndexField, EncryptedTextField
from shequ.core.models import ScopedModel
from shequ.core.scope import ScopedManager
from shequ.teams.models.teams import VIEW


class PartyOrgLevel(models.TextChoices):
    """The links of the chain, top to bottom; each node's parent is on the level just above."""

    COMMUNITY = "community", _("社区党组织")
    AREA = "area", _("小区（网格）党组织")
    GROUP = "group", _("楼栋党小组")
    CENTER = "center", _("党员中心户")


LEVEL_ORDER = [PartyOrgLevel.COMMUNITY, PartyOrgLevel.AREA, PartyOrgLevel.GROUP, PartyOrgLevel.CENTER]


class PartyOrg(ScopedModel):
    """One node of a community's Party organisation chain. The community organisation carries the
    community's 党建指导员 (one per community: a unique constraint)."""

    view_perm = VIEW

    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属社区")
    )
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("上级党组织"))  # fmt: skip
    level = models.CharField(_("层级"), max_length=12, choices=PartyOrgLevel.choices)
    name = models.CharField(_("名称"), max_length=80)
    grid = models.ForeignKey("org.Grid", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("所在网格"))  # fmt: skip
    compound = models.CharField(_("小区"), max_length=100, blank=True)
    building = models.ForeignKey("org.Building", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("楼栋"))  # fmt: skip
    leader_name = models.CharField(_("书记（组长、户主）"), max_length=50, blank=True)
    instructor_name = models.CharField(_("党建指导员"), max_length=50, blank=True)
    instructor_unit = models.CharField(_("指导员所在单位"), max_length=100, blank=True)
    instructor_phone = EncryptedTextField(_("指导员联系电话"), mask="phone", blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["scope_code", "level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community"], condition=Q(level="community"), name="party_org_one_per_community",
                                    violation_error_message=_("本社区已有社区党组织。")),
            models.UniqueConstraint(fields=["community", "level", "name"], name="party_org_name",
                                    violation_error_message=_("本社区同一层级已有同名党组织。")),
            models.CheckConstraint(condition=Q(level="community") | Q(parent__isnull=False), name="party_org_has_parent"),
        ]  # fmt: skip

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("teams:party-chain") + f"?community={self.community_id}#org-{self.pk}"

    def compute_scope_code(self) -> str:
        if self.building_id:
            return self.building.scope_code
        return self.grid.code if self.grid_id else self.community.code


class MemberKind(models.TextChoices):
    RESIDENT = "resident", _("居住地党员")
    REPORTING = "reporting", _("在职党员（到社区报到）")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    LEFT = "left", _("已转出")


class PartyMember(ScopedModel):
    """A Party member serving in a community: a resident of the registry (resident set), or a member
    working in the area who reported in with a minimal record (name, phone encrypted and masked)."""

    view_perm = VIEW

    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("报到（所在）社区")
    )
    kind = models.CharField(_("类别"), max_length=12, choices=MemberKind.choices)
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("居民"))  # fmt: skip
    name = models.CharField(_("姓名"), max_length=50)
    phone = EncryptedTextField(_("联系电话"), mask="phone", blank=True)
    phone_index = BlindIndexField(source="phone")
    work_unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    unit_contact = models.CharField(_("单位联系人"), max_length=50, blank=True)
    reported_on = models.DateField(_("报到日期"), null=True, blank=True)
    node = models.ForeignKey(PartyOrg, on_delete=models.SET_NULL, null=True, blank=True, related_name="members",
                             verbose_name=_("所在党组织"))  # fmt: skip
    status = models.CharField(
        _("状态"), max_length=8, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["scope_code", "kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "resident"], condition=Q(resident__isnull=False, status="active"),
                                    name="party_member_resident_once", violation_error_message=_("该党员已在本社区登记。")),
            models.UniqueConstraint(fields=["community", "phone_index"], condition=~Q(phone_index="") & Q(status="active"),
                                    name="party_member_phone_once", violation_error_message=_("该党员已到本社区报到。")),
        ]  # fmt: skip

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("teams:party-member-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.resident.scope_code if self.resident_id else self.community.code


class PledgeStatus(models.TextChoices):
    OPEN = "open", _("履诺中")
    KEPT = "kept", _("已履诺")
    UNKEPT = "unkept", _("未兑现")


class Pledge(models.Model):
    """A member's pledge (承诺) with its due date; closed (履诺) only with an outcome."""

    scope_field = "member__scope_code"
    view_perm = VIEW

    member = models.ForeignKey(
        PartyMember, on_delete=models.CASCADE, related_name="pledges", verbose_name=_("党员")
    )
    content = models.CharField(_("承诺内容"), max_length=200)
    due_on = models.DateField(_("承诺兑现日期"))
    status = models.CharField(
        _("状态"), max_length=8, choices=PledgeStatus.choices, default=PledgeStatus.OPEN
    )
    outcome = models.CharField(_("履诺情况"), max_length=300, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("办结登记人"))  # fmt: skip
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("党员承诺")
        verbose_name_plural = _("党员承诺")
        ordering = ["status", "due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(outcome=""), name="pledge_closed_with_outcome"
            )
        ]

    def __str__(self):
        return f"{self.member.name} · {self.content[:20]}"

    def get_absolute_url(self):
        return self.member.get_absolute_url() + f"#pledge-{self.pk}"

    @property
    def overdue(self) -> bool:
        return self.status == PledgeStatus.OPEN and self.due_on < timezone.localdate()


class BuildingDuty(models.Model):
    """楼栋党员责任区: a member answering for a building of their community."""

    scope_field = "building__scope_code"
    view_perm = VIEW

    member = models.ForeignKey(
        PartyMember, on_delete=models.CASCADE, related_name="buildings", verbose_name=_("党员")
    )
    building = models.ForeignKey(
        "org.Building", on_delete=models.PROTECT, related_name="+", verbose_name=_("楼栋")
    )
    since = models.DateField(_("起始日期"), default=timezone.localdate)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("楼栋党员责任区")
        verbose_name_plural = _("楼栋党员责任区")
        ordering = ["building", "id"]
        constraints = [models.UniqueConstraint(fields=["member", "building"], name="building_duty_once",
                                               violation_error_message=_("该党员已负责这栋楼。"))]  # fmt: skip

    def __str__(self):
        return f"{self.member.name} · {self.building}"


class ContactHousehold(models.Model):
    """联系户: a household a member keeps in touch with."""

    scope_field = "household__scope_code"
    view_perm = VIEW

    member = models.ForeignKey(
        PartyMember, on_delete=models.CASCADE, related_name="households", verbose_name=_("党员")
    )
    household = models.ForeignKey(
        "people.Household", on_delete=models.CASCADE, related_name="+", verbose_name=_("联系户")
    )
    since = models.DateField(_("起始日期"), default=timezone.localdate)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("党员联系户")
        verbose_name_plural = _("党员联系户")
        ordering = ["member", "id"]
        constraints = [models.UniqueConstraint(fields=["member", "household"], name="contact_household_once",
                                               violation_error_message=_("该党员已联系这一户。"))]  # fmt: skip

    def __str__(self):
        return f"{self.member.name} · {self.household_id}"
