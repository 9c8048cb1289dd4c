"""Synthetic cases: a seeded generator of a street office's caseload for the demo, the tests and
the benchmarks, written with one bulk insert per table (see core.bulk).

Each case is walked along the workflow of `workflow.TABLE` in simulated time and stopped at `now`,
so the mix of statuses comes out of the timing rather than being drawn: what was received months
ago is closed and called back, what came in this week is still being handled, and a tail of slow
cases is overdue. Beside the main line a share of cases is rejected, merged into an earlier case
of the same class nearby, returned once and re-dispatched, reworked after a failed verification,
extended (granted or refused), parked (some released again) or supervised.

The deadlines follow the clock of `services` exactly (start at dispatch, limit in working hours or
days, warning at 80 %, extension by working days, parking pauses it, feedback stops it), computed
with `WorkClock`, a table of the working periods of the span built once from `core.worktime`:
a million deadlines by `worktime.add_working_hours` would take minutes.

The figures aimed at, from street offices' published monthly 接诉即办 reports: 12345 transfers
≈ 42 % of the intake and grid patrols ≈ 18 %; ≈ 3 % not filed, ≈ 2 % merged; 5–6 % returned,
≈ 4 % reworked, ≈ 5 % extended; on-time closure ≈ 88 %; callbacks ≈ 85 % valid and, of the valid
ones, ≈ 80 % 满意, 12 % 基本满意, 8 % 不满意.

Each row carries its public copy (public.stored_copy), as intake through services stores it.

Everything but `tracking_token` is decided by the seed (a tracking token is a key to a status
page, so it comes from `secrets` even here).

    counts = generate(3000, streets=["420115001"], seed=1, months=6)
"""

import bisect
import contextlib
import datetime as dt
import json
import random
import secrets
import time
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from shequ.cases import rollups
from shequ.cases.models import Case, CaseEvent, Category, Channel, LimitUnit, Status, UnitKind
from shequ.cases.public import stored_copy
from shequ.core import bulk, worktime
from shequ.core.crypto import encrypt

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
HOUR = 3600


# --- the working-time table -----------------------------------------------------------------------
class WorkClock:
    """Working periods of every day from `first` to `last`, as epoch seconds, with the working
    seconds before each day: moment ↔ working-time ordinal in O(log days). Agrees with
    `core.worktime` (the tests compare them) for moments inside the span."""

    def __init__(self, first: dt.date, last: dt.date):
        tz = timezone.get_current_timezone()
        periods = worktime.work_periods()
        self.first = first
        self.days = []
        self.starts, self.cum, self.cum_end, self.periods, self.closes, self.workday = [], [], [], [], [], []
        total = 0
        day = first
        while day <= last:
            midnight = timezone.make_aware(dt.datetime.combine(day, dt.time.min), tz)
            spans = [
                (
                    int(timezone.make_aware(dt.datetime.combine(day, a), tz).timestamp()),
                    int(timezone.make_aware(dt.datetime.combine(day, b), tz).timestamp()),
                )
                for a, b in periods
            ]
            works = worktime.is_workday(day)
            self.days.append(day)
            self.starts.append(int(midnight.timestamp()))
            self.cum.append(total)
            self.closes.append(max(b for _a, b in spans))
            self.workday.append(works)
            self.periods.append(spans if works else [])
            if works:
                total += sum(b - a for a, b in spans)
            self.cum_end.append(total)
            day += dt.timedelta(days=1)
        self._days_cache: dict = {}

    def day_index(self, ts: int) -> int:
        i = bisect.bisect_right(self.starts, ts) - 1
        if i < 0 or i >= len(self.starts) - 1:
            raise ValueError("moment outside the span of the working-time table")
        return i

    def ordinal(self, ts: int) -> int:
        """Working seconds from the start of the table to the moment."""
        i = self.day_index(ts)
        base = self.cum[i]
        for a, b in self.periods[i]:
            if ts >= b:
                base += b - a
            else:
                if ts > a:
                    base += ts - a
                break
        return base

    def moment(self, x: int) -> int:
        """The moment when x working seconds have passed (the end of a period, not the start of the
        next, when x falls on a boundary, as `worktime.add_working_hours` answers)."""
        i = bisect.bisect_left(self.cum_end, x)
        if i >= len(self.cum_end):
            raise ValueError("moment outside the span of the working-time table")
        rem = x - self.cum[i]
        for a, b in self.periods[i]:
            if rem <= b - a:
                return a + rem
            rem -= b - a
        return self.periods[i][-1][1]  # pragma: no cover  (bisect found the day that holds x)

    def add_seconds(self, ts: int, seconds: int) -> int:
        """`worktime.add_working_hours` for a positive number of working seconds."""
        return self.moment(self.ordinal(ts) + max(1, seconds))

    def add_days(self, ts: int, days: int) -> int:
        """`worktime.add_working_days`: the close of the days-th working day after ts's day."""
        i = self.day_index(ts)
        key = (i, days)
        found = self._days_cache.get(key)
        if found is None:
            j, counted = i, 0
            while counted < days:
                j += 1
                if self.workday[j]:
                    counted += 1
            found = self._days_cache[key] = self.closes[j]
        return found

    def between(self, a: int, b: int) -> int:
        """Working seconds in [a, b]."""
        return self.ordinal(b) - self.ordinal(a)

    def local_date(self, ts: int) -> dt.date:
        return self.days[self.day_index(ts)]


