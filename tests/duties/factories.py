"""Duty lists, requests, tasks, certificates and appraisals in the two-community world, made
through the real services (only the burden entry of another community's standing load is direct)."""

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from shequ.core.roles import Role
from shequ.core.testing.world import make_user
from shequ.duties import services
from shequ.duties.models import DutyList, DutyPolicy, Kind, ListStatus, Vote
from tests.people.factories import make_resident

_seq = itertools.count(1)

# One item of each kind, and a negative-list certificate with where to go instead.
ITEMS = [
    {
        "code": "YF-01",
        "kind": Kind.STATUTORY,
        "title": "调解民间纠纷",
        "basis": "《中华人民共和国城市居民委员会组织法》第三条",
        "department": "区司法局",
    },
    {
        "code": "XZ-01",
        "kind": Kind.ASSIST,
        "title": "协助开展老年人能力评估",
        "basis": "《湖北省养老服务条例》",
        "department": "区民政局",
        "funding_required": True,
        "funding_standard": Decimal("2000"),
        "hours_per_month": Decimal("6"),
        "ledgers": "老年人能力评估台账",
    },
    {
        "code": "FM-01",
        "kind": Kind.NEGATIVE,
        "title": "招商引资",
        "basis": "区社区工作负面清单",
        "department": "区商务局",
        "keywords": "招商、引资",
        "redirect": "区商务局",
    },
    {
        "code": "FM-02",
        "kind": Kind.NEGATIVE,
        "title": "无犯罪记录证明",
        "basis": "民发〔2020〕94号",
        "keywords": "无犯罪记录、犯罪记录",
        "redirect": "户籍所在地或居住地公安派出所",
    },
    {
        "code": "ZM-01",
        "kind": Kind.CERTIFICATE,
        "title": "居住情况证明",
        "basis": "民发〔2020〕94号",
    },
]


def make_list(world, side="a", published=True) -> DutyList:
    """The district's list (shared by both communities); one version, published by default."""
    existing = DutyList.objects.filter(org=world.district, status=ListStatus.PUBLISHED).first()
    if existing is not None and published:
        return existing
    admin = world.users["district"]
    dl = services.create_list(
        admin,
        org=world.district,
        title="江夏区社区工作事项清单",
        effective_from=timezone.localdate() - dt.timedelta(days=30),
        basis="区委办〔2026〕1号",
    )
    for row in ITEMS:
        services.save_item(admin, dl, **row)
    return services.publish_list(admin, dl.pk) if published else dl


def make_policy(world, members=3) -> DutyPolicy:
    """The street's review group: the street manager chairs, with members-1 others."""
    policy = DutyPolicy.objects.filter(org=world.street).first()
    if policy is not None:
        return policy
    street = world.users["street"]
    policy = services.save_policy(street, world.street, group_name="纸坊街道社区工作准入审核领导小组")
    people = [{"user": street, "title": "组长", "is_chair": True}]
    for i in range(members - 1):
        u = make_user(f"t_member{i + 1}", Role.STREET, world.street, display_name=f"审核成员{i + 1}")
        people.append({"user": u, "title": "成员", "is_chair": False})
    services.set_members(street, policy, people)
    return policy


def members(world) -> list:
    return [m.user for m in make_policy(world).members.all()]


def department_user(world, side="a"):
    """Side a: the world's 区民政局 user; side b: a 区人社局 user (another department)."""
    if side == "a":
        return world.users["department"]
    u = world.users.get("department_b")
    if u is None:
        u = make_user("t_dept_b", Role.DEPARTMENT, world.district, department="区人社局")
        world.users["department_b"] = u
    return u


def request_fields(world, side="a", **over) -> dict:
    item = make_list(world).items.get(code="XZ-01")
    n = next(_seq)
    # Each request its own period: the same item in an overlapping period is a duplicate.
    start = timezone.localdate() + dt.timedelta(days=75 + 40 * n)
    fields = {
        "title": f"老年人能力评估入户{n}",
        "description": "对辖区 80 岁以上老年人开展能力评估，录入评估系统",
        "basis": "",
        "item": item,
        "communities": [world.community(side)],
        "start_date": start,
        "end_date": start + dt.timedelta(days=30),
        "frequency": "once",
        "ledgers": 2,
        "forms": 3,
        "stamps": 1,
        "inspections": 2,
        "data_reports": 4,
        "hours_per_month": Decimal("6"),
        "funding_per_community": Decimal("2000"),
        "funding_source": "区级养老服务专项资金",
        "personnel": "区民政局派评估员 2 名",
    }
    fields.update(over)
    return fields


def make_request(world, side="a", state="review", **over):
    make_policy(world)
    user = department_user(world, side)
    fields = request_fields(world, side, **over)
    if state == "returned":
        fields["item"] = None
        fields["basis"] = ""
    elif state == "rejected":
        fields["item"] = make_list(world).items.get(code="FM-01")
    req = services.file_request(user, **fields)
    if state == "approved":
        for m in members(world):
            services.vote(m, req.pk, Vote.APPROVE)
        req.refresh_from_db()
    return req


def make_task(world, side="a"):
    req = make_request(world, side, state="approved", communities=[world.community(side)])
    return req.tasks.get()


def community_actor(world, side):
    return world.users["community_lead"] if side == "a" else community_lead_b(world)


def make_refusal(world, side="a"):
    make_list(world)
    return services.refuse_unadmitted(
        community_actor(world, side),
        community=world.community(side),
        department="区城管局",
        title=f"协助拆除违章广告牌{next(_seq)}",
        channel="电话",
    )


def make_certificate(world, side="a"):
    item = make_list(world).items.get(code="ZM-01")
    resident = make_resident(world, side)
    actor = world.users["community_worker"] if side == "a" else world.users["community_worker_b"]
    return services.issue_certificate(
        actor,
        community=world.community(side),
        item=item,
        resident=resident,
        purpose="办理居住证",
        content=f"兹证明{resident.name}现居住于本社区。",
    )


def make_certificate_refusal(world, side="a"):
    make_list(world)
    actor = world.users["community_worker"] if side == "a" else world.users["community_worker_b"]
    return services.refuse_certificate(
        actor,
        community=world.community(side),
        requested="无犯罪记录证明",
        requester_name=f"{'甲乙'[side == 'b']}申请人{next(_seq)}",
        purpose="入职",
    )


def make_round(world):
    today = timezone.localdate()
    return services.open_round(
        world.users["street"],
        org=world.street,
        title="2026年度社区评议部门",
        period="2026年",
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=30),
        departments=["区民政局", "区人社局"],
    )


def make_appraisal(world, side="a"):
    rnd = make_round(world)
    return services.submit_appraisal(
        community_actor(world, side),
        rnd.pk,
        community=world.community(side),
        department="区民政局",
        cooperation=4,
        funding=3,
        burden=2,
        service=4,
        comment=f"{'甲乙'[side == 'b']}社区意见{next(_seq)}",
    )


def make_entry(world, side="a"):
    return services.register_entry(
        world.users["street"],
        community=world.community(side),
        department="区应急管理局",
        kind=Kind.ASSIST,
        title=f"安全生产检查台账{next(_seq)}",
        start_date=timezone.localdate() - dt.timedelta(days=10),
        ledgers=3,
        signboards=1,
    )


def community_lead_b(world):
    """A community lead for community b (the world has only a worker there)."""
    u = world.users.get("community_lead_b")
    if u is None:
        u = make_user("t_lead_b", Role.COMMUNITY_LEAD, world.b)
        world.users["community_lead_b"] = u
    return u
