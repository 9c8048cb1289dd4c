"""What a person without a staff account may learn about cases: one case through its tracking link
(the link is the key, as for the requester's own evaluation in services.evaluate_by_token), the
lookup by number and the last digits of the phone, the public copy of a published case, the place
a map point falls in, and the throttles that keep the public forms from being flooded.

Which cases are published is decided in one place, models.public_q (Case.objects.public()); what a
published case shows is its public copy (public_copy below), which services store on the case when
it is written (stored_copy, Case.public_*). Open311 and the public case page both read the two.

Nothing here writes a case; intake goes through services.submit_request."""

import hmac
import re

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.cases.models import Case, CaseEvent, Channel, Status
from shequ.cases.workflow import label_of
from shequ.core.masking import mask
from shequ.org.models import Grid, Level, OrgUnit, grid_label, short_name
from shequ.org.services import locate_grid

# The handler's own words reach the requester only for these steps: the outcome (反馈, 结案) and
# the reason a request was not taken up (不予立案). Other notes may name staff or other requests.
NOTE_ACTIONS = {"feedback", "close", "reject"}

# What each status means, in the requester's words.
STATUS_HINTS = {
    Status.RECEIVED: _l("已收到您的诉求，工作人员将尽快核实并立案。"),
    Status.FILED: _l("已立案，正在安排处置单位。"),
    Status.REJECTED: _l("经核实不予立案，原因见下方办理记录。"),
    Status.DISPATCHED: _l("已派给处置单位，请耐心等待处理。"),
    Status.PROCESSING: _l("处置单位正在办理。"),
    Status.RETURNED: _l("正在重新安排处置单位。"),
    Status.HANDLED: _l("处置单位已反馈办理结果，等待现场核查。"),
    Status.VERIFIED: _l("现场核查已通过，即将结案。"),
    Status.CLOSED: _l("已办结，欢迎您对办理结果进行评价。"),
    Status.CALLED_BACK: _l("已办结并完成回访，欢迎您对办理结果进行评价。"),
    Status.EVALUATED: _l("已办结，感谢您的评价。"),
    Status.PARKED: _l("问题暂时无法解决，已登记挂账，将定期复查。"),
    Status.MERGED: _l("与同一问题的其他诉求合并办理，办理结果见下方。"),
}

# The colour of each status's badge.
STATUS_TONE = {
    Status.RECEIVED: "secondary",
    Status.FILED: "info",
    Status.REJECTED: "dark",
    Status.DISPATCHED: "primary",
    Status.PROCESSING: "primary",
    Status.RETURNED: "warning",
    Status.HANDLED: "info",
    Status.VERIFIED: "info",
    Status.CLOSED: "success",
    Status.CALLED_BACK: "success",
    Status.EVALUATED: "success",
    Status.PARKED: "warning",
    Status.MERGED: "secondary",
}

_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def place_label(community: str, grid: str) -> str:
    """The community, or its grid said as org.grid_label says it ("宁安社区 · 第一网格")."""
    return grid_label(grid, community) if grid else community


def by_token(token: str) -> Case | None:
    """The case a tracking link opens, or None."""
    if not _TOKEN_RE.match(token or ""):
        return None
    return (
        Case.objects.select_related("category__parent", "street", "community", "grid", "parent")
        .filter(tracking_token=token)
        .first()
    )


def timeline(case) -> list[dict]:
    """The public steps of a case: what, when, the handling unit of a dispatch, and the handler's
    note only for the outcome steps."""
    rows = []
    events = CaseEvent.objects.filter(case=case, public=True).order_by("at", "id")
    for e in events.only("action", "at", "note", "data"):
        row = {"action": e.action, "label": label_of(e.action), "at": e.at, "note": "", "unit": ""}
        if e.action in NOTE_ACTIONS:
            row["note"] = e.note
        if e.action in ("dispatch", "reassign"):
            row["unit"] = (e.data or {}).get("unit", "")
        rows.append(row)
    return rows


def outcome_of(case) -> dict | None:
    """For a merged request: the status and outcome notes of the case it was merged into (nothing
    else of that case: it is another person's request)."""
    parent = case.parent
    if case.status != Status.MERGED or parent is None:
        return None
    # Another person's case: its notes reach this requester cleaned as for the public.
    names = names_of(parent)
    notes = [
        {**r, "note": public_text(r["note"], names)}
        for r in timeline(parent)
        if r["action"] in ("feedback", "close")
    ]
    return {
        "status": parent.get_status_display(),
        "hint": STATUS_HINTS.get(parent.status, ""),
        "deadline": parent.deadline if parent.is_open else None,
        "closed_at": parent.closed_at,
        "notes": notes,
    }


