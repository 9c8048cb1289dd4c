"""Rounds: opening one (counted against the burden ledger's caps), computing its figures (all
scopes at once per indicator, frozen with the round), manual scores with evidence, the community's
self-assessment, totals, ranks and grades, publication, objections and their handling."""

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.assessment.models import (
    MANAGE,
    SELF,
    CountsAs,
    Entry,
    EntryStatus,
    ItemScore,
    Level,
    Objection,
    ObjectionStatus,
    Round,
    RoundStatus,
    Rule,
    Scheme,
    SchemeKind,
)
from shequ.assessment.services import descriptors, scoring
from shequ.assessment.services.common import unit_at
from shequ.assessment.services.schemes import items_of
from shequ.assessment.services.scoring import invalid
from shequ.core import attachments, bulk, changelog, indicators, registry, scope
from shequ.core.errors import Conflict, NotFound
from shequ.core.models import Action
from shequ.core.services import get_visible, require
from shequ.org.models import Level as OrgLevel
from shequ.org.models import OrgUnit

ZERO = Decimal("0.00")


def _today():
    return timezone.localdate()


# --- caps -----------------------------------------------------------------------------------------
def check_caps(codes, metric: str, names: dict | None = None) -> None:
    """Refuse (409 cap_exceeded) when one more `metric` would put a community over its cap."""
    load = registry.burden_load(codes, metric, _today())
    if not load:
        return
    over = [(c, n, cap) for c, (n, cap) in load.items() if cap is not None and n + 1 > cap]
    if not over:
        return
    names = names or dict(OrgUnit.objects.filter(code__in=[c for c, *_r in over]).values_list("code", "name"))
    label = CountsAs(metric).label
    listed = "、".join(
        _("%(n)s（已 %(k)d 次，上限 %(cap)d 次）") % {"n": names.get(c, c), "k": k, "cap": cap}
        for c, k, cap in over[:10]
    )
    more = _("等 %(n)d 个社区") % {"n": len(over)} if len(over) > 10 else ""
    raise Conflict(
        _(
            "本年度%(m)s次数已达减负上限，不能再安排：%(l)s%(more)s。请减少参评社区、与其他%(m)s合并，或调整上限。"
        )
        % {"m": label, "l": listed, "more": more},
        code="cap_exceeded",
        details={"communities": [c for c, *_r in over]},
    )


def count_against_caps(actor, codes, metric: str, title: str, body: str) -> None:
    today = _today()
    registry.burden_record(
        actor, codes, metric, title=title, body=body, start=today, end=dt.date(today.year, 12, 31)
    )


# --- opening --------------------------------------------------------------------------------------
def targets_under(unit: OrgUnit, level: str) -> list[OrgUnit]:
    lv = OrgLevel.COMMUNITY if level == Level.COMMUNITY else OrgLevel.STREET
    return list(OrgUnit.objects.filter(scope.subtree_q("code", unit.code), level=lv).order_by("code"))


