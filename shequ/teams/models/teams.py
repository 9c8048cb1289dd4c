"""Teams and the people in them: team kinds and skills as data, teams of a community or a street
with their leader, instructor (辅导员, appointed from the talent pool) and members (residents from the
registry, or outside people with a minimal record), the talent pool, and volunteers."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import EncryptedTextField
from shequ.core.models import ScopedModel
from shequ.core.scope import ScopedManager

VIEW = "teams.view"  # teams, activities, talent, volunteers and the figures: the community's staff and above
MANAGE = "teams.manage"  # keep teams, talent, volunteers; organise activities; confirm hours
CONFIGURE = "teams.configure"  # the appraisal weights of a street or district


class TeamKind(models.Model):
    """志愿服务队, 文艺队, 合唱队 …: a kind of team, as data (seeded, editable)."""

    name = models.CharField(_("队伍类别"), max_length=30, unique=True)
    volunteer = models.BooleanField(_("志愿服务类"), default=False)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("队伍类别")
        verbose_name_plural = _("队伍类别")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class Skill(models.Model):
    """书法, 绘画, 乐器 …: a talent or a skill, as data."""

    name = models.CharField(_("特长"), max_length=30, unique=True)
    group = models.CharField(_("门类"), max_length=20, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("特长")
        verbose_name_plural = _("特长")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class TeamStatus(models.TextChoices):
    ACTIVE = "active", _("活跃")
    DORMANT = "dormant", _("暂停活动")
    DISSOLVED = "dissolved", _("已解散")


class Team(ScopedModel):
    """A team of a community or a street."""

    view_perm = VIEW

    org = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属社区或街道")
    )
    kind = models.ForeignKey(
        TeamKind, on_delete=models.PROTECT, related_name="teams", verbose_name=_("队伍类别")
    )
    name = models.CharField(_("队伍名称"), max_length=60)
    leader = models.ForeignKey("people.Resident", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("队长"))  # fmt: skip
    leader_name = models.CharField(_("队长姓名"), max_length=50, blank=True)
    instructor = models.ForeignKey("teams.Talent", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="instructs", verbose_name=_("辅导员"))  # fmt: skip
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=TeamStatus.choices, default=TeamStatus.ACTIVE)
    note = models.CharField(_("简介"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("队伍")
        verbose_name_plural = _("队伍")
        ordering = ["scope_code", "kind__order", "name"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="team_org_name",
                                               violation_error_message=_("同一社区（街道）已有同名队伍。"))]  # fmt: skip

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("teams:team-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.org.code


class MemberRole(models.TextChoices):
    LEADER = "leader", _("队长")
    DEPUTY = "deputy", _("副队长")
    MEMBER = "member", _("队员")


class TeamMember(models.Model):
    """A member of a team: a resident of the registry, or an outside person (name and phone only)."""

    scope_field = "team__scope_code"
    view_perm = VIEW

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members", verbose_name=_("队伍"))
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("居民"))  # fmt: skip
    name = models.CharField(_("姓名"), max_length=50)
    phone = EncryptedTextField(_("联系电话"), mask="phone", blank=True)
    role = models.CharField(
        _("队内职务"), max_length=8, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    joined_on = models.DateField(_("入队日期"), default=timezone.localdate)
    left_on = models.DateField(_("离队日期"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("队员")
        verbose_name_plural = _("队员")
        ordering = ["team", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "resident"],
                condition=Q(resident__isnull=False, left_on__isnull=True),
                name="team_member_once",
                violation_error_message=_("该居民已在本队。"),
            ),  # fmt: skip
        ]

    def __str__(self):
        return f"{self.name} @ {self.team}"

    @property
    def outside(self) -> bool:
        return self.resident_id is None


class TalentLevel(models.TextChoices):
    BASIC = "basic", _("爱好")
    SKILLED = "skilled", _("熟练")
    EXPERT = "expert", _("专长")
    PROFESSIONAL = "professional", _("专业资质")


class Talent(ScopedModel):
    """One skill of a resident in the talent pool (文化人才库), with level and willingness to serve."""

    view_perm = VIEW

    resident = models.ForeignKey(
        "people.Resident", on_delete=models.CASCADE, related_name="+", verbose_name=_("居民")
    )
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+", verbose_name=_("特长"))
    level = models.CharField(
        _("水平"), max_length=16, choices=TalentLevel.choices, default=TalentLevel.SKILLED
    )
    willing = models.BooleanField(_("愿意服务"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    registered_on = models.DateField(_("登记日期"), default=timezone.localdate)

    class Meta:
        verbose_name = _("人才库登记")
        verbose_name_plural = _("人才库登记")
        ordering = ["scope_code", "skill__order", "id"]
        constraints = [models.UniqueConstraint(fields=["resident", "skill"], name="talent_once_per_skill",
                                               violation_error_message=_("该居民的这项特长已登记。"))]  # fmt: skip

    def __str__(self):
        return f"{self.resident.name} · {self.skill.name}"

    def get_absolute_url(self):
        return reverse("teams:talent-list") + f"?skill={self.skill_id}"

    def compute_scope_code(self) -> str:
        return self.resident.scope_code


class Availability(models.TextChoices):
    WEEKDAY_DAY = "weekday_day", _("工作日白天")
    WEEKDAY_EVENING = "weekday_evening", _("工作日晚上")
    WEEKEND = "weekend", _("周末")
    HOLIDAY = "holiday", _("节假日")


class VolunteerStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    PAUSED = "paused", _("暂停")
    LEFT = "left", _("已退出")


class Volunteer(ScopedModel):
    """A registered volunteer: a resident of the registry, with skills, availability and, when they
    use the platform, their account (they then see their own record and certificate)."""

    view_perm = VIEW

    resident = models.OneToOneField(
        "people.Resident", on_delete=models.PROTECT, related_name="+", verbose_name=_("居民")
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("账号"))  # fmt: skip
    registered_on = models.DateField(_("注册日期"), default=timezone.localdate)
    skills = models.ManyToManyField(Skill, blank=True, related_name="+", verbose_name=_("技能"))
    availability = models.JSONField(_("可服务时间"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=VolunteerStatus.choices, default=VolunteerStatus.ACTIVE
    )

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["scope_code", "id"]

    def __str__(self):
        return self.resident.name

    def get_absolute_url(self):
        return reverse("teams:volunteer-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.resident.scope_code

    @classmethod
    def owned_by_q(cls, user):
        return Q(user=user)

    def availability_labels(self) -> str:
        names = dict(Availability.choices)
        return "、".join(str(names.get(a, a)) for a in self.availability or [])
