"""The community workers' roster workbook (花名册) on the core import engine: columns, row rules,
commit through the roster's services, undo.

Rosters are hundreds of rows, so each accepted row goes through `services.add_worker` (and
`record_exit` for a row that says when and why the person left): one path for every rule. The ID
number is the key: a number twice in the file, or already in post in the roster, is reported and
not entered again."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import crypto, scope
from shequ.core.errors import Conflict, DomainError
from shequ.core.importing import Column, Importer, Outcome, Plan, register_importer
from shequ.core.models import ImportRecord
from shequ.org.models import Level, OrgUnit, short_name
from shequ.workforce import services
from shequ.workforce.models import Education, ExitReason, Gender, Political, Source, Status, Worker

MODEL = "workforce.worker"


@register_importer
class WorkerImporter(Importer):
    kind = "workforce.workers"
    title = _l("社区工作者花名册")
    perm = services.MANAGE
    columns = [
        Column(_l("姓名"), "name", required=True, max_length=50),
        Column(_l("身份证号码"), "id_number", max_length=18, text_format=True, mask="id_number",
               aliases=(_l("公民身份号码"), _l("身份证号"))),
        Column(_l("性别"), "gender", kind="choice", choices=Gender),
        Column(_l("出生日期"), "birth_date", kind="date", aliases=(_l("出生年月"),)),
        Column(_l("学历"), "education", required=True, kind="choice", choices=Education,
               aliases=(_l("文化程度"), _l("最高学历"))),
        Column(_l("政治面貌"), "political_status", kind="choice", choices=Political),
        Column(_l("岗位"), "post", max_length=60, aliases=(_l("职务"), _l("现任职务"))),
        Column(_l("来源"), "source", required=True, kind="choice", choices=Source, aliases=(_l("人员来源"),)),
        Column(_l("来源细分"), "source_detail", max_length=30, help=_l("如 公开招聘、大学生社区工作者、公益性岗位")),
        Column(_l("参加社区工作时间"), "hired_on", required=True, kind="date",
               aliases=(_l("入职时间"), _l("参加工作时间"), _l("入职日期"))),
        Column(_l("专职或兼职"), "full_time", max_length=4, help=_l("专职或兼职；留空为专职")),
        Column(_l("联系电话"), "phone", max_length=30, text_format=True, mask="phone", aliases=(_l("手机号码"),)),
        Column(_l("所在社区"), "org", max_length=60, aliases=(_l("社区"), _l("单位")),
               help=_l("社区名称或 12 位代码；留空为导入时选择的社区")),
        Column(_l("离开日期"), "left_on", kind="date", help=_l("已离开的人员填写，连同离开原因")),
        Column(_l("离开原因"), "exit_reason", kind="choice", choices=ExitReason),
    ]  # fmt: skip
    example = {
        "name": "李红", "id_number": "420115198808080026", "gender": "女", "birth_date": "1988-08-08",
        "education": "本科", "political_status": "中共党员", "post": "社区专职工作者", "source": "聘用",
        "source_detail": "公开招聘", "hired_on": "2015-03-01", "full_time": "专职", "phone": "13907150000",
        "org": "宁安社区", "left_on": "", "exit_reason": "",
    }  # fmt: skip
    instructions = [
        _l("4. 身份证号码是去重的依据：文件中重复的号码只登记一次；已在名册中专职在岗的不再登记。"),
        _l("5. 填写身份证号码时，性别和出生日期按号码填入，可以不填。"),
        _l("6. 已离开的人员填写离开日期和离开原因，会先登记入职再登记离开，用于流失统计。"),
    ]

    def _places(self) -> dict[str, OrgUnit]:
        """Communities and streets under the batch's scope, by code and by name."""
        if not hasattr(self, "_place_map"):
            units = OrgUnit.objects.filter(
                level__in=(Level.COMMUNITY, Level.STREET), code__startswith=self.batch.scope_code
            )
            found: dict[str, OrgUnit] = {}
            for u in units:
                found[u.code] = found[u.name] = found[u.display_name] = u
            self._place_map = found
        return self._place_map

    def _place(self, written: str | None) -> OrgUnit | None:
        places = self._places()
        if written:
            return places.get(written.strip())
        return places.get(self.batch.scope_code)

    def plan(self, rows, progress) -> Plan:
        today = timezone.localdate()
        live = [r for r in rows if r.outcome != Outcome.REJECTED]
        numbers = {"".join(str(r.values["id_number"] or "").split()).upper() for r in live} - {""}
        in_post = {}
        if numbers:
            keys = {crypto.lookup(Worker, "id_number", n)["id_index"]: n for n in numbers}
            for key, name, org in Worker.objects.filter(
                id_index__in=keys, status=Status.ACTIVE, full_time=True
            ).values_list("id_index", "name", "org__name"):
                in_post[keys[key]] = (name, short_name(org))
        seen: dict[str, int] = {}
        for n, r in enumerate(live, start=1):
            v = r.values
            self._check(r, v, today)
            number = v.get("id_number") or ""
            if r.errors:
                r.outcome = Outcome.REJECTED
            elif number and number in seen:
                r.outcome = Outcome.REJECTED
                r.errors.append(_("与第 %(n)d 行身份证号码相同，同一人只登记一次。") % {"n": seen[number]})
            elif number and v["full_time"] and not v["left_on"] and number in in_post:
                name, org = in_post[number]
                r.outcome = Outcome.UNCHANGED
                r.warnings.append(_("%(n)s已在%(o)s专职在岗，未重复登记。") % {"n": name, "o": org})
            else:
                r.outcome = Outcome.NEW
            if number:
                seen.setdefault(number, r.line)
            if n % 200 == 0:
                progress(n, len(live))
        progress(1, 1)
        return Plan(rows)

    def _check(self, r, v, today):
        """The roster's own rules (the same as the form's), and the place and exit of the row."""
        place = self._place(v["org"])
        if place is None:
            r.errors.append(_("所在社区“%(c)s”不在本次导入的范围内，请填写社区全称或 12 位代码。")
                            % {"c": (v["org"] or self.batch.scope_code)[:30]})  # fmt: skip
        elif not scope.covers(self.actor, place.code, self.perm):
            r.errors.append(_("所在社区不在您的管辖范围内。"))
        v["_org"] = place.code if place else ""
        written = (v["full_time"] or "").strip()
        if written not in ("", "专职", "兼职", "是", "否"):
            r.errors.append(_("“专职或兼职”应填写专职或兼职。"))
        v["full_time"] = written not in ("兼职", "否")
        try:
            clean = services.clean_worker({k: v.get(k) for k in services.WORKER_FIELDS}, today=today)
        except DomainError as exc:
            r.errors.append(exc.message)
            return
        v.update({k: clean[k] for k in services.WORKER_FIELDS})
        if bool(v["left_on"]) != bool(v["exit_reason"]):
            r.errors.append(_("离开日期和离开原因须同时填写。"))
        elif v["left_on"] and not (v["hired_on"] < v["left_on"] <= today):
            r.errors.append(_("离开日期应晚于参加社区工作时间，且不晚于今天。"))

    def lock(self) -> None:
        # One roster commit at a time per street: the second plans against the first's workers.
        OrgUnit.objects.select_for_update().filter(code=self.batch.scope_code[:9]).first()

    def apply(self, plan) -> dict:
        accepted = [r for r in plan.rows if r.outcome == Outcome.NEW]
        label = self.batch.batch_label
        records, left = [], 0
        for n, r in enumerate(accepted, start=1):
            v = r.values
            w = services.add_worker(
                self.actor, v["_org"], batch=label, **{k: v[k] for k in services.WORKER_FIELDS}
            )
            if v["left_on"]:
                w = services.record_exit(self.actor, w.pk, on=v["left_on"], reason=v["exit_reason"])
                left += 1
            records.append(ImportRecord(batch=self.batch, model=MODEL, object_id=str(w.pk), created=True,
                                        version_after=w.version))  # fmt: skip
            if n % 50 == 0:
                self.progress(n, len(accepted))
        ImportRecord.objects.bulk_create(records)
        self.progress(1, 1)
        return {"workers": len(records), "left": left}

    def undo(self) -> dict:
        """Delete the workers this batch entered, if none of them has been changed since."""
        records = list(self.batch.records.filter(model=MODEL, created=True))
        now = dict(
            Worker.objects.filter(pk__in=[int(r.object_id) for r in records]).values_list("pk", "version")
        )
        moved = [r for r in records if int(r.object_id) in now and now[int(r.object_id)] != r.version_after]
        if moved:
            names = Worker.objects.filter(pk__in=[int(r.object_id) for r in moved[:5]]).values_list(
                "name", flat=True
            )
            raise Conflict(
                _("本批次登记的人员之后又有修改或变动（如：%(n)s），不能整批撤销。")
                % {"n": "、".join(names)},
                code="undo_blocked",
            )
        deleted = services.remove_imported(self.actor, list(now), batch=self.batch.batch_label)
        return {"deleted": deleted}
