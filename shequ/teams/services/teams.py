"""Acts on teams, their members, the talent pool and volunteers."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import changelog, services
from shequ.core.errors import Conflict, NotFound
from shequ.core.models import Action
from shequ.core.services import get_visible, require
from shequ.core.validators import normalize_phone, validate_phone
from shequ.teams.models import (
    MANAGE,
    Availability,
    MemberRole,
    Skill,
    Talent,
    TalentLevel,
    Team,
    TeamKind,
    TeamMember,
    TeamStatus,
    Volunteer,
    VolunteerStatus,
)
from shequ.teams.services.common import active_residents, choice, invalid, org_at, resident_of_user, text


def _resident(actor, pk, within: str, field: str = "resident"):
    """A resident of the registry under `within` the actor may see (400 otherwise: a form field)."""
    from shequ.people.models import Resident

    r = Resident.objects.visible_to(actor).filter(pk=pk if str(pk or "").isdigit() else 0).first()
    if r is None or not r.scope_code.startswith(within[:9]):
        raise invalid(field, _("请选择本街道居民台账中的居民。"))
    return r


def _day(value, field: str, label: str, *, required: bool = False):
    if value in (None, ""):
        if required:
            raise invalid(field, _("请填写%(l)s。") % {"l": label})
        return None
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value))
        except ValueError:
            raise invalid(field, _("%(l)s应为日期，如 2026-03-01。") % {"l": label}) from None
    if value > timezone.localdate():
        raise invalid(field, _("%(l)s不能晚于今天。") % {"l": label})
    return value


def _kind(value) -> TeamKind:
    v = str(value or "").strip()
    qs = TeamKind.objects.filter(active=True)
    found = qs.filter(pk=int(v)).first() if v.isdigit() else qs.filter(name=v).first()
    if found is None:
        raise invalid(
            "kind", _("请选择队伍类别：%(n)s。") % {"n": "、".join(qs.values_list("name", flat=True))}
        )
    return found


def _skill(value, field: str = "skill") -> Skill:
    v = str(value or "").strip()
    found = Skill.objects.filter(pk=int(v)).first() if v.isdigit() else Skill.objects.filter(name=v).first()
    if found is None:
        raise invalid(
            field,
            _("请选择特长：%(n)s 等。") % {"n": "、".join(Skill.objects.values_list("name", flat=True)[:9])},
        )
    return found


@transaction.atomic
def create_team(actor, org_code: str, *, kind, name: str, founded_on=None, leader=None, leader_name: str = "",
                note: str = "") -> Team:  # fmt: skip
    """A team of a community or a street; its leader, if a resident, joins it as 队长."""
    org = org_at(actor, org_code, MANAGE)
    name = text(name, "name", _("队伍名称"), 60, required=True)
    if Team.objects.filter(org=org, name=name).exists():
        raise Conflict(_("%(o)s已有名为“%(n)s”的队伍。") % {"o": org.display_name, "n": name}, code="duplicate",
                       details={"name": [_("已有同名队伍")]})  # fmt: skip
    r = _resident(actor, leader, org.code, "leader") if leader not in (None, "") else None
    team = Team(org=org, kind=_kind(kind), name=name, founded_on=_day(founded_on, "founded_on", _("成立日期")),
                leader=r, leader_name=r.name if r else text(leader_name, "leader_name", _("队长姓名"), 50),
                note=text(note, "note", _("简介"), 200))  # fmt: skip
    team = services.create(actor, team, perm=MANAGE)
    if r is not None:
        TeamMember.objects.create(team=team, resident=r, name=r.name, role=MemberRole.LEADER,
                                  joined_on=team.founded_on or timezone.localdate())  # fmt: skip
    return team


def update_team(actor, pk, *, expected_version=None, **changes) -> Team:
    """Change a team's name, status, founding date or note."""
    allowed = {}
    if "name" in changes:
        allowed["name"] = text(changes["name"], "name", _("队伍名称"), 60, required=True)
    if "status" in changes:
        allowed["status"] = choice(TeamStatus, changes["status"], "status", _("状态"))
    if "founded_on" in changes:
        allowed["founded_on"] = _day(changes["founded_on"], "founded_on", _("成立日期"))
    if "note" in changes:
        allowed["note"] = text(changes["note"], "note", _("简介"), 200)
    return services.update(actor, Team, pk, allowed, perm=MANAGE, expected_version=expected_version)


