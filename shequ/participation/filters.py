import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.org.filters import ScopedFilterSet
from shequ.org.models import OrgUnit
from shequ.participation.models import (
    Issue,
    IssueCategory,
    IssueSource,
    IssueStatus,
    Meeting,
    MeetingType,
    Resolution,
)


class IssueFilter(ScopedFilterSet):
    community = django_filters.ModelChoiceFilter(label=_("社区"), queryset=OrgUnit.objects.none())
    q = django_filters.CharFilter(label=_("议题"), field_name="title", lookup_expr="contains")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=IssueStatus.choices)
    source = django_filters.ChoiceFilter(label=_("来源"), choices=IssueSource.choices)
    category = django_filters.ModelChoiceFilter(label=_("类别"), queryset=IssueCategory.objects.all())

    class Meta:
        model = Issue
        fields = []


class MeetingFilter(ScopedFilterSet):
    community = django_filters.ModelChoiceFilter(label=_("社区"), queryset=OrgUnit.objects.none())
    q = django_filters.CharFilter(label=_("会议名称"), field_name="title", lookup_expr="contains")
    kind = django_filters.ModelChoiceFilter(label=_("会议类型"), queryset=MeetingType.objects.all())

    class Meta:
        model = Meeting
        fields = []


class ResolutionState(django_filters.ChoiceFilter):
    CHOICES = [
        ("overdue", _("逾期未完成")),
        ("open", _("落实中（未完成）")),
        ("done", _("已完成")),
        ("published", _("公示中")),
        ("failed", _("未通过")),
    ]

    def __init__(self, **kwargs):
        super().__init__(choices=self.CHOICES, **kwargs)

    def filter(self, qs, value):
        today = timezone.localdate()
        if value == "overdue":
            return qs.filter(adopted=True, completed_on__isnull=True, deadline__lt=today)
        if value == "open":
            return qs.filter(adopted=True, completed_on__isnull=True)
        if value == "done":
            return qs.filter(completed_on__isnull=False)
        if value == "published":
            return qs.filter(published_on__isnull=False, published_on__lte=today)
        if value == "failed":
            return qs.filter(adopted=False)
        return qs


class ResolutionFilter(ScopedFilterSet):
    community = django_filters.ModelChoiceFilter(
        label=_("社区"), field_name="meeting__community", queryset=OrgUnit.objects.none()
    )
    q = django_filters.CharFilter(label=_("决议内容"), field_name="text", lookup_expr="contains")
    state = ResolutionState(label=_("落实情况"))

    class Meta:
        model = Resolution
        fields = []
