"""The Party-member service and awards through the real services and the API: the chain level by
level with its 党建指导员, members from the registry and reporting in (a double report refused),
pledges (closing without an outcome refused, overdue flagged), responsibility for buildings and
households, hours only from confirmed volunteer hours; award rounds with the window, once per
nominee, places as a ceiling, publishing only when all is decided, and the public list's names."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from shequ.core.crypto import lookup
from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shequ.teams import services
from shequ.teams.models import MemberKind, PartyMember, Pledge, PledgeStatus, RoundStatus
from shequ.teams.services import awards, party
from tests.people.factories import make_household, make_resident
from tests.teams import party_factories as pf
from tests.teams.factories import make_activity, staff, started
from tests.teams.test_api import call

pytestmark = pytest.mark.django_db


def test_chain_level_by_level_with_an_instructor_per_community(world):
    lead = staff(world)
    top = pf.top_org(world)
    with pytest.raises(Conflict, match="已有社区党组织"):
        party.create_org(lead, world.a.code, level="community", name="另一个")
    with pytest.raises(ValidationFailed, match="上级应是本社区的社区党组织"):
        party.create_org(lead, world.a.code, level="area", name="第一网格党支部")
    area = party.create_org(
        lead, world.a.code, level="area", name="第一网格党支部", parent=top.pk, grid=world.grid_a.pk
    )
    with pytest.raises(ValidationFailed, match="楼栋党小组须选择所在楼栋"):
        party.create_org(lead, world.a.code, level="group", name="1栋党小组", parent=area.pk)
    with pytest.raises(ValidationFailed, match="党员中心户的上级应是本社区的楼栋党小组"):
        party.create_org(lead, world.a.code, level="center", name="中心户", parent=area.pk)
    b = pf.building(world)
    group = party.create_org(
        lead, world.a.code, level="group", name="1栋党小组", parent=area.pk, building=b.pk
    )
    center = party.create_org(lead, world.a.code, level="center", name="张三党员中心户", parent=group.pk)
    assert group.scope_code == b.scope_code and center.grid_id == world.grid_a.pk
    with pytest.raises(ValidationFailed, match="按社区配备"):
        party.set_instructor(lead, area.pk, name="陈指导")
    top = party.set_instructor(lead, top.pk, name="陈指导", unit="区委组织部", phone="13871001234")
    assert top.instructor_name == "陈指导" and top.instructor_phone == "13871001234"
    tree = party.chain(lead, world.a)
    assert tree[0]["node"] == top and tree[0]["children"][0]["children"][0]["children"][0]["node"] == center
    with pytest.raises(NotFound):
        party.create_org(staff(world, "b"), world.a.code, level="community", name="越权")
    with pytest.raises(Forbidden):
        party.create_org(world.users["department"], world.a.code, level="community", name="部门建")


def test_members_from_the_registry_and_reporting_in_once_per_community(world):
    lead = staff(world)
    plain = make_resident(world, "a")
    with pytest.raises(ValidationFailed, match="政治面貌不是中共党员"):
        party.enrol_resident(lead, plain.pk)
    r = pf.party_resident(world)
    m = party.enrol_resident(lead, r.pk)
    assert m.kind == MemberKind.RESIDENT and m.scope_code == r.scope_code
    with pytest.raises(Conflict, match="不能重复报到"):
        party.enrol_resident(lead, r.pk)
    with pytest.raises(Conflict, match="不能重复报到"):
        party.report_in(lead, world.a.code, resident=r.pk, work_unit="区医院")
    pf.party_resident(world)
    assert party.enrol_registry(lead, world.a.code) == 1  # only the one not yet listed
    rep = party.report_in(lead, world.a.code, name="周志明", phone="135 8800 0001", work_unit="区人民医院",
                          unit_contact="党办", reported_on=timezone.localdate())  # fmt: skip
    assert rep.kind == MemberKind.REPORTING and rep.resident_id is None
    assert PartyMember.objects.filter(**lookup(PartyMember, "phone", "13588000001")).get() == rep
    with pytest.raises(Conflict, match="周志明已于 .* 在宁安社区登记.*不能重复报到"):
        party.report_in(lead, world.a.code, name="周志明", phone="13588000001", work_unit="别的单位")
    # another community may record the same member
    assert party.report_in(
        staff(world, "b"), world.b.code, name="周志明", phone="13588000001", work_unit="区人民医院"
    )
    with pytest.raises(ValidationFailed, match="联系电话"):
        party.report_in(lead, world.a.code, name="无电话", work_unit="某单位")
    with pytest.raises(ValidationFailed, match="工作单位"):
        party.report_in(lead, world.a.code, name="无单位", phone="13588000002")
    with pytest.raises(ValidationFailed, match="不能晚于今天"):
        party.report_in(lead, world.a.code, name="未来", phone="13588000003", work_unit="单位",
                        reported_on=timezone.localdate() + dt.timedelta(days=3))  # fmt: skip
    assert PartyMember.objects.filter(name__in=["无电话", "无单位", "未来"]).count() == 0


def test_pledges_close_only_with_an_outcome_and_overdue_is_flagged(world):
    lead = staff(world)
    m = pf.reporting(world)
    with pytest.raises(ValidationFailed, match="不能早于今天"):
        party.add_pledge(lead, m.pk, content="过去的承诺", due_on=timezone.localdate() - dt.timedelta(days=1))
    p = pf.pledge(world, member=m)
    with pytest.raises(ValidationFailed, match="办结承诺须填写履诺情况"):
        party.close_pledge(lead, p.pk, status="kept", outcome="  ")
    p.refresh_from_db()
    assert p.status == PledgeStatus.OPEN and p.closed_on is None
    with pytest.raises(ValidationFailed, match="已履诺.*未兑现"):
        party.close_pledge(lead, p.pk, status="open", outcome="x")
    done = party.close_pledge(lead, p.pk, status="kept", outcome="已为 3 户老人代购")
    assert (
        done.status == PledgeStatus.KEPT and done.closed_by == lead and done.closed_on == timezone.localdate()
    )
    with pytest.raises(Conflict, match="不能重复办结"):
        party.close_pledge(lead, p.pk, status="unkept", outcome="改主意")
    late = pf.pledge(world, member=m)
    Pledge.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - dt.timedelta(days=2))
    late.refresh_from_db()
    assert late.overdue and not done.overdue
    assert list(Pledge.objects.filter(party.overdue_q())) == [late]
    with pytest.raises(NotFound):
        party.close_pledge(staff(world, "b"), late.pk, status="kept", outcome="越权")
    assert party.figures(lead, world.a.code)["overdue"] == 1


def test_responsibility_is_scoped_and_households_masked(world):
    lead = staff(world)
    m = pf.reporting(world)
    d = party.assign_building(lead, m.pk, pf.building(world).pk)
    with pytest.raises(Conflict, match="已负责"):
        party.assign_building(lead, m.pk, d.building_id)
    with pytest.raises(ValidationFailed, match="宁安社区的楼栋"):
        party.assign_building(lead, m.pk, pf.building(world, "b").pk)
    hh = make_household(world, "a")
    c = party.assign_household(lead, m.pk, hh.pk)
    with pytest.raises(Conflict, match="已联系"):
        party.assign_household(lead, m.pk, hh.pk)
    with pytest.raises(ValidationFailed, match="居民台账中的户"):
        party.assign_household(lead, m.pk, make_household(world, "b").pk)
    masked = party.household_label(c.household, False)
    assert hh.head.name not in masked and hh.head.name[0] in masked and hh.house.address in masked
    assert hh.head.name in party.household_label(c.household, True)
    party.release(lead, type(c), c.pk)
    assert not m.households.exists()


def test_hours_are_the_confirmed_volunteer_hours_of_activities(world):
    lead = staff(world)
    r = pf.party_resident(world)
    m = party.enrol_resident(lead, r.pk)
    assert party.hours_of([m.pk])[m.pk] == 0
    v = services.register_volunteer(lead, r.pk)
    a = started(make_activity(world))
    services.check_in_from_list(lead, a.pk, names=[r.name])
    services.confirm_hours(lead, a.pk, v.pk, hours="2.5")
    assert party.hours_of([m.pk])[m.pk] == Decimal("2.5")
    assert [h.activity_id for h in party.service_of(m)] == [a.pk]
    rep = pf.reporting(world)
    assert party.hours_of([rep.pk])[rep.pk] == 0  # no registry record, no volunteer hours


def test_award_round_nomination_review_and_publish(world):
    lead = staff(world)
    r = pf.volunteer_round(world)
    with pytest.raises(Conflict, match="年度已有“优秀志愿者”评选"):
        awards.create_round(
            lead, world.a.code, kind="优秀志愿者", year=r.year, opens_on=r.opens_on, closes_on=r.closes_on
        )
    with pytest.raises(ValidationFailed, match="截止日期不能早于"):
        awards.create_round(
            lead, world.a.code, kind="文明户", year=r.year, opens_on="2026-03-01", closes_on="2026-02-01"
        )
    with pytest.raises(ValidationFailed, match="推荐理由"):
        awards.nominate(lead, r.pk, nominee=r.volunteer_pk, reason="")
    with pytest.raises(ValidationFailed, match="宁安社区的志愿者"):
        awards.nominate(lead, r.pk, nominee=pf.volunteer_round(world, "b").volunteer_pk, reason="越界")
    n = awards.nominate(lead, r.pk, nominee=r.volunteer_pk, reason="热心服务", show_name=False)
    assert (
        set(n.figures) == {"activities", "hours"} and n.public_name != n.nominee_name and "*" in n.public_name
    )
    with pytest.raises(Conflict, match="已被推荐"):
        awards.nominate(lead, r.pk, nominee=r.volunteer_pk, reason="再推")
    v2 = services.register_volunteer(lead, make_resident(world, "a").pk)
    v3 = services.register_volunteer(lead, make_resident(world, "a").pk)
    n2 = awards.nominate(lead, r.pk, nominee=v2.pk, reason="热心", show_name=True)
    n3 = awards.nominate(lead, r.pk, nominee=v3.pk, reason="热心")
    assert n2.public_name == n2.nominee_name
    with pytest.raises(Conflict, match="评审中"):
        awards.review(lead, n.pk, result="awarded")
    with pytest.raises(Conflict, match="不能改为"):
        awards.move_round(lead, r.pk, "published")
    awards.move_round(lead, r.pk, "reviewing")
    with pytest.raises(Conflict, match="不再接受推荐"):
        awards.nominate(lead, r.pk, nominee=v2.pk, reason="x")
    awards.review(lead, n.pk, result="awarded", note="事迹突出")
    awards.review(lead, n2.pk, result="awarded")
    with pytest.raises(Conflict, match="名额为 2 个"):
        awards.review(lead, n3.pk, result="awarded")
    with pytest.raises(Conflict, match="还有 1 条推荐未评审"):
        awards.move_round(lead, r.pk, "published")
    awards.review(lead, n3.pk, result="not_awarded")
    r = awards.move_round(lead, r.pk, "published")
    assert r.status == RoundStatus.PUBLISHED and r.published_on == timezone.localdate()
    with pytest.raises(Conflict, match="不能改为"):
        awards.move_round(lead, r.pk, "open")
    page = Client().get(f"/teams/awards/c/{world.a.code}/").content.decode()
    assert n2.nominee_name in page and n.public_name in page and n.nominee_name not in page
    assert n3.nominee_name not in page and n3.public_name not in page


def test_nomination_window_and_household_names_masked(world):
    lead = staff(world)
    today = timezone.localdate()
    r = awards.create_round(lead, world.a.code, kind="文明户", year=today.year, opens_on=today + dt.timedelta(days=2),
                            closes_on=today + dt.timedelta(days=9), places=1)  # fmt: skip
    hh = make_household(world, "a")
    with pytest.raises(Conflict, match="今天不在推荐期内"):
        awards.nominate(lead, r.pk, nominee=hh.pk, reason="和睦")
    type(r).objects.filter(pk=r.pk).update(opens_on=today)
    n = awards.nominate(lead, r.pk, nominee=hh.pk, reason="和睦", show_name=True)
    assert hh.head.name not in n.public_name and n.public_name.endswith("家庭") and n.figures["members"] == 1


def test_api_report_in_pledge_close_and_award_flow(world):
    lead = staff(world)
    resp = call(lead, "post", "/party/members/report-in",
                {"community": world.a.code, "name": "吴海燕", "phone": "13588009999", "work_unit": "区税务局"})  # fmt: skip
    assert resp.status_code == 201 and resp.json()["phone_masked"] != "13588009999"
    mid = resp.json()["id"]
    again = call(lead, "post", "/party/members/report-in",
                 {"community": world.a.code, "name": "吴海燕", "phone": "13588009999", "work_unit": "区税务局"})  # fmt: skip
    assert again.status_code == 409 and "不能重复报到" in again.json()["message"]
    p = call(
        lead, "post", f"/party/members/{mid}/pledges", {"content": "每月服务一次", "due_on": "2099-01-01"}
    )
    assert p.status_code == 201 and p.json()["status"] == "open"
    bad = call(lead, "post", f"/party/pledges/{p.json()['id']}/close", {"status": "kept"})
    assert bad.status_code == 400 and "履诺情况" in bad.json()["message"]
    ok = call(lead, "post", f"/party/pledges/{p.json()['id']}/close", {"status": "kept", "outcome": "已完成"})
    assert ok.status_code == 200 and ok.json()["status"] == "kept"
    detail = call(lead, "get", f"/party/members/{mid}").json()
    assert detail["pledges"][0]["outcome"] == "已完成" and detail["hours"] == "0"
    assert call(lead, "get", "/party/pledges", overdue="true").json()["count"] == 0
    figures = call(lead, "get", "/party/figures", scope=world.a.code)
    assert figures.status_code == 200 and figures.json()["members"] == 1
    assert call(lead, "get", "/party/figures", scope=world.b.code).status_code == 404
    assert call(world.users["department"], "get", "/party/members").status_code == 403
    r = pf.volunteer_round(world)
    nom = call(
        lead, "post", f"/awards/rounds/{r.pk}/nominations", {"nominee": r.volunteer_pk, "reason": "热心"}
    )
    assert nom.status_code == 201 and nom.json()["result"] == "pending"
    assert call(lead, "post", f"/awards/rounds/{r.pk}/status", {"status": "reviewing"}).status_code == 200
    rev = call(lead, "post", f"/awards/nominations/{nom.json()['id']}/review", {"result": "awarded"})
    assert rev.status_code == 200 and rev.json()["result"] == "awarded"
    assert (
        call(lead, "post", f"/awards/rounds/{r.pk}/status", {"status": "published"}).json()["status"]
        == "published"
    )
    public = Client().get(f"/api/v1/teams/awards/public/{world.a.code}").json()
    assert public["items"][0]["winners"] == [nom.json()["public_name"]]
    assert "热心" not in str(public)


def test_pages_flag_overdue_and_export(world):
    lead = staff(world)
    m = pf.reporting(world)
    p = pf.pledge(world, member=m)
    Pledge.objects.filter(pk=p.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    c = world.client(lead)
    body = c.get("/teams/party/pledges/", {"overdue": "true"}).content.decode()
    assert p.content in body and "已逾期" in body
    assert c.get("/teams/party/members/", {"export": "xlsx"})["Content-Type"].startswith(
        "application/vnd.openxml"
    )
    assert c.get("/teams/party/pledges/", {"export": "xlsx"}).status_code == 200
    page = c.get(f"/teams/party/members/{m.pk}/").content.decode()
    assert "已逾期" in page and "13588" not in page  # the phone masked
    assert c.get("/teams/party/").status_code == 200
    r = pf.volunteer_round(world)
    assert c.get(f"/teams/awards/{r.pk}/", {"export": "xlsx"}).status_code == 200


def test_demo_party_members_pledges_chain_and_rounds(world):
    from shequ.core.roles import Role
    from shequ.core.testing.world import make_user
    from shequ.teams import demo_party

    make_user("admin", Role.SYSADMIN)
    for _i in range(6):
        pf.party_resident(world)
    for _i in range(3):
        make_household(world, "a")
    counts = demo_party.load(echo=lambda *a: None)
    assert counts["members"] >= 12 and counts["reporting"] == 12 and counts["pledges"] > 0
    assert counts["rounds"] == 3
    from shequ.teams.models import AwardRound, PartyOrg

    assert PartyOrg.objects.filter(level="community").exclude(instructor_name="").count() == 2
    assert (
        AwardRound.objects.filter(status="published").exists()
        and AwardRound.objects.filter(status="open").exists()
    )
    for p in Pledge.objects.exclude(status="open"):
        assert p.outcome
    demo_party.reset()
    assert (
        not PartyMember.objects.exists() and not PartyOrg.objects.exists() and not AwardRound.objects.exists()
    )