@transaction.atomic
def add_member(actor, team_pk, *, resident=None, name: str = "", phone: str = "", role=MemberRole.MEMBER,
               joined_on=None) -> TeamMember:  # fmt: skip
    """A member: a resident of the registry, or an outside person with name and phone only."""
    team = get_visible(Team, actor, team_pk, for_update=True)
    require(actor, MANAGE, team.scope_code)
    role = choice(MemberRole, role, "role", _("队内职务"))
    if resident not in (None, ""):
        r = _resident(actor, resident, team.scope_code)
        if TeamMember.objects.filter(team=team, resident=r, left_on__isnull=True).exists():
            raise Conflict(_("%(n)s已是“%(t)s”的队员。") % {"n": r.name, "t": team.name}, code="duplicate",
                           details={"resident": [_("已在本队")]})  # fmt: skip
        m = TeamMember(team=team, resident=r, name=r.name, role=role)
    else:
        name = text(name, "name", _("姓名"), 50, required=True)
        phone = str(phone or "").strip()
        if phone:
            try:
                validate_phone(phone)
            except Exception:
                raise invalid(
                    "phone", _("联系电话格式不对，请填写 11 位手机号或带区号的固定电话。")
                ) from None
        m = TeamMember(team=team, name=name, phone=normalize_phone(phone) if phone else "", role=role)
    m.joined_on = _day(joined_on, "joined_on", _("入队日期")) or timezone.localdate()
    m.save()
    if role == MemberRole.LEADER:
        Team.objects.filter(pk=team.pk).update(
            leader=m.resident, leader_name=m.name, version=team.version + 1
        )
    changelog.record(actor, Action.UPDATE, team, after={"member_added": m.name, "role": m.get_role_display()})
    return m


@transaction.atomic
def remove_member(actor, team_pk, member_pk, *, left_on=None) -> TeamMember:
    """A member leaves the team (kept with the date, for the record)."""
    team = get_visible(Team, actor, team_pk, for_update=True)
    require(actor, MANAGE, team.scope_code)
    m = TeamMember.objects.filter(
        team=team, pk=member_pk if str(member_pk).isdigit() else 0, left_on__isnull=True
    ).first()
    if m is None:
        raise NotFound()
    m.left_on = _day(left_on, "left_on", _("离队日期")) or timezone.localdate()
    m.save(update_fields=["left_on"])
    changelog.record(
        actor, Action.UPDATE, team, before={"member": m.name}, after={"member_left": str(m.left_on)}
    )
    return m


@transaction.atomic
def register_talent(actor, resident_pk, *, skill, level=TalentLevel.SKILLED, willing: bool = True,
                    note: str = "") -> Talent:  # fmt: skip
    """登记造册: one skill of a resident in the talent pool."""
    from shequ.people.models import Resident

    r = (
        Resident.objects.visible_to(actor)
        .filter(pk=resident_pk if str(resident_pk or "").isdigit() else 0)
        .first()
    )
    if r is None:
        raise NotFound()
    sk = _skill(skill)
    if Talent.objects.filter(resident=r, skill=sk).exists():
        raise Conflict(_("%(n)s的“%(s)s”特长已登记。") % {"n": r.name, "s": sk.name}, code="duplicate",
                       details={"skill": [_("已登记")]})  # fmt: skip
    t = Talent(resident=r, skill=sk, level=choice(TalentLevel, level, "level", _("水平")), willing=bool(willing),
               note=text(note, "note", _("说明"), 200))  # fmt: skip
    return services.create(actor, t, perm=MANAGE)


