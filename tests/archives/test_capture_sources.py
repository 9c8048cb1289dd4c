"""The capture rules other modules register beyond cases, letters, certificates and minutes: an
adopted charter version, a declared election result, and the annual ledgers (residents' structure,
services, relief payments) generated as XML files for a community and a finished year."""

import datetime as dt
from xml.etree import ElementTree as ET

import pytest
from django.utils import timezone

from shequ.archives import services
from shequ.archives.data.schedule import CAPTURE
from shequ.archives.models import Item, Openness, Proposal, ScheduleEntry
from shequ.core import registry
from tests.archives.factories import YEAR, fonds, keeper

NEW = {
    "participation.charter_version": ("WS", "Y", "ZZ", "WS-03"),
    "participation.election_result": ("WS", "Y", "ZZ", "WS-02"),
    "people.resident_structure": ("WS", "D30", "ZH", "WS-07"),
    "services.service_ledger": ("WS", "D10", "FW", "WS-15"),
    "ledgers.relief_payments": ("WS", "D30", "MZ", "WS-10"),
}


def _proposals(world, side, year, rule):
    f = fonds(world, side)
    services.propose(keeper(world, side), f, year)
    return list(Proposal.objects.filter(fonds=f, rule=rule, year=year))


def _file_xml(item) -> ET.Element:
    f = item.files.get()
    assert f.format == "xml" and f.long_term and f.check_ok
    return ET.fromstring(bytes(f.data))


def _fields(root) -> dict:
    return {f.get("name"): f.text or "" for f in root.iter("field")}


@pytest.mark.django_db
def test_new_rules_registered_against_the_shipped_schedule():
    sources = registry.archive_sources()
    for key, (cls, retention, topic, entry) in NEW.items():
        src = sources[key]
        assert (src.archive_class, src.retention, src.topic, src.entry) == (cls, retention, topic, entry)
        assert CAPTURE[key] == entry
        e = ScheduleEntry.objects.get(code=entry)
        assert (e.archive_class.code, e.topic.code, e.retention) == (cls, topic, retention)
        assert services._source_entry(src) == e  # the archives' own check of a rule against the schedule
    assert sources["ledgers.relief_payments"].openness == Openness.CLOSED


def test_adopted_charter_version_is_captured_with_its_vote(world):
    from tests.participation.gov_factories import adopted_version, draft

    v = adopted_version(world, "a")
    draft(world, "a")  # a draft is never proposed
    year = v.decided_on.year
    ps = _proposals(world, "a", year, "participation.charter_version")
    assert [p.source_id for p in ps] == [str(v.pk)]
    assert ps[0].entry.code == "WS-03" and "第1版" in ps[0].title
    assert _proposals(world, "b", year, "participation.charter_version") == []  # the other community's fonds
    (item,) = services.confirm(keeper(world, "a"), [ps[0].pk])
    assert item.reference.startswith(f"{item.fonds.number}-WS·{year}-Y-ZZ-")
    assert (item.source_rule, item.source_id) == ("participation.charter_version", str(v.pk))
    root = _file_xml(item)
    fields = _fields(root)
    assert fields["赞成"] == "3" and fields["版本号"] == "1"
    assert "爱护公共环境" in (root.findtext("body") or "") or "居民代表大会" in (root.findtext("body") or "")


def test_declared_election_result_is_captured_not_a_counted_one(world):
    from shequ.participation import services as part
    from tests.participation.gov_factories import counted_election, lead

    e = counted_election(world, "a")
    year = e.held_on.year
    assert _proposals(world, "a", year, "participation.election_result") == []  # counted, not declared
    cands = list(e.candidates.order_by("pk"))
    part.declare_elected(lead(world, "a"), e.pk, offices={cands[0].pk: "主任", cands[1].pk: "委员"})
    ps = _proposals(world, "a", year, "participation.election_result")
    assert [p.source_id for p in ps] == [str(e.pk)] and "换届选举结果" in ps[0].title
    (item,) = services.confirm(keeper(world, "a"), [ps[0].pk])
    assert item.retention == "Y" and item.topic == "ZZ"
    root = _file_xml(item)
    assert _fields(root)["投票人数"] == "5"
    rows = [[c.text for c in r] for r in root.iter("row")]
    assert len(rows) == 3 and sum(1 for r in rows if r[2] == "当选") == 2
    assert any(cands[0].resident.name in (x.text or "") for x in root.iter("line"))


