"""The residents workbook: columns, row rules, and how a batch is written and taken back.

Speed matters (a street imports 100,000 rows): rows are checked in plain Python against maps loaded
once per batch (houses of the community, existing residents by blind index, tags), and written with
bulk inserts; encryption and the blind index happen once per value."""

import datetime as dt
import json

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import context, scope
from shequ.core.changelog import REDACTED
from shequ.core.crypto import blind_index, decrypt, encrypt, normalize_default
from shequ.core.errors import Conflict, ValidationFailed
from shequ.core.importing import Column, Importer, Outcome, Plan, register_importer
from shequ.core.models import Action, ChangeLogEntry, ImportRecord
from shequ.core.validators import id_check_char
from shequ.org.models import Building, BuildingUnit, Grid, House, OrgUnit
from shequ.people.choices import (
    DocType,
    Education,
    Employment,
    Ethnicity,
    EventKind,
    Gender,
    MaritalStatus,
    PoliticalStatus,
    Relationship,
    ResidenceType,
    Status,
)
from shequ.people.models import Household, PopulationEvent, Resident, ResidentTag, TagDefinition
from shequ.people.tags import can_see

BATCH = 2000
# Fields a row may change on an existing resident (house and residence type become events).
COMPARED = [
    "name", "doc_type", "gender", "birth_date", "ethnicity", "education", "political_status", "marital_status",
    "phone", "registered_address", "move_in_date", "employment", "work_unit", "remarks", "relationship",
]  # fmt: skip
EXAMPLE_ID = "42011519580312" + "003"
EXAMPLE_ID += id_check_char(EXAMPLE_ID)


def _address_key(compound, building, unit, number) -> tuple:
    return tuple("".join(str(p or "").split()) for p in (compound, building, unit, number))


