"""The request form for a department over many communities: “整个街道” and “全区所有社区” choices
that the server expands into the communities, and the review rules of the department's own level
(a district-wide department is not told one street's rules as if they were its own)."""

import re

import pytest
from django.urls import reverse

from shequ.core.roles import Role
from shequ.core.testing.world import make_user
from shequ.duties import services
from shequ.duties.models import AdmissionRequest, DutyPolicy
from shequ.org.models import OrgUnit
from tests.duties import factories as f
from tests.duties.test_requests_pages import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    f.make_list(world)
    f.make_policy(world)  # the street's group: notice 30 working days
    return world


@pytest.fixture
def second_street(setup):
    """Another street of the district (五里界街道) with one community."""
    w = setup
    s2 = OrgUnit.objects.create(code="420115002", name="五里界街道", level="street", parent=w.district)
    c = OrgUnit.objects.create(
        code="420115002001", name="界铺社区居委会", level="community", kind="residents", parent=s2
    )
    return s2, c


def district_policy(world, notice_days=20):
    """The district's own review group (reviews requests over more than one street)."""
    admin = world.users["district"]
    p = services.save_policy(
        admin, world.district, group_name="江夏区社区工作准入审核领导小组", notice_days=notice_days
    )
    services.set_members(admin, p, [{"user": admin, "title": "组长", "is_chair": True}])
    return p


def page(world, user="department") -> str:
    resp = world.client(world.users[user]).get(reverse("duties:request-create"))
    assert resp.status_code == 200
    return resp.content.decode()


def rules_text(body: str) -> str:
    start = body.index('id="notice-rule"')
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body[start : body.index("<form", start)]))


def test_whole_street_and_district_choices_are_offered(setup, second_street):
    body = page(setup)
    assert 'value="street:420115001"' in body and 'value="street:420115002"' in body
    assert "整个街道（全部 2 个社区）" in body and "整个街道（全部 1 个社区）" in body
    assert 'value="district:420115"' in body
    assert "全区所有社区（江夏区，2 个街道 3 个社区）" in body
    # The per-community checkboxes stay.
    for code in ("420115001001", "420115001002", "420115002001"):
        assert f'name="communities" id="c-{code}"' in body


def test_a_street_department_gets_no_district_choice(setup):
    world = setup
    user = make_user("t_dept_street", Role.DEPARTMENT, world.street, department="纸坊街道党建办")
    body = world.client(user).get(reverse("duties:request-create")).content.decode()
    assert 'value="street:420115001"' in body and "district:" not in body


def test_whole_street_expands_into_its_communities(setup):
    world = setup
    data = form_data(world, communities=[], areas=["street:420115001"])
    resp = world.client(world.users["department"]).post(reverse("duties:request-create"), data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    req = AdmissionRequest.objects.get()
    assert sorted(req.communities.values_list("code", flat=True)) == [world.a.code, world.b.code]


def test_whole_district_expands_into_every_street(setup, second_street):
    world = setup
    district_policy(world)
    data = form_data(
        world,
        communities=[world.a.code],
        areas=["district:420115"],
        urgent="on",
        urgent_reason="上级紧急部署",
    )
    resp = world.client(world.users["department"]).post(reverse("duties:request-create"), data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    req = AdmissionRequest.objects.get()
    codes = sorted(req.communities.values_list("code", flat=True))
    assert codes == [world.a.code, world.b.code, second_street[1].code]
    assert req.org.code == world.district.code  # over two streets: the district reviews it


def test_nothing_chosen_is_refused_in_words(setup):
    world = setup
    data = form_data(world, communities=[])
    resp = world.client(world.users["department"]).post(reverse("duties:request-create"), data)
    assert resp.status_code == 400
    assert "请至少选择一个承接社区" in resp.content.decode()
    assert not AdmissionRequest.objects.exists()


def test_an_area_outside_the_choices_adds_nothing(setup):
    world = setup
    data = form_data(world, communities=[], areas=["street:420115009"])
    resp = world.client(world.users["department"]).post(reverse("duties:request-create"), data)
    assert resp.status_code == 400 and not AdmissionRequest.objects.exists()


def test_district_department_sees_the_district_rules_first(setup, second_street):
    world = setup
    district_policy(world, notice_days=20)
    text = rules_text(page(world))
    assert text.index("江夏区社区工作准入审核领导小组：须提前 20 个工作日提出") < text.index(
        "纸坊街道社区工作准入审核领导小组：须提前 30 个工作日提出"
    )
    assert "只面向一个街道的申请，由该街道审核" in text
    assert "审核时限 15 个工作日" in text


def test_district_without_a_group_is_said_so(setup, second_street):
    world = setup
    assert not DutyPolicy.objects.filter(org=world.district).exists()
    text = rules_text(page(world))
    assert "江夏区尚未设立准入审核小组" in text
    # 五里界 has no group of its own and none above it: its communities cannot be asked for yet.
    assert "另有 1 个街道及其上级尚未设立准入审核小组" in text
    assert text.index("江夏区尚未设立") < text.index("纸坊街道社区工作准入审核领导小组：须提前 30")


def test_street_department_sees_its_own_street_rules(setup):
    world = setup
    user = make_user("t_dept_street", Role.DEPARTMENT, world.street, department="纸坊街道党建办")
    body = world.client(user).get(reverse("duties:request-create")).content.decode()
    text = rules_text(body)
    assert "纸坊街道社区工作准入审核领导小组：须提前 30 个工作日提出" in text
    assert "江夏区" not in text and "只面向一个街道" not in text


def test_with_one_street_only_its_rules_are_stated(setup):
    """A district department whose communities all lie in one street: that street reviews every
    request, so the district's missing group is no news."""
    text = rules_text(page(setup))
    assert "纸坊街道社区工作准入审核领导小组：须提前 30 个工作日提出" in text
    assert "尚未设立" not in text and "只面向一个街道" not in text
