"""Acts on 议题: a resident's proposal, staff raising one (from the 议事箱, a meeting, a case or
their own), residents' support up to the community's threshold, accepting and refusing. Each runs
in one transaction, moves the status only through the workflow table, and leaves a change-log row."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import changelog, registry, scope
from shequ.core import scope as _core_scope  # raise_issue's `scope` is the issue's
from shequ.core.errors import Conflict, NotFound, ValidationFailed
from shequ.core.models import Action
from shequ.core.services import get_visible, require
from shequ.org.models import Building, Grid, Level, OrgUnit
from shequ.participation import workflow
from shequ.participation.models import (
    CONFIGURE,
    DEFAULT_THRESHOLD,
    MANAGE,
    Issue,
    IssueAction,
    IssueCategory,
    IssueEvent,
    IssueScope,
    IssueSource,
    IssueStatus,
    Setting,
    Support,
)
from shequ.participation.services.identity import identify


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def community_of(code: str) -> OrgUnit:
    """The community named by its 12-digit code."""
    unit = OrgUnit.objects.filter(code=(code or "").strip(), level=Level.COMMUNITY).first()
    if unit is None:
        raise _invalid("community", _("请选择社区。"))
    return unit


def threshold_of(community) -> int:
    code = community if isinstance(community, str) else community.code
    found = Setting.objects.filter(community__code=code).values_list("support_threshold", flat=True).first()
    return found or DEFAULT_THRESHOLD


@transaction.atomic
def set_threshold(actor, community_code: str, *, support_threshold: int) -> Setting:
    """上会所需附议人数 of a community (the lead's setting)."""
    unit = community_of(community_code)
    if not scope.covers(actor, unit.code):
        raise NotFound()
    require(actor, CONFIGURE, unit.code)
    if not isinstance(support_threshold, int) or not 1 <= support_threshold <= 500:
        raise _invalid("support_threshold", _("附议人数应在 1 到 500 之间。"))
    found = Setting.objects.select_for_update().filter(community=unit).first()
    before = {"support_threshold": found.support_threshold} if found else None
    if found is None:
        found = Setting(community=unit, support_threshold=support_threshold)
    found.support_threshold = support_threshold
    found.save()
    changelog.record(actor, Action.UPDATE if before else Action.CREATE, found, before=before,
                     after={"support_threshold": support_threshold})  # fmt: skip
    return found


def _category(value) -> IssueCategory:
    text = str(value or "").strip()
    qs = IssueCategory.objects.filter(active=True)
    found = qs.filter(pk=int(text)).first() if text.isdigit() else qs.filter(name=text).first()
    if found is None:
        names = "、".join(qs.values_list("name", flat=True))
        raise _invalid("category", _("请选择议题类别：%(n)s。") % {"n": names})
    return found


def _building(community: OrgUnit, value) -> Building | None:
    if value in (None, ""):
        return None
    b = Building.objects.filter(pk=value).first() if str(value).isdigit() else None
    if b is None or not b.scope_code.startswith(community.code):
        raise _invalid("building", _("所选楼栋不在本社区。"))
    return b


def _area(community: OrgUnit, value) -> Grid | None:
    if value in (None, ""):
        return None
    g = Grid.objects.filter(pk=value).first() if str(value).isdigit() else None
    if g is None or g.community_id != community.pk:
        raise _invalid("area", _("所选片区（网格）不在本社区。"))
    return g


def issue_scope(
    community: OrgUnit, scope_value="", area=None, building=None
) -> tuple[str, Grid | None, Building | None]:
    """(scope, 片区, building) of an issue, said consistently: a building issue names its building
    (its 片区 is the building's grid), a 片区 issue names its grid, a community issue neither. Without
    a scope the most specific place given decides."""
    text = str(scope_value or "").strip()
    if not text:
        text = (
            IssueScope.BUILDING
            if building not in (None, "")
            else IssueScope.AREA
            if area not in (None, "")
            else IssueScope.COMMUNITY
        )
    chosen = next((c for c, label in IssueScope.choices if text in (c, str(label))), None)
    if chosen is None:
        names = "、".join(str(label) for _c, label in IssueScope.choices)
        raise _invalid("scope", _("议题范围应为：%(n)s。") % {"n": names})
    if chosen == IssueScope.COMMUNITY:
        if area not in (None, "") or building not in (None, ""):
            raise _invalid(
                "scope", _("范围为“全社区”的议题不填片区和楼栋；涉及具体片区或楼栋的，请选择相应范围。")
            )
        return chosen, None, None
    if chosen == IssueScope.AREA:
        if building not in (None, ""):
            raise _invalid("building", _("范围为“片区”的议题不填楼栋；只涉及一栋楼的，请选择范围“楼栋”。"))
        g = _area(community, area)
        if g is None:
            raise _invalid("area", _("范围为“片区”时请选择片区（网格）。"))
        return chosen, g, None
    b = _building(community, building)
    if b is None:
        raise _invalid("building", _("范围为“楼栋”时请选择楼栋。"))
    g = _area(community, area)
    if g is not None and g.pk != b.grid_id:
        raise _invalid("area", _("所选楼栋不在所选片区（网格）内。"))
    return chosen, b.grid, b


def _text(title: str, text: str) -> tuple[str, str]:
    title, text = (title or "").strip(), (text or "").strip()
    if not title:
        raise _invalid("title", _("请填写议题（一句话说明要商议的事）。"))
    if len(title) > 100:
        raise _invalid("title", _("议题不能超过 100 字。"))
    if not text:
        raise _invalid("text", _("请写明具体情况和建议。"))
    if len(text) > 4000:
        raise _invalid("text", _("内容不能超过 4000 字。"))
    return title, text


def _event(issue: Issue, action: str, actor=None, note: str = "", name: str = "") -> None:
    IssueEvent.objects.create(issue=issue, action=action, status=issue.status, note=note[:300],
                              actor_name=name or (str(actor) if getattr(actor, "pk", None) else ""))  # fmt: skip


def move(issue: Issue, action: str, actor=None, *, note: str = "", name: str = "") -> Issue:
    """Move a locked issue by the workflow table, stamp its dates, record the step."""
    before = issue.status
    issue.status = workflow.advance(issue.status, action)
    today = timezone.localdate()
    if issue.status == IssueStatus.READY and issue.ready_on is None:
        issue.ready_on = today
    elif issue.status == IssueStatus.RESOLVED:
        issue.resolved_on = today
    elif issue.status == IssueStatus.DONE:
        issue.done_on = today
    if action == IssueAction.REJECT:
        issue.reject_reason = note[:300]
    issue.save(update_fields=["status", "ready_on", "resolved_on", "done_on", "reject_reason", "updated_at"])
    _event(issue, action, actor, note, name)
    changelog.record(actor, Action.UPDATE, issue, before={"status": before}, after={"status": issue.status},
                     note=str(IssueAction(action).label))  # fmt: skip
    return issue


def _add_support(issue: Issue, person, *, refuse_twice: bool = True) -> Support | None:
    try:
        with transaction.atomic():
            s = Support.objects.create(issue=issue, key=person.key, name=person.name[:50], resident=person.resident,
                                       user=person.user)  # fmt: skip
    except IntegrityError:
        if refuse_twice:
            raise Conflict(
                _("您已附议过“%(t)s”，每位居民只能附议一次。") % {"t": issue.title}, code="duplicate"
            ) from None
        return None
    issue.support_count = issue.supports.count()
    issue.save(update_fields=["support_count", "updated_at"])
    if issue.status == IssueStatus.PROPOSED and issue.support_count >= threshold_of(issue.community):
        move(issue, IssueAction.QUALIFY, note=_("附议达到 %(n)d 人") % {"n": issue.support_count},
             name=_("系统"))  # fmt: skip
    return s


@transaction.atomic
def propose_issue(user, community_code: str, *, title: str, text: str, category, building=None,
                  name: str = "", last4: str = "", scope: str = "", area=None) -> Issue:  # fmt: skip
    """居民提议: a resident of the community (signed in, or by name and phone digits) proposes an
    issue; their own support counts as the first."""
    unit = community_of(community_code)
    person = identify(user, unit.code, name=name, last4=last4)
    title, text = _text(title, text)
    where, grid, building = issue_scope(unit, scope, area, building)
    issue = Issue.objects.create(
        community=unit, scope=where, area=grid, building=building, category=_category(category), source=IssueSource.PROPOSAL,
        title=title, text=text, proposer_name=person.name[:50], proposer_user=person.user,
        proposer_resident=person.resident, raised_on=timezone.localdate(),
    )  # fmt: skip
    _event(issue, "propose", name=person.name)
    changelog.record(user if getattr(user, "pk", None) else None, Action.CREATE, issue,
                     after={"title": title, "source": issue.source})  # fmt: skip
    _add_support(issue, person)
    return issue


@transaction.atomic
def raise_issue(actor, community_code: str, *, source: str, title: str, text: str, category, building=None,
                proposer_name: str = "", case: str = "", scope: str = "", area=None) -> Issue:  # fmt: skip
    """Staff enter an issue: from the 议事箱, a meeting, a case (by its number) or their own."""
    unit = community_of(community_code)
    if not _core_scope.covers(actor, unit.code):
        raise NotFound()
    require(actor, MANAGE, unit.code)
    if source not in IssueSource.values or source in (IssueSource.PROPOSAL, IssueSource.RATING):
        allowed = "、".join(
            str(s.label) for s in IssueSource if s not in (IssueSource.PROPOSAL, IssueSource.RATING)
        )
        raise _invalid("source", _("工作人员登记的议题来源应为：%(n)s。") % {"n": allowed})
    title, text = _text(title, text)
    where, grid, building = issue_scope(unit, scope, area, building)
    case_id, case_number = None, ""
    if source == IssueSource.CASE:
        found = registry.resolve_reference("case", actor, (case or "").strip())
        if found is None:
            raise _invalid("case", _("请填写来源案件的受理编号（须在您的管辖范围内）。"))
        if found.get("community") and found["community"] != unit.code:
            raise _invalid("case", _("该案件不属于所选社区。"))
        if Issue.objects.filter(case_id=found["id"]).exclude(status=IssueStatus.REJECTED).exists():
            raise Conflict(_("案件 %(n)s 已转为议题。") % {"n": found["number"]}, code="duplicate")
        case_id, case_number = found["id"], found["number"]
    issue = Issue(
        community=unit, scope=where, area=grid, building=building, category=_category(category), source=source,
        title=title, text=text, proposer_name=(proposer_name or "").strip()[:50] or str(actor)[:50],
        proposer_user=actor, case_id=case_id, case_number=case_number, raised_on=timezone.localdate(),
    )  # fmt: skip
    issue.save()
    _event(issue, "raise", actor)
    changelog.record(
        actor, Action.CREATE, issue, after={"title": title, "source": source, "case": case_number}
    )
    return issue


def _locked(actor, pk, perm: str = MANAGE) -> Issue:
    issue = get_visible(Issue, actor, pk, for_update=True)
    require(actor, perm, issue.scope_code)
    return issue


@transaction.atomic
def support_issue(user, pk, *, name: str = "", last4: str = "") -> Support:
    """附议: a resident of the issue's community supports it, once; at the community's threshold the
    issue is put on the list for the next meeting (待上会)."""
    issue = Issue.objects.select_for_update().select_related("community").filter(pk=pk).first()
    if issue is None:
        raise NotFound()
    if issue.status not in workflow.OPEN_FOR_SUPPORT:
        raise Conflict(
            _("议题已%(s)s，不再征集附议。") % {"s": IssueStatus(issue.status).label}, code="closed"
        )
    person = identify(user, issue.community.code, name=name, last4=last4)
    return _add_support(issue, person)


@transaction.atomic
def accept_issue(actor, pk, *, note: str = "") -> Issue:
    """Staff put a proposed issue on the list for a meeting without waiting for the threshold."""
    return move(_locked(actor, pk), IssueAction.QUALIFY, actor, note=(note or "").strip() or _("社区受理"))


@transaction.atomic
def reject_issue(actor, pk, *, reason: str) -> Issue:
    """不予受理, with the reason the residents are told."""
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise _invalid("reason", _("请写明不予受理的理由（至少 4 个字），将在居民议事厅公开。"))
    return move(_locked(actor, pk), IssueAction.REJECT, actor, note=reason)
