import django_filters
from django.utils.translation import gettext_lazy as _

from shequ.facilities.models import Booking, BookingStatus, Facility, FacilityKind, Tenure
from shequ.org.filters import ScopedFilterSet
from shequ.org.models import OrgUnit


class FacilityFilter(ScopedFilterSet):
    community = django_filters.ModelChoiceFilter(label=_("社区"), queryset=OrgUnit.objects.none())
    q = django_filters.CharFilter(label=_("名称"), field_name="name", lookup_expr="contains")
    kind = django_filters.ModelChoiceFilter(label=_("类别"), queryset=FacilityKind.objects.all())
    tenure = django_filters.ChoiceFilter(label=_("产权方式"), choices=Tenure.choices)
    unit_rooms = django_filters.BooleanFilter(label=_("驻区单位场地"), field_name="provider", lookup_expr="isnull",
                                              exclude=True)  # fmt: skip
    bookable = django_filters.BooleanFilter(label=_("开放预约"))

    class Meta:
        model = Facility
        fields = []


class BookingFilter(ScopedFilterSet):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=BookingStatus.choices)
    q = django_filters.CharFilter(label=_("场地"), field_name="facility__name", lookup_expr="contains")
    day = django_filters.DateFilter(label=_("日期"), field_name="start__date")

    class Meta:
        model = Booking
        fields = []