@transaction.atomic
def open_round(actor, *, scheme, period, org=None, units=None, title="", apply_by=None) -> Round:
    """A round of a scheme for a period over the communities (or streets) of `org` (those named in
    `units`, or all). A unified round lists them all and counts one appraisal (or rating) for each
    against the caps; a creation round waits for applications."""
    require(actor, MANAGE)
    s = get_visible(Scheme, actor, getattr(scheme, "pk", scheme))
    unit = unit_at(actor, org or s.org.code, (OrgLevel.DISTRICT, OrgLevel.STREET), MANAGE, "org")
    if not unit.code.startswith(s.org.code):
        raise invalid(
            "org", _("%(u)s不在方案组织单位%(o)s辖区内。") % {"u": unit.display_name, "o": s.org.display_name}
        )
    kind, start, end = indicators.parse_period(period)
    label = indicators.period_label(kind, start)
    items = items_of(s)
    for it in items:
        if it.indicator:
            ind = indicators.get(it.indicator)
            if kind not in ind.periods:
                raise invalid(
                    "period", _("指标“%(n)s”不按该统计期类型统计，请换一个统计期。") % {"n": ind.label}
                )
    title = str(title or "").strip()[:120] or f"{label} {s.name}（{unit.display_name}）"
    if Round.objects.filter(scheme=s, org=unit, period=label).exists():
        raise Conflict(_("%(o)s %(p)s 已开展过“%(n)s”。") % {"o": unit.display_name, "p": label, "n": s.name},
                       code="duplicate_round")  # fmt: skip
    targets = []
    if s.kind == SchemeKind.UNIFIED:
        pool = targets_under(unit, s.level)
        if units:
            wanted = {str(c).strip() for c in units}
            targets = [u for u in pool if u.code in wanted]
            missing = wanted - {u.code for u in targets}
            if missing:
                raise invalid(
                    "units",
                    _("参评单位 %(c)s 不在%(o)s辖区内。")
                    % {"c": "、".join(sorted(missing)[:5]), "o": unit.display_name},
                )
        else:
            targets = pool
        if not targets:
            raise invalid("units", _("%(o)s辖区内没有可参评的单位。") % {"o": unit.display_name})
        for it in items:
            if it.indicator:
                ind = indicators.get(it.indicator)
                for u in targets[:1]:  # every target is of the same level
                    indicators.check_applies(ind, u.code)
        check_caps([u.code for u in targets], s.counts_as, {u.code: u.display_name for u in targets})
    r = Round(scheme=s, org=unit, title=title, period=label, start=start, end=end, apply_by=apply_by or None,
              created_by=actor)  # fmt: skip
    try:
        with transaction.atomic():
            r.save()
    except IntegrityError:
        raise Conflict(_("该轮次刚被他人建立，请刷新后重试。"), code="duplicate_round") from None
    if targets:
        entries = Entry.objects.bulk_create(Entry(round=r, unit=u, scope_code=u.code) for u in targets)
        _add_scores(entries, items)
        count_against_caps(actor, [u.code for u in targets], s.counts_as, r.title, s.body)
    changelog.record(actor, Action.CREATE, r, after=changelog.snapshot(r), note=_("考核轮次"))
    return r


def _add_scores(entries, items) -> None:
    ItemScore.objects.bulk_create(
        ItemScore(entry=e, item=it, scope_code=e.scope_code) for e in entries for it in items
    )


# --- computing ------------------------------------------------------------------------------------
def _refuse_published(r: Round) -> None:
    if r.status == RoundStatus.PUBLISHED:
        raise Conflict(_("本轮结果已公布，得分与数据不再变动；如有异议请按异议程序复核。"), code="published")


def computable(r: Round):
    qs = r.entries.all()
    if r.scheme.kind == SchemeKind.CREATION:
        qs = qs.filter(status__in=[EntryStatus.APPLIED, EntryStatus.INSPECTED])
    return qs