# --- what a case is made of ------------------------------------------------------------------------
class _Picker:
    """Weighted choice by bisection over cumulative weights."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, pairs):
        self.items, self.cum, total = [], [], 0.0
        for item, w in pairs:
            if w <= 0:
                continue
            total += w
            self.items.append(item)
            self.cum.append(total)
        self.total = total

    def __call__(self, rng):
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


CHANNELS = [
    (Channel.HOTLINE, 42),
    (Channel.PATROL, 18),
    (Channel.PHONE, 10),
    (Channel.MOBILE, 10),
    (Channel.WEB, 7),
    (Channel.WALK_IN, 6),
    (Channel.VISIT, 4),
    (Channel.OPEN311, 3),
]
STAFF_FOUND = {Channel.PATROL, Channel.VISIT}  # no requester: a grid worker found it

# Weight of each minor class among residents' requests (others: 0.3). Patrols find street-scene
# events (classes 01–05) rather than residents' service needs.
CATEGORY_WEIGHTS = {
    "0703": 12, "0702": 10, "0704": 8, "0803": 7, "0804": 6, "0701": 5, "0505": 5, "0102": 5,
    "0201": 4, "0709": 4, "0708": 3, "0710": 3, "0507": 3, "0805": 3, "0404": 2, "0301": 2,
    "0705": 2, "0711": 2, "0802": 2, "0706": 1.5, "0101": 1.5, "0110": 1.5, "0506": 1.5,
    "0707": 1, "0801": 1, "0806": 1, "0107": 1, "0405": 1, "0402": 1,
}  # fmt: skip
PATROL_WEIGHTS = {
    "0102": 12, "0201": 10, "0505": 8, "0507": 7, "0506": 6, "0501": 5, "0106": 4, "0805": 5,
    "0109": 2, "0303": 2, "0504": 3, "0508": 2, "0101": 3, "0703": 6, "0802": 3, "0404": 2,
}  # fmt: skip

# Hour-of-day weights of intake (hotline and online run round the clock, walk-ins in office hours).
HOURS_ALL = [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1.5, 4, 8, 10, 10, 8, 6, 7, 9, 9, 8, 7, 6, 6, 6, 5, 3, 2]
HOURS_OFFICE = [0, 0, 0, 0, 0, 0, 0, 0.5, 4, 10, 10, 6, 1, 2, 8, 9, 8, 3, 0, 0, 0, 0, 0, 0]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余杜叶程魏苏吕丁任沈姚卢熊"
)
COMPOUNDS = ["阳光小区", "纸坊大街", "文化路宿舍", "幸福家园", "江南花园", "金港新城", "兴新街", "东岳路"]


def _mobile(rng) -> str:
    return rng.choice(("13", "15", "17", "18", "19")) + f"{rng.randrange(10**9):09d}"


def _requester_name(rng) -> str:
    # Hotline operators record a surname and a courtesy title; some callers give a full name.
    surname = rng.choice(SURNAMES)
    if rng.random() < 0.7:
        return surname + rng.choice(("先生", "女士", "女士", "先生", "师傅", "阿姨", "老师"))
    return (
        surname
        + rng.choice("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰")
        + rng.choice(("", "", "华", "军", "平", "英", "明", "霞"))
    )


# Descriptions per minor class: {p} the place (building and unit), {w} a time phrase. The first
# clause becomes the title.
TEXTS = {
    "0703": [
        "{p}楼道内堆放大量杂物和纸箱，{w}无人清理，存在消防隐患，希望社区督促清理。",
        "{p}门口垃圾桶满溢，{w}没有清运，气味很大，蚊蝇多。",
        "{p}附近绿化带里有人倾倒生活垃圾，{w}越堆越多，请安排清理。",
        "{p}楼下化粪池冒溢，污水流到路面，{w}一直这样，居民出行困难。",
    ],
    "0702": [
        "{p}所在小区物业{w}不打扫楼道，公共区域卫生差，物业费照收，要求物业整改。",
        "{p}单元门禁坏了{w}，物业一直说在修，外来人员随意进出，不安全。",
        "{p}小区物业擅自提高停车费，没有公示也没有征求业主意见，请核实。",
        "{p}楼顶漏水，{w}多次找物业维修都推脱，家里墙面已经发霉。",
    ],
    "0704": [
        "{p}楼道声控灯坏了{w}，晚上漆黑一片，老人上下楼容易摔倒，请尽快维修。",
        "{p}旁边的健身器材螺丝松动，有一个已经断裂，小孩在上面玩很危险。",
        "{p}门口的路面破损坑洼，雨天积水，{w}有老人在这里摔倒。",
        "{p}小区围墙有一段倒塌，{w}没人管，请社区协调修复。",
    ],
    "0803": [
        "{p}楼上住户{w}深夜在家唱歌、拖动家具，严重影响休息，沟通无果。",
        "{p}附近广场舞音响声音太大，{w}晚上九点以后还在跳，影响学生学习。",
        "{p}旁边商铺用大喇叭循环播放促销广告，{w}从早到晚，噪音扰民。",
        "{p}楼下空调外机噪音很大，{w}通宵运转，无法入睡。",
    ],
    "0804": [
        "{p}门口消防通道{w}被私家车长期占用，请社区协调规范停车。",
        "{p}小区内车辆乱停乱放，{w}早上出门时车被堵住开不出去。",
        "{p}小区停车位划线不合理，{w}经常为抢车位发生争吵，希望重新规划。",
    ],
    "0701": [
        "{p}楼上住户装修时改动了卫生间防水，{w}我家天花板一直渗水，双方协商不成。",
        "{p}邻居在公共楼道堆放私人物品并安装铁门，占用公共空间，{w}多次沟通无果。",
        "{p}对门住户在门口安装摄像头正对我家大门，侵犯隐私，请社区调解。",
    ],
    "0505": [
        "{p}路口人行道上{w}停满机动车，行人只能走机动车道，很危险。",
        "{p}小区出入口有车辆长期停放，{w}堵住了进出通道。",
    ],
    "0102": [
        "{p}路边有一堆暴露垃圾，{w}无人清运，影响环境。",
        "{p}附近空地上堆放生活垃圾和建筑垃圾，{w}越来越多。",
    ],
    "0201": [
        "{p}墙面和电线杆上贴满开锁、办证小广告，{w}清了又贴，影响市容。",
        "{p}单元门和楼道墙上被喷涂小广告，{w}没人清理。",
    ],
    "0709": [
        "{p}{w}停水，没有接到任何通知，家里老人做饭洗漱都困难，请问什么时候恢复。",
        "{p}{w}频繁停电，冰箱里的东西都坏了，请供电部门查明原因。",
        "{p}水压很低，{w}高楼层基本没水，请协调处理。",
    ],
    "0708": [
        "{p}电梯{w}经常停运，有一次还困过人，请监管部门督促维保单位检修。",
        "{p}电梯运行时异响、抖动，{w}一直没修，居民不敢乘坐。",
    ],
    "0710": [
        "{p}有住户在楼道里养狗，{w}随地大小便，气味难闻，还经常吠叫。",
        "{p}小区内有人遛狗不牵绳，{w}有小孩被追咬，请社区劝导。",
    ],
    "0507": [
        "{p}路边有摊贩占道经营，{w}早晚高峰造成交通拥堵。",
        "{p}菜市场外面流动摊点占道，{w}垃圾遍地。",
    ],
    "0805": [
        "{p}消防通道被杂物和电动车堵塞，{w}一旦发生火灾消防车进不来。",
    ],
    "0404": [
        "{p}下水道堵塞，污水从井盖冒出，{w}臭气熏天。",
        "{p}雨水井盖破损塌陷，{w}有车辆和行人通过，非常危险。",
    ],
    "0301": [
        "{p}旁边工地{w}夜间施工，打桩声音很大，严重影响周边居民休息。",
    ],
    "0705": [
        "{p}有一位独居老人行动不便，{w}无人照料，希望社区提供助餐、助洁服务。",
        "{p}家中老人需要申请居家养老服务补贴，{w}不清楚办理流程，请社区上门指导。",
    ],
    "0706": [
        "{p}一户居民家庭成员重病，{w}生活困难，希望了解低保和临时救助的申请条件。",
        "{p}残疾人家庭{w}收入中断，希望社区帮助申请救助。",
    ],
    "0707": [
        "{p}居民{w}失业在家，希望社区提供就业岗位信息和技能培训。",
    ],
    "0802": [
        "{p}顶楼住户在楼顶违章搭建彩钢棚，{w}还在继续施工，影响楼顶防水。",
        "{p}一楼住户私自扩建院子占用公共绿地，{w}已经砌墙。",
    ],
    "0101": [
        "{p}旁边有人私搭乱建临时棚屋，{w}用于堆放废品。",
    ],
    "0110": [
        "{p}楼下餐馆油烟直排，{w}油烟进入居民家中，窗户都不能开。",
    ],
    "0506": [
        "{p}单元门口共享单车和电动车乱停，{w}堵住通道，老人轮椅过不去。",
    ],
    "0801": [
        "{p}附近有人聚集赌博，{w}晚上出入人员复杂，居民担心安全。",
        "{p}楼道里电动车飞线充电，{w}存在很大的安全隐患。",
    ],
    "0806": [
        "{p}有一套房子被隔成多个小间出租，住了十几个人，{w}进出人员多，存在安全隐患。",
    ],
}
GENERIC = [
    "{p}存在{c}问题，{w}一直没有得到解决，请相关部门处理。",
    "反映{p}{c}的情况，{w}影响居民正常生活，希望尽快处理。",
    "{p}{c}，{w}多次反映未果，请协调解决。",
]
WHEN = ["最近一周", "这几天", "已经半个多月", "从上个月开始", "今天上午", "昨晚", "近一个月来", "周末两天"]

REJECT_NOTES = [
    "经核实不属于本平台受理范围，已告知诉求人向相关部门反映。",
    "与已受理诉求重复，已告知诉求人。",
    "诉求人联系方式无效，诉求内容无法核实。",
]
RETURN_NOTES = [
    "非本单位职责范围，请改派。",
    "该地址属相邻社区管辖，请改派。",
    "涉及专业维修，需职能部门处理。",
]
PROGRESS_NOTES = [
    "已联系诉求人，约定上门查看。",
    "已到现场查看，正在协调相关方处理。",
    "已通知物业和产权单位，督促整改。",
]
EXTENSION_NOTES = [
    "需协调产权单位落实维修资金，申请延期。",
    "维修配件需要订货，申请延期。",
    "涉及多方协调，申请延期。",
]
REWORK_NOTES = ["现场核查仍有遗留问题，请继续处置。", "诉求人反映问题未解决，请返工。"]
PARK_NOTES = ["涉及老旧小区改造资金，纳入年度计划后处置。", "需等待产权单位明确责任，暂挂账。"]
SUPERVISE_NOTES = [
    "群众反映强烈，请加快办理。",
    "该件已超期，请尽快反馈处置结果。",
    "重点督办，请主要负责人过问。",
]
REFUSE_NOTES = ["时限内可以完成，不予延期。"]


@dataclass
class _Place:
    grid_id: int
    grid_code: str
    grid_label: str
    community_id: int
    community_code: str
    community_name: str
    street_id: int
    street_code: str
    street_name: str
    points: list = field(default_factory=list)  # (lat, lng) inside the grid
    addresses: list = field(default_factory=list)


@dataclass
class _Cat:
    pk: int
    code: str
    name: str
    unit_kind: str
    department: str
    limit_value: int
    limit_unit: str
    closure: str
    public: bool


def _points_inside(boundary, rng, k: int) -> list:
    """k points drawn uniformly inside the polygon (rejection sampling in its bounding box)."""
    import numpy as np
    import shapely
    from shapely.geometry import shape

    poly = shape(boundary)
    shapely.prepare(poly)
    minx, miny, maxx, maxy = poly.bounds
    gen = np.random.default_rng(rng.randrange(2**32))
    lats, lngs = np.empty(0), np.empty(0)
    while len(lats) < k:
        # Rounded to 6 decimals (≈ 0.1 m) before the test, so a stored point is never off an edge.
        xs = np.round(gen.uniform(minx, maxx, 4 * k), 6)
        ys = np.round(gen.uniform(miny, maxy, 4 * k), 6)
        inside = shapely.intersects_xy(poly, xs, ys)  # boundary included, as `covers`
        lats, lngs = np.concatenate([lats, ys[inside]]), np.concatenate([lngs, xs[inside]])
    return list(zip(lats[:k].tolist(), lngs[:k].tolist(), strict=True))


def places(
    streets: list[str], rng, points_per_grid: int = 400, within: list[str] | None = None
) -> list[_Place]:
    """Every grid of the streets (or only those under the codes `within`), with points inside its
    boundary and its buildings' addresses."""
    from shequ.core.scope import prefix_q
    from shequ.org.models import Building, Grid

    out = []
    grids = Grid.objects.filter(community__parent__code__in=streets)
    if within:
        grids = grids.filter(prefix_q("code", within))
    grids = grids.select_related("community__parent").order_by("code")
    addresses: dict[int, list] = {}
    for gid, address in (
        Building.objects.filter(grid__in=grids).order_by("pk").values_list("grid_id", "address")
    ):
        addresses.setdefault(gid, []).append(address)
    for g in grids:
        c, s = g.community, g.community.parent
        p = _Place(
            grid_id=g.pk,
            grid_code=g.code,
            grid_label=g.display_name,
            community_id=c.pk,
            community_code=c.code,
            community_name=c.display_name,
            street_id=s.pk,
            street_code=s.code,
            street_name=s.display_name,
        )
        if g.boundary:
            p.points = _points_inside(g.boundary, rng, points_per_grid)
        p.addresses = addresses.get(g.pk) or [
            f"{rng.choice(COMPOUNDS)}{n}栋" for n in rng.sample(range(1, 40), 8)
        ]
        out.append(p)
    return out


