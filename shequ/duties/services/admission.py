"""Admission requests: filing, the pre-check, the review and its decision, admission, withdrawal,
and the sweep (reminders, overdue reviews, expiry)."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import changelog, notify, worktime
from shequ.core.errors import Conflict, Forbidden, NotFound
from shequ.core.models import Action, Membership, User
from shequ.core.periodic import run_on_read
from shequ.core.roles import Role
from shequ.core.scope import covers, memberships
from shequ.core.services import _clean, get_visible, require
from shequ.duties.models import (
    LIVE_REQUEST,
    METRIC_FIELDS,
    OPEN_REQUEST,
    AdmissionRequest,
    BurdenEntry,
    DecisionRule,
    DutyItem,
    DutyPolicy,
    EntrySource,
    Kind,
    RequestStatus,
    ReviewMember,
    ReviewVote,
    Task,
    TaskStatus,
    Vote,
)
from shequ.duties.services.common import _doc_number, _invalid, _serial
from shequ.duties.services.lists import items_in_force, policy_for
from shequ.org.models import Level, OrgUnit

# --- admission requests: filing and the pre-check -------------------------------------------------
_REQUEST_FIELDS = (
    "title",
    "description",
    "reason",
    "basis",
    "item",
    "start_date",
    "end_date",
    "frequency",
    *METRIC_FIELDS,
    "hours_per_month",
    "ledger_names",
    "form_names",
    "funding_per_community",
    "funding_source",
    "personnel",
    "personnel_count",
    "urgent",
    "urgent_reason",
)


def department_of(actor, department: str = "") -> tuple[str, str]:
    """(department name, scope code) the actor files for: their department membership."""
    ms = [m for m in memberships(actor) if m.role == Role.DEPARTMENT and m.department]
    if department:
        ms = [m for m in ms if m.department == department]
    if ms:
        return ms[0].department, ms[0].scope_code
    if department and any(m.role == Role.SYSADMIN for m in memberships(actor)):
        return department, ""
    raise Forbidden(_("只有职能部门工作人员可以提出准入申请（账号需绑定所属部门）。"))


def _communities(actor, origin: str, communities) -> list[OrgUnit]:
    keys = [getattr(c, "pk", c) for c in communities or ()]
    if not keys:
        raise _invalid("communities", _("请选择承接任务的社区。"))
    # A key is a primary key, or a 12-digit community code.
    codes = [str(k) for k in keys if len(str(k)) >= 12]
    ids = [k for k in keys if len(str(k)) < 12 and str(k).isdigit()]
    found = list(
        OrgUnit.objects.filter(Q(pk__in=ids) | Q(code__in=codes), level=Level.COMMUNITY).order_by("code")
    )
    if len(found) != len(set(keys)):
        raise _invalid("communities", _("所选社区中有无效的社区，请重新选择。"))
    outside = [c.name for c in found if origin and not c.code.startswith(origin)]
    if outside:
        raise _invalid("communities", _("以下社区不在本部门的管辖范围内：%s") % "、".join(outside))
    return found


def _reviewer(communities) -> DutyPolicy:
    """The deepest district/street policy whose area covers every target community."""
    streets = {c.code[:9] for c in communities}
    districts = {c.code[:6] for c in communities}
    if len(districts) > 1:
        raise _invalid("communities", _("一份申请只能面向同一个区的社区，请按区分别申请。"))
    policy = policy_for(streets.pop() if len(streets) == 1 else districts.pop())
    if policy is None or not policy.members.exists():
        raise _invalid(
            "communities", _("所选社区的上级街道或区尚未设立准入审核小组，请联系街道或区民政部门。")
        )
    return policy


def _notice_start(policy, now) -> dt.date:
    return worktime.add_working_days(now, policy.notice_days).date()


def _finding(level: str, code: str, message: str, item=None) -> dict:
    return {"level": level, "code": code, "message": message, "item": item.citation if item else ""}


def _suspected(req, communities) -> list[DutyItem]:
    text = f"{req.title}\n{req.description}"
    negative = items_in_force([c.code for c in communities], Kind.NEGATIVE)
    return [it for it in negative if any(w in text for w in it.keyword_list())]


def precheck(req, communities, policy, now, duplicates=()) -> tuple[str, list[dict], bool, bool]:
    """(status, findings, fast_track, suspected) for a request about to be filed or resubmitted."""
    findings = []
    item = req.item
    if item is not None and item.kind == Kind.NEGATIVE:
        redirect = _("应由%s办理。") % item.redirect if item.redirect else ""
        findings.append(
            _finding(
                "reject",
                "negative_list",
                _("该事项列入负面清单：%(c)s。%(rule)s%(r)s")
                % {"c": item.citation, "rule": settings.DUTY_RULE_NEGATIVE, "r": redirect},
                item,
            )
        )
    suspects = [] if findings else [i for i in _suspected(req, communities) if i != item]
    for it in suspects:
        findings.append(
            _finding(
                "warn",
                "suspected_negative",
                _("申请内容疑似负面清单事项：%s，请审核人重点核查。") % it.citation,
                it,
            )
        )
    basis = req.basis or (item.basis if item else "")
    if not findings or findings[0]["level"] != "reject":
        if not basis.strip():
            findings.append(
                _finding(
                    "return",
                    "missing_basis",
                    _("缺少法律政策依据：请写明依据的法律、法规或政策文件后重新提交。"),
                )
            )
        if (
            item is not None
            and item.funding_required
            and req.funding_per_community < (item.funding_standard or 0)
        ):
            findings.append(
                _finding(
                    "return",
                    "missing_funding",
                    _(
                        "%(c)s须随事拨付经费，标准为每社区 %(s)s 元，申请仅 %(f)s 元：请落实经费后重新提交（费随事转）。"
                    )
                    % {"c": item.citation, "s": item.funding_standard, "f": req.funding_per_community},
                    item,
                )
            )
    fast = bool(
        item is not None
        and item.kind == Kind.ASSIST
        and item.funding_standard
        and req.funding_per_community >= item.funding_standard
    )
    if fast:
        findings.append(
            _finding(
                "info",
                "fast_track",
                _("协助政府工作事项，经费达到标准（每社区 %s 元），进入快速通道。") % item.funding_standard,
                item,
            )
        )
    if item is not None and item.kind == Kind.STATUTORY:
        findings.append(_finding("info", "statutory", _("对应依法履行职责事项：%s。") % item.citation, item))
    if item is None and not suspects:
        findings.append(
            _finding("warn", "not_listed", _("未对应清单事项：请审核人判断是否属于社区工作范围。"))
        )
    if req.urgent:
        findings.append(
            _finding(
                "warn",
                "urgent",
                _("紧急事项，未按规定提前 %(n)d 个工作日提出。事由：%(r)s")
                % {"n": policy.notice_days, "r": req.urgent_reason},
            )
        )
    if duplicates:
        findings.append(
            _finding(
                "warn",
                "duplicate",
                _("与已有申请疑似重复：%s（申请人已确认不是重复申请）。") % "、".join(duplicates),
            )
        )
    levels = {f["level"] for f in findings}
    status = (
        RequestStatus.REJECTED
        if "reject" in levels
        else RequestStatus.RETURNED
        if "return" in levels
        else RequestStatus.REVIEW
    )
    return status, findings, fast and status == RequestStatus.REVIEW, bool(suspects)


def _build(req, fields: dict) -> None:
    for k, v in fields.items():
        if k not in _REQUEST_FIELDS:
            raise _invalid("__all__", _("未知字段：%s") % k)
        setattr(req, k, v)
    try:
        req.funding_per_community = Decimal(str(req.funding_per_community or 0))
        req.hours_per_month = Decimal(str(req.hours_per_month or 0))
    except InvalidOperation:
        raise _invalid("funding_per_community", _("金额和工作量须为数字。")) from None
    if req.funding_per_community < 0:
        raise _invalid("funding_per_community", _("经费不能为负数。"))
    try:
        req.personnel_count = int(req.personnel_count or 0)
    except (TypeError, ValueError):
        raise _invalid("personnel_count", _("派驻人数须为整数。")) from None
    if not 0 <= req.personnel_count <= 1000:
        raise _invalid("personnel_count", _("派驻人数应在 0 至 1000 人之间。"))


def _check_dates(req, policy, now) -> None:
    if req.end_date < req.start_date:
        raise _invalid("end_date", _("结束日期不能早于开始日期。"))
    earliest = _notice_start(policy, now)
    if req.start_date < earliest and not req.urgent:
        raise _invalid(
            "start_date",
            _(
                "准入申请须在任务开始前 %(n)d 个工作日提出，最早可于 %(d)s 开始。"
                "如确属紧急，请勾选“紧急事项”并说明事由。"
            )
            % {"n": policy.notice_days, "d": earliest.isoformat()},
        )
    if req.urgent and len((req.urgent_reason or "").strip()) < 4:
        raise _invalid("urgent_reason", _("紧急事项须说明紧急事由（至少 4 个字）。"))


def _duplicates(req, communities) -> list[str]:
    qs = AdmissionRequest.objects.filter(
        department=req.department,
        status__in=LIVE_REQUEST,
        start_date__lte=req.end_date,
        end_date__gte=req.start_date,
        communities__in=communities,
    )
    qs = qs.filter(Q(item=req.item) if req.item_id else Q(title=req.title)).exclude(pk=req.pk)
    return sorted(set(qs.values_list("number", flat=True)))


def _check_item(req, communities) -> None:
    if req.item_id is None:
        return
    item = items_in_force([c.code for c in communities]).filter(pk=req.item_id).first()
    for c in communities:
        if item is None or not c.code.startswith(item.scope_code):
            raise _invalid("item", _("所选清单事项不适用于%s，请重新选择。") % c.name)


def _open_review(req, policy, now) -> None:
    req.review_deadline = worktime.add_working_days(
        now, policy.fast_track_days if req.fast_track else policy.review_days
    )


def _apply_check(req, communities, policy, now, dups) -> None:
    status, findings, fast, suspected = precheck(req, communities, policy, now, dups)
    req.status, req.findings, req.fast_track, req.suspected_negative = status, findings, fast, suspected
    req.duplicate_of = "、".join(dups)[:200]
    req.review_deadline = None
    if status == RequestStatus.REVIEW:
        _open_review(req, policy, now)
    elif status == RequestStatus.REJECTED:
        req.decided_at = now
        req.decision_note = "\n".join(f["message"] for f in findings if f["level"] == "reject")
        req.letter_number = _letter_number(req.org, now)


@transaction.atomic
def file_request(actor, *, department="", communities, confirm_duplicate=False, **fields) -> AdmissionRequest:
    """A department asks to hand work to communities; the pre-check decides where it goes next."""
    require(actor, "duties.file_request")
    name, origin = department_of(actor, department)
    targets = _communities(actor, origin, communities)
    policy = _reviewer(targets)
    now = timezone.now()
    req = AdmissionRequest(
        department=name,
        origin_code=origin,
        applicant=actor,
        org=policy.org,
        decision_rule=policy.decision_rule,
        submitted_at=now,
    )
    _build(req, fields)
    _check_dates(req, policy, now)
    _check_item(req, targets)
    dups = _duplicates(req, targets)
    if dups and not confirm_duplicate:
        raise Conflict(
            _("本部门已有同一事项、时间重叠的申请：%s。如确认不是重复申请，请勾选确认后再提交。")
            % "、".join(dups),
            code="duplicate_request",
            details={"duplicates": dups},
        )
    req.number = f"ZR{now.year}{_serial(f'duties.request.{now.year}', 5)}"
    _apply_check(req, targets, policy, now, dups)
    _clean(req, exclude=["communities"])
    req.save()
    req.communities.set(targets)
    changelog.record(actor, Action.CREATE, req, after=changelog.snapshot(req), note=req.get_status_display())
    _after_check(req)
    return req


def precheck_preview(actor, *, department="", communities, **fields) -> list[dict]:
    """The pre-check's findings for a request not yet filed (nothing is saved)."""
    require(actor, "duties.file_request")
    name, origin = department_of(actor, department)
    targets = _communities(actor, origin, communities)
    policy = _reviewer(targets)
    req = AdmissionRequest(department=name, origin_code=origin, org=policy.org)
    _build(req, fields)
    return precheck(req, targets, policy, timezone.now(), _duplicates(req, targets))[1]


