"""Every write of the finance module: rules, budgets, allocations, task money, spending, closing a
year. Each act checks role and scope, refuses bad input with the reason, writes in one transaction
and leaves a change-log row."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import changelog, registry, scope
from shequ.core.attachments import PHOTO_MAX_BYTES, attach, clean_photo
from shequ.core.errors import Conflict, NotFound, ValidationFailed
from shequ.core.models import Action
from shequ.core.services import get_visible, require
from shequ.finance import sharing
from shequ.finance.models import (
    CLOSE,
    MANAGE,
    PAY_TASK,
    SPEND,
    ZERO,
    Allocation,
    Base,
    Budget,
    BudgetLine,
    BudgetStatus,
    Category,
    ClosedYear,
    FundKind,
    Mode,
    Party,
    SharingRule,
    Spending,
)
from shequ.org.models import Level, OrgUnit

TASK_FUND = "special"  # the fund kind task money arrives as: 专项工作经费
MAX_AMOUNT = Decimal("999999999999.99")


def yuan(d) -> str:
    """An amount as messages show it: two decimals, whatever scale the database returned."""
    return f"{Decimal(d):.2f}"


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def money(value, field: str, label: str, *, positive: bool = True) -> Decimal:
    """A yuan amount with at most two decimals (never a float)."""
    if isinstance(value, float):
        value = repr(value)
    try:
        d = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise invalid(field, _("%(l)s应为数字（元）。") % {"l": label}) from None
    if not d.is_finite() or d < 0 or (positive and d == 0):
        raise invalid(field, _("%(l)s应为大于 0 的金额（元）。") % {"l": label})
    if d != round(d, 2):
        raise invalid(field, _("%(l)s最多精确到分（两位小数）。") % {"l": label})
    if d > MAX_AMOUNT:
        raise invalid(field, _("%(l)s超出可登记的范围，请核对。") % {"l": label})
    return d


def year_of(value, field: str = "year") -> int:
    try:
        y = int(value)
    except (TypeError, ValueError):
        raise invalid(field, _("请填写年度（如 2026）。")) from None
    if not 2000 <= y <= 2100:
        raise invalid(field, _("年度应在 2000 至 2100 之间。"))
    return y


def day_of(value, field: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise invalid(field, _("请填写%(l)s（如 2026-03-01）。") % {"l": label}) from None


def kind_of(value, field: str = "fund_kind") -> FundKind:
    if isinstance(value, FundKind):
        return value
    text = str(value or "").strip()
    q = Q(code=text) | Q(name=text)
    if text.isdigit():
        q |= Q(pk=int(text))
    kind = FundKind.objects.filter(q).first()
    if kind is None:
        names = "、".join(FundKind.objects.values_list("name", flat=True))
        raise invalid(field, _("经费类别“%(v)s”不存在，应为：%(n)s。") % {"v": text[:20], "n": names})
    return kind


def party_of(value, field: str = "party") -> str:
    text = str(value or "").strip()
    for code, label in Party.choices:
        if text in (code, str(label)) or (code == "street" and text in ("街道", "乡镇")):
            return code
    raise invalid(
        field, _("出资方“%(v)s”不在可选范围内，应为：市、区、街道/乡镇、部门、其他。") % {"v": text[:20]}
    )


def unit_at(actor, code, levels, perm: str | None, field: str) -> OrgUnit:
    """The org unit an act applies to: 400 when the code names none of these levels, 404 outside
    the actor's scope, 403 without `perm` there."""
    if isinstance(code, OrgUnit):
        code = code.code
    unit = OrgUnit.objects.filter(code=str(code or "").strip(), level__in=levels).first()
    if unit is None:
        names = {
            Level.COMMUNITY: _("社区（12 位）"),
            Level.STREET: _("街道（9 位）"),
            Level.DISTRICT: _("区（6 位）"),
        }
        raise invalid(field, _("请填写%(l)s代码。") % {"l": "或".join(str(names[lv]) for lv in levels)})
    if not scope.covers(actor, unit.code):
        raise NotFound()
    if perm:
        require(actor, perm, unit.code)
    return unit


