"""Acts on the catalogue, the centres and their windows, and the outlets: each checks its rules,
writes through the kernel's create/update (role, scope, change log) in one transaction."""

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from shequ.core import changelog
from shequ.core import services as kernel
from shequ.core.errors import NotFound
from shequ.core.models import Action
from shequ.core.services import get_visible, require
from shequ.org.models import Level, ResidentOrganization
from shequ.services.models import (
    CENTRE_LEVEL_OF,
    MANAGE,
    Centre,
    Mode,
    Outlet,
    ProviderKind,
    Service,
    ServiceCategory,
    Window,
)
from shequ.services.services.common import choice, count, day, decimal, invalid, text, unit_at

SERVICE_FIELDS = ("name", "category", "mode", "price", "price_unit", "provider_kind", "provider_name",
                  "provider_unit", "facility", "place", "hours", "description", "active")  # fmt: skip
CATALOGUE_LEVELS = (Level.STREET, Level.COMMUNITY)


def category_of(value) -> ServiceCategory:
    """A category by its code, its name or its id."""
    if isinstance(value, ServiceCategory):
        return value
    v = str(value or "").strip()
    q = Q(code=v) | Q(name=v)
    if v.isdigit():
        q |= Q(pk=int(v))
    found = ServiceCategory.objects.filter(q, active=True).first() if v else None
    if found is None:
        names = "、".join(ServiceCategory.objects.filter(active=True).values_list("name", flat=True))
        raise invalid(
            "category", _("服务类别“%(v)s”不在可选范围内，应为：%(n)s。") % {"v": v[:20], "n": names}
        )
    return found


def _facility(actor, value, org_code: str, field: str = "facility"):
    """A facility (阵地) of the unit's area the actor may see, or None."""
    if value in (None, ""):
        return None
    Facility = apps.get_model("facilities", "Facility")
    pk = value.pk if hasattr(value, "pk") else value
    f = Facility.objects.visible_to(actor).filter(pk=pk if str(pk).isdigit() else 0).first()
    if f is None or not (f.scope_code.startswith(org_code) or org_code.startswith(f.scope_code)):
        raise invalid(field, _("所选阵地不在本单位辖区内，请从本社区（街道）的阵地中选择。"))
    return f


def _provider(data: dict, org_code: str) -> dict:
    kind = choice(
        ProviderKind, data.get("provider_kind") or ProviderKind.COMMUNITY, "provider_kind", _("提供方类型")
    )
    name = text(data.get("provider_name"), "provider_name", _("提供方"), 100)
    unit = data.get("provider_unit")
    if kind == ProviderKind.UNIT:
        if unit in (None, ""):
            raise invalid("provider_unit", _("提供方是驻区单位时，请选择是哪一家驻区单位。"))
        pk = unit.pk if hasattr(unit, "pk") else unit
        unit = ResidentOrganization.objects.filter(pk=pk if str(pk).isdigit() else 0).first()
        if unit is None or not (unit.scope_code.startswith(org_code) or org_code.startswith(unit.scope_code)):
            raise invalid("provider_unit", _("所选驻区单位不在本社区（街道）辖区内。"))
        name = name or unit.name
    else:
        if unit not in (None, ""):
            raise invalid(
                "provider_unit",
                _("只有提供方是驻区单位时才选择单位；请把提供方类型改为“驻区单位”或清空单位。"),
            )
        unit = None
        if kind in (ProviderKind.SOCIAL, ProviderKind.COMPANY) and not name:
            raise invalid("provider_name", _("请填写提供服务的社会组织或企业名称。"))
    return {"provider_kind": kind, "provider_name": name, "provider_unit": unit}


