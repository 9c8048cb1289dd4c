"""社区矫正公益活动: the people, sign-in (409 on a day already signed), grades (409 on a period graded)."""

from datetime import date
from decimal import Decimal

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core.api import Day, ErrorOut, Hours, Id, Pagination
from shequ.core.masking import mask
from shequ.core.services import get_visible
from shequ.ledgers import services
from shequ.ledgers.models import CorrectionSubject, LabourGrade, LabourSession

router = Router()
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class LedgerCorrectionOut(Schema):
    id: int
    community: str
    name: str = Field(description="姓名（脱敏）")
    start_date: date
    end_date: date | None
    monthly_hours: Decimal

    @staticmethod
    def resolve_community(obj):
        return obj.community.code

    @staticmethod
    def resolve_name(obj):
        return mask(obj.name, "name")


class LedgerCorrectionIn(Schema):
    resident: str = Field(max_length=18, description="居民 id，或完整身份证号")
    start_date: Day
    end_date: Day | None = None
    monthly_hours: Hours = Field(Decimal("8"))


class LedgerSessionOut(Schema):
    id: int
    on: date
    hours: Decimal
    task: str


class LedgerSessionIn(Schema):
    on: Day
    hours: Hours
    task: str = Field(max_length=100)


class LedgerGradeOut(Schema):
    id: int
    kind: str
    year: int
    period: int
    grade: str
    grade_label: str
    derived: bool

    @staticmethod
    def resolve_grade_label(obj):
        return str(obj.get_grade_display())


class LedgerGradeIn(Schema):
    kind: str = Field(max_length=10, description="month 月度 / quarter 季度")
    year: int = Field(ge=2000, le=2100)
    period: int = Field(ge=1, le=12)
    grade: str = Field(max_length=10, description="优秀、良好、一般、差")
    reason: str = Field("", max_length=500, description="季度等次与月度等次得出的不同时必填")


@router.get("/correction", response={200: list[LedgerCorrectionOut], 403: ErrorOut}, summary="社区矫正对象")
@paginate(Pagination)
def list_subjects(request):
    return CorrectionSubject.objects.visible_to(request.user).select_related("community")


@router.post(
    "/correction", response={201: LedgerCorrectionOut, 409: ErrorOut, **ERRORS}, summary="登记矫正对象"
)
def create_subject(request, payload: LedgerCorrectionIn):
    d = payload.dict()
    return Status(201, services.enrol(request.user, resident_id=d.pop("resident"), **d))


@router.get("/correction/{int:subject_id}/sessions", response={200: list[LedgerSessionOut], 403: ErrorOut,
            404: ErrorOut}, summary="签到记录")  # fmt: skip
def list_sessions(request, subject_id: Id):
    s = get_visible(CorrectionSubject, request.user, subject_id)
    return list(LabourSession.objects.visible_to(request.user).filter(subject=s))


@router.post("/correction/{int:subject_id}/sessions", response={201: LedgerSessionOut, 409: ErrorOut, **ERRORS},
             summary="签到（同一天已签到的答 409）")  # fmt: skip
def create_session(request, subject_id: Id, payload: LedgerSessionIn):
    return Status(201, services.sign_in(request.user, subject_id, **payload.dict()))


@router.get("/correction/{int:subject_id}/grades", response={200: list[LedgerGradeOut], 403: ErrorOut,
            404: ErrorOut}, summary="考核等次")  # fmt: skip
def list_grades(request, subject_id: Id):
    s = get_visible(CorrectionSubject, request.user, subject_id)
    return list(LabourGrade.objects.visible_to(request.user).filter(subject=s))


@router.post("/correction/{int:subject_id}/grades", response={201: LedgerGradeOut, 409: ErrorOut, **ERRORS},
             summary="评定月度或季度等次（已评定的答 409）")  # fmt: skip
def create_grade(request, subject_id: Id, payload: LedgerGradeIn):
    d = payload.dict()
    return Status(201, services.grade(request.user, subject_id, kind=d["kind"], year=d["year"], period=d["period"],
                                      value=d["grade"], reason=d["reason"]))  # fmt: skip
