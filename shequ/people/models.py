"""居民, 户, 人群标签, 走访 and population events: the one registry a community's ledgers are drawn
from. Document numbers and phones are encrypted with a blind index; tag membership is stored only
as a keyed hash of the tag, and its details encrypted."""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import BlindIndexField, EncryptedTextField, blind_index
from shequ.core.models import ScopedModel
from shequ.core.roles import roles_with
from shequ.core.scope import ScopedQuerySet, prefix_q, scope_codes
from shequ.people.choices import (
    PARTY,
    DocType,
    Education,
    Employment,
    Ethnicity,
    EventKind,
    Gender,
    HouseholdType,
    MaritalStatus,
    PoliticalStatus,
    Relationship,
    ResidenceType,
    Sensitivity,
    Status,
    Tenure,
    VisitMethod,
)

VIEW_RESIDENT = "people.view_resident"


class RegistryQuerySet(ScopedQuerySet):
    """Registry rows are seen only where the user holds people.view_resident (not, for instance,
    by department staff whose scope covers the street for other purposes): each registry model
    declares it as its `view_perm`, which the kernel's visible_to and list pages apply."""


RegistryManager = models.Manager.from_queryset(RegistryQuerySet)


def years_ago(years: int, today: dt.date | None = None) -> dt.date:
    """The birth date of someone who turns `years` today (29 February → 28 February)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def duty_start(start_date: dt.date | None, recorded_on: dt.date | None) -> dt.date | None:
    """When a tag's visit duty began: the tag's start, but not before the registry recorded it. A
    tag dated back to 2018 on a resident registered today makes a visit due from today, not one
    overdue for years."""
    days = [d for d in (start_date, recorded_on) if d]
    return max(days) if days else None


def visit_policy(status: str, tags, last_visit_on=None, today=None) -> tuple[int | None, dt.date | None]:
    """(interval, next due) of the visit policy: the shortest interval among the person's current
    tags that ask for visits, due that long after the last visit or, for someone never visited,
    after the visit duty began (the earliest duty start of those tags, see duty_start). `tags` are
    (interval or None, duty start) pairs. Nobody who left or died is due."""
    found = [(i, s) for i, s in tags if i]
    if status not in (Status.ACTIVE, Status.MISSING) or not found:
        return None, None
    interval = min(i for i, _s in found)
    base = last_visit_on or min(s for _i, s in found) or today or timezone.localdate()
    return interval, base + dt.timedelta(days=interval)


def age_on(birth: dt.date | None, today: dt.date | None = None) -> int | None:
    if not birth:
        return None
    today = today or timezone.localdate()
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


class Resident(ScopedModel):
    # Indexes are few on purpose: each one costs every import row. Scope (scope_code), document
    # and phone (blind indexes), house and household cover the reads; a community or a batch is
    # always reached through scope_code first.
    community = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        related_name="residents",
        verbose_name=_("所属社区"),
        db_index=False,
    )
    house = models.ForeignKey(
        "org.House",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("现住房屋"),
    )
    household = models.ForeignKey(
        "people.Household",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("所在户"),
    )
    relationship = models.CharField(_("与户主关系"), max_length=2, choices=Relationship.choices, blank=True)
    # No index on name: a search is by fragment (LIKE '%…%'), which no B-tree serves; it runs
    # after the scope range has narrowed the rows.
    name = models.CharField(_("姓名"), max_length=50)
    doc_type = models.CharField(
        _("证件类型"), max_length=16, choices=DocType.choices, default=DocType.ID_CARD
    )
    doc_number = EncryptedTextField(_("证件号码"), mask="id_number")
    doc_index = BlindIndexField(source="doc_number")
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices, default=Gender.UNKNOWN)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=2, choices=Ethnicity.choices, blank=True)
    education = models.CharField(_("文化程度"), max_length=2, choices=Education.choices, blank=True)
    political_status = models.CharField(
        _("政治面貌"), max_length=2, choices=PoliticalStatus.choices, blank=True
    )
    marital_status = models.CharField(_("婚姻状况"), max_length=2, choices=MaritalStatus.choices, blank=True)
    phone = EncryptedTextField(_("联系电话"), mask="phone")
    phone_index = BlindIndexField(source="phone")
    registered_address = models.CharField(_("户籍地址"), max_length=200, blank=True)
    residence_type = models.CharField(
        _("居住类型"), max_length=16, choices=ResidenceType.choices, default=ResidenceType.REGISTERED
    )
    move_in_date = models.DateField(_("迁入日期"), null=True, blank=True)
    employment = models.CharField(_("就业状况"), max_length=16, choices=Employment.choices, blank=True)
    work_unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    status = models.CharField(_("人员状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    remarks = models.TextField(_("备注"), blank=True)
    # Visit policy, kept in step by the services: the shortest interval among the person's tags.
    visit_interval_days = models.PositiveSmallIntegerField(_("走访周期（天）"), null=True, blank=True)
    last_visit_on = models.DateField(_("最近走访"), null=True, blank=True)
    next_visit_due = models.DateField(_("下次走访截止"), null=True, blank=True)
    import_batch = models.ForeignKey(
        "core.ImportBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        db_index=False,
    )

    view_perm = VIEW_RESIDENT
    objects = RegistryManager()

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["scope_code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["doc_index"],
                condition=~Q(doc_index=""),
                name="resident_doc_unique",
                violation_error_message=_("该证件号码已登记，同一人不能重复登记。"),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("people:resident-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.house.scope_code if self.house_id else self.community.code

    @property
    def age(self) -> int | None:
        return age_on(self.birth_date)

    @property
    def is_party_member(self) -> bool:
        return self.political_status in PARTY

    @property
    def visit_overdue_days(self) -> int | None:
        if not self.next_visit_due:
            return None
        return (timezone.localdate() - self.next_visit_due).days


class Household(ScopedModel):
    """户: the people living together at a house under one head."""

    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="households", verbose_name=_("所属社区")
    )
    house = models.ForeignKey(
        "org.House", on_delete=models.PROTECT, related_name="households", verbose_name=_("房屋")
    )
    number = models.CharField(_("户号"), max_length=30, blank=True)
    household_type = models.CharField(
        _("户别"), max_length=16, choices=HouseholdType.choices, default=HouseholdType.FAMILY
    )
    tenure = models.CharField(_("住房性质"), max_length=16, choices=Tenure.choices, default=Tenure.OWNED)
    head = models.ForeignKey(
        Resident, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("户主")
    )
    lease_start = models.DateField(_("租住起始"), null=True, blank=True)
    lease_end = models.DateField(_("租住结束"), null=True, blank=True)
    landlord_name = models.CharField(_("房东"), max_length=50, blank=True)
    remarks = models.TextField(_("备注"), blank=True)
    import_batch = models.ForeignKey(
        "core.ImportBatch", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    view_perm = VIEW_RESIDENT
    objects = RegistryManager()

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        ordering = ["scope_code", "id"]

    def __str__(self):
        head = self.head.name if self.head_id else _("（未定户主）")
        return f"{head}户 · {self.house.address}"

    def get_absolute_url(self):
        return reverse("people:household-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.house.scope_code

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.lease_start and self.lease_end and self.lease_end < self.lease_start:
            raise ValidationError({"lease_end": _("租住结束日期不能早于起始日期。")})
        if self.house_id and self.community_id and not self.house.scope_code.startswith(self.community.code):
            raise ValidationError({"house": _("该房屋不在本社区。")})


class TagRule(models.TextChoices):
    RECORDED = "", _("登记")
    AGE60 = "age60", _("按年龄（60 岁以上）")
    AGE80 = "age80", _("按年龄（80 岁以上）")
    PARTY = "party", _("按政治面貌（党员）")


class TagDefinition(models.Model):
    """A configurable 人群标签. Derived tags are computed from the record; recorded ones are
    entered. Highly sensitive tags are visible only to the roles listed in granted_roles."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    sensitivity = models.CharField(
        _("敏感级别"), max_length=20, choices=Sensitivity.choices, default=Sensitivity.ORDINARY
    )
    rule = models.CharField(_("来源"), max_length=16, choices=TagRule.choices, blank=True, default="")
    visit_interval_days = models.PositiveSmallIntegerField(
        _("走访周期（天）"), null=True, blank=True, help_text=_("留空表示无固定走访要求")
    )
    detail_fields = models.JSONField(
        _("附加信息项"), default=list, blank=True, help_text=_("如残疾类别、残疾等级")
    )
    granted_roles = models.JSONField(_("可查看的角色"), default=list, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("人群标签")
        verbose_name_plural = _("人群标签")
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name

    @property
    def derived(self) -> bool:
        return bool(self.rule)

    @cached_property
    def key(self) -> str:
        """What ResidentTag stores instead of the tag itself."""
        return tag_key(self.code)

    def holds(self, resident) -> bool:
        """The derived rule in Python, for residents already loaded (derived_q is the same in SQL)."""
        if self.rule in (TagRule.AGE60, TagRule.AGE80):
            return resident.age is not None and resident.age >= (60 if self.rule == TagRule.AGE60 else 80)
        if self.rule == TagRule.PARTY:
            return resident.political_status in PARTY
        return False

    def derived_q(self, prefix: str = "") -> Q:
        if self.rule == TagRule.AGE60:
            return Q(**{f"{prefix}birth_date__lte": years_ago(60)})
        if self.rule == TagRule.AGE80:
            return Q(**{f"{prefix}birth_date__lte": years_ago(80)})
        if self.rule == TagRule.PARTY:
            return Q(**{f"{prefix}political_status__in": list(PARTY)})
        return Q(pk__in=[])


def tag_key(code: str) -> str:
    return blind_index(code, "people.tag")


def tag_intervals() -> dict:
    """Keyed tag → visit interval in days, for the active recorded tags that ask for visits."""
    return {
        t.key: t.visit_interval_days
        for t in TagDefinition.objects.filter(active=True, rule="")
        if t.visit_interval_days
    }


class ResidentTagQuerySet(RegistryQuerySet):
    def current(self):
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gt=timezone.localdate()))


