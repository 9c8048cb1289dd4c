"""Writes of the workforce module, one function per act. Pages, the API, the import and the CLI
call these; none of them saves a model directly."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import changelog, crypto, services
from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shequ.core.models import Action
from shequ.core.services import get_visible, require
from shequ.core.validators import normalize_phone, parse_id_number, validate_phone
from shequ.org.models import Level, OrgUnit
from shequ.workforce.models import (
    Attendance,
    Body,
    CertificateKind,
    Education,
    ExitReason,
    Gender,
    Movement,
    MovementKind,
    Office,
    Organiser,
    Political,
    Population,
    Qualification,
    Source,
    SpecialistPost,
    StaffingRatio,
    Status,
    Title,
    Training,
    TrainingKind,
    Worker,
)

MANAGE = "workforce.manage_worker"
MANAGE_POPULATION = "workforce.manage_population"
WORKER_FIELDS = (
    "name",
    "id_number",
    "gender",
    "birth_date",
    "education",
    "political_status",
    "post",
    "source",
    "source_detail",
    "hired_on",
    "full_time",
    "phone",
)


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def choice(enum, value, field: str, label: str) -> str:
    """A choice given by its code or by its Chinese label (男, 本科, 聘用 …)."""
    text = str(value or "").strip()
    for code, shown in enum.choices:
        if text in (code, str(shown)):
            return code
    names = "、".join(str(s) for _c, s in enum.choices)
    raise _invalid(
        field, _("%(l)s“%(v)s”不在可选范围内，应为：%(n)s。") % {"l": label, "v": text[:20], "n": names}
    )


def org_for_workers(actor, code: str, perm: str = MANAGE) -> OrgUnit:
    """The community or street a worker works for, inside the actor's scope."""
    unit = OrgUnit.objects.filter(code=(code or "").strip()).first()
    if unit is None or unit.level not in (Level.COMMUNITY, Level.STREET):
        raise _invalid("org", _("请填写社区（12 位）或街道（9 位）代码。"))
    from shequ.core import scope

    if not scope.covers(actor, unit.code):
        raise NotFound()
    require(actor, perm, unit.code)
    return unit


def clean_worker(data: dict, *, today: dt.date) -> dict:
    """Normalise and check a worker's fields; gender and birth date follow the ID number."""
    out = dict(data)
    out["name"] = (out.get("name") or "").strip()
    if not out["name"]:
        raise _invalid("name", _("请填写姓名。"))
    if len(out["name"]) > 50:
        raise _invalid("name", _("姓名不能超过 50 字。"))
    number = "".join(str(out.get("id_number") or "").split()).upper()
    out["id_number"] = number
    if number:
        try:
            info = parse_id_number(number, today=today)
        except ValidationError as exc:
            raise _invalid("id_number", exc.messages[0]) from None
        if out.get("gender") and choice(Gender, out["gender"], "gender", _("性别")) != info.gender:
            raise _invalid(
                "gender",
                _("性别与身份证号码不符（号码第 17 位表示%(g)s）。") % {"g": Gender(info.gender).label},
            )
        if out.get("birth_date") and out["birth_date"] != info.birth_date:
            raise _invalid(
                "birth_date",
                _("出生日期与身份证号码不符（号码中为 %(d)s）。") % {"d": info.birth_date.isoformat()},
            )
        out["gender"], out["birth_date"] = info.gender, info.birth_date
    if not out.get("gender"):
        raise _invalid("gender", _("请填写性别，或填写身份证号码。"))
    out["gender"] = choice(Gender, out["gender"], "gender", _("性别"))
    if not out.get("birth_date"):
        raise _invalid("birth_date", _("请填写出生日期，或填写身份证号码。"))
    out["education"] = choice(Education, out.get("education"), "education", _("学历"))
    out["political_status"] = choice(
        Political, out.get("political_status") or Political.MASSES, "political_status", _("政治面貌")
    )
    out["source"] = choice(Source, out.get("source"), "source", _("来源"))
    hired = out.get("hired_on")
    if not hired:
        raise _invalid("hired_on", _("请填写参加社区工作时间。"))
    if hired > today:
        raise _invalid("hired_on", _("参加社区工作时间不能晚于今天。"))
    if hired < out["birth_date"] + dt.timedelta(days=16 * 365):
        raise _invalid("hired_on", _("参加社区工作时间早于 16 周岁，请核对。"))
    phone = normalize_phone(out.get("phone") or "")
    if phone:
        try:
            validate_phone(phone)
        except ValidationError as exc:
            raise _invalid("phone", exc.messages[0]) from None
    out["phone"] = phone
    out["post"] = (out.get("post") or "").strip()[:60]
    out["source_detail"] = (out.get("source_detail") or "").strip()[:30]
    out["full_time"] = bool(out.get("full_time", True))
    return out


