"""诉求与事件: categories with their time limits, cases and their timeline, hotline and Open311
clients, callbacks, and the settings of the indicator score.

A case hangs under the grid, community or street where it happened (`scope_code`). Staff see the
cases of their subtree; department staff see only the cases dispatched to their department; a
resident sees only the requests they filed."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import BlindIndexField, EncryptedTextField
from shequ.core.models import ScopedModel
from shequ.core.roles import Role, roles_with
from shequ.core.scope import ScopedQuerySet, memberships, prefix_q, scope_codes


class LimitUnit(models.TextChoices):
    HOURS = "hours", _("工作小时")
    DAYS = "days", _("工作日")


class UnitKind(models.TextChoices):
    GRID = "grid", _("网格")
    COMMUNITY = "community", _("社区")
    STREET = "street", _("街道")
    DEPARTMENT = "department", _("职能部门")


# Categories whose cases concern a person's circumstances rather than a place: their cases are not
# published unless an administrator decides otherwise (社会救助, 养老服务, 邻里纠纷, 治安隐患 and
# anything about community correction or released prisoners).
PRIVATE_CATEGORY_WORDS = ("社会救助", "养老服务", "邻里纠纷", "治安隐患", "矫正", "安置帮教", "刑满释放")


def default_publishable(name: str) -> bool:
    """Whether a category of this name publishes its cases by default."""
    return not any(word in (name or "") for word in PRIVATE_CATEGORY_WORDS)


class Category(models.Model):
    """A 大类 (no parent) or 小类 (parent = its 大类). Only minor classes are filed under; each has
    its handling unit, conditions and time limit. A case copies the limit when it is filed."""

    code = models.CharField(_("类别编码"), max_length=16, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("大类"),
    )
    source = models.CharField(_("依据"), max_length=40, blank=True)  # "CJ/T 214" or "社区服务"
    default_unit_kind = models.CharField(
        _("默认处置单位类型"), max_length=16, choices=UnitKind.choices, default=UnitKind.COMMUNITY
    )
    default_department = models.CharField(_("默认处置部门"), max_length=60, blank=True)
    filing_condition = models.CharField(_("立案条件"), max_length=300, blank=True)
    closure_condition = models.CharField(_("结案条件"), max_length=300, blank=True)
    limit_value = models.PositiveIntegerField(_("处置时限"), default=5)
    limit_unit = models.CharField(
        _("时限单位"), max_length=8, choices=LimitUnit.choices, default=LimitUnit.DAYS
    )
    merge_radius_m = models.PositiveIntegerField(_("合并提示半径（米）"), default=100)
    merge_days = models.PositiveIntegerField(_("合并提示天数"), default=7)
    public = models.BooleanField(_("居民可提交"), default=True)
    publishable = models.BooleanField(
        _("办理情况可公开"),
        default=True,
        db_default=True,
        help_text=_(
            "勾选后，此类案件立案后在 Open311 接口和公开查询中公开（隐去姓名、证件号、电话和门牌号，"
            "地址只到楼栋或街道，坐标约 100 米精度）。涉及个人情况的类别（如社会救助、养老服务、"
            "邻里纠纷、治安隐患）不应公开。"
        ),
    )
    active = models.BooleanField(_("启用"), default=True)
    # Open311 service definition attributes: [{"code", "datatype", "required", "description",
    # "order", "values": [{"key", "name"}]}], datatypes as in GeoReport v2.
    attributes = models.JSONField(_("补充信息项"), default=list, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("案件类别")
        verbose_name_plural = _("案件类别")
        ordering = ["code"]

    def __str__(self):
        if self.parent_id:
            return f"{self.parent.name} / {self.name}"
        return self.name

    def get_absolute_url(self):
        return reverse("cases:category-edit", args=[self.pk])

    @property
    def is_minor(self) -> bool:
        return self.parent_id is not None

    @property
    def limit_label(self) -> str:
        return f"{self.limit_value} {self.get_limit_unit_display()}"


class Status(models.TextChoices):
    RECEIVED = "received", _("已受理")
    FILED = "filed", _("已立案")
    REJECTED = "rejected", _("不予立案")
    DISPATCHED = "dispatched", _("已派遣")
    PROCESSING = "processing", _("处置中")
    RETURNED = "returned", _("已退单")
    HANDLED = "handled", _("待核查")
    VERIFIED = "verified", _("核查通过")
    CLOSED = "closed", _("已结案")
    CALLED_BACK = "called_back", _("已回访")
    EVALUATED = "evaluated", _("已评价")
    PARKED = "parked", _("挂账")
    MERGED = "merged", _("已合并")


OPEN_STATUSES = (
    Status.RECEIVED,
    Status.FILED,
    Status.DISPATCHED,
    Status.PROCESSING,
    Status.RETURNED,
    Status.HANDLED,
    Status.VERIFIED,
)
# The handling clock runs in these states: it starts at dispatch, pauses while 挂账 and stops at the
# handling unit's feedback (a failed verification sends the case back and the clock runs on).
CLOCK_STATUSES = (Status.DISPATCHED, Status.PROCESSING)
STOPPED_STATUSES = (Status.HANDLED, Status.VERIFIED)
DONE_STATUSES = (Status.CLOSED, Status.CALLED_BACK, Status.EVALUATED)
# Accepted by staff (立案 or any later step): only these may be published. A request not yet
# looked at, one refused filing and one merged into another never are.
ACCEPTED_STATUSES = tuple(s for s in Status if s not in (Status.RECEIVED, Status.REJECTED, Status.MERGED))


class Channel(models.TextChoices):
    WEB = "web", _("网上提交")
    MOBILE = "mobile", _("手机提交")
    PATROL = "patrol", _("网格巡查")
    WALK_IN = "walk_in", _("来访")
    PHONE = "phone", _("来电")
    HOTLINE = "hotline", _("12345热线转办")
    OPEN311 = "open311", _("Open311 接口")
    VISIT = "visit", _("走访发现")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class ExtensionState(models.TextChoices):
    NONE = "", _("无")
    PENDING = "pending", _("待审批")
    GRANTED = "granted", _("已批准")
    REFUSED = "refused", _("已驳回")


def public_q(prefix: str = "") -> Q:
    """The one rule of what the public may see of a case (`prefix` reaches the case from another
    model, e.g. "case__"): accepted by staff, of a category that publishes its cases, not withheld
    by the requester, and touching no resident who carries a recorded 人群标签 (独居老人, 残疾人,
    低保, 社区矫正对象 …) — neither the resident the case is about nor a registered resident with
    the requester's phone number. Every public answer starts from it; what it may show of the case
    is its stored public copy (Case.public_*, shequ.cases.public.stored_copy)."""
    from shequ.people.models import ResidentTag

    tagged = ResidentTag.objects.current()
    about_tagged = Exists(tagged.filter(resident_id=OuterRef(f"{prefix}resident_id")))
    requester_tagged = Exists(
        tagged.filter(resident__phone_index=OuterRef(f"{prefix}requester_phone_key")).exclude(
            resident__phone_index=""
        )
    )
    return (
        Q(**{f"{prefix}status__in": ACCEPTED_STATUSES})
        & Q(**{f"{prefix}category__publishable": True})
        & Q(**{f"{prefix}publish_optout": False})
        & ~about_tagged
        & ~requester_tagged
    )


def staff_cases_q(user) -> Q | None:
    """What staff see of the cases, as a condition on `scope_code` and `handler_department` (the
    columns the indicators' rollup shares with Case): their subtree, and for department staff the
    cases dispatched to their department inside their scope. None: everything (a sysadmin)."""
    viewers = roles_with("cases.view_case")
    roots = scope_codes(user, viewers - {Role.DEPARTMENT})
    if roots is None:
        return None
    q = prefix_q("scope_code", roots) if roots else Q(pk__in=[])
    for m in memberships(user):
        if m.role == Role.DEPARTMENT and m.department:
            q |= prefix_q("scope_code", [m.scope_code]) & Q(handler_department=m.department)
    return q


def files_requests(user) -> bool:
    """Whether the user holds a resident's membership (and so reads the requests they filed)."""
    return any(m.role == Role.RESIDENT for m in memberships(user))


class CaseQuerySet(ScopedQuerySet):
    """Staff see their subtree; department staff the cases dispatched to their department inside
    their scope; a resident the requests they filed."""

    def visible_to(self, user):
        if not user or not user.is_authenticated:
            return self.none()
        q = staff_cases_q(user)
        if q is None:
            return self.all()
        # Only residents file requests as themselves (staff entries never set requester_user);
        # leaving the clause out for staff keeps their reads on index-only plans.
        if files_requests(user):
            q |= Q(requester_user=user)
        return self.filter(q)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def public(self):
        """The cases the public may see (public_q); show their stored public copy (Case.public_*)."""
        return self.filter(public_q())

    def handled_by(self, user):
        """Cases waiting on the user's unit: dispatched to a node in their scope or their department."""
        q = Q(pk__in=[])
        for m in memberships(user):
            if m.role not in roles_with("cases.handle_case"):
                continue
            if m.role == Role.DEPARTMENT:
                if m.department:
                    q |= Q(handler_department=m.department) & prefix_q("scope_code", [m.scope_code])
            elif m.role == Role.SYSADMIN:
                q |= ~Q(handler_code="")
            else:
                q |= prefix_q("handler_code", [m.scope_code]) & Q(handler_department="")
        return self.filter(q)


CaseManager = models.Manager.from_queryset(CaseQuerySet)


def new_tracking_token() -> str:
    return secrets.token_urlsafe(16)


class RegistryPhoneKey(BlindIndexField):
    """The requester's phone keyed as the resident registry keys its residents' phones
    (people.Resident.phone_index), so that a query can tell whether the requester is a registered
    resident without decrypting anything."""

    def compute(self, plaintext: str) -> str:
        from shequ.people.models import Resident

        return Resident._meta.get_field("phone_index").compute(plaintext)


class Case(ScopedModel):
    """One request (诉求) and, once filed, the case (案件) it becomes."""

    view_perm = "cases.view_case"  # the staff pages; a resident reads their own through cases:mine
    owner_reads = True  # the API's case list also holds the requester's own requests

    number = models.CharField(_("受理编号"), max_length=20, unique=True, editable=False)
    tracking_token = models.CharField(max_length=32, unique=True, default=new_tracking_token, editable=False)
    channel = models.CharField(_("来源渠道"), max_length=16, choices=Channel.choices)
    external_id = models.CharField(_("外部工单号"), max_length=64, blank=True)
    client = models.ForeignKey(
        "cases.Open311Client", on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="cases", verbose_name=_("类别")
    )
    # The limits the case was filed under (later edits of the category do not move them).
    limit_value = models.PositiveIntegerField(_("处置时限"))
    limit_unit = models.CharField(_("时限单位"), max_length=8, choices=LimitUnit.choices)
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("诉求内容"), max_length=4000)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    street = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("街道")
    )
    community = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("社区"),
    )
    grid = models.ForeignKey(
        "org.Grid", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("网格")
    )
    attributes = models.JSONField(_("补充信息"), default=dict, blank=True)

    anonymous = models.BooleanField(_("匿名"), default=False)
    requester_name = models.CharField(_("诉求人"), max_length=50, blank=True)
    requester_phone = EncryptedTextField(_("联系电话"), mask="phone")
    requester_email = EncryptedTextField(_("电子邮箱"), mask="email")
    requester_phone_key = RegistryPhoneKey(
        _("诉求人电话检索索引"), source="requester_phone", db_index=False, db_default=""
    )
    publish_optout = models.BooleanField(_("诉求人要求不公开"), default=False, db_default=False)
    # The public copy (public.stored_copy), written with the case by services so that a public read
    # selects it instead of cleaning the text of every row it lists: the description without
    # names, ID, phone and house numbers, the address cut to the building or street (empty: the
    # place's name stands in), the point rounded to about 100 m.
    public_description = models.TextField(
        _("公开描述"), editable=False, blank=True, default="", db_default=""
    )
    public_address = models.CharField(
        _("公开地址"), max_length=200, editable=False, blank=True, default="", db_default=""
    )
    public_lat = models.FloatField(_("公开纬度"), null=True, blank=True, editable=False)
    public_lng = models.FloatField(_("公开经度"), null=True, blank=True, editable=False)
    requester_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    received_at = models.DateTimeField(_("受理时间"), default=timezone.now)
    filed_at = models.DateTimeField(_("立案时间"), null=True, blank=True)
    # The handling unit: a grid, community or street by code, or a department (name, inside the
    # district of handler_code).
    handler_kind = models.CharField(_("处置单位类型"), max_length=16, choices=UnitKind.choices, blank=True)
    handler_code = models.CharField(_("处置单位代码"), max_length=15, blank=True)
    handler_department = models.CharField(_("处置部门"), max_length=60, blank=True)
    handler_name = models.CharField(_("处置单位"), max_length=100, blank=True)
    dispatched_at = models.DateTimeField(_("派遣时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    deadline = models.DateTimeField(_("处置时限"), null=True, blank=True)
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    handled_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    closed_on_time = models.BooleanField(_("按期结案"), null=True)
    handling_hours = models.FloatField(_("处置用时（工作小时）"), null=True, blank=True)
    # What the clock keeps between states.
    paused_hours = models.FloatField(default=0, editable=False)  # working hours spent 挂账
    parked_at = models.DateTimeField(null=True, blank=True, editable=False)
    parked_from = models.CharField(max_length=16, blank=True, editable=False)
    review_on = models.DateField(_("挂账复查日期"), null=True, blank=True)

    extension_state = models.CharField(
        _("延期"), max_length=8, choices=ExtensionState.choices, default=ExtensionState.NONE, blank=True
    )
    extension_requested = models.PositiveIntegerField(_("申请延期（工作日）"), null=True, blank=True)
    supervised = models.BooleanField(_("督办"), default=False)
    supervised_at = models.DateTimeField(null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_cases",
        verbose_name=_("并入案件"),
    )
    # Counters the indicators read without scanning the timeline.
    return_count = models.PositiveSmallIntegerField(default=0, editable=False)
    rework_count = models.PositiveSmallIntegerField(default=0, editable=False)
    extension_count = models.PositiveSmallIntegerField(default=0, editable=False)
    warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)

    # 回访 and 评价
    callback_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    callback_valid = models.BooleanField(_("有效回访"), null=True)
    callback_contacted = models.BooleanField(_("已联系诉求人"), null=True)
    callback_solved = models.BooleanField(_("问题已解决"), null=True)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices, blank=True)
    rating = models.PositiveSmallIntegerField(_("评价星级"), null=True, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)

    objects = CaseManager()

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-received_at", "-id"]
        constraints = [
            # A hotline or Open311 order becomes one case, however often it is sent.
            models.UniqueConstraint(
                fields=["channel", "external_id"], condition=~Q(external_id=""), name="case_external_unique"
            )
        ]
        indexes = [
            models.Index(fields=["scope_code", "received_at"], name="case_scope_received"),
            # Covering (PostgreSQL): the indicators read a street-month from the index alone.
            models.Index(
                fields=["scope_code", "filed_at"],
                include=[
                    "status",
                    "closed_at",
                    "closed_on_time",
                    "deadline",
                    "dispatched_at",
                    "handled_at",
                    "handling_hours",
                    "rework_count",
                    "extension_count",
                    "return_count",
                    "callback_valid",
                    "callback_contacted",
                    "callback_solved",
                    "satisfaction",
                    "handler_kind",
                    "handler_code",
                    "handler_department",
                    "category",
                    "community",
                ],
                name="case_scope_filed",
            ),
            models.Index(fields=["handler_code", "status", "deadline"], name="case_handler_todo"),
            models.Index(fields=["status", "deadline"], name="case_status_deadline"),
            models.Index(fields=["received_at"], name="case_received"),  # Open311's newest-first list
            # The verify / close / extension tabs: a rare status inside a scope (most rows are closed).
            models.Index(fields=["status", "scope_code"], name="case_status_scope"),
            models.Index(fields=["lat", "lng"], name="case_position"),
            models.Index(fields=["category", "received_at"], name="case_category_received"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("cases:case-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        if self.grid_id:
            return self.grid.code
        if self.community_id:
            return self.community.code
        return self.street.code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def limit_label(self) -> str:
        return f"{self.limit_value} {self.get_limit_unit_display()}"

    def clock_state(self, now=None) -> str:
        """ "" (no clock), "ok", "warning" (80 % of the limit used) or "overdue"; computed on read."""
        if self.deadline is None:
            return ""
        if self.status in DONE_STATUSES:
            return "overdue" if self.closed_on_time is False else ""
        if self.status in STOPPED_STATUSES and self.handled_at:
            return "overdue" if self.handled_at > self.deadline else ""
        if self.status not in CLOCK_STATUSES:
            return ""
        now = now or timezone.now()
        if now > self.deadline:
            return "overdue"
        if self.warn_at and now >= self.warn_at:
            return "warning"
        return "ok"


class CaseEvent(models.Model):
    """One transition on the timeline: who, when, what, with a note, data and attachments."""

    visible_through = "case"  # its photos are read by the case's rule (core.attachments.readable)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("环节"), max_length=24)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_label = models.CharField(_("操作人"), max_length=100, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    public = models.BooleanField(default=True)  # shown to the requester on the status page

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="caseevent_case_at")]

    def __str__(self):
        return f"{self.case_id} {self.action}"

    @property
    def label(self) -> str:
        from shequ.cases.workflow import label_of

        return label_of(self.action)


class Open311Client(models.Model):
    """A registered client application; its api_key (shown once, stored hashed) posts requests."""

    name = models.CharField(_("应用名称"), max_length=100)
    contact = models.CharField(_("联系人"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    street = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("受理街道")
    )
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 接入应用")
        verbose_name_plural = _("Open311 接入应用")

    def __str__(self):
        return self.name


class ScoreSettings(models.Model):
    """The hotline composite score: weights of 响应率 / 解决率 / 满意率 and the value of 基本满意."""

    response_weight = models.DecimalField(_("响应率权重"), max_digits=4, decimal_places=2, default="0.10")
    solve_weight = models.DecimalField(_("解决率权重"), max_digits=4, decimal_places=2, default="0.50")
    satisfaction_weight = models.DecimalField(_("满意率权重"), max_digits=4, decimal_places=2, default="0.40")
    basic_value = models.DecimalField(_("基本满意折算"), max_digits=4, decimal_places=2, default="0.90")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("考核计分设置")
        verbose_name_plural = _("考核计分设置")

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "ScoreSettings":
        return cls.objects.order_by("pk").first() or cls()


class CaseMonthly(models.Model):
    """The indicators' monthly rollup: how many filed cases (`n`) share a filing month, a scope, a
    department and the state the trend reads at a month's start (the month they closed in, the
    month their deadline fell in, 挂账, closed on time). Acts write deltas (+1 for the state a case
    enters, −1 for the one it leaves; `delta`); the sweep folds them into one row per state
    (cases.rollups). Merged duplicates and cases not filed are not counted."""

    month = models.DateField(_("立案月份"))
    scope_code = models.CharField(_("所属范围代码"), max_length=32)
    handler_department = models.CharField(_("处置部门"), max_length=60, blank=True)
    closed_month = models.DateField(_("结案月份"), null=True)
    deadline_month = models.DateField(_("处置时限月份"), null=True)
    parked = models.BooleanField(_("挂账"), default=False)
    on_time = models.BooleanField(_("按期结案"), default=False)
    n = models.IntegerField(_("案件数"))
    delta = models.BooleanField(_("增量"), default=True)

    class Meta:
        verbose_name = _("案件月度汇总")
        verbose_name_plural = _("案件月度汇总")
        indexes = [
            # Covering, with key columns rather than INCLUDE (which SQLite lacks): a street's
            # twelve months are read from the index alone on both databases.
            models.Index(
                fields=[
                    "scope_code",
                    "month",
                    "handler_department",
                    "closed_month",
                    "deadline_month",
                    "parked",
                    "on_time",
                    "n",
                ],
                name="casemonthly_scope_month",
            ),
            models.Index(fields=["month"], condition=Q(delta=True), name="casemonthly_delta"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.scope_code} {self.n}"