def clean_service(actor, data: dict, org_code: str) -> dict:
    """Normalise and check a service's fields (the same rules for the page and the API)."""
    out = {"name": text(data.get("name"), "name", _("服务名称"), 80, required=True)}
    out["category"] = category_of(data.get("category"))
    out["mode"] = choice(Mode, data.get("mode") or Mode.FREE, "mode", _("服务方式"))
    price = decimal(data.get("price"), "price", _("收费标准"))
    if out["mode"] == Mode.FREE and price is not None:
        raise invalid("price", _("无偿服务不收费：请清空收费标准，或把服务方式改为“低偿”或“有偿”。"))
    if out["mode"] != Mode.FREE and price is None:
        raise invalid("price", _("低偿、有偿服务须填写收费标准（元），如 15。"))
    out["price"] = price
    out["price_unit"] = text(data.get("price_unit"), "price_unit", _("计价单位"), 20) if price else ""
    out.update(_provider(data, org_code))
    out["facility"] = _facility(actor, data.get("facility"), org_code)
    out["place"] = text(data.get("place"), "place", _("服务地点"), 200)
    out["hours"] = text(data.get("hours"), "hours", _("服务时间"), 200)
    out["description"] = text(data.get("description"), "description", _("服务内容"), 500)
    out["active"] = bool(data.get("active", True))
    return out


def add_service(actor, org_code, **data) -> Service:
    """Add a service to the catalogue of a community or a street."""
    org = unit_at(actor, org_code, CATALOGUE_LEVELS, MANAGE, "org")
    service = kernel.create(actor, Service(org=org, **clean_service(actor, data, org.code)), perm=MANAGE)
    service.refresh_from_db()  # the stored price (8 → 8.00) in the answer
    return service


def update_service(actor, pk, *, expected_version=None, **changes) -> Service:
    s = get_visible(Service, actor, pk)
    require(actor, MANAGE, s.scope_code)
    data = {k: getattr(s, k) for k in SERVICE_FIELDS}
    data.update(changes)
    clean = clean_service(actor, data, s.org.code)
    return kernel.update(actor, Service, s.pk, clean, perm=MANAGE, expected_version=expected_version)


def applicable_services(user, community_code: str):
    """The active catalogue services a resident of this community may receive: the community's own
    and its street's (visible to the user)."""
    return (
        Service.objects.visible_to(user)
        .filter(active=True, scope_code__in=[community_code, community_code[:9], community_code[:6]])
        .select_related("category")
    )


# --- centres and windows ------------------------------------------------------------------------------
CENTRE_FIELDS = ("name", "address", "facility", "hours", "phone")


def _clean_centre(actor, data: dict, org_code: str) -> dict:
    return {
        "name": text(data.get("name"), "name", _("名称"), 80, required=True),
        "address": text(data.get("address"), "address", _("地址"), 200),
        "facility": _facility(actor, data.get("facility"), org_code),
        "hours": text(data.get("hours"), "hours", _("办公时间"), 200),
        "phone": text(data.get("phone"), "phone", _("服务电话"), 30),
    }


def add_centre(actor, org_code, **data) -> Centre:
    """Register the service centre of a district or street, or a community's service station."""
    org = unit_at(actor, org_code, (Level.DISTRICT, Level.STREET, Level.COMMUNITY), MANAGE, "org")
    centre = Centre(org=org, level=CENTRE_LEVEL_OF[org.level], **_clean_centre(actor, data, org.code))
    return kernel.create(actor, centre, perm=MANAGE)


def update_centre(actor, pk, *, expected_version=None, **changes) -> Centre:
    c = get_visible(Centre, actor, pk)
    data = {k: getattr(c, k) for k in CENTRE_FIELDS}
    data.update(changes)
    return kernel.update(actor, Centre, c.pk, _clean_centre(actor, data, c.org.code), perm=MANAGE,
                         expected_version=expected_version)  # fmt: skip


def _matters(actor, centre: Centre, ids) -> list[Service]:
    """Catalogue services a window of this centre may handle: the centre's unit's own, those of the
    units above it and, for a district or street centre, those of the units below."""
    ids = [i.pk if hasattr(i, "pk") else i for i in (ids or [])]
    if any(not str(i).isdigit() for i in ids):
        raise invalid("matters", _("办理事项应为服务目录中的服务编号。"))
    found = list(Service.objects.visible_to(actor).filter(pk__in=[int(i) for i in ids]))
    code = centre.org.code
    wrong = [s for s in found if not (s.scope_code.startswith(code) or code.startswith(s.scope_code))]
    if len(found) != len(set(ids)) or wrong:
        raise invalid("matters", _("办理事项只能从本中心所在单位及其上下级的服务目录中选择。"))
    return found


