"""Every write of the archives module. Each act checks role and scope, refuses bad input with the
reason in Chinese, writes in one transaction and leaves a change-log row. Item numbers (件号) are
taken from a locked counter per fonds, class, year and retention, so that two clerks never get the
same number and the numbers run without gaps; the unique constraints stand behind it."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.archives import checks
from shequ.archives.models import (
    ARCHIVIST,
    MANAGE,
    RETENTION_ORDER,
    RETENTION_YEARS,
    Carrier,
    CheckKind,
    Decision,
    DisposalRound,
    FileCheck,
    FilingRound,
    Fonds,
    Item,
    ItemFile,
    ItemStatus,
    MemberKind,
    Openness,
    Opinion,
    Proposal,
    ProposalStatus,
    Purpose,
    RegisterEntry,
    RequestStatus,
    Retention,
    RoundItem,
    RoundStatus,
    ScheduleEntry,
    UseAction,
    UseLog,
    UseMode,
    UseRequest,
    reference_of,
)
from shequ.core import changelog, notify, numbering, registry, scope
from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shequ.core.models import Action, Counter, Membership
from shequ.core.services import get_visible, require
from shequ.org.models import Level, OrgUnit


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def year_of(value, field: str = "year") -> int:
    try:
        y = int(value)
    except (TypeError, ValueError):
        raise invalid(field, _("请填写年度（如 2025）。")) from None
    if not 1949 <= y <= timezone.localdate().year:
        raise invalid(field, _("年度应在 1949 年至今年之间。"))
    return y


def day_of(value, field: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise invalid(field, _("请填写%(l)s（如 2025-03-01）。") % {"l": label}) from None


def text_of(value, field: str, label: str, limit: int, *, required: bool = True) -> str:
    t = str(value or "").strip()
    if required and not t:
        raise invalid(field, _("请填写%(l)s。") % {"l": label})
    if len(t) > limit:
        raise invalid(field, _("%(l)s不能超过 %(n)d 个字。") % {"l": label, "n": limit})
    return t


def choice_of(value, choices, field: str, label: str) -> str:
    text = str(value or "").strip()
    for code, name in choices.choices:
        if text in (code, str(name)):
            return code
    names = "、".join(str(n) for _c, n in choices.choices)
    raise invalid(
        field, _("%(l)s“%(v)s”不在可选范围内，应为：%(n)s。") % {"l": label, "v": text[:20], "n": names}
    )


# --- fonds ------------------------------------------------------------------------------------------
@transaction.atomic
def create_fonds(actor, *, org, number, name="", note="") -> Fonds:
    """A fonds for a community or street, with the number the archive bureau gave it."""
    code = org.code if isinstance(org, OrgUnit) else str(org or "").strip()
    unit = OrgUnit.objects.filter(code=code, level__in=(Level.COMMUNITY, Level.STREET)).first()
    if unit is None:
        raise invalid("org", _("请填写社区（12 位）或街道（9 位）代码。"))
    if not scope.covers(actor, unit.code):
        raise NotFound()
    require(actor, MANAGE, unit.code)
    number = str(number or "").strip().upper()
    if not number or not number.isalnum() or not number.isascii() or len(number) > 10:
        raise invalid("number", _("全宗号应为 1 至 10 位字母或数字（由区档案馆编定，如 Z115001）。"))
    if Fonds.objects.filter(org=unit).exists():
        raise Conflict(_("%(o)s已建立全宗，不能重复建立。") % {"o": unit.display_name}, code="fonds_exists")
    if Fonds.objects.filter(number=number).exists():
        raise Conflict(
            _("全宗号 %(n)s 已被使用，请核对区档案馆编定的全宗号。") % {"n": number}, code="duplicate"
        )
    f = Fonds(org=unit, number=number, name=text_of(name or unit.display_name, "name", _("全宗名称"), 100),
              note=text_of(note, "note", _("说明"), 300, required=False))  # fmt: skip
    try:
        with transaction.atomic():
            f.save()
    except IntegrityError:
        raise Conflict(_("全宗号 %(n)s 已被使用。") % {"n": number}, code="duplicate") from None
    changelog.record(actor, Action.CREATE, f, after=changelog.snapshot(f), note=_("建立全宗"))
    return f


def fonds_of(actor, fonds) -> Fonds:
    if isinstance(fonds, Fonds):
        found = Fonds.objects.visible_to(actor).filter(pk=fonds.pk).select_related("org").first()
        if found is None:
            raise NotFound()
        return found
    text = str(fonds or "").strip()
    f = Fonds.objects.visible_to(actor).filter(number=text.upper()).first()
    if f is None and text.isdigit():
        f = Fonds.objects.visible_to(actor).filter(org__code=text).first() or (
            Fonds.objects.visible_to(actor).filter(pk=int(text)).first() if len(text) < 9 else None
        )
    if f is None:
        raise NotFound(_("未找到全宗“%(v)s”，或它不在您的管辖范围内。") % {"v": text[:20]})
    return f


def entry_of(value, field: str = "entry") -> ScheduleEntry:
    if isinstance(value, ScheduleEntry):
        return value
    text = str(value or "").strip()
    e = ScheduleEntry.objects.filter(code=text, active=True).select_related("archive_class", "topic").first()
    if e is None:
        raise invalid(
            field, _("保管期限表中没有条目“%(v)s”，请从保管期限表中选择归档范围。") % {"v": text[:20]}
        )
    return e


# --- numbering --------------------------------------------------------------------------------------
def _counter_key(fonds: Fonds, cls: str, year: int, retention: str) -> str:
    return f"archives:{fonds.pk}:{cls}:{year}:{retention}"


def next_number_preview(fonds: Fonds, cls: str, year: int, retention: str) -> int:
    """The number the next item of this run would get (for a form; the real one is taken under lock)."""
    c = Counter.objects.filter(key=_counter_key(fonds, cls, year, retention)).first()
    return (c.value if c else 0) + 1


def _take_number(fonds: Fonds, cls: str, year: int, retention: str, wanted=None) -> int:
    key = _counter_key(fonds, cls, year, retention)
    if wanted not in (None, ""):
        try:
            wanted = int(wanted)
        except (TypeError, ValueError):
            raise invalid("number", _("件号应为数字。")) from None
        row = Counter.objects.select_for_update().filter(key=key).first()
        expected = (row.value if row else 0) + 1
        if wanted != expected:
            taken = Item.objects.filter(fonds=fonds, archive_class=cls, year=year, retention=retention,
                                        number=wanted).exists()  # fmt: skip
            if taken:
                raise Conflict(_("件号 %(n)04d 已被使用（档号不能重复），下一个件号是 %(e)04d。") % {"n": wanted, "e": expected},
                               code="reference_taken", details={"number": [str(expected)]})  # fmt: skip
            raise Conflict(_("件号应连续编制，不能空号：下一个件号是 %(e)04d，不是 %(n)04d。") % {"n": wanted, "e": expected},
                           code="number_gap", details={"number": [str(expected)]})  # fmt: skip
    n = numbering.next_value(key)
    if n > 9999:
        raise Conflict(_("本年度该保管期限的件号已用到 9999，请与区档案馆联系。"), code="number_full")
    return n


def check_retention(entry: ScheduleEntry, retention) -> str:
    """The retention an item is filed under must be the one the schedule sets for its entry."""
    if retention in (None, ""):
        return entry.retention
    r = choice_of(retention, Retention, "retention", _("保管期限"))
    if r != entry.retention:
        raise invalid(
            "retention",
            _("保管期限表规定“%(e)s”保管%(r)s，不能按%(g)s归档；如需调整，请由区档案馆修改保管期限表。")
            % {"e": entry.description, "r": entry.get_retention_display(), "g": Retention(r).label},
        )
    return r


# --- items ------------------------------------------------------------------------------------------
@transaction.atomic
def register_item(actor, *, fonds, entry, year, title, responsible, date, pages=1, carrier=Carrier.PAPER,
                  room="", cabinet="", box="", openness=Openness.OPEN, openness_reason="", retention=None,
                  number=None, note="", files=(), source=None) -> Item:  # fmt: skip
    """File one item (件): numbered under lock, its 档号 built by DA/T 22, its files checked."""
    f = fonds_of(actor, fonds)
    require(actor, MANAGE, f.scope_code)
    e = entry_of(entry)
    y = year_of(year)
    r = check_retention(e, retention)
    d = day_of(date, "date", _("文件日期"))
    if d.year != y:
        raise invalid("date", _("文件日期（%(d)s）应在归档年度 %(y)d 年内。") % {"d": d.isoformat(), "y": y})
    try:
        pages = int(pages)
    except (TypeError, ValueError):
        raise invalid("pages", _("页数应为正整数。")) from None
    if not 1 <= pages <= 100000:
        raise invalid("pages", _("页数应为正整数。"))
    carrier = choice_of(carrier, Carrier, "carrier", _("载体"))
    openness = choice_of(openness, Openness, "openness", _("开放状态"))
    reason = text_of(openness_reason, "openness_reason", _("控制使用理由"), 200, required=False)
    if openness != Openness.OPEN and not reason:
        raise invalid("openness_reason", _("限制利用或不开放的档案须写明理由（如涉及个人隐私）。"))
    if carrier == Carrier.PAPER and not (room or cabinet or box) and not files:
        raise invalid("box", _("纸质档案请填写存放位置（库房、柜架、盒号）。"))
    if carrier == Carrier.ELECTRONIC and not files:
        raise invalid("files", _("电子档案须附电子文件。"))
    cleaned = [_clean_file(name, data) for name, data in files]
    n = _take_number(f, e.archive_class.code, y, r, number)
    ref = reference_of(f.number, e.archive_class.code, y, r, e.topic.code, n)
    if Item.objects.filter(reference=ref).exists():
        raise Conflict(_("档号 %(r)s 已被使用，不能重复。") % {"r": ref}, code="reference_taken")
    src = source or {}
    item = Item(fonds=f, entry=e, archive_class=e.archive_class.code, topic=e.topic.code, year=y, retention=r,
                number=n, reference=ref, title=text_of(title, "title", _("题名"), 300),
                responsible=text_of(responsible, "responsible", _("责任者"), 100), date=d, pages=pages,
                carrier=carrier, room=text_of(room, "room", _("库房"), 40, required=False),
                cabinet=text_of(cabinet, "cabinet", _("柜（架）"), 40, required=False),
                box=text_of(box, "box", _("盒号"), 40, required=False), openness=openness,
                openness_reason=reason, note=text_of(note, "note", _("备注"), 300, required=False),
                source_rule=src.get("rule", ""), source_id=str(src.get("id", "")),
                source_label=str(src.get("label", ""))[:100], created_by=actor)  # fmt: skip
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise Conflict(_("档号或来源记录已被归档，请刷新后重试。"), code="reference_taken") from None
    changelog.record(
        actor, Action.CREATE, item, after=changelog.snapshot(item), note=_("归档 %(r)s") % {"r": ref}
    )
    for name, data, found in cleaned:
        _store_file(item, name, data, found)
    return item


def _clean_file(name, data):
    name = str(name or "").strip()[:200] or "file"
    if not data:
        raise invalid("files", _("文件“%(n)s”是空文件。") % {"n": name[:40]})
    if len(data) > checks.MAX_BYTES:
        raise invalid("files", _("文件“%(n)s”超过 50 MB，请分件归档。") % {"n": name[:40]})
    return name, bytes(data), checks.identify(bytes(data))


def _store_file(item: Item, name: str, data: bytes, found) -> ItemFile:
    f = ItemFile.objects.create(item=item, name=name, size=len(data), sha256=checks.sha256(data), data=data,
                                format=found.format, mime=found.mime, long_term=found.long_term,
                                text=found.text[:200000])  # fmt: skip
    run_check(f, CheckKind.CAPTURE)
    return f


@transaction.atomic
def attach_file(actor, item_pk, name, data) -> ItemFile:
    """Add an electronic file (a scan, a born-digital document) to a filed item."""
    item = get_visible(Item, actor, item_pk, for_update=True)
    require(actor, MANAGE, item.scope_code)
    if item.status == ItemStatus.DESTROYED:
        raise Conflict(_("该档案已销毁，不能再添加文件。"), code="destroyed")
    name, data, found = _clean_file(name, data)
    f = _store_file(item, name, data, found)
    changelog.record(
        actor,
        Action.UPDATE,
        item,
        note=_("添加电子文件 %(n)s（SHA-256 %(h)s）") % {"n": name, "h": f.sha256[:16]},
    )
    return f


EDITABLE = {"title", "responsible", "pages", "room", "cabinet", "box", "note"}


@transaction.atomic
def update_item(actor, item_pk, changes: dict, *, expected_version=None) -> Item:
    """Correct an item's description or storage place; its 档号, class, year and retention never change."""
    item = get_visible(Item, actor, item_pk, for_update=True)
    require(actor, MANAGE, item.scope_code)
    bad = set(changes) - EDITABLE - {"openness", "openness_reason"}
    if bad:
        raise invalid(sorted(bad)[0], _("档号、门类、年度、保管期限和件号归档后不能修改。"))
    if expected_version is not None and item.version != expected_version:
        raise Conflict()
    before = changelog.snapshot(item)
    for k in ("title", "responsible"):
        if k in changes:
            setattr(
                item,
                k,
                text_of(
                    changes[k], k, str(Item._meta.get_field(k).verbose_name), 300 if k == "title" else 100
                ),
            )
    for k in ("room", "cabinet", "box"):
        if k in changes:
            setattr(
                item, k, text_of(changes[k], k, str(Item._meta.get_field(k).verbose_name), 40, required=False)
            )
    if "note" in changes:
        item.note = text_of(changes["note"], "note", _("备注"), 300, required=False)
    if "pages" in changes:
        try:
            item.pages = int(changes["pages"])
        except (TypeError, ValueError):
            raise invalid("pages", _("页数应为正整数。")) from None
        if item.pages < 1:
            raise invalid("pages", _("页数应为正整数。"))
    if "openness" in changes or "openness_reason" in changes:
        item.openness = choice_of(changes.get("openness", item.openness), Openness, "openness", _("开放状态"))
        item.openness_reason = text_of(changes.get("openness_reason", item.openness_reason), "openness_reason",
                                       _("控制使用理由"), 200, required=False)  # fmt: skip
        if item.openness != Openness.OPEN and not item.openness_reason:
            raise invalid("openness_reason", _("限制利用或不开放的档案须写明理由（如涉及个人隐私）。"))
    item.version += 1
    item.save()
    changelog.record(actor, Action.UPDATE, item, before=before, after=changelog.snapshot(item))
    return item


