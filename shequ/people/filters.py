"""The residents FilterSet, shared by the list page and its Excel export (the API takes codes
rather than database ids and filters in people/api.py with the same search_q and tag_q)."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import lookup
from shequ.org.filters import CommunityChoice, ScopedFilterSet, _filter_community
from shequ.org.models import Building, Grid, House, HouseUse
from shequ.people.choices import ResidenceType, Status
from shequ.people.models import Household, Resident, ResidentTag, years_ago
from shequ.people.tags import visible_tags


def search_q(value: str) -> Q:
    """A name fragment, a full document number (blind index) or a full phone number."""
    v = "".join((value or "").split())
    if not v:
        return Q()
    if not any(c.isdigit() for c in v):
        return Q(name__contains=v)
    # Digits mean a number, never a name: only the blind indexes, so that the lookup is an index
    # probe (an OR with the name's LIKE would scan the scope: 0.5 s at a million rows).
    q = Q(pk__in=[])
    if len(v) >= 5 and v.isalnum():  # 身份证, passports, permits
        q |= Q(**lookup(Resident, "doc_number", v.upper()))
    digits = v.replace("-", "").replace("+86", "")
    if digits.isdigit() and 7 <= len(digits) <= 12:  # 138-1234-5678 finds 13812345678
        q |= Q(**lookup(Resident, "phone", digits)) | Q(**lookup(Resident, "phone", v))
    return q


def tag_q(tag, prefix: str = "") -> Q:
    """Residents carrying a tag: derived ones by rule, recorded ones through their keyed hash."""
    if tag.derived:
        return tag.derived_q(prefix)
    sub = ResidentTag.objects.current().filter(
        resident=OuterRef(f"{prefix}pk" if prefix else "pk"), tag_key=tag.key
    )
    return Q(Exists(sub))


class ResidentFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("姓名/证件号/电话"), method="search")
    community = CommunityChoice()
    grid = django_filters.ModelChoiceFilter(
        label=_("网格"), queryset=Grid.objects.none(), method="filter_grid"
    )
    building = django_filters.ModelChoiceFilter(
        label=_("楼栋"), queryset=Building.objects.none(), method="filter_building"
    )
    tag = django_filters.ChoiceFilter(label=_("人群标签"), method="filter_tag", choices=[])
    residence_type = django_filters.ChoiceFilter(label=_("居住类型"), choices=ResidenceType.choices)
    age_min = django_filters.NumberFilter(label=_("年龄不小于"), method="filter_age_min", min_value=0)
    age_max = django_filters.NumberFilter(label=_("年龄不大于"), method="filter_age_max", min_value=0)
    status = django_filters.ChoiceFilter(
        label=_("人员状态"), choices=Status.choices, empty_label=_("在册（默认）"), method="filter_status"
    )

    class Meta:
        model = Resident
        fields = []

    def __init__(self, data=None, *args, request=None, **kwargs):
        super().__init__(data, *args, request=request, **kwargs)
        user = getattr(request, "user", None)
        self._tags = {t.code: t for t in visible_tags(user)} if user else {}
        self.filters["tag"].extra["choices"] = [(c, t.name) for c, t in self._tags.items()]
        if "grid" in self.filters and self.filters["grid"].queryset.count() <= 1:
            del self.filters["grid"]  # a grid worker's one grid: nothing to choose
        grid = (data or {}).get("grid")
        if grid and str(grid).isdigit():
            self.filters["building"].queryset = Building.objects.visible_to(user).filter(grid_id=grid)
        else:
            self.filters["building"].extra["help_text"] = _("请先选择网格")

    @property
    def qs(self):
        qs = super().qs
        if not (self.form.is_bound and self.form.cleaned_data.get("status")):
            qs = qs.filter(status=Status.ACTIVE)
        return qs

    def search(self, qs, name, value):
        return qs.filter(search_q(value))

    def filter_grid(self, qs, name, value):
        return qs.within(value.code) if value else qs

    def filter_building(self, qs, name, value):
        return qs.filter(house__unit__building=value) if value else qs

    def filter_tag(self, qs, name, value):
        tag = self._tags.get(value)
        return qs.filter(tag_q(tag)) if tag else qs.none()

    def filter_age_min(self, qs, name, value):
        return qs.filter(birth_date__lte=years_ago(int(value))) if value is not None else qs

    def filter_age_max(self, qs, name, value):
        # Younger than age_max + 1: born after the day they would have turned it.
        return qs.filter(birth_date__gt=years_ago(int(value) + 1)) if value is not None else qs

    def filter_status(self, qs, name, value):
        return qs.filter(status=value) if value else qs

    filter_community = staticmethod(_filter_community)


class HouseholdFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("户主或地址"), method="search")
    community = CommunityChoice()
    grid = django_filters.ModelChoiceFilter(
        label=_("网格"), queryset=Grid.objects.none(), method="filter_grid"
    )

    class Meta:
        model = Household
        fields = ["household_type", "tenure"]

    def search(self, qs, name, value):
        v = value.strip()
        return qs.filter(Q(head__name__contains=v) | Q(house__address__contains=v))

    def filter_grid(self, qs, name, value):
        return qs.within(value.code) if value else qs

    filter_community = staticmethod(_filter_community)


class HouseFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("地址或产权人"), method="search")
    community = CommunityChoice()
    grid = django_filters.ModelChoiceFilter(
        label=_("网格"), queryset=Grid.objects.none(), method="filter_grid"
    )
    use = django_filters.ChoiceFilter(label=_("房屋用途"), choices=HouseUse.choices)

    class Meta:
        model = House
        fields = []

    def search(self, qs, name, value):
        v = value.strip()
        return qs.filter(Q(address__contains=v) | Q(owner_name__contains=v))

    def filter_grid(self, qs, name, value):
        return qs.within(value.code) if value else qs

    filter_community = staticmethod(_filter_community)
