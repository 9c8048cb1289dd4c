"""Forms of the self-government pages: charters and their versions, representatives, groups,
property contracts, elections (the services check every rule again)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.participation.forms import DATE, community_choices
from shequ.participation.models import (
    CharterKind,
    ChosenBy,
    ElectionMethod,
    GroupKind,
    Office,
    RepresentativeKind,
    VoterRule,
)

RESIDENT_HELP = _("填写本社区在册居民的姓名；同名时填写居民编号")
MANAGE_ELECTIONS = "participation.manage_elections"


def buildings_of(code: str):
    from shequ.core.scope import subtree_q
    from shequ.org.models import Building

    rows = Building.objects.filter(subtree_q("scope_code", code)).order_by("compound", "number")
    return [(str(b.pk), b.address) for b in rows.only("pk", "address")[:1000]]


def compounds_of(code: str):
    from shequ.core.scope import subtree_q
    from shequ.org.models import Building

    names = Building.objects.filter(subtree_q("scope_code", code)).exclude(compound="")
    return [(c, c) for c in sorted(set(names.values_list("compound", flat=True)))]


class CommunityForm(forms.Form):
    community = forms.ChoiceField(label=_("社区"))
    perm = "participation.manage"

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = community_choices(user, self.perm)


class CharterForm(CommunityForm):
    kind = forms.ChoiceField(label=_("类别"), choices=CharterKind.choices)
    title = forms.CharField(
        label=_("名称"), max_length=60, help_text=_("如：居民公约、自治章程、居民代表大会制度")
    )


class VersionForm(forms.Form):
    text = forms.CharField(label=_("正文"), max_length=20000, widget=forms.Textarea(attrs={"rows": 12}))
    note = forms.CharField(label=_("修订说明"), max_length=300, required=False)
    in_force_from = forms.DateField(label=_("施行日期"), widget=DATE)
    in_force_until = forms.DateField(
        label=_("废止日期"), widget=DATE, required=False, help_text=_("不填表示长期有效")
    )


class DiscussForm(forms.Form):
    meeting = forms.ChoiceField(
        label=_("讨论表决的会议"), help_text=_("本社区的会议；表决按该会议类型的法定人数和通过规则")
    )

    def __init__(self, *args, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = [(str(m.pk), f"{m.title}（{m.day:%Y-%m-%d}）") for m in meetings]


class CharterVoteForm(forms.Form):
    votes_for = forms.IntegerField(label=_("赞成"), min_value=0)
    votes_against = forms.IntegerField(label=_("反对"), min_value=0)
    votes_abstain = forms.IntegerField(label=_("弃权"), min_value=0)


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("确认"), required=True)


class RepresentativeForm(CommunityForm):
    kind = forms.ChoiceField(label=_("类别"), choices=RepresentativeKind.choices)
    resident = forms.CharField(label=_("居民"), max_length=50, help_text=RESIDENT_HELP)
    chosen_by = forms.ChoiceField(label=_("产生方式"), choices=ChosenBy.choices)
    term_start = forms.DateField(label=_("任期起始"), widget=DATE)
    term_end = forms.DateField(label=_("任期届满"), widget=DATE, required=False)
    buildings = forms.MultipleChoiceField(
        label=_("楼栋"), help_text=_("楼栋长：负责的楼栋；居民代表：所联系住户所在的楼栋"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )  # fmt: skip

    def __init__(self, *args, user=None, community="", **kwargs):
        super().__init__(*args, user=user, **kwargs)
        code = community or (
            self.fields["community"].choices[0][0] if self.fields["community"].choices else ""
        )
        self.fields["buildings"].choices = buildings_of(code) if code else []


class EndForm(forms.Form):
    on = forms.DateField(label=_("届满日期"), widget=DATE)


class GroupForm(CommunityForm):
    kind = forms.ChoiceField(label=_("类别"), choices=GroupKind.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    compound = forms.ChoiceField(
        label=_("小区"), required=False, help_text=_("业委会、物业管理小组、小区党组织须选择")
    )
    term_start = forms.DateField(label=_("任期起始"), widget=DATE)
    term_end = forms.DateField(label=_("任期届满"), widget=DATE, required=False)
    buildings = forms.MultipleChoiceField(
        label=_("覆盖楼栋"), required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )
    vote_on = forms.DateField(
        label=_("成立表决日期"), widget=DATE, required=False, help_text=_("楼院自治管理小组须经居民表决成立")
    )
    vote_present = forms.IntegerField(label=_("参加表决人数"), min_value=0, required=False)
    vote_for = forms.IntegerField(label=_("赞成"), min_value=0, required=False)
    vote_against = forms.IntegerField(label=_("反对"), min_value=0, required=False)
    vote_abstain = forms.IntegerField(label=_("弃权"), min_value=0, required=False)

    def __init__(self, *args, user=None, community="", **kwargs):
        super().__init__(*args, user=user, **kwargs)
        code = community or (
            self.fields["community"].choices[0][0] if self.fields["community"].choices else ""
        )
        self.fields["compound"].choices = [("", "—")] + (compounds_of(code) if code else [])
        self.fields["buildings"].choices = buildings_of(code) if code else []


class MemberForm(forms.Form):
    resident = forms.CharField(label=_("居民"), max_length=50, help_text=RESIDENT_HELP)
    role = forms.CharField(
        label=_("职务"), max_length=20, initial="成员", help_text=_("如：组长、副组长、成员")
    )


class CompanyForm(CommunityForm):
    name = forms.CharField(label=_("物业服务企业名称"), max_length=200)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)


class ContractForm(CommunityForm):
    company = forms.ChoiceField(label=_("物业服务企业"))
    compound = forms.ChoiceField(label=_("小区"))
    start = forms.DateField(label=_("合同起始"), widget=DATE)
    end = forms.DateField(label=_("合同截止"), widget=DATE)

    def __init__(self, *args, user=None, community="", **kwargs):
        from shequ.org.models import OrgType, ResidentOrganization

        super().__init__(*args, user=user, **kwargs)
        code = community or (
            self.fields["community"].choices[0][0] if self.fields["community"].choices else ""
        )
        orgs = ResidentOrganization.objects.filter(community__code=code, org_type=OrgType.PROPERTY)
        self.fields["company"].choices = [(str(o.pk), o.name) for o in orgs]
        self.fields["compound"].choices = compounds_of(code) if code else []


class ElectionForm(CommunityForm):
    perm = MANAGE_ELECTIONS
    term = forms.IntegerField(label=_("届次"), min_value=1, max_value=99)
    method = forms.ChoiceField(label=_("选举方式"), choices=ElectionMethod.choices)
    voter_rule = forms.ChoiceField(label=_("选民资格"), choices=VoterRule.choices)
    held_on = forms.DateField(label=_("选举日期"), widget=DATE)


class CandidateForm(forms.Form):
    resident = forms.CharField(label=_("候选人"), max_length=50, help_text=RESIDENT_HELP)


class CountForm(forms.Form):
    ballots_cast = forms.IntegerField(label=_("投票人数"), min_value=0)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        for c in candidates:
            self.fields[f"votes_{c.pk}"] = forms.IntegerField(
                label=_("%(n)s得票") % {"n": c.resident.name}, min_value=0
            )


class DeclareForm(forms.Form):
    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        for c in candidates:
            self.fields[f"office_{c.pk}"] = forms.ChoiceField(
                label=_("%(n)s（得票 %(v)s）") % {"n": c.resident.name, "v": c.votes},
                choices=[("", _("未当选"))] + list(Office.choices), required=False,
            )  # fmt: skip