@transaction.atomic
def appoint_instructor(actor, team_pk, talent_pk) -> Team:
    """辅导员: appointed from the talent pool, among those willing to serve."""
    team = get_visible(Team, actor, team_pk, for_update=True)
    t = Talent.objects.visible_to(actor).filter(pk=talent_pk if str(talent_pk or "").isdigit() else 0)
    t = t.select_related("resident", "skill").first()
    if t is None:
        raise invalid("talent", _("请从文化人才库中选择辅导员。"))
    if not t.willing:
        raise invalid(
            "talent",
            _("%(n)s未表示愿意服务，不能聘为辅导员；请先与本人确认并更新人才库登记。")
            % {"n": t.resident.name},
        )
    return services.update(actor, Team, team.pk, {"instructor": t}, perm=MANAGE, note=_("聘任辅导员"))


def _availability(values) -> list[str]:
    out = []
    for v in values or []:
        code = choice(Availability, v, "availability", _("可服务时间"))
        if code not in out:
            out.append(code)
    return out


@transaction.atomic
def register_volunteer(actor, resident_pk, *, skills=(), availability=(), user=None) -> Volunteer:
    """Register a resident of the registry as a volunteer (the community's staff). Their account is
    linked when they sign in with the phone the registry holds (`volunteer_of`), so they then see
    their own record."""
    from shequ.people.models import Resident

    r = (
        Resident.objects.visible_to(actor)
        .filter(pk=resident_pk if str(resident_pk or "").isdigit() else 0)
        .first()
    )
    if r is None:
        raise NotFound()
    if Volunteer.objects.filter(resident=r).exists():
        raise Conflict(
            _("%(n)s已注册为志愿者。") % {"n": r.name}, code="duplicate", details={"resident": [_("已注册")]}
        )
    v = Volunteer(resident=r, user=user, availability=_availability(availability))
    v = services.create(actor, v, perm=MANAGE)
    v.skills.set([_skill(s, "skills") for s in skills or ()])
    return v


@transaction.atomic
def register_self(user, community_code: str, *, skills=(), availability=()) -> Volunteer:
    """A signed-in resident registers themselves as a volunteer of their community (found in the
    registry by their account's phone)."""
    r = resident_of_user(user, community_code)
    if r is None:
        raise invalid(
            "resident",
            _("未在本社区居民台账中找到与您账号手机号一致的居民，请到社区居委会登记后再注册志愿者。"),
        )
    existing = Volunteer.objects.filter(resident=r).first()
    if existing is not None:
        if existing.user_id is None:
            Volunteer.objects.filter(pk=existing.pk).update(user=user)
        raise Conflict(_("您已注册为志愿者。"), code="duplicate")
    v = Volunteer(resident=r, user=user, availability=_availability(availability))
    v.scope_code = v.compute_scope_code()
    v.save()
    v.skills.set([_skill(s, "skills") for s in skills or ()])
    changelog.record(user, Action.CREATE, v, after=changelog.snapshot(v), note=_("本人注册"))
    return v


def set_volunteer_status(actor, pk, status) -> Volunteer:
    return services.update(actor, Volunteer, pk, {"status": choice(VolunteerStatus, status, "status", _("状态"))},
                           perm=MANAGE)  # fmt: skip


def talent_search(user, *, skill=None, code: str = "", willing: bool | None = None):
    """The talent pool as the user may see it, by skill and place (community or grid code)."""
    qs = Talent.objects.visible_to(user).select_related("resident", "skill")
    if skill not in (None, ""):
        qs = qs.filter(skill=_skill(skill))
    if code:
        qs = qs.within(code)
    if willing is not None:
        qs = qs.filter(willing=willing)
    return qs


__all__ = ["active_residents"]