def categories() -> list[_Cat]:
    return [
        _Cat(c.pk, c.code, c.name, c.default_unit_kind, c.default_department, c.limit_value, c.limit_unit,
             c.closure_condition, c.public)
        for c in Category.objects.filter(parent__isnull=False, active=True).order_by("code")
    ]  # fmt: skip


# --- one case's life --------------------------------------------------------------------------------
class _Stop(Exception):
    """The next step would happen after `now`: the case stays where it is."""


CASE_COLUMNS = [
    "id", "scope_code", "created_at", "updated_at", "version", "number", "tracking_token", "channel",
    "external_id", "client_id", "category_id", "limit_value", "limit_unit", "title", "description",
    "address", "lat", "lng", "street_id", "community_id", "grid_id", "attributes", "anonymous",
    "requester_name", "requester_phone", "requester_email", "requester_user_id", "resident_id",
    "created_by_id", "status", "received_at", "filed_at", "handler_kind", "handler_code",
    "handler_department", "handler_name", "dispatched_at", "accepted_at", "deadline", "warn_at",
    "handled_at", "closed_at", "closed_on_time", "handling_hours", "paused_hours", "parked_at",
    "parked_from", "review_on", "extension_state", "extension_requested", "supervised", "supervised_at",
    "parent_id", "return_count", "rework_count", "extension_count", "warned_at", "escalated_at",
    "callback_at", "callback_valid", "callback_contacted", "callback_solved", "satisfaction", "rating",
    "rating_comment", "requester_phone_key", "publish_optout", "public_description", "public_address",
    "public_lat", "public_lng",
]  # fmt: skip
EVENT_COLUMNS = [
    "case_id",
    "action",
    "from_status",
    "to_status",
    "actor_id",
    "actor_label",
    "at",
    "note",
    "data",
    "public",
]
PRIVATE_ACTIONS = {
    "supervise",
    "request_extension",
    "grant_extension",
    "refuse_extension",
    "warn",
    "escalate",
}