def requester_masked(case) -> dict:
    """The requester's contact as the status page shows it (masked)."""
    if case.anonymous:
        return {}
    return {
        "name": mask(case.requester_name, "name"),
        "phone": mask(case.requester_phone, "phone"),
        "email": mask(case.requester_email, "email"),
    }


# --- the public copy of a published case ----------------------------------------------------------
# Numbers that identify a person: ID numbers (18 digits with check character, old 15-digit ones),
# mobile numbers (with or without +86 and separators), landlines with an area code, e-mail addresses.
_PERSONAL = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    r"\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx]"  # 居民身份证号码
    r"|\d{15}"  # old 15-digit ID numbers
    r"|(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}"  # mobile
    r"|0\d{2,3}[ -]?\d{7,8}"  # landline with area code
    r"|\d{7,8}"  # a local number without its area code (also catches 8-digit dates: privacy first)
    r")(?![0-9A-Za-z])"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
)
# A surname with a form of address: 王女士, 李阿姨, 张师傅 (the common surnames only, so that words
# such as 物业师傅 stay).
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
    "覃武戴莫孔向汤"
)
_ADDRESSED = re.compile(
    rf"[{_SURNAMES}](?:先生|女士|小姐|阿姨|大爷|大妈|大叔|大姐|大哥|奶奶|爷爷|婆婆|师傅|老师)"
)
# House numbers. A building (3栋, A座, 12号楼) is as coarse as the published address and stays; the
# unit and the door after it (3栋2单元501, 3栋501室, 2单元), a door alone (501室) and the dashed
# forms (3-2-501, 3-501) go.
_N = "[0-9０-９一二三四五六七八九十零〇两]"
_BUILDING = rf"(?:[A-Za-z]?{_N}{{1,4}}|[A-Za-z]{{1,2}})\s*(?:栋|幢|号楼|座)"
_UNIT = rf"{_N}{{1,3}}\s*单元"
_DOOR = rf"{_N}{{3,4}}(?!{_N})\s*(?:室|号|房|户)?(?!\s*(?:米|公里|平|元|人|天|年|m\b))"
_AFTER_BUILDING = re.compile(
    rf"(?P<building>{_BUILDING})\s*(?:{_UNIT}\s*(?:{_DOOR})?|{_DOOR}|[-－]\s*{_N}{{1,4}}(?:\s*[-－]\s*{_N}{{1,4}})?)"
)
_HOUSE = re.compile(
    rf"{_UNIT}\s*(?:{_DOOR})?"
    rf"|{_N}{{2,5}}\s*(?:室|房间|号房)"
    r"|(?<![0-9A-Za-z-])\d{1,3}\s*[-－]\s*\d{1,2}\s*[-－]\s*\d{2,4}(?![0-9A-Za-z-])"
    r"|(?<![0-9A-Za-z-])\d{1,3}[-－]\d{3,4}(?![0-9A-Za-z-])"
)
_BUILDING_RE = re.compile(_BUILDING)
REDACTED = "***"
PUBLIC_DECIMALS = 3  # about 100 m


def _name_parts(names) -> list[str]:
    """The names to cut, longest first: each name, and a Chinese given name without its surname."""
    parts = set()
    for name in names:
        name = (name or "").strip()
        if len(name) < 2:
            continue
        parts.add(name)
        if len(name) >= 3 and all("\u4e00" <= ch <= "\u9fff" for ch in name):
            parts.add(name[1:])
    return sorted(parts, key=len, reverse=True)


def public_text(text: str | None, names=()) -> str:
    """Free text as the public may read it: ID, phone and e-mail patterns, the given names, a
    surname with a form of address (王女士) and house numbers below the building replaced by ***."""
    if not text:
        return text or ""
    text = _PERSONAL.sub(REDACTED, text)
    for part in _name_parts(names):
        text = text.replace(part, REDACTED)
    text = _ADDRESSED.sub(REDACTED, text)
    text = _AFTER_BUILDING.sub(lambda m: m.group("building") + REDACTED, text)
    return _HOUSE.sub(REDACTED, text)


