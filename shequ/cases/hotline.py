"""12345 hotline transfers: one work order becomes one case, however often it arrives.

Used by the work-order file import (`shequ.cases.importer`) and by the push endpoint of the API
(POST /api/v1/cases/hotline/orders). Both speak the hotline's language: its category names, its
own time limit ("3个工作日", "24小时" or a due time), a community by name or code. The order number
is the key: `services.submit_request` finds an order it has seen before and creates nothing.

The hotline's time limit, when given, replaces the category's: the street is assessed by the
hotline against the hotline's limit, so the clock that starts at dispatch runs on that one."""

import datetime as dt
import math
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.cases import services
from shequ.cases.models import Case, Category, Channel, LimitUnit
from shequ.core import scope, worktime
from shequ.core.errors import Conflict, NotFound, ValidationFailed
from shequ.core.importing import EXCEL_EPOCH, RowError, parse_phone
from shequ.core.services import require
from shequ.org.models import Level, OrgUnit, short_name

PERM = "cases.import_hotline"

# Names the 12345 systems use for what our tree calls by another name (their 小类 or the last
# part of "城市管理-噪声扰民"). An exact name or code of our own minor classes always wins.
HOTLINE_NAMES = {
    "噪声扰民": "0803", "噪音扰民": "0803", "噪声污染": "0803", "社会生活噪声": "0803", "噪声": "0803",
    "施工噪声": "0301", "施工噪音": "0301", "夜间施工": "0301", "建筑施工噪声": "0301",
    "扬尘污染": "0302", "工地扬尘": "0302",
    "油烟扰民": "0110", "餐饮油烟": "0110",
    "违章建筑": "0802", "违法建设": "0802", "违建": "0802", "违法建筑": "0802",
    "占道经营": "0507", "马路市场": "0507", "流动摊贩": "0501", "游商": "0501", "无照经营": "0501",
    "乱停车": "0505", "车辆乱停放": "0505", "机动车乱停": "0505", "违章停车": "0505",
    "非机动车乱停": "0506", "共享单车": "0506", "停车难": "0804", "停车管理": "0804", "小区停车": "0804",
    "垃圾清运": "0703", "垃圾堆放": "0703", "生活垃圾": "0703", "小区环境": "0703", "环境脏乱": "0703",
    "物业管理": "0702", "物业纠纷": "0702", "物业": "0702",
    "电梯": "0708", "电梯维修": "0708",
    "停水": "0709", "停电": "0709", "供水": "0709", "供电": "0709", "水压": "0709",
    "爆管": "0402", "水管破裂": "0402",
    "下水道": "0404", "排水不畅": "0404", "化粪池": "0404", "管道堵塞": "0404",
    "路面破损": "0401", "道路破损": "0401", "坑洼": "0401",
    "路灯": "0704", "公共设施": "0704", "健身器材": "0704", "井盖": "0704",
    "养犬": "0710", "犬只": "0710", "宠物扰民": "0710", "流浪狗": "0710", "流浪猫": "0710",
    "邻里矛盾": "0701", "邻里纠纷": "0701", "家庭矛盾": "0701",
    "居家养老": "0705", "养老": "0705", "高龄补贴": "0705",
    "低保": "0706", "困难救助": "0706", "救助": "0706", "临时救助": "0706",
    "求职": "0707", "就业": "0707", "失业": "0707",
    "小广告": "0201", "牛皮癣": "0201",
    "消防通道": "0805", "消防隐患": "0408", "火灾隐患": "0408", "飞线充电": "0408",
    "群租": "0806",
    "治安": "0801", "盗窃": "0801",
    "燃气": "0403", "燃气泄漏": "0403",
    "积水": "0405",
    "其他": "0711", "其它": "0711",
}  # fmt: skip
_SPLIT = re.compile(r"\s*[-－—/／>》\\|｜]+\s*")
_LIMIT = re.compile(r"^(\d{1,4})\s*个?\s*(工作)?\s*(日|天|小时|时|h|d)?$", re.IGNORECASE)
_DATETIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:\s+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?$")


def _invalid(field: str, message) -> ValidationFailed:
    return ValidationFailed(message, details={field: [str(message)]})


