import django_filters
from django.utils.translation import gettext_lazy as _

from shequ.org.filters import ScopedFilterSet
from shequ.org.models import OrgUnit
from shequ.workforce.models import Education, Source, Status, Worker


class WorkerFilter(ScopedFilterSet):
    community = django_filters.ModelChoiceFilter(
        label=_("社区"), field_name="org", queryset=OrgUnit.objects.none()
    )
    q = django_filters.CharFilter(label=_("姓名"), field_name="name", lookup_expr="contains")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Status.choices)
    source = django_filters.ChoiceFilter(label=_("来源"), choices=Source.choices)
    education = django_filters.ChoiceFilter(label=_("学历"), choices=Education.choices)

    class Meta:
        model = Worker
        fields = []
