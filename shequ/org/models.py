"""区/街道/社区 with National Bureau of Statistics codes, 网格, 楼栋/单元/房屋, real-name
responsibility, 驻区单位."""

from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import BlindIndexField, EncryptedTextField
from shequ.core.models import ScopedModel
from shequ.core.scope import ScopedManager, ScopedQuerySet
from shequ.core.validators import validate_phone, validate_uscc


class Level(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("地级")
    DISTRICT = "district", _("区县")
    STREET = "street", _("街道/乡镇")
    COMMUNITY = "community", _("社区/村")


LEVEL_BY_LENGTH = {2: Level.PROVINCE, 4: Level.CITY, 6: Level.DISTRICT, 9: Level.STREET, 12: Level.COMMUNITY}


class UnitKind(models.TextChoices):
    RESIDENTS = "residents", _("社区居委会")
    VILLAGE = "village", _("村委会")
    OTHER = "other", _("其他")
    ADMIN = "admin", _("行政区划")


def kind_for(level: str, name: str, code: str = "") -> str:
    """Village-level codes 001–199 are residents' committees, 200–399 village committees (NBS rule);
    the name decides only when the code says nothing (e.g. 二道堤社会居委会 is a 居委会 despite its typo)."""
    if level != Level.COMMUNITY:
        return UnitKind.ADMIN
    if len(code) == 12:
        digit = code[9]
        if digit in "01":
            return UnitKind.RESIDENTS
        if digit in "23":
            return UnitKind.VILLAGE
        return UnitKind.OTHER
    if "社区" in name or name.endswith(("居委会", "居民委员会")):
        return UnitKind.RESIDENTS
    if name.endswith(("村委会", "村民委员会")):
        return UnitKind.VILLAGE
    return UnitKind.OTHER


def short_name(name: str) -> str:
    """宁安社区居委会 → 宁安社区, 青龙村村委会 → 青龙村."""
    if name.endswith("村委会") or name.endswith("村民委员会"):
        base = name[: -3 if name.endswith("村委会") else -5]
        return base if base.endswith("村") else base + "村"
    for suffix in ("居民委员会", "居委会", "委员会"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def grid_label(name: str, community: str) -> str:
    """A grid as people say it, naming its community once: 宁安社区第一网格 and 宁安第一网格 stay as
    they are; a bare 第一网格 of 宁安社区 reads 宁安社区 · 第一网格."""
    stem = community.removesuffix("社区").removesuffix("村") or community
    if not community or name.startswith(stem):
        return name
    return f"{community} · {name}"


def node_names(codes) -> dict[str, str]:
    """Human names of org nodes by code (districts to grids), in two queries whatever their number;
    a code that names nothing is left out."""
    codes = {c for c in codes if c}
    names = {c: short_name(n) for c, n in OrgUnit.objects.filter(code__in=codes).values_list("code", "name")}
    grids = Grid.objects.filter(code__in=[c for c in codes if len(c) == 15]).values_list(
        "code", "name", "community__name"
    )
    names.update({c: grid_label(n, short_name(cn)) for c, n, cn in grids})
    return names


class OrgUnit(models.Model):
    """An administrative division; its code is also the root of its data scope."""

    scope_field = "code"

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices, db_index=True)
    kind = models.CharField(_("类别"), max_length=16, choices=UnitKind.choices, default=UnitKind.ADMIN)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级"),
    )
    center_lat = models.FloatField(_("中心纬度"), null=True, blank=True)
    center_lng = models.FloatField(_("中心经度"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("org:unit-detail", args=[self.code])

    @property
    def display_name(self) -> str:
        return short_name(self.name)

    @property
    def scope_code(self) -> str:
        return self.code

    def ancestor_codes(self) -> list[str]:
        return [self.code[:n] for n in (2, 4, 6, 9) if n < len(self.code)]


class GridType(models.TextChoices):
    AREA = "area", _("地缘型")
    BUILDING = "building", _("单元型")
    INSTITUTION = "institution", _("单位型")


class Grid(ScopedModel):
    """A 网格 inside one community; code = 12-digit community code + 3-digit sequence."""

    community = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="grids", verbose_name=_("所属社区")
    )
    code = models.CharField(_("网格编码"), max_length=15, unique=True)
    name = models.CharField(_("网格名称"), max_length=100)
    grid_type = models.CharField(
        _("网格类型"), max_length=16, choices=GridType.choices, default=GridType.AREA
    )
    boundary = models.JSONField(_("边界（GeoJSON）"), null=True, blank=True)
    area_m2 = models.FloatField(_("面积（平方米）"), null=True, blank=True)
    center_lat = models.FloatField(_("中心纬度"), null=True, blank=True)
    center_lng = models.FloatField(_("中心经度"), null=True, blank=True)
    # Bounding box of the boundary: a cheap indexed pre-filter before point-in-polygon tests.
    bbox_min_lng = models.FloatField(null=True, blank=True, editable=False)
    bbox_min_lat = models.FloatField(null=True, blank=True, editable=False)
    bbox_max_lng = models.FloatField(null=True, blank=True, editable=False)
    bbox_max_lat = models.FloatField(null=True, blank=True, editable=False)
    remarks = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["code"]
        indexes = [
            models.Index(
                fields=["bbox_min_lng", "bbox_max_lng", "bbox_min_lat", "bbox_max_lat"], name="grid_bbox"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"],
                name="grid_name_unique",
                violation_error_message=_("本社区已有同名网格，请换一个名称。"),
            )
        ]

    def save(self, *args, **kwargs):
        self.derive_geometry()
        super().save(*args, **kwargs)

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        """The grid with its community, said once (select_related("community") in lists)."""
        return grid_label(self.name, self.community.display_name)

    def get_absolute_url(self):
        return reverse("org:grid-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.code

    def derive_geometry(self) -> None:
        """Area, centre and bounding box follow the boundary (call before bulk_create too)."""
        if not self.boundary:
            self.area_m2 = self.bbox_min_lng = self.bbox_min_lat = self.bbox_max_lng = self.bbox_max_lat = (
                None
            )
            return
        from shapely.geometry import shape

        from shequ.org.geo import area_m2

        geom = shape(self.boundary)
        c = geom.centroid
        self.area_m2 = round(area_m2(geom), 1)
        self.center_lat, self.center_lng = c.y, c.x
        self.bbox_min_lng, self.bbox_min_lat, self.bbox_max_lng, self.bbox_max_lat = geom.bounds

    @property
    def sequence(self) -> int:
        return int(self.code[12:])


class Building(ScopedModel):
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("所属网格")
    )
    compound = models.CharField(_("小区"), max_length=100, blank=True)
    number = models.CharField(_("楼栋号"), max_length=30, help_text=_("如：3栋、A座"))
    floors = models.PositiveSmallIntegerField(_("层数"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, editable=False)

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["scope_code", "compound", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "compound", "number"],
                name="building_unique",
                violation_error_message=_("该网格已登记同一小区的同号楼栋，请勿重复添加。"),
            )
        ]

    def __str__(self):
        return self.address

    def get_absolute_url(self):
        return reverse("org:building-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.grid.code

    def save(self, *args, **kwargs):
        self.address = f"{self.compound}{self.number}"
        super().save(*args, **kwargs)


class BuildingUnit(ScopedModel):
    """单元 (a stairwell) of a building."""

    building = models.ForeignKey(
        Building, on_delete=models.CASCADE, related_name="units", verbose_name=_("楼栋")
    )
    number = models.CharField(_("单元号"), max_length=30, help_text=_("如：1单元"))
    address = models.CharField(_("地址"), max_length=220, editable=False)

    class Meta:
        verbose_name = _("单元")
        verbose_name_plural = _("单元")
        ordering = ["building", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "number"],
                name="unit_unique",
                violation_error_message=_("该楼栋已有这个单元号，请勿重复添加。"),
            )
        ]

    def __str__(self):
        return self.address

    def get_absolute_url(self):
        return self.building.get_absolute_url()

    def compute_scope_code(self) -> str:
        return self.building.scope_code

    def save(self, *args, **kwargs):
        self.address = f"{self.building.address}{self.number}"
        super().save(*args, **kwargs)


