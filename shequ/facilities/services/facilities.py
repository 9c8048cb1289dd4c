"""Acts on premises: enter and correct a facility (a community's own, or a room a resident
organisation opens to residents), attach photos, renew the door code."""

import datetime as dt
import re
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from shequ.core import changelog, qr, services
from shequ.core.attachments import attach, clean_photos
from shequ.core.models import Action
from shequ.core.services import get_visible, require
from shequ.facilities.models import MANAGE, WEEKDAYS, Facility, FacilityKind, Obtained, Tenure
from shequ.facilities.services.common import choice, day, decimal, invalid, text, unit_at
from shequ.org.models import Level, ResidentOrganization

FACILITY_FIELDS = (
    "name", "kind", "area", "floor", "step_free", "tenure", "annual_rent", "lease_start", "lease_end",
    "obtained", "address", "lat", "lng", "opening_hours", "in_use", "note", "provider", "bookable",
    "book_residents", "book_teams", "book_units", "book_ahead_days", "price_per_hour", "needs_approval",
    "capacity",
)  # fmt: skip
MAX_AREA = Decimal("100000")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")


def kind_of(value) -> FacilityKind:
    """A kind by its code, its name or its id."""
    text_value = str(value or "").strip()
    q = Q(code=text_value) | Q(name=text_value)
    if text_value.isdigit():
        q |= Q(pk=int(text_value))
    found = FacilityKind.objects.filter(q, active=True).first() if text_value else None
    if found is None:
        names = "、".join(FacilityKind.objects.filter(active=True).values_list("name", flat=True))
        raise invalid(
            "kind", _("阵地类别“%(v)s”不在可选范围内，应为：%(n)s。") % {"v": text_value[:20], "n": names}
        )
    return found


def _minutes(t: str) -> int:
    h, m = t.split(":")
    return int(h) * 60 + int(m)


def parse_hours(value) -> dict:
    """Opening hours as {"1": [["08:30", "12:00"], …], …} (ISO weekdays), from that shape or from
    one text per weekday ("08:30-12:00, 14:00-17:30"; empty: closed)."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise invalid("opening_hours", _("开放时间格式有误。"))
    out = {}
    for key, spans in value.items():
        if str(key) not in {str(d) for d in range(1, 8)}:
            raise invalid("opening_hours", _("开放时间按星期填写（1 为周一，7 为周日）。"))
        label = f"周{WEEKDAYS[int(key) - 1]}"
        if isinstance(spans, str):
            parts = [p for p in re.split(r"[,，、;；\s]+", spans.strip()) if p]
            spans = [re.split(r"[-–—~～至]", p, maxsplit=1) for p in parts]
        if not isinstance(spans, list):
            raise invalid("opening_hours", _("%(d)s的开放时间格式有误。") % {"d": label})
        clean = []
        for span in spans:
            if (
                not isinstance(span, list | tuple)
                or len(span) != 2
                or not all(isinstance(t, str) and _TIME.match(t.strip()) for t in span)
            ):
                raise invalid(
                    "opening_hours", _("%(d)s的开放时间应写成“08:30-12:00”，多段用逗号分开。") % {"d": label}
                )
            a, b = span[0].strip(), span[1].strip()
            if _minutes(a) >= _minutes(b):
                raise invalid(
                    "opening_hours",
                    _("%(d)s的开放时间 %(a)s–%(b)s：结束应晚于开始。") % {"d": label, "a": a, "b": b},
                )
            clean.append([a, b])
        clean.sort()
        for (_a1, b1), (a2, _b2) in zip(clean, clean[1:], strict=False):
            if _minutes(a2) < _minutes(b1):
                raise invalid("opening_hours", _("%(d)s的开放时间段有重叠。") % {"d": label})
        if clean:
            out[str(key)] = clean
    return out


def open_minutes(hours: dict) -> dict[int, int]:
    """Minutes open on each ISO weekday."""
    return {d: sum(_minutes(b) - _minutes(a) for a, b in hours.get(str(d), [])) for d in range(1, 8)}


def clean_facility(data: dict, community) -> dict:
    """Normalise and check a facility's fields (the same rules for the page, the API and imports)."""
    out = {}
    out["name"] = text(data.get("name"), "name", _("名称"), 80, required=True)
    kind = data.get("kind")
    out["kind"] = kind if isinstance(kind, FacilityKind) else kind_of(kind)
    out["area"] = decimal(data.get("area"), "area", _("面积"), top=MAX_AREA, positive=True)
    floor = data.get("floor")
    if floor in ("", None):
        out["floor"] = None
    else:
        try:
            out["floor"] = int(floor)
        except (TypeError, ValueError):
            raise invalid("floor", _("楼层应为整数，地下为负数。")) from None
        if not -5 <= out["floor"] <= 60 or out["floor"] == 0:
            raise invalid("floor", _("楼层应在 -5 到 60 之间（没有第 0 层）。"))
    out["step_free"] = bool(data.get("step_free"))
    out["tenure"] = choice(Tenure, data.get("tenure"), "tenure", _("产权方式"))
    rent = decimal(
        data.get("annual_rent"), "annual_rent", _("年租金"), top=Decimal("9999999999"), required=False
    )
    start = day(data.get("lease_start"), "lease_start", _("租期起"))
    end = day(data.get("lease_end"), "lease_end", _("租期止"))
    if out["tenure"] == Tenure.RENTED:
        if rent is None:
            raise invalid("annual_rent", _("租用的阵地请填写年租金（元）。"))
        if start is None or end is None:
            raise invalid("lease_end", _("租用的阵地请填写租期起止日期。"))
        if end < start:
            raise invalid("lease_end", _("租期止不能早于租期起。"))
    elif rent is not None or start or end:
        raise invalid("tenure", _("只有租用的阵地填写租金和租期；请把产权方式改为“租用”或清空租金和租期。"))
    out.update(annual_rent=rent, lease_start=start, lease_end=end)
    obtained = data.get("obtained")
    out["obtained"] = choice(Obtained, obtained, "obtained", _("取得方式")) if obtained else ""
    out["address"] = text(data.get("address"), "address", _("地址"), 200)
    lat, lng = data.get("lat"), data.get("lng")
    if (lat in (None, "")) != (lng in (None, "")):
        raise invalid("lat", _("位置须同时填写纬度和经度。"))
    if lat not in (None, ""):
        try:
            lat, lng = float(lat), float(lng)
        except (TypeError, ValueError):
            raise invalid("lat", _("纬度和经度应为数字。")) from None
        if not (3 <= lat <= 54 and 73 <= lng <= 136):
            raise invalid("lat", _("位置不在中国境内，请检查纬度和经度是否填反。"))
    else:
        lat = lng = None
    out.update(lat=lat, lng=lng)
    out["opening_hours"] = parse_hours(data.get("opening_hours"))
    out["in_use"] = bool(data.get("in_use", True))
    out["note"] = text(data.get("note"), "note", _("备注"), 200)
    provider = data.get("provider")
    if provider in (None, ""):
        out["provider"] = None
    else:
        pk = provider.pk if isinstance(provider, ResidentOrganization) else provider
        found = ResidentOrganization.objects.filter(
            pk=pk if str(pk).isdigit() else 0, community=community
        ).first()
        if found is None:
            raise invalid("provider", _("提供单位须是本社区登记的驻区单位。"))
        out["provider"] = found
    for f in ("bookable", "book_residents", "book_teams", "book_units", "needs_approval"):
        out[f] = bool(data.get(f, f != "bookable" and f != "needs_approval"))
    ahead = data.get("book_ahead_days", 14)
    try:
        ahead = int(ahead if ahead not in (None, "") else 14)
    except (TypeError, ValueError):
        raise invalid("book_ahead_days", _("最多提前预约天数应为 1 到 365 的整数。")) from None
    if not 1 <= ahead <= 365:
        raise invalid("book_ahead_days", _("最多提前预约天数应为 1 到 365 的整数。"))
    out["book_ahead_days"] = ahead
    out["price_per_hour"] = decimal(
        data.get("price_per_hour") or 0, "price_per_hour", _("收费"), top=Decimal("100000")
    )
    capacity = data.get("capacity")
    if capacity in (None, ""):
        out["capacity"] = None
    else:
        try:
            out["capacity"] = int(capacity)
        except (TypeError, ValueError):
            raise invalid("capacity", _("容纳人数应为整数。")) from None
        if not 1 <= out["capacity"] <= 100000:
            raise invalid("capacity", _("容纳人数应在 1 到 100000 之间。"))
    if out["bookable"]:
        if not (out["book_residents"] or out["book_teams"] or out["book_units"]):
            raise invalid("bookable", _("开放预约的场地至少允许居民、团队或单位之一预约。"))
        if not out["opening_hours"]:
            raise invalid("opening_hours", _("开放预约的场地请填写开放时间。"))
        if not out["in_use"]:
            raise invalid("bookable", _("停用的场地不能开放预约。"))
    if out["provider"] is not None and not out["bookable"]:
        raise invalid("bookable", _("驻区单位的场地登记在此是为了向居民开放，请勾选“开放预约”。"))
    return out