def _own_request(actor, pk, *, for_update=True) -> tuple[AdmissionRequest, bool]:
    """The request (visible, locked) and whether the actor belongs to the department that filed it."""
    req = get_visible(AdmissionRequest, actor, pk, for_update=for_update)
    mine = any(
        m.role == Role.DEPARTMENT
        and m.department == req.department
        and req.origin_code.startswith(m.scope_code)
        for m in memberships(actor)
    )
    return req, mine


def _version(req, expected_version) -> None:
    if expected_version is not None and req.version != expected_version:
        raise Conflict(_("该申请已被他人处理（当前状态：%s），请刷新页面后重试。") % req.get_status_display())


def _bump(req) -> None:
    req.version = F("version") + 1
    req.save()
    req.refresh_from_db()


@transaction.atomic
def resubmit_request(actor, pk, changes: dict, *, expected_version=None) -> AdmissionRequest:
    """The department completes a returned request; the pre-check runs again."""
    req, mine = _own_request(actor, pk)
    if not mine and not any(m.role == Role.SYSADMIN for m in memberships(actor)):
        raise Forbidden(_("只有申请部门可以修改并重新提交申请。"))
    _version(req, expected_version)
    if req.status != RequestStatus.RETURNED:
        raise Conflict(_("只有“退回补正”的申请可以修改后重新提交。"), code="not_returned")
    before = changelog.snapshot(req)
    changes = dict(changes)
    communities = changes.pop("communities", None)
    targets = (
        _communities(actor, req.origin_code, communities) if communities else list(req.communities.all())
    )
    policy = _reviewer(targets)
    now = timezone.now()
    _build(req, changes)
    _check_dates(req, policy, now)
    _check_item(req, targets)
    req.org, req.decision_rule, req.submitted_at = policy.org, policy.decision_rule, now
    _apply_check(req, targets, policy, now, _duplicates(req, targets))
    _clean(req, exclude=["communities"])
    _bump(req)
    req.communities.set(targets)
    changelog.record(
        actor, Action.UPDATE, req, before=before, after=changelog.snapshot(req), note=_("重新提交")
    )
    _after_check(req)
    return req