def _clean_window(data: dict) -> dict:
    number = count(data.get("number"), "number", _("窗口号"), top=999)
    if number < 1:
        raise invalid("number", _("窗口号应为 1 到 999 的整数。"))
    return {
        "number": number,
        "name": text(data.get("name"), "name", _("窗口名称"), 60, required=True),
        "staff": count(data.get("staff", 1), "staff", _("窗口人员"), top=99),
    }


@transaction.atomic
def add_window(actor, centre_id, *, matters=(), **data) -> Window:
    """Open a one-stop window at a centre, with the matters it handles."""
    centre = get_visible(Centre, actor, centre_id)
    require(actor, MANAGE, centre.scope_code)
    chosen = _matters(actor, centre, matters)
    window = kernel.create(actor, Window(centre=centre, **_clean_window(data)), perm=MANAGE)
    window.matters.set(chosen)
    changelog.record(
        actor, Action.UPDATE, window, note=_("办理事项：%(m)s") % {"m": "、".join(s.name for s in chosen)}
    )
    return window


@transaction.atomic
def update_window(actor, pk, *, matters=None, expected_version=None, **changes) -> Window:
    w = get_visible(Window, actor, pk)
    data = {"number": w.number, "name": w.name, "staff": w.staff, **changes}
    window = kernel.update(
        actor, Window, w.pk, _clean_window(data), perm=MANAGE, expected_version=expected_version
    )
    if matters is not None:
        chosen = _matters(actor, window.centre, matters)
        window.matters.set(chosen)
        changelog.record(actor, Action.UPDATE, window,
                         note=_("办理事项：%(m)s") % {"m": "、".join(s.name for s in chosen) or "—"})  # fmt: skip
    return window


# --- outlets ------------------------------------------------------------------------------------------
OUTLET_FIELDS = ("name", "category", "provider_kind", "provider_name", "address", "staff",
                 "formerly_unemployed", "opened_on", "active")  # fmt: skip


def _clean_outlet(data: dict) -> dict:
    out = {
        "name": text(data.get("name"), "name", _("网点名称"), 80, required=True),
        "category": category_of(data.get("category")),
        "provider_kind": choice(
            ProviderKind,
            data.get("provider_kind") or ProviderKind.COMMUNITY,
            "provider_kind",
            _("举办方类型"),
        ),  # fmt: skip
        "provider_name": text(data.get("provider_name"), "provider_name", _("举办方"), 100),
        "address": text(data.get("address"), "address", _("地址"), 200),
        "staff": count(data.get("staff"), "staff", _("从业人员")),
        "formerly_unemployed": count(
            data.get("formerly_unemployed"), "formerly_unemployed", _("下岗失业人员")
        ),
        "opened_on": day(data.get("opened_on"), "opened_on", _("开办日期")),
        "active": bool(data.get("active", True)),
    }
    if out["formerly_unemployed"] > out["staff"]:
        raise invalid(
            "formerly_unemployed",
            _("其中下岗失业人员（%(u)d 人）不能多于从业人员（%(s)d 人）。")
            % {"u": out["formerly_unemployed"], "s": out["staff"]},
        )
    return out


def add_outlet(actor, community_code, **data) -> Outlet:
    community = unit_at(actor, community_code, (Level.COMMUNITY,), MANAGE, "community")
    return kernel.create(actor, Outlet(community=community, **_clean_outlet(data)), perm=MANAGE)


def update_outlet(actor, pk, *, expected_version=None, **changes) -> Outlet:
    o = get_visible(Outlet, actor, pk)
    data = {k: getattr(o, k) for k in OUTLET_FIELDS}
    data.update(changes)
    return kernel.update(
        actor, Outlet, o.pk, _clean_outlet(data), perm=MANAGE, expected_version=expected_version
    )


__all__ = ["NotFound"]
