"""人民调解: the ledger, recording a mediation (linked to a case), its outcome and follow-up."""

from datetime import date

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core.api import Day, ErrorOut, Id, Pagination
from shequ.core.masking import mask
from shequ.core.services import get_visible
from shequ.ledgers import services
from shequ.ledgers.models import MatterType, Mediation

router = Router()
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class LedgerPartyOut(Schema):
    id: int
    side: str
    name: str = Field(description="姓名（脱敏）")
    resident_id: int | None

    @staticmethod
    def resolve_name(obj):
        return mask(obj.name, "name")


class LedgerMediationOut(Schema):
    id: int
    number: str
    community: str
    matter_type: str
    mediator: str | None
    received_on: date
    mediated_on: date | None
    agreement_reached: bool | None
    outcome: str
    followup_on: date | None
    case_id: int | None
    case_number: str
    parties: list[LedgerPartyOut]
    version: int

    @staticmethod
    def resolve_community(obj):
        return obj.community.code

    @staticmethod
    def resolve_matter_type(obj):
        return obj.matter_type.name

    @staticmethod
    def resolve_mediator(obj):
        return obj.mediator.name if obj.mediator_id else None

    @staticmethod
    def resolve_parties(obj):
        return list(obj.parties.all())


class LedgerMediationDetailOut(LedgerMediationOut):
    summary: str
    agreement_text: str
    followup_result: str


class LedgerPartyIn(Schema):
    side: str = Field("applicant", max_length=10, description="applicant 申请人 / respondent 被申请人")
    resident_id: str | None = Field(None, max_length=18, description="本辖区居民：居民 id 或完整身份证号")
    name: str = Field("", max_length=50, description="外来人员：姓名")
    phone: str = Field("", max_length=20)
    id_number: str = Field("", max_length=18)


class LedgerMediationIn(Schema):
    community: str = Field(max_length=12)
    matter_type: str = Field(max_length=30, description="纠纷类型名称，见 /ledgers/mediation/matter-types")
    received_on: Day
    summary: str = Field(max_length=2000)
    parties: list[LedgerPartyIn] = Field(max_length=20)
    mediator_id: Id | None = None
    mediator_name: str = Field("", max_length=50)
    case: str = Field("", max_length=30, description="来源案件受理号")
    mediated_on: Day | None = None
    agreement_reached: bool | None = None
    agreement_text: str = Field("", max_length=5000)


class LedgerConcludeIn(Schema):
    mediated_on: Day
    agreement_reached: bool
    agreement_text: str = Field("", max_length=5000)
    version: int | None = Field(None, ge=1, le=2**31 - 1)


class LedgerFollowupIn(Schema):
    followup_on: Day
    followup_result: str = Field(max_length=1000)
    version: int | None = Field(None, ge=1, le=2**31 - 1)


class LedgerMatterTypeOut(Schema):
    id: int
    name: str


def _qs(user):
    return (
        Mediation.objects.visible_to(user)
        .select_related("community", "matter_type", "mediator")
        .prefetch_related("parties")
    )


@router.get("/mediation/matter-types", response=list[LedgerMatterTypeOut], summary="纠纷类型")
def matter_types(request):
    return list(MatterType.objects.filter(active=True))


@router.get("/mediation", response={200: list[LedgerMediationOut], 403: ErrorOut}, summary="人民调解登记台账")
@paginate(Pagination)
def list_mediations(request, year: int | None = Query(None, ge=2000, le=2100), case_id: Id | None = None):
    qs = _qs(request.user)
    if year:
        qs = qs.filter(received_on__year=year)
    if case_id:
        qs = qs.filter(case_id=case_id)
    return qs


@router.get("/mediation/{int:mediation_id}", response={200: LedgerMediationDetailOut, 403: ErrorOut, 404: ErrorOut},
            summary="一件人民调解")  # fmt: skip
def get_mediation(request, mediation_id: Id):
    return get_visible(Mediation, request.user, mediation_id)


@router.post(
    "/mediation", response={201: LedgerMediationDetailOut, 409: ErrorOut, **ERRORS}, summary="登记人民调解"
)
def create_mediation(request, payload: LedgerMediationIn):
    d = payload.dict()
    return Status(201, services.record_mediation(request.user, **d))


@router.post("/mediation/{int:mediation_id}/conclude", response={200: LedgerMediationDetailOut, 409: ErrorOut,
             **ERRORS}, summary="登记调解结果（已登记的答 409）")  # fmt: skip
def conclude(request, mediation_id: Id, payload: LedgerConcludeIn):
    return services.conclude(request.user, mediation_id, **payload.dict())


@router.post("/mediation/{int:mediation_id}/followup", response={200: LedgerMediationDetailOut, 409: ErrorOut,
             **ERRORS}, summary="登记回访（已回访的答 409）")  # fmt: skip
def follow_up(request, mediation_id: Id, payload: LedgerFollowupIn):
    return services.follow_up(request.user, mediation_id, **payload.dict())
