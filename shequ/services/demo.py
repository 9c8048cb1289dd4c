"""Demo community services of 纸坊街道's four demo communities: the street's catalogue and each
community's, the district and street service centres and the community stations with their
windows, outlets with their staff, and a year of service records for residents (tagged ones
served more often), with follow-ups and the employment services that make the ledger. Bulk
inserts (the seed is not a user act) keep it to a second or two."""

import datetime as dt
import random
from decimal import Decimal

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from shequ.core import changelog
from shequ.core.models import Action, User
from shequ.org.models import OrgUnit, ResidentOrganization
from shequ.people.choices import Status
from shequ.people.models import Resident, ResidentTag, TagDefinition
from shequ.services.models import (
    Centre,
    CentreLevel,
    EmploymentKind,
    Outcome,
    Outlet,
    RecordTag,
    Service,
    ServiceCategory,
    ServiceRecord,
    Window,
)

DISTRICT = "420115"
STREET = "420115001"
# (name, category, mode, price, unit, provider kind, provider name, hours)
STREET_SERVICES = [
    (
        "法律援助咨询",
        "legal",
        "free",
        None,
        "",
        "social",
        "江夏区律师协会志愿律师团",
        "每周二、四 9:00-12:00",
    ),
    ("人民调解", "mediation", "free", None, "", "community", "纸坊街道人民调解委员会", "工作日 8:30-17:30"),
    ("职业介绍与就业援助", "employment", "free", None, "", "community", "", "工作日 8:30-17:30"),
    ("职业技能培训", "employment", "free", None, "", "social", "江夏区职业技能培训学校", "每月第二、四周六"),
    ("临时救助申请", "relief", "free", None, "", "community", "", "工作日 8:30-17:30"),
    ("居家养老上门服务", "elder", "low", "20", "小时", "social", "江夏区夕阳红居家养老服务中心", "预约上门"),
]
COMMUNITY_SERVICES = [
    ("老年助餐", "elder", "low", "8", "餐", "community", "", "每日 11:00-12:30", "elderly"),
    ("健康体检", "health", "free", None, "", "unit", "", "每季度一次", "health"),
    (
        "家政保洁",
        "housekeeping",
        "paid",
        "50",
        "小时",
        "company",
        "江夏好帮手家政服务有限公司",
        "预约上门",
        None,
    ),
    (
        "托育照护",
        "childcare",
        "low",
        "15",
        "半天",
        "social",
        "童心托育服务社",
        "工作日 8:00-17:00",
        "activity",
    ),
    ("物业维修", "property", "paid", "30", "次", "unit", "", "报修后 24 小时内上门", None),
    (
        "文体活动",
        "culture",
        "free",
        None,
        "",
        "volunteers",
        "社区文体志愿者队",
        "每周六 9:00-11:00",
        "square",
    ),
    ("就业咨询", "employment", "free", None, "", "community", "", "工作日 8:30-17:30", "service_hall"),
    ("助残服务", "disability", "free", None, "", "volunteers", "助残志愿服务队", "预约上门", None),
]
OUTLETS = [  # (name, category, provider kind, provider, staff range)
    ("老年食堂", "elder", "social", "夕阳红居家养老服务中心", (4, 9)),
    ("家政服务站", "housekeeping", "company", "江夏好帮手家政服务有限公司", (6, 15)),
    ("便民维修点", "convenience", "company", "纸坊便民服务部", (2, 5)),
]
NOTES = ["服务顺利完成", "居民满意", "已告知后续办理流程", "需家属配合", "已转介相关部门", "下次继续上门"]


def is_loaded() -> bool:
    return Service.objects.filter(scope_code__startswith=STREET).exists()


def reset() -> None:
    """Delete the demo services of the street (records before the catalogue they point at)."""
    ServiceRecord.objects.filter(scope_code__startswith=STREET).delete()
    Window.objects.filter(scope_code__startswith=DISTRICT).delete()
    Centre.objects.filter(scope_code__startswith=DISTRICT).delete()
    Outlet.objects.filter(scope_code__startswith=STREET).delete()
    Service.objects.filter(scope_code__startswith=STREET).delete()


def _catalogue(units, street) -> list[Service]:
    cats = {c.code: c for c in ServiceCategory.objects.all()}
    Facility = apps.get_model("facilities", "Facility")
    facilities = {(f.scope_code, f.kind.code): f for f in Facility.objects.filter(scope_code__startswith=STREET, provider=None)
                  .select_related("kind")}  # fmt: skip
    orgs = {}
    for org in ResidentOrganization.objects.filter(scope_code__startswith=STREET).order_by("pk"):
        orgs.setdefault((org.community.code, org.org_type), org)
    rows = [
        Service(org=street, scope_code=STREET, name=name, category=cats[cat], mode=mode,
                price=Decimal(price) if price else None, price_unit=unit, provider_kind=kind, provider_name=provider,
                hours=hours, place="纸坊街道社区服务中心")
        for name, cat, mode, price, unit, kind, provider, hours in STREET_SERVICES
    ]  # fmt: skip
    for code, unit in units.items():
        for name, cat, mode, price, price_unit, kind, provider, hours, where in COMMUNITY_SERVICES:
            org = orgs.get((code, "hospital" if cat == "health" else "property")) if kind == "unit" else None
            if kind == "unit" and org is None:
                kind, provider = "community", ""
            rows.append(Service(
                org=unit, scope_code=code, name=name, category=cats[cat], mode=mode,
                price=Decimal(price) if price else None, price_unit=price_unit, provider_kind=kind,
                provider_name=org.name if org else provider, provider_unit=org, hours=hours,
                facility=facilities.get((code, where)) if where else None,
                place="" if where else "上门服务",
            ))  # fmt: skip
    return Service.objects.bulk_create(rows)


