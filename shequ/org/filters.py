"""One FilterSet per list, shared by the list page, its Excel export and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.org.models import (
    Assignment,
    Building,
    Grid,
    GridType,
    OrgType,
    OrgUnit,
    Post,
    ResidentOrganization,
)


class ScopedFilterSet(django_filters.FilterSet):
    """Choice lists (communities, grids) only offer what the user may see."""

    # Above this many grids in scope, the grid drop-down waits for a community to be chosen:
    # a district's thousands of <option>s cost more to render than the list itself.
    GRID_CHOICES_LIMIT = 200

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        if "community" in self.filters:
            communities = (
                OrgUnit.objects.visible_to(user).filter(level="community").only("id", "code", "name")
            )
            if communities.exists():
                self.filters["community"].queryset = communities
            else:  # a grid worker's scope holds no whole community: no empty drop-down
                del self.filters["community"]
        if "grid" in self.filters:
            grids = Grid.objects.visible_to(user).only("id", "code", "name")
            community = self.data.get("community")
            if community and str(community).isdigit():
                grids = grids.filter(community_id=community)
            elif not self.data.get("grid") and grids.count() > self.GRID_CHOICES_LIMIT:
                grids = grids.none()
                self.filters["grid"].extra["help_text"] = _("请先选择社区")
            self.filters["grid"].queryset = grids


class CommunityChoice(django_filters.ModelChoiceFilter):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("社区"))
        kwargs.setdefault("queryset", OrgUnit.objects.none())
        kwargs.setdefault("method", "filter_community")
        super().__init__(**kwargs)


def _filter_community(qs, name, value):
    return qs.within(value.code) if value else qs


class GridFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("名称或编码"), method="search")
    community = CommunityChoice()
    grid_type = django_filters.ChoiceFilter(label=_("网格类型"), choices=GridType.choices)

    class Meta:
        model = Grid
        fields = []

    def search(self, qs, name, value):
        return qs.filter(Q(name__icontains=value) | Q(code__startswith=value.strip()))

    filter_community = staticmethod(_filter_community)


class BuildingFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("小区或楼栋"), method="search")
    community = CommunityChoice()
    grid = django_filters.ModelChoiceFilter(label=_("网格"), queryset=Grid.objects.none())

    class Meta:
        model = Building
        fields = []

    def search(self, qs, name, value):
        return qs.filter(address__icontains=value.strip())

    filter_community = staticmethod(_filter_community)


class AssignmentFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("姓名"), field_name="person_name", lookup_expr="icontains")
    community = CommunityChoice()
    grid = django_filters.ModelChoiceFilter(label=_("网格"), queryset=Grid.objects.none())
    post = django_filters.ChoiceFilter(label=_("岗位"), choices=Post.choices)
    current = django_filters.BooleanFilter(
        label=_("仅在任"), method="filter_current", widget=forms.CheckboxInput
    )

    class Meta:
        model = Assignment
        fields = []

    def filter_current(self, qs, name, value):
        return qs.current() if value else qs

    filter_community = staticmethod(_filter_community)


class ResidentOrgFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("名称或信用代码"), method="search")
    community = CommunityChoice()
    org_type = django_filters.ChoiceFilter(label=_("单位类型"), choices=OrgType.choices)

    class Meta:
        model = ResidentOrganization
        fields = []

    def search(self, qs, name, value):
        v = value.strip()
        return qs.filter(Q(name__icontains=v) | Q(uscc=v.upper()))

    filter_community = staticmethod(_filter_community)
