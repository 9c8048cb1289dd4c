"""阵地: a community's premises (offices, service halls, activity rooms, squares …) with their area,
tenure and opening hours; the kinds of premises (data); the standards a district measures them
against (minimum areas by community type, required kind packages); the district's plan of
building projects. A room a resident organisation (驻区单位) opens to residents is a facility too,
with `provider` set: it is bookable like the community's own but never counts toward a standard."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.models import ScopedModel

VIEW = "facilities.view_facility"
MANAGE = "facilities.manage_facility"
VIEW_BOOKING = "facilities.view_booking"
APPROVE = "facilities.approve_booking"
MANAGE_STANDARDS = "facilities.manage_standards"
MANAGE_HANDOVER = "facilities.manage_handover"  # also the district's plan of projects

WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")  # ISO weekday 1–7
OFFICE = "office"  # the kind whose absence a report calls "no office at all"


class FacilityKind(models.Model):
    """A kind of premises (办公用房, 活动室 …): data, shipped with the common ones."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    bookable = models.BooleanField(_("默认开放预约"), default=False)
    outdoor = models.BooleanField(_("室外场地"), default=False)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("阵地类别")
        verbose_name_plural = _("阵地类别")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class CommunityType(models.TextChoices):
    URBAN = "urban", _("城市社区")
    RURAL = "rural", _("农村社区（村）")


def community_type_of(unit_kind: str) -> str:
    """A village committee is measured by the rural standard, every other community by the urban."""
    return CommunityType.RURAL if unit_kind == "village" else CommunityType.URBAN


class AreaRule(models.Model):
    """A minimum floor area for one type of community, counting the kinds listed (城市社区办公和服务
    用房 ≥ 300 m²). `district` empty: the platform's shipped rule, used by a district until it
    keeps its own set."""

    district = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("区")
    )
    community_type = models.CharField(_("社区类型"), max_length=8, choices=CommunityType.choices)
    name = models.CharField(_("名称"), max_length=60)
    min_area = models.DecimalField(_("最低面积（平方米）"), max_digits=9, decimal_places=2)
    kinds = models.ManyToManyField(FacilityKind, related_name="+", verbose_name=_("计入的阵地类别"))
    order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("面积标准")
        verbose_name_plural = _("面积标准")
        ordering = ["community_type", "order", "id"]

    def __str__(self):
        return f"{self.name} ≥ {self.min_area} m²"

    @property
    def scope_code(self) -> str:
        return self.district.code if self.district_id else ""


class KindPackage(models.Model):
    """A package of kinds every community (of a type, or of both) should have: 五有, 六室二站一场一校
    一市一中心 …; a community misses the kinds it has no facility of."""

    district = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("区")
    )
    community_type = models.CharField(
        _("社区类型"),
        max_length=8,
        choices=CommunityType.choices,
        blank=True,
        help_text=_("空：两类社区都适用"),
    )
    name = models.CharField(_("名称"), max_length=60)
    kinds = models.ManyToManyField(FacilityKind, related_name="+", verbose_name=_("须具备的阵地类别"))
    order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("配置要求")
        verbose_name_plural = _("配置要求")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name

    @property
    def scope_code(self) -> str:
        return self.district.code if self.district_id else ""

    def applies_to(self, community_type: str) -> bool:
        return not self.community_type or self.community_type == community_type


class Tenure(models.TextChoices):
    OWNED = "owned", _("自有")
    RENTED = "rented", _("租用")
    DEVELOPER = "developer", _("开发商无偿提供")
    TRANSFERRED = "transferred", _("划转调剂")


class Obtained(models.TextChoices):
    BUILT = "built", _("新建")
    PURCHASED = "purchased", _("购买")
    EXTENDED = "extended", _("改扩建")
    REALLOCATED = "reallocated", _("调剂")


