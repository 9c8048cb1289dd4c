"""议题: what residents (or the 议事箱, a meeting, a case, staff) bring to deliberation, with the
residents who support it (each once), the category list and each community's support threshold."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.models import ScopedModel
from shequ.core.scope import ScopedManager
from shequ.participation.workflow import IssueStatus

VIEW = "participation.view"
MANAGE = "participation.manage"
VIEW_SUPPORTERS = "participation.view_supporters"
CONFIGURE = "participation.configure"

DEFAULT_THRESHOLD = 10


class IssueSource(models.TextChoices):
    PROPOSAL = "proposal", _("居民提议")
    BOX = "box", _("议事箱")
    MEETING = "meeting", _("会议")
    CASE = "case", _("案件")
    STAFF = "staff", _("工作人员")
    RATING = "rating", _("居民评议")


class IssueScope(models.TextChoices):
    """What an issue is about: the whole community, one 片区 (the community's grids serve as its
    片区: org keeps no other sub-area), or one building."""

    COMMUNITY = "community", _("全社区")
    AREA = "area", _("片区")
    BUILDING = "building", _("楼栋")


class IssueCategory(models.Model):
    """A category of issues (环境卫生, 停车管理 …): data the district keeps, not code."""

    name = models.CharField(_("类别名称"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("议题类别")
        verbose_name_plural = _("议题类别")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Setting(ScopedModel):
    """A community's own rule for issues: how many residents' support puts one on the agenda."""

    view_perm = VIEW

    community = models.OneToOneField(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    support_threshold = models.PositiveSmallIntegerField(_("上会所需附议人数"), default=DEFAULT_THRESHOLD)

    class Meta:
        verbose_name = _("议事设置")
        verbose_name_plural = _("议事设置")

    def __str__(self):
        return f"{self.community} {self.support_threshold}"

    def compute_scope_code(self) -> str:
        return self.community.code


class Issue(ScopedModel):
    """One 议题 of a community (optionally about one building), from its source to 已办结."""

    view_perm = VIEW

    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    building = models.ForeignKey(
        "org.Building", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("楼栋"),
    )  # fmt: skip
    scope = models.CharField(
        _("议题范围"), max_length=10, choices=IssueScope.choices, default=IssueScope.COMMUNITY
    )
    area = models.ForeignKey(
        "org.Grid", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("片区（网格）"),
    )  # fmt: skip
    category = models.ForeignKey(
        IssueCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("类别")
    )
    source = models.CharField(_("来源"), max_length=16, choices=IssueSource.choices)
    title = models.CharField(_("议题"), max_length=100)
    text = models.TextField(_("内容"), max_length=4000)
    status = models.CharField(
        _("状态"), max_length=16, choices=IssueStatus.choices, default=IssueStatus.PROPOSED, db_index=True
    )
    reject_reason = models.CharField(_("不予受理理由"), max_length=300, blank=True)
    # Who brought it: staff read it (a proposer's name never reaches a public page).
    proposer_name = models.CharField(_("提出人"), max_length=50, blank=True)
    proposer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("提出人账号"),
    )  # fmt: skip
    proposer_resident = models.ForeignKey(
        "people.Resident", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("提出人（居民台账）"),
    )  # fmt: skip
    # A case it came from, named through the kernel's reference registry (the apps do not import
    # each other): its id for the case page's panel, its number for this page.
    case_id = models.PositiveBigIntegerField(_("来源案件"), null=True, blank=True, db_index=True)
    case_number = models.CharField(_("来源案件编号"), max_length=20, blank=True)
    support_count = models.PositiveIntegerField(_("附议人数"), default=0)
    raised_on = models.DateField(_("提出日期"))
    ready_on = models.DateField(_("列入待上会日期"), null=True, blank=True)
    resolved_on = models.DateField(_("形成决议日期"), null=True, blank=True)
    done_on = models.DateField(_("办结日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["-raised_on", "-id"]
        indexes = [models.Index(fields=["scope_code", "raised_on"], name="issue_scope_raised")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("participation:issue-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.community.code


class Support(models.Model):
    """A resident's support (附议) of an issue: one per resident, by the key that names them (a
    registry resident "r:<id>", else a resident's account "u:<id>"), enforced by the database."""

    scope_field = "issue__scope_code"
    view_perm = VIEW_SUPPORTERS

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="supports", verbose_name=_("议题")
    )
    key = models.CharField(max_length=40, editable=False)
    name = models.CharField(_("附议人"), max_length=50)
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("居民"),
    )  # fmt: skip
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("附议时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("附议")
        verbose_name_plural = _("附议")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["issue", "key"], name="support_once")]

    def __str__(self):
        return f"{self.name} → {self.issue}"


class IssueEvent(models.Model):
    """A step in an issue's history (提出, 列入待上会, 上会, 决议 …), with who took it and why."""

    scope_field = "issue__scope_code"
    view_perm = VIEW

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("动作"), max_length=16)
    status = models.CharField(_("状态"), max_length=16, choices=IssueStatus.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("议题记录")
        verbose_name_plural = _("议题记录")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.issue_id} {self.action}"


# What the public hall lists: every issue (a refused one with its reason), never who proposed or
# supported it.
PUBLIC_STATUSES = list(IssueStatus.values)
public_issue_q = Q(status__in=PUBLIC_STATUSES)