class ResidentTag(models.Model):
    """A recorded tag on a resident. `tag_key` is a keyed hash of the tag code, so the table alone
    does not say who is, say, under community correction; `detail` (category, grade) is encrypted."""

    scope_field = "resident__scope_code"

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="tags")
    tag_key = models.CharField(max_length=64, db_index=True)
    detail = EncryptedTextField(_("附加信息"))
    start_date = models.DateField(_("起始日期"), default=timezone.localdate)
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    note = EncryptedTextField(_("说明"))
    created_at = models.DateTimeField(auto_now_add=True)

    view_perm = VIEW_RESIDENT
    objects = ResidentTagQuerySet.as_manager()

    class Meta:
        verbose_name = _("居民标签")
        verbose_name_plural = _("居民标签")
        constraints = [models.UniqueConstraint(fields=["resident", "tag_key"], name="resident_tag_unique")]

    def __str__(self):
        return f"{self.resident_id}:{self.tag_key[:8]}"


class Visit(models.Model):
    """走访: who visited whom, when, how, what they found, and whether it needs following up."""

    scope_field = "resident__scope_code"

    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="visits", verbose_name=_("居民")
    )
    visited_at = models.DateTimeField(_("走访时间"), default=timezone.now, db_index=True)
    visitor = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("走访人")
    )
    visitor_name = models.CharField(_("走访人"), max_length=50)
    method = models.CharField(
        _("走访方式"), max_length=8, choices=VisitMethod.choices, default=VisitMethod.HOME
    )
    findings = EncryptedTextField(_("走访情况"))
    follow_up = models.BooleanField(_("需要跟进"), default=False)
    follow_up_note = models.CharField(_("跟进事项"), max_length=200, blank=True)
    # Filled by the cases module when it raises a request from this visit (see signals.py).
    follow_up_ref = models.CharField(_("关联诉求编号"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    view_perm = VIEW_RESIDENT
    objects = RegistryManager()

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_at", "-id"]

    def __str__(self):
        return (
            f"{self.resident.name} {timezone.localtime(self.visited_at):%Y-%m-%d} {self.get_method_display()}"
        )

    def get_absolute_url(self):
        return reverse("people:resident-detail", args=[self.resident_id]) + "#visits"


class PopulationEvent(models.Model):
    """迁入, 迁出, 出生, 死亡, 户内变更, 人户分离变化: a dated event, never a silent edit."""

    scope_field = "resident__scope_code"

    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="events", verbose_name=_("居民")
    )
    kind = models.CharField(_("事件"), max_length=20, choices=EventKind.choices)
    date = models.DateField(_("日期"), db_index=True)
    detail = models.JSONField(_("变化"), default=dict, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    actor = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("登记人")
    )
    batch = models.CharField(_("批次"), max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    view_perm = VIEW_RESIDENT
    objects = RegistryManager()

    class Meta:
        verbose_name = _("人口变动")
        verbose_name_plural = _("人口变动")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("待迁出社区确认")
    ACCEPTED = "accepted", _("已迁移")
    REFUSED = "refused", _("已拒绝")
    CANCELLED = "cancelled", _("已撤回")


class TransferQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Both communities see a transfer: the one the person leaves and the one they join."""
        if not user or not user.is_authenticated:
            return self.none()
        roots = scope_codes(user, roles_with(VIEW_RESIDENT))
        return self.filter(prefix_q("from_code", roots) | prefix_q("to_code", roots))


class Transfer(models.Model):
    """A person already 在册 elsewhere asks to be registered here: the receiving community files
    it, the community they leave (or the street above both) confirms, and the record moves."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="transfers")
    from_code = models.CharField(max_length=32, db_index=True, editable=False)
    to_community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("迁入社区")
    )
    to_house = models.ForeignKey(
        "org.House",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("迁入房屋"),
    )
    to_code = models.CharField(max_length=32, db_index=True, editable=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    requested_by = models.ForeignKey("core.User", on_delete=models.SET_NULL, null=True, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("处理意见"), max_length=200, blank=True)

    view_perm = VIEW_RESIDENT
    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("迁移申请")
        verbose_name_plural = _("迁移申请")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident"], condition=Q(status="pending"), name="transfer_one_pending"
            )
        ]

    def __str__(self):
        return f"{self.resident.name} → {self.to_community}"

    def get_absolute_url(self):
        return reverse("people:transfer-list") + f"#t{self.pk}"
