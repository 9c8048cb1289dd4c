"""The house picker (社区 → 楼栋 → 单元 → 房屋) for forms that take a house: a cascade of the
kernel's picker (shequ.core.picker). Every level starts from visible_to(user); `within` narrows to
one community or grid, never beyond the user's scope."""

import re

from django.utils.translation import gettext_lazy as _

from shequ.core.picker import Ask, Cascade, Choice, Level, register_cascade
from shequ.org.models import Building, BuildingUnit, Grid, House, OrgUnit
from shequ.org.models import Level as OrgLevel

SORT_WINDOW = 2000  # rows sorted in Python by their numbers (3栋 before 10栋) before the cut


def natural(text: str) -> list:
    """Sort key that reads the numbers in a name: 2栋 < 10栋, 1单元 < 2单元, 301 < 1201."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text or "")]


def _pk(value) -> int | None:
    return int(value) if str(value or "").isdigit() and len(str(value)) < 19 else None


def _narrow(qs, ask: Ask, field: str = "scope_code"):
    return qs.filter(**{f"{field}__startswith": ask.within}) if ask.within else qs


# --- 社区 ---------------------------------------------------------------------------------------
def _communities(ask: Ask):
    # The communities where the user sees a grid (a grid worker: the community of their grid).
    grids = _narrow(Grid.objects.visible_to(ask.user), ask, "code").values("community_id")
    return OrgUnit.objects.filter(level=OrgLevel.COMMUNITY, pk__in=grids).select_related("parent")


def _community_choice(c: OrgUnit) -> Choice:
    return Choice(c.code, c.display_name, c.parent.display_name if c.parent_id else "")


def community_options(ask: Ask) -> list[Choice]:
    qs = _communities(ask)
    if ask.q:
        qs = qs.filter(name__icontains=ask.q)
    return [_community_choice(c) for c in qs.order_by("code")[: ask.limit + 1]]


def community_get(ask: Ask, value: str) -> Choice | None:
    c = _communities(ask).filter(code=value).first() if value.isdigit() else None
    return _community_choice(c) if c else None


# --- 楼栋 ---------------------------------------------------------------------------------------
def _buildings(ask: Ask):
    return _narrow(Building.objects.visible_to(ask.user).within(ask.parent), ask)


def _named_options(qs, ask: Ask, name: str) -> list[Choice]:
    """The rows whose `name` holds the typed text, in the order their numbers read."""
    if ask.q:
        qs = qs.filter(**{f"{name}__icontains": ask.q})
    rows = sorted(qs.values_list("pk", name)[:SORT_WINDOW], key=lambda r: natural(r[1]))
    return [Choice(str(pk), label) for pk, label in rows[: ask.limit + 1]]


def _named_get(qs, value: str, name: str) -> Choice | None:
    row = qs.filter(pk=_pk(value)).values_list("pk", name).first() if _pk(value) else None
    return Choice(str(row[0]), row[1]) if row else None


def building_options(ask: Ask) -> list[Choice]:
    return _named_options(_buildings(ask), ask, "address")


def building_get(ask: Ask, value: str) -> Choice | None:
    return _named_get(_buildings(ask), value, "address")


# --- 单元 ---------------------------------------------------------------------------------------
def _units(ask: Ask):
    return _narrow(BuildingUnit.objects.visible_to(ask.user).filter(building_id=_pk(ask.parent)), ask)


def unit_options(ask: Ask) -> list[Choice]:
    return _named_options(_units(ask), ask, "number")


def unit_get(ask: Ask, value: str) -> Choice | None:
    return _named_get(_units(ask), value, "number")


# --- 房屋 ---------------------------------------------------------------------------------------
def _houses(ask: Ask):
    return _narrow(House.objects.visible_to(ask.user).filter(unit_id=_pk(ask.parent)), ask)


def house_options(ask: Ask) -> list[Choice]:
    qs = _houses(ask)
    if ask.q:
        qs = qs.filter(number__icontains=ask.q)
    rows = sorted(
        qs.values_list("pk", "number", "floor")[:SORT_WINDOW],
        key=lambda r: (r[2] is None, r[2] or 0, natural(r[1])),
    )
    return [Choice(str(pk), number) for pk, number, _floor in rows[: ask.limit + 1]]


def house_get(ask: Ask, value: str) -> Choice | None:
    h = _houses(ask).filter(pk=_pk(value)).first() if _pk(value) else None
    return Choice(str(h.pk), h.address) if h else None  # chosen: the whole address


def resolve(user, value: str, within: str | None) -> list[Choice] | None:
    """The path to a house the user may see: its community, building, unit and the house."""
    pk = _pk(value)
    qs = House.objects.visible_to(user).select_related("unit__building__grid__community__parent")
    h = _narrow(qs, Ask(user, None, within=within)).filter(pk=pk).first() if pk else None
    if h is None:
        return None
    b = h.unit.building
    return [
        _community_choice(b.grid.community),
        Choice(str(b.pk), b.address),
        Choice(str(h.unit.pk), h.unit.number),
        Choice(str(h.pk), h.address),
    ]


def search(ask: Ask, path: list[str]) -> list[Choice]:
    """Houses whose address holds the typed text (宁安小区3栋1单元301), under the path so far."""
    qs = _narrow(House.objects.visible_to(ask.user), ask)
    if path:
        qs = qs.within(path[0])
    if len(path) > 1:
        qs = qs.filter(unit__building_id=_pk(path[1]))
    if len(path) > 2:
        qs = qs.filter(unit_id=_pk(path[2]))
    rows = qs.filter(address__icontains=ask.q).values_list("pk", "address")[:SORT_WINDOW]
    return [Choice(str(pk), a) for pk, a in sorted(rows, key=lambda r: natural(r[1]))[: ask.limit]]


HOUSE = Cascade(
    "house",
    levels=(
        Level("community", _("社区"), _("输入社区名称"), community_options, community_get),
        Level(
            "building",
            _("楼栋"),
            _("楼栋号或完整地址，如 3栋"),
            building_options,
            building_get,
        ),
        Level("unit", _("单元"), _("输入单元号"), unit_options, unit_get),
        Level("house", _("房屋"), _("输入房号，如 301"), house_options, house_get, limit=200),
    ),
    resolve=resolve,
    search=search,
    model=House,
)


def register() -> None:
    register_cascade(HOUSE)