# --- closed years ---------------------------------------------------------------------------------
def closed(code: str, year: int) -> ClosedYear | None:
    """The closing that covers this org code's year (its own, its street's or its district's)."""
    heads = [code[:n] for n in (6, 9, 12) if len(code) >= n]
    return ClosedYear.objects.filter(org__code__in=heads, year=year).select_related("org").first()


def refuse_closed(code: str, year: int) -> None:
    c = closed(code, year)
    if c is not None:
        raise Conflict(
            _("%(y)d 年度已由%(o)s于 %(d)s 结账，不能再修改；如需更正，请登记冲销和新的记录（更正）。")
            % {"y": year, "o": c.org.display_name, "d": timezone.localtime(c.closed_at).date().isoformat()},
            code="year_closed",
        )


@transaction.atomic
def close_year(actor, org, year) -> ClosedYear:
    """Close a year for a district or street: from now on its entries are only corrected."""
    unit = unit_at(actor, org, (Level.DISTRICT, Level.STREET), CLOSE, "org")
    year = year_of(year)
    if year >= timezone.localdate().year + 1:
        raise invalid("year", _("未来的年度不能结账。"))
    if closed(unit.code, year):
        raise Conflict(_("%(y)d 年度已经结账。") % {"y": year}, code="already_closed")
    c = ClosedYear(org=unit, year=year, closed_by=actor)
    c.save()
    changelog.record(actor, Action.CREATE, c, after=changelog.snapshot(c), note=_("年度结账"))
    return c


# --- rules ----------------------------------------------------------------------------------------
def parse_parties(parties) -> list[dict]:
    """[{"party", "department", "ratio"}] with every ratio a positive decimal; refused otherwise."""
    if not isinstance(parties, list | tuple) or not parties:
        raise invalid("parties", _("请至少填写一个出资方及其比例。"))
    out = []
    for i, p in enumerate(parties, 1):
        if not isinstance(p, dict):
            raise invalid("parties", _("第 %(i)d 个出资方格式有误。") % {"i": i})
        party = party_of(p.get("party"), "parties")
        dept = str(p.get("department") or "").strip()[:100]
        if party == Party.DEPARTMENT and not dept:
            raise invalid("parties", _("出资方为部门时请填写部门名称。"))
        try:
            ratio = Decimal(str(p.get("ratio")).strip())
        except (InvalidOperation, ValueError):
            ratio = None
        if ratio is None or not ratio.is_finite() or ratio <= 0:
            raise invalid(
                "ratios",
                _("第 %(i)d 个出资方的比例“%(r)s”无效：分担比例须为正数（如 1:1:1、8:2、1:2.5）。")
                % {"i": i, "r": str(p.get("ratio"))[:12]},
            )
        if ratio != round(ratio, 4):
            raise invalid("ratios", _("分担比例最多保留四位小数。"))
        out.append(
            {"party": party, "department": dept if party == Party.DEPARTMENT else "", "ratio": str(ratio)}
        )
    keys = [(p["party"], p["department"]) for p in out]
    if len(set(keys)) != len(keys):
        raise invalid("parties", _("同一出资方不能重复出现，请合并比例。"))
    return out


def parties_from_text(parties: str, ratios: str) -> list[dict]:
    """The form's way: "市,区,街道" and "1:1:1" (a department as 部门:民政局)."""
    names = [
        p.strip() for p in str(parties or "").replace("，", ",").replace("、", ",").split(",") if p.strip()
    ]
    rs = [r.strip() for r in str(ratios or "").replace("：", ":").split(":") if r.strip()]
    if len(names) != len(rs):
        raise invalid(
            "parties", _("出资方有 %(p)d 个，比例有 %(r)d 项，请一一对应。") % {"p": len(names), "r": len(rs)}
        )
    out = []
    for name, r in zip(names, rs, strict=True):
        dept = ""
        if name.startswith(("部门:", "部门：")):
            name, dept = "department", name[3:].strip()
        out.append({"party": name, "department": dept, "ratio": r})
    return out


