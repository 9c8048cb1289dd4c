"""The cases FilterSet, shared by the case list and its Excel export."""

import datetime as dt

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.cases.models import (
    CLOCK_STATUSES,
    DONE_STATUSES,
    STOPPED_STATUSES,
    Case,
    Category,
    Channel,
    Status,
)
from shequ.core.forms import DateInput
from shequ.org.filters import CommunityChoice, ScopedFilterSet, _filter_community
from shequ.org.models import Grid

CLOCK_CHOICES = [("overdue", _("超期")), ("warning", _("临期"))]


def search_q(value: str) -> Q:
    """A receipt number (or its first digits) or a fragment of the title."""
    v = (value or "").strip()
    if not v:
        return Q()
    if v.isdigit():
        # Numbers are dates followed by six digits: a prefix is an index range, never a scan.
        return Q(number__startswith=v)
    return Q(title__contains=v)


def clock_q(state: str, now=None) -> Q:
    """The SQL twin of Case.clock_state for "overdue" and "warning"."""
    now = now or timezone.now()
    if state == "warning":
        return Q(status__in=CLOCK_STATUSES, warn_at__lte=now, deadline__gte=now)
    if state == "overdue":
        return (
            Q(status__in=CLOCK_STATUSES, deadline__lt=now)
            | Q(status__in=DONE_STATUSES, closed_on_time=False)
            | Q(status__in=STOPPED_STATUSES, handled_at__gt=F("deadline"))
        )
    return Q()


def _day_start(d: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(d, dt.time.min))


class CaseFilter(ScopedFilterSet):
    q = django_filters.CharFilter(
        label=_("受理编号或标题"), method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Status.choices)
    major = django_filters.ModelChoiceFilter(
        label=_("大类"), queryset=Category.objects.filter(parent__isnull=True), method="filter_major"
    )
    category = django_filters.ModelChoiceFilter(
        label=_("小类"), queryset=Category.objects.filter(parent__isnull=False).select_related("parent")
    )
    channel = django_filters.ChoiceFilter(label=_("来源渠道"), choices=Channel.choices)
    community = CommunityChoice()
    grid = django_filters.ModelChoiceFilter(
        label=_("网格"), queryset=Grid.objects.none(), method="filter_grid"
    )
    unit = django_filters.ChoiceFilter(label=_("处置单位"), choices=[], method="filter_unit")
    clock = django_filters.ChoiceFilter(label=_("时限"), choices=CLOCK_CHOICES, method="filter_clock")
    received_from = django_filters.DateFilter(label=_("受理日期起"), method="filter_from", widget=DateInput())
    received_to = django_filters.DateFilter(label=_("受理日期止"), method="filter_to", widget=DateInput())
    supervised = django_filters.BooleanFilter(
        label=_("仅督办"), method="filter_supervised", widget=forms.CheckboxInput
    )

    class Meta:
        model = Case
        fields = []

    def __init__(self, data=None, *args, request=None, **kwargs):
        super().__init__(data, *args, request=request, **kwargs)
        from shequ.cases import services
        from shequ.org.models import OrgUnit

        user = getattr(request, "user", None)
        units = [
            (f"{o.level}:{o.code}", o.display_name)
            for o in OrgUnit.objects.visible_to(user)
            .filter(level__in=("street", "community"))
            .order_by("code")
            .only("code", "name", "level")
        ]
        units += [(f"department:{d}", d) for d in services.departments()]
        self.filters["unit"].extra["choices"] = units
        major = (data or {}).get("major")
        if major and str(major).isdigit():
            self.filters["category"].queryset = self.filters["category"].queryset.filter(parent_id=major)

    def search(self, qs, name, value):
        return qs.filter(search_q(value))

    def filter_major(self, qs, name, value):
        return qs.filter(category__parent=value) if value else qs

    def filter_grid(self, qs, name, value):
        return qs.within(value.code) if value else qs

    def filter_unit(self, qs, name, value):
        kind, _sep, ref = (value or "").partition(":")
        if not ref:
            return qs
        if kind == "department":
            return qs.filter(handler_department=ref)
        return qs.filter(handler_code=ref, handler_department="")

    def filter_clock(self, qs, name, value):
        return qs.filter(clock_q(value)) if value else qs

    def filter_from(self, qs, name, value):
        return qs.filter(received_at__gte=_day_start(value)) if value else qs

    def filter_to(self, qs, name, value):
        return qs.filter(received_at__lt=_day_start(value + dt.timedelta(days=1))) if value else qs

    def filter_supervised(self, qs, name, value):
        return qs.filter(supervised=True) if value else qs

    filter_community = staticmethod(_filter_community)