class _Life:
    """The fields and the timeline of one case as it is walked through the workflow."""

    def __init__(self, gen, now):
        self.gen = gen
        self.now = now
        self.f = {}
        self.events = []
        self.status = Status.RECEIVED

    def step(self, ts, action, to=None, actor=(None, ""), note="", data=None, **changes):
        if ts > self.now:
            raise _Stop
        frm = self.status
        if to is not None:
            self.status = to
        self.f.update(changes)
        self.events.append((action, frm, self.status, actor, ts, note, data or {}))
        self.last = ts


@dataclass
class Plan:
    """What `generate` wrote (or would write): counts by status and the parameters used."""

    cases: int = 0
    events: int = 0
    by_status: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)


class _Generator:
    def __init__(
        self, rng, clock, places_, cats, now, *, departments=None, requester_users=None, actors=None
    ):
        self.rng = rng
        self.clock = clock
        self.places = places_
        self.now = now
        self.cats = {c.code: c for c in cats}
        self.departments = departments or {}
        self.requester_users = requester_users or {}
        self.actors = actors or {}
        public = [c for c in cats if c.public]
        self.pick_resident_cat = _Picker((c, CATEGORY_WEIGHTS.get(c.code, 0.3)) for c in public)
        self.pick_patrol_cat = _Picker((c, PATROL_WEIGHTS.get(c.code, 0.2)) for c in cats)
        self.pick_channel = _Picker(CHANNELS)
        self.pick_place = _Picker((p, 1.0 + rng.random()) for p in places_)  # some grids busier
        self.recent: dict = {}  # (community, category) → [(received ts, id, number, closed ts)]
        self.street_of = {p.street_code: p for p in places_}
        self.community_of = {p.community_code: p for p in places_}
        self.stamp = _sqlite_stamp if connection.vendor == "sqlite" else _dt
        self.merged_into = []  # (parent id, when, actor, child number): the parent's timeline entry

    # -- who acts
    def actor(self, key: str, default: str):
        return self.actors.get(key) or (None, default)

    def unit_of(self, cat: _Cat, place: _Place, has_grid: bool) -> dict:
        dept = self.departments.get(cat.code)
        if dept or (cat.unit_kind == UnitKind.DEPARTMENT and cat.department):
            dept = dept or cat.department
            return {"handler_kind": UnitKind.DEPARTMENT, "handler_code": place.street_code[:6],
                    "handler_department": dept, "handler_name": dept}  # fmt: skip
        if cat.unit_kind == UnitKind.GRID and has_grid:
            return {"handler_kind": UnitKind.GRID, "handler_code": place.grid_code, "handler_department": "",
                    "handler_name": place.grid_label}  # fmt: skip
        if cat.unit_kind in (UnitKind.GRID, UnitKind.COMMUNITY):
            return {"handler_kind": UnitKind.COMMUNITY, "handler_code": place.community_code,
                    "handler_department": "", "handler_name": place.community_name}  # fmt: skip
        return {"handler_kind": UnitKind.STREET, "handler_code": place.street_code, "handler_department": "",
                "handler_name": place.street_name}  # fmt: skip

    def other_unit(self, unit: dict, place: _Place) -> dict:
        """Where a returned case goes next: the community for a grid, department or street; the
        street for a community, which dispatches it onwards (the commonest re-routings)."""
        if unit["handler_kind"] == UnitKind.COMMUNITY:
            return {"handler_kind": UnitKind.STREET, "handler_code": place.street_code, "handler_department": "",
                    "handler_name": place.street_name}  # fmt: skip
        return {"handler_kind": UnitKind.COMMUNITY, "handler_code": place.community_code, "handler_department": "",
                "handler_name": place.community_name}  # fmt: skip

    def handler_actor(self, unit: dict):
        key = unit["handler_department"] or unit["handler_code"]
        return self.actor(key, f"{unit['handler_name']}工作人员")

    def text(self, cat: _Cat, place_text: str) -> tuple[str, str]:
        rng = self.rng
        templates = TEXTS.get(cat.code)
        t = rng.choice(templates) if templates else rng.choice(GENERIC)
        description = t.format(p=place_text, w=rng.choice(WHEN), c=cat.name)
        first = description.split("，", 1)[0].split("。", 1)[0]
        return first[:40], description

    # -- the deadline clock
    def deadline(self, start: int, cat: _Cat) -> int:
        if cat.limit_unit == LimitUnit.HOURS:
            return self.clock.add_seconds(start, cat.limit_value * HOUR)
        return self.clock.add_days(start, cat.limit_value)

    def warn(self, start: int, deadline: int) -> int:
        c = self.clock
        span = c.between(start, deadline)
        return c.moment(c.ordinal(start) + int(span * 0.8)) if span > 0 else start

    def after(self, ts: int, lo_h: float, hi_h: float) -> int:
        """A moment lo–hi working hours after ts."""
        return self.clock.add_seconds(ts, int(self.rng.uniform(lo_h, hi_h) * HOUR))

    def wall_after(self, ts: int, lo_h: float, hi_h: float) -> int:
        return ts + int(self.rng.uniform(lo_h, hi_h) * HOUR)

    # -- one case
    def case(self, cid: int, received: int, number: str):
        rng, now = self.rng, self.now
        channel = self.pick_channel(rng)
        found_on_patrol = channel in STAFF_FOUND
        cat = self.pick_patrol_cat(rng) if found_on_patrol else self.pick_resident_cat(rng)
        place = self.pick_place(rng)
        # Hotline and phone orders often carry an address only; patrols always a GPS point.
        has_point = bool(place.points) and (found_on_patrol or rng.random() < (0.7 if channel in (
            Channel.HOTLINE, Channel.PHONE, Channel.WALK_IN) else 0.95))  # fmt: skip
        building = rng.choice(place.addresses)
        address = building + (f"{rng.randint(1, 4)}单元" if rng.random() < 0.6 else "")
        title, description = self.text(cat, address)
        lat = lng = None
        if has_point:
            lat, lng = rng.choice(place.points)
        anonymous = not found_on_patrol and rng.random() < (0.04 if channel == Channel.HOTLINE else 0.08)
        name = phone = email = ""
        requester_user = None
        if not found_on_patrol and not anonymous:
            name = _requester_name(rng)
            phone = _mobile(rng)
            if channel in (Channel.WEB, Channel.OPEN311) and rng.random() < 0.3:
                email = f"user{rng.randrange(10**6):06d}@example.com"
            users = self.requester_users.get(place.community_code)
            if users and channel in (Channel.WEB, Channel.MOBILE) and rng.random() < 0.2:
                requester_user = rng.choice(users)
        external_id = ("GD" + number) if channel == Channel.HOTLINE else ""
        life = _Life(self, now)
        f = life.f
        f.update(
            received_at=received, filed_at=None, handler_kind="", handler_code="", handler_department="",
            handler_name="", dispatched_at=None, accepted_at=None, deadline=None, warn_at=None,
            handled_at=None, closed_at=None, closed_on_time=None, handling_hours=None, paused_hours=0.0,
            parked_at=None, parked_from="", review_on=None, extension_state="", extension_requested=None,
            supervised=False, supervised_at=None, parent_id=None, return_count=0, rework_count=0,
            extension_count=0, warned_at=None, escalated_at=None, callback_at=None, callback_valid=None,
            callback_contacted=None, callback_solved=None, satisfaction="", rating=None, rating_comment="",
        )  # fmt: skip
        intake_label = {Channel.HOTLINE: "12345热线", Channel.OPEN311: "Open311 接入应用"}.get(channel)
        if intake_label is None:
            intake_label = f"{place.grid_label}网格员" if found_on_patrol else (name or "市民")
        life.events.append(
            ("receive", "", Status.RECEIVED, (None, intake_label), received, str(Channel(channel).label), {})
        )
        life.last = received
        dispatcher = self.actor(place.street_code, f"{place.street_name}网格化服务管理中心")
        extra = {"title": title, "description": description, "address": address, "lat": lat, "lng": lng}
        with contextlib.suppress(_Stop):  # the case stays in the state it had reached at `now`
            self._walk(life, cid, number, cat, place, has_point, dispatcher, bool(phone))
        self._sweep_marks(life, place)
        row = self._row(cid, number, channel, external_id, cat, place, has_point, extra, anonymous,
                        name, phone, email, requester_user, life)  # fmt: skip
        if life.status not in (Status.REJECTED, Status.MERGED):
            key = (place.community_code, cat.code)
            lst = self.recent.setdefault(key, [])
            lst.append((received, cid, number, f["closed_at"]))
            if len(lst) > 20:
                del lst[:10]
        return row, life

    def _walk(self, life, cid, number, cat, place, has_grid, dispatcher, reachable):
        rng, f = self.rng, life.f
        received = f["received_at"]
        # 不予立案
        if rng.random() < 0.03:
            life.step(
                self.after(received, 0.2, 4), "reject", Status.REJECTED, dispatcher, rng.choice(REJECT_NOTES)
            )
            return
        filed = self.after(received, 0.1, 3)
        # 合并: a duplicate of an open case of the same class in the community, in the last 7 days.
        if rng.random() < 0.025:
            parents = [
                p for p in self.recent.get((place.community_code, cat.code), [])
                if received - p[0] < 7 * 86400 and (p[3] is None or p[3] > received)
            ]  # fmt: skip
            if parents:
                parent = rng.choice(parents)
                merged = self.after(received, 0.2, 3)
                if merged > self.now:
                    raise _Stop
                life.step(
                    merged, "merge", Status.MERGED, dispatcher, "", {"parent": parent[2]}, parent_id=parent[1]
                )
                self.merged_into.append((parent[1], merged, dispatcher, number))
                if parent[3] is not None and parent[3] <= self.now:
                    life.events.append(("parent_outcome", "", "", dispatcher, parent[3], parent[2], {}))
                return
        life.step(filed, "file", Status.FILED, dispatcher, filed_at=filed)

        unit = self.unit_of(cat, place, has_grid)
        parked_before_dispatch = rng.random() < 0.006
        if parked_before_dispatch:
            self._park(life, self.after(filed, 0.5, 8), dispatcher, Status.FILED)
            return  # still parked, or released and then parked again later: kept simple
        dispatched = self.after(filed, 0.1, 2)
        self._dispatch(life, dispatched, unit, cat, dispatcher)
        # 退单 within the return limit, then re-dispatched to another unit with a fresh clock.
        if rng.random() < 0.055:
            handler = self.handler_actor(unit)
            returned = self.after(dispatched, 0.2, 6)
            life.step(returned, "return", Status.RETURNED, handler, rng.choice(RETURN_NOTES),
                      {"unit": unit["handler_name"]}, return_count=f["return_count"] + 1)  # fmt: skip
            unit = self.other_unit(unit, place)
            dispatched = self.after(returned, 0.2, 4)
            self._dispatch(life, dispatched, unit, cat, dispatcher)
        handler = self.handler_actor(unit)
        accepted = self.after(dispatched, 0.05, 2)
        life.step(accepted, "accept", Status.PROCESSING, handler, accepted_at=accepted)

        # How long the unit takes, as a share of the limit: most well inside it, a tail late, a
        # few stuck for many times the limit (the open overdue cases of a real ledger).
        limit = self.clock.between(dispatched, f["deadline"])
        u = rng.random()
        if u < 0.86:
            share = rng.triangular(0.08, 1.0, 0.35)
        elif u < 0.985:
            share = 1.0 + rng.expovariate(1 / 0.6)
        else:
            share = rng.uniform(3, 12)
        work = max(int(share * limit), int(0.25 * HOUR))
        ext = rng.random() < 0.05
        granted = ext and rng.random() < 0.75
        if ext and share < 1.0:
            share = rng.uniform(0.85, 1.6)  # extensions are asked for by the slow ones
            work = int(share * limit)
        c = self.clock
        start = c.ordinal(dispatched)
        handled_ord = start + work

        def later(x: int) -> int:
            # Short limits (2–4 working hours) leave little room: keep the timeline in order.
            return max(x, c.ordinal(life.last) + 60)

        if rng.random() < 0.45:
            acc = c.ordinal(accepted)
            life.step(c.moment(later(acc + (handled_ord - acc) // 3)), "progress", None, handler,
                      rng.choice(PROGRESS_NOTES))  # fmt: skip
        if ext:
            ask = c.moment(later(start + int(limit * rng.uniform(0.5, 0.9))))
            days = rng.choice((2, 3, 5, 5, 7, 10))
            life.step(ask, "request_extension", None, handler, rng.choice(EXTENSION_NOTES), {"days": days},
                      extension_state="pending", extension_requested=days)  # fmt: skip
            decided = self.after(ask, 0.5, 6)
            if granted:
                deadline = c.add_days(f["deadline"], days)
                life.step(decided, "grant_extension", None, dispatcher, "",
                          {"days": days, "deadline": _iso(deadline)}, extension_state="granted", deadline=deadline,
                          warn_at=self.warn(f["dispatched_at"], deadline), extension_count=f["extension_count"] + 1,
                          warned_at=None, escalated_at=None)  # fmt: skip
                limit = c.between(dispatched, deadline)
                handled_ord = start + int(limit * rng.uniform(0.7, 0.99 if rng.random() < 0.9 else 1.2))
            else:
                life.step(
                    decided, "refuse_extension", None, dispatcher, REFUSE_NOTES[0], extension_state="refused"
                )
        handled_ord = later(handled_ord)
        # 挂账: the clock pauses; half of these are released again and the deadline moves by the
        # parked working time.
        if rng.random() < 0.025:
            park_at = c.moment(later(start + int((handled_ord - start) * rng.uniform(0.2, 0.6))))
            if rng.random() < 0.5:
                self._park(life, park_at, dispatcher, Status.PROCESSING)
                return
            review = c.local_date(park_at) + dt.timedelta(days=30)
            life.step(park_at, "park", Status.PARKED, dispatcher, rng.choice(PARK_NOTES),
                      {"review_on": review.isoformat()}, parked_at=park_at, parked_from=Status.PROCESSING,
                      review_on=review)  # fmt: skip
            release = c.add_seconds(park_at, int(rng.uniform(1, 15) * 8 * HOUR))
            paused = c.between(park_at, release)
            life.step(release, "unpark", Status.PROCESSING, dispatcher, "", {"paused_hours": round(paused / HOUR, 2)},
                      parked_at=None, parked_from="", review_on=None,
                      deadline=c.add_seconds(f["deadline"], paused), warn_at=c.add_seconds(f["warn_at"], paused),
                      paused_hours=f["paused_hours"] + paused / HOUR, warned_at=None, escalated_at=None)  # fmt: skip
            handled_ord = later(handled_ord + paused)
        # 督办: a superior flags a slow case (a third of the late ones, a few others).
        late = handled_ord > c.ordinal(f["deadline"])
        if rng.random() < (0.3 if late else 0.015):
            s_ord = later(c.ordinal(f["deadline"]) + HOUR if late else start + (handled_ord - start) // 2)
            if s_ord < handled_ord:
                s_at = c.moment(s_ord)
                supervisor = self.actor(place.street_code, f"{place.street_name}督办人员")
                life.step(s_at, "supervise", None, supervisor, rng.choice(SUPERVISE_NOTES), supervised=True,
                          supervised_at=s_at)  # fmt: skip
        handled_ord = later(handled_ord)
        handled = self.clock.moment(handled_ord)
        life.step(handled, "feedback", Status.HANDLED, handler,
                  "已现场处置：" + (cat.closure or "问题已解决") + "。", handled_at=handled)  # fmt: skip
        verifier = self.actor(place.grid_code if has_grid else place.community_code,
                              f"{place.grid_label if has_grid else place.community_name}网格员")  # fmt: skip
        verified = self.after(handled, 0.2, 6)
        if rng.random() < 0.04:  # 核查不通过，返工: the same deadline, the clock runs on
            life.step(verified, "rework", Status.PROCESSING, verifier, rng.choice(REWORK_NOTES),
                      rework_count=f["rework_count"] + 1, handled_at=None)  # fmt: skip
            handled = self.after(verified, 0.5, max(1.0, 0.4 * limit / HOUR))
            life.step(
                handled, "feedback", Status.HANDLED, handler, "已按核查意见整改到位。", handled_at=handled
            )
            verified = self.after(handled, 0.2, 6)
        life.step(verified, "verify", Status.VERIFIED, verifier, "现场核查属实，已处置到位。")
        closed = self.after(verified, 0.1, 3)
        on_time = handled <= f["deadline"]
        hours = max(0.0, self.clock.between(f["dispatched_at"], handled) / HOUR - f["paused_hours"])
        life.step(closed, "close", Status.CLOSED, dispatcher, "", {"on_time": on_time}, closed_at=closed,
                  closed_on_time=on_time, handling_hours=round(hours, 4))  # fmt: skip
        if not reachable or rng.random() < 0.05:
            return  # no one to call back (patrol finds, anonymous requests), or not yet reached
        called = self.after(closed, 2, 24)
        caller = self.actor("callback", "回访员")
        if rng.random() < 0.85:
            solved = rng.random() < 0.9
            contacted = rng.random() < 0.96
            r = rng.random()
            if solved:
                sat = "satisfied" if r < 0.85 else ("basic" if r < 0.96 else "unsatisfied")
            else:
                sat = "satisfied" if r < 0.3 else ("basic" if r < 0.55 else "unsatisfied")
            data = {"valid": True, "contacted": contacted, "solved": solved, "satisfaction": sat}
            life.step(called, "callback", Status.CALLED_BACK, caller, "", data, callback_at=called,
                      callback_valid=True, callback_contacted=contacted, callback_solved=solved,
                      satisfaction=sat)  # fmt: skip
            if rng.random() < 0.12:
                rating = {"satisfied": (4, 5, 5), "basic": (3, 4), "unsatisfied": (1, 2, 2)}[sat]
                rating = rng.choice(rating)
                evaluated = self.wall_after(called, 1, 72)
                comment = {5: "处理及时，非常满意。", 4: "问题已解决，谢谢。", 3: "基本解决，希望以后更快。",
                           2: "处理太慢。", 1: "问题没有解决。"}[rating]  # fmt: skip
                life.step(evaluated, "evaluate", Status.EVALUATED, (None, "诉求人"), comment, {"rating": rating},
                          rating=rating, rating_comment=comment)  # fmt: skip
        else:
            life.step(called, "callback", Status.CALLED_BACK, caller, "电话无人接听。",
                      {"valid": False, "contacted": None, "solved": None, "satisfaction": None},
                      callback_at=called, callback_valid=False)  # fmt: skip

    def _dispatch(self, life, at, unit, cat, dispatcher):
        deadline = self.deadline(at, cat)
        life.step(at, "dispatch", Status.DISPATCHED, dispatcher, "",
                  {"unit": unit["handler_name"], "deadline": _iso(deadline)}, dispatched_at=at, accepted_at=None,
                  handled_at=None, deadline=deadline, warn_at=self.warn(at, deadline), paused_hours=0.0,
                  warned_at=None, escalated_at=None, extension_state="", extension_requested=None, **unit)  # fmt: skip

    def _park(self, life, at, dispatcher, frm):
        review = max(self.clock.local_date(at), self.clock.local_date(self.now)) + dt.timedelta(
            days=self.rng.randint(5, 60)
        )
        life.step(at, "park", Status.PARKED, dispatcher, self.rng.choice(PARK_NOTES),
                  {"review_on": review.isoformat()}, parked_at=at, parked_from=frm, review_on=review)  # fmt: skip

    def _sweep_marks(self, life, place):
        """What the deadline sweep (every 5 minutes) left on a case whose clock ran past the
        warning or the deadline: warned_at / escalated_at and their timeline entries."""
        f = life.f
        if f["deadline"] is None:
            return
        if life.status in (Status.DISPATCHED, Status.PROCESSING):
            stop = self.now
        elif life.status == Status.PARKED:
            stop = f["parked_at"] if f["parked_from"] in (Status.DISPATCHED, Status.PROCESSING) else None
        elif life.status == Status.RETURNED:
            stop = life.last
        else:
            stop = f["handled_at"]
        if stop is None:
            return
        lag = self.rng.randint(30, 300)
        if f["warn_at"] + lag < min(stop, f["deadline"]):
            f["warned_at"] = f["warn_at"] + lag
            life.events.append(("warn", "", "", (None, "系统"), f["warned_at"], "", {}))
        if f["deadline"] + lag < stop:
            f["escalated_at"] = f["deadline"] + lag
            f["warned_at"] = f["warned_at"] or f["escalated_at"]
            up = place.street_code if f["handler_department"] else _superior(f["handler_code"])
            life.events.append(("escalate", "", "", (None, "系统"), f["escalated_at"], "", {"to": up}))

    def _row(self, cid, number, channel, external_id, cat, place, has_grid, extra, anonymous, name, phone,
             email, requester_user, life):  # fmt: skip
        f = life.f
        stamp = self.stamp
        scope = place.grid_code if has_grid else place.community_code
        version = 1 + sum(
            1 for e in life.events if e[0] not in ("receive", "warn", "escalate", "parent_outcome")
        )
        return (
            cid, scope, stamp(f["received_at"]), stamp(life.last), version, number, secrets.token_urlsafe(16), channel,
            external_id, None, cat.pk, cat.limit_value, cat.limit_unit, extra["title"], extra["description"],
            extra["address"], extra["lat"], extra["lng"], place.street_id, place.community_id,
            place.grid_id if has_grid else None, "{}", anonymous, name, encrypt(phone) if phone else "",
            encrypt(email) if email else "", requester_user, None, None, life.status, stamp(f["received_at"]),
            stamp(f["filed_at"]), f["handler_kind"], f["handler_code"], f["handler_department"], f["handler_name"],
            stamp(f["dispatched_at"]), stamp(f["accepted_at"]), stamp(f["deadline"]), stamp(f["warn_at"]),
            stamp(f["handled_at"]), stamp(f["closed_at"]), f["closed_on_time"], f["handling_hours"],
            round(f["paused_hours"], 4), stamp(f["parked_at"]), f["parked_from"], f["review_on"],
            f["extension_state"], f["extension_requested"], f["supervised"], stamp(f["supervised_at"]),
            f["parent_id"], f["return_count"], f["rework_count"], f["extension_count"], stamp(f["warned_at"]),
            stamp(f["escalated_at"]), stamp(f["callback_at"]), f["callback_valid"], f["callback_contacted"],
            f["callback_solved"], f["satisfaction"], f["rating"], f["rating_comment"],
            _PHONE_KEY.compute(phone) if phone else "", False,
            *stored_copy(description=extra["description"], address=extra["address"], lat=extra["lat"],
                         lng=extra["lng"], names=(name,)).values(),
        )  # fmt: skip


_PHONE_KEY = Case._meta.get_field("requester_phone_key")


def _superior(code: str) -> str:
    for n in (12, 9, 6):
        if len(code) > n:
            return code[:n]
    return code


def _dt(ts):
    return None if ts is None else EPOCH + dt.timedelta(seconds=ts)


_NAIVE_EPOCH = dt.datetime(1970, 1, 1)


def _sqlite_stamp(ts):
    """What Django stores in an SQLite datetime column (naive UTC text): core.bulk would convert
    each aware datetime to it at twice the cost."""
    return None if ts is None else (_NAIVE_EPOCH + dt.timedelta(seconds=ts)).isoformat(sep=" ")


def _json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False) if data else "{}"


def _iso(ts) -> str:
    return _dt(ts).isoformat()


def _received_moments(rng, clock, n: int, start: int, end: int) -> list[int]:
    """n intake moments in [start, end): weekdays busier than weekends and holidays, by hour of day
    as the hotline and the offices see them; sorted."""
    first, last = clock.day_index(start), clock.day_index(end)
    day_pick = _Picker((i, 1.0 if clock.workday[i] else 0.55) for i in range(first, last + 1))
    hour_all = _Picker(enumerate(HOURS_ALL))
    out = []
    while len(out) < n:
        i = day_pick(rng)
        ts = clock.starts[i] + hour_all(rng) * HOUR + rng.randrange(HOUR)
        if start <= ts < end:
            out.append(ts)
    out.sort()
    return out


def generate(
    n: int,
    *,
    streets: list[str],
    seed: int = 20261121,
    months: int = 6,
    now=None,
    events: float = 1.0,
    departments: dict | None = None,
    requester_users: dict | None = None,
    actors: dict | None = None,
    within: list[str] | None = None,
    points_per_grid: int = 400,
    echo=None,
) -> Plan:
    """Write n cases over the grids of the streets, received during the last `months` months and
    walked to where they would be at `now`; timeline entries for the share `events` of them (all by
    default; a benchmark of a million cases may take a sample). `departments` maps a category code
    to the department its cases go to instead of the category's default; `requester_users` maps a
    community code to user ids who filed some of its online requests; `actors` maps a unit code, a
    department name or "callback" to the (user id, label) recorded on the timeline; `within`
    narrows the places to the grids under those codes."""
    t0 = time.perf_counter()
    rng = random.Random(seed)
    now_dt = now or timezone.now()
    now_ts = int(now_dt.timestamp())
    start_ts = now_ts - int(months * 30.44 * 86400)
    clock = WorkClock(
        timezone.localtime(EPOCH + dt.timedelta(seconds=start_ts)).date() - dt.timedelta(days=2),
        timezone.localtime(now_dt).date() + dt.timedelta(days=800),
    )
    places_ = places(streets, rng, points_per_grid, within=within)
    if not places_:
        raise ValueError(f"no grids in streets {streets}: load the org tree first")
    cats = categories()
    gen = _Generator(rng, clock, places_, cats, now_ts, departments=departments,
                     requester_users=requester_users, actors=actors)  # fmt: skip
    moments = _received_moments(rng, clock, n, start_ts, now_ts)
    seconds = {"setup": time.perf_counter() - t0}
    plan = Plan(cases=n)

    with transaction.atomic():
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                # Ids are assigned here (timeline rows point at them without a round trip); no one
                # else may insert meanwhile.
                cur.execute(f"LOCK TABLE {Case._meta.db_table} IN EXCLUSIVE MODE")  # noqa: S608
            cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Case._meta.db_table}")  # noqa: S608
            first_id = cur.fetchone()[0] + 1
        first_day = clock.local_date(moments[0]) if moments else clock.first
        taken = set(
            Case.objects.filter(number__gte=first_day.strftime("%Y%m%d")).values_list("number", flat=True)
        )
        numbers = _numbers(rng, clock, moments, taken)
        event_rows = []
        kept = set()  # cases whose timeline is written
        keep_events = _Picker([(True, events), (False, 1 - events)]) if 0 < events < 1 else None

        def rows():
            t = time.perf_counter()
            for k, (received, number) in enumerate(zip(moments, numbers, strict=True)):
                cid = first_id + k
                row, life = gen.case(cid, received, number)
                plan.by_status[life.status] = plan.by_status.get(life.status, 0) + 1
                if events >= 1 or (keep_events is not None and keep_events(rng)):
                    kept.add(cid)
                    for action, frm, to, (uid, label), at, note, data in life.events:
                        event_rows.append((cid, action, frm, to, uid, label[:100], gen.stamp(at), note, _json(data),
                                           action not in PRIVATE_ACTIONS))  # fmt: skip
                yield row
            seconds["generate"] = time.perf_counter() - t

        t = time.perf_counter()
        bulk.insert(Case, CASE_COLUMNS, rows())
        seconds["cases"] = time.perf_counter() - t - seconds.get("generate", 0)
        for parent, at, (uid, label), child_number in gen.merged_into:
            if parent not in kept:
                continue
            event_rows.append((parent, "merged_into", "", "", uid, label[:100], gen.stamp(at), child_number,
                               _json({"child": child_number}), True))  # fmt: skip
        event_rows.sort(key=lambda r: (r[0], r[6]))
        t = time.perf_counter()
        bulk.insert(CaseEvent, EVENT_COLUMNS, event_rows)
        seconds["events"] = time.perf_counter() - t
        plan.events = len(event_rows)
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                for model in (Case, CaseEvent):
                    table = model._meta.db_table
                    cur.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                    )
    t = time.perf_counter()
    rollups.rebuild(streets)
    seconds["rollup"] = time.perf_counter() - t
    plan.seconds = {k: round(v, 2) for k, v in seconds.items()}
    plan.seconds["total"] = round(time.perf_counter() - t0, 2)
    if echo:
        echo(f"  案件 {n:,} 件，办理记录 {plan.events:,} 条，用时 {plan.seconds['total']} 秒")
    return plan