def delete_item(actor, item_pk):
    """Refused, always: an item is never deleted (a retention ended is for the appraisal group)."""
    item = get_visible(Item, actor, item_pk)
    require(actor, MANAGE, item.scope_code)
    raise Conflict(_("档案一经归档不能删除；到期档案须经鉴定小组鉴定后销毁并登记。"), code="undeletable")


# --- the four checks ----------------------------------------------------------------------------------
def run_check(f: ItemFile, kind=CheckKind.PERIODIC) -> FileCheck:
    """Run the four checks on one file, record the result, and tell the archive staff of a failure."""
    item = f.item
    out = checks.four_checks(f, item)
    row = FileCheck(file=f, kind=kind, ok=out.ok, authenticity=out.authenticity, integrity=out.integrity,
                    usability=out.usability, safety=out.safety, problems=[str(p) for p in out.problems])  # fmt: skip
    row.save()
    ItemFile.objects.filter(pk=f.pk).update(checked_at=timezone.now(), check_ok=out.ok)
    if not out.ok and (kind == CheckKind.PERIODIC or not out.authenticity):
        report_failure(item, f, out.problems)
    return row


def archive_staff(code: str) -> list:
    """The accounts charged with the archive duty over this org code."""
    heads = [code[:n] for n in (6, 9, 12) if len(code) >= n]
    ms = Membership.objects.active().filter(org__code__in=heads).select_related("user")
    return [m.user for m in ms if ARCHIVIST in (m.duties or [])]


