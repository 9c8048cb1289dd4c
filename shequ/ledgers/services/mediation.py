"""人民调解: recording a mediation (parties from the registry or outsiders, the matter, the
mediator, a case it came from), its outcome and agreement, the follow-up visit; the ledger workbook."""

import io

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import changelog, registry, scope
from shequ.core import services as core
from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shequ.core.models import Action
from shequ.ledgers.models import (
    MANAGE_MEDIATION,
    VIEW_MEDIATION,
    MatterType,
    Mediation,
    Mediator,
    Party,
    PartySide,
)
from shequ.ledgers.services.common import choice, day, invalid, resident, text


def _community(actor, code):
    from shequ.org.models import OrgUnit

    unit = OrgUnit.objects.filter(code=str(code or "").strip(), level="community").first()
    if unit is None:
        raise invalid("community", _("请选择一个社区（12 位代码）。"))
    if not scope.covers(actor, unit.code):
        raise NotFound()
    core.require(actor, MANAGE_MEDIATION, unit.code)
    return unit


def _matter(value) -> MatterType:
    text_ = str(value or "").strip()
    found = None
    if text_.isdigit():
        found = MatterType.objects.filter(pk=int(text_), active=True).first()
    found = found or MatterType.objects.filter(name=text_, active=True).first()
    if found is None:
        names = "、".join(MatterType.objects.filter(active=True).values_list("name", flat=True))
        raise invalid(
            "matter_type", _("纠纷类型“%(v)s”不在可选范围内，应为：%(n)s。") % {"v": text_[:20], "n": names}
        )
    return found


def _mediator(actor, unit, mediator_id=None, mediator_name="") -> Mediator | None:
    """A mediator of the community's roster, by id; or a staff account's name, added to the roster."""
    if mediator_id not in (None, ""):
        found = Mediator.objects.visible_to(actor).filter(pk=mediator_id, community=unit, active=True).first()
        if found is None:
            raise invalid("mediator", _("请从本社区人民调解员名册中选择调解员。"))
        return found
    name = text(mediator_name, "mediator", _("调解员"), 50)
    if not name:
        raise invalid("mediator", _("请选择调解员，或填写调解员姓名。"))
    found, created = Mediator.objects.get_or_create(
        community=unit, name=name, defaults={"scope_code": unit.code, "user": actor if actor.is_authenticated and
                                              (actor.display_name or actor.username) == name else None})  # fmt: skip
    if created:
        changelog.record(actor, Action.CREATE, found, after=changelog.snapshot(found))
    return found


def _next_number(unit, year: int) -> str:
    prefix = f"TJ{unit.code[-3:]}{year}"
    last = Mediation.objects.filter(number__startswith=prefix).aggregate(n=Max("number"))["n"]
    seq = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def _parties(actor, unit, parties) -> list[Party]:
    out = []
    if not parties:
        raise invalid("parties", _("请至少登记一方当事人（申请人）。"))
    for i, p in enumerate(parties):
        side = choice(PartySide, p.get("side") or PartySide.APPLICANT, f"parties.{i}.side", _("当事人身份"))
        rid = p.get("resident_id") or p.get("resident")
        if rid not in (None, ""):
            r = resident(actor, rid, f"parties.{i}.resident")
            out.append(
                Party(side=side, resident=r, name=r.name, id_number=r.doc_number or "", phone=r.phone or "")
            )
            continue
        name = text(p.get("name"), f"parties.{i}.name", _("当事人姓名"), 50, required=True)
        phone = text(p.get("phone"), f"parties.{i}.phone", _("联系电话"), 20)
        if phone and not phone.replace("-", "").isdigit():
            raise invalid(f"parties.{i}.phone", _("联系电话只能包含数字和短横线。"))
        out.append(Party(side=side, name=name, phone=phone,
                         id_number=text(p.get("id_number"), f"parties.{i}.id_number", _("身份证号"), 18)))  # fmt: skip
    if not any(p.side == PartySide.APPLICANT for p in out):
        raise invalid("parties", _("请至少登记一方申请人。"))
    return out