@transaction.atomic
def set_rule(actor, *, org, year, fund_kind, name, base, base_amount, mode=Mode.SHARE, parties,
             communities=None, due_on=None, note="") -> SharingRule:  # fmt: skip
    """Set a cost-sharing rule; a rule of the same name, year and kind is superseded by a new revision."""
    unit = unit_at(actor, org, (Level.DISTRICT, Level.STREET), MANAGE, "org")
    year = year_of(year)
    refuse_closed(unit.code, year)
    kind = kind_of(fund_kind)
    name = str(name or "").strip()[:100]
    if not name:
        raise invalid("name", _("请填写规则名称。"))
    if base not in Base.values:
        raise invalid("base", _("计算基数应为：每社区、每名社区工作者、每名居民或项目总额。"))
    if mode not in Mode.values:
        raise invalid("mode", _("分担方式应为按比例分担或按比例配套。"))
    amount = money(base_amount, "base_amount", _("基数金额"))
    parsed = parse_parties(parties)
    chosen = []
    for c in communities or []:
        u = unit_at(actor, c, (Level.COMMUNITY,), None, "communities")
        if not u.code.startswith(unit.code):
            raise invalid(
                "communities", _("%(c)s不在%(o)s辖区内。") % {"c": u.display_name, "o": unit.display_name}
            )
        chosen.append(u)
    if base == Base.WORKER and registry.headcount("workers", []) is None:
        raise invalid("base", _("未启用社区工作者名册，不能按工作者人数计算，请改用其他基数。"))
    prior = (
        SharingRule.objects.select_for_update()
        .filter(org=unit, year=year, fund_kind=kind, name=name, current=True)
        .first()
    )
    revision = 1
    if prior is not None:
        SharingRule.objects.filter(pk=prior.pk).update(current=False)
        revision = prior.revision + 1
    rule = SharingRule(org=unit, year=year, fund_kind=kind, name=name, revision=revision, base=base,
                       base_amount=amount, mode=mode, parties=parsed, due_on=due_on or None,
                       note=str(note or "")[:300], created_by=actor)  # fmt: skip
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:
        raise Conflict(_("同名规则刚被他人修改，请刷新后重试。"), code="duplicate") from None
    rule.communities.set(chosen)
    changelog.record(actor, Action.CREATE, rule, after=changelog.snapshot(rule),
                     note=_("分担规则 第 %(n)d 版") % {"n": revision})  # fmt: skip
    return rule


def rule_communities(rule: SharingRule) -> list[OrgUnit]:
    chosen = list(rule.communities.all().order_by("code"))
    if chosen:
        return chosen
    return list(
        OrgUnit.objects.filter(level=Level.COMMUNITY, code__startswith=rule.org.code).order_by("code")
    )


