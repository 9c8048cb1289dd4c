"""人随事动: the people a department promised with an admitted task (duties' admission request says
how many per community) and the people it actually sent, tracked like task money: promised,
provided, missing, by department. Duties' records are read by model name, so finance runs
without duties."""

from django.apps import apps
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import changelog
from shequ.core.errors import NotFound
from shequ.core.models import Action
from shequ.core.services import require
from shequ.finance.models import PAY_TASK, PersonnelProvision
from shequ.finance.services import day_of, invalid, refuse_closed


def task_model():
    try:
        return apps.get_model("duties", "Task")
    except LookupError:
        return None


def provided(task_ids) -> dict[int, int]:
    """People provided per task (corrections included)."""
    rows = (
        PersonnelProvision.objects.filter(task_id__in=list(task_ids))
        .values_list("task_id")
        .annotate(s=Sum("people"))
    )
    return {tid: s or 0 for tid, s in rows}


def tasks_with_people(user, code: str | None, year: int):
    """The admitted tasks of the year whose request promised people, as the user may see them."""
    model = task_model()
    if model is None:
        return []
    qs = (
        model.objects.visible_to(user).within(code).filter(start_date__year=year, request__personnel_count__gt=0)
        .select_related("community", "request").order_by("department", "scope_code", "pk")
    )  # fmt: skip
    return qs


def league(user, code: str | None, year: int) -> list[dict]:
    """Per department: people promised with the year's admitted tasks, people provided, missing."""
    rows = list(
        tasks_with_people(user, code, year)
        .values_list("pk", "department", "request__personnel_count")
        .order_by()
    )
    got = provided([r[0] for r in rows]) if rows else {}
    out: dict[str, dict] = {}
    for pk, dept, n in rows:
        o = out.setdefault(
            dept, {"department": dept, "tasks": 0, "promised": 0, "provided": 0, "short_tasks": 0}
        )
        p = got.get(pk, 0)
        o["tasks"] += 1
        o["promised"] += n
        o["provided"] += min(p, n)
        if p < n:
            o["short_tasks"] += 1
    for o in out.values():
        o["missing"] = o["promised"] - o["provided"]
        o["rate"] = round(o["provided"] * 100 / o["promised"], 1) if o["promised"] else None
    return sorted(out.values(), key=lambda o: (-o["missing"], o["department"]))


@transaction.atomic
def record_provision(actor, task_id, *, people, provided_on=None, names="", note="") -> PersonnelProvision:
    """People a department sent to a community for an admitted task; more than promised needs a
    note; a negative number (people withdrawn) needs a note too."""
    model = task_model()
    if model is None:
        raise NotFound()
    task = (
        model.objects.visible_to(actor).select_for_update().filter(pk=task_id)
        .select_related("community", "request").first()
    )  # fmt: skip
    if task is None:
        raise NotFound()
    require(actor, PAY_TASK, task.scope_code)
    try:
        people = int(str(people).strip())
    except (TypeError, ValueError):
        raise invalid("people", _("到岗人数须为整数。")) from None
    if people == 0 or abs(people) > 1000:
        raise invalid("people", _("到岗人数应为 1 至 1000 人（撤回人员填负数并写明原因）。"))
    on = day_of(provided_on or timezone.localdate(), "provided_on", _("到岗日期"))
    if on > timezone.localdate():
        raise invalid("provided_on", _("到岗日期不能晚于今天。"))
    year = task.start_date.year
    refuse_closed(task.scope_code, year)
    note = str(note or "").strip()[:300]
    promised = task.request.personnel_count
    before = provided([task.pk]).get(task.pk, 0)
    if people < 0 and not note:
        raise invalid("note", _("撤回人员请在说明中写明原因。"))
    if before + people < 0:
        raise invalid("people", _("撤回人数超过已到岗的 %(n)d 人。") % {"n": before})
    if before + people > promised and not note:
        raise invalid(
            "people",
            _("累计到岗 %(t)d 人将超过准入时承诺的每社区 %(p)d 人；确需多派请在说明中写明原因。")
            % {"t": before + people, "p": promised},
        )
    p = PersonnelProvision(task_id=task.pk, community=task.community, department=task.department, year=year,
                           people=people, provided_on=on, names=str(names or "").strip()[:300], note=note,
                           created_by=actor)  # fmt: skip
    p.save()
    changelog.record(actor, Action.CREATE, p, after=changelog.snapshot(p), note=_("随事人员到岗"))
    return p
