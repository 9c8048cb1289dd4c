"""Acts on the registers and groups: a 居民代表 or 楼栋长 (a resident of the community, for
households or buildings of the community), the end of their term; a self-governing group with its
buildings (a 楼院自治管理小组 with the residents' vote that formed it), its members; a property
company of the community and its contract with a 小区; and the 骨干户 of the grid network."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import changelog, scope, services
from shequ.core.errors import Conflict, NotFound, ValidationFailed
from shequ.core.models import Action
from shequ.core.scope import subtree_q
from shequ.core.services import get_visible, require
from shequ.org.models import Building, OrgType, OrgUnit, ResidentOrganization
from shequ.participation.models import (
    COMPOUND_KINDS,
    MANAGE,
    VOTED_KINDS,
    ChosenBy,
    Group,
    GroupKind,
    GroupMember,
    PropertyContract,
    Representative,
    RepresentativeKind,
    current_q,
)
from shequ.participation.services.identity import _active_residents
from shequ.participation.services.issues import community_of
from shequ.participation.services.meetings import _count, _invalid


def choice(enum, value, field: str, label: str) -> str:
    """A choice by its code or its Chinese label."""
    text = str(value or "").strip()
    for code, shown in enum.choices:
        if text in (code, str(shown)):
            return code
    names = "、".join(str(s) for _c, s in enum.choices)
    raise _invalid(field, _("%(l)s应为：%(n)s。") % {"l": label, "n": names})


def managed_community(actor, code: str) -> OrgUnit:
    unit = community_of(code)
    if not scope.covers(actor, unit.code):
        raise NotFound()
    require(actor, MANAGE, unit.code)
    return unit


def resident_in(unit: OrgUnit, value, field: str = "resident"):
    """An active resident of the community, by id or by name (a name several residents share is
    refused: give the id, shown on the registry's page), or a refusal saying so."""
    text = str(value or "").strip()
    qs = _active_residents(unit.code)
    if text.isdigit():
        found = list(qs.filter(pk=int(text))[:1])
    else:
        found = list(qs.filter(name=text)[:2]) if text else []
        if len(found) > 1:
            raise _invalid(
                field,
                _("%(c)s有多位名为“%(n)s”的居民，请填写居民编号。") % {"c": unit.display_name, "n": text},
            )
    if not found:
        raise _invalid(
            field,
            _("“%(v)s”不是%(c)s的在册居民，请从本社区居民中选择。")
            % {"v": text[:20], "c": unit.display_name},
        )
    return found[0]


def _day(value, field: str, label: str, *, required=True) -> dt.date | None:
    if value in (None, "") and not required:
        return None
    if not isinstance(value, dt.date):
        raise _invalid(field, _("请填写%(l)s。") % {"l": label})
    return value


def _term(start, end) -> tuple[dt.date, dt.date | None]:
    start = _day(start, "term_start", _("任期起始"))
    end = _day(end, "term_end", _("任期届满"), required=False)
    if end is not None and end < start:
        raise _invalid("term_end", _("任期届满日期不能早于任期起始日期。"))
    return start, end


def _overlap_q(start: dt.date, end: dt.date | None):
    """Rows whose term shares a day with [start, end]."""
    from django.db.models import Q

    q = Q(term_end__isnull=True) | Q(term_end__gte=start)
    if end is not None:
        q &= Q(term_start__lte=end)
    return q


def _buildings(unit: OrgUnit, pks, field="buildings") -> list[Building]:
    pks = {int(p) for p in pks or () if str(p).isdigit()}
    found = list(Building.objects.filter(subtree_q("scope_code", unit.code), pk__in=pks))
    if len(found) != len(pks):
        raise _invalid(field, _("所选楼栋须在%(c)s。") % {"c": unit.display_name})
    return found


@transaction.atomic
def add_representative(actor, community_code: str, *, kind, resident, chosen_by, term_start, term_end=None,
                       households=(), buildings=()) -> Representative:  # fmt: skip
    """A 居民代表 (for households of the community) or 楼栋长 (for buildings): a resident of the
    community, once per kind in a term; a building has one 楼栋长 at a time."""
    from shequ.people.models import Household

    unit = managed_community(actor, community_code)
    kind = choice(RepresentativeKind, kind, "kind", _("类别"))
    chosen_by = choice(ChosenBy, chosen_by, "chosen_by", _("产生方式"))
    person = resident_in(unit, resident)
    start, end = _term(term_start, term_end)
    OrgUnit.objects.select_for_update().filter(pk=unit.pk).first()  # one registration at a time per community
    same = Representative.objects.filter(community=unit, kind=kind, resident=person).filter(
        _overlap_q(start, end)
    )
    if same.exists():
        raise Conflict(
            _("%(n)s在该任期内已是本社区的%(k)s，不能重复登记。") % {"n": person.name, "k": RepresentativeKind(kind).label},
            code="duplicate",
        )  # fmt: skip
    hh, bs = [], []
    if kind == RepresentativeKind.REPRESENTATIVE:
        pks = {int(p) for p in households or () if str(p).isdigit()}
        hh = list(Household.objects.filter(community=unit, pk__in=pks))
        if not pks:
            raise _invalid("households", _("请选择居民代表联系的住户。"))
        if len(hh) != len(pks):
            raise _invalid("households", _("所选住户须在%(c)s。") % {"c": unit.display_name})
    else:
        bs = _buildings(unit, buildings)
        if not bs:
            raise _invalid("buildings", _("请选择楼栋长负责的楼栋。"))
        taken = (
            Representative.objects.filter(community=unit, kind=kind, buildings__in=bs)
            .filter(_overlap_q(start, end))
            .select_related("resident")
            .first()
        )
        if taken is not None:
            held = ", ".join(b.address for b in taken.buildings.filter(pk__in=[b.pk for b in bs]))
            raise Conflict(_("%(b)s在该任期内已有楼栋长%(n)s，请先登记其任期届满。") % {"b": held, "n": taken.resident.name},
                           code="duplicate")  # fmt: skip
    rep = Representative(
        community=unit, kind=kind, resident=person, chosen_by=chosen_by, term_start=start, term_end=end
    )
    rep = services.create(actor, rep, perm=MANAGE)
    rep.households.set(hh)
    rep.buildings.set(bs)
    changelog.record(actor, Action.UPDATE, rep, after={"households": len(hh), "buildings": len(bs)})
    return rep


@transaction.atomic
def end_representative(actor, pk, *, on) -> Representative:
    """任期届满 or stepping down: the last day of the term."""
    rep = get_visible(Representative, actor, pk, for_update=True)
    require(actor, MANAGE, rep.scope_code)
    on = _day(on, "on", _("届满日期"))
    if on < rep.term_start:
        raise _invalid("on", _("届满日期不能早于任期起始（%(d)s）。") % {"d": rep.term_start.isoformat()})
    if rep.term_end is not None and rep.term_end < timezone.localdate():
        raise Conflict(_("任期已于 %(d)s 届满。") % {"d": rep.term_end.isoformat()}, code="state")
    return services.update(actor, Representative, rep.pk, {"term_end": on}, perm=MANAGE, note=_("任期届满"))


# --- groups ----------------------------------------------------------------------------------------
def _compounds(unit: OrgUnit) -> set[str]:
    return set(
        Building.objects.filter(subtree_q("scope_code", unit.code))
        .exclude(compound="")
        .values_list("compound", flat=True)
    )


def _compound(unit: OrgUnit, value: str) -> str:
    value = (value or "").strip()
    known = _compounds(unit)
    if value not in known:
        raise _invalid("compound", _("小区“%(v)s”不在%(c)s，应为：%(n)s。") % {
            "v": value, "c": unit.display_name, "n": "、".join(sorted(known)) or _("（尚未登记楼栋）")})  # fmt: skip
    return value


@transaction.atomic
def create_group(actor, community_code: str, *, kind, name: str, term_start, term_end=None, compound: str = "",
                 buildings=(), vote: dict | None = None) -> Group:  # fmt: skip
    """A self-governing group for a term. A 楼院自治管理小组 is formed by the residents' vote,
    given as {"on", "present", "for", "against", "abstain"} and adopted by more than half of those
    voting present; 业委会, 物业管理小组 and 小区党组织 name their 小区."""
    unit = managed_community(actor, community_code)
    kind = choice(GroupKind, kind, "kind", _("类别"))
    name = (name or "").strip()
    if not name:
        raise _invalid("name", _("请填写组织名称。"))
    start, end = _term(term_start, term_end)
    compound = _compound(unit, compound) if kind in COMPOUND_KINDS or (compound or "").strip() else ""
    bs = _buildings(unit, buildings)
    if compound and not bs:
        bs = list(Building.objects.filter(subtree_q("scope_code", unit.code), compound=compound))
    fields = {}
    if kind in VOTED_KINDS:
        vote = vote or {}
        if not any(vote.get(k) not in (None, "") for k in ("on", "present", "for")):
            raise _invalid(
                "vote_present", _("楼院自治管理小组须经居民表决成立，请填写表决日期、参加人数和票数。")
            )
        on = _day(vote.get("on"), "vote_on", _("表决日期"))
        present = _count(vote.get("present"), "vote_present", _("参加表决人数"))
        f = _count(vote.get("for"), "vote_for", _("赞成票"))
        a = _count(vote.get("against"), "vote_against", _("反对票"))
        ab = _count(vote.get("abstain"), "vote_abstain", _("弃权票"))
        if present == 0:
            raise _invalid("vote_present", _("楼院自治管理小组须经居民表决成立，请填写参加表决人数。"))
        if f + a + ab > present:
            msg = _("赞成 %(f)d + 反对 %(a)d + 弃权 %(b)d = %(s)d 票，超过参加表决的 %(p)d 人，请核对票数。") % {
                "f": f, "a": a, "b": ab, "s": f + a + ab, "p": present}  # fmt: skip
            raise ValidationFailed(msg, code="votes_above_present", details={"vote_for": [msg]})
        if f * 2 <= present:
            msg = _("赞成 %(f)d 票，未超过参加表决的 %(p)d 人的半数，小组不能成立。") % {"f": f, "p": present}
            raise Conflict(msg, code="not_adopted", details={"vote_for": [msg]})
        if on > start:
            raise _invalid("vote_on", _("表决日期不能晚于任期起始。"))
        fields = {
            "vote_on": on,
            "vote_present": present,
            "vote_for": f,
            "vote_against": a,
            "vote_abstain": ab,
        }
    if Group.objects.filter(community=unit, name=name, term_start=start).exists():
        raise Conflict(
            _("本社区已登记“%(n)s”（任期自 %(d)s）。") % {"n": name, "d": start.isoformat()}, code="duplicate"
        )
    g = Group(
        community=unit,
        kind=kind,
        name=name[:100],
        compound=compound,
        term_start=start,
        term_end=end,
        **fields,
    )
    g = services.create(actor, g, perm=MANAGE)
    g.buildings.set(bs)
    changelog.record(actor, Action.UPDATE, g, after={"buildings": len(bs)})
    return g


@transaction.atomic
def add_group_member(actor, group_pk, *, resident, role: str = "成员") -> GroupMember:
    """A resident of the group's community joins it (once)."""
    g = get_visible(Group, actor, group_pk, for_update=True)
    require(actor, MANAGE, g.scope_code)
    person = resident_in(g.community, resident)
    role = (role or "").strip()[:20] or "成员"
    if GroupMember.objects.filter(group=g, resident=person).exists():
        raise Conflict(_("%(n)s已是“%(g)s”的成员。") % {"n": person.name, "g": g.name}, code="duplicate")
    try:
        with transaction.atomic():
            m = GroupMember.objects.create(group=g, resident=person, role=role)
    except IntegrityError:
        raise Conflict(
            _("%(n)s已是“%(g)s”的成员。") % {"n": person.name, "g": g.name}, code="duplicate"
        ) from None
    changelog.record(actor, Action.UPDATE, g, after={"member": person.name, "role": role})
    return m


# --- property companies ----------------------------------------------------------------------------
@transaction.atomic
def add_property_company(actor, community_code: str, *, name: str, uscc: str = "") -> ResidentOrganization:
    """A property company as a 驻区单位 of the community (type 物业服务企业)."""
    from shequ.org import services as org_services

    unit = managed_community(actor, community_code)
    name = (name or "").strip()
    if not name:
        raise _invalid("name", _("请填写物业服务企业名称。"))
    found = ResidentOrganization.objects.filter(community=unit, name=name, org_type=OrgType.PROPERTY).first()
    if found is not None:
        raise Conflict(_("%(n)s已登记为本社区的物业服务企业。") % {"n": name}, code="duplicate")
    return org_services.create_resident_org(
        actor, unit.code, name=name, uscc=(uscc or "").strip(), org_type=OrgType.PROPERTY
    )


@transaction.atomic
def add_property_contract(
    actor, community_code: str, *, company, compound: str, start, end
) -> PropertyContract:
    """A property company's contract with a 小区 of the community; one company serves a 小区 at a time."""
    unit = managed_community(actor, community_code)
    org = ResidentOrganization.objects.filter(pk=company, community=unit, org_type=OrgType.PROPERTY).first() if str(
        company).isdigit() else None  # fmt: skip
    if org is None:
        raise _invalid("company", _("请选择本社区登记的物业服务企业（驻区单位类型为物业服务企业）。"))
    compound = _compound(unit, compound)
    start = _day(start, "start", _("合同起始"))
    end = _day(end, "end", _("合同截止"))
    if end < start:
        raise _invalid("end", _("合同截止日期不能早于起始日期。"))
    OrgUnit.objects.select_for_update().filter(pk=unit.pk).first()
    clash = PropertyContract.objects.filter(
        community=unit, compound=compound, start__lte=end, end__gte=start
    ).first()
    if clash is not None:
        raise Conflict(
            _("%(c)s在 %(a)s 至 %(b)s 已由%(o)s提供物业服务，合同期不能重叠。") % {
                "c": compound, "a": max(start, clash.start).isoformat(), "b": min(end, clash.end).isoformat(),
                "o": clash.company.name},
            code="overlap",
        )  # fmt: skip
    return services.create(actor, PropertyContract(community=unit, company=org, compound=compound, start=start, end=end),
                           perm=MANAGE)  # fmt: skip


def current_groups(qs, on=None):
    return qs.filter(current_q(on or timezone.localdate()))
