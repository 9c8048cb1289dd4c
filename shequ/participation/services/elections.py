"""Acts on a 换届选举: the election with its term, method and voter rule (the registered voters
counted from the registry by that rule, and listed as a snapshot when the electoral roll is
published), the candidates, the count (refused above the registered voters, or a candidate above
the ballots cast, with the numbers), and those elected with their offices, whom the apps keeping
the two committees' offices take in through the kernel's election hook."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from shequ.core import changelog, registry, services
from shequ.core.errors import Conflict, ValidationFailed
from shequ.core.models import Action
from shequ.core.services import get_visible, require
from shequ.org.models import OrgUnit
from shequ.participation.models import (
    Candidate,
    Election,
    ElectionMethod,
    ElectionStatus,
    Office,
    Voter,
    VoterRule,
)
from shequ.participation.models.elections import TERM_YEARS, VOTING_AGE
from shequ.participation.services.bodies import _day, choice, resident_in
from shequ.participation.services.issues import community_of
from shequ.participation.services.meetings import _count, _invalid

MANAGE_ELECTIONS = "participation.manage_elections"

# Which residence types of the registry each voter rule takes (people.choices.ResidenceType):
# 户籍 — registered here, living here or not (人户分离); 居住 — living here, registered or not
# (户籍在住, 常住非户籍, 流动人口); either — all of those. 境外人员 do not vote.
RULE_TYPES = {
    VoterRule.REGISTERED: ("registered", "separated"),
    VoterRule.LIVING: ("registered", "non_registered", "floating"),
    VoterRule.EITHER: ("registered", "separated", "non_registered", "floating"),
}


def eligible_voters(community_code: str, rule: str, on: dt.date):
    """Active residents of the community who are 18 on the election day and meet the rule."""
    from shequ.core.scope import subtree_q
    from shequ.people.choices import Status
    from shequ.people.models import Resident, years_ago

    return Resident.objects.filter(
        subtree_q("scope_code", community_code), status=Status.ACTIVE, birth_date__isnull=False,
        birth_date__lte=years_ago(VOTING_AGE, on), residence_type__in=RULE_TYPES[rule],
    )  # fmt: skip


def _election(actor, pk) -> Election:
    e = get_visible(Election, actor, pk, for_update=True)
    require(actor, MANAGE_ELECTIONS, e.scope_code)
    return e


@transaction.atomic
def create_election(actor, community_code: str, *, term: int, method, voter_rule, held_on) -> Election:
    """An election of the community's committee; its registered voters counted from the registry."""
    from shequ.core import scope
    from shequ.core.errors import NotFound

    unit = community_of(community_code)
    if not scope.covers(actor, unit.code):
        raise NotFound()
    require(actor, MANAGE_ELECTIONS, unit.code)
    term = _count(term, "term", _("届次"))
    if not 1 <= term <= 99:
        raise _invalid("term", _("届次应在 1 到 99 之间。"))
    method = choice(ElectionMethod, method, "method", _("选举方式"))
    rule = choice(VoterRule, voter_rule, "voter_rule", _("选民资格"))
    held_on = _day(held_on, "held_on", _("选举日期"))
    OrgUnit.objects.select_for_update().filter(pk=unit.pk).first()
    if Election.objects.filter(community=unit, term=term).exists():
        raise Conflict(
            _("%(c)s第%(t)d届选举已登记。") % {"c": unit.display_name, "t": term}, code="duplicate"
        )
    last = Election.objects.filter(community=unit, held_on__lt=held_on).order_by("-held_on").first()
    if last is not None and last.term >= term:
        raise _invalid(
            "term",
            _("届次应大于上一次选举（%(d)s，第%(t)d届）。") % {"d": last.held_on.isoformat(), "t": last.term},
        )
    count = eligible_voters(unit.code, rule, held_on).count()
    e = Election(
        community=unit, term=term, method=method, voter_rule=rule, held_on=held_on, registered_voters=count
    )
    return services.create(actor, e, perm=MANAGE_ELECTIONS)


@transaction.atomic
def register_voters(actor, pk) -> Election:
    """The electoral roll: the eligible residents as of now, kept as the election's snapshot."""
    e = _election(actor, pk)
    if e.status != ElectionStatus.PLANNED:
        raise Conflict(_("已计票，选民名单不能再变动。"), code="state")
    if e.voters_snapshot:
        raise Conflict(_("选民名单已登记（%(n)d 人）。") % {"n": e.registered_voters}, code="duplicate")
    ids = list(eligible_voters(e.community.code, e.voter_rule, e.held_on).values_list("pk", flat=True))
    Voter.objects.bulk_create([Voter(election=e, resident_id=i) for i in ids], batch_size=1000)
    return services.update(actor, Election, e.pk, {"registered_voters": len(ids), "voters_snapshot": True},
                           perm=MANAGE_ELECTIONS, note=_("登记选民"))  # fmt: skip