def coarse_address(address: str | None, names=()) -> str:
    """An address cut after its building (宁安小区3栋2单元501室 → 宁安小区3栋), or before the first
    house number when it names no building, and cleaned like public_text."""
    text = (address or "").strip()
    building = _BUILDING_RE.search(text)
    if building:
        text = text[: building.end()]
    else:
        house = _HOUSE.search(text)
        if house:
            text = text[: house.start()]
    text = public_text(text, names)
    return text.strip(" ,，、;；:：-—()（）")


def coarse_point(value: float | None) -> float | None:
    """A coordinate rounded to about 100 m."""
    return None if value is None else round(value, PUBLIC_DECIMALS)


def public_copy(*, description, address, lat, lng, names=(), place: str = "") -> dict:
    """What a published case shows of its text and place: the description cleaned of names, ID
    and phone numbers and house numbers, the address coarsened to the building or street (else
    the place's name), the point rounded to about 100 m."""
    return {
        "description": public_text(description, names),
        "address": coarse_address(address, names) or place,
        "lat": coarse_point(lat),
        "lng": coarse_point(lng),
    }


def stored_copy(*, description, address, lat, lng, names=(), address_id: str = "") -> dict:
    """The public copy as a case stores it (Case.public_*), computed when the case is written, never
    on a read: public_copy without the place, whose name readers put in when the address is empty
    (an org node renamed is then read as it is now). An address that is only an application's
    address_id ("地址编号 …") is exact and has no building to cut at: it is left out."""
    if address_id and (address or "").endswith(address_id):
        address = ""
    copy = public_copy(description=description, address=address, lat=lat, lng=lng, names=names)
    return {
        "public_description": copy["description"],
        "public_address": copy["address"][:200],
        "public_lat": copy["lat"],
        "public_lng": copy["lng"],
    }


def open311_address_id(attributes) -> str:
    """The address_id an Open311 application sent with the request (kept among the attributes)."""
    extra = (attributes or {}).get("_open311") if isinstance(attributes, dict) else None
    return str((extra or {}).get("address_id") or "")


def copy_of(case) -> dict:
    """stored_copy of a case as it stands (its text, address, point, requester and resident)."""
    return stored_copy(
        description=case.description,
        address=case.address,
        lat=case.lat,
        lng=case.lng,
        names=names_of(case),
        address_id=open311_address_id(case.attributes),
    )


def place_name(community_name: str | None, street_name: str | None) -> str:
    """The community (else the street) a case hangs under, by its short name."""
    return short_name(community_name or street_name or "")


def published(number: str) -> Case | None:
    """The published case with this number, or None (unknown and unpublished answer alike)."""
    number = (number or "").strip()
    if not (number.isdigit() and len(number) <= 20):
        return None
    return (
        Case.objects.public()
        .select_related("category__parent", "street", "community", "grid", "resident")
        .filter(number=number)
        .first()
    )


def names_of(case) -> list[str]:
    """The names a public copy of this case cuts: the requester's and the resident's it is about."""
    return [case.requester_name, case.resident.name if case.resident_id else ""]


def public_case(case) -> dict:
    """A published case as the public case page shows it: its stored public copy, the place, and
    the public steps of its timeline."""
    names = names_of(case)
    place = place_label((case.community or case.street).display_name, case.grid.name if case.grid_id else "")
    copy = {
        "description": case.public_description,
        "address": case.public_address or place,
        "lat": case.public_lat,
        "lng": case.public_lng,
    }
    events = []
    for row in timeline(case):
        row["note"] = public_text(row["note"], names)
        events.append(row)
    return {**copy, "place": place, "events": events}


def publication_of(case) -> dict:
    """What the requester's own status page says about publication: published (with the public
    page's number), withheld at their wish, possibly published once accepted, or not published."""
    if Case.objects.public().filter(pk=case.pk).exists():
        return {"state": "public", "text": _("已公开办理情况（已隐去姓名、电话、证件号和门牌号）。")}
    if case.publish_optout:
        return {"state": "private", "text": _("按您的要求，此诉求不对外公开。")}
    if case.status == Status.RECEIVED and case.category.publishable:
        return {
            "state": "pending",
            "text": _("立案后可能对外公开办理情况，公开时隐去姓名、电话、证件号和门牌号。"),
        }
    return {"state": "private", "text": _("此诉求不对外公开。")}


