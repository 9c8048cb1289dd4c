"""社区档案: fonds (全宗), the classification scheme and retention schedule as data, items (件)
numbered by DA/T 22-2015, their electronic files with fixity and format checks, capture of the
platform's own records, use and lending, and disposal by an appraisal group with a permanent register.

An item is never deleted: it is filed for good or, after appraisal, destroyed (its files purged, the
paper marked) and entered in the disposal register, which is itself kept permanently."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import EncryptedTextField
from shequ.core.errors import Conflict
from shequ.core.models import ScopedModel
from shequ.core.scope import ScopedQuerySet, perm_codes, prefix_q

USER = settings.AUTH_USER_MODEL

VIEW = "archives.view"  # the catalogue of open and restricted items of one's scope
MANAGE = "archives.manage"  # the archive staff's acts (and closed items): a duty, not a role
ARCHIVIST = "archivist"  # the duty (专项职责) of a street's or community's archive staff


class Retention(models.TextChoices):
    PERMANENT = "Y", _("永久")
    D30 = "D30", _("定期30年")
    D10 = "D10", _("定期10年")


RETENTION_YEARS = {"Y": None, "D30": 30, "D10": 10}
RETENTION_ORDER = {"D10": 0, "D30": 1, "Y": 2}


class Carrier(models.TextChoices):
    PAPER = "paper", _("纸质")
    ELECTRONIC = "electronic", _("电子")
    PHOTO = "photo", _("照片")
    AUDIO_VIDEO = "av", _("录音录像")


class Openness(models.TextChoices):
    OPEN = "open", _("开放")
    RESTRICTED = "restricted", _("限制利用")
    CLOSED = "closed", _("不开放")


class ArchiveClass(models.Model):
    """门类: 文书 WS, 科技 KJ, 会计 KU (reference data, seeded from data/schedule.py)."""

    code = models.CharField(_("门类代码"), max_length=4, unique=True)
    name = models.CharField(_("门类"), max_length=20)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("档案门类")
        verbose_name_plural = _("档案门类")
        ordering = ["order", "code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class Topic(models.Model):
    """机构（问题）: the problem codes a community uses within a class."""

    archive_class = models.ForeignKey(ArchiveClass, on_delete=models.PROTECT, related_name="topics")
    code = models.CharField(_("机构（问题）代码"), max_length=6)
    name = models.CharField(_("机构（问题）"), max_length=40)

    class Meta:
        verbose_name = _("机构（问题）")
        verbose_name_plural = _("机构（问题）")
        ordering = ["archive_class__order", "code"]
        constraints = [models.UniqueConstraint(fields=["archive_class", "code"], name="arch_topic_once")]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class ScheduleEntry(models.Model):
    """One line of the retention schedule (保管期限表): what is filed, under which class and
    problem, for how long; `expected` lines are looked for in every year's filing round."""

    code = models.CharField(_("条目编号"), max_length=12, unique=True)
    archive_class = models.ForeignKey(ArchiveClass, on_delete=models.PROTECT, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("归档范围"), max_length=200)
    retention = models.CharField(_("保管期限"), max_length=4, choices=Retention.choices)
    expected = models.BooleanField(_("每年应归档"), default=False)
    confirmed_by_bureau = models.BooleanField(
        _("已经区档案馆确认"), default=False, help_text=_("随系统提供的初始条目须经区档案馆确认或修改。")
    )
    active = models.BooleanField(_("现行"), default=True)

    class Meta:
        verbose_name = _("保管期限表条目")
        verbose_name_plural = _("保管期限表")
        ordering = ["archive_class__order", "code"]

    def __str__(self):
        return f"{self.code} {self.description}"


class Fonds(ScopedModel):
    """全宗: the archive of one community (or street), with the number the archive bureau gave it."""

    view_perm = VIEW

    org = models.OneToOneField(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("立档单位")
    )
    number = models.CharField(_("全宗号"), max_length=10, unique=True)
    name = models.CharField(_("全宗名称"), max_length=100)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("全宗")
        verbose_name_plural = _("全宗")
        ordering = ["scope_code"]

    def __str__(self):
        return f"{self.number} {self.name}"

    def compute_scope_code(self) -> str:
        return self.org.code