@register_importer
class ResidentImporter(Importer):
    kind = "people.residents"
    title = _l("居民信息")
    perm = "people.import_residents"
    columns = [
        Column(_l("姓名"), "name", required=True, max_length=50),
        Column(_l("证件类型"), "doc_type", kind="choice", choices=DocType, help=_l("留空视为居民身份证")),
        Column(
            _l("证件号码"),
            "doc_number",
            required=True,
            text_format=True,
            max_length=30,
            aliases=(_l("身份证号码"), _l("公民身份号码"), _l("身份证号")),
        ),
        Column(_l("性别"), "gender", kind="choice", choices=Gender, help=_l("身份证可留空，由号码得出")),
        Column(_l("出生日期"), "birth_date", kind="date", help=_l("身份证可留空，由号码得出")),
        Column(_l("民族"), "ethnicity", kind="choice", choices=Ethnicity),
        Column(_l("文化程度"), "education", kind="choice", choices=Education),
        Column(_l("政治面貌"), "political_status", kind="choice", choices=PoliticalStatus),
        Column(_l("婚姻状况"), "marital_status", kind="choice", choices=MaritalStatus),
        Column(_l("联系电话"), "phone", kind="phone", text_format=True, aliases=(_l("手机号码"), _l("电话"))),
        Column(_l("户籍地址"), "registered_address", max_length=200),
        Column(_l("居住类型"), "residence_type", required=True, kind="choice", choices=ResidenceType),
        Column(_l("迁入日期"), "move_in_date", kind="date"),
        Column(_l("就业状况"), "employment", kind="choice", choices=Employment),
        Column(_l("工作单位"), "work_unit", max_length=100),
        Column(_l("小区"), "compound", max_length=100),
        Column(_l("楼栋"), "building", required=True, max_length=30, help=_l("如：3栋")),
        Column(_l("单元"), "unit", max_length=30, help=_l("如：1单元；楼栋只有一个单元时可留空")),
        Column(_l("房号"), "house", required=True, max_length=30, text_format=True, help=_l("如：1201")),
        Column(_l("与户主关系"), "relationship", kind="choice", choices=Relationship),
        Column(_l("人群标签"), "tags", kind="list", help=_l("多个标签用顿号或逗号分隔，如：独居老人、低保")),
        Column(_l("备注"), "remarks", max_length=500),
    ]
    example = {
        "name": "张建国", "doc_type": "居民身份证", "doc_number": EXAMPLE_ID, "gender": "男",
        "birth_date": "1958-03-12", "ethnicity": "汉族", "education": "初中", "political_status": "中共党员",
        "marital_status": "已婚", "phone": "13807150000", "registered_address": "湖北省武汉市江夏区纸坊街宁安社区",
        "residence_type": "户籍在住", "move_in_date": "2008/5/1", "employment": "离退休", "compound": "宁安小区",
        "building": "3栋", "unit": "1单元", "house": "301", "relationship": "户主", "tags": "独居老人、空巢老人",
    }  # fmt: skip
    instructions = [
        _l(
            "4. 证件号码与系统中已有居民相同时按“更新”处理；同一人已在其他社区在册时列为“冲突”，请发起迁入申请。"
        ),
        _l("5. 小区、楼栋、单元、房号须与房屋库一致；房屋库中没有的地址，确认导入时可选择自动新建。"),
        _l("6. 人群标签只会新增，不会删除已有标签；“60岁以上”“党员”等由系统自动计算，无需填写。"),
    ]

    # --- planning --------------------------------------------------------------------------------
    def _community(self) -> OrgUnit:
        unit = OrgUnit.objects.filter(code=self.batch.scope_code[:12], level="community").first()
        if unit is None:
            raise ValidationFailed(_("导入须指定一个社区。"), code="not_a_community")
        return unit

    def _houses(self, community):
        houses = {}
        units = {}
        for h in House.objects.filter(scope_code__startswith=community.code).select_related("unit__building"):
            b = h.unit.building
            houses[_address_key(b.compound, b.number, h.unit.number, h.number)] = h
            units.setdefault((_address_key(b.compound, b.number, "", "")[:2]), []).append(h.unit)
        sole = {}
        for key, us in units.items():
            distinct = {u.pk: u for u in us}
            sole[key] = next(iter(distinct.values())) if len(distinct) == 1 else None
        return houses, sole

    def _new_building_grid(self, community):
        """Where buildings this batch creates go: the chosen grid, the worker's own grid, or the
        community's only grid."""
        gid = self.batch.options.get("grid_id")
        grids = Grid.objects.filter(community=community)
        if gid:
            return grids.filter(pk=gid).first()
        if len(self.batch.scope_code) > 12:  # a grid worker's batch: their grid
            return grids.filter(code=self.batch.scope_code).first()
        own = [
            m.grid for m in scope.memberships(self.actor) if m.grid_id and m.grid.community_id == community.pk
        ]
        if len(own) == 1:
            return own[0]
        only = list(grids[:2])
        return only[0] if len(only) == 1 else None

    def plan(self, rows, progress) -> Plan:
        community = self._community()
        roots = scope.scope_codes(self.actor, {m.role for m in scope.memberships(self.actor)} & _roles())
        writable = (
            (lambda code: True) if roots is None else (lambda code: any(code.startswith(r) for r in roots))
        )
        houses, sole_unit = self._houses(community)
        grid = self._new_building_grid(community)
        tags_by_name = {t.name: t for t in TagDefinition.objects.filter(active=True)}
        today = timezone.localdate()
        seen = {}
        missing_addresses = set()
        ok = [r for r in rows if r.outcome != Outcome.REJECTED]
        for r in ok:
            v = r.values
            self._check_row(r, v, today, tags_by_name)
            if r.errors:
                r.outcome = Outcome.REJECTED
                continue
            first = seen.get(v["_doc_index"])
            if first is not None:
                r.errors.append(_("证件号码与第 %(n)d 行重复。") % {"n": first})
                r.outcome = Outcome.REJECTED
                continue
            seen[v["_doc_index"]] = r.line
            key = _address_key(v["compound"], v["building"], v["unit"], v["house"])
            house = houses.get(key)
            if house is None and not v["unit"]:
                unit = sole_unit.get(key[:2])
                if unit is not None:
                    house = houses.get(_address_key(v["compound"], v["building"], unit.number, v["house"]))
                    if house is None:
                        v["unit"] = unit.number
            if house is not None:
                if not writable(house.scope_code):
                    r.errors.append(_("该地址不在您负责的网格内。"))
                    r.outcome = Outcome.REJECTED
                    continue
                v["_house"] = house
            else:
                if grid is None:
                    r.errors.append(
                        _(
                            "地址“%(a)s”在房屋库中不存在，且未指定新建楼栋所属的网格。请先在房屋库中登记，或导入时选择网格。"
                        )
                        % {"a": "".join(key)}
                    )
                    r.outcome = Outcome.REJECTED
                    continue
                if not writable(grid.code):
                    r.errors.append(_("新建楼栋所属的网格不在您的管辖范围内。"))
                    r.outcome = Outcome.REJECTED
                    continue
                v["_house"] = None
                v["_address"] = key if v["unit"] else (*key[:2], "1单元", key[3])
                r.warnings.append(_("房屋库中没有该地址，确认导入时将新建。"))
                missing_addresses.add(v["_address"])
        progress(1, 3)
        self._match_existing(ok, community, writable)
        progress(3, 3)
        plan = Plan(rows)
        if missing_addresses:
            plan.notes.append(
                _("有 %(n)d 个地址在房屋库中不存在，确认导入时将在网格“%(g)s”下新建。")
                % {"n": len(missing_addresses), "g": grid.name if grid else "—"}
            )
        plan.extra = {"missing_addresses": len(missing_addresses), "grid": grid.pk if grid else None}
        return plan

    def _check_row(self, r, v, today, tags_by_name):
        doc_type = v["doc_type"] or DocType.ID_CARD
        v["doc_type"] = doc_type
        raw_number = v["doc_number"] or ""
        number = "".join(raw_number.split()).upper()
        v["doc_number"] = number
        if doc_type == DocType.ID_CARD:
            err = _id_error(number, today)
            if err:
                r.errors.append(err)
                return
            birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            gender = Gender.MALE if int(number[16]) % 2 else Gender.FEMALE
            if v["gender"] and v["gender"] != Gender.UNKNOWN and v["gender"] != gender:
                r.errors.append(
                    _("性别与身份证号码不符：号码第 17 位表示%(g)s。") % {"g": Gender(gender).label}
                )
            if v["birth_date"] and v["birth_date"] != birth:
                r.errors.append(
                    _("出生日期与身份证号码不符：号码中的出生日期是 %(d)s。") % {"d": birth.isoformat()}
                )
            v["gender"], v["birth_date"] = gender, birth
        elif not 5 <= len(number) <= 30:
            r.errors.append(_("证件号码长度应在 5 到 30 位之间。"))
        if v["birth_date"] and v["birth_date"] > today:
            r.errors.append(_("出生日期不能晚于今天。"))
        if v["move_in_date"] and v["move_in_date"] > today:
            r.errors.append(_("迁入日期不能晚于今天。"))
        names = v["tags"] or []
        keys = []
        for n in names:
            tag = tags_by_name.get(n)
            if tag is None or not can_see(self.actor, tag):
                r.errors.append(_("人群标签“%(t)s”不存在，可用的标签见“人群标签设置”。") % {"t": n[:20]})
            elif tag.derived:
                r.warnings.append(_("“%(t)s”由系统自动计算，已忽略。") % {"t": tag.name})
            else:
                keys.append(tag)
        v["tags"] = keys
        v["_doc_index"] = blind_index(normalize_default(number), "people.resident.doc_number")

    def _match_existing(self, rows, community, writable):
        candidates = [r for r in rows if r.outcome != Outcome.REJECTED]
        by_index = {}
        idx = [r.values["_doc_index"] for r in candidates]
        for i in range(0, len(idx), BATCH):
            for res in Resident.objects.filter(doc_index__in=idx[i : i + BATCH]).select_related("community"):
                by_index[res.doc_index] = res
        existing_tags = {}
        hit_ids = [res.pk for res in by_index.values()]
        for i in range(0, len(hit_ids), BATCH):
            for rid, key in (
                ResidentTag.objects.filter(resident_id__in=hit_ids[i : i + BATCH])
                .current()
                .values_list("resident_id", "tag_key")
            ):
                existing_tags.setdefault(rid, set()).add(key)
        for r in candidates:
            v = r.values
            res = by_index.get(v["_doc_index"])
            if res is None:
                r.outcome = Outcome.NEW
                continue
            if res.community_id != community.pk or res.status == Status.MOVED_OUT:
                r.outcome = Outcome.CONFLICT
                where = res.community.display_name
                r.errors.append(
                    _("该居民已在%(c)s在册，不能重复登记；请发起迁入申请，由原社区确认后迁入。")
                    % {"c": where}
                    if res.status == Status.ACTIVE
                    else _("该居民已有登记（%(s)s，%(c)s），请发起迁入申请。")
                    % {"s": res.get_status_display(), "c": where}
                )
                r.extra["action"] = "transfer"
                continue
            if res.status == Status.DECEASED:
                r.outcome = Outcome.REJECTED
                r.errors.append(_("该居民已登记死亡，不能导入。"))
                continue
            if not writable(res.scope_code):
                r.outcome = Outcome.CONFLICT
                r.errors.append(_("该居民由本社区其他网格管理，请联系该网格的网格员。"))
                continue
            r.target = res
            changes = {}
            for f in COMPARED:
                new = v.get(f)
                if new in (None, "") or new == getattr(res, f):
                    continue
                changes[f] = new
            if v["residence_type"] != res.residence_type:
                changes["residence_type"] = v["residence_type"]
            house = v.get("_house")
            if house is None or house.pk != res.house_id:
                changes["house"] = house
            new_tags = [t for t in v["tags"] if t.key not in existing_tags.get(res.pk, set())]
            r.extra["changes"], r.extra["new_tags"] = changes, new_tags
            r.outcome = Outcome.UPDATED if changes or new_tags else Outcome.UNCHANGED

    # --- writing ---------------------------------------------------------------------------------
    def lock(self) -> None:
        # One commit at a time per community: a second one waits here, then plans against the
        # rows the first wrote (no duplicate, no lost update). The blind-index unique constraint
        # backs this up across communities.
        OrgUnit.objects.select_for_update().get(code=self.batch.scope_code[:12])

    def apply(self, plan) -> dict:
        community = OrgUnit.objects.get(code=self.batch.scope_code[:12])
        label = self.batch.batch_label
        accepted = plan.accepted()
        create_missing = self.batch.options.get("create_missing", True)
        houses = self._create_houses(community, accepted, create_missing, plan)
        accepted = plan.accepted()
        new_rows = [r for r in accepted if r.outcome == Outcome.NEW]
        upd_rows = [r for r in accepted if r.outcome == Outcome.UPDATED]
        intervals = {t.key: t.visit_interval_days for t in TagDefinition.objects.filter(active=True, rule="")}
        today = timezone.localdate()
        households = self._households(community, new_rows, houses, label)
        residents = []
        for r in new_rows:
            v = r.values
            house = v["_house"] or houses[v["_address"]]
            interval = min((intervals[t.key] for t in v["tags"] if intervals.get(t.key)), default=None)
            res = Resident(
                community=community,
                house=house,
                household=households.get(house.pk),
                relationship=v["relationship"] or "",
                name=v["name"],
                doc_type=v["doc_type"],
                doc_number=v["doc_number"],
                gender=v["gender"] or Gender.UNKNOWN,
                birth_date=v["birth_date"],
                ethnicity=v["ethnicity"] or "",
                education=v["education"] or "",
                political_status=v["political_status"] or "",
                marital_status=v["marital_status"] or "",
                phone=v["phone"] or "",
                registered_address=v["registered_address"] or "",
                residence_type=v["residence_type"],
                move_in_date=v["move_in_date"],
                employment=v["employment"] or "",
                work_unit=v["work_unit"] or "",
                remarks=v["remarks"] or "",
                import_batch=self.batch,
                visit_interval_days=interval,
                next_visit_due=today + dt.timedelta(days=interval) if interval else None,
            )
            res.scope_code = house.scope_code
            residents.append(res)
        done = 0
        total = len(residents) + len(upd_rows)
        for i in range(0, len(residents), BATCH):
            Resident.objects.bulk_create(residents[i : i + BATCH])
            done += len(residents[i : i + BATCH])
            self.progress(done, total)
        heads = []
        for res in residents:
            if (
                res.relationship == Relationship.HEAD
                and res.household is not None
                and res.household.head_id is None
            ):
                res.household.head = res
                heads.append(res.household)
        Household.objects.bulk_update(heads, ["head"], batch_size=BATCH)
        tags, events, logs = [], [], []
        log = _LogWriter(self.actor, label)
        for r, res in zip(new_rows, residents, strict=True):
            for t in r.values["tags"]:
                tags.append(ResidentTag(resident=res, tag_key=t.key, start_date=today))
            events.append(
                PopulationEvent(
                    resident=res,
                    kind=EventKind.REGISTER,
                    date=today,
                    actor=self.actor,
                    batch=label,
                    note=_("批量导入建档"),
                )
            )
            logs.append(log.entry(Action.CREATE, res, after=_after(r.values, res)))
        updated = self._apply_updates(upd_rows, houses, today, label, tags, events, logs, log)
        ResidentTag.objects.bulk_create(tags, batch_size=BATCH)
        PopulationEvent.objects.bulk_create(events, batch_size=BATCH)
        ChangeLogEntry.objects.bulk_create(logs, batch_size=BATCH)
        self.progress(total, total)
        return {"created": len(residents), "updated": updated, "houses_created": len(houses)}

    def _create_houses(self, community, accepted, create_missing, plan):
        wanted = sorted({r.values["_address"] for r in accepted if r.values.get("_house") is None})
        if not wanted:
            return {}
        if not create_missing:
            for r in accepted:
                if r.values.get("_house") is None:
                    r.outcome = Outcome.REJECTED
                    r.errors.append(_("地址在房屋库中不存在（导入时未选择自动新建）。"))
            return {}
        grid = Grid.objects.get(pk=plan.extra["grid"])
        records = []
        buildings = {(b.compound, b.number): b for b in Building.objects.filter(grid__community=community)}
        units = {
            (u.building_id, u.number): u
            for u in BuildingUnit.objects.filter(building__grid__community=community)
        }
        existing = {
            _address_key(h.unit.building.compound, h.unit.building.number, h.unit.number, h.number): h
            for h in House.objects.filter(scope_code__startswith=community.code).select_related(
                "unit__building"
            )
        }
        out = {}
        for key in wanted:
            compound, bnum, unum, hnum = key
            if key in existing:  # created by a concurrent import since the plan
                out[key] = existing[key]
                continue
            b = buildings.get((compound, bnum))
            if b is None:
                b = Building.objects.create(grid=grid, compound=compound, number=bnum)
                buildings[(compound, bnum)] = b
                records.append(
                    ImportRecord(batch=self.batch, model="org.building", object_id=str(b.pk), created=True)
                )
            u = units.get((b.pk, unum))
            if u is None:
                u = BuildingUnit.objects.create(building=b, number=unum)
                units[(b.pk, unum)] = u
                records.append(
                    ImportRecord(
                        batch=self.batch, model="org.buildingunit", object_id=str(u.pk), created=True
                    )
                )
            h = House.objects.create(unit=u, number=hnum)
            records.append(
                ImportRecord(batch=self.batch, model="org.house", object_id=str(h.pk), created=True)
            )
            out[key] = h
        ImportRecord.objects.bulk_create(records, batch_size=BATCH)
        return out

    def _households(self, community, new_rows, houses, label):
        """One household per house among the new rows: the house's existing household, or a new
        one (its head set once the residents exist)."""
        house_ids = {(r.values["_house"] or houses[r.values["_address"]]).pk for r in new_rows}
        existing = {}
        ids = list(house_ids)
        for i in range(0, len(ids), BATCH):
            for hh in Household.objects.filter(house_id__in=ids[i : i + BATCH]).order_by("id"):
                existing.setdefault(hh.house_id, hh)
        by_pk = {}
        for r in new_rows:
            h = r.values["_house"] or houses[r.values["_address"]]
            by_pk[h.pk] = h
        fresh = []
        for pk, house in by_pk.items():
            if pk not in existing:
                hh = Household(community=community, house=house, import_batch=self.batch)
                hh.scope_code = house.scope_code
                fresh.append(hh)
        Household.objects.bulk_create(fresh, batch_size=BATCH)
        for hh in fresh:
            existing[hh.house_id] = hh
        return existing

    def _apply_updates(self, rows, houses, today, label, tags, events, logs, log) -> int:
        if not rows:
            return 0
        records = []
        for r in rows:
            res = Resident.objects.select_for_update().get(pk=r.target.pk)
            before = _raw(res)
            snap = _snap(res)
            changes = dict(r.extra["changes"])
            house = res.house
            if "house" in changes:
                changes.pop("house")
                house = r.values["_house"] or houses[r.values["_address"]]
            rtype = changes.pop("residence_type", None)
            for k, val in changes.items():
                setattr(res, k, val)
            if house is not None and house.pk != res.house_id:
                events.append(
                    PopulationEvent(
                        resident=res,
                        kind=EventKind.MOVE_IN,
                        date=today,
                        actor=self.actor,
                        batch=label,
                        detail={"from": res.house.address if res.house_id else "", "to": house.address},
                        note=_("批量导入：居住房屋变更"),
                    )
                )
                res.house, res.household, res.relationship = house, None, changes.get("relationship", "")
            if rtype:
                events.append(
                    PopulationEvent(
                        resident=res,
                        kind=EventKind.SEPARATION_CHANGE,
                        date=today,
                        actor=self.actor,
                        batch=label,
                        detail={"from": res.residence_type, "to": rtype},
                        note=_("批量导入"),
                    )
                )
                res.residence_type = rtype
            res.scope_code = res.compute_scope_code()
            res.version = F("version") + 1
            res.save()
            res.refresh_from_db()
            for t in r.extra["new_tags"]:
                tags.append(ResidentTag(resident=res, tag_key=t.key, start_date=today))
            records.append(
                ImportRecord(
                    batch=self.batch,
                    model="people.resident",
                    object_id=str(res.pk),
                    before={**before, "_tags_added": [t.key for t in r.extra["new_tags"]]},
                    version_after=res.version,
                )
            )
            logs.append(log.entry(Action.UPDATE, res, before=snap, after=_snap(res)))
        ImportRecord.objects.bulk_create(records, batch_size=BATCH)
        from shequ.people.services import refresh_visit_policy

        ResidentTag.objects.bulk_create(tags, batch_size=BATCH)
        tags.clear()
        for r in rows:
            if r.extra["new_tags"]:
                refresh_visit_policy(Resident.objects.get(pk=r.target.pk))
        return len(rows)

    # --- undo ------------------------------------------------------------------------------------
    def undo(self) -> dict:
        label = self.batch.batch_label
        created = Resident.objects.filter(import_batch=self.batch)
        records = list(self.batch.records.all())
        upd = [r for r in records if r.model == "people.resident"]
        ids = list(created.values_list("pk", flat=True)) + [int(r.object_id) for r in upd]
        touched = _touched_since(self.batch, ids)
        if touched:
            raise Conflict(
                _("本批次导入的居民之后已被修改或登记了走访/变动（如：%(n)s），不能整批撤销。请逐条处理。")
                % {"n": "、".join(touched)},
                code="undo_blocked",
            )
        log = _LogWriter(self.actor, label)
        logs = []
        n_created = 0
        ids = list(created.values_list("pk", flat=True))
        for i in range(0, len(ids), BATCH):
            chunk = ids[i : i + BATCH]
            Household.objects.filter(head_id__in=chunk).update(head=None)
            for res in Resident.objects.filter(pk__in=chunk):
                logs.append(log.entry(Action.DELETE, res, before=_snap(res), note=_("撤销导入")))
            n_created += Resident.objects.filter(pk__in=chunk).delete()[1].get("people.Resident", 0)
        for rec in upd:
            res = Resident.objects.select_for_update().get(pk=int(rec.object_id))
            snap = _snap(res)
            before = dict(rec.before)
            added = before.pop("_tags_added", [])
            _restore(res, before)
            res.version = F("version") + 1
            res.save()
            res.refresh_from_db()
            ResidentTag.objects.filter(resident=res, tag_key__in=added).delete()
            PopulationEvent.objects.filter(resident=res, batch=label).delete()
            from shequ.people.services import refresh_visit_policy

            refresh_visit_policy(res)
            logs.append(log.entry(Action.UPDATE, res, before=snap, after=_snap(res), note=_("撤销导入")))
        Household.objects.filter(import_batch=self.batch, members__isnull=True).delete()
        for model, cls in (
            ("org.house", House),
            ("org.buildingunit", BuildingUnit),
            ("org.building", Building),
        ):
            pks = [int(r.object_id) for r in records if r.model == model and r.created]
            cls.objects.filter(pk__in=pks).filter(**_empty(cls)).delete()
        ChangeLogEntry.objects.bulk_create(logs, batch_size=BATCH)
        return {"deleted": n_created, "restored": len(upd)}


