"""The residents workbook: columns, row rules, and how a batch is written and taken back.

Speed matters (a street imports 100,000 rows): rows are checked in plain Python against maps loaded
once per batch (houses of the community, existing residents by blind index, tags), and written with
bulk inserts; encryption and the blind index happen once per value."""

import datetime as dt
import functools
import json
import re
import sys
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import bulk, context, scope
from shequ.core.addresses import compound_key
from shequ.core.crypto import blind_index, decrypt, encrypt, normalize_default
from shequ.core.errors import Conflict, ValidationFailed
from shequ.core.importing import Column, Importer, Outcome, Plan, register_importer, row_where
from shequ.core.models import Action, ChangeLogEntry, ImportRecord
from shequ.core.scope import subtree_q
from shequ.core.sheets import nfkc
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
from shequ.people.models import (
    Household,
    PopulationEvent,
    Resident,
    ResidentTag,
    TagDefinition,
    tag_intervals,
    visit_policy,
)
from shequ.people.services import seen_by
from shequ.people.tags import can_see

BATCH = 2000
# Rows per chunk of the file, and keys per lookup. The reading process works a chunk ahead, so two
# chunks are held at once: with 5,000-row chunks the two processes passed 500 MB at 200,000 rows.
CHUNK = 2500
# Fields a row may change on an existing resident (house and residence type become events).
COMPARED = [
    "name", "doc_type", "gender", "birth_date", "ethnicity", "education", "political_status", "marital_status",
    "phone", "registered_address", "move_in_date", "employment", "work_unit", "remarks", "relationship",
]  # fmt: skip
EXAMPLE_ID = "42011519580312" + "003"
EXAMPLE_ID += id_check_char(EXAMPLE_ID)


class HouseRef(NamedTuple):
    pk: int
    scope_code: str
    address: str


def house_map(community_code: str) -> dict[tuple, HouseRef]:
    """(小区, 楼栋, 单元, 房号) → house, for one community, in one query."""
    rows = House.objects.filter(subtree_q("scope_code", community_code)).values_list(
        "unit__building__compound",
        "unit__building__number",
        "unit__number",
        "number",
        "pk",
        "scope_code",
        "address",
    )
    return {_address_key(c, b, u, n): HouseRef(pk, sc, a) for c, b, u, n, pk, sc, a in rows}


def _address_key(compound, building, unit, number) -> tuple:
    return tuple("".join(str(p or "").split()) for p in (compound, building, unit, number))


_BUILDING_SUFFIX = re.compile(r"(号楼|栋|幢|座|楼|号)$")
_UNIT_SUFFIX = re.compile(r"单元$")
_ROOM_SUFFIX = re.compile(r"(室|号|房)$")


def _loose_key(key: tuple) -> tuple:
    """An address as ledgers write it loosely: 幸福家园小区 = 幸福家园, 3号楼 = 3幢 = 3栋 = 3,
    2单元 = 2, 1202室 = 1202 (full-width digits as ASCII)."""
    return (*_loose_unit(*key[:3]), _ROOM_SUFFIX.sub("", nfkc(key[3])).upper())


@functools.lru_cache(maxsize=20_000)  # a community has hundreds of units, each met many times
def _loose_unit(compound: str, building: str, unit: str) -> tuple:
    return (
        compound_key(nfkc(compound)),
        _BUILDING_SUFFIX.sub("", nfkc(building)),
        _UNIT_SUFFIX.sub("", nfkc(unit)),
    )


