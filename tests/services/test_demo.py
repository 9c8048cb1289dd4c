"""The demo services: a catalogue per demo community and the street, centres at district, street
and community level with windows handling catalogue matters, outlets, and a year of records for
residents (tagged ones among them) that make a non-empty employment ledger; and its reset."""

import datetime as dt

from django.utils import timezone

from shequ.core.roles import Role
from shequ.core.testing.world import make_user
from shequ.org.models import OrgUnit
from shequ.people.models import ResidentTag, TagDefinition
from shequ.services import demo, services
from shequ.services.models import Centre, Outlet, RecordTag, Service, ServiceRecord, Window
from tests.people.factories import make_resident


def test_demo_catalogue_centres_outlets_and_a_year_of_records(world):
    for code, name in (("420115001005", "幸福家园社区居委会"), ("420115001019", "文苑社区居委会")):
        OrgUnit.objects.create(code=code, name=name, level="community", kind="residents", parent=world.street)
    make_user("worker_ningan", Role.COMMUNITY_WORKER, world.a)
    alone = TagDefinition.objects.get(code="living_alone")
    residents = []
    for side in "ab":
        for i in range(30):
            r = make_resident(
                world, side, birth_date=dt.date(1940 + i, 1, 1) if i % 2 else dt.date(1995, 5, 1)
            )
            residents.append(r)
            if i % 5 == 0:
                ResidentTag.objects.create(resident=r, tag_key=alone.key)
    assert not demo.is_loaded()
    counts = demo.load(echo=lambda *a: None)
    assert demo.is_loaded() and counts["records"] == ServiceRecord.objects.count()
    codes = set(Service.objects.values_list("scope_code", flat=True))
    assert {world.street.code, world.a.code, world.b.code, "420115001005", "420115001019"} <= codes
    assert (
        Service.objects.filter(mode="free").exists()
        and Service.objects.filter(mode="low", price__gt=0).exists()
    )
    assert set(Centre.objects.values_list("level", flat=True)) == {"district", "street", "community"}
    assert Window.objects.filter(centre__level="street", matters__isnull=False).exists()
    assert Outlet.objects.filter(formerly_unemployed__gt=0).exists()
    first = ServiceRecord.objects.order_by("served_on").first().served_on
    assert (timezone.localdate() - first).days >= 300
    assert ServiceRecord.objects.filter(resident__isnull=True).exists()  # someone not in the registry
    assert RecordTag.objects.filter(tag_key=alone.key).exists()
    report = services.report(
        world.users["street"], world.street.code, timezone.localdate() - dt.timedelta(days=365)
    )
    assert any(t["code"] == "living_alone" for t in report["by_tag"])
    ledger = services.employment_ledger(world.users["street"], world.street.code)
    assert (
        ledger["totals"]["total"]
        == ServiceRecord.objects.filter(
            service__category__code="employment", served_on__year=timezone.localdate().year
        ).count()
    )
    demo.reset()
    assert not ServiceRecord.objects.exists() and not Service.objects.exists() and not Centre.objects.exists()
