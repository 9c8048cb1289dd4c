"""Forms of the services pages (the services check every rule again)."""

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from shequ.core import scope
from shequ.core.forms import DateInput
from shequ.core.picker import CascadeField
from shequ.org.models import OrgUnit, ResidentOrganization
from shequ.services.models import EmploymentKind, Mode, Outcome, ProviderKind, Service, ServiceCategory

_TOKEN_CHARS = set("0123456789abcdef")


def org_choices(user, perm: str, levels=("community",)) -> list[tuple[str, str]]:
    """The units of the user's scope (of these levels) where they hold `perm`."""
    roots = scope.scope_codes(user, scope.roles_with(perm))
    qs = OrgUnit.objects.filter(level__in=levels).order_by("code")
    if roots is not None:
        qs = qs.filter(scope.prefix_q("code", roots))
    return [(u.code, f"{u.display_name}（{u.get_level_display()}）") for u in qs[:2000]]


def category_choices():
    return [(c.pk, c.name) for c in ServiceCategory.objects.filter(active=True)]


def unit_choices(user) -> list[tuple[str, str]]:
    qs = ResidentOrganization.objects.visible_to(user).order_by("scope_code", "name")
    return [("", _("（不是驻区单位）"))] + [(str(u.pk), u.name) for u in qs[:500]]


def facility_choices(user) -> list[tuple[str, str]]:
    Facility = apps.get_model("facilities", "Facility")
    qs = (
        Facility.objects.visible_to(user)
        .filter(in_use=True)
        .select_related("community")
        .order_by("scope_code", "name")
    )
    return [("", _("（不指定阵地）"))] + [
        (str(f.pk), f"{f.name}（{f.community.display_name}）") for f in qs[:500]
    ]