def test_resident_structure_ledger_for_a_finished_year_only(world):
    from tests.people.factories import make_resident

    make_resident(world, "a", birth_date=dt.date(1950, 3, 1), gender="female")
    make_resident(world, "a", birth_date=dt.date(2015, 3, 1), gender="male")
    this_year = timezone.localdate().year
    assert _proposals(world, "a", this_year, "people.resident_structure") == []  # the year is not over
    ps = _proposals(world, "a", YEAR, "people.resident_structure")
    code = world.community("a").code
    assert [p.source_id for p in ps] == [f"{code}:{YEAR}"]
    assert ps[0].date == dt.date(YEAR, 12, 31) and "居民人口结构台账" in ps[0].title
    # proposing again does not propose twice
    assert _proposals(world, "a", YEAR, "people.resident_structure") == ps
    (item,) = services.confirm(keeper(world, "a"), [ps[0].pk])
    assert item.reference.startswith(f"{item.fonds.number}-WS·{YEAR}-D30-ZH-")
    root = _file_xml(item)
    from shequ.people.models import Resident

    total = Resident.objects.filter(community__code=code, status="active").count()
    assert _fields(root)["在册居民"] == str(total)
    ages = {r[0].text: int(r[1].text) for r in root.find("table[@heading='年龄']").iter("row")}
    assert ages["60—79 岁"] >= 1 and ages["0—17 岁"] >= 1
    assert sum(ages.values()) == total


def test_services_ledger_counts_a_years_records_without_names(world):
    from shequ.services.models import ServiceRecord
    from tests.services.factories import make_record

    r1 = make_record(world, "a")
    r2 = make_record(world, "a", service=r1.service)
    make_record(world, "a")  # stays in this year: not in last year's ledger
    ServiceRecord.objects.filter(pk__in=[r1.pk, r2.pk]).update(
        served_on=dt.date(YEAR, 3, 15), follow_up_due=None
    )
    assert _proposals(world, "b", YEAR, "services.service_ledger") == []  # b served nobody last year
    ps = _proposals(world, "a", YEAR, "services.service_ledger")
    assert len(ps) == 1
    (item,) = services.confirm(keeper(world, "a"), [ps[0].pk])
    assert item.retention == "D10" and item.topic == "FW" and item.openness == Openness.OPEN
    root = _file_xml(item)
    assert _fields(root)["服务记录"] == "2"
    (row,) = root.find("table[@heading='服务项目']").iter("row")
    assert [c.text for c in row][1:3] == [r1.service.name, "2"]
    months = {r[0].text: r[1].text for r in root.find("table[@heading='月度']").iter("row")}
    assert months[f"{YEAR}-03"] == "2" and months[f"{YEAR}-04"] == "0"
    assert r1.person_name not in bytes(item.files.get().data).decode()


def test_relief_ledger_sums_paid_months_and_is_closed(world):
    from decimal import Decimal

    from shequ.ledgers.models.relief import ReliefPayment
    from tests.ledgers.factories import make_payment

    p = make_payment(world, "a")
    ReliefPayment.objects.filter(pk=p.pk).update(month=dt.date(YEAR, 5, 1))
    ps = _proposals(world, "a", YEAR, "ledgers.relief_payments")
    assert len(ps) == 1 and ps[0].entry.code == "WS-10"
    (item,) = services.confirm(keeper(world, "a"), [ps[0].pk])
    assert item.openness == Openness.CLOSED and item.openness_reason
    root = _file_xml(item)
    assert Decimal(_fields(root)["发放金额合计（元）"]) == p.amount
    (row,) = root.find("table[@heading='对象']").iter("row")
    assert row[0].text == p.case.head_name and row[3].text == "1"
    # closed: a community worker without the archive duty does not see it in the catalogue
    from tests.archives.factories import grant  # noqa: F401

    lead = world.users["community_lead"]
    from shequ.core.models import Membership

    Membership.objects.filter(user=lead).update(duties=[])
    lead.__dict__.pop("_shequ_memberships", None)
    assert not Item.objects.visible_to(lead).filter(pk=item.pk).exists()


def test_a_ledger_whose_source_is_gone_is_refused(world):
    from tests.people.factories import make_resident

    make_resident(world, "a")
    (p,) = _proposals(world, "a", YEAR, "people.resident_structure")
    Proposal.objects.filter(pk=p.pk).update(source_id="999999999999:2000")
    from shequ.core.errors import Conflict

    with pytest.raises(Conflict) as exc:
        services.confirm(keeper(world, "a"), [p.pk])
    assert exc.value.code == "source_gone"
