"""The service catalogue (社区服务目录) of a community or a street: what is offered, of which
category (data), free, at a low price or paid, by whom, where and when; the service centres at
district, street and community level with their one-stop windows (窗口) and the matters each
window handles; and the service outlets (服务网点) with their staff."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.models import ScopedModel
from shequ.core.scope import ScopedQuerySet, read_roots

VIEW = "services.view_service"
MANAGE = "services.manage_service"
VIEW_RECORD = "services.view_record"
RECORD = "services.record_service"

EMPLOYMENT = "employment"  # the category whose records make the employment services ledger


class ReachQuerySet(ScopedQuerySet):
    """The catalogue, centres and windows of the units above one's scope are read too: a street's
    catalogue serves its communities' residents, whose workers record those services and point
    residents to the street's centre (they still change only their own)."""

    def visible_to(self, user):
        qs = super().visible_to(user)
        roots = read_roots(user, self.model) if user and user.is_authenticated else []
        if not roots:
            return qs
        above = {r[:n] for r in roots for n in (6, 9) if n < len(r)}
        return (qs | self.model.objects.filter(scope_code__in=above)) if above else qs


ReachManager = models.Manager.from_queryset(ReachQuerySet)


class ServiceCategory(models.Model):
    """A category of community service (医疗卫生, 养老, 就业 …): data, shipped with the common ones."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("服务类别")
        verbose_name_plural = _("服务类别")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class Mode(models.TextChoices):
    FREE = "free", _("无偿")
    LOW = "low", _("低偿")
    PAID = "paid", _("有偿")


class ProviderKind(models.TextChoices):
    COMMUNITY = "community", _("社区（街道）自办")
    SOCIAL = "social", _("社会组织")
    COMPANY = "company", _("企业")
    VOLUNTEERS = "volunteers", _("志愿者")
    UNIT = "unit", _("驻区单位")


class Service(ScopedModel):
    """One service of the catalogue of a community or of a street (a street's serves all its
    communities)."""

    view_perm = VIEW
    objects = ReachManager()

    org = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属单位")
    )
    name = models.CharField(_("服务名称"), max_length=80)
    category = models.ForeignKey(
        ServiceCategory, on_delete=models.PROTECT, related_name="services", verbose_name=_("服务类别")
    )
    mode = models.CharField(_("服务方式"), max_length=8, choices=Mode.choices, default=Mode.FREE)
    price = models.DecimalField(
        _("收费标准（元）"), max_digits=10, decimal_places=2, null=True, blank=True,
        help_text=_("低偿、有偿服务必填；无偿服务留空"),
    )  # fmt: skip
    price_unit = models.CharField(_("计价单位"), max_length=20, blank=True, help_text=_("如：次、小时、月"))
    provider_kind = models.CharField(
        _("提供方类型"), max_length=12, choices=ProviderKind.choices, default=ProviderKind.COMMUNITY
    )
    provider_name = models.CharField(_("提供方"), max_length=100, blank=True)
    provider_unit = models.ForeignKey(
        "org.ResidentOrganization", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("提供单位（驻区单位）"),
    )  # fmt: skip
    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("服务地点（阵地）"),
    )  # fmt: skip
    place = models.CharField(_("服务地点"), max_length=200, blank=True)
    hours = models.CharField(_("服务时间"), max_length=200, blank=True, help_text=_("如：工作日 8:30-17:30"))
    description = models.CharField(_("服务内容"), max_length=500, blank=True)
    active = models.BooleanField(_("在办"), default=True)

    class Meta:
        verbose_name = _("服务项目")
        verbose_name_plural = _("服务项目")
        ordering = ["scope_code", "category__order", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "name"],
                name="service_org_name",
                violation_error_message=_("本单位的服务目录里已有同名服务，请换一个名称或修改原有服务。"),
            ),  # fmt: skip
            models.CheckConstraint(
                condition=(Q(mode="free") & Q(price__isnull=True)) | (~Q(mode="free") & Q(price__gt=0)),
                name="service_price_by_mode",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("services:service-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.org.code

    @property
    def provider_label(self) -> str:
        if self.provider_kind == ProviderKind.UNIT and self.provider_unit_id:
            return self.provider_unit.name
        return self.provider_name or str(self.get_provider_kind_display())

    @property
    def price_label(self) -> str:
        if self.mode == Mode.FREE or self.price is None:
            return str(_("免费"))
        unit = f"/{self.price_unit}" if self.price_unit else ""
        return f"{self.price.normalize():f} 元{unit}"


class CentreLevel(models.TextChoices):
    DISTRICT = "district", _("区社区服务中心")
    STREET = "street", _("街道社区服务中心")
    COMMUNITY = "community", _("社区服务站")


CENTRE_LEVEL_OF = {
    "district": CentreLevel.DISTRICT,
    "street": CentreLevel.STREET,
    "community": CentreLevel.COMMUNITY,
}


class Centre(ScopedModel):
    """A service centre: the district's (if the org tree has one), a street's 社区服务中心 or a
    community's 社区服务站, with its one-stop windows."""

    view_perm = VIEW
    objects = ReachManager()

    org = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属单位")
    )
    level = models.CharField(_("层级"), max_length=10, choices=CentreLevel.choices, editable=False)
    name = models.CharField(_("名称"), max_length=80)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("所在阵地"),
    )  # fmt: skip
    hours = models.CharField(_("办公时间"), max_length=200, blank=True)
    phone = models.CharField(_("服务电话"), max_length=30, blank=True, help_text=_("对外公布的办公电话"))

    class Meta:
        verbose_name = _("服务中心（站）")
        verbose_name_plural = _("服务中心（站）")
        ordering = ["scope_code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["org"],
                name="centre_one_per_org",
                violation_error_message=_("该单位已登记服务中心（站），请修改原有记录。"),
            ),  # fmt: skip
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("services:centre-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.org.code


class Window(ScopedModel):
    """A one-stop window (一站式服务窗口) of a centre and the catalogue matters it handles."""

    view_perm = VIEW
    objects = ReachManager()

    centre = models.ForeignKey(
        Centre, on_delete=models.CASCADE, related_name="windows", verbose_name=_("服务中心")
    )
    number = models.PositiveSmallIntegerField(_("窗口号"))
    name = models.CharField(_("窗口名称"), max_length=60)
    staff = models.PositiveSmallIntegerField(_("窗口人员"), default=1)
    matters = models.ManyToManyField(Service, related_name="windows", blank=True, verbose_name=_("办理事项"))

    class Meta:
        verbose_name = _("服务窗口")
        verbose_name_plural = _("服务窗口")
        ordering = ["centre", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "number"],
                name="window_centre_number",
                violation_error_message=_("该中心已有这个窗口号，请换一个。"),
            ),  # fmt: skip
        ]

    def __str__(self):
        return f"{self.number}号窗口 {self.name}"

    def get_absolute_url(self):
        return self.centre.get_absolute_url() + f"#window-{self.pk}"

    def compute_scope_code(self) -> str:
        return self.centre.org.code


