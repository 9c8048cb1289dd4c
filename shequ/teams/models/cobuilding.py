"""共驻共建: units in the area (the org module's 驻区单位) join a co-building body (共建联席会) of a
street or a community, sign an agreement with its term and recurring duties (the duties ship as a
template, as data), and record what they contribute: money, goods with a value, people-days and
facilities opened, each dated and linked to the duty it fulfils, an activity or a household it
served. The body's joint meetings count toward the "one joint meeting a quarter" duty.

Scope: a body and its members and meetings live at the body's street or community; an agreement
and a contribution live at the unit's community, so the community sees its own units' work and the
street sees everything below it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.models import ScopedModel
from shequ.core.scope import ScopedManager
from shequ.teams.models.teams import VIEW


class DutyFrequency(models.TextChoices):
    QUARTERLY = "quarterly", _("每季度")
    YEARLY = "yearly", _("每年")
    ONCE = "once", _("协议期内一次")


class DutyTemplate(models.Model):
    """帮助解决一个难题, 每季度召开一次联席会议 …: a recurring duty of a co-building agreement, as data
    (seeded, editable). `meeting`: a held joint meeting of the body that the unit attended fulfils it."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("共建义务"), max_length=60)
    frequency = models.CharField(_("频次"), max_length=12, choices=DutyFrequency.choices)
    meeting = models.BooleanField(_("以联席会议计"), default=False)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("共建义务模板")
        verbose_name_plural = _("共建义务模板")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class CobuildBody(ScopedModel):
    """A co-building body (共建联席会 / 协调机构) of a street or a community."""

    view_perm = VIEW

    org = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属街道或社区")
    )
    name = models.CharField(_("名称"), max_length=60)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    note = models.CharField(_("简介"), max_length=200, blank=True)
    active = models.BooleanField(_("运行中"), default=True)

    class Meta:
        verbose_name = _("共建联席会")
        verbose_name_plural = _("共建联席会")
        ordering = ["scope_code", "name"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="cobuild_body_org_name",
                                               violation_error_message=_("同一街道（社区）已有同名的共建机构。"))]  # fmt: skip

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("teams:cob-body-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.org.code


class BodyRole(models.TextChoices):
    LEAD = "lead", _("牵头单位")
    MEMBER = "member", _("成员单位")


class BodyMember(models.Model):
    """A unit in the area that is a member of a body (kept with its leaving date when it leaves)."""

    scope_field = "body__scope_code"
    view_perm = VIEW

    body = models.ForeignKey(
        CobuildBody, on_delete=models.CASCADE, related_name="members", verbose_name=_("共建机构")
    )
    unit = models.ForeignKey("org.ResidentOrganization", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("驻区单位"))  # fmt: skip
    role = models.CharField(_("角色"), max_length=8, choices=BodyRole.choices, default=BodyRole.MEMBER)
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("成员单位")
        verbose_name_plural = _("成员单位")
        ordering = ["body", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["body", "unit"], condition=Q(left_on__isnull=True), name="cobuild_member_once",
                                    violation_error_message=_("该单位已是本共建机构的成员。")),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.unit} @ {self.body}"


class Agreement(ScopedModel):
    """共建协议 between a unit and a body, with its term and the duties copied from the template."""

    view_perm = VIEW

    body = models.ForeignKey(
        CobuildBody, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("共建机构")
    )
    unit = models.ForeignKey("org.ResidentOrganization", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("驻区单位"))  # fmt: skip
    title = models.CharField(_("协议名称"), max_length=100)
    signed_on = models.DateField(_("签订日期"))
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("终止日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("登记人"))  # fmt: skip

    class Meta:
        verbose_name = _("共建协议")
        verbose_name_plural = _("共建协议")
        ordering = ["scope_code", "-starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="cobuild_agreement_term",
                                   violation_error_message=_("协议终止日期应晚于起始日期。")),
        ]  # fmt: skip

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("teams:cob-unit-detail", args=[self.unit_id]) + f"#agreement-{self.pk}"

    def compute_scope_code(self) -> str:
        return self.unit.community.code


class AgreementDuty(models.Model):
    """One duty of an agreement, copied from the template when it is signed (a later template edit
    does not change a signed agreement)."""

    scope_field = "agreement__scope_code"
    view_perm = VIEW

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="duties", verbose_name=_("共建协议")
    )
    template = models.ForeignKey(DutyTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("模板"))  # fmt: skip
    name = models.CharField(_("共建义务"), max_length=60)
    frequency = models.CharField(_("频次"), max_length=12, choices=DutyFrequency.choices)
    meeting = models.BooleanField(_("以联席会议计"), default=False)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("协议义务")
        verbose_name_plural = _("协议义务")
        ordering = ["agreement", "order", "id"]

    def __str__(self):
        return self.name


class ContributionKind(models.TextChoices):
    MONEY = "money", _("资金")
    GOODS = "goods", _("物资")
    PEOPLE = "people", _("人力")
    FACILITY = "facility", _("场地设施开放")


class Contribution(ScopedModel):
    """What a unit gave: money (yuan), goods (with their value), people-days or a facility opened;
    dated, and linked to the agreement duty it fulfils, an activity or a household it served."""

    view_perm = VIEW

    unit = models.ForeignKey("org.ResidentOrganization", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("驻区单位"))  # fmt: skip
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="contributions", verbose_name=_("共建协议"))  # fmt: skip
    duty = models.ForeignKey(AgreementDuty, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="contributions", verbose_name=_("履行的义务"))  # fmt: skip
    kind = models.CharField(_("类别"), max_length=10, choices=ContributionKind.choices)
    given_on = models.DateField(_("日期"))
    description = models.CharField(_("内容"), max_length=200)
    amount = models.DecimalField(_("金额或物资价值（元）"), max_digits=12, decimal_places=2, default=0)
    people_days = models.DecimalField(_("人日"), max_digits=8, decimal_places=1, default=0)
    facility = models.CharField(_("开放的场地设施"), max_length=100, blank=True)
    activity = models.ForeignKey("teams.Activity", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("服务的活动"))  # fmt: skip
    household = models.ForeignKey("people.Household", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("服务的住户"))  # fmt: skip
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("登记人"))  # fmt: skip

    class Meta:
        verbose_name = _("共建投入")
        verbose_name_plural = _("共建投入")
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["scope_code", "given_on"], name="cobuild_contrib_scope_day")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0) & Q(people_days__gte=0), name="cobuild_contrib_nonneg"),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.unit} · {self.description}"

    def get_absolute_url(self):
        return reverse("teams:cob-unit-detail", args=[self.unit_id])

    def compute_scope_code(self) -> str:
        return self.unit.community.code


class CobuildMeeting(ScopedModel):
    """A joint meeting (联席会议) of a body: when, where, which member units attended, the minutes.
    The participation module's meetings are a community's 四会 with quorum and votes; a street
    body's joint meeting is neither, so it is kept here."""

    view_perm = VIEW

    body = models.ForeignKey(
        CobuildBody, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("共建机构")
    )
    title = models.CharField(_("会议名称"), max_length=100)
    held_on = models.DateField(_("召开日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    attendees = models.ManyToManyField("org.ResidentOrganization", blank=True, related_name="+",
                                       verbose_name=_("参会单位"))  # fmt: skip
    minutes = models.TextField(_("会议纪要"), blank=True)

    class Meta:
        verbose_name = _("共建联席会议")
        verbose_name_plural = _("共建联席会议")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("teams:cob-body-detail", args=[self.body_id]) + f"#meeting-{self.pk}"

    def compute_scope_code(self) -> str:
        return self.body.scope_code
