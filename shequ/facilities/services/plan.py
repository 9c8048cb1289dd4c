"""The district's plan of premises projects (with its state table) and the 四个同步 handovers."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import scope as scopes
from shequ.core import services
from shequ.core.errors import Forbidden, NotFound, ValidationFailed
from shequ.core.services import get_visible
from shequ.facilities.models import (
    MANAGE_HANDOVER,
    Handover,
    HandoverState,
    Project,
    ProjectKind,
    ProjectStatus,
)
from shequ.facilities.services.common import choice, day, decimal, invalid, text, unit_at
from shequ.org.models import Level

MAX_FUNDS = Decimal("999999999999")
MAX_AREA = Decimal("1000000")

# The project workflow: every allowed move; any other is refused (tests cover both).
TRANSITIONS = {
    ProjectStatus.PLANNED: {ProjectStatus.UNDERWAY, ProjectStatus.CANCELLED},
    ProjectStatus.UNDERWAY: {ProjectStatus.COMPLETED, ProjectStatus.CANCELLED},
    ProjectStatus.COMPLETED: set(),
    ProjectStatus.CANCELLED: set(),
}
DATE_OF = {
    ProjectStatus.UNDERWAY: "started_on",
    ProjectStatus.COMPLETED: "completed_on",
    ProjectStatus.CANCELLED: "cancelled_on",
}


def _year(value) -> int:
    try:
        y = int(value)
    except (TypeError, ValueError):
        raise invalid("plan_year", _("计划年度应为 2000 到 2100 之间的年份。")) from None
    if not 2000 <= y <= 2100:
        raise invalid("plan_year", _("计划年度应为 2000 到 2100 之间的年份。"))
    return y


def _project_fields(data: dict) -> dict:
    return {
        "kind": choice(ProjectKind, data.get("kind"), "kind", _("项目类型")),
        "title": text(data.get("title"), "title", _("项目名称"), 100, required=True),
        "plan_year": _year(data.get("plan_year")),
        "area": decimal(data.get("area"), "area", _("计划面积"), top=MAX_AREA, required=False),
        "funds": decimal(data.get("funds") or 0, "funds", _("资金"), top=MAX_FUNDS),
        "planned_end": day(data.get("planned_end"), "planned_end", _("计划完成日期")),
        "note": text(data.get("note"), "note", _("说明"), 200),
    }


@transaction.atomic
def add_project(actor, community: str, **data) -> Project:
    """Put a project for a community on the district's plan."""
    unit = unit_at(actor, community, [Level.COMMUNITY], MANAGE_HANDOVER, "community")
    return services.create(actor, Project(community=unit, **_project_fields(data)), perm=MANAGE_HANDOVER)


@transaction.atomic
def update_project(actor, pk: int, **data) -> Project:
    """Correct a project's plan (type, title, year, area, funds, planned end, note)."""
    p = get_visible(Project, actor, pk, for_update=True)
    current = {
        k: getattr(p, k) for k in ("kind", "title", "plan_year", "area", "funds", "planned_end", "note")
    }
    current.update({k: v for k, v in data.items() if k in current})
    return services.update(actor, Project, p.pk, _project_fields(current), perm=MANAGE_HANDOVER)


@transaction.atomic
def move_project(actor, pk: int, to, *, on: dt.date | None = None, progress: int | None = None,
                 note: str = "") -> Project:  # fmt: skip
    """Move a project along its workflow (开工, 完成, 取消) on a date, or record its progress."""
    p = get_visible(Project, actor, pk, for_update=True)
    target = choice(ProjectStatus, to, "status", _("状态"))
    on = day(on, "on", _("日期")) or timezone.localdate()
    if on > timezone.localdate():
        raise invalid("on", _("日期不能晚于今天。"))
    changes: dict = {}
    if target != p.status:
        if target not in TRANSITIONS[ProjectStatus(p.status)]:
            raise ValidationFailed(
                _("“%(a)s”的项目不能改为“%(b)s”。")
                % {"a": p.get_status_display(), "b": ProjectStatus(target).label},
                code="invalid_transition",
            )
        changes["status"] = target
        changes[DATE_OF[target]] = on
        if target == ProjectStatus.COMPLETED:
            changes["progress"] = 100
        if p.started_on and on < p.started_on:
            raise invalid("on", _("日期不能早于开工日期。"))
    if progress is not None:
        if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100:
            raise invalid("progress", _("进度应为 0 到 100 之间的整数。"))
        if (changes.get("status") or p.status) != ProjectStatus.UNDERWAY and progress not in (0, 100):
            raise invalid("progress", _("只有实施中的项目记录进度。"))
        if target != ProjectStatus.COMPLETED:
            changes["progress"] = progress
    if not changes:
        raise invalid("status", _("没有要登记的变化。"))
    return services.update(
        actor, Project, p.pk, changes, perm=MANAGE_HANDOVER, note=text(note, "note", _("说明"), 200)
    )