def _touched_since(batch, ids) -> list[str]:
    """Names of residents this batch wrote that anything but this batch (or a later batch that
    was itself undone) has changed since: a visit, an event, an edit."""
    from shequ.core.models import ImportBatch, ImportStatus

    label = batch.batch_label
    undone = [
        f"IMP{pk:06d}"
        for pk in ImportBatch.objects.filter(status=ImportStatus.UNDONE).values_list("pk", flat=True)
    ]
    ct = ContentType.objects.get_for_model(Resident)
    hits = []
    for i in range(0, len(ids), BATCH):
        chunk = ids[i : i + BATCH]
        edited = (
            ChangeLogEntry.objects.filter(
                content_type=ct, object_id__in=[str(p) for p in chunk], time__gt=batch.committed_at
            )
            .exclude(batch=label)
            .exclude(batch__in=undone)
            .values_list("object_id", flat=True)
        )
        hits += [int(p) for p in edited[:5]]
        hits += list(
            Resident.objects.filter(pk__in=chunk, visits__created_at__gt=batch.committed_at).values_list(
                "pk", flat=True
            )[:5]
        )
        hits += list(
            PopulationEvent.objects.filter(resident_id__in=chunk, created_at__gt=batch.committed_at)
            .exclude(batch=label)
            .exclude(batch__in=undone)
            .values_list("resident_id", flat=True)[:5]
        )
        if len(hits) >= 5:
            break
    names = Resident.objects.filter(pk__in=hits[:5]).values_list("name", flat=True)
    return list(dict.fromkeys(names))


