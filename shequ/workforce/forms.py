"""Forms of the workforce pages (the services check every rule again)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.forms import SensitiveField
from shequ.core.validators import validate_id_number, validate_phone
from shequ.workforce.models import (
    SOURCE_DETAILS,
    Body,
    CertificateKind,
    Education,
    ExitReason,
    Gender,
    Organiser,
    Political,
    Source,
    TrainingKind,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def org_choices(user, *, streets: bool = True) -> list[tuple[str, str]]:
    """The communities (and streets) of the user's scope where they may manage the roster."""
    from shequ.core import scope
    from shequ.org.models import Level, OrgUnit

    levels = [Level.COMMUNITY] + ([Level.STREET] if streets else [])
    roots = scope.scope_codes(user, scope.roles_with("workforce.manage_worker"))
    qs = OrgUnit.objects.filter(level__in=levels).order_by("code")
    if roots is not None:
        qs = qs.filter(scope.prefix_q("code", roots))
    return [(u.code, f"{u.display_name}（{u.code}）") for u in qs[:2000]]


class WorkerForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = SensitiveField(
        label=_("身份证号码"), mask_rule="id_number", required=False, validators=[validate_id_number],
        help_text=_("填写后性别和出生日期按号码自动填入。"),
    )  # fmt: skip
    gender = forms.ChoiceField(label=_("性别"), choices=[("", "—")] + Gender.choices, required=False)
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=DATE)
    education = forms.ChoiceField(label=_("学历"), choices=Education.choices)
    political_status = forms.ChoiceField(
        label=_("政治面貌"), choices=Political.choices, initial=Political.MASSES
    )
    post = forms.CharField(
        label=_("岗位"), max_length=60, required=False, help_text=_("如：社区专职工作者、综合服务专干")
    )
    source = forms.ChoiceField(label=_("来源"), choices=Source.choices)
    source_detail = forms.CharField(
        label=_("来源细分"), max_length=30, required=False, help_text="、".join(SOURCE_DETAILS)
    )
    hired_on = forms.DateField(label=_("参加社区工作时间"), widget=DATE)
    full_time = forms.BooleanField(label=_("专职"), required=False, initial=True)
    phone = SensitiveField(
        label=_("联系电话"), mask_rule="phone", required=False, validators=[validate_phone]
    )


class NewWorkerForm(WorkerForm):
    org = forms.ChoiceField(label=_("所在社区或街道"))

    field_order = ["org"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = org_choices(user)


class ExitForm(forms.Form):
    on = forms.DateField(label=_("离开日期"), widget=DATE)
    reason = forms.ChoiceField(label=_("离开原因"), choices=ExitReason.choices)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
    interview = forms.CharField(
        label=_("离职谈话记录"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("只有本人所在社区的负责人和街道、区的管理人员可以查看。"),
    )  # fmt: skip


class TransferForm(forms.Form):
    to_org = forms.ChoiceField(label=_("调往"))
    on = forms.DateField(label=_("调动日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].choices = org_choices(user)


class ReturnForm(forms.Form):
    on = forms.DateField(label=_("重新入职日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class SecondmentForm(forms.Form):
    on = forms.DateField(label=_("日期"), widget=DATE)
    note = forms.CharField(label=_("去向和期限"), max_length=200)


class OfficeForm(forms.Form):
    body = forms.ChoiceField(label=_("组织"), choices=Body.choices)
    title = forms.CharField(
        label=_("职务"),
        max_length=40,
        help_text=_("两委：书记、副书记、主任、副主任、委员；专职岗位：网格员、社保专干、计生专干等"),
    )
    term = forms.CharField(label=_("届次"), max_length=30, required=False)
    start = forms.DateField(label=_("任职日期"), widget=DATE)


class EndOfficeForm(forms.Form):
    end = forms.DateField(label=_("卸任日期"), widget=DATE)


class PopulationForm(forms.Form):
    scope = forms.ChoiceField(label=_("范围"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    residents = forms.IntegerField(label=_("常住人口"), min_value=1, max_value=20_000_000)
    source = forms.CharField(
        label=_("数据来源"), max_length=100, required=False, help_text=_("如：第七次人口普查、区统计局年报")
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from shequ.core import scope
        from shequ.org.models import Level, OrgUnit

        roots = scope.scope_codes(user, scope.roles_with("workforce.manage_population"))
        qs = OrgUnit.objects.filter(level__in=[Level.DISTRICT, Level.STREET, Level.COMMUNITY]).order_by(
            "code"
        )
        if roots is not None:
            qs = qs.filter(scope.prefix_q("code", roots))
        self.fields["scope"].choices = [(u.code, f"{u.display_name}（{u.code}）") for u in qs[:3000]]


class QualificationForm(forms.Form):
    kind = forms.ChoiceField(label=_("证书"), choices=CertificateKind.choices)
    name = forms.CharField(
        label=_("证书名称"), max_length=60, required=False, help_text=_("“其他职业资格”时填写")
    )
    number = forms.CharField(label=_("证书编号"), max_length=40)
    obtained_on = forms.DateField(label=_("取得日期"), widget=DATE)
    reward = forms.DecimalField(label=_("一次性奖励（元）"), max_digits=10, decimal_places=2, min_value=0, required=False,
                                initial=0)  # fmt: skip


class TrainingForm(forms.Form):
    org = forms.ChoiceField(label=_("举办范围"), help_text=_("参加者为该范围内的社区工作者"))
    title = forms.CharField(label=_("培训名称"), max_length=100)
    organiser = forms.ChoiceField(label=_("主办单位"), choices=Organiser.choices)
    kind = forms.ChoiceField(label=_("培训类别"), choices=TrainingKind.choices)
    start = forms.DateField(label=_("开始日期"), widget=DATE)
    end = forms.DateField(label=_("结束日期"), widget=DATE)
    days = forms.DecimalField(label=_("培训天数"), max_digits=4, decimal_places=1, min_value=0.1)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = org_choices(user)


class SignInForm(forms.Form):
    worker = forms.ChoiceField(label=_("社区工作者"))
    passed = forms.NullBooleanField(
        label=_("考核结果"),
        required=False,
        widget=forms.Select(choices=[("unknown", _("未考核")), ("true", _("合格")), ("false", _("不合格"))]),
    )

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = list(workers)


class SectionForm(forms.Form):
    street = forms.ChoiceField(label=_("街道"))
    name = forms.CharField(
        label=_("机构名称"), max_length=60, help_text=_("如：党政综合办公室、社区建设办公室")
    )
    established = forms.IntegerField(label=_("编制数"), min_value=0, max_value=500)
    actual = forms.IntegerField(label=_("实有人数"), min_value=0, max_value=500)
    as_of = forms.DateField(label=_("统计日期"), widget=DATE)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from shequ.core import scope
        from shequ.org.models import Level, OrgUnit

        roots = scope.scope_codes(user, scope.roles_with("workforce.manage_population"))
        qs = OrgUnit.objects.filter(level=Level.STREET).order_by("code")
        if roots is not None:
            qs = qs.filter(scope.prefix_q("code", roots))
        self.fields["street"].choices = [(u.code, f"{u.display_name}（{u.code}）") for u in qs[:1000]]