def _case_link(actor, unit, case_ref):
    if not str(case_ref or "").strip():
        return None, ""
    found = registry.resolve_reference("case", actor, str(case_ref).strip())
    if found is None:
        raise invalid(
            "case", _("没有找到受理号为 %(n)s 的案件，或不在您的管辖范围内。") % {"n": str(case_ref)[:30]}
        )
    if found.get("community") and found["community"] != unit.code:
        raise invalid("case", _("该案件不属于本社区，请核对受理号。"))
    if Mediation.objects.filter(case_id=found["id"]).exists():
        raise Conflict(_("该案件已登记过人民调解，请在原调解记录上继续办理。"), code="duplicate")
    return found["id"], found["number"]


@transaction.atomic
def record_mediation(actor, *, community, matter_type, received_on, parties, summary="", mediator_id=None,
                     mediator_name="", case="", mediated_on=None, agreement_reached=None, agreement_text="",
                     followup_on=None, followup_result="") -> Mediation:  # fmt: skip
    """Register a mediation, with its outcome if it is already known."""
    unit = _community(actor, community)
    received = day(received_on, "received_on", _("受理日期"))
    if received > timezone.localdate():
        raise invalid("received_on", _("受理日期不能晚于今天。"))
    case_id, case_number = _case_link(actor, unit, case)
    med = Mediation(
        community=unit, number=_next_number(unit, received.year), matter_type=_matter(matter_type),
        summary=text(summary, "summary", _("纠纷简要情况"), 2000, multiline=True, required=True),
        mediator=_mediator(actor, unit, mediator_id, mediator_name), received_on=received,
        case_id=case_id, case_number=case_number, recorded_by=actor,
    )  # fmt: skip
    _outcome_into(med, mediated_on, agreement_reached, agreement_text)
    _followup_into(med, followup_on, followup_result)
    people = _parties(actor, unit, parties)
    med = core.create(actor, med, perm=MANAGE_MEDIATION)
    for p in people:
        p.mediation = med
    Party.objects.bulk_create(people)
    return med


def _flag(value):
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    text_ = str(value).strip().lower()
    if text_ in ("1", "true", "yes", "on", "是", "达成"):
        return True
    if text_ in ("0", "false", "no", "off", "否", "未达成"):
        return False
    raise invalid("agreement_reached", _("是否达成协议应为“是”或“否”。"))


def _outcome_into(med, mediated_on, reached, agreement_text):
    reached = _flag(reached)
    if reached is None:
        if str(agreement_text or "").strip():
            raise invalid("agreement_reached", _("填写了协议书内容，请同时选择“达成协议”。"))
        return
    when = day(mediated_on, "mediated_on", _("调解日期"))
    if when < med.received_on:
        raise invalid("mediated_on", _("调解日期不能早于受理日期（%(d)s）。") % {"d": med.received_on})
    if when > timezone.localdate():
        raise invalid("mediated_on", _("调解日期不能晚于今天。"))
    agreement = text(agreement_text, "agreement_text", _("协议书内容"), 5000, multiline=True)
    if reached and len(agreement) < 4:
        raise invalid("agreement_text", _("达成协议的，请填写协议书内容（双方约定的事项）。"))
    med.mediated_on, med.agreement_reached, med.agreement_text = when, reached, agreement


def _followup_into(med, followup_on, result):
    if followup_on in (None, "") and not str(result or "").strip():
        return
    if med.agreement_reached is None:
        raise invalid("followup_on", _("调解结束后才能登记回访。"))
    when = day(followup_on, "followup_on", _("回访日期"))
    if when < med.mediated_on:
        raise invalid("followup_on", _("回访日期不能早于调解日期（%(d)s）。") % {"d": med.mediated_on})
    med.followup_on = when
    med.followup_result = text(result, "followup_result", _("回访情况"), 1000, multiline=True, required=True)


@transaction.atomic
def conclude(
    actor, mediation_id, *, mediated_on, agreement_reached, agreement_text="", version=None
) -> Mediation:
    """Record the outcome of a mediation still under way."""
    med = core.get_visible(Mediation, actor, mediation_id, for_update=True)
    core.require(actor, MANAGE_MEDIATION, med.scope_code)
    if med.agreement_reached is not None:
        raise Conflict(_("该调解已登记结果（%(o)s），不能重复登记。") % {"o": med.outcome}, code="concluded")
    if _flag(agreement_reached) is None:
        raise invalid("agreement_reached", _("请选择是否达成协议。"))
    _outcome_into(med, mediated_on, agreement_reached, agreement_text)
    return core.update(actor, Mediation, med.pk, {"mediated_on": med.mediated_on,
                       "agreement_reached": med.agreement_reached, "agreement_text": med.agreement_text},
                       perm=MANAGE_MEDIATION, expected_version=version)  # fmt: skip