def _after_check(req) -> None:
    if req.status == RequestStatus.REVIEW:
        members = User.objects.filter(pk__in=req_members(req).values("user_id"))
        _tell(members, req, "duties.review_requested", _("有新的准入申请待审核"))
    else:
        _tell([req.applicant], req, f"duties.{req.status}", req.get_status_display())


def req_members(req):
    return ReviewMember.objects.filter(policy__org_id=req.org_id).select_related("user")


def _tell(users, req, template: str, subject) -> None:
    def send():
        for u in users:
            notify.send(
                notify.Message(
                    template=template,
                    subject=str(subject),
                    body=f"{subject}：{req.number} {req.title}（{req.department}）",
                    params={"number": req.number, "title": req.title[:20]},
                    user=u,
                    scope_code=req.scope_code,
                )
            )

    transaction.on_commit(send)


# --- the review -----------------------------------------------------------------------------------
def review_state(req, user=None) -> dict:
    """Members, votes (in the order cast) and tally of a request, and what `user` may do in its
    review."""
    members = list(req_members(req))
    cast = list(req.votes.select_related("member"))  # in the order cast
    votes = {v.member_id: v for v in cast}
    tally = {c: sum(1 for v in cast if v.choice == c) for c in Vote.values}
    uid = getattr(user, "pk", None)
    me = next((m for m in members if m.user_id == uid), None)
    now = timezone.now()
    overdue = bool(req.review_deadline and now > req.review_deadline)
    is_manager = bool(user) and covers(user, req.scope_code, "duties.manage_policy")
    return {
        "members": [{"member": m, "vote": votes.get(m.user_id)} for m in members],
        "votes": cast,
        "tally": tally,
        "voted": len(votes),
        "total": len(members),
        "is_member": me is not None,
        "is_chair": bool(me and me.is_chair),
        "may_vote": bool(me) and req.status == RequestStatus.REVIEW and uid not in votes,
        "may_close": req.status == RequestStatus.REVIEW
        and overdue
        and bool(votes)
        and (bool(me and me.is_chair) or is_manager),
        "overdue": overdue and req.status == RequestStatus.REVIEW,
    }