class Facility(ScopedModel):
    """One room, hall or ground of a community (or of a resident organisation in it)."""

    view_perm = VIEW

    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在社区")
    )
    provider = models.ForeignKey(
        "org.ResidentOrganization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提供单位"),
        help_text=_("驻区单位开放给居民的场地；社区自有阵地留空"),
    )
    name = models.CharField(_("名称"), max_length=80)
    kind = models.ForeignKey(FacilityKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("类别"))
    area = models.DecimalField(_("面积（平方米）"), max_digits=9, decimal_places=2)
    floor = models.SmallIntegerField(
        _("所在楼层"), null=True, blank=True, help_text=_("地下为负数；室外场地留空")
    )
    step_free = models.BooleanField(_("无障碍通行"), default=False)
    tenure = models.CharField(_("产权方式"), max_length=12, choices=Tenure.choices)
    annual_rent = models.DecimalField(
        _("年租金（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    lease_start = models.DateField(_("租期起"), null=True, blank=True)
    lease_end = models.DateField(_("租期止"), null=True, blank=True)
    obtained = models.CharField(_("取得方式"), max_length=12, choices=Obtained.choices, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    # {"1": [["08:30", "12:00"], ["14:00", "17:30"]], …, "7": []}: ISO weekday → intervals
    opening_hours = models.JSONField(_("开放时间"), default=dict, blank=True)
    in_use = models.BooleanField(_("在用"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    # Booking rules
    bookable = models.BooleanField(_("开放预约"), default=False)
    book_residents = models.BooleanField(_("居民可预约"), default=True)
    book_teams = models.BooleanField(_("团队可预约"), default=True)
    book_units = models.BooleanField(_("单位可预约"), default=True)
    book_ahead_days = models.PositiveSmallIntegerField(_("最多提前预约天数"), default=14)
    price_per_hour = models.DecimalField(
        _("收费（元/小时）"), max_digits=8, decimal_places=2, default=Decimal("0"), help_text=_("0 为免费")
    )
    needs_approval = models.BooleanField(_("须审批"), default=False)
    capacity = models.PositiveIntegerField(_("容纳人数"), null=True, blank=True)
    door_key = models.CharField(
        _("门口签到码密钥"), max_length=16, editable=False, blank=True
    )  # rotates the door QR

    class Meta:
        verbose_name = _("阵地")
        verbose_name_plural = _("阵地")
        ordering = ["scope_code", "kind__order", "name", "id"]
        indexes = [models.Index(fields=["scope_code", "in_use"], name="facility_scope_inuse")]
        constraints = [
            models.CheckConstraint(condition=Q(area__gt=0), name="facility_area_positive"),
            models.UniqueConstraint(fields=["community", "name"], name="facility_community_name"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("facilities:facility-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.community.code

    @property
    def free(self) -> bool:
        return not self.price_per_hour

    def hours_label(self) -> list[tuple[str, str]]:
        """(周一, "08:30–12:00、14:00–17:30") for each weekday; "不开放" when closed."""
        out = []
        for d in range(1, 8):
            spans = self.opening_hours.get(str(d)) or []
            text = "、".join(f"{a}–{b}" for a, b in spans) or str(_("不开放"))
            out.append((f"周{WEEKDAYS[d - 1]}", text))
        return out

    def bookers_label(self) -> str:
        who = [str(x) for f, x in ((self.book_residents, _("居民")), (self.book_teams, _("团队")),
                                    (self.book_units, _("单位"))) if f]  # fmt: skip
        return "、".join(who)


class ProjectKind(models.TextChoices):
    BUILD = "build", _("新建")
    PURCHASE = "purchase", _("购买")
    EXTEND = "extend", _("改扩建")
    TRANSFER = "transfer", _("划转")
    DEVELOPER = "developer", _("开发商移交")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("计划")
    UNDERWAY = "underway", _("实施中")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class Project(ScopedModel):
    """One project of a district's premises plan: what is to be done for which community, with how
    much money, and how far it has come."""

    view_perm = VIEW

    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    kind = models.CharField(_("项目类型"), max_length=12, choices=ProjectKind.choices)
    title = models.CharField(_("项目名称"), max_length=100)
    plan_year = models.PositiveSmallIntegerField(_("计划年度"))
    area = models.DecimalField(_("计划面积（平方米）"), max_digits=9, decimal_places=2, null=True, blank=True)
    funds = models.DecimalField(_("资金（元）"), max_digits=14, decimal_places=2, default=Decimal("0"))
    status = models.CharField(
        _("状态"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    planned_end = models.DateField(_("计划完成日期"), null=True, blank=True)
    started_on = models.DateField(_("开工日期"), null=True, blank=True)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    cancelled_on = models.DateField(_("取消日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("建设项目")
        verbose_name_plural = _("建设项目")
        ordering = ["-plan_year", "scope_code", "id"]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="project_progress_max")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("facilities:project-list") + f"?year={self.plan_year}#project-{self.pk}"

    def compute_scope_code(self) -> str:
        return self.community.code
