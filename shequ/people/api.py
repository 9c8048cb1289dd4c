"""/api/v1/people/: residents, households, houses, tags, visits, population structure and transfers.

Document numbers and phones are masked in every answer; the full value needs
POST /api/v1/core/reveal with {"model": "people.resident", "id": …, "field": "doc_number" | "phone",
"reason": …}. A tag appears only to the roles that may see it (shequ.people.tags.can_see)."""

import datetime as dt
import json
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Cast, Coalesce, Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core import registry, scope
from shequ.core.api import Day, ErrorOut, Id, Moment, Pagination, PhotoIn, Version, decode_photos
from shequ.core.errors import NotFound, ValidationFailed
from shequ.core.masking import mask
from shequ.core.models import Attachment
from shequ.core.roles import roles_with
from shequ.core.services import get_visible, require
from shequ.org.models import House, HouseUse, OrgUnit, short_name
from shequ.people import dashboard, services
from shequ.people.choices import PARTY, EventKind, ResidenceType
from shequ.people.choices import Status as PersonStatus
from shequ.people.filters import search_q, tag_q
from shequ.people.models import (
    Household,
    PopulationEvent,
    Resident,
    ResidentTag,
    TagDefinition,
    TagRule,
    Transfer,
    TransferStatus,
    Visit,
    years_ago,
)
from shequ.people.tags import can_see, detail_text, visible_tags

