"""Demo premises of 纸坊街道's four demo communities: facilities of every tenure (one community
renting, one with no office at all, two below the 300 m² standard), rooms two resident
organisations open to residents, the district's plan, three 四个同步 handovers (one overdue), and
a year of bookings with check-ins. Bulk inserts (the seed is not a user act) keep it to a second."""

import datetime as dt
import random
import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shequ.core import changelog
from shequ.core.models import Action, User
from shequ.facilities.models import (
    Booking,
    BookingSlot,
    BookingStatus,
    Facility,
    FacilityKind,
    Handover,
    Project,
)
from shequ.facilities.services.bookings import SLOT, day_start
from shequ.org.models import OrgUnit, ResidentOrganization

STREET = "420115001"
CENTRES = {"420115001001": (30.3555, 114.3185), "420115001002": (30.3555, 114.3285),
           "420115001005": (30.3475, 114.3185), "420115001019": (30.3475, 114.3285)}  # fmt: skip
WEEKDAYS_OFFICE = {str(d): [["08:30", "12:00"], ["14:00", "17:30"]] for d in range(1, 6)}
ROOM_HOURS = {
    **{str(d): [["08:30", "21:00"]] for d in range(1, 6)},
    "6": [["09:00", "17:00"]],
    "7": [["09:00", "17:00"]],
}
SQUARE_HOURS = {str(d): [["06:00", "21:00"]] for d in range(1, 8)}
RENT = {
    "annual_rent": Decimal("48000"),
    "lease_start": dt.date(2023, 7, 1),
    "lease_end": dt.date(2026, 6, 30),
}
# (community, name, kind, m², tenure, obtained, floor, step-free, bookable, extra)
PREMISES = [
    ("420115001001", "宁安社区党群服务中心", "party_center", "260", "owned", "built", 1, True, False, {}),
    ("420115001001", "宁安社区办公室", "office", "80", "owned", "built", 2, False, False, {}),
    ("420115001001", "宁安社区便民服务大厅", "service_hall", "120", "owned", "built", 1, True, False, {}),
    ("420115001001", "宁安多功能活动室", "activity", "90", "owned", "extended", 2, False, True, {}),
    ("420115001001", "宁安老年活动室", "elderly", "60", "owned", "extended", 1, True, True, {}),
    ("420115001001", "宁安社区警务室", "police", "20", "owned", "built", 1, True, False, {}),
    ("420115001001", "宁安社区卫生服务站", "health", "80", "owned", "built", 1, True, False, {}),
    ("420115001001", "宁安文化广场", "square", "600", "owned", "built", None, True, True, {}),
    ("420115001002", "郭岭社区办公室（租用）", "office", "70", "rented", "", 3, False, False, RENT),
    ("420115001002", "郭岭社区活动室（租用）", "activity", "50", "rented", "", 3, False, True,
     {**RENT, "annual_rent": Decimal("26000")}),
    ("420115001005", "幸福家园社区服务大厅", "service_hall", "150", "developer", "", 1, True, False, {}),
    ("420115001005", "幸福家园社区办公室", "office", "90", "developer", "", 2, False, False, {}),
    ("420115001005", "幸福家园活动室", "activity", "100", "developer", "", 1, True, True, {}),
    ("420115001005", "幸福家园图书室", "library", "60", "owned", "purchased", 2, False, True, {}),
    ("420115001019", "文苑文化室", "culture", "80", "transferred", "reallocated", 1, True, True, {}),
    ("420115001019", "文苑培训室", "training", "60", "transferred", "reallocated", 2, False, True, {}),
]  # fmt: skip
TEAMS = ["夕阳红合唱团", "太极拳队", "书法协会", "广场舞队", "志愿服务队", "象棋协会", "亲子读书会"]
PURPOSES = ["排练", "例会", "楼栋议事会", "课程", "志愿者培训", "健康讲座", "兴趣活动"]
PROJECTS = [  # (community, kind, title, funds, status, progress)
    ("420115001019", "build", "文苑社区党群服务中心新建", "3200000", "underway", 45),
    ("420115001002", "purchase", "郭岭社区办公和服务用房购置", "2400000", "planned", 0),
    ("420115001002", "extend", "郭岭社区活动室改扩建", "600000", "planned", 0),
    ("420115001001", "extend", "宁安社区卫生服务站改扩建", "450000", "completed", 100),
    ("420115001019", "transfer", "原纸坊粮站用房划转文苑社区", "0", "completed", 100),
    ("420115001005", "developer", "幸福家园二期配建用房移交", "0", "underway", 60),
]  # fmt: skip


