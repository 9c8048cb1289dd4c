"""Communities appraise departments: rounds, one form per (round, community, department), closed
rounds refused, results per department, and department staff seeing only their own row."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shequ.core.errors import Conflict
from shequ.duties import burden, services
from shequ.duties.models import AppraisalForm
from tests.duties.factories import community_lead_b, make_round

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _today():
    """Today as of each test, not as of the import: a run that crosses midnight stays right."""
    global TODAY
    TODAY = timezone.localdate()


def appraise(world, rnd, side, department="区民政局", score=4, comment=""):
    lead = world.users["community_lead"] if side == "a" else community_lead_b(world)
    return services.submit_appraisal(
        lead,
        rnd.pk,
        community=world.community(side),
        department=department,
        cooperation=score,
        funding=score - 1,
        burden=score,
        service=score,
        comment=comment,
    )


def fill_data(department, score=5):
    return {
        "department": department,
        "cooperation": score,
        "funding": score,
        "burden": score,
        "service": score,
    }


def test_results_are_averaged_per_department(world):
    rnd = make_round(world)
    appraise(world, rnd, "a", score=4, comment="经费到位慢")
    appraise(world, rnd, "b", score=2)
    appraise(world, rnd, "a", department="区人社局", score=5)
    rows = {r["department"]: r for r in burden.results(world.users["street"], rnd)}
    mz = rows["区民政局"]
    assert (mz["forms"], mz["cooperation"], mz["funding"], mz["overall"]) == (2, 3.0, 2.0, 2.75)
    assert mz["comments"] == [("宁安社区居委会", "经费到位慢")]
    assert rows["区人社局"]["overall"] == 4.75
    # Best first.
    assert [r["department"] for r in burden.results(world.users["street"], rnd)] == ["区人社局", "区民政局"]


def test_one_form_per_round_community_and_department(world):
    rnd = make_round(world)
    appraise(world, rnd, "a")
    with pytest.raises(Conflict):
        appraise(world, rnd, "a", score=2)
    appraise(world, rnd, "b")  # another community may
    assert AppraisalForm.objects.filter(round=rnd).count() == 2


def test_the_fill_page_shows_a_second_form_as_a_conflict(world):
    rnd = make_round(world)
    c = world.client(world.users["community_lead"])
    url = reverse("duties:appraisal-fill", args=[rnd.pk])
    page = c.get(url)
    assert page.status_code == 200 and page.content.decode().count('class="stars"') == 8
    assert c.post(url, fill_data("区民政局")).status_code == 302
    body = c.get(url).content.decode()
    assert "已评议" in body and body.count('class="stars"') == 4
    assert c.post(url, fill_data("区民政局", 1)).status_code == 409
    assert AppraisalForm.objects.get(round=rnd, department="区民政局").cooperation == 5


def test_a_closed_round_is_refused(world):
    rnd = services.open_round(
        world.users["street"],
        org=world.street,
        title="上半年评议",
        period="2026年上半年",
        opens_on=TODAY - dt.timedelta(days=30),
        closes_on=TODAY - dt.timedelta(days=1),
        departments=["区民政局"],
    )
    with pytest.raises(Conflict):
        appraise(world, rnd, "a")
    c = world.client(world.users["community_lead"])
    url = reverse("duties:appraisal-fill", args=[rnd.pk])
    assert "现在不能填写" in c.get(url).content.decode()
    assert c.post(url, fill_data("区民政局")).status_code == 409
    token = world.token(world.users["community_lead"])
    resp = Client().post(
        f"/api/v1/duties/appraisals/{rnd.pk}/forms",
        {**fill_data("区民政局"), "community": world.a.code},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert resp.status_code == 409 and resp.json()["code"] == "round_closed"
    assert not AppraisalForm.objects.exists()


def test_department_staff_see_only_their_own_row(world):
    rnd = make_round(world)
    appraise(world, rnd, "a", comment="民政局意见")
    appraise(world, rnd, "a", department="区人社局", comment="人社局意见")
    dept = world.users["department"]  # 区民政局
    assert [r["department"] for r in burden.results(dept, rnd)] == ["区民政局"]
    body = world.client(dept).get(reverse("duties:appraisal-detail", args=[rnd.pk])).content.decode()
    assert "民政局意见" in body and "区人社局" not in body and "人社局意见" not in body
    resp = Client().get(
        f"/api/v1/duties/appraisals/{rnd.pk}", headers={"Authorization": f"Bearer {world.token(dept)}"}
    )
    assert [r["department"] for r in resp.json()["results"]] == ["区民政局"]
    street = world.client(world.users["street"]).get(reverse("duties:appraisal-detail", args=[rnd.pk]))
    assert "人社局意见" in street.content.decode()


def test_a_community_lead_sees_their_own_forms_only(world):
    rnd = make_round(world)
    appraise(world, rnd, "a", comment="甲社区意见")
    appraise(world, rnd, "b", comment="乙社区意见")
    body = (
        world.client(world.users["community_lead"])
        .get(reverse("duties:appraisal-detail", args=[rnd.pk]))
        .content.decode()
    )
    assert "甲社区意见" in body and "乙社区意见" not in body


def test_create_round_page_and_list(world):
    c = world.client(world.users["street"])
    url = reverse("duties:appraisal-create")
    page = c.get(url)
    assert page.status_code == 200
    data = {
        "org": world.street.code,
        "title": "2026年度部门评议",
        "period": "2026年",
        "opens_on": TODAY.isoformat(),
        "closes_on": (TODAY + dt.timedelta(days=14)).isoformat(),
        "other_departments": "区城管局\n区卫健局",
    }
    resp = c.post(url, data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    listing = c.get(reverse("duties:appraisal-list")).content.decode()
    assert "2026年度部门评议" in listing and "区城管局" in listing and "区卫健局" in listing
    assert c.post(url, {**data, "other_departments": ""}).status_code == 400
    lead = world.client(world.users["community_lead"])
    assert lead.get(url).status_code == 403


def test_mine_shows_progress(world):
    rnd = make_round(world)
    appraise(world, rnd, "a")
    body = world.client(world.users["community_lead"]).get(reverse("duties:appraisal-mine")).content.decode()
    assert rnd.title in body and "已评 1 / 2" in body
    assert world.client(world.users["street"]).get(reverse("duties:appraisal-mine")).status_code == 403