@register_importer
class ResidentImporter(Importer):
    kind = "people.residents"
    chunk_rows = CHUNK
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
            mask="id_number",
            compact=True,
        ),
        Column(_l("性别"), "gender", kind="choice", choices=Gender, help=_l("身份证可留空，由号码得出")),
        Column(_l("出生日期"), "birth_date", kind="date", help=_l("身份证可留空，由号码得出")),
        Column(_l("民族"), "ethnicity", kind="choice", choices=Ethnicity),
        Column(_l("文化程度"), "education", kind="choice", choices=Education),
        Column(_l("政治面貌"), "political_status", kind="choice", choices=PoliticalStatus),
        Column(_l("婚姻状况"), "marital_status", kind="choice", choices=MaritalStatus),
        Column(
            _l("联系电话"),
            "phone",
            kind="phone",
            text_format=True,
            aliases=(_l("手机号码"), _l("电话")),
            mask="phone",
        ),
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
    extra_columns = [
        Column(
            _l("现住址"),
            "address",
            kind="address",
            fills=("compound", "building", "unit", "house"),
            help=_l("一列写全的地址，如“幸福家园3栋2单元1202”，拆分为小区、楼栋、单元、房号"),
        ),
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
        """Address → house of the whole community (tuples, not model instances: 40,000 of them),
        and for each building with a single unit that unit's number (a blank 单元 means it)."""
        houses, units = house_map(community.code), {}
        for key in houses:
            units.setdefault(key[:2], set()).add(key[2])
        sole = {k: next(iter(us)) for k, us in units.items() if len(us) == 1}
        loose = {}
        for key, ref in houses.items():
            loose.setdefault(_loose_key(key), ref)
        compounds = {key[0] for key in houses}
        self._only_compound = next(iter(compounds)) if len(compounds) == 1 else None
        self._loose = loose
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

    def start(self) -> None:
        """What every chunk of the file is checked against, loaded once per batch."""
        self._community_unit = community = self._community()
        roots = scope.scope_codes(self.actor, {m.role for m in scope.memberships(self.actor)} & _roles())
        self._writable = (
            (lambda code: True) if roots is None else (lambda code: any(code.startswith(r) for r in roots))
        )
        self._house_index, self._sole_unit = self._houses(community)
        self._grid = self._new_building_grid(community)
        # The tags this user may name (a tag they may not see is, to them, a tag that does not exist).
        self._tags_by_name = {
            t.name: t for t in TagDefinition.objects.filter(active=True) if can_see(self.actor, t)
        }
        self._today = timezone.localdate()
        self._seen = {}  # blind index of each ID number → (sheet, line) of its first row
        self._heads = {}  # house (or new address) → (sheet, line) of its first 户主
        self._missing = set()  # addresses to create
        self._made = {}  # "小区\x1f楼栋\x1f单元\x1f房号" → house, created by this batch so far

    def prepare(self, rows) -> None:
        """Each row's own rules, its ID number's blind index and, for a commit, the ciphertexts
        of its ID number and phone (run in the reading process for a large file)."""
        today, tags_by_name = self._today, self._tags_by_name
        phone_purpose = "people.resident.phone"
        for r in rows:
            if r.outcome == Outcome.REJECTED:
                continue
            v = r.values
            self._check_row(r, v, today, tags_by_name)
            if r.errors:
                r.outcome = Outcome.REJECTED
                continue
            self._find_house(v)
            if self.writing:
                v["_doc_cipher"] = encrypt(v["doc_number"])
                phone = v["phone"]
                if phone:
                    v["_phone_cipher"] = encrypt(phone)
                    v["_phone_index"] = blind_index(normalize_default(phone), phone_purpose)

    def _find_house(self, v) -> None:
        """The row's house in the registry as the batch started (`_house`), or None and the
        address to create (`_address`); `_key` is the address as written."""
        houses = self._house_index
        if not v["compound"] and self._only_compound:
            v["compound"] = self._only_compound  # a community of one compound: it goes unsaid
        v["_key"] = key = _address_key(v["compound"], v["building"], v["unit"], v["house"])
        house = houses.get(key) or self._loose.get(_loose_key(key))
        if house is None and not v["unit"]:
            unit = self._sole_unit.get(key[:2])
            if unit is not None:
                house = houses.get(_address_key(v["compound"], v["building"], unit, v["house"]))
                if house is None:
                    v["unit"] = unit
        v["_house"] = house
        if house is None:
            v["_address"] = key if v["unit"] else (*key[:2], "1单元", key[3])

    def plan(self, rows, progress) -> Plan:
        community, writable, grid = self._community_unit, self._writable, self._grid
        seen, heads, missing_addresses = self._seen, self._heads, self._missing
        will_create = _("房屋库中没有该地址，确认导入时将新建。")
        ok = [r for r in rows if r.outcome != Outcome.REJECTED]
        for r in ok:
            v = r.values
            digest = bytes.fromhex(v["_doc_index"])  # 32 bytes kept per row, not the text
            first = seen.get(digest)
            if first is not None:
                where = row_where(*first) if type(first) is tuple else row_where("", first)
                r.errors.append(_("证件号码与%(w)s重复。") % {"w": where})
                r.outcome = Outcome.REJECTED
                continue
            seen[digest] = (r.sheet, r.line) if r.sheet else r.line
            house = v["_house"]
            if house is not None:
                if not writable(house.scope_code):
                    r.errors.append(_("该地址不在您负责的网格内。"))
                    r.outcome = Outcome.REJECTED
                    continue
            else:
                if not self.batch.options.get("create_missing", True):
                    r.errors.append(_("地址在房屋库中不存在（导入时未选择自动新建）。"))
                    r.outcome = Outcome.REJECTED
                    continue
                if grid is None:
                    r.errors.append(
                        _(
                            "地址“%(a)s”在房屋库中不存在，且未指定新建楼栋所属的网格。请先在房屋库中登记，或导入时选择网格。"
                        )
                        % {"a": "".join(v["_key"])}
                    )
                    r.outcome = Outcome.REJECTED
                    continue
                if not writable(grid.code):
                    r.errors.append(_("新建楼栋所属的网格不在您的管辖范围内。"))
                    r.outcome = Outcome.REJECTED
                    continue
                r.warnings.append(will_create)
                missing_addresses.add(v["_address"])
            if v["relationship"] == Relationship.HEAD:
                where = v["_house"].pk if v["_house"] else v["_address"]
                if where in heads:
                    r.warnings.append(
                        _("与%(w)s同住一套房屋，也填了“户主”：只有第一位作为户主，请核对。")
                        % {"w": row_where(*heads[where])}
                    )
                else:
                    heads[where] = (r.sheet, r.line)
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
        doc_type = v["doc_type"] or DocType.ID_CARD.value
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
            gender = (
                Gender.MALE.value if int(number[16]) % 2 else Gender.FEMALE.value
            )  # plain str: rows are pickled
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
            if tag is None:
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
        for i in range(0, len(idx), CHUNK):
            for res in Resident.objects.filter(doc_index__among=idx[i : i + CHUNK]).select_related(
                "community"
            ):
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
            if res.community_id == community.pk and res.status == Status.MOVED_OUT:
                r.outcome = Outcome.REJECTED
                r.errors.append(_("该居民已从本社区迁出，请在其原记录上登记“迁入”，不要重复导入。"))
                continue
            if res.community_id != community.pk:
                r.outcome = Outcome.CONFLICT
                where = res.community.display_name
                if not seen_by(self.actor, res):  # outside the uploader's scope: not where, nor how
                    r.errors.append(
                        _("该居民已在其他社区登记，不能重复登记；请发起迁入申请，由原社区确认后迁入。")
                    )
                elif res.status == Status.ACTIVE:
                    r.errors.append(
                        _("该居民已在%(c)s在册，不能重复登记；请发起迁入申请，由原社区确认后迁入。")
                        % {"c": where}
                    )
                else:
                    r.errors.append(
                        _("该居民已有登记（%(s)s，%(c)s），请发起迁入申请。")
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
        """Write one chunk's plan: missing houses, households, residents, tags and events, each as
        one multi-row statement (see core.bulk). A new resident's history shows the batch that
        created them (Resident.import_batch and the batch's own change-log entry, see
        core.changelog.history): no change-log row per resident. An updated resident gets one,
        with the values before and after."""
        community = self._community_unit
        label = self.batch.batch_label
        accepted = plan.accepted()
        houses, houses_created = self._create_houses(community, accepted, plan)
        new_rows = [r for r in accepted if r.outcome == Outcome.NEW]
        upd_rows = [r for r in accepted if r.outcome == Outcome.UPDATED]
        intervals = tag_intervals()
        today = timezone.localdate()
        now = timezone.now()
        for r in new_rows:
            r.values["_house"] = r.values["_house"] or houses["\x1f".join(r.values["_address"])]
        for r, rid in zip(new_rows, bulk.reserve_ids(Resident, len(new_rows)), strict=True):
            r.values["_id"] = rid
        household_of = self._households(community, new_rows, now)
        self.progress(1, 10)
        names = [
            "id", "scope_code", "created_at", "updated_at", "version", "community_id", "house_id", "household_id",
            "relationship", "name", "doc_type", "doc_number", "doc_index", "gender", "birth_date", "ethnicity",
            "education", "political_status", "marital_status", "phone", "phone_index", "registered_address",
            "residence_type", "move_in_date", "employment", "work_unit", "status", "remarks", "visit_interval_days",
            "next_visit_due", "import_batch_id",
        ]  # fmt: skip

        def resident_rows():
            for r in new_rows:
                v = r.values
                house = v["_house"]
                tags = v["tags"]
                interval, due = (
                    visit_policy(Status.ACTIVE, [(intervals.get(t.key), today) for t in tags])
                    if tags
                    else (None, None)
                )
                yield (
                    v["_id"], house.scope_code, now, now, 1, community.pk, house.pk, household_of.get(house.pk),
                    v["relationship"] or "", v["name"], v["doc_type"], v["_doc_cipher"], v["_doc_index"],
                    v["gender"] or Gender.UNKNOWN, v["birth_date"], v["ethnicity"] or "", v["education"] or "",
                    v["political_status"] or "", v["marital_status"] or "", v.get("_phone_cipher", ""),
                    v.get("_phone_index", ""),
                    v["registered_address"] or "", v["residence_type"], v["move_in_date"], v["employment"] or "",
                    v["work_unit"] or "", Status.ACTIVE, v["remarks"] or "", interval,
                    due, self.batch.pk,
                )  # fmt: skip

        bulk.insert(Resident, names, resident_rows())
        self.progress(6, 10)
        tag_rows, event_rows, log_rows = [], [], []
        for r in new_rows:
            rid = r.values["_id"]
            for t in r.values["tags"]:
                tag_rows.append((rid, t.key, "", today, None, "", now))
        updated = self._apply_updates(upd_rows, houses, today, label, tag_rows, event_rows, log_rows)
        bulk.insert(
            ResidentTag,
            ["resident_id", "tag_key", "detail", "start_date", "end_date", "note", "created_at"],
            tag_rows,
        )
        bulk.insert(PopulationEvent, ["resident_id", "kind", "date", "detail", "note", "actor_id", "batch", "created_at"],
                    event_rows)  # fmt: skip
        self.progress(8, 10)
        bulk.insert(ChangeLogEntry, LOG_COLUMNS, log_rows)
        self.progress(10, 10)
        return {"created": len(new_rows), "updated": updated, "houses_created": houses_created}

    def _create_houses(self, community, accepted, plan) -> tuple[dict, int]:
        """Buildings, units and houses the chunk names but the registry lacks, in three inserts.
        Returns (address → house for every address this batch created so far, houses created now)."""
        made = self._made
        wanted = sorted(
            {
                r.values["_address"]
                for r in accepted
                if r.values.get("_house") is None and "\x1f".join(r.values["_address"]) not in made
            }
        )
        if not wanted:
            return made, 0
        grid = Grid.objects.get(pk=plan.extra["grid"])
        now = timezone.now()
        buildings = {(b.compound, b.number): b for b in Building.objects.filter(grid__community=community)}
        fresh_b = sorted({(c, b) for c, b, _u, _h in wanted} - set(buildings))
        bulk.insert(
            Building,
            ["scope_code", "created_at", "updated_at", "version", "grid_id", "compound", "number", "address"],
            [(grid.code, now, now, 1, grid.pk, c, b, f"{c}{b}") for c, b in fresh_b],
        )
        if fresh_b:
            buildings = {
                (b.compound, b.number): b for b in Building.objects.filter(grid__community=community)
            }
        units = {
            (u.building_id, u.number): u
            for u in BuildingUnit.objects.filter(building__grid__community=community)
        }
        fresh_u = sorted({(buildings[(c, b)].pk, u) for c, b, u, _h in wanted} - set(units))
        by_pk = {b.pk: b for b in buildings.values()}
        bulk.insert(
            BuildingUnit,
            ["scope_code", "created_at", "updated_at", "version", "building_id", "number", "address"],
            [(by_pk[bid].scope_code, now, now, 1, bid, u, f"{by_pk[bid].address}{u}") for bid, u in fresh_u],
        )
        if fresh_u:
            units = {
                (u.building_id, u.number): u
                for u in BuildingUnit.objects.filter(building__grid__community=community)
            }
        unit_of = {(c, b, u): units[(buildings[(c, b)].pk, u)] for c, b, u, _h in wanted}
        touched = sorted({unit.pk for unit in unit_of.values()})
        existing = self._unit_houses(touched)  # a house added since the plan is not made twice
        fresh_h = [k for k in wanted if k not in existing]
        out = dict(existing)
        rows = []
        for k, pk in zip(fresh_h, bulk.reserve_ids(House, len(fresh_h)), strict=True):
            unit = unit_of[k[:3]]
            out[k] = ref = HouseRef(pk, unit.scope_code, House.address_of(unit.address, k[3]))
            rows.append((pk, ref.scope_code, now, now, 1, unit.pk, k[3], "self", "", ref.address))
        bulk.insert(House, ["id", "scope_code", "created_at", "updated_at", "version", "unit_id", "number", "use",
                            "owner_name", "address"], rows)  # fmt: skip
        created = (
            [("org.building", buildings[k].pk) for k in fresh_b]
            + [("org.buildingunit", units[k].pk) for k in fresh_u]
            + [("org.house", out[k].pk) for k in fresh_h]
        )
        bulk.insert(ImportRecord, ["batch_id", "model", "object_id", "created"],
                    [(self.batch.pk, m, str(pk), True) for m, pk in created])  # fmt: skip
        for k in wanted:  # one text key and a shared scope code: kept for the rest of the file
            ref = out[k]
            self._made["\x1f".join(k)] = HouseRef(ref.pk, sys.intern(ref.scope_code), ref.address)
        return self._made, len(rows)

    @staticmethod
    def _unit_houses(unit_ids) -> dict[tuple, HouseRef]:
        """(小区, 楼栋, 单元, 房号) → house, for the houses of the given units."""
        out = {}
        for i in range(0, len(unit_ids), BATCH):
            for c, b, u, n, pk, sc, a in House.objects.filter(unit_id__among=unit_ids[i : i + BATCH]).values_list(
                "unit__building__compound", "unit__building__number", "unit__number", "number", "pk", "scope_code",
                "address",
            ):  # fmt: skip
                out[(c, b, u, n)] = HouseRef(pk, sc, a)
        return out

    def _households(self, community, new_rows, now) -> dict:
        """One household per house among the new rows: the house's existing household, or a new
        one. Its head is the first new row of the house that says 户主, set as it is inserted (the
        residents' ids are reserved: the foreign key is checked at COMMIT), or later for an
        existing household without a head. Returns {house id: household id}."""
        house_ids = sorted({r.values["_house"].pk for r in new_rows})
        existing = {}
        for i in range(0, len(house_ids), BATCH):
            for hid, hh in (
                Household.objects.filter(house_id__among=house_ids[i : i + BATCH])
                .order_by("-id")
                .values_list("house_id", "id")
            ):
                existing[hid] = hh
        head_of = {}
        for r in new_rows:
            if r.values["relationship"] == Relationship.HEAD:
                head_of.setdefault(r.values["_house"].pk, r.values["_id"])
        houses = {r.values["_house"].pk: r.values["_house"] for r in new_rows}
        fresh = [houses[h] for h in house_ids if h not in existing]
        created = dict(zip([h.pk for h in fresh], bulk.reserve_ids(Household, len(fresh)), strict=True))
        bulk.insert(Household, ["id", "scope_code", "created_at", "updated_at", "version", "community_id", "house_id",
                                "head_id", "number", "household_type", "tenure", "landlord_name", "remarks",
                                "import_batch_id"],
                    [(created[h.pk], h.scope_code, now, now, 1, community.pk, h.pk, head_of.get(h.pk), "", "family",
                      "owned", "", "", self.batch.pk) for h in fresh])  # fmt: skip
        headed = [(hid, hh) for hid, hh in existing.items() if hid in head_of]
        headless = set()
        for i in range(0, len(headed), BATCH):
            headless.update(
                Household.objects.filter(
                    pk__among=[hh for _h, hh in headed[i : i + BATCH]], head__isnull=True
                ).values_list("id", flat=True)
            )
        bulk.update(Household, ["head_id"], [(head_of[hid], hh) for hid, hh in headed if hh in headless])
        return {**existing, **created}

    def _apply_updates(self, rows, houses, today, label, tag_rows, event_rows, log_rows) -> int:
        """Updates are rarer than inserts; each keeps its before-image (sensitive values encrypted)
        so that undo can put it back. A new house or residence type becomes a dated event."""
        if not rows:
            return 0
        from shequ.people.services import refresh_visit_policies

        log = _LogWriter(self.actor, label)
        now = timezone.now()
        records, new_tags = [], []
        for r in rows:
            res = Resident.objects.select_for_update(of=("self",)).select_related("house").get(pk=r.target.pk)
            before, snap = _raw(res), _snap(res)
            changes = dict(r.extra["changes"])
            house = HouseRef(res.house_id, res.house.scope_code, res.house.address) if res.house_id else None
            if "house" in changes:
                changes.pop("house")
                house = r.values["_house"] or houses["\x1f".join(r.values["_address"])]
            rtype = changes.pop("residence_type", None)
            for k, val in changes.items():
                setattr(res, k, val)
            if house is not None and house.pk != res.house_id:
                detail = {"from": res.house.address if res.house_id else "", "to": house.address}
                event_rows.append(
                    (
                        res.pk,
                        EventKind.MOVE_IN,
                        today,
                        detail,
                        _("批量导入：居住房屋变更"),
                        self.actor.pk,
                        label,
                        now,
                    )
                )
                res.house_id, res.household, res.relationship = (
                    house.pk,
                    None,
                    changes.get("relationship", ""),
                )
            if rtype:
                detail = {"from": res.residence_type, "to": rtype}
                event_rows.append(
                    (
                        res.pk,
                        EventKind.SEPARATION_CHANGE,
                        today,
                        detail,
                        _("批量导入"),
                        self.actor.pk,
                        label,
                        now,
                    )
                )
                res.residence_type = rtype
            res.scope_code = res.compute_scope_code()
            res.version = F("version") + 1
            res.save()
            res.refresh_from_db()
            new_tags += [(res.pk, t.key, "", today, None, "", now) for t in r.extra["new_tags"]]
            records.append(
                (
                    self.batch.pk,
                    "people.resident",
                    str(res.pk),
                    False,
                    {**before, "_tags_added": [t.key for t in r.extra["new_tags"]]},
                    res.version,
                )
            )
            log_rows.append(log.row(Action.UPDATE, res, before=snap, after=_snap(res)))
        bulk.insert(
            ImportRecord, ["batch_id", "model", "object_id", "created", "before", "version_after"], records
        )
        bulk.insert(
            ResidentTag,
            ["resident_id", "tag_key", "detail", "start_date", "end_date", "note", "created_at"],
            new_tags,
        )
        refresh_visit_policies(t[0] for t in new_tags)
        return len(rows)

    # --- undo ------------------------------------------------------------------------------------
    def undo(self) -> dict:
        from shequ.people.services import refresh_visit_policies

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
            refresh_visit_policies([res.pk])
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
            .exclude(action__in=["reveal", "export"])  # looking is not changing
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


LOG_COLUMNS = [
    "time", "user_id", "username", "ip", "request_id", "channel", "action", "content_type_id", "object_id",
    "object_repr", "scope_code", "before", "after", "changed", "note", "batch",
]  # fmt: skip


class _LogWriter:
    """Change-log rows for bulk writes, built without a query each."""

    def __init__(self, actor, batch):
        self.actor, self.batch = actor, batch
        self.ctx = context.current()
        self.ct = ContentType.objects.get_for_model(Resident)
        self.now = timezone.now()

    def row(self, action, res, *, before=None, after=None, note=""):
        """The same entry as a tuple for core.bulk.insert (column order of LOG_COLUMNS)."""
        e = self.entry(action, res, before=before, after=after, note=note)
        return tuple(getattr(e, name) for name in LOG_COLUMNS)

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
