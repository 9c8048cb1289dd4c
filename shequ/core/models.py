"""Kernel models: users and memberships, API tokens, the change log, and the scoped base model."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.core.crypto import EncryptedTextField
from shequ.core.roles import SECOND_FACTOR_ROLES, Role
from shequ.core.scope import ScopedManager, ScopedQuerySet


class ScopedModel(models.Model):
    """Base of every row that belongs to an org node. `scope_code` is the code of the node it hangs
    under (a community or grid code); subclasses compute it in `compute_scope_code`."""

    scope_field = "scope_code"
    # The permission rows are read with (pages, exports, API alike: see scope.read_roots). None:
    # every role's scope reads them.
    view_perm: str | None = None

    scope_code = models.CharField(_("所属范围代码"), max_length=32, db_index=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    objects = ScopedManager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.scope_code = self.compute_scope_code()
        super().save(*args, **kwargs)

    def compute_scope_code(self) -> str:
        raise NotImplementedError(f"{type(self).__name__} must say which org node it belongs to")


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = EncryptedTextField(_("手机号码"), mask="phone")
    totp_secret = EncryptedTextField(_("动态口令密钥"))
    totp_confirmed_at = models.DateTimeField(_("动态口令绑定时间"), null=True, blank=True)
    totp_last_step = models.BigIntegerField(default=0, editable=False)  # refuses a replayed code

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    def __str__(self):
        return self.display_name or self.username

    @property
    def needs_second_factor(self) -> bool:
        from shequ.core.scope import memberships

        return any(m.role in SECOND_FACTOR_ROLES for m in memberships(self))


class MembershipQuerySet(models.QuerySet):
    def active(self):
        today = timezone.localdate()
        return self.filter(Q(start_date__isnull=True) | Q(start_date__lte=today)).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today)
        )


class Membership(models.Model):
    """(user, org node, role): the user's scope is the node's subtree."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("账号")
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    org = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("组织"),
    )
    grid = models.ForeignKey(
        "org.Grid", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("网格")
    )
    department = models.CharField(_("所属部门"), max_length=100, blank=True)
    # 专项职责 this membership carries (codes from roles.register_duty): a duty permission, such as
    # reading the relief ledger, is held only where the membership carries its duty.
    duties = models.JSONField(_("专项职责"), default=list, blank=True)
    start_date = models.DateField(_("起始日期"), null=True, blank=True)
    end_date = models.DateField(_("结束日期"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("授权")
        verbose_name_plural = _("授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "org", "grid"], name="membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.scope_name}"

    @property
    def scope_code(self) -> str:
        if self.grid_id:
            return self.grid.code
        return self.org.code if self.org_id else ""

    @property
    def scope_name(self) -> str:
        if self.grid_id:
            return self.grid.name
        return self.org.display_name if self.org_id else str(_("全部"))


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token; only its hash is stored. Expires, and can be revoked."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    label = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, user, hours: int, label: str = "") -> tuple["ApiToken", str]:
        raw = "sq_" + secrets.token_urlsafe(32)
        tok = cls.objects.create(
            user=user,
            key_hash=_token_hash(raw),
            prefix=raw[3:11],
            expires_at=timezone.now() + timezone.timedelta(hours=hours),
            label=label,
        )
        return tok, raw

    @classmethod
    def authenticate(cls, raw: str):
        tok = (
            cls.objects.select_related("user")
            .filter(key_hash=_token_hash(raw), revoked_at__isnull=True, expires_at__gt=timezone.now())
            .first()
        )
        if tok is None or not tok.user.is_active:
            return None
        cls.objects.filter(pk=tok.pk).update(last_used_at=timezone.now())
        return tok


class Action(models.TextChoices):
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    REVEAL = "reveal", _("查看敏感信息")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    TOKEN = "token", _("令牌")
    KEYS = "keys", _("密钥轮换")


class ChangeLogQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Only where the user holds the change-log permission (not every membership's scope)."""
        from shequ.core.roles import roles_with
        from shequ.core.scope import prefix_q, scope_codes

        if not user or not user.is_authenticated:
            return self.none()
        return self.filter(prefix_q("scope_code", scope_codes(user, roles_with(self.model.view_perm))))


class ChangeLogEntry(models.Model):
    """Who did what to which object, when, from where; before/after with sensitive fields redacted."""

    scope_field = "scope_code"
    view_perm = "core.view_changelog"

    time = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("操作人"))
    username = models.CharField(_("账号"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    # Only the columns the pages filter on are indexed: an import writes one row per record.
    request_id = models.CharField(_("请求编号"), max_length=64)
    channel = models.CharField(_("渠道"), max_length=16, blank=True)
    action = models.CharField(_("动作"), max_length=16, choices=Action.choices)
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("对象类型"),
    )
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)  # see changelog_object
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    scope_code = models.CharField(_("所属范围代码"), max_length=32, blank=True, db_index=True)
    before = models.JSONField(_("修改前"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("修改后"), null=True, blank=True, encoder=DjangoJSONEncoder)
    changed = models.JSONField(_("变更字段"), default=list, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    batch = models.CharField(_("批次"), max_length=64, blank=True, db_index=True)

    objects = ChangeLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("操作日志")
        verbose_name_plural = _("操作日志")
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-time"], name="changelog_object")]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()} {self.object_repr}"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日")
    WORKDAY = "workday", _("调休上班日")


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a statutory holiday, or a weekend make-up workday."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类别"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True)
    source = models.CharField(_("来源"), max_length=32, default="manual")

    class Meta:
        verbose_name = _("节假日调休")
        verbose_name_plural = _("节假日调休")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}"


class CalendarYear(models.Model):
    """A year whose State Council holiday schedule has been entered; other years count only
    weekends as days off (and say so)."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("来源"), max_length=32, default="manual")

    class Meta:
        verbose_name = _("已录入安排的年份")
        verbose_name_plural = _("已录入安排的年份")
        ordering = ["year"]

    def __str__(self):
        return str(self.year)


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    VALIDATING = "validating", _("校验中")
    MAPPING = "mapping", _("待核对列")
    READY = "ready", _("待确认")
    COMMITTING = "committing", _("导入中")
    COMMITTED = "committed", _("已导入")
    DISCARDED = "discarded", _("已放弃")
    UNDONE = "undone", pgettext_lazy("导入批次", "已撤销")
    FAILED = "failed", _("失败")


class ImportBatchQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """A batch's rows carry residents' names (its error report whole rows): it is seen by its
        uploader and by those who may import that kind of workbook where it lands, not by every
        role whose scope covers it."""
        from shequ.core.importing import registered_importers
        from shequ.core.roles import roles_with
        from shequ.core.scope import prefix_q, scope_codes

        if not user or not user.is_authenticated:
            return self.none()
        allowed = Q(created_by=user)
        for kind, cls in registered_importers().items():
            allowed |= Q(kind=kind) & prefix_q("scope_code", scope_codes(user, roles_with(cls.perm)))
        return self.filter(allowed)


class ImportBatch(models.Model):
    """One uploaded workbook and what became of it: preview counts, row errors, commit, undo.
    The file itself is kept in the database so any worker (or app node) can read it, in a row of
    its own (ImportFile): the batch's row is updated a dozen times while it runs, and SQLite
    rewrites a row whole, 30 MB of workbook included."""

    scope_field = "scope_code"

    kind = models.CharField(_("导入类型"), max_length=64)
    scope_code = models.CharField(_("所属范围代码"), max_length=32, db_index=True)
    filename = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("文件大小"), default=0)
    options = models.JSONField(_("选项"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    counts = models.JSONField(_("结果统计"), default=dict, blank=True)
    # [{"row": excel line, "messages": [...], "outcome": "rejected" | "conflict", ...}]; never raw PII
    errors = models.JSONField(_("错误明细"), default=list, blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("上传人")
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    committed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("确认人")
    )
    committed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    undone_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("撤销人")
    )
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.batch_label} {self.filename}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("core:import-detail", args=[self.pk])

    @property
    def data(self) -> bytes:
        """The uploaded workbook (stored encrypted), read for this call and not kept on the
        batch: a 30 MB workbook is held once, by the reading that streams it."""
        from shequ.core.crypto import decrypt_bytes

        return decrypt_bytes(ImportFile.objects.values_list("content", flat=True).get(batch_id=self.pk))

    @property
    def batch_label(self) -> str:
        return f"IMP{self.pk:06d}" if self.pk else ""

    @property
    def finished(self) -> bool:
        return self.status not in (ImportStatus.PENDING, ImportStatus.VALIDATING, ImportStatus.COMMITTING)


class ImportMappingQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """A community's saved mappings are seen by those who may import that kind of workbook
        there: over the community, or in one of its grids (a grid worker's batches use them)."""
        from shequ.core.importing import registered_importers
        from shequ.core.roles import roles_with
        from shequ.core.scope import prefix_q, scope_codes

        if not user or not user.is_authenticated:
            return self.none()
        allowed = Q(pk__in=[])
        for kind, cls in registered_importers().items():
            roots = scope_codes(user, roles_with(cls.perm))
            where = prefix_q("scope_code", roots)
            if roots:
                where |= Q(scope_code__in=[r[:12] for r in roots if len(r) > 12])
            allowed |= Q(kind=kind) & where
        return self.filter(allowed)


class ImportMapping(models.Model):
    """How one office's own ledger maps onto a workbook's fields, saved under a name for a
    community: which source column is which field, and what their own values mean. Offered (and
    applied without questions) to the next file with the same headers."""

    scope_field = "scope_code"

    kind = models.CharField(_("导入类型"), max_length=64)
    scope_code = models.CharField(_("所属社区代码"), max_length=32, db_index=True)
    name = models.CharField(_("映射名称"), max_length=60)
    signature = models.CharField(_("表头"), max_length=2000)
    mapping = models.JSONField(_("列与值的对应"), default=dict)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("创建人")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    objects = ImportMappingQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入映射")
        verbose_name_plural = _("导入映射")
        ordering = ["-used_at", "-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "scope_code", "name"], name="import_mapping_unique_name")
        ]

    def __str__(self):
        return self.name


class SynonymWhat(models.TextChoices):
    HEADER = "header", _("列名")
    VALUE = "value", _("取值")


class ImportSynonym(models.Model):
    """A synonym an administrator adds to the shipped ones: a header name for a field, or a value
    clerks write for one of a field's choices. Applies to every community's imports of the kind."""

    kind = models.CharField(_("导入类型"), max_length=64)
    field = models.CharField(_("字段"), max_length=64)
    what = models.CharField(_("类别"), max_length=8, choices=SynonymWhat.choices)
    source = models.CharField(_("表格中的写法"), max_length=100)
    target = models.CharField(_("对应的值"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("添加人")
    )
    created_at = models.DateTimeField(_("添加时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("导入同义词")
        verbose_name_plural = _("导入同义词")
        ordering = ["kind", "field", "source"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "field", "what", "source"], name="import_synonym_unique")
        ]

    def __str__(self):
        return f"{self.source} → {self.target or self.field}"


class ImportFile(models.Model):
    """The uploaded workbook of a batch, encrypted (it holds ID numbers), written once."""

    batch = models.OneToOneField(ImportBatch, on_delete=models.CASCADE, primary_key=True, related_name="file")
    content = models.BinaryField(editable=False)

    class Meta:
        verbose_name = _("导入文件")
        verbose_name_plural = _("导入文件")

    def __str__(self):
        return f"IMP{self.batch_id:06d}"


class ImportRecord(models.Model):
    """What a committed batch did to one row that existed before it (or that it created outside
    the importer's own table), so that undo can put it back. Sensitive values stay encrypted."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="records")
    model = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    created = models.BooleanField(default=False)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    version_after = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["batch", "model"], name="importrecord_batch")]

    def __str__(self):
        return f"{self.batch_id}:{self.model}:{self.object_id}"


class Attachment(ScopedModel):
    """A photo or document attached to a visit, a case, …; kept in the database so that every app
    node and worker sees it (nothing lives on an app node's disk)."""

    owner_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    owner_id = models.CharField(max_length=64, blank=True, db_index=True)
    code = models.CharField(max_length=32, editable=False)  # the scope it was filed under
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField(editable=False)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("core:attachment", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.code


class Notification(ScopedModel):
    """One notice sent (or attempted) through one channel: who was told what, when, and whether
    the channel accepted it."""

    SENT, FAILED = "sent", "failed"

    channel = models.CharField(_("渠道"), max_length=16)
    template = models.CharField(_("通知类型"), max_length=40)
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    address = EncryptedTextField(_("接收地址"), mask="phone")
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    status = models.CharField(_("状态"), max_length=8, choices=[(SENT, _("已发送")), (FAILED, _("失败"))])
    error = models.CharField(_("错误"), max_length=300, blank=True)
    code = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.channel} {self.template}"

    def compute_scope_code(self) -> str:
        return self.code


class Counter(models.Model):
    """A named sequence (certificate serials, letter numbers); see core.numbering.next_value."""

    key = models.CharField(max_length=80, unique=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("编号计数器")
        verbose_name_plural = _("编号计数器")

    def __str__(self):
        return f"{self.key}={self.value}"


class LoginThrottle(models.Model):
    """Failed sign-ins (passwords and one-time codes) counted per account name and client address
    range, and per address range over all account names (`username` empty); see core.accounts."""

    username = models.CharField(_("用户名"), max_length=150, blank=True)  # lower-cased; "" = every account
    # "203.0.113.7/32", "2001:db8:1:2::/64", "-" unknown
    network = models.CharField(_("客户端地址段"), max_length=64)
    failures = models.PositiveIntegerField(_("连续失败次数"), default=0)
    # Locks in a row: each one lasts twice as long.
    lockouts = models.PositiveSmallIntegerField(_("连续暂停次数"), default=0)
    locked_until = models.DateTimeField(_("暂停至"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("最近失败时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("登录失败计数")
        verbose_name_plural = _("登录失败计数")
        constraints = [models.UniqueConstraint(fields=["username", "network"], name="login_throttle_key")]

    def __str__(self):
        return f"{self.username or '*'}@{self.network}"


# --- surveys ---------------------------------------------------------------------------------------
# One engine for every questionnaire residents answer (a satisfaction form in an appraisal, a
# rating round, a consultation): a survey hangs under an org node, holds ordered questions, and
# takes one response per resident (or household), verified by a login or a one-time code. A module
# that owns a survey names itself in `purpose` (and its record in `owner_id`); shequ.core.surveys
# holds the acts and the registry of purposes.
SURVEY_VIEW = "core.view_survey"


class SurveyVerify(models.TextChoices):
    LOGIN = "login", _("登录的本社区居民")
    CODE = "code", _("一次性填写码")
    EITHER = "either", _("登录或填写码均可")


class SurveyPer(models.TextChoices):
    RESIDENT = "resident", _("每位居民一份")
    HOUSEHOLD = "household", _("每户一份")


class QuestionKind(models.TextChoices):
    CHOICE = "choice", _("单选")
    RATING = "rating", _("评分（1–5 分）")
    TEXT = "text", _("文字")


RESPONSE_VIA = [*SurveyVerify.choices[:2], ("name", _("姓名和手机号后四位"))]


def new_survey_token() -> str:
    return secrets.token_urlsafe(12)


class SurveyQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """A survey owned by a module is read with that module's permission (an appraisal's
        residents' ratings only by those who may read appraisal results); one of its own with
        core.view_survey."""
        from shequ.core.roles import roles_with
        from shequ.core.scope import prefix_q, scope_codes
        from shequ.core.surveys import purposes

        if not user or not user.is_authenticated:
            return self.none()
        allowed = Q(purpose="") & prefix_q("scope_code", scope_codes(user, roles_with(SURVEY_VIEW)))
        for key, p in purposes().items():
            allowed |= Q(purpose=key) & prefix_q("scope_code", scope_codes(user, roles_with(p.view_perm)))
        return self.filter(allowed)


class Survey(ScopedModel):
    """A questionnaire residents of an org node answer on a phone between two dates."""

    view_perm = SURVEY_VIEW

    org = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("范围"))
    title = models.CharField(_("问卷名称"), max_length=100)
    intro = models.TextField(_("说明"), max_length=1000, blank=True)
    token = models.CharField(
        _("链接标识"), max_length=32, unique=True, default=new_survey_token, editable=False
    )
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))
    verify = models.CharField(_("填写人核验"), max_length=8, choices=SurveyVerify.choices)
    per = models.CharField(_("每份答卷代表"), max_length=10, choices=SurveyPer.choices)
    eligible = models.PositiveIntegerField(_("应答人数（户数）"), null=True, blank=True)
    # Also answerable with a name and the phone's last four digits, checked against the resident
    # registry (as participation's proposals are): a module turns it on for its surveys.
    accepts_name = models.BooleanField(_("也可凭姓名和手机号后四位填写"), default=False)
    purpose = models.CharField(_("所属业务"), max_length=40, blank=True, db_index=True)
    owner_id = models.CharField(_("所属记录"), max_length=64, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # The indicator its result feeds once closed (居民满意度: its rating questions), or none.
    feeds = models.CharField(_("计入指标"), max_length=80, blank=True, default="")
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("创建人")
    )

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("问卷")
        verbose_name_plural = _("问卷")
        ordering = ["-opens_on", "-id"]
        indexes = [models.Index(fields=["purpose", "owner_id"], name="survey_owner")]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="survey_dates"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("core:survey-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.org.code

    def is_open(self, day=None) -> bool:
        day = day or timezone.localdate()
        return self.closed_at is None and self.opens_on <= day <= self.closes_on

    @property
    def takes_login(self) -> bool:
        return self.verify in (SurveyVerify.LOGIN, SurveyVerify.EITHER)

    @property
    def takes_code(self) -> bool:
        return self.verify in (SurveyVerify.CODE, SurveyVerify.EITHER)


class SurveyQuestion(models.Model):
    """One question, in its place; `ref` says what an owning module asks it about ("worker:12")."""

    scope_field = "survey__scope_code"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("序号"))
    kind = models.CharField(_("题型"), max_length=8, choices=QuestionKind.choices)
    text = models.CharField(_("题目"), max_length=300)
    options = models.JSONField(_("选项"), default=list, blank=True)
    required = models.BooleanField(_("必答"), default=True)
    ref = models.CharField(_("关联对象"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("问卷题目")
        verbose_name_plural = _("问卷题目")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="survey_question_position")
        ]

    def __str__(self):
        return f"{self.position}. {self.text}"


class SurveyCode(models.Model):
    """A one-time code handed to a resident or household on a printed sheet. Only its keyed digest
    is kept: the sheet is the one place the code is written."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(_("校验值"), max_length=64, unique=True)
    batch = models.PositiveSmallIntegerField(_("批次"))
    issued_at = models.DateTimeField(_("发放时间"), default=timezone.now)
    issued_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("填写码")
        verbose_name_plural = _("填写码")
        indexes = [models.Index(fields=["survey", "batch"], name="survey_code_batch")]

    def __str__(self):
        return f"{self.survey_id}/{self.batch}"


class SurveyResponse(models.Model):
    """One respondent's answers. `respondent` is a keyed digest of who answered (the account, the
    household or the code): it makes a second response impossible without naming anyone."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    respondent = models.CharField(_("填写人标识"), max_length=64)
    via = models.CharField(_("核验方式"), max_length=8, choices=RESPONSE_VIA)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        constraints = [models.UniqueConstraint(fields=["survey", "respondent"], name="survey_response_once")]

    def __str__(self):
        return f"{self.survey_id}#{self.pk}"


class SurveyAnswer(models.Model):
    """The answer to one question: the option chosen, the rating given, or the text written."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    option = models.PositiveSmallIntegerField(_("所选选项"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    text = models.TextField(_("文字回答"), blank=True)

    class Meta:
        verbose_name = _("答案")
        verbose_name_plural = _("答案")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_once"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="survey_rating_range"
            ),
        ]

    def __str__(self):
        return f"{self.response_id}/{self.question_id}"


# --- indicator snapshots ---------------------------------------------------------------------------
class IndicatorSnapshot(ScopedModel):
    """A catalogue indicator's figure for one scope and period as it stood when taken (see
    core.indicators): reports read these, so last year's result does not move when its data is
    corrected. A retake that finds a different figure keeps the old row (current=False) and links
    the new one to it (`replaces`): the correction is shown as such."""

    key = models.CharField(_("指标"), max_length=80)
    code = models.CharField(_("范围代码"), max_length=32)
    start = models.DateField(_("统计期起"))
    end = models.DateField(_("统计期止"))
    value = models.DecimalField(_("数值"), max_digits=18, decimal_places=4, null=True, blank=True)
    numerator = models.DecimalField(_("分子"), max_digits=18, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(_("分母"), max_digits=18, decimal_places=4, null=True, blank=True)
    detail = models.JSONField(_("明细"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    taken_at = models.DateTimeField(_("取数时间"), default=timezone.now)
    taken_by = models.ForeignKey(
        User, verbose_name=_("取数人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    current = models.BooleanField(_("现行"), default=True)
    replaces = models.OneToOneField(
        "self", verbose_name=_("更正的快照"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="replaced_by",
    )  # fmt: skip

    class Meta:
        verbose_name = _("指标快照")
        verbose_name_plural = _("指标快照")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "code", "start", "end"],
                condition=Q(current=True),
                name="indicator_snapshot_current",
            )
        ]
        indexes = [models.Index(fields=["key", "start", "end", "code"], name="indicator_snapshot_lookup")]

    def __str__(self):
        return f"{self.key} {self.code} {self.start}~{self.end}"

    def compute_scope_code(self) -> str:
        return self.code
