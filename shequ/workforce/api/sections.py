"""街道内设机构: a street office's bodies with 编制 and 实有."""

from ninja import Field, Query, Router, Schema

from shequ.core import scope as scopes
from shequ.core.api import Day, ErrorOut
from shequ.core.errors import Forbidden, NotFound
from shequ.workforce import services
from shequ.workforce.models import VIEW

router = Router()
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class StreetSectionIn(Schema):
    street: str = Field(max_length=9, description="街道代码（9 位）")
    name: str = Field(min_length=1, max_length=60, description="机构名称；同一街道同名即修改")
    established: int = Field(ge=0, le=500, description="编制数")
    actual: int = Field(ge=0, le=500, description="实有人数")
    as_of: Day | None = Field(None, description="统计日期，默认今天")
    note: str = Field("", max_length=200)


class StreetSectionOut(Schema):
    id: int
    street: str
    name: str
    established: int
    actual: int
    vacancy: int = Field(description="空编：编制数 − 实有人数；负数为超编")
    as_of: Day
    note: str
    version: int

    @staticmethod
    def resolve_street(obj):
        return obj.org.code


class StreetSectionsOut(Schema):
    established: int
    actual: int
    vacancy: int
    sections: list[StreetSectionOut]


@router.get(
    "/sections", response={200: StreetSectionsOut, 403: ErrorOut, 404: ErrorOut}, summary="街道内设机构"
)
def list_sections(request, scope: str | None = Query(None, max_length=12)):
    user = request.user
    if not scopes.holds(user, VIEW):
        raise Forbidden()
    if scope and not scopes.covers(user, scope, VIEW):
        raise NotFound()
    report = services.sections_of(user, scope or None)
    rows = [s for street in report["streets"] for s in street["sections"]]
    return {**{k: report[k] for k in ("established", "actual", "vacancy")}, "sections": rows}


@router.put("/sections", response={200: StreetSectionOut, **ERRORS}, summary="登记街道内设机构编制与实有人数")
def put_section(request, payload: StreetSectionIn):
    return services.set_section(request.user, **payload.dict())