def is_loaded() -> bool:
    return Facility.objects.filter(scope_code__startswith=STREET).exists()


def reset() -> None:
    """Delete the demo premises, plan, handovers and bookings (before the org rows they point at)."""
    facilities = Facility.objects.filter(scope_code__startswith=STREET)
    BookingSlot.objects.filter(facility__in=facilities).delete()
    Booking.objects.filter(facility__in=facilities).delete()
    from django.contrib.contenttypes.models import ContentType

    from shequ.core.models import Attachment

    Attachment.objects.filter(
        owner_type=ContentType.objects.get_for_model(Facility), code__startswith=STREET
    ).delete()
    facilities.delete()
    Project.objects.filter(scope_code__startswith=STREET).delete()
    Handover.objects.filter(scope_code__startswith=STREET).delete()


def _facilities(rng) -> list[Facility]:
    kinds = {k.code: k for k in FacilityKind.objects.all()}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=CENTRES)}
    rows = []
    for code, name, kind, area, tenure, obtained, floor, step_free, bookable, extra in PREMISES:
        lat, lng = CENTRES[code]
        rows.append(Facility(
            community=units[code], scope_code=code, name=name, kind=kinds[kind], area=Decimal(area), floor=floor,
            step_free=step_free, tenure=tenure, obtained=obtained, address=f"{units[code].display_name}{name[-3:]}",
            lat=lat + rng.uniform(-0.0015, 0.0015), lng=lng + rng.uniform(-0.0015, 0.0015),
            opening_hours=SQUARE_HOURS if kind == "square" else ROOM_HOURS if bookable else WEEKDAYS_OFFICE,
            bookable=bookable, needs_approval=kind in ("activity", "training"), capacity=40 if bookable else None,
            door_key=secrets.token_hex(4), **extra,
        ))  # fmt: skip
    # Two resident organisations open their rooms to residents (bookable the same way).
    for code, org_type, name, kind, area, price in (("420115001001", "school", "操场（周末开放）", "sports", "2400", "10"),
                                                    ("420115001002", "hospital", "健康教育室", "meeting", "70", "0")):  # fmt: skip
        org = (
            ResidentOrganization.objects.filter(community__code=code, org_type=org_type)
            .order_by("pk")
            .first()
        )
        if org is None:
            continue
        lat, lng = CENTRES[code]
        hours = (
            {"6": [["08:00", "18:00"]], "7": [["08:00", "18:00"]]} if kind == "sports" else WEEKDAYS_OFFICE
        )
        rows.append(Facility(
            community=units[code], scope_code=code, provider=org, name=f"{org.name}{name}", kind=kinds[kind],
            area=Decimal(area), tenure="owned", lat=lat + 0.002, lng=lng - 0.002, opening_hours=hours, bookable=True,
            book_residents=True, book_teams=True, book_units=False, price_per_hour=Decimal(price), capacity=200,
            step_free=True, door_key=secrets.token_hex(4), address=org.address,
        ))  # fmt: skip
    return Facility.objects.bulk_create(rows)