# --- categories -----------------------------------------------------------------------------------
class CategoryMap:
    """The active minor classes by code and name, plus the hotline's names; built once per import."""

    def __init__(self):
        minors = Category.objects.filter(parent__isnull=False, active=True).select_related("parent")
        self.by_code = {c.code: c for c in minors}
        self.by_name = {c.name: c for c in minors}
        self.aliases = {k: self.by_code[v] for k, v in HOTLINE_NAMES.items() if v in self.by_code}
        self._longest = sorted(self.aliases, key=len, reverse=True)

    def find(self, text) -> Category | None:
        """A minor class for the hotline's category (code, our name, their name, or "大类-小类")."""
        text = str(text or "").strip()
        if not text:
            return None
        if text in self.by_code:
            return self.by_code[text]
        parts = [p for p in _SPLIT.split(text) if p]
        for part in reversed(parts):  # the most specific part comes last
            hit = self.by_name.get(part) or self.aliases.get(part) or self.by_code.get(part)
            if hit is not None:
                return hit
        for part in reversed(parts):
            for name in self._longest:
                if name in part:
                    return self.aliases[name]
        return None


def category_for(text) -> Category:
    """The minor class for a hotline category, or a ValidationFailed that says what to write."""
    cat = CategoryMap().find(text)
    if cat is None:
        raise _invalid("category", unknown_category_message(text))
    return cat


def unknown_category_message(text) -> str:
    return _(
        "诉求类别“%(c)s”无法对应到本平台的小类，请填写小类名称或编码（如“噪音”或 0803），见“案件类别”。"
    ) % {"c": str(text or "")[:30]}


# --- places ---------------------------------------------------------------------------------------
class CommunityMap:
    """Communities under a scope, by code, full name and short name."""

    def __init__(self, within: str = ""):
        qs = OrgUnit.objects.filter(level=Level.COMMUNITY)
        if within:
            qs = qs.filter(scope.subtree_q("code", within[:9]))  # the whole street: a name is checked later
        self.index = {}
        for c in qs:
            for key in (c.code, c.name, short_name(c.name)):
                self.index.setdefault(key, c)

    def find(self, text) -> OrgUnit | None:
        text = "".join(str(text or "").split())
        if not text:
            return None
        return self.index.get(text) or self.index.get(text + "社区")


def community_for(text, within: str = "") -> OrgUnit:
    c = CommunityMap(within).find(text)
    if c is None:
        raise NotFound(
            _("未找到社区“%(c)s”，或它不在您的管辖范围内。请填写社区全称或 12 位代码。")
            % {"c": str(text)[:30]}
        )
    return c


# --- cells ----------------------------------------------------------------------------------------
def parse_datetime(raw, header: str = "") -> dt.datetime | None:
    """2024-05-01 09:30[:00], 2024/5/1 9:30, 2024年5月1日 9时30分, 20240501093000, an Excel serial
    number or a date cell; naive times are Beijing time. Raises RowError with what to write."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, dt.datetime):
        value = raw
    elif isinstance(raw, dt.date):
        value = dt.datetime.combine(raw, dt.time())
    elif isinstance(raw, (int, float)) and not isinstance(raw, bool) and 1 <= raw < 80000:
        value = dt.datetime.combine(EXCEL_EPOCH, dt.time()) + dt.timedelta(days=float(raw))
        value = value.replace(microsecond=0)
    else:
        value = _datetime_text(str(raw).strip(), header)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _datetime_text(text: str, header: str) -> dt.datetime:
    t = text.replace("T", " ").replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-")
    t = t.replace("日", " ").replace("时", ":").replace("分", ":").replace("秒", "")
    t = re.sub(r"\s+", " ", t).strip().rstrip(":")
    t = re.sub(r"[+-]\d{2}:?\d{2}$|Z$", "", t) if " " in t else t  # an offset from an ISO time
    try:
        if re.fullmatch(r"\d{14}|\d{12}|\d{8}", t):
            parts = [t[:4], t[4:6], t[6:8], t[8:10] or "0", t[10:12] or "0", t[12:14] or "0"]
            return dt.datetime(*map(int, parts))
        m = _DATETIME.match(t)
        if m:
            return dt.datetime(*(int(g or 0) for g in m.groups()))
    except ValueError:
        pass
    raise RowError(
        _("“%(h)s”的时间“%(v)s”无法识别，请写成 2024-05-01 09:30 或 2024/5/1 9:30。")
        % {"h": header or _("受理时间"), "v": text[:25]}
    )


def parse_limit(raw, received_at=None):
    """The hotline's time limit as (value, unit): "3个工作日", "3天", "24小时", a bare number of
    working days, or a due time (turned into the working hours left from receipt). None if empty."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and float(raw).is_integer() and raw < 400:
        raw = str(int(raw))
    text = "".join(str(raw).split()) if not isinstance(raw, (dt.date, dt.datetime)) else ""
    m = _LIMIT.match(text) if text else None
    if m:
        value = int(m.group(1))
        unit = LimitUnit.HOURS if (m.group(3) or "").lower() in ("小时", "时", "h") else LimitUnit.DAYS
        if value < 1:
            raise RowError(_("办理时限至少为 1。"))
        return value, unit
    try:
        due = parse_datetime(raw, _("办理时限"))
    except RowError:
        raise RowError(
            _("“办理时限”的值“%(v)s”无法识别，请写成 3个工作日、24小时，或截止时间如 2024-05-03 18:00。")
            % {"v": str(raw)[:20]}
        ) from None
    start = received_at or timezone.now()
    hours = worktime.working_hours_between(start, due) if due > start else 0
    return max(1, math.ceil(hours)), LimitUnit.HOURS