@transaction.atomic
def follow_up(actor, mediation_id, *, followup_on, followup_result, version=None) -> Mediation:
    """回访: the visit after the mediation and what it found."""
    med = core.get_visible(Mediation, actor, mediation_id, for_update=True)
    core.require(actor, MANAGE_MEDIATION, med.scope_code)
    if med.followup_on:
        raise Conflict(
            _("该调解已于 %(d)s 回访，不能重复登记。") % {"d": med.followup_on}, code="followed_up"
        )
    if not followup_on and not str(followup_result or "").strip():
        raise invalid("followup_on", _("请填写回访日期和回访情况。"))
    _followup_into(med, followup_on, followup_result)
    return core.update(actor, Mediation, med.pk, {"followup_on": med.followup_on,
                       "followup_result": med.followup_result}, perm=MANAGE_MEDIATION,
                       expected_version=version)  # fmt: skip


def ledger_workbook(actor, mediations, *, title_scope: str, full: bool = False, reason: str = "") -> tuple:
    """人民调解登记台账: one row per mediation, parties masked unless exported in full by someone
    allowed to reveal, with a reason; every export is logged."""
    import xlsxwriter

    from shequ.core.excel import _cell
    from shequ.core.masking import mask

    if not scope.may_read(actor, Mediation):
        raise Forbidden()
    if full:
        if not scope.holds(actor, "core.reveal_pii"):
            raise Forbidden()
        if len((reason or "").strip()) < 2:
            raise ValidationFailed(
                _("完整导出须填写事由（例如：报送司法所）。"), details={"reason": [_("必填")]}
            )
    rows = list(mediations.select_related("matter_type", "mediator").prefetch_related("parties"))
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    big = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
    head = wb.add_format(
        {"bold": True, "border": 1, "align": "center", "bg_color": "#E8EEF7", "text_wrap": True}
    )
    cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    ws = wb.add_worksheet(_("人民调解登记台账"))
    headers = [_("序号"), _("登记号"), _("受理日期"), _("申请人"), _("被申请人"), _("纠纷类型"), _("调解员"),
               _("调解日期"), _("调解结果"), _("回访日期"), _("回访情况"), _("来源案件")]  # fmt: skip
    ws.merge_range(0, 0, 0, len(headers) - 1, _("%(s)s人民调解登记台账") % {"s": title_scope}, big)
    ws.write_row(1, 0, headers, head)
    for col, width in enumerate((6, 14, 11, 14, 14, 10, 10, 11, 10, 11, 24, 16)):
        ws.set_column(col, col, width)
    for i, m in enumerate(rows, 1):
        side = {PartySide.APPLICANT: [], PartySide.RESPONDENT: []}
        for p in m.parties.all():
            side[p.side].append(p.name if full else mask(p.name, "name"))
        ws.write_row(i + 1, 0, [
            i, m.number, m.received_on.isoformat(), _cell("、".join(side[PartySide.APPLICANT])),
            _cell("、".join(side[PartySide.RESPONDENT])), m.matter_type.name, _cell(m.mediator.name if m.mediator else ""),
            m.mediated_on.isoformat() if m.mediated_on else "", m.outcome,
            m.followup_on.isoformat() if m.followup_on else "", _cell(m.followup_result), m.case_number,
        ], cell)  # fmt: skip
    ws.write(len(rows) + 2, 0, _("合计 %(n)d 件，达成协议 %(a)d 件。") % {
        "n": len(rows), "a": sum(1 for m in rows if m.agreement_reached)})  # fmt: skip
    wb.close()
    changelog.record(
        actor, Action.EXPORT, None, scope_code="", note=_("人民调解登记台账（%(n)d 件）") % {"n": len(rows)}
    )
    return buf.getvalue(), f"{title_scope}人民调解登记台账.xlsx"


def for_case(actor, case_id) -> list:
    if not scope.holds(actor, VIEW_MEDIATION):
        return []
    return list(Mediation.objects.visible_to(actor).filter(case_id=case_id).select_related("matter_type"))