class ItemQuerySet(ScopedQuerySet):
    """The catalogue: open and restricted items where the user holds VIEW, every item (closed ones
    too) where they hold the archive duty; closed items are invisible to everyone else."""

    def visible_to(self, user):
        if not user or not user.is_authenticated:
            return self.none()
        manage = perm_codes(user, MANAGE)
        view = perm_codes(user, VIEW)
        if manage is None:
            return self.all()
        q = prefix_q("scope_code", manage) if manage else Q(pk__in=[])
        if view is None:
            q |= ~Q(openness=Openness.CLOSED)
        elif view:
            q |= prefix_q("scope_code", view) & ~Q(openness=Openness.CLOSED)
        return self.filter(q)

    def delete(self):
        raise Conflict(_("档案一经归档不能删除；到期档案须经鉴定小组鉴定后销毁并登记。"), code="undeletable")


class ItemStatus(models.TextChoices):
    FILED = "filed", _("已归档")
    DESTROYED = "destroyed", _("已销毁")


class Item(ScopedModel):
    """件: one filed document with its 档号 (全宗号-门类代码·年度-保管期限-机构问题代码-件号)."""

    view_perm = VIEW

    fonds = models.ForeignKey(Fonds, on_delete=models.PROTECT, related_name="items", verbose_name=_("全宗"))
    entry = models.ForeignKey(
        ScheduleEntry, on_delete=models.PROTECT, related_name="+", verbose_name=_("归档范围")
    )
    archive_class = models.CharField(_("门类"), max_length=4, editable=False)
    topic = models.CharField(_("机构（问题）"), max_length=6, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    retention = models.CharField(_("保管期限"), max_length=4, choices=Retention.choices)
    number = models.PositiveSmallIntegerField(_("件号"), editable=False)
    reference = models.CharField(_("档号"), max_length=60, unique=True, editable=False)
    title = models.CharField(_("题名"), max_length=300)
    responsible = models.CharField(_("责任者"), max_length=100)
    date = models.DateField(_("文件日期"))
    pages = models.PositiveIntegerField(_("页数"), default=1)
    carrier = models.CharField(_("载体"), max_length=12, choices=Carrier.choices, default=Carrier.PAPER)
    room = models.CharField(_("库房"), max_length=40, blank=True)
    cabinet = models.CharField(_("柜（架）"), max_length=40, blank=True)
    box = models.CharField(_("盒号"), max_length=40, blank=True)
    openness = models.CharField(_("开放状态"), max_length=12, choices=Openness.choices, default=Openness.OPEN)
    openness_reason = models.CharField(_("控制使用理由"), max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.FILED)
    # After appraisal an item kept beyond its period gets a new retention (the 档号 keeps the filed one).
    kept_retention = models.CharField(
        _("鉴定后保管期限"), max_length=4, choices=Retention.choices, blank=True
    )
    kept_reason = models.CharField(_("延长保管理由"), max_length=300, blank=True)
    # Where it came from on the platform (a closed case, a decision letter, minutes): kept as a link.
    source_rule = models.CharField(_("采集规则"), max_length=60, blank=True)
    source_id = models.CharField(_("来源记录"), max_length=40, blank=True)
    source_label = models.CharField(_("来源记录编号"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )

    objects = models.Manager.from_queryset(ItemQuerySet)()

    class Meta:
        verbose_name = _("档案（件）")
        verbose_name_plural = _("档案（件）")
        ordering = ["-year", "archive_class", "retention", "topic", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["fonds", "archive_class", "year", "retention", "number"], name="arch_item_number_once"
            ),
            models.UniqueConstraint(
                fields=["source_rule", "source_id"],
                condition=~Q(source_rule=""),
                name="arch_item_source_once",
            ),
        ]
        indexes = [models.Index(fields=["scope_code", "year"], name="arch_item_scope_year")]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("archives:item-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.fonds.scope_code

    def delete(self, *args, **kwargs):
        raise Conflict(_("档案一经归档不能删除；到期档案须经鉴定小组鉴定后销毁并登记。"), code="undeletable")

    @property
    def current_retention(self) -> str:
        return self.kept_retention or self.retention

    @property
    def expires_year(self) -> int | None:
        """The last year of the retention period, counted from the year after the filing year."""
        years = RETENTION_YEARS[self.current_retention]
        return None if years is None else self.year + years

    @property
    def location(self) -> str:
        return " / ".join(p for p in (self.room, self.cabinet, self.box) if p)


def reference_of(fonds_number: str, cls: str, year: int, retention: str, topic: str, number: int) -> str:
    """档号 by DA/T 22-2015: 全宗号-门类代码·年度-保管期限-机构（问题）代码-件号 (four digits)."""
    parts = [fonds_number, f"{cls}·{year}", retention]
    if topic:
        parts.append(topic)
    parts.append(f"{number:04d}")
    return "-".join(parts)


class ItemFile(models.Model):
    """An electronic file of an item, kept in the database with the hash recorded at capture."""

    scope_field = "item__scope_code"
    visible_through = "item"

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="files")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256 校验值"), max_length=64, editable=False)
    data = models.BinaryField(editable=False, null=True)
    format = models.CharField(_("格式"), max_length=20, blank=True)
    mime = models.CharField(_("媒体类型"), max_length=100, blank=True)
    long_term = models.BooleanField(_("长期保存格式"), default=False)
    text = models.TextField(_("全文"), blank=True)  # text of a TXT/XML file, for full-text search
    captured_at = models.DateTimeField(_("采集时间"), auto_now_add=True)
    checked_at = models.DateTimeField(_("最近检测"), null=True, blank=True)
    check_ok = models.BooleanField(_("检测通过"), null=True)
    purged_at = models.DateTimeField(_("销毁时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("电子文件")
        verbose_name_plural = _("电子文件")
        ordering = ["item", "pk"]

    def __str__(self):
        return self.name


class CheckKind(models.TextChoices):
    CAPTURE = "capture", _("采集检测")
    PERIODIC = "periodic", _("定期检测")


class FileCheck(ScopedModel):
    """One run of DA/T 70's four checks on one file: 真实性 (the hash), 完整性 (metadata), 可用性
    (readable, long-term format), 安全性 (stored and intact). Failures are told to the archive staff."""

    view_perm = MANAGE

    file = models.ForeignKey(ItemFile, on_delete=models.PROTECT, related_name="checks")
    kind = models.CharField(_("检测类型"), max_length=10, choices=CheckKind.choices)
    ok = models.BooleanField(_("通过"))
    authenticity = models.BooleanField(_("真实性"))
    integrity = models.BooleanField(_("完整性"))
    usability = models.BooleanField(_("可用性"))
    safety = models.BooleanField(_("安全性"))
    problems = models.JSONField(_("问题"), default=list)

    class Meta:
        verbose_name = _("四性检测")
        verbose_name_plural = _("四性检测")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} · {_('通过') if self.ok else _('未通过')}"

    def compute_scope_code(self) -> str:
        return self.file.item.scope_code


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("待确认")
    CONFIRMED = "confirmed", _("已归档")
    REJECTED = "rejected", _("不归档")


class Proposal(ScopedModel):
    """A record the platform proposes for filing (a closed case, minutes): confirmed by the archive
    staff it becomes an item; the source is never filed twice."""

    view_perm = MANAGE

    fonds = models.ForeignKey(Fonds, on_delete=models.PROTECT, related_name="proposals")
    rule = models.CharField(_("采集规则"), max_length=60)
    source_id = models.CharField(_("来源记录"), max_length=40)
    source_label = models.CharField(_("来源记录编号"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("题名"), max_length=300)
    responsible = models.CharField(_("责任者"), max_length=100)
    date = models.DateField(_("文件日期"))
    entry = models.ForeignKey(ScheduleEntry, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    item = models.OneToOneField(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="proposal"
    )
    reason = models.CharField(_("不归档理由"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("待归档记录")
        verbose_name_plural = _("待归档记录")
        ordering = ["date", "pk"]
        constraints = [models.UniqueConstraint(fields=["rule", "source_id"], name="arch_proposal_once")]

    def __str__(self):
        return self.title

    def compute_scope_code(self) -> str:
        return self.fonds.scope_code


class FilingRound(ScopedModel):
    """A fonds' yearly filing round: the year's records are filed by 30 June of the next year."""

    view_perm = MANAGE

    fonds = models.ForeignKey(Fonds, on_delete=models.PROTECT, related_name="rounds")
    year = models.PositiveSmallIntegerField(_("年度"))
    deadline = models.DateField(_("归档期限"))
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    closed_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("年度归档")
        verbose_name_plural = _("年度归档")
        ordering = ["-year", "scope_code"]
        constraints = [models.UniqueConstraint(fields=["fonds", "year"], name="arch_round_once")]

    def __str__(self):
        return f"{self.fonds} {self.year}"

    def compute_scope_code(self) -> str:
        return self.fonds.scope_code

    @staticmethod
    def deadline_of(year: int) -> dt.date:
        return dt.date(year + 1, 6, 30)


class Purpose(models.TextChoices):
    ECONOMIC = "economic", _("经济纠纷")
    NEIGHBOUR = "neighbour", _("邻里矛盾")
    MEDIATION = "mediation", _("司法调解")
    SOCIAL_SECURITY = "social_security", _("社会保障")
    REEMPLOYMENT = "reemployment", _("再就业")
    PROOF = "proof", _("出具证明")
    WORK = "work", _("工作查考")
    RESEARCH = "research", _("编史修志")
    OTHER = "other", _("其他")


class UseMode(models.TextChoices):
    READ = "read", _("查阅")
    LEND = "lend", _("借出")
    COPY = "copy", _("复制")


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不予批准")
    LENT = "lent", _("已借出")
    RETURNED = "returned", _("已归还")
    DONE = "done", _("已办结")


class UseRequest(ScopedModel):
    """A request to consult, borrow or copy items: who, which items, why; approved, lent and returned."""

    view_perm = MANAGE

    fonds = models.ForeignKey(Fonds, on_delete=models.PROTECT, related_name="requests")
    number = models.CharField(_("登记号"), max_length=30, unique=True, editable=False)
    requester = models.CharField(_("利用人"), max_length=50)
    requester_org = models.CharField(_("单位或住址"), max_length=100, blank=True)
    requester_phone = EncryptedTextField(_("联系电话"), mask="phone")
    purpose = models.CharField(_("利用目的"), max_length=20, choices=Purpose.choices)
    purpose_note = models.CharField(_("具体事由"), max_length=300, blank=True)
    mode = models.CharField(_("利用方式"), max_length=8, choices=UseMode.choices, default=UseMode.READ)
    copies = models.PositiveSmallIntegerField(_("复制份数"), default=0)
    items = models.ManyToManyField(Item, related_name="requests", verbose_name=_("档案"))
    status = models.CharField(
        _("状态"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    decided_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)
    lent_at = models.DateTimeField(_("借出时间"), null=True, blank=True)
    due_on = models.DateField(_("应还日期"), null=True, blank=True)
    returned_at = models.DateTimeField(_("归还时间"), null=True, blank=True)
    # When the approver and archive staff were told the loan falls due soon, and that it is overdue
    # (each once per loan: the reminder sweep claims the loan by setting the time).
    due_reminded_at = models.DateTimeField(_("到期提醒时间"), null=True, blank=True, editable=False)
    overdue_reminded_at = models.DateTimeField(_("逾期提醒时间"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("查借阅登记")
        verbose_name_plural = _("查借阅登记")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.number} {self.requester}"

    def get_absolute_url(self):
        return reverse("archives:request-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.fonds.scope_code

    @property
    def overdue(self) -> bool:
        from django.utils import timezone

        return self.status == RequestStatus.LENT and bool(self.due_on) and self.due_on < timezone.localdate()

    @property
    def due_soon(self) -> bool:
        """Lent and due within SHEQU_ARCHIVE_LOAN_REMIND_DAYS days (today included)."""
        from django.utils import timezone

        if self.status != RequestStatus.LENT or not self.due_on:
            return False
        today = timezone.localdate()
        return today <= self.due_on <= today + dt.timedelta(days=settings.ARCHIVE_LOAN_REMIND_DAYS)


class UseAction(models.TextChoices):
    VIEW = "view", _("查看")
    DOWNLOAD = "download", _("下载")
    READ = "read", _("查阅")
    LEND = "lend", _("借出")
    RETURN = "return", _("归还")
    COPY = "copy", _("复制")


class UseLog(ScopedModel):
    """Every use of an item: a view or download of a restricted or closed item, a reading, a
    lending, a return, a copy. Never edited."""

    view_perm = MANAGE

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="uses")
    action = models.CharField(_("利用方式"), max_length=10, choices=UseAction.choices)
    user = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    request = models.ForeignKey(
        UseRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="uses"
    )
    purpose = models.CharField(_("利用目的"), max_length=20, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("利用记录")
        verbose_name_plural = _("利用记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} · {self.item_id}"

    def compute_scope_code(self) -> str:
        return self.item.scope_code


class RoundStatus(models.TextChoices):
    APPRAISING = "appraising", _("鉴定中")
    DECIDED = "decided", _("已处置")


class DisposalRound(ScopedModel):
    """A year's appraisal of a fonds' items whose retention has ended (到期鉴定)."""

    view_perm = MANAGE

    fonds = models.ForeignKey(Fonds, on_delete=models.PROTECT, related_name="disposals")
    year = models.PositiveSmallIntegerField(_("鉴定年度"))
    status = models.CharField(
        _("状态"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.APPRAISING
    )
    items = models.ManyToManyField(Item, through="RoundItem", related_name="+")
    decided_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    method = models.CharField(_("销毁方式"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("鉴定销毁")
        verbose_name_plural = _("鉴定销毁")
        ordering = ["-year", "-pk"]
        constraints = [models.UniqueConstraint(fields=["fonds", "year"], name="arch_disposal_once")]

    def __str__(self):
        return f"{self.fonds} {self.year}"

    def get_absolute_url(self):
        return reverse("archives:disposal-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.fonds.scope_code


class Decision(models.TextChoices):
    PENDING = "", _("待定")
    DESTROY = "destroy", _("销毁")
    KEEP = "keep", _("继续保存")


class RoundItem(models.Model):
    round = models.ForeignKey(DisposalRound, on_delete=models.PROTECT, related_name="entries")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("处置"), max_length=8, choices=Decision.choices, blank=True)
    new_retention = models.CharField(_("新保管期限"), max_length=4, choices=Retention.choices, blank=True)
    reason = models.CharField(_("理由"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("鉴定条目")
        verbose_name_plural = _("鉴定条目")
        ordering = ["round", "item__reference"]
        constraints = [models.UniqueConstraint(fields=["round", "item"], name="arch_round_item_once")]

    def __str__(self):
        return f"{self.round} {self.item_id}"


class MemberKind(models.TextChoices):
    ARCHIVE = "archive", _("档案人员")
    COMMUNITY = "community", _("社区代表")
    RESIDENT = "resident", _("居民代表")


class Opinion(models.Model):
    """One appraisal-group member's view of a round: destroy all listed items except those named to keep."""

    round = models.ForeignKey(DisposalRound, on_delete=models.PROTECT, related_name="opinions")
    member = models.CharField(_("鉴定小组成员"), max_length=50)
    kind = models.CharField(_("身份"), max_length=10, choices=MemberKind.choices)
    keep = models.JSONField(_("主张继续保存的档案"), default=list)  # item ids
    note = models.CharField(_("意见"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("鉴定意见")
        verbose_name_plural = _("鉴定意见")
        ordering = ["round", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "member"], name="arch_opinion_once")]

    def __str__(self):
        return f"{self.member}（{self.get_kind_display()}）"


class RegisterQuerySet(ScopedQuerySet):
    def delete(self):
        raise Conflict(_("档案销毁清册永久保存，不能删除。"), code="undeletable")


class RegisterEntry(ScopedModel):
    """档案销毁清册: one destroyed item, as it was described, with the group's decision. Permanent."""

    view_perm = MANAGE

    round = models.ForeignKey(DisposalRound, on_delete=models.PROTECT, related_name="register")
    item = models.OneToOneField(Item, on_delete=models.PROTECT, related_name="register_entry")
    reference = models.CharField(_("档号"), max_length=60)
    title = models.CharField(_("题名"), max_length=300)
    year = models.PositiveSmallIntegerField(_("年度"))
    retention = models.CharField(_("保管期限"), max_length=4, choices=Retention.choices)
    carrier = models.CharField(_("载体"), max_length=12, choices=Carrier.choices)
    pages = models.PositiveIntegerField(_("页数"))
    method = models.CharField(_("销毁方式"), max_length=100)
    group = models.CharField(_("鉴定小组"), max_length=500)
    destroyed_at = models.DateTimeField(_("销毁时间"))
    destroyed_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = models.Manager.from_queryset(RegisterQuerySet)()

    class Meta:
        verbose_name = _("档案销毁清册")
        verbose_name_plural = _("档案销毁清册")
        ordering = ["-destroyed_at", "reference"]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def compute_scope_code(self) -> str:
        return self.round.scope_code

    def delete(self, *args, **kwargs):
        raise Conflict(_("档案销毁清册永久保存，不能删除。"), code="undeletable")
