"""Scope cases for every page and API route of the teams module. Rows of community a are seen by
a's lead and worker (teams.view); b's are 404 to them; grid workers, departments and residents are
refused the staff routes. A resident's own acts (sign-up, check-in, rating, registering as a
volunteer) go through their account, and the public pages show listings and totals only."""

import datetime as dt
import itertools

from django.utils import timezone

from shequ.core.testing.scope import SEES, cases
from shequ.teams import services
from tests.people.factories import make_resident

_seq = itertools.count(500)
STAFF = ("community_lead", "community_worker")


def _staff(world, side):
    return world.users["community_lead"] if side == "a" else world.users["community_worker_b"]


def _mark(side):
    return f"{'甲乙'[side == 'b']}{next(_seq)}"


def community(world, side):
    return world.community(side)


def team(world, side):
    return services.create_team(
        _staff(world, side), world.community(side).code, kind="合唱队", name=f"{_mark(side)}合唱队"
    )


def talent(world, side):
    r = make_resident(world, side)
    return services.register_talent(_staff(world, side), r.pk, skill="书法")


def resident(world, side):
    return make_resident(world, side)


def volunteer(world, side):
    return services.register_volunteer(_staff(world, side), make_resident(world, side).pk, skills=["摄影"])


def activity(world, side, *, started=False):
    start = timezone.now() + (dt.timedelta(minutes=-30) if started else dt.timedelta(days=2))
    a = services.create_activity(_staff(world, side), world.community(side).code, title=f"{_mark(side)}活动",
                                 kind="culture", starts_at=start, ends_at=start + dt.timedelta(hours=2),
                                 place="社区广场", capacity=50)  # fmt: skip
    return a


def running(world, side):
    return activity(world, side, started=True)


def attended(world, side):
    """A started activity with one volunteer checked in (from the staff's list)."""
    a = activity(world, side, started=True)
    v = volunteer(world, side)
    services.check_in_from_list(_staff(world, side), a.pk, names=[v.resident.name])
    a.volunteer_pk = v.pk
    return a


def at_the_door(world, side):
    """A started activity with one resident signed up beforehand (their pass at `a.pass_code`)."""
    from shequ.teams.models import Activity
    from tests.teams.factories import resident_user

    a = activity(world, side)
    u, _r = resident_user(world, side)
    s = services.sign_up(u, a.pk)
    start = timezone.now() - dt.timedelta(minutes=30)
    Activity.objects.filter(pk=a.pk).update(starts_at=start, ends_at=start + dt.timedelta(hours=2))
    a.pass_code = services.pass_code(s)
    return a


def hours(world, side):
    a = attended(world, side)
    return services.confirm_hours(_staff(world, side), a.pk, a.volunteer_pk, hours="1.5")


# --- pages ------------------------------------------------------------------------------------------
cases.page("teams:report", roles=STAFF)
cases.page("teams:weights", roles=("street",))
cases.listing("teams:team-list", make=team, marker=lambda t: t.name, roles=STAFF)
cases.page("teams:team-create", roles=STAFF)
cases.detail("teams:team-detail", make=team, kwargs=lambda t: {"pk": t.pk}, roles=STAFF)
cases.detail("teams:member-add", make=team, kwargs=lambda t: {"pk": t.pk}, roles=STAFF)
cases.action("teams:member-add", make=team, kwargs=lambda t: {"pk": t.pk}, data={"name": "外来队员", "role": "member"},
             roles=STAFF)  # fmt: skip
cases.detail("teams:instructor", make=team, kwargs=lambda t: {"pk": t.pk}, roles=STAFF)
cases.listing("teams:talent-list", make=talent, marker=lambda t: t.resident.name, roles=STAFF)
cases.page("teams:talent-create", roles=STAFF)
cases.listing("teams:volunteer-list", make=volunteer, marker=lambda v: v.resident.name, roles=STAFF)
cases.page("teams:volunteer-create", roles=STAFF)
cases.detail("teams:volunteer-detail", make=volunteer, kwargs=lambda v: {"pk": v.pk}, roles=STAFF)
cases.detail("teams:certificate", make=volunteer, kwargs=lambda v: {"pk": v.pk}, roles=STAFF)
cases.listing("teams:hours-list", make=hours, marker=lambda h: h.activity.title, roles=STAFF)
cases.listing("teams:activity-list", make=activity, marker=lambda a: a.title, roles=STAFF)
cases.page("teams:activity-create", roles=STAFF)
cases.detail("teams:activity-detail", make=activity, kwargs=lambda a: {"pk": a.pk}, roles=STAFF)
cases.detail("teams:door", make=activity, kwargs=lambda a: {"pk": a.pk}, roles=STAFF)
cases.detail("teams:activity-cancel", make=activity, kwargs=lambda a: {"pk": a.pk}, roles=STAFF)
cases.action(
    "teams:activity-cancel",
    make=activity,
    kwargs=lambda a: {"pk": a.pk},
    data={"reason": "天气原因"},
    roles=STAFF,
)
cases.detail("teams:shift-add", make=activity, kwargs=lambda a: {"pk": a.pk}, roles=STAFF)
cases.detail("teams:activity-report", make=running, kwargs=lambda a: {"pk": a.pk}, roles=STAFF)
cases.action(
    "teams:activity-report",
    make=running,
    kwargs=lambda a: {"pk": a.pk},
    data={"report": "到场 20 人。"},
    roles=STAFF,
)
cases.action(
    "teams:check-in-list",
    make=running,
    kwargs=lambda a: {"pk": a.pk},
    data={"names": "到场居民"},
    roles=STAFF,
)
cases.detail("teams:scanner", make=at_the_door, kwargs=lambda a: {"pk": a.pk}, roles=STAFF)
cases.action("teams:scans", make=at_the_door, kwargs=lambda a: {"pk": a.pk}, content_type="application/json",
             data=lambda a: {"scans": [{"id": "s1", "code": a.pass_code}]}, expect=200, roles=STAFF)  # fmt: skip
