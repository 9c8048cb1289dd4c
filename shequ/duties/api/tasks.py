"""API of the duties module: tasks admitted to communities and their progress and funding reports,
refusals of unadmitted tasks, certificates and certificate refusals.

Writes go through `shequ.duties.services`, reads through `visible_to`. There is no operation that
creates a task: tasks come only from an admission request approved by the review group. A
requester's ID number is never sent; the resident is named and referred to by id."""

import datetime as dt
from decimal import Decimal

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core import attachments, scope
from shequ.core.api import (
    Day,
    ErrorOut,
    Id,
    Pagination,
    PhotoIn,
    Version,
    decimal_in,
    decode_photos,
    filtered,
)
from shequ.core.errors import NotFound, ValidationFailed
from shequ.core.masking import mask
from shequ.duties import services
from shequ.duties.models import (
    METRIC_FIELDS,
    AdmissionRequest,
    Certificate,
    CertificateRefusal,
    DutyItem,
    Kind,
    Refusal,
    Task,
    TaskReport,
)
from shequ.duties.views.tasks import CertificateFilter, RefusalFilter, TaskFilter
from shequ.org.models import Level, OrgUnit

router = Router(tags=["duties"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
MAX_PHOTOS = 9


def _community(user, code: str, perm: str) -> OrgUnit:
    """A community by its code, inside the part of the user's scope where they hold `perm`;
    anything else is not found (never forbidden: its existence is not told)."""
    unit = OrgUnit.objects.filter(code=code, level=Level.COMMUNITY).first()
    if unit is None or not scope.covers(user, unit.code, perm):
        raise NotFound(_("未找到该社区，或它不在您的管辖范围内。"))
    return unit


def _community_param(user, code: str | None) -> int | None:
    """A community filter given by code, as the FilterSet's primary key."""
    if not code:
        return None
    unit = OrgUnit.objects.visible_to(user).filter(code=code, level=Level.COMMUNITY).first()
    if unit is None:
        raise ValidationFailed(
            _("未找到该社区，或它不在您的管辖范围内。"),
            code="invalid_filter",
            details={"community": [_("未找到该社区，或它不在您的管辖范围内。")]},
        )
    return unit.pk


# --- tasks ----------------------------------------------------------------------------------------
class TaskOut(Schema):
    id: int
    request_number: str = Field(..., alias="request.number")
    community_code: str = Field(..., alias="community.code")
    community_name: str = Field(..., alias="community.display_name")
    department: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    title: str
    start_date: dt.date
    deadline: dt.date
    urgent: bool
    funding: Decimal
    status: str
    status_label: str = Field(..., alias="get_status_display")
    progress: int
    hours_spent: Decimal
    overdue: bool
    completed_at: dt.datetime | None
    version: int


class FileOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str

    @staticmethod
    def resolve_url(obj):
        return reverse("core:attachment", args=[obj.pk])


class ReportOut(Schema):
    id: int
    at: dt.datetime
    author: str
    progress: int
    hours: Decimal
    note: str
    completes: bool
    files: list[FileOut]

    @staticmethod
    def resolve_author(obj):
        return str(obj.author) if obj.author_id else ""

    @staticmethod
    def resolve_files(obj):
        return getattr(obj, "files", [])


class CommitmentOut(Schema):
    department: str
    amount: Decimal
    source: str
    committed_at: dt.datetime
    delivered: Decimal
    delivered_at: dt.datetime | None


class TaskDetailOut(TaskOut):
    request_id: int | None = Field(None, description="准入申请 id（对本人可见时）")
    burden: dict
    commitment: CommitmentOut | None
    reports: list[ReportOut]

    @staticmethod
    def resolve_request_id(obj):
        return obj.request_id if obj.request_visible else None

    @staticmethod
    def resolve_burden(obj):
        return {f: getattr(obj, f) for f in (*METRIC_FIELDS, "hours_per_month")}

    @staticmethod
    def resolve_commitment(obj):
        try:
            return obj.commitment
        except Task.commitment.RelatedObjectDoesNotExist:
            return None

    @staticmethod
    def resolve_reports(obj):
        return obj.reports_list


class TaskQuery(Schema):
    status: str | None = Field(None, description="active 办理中 | done 已完成 | withdrawn | expired")
    department: str | None = Field(None, max_length=100, description="下派部门")
    overdue: bool | None = Field(None, description="只看超期的")
    community: str | None = Field(None, max_length=12, description="社区代码")
    q: str | None = Field(None, max_length=40, description="任务名称片段")


def _task(user, pk) -> Task:
    task = (
        Task.objects.visible_to(user)
        .select_related("community", "request", "commitment")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404()
    return task


def _task_detail(user, pk) -> Task:
    """A visible task with its reports and their evidence files."""
    task = _task(user, pk)
    task.request_visible = AdmissionRequest.objects.visible_to(user).filter(pk=task.request_id).exists()
    reports = list(task.reports.select_related("author"))
    files = attachments.attachments_of(TaskReport, [r.pk for r in reports])
    for r in reports:
        r.files = files.get(str(r.pk), [])
    task.reports_list = reports
    return task


@router.get(
    "/tasks", response=list[TaskOut], summary="下派任务：社区看本社区的，街道、区看辖区的，部门看本部门下派的"
)
@paginate(Pagination)
def list_tasks(request, params: TaskQuery = Query(...)):
    data = params.dict()
    data["community"] = _community_param(request.user, data.pop("community"))
    qs = Task.objects.visible_to(request.user).select_related("community", "request")
    return filtered(request, TaskFilter, qs, data).order_by("deadline", "pk")


@router.get(
    "/tasks/{int:task_id}",
    response={200: TaskDetailOut, 404: ErrorOut},
    summary="任务详情：来源申请、负担、经费承诺与到位、进度报告（含佐证材料）",
)
def get_task(request, task_id: Id):
    return _task_detail(request.user, task_id)


class ReportIn(Schema):
    progress: int = Field(..., ge=0, le=100, description="当前进度（%）")
    hours: decimal_in(7, 1, le=1000) = Field(Decimal("0"), description="本次用时（小时）")
    note: str = Field(..., min_length=1, max_length=2000, description="情况说明")
    completes: bool = Field(False, description="完成报告：任务结束，进度记为 100%")
    photos: list[PhotoIn] = Field([], max_length=MAX_PHOTOS, description="佐证照片")
    expected_version: Version | None = Field(None, description="读到的 version；已被他人更新时返回 409")


@router.post(
    "/tasks/{int:task_id}/reports",
    response={201: TaskDetailOut, **ERRORS},
    summary="承接社区报告进度（勾选完成即提交完成报告）",
)
def report_task(request, task_id: Id, payload: ReportIn):
    task = _task(request.user, task_id)
    services.report_progress(
        request.user,
        task.pk,
        progress=payload.progress,
        hours=payload.hours,
        note=payload.note,
        completes=payload.completes,
        files=decode_photos(payload.photos),
        expected_version=payload.expected_version,
    )
    return Status(201, _task_detail(request.user, task.pk))


class FundingIn(Schema):
    amount: decimal_in(12, 2, positive=True) = Field(..., description="本次到位金额（元）")


@router.post(
    "/tasks/{int:task_id}/funding",
    response={200: TaskDetailOut, **ERRORS},
    summary="下派部门登记随事经费到位",
)
def fund_task(request, task_id: Id, payload: FundingIn):
    task = _task(request.user, task_id)
    services.record_funding(request.user, task.pk, payload.amount)
    return _task_detail(request.user, task.pk)


# --- refusals of unadmitted tasks -----------------------------------------------------------------
class RefusalOut(Schema):
    id: int
    number: str
    community_code: str = Field(..., alias="community.code")
    community_name: str = Field(..., alias="community.display_name")
    department: str
    title: str
    description: str
    received_on: dt.date
    channel: str
    rule: str
    negative_item: str
    redirect: str
    refused_by: str
    refused_at: dt.datetime

    @staticmethod
    def resolve_negative_item(obj):
        return obj.item.citation if obj.item_id else ""

    @staticmethod
    def resolve_redirect(obj):
        return obj.item.redirect if obj.item_id else ""

    @staticmethod
    def resolve_refused_by(obj):
        return str(obj.refused_by)


class ListQuery(Schema):
    q: str | None = Field(None, max_length=40, description="编号开头、事项、部门或姓名片段")
    community: str | None = Field(None, max_length=12, description="社区代码")


@router.get(
    "/refusals",
    response=list[RefusalOut],
    summary="拒收未准入事项：社区看本社区的，街道看辖区的，部门看点名本部门的",
)
@paginate(Pagination)
def list_refusals(request, params: ListQuery = Query(...)):
    data = params.dict()
    data["community"] = _community_param(request.user, data.pop("community"))
    qs = Refusal.objects.visible_to(request.user).select_related("community", "item__duty_list", "refused_by")
    return filtered(request, RefusalFilter, qs, data)


def _refusal(user, pk) -> Refusal:
    found = (
        Refusal.objects.visible_to(user)
        .select_related("community", "item__duty_list", "refused_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404()
    return found


@router.get("/refusals/{int:refusal_id}", response={200: RefusalOut, 404: ErrorOut}, summary="一份拒收告知")
def get_refusal(request, refusal_id: Id):
    return _refusal(request.user, refusal_id)


class RefusalIn(Schema):
    community: str = Field(..., max_length=12, description="社区代码")
    department: str = Field(..., min_length=1, max_length=100, description="交办部门")
    title: str = Field(..., min_length=1, max_length=200, description="交办事项")
    description: str = Field("", max_length=2000)
    received_on: Day | None = Field(None, description="收到日期，默认今天")
    channel: str = Field("", max_length=60, description="交办方式，如：电话、微信群、文件")


@router.post(
    "/refusals",
    response={201: RefusalOut, **ERRORS},
    summary="社区拒收未经准入交办的事项（按负面清单和准入规定写明依据）",
)
def create_refusal(request, payload: RefusalIn):
    user = request.user
    community = _community(user, payload.community, "duties.refuse_task")
    r = services.refuse_unadmitted(
        user,
        community=community,
        department=payload.department,
        title=payload.title,
        description=payload.description,
        received_on=payload.received_on,
        channel=payload.channel,
    )
    return Status(201, _refusal(user, r.pk))


# --- certificates ---------------------------------------------------------------------------------
class CertificateOut(Schema):
    id: int
    number: str
    community_code: str = Field(..., alias="community.code")
    community_name: str = Field(..., alias="community.display_name")
    item_id: int
    item_title: str = Field(..., alias="item.title")
    resident_id: int
    requester_name: str
    requester_doc_masked: str
    purpose: str
    content: str
    issuer: str
    issued_on: dt.date

    @staticmethod
    def resolve_requester_doc_masked(obj):
        return mask(obj.resident.doc_number, "id_number")

    @staticmethod
    def resolve_issuer(obj):
        return str(obj.issuer)


def _certificates(user):
    return Certificate.objects.visible_to(user).select_related("community", "item", "resident", "issuer")


@router.get(
    "/certificates", response=list[CertificateOut], summary="本社区出具的证明（按编号或申请人姓名查找）"
)
@paginate(Pagination)
def list_certificates(request, params: ListQuery = Query(...)):
    data = params.dict()
    data["community"] = _community_param(request.user, data.pop("community"))
    return filtered(request, CertificateFilter, _certificates(request.user), data)


@router.get(
    "/certificates/{int:certificate_id}", response={200: CertificateOut, 404: ErrorOut}, summary="一份证明"
)
def get_certificate(request, certificate_id: Id):
    found = _certificates(request.user).filter(pk=certificate_id).first()
    if found is None:
        raise Http404()
    return found


class CertificateIn(Schema):
    community: str = Field(..., max_length=12, description="社区代码")
    item: Id = Field(..., description="证明事项 id（本社区适用的证明事项清单内）")
    resident: Id = Field(..., description="申请人：本社区在册居民的 id")
    purpose: str = Field(..., min_length=1, max_length=200)
    content: str = Field(..., min_length=1, max_length=2000, description="证明内容，如：兹证明……")


@router.post(
    "/certificates",
    response={201: CertificateOut, **ERRORS},
    summary="出具证明：只能出具证明事项清单内的证明，申请人须为本社区在册居民",
)
def create_certificate(request, payload: CertificateIn):
    user = request.user
    community = _community(user, payload.community, "duties.issue_certificate")
    item = DutyItem.objects.filter(pk=payload.item, kind=Kind.CERTIFICATE).first()
    cert = services.issue_certificate(
        user,
        community=community,
        item=item.pk if item else 0,
        resident=payload.resident,
        purpose=payload.purpose,
        content=payload.content,
    )
    return Status(201, _certificates(user).get(pk=cert.pk))


class CertificateRefusalOut(Schema):
    id: int
    number: str
    community_code: str = Field(..., alias="community.code")
    community_name: str = Field(..., alias="community.display_name")
    requested: str
    resident_id: int | None
    requester_name: str
    purpose: str
    rule: str
    redirect: str
    negative_item: str
    refused_by: str
    refused_on: dt.date

    @staticmethod
    def resolve_negative_item(obj):
        return obj.item.citation if obj.item_id else ""

    @staticmethod
    def resolve_refused_by(obj):
        return str(obj.refused_by)


def _certificate_refusals(user):
    return CertificateRefusal.objects.visible_to(user).select_related(
        "community", "item__duty_list", "refused_by"
    )


@router.get("/certificate-refusals", response=list[CertificateRefusalOut], summary="不予出具证明的告知记录")
@paginate(Pagination)
def list_certificate_refusals(request, params: ListQuery = Query(...)):
    data = params.dict()
    data["community"] = _community_param(request.user, data.pop("community"))
    return filtered(request, CertificateFilter, _certificate_refusals(request.user), data)


@router.get(
    "/certificate-refusals/{int:refusal_id}",
    response={200: CertificateRefusalOut, 404: ErrorOut},
    summary="一份不予出具证明告知",
)
def get_certificate_refusal(request, refusal_id: Id):
    found = _certificate_refusals(request.user).filter(pk=refusal_id).first()
    if found is None:
        raise Http404()
    return found


class CertificateRefusalIn(Schema):
    community: str = Field(..., max_length=12, description="社区代码")
    requested: str = Field(..., min_length=1, max_length=200, description="申请出具的证明（照申请人的说法）")
    requester_name: str = Field(..., min_length=1, max_length=50)
    resident: Id | None = Field(None, description="对应的本社区居民 id（可选）")
    purpose: str = Field("", max_length=200)


@router.post(
    "/certificate-refusals",
    response={201: CertificateRefusalOut, **ERRORS},
    summary="不予出具证明：写明依据和应去何处办理；清单内的证明返回 409（应直接出具）",
)
def create_certificate_refusal(request, payload: CertificateRefusalIn):
    user = request.user
    community = _community(user, payload.community, "duties.issue_certificate")
    r = services.refuse_certificate(
        user,
        community=community,
        requested=payload.requested,
        requester_name=payload.requester_name,
        resident=payload.resident,
        purpose=payload.purpose,
    )
    return Status(201, _certificate_refusals(user).get(pk=r.pk))