@transaction.atomic
def vote(actor, pk, choice, comment="", *, expected_version=None) -> ReviewVote:
    """A member of the review group records their opinion; the decision falls when the rule says."""
    req = AdmissionRequest.objects.select_for_update().filter(pk=pk).first()
    if req is None or not AdmissionRequest.objects.visible_to(actor).filter(pk=pk).exists():
        raise NotFound()
    member = ReviewMember.objects.filter(policy__org_id=req.org_id, user=actor).first()
    if member is None:
        raise Forbidden(_("只有准入审核小组成员可以提出审核意见。"))
    if req.status != RequestStatus.REVIEW:
        raise Conflict(
            _("该申请已不在审核中（当前状态：%s）。") % req.get_status_display(), code="not_in_review"
        )
    if choice not in Vote.values:
        raise _invalid("choice", _("请选择同意、不同意或修改后同意。"))
    comment = (comment or "").strip()
    if choice != Vote.APPROVE and len(comment) < 2:
        raise _invalid("comment", _("选择“不同意”或“修改后同意”时，请写明理由或修改意见。"))
    if req.votes.filter(member=actor).exists():
        raise Conflict(_("您已对该申请提出过审核意见，不能重复提交。"), code="already_voted")
    _version(req, expected_version)
    now = timezone.now()
    v = ReviewVote(
        request=req,
        member=actor,
        member_title=member.title,
        is_chair=member.is_chair,
        choice=choice,
        comment=comment,
        voted_at=now,
        late=bool(req.review_deadline and now > req.review_deadline),
    )
    v.save()
    changelog.record(actor, Action.CREATE, v, after=changelog.snapshot(v), scope_code=req.scope_code)
    outcome = _outcome(req, final=False)
    if outcome is not None:
        _decide(actor, req, outcome, now)
    else:
        _bump(req)
    return v