def report_failure(item: Item, f: ItemFile, problems) -> None:
    body = _("档案 %(r)s“%(t)s”的电子文件“%(n)s”未通过检测：%(p)s") % {
        "r": item.reference, "t": item.title[:40], "n": f.name, "p": "；".join(str(p) for p in problems)}  # fmt: skip
    for user in archive_staff(item.scope_code):
        notify.send(notify.Message(template="archives.check_failed", subject=_("电子档案检测未通过"), body=body,
                                   params={"reference": item.reference}, user=user, email=user.email,
                                   scope_code=item.scope_code))  # fmt: skip


def verify_files(*, limit: int | None = None, older_than_hours: int = 0) -> dict:
    """Re-verify stored files (oldest check first): the periodic task and `shequ manage archives_verify`."""
    qs = ItemFile.objects.filter(purged_at__isnull=True).select_related("item").order_by("checked_at", "pk")
    if older_than_hours:
        qs = qs.filter(checked_at__lt=timezone.now() - dt.timedelta(hours=older_than_hours))
    done = failed = 0
    for f in qs[:limit] if limit else qs:
        row = run_check(f, CheckKind.PERIODIC)
        done += 1
        failed += 0 if row.ok else 1
    return {"checked": done, "failed": failed}


# --- capture from the platform -------------------------------------------------------------------------
def _source_entry(src) -> ScheduleEntry:
    e = (
        ScheduleEntry.objects.filter(code=src.entry, active=True)
        .select_related("archive_class", "topic")
        .first()
    )
    if e is None or (e.archive_class.code, e.topic.code, e.retention) != (
        src.archive_class,
        src.topic,
        src.retention,
    ):
        raise Conflict(
            _("采集规则“%(l)s”的门类、机构（问题）或保管期限与保管期限表不符，请由区档案馆核对保管期限表。")
            % {"l": src.label},
            code="rule_outside_schedule",
        )
    return e