def _centres(units, street, catalogue, rng) -> tuple[int, int]:
    district = OrgUnit.objects.filter(code=DISTRICT).first()
    centres = []
    if district is not None:
        centres.append(Centre(org=district, scope_code=DISTRICT, level=CentreLevel.DISTRICT, name="江夏区社区服务指导中心",
                              address="江夏区纸坊大街 1 号", hours="工作日 8:30-17:30"))  # fmt: skip
    centres.append(Centre(org=street, scope_code=STREET, level=CentreLevel.STREET, name="纸坊街道社区服务中心",
                          address="纸坊大街 88 号", hours="工作日 8:30-17:30，周六上午", phone="027-87951234"))  # fmt: skip
    for code, unit in units.items():
        centres.append(Centre(org=unit, scope_code=code, level=CentreLevel.COMMUNITY, name=f"{unit.display_name}服务站",
                              address=f"{unit.display_name}党群服务中心一楼", hours="工作日 8:30-17:30"))  # fmt: skip
    Centre.objects.bulk_create(centres)
    by_scope: dict[str, list[Service]] = {}
    for s in catalogue:
        by_scope.setdefault(s.scope_code, []).append(s)
    windows, matters = [], []
    for c in centres:
        if c.level == CentreLevel.DISTRICT:
            plan = [("综合指导", [])]
        elif c.level == CentreLevel.STREET:
            street_services = by_scope.get(STREET, [])
            pick = {s.name: s for s in street_services}
            plan = [
                ("综合受理", [pick["临时救助申请"], pick["人民调解"]]),
                ("就业服务", [pick["职业介绍与就业援助"], pick["职业技能培训"]]),
                ("法律服务", [pick["法律援助咨询"]]),
                ("养老服务", [pick["居家养老上门服务"]]),
            ]
        else:
            own = by_scope.get(c.scope_code, [])
            plan = [("综合服务", [s for s in own if s.category.code not in ("employment", "health")]),
                    ("就业与健康", [s for s in own if s.category.code in ("employment", "health")])]  # fmt: skip
        for n, (name, chosen) in enumerate(plan, start=1):
            w = Window(centre=c, scope_code=c.scope_code, number=n, name=name, staff=rng.randint(1, 3))
            windows.append(w)
            matters.append(chosen)
    Window.objects.bulk_create(windows)
    through = Window.matters.through
    through.objects.bulk_create(
        [
            through(window_id=w.pk, service_id=s.pk)
            for w, chosen in zip(windows, matters, strict=True)
            for s in chosen
        ]
    )
    return len(centres), len(windows)


