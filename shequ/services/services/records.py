"""Acts on service records: record a service given to a resident (or to someone not registered),
and record the follow-up visit it asked for."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import changelog
from shequ.core import services as kernel
from shequ.core.errors import Conflict, NotFound, ValidationFailed
from shequ.core.models import Action
from shequ.core.services import get_visible, require
from shequ.org.models import Level
from shequ.people.models import Resident, ResidentTag, TagDefinition
from shequ.services.models import (
    EMPLOYMENT,
    RECORD,
    EmploymentKind,
    Outcome,
    RecordTag,
    Service,
    ServiceRecord,
)
from shequ.services.services.common import choice, day, invalid, text, unit_at

FIRST_DAY = dt.date(2000, 1, 1)
TOKEN_MAX = 64


def _service(actor, value) -> Service:
    pk = value.pk if hasattr(value, "pk") else value
    s = (
        Service.objects.visible_to(actor)
        .select_related("category")
        .filter(pk=pk if str(pk).isdigit() else 0)
        .first()
    )
    if s is None:
        raise NotFound(_("未找到该服务项目，或它不在您的管辖范围内；请从服务目录中选择。"))
    return s


def _resident(actor, value) -> Resident:
    pk = value.pk if hasattr(value, "pk") else value
    r = (
        Resident.objects.visible_to(actor).select_related("community")
        .filter(pk=pk if str(pk).isdigit() else 0).first()
    )  # fmt: skip
    if r is None:
        raise NotFound(_("该居民不在您的管辖范围内（或已不在册），不能为其登记服务；请核对后重新选择。"))
    return r


def tag_keys_of(resident) -> list[str]:
    """The keyed tags the resident holds today: the recorded ones still current and the derived
    ones (60 岁以上, 党员 …) their record meets."""
    keys = set(ResidentTag.objects.filter(resident=resident).current().values_list("tag_key", flat=True))
    for t in TagDefinition.objects.filter(active=True).exclude(rule=""):
        if t.holds(resident):
            keys.add(t.key)
    return sorted(keys)


def _existing(token: str, actor, service, person_name: str):
    """The record an earlier send of the same form made (None if none), refused if it is another's."""
    if not token:
        return None
    found = ServiceRecord.objects.filter(token=token).first()
    if found is None:
        return None
    if found.recorded_by_id != actor.pk or found.service_id != service.pk or found.person_name != person_name:
        raise Conflict(_("这份表单已经提交过，请刷新页面后重新填写。"), code="token_used")
    return found