def _refuse_second_post(number: str, *, full_time: bool, exclude: int | None = None) -> None:
    """One person, one full-time post: the same ID number in post twice is refused."""
    if not number or not full_time:
        return
    same = Worker.objects.filter(
        **crypto.lookup(Worker, "id_number", number), status=Status.ACTIVE, full_time=True
    )
    if exclude:
        same = same.exclude(pk=exclude)
    other = same.select_related("org").first()
    if other is not None:
        raise Conflict(
            _(
                "该身份证号码的人员已在%(o)s专职在岗（%(n)s），一人不能同时担任两个专职岗位；如已调动，请在原记录上登记调动。"
            )
            % {"o": other.org.display_name, "n": other.name},
            code="duplicate",
            details={"id_number": [_("已在%(o)s专职在岗。") % {"o": other.org.display_name}]},
        )


@transaction.atomic
def add_worker(actor, org_code: str, *, batch: str = "", **data) -> Worker:
    """Enter a worker in the roster (with their hire as the first movement)."""
    unit = org_for_workers(actor, org_code)
    today = timezone.localdate()
    clean = clean_worker({k: data.get(k) for k in WORKER_FIELDS if k in data}, today=today)
    _refuse_second_post(clean["id_number"], full_time=clean["full_time"])
    worker = services.create(actor, Worker(org=unit, **clean), perm=MANAGE, batch=batch)
    Movement.objects.create(worker=worker, kind=MovementKind.HIRE, on=worker.hired_on, to_org=unit)
    return worker


@transaction.atomic
def remove_imported(actor, pks: list[int], *, batch: str) -> int:
    """Undo of an import: delete the workers it entered, with their history, each logged."""
    n = 0
    for worker in Worker.objects.filter(pk__in=pks).select_for_update():
        require(actor, MANAGE, worker.scope_code)
        changelog.record(
            actor, Action.DELETE, worker, before={"name": worker.name}, note=_("撤销导入"), batch=batch
        )
        worker.movements.all().delete()
        worker.offices.all().delete()
        worker.delete()
        n += 1
    return n


def update_worker(actor, pk, *, expected_version=None, **changes) -> Worker:
    """Correct a worker's record (not where they work or whether they stay: those are movements)."""
    worker = get_visible(Worker, actor, pk)
    current = {k: getattr(worker, k) for k in WORKER_FIELDS}
    merged = {**current, **{k: v for k, v in changes.items() if k in WORKER_FIELDS}}
    if "id_number" in changes and changes["id_number"] != current["id_number"] and "gender" not in changes:
        merged["gender"] = merged["birth_date"] = None  # follow the new number
    clean = clean_worker(merged, today=timezone.localdate())
    _refuse_second_post(clean["id_number"], full_time=clean["full_time"], exclude=worker.pk)
    return services.update(actor, Worker, pk, clean, perm=MANAGE, expected_version=expected_version)


def _movement_day(worker: Worker, on, field: str = "on") -> dt.date:
    if not isinstance(on, dt.date):
        raise _invalid(field, _("请填写日期。"))
    if on > timezone.localdate():
        raise _invalid(field, _("日期不能晚于今天。"))
    if on < worker.hired_on:
        raise _invalid(
            field, _("日期不能早于参加社区工作时间（%(d)s）。") % {"d": worker.hired_on.isoformat()}
        )
    last = (
        worker.movements.exclude(kind=MovementKind.HIRE).order_by("-on").values_list("on", flat=True).first()
    )
    if last and on < last:
        raise _invalid(field, _("日期不能早于上一次变动（%(d)s）。") % {"d": last.isoformat()})
    return on


def _locked(actor, pk, expected_version=None) -> Worker:
    worker = get_visible(Worker, actor, pk, for_update=True)
    require(actor, MANAGE, worker.scope_code)
    if expected_version not in (None, "") and int(expected_version) != worker.version:
        raise Conflict(_("该记录已被他人修改，请刷新页面后重试。"), code="stale")
    return worker


