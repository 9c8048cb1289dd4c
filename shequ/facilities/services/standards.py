"""The standards premises are measured against, and each community's compliance.

A district uses the platform's shipped rules (`district` empty) until it keeps its own: the first
edit by the district copies the shipped set, which the district then changes freely."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from shequ.core import changelog
from shequ.core import scope as scopes
from shequ.core.errors import Forbidden, NotFound
from shequ.core.models import Action
from shequ.facilities.models import (
    MANAGE_STANDARDS,
    OFFICE,
    VIEW,
    AreaRule,
    CommunityType,
    Facility,
    FacilityKind,
    KindPackage,
    Tenure,
    community_type_of,
)
from shequ.facilities.services.common import choice, decimal, invalid, text, unit_at
from shequ.org.models import Level, OrgUnit


def standards_for(district_code: str | None) -> tuple[list[AreaRule], list[KindPackage]]:
    """The rules and packages in force in a district (its own, else the shipped ones)."""
    rules = AreaRule.objects.prefetch_related("kinds").select_related("district")
    packages = KindPackage.objects.prefetch_related("kinds").select_related("district")
    own = bool(district_code) and (
        AreaRule.objects.filter(district__code=district_code).exists()
        or KindPackage.objects.filter(district__code=district_code).exists()
    )
    if own:
        return list(rules.filter(district__code=district_code)), list(
            packages.filter(district__code=district_code)
        )
    return list(rules.filter(district__isnull=True)), list(packages.filter(district__isnull=True))


def _kinds(values) -> list[FacilityKind]:
    from shequ.facilities.services.facilities import kind_of

    kinds = []
    for v in values or []:
        k = v if isinstance(v, FacilityKind) else kind_of(v)
        if k not in kinds:
            kinds.append(k)
    if not kinds:
        raise invalid("kinds", _("请至少选择一个阵地类别。"))
    return kinds


def _adopt(actor, district: OrgUnit) -> dict:
    """Copy the shipped rules to the district (once); returns {shipped pk: own copy} per model."""
    copies = {"rule": {}, "package": {}}
    if (
        AreaRule.objects.filter(district=district).exists()
        or KindPackage.objects.filter(district=district).exists()
    ):
        return copies
    for r in AreaRule.objects.filter(district__isnull=True).prefetch_related("kinds"):
        kinds = list(r.kinds.all())
        old = r.pk
        r.pk, r.district = None, district
        r.save()
        r.kinds.set(kinds)
        copies["rule"][old] = r
    for p in KindPackage.objects.filter(district__isnull=True).prefetch_related("kinds"):
        kinds = list(p.kinds.all())
        old = p.pk
        p.pk, p.district = None, district
        p.save()
        p.kinds.set(kinds)
        copies["package"][old] = p
    changelog.record(
        actor, Action.CREATE, None, scope_code=district.code, note=_("采用平台配置标准作为本区标准")
    )
    return copies


def _snapshot(obj) -> dict:
    snap = changelog.snapshot(obj)
    snap["kinds"] = sorted(k.name for k in obj.kinds.all())
    return snap


def _target(actor, model, district: OrgUnit, pk, key: str):
    """The district's own row to edit: a shipped row's copy, or a new one (pk None)."""
    copies = _adopt(actor, district)
    if pk in (None, ""):
        return None
    found = model.objects.filter(pk=pk if str(pk).isdigit() else 0).first()
    if found is None or (found.district_id not in (None, district.pk)):
        raise NotFound()
    if found.district_id is None:
        found = copies[key].get(found.pk) or model.objects.filter(district=district, name=found.name).first()
        if found is None:
            raise NotFound()
    return found


@transaction.atomic
def set_area_rule(actor, district: str, *, pk=None, community_type, name, min_area, kinds) -> AreaRule:
    """Enter or change a minimum-area rule of a district (城市社区办公和服务用房 ≥ 300 m² …)."""
    unit = unit_at(actor, district, [Level.DISTRICT], MANAGE_STANDARDS, "district")
    rule = _target(actor, AreaRule, unit, pk, "rule")
    before = _snapshot(rule) if rule else None
    rule = rule or AreaRule(district=unit)
    rule.community_type = choice(CommunityType, community_type, "community_type", _("社区类型"))
    rule.name = text(name, "name", _("名称"), 60, required=True)
    rule.min_area = decimal(min_area, "min_area", _("最低面积"), top=Decimal("1000000"), positive=True)
    chosen = _kinds(kinds)
    rule.save()
    rule.kinds.set(chosen)
    after = _snapshot(rule)
    changelog.record(actor, Action.UPDATE if before else Action.CREATE, rule, before=before, after=after,
                     scope_code=unit.code)  # fmt: skip
    return rule


@transaction.atomic
def set_package(actor, district: str, *, pk=None, community_type="", name, kinds) -> KindPackage:
    """Enter or change a required package of kinds of a district (五有 …)."""
    unit = unit_at(actor, district, [Level.DISTRICT], MANAGE_STANDARDS, "district")
    package = _target(actor, KindPackage, unit, pk, "package")
    before = _snapshot(package) if package else None
    package = package or KindPackage(district=unit)
    package.community_type = (
        choice(CommunityType, community_type, "community_type", _("社区类型")) if community_type else ""
    )
    package.name = text(name, "name", _("名称"), 60, required=True)
    chosen = _kinds(kinds)
    package.save()
    package.kinds.set(chosen)
    changelog.record(actor, Action.UPDATE if before else Action.CREATE, package, before=before,
                     after=_snapshot(package), scope_code=unit.code)  # fmt: skip
    return package


@transaction.atomic
def remove_standard(actor, district: str, model, pk) -> None:
    """Remove a rule or package from a district's own set."""
    unit = unit_at(actor, district, [Level.DISTRICT], MANAGE_STANDARDS, "district")
    key = "rule" if model is AreaRule else "package"
    row = _target(actor, model, unit, pk, key)
    if row is None:
        raise NotFound()
    before = _snapshot(row)
    changelog.record(actor, Action.DELETE, row, before=before, scope_code=unit.code)
    row.delete()


