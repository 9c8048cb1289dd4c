"""Forms of the participation pages (the services check every rule again)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.forms import PhotosField
from shequ.participation.models import IssueCategory, IssueScope, IssueSource, MeetingType

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXT = forms.Textarea(attrs={"rows": 4})


def community_choices(user, perm: str = "participation.manage") -> list[tuple[str, str]]:
    """The communities of the user's scope where they hold `perm`."""
    from shequ.core import scope
    from shequ.org.models import Level, OrgUnit

    roots = scope.scope_codes(user, scope.roles_with(perm))
    qs = OrgUnit.objects.filter(level=Level.COMMUNITY).order_by("code")
    if roots is not None:
        qs = qs.filter(scope.prefix_q("code", roots))
    return [(u.code, u.display_name) for u in qs[:2000]]


def category_choices():
    return [(c.name, c.name) for c in IssueCategory.objects.filter(active=True)]


def building_choices(community_code: str):
    from shequ.core.scope import subtree_q
    from shequ.org.models import Building

    rows = Building.objects.filter(subtree_q("scope_code", community_code)).order_by("compound", "number")
    return [("", _("全社区"))] + [(str(b.pk), b.address) for b in rows.only("pk", "address")[:1000]]


def area_choices(codes):
    """片区 of the communities: the community's grids serve as its 片区."""
    from shequ.core.scope import prefix_q
    from shequ.org.models import Grid

    rows = Grid.objects.filter(prefix_q("code", codes)).select_related("community").order_by("code")
    return [("", "—")] + [(str(g.pk), g.display_name) for g in rows[:1000]]


def buildings_of(codes):
    from shequ.core.scope import prefix_q
    from shequ.org.models import Building

    rows = Building.objects.filter(prefix_q("scope_code", codes)).order_by("scope_code", "compound", "number")
    return [("", "—")] + [(str(b.pk), b.address) for b in rows.only("pk", "address")[:1000]]