router = Router(tags=["people"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
VIEW = "people.view_resident"
MAX_PHOTOS = 9


# --- scope helpers ------------------------------------------------------------------------------
def _roots(user, perm=VIEW):
    return scope.scope_codes(user, roles_with(perm))


def _touches_scope(user, code: str, perm=VIEW) -> bool:
    """Is `code` inside the user's scope, or the user's scope inside it (a grid worker and their
    community)? Anything else is outside: answered as not found, never as forbidden."""
    roots = _roots(user, perm)
    if roots is None:
        return True
    return any(code.startswith(r) or r.startswith(code) for r in roots)


def _community_code(user, code: str, perm="people.manage_resident") -> str:
    code = (code or "").strip()
    if not code or not _touches_scope(user, code, perm):
        raise NotFound(_("未找到该社区，或它不在您的管辖范围内。"))
    return code


def _houses(user):
    """Houses where the user keeps the registry (department staff see none here)."""
    return House.objects.visible_to(user).filter(scope.prefix_q("scope_code", _roots(user)))


def _user_of(context):
    return context["request"].user


# --- tags ---------------------------------------------------------------------------------------
def _derived_applies(tag, resident) -> bool:
    if tag.rule == TagRule.AGE60:
        return bool(resident.birth_date and resident.birth_date <= years_ago(60))
    if tag.rule == TagRule.AGE80:
        return bool(resident.birth_date and resident.birth_date <= years_ago(80))
    if tag.rule == TagRule.PARTY:
        return resident.political_status in PARTY
    return False


def _current_tag_rows(resident) -> list:
    rows = getattr(resident, "current_tags", None)
    if rows is None:
        rows = list(ResidentTag.objects.filter(resident=resident).current())
    return rows


def tag_names(user, resident) -> list[str]:
    """Names of the person's tags that this user may see (derived ones computed from the record)."""
    keys = {r.tag_key for r in _current_tag_rows(resident)}
    out = []
    for t in visible_tags(user):
        if (t.derived and _derived_applies(t, resident)) or (not t.derived and t.key in keys):
            out.append(t.name)
    return out


def tag_details(user, resident) -> list[dict]:
    rows = {r.tag_key: r for r in ResidentTag.objects.filter(resident=resident).current()}
    out = []
    for t in visible_tags(user):
        if t.derived:
            if _derived_applies(t, resident):
                out.append(_tag_row(t, None))
        elif t.key in rows:
            out.append(_tag_row(t, rows[t.key]))
    return out


def _tag_row(tag, row) -> dict:
    detail = {}
    if row is not None and row.detail:
        try:
            detail = json.loads(row.detail)
        except ValueError:
            detail = {}
    return {
        "code": tag.code,
        "name": tag.name,
        "sensitivity": tag.sensitivity,
        "derived": tag.derived,
        "detail": detail,
        "detail_text": detail_text(tag, detail),
        "start_date": row.start_date if row else None,
        "end_date": row.end_date if row else None,
        "note": row.note if row else "",
    }


def _visible_tag(user, code: str) -> TagDefinition:
    tag = TagDefinition.objects.filter(code=code, active=True).first()
    if tag is None or not can_see(user, tag):
        raise ValidationFailed(
            _("未找到该标签。"), code="invalid_filter", details={"tag": [_("未找到该标签。")]}
        )
    return tag


# --- residents ----------------------------------------------------------------------------------
class ResidentOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: dt.date | None
    age: int | None
    doc_type: str
    doc_number_masked: str
    phone_masked: str
    community_code: str = Field(..., alias="community.code")
    community_name: str = Field(..., alias="community.display_name")
    house_id: int | None
    house_address: str
    household_id: int | None
    relationship: str
    residence_type: str
    status: str
    status_label: str = Field(..., alias="get_status_display")
    visit_interval_days: int | None
    last_visit_on: dt.date | None
    next_visit_due: dt.date | None
    tags: list[str]
    version: int

    @staticmethod
    def resolve_doc_number_masked(obj):
        return mask(obj.doc_number, "id_number")

    @staticmethod
    def resolve_phone_masked(obj):
        return mask(obj.phone, "phone")

    @staticmethod
    def resolve_house_address(obj):
        return obj.house.address if obj.house_id else ""

    @staticmethod
    def resolve_tags(obj, context):
        return tag_names(_user_of(context), obj)


class TagOnResidentOut(Schema):
    code: str
    name: str
    sensitivity: str
    derived: bool
    detail: dict
    detail_text: str
    start_date: dt.date | None
    end_date: dt.date | None
    note: str


class HouseholdBrief(Schema):
    id: int
    number: str
    household_type: str
    tenure: str
    head_id: int | None
    head_name: str


class VisitOut(Schema):
    id: int
    resident_id: int
    visited_at: dt.datetime
    visitor_name: str
    method: str
    method_label: str = Field(..., alias="get_method_display")
    findings: str
    follow_up: bool
    follow_up_note: str
    follow_up_ref: str
    photo_count: int = 0


class PopulationEventOut(Schema):
    id: int
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    date: dt.date
    detail: dict
    note: str
    actor: str
    batch: str

    @staticmethod
    def resolve_actor(obj):
        return str(obj.actor) if obj.actor_id else ""


class ResidentDetailOut(ResidentOut):
    """Read from a Resident prepared by _detail()."""

    ethnicity: str
    education: str
    political_status: str
    marital_status: str
    registered_address: str
    move_in_date: dt.date | None
    employment: str
    work_unit: str
    remarks: str
    household: HouseholdBrief | None
    tag_details: list[TagOnResidentOut]
    visits: list[VisitOut]
    events: list[PopulationEventOut]

    @staticmethod
    def resolve_household(obj):
        hh = obj.household
        if hh is None:
            return None
        return {
            "id": hh.pk,
            "number": hh.number,
            "household_type": hh.household_type,
            "tenure": hh.tenure,
            "head_id": hh.head_id,
            "head_name": hh.head.name if hh.head_id else "",
        }

    @staticmethod
    def resolve_visits(obj):
        return obj.visits_list

    @staticmethod
    def resolve_events(obj):
        return obj.events_list


class ResidentQuery(Schema):
    community: str | None = Field(None, description="社区代码")
    grid: Id | None = Field(None, description="网格 id")
    building: Id | None = Field(None, description="楼栋 id")
    tag: str | None = Field(None, description="标签代码")
    residence_type: str | None = None
    status: str | None = None
    age_min: int | None = Field(None, ge=0, le=150)
    age_max: int | None = Field(None, ge=0, le=150)
    q: str | None = Field(None, max_length=50, description="姓名片段、完整证件号码或完整电话号码")


def _resident_qs(user):
    return (
        Resident.objects.visible_to(user)
        .select_related("community", "house")
        .prefetch_related(
            Prefetch(
                "tags",
                queryset=ResidentTag.objects.current().only("id", "resident_id", "tag_key"),
                to_attr="current_tags",
            )
        )
    )


def _bad_filter(field: str, msg: str):
    return ValidationFailed(msg, code="invalid_filter", details={field: [msg]})


def _filter_residents(qs, user, p: ResidentQuery):
    if p.community:
        qs = qs.filter(community__code=p.community)
    if p.grid:
        qs = qs.filter(house__unit__building__grid_id=p.grid)
    if p.building:
        qs = qs.filter(house__unit__building_id=p.building)
    if p.residence_type:
        if p.residence_type not in ResidenceType.values:
            raise _bad_filter("residence_type", _("居住类型不正确。"))
        qs = qs.filter(residence_type=p.residence_type)
    if p.status:
        if p.status not in PersonStatus.values:
            raise _bad_filter("status", _("人员状态不正确。"))
        qs = qs.filter(status=p.status)
    if p.age_min is not None:
        qs = qs.filter(birth_date__lte=years_ago(p.age_min))
    if p.age_max is not None:
        qs = qs.filter(birth_date__gt=years_ago(p.age_max + 1))
    if p.tag:
        tag = _visible_tag(user, p.tag)
        qs = qs.filter(tag_q(tag))  # derived tags by rule, recorded ones by keyed hash
    if p.q:
        qs = qs.filter(search_q(p.q))  # the list page's search: name fragment, or a number by index
    return qs


@router.get("/residents", response=list[ResidentOut], summary="居民列表（证件号码、电话已脱敏）")
@paginate(Pagination)
def list_residents(request, params: ResidentQuery = Query(...)):
    return _filter_residents(_resident_qs(request.user), request.user, params)


def _visits(resident):
    ct = ContentType.objects.get_for_model(Visit)
    photos = (
        Attachment.objects.filter(owner_type=ct, owner_id=Cast(OuterRef("pk"), output_field=CharField()))
        .values("owner_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Visit.objects.filter(resident=resident).annotate(photo_count=Coalesce(Subquery(photos), 0))


def _detail(user, pk) -> Resident:
    r = get_visible(Resident, user, pk)
    r.tag_details = tag_details(user, r)
    r.visits_list = list(_visits(r)[:10])
    r.events_list = list(PopulationEvent.objects.filter(resident=r).select_related("actor")[:100])
    return r


@router.get(
    "/residents/{int:resident_id}",
    response={200: ResidentDetailOut, 404: ErrorOut},
    summary="居民详情：户、房屋、标签、最近走访、人口变动",
)
def get_resident(request, resident_id: Id):
    return _detail(request.user, resident_id)


class ResidentIn(Schema):
    community_code: str = Field(..., max_length=12)
    name: str = Field(..., min_length=1, max_length=50)
    doc_type: str = "id_card"
    doc_number: str = Field(..., max_length=30)
    gender: str | None = None
    birth_date: Day | None = None
    ethnicity: str = ""
    education: str = ""
    political_status: str = ""
    marital_status: str = ""
    phone: str = Field("", max_length=20)
    registered_address: str = Field("", max_length=200)
    residence_type: str = "registered"
    move_in_date: Day | None = None
    employment: str = ""
    work_unit: str = Field("", max_length=100)
    remarks: str = Field("", max_length=2000)
    house_id: Id | None = None
    household_id: Id | None = None
    relationship: str = ""
    kind: str = Field("register", description="register 建档 | move_in 迁入 | birth 出生")
    event_date: Day | None = None
    note: str = Field("", max_length=300)


REGISTER_KINDS = {EventKind.REGISTER, EventKind.MOVE_IN, EventKind.BIRTH}


@router.post("/residents", response={201: ResidentOut, **ERRORS}, summary="登记居民（建档、迁入或出生）")
def create_resident(request, payload: ResidentIn):
    user = request.user
    data = payload.dict()
    code = _community_code(user, data.pop("community_code"))
    kind = data.pop("kind")
    if kind not in REGISTER_KINDS:
        raise ValidationFailed(
            _("登记方式只能是建档、迁入或出生。"), details={"kind": [_("不支持的登记方式。")]}
        )
    event_date, note = data.pop("event_date"), data.pop("note")
    household_id = data.pop("household_id")
    if household_id:
        hh = Household.objects.visible_to(user).filter(pk=household_id).first()
        if hh is None:
            raise NotFound(_("未找到该户。"))
        data["household"] = hh
    if not data.get("gender"):
        data.pop("gender")
    r = services.register_resident(
        user, data, community_code=code, kind=kind, event_date=event_date, note=note
    )
    return Status(201, _resident_qs(user).get(pk=r.pk))


class ResidentPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=50)
    doc_type: str | None = None
    doc_number: str | None = Field(None, max_length=30)
    gender: str | None = None
    birth_date: Day | None = None
    ethnicity: str | None = None
    education: str | None = None
    political_status: str | None = None
    marital_status: str | None = None
    phone: str | None = Field(None, max_length=20)
    registered_address: str | None = Field(None, max_length=200)
    move_in_date: Day | None = None
    employment: str | None = None
    work_unit: str | None = Field(None, max_length=100)
    remarks: str | None = Field(None, max_length=2000)
    # Accepted only to explain that they change through a population event.
    status: str | None = None
    house_id: Id | None = None
    household_id: Id | None = None
    relationship: str | None = None
    residence_type: str | None = None
    version: Version | None = None
    note: str = Field("", max_length=300)


@router.patch(
    "/residents/{int:resident_id}",
    response={200: ResidentOut, **ERRORS},
    summary="修改居民基本信息（住址、状态等须登记人口变动）",
)
def patch_resident(request, resident_id: Id, payload: ResidentPatch):
    data = payload.dict(exclude_none=True)
    version = data.pop("version", None)
    note = data.pop("note", "")
    services.update_resident(request.user, resident_id, data, expected_version=version, note=note)
    return _resident_qs(request.user).get(pk=resident_id)


class EventIn(Schema):
    kind: str = Field(
        ..., description="move_in | move_out | death | household_change | separation_change | …"
    )
    date: Day | None = None
    note: str = Field("", max_length=300)
    house_id: Id | None = None
    household_id: Id | None = None
    relationship: str = ""
    residence_type: str = ""
    version: Version | None = None


@router.post(
    "/residents/{int:resident_id}/events",
    response={200: ResidentOut, **ERRORS},
    summary="登记人口变动（迁入、迁出、死亡、户内变更、人户分离变化、失联、恢复联系）",
)
def create_event(request, resident_id: Id, payload: EventIn):
    d = payload.dict()
    kind = d.pop("kind")
    services.record_event(
        request.user,
        resident_id,
        kind,
        date=d["date"],
        note=d["note"],
        house_id=d["house_id"],
        household_id=d["household_id"],
        relationship=d["relationship"],
        residence_type=d["residence_type"],
        expected_version=d["version"],
    )
    return _resident_qs(request.user).get(pk=resident_id)


class TagIn(Schema):
    code: str = Field(..., max_length=40)
    detail: dict[str, str] = {}
    start_date: Day | None = None
    note: str = Field("", max_length=300)


@router.post(
    "/residents/{int:resident_id}/tags",
    response={200: TagOnResidentOut, **ERRORS},
    summary="登记人群标签（或更新其附加信息）",
)
def set_tag(request, resident_id: Id, payload: TagIn):
    row = services.set_tag(
        request.user,
        resident_id,
        payload.code,
        detail=payload.detail,
        start_date=payload.start_date,
        note=payload.note,
    )
    tag = TagDefinition.objects.get(code=payload.code)
    return _tag_row(tag, ResidentTag.objects.get(pk=row.pk))


@router.delete(
    "/residents/{int:resident_id}/tags/{code}",
    response={204: None, **ERRORS},
    summary="取消人群标签",
)
def end_tag(request, resident_id: Id, code: str, end_date: Day | None = None, note: str = ""):
    services.end_tag(request.user, resident_id, code, end_date=end_date, note=note[:300])
    return Status(204, None)


@router.get(
    "/residents/{int:resident_id}/visits",
    response={200: list[VisitOut], 404: ErrorOut},
    summary="走访记录",
)
@paginate(Pagination)
def list_visits(request, resident_id: Id):
    return _visits(get_visible(Resident, request.user, resident_id))


class VisitIn(Schema):
    method: str = "home"
    findings: str = Field("", max_length=5000)
    visited_at: Moment | None = None
    follow_up: bool = False
    follow_up_note: str = Field("", max_length=200)
    photos: list[PhotoIn] = Field([], max_length=MAX_PHOTOS)


@router.post(
    "/residents/{int:resident_id}/visits",
    response={201: VisitOut, **ERRORS},
    summary="登记走访（照片可用 base64 随附）",
)
def create_visit(request, resident_id: Id, payload: VisitIn):
    if payload.visited_at is not None and timezone.is_naive(payload.visited_at):
        payload.visited_at = timezone.make_aware(payload.visited_at)
    visit = services.record_visit(
        request.user,
        resident_id,
        method=payload.method,
        findings=payload.findings,
        visited_at=payload.visited_at,
        follow_up=payload.follow_up,
        follow_up_note=payload.follow_up_note,
        photos=decode_photos(payload.photos),
    )
    return Status(201, _visits(visit.resident).get(pk=visit.pk))


class DueOut(ResidentOut):
    overdue_days: int | None = Field(None, alias="visit_overdue_days")


class DueQuery(Schema):
    community: str | None = None
    grid: Id | None = None
    overdue: bool | None = Field(None, description="只看已逾期的")
    within_days: int | None = Field(None, ge=0, le=366, description="只看这么多天内到期的（含已逾期）")


@router.get("/visits/due", response=list[DueOut], summary="应走访居民（逾期最久的在前）")
@paginate(Pagination)
def visits_due(request, params: DueQuery = Query(...)):
    qs = _resident_qs(request.user).filter(next_visit_due__isnull=False)
    today = timezone.localdate()
    if params.community:
        qs = qs.filter(community__code=params.community)
    if params.grid:
        qs = qs.filter(house__unit__building__grid_id=params.grid)
    if params.overdue:
        qs = qs.filter(next_visit_due__lt=today)
    if params.within_days is not None:
        qs = qs.filter(next_visit_due__lte=today + dt.timedelta(days=params.within_days))
    return qs.order_by("next_visit_due", "id")


# --- households ---------------------------------------------------------------------------------
class HouseholdOut(Schema):
    id: int
    community_code: str = Field(..., alias="community.code")
    house_id: int
    house_address: str = Field(..., alias="house.address")
    number: str
    household_type: str
    tenure: str
    head_id: int | None
    head_name: str
    member_count: int
    lease_start: dt.date | None
    lease_end: dt.date | None
    landlord_name: str
    remarks: str
    version: int

    @staticmethod
    def resolve_head_name(obj):
        return obj.head.name if obj.head_id else ""


class HouseholdMemberOut(Schema):
    id: int
    name: str
    relationship: str
    relationship_label: str = Field(..., alias="get_relationship_display")
    gender: str
    age: int | None
    doc_number_masked: str
    phone_masked: str
    status: str

    @staticmethod
    def resolve_doc_number_masked(obj):
        return mask(obj.doc_number, "id_number")

    @staticmethod
    def resolve_phone_masked(obj):
        return mask(obj.phone, "phone")


class HouseholdDetailOut(HouseholdOut):
    members: list[HouseholdMemberOut]

    @staticmethod
    def resolve_members(obj):
        return obj.members_list


class HouseholdQuery(Schema):
    community: str | None = None
    house: Id | None = None
    q: str | None = Field(None, max_length=50, description="户主姓名或地址片段")


def _household_qs(user):
    return (
        Household.objects.visible_to(user)
        .select_related("community", "house", "head")
        .annotate(member_count=Count("members"))
    )


@router.get("/households", response=list[HouseholdOut], summary="户列表")
@paginate(Pagination)
def list_households(request, params: HouseholdQuery = Query(...)):
    qs = _household_qs(request.user)
    if params.community:
        qs = qs.filter(community__code=params.community)
    if params.house:
        qs = qs.filter(house_id=params.house)
    if params.q:
        qs = qs.filter(Q(head__name__icontains=params.q) | Q(house__address__icontains=params.q))
    return qs


@router.get(
    "/households/{int:household_id}", response={200: HouseholdDetailOut, 404: ErrorOut}, summary="户详情"
)
def get_household(request, household_id: Id):
    hh = _household_qs(request.user).filter(pk=household_id).first()
    if hh is None:
        raise Http404()
    hh.members_list = list(Resident.objects.visible_to(request.user).filter(household=hh))
    return hh


class HouseholdIn(Schema):
    house_id: Id
    head_id: Id | None = None
    number: str = Field("", max_length=30)
    household_type: str = "family"
    tenure: str = "owned"
    lease_start: Day | None = None
    lease_end: Day | None = None
    landlord_name: str = Field("", max_length=50)
    remarks: str = Field("", max_length=2000)


@router.post("/households", response={201: HouseholdOut, **ERRORS}, summary="立户（可同时指定户主）")
def create_household(request, payload: HouseholdIn):
    d = payload.dict()
    hh = services.create_household(request.user, house_id=d.pop("house_id"), head_id=d.pop("head_id"), **d)
    return Status(201, _household_qs(request.user).get(pk=hh.pk))


# --- houses -------------------------------------------------------------------------------------
class PeopleHouseOut(Schema):
    id: int
    unit_id: int
    building_id: int = Field(..., alias="unit.building_id")
    grid_id: int = Field(..., alias="unit.building.grid_id")
    number: str
    floor: int | None
    area_m2: Decimal | None
    address: str
    use: str
    use_label: str = Field(..., alias="get_use_display")
    owner_name: str
    resident_count: int
    household_count: int
    version: int


class HouseResidentOut(HouseholdMemberOut):
    household_id: int | None


class HouseDetailOut(PeopleHouseOut):
    households: list[HouseholdOut]
    residents: list[HouseResidentOut]

    @staticmethod
    def resolve_households(obj):
        return obj.households_list

    @staticmethod
    def resolve_residents(obj):
        return obj.residents_list


class HouseQuery(Schema):
    community: str | None = None
    grid: Id | None = None
    building: Id | None = None
    unit: Id | None = None
    use: str | None = None
    q: str | None = Field(None, max_length=100, description="地址片段")


def _house_qs(user):
    active = Q(residents__status=PersonStatus.ACTIVE)
    return (
        _houses(user)
        .select_related("unit__building")
        .annotate(
            resident_count=Count("residents", filter=active, distinct=True),
            household_count=Count("households", distinct=True),
        )
    )


@router.get("/houses", response=list[PeopleHouseOut], summary="房屋（用途、产权人、在册人数）")
@paginate(Pagination)
def list_houses(request, params: HouseQuery = Query(...)):
    qs = _house_qs(request.user)
    if params.community:
        qs = qs.within(params.community)
    if params.grid:
        qs = qs.filter(unit__building__grid_id=params.grid)
    if params.building:
        qs = qs.filter(unit__building_id=params.building)
    if params.unit:
        qs = qs.filter(unit_id=params.unit)
    if params.use:
        if params.use not in HouseUse.values:
            raise _bad_filter("use", _("房屋用途不正确。"))
        qs = qs.filter(use=params.use)
    if params.q:
        qs = qs.filter(address__icontains=params.q)
    return qs


def _house_detail(user, pk):
    h = _house_qs(user).filter(pk=pk).first()
    if h is None:
        raise Http404()
    h.households_list = list(_household_qs(user).filter(house=h))
    h.residents_list = list(Resident.objects.visible_to(user).filter(house=h).order_by("household_id", "id"))
    return h


@router.get(
    "/houses/{int:house_id}", response={200: HouseDetailOut, 404: ErrorOut}, summary="房屋详情：户与居民"
)
def get_house(request, house_id: Id):
    return _house_detail(request.user, house_id)


class HousePatch(Schema):
    use: str
    owner_name: str | None = Field(None, max_length=50)
    version: Version | None = None


@router.patch(
    "/houses/{int:house_id}", response={200: PeopleHouseOut, **ERRORS}, summary="修改房屋用途与产权人"
)
def patch_house(request, house_id: Id, payload: HousePatch):
    current = _houses(request.user).filter(pk=house_id).first()
    if current is None:
        raise Http404()
    owner = payload.owner_name if payload.owner_name is not None else current.owner_name
    services.set_house_use(
        request.user, house_id, use=payload.use, owner_name=owner, expected_version=payload.version
    )
    return _house_qs(request.user).get(pk=house_id)


# --- tag definitions and structure --------------------------------------------------------------
class TagDefOut(Schema):
    code: str
    name: str
    sensitivity: str
    sensitivity_label: str = Field(..., alias="get_sensitivity_display")
    derived: bool
    visit_interval_days: int | None
    detail_fields: list


@router.get("/tags", response=list[TagDefOut], summary="本人可见的人群标签")
def list_tags(request):
    return visible_tags(request.user)


class StructureOut(Schema):
    total: int
    age_labels: list[str]
    male: list[int]
    female: list[int]
    residence: list[dict]
    tags: list[dict]
    elderly: int
    elderly_ratio: float


@router.get("/structure", response={200: StructureOut, 403: ErrorOut, 404: ErrorOut}, summary="人口结构")
def structure(request, code: str | None = None):
    require(request.user, VIEW)
    if code:
        roots = _roots(request.user)
        inside = roots is None or any(code.startswith(r) for r in roots)
        if not inside or registry.resolve_node(code) is None:
            raise Http404()
    return dashboard.structure(request.user, code or None)


# --- transfers ----------------------------------------------------------------------------------
class TransferOut(Schema):
    id: int
    resident_id: int
    resident_name: str
    doc_number_masked: str
    from_code: str
    from_community: str
    to_community_code: str = Field(..., alias="to_community.code")
    to_community_name: str = Field(..., alias="to_community.display_name")
    to_house_id: int | None
    to_house_address: str
    status: str
    status_label: str = Field(..., alias="get_status_display")
    reason: str
    requested_by: str
    requested_at: dt.datetime
    decided_by: str
    decided_at: dt.datetime | None
    decision_note: str
    can_decide: bool

    @staticmethod
    def resolve_resident_name(obj):
        # The receiving side knows the document number it asked with, not the record behind it.
        name = obj.resident.name
        return name if getattr(obj, "resident_visible", False) else mask(name, "name")

    @staticmethod
    def resolve_doc_number_masked(obj):
        return mask(obj.resident.doc_number, "id_number")

    @staticmethod
    def resolve_from_community(obj):
        return short_name(obj.from_unit_name or "")

    @staticmethod
    def resolve_to_house_address(obj):
        return obj.to_house.address if obj.to_house_id else ""

    @staticmethod
    def resolve_requested_by(obj):
        return str(obj.requested_by) if obj.requested_by_id else ""

    @staticmethod
    def resolve_decided_by(obj):
        return str(obj.decided_by) if obj.decided_by_id else ""

    @staticmethod
    def resolve_can_decide(obj, context):
        return obj.status == TransferStatus.PENDING and scope.covers(
            _user_of(context), obj.from_code, "people.manage_resident"
        )


class TransferQuery(Schema):
    status: str | None = None
    direction: str | None = Field(None, description="in 迁入本辖区 | out 迁出本辖区")


def _transfer_qs(user):
    return (
        Transfer.objects.visible_to(user)
        .select_related("resident", "to_community", "to_house", "requested_by", "decided_by")
        .annotate(
            resident_visible=Exists(Resident.objects.visible_to(user).filter(pk=OuterRef("resident_id"))),
            from_unit_name=Subquery(
                OrgUnit.objects.filter(code=Substr(OuterRef("from_code"), 1, 12)).values("name")[:1]
            ),
        )
    )


@router.get("/transfers", response=list[TransferOut], summary="迁移申请（迁入与迁出）")
@paginate(Pagination)
def list_transfers(request, params: TransferQuery = Query(...)):
    qs = _transfer_qs(request.user)
    if params.status:
        if params.status not in TransferStatus.values:
            raise _bad_filter("status", _("状态不正确。"))
        qs = qs.filter(status=params.status)
    if params.direction:
        if params.direction not in ("in", "out"):
            raise _bad_filter("direction", _("方向只能是 in 或 out。"))
        field = "to_code" if params.direction == "in" else "from_code"
        qs = qs.filter(scope.prefix_q(field, _roots(request.user)))
    return qs


class TransferIn(Schema):
    doc_number: str = Field(..., max_length=30)
    to_community_code: str = Field(..., max_length=12)
    to_house_id: Id | None = None
    reason: str = Field("", max_length=200)


@router.post(
    "/transfers",
    response={201: TransferOut, **ERRORS},
    summary="发起迁入申请（该居民已在其他社区在册）",
)
def create_transfer(request, payload: TransferIn):
    code = _community_code(request.user, payload.to_community_code)
    t = services.request_transfer(
        request.user,
        doc_number=payload.doc_number,
        to_community_code=code,
        to_house_id=payload.to_house_id,
        reason=payload.reason,
    )
    return Status(201, _transfer_qs(request.user).get(pk=t.pk))


class DecisionIn(Schema):
    accept: bool
    note: str = Field("", max_length=200)


@router.post(
    "/transfers/{int:transfer_id}/decision",
    response={200: TransferOut, **ERRORS},
    summary="迁出社区确认或拒绝迁移申请",
)
def decide_transfer(request, transfer_id: Id, payload: DecisionIn):
    t = services.decide_transfer(request.user, transfer_id, accept=payload.accept, note=payload.note)
    return _transfer_qs(request.user).get(pk=t.pk)