@transaction.atomic
def add_facility(actor, community: str, **data) -> Facility:
    """Enter a facility of a community (or a unit's room open to its residents)."""
    unit = unit_at(actor, community, [Level.COMMUNITY], MANAGE, "community")
    fields = clean_facility(data, unit)
    return services.create(actor, Facility(community=unit, door_key=qr.new_key(), **fields), perm=MANAGE)


@transaction.atomic
def update_facility(actor, pk: int, *, expected_version: int | None = None, **data) -> Facility:
    """Correct a facility; fields not given keep their values."""
    f = get_visible(Facility, actor, pk, for_update=True)
    require(actor, MANAGE, f.scope_code)
    current = {k: getattr(f, k) for k in FACILITY_FIELDS}
    current.update({k: v for k, v in data.items() if k in FACILITY_FIELDS})
    fields = clean_facility(current, f.community)
    return services.update(actor, Facility, f.pk, fields, perm=MANAGE, expected_version=expected_version)


@transaction.atomic
def add_photos(actor, pk: int, photos) -> list:
    """Attach photos (checked and stripped of their metadata) to a facility."""
    f = get_visible(Facility, actor, pk)
    require(actor, MANAGE, f.scope_code)
    clean = clean_photos(photos)
    if not clean:
        raise invalid("photos", _("请选择要上传的照片。"))
    rows = attach(f, f.scope_code, clean, actor)
    changelog.record(actor, Action.UPDATE, f, note=_("上传照片 %(n)d 张") % {"n": len(rows)})
    return rows


@transaction.atomic
def renew_door_key(actor, pk: int) -> Facility:
    """A new door code: the QR codes printed or shown before stop working (a code seen where it
    should not have been)."""
    f = get_visible(Facility, actor, pk, for_update=True)
    return services.update(actor, Facility, f.pk, {"door_key": qr.new_key()}, perm=MANAGE,
                           note=_("更换门口签到码"))  # fmt: skip


def lease_ending(facility, today: dt.date, days: int = 90) -> bool:
    return bool(
        facility.tenure == Tenure.RENTED
        and facility.lease_end
        and facility.lease_end <= today + dt.timedelta(days=days)
    )