@transaction.atomic
def transfer_worker(actor, pk, *, to_org: str, on, note: str = "", expected_version=None) -> Worker:
    """调动: the worker moves to another community or street of the actor's scope."""
    worker = _locked(actor, pk, expected_version)
    if worker.status != Status.ACTIVE:
        raise Conflict(
            _("%(n)s已离开，不能调动；如重新入职，请先登记重新入职。") % {"n": worker.name}, code="state"
        )
    target = org_for_workers(actor, to_org)
    if target.pk == worker.org_id:
        raise _invalid("to_org", _("新单位与现单位相同。"))
    on = _movement_day(worker, on)
    Movement.objects.create(worker=worker, kind=MovementKind.TRANSFER, on=on, from_org=worker.org, to_org=target,
                            note=(note or "").strip()[:200])  # fmt: skip
    return services.update(actor, Worker, worker.pk, {"org": target}, perm=MANAGE, note=_("调动"))


@transaction.atomic
def record_secondment(actor, pk, *, on, note: str, expected_version=None) -> Movement:
    """下派、挂职、轮岗: noted in the worker's history (they stay on this roster)."""
    worker = _locked(actor, pk, expected_version)
    note = (note or "").strip()
    if not note:
        raise _invalid("note", _("请写明去向和期限，如“挂职区民政局半年”。"))
    on = _movement_day(worker, on)
    m = Movement.objects.create(worker=worker, kind=MovementKind.SECONDMENT, on=on, note=note[:200])
    changelog.record(
        actor, Action.UPDATE, worker, after={"movement": m.get_kind_display(), "on": on.isoformat()}
    )
    return m


@transaction.atomic
def record_exit(
    actor, pk, *, on, reason: str, note: str = "", interview: str = "", expected_version=None
) -> Worker:
    """离开: the day they left, why (辞职, 跳槽, 解聘, 退休, 调出, or the way up) and the exit interview."""
    worker = _locked(actor, pk, expected_version)
    if worker.status != Status.ACTIVE:
        raise Conflict(_("%(n)s已于 %(d)s 离开。") % {"n": worker.name, "d": worker.left_on}, code="state")
    reason = choice(ExitReason, reason, "reason", _("离开原因"))
    on = _movement_day(worker, on)
    Movement.objects.create(worker=worker, kind=MovementKind.EXIT, on=on, from_org=worker.org, reason=reason,
                            note=(note or "").strip()[:200], interview=(interview or "").strip()[:4000])  # fmt: skip
    Office.objects.filter(worker=worker, end__isnull=True).update(end=on)
    return services.update(
        actor, Worker, worker.pk, {"status": Status.LEFT, "left_on": on, "exit_reason": reason}, perm=MANAGE,
        note=_("离开"),
    )  # fmt: skip


@transaction.atomic
def record_return(actor, pk, *, on, note: str = "", expected_version=None) -> Worker:
    """重新入职 of a worker who had left (their earlier service stays in the history)."""
    worker = _locked(actor, pk, expected_version)
    if worker.status != Status.LEFT:
        raise Conflict(_("%(n)s目前在岗。") % {"n": worker.name}, code="state")
    on = _movement_day(worker, on)
    if on <= worker.left_on:
        raise _invalid("on", _("重新入职日期应晚于离开日期（%(d)s）。") % {"d": worker.left_on.isoformat()})
    _refuse_second_post(worker.id_number, full_time=worker.full_time, exclude=worker.pk)
    Movement.objects.create(worker=worker, kind=MovementKind.RETURN, on=on, to_org=worker.org,
                            note=(note or "").strip()[:200])  # fmt: skip
    return services.update(
        actor, Worker, worker.pk, {"status": Status.ACTIVE, "left_on": None, "exit_reason": ""}, perm=MANAGE,
        note=_("重新入职"),
    )  # fmt: skip


