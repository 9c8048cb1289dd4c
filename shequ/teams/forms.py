from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.forms import DateInput, PhotosField
from shequ.teams.models import (
    ActivityKind,
    Availability,
    MemberRole,
    OrganiserKind,
    Skill,
    TalentLevel,
    TeamKind,
)

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _org_choices(user, perm):
    from shequ.org.models import Level, OrgUnit

    qs = (
        OrgUnit.objects.where_held(user, perm)
        .filter(level__in=(Level.COMMUNITY, Level.STREET))
        .order_by("code")
    )
    return [(u.code, u.display_name) for u in qs]


class TeamForm(forms.Form):
    org = forms.ChoiceField(label=_("所属社区或街道"))
    kind = forms.ModelChoiceField(label=_("队伍类别"), queryset=TeamKind.objects.filter(active=True))
    name = forms.CharField(label=_("队伍名称"), max_length=60)
    founded_on = forms.DateField(label=_("成立日期"), required=False, widget=DateInput())
    leader_name = forms.CharField(label=_("队长姓名"), max_length=50, required=False,
                                  help_text=_("队长是本社区居民的，建好后在队员中添加并设为队长"))  # fmt: skip
    note = forms.CharField(label=_("简介"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = _org_choices(user, "teams.manage")


class MemberForm(forms.Form):
    resident = forms.ChoiceField(label=_("居民（台账中的）"), required=False)
    name = forms.CharField(label=_("或：外来人员姓名"), max_length=50, required=False)
    phone = forms.CharField(label=_("外来人员联系电话"), max_length=20, required=False)
    role = forms.ChoiceField(label=_("队内职务"), choices=MemberRole.choices, initial=MemberRole.MEMBER)
    joined_on = forms.DateField(label=_("入队日期"), required=False, widget=DateInput())

    def __init__(self, *args, residents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].choices = [("", "—")] + list(residents)


class InstructorForm(forms.Form):
    talent = forms.ChoiceField(label=_("辅导员（从人才库中选择，愿意服务的）"))

    def __init__(self, *args, talents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["talent"].choices = list(talents)


class TalentForm(forms.Form):
    resident = forms.ChoiceField(label=_("居民"))
    skill = forms.ModelChoiceField(label=_("特长"), queryset=Skill.objects.all())
    level = forms.ChoiceField(label=_("水平"), choices=TalentLevel.choices, initial=TalentLevel.SKILLED)
    willing = forms.BooleanField(label=_("愿意服务"), required=False, initial=True)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, residents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].choices = list(residents)


class VolunteerForm(forms.Form):
    resident = forms.ChoiceField(label=_("居民"))
    skills = forms.ModelMultipleChoiceField(label=_("技能"), queryset=Skill.objects.all(), required=False,
                                            widget=forms.CheckboxSelectMultiple)  # fmt: skip
    availability = forms.MultipleChoiceField(label=_("可服务时间"), choices=Availability.choices, required=False,
                                             widget=forms.CheckboxSelectMultiple)  # fmt: skip

    def __init__(self, *args, residents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].choices = list(residents)


class SelfVolunteerForm(forms.Form):
    skills = forms.ModelMultipleChoiceField(label=_("我的技能"), queryset=Skill.objects.all(), required=False,
                                            widget=forms.CheckboxSelectMultiple)  # fmt: skip
    availability = forms.MultipleChoiceField(label=_("可服务时间"), choices=Availability.choices, required=False,
                                             widget=forms.CheckboxSelectMultiple)  # fmt: skip


class ActivityForm(forms.Form):
    org = forms.ChoiceField(label=_("所在社区或街道"))
    title = forms.CharField(label=_("活动名称"), max_length=100)
    kind = forms.ChoiceField(label=_("活动类别"), choices=ActivityKind.choices)
    organiser_kind = forms.ChoiceField(
        label=_("组织方"), choices=OrganiserKind.choices, initial=OrganiserKind.COMMUNITY
    )
    team = forms.ChoiceField(label=_("组织队伍"), required=False)
    unit = forms.ChoiceField(label=_("组织单位（驻区单位）"), required=False)
    party_org = forms.ChoiceField(label=_("组织党组织"), required=False)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    facility = forms.ChoiceField(label=_("阵地场地"), required=False)
    place = forms.CharField(
        label=_("其他地点"), max_length=100, required=False, help_text=_("不在阵地场地举办时填写")
    )
    capacity = forms.IntegerField(
        label=_("人数上限"), required=False, min_value=1, help_text=_("不限人数请留空")
    )
    signup_open = forms.BooleanField(label=_("接受报名"), required=False, initial=True)
    public = forms.BooleanField(label=_("在社区活动页公开"), required=False, initial=True)
    description = forms.CharField(
        label=_("活动内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, user=None, teams=(), places=(), units=(), party_orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = _org_choices(user, "teams.manage")
        self.fields["team"].choices = [("", "—")] + list(teams)
        self.fields["unit"].choices = [("", "—")] + list(units)
        self.fields["party_org"].choices = [("", "—")] + list(party_orgs)
        self.fields["facility"].choices = [("", "—")] + list(places)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=200)


class ShiftForm(forms.Form):
    role = forms.CharField(label=_("岗位"), max_length=30, help_text=_("如：引导、签到、秩序维护、摄影"))
    starts_at = forms.DateTimeField(label=_("上岗时间"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    ends_at = forms.DateTimeField(label=_("下岗时间"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    slots = forms.IntegerField(label=_("需要人数"), min_value=1, max_value=500, initial=2)


class ReportForm(forms.Form):
    report = forms.CharField(label=_("活动小结"), widget=forms.Textarea(attrs={"rows": 5}))
    photos = PhotosField(label=_("照片"), required=False)


class WeightsForm(forms.Form):
    org = forms.ChoiceField(label=_("街道或区"))
    participation = forms.IntegerField(label=_("参与人次权重（%）"), min_value=0, max_value=100)
    activities = forms.IntegerField(label=_("活动场次权重（%）"), min_value=0, max_value=100)
    rating = forms.IntegerField(label=_("居民评价权重（%）"), min_value=0, max_value=100)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from shequ.org.models import Level, OrgUnit

        qs = OrgUnit.objects.where_held(user, "teams.configure").filter(
            level__in=(Level.STREET, Level.DISTRICT)
        )
        self.fields["org"].choices = [(u.code, u.display_name) for u in qs.order_by("code")]