def usable_phone(text) -> str:
    """The phone if it is one we can text or call back, else ""."""
    text = str(text or "").strip()
    if not text:
        return ""
    try:
        return parse_phone(text)
    except RowError:
        return ""


# --- the one door ---------------------------------------------------------------------------------
@transaction.atomic
def receive_order(
    actor,
    *,
    order_no: str,
    content: str,
    category,
    received_at=None,
    requester_name: str = "",
    phone: str = "",
    address: str = "",
    lat=None,
    lng=None,
    community=None,
    street=None,
    limit=None,
    within: str = "",
    categories: CategoryMap | None = None,
) -> tuple[Case, bool, list[str]]:
    """Receive one 12345 work order: (case, created, warnings). An order number seen before
    returns its case and creates nothing; a place outside the actor's scope is not found."""
    require(actor, PERM)
    order_no = "".join(str(order_no or "").split())[:64]
    if not order_no:
        raise _invalid("order_no", _("请填写工单编号。"))
    found = Case.objects.filter(channel=Channel.HOTLINE, external_id=order_no).first()
    if found is not None:
        if not Case.objects.visible_to(actor).filter(pk=found.pk).exists():
            raise Conflict(
                _("工单 %(n)s 已由其他单位登记，请核对工单编号。") % {"n": order_no}, code="order_elsewhere"
            )
        return found, False, []
    cat = category if isinstance(category, Category) else (categories or CategoryMap()).find(category)
    if cat is None:
        raise _invalid("category", unknown_category_message(category))
    warnings = []
    try:
        received_at = parse_datetime(received_at, _("受理时间"))
        value_unit = parse_limit(limit, received_at)
    except RowError as exc:
        raise _invalid("received_at" if "受理" in str(exc) else "time_limit", str(exc)) from None
    if received_at is not None and received_at > timezone.now() + dt.timedelta(minutes=10):
        raise _invalid("received_at", _("受理时间不能晚于现在，请核对。"))
    if isinstance(community, str) and community.strip():
        community = community_for(community, within)
    elif not isinstance(community, OrgUnit):
        community = None
    if isinstance(street, str) and street.strip():
        street = OrgUnit.objects.filter(code=street.strip(), level=Level.STREET).first()
        if street is None:
            raise NotFound(_("未找到该街道，或它不在您的管辖范围内。"))
    elif not isinstance(street, OrgUnit):
        street = None
    if community is None and street is None and lat in (None, "") and within:
        node = OrgUnit.objects.filter(code=within).first()
        if node is not None and node.level == Level.COMMUNITY:
            community = node
        elif node is not None and node.level == Level.STREET:
            street = node
    own_grid = None
    if community is None and street is None and lat in (None, ""):
        community, street, own_grid = services.actor_place(actor)
    st, comm, grid = services.resolve_place(
        lat=lat, lng=lng, community=community, street=street, grid=own_grid, within=within
    )
    code = grid.code if grid else comm.code if comm else st.code
    if not scope.covers(actor, code, PERM) or (within and not code.startswith(within)):
        raise NotFound(_("该工单的位置不在您的管辖范围内。"))
    requester_phone = usable_phone(phone)
    if phone and not requester_phone:
        warnings.append(
            _("联系电话“%(p)s”格式不正确，未记录（回访请以工单原件为准）。") % {"p": str(phone)[:3] + "…"}
        )
    attributes = {"hotline_order": order_no}
    if category not in (None, "") and not isinstance(category, Category):
        attributes["hotline_category"] = str(category)[:60]
    if value_unit:
        attributes["hotline_limit"] = f"{value_unit[0]} {LimitUnit(value_unit[1]).label}"
    case, created = services.submit_request(
        actor,
        channel=Channel.HOTLINE,
        category=cat,
        description=content,
        address=address,
        lat=lat,
        lng=lng,
        community=comm,
        street=st,
        requester_name=requester_name,
        requester_phone=requester_phone,
        external_id=order_no,
        attributes=attributes,
        received_at=received_at,
        within=within,
    )
    if created and value_unit and (case.limit_value, case.limit_unit) != value_unit:
        Case.objects.filter(pk=case.pk).update(limit_value=value_unit[0], limit_unit=value_unit[1])
        case.limit_value, case.limit_unit = value_unit
    return case, created, warnings
