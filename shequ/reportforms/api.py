"""一表通 API: report definitions (an upper level's xlsx and its bindings), manual values, filling
(the xlsx in the upper level's layout) with the trace of each cell, and the register of forms and
ledgers with its counts."""

from datetime import datetime

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from shequ.core.api import ErrorOut, Id
from shequ.core.services import require
from shequ.reportforms import services
from shequ.reportforms.models import ENTER, MANAGE, VIEW, ReportFill

router = Router()
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}  # 409: a write crossed by another
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportFormBindingOut(Schema):
    id: int
    sheet: str
    cell: str
    end_cell: str
    label_cell: str
    kind: str = Field(description="value 单个单元格 / range 一行或一列 / manual 人工填写")
    indicator: str
    field: str = Field(description="value 指标值 / numerator 分子 / denominator 分母")
    breakdown: str = Field(description="community 下级单位 / month 月份 / by 指标分类；单个单元格为空")
    by_key: str
    label: str


class ReportFormOut(Schema):
    id: int
    name: str
    kind: str = Field(description="form 报表 / ledger 台账")
    org: str = Field(description="登记单位代码")
    asked_by: str
    asked_level: str
    frequency: str
    levels: list[str]
    template_name: str
    sheets: list[str]
    notes: str
    created_at: datetime

    @staticmethod
    def resolve_org(obj):
        return obj.org.code


class ReportFormDetailOut(ReportFormOut):
    bindings: list[ReportFormBindingOut]

    @staticmethod
    def resolve_bindings(obj):
        return list(obj.bindings.all())


class ReportFormBindingIn(Schema):
    sheet: str = Field(min_length=1, max_length=31)
    cell: str = Field(
        min_length=2, max_length=12, description="起始单元格，如 C5（合并单元格内任一格均指其左上格）"
    )
    kind: str = Field("value", max_length=8, description="value / range / manual")
    end_cell: str = Field("", max_length=12, description="range：同一行或同一列的结束单元格")
    label_cell: str = Field(
        "", max_length=12, description="range：分项名称（社区名、月份、分类）写入的起始格"
    )
    indicator: str = Field("", max_length=80, description="指标代码，见 /api/v1/core/indicators")
    field: str = Field("value", max_length=12)
    breakdown: str = Field("", max_length=12)
    by_key: str = Field("", max_length=40, description="breakdown=by 时的分类键（指标的 breakdowns 之一）")
    label: str = Field("", max_length=100, description="manual：填写说明")


class ReportFormManualIn(Schema):
    code: str = Field(min_length=6, max_length=12, description="填报范围代码")
    period: str = Field(min_length=4, max_length=8, description="2026 / 2026-Q3 / 2026-07")
    values: dict[str, str] = Field(description="{绑定 id: 填写值}；空字符串删除该期的值", max_length=200)


class ReportFormManualOut(Schema):
    binding_id: int
    sheet: str
    cell: str
    label: str
    value: str
    period: str = Field(description="值所填写的统计期（早于所问统计期即为沿用）")


class ReportFormFillIn(Schema):
    code: str = Field(min_length=6, max_length=12, description="填报范围代码（社区、街道或区县）")
    period: str = Field(min_length=4, max_length=8, description="2026 / 2026-Q3 / 2026-07")
    from_snapshots: bool = Field(True, description="有该统计期快照时取快照（默认）；false 全部实时计算")


class ReportFormTraceOut(Schema):
    sheet: str
    cell: str
    item: str = ""
    kind: str
    indicator: str
    label: str
    formula: str
    scope: str
    scope_name: str
    period: str
    value: str | None
    numerator: str | None
    denominator: str | None
    source: str
    snapshot: bool
    url: str
    note: str = ""


class ReportFormFillOut(Schema):
    id: int
    title: str
    form_id: int | None
    ledger_key: str
    scope_code: str
    scope_name: str
    period: str
    source: str = Field(description="snapshot 全部取自快照 / live 实时 / mixed 部分快照")
    filled_at: datetime
    download: str
    trace: list[ReportFormTraceOut]

    @staticmethod
    def resolve_download(obj):
        return f"/api/v1/reportforms/fills/{obj.pk}/xlsx"


class ReportFormRegisterRowOut(Schema):
    id: int | None
    key: str = Field(description="平台台账代码（平台生成的台账）")
    name: str
    kind: str
    asked_by: str
    asked_level: str
    frequency: str
    org: str
    generated: bool
    platform: bool
    bindings: int
    template: bool


class ReportFormCountOut(Schema):
    total: int
    generated: int
    typed: int


class ReportFormRegisterOut(Schema):
    ledgers: ReportFormCountOut
    forms: ReportFormCountOut
    rows: list[ReportFormRegisterRowOut]


def _fill(out):
    for t in out.trace:
        t.setdefault("item", "")
    return out


@router.get("/register", response={200: ReportFormRegisterOut, 403: ErrorOut, 404: ErrorOut},
            summary="报表台账登记：台账和报表数，平台生成与仍需手工的")  # fmt: skip
def register(request, code: str = Query("", max_length=12)):
    require(request.user, VIEW)
    reg = services.register(request.user, code)
    return {"ledgers": reg["counts"]["ledger"], "forms": reg["counts"]["form"], "rows": reg["rows"]}


@router.get("/definitions", response={200: list[ReportFormOut], 403: ErrorOut}, summary="报表定义")
def list_forms(request):
    require(request.user, VIEW)
    return list(services.forms_of(request.user).select_related("org")[:500])


@router.get("/definitions/{int:form_id}", response={200: ReportFormDetailOut, 403: ErrorOut, 404: ErrorOut},
            summary="一个报表定义及其取数绑定")  # fmt: skip
def get_form(request, form_id: Id):
    return services.get_form(request.user, form_id)


