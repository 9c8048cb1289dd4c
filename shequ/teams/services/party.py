"""Acts on the Party-member service: the organisation chain and its 党建指导员, members from the
registry and members reporting in (到社区报到, once per community), pledges (closed only with an
outcome), responsibility for buildings and households, and the figures. A member's service hours
are the volunteer hours organisers confirmed at activities (through the member's resident record):
nothing here records hours."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import changelog, crypto, scope, services
from shequ.core.errors import Conflict, NotFound
from shequ.core.models import Action
from shequ.core.services import get_visible, require
from shequ.core.validators import normalize_phone, validate_phone
from shequ.org.models import Level, OrgUnit
from shequ.teams.models import (
    LEVEL_ORDER,
    MANAGE,
    BuildingDuty,
    ContactHousehold,
    MemberKind,
    MemberStatus,
    PartyMember,
    PartyOrg,
    PartyOrgLevel,
    Pledge,
    PledgeStatus,
    ServiceHours,
    Volunteer,
)
from shequ.teams.services.common import choice, invalid, text


def _pk(value) -> int:
    return int(value) if str(value or "").isdigit() else 0


def _community(actor, code, field: str = "community") -> OrgUnit:
    unit = OrgUnit.objects.filter(code=str(code or "").strip(), level=Level.COMMUNITY).first()
    if unit is None:
        raise invalid(field, _("请选择社区（12 位代码）。"))
    if not scope.covers(actor, unit.code):
        raise NotFound()
    require(actor, MANAGE, unit.code)
    return unit


def _date(value, field: str, label: str, *, required: bool = False, not_after_today: bool = False,
          not_before_today: bool = False):  # fmt: skip
    if value in (None, ""):
        if required:
            raise invalid(field, _("请填写%(l)s。") % {"l": label})
        return None
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value))
        except ValueError:
            raise invalid(field, _("%(l)s应为日期，如 2026-03-01。") % {"l": label}) from None
    today = timezone.localdate()
    if not_after_today and value > today:
        raise invalid(field, _("%(l)s不能晚于今天。") % {"l": label})
    if not_before_today and value < today:
        raise invalid(field, _("%(l)s不能早于今天。") % {"l": label})
    return value


def _phone(value, field: str = "phone", *, required: bool = False) -> str:
    v = str(value or "").strip()
    if not v:
        if required:
            raise invalid(field, _("请填写联系电话（手机或带区号的固定电话）。"))
        return ""
    try:
        validate_phone(v)
    except Exception:
        raise invalid(field, _("联系电话格式不对，请填写 11 位手机号或带区号的固定电话。")) from None
    return normalize_phone(v)


def _node(actor, value, community: OrgUnit):
    if value in (None, ""):
        return None
    node = PartyOrg.objects.visible_to(actor).filter(pk=_pk(value), community=community).first()
    if node is None:
        raise invalid("node", _("请选择本社区党组织体系中的一个组织。"))
    return node


# --- the chain ----------------------------------------------------------------------------------
@transaction.atomic
def create_org(actor, community_code, *, level, name, parent=None, grid=None, compound: str = "", building=None,
               leader_name: str = "", founded_on=None) -> PartyOrg:  # fmt: skip
    """A node of the chain: the community organisation first, then each node under one on the level
    just above it (小区或网格党组织 → 楼栋党小组 → 党员中心户)."""
    from shequ.org.models import Building, Grid

    unit = _community(actor, community_code)
    level = choice(PartyOrgLevel, level, "level", _("层级"))
    name = text(name, "name", _("名称"), 80, required=True)
    up = None
    if level == PartyOrgLevel.COMMUNITY:
        if PartyOrg.objects.filter(community=unit, level=level).exists():
            raise Conflict(_("%(c)s已有社区党组织，其下的组织请选择它为上级。") % {"c": unit.display_name},
                           code="duplicate", details={"level": [_("已有社区党组织")]})  # fmt: skip
    else:
        up = PartyOrg.objects.visible_to(actor).filter(pk=_pk(parent), community=unit).first()
        want = LEVEL_ORDER[LEVEL_ORDER.index(level) - 1]
        if up is None or up.level != want:
            raise invalid("parent", _("%(l)s的上级应是本社区的%(w)s，请先建立上级组织再选择它。")
                          % {"l": PartyOrgLevel(level).label, "w": PartyOrgLevel(want).label})  # fmt: skip
    g = None
    if grid not in (None, ""):
        g = Grid.objects.visible_to(actor).filter(pk=_pk(grid), community=unit).first()
        if g is None:
            raise invalid("grid", _("请选择本社区的网格。"))
    b = None
    if building not in (None, ""):
        b = (
            Building.objects.visible_to(actor)
            .filter(pk=_pk(building), scope_code__startswith=unit.code)
            .first()
        )
        if b is None:
            raise invalid("building", _("请选择本社区的楼栋。"))
    if level == PartyOrgLevel.GROUP and b is None:
        raise invalid("building", _("楼栋党小组须选择所在楼栋。"))
    if PartyOrg.objects.filter(community=unit, level=level, name=name).exists():
        raise Conflict(_("本社区已有名为“%(n)s”的%(l)s。") % {"n": name, "l": PartyOrgLevel(level).label},
                       code="duplicate", details={"name": [_("已有同名组织")]})  # fmt: skip
    node = PartyOrg(community=unit, parent=up, level=level, name=name, grid=g or (up.grid if up else None),
                    compound=text(compound, "compound", _("小区"), 100), building=b,
                    leader_name=text(leader_name, "leader_name", _("书记（组长、户主）"), 50),
                    founded_on=_date(founded_on, "founded_on", _("成立日期"), not_after_today=True))  # fmt: skip
    return services.create(actor, node, perm=MANAGE)


def set_instructor(actor, org_pk, *, name, unit: str = "", phone: str = "") -> PartyOrg:
    """The community's 党建指导员, kept on its community Party organisation."""
    node = get_visible(PartyOrg, actor, org_pk)
    if node.level != PartyOrgLevel.COMMUNITY:
        raise invalid("org", _("党建指导员按社区配备，请在社区党组织上设置。"))
    changes = {"instructor_name": text(name, "name", _("党建指导员姓名"), 50, required=True),
               "instructor_unit": text(unit, "unit", _("指导员所在单位"), 100),
               "instructor_phone": _phone(phone)}  # fmt: skip
    return services.update(actor, PartyOrg, node.pk, changes, perm=MANAGE, note=_("配备党建指导员"))


