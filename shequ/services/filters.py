"""One FilterSet per list, shared by the list page, its Excel export and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from shequ.org.filters import ScopedFilterSet
from shequ.services.models import (
    EmploymentKind,
    Mode,
    Outcome,
    Outlet,
    ProviderKind,
    Service,
    ServiceCategory,
    ServiceRecord,
)


class ServiceFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("服务名称"), field_name="name", lookup_expr="contains")
    category = django_filters.ModelChoiceFilter(label=_("服务类别"), queryset=ServiceCategory.objects.all())
    mode = django_filters.ChoiceFilter(label=_("服务方式"), choices=Mode.choices)
    provider_kind = django_filters.ChoiceFilter(label=_("提供方类型"), choices=ProviderKind.choices)
    active = django_filters.BooleanFilter(label=_("在办"))

    class Meta:
        model = Service
        fields = []


class OutletFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("网点名称"), field_name="name", lookup_expr="contains")
    category = django_filters.ModelChoiceFilter(label=_("服务类别"), queryset=ServiceCategory.objects.all())

    class Meta:
        model = Outlet
        fields = []


class RecordFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("服务对象"), field_name="person_name", lookup_expr="contains")
    category = django_filters.ModelChoiceFilter(
        label=_("服务类别"), field_name="service__category", queryset=ServiceCategory.objects.all()
    )
    outcome = django_filters.ChoiceFilter(label=_("服务结果"), choices=Outcome.choices)
    employment_kind = django_filters.ChoiceFilter(label=_("就业服务类型"), choices=EmploymentKind.choices)
    start = django_filters.DateFilter(label=_("服务日期起"), field_name="served_on", lookup_expr="gte")
    end = django_filters.DateFilter(label=_("服务日期止"), field_name="served_on", lookup_expr="lte")
    follow_up = django_filters.ChoiceFilter(
        label=_("回访"), method="filter_follow_up",
        choices=[("due", _("待回访")), ("overdue", _("逾期未回访")), ("done", _("已回访"))],
    )  # fmt: skip

    class Meta:
        model = ServiceRecord
        fields = []

    def filter_follow_up(self, qs, name, value):
        from django.utils import timezone

        if value == "done":
            return qs.exclude(follow_up_done_on=None)
        qs = qs.filter(follow_up_due__isnull=False, follow_up_done_on=None)
        return qs.filter(follow_up_due__lt=timezone.localdate()) if value == "overdue" else qs