class IssueForm(forms.Form):
    community = forms.ChoiceField(label=_("社区"))
    source = forms.ChoiceField(
        label=_("来源"),
        choices=[c for c in IssueSource.choices if c[0] not in (IssueSource.PROPOSAL, IssueSource.RATING)],
    )
    category = forms.ChoiceField(label=_("类别"))
    title = forms.CharField(label=_("议题"), max_length=100)
    text = forms.CharField(label=_("具体情况和建议"), widget=TEXT, max_length=4000)
    proposer_name = forms.CharField(
        label=_("提出人"), max_length=50, required=False, help_text=_("议事箱、会议上提出的，填写提出人")
    )
    case = forms.CharField(
        label=_("来源案件受理编号"), max_length=20, required=False, help_text=_("来源为“案件”时填写")
    )
    scope = forms.ChoiceField(
        label=_("议题范围"),
        choices=IssueScope.choices,
        initial=IssueScope.COMMUNITY,
        required=False,
        help_text=_("片区即社区的网格"),
    )
    area = forms.ChoiceField(label=_("片区（网格）"), required=False, help_text=_("范围为“片区”时选择"))
    building = forms.ChoiceField(label=_("楼栋"), required=False, help_text=_("范围为“楼栋”时选择"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = community_choices(user)
        self.fields["category"].choices = category_choices()
        codes = [c for c, _n in self.fields["community"].choices]
        self.fields["area"].choices = area_choices(codes)
        self.fields["building"].choices = buildings_of(codes)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("不予受理理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("将在居民议事厅公开。"),
    )  # fmt: skip


class MeetingForm(forms.Form):
    community = forms.ChoiceField(label=_("社区"))
    kind = forms.ModelChoiceField(
        label=_("会议类型"), queryset=MeetingType.objects.filter(active=True), empty_label=None
    )
    title = forms.CharField(
        label=_("会议名称"), max_length=100, required=False, help_text=_("不填则为“社区名+会议类型”")
    )
    starts_at = forms.DateTimeField(
        label=_("开始时间"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    place = forms.CharField(label=_("地点"), max_length=100)
    convener = forms.CharField(label=_("召集人"), max_length=50)
    expected = forms.IntegerField(
        label=_("应到人数"),
        min_value=1,
        max_value=10000,
        help_text=_("法定人数按会议类型的规则以应到人数计算"),
    )
    invited = forms.CharField(
        label=_("邀请参加"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一方，如：居民代表、物业公司、派出所、区住建局"),
    )
    invited_orgs = forms.MultipleChoiceField(
        label=_("邀请的驻区单位"), required=False, widget=forms.SelectMultiple(attrs={"size": 5})
    )
    issues = forms.MultipleChoiceField(label=_("议程（待上会议题）"), required=False,
                                       widget=forms.CheckboxSelectMultiple)  # fmt: skip

    def __init__(self, *args, user=None, **kwargs):
        from shequ.core.scope import prefix_q
        from shequ.org.models import ResidentOrganization
        from shequ.participation.models import Issue, IssueStatus

        super().__init__(*args, **kwargs)
        communities = community_choices(user)
        self.fields["community"].choices = communities
        codes = [c for c, _n in communities]
        where = prefix_q("scope_code", codes)
        orgs = ResidentOrganization.objects.filter(where).order_by("name").select_related("community")
        self.fields["invited_orgs"].choices = [(str(o.pk), o.name) for o in orgs[:500]]
        issues = Issue.objects.filter(where, status=IssueStatus.READY).order_by("-support_count", "pk")
        self.fields["issues"].choices = [
            (str(i.pk), f"{i.title}（{i.support_count} 人附议）") for i in issues[:200]
        ]


class AgendaForm(forms.Form):
    issue = forms.ChoiceField(label=_("待上会议题"))

    def __init__(self, *args, issues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issue"].choices = list(issues)


class AttendanceForm(forms.Form):
    names = forms.CharField(
        label=_("出席人员"), widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("每行一人；与居民台账中唯一的同名居民对应（其本人不能再扫码重复签到）"),
    )  # fmt: skip


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000)

    def __init__(self, *args, agenda=(), **kwargs):
        super().__init__(*args, **kwargs)
        for item in agenda:
            self.fields[f"views_{item.pk}"] = forms.CharField(
                label=_("“%(t)s”的各方意见") % {"t": item.issue.title},
                required=False,
                widget=TEXT,
                max_length=4000,
            )


class VoteForm(forms.Form):
    issue = forms.ChoiceField(label=_("议题"))
    text = forms.CharField(label=_("决议内容"), widget=TEXT, max_length=4000)
    votes_for = forms.IntegerField(label=_("赞成"), min_value=0)
    votes_against = forms.IntegerField(label=_("反对"), min_value=0)
    votes_abstain = forms.IntegerField(label=_("弃权"), min_value=0)
    owner_user = forms.ChoiceField(label=_("责任人"), required=False)
    owner_unit = forms.CharField(
        label=_("责任单位"), max_length=100, required=False, help_text=_("如：物业公司、社区居委会")
    )
    deadline = forms.DateField(label=_("完成时限"), widget=DATE, required=False)

    def __init__(self, *args, issues=(), owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issue"].choices = list(issues)
        self.fields["owner_user"].choices = [("", "—")] + list(owners)


class ReviewForm(forms.Form):
    resolution = forms.ChoiceField(label=_("评议的决议"))
    satisfied = forms.IntegerField(label=_("满意"), min_value=0)
    basic = forms.IntegerField(label=_("基本满意"), min_value=0)
    unsatisfied = forms.IntegerField(label=_("不满意"), min_value=0)

    def __init__(self, *args, resolutions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolution"].choices = list(resolutions)


class PublishForm(forms.Form):
    days = forms.IntegerField(label=_("公示天数"), min_value=1, max_value=90, initial=7)


class FollowUpForm(forms.Form):
    on = forms.DateField(label=_("日期"), widget=DATE)
    text = forms.CharField(label=_("落实情况"), widget=TEXT, max_length=1000)
    photos = PhotosField(label=_("照片"))


class CompleteForm(forms.Form):
    on = forms.DateField(label=_("完成日期"), widget=DATE)
    note = forms.CharField(
        label=_("完成情况"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ThresholdForm(forms.Form):
    community = forms.ChoiceField(label=_("社区"))
    support_threshold = forms.IntegerField(
        label=_("上会所需附议人数"), min_value=1, max_value=500,
        help_text=_("居民提出的议题附议达到此人数，自动列入待上会"),
    )  # fmt: skip

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = community_choices(user, "participation.configure")


# --- the public forms ------------------------------------------------------------------------------
class WhoForm(forms.Form):
    """A resident's name and the last four digits of their phone (optional when signed in as one)."""

    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    last4 = forms.CharField(
        label=_("手机号码后四位"), max_length=4, min_length=4, required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4}"}),
        help_text=_("与社区居民台账登记的手机号核对，不会公开"),
    )  # fmt: skip

    def __init__(self, *args, signed_in: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not signed_in:
            self.fields["name"].required = self.fields["last4"].required = True


class ProposeForm(WhoForm):
    title = forms.CharField(label=_("议题"), max_length=100, help_text=_("一句话说明想商议的事"))
    text = forms.CharField(label=_("具体情况和建议"), widget=TEXT, max_length=4000)
    category = forms.ChoiceField(label=_("类别"))
    scope = forms.ChoiceField(label=_("涉及范围"), choices=IssueScope.choices, required=False)
    area = forms.ChoiceField(label=_("涉及片区"), required=False)
    building = forms.ChoiceField(label=_("涉及楼栋"), required=False)

    field_order = ["title", "text", "category", "scope", "area", "building", "name", "last4"]

    def __init__(self, *args, community_code: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.fields["area"].choices = area_choices([community_code])
        self.fields["building"].choices = building_choices(community_code)