@transaction.atomic
def add_candidate(actor, pk, *, resident) -> Candidate:
    """A candidate: a resident of the community, once."""
    e = _election(actor, pk)
    if e.status != ElectionStatus.PLANNED:
        raise Conflict(_("已计票，不能再增加候选人。"), code="state")
    person = resident_in(e.community, resident)
    if Candidate.objects.filter(election=e, resident=person).exists():
        raise Conflict(_("%(n)s已是本次选举的候选人。") % {"n": person.name}, code="duplicate")
    c = Candidate.objects.create(election=e, resident=person)
    changelog.record(actor, Action.UPDATE, e, after={"candidate": person.name})
    return c


@transaction.atomic
def count_ballots(actor, pk, *, ballots_cast: int, votes: dict) -> Election:
    """The count: how many voted, and each candidate's votes. Refused when more voted than are
    registered, or a candidate has more votes than ballots were cast (with the numbers)."""
    e = _election(actor, pk)
    if e.status != ElectionStatus.PLANNED:
        raise Conflict(_("本次选举已计票。"), code="state")
    from django.utils import timezone

    if e.held_on > timezone.localdate():
        raise Conflict(_("选举日期（%(d)s）未到，不能计票。") % {"d": e.held_on.isoformat()}, code="state")
    cast = _count(ballots_cast, "ballots_cast", _("投票人数"))
    if cast > e.registered_voters:
        msg = _("投票人数 %(b)d 超过登记选民 %(v)d 人，请核对。") % {"b": cast, "v": e.registered_voters}
        raise ValidationFailed(msg, code="ballots_above_voters", details={"ballots_cast": [msg]})
    candidates = {c.pk: c for c in e.candidates.select_related("resident")}
    if not candidates:
        raise Conflict(_("尚未登记候选人。"), code="state")
    given = {int(k): v for k, v in (votes or {}).items() if str(k).isdigit()}
    if set(given) != set(candidates):
        raise _invalid("votes", _("请为每位候选人填写得票数。"))
    for cid, c in candidates.items():
        n = _count(given[cid], "votes", _("得票数"))
        if n > cast:
            msg = _("%(n)s得票 %(v)d，超过投票人数 %(b)d，请核对。") % {
                "n": c.resident.name,
                "v": n,
                "b": cast,
            }
            raise ValidationFailed(msg, code="votes_above_ballots", details={"votes": [msg]})
        c.votes = n
    Candidate.objects.bulk_update(candidates.values(), ["votes"])
    return services.update(actor, Election, e.pk, {"ballots_cast": cast, "status": ElectionStatus.COUNTED},
                           perm=MANAGE_ELECTIONS, note=_("计票"))  # fmt: skip


@transaction.atomic
def declare_elected(actor, pk, *, offices: dict) -> tuple[Election, list[str]]:
    """Those elected with their offices ({candidate: 主任/副主任/委员}); one 主任. Each must have more
    than half of the ballots cast. The apps keeping the committees' offices take them in."""
    from shequ.people.models import Resident

    e = _election(actor, pk)
    if e.status != ElectionStatus.COUNTED:
        raise Conflict(_("请先计票，再确认当选人。") if e.status == ElectionStatus.PLANNED else _("当选结果已公布。"),
                       code="state")  # fmt: skip
    chosen = {
        int(k): choice(Office, v, "offices", _("职务"))
        for k, v in (offices or {}).items()
        if str(k).isdigit() and v
    }
    candidates = {c.pk: c for c in e.candidates.select_related("resident")}
    if not chosen or not set(chosen) <= set(candidates):
        raise _invalid("offices", _("请为当选的候选人选择职务。"))
    if list(chosen.values()).count(Office.DIRECTOR) != 1:
        raise _invalid("offices", _("当选人中须有且只有一名主任。"))
    for cid in chosen:
        c = candidates[cid]
        if c.votes is None or c.votes * 2 <= (e.ballots_cast or 0):
            raise _invalid("offices", _("%(n)s得票 %(v)d，未超过投票人数 %(b)d 的半数，不能当选。") % {
                "n": c.resident.name, "v": c.votes or 0, "b": e.ballots_cast or 0})  # fmt: skip
    members = []
    for cid, office in chosen.items():
        c = candidates[cid]
        Candidate.objects.filter(pk=cid).update(elected=True, office=office)
        r: Resident = c.resident
        members.append(registry.ElectedMember(
            resident_id=r.pk, name=r.name, office=office, id_number=r.doc_number if r.doc_type == "id_card" else "",
            birth_date=r.birth_date, gender=r.gender, education=r.education, political_status=r.political_status,
        ))  # fmt: skip
    e = services.update(actor, Election, e.pk, {"status": ElectionStatus.DECLARED}, perm=MANAGE_ELECTIONS,
                        note=_("公布当选"))  # fmt: skip
    notes = registry.election_declared(actor, e.community.code, str(e.term_label), e.held_on, members)
    return e, notes


def term_end(e: Election) -> dt.date:
    """The day the term elected ends (three years on)."""
    try:
        return e.held_on.replace(year=e.held_on.year + TERM_YEARS)
    except ValueError:
        return e.held_on.replace(year=e.held_on.year + TERM_YEARS, day=28)