def _numbers(rng, clock, moments, taken) -> list[str]:
    """受理编号 as services makes them (date + 6 digits), unique, none already in the database."""
    by_day: dict = {}
    for ts in moments:
        d = clock.local_date(ts)
        by_day[d] = by_day.get(d, 0) + 1
    pools = {}
    for d, k in by_day.items():
        prefix = d.strftime("%Y%m%d")
        picks = [f"{prefix}{x:06d}" for x in rng.sample(range(10**6), min(10**6, k + 50))]
        pools[d] = iter(p for p in picks if p not in taken)
    return [next(pools[clock.local_date(ts)]) for ts in moments]


def reset_scope(codes: list[str]) -> int:
    """Delete the cases (and their timelines) under these codes; returns how many."""
    from django.contrib.contenttypes.models import ContentType

    from shequ.core.models import Attachment
    from shequ.core.scope import prefix_q

    qs = Case.objects.filter(prefix_q("scope_code", codes))
    with transaction.atomic():
        # Merged duplicates point at their parent (PROTECT): unlink them first.
        Case.objects.filter(parent__in=qs).update(parent=None)
        events = CaseEvent.objects.filter(case__in=qs)
        Attachment.objects.filter(
            owner_type=ContentType.objects.get_for_model(CaseEvent),
            owner_id__in=[str(pk) for pk in events.values_list("pk", flat=True)],
        ).delete()
        events.delete()
        n = qs.count()
        qs.delete()
        rollups.rebuild(codes)
    return n