@transaction.atomic
def compute_round(actor, round_, *, source: str = "live", reason: str = "", entries=None) -> Round:
    """Take the figures of every indicator item for every entry (one call per indicator for all
    scopes), score them, total, rank and grade. Before publication it may be done again; each
    computation is recorded with who, when, from which source and why."""
    r = get_visible(Round, actor, getattr(round_, "pk", round_), for_update=True)
    require(actor, MANAGE, r.org.code)
    _refuse_published(r)
    if source not in ("live", "snapshots"):
        raise invalid("source", _("取数来源应为 live（实时）或 snapshots（快照）。"))
    if r.computations and not str(reason or "").strip():
        raise invalid("reason", _("本轮已计分过，重新计分请写明原因（如：数据已更正）。"))
    scheme = r.scheme
    items = items_of(scheme)
    qs = entries if entries is not None else computable(r)
    entries = list(qs.select_related("unit"))
    if not entries:
        raise invalid("entries", _("本轮还没有可计分的参评单位。"))
    codes = [e.unit.code for e in entries]
    scores = {(s.entry_id, s.item_id): s for s in ItemScore.objects.filter(entry__in=entries)}
    now = timezone.now()
    changed = []
    for it in items:
        if not it.indicator:
            continue
        figs = indicators.figures(
            actor, it.indicator, codes, r.start, r.end, from_snapshots=(source == "snapshots")
        )
        for e in entries:
            fig = figs.get(e.unit.code) or {}
            sc = scores.get((e.pk, it.pk))
            if sc is None:
                sc = ItemScore.objects.create(entry=e, item=it, scope_code=e.scope_code)
                scores[(e.pk, it.pk)] = sc
            sc.value, sc.numerator, sc.denominator = (
                fig.get("value"),
                fig.get("numerator"),
                fig.get("denominator"),
            )
            sc.detail = _jsonable(fig.get("detail") or {})
            sc.taken_at = fig.get("taken_at") or now
            sc.from_snapshot = "taken_at" in fig
            sc.points = scoring.points(it, sc.value)
            changed.append(sc)
    # One statement per chunk of rows (core.bulk), not Django's bulk_update, whose CASE WHEN per row
    # and field takes seconds for 500 communities × 30 indicators.
    fields = [
        "value",
        "numerator",
        "denominator",
        "detail",
        "taken_at",
        "from_snapshot",
        "points",
        "updated_at",
    ]
    for sc in changed:
        sc.updated_at = now
    bulk.update(ItemScore, fields, ([*(getattr(sc, f) for f in fields), sc.pk] for sc in changed))
    profiles = descriptors.profiles(codes)
    for e in entries:
        e.profile = profiles.get(e.unit.code, {})
    Entry.objects.bulk_update(entries, ["profile"], batch_size=500)
    again = bool(r.computations)
    r.computations = [*r.computations, {"at": now.isoformat(), "by": actor.username, "source": source,
                                        "reason": str(reason or "").strip()[:200], "entries": len(entries)}]  # fmt: skip
    r.computed_at = now
    if r.status == RoundStatus.OPEN:
        r.status = RoundStatus.COMPUTED
    r.save(update_fields=["computations", "computed_at", "status", "updated_at"])
    rescore(r)
    changelog.record(actor, Action.UPDATE, r, note=_("重新计分：%(r)s") % {"r": reason} if again else _("计分"),
                     extra_changed=["computations"])  # fmt: skip
    return r


def _jsonable(v):
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, dt.date | dt.datetime):
        return v.isoformat()
    return v


def rescore(r: Round) -> None:
    """Totals, ranks (equal totals share a rank) and grades from the stored item points."""
    totals = {}
    for entry_id, pts in ItemScore.objects.filter(entry__round=r).values_list("entry_id", "points"):
        totals[entry_id] = totals.get(entry_id, ZERO) + (pts if pts is not None else ZERO)
    entries = list(computable(r))
    scored = sorted((e for e in entries if e.pk in totals), key=lambda e: -totals[e.pk])
    rank, last = 0, None
    for i, e in enumerate(scored, 1):
        t = totals[e.pk].quantize(Decimal("0.01"))
        if t != last:
            rank, last = i, t
        e.moved = (e.total, e.rank, e.grade) != (t, rank, r.scheme.grade_for(t))
        e.total, e.rank, e.grade = t, rank, r.scheme.grade_for(t)
    moved = [e for e in scored if e.moved]  # only what moved is written
    if moved:
        Entry.objects.bulk_update(moved, ["total", "rank", "grade", "updated_at"], batch_size=500)


# --- manual scores and self-assessment ------------------------------------------------------------
@transaction.atomic
def score_item(actor, score_id, *, points, note="", photos=()) -> ItemScore:
    """An assessor's score of a manually scored item, with evidence photos; an item that requires
    evidence is refused without any."""
    sc = get_visible(ItemScore, actor, score_id, for_update=True)
    r = sc.entry.round
    require(actor, MANAGE, r.org.code)
    _refuse_published(r)
    if sc.item.rule != Rule.MANUAL:
        raise invalid(
            "points",
            _("“%(l)s”按数据计分，不能手工改分；数据有误请更正数据后重新计分。") % {"l": sc.item.label},
        )
    value = scoring.manual_points(sc.item, points)
    cleaned = attachments.clean_photos(photos or [])
    if sc.item.evidence_required and not cleaned and not attachments.attachments_of(ItemScore, [sc.pk]):
        raise invalid("photos", _("“%(l)s”须附佐证材料：请上传照片后再评分。") % {"l": sc.item.label})
    before = changelog.snapshot(sc)
    sc.points, sc.note, sc.scored_by, sc.scored_at = (
        value,
        str(note or "").strip()[:300],
        actor,
        timezone.now(),
    )
    sc.save()
    if cleaned:
        attachments.attach(sc, sc.scope_code, cleaned, actor)
    rescore(r)
    changelog.record(
        actor, Action.UPDATE, sc, before=before, after=changelog.snapshot(sc), note=_("人工评分")
    )
    return sc