def chain(user, community: OrgUnit) -> list[dict]:
    """The community's chain as a tree of dicts (node, members, children), for the page and API."""
    nodes = list(
        PartyOrg.objects.visible_to(user)
        .filter(community=community)
        .select_related("grid", "building", "community")
    )
    counts = dict(PartyMember.objects.visible_to(user).filter(node__in=nodes, status=MemberStatus.ACTIVE)
                  .values_list("node").annotate(n=Count("id")))  # fmt: skip
    by_parent: dict = {}
    for n in nodes:
        by_parent.setdefault(n.parent_id, []).append(n)

    def grow(n):
        kids = sorted(by_parent.get(n.pk, []), key=lambda k: k.name)
        return {"node": n, "members": counts.get(n.pk, 0), "children": [grow(k) for k in kids]}

    return [grow(n) for n in by_parent.get(None, [])]


# --- members ------------------------------------------------------------------------------------
def _duplicate(community, *, resident=None, phone: str = ""):
    qs = PartyMember.objects.filter(community=community, status=MemberStatus.ACTIVE)
    q = Q(pk__in=[])
    if resident is not None:
        q |= Q(resident=resident)
    if phone:
        q |= Q(**crypto.lookup(PartyMember, "phone", phone))
    return qs.filter(q).first()


def _refuse_double(existing, community):
    when = existing.reported_on or timezone.localtime(existing.created_at).date()
    raise Conflict(_("%(n)s已于 %(d)s 在%(c)s登记（%(k)s），不能重复报到；如信息有变，请在党员详情页修改。")
                   % {"n": existing.name, "d": when, "c": community.display_name, "k": existing.get_kind_display()},
                   code="duplicate", details={"phone": [_("已报到")]})  # fmt: skip