@transaction.atomic
def propose(actor, fonds, year) -> list[Proposal]:
    """Ask every registered module for the fonds' records of a year; new ones become proposals."""
    f = fonds_of(actor, fonds)
    require(actor, MANAGE, f.scope_code)
    y = year_of(year)
    made = []
    # A record belongs to the fonds of the unit that made it: a street's fonds leaves the records of
    # a community that keeps its own fonds to that community.
    deeper = [code for code in Fonds.objects.filter(scope_code__startswith=f.org.code)
              .exclude(pk=f.pk).values_list("org__code", flat=True)]  # fmt: skip
    for key, src in sorted(registry.archive_sources().items()):
        e = _source_entry(src)
        found = list(src.candidates(f.org.code, y))
        known = set(Proposal.objects.filter(rule=key, source_id__in=[c.source_id for c in found])
                    .values_list("source_id", flat=True))  # fmt: skip
        for c in found:
            code = str(c.org_code)
            if str(c.source_id) in known or not code.startswith(f.org.code):
                continue
            if any(code.startswith(d) for d in deeper):
                continue
            p = Proposal(fonds=f, rule=key, source_id=str(c.source_id), source_label=str(c.label)[:100], year=y,
                         title=str(c.title)[:300], responsible=str(c.responsible)[:100] or f.org.name,
                         date=c.date, entry=e)  # fmt: skip
            p.save()
            made.append(p)
    if made:
        changelog.record(
            actor, Action.CREATE, f, note=_("%(y)d 年度待归档记录 %(n)d 件") % {"y": y, "n": len(made)}
        )
    return made


@transaction.atomic
def confirm(actor, proposal_ids) -> list[Item]:
    """The archive staff confirm proposals: each becomes an item with its rendered file and 档号."""
    ids = [int(i) for i in proposal_ids]
    if not ids:
        raise invalid("proposals", _("请勾选要归档的记录。"))
    ps = list(
        Proposal.objects.visible_to(actor).select_for_update().filter(pk__in=ids).order_by("date", "pk")
    )
    if len(ps) != len(set(ids)):
        raise NotFound()
    items = []
    for p in ps:
        require(actor, MANAGE, p.scope_code)
        if p.status != ProposalStatus.PROPOSED:
            raise Conflict(_("“%(t)s”已%(s)s，不能再确认。") % {"t": p.title[:40], "s": p.get_status_display()},
                           code="not_proposed")  # fmt: skip
        src = registry.archive_sources().get(p.rule)
        rendered = src.render(p.source_id) if src else None
        if rendered is None:
            raise Conflict(
                _("“%(t)s”的来源记录已不存在，无法归档。") % {"t": p.title[:40]}, code="source_gone"
            )
        name, data = rendered
        item = register_item(actor, fonds=p.fonds, entry=p.entry, year=p.year, title=p.title,
                             responsible=p.responsible, date=p.date, carrier=Carrier.ELECTRONIC,
                             files=[(name, data)], openness=src.openness, openness_reason=src.openness_reason,
                             source={"rule": p.rule, "id": p.source_id, "label": p.source_label})  # fmt: skip
        p.status, p.item = ProposalStatus.CONFIRMED, item
        p.save(update_fields=["status", "item", "updated_at"])
        items.append(item)
    return items