class ServiceForm(forms.Form):
    name = forms.CharField(label=_("服务名称"), max_length=80, help_text=_("如：助浴服务、法律咨询"))
    category = forms.TypedChoiceField(label=_("服务类别"), coerce=int)
    mode = forms.ChoiceField(label=_("服务方式"), choices=Mode.choices, initial=Mode.FREE)
    price = forms.DecimalField(label=_("收费标准（元）"), max_digits=10, decimal_places=2, required=False,
                               help_text=_("低偿、有偿服务必填；无偿服务留空"))  # fmt: skip
    price_unit = forms.CharField(
        label=_("计价单位"), max_length=20, required=False, help_text=_("如：次、小时、月")
    )
    provider_kind = forms.ChoiceField(label=_("提供方类型"), choices=ProviderKind.choices)
    provider_name = forms.CharField(label=_("提供方名称"), max_length=100, required=False,
                                    help_text=_("社会组织、企业须填写名称"))  # fmt: skip
    provider_unit = forms.ChoiceField(label=_("提供单位（驻区单位）"), required=False)
    facility = forms.ChoiceField(label=_("服务地点（阵地）"), required=False)
    place = forms.CharField(
        label=_("其他服务地点"), max_length=200, required=False, help_text=_("如：上门服务")
    )
    hours = forms.CharField(label=_("服务时间"), max_length=200, required=False,
                            help_text=_("如：工作日 8:30-12:00、14:00-17:30；每月第一个周六"))  # fmt: skip
    description = forms.CharField(
        label=_("服务内容"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    active = forms.BooleanField(label=_("在办"), required=False, initial=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.fields["provider_unit"].choices = unit_choices(user)
        self.fields["facility"].choices = facility_choices(user)

    def data_for_service(self) -> dict:
        d = dict(self.cleaned_data)
        d["provider_unit"] = d.get("provider_unit") or None
        d["facility"] = d.get("facility") or None
        return d


class NewServiceForm(ServiceForm):
    org = forms.ChoiceField(label=_("所属单位"), help_text=_("社区服务目录或街道服务目录"))
    field_order = ["org"]

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = orgs
        self.order_fields(["org", *[f for f in self.fields if f != "org"]])


class CentreForm(forms.Form):
    name = forms.CharField(
        label=_("名称"), max_length=80, help_text=_("如：纸坊街道社区服务中心、宁安社区服务站")
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    facility = forms.ChoiceField(label=_("所在阵地"), required=False)
    hours = forms.CharField(label=_("办公时间"), max_length=200, required=False)
    phone = forms.CharField(label=_("服务电话"), max_length=30, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].choices = facility_choices(user)


class NewCentreForm(CentreForm):
    org = forms.ChoiceField(label=_("所属单位"), help_text=_("区、街道设服务中心，社区设服务站"))

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = orgs
        self.order_fields(["org", *[f for f in self.fields if f != "org"]])


class WindowForm(forms.Form):
    number = forms.IntegerField(label=_("窗口号"), min_value=1, max_value=999)
    name = forms.CharField(label=_("窗口名称"), max_length=60, help_text=_("如：综合受理窗口、社会救助窗口"))
    staff = forms.IntegerField(label=_("窗口人员"), min_value=0, max_value=99, initial=1)
    matters = forms.MultipleChoiceField(
        label=_("办理事项"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, matters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matters"].choices = matters


class OutletForm(forms.Form):
    name = forms.CharField(label=_("网点名称"), max_length=80, help_text=_("如：宁安社区老年食堂"))
    category = forms.TypedChoiceField(label=_("服务类别"), coerce=int)
    provider_kind = forms.ChoiceField(label=_("举办方类型"), choices=ProviderKind.choices)
    provider_name = forms.CharField(label=_("举办方"), max_length=100, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    staff = forms.IntegerField(label=_("从业人员"), min_value=0, max_value=100000, initial=0)
    formerly_unemployed = forms.IntegerField(
        label=_("其中下岗失业人员"), min_value=0, max_value=100000, initial=0
    )
    opened_on = forms.DateField(label=_("开办日期"), required=False, widget=DateInput())
    active = forms.BooleanField(label=_("在营"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()


class NewOutletForm(OutletForm):
    community = forms.ChoiceField(label=_("所在社区"))

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = communities
        self.order_fields(["community", *[f for f in self.fields if f != "community"]])


def service_choices(services) -> list:
    """Services grouped by whose catalogue they are in (社区 or 街道)."""
    groups: dict[str, list] = {}
    for s in services:
        groups.setdefault(s.org.display_name, []).append(
            (s.pk, f"{s.name}（{s.category.name} · {s.get_mode_display()}）")
        )
    return [("", _("请选择服务项目")), *groups.items()]


class RecordForm(forms.Form):
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)
    resident = CascadeField("service-resident", label=_("居民"), required=False,
                            help_text=_("输入姓名或完整身份证号查找；不在册的服务对象留空，填写下面的姓名"))  # fmt: skip
    person_name = forms.CharField(label=_("不在册服务对象姓名"), max_length=50, required=False)
    person_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    community = forms.ChoiceField(
        label=_("服务对象所在社区"), required=False, help_text=_("不在册服务对象填写")
    )
    service = forms.TypedChoiceField(label=_("服务项目"), coerce=int)
    served_on = forms.DateField(label=_("服务日期"), widget=DateInput())
    served_by = forms.CharField(label=_("服务人员/提供方"), max_length=100, required=False,
                                help_text=_("留空为登记人本人"))  # fmt: skip
    outcome = forms.ChoiceField(label=_("服务结果"), choices=Outcome.choices, initial=Outcome.DONE)
    employment_kind = forms.ChoiceField(label=_("就业服务类型"), required=False,
                                        choices=[("", _("（非就业类服务）")), *EmploymentKind.choices],
                                        help_text=_("就业类服务必填"))  # fmt: skip
    note = forms.CharField(
        label=_("服务情况"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_up_due = forms.DateField(label=_("回访截止日期"), required=False, widget=DateInput(),
                                    help_text=_("需要回访的填写，不能早于服务日期"))  # fmt: skip

    field_order = ["form_token", "resident", "service", "served_on", "employment_kind", "outcome", "served_by", "note",
                   "follow_up_due", "person_name", "person_phone", "community"]  # fmt: skip

    def __init__(self, *args, services=(), communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = service_choices(services)
        self.fields["community"].choices = [("", "—"), *communities]

    def clean_form_token(self):
        token = (self.cleaned_data.get("form_token") or "").strip().lower()
        if len(token) != 32 or not set(token) <= _TOKEN_CHARS:
            raise forms.ValidationError(_("表单已失效，请刷新页面后重新填写。"))
        return token


class FollowUpForm(forms.Form):
    done_on = forms.DateField(label=_("回访日期"), widget=DateInput())
    note = forms.CharField(label=_("回访情况"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


__all__ = ["Service"]