@transaction.atomic
def enrol_resident(actor, resident_pk, *, node=None) -> PartyMember:
    """A resident of the registry whose political status is Party member (or probationary)."""
    from shequ.people.models import Resident

    r = Resident.objects.visible_to(actor).filter(pk=_pk(resident_pk)).select_related("community").first()
    if r is None:
        raise NotFound()
    if not r.is_party_member:
        raise invalid(
            "resident",
            _("%(n)s在居民台账中的政治面貌不是中共党员（含预备党员），请先核实台账。") % {"n": r.name},
        )
    community = _community(actor, r.community.code, "resident")
    existing = _duplicate(community, resident=r)
    if existing is not None:
        _refuse_double(existing, community)
    m = PartyMember(community=community, kind=MemberKind.RESIDENT, resident=r, name=r.name, phone=r.phone,
                    node=_node(actor, node, community))  # fmt: skip
    return services.create(actor, m, perm=MANAGE, note=_("居住地党员（居民台账）"))


@transaction.atomic
def enrol_registry(actor, community_code) -> int:
    """Every Party member of the community's registry not yet on its member list; the count."""
    from shequ.people.choices import PARTY, Status
    from shequ.people.models import Resident

    unit = _community(actor, community_code)
    have = PartyMember.objects.filter(community=unit, status=MemberStatus.ACTIVE, resident__isnull=False)
    rows = (Resident.objects.visible_to(actor).filter(community=unit, status=Status.ACTIVE, political_status__in=list(PARTY))
            .exclude(pk__in=have.values("resident_id")))  # fmt: skip
    n = 0
    for r in rows:
        m = PartyMember(community=unit, kind=MemberKind.RESIDENT, resident=r, name=r.name, phone=r.phone)
        m.save()
        n += 1
    changelog.record(
        actor, Action.IMPORT, None, scope_code=unit.code, note=_("从居民台账导入党员 %(n)d 名") % {"n": n}
    )
    return n


@transaction.atomic
def report_in(actor, community_code, *, name: str = "", phone: str = "", work_unit: str = "", unit_contact: str = "",
              reported_on=None, resident=None, node=None, note: str = "") -> PartyMember:  # fmt: skip
    """到社区报到: a member working in the area reports to the community; once per community (by the
    resident record, or by the phone for someone not in the registry)."""
    from shequ.people.models import Resident

    unit = _community(actor, community_code)
    r = None
    if resident not in (None, ""):
        r = Resident.objects.visible_to(actor).filter(pk=_pk(resident)).first()
        if r is None:
            raise invalid("resident", _("请选择居民台账中的居民，或留空并填写姓名和电话。"))
        name = r.name
        phone = _phone(phone) or r.phone
    else:
        name = text(name, "name", _("姓名"), 50, required=True)
        phone = _phone(phone, required=True)
    work_unit = text(work_unit, "work_unit", _("工作单位"), 100, required=True)
    # Rows of a community are locked in pk order, so two clicks on 提交 queue here; the unique
    # constraints stand behind this check.
    list(PartyMember.objects.select_for_update().filter(community=unit).order_by("pk").values_list("pk"))
    existing = _duplicate(unit, resident=r, phone=phone)
    if existing is not None:
        _refuse_double(existing, unit)
    m = PartyMember(community=unit, kind=MemberKind.REPORTING, resident=r, name=name, phone=phone, work_unit=work_unit,
                    unit_contact=text(unit_contact, "unit_contact", _("单位联系人"), 50),
                    reported_on=_date(reported_on, "reported_on", _("报到日期"), not_after_today=True) or timezone.localdate(),
                    node=_node(actor, node, unit), note=text(note, "note", _("备注"), 200))  # fmt: skip
    return services.create(actor, m, perm=MANAGE, note=_("到社区报到"))


def place_member(actor, member_pk, node) -> PartyMember:
    """Put a member in a node of the community's chain (or none)."""
    m = get_visible(PartyMember, actor, member_pk)
    return services.update(actor, PartyMember, m.pk, {"node": _node(actor, node, m.community)}, perm=MANAGE)


def member_leaves(actor, member_pk, *, note: str = "") -> PartyMember:
    """A member leaves the community's list (moved away, transferred): kept for the record."""
    return services.update(actor, PartyMember, member_pk, {"status": MemberStatus.LEFT,
                           "note": text(note, "note", _("备注"), 200)}, perm=MANAGE)  # fmt: skip