def _outcome(req, *, final: bool) -> str | None:
    """APPROVED / REJECTED when the rule has decided, else None. `final`: decide on votes cast."""
    votes = list(req.votes.all())
    chair = next((v for v in votes if v.is_chair), None)
    if req.decision_rule == DecisionRule.CHAIR:
        if chair is None:
            return None if not final else _majority(votes, None)
        return RequestStatus.REJECTED if chair.choice == Vote.REJECT else RequestStatus.APPROVED
    if not final and len(votes) < req_members(req).count():
        return None
    return _majority(votes, chair)


def _majority(votes, chair) -> str:
    yes = sum(1 for v in votes if v.choice != Vote.REJECT)
    no = len(votes) - yes
    if yes == no and chair is not None:
        return RequestStatus.REJECTED if chair.choice == Vote.REJECT else RequestStatus.APPROVED
    return RequestStatus.APPROVED if yes > no else RequestStatus.REJECTED


def tally_line(tally: dict) -> str:
    """同意 N 票，不同意 M 票，修改后同意 K 票."""
    return _("同意 %(a)d 票，不同意 %(r)d 票，修改后同意 %(m)d 票") % {
        "a": tally.get(Vote.APPROVE, 0),
        "r": tally.get(Vote.REJECT, 0),
        "m": tally.get(Vote.AMEND, 0),
    }


def tally_text(req) -> str:
    """The tally of a request's votes and the rule that decided."""
    votes = list(req.votes.all())
    counts = {c: sum(1 for v in votes if v.choice == c) for c in Vote.values}
    return f"{tally_line(counts)}（{req.get_decision_rule_display()}）"


def _letter_number(org, now) -> str:
    return _doc_number(org, "准决", "letter", 3, now.year)


def _decide(actor, req, outcome: str, now, note: str = "") -> None:
    before = changelog.snapshot(req)
    req.status = outcome
    req.decided_at = now
    amends = [f"{v.member}：{v.comment}" for v in req.votes.all() if v.choice == Vote.AMEND]
    req.conditions = "\n".join(amends) if outcome == RequestStatus.APPROVED else ""
    if outcome == RequestStatus.REJECTED:
        reasons = [
            f"{v.member}：{v.comment}" for v in req.votes.all() if v.choice == Vote.REJECT and v.comment
        ]
        req.decision_note = "\n".join([tally_text(req), *reasons, note]).strip()
    else:
        req.decision_note = "\n".join([tally_text(req), note]).strip()
    req.letter_number = _letter_number(req.org, now)
    _bump(req)
    changelog.record(
        actor, Action.UPDATE, req, before=before, after=changelog.snapshot(req), note=req.get_status_display()
    )
    if outcome == RequestStatus.APPROVED:
        _admit(actor, req, now)
    _tell([req.applicant], req, f"duties.{outcome}", req.get_status_display())