@transaction.atomic
def reject(actor, proposal_id, reason) -> Proposal:
    p = get_visible(Proposal, actor, proposal_id, for_update=True)
    require(actor, MANAGE, p.scope_code)
    if p.status != ProposalStatus.PROPOSED:
        raise Conflict(_("该记录已处理。"), code="not_proposed")
    p.status = ProposalStatus.REJECTED
    p.reason = text_of(reason, "reason", _("不归档理由"), 200)
    p.save()
    changelog.record(actor, Action.UPDATE, p, note=_("不归档：%(r)s") % {"r": p.reason})
    return p


# --- the yearly filing round ----------------------------------------------------------------------------
@transaction.atomic
def open_round(actor, fonds, year) -> FilingRound:
    f = fonds_of(actor, fonds)
    require(actor, MANAGE, f.scope_code)
    y = year_of(year)
    r, made = FilingRound.objects.get_or_create(
        fonds=f, year=y, defaults={"deadline": FilingRound.deadline_of(y)}
    )
    if made:
        changelog.record(actor, Action.CREATE, r, after=changelog.snapshot(r), note=_("开始年度归档"))
    return r


def round_state(r: FilingRound) -> dict:
    """What the schedule expects of the year, what is filed, what is missing; pending proposals."""
    items = Item.objects.filter(fonds=r.fonds, year=r.year)
    filed = dict(items.values_list("entry__code").annotate(n=Max("number")))
    counts = {}
    for code in items.values_list("entry__code", flat=True):
        counts[code] = counts.get(code, 0) + 1
    expected = list(
        ScheduleEntry.objects.filter(expected=True, active=True).select_related("archive_class", "topic")
    )
    rows = [
        {"entry": e, "filed": counts.get(e.code, 0), "missing": counts.get(e.code, 0) == 0} for e in expected
    ]
    pending = Proposal.objects.filter(fonds=r.fonds, year=r.year, status=ProposalStatus.PROPOSED).count()
    today = timezone.localdate()
    return {"round": r, "rows": rows, "missing": [x for x in rows if x["missing"]], "items": items.count(),
            "pending": pending, "overdue": r.closed_at is None and today > r.deadline,
            "days_left": (r.deadline - today).days, "filed_entries": len(filed)}  # fmt: skip


@transaction.atomic
def close_round(actor, round_pk, note="") -> FilingRound:
    r = get_visible(FilingRound, actor, round_pk, for_update=True)
    require(actor, MANAGE, r.scope_code)
    if r.closed_at:
        raise Conflict(_("该年度归档已完成。"), code="closed")
    state = round_state(r)
    if state["pending"]:
        raise Conflict(_("还有 %(n)d 件待确认的记录，请先确认或说明不归档理由。") % {"n": state["pending"]},
                       code="pending")  # fmt: skip
    note = text_of(note, "note", _("说明"), 300, required=bool(state["missing"]))
    r.closed_at, r.closed_by, r.note = timezone.now(), actor, note
    r.save()
    changelog.record(actor, Action.UPDATE, r, note=_("年度归档完成"))
    return r


# --- use and lending -----------------------------------------------------------------------------------
def log_use(user, item: Item, action: str, *, request=None, note="") -> UseLog:
    u = UseLog(item=item, action=action, user=user if getattr(user, "pk", None) else None, request=request,
               purpose=request.purpose if request else "", note=str(note)[:200])  # fmt: skip
    u.save()
    return u


def opened(user, item: Item, action=UseAction.VIEW) -> None:
    """A page or API read of an item: logged when the item is restricted or closed."""
    if item.openness != Openness.OPEN:
        log_use(user, item, action)


_seq_lock_key = "archives:request:{code}:{year}"