def hours_of(member_ids) -> dict[int, Decimal]:
    """Confirmed volunteer hours of each member: those of the volunteer record of the member's
    resident (never declared by the member)."""
    rows = (ServiceHours.objects.filter(volunteer__resident__in=PartyMember.objects.filter(pk__in=member_ids)
                                        .exclude(resident=None).values("resident_id"))
            .values_list("volunteer__resident_id").annotate(h=Sum("hours")))  # fmt: skip
    by_resident = dict(rows)
    out = {}
    for pk, rid in PartyMember.objects.filter(pk__in=member_ids).values_list("pk", "resident_id"):
        out[pk] = by_resident.get(rid, Decimal("0")) if rid else Decimal("0")
    return out


def service_of(member: PartyMember):
    """The member's confirmed service at activities, newest first."""
    if not member.resident_id:
        return ServiceHours.objects.none()
    return (ServiceHours.objects.filter(volunteer__resident_id=member.resident_id)
            .select_related("activity").order_by("-activity__starts_at"))  # fmt: skip


def volunteer_of_member(member: PartyMember):
    return Volunteer.objects.filter(resident_id=member.resident_id).first() if member.resident_id else None


# --- pledges ------------------------------------------------------------------------------------
@transaction.atomic
def add_pledge(actor, member_pk, *, content: str, due_on) -> Pledge:
    """承诺: what the member pledges to do for residents, and by when."""
    m = get_visible(PartyMember, actor, member_pk, for_update=True)
    require(actor, MANAGE, m.scope_code)
    if m.status != MemberStatus.ACTIVE:
        raise Conflict(_("%(n)s已转出本社区，不能再登记承诺。") % {"n": m.name}, code="member_left")
    p = Pledge.objects.create(member=m, content=text(content, "content", _("承诺内容"), 200, required=True),
                              due_on=_date(due_on, "due_on", _("承诺兑现日期"), required=True, not_before_today=True))  # fmt: skip
    changelog.record(
        actor, Action.UPDATE, m, after={"pledge": p.content, "due_on": str(p.due_on)}, note=_("党员承诺")
    )
    return p


@transaction.atomic
def close_pledge(actor, pledge_pk, *, status=PledgeStatus.KEPT, outcome: str = "", closed_on=None) -> Pledge:
    """履诺: close a pledge as kept or not kept; refused without an outcome."""
    p = Pledge.objects.visible_to(actor).select_for_update().filter(pk=_pk(pledge_pk)).first()
    if p is None:
        raise NotFound()
    m = p.member
    require(actor, MANAGE, m.scope_code)
    if p.status != PledgeStatus.OPEN:
        raise Conflict(_("这项承诺已于 %(d)s 办结（%(s)s），不能重复办结。") % {"d": p.closed_on, "s": p.get_status_display()},
                       code="closed")  # fmt: skip
    status = choice(PledgeStatus, status, "status", _("履诺结果"))
    if status == PledgeStatus.OPEN:
        raise invalid("status", _("办结时请选择“已履诺”或“未兑现”。"))
    outcome = text(outcome, "outcome", _("履诺情况"), 300)
    if not outcome:
        raise invalid("outcome", _("办结承诺须填写履诺情况：做了什么、结果如何（未兑现的写明原因）。"))
    p.status, p.outcome, p.closed_by = status, outcome, actor
    p.closed_on = _date(closed_on, "closed_on", _("办结日期"), not_after_today=True) or timezone.localdate()
    p.save(update_fields=["status", "outcome", "closed_on", "closed_by"])
    changelog.record(actor, Action.UPDATE, m, before={"pledge": p.content}, after={"pledge_status": p.get_status_display(),
                     "outcome": outcome}, note=_("履诺"))  # fmt: skip
    return p


def overdue_q() -> Q:
    return Q(status=PledgeStatus.OPEN, due_on__lt=timezone.localdate())


# --- responsibility -----------------------------------------------------------------------------
@transaction.atomic
def assign_building(actor, member_pk, building_pk, *, since=None) -> BuildingDuty:
    """楼栋党员责任区: a building of the member's community."""
    from shequ.org.models import Building

    m = get_visible(PartyMember, actor, member_pk, for_update=True)
    require(actor, MANAGE, m.community.code)
    b = (
        Building.objects.visible_to(actor)
        .filter(pk=_pk(building_pk), scope_code__startswith=m.community.code)
        .first()
    )
    if b is None:
        raise invalid("building", _("请选择%(c)s的楼栋。") % {"c": m.community.display_name})
    if BuildingDuty.objects.filter(member=m, building=b).exists():
        raise Conflict(_("%(n)s已负责%(b)s。") % {"n": m.name, "b": b.address}, code="duplicate",
                       details={"building": [_("已负责")]})  # fmt: skip
    d = BuildingDuty.objects.create(
        member=m, building=b, since=_date(since, "since", _("起始日期")) or timezone.localdate()
    )
    changelog.record(actor, Action.UPDATE, m, after={"building": b.address}, note=_("楼栋党员责任区"))
    return d