# --- offices ---------------------------------------------------------------------------------------
@transaction.atomic
def assign_office(actor, worker_pk, *, body: str, title: str, start, term: str = "") -> Office:
    """A post in the party organisation or the residents' committee, or a specialist post. A chair
    (书记, 主任) has one holder at a time in a unit; one person may hold posts in both bodies
    (交叉任职) and both chairs (一肩挑)."""
    worker = _locked(actor, worker_pk)
    if worker.status != Status.ACTIVE:
        raise Conflict(_("%(n)s已离开，不能任职。") % {"n": worker.name}, code="state")
    body = choice(Body, body, "body", _("组织"))
    title = (title or "").strip()
    if body != Body.SPECIALIST:
        title = choice(Title, title, "title", _("职务"))
    else:
        names = list(SpecialistPost.objects.filter(active=True).values_list("name", flat=True))
        if title not in names:
            raise _invalid(
                "title", _("专职岗位应为：%(n)s。") % {"n": "、".join(names) or _("（尚未设置专职岗位）")}
            )
    if not isinstance(start, dt.date) or start > timezone.localdate():
        raise _invalid("start", _("请填写任职日期（不晚于今天）。"))
    if start < worker.hired_on:
        raise _invalid("start", _("任职日期不能早于参加社区工作时间。"))
    open_here = Office.objects.filter(end__isnull=True, body=body, title=title)
    if open_here.filter(worker=worker).exists():
        raise Conflict(_("%(n)s已担任此职务。") % {"n": worker.name}, code="duplicate")
    if body != Body.SPECIALIST and title in (Title.SECRETARY, Title.DIRECTOR):
        holder = (
            open_here.filter(worker__org=worker.org, worker__status=Status.ACTIVE)
            .select_related("worker")
            .first()
        )
        if holder is not None:
            raise Conflict(
                _("%(u)s的%(t)s现由%(n)s担任，请先登记其卸任。")
                % {"u": worker.org.display_name, "t": holder.title_label, "n": holder.worker.name},
                code="duplicate",
            )
    office = Office.objects.create(
        worker=worker, body=body, title=title, start=start, term=(term or "").strip()[:30]
    )
    changelog.record(actor, Action.UPDATE, worker, after={"office": str(office), "start": start.isoformat()})
    return office


@transaction.atomic
def end_office(actor, office_pk, *, end) -> Office:
    """卸任: the post's last day (the day after it no longer counts)."""
    office = get_visible(Office, actor, office_pk, for_update=True)
    require(actor, MANAGE, office.worker.scope_code)
    if office.end is not None:
        raise Conflict(_("该职务已于 %(d)s 卸任。") % {"d": office.end.isoformat()}, code="state")
    if not isinstance(end, dt.date) or end < office.start or end > timezone.localdate():
        raise _invalid("end", _("卸任日期应在任职日期与今天之间。"))
    office.end = end
    office.save(update_fields=["end"])
    changelog.record(
        actor, Action.UPDATE, office.worker, after={"office": str(office), "end": end.isoformat()}
    )
    return office


