"""Creation rounds (示范社区, 小康社区 …): a community's application with its self-assessment, the
acceptance inspection (counted as an inspection against the caps), and the title granted for a term
with its re-check dates."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.assessment.models import (
    MANAGE,
    SELF,
    Entry,
    EntryStatus,
    ItemScore,
    Round,
    Rule,
    SchemeKind,
    Title,
)
from shequ.assessment.services import rounds, scoring
from shequ.assessment.services.common import unit_at
from shequ.assessment.services.schemes import items_of
from shequ.assessment.services.scoring import invalid
from shequ.core import changelog
from shequ.core.errors import Conflict
from shequ.core.models import Action
from shequ.core.services import get_visible, require
from shequ.org.models import Level


def _creation_round(actor, round_id) -> Round:
    r = get_visible(Round, actor, getattr(round_id, "pk", round_id), for_update=True)
    if r.scheme.kind != SchemeKind.CREATION:
        raise invalid("round", _("“%(t)s”不是创建评比，社区无需申报。") % {"t": r.title})
    return r


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    import calendar

    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def apply(actor, round_id, *, community, claim="", scores=None, note="") -> Entry:
    """A community applies for the title of a creation round, with its self-assessment; the round
    counts as one rating of it against the caps."""
    r = _creation_round(actor, round_id)
    unit = unit_at(actor, community, (Level.COMMUNITY,), SELF, "community")
    if not unit.code.startswith(r.org.code):
        raise invalid("community", _("%(c)s不在本轮创建范围内。") % {"c": unit.display_name})
    if r.published:
        raise Conflict(_("本轮创建已公布结果，不能再申报。"), code="published")
    if r.apply_by and timezone.localdate() > r.apply_by:
        raise Conflict(_("申报已于 %(d)s 截止。") % {"d": r.apply_by.isoformat()}, code="closed")
    claim = str(claim or "").strip()[:500]
    if len(claim) < 4:
        raise invalid("claim", _("请写明申报说明（不少于 4 个字）：创建工作的主要做法与成效。"))
    if Entry.objects.filter(round=r, unit=unit).exists():
        raise Conflict(_("%(c)s已申报本轮创建。") % {"c": unit.display_name}, code="duplicate")
    rounds.check_caps([unit.code], r.scheme.counts_as, {unit.code: unit.display_name})
    e = Entry.objects.create(round=r, unit=unit, status=EntryStatus.APPLIED, claim=claim, applied_at=timezone.now(),
                             applied_by=actor, scope_code=unit.code)  # fmt: skip
    rounds._add_scores([e], items_of(r.scheme))
    rounds.count_against_caps(actor, [unit.code], r.scheme.counts_as, r.title, r.scheme.body)
    changelog.record(actor, Action.CREATE, e, after=changelog.snapshot(e), note=_("创建申报"))
    if scores:
        rounds.self_assess(actor, e.pk, scores=scores, note=note)
        e.refresh_from_db()
    return e


@transaction.atomic
def accept(actor, entry_id, *, inspected_on=None, note="", scores=None) -> Entry:
    """The acceptance inspection of an application: the figures are taken, the inspectors score the
    manual items (the visit is part of the rating the application counted against the caps)."""
    e = get_visible(Entry, actor, entry_id, for_update=True)
    r = e.round
    require(actor, MANAGE, r.org.code)
    if r.scheme.kind != SchemeKind.CREATION or e.status != EntryStatus.APPLIED:
        raise Conflict(_("只有已申报、尚未验收的创建申报才能验收。"), code="state")
    note = str(note or "").strip()[:500]
    if len(note) < 4:
        raise invalid("note", _("请填写验收意见（不少于 4 个字）。"))
    day = inspected_on or timezone.localdate()
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day)
        except ValueError:
            raise invalid("inspected_on", _("验收日期格式应为 2026-03-01。")) from None
    by_item = {str(s.item_id): s for s in e.scores.select_related("item")}
    for key, value in (scores or {}).items():
        sc = by_item.get(str(key))
        if sc is None or sc.item.rule != Rule.MANUAL:
            raise invalid("scores", _("项目 %(k)s 不是本方案的人工评分项目。") % {"k": str(key)[:10]})
        if sc.item.evidence_required:
            raise invalid(
                "scores", _("“%(l)s”须附佐证材料，请在该项目上上传照片评分。") % {"l": sc.item.label}
            )
        sc.points = scoring.manual_points(sc.item, value, "scores")
        sc.scored_by, sc.scored_at = actor, timezone.now()
        sc.save()
    rounds.compute_round(
        actor,
        r,
        entries=Entry.objects.filter(pk=e.pk),
        reason=_("验收取数：%(c)s") % {"c": e.unit.display_name},
    )
    e.refresh_from_db()
    e.status, e.inspected_on, e.inspection_note, e.inspected_by = EntryStatus.INSPECTED, day, note, actor
    e.save(update_fields=["status", "inspected_on", "inspection_note", "inspected_by", "updated_at"])
    changelog.record(actor, Action.UPDATE, e, note=_("创建验收"), extra_changed=["status"])
    return e


@transaction.atomic
def decide(actor, entry_id, *, grant: bool, note="") -> Entry:
    """Grant the title (at the grade the total reaches) for the scheme's term, or refuse it."""
    e = get_visible(Entry, actor, entry_id, for_update=True)
    r, s = e.round, e.round.scheme
    require(actor, MANAGE, r.org.code)
    if e.status != EntryStatus.INSPECTED:
        raise Conflict(_("验收后才能决定是否授予称号。"), code="state")
    if ItemScore.objects.filter(entry=e, points__isnull=True, item__rule=Rule.MANUAL).exists():
        raise Conflict(_("还有人工评分项目未评分，请评分后再决定。"), code="unscored")
    note = str(note or "").strip()[:500]
    if grant:
        if not e.grade:
            raise Conflict(
                _("总分 %(t)s 分未达到任何等次，不能授予称号。") % {"t": e.total}, code="below_grades"
            )
        today = timezone.localdate()
        expires = add_months(today, 12 * s.term_years)
        rechecks = []
        if s.recheck_months:
            due = add_months(today, s.recheck_months)
            while due < expires:
                rechecks.append({"due": due.isoformat(), "done": None})
                due = add_months(due, s.recheck_months)
        name = f"{s.title_name}（{e.grade}）" if len(s.grades) > 1 else s.title_name
        Title.objects.create(scheme=s, entry=e, community=e.unit, name=name, grade=e.grade, granted_on=today,
                             expires_on=expires, rechecks=rechecks, granted_by=actor, scope_code=e.unit.code)  # fmt: skip
        e.status = EntryStatus.GRANTED
    else:
        if len(note) < 4:
            raise invalid("note", _("不予授予须写明理由（不少于 4 个字）。"))
        e.status = EntryStatus.REFUSED
    if note:
        e.inspection_note = f"{e.inspection_note}\n{note}"[:500]
    e.save(update_fields=["status", "inspection_note", "updated_at"])
    changelog.record(
        actor, Action.UPDATE, e, note=_("授予称号") if grant else _("不予授予"), extra_changed=["status"]
    )
    return e
