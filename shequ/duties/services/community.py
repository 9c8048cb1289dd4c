"""What happens in the community: progress on admitted tasks, funding delivered, refusals of
unadmitted work, certificates, standing loads, and the appraisal of departments."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import changelog, notify, registry
from shequ.core.errors import Conflict, NotFound
from shequ.core.models import Action, Membership, User
from shequ.core.roles import Role
from shequ.core.services import _clean, get_visible, require
from shequ.duties.models import (
    METRIC_FIELDS,
    AppraisalForm,
    AppraisalRound,
    BurdenEntry,
    Certificate,
    CertificateRefusal,
    EntrySource,
    Kind,
    Refusal,
    Task,
    TaskReport,
    TaskStatus,
)
from shequ.duties.services.admission import _suspected
from shequ.duties.services.common import _doc_number, _insert, _invalid
from shequ.duties.services.lists import _list_org, items_in_force
from shequ.org.models import Level, OrgUnit


# --- tasks ------------------------------------------------------------------------------------------
@transaction.atomic
def report_progress(
    actor, pk, *, progress, hours, note, completes=False, files=(), expected_version=None
) -> TaskReport:
    """The community reports progress (and hours spent); a completion report finishes the task."""
    task = get_visible(Task, actor, pk, for_update=True)
    require(actor, "duties.report_task", task.scope_code)
    if expected_version is not None and task.version != expected_version:
        raise Conflict()
    if task.status != TaskStatus.ACTIVE:
        raise Conflict(_("该任务已%s，不能再报告进度。") % task.get_status_display(), code="task_closed")
    try:
        progress = int(progress)
        hours = Decimal(str(hours or 0))
    except (TypeError, ValueError, InvalidOperation):
        raise _invalid("progress", _("进度须为 0–100 的整数，用时须为数字。")) from None
    if completes:
        progress = 100
    if not 0 <= progress <= 100:
        raise _invalid("progress", _("进度须在 0–100 之间。"))
    if hours < 0 or hours > 1000:
        raise _invalid("hours", _("本次用时须在 0–1000 小时之间。"))
    if len((note or "").strip()) < 2:
        raise _invalid("note", _("请简要说明办理情况。"))
    from shequ.core.attachments import attach, clean_photos

    photos = clean_photos(files)  # evidence is optional: some work leaves nothing to photograph
    before = changelog.snapshot(task)
    r = TaskReport(
        task=task, author=actor, progress=progress, hours=hours, note=note.strip(), completes=completes
    )
    r.save()
    if photos:
        attach(r, task.scope_code, photos, actor)
    task.progress = progress
    task.hours_spent = F("hours_spent") + hours
    if completes:
        task.status, task.completed_at = TaskStatus.DONE, timezone.now()
        BurdenEntry.objects.filter(task=task).update(end_date=timezone.localdate())
    task.version = F("version") + 1
    task.save()
    task.refresh_from_db()
    changelog.record(
        actor, Action.UPDATE, task, before=before, after=changelog.snapshot(task), note=_("报告进度")
    )
    return r


@transaction.atomic
def record_funding(actor, task_pk, amount):
    """The department records money delivered against a task's commitment."""
    from shequ.duties.models import FundingCommitment

    task = get_visible(Task, actor, task_pk, for_update=True)
    require(actor, "duties.record_funding", task.scope_code)
    c = FundingCommitment.objects.select_for_update().filter(task=task).first()
    if c is None:
        raise Conflict(_("该任务没有经费承诺。"), code="no_commitment")
    try:
        amount = Decimal(str(amount))
    except InvalidOperation:
        raise _invalid("amount", _("金额须为数字。")) from None
    if amount <= 0 or c.delivered + amount > c.amount:
        raise _invalid("amount", _("到位金额须大于 0，且累计不超过承诺金额 %s 元。") % c.amount)
    # Where a finance module keeps the arrivals, the arrival is its record (one record, read by
    # both modules); `delivered` is then the running total it keeps.
    recorder = registry.task_money_recorder()
    if recorder is not None:
        recorder(actor, c.pk, amount)
        c.refresh_from_db()
        return c
    before = changelog.snapshot(c)
    c.delivered += amount
    c.delivered_at = timezone.now()
    c.version = F("version") + 1
    c.save()
    c.refresh_from_db()
    changelog.record(actor, Action.UPDATE, c, before=before, after=changelog.snapshot(c), note=_("经费到位"))
    return c


