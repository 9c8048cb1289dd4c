"""The 12345 work-order file (xlsx or CSV, as the hotline system exports it): columns, row rules,
commit and undo on the core import engine.

Each accepted row goes through `hotline.receive_order` (and so `services.submit_request`) one by
one: hotline volumes are hundreds of orders a day, and the per-row path keeps the place, scope,
photo-free intake rules and the requester's notice in one place. An order number repeated in the
file is one case (the repeats are listed as duplicates); an order number already received is
reported and not created again."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.cases import hotline, rollups, services
from shequ.cases.models import Case, CaseEvent, Channel, Status
from shequ.core import changelog
from shequ.core.errors import Conflict, DomainError, ValidationFailed
from shequ.core.importing import Column, Importer, Outcome, Plan, RowError, register_importer
from shequ.core.models import Action, ImportRecord
from shequ.org.models import Level, OrgUnit

MODEL = "cases.case"


class RawColumn(Column):
    """A column whose cells keep their type (a date-time cell must not lose its time of day)."""

    def _build(self, header, ctx):
        required, convert = self.required or self.key in ctx.required, self.convert

        def parse(raw):
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if required:
                    raise RowError(_("“%(h)s”为必填项，不能为空。") % {"h": header})
                return None
            return convert(raw, str(header))

        return parse

    @staticmethod
    def convert(raw, header):
        return raw.strip() if isinstance(raw, str) else raw


class DateTimeColumn(RawColumn):
    @staticmethod
    def convert(raw, header):
        return hotline.parse_datetime(raw, header)


class NumberColumn(RawColumn):
    @staticmethod
    def convert(raw, header):
        try:
            return float(str(raw).strip())
        except ValueError:
            raise RowError(_("“%(h)s”应为数字（度，如 114.3125）。") % {"h": header}) from None


@register_importer
class HotlineImporter(Importer):
    kind = "cases.hotline"
    title = _l("12345工单")
    perm = "cases.import_hotline"
    columns = [
        Column(
            _l("工单编号"),
            "order_no",
            required=True,
            max_length=64,
            text_format=True,
            aliases=(_l("工单号"), _l("工单编码"), _l("热线工单号")),
        ),
        DateTimeColumn(
            _l("受理时间"),
            "received_at",
            aliases=(_l("来电时间"), _l("登记时间"), _l("派单时间")),
            help=_l("如 2024-05-01 09:30；留空按导入时间"),
        ),
        Column(_l("诉求人"), "name", max_length=50, aliases=(_l("来电人"), _l("市民姓名"), _l("联系人"))),
        Column(
            _l("联系电话"),
            "phone",
            max_length=30,
            text_format=True,
            mask="phone",
            aliases=(_l("来电号码"), _l("电话"), _l("手机号码")),
        ),
        Column(
            _l("诉求内容"),
            "content",
            required=True,
            max_length=4000,
            aliases=(_l("来电内容"), _l("问题描述"), _l("工单内容")),
        ),
        Column(
            _l("诉求地址"), "address", max_length=200, aliases=(_l("事发地址"), _l("地址"), _l("事发地点"))
        ),
        Column(
            _l("诉求类别"),
            "category",
            required=True,
            max_length=100,
            aliases=(_l("问题分类"), _l("诉求分类"), _l("类别"), _l("小类")),
            help=_l("本平台小类的名称或编码，或热线的分类名（如“噪声扰民”“城市管理-占道经营”）"),
        ),
        Column(
            _l("所属社区"), "community", max_length=60, aliases=(_l("社区"),), help=_l("社区名称或 12 位代码")
        ),
        NumberColumn(_l("经度"), "lng", help=_l("度，如 114.3125；有经纬度时按网格定位")),
        NumberColumn(_l("纬度"), "lat", help=_l("度，如 30.3512")),
        RawColumn(
            _l("办理时限"),
            "limit",
            aliases=(_l("处置时限"), _l("办结时限"), _l("承办时限")),
            help=_l("如 3个工作日、24小时，或截止时间；留空按类别时限"),
        ),
    ]
    example = {
        "order_no": "GD20240501000123", "received_at": "2024-05-01 09:30", "name": "王女士",
        "phone": "13807150000", "content": "宁安小区3栋楼下夜间广场舞音响声音过大，影响休息。",
        "address": "纸坊街宁安小区3栋", "category": "噪声扰民", "community": "宁安社区",
        "lng": "", "lat": "", "limit": "3个工作日",
    }  # fmt: skip
    instructions = [
        _l("4. 可直接上传 12345 系统导出的 xlsx 或 CSV 文件；列名与模板不同的，改成模板的列名即可。"),
        _l("5. 工单编号是去重的依据：文件中重复的编号只建一件；已导入过的编号提示“已存在”，不重复创建。"),
        _l("6. 位置：有经纬度的按网格定位；否则按“所属社区”；都没有时归入导入时选择的街道或社区。"),
        _l("7. 办理时限留空时按类别的处置时限；填写时以热线的时限为准。"),
    ]

    # --- planning --------------------------------------------------------------------------------
    def plan(self, rows, progress) -> Plan:
        within = self.batch.scope_code
        if OrgUnit.objects.filter(code=within).first() is None:
            raise ValidationFailed(_("请选择导入到的街道或社区。"), code="bad_scope")
        categories = hotline.CategoryMap()
        communities = hotline.CommunityMap(within)
        live = [r for r in rows if r.outcome != Outcome.REJECTED]
        numbers = {"".join(str(r.values["order_no"] or "").split()) for r in live}
        existing = dict(
            Case.objects.filter(channel=Channel.HOTLINE, external_id__in=numbers).values_list(
                "external_id", "number"
            )
        )
        seen: dict[str, int] = {}
        duplicates = already = 0
        for n, r in enumerate(live, start=1):
            v = r.values
            v["order_no"] = "".join(str(v["order_no"] or "").split())
            self._check(r, v, categories, communities, within)
            if r.errors:
                r.outcome = Outcome.REJECTED
            elif v["order_no"] in seen:
                r.outcome = Outcome.UNCHANGED
                r.warnings.append(
                    _("与第 %(n)d 行工单编号相同（%(o)s），视为同一工单，不重复创建。")
                    % {"n": seen[v["order_no"]], "o": v["order_no"]}
                )
                duplicates += 1
            elif v["order_no"] in existing:
                r.outcome = Outcome.UNCHANGED
                r.warnings.append(
                    _("工单 %(o)s 已存在（受理编号 %(c)s），未重复创建。")
                    % {"o": v["order_no"], "c": existing[v["order_no"]]}
                )
                already += 1
                seen[v["order_no"]] = r.line
            else:
                r.outcome = Outcome.NEW
                seen[v["order_no"]] = r.line
            if n % 200 == 0:
                progress(n, len(live))
        progress(1, 1)
        plan = Plan(rows)
        if duplicates:
            plan.notes.append(
                _("文件中有 %(n)d 行的工单编号与前面的行重复，每个编号只建一件。") % {"n": duplicates}
            )
        if already:
            plan.notes.append(_("有 %(n)d 张工单此前已导入或已推送，已存在，未重复创建。") % {"n": already})
        plan.extra = {"duplicates": duplicates, "existing": already}
        return plan

    def _check(self, r, v, categories, communities, within):
        """Row rules that need the database: category, place, scope; the rest the engine did."""
        cat = categories.find(v["category"])
        if cat is None:
            r.errors.append(hotline.unknown_category_message(v["category"]))
        v["_category"] = cat
        if (v["lat"] is None) != (v["lng"] is None):
            r.errors.append(_("经度和纬度须同时填写，或同时留空。"))
        community = None
        if v["community"]:
            community = communities.find(v["community"])
            if community is None:
                r.errors.append(
                    _("所属社区“%(c)s”不在本街道，请填写社区全称或 12 位代码。") % {"c": v["community"][:30]}
                )
        if v["limit"] is not None:
            try:
                hotline.parse_limit(v["limit"], v["received_at"])
            except RowError as exc:
                r.errors.append(str(exc))
        if r.errors:
            return
        community, street = (community, None) if community else self._default_place()
        try:
            street, comm, grid = services.resolve_place(
                lat=v["lat"], lng=v["lng"], community=community, street=street, within=within
            )
        except DomainError as exc:
            r.errors.append(exc.message)
            return
        code = grid.code if grid else comm.code if comm else street.code
        if not code.startswith(within):
            r.errors.append(_("该工单的位置不在本次导入的范围（%(s)s）内。") % {"s": within})
            return
        if v["phone"] and not hotline.usable_phone(v["phone"]):
            r.warnings.append(_("联系电话格式不正确，导入时不记录该号码。"))

    def _default_place(self):
        """(community, street) of a row that names no place: the batch's community or street."""
        if not hasattr(self, "_node"):
            self._node = OrgUnit.objects.filter(code=self.batch.scope_code).first()
        node = self._node
        if node is not None and node.level == Level.COMMUNITY:
            return node, None
        return None, node

    # --- writing ---------------------------------------------------------------------------------
    def lock(self) -> None:
        # One commit at a time per street: the second plans against the cases the first created.
        OrgUnit.objects.select_for_update().filter(code=self.batch.scope_code[:9]).first()

    def apply(self, plan) -> dict:
        """Receive each new order through the intake service and remember what this batch created."""
        accepted = [r for r in plan.rows if r.outcome == Outcome.NEW]
        categories = hotline.CategoryMap()
        records = []
        created = 0
        within = self.batch.scope_code
        communities = hotline.CommunityMap(within)
        for n, r in enumerate(accepted, start=1):
            v = r.values
            community = communities.find(v["community"]) if v["community"] else None
            community, street = (community, None) if community else self._default_place()
            case, was_new, _warnings = hotline.receive_order(
                self.actor,
                order_no=v["order_no"],
                content=v["content"],
                category=v["_category"] or categories.find(v["category"]),
                received_at=v["received_at"],
                requester_name=v["name"] or "",
                phone=v["phone"] or "",
                address=v["address"] or "",
                lat=v["lat"],
                lng=v["lng"],
                community=community,
                street=street,
                limit=v["limit"],
                within=within,
            )
            if was_new:
                created += 1
                records.append(
                    ImportRecord(batch=self.batch, model=MODEL, object_id=str(case.pk), created=True)
                )
            if n % 50 == 0:
                self.progress(n, len(accepted))
        ImportRecord.objects.bulk_create(records)
        self.progress(1, 1)
        return {"created": created}

    # --- undo ------------------------------------------------------------------------------------
    def undo(self) -> dict:
        """Delete the cases this batch created, if none of them has been acted on since."""
        ids = [
            int(p)
            for p in self.batch.records.filter(model=MODEL, created=True).values_list("object_id", flat=True)
        ]
        cases = Case.objects.filter(pk__in=ids)
        moved = list(cases.exclude(status=Status.RECEIVED, version=1).values_list("number", flat=True)[:5])
        moved += list(
            Case.objects.filter(
                pk__in=CaseEvent.objects.filter(case_id__in=ids).exclude(action="receive").values("case_id")
            ).values_list("number", flat=True)[:5]
        )
        moved += list(Case.objects.filter(parent_id__in=ids).values_list("parent__number", flat=True)[:5])
        if moved:
            raise Conflict(
                _("本批次导入的工单已有进入办理的（如：%(n)s），不能整批撤销。请在案件页面逐件处理。")
                % {"n": "、".join(dict.fromkeys(moved))},
                code="undo_blocked",
            )
        label = self.batch.batch_label
        deleted = 0
        for case in cases.select_related("category"):
            changelog.record(
                self.actor,
                Action.DELETE,
                case,
                before={
                    "number": case.number,
                    "external_id": case.external_id,
                    "category": case.category.code,
                },
                note=_("撤销导入"),
                batch=label,
            )
            rollups.shift(rollups.state_of(case), None)
            case.delete()
            deleted += 1
        return {"deleted": deleted}
