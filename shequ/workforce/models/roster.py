"""社区工作者队伍: the roster of community workers (distinct from the resident registry), their
offices in the two committees and specialist posts, their dated movements (hire, transfer,
secondment, promotion out, exit with its reason and interview), and the resident population the
staffing standard is measured against.

A worker hangs under the community or street they work for (`scope_code`). What a headcount or a
structure was on a past date is read from the dates: `hired_on`/`left_on`, the offices' terms and
the transfers' dates, so it can be reproduced for any day."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import BlindIndexField, EncryptedTextField
from shequ.core.models import ScopedModel
from shequ.core.scope import ScopedManager

VIEW = "workforce.view_worker"
VIEW_SENSITIVE = "workforce.view_sensitive"  # exit interviews (later: pay and appraisal)


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Education(models.TextChoices):
    HIGH_SCHOOL = "high_school", _("高中及以下")
    SECONDARY = "secondary", _("中专")
    JUNIOR_COLLEGE = "junior_college", _("大专")
    BACHELOR = "bachelor", _("本科")
    POSTGRADUATE = "postgraduate", _("研究生")


class Political(models.TextChoices):
    PARTY_MEMBER = "party_member", _("中共党员")
    PROBATIONARY = "probationary", _("中共预备党员")
    LEAGUE = "league", _("共青团员")
    DEMOCRATIC = "democratic", _("民主党派")
    MASSES = "masses", _("群众")


class Source(models.TextChoices):
    ELECTED = "elected", _("选举产生")
    HIRED = "hired", _("聘用")
    SECONDED = "seconded", _("街道下派")
    OTHER = "other", _("其他")


# Sub-kinds of a source, offered as suggestions (free text: districts name their programmes).
SOURCE_DETAILS = ("公开招聘", "大学生社区工作者", "公益性岗位", "退役军人安置", "社区后备干部", "换届选举")


class Status(models.TextChoices):
    ACTIVE = "active", _("在岗")
    LEFT = "left", _("已离开")


class ExitReason(models.TextChoices):
    RESIGNED = "resigned", _("辞职")
    JOB_CHANGE = "job_change", _("跳槽")
    DISMISSED = "dismissed", _("解聘")
    RETIRED = "retired", _("退休")
    TRANSFERRED_OUT = "transferred_out", _("调出")
    RECRUITED = "recruited", _("招录为公务员或事业编")
    PROMOTED = "promoted", _("提拔进街道班子")


# Leaving for a post in the civil service or the street's leadership is the way up, not a loss.
WAYS_UP = (ExitReason.RECRUITED, ExitReason.PROMOTED)


class MovementKind(models.TextChoices):
    HIRE = "hire", _("入职")
    TRANSFER = "transfer", _("调动")
    SECONDMENT = "secondment", _("下派、挂职、轮岗")
    EXIT = "exit", _("离开")
    RETURN = "return", _("重新入职")


class Body(models.TextChoices):
    PARTY = "party", _("社区党组织")
    COMMITTEE = "committee", _("居民委员会")
    SPECIALIST = "specialist", _("专职岗位")


class Title(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY_SECRETARY = "deputy_secretary", _("副书记")
    DIRECTOR = "director", _("主任")
    DEPUTY_DIRECTOR = "deputy_director", _("副主任")
    MEMBER = "member", _("委员")


HEAD_TITLES = (Title.SECRETARY, Title.DIRECTOR)  # 主职


class Worker(ScopedModel):
    """One community worker: who they are, where they work, how they came and whether they stay."""

    view_perm = VIEW

    org = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在社区或街道")
    )
    name = models.CharField(_("姓名"), max_length=50)
    id_number = EncryptedTextField(_("身份证号码"), mask="id_number", blank=True)
    id_index = BlindIndexField(source="id_number")
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    education = models.CharField(_("学历"), max_length=16, choices=Education.choices)
    political_status = models.CharField(
        _("政治面貌"), max_length=16, choices=Political.choices, default=Political.MASSES
    )
    post = models.CharField(_("岗位"), max_length=60, blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    source_detail = models.CharField(_("来源细分"), max_length=30, blank=True)
    hired_on = models.DateField(_("参加社区工作时间"))
    full_time = models.BooleanField(_("专职"), default=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    left_on = models.DateField(_("离开日期"), null=True, blank=True)
    exit_reason = models.CharField(_("离开原因"), max_length=20, choices=ExitReason.choices, blank=True)
    phone = EncryptedTextField(_("联系电话"), mask="phone", blank=True)
    resident = models.ForeignKey(
        "people.Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("居民台账中的本人"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="worker",
        verbose_name=_("登录账号"),
    )

    class Meta:
        verbose_name = _("社区工作者")
        verbose_name_plural = _("社区工作者")
        ordering = ["scope_code", "name", "id"]
        indexes = [models.Index(fields=["scope_code", "hired_on"], name="worker_scope_hired")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="active", left_on__isnull=True) | Q(status="left", left_on__isnull=False),
                name="worker_left_has_date",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("workforce:worker-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.org.code


class Office(models.Model):
    """A post in the two committees (党组织, 居委会) or a specialist post, with its term."""

    scope_field = "worker__scope_code"
    view_perm = VIEW

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="offices", verbose_name=_("社区工作者")
    )
    body = models.CharField(_("组织"), max_length=16, choices=Body.choices)
    title = models.CharField(_("职务"), max_length=40)
    term = models.CharField(_("届次"), max_length=30, blank=True)
    start = models.DateField(_("任职日期"))
    end = models.DateField(_("卸任日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("职务")
        verbose_name_plural = _("职务")
        ordering = ["-start", "id"]

    def __str__(self):
        return f"{self.worker} {self.get_body_display()}{self.title_label}"

    @property
    def title_label(self) -> str:
        return str(Title(self.title).label) if self.title in Title.values else self.title

    def is_head(self) -> bool:
        return self.body != Body.SPECIALIST and self.title in HEAD_TITLES


class SpecialistPost(models.Model):
    """A specialist post's name (计生专干, 社保专干 …): data the district keeps, not code."""

    name = models.CharField(_("岗位名称"), max_length=40, unique=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("专职岗位")
        verbose_name_plural = _("专职岗位")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CertificateKind(models.TextChoices):
    ASSISTANT = "assistant_social_worker", _("助理社会工作师")
    SOCIAL_WORKER = "social_worker", _("社会工作师")
    SENIOR = "senior_social_worker", _("高级社会工作师")
    OTHER = "other", _("其他职业资格")


SOCIAL_WORK = (CertificateKind.ASSISTANT, CertificateKind.SOCIAL_WORKER, CertificateKind.SENIOR)


class Qualification(models.Model):
    """A professional certificate a worker holds (社会工作者职业资格 or another), with the one-off
    reward paid for passing, if any."""

    scope_field = "worker__scope_code"
    view_perm = VIEW

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="qualifications", verbose_name=_("社区工作者")
    )
    kind = models.CharField(_("证书"), max_length=30, choices=CertificateKind.choices)
    name = models.CharField(_("证书名称"), max_length=60, blank=True)  # for "other"
    number = models.CharField(_("证书编号"), max_length=40)
    obtained_on = models.DateField(_("取得日期"))
    reward = models.DecimalField(_("一次性奖励（元）"), max_digits=10, decimal_places=2, default=0)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("职业资格")
        verbose_name_plural = _("职业资格")
        ordering = ["-obtained_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "number"], condition=~Q(kind="other"), name="qualification_number"
            )
        ]

    def __str__(self):
        return f"{self.worker} {self.label}"

    @property
    def label(self) -> str:
        return self.name if self.kind == CertificateKind.OTHER else str(self.get_kind_display())