class HouseUse(models.TextChoices):
    SELF = "self", _("自住")
    RENTED = "rented", _("出租")
    VACANT = "vacant", _("空置")
    COMMERCIAL = "commercial", _("商用")
    OTHER = "other", _("其他")


class House(ScopedModel):
    view_perm = "org.view_house"  # owner names and occupancy: not for department staff

    unit = models.ForeignKey(
        BuildingUnit, on_delete=models.CASCADE, related_name="houses", verbose_name=_("单元")
    )
    number = models.CharField(_("房号"), max_length=30, help_text=_("如：1201"))
    floor = models.SmallIntegerField(_("楼层"), null=True, blank=True)
    area_m2 = models.DecimalField(
        _("建筑面积（平方米）"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    use = models.CharField(_("房屋用途"), max_length=16, choices=HouseUse.choices, default=HouseUse.SELF)
    owner_name = models.CharField(_("产权人"), max_length=50, blank=True)
    address = models.CharField(_("地址"), max_length=240, editable=False)

    class Meta:
        verbose_name = _("房屋")
        verbose_name_plural = _("房屋")
        ordering = ["unit", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "number"],
                name="house_unique",
                violation_error_message=_("该单元已有这个房号，请勿重复添加。"),
            )
        ]

    def __str__(self):
        return self.address

    def get_absolute_url(self):
        # The resident registry gives a house its own page (who lives there, its households);
        # without the registry installed, the building's page lists the house.
        try:
            return reverse("people:house-detail", args=[self.pk])
        except NoReverseMatch:
            return self.unit.building.get_absolute_url()

    def compute_scope_code(self) -> str:
        return self.unit.scope_code

    def save(self, *args, **kwargs):
        self.address = self.address_of(self.unit.address, self.number)
        super().save(*args, **kwargs)

    @property
    def room(self) -> str:
        """801 → 801室 (addresses are Chinese in every interface language)."""
        return self.address_of("", self.number)

    @staticmethod
    def address_of(unit_address: str, number: str) -> str:
        """宁安小区3栋1单元 + 301 → 宁安小区3栋1单元301室 (also used by bulk imports)."""
        return f"{unit_address}{number}{'' if number.endswith('室') else '室'}"


