"""Objects of the resident registry in community a or b of the test world."""

import itertools

from shequ.core.importing import commit_batch, create_batch, validate_batch
from shequ.core.models import Attachment, ImportMapping
from shequ.org.models import Building, BuildingUnit, House, OrgUnit
from shequ.people.importer import ResidentImporter
from shequ.people.models import Household, Resident, ResidentTag, TagDefinition, Transfer, Visit
from tests.people.conftest import HEADERS, id_number, person, workbook

_seq = itertools.count(200)


def make_house(world, side):
    n = next(_seq)
    b = Building.objects.create(
        grid=world.grid(side), compound=f"{'甲乙'[side == 'b']}苑{n}", number=f"{n}栋"
    )
    u = BuildingUnit.objects.create(building=b, number="1单元")
    return House.objects.create(unit=u, number=f"{n}01", owner_name=f"{'甲乙'[side == 'b']}业主{n}")


def new_doc_number() -> str:
    """A valid 身份证 number not used by any other factory object."""
    return id_number(birth="19500101", seq=f"{next(_seq) % 1000:03d}")


def make_resident(world, side, **extra):
    n = next(_seq)
    house = make_house(world, side)
    return Resident.objects.create(
        community=world.community(side),
        house=house,
        name=f"{'甲乙'[side == 'b']}居民{n}",
        doc_number=new_doc_number(),
        phone=f"1391234{n:04d}",
        **extra,
    )


def make_tagged_resident(world, side):
    """A resident due a visit (独居老人, every 7 days), overdue since yesterday."""
    import datetime as dt

    from django.utils import timezone

    r = make_resident(world, side)
    tag = TagDefinition.objects.get(code="living_alone")
    ResidentTag.objects.create(resident=r, tag_key=tag.key)
    Resident.objects.filter(pk=r.pk).update(
        visit_interval_days=7, next_visit_due=timezone.localdate() - dt.timedelta(days=1)
    )
    r.refresh_from_db()
    return r


def make_household(world, side):
    r = make_resident(world, side, relationship="02")
    hh = Household.objects.create(
        community=world.community(side), house=r.house, head=r, number=f"{'甲乙'[side == 'b']}户{r.pk}"
    )
    Resident.objects.filter(pk=r.pk).update(household=hh)
    return hh


def make_visit(world, side):
    r = make_resident(world, side)
    return Visit.objects.create(resident=r, visitor_name="测试员", method="home", findings="情况良好")


def third_community(world):
    """A community outside both a and b (transfers are seen by both ends)."""
    c, _ = OrgUnit.objects.get_or_create(
        code="420115001003", defaults={"name": "第三社区居委会", "level": "community", "parent": world.street}
    )
    return c


def make_transfer(world, side):
    """A pending request for a person of this side's community to move to a third one."""
    r = make_resident(world, side)
    other = third_community(world)
    return Transfer.objects.create(
        resident=r,
        from_code=r.scope_code,
        to_community=other,
        to_code=other.code,
        reason=f"{'甲乙'[side == 'b']}迁移事由{r.pk}",
    )


def make_incoming_transfer(world, side):
    """A pending request of this side's community for a person registered in a third one: this
    side asked for it, so this side may withdraw it."""
    other = third_community(world)
    n = next(_seq)
    r = Resident.objects.create(
        community=other, name=f"{'甲乙'[side == 'b']}迁入人{n}", doc_number=new_doc_number(), phone=""
    )
    c = world.community(side)
    return Transfer.objects.create(
        resident=r, from_code=r.scope_code, to_community=c, to_code=c.code, reason=f"迁入事由{n}"
    )


def make_conflict_batch(world, side):
    """An import batch for this side's community whose row (line 2) is a person registered in a
    third community: the preview offers to ask for the transfer."""
    other = third_community(world)
    n = next(_seq)
    row = person(n, 小区=f"{'甲乙'[side == 'b']}导入苑{n}")
    Resident.objects.create(community=other, name=row["姓名"], doc_number=row["证件号码"], phone="")
    user = world.users["sysadmin"]
    batch = create_batch(
        user,
        "people.residents",
        world.community(side).code,
        f"{'甲乙'[side == 'b']}批次{n}.xlsx",
        workbook([row]),
    )
    validate_batch(batch, user)
    batch.refresh_from_db()
    return batch


def make_batch(world, side, *, validated=True, bad=True):
    """An import batch for this side's community, previewed, with one bad row."""
    user = world.users["sysadmin"]
    n = next(_seq)
    rows = [person(n, 小区=f"{'甲乙'[side == 'b']}导入苑{n}")]
    if bad:
        rows.append(person(n + 1, 联系电话="12345"))
    batch = create_batch(
        user,
        "people.residents",
        world.community(side).code,
        f"{'甲乙'[side == 'b']}批次{n}.xlsx",
        workbook(rows),
    )
    if validated:
        validate_batch(batch, user)
        batch.refresh_from_db()
    return batch


# A ledger's own name for a column (人口类型 for 居住类型): its batch waits at the mapping step.
LEDGER_HEADERS = [h if h != "居住类型" else "人口类型" for h in HEADERS]
LEDGER_MAPPING = {
    "columns": {label: str(c.key) for label, c in zip(LEDGER_HEADERS, ResidentImporter.columns, strict=True)},
}


def make_mapping_batch(world, side):
    """An import batch for this side's community at the mapping step (人口类型 is a synonym)."""
    user = world.users["sysadmin"]
    n = next(_seq)
    row = person(n, 小区=f"{'甲乙'[side == 'b']}核对苑{n}")
    row["人口类型"] = row.pop("居住类型")
    batch = create_batch(
        user,
        "people.residents",
        world.community(side).code,
        f"{'甲乙'[side == 'b']}台账{n}.xlsx",
        workbook([row], headers=LEDGER_HEADERS),
    )
    validate_batch(batch, user)
    batch.refresh_from_db()
    assert batch.status == "mapping", batch.message
    return batch


def make_saved_mapping(world, side):
    """A mapping saved for this side's community."""
    n = next(_seq)
    return ImportMapping.objects.create(
        kind="people.residents",
        scope_code=world.community(side).code,
        name=f"{'甲乙'[side == 'b']}映射{n}",
        signature="|".join(LEDGER_HEADERS),
        mapping=LEDGER_MAPPING,
        created_by=world.users["sysadmin"],
    )


def make_committed_batch(world, side):
    batch = make_batch(world, side)
    commit_batch(batch, world.users["sysadmin"])
    return batch


def make_photo(world, side):
    from django.contrib.contenttypes.models import ContentType

    v = make_visit(world, side)
    return Attachment.objects.create(
        owner_type=ContentType.objects.get_for_model(Visit),
        owner_id=str(v.pk),
        code=v.resident.scope_code,
        name="p.png",
        content_type="image/png",
        size=8,
        sha256="0" * 64,
        data=b"\x89PNG\r\n\x1a\n",
    )