def record_service(actor, *, service, served_on, resident=None, person_name="", person_phone="", community=None,
                   outcome=Outcome.DONE, note="", served_by="", employment_kind="", follow_up_due=None,
                   token="") -> tuple[ServiceRecord, bool]:  # fmt: skip
    """Record that someone received a catalogue service: (record, created). The same form sent
    twice (one token) answers the first record, created=False."""
    svc = _service(actor, service)
    token = str(token or "").strip()[:TOKEN_MAX]
    if resident not in (None, ""):
        who = _resident(actor, resident)
        require(actor, RECORD, who.scope_code)
        where, name, phone = who.community, who.name, ""
    else:
        who = None
        name = text(person_name, "person_name", _("服务对象姓名"), 50)
        if not name:
            raise invalid("resident", _("请选择居民；不在册的服务对象请填写姓名。"))
        phone = text(person_phone, "person_phone", _("联系电话"), 20)
        where = unit_at(actor, community, (Level.COMMUNITY,), RECORD, "community")
    if not (where.code.startswith(svc.scope_code)):
        raise invalid(
            "service", _("“%(s)s”不属于%(c)s或其街道的服务目录，请选择本社区（街道）的服务。")
            % {"s": svc.name, "c": where.display_name},
        )  # fmt: skip
    if not svc.active:
        raise invalid("service", _("“%(s)s”已停办，不能再登记。") % {"s": svc.name})
    served = day(served_on, "served_on", _("服务日期"), required=True)
    today = timezone.localdate()
    if served > today:
        raise invalid("served_on", _("服务日期不能晚于今天（%(d)s）。") % {"d": today.isoformat()})
    if served < FIRST_DAY:
        raise invalid("served_on", _("服务日期不能早于 2000-01-01。"))
    due = day(follow_up_due, "follow_up_due", _("回访截止日期"))
    if due is not None and due < served:
        raise invalid(
            "follow_up_due",
            _("回访截止日期（%(f)s）不能早于服务日期（%(s)s），请改为服务当天或之后。")
            % {"f": due.isoformat(), "s": served.isoformat()},
        )
    kind = choice(EmploymentKind, employment_kind, "employment_kind", _("就业服务类型"), blank=True)
    if svc.category.code == EMPLOYMENT and not kind:
        raise invalid("employment_kind", _("就业类服务请选择服务类型：咨询、培训、推荐/介绍或安置/就业。"))
    if svc.category.code != EMPLOYMENT and kind:
        raise invalid("employment_kind", _("只有就业类服务填写就业服务类型，请清空。"))
    record = ServiceRecord(
        service=svc, community=where, resident=who, person_name=name, person_phone=phone, served_on=served,
        staff=actor, served_by=text(served_by, "served_by", _("服务人员/提供方"), 100) or str(actor),
        outcome=choice(Outcome, outcome or Outcome.DONE, "outcome", _("服务结果")),
        note=text(note, "note", _("服务情况"), 500), employment_kind=kind, follow_up_due=due,
        recorded_by=actor, token=token,
    )  # fmt: skip
    found = _existing(token, actor, svc, name)
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            kernel.create(actor, record, perm=RECORD)
            if who is not None:
                RecordTag.objects.bulk_create([RecordTag(record=record, tag_key=k) for k in tag_keys_of(who)])
    except (Conflict, IntegrityError, ValidationFailed):
        # The same token written a moment ago by the other of two near-simultaneous sends.
        found = _existing(token, actor, svc, name) if token else None
        if found is not None:
            return found, False
        raise
    return record, True


@transaction.atomic
def record_follow_up(actor, pk, *, done_on, note="") -> ServiceRecord:
    """Record the follow-up visit (回访) of a service record."""
    r = get_visible(ServiceRecord, actor, pk, for_update=True)
    require(actor, RECORD, r.scope_code)
    if not r.follow_up_due:
        raise invalid("done_on", _("这条服务记录没有安排回访。"))
    if r.follow_up_done_on:
        raise Conflict(
            _("这条记录已于 %(d)s 回访过，不能重复登记。") % {"d": r.follow_up_done_on.isoformat()},
            code="already_followed_up",
        )
    done = day(done_on, "done_on", _("回访日期"), required=True)
    if done < r.served_on:
        raise invalid("done_on", _("回访日期不能早于服务日期（%(d)s）。") % {"d": r.served_on.isoformat()})
    if done > timezone.localdate():
        raise invalid("done_on", _("回访日期不能晚于今天。"))
    before = changelog.snapshot(r)
    r.follow_up_done_on = done
    r.follow_up_note = text(note, "note", _("回访情况"), 300, required=True)
    r.save(update_fields=["follow_up_done_on", "follow_up_note", "updated_at"])
    changelog.record(actor, Action.UPDATE, r, before=before, after=changelog.snapshot(r), note=_("登记回访"))
    return r


def follow_ups_due(user, code: str | None = None, *, within_days: int = 7):
    """Follow-ups not done whose due date has passed or comes within a week, in the user's scope."""
    horizon = timezone.localdate() + dt.timedelta(days=within_days)
    return (
        ServiceRecord.objects.visible_to(user).within(code)
        .filter(follow_up_due__isnull=False, follow_up_done_on__isnull=True, follow_up_due__lte=horizon)
        .select_related("service").order_by("follow_up_due", "pk")
    )  # fmt: skip