class Post(models.TextChoices):
    GRID_LEAD = "grid_lead", _("网格长")
    FULL_TIME = "full_time", _("专职网格员")
    PART_TIME = "part_time", _("兼职网格员")
    BUILDING_LEAD = "building_lead", _("楼栋长")
    UNIT_LEAD = "unit_lead", _("单元长")
    # The extended network (六级网络: 街道—社区—网格—片—楼栋—骨干户): held for a whole grid, or by a
    # household (a house) that stands as a backbone of its neighbours.
    PARTY_GROUP_LEAD = "party_group_lead", _("党小组长")
    AREA_LEAD = "area_lead", _("片长")
    PARTY_HOUSEHOLD = "party_household", _("党员户")
    CIVIL_HOUSEHOLD = "civil_household", _("文明户")


GRID_POSTS = {Post.GRID_LEAD, Post.FULL_TIME, Post.PART_TIME, Post.PARTY_GROUP_LEAD, Post.AREA_LEAD}
HOUSEHOLD_POSTS = {Post.PARTY_HOUSEHOLD, Post.CIVIL_HOUSEHOLD}


class AssignmentQuerySet(ScopedQuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(start_date__lte=on).filter(Q(end_date__isnull=True) | Q(end_date__gt=on))


class Assignment(ScopedModel):
    """Real-name responsibility (分片包干实名制) for a grid, a building or a unit. The post is held
    from start_date up to, not including, end_date (卸任 today: no longer counted today)."""

    post = models.CharField(_("岗位"), max_length=16, choices=Post.choices)
    person_name = models.CharField(_("姓名"), max_length=50)
    phone = EncryptedTextField(_("联系电话"), mask="phone", validators=[validate_phone])
    phone_index = BlindIndexField(source="phone")
    user = models.ForeignKey(
        "core.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("关联账号"),
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("网格")
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("楼栋"),
    )
    unit = models.ForeignKey(
        BuildingUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("单元"),
    )
    house = models.ForeignKey(
        "org.House",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("房屋"),
        help_text=_("党员户、文明户填写"),
    )
    start_date = models.DateField(_("任职起始"), default=timezone.localdate)
    end_date = models.DateField(_("任职结束"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("责任人")
        verbose_name_plural = _("责任人")
        ordering = ["grid", "post", "start_date"]

    def __str__(self):
        return f"{self.get_post_display()} {self.person_name}"

    def get_absolute_url(self):
        return self.grid.get_absolute_url()

    def compute_scope_code(self) -> str:
        return self.grid.code

    @cached_property
    def target(self):
        return self.unit or self.building or self.grid

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.start_date <= today and (self.end_date is None or self.end_date > today)

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.post in GRID_POSTS and (self.building_id or self.unit_id or self.house_id):
            errors["post"] = _("网格长、网格员、党小组长、片长对应整个网格，不应指定楼栋、单元或房屋。")
        if self.post in HOUSEHOLD_POSTS and not self.house_id:
            errors["house"] = _("党员户、文明户须指定房屋。")
        if self.house_id and self.post not in HOUSEHOLD_POSTS:
            errors["house"] = _("只有党员户、文明户指定房屋。")
        if self.house_id and self.house.scope_code != self.grid.code:
            errors["house"] = _("所选房屋不在该网格内。")
        if self.post == Post.BUILDING_LEAD and (not self.building_id or self.unit_id):
            errors["building"] = _("楼栋长须指定楼栋（不指定单元）。")
        if self.post == Post.UNIT_LEAD and not self.unit_id:
            errors["unit"] = _("单元长须指定单元。")
        if self.unit_id and self.building_id and self.unit.building_id != self.building_id:
            errors["unit"] = _("所选单元不属于所选楼栋。")
        if self.building_id and self.building.grid_id != self.grid_id:
            errors["building"] = _("所选楼栋不在该网格内。")
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("任职结束日期不能早于起始日期。")
        if errors:
            raise ValidationError(errors)


class OrgType(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    INSTITUTION = "institution", _("事业单位")
    GOVERNMENT = "government", _("机关")
    SCHOOL = "school", _("学校")
    HOSPITAL = "hospital", _("医院")
    PROPERTY = "property", _("物业服务企业")
    SOCIAL = "social", _("社会组织")
    OTHER = "other", _("其他")


class ResidentOrganization(ScopedModel):
    """驻区单位: an enterprise, institution, school, hospital or property company in a community."""

    community = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="resident_orgs", verbose_name=_("所在社区")
    )
    grid = models.ForeignKey(
        Grid,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resident_orgs",
        verbose_name=_("所在网格"),
    )
    name = models.CharField(_("单位名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, validators=[validate_uscc])
    org_type = models.CharField(_("单位类型"), max_length=16, choices=OrgType.choices)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = EncryptedTextField(_("联系电话"), mask="phone", validators=[validate_phone])
    employees = models.PositiveIntegerField(_("职工人数"), null=True, blank=True)
    remarks = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("驻区单位")
        verbose_name_plural = _("驻区单位")
        ordering = ["scope_code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"],
                condition=~Q(uscc=""),
                name="resident_org_uscc_unique",
                violation_error_message=_("该统一社会信用代码已登记过，不能重复登记。"),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("org:residentorg-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.grid.code if self.grid_id else self.community.code

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.grid_id and self.community_id and self.grid.community_id != self.community_id:
            raise ValidationError({"grid": _("所选网格不属于该社区。")})