def lookup(number: str, last4: str) -> Case | None:
    """The case with this number whose requester's phone ends in these four digits, else None
    (an unknown number and a wrong phone answer alike)."""
    number = (number or "").strip()
    last4 = (last4 or "").strip()
    if not (number.isdigit() and len(number) <= 20 and len(last4) == 4 and last4.isdigit()):
        return None
    case = Case.objects.filter(number=number).only("pk", "tracking_token", "requester_phone").first()
    digits = re.sub(r"\D", "", case.requester_phone or "") if case is not None else ""
    # Compared in constant time, and with a dummy when there is no case, so timing tells nothing.
    ok = hmac.compare_digest((digits[-4:] if len(digits) >= 4 else "----").encode(), last4.encode())
    return case if case is not None and ok else None


def place_of(lat, lng) -> dict:
    """The grid, community and street a point lies in, or {"found": False, "message": ...}."""
    try:
        lat, lng = float(lat), float(lng)
    except (TypeError, ValueError):
        raise ValueError(_("位置坐标格式不正确，请在地图上重新选点。")) from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValueError(_("位置坐标超出范围，请在地图上重新选点。"))
    grid = locate_grid(lng, lat)
    if grid is None:
        return {
            "found": False,
            "message": _("所选位置不在本平台服务的网格范围内，请在地图上重新选点，或选择所在社区。"),
        }
    grid = Grid.objects.select_related("community__parent").get(pk=grid.pk)
    community = grid.community
    return {
        "found": True,
        "grid": grid.name,
        "community": community.display_name,
        "community_code": community.code,
        "street": community.parent.display_name if community.parent_id else "",
    }


def grid_outlines(qs=None, limit: int = 2000) -> dict:
    """Grid outlines (GeoJSON) to aim at on the intake maps; with no tile server they are the map."""
    qs = Grid.objects.all() if qs is None else qs
    feats = []
    rows = qs.filter(boundary__isnull=False).select_related("community").order_by("code")
    for g in rows.only("code", "name", "boundary", "community__name", "community__code")[:limit]:
        feats.append(
            {
                "type": "Feature",
                "geometry": g.boundary,
                "properties": {
                    "code": g.code,
                    "name": place_label(g.community.display_name, g.name),
                    "community": g.community.display_name,
                },
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def served_communities(qs=None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Communities the public form offers, grouped by street: those of the streets that have grids
    (where the platform is in use), or every community when no grid is drawn yet."""
    communities = OrgUnit.objects.filter(level=Level.COMMUNITY) if qs is None else qs
    if qs is None:
        streets = {c[:9] for c in Grid.objects.values_list("code", flat=True).distinct()[:5000]}
        if streets:
            communities = communities.filter(parent__code__in=streets)
    groups: dict[str, list] = {}
    names: dict[str, str] = {}
    for c in communities.select_related("parent").order_by("code")[:3000]:
        key = c.parent.code if c.parent_id else ""
        names[key] = c.parent.display_name if c.parent_id else ""
        groups.setdefault(key, []).append((c.code, c.display_name))
    return [(names[k], v) for k, v in groups.items()]


# --- throttles ------------------------------------------------------------------------------------
def _key(kind: str, ip: str) -> str:
    return f"shequ:cases:{kind}:{ip or '-'}"


def throttled(kind: str, ip: str, limit: int) -> bool:
    """Has this address used up its `limit` for the current hour?"""
    return limit > 0 and (cache.get(_key(kind, ip)) or 0) >= limit


def count(kind: str, ip: str) -> None:
    """Count one use against the address for the next hour."""
    key = _key(kind, ip)
    if cache.add(key, 1, 3600):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, 3600)


def report_limit() -> int:
    return settings.CASE_REPORT_PER_HOUR


def lookup_limit() -> int:
    return settings.CASE_LOOKUP_PER_HOUR


MOBILE_UA = re.compile(r"Mobi|Android|iPhone|iPad|iPod|HarmonyOS|MicroMessenger|Windows Phone", re.I)


def channel_for(request, claimed: str = "") -> str:
    """手机提交 for a phone (the page's script says so for small screens; else the user agent)."""
    if claimed in (Channel.WEB, Channel.MOBILE):
        return claimed
    ua = request.META.get("HTTP_USER_AGENT", "")
    return Channel.MOBILE if MOBILE_UA.search(ua) else Channel.WEB
