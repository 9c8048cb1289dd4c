"""Forms of the co-building pages; the acts behind them are in services/cobuilding.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.forms import DateInput
from shequ.teams.forms import _org_choices
from shequ.teams.models import BodyRole, ContributionKind, DutyTemplate


class BodyForm(forms.Form):
    org = forms.ChoiceField(label=_("所属街道或社区"))
    name = forms.CharField(label=_("名称"), max_length=60, help_text=_("如：纸坊街道共驻共建联席会"))
    established_on = forms.DateField(label=_("成立日期"), required=False, widget=DateInput())
    note = forms.CharField(label=_("简介"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = _org_choices(user, "teams.manage")


class BodyMemberForm(forms.Form):
    unit = forms.ChoiceField(label=_("驻区单位"))
    role = forms.ChoiceField(label=_("角色"), choices=BodyRole.choices, initial=BodyRole.MEMBER)
    joined_on = forms.DateField(label=_("加入日期"), required=False, widget=DateInput())

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—")] + list(units)


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("召开日期"), widget=DateInput())
    title = forms.CharField(label=_("会议名称"), max_length=100, required=False,
                            help_text=_("不填则为“某年第几季度联席会议”"))  # fmt: skip
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    attendees = forms.MultipleChoiceField(label=_("参会单位"), widget=forms.CheckboxSelectMultiple)
    minutes = forms.CharField(label=_("会议纪要"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].choices = list(units)


class AgreementForm(forms.Form):
    unit = forms.ChoiceField(label=_("成员单位"))
    title = forms.CharField(label=_("协议名称"), max_length=100, required=False,
                            help_text=_("不填则为“单位名称共驻共建协议（起止年份）”"))  # fmt: skip
    signed_on = forms.DateField(label=_("签订日期"), required=False, widget=DateInput())
    starts_on = forms.DateField(label=_("起始日期"), widget=DateInput())
    ends_on = forms.DateField(label=_("终止日期"), widget=DateInput())
    duties = forms.MultipleChoiceField(label=_("共建义务（来自模板）"), widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—")] + list(units)
        self.fields["duties"].choices = [
            (str(t.pk), f"{t.name}（{t.get_frequency_display()}）")
            for t in DutyTemplate.objects.filter(active=True)
        ]


class ContributionForm(forms.Form):
    kind = forms.ChoiceField(label=_("投入类别"), choices=ContributionKind.choices)
    given_on = forms.DateField(label=_("日期"), widget=DateInput())
    description = forms.CharField(label=_("内容"), max_length=200, required=False,
                                  help_text=_("如：捐赠防汛物资；选了义务可不填"))  # fmt: skip
    amount = forms.CharField(label=_("金额或物资价值（元）"), max_length=20, required=False)
    people_days = forms.CharField(label=_("人日"), max_length=12, required=False,
                                  help_text=_("人力投入：人数 × 天数，可有一位小数"))  # fmt: skip
    facility = forms.CharField(label=_("开放的场地设施"), max_length=100, required=False)
    duty = forms.ChoiceField(label=_("履行的协议义务"), required=False)
    activity = forms.ChoiceField(label=_("服务的活动"), required=False)
    household = forms.ChoiceField(label=_("服务的住户"), required=False,
                                  help_text=_("结对帮扶等服务到户的，选择居民户（仅显示户主姓氏）"))  # fmt: skip

    def __init__(self, *args, duties=(), activities=(), households=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duty"].choices = [("", _("（不计入协议义务）"))] + list(duties)
        self.fields["activity"].choices = [("", "—")] + list(activities)
        self.fields["household"].choices = [("", "—")] + list(households)
