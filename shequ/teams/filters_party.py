"""The FilterSets of the Party-member and awards lists, shared by the list pages, their Excel
exports and the API."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.org.filters import CommunityChoice, ScopedFilterSet, _filter_community
from shequ.teams.models import (
    AwardKind,
    AwardRound,
    MemberKind,
    MemberStatus,
    PartyMember,
    PartyOrgLevel,
    Pledge,
    PledgeStatus,
    RoundStatus,
)


class PartyMemberFilter(ScopedFilterSet):
    community = CommunityChoice()
    q = django_filters.CharFilter(label=_("姓名"), field_name="name", lookup_expr="contains")
    kind = django_filters.ChoiceFilter(label=_("类别"), choices=MemberKind.choices)
    level = django_filters.ChoiceFilter(
        label=_("所在组织层级"), choices=PartyOrgLevel.choices, field_name="node__level"
    )
    status = django_filters.ChoiceFilter(label=_("状态"), choices=MemberStatus.choices)
    node = django_filters.NumberFilter(label=_("党组织"), field_name="node", widget=forms.HiddenInput)
    filter_community = staticmethod(_filter_community)

    class Meta:
        model = PartyMember
        fields = []


class PledgeFilter(ScopedFilterSet):
    community = CommunityChoice()
    q = django_filters.CharFilter(label=_("党员"), field_name="member__name", lookup_expr="contains")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=PledgeStatus.choices)
    overdue = django_filters.ChoiceFilter(
        label=_("是否逾期"),
        choices=[("true", _("只看逾期")), ("false", _("未逾期"))],
        method="filter_overdue",
    )
    filter_community = staticmethod(_filter_community)

    def filter_overdue(self, qs, name, value):
        if value in (None, ""):
            return qs
        late = {"status": PledgeStatus.OPEN, "due_on__lt": timezone.localdate()}
        return qs.filter(**late) if str(value).lower() == "true" else qs.exclude(**late)

    class Meta:
        model = Pledge
        fields = []


class AwardRoundFilter(ScopedFilterSet):
    community = CommunityChoice()
    kind = django_filters.ModelChoiceFilter(label=_("奖项"), queryset=AwardKind.objects.all())
    year = django_filters.NumberFilter(label=_("年度"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=RoundStatus.choices)
    filter_community = staticmethod(_filter_community)

    class Meta:
        model = AwardRound
        fields = []
