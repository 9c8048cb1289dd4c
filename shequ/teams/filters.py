"""One FilterSet per list, shared by the list page, its Excel export and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from shequ.org.filters import CommunityChoice, ScopedFilterSet, _filter_community
from shequ.teams.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    OrganiserKind,
    ServiceHours,
    Skill,
    Talent,
    TalentLevel,
    Team,
    TeamKind,
    TeamStatus,
    Volunteer,
    VolunteerStatus,
)


class TeamFilter(ScopedFilterSet):
    community = CommunityChoice()
    q = django_filters.CharFilter(label=_("名称"), field_name="name", lookup_expr="contains")
    kind = django_filters.ModelChoiceFilter(label=_("类别"), queryset=TeamKind.objects.all())
    status = django_filters.ChoiceFilter(label=_("状态"), choices=TeamStatus.choices)
    filter_community = staticmethod(_filter_community)

    class Meta:
        model = Team
        fields = []


class TalentFilter(ScopedFilterSet):
    community = CommunityChoice(label=_("地点（社区）"))
    skill = django_filters.ModelChoiceFilter(label=_("特长"), queryset=Skill.objects.all())
    level = django_filters.ChoiceFilter(label=_("水平"), choices=TalentLevel.choices)
    willing = django_filters.BooleanFilter(label=_("愿意服务"))
    q = django_filters.CharFilter(label=_("姓名"), field_name="resident__name", lookup_expr="contains")
    filter_community = staticmethod(_filter_community)

    class Meta:
        model = Talent
        fields = []


class VolunteerFilter(ScopedFilterSet):
    community = CommunityChoice()
    q = django_filters.CharFilter(label=_("姓名"), field_name="resident__name", lookup_expr="contains")
    skill = django_filters.ModelChoiceFilter(
        label=_("技能"), queryset=Skill.objects.all(), field_name="skills"
    )
    status = django_filters.ChoiceFilter(label=_("状态"), choices=VolunteerStatus.choices)
    filter_community = staticmethod(_filter_community)

    class Meta:
        model = Volunteer
        fields = []


class ActivityFilter(ScopedFilterSet):
    community = CommunityChoice()
    q = django_filters.CharFilter(label=_("名称"), field_name="title", lookup_expr="contains")
    kind = django_filters.ChoiceFilter(label=_("类别"), choices=ActivityKind.choices)
    organiser_kind = django_filters.ChoiceFilter(label=_("组织方"), choices=OrganiserKind.choices)
    team = django_filters.ModelChoiceFilter(label=_("队伍"), queryset=Team.objects.none())
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ActivityStatus.choices)
    since = django_filters.DateFilter(label=_("起始日期"), field_name="starts_at__date", lookup_expr="gte")
    until = django_filters.DateFilter(label=_("截止日期"), field_name="starts_at__date", lookup_expr="lte")
    filter_community = staticmethod(_filter_community)

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["team"].queryset = Team.objects.visible_to(getattr(request, "user", None)).only(
            "id", "name"
        )

    class Meta:
        model = Activity
        fields = []


class HoursFilter(ScopedFilterSet):
    q = django_filters.CharFilter(
        label=_("志愿者"), field_name="volunteer__resident__name", lookup_expr="contains"
    )
    since = django_filters.DateFilter(
        label=_("起始日期"), field_name="activity__starts_at__date", lookup_expr="gte"
    )
    until = django_filters.DateFilter(
        label=_("截止日期"), field_name="activity__starts_at__date", lookup_expr="lte"
    )

    class Meta:
        model = ServiceHours
        fields = []
