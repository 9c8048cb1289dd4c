"""Scope cases for the co-building pages and API routes (imported by tests/teams/scope_cases.py).
Bodies of community a (and its units' agreements and contributions) are seen by a's lead and worker;
b's are 404 to them; departments and residents are refused."""

import datetime as dt
import itertools

from django.utils import timezone

from shequ.core.testing.scope import cases
from shequ.teams import services
from tests.teams.factories_cobuilding import make_unit

_seq = itertools.count(900)
STAFF = ("community_lead", "community_worker")
API = "/api/v1/teams/cobuilding"


def _staff(world, side):
    return world.users["community_lead"] if side == "a" else world.users["community_worker_b"]


def _mark(side):
    return f"{'甲乙'[side == 'b']}{next(_seq)}"


def _year_start():
    return dt.date(timezone.localdate().year, 1, 1)


def community(world, side):
    return world.community(side)


def unit(world, side):
    return make_unit(world, side, name=f"{_mark(side)}共建单位")


def body(world, side):
    """A body of the community with one unit not yet a member (`b.spare`)."""
    b = services.create_body(_staff(world, side), world.community(side).code, name=f"{_mark(side)}共建联席会")
    b.spare = unit(world, side)
    return b


def member_body(world, side):
    """A body with one member unit (`b.unit`)."""
    b = body(world, side)
    services.add_body_member(_staff(world, side), b.pk, unit=b.spare.pk, joined_on=_year_start())
    b.unit = b.spare
    return b


def agreement(world, side):
    b = member_body(world, side)
    return services.sign_agreement(_staff(world, side), b.pk, unit=b.unit.pk, starts_on=_year_start(),
                                   ends_on=_year_start() + dt.timedelta(days=730), title=f"{_mark(side)}共建协议")  # fmt: skip


def contribution(world, side):
    a = agreement(world, side)
    return services.record_contribution(_staff(world, side), unit=a.unit_id, agreement=a.pk, kind="goods",
                                        amount="1200", given_on=timezone.localdate(), description=f"{_mark(side)}慰问物资")  # fmt: skip


def _agreement_form(b):
    return {"unit": str(b.unit.pk), "starts_on": str(_year_start()), "ends_on": str(_year_start() + dt.timedelta(days=365)),
            "duties": ["1", "2"]}  # fmt: skip


# --- pages ------------------------------------------------------------------------------------------
cases.listing("teams:cobuilding", make=contribution, marker=lambda c: c.unit.name, roles=STAFF)
cases.page("teams:cob-body-create", roles=STAFF)
cases.detail("teams:cob-body-detail", make=member_body, kwargs=lambda b: {"pk": b.pk}, roles=STAFF)
cases.detail("teams:cob-member-add", make=body, kwargs=lambda b: {"pk": b.pk}, roles=STAFF)
cases.action("teams:cob-member-add", make=body, kwargs=lambda b: {"pk": b.pk},
             data=lambda b: {"unit": str(b.spare.pk), "role": "member"}, roles=STAFF)  # fmt: skip
cases.detail("teams:cob-meeting-add", make=member_body, kwargs=lambda b: {"pk": b.pk}, roles=STAFF)
cases.action("teams:cob-meeting-add", make=member_body, kwargs=lambda b: {"pk": b.pk},
             data=lambda b: {"held_on": str(timezone.localdate()), "attendees": [str(b.unit.pk)]}, roles=STAFF)  # fmt: skip
cases.detail("teams:cob-agreement-create", make=member_body, kwargs=lambda b: {"pk": b.pk}, roles=STAFF)
cases.action("teams:cob-agreement-create", make=member_body, kwargs=lambda b: {"pk": b.pk}, data=_agreement_form,
             roles=STAFF)  # fmt: skip
cases.detail("teams:cob-unit-detail", make=contribution, kwargs=lambda c: {"pk": c.unit_id}, roles=STAFF)
cases.detail("teams:cob-contribution-add", make=agreement, kwargs=lambda a: {"pk": a.unit_id}, roles=STAFF)
cases.action("teams:cob-contribution-add", make=agreement, kwargs=lambda a: {"pk": a.unit_id},
             data={"kind": "people", "people_days": "2", "given_on": str(timezone.localdate()), "description": "义务清扫"},
             roles=STAFF)  # fmt: skip

# --- API --------------------------------------------------------------------------------------------
cases.public(f"GET {API}/duty-templates", "the duty template: data of the platform, no scoped rows")
cases.api_list("GET", f"{API}/bodies", make=body, marker=lambda b: b.name, roles=STAFF)
cases.api("GET", f"{API}/bodies/{{int:body_id}}", make=member_body, path_params=lambda b: {"body_id": b.pk},
          roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/bodies", make=community, path_params=lambda u: {}, expect=201, roles=STAFF,
          data=lambda u: {"org": u.code, "name": f"联席会{next(_seq)}"})  # fmt: skip
cases.api("POST", f"{API}/bodies/{{int:body_id}}/members", make=body, path_params=lambda b: {"body_id": b.pk},
          data=lambda b: {"unit": b.spare.pk}, expect=201, roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/bodies/{{int:body_id}}/meetings", make=member_body, path_params=lambda b: {"body_id": b.pk},
          data=lambda b: {"held_on": str(timezone.localdate()), "attendees": [b.unit.pk]}, expect=201, roles=STAFF)  # fmt: skip
cases.api_list("GET", f"{API}/agreements", make=agreement, marker=lambda a: a.title, roles=STAFF)
cases.api("GET", f"{API}/agreements/{{int:agreement_id}}", make=agreement,
          path_params=lambda a: {"agreement_id": a.pk}, roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/agreements", make=member_body, path_params=lambda b: {}, expect=201, roles=STAFF,
          data=lambda b: {"body": b.pk, "unit": b.unit.pk, "starts_on": str(_year_start()),
                          "ends_on": str(_year_start() + dt.timedelta(days=365))})  # fmt: skip
cases.api_list("GET", f"{API}/contributions", make=contribution, marker=lambda c: c.description, roles=STAFF)
cases.api("POST", f"{API}/contributions", make=unit, path_params=lambda u: {}, expect=201, roles=STAFF,
          data=lambda u: {"unit": u.pk, "kind": "money", "amount": "300", "given_on": str(timezone.localdate()),
                          "description": "捐款"})  # fmt: skip
cases.api("GET", f"{API}/figures", make=community, path_params=lambda u: {}, query=lambda u: {"scope": u.code},
          roles=STAFF)  # fmt: skip