@router.post("/definitions", response={201: ReportFormDetailOut, **ERRORS},
             summary="登记报表或台账；附 .xlsx 表样则可绑定指标（文件不对答 400，说明原因）")  # fmt: skip
def create_form(
    request,
    org: str = Form(..., min_length=6, max_length=12, description="登记单位代码"),
    name: str = Form(..., min_length=1, max_length=120),
    asked_by: str = Form(..., min_length=1, max_length=100),
    asked_level: str = Form("", max_length=20),
    frequency: str = Form("month", max_length=8, description="month / quarter / half / year / adhoc"),
    kind: str = Form("form", max_length=8, description="form / ledger"),
    levels: str = Form(
        "community", max_length=40, description="填报层级，逗号分隔：community,street,district"
    ),
    notes: str = Form("", max_length=300),
    template: UploadedFile = File(None),
):
    require(request.user, MANAGE)
    form = services.create_form(
        request.user, org_code=org, name=name, asked_by=asked_by, asked_level=asked_level, frequency=frequency,
        kind=kind, levels=[x.strip() for x in levels.split(",")], notes=notes,
        filename=template.name if template else "", data=template.read() if template else None,
    )  # fmt: skip
    return Status(201, form)


@router.post("/definitions/{int:form_id}/template", response={200: ReportFormDetailOut, **ERRORS},
             summary="更换表样（.xlsx）；不再存在的工作表上的绑定随之删除")  # fmt: skip
def replace_template(request, form_id: Id, template: UploadedFile = File(...)):
    form = services.get_form(request.user, form_id)
    require(request.user, MANAGE)
    return services.replace_template(request.user, form, template.name, template.read())


@router.post("/definitions/{int:form_id}/bindings", response={201: ReportFormBindingOut, **ERRORS},
             summary="绑定单元格到指标或标为人工填写（指标不存在或不适用于填报层级答 400，说明原因）")  # fmt: skip
def bind(request, form_id: Id, payload: ReportFormBindingIn):
    form = services.get_form(request.user, form_id)
    require(request.user, MANAGE)
    return Status(201, services.bind(request.user, form, **payload.dict()))


@router.delete("/definitions/{int:form_id}/bindings/{int:binding_id}", response={204: None, **ERRORS},
               summary="删除一条绑定")  # fmt: skip
def unbind(request, form_id: Id, binding_id: Id):
    form = services.get_form(request.user, form_id)
    require(request.user, MANAGE)
    services.unbind(request.user, form, binding_id)
    return Status(204, None)


@router.get("/definitions/{int:form_id}/manual", response={200: list[ReportFormManualOut], **ERRORS},
            summary="人工填报项在某范围、统计期的值（未填写的沿用此前最近一期）")  # fmt: skip
def get_manual(request, form_id: Id, code: str = Query(..., min_length=6, max_length=12),
               period: str = Query(..., min_length=4, max_length=8)):  # fmt: skip
    from shequ.core import indicators

    form = services.get_form(request.user, form_id)
    require(request.user, VIEW)
    indicators.parse_period(period)
    services._scope_for(request.user, form, code)
    known = services.manual_values(form, code, period)
    return [{"binding_id": b.pk, "sheet": b.sheet, "cell": b.cell, "label": b.label,
             "value": known.get(b.pk, ("", ""))[0], "period": known.get(b.pk, ("", ""))[1]}
            for b in form.bindings.filter(kind="manual")]  # fmt: skip


@router.post("/definitions/{int:form_id}/manual", response={200: list[ReportFormManualOut], **ERRORS},
             summary="填写人工填报项（按范围和统计期保存，下次沿用）")  # fmt: skip
def put_manual(request, form_id: Id, payload: ReportFormManualIn):
    form = services.get_form(request.user, form_id)
    require(request.user, ENTER)
    services.enter_manual(request.user, form, payload.code, payload.period, payload.values)
    return get_manual(request, form_id, payload.code, payload.period)


@router.post("/definitions/{int:form_id}/fill", response={201: ReportFormFillOut, **ERRORS},
             summary="为一个范围和统计期生成报表（保留上级表样格式），返回每格取数说明和下载地址")  # fmt: skip
def fill(request, form_id: Id, payload: ReportFormFillIn):
    form = services.get_form(request.user, form_id)
    require(request.user, VIEW)
    return Status(201, _fill(services.fill(request.user, form, payload.code, payload.period,
                                           from_snapshots=payload.from_snapshots)))  # fmt: skip


@router.post("/ledgers/{key}/fill", response={201: ReportFormFillOut, **ERRORS},
             summary="生成平台台账（人口、特殊人群、走访、诉求、准入事项……）")  # fmt: skip
def ledger_fill(request, key: str, payload: ReportFormFillIn):
    require(request.user, VIEW)
    return Status(201, _fill(services.fill_ledger(request.user, key, payload.code, payload.period)))


@router.get("/fills/{int:fill_id}", response={200: ReportFormFillOut, 403: ErrorOut, 404: ErrorOut},
            summary="一份已生成的报表及其取数说明")  # fmt: skip
def get_fill(request, fill_id: Id):
    return _fill(services.get_fill(request.user, fill_id))


@router.get("/fills/{int:fill_id}/xlsx", response={200: None, 403: ErrorOut, 404: ErrorOut},
            summary="下载已生成的报表（xlsx，含隐藏工作表「取数说明」）")  # fmt: skip
def download_fill(request, fill_id: Id):
    out: ReportFill = services.get_fill(request.user, fill_id)
    resp = HttpResponse(bytes(out.content), content_type=XLSX)
    resp["Content-Disposition"] = content_disposition_header(True, f"{out.title.replace(' · ', '-')}.xlsx")
    return resp
