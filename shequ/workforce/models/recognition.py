"""表彰与成长: the honours a worker has received (a biennial 十佳社区干部, a district's 优秀社区工作者),
their seats as 两代表一委员 (Party congress delegate, people's congress deputy, CPPCC member), and
promotions within community work. With the exits that are a way up (招录为公务员或事业编, 提拔进街道
班子) they make a street's "way up" list. Honours are not sensitive: whoever reads the roster reads
them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.core.scope import ScopedManager
from shequ.workforce.models.roster import VIEW, Worker


class HonourLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    DISTRICT = "district", _("区级")
    STREET = "street", _("街道级")


class Award(models.Model):
    """An honour a worker received: its title, level, date and the body that awarded it."""

    scope_field = "worker__scope_code"
    view_perm = VIEW

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="awards", verbose_name=_("社区工作者")
    )
    title = models.CharField(_("荣誉名称"), max_length=60)
    level = models.CharField(_("级别"), max_length=10, choices=HonourLevel.choices)
    awarded_on = models.DateField(_("授予日期"))
    body = models.CharField(_("授予单位"), max_length=60)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("表彰奖励")
        verbose_name_plural = _("表彰奖励")
        ordering = ["-awarded_on", "-id"]

    def __str__(self):
        return f"{self.worker} {self.title}"


class SeatKind(models.TextChoices):
    PARTY = "party", _("党代表")
    NPC = "npc", _("人大代表")
    CPPCC = "cppcc", _("政协委员")


class Representative(models.Model):
    """A seat as one of the 两代表一委员, at a level, for a term."""

    scope_field = "worker__scope_code"
    view_perm = VIEW

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="seats", verbose_name=_("社区工作者")
    )
    kind = models.CharField(_("类别"), max_length=8, choices=SeatKind.choices)
    level = models.CharField(_("级别"), max_length=10, choices=HonourLevel.choices)
    term = models.CharField(_("届次"), max_length=30)
    start = models.DateField(_("当选日期"))
    end = models.DateField(_("届满日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("两代表一委员")
        verbose_name_plural = _("两代表一委员")
        ordering = ["-start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "kind", "level", "term"], name="representative_once")
        ]

    def __str__(self):
        return f"{self.worker} {self.get_level_display()}{self.get_kind_display()}"


class Promotion(models.Model):
    """A step up within community work (委员 → 副主任, → 书记 or 主任, a post in the street while
    staying on this roster), dated."""

    scope_field = "worker__scope_code"
    view_perm = VIEW

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="promotions", verbose_name=_("社区工作者")
    )
    on = models.DateField(_("日期"))
    post = models.CharField(_("晋升至"), max_length=60)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("晋升")
        verbose_name_plural = _("晋升")
        ordering = ["-on", "-id"]

    def __str__(self):
        return f"{self.worker} → {self.post}"