# --- qualifications --------------------------------------------------------------------------------
@transaction.atomic
def add_qualification(
    actor, worker_pk, *, kind: str, number: str, obtained_on, name: str = "", reward=0
) -> Qualification:
    """A certificate the worker holds: 助理社会工作师, 社会工作师, 高级社会工作师 (by code or label) or
    another (named), with its number, date and the one-off reward paid for passing."""
    worker = _locked(actor, worker_pk)
    kind = choice(CertificateKind, kind, "kind", _("证书"))
    name = (name or "").strip()[:60]
    if kind == CertificateKind.OTHER and not name:
        raise _invalid("name", _("请填写证书名称。"))
    number = "".join((number or "").split())[:40]
    if not number:
        raise _invalid("number", _("请填写证书编号。"))
    if not isinstance(obtained_on, dt.date) or obtained_on > timezone.localdate():
        raise _invalid("obtained_on", _("请填写取得日期（不晚于今天）。"))
    if obtained_on < worker.birth_date + dt.timedelta(days=18 * 365):
        raise _invalid("obtained_on", _("取得日期早于 18 周岁，请核对。"))
    try:
        reward = Decimal(str(reward or 0)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise _invalid("reward", _("奖励金额请填写数字（元）。")) from None
    if not Decimal(0) <= reward <= Decimal(100000):
        raise _invalid("reward", _("奖励金额应在 0 到 100,000 元之间。"))
    if kind != CertificateKind.OTHER:
        if worker.qualifications.filter(kind=kind).exists():
            raise Conflict(
                _("%(n)s已登记过%(k)s证书。") % {"n": worker.name, "k": CertificateKind(kind).label},
                code="duplicate",
            )
        other = Qualification.objects.filter(kind=kind, number=number).select_related("worker").first()
        if other is not None:
            raise Conflict(
                _("证书编号 %(c)s 已登记在%(n)s名下，请核对。") % {"c": number, "n": other.worker.name},
                code="duplicate",
                details={"number": [_("该编号已登记。")]},
            )
    q = Qualification.objects.create(worker=worker, kind=kind, name=name, number=number, obtained_on=obtained_on,
                                     reward=reward)  # fmt: skip
    changelog.record(actor, Action.CREATE, q, after={"kind": kind, "number": number, "obtained_on": obtained_on.isoformat(),
                                                     "reward": str(reward)}, scope_code=worker.scope_code)  # fmt: skip
    return q


# --- training ----------------------------------------------------------------------------------------
@transaction.atomic
def create_training(
    actor, org_code: str, *, title: str, organiser: str, kind: str, start, end, days
) -> Training:
    """A training programme or session held for the workers of a community, street or district."""
    unit = OrgUnit.objects.filter(code=(org_code or "").strip()).first()
    if unit is None or unit.level not in (Level.COMMUNITY, Level.STREET, Level.DISTRICT):
        raise _invalid("org", _("请选择举办培训的区、街道或社区。"))
    from shequ.core import scope as scopes

    if not scopes.covers(actor, unit.code):
        raise NotFound()
    title = (title or "").strip()
    if not title:
        raise _invalid("title", _("请填写培训名称。"))
    if not isinstance(start, dt.date) or not isinstance(end, dt.date) or end < start:
        raise _invalid("end", _("结束日期不能早于开始日期。"))
    try:
        days = Decimal(str(days)).quantize(Decimal("0.1"))
    except InvalidOperation:
        raise _invalid("days", _("培训天数请填写数字，如 0.5、3。")) from None
    if not Decimal("0.1") <= days <= Decimal((end - start).days + 1):
        raise _invalid(
            "days", _("培训天数应在 0.1 天到培训期间的天数（%(n)d 天）之间。") % {"n": (end - start).days + 1}
        )
    t = Training(org=unit, title=title[:100], organiser=choice(Organiser, organiser, "organiser", _("主办单位")),
                 kind=choice(TrainingKind, kind, "kind", _("培训类别")), start=start, end=end, days=days)  # fmt: skip
    return services.create(actor, t, perm=MANAGE)


@transaction.atomic
def sign_in(actor, training_pk, worker_pk, *, passed: bool | None = None) -> Attendance:
    """A worker's sign-in to a training (once; a second sign-in is refused, not counted twice)."""
    training = get_visible(Training, actor, training_pk)
    worker = get_visible(Worker, actor, worker_pk, for_update=True)
    require(actor, MANAGE, worker.scope_code)
    if not worker.scope_code.startswith(training.scope_code) and not training.scope_code.startswith(
        worker.scope_code[:9]
    ):
        raise _invalid("worker", _("%(n)s不在本次培训的举办范围内。") % {"n": worker.name})
    if worker.status != Status.ACTIVE or worker.hired_on > training.end:
        raise _invalid("worker", _("%(n)s在培训期间不在岗。") % {"n": worker.name})
    if Attendance.objects.filter(training=training, worker=worker).exists():
        raise Conflict(_("%(n)s已签到。") % {"n": worker.name}, code="duplicate")
    a = Attendance.objects.create(training=training, worker=worker, signed_at=timezone.now(), passed=passed)
    changelog.record(actor, Action.CREATE, a, after={"training": training.title, "worker": worker.name},
                     scope_code=worker.scope_code)  # fmt: skip
    return a


# --- population and the standard -------------------------------------------------------------------
@transaction.atomic
def set_population(actor, scope: str, *, year: int, residents: int, source: str = "") -> Population:
    """常住人口 of a community, street or district in a year (entered, with its source)."""
    unit = OrgUnit.objects.filter(code=(scope or "").strip()).first()
    if unit is None or unit.level not in (Level.COMMUNITY, Level.STREET, Level.DISTRICT):
        raise _invalid("scope", _("请填写区（6 位）、街道（9 位）或社区（12 位）代码。"))
    from shequ.core import scope as scopes

    if not scopes.covers(actor, unit.code):
        raise NotFound()
    require(actor, MANAGE_POPULATION, unit.code)
    today = timezone.localdate()
    if not isinstance(year, int) or not 2000 <= year <= today.year + 1:
        raise _invalid("year", _("年度应在 2000 年至明年之间。"))
    if not isinstance(residents, int) or not 0 < residents <= 20_000_000:
        raise _invalid("residents", _("常住人口应为正整数。"))
    source = (source or "").strip()[:100] or _("手工录入")
    found = Population.objects.select_for_update().filter(org=unit, year=year).first()
    if found is None:
        return services.create(actor, Population(org=unit, year=year, residents=residents, source=source),
                               perm=MANAGE_POPULATION)  # fmt: skip
    return services.update(
        actor, Population, found.pk, {"residents": residents, "source": source}, perm=MANAGE_POPULATION
    )


def population_from_registry(actor, scope: str, *, year: int, residence_types: list[str]) -> Population:
    """Count 常住人口 from the resident registry (residents in the register, of the chosen
    residence types) and store it with a source that says so."""
    from shequ.people.choices import ResidenceType
    from shequ.people.choices import Status as ResidentStatus
    from shequ.people.models import Resident

    kinds = [choice(ResidenceType, t, "residence_types", _("居住类型")) for t in residence_types or []]
    if not kinds:
        raise _invalid("residence_types", _("请选择计入常住人口的居住类型。"))
    require(actor, "people.view_resident", scope)
    n = (
        Resident.objects.visible_to(actor)
        .within(scope)
        .filter(status=ResidentStatus.ACTIVE, residence_type__in=kinds)
        .count()
    )
    names = "、".join(str(ResidenceType(k).label) for k in kinds)
    return set_population(actor, scope, year=year, residents=n, source=_("居民台账：%(k)s") % {"k": names})


@transaction.atomic
def set_ratio(actor, district: str, *, per_10k) -> StaffingRatio:
    """The district's standard: community workers per 10,000 residents."""
    unit = OrgUnit.objects.filter(code=(district or "").strip(), level=Level.DISTRICT).first()
    if unit is None:
        raise _invalid("district", _("请填写区代码（6 位）。"))
    from shequ.core import scope as scopes

    if not scopes.covers(actor, unit.code):
        raise NotFound()
    require(actor, MANAGE_POPULATION, unit.code)
    try:
        value = Decimal(str(per_10k))
    except InvalidOperation:
        raise _invalid("per_10k", _("请填写数字，如 18。")) from None
    if not Decimal(1) <= value <= Decimal(100):
        raise _invalid("per_10k", _("每万人配备人数应在 1 到 100 之间。"))
    found = StaffingRatio.objects.filter(org=unit).first()
    if found is None:
        return services.create(actor, StaffingRatio(org=unit, per_10k=value), perm=MANAGE_POPULATION)
    return services.update(actor, StaffingRatio, found.pk, {"per_10k": value}, perm=MANAGE_POPULATION)


def specialist_posts(*, include_retired: bool = False) -> list[tuple[str, bool]]:
    """(name, active) of the specialist posts, by name."""
    posts = SpecialistPost.objects.order_by("name")
    if not include_retired:
        posts = posts.filter(active=True)
    return list(posts.values_list("name", "active"))


@transaction.atomic
def set_specialist_post(actor, name: str, *, active: bool) -> SpecialistPost:
    """Add (or bring back) a specialist post, or retire one. The list is the platform's: an
    operator's act (`shequ workforce posts`, actor None) or a system administrator's."""
    from shequ.core import scope as scopes

    if actor is not None and scopes.scope_codes(actor) is not None:
        raise Forbidden(_("专职岗位名单是全平台的设置，只有系统管理员可以修改。"))
    name = (name or "").strip()
    if not name or len(name) > 40:
        raise _invalid("name", _("请填写岗位名称（不超过 40 字）。"))
    post = SpecialistPost.objects.select_for_update().filter(name=name).first()
    if post is None and not active:
        raise _invalid("name", _("没有名为“%(n)s”的专职岗位。") % {"n": name})
    if post is None:
        post = SpecialistPost.objects.create(name=name, active=True)
        changelog.record(actor, Action.CREATE, post, after={"name": name, "active": True})
    elif post.active != active:
        post.active = active
        post.save(update_fields=["active"])
        changelog.record(actor, Action.UPDATE, post, before={"active": not active}, after={"active": active})
    return post
