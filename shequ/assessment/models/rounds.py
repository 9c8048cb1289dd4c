"""Rounds of a scheme: the communities (or streets) assessed, each one's item scores with the
figures behind them (frozen when computed), the self-assessment beside them, objections and their
handling, and publication."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.assessment.models.schemes import VIEW, Scheme, SchemeItem, UpwardQuerySet
from shequ.core.models import ScopedModel

USER = settings.AUTH_USER_MODEL


class RoundStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    COMPUTED = "computed", _("已计分")
    PUBLISHED = "published", _("已公布")


class Round(ScopedModel):
    """One round of a scheme for a period over the communities (or streets) of `org`'s area. Its
    figures are taken once and kept with the round: a later correction of the data does not move
    them; computing again before publication is allowed and recorded (`computations`)."""

    view_perm = VIEW

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="rounds")
    org = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("组织单位")
    )
    title = models.CharField(_("名称"), max_length=120)
    period = models.CharField(_("统计期"), max_length=8)
    start = models.DateField(_("统计期起"))
    end = models.DateField(_("统计期止"))
    status = models.CharField(_("状态"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    apply_by = models.DateField(_("申报截止日期"), null=True, blank=True)
    computed_at = models.DateTimeField(_("计分时间"), null=True, blank=True, editable=False)
    computations = models.JSONField(_("计分记录"), default=list, blank=True, editable=False)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True, editable=False)
    objection_until = models.DateField(_("异议截止日期"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )

    objects = models.Manager.from_queryset(UpwardQuerySet)()

    class Meta:
        verbose_name = _("考核轮次")
        verbose_name_plural = _("考核轮次")
        ordering = ["-start", "scope_code", "pk"]
        constraints = [models.UniqueConstraint(fields=["scheme", "org", "period"], name="asmround_once")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("assessment:round-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.org.code

    @property
    def published(self) -> bool:
        return self.status == RoundStatus.PUBLISHED


class EntryStatus(models.TextChoices):
    LISTED = "listed", _("参评")
    APPLIED = "applied", _("已申报")
    INSPECTED = "inspected", _("已验收")
    GRANTED = "granted", _("已授予")
    REFUSED = "refused", _("未通过")


class Entry(ScopedModel):
    """A community (or street) in a round: its total, rank and grade, its self-assessment, and for a
    creation round its application and acceptance inspection. `profile` keeps the descriptors
    (type, size band, households, residents) as they stood when the round was computed."""

    view_perm = VIEW

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="entries")
    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("参评单位")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.LISTED
    )
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    grade = models.CharField(_("等次"), max_length=20, blank=True)
    profile = models.JSONField(_("单位情况"), default=dict, blank=True)
    self_total = models.DecimalField(_("自评总分"), max_digits=6, decimal_places=2, null=True, blank=True)
    self_note = models.CharField(_("自评说明"), max_length=500, blank=True)
    self_submitted_at = models.DateTimeField(_("自评提交时间"), null=True, blank=True, editable=False)
    claim = models.CharField(_("申报说明"), max_length=500, blank=True)
    applied_at = models.DateTimeField(_("申报时间"), null=True, blank=True, editable=False)
    applied_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    inspected_on = models.DateField(_("验收日期"), null=True, blank=True)
    inspection_note = models.CharField(_("验收意见"), max_length=500, blank=True)
    inspected_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("参评单位")
        verbose_name_plural = _("参评单位")
        ordering = ["round", "rank", "scope_code"]
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="asmentry_once")]

    def __str__(self):
        return f"{self.round} · {self.unit}"

    def get_absolute_url(self):
        return reverse("assessment:entry-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.unit.code


class ItemScore(ScopedModel):
    """An entry's score on one item, with the figure it rests on as taken when the round was
    computed (value, numerator, denominator and the indicator's detail), the assessor's manual
    score with its evidence (attachments owned by this row), and the community's own score."""

    view_perm = VIEW

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(SchemeItem, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("数值"), max_digits=18, decimal_places=4, null=True, blank=True)
    numerator = models.DecimalField(_("分子"), max_digits=18, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(_("分母"), max_digits=18, decimal_places=4, null=True, blank=True)
    detail = models.JSONField(_("明细"), default=dict, blank=True)
    taken_at = models.DateTimeField(_("取数时间"), null=True, blank=True)
    from_snapshot = models.BooleanField(_("取自快照"), default=False)
    points = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("评分说明"), max_length=300, blank=True)
    scored_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    scored_at = models.DateTimeField(_("评分时间"), null=True, blank=True, editable=False)
    self_points = models.DecimalField(_("自评得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    self_note = models.CharField(_("自评说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("项目得分")
        verbose_name_plural = _("项目得分")
        ordering = ["entry", "item__dimension__position", "item__position", "item_id"]
        constraints = [models.UniqueConstraint(fields=["entry", "item"], name="asmscore_once")]

    def __str__(self):
        return f"{self.entry} · {self.item}"

    def compute_scope_code(self) -> str:
        return self.entry.scope_code


class ObjectionStatus(models.TextChoices):
    FILED = "filed", _("待处理")
    UPHELD = "upheld", _("异议成立")
    REJECTED = "rejected", _("不予采纳")


class Objection(ScopedModel):
    """A community's objection to its result within the round's window: upheld (the item is scored
    again, the old and new points kept here) or rejected with the reason."""

    view_perm = VIEW

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="objections")
    score = models.ForeignKey(
        ItemScore, on_delete=models.CASCADE, null=True, blank=True, related_name="objections"
    )
    reason = models.CharField(_("异议理由"), max_length=500)
    status = models.CharField(
        _("状态"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.FILED
    )
    reply = models.CharField(_("处理意见"), max_length=500, blank=True)
    old_points = models.DecimalField(_("原得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    new_points = models.DecimalField(_("复核得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    filed_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+", editable=False)
    handled_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("考核异议")
        verbose_name_plural = _("考核异议")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.entry} · {self.reason[:20]}"

    def compute_scope_code(self) -> str:
        return self.entry.scope_code