def _outlets(units, rng) -> int:
    cats = {c.code: c for c in ServiceCategory.objects.all()}
    rows = []
    for code, unit in units.items():
        for name, cat, kind, provider, (lo, hi) in OUTLETS:
            staff = rng.randint(lo, hi)
            rows.append(Outlet(
                community=unit, scope_code=code, name=f"{unit.display_name}{name}", category=cats[cat], provider_kind=kind,
                provider_name=provider, address=f"{unit.display_name}临街商铺", staff=staff,
                formerly_unemployed=rng.randint(0, staff // 2), opened_on=dt.date(rng.randint(2015, 2024), rng.randint(1, 12), 1),
            ))  # fmt: skip
    Outlet.objects.bulk_create(rows)
    return len(rows)


def _records(units, catalogue, rng, today) -> tuple[int, int]:
    """A year of records: in each community about one in twelve residents served, tagged ones
    (独居老人, 残疾人, 80岁以上 …) two to four times as often, each with the tags of that day."""
    tags = list(TagDefinition.objects.filter(active=True))
    derived = [t for t in tags if t.rule]
    keyed = {t.key: t for t in tags}
    workers = {
        u.username: u
        for u in User.objects.filter(username__in=["worker_ningan", "worker_guoling", "lead_ningan"])
    }
    staff_of = {"420115001001": workers.get("worker_ningan"), "420115001002": workers.get("worker_guoling")}
    records, record_keys = [], []
    for code in units:
        residents = list(
            Resident.objects.filter(community__code=code, status=Status.ACTIVE)
            .only("pk", "name", "scope_code", "community_id", "birth_date", "political_status")
        )  # fmt: skip
        if not residents:
            continue
        held: dict[int, set] = {}
        for rid, key in (
            ResidentTag.objects.filter(resident__community__code=code)
            .current()
            .values_list("resident_id", "tag_key")
        ):
            held.setdefault(rid, set()).add(key)
        services = [s for s in catalogue if s.scope_code in (code, STREET)]
        employment = [s for s in services if s.category.code == "employment"]
        others = [s for s in services if s.category.code != "employment"]
        elder = [s for s in others if s.category.code in ("elder", "health", "disability", "housekeeping")]
        worker = staff_of.get(code)
        chosen = rng.sample(residents, max(1, len(residents) // 12))
        tagged = [r for r in residents if held.get(r.pk)]
        chosen += rng.sample(tagged, min(len(tagged), len(residents) // 25))
        for r in chosen:
            keys = set(held.get(r.pk, set())) | {t.key for t in derived if t.holds(r)}
            names = {keyed[k].code for k in keys if k in keyed}
            special = bool(names & {"living_alone", "disabled", "age80", "empty_nest", "dibao", "tekun"})
            for _ in range(rng.randint(2, 4) if special else 1):
                working = r.age is not None and 18 <= r.age < 60
                if working and rng.random() < 0.35 and employment:
                    svc, kind = rng.choice(employment), rng.choices(
                        list(EmploymentKind.values), weights=[5, 3, 3, 2])[0]  # fmt: skip
                else:
                    svc, kind = rng.choice(elder if special and elder else others), ""
                served = today - dt.timedelta(days=rng.randint(0, 364))
                follow = None
                done = None
                if rng.random() < 0.3:
                    follow = served + dt.timedelta(days=rng.choice([7, 14, 30]))
                    if follow < today - dt.timedelta(days=3) and rng.random() < 0.85:
                        done = min(today, follow - dt.timedelta(days=rng.randint(0, 5)))
                        done = max(done, served)
                records.append(ServiceRecord(
                    service=svc, community_id=r.community_id, resident=r, person_name=r.name, served_on=served,
                    scope_code=r.scope_code, staff=worker, served_by=svc.provider_name or (str(worker) if worker else "社区工作人员"),
                    outcome=rng.choices(list(Outcome.values), weights=[14, 2, 3, 1])[0], note=rng.choice(NOTES),
                    employment_kind=kind, follow_up_due=follow, follow_up_done_on=done,
                    follow_up_note="电话回访，服务对象满意" if done else "", recorded_by=worker,
                ))  # fmt: skip
                record_keys.append(keys)
        # A few people not in the registry (a visiting relative, a passer-by).
        unit = units[code]
        for _i in range(6):
            svc = rng.choice(others)
            records.append(ServiceRecord(
                service=svc, community=unit, person_name=f"{rng.choice('王李张刘陈杨')}{rng.choice(['先生', '女士'])}",
                person_phone=f"139{rng.randint(10000000, 99999999)}", served_on=today - dt.timedelta(days=rng.randint(0, 364)),
                scope_code=code, staff=worker, served_by=svc.provider_name or "社区工作人员", outcome=Outcome.DONE,
                note="不在册人员临时求助", recorded_by=worker,
            ))  # fmt: skip
            record_keys.append(set())
    ServiceRecord.objects.bulk_create(records, batch_size=2000)
    RecordTag.objects.bulk_create(
        [
            RecordTag(record_id=rec.pk, tag_key=k)
            for rec, keys in zip(records, record_keys, strict=True)
            for k in keys
        ],
        batch_size=5000,
    )
    return len(records), sum(1 for k in record_keys if k)


def load(seed: int = 20261121, echo=print) -> dict:
    """Make the demo catalogue, centres, windows, outlets and a year of records; returns counts."""
    rng = random.Random(f"{seed}-services")
    today = timezone.localdate()
    from shequ.org import demo as org_demo

    codes = [c[0] for c in org_demo.COMMUNITIES]
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes).order_by("code")}
    street = OrgUnit.objects.filter(code=STREET).first()
    if street is None or not units:
        return {}
    with transaction.atomic():
        catalogue = _catalogue(units, street)
        centres, windows = _centres(units, street, catalogue, rng)
        outlets = _outlets(units, rng)
        n, tagged = _records(units, catalogue, rng, today)
        changelog.record(None, Action.IMPORT, None, scope_code=STREET,
                         note=f"载入演示数据：服务项目 {len(catalogue)} 个，服务记录 {n} 条")  # fmt: skip
    echo(f"社区服务：服务项目 {len(catalogue)} 个，服务中心（站）{centres} 个、窗口 {windows} 个，服务网点 {outlets} 个，"
         f"一年的服务记录 {n} 条（带人群标签 {tagged} 条）")  # fmt: skip
    return {
        "services": len(catalogue),
        "centres": centres,
        "windows": windows,
        "outlets": outlets,
        "records": n,
    }
