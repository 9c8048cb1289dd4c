"""Scope cases of the admission pages and API (准入申请与审核) and the review-group settings.

Requests hang on the reviewing street, so the world's community users see none of them (see
test_requests_pages.test_community_users_see_no_requests); the cases here try the users who do:
the department (side b: a request of another department) and the street's review group (side b:
a request reviewed by another street)."""

import datetime as dt

from django.utils import timezone

from shequ.core.roles import Role
from shequ.core.testing.scope import SEES, cases
from shequ.core.testing.world import make_user
from shequ.duties import services
from shequ.duties.models import DutyPolicy
from shequ.org.models import OrgUnit
from tests.duties.factories import make_list, make_policy, make_request

DEPARTMENT = ("department",)
STREET = ("street",)
pk = lambda o: {"pk": o.pk}  # noqa: E731
number = lambda o: o.number  # noqa: E731


def _other_street(world):
    """五里界街道 with one community and its own review group, beside the world's street."""
    street, _ = OrgUnit.objects.get_or_create(
        code="420115002", defaults={"name": "五里界街道", "level": "street", "parent": world.district}
    )
    community, _ = OrgUnit.objects.get_or_create(
        code="420115002001",
        defaults={"name": "五里界社区居委会", "level": "community", "kind": "residents", "parent": street},
    )
    policy = DutyPolicy.objects.filter(org=street).first()
    if policy is None:
        chair = make_user("t_street_2", Role.STREET, street)
        policy = services.save_policy(chair, street, group_name="五里界街道社区工作准入审核领导小组")
        services.set_members(chair, policy, [{"user": chair, "title": "组长", "is_chair": True}])
    return street, community, policy


def by_street(world, side):
    """Side a: a request the world's street reviews; side b: one another street reviews."""
    if side == "a":
        return make_request(world, "a")
    _street, community, _policy = _other_street(world)
    return make_request(world, "a", communities=[community])


def by_department(world, side):
    return make_request(world, side)


def returned(world, side):
    return make_request(world, side, "returned")


def approved(world, side):
    return make_request(world, side, "approved")


def street_policy(world, side):
    return make_policy(world) if side == "a" else _other_street(world)[2]


def target(world, side):
    """A community to file for: a is in the department's district, b in another district."""
    make_list(world)
    make_policy(world)
    if side == "a":
        return world.a
    district, _ = OrgUnit.objects.get_or_create(
        code="420116", defaults={"name": "黄陂区", "level": "district"}
    )
    street, _ = OrgUnit.objects.get_or_create(
        code="420116001", defaults={"name": "前川街道", "level": "street", "parent": district}
    )
    community, _ = OrgUnit.objects.get_or_create(
        code="420116001001",
        defaults={"name": "前川社区居委会", "level": "community", "kind": "residents", "parent": street},
    )
    return community


def new_request(community) -> dict:
    start = timezone.localdate() + dt.timedelta(days=90)
    return {
        "title": f"老年人能力评估入户（{community.code}）",
        "description": "对辖区 80 岁以上老年人开展能力评估",
        "basis": "《湖北省养老服务条例》",
        "communities": [community.code],
        "start_date": str(start),
        "end_date": str(start + dt.timedelta(days=30)),
        "funding_per_community": "2000",
        "funding_source": "区级养老服务专项资金",
    }


def resubmission(req) -> dict:
    """The returned request completed with its basis."""
    return {
        "title": req.title,
        "description": req.description,
        "basis": "《湖北省养老服务条例》",
        "communities": [c.code for c in req.communities.all()],
        "start_date": str(req.start_date),
        "end_date": str(req.end_date),
        "funding_per_community": str(req.funding_per_community),
        "funding_source": req.funding_source,
    }


# --- pages --------------------------------------------------------------------------------------
cases.listing("duties:request-list", make=by_department, marker=number, roles=DEPARTMENT)
# The world's department filed the street's requests: it sees them too.
cases.listing("duties:request-list", make=by_street, marker=number, roles=STREET, department=SEES)
cases.listing("duties:request-list", make=by_street, marker=number, roles=STREET, query={"tab": "todo"}, department=SEES)  # fmt: skip
cases.listing("duties:request-list", make=by_street, marker=number, roles=STREET, query={"status": "review"}, department=SEES)  # fmt: skip
cases.page("duties:request-create", roles=DEPARTMENT)  # the filing form offers the user's own communities
cases.detail("duties:request-detail", make=by_department, kwargs=pk, roles=DEPARTMENT)
cases.detail("duties:request-detail", make=by_street, kwargs=pk, roles=STREET, department=SEES)
cases.detail("duties:request-edit", make=returned, kwargs=pk, roles=DEPARTMENT)
cases.detail("duties:request-letter", make=approved, kwargs=pk, roles=DEPARTMENT)
cases.action("duties:request-vote", make=by_street, kwargs=pk, data={"choice": "approve"}, roles=STREET)
# Closing waits for the review period to end: the street's own request is refused by that rule (409),
# past the scope check; b's is not found.
cases.action("duties:request-close", make=by_street, kwargs=pk, data={"note": "期满"}, roles=STREET, expect=409)  # fmt: skip
cases.action(
    "duties:request-withdraw", make=by_department, kwargs=pk, data={"reason": "政策调整"}, roles=DEPARTMENT
)
cases.listing("duties:policy", make=street_policy, marker=lambda p: p.org.name, roles=STREET)
cases.detail("duties:policy-edit", make=street_policy, kwargs=lambda p: {"code": p.org.code}, roles=STREET)

# --- API ----------------------------------------------------------------------------------------
R = "/api/v1/duties/requests"
request_id = lambda o: {"request_id": o.pk}  # noqa: E731
cases.api_list("GET", R, make=by_department, marker=number, roles=DEPARTMENT)
cases.api_list("GET", R, make=by_street, marker=number, roles=STREET)
cases.api("GET", R + "/{int:request_id}", make=by_department, path_params=request_id, roles=DEPARTMENT)
cases.api("GET", R + "/{int:request_id}", make=by_street, path_params=request_id, roles=STREET)
cases.api(
    "POST",
    R,
    make=target,
    path_params=lambda c: {},
    data=new_request,
    roles=DEPARTMENT,
    expect=201,
)
cases.api("POST", R + "/precheck", make=target, path_params=lambda c: {}, data=new_request, roles=DEPARTMENT)
cases.api(
    "PUT", R + "/{int:request_id}", make=returned, path_params=request_id, data=resubmission, roles=DEPARTMENT
)
cases.api(
    "POST",
    R + "/{int:request_id}/votes",
    make=by_street,
    path_params=request_id,
    data={"choice": "approve"},
    roles=STREET,
    expect=201,
)
cases.api(
    "POST",
    R + "/{int:request_id}/close",
    make=by_street,
    path_params=request_id,
    data={"note": "期满"},
    roles=STREET,
    expect=409,  # the deadline has not passed: reached the service, refused by its rule
)
cases.api(
    "POST",
    R + "/{int:request_id}/withdraw",
    make=by_department,
    path_params=request_id,
    data={"reason": "政策调整"},
    roles=DEPARTMENT,
)
cases.api_list(
    "GET", "/api/v1/duties/policies", make=street_policy, marker=lambda p: p.org.name, roles=STREET
)
cases.api(
    "PUT",
    "/api/v1/duties/policies/{code}",
    make=street_policy,
    path_params=lambda p: {"code": p.org.code},
    data={"group_name": "准入审核小组"},
    roles=STREET,
)