def _community(actor, community, perm) -> OrgUnit:
    """A community (object, pk or 12-digit code) where the actor holds `perm`."""
    if not isinstance(community, OrgUnit):
        key = str(community or "")
        qs = (
            OrgUnit.objects.filter(code=key)
            if len(key) >= 12
            else OrgUnit.objects.filter(pk=int(key) if key.isdigit() else 0)
        )
        community = qs.first()
    if community is None or community.level != Level.COMMUNITY:
        raise _invalid("community", _("请选择社区。"))
    require(actor, perm, community.code)
    return community


@transaction.atomic
def refuse_unadmitted(
    actor, *, community, department, title, description="", received_on=None, channel=""
) -> Refusal:
    """A community refuses work handed to it without admission, citing the rule; the street sees it."""
    community = _community(actor, community, "duties.refuse_task")
    department, title = (department or "").strip(), (title or "").strip()
    if not department or not title:
        raise _invalid("title", _("请填写交办部门和交办事项。"))
    admitted = (
        Task.objects.filter(community=community, department=department, title=title, status=TaskStatus.ACTIVE)
        .select_related("request")
        .first()
    )
    if admitted is not None:
        raise Conflict(
            _("该事项已经准入（申请 %s），请在“下派任务”中办理，不能拒收。") % admitted.request.number,
            code="admitted",
        )
    r = Refusal(
        community=community,
        department=department,
        title=title,
        description=description,
        received_on=received_on or timezone.localdate(),
        channel=channel,
        refused_by=actor,
    )
    hit = next(iter(_suspected(r, [community])), None) if description or title else None
    if hit is not None:
        r.item = hit
        r.rule = _("该事项属于%(c)s。%(rule)s") % {"c": hit.citation, "rule": settings.DUTY_RULE_NEGATIVE}
        if hit.redirect:
            r.rule += _("应由%s办理。") % hit.redirect
    else:
        r.rule = settings.DUTY_RULE_ADMISSION
    r.number = _doc_number(community, "拒", "refusal", 3)
    _insert(actor, r)
    street = community.code[:9]
    ms = Membership.objects.active().filter(role=Role.STREET, org__code=street)
    users = list(User.objects.filter(pk__in=ms.values("user_id"), is_active=True))

    def send():
        for u in users:
            notify.send(
                notify.Message(
                    template="duties.refused",
                    subject=str(_("社区拒收未经准入的事项")),
                    body=f"{community.name}：{department}“{title}”",
                    user=u,
                    scope_code=community.code,
                )
            )

    transaction.on_commit(send)
    return r


# --- certificates -----------------------------------------------------------------------------------
def certificate_match(community_code: str, requested: str):
    """(listed certificate item, negative item) that a requested certificate matches."""
    text = (requested or "").strip()
    if not text:
        return None, None
    listed = next(
        (i for i in items_in_force(community_code, Kind.CERTIFICATE) if i.title in text or text in i.title),
        None,
    )
    negative = next(
        (
            i
            for i in items_in_force(community_code, Kind.NEGATIVE)
            if any(w in text for w in i.keyword_list())
        ),
        None,
    )
    return listed, negative


@transaction.atomic
def issue_certificate(actor, *, community, item, resident, purpose, content) -> Certificate:
    """Issue a certificate of a type on the community's 证明事项 list, with a serial number."""
    community = _community(actor, community, "duties.issue_certificate")
    item_pk = getattr(item, "pk", item)
    listed = items_in_force(community.code, Kind.CERTIFICATE).filter(pk=item_pk).first()
    if listed is None:
        raise _invalid("item", _("只能出具证明事项清单内的证明；清单外的证明请使用“不予出具告知”。"))
    from shequ.people.models import Resident

    res = Resident.objects.visible_to(actor).filter(pk=getattr(resident, "pk", resident)).first()
    if res is None or res.community_id != community.pk:
        raise _invalid("resident", _("申请人须为本社区登记在册的居民，请先在居民台账中核实。"))
    if len((purpose or "").strip()) < 2:
        raise _invalid("purpose", _("请填写证明用途。"))
    if len((content or "").strip()) < 4:
        raise _invalid("content", _("请填写证明内容。"))
    cert = Certificate(
        community=community,
        item=listed,
        resident=res,
        requester_name=res.name,
        purpose=purpose.strip(),
        content=content.strip(),
        issuer=actor,
        number=_doc_number(community, "证", "cert"),
    )
    return _insert(actor, cert)