class Outlet(ScopedModel):
    """A service outlet (服务网点) in a community: a canteen, a day-care point, a housekeeping
    station…, with its staff and how many of them were formerly unemployed (下岗失业人员)."""

    view_perm = VIEW

    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在社区")
    )
    name = models.CharField(_("网点名称"), max_length=80)
    category = models.ForeignKey(
        ServiceCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("服务类别")
    )
    provider_kind = models.CharField(
        _("举办方类型"), max_length=12, choices=ProviderKind.choices, default=ProviderKind.COMMUNITY
    )
    provider_name = models.CharField(_("举办方"), max_length=100, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    staff = models.PositiveIntegerField(_("从业人员"), default=0)
    formerly_unemployed = models.PositiveIntegerField(_("其中下岗失业人员"), default=0)
    opened_on = models.DateField(_("开办日期"), null=True, blank=True)
    active = models.BooleanField(_("在营"), default=True)

    class Meta:
        verbose_name = _("服务网点")
        verbose_name_plural = _("服务网点")
        ordering = ["scope_code", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"],
                name="outlet_community_name",
                violation_error_message=_("本社区已有同名服务网点。"),
            ),  # fmt: skip
            models.CheckConstraint(
                condition=Q(formerly_unemployed__lte=models.F("staff")), name="outlet_unemployed_within_staff"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("services:outlet-edit", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.community.code