@transaction.atomic
def close_review(actor, pk, note="") -> AdmissionRequest:
    """After the deadline, the chair or a manager closes the review on the votes cast."""
    req = get_visible(AdmissionRequest, actor, pk, for_update=True)
    state = review_state(req, actor)
    if req.status != RequestStatus.REVIEW:
        raise Conflict(
            _("该申请已不在审核中（当前状态：%s）。") % req.get_status_display(), code="not_in_review"
        )
    if not (state["is_chair"] or covers(actor, req.scope_code, "duties.manage_policy")):
        raise Forbidden(_("只有审核小组组长或街道、区管理员可以结束审核。"))
    if not state["overdue"]:
        raise Conflict(
            _("审核期限（%s）未到，请等待全部成员提出意见。")
            % timezone.localtime(req.review_deadline).date(),
            code="not_due",
        )
    if not state["voted"]:
        raise Conflict(_("还没有成员提出审核意见，不能结束审核。"), code="no_votes")
    _decide(
        actor,
        req,
        _outcome(req, final=True),
        timezone.now(),
        note=_("审核期满，按已提出的意见决定。") + (note or ""),
    )
    return req


def _admit(actor, req, now) -> list[Task]:
    """Create the task in each target community, its funding commitment and its burden entry."""
    kind = req.item.kind if req.item_id else Kind.ASSIST
    tasks = []
    for c in req.communities.all():
        t = Task(
            request=req,
            community=c,
            department=req.department,
            kind=kind,
            title=req.title,
            start_date=req.start_date,
            deadline=req.end_date,
            urgent=req.urgent,
            funding=req.funding_per_community,
            **req.burden(),
        )
        t.save()
        tasks.append(t)
        if req.funding_per_community > 0:
            from shequ.duties.models import FundingCommitment

            FundingCommitment(
                task=t,
                department=req.department,
                amount=req.funding_per_community,
                source=req.funding_source,
                committed_at=now,
            ).save()
        BurdenEntry(
            community=c,
            task=t,
            source=EntrySource.ADMITTED,
            department=req.department,
            kind=kind,
            title=req.title,
            urgent=req.urgent,
            funding=req.funding_per_community,
            # The load counts from admission: ledgers are set up and signboards ordered before the
            # work starts.
            start_date=min(timezone.localdate(now), req.start_date),
            end_date=req.end_date,
            **req.burden(),
        ).save()
    changelog.record(actor, Action.CREATE, req, note=_("准入后下派任务 %d 个") % len(tasks))
    leads = _community_staff([t.community.code for t in tasks])
    _tell(leads, req, "duties.task_admitted", _("有经准入的新任务下派到本社区"))
    return tasks


def _community_staff(codes):
    ms = Membership.objects.active().filter(
        role__in=(Role.COMMUNITY_LEAD,), org__code__in=codes, grid__isnull=True
    )
    return list(User.objects.filter(pk__in=ms.values("user_id"), is_active=True))


def _end_tasks(req, status: str, now) -> int:
    today = timezone.localdate(now)
    n = 0
    for t in Task.objects.select_for_update().filter(request=req, status=TaskStatus.ACTIVE):
        t.status, t.ended_at = status, now
        t.version = F("version") + 1
        t.save(update_fields=["status", "ended_at", "version", "updated_at"])
        n += 1
    BurdenEntry.objects.filter(task__request=req).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=today)
    ).update(end_date=today)
    return n