# --- compliance -----------------------------------------------------------------------------------
def _pct(n: int, d: int) -> Decimal | None:
    return (Decimal(n * 100) / d).quantize(Decimal("0.1")) if d else None


def compliance(user, scope_code: str | None = None) -> dict:
    """Each community of a scope against its district's standards: area per rule and whether it is
    met, the required kinds it misses, whether it has an office at all and whether it rents; and
    per scope the share meeting each rule, the communities with no office, the rental rate."""
    if not scopes.may_read(user, Facility):
        raise Forbidden()
    roots = scopes.read_roots(user, Facility)
    code = (scope_code or "").strip()
    if code and not scopes.covers(user, code, VIEW):
        raise NotFound()
    communities = OrgUnit.objects.filter(level=Level.COMMUNITY).order_by("code")
    if code:
        communities = communities.filter(scopes.subtree_q("code", code))
    if roots is not None:
        communities = communities.filter(scopes.prefix_q("code", roots))
    units = list(communities.values_list("pk", "code", "name", "kind", "center_lat", "center_lng"))
    facilities = Facility.objects.visible_to(user).filter(in_use=True, provider__isnull=True)
    if code:
        facilities = facilities.within(code)
    per = {}
    for sc, kind_id, tenure, area, n in facilities.values_list("scope_code", "kind_id", "tenure").annotate(
        area=Sum("area"), n=Count("id")
    ):
        c = per.setdefault(sc, {"area": {}, "count": {}, "rented": False, "total": Decimal("0")})
        c["area"][kind_id] = c["area"].get(kind_id, Decimal("0")) + area
        c["count"][kind_id] = c["count"].get(kind_id, 0) + n
        c["total"] += area
        if tenure == Tenure.RENTED:
            c["rented"] = True
    office = FacilityKind.objects.filter(code=OFFICE).values_list("pk", flat=True).first()
    kind_names = dict(FacilityKind.objects.values_list("pk", "name"))
    by_district: dict = {}
    rows = []
    tally: dict = {}
    from shequ.org.models import short_name

    for unit_pk, ccode, name, unit_kind, lat, lng in units:
        district = ccode[:6]
        if district not in by_district:
            rules, packages = standards_for(district)
            by_district[district] = (
                [(r, {k.pk for k in r.kinds.all()}) for r in rules],
                [(p, [k.pk for k in p.kinds.all()]) for p in packages],
            )
        rules, packages = by_district[district]
        ctype = community_type_of(unit_kind)
        mine = per.get(ccode, {"area": {}, "count": {}, "rented": False, "total": Decimal("0")})
        checks, missing = [], []
        for r, kinds in rules:
            if r.community_type != ctype:
                continue
            area = sum((mine["area"].get(k, Decimal("0")) for k in kinds), Decimal("0"))
            ok = area >= r.min_area
            checks.append({"key": f"rule-{r.name}-{r.community_type}", "name": r.name, "min": r.min_area,
                           "area": area, "met": ok, "gap": max(r.min_area - area, Decimal("0"))})  # fmt: skip
            if not ok:
                missing.append(_("%(n)s差 %(g)s m²") % {"n": r.name, "g": r.min_area - area})
        for p, kinds in packages:
            if not p.applies_to(ctype):
                continue
            lacking = [kind_names[k] for k in kinds if not mine["count"].get(k)]
            checks.append({"key": f"package-{p.name}-{p.community_type}", "name": p.name, "min": None,
                           "area": None, "met": not lacking, "lacking": lacking})  # fmt: skip
            if lacking:
                missing.append(_("%(n)s缺%(k)s") % {"n": p.name, "k": "、".join(lacking)})
        has_office = bool(office and mine["count"].get(office))
        row = {
            "id": unit_pk,
            "code": ccode,
            "name": short_name(name),
            "type": ctype,
            "type_label": str(CommunityType(ctype).label),
            "total_area": mine["total"],
            "office_area": mine["area"].get(office, Decimal("0")) if office else Decimal("0"),
            "has_office": has_office,
            "rents": mine["rented"],
            "checks": checks,
            "met_all": all(c["met"] for c in checks),
            "missing": missing if has_office else [_("没有办公用房"), *missing],
            "lat": lat,
            "lng": lng,
        }
        rows.append(row)
        for c in checks:
            t = tally.setdefault(c["key"], {"name": c["name"], "type": ctype, "type_label": row["type_label"],
                                            "min": c["min"], "met": 0, "of": 0})  # fmt: skip
            t["of"] += 1
            t["met"] += c["met"]
    n = len(rows)
    for t in tally.values():
        t["percent"] = _pct(t["met"], t["of"])
    no_office = [r for r in rows if not r["has_office"]]
    renting = sum(r["rents"] for r in rows)
    met_all = sum(r["met_all"] for r in rows)
    return {
        "scope": code,
        "communities": n,
        "rules": list(tally.values()),
        "met_all": met_all,
        "met_all_percent": _pct(met_all, n),
        "no_office": len(no_office),
        "no_office_names": [r["name"] for r in no_office],
        "renting": renting,
        "rental_rate": _pct(renting, n),
        "rows": rows,
    }