@transaction.atomic
def self_assess(actor, entry_id, *, scores, note="") -> Entry:
    """The community's own score of every item, kept beside the assessors' (before publication)."""
    e = get_visible(Entry, actor, entry_id, for_update=True)
    require(actor, SELF, e.unit.code)
    _refuse_published(e.round)
    if not isinstance(scores, dict) or not scores:
        raise invalid("scores", _("请为至少一个项目填写自评得分。"))
    by_item = {str(s.item_id): s for s in e.scores.select_related("item")}
    for key, value in scores.items():
        sc = by_item.get(str(key))
        if sc is None:
            raise invalid("scores", _("项目 %(k)s 不在本方案中。") % {"k": str(key)[:10]})
        sc.self_points = scoring.manual_points(sc.item, value, "scores")
    ItemScore.objects.bulk_update(by_item.values(), ["self_points", "updated_at"])
    e.self_total = sum((s.self_points or ZERO) for s in by_item.values())
    e.self_note, e.self_submitted_at = str(note or "").strip()[:500], timezone.now()
    e.save(update_fields=["self_total", "self_note", "self_submitted_at", "updated_at"])
    changelog.record(actor, Action.UPDATE, e, note=_("社区自评"), extra_changed=["self_total"])
    return e


# --- publication and objections -------------------------------------------------------------------
@transaction.atomic
def publish(actor, round_) -> Round:
    """Publish the results: every manual item must be scored; the objection window opens."""
    r = get_visible(Round, actor, getattr(round_, "pk", round_), for_update=True)
    require(actor, MANAGE, r.org.code)
    _refuse_published(r)
    if r.status != RoundStatus.COMPUTED:
        raise Conflict(_("本轮还没有计分，请先计分再公布。"), code="not_computed")
    missing = list(
        ItemScore.objects.filter(
            entry__in=computable(r), points__isnull=True, item__rule=Rule.MANUAL
        ).select_related("entry__unit", "item")[:5]
    )
    if missing:
        names = "、".join(f"{m.entry.unit.display_name}·{m.item.label}" for m in missing)
        raise Conflict(
            _("还有人工评分项目未评分：%(n)s 等，请评分后再公布。") % {"n": names}, code="unscored"
        )
    r.status, r.published_at = RoundStatus.PUBLISHED, timezone.now()
    r.objection_until = _today() + dt.timedelta(days=r.scheme.objection_days)
    r.save(update_fields=["status", "published_at", "objection_until", "updated_at"])
    changelog.record(actor, Action.UPDATE, r, note=_("公布考核结果"), extra_changed=["status"])
    return r


def shows_results(user, entry: Entry) -> bool:
    """A community sees its scores once the round is published; the assessors see them throughout."""
    return entry.round.published or scope.covers(user, entry.round.org.code, MANAGE)


@transaction.atomic
def file_objection(actor, entry_id, *, reason, score_id=None) -> Objection:
    """A community's objection to its result (or one item's score) within the window."""
    e = get_visible(Entry, actor, entry_id, for_update=True)
    require(actor, SELF, e.unit.code)
    r = e.round
    if not r.published:
        raise Conflict(_("结果尚未公布，公布后才能提出异议。"), code="not_published")
    if r.objection_until and _today() > r.objection_until:
        raise Conflict(
            _("异议期已于 %(d)s 截止，不能再提出异议。") % {"d": r.objection_until.isoformat()},
            code="window_closed",
        )
    reason = str(reason or "").strip()[:500]
    if len(reason) < 4:
        raise invalid("reason", _("请写明异议理由（不少于 4 个字），如哪项数据或评分有误、依据是什么。"))
    sc = None
    if score_id not in (None, ""):
        sc = e.scores.filter(pk=score_id).first()
        if sc is None:
            raise invalid("score", _("所指项目不在本社区的得分中。"))
    if Objection.objects.filter(entry=e, score=sc, status=ObjectionStatus.FILED).exists():
        raise Conflict(_("该项已有待处理的异议，请等待处理结果。"), code="duplicate")
    o = Objection.objects.create(entry=e, score=sc, reason=reason, filed_by=actor, scope_code=e.scope_code)
    changelog.record(actor, Action.CREATE, o, after=changelog.snapshot(o), note=_("考核异议"))
    return o