@transaction.atomic
def withdraw_request(actor, pk, reason, *, expected_version=None) -> AdmissionRequest:
    """The department (or a manager) withdraws a request; admitted tasks are withdrawn with it."""
    req, mine = _own_request(actor, pk)
    if not (mine or covers(actor, req.scope_code, "duties.manage_policy")):
        raise Forbidden(_("只有申请部门或街道、区管理员可以撤回申请。"))
    _version(req, expected_version)
    if req.status not in LIVE_REQUEST:
        raise Conflict(_("该申请已%s，不能撤回。") % req.get_status_display(), code="not_live")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise _invalid("reason", _("请填写撤回原因。"))
    before = changelog.snapshot(req)
    now = timezone.now()
    ended = _end_tasks(req, TaskStatus.WITHDRAWN, now) if req.status == RequestStatus.APPROVED else 0
    req.status, req.ended_at, req.end_note = RequestStatus.WITHDRAWN, now, reason[:300]
    _bump(req)
    changelog.record(
        actor, Action.UPDATE, req, before=before, after=changelog.snapshot(req), note=_("撤回：%s") % reason
    )
    if ended:
        _tell(
            _community_staff(list(req.communities.values_list("code", flat=True))),
            req,
            "duties.task_withdrawn",
            _("下派任务已撤回"),
        )
    return req


# --- the sweep ------------------------------------------------------------------------------------
def sweep(now=None) -> dict:
    """Remind members before a review deadline, flag overdue reviews once, expire ended requests."""
    now = now or timezone.now()
    counts = {"reminded": 0, "overdue": 0, "expired": 0}
    open_reviews = AdmissionRequest.objects.filter(status=RequestStatus.REVIEW).select_related("org")
    policies = {p.org_id: p for p in DutyPolicy.objects.all()}
    for req in open_reviews.filter(reminded_at__isnull=True, review_deadline__isnull=False):
        p = policies.get(req.org_id)
        days = p.reminder_days if p else 3
        if now < _working_days_before(req.review_deadline, days):
            continue
        with transaction.atomic():
            if not AdmissionRequest.objects.filter(pk=req.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            voted = req.votes.values("member_id")
            users = User.objects.filter(pk__in=req_members(req).exclude(user_id__in=voted).values("user_id"))
            _tell(list(users), req, "duties.review_reminder", _("准入申请审核即将到期"))
            changelog.record(
                None, Action.UPDATE, req, after={"reminded_at": now.isoformat()}, note=_("到期提醒")
            )
        counts["reminded"] += 1
    for req in open_reviews.filter(overdue_at__isnull=True, review_deadline__lt=now):
        with transaction.atomic():
            if not AdmissionRequest.objects.filter(pk=req.pk, overdue_at__isnull=True).update(overdue_at=now):
                continue
            chair = User.objects.filter(pk__in=req_members(req).filter(is_chair=True).values("user_id"))
            _tell(list(chair), req, "duties.review_overdue", _("准入申请审核已超过期限"))
            changelog.record(
                None, Action.UPDATE, req, after={"overdue_at": now.isoformat()}, note=_("审核超期")
            )
        counts["overdue"] += 1
    today = timezone.localdate(now)
    grace = dt.timedelta(days=settings.DUTY_TASK_GRACE_DAYS)
    ended = Q(status=RequestStatus.APPROVED, end_date__lt=today - grace)
    # A request still open when its work should have started is out of date (an urgent one, once
    # its period is over): the department files again if the work is still wanted.
    stale = Q(status__in=OPEN_REQUEST) & (Q(urgent=False, start_date__lt=today) | Q(end_date__lt=today))
    for req in AdmissionRequest.objects.filter(ended | stale):
        with transaction.atomic():
            locked = AdmissionRequest.objects.select_for_update().get(pk=req.pk)
            if locked.status == RequestStatus.APPROVED:
                _end_tasks(locked, TaskStatus.EXPIRED, now)
                note = _("准入期限届满，未完成的任务随之到期。")
            elif locked.status in OPEN_REQUEST:
                note = _("未在任务开始日期前完成审核或补正，申请已过期；如仍需社区承担，请重新申请。")
            else:
                continue
            locked.status, locked.ended_at, locked.end_note = RequestStatus.EXPIRED, now, note
            _bump(locked)
            changelog.record(None, Action.UPDATE, locked, after={"status": "expired"}, note=note)
        counts["expired"] += 1
    return counts


def _working_days_before(deadline, days: int):
    day = timezone.localtime(deadline).date()
    counted = 0
    while counted < days:
        day -= dt.timedelta(days=1)
        if worktime.is_workday(day):
            counted += 1
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0)))


def maybe_sweep() -> None:
    """Run the sweep on read when no broker schedules it (see core.periodic)."""
    run_on_read("duties", sweep)
