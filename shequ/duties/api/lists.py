"""/api/v1/duties/ lists and items: the published versions and the items in force for any org
code (anonymous reads allowed: the lists are public), and the management of draft versions
(create, add/change/delete items, publish) for holders of duties.manage_lists. A draft is
answered only to those who manage it; anything else is "not found"."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core import scope
from shequ.core.api import PUBLIC, Day, ErrorOut, Hours, Id, PublicPagination, Version, Yuan
from shequ.core.errors import NotFound
from shequ.duties import services
from shequ.duties.models import DutyItem, DutyList, Frequency, Kind, ListStatus, SetBy
from shequ.duties.views.lists import KIND_COUNTS
from shequ.org.models import OrgUnit

router = Router(tags=["duties"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
MANAGE = "duties.manage_lists"


# --- schemas ---------------------------------------------------------------------------------------
class ItemOut(Schema):
    id: int
    list_id: int = Field(..., alias="duty_list_id")
    code: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    title: str
    basis: str
    department: str
    set_by: str
    frequency: str
    frequency_label: str = Field(..., alias="get_frequency_display")
    hours_per_month: Decimal
    ledgers: str
    forms: str
    funding_required: bool
    funding_standard: Decimal | None
    redirect: str
    keywords: str
    position: int
    version: int


class ListOut(Schema):
    id: int
    org_code: str = Field(..., alias="org.code")
    org_name: str = Field(..., alias="org.name")
    title: str
    number: int
    status: str
    status_label: str = Field(..., alias="get_status_display")
    basis: str
    notes: str
    effective_from: dt.date
    effective_to: dt.date | None
    published_at: dt.datetime | None
    in_force: bool
    item_counts: dict[str, int]
    version: int

    @staticmethod
    def resolve_in_force(obj):
        return obj.in_force()

    @staticmethod
    def resolve_item_counts(obj):
        if hasattr(obj, f"n_{Kind.STATUTORY}"):  # annotated by the list query
            counts = {k: getattr(obj, f"n_{k}") for k in Kind.values}
        else:
            counts = dict(obj.items.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
        return {k: counts.get(k, 0) for k in Kind.values}


class ListDetailOut(ListOut):
    items: list[ItemOut]

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.order_by("kind", "position", "code"))


class ListIn(Schema):
    org: str = Field(..., max_length=12, description="区或街道的区划代码")
    title: str = Field(..., min_length=1, max_length=120)
    effective_from: Day
    basis: str = Field("", max_length=300)
    notes: str = Field("", max_length=4000)
    copy_from: Id | None = Field(None, description="在本单位哪一版的基础上修订（默认现行版本）")


class ItemIn(Schema):
    code: str = Field(..., min_length=1, max_length=20)
    kind: Kind
    title: str = Field(..., min_length=1, max_length=200)
    basis: str = Field("", max_length=400)
    department: str = Field("", max_length=100)
    set_by: SetBy = SetBy.DISTRICT
    frequency: Frequency = Frequency.ONGOING
    hours_per_month: Hours = Decimal("0")
    ledgers: str = Field("", max_length=300)
    forms: str = Field("", max_length=300)
    funding_required: bool = False
    funding_standard: Yuan | None = None
    redirect: str = Field("", max_length=200)
    keywords: str = Field("", max_length=300)
    position: int = Field(0, ge=0, le=100_000)


class PublishIn(Schema):
    expected_version: Version | None = None


class ListFilter(Schema):
    code: str | None = Field(None, max_length=12, description="区划代码：只返回今天对它有效的清单")


class ItemFilter(Schema):
    code: str = Field(..., max_length=12, description="区划代码（社区、街道或区）")
    kind: Kind | None = None
    day: Day | None = Field(None, description="哪一天有效（默认今天）")


# --- reads -----------------------------------------------------------------------------------------
def _user(request):
    user = request.user
    return user if user.is_authenticated else None


def _managed_drafts(user):
    """Drafts the user may manage (visible and inside the scope where they hold the permission)."""
    if user is None:
        return DutyList.objects.none()
    roots = scope.scope_codes(user, _manage_roles())
    qs = DutyList.objects.visible_to(user).filter(status=ListStatus.DRAFT)
    return qs if roots is None else qs.filter(scope.prefix_q("scope_code", roots))


def _manage_roles():
    from shequ.core.roles import roles_with

    return roles_with(MANAGE)


def _readable(request, list_id) -> DutyList:
    user = _user(request)
    qs = DutyList.objects.exclude(status=ListStatus.DRAFT).filter(pk=list_id)
    dl = (
        qs.select_related("org").first()
        or _managed_drafts(user).select_related("org").filter(pk=list_id).first()
    )
    if dl is None:
        raise NotFound()
    return dl


def _with_counts(qs):
    return qs.select_related("org").annotate(**KIND_COUNTS)


@router.get("/lists", response=list[ListOut], auth=PUBLIC, summary="事项清单：现行或全部已发布版本")
@paginate(PublicPagination)
def list_lists(request, filters: Query[ListFilter]):
    if filters.code:
        qs = services.lists_in_force(filters.code.strip())
    else:
        published = Q(status__in=(ListStatus.PUBLISHED, ListStatus.SUPERSEDED))
        drafts = _managed_drafts(_user(request)).values("pk")
        qs = DutyList.objects.filter(published | Q(pk__in=drafts))
    return _with_counts(qs).order_by("org__code", "-number")  # paged in SQL


@router.get(
    "/lists/{int:list_id}",
    response={200: ListDetailOut, 404: ErrorOut},
    auth=PUBLIC,
    summary="一个版本及其事项",
)
def get_list(request, list_id: Id):
    return _readable(request, list_id)


@router.get("/items", response=list[ItemOut], auth=PUBLIC, summary="对某区划今天有效的清单事项")
@paginate(PublicPagination)
def list_items(request, filters: Query[ItemFilter]):
    qs = services.items_in_force(filters.code.strip(), filters.kind, filters.day)
    return qs.order_by("duty_list__org__code", "kind", "position", "code")


# --- writes ----------------------------------------------------------------------------------------
def _draft_or_404(request, list_id) -> DutyList:
    dl = DutyList.objects.visible_to(request.user).filter(pk=list_id).first()
    if dl is None:
        raise NotFound()
    return dl


@router.post("/lists", response={201: ListDetailOut, **ERRORS}, summary="新建清单版本（草稿）")
def create_list(request, payload: ListIn):
    org = OrgUnit.objects.filter(code=payload.org.strip()).first()
    if org is None or not scope.covers(request.user, org.code):
        raise NotFound()
    copy_from = None
    if payload.copy_from is not None:
        copy_from = DutyList.objects.visible_to(request.user).filter(pk=payload.copy_from).first()
        if copy_from is None:
            raise NotFound()
    dl = services.create_list(
        request.user,
        org=org,
        title=payload.title,
        effective_from=payload.effective_from,
        basis=payload.basis,
        notes=payload.notes,
        copy_from=copy_from,
    )
    return Status(201, dl)


@router.post("/lists/{int:list_id}/items", response={201: ItemOut, **ERRORS}, summary="向草稿添加事项")
def add_item(request, list_id: Id, payload: ItemIn):
    dl = _draft_or_404(request, list_id)
    return Status(201, services.save_item(request.user, dl, **payload.dict()))


@router.put("/items/{int:item_id}", response={200: ItemOut, **ERRORS}, summary="修改草稿中的事项")
def update_item(request, item_id: Id, payload: ItemIn):
    item = DutyItem.objects.visible_to(request.user).filter(pk=item_id).first()
    if item is None:
        raise NotFound()
    return services.save_item(request.user, item.duty_list_id, pk=item.pk, **payload.dict())


@router.delete("/items/{int:item_id}", response={204: None, **ERRORS}, summary="删除草稿中的事项")
def delete_item(request, item_id: Id):
    if not DutyItem.objects.visible_to(request.user).filter(pk=item_id).exists():
        raise NotFound()
    services.delete_item(request.user, item_id)
    return Status(204, None)


@router.post("/lists/{int:list_id}/publish", response={200: ListDetailOut, **ERRORS}, summary="发布草稿")
def publish_list(request, list_id: Id, payload: PublishIn = None):
    dl = _draft_or_404(request, list_id)
    expected = payload.expected_version if payload is not None else None
    return services.publish_list(request.user, dl.pk, expected_version=expected)