@transaction.atomic
def create_request(actor, *, fonds, requester, purpose, items, mode=UseMode.READ, requester_org="",
                   requester_phone="", purpose_note="", copies=0) -> UseRequest:  # fmt: skip
    f = fonds_of(actor, fonds)
    require(actor, MANAGE, f.scope_code)
    ids = [int(i) for i in (items or [])]
    if not ids:
        raise invalid("items", _("请选择要利用的档案。"))
    found = list(Item.objects.visible_to(actor).filter(pk__in=ids, fonds=f))
    if len(found) != len(set(ids)):
        raise invalid("items", _("所选档案不在本全宗内或不存在，请重新选择。"))
    gone = [i.reference for i in found if i.status == ItemStatus.DESTROYED]
    if gone:
        raise invalid("items", _("档案 %(r)s 已销毁，不能利用。") % {"r": "、".join(gone)})
    mode = choice_of(mode, UseMode, "mode", _("利用方式"))
    try:
        copies = int(copies or 0)
    except (TypeError, ValueError):
        raise invalid("copies", _("复制份数应为整数。")) from None
    if mode == UseMode.COPY and not 1 <= copies <= 50:
        raise invalid("copies", _("复制请填写份数（1 至 50）。"))
    y = timezone.localdate().year
    n = numbering.next_value(_seq_lock_key.format(code=f.org.code, year=y))
    req = UseRequest(fonds=f, number=f"{f.number}-LY{y}-{n:04d}", requester=text_of(requester, "requester", _("利用人"), 50),
                     requester_org=text_of(requester_org, "requester_org", _("单位或住址"), 100, required=False),
                     requester_phone=text_of(requester_phone, "requester_phone", _("联系电话"), 20, required=False),
                     purpose=choice_of(purpose, Purpose, "purpose", _("利用目的")),
                     purpose_note=text_of(purpose_note, "purpose_note", _("具体事由"), 300, required=False),
                     mode=mode, copies=copies if mode == UseMode.COPY else 0, created_by=actor)  # fmt: skip
    req.save()
    req.items.set(found)
    changelog.record(actor, Action.CREATE, req, after=changelog.snapshot(req), note=_("查借阅登记"))
    return req


# status → {act: next status}: the one table of the request's workflow (every pair tested).
TRANSITIONS = {
    RequestStatus.REQUESTED: {"approve": RequestStatus.APPROVED, "refuse": RequestStatus.REFUSED},
    RequestStatus.APPROVED: {"lend": RequestStatus.LENT, "serve": RequestStatus.DONE},
    RequestStatus.LENT: {"return": RequestStatus.RETURNED},
    RequestStatus.REFUSED: {},
    RequestStatus.RETURNED: {},
    RequestStatus.DONE: {},
}
ACT_LABELS = {"approve": _("批准"), "refuse": _("不予批准"), "lend": _("借出"), "serve": _("办结（查阅或复制）"),
              "return": _("归还")}  # fmt: skip


@transaction.atomic
def move_request(actor, request_pk, act: str, *, note="", due_on=None) -> UseRequest:
    """Approve or refuse, lend (with a due date), serve a reading or copying, take back."""
    req = get_visible(UseRequest, actor, request_pk, for_update=True)
    require(actor, MANAGE, req.scope_code)
    nxt = TRANSITIONS[RequestStatus(req.status)].get(act)
    if nxt is None:
        raise Conflict(_("该申请当前为“%(s)s”，不能%(a)s。") % {"s": req.get_status_display(),
                       "a": ACT_LABELS.get(act, act)}, code="bad_transition")  # fmt: skip
    now = timezone.now()
    items = list(req.items.all())
    if act in ("approve", "refuse"):
        req.decision_note = text_of(note, "note", _("审批意见"), 300, required=act == "refuse")
        req.decided_by, req.decided_at = actor, now
    elif act == "lend":
        if req.mode != UseMode.LEND:
            raise Conflict(
                _("该申请的利用方式是%(m)s，不是借出。") % {"m": req.get_mode_display()}, code="not_lending"
            )
        due = day_of(due_on, "due_on", _("应还日期"))
        if due < timezone.localdate() or due > timezone.localdate() + dt.timedelta(days=90):
            raise invalid("due_on", _("应还日期应在今天至 90 天之内。"))
        out = UseRequest.objects.filter(status=RequestStatus.LENT, items__in=items).exclude(pk=req.pk).first()
        if out is not None:
            raise Conflict(
                _("所选档案已借出（%(n)s），归还后才能再借。") % {"n": out.number}, code="already_lent"
            )
        req.lent_at, req.due_on = now, due
        for i in items:
            log_use(actor, i, UseAction.LEND, request=req)
    elif act == "serve":
        if req.mode == UseMode.LEND:
            raise Conflict(_("借出的档案须登记借出和归还。"), code="lending")
        for i in items:
            log_use(actor, i, UseAction.COPY if req.mode == UseMode.COPY else UseAction.READ, request=req,
                    note=_("复制 %(n)d 份") % {"n": req.copies} if req.mode == UseMode.COPY else "")  # fmt: skip
    elif act == "return":
        req.returned_at = now
        for i in items:
            log_use(actor, i, UseAction.RETURN, request=req, note=str(note or "")[:200])
    req.status = nxt
    req.save()
    changelog.record(actor, Action.UPDATE, req, note=str(ACT_LABELS[act]))
    return req


# --- lending reminders -------------------------------------------------------------------------------------
def loan_recipients(req: UseRequest) -> list:
    """Who is told of a loan falling due: the one who approved it and the fonds' archive staff."""
    users = ([req.decided_by] if req.decided_by_id else []) + archive_staff(req.scope_code)
    seen, out = set(), []
    for u in users:
        if u.is_active and u.pk not in seen:
            seen.add(u.pk)
            out.append(u)
    return out