def plan_progress(user, scope_code: str | None, year: int | None = None) -> dict:
    """The plan of a scope (a year, or all): projects and funds by type and by status."""
    if not scopes.may_read(user, Project):
        raise Forbidden()
    if scope_code and not scopes.covers(user, scope_code):
        raise NotFound()
    qs = Project.objects.visible_to(user).within(scope_code or None)
    if year:
        qs = qs.filter(plan_year=year)
    live = ~Q(status=ProjectStatus.CANCELLED)
    by_kind = {k: v for k, *v in qs.filter(live).values_list("kind").annotate(n=Count("id"), f=Sum("funds"))}
    by_status = {s: v for s, *v in qs.values_list("status").annotate(n=Count("id"), f=Sum("funds"))}
    total = qs.filter(live).aggregate(n=Count("id"), f=Sum("funds"))
    done = by_status.get(ProjectStatus.COMPLETED, [0, Decimal("0")])
    return {
        "year": year,
        "projects": total["n"],
        "funds": total["f"] or Decimal("0"),
        "completed": done[0],
        "completed_funds": done[1] or Decimal("0"),
        "percent": (Decimal(done[0] * 100) / total["n"]).quantize(Decimal("0.1")) if total["n"] else None,
        "by_kind": [
            {
                "key": k,
                "label": str(lbl),
                "count": by_kind.get(k, [0])[0],
                "funds": (by_kind.get(k, [0, None])[1] or Decimal("0")),
            }
            for k, lbl in ProjectKind.choices
        ],  # fmt: skip
        "by_status": [
            {
                "key": s,
                "label": str(lbl),
                "count": by_status.get(s, [0])[0],
                "funds": (by_status.get(s, [0, None])[1] or Decimal("0")),
            }
            for s, lbl in ProjectStatus.choices
        ],  # fmt: skip
    }


# --- handovers ---------------------------------------------------------------------------------------
def _handover_dates(data: dict) -> dict:
    out = {}
    for f, label in (("planned_on", _("同步规划日期")), ("built_on", _("同步建设（竣工）日期")),
                     ("accepted_on", _("同步验收日期"))):  # fmt: skip
        out[f] = day(data.get(f), f, label)
    return out


@transaction.atomic
def add_handover(actor, where: str, *, estate, developer, required_area, due_on, **data) -> Handover:
    """Register a new estate's duty to hand over community space: how much, by when."""
    unit = unit_at(actor, where, [Level.STREET, Level.COMMUNITY], MANAGE_HANDOVER, "where")
    street = unit if unit.level == Level.STREET else unit.parent
    h = Handover(
        street=street,
        community=unit if unit.level == Level.COMMUNITY else None,
        estate=text(estate, "estate", _("楼盘（小区）名称"), 100, required=True),
        developer=text(developer, "developer", _("开发企业"), 100, required=True),
        required_area=decimal(required_area, "required_area", _("应移交面积"), top=MAX_AREA, positive=True),
        due_on=day(due_on, "due_on", _("应移交日期"), required=True),
        note=text(data.get("note"), "note", _("说明"), 300),
        **_handover_dates(data),
    )
    return services.create(actor, h, perm=MANAGE_HANDOVER)


@transaction.atomic
def record_handover(actor, pk: int, *, area, on, note: str = "", **dates) -> Handover:
    """Record the space handed over (in total) and when. More than required needs a note saying
    why (a developer handing over a whole floor); the gap is what is still owed."""
    h = get_visible(Handover, actor, pk, for_update=True)
    handed = decimal(area, "area", _("已移交面积"), top=MAX_AREA)
    on = day(on, "on", _("移交日期"), required=True)
    if on > timezone.localdate():
        raise invalid("on", _("移交日期不能晚于今天。"))
    note = text(note, "note", _("说明"), 300)
    if handed > h.required_area and not note:
        raise invalid(
            "note",
            _("移交面积 %(a)s 平方米大于应移交的 %(r)s 平方米，请在说明中写明原因（如：开发商整层移交）。")
            % {"a": handed, "r": h.required_area},
        )
    changes = {"handed_area": handed, "handed_on": on, "note": note or h.note}
    changes.update({k: v for k, v in _handover_dates(dates).items() if v})
    return services.update(actor, Handover, h.pk, changes, perm=MANAGE_HANDOVER)


def handovers_of(user, scope_code: str | None = None, *, state: str | None = None) -> list[Handover]:
    if not scopes.may_read(user, Handover):
        raise Forbidden()
    if scope_code and not scopes.covers(user, scope_code):
        raise NotFound()
    qs = Handover.objects.visible_to(user).within(scope_code or None).select_related("street", "community")
    rows = list(qs.order_by("due_on", "id"))
    today = timezone.localdate()
    return [h for h in rows if state is None or h.state(today) == state]


def overdue(user, scope_code: str | None = None) -> list[Handover]:
    """Handovers past their due date with space still owed (flagged to the street)."""
    today = timezone.localdate()
    qs = Handover.objects.visible_to(user).within(scope_code or None).filter(due_on__lt=today)
    from django.db.models import F

    return list(qs.filter(handed_area__lt=F("required_area")).select_related("street", "community")
                .order_by("due_on", "id"))  # fmt: skip


__all__ = ["HandoverState"]