class Organiser(models.TextChoices):
    ORGANISATION_DEPT = "organisation", _("组织部")
    CIVIL_AFFAIRS = "civil_affairs", _("民政局")
    STREET_PARTY = "street_party", _("街道党工委")
    PARTY_SCHOOL = "party_school", _("党校")
    OTHER = "other", _("其他")


class TrainingKind(models.TextChoices):
    PRE_SERVICE = "pre_service", _("岗前培训")
    IN_SERVICE = "in_service", _("岗中培训")
    DEGREE = "degree", _("学历教育")
    VISIT = "visit", _("外出考察")


class Training(ScopedModel):
    """A training programme or session offered by a street, district or community: who organised
    it, of what kind, when, and how many days it counts for."""

    view_perm = VIEW

    org = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("举办范围")
    )
    title = models.CharField(_("培训名称"), max_length=100)
    organiser = models.CharField(_("主办单位"), max_length=16, choices=Organiser.choices)
    kind = models.CharField(_("培训类别"), max_length=16, choices=TrainingKind.choices)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    days = models.DecimalField(_("培训天数"), max_digits=4, decimal_places=1)

    class Meta:
        verbose_name = _("培训")
        verbose_name_plural = _("培训")
        ordering = ["-start", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("workforce:training-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.org.code


class Attendance(models.Model):
    """A worker signed in to a training (once), with the result if it was assessed."""

    scope_field = "worker__scope_code"
    view_perm = VIEW

    training = models.ForeignKey(
        Training, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("培训")
    )
    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("社区工作者")
    )
    signed_at = models.DateTimeField(_("签到时间"))
    passed = models.BooleanField(_("考核合格"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("培训签到")
        verbose_name_plural = _("培训签到")
        ordering = ["signed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["training", "worker"], name="attendance_once")]

    def __str__(self):
        return f"{self.worker} {self.training}"


# Days of training a year at least: the chairs (书记, 主任) and everyone else (a district may
# differ; the figures here are the common policy's).
MIN_DAYS_HEAD, MIN_DAYS_OTHER = 7, 3


class Movement(models.Model):
    """A dated change in a worker's service: hire, transfer, secondment, exit (with its reason and
    the exit interview, which only the worker's lead and managers read) or return."""

    scope_field = "worker__scope_code"
    view_perm = VIEW

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="movements", verbose_name=_("社区工作者")
    )
    kind = models.CharField(_("类别"), max_length=16, choices=MovementKind.choices)
    on = models.DateField(_("日期"))
    from_org = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("原单位"),
    )
    to_org = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("新单位"),
    )
    reason = models.CharField(_("离开原因"), max_length=20, choices=ExitReason.choices, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    interview = EncryptedTextField(_("离职谈话记录"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("人员变动")
        verbose_name_plural = _("人员变动")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["kind", "on"], name="movement_kind_on")]

    def __str__(self):
        return f"{self.worker} {self.get_kind_display()} {self.on:%Y-%m-%d}"


class Population(ScopedModel):
    """常住人口 of a community, street or district in a year: entered from a census or the
    statistics bureau, or counted from the resident registry (`source` says which)."""

    view_perm = VIEW

    org = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("范围"))
    year = models.PositiveSmallIntegerField(_("年度"))
    residents = models.PositiveIntegerField(_("常住人口"))
    source = models.CharField(_("数据来源"), max_length=100)

    class Meta:
        verbose_name = _("常住人口")
        verbose_name_plural = _("常住人口")
        ordering = ["-year", "scope_code"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="population_org_year")]

    def __str__(self):
        return f"{self.org} {self.year}"

    def compute_scope_code(self) -> str:
        return self.org.code


class StaffingRatio(ScopedModel):
    """Community workers required per 10,000 residents, set per district (default 18)."""

    view_perm = VIEW

    org = models.OneToOneField(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("区")
    )
    per_10k = models.DecimalField(_("每万人配备人数"), max_digits=5, decimal_places=2, default=18)

    class Meta:
        verbose_name = _("配备标准")
        verbose_name_plural = _("配备标准")

    def __str__(self):
        return f"{self.org} {self.per_10k}"

    def compute_scope_code(self) -> str:
        return self.org.code