@transaction.atomic
def refuse_certificate(
    actor, *, community, requested, requester_name, resident=None, purpose=""
) -> CertificateRefusal:
    """A printable refusal for a certificate not on the list, citing the rule and where to go."""
    community = _community(actor, community, "duties.issue_certificate")
    requested = (requested or "").strip()
    if len(requested) < 2:
        raise _invalid("requested", _("请填写申请出具的证明名称。"))
    listed, negative = certificate_match(community.code, requested)
    if listed is not None:
        raise Conflict(
            _("“%s”在本社区证明事项清单内，请直接出具证明。") % listed.title, code="listed_certificate"
        )
    res = None
    if resident:
        from shequ.people.models import Resident

        res = Resident.objects.visible_to(actor).filter(pk=getattr(resident, "pk", resident)).first()
        if res is None:
            raise _invalid("resident", _("未找到该居民。"))
        requester_name = requester_name or res.name
    if not (requester_name or "").strip():
        raise _invalid("requester_name", _("请填写申请人姓名。"))
    rule = settings.DUTY_RULE_CERTIFICATE
    if negative is not None:
        rule += _("该证明属于%s。") % negative.citation
    r = CertificateRefusal(
        community=community,
        requested=requested,
        resident=res,
        requester_name=requester_name.strip(),
        purpose=purpose,
        rule=rule,
        redirect=negative.redirect if negative else "",
        item=negative,
        refused_by=actor,
        number=_doc_number(community, "不证", "certref"),
    )
    return _insert(actor, r)


# --- burden entries and appraisals --------------------------------------------------------------
@transaction.atomic
def register_entry(
    actor, *, community, department, kind, title, start_date, end_date=None, **metrics
) -> BurdenEntry:
    """Record a standing load a community carries (ledgers, signboards …) outside admitted tasks."""
    community = _community(actor, community, "duties.register_entry")
    unknown = set(metrics) - {*METRIC_FIELDS, "hours_per_month", "funding"}
    if unknown:
        raise _invalid("__all__", _("未知字段：%s") % "、".join(sorted(unknown)))
    e = BurdenEntry(
        community=community,
        source=EntrySource.STANDING,
        department=department,
        kind=kind,
        title=title,
        start_date=start_date,
        end_date=end_date,
        **metrics,
    )
    if end_date and end_date < start_date:
        raise _invalid("end_date", _("结束日期不能早于开始日期。"))
    return _insert(actor, e)


@transaction.atomic
def open_round(actor, *, org, title, period, opens_on, closes_on, departments) -> AppraisalRound:
    """A district or street opens a round in which community leads appraise departments."""
    org = _list_org(org)
    require(actor, "duties.manage_appraisals", org.code)
    deps = sorted({d.strip() for d in departments or () if d and d.strip()})
    if not deps:
        raise _invalid("departments", _("请至少列出一个被评议部门。"))
    if closes_on < opens_on:
        raise _invalid("closes_on", _("截止日期不能早于开始日期。"))
    r = AppraisalRound(
        org=org,
        title=title,
        period=period,
        opens_on=opens_on,
        closes_on=closes_on,
        departments=deps,
        created_by=actor,
    )
    return _insert(actor, r)


@transaction.atomic
def submit_appraisal(
    actor, round_pk, *, community, department, cooperation, funding, burden, service, comment=""
) -> AppraisalForm:
    """A community lead appraises one department once per round."""
    # The round hangs at the street or district, above the lead's own scope: found by key, then
    # checked to cover the lead's community.
    rnd = AppraisalRound.objects.select_related("org").filter(pk=round_pk).first()
    community = _community(actor, community, "duties.appraise")
    if rnd is None or not community.code.startswith(rnd.org.code):
        raise NotFound()
    if not rnd.is_open():
        raise Conflict(
            _("本次评议的填写时间为 %(a)s 至 %(b)s，现在不能填写。")
            % {"a": rnd.opens_on, "b": rnd.closes_on},
            code="round_closed",
        )
    if department not in rnd.departments:
        raise _invalid("department", _("“%s”不在本次评议的部门名单中。") % department)
    if AppraisalForm.objects.filter(round=rnd, community=community, department=department).exists():
        raise Conflict(
            _("本社区已评议过%s，每个部门每次只能评议一次。") % department, code="already_appraised"
        )
    form = AppraisalForm(
        round=rnd,
        community=community,
        department=department,
        cooperation=cooperation,
        funding=funding,
        burden=burden,
        service=service,
        comment=comment,
        filled_by=actor,
    )
    _clean(form)
    try:
        with transaction.atomic():
            form.save()
    except IntegrityError:
        raise Conflict(
            _("本社区已评议过%s，每个部门每次只能评议一次。") % department, code="already_appraised"
        ) from None
    changelog.record(actor, Action.CREATE, form, after=changelog.snapshot(form))
    return form