def _roles():
    from shequ.core.roles import roles_with

    return set(roles_with("people.import_residents"))


def _empty(cls) -> dict:
    if cls is House:
        return {"residents__isnull": True, "households__isnull": True}
    if cls is BuildingUnit:
        return {"houses__isnull": True}
    return {"units__isnull": True, "assignments__isnull": True}


def _id_error(number: str, today) -> str | None:
    """The reason an 18-digit 身份证 number is wrong, or None (inline for speed: ~1 µs a row)."""
    if len(number) != 18:
        return _("身份证号码应为 18 位，当前为 %(n)d 位。") % {"n": len(number)}
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return _("身份证号码前 17 位须为数字，最后一位为数字或 X。")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return _("身份证号码中的出生日期 %(d)s 不存在。") % {"d": number[6:14]}
    if birth > today or birth.year < 1900:
        return _("身份证号码中的出生日期 %(d)s 不合理。") % {"d": birth.isoformat()}
    expected = id_check_char(number[:17])
    if number[17] != expected:
        return _("身份证号码校验位错误：最后一位应为 %(e)s，请核对是否抄错。") % {"e": expected}
    return None


_SENSITIVE = {"doc_number", "doc_index", "phone", "phone_index"}


def _after(values: dict, res) -> dict:
    out = {k: v for k, v in values.items() if not k.startswith("_") and k not in _SENSITIVE and k != "tags"}
    out.update(
        {
            "doc_number": REDACTED,
            "phone": REDACTED if values.get("phone") else "",
            "scope_code": res.scope_code,
        }
    )
    out["tags"] = len(values.get("tags") or [])
    return json.loads(json.dumps(out, cls=DjangoJSONEncoder))


