"""The rules of the community services module: prices by mode, providers, windows and outlets,
records for residents in scope only, follow-ups after the service, one record per form however
often it is sent, tags carried for the counts, and the employment ledger built from records."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shequ.core.testing.concurrency import needs_pg, race
from shequ.org.models import ResidentOrganization
from shequ.people.models import ResidentTag, TagDefinition
from shequ.services import services
from shequ.services.models import RecordTag, ServiceRecord
from tests.people.factories import make_resident
from tests.services.factories import make_centre, make_outlet, make_record, make_service, make_street_service

TODAY = timezone.localdate


def _tag(resident, code):
    ResidentTag.objects.create(resident=resident, tag_key=TagDefinition.objects.get(code=code).key)


def _message(exc_info) -> str:
    return exc_info.value.message


# --- catalogue ----------------------------------------------------------------------------------------
def test_price_follows_the_mode(world):
    worker = world.users["community_worker"]
    with pytest.raises(ValidationFailed) as e:
        services.add_service(worker, world.a.code, name="理发", category="便民", mode="无偿", price="5")
    assert "无偿服务不收费" in _message(e) and "price" in e.value.details
    with pytest.raises(ValidationFailed) as e:
        services.add_service(worker, world.a.code, name="理发", category="便民", mode="低偿")
    assert "须填写收费标准" in _message(e)
    with pytest.raises(ValidationFailed):
        services.add_service(worker, world.a.code, name="理发", category="便民", mode="有偿", price="0")
    s = services.add_service(worker, world.a.code, name="理发", category="便民", mode="低偿", price="5",
                             price_unit="次")  # fmt: skip
    assert s.price == Decimal("5") and s.price_label == "5 元/次"
    # Back to free: the price must go too.
    with pytest.raises(ValidationFailed):
        services.update_service(worker, s.pk, mode="free")
    s = services.update_service(worker, s.pk, mode="free", price=None)
    assert s.price is None and s.price_label == "免费"


def test_duplicate_name_in_one_catalogue_is_refused(world):
    make_service(world, "a", name="助浴")
    with pytest.raises(ValidationFailed) as e:  # a race past this check meets the constraint: 409
        make_service(world, "a", name="助浴")
    assert "已有同名服务" in _message(e)
    make_service(world, "b", name="助浴")  # another community's catalogue may use the name


def test_provider_unit_must_be_a_unit_of_the_area(world):
    worker = world.users["community_worker"]
    mine = ResidentOrganization.objects.create(community=world.a, name="宁安物业公司", org_type="property")
    theirs = ResidentOrganization.objects.create(community=world.b, name="郭岭超市", org_type="enterprise")
    with pytest.raises(ValidationFailed) as e:
        services.add_service(worker, world.a.code, name="维修", category="物业", provider_kind="驻区单位")
    assert "哪一家驻区单位" in _message(e)
    with pytest.raises(ValidationFailed):
        services.add_service(worker, world.a.code, name="维修", category="物业", provider_kind="unit",
                             provider_unit=theirs.pk)  # fmt: skip
    with pytest.raises(ValidationFailed) as e:
        services.add_service(worker, world.a.code, name="维修", category="物业", provider_kind="企业")
    assert "名称" in _message(e)
    s = services.add_service(worker, world.a.code, name="维修", category="物业", provider_kind="unit",
                             provider_unit=mine.pk)  # fmt: skip
    assert s.provider_label == "宁安物业公司"


def test_catalogue_is_kept_where_the_user_holds_it(world):
    with pytest.raises(NotFound):
        services.add_service(world.users["community_worker"], world.b.code, name="越权", category="养老")
    with pytest.raises(Forbidden):
        services.add_service(world.users["department"], world.a.code, name="越权", category="养老")
    with pytest.raises(ValidationFailed):  # a catalogue is a street's or a community's
        services.add_service(world.users["district"], world.district.code, name="区目录", category="养老")
    s = make_street_service(world, name="法律援助")
    assert s.scope_code == world.street.code


def test_windows_handle_matters_of_their_centre_and_units_above_or_below(world):
    lead = world.users["community_lead"]
    centre = make_centre(world, "a")
    own, street = make_service(world, "a"), make_street_service(world)
    other = make_service(world, "b")
    w = services.add_window(lead, centre.pk, number=1, name="综合窗口", matters=[own.pk, street.pk])
    assert set(w.matters.all()) == {own, street}
    with pytest.raises((ValidationFailed, NotFound)):
        services.add_window(lead, centre.pk, number=2, name="越界窗口", matters=[other.pk])
    with pytest.raises(ValidationFailed) as e:
        services.add_window(lead, centre.pk, number=1, name="重号")
    assert "已有这个窗口号" in _message(e)
    street_centre = services.add_centre(world.users["street"], world.street.code, name="纸坊街道社区服务中心")
    assert street_centre.level == "street"
    w2 = services.add_window(
        world.users["street"], street_centre.pk, number=1, name="社区事务", matters=[own.pk, other.pk]
    )
    assert w2.matters.count() == 2  # a street's centre handles its communities' matters
    with pytest.raises(ValidationFailed):  # one centre per unit
        services.add_centre(world.users["street"], world.street.code, name="第二个中心")


def test_outlet_unemployed_never_exceed_staff(world):
    with pytest.raises(ValidationFailed) as e:
        make_outlet(world, "a", staff=3, formerly_unemployed=4)
    assert "不能多于从业人员" in _message(e)
    o = make_outlet(world, "a", staff=4, formerly_unemployed=4)
    with pytest.raises(ValidationFailed):
        services.update_outlet(world.users["community_worker"], o.pk, staff=2)


# --- records ------------------------------------------------------------------------------------------
def test_record_for_a_resident_outside_the_scope_is_refused(world):
    svc = make_service(world, "a")
    stranger = make_resident(world, "b")
    with pytest.raises(NotFound) as e:
        services.record_service(world.users["community_worker"], service=svc.pk, resident=stranger.pk,
                                served_on=TODAY())  # fmt: skip
    assert "不在您的管辖范围内" in _message(e)
    assert not ServiceRecord.objects.exists()


def test_record_of_another_communitys_catalogue_is_refused(world):
    # The street sees both communities: a's service is not for b's resident.
    svc_a = make_service(world, "a")
    r_b = make_resident(world, "b")
    with pytest.raises(ValidationFailed) as e:
        services.record_service(world.users["street"], service=svc_a.pk, resident=r_b.pk, served_on=TODAY())
    assert "不属于" in _message(e)
    # A street service serves both.
    street = make_street_service(world)
    rec, created = services.record_service(world.users["street"], service=street.pk, resident=r_b.pk,
                                           served_on=TODAY())  # fmt: skip
    assert created and rec.scope_code.startswith(world.b.code)


def test_follow_up_before_the_service_and_future_dates_are_refused(world):
    svc, r = make_service(world, "a"), make_resident(world, "a")
    worker = world.users["community_worker"]
    day = TODAY() - dt.timedelta(days=5)
    with pytest.raises(ValidationFailed) as e:
        services.record_service(worker, service=svc.pk, resident=r.pk, served_on=day,
                                follow_up_due=day - dt.timedelta(days=1))  # fmt: skip
    assert "不能早于服务日期" in _message(e) and "follow_up_due" in e.value.details
    with pytest.raises(ValidationFailed) as e:
        services.record_service(
            worker, service=svc.pk, resident=r.pk, served_on=TODAY() + dt.timedelta(days=1)
        )
    assert "不能晚于今天" in _message(e)
    rec, _ = services.record_service(worker, service=svc.pk, resident=r.pk, served_on=day,
                                     follow_up_due=day + dt.timedelta(days=7))  # fmt: skip
    with pytest.raises(ValidationFailed):
        services.record_follow_up(worker, rec.pk, done_on=day - dt.timedelta(days=1), note="早了")
    done = services.record_follow_up(
        worker, rec.pk, done_on=day + dt.timedelta(days=2), note="电话回访，已好转"
    )
    assert done.follow_up_done_on == day + dt.timedelta(days=2)
    with pytest.raises(Conflict) as e:
        services.record_follow_up(worker, rec.pk, done_on=TODAY(), note="再来一次")
    assert "不能重复登记" in _message(e)


def test_the_same_form_sent_twice_makes_one_record(world):
    svc, r = make_service(world, "a"), make_resident(world, "a")
    worker = world.users["community_worker"]
    token = "ab" * 16
    first, created = services.record_service(
        worker, service=svc.pk, resident=r.pk, served_on=TODAY(), token=token
    )
    again, created_again = services.record_service(worker, service=svc.pk, resident=r.pk, served_on=TODAY(),
                                                   token=token)  # fmt: skip
    assert created and not created_again and first.pk == again.pk
    assert ServiceRecord.objects.count() == 1
    other = make_resident(world, "a")
    with pytest.raises(Conflict) as e:  # the token of one form reused for another person
        services.record_service(worker, service=svc.pk, resident=other.pk, served_on=TODAY(), token=token)
    assert "已经提交过" in _message(e)


@needs_pg
@pytest.mark.django_db(transaction=True)
def test_two_sends_at_the_same_moment_make_one_record():
    from shequ.core.testing.world import build_world

    world = build_world()
    svc, r = make_service(world, "a"), make_resident(world, "a")
    worker = world.users["community_worker"]

    def send():
        return services.record_service(
            worker, service=svc.pk, resident=r.pk, served_on=TODAY(), token="cd" * 16
        )

    results, errors = race([send, send])
    assert not errors, errors
    assert len({rec.pk for rec, _c in results}) == 1
    assert sorted(c for _r, c in results) == [False, True]
    assert ServiceRecord.objects.count() == 1


def test_unregistered_person_gets_a_minimal_record(world):
    svc = make_service(world, "a")
    worker = world.users["community_worker"]
    with pytest.raises(ValidationFailed) as e:
        services.record_service(worker, service=svc.pk, served_on=TODAY())
    assert "请选择居民" in _message(e)
    with pytest.raises(NotFound):
        services.record_service(
            worker, service=svc.pk, served_on=TODAY(), person_name="过路人", community=world.b.code
        )
    rec, _ = services.record_service(worker, service=svc.pk, served_on=TODAY(), person_name="过路人",
                                     person_phone="13900001111", community=world.a.code)  # fmt: skip
    assert rec.resident is None and rec.scope_code == world.a.code
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT person_phone FROM services_servicerecord WHERE id = %s", [rec.pk])
        raw = cur.fetchone()[0]
    assert raw and "13900001111" not in raw  # encrypted at rest


def test_employment_kind_belongs_to_employment_services_only(world):
    job = make_service(world, "a", category="就业", name="职业介绍")
    care = make_service(world, "a", category="养老")
    r = make_resident(world, "a")
    worker = world.users["community_worker"]
    with pytest.raises(ValidationFailed) as e:
        services.record_service(worker, service=job.pk, resident=r.pk, served_on=TODAY())
    assert "请选择服务类型" in _message(e)
    with pytest.raises(ValidationFailed):
        services.record_service(
            worker, service=care.pk, resident=r.pk, served_on=TODAY(), employment_kind="培训"
        )
    rec, _ = services.record_service(
        worker, service=job.pk, resident=r.pk, served_on=TODAY(), employment_kind="推荐/介绍"
    )
    assert rec.employment_kind == "referral"


def test_records_carry_the_residents_tags_and_counts_split_by_them(world):
    svc = make_service(world, "a")
    alone = make_resident(world, "a")
    _tag(alone, "living_alone")
    _tag(alone, "correction")  # highly sensitive: not every role may count it
    plain = make_resident(world, "a")
    rec = make_record(world, "a", service=svc, resident=alone)
    make_record(world, "a", service=svc, resident=plain)
    assert RecordTag.objects.filter(record=rec).count() == 2
    # The tag stays with the record after it ends on the resident.
    ResidentTag.objects.filter(resident=alone).update(end_date=TODAY() - dt.timedelta(days=1))
    worker_counts = {
        t["code"]: t["n"] for t in services.report(world.users["community_worker"], world.a.code)["by_tag"]
    }
    lead_counts = {
        t["code"]: t["n"] for t in services.report(world.users["community_lead"], world.a.code)["by_tag"]
    }
    assert worker_counts == {"living_alone": 1}
    assert lead_counts == {"living_alone": 1, "correction": 1}
    data = services.report(world.users["community_worker"], world.a.code)
    assert data["total"] == 2 and data["residents"] == 2
    assert data["by_category"] == [{"name": "养老", "n": 2}]
    assert data["by_mode"][0]["name"] == "无偿" and data["by_provider"][0]["n"] == 2
    assert sum(m["n"] for m in data["by_month"]) == 2


def test_report_refuses_other_scopes_and_roles(world):
    with pytest.raises(NotFound):
        services.report(world.users["community_worker"], world.b.code)
    with pytest.raises(Forbidden):
        services.report(world.users["department"], world.a.code)
    with pytest.raises(ValidationFailed):
        services.report(
            world.users["community_worker"], world.a.code, TODAY(), TODAY() - dt.timedelta(days=1)
        )


def test_employment_ledger_is_counted_from_records(world):
    job_a = make_service(world, "a", category="employment", name="就业援助")
    job_b = make_service(world, "b", category="employment", name="就业援助")
    year = TODAY().year
    for kind, n in (("consult", 3), ("training", 2), ("referral", 1), ("placement", 1)):
        for _ in range(n):
            make_record(world, "a", service=job_a, employment_kind=kind, days_ago=0)
    make_record(world, "b", service=job_b, employment_kind="placement", days_ago=0)
    make_record(world, "a", days_ago=0)  # not employment: not in the ledger
    data = services.employment_ledger(world.users["street"], world.street.code, year)
    rows = {r["code"]: r for r in data["rows"]}
    assert (rows[world.a.code]["consult"], rows[world.a.code]["training"], rows[world.a.code]["referral"],
            rows[world.a.code]["placement"], rows[world.a.code]["total"]) == (3, 2, 1, 1, 7)  # fmt: skip
    assert rows[world.b.code]["placement"] == 1
    assert data["totals"]["total"] == 8
    assert sum(m["total"] for m in data["by_month"]) == 8 and len(data["by_month"]) == 12
    month = services.employment_ledger(world.users["street"], world.street.code, year, TODAY().month)
    assert month["totals"]["total"] == 8 and month["by_month"] == []
    mine = services.employment_ledger(world.users["community_worker"], None, year)
    assert [r["code"] for r in mine["rows"]] == [world.a.code]
    with pytest.raises(ValidationFailed):
        services.employment_ledger(world.users["street"], world.street.code, year + 1)
    wb = CalamineWorkbook.from_filelike(io.BytesIO(services.ledger_workbook(data, "纸坊街道 陈")))
    sheet = wb.get_sheet_by_index(0).to_python()
    assert sheet[0][0] == f"纸坊街道{year}年就业服务台账"
    assert sheet[1][0] == "填报单位：纸坊街道" and sheet[1][-1] == f"统计期间：{year}年"
    assert sheet[2] == [
        "社区",
        "咨询（人次）",
        "培训（人次）",
        "推荐/介绍（人次）",
        "安置/就业（人次）",
        "合计（人次）",
    ]
    total = next(row for row in sheet if row and row[0] == "合计")
    assert total[1:] == [3, 2, 1, 2, 8]
    assert wb.sheet_names == ["各社区", "按月"]


def test_follow_ups_due_for_the_card(world):
    make_record(world, "a", follow_up_due=TODAY() + dt.timedelta(days=2))
    make_record(world, "a", follow_up_due=TODAY() + dt.timedelta(days=30))
    make_record(world, "b", follow_up_due=TODAY())
    assert services.follow_ups_due(world.users["community_worker"]).count() == 1
    assert services.follow_ups_due(world.users["street"]).count() == 2
