"""Community descriptors as data: the type (城市型, 农村 …), size bands by households and residents,
and the district's list of delegated administrative matters (大项/小项), shipped as a sample."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.assessment.models.schemes import VIEW
from shequ.core.models import ScopedModel


class CommunityType(models.TextChoices):
    URBAN = "urban", _("城市型")
    RURAL = "rural", _("农村")
    VILLAGE_COMMUNITY = "village_community", _("村社合一")
    JOINT_VILLAGE = "joint_village", _("联村")
    MIXED = "mixed", _("城乡结合型")
    UNIT = "unit", _("单位型")


class CommunityProfile(ScopedModel):
    """A community's type and, where the registry does not keep them, its households and residents."""

    view_perm = VIEW

    community = models.OneToOneField(
        "org.OrgUnit", on_delete=models.CASCADE, related_name="assessment_profile", verbose_name=_("社区")
    )
    kind = models.CharField(
        _("社区类型"), max_length=20, choices=CommunityType.choices, default=CommunityType.URBAN
    )
    households = models.PositiveIntegerField(_("户数（登记）"), null=True, blank=True)
    residents = models.PositiveIntegerField(_("人数（登记）"), null=True, blank=True)

    class Meta:
        verbose_name = _("社区类型与规模")
        verbose_name_plural = _("社区类型与规模")

    def __str__(self):
        return f"{self.community} · {self.get_kind_display()}"

    def compute_scope_code(self) -> str:
        return self.community.code


class SizeBand(models.Model):
    """A size band (小型 …): reference data, seeded and editable in the admin. A community falls in
    the first band (by `order`) whose upper bounds it stays under."""

    name = models.CharField(_("规模"), max_length=20, unique=True)
    max_households = models.PositiveIntegerField(_("户数上限（不含）"), null=True, blank=True)
    max_residents = models.PositiveIntegerField(_("人数上限（不含）"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("社区规模档")
        verbose_name_plural = _("社区规模档")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class MatterGroup(models.Model):
    """A major item (大项) of the district's list of administrative matters delegated to communities.
    Shipped as a sample (`sample`): the district edits it to its own list."""

    number = models.PositiveSmallIntegerField(_("序号"), unique=True)
    name = models.CharField(_("大项"), max_length=100)
    department = models.CharField(_("主管部门"), max_length=100, blank=True)
    sample = models.BooleanField(_("示例数据"), default=True)

    class Meta:
        verbose_name = _("下沉事项大项")
        verbose_name_plural = _("下沉事项大项")
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.name}"


class Matter(models.Model):
    """A minor item (小项) of a delegated matter."""

    group = models.ForeignKey(MatterGroup, on_delete=models.CASCADE, related_name="matters")
    number = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("小项"), max_length=150)

    class Meta:
        verbose_name = _("下沉事项小项")
        verbose_name_plural = _("下沉事项小项")
        ordering = ["group__number", "number"]
        constraints = [models.UniqueConstraint(fields=["group", "number"], name="asmmatter_once")]

    def __str__(self):
        return self.name