def _tell_loan(req: UseRequest, overdue: bool, today: dt.date) -> None:
    refs = "、".join(req.items.order_by("reference").values_list("reference", flat=True)[:10])
    days = (req.due_on - today).days
    if overdue:
        subject = _("借出档案已逾期")
        body = _("%(n)s：%(p)s借出的档案 %(r)s 应于 %(d)s 归还，已逾期 %(k)d 天，请催还并登记归还。") % {
            "n": req.number, "p": req.requester, "r": refs, "d": req.due_on.isoformat(), "k": -days}  # fmt: skip
    else:
        subject = _("借出档案即将到期")
        body = _("%(n)s：%(p)s借出的档案 %(r)s 应于 %(d)s 归还（还有 %(k)d 天），请提醒按时归还。") % {
            "n": req.number, "p": req.requester, "r": refs, "d": req.due_on.isoformat(), "k": days}  # fmt: skip
    users = loan_recipients(req)
    template = "archives.loan_overdue" if overdue else "archives.loan_due"

    def send():
        for u in users:
            notify.send(notify.Message(template=template, subject=str(subject), body=body,
                                       params={"number": req.number, "due": req.due_on.isoformat()}, user=u,
                                       email=u.email, scope_code=req.scope_code))  # fmt: skip

    transaction.on_commit(send)


def remind_loans(today: dt.date | None = None) -> dict:
    """Remind of loans due within ARCHIVE_LOAN_REMIND_DAYS days and of overdue ones, once per loan
    and state (the loan is claimed by setting its reminder time, so a rerun or a second worker
    sends nothing twice): the periodic task, and on read without a broker."""
    from django.conf import settings

    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=settings.ARCHIVE_LOAN_REMIND_DAYS)
    lent = UseRequest.objects.filter(status=RequestStatus.LENT, due_on__isnull=False)
    out = {"due": 0, "overdue": 0}
    for overdue, field, qs in (
        (True, "overdue_reminded_at", lent.filter(due_on__lt=today, overdue_reminded_at__isnull=True)),
        (False, "due_reminded_at", lent.filter(due_on__gte=today, due_on__lte=soon, due_reminded_at__isnull=True)),
    ):  # fmt: skip
        for req in qs.select_related("fonds", "decided_by").order_by("due_on", "pk"):
            with transaction.atomic():
                now = timezone.now()
                claim = {field: now}
                if overdue:  # an overdue loan needs no "due soon" notice any more
                    claim["due_reminded_at"] = req.due_reminded_at or now
                if not UseRequest.objects.filter(pk=req.pk, **{f"{field}__isnull": True}).update(**claim):
                    continue
                _tell_loan(req, overdue, today)
                changelog.record(None, Action.UPDATE, req, after={field: now.isoformat()},
                                 note=_("借出档案逾期提醒") if overdue else _("借出档案到期提醒"),
                                 scope_code=req.scope_code)  # fmt: skip
            out["overdue" if overdue else "due"] += 1
    return out


# --- disposal --------------------------------------------------------------------------------------------
def expired(fonds: Fonds, year: int):
    """Items of the fonds whose retention has ended by `year` (filed year + period < year), not yet
    appraised in an open round or destroyed."""
    out = []
    qs = Item.objects.filter(fonds=fonds, status=ItemStatus.FILED).exclude(retention=Retention.PERMANENT)
    for i in qs.order_by("year", "reference"):
        years = RETENTION_YEARS[i.current_retention]
        if years is not None and i.year + years < year:
            out.append(i)
    return out


@transaction.atomic
def open_disposal(actor, fonds, year=None) -> DisposalRound:
    f = fonds_of(actor, fonds)
    require(actor, MANAGE, f.scope_code)
    y = int(year or timezone.localdate().year)
    if y > timezone.localdate().year:
        raise invalid("year", _("不能为将来的年度开展鉴定。"))
    if DisposalRound.objects.filter(fonds=f, year=y).exists():
        raise Conflict(_("%(y)d 年度的鉴定已开展。") % {"y": y}, code="duplicate")
    busy = set(
        RoundItem.objects.filter(round__status=RoundStatus.APPRAISING, round__fonds=f).values_list(
            "item_id", flat=True
        )
    )
    items = [i for i in expired(f, y) if i.pk not in busy]
    if not items:
        raise Conflict(_("本全宗没有保管期限已满、待鉴定的档案。"), code="nothing_expired")
    r = DisposalRound(fonds=f, year=y, created_by=actor)
    r.save()
    RoundItem.objects.bulk_create([RoundItem(round=r, item=i) for i in items])
    changelog.record(
        actor, Action.CREATE, r, after=changelog.snapshot(r), note=_("到期鉴定 %(n)d 件") % {"n": len(items)}
    )
    return r


@transaction.atomic
def record_opinion(actor, round_pk, *, member, kind, keep=(), note="") -> Opinion:
    """One member's view: every listed item may be destroyed except those they name to keep."""
    r = get_visible(DisposalRound, actor, round_pk, for_update=True)
    require(actor, MANAGE, r.scope_code)
    if r.status != RoundStatus.APPRAISING:
        raise Conflict(_("该鉴定已处置完毕，不能再登记意见。"), code="decided")
    member = text_of(member, "member", _("鉴定小组成员姓名"), 50)
    kind = choice_of(kind, MemberKind, "kind", _("身份"))
    ids = {int(i) for i in (keep or [])}
    listed = set(r.entries.values_list("item_id", flat=True))
    if ids - listed:
        raise invalid("keep", _("主张保存的档案不在本次鉴定清单中。"))
    if r.opinions.filter(member=member).exists():
        raise Conflict(_("%(m)s的意见已登记。") % {"m": member}, code="duplicate")
    o = Opinion(round=r, member=member, kind=kind, keep=sorted(ids),
                note=text_of(note, "note", _("意见"), 300, required=bool(ids)), recorded_by=actor)  # fmt: skip
    o.save()
    changelog.record(
        actor,
        Action.UPDATE,
        r,
        note=_("登记鉴定意见：%(m)s（%(k)s）") % {"m": member, "k": o.get_kind_display()},
    )
    return o