@transaction.atomic
def assign_household(actor, member_pk, household_pk, *, since=None) -> ContactHousehold:
    """联系户: a household of the member's community."""
    from shequ.people.models import Household

    m = get_visible(PartyMember, actor, member_pk, for_update=True)
    require(actor, MANAGE, m.community.code)
    hh = Household.objects.visible_to(actor).filter(pk=_pk(household_pk), community=m.community).first()
    if hh is None:
        raise invalid("household", _("请选择%(c)s居民台账中的户。") % {"c": m.community.display_name})
    if ContactHousehold.objects.filter(member=m, household=hh).exists():
        raise Conflict(
            _("%(n)s已联系这一户。") % {"n": m.name}, code="duplicate", details={"household": [_("已联系")]}
        )
    c = ContactHousehold.objects.create(member=m, household=hh,
                                        since=_date(since, "since", _("起始日期")) or timezone.localdate())  # fmt: skip
    changelog.record(actor, Action.UPDATE, m, after={"household": hh.pk}, note=_("党员联系户"))
    return c


@transaction.atomic
def release(actor, model, pk):
    """End a building duty or a contact household."""
    row = model.objects.visible_to(actor).filter(pk=_pk(pk)).select_related("member").first()
    if row is None:
        raise NotFound()
    require(actor, MANAGE, row.member.scope_code)
    changelog.record(
        actor, Action.UPDATE, row.member, before={"released": str(row)}, note=str(model._meta.verbose_name)
    )
    row.delete()
    return row


def household_label(hh, reveal: bool) -> str:
    """A household as the responsibility pages show it: the head's name masked unless the user may
    read the registry there, and the house."""
    from shequ.core.masking import mask

    head = hh.head.name if hh.head_id else ""
    shown = head if reveal else mask(head, "name")
    return _("%(h)s户 · %(a)s") % {"h": shown or _("（未定户主）"), "a": hh.house.address}


# --- figures ------------------------------------------------------------------------------------
def figures(user, code: str = "") -> dict:
    """Members by kind and chain level, pledges by status (overdue apart), the top members by hours."""
    members = PartyMember.objects.visible_to(user).filter(status=MemberStatus.ACTIVE)
    pledges = Pledge.objects.visible_to(user)
    if code:
        members, pledges = members.within(code), pledges.filter(member__scope_code__startswith=code)
    kinds = dict(members.values_list("kind").annotate(n=Count("id")))
    levels = dict(members.exclude(node=None).values_list("node__level").annotate(n=Count("id")))
    overdue = pledges.filter(overdue_q()).count()
    status = dict(pledges.values_list("status").annotate(n=Count("id")))
    ids = list(members.exclude(resident=None).values_list("pk", flat=True))
    hours = hours_of(ids)
    names = dict(members.filter(pk__in=ids).values_list("pk", "name"))
    top = sorted(((names[k], v) for k, v in hours.items() if v), key=lambda x: -x[1])[:10]
    return {
        "members": sum(kinds.values()),
        "by_kind": [(str(label), kinds.get(k, 0)) for k, label in MemberKind.choices],
        "by_level": [(str(label), levels.get(k, 0)) for k, label in PartyOrgLevel.choices],
        "unplaced": members.filter(node=None).count(),
        "pledges": [
            (str(PledgeStatus.OPEN.label), status.get(PledgeStatus.OPEN, 0) - overdue),
            (_("已逾期"), overdue),
            (str(PledgeStatus.KEPT.label), status.get(PledgeStatus.KEPT, 0)),
            (str(PledgeStatus.UNKEPT.label), status.get(PledgeStatus.UNKEPT, 0)),
        ],  # fmt: skip
        "overdue": overdue,
        "hours_total": sum(hours.values(), Decimal("0")),
        "top_hours": top,
        "buildings": BuildingDuty.objects.visible_to(user).filter(member__in=members).count(),
        "households": ContactHousehold.objects.visible_to(user).filter(member__in=members).count(),
    }