def residents_of(codes) -> dict[str, int]:
    from shequ.people.models import Resident

    rows = (
        Resident.objects.filter(community__code__in=list(codes), status="active")
        .values_list("community__code")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


def rule_amounts(rule: SharingRule, communities=None) -> dict[str, list[tuple[dict, Decimal]]]:
    """Each community's parts under the rule: {code: [(party, yuan), …]}, parts adding up exactly."""
    communities = communities if communities is not None else rule_communities(rule)
    codes = [c.code for c in communities]
    ratios = [Decimal(p["ratio"]) for p in rule.parties]
    counts = None
    if rule.base == Base.WORKER:
        counts = registry.headcount("workers", codes) or {}
    elif rule.base == Base.RESIDENT:
        counts = residents_of(codes)
    out = {}
    for code in codes:
        base = rule.base_amount if counts is None else rule.base_amount * counts.get(code, 0)
        if base <= 0:
            out[code] = [(p, ZERO) for p in rule.parties]
            continue
        out[code] = list(zip(rule.parties, sharing.parts(rule.mode, base, ratios), strict=True))
    return out


@transaction.atomic
def apply_rule(actor, rule_pk) -> dict:
    """Write the rule's parts into each community's budget of that year (draft budgets only;
    an approved or published budget keeps its lines and is reported as skipped)."""
    rule = get_visible(SharingRule, actor, rule_pk)
    require(actor, MANAGE, rule.scope_code)
    if not rule.current:
        raise Conflict(_("该规则已有新版本，请应用现行版本。"), code="superseded")
    refuse_closed(rule.scope_code, rule.year)
    communities = rule_communities(rule)
    amounts = rule_amounts(rule, communities)
    budgets = {b.community_id: b for b in Budget.objects.select_for_update().filter(
        year=rule.year, fund_kind=rule.fund_kind, community__in=communities)}  # fmt: skip
    written, skipped = 0, []
    for c in communities:
        b = budgets.get(c.pk)
        if b is None:
            b = Budget(community=c, year=rule.year, fund_kind=rule.fund_kind)
            b.save()
        elif b.status != BudgetStatus.DRAFT:
            skipped.append(c.display_name)
            continue
        # Lines of earlier revisions of the same rule give way to this one.
        BudgetLine.objects.filter(budget=b, rule__org=rule.org, rule__name=rule.name, rule__year=rule.year,
                                  rule__fund_kind=rule.fund_kind).delete()  # fmt: skip
        BudgetLine.objects.bulk_create(
            [
                BudgetLine(
                    budget=b,
                    year=b.year,
                    fund_kind_id=b.fund_kind_id,
                    party=p["party"],
                    department=p["department"],
                    amount=amt,
                    rule=rule,
                    due_on=rule.due_on,
                    scope_code=b.scope_code,
                )
                for p, amt in amounts[c.code]
                if amt > 0
            ]  # fmt: skip
        )
        written += 1
    changelog.record(actor, Action.UPDATE, rule, note=_("按规则编制预算：%(n)d 个社区") % {"n": written})
    return {"rule": rule, "written": written, "skipped": skipped}


# --- budgets --------------------------------------------------------------------------------------
TRANSITIONS = {
    BudgetStatus.DRAFT: {BudgetStatus.APPROVED},
    BudgetStatus.APPROVED: {BudgetStatus.PUBLISHED, BudgetStatus.DRAFT},
    BudgetStatus.PUBLISHED: set(),
}


@transaction.atomic
def add_budget_item(actor, budget_pk, *, party, amount, note, department="", due_on=None) -> BudgetLine:
    """A one-off item in a draft budget (a repair, a one-time grant)."""
    b = get_visible(Budget, actor, budget_pk, for_update=True)
    require(actor, MANAGE, b.scope_code)
    refuse_closed(b.scope_code, b.year)
    if b.status != BudgetStatus.DRAFT:
        raise Conflict(_("预算已%(s)s，不能再增加项目；如需调整请先退回编制。") % {"s": b.get_status_display()},
                       code="not_draft")  # fmt: skip
    party = party_of(party)
    department = str(department or "").strip()[:100]
    if party == Party.DEPARTMENT and not department:
        raise invalid("department", _("出资方为部门时请填写部门名称。"))
    note = str(note or "").strip()[:200]
    if not note:
        raise invalid("note", _("请说明一次性项目的内容。"))
    line = BudgetLine(budget=b, party=party, department=department, amount=money(amount, "amount", _("金额")),
                      one_off=True, note=note, due_on=due_on or None)  # fmt: skip
    line.save()
    changelog.record(actor, Action.CREATE, line, after=changelog.snapshot(line), note=_("一次性预算项目"))
    return line


@transaction.atomic
def move_budget(actor, budget_pk, status, *, expected_version=None) -> Budget:
    """编制中 → 已审定 → 已公开 (an approved budget may go back to 编制中); refused otherwise."""
    b = get_visible(Budget, actor, budget_pk, for_update=True)
    require(actor, MANAGE, b.scope_code)
    refuse_closed(b.scope_code, b.year)
    if expected_version is not None and b.version != expected_version:
        raise Conflict()
    if status not in BudgetStatus.values or status not in TRANSITIONS[BudgetStatus(b.status)]:
        raise Conflict(
            _("预算当前为“%(s)s”，不能改为“%(t)s”。") % {"s": b.get_status_display(),
                                                 "t": dict(BudgetStatus.choices).get(status, status)},
            code="bad_transition",
        )  # fmt: skip
    if status == BudgetStatus.APPROVED and not b.lines.exists():
        raise Conflict(_("预算还没有任何明细，请先按规则编制或增加项目。"), code="empty_budget")
    before = changelog.snapshot(b)
    b.status = status
    now = timezone.now()
    if status == BudgetStatus.APPROVED:
        b.approved_at = now
    elif status == BudgetStatus.PUBLISHED:
        b.published_at = now
    b.version += 1
    b.save()
    changelog.record(
        actor, Action.UPDATE, b, before=before, after=changelog.snapshot(b), note=b.get_status_display()
    )
    return b


# --- allocations ------------------------------------------------------------------------------------
def _party_q(party: str, department: str) -> Q:
    q = Q(party=party)
    return q & Q(department=department) if party == Party.DEPARTMENT else q


def due_for(code: str, year: int, kind_id: int, party: str, department: str = "") -> tuple[Decimal, Decimal]:
    """(due under the budgets, already arrived) for one party, fund kind and year, in a community or
    a street's communities."""
    sub = scope.subtree_q("scope_code", code)
    due = BudgetLine.objects.filter(sub, year=year, fund_kind_id=kind_id).filter(_party_q(party, department))
    got = Allocation.objects.filter(sub, year=year, fund_kind_id=kind_id, commitment_id__isnull=True).filter(
        _party_q(party, department)
    )
    return (due.aggregate(s=Sum("amount"))["s"] or ZERO, got.aggregate(s=Sum("amount"))["s"] or ZERO)


def _save_allocation(actor, a: Allocation, note: str) -> Allocation:
    try:
        with transaction.atomic():
            a.save()
    except IntegrityError:
        raise Conflict(
            _("%(p)s的文号“%(d)s”已经登记过，请核对是否重复登记；确为另一笔请使用不同的文号。")
            % {"p": a.payer, "d": a.document_number},
            code="duplicate_document",
            details={"document_number": [_("文号重复。")]},
        ) from None
    changelog.record(actor, Action.CREATE, a, after=changelog.snapshot(a), note=note)
    return a


@transaction.atomic
def record_allocation(actor, *, org, party, fund_kind, year, amount, arrived_on, document_number="",
                      department="", note="") -> Allocation:  # fmt: skip
    """拨付: money that arrived at a community (or a street for its communities), matched against
    what the budgets say is due from that party; more than due needs a note saying why."""
    unit = unit_at(actor, org, (Level.COMMUNITY, Level.STREET), MANAGE, "org")
    year = year_of(year)
    refuse_closed(unit.code, year)
    kind = kind_of(fund_kind)
    party = party_of(party)
    department = str(department or "").strip()[:100]
    if party == Party.DEPARTMENT and not department:
        raise invalid("department", _("拨付方为部门时请填写部门名称。"))
    amount = money(amount, "amount", _("到账金额"))
    on = day_of(arrived_on, "arrived_on", _("到账日期"))
    if on > timezone.localdate():
        raise invalid("arrived_on", _("到账日期不能晚于今天。"))
    note = str(note or "").strip()[:300]
    # Serialise arrivals into one place so that two clerks cannot both pass the "due" check.
    OrgUnit.objects.select_for_update().filter(pk=unit.pk).first()
    due, got = due_for(unit.code, year, kind.pk, party, department)
    if got + amount > due and not note:
        raise invalid(
            "amount",
            _(
                "到账金额 %(a)s 元超过应拨未到的 %(r)s 元（应拨 %(d)s 元，已到 %(g)s 元）；确需超额拨付请在说明中写明原因。"
            )
            % {"a": yuan(amount), "r": yuan(max(due - got, ZERO)), "d": yuan(due), "g": yuan(got)},
        )
    a = Allocation(org=unit, party=party, department=department if party == Party.DEPARTMENT else "",
                   fund_kind=kind, year=year, amount=amount, arrived_on=on,
                   document_number=str(document_number or "").strip()[:60], note=note, created_by=actor)  # fmt: skip
    return _save_allocation(actor, a, _("登记拨付"))


@transaction.atomic
def reverse_allocation(actor, pk, *, reason) -> Allocation:
    """冲销: an allocation entered in error is cancelled by a negative entry dated today (the
    original stays, both are in the change log). Works in a closed year: it is a correction."""
    a = get_visible(Allocation, actor, pk, for_update=True)
    require(actor, PAY_TASK if a.commitment_id else MANAGE, a.scope_code)
    reason = str(reason or "").strip()[:300]
    if not reason:
        raise invalid("reason", _("请填写冲销原因。"))
    if a.reverses_id or Allocation.objects.filter(reverses=a).exists():
        raise Conflict(_("这笔记录已冲销过或本身是冲销记录，不能再冲销。"), code="already_reversed")
    r = Allocation(org=a.org, party=a.party, department=a.department, fund_kind=a.fund_kind, year=a.year,
                   amount=-a.amount, arrived_on=timezone.localdate(), document_number=a.document_number,
                   note=_("冲销：%(r)s") % {"r": reason}, commitment_id=a.commitment_id, reverses=a,
                   created_by=actor)  # fmt: skip
    _save_allocation(actor, r, _("冲销拨付"))
    if a.commitment_id:
        _sync_commitment(a.commitment_id)
    return r


# --- money that follows tasks (duties' funding commitments) -----------------------------------------
def commitment_model():
    """duties' FundingCommitment, read by name: the duties module need not be installed."""
    try:
        return apps.get_model("duties", "FundingCommitment")
    except LookupError:
        return None


def task_money_arrived(ids) -> dict:
    """Yuan arrived per funding commitment (reversals included): what the burden ledger reads."""
    rows = (
        Allocation.objects.filter(commitment_id__in=list(ids))
        .values_list("commitment_id")
        .annotate(s=Sum("amount"))
    )
    return {cid: s or ZERO for cid, s in rows}


def _sync_commitment(commitment_id) -> None:
    """duties shows the running total on the task page; it is the sum of the arrivals here."""
    model = commitment_model()
    total = task_money_arrived([commitment_id]).get(commitment_id, ZERO)
    last = Allocation.objects.filter(commitment_id=commitment_id).order_by("-arrived_on").first()
    arrived_at = None
    if last is not None:
        arrived_at = timezone.make_aware(dt.datetime.combine(last.arrived_on, dt.time(12)))
    model.objects.filter(pk=commitment_id).update(delivered=total, delivered_at=arrived_at if total else None)


@transaction.atomic
def record_task_arrival(actor, commitment_id, amount, *, arrived_on=None, document_number="", note=""):
    """The money a department promised with an admitted task arrived (in part): one allocation,
    linked to the commitment, read by both modules. More than promised needs a note."""
    model = commitment_model()
    if model is None:
        raise NotFound()
    c = model.objects.visible_to(actor).select_for_update().filter(pk=commitment_id).select_related(
        "task__community").first()  # fmt: skip
    if c is None:
        raise NotFound()
    require(actor, PAY_TASK, c.scope_code)
    amount = money(amount, "amount", _("到位金额"))
    on = day_of(arrived_on or timezone.localdate(), "arrived_on", _("到账日期"))
    if on > timezone.localdate():
        raise invalid("arrived_on", _("到账日期不能晚于今天。"))
    year = timezone.localtime(c.committed_at).year
    refuse_closed(c.scope_code, year)
    got = task_money_arrived([c.pk]).get(c.pk, ZERO)
    note = str(note or "").strip()[:300]
    if got + amount > c.amount and not note:
        raise invalid(
            "amount",
            _("到位金额累计 %(t)s 元将超过承诺的 %(c)s 元；确需超额请在说明中写明原因。")
            % {"t": yuan(got + amount), "c": yuan(c.amount)},
        )
    kind = FundKind.objects.filter(code=TASK_FUND).first() or FundKind.objects.first()
    a = Allocation(org=c.task.community, party=Party.DEPARTMENT, department=c.department, fund_kind=kind,
                   year=year, amount=amount, arrived_on=on, document_number=str(document_number or "").strip()[:60],
                   note=note, commitment_id=c.pk, created_by=actor)  # fmt: skip
    _save_allocation(actor, a, _("随事经费到位"))
    _sync_commitment(c.pk)
    return a


# --- spending -----------------------------------------------------------------------------------------
RECEIPT_MAX_COUNT = 9


def _bad_receipt(message: str) -> ValidationFailed:
    return ValidationFailed(message, code="bad_photo", details={"photos": [message]})


def clean_receipt(name: str, data: bytes, content_type: str = "") -> tuple[str, bytes, str]:
    """One receipt: a photo (decoded, re-encoded without metadata) or a PDF (an electronic invoice),
    decided by the content, never by the name or the browser's word; at most 8 MB."""
    import io

    from PIL import Image, UnidentifiedImageError

    name = str(name or "票据")[:200]
    short = {"n": name[:40]}
    if not data:
        raise _bad_receipt(_("票据“%(n)s”是空文件。") % short)
    if len(data) > PHOTO_MAX_BYTES:
        raise _bad_receipt(_("票据“%(n)s”超过 8 MB，请压缩后再上传。") % short)
    if data[:5] == b"%PDF-":
        if b"%%EOF" not in data[-1024:]:
            raise _bad_receipt(_("票据“%(n)s”不是完整的 PDF 文件，请重新导出后上传。") % short)
        return name, data, "application/pdf"
    try:
        with Image.open(io.BytesIO(data)):
            pass
    except (UnidentifiedImageError, OSError, ValueError):
        raise _bad_receipt(
            _("票据“%(n)s”不是图片或 PDF 文件（支持 JPG、PNG、WEBP、PDF）。") % short
        ) from None
    return clean_photo(name, data, content_type)


def clean_receipts(files) -> list[tuple[str, bytes, str]]:
    """Every receipt checked before anything is written: one bad file refuses the whole act."""
    files = list(files or ())
    if len(files) > RECEIPT_MAX_COUNT:
        msg = _("最多上传 %(n)d 张票据，您选了 %(m)d 张。") % {"n": RECEIPT_MAX_COUNT, "m": len(files)}
        raise ValidationFailed(msg, code="bad_photo", details={"photos": [msg]})
    return [clean_receipt(*f) for f in files]


def balance(code: str, year: int, kind_id: int) -> dict:
    """One fund (a community's fund kind in a year): arrived, spent, balance."""
    arrived = Allocation.objects.filter(scope_code=code, year=year, fund_kind_id=kind_id).aggregate(
        s=Sum("amount")
    )
    spent = Spending.objects.filter(scope_code=code, year=year, fund_kind_id=kind_id).aggregate(
        s=Sum("amount")
    )
    a, s = arrived["s"] or ZERO, spent["s"] or ZERO
    return {"arrived": a, "spent": s, "balance": a - s}


def _spending_fields(actor, community, fund_kind, year, category, payee, spent_on, amount, purpose):
    unit = unit_at(actor, community, (Level.COMMUNITY,), SPEND, "community")
    year = year_of(year)
    kind = kind_of(fund_kind)
    if category not in Category.values:
        found = {str(label): code for code, label in Category.choices}.get(str(category or "").strip())
        if not found:
            raise invalid("category", _("支出类别应为：人员、运转、活动、阵地、服务、救助。"))
        category = found
    payee = str(payee or "").strip()[:100]
    if not payee:
        raise invalid("payee", _("请填写收款方。"))
    on = day_of(spent_on, "spent_on", _("支出日期"))
    if on > timezone.localdate():
        raise invalid("spent_on", _("支出日期不能晚于今天。"))
    amount = money(amount, "amount", _("支出金额"))
    return unit, year, kind, category, payee, on, amount, str(purpose or "").strip()[:200]


def _check_balance(unit, year, kind, amount, *, freed=ZERO) -> None:
    b = balance(unit.code, year, kind.pk)
    if amount > b["balance"] + freed:
        raise invalid(
            "amount",
            _(
                "支出 %(a)s 元超过%(k)s（%(y)d 年度）的余额 %(b)s 元（到账 %(r)s 元，已支出 %(s)s 元）；请核对金额或等待经费到账。"
            )
            % {
                "a": yuan(amount),
                "k": kind.name,
                "y": year,
                "b": yuan(b["balance"] + freed),
                "r": yuan(b["arrived"]),
                "s": yuan(b["spent"]),
            },
        )


@transaction.atomic
def record_spending(actor, *, community, fund_kind, year, category, payee, spent_on, amount, purpose="",
                    photos=()) -> Spending:  # fmt: skip
    """A community's spending from one fund, with its receipt photos; never above the fund's balance."""
    unit, year, kind, category, payee, on, amount, purpose = _spending_fields(
        actor, community, fund_kind, year, category, payee, spent_on, amount, purpose
    )
    refuse_closed(unit.code, year)
    clean = clean_receipts(photos)
    OrgUnit.objects.select_for_update().filter(pk=unit.pk).first()  # one community's spending at a time
    _check_balance(unit, year, kind, amount)
    s = Spending(community=unit, fund_kind=kind, year=year, category=category, payee=payee, spent_on=on,
                 amount=amount, purpose=purpose, created_by=actor)  # fmt: skip
    s.save()
    if clean:
        attach(s, s.scope_code, clean, actor)
    changelog.record(actor, Action.CREATE, s, after=changelog.snapshot(s), note=_("登记支出"))
    return s


@transaction.atomic
def update_spending(actor, pk, changes: dict) -> Spending:
    """Edit a spending entry of an open year; a closed year's entries are corrected, never edited."""
    s = get_visible(Spending, actor, pk, for_update=True)
    require(actor, SPEND, s.scope_code)
    refuse_closed(s.scope_code, s.year)
    if s.reverses_id or Spending.objects.filter(reverses=s).exists():
        raise Conflict(_("已冲销的记录及冲销记录不能修改。"), code="reversed")
    merged = {"community": s.community.code, "fund_kind": s.fund_kind, "year": s.year, "category": s.category,
              "payee": s.payee, "spent_on": s.spent_on, "amount": s.amount, "purpose": s.purpose, **changes}  # fmt: skip
    unit, year, kind, category, payee, on, amount, purpose = _spending_fields(actor, **merged)
    refuse_closed(unit.code, year)
    OrgUnit.objects.select_for_update().filter(pk=unit.pk).first()
    freed = s.amount if (unit.pk, year, kind.pk) == (s.community_id, s.year, s.fund_kind_id) else ZERO
    _check_balance(unit, year, kind, amount, freed=freed)
    before = changelog.snapshot(s)
    s.community, s.year, s.fund_kind, s.category, s.payee, s.spent_on, s.amount, s.purpose = (
        unit, year, kind, category, payee, on, amount, purpose)  # fmt: skip
    s.version += 1
    s.save()
    changelog.record(actor, Action.UPDATE, s, before=before, after=changelog.snapshot(s), note=_("修改支出"))
    return s


@transaction.atomic
def correct_spending(actor, pk, *, reason, amount=None, payee=None, category=None, purpose=None):
    """更正: a reversal of the entry and, when a corrected amount is given, a new entry; both dated
    today and charged to the original year (also a closed one). Returns (reversal, new or None)."""
    s = get_visible(Spending, actor, pk, for_update=True)
    require(actor, SPEND, s.scope_code)
    reason = str(reason or "").strip()[:150]
    if not reason:
        raise invalid("reason", _("请填写更正原因。"))
    if s.reverses_id or Spending.objects.filter(reverses=s).exists():
        raise Conflict(_("这笔支出已更正过或本身是冲销记录，请更正最新的那一笔。"), code="already_reversed")
    today = timezone.localdate()
    rev = Spending(community=s.community, fund_kind=s.fund_kind, year=s.year, category=s.category, payee=s.payee,
                   spent_on=today, amount=-s.amount, purpose=_("冲销：%(r)s") % {"r": reason}, reverses=s,
                   created_by=actor)  # fmt: skip
    rev.save()
    changelog.record(actor, Action.CREATE, rev, after=changelog.snapshot(rev), note=_("冲销支出"))
    new = None
    if amount not in (None, ""):
        amount = money(amount, "amount", _("更正后金额"))
        _check_balance(s.community, s.year, s.fund_kind, amount)
        new = Spending(community=s.community, fund_kind=s.fund_kind, year=s.year,
                       category=category if category in Category.values else s.category,
                       payee=str(payee or s.payee).strip()[:100], spent_on=today, amount=amount,
                       purpose=(str(purpose) if purpose else s.purpose)[:200], created_by=actor)  # fmt: skip
        new.save()
        changelog.record(
            actor,
            Action.CREATE,
            new,
            after=changelog.snapshot(new),
            note=_("更正支出：%(r)s") % {"r": reason},
        )
    return rev, new


def add_receipt(actor, pk, photos) -> list:
    """Receipts for a spending entry (phone camera or an electronic invoice's PDF): checked, photos
    stripped of metadata. A closed year's entry may still get the receipt it lacked."""
    s = get_visible(Spending, actor, pk)
    require(actor, SPEND, s.scope_code)
    clean = clean_receipts(photos)
    if not clean:
        raise invalid("photos", _("请选择票据照片或 PDF 文件。"))
    with transaction.atomic():
        rows = attach(s, s.scope_code, clean, actor)
        changelog.record(actor, Action.UPDATE, s, note=_("上传票据 %(n)d 张") % {"n": len(rows)})
    return rows