def _snap(res) -> dict:
    from shequ.core.changelog import snapshot

    return snapshot(res)


def _raw(res) -> dict:
    """Values to restore on undo; sensitive ones re-encrypted (never plaintext in the table)."""
    out = {}
    for f in Resident._meta.concrete_fields:
        if f.primary_key or f.name in ("version", "created_at", "updated_at", "doc_index", "phone_index"):
            continue
        value = f.value_from_object(res)
        if f.name in _SENSITIVE and value:
            value = "enc:" + encrypt(value)
        out[f.attname] = value
    return json.loads(json.dumps(out, cls=DjangoJSONEncoder))


def _restore(res, before: dict) -> None:
    for f in Resident._meta.concrete_fields:
        if f.attname not in before:
            continue
        value = before[f.attname]
        if isinstance(value, str) and value.startswith("enc:"):
            value = decrypt(value[4:])
        elif value is not None and f.get_internal_type() == "DateField":
            value = dt.date.fromisoformat(value)
        setattr(res, f.attname, value)


class _LogWriter:
    """Change-log rows for bulk writes, built without a query each."""

    def __init__(self, actor, batch):
        self.actor, self.batch = actor, batch
        self.ctx = context.current()
        self.ct = ContentType.objects.get_for_model(Resident)
        self.now = timezone.now()

    def entry(self, action, res, *, before=None, after=None, note=""):
        changed = []
        if before is not None and after is not None:
            changed = sorted(
                k
                for k in set(before) | set(after)
                if before.get(k) != after.get(k) and k not in ("updated_at", "version")
            )
        return ChangeLogEntry(
            time=self.now,
            user=self.actor,
            username=self.actor.username,
            ip=self.ctx.ip,
            request_id=self.ctx.request_id,
            channel=self.ctx.channel,
            action=action,
            content_type=self.ct,
            object_id=str(res.pk),
            object_repr=res.name[:200],
            scope_code=res.scope_code,
            before=before,
            after=after,
            changed=changed,
            note=note or _("批量导入"),
            batch=self.batch,
        )