def _bookings(rng, rooms, today) -> tuple[int, int]:
    bookers = list(
        User.objects.filter(username__in=["resident_demo", "worker_ningan", "worker_guoling", "lead_ningan"])
    )
    now = timezone.now()
    bookings = []
    for room in rooms:
        if not bookers:
            break
        busy = 0.55 if room.kind.code in ("activity", "elderly", "square") else 0.25
        for offset in range(-365, room.book_ahead_days + 1):
            day = today + dt.timedelta(days=offset)
            spans = room.opening_hours.get(str(day.isoweekday())) or []
            for a, b in spans:
                t = day_start(day) + dt.timedelta(hours=int(a[:2]), minutes=int(a[3:]))
                end = day_start(day) + dt.timedelta(hours=int(b[:2]), minutes=int(b[3:]))
                t += SLOT * (t.minute % 30 != 0)
                t = t.replace(minute=(t.minute // 30) * 30)
                while t + SLOT * 2 <= end:
                    if rng.random() < busy * 0.5:
                        length = SLOT * rng.choice([2, 2, 3, 4])
                        stop = min(t + length, end)
                        past = stop < now
                        team = rng.random() < 0.6
                        status = BookingStatus.APPROVED
                        if not past and room.needs_approval and rng.random() < 0.3:
                            status = BookingStatus.PENDING
                        elif rng.random() < 0.04:
                            status = BookingStatus.CANCELLED
                        hours = Decimal((stop - t).total_seconds()) / 3600
                        bookings.append(Booking(
                            facility=room, scope_code=room.scope_code, booker=rng.choice(bookers),
                            booker_kind="team" if team else "resident", team_name=rng.choice(TEAMS) if team else "",
                            purpose=rng.choice(PURPOSES), attendees=rng.randint(3, 35), start=t, end=stop,
                            hours=hours.quantize(Decimal("0.01")), fee=(hours * room.price_per_hour).quantize(Decimal("0.01")),
                            status=status,
                            checked_in_at=t + dt.timedelta(minutes=rng.randint(-10, 15))
                            if past and status == BookingStatus.APPROVED and rng.random() < 0.72 else None,
                        ))  # fmt: skip
                        t = stop
                    t += SLOT * 2
    Booking.objects.bulk_create(bookings, batch_size=2000)
    slots = []
    for bk in bookings:
        if bk.status in (BookingStatus.PENDING, BookingStatus.APPROVED):
            t = bk.start
            while t < bk.end:
                slots.append(BookingSlot(facility_id=bk.facility_id, booking=bk, start=t))
                t += SLOT
    BookingSlot.objects.bulk_create(slots, batch_size=5000)
    return len(bookings), sum(1 for b in bookings if b.checked_in_at)


def load(seed: int = 20261121, echo=print) -> dict:
    """Make the demo premises, plan, handovers and bookings; returns counts."""
    rng = random.Random(seed)
    today = timezone.localdate()
    with transaction.atomic():
        rooms = _facilities(rng)
        units = {u.code: u for u in OrgUnit.objects.filter(code__in=CENTRES)}
        Project.objects.bulk_create([
            Project(community=units[code], scope_code=code, kind=kind, title=title, plan_year=today.year,
                    funds=Decimal(funds), status=status, progress=progress, planned_end=dt.date(today.year, 12, 31),
                    started_on=dt.date(today.year, 3, 1) if status != "planned" else None,
                    completed_on=min(today, dt.date(today.year, 9, 30)) if status == "completed" else None)
            for code, kind, title, funds, status, progress in PROJECTS
        ])  # fmt: skip
        street = OrgUnit.objects.get(code=STREET)
        Handover.objects.bulk_create([
            Handover(estate="江夏名苑三期", developer="武汉江城置业有限公司", street=street, community=units["420115001002"],
                     scope_code="420115001002", required_area=Decimal("350"), due_on=today - dt.timedelta(days=120),
                     planned_on=dt.date(2021, 5, 1), built_on=today - dt.timedelta(days=200),
                     note="开发商称配建用房尚在装修"),
            Handover(estate="幸福家园二期", developer="湖北幸福房地产开发有限公司", street=street, community=units["420115001005"],
                     scope_code="420115001005", required_area=Decimal("300"), due_on=today - dt.timedelta(days=400),
                     planned_on=dt.date(2019, 3, 1), built_on=dt.date(2022, 6, 1), accepted_on=dt.date(2022, 9, 1),
                     handed_area=Decimal("300"), handed_on=today - dt.timedelta(days=410)),
            Handover(estate="纸坊新城", developer="武汉纸坊新城建设有限公司", street=street, community=None, scope_code=STREET,
                     required_area=Decimal("500"), due_on=today + dt.timedelta(days=240), planned_on=dt.date(2024, 4, 1)),
        ])  # fmt: skip
        bookable = [
            r
            for r in Facility.objects.filter(scope_code__startswith=STREET, bookable=True).select_related(
                "kind"
            )
        ]
        n, attended = _bookings(rng, bookable, today)
        changelog.record(None, Action.IMPORT, None, scope_code=STREET,
                         note=f"载入演示数据：阵地 {len(rooms)} 处，预约 {n} 条")  # fmt: skip
    echo(f"阵地：{len(rooms)} 处（开放预约 {len(bookable)} 处），建设项目 {len(PROJECTS)} 个，四个同步移交 3 个（逾期 1 个），"
         f"一年的场地预约 {n} 条（签到 {attended} 条）")  # fmt: skip
    return {"facilities": len(rooms), "bookings": n}