@transaction.atomic
def handle_objection(actor, objection_id, *, decision, reply="", points=None) -> Objection:
    """Uphold an objection (the item scored again; ranks and grades follow) or reject it with the
    reason."""
    o = get_visible(Objection, actor, objection_id, for_update=True)
    r = o.entry.round
    require(actor, MANAGE, r.org.code)
    if o.status != ObjectionStatus.FILED:
        raise Conflict(_("该异议已处理过。"), code="handled")
    reply = str(reply or "").strip()[:500]
    if decision == ObjectionStatus.REJECTED:
        if len(reply) < 4:
            raise invalid("reply", _("不予采纳须写明理由（不少于 4 个字）。"))
    elif decision == ObjectionStatus.UPHELD:
        if o.score_id is None and points not in (None, ""):
            raise invalid("points", _("该异议针对总体结果，请在具体项目上复核改分。"))
        if o.score_id is not None:
            if points in (None, ""):
                raise invalid("points", _("异议成立请填写复核后的得分。"))
            sc = ItemScore.objects.select_for_update().get(pk=o.score_id)
            o.old_points = sc.points
            sc.points = scoring.manual_points(sc.item, points)
            sc.note = (_("异议复核：%(r)s") % {"r": reply})[:300] if reply else sc.note
            sc.scored_by, sc.scored_at = actor, timezone.now()
            sc.save()
            o.new_points = sc.points
            rescore(r)
    else:
        raise invalid("decision", _("处理结果应为 upheld（异议成立）或 rejected（不予采纳）。"))
    o.status, o.reply, o.handled_by, o.handled_at = decision, reply, actor, timezone.now()
    o.save()
    changelog.record(actor, Action.UPDATE, o, after=changelog.snapshot(o), note=_("处理考核异议"))
    return o


# --- reads ----------------------------------------------------------------------------------------
def results(user, r: Round, *, kind: str = "", band: str = "") -> list[Entry]:
    """The entries of a round the user may read, ranked, optionally filtered by descriptors."""
    qs = r.entries.filter(pk__in=Entry.objects.visible_to(user)).select_related("unit")
    qs = qs.order_by("rank", "unit__code")
    rows = list(qs)
    if kind:
        rows = [e for e in rows if (e.profile or {}).get("kind") == kind]
    if band:
        rows = [e for e in rows if (e.profile or {}).get("band") == band]
    return rows


def unmet_items(scheme) -> list[dict]:
    """Items of the scheme that no assessed community meets in full (points < weight everywhere,
    over every round with scores): a standard the district can see cannot be met."""
    from django.db.models import Count, F, Q

    rows = (
        ItemScore.objects.filter(item__scheme=scheme, points__isnull=False)
        .values("item_id")
        .annotate(n=Count("pk"), met=Count("pk", filter=Q(points__gte=F("item__weight"))))
    )
    found = {r["item_id"]: r for r in rows}
    out = []
    for it in items_of(scheme):
        f = found.get(it.pk)
        out.append({"item": it, "assessed": f["n"] if f else 0, "met": f["met"] if f else 0,
                    "unmet": bool(f) and f["met"] == 0})  # fmt: skip
    return out


def may_manage(user, r: Round) -> bool:
    return scope.covers(user, r.org.code, MANAGE)


def entry_of(user, r: Round, code: str) -> Entry:
    e = Entry.objects.visible_to(user).filter(round=r, unit__code=code).first()
    if e is None:
        raise NotFound()
    return e
