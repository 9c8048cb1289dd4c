"""Bookings: the rooms one may book and their held times on a day, booking, approval,
cancellation, check-in with the door's code, and utilisation."""

import datetime as dt
from datetime import datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core.api import Day, ErrorOut, Id, Moment, Pagination, PublicPagination
from shequ.core.errors import NotFound
from shequ.core.services import get_visible
from shequ.facilities import services
from shequ.facilities.models import Booking, Facility

router = Router()
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class FacilityRoomOut(Schema):
    id: int
    name: str
    community: str
    community_name: str
    kind_name: str
    provider_name: str
    area: Decimal
    capacity: int | None
    opening_hours: dict[str, list[list[str]]]
    book_residents: bool
    book_teams: bool
    book_units: bool
    book_ahead_days: int
    price_per_hour: Decimal
    needs_approval: bool

    @staticmethod
    def resolve_community(obj):
        return obj.community.code

    @staticmethod
    def resolve_community_name(obj):
        return obj.community.display_name

    @staticmethod
    def resolve_kind_name(obj):
        return obj.kind.name

    @staticmethod
    def resolve_provider_name(obj):
        return obj.provider.name if obj.provider_id else ""


# The rooms open for booking are their own door (bookable_rooms: the user's community and scope),
# read by residents too: not the scoped ledger of premises, which Pagination would refuse them.
@router.get("/rooms", response={200: list[FacilityRoomOut]}, summary="可预约的场地")
@paginate(PublicPagination)
def list_rooms(request):
    return services.bookable_rooms(request.user).order_by("scope_code", "name")


class FacilityHeldOut(Schema):
    start: datetime
    end: datetime
    status: str


@router.get(
    "/rooms/{int:room_id}/held",
    response={200: list[FacilityHeldOut], 404: ErrorOut},
    summary="场地某天已被预约的时段",
)
def held_times(request, room_id: Id, day: Day | None = None):
    try:
        room = services.bookable_rooms(request.user).get(pk=room_id)
    except Facility.DoesNotExist:
        raise NotFound() from None
    return services.day_bookings(room, day or dt.date.today())


class FacilityBookingOut(Schema):
    id: int
    facility_id: int
    facility_name: str
    community: str
    booker_kind: str
    booker_label: str
    team_name: str
    unit_id: int | None
    purpose: str
    attendees: int
    start: datetime
    end: datetime
    hours: Decimal
    fee: Decimal
    status: str
    status_label: str
    decision_note: str
    checked_in_at: datetime | None
    mine: bool

    @staticmethod
    def resolve_facility_name(obj):
        return obj.facility.name

    @staticmethod
    def resolve_community(obj):
        return obj.scope_code

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_mine(obj, context):
        return obj.booker_id == context["request"].user.pk


class FacilityBookingIn(Schema):
    room_id: Id
    start: Moment = Field(description="开始时间（整点或半点），如 2026-03-11T14:00:00+08:00")
    end: Moment
    booker_kind: str = Field(
        "resident",
        max_length=20,
        description="居民个人（resident）、团队（team）、单位（unit，仅社区工作人员代为登记）",
    )
    team_name: str = Field("", max_length=60)
    unit_id: Id | None = None
    purpose: str = Field(max_length=100)
    attendees: int = Field(1, ge=1, le=100000)


class FacilityDecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=200, description="不同意时须写明原因")


class FacilityCancelIn(Schema):
    note: str = Field("", max_length=200, description="工作人员取消他人的预约时须填写")


class FacilityCheckInIn(Schema):
    token: str = Field(min_length=1, max_length=200, description="场地门口二维码中的签到码")


@router.get(
    "/bookings",
    response={200: list[FacilityBookingOut], 403: ErrorOut},
    summary="场地预约（工作人员：管辖范围内的；居民：本人的）",
)
@paginate(Pagination)
def list_bookings(request, status: str | None = Query(None, max_length=12)):
    qs = Booking.objects.visible_to(request.user).select_related("facility", "unit")
    return qs.filter(status=status) if status else qs


@router.get("/bookings/{int:booking_id}", response={200: FacilityBookingOut, 404: ErrorOut}, summary="预约")
def get_booking(request, booking_id: Id):
    return get_visible(Booking, request.user, booking_id)


@router.post("/bookings", response={201: FacilityBookingOut, **ERRORS}, summary="预约场地")
def create_booking(request, payload: FacilityBookingIn):
    d = payload.dict()
    return Status(201, services.book(request.user, d.pop("room_id"), unit=d.pop("unit_id"), **d))


@router.post(
    "/bookings/{int:booking_id}/decision", response={200: FacilityBookingOut, **ERRORS}, summary="审批预约"
)
def decide_booking(request, booking_id: Id, payload: FacilityDecisionIn):
    return services.decide(request.user, booking_id, approve=payload.approve, note=payload.note)


@router.post(
    "/bookings/{int:booking_id}/cancel", response={200: FacilityBookingOut, **ERRORS}, summary="取消预约"
)
def cancel_booking(request, booking_id: Id, payload: FacilityCancelIn):
    return services.cancel(request.user, booking_id, note=payload.note)


@router.post("/check-in", response={200: FacilityBookingOut, **ERRORS}, summary="扫码签到")
def check_in(request, payload: FacilityCheckInIn):
    return services.check_in(request.user, payload.token)


class FacilityUseRowOut(Schema):
    id: int
    name: str
    code: str
    community: str
    provider: str
    open_hours: Decimal
    booked_hours: Decimal
    attended_hours: Decimal
    bookings: int
    booked_rate: Decimal | None
    attended_rate: Decimal | None


class FacilityUseOut(Schema):
    scope: str
    start: dt.date
    end: dt.date
    rooms: int
    open_hours: Decimal
    booked_hours: Decimal
    attended_hours: Decimal
    booked_rate: Decimal | None = Field(description="预约率（%）：已确认预约时长 ÷ 开放时长")
    attended_rate: Decimal | None = Field(description="实际使用率（%）：签到的预约时长 ÷ 开放时长")
    rows: list[FacilityUseRowOut]


@router.get(
    "/utilisation",
    response={200: FacilityUseOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="场地使用率",
)
def get_utilisation(request, start: Day = Query(..., alias="from"), end: Day = Query(..., alias="to"),
                    scope: str | None = Query(None, max_length=15)):  # fmt: skip
    return services.utilisation(request.user, scope, start, end)