cases.action("teams:confirm-hours", make=attended, kwargs=lambda a: {"pk": a.pk},
             data=lambda a: {"volunteer": str(a.volunteer_pk), "hours": "1.5"}, roles=STAFF)  # fmt: skip
cases.page("teams:mine", resident=SEES, department=SEES)
cases.public(
    "teams:public-community", "a community's public listing of coming activities and totals: no names"
)
cases.public("teams:public-activity", "one public activity (time, place, places left): no names")
cases.public(
    "teams:sign-up", "the signed-in person's own sign-up to a public activity (tested in test_pages)"
)
cases.public("teams:withdraw", "the signed-in person's own sign-up withdrawn")
cases.public("teams:take-shift", "a signed-in volunteer taking a place in a shift")
cases.public("teams:rate", "the signed-in attendee's own rating")
cases.public(
    "teams:check-in", "the person's own check-in by today's code at the entrance (the code is the key)"
)
cases.public("teams:register-self", "a signed-in resident registering themselves as a volunteer")

# --- API --------------------------------------------------------------------------------------------
API = "/api/v1/teams"
cases.api_list("GET", f"{API}/teams", make=team, marker=lambda t: t.name, roles=STAFF)
cases.api(
    "GET", f"{API}/teams/{{int:team_id}}", make=team, path_params=lambda t: {"team_id": t.pk}, roles=STAFF
)
cases.api("POST", f"{API}/teams", make=community, path_params=lambda u: {},
          data=lambda u: {"org": u.code, "kind": "舞蹈队", "name": f"舞蹈队{next(_seq)}"}, expect=201, roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/teams/{{int:team_id}}/members", make=team, path_params=lambda t: {"team_id": t.pk},
          data={"name": "外来队员", "phone": "13900002222"}, expect=201, roles=STAFF)  # fmt: skip
cases.api_list("GET", f"{API}/talent", make=talent, marker=lambda t: t.resident.name, roles=STAFF)
cases.api("POST", f"{API}/talent", make=resident, path_params=lambda r: {}, data=lambda r: {"resident": r.pk, "skill": "绘画"},
          expect=201, roles=STAFF)  # fmt: skip
cases.api_list("GET", f"{API}/volunteers", make=volunteer, marker=lambda v: v.resident.name, roles=STAFF)
cases.api("POST", f"{API}/volunteers", make=resident, path_params=lambda r: {}, data=lambda r: {"resident": r.pk},
          expect=201, roles=STAFF)  # fmt: skip
cases.public(f"GET {API}/me", "the signed-in person's own volunteer record")
cases.api_list("GET", f"{API}/activities", make=activity, marker=lambda a: a.title, roles=STAFF)
cases.api("GET", f"{API}/activities/{{int:activity_id}}", make=activity, path_params=lambda a: {"activity_id": a.pk},
          roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/activities", make=community, path_params=lambda u: {}, expect=201, roles=STAFF,
          data=lambda u: {"org": u.code, "title": "越权活动", "kind": "culture", "place": "广场",
                          "starts_at": (timezone.now() + dt.timedelta(days=3)).isoformat(),
                          "ends_at": (timezone.now() + dt.timedelta(days=3, hours=2)).isoformat()})  # fmt: skip
cases.api("POST", f"{API}/activities/{{int:activity_id}}/cancel", make=activity,
          path_params=lambda a: {"activity_id": a.pk}, data={"reason": "天气原因"}, roles=STAFF)  # fmt: skip
cases.public(
    f"POST {API}/activities/{{int:activity_id}}/signups", "the signed-in person's own sign-up (test_api)"
)
cases.public(f"POST {API}/signups/{{int:signup_id}}/cancel", "the person's own sign-up withdrawn (test_api)")
cases.public(f"POST {API}/check-in", "the person's own check-in by the entrance's code (test_api)")
cases.public(f"POST {API}/activities/{{int:activity_id}}/rating", "the attendee's own rating (test_api)")
cases.api("POST", f"{API}/activities/{{int:activity_id}}/scans", make=at_the_door,
          path_params=lambda a: {"activity_id": a.pk}, data=lambda a: {"scans": [{"id": "s1", "code": a.pass_code}]},
          roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/activities/{{int:activity_id}}/attendance", make=running,
          path_params=lambda a: {"activity_id": a.pk}, data={"names": ["到场居民"]}, expect=201, roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/activities/{{int:activity_id}}/hours", make=attended, path_params=lambda a: {"activity_id": a.pk},
          data=lambda a: {"volunteer": a.volunteer_pk, "hours": "1.5"}, expect=201, roles=STAFF)  # fmt: skip
cases.api(
    "GET",
    f"{API}/figures",
    make=community,
    path_params=lambda u: {},
    query=lambda u: {"scope": u.code},
    roles=STAFF,
)
cases.public(
    f"GET {API}/public/{{code}}/activities", "a community's coming public activities: listings only, no names"
)

# The co-building routes, and the Party-member service and awards.
from tests.teams import scope_cases_cobuilding, scope_cases_party  # noqa: E402, F401