def tally(r: DisposalRound) -> dict[int, dict]:
    """Per item: how many members would destroy it and how many keep it."""
    ops = list(r.opinions.all())
    out = {}
    for e in r.entries.all():
        keep = sum(1 for o in ops if e.item_id in o.keep)
        out[e.item_id] = {"keep": keep, "destroy": len(ops) - keep}
    return out


@transaction.atomic
def decide_disposal(actor, round_pk, *, method, keep=None) -> DisposalRound:
    """Carry out the group's decision: items a majority would destroy are destroyed (files purged,
    paper marked) and entered in the permanent register; the others get a new retention with a reason
    (`keep`: {item id: {"retention", "reason"}})."""
    r = get_visible(DisposalRound, actor, round_pk, for_update=True)
    require(actor, MANAGE, r.scope_code)
    if r.status != RoundStatus.APPRAISING:
        raise Conflict(_("该鉴定已处置完毕。"), code="decided")
    ops = list(r.opinions.all())
    kinds = {o.kind for o in ops}
    lacking = [
        MemberKind(k).label
        for k in (MemberKind.ARCHIVE, MemberKind.COMMUNITY, MemberKind.RESIDENT)
        if k not in kinds
    ]
    if len(ops) < 3 or lacking:
        raise Conflict(
            _("鉴定小组须由档案人员、社区代表和居民代表组成且至少三人登记意见；还缺：%(k)s。")
            % {"k": "、".join(str(x) for x in lacking) or _("成员")},
            code="no_group_decision",
        )
    method = text_of(method, "method", _("销毁方式"), 100)
    keep = {int(k): v for k, v in (keep or {}).items()}
    votes = tally(r)
    now = timezone.now()
    group = "、".join(f"{o.member}（{o.get_kind_display()}）" for o in ops)
    entries = list(r.entries.select_related("item").select_for_update())
    # Check every kept item's new retention before anything is destroyed.
    for e in entries:
        v = votes[e.item_id]
        if v["destroy"] > v["keep"]:
            continue
        given = keep.get(e.item_id) or {}
        ret = given.get("retention") or ""
        reason = str(given.get("reason") or "").strip()
        if not ret or not reason:
            raise invalid(
                "keep", _("%(r)s 经鉴定继续保存，请填写新的保管期限和理由。") % {"r": e.item.reference}
            )
        ret = choice_of(ret, Retention, "keep", _("保管期限"))
        if RETENTION_ORDER[ret] <= RETENTION_ORDER[e.item.current_retention] and ret != Retention.PERMANENT:
            raise invalid("keep", _("%(r)s 继续保存，新的保管期限应长于原来的%(o)s。") % {
                "r": e.item.reference, "o": Retention(e.item.current_retention).label})  # fmt: skip
        if len(reason) > 300:
            raise invalid("keep", _("理由不能超过 300 个字。"))
        e.decision, e.new_retention, e.reason = Decision.KEEP, ret, reason
    for e in entries:
        item = e.item
        if e.decision == Decision.KEEP:
            item.kept_retention, item.kept_reason = e.new_retention, e.reason
            item.save(update_fields=["kept_retention", "kept_reason", "updated_at"])
            e.save()
            changelog.record(actor, Action.UPDATE, item, note=_("鉴定后继续保存：%(r)s，%(w)s") % {
                "r": Retention(e.new_retention).label, "w": e.reason})  # fmt: skip
            continue
        e.decision = Decision.DESTROY
        e.save()
        RegisterEntry(round=r, item=item, reference=item.reference, title=item.title, year=item.year,
                      retention=item.current_retention, carrier=item.carrier, pages=item.pages, method=method,
                      group=group[:500], destroyed_at=now, destroyed_by=actor).save()  # fmt: skip
        ItemFile.objects.filter(item=item).update(data=None, text="", purged_at=now)
        item.status = ItemStatus.DESTROYED
        item.note = (item.note + " " if item.note else "") + _("已于 %(d)s 销毁") % {
            "d": timezone.localdate().isoformat()
        }
        item.note = item.note[:300]
        item.save(update_fields=["status", "note", "updated_at"])
        changelog.record(actor, Action.UPDATE, item, note=_("经鉴定销毁（%(m)s）") % {"m": method})
    r.status, r.decided_at, r.decided_by, r.method = RoundStatus.DECIDED, now, actor, method
    r.save()
    changelog.record(actor, Action.UPDATE, r, note=_("鉴定处置完毕"))
    return r


def refuse_register_delete(actor, entry_pk):
    e = get_visible(RegisterEntry, actor, entry_pk)
    if not scope.covers(actor, e.scope_code, MANAGE):
        raise Forbidden()
    raise Conflict(_("档案销毁清册永久保存，不能删除。"), code="undeletable")
